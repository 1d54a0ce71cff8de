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
#define TR_MAGIC "MMUTRC01"
#define TR_MAGIC_LEN 8u
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

/* One mmutrace text line: 1 = record, 0 = nothing (blank/comment), -1 = error. */
static int rd_text_line(trace_reader_t *r, const unsigned char *s, const unsigned char *e, trace_rec_t *rec) {
    char tok[32];
    while (s < e && tr_blank(*s))
        s++;
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
    if (kind == 99 || (s + 1 < e && !tr_blank(s[1])))
        return rd_fail_line(r, r->line, "unknown kind '%s' (expected R, W, X or M)",
                            tr_token(tok, sizeof tok, s, e));
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
    if (s < e && *s != '#') {
        const unsigned char *z = s;
        if (tr_parse_dec(&s, e, &size) || (s < e && !tr_blank(*s) && *s != '#'))
            return rd_fail_line(r, r->line, "bad size '%s'", tr_token(tok, sizeof tok, z, e));
        if (size == 0)
            return rd_fail_line(r, r->line, "size 0 (must be 1..%u)", TR_MAX_SIZE);
        if (size > TR_MAX_SIZE)
            return rd_fail_line(r, r->line, "size %s above %u", tr_token(tok, sizeof tok, z, e), TR_MAX_SIZE);
        while (s < e && tr_blank(*s))
            s++;
        if (s < e && *s != '#')
            return rd_fail_line(r, r->line, "trailing junk '%s'", tr_token(tok, sizeof tok, s, e));
    }
    rec->vaddr = addr;
    rec->size = size;
    rec->kind = (uint8_t)kind;
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
    if (magic6 && r->end >= TR_MAGIC_LEN && memcmp(r->buf, TR_MAGIC, TR_MAGIC_LEN) == 0) {
        if (fmt == TRACE_FMT_TEXT || fmt == TRACE_FMT_LACKEY) {
            rd_fail(r, "an mmutrace binary trace, not %s", trace_fmt_name(fmt));
            goto fail;
        }
        r->fmt = TRACE_FMT_BIN;
        r->pos = TR_MAGIC_LEN;
    } else if (magic6 && (fmt == TRACE_FMT_AUTO || fmt == TRACE_FMT_BIN)) {
        char tok[32];
        if (r->end < TR_MAGIC_LEN)
            rd_fail(r, "truncated binary trace header (%zu of %u bytes)", r->end, TR_MAGIC_LEN);
        else
            rd_fail(r, "unsupported binary trace version '%s' (expected '" TR_MAGIC "')",
                    tr_token(tok, sizeof tok, r->buf, r->buf + TR_MAGIC_LEN));
        goto fail;
    } else if (fmt == TRACE_FMT_BIN) {
        rd_fail(r, "bad magic (not an mmutrace binary trace: expected '" TR_MAGIC "')");
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
            uint64_t nrec = (r->base + r->pos - TR_MAGIC_LEN) / TR_REC + 1;
            uint32_t size = tr_ld32(p + 8);
            if (p[12] > 3)
                return rd_fail(r, "record %llu: bad kind %u", (unsigned long long)nrec, p[12]);
            if (p[13] != 0)
                return rd_fail(r, "record %llu: flags 0x%02x not zero", (unsigned long long)nrec, p[13]);
            if (p[14] != 0 || p[15] != 0)
                return rd_fail(r, "record %llu: reserved bytes 0x%02x%02x not zero", (unsigned long long)nrec,
                               p[15], p[14]);
            if (size == 0 || size > TR_MAX_SIZE)
                return rd_fail(r, "record %llu: bad size %u (must be 1..%u)", (unsigned long long)nrec, size,
                               TR_MAX_SIZE);
            rec->vaddr = tr_ld64(p);
            rec->size = size;
            rec->kind = p[12];
            r->pos += TR_REC;
            return 1;
        }
        if (r->eof) {
            if (avail == 0) {
                r->state = 1;
                return 0;
            }
            return rd_fail(r, "byte %llu: truncated record (%zu of %u bytes)",
                           (unsigned long long)(r->base + r->pos), avail, TR_REC);
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
    /* The binary fast path: one well-formed record straight from the buffer
     * (kind <= 3 with flags and reserved zero is one compare of bytes 12..15). */
    if (r->fmt == TRACE_FMT_BIN && r->end - r->pos >= TR_REC) {
        const unsigned char *p = r->buf + r->pos;
        uint32_t size = tr_ld32(p + 8), tail = tr_ld32(p + 12);
        if (tail <= 3 && size - 1u < TR_MAX_SIZE) {
            rec->vaddr = tr_ld64(p);
            rec->size = size;
            rec->kind = (uint8_t)tail;
            r->pos += TR_REC;
            return 1;
        }
    }
    return rd_next_slow(r, rec);
}

const char *trace_error(const trace_reader_t *r) { return r && r->state < 0 ? r->err : ""; }

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
#define TR_TEXT_HEADER "#mmutrace text v1\n"

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
    if (rec->kind > 3)
        return wr_fail(w, "record %llu: bad kind %u", (unsigned long long)w->nrec + 1, rec->kind);
    if (rec->size == 0 || rec->size > TR_MAX_SIZE)
        return wr_fail(w, "record %llu: bad size %u (must be 1..%u)", (unsigned long long)w->nrec + 1, rec->size,
                       TR_MAX_SIZE);
    if (TR_BUF - w->olen < 64 && wr_emit(w, false) < 0)
        return -1;
    unsigned char *p = w->obuf + w->olen;
    if (w->fmt == TRACE_FMT_BIN) {
        tr_st64(p, rec->vaddr);
        tr_st32(p + 8, rec->size);
        tr_st32(p + 12, rec->kind); /* kind, then flags = 0, reserved = 0 */
        w->olen += TR_REC;
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
