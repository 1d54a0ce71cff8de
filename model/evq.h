/* evq.h - the event engine: a min-heap of cycle-stamped events.
 * Events are ordered by (cycle, phase, seq); seq is the insertion order, so
 * events of the same cycle and phase come out in the order they were added,
 * whatever the heap does. Adding an event for the current cycle while
 * draining it is allowed: it comes out in the same drain, after the ones
 * already there (never recursively). */
#ifndef MMU_EVQ_H
#define MMU_EVQ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t cycle;
    uint32_t phase;
    uint64_t seq;
    uint64_t a, b; /* payload */
    uint32_t kind;
} evq_event_t;

typedef struct {
    evq_event_t *h;
    size_t n, cap;
    uint64_t next_seq;
} evq_t;

void evq_init(evq_t *q);
void evq_free(evq_t *q);
int evq_push(evq_t *q, uint64_t cycle, uint32_t phase, uint32_t kind, uint64_t a, uint64_t b); /* 0 / -1 */
static inline size_t evq_size(const evq_t *q) { return q->n; }
static inline const evq_event_t *evq_peek(const evq_t *q) { return q->n ? &q->h[0] : NULL; }
int evq_pop(evq_t *q, evq_event_t *out); /* 1 popped, 0 empty */

#ifdef __cplusplus
}
#endif
#endif
