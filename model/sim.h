/* sim.h - stand-alone runs: a source of accesses drives the MMU through its
 * ports, a memsys answers its memory port, pages are mapped on demand, and
 * every response is counted. Cycles in which nothing can happen are skipped.
 *
 * Driver rules (docs/timing.md, "Stand-alone driver"):
 *   - an access is translated once per page it touches, lower page first;
 *     TR_MODIFY is one write access; TR_EXEC goes to the instruction side;
 *     the privilege is the record's (TR_PRIV_*: req_user, req_implicit),
 *     sim_opts_t.priv for records that do not give one (default user);
 *   - a control record (TR_CTL) waits for ctl_ready and is one control
 *     operation: CR3 (replay only), INVLPG, INVPCID, or MMU_CTL_MODE with the
 *     whole mode word, one bit changed; counted in stats_t.ctl_ops;
 *   - an access with a non-canonical byte is one request for the first such
 *     byte: the MMU answers #GP (counted, logged); an access wrapping past
 *     2^64-1 is an error naming its record;
 *   - ISSUE_PIPELINED: req_valid is held from the cycle the access is
 *     available until it is accepted; ISSUE_INORDER: the next request is
 *     presented in the cycle after the previous response;
 *   - with processes > 1, access i belongs to process (i / switch_every) %
 *     processes; before the first access of another process the driver
 *     waits for ctl_ready and writes CR3 (with PCID and the no-flush bit
 *     when pcid is on).
 *
 * Replay (sim_run_opts with opts->mem, docs/replay.md): the page tables are
 * given (a memory image, or a snapshot rebuilt with pt_map) and nothing is
 * mapped on demand: an access to an unmapped page gets the fault the
 * architecture gives, it is counted, and the run goes on. One address space
 * (processes = 1), CR3 = opts->cr3, mode = cfg->mode as it is (CR4.PCIDE
 * when pcid is on). An access is split at the boundary of the page that a
 * walk of the tables finds (P and PS bits only), at 4 KiB when it finds none.
 */
#ifndef MMU_SIM_H
#define MMU_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "mmu.h"
#include "mmu_config.h"
#include "pmem.h"
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

/* Privilege of the driver's requests (req_user). */
typedef enum {
    SIM_PRIV_USER = 0,       /* every request user-mode (CPL 3): the default */
    SIM_PRIV_SUPERVISOR = 1, /* every request supervisor-mode */
    SIM_PRIV_SPLIT = 2       /* supervisor for the upper canonical half (bit 63 = 1), user below */
} sim_priv_t;

/* Optional parts of a run; an all-zero struct (or NULL) is sim_run. */
typedef struct {
    /* replay: physical memory holding the page tables (NULL: build them and
     * map pages on demand). The walker's A/D writes go into it. */
    pmem_t *mem;
    uint64_t cr3; /* replay: CR3 (PCID in bits 11:0 when pcid is on); bits 63:MAXPHYADDR must be 0 */
    sim_priv_t priv;
    /* replay, optional: called for each page request before it is offered,
     * to bring the paging-structure entries on va's path into mem (lazy
     * loading of a large image). 0, or -1 with a message in err. */
    int (*prepare)(void *ctx, pmem_t *mem, uint64_t cr3, uint64_t va, char *err, size_t errlen);
    void *prepare_ctx;
} sim_opts_t;

/* Run to the end of the source. Returns 0, or -1 with a one-line message. */
int sim_run(const sim_config_t *cfg, const sim_source_t *src, stats_t *st, char *err, size_t errlen);
int sim_run_opts(const sim_config_t *cfg, const sim_opts_t *opts, const sim_source_t *src, stats_t *st, char *err,
                 size_t errlen);

/* Name of a privilege setting ("user", "supervisor", "split") and back (0 / -1). */
const char *sim_priv_name(sim_priv_t p);
int sim_priv_parse(const char *s, sim_priv_t *out);

#ifdef __cplusplus
}
#endif
#endif
