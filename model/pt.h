/* pt.h - page-table builder over sparse physical memory, with a seeded
 * physical-frame allocator and demand mapping for traces.
 *
 * Physical memory [0, 2^MAXPHYADDR) is split into pools so that frames of
 * different kinds never overlap (M = MAXPHYADDR):
 *   paging structures  [2^(M-4), 2^(M-3))   handed out in ascending order
 *   4 KiB frames       [2^(M-3), 2^(M-2))   scattered by a seeded bijection
 *   2 MiB frames       [2^(M-2), 2^(M-1))   scattered
 *   1 GiB frames       [2^(M-1), 2^M)       scattered
 * Non-leaf entries are created P|RW|US, so the leaf alone decides the rights
 * unless the caller edits entries; A = 0 unless the mapping asks for
 * PT_TABLE_A (demand.ad = linux or dirty). */
#ifndef MMU_PT_H
#define MMU_PT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu_config.h"
#include "pmem.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Leaf permission flags for pt_map (PTE bit positions). */
#define PT_W (1ull << 1)  /* writable (R/W=1) */
#define PT_U (1ull << 2)  /* user (U/S=1) */
#define PT_A (1ull << 5)  /* map with A already set */
#define PT_D (1ull << 6)  /* map with D already set */
#define PT_G (1ull << 8)  /* global */
#define PT_NX (1ull << 63) /* execute-disable */
/* Not a leaf bit: the paging-structure entries that pt_map creates for this
 * page (none when the tables exist) get A = 1. Bit 52 is never copied. */
#define PT_TABLE_A (1ull << 52)

typedef struct pt pt_t;

pt_t *pt_create(pmem_t *mem, unsigned maxphyaddr, uint64_t seed);
void pt_destroy(pt_t *p); /* NULL is a no-op; does not destroy mem */
pmem_t *pt_mem(pt_t *p);

/* A new, empty PML4; returns its physical address (CR3 bits M-1:12), 0 when out of frames. */
uint64_t pt_new_root(pt_t *p);

/* Map one page of size ps (MMU_PS_*) at va -> pa with flags PT_*. va and pa
 * must be aligned to the page size and va canonical. Returns 0, or -1 with a
 * reason in err (misaligned, already mapped by a different page size, out of
 * frames). Re-mapping the same page with the same size overwrites the leaf. */
int pt_map(pt_t *p, uint64_t cr3, uint64_t va, uint64_t pa, unsigned ps, uint64_t flags, char *err, size_t errlen);

/* Map a region [va, va+len) with pages of size ps starting at pa. */
int pt_map_region(pt_t *p, uint64_t cr3, uint64_t va, uint64_t pa, uint64_t len, unsigned ps, uint64_t flags, char *err, size_t errlen);

/* Physical address of the entry at `level` (4..1) used to translate va, or 0
 * if the walk stops above it (not present or a larger leaf). For tests. */
uint64_t pt_entry_addr(pt_t *p, uint64_t cr3, uint64_t va, unsigned level);

/* Software translation: 1 and *pa, *ps when mapped, 0 when not. */
int pt_translate(pt_t *p, uint64_t cr3, uint64_t va, uint64_t *pa, unsigned *ps);

/* Allocate a frame of size ps from its pool; 0 when the pool is exhausted. */
uint64_t pt_alloc_frame(pt_t *p, unsigned ps);

/* Demand mapping: if va is unmapped, choose a page size by the backing
 * policy, allocate a frame and map it (user, writable, executable), with A
 * and D as `ad` says for a first touch that is a write (`write`) or not
 * (demand_ad_t, docs/config.md `demand.ad`). A page already mapped is left
 * as it is. Returns 0 and *ps (size of the page now covering va), or -1
 * with err. */
int pt_demand(pt_t *p, uint64_t cr3, uint64_t va, backing_t backing, const uint32_t mix_weight[MMU_PS_COUNT],
              demand_ad_t ad, bool write, unsigned *ps, char *err, size_t errlen);

/* Counters: frames handed out per size and paging-structure pages. */
uint64_t pt_frames_used(const pt_t *p, unsigned ps);
uint64_t pt_tables_used(const pt_t *p);

#ifdef __cplusplus
}
#endif
#endif
