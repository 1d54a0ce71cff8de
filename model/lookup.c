/* lookup.c - the MMU's arrays: lookups, fills, invalidations (lookup.h).
 * Rules: docs/timing.md [T:lookup], 5.4, [T:fill], [T:update]; SDM Vol. 3A 4.10. */
#include "lookup.h"

#include <stdio.h>

#include "paging.h"

#define VA48 0xFFFFFFFFFFFFull

static const unsigned pwc_shift[MMU_PWC_COUNT] = {39, 30, 21};

static inline uint64_t pwc_tag(unsigned lv, uint64_t va) { return (va & VA48) >> pwc_shift[lv]; }
static inline uint64_t page_tag(unsigned ps, uint64_t va) { return (va & VA48) >> mmu_ps_shift(ps); }

unsigned lk_narrays(const lookup_t *l) { return l->ntlb + l->npwc; }

sa_t *lk_array(lookup_t *l, unsigned id)
{
    if (id < l->ntlb)
        return &l->tlb[id];
    if (id < l->ntlb + l->npwc)
        return &l->pwc[id - l->ntlb];
    return NULL;
}

const char *lk_array_name(const lookup_t *l, unsigned id)
{
    if (id < l->ntlb)
        return l->tc[id].name;
    if (id < l->ntlb + l->npwc)
        return l->pc[id - l->ntlb].name;
    return "?";
}

int lk_init(lookup_t *l, const mmu_config_t *cfg, char *err, size_t errlen)
{
    l->ntlb = cfg->ntlb;
    l->npwc = cfg->npwc;
    for (unsigned i = 0; i < l->ntlb; i++) {
        l->tc[i] = cfg->tlb[i];
        if (sa_init(&l->tlb[i], &cfg->tlb[i].a) != 0) {
            for (unsigned j = 0; j < i; j++)
                sa_free(&l->tlb[j]);
            snprintf(err, errlen, "tlb.%s: out of memory", cfg->tlb[i].name);
            return -1;
        }
    }
    for (unsigned i = 0; i < l->npwc; i++) {
        l->pc[i] = cfg->pwc[i];
        if (sa_init(&l->pwc[i], &cfg->pwc[i].a) != 0) {
            for (unsigned j = 0; j < l->ntlb; j++)
                sa_free(&l->tlb[j]);
            for (unsigned j = 0; j < i; j++)
                sa_free(&l->pwc[j]);
            snprintf(err, errlen, "pwc.%s: out of memory", cfg->pwc[i].name);
            return -1;
        }
    }
    return 0;
}

void lk_free(lookup_t *l)
{
    for (unsigned i = 0; i < l->ntlb; i++)
        sa_free(&l->tlb[i]);
    for (unsigned i = 0; i < l->npwc; i++)
        sa_free(&l->pwc[i]);
}

/* One page size of one array: 1 usable hit (entry and way out), 0 nothing
 * usable; *soft when an entry matched but could not be used. */
static int probe_one(sa_t *a, unsigned ps, uint64_t va, unsigned acc, bool user, bool implicit, uint32_t mode,
                     uint16_t pcid, sa_entry_t *hit, lk_touch_t *touch, bool *soft)
{
    uint64_t tag = page_tag(ps, va);
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

static inline bool serves(const mmu_tlb_cfg_t *t, unsigned level, unsigned acc)
{
    return t->level == level && (t->serves & (1u << acc));
}

int lk_probe_tlb(lookup_t *l, unsigned level, uint64_t va, unsigned acc, bool user, bool implicit, uint32_t mode,
                 uint16_t pcid, sa_entry_t *hit, lk_touch_t *touch, bool *soft)
{
    /* the level's arrays that serve the access, every size each holds, all
     * looked up at once: the first usable hit (configuration order, then
     * smallest size) answers. Arrays after the one that answered count a
     * miss without being probed (a page cached twice is a stale entry the
     * SDM lets either answer, 4.10.2.2), which keeps a hit one probe */
    int got = 0;
    for (unsigned i = 0; i < l->ntlb; i++) {
        sa_t *a = &l->tlb[i];
        if (!sa_enabled(a) || !serves(&l->tc[i], level, acc))
            continue;
        if (got) {
            a->cnt.lookups[acc]++;
            continue;
        }
        bool s = false;
        for (unsigned ps = 0; ps < MMU_PS_COUNT && !got; ps++)
            if (l->tc[i].sizes & (1u << ps))
                got = probe_one(a, ps, va, acc, user, implicit, mode, pcid, hit, touch, &s);
        count_lookup(a, acc, got, s);
        *soft |= s;
    }
    return got;
}

int lk_probe_pwc(lookup_t *l, uint64_t va, uint16_t pcid, unsigned acc, sa_entry_t *hit, lk_touch_t *touches,
                 unsigned *ntouch)
{
    /* [T:lookup] every cache at every level it holds, in parallel; the walk
     * starts below the deepest hit */
    int deepest = -1;
    for (unsigned i = 0; i < l->npwc; i++) {
        sa_t *a = &l->pwc[i];
        if (!sa_enabled(a))
            continue;
        int mine = -1;
        uint32_t mset = 0, mway = 0;
        for (unsigned lv = 0; lv < MMU_PWC_COUNT; lv++) {
            if (!(l->pc[i].levels & (1u << lv)))
                continue;
            uint64_t tag = pwc_tag(lv, va);
            uint32_t set = sa_set(a, tag);
            int way = sa_find(a, set, tag, (uint8_t)lv, pcid);
            if (way < 0)
                continue;
            mine = (int)lv;
            mset = set;
            mway = (uint32_t)way;
        }
        count_lookup(a, acc, mine >= 0, false);
        if (mine < 0)
            continue;
        touches[(*ntouch)++] = (lk_touch_t){a, mset, mway};
        if (mine > deepest) {
            deepest = mine;
            *hit = *sa_way(a, mset, mway);
        }
    }
    return deepest;
}

/* --------------------------------------------------------------- fills */

static unsigned log2u(uint32_t x)
{
    unsigned n = 0;
    while (x > 1) {
        x >>= 1;
        n++;
    }
    return n;
}

/* [T:fill] Among k candidate arrays (ids in c[], configuration order), the
 * one a tag goes to: the tag's bits above the first candidate's set index,
 * modulo k. */
static unsigned pick(const sa_t *arrs, const unsigned *c, unsigned k, uint64_t tag)
{
    if (k == 1)
        return c[0];
    return c[(tag >> log2u(arrs[c[0]].sets)) % k];
}

uint32_t lk_fill_candidates(const mmu_tlb_cfg_t *tc, unsigned n, int skip, unsigned level, unsigned acc, unsigned ps,
                            unsigned *piece)
{
    uint32_t native = 0, split = 0;
    int best = -1;
    for (unsigned i = 0; i < n; i++) {
        const mmu_tlb_cfg_t *t = &tc[i];
        if ((int)i == skip || t->a.entries == 0 || !serves(t, level, acc))
            continue;
        /* the arrays that hold the page size */
        if (t->sizes & (1u << ps))
            native |= 1u << i;
        if (!t->splinter)
            continue;
        /* else those that splinter it into their largest size below ps,
         * the largest piece of all */
        int q = -1;
        for (unsigned z = 0; z < ps; z++)
            if (t->sizes & (1u << z))
                q = (int)z;
        if (q > best)
            best = q, split = 0;
        if (q >= 0 && q == best)
            split |= 1u << i;
    }
    *piece = native ? ps : (best >= 0 ? (unsigned)best : ps);
    return native ? native : split;
}

int lk_fill_target(const lookup_t *l, unsigned level, unsigned acc, unsigned ps, uint64_t va, unsigned *piece)
{
    unsigned c[MMU_TLB_MAX], k = 0;
    uint32_t m = lk_fill_candidates(l->tc, l->ntlb, -1, level, acc, ps, piece);
    for (unsigned i = 0; i < l->ntlb; i++)
        if (m & (1u << i))
            c[k++] = i;
    if (k == 0)
        return -1;
    return (int)pick(l->tlb, c, k, page_tag(*piece, va));
}

/* Fill the page (base frame, size ps) that contains va into the array of
 * `level` that takes it for access kind acc, as the whole page or a piece. */
static void fill_page(lookup_t *l, unsigned level, unsigned acc, uint64_t va, unsigned ps, uint64_t frame,
                      uint16_t pcid, uint8_t flags)
{
    unsigned p;
    int i = lk_fill_target(l, level, acc, ps, va, &p);
    if (i < 0)
        return;
    uint64_t in_page = va & ((1ull << mmu_ps_shift(ps)) - 1);
    sa_entry_t e = {0};
    e.tag = page_tag(p, va);
    e.data = frame + (in_page & ~((1ull << mmu_ps_shift(p)) - 1));
    e.pcid = pcid;
    e.size = (uint8_t)p;
    e.asize = (uint8_t)ps;
    e.flags = flags;
    sa_fill(&l->tlb[i], &e);
}

void lk_fill_l1(lookup_t *l, uint8_t acc, uint64_t va, const sa_entry_t *e)
{
    /* the page's frame: the entry's, less the piece's offset in the page */
    uint64_t in_page = va & ((1ull << mmu_ps_shift(e->asize)) - 1);
    uint64_t frame = e->data - (in_page & ~((1ull << mmu_ps_shift(e->size)) - 1));
    fill_page(l, 1, acc, va, e->asize, frame, e->pcid, e->flags);
}

void lk_fill_walk(lookup_t *l, const walker_t *w, uint64_t amask)
{
    uint8_t flags = (uint8_t)(w->tlb_flags | SA_V);
    fill_page(l, 2, w->acc, w->va, w->size, w->frame, w->pcid, flags);
    fill_page(l, 1, w->acc, w->va, w->size, w->frame, w->pcid, flags);
    /* non-leaf entries read by this walk, top first: PML4E (paging level 4)
     * is PWC level 0, PDPTE (3) 1, PDE (2) 2 */
    for (unsigned lv = 4; lv > w->leaf_level; lv--) {
        if (!(w->read_mask & (1u << lv)))
            continue;
        unsigned pl = 4 - lv;
        unsigned c[MMU_PWC_MAX], k = 0;
        for (unsigned i = 0; i < l->npwc; i++)
            if (sa_enabled(&l->pwc[i]) && (l->pc[i].levels & (1u << pl)))
                c[k++] = i;
        if (k == 0)
            continue;
        sa_entry_t p = {0};
        p.tag = pwc_tag(pl, w->va);
        p.data = w->pte[lv] & amask;
        p.pcid = w->pcid;
        p.size = (uint8_t)pl;
        p.flags = (uint8_t)(SA_V | w->cum[lv]);
        sa_fill(&l->pwc[pick(l->pwc, c, k, p.tag)], &p);
    }
}

/* ---------------------------------------------------------- invalidation */

static inline bool inval_hits(const sa_entry_t *e, uint16_t pcid, bool keep_global)
{
    return (e->flags & SA_G) ? !keep_global : e->pcid == pcid;
}

void lk_inval_tlb_va(lookup_t *l, uint64_t va, uint16_t pcid, bool keep_global)
{
    for (unsigned i = 0; i < l->ntlb; i++) {
        sa_t *a = &l->tlb[i];
        if (!sa_enabled(a))
            continue;
        /* the entries that translate va, at each size the array holds */
        for (unsigned ps = 0; ps < MMU_PS_COUNT; ps++) {
            if (!(l->tc[i].sizes & (1u << ps)))
                continue;
            uint64_t tag = page_tag(ps, va);
            uint32_t set = sa_set(a, tag);
            for (uint32_t w = 0; w < a->ways; w++) {
                sa_entry_t *e = sa_way(a, set, w);
                if ((e->flags & SA_V) && e->tag == tag && e->size == ps && inval_hits(e, pcid, keep_global))
                    e->flags = 0;
            }
        }
        if (!l->tc[i].splinter)
            continue;
        /* SDM 4.10.4.1 and 4.10.2.3: every piece of the page that contains
         * va, wherever its set */
        uint64_t n = (uint64_t)a->sets * a->ways;
        for (uint64_t j = 0; j < n; j++) {
            sa_entry_t *e = &a->e[j];
            if ((e->flags & SA_V) && e->asize > e->size &&
                e->tag >> (mmu_ps_shift(e->asize) - mmu_ps_shift(e->size)) == page_tag(e->asize, va) &&
                inval_hits(e, pcid, keep_global))
                e->flags = 0;
        }
    }
}

void lk_inval_pwc_va(lookup_t *l, uint64_t va, uint16_t pcid)
{
    for (unsigned i = 0; i < l->npwc; i++) {
        sa_t *a = &l->pwc[i];
        if (!sa_enabled(a))
            continue;
        for (unsigned lv = 0; lv < MMU_PWC_COUNT; lv++) {
            if (!(l->pc[i].levels & (1u << lv)))
                continue;
            uint64_t tag = pwc_tag(lv, va);
            uint32_t set = sa_set(a, tag);
            for (uint32_t w = 0; w < a->ways; w++) {
                sa_entry_t *e = sa_way(a, set, w);
                if ((e->flags & SA_V) && e->tag == tag && e->size == lv && e->pcid == pcid)
                    e->flags = 0;
            }
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
    for (unsigned i = 0; i < l->ntlb; i++)
        arr_inval(&l->tlb[i], k, pcid);
}

void lk_inval_pwcs(lookup_t *l, inv_kind_t k, uint16_t pcid)
{
    for (unsigned i = 0; i < l->npwc; i++)
        arr_inval(&l->pwc[i], k, pcid);
}
