/* mmu.c - the cycle-level MMU. Every rule below is a rule of docs/timing.md;
 * section names in brackets ([T:...]) point there, SDM section numbers point
 * to Intel SDM Vol. 3A chapter 4.
 *
 * Walk algorithm (SDM 4.5, 4-level paging), as the walker implements it:
 *   1. The linear address must be canonical, else #GP (SDM 3.3.7.1); checked
 *      at the L1 lookup.
 *   2. Look up the PDE, PDPTE and PML4E caches (SDM 4.10.3); start below the
 *      deepest hit with its table address and combined rights, else read the
 *      PML4E at CR3[M-1:12] + 8*VA[47:39].
 *   3. For each entry read: P=0 -> #PF not present; a reserved bit set ->
 *      #PF RSVD (SDM 4.5.4); combine R/W and U/S (AND) and XD (OR) (SDM 4.6).
 *   4. PDPTE.PS=1 -> 1 GiB page, PDE.PS=1 -> 2 MiB page, PTE -> 4 KiB page.
 *   5. Check the access against the combined rights (SDM 4.6.1); a violation
 *      is #PF with P=1.
 *   6. Set A in every entry used that has A=0, and D in the leaf on a write
 *      (SDM 4.8), each as a locked update on the memory port (set the bits
 *      if the entry is unchanged, return its old value), top level first;
 *      after a rights fault, A in the non-leaf entries only (SDM 4.8, 6.15).
 *      An entry that changed since it was read restarts the walk.
 *   7. Fill the STLB, the L1 TLB and the paging-structure caches.
 * A fault invalidates the TLB entries for the faulting page and the
 * paging-structure-cache entries for its address (SDM 4.10.4.1).
 */
#include "mmu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paging.h"

#define VA48 0xFFFFFFFFFFFFull
#define MAX_WALKERS 16
#define MAX_RT 64

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

typedef enum { W_IDLE = 0, W_PWC, W_MEMRQ, W_MEMWAIT, W_ADW, W_ADWAIT } walker_state_t;

typedef struct {
    uint8_t state;
    uint8_t level; /* level of the entry being fetched, 4..1 */
    uint8_t acc;
    bool user;
    bool implicit;
    uint16_t pcid;
    uint64_t va;
    uint64_t due;   /* W_PWC: cycle of the PWC lookup */
    uint64_t table; /* base of the table at `level` */
    uint8_t pwc_hit;
    uint8_t read_mask;   /* bit L set: the level-L entry was read by this walk */
    uint64_t pte[5];     /* values read, by level (with the A/D bits this walk sets) */
    uint64_t pte_orig[5]; /* values as read */
    uint64_t pte_addr[5]; /* their physical addresses */
    uint8_t cum[5];      /* combined SA_RW|SA_US|SA_XD after level L */
    uint8_t mem_reads;
    int8_t waiters;      /* first waiter (the owner), linked by rt_entry_t.next */
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

typedef struct {
    int8_t v[MAX_RT];
    uint32_t head, n, cap;
} ring_t;

struct mmu {
    mmu_config_t cfg;
    uint64_t cycle, seq;
    uint64_t amask;
    uint64_t cr3;
    uint32_t mode;
    sa_t itlb[MMU_PS_COUNT], dtlb[MMU_PS_COUNT], stlb, pwc[MMU_PWC_COUNT];
    rt_entry_t rt[MAX_RT];
    uint32_t rt_count;
    ring_t l1q, stlbq, missq;
    int8_t done[MAX_RT]; /* RT_DONE entries, oldest (smallest seq) first */
    uint32_t ndone;
    walker_t w[MAX_WALKERS];
    uint32_t rr; /* memory-port round-robin pointer */
    /* combinational results of the current cycle */
    bool comb_valid;
    mmu_out_t out;
    int comb_grant; /* walker granted the memory port, -1 */
    int last_idx;
    /* protocol checks (docs/timing.md 2.5): the ids of the outstanding
     * requests, one bit per id, and the control operation offered and not
     * accepted in the step before */
    uint64_t id_out[65536 / 64];
    bool ctl_wait;
    mmu_in_t ctl_prev;
    char err[200];
};

/* ------------------------------------------------------------------ rings */

static inline void ring_push(ring_t *r, int8_t x) { r->v[(r->head + r->n++) % r->cap] = x; }
static inline int8_t ring_head(const ring_t *r) { return r->v[r->head]; }
static inline void ring_pop(ring_t *r)
{
    r->head = (r->head + 1) % r->cap;
    r->n--;
}

/* ---------------------------------------------------------------- create */

static const char *const array_names[MMU_ARR_COUNT] = {"itlb.4k", "itlb.2m", "itlb.1g", "dtlb.4k", "dtlb.2m",
                                                       "dtlb.1g", "stlb",    "pwc.pml4e", "pwc.pdpte", "pwc.pde"};

const char *mmu_array_name(mmu_array_id_t id) { return id < MMU_ARR_COUNT ? array_names[id] : "?"; }

const sa_t *mmu_array(const mmu_t *m, mmu_array_id_t id)
{
    if (id <= MMU_ARR_ITLB1G)
        return &m->itlb[id - MMU_ARR_ITLB4K];
    if (id <= MMU_ARR_DTLB1G)
        return &m->dtlb[id - MMU_ARR_DTLB4K];
    if (id == MMU_ARR_STLB)
        return &m->stlb;
    if (id < MMU_ARR_COUNT)
        return &m->pwc[id - MMU_ARR_PML4E];
    return NULL;
}

static sa_t *array_rw(mmu_t *m, mmu_array_id_t id) { return (sa_t *)mmu_array(m, id); }

int mmu_create(const mmu_config_t *cfg, mmu_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (mmu_config_check(cfg, err, errlen) != 0)
        return -1;
    mmu_t *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    m->cfg = *cfg;
    m->amask = pg_addr_mask(cfg->maxphyaddr);
    const mmu_array_cfg_t *ac[MMU_ARR_COUNT] = {&cfg->itlb[0], &cfg->itlb[1], &cfg->itlb[2], &cfg->dtlb[0],
                                                &cfg->dtlb[1], &cfg->dtlb[2], &cfg->stlb,    &cfg->pwc[0],
                                                &cfg->pwc[1],  &cfg->pwc[2]};
    for (int i = 0; i < MMU_ARR_COUNT; i++) {
        if (sa_init(array_rw(m, (mmu_array_id_t)i), ac[i]) != 0) {
            snprintf(err, errlen, "%s: out of memory", array_names[i]);
            mmu_destroy(m);
            return -1;
        }
    }
    m->l1q.cap = m->stlbq.cap = m->missq.cap = cfg->outstanding;
    m->comb_grant = -1;
    *out = m;
    return 0;
}

void mmu_destroy(mmu_t *m)
{
    if (!m)
        return;
    for (int i = 0; i < MMU_ARR_COUNT; i++)
        sa_free(array_rw(m, (mmu_array_id_t)i));
    free(m);
}

void mmu_set_state(mmu_t *m, uint64_t cr3, uint32_t mode)
{
    m->cr3 = cr3 & ~(1ull << 63);
    m->mode = mode;
    m->comb_valid = false;
}

const char *mmu_error(const mmu_t *m) { return m->err; }
uint64_t mmu_cycle(const mmu_t *m) { return m->cycle; }
const mmu_rsp_info_t *mmu_last_info(const mmu_t *m) { return &m->rt[m->last_idx].info; }
uint32_t mmu_outstanding(const mmu_t *m) { return m->rt_count; }
uint64_t mmu_cr3(const mmu_t *m) { return m->cr3; }
uint32_t mmu_mode(const mmu_t *m) { return m->mode; }
uint16_t mmu_pcid(const mmu_t *m) { return (m->mode & MMU_MODE_PCIDE) ? (uint16_t)(m->cr3 & 0xFFF) : 0; }

/* ----------------------------------------------------------- combinational */

void mmu_eval(mmu_t *m, mmu_out_t *out)
{
    if (!m->comb_valid) {
        mmu_out_t *o = &m->out;
        memset(o, 0, sizeof *o);
        /* [T:request] ready while the request table has a free entry */
        o->req_ready = m->rt_count < m->cfg.outstanding;
        /* [T:control] a control operation waits until nothing is outstanding */
        o->ctl_ready = m->rt_count == 0;
        /* [T:response] the oldest finished request */
        if (m->ndone) {
            const rt_entry_t *e = &m->rt[m->done[0]];
            o->rsp_valid = true;
            o->rsp_id = e->id;
            o->rsp_paddr = e->paddr;
            o->rsp_size = e->size;
            o->rsp_fault = e->fault;
            o->rsp_cause = e->cause;
            o->rsp_err = e->err;
            o->rsp_fault_addr = e->fault ? e->va : 0;
            o->rsp_src = e->src;
            o->rsp_pwc = e->pwc;
        }
        /* [T:memory port] round-robin among walkers with a request, from rr */
        m->comb_grant = -1;
        for (uint32_t i = 0; i < m->cfg.walkers; i++) {
            uint32_t k = (m->rr + i) % m->cfg.walkers;
            const walker_t *w = &m->w[k];
            if (w->state == W_MEMRQ) {
                o->mem_req_valid = true;
                o->mem_req_we = false;
                o->mem_req_id = (uint8_t)k;
                o->mem_req_addr = w->table + (((w->va >> (12 + 9 * (w->level - 1))) & 511) << 3);
                m->comb_grant = (int)k;
                break;
            }
            if (w->state == W_ADW) {
                o->mem_req_valid = true;
                o->mem_req_we = true;
                o->mem_req_id = (uint8_t)k;
                o->mem_req_addr = w->wr_addr[w->wr_i];
                o->mem_req_wdata = w->wr_data[w->wr_i];
                m->comb_grant = (int)k;
                break;
            }
        }
        m->comb_valid = true;
    }
    if (out)
        *out = m->out;
}

/* ------------------------------------------------------------ TLB lookups */

typedef struct {
    sa_t *arr;
    uint32_t set, way;
} touch_t;

/* Probe every enabled size of an L1 side (or the STLB when l1 == NULL).
 * Returns 1 on a usable hit (entry copied to *hit, touch recorded), 0 on a
 * miss; *soft = 1 when an entry matched but could not be used. */
static int tlb_probe(mmu_t *m, sa_t *arrs, bool stlb, uint64_t va, unsigned acc, bool user, bool implicit,
                     sa_entry_t *hit, touch_t *touch, bool *soft)
{
    uint16_t pcid = mmu_pcid(m);
    for (unsigned ps = 0; ps < MMU_PS_COUNT; ps++) {
        sa_t *a = stlb ? &m->stlb : &arrs[ps];
        if (!sa_enabled(a) || (stlb && !(m->cfg.stlb_sizes & (1u << ps))))
            continue;
        uint64_t tag = (va & VA48) >> mmu_ps_shift(ps);
        uint32_t set = sa_set(a, tag);
        int way = sa_find(a, set, tag, (uint8_t)ps, pcid);
        if (way < 0)
            continue;
        const sa_entry_t *e = sa_way(a, set, (uint32_t)way);
        /* [T:soft miss] an entry whose rights forbid the access, or a write
         * to an entry with D=0, is not used: the request walks (SDM 4.8:
         * the walk sets D; a fault is reported from the paging structures). */
        if (pg_rights(m->mode, acc, user, implicit, e->flags & SA_RW, e->flags & SA_US, e->flags & SA_XD) !=
                MMU_CAUSE_NONE ||
            (acc == MMU_ACC_WRITE && !(e->flags & SA_D))) {
            *soft = true;
            continue;
        }
        *hit = *e;
        touch->arr = a;
        touch->set = set;
        touch->way = (uint32_t)way;
        return 1;
    }
    return 0;
}

static uint8_t rights_of(uint8_t sa_flags)
{
    return (uint8_t)(((sa_flags & SA_RW) ? MMU_RIGHT_RW : 0) | ((sa_flags & SA_US) ? MMU_RIGHT_US : 0) |
                     ((sa_flags & SA_XD) ? MMU_RIGHT_XD : 0));
}

static void rt_finish_hit(mmu_t *m, rt_entry_t *e, const sa_entry_t *hit, uint8_t src)
{
    e->info.pcid = mmu_pcid(m);
    e->info.rights = rights_of(hit->flags);
    uint64_t mask = (1ull << mmu_ps_shift(hit->size)) - 1;
    e->paddr = hit->data | (e->va & mask);
    e->size = hit->size;
    e->fault = MMU_FAULT_NONE;
    e->cause = MMU_CAUSE_NONE;
    e->err = 0;
    e->src = src;
    e->pwc = 0;
}

static void done_insert(mmu_t *m, int idx)
{
    m->rt[idx].state = RT_DONE;
    uint32_t i = m->ndone++;
    while (i > 0 && m->rt[m->done[i - 1]].info.seq > m->rt[idx].info.seq) {
        m->done[i] = m->done[i - 1];
        i--;
    }
    m->done[i] = (int8_t)idx;
}

/* -------------------------------------------------------------- the walk */

static uint8_t level_size(unsigned level) { return level == 1 ? MMU_PS_4K : level == 2 ? MMU_PS_2M : MMU_PS_1G; }

/* Queue the locked A/D updates of a walk whose leaf is at level L, top level
 * first (docs/timing.md 5.5): without a fault, A in every entry read that
 * lacks it and D in the leaf on a write; after a rights fault, A in the
 * non-leaf entries only (SDM 4.8; Vol. 3A 6.15). Entries from a PWC hit
 * were not read and are not updated. Returns the number of updates. */
static uint8_t queue_ad(walker_t *w, unsigned L, bool rights_fault)
{
    w->nwr = 0;
    w->wr_i = 0;
    for (unsigned l = 4; l >= L; l--) {
        if (!(w->read_mask & (1u << l)) || (rights_fault && l == L))
            continue;
        uint64_t e = w->pte[l];
        uint64_t set = PTE_A;
        if (l == L && w->acc == MMU_ACC_WRITE)
            set |= PTE_D;
        if ((e & set) != set) {
            w->wr_level[w->nwr] = (uint8_t)l;
            w->wr_addr[w->nwr] = w->pte_addr[l];
            w->wr_data[w->nwr] = e | set;
            w->pte[l] = e | set;
            w->nwr++;
        }
    }
    return w->nwr;
}

/* [T:ad-check] The old value of the entry of walker w's current locked
 * update: unchanged but for A and D, the update took effect (next update,
 * or the walk completes); else the memory side wrote nothing and the walk
 * restarts from the PML4E at CR3, without a PWC lookup. */
static void walk_ad_response(mmu_t *m, walker_t *w, uint64_t old)
{
    unsigned L = w->wr_level[w->wr_i];
    if (((old ^ w->pte_orig[L]) & ~PTE_AD) == 0) {
        if (++w->wr_i == w->nwr)
            w->complete = true;
        else
            w->state = W_ADW;
        return;
    }
    w->restarts++;
    w->read_mask = 0;
    w->nwr = 0;
    w->wr_i = 0;
    w->pwc_hit = 0;
    w->fault = MMU_FAULT_NONE;
    w->cause = MMU_CAUSE_NONE;
    w->fault_level = 0;
    w->level = 4;
    w->table = m->cr3 & m->amask;
    w->state = W_MEMRQ;
}

/* Process the entry read for walker w (end of the cycle of its response). */
static void walk_entry(mmu_t *m, walker_t *w, uint64_t v)
{
    unsigned L = w->level;
    w->pte_addr[L] = w->table + (((w->va >> (12 + 9 * (L - 1))) & 511) << 3);
    w->pte[L] = v;
    w->pte_orig[L] = v;
    w->read_mask |= (uint8_t)(1u << L);
    uint8_t prev = L == 4 ? (SA_RW | SA_US) : w->cum[L + 1];
    /* not present, reserved: the walk ends, nothing is written (5.5) */
    if (!(v & PTE_P)) { /* SDM 4.7: not present */
        w->fault = MMU_FAULT_PF;
        w->cause = MMU_CAUSE_NOT_PRESENT;
        w->fault_level = (uint8_t)L;
        w->size = MMU_PS_NONE;
        w->complete = true;
        return;
    }
    if (pg_rsvd(v, L, m->cfg.maxphyaddr, m->mode & MMU_MODE_NXE, m->mode & MMU_MODE_NOPG1G)) { /* SDM 4.5.4 */
        w->fault = MMU_FAULT_PF;
        w->cause = MMU_CAUSE_RSVD;
        w->fault_level = (uint8_t)L;
        w->size = MMU_PS_NONE;
        w->complete = true;
        return;
    }
    /* SDM 4.6: R/W and U/S of all levels are ANDed, XD ORed */
    uint8_t cum = (uint8_t)(prev & ((v & PTE_RW) ? 0xFF : ~SA_RW) & ((v & PTE_US) ? 0xFF : ~SA_US));
    if (v & PTE_XD)
        cum |= SA_XD;
    w->cum[L] = cum;
    bool leaf = L == 1 || ((L == 3 || L == 2) && (v & PTE_PS));
    if (!leaf) {
        w->table = v & m->amask;
        w->level = (uint8_t)(L - 1);
        w->state = W_MEMRQ;
        return;
    }
    uint8_t ps = level_size(L);
    uint64_t pmask = (1ull << mmu_ps_shift(ps)) - 1;
    w->size = ps;
    w->leaf_level = (uint8_t)L;
    w->frame = v & m->amask & ~pmask;
    mmu_cause_t c = pg_rights(m->mode, w->acc, w->user, w->implicit, cum & SA_RW, cum & SA_US, cum & SA_XD);
    if (c != MMU_CAUSE_NONE) { /* SDM 4.6.1: a rights fault, after A in the non-leaf entries */
        w->fault = MMU_FAULT_PF;
        w->cause = (uint8_t)c;
        w->fault_level = (uint8_t)L;
        if (queue_ad(w, L, true))
            w->state = W_ADW;
        else
            w->complete = true;
        return;
    }
    queue_ad(w, L, false); /* SDM 4.8: A in every entry used, D in the leaf on a write */
    w->fault = MMU_FAULT_NONE;
    w->cause = MMU_CAUSE_NONE;
    uint8_t tf = cum & (SA_RW | SA_US | SA_XD);
    if ((v & PTE_G) && (m->mode & MMU_MODE_PGE))
        tf |= SA_G;
    if ((v & PTE_D) || w->acc == MMU_ACC_WRITE)
        tf |= SA_D;
    w->tlb_flags = tf;
    if (w->nwr)
        w->state = W_ADW;
    else
        w->complete = true;
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

/* Every entry of an array matching a predicate. */
typedef enum { INV_ALL, INV_NONGLOBAL, INV_PCID_NONGLOBAL, INV_PCID_ANY } inv_kind_t;

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

static void tlbs_inval(mmu_t *m, inv_kind_t k, uint16_t pcid)
{
    for (int i = MMU_ARR_ITLB4K; i <= MMU_ARR_STLB; i++)
        arr_inval(array_rw(m, (mmu_array_id_t)i), k, pcid);
}

static void pwcs_inval(mmu_t *m, inv_kind_t k, uint16_t pcid)
{
    for (int i = 0; i < MMU_PWC_COUNT; i++)
        arr_inval(&m->pwc[i], k, pcid);
}

static void tlbs_inval_va(mmu_t *m, uint64_t va, uint16_t pcid, bool keep_global)
{
    for (unsigned ps = 0; ps < MMU_PS_COUNT; ps++) {
        tlb_inval_va(&m->itlb[ps], false, 0, va, pcid, keep_global);
        tlb_inval_va(&m->dtlb[ps], false, 0, va, pcid, keep_global);
    }
    tlb_inval_va(&m->stlb, true, m->cfg.stlb_sizes, va, pcid, keep_global);
}

static const unsigned pwc_shift[MMU_PWC_COUNT] = {39, 30, 21};

static inline uint64_t pwc_tag(unsigned i, uint64_t va) { return (va & VA48) >> pwc_shift[i]; }

/* PWC entries for the address va and pcid. */
static void pwcs_inval_va(mmu_t *m, uint64_t va, uint16_t pcid)
{
    for (unsigned i = 0; i < MMU_PWC_COUNT; i++) {
        sa_t *a = &m->pwc[i];
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

/* [T:control] SDM 4.10.4.1 */
static void apply_control(mmu_t *m, const mmu_in_t *in)
{
    uint16_t cur = mmu_pcid(m);
    switch (in->ctl_op) {
    case MMU_CTL_CR3: {
        uint64_t v = in->ctl_data;
        if (m->mode & MMU_MODE_PCIDE) {
            uint16_t np = (uint16_t)(v & 0xFFF);
            if (!(v >> 63)) { /* bit 63 = 0: flush the new PCID's non-global entries */
                tlbs_inval(m, INV_PCID_NONGLOBAL, np);
                pwcs_inval(m, INV_PCID_ANY, np);
            }
        } else { /* PCIDE = 0: flush PCID 000H except global entries */
            tlbs_inval(m, INV_PCID_NONGLOBAL, 0);
            pwcs_inval(m, INV_PCID_ANY, 0);
        }
        m->cr3 = v & ~(1ull << 63);
        break;
    }
    case MMU_CTL_INVLPG:
        /* the page for the current PCID, global entries for it whatever their
         * PCID, and every PWC entry of the current PCID; non-canonical: no-op */
        if (pg_canonical(in->ctl_addr)) {
            for (unsigned ps = 0; ps < MMU_PS_COUNT; ps++) {
                tlb_inval_va(&m->itlb[ps], false, 0, in->ctl_addr, cur, false);
                tlb_inval_va(&m->dtlb[ps], false, 0, in->ctl_addr, cur, false);
            }
            tlb_inval_va(&m->stlb, true, m->cfg.stlb_sizes, in->ctl_addr, cur, false);
            pwcs_inval(m, INV_PCID_ANY, cur);
        }
        break;
    case MMU_CTL_INVPCID: {
        uint16_t p = in->ctl_pcid & 0xFFF;
        switch (in->ctl_type) {
        case 0: /* individual address, except global; PWC of that PCID */
            if (pg_canonical(in->ctl_addr)) {
                tlbs_inval_va(m, in->ctl_addr, p, true);
                pwcs_inval(m, INV_PCID_ANY, p);
            }
            break;
        case 1: /* single context, except global */
            tlbs_inval(m, INV_PCID_NONGLOBAL, p);
            pwcs_inval(m, INV_PCID_ANY, p);
            break;
        case 2: /* all contexts, including global */
            tlbs_inval(m, INV_ALL, 0);
            pwcs_inval(m, INV_ALL, 0);
            break;
        default: /* 3: all contexts, except global */
            tlbs_inval(m, INV_NONGLOBAL, 0);
            pwcs_inval(m, INV_ALL, 0);
            break;
        }
        break;
    }
    case MMU_CTL_MODE: {
        uint32_t old = m->mode, nw = (uint32_t)in->ctl_data & MMU_MODE_MASK;
        if (((old ^ nw) & (MMU_MODE_PGE | MMU_MODE_NOPG1G)) || ((old & MMU_MODE_PCIDE) && !(nw & MMU_MODE_PCIDE))) {
            tlbs_inval(m, INV_ALL, 0); /* CR4.PGE or NOPG1G changed, or PCIDE 1 -> 0 */
            pwcs_inval(m, INV_ALL, 0);
        } else if (!(old & MMU_MODE_SMEP) && (nw & MMU_MODE_SMEP)) {
            tlbs_inval(m, INV_PCID_ANY, cur); /* CR4.SMEP 0 -> 1: current PCID */
            pwcs_inval(m, INV_PCID_ANY, cur);
        }
        m->mode = nw;
        break;
    }
    default:
        break;
    }
}

/* ------------------------------------------------------------------ step */

static void fill_tlbs(mmu_t *m, const walker_t *w)
{
    sa_entry_t e = {0};
    e.tag = (w->va & VA48) >> mmu_ps_shift(w->size);
    e.data = w->frame;
    e.pcid = w->pcid;
    e.size = w->size;
    e.flags = (uint8_t)(w->tlb_flags | SA_V);
    if (sa_enabled(&m->stlb) && (m->cfg.stlb_sizes & (1u << w->size)))
        sa_fill(&m->stlb, &e);
    sa_t *l1 = w->acc == MMU_ACC_EXEC ? &m->itlb[w->size] : &m->dtlb[w->size];
    if (sa_enabled(l1))
        sa_fill(l1, &e);
}

static void fill_pwcs(mmu_t *m, const walker_t *w)
{
    /* non-leaf entries read by this walk, top first: PML4E (level 4) ->
     * PML4E cache, PDPTE (3) -> PDPTE cache, PDE (2) -> PDE cache */
    for (unsigned l = 4; l > w->leaf_level; l--) {
        if (!(w->read_mask & (1u << l)))
            continue;
        unsigned i = 4 - l;
        sa_t *a = &m->pwc[i];
        if (!sa_enabled(a))
            continue;
        sa_entry_t e = {0};
        e.tag = pwc_tag(i, w->va);
        e.data = w->pte[l] & m->amask;
        e.pcid = w->pcid;
        e.flags = (uint8_t)(SA_V | w->cum[l]);
        sa_fill(a, &e);
    }
}

int mmu_step(mmu_t *m, const mmu_in_t *in)
{
    mmu_eval(m, NULL);
    const mmu_out_t *o = &m->out;
    const uint64_t t = m->cycle;

    if (in->req_valid && in->ctl_valid) {
        snprintf(m->err, sizeof m->err, "cycle %llu: req_valid and ctl_valid in the same cycle",
                 (unsigned long long)t);
        return -1;
    }
    if (in->mem_rsp_valid && (in->mem_rsp_id >= m->cfg.walkers ||
                              (m->w[in->mem_rsp_id].state != W_MEMWAIT && m->w[in->mem_rsp_id].state != W_ADWAIT))) {
        snprintf(m->err, sizeof m->err, "cycle %llu: memory response for walker %u, which is not waiting for one",
                 (unsigned long long)t, in->mem_rsp_id);
        return -1;
    }
    if (in->ctl_valid && o->ctl_ready && (in->ctl_op < MMU_CTL_CR3 || in->ctl_op > MMU_CTL_MODE)) {
        snprintf(m->err, sizeof m->err, "cycle %llu: unknown control operation %u", (unsigned long long)t,
                 in->ctl_op);
        return -1;
    }
    if (m->ctl_wait &&
        (!in->ctl_valid || in->ctl_op != m->ctl_prev.ctl_op || in->ctl_type != m->ctl_prev.ctl_type ||
         in->ctl_pcid != m->ctl_prev.ctl_pcid || in->ctl_data != m->ctl_prev.ctl_data ||
         in->ctl_addr != m->ctl_prev.ctl_addr)) {
        snprintf(m->err, sizeof m->err,
                 "cycle %llu: control operation withdrawn or changed before it was accepted",
                 (unsigned long long)t);
        return -1;
    }
    const uint16_t rid = (uint16_t)in->req_id;
    if (in->req_valid && o->req_ready && (m->id_out[rid >> 6] >> (rid & 63) & 1) &&
        !(o->rsp_valid && o->rsp_id == rid)) {
        snprintf(m->err, sizeof m->err,
                 "cycle %llu: request id %u accepted while a request with that id is outstanding",
                 (unsigned long long)t, rid);
        return -1;
    }
    m->ctl_wait = in->ctl_valid && !o->ctl_ready;
    if (m->ctl_wait)
        m->ctl_prev = *in;

    for (uint32_t k = 0; k < m->cfg.walkers; k++)
        m->w[k].complete = false;

    /* 1. request handshake: allocate the lowest entry free at the start of the cycle */
    int accepted = -1;
    if (in->req_valid && o->req_ready) {
        int idx = 0;
        while (m->rt[idx].state != RT_FREE)
            idx++;
        rt_entry_t *e = &m->rt[idx];
        /* no memset: the walk fields of info are valid only when read_mask
         * or mem_writes say so (the hot path does not clear 250 bytes) */
        e->info.joined = false;
        e->info.soft_miss = false;
        e->info.mem_reads = 0;
        e->info.mem_writes = 0;
        e->info.read_mask = 0;
        e->info.pcid = 0;
        e->info.fault_level = 0;
        e->info.rights = 0;
        e->info.restarts = 0;
        e->walker = 0;
        e->state = RT_L1;
        e->id = in->req_id;
        e->va = in->req_vaddr;
        e->acc = in->req_acc;
        e->user = in->req_user && !in->req_implicit; /* [T:implicit] effective privilege */
        e->implicit = in->req_implicit;
        e->due = t + m->cfg.l1_lat - 1;
        e->next = -1;
        e->info.seq = m->seq++;
        e->info.va = in->req_vaddr;
        e->info.cycle_accept = t;
        e->info.acc = in->req_acc;
        e->info.user = e->user;
        e->info.implicit = in->req_implicit;
        accepted = idx;
    }

    /* 2. response handshake (no back-pressure): the entry is freed */
    if (o->rsp_valid) {
        int idx = m->done[0];
        m->rt[idx].info.cycle_rsp = t;
        m->last_idx = idx; /* its info stays valid until the next step */
        memmove(&m->done[0], &m->done[1], (m->ndone - 1) * sizeof m->done[0]);
        m->ndone--;
        m->rt[idx].state = RT_FREE;
        m->rt_count--;
    }
    if (o->rsp_valid)
        m->id_out[o->rsp_id >> 6] &= ~(1ull << (o->rsp_id & 63));
    if (accepted >= 0) {
        ring_push(&m->l1q, (int8_t)accepted);
        m->rt_count++;
        m->id_out[rid >> 6] |= 1ull << (rid & 63);
    }

    /* 3. memory port grant */
    if (m->comb_grant >= 0) {
        walker_t *w = &m->w[m->comb_grant];
        if (w->state == W_MEMRQ) {
            w->state = W_MEMWAIT;
            w->mem_reads++;
        } else {
            w->state = W_ADWAIT;
            if (w->ad_total < 4) {
                w->ad_addr[w->ad_total] = w->wr_addr[w->wr_i];
                w->ad_data[w->ad_total] = w->wr_data[w->wr_i];
            }
            w->ad_total++;
        }
        m->rr = ((uint32_t)m->comb_grant + 1) % m->cfg.walkers;
    }

    /* 4. memory response: the walker processes the entry it read, or the old
     * value returned by its locked A/D update */
    if (in->mem_rsp_valid) {
        walker_t *w = &m->w[in->mem_rsp_id];
        if (w->state == W_ADWAIT)
            walk_ad_response(m, w, in->mem_rsp_data);
        else
            walk_entry(m, w, in->mem_rsp_data);
    }

    /* 5. dispatch: the oldest miss joins a walk of the same page and access,
     * or starts a walk on the lowest idle walker (state at cycle start) */
    if (m->missq.n) {
        int idx = ring_head(&m->missq);
        rt_entry_t *e = &m->rt[idx];
        uint16_t pcid = mmu_pcid(m);
        int join = -1, idle = -1;
        for (uint32_t k = 0; k < m->cfg.walkers; k++) {
            walker_t *w = &m->w[k];
            if (w->state == W_IDLE) {
                if (idle < 0)
                    idle = (int)k;
            } else if (join < 0 && ((w->va ^ e->va) & VA48) >> 12 == 0 && w->pcid == pcid && w->acc == e->acc &&
                       w->user == e->user && w->implicit == e->implicit) {
                join = (int)k;
            }
        }
        if (join >= 0) {
            walker_t *w = &m->w[join];
            int8_t *p = &w->waiters;
            while (*p >= 0)
                p = &m->rt[*p].next;
            *p = (int8_t)idx;
            e->next = -1;
            e->state = RT_WALK;
            e->walker = (uint8_t)join;
            e->info.joined = true;
            ring_pop(&m->missq);
        } else if (idle >= 0) {
            walker_t *w = &m->w[idle];
            memset(w, 0, sizeof *w);
            w->state = W_PWC;
            w->due = t + m->cfg.pwc_lat - 1;
            w->va = e->va;
            w->acc = e->acc;
            w->user = e->user;
            w->implicit = e->implicit;
            w->pcid = pcid;
            w->waiters = (int8_t)idx;
            e->next = -1;
            e->state = RT_WALK;
            e->walker = (uint8_t)idle;
            ring_pop(&m->missq);
        }
    }

    /* 6. lookups, all against the arrays as they are at the start of the cycle */
    touch_t touches[2 + MMU_PWC_COUNT * MAX_WALKERS];
    unsigned ntouch = 0;
    bool l1_refill = false;
    sa_entry_t refill;
    int refill_idx = -1;

    if (m->l1q.n && m->rt[ring_head(&m->l1q)].due == t) {
        int idx = ring_head(&m->l1q);
        rt_entry_t *e = &m->rt[idx];
        ring_pop(&m->l1q);
        if (!pg_canonical(e->va)) { /* SDM 3.3.7.1: #GP, no page fault */
            e->fault = MMU_FAULT_GP;
            e->info.pcid = mmu_pcid(m);
            e->info.rights = 0;
            e->cause = MMU_CAUSE_NONCANON;
            e->err = 0;
            e->paddr = 0;
            e->pwc = 0;
            e->size = MMU_PS_NONE;
            e->src = MMU_SRC_NONE;
            done_insert(m, idx);
        } else {
            sa_entry_t hit;
            bool soft = false;
            sa_t *side = e->acc == MMU_ACC_EXEC ? m->itlb : m->dtlb;
            if (tlb_probe(m, side, false, e->va, e->acc, e->user, e->implicit, &hit, &touches[ntouch], &soft)) {
                ntouch++;
                rt_finish_hit(m, e, &hit, MMU_SRC_L1);
                done_insert(m, idx);
            } else {
                e->info.soft_miss |= soft;
                e->state = RT_STLB;
                e->due = t + m->cfg.stlb_lat;
                ring_push(&m->stlbq, (int8_t)idx);
            }
        }
    }
    if (m->stlbq.n && m->rt[ring_head(&m->stlbq)].due == t) {
        int idx = ring_head(&m->stlbq);
        rt_entry_t *e = &m->rt[idx];
        ring_pop(&m->stlbq);
        sa_entry_t hit;
        bool soft = false;
        if (sa_enabled(&m->stlb) &&
            tlb_probe(m, NULL, true, e->va, e->acc, e->user, e->implicit, &hit, &touches[ntouch], &soft)) {
            ntouch++;
            rt_finish_hit(m, e, &hit, MMU_SRC_STLB);
            done_insert(m, idx);
            l1_refill = true;
            refill = hit;
            refill_idx = idx;
        } else {
            e->info.soft_miss |= soft;
            e->state = RT_MISS;
            ring_push(&m->missq, (int8_t)idx);
        }
    }
    for (uint32_t k = 0; k < m->cfg.walkers; k++) {
        walker_t *w = &m->w[k];
        if (w->state != W_PWC || w->due != t)
            continue;
        /* [T:walk] all three caches in parallel; start below the deepest hit */
        int deepest = -1;
        sa_entry_t he[MMU_PWC_COUNT];
        for (unsigned i = 0; i < MMU_PWC_COUNT; i++) {
            sa_t *a = &m->pwc[i];
            if (!sa_enabled(a))
                continue;
            uint64_t tag = pwc_tag(i, w->va);
            uint32_t set = sa_set(a, tag);
            int way = sa_find(a, set, tag, 0, w->pcid);
            if (way < 0)
                continue;
            he[i] = *sa_way(a, set, (uint32_t)way);
            touches[ntouch++] = (touch_t){a, set, (uint32_t)way};
            deepest = (int)i;
        }
        if (deepest < 0) {
            w->level = 4;
            w->table = m->cr3 & m->amask;
        } else {
            w->level = (uint8_t)(3 - deepest);
            w->table = he[deepest].data;
            w->cum[w->level + 1] = he[deepest].flags & (SA_RW | SA_US | SA_XD);
        }
        w->pwc_hit = (uint8_t)(deepest + 1);
        w->state = W_MEMRQ;
    }

    /* 7. array updates, in this order: (a) replacement updates of the hits,
     * (b) invalidations by faulting walks, (c) the L1 refill from an STLB
     * hit, (d) fills by completing walks in walker order */
    for (unsigned i = 0; i < ntouch; i++)
        sa_touch(touches[i].arr, touches[i].set, touches[i].way);
    for (uint32_t k = 0; k < m->cfg.walkers; k++) {
        walker_t *w = &m->w[k];
        if (w->complete && w->fault == MMU_FAULT_PF) { /* SDM 4.10.4.1: page faults invalidate */
            tlbs_inval_va(m, w->va, w->pcid, false);
            pwcs_inval_va(m, w->va, w->pcid);
        }
    }
    if (l1_refill) {
        sa_t *l1 = m->rt[refill_idx].acc == MMU_ACC_EXEC ? &m->itlb[refill.size] : &m->dtlb[refill.size];
        if (sa_enabled(l1))
            sa_fill(l1, &refill);
    }
    for (uint32_t k = 0; k < m->cfg.walkers; k++) {
        walker_t *w = &m->w[k];
        if (!w->complete)
            continue;
        if (w->fault == MMU_FAULT_NONE) {
            fill_tlbs(m, w);
            fill_pwcs(m, w);
        }
        /* 8. every waiter gets the result */
        bool first = true;
        for (int idx = w->waiters; idx >= 0;) {
            rt_entry_t *e = &m->rt[idx];
            int next = e->next;
            e->fault = w->fault;
            e->cause = w->cause;
            e->size = w->size;
            e->src = MMU_SRC_WALK;
            e->pwc = w->pwc_hit;
            if (w->fault == MMU_FAULT_NONE) {
                uint64_t mask = (1ull << mmu_ps_shift(w->size)) - 1;
                e->paddr = w->frame | (e->va & mask);
                e->err = 0;
            } else {
                e->paddr = 0;
                e->err = pg_error_code(m->mode, e->acc, e->user, (mmu_cause_t)w->cause);
            }
            e->info.pcid = w->pcid;
            e->info.fault_level = w->fault_level;
            e->info.rights = w->size == MMU_PS_NONE ? 0 : rights_of(w->cum[w->leaf_level]);
            e->info.restarts = w->restarts;
            if (first) {
                e->info.mem_reads = w->mem_reads;
                e->info.mem_writes = w->ad_total;
                e->info.read_mask = w->read_mask;
                for (unsigned l = 1; l <= 4; l++) {
                    e->info.pte_addr[l] = w->pte_addr[l];
                    e->info.pte[l] = (w->read_mask >> l & 1) ? w->pte_orig[l] : 0;
                }
                for (unsigned i = 0; i < w->ad_total && i < 4; i++) {
                    e->info.wr_addr[i] = w->ad_addr[i];
                    e->info.wr_data[i] = w->ad_data[i];
                }
            }
            first = false;
            done_insert(m, idx);
            idx = next;
        }
        w->state = W_IDLE;
        w->waiters = -1;
    }

    /* 9. control operation (only when nothing is outstanding) */
    if (in->ctl_valid && o->ctl_ready)
        apply_control(m, in);

    m->cycle = t + 1;
    m->comb_valid = false;
    return 0;
}

uint64_t mmu_next_event(const mmu_t *m)
{
    uint64_t t = m->cycle, best = UINT64_MAX;
    if (m->ndone)
        return t;
    if (m->l1q.n) {
        uint64_t d = m->rt[ring_head(&m->l1q)].due;
        best = d < best ? d : best;
    }
    if (m->stlbq.n) {
        uint64_t d = m->rt[ring_head(&m->stlbq)].due;
        best = d < best ? d : best;
    }
    for (uint32_t k = 0; k < m->cfg.walkers; k++) {
        const walker_t *w = &m->w[k];
        if (w->state == W_MEMRQ || w->state == W_ADW)
            return t;
        if (w->state == W_PWC && w->due < best)
            best = w->due;
    }
    if (m->missq.n) {
        const rt_entry_t *e = &m->rt[ring_head(&m->missq)];
        uint16_t pcid = mmu_pcid(m);
        for (uint32_t k = 0; k < m->cfg.walkers; k++) {
            const walker_t *w = &m->w[k];
            if (w->state == W_IDLE || (((w->va ^ e->va) & VA48) >> 12 == 0 && w->pcid == pcid && w->acc == e->acc &&
                                       w->user == e->user && w->implicit == e->implicit))
                return t;
        }
    }
    return best < t ? t : best;
}

void mmu_skip_to(mmu_t *m, uint64_t cycle)
{
    if (cycle > m->cycle) {
        m->cycle = cycle;
        m->comb_valid = false;
    }
}
