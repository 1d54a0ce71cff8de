/* sa.h - the set-associative array used for every TLB and page-walk cache.
 *
 * Replacement is bit-exact with the RTL (docs/timing.md, "Replacement"):
 *   LRU     per-way age 0 (MRU) .. ways-1 (LRU); reset age[w] = w; a touch of
 *           way w increments every age below age[w] and sets age[w] = 0;
 *           victim: the way whose age is ways-1.
 *   PLRU    tree of ways-1 bits in heap order (children of node n: 2n+1,
 *           2n+2), reset 0; victim: from the root go left on 0, right on 1;
 *           a touch points every node on the way's path away from it.
 *   RANDOM  16-bit Galois LFSR, taps 0xB400 (x^16+x^14+x^13+x^11+1), one
 *           step per victim choice, victim = lfsr % ways (after the step).
 * A fill takes the way a lookup of the same tag would hit if there is one,
 * else the lowest-numbered invalid way, else the policy's victim (the LFSR
 * steps only then), and touches it.
 */
#ifndef MMU_SA_H
#define MMU_SA_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu_config.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    SA_V = 1u << 0,  /* valid */
    SA_G = 1u << 1,  /* global (TLB: leaf G and CR4.PGE at fill) */
    SA_RW = 1u << 2, /* combined R/W */
    SA_US = 1u << 3, /* combined U/S */
    SA_XD = 1u << 4, /* combined XD */
    SA_D = 1u << 5   /* leaf dirty (TLB only) */
};

typedef struct {
    uint64_t tag;  /* TLB: page number at the entry's size (va[47:shift]); PWC: va[47:39|30|21] */
    uint64_t data; /* TLB: frame base; PWC: next paging-structure base */
    uint16_t pcid;
    uint8_t size;  /* TLB: MMU_PS_* of the entry (the piece, when splintered); PWC: MMU_PWC_* level */
    uint8_t asize; /* TLB: MMU_PS_* of the page it translates (> size: a piece); PWC: 0 */
    uint8_t flags; /* SA_* */
} sa_entry_t;

/* What happened to an array (docs/stats.md "arrays"): counted, never read
 * by the MMU. Lookups by access kind (0 read, 1 write, 2 fetch; a page-walk
 * cache counts the kind of the walk): lookups = hits + soft misses + misses. */
typedef struct {
    uint64_t lookups[3], hits[3], soft[3];
    uint64_t fills, evictions; /* evictions: fills that replaced a valid entry of another tag */
} sa_counts_t;

typedef struct {
    uint32_t sets, ways, set_mask;
    mmu_repl_t repl;
    sa_counts_t cnt;
    uint16_t lfsr;
    sa_entry_t *e;  /* sets * ways, way-major within a set */
    uint8_t *age;   /* LRU: sets * ways */
    uint64_t *plru; /* PLRU: one word per set */
} sa_t;

/* cfg->entries == 0 gives an empty, disabled array (sets == 0). Returns 0, -1 on allocation failure. */
int sa_init(sa_t *a, const mmu_array_cfg_t *cfg);
void sa_free(sa_t *a);
void sa_reset(sa_t *a); /* invalidate all, replacement state to reset values */

static inline bool sa_enabled(const sa_t *a) { return a->sets != 0; }
static inline uint32_t sa_set(const sa_t *a, uint64_t tag) { return (uint32_t)(tag & a->set_mask); }
static inline sa_entry_t *sa_way(const sa_t *a, uint32_t set, uint32_t way) { return &a->e[(uint64_t)set * a->ways + way]; }

/* Lookup: the lowest way with V, same tag and size, and G or same pcid; -1 if none. */
static inline int sa_find(const sa_t *a, uint32_t set, uint64_t tag, uint8_t size, uint16_t pcid)
{
    const sa_entry_t *e = &a->e[(uint64_t)set * a->ways];
    for (uint32_t w = 0; w < a->ways; w++) {
        if ((e[w].flags & SA_V) && e[w].tag == tag && e[w].size == size && ((e[w].flags & SA_G) || e[w].pcid == pcid))
            return (int)w;
    }
    return -1;
}

void sa_touch(sa_t *a, uint32_t set, uint32_t way);
uint32_t sa_victim(sa_t *a, uint32_t set); /* policy victim; steps the LFSR for RANDOM */
uint32_t sa_fill(sa_t *a, const sa_entry_t *ent); /* returns the way written */

/* One LFSR step (exposed for tests and the RTL's reference). */
static inline uint16_t sa_lfsr_step(uint16_t l) { return (uint16_t)((l >> 1) ^ ((l & 1u) ? 0xB400u : 0u)); }

#ifdef __cplusplus
}
#endif
#endif
