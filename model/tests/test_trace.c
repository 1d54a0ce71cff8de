/* test_trace.c - unit tests of the trace readers and writers (trace.h).
 *
 * Every expected record and message is written out by hand; the compressed
 * inputs are made here with the libraries' one-shot encoders, independent of
 * the writer under test. Temporary files live in a mkdtemp() directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "trace.h"

#ifndef MMU_SOURCE_DIR
#error "MMU_SOURCE_DIR must be defined (the repository root)"
#endif

#define CHECK_STREQ(a, b)                                                                         \
    do {                                                                                          \
        const char *check_sa_ = (a), *check_sb_ = (b);                                            \
        if (strcmp(check_sa_, check_sb_) == 0) {                                                  \
            check_pass_++;                                                                        \
        } else {                                                                                  \
            check_fail_++;                                                                        \
            fprintf(stderr, "%s:%d: CHECK_STREQ failed: %s == %s:\n  got  \"%s\"\n  want \"%s\"\n", \
                    __FILE__, __LINE__, #a, #b, check_sa_, check_sb_);                            \
        }                                                                                         \
    } while (0)

static char g_dir[64];

/* A path in the temporary directory (rotating static buffers). */
static const char *tpath(const char *name) {
    static char bufs[8][256];
    static int i;
    char *p = bufs[i++ & 7];
    snprintf(p, 256, "%s/%s", g_dir, name);
    return p;
}

/* printf into rotating static buffers, for expected messages. */
static const char *fmt(const char *f, ...) {
    static char bufs[8][800];
    static int i;
    char *p = bufs[i++ & 7];
    va_list ap;
    va_start(ap, f);
    vsnprintf(p, 800, f, ap);
    va_end(ap);
    return p;
}

static void put_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        exit(2);
    }
}

static void put_str(const char *path, const char *s) { put_file(path, s, strlen(s)); }

static unsigned char *get_file(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
        exit(2);
    }
    size_t cap = 1 << 16, len = 0;
    unsigned char *b = malloc(cap);
    size_t k;
    while (b && (k = fread(b + len, 1, cap - len, f)) > 0) {
        len += k;
        if (len == cap)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
    if (!b)
        exit(2);
    *n = len;
    return b;
}

/* Compresses with the libraries' one-shot encoders (not the writer). */
static unsigned char *zpack(trace_z_t z, const void *in, size_t n, size_t *outn) {
    size_t cap = n + n / 2 + 1024;
    unsigned char *out = malloc(cap);
    if (!out)
        exit(2);
    switch (z) {
    case TRACE_Z_GZIP: {
        z_stream s;
        memset(&s, 0, sizeof s);
        if (deflateInit2(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            exit(2);
        s.next_in = (unsigned char *)in;
        s.avail_in = (uInt)n;
        s.next_out = out;
        s.avail_out = (uInt)cap;
        if (deflate(&s, Z_FINISH) != Z_STREAM_END)
            exit(2);
        *outn = s.total_out;
        deflateEnd(&s);
        break;
    }
    case TRACE_Z_XZ: {
        size_t pos = 0;
        if (lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, in, n, out, &pos, cap) != LZMA_OK)
            exit(2);
        *outn = pos;
        break;
    }
    case TRACE_Z_ZSTD: { /* with a checksum, as the writer makes them */
        ZSTD_CCtx *cc = ZSTD_createCCtx();
        if (!cc || ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1)))
            exit(2);
        size_t r = ZSTD_compress2(cc, out, cap, in, n);
        ZSTD_freeCCtx(cc);
        if (ZSTD_isError(r))
            exit(2);
        *outn = r;
        break;
    }
    default:
        memcpy(out, in, n);
        *outn = n;
    }
    return out;
}

/* Reads path to the end. Returns the error message, "" after a clean end;
 * the records (up to max) go to recs, their number to *n. */
static const char *read_all(const char *path, trace_fmt_t f, trace_rec_t *recs, size_t max, size_t *n,
                            trace_fmt_t *fmt_out, trace_z_t *z_out) {
    static char msg[800];
    trace_reader_t *r;
    *n = 0;
    msg[0] = '\0';
    if (trace_open(&r, path, f, msg, sizeof msg) != 0) {
        if (!msg[0])
            snprintf(msg, sizeof msg, "(open failed without a message)");
        return msg;
    }
    if (fmt_out)
        *fmt_out = trace_format(r);
    if (z_out)
        *z_out = trace_compression(r);
    trace_rec_t rec;
    int k;
    while ((k = trace_next(r, &rec)) == 1) {
        if (recs && *n < max)
            recs[*n] = rec;
        ++*n;
    }
    if (k < 0) {
        snprintf(msg, sizeof msg, "%s", trace_error(r));
        if (!msg[0])
            snprintf(msg, sizeof msg, "(error without a message)");
        /* The error is sticky. */
        CHECK_EQ(trace_next(r, &rec), -1);
        CHECK_STREQ(trace_error(r), msg);
    } else {
        CHECK_EQ(k, 0);
        CHECK_EQ(trace_next(r, &rec), 0); /* the end is sticky too */
        CHECK_STREQ(trace_error(r), "");
    }
    trace_close(r);
    return msg;
}

/* The error message of reading a file holding content. */
static const char *err_of(const char *name, const char *content, trace_fmt_t f) {
    size_t n;
    const char *p = tpath(name);
    put_str(p, content);
    return read_all(p, f, NULL, 0, &n, NULL, NULL);
}

#define CHECK_REC(r, va, sz, k)              \
    do {                                     \
        CHECK_EQ((r).vaddr, (va));           \
        CHECK_EQ((r).size, (sz));            \
        CHECK_EQ((r).kind, (k));             \
    } while (0)

static uint64_t g_rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

static trace_rec_t rnd_rec(void) {
    uint64_t x = rnd();
    trace_rec_t r;
    memset(&r, 0, sizeof r);
    switch (x & 3) {
    case 0: r.vaddr = x >> 16; break;       /* 48-bit */
    case 1: r.vaddr = x >> 40; break;       /* small */
    case 2: r.vaddr = rnd(); break;         /* full 64-bit */
    default: r.vaddr = 0xfffff000u + (x >> 60); break;
    }
    r.size = (x >> 8) % 7 == 0 ? 4096 : 1u + (uint32_t)((x >> 12) % 64);
    r.kind = (uint8_t)((x >> 4) & 3);
    return r;
}

/* A random lackey access: canonical, not wrapping (valgrind never traces another). */
static trace_rec_t rnd_lackey_rec(void) {
    for (;;) {
        trace_rec_t r = rnd_rec();
        uint64_t last = r.vaddr + r.size - 1;
        if (last >= r.vaddr && (uint64_t)((int64_t)(r.vaddr << 16) >> 16) == r.vaddr &&
            (uint64_t)((int64_t)(last << 16) >> 16) == last)
            return r;
    }
}

static bool recs_equal(const trace_rec_t *a, const trace_rec_t *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (a[i].vaddr != b[i].vaddr || a[i].size != b[i].size || a[i].kind != b[i].kind || a[i].priv != b[i].priv ||
            a[i].ctl != b[i].ctl || a[i].arg != b[i].arg || a[i].pcid != b[i].pcid || a[i].value != b[i].value) {
            fprintf(stderr, "record %zu differs: %#llx/%u/%u vs %#llx/%u/%u\n", i + 1,
                    (unsigned long long)a[i].vaddr, a[i].size, a[i].kind, (unsigned long long)b[i].vaddr,
                    b[i].size, b[i].kind);
            return false;
        }
    return true;
}

static int write_recs(const char *path, trace_fmt_t f, trace_z_t z, const trace_rec_t *recs, size_t n) {
    char err[600];
    trace_writer_t *w;
    if (trace_wopen(&w, path, f, z, err, sizeof err) != 0) {
        fprintf(stderr, "trace_wopen: %s\n", err);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (trace_write(w, &recs[i]) != 0) {
            fprintf(stderr, "trace_write: %s\n", trace_werror(w));
            trace_wclose(w, NULL, 0);
            return -1;
        }
    if (trace_wclose(w, err, sizeof err) != 0) {
        fprintf(stderr, "trace_wclose: %s\n", err);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------- */

static void test_names(void) {
    CHECK_STREQ(trace_fmt_name(TRACE_FMT_AUTO), "auto");
    CHECK_STREQ(trace_fmt_name(TRACE_FMT_LACKEY), "lackey");
    CHECK_STREQ(trace_fmt_name(TRACE_FMT_TEXT), "text");
    CHECK_STREQ(trace_fmt_name(TRACE_FMT_BIN), "bin");
    CHECK_STREQ(trace_z_name(TRACE_Z_NONE), "none");
    CHECK_STREQ(trace_z_name(TRACE_Z_GZIP), "gzip");
    CHECK_STREQ(trace_z_name(TRACE_Z_XZ), "xz");
    CHECK_STREQ(trace_z_name(TRACE_Z_ZSTD), "zstd");
    trace_fmt_t f = TRACE_FMT_AUTO;
    trace_z_t z = TRACE_Z_NONE;
    CHECK_EQ(trace_fmt_from_name("lackey", &f), 0);
    CHECK_EQ(f, TRACE_FMT_LACKEY);
    CHECK_EQ(trace_fmt_from_name("bin", &f), 0);
    CHECK_EQ(f, TRACE_FMT_BIN);
    CHECK_EQ(trace_fmt_from_name("binary", &f), -1);
    CHECK_EQ(trace_fmt_from_name(NULL, &f), -1);
    CHECK_EQ(trace_z_from_name("zstd", &z), 0);
    CHECK_EQ(z, TRACE_Z_ZSTD);
    CHECK_EQ(trace_z_from_name("bzip2", &z), -1);
}

static void test_null_and_open_errors(void) {
    trace_close(NULL);
    CHECK_EQ(trace_wclose(NULL, NULL, 0), 0);
    char err[600];
    trace_reader_t *r = (trace_reader_t *)&err; /* must be reset to NULL */
    const char *p = tpath("does-not-exist");
    CHECK_EQ(trace_open(&r, p, TRACE_FMT_AUTO, err, sizeof err), -1);
    CHECK(r == NULL);
    CHECK_STREQ(err, fmt("%s: No such file or directory", p));
    CHECK_EQ(trace_open(&r, g_dir, TRACE_FMT_AUTO, err, sizeof err), -1);
    CHECK_STREQ(err, fmt("%s: read error: Is a directory", g_dir));
    CHECK_EQ(trace_open(&r, p, (trace_fmt_t)7, err, sizeof err), -1);
    CHECK_STREQ(err, fmt("%s: trace_open: bad format 7", p));
    /* A NULL or empty error buffer is allowed. */
    CHECK_EQ(trace_open(&r, p, TRACE_FMT_AUTO, NULL, 0), -1);
}

static void test_text_good(void) {
    const char *p = tpath("good.txt");
    put_str(p, "#mmutrace text v1\n"
               "# a comment line\n"
               "\n"
               "R 0x7fff0000 8\n"
               "W 7FFF0008 4   # trailing comment\n"
               "X 0X401000\n"           /* size defaults to 1 */
               "   M\t0xdeadbeef\t2\n" /* leading blanks, tabs */
               "R 0xffffffffffffffff 4096\r\n"
               "\t \r\n"
               "W 00000000000000000000001 1#no blank before the comment\n"
               "R 0 1");               /* no final newline */
    trace_rec_t recs[16];
    size_t n;
    trace_fmt_t f;
    trace_z_t z;
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, recs, 16, &n, &f, &z), "");
    CHECK_EQ(f, TRACE_FMT_TEXT);
    CHECK_EQ(z, TRACE_Z_NONE);
    CHECK_EQ(n, 7);
    CHECK_REC(recs[0], 0x7fff0000u, 8, TR_READ);
    CHECK_REC(recs[1], 0x7fff0008u, 4, TR_WRITE);
    CHECK_REC(recs[2], 0x401000u, 1, TR_EXEC);
    CHECK_REC(recs[3], 0xdeadbeefu, 2, TR_MODIFY);
    CHECK_REC(recs[4], UINT64_MAX, 4096, TR_READ);
    CHECK_REC(recs[5], 1, 1, TR_WRITE);
    CHECK_REC(recs[6], 0, 1, TR_READ);
    /* Explicit format: same result. */
    CHECK_STREQ(read_all(p, TRACE_FMT_TEXT, recs, 16, &n, &f, &z), "");
    CHECK_EQ(n, 7);
    CHECK_EQ(f, TRACE_FMT_TEXT);
}

static void test_lackey_good(void) {
    const char *p = tpath("good.lackey");
    put_str(p, "==4242== Lackey, an example Valgrind tool\n"
               "==4242== Command: ./a.out\n"
               "==4242== \n"
               "\n"
               "I  04014f0,2\n"
               " L 1fff000630,8\n"
               " S 1fff000628,16\n"
               " M 004a62e0,4\n"
               "I  ffffffffffff0000,15\r\n"
               "==4242== Exit code:       0\n"
               " L 00000000,4096");
    trace_rec_t recs[16];
    size_t n;
    trace_fmt_t f;
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, recs, 16, &n, &f, NULL), "");
    CHECK_EQ(f, TRACE_FMT_LACKEY);
    CHECK_EQ(n, 6);
    CHECK_REC(recs[0], 0x4014f0u, 2, TR_EXEC);
    CHECK_REC(recs[1], 0x1fff000630ull, 8, TR_READ);
    CHECK_REC(recs[2], 0x1fff000628ull, 16, TR_WRITE);
    CHECK_REC(recs[3], 0x4a62e0u, 4, TR_MODIFY);
    CHECK_REC(recs[4], 0xffffffffffff0000ull, 15, TR_EXEC);
    CHECK_REC(recs[5], 0, 4096, TR_READ);
    CHECK_STREQ(read_all(p, TRACE_FMT_LACKEY, recs, 16, &n, &f, NULL), "");
    CHECK_EQ(n, 6);
}

static void test_text_errors(void) {
    static const struct {
        const char *content, *want; /* want: after "PATH:" */
    } cases[] = {
        {"Q 1000 8\n", "1: unknown kind 'Q' (expected R, W, X, M or a control record: CR3, INVLPG, INVPCID, WP, PCIDE, SMEP, SMAP, PGE, NXE, AC, PAGE1GB)"},
        {"R 1 1\n# c\nr 1000 8\n", "3: unknown kind 'r' (expected R, W, X, M or a control record: CR3, INVLPG, INVPCID, WP, PCIDE, SMEP, SMAP, PGE, NXE, AC, PAGE1GB)"},
        {"RW 1000 8\n", "1: unknown kind 'RW' (expected R, W, X, M or a control record: CR3, INVLPG, INVPCID, WP, PCIDE, SMEP, SMAP, PGE, NXE, AC, PAGE1GB)"},
        {"R\n", "1: missing address"},
        {"R   # comment\n", "1: missing address"},
        {"R zz 8\n", "1: bad address 'zz'"},
        {"R 0x 8\n", "1: bad address '0x'"},
        {"R 0x# c\n", "1: bad address '0x#'"},
        {"R 10g0 8\n", "1: bad address '10g0'"},
        {"R 10000000000000000 8\n", "1: address 10000000000000000 above 2^64-1"},
        {"R 0x1ffffffffffffffff\n", "1: address 0x1ffffffffffffffff above 2^64-1"},
        {"W 1000 0\n", "1: size 0 (must be 1..4096)"},
        {"W 1000 4097\n", "1: size 4097 above 4096"},
        {"W 1000 99999999999\n", "1: size 99999999999 above 4096"},
        {"W 1000 -1\n", "1: bad size '-1'"},
        {"W 1000 8x\n", "1: bad size '8x'"},
        {"W 1000 0x8\n", "1: bad size '0x8'"},
        {"W 1000 8 9\n", "1: bad privilege '9' (expected u, s or i)"},
        {"W 1000 8 junk # c\n", "1: bad privilege 'junk' (expected u, s or i)"},
        {"W 1000 8 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
         "1: bad privilege 'aaaaaaaaaaaaaaaaaaaaaaaa...' (expected u, s or i)"},
        {"W 1000 8 u s\n", "1: trailing junk 's'"},
        /* version 1 (the version line) reads as before */
        {"#mmutrace text v1\nW 1000 8 9\n", "2: trailing junk '9'"},
        {"#mmutrace text v1\nW 1000 8 u\n", "2: trailing junk 'u'"},
        {"#mmutrace text v1\nQ 1000 8\n", "2: unknown kind 'Q' (expected R, W, X or M)"},
        {"X 10\x01 8\n", "1: bad address '10?'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *p = tpath("bad.txt");
        CHECK_STREQ(err_of("bad.txt", cases[i].content, TRACE_FMT_AUTO), fmt("%s:%s", p, cases[i].want));
        CHECK_STREQ(err_of("bad.txt", cases[i].content, TRACE_FMT_TEXT), fmt("%s:%s", p, cases[i].want));
    }
    /* A comma makes AUTO take a line for lackey; as text it is a bad address. */
    CHECK_STREQ(err_of("comma.txt", "R 1000,8\n", TRACE_FMT_TEXT), fmt("%s:1: bad address '1000,8'", tpath("comma.txt")));
    /* A NUL byte inside a line. */
    const char *p = tpath("nul.txt");
    put_file(p, "R 1 1\nR 10\0 8\n", 14);
    size_t n;
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, NULL, NULL), fmt("%s:2: bad address '10?'", p));
    CHECK_EQ(n, 1);
    /* A valgrind line in a text trace: reported whether it comes before the
     * first record (seen during detection) or after it. */
    CHECK_STREQ(err_of("eq.txt", "==12== x\nR 1 1\n", TRACE_FMT_AUTO),
                fmt("%s:1: unknown kind '==' (a valgrind line in an mmutrace text trace)", tpath("eq.txt")));
    CHECK_STREQ(err_of("eq.txt", "# c\n\n==12== x\nR 1 1\n", TRACE_FMT_AUTO),
                fmt("%s:3: unknown kind '==' (a valgrind line in an mmutrace text trace)", tpath("eq.txt")));
    CHECK_STREQ(err_of("eq.txt", "R 1 1\n==12== x\n", TRACE_FMT_AUTO),
                fmt("%s:2: unknown kind '==12==' (expected R, W, X, M or a control record: CR3, INVLPG, INVPCID, WP, PCIDE, SMEP, SMAP, PGE, NXE, AC, PAGE1GB)", tpath("eq.txt")));
    CHECK_STREQ(err_of("eq.txt", "==12== x\nR 1 1\n", TRACE_FMT_TEXT),
                fmt("%s:1: unknown kind '==12==' (expected R, W, X, M or a control record: CR3, INVLPG, INVPCID, WP, PCIDE, SMEP, SMAP, PGE, NXE, AC, PAGE1GB)", tpath("eq.txt")));
    /* A text trace read as lackey. */
    CHECK_STREQ(err_of("t.txt", "R 1000 8\n", TRACE_FMT_LACKEY),
                fmt("%s:1: malformed lackey line (expected 'I  ADDR,SIZE' or ' L|S|M ADDR,SIZE')", tpath("t.txt")));
}

static void test_lackey_errors(void) {
    static const char *bad_line = "malformed lackey line (expected 'I  ADDR,SIZE' or ' L|S|M ADDR,SIZE')";
    static const struct {
        const char *content, *want;
    } cases[] = {
        {"I 00401000,2\n", NULL},                  /* one space after I */
        {"I  1000,2\nL 1000,8\n", "2: "},           /* no leading space */
        {"I  1000,2\n X 1000,8\n", "2: "},          /* unknown kind */
        {"I  1000,2\n  L 1000,8\n", "2: "},         /* two leading spaces */
        {"I  1000,2\nhello, world\n", "2: "},
        {"I  1000,2\n L 1000\n", "2: malformed lackey line (bad address)"},
        {"I  1000,2\n L ,8\n", "2: malformed lackey line (bad address)"},
        {"I  1000,2\n L 0x1000,8\n", "2: malformed lackey line (bad address)"},
        {"I  1000,2\n L 1000,x\n", "2: malformed lackey line (bad size)"},
        {"I  1000,2\n L 1000,\n", "2: malformed lackey line (bad size)"},
        {"I  1000,2\n L 1000,8 junk\n", "2: malformed lackey line (trailing junk)"},
        {"I  1000,2\n L 1000,8,9\n", "2: malformed lackey line (trailing junk)"},
        {"I  1000,2\n L 1000,0\n", "2: malformed lackey line (size 0 not in 1..4096)"},
        {"I  1000,2\n L 1000,4097\n", "2: malformed lackey line (size 4097 not in 1..4096)"},
        {"I  1000,2\n L 10000000000000000,8\n", "2: malformed lackey line (address above 2^64-1)"},
        {"I  1000,2\n# comment\n", "2: malformed lackey line ('#' comment in a lackey trace)"},
        {"# comment\nI  1000,2\n", "1: malformed lackey line ('#' comment in a lackey trace)"},
        {"==1== x\n# comment\n", "2: malformed lackey line ('#' comment in a lackey trace)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *p = tpath("bad.lackey");
        const char *want = !cases[i].want ? fmt("%s:1: %s", p, bad_line)
                           : strcmp(cases[i].want, "2: ") == 0 ? fmt("%s:2: %s", p, bad_line)
                                                               : fmt("%s:%s", p, cases[i].want);
        CHECK_STREQ(err_of("bad.lackey", cases[i].content, TRACE_FMT_AUTO), want);
        if (cases[i].content[0] != '#' && cases[i].content[0] != '=')
            CHECK_STREQ(err_of("bad.lackey", cases[i].content, TRACE_FMT_LACKEY), want);
    }
    /* Explicit lackey: a '#' line anywhere is malformed. */
    CHECK_STREQ(err_of("c.lackey", "# c\nI  1000,2\n", TRACE_FMT_LACKEY),
                fmt("%s:1: malformed lackey line ('#' comment in a lackey trace)", tpath("c.lackey")));
}

static void test_overlong_lines(void) {
    /* 4096 bytes before the newline are allowed, 4097 are not. */
    char *big = malloc(3 * 8192);
    const char *p = tpath("long.txt");
    for (int len = 4095; len <= 4097; len++) {
        strcpy(big, "R 1 1\n");
        size_t o = strlen(big);
        memcpy(big + o, "W 2 2 #", 7);
        memset(big + o + 7, 'x', (size_t)len - 7);
        o += (size_t)len;
        strcpy(big + o, "\nX 3 3\n");
        put_str(p, big);
        size_t n;
        trace_rec_t recs[4];
        const char *e = read_all(p, TRACE_FMT_AUTO, recs, 4, &n, NULL, NULL);
        if (len <= 4096) {
            CHECK_STREQ(e, "");
            CHECK_EQ(n, 3);
        } else {
            CHECK_STREQ(e, fmt("%s:2: line longer than 4096 bytes", p));
            CHECK_EQ(n, 1);
        }
    }
    /* The first line too long: found while detecting the format, at open. */
    memset(big, ' ', 5000);
    strcpy(big + 5000, "R 1 1\n");
    put_str(p, big);
    size_t n;
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, NULL, NULL), fmt("%s:1: line longer than 4096 bytes", p));
    /* Lackey, and a file without any newline far longer than the buffer. */
    const char *q = tpath("long.lackey");
    strcpy(big, "I  1000,2\n L ");
    memset(big + 13, '0', 5000);
    strcpy(big + 5013, "1,8\n");
    put_str(q, big);
    CHECK_STREQ(read_all(q, TRACE_FMT_AUTO, NULL, 0, &n, NULL, NULL), fmt("%s:2: line longer than 4096 bytes", q));
    CHECK_EQ(n, 1);
    size_t hugelen = 3u << 20;
    char *huge = malloc(hugelen);
    memset(huge, 'R', hugelen);
    put_file(q, huge, hugelen);
    CHECK_STREQ(read_all(q, TRACE_FMT_TEXT, NULL, 0, &n, NULL, NULL), fmt("%s:1: line longer than 4096 bytes", q));
    CHECK_STREQ(read_all(q, TRACE_FMT_LACKEY, NULL, 0, &n, NULL, NULL), fmt("%s:1: line longer than 4096 bytes", q));
    free(huge);
    free(big);
}

/* The binary layout, byte by byte, and the text writer's exact output. */
static void test_writers_exact(void) {
    const trace_rec_t recs[3] = {
        {.vaddr = 0x00007fff00001000ull, .size = 8, .kind = TR_READ},
        {.vaddr = 0xffffffffffffffffull, .size = 4096, .kind = TR_MODIFY},
        {.vaddr = 0x0000000000401000ull, .size = 1, .kind = TR_EXEC},
    };
    static const unsigned char want_bin[8 + 3 * 16] = {
        'M', 'M', 'U', 'T', 'R', 'C', '0', '2',
        0x00, 0x10, 0x00, 0x00, 0xff, 0x7f, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x10, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
        0x00, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
    };
    const char *pb = tpath("exact.bin"), *pt = tpath("exact.txt");
    CHECK_EQ(write_recs(pb, TRACE_FMT_BIN, TRACE_Z_NONE, recs, 3), 0);
    size_t n;
    unsigned char *b = get_file(pb, &n);
    CHECK_EQ(n, sizeof want_bin);
    CHECK(n == sizeof want_bin && memcmp(b, want_bin, n) == 0);
    free(b);
    CHECK_EQ(write_recs(pt, TRACE_FMT_TEXT, TRACE_Z_NONE, recs, 3), 0);
    b = get_file(pt, &n);
    static const char want_txt[] = "#mmutrace text v2\n"
                                   "R 0x7fff00001000 8\n"
                                   "M 0xffffffffffffffff 4096\n"
                                   "X 0x401000 1\n";
    CHECK_EQ(n, sizeof want_txt - 1);
    CHECK(n == sizeof want_txt - 1 && memcmp(b, want_txt, n) == 0);
    free(b);
    /* And back. */
    trace_rec_t got[4];
    trace_fmt_t f;
    CHECK_STREQ(read_all(pb, TRACE_FMT_AUTO, got, 4, &n, &f, NULL), "");
    CHECK_EQ(n, 3);
    CHECK_EQ(f, TRACE_FMT_BIN);
    CHECK(recs_equal(got, recs, 3));
    CHECK_STREQ(read_all(pt, TRACE_FMT_AUTO, got, 4, &n, &f, NULL), "");
    CHECK_EQ(n, 3);
    CHECK_EQ(f, TRACE_FMT_TEXT);
    CHECK(recs_equal(got, recs, 3));
    /* Address 0 is written "0x0". */
    const trace_rec_t zero = {.vaddr = 0, .size = 1, .kind = TR_WRITE};
    CHECK_EQ(write_recs(pt, TRACE_FMT_TEXT, TRACE_Z_NONE, &zero, 1), 0);
    b = get_file(pt, &n);
    CHECK(n == 26 && memcmp(b, "#mmutrace text v2\nW 0x0 1\n", 26) == 0);
    free(b);
}

static void test_writer_errors(void) {
    char err[600];
    trace_writer_t *w = (trace_writer_t *)&err;
    const char *p = tpath("w.bin");
    CHECK_EQ(trace_wopen(&w, p, TRACE_FMT_LACKEY, TRACE_Z_NONE, err, sizeof err), -1);
    CHECK(w == NULL);
    CHECK_STREQ(err, fmt("%s: cannot write format 'lackey' (text or bin only)", p));
    CHECK_EQ(trace_wopen(&w, p, TRACE_FMT_AUTO, TRACE_Z_NONE, err, sizeof err), -1);
    CHECK_STREQ(err, fmt("%s: cannot write format 'auto' (text or bin only)", p));
    const char *nodir = tpath("no/such/dir.bin");
    CHECK_EQ(trace_wopen(&w, nodir, TRACE_FMT_BIN, TRACE_Z_GZIP, err, sizeof err), -1);
    CHECK_STREQ(err, fmt("%s: No such file or directory", nodir));

    CHECK_EQ(trace_wopen(&w, p, TRACE_FMT_BIN, TRACE_Z_NONE, err, sizeof err), 0);
    CHECK_STREQ(trace_werror(w), "");
    trace_rec_t ok = {.vaddr = 0x1000, .size = 8, .kind = TR_READ}, badk = {.vaddr = 0x1000, .size = 8, .kind = 5}, bads = {.vaddr = 0x1000, .size = 0, .kind = TR_READ};
    CHECK_EQ(trace_write(w, &ok), 0);
    CHECK_EQ(trace_write(w, &badk), -1);
    CHECK_STREQ(trace_werror(w), fmt("%s: record 2: bad kind 5", p));
    CHECK_EQ(trace_write(w, &ok), -1); /* sticky */
    CHECK_EQ(trace_wclose(w, err, sizeof err), -1);
    CHECK_STREQ(err, fmt("%s: record 2: bad kind 5", p));

    CHECK_EQ(trace_wopen(&w, p, TRACE_FMT_TEXT, TRACE_Z_ZSTD, err, sizeof err), 0);
    CHECK_EQ(trace_write(w, &bads), -1);
    CHECK_STREQ(trace_werror(w), fmt("%s: record 1: bad size 0 (must be 1..4096)", p));
    bads.size = 4097;
    CHECK_EQ(trace_wclose(w, NULL, 0), -1);
    CHECK_EQ(trace_wopen(&w, p, TRACE_FMT_TEXT, TRACE_Z_NONE, err, sizeof err), 0);
    CHECK_EQ(trace_write(w, &bads), -1);
    CHECK_STREQ(trace_werror(w), fmt("%s: record 1: bad size 4097 (must be 1..4096)", p));
    CHECK_EQ(trace_wclose(w, NULL, 0), -1);
}

static void put_bin(const char *p, const unsigned char *recs, size_t nbytes, const char *magic) {
    unsigned char *b = malloc(8 + nbytes);
    memcpy(b, magic, 8);
    memcpy(b + 8, recs, nbytes);
    put_file(p, b, 8 + nbytes);
    free(b);
}

static void test_bin_errors(void) {
    const char *p = tpath("bad.bin");
    /* Record 1 good (0x1000, 8, W), record 2 varies. */
    unsigned char r[48] = {0x00, 0x10, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0,
                           0x00, 0x20, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0};
    size_t n;
    trace_rec_t got[4];
    put_bin(p, r, 32, "MMUTRC01");
    CHECK_STREQ(read_all(p, TRACE_FMT_BIN, got, 4, &n, NULL, NULL), "");
    CHECK_EQ(n, 2);
    CHECK_REC(got[0], 0x1000, 8, TR_WRITE);
    CHECK_REC(got[1], 0x2000, 4, TR_EXEC);

    r[28] = 4;
    put_bin(p, r, 32, "MMUTRC01");
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, 4, &n, NULL, NULL), fmt("%s: record 2: bad kind 4", p));
    CHECK_EQ(n, 1);
    r[28] = 0xff;
    put_bin(p, r, 32, "MMUTRC01");
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, 4, &n, NULL, NULL), fmt("%s: record 2: bad kind 255", p));
    r[28] = 3;
    r[29] = 1;
    put_bin(p, r, 32, "MMUTRC01");
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, 4, &n, NULL, NULL), fmt("%s: record 2: flags 0x01 not zero", p));
    r[29] = 0;
    r[31] = 1;
    put_bin(p, r, 32, "MMUTRC01");
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, 4, &n, NULL, NULL),
                fmt("%s: record 2: reserved bytes 0x0100 not zero", p));
    r[31] = 0;
    r[24] = 0;
    put_bin(p, r, 32, "MMUTRC01");
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, 4, &n, NULL, NULL),
                fmt("%s: record 2: bad size 0 (must be 1..4096)", p));
    r[24] = 0x01;
    r[25] = 0x10; /* 4097 */
    put_bin(p, r, 32, "MMUTRC01");
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, 4, &n, NULL, NULL),
                fmt("%s: record 2: bad size 4097 (must be 1..4096)", p));
    r[24] = 0x00; /* 4096: fine */
    put_bin(p, r, 32, "MMUTRC01");
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, 4, &n, NULL, NULL), "");
    CHECK_EQ(n, 2);
    CHECK_REC(got[1], 0x2000, 4096, TR_MODIFY);

    /* A partial record after record 2: 1..15 bytes, all reported at byte 40. */
    for (size_t extra = 1; extra < 16; extra++) {
        put_bin(p, r, 32 + extra, "MMUTRC01");
        CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, 4, &n, NULL, NULL),
                    fmt("%s: record 3: truncated (%zu of 16 bytes, at byte 40)", p, extra));
        CHECK_EQ(n, 2);
    }
    /* Magic only: a valid empty trace. */
    put_bin(p, r, 0, "MMUTRC01");
    trace_fmt_t f;
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, 4, &n, &f, NULL), "");
    CHECK_EQ(n, 0);
    CHECK_EQ(f, TRACE_FMT_BIN);
    put_bin(p, r, 5, "MMUTRC01");
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, 4, &n, NULL, NULL),
                fmt("%s: record 1: truncated (5 of 16 bytes, at byte 8)", p));
}

static void test_bad_magic(void) {
    const char *p = tpath("magic.bin");
    unsigned char rec[16] = {0x00, 0x10, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0};
    size_t n;
    put_bin(p, rec, 16, "MMUTRC03");
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, NULL, NULL),
                fmt("%s: unsupported binary trace version 'MMUTRC03' (expected 'MMUTRC01' or 'MMUTRC02')", p));
    CHECK_STREQ(read_all(p, TRACE_FMT_BIN, NULL, 0, &n, NULL, NULL),
                fmt("%s: unsupported binary trace version 'MMUTRC03' (expected 'MMUTRC01' or 'MMUTRC02')", p));
    put_bin(p, rec, 16, "MMUTRC1\n");
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, NULL, NULL),
                fmt("%s: unsupported binary trace version 'MMUTRC1?' (expected 'MMUTRC01' or 'MMUTRC02')", p));
    put_file(p, "MMUTRC0", 7);
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, NULL, NULL),
                fmt("%s: truncated binary trace header (7 of 8 bytes)", p));
    put_bin(p, rec, 16, "mmutrc01");
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, NULL, NULL),
                fmt("%s:1: unknown kind 'mmutrc01????????????????" "' (expected R, W, X, M or a control record: CR3, INVLPG, INVPCID, WP, PCIDE, SMEP, SMAP, PGE, NXE, AC, PAGE1GB)", p)); /* no trigraph */
    CHECK_STREQ(read_all(p, TRACE_FMT_BIN, NULL, 0, &n, NULL, NULL),
                fmt("%s: bad magic (not an mmutrace binary trace: expected 'MMUTRC01' or 'MMUTRC02')", p));
    put_str(p, "R 1000 8\n");
    CHECK_STREQ(read_all(p, TRACE_FMT_BIN, NULL, 0, &n, NULL, NULL),
                fmt("%s: bad magic (not an mmutrace binary trace: expected 'MMUTRC01' or 'MMUTRC02')", p));
    put_str(p, "");
    CHECK_STREQ(read_all(p, TRACE_FMT_BIN, NULL, 0, &n, NULL, NULL),
                fmt("%s: bad magic (not an mmutrace binary trace: expected 'MMUTRC01' or 'MMUTRC02')", p));
    put_bin(p, rec, 16, "MMUTRC01");
    CHECK_STREQ(read_all(p, TRACE_FMT_TEXT, NULL, 0, &n, NULL, NULL),
                fmt("%s: an mmutrace binary trace, not text", p));
    CHECK_STREQ(read_all(p, TRACE_FMT_LACKEY, NULL, 0, &n, NULL, NULL),
                fmt("%s: an mmutrace binary trace, not lackey", p));
}

static void test_empty(void) {
    static const struct {
        const char *content;
        trace_fmt_t fmt;
    } cases[] = {
        {"", TRACE_FMT_TEXT},
        {"\n\n  \n", TRACE_FMT_TEXT},
        {"#mmutrace text v1\n# nothing\n", TRACE_FMT_TEXT},
        {"==1== Lackey\n==1== \n\n", TRACE_FMT_LACKEY},
    };
    const char *p = tpath("empty");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = 99, zn;
        trace_fmt_t f;
        trace_z_t z;
        put_str(p, cases[i].content);
        CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, &f, &z), "");
        CHECK_EQ(n, 0);
        CHECK_EQ(f, cases[i].fmt);
        CHECK_EQ(z, TRACE_Z_NONE);
        /* The same, compressed (an empty input compresses to a valid stream). */
        for (trace_z_t zz = TRACE_Z_GZIP; zz <= TRACE_Z_ZSTD; zz++) {
            unsigned char *c = zpack(zz, cases[i].content, strlen(cases[i].content), &zn);
            put_file(p, c, zn);
            free(c);
            CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, &f, &z), "");
            CHECK_EQ(n, 0);
            CHECK_EQ(f, cases[i].fmt);
            CHECK_EQ(z, zz);
        }
    }
}

/* Many records through every writer format and compression and back: the
 * data spans many buffer refills, so lines and records straddle them. */
static void test_roundtrip(void) {
    enum { N = 150000 };
    trace_rec_t *recs = malloc(N * sizeof *recs), *got = malloc(N * sizeof *got);
    for (size_t i = 0; i < N; i++)
        recs[i] = rnd_rec();
    const trace_fmt_t fmts[] = {TRACE_FMT_TEXT, TRACE_FMT_BIN};
    for (size_t fi = 0; fi < 2; fi++)
        for (trace_z_t z = TRACE_Z_NONE; z <= TRACE_Z_ZSTD; z++) {
            const char *p = tpath("rt");
            CHECK_EQ(write_recs(p, fmts[fi], z, recs, N), 0);
            size_t n;
            trace_fmt_t f;
            trace_z_t zz;
            CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, N, &n, &f, &zz), "");
            CHECK_EQ(n, N);
            CHECK_EQ(f, fmts[fi]);
            CHECK_EQ(zz, z);
            if (!recs_equal(got, recs, N)) {
                fprintf(stderr, "  (format %s, compression %s)\n", trace_fmt_name(fmts[fi]), trace_z_name(z));
                CHECK(0);
            }
        }
    free(recs);
    free(got);
}

/* Lackey text with irregular line lengths, hand-made, compressed by the
 * libraries, across buffer boundaries. */
static void test_lackey_large(void) {
    enum { N = 60000 };
    trace_rec_t *recs = malloc(N * sizeof *recs), *got = malloc(N * sizeof *got);
    size_t cap = (size_t)N * 48 + 256, len = 0;
    char *text = malloc(cap);
    len += (size_t)sprintf(text, "==77== Lackey, an example Valgrind tool\n==77== \n");
    for (size_t i = 0; i < N; i++) {
        recs[i] = rnd_lackey_rec();
        static const char *pre[4] = {" L ", " S ", "I  ", " M "};
        len += (size_t)sprintf(text + len, "%s%0*llx,%u\n", pre[recs[i].kind], (int)(rnd() % 17),
                               (unsigned long long)recs[i].vaddr, recs[i].size);
        if (i % 1000 == 0)
            len += (size_t)sprintf(text + len, "==77== a message in the middle\n\n");
    }
    for (trace_z_t z = TRACE_Z_NONE; z <= TRACE_Z_ZSTD; z++) {
        size_t zn, n;
        unsigned char *c = zpack(z, text, len, &zn);
        const char *p = tpath("large.lackey");
        put_file(p, c, zn);
        free(c);
        trace_fmt_t f;
        trace_z_t zz;
        CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, N, &n, &f, &zz), "");
        CHECK_EQ(n, N);
        CHECK_EQ(f, TRACE_FMT_LACKEY);
        CHECK_EQ(zz, z);
        CHECK(recs_equal(got, recs, N));
    }
    free(text);
    free(recs);
    free(got);
}

/* gzip members, xz streams and zstd frames may be concatenated (cat a.gz b.gz). */
static void test_concatenated(void) {
    const char *a = "R 1000 8\nW 2000 4\n", *b = "X 3000 2\n", *c = "M 4000 1\n";
    for (trace_z_t z = TRACE_Z_GZIP; z <= TRACE_Z_ZSTD; z++) {
        size_t na, nb, nc, ne, n;
        unsigned char *pa = zpack(z, a, strlen(a), &na), *pb = zpack(z, b, strlen(b), &nb),
                      *pe = zpack(z, "", 0, &ne), *pc = zpack(z, c, strlen(c), &nc);
        unsigned char *all = malloc(na + nb + ne + nc);
        memcpy(all, pa, na);
        memcpy(all + na, pb, nb);
        memcpy(all + na + nb, pe, ne); /* an empty member in between */
        memcpy(all + na + nb + ne, pc, nc);
        const char *p = tpath("cat.z");
        put_file(p, all, na + nb + ne + nc);
        trace_rec_t got[8];
        trace_z_t zz;
        CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, 8, &n, NULL, &zz), "");
        CHECK_EQ(zz, z);
        CHECK_EQ(n, 4);
        CHECK_REC(got[0], 0x1000, 8, TR_READ);
        CHECK_REC(got[1], 0x2000, 4, TR_WRITE);
        CHECK_REC(got[2], 0x3000, 2, TR_EXEC);
        CHECK_REC(got[3], 0x4000, 1, TR_MODIFY);
        if (z == TRACE_Z_ZSTD) {
            /* zstd: skippable frames (magic 0x184D2A5?), first and in between. */
            static const unsigned char skip[12] = {0x5a, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 'a', 'b', 'c', 'd'};
            unsigned char *sk = malloc(12 + na + 12 + nb);
            memcpy(sk, skip, 12);
            memcpy(sk + 12, pa, na);
            memcpy(sk + 12 + na, skip, 12);
            memcpy(sk + 24 + na, pb, nb);
            put_file(p, sk, 24 + na + nb);
            free(sk);
            CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, 8, &n, NULL, &zz), "");
            CHECK_EQ(zz, TRACE_Z_ZSTD);
            CHECK_EQ(n, 3);
            CHECK_REC(got[2], 0x3000, 2, TR_EXEC);
        }
        /* Trailing bytes that are not a member, stream or frame: corrupt. */
        memcpy(all + na, "garbage!", 8);
        put_file(p, all, na + 8);
        CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, got, 8, &n, NULL, NULL),
                    fmt("%s: truncated or corrupt %s stream", p, trace_z_name(z)));
        free(pa);
        free(pb);
        free(pc);
        free(pe);
        free(all);
    }
}

/* Every cut of a compressed file is an error, never a silently short trace. */
static void test_truncated_compressed(void) {
    size_t tn;
    char path[600];
    snprintf(path, sizeof path, "%s/traces/sample.txt", MMU_SOURCE_DIR);
    unsigned char *text = get_file(path, &tn);
    static const size_t magic_len[] = {0, 2, 6, 4};
    for (trace_z_t z = TRACE_Z_GZIP; z <= TRACE_Z_ZSTD; z++) {
        size_t zn, n;
        unsigned char *c = zpack(z, text, tn, &zn);
        const char *p = tpath("cut.z");
        const char *want = fmt("%s: truncated or corrupt %s stream", p, trace_z_name(z));
        int bad = 0;
        for (size_t cut = 1; cut < zn; cut++) {
            put_file(p, c, cut);
            const char *e = read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, NULL, NULL);
            if (cut >= magic_len[z] ? strcmp(e, want) != 0 : e[0] == '\0') {
                if (bad++ < 3)
                    fprintf(stderr, "  %s cut at %zu of %zu: \"%s\"\n", trace_z_name(z), cut, zn, e);
            }
        }
        CHECK_EQ(bad, 0);
        /* The uncut file is fine. */
        put_file(p, c, zn);
        CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, NULL, NULL), "");
        CHECK_EQ(n, 113);
        /* A flipped byte in the check field at the end (gzip ISIZE, xz
         * footer, zstd checksum), then one in the middle of the data. */
        c[zn - 1] ^= 0x55;
        put_file(p, c, zn);
        CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, NULL, NULL), want);
        c[zn - 1] ^= 0x55;
        c[zn / 2] ^= 0x55;
        put_file(p, c, zn);
        CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, NULL, NULL), want);
        free(c);
    }
    free(text);

    /* A large stream cut after several buffer refills of output. */
    enum { N = 120000 };
    trace_rec_t *recs = malloc(N * sizeof *recs);
    for (size_t i = 0; i < N; i++)
        recs[i] = rnd_rec();
    for (trace_z_t z = TRACE_Z_GZIP; z <= TRACE_Z_ZSTD; z++) {
        const char *p = tpath("bigcut.z");
        CHECK_EQ(write_recs(p, TRACE_FMT_BIN, z, recs, N), 0);
        size_t zn, n;
        unsigned char *c = get_file(p, &zn);
        const size_t cuts[] = {zn - 1, zn - 4, zn - 13, zn * 3 / 4, zn / 2, 100};
        for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
            put_file(p, c, cuts[i]);
            CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, NULL, NULL),
                        fmt("%s: truncated or corrupt %s stream", p, trace_z_name(z)));
            /* A cut in the trailer may come after every record; the error follows. */
            CHECK(i < 3 ? n <= N : n < N);
        }
        free(c);
    }
    free(recs);
}

/* Bug: after the last zstd frame, a call with no input returns a non-zero
 * hint for a next frame; taken as "inside a frame", every complete zstd
 * trace ended in "truncated or corrupt zstd stream". */
static void test_zstd_clean_end_bug(void) {
    const char *t = "R 1 1\n";
    size_t zn, n;
    unsigned char *c = zpack(TRACE_Z_ZSTD, t, strlen(t), &zn);
    const char *p = tpath("one.zst");
    put_file(p, c, zn);
    free(c);
    CHECK_STREQ(read_all(p, TRACE_FMT_AUTO, NULL, 0, &n, NULL, NULL), "");
    CHECK_EQ(n, 1);
}

/* Reading standard input: "-" names it in messages as "<stdin>". */
static void test_stdin(void) {
    int saved = dup(0);
    CHECK(saved >= 0);
    /* A file on fd 0: zstd-compressed binary. */
    const trace_rec_t recs[2] = {{.vaddr = 0xabc000, .size = 64, .kind = TR_WRITE}, {.vaddr = 0x1, .size = 1, .kind = TR_EXEC}};
    const char *p = tpath("stdin.bin.zst");
    CHECK_EQ(write_recs(p, TRACE_FMT_BIN, TRACE_Z_ZSTD, recs, 2), 0);
    int fd = open(p, O_RDONLY);
    CHECK(fd >= 0 && dup2(fd, 0) == 0);
    close(fd);
    trace_rec_t got[4];
    size_t n;
    trace_fmt_t f;
    trace_z_t z;
    CHECK_STREQ(read_all("-", TRACE_FMT_AUTO, got, 4, &n, &f, &z), "");
    CHECK_EQ(n, 2);
    CHECK_EQ(f, TRACE_FMT_BIN);
    CHECK_EQ(z, TRACE_Z_ZSTD);
    CHECK(recs_equal(got, recs, 2));

    /* A pipe fed one byte at a time at first: the peek must wait for enough bytes. */
    static const char text[] = "==9== Lackey\nI  401000,3\n L 7ff0,8\nbad line\n";
    size_t zn;
    unsigned char *c = zpack(TRACE_Z_GZIP, text, sizeof text - 1, &zn);
    int pfd[2];
    CHECK(pipe(pfd) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        for (size_t i = 0; i < zn; i++) {
            if (write(pfd[1], c + i, 1) != 1)
                _exit(1);
            if (i < 12) {
                struct timespec ts = {0, 2000000};
                nanosleep(&ts, NULL);
            }
        }
        _exit(0);
    }
    close(pfd[1]);
    CHECK(dup2(pfd[0], 0) == 0);
    close(pfd[0]);
    CHECK_STREQ(read_all("-", TRACE_FMT_AUTO, got, 4, &n, &f, &z),
                "<stdin>:4: malformed lackey line (expected 'I  ADDR,SIZE' or ' L|S|M ADDR,SIZE')");
    CHECK_EQ(n, 2);
    CHECK_EQ(f, TRACE_FMT_LACKEY);
    CHECK_EQ(z, TRACE_Z_GZIP);
    CHECK_REC(got[0], 0x401000, 3, TR_EXEC);
    CHECK_REC(got[1], 0x7ff0, 8, TR_READ);
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    free(c);
    CHECK(dup2(saved, 0) == 0);
    close(saved);
}

/* The shipped samples: the same 113 accesses in two formats. */
static void test_samples(void) {
    char pl[600], pt[600];
    snprintf(pl, sizeof pl, "%s/traces/sample.lackey", MMU_SOURCE_DIR);
    snprintf(pt, sizeof pt, "%s/traces/sample.txt", MMU_SOURCE_DIR);
    trace_rec_t a[200], b[200];
    size_t na, nb;
    trace_fmt_t f;
    CHECK_STREQ(read_all(pl, TRACE_FMT_AUTO, a, 200, &na, &f, NULL), "");
    CHECK_EQ(f, TRACE_FMT_LACKEY);
    CHECK_STREQ(read_all(pt, TRACE_FMT_AUTO, b, 200, &nb, &f, NULL), "");
    CHECK_EQ(f, TRACE_FMT_TEXT);
    CHECK_EQ(na, 113);
    CHECK_EQ(nb, 113);
    CHECK(na == nb && recs_equal(a, b, na));
    size_t per[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < na && i < 200; i++)
        per[a[i].kind]++;
    CHECK_EQ(per[TR_READ], 5);
    CHECK_EQ(per[TR_WRITE], 19);
    CHECK_EQ(per[TR_EXEC], 81);
    CHECK_EQ(per[TR_MODIFY], 8);
    CHECK_REC(a[0], 0x4014f0, 2, TR_EXEC);      /* "I  004014f0,2" */
    CHECK_REC(a[3], 0x1fff000630ull, 8, TR_READ); /* " L 1fff000630,8" */
    CHECK_REC(a[7], 0x1fff000628ull, 8, TR_WRITE);
    CHECK_REC(a[38], 0x4a62e0, 4, TR_MODIFY);    /* main's first a[i] += i */
    CHECK_REC(a[110], 0x4a6ffe, 4, TR_READ);     /* crosses a page boundary */
    CHECK_REC(a[112], 0x1fff000390ull, 16, TR_WRITE);
}

static void rm_tree(const char *dir) {
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        remove(p);
    }
    closedir(d);
    rmdir(dir);
}

int main(void) {
    strcpy(g_dir, "/tmp/test_trace.XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 2;
    }
    test_names();
    test_null_and_open_errors();
    test_text_good();
    test_lackey_good();
    test_text_errors();
    test_lackey_errors();
    test_overlong_lines();
    test_writers_exact();
    test_writer_errors();
    test_bin_errors();
    test_bad_magic();
    test_empty();
    test_roundtrip();
    test_lackey_large();
    test_concatenated();
    test_truncated_compressed();
    test_zstd_clean_end_bug();
    test_stdin();
    test_samples();
    rm_tree(g_dir);
    CHECK_DONE();
}
