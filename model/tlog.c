/* tlog.c - the per-translation log (docs/log.md). */
#include "tlog.h"

#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define TLOG_BUF (256u * 1024u)

struct tlog {
    char *path;
    FILE *f;
    int is_stdout;
    tlog_z_t z;
    char *buf; /* text not yet compressed/written */
    size_t n;
    unsigned char *zbuf; /* compressed bytes */
    z_stream gz;
    ZSTD_CCtx *zc;
    lzma_stream xz;
    int zinit;
    uint64_t lines;
    char err[512];
};

tlog_z_t tlog_z_from_name(const char *path)
{
    size_t n = strlen(path);
    if (n > 3 && !strcmp(path + n - 3, ".gz"))
        return TLOG_Z_GZIP;
    if (n > 4 && !strcmp(path + n - 4, ".zst"))
        return TLOG_Z_ZSTD;
    if (n > 3 && !strcmp(path + n - 3, ".xz"))
        return TLOG_Z_XZ;
    return TLOG_Z_NONE;
}

static const char *shown(const tlog_t *l) { return l->is_stdout ? "<stdout>" : l->path; }

static void set_err(tlog_t *l, const char *what)
{
    if (!l->err[0])
        snprintf(l->err, sizeof l->err, "%s: %s", shown(l), what);
}

static void put_raw(tlog_t *l, const void *p, size_t n)
{
    if (l->err[0] || n == 0)
        return;
    if (fwrite(p, 1, n, l->f) != n)
        set_err(l, errno ? strerror(errno) : "write error");
}

/* Push the text buffer through the compressor; finish the stream when end. */
static void drain(tlog_t *l, int end)
{
    if (l->err[0]) {
        l->n = 0;
        return;
    }
    if (!end && l->n == 0)
        return;
    switch (l->z) {
    case TLOG_Z_NONE:
        put_raw(l, l->buf, l->n);
        break;
    case TLOG_Z_GZIP: {
        l->gz.next_in = (Bytef *)l->buf;
        l->gz.avail_in = (uInt)l->n;
        int flush = end ? Z_FINISH : Z_NO_FLUSH;
        for (;;) {
            l->gz.next_out = l->zbuf;
            l->gz.avail_out = TLOG_BUF;
            int r = deflate(&l->gz, flush);
            if (r == Z_STREAM_ERROR) {
                set_err(l, "gzip compression failed");
                break;
            }
            put_raw(l, l->zbuf, TLOG_BUF - l->gz.avail_out);
            if (end ? r == Z_STREAM_END : l->gz.avail_in == 0)
                break;
        }
        break;
    }
    case TLOG_Z_ZSTD: {
        ZSTD_inBuffer in = {l->buf, l->n, 0};
        for (;;) {
            ZSTD_outBuffer out = {l->zbuf, TLOG_BUF, 0};
            size_t r = ZSTD_compressStream2(l->zc, &out, &in, end ? ZSTD_e_end : ZSTD_e_continue);
            if (ZSTD_isError(r)) {
                set_err(l, ZSTD_getErrorName(r));
                break;
            }
            put_raw(l, l->zbuf, out.pos);
            if (end ? r == 0 : in.pos == in.size)
                break;
        }
        break;
    }
    case TLOG_Z_XZ: {
        l->xz.next_in = (const uint8_t *)l->buf;
        l->xz.avail_in = l->n;
        for (;;) {
            l->xz.next_out = l->zbuf;
            l->xz.avail_out = TLOG_BUF;
            lzma_ret r = lzma_code(&l->xz, end ? LZMA_FINISH : LZMA_RUN);
            if (r != LZMA_OK && r != LZMA_STREAM_END) {
                set_err(l, "xz compression failed");
                break;
            }
            put_raw(l, l->zbuf, TLOG_BUF - l->xz.avail_out);
            if (end ? r == LZMA_STREAM_END : l->xz.avail_in == 0)
                break;
        }
        break;
    }
    }
    l->n = 0;
}

static void put(tlog_t *l, const char *s, size_t n)
{
    if (l->n + n > TLOG_BUF)
        drain(l, 0);
    memcpy(l->buf + l->n, s, n);
    l->n += n;
}

static void free_log(tlog_t *l)
{
    if (l->zinit) {
        if (l->z == TLOG_Z_GZIP)
            deflateEnd(&l->gz);
        else if (l->z == TLOG_Z_XZ)
            lzma_end(&l->xz);
    }
    ZSTD_freeCCtx(l->zc);
    free(l->zbuf);
    free(l->buf);
    free(l->path);
    free(l);
}

int tlog_open(tlog_t **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    tlog_t *l = calloc(1, sizeof *l);
    if (!l || !(l->path = strdup(path)) || !(l->buf = malloc(TLOG_BUF))) {
        snprintf(err, errlen, "%s: out of memory", path);
        if (l)
            free_log(l);
        return -1;
    }
    l->is_stdout = !strcmp(path, "-");
    l->z = l->is_stdout ? TLOG_Z_NONE : tlog_z_from_name(path);
    if (l->z != TLOG_Z_NONE && !(l->zbuf = malloc(TLOG_BUF))) {
        snprintf(err, errlen, "%s: out of memory", path);
        free_log(l);
        return -1;
    }
    int zok = 1;
    switch (l->z) {
    case TLOG_Z_NONE: break;
    case TLOG_Z_GZIP:
        /* windowBits 15+16: a gzip wrapper with mtime 0, so the bytes are reproducible */
        zok = deflateInit2(&l->gz, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
        break;
    case TLOG_Z_ZSTD:
        l->zc = ZSTD_createCCtx();
        zok = l->zc && !ZSTD_isError(ZSTD_CCtx_setParameter(l->zc, ZSTD_c_compressionLevel, 3)) &&
              !ZSTD_isError(ZSTD_CCtx_setParameter(l->zc, ZSTD_c_checksumFlag, 1));
        break;
    case TLOG_Z_XZ: {
        lzma_stream init = LZMA_STREAM_INIT;
        l->xz = init;
        zok = lzma_easy_encoder(&l->xz, 3, LZMA_CHECK_CRC64) == LZMA_OK;
        break;
    }
    }
    l->zinit = zok && l->z != TLOG_Z_NONE && l->z != TLOG_Z_ZSTD;
    if (!zok) {
        snprintf(err, errlen, "%s: cannot set up the compressor", path);
        free_log(l);
        return -1;
    }
    if (l->is_stdout) {
        l->f = stdout;
    } else if (!(l->f = fopen(path, "wb"))) {
        snprintf(err, errlen, "%s: cannot write the log: %s", path, strerror(errno));
        free_log(l);
        return -1;
    }
    static const char hdr[] =
        "#mmulog v2\n#seq issue done va kind priv pa size src reads writes fault err pcid level rights\n";
    put(l, hdr, sizeof hdr - 1);
    *out = l;
    return 0;
}

/* ------------------------------------------------------------ formatting */

static char *put_dec(char *p, uint64_t v)
{
    char t[24];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = t[--n];
    return p;
}

static char *put_hex(char *p, uint64_t v)
{
    static const char dig[] = "0123456789abcdef";
    *p++ = '0';
    *p++ = 'x';
    int s = 60;
    while (s > 0 && !((v >> s) & 15))
        s -= 4;
    for (; s >= 0; s -= 4)
        *p++ = dig[(v >> s) & 15];
    return p;
}

static char *put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

const char *tlog_fault_name(uint8_t fault, uint8_t cause)
{
    static const char *const names[MMU_CAUSE_COUNT] = {"-", "np", "rsvd", "write", "user", "nx", "smep", "smap", "gp"};
    if (fault == MMU_FAULT_NONE)
        return "-";
    if (fault == MMU_FAULT_GP)
        return "gp";
    return cause < MMU_CAUSE_COUNT ? names[cause] : "?";
}

size_t tlog_format(char *buf, size_t n, const mmu_out_t *o, const mmu_rsp_info_t *info)
{
    char t[TLOG_LINE_MAX];
    char *p = t;
    static const char kinds[] = "RWX?";
    static const char *const sizes[4] = {"4k", "2m", "1g", "-"};
    static const char *const pwcs[4] = {"walk", "walk:pml4e", "walk:pdpte", "walk:pde"};
    p = put_dec(p, info->seq);
    *p++ = ' ';
    p = put_dec(p, info->cycle_accept);
    *p++ = ' ';
    p = put_dec(p, info->cycle_rsp);
    *p++ = ' ';
    p = put_hex(p, info->va);
    *p++ = ' ';
    *p++ = kinds[info->acc < 3 ? info->acc : 3];
    *p++ = ' ';
    *p++ = info->implicit ? 'I' : info->user ? 'U' : 'S';
    *p++ = ' ';
    if (o->rsp_fault)
        *p++ = '-';
    else
        p = put_hex(p, o->rsp_paddr);
    *p++ = ' ';
    p = put_str(p, sizes[o->rsp_size & 3]);
    *p++ = ' ';
    const char *src = o->rsp_src == MMU_SRC_L1     ? "l1"
                      : o->rsp_src == MMU_SRC_STLB ? "stlb"
                      : o->rsp_src == MMU_SRC_WALK ? (info->joined ? "join" : pwcs[o->rsp_pwc & 3])
                                                   : "-";
    p = put_str(p, src);
    *p++ = ' ';
    int any = 0;
    for (int lv = 4; lv >= 1; lv--) {
        if (!(info->read_mask >> lv & 1))
            continue;
        if (any++)
            *p++ = ',';
        *p++ = (char)('0' + lv);
        *p++ = ':';
        p = put_hex(p, info->pte_addr[lv]);
        *p++ = '=';
        p = put_hex(p, info->pte[lv]);
    }
    if (!any)
        *p++ = '-';
    *p++ = ' ';
    unsigned nw = info->mem_writes < 4 ? info->mem_writes : 4;
    for (unsigned i = 0; i < nw; i++) {
        if (i)
            *p++ = ',';
        p = put_hex(p, info->wr_addr[i]);
        *p++ = '=';
        p = put_hex(p, info->wr_data[i]);
    }
    if (!nw)
        *p++ = '-';
    *p++ = ' ';
    p = put_str(p, tlog_fault_name(o->rsp_fault, o->rsp_cause));
    *p++ = ' ';
    if (o->rsp_fault) {
        static const char dig[] = "0123456789abcdef";
        *p++ = '0';
        *p++ = 'x';
        *p++ = dig[(o->rsp_err >> 4) & 15];
        *p++ = dig[o->rsp_err & 15];
    } else {
        *p++ = '-';
    }
    *p++ = ' ';
    p = put_dec(p, info->pcid);
    *p++ = ' ';
    /* version 2: the level of the entry that faulted (#PF), the combined rights of the leaf */
    if (o->rsp_fault == MMU_FAULT_PF && info->fault_level >= 1 && info->fault_level <= 4)
        *p++ = (char)('0' + info->fault_level);
    else
        *p++ = '-';
    *p++ = ' ';
    if (o->rsp_size < MMU_PS_COUNT) {
        *p++ = (info->rights & MMU_RIGHT_RW) ? 'w' : '-';
        *p++ = (info->rights & MMU_RIGHT_US) ? 'u' : '-';
        *p++ = (info->rights & MMU_RIGHT_XD) ? '-' : 'x';
    } else {
        *p++ = '-';
    }
    *p++ = '\n';
    size_t len = (size_t)(p - t);
    if (len > n)
        return 0;
    memcpy(buf, t, len);
    return len;
}

void tlog_write(tlog_t *l, const mmu_out_t *o, const mmu_rsp_info_t *info)
{
    if (l->err[0])
        return;
    char line[TLOG_LINE_MAX];
    size_t len = tlog_format(line, sizeof line, o, info);
    put(l, line, len);
    l->lines++;
}

void tlog_on_rsp(void *ctx, const mmu_out_t *o, const mmu_rsp_info_t *info) { tlog_write(ctx, o, info); }

uint64_t tlog_lines(const tlog_t *l) { return l->lines; }

int tlog_close(tlog_t *l, int complete, char *err, size_t errlen)
{
    if (!l)
        return 0;
    if (complete) {
        char t[64];
        char *p = put_str(t, "#end ");
        p = put_dec(p, l->lines);
        p = put_str(p, " translations\n");
        put(l, t, (size_t)(p - t));
    }
    drain(l, 1);
    if (!l->err[0] && fflush(l->f) != 0)
        set_err(l, strerror(errno));
    if (!l->is_stdout && fclose(l->f) != 0)
        set_err(l, strerror(errno));
    int rc = l->err[0] ? -1 : 0;
    if (rc)
        snprintf(err, errlen, "%s", l->err);
    free_log(l);
    return rc;
}
