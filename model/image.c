/* image.c - text and raw page-table images, snapshot mapping files
 * (formats: docs/replay.md). */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "paging.h"
#include "pt.h"

#define PA_LIMIT (1ull << 52) /* the physical address space of the memory port */
#define LINE_MAX_BYTES 4096

typedef struct {
    char *path;
    int fd;
    uint64_t base, size;
} raw_t;

enum { HK_HEX, HK_BOOL, HK_DEC };

static const struct {
    const char *name;
    const char *cfgkey; /* NULL: not a configuration key (cr3) */
    int kind;
} hkeys[] = {
    {"cr3", NULL, HK_HEX},           {"cr0.wp", "mode.wp", HK_BOOL},   {"cr4.smep", "mode.smep", HK_BOOL},
    {"cr4.smap", "mode.smap", HK_BOOL}, {"cr4.pcide", "pcid", HK_BOOL}, {"cr4.pge", "mode.pge", HK_BOOL},
    {"efer.nxe", "mode.nxe", HK_BOOL}, {"rflags.ac", "mode.ac", HK_BOOL}, {"maxphyaddr", "maxphyaddr", HK_DEC},
    /* CPUID.80000001H:EDX.Page1GB: 0 = no 1 GiB pages, PDPTE.PS = 1 is a reserved bit (SDM 4.5.4) */
    {"cpuid.page1gb", "cpuid.page1gb", HK_BOOL},
};
#define NHKEYS (sizeof hkeys / sizeof hkeys[0])

struct image {
    pmem_t *mem;    /* what the MMU reads */
    pmem_t *given;  /* bitmap: words given by the text image */
    pmem_t *loaded; /* bitmap: 4 KiB pages already read from the raw images */
    char *text_path;
    struct {
        int key; /* index into hkeys */
        char val[32];
        unsigned long line;
    } hdr[NHKEYS];
    int nhdr;
    int have_cr3;
    uint64_t cr3;
    raw_t *raw;
    size_t nraw;
    uint64_t amask;
    uint64_t raw_loaded;
    int snapshot;
    pt_t *pt;
    uint64_t snap_pages[MMU_PS_COUNT], snap_ranges;
};

image_t *image_create(void)
{
    image_t *im = calloc(1, sizeof *im);
    if (!im)
        return NULL;
    im->mem = pmem_create();
    im->given = pmem_create();
    im->loaded = pmem_create();
    im->amask = pg_addr_mask(52);
    if (!im->mem || !im->given || !im->loaded) {
        image_destroy(im);
        return NULL;
    }
    return im;
}

void image_destroy(image_t *im)
{
    if (!im)
        return;
    for (size_t i = 0; i < im->nraw; i++) {
        if (im->raw[i].fd >= 0)
            close(im->raw[i].fd);
        free(im->raw[i].path);
    }
    free(im->raw);
    pt_destroy(im->pt);
    pmem_destroy(im->mem);
    pmem_destroy(im->given);
    pmem_destroy(im->loaded);
    free(im->text_path);
    free(im);
}

pmem_t *image_mem(image_t *im) { return im->mem; }
uint64_t image_raw_pages_loaded(const image_t *im) { return im->raw_loaded; }
uint64_t image_snapshot_pages(const image_t *im, unsigned ps) { return ps < MMU_PS_COUNT ? im->snap_pages[ps] : 0; }
uint64_t image_snapshot_ranges(const image_t *im) { return im->snap_ranges; }

int image_cr3(const image_t *im, uint64_t *cr3)
{
    if (!im->have_cr3)
        return 0;
    *cr3 = im->cr3;
    return 1;
}

/* One bit per 8-byte word (given) or per 4 KiB page (loaded), kept in a
 * sparse pmem: bit i lives in the word at (i / 64) * 8. */
static int bit_get(const pmem_t *b, uint64_t i) { return (int)(pmem_read64(b, (i >> 6) << 3) >> (i & 63) & 1); }
static int bit_set(pmem_t *b, uint64_t i)
{
    uint64_t a = (i >> 6) << 3;
    return pmem_write64(b, a, pmem_read64(b, a) | 1ull << (i & 63));
}

/* ------------------------------------------------------------ line reader */

/* Lines of a plain or gzip file (zlib reads plain files transparently). */
typedef struct {
    gzFile gz;
    const char *path;
    char buf[65536];
    size_t pos, len;
    int eof, first;
    char line[LINE_MAX_BYTES + 2];
    unsigned long lineno;
} lr_t;

static int lr_open(lr_t *r, const char *path, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->first = 1;
    int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : dup(0);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    r->gz = gzdopen(fd, "rb");
    if (!r->gz) {
        close(fd);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    gzbuffer(r->gz, 65536);
    return 0;
}

static void lr_close(lr_t *r)
{
    if (r->gz)
        gzclose(r->gz);
    r->gz = NULL;
}

static int lr_fill(lr_t *r, char *err, size_t errlen)
{
    int n = gzread(r->gz, r->buf, sizeof r->buf);
    int zerr = 0;
    const char *msg = gzerror(r->gz, &zerr);
    if (n < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR) || (n == 0 && zerr == Z_BUF_ERROR)) {
        snprintf(err, errlen, "%s: %s", r->path,
                 zerr == Z_ERRNO ? strerror(errno) : zerr == Z_BUF_ERROR ? "truncated gzip stream" : msg);
        return -1;
    }
    if (r->first && n >= 4) {
        const unsigned char *b = (const unsigned char *)r->buf;
        if ((b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) ||
            (n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6))) {
            snprintf(err, errlen, "%s: zstd or xz compressed; only plain text or gzip is read here", r->path);
            return -1;
        }
    }
    r->first = 0;
    r->pos = 0;
    r->len = (size_t)n;
    if (n == 0)
        r->eof = 1;
    return 0;
}

/* Next line without its end ("\n" or "\r\n"): 1, 0 at the end, -1 on error. */
static int lr_next(lr_t *r, char **line, char *err, size_t errlen)
{
    size_t n = 0;
    int any = 0;
    for (;;) {
        if (r->pos == r->len) {
            if (!r->eof && lr_fill(r, err, errlen) != 0)
                return -1;
            if (r->pos == r->len) { /* end of the input */
                if (!any)
                    return 0;
                break; /* the last line has no '\n' */
            }
        }
        any = 1;
        char *s = r->buf + r->pos;
        size_t avail = r->len - r->pos;
        char *nl = memchr(s, '\n', avail);
        size_t take = nl ? (size_t)(nl - s) : avail;
        if (n + take > LINE_MAX_BYTES + 1) {
            snprintf(err, errlen, "%s:%lu: line longer than %d bytes", r->path, r->lineno + 1, LINE_MAX_BYTES);
            return -1;
        }
        memcpy(r->line + n, s, take);
        n += take;
        r->pos += take + (nl ? 1 : 0);
        if (nl)
            break;
    }
    r->lineno++;
    if (n && r->line[n - 1] == '\r')
        n--;
    if (n > LINE_MAX_BYTES) {
        snprintf(err, errlen, "%s:%lu: line longer than %d bytes", r->path, r->lineno, LINE_MAX_BYTES);
        return -1;
    }
    if (memchr(r->line, 0, n)) {
        snprintf(err, errlen, "%s:%lu: NUL byte in a text file (a binary image? use --image-raw FILE@BASE)", r->path,
                 r->lineno);
        return -1;
    }
    r->line[n] = 0;
    *line = r->line;
    return 1;
}

/* ------------------------------------------------------------- tokens */

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Split s into at most max blank-separated words; returns their number
 * (max + 1 when there are more). */
static int split(char *s, char **w, int max)
{
    int n = 0;
    for (;;) {
        while (is_blank(*s))
            s++;
        if (!*s)
            return n;
        if (n == max)
            return n + 1;
        w[n++] = s;
        while (*s && !is_blank(*s))
            s++;
        if (*s)
            *s++ = 0;
    }
}

/* The word for a message: at most 24 bytes, non-printable bytes as '?'. */
static const char *shown(const char *w, char *b, size_t n)
{
    size_t i = 0;
    for (; w[i] && i < 24 && i + 4 < n; i++)
        b[i] = (w[i] >= 0x20 && w[i] < 0x7f) ? w[i] : '?';
    if (w[i] && i + 4 < n)
        memcpy(b + i, "...", 3), i += 3;
    b[i] = 0;
    return b;
}

/* Hexadecimal with an optional 0x: 0, -1 not a number, -2 above 2^64-1. */
static int parse_hex(const char *s, uint64_t *out)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    if (!*s)
        return -1;
    uint64_t v = 0;
    int big = 0;
    for (; *s; s++) {
        int d = (*s >= '0' && *s <= '9') ? *s - '0' : (*s >= 'a' && *s <= 'f') ? *s - 'a' + 10
                : (*s >= 'A' && *s <= 'F') ? *s - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        if (v >> 60)
            big = 1;
        v = v << 4 | (uint64_t)d;
    }
    if (big)
        return -2;
    *out = v;
    return 0;
}

static int all_hex(const char *s)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
            return 0;
    return 1;
}

/* ------------------------------------------------------------ text image */

static int header_line(image_t *im, const lr_t *r, int k, char **w, int nw, int seen_entry, char *err, size_t errlen)
{
    char b1[32];
    const char *key = hkeys[k].name;
    if (seen_entry) {
        snprintf(err, errlen, "%s:%lu: header key '%s' after the first entry (the header comes first)", r->path,
                 r->lineno, key);
        return -1;
    }
    for (int i = 0; i < im->nhdr; i++)
        if (im->hdr[i].key == k) {
            snprintf(err, errlen, "%s:%lu: header key '%s' given twice (first on line %lu)", r->path, r->lineno, key,
                     im->hdr[i].line);
            return -1;
        }
    if (nw < 2) {
        snprintf(err, errlen, "%s:%lu: %s: missing value", r->path, r->lineno, key);
        return -1;
    }
    if (nw > 2) {
        snprintf(err, errlen, "%s:%lu: trailing junk '%s'", r->path, r->lineno, shown(w[2], b1, sizeof b1));
        return -1;
    }
    const char *v = w[1];
    switch (hkeys[k].kind) {
    case HK_HEX: {
        uint64_t x;
        int rc = parse_hex(v, &x);
        if (rc != 0) {
            snprintf(err, errlen, "%s:%lu: %s: %s '%s' (hexadecimal)", r->path, r->lineno, key,
                     rc == -2 ? "value above 2^64-1" : "bad value", shown(v, b1, sizeof b1));
            return -1;
        }
        im->have_cr3 = 1;
        im->cr3 = x;
        break;
    }
    case HK_BOOL:
        if (strcmp(v, "0") && strcmp(v, "1")) {
            snprintf(err, errlen, "%s:%lu: %s: expected 0 or 1, got '%s'", r->path, r->lineno, key,
                     shown(v, b1, sizeof b1));
            return -1;
        }
        break;
    case HK_DEC: {
        /* check with the configuration's own rule */
        sim_config_t scratch;
        char e2[256];
        if (cfg_preset(&scratch, "skylake", e2, sizeof e2) != 0 ||
            cfg_set(&scratch, hkeys[k].cfgkey, v, e2, sizeof e2) != 0) {
            snprintf(err, errlen, "%s:%lu: %s", r->path, r->lineno, e2);
            return -1;
        }
        break;
    }
    }
    im->hdr[im->nhdr].key = k;
    snprintf(im->hdr[im->nhdr].val, sizeof im->hdr[im->nhdr].val, "%s", v);
    im->hdr[im->nhdr].line = r->lineno;
    im->nhdr++;
    return 0;
}

int image_load_text(image_t *im, const char *path, char *err, size_t errlen)
{
    if (im->text_path || im->snapshot) {
        snprintf(err, errlen, "%s: only one text image can be loaded (and not with a snapshot)", path);
        return -1;
    }
    lr_t *r = malloc(sizeof *r);
    if (!r || !(im->text_path = strdup(strcmp(path, "-") ? path : "<stdin>"))) {
        free(r);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    if (lr_open(r, path, err, errlen) != 0) {
        free(r);
        return -1;
    }
    r->path = im->text_path;
    int rc = -1, seen_entry = 0;
    char *line;
    int k;
    char b1[32];
    while ((k = lr_next(r, &line, err, errlen)) == 1) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *w[4];
        int nw = split(line, w, 3);
        if (nw == 0)
            continue;
        /* a header key, or an entry */
        int key = -1;
        for (size_t i = 0; i < NHKEYS; i++)
            if (!strcmp(w[0], hkeys[i].name))
                key = (int)i;
        if (key >= 0) {
            if (header_line(im, r, key, w, nw, seen_entry, err, errlen) != 0)
                goto out;
            continue;
        }
        if (!all_hex(w[0]) && !(w[0][0] >= '0' && w[0][0] <= '9')) {
            snprintf(err, errlen,
                     "%s:%lu: unknown header key '%s' (cr3, cr0.wp, cr4.smep, cr4.smap, cr4.pcide, cr4.pge, "
                     "efer.nxe, rflags.ac, maxphyaddr, cpuid.page1gb)",
                     r->path, r->lineno, shown(w[0], b1, sizeof b1));
            goto out;
        }
        uint64_t a, v;
        int prc = parse_hex(w[0], &a);
        if (prc != 0) {
            snprintf(err, errlen, "%s:%lu: %s '%s'", r->path, r->lineno,
                     prc == -2 ? "address above 2^64-1" : "bad address", shown(w[0], b1, sizeof b1));
            goto out;
        }
        if (a & 7) {
            snprintf(err, errlen, "%s:%lu: address 0x%" PRIx64 " is not 8-byte aligned", r->path, r->lineno, a);
            goto out;
        }
        if (a >= PA_LIMIT) {
            snprintf(err, errlen, "%s:%lu: address 0x%" PRIx64 " is above the 52-bit physical address space", r->path,
                     r->lineno, a);
            goto out;
        }
        if (nw < 2) {
            snprintf(err, errlen, "%s:%lu: missing value after the address (expected 'ADDRESS VALUE')", r->path,
                     r->lineno);
            goto out;
        }
        if (nw > 2) {
            snprintf(err, errlen, "%s:%lu: trailing junk '%s'", r->path, r->lineno, shown(w[2], b1, sizeof b1));
            goto out;
        }
        prc = parse_hex(w[1], &v);
        if (prc != 0) {
            snprintf(err, errlen, "%s:%lu: %s '%s'", r->path, r->lineno, prc == -2 ? "value above 2^64-1" : "bad value",
                     shown(w[1], b1, sizeof b1));
            goto out;
        }
        if (bit_get(im->given, a >> 3)) {
            snprintf(err, errlen, "%s:%lu: entry 0x%" PRIx64 " given twice", r->path, r->lineno, a);
            goto out;
        }
        if (bit_set(im->given, a >> 3) != 0 || pmem_write64(im->mem, a, v) != 0) {
            snprintf(err, errlen, "%s: out of memory", r->path);
            goto out;
        }
        seen_entry = 1;
    }
    if (k == 0)
        rc = 0;
out:
    lr_close(r);
    free(r);
    return rc;
}

int image_apply_header(const image_t *im, sim_config_t *cfg, char *err, size_t errlen)
{
    for (int i = 0; i < im->nhdr; i++) {
        const char *key = hkeys[im->hdr[i].key].cfgkey;
        if (!key)
            continue;
        char e2[256];
        if (cfg_set(cfg, key, im->hdr[i].val, e2, sizeof e2) != 0) {
            snprintf(err, errlen, "%s:%lu: %s", im->text_path, im->hdr[i].line, e2);
            return -1;
        }
    }
    return 0;
}

/* -------------------------------------------------------------- raw images */

int image_add_raw(image_t *im, const char *path, uint64_t base, char *err, size_t errlen)
{
    if (im->snapshot) {
        snprintf(err, errlen, "%s: raw images and a snapshot exclude each other", path);
        return -1;
    }
    if (base & 7) {
        snprintf(err, errlen, "%s: base 0x%" PRIx64 " is not 8-byte aligned", path, base);
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file (a raw image is read at random offsets)", path);
        close(fd);
        return -1;
    }
    uint64_t size = (uint64_t)sb.st_size;
    unsigned char mg[6] = {0};
    ssize_t got = pread(fd, mg, sizeof mg, 0);
    size_t pl = strlen(path);
    int zname = (pl > 3 && (!strcmp(path + pl - 3, ".gz") || !strcmp(path + pl - 3, ".xz"))) ||
                (pl > 4 && !strcmp(path + pl - 4, ".zst"));
    int zmagic = got >= 4 && ((mg[0] == 0x1f && mg[1] == 0x8b) || (mg[0] == 0x28 && mg[1] == 0xb5 && mg[2] == 0x2f &&
                                                                    mg[3] == 0xfd) ||
                              (got == 6 && !memcmp(mg, "\xfd" "7zXZ\0", 6)));
    const char *why = NULL;
    char wb[160];
    if (size == 0)
        why = "empty file";
    else if (size & 7)
        why = (snprintf(wb, sizeof wb, "size %" PRIu64 " is not a multiple of 8 bytes (a truncated dump?)", size), wb);
    else if (base >= PA_LIMIT || size > PA_LIMIT - base)
        why = (snprintf(wb, sizeof wb, "0x%" PRIx64 " + %" PRIu64 " bytes goes beyond the 52-bit physical address space",
                        base, size),
               wb);
    else if (zname && zmagic)
        why = "compressed; decompress it first (a raw image is read at random offsets)";
    if (why) {
        snprintf(err, errlen, "%s: %s", path, why);
        close(fd);
        return -1;
    }
    for (size_t i = 0; i < im->nraw; i++) {
        const raw_t *o = &im->raw[i];
        if (base < o->base + o->size && o->base < base + size) {
            snprintf(err, errlen, "%s: [0x%" PRIx64 ", 0x%" PRIx64 ") overlaps %s [0x%" PRIx64 ", 0x%" PRIx64 ")", path,
                     base, base + size, o->path, o->base, o->base + o->size);
            close(fd);
            return -1;
        }
    }
    raw_t *nr = realloc(im->raw, (im->nraw + 1) * sizeof *nr);
    char *p = strdup(path);
    if (!nr || !p) {
        if (nr)
            im->raw = nr;
        free(p);
        close(fd);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    im->raw = nr;
    im->raw[im->nraw++] = (raw_t){p, fd, base, size};
    return 0;
}

int image_add_raw_arg(image_t *im, const char *arg, char *err, size_t errlen)
{
    const char *at = strrchr(arg, '@');
    char b1[32];
    if (!at || at == arg || !at[1]) {
        snprintf(err, errlen, "--image-raw: expected FILE@BASE (BASE hexadecimal), got '%s'", arg);
        return -1;
    }
    uint64_t base;
    if (parse_hex(at + 1, &base) != 0) {
        snprintf(err, errlen, "--image-raw: bad base address '%s' (hexadecimal)", shown(at + 1, b1, sizeof b1));
        return -1;
    }
    size_t n = (size_t)(at - arg);
    char *path = malloc(n + 1);
    if (!path) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(path, arg, n);
    path[n] = 0;
    int rc = image_add_raw(im, path, base, err, errlen);
    free(path);
    return rc;
}

/* Read the 4 KiB page at pa from the raw images into mem, once; words the
 * text image gave are kept. Bytes outside every range stay zero. */
static int load_page(image_t *im, pmem_t *mem, uint64_t pa, char *err, size_t errlen)
{
    uint64_t fn = pa >> 12;
    if (bit_get(im->loaded, fn))
        return 0;
    if (bit_set(im->loaded, fn) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    uint64_t lo = fn << 12, hi = lo + 4096;
    unsigned char buf[4096];
    int any = 0;
    for (size_t i = 0; i < im->nraw; i++) {
        const raw_t *r = &im->raw[i];
        uint64_t a = lo > r->base ? lo : r->base;
        uint64_t b = hi < r->base + r->size ? hi : r->base + r->size;
        if (a >= b)
            continue;
        size_t want = (size_t)(b - a), have = 0;
        while (have < want) {
            ssize_t k = pread(r->fd, buf + (a - lo) + have, want - have, (off_t)(a - r->base + have));
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0) {
                snprintf(err, errlen, "%s: %s at offset %" PRIu64, r->path,
                         k < 0 ? strerror(errno) : "file shorter than when it was opened", a - r->base + have);
                return -1;
            }
            have += (size_t)k;
        }
        for (uint64_t wa = a; wa < b; wa += 8) {
            const unsigned char *p = buf + (wa - lo);
            uint64_t v = 0;
            for (int j = 7; j >= 0; j--)
                v = v << 8 | p[j]; /* little-endian, as x86 memory */
            if (v && !bit_get(im->given, wa >> 3) && pmem_write64(mem, wa, v) != 0) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
        }
        any = 1;
    }
    if (any)
        im->raw_loaded++;
    return 0;
}

int image_prepare(void *ctx, pmem_t *mem, uint64_t cr3, uint64_t va, char *err, size_t errlen)
{
    image_t *im = ctx;
    /* the walker's path (SDM 4.5): the same table addresses, masked with
     * MAXPHYADDR; loading more than it reads would be harmless, less is not */
    uint64_t table = cr3 & im->amask;
    for (unsigned l = 4; l >= 1; l--) {
        if (load_page(im, mem, table, err, errlen) != 0)
            return -1;
        uint64_t e = pmem_read64(mem, table + (((va >> (12 + 9 * (l - 1))) & 511) << 3));
        if (!(e & PTE_P) || l == 1 || (l < 4 && (e & PTE_PS)))
            break;
        table = e & im->amask;
    }
    return 0;
}

void image_opts(image_t *im, uint64_t cr3, unsigned maxphyaddr, sim_opts_t *o)
{
    im->amask = pg_addr_mask(maxphyaddr);
    o->mem = im->mem;
    o->cr3 = cr3;
    o->prepare = im->nraw ? image_prepare : NULL;
    o->prepare_ctx = im->nraw ? im : NULL;
}

/* ------------------------------------------------------------ snapshots */

static int parse_size(const char *s, unsigned *ps)
{
    if (!strcmp(s, "4k"))
        *ps = MMU_PS_4K;
    else if (!strcmp(s, "2m"))
        *ps = MMU_PS_2M;
    else if (!strcmp(s, "1g"))
        *ps = MMU_PS_1G;
    else
        return -1;
    return 0;
}

static int snap_line(image_t *im, const lr_t *r, char *line, unsigned maxphyaddr, char *err, size_t errlen)
{
    char b1[32];
    char *w[7];
    int nw = split(line, w, 6);
    if (nw == 0)
        return 0;
    if (nw < 5) {
        snprintf(err, errlen, "%s:%lu: expected 'VA PA LENGTH PAGE PERMS [KIND [NAME]]', got %d field%s", r->path,
                 r->lineno, nw, nw == 1 ? "" : "s");
        return -1;
    }
    static const char *const fname[3] = {"virtual address", "physical address", "length"};
    uint64_t v[3];
    for (int i = 0; i < 3; i++) {
        int rc = parse_hex(w[i], &v[i]);
        if (rc != 0) {
            snprintf(err, errlen, "%s:%lu: bad %s '%s'%s", r->path, r->lineno, fname[i], shown(w[i], b1, sizeof b1),
                     rc == -2 ? " (above 2^64-1)" : " (hexadecimal)");
            return -1;
        }
    }
    uint64_t va = v[0], pa = v[1], len = v[2];
    unsigned ps;
    if (parse_size(w[3], &ps) != 0) {
        snprintf(err, errlen, "%s:%lu: bad page size '%s' (4k, 2m, 1g)", r->path, r->lineno, shown(w[3], b1, sizeof b1));
        return -1;
    }
    const char *pm = w[4];
    if (strlen(pm) != 4 || (pm[0] != 'r' && pm[0] != '-') || (pm[1] != 'w' && pm[1] != '-') ||
        (pm[2] != 'x' && pm[2] != '-') || (pm[3] != 'p' && pm[3] != 's')) {
        snprintf(err, errlen, "%s:%lu: bad permissions '%s' (as in /proc/PID/maps: [r-][w-][x-][ps])", r->path,
                 r->lineno, shown(pm, b1, sizeof b1));
        return -1;
    }
    if (nw >= 6 && strcmp(w[5], "anon") && strcmp(w[5], "file") && strcmp(w[5], "thp") && strcmp(w[5], "hugetlb")) {
        snprintf(err, errlen, "%s:%lu: unknown kind '%s' (anon, file, thp, hugetlb)", r->path, r->lineno,
                 shown(w[5], b1, sizeof b1));
        return -1;
    }
    uint64_t size = 1ull << mmu_ps_shift(ps);
    if (len == 0 || (len & (size - 1))) {
        snprintf(err, errlen, "%s:%lu: length 0x%" PRIx64 " is not a non-zero multiple of the page size %s", r->path,
                 r->lineno, len, w[3]);
        return -1;
    }
    if ((va & (size - 1)) || (pa & (size - 1))) {
        snprintf(err, errlen, "%s:%lu: %s 0x%" PRIx64 " is not aligned to the page size %s", r->path, r->lineno,
                 (va & (size - 1)) ? "virtual address" : "physical address", (va & (size - 1)) ? va : pa, w[3]);
        return -1;
    }
    uint64_t vlast = va + (len - 1);
    if (vlast < va || !pg_canonical(va) || !pg_canonical(vlast) || (va >> 63) != (vlast >> 63)) {
        snprintf(err, errlen, "%s:%lu: [0x%" PRIx64 ", +0x%" PRIx64 ") is not canonical", r->path, r->lineno, va, len);
        return -1;
    }
    uint64_t plast = pa + (len - 1);
    if (plast < pa || (plast >> maxphyaddr)) {
        unsigned need = 64;
        while (need > 1 && !(plast >> (need - 1)))
            need--;
        if (plast < pa || need > 52)
            snprintf(err, errlen, "%s:%lu: frame 0x%" PRIx64 " + 0x%" PRIx64 " goes beyond 52 physical address bits",
                     r->path, r->lineno, pa, len);
        else
            snprintf(err, errlen,
                     "%s:%lu: frame 0x%" PRIx64 " + 0x%" PRIx64 " is above MAXPHYADDR %u (2^%u bytes); it needs "
                     "--set maxphyaddr=%u or more",
                     r->path, r->lineno, pa, len, maxphyaddr, maxphyaddr, need < 32 ? 32 : need);
        return -1;
    }
    im->snap_ranges++;
    if (pm[0] == '-' && pm[1] == '-' && pm[2] == '-')
        return 0; /* no access: not present to the MMU */
    uint64_t flags = PT_U | (pm[1] == 'w' ? PT_W : 0) | (pm[2] == 'x' ? 0 : PT_NX);
    uint64_t root = im->cr3;
    for (uint64_t off = 0; off < len; off += size) {
        uint64_t pa0, a = va + off;
        unsigned ps0;
        char e2[200];
        if (pt_translate(im->pt, root, a, &pa0, &ps0)) {
            snprintf(err, errlen, "%s:%lu: virtual address 0x%" PRIx64 " is already mapped (ranges overlap)", r->path,
                     r->lineno, a);
            return -1;
        }
        if (pt_map(im->pt, root, a, pa + off, ps, flags, e2, sizeof e2) != 0) {
            snprintf(err, errlen, "%s:%lu: %s%s", r->path, r->lineno, e2,
                     strstr(e2, "already mapped") ? " (ranges overlap)" : "");
            return -1;
        }
        im->snap_pages[ps]++;
    }
    return 0;
}

int image_load_snapshot(image_t *im, const char *path, unsigned maxphyaddr, uint64_t seed, char *err, size_t errlen)
{
    if (im->snapshot || im->text_path || im->nraw) {
        snprintf(err, errlen, "%s: a snapshot cannot be combined with another snapshot or image", path);
        return -1;
    }
    im->snapshot = 1;
    im->pt = pt_create(im->mem, maxphyaddr, seed);
    if (!im->pt || !(im->cr3 = pt_new_root(im->pt))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    im->have_cr3 = 1;
    lr_t *r = malloc(sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (lr_open(r, path, err, errlen) != 0) {
        free(r);
        return -1;
    }
    if (!strcmp(path, "-"))
        r->path = "<stdin>";
    int k, rc = 0;
    char *line;
    while ((k = lr_next(r, &line, err, errlen)) == 1) {
        const char *s = line;
        while (is_blank(*s))
            s++;
        if (*s == '#' || !*s)
            continue;
        if (snap_line(im, r, line, maxphyaddr, err, errlen) != 0) {
            rc = -1;
            break;
        }
    }
    if (k < 0)
        rc = -1;
    lr_close(r);
    free(r);
    return rc;
}
