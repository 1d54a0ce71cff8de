/* pmem.c - open-addressing hash of 4 KiB frames. */
#include "pmem.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t fn; /* frame number + 1; 0 = empty slot */
    uint64_t *words;
} slot_t;

struct pmem {
    slot_t *slots;
    size_t cap, used;
    /* one-entry cache of the last frame looked up */
    uint64_t last_fn;
    uint64_t *last_words;
};

static inline size_t hash_fn(uint64_t fn, size_t cap)
{
    fn *= 0x9E3779B97F4A7C15ull;
    return (size_t)(fn >> 20) & (cap - 1);
}

pmem_t *pmem_create(void)
{
    pmem_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cap = 1024;
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

void pmem_destroy(pmem_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].words);
    free(m->slots);
    free(m);
}

static uint64_t *find(const pmem_t *m, uint64_t fn)
{
    size_t i = hash_fn(fn, m->cap);
    for (;;) {
        const slot_t *s = &m->slots[i];
        if (s->fn == fn + 1)
            return s->words;
        if (s->fn == 0)
            return NULL;
        i = (i + 1) & (m->cap - 1);
    }
}

static int grow(pmem_t *m)
{
    size_t ncap = m->cap * 2;
    slot_t *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].fn)
            continue;
        size_t j = hash_fn(m->slots[i].fn - 1, ncap);
        while (ns[j].fn)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

uint64_t pmem_read64(const pmem_t *m, uint64_t pa)
{
    uint64_t fn = pa >> 12;
    const uint64_t *w = (m->last_words && m->last_fn == fn) ? m->last_words : find(m, fn);
    if (!w)
        return 0;
    ((pmem_t *)m)->last_fn = fn;
    ((pmem_t *)m)->last_words = (uint64_t *)w;
    return w[(pa >> 3) & 511];
}

int pmem_write64(pmem_t *m, uint64_t pa, uint64_t v)
{
    uint64_t fn = pa >> 12;
    uint64_t *w = (m->last_words && m->last_fn == fn) ? m->last_words : find(m, fn);
    if (!w) {
        if ((m->used + 1) * 2 > m->cap && grow(m) != 0)
            return -1;
        w = calloc(512, sizeof *w);
        if (!w)
            return -1;
        size_t i = hash_fn(fn, m->cap);
        while (m->slots[i].fn)
            i = (i + 1) & (m->cap - 1);
        m->slots[i].fn = fn + 1;
        m->slots[i].words = w;
        m->used++;
    }
    m->last_fn = fn;
    m->last_words = w;
    w[(pa >> 3) & 511] = v;
    return 0;
}

size_t pmem_frames(const pmem_t *m) { return m->used; }

static int cmp_slot(const void *a, const void *b)
{
    uint64_t x = (*(const slot_t *const *)a)->fn, y = (*(const slot_t *const *)b)->fn;
    return x < y ? -1 : x > y;
}

void pmem_foreach(const pmem_t *m, void (*fn)(void *ctx, uint64_t frame_pa, const uint64_t *words), void *ctx)
{
    const slot_t **v = malloc((m->used ? m->used : 1) * sizeof *v);
    if (!v)
        return;
    size_t n = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].fn)
            v[n++] = &m->slots[i];
    qsort(v, n, sizeof *v, cmp_slot);
    for (size_t i = 0; i < n; i++)
        fn(ctx, (v[i]->fn - 1) << 12, v[i]->words);
    free(v);
}
