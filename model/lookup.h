/* lookup.h - the MMU's arrays and what is done to them: the TLB arrays and
 * page-walk caches of the configuration's lists (each an sa_t, model/sa.h);
 * the lookups of docs/timing.md [T:lookup] with the soft-miss rule (5.4),
 * the fills of [T:fill] (with splintering), the invalidations of [T:update]
 * and of the control operations (2.4, SDM 4.10.4.1).
 *
 * A lookup never changes an array: it returns the way it hit as a touch,
 * which the MMU applies at the end of the cycle (7a), after every lookup
 * of the cycle has seen the arrays as they were at its start.
 *
 * Array ids: 0 .. ntlb-1 the TLB arrays, ntlb .. ntlb+npwc-1 the page-walk
 * caches, each in configuration order.
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
    uint32_t ntlb, npwc;
    sa_t tlb[MMU_TLB_MAX];
    sa_t pwc[MMU_PWC_MAX];
    mmu_tlb_cfg_t tc[MMU_TLB_MAX]; /* the configuration of each */
    mmu_pwc_cfg_t pc[MMU_PWC_MAX];
} lookup_t;

/* A way that a lookup hit: its replacement state is updated at the end of
 * the cycle ([T:update] 7a). */
typedef struct {
    sa_t *arr;
    uint32_t set, way;
} lk_touch_t;

/* Every array of the configuration. Returns 0, or -1 with "NAME: out of
 * memory" in err. */
int lk_init(lookup_t *l, const mmu_config_t *cfg, char *err, size_t errlen);
void lk_free(lookup_t *l);

/* Array by id; NULL if out of range. */
sa_t *lk_array(lookup_t *l, unsigned id);
unsigned lk_narrays(const lookup_t *l);
/* Its name as in the configuration; "?" if out of range. */
const char *lk_array_name(const lookup_t *l, unsigned id);

/* [T:lookup] The lookup of one TLB level (1 or 2): every enabled array of
 * that level that serves the access kind, every page size it holds, at
 * once. Returns 1 on a usable hit (the first in configuration order,
 * smallest size first; the entry in *hit, its way in *touch), else 0;
 * *soft is set when an entry matched but could not be used (5.4: rights, or
 * a write to an entry with D = 0). Every array looked up counts it (sa_t.cnt:
 * a hit, a soft miss or a miss, by access kind). */
int lk_probe_tlb(lookup_t *l, unsigned level, uint64_t va, unsigned acc, bool user, bool implicit, uint32_t mode,
                 uint16_t pcid, sa_entry_t *hit, lk_touch_t *touch, bool *soft);

/* [T:lookup] The page-walk caches in parallel for va and pcid, each at
 * every level it holds: the deepest hit (0 PML4E, 1 PDPTE, 2 PDE; -1 none)
 * with its entry in *hit; each cache that hit appends the way of its
 * deepest hit to touches[*ntouch...]; each cache counts the lookup under
 * the walk's access kind acc. */
int lk_probe_pwc(lookup_t *l, uint64_t va, uint16_t pcid, unsigned acc, sa_entry_t *hit, lk_touch_t *touches,
                 unsigned *ntouch);

/* [T:fill] 7c: the level-1 refill from a level-2 hit *e for the access kind
 * acc at address va: the translation of the whole page, as a walk's fill. */
void lk_fill_l1(lookup_t *l, uint8_t acc, uint64_t va, const sa_entry_t *e);

/* [T:fill] 7d: the fills of a walk completing without fault: level 2, then
 * level 1, then the page-walk caches with each non-leaf entry it read. */
void lk_fill_walk(lookup_t *l, const walker_t *w, uint64_t amask);

/* Kinds of whole-array invalidation (2.4). */
typedef enum { INV_ALL, INV_NONGLOBAL, INV_PCID_NONGLOBAL, INV_PCID_ANY } inv_kind_t;

/* Every TLB entry that translates va (every array, every size, and every
 * piece of the page that contains va): non-global ones of pcid, and global
 * ones unless keep_global. */
void lk_inval_tlb_va(lookup_t *l, uint64_t va, uint16_t pcid, bool keep_global);
/* The PWC entries for the address va and pcid ([T:update] 7b). */
void lk_inval_pwc_va(lookup_t *l, uint64_t va, uint16_t pcid);
/* Every TLB entry / every PWC entry of a kind. */
void lk_inval_tlbs(lookup_t *l, inv_kind_t k, uint16_t pcid);
void lk_inval_pwcs(lookup_t *l, inv_kind_t k, uint16_t pcid);

/* [T:fill] The array of `level` that a translation of page size ps at va
 * for access kind acc is filled into, and the size of the entry (ps, or the
 * piece's); -1 when no array of that level takes it. */
int lk_fill_target(const lookup_t *l, unsigned level, unsigned acc, unsigned ps, uint64_t va, unsigned *piece);

/* [T:fill]'s candidates on a configuration's TLB list tc[0..n) (arrays with
 * entries, index `skip` left out; -1 none): the bit mask of the arrays of
 * `level` serving acc that hold ps, else of the splintering ones with the
 * largest piece below ps (0: none); the entry's size in *piece. */
uint32_t lk_fill_candidates(const mmu_tlb_cfg_t *tc, unsigned n, int skip, unsigned level, unsigned acc, unsigned ps,
                            unsigned *piece);

#ifdef __cplusplus
}
#endif
#endif
