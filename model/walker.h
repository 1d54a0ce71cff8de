/* walker.h - one hardware page-table walker (docs/timing.md 4, steps 3, 4
 * and 6; SDM Vol. 3A 4.5, 4.6, 4.8): the entries it reads, the rights it
 * combines, its locked A/D updates and its result. The MMU has up to 16 of
 * them (model/mmu.c); the RTL twin is the walker part of rtl/mmu_top.sv.
 *
 * A walker is a plain struct driven by the MMU's cycle step: started by a
 * dispatch, given its page-walk-cache result, granted the memory port,
 * handed the memory port's responses; `complete` says that its walk ends
 * at the end of the current cycle. Nothing here looks at other walkers,
 * the TLBs or the request table.
 */
#ifndef MMU_WALKER_H
#define MMU_WALKER_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu_types.h"
#include "sa.h"

#ifdef __cplusplus
extern "C" {
#endif

/* W_IDLE .. W_ADWAIT: the walker states of docs/timing.md section 4. */
typedef enum { W_IDLE = 0, W_PWC, W_MEMRQ, W_MEMWAIT, W_ADW, W_ADWAIT } walker_state_t;

typedef struct {
    uint8_t state;
    uint8_t level; /* level of the entry being fetched, 4..1 */
    uint8_t acc;
    bool user;     /* effective privilege ([T:implicit]) */
    bool implicit;
    uint16_t pcid;
    uint64_t va;
    uint64_t due;   /* W_PWC: cycle of the PWC lookup */
    uint64_t t_start; /* cycle of the dispatch that started the walk (counters) */
    uint64_t table; /* base of the table at `level` */
    uint8_t pwc_hit;
    uint8_t read_mask;    /* bit L set: the level-L entry was read by this walk */
    uint64_t pte[5];      /* values read, by level (with the A/D bits this walk sets) */
    uint64_t pte_orig[5]; /* values as read */
    uint64_t pte_addr[5]; /* their physical addresses */
    uint8_t cum[5];       /* combined SA_RW|SA_US|SA_XD after level L */
    uint8_t mem_reads;
    int8_t waiters; /* first waiter (the owner), linked by the request table */
    /* locked A/D updates: nwr of them, wr_i the current one, of the entry at
     * level wr_level[i] */
    uint8_t nwr, wr_i;
    uint8_t wr_level[4];
    uint64_t wr_addr[4], wr_data[4];
    uint8_t restarts; /* [T:ad-check] */
    /* every locked update made (a restart does not forget them): the count,
     * and the first four in the order they were made */
    uint8_t ad_total;
    uint64_t ad_addr[4], ad_data[4];
    /* result */
    uint8_t fault, cause, size;
    uint8_t fault_level; /* #PF: level of the faulting entry */
    uint64_t frame;
    uint8_t leaf_level;
    uint8_t tlb_flags; /* SA_* for the TLB fill */
    bool complete;     /* completes at the end of this cycle */
} walker_t;

/* What the walker needs of the MMU's state to process an entry. */
typedef struct {
    uint32_t mode;       /* MMU_MODE_* */
    unsigned maxphyaddr; /* MAXPHYADDR */
    uint64_t amask;      /* bits M-1:12 */
    uint64_t cr3_base;   /* CR3[M-1:12]: where a walk without PWC hit (or a restart) starts */
} walker_env_t;

/* [T:dispatch] A new walk for (va, acc, user, implicit, pcid), its owner
 * the request-table entry `owner`, dispatched in cycle t: its PWC lookup
 * is due in t + pwc_lat - 1. */
void walker_start(walker_t *w, uint64_t va, uint8_t acc, bool user, bool implicit, uint16_t pcid, int8_t owner,
                  uint64_t t, uint32_t pwc_lat);

/* [T:dispatch] join rule: w walks the same 4 KiB page for the same PCID,
 * access kind, effective privilege and req_implicit. */
static inline bool walker_matches(const walker_t *w, uint64_t va, uint16_t pcid, uint8_t acc, bool user,
                                  bool implicit)
{
    return (((w->va ^ va) & 0xFFFFFFFFFFFFull) >> 12) == 0 && w->pcid == pcid && w->acc == acc && w->user == user &&
           w->implicit == implicit;
}

/* [T:lookup] PWC result: `deepest` 0 PML4E, 1 PDPTE, 2 PDE cache hit, -1
 * none; `hit` the deepest hit's entry. The walker goes to W_MEMRQ. */
void walker_pwc_result(walker_t *w, int deepest, const sa_entry_t *hit, uint64_t cr3_base);

/* [T:memory port] The request the walker drives when granted (W_MEMRQ or
 * W_ADW): fills mem_req_we, mem_req_addr, mem_req_wdata of *o. */
void walker_mem_request(const walker_t *w, mmu_out_t *o);

/* [T:memory port] Granted in this cycle: MEMRQ -> MEMWAIT, ADW -> ADWAIT. */
void walker_granted(walker_t *w);

/* [T:walk] A memory response for this walker (W_MEMWAIT or W_ADWAIT). */
void walker_response(walker_t *w, const walker_env_t *env, uint64_t data);

#ifdef __cplusplus
}
#endif
#endif
