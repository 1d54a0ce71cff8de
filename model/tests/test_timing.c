/* test_timing.c - the cycle contract (docs/timing.md), cycle for cycle.
 *
 * Every expected cycle, address and payload below is derived by hand from
 * docs/timing.md (the derivation is the comment next to it); none was taken
 * from a run of the model. The harness drives mmu_eval()/mmu_step() itself,
 * plays the memory side (a read seen on the port in cycle t is sampled from
 * pmem in t and answered in t + latency, at most one answer per cycle, the
 * smallest (ready cycle, issue order) first; a locked A/D update is applied
 * in the cycle it appears and answered like a read with the entry's old
 * value) and records every port of every cycle.
 *
 * Parameters (those of the diagrams, docs/timing.md section 6) unless a test
 * says otherwise: at level 1 one TLB array per side and page size (itlb4k,
 * itlb2m, itlb1g for fetches; dtlb4k, dtlb2m, dtlb1g for loads and stores),
 * 4 entries 2-way LRU (2 sets); at level 2 one array "stlb" for every kind
 * holding 4K, 2M and 1G, 16 entries 4-way LRU (4 sets); one PWC per
 * paging-structure level (pml4e, pdpte, pde), 4 entries 2-way LRU;
 * L1_LAT 1, L2_LAT 2, PWC_LAT 1, 2 walkers, 8 outstanding, MAXPHYADDR 46,
 * memory latency M = 3. Mode CR0.WP | EFER.NXE. Tests 14 to 16 check the
 * organisation rules ([T:organisation], [T:lookup], [T:fill],
 * [T:inval-va]) on the tiny preset and on a configuration of their own.
 *
 * Shorthand in the comments: "acc" acceptance, "L1" L1 lookup, "ST" STLB
 * lookup, "disp" dispatch, "pwc" PWC lookup, "rd X" read of entry X on the
 * memory port, "ret" the memory response (issue + 3), "wr X" a locked A/D
 * update of X (answered like a read, issue + 3).
 * Walk latency (section 6): L1_LAT + L2_LAT + PWC_LAT + (n + w)*(M+1)
 * = 1 + 2 + 1 + 4(n + w) = 4 + 4(n + w).
 */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "mmu.h"
#include "mmu_config.h"
#include "paging.h"
#include "pmem.h"
#include "pt.h"

/* ================================================================ harness */

#define H_MAXREQ 64
#define H_MAXMEM 512
#define H_MAXCYC 1024
#define H_MAXPEND 32
#define H_MAXLAT 32

typedef struct {
    uint32_t id;
    uint64_t va;
    uint8_t acc;
    bool user;
    bool implicit;
    uint64_t earliest;  /* first cycle it is offered (held until accepted) */
    int64_t acc_cycle;  /* handshake cycle, -1 */
    int64_t rsp_cycle;  /* rsp_valid cycle, -1 */
    mmu_out_t rsp;      /* outputs of the response cycle */
} hreq_t;

typedef struct {
    uint64_t cycle;
    bool we;
    uint8_t id;
    uint64_t addr, wdata;
} hmem_t;

typedef struct {
    uint64_t ready, seq;
    uint8_t id;
    uint64_t data;
} hpend_t;

typedef struct {
    mmu_config_t cfg;
    mmu_t *m;
    pmem_t *mem;
    pt_t *pt;
    uint64_t cr3;
    unsigned mem_lat;
    unsigned rd_lat[H_MAXLAT]; /* latency of the k-th read issued (0: mem_lat) */
    uint64_t nreads, nissued; /* reads issued; requests issued (issue order) */
    hpend_t pend[H_MAXPEND];
    int npend;
    hreq_t req[H_MAXREQ];
    int nreq, next_req;
    bool ctl_pending;
    mmu_in_t ctl;
    uint64_t ctl_earliest;
    int64_t ctl_cycle; /* handshake cycle of the last control operation */
    hmem_t mreq[H_MAXMEM];
    int nmreq;
    mmu_out_t out[H_MAXCYC];
    bool stepped[H_MAXCYC];
    int step_errors, trace_errors;
    bool skip; /* use mmu_next_event()/mmu_skip_to() */
    uint64_t nskipped;
    /* "software" stores into the page tables: in cycle poke_cycle[i], after
     * the memory side has taken that cycle's request, M[poke_addr] = poke_val */
    int npoke;
    uint64_t poke_cycle[4], poke_addr[4], poke_val[4];
} h_t;

static mmu_tlb_cfg_t *add_tlb(mmu_config_t *c, const char *name, uint32_t level, uint32_t serves, uint32_t sizes,
                              mmu_array_cfg_t a, uint32_t lat)
{
    mmu_tlb_cfg_t *t = &c->tlb[c->ntlb++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->level = level;
    t->serves = serves;
    t->sizes = sizes;
    t->a = a;
    t->lat = lat;
    return t;
}

static void add_pwc(mmu_config_t *c, const char *name, uint32_t levels, mmu_array_cfg_t a, uint32_t lat)
{
    mmu_pwc_cfg_t *p = &c->pwc[c->npwc++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->levels = levels;
    p->a = a;
    p->lat = lat;
}

/* One L1 array per side (ITLB: fetches; DTLB: loads and stores) and page
 * size, one level-2 array ("the STLB") for every kind and size, one PWC per
 * paging-structure level: each translation has one array per level to go
 * to ([T:fill]). */
static void h_default_cfg(mmu_config_t *c)
{
    memset(c, 0, sizeof *c);
    const mmu_array_cfg_t l1 = {4, 2, MMU_REPL_LRU, 1};
    static const char *const iname[] = {"itlb4k", "itlb2m", "itlb1g"}, *const dname[] = {"dtlb4k", "dtlb2m", "dtlb1g"};
    for (int ps = 0; ps < MMU_PS_COUNT; ps++)
        add_tlb(c, iname[ps], 1, MMU_SERVE_FETCH, 1u << ps, l1, 1);
    for (int ps = 0; ps < MMU_PS_COUNT; ps++)
        add_tlb(c, dname[ps], 1, MMU_SERVE_LOAD | MMU_SERVE_STORE, 1u << ps, l1, 1);
    add_tlb(c, "stlb", 2, MMU_SERVE_ALL, 7, (mmu_array_cfg_t){16, 4, MMU_REPL_LRU, 1}, 2);
    static const char *const pname[] = {"pml4e", "pdpte", "pde"};
    for (int i = 0; i < MMU_PWC_COUNT; i++)
        add_pwc(c, pname[i], 1u << i, (mmu_array_cfg_t){4, 2, MMU_REPL_LRU, 1}, 1);
    c->walkers = 2;
    c->outstanding = 8;
    c->maxphyaddr = 46;
}

/* Every array of one level gets latency lat. */
static void set_level_lat(mmu_config_t *c, uint32_t level, uint32_t lat)
{
    for (uint32_t i = 0; i < c->ntlb; i++)
        if (c->tlb[i].level == level)
            c->tlb[i].lat = lat;
}

static h_t *h_new_cfg(const mmu_config_t *cfg, uint32_t mode)
{
    h_t *h = calloc(1, sizeof *h);
    if (!h) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    h->cfg = *cfg;
    h->mem_lat = 3;
    h->ctl_cycle = -1;
    h->mem = pmem_create();
    h->pt = pt_create(h->mem, cfg->maxphyaddr, 1);
    if (!h->mem || !h->pt) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    h->cr3 = pt_new_root(h->pt);
    char err[200] = "";
    int rc = mmu_create(cfg, &h->m, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "mmu_create: %s\n", err);
        exit(2);
    }
    mmu_set_state(h->m, h->cr3, mode);
    return h;
}

static h_t *h_new(uint32_t mode)
{
    mmu_config_t c;
    h_default_cfg(&c);
    return h_new_cfg(&c, mode);
}

static void h_free(h_t *h)
{
    CHECK_EQ(h->step_errors, 0);  /* every mmu_step() of the run returned 0 */
    CHECK_EQ(h->trace_errors, 0); /* every response matched an accepted request */
    mmu_destroy(h->m);
    pt_destroy(h->pt);
    pmem_destroy(h->mem);
    free(h);
}

/* Free a harness whose run a test cut short on purpose (a protocol
 * violation): its pending reads and unanswered requests are dropped, not
 * reported. */
static void h_free_cut(h_t *h)
{
    h->npend = 0;
    h->nreq = h->next_req = 0;
    h_free(h);
}

static void h_map_(h_t *h, uint64_t va, uint64_t pa, unsigned ps, uint64_t flags, int line)
{
    char err[200] = "";
    int rc = pt_map(h->pt, h->cr3, va, pa, ps, flags, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "line %d: pt_map(0x%llx): %s\n", line, (unsigned long long)va, err);
    CHECK_EQ(rc, 0);
}
#define h_map(h, va, pa, ps, fl) h_map_(h, va, pa, ps, fl, __LINE__)

/* Entry address / value at `level` for va. */
static uint64_t h_ea(h_t *h, uint64_t va, unsigned level) { return pt_entry_addr(h->pt, h->cr3, va, level); }
static uint64_t h_ev(h_t *h, uint64_t va, unsigned level) { return pmem_read64(h->mem, h_ea(h, va, level)); }

/* Set A in the non-leaf entries (levels 4 .. leaf+1) on the path of va. */
static void h_set_a(h_t *h, uint64_t va, unsigned leaf_level)
{
    for (unsigned l = 4; l > leaf_level; l--) {
        uint64_t a = h_ea(h, va, l);
        CHECK(a != 0);
        pmem_write64(h->mem, a, pmem_read64(h->mem, a) | PTE_A);
    }
}

static int h_add(h_t *h, uint64_t earliest, uint64_t va, uint8_t acc, bool user)
{
    if (h->nreq >= H_MAXREQ) {
        fprintf(stderr, "too many requests\n");
        exit(2);
    }
    int i = h->nreq++;
    hreq_t *r = &h->req[i];
    memset(r, 0, sizeof *r);
    r->id = 0x100u + (uint32_t)i;
    r->va = va;
    r->acc = acc;
    r->user = user;
    r->earliest = earliest;
    r->acc_cycle = r->rsp_cycle = -1;
    return i;
}

static void h_ctl(h_t *h, uint64_t earliest, uint8_t op, uint64_t data, uint64_t addr)
{
    memset(&h->ctl, 0, sizeof h->ctl);
    h->ctl.ctl_valid = true;
    h->ctl.ctl_op = op;
    h->ctl.ctl_data = data;
    h->ctl.ctl_addr = addr;
    h->ctl_earliest = earliest;
    h->ctl_pending = true;
}

/* One cycle: outputs, environment, edge. */
static void h_cycle(h_t *h)
{
    uint64_t t = mmu_cycle(h->m);
    mmu_out_t o;
    mmu_eval(h->m, &o);
    if (t < H_MAXCYC) {
        h->out[t] = o;
        h->stepped[t] = true;
    }
    mmu_in_t in;
    memset(&in, 0, sizeof in);

    /* CPU side: a pending control operation has priority (req and ctl are
     * never offered together); otherwise the oldest unaccepted request. */
    if (h->ctl_pending && t >= h->ctl_earliest) {
        in = h->ctl;
        if (o.ctl_ready) {
            h->ctl_pending = false;
            h->ctl_cycle = (int64_t)t;
        }
    } else if (h->next_req < h->nreq && t >= h->req[h->next_req].earliest) {
        hreq_t *r = &h->req[h->next_req];
        in.req_valid = true;
        in.req_id = r->id;
        in.req_vaddr = r->va;
        in.req_acc = r->acc;
        in.req_user = r->user;
        in.req_implicit = r->implicit;
        if (o.req_ready) {
            r->acc_cycle = (int64_t)t;
            h->next_req++;
        }
    }

    /* memory side: one response, smallest (ready, issue order) among ready */
    int best = -1;
    for (int i = 0; i < h->npend; i++)
        if (h->pend[i].ready <= t &&
            (best < 0 || h->pend[i].ready < h->pend[best].ready ||
             (h->pend[i].ready == h->pend[best].ready && h->pend[i].seq < h->pend[best].seq)))
            best = i;
    if (best >= 0) {
        in.mem_rsp_valid = true;
        in.mem_rsp_id = h->pend[best].id;
        in.mem_rsp_data = h->pend[best].data;
        h->pend[best] = h->pend[--h->npend];
    }
    if (o.mem_req_valid) {
        if (h->nmreq < H_MAXMEM)
            h->mreq[h->nmreq++] = (hmem_t){t, o.mem_req_we, o.mem_req_id, o.mem_req_addr, o.mem_req_wdata};
        /* a read, or a locked A/D update ([T:locked-update]): A and D of
         * wdata are ORed in only if the entry equals wdata in every other
         * bit; either way the answer is the value before, after the latency
         * (reads: rd_lat of their number or mem_lat; updates: mem_lat) */
        const uint64_t old = pmem_read64(h->mem, o.mem_req_addr);
        unsigned lat = h->mem_lat;
        if (o.mem_req_we) {
            if (((old ^ o.mem_req_wdata) & ~(PTE_A | PTE_D)) == 0)
                pmem_write64(h->mem, o.mem_req_addr, old | (o.mem_req_wdata & (PTE_A | PTE_D)));
        } else {
            if (h->nreads < H_MAXLAT && h->rd_lat[h->nreads])
                lat = h->rd_lat[h->nreads];
            h->nreads++;
        }
        if (h->npend < H_MAXPEND)
            h->pend[h->npend++] = (hpend_t){t + lat, h->nissued++, o.mem_req_id, old};
    }
    for (int i = 0; i < h->npoke; i++)
        if (h->poke_cycle[i] == t)
            pmem_write64(h->mem, h->poke_addr[i], h->poke_val[i]);

    /* response record */
    if (o.rsp_valid) {
        int k = -1;
        for (int i = 0; i < h->nreq; i++)
            if (h->req[i].id == o.rsp_id && h->req[i].acc_cycle >= 0 && h->req[i].rsp_cycle < 0)
                k = i;
        if (k < 0) {
            h->trace_errors++;
            fprintf(stderr, "cycle %llu: response for unknown id 0x%x\n", (unsigned long long)t, o.rsp_id);
        } else {
            h->req[k].rsp_cycle = (int64_t)t;
            h->req[k].rsp = o;
        }
    }

    if (mmu_step(h->m, &in) != 0) {
        h->step_errors++;
        fprintf(stderr, "cycle %llu: mmu_step: %s\n", (unsigned long long)t, mmu_error(h->m));
    }
}

static bool h_idle(h_t *h)
{
    if (h->next_req < h->nreq || h->ctl_pending || h->npend || mmu_outstanding(h->m))
        return false;
    for (int i = 0; i < h->nreq; i++)
        if (h->req[i].rsp_cycle < 0)
            return false;
    return true;
}

/* Skip mode: jump to the earliest cycle in which the MMU or the environment
 * has something to do (never beyond `limit`). */
static void h_skip(h_t *h, uint64_t limit)
{
    uint64_t t = mmu_cycle(h->m);
    uint64_t target = mmu_next_event(h->m);
    if (h->ctl_pending)
        target = h->ctl_earliest < target ? h->ctl_earliest : target;
    if (h->next_req < h->nreq)
        target = h->req[h->next_req].earliest < target ? h->req[h->next_req].earliest : target;
    for (int i = 0; i < h->npend; i++)
        target = h->pend[i].ready < target ? h->pend[i].ready : target;
    if (target > limit)
        target = limit;
    if (target > t) {
        h->nskipped += target - t;
        mmu_skip_to(h->m, target);
    }
}

/* Run until mmu_cycle() == c. */
static void h_run_to(h_t *h, uint64_t c)
{
    while (mmu_cycle(h->m) < c) {
        if (h->skip)
            h_skip(h, c);
        if (mmu_cycle(h->m) < c)
            h_cycle(h);
    }
}

/* Run until every request is answered and the memory side is quiet. */
static void h_run_idle(h_t *h)
{
    uint64_t limit = mmu_cycle(h->m) + 2000;
    while (!h_idle(h) && mmu_cycle(h->m) < limit) {
        if (h->skip)
            h_skip(h, limit);
        if (!h_idle(h) && mmu_cycle(h->m) < limit)
            h_cycle(h);
    }
    CHECK(h_idle(h));
}

/* Offer one request from cycle c (after running to c), run to idle. */
static int h_at(h_t *h, uint64_t c, uint64_t va, uint8_t acc, bool user)
{
    h_run_to(h, c);
    int i = h_add(h, c, va, acc, user);
    h_run_idle(h);
    return i;
}

/* ----- expectations; on failure name the calling line */

#define WHERE_BEGIN int fail0_ = check_fail_
#define WHERE_END(line)                                              \
    do {                                                             \
        if (check_fail_ != fail0_)                                   \
            fprintf(stderr, "    (expectation at line %d)\n", line); \
    } while (0)

/* Request i accepted in acc and answered in rsp. */
static void expect_cyc_(h_t *h, int i, int64_t acc, int64_t rsp, int line)
{
    WHERE_BEGIN;
    CHECK_EQ(h->req[i].acc_cycle, acc);
    CHECK_EQ(h->req[i].rsp_cycle, rsp);
    WHERE_END(line);
}
#define EXPECT_CYC(h, i, acc, rsp) expect_cyc_(h, i, acc, rsp, __LINE__)

/* A successful translation. */
static void expect_ok_(h_t *h, int i, uint64_t paddr, unsigned size, unsigned src, unsigned pwc, int line)
{
    WHERE_BEGIN;
    const mmu_out_t *o = &h->req[i].rsp;
    CHECK_EQ(o->rsp_valid, 1);
    CHECK_EQ(o->rsp_id, h->req[i].id);
    CHECK_EQ(o->rsp_paddr, paddr);
    CHECK_EQ(o->rsp_size, size);
    CHECK_EQ(o->rsp_fault, MMU_FAULT_NONE);
    CHECK_EQ(o->rsp_cause, MMU_CAUSE_NONE);
    CHECK_EQ(o->rsp_err, 0);
    CHECK_EQ(o->rsp_fault_addr, 0);
    CHECK_EQ(o->rsp_src, src);
    CHECK_EQ(o->rsp_pwc, pwc);
    WHERE_END(line);
}
#define EXPECT_OK(h, i, paddr, size, src, pwc) expect_ok_(h, i, paddr, size, src, pwc, __LINE__)

/* A fault: paddr 0, fault_addr = the request's address. */
static void expect_fault_(h_t *h, int i, unsigned fault, unsigned cause, unsigned err, unsigned size, unsigned src,
                          unsigned pwc, int line)
{
    WHERE_BEGIN;
    const mmu_out_t *o = &h->req[i].rsp;
    CHECK_EQ(o->rsp_valid, 1);
    CHECK_EQ(o->rsp_id, h->req[i].id);
    CHECK_EQ(o->rsp_paddr, 0);
    CHECK_EQ(o->rsp_size, size);
    CHECK_EQ(o->rsp_fault, fault);
    CHECK_EQ(o->rsp_cause, cause);
    CHECK_EQ(o->rsp_err, err);
    CHECK_EQ(o->rsp_fault_addr, h->req[i].va);
    CHECK_EQ(o->rsp_src, src);
    CHECK_EQ(o->rsp_pwc, pwc);
    WHERE_END(line);
}
#define EXPECT_FAULT(h, i, fault, cause, err, size, src, pwc) \
    expect_fault_(h, i, fault, cause, err, size, src, pwc, __LINE__)

/* The k-th memory request of the run. */
static void expect_mem_(h_t *h, int k, uint64_t cycle, bool we, unsigned id, uint64_t addr, uint64_t wdata, int line)
{
    WHERE_BEGIN;
    CHECK(k < h->nmreq);
    if (k < h->nmreq) {
        const hmem_t *r = &h->mreq[k];
        CHECK_EQ(r->cycle, cycle);
        CHECK_EQ(r->we, we);
        CHECK_EQ(r->id, id);
        CHECK_EQ(r->addr, addr);
        CHECK_EQ(r->wdata, wdata);
    }
    WHERE_END(line);
}
#define EXPECT_RD(h, k, cycle, id, addr) expect_mem_(h, k, cycle, false, id, addr, 0, __LINE__)
#define EXPECT_WR(h, k, cycle, id, addr, wdata) expect_mem_(h, k, cycle, true, id, addr, wdata, __LINE__)

/* ================================================================ the tests */

#define ACC_R MMU_ACC_READ
#define ACC_W MMU_ACC_WRITE
#define ACC_X MMU_ACC_EXEC
#define MODE (MMU_MODE_WP | MMU_MODE_NXE)
#define U true
#define S false

/* A 4K page in user space; its 512 GiB, 1 GiB and 2 MiB regions are
 * VA[47:39] = 0x24, VA[38:30] = 0xD1, VA[29:21] = 0; VA bits 21 and 12 = 0. */
#define VA0 0x0000123440000000ull
/* A page in another 512 GiB region (VA[47:39] = 0x0FE). */
#define VAF 0x00007F0000000000ull

#define PA(n) (0x0000000010000000ull + (uint64_t)(n) * 0x7000ull) /* 4K frames */

/* Map a user, writable 4K page with A=1 in every entry (no A/D writes on a read). */
static void map4k_acc(h_t *h, uint64_t va, uint64_t pa)
{
    h_map(h, va, pa, MMU_PS_4K, PT_W | PT_U | PT_A);
    h_set_a(h, va, 1);
}

/* ---------------------------------------------------------------- 1 */
static void test_l1_hit(void)
{
    h_t *h = h_new(MODE);
    map4k_acc(h, VA0, PA(1));
    /* prime: a cold walk, 4 reads, no A/D writes: acc 0, L1 0 miss, ST 2
     * miss, disp+pwc 3 (miss), rd PML4E 4, PDPTE 8, PDE 12, PTE 16, ret 19,
     * complete end 19, rsp 20 (6.3) */
    int a = h_at(h, 0, VA0 + 0x10, ACC_R, U);
    EXPECT_CYC(h, a, 0, 20);
    EXPECT_OK(h, a, PA(1) | 0x10, MMU_PS_4K, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 4); /* 4 reads, no writes */

    /* the hit: acc 100, L1 lookup 100 (L1_LAT-1 = 0) hit -> DONE end 100,
     * rsp 101: latency L1_LAT = 1 (6.1); src L1, pwc 0, no memory traffic */
    int b = h_at(h, 100, VA0 + 0xABC, ACC_R, U);
    EXPECT_CYC(h, b, 100, 101);
    EXPECT_OK(h, b, PA(1) | 0xABC, MMU_PS_4K, MMU_SRC_L1, 0);
    CHECK_EQ(h->nmreq, 4);
    /* 6.1: req_ready 1 in the acceptance cycle and after */
    CHECK_EQ(h->out[100].req_ready, 1);
    CHECK_EQ(h->out[100].rsp_valid, 0);
    CHECK_EQ(h->out[101].rsp_valid, 1);
    CHECK_EQ(h->out[101].rsp_id, h->req[b].id);
    /* a write hit to the same page: the walk was a read of a page with D=0,
     * so the entry has D=0 -> soft miss (5.4): not tested here (test 4) */
    h_free(h);
}

/* ---------------------------------------------------------------- 2 */
static void test_stlb_hit(void)
{
    h_t *h = h_new(MODE);
    /* P0, P1, P2 in one 2 MiB region; VA bit 12 = 0 for all three, so all go
     * to dtlb4k set 0 (2 sets: set = VA[12]); STLB sets (4 sets, VA[13:12]):
     * P0 -> 0, P1 -> 2, P2 -> 0 (4 ways: nothing evicted). */
    const uint64_t P0 = VA0, P1 = VA0 + 0x2000, P2 = VA0 + 0x4000;
    map4k_acc(h, P0, PA(1));
    map4k_acc(h, P1, PA(2));
    map4k_acc(h, P2, PA(3));
    /* P0: cold walk, 20 */
    int a = h_at(h, 0, P0, ACC_R, U);
    EXPECT_CYC(h, a, 0, 20);
    /* P1: PDE-cache hit (P0's walk filled it): rd PTE 104, ret 107, rsp 108 */
    int b = h_at(h, 100, P1, ACC_R, U);
    EXPECT_CYC(h, b, 100, 108);
    EXPECT_OK(h, b, PA(2), MMU_PS_4K, MMU_SRC_WALK, 3);
    /* P2: same, rsp 208. Its dtlb4k fill in set 0 {P0 way 0, P1 way 1, P1
     * MRU} evicts the LRU way, P0; the STLB keeps P0. */
    int c = h_at(h, 200, P2, ACC_R, U);
    EXPECT_CYC(h, c, 200, 208);
    int nm = h->nmreq;
    /* P0 again: acc 300, L1 300 miss, ST 302 (300 + L2_LAT) hit -> DONE,
     * L1 refill at end of 302, rsp 303: latency 3 (6.2), src STLB */
    int d = h_at(h, 300, P0 + 0x345, ACC_R, U);
    EXPECT_CYC(h, d, 300, 303);
    EXPECT_OK(h, d, PA(1) | 0x345, MMU_PS_4K, MMU_SRC_STLB, 0);
    CHECK_EQ(h->out[301].rsp_valid, 0);
    CHECK_EQ(h->out[302].rsp_valid, 0);
    /* P0 once more: the refill made it an L1 hit, latency 1 */
    int e = h_at(h, 400, P0 + 0x8, ACC_R, U);
    EXPECT_CYC(h, e, 400, 401);
    EXPECT_OK(h, e, PA(1) | 0x8, MMU_PS_4K, MMU_SRC_L1, 0);
    /* P2 is still in the L1 (the refill's victim was P1, the LRU way after
     * P2's fill): L1 hit */
    int f = h_at(h, 500, P2, ACC_R, U);
    EXPECT_CYC(h, f, 500, 501);
    EXPECT_OK(h, f, PA(3), MMU_PS_4K, MMU_SRC_L1, 0);
    /* P1 was evicted from the L1 by P0's refill: STLB hit, latency 3 */
    int g = h_at(h, 600, P1, ACC_R, U);
    EXPECT_CYC(h, g, 600, 603);
    EXPECT_OK(h, g, PA(2), MMU_PS_4K, MMU_SRC_STLB, 0);
    CHECK_EQ(h->nmreq, nm); /* STLB and L1 hits make no memory traffic */
    /* the ITLB side is separate: a fetch from P0 misses the ITLB, hits the
     * STLB (shared): latency 3 */
    int x = h_at(h, 700, P0, ACC_X, U);
    EXPECT_CYC(h, x, 700, 703);
    EXPECT_OK(h, x, PA(1), MMU_PS_4K, MMU_SRC_STLB, 0);
    /* ... and was refilled into the ITLB: L1 hit */
    int y = h_at(h, 800, P0, ACC_X, U);
    EXPECT_CYC(h, y, 800, 801);
    EXPECT_OK(h, y, PA(1), MMU_PS_4K, MMU_SRC_L1, 0);
    h_free(h);
}

/* ---------------------------------------------------------------- 3 */
static void test_pwc_levels_4k(void)
{
    h_t *h = h_new(MODE);
    const uint64_t X0 = VA0;                /* cold */
    const uint64_t X1 = VA0 + 0x1000;       /* same 2 MiB: PDE-cache hit */
    const uint64_t X2 = VA0 + 0x200000;     /* same 1 GiB, other 2 MiB: PDPTE-cache hit */
    const uint64_t X3 = VA0 + 0x40000000;   /* same 512 GiB, other 1 GiB: PML4E-cache hit */
    map4k_acc(h, X0, PA(1));
    map4k_acc(h, X1, PA(2));
    map4k_acc(h, X2, PA(3));
    map4k_acc(h, X3, PA(4));

    /* X0, no PWC hit: n = 4 -> 20. rd PML4E 4, PDPTE 8, PDE 12, PTE 16 (6.3) */
    int a = h_at(h, 0, X0 + 0x123, ACC_R, U);
    EXPECT_CYC(h, a, 0, 20);
    EXPECT_OK(h, a, PA(1) | 0x123, MMU_PS_4K, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 4);
    EXPECT_RD(h, 0, 4, 0, h->cr3 + 8 * 0x24); /* CR3 + 8*VA[47:39] */
    EXPECT_RD(h, 0, 4, 0, h_ea(h, X0, 4));
    EXPECT_RD(h, 1, 8, 0, h_ea(h, X0, 3));
    EXPECT_RD(h, 2, 12, 0, h_ea(h, X0, 2));
    EXPECT_RD(h, 3, 16, 0, h_ea(h, X0, 1));
    /* the PTE value carries the frame */
    CHECK_EQ(h_ev(h, X0, 1) & pg_addr_mask(46), PA(1));

    /* X1, PDE-cache hit: n = 1 -> 8. acc 100, disp+pwc 103, rd PTE 104,
     * ret 107 leaf, rsp 108, pwc = 3 */
    int b = h_at(h, 100, X1 + 0xFF8, ACC_R, U);
    EXPECT_CYC(h, b, 100, 108);
    EXPECT_OK(h, b, PA(2) | 0xFF8, MMU_PS_4K, MMU_SRC_WALK, 3);
    CHECK_EQ(h->nmreq, 5);
    EXPECT_RD(h, 4, 104, 0, h_ea(h, X1, 1));

    /* X2, PDPTE-cache hit: n = 2 -> 12. rd PDE 204, ret 207, rd PTE 208,
     * ret 211, rsp 212, pwc = 2 */
    int c = h_at(h, 200, X2 + 0x8, ACC_R, U);
    EXPECT_CYC(h, c, 200, 212);
    EXPECT_OK(h, c, PA(3) | 0x8, MMU_PS_4K, MMU_SRC_WALK, 2);
    CHECK_EQ(h->nmreq, 7);
    EXPECT_RD(h, 5, 204, 0, h_ea(h, X2, 2));
    EXPECT_RD(h, 6, 208, 0, h_ea(h, X2, 1));

    /* X3, PML4E-cache hit: n = 3 -> 16. rd PDPTE 304, PDE 308, PTE 312,
     * ret 315, rsp 316, pwc = 1 */
    int d = h_at(h, 300, X3, ACC_R, U);
    EXPECT_CYC(h, d, 300, 316);
    EXPECT_OK(h, d, PA(4), MMU_PS_4K, MMU_SRC_WALK, 1);
    CHECK_EQ(h->nmreq, 10);
    EXPECT_RD(h, 7, 304, 0, h_ea(h, X3, 3));
    EXPECT_RD(h, 8, 308, 0, h_ea(h, X3, 2));
    EXPECT_RD(h, 9, 312, 0, h_ea(h, X3, 1));
    h_free(h);
}

static void test_pwc_levels_2m_1g(void)
{
    /* 2 MiB pages */
    h_t *h = h_new(MODE);
    const uint64_t Y0 = VA0;              /* cold */
    const uint64_t Y1 = VA0 + 0x200000;   /* same 1 GiB: PDPTE-cache hit */
    const uint64_t Y2 = VA0 + 0x40000000; /* same 512 GiB: PML4E-cache hit */
    const uint64_t F0 = 0x0000000123400000ull, F1 = 0x0000000123600000ull, F2 = 0x0000000200000000ull;
    h_map(h, Y0, F0, MMU_PS_2M, PT_W | PT_U | PT_A);
    h_map(h, Y1, F1, MMU_PS_2M, PT_W | PT_U | PT_A);
    h_map(h, Y2, F2, MMU_PS_2M, PT_W | PT_U | PT_A);
    h_set_a(h, Y0, 2);
    h_set_a(h, Y1, 2);
    h_set_a(h, Y2, 2);
    /* Y0, no PWC hit: n = 3 -> 16 (6.4): rd PML4E 4, PDPTE 8, PDE 12,
     * ret 15 leaf, rsp 16, size 1 */
    int a = h_at(h, 0, Y0 + 0x12345, ACC_R, U);
    EXPECT_CYC(h, a, 0, 16);
    EXPECT_OK(h, a, F0 | 0x12345, MMU_PS_2M, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 3);
    EXPECT_RD(h, 0, 4, 0, h_ea(h, Y0, 4));
    EXPECT_RD(h, 1, 8, 0, h_ea(h, Y0, 3));
    EXPECT_RD(h, 2, 12, 0, h_ea(h, Y0, 2));
    /* Y1, PDPTE-cache hit: n = 1 -> 8: rd PDE 104, rsp 108, pwc 2 */
    int b = h_at(h, 100, Y1 + 0x1FFFF8, ACC_R, U);
    EXPECT_CYC(h, b, 100, 108);
    EXPECT_OK(h, b, F1 | 0x1FFFF8, MMU_PS_2M, MMU_SRC_WALK, 2);
    CHECK_EQ(h->nmreq, 4);
    EXPECT_RD(h, 3, 104, 0, h_ea(h, Y1, 2));
    /* Y2, PML4E-cache hit: n = 2 -> 12: rd PDPTE 204, PDE 208, rsp 212, pwc 1 */
    int c = h_at(h, 200, Y2 + 0x1000, ACC_W, U);
    /* a write: Y2 mapped with A=1 D=0 -> one locked update of the PDE with
     * D: w = 1, PDE ret 211, wr PDE at 212, ret 215, rsp 216 */
    EXPECT_CYC(h, c, 200, 216);
    EXPECT_OK(h, c, F2 | 0x1000, MMU_PS_2M, MMU_SRC_WALK, 1);
    CHECK_EQ(h->nmreq, 7);
    EXPECT_RD(h, 4, 204, 0, h_ea(h, Y2, 3));
    EXPECT_RD(h, 5, 208, 0, h_ea(h, Y2, 2));
    EXPECT_WR(h, 6, 212, 0, h_ea(h, Y2, 2), F2 | PTE_P | PTE_RW | PTE_US | PTE_A | PTE_PS | PTE_D);
    /* 2M, no PDE-cache hit possible: Y0 + 4K (same 2 MiB page) is an L1 hit
     * in dtlb2m (latency 1), not a PDE-cache hit */
    int d = h_at(h, 300, Y0 + 0x1000, ACC_R, U);
    EXPECT_CYC(h, d, 300, 301);
    EXPECT_OK(h, d, F0 | 0x1000, MMU_PS_2M, MMU_SRC_L1, 0);
    h_free(h);

    /* 1 GiB pages */
    h = h_new(MODE);
    const uint64_t Z0 = 0x0000124000000000ull; /* 1 GiB aligned, VA[47:39] = 0x24 */
    const uint64_t Z1 = Z0 + 0x40000000;
    const uint64_t G0 = 0x0000002340000000ull, G1 = 0x0000001000000000ull;
    h_map(h, Z0, G0, MMU_PS_1G, PT_W | PT_U | PT_A);
    h_map(h, Z1, G1, MMU_PS_1G, PT_W | PT_U | PT_A);
    h_set_a(h, Z0, 3);
    /* Z0, no PWC hit: n = 2 -> 12 (6.5): rd PML4E 4, PDPTE 8, ret 11, rsp 12 */
    a = h_at(h, 0, Z0 + 0x1234567, ACC_R, U);
    EXPECT_CYC(h, a, 0, 12);
    EXPECT_OK(h, a, G0 | 0x1234567, MMU_PS_1G, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 2);
    EXPECT_RD(h, 0, 4, 0, h_ea(h, Z0, 4));
    EXPECT_RD(h, 1, 8, 0, h_ea(h, Z0, 3));
    /* Z1, PML4E-cache hit: n = 1 -> 8: rd PDPTE 104, rsp 108 */
    b = h_at(h, 100, Z1 + 0x3FFFFFF8, ACC_R, U);
    EXPECT_CYC(h, b, 100, 108);
    EXPECT_OK(h, b, G1 | 0x3FFFFFF8, MMU_PS_1G, MMU_SRC_WALK, 1);
    CHECK_EQ(h->nmreq, 3);
    EXPECT_RD(h, 2, 104, 0, h_ea(h, Z1, 3));
    /* Z0 again, another 4K inside the 1 GiB page: dtlb1g hit, latency 1 */
    c = h_at(h, 200, Z0 + 0x20000000, ACC_R, U);
    EXPECT_CYC(h, c, 200, 201);
    EXPECT_OK(h, c, G0 | 0x20000000, MMU_PS_1G, MMU_SRC_L1, 0);
    h_free(h);
}

/* ---------------------------------------------------------------- 4 */
static void test_ad_updates(void)
{
    /* 4a: fresh tables, A = 0 everywhere, read (6.7): n = 4, w = 4 -> 36 */
    h_t *h = h_new(MODE);
    h_map(h, VA0, PA(1), MMU_PS_4K, PT_W | PT_U);
    const uint64_t e4 = h_ev(h, VA0, 4), e3 = h_ev(h, VA0, 3), e2 = h_ev(h, VA0, 2), e1 = h_ev(h, VA0, 1);
    CHECK_EQ(e4 & PTE_A, 0);
    CHECK_EQ(e1, PA(1) | PTE_P | PTE_RW | PTE_US);
    int a = h_at(h, 0, VA0 + 0x77, ACC_R, U);
    /* rd 4, 8, 12, 16; PTE ret 19 -> ADW; each update waits for the
     * previous one's answer: wr PML4E 20 (ret 23), PDPTE 24 (27), PDE 28
     * (31), PTE 32 (ret 35: last, complete end 35), rsp 36 */
    EXPECT_CYC(h, a, 0, 36);
    EXPECT_OK(h, a, PA(1) | 0x77, MMU_PS_4K, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 8);
    EXPECT_RD(h, 0, 4, 0, h_ea(h, VA0, 4));
    EXPECT_RD(h, 1, 8, 0, h_ea(h, VA0, 3));
    EXPECT_RD(h, 2, 12, 0, h_ea(h, VA0, 2));
    EXPECT_RD(h, 3, 16, 0, h_ea(h, VA0, 1));
    EXPECT_WR(h, 4, 20, 0, h_ea(h, VA0, 4), e4 | 0x20);
    EXPECT_WR(h, 5, 24, 0, h_ea(h, VA0, 3), e3 | 0x20);
    EXPECT_WR(h, 6, 28, 0, h_ea(h, VA0, 2), e2 | 0x20);
    EXPECT_WR(h, 7, 32, 0, h_ea(h, VA0, 1), e1 | 0x20);
    /* pmem holds the updated entries */
    CHECK_EQ(h_ev(h, VA0, 4), e4 | PTE_A);
    CHECK_EQ(h_ev(h, VA0, 3), e3 | PTE_A);
    CHECK_EQ(h_ev(h, VA0, 2), e2 | PTE_A);
    CHECK_EQ(h_ev(h, VA0, 1), e1 | PTE_A);
    h_free(h);

    /* 4b: fresh tables, write: the fourth update is PTE | A | D (0x60), 36 */
    h = h_new(MODE);
    h_map(h, VA0, PA(1), MMU_PS_4K, PT_W | PT_U);
    {
        const uint64_t f4 = h_ev(h, VA0, 4), f3 = h_ev(h, VA0, 3), f2 = h_ev(h, VA0, 2), f1 = h_ev(h, VA0, 1);
        a = h_at(h, 0, VA0, ACC_W, U);
        EXPECT_CYC(h, a, 0, 36);
        EXPECT_OK(h, a, PA(1), MMU_PS_4K, MMU_SRC_WALK, 0);
        CHECK_EQ(h->nmreq, 8);
        EXPECT_WR(h, 4, 20, 0, h_ea(h, VA0, 4), f4 | 0x20);
        EXPECT_WR(h, 5, 24, 0, h_ea(h, VA0, 3), f3 | 0x20);
        EXPECT_WR(h, 6, 28, 0, h_ea(h, VA0, 2), f2 | 0x20);
        EXPECT_WR(h, 7, 32, 0, h_ea(h, VA0, 1), f1 | 0x60);
        CHECK_EQ(h_ev(h, VA0, 1), f1 | PTE_A | PTE_D);
    }
    h_free(h);

    /* 4c: write to a page whose entries all have A = 1, D = 0: n = 4, w = 1
     * -> 24: rd 4, 8, 12, 16, ret 19, wr PTE 20 (wdata = pte | 0x40, the
     * PTE already has A so = PTE with 0x60), ret 23, complete end 23, rsp 24 */
    h = h_new(MODE);
    map4k_acc(h, VA0, PA(1));
    const uint64_t g1 = h_ev(h, VA0, 1);
    CHECK_EQ(g1 & (PTE_A | PTE_D), PTE_A);
    a = h_at(h, 0, VA0 + 0x10, ACC_W, U);
    EXPECT_CYC(h, a, 0, 24);
    EXPECT_OK(h, a, PA(1) | 0x10, MMU_PS_4K, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 5);
    EXPECT_RD(h, 3, 16, 0, h_ea(h, VA0, 1));
    EXPECT_WR(h, 4, 20, 0, h_ea(h, VA0, 1), g1 | 0x40);
    CHECK_EQ(h_ev(h, VA0, 1), g1 | PTE_A | PTE_D);
    /* the fill has D = 1: a second write is an L1 hit */
    int b = h_at(h, 100, VA0 + 0x18, ACC_W, U);
    EXPECT_CYC(h, b, 100, 101);
    EXPECT_OK(h, b, PA(1) | 0x18, MMU_PS_4K, MMU_SRC_L1, 0);
    h_free(h);

    /* 4d: soft miss. A read fills the TLBs with D = 0 (20, no writes); a
     * write to the page then hits L1 and STLB entries with D = 0: soft
     * misses (5.4), the request walks. acc 100, L1 100 soft miss, ST 102
     * soft miss -> MISS, disp+pwc 103: PDE-cache hit (the read's walk filled
     * it) -> rd PTE 104, ret 107 leaf, needs D (A already 1): wr PTE 108,
     * ret 111: last update, complete end 111, rsp 112. Latency 4 + 4*2 = 12. */
    h = h_new(MODE);
    map4k_acc(h, VA0, PA(1));
    const uint64_t k1 = h_ev(h, VA0, 1);
    a = h_at(h, 0, VA0, ACC_R, U);
    EXPECT_CYC(h, a, 0, 20);
    CHECK_EQ(h->nmreq, 4);
    b = h_at(h, 100, VA0 + 0x20, ACC_W, U);
    EXPECT_CYC(h, b, 100, 112);
    EXPECT_OK(h, b, PA(1) | 0x20, MMU_PS_4K, MMU_SRC_WALK, 3);
    CHECK_EQ(h->nmreq, 6);
    EXPECT_RD(h, 4, 104, 0, h_ea(h, VA0, 1));
    EXPECT_WR(h, 5, 108, 0, h_ea(h, VA0, 1), k1 | 0x40);
    CHECK_EQ(h_ev(h, VA0, 1), k1 | PTE_D);
    /* the walk's fill overwrote the stale entry (5.4): the next write is an
     * L1 hit, latency 1 */
    int c = h_at(h, 200, VA0 + 0x28, ACC_W, U);
    EXPECT_CYC(h, c, 200, 201);
    EXPECT_OK(h, c, PA(1) | 0x28, MMU_PS_4K, MMU_SRC_L1, 0);
    CHECK_EQ(h->nmreq, 6);
    h_free(h);
}

/* ---------------------------------------------------------------- 5 */
static void test_page_faults(void)
{
    /* 5a: not-present PML4E (empty root): rd PML4E at c+4, ret c+7 P = 0,
     * complete end c+7, rsp c+8 (6.6). size 3, cause 1, err = W/R | U/S |
     * I/D, P = 0. No writes. Each request starts a new cold walk (a faulting
     * walk fills nothing). */
    h_t *h = h_new(MODE);
    const uint64_t V = VA0 + 0x345;
    struct {
        uint8_t acc;
        bool user;
        unsigned err;
    } k[] = {
        {ACC_R, U, 0x04}, /* U/S */
        {ACC_W, U, 0x06}, /* W/R | U/S */
        {ACC_X, U, 0x14}, /* I/D (NXE = 1) | U/S */
        {ACC_R, S, 0x00},
        {ACC_W, S, 0x02},
        {ACC_X, S, 0x10}, /* I/D */
    };
    for (int i = 0; i < 6; i++) {
        uint64_t c = 100 * (uint64_t)i;
        int r = h_at(h, c, V, k[i].acc, k[i].user);
        EXPECT_CYC(h, r, (int64_t)c, (int64_t)c + 8);
        EXPECT_FAULT(h, r, MMU_FAULT_PF, MMU_CAUSE_NOT_PRESENT, k[i].err, MMU_PS_NONE, MMU_SRC_WALK, 0);
        CHECK_EQ(h->nmreq, i + 1);
        EXPECT_RD(h, i, c + 4, 0, h->cr3 + 8 * ((V >> 39) & 511)); /* CR3 + 8*VA[47:39] */
    }
    h_free(h);
    /* I/D is 0 for a fetch when NXE = 0 and SMEP = 0; 1 with SMEP alone */
    h = h_new(MMU_MODE_WP);
    int r = h_at(h, 0, V, ACC_X, U);
    EXPECT_CYC(h, r, 0, 8);
    EXPECT_FAULT(h, r, MMU_FAULT_PF, MMU_CAUSE_NOT_PRESENT, 0x04, MMU_PS_NONE, MMU_SRC_WALK, 0);
    h_free(h);
    h = h_new(MMU_MODE_WP | MMU_MODE_SMEP);
    r = h_at(h, 0, V, ACC_X, S);
    EXPECT_CYC(h, r, 0, 8);
    EXPECT_FAULT(h, r, MMU_FAULT_PF, MMU_CAUSE_NOT_PRESENT, 0x10, MMU_PS_NONE, MMU_SRC_WALK, 0);
    h_free(h);

    /* 5b: not-present PTE: the path exists (A = 0 in the non-leaf entries),
     * VA0 + 4K has PTE = 0: rd 4, 8, 12, 16, ret 19 P = 0, rsp 20. No A/D
     * update even though the upper entries lack A (5.5: a not-present or
     * reserved-bit fault writes nothing). size 3 (no leaf found). */
    h = h_new(MODE);
    h_map(h, VA0, PA(1), MMU_PS_4K, PT_W | PT_U | PT_A);
    const uint64_t N = VA0 + 0x1008;
    r = h_at(h, 0, N, ACC_R, U);
    EXPECT_CYC(h, r, 0, 20);
    EXPECT_FAULT(h, r, MMU_FAULT_PF, MMU_CAUSE_NOT_PRESENT, 0x04, MMU_PS_NONE, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 4);
    EXPECT_RD(h, 0, 4, 0, h_ea(h, N, 4));
    EXPECT_RD(h, 1, 8, 0, h_ea(h, N, 3));
    EXPECT_RD(h, 2, 12, 0, h_ea(h, N, 2));
    EXPECT_RD(h, 3, 16, 0, h_ea(h, N, 1));
    CHECK_EQ(h_ev(h, N, 4) & PTE_A, 0);
    /* then the present neighbour: the faulting walk filled no PWC, so a cold
     * walk (pwc 0) with 3 A updates (PML4E, PDPTE, PDE lack A; the PTE has
     * it): n = 4, w = 3 -> 32: rd 104..116, ret 119, wr 120 (ret 123), 124
     * (127), 128 (131), rsp 132 */
    const uint64_t e4 = h_ev(h, VA0, 4), e3 = h_ev(h, VA0, 3), e2 = h_ev(h, VA0, 2);
    r = h_at(h, 100, VA0, ACC_R, U);
    EXPECT_CYC(h, r, 100, 132);
    EXPECT_OK(h, r, PA(1), MMU_PS_4K, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 11);
    EXPECT_RD(h, 4, 104, 0, h_ea(h, VA0, 4));
    EXPECT_WR(h, 8, 120, 0, h_ea(h, VA0, 4), e4 | 0x20);
    EXPECT_WR(h, 9, 124, 0, h_ea(h, VA0, 3), e3 | 0x20);
    EXPECT_WR(h, 10, 128, 0, h_ea(h, VA0, 2), e2 | 0x20);
    h_free(h);

    /* 5c: rights faults at the leaf (P = 1), 4 reads; the leaf was found,
     * so rsp_size is its size (4K = 0). Every entry starts with A = 0; a
     * rights fault sets A in the non-leaf entries the walk read that lack it
     * (5.5), top first, one locked update each (M + 1 = 4 cycles), never in
     * the leaf and never D; the fault answers after the last update. RO
     * and SV share the PML4E (VA[47:39] = 0x24), NX has its own (0x25). */
    h = h_new(MODE);
    const uint64_t RO = VA0, SV = VA0 + 0x40000000, NX = VA0 + 0x8000000000ull;
    h_map(h, RO, PA(1), MMU_PS_4K, PT_U);         /* user, read-only */
    h_map(h, SV, PA(2), MMU_PS_4K, PT_W);         /* supervisor */
    h_map(h, NX, PA(3), MMU_PS_4K, PT_W | PT_NX); /* supervisor, execute-disable */
    const uint64_t ro4 = h_ev(h, RO, 4), ro3 = h_ev(h, RO, 3), ro2 = h_ev(h, RO, 2), ro1 = h_ev(h, RO, 1);
    const uint64_t sv3 = h_ev(h, SV, 3), sv2 = h_ev(h, SV, 2), sv1 = h_ev(h, SV, 1);
    const uint64_t nx4 = h_ev(h, NX, 4), nx3 = h_ev(h, NX, 3), nx2 = h_ev(h, NX, 2), nx1 = h_ev(h, NX, 1);
    CHECK_EQ((ro4 | ro3 | ro2 | ro1 | sv3 | sv2 | sv1 | nx4 | nx3 | nx2 | nx1) & (PTE_A | PTE_D), 0);
    /* user write, R/W = 0: rd 4..16, ret 19 fault, A in PML4E 20 (ret 23),
     * PDPTE 24 (27), PDE 28 (31), rsp 32 */
    r = h_at(h, 0, RO + 0x10, ACC_W, U);
    EXPECT_CYC(h, r, 0, 32);
    EXPECT_FAULT(h, r, MMU_FAULT_PF, MMU_CAUSE_WRITE, 0x07, MMU_PS_4K, MMU_SRC_WALK, 0); /* P|W/R|U/S */
    CHECK_EQ(h->nmreq, 7);
    EXPECT_WR(h, 4, 20, 0, h_ea(h, RO, 4), ro4 | 0x20);
    EXPECT_WR(h, 5, 24, 0, h_ea(h, RO, 3), ro3 | 0x20);
    EXPECT_WR(h, 6, 28, 0, h_ea(h, RO, 2), ro2 | 0x20);
    /* user read of a supervisor page: a cold walk (faults fill no PWC); the
     * PML4E has A now: A in SV's PDPTE 120 (ret 123) and PDE 124 (127), rsp 128 */
    r = h_at(h, 100, SV + 0x20, ACC_R, U);
    EXPECT_CYC(h, r, 100, 128);
    EXPECT_FAULT(h, r, MMU_FAULT_PF, MMU_CAUSE_USER, 0x05, MMU_PS_4K, MMU_SRC_WALK, 0); /* P|U/S */
    CHECK_EQ(h->nmreq, 13);
    EXPECT_RD(h, 7, 104, 0, h_ea(h, SV, 4));
    EXPECT_WR(h, 11, 120, 0, h_ea(h, SV, 3), sv3 | 0x20);
    EXPECT_WR(h, 12, 124, 0, h_ea(h, SV, 2), sv2 | 0x20);
    /* supervisor fetch, XD = 1, NXE = 1: three A updates, rsp 232 */
    r = h_at(h, 200, NX + 0x30, ACC_X, S);
    EXPECT_CYC(h, r, 200, 232);
    EXPECT_FAULT(h, r, MMU_FAULT_PF, MMU_CAUSE_NX, 0x11, MMU_PS_4K, MMU_SRC_WALK, 0); /* P|I/D */
    CHECK_EQ(h->nmreq, 20);
    EXPECT_WR(h, 17, 220, 0, h_ea(h, NX, 4), nx4 | 0x20);
    EXPECT_WR(h, 18, 224, 0, h_ea(h, NX, 3), nx3 | 0x20);
    EXPECT_WR(h, 19, 228, 0, h_ea(h, NX, 2), nx2 | 0x20);
    /* supervisor write, R/W = 0, WP = 1: RO's path has A everywhere above
     * the leaf now: no update, rsp 320 */
    r = h_at(h, 300, RO + 0x40, ACC_W, S);
    EXPECT_CYC(h, r, 300, 320);
    EXPECT_FAULT(h, r, MMU_FAULT_PF, MMU_CAUSE_WRITE, 0x03, MMU_PS_4K, MMU_SRC_WALK, 0); /* P|W/R */
    CHECK_EQ(h->nmreq, 24);
    for (int i = 20; i < h->nmreq; i++)
        CHECK_EQ(h->mreq[i].we, 0);
    /* memory at the end: A above every leaf, the leaves untouched */
    CHECK_EQ(h_ev(h, RO, 4), ro4 | PTE_A);
    CHECK_EQ(h_ev(h, RO, 3), ro3 | PTE_A);
    CHECK_EQ(h_ev(h, RO, 2), ro2 | PTE_A);
    CHECK_EQ(h_ev(h, RO, 1), ro1);
    CHECK_EQ(h_ev(h, SV, 3), sv3 | PTE_A);
    CHECK_EQ(h_ev(h, SV, 2), sv2 | PTE_A);
    CHECK_EQ(h_ev(h, SV, 1), sv1);
    CHECK_EQ(h_ev(h, NX, 4), nx4 | PTE_A);
    CHECK_EQ(h_ev(h, NX, 3), nx3 | PTE_A);
    CHECK_EQ(h_ev(h, NX, 2), nx2 | PTE_A);
    CHECK_EQ(h_ev(h, NX, 1), nx1);
    h_free(h);

    /* 5d: a rights fault after a TLB fill. A read of the read-only page RO
     * (A = 1 everywhere) walks (20) and fills the TLBs and PWCs. A user
     * write: L1 200 soft miss (rights), ST 202 soft miss, disp+pwc 203
     * PDE-cache hit, rd PTE 204, ret 207: write to read-only, rsp 208; the
     * fault invalidates the TLB entries of the page and the PWC entries of
     * the address (7b). So a read then misses everywhere: cold walk, 20. */
    h = h_new(MODE);
    h_map(h, RO, PA(1), MMU_PS_4K, PT_U | PT_A);
    h_set_a(h, RO, 1);
    r = h_at(h, 100, RO, ACC_R, U);
    EXPECT_CYC(h, r, 100, 120);
    EXPECT_OK(h, r, PA(1), MMU_PS_4K, MMU_SRC_WALK, 0);
    r = h_at(h, 200, RO + 0x8, ACC_W, U);
    EXPECT_CYC(h, r, 200, 208);
    EXPECT_FAULT(h, r, MMU_FAULT_PF, MMU_CAUSE_WRITE, 0x07, MMU_PS_4K, MMU_SRC_WALK, 3);
    CHECK_EQ(h->nmreq, 5);
    EXPECT_RD(h, 4, 204, 0, h_ea(h, RO, 1));
    r = h_at(h, 300, RO + 0x10, ACC_R, U);
    EXPECT_CYC(h, r, 300, 320);
    EXPECT_OK(h, r, PA(1) | 0x10, MMU_PS_4K, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 9);
    EXPECT_RD(h, 5, 304, 0, h_ea(h, RO, 4));
    h_free(h);

    /* 5e: non-canonical addresses: #GP at the L1 lookup, acc c, DONE end c,
     * rsp c+1; rsp_fault 2, cause 8, err 0 whatever the access, size 3
     * (no leaf), src 3, pwc 0, paddr 0, fault_addr = the address; no memory
     * traffic. */
    h = h_new(MODE);
    map4k_acc(h, VA0, PA(1));
    const uint64_t nc[] = {0x0000800000000000ull, 0xFFFF000000001000ull, 0x8000000000000000ull,
                           0x0001000000000000ull | VA0};
    const uint8_t ncacc[] = {ACC_R, ACC_W, ACC_X, ACC_W};
    const bool ncuser[] = {U, S, U, U};
    for (int i = 0; i < 4; i++) {
        uint64_t c = 10 * (uint64_t)i;
        r = h_at(h, c, nc[i], ncacc[i], ncuser[i]);
        EXPECT_CYC(h, r, (int64_t)c, (int64_t)c + 1);
        EXPECT_FAULT(h, r, MMU_FAULT_GP, MMU_CAUSE_NONCANON, 0, MMU_PS_NONE, MMU_SRC_NONE, 0);
    }
    CHECK_EQ(h->nmreq, 0);
    /* canonical upper-half addresses are not #GP: a not-present walk */
    r = h_at(h, 100, 0xFFFF800000000000ull, ACC_R, S);
    EXPECT_CYC(h, r, 100, 108);
    EXPECT_FAULT(h, r, MMU_FAULT_PF, MMU_CAUSE_NOT_PRESENT, 0x00, MMU_PS_NONE, MMU_SRC_WALK, 0);
    h_free(h);
}

/* ---------------------------------------------------------------- 6 */
static void test_two_walks_and_join(void)
{
    /* diagram 6.8: A (page P) acc 0, B (page Q) acc 1, C (page P, same
     * access and mode as A) acc 2. */
    h_t *h = h_new(MODE);
    const uint64_t P = VA0, Q = VAF;
    map4k_acc(h, P, PA(1));
    map4k_acc(h, Q, PA(2));
    int a = h_add(h, 0, P + 0x100, ACC_R, U);
    int b = h_add(h, 1, Q + 0x200, ACC_R, U);
    int c = h_add(h, 2, P + 0x300, ACC_R, U);
    h_run_idle(h);
    /* A: L1 0, ST 2, disp w0 + pwc 3, rd PML4E 4 (w0), ret 7, rd PDPTE 8,
     * ret 11, rd PDE 12, ret 15, rd PTE 16, ret 19 complete, rsp 20.
     * B: L1 1, ST 3, disp w1 + pwc 4, rd PML4E 5 (w1), ret 8, rd PDPTE 9,
     * rd PDE 13, rd PTE 17, ret 20 complete, DONE from 21.
     * C: L1 2, ST 4, disp 5 joins w0 (busy, same page/acc/mode), DONE end 19
     * with A. Start of 20: A, C DONE -> A (older). Start of 21: B, C DONE ->
     * B (acc 1 < 2). C in 22. */
    EXPECT_CYC(h, a, 0, 20);
    EXPECT_CYC(h, b, 1, 21);
    EXPECT_CYC(h, c, 2, 22);
    EXPECT_OK(h, a, PA(1) | 0x100, MMU_PS_4K, MMU_SRC_WALK, 0);
    EXPECT_OK(h, b, PA(2) | 0x200, MMU_PS_4K, MMU_SRC_WALK, 0);
    EXPECT_OK(h, c, PA(1) | 0x300, MMU_PS_4K, MMU_SRC_WALK, 0); /* the walk's result, its own offset */
    /* eight reads, none for C */
    CHECK_EQ(h->nmreq, 8);
    EXPECT_RD(h, 0, 4, 0, h_ea(h, P, 4));
    EXPECT_RD(h, 1, 5, 1, h_ea(h, Q, 4));
    EXPECT_RD(h, 2, 8, 0, h_ea(h, P, 3));
    EXPECT_RD(h, 3, 9, 1, h_ea(h, Q, 3));
    EXPECT_RD(h, 4, 12, 0, h_ea(h, P, 2));
    EXPECT_RD(h, 5, 13, 1, h_ea(h, Q, 2));
    EXPECT_RD(h, 6, 16, 0, h_ea(h, P, 1));
    EXPECT_RD(h, 7, 17, 1, h_ea(h, Q, 1));
    /* no response before 20 */
    for (int t = 0; t < 20; t++)
        CHECK_EQ(h->out[t].rsp_valid, 0);
    h_free(h);

    /* no join across access kinds: C' is a write to P (A = 1, D = 0 in the
     * PTE), acc 2, disp 5: w0 (read of P) does not match (other access), w1
     * busy with B -> waits at the head of the queue. w0 completes end 19,
     * IDLE at 20: disp 20 to w0, pwc 20: PDE-cache hit (A's fill end 19) ->
     * rd PTE 21, ret 24, wr PTE|D 25, ret 28, complete end 28, rsp 29. */
    h = h_new(MODE);
    map4k_acc(h, P, PA(1));
    map4k_acc(h, Q, PA(2));
    const uint64_t pte_p = h_ev(h, P, 1);
    a = h_add(h, 0, P, ACC_R, U);
    b = h_add(h, 1, Q, ACC_R, U);
    c = h_add(h, 2, P, ACC_W, U);
    h_run_idle(h);
    EXPECT_CYC(h, a, 0, 20);
    EXPECT_CYC(h, b, 1, 21);
    EXPECT_CYC(h, c, 2, 29);
    EXPECT_OK(h, c, PA(1), MMU_PS_4K, MMU_SRC_WALK, 3);
    CHECK_EQ(h->nmreq, 10);
    EXPECT_RD(h, 8, 21, 0, h_ea(h, P, 1));
    EXPECT_WR(h, 9, 25, 0, h_ea(h, P, 1), pte_p | 0x40);
    h_free(h);
}

/* ------------------------------------------------------ locked updates */
/* The race of issue #9 (6.11): a write W and a read R of one page of fresh
 * tables (A = D = 0 everywhere), accepted in 0 and 1; R has another access
 * kind and does not join W. W (walker 0): rd 4, 8, 12, 16, PTE ret 19. R
 * (walker 1): disp 4, rd 5, 9, 13, 17, PTE ret 20. Locked updates, each
 * answered 3 cycles later; a walker waiting for its answer does not want
 * the port: W 20 (PML4E|A), 24 (PDPTE|A), 28 (PDE|A), 32 (PTE|A|D), last
 * ret 35 -> rsp 36; R 21, 25, 29, 33 (PTE|A) -> ret 36, rsp 37. R's
 * updates find A (and D) already set by W's: they agree with what R read
 * but for A/D, so A is ORed in and D stays. The PTE ends as PTE|A|D. */
static void test_locked_update_race(void)
{
    h_t *h = h_new(MODE);
    h_map(h, VA0, PA(1), MMU_PS_4K, PT_W | PT_U);
    const uint64_t e4 = h_ev(h, VA0, 4), e3 = h_ev(h, VA0, 3), e2 = h_ev(h, VA0, 2), e1 = h_ev(h, VA0, 1);
    CHECK_EQ((e4 | e3 | e2 | e1) & (PTE_A | PTE_D), 0);
    int w = h_add(h, 0, VA0 + 0x10, ACC_W, U);
    int r = h_add(h, 1, VA0 + 0x20, ACC_R, U);
    h_run_idle(h);
    EXPECT_CYC(h, w, 0, 36);
    EXPECT_CYC(h, r, 1, 37);
    EXPECT_OK(h, w, PA(1) | 0x10, MMU_PS_4K, MMU_SRC_WALK, 0);
    EXPECT_OK(h, r, PA(1) | 0x20, MMU_PS_4K, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 16);
    EXPECT_RD(h, 6, 16, 0, h_ea(h, VA0, 1));
    EXPECT_RD(h, 7, 17, 1, h_ea(h, VA0, 1));
    EXPECT_WR(h, 8, 20, 0, h_ea(h, VA0, 4), e4 | 0x20);
    EXPECT_WR(h, 9, 21, 1, h_ea(h, VA0, 4), e4 | 0x20);
    EXPECT_WR(h, 14, 32, 0, h_ea(h, VA0, 1), e1 | 0x60);
    EXPECT_WR(h, 15, 33, 1, h_ea(h, VA0, 1), e1 | 0x20); /* the write that used to clear D */
    CHECK_EQ(h_ev(h, VA0, 4), e4 | PTE_A);
    CHECK_EQ(h_ev(h, VA0, 3), e3 | PTE_A);
    CHECK_EQ(h_ev(h, VA0, 2), e2 | PTE_A);
    CHECK_EQ(h_ev(h, VA0, 1), e1 | PTE_A | PTE_D);
    h_free(h);
}

/* [T:ad-check] (6.12): every entry has A = 1 but the PTE (A = D = 0). A read
 * walks: rd 4, 8, 12, 16, PTE ret 19, locked update (PTE|A) 20, ret 23.
 * "Software" rewrites the PTE in cycle 18:
 *  (a) P cleared: the update finds another value: no write; restart at the
 *      PML4E without a PWC lookup: rd 24, 28, 32, 36, ret 39 P = 0: #PF
 *      not present, rsp 40, pwc 0, size 3; the PTE stays as software wrote it;
 *  (b) D set (only A/D differ): the update applies (A ORed in), rsp 24;
 *  (c) another frame, P = 1: restart, the new PTE (A = 0) read in 36, ret
 *      39, update 40, ret 43, rsp 44 with the new frame, pwc 0. */
static void test_locked_update_restart(void)
{
    for (int k = 0; k < 3; k++) {
        h_t *h = h_new(MODE);
        map4k_acc(h, VA0, PA(1));
        const uint64_t a1 = h_ea(h, VA0, 1), e1 = h_ev(h, VA0, 1) & ~(PTE_A | PTE_D);
        pmem_write64(h->mem, a1, e1);
        const uint64_t sw = k == 0 ? (e1 & ~PTE_P) : k == 1 ? (e1 | PTE_D) : ((e1 & ~0xFFFFFFFFFF000ull) | PA(5));
        h->npoke = 1;
        h->poke_cycle[0] = 18;
        h->poke_addr[0] = a1;
        h->poke_val[0] = sw;
        int r = h_add(h, 0, VA0 + 0x40, ACC_R, U);
        h_run_idle(h);
        EXPECT_WR(h, 4, 20, 0, a1, e1 | PTE_A);
        if (k == 0) {
            EXPECT_CYC(h, r, 0, 40);
            EXPECT_FAULT(h, r, MMU_FAULT_PF, MMU_CAUSE_NOT_PRESENT, 0x04, MMU_PS_NONE, MMU_SRC_WALK, 0);
            CHECK_EQ(h->nmreq, 9);
            EXPECT_RD(h, 5, 24, 0, h_ea(h, VA0, 4));
            EXPECT_RD(h, 8, 36, 0, a1);
            CHECK_EQ(pmem_read64(h->mem, a1), sw);
        } else if (k == 1) {
            EXPECT_CYC(h, r, 0, 24);
            EXPECT_OK(h, r, PA(1) | 0x40, MMU_PS_4K, MMU_SRC_WALK, 0);
            CHECK_EQ(h->nmreq, 5);
            CHECK_EQ(pmem_read64(h->mem, a1), e1 | PTE_A | PTE_D);
        } else {
            EXPECT_CYC(h, r, 0, 44);
            EXPECT_OK(h, r, PA(5) | 0x40, MMU_PS_4K, MMU_SRC_WALK, 0);
            CHECK_EQ(h->nmreq, 10);
            EXPECT_RD(h, 8, 36, 0, a1);
            EXPECT_WR(h, 9, 40, 0, a1, sw | PTE_A);
            CHECK_EQ(pmem_read64(h->mem, a1), sw | PTE_A);
        }
        h_free(h);
    }
}

/* ---------------------------------------------------------------- 7 */
static void test_memory_port_conflict(void)
{
    /* 7a: A (page P) acc 0 -> w0: rd PML4E 4 (rr = 0 -> grant w0, rr = 1),
     * ret 7 -> MEMRQ. B (page Q) acc 4: L1 4, ST 6, disp 7 -> w1 (w0 busy,
     * other page), pwc 7 miss -> MEMRQ. Start of 8: w0 and w1 in MEMRQ,
     * rr = 1 -> w1 wins (rd PML4E(Q) 8, rr = 0); w0 asks again in 9 and wins
     * (rr = 1). Then w0: rd PDPTE 9, ret 12, rd PDE 13, ret 16, rd PTE 17,
     * ret 20, rsp 21 (latency 21, one cycle late). w1: ret 11, rd PDPTE 12,
     * ret 15, rd PDE 16, ret 19, rd PTE 20, ret 23, rsp 24 (latency 20). No
     * other cycle has two requesters and no two responses share a cycle. */
    h_t *h = h_new(MODE);
    const uint64_t P = VA0, Q = VAF;
    map4k_acc(h, P, PA(1));
    map4k_acc(h, Q, PA(2));
    int a = h_add(h, 0, P, ACC_R, U);
    int b = h_add(h, 4, Q, ACC_R, U);
    h_run_idle(h);
    EXPECT_CYC(h, a, 0, 21);
    EXPECT_CYC(h, b, 4, 24);
    EXPECT_OK(h, a, PA(1), MMU_PS_4K, MMU_SRC_WALK, 0);
    EXPECT_OK(h, b, PA(2), MMU_PS_4K, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 8);
    EXPECT_RD(h, 0, 4, 0, h_ea(h, P, 4));
    EXPECT_RD(h, 1, 8, 1, h_ea(h, Q, 4)); /* winner at rr = 1 */
    EXPECT_RD(h, 2, 9, 0, h_ea(h, P, 3)); /* loser, one cycle later */
    EXPECT_RD(h, 3, 12, 1, h_ea(h, Q, 3));
    EXPECT_RD(h, 4, 13, 0, h_ea(h, P, 2));
    EXPECT_RD(h, 5, 16, 1, h_ea(h, Q, 2));
    EXPECT_RD(h, 6, 17, 0, h_ea(h, P, 1));
    EXPECT_RD(h, 7, 20, 1, h_ea(h, Q, 1));
    h_free(h);

    /* 7b: the same conflict with rr = 0. The memory side holds w0's first
     * read for 20 cycles (issued 4, answered 24).
     * A (P) acc 0: w0 rd PML4E(P) 4 (rr = 1), answered 24.
     * B (Q) acc 1: disp 4 -> w1, rd PML4E(Q) 5 (rr = 0), ret 8, rd 9 (rr 0),
     *   ret 12, rd 13, ret 16, rd PTE(Q) 17 (rr = 0), ret 20, complete, rsp 21.
     * D (Q + 4K, same 2 MiB as Q) acc 21: L1 21 miss, ST 23 miss, disp 24:
     *   w0 busy with another page -> w1 (IDLE since 21), pwc 24: PDE-cache
     *   hit (B's fill end 20) -> MEMRQ.
     * w0: response 24 -> MEMRQ.
     * Start of 25: w0, w1 in MEMRQ, rr = 0 -> w0 wins: rd PDPTE(P) 25 (rr =
     *   1); w1 rd PTE(D) 26 (rr = 0).
     * w0: ret 28, rd PDE 29, ret 32, rd PTE 33, ret 36, rsp 37.
     * w1: ret 29, leaf, complete end 29, rsp 30 (latency 9 = 8 + 1). */
    h = h_new(MODE);
    map4k_acc(h, P, PA(1));
    map4k_acc(h, Q, PA(2));
    map4k_acc(h, Q + 0x1000, PA(3));
    h->rd_lat[0] = 20;
    a = h_add(h, 0, P, ACC_R, U);
    b = h_add(h, 1, Q, ACC_R, U);
    int d = h_add(h, 21, Q + 0x1000, ACC_R, U);
    h_run_idle(h);
    EXPECT_CYC(h, a, 0, 37);
    EXPECT_CYC(h, b, 1, 21);
    EXPECT_CYC(h, d, 21, 30);
    EXPECT_OK(h, a, PA(1), MMU_PS_4K, MMU_SRC_WALK, 0);
    EXPECT_OK(h, b, PA(2), MMU_PS_4K, MMU_SRC_WALK, 0);
    EXPECT_OK(h, d, PA(3), MMU_PS_4K, MMU_SRC_WALK, 3);
    CHECK_EQ(h->nmreq, 9);
    EXPECT_RD(h, 0, 4, 0, h_ea(h, P, 4));
    EXPECT_RD(h, 1, 5, 1, h_ea(h, Q, 4));
    EXPECT_RD(h, 2, 9, 1, h_ea(h, Q, 3));
    EXPECT_RD(h, 3, 13, 1, h_ea(h, Q, 2));
    EXPECT_RD(h, 4, 17, 1, h_ea(h, Q, 1));
    EXPECT_RD(h, 5, 25, 0, h_ea(h, P, 3)); /* winner at rr = 0 */
    EXPECT_RD(h, 6, 26, 1, h_ea(h, Q + 0x1000, 1)); /* loser, one cycle later */
    EXPECT_RD(h, 7, 29, 0, h_ea(h, P, 2));
    EXPECT_RD(h, 8, 33, 0, h_ea(h, P, 1));
    h_free(h);

    /* 7c: a locked A/D update competes like a read. A: write to P (all
     * entries A = 1, PTE D = 0) acc 0 -> w0:
     * rd 4, 8, 12, 16, ret 19 -> ADW (one update, PTE|D). B (Q) acc 16: L1
     * 16, ST 18, disp 19 -> w1, pwc 19 miss -> MEMRQ. Start of 20: w0 ADW,
     * w1 MEMRQ, rr = 1 (last grant w0 at 16) -> w1 wins: rd PML4E(Q) 20
     * (rr = 0); w0 wr PTE 21 (rr = 1), ret 24 (after w1's ret 23): complete
     * end 24, rsp 25 (latency 25). w0 waits in ADWAIT and does not want
     * the port: w1 rd 24, ret 27, rd 28, ret 31, rd 32, ret 35, rsp 36. */
    h = h_new(MODE);
    map4k_acc(h, P, PA(1));
    map4k_acc(h, Q, PA(2));
    const uint64_t pte = h_ev(h, P, 1);
    a = h_add(h, 0, P, ACC_W, U);
    b = h_add(h, 16, Q, ACC_R, U);
    h_run_idle(h);
    EXPECT_CYC(h, a, 0, 25);
    EXPECT_CYC(h, b, 16, 36);
    CHECK_EQ(h->nmreq, 9);
    EXPECT_RD(h, 3, 16, 0, h_ea(h, P, 1));
    EXPECT_RD(h, 4, 20, 1, h_ea(h, Q, 4));
    EXPECT_WR(h, 5, 21, 0, h_ea(h, P, 1), pte | 0x40);
    EXPECT_RD(h, 6, 24, 1, h_ea(h, Q, 3));
    EXPECT_RD(h, 7, 28, 1, h_ea(h, Q, 2));
    EXPECT_RD(h, 8, 32, 1, h_ea(h, Q, 1));
    h_free(h);
}

/* ---------------------------------------------------------------- 8 */
static void test_response_order(void)
{
    h_t *h = h_new(MODE);
    /* H and H2: primed pages in dtlb4k set 0 (VA bit 12 = 0); A: a page in
     * another 512 GiB region (no PWC hit), also set 0. */
    const uint64_t H = VA0, H2 = VA0 + 0x2000, A = VAF;
    map4k_acc(h, H, PA(1));
    map4k_acc(h, H2, PA(2));
    map4k_acc(h, A, PA(3));
    int p1 = h_at(h, 0, H, ACC_R, U);    /* cold, 20 */
    int p2 = h_at(h, 100, H2, ACC_R, U); /* PDE-cache hit, 8 */
    EXPECT_CYC(h, p1, 0, 20);
    EXPECT_CYC(h, p2, 100, 108);
    h_run_to(h, 200);
    /* A acc 200: walk, no PWC hit, complete end 219, rsp 220.
     * D1 = H acc 201: L1 hit, DONE end 201, rsp 202 (6.10, hit under miss).
     * D2 = H2 acc 202: L1 hit, rsp 203.
     * E = H acc 219: L1 hit, DONE end 219, the same cycle A's walk completes.
     * Start of 220: A and E DONE, A older -> A 220, E 221 (rule 2). */
    int a = h_add(h, 200, A + 0x40, ACC_R, U);
    int d1 = h_add(h, 201, H + 0x50, ACC_R, U);
    int d2 = h_add(h, 202, H2 + 0x60, ACC_R, U);
    int e = h_add(h, 219, H + 0x70, ACC_R, U);
    h_run_idle(h);
    EXPECT_CYC(h, a, 200, 220);
    EXPECT_CYC(h, d1, 201, 202);
    EXPECT_CYC(h, d2, 202, 203);
    EXPECT_CYC(h, e, 219, 221);
    EXPECT_OK(h, a, PA(3) | 0x40, MMU_PS_4K, MMU_SRC_WALK, 0);
    EXPECT_OK(h, d1, PA(1) | 0x50, MMU_PS_4K, MMU_SRC_L1, 0);
    EXPECT_OK(h, d2, PA(2) | 0x60, MMU_PS_4K, MMU_SRC_L1, 0);
    EXPECT_OK(h, e, PA(1) | 0x70, MMU_PS_4K, MMU_SRC_L1, 0);
    /* 7 (lookup and fill of the same set in one cycle): in 219 E's lookup
     * touches H (set 0: H MRU, H2 LRU, since D2 touched H2 in 202 after D1
     * touched H in 201), then A's fill picks its victim after the touch: H2.
     * So H is still an L1 hit, and H2 is not (STLB hit, 3). */
    int f = h_at(h, 300, H, ACC_R, U);
    EXPECT_CYC(h, f, 300, 301);
    EXPECT_OK(h, f, PA(1), MMU_PS_4K, MMU_SRC_L1, 0);
    int g = h_at(h, 400, H2, ACC_R, U);
    EXPECT_CYC(h, g, 400, 403);
    EXPECT_OK(h, g, PA(2), MMU_PS_4K, MMU_SRC_STLB, 0);
    h_free(h);

    /* Three entries DONE in one cycle: A acc 300 (cold walk of P, complete
     * end 319); S acc 317 to a page in the STLB only: L1 317 miss, ST 319
     * hit -> DONE end 319; L acc 319, L1 hit -> DONE end 319. They leave in
     * acceptance order, one per cycle: A 320, S 321, L 322. */
    h = h_new(MODE);
    const uint64_t S0 = VA0, S1 = VA0 + 0x2000, S2 = VA0 + 0x4000, P = VAF;
    map4k_acc(h, S0, PA(1));
    map4k_acc(h, S1, PA(2));
    map4k_acc(h, S2, PA(3));
    map4k_acc(h, P, PA(4));
    h_at(h, 0, S0, ACC_R, U);   /* 20 */
    h_at(h, 100, S1, ACC_R, U); /* 8 */
    h_at(h, 200, S2, ACC_R, U); /* 8; evicts S0 from dtlb4k set 0 (LRU) */
    h_run_to(h, 300);
    a = h_add(h, 300, P, ACC_R, U);
    int s = h_add(h, 317, S0 + 0x8, ACC_R, U);
    int l = h_add(h, 319, S2 + 0x10, ACC_R, U);
    h_run_idle(h);
    EXPECT_CYC(h, a, 300, 320);
    EXPECT_CYC(h, s, 317, 321);
    EXPECT_CYC(h, l, 319, 322);
    EXPECT_OK(h, a, PA(4), MMU_PS_4K, MMU_SRC_WALK, 0);
    EXPECT_OK(h, s, PA(1) | 0x8, MMU_PS_4K, MMU_SRC_STLB, 0);
    EXPECT_OK(h, l, PA(3) | 0x10, MMU_PS_4K, MMU_SRC_L1, 0);
    h_free(h);
}

/* ---------------------------------------------------------------- 9 */
static void test_flush_during_walk(void)
{
    /* diagram 6.9: A (P) acc 0 walks (rsp 20); INVLPG P offered from 2 and
     * held; ctl_ready = 0 while A is outstanding (cycles 1..20; 0 is before
     * the acceptance takes effect); handshake 21, applied end 21; the next
     * request (P again) acc 22: L1 miss, STLB miss, and INVLPG also flushed
     * every PWC entry of the PCID -> cold walk: rd 26, 30, 34, 38, rsp 42. */
    h_t *h = h_new(MODE);
    const uint64_t P = VA0;
    map4k_acc(h, P, PA(1));
    int a = h_add(h, 0, P, ACC_R, U);
    h_ctl(h, 2, MMU_CTL_INVLPG, 0, P + 0x123);
    int b = h_add(h, 22, P + 0x8, ACC_R, U);
    h_run_idle(h);
    EXPECT_CYC(h, a, 0, 20);
    CHECK_EQ(h->ctl_cycle, 21);
    CHECK_EQ(h->out[0].ctl_ready, 1);
    for (int t = 1; t <= 20; t++)
        CHECK_EQ(h->out[t].ctl_ready, 0);
    CHECK_EQ(h->out[21].ctl_ready, 1);
    CHECK_EQ(h->out[22].ctl_ready, 1);
    for (int t = 0; t <= 22; t++)
        CHECK_EQ(h->out[t].req_ready, 1);
    EXPECT_CYC(h, b, 22, 42);
    EXPECT_OK(h, b, PA(1) | 0x8, MMU_PS_4K, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 8);
    EXPECT_RD(h, 4, 26, 0, h_ea(h, P, 4));
    EXPECT_RD(h, 7, 38, 0, h_ea(h, P, 1));
    h_free(h);

    /* INVLPG of another page Q: P's TLB entries stay (L1 hit), but every PWC
     * entry of the PCID is gone: P + 4K (same 2 MiB) walks cold, 20. */
    h = h_new(MODE);
    map4k_acc(h, P, PA(1));
    map4k_acc(h, P + 0x1000, PA(2));
    map4k_acc(h, P + 0x2000, PA(3));
    h_at(h, 0, P, ACC_R, U); /* 20 */
    h_run_to(h, 100);
    h_ctl(h, 100, MMU_CTL_INVLPG, 0, VAF); /* idle: handshake 100 */
    h_run_to(h, 101);
    CHECK_EQ(h->ctl_cycle, 100);
    a = h_at(h, 101, P, ACC_R, U); /* L1 hit */
    EXPECT_CYC(h, a, 101, 102);
    EXPECT_OK(h, a, PA(1), MMU_PS_4K, MMU_SRC_L1, 0);
    b = h_at(h, 200, P + 0x1000, ACC_R, U); /* cold: 20, not 8 */
    EXPECT_CYC(h, b, 200, 220);
    EXPECT_OK(h, b, PA(2), MMU_PS_4K, MMU_SRC_WALK, 0);
    /* a non-canonical INVLPG is a no-op: P + 4K's walk refilled the PWCs,
     * so after it P + 8K (same 2 MiB) is a PDE-cache hit (8) and P + 4K
     * still an L1 hit (1) */
    h_run_to(h, 300);
    h_ctl(h, 300, MMU_CTL_INVLPG, 0, 0x0000800000000000ull | (P + 0x1000));
    h_run_to(h, 301);
    CHECK_EQ(h->ctl_cycle, 300);
    a = h_at(h, 301, P + 0x2000, ACC_R, U);
    EXPECT_CYC(h, a, 301, 309);
    EXPECT_OK(h, a, PA(3), MMU_PS_4K, MMU_SRC_WALK, 3);
    b = h_at(h, 400, P + 0x1000, ACC_R, U);
    EXPECT_CYC(h, b, 400, 401);
    EXPECT_OK(h, b, PA(2), MMU_PS_4K, MMU_SRC_L1, 0);
    h_free(h);

    /* MOV to CR3 (PCIDE = 0): non-global TLB entries and all PWC entries of
     * PCID 0 go; a global page (G = 1 with CR4.PGE = 1 at the fill) stays */
    h = h_new(MODE | MMU_MODE_PGE);
    const uint64_t G = VAF;
    map4k_acc(h, P, PA(1));
    h_map(h, G, PA(2), MMU_PS_4K, PT_W | PT_U | PT_A | PT_G);
    h_set_a(h, G, 1);
    h_at(h, 0, P, ACC_R, U);   /* 20 */
    h_at(h, 100, G, ACC_R, U); /* other 512 GiB region: 20 */
    h_run_to(h, 200);
    h_ctl(h, 200, MMU_CTL_CR3, h->cr3, 0);
    h_run_to(h, 201);
    CHECK_EQ(h->ctl_cycle, 200);
    a = h_at(h, 201, G, ACC_R, U); /* global: L1 hit */
    EXPECT_CYC(h, a, 201, 202);
    EXPECT_OK(h, a, PA(2), MMU_PS_4K, MMU_SRC_L1, 0);
    b = h_at(h, 300, P, ACC_R, U); /* flushed: cold walk */
    EXPECT_CYC(h, b, 300, 320);
    EXPECT_OK(h, b, PA(1), MMU_PS_4K, MMU_SRC_WALK, 0);
    h_free(h);

    /* A mode write handshaked in t is seen by a request accepted in t+1:
     * clear NXE (other mode write: no flush) in 100, then a supervisor fetch
     * from an XD page walks (20) and is not an NX fault... but with NXE = 0
     * XD is a reserved bit: #PF RSVD found at the first entry with XD = 1,
     * the PTE (4 reads): rsp 20 after acc, err = P | RSVD = 0x09 (no I/D:
     * NXE = 0, SMEP = 0). */
    h = h_new(MODE);
    h_map(h, P, PA(1), MMU_PS_4K, PT_W | PT_NX | PT_A);
    h_set_a(h, P, 1);
    h_run_to(h, 100);
    h_ctl(h, 100, MMU_CTL_MODE, MMU_MODE_WP, 0);
    h_run_to(h, 101);
    CHECK_EQ(h->ctl_cycle, 100);
    CHECK_EQ(mmu_mode(h->m), MMU_MODE_WP);
    a = h_at(h, 101, P, ACC_X, S);
    EXPECT_CYC(h, a, 101, 121);
    EXPECT_FAULT(h, a, MMU_FAULT_PF, MMU_CAUSE_RSVD, 0x09, MMU_PS_NONE, MMU_SRC_WALK, 0);
    h_free(h);
}

/* ---------------------------------------------------------------- 10 */
static void test_req_ready(void)
{
    mmu_config_t cfg;
    h_default_cfg(&cfg);
    cfg.outstanding = 2;
    h_t *h = h_new_cfg(&cfg, MODE);
    const uint64_t P = VA0, Q = VAF;
    map4k_acc(h, P, PA(1));
    map4k_acc(h, Q, PA(2));
    /* A (P) acc 0, B (Q) acc 1: 2 outstanding from the start of 2, so
     * req_ready = 0 from 2 on. A answers 20 (freed at the end of 20), so
     * req_ready = 1 again in 21; C (offered from 2, held) is accepted in 21.
     * B answers 21 (as in 6.8). C = P: L1 hit (A's fill end 19), DONE end
     * 21, rsp 22. */
    int a = h_add(h, 0, P, ACC_R, U);
    int b = h_add(h, 1, Q, ACC_R, U);
    int c = h_add(h, 2, P + 0x10, ACC_R, U);
    h_run_idle(h);
    EXPECT_CYC(h, a, 0, 20);
    EXPECT_CYC(h, b, 1, 21);
    EXPECT_CYC(h, c, 21, 22);
    EXPECT_OK(h, c, PA(1) | 0x10, MMU_PS_4K, MMU_SRC_L1, 0);
    CHECK_EQ(h->out[0].req_ready, 1);
    CHECK_EQ(h->out[1].req_ready, 1);
    for (int t = 2; t <= 20; t++)
        CHECK_EQ(h->out[t].req_ready, 0);
    CHECK_EQ(h->out[21].req_ready, 1);
    CHECK_EQ(h->out[22].req_ready, 1);
    CHECK_EQ(mmu_outstanding(h->m), 0);
    h_free(h);

    /* outstanding = 1: in-order; a hit accepted in 0 answers in 1, the next
     * can be accepted in 2 (ready = 0 in 1), answers in 3 */
    cfg.outstanding = 1;
    h = h_new_cfg(&cfg, MODE);
    map4k_acc(h, P, PA(1));
    h_at(h, 0, P, ACC_R, U);
    h_run_to(h, 100);
    a = h_add(h, 100, P, ACC_R, U);
    b = h_add(h, 100, P + 8, ACC_R, U);
    h_run_idle(h);
    EXPECT_CYC(h, a, 100, 101);
    EXPECT_CYC(h, b, 102, 103);
    CHECK_EQ(h->out[101].req_ready, 0);
    CHECK_EQ(h->out[102].req_ready, 1);
    h_free(h);
}

/* ---------------------------------------------------------------- 11 */
static void test_protocol_violations(void)
{
    mmu_in_t in;
    mmu_out_t o;

    /* req_valid with ctl_valid */
    h_t *h = h_new(MODE);
    memset(&in, 0, sizeof in);
    in.req_valid = true;
    in.req_vaddr = VA0;
    in.ctl_valid = true;
    in.ctl_op = MMU_CTL_INVLPG;
    in.ctl_addr = VA0;
    mmu_eval(h->m, &o);
    CHECK_EQ(mmu_step(h->m, &in), -1);
    CHECK(mmu_error(h->m)[0] != 0);
    h_free(h);

    /* memory response for an idle walker */
    h = h_new(MODE);
    memset(&in, 0, sizeof in);
    in.mem_rsp_valid = true;
    in.mem_rsp_id = 0;
    mmu_eval(h->m, &o);
    CHECK_EQ(mmu_step(h->m, &in), -1);
    CHECK(mmu_error(h->m)[0] != 0);
    h_free(h);

    /* memory response for a walker that does not exist (walkers = 2) */
    h = h_new(MODE);
    in.mem_rsp_id = 2;
    mmu_eval(h->m, &o);
    CHECK_EQ(mmu_step(h->m, &in), -1);
    h_free(h);

    /* memory response for a walker that has not issued its read yet: A acc
     * 0, w0 in MEMRQ at the start of 4 (its read is on the port in 4) */
    h = h_new(MODE);
    map4k_acc(h, VA0, PA(1));
    h_add(h, 0, VA0, ACC_R, U);
    h_run_to(h, 4);
    mmu_eval(h->m, &o);
    CHECK_EQ(o.mem_req_valid, 1);
    memset(&in, 0, sizeof in);
    in.mem_rsp_valid = true;
    in.mem_rsp_id = 0;
    CHECK_EQ(mmu_step(h->m, &in), -1);
    h_free_cut(h);

    /* a response for w1 (idle) while w0 waits for its read */
    h = h_new(MODE);
    map4k_acc(h, VA0, PA(1));
    h_add(h, 0, VA0, ACC_R, U);
    h_run_to(h, 5); /* read issued in 4 */
    memset(&in, 0, sizeof in);
    in.mem_rsp_valid = true;
    in.mem_rsp_id = 1;
    mmu_eval(h->m, &o);
    CHECK_EQ(mmu_step(h->m, &in), -1);
    h_free_cut(h);

    /* the legal response (w0 in MEMWAIT) is accepted */
    h = h_new(MODE);
    map4k_acc(h, VA0, PA(1));
    h_add(h, 0, VA0, ACC_R, U);
    h_run_idle(h);
    CHECK_EQ(h->step_errors, 0);
    h_free(h);

    /* [T:control-hold]: an operation offered while ctl_ready = 0 (A's walk
     * from acc 0 is in flight; its read is on the port in 4) is offered
     * unchanged in 3; changed or withdrawn in 3 it is a violation */
    for (int variant = 0; variant < 3; variant++) {
        h = h_new(MODE);
        map4k_acc(h, VA0, PA(1));
        h_add(h, 0, VA0, ACC_R, U);
        h_run_to(h, 2);
        mmu_eval(h->m, &o);
        CHECK_EQ(o.ctl_ready, 0);
        memset(&in, 0, sizeof in);
        in.ctl_valid = true;
        in.ctl_op = MMU_CTL_INVLPG;
        in.ctl_addr = VA0;
        CHECK_EQ(mmu_step(h->m, &in), 0);
        mmu_eval(h->m, &o);
        CHECK_EQ(o.ctl_ready, 0);
        if (variant == 1)
            in.ctl_addr = VA0 + 0x1000;
        if (variant == 2)
            in.ctl_valid = false;
        CHECK_EQ(mmu_step(h->m, &in), variant == 0 ? 0 : -1);
        if (variant)
            CHECK(strstr(mmu_error(h->m), "cycle 3: control operation withdrawn or changed") != NULL);
        h_free_cut(h);
    }

    /* 2.1: an accepted id is not offered again while it is outstanding:
     * id 5 accepted in 0 (a walk), offered again in 1 */
    h = h_new(MODE);
    map4k_acc(h, VA0, PA(1));
    memset(&in, 0, sizeof in);
    in.req_valid = true;
    in.req_id = 5;
    in.req_vaddr = VA0;
    mmu_eval(h->m, &o);
    CHECK_EQ(mmu_step(h->m, &in), 0);
    in.req_vaddr = VA0 + 0x1000;
    mmu_eval(h->m, &o);
    CHECK_EQ(o.req_ready, 1);
    CHECK_EQ(mmu_step(h->m, &in), -1);
    CHECK(strstr(mmu_error(h->m), "cycle 1: request id 5 accepted while a request with that id is outstanding") !=
          NULL);
    h_free(h);

    /* ... and it may be offered again in the cycle of its response: A (id
     * 0x100) walks and is answered; then id 0x100 again, an L1 hit accepted
     * in c and answered in c + 1 (L1_LAT 1), when id 0x100 is accepted once
     * more (answered in c + 2); in c + 3 nothing is outstanding */
    h = h_new(MODE);
    map4k_acc(h, VA0, PA(1));
    h_add(h, 0, VA0, ACC_R, U);
    h_run_idle(h);
    const uint64_t c = mmu_cycle(h->m);
    memset(&in, 0, sizeof in);
    in.req_valid = true;
    in.req_id = 0x100;
    in.req_vaddr = VA0;
    in.req_user = U;
    for (uint64_t k = 0; k < 4; k++) {
        mmu_eval(h->m, &o);
        CHECK_EQ(o.rsp_valid, k == 1 || k == 2);
        if (o.rsp_valid)
            CHECK_EQ(o.rsp_id, 0x100);
        if (k == 2)
            in.req_valid = false;
        if (k == 3)
            CHECK_EQ(mmu_outstanding(h->m), 0);
        CHECK_EQ(mmu_step(h->m, &in), 0);
    }
    CHECK_EQ(mmu_cycle(h->m), c + 4);
    h_free(h);
}

/* ---------------------------------------------------------------- 12 */

/* A scenario with hits, two walks, a join, a port conflict, a fault, A/D
 * writes, a held flush and a #GP, with one slow memory read. */
static void scenario_mix(h_t *h)
{
    const uint64_t P = VA0, Q = VAF;
    map4k_acc(h, P, PA(1));
    map4k_acc(h, Q, PA(2));
    h_map(h, P + 0x1000, PA(3), MMU_PS_4K, PT_W | PT_U); /* A = 0, D = 0 */
    h_map(h, VA0 + 0x40000000, 0x0000000123400000ull, MMU_PS_2M, PT_W | PT_U);
    h->rd_lat[5] = 9;
    h_add(h, 0, P, ACC_R, U);
    h_add(h, 1, Q, ACC_R, U);
    h_add(h, 2, P + 8, ACC_R, U);       /* joins */
    h_add(h, 3, P + 0x1000, ACC_W, U);  /* waits for a walker, A/D writes */
    h_add(h, 9, VA0 + 0x3000, ACC_R, U); /* not present */
    h_add(h, 40, P, ACC_R, U);          /* hit */
    h_add(h, 41, VA0 + 0x40001000, ACC_X, U);
    h_add(h, 42, P + 0x1000, ACC_W, U); /* hit (D = 1 after the walk) */
    h_add(h, 43, 0x0000800000000000ull, ACC_R, U);
    h_add(h, 60, Q, ACC_W, U);          /* soft miss (D = 0) */
    h_ctl(h, 62, MMU_CTL_INVLPG, 0, P);
    h_add(h, 150, P, ACC_R, U);
    h_add(h, 300, Q, ACC_R, U);
    h_run_idle(h);
}

static void test_next_event(void)
{
    /* after accepting a miss in 0 (L1 lookup in 0: miss), nothing happens in
     * 1; the STLB lookup is in 2, the dispatch and PWC lookup in 3, the read
     * in 4; then the MMU only waits for memory (UINT64_MAX). */
    h_t *h = h_new(MODE);
    map4k_acc(h, VA0, PA(1));
    h_add(h, 0, VA0, ACC_R, U);
    /* nothing accepted yet: the MMU only waits for inputs (mmu.h) */
    CHECK_EQ(mmu_next_event(h->m), UINT64_MAX);
    h_cycle(h);                         /* cycle 0 */
    CHECK_EQ(mmu_cycle(h->m), 1);
    CHECK_EQ(mmu_next_event(h->m), 2); /* STLB lookup */
    mmu_skip_to(h->m, 2);
    h_cycle(h);                        /* 2: STLB miss -> MISS */
    CHECK_EQ(mmu_next_event(h->m), 3); /* dispatch */
    h_cycle(h);                        /* 3: dispatch, PWC lookup */
    CHECK_EQ(mmu_next_event(h->m), 4); /* memory request */
    h_cycle(h);                        /* 4: rd PML4E */
    CHECK_EQ(h->nmreq, 1);
    CHECK_EQ(mmu_next_event(h->m), UINT64_MAX); /* waits for the response */
    mmu_skip_to(h->m, 7);
    h_cycle(h);                        /* 7: response */
    CHECK_EQ(mmu_next_event(h->m), 8); /* rd PDPTE */
    h_run_to(h, 20);                   /* PTE back in 19, complete */
    CHECK_EQ(mmu_next_event(h->m), 20); /* the response */
    h_cycle(h);
    CHECK_EQ(h->req[0].rsp_cycle, 20);
    CHECK_EQ(mmu_next_event(h->m), UINT64_MAX); /* idle */
    /* an L1 hit accepted in 30 answers in 31: next event 31 */
    mmu_skip_to(h->m, 30);
    h_add(h, 30, VA0, ACC_R, U);
    h_cycle(h);
    CHECK_EQ(mmu_next_event(h->m), 31);
    h_cycle(h);
    CHECK_EQ(h->req[1].rsp_cycle, 31);
    h_free(h);

    /* the same scenario, every cycle vs skipping: identical traces */
    h_t *full = h_new(MODE), *sk = h_new(MODE);
    sk->skip = true;
    scenario_mix(full);
    scenario_mix(sk);
    CHECK(sk->nskipped > 100);
    CHECK_EQ(full->nreq, sk->nreq);
    for (int i = 0; i < full->nreq && i < sk->nreq; i++) {
        WHERE_BEGIN;
        const mmu_out_t *x = &full->req[i].rsp, *y = &sk->req[i].rsp;
        CHECK(full->req[i].rsp_cycle >= 0);
        CHECK_EQ(full->req[i].acc_cycle, sk->req[i].acc_cycle);
        CHECK_EQ(full->req[i].rsp_cycle, sk->req[i].rsp_cycle);
        CHECK_EQ(x->rsp_id, y->rsp_id);
        CHECK_EQ(x->rsp_paddr, y->rsp_paddr);
        CHECK_EQ(x->rsp_size, y->rsp_size);
        CHECK_EQ(x->rsp_fault, y->rsp_fault);
        CHECK_EQ(x->rsp_cause, y->rsp_cause);
        CHECK_EQ(x->rsp_err, y->rsp_err);
        CHECK_EQ(x->rsp_fault_addr, y->rsp_fault_addr);
        CHECK_EQ(x->rsp_src, y->rsp_src);
        CHECK_EQ(x->rsp_pwc, y->rsp_pwc);
        if (check_fail_ != fail0_)
            fprintf(stderr, "    (request %d of the skip/full comparison)\n", i);
    }
    CHECK_EQ(full->ctl_cycle, sk->ctl_cycle);
    CHECK_EQ(full->nmreq, sk->nmreq);
    for (int k = 0; k < full->nmreq && k < sk->nmreq; k++) {
        CHECK_EQ(full->mreq[k].cycle, sk->mreq[k].cycle);
        CHECK_EQ(full->mreq[k].we, sk->mreq[k].we);
        CHECK_EQ(full->mreq[k].id, sk->mreq[k].id);
        CHECK_EQ(full->mreq[k].addr, sk->mreq[k].addr);
        CHECK_EQ(full->mreq[k].wdata, sk->mreq[k].wdata);
    }
    /* skipped cycles are idle in the every-cycle run (section 1) */
    uint64_t end = mmu_cycle(full->m);
    int bad = 0;
    for (uint64_t t = 0; t < end && t < H_MAXCYC; t++)
        if (!sk->stepped[t] && (full->out[t].rsp_valid || full->out[t].mem_req_valid))
            bad++;
    CHECK_EQ(bad, 0);
    h_free(full);
    h_free(sk);
}

/* ---------------------------------------------------------------- 13 */
static void test_latency_parameters(void)
{
    /* L1_LAT 3, L2_LAT 4, PWC_LAT 2 (section 3):
     * L1 hit: acc c, lookup c+2, rsp c+3 (L1_LAT).
     * STLB hit: L1 c+2 miss, ST c+6 hit, rsp c+7 (L1_LAT + L2_LAT).
     * Walk, no PWC hit: L1 2, ST 6, disp 7, pwc due 7+2-1 = 8, rd 9, 13,
     * 17, 21, ret 24, rsp 25 = 3 + 4 + 2 + 4*4. */
    mmu_config_t cfg;
    h_default_cfg(&cfg);
    set_level_lat(&cfg, 1, 3);
    set_level_lat(&cfg, 2, 4);
    for (uint32_t i = 0; i < cfg.npwc; i++)
        cfg.pwc[i].lat = 2;
    h_t *h = h_new_cfg(&cfg, MODE);
    const uint64_t P0 = VA0, P1 = VA0 + 0x2000, P2 = VA0 + 0x4000;
    map4k_acc(h, P0, PA(1));
    map4k_acc(h, P1, PA(2));
    map4k_acc(h, P2, PA(3));
    h_add(h, 0, P0, ACC_R, U);
    h_cycle(h);
    CHECK_EQ(mmu_next_event(h->m), 2); /* the L1 lookup, L1_LAT-1 = 2 after acc */
    h_run_idle(h);
    EXPECT_CYC(h, 0, 0, 25);
    EXPECT_OK(h, 0, PA(1), MMU_PS_4K, MMU_SRC_WALK, 0);
    EXPECT_RD(h, 0, 9, 0, h_ea(h, P0, 4));
    EXPECT_RD(h, 3, 21, 0, h_ea(h, P0, 1));
    /* PDE-cache hit: pwc 108, rd PTE 109, ret 112, rsp 113 (3+4+2+4) */
    int b = h_at(h, 100, P1, ACC_R, U);
    EXPECT_CYC(h, b, 100, 113);
    EXPECT_OK(h, b, PA(2), MMU_PS_4K, MMU_SRC_WALK, 3);
    int c = h_at(h, 200, P2, ACC_R, U); /* 13; evicts P0 from dtlb4k set 0 */
    EXPECT_CYC(h, c, 200, 213);
    int d = h_at(h, 300, P0, ACC_R, U); /* STLB hit: 7 */
    EXPECT_CYC(h, d, 300, 307);
    EXPECT_OK(h, d, PA(1), MMU_PS_4K, MMU_SRC_STLB, 0);
    int e = h_at(h, 400, P0, ACC_R, U); /* L1 hit: 3 */
    EXPECT_CYC(h, e, 400, 403);
    EXPECT_OK(h, e, PA(1), MMU_PS_4K, MMU_SRC_L1, 0);
    /* pipelined hits with L1_LAT = 3: acc 500, 501, 502 -> rsp 503, 504, 505 */
    h_run_to(h, 500);
    int f0 = h_add(h, 500, P0, ACC_R, U);
    int f1 = h_add(h, 501, P2, ACC_R, U); /* set 0 = {P2, P0} since d's refill */
    int f2 = h_add(h, 502, P0 + 8, ACC_R, U);
    h_run_idle(h);
    EXPECT_CYC(h, f0, 500, 503);
    EXPECT_CYC(h, f1, 501, 504);
    EXPECT_CYC(h, f2, 502, 505);
    h_free(h);

    /* [T:organisation]: a level without arrays has latency 1; the level-2
     * lookup still happens, L2_LAT = 1 after the level-1 lookup, and
     * misses. Without level-2 arrays (removed, or all with 0 entries: an
     * array with 0 entries is absent, its lat does not count): walk = acc
     * 0, L1 0, level 2 at 1 (miss), disp+pwc 2, rd 3, 7, 11, 15, ret 18,
     * rsp 19 = 1 + 1 + 1 + 4*4 */
    for (int absent = 0; absent < 2; absent++) {
        h_default_cfg(&cfg);
        set_level_lat(&cfg, 2, 9);
        if (absent)
            cfg.tlb[cfg.ntlb - 1].a.entries = 0; /* stlb, the only level-2 array */
        else
            cfg.ntlb--;
        h = h_new_cfg(&cfg, MODE);
        map4k_acc(h, P0, PA(1));
        int w = h_at(h, 0, P0, ACC_R, U);
        EXPECT_CYC(h, w, 0, 19);
        EXPECT_OK(h, w, PA(1), MMU_PS_4K, MMU_SRC_WALK, 0);
        EXPECT_RD(h, 0, 3, 0, h_ea(h, P0, 4));
        h_free(h);
    }
    /* and with no PWC either (PWC_LAT 1 whatever an absent one's lat):
     * dispatched in 2, the PWC lookup in 2 as well, rd 3: the same 19 */
    h_default_cfg(&cfg);
    for (uint32_t i = 0; i < cfg.npwc; i++) {
        cfg.pwc[i].lat = 5;
        cfg.pwc[i].a.entries = 0;
    }
    cfg.tlb[cfg.ntlb - 1].a.entries = 0;
    h = h_new_cfg(&cfg, MODE);
    map4k_acc(h, P0, PA(1));
    int w = h_at(h, 0, P0, ACC_R, U);
    EXPECT_CYC(h, w, 0, 19);
    /* a page of P0's page table that is not mapped: 4 reads, the PTE not
     * present (6.6): 19 too */
    w = h_at(h, 100, P0 + 0x2000, ACC_R, U);
    EXPECT_CYC(h, w, 100, 119);
    EXPECT_FAULT(h, w, MMU_FAULT_PF, MMU_CAUSE_NOT_PRESENT, 0x04, MMU_PS_NONE, MMU_SRC_WALK, 0);
    h_free(h);
}

/* ================================================= the organisation rules */

/* The entry of TLB array `arr` that a lookup of va at entry size `size`
 * (PCID 0) would match, or NULL. */
static const sa_entry_t *h_tlb_entry(h_t *h, const char *arr, uint64_t va, unsigned size)
{
    int id = mmu_array_find(h->m, arr);
    CHECK(id >= 0 && (unsigned)id < mmu_ntlb(h->m));
    if (id < 0)
        return NULL;
    const sa_t *a = mmu_array(h->m, (unsigned)id);
    if (!sa_enabled(a))
        return NULL;
    uint64_t tag = (va & 0xFFFFFFFFFFFFull) >> mmu_ps_shift(size);
    uint32_t set = sa_set(a, tag);
    int w = sa_find(a, set, tag, (uint8_t)size, 0);
    return w < 0 ? NULL : sa_way(a, set, (uint32_t)w);
}

/* The entry of PWC `arr` for va at paging-structure level lv (0 PML4E,
 * 1 PDPTE, 2 PDE), PCID 0, or NULL. */
static const sa_entry_t *h_pwc_entry(h_t *h, const char *arr, uint64_t va, unsigned lv)
{
    int id = mmu_array_find(h->m, arr);
    CHECK(id >= 0 && (unsigned)id >= mmu_ntlb(h->m));
    if (id < 0)
        return NULL;
    const sa_t *a = mmu_array(h->m, (unsigned)id);
    static const unsigned shift[3] = {39, 30, 21};
    uint64_t tag = (va & 0xFFFFFFFFFFFFull) >> shift[lv];
    uint32_t set = sa_set(a, tag);
    int w = sa_find(a, set, tag, (uint8_t)lv, 0);
    return w < 0 ? NULL : sa_way(a, set, (uint32_t)w);
}

static const sa_counts_t *h_cnt(h_t *h, const char *arr)
{
    int id = mmu_array_find(h->m, arr);
    CHECK(id >= 0);
    static const sa_counts_t none;
    return id < 0 ? &none : &mmu_array(h->m, (unsigned)id)->cnt;
}

/* A TLB entry is a piece of size `size` of a page of size `asize` with frame `data`. */
#define EXPECT_ENTRY(e, size_, asize_, data_)                                                                  \
    do {                                                                                                       \
        const sa_entry_t *e_ = (e);                                                                            \
        CHECK(e_ != NULL);                                                                                     \
        if (e_ != NULL) {                                                                                      \
            CHECK_EQ(e_->size, size_);                                                                         \
            CHECK_EQ(e_->asize, asize_);                                                                       \
            CHECK_EQ(e_->data, data_);                                                                         \
        }                                                                                                      \
    } while (0)

static void tiny_cfg(mmu_config_t *m)
{
    sim_config_t sc;
    char err[200];
    if (cfg_preset(&sc, "tiny", err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    *m = sc.mmu;
}

/* A 1 GiB page, VA[47:39] = 1, VA[38:30] = 1; its frame. */
#define VG 0x0000008040000000ull
#define PG 0x0000000080000000ull
/* An offset in it: 2 MiB piece 0x91 (piece base offset 0x12200000). */
#define OFF1 0x12345678ull

/* ---------------------------------------------------------------- 14 */
static void test_org_tiny_splinter(void)
{
    /* The tiny preset (docs/config.md; test_config checks it):
     *   L1: itlb F 4K | itlb2m F 2M splinter | dtlb L,S 4K | dtlbbig L 2M,1G
     *       | sdtlb S 2M,1G;  L2: stlb F,L,S 4K,2M splinter (4 sets)
     *       | stlb1g L,S 4K,1G;  PWCs: pdc PML4E,PDPTE | pde PDE.
     * A 1 GiB page mapped user, writable, A = D = 1 everywhere: no updates.
     * Neither level has a fetch array that holds 1G; itlb2m and stlb
     * splinter: a fetch caches the 2 MiB piece that contains VA
     * ([T:fill]); loads and stores have 1G arrays at both levels. */
    mmu_config_t cfg;
    tiny_cfg(&cfg);
    h_t *h = h_new_cfg(&cfg, MODE);
    h_map(h, VG, PG, MMU_PS_1G, PT_W | PT_U | PT_A | PT_D);
    h_set_a(h, VG, 3);
    const uint64_t VA1 = VG + OFF1, VA2 = VG + 0x20000000; /* pieces 0x91, 0x100 */

    /* a) fetch VA1, acc 0: L1 0 miss (itlb, itlb2m), L2 2 miss (stlb; stlb1g
     * serves no fetch), disp+pwc 3 miss, rd PML4E 4, PDPTE 8 (leaf), ret 11,
     * rsp 12 (6.5); rsp_size is the page's, 1G */
    int a = h_at(h, 0, VA1, ACC_X, U);
    EXPECT_CYC(h, a, 0, 12);
    EXPECT_OK(h, a, PG + OFF1, MMU_PS_1G, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 2);
    /* fills: level 2 the piece into stlb, level 1 the piece into itlb2m
     * (itlb does not splinter), frame PG + 0x12200000; the PML4E into pdc,
     * the PDPTE is the leaf (no PWC fill) */
    EXPECT_ENTRY(h_tlb_entry(h, "itlb2m", VA1, MMU_PS_2M), MMU_PS_2M, MMU_PS_1G, PG + 0x12200000);
    EXPECT_ENTRY(h_tlb_entry(h, "stlb", VA1, MMU_PS_2M), MMU_PS_2M, MMU_PS_1G, PG + 0x12200000);
    CHECK(h_tlb_entry(h, "itlb", VA1, MMU_PS_4K) == NULL);
    CHECK(h_tlb_entry(h, "stlb", VA1, MMU_PS_4K) == NULL);
    CHECK(h_tlb_entry(h, "stlb1g", VA1, MMU_PS_1G) == NULL);
    CHECK(h_pwc_entry(h, "pdc", VA1, 0) != NULL);
    CHECK(h_pwc_entry(h, "pdc", VA1, 1) == NULL);

    /* b) the same piece, another 4K: an L1 hit in itlb2m, latency 1; the
     * response is the page's size and the address in the piece */
    int b = h_at(h, 100, VA1 + 0x1000, ACC_X, U);
    EXPECT_CYC(h, b, 100, 101);
    EXPECT_OK(h, b, PG + OFF1 + 0x1000, MMU_PS_1G, MMU_SRC_L1, 0);

    /* c) another piece (0x100): misses both levels; PML4E-cache hit: rd
     * PDPTE 204, ret 207, rsp 208 (6.5) */
    int c = h_at(h, 200, VA2 + 0x40, ACC_X, U);
    EXPECT_CYC(h, c, 200, 208);
    EXPECT_OK(h, c, PG + 0x20000040, MMU_PS_1G, MMU_SRC_WALK, 1);
    CHECK_EQ(h->nmreq, 3);
    EXPECT_ENTRY(h_tlb_entry(h, "itlb2m", VA2, MMU_PS_2M), MMU_PS_2M, MMU_PS_1G, PG + 0x20000000);
    EXPECT_ENTRY(h_tlb_entry(h, "itlb2m", VA1, MMU_PS_2M), MMU_PS_2M, MMU_PS_1G, PG + 0x12200000); /* 2 ways */

    /* d) a load of VA1: L1 (dtlb, dtlbbig; sdtlb serves no load) misses;
     * L2 302: stlb, first in order, holds the fetch's piece: a usable hit,
     * rsp 303. The refill is the whole page ([T:fill]: frame = the piece's
     * less its offset): a 1G entry in dtlbbig, frame PG */
    int d = h_at(h, 300, VA1, ACC_R, U);
    EXPECT_CYC(h, d, 300, 303);
    EXPECT_OK(h, d, PG + OFF1, MMU_PS_1G, MMU_SRC_STLB, 0);
    EXPECT_ENTRY(h_tlb_entry(h, "dtlbbig", VA1, MMU_PS_1G), MMU_PS_1G, MMU_PS_1G, PG);
    CHECK(h_tlb_entry(h, "dtlbbig", VA1, MMU_PS_2M) == NULL);
    /* e) so a load anywhere in the page is an L1 hit */
    int e = h_at(h, 400, VG + 0x3FFFF000, ACC_R, U);
    EXPECT_CYC(h, e, 400, 401);
    EXPECT_OK(h, e, PG + 0x3FFFF000, MMU_PS_1G, MMU_SRC_L1, 0);

    /* f) a store to VA1: L1 (dtlb, sdtlb) misses; L2 502: the piece in stlb
     * (D = 1): hit, rsp 503; refill: the 1G page into sdtlb */
    int f = h_at(h, 500, VA1 + 8, ACC_W, U);
    EXPECT_CYC(h, f, 500, 503);
    EXPECT_OK(h, f, PG + OFF1 + 8, MMU_PS_1G, MMU_SRC_STLB, 0);
    EXPECT_ENTRY(h_tlb_entry(h, "sdtlb", VA1, MMU_PS_1G), MMU_PS_1G, MMU_PS_1G, PG);
    CHECK_EQ(h->nmreq, 3); /* hits make no memory traffic */

    /* g) INVLPG VA1 + 0x777 ([T:inval-va]): every entry a lookup of that
     * address would match (the 0x91 pieces, dtlbbig's and sdtlb's 1G
     * entries) and, in the arrays that splinter, every piece of the page:
     * the 0x100 pieces of itlb2m and stlb too. The PWCs: all of PCID 0. */
    h_run_to(h, 600);
    h_ctl(h, 600, MMU_CTL_INVLPG, 0, VA1 + 0x777);
    h_run_to(h, 601);
    CHECK_EQ(h->ctl_cycle, 600);
    CHECK(h_tlb_entry(h, "itlb2m", VA2, MMU_PS_2M) == NULL);
    CHECK(h_tlb_entry(h, "stlb", VA2, MMU_PS_2M) == NULL);
    CHECK(h_tlb_entry(h, "itlb2m", VA1, MMU_PS_2M) == NULL);
    CHECK(h_tlb_entry(h, "dtlbbig", VA1, MMU_PS_1G) == NULL);
    CHECK(h_tlb_entry(h, "sdtlb", VA1, MMU_PS_1G) == NULL);
    /* h) so piece 0x100 walks cold: rd 704, 708, rsp 712 (not an L1 hit) */
    int g = h_at(h, 700, VA2, ACC_X, U);
    EXPECT_CYC(h, g, 700, 712);
    EXPECT_OK(h, g, PG + 0x20000000, MMU_PS_1G, MMU_SRC_WALK, 0);
    CHECK_EQ(h->nmreq, 5);

    /* i) a load walks (dtlbbig lost its entry, stlb holds only piece 0x100,
     * stlb1g nothing): PML4E-cache hit, rsp 808. A load of a 1G page has a
     * level-2 array that holds 1G: the whole page goes to stlb1g, not a
     * piece to stlb */
    int i = h_at(h, 800, VG + 0x3FFFF000, ACC_R, U);
    EXPECT_CYC(h, i, 800, 808);
    EXPECT_OK(h, i, PG + 0x3FFFF000, MMU_PS_1G, MMU_SRC_WALK, 1);
    EXPECT_ENTRY(h_tlb_entry(h, "stlb1g", VG, MMU_PS_1G), MMU_PS_1G, MMU_PS_1G, PG);
    CHECK(h_tlb_entry(h, "stlb", VG + 0x3FFFF000, MMU_PS_2M) == NULL);
    /* j) a store to VA1: sdtlb lost its entry, stlb has no piece 0x91; the
     * second level-2 array, stlb1g, hits: rsp 903 */
    int j = h_at(h, 900, VA1, ACC_W, U);
    EXPECT_CYC(h, j, 900, 903);
    EXPECT_OK(h, j, PG + OFF1, MMU_PS_1G, MMU_SRC_STLB, 0);

    /* k) a faulting walk invalidates the pieces of its page ([T:update] 7b,
     * [T:inval-va]): "software" clears P in the PDPTE; a fetch of piece 2
     * (cached nowhere) walks from the PML4E cache: rd PDPTE 1004, ret 1007
     * not present, rsp 1008: #PF, err U/S | I/D (NXE = 1) */
    const uint64_t pdpte = h_ev(h, VG, 3);
    h_run_to(h, 1000);
    pmem_write64(h->mem, h_ea(h, VG, 3), pdpte & ~PTE_P);
    int k = h_at(h, 1000, VG + 0x00400000, ACC_X, U);
    EXPECT_CYC(h, k, 1000, 1008);
    EXPECT_FAULT(h, k, MMU_FAULT_PF, MMU_CAUSE_NOT_PRESENT, 0x14, MMU_PS_NONE, MMU_SRC_WALK, 1);
    /* gone: piece 0x100 (itlb2m, stlb: another piece of the page), the 1G
     * entries of dtlbbig, sdtlb and stlb1g, and pdc's PML4E */
    CHECK(h_tlb_entry(h, "itlb2m", VA2, MMU_PS_2M) == NULL);
    CHECK(h_tlb_entry(h, "stlb", VA2, MMU_PS_2M) == NULL);
    CHECK(h_tlb_entry(h, "dtlbbig", VG, MMU_PS_1G) == NULL);
    CHECK(h_tlb_entry(h, "sdtlb", VG, MMU_PS_1G) == NULL);
    CHECK(h_tlb_entry(h, "stlb1g", VG, MMU_PS_1G) == NULL);
    CHECK(h_pwc_entry(h, "pdc", VG, 0) == NULL);
    /* P back: piece 0x100 walks cold (12), a load walks from the PML4E
     * cache that walk refilled (8) */
    pmem_write64(h->mem, h_ea(h, VG, 3), pdpte);
    int l = h_at(h, 1100, VA2 + 0x10, ACC_X, U);
    EXPECT_CYC(h, l, 1100, 1112);
    EXPECT_OK(h, l, PG + 0x20000010, MMU_PS_1G, MMU_SRC_WALK, 0);
    int m = h_at(h, 1200, VG + 0x3FFFF000, ACC_R, U);
    EXPECT_CYC(h, m, 1200, 1208);
    EXPECT_OK(h, m, PG + 0x3FFFF000, MMU_PS_1G, MMU_SRC_WALK, 1);

    /* counters: itlb2m looked up by fetches only; sdtlb by stores only;
     * dtlbbig by loads only */
    CHECK_EQ(h_cnt(h, "itlb2m")->lookups[ACC_R] + h_cnt(h, "itlb2m")->lookups[ACC_W], 0);
    CHECK_EQ(h_cnt(h, "itlb2m")->lookups[ACC_X], 6); /* a, b, c, h, k, l */
    CHECK_EQ(h_cnt(h, "itlb2m")->hits[ACC_X], 1);    /* b */
    CHECK_EQ(h_cnt(h, "sdtlb")->lookups[ACC_R] + h_cnt(h, "sdtlb")->lookups[ACC_X], 0);
    CHECK_EQ(h_cnt(h, "sdtlb")->lookups[ACC_W], 2);  /* f, j */
    CHECK_EQ(h_cnt(h, "dtlbbig")->lookups[ACC_W] + h_cnt(h, "dtlbbig")->lookups[ACC_X], 0);
    CHECK_EQ(h_cnt(h, "dtlbbig")->lookups[ACC_R], 4); /* d, e, i, m */
    CHECK_EQ(h_cnt(h, "dtlbbig")->hits[ACC_R], 1);    /* e */
    CHECK_EQ(h_cnt(h, "stlb1g")->lookups[ACC_X], 0);
    /* stlb1g: loads d (counted unprobed after stlb's hit), i, m; stores f
     * (unprobed), j (hit) */
    CHECK_EQ(h_cnt(h, "stlb1g")->lookups[ACC_R], 3);
    CHECK_EQ(h_cnt(h, "stlb1g")->hits[ACC_R], 0);
    CHECK_EQ(h_cnt(h, "stlb1g")->lookups[ACC_W], 2);
    CHECK_EQ(h_cnt(h, "stlb1g")->hits[ACC_W], 1);
    h_free(h);
}

/* The organisation of test 15: two L1 arrays for loads (one also for
 * stores), two splintering fetch arrays of different sizes, two level-2
 * halves, two PWCs that both hold PDEs. */
static void org_cfg(mmu_config_t *c)
{
    memset(c, 0, sizeof *c);
    const uint32_t LD = MMU_SERVE_LOAD, ST = MMU_SERVE_STORE, FE = MMU_SERVE_FETCH;
    const uint32_t K4 = 1u << MMU_PS_4K, M2 = 1u << MMU_PS_2M, G1 = 1u << MMU_PS_1G;
    add_tlb(c, "l1a", 1, LD, K4, (mmu_array_cfg_t){2, 2, MMU_REPL_LRU, 1}, 1);
    add_tlb(c, "l1b", 1, LD | ST, K4, (mmu_array_cfg_t){2, 2, MMU_REPL_LRU, 1}, 1);
    add_tlb(c, "i4k", 1, FE, K4, (mmu_array_cfg_t){4, 4, MMU_REPL_LRU, 1}, 1)->splinter = 1;
    add_tlb(c, "i2m", 1, FE, M2, (mmu_array_cfg_t){2, 2, MMU_REPL_LRU, 1}, 1)->splinter = 1;
    add_tlb(c, "s1", 2, MMU_SERVE_ALL, K4 | M2, (mmu_array_cfg_t){8, 2, MMU_REPL_LRU, 1}, 2);
    add_tlb(c, "s2", 2, MMU_SERVE_ALL, K4 | G1, (mmu_array_cfg_t){8, 2, MMU_REPL_LRU, 1}, 2);
    add_pwc(c, "pw1", 7, (mmu_array_cfg_t){4, 2, MMU_REPL_LRU, 1}, 1);
    add_pwc(c, "pw2", 1u << MMU_PWC_PDE, (mmu_array_cfg_t){4, 2, MMU_REPL_LRU, 1}, 1);
    c->walkers = 2;
    c->outstanding = 8;
    c->maxphyaddr = 46;
}

/* ---------------------------------------------------------------- 15 */
static void test_org_choice(void)
{
    /* [T:fill]: of k candidates, number (tag >> log2(sets of the first))
     * mod k. Here:
     *   L2, 4K (s1, s2; s1 has 4 sets): VA bit 14 -> 0 s1, 1 s2;
     *   L1 loads, 4K (l1a, l1b; l1a has 1 set): VA bit 12 -> 0 l1a, 1 l1b;
     *   L1 stores, 4K: l1b alone;
     *   PDEs (pw1, pw2; pw1 has 2 sets): PDE tag bit 1 = VA bit 22.
     * [T:lookup]: the first usable hit in configuration order answers and is
     * the only one touched; the arrays after it count a miss.
     * Pages in VA0's 2 MiB region (VA bits 22, 14, 13, 12 of VA0 are 0),
     * mapped with A = D = 1: no updates. */
    mmu_config_t cfg;
    org_cfg(&cfg);
    h_t *h = h_new_cfg(&cfg, MODE);
    const uint64_t P0 = VA0, P1 = VA0 + 0x1000, P2 = VA0 + 0x2000, Q = VA0 + 0x4000;
    const uint64_t P3 = VA0 + 0x400000, P4 = P3 + 0x1000; /* VA bit 22 = 1 */
    const uint64_t pages[] = {P0, P1, P2, Q, P3, P4};
    for (int i = 0; i < 6; i++) {
        h_map(h, pages[i], PA(i + 1), MMU_PS_4K, PT_W | PT_U | PT_A | PT_D);
        h_set_a(h, pages[i], 1);
    }

    /* a) load P0: cold walk, 20. Fills s1 (bit 14 = 0), l1a (bit 12 = 0);
     * PML4E and PDPTE into pw1 (the only PWC for them), the PDE into pw1
     * (bit 22 = 0) */
    int a = h_at(h, 0, P0, ACC_R, U);
    EXPECT_CYC(h, a, 0, 20);
    EXPECT_OK(h, a, PA(1), MMU_PS_4K, MMU_SRC_WALK, 0);
    CHECK(h_tlb_entry(h, "s1", P0, MMU_PS_4K) != NULL);
    CHECK(h_tlb_entry(h, "s2", P0, MMU_PS_4K) == NULL);
    CHECK(h_tlb_entry(h, "l1a", P0, MMU_PS_4K) != NULL);
    CHECK(h_tlb_entry(h, "l1b", P0, MMU_PS_4K) == NULL);
    CHECK(h_pwc_entry(h, "pw1", P0, 0) != NULL && h_pwc_entry(h, "pw1", P0, 1) != NULL);
    CHECK(h_pwc_entry(h, "pw1", P0, 2) != NULL);
    CHECK(h_pwc_entry(h, "pw2", P0, 2) == NULL);
    /* b) load P1: misses; PDE-cache hit: rd PTE 104, rsp 108. Fills s1
     * (bit 14 = 0) and l1b (bit 12 = 1) */
    int b = h_at(h, 100, P1, ACC_R, U);
    EXPECT_CYC(h, b, 100, 108);
    EXPECT_OK(h, b, PA(2), MMU_PS_4K, MMU_SRC_WALK, 3);
    CHECK(h_tlb_entry(h, "l1b", P1, MMU_PS_4K) != NULL);
    CHECK(h_tlb_entry(h, "l1a", P1, MMU_PS_4K) == NULL);
    CHECK(h_tlb_entry(h, "s1", P1, MMU_PS_4K) != NULL);
    /* c) store P1: l1b serves stores and holds it: L1 hit, 201 */
    int c = h_at(h, 200, P1, ACC_W, U);
    EXPECT_CYC(h, c, 200, 201);
    EXPECT_OK(h, c, PA(2), MMU_PS_4K, MMU_SRC_L1, 0);
    /* d) store P0: l1b misses (P0 is in l1a, which serves no store); s1
     * hits at 302, rsp 303; the refill for a store goes to l1b (way 1) */
    int d = h_at(h, 300, P0, ACC_W, U);
    EXPECT_CYC(h, d, 300, 303);
    EXPECT_OK(h, d, PA(1), MMU_PS_4K, MMU_SRC_STLB, 0);
    CHECK(h_tlb_entry(h, "l1b", P0, MMU_PS_4K) != NULL);
    /* e) store P1: hit in l1b, touched: P1 most recent, P0 least */
    int e = h_at(h, 400, P1, ACC_W, U);
    EXPECT_CYC(h, e, 400, 401);
    /* f) load P0: l1a and l1b both hold it; l1a comes first and answers;
     * l1b is not touched (P0 stays its LRU way) */
    int f = h_at(h, 500, P0, ACC_R, U);
    EXPECT_CYC(h, f, 500, 501);
    EXPECT_OK(h, f, PA(1), MMU_PS_4K, MMU_SRC_L1, 0);
    /* g) store P2: misses; PDE-cache hit, rsp 608; its store fill into l1b
     * evicts the LRU way: P0 (had f touched l1b, it would be P1) */
    int g = h_at(h, 600, P2, ACC_W, U);
    EXPECT_CYC(h, g, 600, 608);
    EXPECT_OK(h, g, PA(3), MMU_PS_4K, MMU_SRC_WALK, 3);
    CHECK(h_tlb_entry(h, "l1b", P0, MMU_PS_4K) == NULL);
    CHECK(h_tlb_entry(h, "l1b", P1, MMU_PS_4K) != NULL);
    CHECK(h_tlb_entry(h, "l1b", P2, MMU_PS_4K) != NULL);
    /* h) store P1: still an L1 hit; i) store P0: l1b misses, s1 hits (803) */
    int hh = h_at(h, 700, P1, ACC_W, U);
    EXPECT_CYC(h, hh, 700, 701);
    EXPECT_OK(h, hh, PA(2), MMU_PS_4K, MMU_SRC_L1, 0);
    int i = h_at(h, 800, P0, ACC_W, U);
    EXPECT_CYC(h, i, 800, 803);
    EXPECT_OK(h, i, PA(1), MMU_PS_4K, MMU_SRC_STLB, 0);
    /* j) load Q (bit 14 = 1): misses; PDE-cache hit, rsp 908; its level-2
     * fill goes to s2, not s1; level 1: l1a (bit 12 = 0) */
    int j = h_at(h, 900, Q, ACC_R, U);
    EXPECT_CYC(h, j, 900, 908);
    CHECK(h_tlb_entry(h, "s2", Q, MMU_PS_4K) != NULL);
    CHECK(h_tlb_entry(h, "s1", Q, MMU_PS_4K) == NULL);
    CHECK(h_tlb_entry(h, "l1a", Q, MMU_PS_4K) != NULL);
    /* k) fetch Q: i4k, i2m miss; at level 2 s1 misses and s2 hits: 1003;
     * refilled into i4k (holds 4K) */
    int k = h_at(h, 1000, Q, ACC_X, U);
    EXPECT_CYC(h, k, 1000, 1003);
    EXPECT_OK(h, k, PA(4), MMU_PS_4K, MMU_SRC_STLB, 0);
    CHECK(h_tlb_entry(h, "i4k", Q, MMU_PS_4K) != NULL);

    /* counters, by hand from a..k */
    const sa_counts_t *ca = h_cnt(h, "l1a"), *cb = h_cnt(h, "l1b"), *s1 = h_cnt(h, "s1"), *s2 = h_cnt(h, "s2");
    CHECK_EQ(ca->lookups[ACC_R], 4); /* a, b, f, j */
    CHECK_EQ(ca->hits[ACC_R], 1);    /* f */
    CHECK_EQ(ca->lookups[ACC_W] + ca->lookups[ACC_X], 0);
    CHECK_EQ(ca->fills, 2); /* P0, Q */
    CHECK_EQ(cb->lookups[ACC_R], 4); /* a, b, f (counted, not probed), j */
    CHECK_EQ(cb->hits[ACC_R], 0);
    CHECK_EQ(cb->lookups[ACC_W], 6); /* c, d, e, g, h, i */
    CHECK_EQ(cb->hits[ACC_W], 3);    /* c, e, h */
    CHECK_EQ(cb->fills, 4);          /* P1 (b), P0 (d), P2 (g), P0 (i) */
    CHECK_EQ(cb->evictions, 2);      /* P0 by g; P2 by i (P1 touched by h) */
    CHECK_EQ(s1->lookups[ACC_R], 3); /* a, b, j */
    CHECK_EQ(s1->lookups[ACC_W], 3); /* d, g, i */
    CHECK_EQ(s1->lookups[ACC_X], 1); /* k */
    CHECK_EQ(s1->hits[ACC_W], 2);    /* d, i */
    CHECK_EQ(s1->fills, 3);          /* P0, P1, P2 */
    CHECK_EQ(s2->lookups[ACC_W], 3); /* d and i counted after s1's hit, g */
    CHECK_EQ(s2->hits[ACC_W], 0);
    CHECK_EQ(s2->hits[ACC_X], 1); /* k */
    CHECK_EQ(s2->fills, 1);       /* Q */
    CHECK_EQ(h_cnt(h, "pw1")->hits[ACC_R] + h_cnt(h, "pw1")->hits[ACC_W], 3); /* b, g, j */
    CHECK_EQ(h_cnt(h, "pw1")->fills, 3);                                       /* a: PML4E, PDPTE, PDE */
    CHECK_EQ(h_cnt(h, "pw2")->hits[ACC_R] + h_cnt(h, "pw2")->hits[ACC_W], 0);
    CHECK_EQ(h_cnt(h, "pw2")->lookups[ACC_R], 3); /* every walk looks up every PWC */

    /* l) load P3 (VA bit 22 = 1, same 1 GiB region): pw1 hits PML4E and
     * PDPTE: rd PDE 1104, PTE 1108, rsp 1112 (pwc 2). The walk read one
     * non-leaf entry, the PDE: into pw2 (bit 22 = 1) */
    int l = h_at(h, 1100, P3, ACC_R, U);
    EXPECT_CYC(h, l, 1100, 1112);
    EXPECT_OK(h, l, PA(5), MMU_PS_4K, MMU_SRC_WALK, 2);
    CHECK(h_pwc_entry(h, "pw2", P3, 2) != NULL);
    CHECK(h_pwc_entry(h, "pw1", P3, 2) == NULL);
    CHECK_EQ(h_cnt(h, "pw1")->fills, 3);
    /* m) load P4 (P3's 2 MiB): the deepest hit, pw2's PDE, gives the
     * table: rd PTE 1204, rsp 1208 (pwc 3); pw1 (PDPTE) and pw2 (PDE)
     * both hit */
    int m = h_at(h, 1200, P4, ACC_R, U);
    EXPECT_CYC(h, m, 1200, 1208);
    EXPECT_OK(h, m, PA(6), MMU_PS_4K, MMU_SRC_WALK, 3);
    CHECK_EQ(h_cnt(h, "pw2")->hits[ACC_R], 1);
    CHECK_EQ(h_cnt(h, "pw1")->hits[ACC_R], 4); /* b, j, l, m */

    /* A 1 GiB page fetched: at level 1 nothing holds 1G; of the splintering
     * fetch arrays i4k (largest size below 1G: 4K) and i2m (2M) only those
     * with the largest piece are candidates: i2m takes the 2 MiB piece.
     * Level 2 has s2 holding 1G: the whole page. */
    h_map(h, VG, PG, MMU_PS_1G, PT_W | PT_U | PT_A | PT_D);
    h_set_a(h, VG, 3);
    /* n) another 512 GiB region: cold, 12 */
    int n = h_at(h, 1300, VG + OFF1, ACC_X, U);
    EXPECT_CYC(h, n, 1300, 1312);
    EXPECT_OK(h, n, PG + OFF1, MMU_PS_1G, MMU_SRC_WALK, 0);
    EXPECT_ENTRY(h_tlb_entry(h, "i2m", VG + OFF1, MMU_PS_2M), MMU_PS_2M, MMU_PS_1G, PG + 0x12200000);
    CHECK(h_tlb_entry(h, "i4k", VG + OFF1, MMU_PS_4K) == NULL);
    EXPECT_ENTRY(h_tlb_entry(h, "s2", VG, MMU_PS_1G), MMU_PS_1G, MMU_PS_1G, PG);
    CHECK(h_tlb_entry(h, "s1", VG + OFF1, MMU_PS_2M) == NULL); /* s1 does not splinter */
    /* o) the next piece: i2m misses, s2 hits (1403); refilled as its piece */
    int o = h_at(h, 1400, VG + OFF1 + 0x200000, ACC_X, U);
    EXPECT_CYC(h, o, 1400, 1403);
    EXPECT_OK(h, o, PG + OFF1 + 0x200000, MMU_PS_1G, MMU_SRC_STLB, 0);
    EXPECT_ENTRY(h_tlb_entry(h, "i2m", VG + OFF1 + 0x200000, MMU_PS_2M), MMU_PS_2M, MMU_PS_1G, PG + 0x12400000);
    /* p, q) a load of the page: s2 hits (1503); no level-1 array for loads
     * holds 1G or splinters: no refill, the next load hits s2 again */
    int p = h_at(h, 1500, VG + 0x1000, ACC_R, U);
    EXPECT_CYC(h, p, 1500, 1503);
    EXPECT_OK(h, p, PG + 0x1000, MMU_PS_1G, MMU_SRC_STLB, 0);
    int q = h_at(h, 1600, VG + 0x1000, ACC_R, U);
    EXPECT_CYC(h, q, 1600, 1603);
    EXPECT_OK(h, q, PG + 0x1000, MMU_PS_1G, MMU_SRC_STLB, 0);
    h_free(h);
}

/* ---------------------------------------------------------------- 16 */
static void test_org_serves(void)
{
    /* tiny, a 2 MiB page: loads fill dtlbbig (load-only), stores sdtlb
     * (store-only); at level 2 stlb (4K, 2M) serves all three kinds */
    mmu_config_t cfg;
    tiny_cfg(&cfg);
    h_t *h = h_new_cfg(&cfg, MODE);
    const uint64_t Y = VA0, W = VA0 + 0x200000;
    const uint64_t FY = 0x0000000123400000ull, FW = 0x0000000123600000ull;
    h_map(h, Y, FY, MMU_PS_2M, PT_W | PT_U | PT_A | PT_D);
    h_map(h, W, FW, MMU_PS_2M, PT_W | PT_U | PT_A | PT_D);
    h_set_a(h, Y, 2);
    h_set_a(h, W, 2);
    /* a) store Y: cold 2 MiB walk, 16 (6.4): stlb (level 2), sdtlb (level 1) */
    int a = h_at(h, 0, Y + 0x10, ACC_W, U);
    EXPECT_CYC(h, a, 0, 16);
    EXPECT_OK(h, a, FY + 0x10, MMU_PS_2M, MMU_SRC_WALK, 0);
    EXPECT_ENTRY(h_tlb_entry(h, "sdtlb", Y, MMU_PS_2M), MMU_PS_2M, MMU_PS_2M, FY);
    EXPECT_ENTRY(h_tlb_entry(h, "stlb", Y, MMU_PS_2M), MMU_PS_2M, MMU_PS_2M, FY);
    CHECK(h_tlb_entry(h, "dtlbbig", Y, MMU_PS_2M) == NULL);
    CHECK(h_tlb_entry(h, "itlb2m", Y, MMU_PS_2M) == NULL);
    /* b) load Y: sdtlb is not looked up by loads: L1 miss, stlb hit 103;
     * refilled into dtlbbig. c) then an L1 hit */
    int b = h_at(h, 100, Y + 0x20, ACC_R, U);
    EXPECT_CYC(h, b, 100, 103);
    EXPECT_OK(h, b, FY + 0x20, MMU_PS_2M, MMU_SRC_STLB, 0);
    EXPECT_ENTRY(h_tlb_entry(h, "dtlbbig", Y, MMU_PS_2M), MMU_PS_2M, MMU_PS_2M, FY);
    int c = h_at(h, 200, Y + 0x30, ACC_R, U);
    EXPECT_CYC(h, c, 200, 201);
    /* d) fetch Y: itlb2m misses, stlb hits 303, refilled into itlb2m */
    int d = h_at(h, 300, Y + 0x40, ACC_X, U);
    EXPECT_CYC(h, d, 300, 303);
    EXPECT_OK(h, d, FY + 0x40, MMU_PS_2M, MMU_SRC_STLB, 0);
    EXPECT_ENTRY(h_tlb_entry(h, "itlb2m", Y, MMU_PS_2M), MMU_PS_2M, MMU_PS_2M, FY);
    /* e) load W: cold except the PDPTE cache (same 1 GiB): rd PDE 404, rsp
     * 408 (pwc 2); fills dtlbbig, not sdtlb; f) store W: sdtlb misses, stlb
     * hits (503), refilled into sdtlb; g) store W again: L1 hit */
    int e = h_at(h, 400, W, ACC_R, U);
    EXPECT_CYC(h, e, 400, 408);
    EXPECT_OK(h, e, FW, MMU_PS_2M, MMU_SRC_WALK, 2);
    CHECK(h_tlb_entry(h, "sdtlb", W, MMU_PS_2M) == NULL);
    int f = h_at(h, 500, W + 8, ACC_W, U);
    EXPECT_CYC(h, f, 500, 503);
    EXPECT_OK(h, f, FW + 8, MMU_PS_2M, MMU_SRC_STLB, 0);
    int g = h_at(h, 600, W + 16, ACC_W, U);
    EXPECT_CYC(h, g, 600, 601);
    EXPECT_OK(h, g, FW + 16, MMU_PS_2M, MMU_SRC_L1, 0);
    CHECK_EQ(h_cnt(h, "sdtlb")->lookups[ACC_R] + h_cnt(h, "sdtlb")->lookups[ACC_X], 0);
    CHECK_EQ(h_cnt(h, "sdtlb")->lookups[ACC_W], 3);
    CHECK_EQ(h_cnt(h, "dtlbbig")->lookups[ACC_W] + h_cnt(h, "dtlbbig")->lookups[ACC_X], 0);
    CHECK_EQ(h_cnt(h, "dtlbbig")->lookups[ACC_R], 3);
    /* the 4K arrays look up every size they hold: dtlb (4K) by loads and
     * stores, itlb (4K) by the fetch */
    CHECK_EQ(h_cnt(h, "dtlb")->lookups[ACC_R] + h_cnt(h, "dtlb")->lookups[ACC_W], 6);
    CHECK_EQ(h_cnt(h, "itlb")->lookups[ACC_X], 1);
    h_free(h);
}

int main(void)
{
    test_l1_hit();
    test_stlb_hit();
    test_pwc_levels_4k();
    test_pwc_levels_2m_1g();
    test_ad_updates();
    test_page_faults();
    test_two_walks_and_join();
    test_locked_update_race();
    test_locked_update_restart();
    test_memory_port_conflict();
    test_response_order();
    test_flush_during_walk();
    test_req_ready();
    test_protocol_violations();
    test_next_event();
    test_latency_parameters();
    test_org_tiny_splinter();
    test_org_choice();
    test_org_serves();
    CHECK_DONE();
}
