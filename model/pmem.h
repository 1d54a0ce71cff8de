/* pmem.h - sparse physical memory holding paging structures.
 * Only 4 KiB frames that were written exist; reads elsewhere return 0. */
#ifndef MMU_PMEM_H
#define MMU_PMEM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pmem pmem_t;

pmem_t *pmem_create(void);
void pmem_destroy(pmem_t *m); /* NULL is a no-op */
uint64_t pmem_read64(const pmem_t *m, uint64_t pa);  /* pa is 8-byte aligned */
int pmem_write64(pmem_t *m, uint64_t pa, uint64_t v); /* 0, or -1 out of memory */
size_t pmem_frames(const pmem_t *m);
/* Call fn for every existing frame, in ascending address order. */
void pmem_foreach(const pmem_t *m, void (*fn)(void *ctx, uint64_t frame_pa, const uint64_t *words), void *ctx);

#ifdef __cplusplus
}
#endif
#endif
