/* memport.c - the memory-port arbiter: see memport.h. */
#include "memport.h"

int memport_grant(const walker_t *w, uint32_t nwalkers, uint32_t rr)
{
    for (uint32_t i = 0; i < nwalkers; i++) {
        uint32_t k = (rr + i) % nwalkers;
        if (w[k].state == W_MEMRQ || w[k].state == W_ADW)
            return (int)k;
    }
    return -1;
}
