/* memsys.c - fixed-latency or cached memory behind the walker's port. */
#include "memsys.h"

#include <stdlib.h>
#include <string.h>

#include "paging.h"

typedef struct {
    uint64_t tag;   /* line address + 1; 0 = invalid */
    uint64_t stamp; /* last use, for LRU */
} way_t;

typedef struct {
    uint32_t sets, ways, lat;
    uint64_t set_mask; /* sets - 1 (the configuration has power-of-two sets) */
    way_t *w;          /* sets x ways; a set's ways are adjacent (one host cache line for 4 ways) */
} level_t;

struct memsys {
    mem_config_t cfg;
    pmem_t *mem;
    evq_t q;
    level_t lv[3];
    int nlv;
    uint64_t clock; /* LRU stamps */
    uint64_t hits[4], writes;
};

static int level_init(level_t *l, const mem_level_cfg_t *c)
{
    memset(l, 0, sizeof *l);
    if (!c->size)
        return 0;
    l->ways = c->ways;
    l->sets = c->size / 64 / c->ways;
    l->lat = c->lat;
    l->set_mask = l->sets - 1;
    l->w = calloc((size_t)l->sets * l->ways, sizeof *l->w);
    return l->w ? 1 : -1;
}

memsys_t *memsys_create(const mem_config_t *cfg, pmem_t *mem)
{
    memsys_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cfg = *cfg;
    m->mem = mem;
    evq_init(&m->q);
    if (cfg->model == MEM_CACHE) {
        const mem_level_cfg_t *c[3] = {&cfg->l1d, &cfg->l2, &cfg->llc};
        for (int i = 0; i < 3; i++) {
            int r = level_init(&m->lv[m->nlv], c[i]);
            if (r < 0) {
                memsys_destroy(m);
                return NULL;
            }
            m->nlv += r;
        }
    }
    return m;
}

void memsys_destroy(memsys_t *m)
{
    if (!m)
        return;
    for (int i = 0; i < 3; i++)
        free(m->lv[i].w);
    evq_free(&m->q);
    free(m);
}

/* Look the line up in every level; fill it everywhere; return the latency. */
static uint32_t access_line(memsys_t *m, uint64_t addr, int *hit_level)
{
    uint64_t line = addr >> 6;
    int found = m->nlv; /* index of the first level holding the line; nlv = DRAM */
    for (int i = 0; i < m->nlv; i++) {
        level_t *l = &m->lv[i];
        uint64_t set = line & l->set_mask;
        way_t *t = &l->w[set * l->ways];
        int way = -1;
        for (uint32_t w = 0; w < l->ways; w++)
            if (t[w].tag == line + 1) {
                way = (int)w;
                break;
            }
        if (way >= 0 && found == m->nlv)
            found = i;
        if (way < 0) {
            /* allocate: invalid way first, else least recently used */
            uint32_t v = 0;
            for (uint32_t w = 0; w < l->ways; w++) {
                if (!t[w].tag) {
                    v = w;
                    break;
                }
                if (t[w].stamp < t[v].stamp)
                    v = w;
            }
            t[v].tag = line + 1;
            way = (int)v;
        }
        t[way].stamp = ++m->clock;
    }
    *hit_level = found == m->nlv ? 3 : found;
    return found == m->nlv ? m->cfg.dram_lat : m->lv[found].lat;
}

int memsys_issue(memsys_t *m, uint64_t cycle, bool we, uint8_t id, uint64_t addr, uint64_t wdata)
{
    uint32_t lat;
    int hl = 3;
    if (m->cfg.model == MEM_CACHE)
        lat = access_line(m, addr, &hl);
    else
        lat = m->cfg.fixed_lat;
    uint64_t old = pmem_read64(m->mem, addr);
    if (we) {
        /* [T:locked-update] a locked A/D update, atomic in its issue cycle:
         * A and D are ORed in only if the entry still equals, but for A and
         * D, the value the walk read (SDM 4.8); the old value is returned */
        m->writes++;
        uint64_t upd = pg_locked_update(old, wdata);
        if (upd != old && pmem_write64(m->mem, addr, upd) != 0)
            return -1;
    } else {
        m->hits[hl]++;
    }
    return evq_push(&m->q, cycle + lat, 0, id, old, 0);
}

int memsys_respond(memsys_t *m, uint64_t cycle, uint8_t *id, uint64_t *data)
{
    const evq_event_t *e = evq_peek(&m->q);
    if (!e || e->cycle > cycle)
        return 0;
    evq_event_t ev;
    evq_pop(&m->q, &ev);
    *id = (uint8_t)ev.kind;
    *data = ev.a;
    return 1;
}

uint64_t memsys_next(const memsys_t *m, uint64_t now)
{
    const evq_event_t *e = evq_peek(&m->q);
    if (!e)
        return UINT64_MAX;
    return e->cycle > now ? e->cycle : now;
}

void memsys_counts(const memsys_t *m, uint64_t hits[4], uint64_t *writes)
{
    memcpy(hits, m->hits, sizeof m->hits);
    *writes = m->writes;
}
