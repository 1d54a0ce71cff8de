/* test_stats.c - stats.c with hand-computed values: percentiles and means of
 * hand-made histograms, the bucketing of stats_record, the JSON document and
 * the text table. docs/stats.md is the specification. */
#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#include "check.h"
#include "mmu.h"
#include "stats.h"

#define CHECK_NEAR(a, b) CHECK(fabs((double)(a) - (double)(b)) < 1e-9)

/* ------------------------------------------------ hand-made histograms */

static void hist_new(stats_hist_t *h)
{
    memset(h, 0, sizeof *h);
    h->count = calloc(STATS_HIST_MAX, sizeof *h->count);
    if (!h->count) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
}

static void hist_put(stats_hist_t *h, uint64_t v)
{
    h->n++;
    h->sum += v;
    if (v > h->max)
        h->max = v;
    if (v < STATS_HIST_MAX)
        h->count[v]++;
    else
        h->over++;
}

static void hist_clear(stats_hist_t *h)
{
    uint64_t *c = h->count;
    memset(c, 0, STATS_HIST_MAX * sizeof *c);
    memset(h, 0, sizeof *h);
    h->count = c;
}

static void test_percentile(void)
{
    stats_hist_t h;
    hist_new(&h);

    /* empty */
    CHECK_EQ(stats_percentile(&h, 50), 0);
    CHECK_EQ(stats_percentile(&h, 99), 0);
    CHECK_EQ(stats_percentile(&h, 100), 0);
    CHECK(stats_mean(&h) == 0.0);

    /* {1,1,2,3,10}: rank = ceil(p/100 * 5) */
    hist_put(&h, 1);
    hist_put(&h, 1);
    hist_put(&h, 2);
    hist_put(&h, 3);
    hist_put(&h, 10);
    CHECK_EQ(stats_percentile(&h, 50), 2);  /* rank 3 */
    CHECK_EQ(stats_percentile(&h, 95), 10); /* rank 5 */
    CHECK_EQ(stats_percentile(&h, 99), 10);
    CHECK_EQ(stats_percentile(&h, 100), 10);
    CHECK_EQ(stats_percentile(&h, 20), 1);  /* rank 1 */
    CHECK_EQ(stats_percentile(&h, 40), 1);  /* rank 2 */
    CHECK_EQ(stats_percentile(&h, 41), 2);  /* rank ceil(2.05) = 3 */
    CHECK_EQ(stats_percentile(&h, 60), 2);  /* rank 3 */
    CHECK_EQ(stats_percentile(&h, 61), 3);  /* rank 4 */
    CHECK_EQ(stats_percentile(&h, 80), 3);  /* rank 4 */
    CHECK_EQ(stats_percentile(&h, 81), 10); /* rank 5 */
    CHECK_EQ(stats_percentile(&h, 0.001), 1); /* rank at least 1 */
    CHECK_NEAR(stats_mean(&h), 3.4);

    /* n = 1 */
    hist_clear(&h);
    hist_put(&h, 7);
    CHECK_EQ(stats_percentile(&h, 0.5), 7);
    CHECK_EQ(stats_percentile(&h, 50), 7);
    CHECK_EQ(stats_percentile(&h, 99), 7);
    CHECK_EQ(stats_percentile(&h, 100), 7);
    CHECK_NEAR(stats_mean(&h), 7.0);

    /* a zero latency is a sample like any other */
    hist_clear(&h);
    hist_put(&h, 0);
    hist_put(&h, 0);
    hist_put(&h, 5);
    CHECK_EQ(stats_percentile(&h, 50), 0);
    CHECK_EQ(stats_percentile(&h, 66), 0); /* rank ceil(1.98) = 2 */
    CHECK_EQ(stats_percentile(&h, 67), 5); /* rank ceil(2.01) = 3 */
    CHECK_NEAR(stats_mean(&h), 5.0 / 3.0);

    /* even n: the lower middle sample, no interpolation */
    hist_clear(&h);
    hist_put(&h, 4);
    hist_put(&h, 8);
    CHECK_EQ(stats_percentile(&h, 50), 4);
    CHECK_EQ(stats_percentile(&h, 51), 8);
    CHECK_NEAR(stats_mean(&h), 6.0);

    /* the last regular value and the overflow bin */
    hist_clear(&h);
    hist_put(&h, 5);
    hist_put(&h, STATS_HIST_MAX - 1);
    CHECK_EQ(h.over, 0);
    CHECK_EQ(stats_percentile(&h, 100), STATS_HIST_MAX - 1);
    hist_put(&h, 70000);
    hist_put(&h, 100000);
    CHECK_EQ(h.over, 2);
    CHECK_EQ(stats_percentile(&h, 25), 5);                  /* rank 1 */
    CHECK_EQ(stats_percentile(&h, 50), STATS_HIST_MAX - 1); /* rank 2 */
    /* ranks 3 and 4 are in the overflow bin: the result is max */
    CHECK_EQ(stats_percentile(&h, 75), 100000);
    CHECK_EQ(stats_percentile(&h, 99), 100000);
    CHECK_EQ(stats_percentile(&h, 100), 100000);
    CHECK_NEAR(stats_mean(&h), (5.0 + 65535.0 + 70000.0 + 100000.0) / 4.0);

    /* only overflow samples: every percentile is max */
    hist_clear(&h);
    hist_put(&h, STATS_HIST_MAX);
    CHECK_EQ(h.over, 1);
    CHECK_EQ(stats_percentile(&h, 50), STATS_HIST_MAX);
    CHECK_EQ(h.max, STATS_HIST_MAX);

    /* 1..100 once each: percentile p is p exactly, for every integer p */
    hist_clear(&h);
    for (uint64_t v = 1; v <= 100; v++)
        hist_put(&h, v);
    CHECK_EQ(stats_percentile(&h, 50), 50);
    CHECK_EQ(stats_percentile(&h, 95), 95);
    CHECK_EQ(stats_percentile(&h, 99), 99);
    CHECK_EQ(stats_percentile(&h, 100), 100);
    CHECK_NEAR(stats_mean(&h), 50.5);
    int wrong = 0, first_wrong = 0;
    for (int p = 1; p <= 100; p++) {
        if (stats_percentile(&h, p) != (uint64_t)p) {
            if (!wrong)
                first_wrong = p;
            wrong++;
        }
    }
    /* ceil(p / 100.0 * n) in floating point was 7 / 100.0 * 100 = 7.000000000000001,
     * so the rank became 8 and p7 = 8 (also p14, p28, p55, p56). */
    if (wrong)
        fprintf(stderr, "  stats_percentile(1..100, p) != p for %d values of p, first p = %d (got %" PRIu64 ")\n",
                wrong, first_wrong, stats_percentile(&h, first_wrong));
    CHECK(wrong == 0); /* bug test: ceil(p / 100.0 * n) gave p7 = 8 for 1..100 */

    /* 2000 samples: 1900 at 10, 80 at 20, 20 at 300 */
    hist_clear(&h);
    for (int i = 0; i < 1900; i++)
        hist_put(&h, 10);
    for (int i = 0; i < 80; i++)
        hist_put(&h, 20);
    for (int i = 0; i < 20; i++)
        hist_put(&h, 300);
    CHECK_EQ(stats_percentile(&h, 50), 10);  /* rank 1000 */
    CHECK_EQ(stats_percentile(&h, 95), 10);  /* rank 1900 */
    CHECK_EQ(stats_percentile(&h, 99), 20);  /* rank 1980 */
    CHECK_EQ(stats_percentile(&h, 99.5), 300); /* rank 1990 */
    CHECK_NEAR(stats_mean(&h), (1900.0 * 10 + 80.0 * 20 + 20.0 * 300) / 2000.0);

    free(h.count);
}

/* ---------------------------------------------------------- stats_record */

typedef struct {
    uint8_t size, fault, cause, src, pwc, acc;
    bool joined, soft;
    uint8_t reads, writes;
    uint64_t accept, rsp;
} resp_t;

static void record(stats_t *s, const resp_t *r)
{
    mmu_out_t o;
    mmu_rsp_info_t info;
    memset(&o, 0, sizeof o);
    memset(&info, 0, sizeof info);
    o.rsp_valid = true;
    o.rsp_size = r->size;
    o.rsp_fault = r->fault;
    o.rsp_cause = r->cause;
    o.rsp_src = r->src;
    o.rsp_pwc = r->pwc;
    info.acc = r->acc;
    info.user = true;
    info.joined = r->joined;
    info.soft_miss = r->soft;
    info.mem_reads = r->reads;
    info.mem_writes = r->writes;
    info.cycle_accept = r->accept;
    info.cycle_rsp = r->rsp;
    stats_record(s, &o, &info);
}

/* The scenario (latency = rsp - accept):
 *   A  L1 hit, 2 MiB page, read                                  lat 1
 *   B  walk owner, 4 KiB, write, no PWC hit, 4 reads 1 write      lat 40
 *   C  joined B's walk, 4 KiB, write (its reads/writes ignored)   lat 38
 *   D  #PF not present before a leaf (size none), read, walk
 *      after a PML4E-cache hit, 2 reads                           lat 25
 *   E  #GP non-canonical, fetch, size none, src none              lat 1
 *   F  STLB hit, 1 GiB, fetch, soft miss                          lat 3
 *   G  #PF write to read-only 4 KiB leaf, walk after a PDE-cache
 *      hit, 1 read                                                lat 12 */
static const resp_t scenario[] = {
    /* size       fault          cause                 src           pwc acc            joined soft  r  w  accept rsp */
    {MMU_PS_2M, MMU_FAULT_NONE, MMU_CAUSE_NONE, MMU_SRC_L1, 0, MMU_ACC_READ, false, false, 0, 0, 10, 11},
    {MMU_PS_4K, MMU_FAULT_NONE, MMU_CAUSE_NONE, MMU_SRC_WALK, 0, MMU_ACC_WRITE, false, false, 4, 1, 20, 60},
    {MMU_PS_4K, MMU_FAULT_NONE, MMU_CAUSE_NONE, MMU_SRC_WALK, 2, MMU_ACC_WRITE, true, false, 4, 1, 22, 60},
    {MMU_PS_NONE, MMU_FAULT_PF, MMU_CAUSE_NOT_PRESENT, MMU_SRC_WALK, 1, MMU_ACC_READ, false, false, 2, 0, 70, 95},
    {MMU_PS_NONE, MMU_FAULT_GP, MMU_CAUSE_NONCANON, MMU_SRC_NONE, 0, MMU_ACC_EXEC, false, false, 0, 0, 100, 101},
    {MMU_PS_1G, MMU_FAULT_NONE, MMU_CAUSE_NONE, MMU_SRC_STLB, 0, MMU_ACC_EXEC, false, true, 0, 0, 110, 113},
    {MMU_PS_4K, MMU_FAULT_PF, MMU_CAUSE_WRITE, MMU_SRC_WALK, 3, MMU_ACC_WRITE, false, false, 1, 0, 120, 132},
};
#define NSCEN (sizeof scenario / sizeof scenario[0])

static void fill_scenario(stats_t *s)
{
    for (size_t i = 0; i < NSCEN; i++)
        record(s, &scenario[i]);
    s->cycles = 1234;
    s->accesses = 6;
    s->ctl_ops = 2;
}

/* expected counters of one bucket */
typedef struct {
    uint64_t tr, rd, wr, fx, l1, stlb, walks, joined, soft;
    uint64_t start[4], mrd, mwr;
    uint64_t f_np, f_rsvd, f_write, f_gp;
    uint64_t n_all, n_hit, n_walk, max_all;
} exp_bucket_t;

static const exp_bucket_t expect[STATS_NB] = {
    /* 4K: B C G */
    {3, 0, 3, 0, 0, 0, 2, 1, 0, {1, 0, 0, 1}, 5, 1, 0, 0, 1, 0, 3, 0, 3, 40},
    /* 2M: A */
    {1, 1, 0, 0, 1, 0, 0, 0, 0, {0, 0, 0, 0}, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1},
    /* 1G: F */
    {1, 0, 0, 1, 0, 1, 0, 0, 1, {0, 0, 0, 0}, 0, 0, 0, 0, 0, 0, 1, 1, 0, 3},
    /* none: D E */
    {2, 1, 0, 1, 0, 0, 1, 0, 0, {0, 1, 0, 0}, 2, 0, 1, 0, 0, 1, 2, 0, 1, 25},
    /* total */
    {7, 2, 3, 2, 1, 1, 3, 1, 1, {1, 1, 0, 1}, 7, 1, 1, 0, 1, 1, 7, 2, 4, 40},
};

static void check_bucket(const stats_t *s, int i)
{
    const stats_bucket_t *b = &s->b[i];
    const exp_bucket_t *e = &expect[i];
    int before = check_fail_;
    CHECK_EQ(b->translations, e->tr);
    CHECK_EQ(b->by_acc[MMU_ACC_READ], e->rd);
    CHECK_EQ(b->by_acc[MMU_ACC_WRITE], e->wr);
    CHECK_EQ(b->by_acc[MMU_ACC_EXEC], e->fx);
    CHECK_EQ(b->l1_hits, e->l1);
    CHECK_EQ(b->stlb_hits, e->stlb);
    CHECK_EQ(b->walks, e->walks);
    CHECK_EQ(b->joined, e->joined);
    CHECK_EQ(b->soft_misses, e->soft);
    for (int k = 0; k < 4; k++)
        CHECK_EQ(b->pwc_start[k], e->start[k]);
    CHECK_EQ(b->mem_reads, e->mrd);
    CHECK_EQ(b->mem_writes, e->mwr);
    CHECK_EQ(b->faults[MMU_CAUSE_NOT_PRESENT], e->f_np);
    CHECK_EQ(b->faults[MMU_CAUSE_RSVD], e->f_rsvd);
    CHECK_EQ(b->faults[MMU_CAUSE_WRITE], e->f_write);
    CHECK_EQ(b->faults[MMU_CAUSE_NONCANON], e->f_gp);
    CHECK_EQ(b->faults[MMU_CAUSE_USER] + b->faults[MMU_CAUSE_NX] + b->faults[MMU_CAUSE_SMEP] +
                 b->faults[MMU_CAUSE_SMAP] + b->faults[0],
             0);
    CHECK_EQ(b->lat_all.n, e->n_all);
    CHECK_EQ(b->lat_hit.n, e->n_hit);
    CHECK_EQ(b->lat_walk.n, e->n_walk);
    CHECK_EQ(b->lat_all.max, e->max_all);
    if (check_fail_ > before)
        fprintf(stderr, "  (the failures above are in bucket %s)\n", stats_bucket_name(i));
}

static void test_record(void)
{
    stats_t s;
    CHECK_EQ(stats_init(&s), 0);
    for (int i = 0; i < STATS_NB; i++) {
        CHECK_EQ(s.b[i].translations, 0);
        CHECK(s.b[i].lat_all.count != NULL);
    }
    fill_scenario(&s);
    for (int i = 0; i < STATS_NB; i++)
        check_bucket(&s, i);

    /* latencies, by hand */
    const stats_bucket_t *k4 = &s.b[MMU_PS_4K], *none = &s.b[STATS_B_NONE], *tot = &s.b[STATS_B_TOTAL];
    /* 4K: {40, 38, 12} */
    CHECK_EQ(k4->lat_all.sum, 90);
    CHECK_NEAR(stats_mean(&k4->lat_all), 30.0);
    CHECK_EQ(stats_percentile(&k4->lat_all, 50), 38);
    CHECK_EQ(stats_percentile(&k4->lat_all, 95), 40);
    CHECK_EQ(k4->lat_walk.sum, 90);
    /* none: all {25, 1}; walk {25} (the #GP is not a walk); hit {} */
    CHECK_EQ(none->lat_all.sum, 26);
    CHECK_EQ(stats_percentile(&none->lat_all, 50), 1);
    CHECK_EQ(stats_percentile(&none->lat_all, 95), 25);
    CHECK_EQ(none->lat_walk.sum, 25);
    CHECK_EQ(none->lat_walk.count[25], 1);
    CHECK_EQ(none->lat_hit.n, 0);
    /* total: all {1,40,38,25,1,3,12} = sorted 1 1 3 12 25 38 40 */
    CHECK_EQ(tot->lat_all.sum, 120);
    CHECK_NEAR(stats_mean(&tot->lat_all), 120.0 / 7.0);
    CHECK_EQ(stats_percentile(&tot->lat_all, 50), 12); /* rank 4 */
    CHECK_EQ(stats_percentile(&tot->lat_all, 95), 40); /* rank 7 */
    CHECK_EQ(stats_percentile(&tot->lat_all, 99), 40);
    CHECK_EQ(tot->lat_all.count[1], 2);
    /* hit {1, 3}; walk {40, 38, 25, 12} */
    CHECK_EQ(tot->lat_hit.sum, 4);
    CHECK_EQ(stats_percentile(&tot->lat_hit, 50), 1);
    CHECK_EQ(tot->lat_walk.sum, 115);
    CHECK_NEAR(stats_mean(&tot->lat_walk), 28.75);
    CHECK_EQ(stats_percentile(&tot->lat_walk, 50), 25); /* rank 2 of 12 25 38 40 */
    CHECK_EQ(stats_percentile(&tot->lat_walk, 75), 38);

    /* every counter: 4K + 2M + 1G + none = total */
    for (int f = 0; f < 3; f++) {
        uint64_t sum = 0;
        for (int i = 0; i < STATS_B_TOTAL; i++)
            sum += s.b[i].by_acc[f];
        CHECK_EQ(sum, tot->by_acc[f]);
    }
    {
        uint64_t t = 0, w = 0, j = 0, r = 0;
        for (int i = 0; i < STATS_B_TOTAL; i++) {
            t += s.b[i].translations;
            w += s.b[i].walks;
            j += s.b[i].joined;
            r += s.b[i].mem_reads;
        }
        CHECK_EQ(t, tot->translations);
        CHECK_EQ(w, tot->walks);
        CHECK_EQ(j, tot->joined);
        CHECK_EQ(r, tot->mem_reads);
    }

    /* a latency >= STATS_HIST_MAX goes to the overflow bin */
    resp_t big = {MMU_PS_4K, MMU_FAULT_NONE, MMU_CAUSE_NONE, MMU_SRC_WALK, 0, MMU_ACC_READ, false, false, 4, 4, 5, 5 + 70000};
    record(&s, &big);
    CHECK_EQ(k4->lat_all.over, 1);
    CHECK_EQ(k4->lat_walk.over, 1);
    CHECK_EQ(tot->lat_all.over, 1);
    CHECK_EQ(k4->lat_all.max, 70000);
    CHECK_EQ(k4->lat_all.n, 4);
    CHECK_EQ(stats_percentile(&k4->lat_all, 100), 70000);
    CHECK_EQ(stats_percentile(&k4->lat_all, 75), 40);

    stats_free(&s);
    stats_free(&s); /* idempotent: pointers were cleared */
    stats_free(NULL);
}

/* ------------------------------------------------------------ names */

static void test_names(void)
{
    CHECK(!strcmp(stats_bucket_name(0), "4K"));
    CHECK(!strcmp(stats_bucket_name(1), "2M"));
    CHECK(!strcmp(stats_bucket_name(2), "1G"));
    CHECK(!strcmp(stats_bucket_name(STATS_B_NONE), "none"));
    CHECK(!strcmp(stats_bucket_name(STATS_B_TOTAL), "total"));
    CHECK(!strcmp(stats_bucket_name(5), "?"));
    CHECK(!strcmp(stats_bucket_name(-1), "?"));
    static const char *const causes[] = {"none", "not_present", "reserved", "write", "user",
                                         "nx", "smep", "smap", "noncanonical"};
    for (int c = 0; c < MMU_CAUSE_COUNT; c++)
        CHECK(!strcmp(stats_cause_name(c), causes[c]));
    CHECK(!strcmp(stats_cause_name(MMU_CAUSE_COUNT), "?"));
    CHECK(STATS_B_NONE == MMU_PS_NONE);
}

/* ------------------------------------------------------------- JSON */

static const cJSON *get(const cJSON *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *cur = o;
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
        cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
    if (!cur)
        fprintf(stderr, "missing JSON key %s\n", path);
    return cur;
}

static double num(const cJSON *o, const char *path)
{
    const cJSON *v = get(o, path);
    if (!v || !cJSON_IsNumber(v)) {
        fprintf(stderr, "JSON key %s is not a number\n", path);
        return -1;
    }
    return v->valuedouble;
}

/* the object's keys, in order, are exactly `keys` (space separated) */
static int keys_are(const cJSON *o, const char *keys)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", keys);
    const cJSON *it = o ? o->child : NULL;
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
        if (!it || !it->string || strcmp(it->string, tok)) {
            fprintf(stderr, "expected key %s, got %s\n", tok, it && it->string ? it->string : "(end)");
            return 0;
        }
        it = it->next;
    }
    if (it) {
        fprintf(stderr, "unexpected key %s\n", it->string ? it->string : "?");
        return 0;
    }
    return 1;
}

#define BUCKET_KEYS                                                                                      \
    "translations reads writes fetches l1_hits stlb_hits walks joined soft_misses walk_start walk_mem_reads " \
    "walk_mem_writes mem_refs_per_walk faults latency latency_hit latency_walk"
#define HIST_KEYS "count mean p50 p95 p99 max histogram"

/* histogram array == {lo,hi,count} triples */
static int bins_are(const cJSON *h, const uint64_t (*bins)[3], int n)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(h, "histogram");
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n) {
        fprintf(stderr, "histogram: expected %d bins, got %d\n", n, a ? cJSON_GetArraySize(a) : -1);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        const cJSON *b = cJSON_GetArrayItem(a, i);
        if (!keys_are(b, "lo hi count"))
            return 0;
        if (num(b, "lo") != (double)bins[i][0] || num(b, "hi") != (double)bins[i][1] ||
            num(b, "count") != (double)bins[i][2]) {
            fprintf(stderr, "bin %d: got {%g,%g,%g}, expected {%llu,%llu,%llu}\n", i, num(b, "lo"), num(b, "hi"),
                    num(b, "count"), (unsigned long long)bins[i][0], (unsigned long long)bins[i][1],
                    (unsigned long long)bins[i][2]);
            return 0;
        }
    }
    return 1;
}

static void test_json(void)
{
    stats_t s;
    CHECK_EQ(stats_init(&s), 0);
    fill_scenario(&s);
    cJSON *doc = stats_to_json(&s);
    CHECK(doc != NULL);
    /* through text and back, as mmusim writes it */
    char *txt = cJSON_Print(doc);
    cJSON *root = cJSON_Parse(txt);
    CHECK(root != NULL);
    free(txt);
    cJSON_Delete(doc);
    if (!root) {
        stats_free(&s);
        return;
    }

    CHECK(keys_are(root, "cycles accesses control_ops by_size"));
    CHECK(num(root, "cycles") == 1234);
    CHECK(num(root, "accesses") == 6);
    CHECK(num(root, "control_ops") == 2);
    const cJSON *bs = get(root, "by_size");
    CHECK(keys_are(bs, "4K 2M 1G none total"));
    for (int i = 0; i < STATS_NB; i++) {
        const cJSON *b = get(bs, stats_bucket_name(i));
        const exp_bucket_t *e = &expect[i];
        int before = check_fail_;
        CHECK(keys_are(b, BUCKET_KEYS));
        CHECK(keys_are(get(b, "walk_start"), "pml4e_read pml4e_cache pdpte_cache pde_cache"));
        CHECK(keys_are(get(b, "faults"), "not_present reserved write user nx smep smap noncanonical"));
        CHECK(keys_are(get(b, "latency"), HIST_KEYS));
        CHECK(keys_are(get(b, "latency_hit"), HIST_KEYS));
        CHECK(keys_are(get(b, "latency_walk"), HIST_KEYS));
        CHECK_EQ(num(b, "translations"), e->tr);
        CHECK_EQ(num(b, "reads"), e->rd);
        CHECK_EQ(num(b, "writes"), e->wr);
        CHECK_EQ(num(b, "fetches"), e->fx);
        CHECK_EQ(num(b, "l1_hits"), e->l1);
        CHECK_EQ(num(b, "stlb_hits"), e->stlb);
        CHECK_EQ(num(b, "walks"), e->walks);
        CHECK_EQ(num(b, "joined"), e->joined);
        CHECK_EQ(num(b, "soft_misses"), e->soft);
        CHECK_EQ(num(b, "walk_start.pml4e_read"), e->start[0]);
        CHECK_EQ(num(b, "walk_start.pml4e_cache"), e->start[1]);
        CHECK_EQ(num(b, "walk_start.pdpte_cache"), e->start[2]);
        CHECK_EQ(num(b, "walk_start.pde_cache"), e->start[3]);
        CHECK_EQ(num(b, "walk_mem_reads"), e->mrd);
        CHECK_EQ(num(b, "walk_mem_writes"), e->mwr);
        CHECK_NEAR(num(b, "mem_refs_per_walk"), e->walks ? (double)(e->mrd + e->mwr) / (double)e->walks : 0.0);
        CHECK_EQ(num(b, "faults.not_present"), e->f_np);
        CHECK_EQ(num(b, "faults.reserved"), e->f_rsvd);
        CHECK_EQ(num(b, "faults.write"), e->f_write);
        CHECK_EQ(num(b, "faults.user") + num(b, "faults.nx") + num(b, "faults.smep") + num(b, "faults.smap"), 0);
        CHECK_EQ(num(b, "faults.noncanonical"), e->f_gp);
        CHECK_EQ(num(b, "latency.count"), e->n_all);
        CHECK_EQ(num(b, "latency_hit.count"), e->n_hit);
        CHECK_EQ(num(b, "latency_walk.count"), e->n_walk);
        CHECK_EQ(num(b, "latency.max"), e->max_all);
        if (check_fail_ > before)
            fprintf(stderr, "  (the failures above are in JSON bucket %s)\n", stats_bucket_name(i));
    }
    /* values by hand (see test_record) */
    CHECK_NEAR(num(bs, "total.mem_refs_per_walk"), 8.0 / 3.0);
    CHECK_NEAR(num(bs, "4K.mem_refs_per_walk"), 3.0);
    CHECK_NEAR(num(bs, "none.mem_refs_per_walk"), 2.0);
    CHECK_NEAR(num(bs, "2M.mem_refs_per_walk"), 0.0);
    CHECK_NEAR(num(bs, "total.latency.mean"), 120.0 / 7.0);
    CHECK_EQ(num(bs, "total.latency.p50"), 12);
    CHECK_EQ(num(bs, "total.latency.p95"), 40);
    CHECK_EQ(num(bs, "total.latency.p99"), 40);
    CHECK_NEAR(num(bs, "total.latency_walk.mean"), 28.75);
    CHECK_EQ(num(bs, "total.latency_walk.p50"), 25);
    CHECK_EQ(num(bs, "total.latency_hit.p99"), 3);
    CHECK_EQ(num(bs, "total.latency_hit.max"), 3);
    CHECK_EQ(num(bs, "4K.latency.p50"), 38);
    CHECK_NEAR(num(bs, "4K.latency.mean"), 30.0);
    CHECK_EQ(num(bs, "none.latency.p50"), 1);
    CHECK_EQ(num(bs, "none.latency.p95"), 25);
    CHECK_EQ(num(bs, "none.latency_walk.max"), 25);
    CHECK_EQ(num(bs, "2M.latency.p99"), 1);
    CHECK_EQ(num(bs, "1G.latency_hit.p50"), 3);
    /* empty distributions are all zero */
    CHECK_EQ(num(bs, "4K.latency_hit.count"), 0);
    CHECK_EQ(num(bs, "4K.latency_hit.mean"), 0);
    CHECK_EQ(num(bs, "4K.latency_hit.p50"), 0);
    CHECK_EQ(num(bs, "4K.latency_hit.max"), 0);
    CHECK(bins_are(get(bs, "4K.latency_hit"), NULL, 0));

    /* histograms: power-of-two bins, non-empty only */
    static const uint64_t tot_all[][3] = {{0, 1, 2}, {2, 3, 1}, {8, 15, 1}, {16, 31, 1}, {32, 63, 2}};
    CHECK(bins_are(get(bs, "total.latency"), tot_all, 5));
    static const uint64_t tot_hit[][3] = {{0, 1, 1}, {2, 3, 1}};
    CHECK(bins_are(get(bs, "total.latency_hit"), tot_hit, 2));
    static const uint64_t tot_walk[][3] = {{8, 15, 1}, {16, 31, 1}, {32, 63, 2}};
    CHECK(bins_are(get(bs, "total.latency_walk"), tot_walk, 3));
    static const uint64_t k4[][3] = {{8, 15, 1}, {32, 63, 2}};
    CHECK(bins_are(get(bs, "4K.latency"), k4, 2));
    static const uint64_t none[][3] = {{0, 1, 1}, {16, 31, 1}};
    CHECK(bins_are(get(bs, "none.latency"), none, 2));
    static const uint64_t g1[][3] = {{2, 3, 1}};
    CHECK(bins_are(get(bs, "1G.latency"), g1, 1));
    cJSON_Delete(root);
    stats_free(&s);

    /* bin edges and the overflow bin: 4, 7, 8, 32767, 32768, 65535, 65536, 99999 */
    CHECK_EQ(stats_init(&s), 0);
    static const uint64_t lats[] = {4, 7, 8, 32767, 32768, 65535, 65536, 99999};
    for (size_t i = 0; i < sizeof lats / sizeof lats[0]; i++) {
        resp_t r = {MMU_PS_2M, 0, 0, MMU_SRC_WALK, 0, MMU_ACC_READ, false, false, 3, 0, 1000, 1000 + lats[i]};
        record(&s, &r);
    }
    root = stats_to_json(&s);
    bs = get(root, "by_size");
    static const uint64_t edges[][3] = {{4, 7, 2}, {8, 15, 1}, {16384, 32767, 1}, {32768, 65535, 2}, {65536, 99999, 2}};
    CHECK(bins_are(get(bs, "2M.latency"), edges, 5));
    CHECK(bins_are(get(bs, "total.latency_walk"), edges, 5));
    CHECK_EQ(num(bs, "2M.latency.max"), 99999);
    CHECK_EQ(num(bs, "2M.latency.p50"), 32767);  /* rank 4 */
    CHECK_EQ(num(bs, "2M.latency.p95"), 99999);  /* rank 8, in the overflow bin */
    CHECK_EQ(num(bs, "2M.walks"), 8);
    CHECK_EQ(num(bs, "2M.walk_mem_reads"), 24);
    CHECK_NEAR(num(bs, "2M.mem_refs_per_walk"), 3.0);
    CHECK_NEAR(num(bs, "2M.latency.mean"), (4.0 + 7 + 8 + 32767 + 32768 + 65535 + 65536 + 99999) / 8.0);
    cJSON_Delete(root);
    stats_free(&s);
}

/* ------------------------------------------------------------- table */

static void test_table(void)
{
    stats_t s;
    CHECK_EQ(stats_init(&s), 0);
    fill_scenario(&s);
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f) {
        stats_free(&s);
        return;
    }
    stats_print_table(&s, f);
    rewind(f);
    char line[512];
    char rows[8][16][32];
    int nrows = 0;
    while (nrows < 8 && fgets(line, sizeof line, f)) {
        int k = 0;
        for (char *tok = strtok(line, " \n"); tok && k < 16; tok = strtok(NULL, " \n"))
            snprintf(rows[nrows][k++], 32, "%s", tok);
        for (; k < 16; k++)
            rows[nrows][k][0] = 0;
        nrows++;
    }
    fclose(f);
    /* header + 4K 2M 1G none total (every bucket has translations) */
    CHECK_EQ(nrows, 6);
    static const char *const hdr[] = {"size", "translations", "L1hit%", "STLB%", "walk%", "fault%",
                                      "refs/wlk", "mean", "p50", "p95", "p99", "max"};
    for (int k = 0; k < 12; k++)
        CHECK(!strcmp(rows[0][k], hdr[k]));
    /* 4K: 3 translations, 0 L1, 0 STLB, 3/3 walk, 1/3 fault, 6/2 refs, mean 30, 38 40 40 40 */
    static const char *const r4k[] = {"4K", "3", "0.00", "0.00", "100.00", "33.33", "3.00", "30.0", "38", "40", "40", "40"};
    for (int k = 0; k < 12; k++)
        CHECK(!strcmp(rows[1][k], r4k[k]));
    static const char *const rtot[] = {"total", "7", "14.29", "14.29", "57.14", "42.86", "2.67", "17.1", "12", "40", "40", "40"};
    for (int k = 0; k < 12; k++) {
        if (strcmp(rows[5][k], rtot[k]))
            fprintf(stderr, "total column %d: '%s' != '%s'\n", k, rows[5][k], rtot[k]);
        CHECK(!strcmp(rows[5][k], rtot[k]));
    }
    CHECK(!strcmp(rows[4][0], "none"));
    stats_free(&s);

    /* empty buckets are left out, total always printed */
    CHECK_EQ(stats_init(&s), 0);
    f = tmpfile();
    CHECK(f != NULL);
    if (f) {
        stats_print_table(&s, f);
        rewind(f);
        nrows = 0;
        char first[8][16];
        while (nrows < 8 && fgets(line, sizeof line, f)) {
            sscanf(line, "%15s", first[nrows]);
            nrows++;
        }
        fclose(f);
        CHECK_EQ(nrows, 2);
        CHECK(nrows == 2 && !strcmp(first[1], "total"));
    }
    stats_free(&s);
}

/* "arrays" (docs/stats.md): keyed by the configuration's names, TLB arrays
 * then PWCs, each in configuration order, "kind" tlb or pwc; an array with
 * 0 entries is absent and not listed. An MMU that translated nothing: every
 * counter 0. */
static void test_arrays(void)
{
    mmu_config_t c;
    memset(&c, 0, sizeof c);
    static const char *const tn[] = {"zeta", "absent", "alpha"};
    for (int i = 0; i < 3; i++) {
        mmu_tlb_cfg_t *t = &c.tlb[c.ntlb++];
        snprintf(t->name, sizeof t->name, "%s", tn[i]);
        t->a = (mmu_array_cfg_t){i == 1 ? 0u : 4u, 2, MMU_REPL_LRU, 1};
        t->level = i == 2 ? 2 : 1;
        t->serves = MMU_SERVE_ALL;
        t->sizes = 1;
        t->lat = 1;
    }
    mmu_pwc_cfg_t *p = &c.pwc[c.npwc++];
    snprintf(p->name, sizeof p->name, "walkcache");
    p->a = (mmu_array_cfg_t){4, 2, MMU_REPL_LRU, 1};
    p->levels = 7;
    p->lat = 1;
    c.walkers = 1;
    c.outstanding = 1;
    c.maxphyaddr = 46;
    mmu_t *m = NULL;
    char err[200];
    CHECK_EQ(mmu_create(&c, &m, err, sizeof err), 0);
    if (!m)
        return;
    CHECK_EQ(mmu_narrays(m), 4);
    CHECK_EQ(mmu_ntlb(m), 3);
    CHECK(strcmp(mmu_array_name(m, 3), "walkcache") == 0);
    CHECK(strcmp(mmu_array_name(m, 4), "?") == 0);
    CHECK(mmu_array(m, 4) == NULL);
    CHECK_EQ(mmu_array_find(m, "alpha"), 2);
    CHECK_EQ(mmu_array_find(m, "walkcache"), 3);
    CHECK_EQ(mmu_array_find(m, "nosuch"), -1);
    stats_t st;
    CHECK_EQ(stats_init(&st), 0);
    stats_take_counters(&st, m, PERF_INTEL);
    cJSON *doc = stats_to_json(&st);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "arrays");
    CHECK(cJSON_IsObject(arr));
    static const char *const want[] = {"zeta", "alpha", "walkcache"}, *const kind[] = {"tlb", "tlb", "pwc"};
    int n = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, arr)
    {
        CHECK(n < 3);
        if (n >= 3)
            break;
        CHECK(strcmp(a->string, want[n]) == 0);
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(a, "kind");
        CHECK(cJSON_IsString(k) && strcmp(k->valuestring, kind[n]) == 0);
        CHECK(strcmp(a->child->string, "kind") == 0); /* the first key */
        CHECK_EQ(cJSON_GetObjectItemCaseSensitive(a, "lookups")->valuedouble, 0);
        CHECK_EQ(cJSON_GetObjectItemCaseSensitive(a, "fills")->valuedouble, 0);
        n++;
    }
    CHECK_EQ(n, 3);
    cJSON_Delete(doc);
    stats_free(&st);
    mmu_destroy(m);
}

int main(void)
{
    test_percentile();
    test_record();
    test_names();
    test_json();
    test_table();
    test_arrays();
    CHECK_DONE();
}
