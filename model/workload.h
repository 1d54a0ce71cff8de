/* workload.h - built-in synthetic access generators.
 *   seq      addresses base, base+size, ... wrapping inside the footprint
 *   stride   base + i*stride, wrapping inside the footprint
 *   uniform  uniformly random aligned addresses in the footprint
 *   zipf     pages ranked by a Zipf(alpha) law, random offset in the page;
 *            rank r has probability proportional to 1/r^alpha (rejection-
 *            inversion sampling, constant memory); ranks are scattered over
 *            the footprint's 4 KiB pages by a seeded bijection
 *   chase    a pointer chase: one cycle through every 64-byte line of the
 *            footprint in a seeded random order (full-period LCG), meant
 *            to be run with issue=inorder
 * Access kinds are drawn per access from the read/write/execute mix. All
 * randomness comes from one xoshiro256** stream seeded by `seed`. */
#ifndef MMU_WORKLOAD_H
#define MMU_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { WL_SEQ = 0, WL_STRIDE, WL_UNIFORM, WL_ZIPF, WL_CHASE } wl_kind_t;

typedef struct {
    wl_kind_t kind;
    uint64_t base;      /* first virtual address, default 0x100000000000 (16 TiB, 1 GiB aligned) */
    uint64_t footprint; /* bytes, >= 4096 */
    uint64_t accesses;  /* number of accesses */
    uint64_t stride;    /* WL_STRIDE, bytes */
    uint32_t size;      /* bytes per access, default 8 */
    uint32_t mix[3];    /* weights of read, write, execute */
    double alpha;       /* WL_ZIPF exponent, > 0 */
    uint64_t seed;
} wl_spec_t;

typedef struct workload workload_t;

void wl_defaults(wl_spec_t *s);
int wl_kind_parse(const char *name, wl_kind_t *k); /* 0 / -1 */
const char *wl_kind_name(wl_kind_t k);
/* One workload option of the tools' command lines (mmusim, mmuonepass), by
 * its long name without "--": workload, footprint, accesses, stride, mix,
 * alpha, access-size, base. Returns 1 when `name` is not one of them
 * (nothing done), 0 when set, -1 with "--NAME: reason" in err. */
int wl_spec_option(wl_spec_t *s, const char *name, const char *value, char *err, size_t errlen);
/* Returns 0, or -1 with "workload: reason" in err. */
int wl_create(const wl_spec_t *s, workload_t **out, char *err, size_t errlen);
void wl_destroy(workload_t *w); /* NULL is a no-op */
int wl_next(workload_t *w, trace_rec_t *rec); /* 1 record, 0 end */

/* xoshiro256** (public domain algorithm by Blackman and Vigna) */
typedef struct {
    uint64_t s[4];
} rng_t;
void rng_seed(rng_t *r, uint64_t seed);
uint64_t rng_next(rng_t *r);
static inline double rng_unit(rng_t *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

#ifdef __cplusplus
}
#endif
#endif
