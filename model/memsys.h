/* memsys.h - the memory side of a stand-alone run: answers the MMU's
 * page-walk memory port (docs/timing.md, "Memory port").
 *
 * A read issued in cycle t is sampled from physical memory in cycle t and its
 * response is ready in cycle t + latency; at most one response is delivered
 * per cycle, the ready one with the smallest (ready cycle, issue order) first.
 * A locked A/D update (docs/timing.md [T:locked-update]) is applied in the
 * cycle it is issued (A and D ORed in if the entry is unchanged but for A and
 * D) and answered with the entry's old value, with a read's latency.
 * Latency: MEM_FIXED gives every read mem.latency; MEM_CACHE looks the
 * 64-byte line up in L1D, L2, LLC (LRU, allocate in every level on a miss,
 * writes allocate too) and takes the latency of the first level that holds it,
 * or mem.dram.lat. */
#ifndef MMU_MEMSYS_H
#define MMU_MEMSYS_H

#include <stdbool.h>
#include <stdint.h>

#include "evq.h"
#include "mmu_config.h"
#include "pmem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct memsys memsys_t;

memsys_t *memsys_create(const mem_config_t *cfg, pmem_t *mem);
void memsys_destroy(memsys_t *m); /* NULL is a no-op */

/* A request on the memory port in `cycle`. Returns 0, -1 out of memory. */
int memsys_issue(memsys_t *m, uint64_t cycle, bool we, uint8_t id, uint64_t addr, uint64_t wdata);

/* The response delivered in `cycle`, if any: 1 with *id and *data, else 0. */
int memsys_respond(memsys_t *m, uint64_t cycle, uint8_t *id, uint64_t *data);

/* Earliest cycle >= now at which memsys_respond can deliver; UINT64_MAX if none pending. */
uint64_t memsys_next(const memsys_t *m, uint64_t now);

/* Reads that hit each level: [0] L1D, [1] L2, [2] LLC, [3] DRAM; locked A/D updates. */
void memsys_counts(const memsys_t *m, uint64_t hits[4], uint64_t *writes);

#ifdef __cplusplus
}
#endif
#endif
