/* trace.h - streaming readers and writers of memory-access traces.
 *
 * Formats (docs/traces.md):
 *   - valgrind lackey:  "I  0023C790,2", " L 0001FFEF,8", " S ...", " M ..."
 *                       (other lines, such as "==123== ...", are ignored)
 *   - mmutrace text:    "R 7fff0000 8" / "W ..." / "X ..." / "M ...", '#' comments
 *   - mmutrace binary:  8-byte magic "MMUTRC01" then 16-byte little-endian records
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

/* Access kinds of a trace record. M is one read-modify-write access. */
typedef enum { TR_READ = 0, TR_WRITE = 1, TR_EXEC = 2, TR_MODIFY = 3 } trace_kind_t;

typedef struct {
    uint64_t vaddr;
    uint32_t size; /* bytes, >= 1 */
    uint8_t kind;  /* trace_kind_t */
} trace_rec_t;

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
