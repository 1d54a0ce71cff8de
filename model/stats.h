/* stats.h - translation statistics per page size and in total.
 * Every key of the JSON document is listed in docs/stats.md. */
#ifndef MMU_STATS_H
#define MMU_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "mmu.h"
#include "mmu_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STATS_HIST_MAX 65536 /* latencies >= this go to one overflow bin */

typedef struct {
    uint64_t n, sum, max;
    uint64_t over; /* samples >= STATS_HIST_MAX */
    uint64_t *count; /* [STATS_HIST_MAX] */
} stats_hist_t;

/* Buckets: 0 4K, 1 2M, 2 1G, 3 "none" (faults before a leaf), 4 total. */
enum { STATS_B_NONE = 3, STATS_B_TOTAL = 4, STATS_NB = 5 };

typedef struct {
    uint64_t translations;
    uint64_t l1_hits, stlb_hits, walks, joined, soft_misses;
    uint64_t pwc_start[4]; /* walks that started at: 0 PML4E read, 1 PML4E-cache hit, 2 PDPTE-cache hit, 3 PDE-cache hit */
    uint64_t mem_reads, mem_writes;  /* of the walks counted in `walks` */
    uint64_t faults[MMU_CAUSE_COUNT]; /* by cause; [0] unused */
    uint64_t by_acc[3];
    uint64_t acc_src[3][4]; /* by access kind: L1 hits, STLB hits, walk owners, joined */
    stats_hist_t lat_hit; /* L1 and STLB hits */
    stats_hist_t lat_walk; /* walks and joined walks, with or without a page fault */
    /* lat_all: every translation, #GP included */
    stats_hist_t lat_all;
} stats_bucket_t;

typedef struct {
    stats_bucket_t b[STATS_NB];
    uint64_t cycles;   /* simulated cycles of the run */
    uint64_t accesses; /* workload accesses (before page splitting) */
    uint64_t ctl_ops;  /* control operations issued (CR3 switches) */
    /* the MMU's own counters at the end of the run (stats_take_counters) */
    bool have_counters;
    int perf_vendor; /* perf_vendor_t of the run: names of the "perf" section */
    unsigned narr; /* the MMU's arrays, in mmu_array() order */
    char arr_name[MMU_TLB_MAX + MMU_PWC_MAX][MMU_NAME_LEN];
    bool arr_tlb[MMU_TLB_MAX + MMU_PWC_MAX];      /* a TLB array (else a page-walk cache) */
    bool arr_present[MMU_TLB_MAX + MMU_PWC_MAX];  /* the array has entries */
    sa_counts_t arr[MMU_TLB_MAX + MMU_PWC_MAX];
    mmu_walk_counts_t walks;
} stats_t;

/* Copy the MMU's counters (every array's, the walks') into s: "arrays" and
 * "walks" of the JSON document. */
void stats_take_counters(stats_t *s, const mmu_t *m, int perf_vendor);

int stats_init(stats_t *s); /* 0 / -1 out of memory */
void stats_free(stats_t *s);
void stats_record(stats_t *s, const mmu_out_t *o, const mmu_rsp_info_t *info);

/* Percentile p in (0,100]: the smallest latency L such that at least
 * ceil(p/100 * n) samples are <= L. 0 when empty. */
uint64_t stats_percentile(const stats_hist_t *h, double p);
double stats_mean(const stats_hist_t *h);

const char *stats_bucket_name(int b); /* "4K", "2M", "1G", "none", "total" */
const char *stats_cause_name(int c);  /* "not_present", ... */

void stats_print_table(const stats_t *s, FILE *f);

/* The JSON document (a cJSON object; the caller owns it). */
struct cJSON;
struct cJSON *stats_to_json(const stats_t *s);

#ifdef __cplusplus
}
#endif
#endif
