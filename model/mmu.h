/* mmu.h - the cycle-level MMU: L1 TLBs, STLB, page-walk caches, the walkers
 * and the request table, behind the ports of docs/timing.md.
 *
 * One cycle is two calls:
 *     mmu_eval(m, &out);    outputs of this cycle (from the state alone)
 *     mmu_step(m, &in);     inputs of this cycle; state advances to the next
 * The lockstep testbench calls them every cycle; stand-alone runs call
 * mmu_next_event()/mmu_skip_to() to jump over cycles in which nothing can
 * happen. Both paths run exactly this code.
 */
#ifndef MMU_MMU_H
#define MMU_MMU_H

#include <stddef.h>
#include <stdint.h>

#include "mmu_config.h"
#include "mmu_types.h"
#include "sa.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mmu mmu_t;

/* Check the configuration (mmu_config_check) and build an MMU in its reset
 * state: every array invalid, CR3 = 0, mode = 0, cycle 0. Returns 0, or -1
 * with "key: reason" in err. */
int mmu_create(const mmu_config_t *cfg, mmu_t **out, char *err, size_t errlen);
void mmu_destroy(mmu_t *m); /* NULL is a no-op */

/* Set CR3 and the mode bits directly, as at reset (no flush, no cycle). */
void mmu_set_state(mmu_t *m, uint64_t cr3, uint32_t mode);

void mmu_eval(mmu_t *m, mmu_out_t *out);

/* Advance one cycle. Returns 0, or -1 on a protocol violation by the
 * environment (message in mmu_error(); docs/timing.md 2.5): req_valid with
 * ctl_valid, a memory response for a walker that is not waiting for one, an
 * unknown control operation, a control operation withdrawn or changed before
 * its handshake (checked between consecutive steps), an accepted req_id that
 * is still outstanding. The state is then unchanged. */
int mmu_step(mmu_t *m, const mmu_in_t *in);

const char *mmu_error(const mmu_t *m);
uint64_t mmu_cycle(const mmu_t *m);

/* Facts about the response of the last stepped cycle (valid when that
 * cycle's rsp_valid was 1). */
const mmu_rsp_info_t *mmu_last_info(const mmu_t *m);

/* Earliest cycle >= mmu_cycle() in which the MMU does something with no new
 * input (a lookup, a response, a memory request); UINT64_MAX if it only
 * waits for inputs (a memory response, a request, a control operation). */
uint64_t mmu_next_event(const mmu_t *m);

/* Jump to `cycle` (<= mmu_next_event()); the skipped cycles are idle. */
void mmu_skip_to(mmu_t *m, uint64_t cycle);

/* Number of requests accepted and not yet answered. */
uint32_t mmu_outstanding(const mmu_t *m);

uint64_t mmu_cr3(const mmu_t *m);
uint32_t mmu_mode(const mmu_t *m);
uint16_t mmu_pcid(const mmu_t *m); /* current PCID: CR3[11:0] if PCIDE, else 0 */

/* Walk counters of the run (docs/stats.md "walks"), by access kind (0 read,
 * 1 write, 2 fetch): they count, they never change what the MMU does. A walk
 * is counted once (joined requests are not walks); it takes the cycles from
 * its dispatch to its completion, both counted. */
typedef struct {
    uint64_t started[3];
    uint64_t completed[3];     /* ended with a translation */
    uint64_t faulted[3];       /* ended with a page fault */
    uint64_t cycles[3];        /* sum over walks of their cycles (walks pending, summed per cycle) */
    uint64_t active_cycles[3]; /* cycles in which at least one walk of the kind was in progress */
    uint64_t restarts;         /* walks restarted by a changed entry ([T:ad-check]) */
} mmu_walk_counts_t;
const mmu_walk_counts_t *mmu_walk_counts(const mmu_t *m);

/* Read access to the arrays, for tests, dumps and the end-of-test compare
 * (each sa_t also carries its counters, sa_t.cnt). Ids 0 .. ntlb-1 are the
 * configuration's TLB arrays, then its page-walk caches, each in order
 * (mmu_config_t); mmu_array() is NULL for an id >= mmu_narrays(). */
unsigned mmu_narrays(const mmu_t *m);
unsigned mmu_ntlb(const mmu_t *m); /* ids below are TLB arrays */
const sa_t *mmu_array(const mmu_t *m, unsigned id);
const char *mmu_array_name(const mmu_t *m, unsigned id); /* "?" when out of range */
/* Array id of a TLB array / page-walk cache by name, or -1. */
int mmu_array_find(const mmu_t *m, const char *name);

#ifdef __cplusplus
}
#endif
#endif
