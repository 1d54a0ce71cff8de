/* test_org.c - a hand-built three-array organisation, counted two ways.
 *
 * The MMU (model/mmu.c, lookup.c, sa.c) runs a seeded random stream of
 * loads, stores and fetches, one at a time, over 4 KiB, 2 MiB and 1 GiB
 * pages. Beside it, ref_* below is an independent reading of the contract
 * (docs/timing.md [T:lookup], [T:fill]; replacement true LRU): a few arrays
 * of tags with recency lists, written without sa.c or lookup.c. Every
 * array's lookups, hits, misses (by access kind), fills and evictions, every
 * response's source, size and physical address (against the page tables'
 * own translation, pt_translate) must agree.
 *
 * The organisation:
 *   a  level 1, loads and stores, 4K,      4 entries 2-way LRU (2 sets)
 *   b  level 1, loads only,       2M + 1G, 2 entries fully associative LRU
 *   c  level 2, every kind,       4K + 2M, 8 entries 2-way LRU (4 sets), splinter
 * so a fetch has no level-1 array, a store of a large page none either; a
 * 1 GiB page is held by b whole and by c as the 2 MiB piece that contains
 * the address; a level-1 refill from a piece in c fills b with the whole
 * 1 GiB page. No page-walk caches. Every entry is mapped with A = D = 1 and
 * user, writable, executable: no A/D update, no soft miss, no fault.
 *
 * usage: test_org [SEED]   (the seed is printed; same seed, same run)
 */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "mmu.h"
#include "paging.h"
#include "pmem.h"
#include "pt.h"

enum { NARR = 3, MAXENT = 8, N_ACCESSES = 4000 };

/* ------------------------------------------------- the reference model */

typedef struct {
    bool v;
    uint64_t tag;
    unsigned size; /* the entry's size */
} ref_ent_t;

typedef struct {
    unsigned level, serves, sizes, sets, ways;
    bool splinter;
    ref_ent_t e[MAXENT];   /* set-major */
    unsigned rec[MAXENT];  /* per set: way numbers, most recent first */
    uint64_t lookups[3], hits[3], fills, evictions;
} ref_arr_t;

static ref_arr_t R[NARR];

static void ref_init(ref_arr_t *r, unsigned level, unsigned serves, unsigned sizes, unsigned entries, unsigned ways,
                     bool splinter)
{
    memset(r, 0, sizeof *r);
    r->level = level, r->serves = serves, r->sizes = sizes, r->ways = ways, r->sets = entries / ways;
    r->splinter = splinter;
    for (unsigned s = 0; s < r->sets; s++)
        for (unsigned w = 0; w < ways; w++)
            r->rec[s * ways + w] = w; /* reset: way 0 most recent */
}

static unsigned shift_of(unsigned ps) { return ps == 0 ? 12 : ps == 1 ? 21 : 30; }

static void ref_touch(ref_arr_t *r, unsigned set, unsigned way)
{
    unsigned *q = &r->rec[set * r->ways], i = 0;
    while (q[i] != way)
        i++;
    memmove(&q[1], &q[0], i * sizeof *q);
    q[0] = way;
}

/* way holding (tag, size) in its set, or -1 */
static int ref_find(const ref_arr_t *r, uint64_t tag, unsigned size)
{
    unsigned set = (unsigned)(tag % r->sets);
    for (unsigned w = 0; w < r->ways; w++) {
        const ref_ent_t *e = &r->e[set * r->ways + w];
        if (e->v && e->tag == tag && e->size == size)
            return (int)w;
    }
    return -1;
}

static void ref_fill(ref_arr_t *r, uint64_t tag, unsigned size)
{
    unsigned set = (unsigned)(tag % r->sets);
    int w = ref_find(r, tag, size);
    if (w < 0)
        for (unsigned x = 0; x < r->ways && w < 0; x++)
            if (!r->e[set * r->ways + x].v)
                w = (int)x;
    if (w < 0) {
        w = (int)r->rec[set * r->ways + r->ways - 1]; /* least recently used */
        r->evictions++;
    }
    r->e[set * r->ways + (unsigned)w] = (ref_ent_t){true, tag, size};
    r->fills++;
    ref_touch(r, set, (unsigned)w);
}

/* One level's lookup for kind k at va: 1 on a hit. The first array (in
 * order) that hits answers; later arrays of the level count a miss. */
static int ref_lookup(unsigned level, unsigned k, uint64_t va)
{
    int got = 0;
    for (unsigned i = 0; i < NARR; i++) {
        ref_arr_t *r = &R[i];
        if (r->level != level || !(r->serves & (1u << k)))
            continue;
        r->lookups[k]++;
        if (got)
            continue;
        for (unsigned ps = 0; ps < 3 && !got; ps++) {
            if (!(r->sizes & (1u << ps)))
                continue;
            uint64_t tag = (va & 0xFFFFFFFFFFFFull) >> shift_of(ps);
            int w = ref_find(r, tag, ps);
            if (w >= 0) {
                got = 1;
                r->hits[k]++;
                ref_touch(r, (unsigned)(tag % r->sets), (unsigned)w);
            }
        }
    }
    return got;
}

/* [T:fill] with one candidate per level (true of this organisation). */
static void ref_fill_level(unsigned level, unsigned k, uint64_t va, unsigned ps)
{
    for (unsigned i = 0; i < NARR; i++) { /* an array holding the size */
        ref_arr_t *r = &R[i];
        if (r->level == level && (r->serves & (1u << k)) && (r->sizes & (1u << ps))) {
            ref_fill(r, (va & 0xFFFFFFFFFFFFull) >> shift_of(ps), ps);
            return;
        }
    }
    for (unsigned i = 0; i < NARR; i++) { /* else a piece: the largest held size below */
        ref_arr_t *r = &R[i];
        if (r->level != level || !(r->serves & (1u << k)) || !r->splinter)
            continue;
        for (int p = (int)ps - 1; p >= 0; p--)
            if (r->sizes & (1u << p)) {
                ref_fill(r, (va & 0xFFFFFFFFFFFFull) >> shift_of((unsigned)p), (unsigned)p);
                return;
            }
    }
}

/* -------------------------------------------------------- the MMU run */

static mmu_tlb_cfg_t arr(const char *name, unsigned level, unsigned serves, unsigned sizes, unsigned entries,
                         unsigned ways, unsigned lat, bool splinter)
{
    mmu_tlb_cfg_t t;
    memset(&t, 0, sizeof t);
    snprintf(t.name, sizeof t.name, "%s", name);
    t.a = (mmu_array_cfg_t){entries, ways, MMU_REPL_LRU, 1};
    t.level = level, t.serves = serves, t.sizes = sizes, t.lat = lat, t.splinter = splinter;
    return t;
}

static uint64_t rng;
static uint64_t next(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return rng >> 33;
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 20261207;
    printf("test_org: seed %" PRIu64 " (rerun: test_org %" PRIu64 ")\n", seed, seed);
    rng = seed;

    mmu_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.ntlb = 3;
    cfg.tlb[0] = arr("a", 1, MMU_SERVE_LOAD | MMU_SERVE_STORE, 1u << MMU_PS_4K, 4, 2, 1, false);
    cfg.tlb[1] = arr("b", 1, MMU_SERVE_LOAD, (1u << MMU_PS_2M) | (1u << MMU_PS_1G), 2, 2, 1, false);
    cfg.tlb[2] = arr("c", 2, MMU_SERVE_ALL, (1u << MMU_PS_4K) | (1u << MMU_PS_2M), 8, 2, 2, true);
    cfg.walkers = 1;
    cfg.outstanding = 1;
    cfg.maxphyaddr = 46;
    ref_init(&R[0], 1, MMU_SERVE_LOAD | MMU_SERVE_STORE, 1, 4, 2, false);
    ref_init(&R[1], 1, MMU_SERVE_LOAD, 6, 2, 2, false);
    ref_init(&R[2], 2, MMU_SERVE_ALL, 3, 8, 2, true);

    char err[256];
    mmu_t *m;
    if (mmu_create(&cfg, &m, err, sizeof err) != 0) {
        fprintf(stderr, "mmu_create: %s\n", err);
        return 1;
    }
    pmem_t *mem = pmem_create();
    pt_t *pt = pt_create(mem, 46, seed);
    uint64_t cr3 = pt_new_root(pt);
    const uint64_t fl = PT_W | PT_U | PT_A | PT_D | PT_TABLE_A;
    /* 24 pages of 4K (6 sets' worth of a), 6 of 2M, 3 of 1G */
    static const uint64_t base[3] = {0x10000000ull, 0x40000000ull, 0x8000000000ull};
    static const unsigned npages[3] = {24, 6, 3};
    for (unsigned ps = 0; ps < 3; ps++)
        for (unsigned i = 0; i < npages[ps]; i++) {
            uint64_t va = base[ps] + ((uint64_t)i << shift_of(ps));
            uint64_t pa = (1ull << 43) + ((uint64_t)(ps * 64 + i) << 30); /* distinct, 1 GiB aligned */
            if (pt_map(pt, cr3, va, pa, ps, fl, err, sizeof err) != 0) {
                fprintf(stderr, "pt_map: %s\n", err);
                return 1;
            }
        }
    mmu_set_state(m, cr3, MMU_MODE_WP | MMU_MODE_NXE);

    uint64_t src_cnt[3] = {0, 0, 0}, bad_rsp = 0;
    bool pend = false;
    uint64_t pend_at = 0, pend_data = 0;
    uint8_t pend_id = 0;
    for (unsigned n = 0; n < N_ACCESSES; n++) {
        unsigned k = (unsigned)(next() % 3);
        unsigned ps = (unsigned)(next() % 3);
        uint64_t va = base[ps] + ((next() % npages[ps]) << shift_of(ps)) + ((next() << 3) & ((1ull << shift_of(ps)) - 1));
        /* the reference: level 1, level 2, walk */
        int want_src = ref_lookup(1, k, va) ? MMU_SRC_L1 : ref_lookup(2, k, va) ? MMU_SRC_STLB : MMU_SRC_WALK;
        if (want_src == MMU_SRC_STLB) {
            ref_fill_level(1, k, va, ps);
        } else if (want_src == MMU_SRC_WALK) {
            ref_fill_level(2, k, va, ps);
            ref_fill_level(1, k, va, ps);
        }
        /* the MMU: offer the request, play a memory of latency 1, wait */
        bool accepted = false, answered = false;
        for (unsigned cyc = 0; cyc < 200 && !answered; cyc++) {
            mmu_out_t o;
            mmu_in_t in;
            memset(&in, 0, sizeof in);
            mmu_eval(m, &o);
            if (!accepted) {
                in.req_valid = 1, in.req_id = (uint16_t)n, in.req_vaddr = va, in.req_acc = (uint8_t)k;
                in.req_user = 1;
                accepted = o.req_ready;
            }
            if (o.mem_req_valid) {
                CHECK(!o.mem_req_we); /* A and D are set: no update */
                pend = true, pend_at = mmu_cycle(m) + 1, pend_id = o.mem_req_id;
                pend_data = pmem_read64(mem, o.mem_req_addr);
            } else if (pend && mmu_cycle(m) == pend_at) {
                in.mem_rsp_valid = 1, in.mem_rsp_id = pend_id, in.mem_rsp_data = pend_data;
                pend = false;
            }
            if (o.rsp_valid) {
                uint64_t pa = 0;
                unsigned tps = 9;
                pt_translate(pt, cr3, va, &pa, &tps);
                if (o.rsp_fault || o.rsp_paddr != pa || o.rsp_size != ps || tps != ps || o.rsp_src != want_src) {
                    if (bad_rsp++ < 5)
                        fprintf(stderr,
                                "access %u (kind %u, va 0x%" PRIx64 "): src %u size %u pa 0x%" PRIx64
                                ", expected src %d size %u pa 0x%" PRIx64 "\n",
                                n, k, va, o.rsp_src, o.rsp_size, o.rsp_paddr, want_src, ps, pa);
                }
                src_cnt[o.rsp_src < 3 ? o.rsp_src : 0]++;
                answered = true;
            }
            if (mmu_step(m, &in) != 0) {
                fprintf(stderr, "mmu_step: %s\n", mmu_error(m));
                return 1;
            }
        }
        CHECK(answered);
    }
    CHECK_EQ(bad_rsp, 0);
    /* the stream reaches every path */
    CHECK(src_cnt[MMU_SRC_L1] > 100 && src_cnt[MMU_SRC_STLB] > 100 && src_cnt[MMU_SRC_WALK] > 100);
    CHECK_EQ(mmu_narrays(m), 3);
    for (unsigned i = 0; i < NARR; i++) {
        const sa_t *a = mmu_array(m, i);
        CHECK(strcmp(mmu_array_name(m, i), i == 0 ? "a" : i == 1 ? "b" : "c") == 0);
        for (unsigned k = 0; k < 3; k++) {
            CHECK_EQ(a->cnt.lookups[k], R[i].lookups[k]);
            CHECK_EQ(a->cnt.hits[k], R[i].hits[k]);
            CHECK_EQ(a->cnt.soft[k], 0);
        }
        CHECK_EQ(a->cnt.fills, R[i].fills);
        CHECK_EQ(a->cnt.evictions, R[i].evictions);
        printf("%s: lookups %" PRIu64 "/%" PRIu64 "/%" PRIu64 " hits %" PRIu64 "/%" PRIu64 "/%" PRIu64
               " fills %" PRIu64 " evictions %" PRIu64 "\n",
               mmu_array_name(m, i), R[i].lookups[0], R[i].lookups[1], R[i].lookups[2], R[i].hits[0], R[i].hits[1],
               R[i].hits[2], R[i].fills, R[i].evictions);
    }
    /* arrays that do not serve a kind never see it */
    CHECK_EQ(mmu_array(m, 0)->cnt.lookups[MMU_ACC_EXEC], 0);
    CHECK_EQ(mmu_array(m, 1)->cnt.lookups[MMU_ACC_WRITE] + mmu_array(m, 1)->cnt.lookups[MMU_ACC_EXEC], 0);
    pt_destroy(pt);
    pmem_destroy(mem);
    mmu_destroy(m);
    CHECK_DONE();
}
