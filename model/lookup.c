/* lookup.c - the MMU's arrays: lookups, fills, invalidations (lookup.h).
 * Rules: docs/timing.md [T:lookup], 5.4, [T:update]; SDM Vol. 3A 4.10. */
#include "lookup.h"

#include <stdio.h>

#include "paging.h"

#define VA48 0xFFFFFFFFFFFFull

static const char *const names[] = {"itlb.4k", "itlb.2m", "itlb.1g", "dtlb.4k",   "dtlb.2m",
                                    "dtlb.1g", "stlb",    "pwc.pml4e", "pwc.pdpte", "pwc.pde"};
enum { NARR = sizeof names / sizeof names[0] };

const char *lk_array_name(unsigned id) { return id < NARR ? names[id] : "?"; }

sa_t *lk_array(lookup_t *l, unsigned id)
{
    if (id < 3)
        return &l->itlb[id];
    if (id < 6)
        return &l->dtlb[id - 3];
    if (id == 6)
        return &l->stlb;
    if (id < NARR)
        return &l->pwc[id - 7];
    return NULL;
}

int lk_init(lookup_t *l, const mmu_config_t *cfg, char *err, size_t errlen)
{
    const mmu_array_cfg_t *ac[NARR] = {&cfg->itlb[0], &cfg->itlb[1], &cfg->itlb[2], &cfg->dtlb[0], &cfg->dtlb[1],
                                       &cfg->dtlb[2], &cfg->stlb,    &cfg->pwc[0],  &cfg->pwc[1],  &cfg->pwc[2]};
    l->stlb_sizes = cfg->stlb_sizes;
    for (unsigned i = 0; i < NARR; i++) {
        if (sa_init(lk_array(l, i), ac[i]) != 0) {
            snprintf(err, errlen, "%s: out of memory", names[i]);
            return -1;
        }
    }
    return 0;
}

void lk_free(lookup_t *l)
{
    for (unsigned i = 0; i < NARR; i++)
        sa_free(lk_array(l, i));
}

/* One array's part of a TLB lookup: 1 usable hit (entry and way out), 0
 * nothing usable; *soft when an entry matched but could not be used. */
static int probe_one(sa_t *a, unsigned ps, uint64_t va, unsigned acc, bool user, bool implicit, uint32_t mode,
                     uint16_t pcid, sa_entry_t *hit, lk_touch_t *touch, bool *soft)
{
    uint64_t tag = (va & VA48) >> mmu_ps_shift(ps);
    uint32_t set = sa_set(a, tag);
    int way = sa_find(a, set, tag, (uint8_t)ps, pcid);
    if (way < 0)
        return 0;
    const sa_entry_t *e = sa_way(a, set, (uint32_t)way);
    /* [T:soft miss] an entry whose rights forbid the access, or a write
     * to an entry with D=0, is not used: the request walks (SDM 4.8:
     * the walk sets D; a fault is reported from the paging structures). */
    if (pg_rights(mode, acc, user, implicit, e->flags & SA_RW, e->flags & SA_US, e->flags & SA_XD) != MMU_CAUSE_NONE ||
        (acc == MMU_ACC_WRITE && !(e->flags & SA_D))) {
        *soft = true;
        return 0;
    }
    *hit = *e;
    touch->arr = a;
    touch->set = set;
    touch->way = (uint32_t)way;
    return 1;
}

/* Count one array's lookup: a hit, a soft miss or a miss. */
static void count_lookup(sa_t *a, unsigned acc, int hit, bool soft)
{
    a->cnt.lookups[acc]++;
    if (hit)
        a->cnt.hits[acc]++;
    else if (soft)
        a->cnt.soft[acc]++;
}

int lk_probe_tlb(lookup_t *l, bool stlb, uint64_t va, unsigned acc, bool user, bool implicit, uint32_t mode,
                 uint16_t pcid, sa_entry_t *hit, lk_touch_t *touch, bool *soft)
{
    if (stlb) { /* one array, every size it holds; the first usable hit */
        sa_t *a = &l->stlb;
        if (!sa_enabled(a))
            return 0;
        int got = 0;
        bool s = false;
        for (unsigned ps = 0; ps < MMU_PS_COUNT && !got; ps++)
            if (l->stlb_sizes & (1u << ps))
                got = probe_one(a, ps, va, acc, user, implicit, mode, pcid, hit, touch, &s);
        count_lookup(a, acc, got, s);
        *soft |= s;
        return got;
    }
    /* the side's array of each page size, all looked up at once: the first
     * usable hit (smallest size) answers. Every array counts its lookup;
     * those of larger sizes than the one that answered count a miss without
     * being probed (a page cached at two sizes at once is a stale entry the
     * SDM lets either answer, 4.10.2.2), which keeps a hit one probe */
    sa_t *side = acc == MMU_ACC_EXEC ? l->itlb : l->dtlb;
    for (unsigned ps = 0; ps < MMU_PS_COUNT; ps++) {
        sa_t *a = &side[ps];
        if (!sa_enabled(a))
            continue;
        bool s = false;
        int one = probe_one(a, ps, va, acc, user, implicit, mode, pcid, hit, touch, &s);
        count_lookup(a, acc, one, s);
        *soft |= s;
        if (one) {
            for (unsigned q = ps + 1; q < MMU_PS_COUNT; q++)
                if (sa_enabled(&side[q]))
                    side[q].cnt.lookups[acc]++;
            return 1;
        }
    }
    return 0;
}

static const unsigned pwc_shift[MMU_PWC_COUNT] = {39, 30, 21};

static inline uint64_t pwc_tag(unsigned i, uint64_t va) { return (va & VA48) >> pwc_shift[i]; }

int lk_probe_pwc(lookup_t *l, uint64_t va, uint16_t pcid, unsigned acc, sa_entry_t *hit, lk_touch_t *touches,
                 unsigned *ntouch)
{
    /* [T:walk] all three caches in parallel; the walk starts below the deepest hit */
    int deepest = -1;
    for (unsigned i = 0; i < MMU_PWC_COUNT; i++) {
        sa_t *a = &l->pwc[i];
        if (!sa_enabled(a))
            continue;
        uint64_t tag = pwc_tag(i, va);
        uint32_t set = sa_set(a, tag);
        int way = sa_find(a, set, tag, 0, pcid);
        count_lookup(a, acc, way >= 0, false);
        if (way < 0)
            continue;
        *hit = *sa_way(a, set, (uint32_t)way);
        touches[(*ntouch)++] = (lk_touch_t){a, set, (uint32_t)way};
        deepest = (int)i;
    }
    return deepest;
}

void lk_fill_l1(lookup_t *l, uint8_t acc, const sa_entry_t *e)
{
    sa_t *l1 = acc == MMU_ACC_EXEC ? &l->itlb[e->size] : &l->dtlb[e->size];
    if (sa_enabled(l1))
        sa_fill(l1, e);
}

void lk_fill_walk(lookup_t *l, const walker_t *w, uint64_t amask)
{
    sa_entry_t e = {0};
    e.tag = (w->va & VA48) >> mmu_ps_shift(w->size);
    e.data = w->frame;
    e.pcid = w->pcid;
    e.size = w->size;
    e.flags = (uint8_t)(w->tlb_flags | SA_V);
    if (sa_enabled(&l->stlb) && (l->stlb_sizes & (1u << w->size)))
        sa_fill(&l->stlb, &e);
    lk_fill_l1(l, w->acc, &e);
    /* non-leaf entries read by this walk, top first: PML4E (level 4) ->
     * PML4E cache, PDPTE (3) -> PDPTE cache, PDE (2) -> PDE cache */
    for (unsigned lv = 4; lv > w->leaf_level; lv--) {
        if (!(w->read_mask & (1u << lv)))
            continue;
        unsigned i = 4 - lv;
        sa_t *a = &l->pwc[i];
        if (!sa_enabled(a))
            continue;
        sa_entry_t p = {0};
        p.tag = pwc_tag(i, w->va);
        p.data = w->pte[lv] & amask;
        p.pcid = w->pcid;
        p.flags = (uint8_t)(SA_V | w->cum[lv]);
        sa_fill(a, &p);
    }
}

/* ---------------------------------------------------------- invalidation */

/* In one array, the entries of every page size (of `sizes` when
 * use_sizes) that translate va: non-global ones of `pcid`, and global ones
 * unless keep_global. */
static void tlb_inval_va(sa_t *a, bool use_sizes, uint32_t sizes, uint64_t va, uint16_t pcid, bool keep_global)
{
    if (!sa_enabled(a))
        return;
    for (unsigned ps = 0; ps < MMU_PS_COUNT; ps++) {
        if (use_sizes && !(sizes & (1u << ps)))
            continue;
        uint64_t tag = (va & VA48) >> mmu_ps_shift(ps);
        uint32_t set = sa_set(a, tag);
        for (uint32_t w = 0; w < a->ways; w++) {
            sa_entry_t *e = sa_way(a, set, w);
            if (!(e->flags & SA_V) || e->tag != tag || e->size != ps)
                continue;
            bool g = e->flags & SA_G;
            if (g ? !keep_global : e->pcid == pcid)
                e->flags = 0;
        }
    }
}

void lk_inval_tlb_va(lookup_t *l, uint64_t va, uint16_t pcid, bool keep_global)
{
    for (unsigned ps = 0; ps < MMU_PS_COUNT; ps++) {
        tlb_inval_va(&l->itlb[ps], false, 0, va, pcid, keep_global);
        tlb_inval_va(&l->dtlb[ps], false, 0, va, pcid, keep_global);
    }
    tlb_inval_va(&l->stlb, true, l->stlb_sizes, va, pcid, keep_global);
}

void lk_inval_pwc_va(lookup_t *l, uint64_t va, uint16_t pcid)
{
    for (unsigned i = 0; i < MMU_PWC_COUNT; i++) {
        sa_t *a = &l->pwc[i];
        if (!sa_enabled(a))
            continue;
        uint64_t tag = pwc_tag(i, va);
        uint32_t set = sa_set(a, tag);
        for (uint32_t w = 0; w < a->ways; w++) {
            sa_entry_t *e = sa_way(a, set, w);
            if ((e->flags & SA_V) && e->tag == tag && e->pcid == pcid)
                e->flags = 0;
        }
    }
}

/* Every entry of an array matching a kind. */
static void arr_inval(sa_t *a, inv_kind_t k, uint16_t pcid)
{
    if (!sa_enabled(a))
        return;
    uint64_t n = (uint64_t)a->sets * a->ways;
    for (uint64_t i = 0; i < n; i++) {
        sa_entry_t *e = &a->e[i];
        if (!(e->flags & SA_V))
            continue;
        bool g = e->flags & SA_G;
        bool kill = k == INV_ALL || (k == INV_NONGLOBAL && !g) || (k == INV_PCID_NONGLOBAL && !g && e->pcid == pcid) ||
                    (k == INV_PCID_ANY && e->pcid == pcid);
        if (kill)
            e->flags = 0;
    }
}

void lk_inval_tlbs(lookup_t *l, inv_kind_t k, uint16_t pcid)
{
    for (unsigned i = 0; i <= 6; i++) /* itlb.*, dtlb.*, stlb */
        arr_inval(lk_array(l, i), k, pcid);
}

void lk_inval_pwcs(lookup_t *l, inv_kind_t k, uint16_t pcid)
{
    for (unsigned i = 0; i < MMU_PWC_COUNT; i++)
        arr_inval(&l->pwc[i], k, pcid);
}
