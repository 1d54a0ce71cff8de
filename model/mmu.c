/* mmu.c - the cycle-level MMU: the top that composes the components and
 * holds no rule of its own beyond the order of a cycle. Every rule is one
 * of docs/timing.md; section names in brackets ([T:...]) point there, SDM
 * section numbers to Intel SDM Vol. 3A chapter 4.
 *
 *   rtable.c   the request table, its queues, the response order
 *   lookup.c   the TLBs and page-walk caches: lookups, fills, invalidations
 *   walker.c   one page-table walker (the walk, its locked A/D updates)
 *   memport.c  the walkers' memory-port arbiter
 *   mmu.c      this file: eval (the outputs), step (one cycle, in the order
 *              of docs/timing.md section 4), control operations (2.4)
 */
#include "mmu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"
#include "memport.h"
#include "paging.h"
#include "rtable.h"
#include "walker.h"

#define MAX_WALKERS 16

struct mmu {
    mmu_config_t cfg;
    uint64_t cycle;
    uint64_t amask;
    uint64_t cr3;
    uint32_t mode;
    lookup_t lk;
    rtable_t rt;
    walker_t w[MAX_WALKERS];
    uint32_t rr; /* memory-port round-robin pointer */
    uint32_t l1_lat, l2_lat, pwc_lat; /* docs/timing.md 3, from the arrays */
    /* combinational results of the current cycle */
    bool comb_valid;
    mmu_out_t out;
    int comb_grant; /* walker granted the memory port, -1 */
    int last_idx;
    /* protocol checks (docs/timing.md 2.5): the control operation offered
     * and not accepted in the step before */
    bool ctl_wait;
    mmu_in_t ctl_prev;
    char err[200];
    /* counters (docs/stats.md): walks by kind, and the walks of each kind
     * in progress with the cycle the first of them started */
    mmu_walk_counts_t wc;
    uint32_t walks_now[3];
    uint64_t walks_since[3];
};

/* ---------------------------------------------------------------- create */

unsigned mmu_narrays(const mmu_t *m) { return lk_narrays(&m->lk); }
unsigned mmu_ntlb(const mmu_t *m) { return m->lk.ntlb; }
const char *mmu_array_name(const mmu_t *m, unsigned id) { return lk_array_name(&m->lk, id); }
const sa_t *mmu_array(const mmu_t *m, unsigned id) { return lk_array((lookup_t *)&m->lk, id); }

int mmu_array_find(const mmu_t *m, const char *name)
{
    for (unsigned i = 0; i < lk_narrays(&m->lk); i++)
        if (strcmp(lk_array_name(&m->lk, i), name) == 0)
            return (int)i;
    return -1;
}

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
    m->l1_lat = mmu_cfg_l1_lat(cfg);
    m->l2_lat = mmu_cfg_l2_lat(cfg);
    m->pwc_lat = mmu_cfg_pwc_lat(cfg);
    if (lk_init(&m->lk, cfg, err, errlen) != 0) {
        mmu_destroy(m);
        return -1;
    }
    rt_init(&m->rt, cfg->outstanding);
    m->comb_grant = -1;
    *out = m;
    return 0;
}

void mmu_destroy(mmu_t *m)
{
    if (!m)
        return;
    lk_free(&m->lk);
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
const mmu_rsp_info_t *mmu_last_info(const mmu_t *m) { return &m->rt.e[m->last_idx].info; }
uint32_t mmu_outstanding(const mmu_t *m) { return m->rt.count; }
uint64_t mmu_cr3(const mmu_t *m) { return m->cr3; }
uint32_t mmu_mode(const mmu_t *m) { return m->mode; }
uint16_t mmu_pcid(const mmu_t *m) { return (m->mode & MMU_MODE_PCIDE) ? (uint16_t)(m->cr3 & 0xFFF) : 0; }
const mmu_walk_counts_t *mmu_walk_counts(const mmu_t *m) { return &m->wc; }

/* ----------------------------------------------------------- combinational */

void mmu_eval(mmu_t *m, mmu_out_t *out)
{
    if (!m->comb_valid) {
        mmu_out_t *o = &m->out;
        memset(o, 0, sizeof *o);
        /* [T:request] ready while the request table has a free entry */
        o->req_ready = m->rt.count < m->cfg.outstanding;
        /* [T:control] a control operation waits until nothing is outstanding */
        o->ctl_ready = m->rt.count == 0;
        /* [T:response] the oldest finished request */
        if (m->rt.ndone) {
            const rt_entry_t *e = &m->rt.e[m->rt.done[0]];
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
        /* [T:memory port] round robin among walkers with a request, from rr */
        m->comb_grant = memport_grant(m->w, m->cfg.walkers, m->rr);
        if (m->comb_grant >= 0) {
            o->mem_req_valid = true;
            o->mem_req_id = (uint8_t)m->comb_grant;
            walker_mem_request(&m->w[m->comb_grant], o);
        }
        m->comb_valid = true;
    }
    if (out)
        *out = m->out;
}

/* ------------------------------------------------------------- control */

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
                lk_inval_tlbs(&m->lk, INV_PCID_NONGLOBAL, np);
                lk_inval_pwcs(&m->lk, INV_PCID_ANY, np);
            }
        } else { /* PCIDE = 0: flush PCID 000H except global entries */
            lk_inval_tlbs(&m->lk, INV_PCID_NONGLOBAL, 0);
            lk_inval_pwcs(&m->lk, INV_PCID_ANY, 0);
        }
        m->cr3 = v & ~(1ull << 63);
        break;
    }
    case MMU_CTL_INVLPG:
        /* the page for the current PCID, global entries for it whatever their
         * PCID, and every PWC entry of the current PCID; non-canonical: no-op */
        if (pg_canonical(in->ctl_addr)) {
            lk_inval_tlb_va(&m->lk, in->ctl_addr, cur, false);
            lk_inval_pwcs(&m->lk, INV_PCID_ANY, cur);
        }
        break;
    case MMU_CTL_INVPCID: {
        uint16_t p = in->ctl_pcid & 0xFFF;
        switch (in->ctl_type) {
        case 0: /* individual address, except global; PWC of that PCID */
            if (pg_canonical(in->ctl_addr)) {
                lk_inval_tlb_va(&m->lk, in->ctl_addr, p, true);
                lk_inval_pwcs(&m->lk, INV_PCID_ANY, p);
            }
            break;
        case 1: /* single context, except global */
            lk_inval_tlbs(&m->lk, INV_PCID_NONGLOBAL, p);
            lk_inval_pwcs(&m->lk, INV_PCID_ANY, p);
            break;
        case 2: /* all contexts, including global */
            lk_inval_tlbs(&m->lk, INV_ALL, 0);
            lk_inval_pwcs(&m->lk, INV_ALL, 0);
            break;
        default: /* 3: all contexts, except global */
            lk_inval_tlbs(&m->lk, INV_NONGLOBAL, 0);
            lk_inval_pwcs(&m->lk, INV_ALL, 0);
            break;
        }
        break;
    }
    case MMU_CTL_MODE: {
        uint32_t old = m->mode, nw = (uint32_t)in->ctl_data & MMU_MODE_MASK;
        if (((old ^ nw) & (MMU_MODE_PGE | MMU_MODE_NOPG1G)) || ((old & MMU_MODE_PCIDE) && !(nw & MMU_MODE_PCIDE))) {
            lk_inval_tlbs(&m->lk, INV_ALL, 0); /* CR4.PGE or NOPG1G changed, or PCIDE 1 -> 0 */
            lk_inval_pwcs(&m->lk, INV_ALL, 0);
        } else if (!(old & MMU_MODE_SMEP) && (nw & MMU_MODE_SMEP)) {
            lk_inval_tlbs(&m->lk, INV_PCID_ANY, cur); /* CR4.SMEP 0 -> 1: current PCID */
            lk_inval_pwcs(&m->lk, INV_PCID_ANY, cur);
        }
        m->mode = nw;
        break;
    }
    default:
        break;
    }
}

/* ------------------------------------------------------------------ step */

/* docs/timing.md 2.5: the environment's obligations; -1 with the message. */
static int protocol_check(mmu_t *m, const mmu_in_t *in, const mmu_out_t *o, uint64_t t)
{
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
    if (in->req_valid && o->req_ready && rt_id_outstanding(&m->rt, rid) && !(o->rsp_valid && o->rsp_id == rid)) {
        snprintf(m->err, sizeof m->err,
                 "cycle %llu: request id %u accepted while a request with that id is outstanding",
                 (unsigned long long)t, rid);
        return -1;
    }
    return 0;
}

/* [T:dispatch] The oldest miss joins the first busy walker translating its
 * page for the same PCID, access and privilege, or starts a walk on the
 * lowest idle walker (state at the start of the cycle), or waits. */
static void dispatch(mmu_t *m, uint64_t t)
{
    int idx = rt_ring_head(&m->rt.missq);
    rt_entry_t *e = &m->rt.e[idx];
    uint16_t pcid = mmu_pcid(m);
    int join = -1, idle = -1;
    for (uint32_t k = 0; k < m->cfg.walkers; k++) {
        walker_t *w = &m->w[k];
        if (w->state == W_IDLE) {
            if (idle < 0)
                idle = (int)k;
        } else if (join < 0 && walker_matches(w, e->va, pcid, e->acc, e->user, e->implicit)) {
            join = (int)k;
        }
    }
    if (join >= 0) {
        walker_t *w = &m->w[join];
        int8_t *p = &w->waiters;
        while (*p >= 0)
            p = &m->rt.e[*p].next;
        *p = (int8_t)idx;
        e->info.joined = true;
        e->walker = (uint8_t)join;
    } else if (idle >= 0) {
        walker_start(&m->w[idle], e->va, e->acc, e->user, e->implicit, pcid, (int8_t)idx, t, m->pwc_lat);
        e->walker = (uint8_t)idle;
        m->wc.started[e->acc]++;
        if (m->walks_now[e->acc]++ == 0)
            m->walks_since[e->acc] = t;
    } else {
        return;
    }
    e->next = -1;
    e->state = RT_WALK;
    rt_ring_pop(&m->rt.missq);
}

/* [T:complete] Walker w's result into every waiter (owner first), which
 * become DONE; the walker goes idle. */
static void complete_walk(mmu_t *m, walker_t *w, uint64_t t)
{
    const unsigned k = w->acc;
    if (w->fault == MMU_FAULT_NONE)
        m->wc.completed[k]++;
    else
        m->wc.faulted[k]++;
    m->wc.cycles[k] += t - w->t_start + 1;
    m->wc.restarts += w->restarts;
    if (--m->walks_now[k] == 0)
        m->wc.active_cycles[k] += t - m->walks_since[k] + 1;
    bool first = true;
    for (int idx = w->waiters; idx >= 0;) {
        rt_entry_t *e = &m->rt.e[idx];
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
        e->info.rights = w->size == MMU_PS_NONE ? 0 : rt_rights_of(w->cum[w->leaf_level]);
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
        rt_done(&m->rt, idx);
        idx = next;
    }
    w->state = W_IDLE;
    w->waiters = -1;
}

int mmu_step(mmu_t *m, const mmu_in_t *in)
{
    mmu_eval(m, NULL);
    const mmu_out_t *o = &m->out;
    const uint64_t t = m->cycle;

    if (protocol_check(m, in, o, t) != 0)
        return -1;
    m->ctl_wait = in->ctl_valid && !o->ctl_ready;
    if (m->ctl_wait)
        m->ctl_prev = *in;

    for (uint32_t k = 0; k < m->cfg.walkers; k++)
        m->w[k].complete = false;

    /* 1. request handshake: allocate the lowest entry free at the start of the cycle */
    int accepted = in->req_valid && o->req_ready ? rt_alloc(&m->rt, in, t, m->l1_lat) : -1;

    /* 2. response handshake (no back-pressure): the entry is freed */
    if (o->rsp_valid)
        m->last_idx = rt_respond(&m->rt, t); /* its info stays valid until the next step */
    if (accepted >= 0)
        rt_accept_commit(&m->rt, accepted);

    /* 3. memory port grant */
    if (m->comb_grant >= 0) {
        walker_granted(&m->w[m->comb_grant]);
        m->rr = memport_next_rr((uint32_t)m->comb_grant, m->cfg.walkers);
    }

    /* 4. memory response: the walker processes the entry it read, or the old
     * value returned by its locked A/D update */
    if (in->mem_rsp_valid) {
        const walker_env_t env = {m->mode, m->cfg.maxphyaddr, m->amask, m->cr3 & m->amask};
        walker_response(&m->w[in->mem_rsp_id], &env, in->mem_rsp_data);
    }

    /* 5. dispatch */
    if (m->rt.missq.n)
        dispatch(m, t);

    /* 6. lookups, all against the arrays as they are at the start of the cycle */
    lk_touch_t touches[2 + MMU_PWC_MAX * MAX_WALKERS];
    unsigned ntouch = 0;
    bool l1_refill = false;
    sa_entry_t refill;
    int refill_idx = -1;
    const uint16_t pcid = mmu_pcid(m);

    if (m->rt.l1q.n && m->rt.e[rt_ring_head(&m->rt.l1q)].due == t) {
        int idx = rt_ring_head(&m->rt.l1q);
        rt_entry_t *e = &m->rt.e[idx];
        rt_ring_pop(&m->rt.l1q);
        if (!pg_canonical(e->va)) { /* SDM 3.3.7.1: #GP, no page fault */
            e->fault = MMU_FAULT_GP;
            e->info.pcid = pcid;
            e->info.rights = 0;
            e->cause = MMU_CAUSE_NONCANON;
            e->err = 0;
            e->paddr = 0;
            e->pwc = 0;
            e->size = MMU_PS_NONE;
            e->src = MMU_SRC_NONE;
            rt_done(&m->rt, idx);
        } else {
            sa_entry_t hit;
            bool soft = false;
            if (lk_probe_tlb(&m->lk, 1, e->va, e->acc, e->user, e->implicit, m->mode, pcid, &hit,
                             &touches[ntouch], &soft)) {
                e->info.tlb_array = (int8_t)(touches[ntouch].arr - m->lk.tlb);
                ntouch++;
                rt_finish_hit(e, &hit, MMU_SRC_L1, pcid);
                rt_done(&m->rt, idx);
            } else {
                e->info.soft_miss |= soft;
                e->state = RT_STLB;
                e->due = t + m->l2_lat;
                rt_ring_push(&m->rt.stlbq, (int8_t)idx);
            }
        }
    }
    if (m->rt.stlbq.n && m->rt.e[rt_ring_head(&m->rt.stlbq)].due == t) {
        int idx = rt_ring_head(&m->rt.stlbq);
        rt_entry_t *e = &m->rt.e[idx];
        rt_ring_pop(&m->rt.stlbq);
        sa_entry_t hit;
        bool soft = false;
        if (lk_probe_tlb(&m->lk, 2, e->va, e->acc, e->user, e->implicit, m->mode, pcid, &hit, &touches[ntouch],
                         &soft)) {
            e->info.tlb_array = (int8_t)(touches[ntouch].arr - m->lk.tlb);
            ntouch++;
            rt_finish_hit(e, &hit, MMU_SRC_STLB, pcid);
            rt_done(&m->rt, idx);
            l1_refill = true;
            refill = hit;
            refill_idx = idx;
        } else {
            e->info.soft_miss |= soft;
            e->state = RT_MISS;
            rt_ring_push(&m->rt.missq, (int8_t)idx);
        }
    }
    for (uint32_t k = 0; k < m->cfg.walkers; k++) {
        walker_t *w = &m->w[k];
        if (w->state != W_PWC || w->due != t)
            continue;
        sa_entry_t hit;
        int deepest = lk_probe_pwc(&m->lk, w->va, w->pcid, w->acc, &hit, touches, &ntouch);
        walker_pwc_result(w, deepest, &hit, m->cr3 & m->amask);
    }

    /* 7. array updates, in this order: (a) replacement updates of the hits,
     * (b) invalidations by faulting walks, (c) the L1 refill from an STLB
     * hit, (d) fills by completing walks in walker order */
    for (unsigned i = 0; i < ntouch; i++)
        sa_touch(touches[i].arr, touches[i].set, touches[i].way);
    for (uint32_t k = 0; k < m->cfg.walkers; k++) {
        walker_t *w = &m->w[k];
        if (w->complete && w->fault == MMU_FAULT_PF) { /* SDM 4.10.4.1: page faults invalidate */
            lk_inval_tlb_va(&m->lk, w->va, w->pcid, false);
            lk_inval_pwc_va(&m->lk, w->va, w->pcid);
        }
    }
    if (l1_refill)
        lk_fill_l1(&m->lk, m->rt.e[refill_idx].acc, m->rt.e[refill_idx].va, &refill);
    for (uint32_t k = 0; k < m->cfg.walkers; k++) {
        walker_t *w = &m->w[k];
        if (!w->complete)
            continue;
        if (w->fault == MMU_FAULT_NONE)
            lk_fill_walk(&m->lk, w, m->amask);
        complete_walk(m, w, t); /* 8. every waiter gets the result */
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
    if (m->rt.ndone)
        return t;
    if (m->rt.l1q.n) {
        uint64_t d = m->rt.e[rt_ring_head(&m->rt.l1q)].due;
        best = d < best ? d : best;
    }
    if (m->rt.stlbq.n) {
        uint64_t d = m->rt.e[rt_ring_head(&m->rt.stlbq)].due;
        best = d < best ? d : best;
    }
    for (uint32_t k = 0; k < m->cfg.walkers; k++) {
        const walker_t *w = &m->w[k];
        if (w->state == W_MEMRQ || w->state == W_ADW)
            return t;
        if (w->state == W_PWC && w->due < best)
            best = w->due;
    }
    if (m->rt.missq.n) {
        const rt_entry_t *e = &m->rt.e[rt_ring_head(&m->rt.missq)];
        uint16_t pcid = mmu_pcid(m);
        for (uint32_t k = 0; k < m->cfg.walkers; k++) {
            const walker_t *w = &m->w[k];
            if (w->state == W_IDLE || walker_matches(w, e->va, pcid, e->acc, e->user, e->implicit))
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
