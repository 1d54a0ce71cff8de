/* trace.h - streaming readers and writers of memory-access traces.
 *
 * Formats (docs/traces.md):
 *   - valgrind lackey:  "I  0023C790,2", " L 0001FFEF,8", " S ...", " M ..."
 *                       (other lines, such as "==123== ...", are ignored)
 *   - mmutrace text:    "R 7fff0000 8 [u|s|i]" / "W ..." / "X ..." / "M ...", control
 *                       records ("CR3 0x5000 pcid=3 noflush", "SMAP 1", "INVLPG 0x..."),
 *                       '#' comments; version line "#mmutrace text v2" (v1: accesses only)
 *   - mmutrace binary:  8-byte magic "MMUTRC02" (or "MMUTRC01", accesses only)
 *                       then 16-byte little-endian records
 * each optionally compressed with gzip, xz or zstd; the compression and the
 * format are detected from the content, never from the file name. Readers
 * stream in constant memory, from a file or from standard input ("-").
 */
#ifndef MMU_TRACE_H
#define MMU_TRACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Kinds of a trace record. M is one read-modify-write access; TR_CTL is a
 * control record (version 2): a write of control state or a TLB
 * invalidation between accesses, in trace order. */
typedef enum { TR_READ = 0, TR_WRITE = 1, TR_EXEC = 2, TR_MODIFY = 3, TR_CTL = 4 } trace_kind_t;

/* Privilege of an access (version 2; trace_rec_t.priv). */
typedef enum {
    TR_PRIV_DEFAULT = 0,  /* not given: the run's default (mmusim --priv) */
    TR_PRIV_USER = 1,     /* user-mode access (CPL 3) */
    TR_PRIV_SUPER = 2,    /* explicit supervisor-mode access (CPL < 3) */
    TR_PRIV_IMPLICIT = 3  /* implicit supervisor-mode access (SDM 4.6): a read or
                             write of a descriptor table and the like; never a fetch */
} trace_priv_t;

/* Control records (trace_rec_t.ctl, kind TR_CTL): what the MMU's control
 * channel takes (mmu_ctl_op_t). */
typedef enum {
    TR_CTL_CR3 = 1,     /* MOV to CR3: value = the operand (bit 63 no-flush, 11:0 PCID) */
    TR_CTL_INVLPG = 2,  /* vaddr = the linear address */
    TR_CTL_INVPCID = 3, /* arg = type 0..3, pcid, vaddr (type 0) */
    TR_CTL_MODE = 4     /* one mode bit: arg = its index (MMU_MODE_x == 1u << arg), value = 0 or 1 */
} trace_ctl_t;

/* Mode bit indices of TR_CTL_MODE (the bit's value as in the mode word:
 * TR_MODE_NOPG1G = 1 means "no 1 GiB pages", text "PAGE1GB 0"). */
enum {
    TR_MODE_WP = 0, TR_MODE_PCIDE = 1, TR_MODE_SMEP = 2, TR_MODE_SMAP = 3,
    TR_MODE_PGE = 4, TR_MODE_NXE = 5, TR_MODE_AC = 6, TR_MODE_NOPG1G = 7, TR_MODE_COUNT = 8
};

/* One record. vaddr, size and kind are the whole record of a version-1
 * access; a record with the other fields zero is an access with the run's
 * default privilege. */
typedef struct {
    uint64_t vaddr; /* access: first byte; INVLPG, INVPCID: the linear address */
    uint32_t size;  /* access: bytes 1..4096; TR_CTL: 0 */
    uint8_t kind;   /* trace_kind_t */
    uint8_t priv;   /* access: trace_priv_t; TR_CTL: 0 */
    uint8_t ctl;    /* TR_CTL: trace_ctl_t; else 0 */
    uint8_t arg;    /* INVPCID: type 0..3; MODE: bit index 0..7; else 0 */
    uint16_t pcid;  /* INVPCID: PCID 0..4095; else 0 */
    uint64_t value; /* CR3: the value written; MODE: 0 or 1; else 0 */
} trace_rec_t;

/* Text mnemonic of a mode bit index ("WP", ..., "PAGE1GB"); NULL if unknown. */
const char *trace_mode_name(unsigned bit);

/* Checks a record as the writers and the binary reader do: "" when valid,
 * else the reason ("bad kind 5", "CR3 value 0x... has reserved bits 62:52
 * set", "an implicit access cannot be an instruction fetch", ...). */
const char *trace_rec_check(const trace_rec_t *rec, char *buf, size_t n);

typedef enum { TRACE_FMT_AUTO = 0, TRACE_FMT_LACKEY, TRACE_FMT_TEXT, TRACE_FMT_BIN } trace_fmt_t;
typedef enum { TRACE_Z_NONE = 0, TRACE_Z_GZIP, TRACE_Z_XZ, TRACE_Z_ZSTD } trace_z_t;

typedef struct trace_reader trace_reader_t;
typedef struct trace_writer trace_writer_t;

/* Open path ("-" = standard input). fmt AUTO detects the format from the
 * first bytes after decompression. Returns 0, or -1 with "PATH: reason" in err. */
int trace_open(trace_reader_t **out, const char *path, trace_fmt_t fmt, char *err, size_t errlen);

/* Next record: 1 = *rec filled, 0 = clean end of trace, -1 = error; the error
 * message ("PATH:LINE: reason" or "PATH: byte N: reason") is trace_error(). */
int trace_next(trace_reader_t *r, trace_rec_t *rec);

const char *trace_error(const trace_reader_t *r);
trace_fmt_t trace_format(const trace_reader_t *r);
/* Format version: 1 or 2 for text (from the version line; 2 without one)
 * and binary (from the magic); 0 for lackey. */
unsigned trace_version(const trace_reader_t *r);
trace_z_t trace_compression(const trace_reader_t *r);
void trace_close(trace_reader_t *r); /* NULL is a no-op */

/* Where the last record came from, for messages: "PATH:LINE" for text and
 * lackey traces, "PATH: record N" (from 1) for binary ones. Returns buf. */
const char *trace_where(const trace_reader_t *r, char *buf, size_t n);

/* Writers (used by the converter `mmutrace` and by tests). fmt is TEXT or BIN. */
int trace_wopen(trace_writer_t **out, const char *path, trace_fmt_t fmt, trace_z_t z, char *err, size_t errlen);
int trace_write(trace_writer_t *w, const trace_rec_t *rec); /* 0 or -1 */
int trace_wclose(trace_writer_t *w, char *err, size_t errlen); /* flushes; NULL is a no-op */

const char *trace_fmt_name(trace_fmt_t f);
const char *trace_z_name(trace_z_t z);

/* Added: the first error of a writer ("PATH: reason"; "" if none), so that a
 * failed trace_write can be reported before trace_wclose. */
const char *trace_werror(const trace_writer_t *w);

/* Added: the inverse of trace_fmt_name / trace_z_name ("auto", "lackey",
 * "text", "bin" / "none", "gzip", "xz", "zstd"); 0, or -1 if unknown. */
int trace_fmt_from_name(const char *name, trace_fmt_t *out);
int trace_z_from_name(const char *name, trace_z_t *out);

#ifdef __cplusplus
}
#endif
#endif
