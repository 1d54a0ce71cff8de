/* test_onepass.c - one pass over a workload gives, for 16 geometries of the
 * level-2 array tlb.stlb, exactly the level-2 hits and walks (per page-size
 * bucket) of 16 separate sim_runs. Workloads cover writes after reads (the
 * D-bit soft miss), accesses that cross pages, mixed page sizes, a tlb.stlb
 * that holds no 1 GiB pages beside another level-2 array that does
 * (skylake's stlb1g), a tlb.stlb that splinters 1 GiB pages into 2 MiB
 * pieces, a tlb.stlb that serves loads and stores only beside a fetch array
 * (zen2's L2 ITLB), L1 arrays with PLRU and random replacement, CR3 switches
 * with and without PCIDs, pages mapped with A/D already set (demand.ad).
 * Also: the conditions and the size checks. */
#include <string.h>

#include "check.h"
#include "onepass.h"
#include "sim.h"
#include "workload.h"

static char err[512];

/* 16 sizes: fully associative (one set), 16 sets, 128 sets, and no STLB */
static const onepass_size_t sizes[16] = {
    {1, 1},   {2, 2},    {4, 4},    {8, 8},   {16, 16}, {32, 32},  {64, 64},     {16, 1},
    {32, 2},  {64, 4},   {128, 8},  {256, 16}, {128, 1}, {512, 4}, {1536, 12}, {0, 1},
};

static int wl_src_next(void *ctx, trace_rec_t *r) { return wl_next(ctx, r); }

typedef struct {
    const char *name;
    const char *preset;
    const char *sets[8]; /* key=value, NULL-terminated */
    wl_kind_t kind;
    uint64_t footprint, accesses, stride;
    uint32_t size;
    uint32_t mix[3];
} case_t;

static int make_cfg(const case_t *k, sim_config_t *c)
{
    if (cfg_preset(c, k->preset, err, sizeof err) != 0)
        return -1;
    if (cfg_set(c, "issue", "inorder", err, sizeof err) != 0 || cfg_set(c, "mem.model", "fixed", err, sizeof err) != 0)
        return -1;
    for (int i = 0; k->sets[i]; i++) {
        char key[64];
        const char *eq = strchr(k->sets[i], '=');
        memcpy(key, k->sets[i], (size_t)(eq - k->sets[i]));
        key[eq - k->sets[i]] = 0;
        if (cfg_set(c, key, eq + 1, err, sizeof err) != 0)
            return -1;
    }
    return 0;
}

static workload_t *make_wl(const case_t *k, uint64_t seed)
{
    wl_spec_t s;
    wl_defaults(&s);
    s.kind = k->kind;
    s.footprint = k->footprint;
    s.accesses = k->accesses;
    if (k->stride)
        s.stride = k->stride;
    if (k->size)
        s.size = k->size;
    memcpy(s.mix, k->mix, sizeof s.mix);
    s.alpha = 0.8;
    s.seed = seed;
    workload_t *w = NULL;
    if (wl_create(&s, &w, err, sizeof err) != 0)
        return NULL;
    return w;
}

static void run_case(const case_t *k)
{
    sim_config_t c;
    if (make_cfg(k, &c) != 0) {
        fprintf(stderr, "%s: config: %s\n", k->name, err);
        CHECK(0);
        return;
    }
    /* one pass, with a base STLB that is not among the sizes */
    onepass_t *op;
    CHECK(onepass_create(sizes, 16, &op, err, sizeof err) == 0);
    stats_t base;
    stats_init(&base);
    workload_t *w = make_wl(k, c.seed);
    sim_source_t src = {wl_src_next, NULL, w, k->name, NULL, NULL, NULL, NULL, NULL};
    int rc = onepass_run(op, &c, &src, &base, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "%s: onepass_run: %s\n", k->name, err);
    CHECK(rc == 0);
    wl_destroy(w);
    CHECK(base.b[STATS_B_TOTAL].stlb_hits + base.b[STATS_B_TOTAL].walks > 1000); /* level 2 is used */

    uint64_t prev_fa_hits = 0, soft = base.b[STATS_B_TOTAL].soft_misses;
    for (unsigned i = 0; i < 16 && rc == 0; i++) {
        sim_config_t ci = c;
        int x = mmu_cfg_tlb_find(&ci.mmu, "stlb");
        CHECK(x >= 0);
        if (x < 0)
            break;
        ci.mmu.tlb[x].a.entries = sizes[i].entries;
        ci.mmu.tlb[x].a.ways = sizes[i].ways;
        stats_t st;
        stats_init(&st);
        w = make_wl(k, c.seed);
        sim_source_t s2 = {wl_src_next, NULL, w, k->name, NULL, NULL, NULL, NULL, NULL};
        int r2 = sim_run(&ci, &s2, &st, err, sizeof err);
        if (r2 != 0)
            fprintf(stderr, "%s: sim_run: %s\n", k->name, err);
        CHECK(r2 == 0);
        wl_destroy(w);
        const onepass_counts_t *n = onepass_counts(op, i);
        for (int b = 0; b < STATS_NB; b++) {
            if (n->stlb_hits[b] != st.b[b].stlb_hits || n->walks[b] != st.b[b].walks)
                fprintf(stderr, "%s: stlb %u/%u bucket %s: one pass %llu hits %llu walks, run %llu hits %llu walks\n",
                        k->name, sizes[i].entries, sizes[i].ways, stats_bucket_name(b),
                        (unsigned long long)n->stlb_hits[b], (unsigned long long)n->walks[b],
                        (unsigned long long)st.b[b].stlb_hits, (unsigned long long)st.b[b].walks);
            CHECK_EQ(n->stlb_hits[b], st.b[b].stlb_hits);
            CHECK_EQ(n->walks[b], st.b[b].walks);
            /* everything but the level-2 counts is the same in every run */
            CHECK_EQ(st.b[b].l1_hits, base.b[b].l1_hits);
            CHECK_EQ(st.b[b].translations, base.b[b].translations);
            CHECK_EQ(st.b[b].joined, 0);
        }
        if (i < 7) { /* fully associative, growing: LRU inclusion */
            CHECK(n->stlb_hits[STATS_B_TOTAL] >= prev_fa_hits);
            prev_fa_hits = n->stlb_hits[STATS_B_TOTAL];
        }
        if (st.b[STATS_B_TOTAL].soft_misses > soft)
            soft = st.b[STATS_B_TOTAL].soft_misses;
        stats_free(&st);
    }
    if (c.demand_ad == DEMAND_AD_DIRTY)
        CHECK_EQ(soft, 0); /* every page dirty from its first touch */
    else if (k->mix[1])
        CHECK(soft > 0); /* the D-bit path was exercised */
    printf("%-34s %8llu level-2 lookups, hits 1/1 %llu ... 1536/12 %llu, soft misses up to %llu\n", k->name,
           (unsigned long long)(base.b[STATS_B_TOTAL].stlb_hits + base.b[STATS_B_TOTAL].walks),
           (unsigned long long)onepass_counts(op, 0)->stlb_hits[STATS_B_TOTAL],
           (unsigned long long)onepass_counts(op, 14)->stlb_hits[STATS_B_TOTAL], (unsigned long long)soft);
    stats_free(&base);
    onepass_destroy(op);
}

static const case_t cases[] = {
    {"zipf 4K, writes", "skylake", {"tlb.stlb.entries=256", "tlb.stlb.ways=4", NULL}, WL_ZIPF, 256ull << 20, 30000,
     0, 8, {50, 45, 5}},
    {"stride crossing pages", "skylake", {"tlb.dtlb.entries=16", NULL}, WL_STRIDE, 4ull << 20, 20000, 4100, 64,
     {60, 40, 0}},
    /* skylake's 1 GiB pages go to tlb.stlb1g, the same in every geometry */
    {"mix, 1G pages in stlb1g", "skylake", {"backing=mix", "backing.mix=50,30,20", NULL}, WL_UNIFORM, 64ull << 30,
     20000, 0, 8, {60, 30, 10}},
    /* tiny without stlb1g: tlb.stlb splinters 1 GiB pages into 2 MiB pieces */
    {"uniform mix, tiny, 1G pieces", "tiny", {"backing=mix", "backing.mix=50,30,20", "tlb.stlb1g=off", NULL},
     WL_UNIFORM, 64ull << 30, 20000, 0, 8, {60, 30, 10}},
    {"zipf 2M, stlb all sizes", "tiny",
     {"backing=2m", "tlb.stlb1g=off", "tlb.stlb.sizes=4k,2m,1g", "tlb.stlb.entries=64", "tlb.stlb.ways=64", NULL},
     WL_ZIPF, 16ull << 30, 20000, 0, 8, {70, 30, 0}},
    {"3 processes, no PCID", "skylake", {"processes=3", "switch_every=700", NULL}, WL_ZIPF, 128ull << 20, 20000, 0, 8,
     {60, 35, 5}},
    {"5 processes, PCID", "skylake", {"processes=5", "switch_every=300", "pcid=on", NULL}, WL_UNIFORM, 16ull << 20,
     20000, 0, 8, {60, 35, 5}},
    {"chase, 4K", "skylake", {NULL}, WL_CHASE, 64ull << 20, 20000, 0, 8, {80, 20, 0}},
    /* zen2 with its L2 DTLB named stlb: it serves no fetch; fetches go to
     * l2i, the same in every geometry */
    {"zen2, L2 DTLB as stlb, fetches", "zen2",
     {"tlb.l2d=off", "tlb.stlb.level=2", "tlb.stlb.serves=load,store", "tlb.stlb.sizes=4k,2m",
      "tlb.stlb.splinter=on", "tlb.stlb.lat=7", "backing=mix", NULL},
     WL_ZIPF, 8ull << 30, 20000, 0, 8, {55, 30, 15}},
    /* pages mapped with A/D set (docs/config.md demand.ad): D = 1 from the
     * first write (linux) or from the mapping (dirty: no soft miss at all) */
    {"zipf 4K, demand.ad=linux", "skylake", {"tlb.stlb.entries=256", "tlb.stlb.ways=4", "demand.ad=linux", NULL},
     WL_ZIPF, 256ull << 20, 30000, 0, 8, {50, 45, 5}},
    {"zipf 4K, demand.ad=dirty", "skylake", {"tlb.stlb.entries=256", "tlb.stlb.ways=4", "demand.ad=dirty", NULL},
     WL_ZIPF, 256ull << 20, 30000, 0, 8, {50, 45, 5}},
};

/* onepass_check on a preset with key=value changes: 0, or -1 with want in why. */
static void check_case(const char *preset, const char *const *sets, const char *want, int line)
{
    sim_config_t c;
    CHECK(cfg_preset(&c, preset, err, sizeof err) == 0);
    CHECK(cfg_set(&c, "issue", "inorder", err, sizeof err) == 0);
    for (int i = 0; sets[i]; i++)
        if (cfg_set_kv(&c, sets[i], err, sizeof err) != 0) {
            fprintf(stderr, "line %d: %s: %s\n", line, sets[i], err);
            CHECK(0);
        }
    CHECK(cfg_check(&c, err, sizeof err) == 0);
    err[0] = '\0';
    int rc = onepass_check(&c, err, sizeof err);
    if (want == NULL ? rc != 0 : (rc != -1 || strstr(err, want) == NULL))
        fprintf(stderr, "line %d: onepass_check %d '%s', want %s\n", line, rc, err, want ? want : "0");
    CHECK(want == NULL ? rc == 0 : rc == -1 && strstr(err, want) != NULL);
}
#define CHECK_CASE(preset, want, ...) check_case(preset, (const char *const[]){__VA_ARGS__, NULL}, want, __LINE__)

static void test_conditions(void)
{
    sim_config_t c;
    cfg_preset(&c, "skylake", err, sizeof err);
    CHECK(onepass_check(&c, err, sizeof err) == -1); /* pipelined */
    CHECK(strstr(err, "issue") != NULL);
    cfg_set(&c, "issue", "inorder", err, sizeof err);
    CHECK(onepass_check(&c, err, sizeof err) == 0);
    cfg_set(&c, "tlb.stlb.repl", "plru", err, sizeof err);
    CHECK(onepass_check(&c, err, sizeof err) == -1);
    CHECK(strstr(err, "tlb.stlb.repl: one pass needs lru") != NULL);
    cfg_set(&c, "tlb.stlb.entries", "0", err, sizeof err);
    CHECK(onepass_check(&c, err, sizeof err) == 0); /* no tlb.stlb: nothing to replace */

    /* the swept array: tlb.stlb, at level 2 */
    CHECK_CASE("zen2", "tlb.stlb: one pass sweeps the level-2 TLB array named stlb; this configuration has none",
               "mode.wp=on");
    CHECK_CASE("skylake", "tlb.stlb: one pass sweeps the level-2 TLB array named stlb", "tlb.stlb=off");
    CHECK_CASE("skylake", "tlb.stlb: one pass sweeps the level-2 TLB array", "tlb.stlb.level=1", "tlb.stlb.lat=1",
               "tlb.stlb1g.level=1", "tlb.stlb1g.lat=1");
    /* 128 ways is a valid LRU array, but not for the stacks */
    CHECK_CASE("skylake", "tlb.stlb.ways: one pass handles at most 64 ways (got 128)", "tlb.stlb.entries=128",
               "tlb.stlb.ways=128");
    CHECK_CASE("skylake", NULL, "tlb.stlb.entries=64", "tlb.stlb.ways=64");
    CHECK_CASE("skylake", NULL, "tlb.stlb.entries=0", "tlb.stlb.ways=128");
    /* another level-2 array that holds the pages tlb.stlb takes: tiny and
     * goldencove (stlb1g holds 4K too) */
    CHECK_CASE("tiny", "tlb.stlb1g: shares the 4K pages of tlb.stlb at level 2", "mode.wp=on");
    CHECK_CASE("goldencove", "tlb.stlb1g: shares the 4K pages of tlb.stlb at level 2", "tlb.stlb.repl=lru");
    CHECK_CASE("tiny", NULL, "tlb.stlb1g=off");
    /* ... or takes them only when tlb.stlb has no entries: a splintering
     * array holding 4K takes tlb.stlb's 2M pages as 4K pieces then */
    CHECK_CASE("skylake", "tlb.sp: shares the 2M pages of tlb.stlb at level 2", "tlb.sp.level=2", "tlb.sp.lat=9",
               "tlb.sp.serves=load", "tlb.sp.sizes=4k", "tlb.sp.splinter=on", "tlb.stlb.sizes=2m");
    CHECK_CASE("skylake", NULL, "tlb.sp.level=2", "tlb.sp.lat=9", "tlb.sp.serves=load", "tlb.sp.sizes=4k",
               "tlb.stlb.sizes=2m");
    /* a page size taken for some of the kinds tlb.stlb serves and not for
     * others: tiny's stlb splinters 1G pages for fetches, while stlb1g (1G,
     * loads and stores) takes those of loads and stores; a load can then
     * hit a fetch's piece in tlb.stlb or not, depending on its geometry */
    CHECK_CASE("tiny",
               "tlb.stlb: takes the 1G pages of fetches but not those of loads, which it also serves; one pass needs "
               "tlb.stlb to take a page size for every access kind it serves or for none",
               "tlb.stlb1g.sizes=1g");
    CHECK_CASE("tiny", NULL, "tlb.stlb1g.sizes=1g", "tlb.stlb.serves=fetch"); /* loads never look it up */
    CHECK_CASE("tiny", NULL, "tlb.stlb1g.sizes=1g", "tlb.stlb.splinter=off");
    /* zen2 with its L2 DTLB as tlb.stlb: serves no fetch; l2i is no matter */
    CHECK_CASE("zen2", NULL, "tlb.l2d=off", "tlb.stlb.level=2", "tlb.stlb.serves=load,store", "tlb.stlb.lat=7");

    onepass_t *op = NULL;
    onepass_size_t bad1 = {48, 4}, bad2 = {64, 0}, bad3 = {130, 65}, bad4 = {128, 128}, ok = {0, 0};
    CHECK(onepass_create(&bad1, 1, &op, err, sizeof err) == -1);
    CHECK(strcmp(err, "tlb.stlb.entries/ways 48/4: sets = entries / ways must be a power of two") == 0);
    CHECK(onepass_create(&bad2, 1, &op, err, sizeof err) == -1);
    CHECK(onepass_create(&bad3, 1, &op, err, sizeof err) == -1);
    CHECK(onepass_create(&bad4, 1, &op, err, sizeof err) == -1);
    CHECK(strcmp(err, "tlb.stlb.entries/ways 128/128: ways must be in 1..64") == 0);
    CHECK(onepass_create(&ok, 0, &op, err, sizeof err) == -1);
    CHECK(onepass_create(&ok, 1, &op, err, sizeof err) == 0);

    /* a pipelined run is refused by onepass_run too */
    cfg_preset(&c, "skylake", err, sizeof err);
    stats_t st;
    stats_init(&st);
    sim_source_t src = {wl_src_next, NULL, NULL, "x", NULL, NULL, NULL, NULL, NULL};
    CHECK(onepass_run(op, &c, &src, &st, err, sizeof err) == -1);
    stats_free(&st);
    onepass_destroy(op);
    onepass_destroy(NULL);
}

int main(void)
{
    test_conditions();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
    CHECK_DONE();
}
