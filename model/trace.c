/* trace.c - streaming readers and writers of memory-access traces.
 *
 * Layers of a reader, each with one fixed buffer (docs/traces.md):
 *   raw bytes   read(2) from a file descriptor into zin (compressed input only)
 *   bytes       decompressed (or read directly) into buf, TR_BUF bytes
 *   records     parsed in place from buf: 16-byte binary records, or lines of
 *               at most TR_MAX_LINE bytes located with memchr
 * Memory is therefore constant whatever the trace's length: two 256 KiB
 * buffers plus the decoder's own state, which depends only on the stream's
 * parameters (gzip 32 KiB window, xz dictionary, zstd window).
 *
 * The compression is detected from the first raw bytes, the format from the
 * first decompressed bytes ("MMUTRC01" = binary) or, for text versus lackey,
 * from the first line that is not blank, not a "==" valgrind line and not a
 * '#' comment: a comma before any '#' means lackey.
 */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define TR_BUF (256u * 1024u) /* every buffer; must exceed TR_MAX_LINE by far */
#define TR_MAX_LINE 4096u     /* bytes of a text or lackey line, '\n' excluded */
#define TR_MAX_SIZE 4096u     /* largest access size of a record */
#define TR_REC 16u            /* bytes of a binary record */
#define TR_MAGIC "MMUTRC02"    /* what the writer puts out */
#define TR_MAGIC_V1 "MMUTRC01" /* accesses only, flags 0: still read */
#define TR_MAGIC_LEN 8u
#define TR_CR3_RSVD 0x7FF0000000000000ull /* bits 62:52 of a CR3 value: above any MAXPHYADDR */
#define TR_ERRLEN 512

/* Little-endian loads and stores of the binary format. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define TR_LE32(x) __builtin_bswap32(x)
#define TR_LE64(x) __builtin_bswap64(x)
#else
#define TR_LE32(x) (x)
#define TR_LE64(x) (x)
#endif

static inline uint32_t tr_ld32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return TR_LE32(v);
}

static inline uint64_t tr_ld64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return TR_LE64(v);
}

static inline void tr_st32(unsigned char *p, uint32_t v) {
    v = TR_LE32(v);
    memcpy(p, &v, sizeof v);
}

static inline void tr_st64(unsigned char *p, uint64_t v) {
    v = TR_LE64(v);
    memcpy(p, &v, sizeof v);
}

const char *trace_fmt_name(trace_fmt_t f) {
    switch (f) {
    case TRACE_FMT_AUTO: return "auto";
    case TRACE_FMT_LACKEY: return "lackey";
    case TRACE_FMT_TEXT: return "text";
    case TRACE_FMT_BIN: return "bin";
    }
    return "?";
}

const char *trace_z_name(trace_z_t z) {
    switch (z) {
    case TRACE_Z_NONE: return "none";
    case TRACE_Z_GZIP: return "gzip";
    case TRACE_Z_XZ: return "xz";
    case TRACE_Z_ZSTD: return "zstd";
    }
    return "?";
}

int trace_fmt_from_name(const char *name, trace_fmt_t *out) {
    static const trace_fmt_t all[] = {TRACE_FMT_AUTO, TRACE_FMT_LACKEY, TRACE_FMT_TEXT, TRACE_FMT_BIN};
    for (size_t i = 0; name && i < sizeof all / sizeof all[0]; i++)
        if (strcmp(name, trace_fmt_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    return -1;
}

int trace_z_from_name(const char *name, trace_z_t *out) {
    static const trace_z_t all[] = {TRACE_Z_NONE, TRACE_Z_GZIP, TRACE_Z_XZ, TRACE_Z_ZSTD};
    for (size_t i = 0; name && i < sizeof all / sizeof all[0]; i++)
        if (strcmp(name, trace_z_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    return -1;
}

static const char *const tr_mode_names[TR_MODE_COUNT] = {"WP", "PCIDE", "SMEP", "SMAP",
                                                         "PGE", "NXE", "AC", "PAGE1GB"};

const char *trace_mode_name(unsigned bit) { return bit < TR_MODE_COUNT ? tr_mode_names[bit] : NULL; }

const char *trace_rec_check(const trace_rec_t *rec, char *buf, size_t n) {
    buf[0] = '\0';
    if (rec->kind < TR_CTL) {
        if (rec->size == 0 || rec->size > TR_MAX_SIZE)
            snprintf(buf, n, "bad size %u (must be 1..%u)", rec->size, TR_MAX_SIZE);
        else if (rec->priv > TR_PRIV_IMPLICIT)
            snprintf(buf, n, "bad privilege %u (0 default, 1 user, 2 supervisor, 3 implicit)", rec->priv);
        else if (rec->priv == TR_PRIV_IMPLICIT && rec->kind == TR_EXEC)
            snprintf(buf, n, "an implicit supervisor access cannot be an instruction fetch");
        else if (rec->ctl || rec->arg || rec->pcid || rec->value)
            snprintf(buf, n, "an access with control fields set");
        return buf;
    }
    if (rec->kind != TR_CTL) {
        snprintf(buf, n, "bad kind %u", rec->kind);
        return buf;
    }
    if (rec->size || rec->priv) {
        snprintf(buf, n, "a control record with a size or a privilege");
        return buf;
    }
    switch (rec->ctl) {
    case TR_CTL_CR3:
        if (rec->value & TR_CR3_RSVD)
            snprintf(buf, n, "CR3 value 0x%llx: bits 62:52 must be 0", (unsigned long long)rec->value);
        else if (rec->vaddr || rec->arg || rec->pcid)
            snprintf(buf, n, "CR3 record with an address, type or PCID field set");
        break;
    case TR_CTL_INVLPG:
        if (rec->value || rec->arg || rec->pcid)
            snprintf(buf, n, "INVLPG record with a value, type or PCID field set");
        break;
    case TR_CTL_INVPCID:
        if (rec->arg > 3)
            snprintf(buf, n, "INVPCID type %u (must be 0..3)", rec->arg);
        else if (rec->pcid > 0xFFF)
            snprintf(buf, n, "INVPCID PCID %u above 4095", rec->pcid);
        else if (rec->arg >= 2 && rec->pcid)
            snprintf(buf, n, "INVPCID type %u takes no PCID", rec->arg);
        else if (rec->arg >= 1 && rec->vaddr)
            snprintf(buf, n, "INVPCID type %u takes no address", rec->arg);
        else if (rec->value)
            snprintf(buf, n, "INVPCID record with a value field set");
        break;
    case TR_CTL_MODE:
        if (rec->arg >= TR_MODE_COUNT)
            snprintf(buf, n, "mode bit %u (must be 0..%u)", rec->arg, TR_MODE_COUNT - 1);
        else if (rec->value > 1)
            snprintf(buf, n, "%s value %llu (must be 0 or 1)", tr_mode_names[rec->arg],
                     (unsigned long long)rec->value);
        else if (rec->vaddr || rec->pcid)
            snprintf(buf, n, "%s record with an address or PCID field set", tr_mode_names[rec->arg]);
        break;
    default: snprintf(buf, n, "bad control operation %u (1 CR3, 2 INVLPG, 3 INVPCID, 4 mode bit)", rec->ctl); break;
    }
    return buf;
}

/* Copies the whitespace-delimited token at s (at most 24 bytes, then "...")
 * into out, non-printable bytes as '?', for error messages. */
static const char *tr_token(char *out, size_t outlen, const unsigned char *s, const unsigned char *e) {
    size_t n = 0;
    while (s < e && *s != ' ' && *s != '\t' && n + 4 < outlen) {
        if (n == 24) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        out[n++] = (*s >= 0x20 && *s < 0x7f) ? (char)*s : '?';
        s++;
    }
    out[n] = '\0';
    return out;
}

static void tr_errf(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------------- */
/* Reader                                                                    */
/* ------------------------------------------------------------------------- */

struct trace_reader {
    /* Hot fields first: the binary fast path touches only these. */
    unsigned char *buf; /* decompressed bytes [pos, end) not yet parsed */
    size_t pos, end;
    trace_fmt_t fmt;

    bool eof;       /* no decompressed bytes beyond end */
    int state;      /* 0 reading, 1 clean end seen, -1 error */
    uint64_t base;  /* offset in the decompressed stream of buf[0] */
    uint64_t line;  /* lines handed out so far (text and lackey) */
    unsigned ver;   /* text: 1 or 2 (version line; 2 without one); binary: from the magic */
    uint32_t tail_ok; /* binary fast path: bits of bytes 12..15 a plain access may have */

    int fd;
    bool own_fd;
    char *path; /* as shown in messages: "<stdin>" for "-" */
    trace_z_t z;

    unsigned char *zin; /* raw compressed bytes [zin_pos, zin_end) */
    size_t zin_pos, zin_end;
    bool raw_eof;
    bool z_ready;    /* the decoder below is initialised */
    bool gz_between; /* gzip: a member ended; another may follow */
    size_t zs_hint;  /* zstd: last return, 0 = frame complete */
    z_stream gz;
    lzma_stream xz;
    ZSTD_DStream *zs;

    char err[TR_ERRLEN];
};

/* Records "PATH: message", stops the reader; returns -1. */
static int rd_fail(trace_reader_t *r, const char *fmt, ...) {
    char msg[TR_ERRLEN - 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, sizeof r->err, "%s: %s", r->path, msg);
    r->state = -1;
    r->pos = r->end = 0;
    r->eof = true;
    return -1;
}

/* Records "PATH:LINE: message", stops the reader; returns -1. */
static int rd_fail_line(trace_reader_t *r, uint64_t line, const char *fmt, ...) {
    char msg[TR_ERRLEN - 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, sizeof r->err, "%s:%llu: %s", r->path, (unsigned long long)line, msg);
    r->state = -1;
    r->pos = r->end = 0;
    r->eof = true;
    return -1;
}

static int rd_corrupt(trace_reader_t *r) { return rd_fail(r, "truncated or corrupt %s stream", trace_z_name(r->z)); }

/* read(2) that retries on EINTR; returns bytes, 0 at end of file, -1 on error. */
static ssize_t rd_raw(trace_reader_t *r, unsigned char *dst, size_t cap) {
    for (;;) {
        ssize_t n = read(r->fd, dst, cap);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return rd_fail(r, "read error: %s", strerror(errno));
    }
}

/* Refills zin once its bytes are used up. */
static int rd_zin(trace_reader_t *r) {
    if (r->zin_pos < r->zin_end || r->raw_eof)
        return 0;
    ssize_t n = rd_raw(r, r->zin, TR_BUF);
    if (n < 0)
        return -1;
    r->zin_pos = 0;
    r->zin_end = (size_t)n;
    if (n == 0)
        r->raw_eof = true;
    return 0;
}

static int rd_fill_gz(trace_reader_t *r) {
    for (;;) {
        if (rd_zin(r) < 0)
            return -1;
        size_t in_avail = r->zin_end - r->zin_pos, out_avail = TR_BUF - r->end;
        if (r->gz_between) {
            /* Concatenated members (gzip -c a b, pigz): go on while bytes remain. */
            if (in_avail == 0) {
                r->eof = true;
                return 0;
            }
            if (inflateReset(&r->gz) != Z_OK)
                return rd_corrupt(r);
            r->gz_between = false;
        }
        r->gz.next_in = r->zin + r->zin_pos;
        r->gz.avail_in = (uInt)in_avail;
        r->gz.next_out = r->buf + r->end;
        r->gz.avail_out = (uInt)out_avail;
        int ret = inflate(&r->gz, Z_NO_FLUSH);
        size_t used = in_avail - r->gz.avail_in, made = out_avail - r->gz.avail_out;
        r->zin_pos += used;
        r->end += made;
        if (ret == Z_STREAM_END)
            r->gz_between = true;
        else if (ret == Z_MEM_ERROR)
            return rd_fail(r, "out of memory decoding the gzip stream");
        else if (ret != Z_OK && ret != Z_BUF_ERROR)
            return rd_corrupt(r);
        else if (made == 0 && r->raw_eof && r->zin_pos == r->zin_end)
            return rd_corrupt(r); /* input ended inside a member */
        if (made > 0)
            return 0;
    }
}

static int rd_fill_xz(trace_reader_t *r) {
    for (;;) {
        if (rd_zin(r) < 0)
            return -1;
        size_t in_avail = r->zin_end - r->zin_pos, out_avail = TR_BUF - r->end;
        r->xz.next_in = r->zin + r->zin_pos;
        r->xz.avail_in = in_avail;
        r->xz.next_out = r->buf + r->end;
        r->xz.avail_out = out_avail;
        lzma_ret ret = lzma_code(&r->xz, r->raw_eof ? LZMA_FINISH : LZMA_RUN);
        size_t used = in_avail - r->xz.avail_in, made = out_avail - r->xz.avail_out;
        r->zin_pos += used;
        r->end += made;
        if (ret == LZMA_STREAM_END) {
            r->eof = true; /* LZMA_CONCATENATED: only after the last stream */
            return 0;
        }
        if (ret == LZMA_MEM_ERROR || ret == LZMA_MEMLIMIT_ERROR)
            return rd_fail(r, "out of memory decoding the xz stream");
        if (ret != LZMA_OK)
            return rd_corrupt(r); /* LZMA_BUF_ERROR: truncated; others: corrupt */
        if (made > 0)
            return 0;
        if (used == 0 && r->raw_eof)
            return rd_corrupt(r);
    }
}

static int rd_fill_zstd(trace_reader_t *r) {
    for (;;) {
        if (rd_zin(r) < 0)
            return -1;
        ZSTD_inBuffer in = {r->zin, r->zin_end, r->zin_pos};
        ZSTD_outBuffer out = {r->buf, TR_BUF, r->end};
        size_t ret = ZSTD_decompressStream(r->zs, &out, &in);
        if (ZSTD_isError(ret)) {
            if (ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge)
                return rd_fail(r, "zstd stream needs a window above 128 MiB (made with --long?); "
                                  "recompress it without --long");
            return rd_corrupt(r);
        }
        size_t made = out.pos - r->end, used = in.pos - r->zin_pos;
        r->zin_pos = in.pos;
        r->end = out.pos;
        if (made > 0 || used > 0)
            r->zs_hint = ret; /* a call with nothing to do returns a hint for a next frame */
        if (made > 0)
            return 0;
        if (r->raw_eof && r->zin_pos == r->zin_end) {
            if (r->zs_hint != 0) /* input ended inside a frame */
                return rd_corrupt(r);
            r->eof = true;
            return 0;
        }
    }
}

/* Appends at least one byte to buf, or sets eof. The caller left room. */
static int rd_fill(trace_reader_t *r) {
    switch (r->z) {
    case TRACE_Z_NONE: {
        ssize_t n = rd_raw(r, r->buf + r->end, TR_BUF - r->end);
        if (n < 0)
            return -1;
        if (n == 0)
            r->eof = r->raw_eof = true;
        r->end += (size_t)n;
        return 0;
    }
    case TRACE_Z_GZIP: return rd_fill_gz(r);
    case TRACE_Z_XZ: return rd_fill_xz(r);
    case TRACE_Z_ZSTD: return rd_fill_zstd(r);
    }
    return rd_fail(r, "internal error: bad compression");
}

/* Moves the unparsed bytes to the front of buf. */
static void rd_compact(trace_reader_t *r) {
    if (r->pos == 0)
        return;
    size_t n = r->end - r->pos;
    if (n)
        memmove(r->buf, r->buf + r->pos, n);
    r->base += r->pos;
    r->pos = 0;
    r->end = n;
}

/* Next line [*ls, *le), '\n' and a final '\r' removed.
 * 1 = line, 0 = end of input, -1 = error (line too long, I/O, decoder). */
static int rd_line(trace_reader_t *r, const unsigned char **ls, const unsigned char **le) {
    for (;;) {
        unsigned char *p = r->buf + r->pos;
        size_t avail = r->end - r->pos;
        unsigned char *nl = memchr(p, '\n', avail < TR_MAX_LINE + 1 ? avail : TR_MAX_LINE + 1);
        if (nl) {
            r->pos = (size_t)(nl + 1 - r->buf);
            r->line++;
            if (nl > p && nl[-1] == '\r')
                nl--;
            *ls = p;
            *le = nl;
            return 1;
        }
        if (avail > TR_MAX_LINE)
            return rd_fail_line(r, r->line + 1, "line longer than %u bytes", TR_MAX_LINE);
        if (r->eof) {
            if (avail == 0)
                return 0;
            /* Last line without a newline. */
            r->pos = r->end;
            r->line++;
            if (p[avail - 1] == '\r')
                avail--;
            *ls = p;
            *le = p + avail;
            return 1;
        }
        rd_compact(r);
        if (rd_fill(r) < 0)
            return -1;
    }
}

/* Hex digit value + 1 of each byte; 0 for a byte that is not a hex digit. */
static const unsigned char tr_hex1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static inline bool tr_blank(unsigned char c) { return c == ' ' || c == '\t'; }

/* Bits 63:47 all equal (SDM 3.3.7.1; paging.h's pg_canonical). */
static inline bool tr_canonical(uint64_t va) { return (uint64_t)((int64_t)(va << 16) >> 16) == va; }

/* Parses hex digits at *sp: 0 = ok, 1 = no digit, 2 = above 2^64-1. */
static inline int tr_parse_hex(const unsigned char **sp, const unsigned char *e, uint64_t *out) {
    const unsigned char *s = *sp;
    uint64_t v = 0;
    int rc = 1;
    unsigned d;
    while (s < e && (d = tr_hex1[*s]) != 0) {
        if (v >> 60)
            rc = 2;
        else if (rc == 1)
            rc = 0;
        v = (v << 4) | (d - 1);
        s++;
    }
    *sp = s;
    *out = v;
    return rc;
}

/* Parses decimal digits at *sp, saturating at 99999: 0 = ok, 1 = no digit. */
static inline int tr_parse_dec(const unsigned char **sp, const unsigned char *e, uint32_t *out) {
    const unsigned char *s = *sp;
    uint32_t v = 0;
    while (s < e && (unsigned)(*s - '0') < 10) {
        v = v * 10 + (uint32_t)(*s - '0');
        if (v > 99999)
            v = 99999;
        s++;
    }
    int rc = s == *sp;
    *sp = s;
    *out = v;
    return rc;
}

/* The next word of a text line at *sp: blanks skipped, ends at a blank, at
 * '#' (a comment) or at e. 1 = [*ws, *we) is a word, 0 = none left. */
static int tr_word(const unsigned char **sp, const unsigned char *e, const unsigned char **ws,
                   const unsigned char **we) {
    const unsigned char *s = *sp;
    while (s < e && tr_blank(*s))
        s++;
    if (s == e || *s == '#') {
        *sp = s;
        return 0;
    }
    *ws = s;
    while (s < e && !tr_blank(*s) && *s != '#')
        s++;
    *we = *sp = s;
    return 1;
}

static bool tr_is(const unsigned char *ws, const unsigned char *we, const char *lit) {
    size_t n = strlen(lit);
    return (size_t)(we - ws) == n && memcmp(ws, lit, n) == 0;
}

/* A whole word as a number: hexadecimal with an optional 0x (hex = true),
 * or decimal unless it starts with 0x. 0 = ok, 1 = not a number, 2 = above
 * 2^64-1. */
static int tr_number(const unsigned char *ws, const unsigned char *we, bool hex, uint64_t *out) {
    const unsigned char *s = ws;
    if (we - s > 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
        s += 2;
        hex = true;
    }
    if (hex) {
        int rc = tr_parse_hex(&s, we, out);
        return s != we ? 1 : rc;
    }
    uint64_t v = 0;
    if (s == we)
        return 1;
    for (; s < we; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (d > 9)
            return 1;
        if (v > (UINT64_MAX - d) / 10)
            return 2;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* "#mmutrace text vN" as line 1: sets r->ver. 0, or -1 for an unknown version. */
static int rd_version_line(trace_reader_t *r, const unsigned char *s, const unsigned char *e) {
    static const char vl[] = "#mmutrace text v";
    const size_t n = sizeof vl - 1;
    if (r->line != 1 || (size_t)(e - s) < n || memcmp(s, vl, n) != 0)
        return 0;
    const unsigned char *v = s + n, *q = v;
    while (q < e && !tr_blank(*q))
        q++;
    uint64_t ver = 0;
    char tok[32];
    if (tr_number(v, q, false, &ver) != 0 || ver < 1 || ver > 2)
        return rd_fail_line(r, r->line, "unsupported text trace version 'v%s' (this reader knows v1 and v2)",
                            tr_token(tok, sizeof tok, v, e));
    r->ver = (unsigned)ver;
    return 0;
}

/* A control record of a text line (version 2); w = its first word. */
static int rd_text_ctl(trace_reader_t *r, const unsigned char *ws, const unsigned char *we, const unsigned char *s,
                       const unsigned char *e, trace_rec_t *rec) {
    char tok[32], name[32], why[160];
    tr_token(name, sizeof name, ws, we);
    const unsigned char *a[4] = {ws, ws, ws, ws}, *b[4] = {we, we, we, we};
    int n = 0;
    while (n < 4 && tr_word(&s, e, &a[n], &b[n]))
        n++;
    if (n == 4)
        return rd_fail_line(r, r->line, "%s: too many fields", name);
    memset(rec, 0, sizeof *rec);
    rec->kind = TR_CTL;
    uint64_t v;
    int rc;
    if (tr_is(ws, we, "CR3")) {
        /* CR3 ADDR [pcid=N] [noflush] */
        rec->ctl = TR_CTL_CR3;
        if (n < 1)
            return rd_fail_line(r, r->line, "CR3: missing address");
        rc = tr_number(a[0], b[0], true, &v);
        if (rc)
            return rd_fail_line(r, r->line, "CR3: bad address '%s'", tr_token(tok, sizeof tok, a[0], b[0]));
        if (v & 0xFFF)
            return rd_fail_line(r, r->line, "CR3: address %s not 4 KiB-aligned (bits 11:0 are the PCID: pcid=N)",
                                tr_token(tok, sizeof tok, a[0], b[0]));
        if (v >> 52)
            return rd_fail_line(r, r->line, "CR3: address %s above 2^52-1 (MAXPHYADDR is at most 52)",
                                tr_token(tok, sizeof tok, a[0], b[0]));
        rec->value = v;
        bool seen_pcid = false, seen_nf = false;
        for (int i = 1; i < n; i++) {
            if (!seen_nf && tr_is(a[i], b[i], "noflush")) {
                seen_nf = true;
                rec->value |= 1ull << 63;
            } else if (!seen_pcid && b[i] - a[i] > 5 && memcmp(a[i], "pcid=", 5) == 0) {
                seen_pcid = true;
                if (tr_number(a[i] + 5, b[i], false, &v) != 0 || v > 0xFFF)
                    return rd_fail_line(r, r->line, "CR3: bad PCID '%s' (0..4095)",
                                        tr_token(tok, sizeof tok, a[i] + 5, b[i]));
                rec->value |= v;
            } else {
                return rd_fail_line(r, r->line, "CR3: unexpected '%s' (expected pcid=N or noflush)",
                                    tr_token(tok, sizeof tok, a[i], b[i]));
            }
        }
        return 1;
    }
    if (tr_is(ws, we, "INVLPG")) {
        rec->ctl = TR_CTL_INVLPG;
        if (n != 1)
            return rd_fail_line(r, r->line, n ? "INVLPG: one address expected" : "INVLPG: missing address");
        rc = tr_number(a[0], b[0], true, &rec->vaddr);
        if (rc)
            return rd_fail_line(r, r->line, "INVLPG: bad address '%s'", tr_token(tok, sizeof tok, a[0], b[0]));
        return 1;
    }
    if (tr_is(ws, we, "INVPCID")) {
        /* INVPCID TYPE [pcid=N] [addr=ADDR] */
        rec->ctl = TR_CTL_INVPCID;
        if (n < 1)
            return rd_fail_line(r, r->line, "INVPCID: missing type (0..3)");
        if (tr_number(a[0], b[0], false, &v) != 0 || v > 3)
            return rd_fail_line(r, r->line, "INVPCID: bad type '%s' (0..3)", tr_token(tok, sizeof tok, a[0], b[0]));
        rec->arg = (uint8_t)v;
        bool seen_pcid = false, seen_addr = false;
        for (int i = 1; i < n; i++) {
            if (!seen_pcid && b[i] - a[i] > 5 && memcmp(a[i], "pcid=", 5) == 0 && rec->arg <= 1) {
                seen_pcid = true;
                if (tr_number(a[i] + 5, b[i], false, &v) != 0 || v > 0xFFF)
                    return rd_fail_line(r, r->line, "INVPCID: bad PCID '%s' (0..4095)",
                                        tr_token(tok, sizeof tok, a[i] + 5, b[i]));
                rec->pcid = (uint16_t)v;
            } else if (!seen_addr && b[i] - a[i] > 5 && memcmp(a[i], "addr=", 5) == 0 && rec->arg == 0) {
                seen_addr = true;
                if (tr_number(a[i] + 5, b[i], true, &rec->vaddr) != 0)
                    return rd_fail_line(r, r->line, "INVPCID: bad address '%s'",
                                        tr_token(tok, sizeof tok, a[i] + 5, b[i]));
            } else {
                return rd_fail_line(r, r->line, "INVPCID: unexpected '%s' (type 0: pcid=N addr=ADDR, 1: pcid=N, 2 and 3: nothing)",
                                    tr_token(tok, sizeof tok, a[i], b[i]));
            }
        }
        if (rec->arg == 0 && !seen_addr)
            return rd_fail_line(r, r->line, "INVPCID: type 0 needs addr=ADDR");
        return 1;
    }
    for (unsigned bit = 0; bit < TR_MODE_COUNT; bit++) {
        if (!tr_is(ws, we, tr_mode_names[bit]))
            continue;
        rec->ctl = TR_CTL_MODE;
        rec->arg = (uint8_t)bit;
        if (n != 1 || !(tr_is(a[0], b[0], "0") || tr_is(a[0], b[0], "1")))
            return rd_fail_line(r, r->line, "%s: bad value '%s' (expected 0 or 1)", name,
                                n ? tr_token(tok, sizeof tok, a[0], b[0]) : "");
        rec->value = *a[0] == '1';
        if (bit == TR_MODE_NOPG1G)
            rec->value ^= 1; /* PAGE1GB 0 = no 1 GiB pages */
        return 1;
    }
    (void)why;
    return rd_fail_line(r, r->line,
                        "unknown kind '%s' (expected R, W, X, M or a control record: CR3, INVLPG, INVPCID, WP, "
                        "PCIDE, SMEP, SMAP, PGE, NXE, AC, PAGE1GB)",
                        name);
}

/* One mmutrace text line: 1 = record, 0 = nothing (blank/comment), -1 = error. */
static int rd_text_line(trace_reader_t *r, const unsigned char *s, const unsigned char *e, trace_rec_t *rec) {
    char tok[32];
    while (s < e && tr_blank(*s))
        s++;
    if (s < e && *s == '#' && rd_version_line(r, s, e) < 0)
        return -1;
    if (s == e || *s == '#')
        return 0;
    unsigned kind;
    switch (*s) {
    case 'R': kind = TR_READ; break;
    case 'W': kind = TR_WRITE; break;
    case 'X': kind = TR_EXEC; break;
    case 'M': kind = TR_MODIFY; break;
    default: kind = 99; break;
    }
    if (kind == 99 || (s + 1 < e && !tr_blank(s[1]))) {
        const unsigned char *ws = s, *we = e, *q = s;
        tr_word(&q, e, &ws, &we);
        if (r->ver >= 2)
            return rd_text_ctl(r, ws, we, q, e, rec);
        for (unsigned bit = 0; bit < TR_MODE_COUNT + 3; bit++)
            if (tr_is(ws, we, bit < TR_MODE_COUNT ? tr_mode_names[bit] : (const char *[]){"CR3", "INVLPG", "INVPCID"}[bit - TR_MODE_COUNT]))
                return rd_fail_line(r, r->line, "control record '%s' in a version 1 trace (needs '#mmutrace text v2' as line 1)",
                                    tr_token(tok, sizeof tok, ws, we));
        return rd_fail_line(r, r->line, "unknown kind '%s' (expected R, W, X or M)", tr_token(tok, sizeof tok, s, e));
    }
    s++;
    while (s < e && tr_blank(*s))
        s++;
    if (s == e || *s == '#')
        return rd_fail_line(r, r->line, "missing address");
    const unsigned char *a = s;
    if (e - s > 2 && s[0] == '0' && (s[1] | 0x20) == 'x')
        s += 2;
    uint64_t addr;
    int rc = tr_parse_hex(&s, e, &addr);
    if (rc == 1 || (s < e && !tr_blank(*s) && *s != '#'))
        return rd_fail_line(r, r->line, "bad address '%s'", tr_token(tok, sizeof tok, a, e));
    if (rc == 2)
        return rd_fail_line(r, r->line, "address %s above 2^64-1", tr_token(tok, sizeof tok, a, e));
    while (s < e && tr_blank(*s))
        s++;
    uint32_t size = 1;
    uint8_t priv = TR_PRIV_DEFAULT;
    const unsigned char *ws = s, *we = s, *q = s;
    if (r->ver >= 2 && tr_word(&q, e, &ws, &we) && we - ws == 1 && (*ws == 'u' || *ws == 's' || *ws == 'i')) {
        /* no size: the privilege */
    } else if (s < e && *s != '#') {
        const unsigned char *z = s;
        if (tr_parse_dec(&s, e, &size) || (s < e && !tr_blank(*s) && *s != '#'))
            return rd_fail_line(r, r->line, "bad size '%s'", tr_token(tok, sizeof tok, z, e));
        if (size == 0)
            return rd_fail_line(r, r->line, "size 0 (must be 1..%u)", TR_MAX_SIZE);
        if (size > TR_MAX_SIZE)
            return rd_fail_line(r, r->line, "size %s above %u", tr_token(tok, sizeof tok, z, e), TR_MAX_SIZE);
    }
    if (tr_word(&s, e, &ws, &we)) {
        if (r->ver >= 2 && we - ws == 1 && (*ws == 'u' || *ws == 's' || *ws == 'i')) {
            priv = *ws == 'u' ? TR_PRIV_USER : *ws == 's' ? TR_PRIV_SUPER : TR_PRIV_IMPLICIT;
            if (priv == TR_PRIV_IMPLICIT && kind == TR_EXEC)
                return rd_fail_line(r, r->line, "an implicit supervisor access ('i') cannot be an instruction "
                                                "fetch (X)");
            if (tr_word(&s, e, &ws, &we))
                return rd_fail_line(r, r->line, "trailing junk '%s'", tr_token(tok, sizeof tok, ws, e));
        } else if (r->ver >= 2) {
            return rd_fail_line(r, r->line, "bad privilege '%s' (expected u, s or i)", tr_token(tok, sizeof tok, ws, e));
        } else {
            return rd_fail_line(r, r->line, "trailing junk '%s'", tr_token(tok, sizeof tok, ws, e));
        }
    }
    memset(rec, 0, sizeof *rec);
    rec->vaddr = addr;
    rec->size = size;
    rec->kind = (uint8_t)kind;
    rec->priv = priv;
    return 1;
}

/* One lackey line: 1 = record, 0 = nothing ("==" or blank), -1 = error. */
static int rd_lackey_line(trace_reader_t *r, const unsigned char *s, const unsigned char *e, trace_rec_t *rec) {
    size_t n = (size_t)(e - s);
    if (n >= 2 && s[0] == '=' && s[1] == '=')
        return 0;
    const unsigned char *t = s;
    while (t < e && tr_blank(*t))
        t++;
    if (t == e)
        return 0;
    unsigned kind;
    if (n >= 3 && s[0] == 'I' && s[1] == ' ' && s[2] == ' ')
        kind = TR_EXEC;
    else if (n >= 3 && s[0] == ' ' && s[1] == 'L' && s[2] == ' ')
        kind = TR_READ;
    else if (n >= 3 && s[0] == ' ' && s[1] == 'S' && s[2] == ' ')
        kind = TR_WRITE;
    else if (n >= 3 && s[0] == ' ' && s[1] == 'M' && s[2] == ' ')
        kind = TR_MODIFY;
    else if (*t == '#')
        return rd_fail_line(r, r->line, "malformed lackey line ('#' comment in a lackey trace)");
    else
        return rd_fail_line(r, r->line, "malformed lackey line (expected 'I  ADDR,SIZE' or ' L|S|M ADDR,SIZE')");
    s += 3;
    uint64_t addr;
    int rc = tr_parse_hex(&s, e, &addr);
    if (rc == 1 || s == e || *s != ',')
        return rd_fail_line(r, r->line, "malformed lackey line (bad address)");
    if (rc == 2)
        return rd_fail_line(r, r->line, "malformed lackey line (address above 2^64-1)");
    s++;
    uint32_t size;
    if (tr_parse_dec(&s, e, &size))
        return rd_fail_line(r, r->line, "malformed lackey line (bad size)");
    while (s < e && tr_blank(*s))
        s++;
    if (s != e)
        return rd_fail_line(r, r->line, "malformed lackey line (trailing junk)");
    if (size == 0 || size > TR_MAX_SIZE)
        return rd_fail_line(r, r->line, "malformed lackey line (size %u not in 1..%u)", size, TR_MAX_SIZE);
    uint64_t last = addr + size - 1;
    if (!tr_canonical(addr) || !tr_canonical(last) || last < addr)
        return rd_fail_line(r, r->line, "address 0x%llx (+%u bytes) is not canonical (valgrind never traces one)",
                            (unsigned long long)addr, size);
    memset(rec, 0, sizeof *rec);
    rec->vaddr = addr;
    rec->size = size;
    rec->kind = (uint8_t)kind;
    return 1;
}

/* Decides text versus lackey (TRACE_FMT_AUTO): consumes the leading lines
 * that both formats may ignore, looks at the first other line and leaves it
 * unread. A "==" line is valgrind's and a '#' line a text comment, so the
 * one that does not belong to the format decided is reported afterwards. */
static int rd_detect_lines(trace_reader_t *r) {
    uint64_t first_eq = 0, first_hash = 0;
    trace_fmt_t fmt = TRACE_FMT_TEXT;
    for (;;) {
        const unsigned char *s, *e;
        int k = rd_line(r, &s, &e);
        if (k < 0)
            return -1;
        if (k == 0) {
            fmt = first_eq ? TRACE_FMT_LACKEY : TRACE_FMT_TEXT;
            break;
        }
        if (e - s >= 2 && s[0] == '=' && s[1] == '=') {
            if (!first_eq)
                first_eq = r->line;
            continue;
        }
        const unsigned char *t = s;
        while (t < e && tr_blank(*t))
            t++;
        if (t == e)
            continue;
        if (*t == '#') {
            if (!first_hash)
                first_hash = r->line;
            if (rd_version_line(r, t, e) < 0)
                return -1;
            continue;
        }
        const unsigned char *hash = memchr(t, '#', (size_t)(e - t));
        fmt = memchr(t, ',', (size_t)((hash ? hash : e) - t)) ? TRACE_FMT_LACKEY : TRACE_FMT_TEXT;
        r->pos = (size_t)(s - r->buf); /* unread the line */
        r->line--;
        break;
    }
    if (fmt == TRACE_FMT_TEXT && first_eq)
        return rd_fail_line(r, first_eq, "unknown kind '==' (a valgrind line in an mmutrace text trace)");
    if (fmt == TRACE_FMT_LACKEY && first_hash)
        return rd_fail_line(r, first_hash, "malformed lackey line ('#' comment in a lackey trace)");
    r->fmt = fmt;
    return 0;
}

static int rd_init_decoder(trace_reader_t *r) {
    switch (r->z) {
    case TRACE_Z_NONE: return 0;
    case TRACE_Z_GZIP:
        memset(&r->gz, 0, sizeof r->gz);
        if (inflateInit2(&r->gz, 15 + 32) != Z_OK)
            return rd_fail(r, "cannot initialise the gzip decoder");
        break;
    case TRACE_Z_XZ: {
        lzma_stream init = LZMA_STREAM_INIT;
        r->xz = init;
        if (lzma_stream_decoder(&r->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
            return rd_fail(r, "cannot initialise the xz decoder");
        break;
    }
    case TRACE_Z_ZSTD:
        r->zs = ZSTD_createDStream();
        if (!r->zs || ZSTD_isError(ZSTD_initDStream(r->zs)))
            return rd_fail(r, "cannot initialise the zstd decoder");
        r->zs_hint = 1;
        break;
    }
    r->z_ready = true;
    return 0;
}

int trace_open(trace_reader_t **out, const char *path, trace_fmt_t fmt, char *err, size_t errlen) {
    if (!out) {
        tr_errf(err, errlen, "trace_open: out is NULL");
        return -1;
    }
    *out = NULL;
    if (!path) {
        tr_errf(err, errlen, "trace_open: path is NULL");
        return -1;
    }
    if (fmt != TRACE_FMT_AUTO && fmt != TRACE_FMT_LACKEY && fmt != TRACE_FMT_TEXT && fmt != TRACE_FMT_BIN) {
        tr_errf(err, errlen, "%s: trace_open: bad format %d", path, (int)fmt);
        return -1;
    }
    trace_reader_t *r = calloc(1, sizeof *r);
    bool is_stdin = strcmp(path, "-") == 0;
    if (r) {
        r->fd = -1;
        r->path = strdup(is_stdin ? "<stdin>" : path);
        r->buf = malloc(TR_BUF);
    }
    if (!r || !r->path || !r->buf) {
        tr_errf(err, errlen, "%s: out of memory", path);
        trace_close(r);
        return -1;
    }
    if (is_stdin) {
        r->fd = 0;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            tr_errf(err, errlen, "%s: %s", path, strerror(errno));
            trace_close(r);
            return -1;
        }
        r->own_fd = true;
    }

    /* Peek at the raw bytes (a pipe may deliver them a few at a time). */
    while (r->end < 8 && !r->raw_eof) {
        ssize_t n = rd_raw(r, r->buf + r->end, TR_BUF - r->end);
        if (n < 0)
            goto fail;
        if (n == 0)
            r->raw_eof = true;
        r->end += (size_t)n;
    }
    const unsigned char *b = r->buf;
    if (r->end >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        r->z = TRACE_Z_GZIP;
    else if (r->end >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0)
        r->z = TRACE_Z_XZ;
    else if (r->end >= 4 && (memcmp(b, "\x28\xb5\x2f\xfd", 4) == 0 || /* a frame, or a skippable frame */
                             ((b[0] & 0xf0) == 0x50 && memcmp(b + 1, "\x2a\x4d\x18", 3) == 0)))
        r->z = TRACE_Z_ZSTD;
    if (r->z != TRACE_Z_NONE) {
        r->zin = malloc(TR_BUF);
        if (!r->zin) {
            rd_fail(r, "out of memory");
            goto fail;
        }
        memcpy(r->zin, r->buf, r->end);
        r->zin_end = r->end;
        r->end = 0;
        if (rd_init_decoder(r) < 0)
            goto fail;
    } else {
        r->eof = r->raw_eof;
    }
    while (r->end < TR_MAGIC_LEN && !r->eof)
        if (rd_fill(r) < 0)
            goto fail;

    /* The format. */
    bool magic6 = r->end >= 6 && memcmp(r->buf, TR_MAGIC, 6) == 0;
    r->ver = 2; /* text without a version line */
    bool v1 = r->end >= TR_MAGIC_LEN && memcmp(r->buf, TR_MAGIC_V1, TR_MAGIC_LEN) == 0;
    if (magic6 && r->end >= TR_MAGIC_LEN && (v1 || memcmp(r->buf, TR_MAGIC, TR_MAGIC_LEN) == 0)) {
        if (fmt == TRACE_FMT_TEXT || fmt == TRACE_FMT_LACKEY) {
            rd_fail(r, "an mmutrace binary trace, not %s", trace_fmt_name(fmt));
            goto fail;
        }
        r->fmt = TRACE_FMT_BIN;
        r->pos = TR_MAGIC_LEN;
        r->ver = v1 ? 1 : 2;
        r->tail_ok = v1 ? 0x0003u : 0x0303u; /* kind 0..3; version 2: privilege 0..3 in byte 13 */
    } else if (magic6 && (fmt == TRACE_FMT_AUTO || fmt == TRACE_FMT_BIN)) {
        char tok[32];
        if (r->end < TR_MAGIC_LEN)
            rd_fail(r, "truncated binary trace header (%zu of %u bytes)", r->end, TR_MAGIC_LEN);
        else
            rd_fail(r, "unsupported binary trace version '%s' (expected '" TR_MAGIC_V1 "' or '" TR_MAGIC "')",
                    tr_token(tok, sizeof tok, r->buf, r->buf + TR_MAGIC_LEN));
        goto fail;
    } else if (fmt == TRACE_FMT_BIN) {
        rd_fail(r, "bad magic (not an mmutrace binary trace: expected '" TR_MAGIC_V1 "' or '" TR_MAGIC "')");
        goto fail;
    } else if (fmt == TRACE_FMT_AUTO) {
        if (rd_detect_lines(r) < 0)
            goto fail;
    } else {
        r->fmt = fmt;
    }
    *out = r;
    return 0;

fail:
    tr_errf(err, errlen, "%s", r->err);
    trace_close(r);
    return -1;
}

static int rd_next_bin(trace_reader_t *r, trace_rec_t *rec) {
    for (;;) {
        size_t avail = r->end - r->pos;
        if (avail >= TR_REC) {
            const unsigned char *p = r->buf + r->pos;
            unsigned long long nrec = (r->base + r->pos - TR_MAGIC_LEN) / TR_REC + 1;
            char why[160];
            memset(rec, 0, sizeof *rec);
            rec->kind = p[12];
            if (p[12] > (r->ver >= 2 ? TR_CTL : TR_MODIFY))
                return rd_fail(r, "record %llu: bad kind %u", nrec, p[12]);
            if (p[14] != 0 || p[15] != 0)
                return rd_fail(r, "record %llu: reserved bytes 0x%02x%02x not zero", nrec, p[15], p[14]);
            if (p[12] == TR_CTL) {
                /* value or address, PCID, type or mode bit, byte 11 zero, kind, operation */
                if (p[11] != 0)
                    return rd_fail(r, "record %llu: reserved byte 11 0x%02x not zero", nrec, p[11]);
                rec->ctl = p[13];
                rec->arg = p[10];
                rec->pcid = (uint16_t)(p[8] | p[9] << 8);
                if (p[13] == TR_CTL_INVLPG || p[13] == TR_CTL_INVPCID)
                    rec->vaddr = tr_ld64(p);
                else
                    rec->value = tr_ld64(p);
            } else {
                if (r->ver < 2 && p[13] != 0)
                    return rd_fail(r, "record %llu: flags 0x%02x not zero", nrec, p[13]);
                rec->vaddr = tr_ld64(p);
                rec->size = tr_ld32(p + 8);
                rec->priv = p[13];
            }
            if (trace_rec_check(rec, why, sizeof why)[0])
                return rd_fail(r, "record %llu: %s", nrec, why);
            r->pos += TR_REC;
            return 1;
        }
        if (r->eof) {
            if (avail == 0) {
                r->state = 1;
                return 0;
            }
            return rd_fail(r, "record %llu: truncated (%zu of %u bytes, at byte %llu)",
                           (unsigned long long)((r->base + r->pos - TR_MAGIC_LEN) / TR_REC + 1), avail, TR_REC,
                           (unsigned long long)(r->base + r->pos));
        }
        rd_compact(r);
        if (rd_fill(r) < 0)
            return -1;
    }
}

static int rd_next_slow(trace_reader_t *r, trace_rec_t *rec) {
    if (r->state)
        return r->state < 0 ? -1 : 0;
    if (r->fmt == TRACE_FMT_BIN)
        return rd_next_bin(r, rec);
    for (;;) {
        const unsigned char *s, *e;
        int k = rd_line(r, &s, &e);
        if (k <= 0) {
            if (k == 0)
                r->state = 1;
            return k;
        }
        k = r->fmt == TRACE_FMT_TEXT ? rd_text_line(r, s, e, rec) : rd_lackey_line(r, s, e, rec);
        if (k)
            return k;
    }
}

int trace_next(trace_reader_t *r, trace_rec_t *rec) {
    /* The binary fast path: one well-formed access straight from the buffer
     * (kind <= 3, privilege <= 3 in version 2 (0 in version 1), reserved
     * zero, not an implicit fetch: a mask and a compare of bytes 12..15). */
    if (r->fmt == TRACE_FMT_BIN && r->end - r->pos >= TR_REC) {
        const unsigned char *p = r->buf + r->pos;
        uint32_t size = tr_ld32(p + 8), tail = tr_ld32(p + 12);
        if ((tail & ~r->tail_ok) == 0 && tail != 0x0302u && size - 1u < TR_MAX_SIZE) {
            memset(rec, 0, sizeof *rec);
            rec->vaddr = tr_ld64(p);
            rec->size = size;
            rec->kind = (uint8_t)(tail & 0xFF);
            rec->priv = (uint8_t)(tail >> 8);
            r->pos += TR_REC;
            return 1;
        }
    }
    return rd_next_slow(r, rec);
}

const char *trace_error(const trace_reader_t *r) { return r && r->state < 0 ? r->err : ""; }

unsigned trace_version(const trace_reader_t *r) { return r->fmt == TRACE_FMT_LACKEY ? 0 : r->ver; }

trace_fmt_t trace_format(const trace_reader_t *r) { return r->fmt; }

trace_z_t trace_compression(const trace_reader_t *r) { return r->z; }

void trace_close(trace_reader_t *r) {
    if (!r)
        return;
    if (r->z_ready) {
        if (r->z == TRACE_Z_GZIP)
            inflateEnd(&r->gz);
        else if (r->z == TRACE_Z_XZ)
            lzma_end(&r->xz);
    }
    ZSTD_freeDStream(r->zs); /* NULL is fine */
    if (r->own_fd)
        close(r->fd);
    free(r->zin);
    free(r->buf);
    free(r->path);
    free(r);
}

/* ------------------------------------------------------------------------- */
/* Writer                                                                    */
/* ------------------------------------------------------------------------- */

#define TR_GZIP_LEVEL 6
#define TR_XZ_PRESET 3
#define TR_ZSTD_LEVEL 3
#define TR_TEXT_HEADER "#mmutrace text v2\n"

struct trace_writer {
    unsigned char *obuf; /* uncompressed bytes [0, olen) not yet emitted */
    size_t olen;
    trace_fmt_t fmt;
    trace_z_t z;
    int failed;
    uint64_t nrec;

    int fd;
    bool own_fd;
    char *path;
    unsigned char *zbuf; /* compressor output */
    bool z_ready;
    z_stream gz;
    lzma_stream xz;
    ZSTD_CCtx *zs;

    char err[TR_ERRLEN];
};

static int wr_fail(trace_writer_t *w, const char *fmt, ...) {
    if (w->failed)
        return -1; /* keep the first error */
    char msg[TR_ERRLEN - 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(w->err, sizeof w->err, "%s: %s", w->path, msg);
    w->failed = 1;
    return -1;
}

static int wr_raw(trace_writer_t *w, const unsigned char *p, size_t n) {
    while (n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return wr_fail(w, "write error: %s", strerror(errno));
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Compresses (or writes) obuf; finish ends the compressed stream. */
static int wr_emit(trace_writer_t *w, bool finish) {
    if (w->failed)
        return -1;
    const unsigned char *in = w->obuf;
    size_t n = w->olen;
    w->olen = 0;
    switch (w->z) {
    case TRACE_Z_NONE: return wr_raw(w, in, n);
    case TRACE_Z_GZIP: {
        w->gz.next_in = (unsigned char *)in;
        w->gz.avail_in = (uInt)n;
        for (;;) {
            w->gz.next_out = w->zbuf;
            w->gz.avail_out = TR_BUF;
            int ret = deflate(&w->gz, finish ? Z_FINISH : Z_NO_FLUSH);
            if (ret == Z_STREAM_ERROR)
                return wr_fail(w, "gzip compression failed");
            if (wr_raw(w, w->zbuf, TR_BUF - w->gz.avail_out) < 0)
                return -1;
            if (finish ? ret == Z_STREAM_END : (w->gz.avail_in == 0 && w->gz.avail_out != 0))
                return 0;
        }
    }
    case TRACE_Z_XZ: {
        w->xz.next_in = in;
        w->xz.avail_in = n;
        for (;;) {
            w->xz.next_out = w->zbuf;
            w->xz.avail_out = TR_BUF;
            lzma_ret ret = lzma_code(&w->xz, finish ? LZMA_FINISH : LZMA_RUN);
            if (ret != LZMA_OK && ret != LZMA_STREAM_END)
                return wr_fail(w, "xz compression failed (lzma error %d)", (int)ret);
            if (wr_raw(w, w->zbuf, TR_BUF - w->xz.avail_out) < 0)
                return -1;
            if (finish ? ret == LZMA_STREAM_END : (w->xz.avail_in == 0 && w->xz.avail_out != 0))
                return 0;
        }
    }
    case TRACE_Z_ZSTD: {
        ZSTD_inBuffer zin = {in, n, 0};
        for (;;) {
            ZSTD_outBuffer zout = {w->zbuf, TR_BUF, 0};
            size_t ret = ZSTD_compressStream2(w->zs, &zout, &zin, finish ? ZSTD_e_end : ZSTD_e_continue);
            if (ZSTD_isError(ret))
                return wr_fail(w, "zstd compression failed: %s", ZSTD_getErrorName(ret));
            if (wr_raw(w, w->zbuf, zout.pos) < 0)
                return -1;
            if (finish ? ret == 0 : (zin.pos == zin.size && zout.pos < zout.size))
                return 0;
        }
    }
    }
    return wr_fail(w, "internal error: bad compression");
}

int trace_wopen(trace_writer_t **out, const char *path, trace_fmt_t fmt, trace_z_t z, char *err, size_t errlen) {
    if (!out) {
        tr_errf(err, errlen, "trace_wopen: out is NULL");
        return -1;
    }
    *out = NULL;
    if (!path) {
        tr_errf(err, errlen, "trace_wopen: path is NULL");
        return -1;
    }
    if (fmt != TRACE_FMT_TEXT && fmt != TRACE_FMT_BIN) {
        tr_errf(err, errlen, "%s: cannot write format '%s' (text or bin only)", path, trace_fmt_name(fmt));
        return -1;
    }
    if (z != TRACE_Z_NONE && z != TRACE_Z_GZIP && z != TRACE_Z_XZ && z != TRACE_Z_ZSTD) {
        tr_errf(err, errlen, "%s: trace_wopen: bad compression %d", path, (int)z);
        return -1;
    }
    trace_writer_t *w = calloc(1, sizeof *w);
    bool is_stdout = strcmp(path, "-") == 0;
    if (w) {
        w->fd = -1;
        w->fmt = fmt;
        w->z = z;
        w->path = strdup(is_stdout ? "<stdout>" : path);
        w->obuf = malloc(TR_BUF);
        w->zbuf = z != TRACE_Z_NONE ? malloc(TR_BUF) : NULL;
    }
    if (!w || !w->path || !w->obuf || (z != TRACE_Z_NONE && !w->zbuf)) {
        tr_errf(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    bool ok = true;
    switch (z) {
    case TRACE_Z_NONE: break;
    case TRACE_Z_GZIP: ok = deflateInit2(&w->gz, TR_GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK; break;
    case TRACE_Z_XZ: {
        lzma_stream init = LZMA_STREAM_INIT;
        w->xz = init;
        ok = lzma_easy_encoder(&w->xz, TR_XZ_PRESET, LZMA_CHECK_CRC64) == LZMA_OK;
        break;
    }
    case TRACE_Z_ZSTD:
        w->zs = ZSTD_createCCtx();
        ok = w->zs && !ZSTD_isError(ZSTD_CCtx_setParameter(w->zs, ZSTD_c_compressionLevel, TR_ZSTD_LEVEL)) &&
             !ZSTD_isError(ZSTD_CCtx_setParameter(w->zs, ZSTD_c_checksumFlag, 1));
        break;
    }
    if (!ok) {
        tr_errf(err, errlen, "%s: cannot initialise the %s encoder", path, trace_z_name(z));
        goto fail;
    }
    w->z_ready = z != TRACE_Z_NONE;
    if (is_stdout) {
        w->fd = 1;
    } else {
        w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (w->fd < 0) {
            tr_errf(err, errlen, "%s: %s", path, strerror(errno));
            goto fail;
        }
        w->own_fd = true;
    }
    if (fmt == TRACE_FMT_BIN) {
        memcpy(w->obuf, TR_MAGIC, TR_MAGIC_LEN);
        w->olen = TR_MAGIC_LEN;
    } else {
        memcpy(w->obuf, TR_TEXT_HEADER, sizeof TR_TEXT_HEADER - 1);
        w->olen = sizeof TR_TEXT_HEADER - 1;
    }
    *out = w;
    return 0;

fail:
    if (w)
        w->failed = 1; /* nothing to flush */
    trace_wclose(w, NULL, 0);
    return -1;
}

int trace_write(trace_writer_t *w, const trace_rec_t *rec) {
    if (w->failed)
        return -1;
    char why[160];
    if (trace_rec_check(rec, why, sizeof why)[0])
        return wr_fail(w, "record %llu: %s", (unsigned long long)w->nrec + 1, why);
    if (TR_BUF - w->olen < 128 && wr_emit(w, false) < 0)
        return -1;
    unsigned char *p = w->obuf + w->olen;
    if (w->fmt == TRACE_FMT_BIN && rec->kind == TR_CTL) {
        bool addr = rec->ctl == TR_CTL_INVLPG || rec->ctl == TR_CTL_INVPCID;
        tr_st64(p, addr ? rec->vaddr : rec->value);
        p[8] = (unsigned char)(rec->pcid & 0xFF);
        p[9] = (unsigned char)(rec->pcid >> 8);
        p[10] = rec->arg;
        p[11] = 0;
        tr_st32(p + 12, (uint32_t)TR_CTL | (uint32_t)rec->ctl << 8); /* kind, operation, reserved = 0 */
        w->olen += TR_REC;
    } else if (w->fmt == TRACE_FMT_BIN) {
        tr_st64(p, rec->vaddr);
        tr_st32(p + 8, rec->size);
        tr_st32(p + 12, (uint32_t)rec->kind | (uint32_t)rec->priv << 8); /* kind, privilege, reserved = 0 */
        w->olen += TR_REC;
    } else if (rec->kind == TR_CTL) {
        char *q = (char *)p;
        size_t room = TR_BUF - w->olen;
        int n = 0;
        switch (rec->ctl) {
        case TR_CTL_CR3:
            n = snprintf(q, room, "CR3 0x%llx", (unsigned long long)(rec->value & ~(0xFFFull | 1ull << 63)));
            if (rec->value & 0xFFF)
                n += snprintf(q + n, room - (size_t)n, " pcid=%u", (unsigned)(rec->value & 0xFFF));
            if (rec->value >> 63)
                n += snprintf(q + n, room - (size_t)n, " noflush");
            break;
        case TR_CTL_INVLPG: n = snprintf(q, room, "INVLPG 0x%llx", (unsigned long long)rec->vaddr); break;
        case TR_CTL_INVPCID:
            n = snprintf(q, room, "INVPCID %u", rec->arg);
            if (rec->arg <= 1)
                n += snprintf(q + n, room - (size_t)n, " pcid=%u", rec->pcid);
            if (rec->arg == 0)
                n += snprintf(q + n, room - (size_t)n, " addr=0x%llx", (unsigned long long)rec->vaddr);
            break;
        default: /* TR_CTL_MODE */
            n = snprintf(q, room, "%s %u", tr_mode_names[rec->arg],
                         (unsigned)(rec->arg == TR_MODE_NOPG1G ? !rec->value : rec->value));
            break;
        }
        q[n++] = '\n';
        w->olen += (size_t)n;
    } else {
        /* "K 0xHEX SIZE\n": lower-case hex without leading zeros. */
        unsigned char *q = p, tmp[20];
        *q++ = (unsigned char)"RWXM"[rec->kind];
        *q++ = ' ';
        *q++ = '0';
        *q++ = 'x';
        int n = 0;
        uint64_t v = rec->vaddr;
        do {
            tmp[n++] = (unsigned char)"0123456789abcdef"[v & 15];
            v >>= 4;
        } while (v);
        while (n)
            *q++ = tmp[--n];
        *q++ = ' ';
        uint32_t s = rec->size;
        do {
            tmp[n++] = (unsigned char)('0' + s % 10);
            s /= 10;
        } while (s);
        while (n)
            *q++ = tmp[--n];
        if (rec->priv) {
            *q++ = ' ';
            *q++ = (unsigned char)" usi"[rec->priv];
        }
        *q++ = '\n';
        w->olen += (size_t)(q - p);
    }
    w->nrec++;
    return 0;
}

const char *trace_werror(const trace_writer_t *w) { return w && w->failed ? w->err : ""; }

int trace_wclose(trace_writer_t *w, char *err, size_t errlen) {
    if (!w)
        return 0;
    int rc = 0;
    if (!w->failed)
        wr_emit(w, true);
    if (w->own_fd && close(w->fd) != 0)
        wr_fail(w, "close: %s", strerror(errno));
    if (w->failed && w->err[0]) {
        tr_errf(err, errlen, "%s", w->err);
        rc = -1;
    }
    if (w->z_ready) {
        if (w->z == TRACE_Z_GZIP)
            deflateEnd(&w->gz);
        else if (w->z == TRACE_Z_XZ)
            lzma_end(&w->xz);
    }
    ZSTD_freeCCtx(w->zs);
    free(w->zbuf);
    free(w->obuf);
    free(w->path);
    free(w);
    return rc;
}

const char *trace_where(const trace_reader_t *r, char *buf, size_t n)
{
    if (r->fmt == TRACE_FMT_BIN) {
        uint64_t off = r->base + r->pos;
        snprintf(buf, n, "%s: record %llu", r->path, (unsigned long long)(off >= 8 ? (off - 8) / 16 : 0));
    } else {
        snprintf(buf, n, "%s:%llu", r->path, (unsigned long long)r->line);
    }
    return buf;
}
