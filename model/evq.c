/* evq.c - binary min-heap keyed on (cycle, phase, seq). */
#include "evq.h"

#include <stdlib.h>

static inline int before(const evq_event_t *x, const evq_event_t *y)
{
    if (x->cycle != y->cycle)
        return x->cycle < y->cycle;
    if (x->phase != y->phase)
        return x->phase < y->phase;
    return x->seq < y->seq;
}

void evq_init(evq_t *q)
{
    q->h = NULL;
    q->n = q->cap = 0;
    q->next_seq = 0;
}

void evq_free(evq_t *q)
{
    free(q->h);
    evq_init(q);
}

int evq_push(evq_t *q, uint64_t cycle, uint32_t phase, uint32_t kind, uint64_t a, uint64_t b)
{
    if (q->n == q->cap) {
        size_t nc = q->cap ? q->cap * 2 : 64;
        evq_event_t *nh = realloc(q->h, nc * sizeof *nh);
        if (!nh)
            return -1;
        q->h = nh;
        q->cap = nc;
    }
    evq_event_t e = {cycle, phase, q->next_seq++, a, b, kind};
    size_t i = q->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&e, &q->h[p]))
            break;
        q->h[i] = q->h[p];
        i = p;
    }
    q->h[i] = e;
    return 0;
}

int evq_pop(evq_t *q, evq_event_t *out)
{
    if (!q->n)
        return 0;
    *out = q->h[0];
    evq_event_t last = q->h[--q->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const evq_event_t *best = &last;
        if (l < q->n && before(&q->h[l], best)) {
            m = l;
            best = &q->h[l];
        }
        if (r < q->n && before(&q->h[r], best))
            m = r;
        if (m == i)
            break;
        q->h[i] = q->h[m];
        i = m;
    }
    if (q->n)
        q->h[i] = last;
    return 1;
}
