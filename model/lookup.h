/* lookup.h - the MMU's arrays and what is done to them: the L1 ITLB and
 * DTLB per page size, the STLB, the PML4E/PDPTE/PDE caches (each an sa_t,
 * model/sa.h); the lookups of docs/timing.md [T:lookup] with the soft-miss
 * rule (5.4), the fills and invalidations of [T:update], and the
 * invalidations of the control operations (2.4, SDM 4.10.4.1).
 *
 * A lookup never changes an array: it returns the way it hit as a touch,
 * which the MMU applies at the end of the cycle (7a), after every lookup
 * of the cycle has seen the arrays as they were at its start.
 */
#ifndef MMU_LOOKUP_H
#define MMU_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu_config.h"
#include "mmu_types.h"
#include "sa.h"
#include "walker.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    sa_t itlb[MMU_PS_COUNT], dtlb[MMU_PS_COUNT], stlb, pwc[MMU_PWC_COUNT];
    uint32_t stlb_sizes; /* page sizes the STLB holds (bit per MMU_PS_*) */
} lookup_t;

/* A way that a lookup hit: its replacement state is updated at the end of
 * the cycle ([T:update] 7a). */
typedef struct {
    sa_t *arr;
    uint32_t set, way;
} lk_touch_t;

/* Every array of the configuration. Returns 0, or -1 with "NAME: out of
 * memory" in err (names as mmu_array_name()). */
int lk_init(lookup_t *l, const mmu_config_t *cfg, char *err, size_t errlen);
void lk_free(lookup_t *l);

/* Array by the ids of mmu.h (MMU_ARR_*: itlb.4k .. pwc.pde); NULL if out of range. */
sa_t *lk_array(lookup_t *l, unsigned id);
/* Its name as in the configuration ("itlb.4k" .. "pwc.pde"); "?" if out of range. */
const char *lk_array_name(unsigned id);

/* [T:lookup] An L1 lookup (stlb false: the ITLB for a fetch, else the DTLB,
 * every page size) or an STLB lookup (every size it holds). Returns 1 on a
 * usable hit (the entry in *hit, its way in *touch), else 0; *soft is set
 * when an entry matched but could not be used (5.4: rights, or a write to
 * an entry with D = 0). Every array looked up counts it (sa_t.cnt: a hit, a
 * soft miss or a miss, by access kind). */
int lk_probe_tlb(lookup_t *l, bool stlb, uint64_t va, unsigned acc, bool user, bool implicit, uint32_t mode,
                 uint16_t pcid, sa_entry_t *hit, lk_touch_t *touch, bool *soft);

/* [T:lookup] The three page-walk caches in parallel for va and pcid: the
 * deepest hit (0 PML4E, 1 PDPTE, 2 PDE; -1 none) with its entry in *hit;
 * every hit's way appended to touches[*ntouch...]; each cache counts the
 * lookup under the walk's access kind acc. */
int lk_probe_pwc(lookup_t *l, uint64_t va, uint16_t pcid, unsigned acc, sa_entry_t *hit, lk_touch_t *touches,
                 unsigned *ntouch);

/* [T:update] 7c: the L1 refill from an STLB hit, into the array of the
 * entry's size on the side of the access. */
void lk_fill_l1(lookup_t *l, uint8_t acc, const sa_entry_t *e);

/* [T:update] 7d: the fills of a walk completing without fault: STLB (if it
 * holds the size), the L1 array of the size on the walk's side, the PWCs
 * with each non-leaf entry it read. */
void lk_fill_walk(lookup_t *l, const walker_t *w, uint64_t amask);

/* Kinds of whole-array invalidation (2.4). */
typedef enum { INV_ALL, INV_NONGLOBAL, INV_PCID_NONGLOBAL, INV_PCID_ANY } inv_kind_t;

/* Every TLB entry (L1 and STLB, every size) that translates va: non-global
 * ones of pcid, and global ones unless keep_global. */
void lk_inval_tlb_va(lookup_t *l, uint64_t va, uint16_t pcid, bool keep_global);
/* The PWC entries for the address va and pcid ([T:update] 7b). */
void lk_inval_pwc_va(lookup_t *l, uint64_t va, uint16_t pcid);
/* Every TLB entry / every PWC entry of a kind. */
void lk_inval_tlbs(lookup_t *l, inv_kind_t k, uint16_t pcid);
void lk_inval_pwcs(lookup_t *l, inv_kind_t k, uint16_t pcid);

#ifdef __cplusplus
}
#endif
#endif
