/* test_paging.c - architectural behaviour of the whole MMU (model/mmu.c):
 * translation of every page size, every page-fault kind with its error
 * code, rights combination, A/D updates, every flush kind, PCID isolation,
 * invalidation by a page fault, and determinism.
 *
 * The MMU is driven cycle by cycle by a small harness of this file: one
 * request at a time (translate()), control operations offered until
 * ctl_ready (ctl()), and a memory side that answers a read seen on the
 * memory port in cycle t with the memory contents of cycle t in cycle t+2
 * (one response per cycle) and applies writes at once.
 *
 * Every expected value is derived by hand from Intel SDM Vol. 3A ch. 4
 * (4-level paging) and docs/timing.md ("the contract"); the reasoning is in
 * the comment next to it. Timing expectations use the contract's formula
 * (section 6) with L1_LAT = 1, L2_LAT = 2 (the level-2 array "stlb"),
 * PWC_LAT = 1 and memory latency M = 2: a walk that reads n entries and makes w locked A/D updates takes
 * 1 + 2 + 1 + (n + w)*(M+1) = 4 + 3(n + w), L1 hit 1, STLB hit 3, #GP 1.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mmu.h"
#include "pmem.h"
#include "pt.h"

/* Entry bits, written out from SDM Tables 4-14..4-19 (not from paging.h). */
#define E_P 0x1ull
#define E_RW 0x2ull
#define E_US 0x4ull
#define E_A 0x20ull
#define E_D 0x40ull
#define E_PS 0x80ull
#define E_G 0x100ull
#define E_XD (1ull << 63)
#define BIT(n) (1ull << (n))

/* modes */
#define WP MMU_MODE_WP
#define PCIDE MMU_MODE_PCIDE
#define SMEP MMU_MODE_SMEP
#define SMAP MMU_MODE_SMAP
#define PGE MMU_MODE_PGE
#define NXE MMU_MODE_NXE
#define AC MMU_MODE_AC

/* accesses */
#define RD MMU_ACC_READ
#define WR MMU_ACC_WRITE
#define EX MMU_ACC_EXEC
#define SUP false
#define USR true

/* error-code bits (SDM 4.7, Figure 4-12) */
#define PF_P 0x1u
#define PF_W 0x2u
#define PF_U 0x4u
#define PF_R 0x8u
#define PF_I 0x10u

/* ------------------------------------------------------------- harness */

typedef struct {
    uint64_t cycle;
    uint8_t we, id;
    uint64_t addr, wdata;
} memop_t;

typedef struct {
    uint64_t ready;
    uint8_t id;
    uint64_t data;
} pend_t;

#define LOGCAP 256

typedef struct {
    mmu_t *m;
    pmem_t *mem;
    pt_t *pt;
    uint64_t root, root2;
    pend_t pend[64];
    int npend;
    memop_t log[LOGCAP]; /* memory requests since the last translate() */
    int nlog;
    memop_t *rec; /* optional: every memory request of the run */
    int nrec, reccap;
    uint32_t next_id;
} H;

typedef struct {
    mmu_out_t o;
    uint64_t lat; /* response cycle - acceptance cycle */
    int nrd, nwr;
} res_t;

static void add_tlb(mmu_config_t *c, const char *name, uint32_t level, uint32_t serves, uint32_t sizes,
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
}

static void add_pwc(mmu_config_t *c, const char *name, uint32_t levels, mmu_array_cfg_t a)
{
    mmu_pwc_cfg_t *p = &c->pwc[c->npwc++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->levels = levels;
    p->a = a;
    p->lat = 1;
}

/* One L1 array per access side and page size, one level-2 array for every
 * kind and size, one PWC per level ([T:organisation]): each translation
 * has exactly one array to go to at each level ([T:fill]). */
static void mkcfg(mmu_config_t *c)
{
    memset(c, 0, sizeof *c);
    const mmu_array_cfg_t a4k = {8, 2, MMU_REPL_LRU, 0}; /* 4 sets: page number & 3 */
    const mmu_array_cfg_t a2m = {4, 2, MMU_REPL_LRU, 0};
    const mmu_array_cfg_t a1g = {2, 2, MMU_REPL_LRU, 0};
    const uint32_t F = MMU_SERVE_FETCH, LS = MMU_SERVE_LOAD | MMU_SERVE_STORE;
    add_tlb(c, "itlb4k", 1, F, 1u << MMU_PS_4K, a4k, 1);
    add_tlb(c, "itlb2m", 1, F, 1u << MMU_PS_2M, a2m, 1);
    add_tlb(c, "itlb1g", 1, F, 1u << MMU_PS_1G, a1g, 1);
    add_tlb(c, "dtlb4k", 1, LS, 1u << MMU_PS_4K, a4k, 1);
    add_tlb(c, "dtlb2m", 1, LS, 1u << MMU_PS_2M, a2m, 1);
    add_tlb(c, "dtlb1g", 1, LS, 1u << MMU_PS_1G, a1g, 1);
    add_tlb(c, "stlb", 2, MMU_SERVE_ALL, 7, (mmu_array_cfg_t){16, 4, MMU_REPL_LRU, 0}, 2);
    add_pwc(c, "pml4e", 1u << MMU_PWC_PML4E, (mmu_array_cfg_t){2, 2, MMU_REPL_LRU, 0});
    add_pwc(c, "pdpte", 1u << MMU_PWC_PDPTE, (mmu_array_cfg_t){4, 4, MMU_REPL_LRU, 0});
    add_pwc(c, "pde", 1u << MMU_PWC_PDE, (mmu_array_cfg_t){8, 4, MMU_REPL_LRU, 0});
    c->walkers = 2;
    c->outstanding = 8;
    c->maxphyaddr = 46;
}

static void h_init(H *h, uint32_t mode)
{
    memset(h, 0, sizeof *h);
    mmu_config_t c;
    mkcfg(&c);
    char err[200] = "";
    int rc = mmu_create(&c, &h->m, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "mmu_create: %s\n", err);
        CHECK_EQ(rc, 0);
        exit(1);
    }
    h->mem = pmem_create();
    h->pt = pt_create(h->mem, 46, 1);
    h->root = pt_new_root(h->pt);
    h->root2 = pt_new_root(h->pt);
    mmu_set_state(h->m, h->root, mode);
}

static void h_free(H *h)
{
    mmu_destroy(h->m);
    pt_destroy(h->pt);
    pmem_destroy(h->mem);
    free(h->rec);
}

/* One cycle: outputs, then inputs (cpu side from *cpu, memory side from the
 * responder), then the edge. */
static void h_cycle(H *h, const mmu_in_t *cpu, mmu_out_t *o)
{
    mmu_eval(h->m, o);
    mmu_in_t in;
    if (cpu)
        in = *cpu;
    else
        memset(&in, 0, sizeof in);
    in.mem_rsp_valid = false;
    in.mem_rsp_id = 0;
    in.mem_rsp_data = 0;
    uint64_t t = mmu_cycle(h->m);
    if (h->npend && h->pend[0].ready <= t) {
        in.mem_rsp_valid = true;
        in.mem_rsp_id = h->pend[0].id;
        in.mem_rsp_data = h->pend[0].data;
        memmove(&h->pend[0], &h->pend[1], (size_t)(h->npend - 1) * sizeof h->pend[0]);
        h->npend--;
    }
    if (o->mem_req_valid) {
        memop_t op;
        memset(&op, 0, sizeof op);
        op.cycle = t;
        op.we = o->mem_req_we;
        op.id = o->mem_req_id;
        op.addr = o->mem_req_addr;
        op.wdata = o->mem_req_we ? o->mem_req_wdata : 0;
        if (h->nlog < LOGCAP)
            h->log[h->nlog++] = op;
        if (h->rec && h->nrec < h->reccap)
            h->rec[h->nrec++] = op;
        /* a read, or a locked A/D update (contract [T:locked-update]): the
         * entry gets wdata's A (bit 5) and D (bit 6) only if it still equals
         * wdata in every other bit; both answer with the value before */
        uint64_t old = pmem_read64(h->mem, o->mem_req_addr);
        if (o->mem_req_we && ((old ^ o->mem_req_wdata) & ~(E_A | E_D)) == 0)
            pmem_write64(h->mem, o->mem_req_addr, old | (o->mem_req_wdata & (E_A | E_D)));
        h->pend[h->npend].ready = t + 2;
        h->pend[h->npend].id = o->mem_req_id;
        h->pend[h->npend].data = old;
        h->npend++;
    }
    int rc = mmu_step(h->m, &in);
    if (rc != 0) {
        fprintf(stderr, "cycle %llu: mmu_step: %s\n", (unsigned long long)t, mmu_error(h->m));
        CHECK_EQ(rc, 0);
    }
}

/* One request, run until its response; implicit: an implicit
 * supervisor-mode access (contract [T:implicit]). */
static res_t translate_i(H *h, uint64_t va, unsigned acc, bool user, bool implicit)
{
    res_t r;
    memset(&r, 0, sizeof r);
    h->nlog = 0;
    mmu_in_t in;
    memset(&in, 0, sizeof in);
    in.req_valid = true;
    in.req_id = h->next_id++ & 0xFFFF;
    in.req_vaddr = va;
    in.req_acc = (uint8_t)acc;
    in.req_user = user;
    in.req_implicit = implicit;
    bool taken = false;
    uint64_t t0 = 0;
    for (int g = 0; g < 1000; g++) {
        uint64_t t = mmu_cycle(h->m);
        mmu_out_t o;
        h_cycle(h, taken ? NULL : &in, &o);
        if (!taken) {
            if (o.req_ready) {
                taken = true;
                t0 = t;
            }
        } else if (o.rsp_valid && o.rsp_id == in.req_id) {
            r.o = o;
            r.lat = t - t0;
            for (int i = 0; i < h->nlog; i++) {
                if (h->log[i].we)
                    r.nwr++;
                else
                    r.nrd++;
            }
            return r;
        }
    }
    fprintf(stderr, "translate(0x%llx): no response\n", (unsigned long long)va);
    CHECK(!"translate timed out");
    return r;
}

static res_t translate(H *h, uint64_t va, unsigned acc, bool user) { return translate_i(h, va, acc, user, false); }

static void ctl(H *h, uint8_t op, uint8_t type, uint16_t pcid, uint64_t data, uint64_t addr)
{
    mmu_in_t in;
    memset(&in, 0, sizeof in);
    in.ctl_valid = true;
    in.ctl_op = op;
    in.ctl_type = type;
    in.ctl_pcid = pcid;
    in.ctl_data = data;
    in.ctl_addr = addr;
    for (int g = 0; g < 1000; g++) {
        mmu_out_t o;
        h_cycle(h, &in, &o);
        if (o.ctl_ready)
            return;
    }
    CHECK(!"ctl timed out");
}

static void cr3(H *h, uint64_t v) { ctl(h, MMU_CTL_CR3, 0, 0, v, 0); }
static void invlpg(H *h, uint64_t a) { ctl(h, MMU_CTL_INVLPG, 0, 0, 0, a); }
static void invpcid(H *h, uint8_t type, uint16_t pcid, uint64_t a) { ctl(h, MMU_CTL_INVPCID, type, pcid, 0, a); }
static void mode(H *h, uint32_t m) { ctl(h, MMU_CTL_MODE, 0, 0, m, 0); }

static void map(H *h, uint64_t root, uint64_t va, uint64_t pa, unsigned ps, uint64_t fl)
{
    char err[200] = "";
    int rc = pt_map(h->pt, root, va, pa, ps, fl, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "pt_map(0x%llx): %s\n", (unsigned long long)va, err);
        CHECK_EQ(rc, 0);
    }
}

/* Address of the level-`lvl` entry (4 PML4E .. 1 PTE) for va. */
static uint64_t ea(H *h, uint64_t root, uint64_t va, unsigned lvl)
{
    uint64_t a = pt_entry_addr(h->pt, root, va, lvl);
    if (a == 0) {
        fprintf(stderr, "no level-%u entry for 0x%llx\n", lvl, (unsigned long long)va);
        CHECK(a != 0);
    }
    return a;
}
static uint64_t rd64(H *h, uint64_t a) { return pmem_read64(h->mem, a); }
static void wr64(H *h, uint64_t a, uint64_t v) { pmem_write64(h->mem, a, v); }
/* Set and clear bits in the level-lvl entry for va. */
static void edit(H *h, uint64_t root, uint64_t va, unsigned lvl, uint64_t set, uint64_t clr)
{
    uint64_t a = ea(h, root, va, lvl);
    wr64(h, a, (rd64(h, a) | set) & ~clr);
}
/* Set A in every entry on the path from the PML4E down to level `leaf`. */
static void set_a(H *h, uint64_t root, uint64_t va, unsigned leaf)
{
    for (unsigned l = 4; l >= leaf; l--)
        edit(h, root, va, l, E_A, 0);
}

/* Successful translation. */
#define CHECK_OK(r, pa, ps, src)                     \
    do {                                             \
        const res_t *r_ = &(r);                      \
        CHECK_EQ(r_->o.rsp_fault, MMU_FAULT_NONE);   \
        CHECK_EQ(r_->o.rsp_cause, MMU_CAUSE_NONE);   \
        CHECK_EQ(r_->o.rsp_err, 0);                  \
        CHECK_EQ(r_->o.rsp_paddr, (pa));             \
        CHECK_EQ(r_->o.rsp_size, (ps));              \
        CHECK_EQ(r_->o.rsp_fault_addr, 0);           \
        CHECK_EQ(r_->o.rsp_src, (src));              \
    } while (0)

/* Page fault: found by a walk (a TLB hit that would fault is a soft miss,
 * contract 5.4), paddr 0, fault_addr = va. */
#define CHECK_PF(r, va, cause, err, ps)              \
    do {                                             \
        const res_t *r_ = &(r);                      \
        CHECK_EQ(r_->o.rsp_fault, MMU_FAULT_PF);     \
        CHECK_EQ(r_->o.rsp_cause, (cause));          \
        CHECK_EQ(r_->o.rsp_err, (err));              \
        CHECK_EQ(r_->o.rsp_paddr, 0);                \
        CHECK_EQ(r_->o.rsp_size, (ps));              \
        CHECK_EQ(r_->o.rsp_fault_addr, (va));        \
        CHECK_EQ(r_->o.rsp_src, MMU_SRC_WALK);       \
    } while (0)

#define CHECK_HIT(r, pa)                             \
    do {                                             \
        CHECK_EQ((r).o.rsp_fault, MMU_FAULT_NONE);   \
        CHECK_EQ((r).o.rsp_paddr, (pa));             \
        CHECK_EQ((r).o.rsp_src, MMU_SRC_L1);         \
        CHECK_EQ((r).nrd + (r).nwr, 0);              \
        CHECK_EQ((r).lat, 1);                        \
    } while (0)

#define CHECK_WALK(r, pa, pwc)                       \
    do {                                             \
        CHECK_EQ((r).o.rsp_fault, MMU_FAULT_NONE);   \
        CHECK_EQ((r).o.rsp_paddr, (pa));             \
        CHECK_EQ((r).o.rsp_src, MMU_SRC_WALK);       \
        CHECK_EQ((r).o.rsp_pwc, (pwc));              \
    } while (0)

/* ------------------------------------------------ 1. translation per size */

static void test_sizes(void)
{
    printf("test_sizes\n");
    H h;
    h_init(&h, WP);
    res_t r;

    /* 4 KiB, low half. paddr = frame | va[11:0] (SDM 4.5, Figure 4-8). */
    const uint64_t va4 = 0x00007F1234567000ull, pa4 = 0x0000123456789000ull;
    map(&h, h.root, va4, pa4, MMU_PS_4K, PT_W | PT_U);
    r = translate(&h, va4 + 0xFF8, RD, SUP);
    CHECK_OK(r, 0x123456789FF8ull, MMU_PS_4K, MMU_SRC_WALK);
    CHECK_EQ(r.o.rsp_pwc, 0); /* first walk: PWC empty */
    r = translate(&h, va4 + 0xFFF, RD, USR); /* last byte of the page; L1 hit */
    CHECK_OK(r, 0x123456789FFFull, MMU_PS_4K, MMU_SRC_L1);
    r = translate(&h, va4, WR, SUP); /* D was 0 in the TLB entry: walks (5.4) */
    CHECK_OK(r, 0x123456789000ull, MMU_PS_4K, MMU_SRC_WALK);
    r = translate(&h, va4 + 1, WR, USR); /* now D = 1: L1 hit */
    CHECK_OK(r, 0x123456789001ull, MMU_PS_4K, MMU_SRC_L1);

    /* 4 KiB, high canonical half */
    const uint64_t vh4 = 0xFFFF812345678000ull, ph4 = 0x00000ABCDEF01000ull;
    map(&h, h.root, vh4, ph4, MMU_PS_4K, PT_W);
    r = translate(&h, vh4 + 0xABC, RD, SUP);
    CHECK_OK(r, 0xABCDEF01ABCull, MMU_PS_4K, MMU_SRC_WALK);

    /* 2 MiB (PDE.PS = 1): paddr = PDE[45:21] | va[20:0] (Figure 4-9) */
    const uint64_t vh2 = 0xFFFFFFFF80200000ull, ph2 = 0x0000234567800000ull;
    map(&h, h.root, vh2, ph2, MMU_PS_2M, PT_W);
    r = translate(&h, vh2 + 0x1FFFF8, RD, SUP); /* 0x234567800000 + 0x1FFFF8 */
    CHECK_OK(r, 0x2345679FFFF8ull, MMU_PS_2M, MMU_SRC_WALK);
    r = translate(&h, vh2 + 0x1FFFFF, RD, SUP);
    CHECK_OK(r, 0x2345679FFFFFull, MMU_PS_2M, MMU_SRC_L1);
    const uint64_t vl2 = 0x0000555555600000ull, pl2 = 0x0000100000200000ull;
    map(&h, h.root, vl2, pl2, MMU_PS_2M, PT_W | PT_U);
    r = translate(&h, vl2 + 0x12345, RD, USR);
    CHECK_OK(r, 0x100000212345ull, MMU_PS_2M, MMU_SRC_WALK);

    /* 1 GiB (PDPTE.PS = 1): paddr = PDPTE[45:30] | va[29:0] (Figure 4-10) */
    const uint64_t vh1 = 0xFFFFC00040000000ull, ph1 = 0x0000001FC0000000ull;
    map(&h, h.root, vh1, ph1, MMU_PS_1G, PT_W);
    r = translate(&h, vh1 + 0x3FFFFFFF, RD, SUP); /* 0x1FC0000000 + 0x3FFFFFFF */
    CHECK_OK(r, 0x1FFFFFFFFFull, MMU_PS_1G, MMU_SRC_WALK);
    r = translate(&h, vh1, WR, SUP); /* D = 0 -> walk, sets D */
    CHECK_OK(r, 0x1FC0000000ull, MMU_PS_1G, MMU_SRC_WALK);
    r = translate(&h, vh1 + 0x3FFFFFF8, WR, SUP);
    CHECK_OK(r, 0x1FFFFFFFF8ull, MMU_PS_1G, MMU_SRC_L1);
    const uint64_t vl1 = 0x0000001240000000ull, pl1 = 0x0000002F40000000ull;
    map(&h, h.root, vl1, pl1, MMU_PS_1G, PT_W | PT_U);
    r = translate(&h, vl1 + 0x12345678, EX, USR);
    CHECK_OK(r, 0x2F52345678ull, MMU_PS_1G, MMU_SRC_WALK);
    r = translate(&h, vl1 + 0x12345678, EX, USR); /* ITLB 1G hit */
    CHECK_OK(r, 0x2F52345678ull, MMU_PS_1G, MMU_SRC_L1);

    /* top of the address space: 0xFFFFFFFFFFFFF000 (PML4/PDPT/PD/PT index 511) */
    const uint64_t vtop = 0xFFFFFFFFFFFFF000ull, ptop = 0x00003FFFFFFFF000ull;
    map(&h, h.root, vtop, ptop, MMU_PS_4K, 0);
    r = translate(&h, 0xFFFFFFFFFFFFFFFFull, RD, SUP);
    CHECK_OK(r, 0x3FFFFFFFFFFFull, MMU_PS_4K, MMU_SRC_WALK);
    h_free(&h);
}

/* STLB hits, ITLB/DTLB separation, PWC hit levels and latencies. */
static void test_stlb_pwc_latency(void)
{
    printf("test_stlb_pwc_latency\n");
    H h;
    h_init(&h, WP);
    res_t r;
    /* three pages whose page numbers are 0 mod 4: the same dtlb4k set
     * (2 ways) and the same STLB set (4 ways). A set on every entry so that
     * no A/D write is needed (w = 0). */
    const uint64_t p0 = 0x0000000010000000ull, p1 = p0 + 0x4000, p2 = p0 + 0x8000;
    const uint64_t f0 = 0x0000000AAAA00000ull, f1 = 0x0000000BBBB01000ull, f2 = 0x0000000CCCC02000ull;
    map(&h, h.root, p0, f0, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(&h, h.root, p1, f1, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(&h, h.root, p2, f2, MMU_PS_4K, PT_W | PT_A | PT_D);
    set_a(&h, h.root, p0, 1);

    r = translate(&h, p0 + 0x10, RD, SUP); /* 4 reads: 4 + 3*4 = 16 */
    CHECK_WALK(r, f0 + 0x10, 0);
    CHECK_EQ(r.lat, 16);
    CHECK_EQ(r.nrd, 4);
    CHECK_EQ(r.nwr, 0);
    r = translate(&h, p1, RD, SUP); /* same page table: PDE-cache hit, 1 read: 4 + 3 = 7 */
    CHECK_WALK(r, f1, 3);
    CHECK_EQ(r.lat, 7);
    CHECK_EQ(r.nrd, 1);
    r = translate(&h, p2, RD, SUP); /* DTLB set 0 now {p1, p2}: p0 (LRU) evicted */
    CHECK_WALK(r, f2, 3);
    CHECK_EQ(r.lat, 7);
    r = translate(&h, p0 + 0x20, RD, SUP); /* L1 miss, STLB hit: latency 1 + 2 = 3 */
    CHECK_OK(r, f0 + 0x20, MMU_PS_4K, MMU_SRC_STLB);
    CHECK_EQ(r.lat, 3);
    CHECK_EQ(r.nrd + r.nwr, 0);
    r = translate(&h, p0 + 0x28, RD, SUP); /* refilled into the DTLB */
    CHECK_OK(r, f0 + 0x28, MMU_PS_4K, MMU_SRC_L1);
    CHECK_EQ(r.lat, 1);
    /* a fetch probes the ITLB, which never held p0: STLB hit */
    r = translate(&h, p0 + 0x30, EX, SUP);
    CHECK_OK(r, f0 + 0x30, MMU_PS_4K, MMU_SRC_STLB);
    CHECK_EQ(r.lat, 3);
    r = translate(&h, p0 + 0x34, EX, SUP);
    CHECK_OK(r, f0 + 0x34, MMU_PS_4K, MMU_SRC_L1);

    /* another 2 MiB region of the same 1 GiB: PDPTE-cache hit, reads PDE and
     * PTE: 4 + 3*2 = 10 */
    const uint64_t q = p0 + 0x200000, fq = 0x0000000DDDD03000ull;
    map(&h, h.root, q, fq, MMU_PS_4K, PT_A);
    set_a(&h, h.root, q, 1);
    r = translate(&h, q, RD, SUP);
    CHECK_WALK(r, fq, 2);
    CHECK_EQ(r.lat, 10);
    CHECK_EQ(r.nrd, 2);
    /* another 1 GiB region of the same 512 GiB: PML4E-cache hit, 3 reads: 13 */
    const uint64_t s = 0x0000000080000000ull, fs = 0x0000000EEEE04000ull;
    map(&h, h.root, s, fs, MMU_PS_4K, PT_A);
    set_a(&h, h.root, s, 1);
    r = translate(&h, s, RD, SUP);
    CHECK_WALK(r, fs, 1);
    CHECK_EQ(r.lat, 13);
    CHECK_EQ(r.nrd, 3);
    /* a 2 MiB page below the cached PML4E and PDPTE of s: PDPTE-cache hit,
     * 1 read (the leaf PDE): 4 + 3 = 7 */
    const uint64_t b2 = 0x0000000080200000ull, fb2 = 0x0000001234400000ull;
    map(&h, h.root, b2, fb2, MMU_PS_2M, PT_A);
    set_a(&h, h.root, b2, 2);
    r = translate(&h, b2 + 0x1234, RD, SUP);
    CHECK_WALK(r, fb2 + 0x1234, 2);
    CHECK_EQ(r.o.rsp_size, MMU_PS_2M);
    CHECK_EQ(r.lat, 7);
    h_free(&h);
}

/* ------------------------------------------------------------ 2. faults */

/* PML4 slot k: va = k << 39 */
#define SLOT(k) ((uint64_t)(k) << 39)

static void test_not_present(void)
{
    printf("test_not_present\n");
    H h;
    h_init(&h, WP | NXE);
    res_t r;
    const uint64_t off = 0x5123;
    for (unsigned k = 1; k <= 6; k++)
        map(&h, h.root, SLOT(k) + 0x5000, 0x0000000100000000ull + k * 0x1000, MMU_PS_4K, PT_W | PT_U | PT_A | PT_D);
    for (unsigned k = 1; k <= 6; k++)
        set_a(&h, h.root, SLOT(k) + 0x5000, 1);

    /* P = 0 in the PML4E; user write. err: P=0, W/R=1, U/S=1 -> 0x6.
     * 1 read, no write; latency 4 + 3 = 7. Size: no leaf found -> 3. */
    edit(&h, h.root, SLOT(1), 4, 0, E_P);
    r = translate(&h, SLOT(1) + 0x5000 + off, WR, USR);
    CHECK_PF(r, SLOT(1) + 0x5000 + off, MMU_CAUSE_NOT_PRESENT, PF_W | PF_U, MMU_PS_NONE);
    CHECK_EQ(r.nrd, 1);
    CHECK_EQ(r.nwr, 0);
    CHECK_EQ(r.lat, 7);
    CHECK_EQ(r.o.rsp_pwc, 0);

    /* P = 0 in the PDPTE; supervisor read: err 0. 2 reads: 4 + 6 = 10 */
    edit(&h, h.root, SLOT(2) + 0x5000, 3, 0, E_P);
    r = translate(&h, SLOT(2) + 0x5000 + off, RD, SUP);
    CHECK_PF(r, SLOT(2) + 0x5000 + off, MMU_CAUSE_NOT_PRESENT, 0, MMU_PS_NONE);
    CHECK_EQ(r.nrd, 2);
    CHECK_EQ(r.nwr, 0);
    CHECK_EQ(r.lat, 10);

    /* P = 0 in the PDE; user read: err U/S = 0x4. 3 reads: 13 */
    edit(&h, h.root, SLOT(3) + 0x5000, 2, 0, E_P);
    r = translate(&h, SLOT(3) + 0x5000 + off, RD, USR);
    CHECK_PF(r, SLOT(3) + 0x5000 + off, MMU_CAUSE_NOT_PRESENT, PF_U, MMU_PS_NONE);
    CHECK_EQ(r.nrd, 3);
    CHECK_EQ(r.lat, 13);

    /* P = 0 in the PTE; supervisor fetch with NXE = 1: err I/D = 0x10.
     * 4 reads: 16 */
    edit(&h, h.root, SLOT(4) + 0x5000, 1, 0, E_P);
    r = translate(&h, SLOT(4) + 0x5000 + off, EX, SUP);
    CHECK_PF(r, SLOT(4) + 0x5000 + off, MMU_CAUSE_NOT_PRESENT, PF_I, MMU_PS_NONE);
    CHECK_EQ(r.nrd, 4);
    CHECK_EQ(r.nwr, 0);
    CHECK_EQ(r.lat, 16);
    /* user fetch: U/S | I/D = 0x14 */
    r = translate(&h, SLOT(4) + 0x5000, EX, USR);
    CHECK_PF(r, SLOT(4) + 0x5000, MMU_CAUSE_NOT_PRESENT, PF_U | PF_I, MMU_PS_NONE);
    /* NXE = 0, SMEP = 0: I/D is not reported (SDM 4.7) -> 0x4 */
    mode(&h, WP);
    r = translate(&h, SLOT(4) + 0x5000, EX, USR);
    CHECK_PF(r, SLOT(4) + 0x5000, MMU_CAUSE_NOT_PRESENT, PF_U, MMU_PS_NONE);
    /* NXE = 0, SMEP = 1: I/D reported again -> 0x14 */
    mode(&h, WP | SMEP);
    r = translate(&h, SLOT(4) + 0x5000, EX, USR);
    CHECK_PF(r, SLOT(4) + 0x5000, MMU_CAUSE_NOT_PRESENT, PF_U | PF_I, MMU_PS_NONE);
    /* a data access never has I/D */
    r = translate(&h, SLOT(4) + 0x5000, RD, SUP);
    CHECK_PF(r, SLOT(4) + 0x5000, MMU_CAUSE_NOT_PRESENT, 0, MMU_PS_NONE);
    mode(&h, WP | NXE);

    /* reserved bits are only checked in present entries (SDM 4.5.4: "if
     * the P flag is 0 ... the other bits are ignored"): a not-present PTE
     * with bits 51:46 and PS set is a not-present fault, not RSVD */
    edit(&h, h.root, SLOT(5) + 0x5000, 1, BIT(51) | BIT(46), E_P);
    r = translate(&h, SLOT(5) + 0x5000, WR, SUP);
    CHECK_PF(r, SLOT(5) + 0x5000, MMU_CAUSE_NOT_PRESENT, PF_W, MMU_PS_NONE);
    /* an entry of all zeros (never mapped): PML4 slot 7 */
    r = translate(&h, SLOT(7) + 0x123, RD, USR);
    CHECK_PF(r, SLOT(7) + 0x123, MMU_CAUSE_NOT_PRESENT, PF_U, MMU_PS_NONE);
    CHECK_EQ(r.nrd, 1);
    /* the present page of slot 6 still works */
    r = translate(&h, SLOT(6) + 0x5008, WR, USR);
    CHECK_OK(r, 0x0000000100006008ull, MMU_PS_4K, MMU_SRC_WALK);
    h_free(&h);
}

static void test_write_protect(void)
{
    printf("test_write_protect\n");
    H h;
    h_init(&h, WP);
    res_t r;
    const uint64_t vs = 0x0000000000402000ull, fs = 0x0000000111111000ull; /* supervisor, read-only */
    const uint64_t vu = 0x0000000000405000ull, fu = 0x0000000222222000ull; /* user, read-only */
    const uint64_t vw = 0x0000000000407000ull, fw = 0x0000000333333000ull; /* user, writable */
    map(&h, h.root, vs, fs, MMU_PS_4K, 0);
    map(&h, h.root, vu, fu, MMU_PS_4K, PT_U);
    map(&h, h.root, vw, fw, MMU_PS_4K, PT_U | PT_W);

    /* CR0.WP = 1: supervisor write to a read-only page faults (SDM 4.6.1):
     * cause write, err P | W/R = 0x3; the leaf was found: size 4K */
    r = translate(&h, vs + 8, WR, SUP);
    CHECK_PF(r, vs + 8, MMU_CAUSE_WRITE, PF_P | PF_W, MMU_PS_4K);
    /* a rights fault sets A in the entries above the leaf that lack it (the
     * fresh tables' PML4E, PDPTE, PDE), not in the leaf (contract 5.5) */
    CHECK_EQ(r.nwr, 3);
    r = translate(&h, vs + 8, RD, SUP); /* reading is fine */
    CHECK_OK(r, fs + 8, MMU_PS_4K, MMU_SRC_WALK);
    /* user write to a user read-only page: 0x7 */
    r = translate(&h, vu, WR, USR);
    CHECK_PF(r, vu, MMU_CAUSE_WRITE, PF_P | PF_W | PF_U, MMU_PS_4K);
    /* supervisor write, WP = 1, user read-only page: faults too (SMAP off) */
    r = translate(&h, vu, WR, SUP);
    CHECK_PF(r, vu, MMU_CAUSE_WRITE, PF_P | PF_W, MMU_PS_4K);
    /* user write to user writable page: fine */
    r = translate(&h, vw + 0x10, WR, USR);
    CHECK_OK(r, fw + 0x10, MMU_PS_4K, MMU_SRC_WALK);

    /* CR0.WP = 0 (no flush): supervisor writes to read-only pages are allowed
     * (SDM 4.6.1: "If CR0.WP = 0, data may be written to any supervisor-mode
     * address" and to any user-mode address); the cached entry for vs has
     * R/W = 0 and D = 0 -> soft miss -> walk */
    mode(&h, 0);
    r = translate(&h, vs + 0x18, WR, SUP);
    CHECK_OK(r, fs + 0x18, MMU_PS_4K, MMU_SRC_WALK);
    r = translate(&h, vs + 0x20, WR, SUP); /* D set now, rights OK with WP=0: hit */
    CHECK_OK(r, fs + 0x20, MMU_PS_4K, MMU_SRC_L1);
    r = translate(&h, vu + 0x30, WR, SUP);
    CHECK_OK(r, fu + 0x30, MMU_PS_4K, MMU_SRC_WALK);
    /* user writes still need R/W = 1 whatever CR0.WP: 0x7 */
    r = translate(&h, vu + 0x40, WR, USR);
    CHECK_PF(r, vu + 0x40, MMU_CAUSE_WRITE, PF_P | PF_W | PF_U, MMU_PS_4K);
    /* and again WP = 1: vs's TLB entry (R/W = 0, D = 1) is not usable for a
     * supervisor write any more: walk, fault */
    mode(&h, WP);
    r = translate(&h, vs, WR, SUP);
    CHECK_PF(r, vs, MMU_CAUSE_WRITE, PF_P | PF_W, MMU_PS_4K);
    h_free(&h);
}

static void test_user_super(void)
{
    printf("test_user_super\n");
    H h;
    h_init(&h, WP | NXE);
    res_t r;
    /* leaf is U/S = 1, R/W = 1; U/S = 0 in the PDPTE only -> the combined
     * U/S is 0 (ANDed, SDM 4.6.1): a supervisor-mode page */
    const uint64_t v = SLOT(1) + 0x40000000ull + 0x3000, f = 0x0000000444444000ull;
    map(&h, h.root, v, f, MMU_PS_4K, PT_U | PT_W);
    edit(&h, h.root, v, 3, 0, E_US);
    r = translate(&h, v + 4, RD, USR); /* err P | U/S = 0x5 */
    CHECK_PF(r, v + 4, MMU_CAUSE_USER, PF_P | PF_U, MMU_PS_4K);
    r = translate(&h, v + 4, WR, USR); /* U/S checked first: user cause, 0x7 */
    CHECK_PF(r, v + 4, MMU_CAUSE_USER, PF_P | PF_W | PF_U, MMU_PS_4K);
    r = translate(&h, v + 4, EX, USR); /* 0x15 (NXE = 1 -> I/D) */
    CHECK_PF(r, v + 4, MMU_CAUSE_USER, PF_P | PF_U | PF_I, MMU_PS_4K);
    r = translate(&h, v + 4, RD, SUP); /* supervisor: fine */
    CHECK_OK(r, f + 4, MMU_PS_4K, MMU_SRC_WALK);
    r = translate(&h, v + 8, WR, SUP); /* R/W = 1 everywhere: fine */
    CHECK_OK(r, f + 8, MMU_PS_4K, MMU_SRC_WALK);
    /* the TLB now holds a supervisor entry: a user read is a soft miss,
     * walks, faults */
    r = translate(&h, v + 12, RD, USR);
    CHECK_PF(r, v + 12, MMU_CAUSE_USER, PF_P | PF_U, MMU_PS_4K);

    /* U/S = 0 in the PML4E only, 2 MiB user leaf */
    const uint64_t v2 = SLOT(2) + 0x200000, f2 = 0x0000000555400000ull;
    map(&h, h.root, v2, f2, MMU_PS_2M, PT_U);
    edit(&h, h.root, v2, 4, 0, E_US);
    r = translate(&h, v2 + 0x1FFFFF, RD, USR);
    CHECK_PF(r, v2 + 0x1FFFFF, MMU_CAUSE_USER, PF_P | PF_U, MMU_PS_2M);
    /* U/S = 0 in the PDE (non-leaf) only */
    const uint64_t v3 = SLOT(3) + 0x7000, f3 = 0x0000000666666000ull;
    map(&h, h.root, v3, f3, MMU_PS_4K, PT_U | PT_W);
    edit(&h, h.root, v3, 2, 0, E_US);
    r = translate(&h, v3, RD, USR);
    CHECK_PF(r, v3, MMU_CAUSE_USER, PF_P | PF_U, MMU_PS_4K);
    /* U/S = 0 in the leaf only */
    const uint64_t v4 = SLOT(4) + 0x8000, f4 = 0x0000000777777000ull;
    map(&h, h.root, v4, f4, MMU_PS_4K, PT_W);
    r = translate(&h, v4, WR, USR);
    CHECK_PF(r, v4, MMU_CAUSE_USER, PF_P | PF_W | PF_U, MMU_PS_4K);
    /* user page everywhere: fine */
    const uint64_t v5 = SLOT(5) + 0x9000, f5 = 0x0000000888888000ull;
    map(&h, h.root, v5, f5, MMU_PS_4K, PT_U | PT_W);
    r = translate(&h, v5, WR, USR);
    CHECK_OK(r, f5, MMU_PS_4K, MMU_SRC_WALK);
    h_free(&h);
}

static void test_smep_smap(void)
{
    printf("test_smep_smap\n");
    H h;
    h_init(&h, WP | SMEP);
    res_t r;
    const uint64_t vu = 0x0000000000600000ull, fu = 0x0000000123400000ull; /* user, writable */
    const uint64_t vro = 0x0000000000601000ull, fro = 0x0000000123401000ull; /* user, read-only */
    const uint64_t vs = 0x0000000000602000ull, fs = 0x0000000123402000ull; /* supervisor */
    const uint64_t vx = SLOT(1) + 0x3000, fx = 0x0000000123403000ull;        /* user leaf, PDPTE U/S = 0 */
    map(&h, h.root, vu, fu, MMU_PS_4K, PT_U | PT_W);
    map(&h, h.root, vro, fro, MMU_PS_4K, PT_U);
    map(&h, h.root, vs, fs, MMU_PS_4K, PT_W);
    map(&h, h.root, vx, fx, MMU_PS_4K, PT_U | PT_W);
    edit(&h, h.root, vx, 3, 0, E_US);

    /* SMEP: supervisor fetch from a user page: cause smep, err P | I/D = 0x11
     * (I/D because SMEP = 1, even with NXE = 0) */
    r = translate(&h, vu + 0x10, EX, SUP);
    CHECK_PF(r, vu + 0x10, MMU_CAUSE_SMEP, PF_P | PF_I, MMU_PS_4K);
    r = translate(&h, vs + 0x10, EX, SUP); /* supervisor page: fine */
    CHECK_OK(r, fs + 0x10, MMU_PS_4K, MMU_SRC_WALK);
    r = translate(&h, vu + 0x10, EX, USR); /* user fetch of a user page: fine */
    CHECK_OK(r, fu + 0x10, MMU_PS_4K, MMU_SRC_WALK);
    r = translate(&h, vu + 0x14, EX, SUP); /* the ITLB entry is user: soft miss, walk, fault */
    CHECK_PF(r, vu + 0x14, MMU_CAUSE_SMEP, PF_P | PF_I, MMU_PS_4K);
    r = translate(&h, vu + 0x18, RD, SUP); /* SMEP is about fetches only (SMAP off) */
    CHECK_OK(r, fu + 0x18, MMU_PS_4K, MMU_SRC_WALK);
    /* leaf U/S = 1 but PDPTE U/S = 0: combined supervisor, no SMEP fault */
    r = translate(&h, vx, EX, SUP);
    CHECK_OK(r, fx, MMU_PS_4K, MMU_SRC_WALK);

    /* SMAP, AC = 0 (SMEP off): supervisor data access to a user page */
    mode(&h, WP | SMAP);
    r = translate(&h, vu + 0x20, RD, SUP); /* err P = 0x1 */
    CHECK_PF(r, vu + 0x20, MMU_CAUSE_SMAP, PF_P, MMU_PS_4K);
    r = translate(&h, vu + 0x28, WR, SUP); /* err P | W = 0x3 */
    CHECK_PF(r, vu + 0x28, MMU_CAUSE_SMAP, PF_P | PF_W, MMU_PS_4K);
    r = translate(&h, vro, RD, SUP);
    CHECK_PF(r, vro, MMU_CAUSE_SMAP, PF_P, MMU_PS_4K);
    r = translate(&h, vu + 0x30, EX, SUP); /* SMAP does not apply to fetches; SMEP off */
    CHECK_OK(r, fu + 0x30, MMU_PS_4K, MMU_SRC_WALK);
    /* user accesses are not affected; the fetch just above left vu in the
     * (shared) STLB: STLB hit, refilled into the DTLB */
    r = translate(&h, vu + 0x38, RD, USR);
    CHECK_OK(r, fu + 0x38, MMU_PS_4K, MMU_SRC_STLB);
    r = translate(&h, vs + 0x40, WR, SUP); /* supervisor page: fine */
    CHECK_OK(r, fs + 0x40, MMU_PS_4K, MMU_SRC_WALK);
    /* combined U/S = 0: not a user page, no SMAP; vx is in the STLB from
     * the fetch above */
    r = translate(&h, vx + 0x40, RD, SUP);
    CHECK_OK(r, fx + 0x40, MMU_PS_4K, MMU_SRC_STLB);

    /* SMAP, AC = 1: supervisor reads and writes of user pages allowed;
     * but a write to a read-only user page with WP = 1 still faults */
    mode(&h, WP | SMAP | AC);
    /* the DTLB entry left by the user read of vu (U/S = 1) is usable now */
    r = translate(&h, vu + 0x48, RD, SUP);
    CHECK_OK(r, fu + 0x48, MMU_PS_4K, MMU_SRC_L1);
    r = translate(&h, vu + 0x50, WR, SUP);
    CHECK_OK(r, fu + 0x50, MMU_PS_4K, MMU_SRC_WALK);
    r = translate(&h, vro + 0x58, WR, SUP);
    CHECK_PF(r, vro + 0x58, MMU_CAUSE_WRITE, PF_P | PF_W, MMU_PS_4K);
    r = translate(&h, vro + 0x60, RD, SUP);
    CHECK_OK(r, fro + 0x60, MMU_PS_4K, MMU_SRC_WALK);
    /* AC = 1, WP = 0: the read-only user page can be written by the supervisor */
    mode(&h, SMAP | AC);
    r = translate(&h, vro + 0x68, WR, SUP);
    CHECK_OK(r, fro + 0x68, MMU_PS_4K, MMU_SRC_WALK);
    /* AC = 0 again: the cached user entries are not usable by the supervisor */
    mode(&h, WP | SMAP);
    r = translate(&h, vu + 0x70, RD, SUP);
    CHECK_PF(r, vu + 0x70, MMU_CAUSE_SMAP, PF_P, MMU_PS_4K);
    h_free(&h);
}

static void test_nx(void)
{
    printf("test_nx\n");
    H h;
    h_init(&h, WP | NXE);
    res_t r;
    const uint64_t vn = 0x0000000000A00000ull, fn = 0x0000000135790000ull;
    const uint64_t ve = 0x0000000000A01000ull, fe = 0x0000000135791000ull;
    map(&h, h.root, vn, fn, MMU_PS_4K, PT_U | PT_W | PT_NX);
    map(&h, h.root, ve, fe, MMU_PS_4K, PT_U | PT_W);
    /* NXE = 1, XD = 1: fetches fault. user: P | U/S | I/D = 0x15 */
    r = translate(&h, vn + 0x100, EX, USR);
    CHECK_PF(r, vn + 0x100, MMU_CAUSE_NX, PF_P | PF_U | PF_I, MMU_PS_4K);
    /* supervisor: P | I/D = 0x11 */
    r = translate(&h, vn + 0x100, EX, SUP);
    CHECK_PF(r, vn + 0x100, MMU_CAUSE_NX, PF_P | PF_I, MMU_PS_4K);
    r = translate(&h, vn + 0x100, RD, USR); /* reads are fine */
    CHECK_OK(r, fn + 0x100, MMU_PS_4K, MMU_SRC_WALK);
    r = translate(&h, vn + 0x108, WR, USR);
    CHECK_OK(r, fn + 0x108, MMU_PS_4K, MMU_SRC_WALK);
    r = translate(&h, ve + 0x100, EX, USR); /* XD = 0: fine */
    CHECK_OK(r, fe + 0x100, MMU_PS_4K, MMU_SRC_WALK);
    h_free(&h);

    /* NXE = 0: bit 63 is reserved at every level (SDM 4.5.4, Table 4-14
     * note: "If IA32_EFER.NXE = 0 ... bit 63 is reserved"): RSVD, err
     * P | RSVD = 0x9 for a supervisor read, no I/D for a fetch (NXE = 0,
     * SMEP = 0) */
    h_init(&h, WP);
    map(&h, h.root, vn, fn, MMU_PS_4K, PT_U | PT_W | PT_NX);
    map(&h, h.root, ve, fe, MMU_PS_4K, PT_U | PT_W);
    r = translate(&h, vn + 0x10, RD, SUP);
    CHECK_PF(r, vn + 0x10, MMU_CAUSE_RSVD, PF_P | PF_R, MMU_PS_NONE);
    r = translate(&h, vn + 0x10, EX, SUP);
    CHECK_PF(r, vn + 0x10, MMU_CAUSE_RSVD, PF_P | PF_R, MMU_PS_NONE);
    r = translate(&h, vn + 0x10, WR, USR); /* 0x1 | 0x2 | 0x4 | 0x8 = 0xF */
    CHECK_PF(r, vn + 0x10, MMU_CAUSE_RSVD, PF_P | PF_W | PF_U | PF_R, MMU_PS_NONE);
    CHECK_EQ(r.nwr, 0);
    r = translate(&h, ve + 0x10, EX, USR); /* XD = 0, NXE = 0: fetch fine */
    CHECK_OK(r, fe + 0x10, MMU_PS_4K, MMU_SRC_WALK);
    /* XD in the PML4E with NXE = 0: RSVD at the first read */
    const uint64_t v2 = SLOT(2) + 0x1000, f2 = 0x0000000135792000ull;
    map(&h, h.root, v2, f2, MMU_PS_4K, PT_W);
    edit(&h, h.root, v2, 4, E_XD, 0);
    r = translate(&h, v2, EX, SUP);
    CHECK_PF(r, v2, MMU_CAUSE_RSVD, PF_P | PF_R, MMU_PS_NONE);
    CHECK_EQ(r.nrd, 1);
    /* with SMEP = 1 the same fetch reports I/D too: 0x19 */
    mode(&h, WP | SMEP);
    r = translate(&h, v2, EX, SUP);
    CHECK_PF(r, v2, MMU_CAUSE_RSVD, PF_P | PF_R | PF_I, MMU_PS_NONE);
    /* NXE = 1 now: the PML4E's XD makes everything below non-executable */
    mode(&h, WP | NXE);
    r = translate(&h, v2, EX, SUP);
    CHECK_PF(r, v2, MMU_CAUSE_NX, PF_P | PF_I, MMU_PS_4K);
    h_free(&h);
}

static void test_reserved(void)
{
    printf("test_reserved\n");
    H h;
    h_init(&h, WP | NXE);
    res_t r;
    /* bits 51:M (M = 46) at each level: bit 46 and bit 51, 4 KiB pages in
     * slots 1..8; a present entry with a reserved bit: RSVD, err P | RSVD
     * = 0x9 (supervisor read), the walk stops at that level: 5 - L reads */
    const unsigned bits[2] = {46, 51};
    unsigned k = 1;
    for (unsigned b = 0; b < 2; b++) {
        for (unsigned L = 4; L >= 1; L--, k++) {
            uint64_t v = SLOT(k) + 0x1000;
            map(&h, h.root, v, 0x0000000200000000ull + k * 0x1000, MMU_PS_4K, PT_W | PT_A | PT_D);
            edit(&h, h.root, v, L, BIT(bits[b]), 0);
            r = translate(&h, v + 0x44, RD, SUP);
            CHECK_PF(r, v + 0x44, MMU_CAUSE_RSVD, PF_P | PF_R, MMU_PS_NONE);
            CHECK_EQ(r.nrd, (int)(5 - L));
            CHECK_EQ(r.nwr, 0);
        }
    }
    /* bit 45 = MAXPHYADDR-1 in a PTE is an address bit, not reserved */
    {
        uint64_t v = SLOT(10) + 0x1000, f = 0x0000123456789000ull;
        map(&h, h.root, v, f, MMU_PS_4K, PT_W);
        edit(&h, h.root, v, 1, BIT(45), 0);
        r = translate(&h, v + 0x7, RD, SUP);
        CHECK_OK(r, 0x323456789007ull, MMU_PS_4K, MMU_SRC_WALK);
        /* bits 62:52 of a PTE are ignored (Table 4-19; protection keys are
         * off): no fault, and they are not part of the address */
        uint64_t v2 = SLOT(10) + 0x2000, f2 = 0x0000123456780000ull;
        map(&h, h.root, v2, f2, MMU_PS_4K, PT_W);
        edit(&h, h.root, v2, 1, BIT(52) | BIT(58) | BIT(62), 0);
        r = translate(&h, v2 + 0x8, WR, SUP);
        CHECK_OK(r, 0x123456780008ull, MMU_PS_4K, MMU_SRC_WALK);
        /* bit 7 of a PTE is PAT, not PS and not reserved */
        uint64_t v3 = SLOT(10) + 0x3000, f3 = 0x0000123456781000ull;
        map(&h, h.root, v3, f3, MMU_PS_4K, PT_W);
        edit(&h, h.root, v3, 1, E_PS, 0);
        r = translate(&h, v3 + 0x9, RD, SUP);
        CHECK_OK(r, 0x123456781009ull, MMU_PS_4K, MMU_SRC_WALK);
    }
    /* PS = 1 in a PML4E is reserved (Table 4-15) */
    {
        uint64_t v = SLOT(11) + 0x1000;
        map(&h, h.root, v, 0x0000000300001000ull, MMU_PS_4K, PT_W);
        edit(&h, h.root, v, 4, E_PS, 0);
        r = translate(&h, v, WR, USR); /* err P | W | U | RSVD = 0xF */
        CHECK_PF(r, v, MMU_CAUSE_RSVD, PF_P | PF_W | PF_U | PF_R, MMU_PS_NONE);
        CHECK_EQ(r.nrd, 1);
    }
    /* 1 GiB PDPTE (Table 4-16): bits 29:13 reserved, bit 12 is PAT */
    {
        const uint64_t v13 = SLOT(12) + 0x40000000ull, v29 = SLOT(12) + 0x80000000ull, vpat = SLOT(12) + 0xC0000000ull;
        map(&h, h.root, v13, 0x0000000400000000ull, MMU_PS_1G, PT_W);
        map(&h, h.root, v29, 0x0000000440000000ull, MMU_PS_1G, PT_W);
        map(&h, h.root, vpat, 0x0000000480000000ull, MMU_PS_1G, PT_W);
        edit(&h, h.root, v13, 3, BIT(13), 0);
        edit(&h, h.root, v29, 3, BIT(29), 0);
        edit(&h, h.root, vpat, 3, BIT(12), 0);
        r = translate(&h, v13 + 0x10, RD, SUP);
        CHECK_PF(r, v13 + 0x10, MMU_CAUSE_RSVD, PF_P | PF_R, MMU_PS_NONE);
        CHECK_EQ(r.nrd, 2);
        r = translate(&h, v29 + 0x10, EX, SUP); /* fetch, NXE = 1: + I/D = 0x19 */
        CHECK_PF(r, v29 + 0x10, MMU_CAUSE_RSVD, PF_P | PF_R | PF_I, MMU_PS_NONE);
        /* PAT: fine; paddr = PDPTE[45:30] | va[29:0], bit 12 not in it:
         * 0x480000000 | 0x12340ABC (va bit 12 = 0) */
        r = translate(&h, vpat + 0x12340ABC, RD, SUP);
        CHECK_OK(r, 0x0000000492340ABCull, MMU_PS_1G, MMU_SRC_WALK);
        /* bits 51:46 in a 1 GiB PDPTE */
        const uint64_t v46 = SLOT(13) + 0x40000000ull;
        map(&h, h.root, v46, 0x00000004C0000000ull, MMU_PS_1G, PT_W);
        edit(&h, h.root, v46, 3, BIT(50), 0);
        r = translate(&h, v46, RD, SUP);
        CHECK_PF(r, v46, MMU_CAUSE_RSVD, PF_P | PF_R, MMU_PS_NONE);
    }
    /* 2 MiB PDE (Table 4-18): bits 20:13 reserved, bit 12 is PAT */
    {
        const uint64_t v13 = SLOT(14) + 0x200000, v20 = SLOT(14) + 0x400000, vpat = SLOT(14) + 0x600000;
        map(&h, h.root, v13, 0x0000000500000000ull, MMU_PS_2M, PT_W);
        map(&h, h.root, v20, 0x0000000500200000ull, MMU_PS_2M, PT_W);
        map(&h, h.root, vpat, 0x0000000500400000ull, MMU_PS_2M, PT_W);
        edit(&h, h.root, v13, 2, BIT(13), 0);
        edit(&h, h.root, v20, 2, BIT(20), 0);
        edit(&h, h.root, vpat, 2, BIT(12), 0);
        r = translate(&h, v13 + 0x10, WR, SUP);
        CHECK_PF(r, v13 + 0x10, MMU_CAUSE_RSVD, PF_P | PF_W | PF_R, MMU_PS_NONE);
        CHECK_EQ(r.nrd, 3);
        r = translate(&h, v20 + 0x10, RD, USR);
        CHECK_PF(r, v20 + 0x10, MMU_CAUSE_RSVD, PF_P | PF_U | PF_R, MMU_PS_NONE);
        /* PAT: fine; paddr = 0x500400000 | 0x2ABCD (va bit 12 = 0) */
        r = translate(&h, vpat + 0x2ABCD, RD, SUP);
        CHECK_OK(r, 0x000000050042ABCDull, MMU_PS_2M, MMU_SRC_WALK);
    }
    /* a PDE that points to a page table (PS = 0): bits 20:13 are address
     * bits there, not reserved. Move v's page table to a page with bit 13
     * set (a fresh page from the paging-structure pool) and check the walk
     * follows it. */
    {
        const uint64_t v = SLOT(15) + 0x5000, f = 0x0000000600005000ull;
        map(&h, h.root, v, f, MMU_PS_4K, PT_W);
        uint64_t pte_a = ea(&h, h.root, v, 1);
        uint64_t newpt = pt_new_root(h.pt); /* zeroed 4 KiB pages, handed out upwards */
        for (int i = 0; i < 4 && !(newpt & BIT(13)); i++)
            newpt = pt_new_root(h.pt);
        CHECK(newpt & BIT(13));
        uint64_t idx = (v >> 12) & 511;
        wr64(&h, newpt + idx * 8, rd64(&h, pte_a));
        uint64_t pde_a = ea(&h, h.root, v, 2);
        wr64(&h, pde_a, (rd64(&h, pde_a) & ~0x000FFFFFFFFFF000ull) | newpt);
        r = translate(&h, v + 0x321, RD, SUP);
        CHECK_OK(r, f + 0x321, MMU_PS_4K, MMU_SRC_WALK);
    }
    h_free(&h);
}

static void test_noncanonical(void)
{
    printf("test_noncanonical\n");
    H h;
    h_init(&h, WP | NXE | SMEP | SMAP);
    res_t r;
    /* bits 63:47 not all equal -> #GP (fault 2), err 0, cause non-canonical,
     * no walk (src none), no leaf (size 3), answered 1 cycle after the L1
     * lookup (contract 5.1 and 6: latency 1) */
    const uint64_t bad[4] = {0x0000800000000000ull, 0xFFFF7FFFFFFFF000ull, 0x8000000000000000ull,
                             0x00FF000000001000ull};
    const unsigned accs[4] = {RD, WR, EX, WR};
    const bool users[4] = {SUP, USR, USR, SUP};
    for (int i = 0; i < 4; i++) {
        r = translate(&h, bad[i], accs[i], users[i]);
        CHECK_EQ(r.o.rsp_fault, MMU_FAULT_GP);
        CHECK_EQ(r.o.rsp_cause, MMU_CAUSE_NONCANON);
        CHECK_EQ(r.o.rsp_err, 0);
        CHECK_EQ(r.o.rsp_paddr, 0);
        CHECK_EQ(r.o.rsp_size, MMU_PS_NONE);
        CHECK_EQ(r.o.rsp_src, MMU_SRC_NONE);
        CHECK_EQ(r.o.rsp_fault_addr, bad[i]);
        CHECK_EQ(r.lat, 1);
        CHECK_EQ(r.nrd + r.nwr, 0);
    }
    /* the edges of the canonical halves are canonical: a page fault (not
     * mapped), not #GP */
    r = translate(&h, 0x00007FFFFFFFFFFFull, RD, SUP);
    CHECK_PF(r, 0x00007FFFFFFFFFFFull, MMU_CAUSE_NOT_PRESENT, 0, MMU_PS_NONE);
    r = translate(&h, 0xFFFF800000000000ull, RD, SUP);
    CHECK_PF(r, 0xFFFF800000000000ull, MMU_CAUSE_NOT_PRESENT, 0, MMU_PS_NONE);
    h_free(&h);
}

/* ------------------------------------------------- 3. rights combination */

static void test_rights_combination(void)
{
    printf("test_rights_combination\n");
    H h;
    h_init(&h, WP | NXE);
    res_t r;
    /* R/W = 0 in a PDPTE: the whole 1 GiB is read-only even though the PTEs
     * (and PDEs) say R/W = 1 (SDM 4.6.1: R/W ANDed over all levels) */
    const uint64_t R = 0x0000004000000000ull; /* a 1 GiB region in PML4 slot 0 */
    const uint64_t a = R + 0x1000, fa = 0x0000000700001000ull;
    const uint64_t b = R + 0x200000 + 0x3000, fb = 0x0000000700003000ull;
    const uint64_t c = R + 0x3FE00000ull, fc = 0x0000000701000000ull - 0x200000; /* 2 MiB page at the end */
    map(&h, h.root, a, fa, MMU_PS_4K, PT_W | PT_U);
    map(&h, h.root, b, fb, MMU_PS_4K, PT_W);
    map(&h, h.root, c, fc, MMU_PS_2M, PT_W);
    edit(&h, h.root, a, 3, 0, E_RW);
    r = translate(&h, a, WR, SUP); /* WP = 1: 0x3 */
    CHECK_PF(r, a, MMU_CAUSE_WRITE, PF_P | PF_W, MMU_PS_4K);
    r = translate(&h, a + 8, RD, USR);
    CHECK_OK(r, fa + 8, MMU_PS_4K, MMU_SRC_WALK);
    r = translate(&h, a + 8, WR, USR); /* 0x7 */
    CHECK_PF(r, a + 8, MMU_CAUSE_WRITE, PF_P | PF_W | PF_U, MMU_PS_4K);
    r = translate(&h, b, WR, SUP); /* other PDE, same PDPTE */
    CHECK_PF(r, b, MMU_CAUSE_WRITE, PF_P | PF_W, MMU_PS_4K);
    r = translate(&h, c + 0x1FFFF0, WR, SUP); /* 2 MiB leaf under it */
    CHECK_PF(r, c + 0x1FFFF0, MMU_CAUSE_WRITE, PF_P | PF_W, MMU_PS_2M);
    /* WP = 0: the supervisor may write it */
    mode(&h, NXE);
    r = translate(&h, b + 0x10, WR, SUP);
    CHECK_OK(r, fb + 0x10, MMU_PS_4K, MMU_SRC_WALK);
    r = translate(&h, a + 0x10, WR, USR); /* a user still may not */
    CHECK_PF(r, a + 0x10, MMU_CAUSE_WRITE, PF_P | PF_W | PF_U, MMU_PS_4K);
    mode(&h, WP | NXE);

    /* XD in the PML4E: everything below is non-executable (XD ORed) */
    const uint64_t x1 = SLOT(3) + 0x1000, fx1 = 0x0000000710001000ull;
    const uint64_t x2 = SLOT(3) + 0x40000000ull + 0x2000, fx2 = 0x0000000710002000ull;
    const uint64_t x3 = SLOT(3) + 0x80000000ull, fx3 = 0x0000000710400000ull;
    map(&h, h.root, x1, fx1, MMU_PS_4K, PT_W | PT_U);
    map(&h, h.root, x2, fx2, MMU_PS_4K, PT_W | PT_U);
    map(&h, h.root, x3, fx3, MMU_PS_2M, PT_W | PT_U);
    edit(&h, h.root, x1, 4, E_XD, 0);
    /* read x1: fine; fills the PML4E, PDPTE and PDE caches for x1 */
    r = translate(&h, x1 + 4, RD, USR);
    CHECK_OK(r, fx1 + 4, MMU_PS_4K, MMU_SRC_WALK);
    CHECK_EQ(r.o.rsp_pwc, 0);
    /* fetch x2 (another 1 GiB): PML4E-cache hit, the cached rights carry XD
     * -> NX fault, 0x15 for a user fetch */
    r = translate(&h, x2, EX, USR);
    CHECK_PF(r, x2, MMU_CAUSE_NX, PF_P | PF_U | PF_I, MMU_PS_4K);
    CHECK_EQ(r.o.rsp_pwc, 1);
    CHECK_EQ(r.nrd, 3);
    /* the fault invalidated the PWC entries for x2's address (7b): the
     * PML4E-cache entry (same VA[47:39] as x1) is gone, but x1's PDPTE- and
     * PDE-cache entries have other tags and stay: fetching x1 (DTLB/STLB
     * entry has XD: soft miss) walks from the PDE-cache hit, NX again */
    r = translate(&h, x1 + 4, EX, SUP);
    CHECK_PF(r, x1 + 4, MMU_CAUSE_NX, PF_P | PF_I, MMU_PS_4K);
    CHECK_EQ(r.o.rsp_pwc, 3);
    CHECK_EQ(r.nrd, 1);
    /* a 2 MiB page below it: NX too */
    r = translate(&h, x3 + 0x100000, EX, SUP);
    CHECK_PF(r, x3 + 0x100000, MMU_CAUSE_NX, PF_P | PF_I, MMU_PS_2M);
    /* but reading it is fine */
    r = translate(&h, x3 + 0x100000, RD, SUP);
    CHECK_OK(r, fx3 + 0x100000, MMU_PS_2M, MMU_SRC_WALK);
    /* NXE = 0 would make that XD a reserved bit: covered in test_nx */

    /* XD in a PDE only: pages of that page table non-executable, the
     * neighbouring page table's pages executable */
    const uint64_t y1 = SLOT(4) + 0x1000, fy1 = 0x0000000720001000ull;
    const uint64_t y2 = SLOT(4) + 0x200000, fy2 = 0x0000000720002000ull;
    map(&h, h.root, y1, fy1, MMU_PS_4K, PT_W);
    map(&h, h.root, y2, fy2, MMU_PS_4K, PT_W);
    edit(&h, h.root, y1, 2, E_XD, 0);
    r = translate(&h, y1, EX, SUP);
    CHECK_PF(r, y1, MMU_CAUSE_NX, PF_P | PF_I, MMU_PS_4K);
    r = translate(&h, y2, EX, SUP);
    CHECK_OK(r, fy2, MMU_PS_4K, MMU_SRC_WALK);
    h_free(&h);
}

/* ------------------------------------------------------------------ 4. A/D */

#define CHECK_MEMOP(h, i, we_, addr_, wdata_)   \
    do {                                        \
        CHECK_EQ((h).log[i].we, (we_));         \
        CHECK_EQ((h).log[i].addr, (addr_));     \
        CHECK_EQ((h).log[i].wdata, (wdata_));   \
        CHECK_EQ((h).log[i].id, 0);             \
    } while (0)

static void test_accessed_dirty(void)
{
    printf("test_accessed_dirty\n");
    res_t r;
    const uint64_t v = 0x00000ABCDE012000ull, f = 0x0000000800012000ull;
    /* read on fresh tables: every entry has A = 0 (pt_map creates non-leaf
     * entries with A = 0; the leaf without PT_A). Contract 6.7 / SDM 4.8:
     * reads PML4E, PDPTE, PDE, PTE, then one locked update per entry, top
     * first, each = the entry as read | A (0x20), each waiting for its
     * response. Latency 4 + 3 * (4 + 4) = 28. */
    {
        H h;
        h_init(&h, WP);
        map(&h, h.root, v, f, MMU_PS_4K, PT_W);
        uint64_t e4 = ea(&h, h.root, v, 4), e3 = ea(&h, h.root, v, 3), e2 = ea(&h, h.root, v, 2),
                 e1 = ea(&h, h.root, v, 1);
        uint64_t v4 = rd64(&h, e4), v3 = rd64(&h, e3), v2 = rd64(&h, e2), v1 = rd64(&h, e1);
        CHECK_EQ(v1, f | E_P | E_RW); /* the PTE as pt_map wrote it (A = D = 0) */
        CHECK_EQ(v4 & E_A, 0);
        r = translate(&h, v + 0x10, RD, SUP);
        CHECK_OK(r, f + 0x10, MMU_PS_4K, MMU_SRC_WALK);
        CHECK_EQ(h.nlog, 8);
        CHECK_EQ(r.lat, 28);
        CHECK_MEMOP(h, 0, 0, e4, 0);
        CHECK_MEMOP(h, 1, 0, e3, 0);
        CHECK_MEMOP(h, 2, 0, e2, 0);
        CHECK_MEMOP(h, 3, 0, e1, 0);
        CHECK_MEMOP(h, 4, 1, e4, v4 | E_A);
        CHECK_MEMOP(h, 5, 1, e3, v3 | E_A);
        CHECK_MEMOP(h, 6, 1, e2, v2 | E_A);
        CHECK_MEMOP(h, 7, 1, e1, v1 | E_A);
        /* cycles (contract 6.7 with M = 2), from the first read: reads in
         * 0, 3, 6, 9, the PTE returns in 11, updates in 12, 15, 18, 21 (each
         * after the previous one's response), the last returns in 23 */
        if (h.nlog == 8) {
            uint64_t c0 = h.log[0].cycle;
            CHECK_EQ(h.log[1].cycle - c0, 3);
            CHECK_EQ(h.log[2].cycle - c0, 6);
            CHECK_EQ(h.log[3].cycle - c0, 9);
            CHECK_EQ(h.log[4].cycle - c0, 12);
            CHECK_EQ(h.log[5].cycle - c0, 15);
            CHECK_EQ(h.log[6].cycle - c0, 18);
            CHECK_EQ(h.log[7].cycle - c0, 21);
        }
        CHECK_EQ(rd64(&h, e1), v1 | E_A);
        CHECK_EQ(rd64(&h, e4), v4 | E_A);

        /* write to the same page: the TLB entry has D = 0 -> soft miss in the
         * L1 and the STLB -> walk; the PDE cache (filled by the read) gives
         * the page table: one read (the PTE, now v1|A) and one locked update
         * of the PTE with D: v1 | A | D. Latency 4 + 3 * (1 + 1) = 10. */
        r = translate(&h, v + 0x18, WR, SUP);
        CHECK_OK(r, f + 0x18, MMU_PS_4K, MMU_SRC_WALK);
        CHECK_EQ(r.o.rsp_pwc, 3);
        CHECK_EQ(h.nlog, 2);
        CHECK_MEMOP(h, 0, 0, e1, 0);
        CHECK_MEMOP(h, 1, 1, e1, v1 | E_A | E_D);
        CHECK_EQ(r.lat, 10);
        CHECK_EQ(rd64(&h, e1), v1 | E_A | E_D);
        /* second write: L1 hit, no memory traffic */
        r = translate(&h, v + 0x20, WR, SUP);
        CHECK_OK(r, f + 0x20, MMU_PS_4K, MMU_SRC_L1);
        CHECK_EQ(h.nlog, 0);
        CHECK_EQ(r.lat, 1);
        r = translate(&h, v + 0x28, RD, SUP);
        CHECK_OK(r, f + 0x28, MMU_PS_4K, MMU_SRC_L1);
        CHECK_EQ(h.nlog, 0);
        h_free(&h);
    }
    /* write on fresh tables: the same, the PTE written with A | D (0x60) */
    {
        H h;
        h_init(&h, WP);
        map(&h, h.root, v, f, MMU_PS_4K, PT_W);
        uint64_t e4 = ea(&h, h.root, v, 4), e3 = ea(&h, h.root, v, 3), e2 = ea(&h, h.root, v, 2),
                 e1 = ea(&h, h.root, v, 1);
        uint64_t v4 = rd64(&h, e4), v3 = rd64(&h, e3), v2 = rd64(&h, e2), v1 = rd64(&h, e1);
        r = translate(&h, v, WR, SUP);
        CHECK_OK(r, f, MMU_PS_4K, MMU_SRC_WALK);
        CHECK_EQ(h.nlog, 8);
        CHECK_EQ(r.lat, 28);
        CHECK_MEMOP(h, 0, 0, e4, 0);
        CHECK_MEMOP(h, 1, 0, e3, 0);
        CHECK_MEMOP(h, 2, 0, e2, 0);
        CHECK_MEMOP(h, 3, 0, e1, 0);
        CHECK_MEMOP(h, 4, 1, e4, v4 | E_A);
        CHECK_MEMOP(h, 5, 1, e3, v3 | E_A);
        CHECK_MEMOP(h, 6, 1, e2, v2 | E_A);
        CHECK_MEMOP(h, 7, 1, e1, v1 | E_A | E_D);
        r = translate(&h, v + 8, WR, SUP); /* D = 1 in the TLB entry: hit */
        CHECK_OK(r, f + 8, MMU_PS_4K, MMU_SRC_L1);
        h_free(&h);
    }
    /* 2 MiB write on fresh tables: 3 reads, 3 updates, the leaf PDE | A | D.
     * Latency 4 + 3 * (3 + 3) = 22 */
    {
        H h;
        h_init(&h, WP);
        const uint64_t v2m = 0x0000000040600000ull, f2m = 0x0000000900200000ull;
        map(&h, h.root, v2m, f2m, MMU_PS_2M, PT_W);
        uint64_t e4 = ea(&h, h.root, v2m, 4), e3 = ea(&h, h.root, v2m, 3), e2 = ea(&h, h.root, v2m, 2);
        uint64_t v4 = rd64(&h, e4), v3 = rd64(&h, e3), v2 = rd64(&h, e2);
        r = translate(&h, v2m + 0x54321, WR, SUP);
        CHECK_OK(r, f2m + 0x54321, MMU_PS_2M, MMU_SRC_WALK);
        CHECK_EQ(h.nlog, 6);
        CHECK_EQ(r.lat, 22);
        CHECK_MEMOP(h, 0, 0, e4, 0);
        CHECK_MEMOP(h, 1, 0, e3, 0);
        CHECK_MEMOP(h, 2, 0, e2, 0);
        CHECK_MEMOP(h, 3, 1, e4, v4 | E_A);
        CHECK_MEMOP(h, 4, 1, e3, v3 | E_A);
        CHECK_MEMOP(h, 5, 1, e2, v2 | E_A | E_D);
        h_free(&h);
    }
    /* only the entries lacking A are written: PML4E and PTE have A, PDPTE
     * and PDE not -> 2 writes, PDPTE then PDE; a read of a leaf with A = 1,
     * D = 0 writes nothing for the leaf */
    {
        H h;
        h_init(&h, WP);
        map(&h, h.root, v, f, MMU_PS_4K, PT_W | PT_A);
        edit(&h, h.root, v, 4, E_A, 0);
        uint64_t e3 = ea(&h, h.root, v, 3), e2 = ea(&h, h.root, v, 2);
        uint64_t v3 = rd64(&h, e3), v2 = rd64(&h, e2);
        r = translate(&h, v, RD, SUP);
        CHECK_OK(r, f, MMU_PS_4K, MMU_SRC_WALK);
        CHECK_EQ(h.nlog, 6);
        CHECK_EQ(r.lat, 22); /* 4 + 3 * (4 + 2) */
        CHECK_MEMOP(h, 4, 1, e3, v3 | E_A);
        CHECK_MEMOP(h, 5, 1, e2, v2 | E_A);
        h_free(&h);
    }
    /* faulting walks (contract 5.5): a write to a read-only page (WP = 1) is
     * a rights fault: A is set in the PML4E, PDPTE and PDE (fresh tables:
     * A = 0), not in the leaf, and never D: 4 reads, 3 updates, latency
     * 4 + 3 * (4 + 3) = 25. A not-present PTE writes nothing. */
    {
        H h;
        h_init(&h, WP);
        map(&h, h.root, v, f, MMU_PS_4K, 0);
        const uint64_t vn = v + 0x1000;
        map(&h, h.root, vn, f + 0x1000, MMU_PS_4K, PT_W);
        edit(&h, h.root, vn, 1, 0, E_P);
        uint64_t e4 = ea(&h, h.root, v, 4), e3 = ea(&h, h.root, v, 3), e2 = ea(&h, h.root, v, 2),
                 e1 = ea(&h, h.root, v, 1), en = ea(&h, h.root, vn, 1);
        uint64_t v4 = rd64(&h, e4), v3 = rd64(&h, e3), v2 = rd64(&h, e2), v1 = rd64(&h, e1), vnv = rd64(&h, en);
        CHECK_EQ(v4 & E_A, 0);
        CHECK_EQ(v1 & (E_A | E_D), 0);
        r = translate(&h, v, WR, SUP);
        CHECK_PF(r, v, MMU_CAUSE_WRITE, PF_P | PF_W, MMU_PS_4K);
        CHECK_EQ(r.nrd, 4);
        CHECK_EQ(r.nwr, 3);
        CHECK_EQ(r.lat, 25);
        CHECK_MEMOP(h, 4, 1, e4, v4 | E_A);
        CHECK_MEMOP(h, 5, 1, e3, v3 | E_A);
        CHECK_MEMOP(h, 6, 1, e2, v2 | E_A);
        CHECK_EQ(rd64(&h, e4), v4 | E_A);
        CHECK_EQ(rd64(&h, e3), v3 | E_A);
        CHECK_EQ(rd64(&h, e2), v2 | E_A);
        CHECK_EQ(rd64(&h, e1), v1);
        r = translate(&h, vn, RD, SUP);
        CHECK_PF(r, vn, MMU_CAUSE_NOT_PRESENT, 0, MMU_PS_NONE);
        CHECK_EQ(r.nrd, 4); /* the first fault invalidated the PWC entries: full walk */
        CHECK_EQ(r.nwr, 0);
        CHECK_EQ(rd64(&h, e4), v4 | E_A);
        CHECK_EQ(rd64(&h, e3), v3 | E_A);
        CHECK_EQ(rd64(&h, e2), v2 | E_A);
        CHECK_EQ(rd64(&h, en), vnv);
        h_free(&h);
    }
}

/* --------------------------------------------------------------- 5. flushes */

/* Every fault kind at every level it can occur, on fresh tables (pt_map
 * writes the non-leaf entries with A = 0 and the leaves without A/D), with
 * the A/D updates of contract 5.5 derived from the rule:
 *  - not present / reserved bit at level F: the walk reads levels 4..F and
 *    writes nothing; rsp_size 3; the fault's level is F;
 *  - a rights fault with the leaf at level L (1 4K, 2 2M, 3 1G), the
 *    restricting bit at level R (L..4): reads 4..L, one locked update per
 *    non-leaf entry (A), none for the leaf, never D; rsp_size is the leaf's.
 * Error codes (SDM 4.7) written out per kind. */
static void test_fault_levels_ad(void)
{
    printf("test_fault_levels_ad\n");
    const uint64_t v = 0x00000ABCDE012000ull & ~0x3FFFFFFFull; /* 1 GiB aligned */
    const uint64_t f1g = 0x0000000840000000ull;
    for (unsigned F = 4; F >= 1; F--) {
        for (int kind = 0; kind < 2; kind++) { /* 0 not present, 1 reserved (bit 51 > MAXPHYADDR 46) */
            H h;
            h_init(&h, WP | NXE);
            map(&h, h.root, v, f1g, MMU_PS_4K, PT_W | PT_U);
            uint64_t before[5], addr[5];
            for (unsigned l = 1; l <= 4; l++) {
                addr[l] = ea(&h, h.root, v, l);
                before[l] = rd64(&h, addr[l]);
            }
            if (kind == 0)
                edit(&h, h.root, v, F, 0, E_P);
            else
                edit(&h, h.root, v, F, BIT(51), 0);
            uint64_t fe = rd64(&h, addr[F]);
            res_t r = translate(&h, v + 8, RD, USR);
            CHECK_PF(r, v + 8, kind ? MMU_CAUSE_RSVD : MMU_CAUSE_NOT_PRESENT, kind ? (PF_P | PF_R | PF_U) : PF_U,
                     MMU_PS_NONE);
            CHECK_EQ(r.nrd, (int)(5 - F));
            CHECK_EQ(r.nwr, 0);
            CHECK_EQ(mmu_last_info(h.m)->fault_level, F);
            CHECK_EQ(mmu_last_info(h.m)->rights, 0);
            for (unsigned l = 1; l <= 4; l++)
                CHECK_EQ(rd64(&h, addr[l]), l == F ? fe : before[l]);
            h_free(&h);
        }
    }
    /* rights faults: kind, mode, access, user, the bit that restricts */
    struct {
        const char *name;
        uint32_t mode;
        unsigned acc;
        bool user;
        mmu_cause_t cause;
        unsigned err;
        uint64_t clr, set; /* at level R */
        bool any_level;    /* the restricting bit can sit at any level */
    } k[] = {
        {"write", WP | NXE, WR, USR, MMU_CAUSE_WRITE, PF_P | PF_W | PF_U, E_RW, 0, true},
        {"user", WP | NXE, RD, USR, MMU_CAUSE_USER, PF_P | PF_U, E_US, 0, true},
        {"nx", WP | NXE, EX, USR, MMU_CAUSE_NX, PF_P | PF_U | PF_I, 0, E_XD, true},
        {"smep", WP | NXE | SMEP, EX, SUP, MMU_CAUSE_SMEP, PF_P | PF_I, 0, 0, false},
        {"smap", WP | NXE | SMAP, RD, SUP, MMU_CAUSE_SMAP, PF_P, 0, 0, false},
    };
    for (unsigned L = 1; L <= 3; L++) {
        const unsigned ps = L == 1 ? MMU_PS_4K : L == 2 ? MMU_PS_2M : MMU_PS_1G;
        for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
            for (unsigned R = L; R <= 4; R++) {
                if (!k[i].any_level && R != L)
                    continue;
                H h;
                h_init(&h, k[i].mode);
                map(&h, h.root, v, f1g, ps, PT_W | PT_U);
                edit(&h, h.root, v, R, k[i].set, k[i].clr);
                uint64_t before[5] = {0};
                for (unsigned l = L; l <= 4; l++)
                    before[l] = rd64(&h, ea(&h, h.root, v, l));
                for (unsigned l = L; l <= 4; l++)
                    CHECK_EQ(before[l] & (E_A | E_D), 0);
                res_t r = translate(&h, v + 0x18, k[i].acc, k[i].user);
                if (r.o.rsp_cause != k[i].cause)
                    fprintf(stderr, "  rights fault %s, leaf level %u, bit at level %u\n", k[i].name, L, R);
                CHECK_PF(r, v + 0x18, k[i].cause, k[i].err, ps);
                CHECK_EQ(r.nrd, (int)(5 - L));
                CHECK_EQ(r.nwr, (int)(4 - L)); /* A in each non-leaf entry */
                /* the updates, top first: entry as read | A */
                for (unsigned l = 4, j = (unsigned)r.nrd; l > L; l--, j++)
                    CHECK_MEMOP(h, (int)j, 1, ea(&h, h.root, v, l), before[l] | E_A);
                for (unsigned l = L; l <= 4; l++)
                    CHECK_EQ(rd64(&h, ea(&h, h.root, v, l)), l > L ? (before[l] | E_A) : before[l]);
                CHECK_EQ(mmu_last_info(h.m)->fault_level, L);
                h_free(&h);
            }
        }
    }
}

/* Implicit supervisor-mode accesses (SDM 4.6.1, contract [T:implicit]): a
 * supervisor access whatever CPL, so the error code's U/S is 0; with
 * CR4.SMAP = 1 no data access to a user-mode page, whatever RFLAGS.AC; with
 * SMAP = 0 the explicit supervisor rules (CR0.WP). Each case on a fresh MMU
 * so that every answer comes from a walk. */
static void test_implicit(void)
{
    printf("test_implicit\n");
    const uint64_t vu = 0x0000000000601000ull, fu = 0x0000000444444000ull; /* user, writable */
    const uint64_t vr = 0x0000000000603000ull, fr = 0x0000000555555000ull; /* user, read-only */
    const uint64_t vs = 0x0000000000605000ull, fs = 0x0000000666666000ull; /* supervisor, writable */
    struct {
        uint32_t mode;
        uint64_t va, fa;
        unsigned acc;
        bool user, implicit;
        mmu_cause_t cause; /* MMU_CAUSE_NONE: translates */
        unsigned err;
    } c[] = {
        /* SMAP = 1, AC = 0: explicit and implicit both blocked on user pages */
        {WP | SMAP, vu, fu, RD, SUP, false, MMU_CAUSE_SMAP, PF_P},
        {WP | SMAP, vu, fu, RD, SUP, true, MMU_CAUSE_SMAP, PF_P},
        /* SMAP = 1, AC = 1: explicit allowed, implicit still blocked */
        {WP | SMAP | AC, vu, fu, RD, SUP, false, MMU_CAUSE_NONE, 0},
        {WP | SMAP | AC, vu, fu, RD, SUP, true, MMU_CAUSE_SMAP, PF_P},
        {WP | SMAP | AC, vu, fu, WR, SUP, false, MMU_CAUSE_NONE, 0},
        {WP | SMAP | AC, vu, fu, WR, SUP, true, MMU_CAUSE_SMAP, PF_P | PF_W},
        /* implicit at CPL 3 (req_user = 1): a supervisor access, U/S = 0 in the error code */
        {WP | SMAP | AC, vu, fu, RD, USR, true, MMU_CAUSE_SMAP, PF_P},
        {WP | SMAP, vs, fs, WR, USR, true, MMU_CAUSE_NONE, 0}, /* a user access would fault (user) */
        {WP | SMAP, vs, fs, RD, USR, false, MMU_CAUSE_USER, PF_P | PF_U},
        /* SMAP = 0: implicit reads and writes of user pages follow CR0.WP */
        {WP, vu, fu, RD, SUP, true, MMU_CAUSE_NONE, 0},
        {WP, vu, fu, WR, SUP, true, MMU_CAUSE_NONE, 0},
        {WP, vr, fr, WR, SUP, true, MMU_CAUSE_WRITE, PF_P | PF_W},
        {0, vr, fr, WR, SUP, true, MMU_CAUSE_NONE, 0},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        H h;
        h_init(&h, c[i].mode);
        map(&h, h.root, vu, fu, MMU_PS_4K, PT_U | PT_W);
        map(&h, h.root, vr, fr, MMU_PS_4K, PT_U);
        map(&h, h.root, vs, fs, MMU_PS_4K, PT_W);
        res_t r = translate_i(&h, c[i].va + 0x28, c[i].acc, c[i].user, c[i].implicit);
        if (c[i].cause == MMU_CAUSE_NONE) {
            CHECK_OK(r, c[i].fa + 0x28, MMU_PS_4K, MMU_SRC_WALK);
        } else {
            CHECK_PF(r, c[i].va + 0x28, c[i].cause, c[i].err, MMU_PS_4K);
        }
        if (r.o.rsp_cause != c[i].cause)
            fprintf(stderr, "  implicit case %zu\n", i);
        CHECK_EQ(mmu_last_info(h.m)->implicit, c[i].implicit);
        h_free(&h);
    }
    /* a TLB entry filled by an allowed explicit access (SMAP, AC = 1) is not
     * usable by an implicit access (soft miss, 5.4): it walks and faults */
    H h;
    h_init(&h, WP | SMAP | AC);
    map(&h, h.root, vu, fu, MMU_PS_4K, PT_U | PT_W | PT_A | PT_D);
    set_a(&h, h.root, vu, 1);
    res_t r = translate(&h, vu, RD, SUP);
    CHECK_OK(r, fu, MMU_PS_4K, MMU_SRC_WALK);
    r = translate(&h, vu + 8, RD, SUP);
    CHECK_HIT(r, fu + 8);
    r = translate_i(&h, vu + 16, RD, SUP, true);
    CHECK_PF(r, vu + 16, MMU_CAUSE_SMAP, PF_P, MMU_PS_4K);
    CHECK_EQ(r.nrd, 1); /* the PDE cache gives the page table */
    h_free(&h);
}

/* Processors without 1 GiB pages (mode bit NOPG1G, CPUID.80000001H:EDX.
 * Page1GB = 0): PDPTE.PS = 1 is a reserved bit (SDM 4.5.4): a 1 GiB mapping
 * faults with RSVD at the PDPTE (2 reads, size 3); 2 MiB and 4 KiB pages
 * translate as before. Writing the bit flushes every TLB entry (contract
 * 2.4), so a 1 GiB translation cached before does not survive it. */
static void test_no_1g_pages(void)
{
    printf("test_no_1g_pages\n");
    const uint64_t v1 = 0x0000004000000000ull, f1 = 0x0000000880000000ull;
    const uint64_t v2 = 0x0000008000200000ull, f2 = 0x0000000900200000ull;
    const uint64_t v4 = 0x000000C000003000ull, f4 = 0x0000000a00003000ull;
    H h;
    h_init(&h, WP | NXE);
    map(&h, h.root, v1, f1, MMU_PS_1G, PT_U | PT_W);
    map(&h, h.root, v2, f2, MMU_PS_2M, PT_U | PT_W);
    map(&h, h.root, v4, f4, MMU_PS_4K, PT_U | PT_W);
    res_t r = translate(&h, v1 + 0x123456, RD, USR);
    CHECK_OK(r, f1 + 0x123456, MMU_PS_1G, MMU_SRC_WALK);
    r = translate(&h, v1 + 0x200000, RD, USR);
    CHECK_HIT(r, f1 + 0x200000);
    mode(&h, WP | NXE | MMU_MODE_NOPG1G);
    r = translate(&h, v1 + 0x300000, RD, USR);
    CHECK_PF(r, v1 + 0x300000, MMU_CAUSE_RSVD, PF_P | PF_R | PF_U, MMU_PS_NONE);
    CHECK_EQ(mmu_last_info(h.m)->fault_level, 3);
    r = translate(&h, v2 + 0x1234, WR, USR);
    CHECK_OK(r, f2 + 0x1234, MMU_PS_2M, MMU_SRC_WALK);
    r = translate(&h, v4 + 0x10, RD, SUP);
    CHECK_OK(r, f4 + 0x10, MMU_PS_4K, MMU_SRC_WALK);
    /* and back: the bit cleared, 1 GiB pages translate again */
    mode(&h, WP | NXE);
    r = translate(&h, v1 + 0x400000, RD, USR);
    CHECK_OK(r, f1 + 0x400000, MMU_PS_1G, MMU_SRC_WALK);
    h_free(&h);
}

/* The MMU's own counters (docs/stats.md "arrays", "walks"), counted by hand
 * for this file's configuration (DTLB 4K 8 entries 2-way = 4 sets, 2M and
 * 1G arrays present, STLB 16 entries 4-way, three PWCs; memory latency 2):
 *  1. read v, fresh tables: each DTLB array looks it up and misses, the
 *     STLB misses, the walk's PWC lookups miss; the walk (4 reads, 4 A
 *     updates: 28 cycles from acceptance, dispatched 3 cycles in, done at
 *     27: 25 cycles) fills the STLB, dtlb4k and the three PWCs;
 *  2. write v+8: dtlb4k holds it with D = 0: a soft miss there (2M and 1G
 *     miss), the STLB too; the walk's PWC lookup hits in all three caches,
 *     reads the PTE and sets D (10 cycles: 7 of walk); it rewrites the
 *     STLB and dtlb4k entries (fills, not evictions) and fills no PWC (it
 *     read no non-leaf entry);
 *  3. read v+16: a dtlb4k hit (2M and 1G miss);
 *  4. reads of two more pages whose page numbers are v's + 4 and + 8 (the
 *     same dtlb4k set, 2 ways): the second of them evicts v's entry; the
 *     STLB set has 4 ways: no eviction. */
static const sa_counts_t *counts(H *h, const char *name)
{
    int id = mmu_array_find(h->m, name);
    CHECK(id >= 0);
    static const sa_counts_t none;
    return id >= 0 ? &mmu_array(h->m, (unsigned)id)->cnt : &none;
}

static void test_counters(void)
{
    printf("test_counters\n");
    H h;
    h_init(&h, WP);
    const uint64_t v = 0x0000000000410000ull, f = 0x0000000777770000ull;
    for (unsigned i = 0; i < 3; i++)
        map(&h, h.root, v + i * 0x4000, f + i * 0x4000, MMU_PS_4K, PT_W);
    translate(&h, v, RD, SUP);
    translate(&h, v + 8, WR, SUP);
    res_t r = translate(&h, v + 16, RD, SUP);
    CHECK_HIT(r, f + 16);
    translate(&h, v + 0x4000, RD, SUP);
    translate(&h, v + 0x8000, RD, SUP);
    const sa_counts_t *d4 = counts(&h, "dtlb4k"), *d2 = counts(&h, "dtlb2m");
    const sa_counts_t *st = counts(&h, "stlb"), *i4 = counts(&h, "itlb4k");
    /* dtlb4k: reads 1, 3, 4a, 4b = 4 lookups (1 hit: 3); the write a soft miss */
    CHECK_EQ(d4->lookups[RD], 4);
    CHECK_EQ(d4->hits[RD], 1);
    CHECK_EQ(d4->soft[RD], 0);
    CHECK_EQ(d4->lookups[WR], 1);
    CHECK_EQ(d4->hits[WR], 0);
    CHECK_EQ(d4->soft[WR], 1);
    CHECK_EQ(d4->fills, 4); /* walks of 1, 2, 4a, 4b */
    CHECK_EQ(d4->evictions, 1);
    CHECK_EQ(d2->lookups[RD] + d2->lookups[WR], 5);
    CHECK_EQ(d2->hits[RD] + d2->soft[RD] + d2->soft[WR], 0);
    CHECK_EQ(i4->lookups[RD] + i4->lookups[WR] + i4->lookups[EX], 0);
    /* stlb: the misses of 1, 4a, 4b and the write's soft miss */
    CHECK_EQ(st->lookups[RD], 3);
    CHECK_EQ(st->hits[RD], 0);
    CHECK_EQ(st->lookups[WR], 1);
    CHECK_EQ(st->soft[WR], 1);
    CHECK_EQ(st->fills, 4);
    CHECK_EQ(st->evictions, 0);
    /* PWCs: 1 misses all three; 2, 4a, 4b hit all three (same PDE region) */
    static const char *const pwcs[] = {"pml4e", "pdpte", "pde"};
    for (int a = 0; a < 3; a++) {
        const sa_counts_t *c = counts(&h, pwcs[a]);
        CHECK_EQ(c->lookups[RD], 3);
        CHECK_EQ(c->hits[RD], 2);
        CHECK_EQ(c->lookups[WR], 1);
        CHECK_EQ(c->hits[WR], 1);
        CHECK_EQ(c->fills, 1);
    }
    const mmu_walk_counts_t *w = mmu_walk_counts(h.m);
    CHECK_EQ(w->started[RD], 3);
    CHECK_EQ(w->completed[RD], 3);
    CHECK_EQ(w->faulted[RD], 0);
    CHECK_EQ(w->started[WR], 1);
    CHECK_EQ(w->completed[WR], 1);
    /* walk cycles (dispatch to completion): 1: 25; 2: 7; 4a and 4b: the PDE
     * cache gives the table, 1 read and 1 A update: 4 + 3 * 2 = 10 from
     * acceptance, 7 of walk each */
    CHECK_EQ(w->cycles[RD], 25 + 7 + 7);
    CHECK_EQ(w->cycles[WR], 7);
    CHECK_EQ(w->active_cycles[RD], 25 + 7 + 7); /* one at a time */
    CHECK_EQ(w->restarts, 0);
    h_free(&h);
}

static void test_flush_cr3_nopcid(void)
{
    printf("test_flush_cr3_nopcid\n");
    H h;
    h_init(&h, WP | PGE);
    res_t r;
    /* N non-global, G global, in the same page table; page numbers 0 and 1
     * mod 4: different DTLB sets */
    const uint64_t n = 0x0000000000400000ull, g = n + 0x1000;
    const uint64_t fn = 0x0000000A00000000ull, fg = 0x0000000A00001000ull;
    map(&h, h.root, n, fn, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(&h, h.root, g, fg, MMU_PS_4K, PT_W | PT_A | PT_D | PT_G);
    r = translate(&h, n, RD, SUP);
    CHECK_WALK(r, fn, 0);
    r = translate(&h, g, RD, SUP);
    CHECK_WALK(r, fg, 3);
    r = translate(&h, n + 1, RD, SUP);
    CHECK_HIT(r, fn + 1);
    r = translate(&h, g + 1, RD, SUP);
    CHECK_HIT(r, fg + 1);
    /* MOV to CR3, PCIDE = 0: PCID 0 except global, and all PWC of PCID 0 */
    cr3(&h, h.root);
    r = translate(&h, g + 2, RD, SUP); /* global: kept */
    CHECK_HIT(r, fg + 2);
    r = translate(&h, n + 2, RD, SUP); /* walk from scratch: no PWC hit */
    CHECK_WALK(r, fn + 2, 0);
    CHECK_EQ(r.nrd, 4);
    CHECK_EQ(r.lat, 16); /* A set everywhere by the first walk */
    /* with PGE = 0 at the fill, G = 1 does not make an entry global */
    mode(&h, WP); /* PGE 1 -> 0 flushes everything */
    r = translate(&h, g, RD, SUP);
    CHECK_WALK(r, fg, 0);
    cr3(&h, h.root);
    r = translate(&h, g, RD, SUP);
    CHECK_WALK(r, fg, 0);
    h_free(&h);
}

static void test_flush_cr3_pcid(void)
{
    printf("test_flush_cr3_pcid\n");
    H h;
    h_init(&h, WP | PGE | PCIDE);
    res_t r;
    const uint64_t NOFLUSH = 1ull << 63;
    const uint64_t x = 0x0000000000600000ull, g = x + 0x1000;
    const uint64_t f1 = 0x0000000B00000000ull, f2 = 0x0000000C00000000ull, fg = 0x0000000D00001000ull;
    map(&h, h.root, x, f1, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(&h, h.root2, x, f2, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(&h, h.root, g, fg, MMU_PS_4K, PT_W | PT_A | PT_D | PT_G);
    mmu_set_state(h.m, h.root | 1, WP | PGE | PCIDE); /* PCID 1 */
    r = translate(&h, x, RD, SUP);
    CHECK_WALK(r, f1, 0);
    r = translate(&h, g, RD, SUP);
    CHECK_WALK(r, fg, 3);
    /* to PCID 2 without flush: X is not cached for PCID 2 -> walk root2 */
    cr3(&h, NOFLUSH | h.root2 | 2);
    r = translate(&h, x + 4, RD, SUP);
    CHECK_WALK(r, f2 + 4, 0); /* PWC entries are per PCID: none for 2 yet */
    r = translate(&h, x + 8, RD, SUP);
    CHECK_HIT(r, f2 + 8);
    r = translate(&h, g + 8, RD, SUP); /* global entry matches any PCID */
    CHECK_HIT(r, fg + 8);
    /* back to PCID 1 without flush: its entry survived */
    cr3(&h, NOFLUSH | h.root | 1);
    r = translate(&h, x + 12, RD, SUP);
    CHECK_HIT(r, f1 + 12);
    /* to PCID 2 with bit 63 = 0: flushes PCID 2 (non-global) and its PWC */
    cr3(&h, h.root2 | 2);
    r = translate(&h, g + 16, RD, SUP); /* global kept */
    CHECK_HIT(r, fg + 16);
    r = translate(&h, x + 16, RD, SUP);
    CHECK_WALK(r, f2 + 16, 0);
    CHECK_EQ(r.nrd, 4);
    /* PCID 1's entry survived the flush of PCID 2 */
    cr3(&h, NOFLUSH | h.root | 1);
    r = translate(&h, x + 20, RD, SUP);
    CHECK_HIT(r, f1 + 20);
    /* and its PWC entries too: a new page in the same page table walks
     * from the PDE cache */
    const uint64_t y = x + 0x2000, fy = 0x0000000B00002000ull;
    map(&h, h.root, y, fy, MMU_PS_4K, PT_W | PT_A | PT_D);
    r = translate(&h, y, RD, SUP);
    CHECK_WALK(r, fy, 3);
    /* PCID 1 flush (bit 63 = 0, same CR3): X walks, PCID 2's X survives */
    cr3(&h, h.root | 1);
    r = translate(&h, x + 24, RD, SUP);
    CHECK_WALK(r, f1 + 24, 0);
    cr3(&h, NOFLUSH | h.root2 | 2);
    r = translate(&h, x + 28, RD, SUP);
    CHECK_HIT(r, f2 + 28);
    h_free(&h);
}

static void test_flush_invlpg(void)
{
    printf("test_flush_invlpg\n");
    H h;
    h_init(&h, WP | PGE);
    res_t r;
    /* A, B, C, G: page numbers 0, 1, 2, 3 mod 4 (all DTLB sets distinct) */
    const uint64_t a = 0x0000000000800000ull, b = a + 0x1000, c = a + 0x2000, g = a + 0x3000;
    const uint64_t l = 0x0000000040000000ull; /* 2 MiB page */
    const uint64_t fa = 0x0000000E00000000ull, fb = fa + 0x1000, fc = fa + 0x2000, fg = fa + 0x3000;
    const uint64_t fl = 0x0000000F00000000ull;
    map(&h, h.root, a, fa, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(&h, h.root, b, fb, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(&h, h.root, c, fc, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(&h, h.root, g, fg, MMU_PS_4K, PT_W | PT_A | PT_D | PT_G);
    map(&h, h.root, l, fl, MMU_PS_2M, PT_W | PT_A | PT_D);
    set_a(&h, h.root, a, 1);
    set_a(&h, h.root, l, 2);
    r = translate(&h, a, RD, SUP);
    CHECK_WALK(r, fa, 0);
    r = translate(&h, b, RD, SUP);
    CHECK_WALK(r, fb, 3);
    r = translate(&h, g, RD, SUP);
    CHECK_WALK(r, fg, 3);
    r = translate(&h, l, RD, SUP);
    CHECK_WALK(r, fl, 1); /* PML4E (slot 0) cached by A's walk */

    /* INVLPG A: A's entry gone, B stays; all PWC entries of the current PCID
     * gone -> A re-walks from the PML4E */
    invlpg(&h, a + 0x123);
    r = translate(&h, b + 4, RD, SUP);
    CHECK_HIT(r, fb + 4);
    r = translate(&h, a + 4, RD, SUP);
    CHECK_WALK(r, fa + 4, 0);
    CHECK_EQ(r.nrd, 4);
    CHECK_EQ(r.lat, 16);
    r = translate(&h, g + 4, RD, SUP);
    CHECK_HIT(r, fg + 4);
    r = translate(&h, l + 4, RD, SUP);
    CHECK_HIT(r, fl + 4);

    /* INVLPG of a non-canonical address: a no-op (no TLB, no PWC) */
    invlpg(&h, 0x0000800000000000ull + 0x800000);
    r = translate(&h, a + 8, RD, SUP);
    CHECK_HIT(r, fa + 8);
    r = translate(&h, c, RD, SUP); /* never accessed; the PDE cache still holds A's table */
    CHECK_WALK(r, fc, 3);

    /* INVLPG of a global page flushes it */
    invlpg(&h, g);
    r = translate(&h, g + 12, RD, SUP);
    CHECK_WALK(r, fg + 12, 0);
    /* INVLPG in the middle of a 2 MiB page flushes the 2 MiB entry */
    invlpg(&h, l + 0x12345);
    r = translate(&h, l + 12, RD, SUP);
    CHECK_WALK(r, fl + 12, 0);
    CHECK_EQ(r.o.rsp_size, MMU_PS_2M);
    r = translate(&h, a + 12, RD, SUP); /* A was not touched by these */
    CHECK_HIT(r, fa + 12);
    h_free(&h);

    /* with PCIDs: INVLPG removes the current PCID's entry and global
     * entries for the page whatever their PCID; other PCIDs' non-global
     * entries for the page stay */
    h_init(&h, WP | PGE | PCIDE);
    const uint64_t NOFLUSH = 1ull << 63;
    const uint64_t x = 0x0000000000A00000ull, gx = x + 0x1000;
    const uint64_t f1 = 0x0000001100000000ull, f2 = 0x0000001200000000ull, fgx = 0x0000001300001000ull;
    map(&h, h.root, x, f1, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(&h, h.root2, x, f2, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(&h, h.root, gx, fgx, MMU_PS_4K, PT_W | PT_A | PT_D | PT_G);
    map(&h, h.root2, gx, fgx, MMU_PS_4K, PT_W | PT_A | PT_D | PT_G);
    mmu_set_state(h.m, h.root | 1, WP | PGE | PCIDE);
    r = translate(&h, x, RD, SUP);
    CHECK_WALK(r, f1, 0);
    r = translate(&h, gx, RD, SUP); /* global, filled under PCID 1 */
    CHECK_WALK(r, fgx, 3);
    cr3(&h, NOFLUSH | h.root2 | 2);
    r = translate(&h, x, RD, SUP);
    CHECK_WALK(r, f2, 0);
    invlpg(&h, x);  /* PCID 2's X */
    invlpg(&h, gx); /* the global entry (filled under PCID 1) */
    cr3(&h, NOFLUSH | h.root | 1);
    r = translate(&h, x + 4, RD, SUP);
    CHECK_HIT(r, f1 + 4);
    r = translate(&h, gx + 4, RD, SUP);
    CHECK_WALK(r, fgx + 4, 3); /* PCID 1's PWC survived INVLPG in PCID 2 */
    cr3(&h, NOFLUSH | h.root2 | 2);
    r = translate(&h, x + 8, RD, SUP);
    CHECK_WALK(r, f2 + 8, 0);
    h_free(&h);
}

/* INVPCID fixture: PCIDE = 1, PGE = 1; in PCID 1 (root): A, B non-global,
 * G global; in PCID 2 (root2): X non-global. All cached, current PCID 1. */
typedef struct {
    uint64_t a, b, g, x, fa, fb, fg, fx;
} inv_fix_t;

static void inv_setup(H *h, inv_fix_t *s)
{
    h_init(h, WP | PGE | PCIDE);
    s->a = 0x0000000000C00000ull; /* page numbers 0, 1, 2, 3 mod 4 */
    s->b = s->a + 0x1000;
    s->g = s->a + 0x2000;
    s->x = s->a + 0x3000;
    s->fa = 0x0000001400000000ull;
    s->fb = 0x0000001400001000ull;
    s->fg = 0x0000001400002000ull;
    s->fx = 0x0000001500003000ull;
    map(h, h->root, s->a, s->fa, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(h, h->root, s->b, s->fb, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(h, h->root, s->g, s->fg, MMU_PS_4K, PT_W | PT_A | PT_D | PT_G);
    map(h, h->root2, s->x, s->fx, MMU_PS_4K, PT_W | PT_A | PT_D);
    mmu_set_state(h->m, h->root | 1, WP | PGE | PCIDE);
    res_t r;
    r = translate(h, s->a, RD, SUP);
    CHECK_WALK(r, s->fa, 0);
    r = translate(h, s->b, RD, SUP);
    CHECK_WALK(r, s->fb, 3);
    r = translate(h, s->g, RD, SUP);
    CHECK_WALK(r, s->fg, 3);
    cr3(h, (1ull << 63) | h->root2 | 2);
    r = translate(h, s->x, RD, SUP);
    CHECK_WALK(r, s->fx, 0);
    cr3(h, (1ull << 63) | h->root | 1);
}

/* X's state, seen from PCID 2; returns to PCID 1 */
static res_t probe_x(H *h, const inv_fix_t *s)
{
    cr3(h, (1ull << 63) | h->root2 | 2);
    res_t r = translate(h, s->x + 0x40, RD, SUP);
    cr3(h, (1ull << 63) | h->root | 1);
    return r;
}

static void test_flush_invpcid(void)
{
    printf("test_flush_invpcid\n");
    H h;
    inv_fix_t s;
    res_t r;

    /* type 0 (individual address, PCID 1, A): A gone (and all PWC of PCID 1),
     * B, G, X stay; type 0 does not remove global entries */
    inv_setup(&h, &s);
    invpcid(&h, 0, 1, s.a);
    r = translate(&h, s.b + 1, RD, SUP);
    CHECK_HIT(r, s.fb + 1);
    r = translate(&h, s.g + 1, RD, SUP);
    CHECK_HIT(r, s.fg + 1);
    r = translate(&h, s.a + 1, RD, SUP);
    CHECK_WALK(r, s.fa + 1, 0);
    invpcid(&h, 0, 1, s.g); /* global: kept */
    r = translate(&h, s.g + 2, RD, SUP);
    CHECK_HIT(r, s.fg + 2);
    invpcid(&h, 0, 2, s.b); /* B for PCID 2: PCID 1's B stays */
    r = translate(&h, s.b + 2, RD, SUP);
    CHECK_HIT(r, s.fb + 2);
    r = probe_x(&h, &s);
    CHECK_HIT(r, s.fx + 0x40);
    h_free(&h);

    /* type 1 (single context, PCID 1): A, B gone, G stays, PCID 2's X stays */
    inv_setup(&h, &s);
    invpcid(&h, 1, 1, 0);
    r = translate(&h, s.g + 3, RD, SUP);
    CHECK_HIT(r, s.fg + 3);
    r = translate(&h, s.a + 3, RD, SUP);
    CHECK_WALK(r, s.fa + 3, 0);
    r = translate(&h, s.b + 3, RD, SUP);
    CHECK_WALK(r, s.fb + 3, 3);
    r = probe_x(&h, &s);
    CHECK_HIT(r, s.fx + 0x40);
    h_free(&h);

    /* type 1 for the other PCID (2), issued from PCID 1: PCID 1 untouched */
    inv_setup(&h, &s);
    invpcid(&h, 1, 2, 0);
    r = translate(&h, s.a + 4, RD, SUP);
    CHECK_HIT(r, s.fa + 4);
    r = translate(&h, s.b + 4, RD, SUP);
    CHECK_HIT(r, s.fb + 4);
    r = probe_x(&h, &s);
    CHECK_WALK(r, s.fx + 0x40, 0);
    h_free(&h);

    /* type 2 (all contexts, including global): everything walks */
    inv_setup(&h, &s);
    invpcid(&h, 2, 0, 0);
    r = translate(&h, s.g + 5, RD, SUP);
    CHECK_WALK(r, s.fg + 5, 0);
    r = translate(&h, s.a + 5, RD, SUP);
    CHECK_WALK(r, s.fa + 5, 3);
    r = probe_x(&h, &s);
    CHECK_WALK(r, s.fx + 0x40, 0);
    h_free(&h);

    /* type 3 (all contexts except global): A, B, X walk, G stays */
    inv_setup(&h, &s);
    invpcid(&h, 3, 0, 0);
    r = translate(&h, s.g + 6, RD, SUP);
    CHECK_HIT(r, s.fg + 6);
    r = translate(&h, s.a + 6, RD, SUP);
    CHECK_WALK(r, s.fa + 6, 0);
    r = translate(&h, s.b + 6, RD, SUP);
    CHECK_WALK(r, s.fb + 6, 3);
    r = probe_x(&h, &s);
    CHECK_WALK(r, s.fx + 0x40, 0);
    h_free(&h);
}

static void test_flush_mode(void)
{
    printf("test_flush_mode\n");
    H h;
    res_t r;
    const uint64_t n = 0x0000000000E00000ull, g = n + 0x1000;
    const uint64_t fn = 0x0000001600000000ull, fg = 0x0000001600001000ull;

    /* PGE 1 -> 0: all, including global */
    h_init(&h, WP | PGE);
    map(&h, h.root, n, fn, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(&h, h.root, g, fg, MMU_PS_4K, PT_W | PT_A | PT_D | PT_G);
    translate(&h, n, RD, SUP);
    translate(&h, g, RD, SUP);
    mode(&h, WP);
    r = translate(&h, g, RD, SUP);
    CHECK_WALK(r, fg, 0);
    r = translate(&h, n, RD, SUP);
    CHECK_WALK(r, fn, 3);
    /* PGE 0 -> 1: all again */
    mode(&h, WP | PGE);
    r = translate(&h, n + 1, RD, SUP);
    CHECK_WALK(r, fn + 1, 0);
    r = translate(&h, g + 1, RD, SUP);
    CHECK_WALK(r, fg + 1, 3);
    /* writes that change nothing relevant: WP, SMAP, NXE, AC -> no flush */
    mode(&h, PGE);
    mode(&h, PGE | NXE);
    mode(&h, PGE | NXE | SMAP | AC);
    mode(&h, WP | PGE | NXE | SMAP | AC);
    r = translate(&h, n + 2, RD, SUP);
    CHECK_HIT(r, fn + 2);
    r = translate(&h, g + 2, RD, SUP);
    CHECK_HIT(r, fg + 2);
    /* PCIDE 0 -> 1: no flush (CR3[11:0] = 0, so the current PCID stays 0) */
    mode(&h, WP | PGE | PCIDE);
    r = translate(&h, n + 3, RD, SUP);
    CHECK_HIT(r, fn + 3);
    /* PCIDE 1 -> 0: all, including global */
    mode(&h, WP | PGE);
    r = translate(&h, g + 3, RD, SUP);
    CHECK_WALK(r, fg + 3, 0);
    r = translate(&h, n + 3, RD, SUP);
    CHECK_WALK(r, fn + 3, 3);
    h_free(&h);

    /* SMEP 0 -> 1: the current PCID's entries and PWC; 1 -> 0: nothing */
    h_init(&h, WP);
    map(&h, h.root, n, fn, MMU_PS_4K, PT_W | PT_A | PT_D);
    map(&h, h.root, g, fg, MMU_PS_4K, PT_W | PT_A | PT_D);
    translate(&h, n, RD, SUP);
    translate(&h, g, RD, SUP);
    mode(&h, WP | SMEP);
    r = translate(&h, n + 4, RD, SUP);
    CHECK_WALK(r, fn + 4, 0);
    r = translate(&h, g + 4, RD, SUP);
    CHECK_WALK(r, fg + 4, 3);
    mode(&h, WP); /* SMEP 1 -> 0 */
    r = translate(&h, n + 5, RD, SUP);
    CHECK_HIT(r, fn + 5);
    mode(&h, WP | SMEP); /* 0 -> 1 again */
    r = translate(&h, g + 5, RD, SUP);
    CHECK_WALK(r, fg + 5, 0);
    mode(&h, WP | SMEP | SMAP); /* SMEP stays 1: no flush */
    r = translate(&h, g + 6, RD, SUP);
    CHECK_HIT(r, fg + 6);
    h_free(&h);

    /* SMEP 0 -> 1 with PCIDs (SDM 4.10.4.1: "all TLB entries and all entries
     * in all paging-structure caches for the current PCID"; contract: "all
     * with the current PCID"): entries of PCID 1, the global one filled
     * under PCID 1 included, go; PCID 2's entries, and a global entry
     * filled under PCID 2, stay */
    {
        const uint64_t NOFLUSH = 1ull << 63;
        const uint64_t g1 = n + 0x2000, g2 = n + 0x3000, x = n + 0x4000; /* sets 2, 3, 0 */
        const uint64_t fg1 = 0x0000001600002000ull, fg2 = 0x0000001600003000ull, fx = 0x0000001A00004000ull;
        h_init(&h, WP | PGE | PCIDE);
        map(&h, h.root, n, fn, MMU_PS_4K, PT_W | PT_A | PT_D);
        map(&h, h.root, g1, fg1, MMU_PS_4K, PT_W | PT_A | PT_D | PT_G);
        map(&h, h.root, g2, fg2, MMU_PS_4K, PT_W | PT_A | PT_D | PT_G);
        map(&h, h.root2, g2, fg2, MMU_PS_4K, PT_W | PT_A | PT_D | PT_G);
        map(&h, h.root2, x, fx, MMU_PS_4K, PT_W | PT_A | PT_D);
        mmu_set_state(h.m, h.root | 1, WP | PGE | PCIDE);
        r = translate(&h, n, RD, SUP);
        CHECK_WALK(r, fn, 0);
        r = translate(&h, g1, RD, SUP);
        CHECK_WALK(r, fg1, 3);
        cr3(&h, NOFLUSH | h.root2 | 2);
        r = translate(&h, g2, RD, SUP); /* global, filled under PCID 2 */
        CHECK_WALK(r, fg2, 0);
        r = translate(&h, x, RD, SUP);
        CHECK_WALK(r, fx, 3);
        cr3(&h, NOFLUSH | h.root | 1);
        mode(&h, WP | PGE | PCIDE | SMEP);
        r = translate(&h, g2 + 1, RD, SUP);
        CHECK_HIT(r, fg2 + 1);
        r = translate(&h, g1 + 1, RD, SUP);
        CHECK_WALK(r, fg1 + 1, 0);
        r = translate(&h, n + 1, RD, SUP);
        CHECK_WALK(r, fn + 1, 3);
        cr3(&h, NOFLUSH | h.root2 | 2);
        r = translate(&h, x + 1, RD, SUP);
        CHECK_HIT(r, fx + 1);
        /* PCID 2's PWC entries survived too: a new page of x's page table */
        const uint64_t x2 = n + 0x5000, fx2 = 0x0000001A00005000ull;
        map(&h, h.root2, x2, fx2, MMU_PS_4K, PT_W | PT_A | PT_D);
        r = translate(&h, x2, RD, SUP);
        CHECK_WALK(r, fx2, 3);
        h_free(&h);
    }
}

/* ------------------------------------------------------- 6. PCID isolation */

static void test_pcid_isolation(void)
{
    printf("test_pcid_isolation\n");
    H h;
    h_init(&h, WP | PCIDE);
    res_t r;
    const uint64_t NOFLUSH = 1ull << 63;
    const uint64_t v = 0x00007FFF00001000ull; /* same VA in both address spaces */
    const uint64_t f1 = 0x0000001700001000ull, f2 = 0x0000001800001000ull;
    map(&h, h.root, v, f1, MMU_PS_4K, PT_W | PT_U | PT_A | PT_D);
    map(&h, h.root2, v, f2, MMU_PS_4K, PT_W | PT_U | PT_A | PT_D);
    mmu_set_state(h.m, h.root | 0x123, WP | PCIDE); /* PCID 0x123 */
    r = translate(&h, v + 0x10, WR, USR);
    CHECK_WALK(r, f1 + 0x10, 0);
    cr3(&h, NOFLUSH | h.root2 | 0x456);
    r = translate(&h, v + 0x10, WR, USR);
    CHECK_WALK(r, f2 + 0x10, 0);
    /* both cached now; every no-flush switch gets its own translation from
     * the L1 TLB */
    for (int i = 0; i < 3; i++) {
        cr3(&h, NOFLUSH | h.root | 0x123);
        r = translate(&h, v + 0x20, WR, USR);
        CHECK_HIT(r, f1 + 0x20);
        cr3(&h, NOFLUSH | h.root2 | 0x456);
        r = translate(&h, v + 0x20, RD, USR);
        CHECK_HIT(r, f2 + 0x20);
    }
    /* a third PCID over root: not cached -> walk */
    cr3(&h, NOFLUSH | h.root | 0x789);
    r = translate(&h, v, RD, USR);
    CHECK_WALK(r, f1, 0);
    /* with PCIDE = 0 only PCID 000H exists: CR3 bits 11:0 are not a PCID */
    h_free(&h);
}

/* ------------------------------------------------ 7. page-fault invalidation */

static void test_fault_invalidation(void)
{
    printf("test_fault_invalidation\n");
    H h;
    h_init(&h, WP);
    res_t r;
    const uint64_t p = 0x0000000001000000ull, q = p + 0x1000;
    const uint64_t fp = 0x0000001900000000ull, fq = 0x0000001900001000ull;
    map(&h, h.root, p, fp, MMU_PS_4K, PT_W); /* D = 0 */
    map(&h, h.root, q, fq, MMU_PS_4K, PT_W);
    r = translate(&h, p, RD, SUP);
    CHECK_WALK(r, fp, 0);
    /* clear P in the PTE, no INVLPG */
    edit(&h, h.root, p, 1, 0, E_P);
    /* a read still hits the stale TLB entry (SDM 4.10.4.3: the processor may
     * use the cached translation until it is invalidated) */
    r = translate(&h, p + 8, RD, SUP);
    CHECK_HIT(r, fp + 8);
    /* a write: the entry has D = 0 -> soft miss -> walk (PDE-cache hit, one
     * read) -> PTE not present: #PF, err W/R = 0x2 */
    r = translate(&h, p + 8, WR, SUP);
    CHECK_PF(r, p + 8, MMU_CAUSE_NOT_PRESENT, PF_W, MMU_PS_NONE);
    CHECK_EQ(r.o.rsp_pwc, 3);
    CHECK_EQ(r.nrd, 1);
    CHECK_EQ(r.nwr, 0);
    /* the fault invalidated the TLB entries (L1 and STLB) for the page and
     * the PWC entries for the address: the next read walks from CR3 */
    r = translate(&h, p + 16, RD, SUP);
    CHECK_PF(r, p + 16, MMU_CAUSE_NOT_PRESENT, 0, MMU_PS_NONE);
    CHECK_EQ(r.o.rsp_pwc, 0);
    CHECK_EQ(r.nrd, 4);
    /* the neighbour page of the same page table: its PWC entries are gone
     * too (same PML4E/PDPTE/PDE tags) */
    r = translate(&h, q, RD, SUP);
    CHECK_WALK(r, fq, 0);
    /* P back: the page translates again (nothing stale is left) */
    edit(&h, h.root, p, 1, E_P, 0);
    r = translate(&h, p + 24, WR, SUP);
    CHECK_WALK(r, fp + 24, 3);

    /* a rights fault invalidates too: a global page (PGE) cached with R/W = 1;
     * R/W cleared in the PTE; a write hits the cached entry (D = 1, R/W = 1):
     * allowed, stale. A user write: the entry is supervisor -> soft miss ->
     * walk -> user fault; the global entry is gone afterwards */
    mode(&h, WP | PGE);
    const uint64_t gv = p + 0x2000, fgv = 0x0000001900002000ull;
    map(&h, h.root, gv, fgv, MMU_PS_4K, PT_W | PT_A | PT_D | PT_G);
    r = translate(&h, gv, WR, SUP);
    CHECK_WALK(r, fgv, 0);
    edit(&h, h.root, gv, 1, 0, E_RW);
    r = translate(&h, gv + 4, WR, SUP);
    CHECK_HIT(r, fgv + 4);
    r = translate(&h, gv + 4, RD, USR);
    CHECK_PF(r, gv + 4, MMU_CAUSE_USER, PF_P | PF_U, MMU_PS_4K);
    /* the user fault removed the global entry (7b: global ones included):
     * the supervisor write no longer hits the stale R/W = 1 entry; it
     * walks and sees R/W = 0 */
    r = translate(&h, gv + 8, WR, SUP);
    CHECK_PF(r, gv + 8, MMU_CAUSE_WRITE, PF_P | PF_W, MMU_PS_4K);
    r = translate(&h, gv + 8, RD, SUP); /* PWC entries for the address gone too */
    CHECK_WALK(r, fgv + 8, 0);
    h_free(&h);
}

/* ------------------------------------------------------- 8. determinism */

typedef struct {
    uint64_t cycle;
    uint32_t id;
    uint64_t paddr;
    uint8_t size, fault, cause, err, src, pwc;
    uint64_t fault_addr;
} rsp_rec_t;

typedef struct {
    uint64_t va;
    uint8_t acc;
    bool user;
    uint16_t pcid;
} req_rec_t;

static uint64_t prng(uint64_t *s)
{ /* xorshift64* */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

typedef struct {
    uint64_t va;
    unsigned ps;
    uint64_t fl;
    bool in2; /* also mapped in root2 */
} page_t;

static const page_t pages[] = {
    {0x0000000000400000ull, MMU_PS_4K, PT_W | PT_U, true},
    {0x0000000000401000ull, MMU_PS_4K, PT_U, true},
    {0x0000000000402000ull, MMU_PS_4K, PT_W | PT_U | PT_NX, false},
    {0x0000000000403000ull, MMU_PS_4K, PT_W, true},
    {0x0000000000404000ull, MMU_PS_4K, PT_W | PT_U, false},
    {0x0000000000600000ull, MMU_PS_4K, PT_W | PT_U, true},
    {0x0000000000601000ull, MMU_PS_4K, PT_W | PT_U | PT_NX, true},
    {0x00007FFFFFFFE000ull, MMU_PS_4K, PT_W | PT_U, true},
    {0x00007FFFFFFFF000ull, MMU_PS_4K, PT_U, false},
    {0x0000000040000000ull, MMU_PS_2M, PT_W | PT_U, true},
    {0x0000000040200000ull, MMU_PS_2M, PT_U | PT_NX, false},
    {0x0000008000000000ull, MMU_PS_1G, PT_W | PT_U, true},
    {0xFFFF800000000000ull, MMU_PS_4K, PT_W | PT_G, true}, /* kernel, global: same frame in both */
    {0xFFFF800000001000ull, MMU_PS_4K, PT_G, true},
    {0xFFFFFFFF80000000ull, MMU_PS_2M, PT_W | PT_G | PT_NX, true},
};
#define NPAGES (sizeof pages / sizeof pages[0])

/* Independent reference of the expected fault for a mapped page in this
 * scenario: upper levels are P|RW|US, mode WP|NXE (no SMEP/SMAP); SDM 4.6.1. */
static unsigned ref_cause(uint64_t fl, unsigned acc, bool user)
{
    bool u = fl & PT_U, w = fl & PT_W, nx = fl & PT_NX;
    if (user && !u)
        return MMU_CAUSE_USER;
    if (acc == WR && !w)
        return MMU_CAUSE_WRITE; /* user, or supervisor with WP = 1 */
    if (acc == EX && nx)
        return MMU_CAUSE_NX;
    return MMU_CAUSE_NONE;
}

static uint64_t frame_of(unsigned i, unsigned space)
{
    const page_t *p = &pages[i];
    bool global = p->fl & PT_G;
    uint64_t base = (global || space == 0) ? 0x0000002000000000ull : 0x0000003000000000ull;
    return base + (uint64_t)i * 0x40000000ull; /* 1 GiB apart: aligned for every size */
}

typedef struct {
    rsp_rec_t *rsp;
    int nrsp;
    memop_t *mem;
    int nmem;
    uint64_t cycles;
} run_out_t;

static void run_scenario(uint64_t seed, int nreq, run_out_t *out)
{
    H h;
    const uint32_t md = WP | NXE | PGE | PCIDE;
    h_init(&h, md);
    h.reccap = 1 << 16;
    h.rec = calloc((size_t)h.reccap, sizeof *h.rec);
    for (unsigned i = 0; i < NPAGES; i++) {
        map(&h, h.root, pages[i].va, frame_of(i, 0), pages[i].ps, pages[i].fl);
        if (pages[i].in2)
            map(&h, h.root2, pages[i].va, frame_of(i, 1), pages[i].ps, pages[i].fl);
    }
    mmu_set_state(h.m, h.root | 1, md);
    uint64_t s = seed;
    unsigned cur_space = 0;
    uint32_t cur_mode = md;
    req_rec_t *reqs = calloc(65536, sizeof *reqs);
    out->rsp = calloc((size_t)nreq + 16, sizeof *out->rsp);
    out->nrsp = 0;
    int issued = 0, answered = 0, since_ctl = 0;
    bool have = false, ctl_pending = false;
    mmu_in_t cur;
    memset(&cur, 0, sizeof cur);
    mmu_in_t ctlin;
    memset(&ctlin, 0, sizeof ctlin);
    uint64_t guard = 0;
    while (answered < nreq && guard++ < 2000000) {
        /* choose the next request or control operation */
        if (!have && !ctl_pending && issued < nreq) {
            if (since_ctl >= 24 && (prng(&s) % 4) == 0) {
                since_ctl = 0;
                ctl_pending = true;
                memset(&ctlin, 0, sizeof ctlin);
                ctlin.ctl_valid = true;
                unsigned k = (unsigned)(prng(&s) % 5);
                unsigned pi = (unsigned)(prng(&s) % NPAGES);
                if (k == 0) { /* switch address space, no flush */
                    cur_space ^= 1;
                    ctlin.ctl_op = MMU_CTL_CR3;
                    ctlin.ctl_data = (1ull << 63) | (cur_space ? h.root2 | 2 : h.root | 1);
                } else if (k == 1) { /* reload with flush */
                    ctlin.ctl_op = MMU_CTL_CR3;
                    ctlin.ctl_data = cur_space ? h.root2 | 2 : h.root | 1;
                } else if (k == 2) {
                    ctlin.ctl_op = MMU_CTL_INVLPG;
                    ctlin.ctl_addr = pages[pi].va + (prng(&s) & 0xFFF);
                } else if (k == 3) {
                    ctlin.ctl_op = MMU_CTL_INVPCID;
                    ctlin.ctl_type = (uint8_t)(prng(&s) % 4);
                    ctlin.ctl_pcid = (uint16_t)(1 + prng(&s) % 2);
                    ctlin.ctl_addr = pages[pi].va;
                } else {
                    cur_mode ^= PGE;
                    ctlin.ctl_op = MMU_CTL_MODE;
                    ctlin.ctl_data = cur_mode;
                }
            } else {
                have = true;
                since_ctl++;
                memset(&cur, 0, sizeof cur);
                cur.req_valid = true;
                cur.req_id = (uint32_t)issued;
                unsigned pick = (unsigned)(prng(&s) % (NPAGES + 3));
                uint64_t va;
                if (pick < NPAGES) {
                    uint64_t size = 1ull << mmu_ps_shift(pages[pick].ps);
                    va = pages[pick].va + (prng(&s) & (size - 1) & ~7ull);
                } else if (pick == NPAGES) {
                    va = 0x0000000000405000ull; /* unmapped, same page table */
                } else if (pick == NPAGES + 1) {
                    va = 0x0000100000000000ull + (prng(&s) & 0xFFF); /* unmapped PML4 slot */
                } else {
                    va = 0x0000800000000000ull | (prng(&s) & 0xFFFFFFF); /* non-canonical */
                }
                cur.req_vaddr = va;
                cur.req_acc = (uint8_t)(prng(&s) % 3);
                cur.req_user = (prng(&s) & 1) != 0;
            }
        }
        bool offer = have && (prng(&s) % 8) != 0; /* some bubbles */
        mmu_in_t in;
        memset(&in, 0, sizeof in);
        if (ctl_pending)
            in = ctlin;
        else if (offer)
            in = cur;
        uint64_t t = mmu_cycle(h.m);
        mmu_out_t o;
        h_cycle(&h, &in, &o);
        if (ctl_pending && o.ctl_ready)
            ctl_pending = false;
        if (!ctl_pending && offer && o.req_ready && in.req_valid) {
            reqs[issued].va = cur.req_vaddr;
            reqs[issued].acc = cur.req_acc;
            reqs[issued].user = cur.req_user;
            reqs[issued].pcid = (uint16_t)cur_space;
            issued++;
            have = false;
        }
        if (o.rsp_valid) {
            rsp_rec_t rr;
            memset(&rr, 0, sizeof rr);
            rr.cycle = t;
            rr.id = o.rsp_id;
            rr.paddr = o.rsp_paddr;
            rr.size = o.rsp_size;
            rr.fault = o.rsp_fault;
            rr.cause = o.rsp_cause;
            rr.err = o.rsp_err;
            rr.src = o.rsp_src;
            rr.pwc = o.rsp_pwc;
            rr.fault_addr = o.rsp_fault_addr;
            if (out->nrsp < nreq + 16)
                out->rsp[out->nrsp++] = rr;
            answered++;
            /* the architectural result, from the page list (independent of
             * the model): every answer must be what the SDM says for the
             * address space the request was issued in */
            if (o.rsp_id < (uint32_t)issued) {
                const req_rec_t *q = &reqs[o.rsp_id];
                int pi = -1;
                for (unsigned i = 0; i < NPAGES; i++) {
                    uint64_t size = 1ull << mmu_ps_shift(pages[i].ps);
                    if ((q->va & ~(size - 1)) == pages[i].va && (q->pcid == 0 || pages[i].in2))
                        pi = (int)i;
                }
                bool canon = (q->va >> 47) == 0 || (q->va >> 47) == 0x1FFFF;
                uint8_t ec_base = (uint8_t)((q->acc == WR ? PF_W : 0) | (q->user ? PF_U : 0) |
                                            (q->acc == EX ? PF_I : 0)); /* NXE = 1 */
                if (!canon) {
                    CHECK_EQ(o.rsp_fault, MMU_FAULT_GP);
                    CHECK_EQ(o.rsp_err, 0);
                } else if (pi < 0) {
                    CHECK_EQ(o.rsp_fault, MMU_FAULT_PF);
                    CHECK_EQ(o.rsp_cause, MMU_CAUSE_NOT_PRESENT);
                    CHECK_EQ(o.rsp_err, ec_base);
                } else {
                    unsigned c = ref_cause(pages[pi].fl, q->acc, q->user);
                    CHECK_EQ(o.rsp_cause, c);
                    if (c == MMU_CAUSE_NONE) {
                        uint64_t size = 1ull << mmu_ps_shift(pages[pi].ps);
                        CHECK_EQ(o.rsp_paddr, frame_of((unsigned)pi, q->pcid) | (q->va & (size - 1)));
                        CHECK_EQ(o.rsp_size, pages[pi].ps);
                    } else {
                        CHECK_EQ(o.rsp_err, ec_base | PF_P);
                    }
                }
            }
        }
    }
    CHECK_EQ(answered, nreq);
    out->cycles = mmu_cycle(h.m);
    out->mem = h.rec;
    out->nmem = h.nrec;
    h.rec = NULL;
    free(reqs);
    h_free(&h);
}

static void test_determinism(void)
{
    const uint64_t seed = 0x5EED0123456789ABull;
    const int nreq = 3000;
    printf("test_determinism (seed 0x%016llx, %d requests)\n", (unsigned long long)seed, nreq);
    int fail0 = check_fail_;
    run_out_t a, b;
    run_scenario(seed, nreq, &a);
    run_scenario(seed, nreq, &b);
    CHECK_EQ(a.nrsp, nreq);
    CHECK_EQ(a.nrsp, b.nrsp);
    CHECK_EQ(a.nmem, b.nmem);
    CHECK_EQ(a.cycles, b.cycles);
    if (a.nrsp == b.nrsp)
        CHECK(memcmp(a.rsp, b.rsp, (size_t)a.nrsp * sizeof *a.rsp) == 0);
    if (a.nmem == b.nmem)
        CHECK(memcmp(a.mem, b.mem, (size_t)a.nmem * sizeof *a.mem) == 0);
    /* the scenario did exercise the interesting paths */
    int src[4] = {0}, faults = 0, joins_or_pwc = 0;
    for (int i = 0; i < a.nrsp; i++) {
        src[a.rsp[i].src & 3]++;
        faults += a.rsp[i].fault != 0;
        joins_or_pwc += a.rsp[i].pwc != 0;
    }
    printf("  %d responses (L1 %d, STLB %d, walk %d, #GP %d; %d faults; %d PWC-assisted), %d memory requests, %llu cycles\n",
           a.nrsp, src[0], src[1], src[2], src[3], faults, joins_or_pwc, a.nmem, (unsigned long long)a.cycles);
    CHECK(src[0] > 0 && src[1] > 0 && src[2] > 0 && src[3] > 0);
    if (check_fail_ != fail0)
        printf("  (seed 0x%016llx)\n", (unsigned long long)seed);
    free(a.rsp);
    free(b.rsp);
    free(a.mem);
    free(b.mem);
}

int main(void)
{
    test_sizes();
    test_stlb_pwc_latency();
    test_not_present();
    test_write_protect();
    test_user_super();
    test_smep_smap();
    test_nx();
    test_reserved();
    test_noncanonical();
    test_rights_combination();
    test_accessed_dirty();
    test_flush_cr3_nopcid();
    test_flush_cr3_pcid();
    test_flush_invlpg();
    test_flush_invpcid();
    test_flush_mode();
    test_pcid_isolation();
    test_fault_invalidation();
    test_fault_levels_ad();
    test_implicit();
    test_no_1g_pages();
    test_counters();
    test_determinism();
    CHECK_DONE();
}
