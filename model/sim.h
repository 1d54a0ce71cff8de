/* sim.h - stand-alone runs: a source of accesses drives the MMU through its
 * ports, a memsys answers its memory port, pages are mapped on demand, and
 * every response is counted. Cycles in which nothing can happen are skipped.
 *
 * Driver rules (docs/timing.md, "Stand-alone driver"):
 *   - an access is translated once per page it touches, lower page first;
 *     TR_MODIFY is one write access; TR_EXEC goes to the instruction side;
 *     all accesses are user-mode;
 *   - ISSUE_PIPELINED: req_valid is held from the cycle the access is
 *     available until it is accepted; ISSUE_INORDER: the next request is
 *     presented in the cycle after the previous response;
 *   - with processes > 1, access i belongs to process (i / switch_every) %
 *     processes; before the first access of another process the driver
 *     waits for ctl_ready and writes CR3 (with PCID and the no-flush bit
 *     when pcid is on).
 */
#ifndef MMU_SIM_H
#define MMU_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "mmu.h"
#include "mmu_config.h"
#include "stats.h"
#include "trace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* next access: 1 = *rec filled, 0 = end, -1 = error (message from errmsg) */
    int (*next)(void *ctx, trace_rec_t *rec);
    const char *(*errmsg)(void *ctx);
    void *ctx;
    const char *name; /* for messages: the file name or the workload name */
    /* optional: where the last access came from ("FILE:LINE"), for messages */
    const char *(*where)(void *ctx, char *buf, size_t n);
    /* optional: called for every response, in response order */
    void (*on_rsp)(void *ctx, const mmu_out_t *o, const mmu_rsp_info_t *info);
    void *on_rsp_ctx;
    /* optional: called about every 2^20 accesses and at the end */
    void (*progress)(void *ctx, uint64_t accesses, uint64_t cycles, int final);
    void *progress_ctx;
} sim_source_t;

/* Run to the end of the source. Returns 0, or -1 with a one-line message. */
int sim_run(const sim_config_t *cfg, const sim_source_t *src, stats_t *st, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
