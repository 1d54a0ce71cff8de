/* stats.c - counting, percentiles, table and JSON output. */
#include "stats.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const bucket_names[STATS_NB] = {"4K", "2M", "1G", "none", "total"};
static const char *const cause_names[MMU_CAUSE_COUNT] = {"none", "not_present", "reserved", "write", "user",
                                                         "nx",   "smep",        "smap",     "noncanonical"};

const char *stats_bucket_name(int b) { return (b >= 0 && b < STATS_NB) ? bucket_names[b] : "?"; }
const char *stats_cause_name(int c) { return (c >= 0 && c < MMU_CAUSE_COUNT) ? cause_names[c] : "?"; }

static int hist_init(stats_hist_t *h)
{
    memset(h, 0, sizeof *h);
    h->count = calloc(STATS_HIST_MAX, sizeof *h->count);
    return h->count ? 0 : -1;
}

int stats_init(stats_t *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < STATS_NB; i++) {
        if (hist_init(&s->b[i].lat_hit) || hist_init(&s->b[i].lat_walk) || hist_init(&s->b[i].lat_all)) {
            stats_free(s);
            return -1;
        }
    }
    return 0;
}

void stats_free(stats_t *s)
{
    if (!s)
        return;
    for (int i = 0; i < STATS_NB; i++) {
        free(s->b[i].lat_hit.count);
        free(s->b[i].lat_walk.count);
        free(s->b[i].lat_all.count);
        s->b[i].lat_hit.count = s->b[i].lat_walk.count = s->b[i].lat_all.count = NULL;
    }
}

static inline void hist_add(stats_hist_t *h, uint64_t v)
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

static void bucket_add(stats_bucket_t *b, const mmu_out_t *o, const mmu_rsp_info_t *info, uint64_t lat)
{
    b->translations++;
    if (info->acc < 3)
        b->by_acc[info->acc]++;
    if (info->soft_miss)
        b->soft_misses++;
    if (o->rsp_fault)
        b->faults[o->rsp_cause < MMU_CAUSE_COUNT ? o->rsp_cause : 0]++;
    if (info->acc < 3 && o->rsp_src < MMU_SRC_NONE)
        b->acc_src[info->acc][o->rsp_src == MMU_SRC_WALK && info->joined ? 3 : o->rsp_src]++;
    switch (o->rsp_src) {
    case MMU_SRC_L1:
        b->l1_hits++;
        hist_add(&b->lat_hit, lat);
        break;
    case MMU_SRC_STLB:
        b->stlb_hits++;
        hist_add(&b->lat_hit, lat);
        break;
    case MMU_SRC_WALK:
        if (info->joined) {
            b->joined++;
        } else {
            b->walks++;
            b->pwc_start[o->rsp_pwc & 3]++;
            b->mem_reads += info->mem_reads;
            b->mem_writes += info->mem_writes;
        }
        hist_add(&b->lat_walk, lat);
        break;
    default:
        break;
    }
    hist_add(&b->lat_all, lat);
}

void stats_record(stats_t *s, const mmu_out_t *o, const mmu_rsp_info_t *info)
{
    uint64_t lat = info->cycle_rsp - info->cycle_accept;
    int b = o->rsp_size < MMU_PS_COUNT ? o->rsp_size : STATS_B_NONE;
    bucket_add(&s->b[b], o, info, lat);
    bucket_add(&s->b[STATS_B_TOTAL], o, info, lat);
}

uint64_t stats_percentile(const stats_hist_t *h, double p)
{
    if (!h->n)
        return 0;
    uint64_t need = (uint64_t)ceil(p * (double)h->n / 100.0);
    if (need < 1)
        need = 1;
    uint64_t cum = 0;
    for (uint64_t v = 0; v < STATS_HIST_MAX; v++) {
        cum += h->count[v];
        if (cum >= need)
            return v;
    }
    return h->max; /* in the overflow bin: the maximum is an upper bound */
}

double stats_mean(const stats_hist_t *h) { return h->n ? (double)h->sum / (double)h->n : 0.0; }

static double per(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

void stats_print_table(const stats_t *s, FILE *f)
{
    fprintf(f, "%-6s %12s %7s %7s %7s %7s %8s %6s %6s %6s %6s %7s\n", "size", "translations", "L1hit%", "STLB%",
            "walk%", "fault%", "refs/wlk", "mean", "p50", "p95", "p99", "max");
    for (int i = 0; i < STATS_NB; i++) {
        const stats_bucket_t *b = &s->b[i];
        if (!b->translations && i != STATS_B_TOTAL)
            continue;
        uint64_t faults = 0;
        for (int c = 1; c < MMU_CAUSE_COUNT; c++)
            faults += b->faults[c];
        fprintf(f, "%-6s %12llu %7.2f %7.2f %7.2f %7.2f %8.2f %6.1f %6llu %6llu %6llu %7llu\n", bucket_names[i],
                (unsigned long long)b->translations, 100 * per(b->l1_hits, b->translations),
                100 * per(b->stlb_hits, b->translations), 100 * per(b->walks + b->joined, b->translations),
                100 * per(faults, b->translations), per(b->mem_reads + b->mem_writes, b->walks), stats_mean(&b->lat_all),
                (unsigned long long)stats_percentile(&b->lat_all, 50), (unsigned long long)stats_percentile(&b->lat_all, 95),
                (unsigned long long)stats_percentile(&b->lat_all, 99), (unsigned long long)b->lat_all.max);
    }
}

static cJSON *hist_json(const stats_hist_t *h)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "count", (double)h->n);
    cJSON_AddNumberToObject(o, "mean", stats_mean(h));
    cJSON_AddNumberToObject(o, "p50", (double)stats_percentile(h, 50));
    cJSON_AddNumberToObject(o, "p95", (double)stats_percentile(h, 95));
    cJSON_AddNumberToObject(o, "p99", (double)stats_percentile(h, 99));
    cJSON_AddNumberToObject(o, "max", (double)h->max);
    /* power-of-two bins: [0,1], [2,3], [4,7], ... as {"lo","hi","count"} */
    cJSON *bins = cJSON_AddArrayToObject(o, "histogram");
    uint64_t lo = 0, hi = 1;
    while (lo < STATS_HIST_MAX) {
        uint64_t c = 0;
        for (uint64_t v = lo; v <= hi && v < STATS_HIST_MAX; v++)
            c += h->count[v];
        if (c) {
            cJSON *bin = cJSON_CreateObject();
            cJSON_AddNumberToObject(bin, "lo", (double)lo);
            cJSON_AddNumberToObject(bin, "hi", (double)hi);
            cJSON_AddNumberToObject(bin, "count", (double)c);
            cJSON_AddItemToArray(bins, bin);
        }
        lo = hi + 1;
        hi = 2 * lo - 1;
    }
    if (h->over) {
        cJSON *bin = cJSON_CreateObject();
        cJSON_AddNumberToObject(bin, "lo", (double)STATS_HIST_MAX);
        cJSON_AddNumberToObject(bin, "hi", (double)h->max);
        cJSON_AddNumberToObject(bin, "count", (double)h->over);
        cJSON_AddItemToArray(bins, bin);
    }
    return o;
}

void stats_take_counters(stats_t *s, const mmu_t *m, int perf_vendor)
{
    s->have_counters = true;
    s->perf_vendor = perf_vendor;
    s->narr = mmu_narrays(m);
    for (unsigned i = 0; i < s->narr; i++) {
        const sa_t *a = mmu_array(m, i);
        snprintf(s->arr_name[i], sizeof s->arr_name[i], "%s", mmu_array_name(m, i));
        s->arr_tlb[i] = i < mmu_ntlb(m);
        s->arr_present[i] = sa_enabled(a);
        s->arr[i] = a->cnt;
    }
    s->walks = *mmu_walk_counts(m);
}

static const char *const kind_names[3] = {"read", "write", "fetch"};

/* "arrays": per array present, its lookups (hits + soft misses + misses),
 * fills and evictions, in total and by access kind. */
static cJSON *arrays_json(const stats_t *s)
{
    cJSON *arrs = cJSON_CreateObject();
    for (unsigned i = 0; i < s->narr; i++) {
        if (!s->arr_present[i])
            continue;
        const sa_counts_t *c = &s->arr[i];
        uint64_t t[4] = {0, 0, 0, 0}; /* lookups, hits, soft, misses */
        cJSON *o = cJSON_CreateObject();
        cJSON *bk = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", s->arr_tlb[i] ? "tlb" : "pwc");
        for (int k = 0; k < 3; k++) {
            uint64_t miss = c->lookups[k] - c->hits[k] - c->soft[k];
            cJSON *ko = cJSON_AddObjectToObject(bk, kind_names[k]);
            cJSON_AddNumberToObject(ko, "lookups", (double)c->lookups[k]);
            cJSON_AddNumberToObject(ko, "hits", (double)c->hits[k]);
            cJSON_AddNumberToObject(ko, "soft_misses", (double)c->soft[k]);
            cJSON_AddNumberToObject(ko, "misses", (double)miss);
            t[0] += c->lookups[k], t[1] += c->hits[k], t[2] += c->soft[k], t[3] += miss;
        }
        cJSON_AddNumberToObject(o, "lookups", (double)t[0]);
        cJSON_AddNumberToObject(o, "hits", (double)t[1]);
        cJSON_AddNumberToObject(o, "soft_misses", (double)t[2]);
        cJSON_AddNumberToObject(o, "misses", (double)t[3]);
        cJSON_AddNumberToObject(o, "fills", (double)c->fills);
        cJSON_AddNumberToObject(o, "evictions", (double)c->evictions);
        cJSON_AddItemToObject(o, "by_kind", bk);
        cJSON_AddItemToObject(arrs, s->arr_name[i], o);
    }
    return arrs;
}

/* "walks": by access kind, and the restarts. */
static cJSON *walks_json(const mmu_walk_counts_t *w)
{
    cJSON *o = cJSON_CreateObject();
    for (int k = 0; k < 3; k++) {
        cJSON *ko = cJSON_AddObjectToObject(o, kind_names[k]);
        cJSON_AddNumberToObject(ko, "started", (double)w->started[k]);
        cJSON_AddNumberToObject(ko, "completed", (double)w->completed[k]);
        cJSON_AddNumberToObject(ko, "faulted", (double)w->faulted[k]);
        cJSON_AddNumberToObject(ko, "cycles", (double)w->cycles[k]);
        cJSON_AddNumberToObject(ko, "active_cycles", (double)w->active_cycles[k]);
    }
    cJSON_AddNumberToObject(o, "restarts", (double)w->restarts);
    return o;
}

/* "perf": what the vendor's perf events would count, from the counters
 * above (docs/stats.md, docs/tlb-organisations.md section 2). */
static void add(cJSON *o, const char *name, uint64_t v) { cJSON_AddNumberToObject(o, name, (double)v); }

static cJSON *perf_json(const stats_t *s)
{
    enum { L1 = 0, ST = 1, WK = 2, JN = 3 };
    const stats_bucket_t *t = &s->b[STATS_B_TOTAL], *k4 = &s->b[MMU_PS_4K], *m2 = &s->b[MMU_PS_2M],
                         *g1 = &s->b[MMU_PS_1G];
    const mmu_walk_counts_t *w = &s->walks;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "vendor", s->perf_vendor == PERF_AMD ? "amd" : "intel");
    if (s->perf_vendor == PERF_AMD) {
        /* the data side does not tell loads from stores: reads + writes */
#define D(b, src) ((b)->acc_src[MMU_ACC_READ][src] + (b)->acc_src[MMU_ACC_WRITE][src])
#define F(b, src) ((b)->acc_src[MMU_ACC_EXEC][src])
        add(o, "ls_l1_d_tlb_miss.all", D(t, ST) + D(t, WK) + D(t, JN));
        add(o, "ls_l1_d_tlb_miss.tlb_reload_4k_l2_hit", D(k4, ST));
        add(o, "ls_l1_d_tlb_miss.tlb_reload_2m_l2_hit", D(m2, ST));
        add(o, "ls_l1_d_tlb_miss.tlb_reload_1g_l2_hit", D(g1, ST));
        add(o, "ls_l1_d_tlb_miss.tlb_reload_4k_l2_miss", D(k4, WK) + D(k4, JN));
        add(o, "ls_l1_d_tlb_miss.tlb_reload_2m_l2_miss", D(m2, WK) + D(m2, JN));
        add(o, "ls_l1_d_tlb_miss.tlb_reload_1g_l2_miss", D(g1, WK) + D(g1, JN));
        add(o, "ls_l1_d_tlb_miss.all_l2_miss", D(t, WK) + D(t, JN));
        add(o, "ls_tablewalker.dside", w->started[MMU_ACC_READ] + w->started[MMU_ACC_WRITE]);
        add(o, "ls_tablewalker.iside", w->started[MMU_ACC_EXEC]);
        add(o, "bp_l1_tlb_fetch_hit", F(t, L1));
        add(o, "bp_l1_tlb_fetch_hit.if4k", F(k4, L1));
        add(o, "bp_l1_tlb_fetch_hit.if2m", F(m2, L1));
        add(o, "bp_l1_tlb_fetch_hit.if1g", F(g1, L1));
        add(o, "bp_l1_tlb_miss_l2_hit", F(t, ST));
        add(o, "bp_l1_tlb_miss_l2_tlb_miss", F(t, WK) + F(t, JN));
        add(o, "bp_l1_tlb_miss_l2_tlb_miss.if4k", F(k4, WK) + F(k4, JN));
        add(o, "bp_l1_tlb_miss_l2_tlb_miss.if2m", F(m2, WK) + F(m2, JN));
        add(o, "bp_l1_tlb_miss_l2_tlb_miss.if1g", F(g1, WK) + F(g1, JN));
#undef D
#undef F
        return o;
    }
    static const char *const pre[3] = {"dtlb_load_misses", "dtlb_store_misses", "itlb_misses"};
    static const unsigned acc[3] = {MMU_ACC_READ, MMU_ACC_WRITE, MMU_ACC_EXEC};
    char name[64];
    for (int i = 0; i < 3; i++) {
        const unsigned a = acc[i];
#define E(suffix, v) (snprintf(name, sizeof name, "%s.%s", pre[i], suffix), add(o, name, (v)))
        E("miss_causes_a_walk", w->started[a]);
        E("stlb_hit", t->acc_src[a][ST]);
        E("walk_completed", w->completed[a] + w->faulted[a]);
        E("walk_completed_4k", k4->acc_src[a][WK]);
        E("walk_completed_2m_4m", m2->acc_src[a][WK]);
        E("walk_completed_1g", g1->acc_src[a][WK]);
        E("walk_active", w->active_cycles[a]);
        E("walk_pending", w->cycles[a]);
#undef E
    }
    return o;
}

cJSON *stats_to_json(const stats_t *s)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "cycles", (double)s->cycles);
    cJSON_AddNumberToObject(root, "accesses", (double)s->accesses);
    cJSON_AddNumberToObject(root, "control_ops", (double)s->ctl_ops);
    cJSON *sizes = cJSON_AddObjectToObject(root, "by_size");
    for (int i = 0; i < STATS_NB; i++) {
        const stats_bucket_t *b = &s->b[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "translations", (double)b->translations);
        cJSON_AddNumberToObject(o, "reads", (double)b->by_acc[MMU_ACC_READ]);
        cJSON_AddNumberToObject(o, "writes", (double)b->by_acc[MMU_ACC_WRITE]);
        cJSON_AddNumberToObject(o, "fetches", (double)b->by_acc[MMU_ACC_EXEC]);
        cJSON_AddNumberToObject(o, "l1_hits", (double)b->l1_hits);
        cJSON_AddNumberToObject(o, "stlb_hits", (double)b->stlb_hits);
        cJSON_AddNumberToObject(o, "walks", (double)b->walks);
        cJSON_AddNumberToObject(o, "joined", (double)b->joined);
        cJSON_AddNumberToObject(o, "soft_misses", (double)b->soft_misses);
        cJSON *pw = cJSON_AddObjectToObject(o, "walk_start");
        cJSON_AddNumberToObject(pw, "pml4e_read", (double)b->pwc_start[0]);
        cJSON_AddNumberToObject(pw, "pml4e_cache", (double)b->pwc_start[1]);
        cJSON_AddNumberToObject(pw, "pdpte_cache", (double)b->pwc_start[2]);
        cJSON_AddNumberToObject(pw, "pde_cache", (double)b->pwc_start[3]);
        cJSON_AddNumberToObject(o, "walk_mem_reads", (double)b->mem_reads);
        cJSON_AddNumberToObject(o, "walk_mem_writes", (double)b->mem_writes);
        cJSON_AddNumberToObject(o, "mem_refs_per_walk", per(b->mem_reads + b->mem_writes, b->walks));
        cJSON *fa = cJSON_AddObjectToObject(o, "faults");
        for (int c = 1; c < MMU_CAUSE_COUNT; c++)
            cJSON_AddNumberToObject(fa, cause_names[c], (double)b->faults[c]);
        cJSON_AddItemToObject(o, "latency", hist_json(&b->lat_all));
        cJSON_AddItemToObject(o, "latency_hit", hist_json(&b->lat_hit));
        cJSON_AddItemToObject(o, "latency_walk", hist_json(&b->lat_walk));
        cJSON_AddItemToObject(sizes, bucket_names[i], o);
    }
    if (s->have_counters) {
        cJSON_AddItemToObject(root, "arrays", arrays_json(s));
        cJSON_AddItemToObject(root, "walks", walks_json(&s->walks));
        cJSON_AddItemToObject(root, "perf", perf_json(s));
    }
    return root;
}
