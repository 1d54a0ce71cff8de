/* tlog.h - the per-translation log: one text line per response of the MMU,
 * written from sim_source_t.on_rsp (format: docs/log.md, version 2).
 *
 *   #mmulog v2
 *   #seq issue done va kind priv pa size src reads writes fault err pcid level rights
 *   0 0 13 0x7f0000001000 R U 0x4a3c000 4k walk 4:0x...=0x...,3:... 0x...=0x... - - 0 - wux
 *   ...
 *   #end 1234 translations
 *
 * The output is compressed when the name ends in ".gz" (gzip), ".zst"
 * (zstd) or ".xz" (xz); "-" is standard output. The bytes depend only on
 * the responses: the same run gives the same file. */
#ifndef MMU_TLOG_H
#define MMU_TLOG_H

#include <stddef.h>
#include <stdint.h>

#include "mmu_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tlog tlog_t;

/* Compression of a log, chosen by tlog_open from the name's ending. */
typedef enum { TLOG_Z_NONE = 0, TLOG_Z_GZIP, TLOG_Z_ZSTD, TLOG_Z_XZ } tlog_z_t;
tlog_z_t tlog_z_from_name(const char *path);

/* Create (truncate) path and write the two header lines. Returns 0, or -1
 * with "PATH: reason" in err. */
int tlog_open(tlog_t **out, const char *path, char *err, size_t errlen);

/* One line for one response (o->rsp_valid must be 1). I/O errors are kept
 * and reported by tlog_close; later lines are then dropped. */
void tlog_write(tlog_t *l, const mmu_out_t *o, const mmu_rsp_info_t *info);

/* sim_source_t.on_rsp with on_rsp_ctx = the tlog_t. */
void tlog_on_rsp(void *ctx, const mmu_out_t *o, const mmu_rsp_info_t *info);

/* Lines written so far (translations, not counting the header). */
uint64_t tlog_lines(const tlog_t *l);

/* Finish: with complete != 0 the trailer "#end N translations" is written
 * first (a log without it is from a run that stopped on an error). Flushes,
 * ends the compressed stream and closes the file. Returns 0, or -1 with the
 * first error ("PATH: reason"). NULL is a no-op that returns 0. */
int tlog_close(tlog_t *l, int complete, char *err, size_t errlen);

/* Format the line of one response into buf (with its '\n'); returns its
 * length, or 0 when n is too small. TLOG_LINE_MAX is always enough. */
#define TLOG_LINE_MAX 640
size_t tlog_format(char *buf, size_t n, const mmu_out_t *o, const mmu_rsp_info_t *info);

/* Names used in the `fault` and `src` columns. */
const char *tlog_fault_name(uint8_t fault, uint8_t cause); /* "-", "np", "rsvd", ..., "gp" */

#ifdef __cplusplus
}
#endif
#endif
