/* rtable.h - the request table (docs/timing.md section 4): an entry per
 * accepted request from acceptance to response, its state (L1, STLB, MISS,
 * WALK, DONE), the queues of the lookups and of the misses, the DONE
 * entries in acceptance order ([T:response]), and the ids of the
 * outstanding requests (the protocol check of 2.1). The RTL twin is the
 * request-table part of rtl/mmu_top.sv.
 */
#ifndef MMU_RTABLE_H
#define MMU_RTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu_types.h"
#include "sa.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RT_MAX 64 /* the most request-table entries (config key outstanding) */

typedef enum { RT_FREE = 0, RT_L1, RT_STLB, RT_MISS, RT_WALK, RT_DONE } rt_state_t;

typedef struct {
    uint8_t state;
    uint8_t acc;
    bool user;     /* effective: req_user and not req_implicit */
    bool implicit; /* req_implicit [T:implicit] */
    uint8_t walker;
    uint32_t id;
    uint64_t va;
    uint64_t due; /* cycle of the lookup in RT_L1 / RT_STLB */
    int8_t next;  /* next waiter of the same walker, -1 */
    /* result */
    uint64_t paddr;
    uint8_t size, fault, cause, err, src, pwc;
    mmu_rsp_info_t info;
} rt_entry_t;

/* A queue of entry indices, in order. */
typedef struct {
    int8_t v[RT_MAX];
    uint32_t head, n, cap;
} rt_ring_t;

static inline void rt_ring_push(rt_ring_t *r, int8_t x) { r->v[(r->head + r->n++) % r->cap] = x; }
static inline int8_t rt_ring_head(const rt_ring_t *r) { return r->v[r->head]; }
static inline void rt_ring_pop(rt_ring_t *r)
{
    r->head = (r->head + 1) % r->cap;
    r->n--;
}

typedef struct {
    rt_entry_t e[RT_MAX];
    uint32_t cap, count;   /* entries, entries in use */
    uint64_t seq;          /* acceptance order */
    rt_ring_t l1q, stlbq, missq;
    int8_t done[RT_MAX];   /* RT_DONE entries, oldest (smallest seq) first */
    uint32_t ndone;
    uint64_t id_out[65536 / 64]; /* one bit per id of an outstanding request */
} rtable_t;

void rt_init(rtable_t *r, uint32_t cap);

static inline bool rt_id_outstanding(const rtable_t *r, uint16_t id) { return r->id_out[id >> 6] >> (id & 63) & 1; }

/* [T:request] The request of `in`, accepted in cycle t: the lowest free
 * entry, state L1 with its lookup due in t + l1_lat - 1. Returns its index.
 * It joins the L1 queue and the outstanding ids in rt_accept_commit (after
 * this cycle's response has freed its entry, [T:response]). */
int rt_alloc(rtable_t *r, const mmu_in_t *in, uint64_t t, uint32_t l1_lat);
void rt_accept_commit(rtable_t *r, int idx);

/* [T:response] The oldest DONE entry answers in cycle t and is freed;
 * returns its index (its info stays valid until the entry is reused). */
int rt_respond(rtable_t *r, uint64_t t);

/* The entry becomes DONE, in acceptance order among the DONE entries. */
void rt_done(rtable_t *r, int idx);

/* Combined rights of an array entry's SA_RW/SA_US/SA_XD as MMU_RIGHT_*. */
static inline uint8_t rt_rights_of(uint8_t sa_flags)
{
    return (uint8_t)(((sa_flags & SA_RW) ? MMU_RIGHT_RW : 0) | ((sa_flags & SA_US) ? MMU_RIGHT_US : 0) |
                     ((sa_flags & SA_XD) ? MMU_RIGHT_XD : 0));
}

/* A TLB hit's result (src L1 or STLB). */
void rt_finish_hit(rt_entry_t *e, const sa_entry_t *hit, uint8_t src, uint16_t pcid);

#ifdef __cplusplus
}
#endif
#endif
