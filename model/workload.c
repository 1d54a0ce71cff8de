/* workload.c - synthetic generators. */
#include "workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

static const char *const kind_names[] = {"seq", "stride", "uniform", "zipf", "chase"};

struct workload {
    wl_spec_t s;
    rng_t rng;
    uint64_t i;
    uint64_t lines, pages;
    uint32_t mix_total;
    /* zipf (rejection-inversion, Hormann and Derflinger 1996) */
    double hx0, hn, sconst;
    unsigned page_bits;
    /* chase */
    uint64_t cur, lcg_mask, lcg_a, lcg_c;
};

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rng_seed(rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) { /* splitmix64 */
        seed += 0x9E3779B97F4A7C15ull;
        uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        r->s[i] = z ^ (z >> 31);
    }
}

uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

void wl_defaults(wl_spec_t *s)
{
    memset(s, 0, sizeof *s);
    s->kind = WL_UNIFORM;
    s->base = 0x100000000000ull;
    s->footprint = 64ull << 20;
    s->accesses = 1000000;
    s->stride = 4096;
    s->size = 8;
    s->mix[0] = 70;
    s->mix[1] = 25;
    s->mix[2] = 5;
    s->alpha = 0.99;
    s->seed = 1;
}

int wl_kind_parse(const char *name, wl_kind_t *k)
{
    for (unsigned i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (!strcmp(name, kind_names[i])) {
            *k = (wl_kind_t)i;
            return 0;
        }
    return -1;
}

const char *wl_kind_name(wl_kind_t k) { return (unsigned)k < 5 ? kind_names[k] : "?"; }

int wl_spec_option(wl_spec_t *s, const char *name, const char *value, char *err, size_t errlen)
{
    uint64_t v;
    if (!strcmp(name, "workload")) {
        if (wl_kind_parse(value, &s->kind) == 0)
            return 0;
        snprintf(err, errlen, "--workload: unknown workload '%s' (seq, stride, uniform, zipf, chase)", value);
        return -1;
    }
    /* byte counts take units (4K, 1 GiB), counts and addresses plain numbers */
    uint64_t *dst = !strcmp(name, "footprint") ? &s->footprint
                    : !strcmp(name, "accesses") ? &s->accesses
                    : !strcmp(name, "stride")   ? &s->stride
                    : !strcmp(name, "base")     ? &s->base
                    : !strcmp(name, "access-size") ? &v
                                                   : NULL;
    if (dst) {
        int sizes = strcmp(name, "accesses") != 0 && strcmp(name, "base") != 0;
        if ((sizes ? units_parse_size(value, dst) : units_parse_u64(value, dst)) != 0) {
            snprintf(err, errlen, "--%s: invalid value '%s'", name, value);
            return -1;
        }
        if (dst == &v) {
            if (v < 1 || v > 4096) {
                snprintf(err, errlen, "--access-size: must be 1..4096, got '%s'", value);
                return -1;
            }
            s->size = (uint32_t)v;
        }
        return 0;
    }
    if (!strcmp(name, "mix")) {
        unsigned a, b, x;
        char tail;
        if (strchr(value, '-') || strchr(value, '+') || sscanf(value, "%u,%u,%u%c", &a, &b, &x, &tail) != 3) {
            snprintf(err, errlen, "--mix: expected three weights R,W,X (integers >= 0), got '%s'", value);
            return -1;
        }
        s->mix[0] = a, s->mix[1] = b, s->mix[2] = x;
        return 0;
    }
    if (!strcmp(name, "alpha")) {
        char *end;
        double a = strtod(value, &end);
        if (*end || !(a > 0)) {
            snprintf(err, errlen, "--alpha: expected a number > 0, got '%s'", value);
            return -1;
        }
        s->alpha = a;
        return 0;
    }
    return 1;
}

/* Zipf helpers: H(x) = ((x)^(1-a) - 1)/(1-a), or log(x) when a == 1 */
static double zh(double x, double a) { return fabs(a - 1.0) < 1e-9 ? log(x) : (pow(x, 1.0 - a) - 1.0) / (1.0 - a); }
static double zhinv(double x, double a)
{
    return fabs(a - 1.0) < 1e-9 ? exp(x) : pow(1.0 + (1.0 - a) * x, 1.0 / (1.0 - a));
}

int wl_create(const wl_spec_t *s, workload_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (s->footprint < 4096) {
        snprintf(err, errlen, "workload: footprint must be at least 4 KiB");
        return -1;
    }
    if (s->size < 1 || s->size > 4096) {
        snprintf(err, errlen, "workload: access size must be 1..4096 bytes");
        return -1;
    }
    if ((uint64_t)s->mix[0] + s->mix[1] + s->mix[2] == 0) {
        snprintf(err, errlen, "workload: the read/write/execute mix is all zero");
        return -1;
    }
    if (s->kind == WL_ZIPF && !(s->alpha > 0)) {
        snprintf(err, errlen, "workload: zipf alpha must be > 0");
        return -1;
    }
    if (s->kind == WL_STRIDE && s->stride == 0) {
        snprintf(err, errlen, "workload: stride must be > 0");
        return -1;
    }
    uint64_t top = s->base + s->footprint - 1;
    if (top < s->base || ((s->base >> 47) != 0 && (s->base >> 47) != 0x1FFFF) || ((top >> 47) != (s->base >> 47))) {
        snprintf(err, errlen, "workload: [base, base+footprint) is not inside one canonical half of the address space");
        return -1;
    }
    workload_t *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "workload: out of memory");
        return -1;
    }
    w->s = *s;
    rng_seed(&w->rng, s->seed);
    w->lines = s->footprint / 64;
    w->pages = (s->footprint + 4095) / 4096;
    w->mix_total = s->mix[0] + s->mix[1] + s->mix[2];
    if (s->kind == WL_ZIPF) {
        w->hx0 = zh(1.5, s->alpha) - 1.0;
        w->hn = zh((double)w->pages + 0.5, s->alpha);
        w->sconst = 2.0 - zhinv(zh(2.5, s->alpha) - pow(2.0, -s->alpha), s->alpha);
        unsigned b = 0;
        while ((1ull << b) < w->pages)
            b++;
        w->page_bits = b;
    }
    if (s->kind == WL_CHASE) {
        unsigned b = 0;
        while ((1ull << b) < w->lines)
            b++;
        w->lcg_mask = (b >= 64) ? ~0ull : ((1ull << b) - 1);
        /* full period mod 2^b: c odd, a = 1 (mod 4) */
        w->lcg_a = ((rng_next(&w->rng) << 2) | 1) & w->lcg_mask;
        if (b >= 2)
            w->lcg_a = (w->lcg_a & ~3ull) | 1;
        w->lcg_c = (rng_next(&w->rng) | 1) & w->lcg_mask;
        w->cur = rng_next(&w->rng) & w->lcg_mask;
    }
    *out = w;
    return 0;
}

void wl_destroy(workload_t *w) { free(w); }

static uint64_t scatter_page(uint64_t x, unsigned bits, uint64_t seed)
{
    if (bits == 0)
        return 0;
    uint64_t mask = bits >= 64 ? ~0ull : (1ull << bits) - 1;
    x = (x * 0x9E3779B97F4A7C15ull + seed) & mask;
    x ^= x >> ((bits + 1) / 2);
    x = (x * 0xD6E8FEB86659FD93ull) & mask;
    return x;
}

int wl_next(workload_t *w, trace_rec_t *rec)
{
    const wl_spec_t *s = &w->s;
    if (w->i >= s->accesses)
        return 0;
    uint64_t off = 0;
    uint64_t align = s->size;
    switch (s->kind) {
    case WL_SEQ:
        off = (w->i * s->size) % s->footprint;
        break;
    case WL_STRIDE:
        off = (w->i * s->stride) % s->footprint;
        break;
    case WL_UNIFORM:
        off = (rng_next(&w->rng) % s->footprint) / align * align;
        break;
    case WL_ZIPF: {
        uint64_t rank;
        for (;;) {
            double u = w->hn + rng_unit(&w->rng) * (w->hx0 - w->hn);
            double x = zhinv(u, s->alpha);
            double k = floor(x + 0.5);
            if (k < 1)
                k = 1;
            if (k > (double)w->pages)
                k = (double)w->pages;
            if (k - x <= w->sconst || u >= zh(k + 0.5, s->alpha) - pow(k, -s->alpha)) {
                rank = (uint64_t)k - 1;
                break;
            }
        }
        uint64_t page;
        do { /* scatter the rank over the pages; cycle-walk into range */
            page = scatter_page(rank, w->page_bits, s->seed);
            rank = page;
        } while (page >= w->pages);
        off = page * 4096 + (rng_next(&w->rng) % 4096) / align * align;
        if (off >= s->footprint)
            off = (s->footprint - align) / align * align;
        break;
    }
    case WL_CHASE:
        do
            w->cur = (w->cur * w->lcg_a + w->lcg_c) & w->lcg_mask;
        while (w->cur >= w->lines);
        off = w->cur * 64;
        break;
    }
    uint64_t r = rng_next(&w->rng) % w->mix_total;
    rec->kind = r < s->mix[0] ? TR_READ : r < (uint64_t)s->mix[0] + s->mix[1] ? TR_WRITE : TR_EXEC;
    rec->vaddr = s->base + off;
    rec->size = s->size;
    w->i++;
    return 1;
}
