/* sa.c - set-associative array with LRU, tree-PLRU and LFSR replacement. */
#include "sa.h"

#include <stdlib.h>
#include <string.h>

int sa_init(sa_t *a, const mmu_array_cfg_t *cfg)
{
    memset(a, 0, sizeof *a);
    if (cfg->entries == 0)
        return 0;
    a->ways = cfg->ways;
    a->sets = cfg->entries / cfg->ways;
    a->set_mask = a->sets - 1;
    a->repl = cfg->repl;
    a->lfsr = cfg->lfsr_seed ? cfg->lfsr_seed : 0xACE1u;
    a->e = calloc((size_t)a->sets * a->ways, sizeof *a->e);
    a->age = calloc((size_t)a->sets * a->ways, 1);
    a->plru = calloc(a->sets, sizeof *a->plru);
    if (!a->e || !a->age || !a->plru) {
        sa_free(a);
        return -1;
    }
    uint16_t seed = a->lfsr;
    sa_reset(a);
    a->lfsr = seed;
    return 0;
}

void sa_free(sa_t *a)
{
    if (!a)
        return;
    free(a->e);
    free(a->age);
    free(a->plru);
    memset(a, 0, sizeof *a);
}

void sa_reset(sa_t *a)
{
    if (!a->sets)
        return;
    memset(a->e, 0, (size_t)a->sets * a->ways * sizeof *a->e);
    memset(a->plru, 0, a->sets * sizeof *a->plru);
    for (uint32_t s = 0; s < a->sets; s++)
        for (uint32_t w = 0; w < a->ways; w++)
            a->age[(uint64_t)s * a->ways + w] = (uint8_t)w;
}

void sa_touch(sa_t *a, uint32_t set, uint32_t way)
{
    switch (a->repl) {
    case MMU_REPL_LRU: {
        uint8_t *age = &a->age[(uint64_t)set * a->ways];
        uint8_t old = age[way];
        for (uint32_t w = 0; w < a->ways; w++)
            if (age[w] < old)
                age[w]++;
        age[way] = 0;
        break;
    }
    case MMU_REPL_PLRU: {
        uint64_t bits = a->plru[set];
        uint32_t node = way + a->ways - 1;
        while (node > 0) {
            uint32_t parent = (node - 1) / 2;
            if (node == 2 * parent + 2)
                bits &= ~(1ull << parent); /* way is right: point left */
            else
                bits |= 1ull << parent; /* way is left: point right */
            node = parent;
        }
        a->plru[set] = bits;
        break;
    }
    case MMU_REPL_RANDOM:
        break;
    }
}

uint32_t sa_victim(sa_t *a, uint32_t set)
{
    switch (a->repl) {
    case MMU_REPL_LRU: {
        const uint8_t *age = &a->age[(uint64_t)set * a->ways];
        for (uint32_t w = 0; w < a->ways; w++)
            if (age[w] == a->ways - 1)
                return w;
        return 0; /* unreachable: ages are a permutation */
    }
    case MMU_REPL_PLRU: {
        uint64_t bits = a->plru[set];
        uint32_t node = 0;
        while (node < a->ways - 1)
            node = 2 * node + 1 + (uint32_t)((bits >> node) & 1u);
        return node - (a->ways - 1);
    }
    case MMU_REPL_RANDOM:
    default:
        a->lfsr = sa_lfsr_step(a->lfsr);
        return a->lfsr % a->ways;
    }
}

uint32_t sa_fill(sa_t *a, const sa_entry_t *ent)
{
    uint32_t set = sa_set(a, ent->tag);
    int hit = sa_find(a, set, ent->tag, ent->size, ent->pcid);
    uint32_t way;
    if (hit >= 0) {
        way = (uint32_t)hit;
    } else {
        way = a->ways;
        for (uint32_t w = 0; w < a->ways; w++) {
            if (!(sa_way(a, set, w)->flags & SA_V)) {
                way = w;
                break;
            }
        }
        if (way == a->ways) {
            way = sa_victim(a, set);
            a->cnt.evictions++;
        }
    }
    a->cnt.fills++;
    *sa_way(a, set, way) = *ent;
    sa_way(a, set, way)->flags |= SA_V;
    sa_touch(a, set, way);
    return way;
}
