/* onepass.h - level-2 TLB hit and walk counts for many geometries of the
 * level-2 array tlb.stlb in one run.
 *
 * With `issue = inorder` (one translation at a time) the stream of level-2
 * lookups of a stand-alone run does not depend on tlb.stlb's geometry: the
 * level-2 arrays are looked up by exactly the translations that miss level
 * 1, and level 1 holds the same entries whatever level 2 holds (a level-1
 * refill from a level-2 hit writes the entry that the walk of a miss would
 * have written: the whole page, same frame, rights, PCID and D; docs/timing.md
 * [T:fill]). So one run with any tlb.stlb, observed through
 * sim_source_t.on_rsp, gives every geometry's hits:
 *
 *   - a level-2 lookup is a response with rsp_src = STLB or WALK. For the
 *     access kind and page size (rsp_size) of the response, tlb.stlb either
 *     takes the page ([T:fill]: whole, or as the piece that contains the
 *     address when it splinters) or not. When it does, the lookup's key is
 *     the entry's page number at the entry's size, that size and the PCID;
 *     the set is the page number modulo the number of sets (sa.c). When it
 *     does not, the lookup is another array's hit or a walk in every
 *     geometry alike;
 *   - true LRU has the inclusion property: with a fixed number of sets, the
 *     entries of a W-way array are the W most recently used keys of each
 *     set, so one recency stack per set (as deep as the largest W) answers
 *     every W at once (Mattson et al., "Evaluation techniques for storage
 *     hierarchies", IBM Systems Journal 9(2), 1970). Fully associative is
 *     one set; each distinct number of sets is one more group of stacks;
 *   - the D bit (docs/timing.md 5.4): a write that finds its entry with
 *     D = 0 is a soft miss: it walks and the fill overwrites the same entry
 *     with D = 1, which leaves the recency order as a hit would. Each stack
 *     slot keeps one D bit per size; a fill writes D = (the page was written
 *     before in this address space, or this is a write, or every page is
 *     mapped dirty: demand.ad = dirty; with demand.ad = linux a page is
 *     mapped dirty exactly when its first touch is a write, the same rule);
 *   - a CR3 write without PCIDs (processes > 1, pcid = off) flushes every
 *     non-global entry; demand-mapped pages are never global, so the stacks
 *     are emptied. With PCIDs the driver sets the no-flush bit and the PCID
 *     in the key keeps address spaces apart;
 *   - walks = level-2 misses (no joins in order).
 *
 * Every onepass_run also computes the configuration's own tlb.stlb geometry
 * and checks it against the run's statistics; a difference is an error, so
 * a wrong assumption cannot go unnoticed for that geometry.
 *
 * Conditions (onepass_check): issue = inorder; a level-2 TLB array named
 * stlb with repl = lru and at most 64 ways; no other level-2 array takes or
 * holds the pages tlb.stlb takes, nor takes them when tlb.stlb has no
 * entries; for each page size, tlb.stlb takes it for every access kind it
 * serves or for none. The geometries must pass the rules of
 * tlb.stlb.entries/ways (docs/config.md) with at most 64 ways; entries = 0
 * (no tlb.stlb) is allowed and gives no hits in it.
 */
#ifndef MMU_ONEPASS_H
#define MMU_ONEPASS_H

#include <stddef.h>
#include <stdint.h>

#include "mmu_config.h"
#include "sim.h"
#include "stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t entries, ways;
} onepass_size_t;

/* Per bucket (STATS_B_*: 0 4K, 1 2M, 2 1G, 3 none, 4 total), as in stats_bucket_t. */
typedef struct {
    uint64_t stlb_hits[STATS_NB];
    uint64_t walks[STATS_NB];
} onepass_counts_t;

typedef struct onepass onepass_t;

/* 0 when one pass gives exact counts for cfg, else -1 with the reason. */
int onepass_check(const sim_config_t *cfg, char *why, size_t n);

/* Sizes to compute (at most 4096; repeats allowed). Returns 0, or -1 with
 * "tlb.stlb.entries/ways E/W: reason" in err. */
int onepass_create(const onepass_size_t *sizes, unsigned n, onepass_t **out, char *err, size_t errlen);
void onepass_destroy(onepass_t *op); /* NULL is a no-op */

/* Run src through sim_run with cfg (its own tlb.stlb; any valid geometry) and
 * count every size. st receives the run's own statistics. Returns 0, or -1
 * with a message (a sim_run error, a condition not met, a failed self-check). */
int onepass_run(onepass_t *op, const sim_config_t *cfg, const sim_source_t *src, stats_t *st, char *err,
                size_t errlen);

/* Counts of size i (after onepass_run); STLB lookups = stlb_hits + walks. */
const onepass_counts_t *onepass_counts(const onepass_t *op, unsigned i);

#ifdef __cplusplus
}
#endif
#endif
