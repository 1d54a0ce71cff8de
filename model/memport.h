/* memport.h - the walkers' memory-port arbiter (docs/timing.md [T:memory
 * port]): among the walkers that want the port (W_MEMRQ for a read, W_ADW
 * for a locked A/D update) at the start of the cycle, the first at or after
 * the round-robin pointer rr (walker numbers modulo the count) is granted;
 * rr then becomes the granted walker + 1. */
#ifndef MMU_MEMPORT_H
#define MMU_MEMPORT_H

#include <stdint.h>

#include "walker.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The walker granted in this cycle, or -1 when none wants the port. */
int memport_grant(const walker_t *w, uint32_t nwalkers, uint32_t rr);

/* The pointer after a grant to walker k. */
static inline uint32_t memport_next_rr(uint32_t k, uint32_t nwalkers) { return (k + 1) % nwalkers; }

#ifdef __cplusplus
}
#endif
#endif
