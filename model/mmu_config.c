/* mmu_config.c - configuration keys, presets, JSON config files, checks.
 *
 * The TLB arrays and page-walk caches are two lists of named arrays
 * (tlb.NAME.*, pwc.NAME.*: arr_* below); one table (cfg_keys[]) names every
 * other key. cfg_dump() writes the arrays first, then the table, in the
 * order docs/config.md lists them. cfg_set() checks a value's syntax and
 * the key's own range; cfg_check() repeats those ranges (for structs filled
 * by code) and adds what depends on several keys (sets = entries / ways a
 * power of two, PLRU ways, cache geometry, latency order). Every message
 * starts with the key it is about.
 */
#include "mmu_config.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

/* ---------------------------------------------------------------- limits */

enum {
    ARR_MAX_ENTRIES = 65536,
    ARR_MAX_WAYS = MMU_MAX_WAYS, /* LRU ages are 8 bits, way numbers 7 */
    ARR_MAX_PLRU_WAYS = 64,      /* a PLRU tree of ways-1 bits fits a 64-bit word */
    ARR_MAX_LAT = 1000,
    ARR_DEFAULT_SEED = 0xACE1,
    MEM_LINE = 64,
    MEM_MAX_WAYS = 64,
    VALUE_MAX = 256, /* longest value text cfg_set() accepts */
    KEY_MAX = 128    /* longest flattened JSON key */
};

#define JSON_MAX_FILE (16u << 20)
#define JSON_MAX_EXACT 9007199254740992.0 /* 2^53: larger JSON numbers may not be exact */

/* ---------------------------------------------------------------- presets */

const char *const cfg_preset_names[] = {"tiny", "skylake", "goldencove", "zen2", "zen4", NULL};
const char *const cfg_preset_descr[] = {
    "small arrays exercising every organisation rule and replacement policy, fixed memory latency "
    "(unit and lockstep tests)",
    "Intel Skylake client core (Intel Optimization Reference Manual 248966 Table 2-15; CPUID leaf 2; "
    "docs/config.md)",
    "Intel Golden Cove, the Alder Lake P-core (CPUID leaf 18H; Hennessy & Patterson 6th ed. on the "
    "Core i9 12900; docs/config.md)",
    "AMD Zen 2 (AMD SOG 56305 sec. 2.12 via WikiChip; 7-cpu; CPUID 8000_0005h/6h; docs/config.md)",
    "AMD Zen 4 (CPUID 8000_0005h/6h/19h; Chips and Cheese; docs/config.md)",
    NULL,
};

/* ---------------------------------------------------------------- errors */

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* "must be in 1..16 (got 17)", "must be >= 1 (got 0)", "must be <= 64 (got 65)" */
static int fail_range(char *err, size_t errlen, const char *key, uint64_t v, uint64_t lo, uint64_t hi)
{
    if (lo == 0)
        return fail(err, errlen, "%s: must be <= %" PRIu64 " (got %" PRIu64 ")", key, hi, v);
    if (hi == UINT64_MAX)
        return fail(err, errlen, "%s: must be >= %" PRIu64 " (got %" PRIu64 ")", key, lo, v);
    return fail(err, errlen, "%s: must be in %" PRIu64 "..%" PRIu64 " (got %" PRIu64 ")", key, lo, hi, v);
}

static int is_pow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

static const char *const repl_names[] = {"lru", "plru", "random"};
static const char *const size_names[MMU_PS_COUNT] = {"4k", "2m", "1g"};
static const char *const serve_names[3] = {"load", "store", "fetch"}; /* bit 1 << MMU_ACC_* */
static const char *const level_names[MMU_PWC_COUNT] = {"pml4e", "pdpte", "pde"};
static const char *const model_names[] = {"fixed", "cache"};
static const char *const issue_names[] = {"pipelined", "inorder"};
static const char *const backing_names[] = {"4k", "2m", "1g", "mix"};
static const char *const demand_ad_names[] = {"clear", "linux", "dirty"};
static const char *const perf_names[] = {"intel", "amd"};

/* ---------------------------------------------------------------- key table */

typedef enum {
    KT_U32,        /* uint32_t at off, min..max */
    KT_U64,        /* uint64_t at off, min..max */
    KT_SIZE,       /* uint32_t bytes at off, binary units accepted */
    KT_MEM_MODEL,  /* mem.model */
    KT_ISSUE,      /* issue */
    KT_BACKING,    /* backing */
    KT_MIX,        /* backing.mix */
    KT_DEMAND_AD,  /* demand.ad */
    KT_PERF,       /* perf */
    KT_PCID,       /* pcid */
    KT_MODE,       /* boolean bit arg of sim_config_t.mode */
    KT_MODE_INV,   /* boolean, the inverse of bit arg of sim_config_t.mode (cpuid.page1gb) */
    KT_NOCACHE     /* nocache */
} key_type_t;

typedef enum { SC_SIM = 0, SC_MMU = 1 } key_scope_t; /* off is into sim_config_t / mmu_config_t */

typedef struct {
    const char *name;
    key_type_t type;
    key_scope_t scope;
    unsigned arg;
    size_t off;
    uint64_t min, max;
} cfg_key_t;

#define K_MU32(n, f, lo, hi) {n, KT_U32, SC_MMU, 0, offsetof(mmu_config_t, f), lo, hi}
#define K_U32(n, f, lo, hi) {n, KT_U32, SC_SIM, 0, offsetof(sim_config_t, f), lo, hi}
#define K_U64(n, f, lo, hi) {n, KT_U64, SC_SIM, 0, offsetof(sim_config_t, f), lo, hi}
#define K_SIZE(n, f) {n, KT_SIZE, SC_SIM, 0, offsetof(sim_config_t, f), 0, UINT32_MAX}
#define K_OTHER(n, t) {n, t, SC_SIM, 0, 0, 0, 0}
#define K_MODE(n, bit) {n, KT_MODE, SC_SIM, bit, 0, 0, 1}

/* The order of cfg_dump() and docs/config.md. */
static const cfg_key_t cfg_keys[] = {
    K_OTHER("nocache", KT_NOCACHE),
    K_MU32("walkers", walkers, 1, 16),
    K_MU32("outstanding", outstanding, 1, 64),
    K_MU32("maxphyaddr", maxphyaddr, 32, 52),
    K_OTHER("mem.model", KT_MEM_MODEL),
    K_U32("mem.latency", mem.fixed_lat, 1, 100000),
    K_SIZE("mem.l1d.size", mem.l1d.size),
    K_U32("mem.l1d.ways", mem.l1d.ways, 0, MEM_MAX_WAYS),
    K_U32("mem.l1d.lat", mem.l1d.lat, 1, 100000),
    K_SIZE("mem.l2.size", mem.l2.size),
    K_U32("mem.l2.ways", mem.l2.ways, 0, MEM_MAX_WAYS),
    K_U32("mem.l2.lat", mem.l2.lat, 1, 100000),
    K_SIZE("mem.llc.size", mem.llc.size),
    K_U32("mem.llc.ways", mem.llc.ways, 0, MEM_MAX_WAYS),
    K_U32("mem.llc.lat", mem.llc.lat, 1, 100000),
    K_U32("mem.dram.lat", mem.dram_lat, 1, 100000),
    K_OTHER("issue", KT_ISSUE),
    K_OTHER("backing", KT_BACKING),
    K_OTHER("backing.mix", KT_MIX),
    K_OTHER("demand.ad", KT_DEMAND_AD),
    K_OTHER("perf", KT_PERF),
    K_U32("processes", processes, 1, 4096),
    K_U64("switch_every", switch_every, 1, UINT64_MAX),
    K_OTHER("pcid", KT_PCID),
    K_MODE("mode.wp", MMU_MODE_WP),
    K_MODE("mode.smep", MMU_MODE_SMEP),
    K_MODE("mode.smap", MMU_MODE_SMAP),
    K_MODE("mode.nxe", MMU_MODE_NXE),
    K_MODE("mode.pge", MMU_MODE_PGE),
    K_MODE("mode.ac", MMU_MODE_AC),
    {"cpuid.page1gb", KT_MODE_INV, SC_SIM, MMU_MODE_NOPG1G, 0, 0, 1},
    K_U64("seed", seed, 0, UINT64_MAX),
};

#define N_KEYS (sizeof cfg_keys / sizeof cfg_keys[0])

/* A scalar key by exact name. */
static const cfg_key_t *key_find(const char *key)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(cfg_keys[i].name, key) == 0)
            return &cfg_keys[i];
    return NULL;
}

static void *key_ptr(sim_config_t *c, const cfg_key_t *k)
{
    return k->scope == SC_MMU ? (char *)&c->mmu + k->off : (char *)c + k->off;
}

static const void *key_ptr_c(const sim_config_t *c, const cfg_key_t *k) { return key_ptr((sim_config_t *)c, k); }

/* ---------------------------------------------------------------- value parsers */

static int parse_num(const char *key, const char *v, uint64_t lo, uint64_t hi, uint64_t *out, char *err,
                     size_t errlen)
{
    uint64_t x = 0;
    if (units_parse_u64(v, &x) != 0)
        return fail(err, errlen, "%s: '%s' is not a number (decimal or 0x hex, 0..2^64-1)", key, v);
    if (x < lo || x > hi)
        return fail_range(err, errlen, key, x, lo, hi);
    *out = x;
    return 0;
}

static int parse_size(const char *key, const char *v, uint64_t hi, uint64_t *out, char *err, size_t errlen)
{
    uint64_t x = 0;
    if (units_parse_size(v, &x) != 0)
        return fail(err, errlen, "%s: '%s' is not a size (e.g. 32768, 32K, 32KiB, 0x8000)", key, v);
    if (x > hi)
        return fail_range(err, errlen, key, x, 0, hi);
    *out = x;
    return 0;
}

/* Index of v (any case) in names[0..n-1], or -1. */
static int parse_name(const char *v, const char *const *names, int n)
{
    for (int i = 0; i < n; i++) {
        size_t j = 0;
        while (names[i][j] != '\0' && tolower((unsigned char)v[j]) == names[i][j])
            j++;
        if (names[i][j] == '\0' && v[j] == '\0')
            return i;
    }
    return -1;
}

static int parse_bool(const char *key, const char *v, uint32_t *out, char *err, size_t errlen)
{
    static const char *const yes[] = {"on", "1", "true"}, *const no[] = {"off", "0", "false"};
    if (parse_name(v, yes, 3) >= 0) {
        *out = 1;
        return 0;
    }
    if (parse_name(v, no, 3) >= 0) {
        *out = 0;
        return 0;
    }
    return fail(err, errlen, "%s: '%s' is not a boolean (on, off, 1, 0, true, false)", key, v);
}

/* Split v at commas into at most max items, each trimmed of blanks, into
 * buf (a copy). Returns the number of items, or -1 when there are more. */
static int split_list(const char *v, char *buf, size_t buflen, char **items, int max)
{
    int n = 0;
    snprintf(buf, buflen, "%s", v);
    for (char *p = buf;;) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        char *e = p + strlen(p);
        while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        if (n == max)
            return -1;
        items[n++] = p;
        if (comma == NULL)
            return n;
        p = comma + 1;
    }
}

/* A list of names (any of names[0..n-1], each once, at least one) as a bit
 * mask; what = "page size", "access kind", ... for the messages. */
static int parse_set(const char *key, const char *v, const char *const *names, int n, const char *what,
                     uint32_t *out, char *err, size_t errlen)
{
    char buf[VALUE_MAX], all[96];
    char *items[8];
    uint32_t mask = 0;
    size_t an = 0;
    for (int i = 0; i < n; i++)
        an += (size_t)snprintf(all + an, sizeof all - an, "%s%s", i ? ", " : "", names[i]);
    if (v[0] == '\0')
        return fail(err, errlen, "%s: must name at least one %s (%s)", key, what, all);
    int cnt = split_list(v, buf, sizeof buf, items, 8);
    if (cnt < 0)
        return fail(err, errlen, "%s: '%s' lists too many items (%s)", key, v, all);
    for (int i = 0; i < cnt; i++) {
        int x = parse_name(items[i], names, n);
        if (x < 0)
            return fail(err, errlen, "%s: unknown %s '%s' (%s)", key, what, items[i], all);
        if (mask & (1u << x))
            return fail(err, errlen, "%s: %s '%s' listed twice", key, what, items[i]);
        mask |= 1u << x;
    }
    *out = mask;
    return 0;
}

/* The names of the bits of mask, comma-separated (as parse_set reads them). */
static const char *set_text(uint32_t mask, const char *const *names, int n, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        if (mask & (1u << i))
            k += (size_t)snprintf(buf + k, len - k, "%s%s", k ? "," : "", names[i]);
    return buf;
}

static int parse_mix(const char *key, const char *v, uint32_t out[MMU_PS_COUNT], char *err, size_t errlen)
{
    char buf[VALUE_MAX];
    char *items[MMU_PS_COUNT];
    uint32_t w[MMU_PS_COUNT];
    int n = split_list(v, buf, sizeof buf, items, MMU_PS_COUNT);
    if (n != MMU_PS_COUNT)
        return fail(err, errlen, "%s: expected three weights W4K,W2M,W1G such as 60,30,10 (got '%s')", key, v);
    for (int i = 0; i < MMU_PS_COUNT; i++) {
        uint64_t x = 0;
        if (units_parse_u64(items[i], &x) != 0 || x > UINT32_MAX)
            return fail(err, errlen, "%s: weight '%s' is not a number in 0..4294967295", key, items[i]);
        w[i] = (uint32_t)x;
    }
    if (w[0] == 0 && w[1] == 0 && w[2] == 0)
        return fail(err, errlen, "%s: weights must not all be zero", key);
    memcpy(out, w, sizeof w);
    return 0;
}

/* ---------------------------------------------------------------- cfg_set */

/* ---------------------------------------------------------------- array lists */

static const char *const tlb_fields[] = {"level", "serves", "sizes", "entries", "ways",
                                         "repl",  "lfsr_seed", "lat", "splinter"};
static const char *const pwc_fields[] = {"levels", "entries", "ways", "repl", "lfsr_seed", "lat"};
#define N_TLB_FIELDS (int)(sizeof tlb_fields / sizeof tlb_fields[0])
#define N_PWC_FIELDS (int)(sizeof pwc_fields / sizeof pwc_fields[0])

static bool name_ok(const char *n, size_t len)
{
    if (len == 0 || len >= MMU_NAME_LEN)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
            return false;
    return true;
}

int mmu_cfg_tlb_find(const mmu_config_t *m, const char *name)
{
    for (uint32_t i = 0; i < m->ntlb && i < MMU_TLB_MAX; i++)
        if (strcmp(m->tlb[i].name, name) == 0)
            return (int)i;
    return -1;
}

int mmu_cfg_pwc_find(const mmu_config_t *m, const char *name)
{
    for (uint32_t i = 0; i < m->npwc && i < MMU_PWC_MAX; i++)
        if (strcmp(m->pwc[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* docs/timing.md [T:organisation]: "An array with 0 entries is absent" and
 * "a level without arrays has latency 1". An absent array's lat does not
 * count: with every array of a level at 0 entries (nocache, or
 * tlb.NAME.entries=0 on each) the level's latency is 1, not the lat of an
 * array that is never looked up. (It used to take the first array of the
 * level whatever its entries: skylake with nocache=on paid L2_LAT = 9 for
 * a level-2 lookup of nothing.) */
static uint32_t level_lat(const mmu_config_t *m, uint32_t level)
{
    for (uint32_t i = 0; i < m->ntlb && i < MMU_TLB_MAX; i++)
        if (m->tlb[i].level == level && m->tlb[i].a.entries != 0)
            return m->tlb[i].lat;
    return 1;
}

uint32_t mmu_cfg_l1_lat(const mmu_config_t *m) { return level_lat(m, 1); }
uint32_t mmu_cfg_l2_lat(const mmu_config_t *m) { return level_lat(m, 2); }
uint32_t mmu_cfg_pwc_lat(const mmu_config_t *m)
{
    for (uint32_t i = 0; i < m->npwc && i < MMU_PWC_MAX; i++)
        if (m->pwc[i].a.entries != 0)
            return m->pwc[i].lat;
    return 1;
}

static void geom(mmu_array_cfg_t *a, uint32_t entries, uint32_t ways, mmu_repl_t repl)
{
    a->entries = entries;
    a->ways = ways;
    a->repl = repl;
    a->lfsr_seed = ARR_DEFAULT_SEED;
}

/* A new TLB array: docs/config.md "defaults of a new array". */
static void tlb_defaults(mmu_tlb_cfg_t *t, const char *name)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    geom(&t->a, 16, 4, MMU_REPL_LRU);
    t->level = 1;
    t->serves = MMU_SERVE_ALL;
    t->sizes = 1u << MMU_PS_4K;
    t->lat = 1;
}

static void pwc_defaults(mmu_pwc_cfg_t *p, const char *name)
{
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    geom(&p->a, 16, 4, MMU_REPL_LRU);
    p->levels = 1u << MMU_PWC_PDE;
    p->lat = 1;
}

/* entries, ways, repl, lfsr_seed of one array. 1: not such a field. */
static int set_geom(mmu_array_cfg_t *a, const char *f, const char *key, const char *v, char *err, size_t errlen)
{
    uint64_t x = 0;
    if (strcmp(f, "entries") == 0) {
        if (parse_num(key, v, 0, ARR_MAX_ENTRIES, &x, err, errlen) != 0)
            return -1;
        a->entries = (uint32_t)x;
    } else if (strcmp(f, "ways") == 0) {
        if (parse_num(key, v, 0, ARR_MAX_WAYS, &x, err, errlen) != 0)
            return -1;
        a->ways = (uint32_t)x;
    } else if (strcmp(f, "repl") == 0) {
        int r = parse_name(v, repl_names, 3);
        if (r < 0)
            return fail(err, errlen, "%s: unknown policy '%s' (lru, plru, random)", key, v);
        a->repl = (mmu_repl_t)r;
    } else if (strcmp(f, "lfsr_seed") == 0) {
        if (parse_num(key, v, 0, UINT16_MAX, &x, err, errlen) != 0)
            return -1;
        a->lfsr_seed = (uint16_t)x;
    } else {
        return 1;
    }
    return 0;
}

static int set_tlb_field(mmu_tlb_cfg_t *t, const char *f, const char *key, const char *v, char *err, size_t errlen)
{
    uint64_t x = 0;
    int r = set_geom(&t->a, f, key, v, err, errlen);
    if (r <= 0)
        return r;
    if (strcmp(f, "level") == 0) {
        if (parse_num(key, v, 1, 2, &x, err, errlen) != 0)
            return -1;
        t->level = (uint32_t)x;
        return 0;
    }
    if (strcmp(f, "serves") == 0)
        return parse_set(key, v, serve_names, 3, "access kind", &t->serves, err, errlen);
    if (strcmp(f, "sizes") == 0)
        return parse_set(key, v, size_names, MMU_PS_COUNT, "page size", &t->sizes, err, errlen);
    if (strcmp(f, "lat") == 0) {
        if (parse_num(key, v, 1, ARR_MAX_LAT, &x, err, errlen) != 0)
            return -1;
        t->lat = (uint32_t)x;
        return 0;
    }
    if (strcmp(f, "splinter") == 0)
        return parse_bool(key, v, &t->splinter, err, errlen);
    return 1;
}

static int set_pwc_field(mmu_pwc_cfg_t *p, const char *f, const char *key, const char *v, char *err, size_t errlen)
{
    uint64_t x = 0;
    int r = set_geom(&p->a, f, key, v, err, errlen);
    if (r <= 0)
        return r;
    if (strcmp(f, "levels") == 0)
        return parse_set(key, v, level_names, MMU_PWC_COUNT, "paging-structure level", &p->levels, err, errlen);
    if (strcmp(f, "lat") == 0) {
        if (parse_num(key, v, 1, ARR_MAX_LAT, &x, err, errlen) != 0)
            return -1;
        p->lat = (uint32_t)x;
        return 0;
    }
    return 1;
}

static bool field_known(const char *f, const char *const *fields, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(f, fields[i]) == 0)
            return true;
    return false;
}

/* tlb.NAME.FIELD, pwc.NAME.FIELD (adds the array if new), tlb.NAME / pwc.NAME = off (removes it). */
static int set_array_key(mmu_config_t *m, const char *key, const char *v, char *err, size_t errlen)
{
    const bool tlb = key[0] == 't';
    const char *name = key + 4;
    const char *dot = strchr(name, '.');
    size_t nlen = dot ? (size_t)(dot - name) : strlen(name);
    const char *field = dot ? dot + 1 : NULL;
    const char *const *fields = tlb ? tlb_fields : pwc_fields;
    const int nfields = tlb ? N_TLB_FIELDS : N_PWC_FIELDS;
    char nm[MMU_NAME_LEN], all[128];
    size_t an = 0;

    for (int i = 0; i < nfields; i++)
        an += (size_t)snprintf(all + an, sizeof all - an, "%s%s", i ? ", " : "", fields[i]);
    if (!name_ok(name, nlen))
        return fail(err, errlen, "%s: an array name is 1..%d characters of a-z, 0-9 and _ (got '%.*s')", key,
                    MMU_NAME_LEN - 1, (int)nlen, name);
    memcpy(nm, name, nlen);
    nm[nlen] = '\0';
    int i = tlb ? mmu_cfg_tlb_find(m, nm) : mmu_cfg_pwc_find(m, nm);

    if (field == NULL) { /* tlb.NAME = off */
        uint32_t on = 1;
        if (parse_bool(key, v, &on, err, errlen) != 0 || on)
            return fail(err, errlen,
                        "%s: only 'off' (remove the array) is a value here; its fields are %s.FIELD (%s)", key,
                        key, all);
        if (i < 0)
            return fail(err, errlen, "%s: no such array to remove", key);
        /* the slot freed at the end is zeroed: unused slots are always
         * zero, so equal configurations are equal byte for byte */
        if (tlb) {
            memmove(&m->tlb[i], &m->tlb[i + 1], (m->ntlb - (uint32_t)i - 1) * sizeof m->tlb[0]);
            m->ntlb--;
            memset(&m->tlb[m->ntlb], 0, sizeof m->tlb[0]);
        } else {
            memmove(&m->pwc[i], &m->pwc[i + 1], (m->npwc - (uint32_t)i - 1) * sizeof m->pwc[0]);
            m->npwc--;
            memset(&m->pwc[m->npwc], 0, sizeof m->pwc[0]);
        }
        return 0;
    }
    if (!field_known(field, fields, nfields))
        return fail(err, errlen, "unknown key '%s' (the fields of a %s are %s)", key,
                    tlb ? "TLB array" : "page-walk cache", all);
    if (i < 0) {
        if ((tlb ? mmu_cfg_pwc_find(m, nm) : mmu_cfg_tlb_find(m, nm)) >= 0)
            return fail(err, errlen, "%s: '%s' already names a %s; every array needs its own name", key, nm,
                        tlb ? "page-walk cache (pwc.)" : "TLB array (tlb.)");
        if (tlb ? m->ntlb >= MMU_TLB_MAX : m->npwc >= MMU_PWC_MAX)
            return fail(err, errlen, "%s: at most %d %s", key, tlb ? MMU_TLB_MAX : MMU_PWC_MAX,
                        tlb ? "TLB arrays" : "page-walk caches");
    }
    if (tlb) {
        mmu_tlb_cfg_t t;
        if (i >= 0)
            t = m->tlb[i];
        else
            tlb_defaults(&t, nm);
        if (set_tlb_field(&t, field, key, v, err, errlen) != 0)
            return -1;
        m->tlb[i >= 0 ? (uint32_t)i : m->ntlb++] = t;
    } else {
        mmu_pwc_cfg_t p;
        if (i >= 0)
            p = m->pwc[i];
        else
            pwc_defaults(&p, nm);
        if (set_pwc_field(&p, field, key, v, err, errlen) != 0)
            return -1;
        m->pwc[i >= 0 ? (uint32_t)i : m->npwc++] = p;
    }
    return 0;
}

static void all_arrays_off(mmu_config_t *m)
{
    for (uint32_t i = 0; i < m->ntlb; i++)
        m->tlb[i].a.entries = 0;
    for (uint32_t i = 0; i < m->npwc; i++)
        m->pwc[i].a.entries = 0;
}

int cfg_set_kv(sim_config_t *c, const char *kv, char *err, size_t errlen)
{
    char key[128];
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof key) {
        snprintf(err, errlen, "expected KEY=VALUE, got '%s'", kv);
        return -2;
    }
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = 0;
    return cfg_set(c, key, eq + 1, err, errlen);
}

int cfg_set(sim_config_t *c, const char *key, const char *value, char *err, size_t errlen)
{
    char v[VALUE_MAX];
    uint64_t x = 0;
    uint32_t b = 0;
    int r;

    if (c == NULL || key == NULL)
        return fail(err, errlen, "cfg_set: NULL argument");
    if (value == NULL)
        return fail(err, errlen, "%s: missing value", key);
    const bool is_arr = strncmp(key, "tlb.", 4) == 0 || strncmp(key, "pwc.", 4) == 0;
    const cfg_key_t *k = is_arr ? NULL : key_find(key);
    if (k == NULL && !is_arr) {
        static const char *const old[] = {"itlb.", "dtlb.", "stlb", "lat."};
        for (size_t i = 0; i < sizeof old / sizeof old[0]; i++)
            if (strncmp(key, old[i], strlen(old[i])) == 0)
                return fail(err, errlen,
                            "unknown key '%s' (TLB arrays and page-walk caches are tlb.NAME.* and pwc.NAME.*, "
                            "with their own lat: docs/config.md; --dump-config lists them)",
                            key);
        return fail(err, errlen, "unknown key '%s'", key);
    }

    /* trim blanks around the value */
    while (*value == ' ' || *value == '\t')
        value++;
    size_t len = strlen(value);
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t' || value[len - 1] == '\n' ||
                       value[len - 1] == '\r'))
        len--;
    if (len >= sizeof v)
        return fail(err, errlen, "%s: value longer than %d characters", key, VALUE_MAX - 1);
    memcpy(v, value, len);
    v[len] = '\0';

    if (is_arr)
        return set_array_key(&c->mmu, key, v, err, errlen);
    switch (k->type) {
    case KT_U32:
        if (parse_num(key, v, k->min, k->max, &x, err, errlen) != 0)
            return -1;
        *(uint32_t *)key_ptr(c, k) = (uint32_t)x;
        return 0;
    case KT_U64:
        if (parse_num(key, v, k->min, k->max, &x, err, errlen) != 0)
            return -1;
        *(uint64_t *)key_ptr(c, k) = x;
        return 0;
    case KT_SIZE:
        if (parse_size(key, v, k->max, &x, err, errlen) != 0)
            return -1;
        *(uint32_t *)key_ptr(c, k) = (uint32_t)x;
        return 0;
    case KT_MEM_MODEL:
        r = parse_name(v, model_names, 2);
        if (r < 0)
            return fail(err, errlen, "%s: unknown model '%s' (fixed, cache)", key, v);
        c->mem.model = (mem_model_t)r;
        return 0;
    case KT_ISSUE:
        r = parse_name(v, issue_names, 2);
        if (r < 0)
            return fail(err, errlen, "%s: unknown issue mode '%s' (pipelined, inorder)", key, v);
        c->issue = (issue_mode_t)r;
        return 0;
    case KT_BACKING:
        r = parse_name(v, backing_names, 4);
        if (r < 0)
            return fail(err, errlen, "%s: unknown backing '%s' (4k, 2m, 1g, mix)", key, v);
        c->backing = (backing_t)r;
        return 0;
    case KT_MIX:
        return parse_mix(key, v, c->mix_weight, err, errlen);
    case KT_DEMAND_AD:
        r = parse_name(v, demand_ad_names, 3);
        if (r < 0)
            return fail(err, errlen, "%s: unknown A/D state '%s' (clear, linux, dirty)", key, v);
        c->demand_ad = (demand_ad_t)r;
        return 0;
    case KT_PERF:
        r = parse_name(v, perf_names, 2);
        if (r < 0)
            return fail(err, errlen, "%s: unknown vendor '%s' (intel, amd)", key, v);
        c->perf = (perf_vendor_t)r;
        return 0;
    case KT_PCID:
        if (parse_bool(key, v, &b, err, errlen) != 0)
            return -1;
        c->pcid = b;
        /* CR4.PCIDE follows pcid, so that mode is always the initial mode */
        c->mode = b ? (c->mode | MMU_MODE_PCIDE) : (c->mode & ~(uint32_t)MMU_MODE_PCIDE);
        return 0;
    case KT_MODE:
    case KT_MODE_INV:
        if (parse_bool(key, v, &b, err, errlen) != 0)
            return -1;
        if (k->type == KT_MODE_INV)
            b = !b;
        c->mode = b ? (c->mode | k->arg) : (c->mode & ~(uint32_t)k->arg);
        return 0;
    case KT_NOCACHE:
        /* every TLB and page-walk cache off at once: each access is a fresh
         * walk. Applied here, where the organisation is set, so that presets,
         * JSON files, --set, sweeps and the RTL's parameters all see it */
        if (parse_bool(key, v, &b, err, errlen) != 0)
            return -1;
        c->nocache = b;
        if (b)
            all_arrays_off(&c->mmu);
        return 0;
    }
    return fail(err, errlen, "unknown key '%s'", key);
}

/* ---------------------------------------------------------------- presets */

enum { F = MMU_SERVE_FETCH, L = MMU_SERVE_LOAD, S = MMU_SERVE_STORE };
enum { S4K = 1u << MMU_PS_4K, S2M = 1u << MMU_PS_2M, S1G = 1u << MMU_PS_1G };

/* Append a TLB array to the preset's list. */
static mmu_tlb_cfg_t *tlb(mmu_config_t *m, const char *name, uint32_t level, uint32_t serves, uint32_t sizes,
                          uint32_t entries, uint32_t ways, mmu_repl_t repl, uint32_t lat, uint32_t splinter)
{
    mmu_tlb_cfg_t *t = &m->tlb[m->ntlb++];
    tlb_defaults(t, name);
    geom(&t->a, entries, ways, repl);
    t->level = level;
    t->serves = serves;
    t->sizes = sizes;
    t->lat = lat;
    t->splinter = splinter;
    return t;
}

static mmu_pwc_cfg_t *pwc(mmu_config_t *m, const char *name, uint32_t levels, uint32_t entries, uint32_t ways,
                          mmu_repl_t repl)
{
    mmu_pwc_cfg_t *p = &m->pwc[m->npwc++];
    pwc_defaults(p, name);
    geom(&p->a, entries, ways, repl);
    p->levels = levels;
    p->lat = 1;
    return p;
}

enum { P4 = 1u << MMU_PWC_PML4E, P3 = 1u << MMU_PWC_PDPTE, P2 = 1u << MMU_PWC_PDE };

static void level(mem_level_cfg_t *l, uint32_t size, uint32_t ways, uint32_t lat)
{
    l->size = size;
    l->ways = ways;
    l->lat = lat;
}

/* Everything but the organisation, which each preset sets whole. */
static void preset_base(sim_config_t *c)
{
    mmu_config_t *m = &c->mmu;
    memset(c, 0, sizeof *c);
    m->walkers = 2;
    m->outstanding = 16;
    m->maxphyaddr = 46; /* project default; Skylake client reports 39 */

    c->mem.model = MEM_CACHE;
    c->mem.fixed_lat = 30;
    level(&c->mem.l1d, 32u << 10, 8, 4);
    level(&c->mem.l2, 256u << 10, 4, 12);
    level(&c->mem.llc, 8u << 20, 16, 42);
    c->mem.dram_lat = 200;

    c->issue = ISSUE_PIPELINED;
    c->backing = BACK_4K;
    c->mix_weight[MMU_PS_4K] = 60;
    c->mix_weight[MMU_PS_2M] = 30;
    c->mix_weight[MMU_PS_1G] = 10;
    c->demand_ad = DEMAND_AD_CLEAR;
    c->perf = PERF_INTEL;
    c->processes = 1;
    c->switch_every = 100000;
    c->pcid = 0;
    c->mode = MMU_MODE_WP | MMU_MODE_NXE | MMU_MODE_PGE;
    c->seed = 1;
}

/* Values and sources: docs/config.md "Presets" (and docs/tlb-organisations.md). */
static void preset_skylake(sim_config_t *c)
{
    mmu_config_t *m = &c->mmu;
    tlb(m, "itlb", 1, F, S4K, 128, 8, MMU_REPL_LRU, 1, 0);
    tlb(m, "itlb2m", 1, F, S2M, 8, 8, MMU_REPL_LRU, 1, 1); /* 1 GiB code: 2 MiB pieces (assumed) */
    tlb(m, "dtlb", 1, L | S, S4K, 64, 4, MMU_REPL_LRU, 1, 0);
    tlb(m, "dtlb2m", 1, L | S, S2M, 32, 4, MMU_REPL_LRU, 1, 0);
    tlb(m, "dtlb1g", 1, L | S, S1G, 4, 4, MMU_REPL_LRU, 1, 0);
    tlb(m, "stlb", 2, F | L | S, S4K | S2M, 1536, 12, MMU_REPL_LRU, 9, 0);
    tlb(m, "stlb1g", 2, F | L | S, S1G, 16, 4, MMU_REPL_LRU, 9, 0);
    pwc(m, "pml4e", P4, 2, 2, MMU_REPL_LRU);
    pwc(m, "pdpte", P3, 4, 4, MMU_REPL_LRU);
    pwc(m, "pde", P2, 32, 4, MMU_REPL_LRU);
    m->walkers = 2;
}

static void preset_goldencove(sim_config_t *c)
{
    mmu_config_t *m = &c->mmu;
    tlb(m, "itlb", 1, F, S4K, 256, 8, MMU_REPL_PLRU, 1, 0);
    tlb(m, "itlb2m", 1, F, S2M, 32, 8, MMU_REPL_PLRU, 1, 1); /* 1 GiB code: 2 MiB pieces (assumed) */
    tlb(m, "ldtlb", 1, L, S4K, 96, 6, MMU_REPL_LRU, 1, 0);  /* 6 ways: PLRU needs a power of two */
    tlb(m, "ldtlb2m", 1, L, S2M, 32, 4, MMU_REPL_PLRU, 1, 0);
    tlb(m, "ldtlb1g", 1, L, S1G, 8, 8, MMU_REPL_PLRU, 1, 0);
    tlb(m, "sdtlb", 1, S, S4K | S2M | S1G, 16, 16, MMU_REPL_PLRU, 1, 0);
    tlb(m, "stlb", 2, F | L | S, S4K | S2M, 1024, 8, MMU_REPL_PLRU, 8, 0);
    tlb(m, "stlb1g", 2, F | L | S, S4K | S1G, 1024, 8, MMU_REPL_PLRU, 8, 0);
    pwc(m, "pml4e", P4, 2, 2, MMU_REPL_LRU);
    pwc(m, "pdpte", P3, 4, 4, MMU_REPL_LRU);
    pwc(m, "pde", P2, 32, 4, MMU_REPL_LRU);
    m->walkers = 4;
    level(&c->mem.l1d, 48u << 10, 12, 5);
    level(&c->mem.l2, 1280u << 10, 10, 15);
}

static void preset_zen2(sim_config_t *c)
{
    mmu_config_t *m = &c->mmu;
    tlb(m, "l1i", 1, F, S4K | S2M | S1G, 64, 64, MMU_REPL_PLRU, 1, 0);
    tlb(m, "l1d", 1, L | S, S4K | S2M | S1G, 64, 64, MMU_REPL_PLRU, 1, 0);
    tlb(m, "l2i", 2, F, S4K | S2M, 512, 8, MMU_REPL_LRU, 7, 1);  /* 1 GiB: 2 MiB pieces */
    tlb(m, "l2d", 2, L | S, S4K | S2M, 2048, 8, MMU_REPL_LRU, 7, 1);
    pwc(m, "pdc", P4 | P3, 64, 64, MMU_REPL_LRU);
    pwc(m, "pde", P2, 64, 64, MMU_REPL_LRU); /* stands in for the PDEs the L2 DTLB holds */
    m->walkers = 2;
    m->maxphyaddr = 48;
    level(&c->mem.l1d, 32u << 10, 8, 4);
    level(&c->mem.l2, 512u << 10, 8, 12);
    level(&c->mem.llc, 16u << 20, 16, 39);
    c->perf = PERF_AMD; /* the statistics' "perf" section with AMD's event names */
}

static void preset_zen4(sim_config_t *c)
{
    mmu_config_t *m = &c->mmu;
    tlb(m, "l1i", 1, F, S4K | S2M | S1G, 64, 64, MMU_REPL_PLRU, 1, 0);
    tlb(m, "l1d", 1, L | S, S4K | S2M | S1G, 72, 72, MMU_REPL_LRU, 1, 0); /* 72 ways: LRU */
    tlb(m, "l2i", 2, F, S4K | S2M, 512, 4, MMU_REPL_LRU, 7, 1);
    tlb(m, "l2d", 2, L | S, S4K | S2M, 3072, 6, MMU_REPL_LRU, 7, 0);
    tlb(m, "l2d1g", 2, L | S, S1G, 64, 64, MMU_REPL_LRU, 7, 0);
    pwc(m, "pdc", P4 | P3, 64, 64, MMU_REPL_LRU);
    pwc(m, "pde", P2, 64, 64, MMU_REPL_LRU);
    m->walkers = 6;
    m->maxphyaddr = 48;
    level(&c->mem.l1d, 32u << 10, 8, 4);
    level(&c->mem.l2, 1024u << 10, 8, 14);
    level(&c->mem.llc, 32u << 20, 16, 50);
    c->perf = PERF_AMD;
}

/* Small arrays that use every rule of the organisation (docs/config.md). */
static void preset_tiny(sim_config_t *c)
{
    mmu_config_t *m = &c->mmu;
    tlb(m, "itlb", 1, F, S4K, 4, 2, MMU_REPL_LRU, 1, 0);
    tlb(m, "itlb2m", 1, F, S2M, 2, 2, MMU_REPL_PLRU, 1, 1);
    tlb(m, "dtlb", 1, L | S, S4K, 8, 4, MMU_REPL_PLRU, 1, 0);
    tlb(m, "dtlbbig", 1, L, S2M | S1G, 4, 2, MMU_REPL_RANDOM, 1, 0);
    tlb(m, "sdtlb", 1, S, S2M | S1G, 3, 3, MMU_REPL_LRU, 1, 0);
    tlb(m, "stlb", 2, F | L | S, S4K | S2M, 16, 4, MMU_REPL_LRU, 2, 1);
    tlb(m, "stlb1g", 2, L | S, S4K | S1G, 8, 2, MMU_REPL_PLRU, 2, 0);
    pwc(m, "pdc", P4 | P3, 4, 2, MMU_REPL_PLRU);
    pwc(m, "pde", P2, 4, 2, MMU_REPL_RANDOM)->a.lfsr_seed = 0x1D2B;
    m->walkers = 2;
    m->outstanding = 8;
    m->maxphyaddr = 46;
    c->mem.model = MEM_FIXED;
    c->mem.fixed_lat = 10;
}

int cfg_preset(sim_config_t *c, const char *name, char *err, size_t errlen)
{
    static void (*const fill[])(sim_config_t *) = {preset_tiny, preset_skylake, preset_goldencove, preset_zen2,
                                                   preset_zen4};
    if (c == NULL)
        return fail(err, errlen, "preset: NULL config");
    if (name == NULL)
        name = "";
    for (size_t i = 0; cfg_preset_names[i] != NULL; i++) {
        if (strcmp(name, cfg_preset_names[i]) == 0) {
            preset_base(c);
            fill[i](c);
            return 0;
        }
    }
    return fail(err, errlen, "preset: unknown preset '%s' (tiny, skylake, goldencove, zen2, zen4)", name);
}

/* ---------------------------------------------------------------- checks */

static int check_array(const char *name, const mmu_array_cfg_t *a, char *err, size_t errlen)
{
    if (a->entries > ARR_MAX_ENTRIES)
        return fail(err, errlen, "%s.entries: must be <= %d (got %" PRIu32 ")", name, ARR_MAX_ENTRIES, a->entries);
    if (a->ways > ARR_MAX_WAYS)
        return fail(err, errlen, "%s.ways: must be <= %d (got %" PRIu32 ")", name, ARR_MAX_WAYS, a->ways);
    if ((unsigned)a->repl > MMU_REPL_RANDOM)
        return fail(err, errlen, "%s.repl: unknown policy %d (lru, plru, random)", name, (int)a->repl);
    if (a->entries == 0)
        return 0; /* disabled: ways, repl and seed are not used */
    if (a->ways == 0)
        return fail(err, errlen, "%s.ways: must be >= 1 (got 0)", name);
    if (a->entries % a->ways != 0)
        return fail(err, errlen, "%s.entries: must be a multiple of %s.ways = %" PRIu32 " (got %" PRIu32 ")", name,
                    name, a->ways, a->entries);
    uint32_t sets = a->entries / a->ways;
    if (!is_pow2(sets))
        return fail(err, errlen,
                    "%s.entries: %" PRIu32 " entries / %" PRIu32 " ways = %" PRIu32 " sets, not a power of two",
                    name, a->entries, a->ways, sets);
    if (a->repl == MMU_REPL_PLRU && (!is_pow2(a->ways) || a->ways > ARR_MAX_PLRU_WAYS))
        return fail(err, errlen, "%s.repl: plru needs a power-of-two number of ways, at most %d (%s.ways = %" PRIu32 ")",
                    name, ARR_MAX_PLRU_WAYS, name, a->ways);
    if (a->repl == MMU_REPL_RANDOM && a->lfsr_seed == 0)
        return fail(err, errlen, "%s.lfsr_seed: must be non-zero with repl = random (got 0)", name);
    return 0;
}

/* Range of a KT_U32/KT_U64 key, as cfg_set() enforces it. */
static int check_scalar(const cfg_key_t *k, const void *p, char *err, size_t errlen)
{
    uint64_t v = k->type == KT_U64 ? *(const uint64_t *)p : *(const uint32_t *)p;
    if (v < k->min || v > k->max)
        return fail_range(err, errlen, k->name, v, k->min, k->max);
    return 0;
}

int mmu_config_check(const mmu_config_t *m, char *err, size_t errlen)
{
    char nm[8 + MMU_NAME_LEN];
    if (m == NULL)
        return fail(err, errlen, "config: NULL");
    if (m->ntlb > MMU_TLB_MAX)
        return fail(err, errlen, "tlb: at most %d TLB arrays (got %" PRIu32 ")", MMU_TLB_MAX, m->ntlb);
    if (m->npwc > MMU_PWC_MAX)
        return fail(err, errlen, "pwc: at most %d page-walk caches (got %" PRIu32 ")", MMU_PWC_MAX, m->npwc);
    for (uint32_t i = 0; i < m->ntlb; i++) {
        const mmu_tlb_cfg_t *t = &m->tlb[i];
        snprintf(nm, sizeof nm, "tlb.%s", t->name);
        if (!name_ok(t->name, strnlen(t->name, MMU_NAME_LEN)))
            return fail(err, errlen, "tlb.%.*s: an array name is 1..%d characters of a-z, 0-9 and _",
                        MMU_NAME_LEN, t->name, MMU_NAME_LEN - 1);
        if (mmu_cfg_tlb_find(m, t->name) != (int)i || mmu_cfg_pwc_find(m, t->name) >= 0)
            return fail(err, errlen, "%s: the name is used twice; every array needs its own name", nm);
        if (check_array(nm, &t->a, err, errlen) != 0)
            return -1;
        if (t->level < 1 || t->level > 2)
            return fail(err, errlen, "%s.level: must be in 1..2 (got %" PRIu32 ")", nm, t->level);
        if (t->serves == 0 || (t->serves & ~(uint32_t)MMU_SERVE_ALL))
            return fail(err, errlen, "%s.serves: must name at least one access kind (load, store, fetch)", nm);
        if (t->sizes == 0 || (t->sizes & ~((1u << MMU_PS_COUNT) - 1)))
            return fail(err, errlen, "%s.sizes: must name at least one page size (4k, 2m, 1g)", nm);
        if (t->lat < 1 || t->lat > ARR_MAX_LAT)
            return fail(err, errlen, "%s.lat: must be in 1..%d (got %" PRIu32 ")", nm, ARR_MAX_LAT, t->lat);
        if (t->splinter > 1)
            return fail(err, errlen, "%s.splinter: must be 0 or 1 (got %" PRIu32 ")", nm, t->splinter);
        /* [T:lookup] the arrays of a level are looked up together */
        for (uint32_t j = 0; j < i; j++)
            if (m->tlb[j].level == t->level && m->tlb[j].lat != t->lat)
                return fail(err, errlen,
                            "%s.lat: %" PRIu32 ", but tlb.%s.lat = %" PRIu32 ": the arrays of level %" PRIu32
                            " are looked up together and need one latency",
                            nm, t->lat, m->tlb[j].name, m->tlb[j].lat, t->level);
    }
    for (uint32_t i = 0; i < m->npwc; i++) {
        const mmu_pwc_cfg_t *p = &m->pwc[i];
        snprintf(nm, sizeof nm, "pwc.%s", p->name);
        if (!name_ok(p->name, strnlen(p->name, MMU_NAME_LEN)))
            return fail(err, errlen, "pwc.%.*s: an array name is 1..%d characters of a-z, 0-9 and _",
                        MMU_NAME_LEN, p->name, MMU_NAME_LEN - 1);
        if (mmu_cfg_pwc_find(m, p->name) != (int)i)
            return fail(err, errlen, "%s: the name is used twice; every array needs its own name", nm);
        if (check_array(nm, &p->a, err, errlen) != 0)
            return -1;
        if (p->levels == 0 || (p->levels & ~((1u << MMU_PWC_COUNT) - 1)))
            return fail(err, errlen, "%s.levels: must name at least one level (pml4e, pdpte, pde)", nm);
        if (p->lat < 1 || p->lat > ARR_MAX_LAT)
            return fail(err, errlen, "%s.lat: must be in 1..%d (got %" PRIu32 ")", nm, ARR_MAX_LAT, p->lat);
        if (i > 0 && p->lat != m->pwc[0].lat)
            return fail(err, errlen,
                        "%s.lat: %" PRIu32 ", but pwc.%s.lat = %" PRIu32
                        ": the page-walk caches are looked up together and need one latency",
                        nm, p->lat, m->pwc[0].name, m->pwc[0].lat);
    }
    for (size_t i = 0; i < N_KEYS; i++)
        if (cfg_keys[i].scope == SC_MMU && cfg_keys[i].type == KT_U32 &&
            check_scalar(&cfg_keys[i], (const char *)m + cfg_keys[i].off, err, errlen) != 0)
            return -1;
    return 0;
}

static int check_mem(const mem_config_t *mem, char *err, size_t errlen)
{
    static const char *const names[] = {"mem.l1d", "mem.l2", "mem.llc"};
    const mem_level_cfg_t *lv[] = {&mem->l1d, &mem->l2, &mem->llc};
    const char *prev = NULL;
    uint32_t prev_lat = 0;

    if ((unsigned)mem->model > MEM_CACHE)
        return fail(err, errlen, "mem.model: unknown model %d (fixed, cache)", (int)mem->model);
    for (int i = 0; i < 3; i++) {
        const mem_level_cfg_t *l = lv[i];
        if (l->size == 0)
            continue; /* disabled level */
        if (l->ways == 0)
            return fail(err, errlen, "%s.ways: must be >= 1 (got 0)", names[i]);
        uint32_t line_set = MEM_LINE * l->ways;
        if (l->size % line_set != 0)
            return fail(err, errlen,
                        "%s.size: must be a multiple of 64 * %s.ways = %" PRIu32 " bytes (got %" PRIu32 ")",
                        names[i], names[i], line_set, l->size);
        uint32_t sets = l->size / line_set;
        if (!is_pow2(sets))
            return fail(err, errlen,
                        "%s.size: %" PRIu32 " bytes / (64 * %" PRIu32 " ways) = %" PRIu32
                        " sets, not a power of two",
                        names[i], l->size, l->ways, sets);
        if (prev != NULL && l->lat < prev_lat)
            return fail(err, errlen, "%s.lat: must be >= %s.lat = %" PRIu32 " (got %" PRIu32 ")", names[i], prev,
                        prev_lat, l->lat);
        prev = names[i];
        prev_lat = l->lat;
    }
    if (prev != NULL && mem->dram_lat < prev_lat)
        return fail(err, errlen, "mem.dram.lat: must be >= %s.lat = %" PRIu32 " (got %" PRIu32 ")", prev, prev_lat,
                    mem->dram_lat);
    return 0;
}

int cfg_check(const sim_config_t *c, char *err, size_t errlen)
{
    if (c == NULL)
        return fail(err, errlen, "config: NULL");
    if (mmu_config_check(&c->mmu, err, errlen) != 0)
        return -1;
    /* every range cfg_set() enforces, in key order */
    for (size_t i = 0; i < N_KEYS; i++)
        if (cfg_keys[i].scope == SC_SIM && (cfg_keys[i].type == KT_U32 || cfg_keys[i].type == KT_U64) &&
            check_scalar(&cfg_keys[i], key_ptr_c(c, &cfg_keys[i]), err, errlen) != 0)
            return -1;
    if (check_mem(&c->mem, err, errlen) != 0)
        return -1;
    if ((unsigned)c->issue > ISSUE_INORDER)
        return fail(err, errlen, "issue: unknown issue mode %d (pipelined, inorder)", (int)c->issue);
    if ((unsigned)c->backing > BACK_MIX)
        return fail(err, errlen, "backing: unknown backing %d (4k, 2m, 1g, mix)", (int)c->backing);
    if (c->mix_weight[0] == 0 && c->mix_weight[1] == 0 && c->mix_weight[2] == 0)
        return fail(err, errlen, "backing.mix: weights must not all be zero");
    if ((unsigned)c->demand_ad > DEMAND_AD_DIRTY)
        return fail(err, errlen, "demand.ad: unknown A/D state %d (clear, linux, dirty)", (int)c->demand_ad);
    if ((unsigned)c->perf > PERF_AMD)
        return fail(err, errlen, "perf: unknown vendor %d (intel, amd)", (int)c->perf);
    if (c->pcid > 1)
        return fail(err, errlen, "pcid: must be 0 or 1 (got %" PRIu32 ")", c->pcid);
    const uint32_t known = MMU_MODE_WP | MMU_MODE_PCIDE | MMU_MODE_SMEP | MMU_MODE_SMAP | MMU_MODE_PGE |
                           MMU_MODE_NXE | MMU_MODE_AC | MMU_MODE_NOPG1G;
    if ((c->mode & ~known) != 0)
        return fail(err, errlen, "mode: unknown bits 0x%" PRIx32, c->mode & ~known);
    if (c->nocache > 1)
        return fail(err, errlen, "nocache: must be 0 or 1 (got %" PRIu32 ")", c->nocache);
    if (c->nocache) {
        for (uint32_t i = 0; i < c->mmu.ntlb; i++)
            if (c->mmu.tlb[i].a.entries != 0)
                return fail(err, errlen,
                            "nocache: on, but tlb.%s.entries = %" PRIu32 " (set after nocache?); nocache turns every "
                            "TLB and page-walk cache off",
                            c->mmu.tlb[i].name, c->mmu.tlb[i].a.entries);
        for (uint32_t i = 0; i < c->mmu.npwc; i++)
            if (c->mmu.pwc[i].a.entries != 0)
                return fail(err, errlen,
                            "nocache: on, but pwc.%s.entries = %" PRIu32 " (set after nocache?); nocache turns every "
                            "TLB and page-walk cache off",
                            c->mmu.pwc[i].name, c->mmu.pwc[i].a.entries);
    }
    /* SDM 4.5.4: without Page1GB, PDPTE.PS = 1 is a reserved bit */
    if ((c->mode & MMU_MODE_NOPG1G) && c->backing == BACK_1G)
        return fail(err, errlen, "cpuid.page1gb: off (no 1 GiB pages), but backing = 1g maps 1 GiB pages on demand");
    if ((c->mode & MMU_MODE_NOPG1G) && c->backing == BACK_MIX && c->mix_weight[MMU_PS_1G])
        return fail(err, errlen,
                    "cpuid.page1gb: off (no 1 GiB pages), but backing = mix with backing.mix weight %" PRIu32
                    " for 1 GiB pages",
                    c->mix_weight[MMU_PS_1G]);
    if ((c->mode & MMU_MODE_PCIDE) && !c->pcid)
        return fail(err, errlen, "pcid: mode has CR4.PCIDE set but pcid is off");
    /* process p uses PCID p+1: PCIDs 1..4095 are distinct, 4096 would wrap */
    if (c->pcid && c->processes > 4095)
        return fail(err, errlen, "processes: at most 4095 with pcid on (one PCID 1..4095 each), got %" PRIu32,
                    c->processes);
    return 0;
}

/* ---------------------------------------------------------------- cfg_dump */

static const char *name_or_num(const char *const *names, int n, int v, char *buf, size_t len)
{
    if (v >= 0 && v < n)
        return names[v];
    snprintf(buf, len, "%d", v);
    return buf;
}

static void dump_geom(FILE *f, const char *kind, const char *name, const mmu_array_cfg_t *a)
{
    char buf[16];
    fprintf(f, "%s.%s.entries = %" PRIu32 "\n", kind, name, a->entries);
    fprintf(f, "%s.%s.ways = %" PRIu32 "\n", kind, name, a->ways);
    fprintf(f, "%s.%s.repl = %s\n", kind, name, name_or_num(repl_names, 3, (int)a->repl, buf, sizeof buf));
    fprintf(f, "%s.%s.lfsr_seed = 0x%04" PRIX16 "\n", kind, name, a->lfsr_seed);
}

void cfg_dump(const sim_config_t *c, FILE *f)
{
    char buf[64];
    for (uint32_t i = 0; i < c->mmu.ntlb && i < MMU_TLB_MAX; i++) {
        const mmu_tlb_cfg_t *t = &c->mmu.tlb[i];
        fprintf(f, "tlb.%s.level = %" PRIu32 "\n", t->name, t->level);
        fprintf(f, "tlb.%s.serves = %s\n", t->name, set_text(t->serves, serve_names, 3, buf, sizeof buf));
        fprintf(f, "tlb.%s.sizes = %s\n", t->name, set_text(t->sizes, size_names, MMU_PS_COUNT, buf, sizeof buf));
        dump_geom(f, "tlb", t->name, &t->a);
        fprintf(f, "tlb.%s.lat = %" PRIu32 "\n", t->name, t->lat);
        fprintf(f, "tlb.%s.splinter = %s\n", t->name, t->splinter ? "on" : "off");
    }
    for (uint32_t i = 0; i < c->mmu.npwc && i < MMU_PWC_MAX; i++) {
        const mmu_pwc_cfg_t *p = &c->mmu.pwc[i];
        fprintf(f, "pwc.%s.levels = %s\n", p->name,
                set_text(p->levels, level_names, MMU_PWC_COUNT, buf, sizeof buf));
        dump_geom(f, "pwc", p->name, &p->a);
        fprintf(f, "pwc.%s.lat = %" PRIu32 "\n", p->name, p->lat);
    }
    for (size_t i = 0; i < N_KEYS; i++) {
        const cfg_key_t *k = &cfg_keys[i];
        const void *p = key_ptr_c(c, k);
        switch (k->type) {
        case KT_U32:
            fprintf(f, "%s = %" PRIu32 "\n", k->name, *(const uint32_t *)p);
            break;
        case KT_U64:
            fprintf(f, "%s = %" PRIu64 "\n", k->name, *(const uint64_t *)p);
            break;
        case KT_SIZE: {
            /* the largest unit that divides the value, so it reads back unchanged */
            static const char *const unit[] = {"GiB", "MiB", "KiB"};
            uint32_t v = *(const uint32_t *)p;
            int u = 0;
            while (u < 3 && (v == 0 || v % (1u << (10 * (3 - u))) != 0))
                u++;
            if (u < 3)
                fprintf(f, "%s = %" PRIu32 " %s\n", k->name, v >> (10 * (3 - u)), unit[u]);
            else
                fprintf(f, "%s = %" PRIu32 "\n", k->name, v);
            break;
        }
        case KT_MEM_MODEL:
            fprintf(f, "%s = %s\n", k->name, name_or_num(model_names, 2, (int)c->mem.model, buf, sizeof buf));
            break;
        case KT_ISSUE:
            fprintf(f, "%s = %s\n", k->name, name_or_num(issue_names, 2, (int)c->issue, buf, sizeof buf));
            break;
        case KT_BACKING:
            fprintf(f, "%s = %s\n", k->name, name_or_num(backing_names, 4, (int)c->backing, buf, sizeof buf));
            break;
        case KT_MIX:
            fprintf(f, "%s = %" PRIu32 ",%" PRIu32 ",%" PRIu32 "\n", k->name, c->mix_weight[0], c->mix_weight[1],
                    c->mix_weight[2]);
            break;
        case KT_DEMAND_AD:
            fprintf(f, "%s = %s\n", k->name, name_or_num(demand_ad_names, 3, (int)c->demand_ad, buf, sizeof buf));
            break;
        case KT_PERF:
            fprintf(f, "%s = %s\n", k->name, name_or_num(perf_names, 2, (int)c->perf, buf, sizeof buf));
            break;
        case KT_PCID:
            fprintf(f, "%s = %s\n", k->name, c->pcid ? "on" : "off");
            break;
        case KT_MODE:
            fprintf(f, "%s = %s\n", k->name, (c->mode & k->arg) ? "on" : "off");
            break;
        case KT_MODE_INV:
            fprintf(f, "%s = %s\n", k->name, (c->mode & k->arg) ? "off" : "on");
            break;
        case KT_NOCACHE:
            fprintf(f, "%s = %s\n", k->name, c->nocache ? "on" : "off");
            break;
        }
    }
}

/* ---------------------------------------------------------------- JSON files */

typedef struct {
    const char *path;
    sim_config_t *cfg;
    char **seen; /* flattened keys already set, to reject duplicates */
    size_t nseen, capseen;
    char *err;
    size_t errlen;
} json_ctx_t;

/* The text cfg_set() gets for one JSON scalar (numbers must be integers). */
static int json_scalar_text(json_ctx_t *x, const char *key, const cJSON *v, char *out, size_t len)
{
    if (cJSON_IsString(v)) {
        if (strlen(v->valuestring) >= len)
            return fail(x->err, x->errlen, "%s: %s: value longer than %zu characters", x->path, key, len - 1);
        snprintf(out, len, "%s", v->valuestring);
        return 0;
    }
    if (cJSON_IsBool(v)) {
        snprintf(out, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
        return 0;
    }
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d < -JSON_MAX_EXACT || d > JSON_MAX_EXACT)
            return fail(x->err, x->errlen, "%s: %s: %.17g is too large to be exact in JSON; write it as a string",
                        x->path, key, d);
        if ((double)(int64_t)d != d)
            return fail(x->err, x->errlen, "%s: %s: %g is not an integer", x->path, key, d);
        snprintf(out, len, "%" PRId64, (int64_t)d);
        return 0;
    }
    if (cJSON_IsNull(v))
        return fail(x->err, x->errlen, "%s: %s: null is not a value", x->path, key);
    return fail(x->err, x->errlen, "%s: %s: expected a number, a string or a boolean", x->path, key);
}

static int json_value_text(json_ctx_t *x, const char *key, const cJSON *v, char *out, size_t len)
{
    if (!cJSON_IsArray(v))
        return json_scalar_text(x, key, v, out, len);
    /* [60, 30, 10] or ["4k", "2m"]: joined with commas */
    size_t n = 0;
    const cJSON *item;
    out[0] = '\0';
    cJSON_ArrayForEach(item, v)
    {
        char one[VALUE_MAX];
        if (cJSON_IsArray(item) || cJSON_IsObject(item))
            return fail(x->err, x->errlen, "%s: %s: a list may hold only numbers and strings", x->path, key);
        if (json_scalar_text(x, key, item, one, sizeof one) != 0)
            return -1;
        if (n + strlen(one) + 2 > len)
            return fail(x->err, x->errlen, "%s: %s: value longer than %zu characters", x->path, key, len - 1);
        n += (size_t)snprintf(out + n, len - n, "%s%s", n ? "," : "", one);
    }
    return 0;
}

static int json_mark_seen(json_ctx_t *x, const char *key)
{
    for (size_t i = 0; i < x->nseen; i++)
        if (strcmp(x->seen[i], key) == 0)
            return fail(x->err, x->errlen, "%s: %s: given twice", x->path, key);
    if (x->nseen == x->capseen) {
        size_t cap = x->capseen ? 2 * x->capseen : 32;
        char **s = realloc(x->seen, cap * sizeof *s);
        if (s == NULL)
            return fail(x->err, x->errlen, "%s: out of memory", x->path);
        x->seen = s;
        x->capseen = cap;
    }
    x->seen[x->nseen] = strdup(key);
    if (x->seen[x->nseen] == NULL)
        return fail(x->err, x->errlen, "%s: out of memory", x->path);
    x->nseen++;
    return 0;
}

/* Apply every member of obj, prefixed "prefix." (no prefix at the top). */
static int json_walk(json_ctx_t *x, const cJSON *obj, const char *prefix)
{
    const cJSON *child;
    cJSON_ArrayForEach(child, obj)
    {
        char key[KEY_MAX];
        char val[VALUE_MAX];
        char e[512];
        int kn = prefix[0] ? snprintf(key, sizeof key, "%s.%s", prefix, child->string)
                           : snprintf(key, sizeof key, "%s", child->string);
        if (kn < 0 || (size_t)kn >= sizeof key)
            return fail(x->err, x->errlen, "%s: key '%s...' is longer than %d characters", x->path, key,
                        KEY_MAX - 1);
        if (prefix[0] == '\0' && strcmp(key, "preset") == 0)
            continue; /* applied before everything else */
        if (prefix[0] == '\0' && cJSON_IsObject(child) && (strcmp(key, "tlb") == 0 || strcmp(key, "pwc") == 0)) {
            /* a file's "tlb" ("pwc") object is the whole list: the preset's
             * goes. A key of that list set earlier in the file would go
             * with it unnoticed (and a second "tlb" object would drop the
             * first): rejected */
            for (size_t i = 0; i < x->nseen; i++)
                if (strncmp(x->seen[i], key, 3) == 0 && x->seen[i][3] == '.')
                    return fail(x->err, x->errlen,
                                "%s: %s: the \"%s\" object replaces the whole list, but %s is set before it in "
                                "the file",
                                x->path, key, key, x->seen[i]);
            if (key[0] == 't') {
                x->cfg->mmu.ntlb = 0;
                memset(x->cfg->mmu.tlb, 0, sizeof x->cfg->mmu.tlb);
            } else {
                x->cfg->mmu.npwc = 0;
                memset(x->cfg->mmu.pwc, 0, sizeof x->cfg->mmu.pwc);
            }
        }
        if (cJSON_IsObject(child)) {
            if (json_walk(x, child, key) != 0)
                return -1;
            continue;
        }
        if (json_value_text(x, key, child, val, sizeof val) != 0)
            return -1;
        if (json_mark_seen(x, key) != 0)
            return -1;
        if (cfg_set(x->cfg, key, val, e, sizeof e) != 0)
            return fail(x->err, x->errlen, "%s: %s", x->path, e);
    }
    return 0;
}

/* The whole file, NUL-terminated; *len without the NUL. */
static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) {
            fail(err, errlen, "%s: out of memory", path);
            break;
        }
        n += fread(buf + n, 1, cap - 1 - n, f);
        if (ferror(f)) {
            fail(err, errlen, "%s: read error: %s", path, strerror(errno));
            break;
        }
        if (feof(f)) {
            fclose(f);
            buf[n] = '\0';
            *len = n;
            return buf;
        }
        if (cap >= JSON_MAX_FILE) {
            fail(err, errlen, "%s: larger than %u bytes", path, JSON_MAX_FILE);
            break;
        }
        char *nb = realloc(buf, cap * 2);
        if (nb == NULL)
            free(buf);
        buf = nb;
        cap *= 2;
    }
    free(buf);
    fclose(f);
    return NULL;
}

int cfg_load_json(sim_config_t *c, const char *path, char *err, size_t errlen)
{
    size_t len;
    const char *end = NULL;
    int rc = -1;

    if (c == NULL || path == NULL)
        return fail(err, errlen, "cfg_load_json: NULL argument");
    char *buf = read_file(path, &len, err, errlen);
    if (buf == NULL)
        return -1;
    if (strlen(buf) != len) {
        fail(err, errlen, "%s: not valid JSON near byte %zu", path, strlen(buf));
        free(buf);
        return -1;
    }
    cJSON *root = cJSON_ParseWithOpts(buf, &end, 1);
    if (root == NULL) {
        size_t at = (end != NULL && end >= buf && end <= buf + len) ? (size_t)(end - buf) : 0;
        fail(err, errlen, "%s: not valid JSON near byte %zu", path, at);
        free(buf);
        return -1;
    }

    sim_config_t tmp = *c; /* *c changes only when the whole file applies */
    json_ctx_t x = {.path = path, .cfg = &tmp, .err = err, .errlen = errlen};
    const cJSON *child, *preset = NULL;
    if (!cJSON_IsObject(root)) {
        fail(err, errlen, "%s: the top level must be an object", path);
        goto out;
    }
    cJSON_ArrayForEach(child, root)
    {
        if (strcmp(child->string, "preset") != 0)
            continue;
        if (preset != NULL) {
            fail(err, errlen, "%s: preset: given twice", path);
            goto out;
        }
        preset = child;
    }
    if (preset != NULL) {
        char e[256];
        if (!cJSON_IsString(preset)) {
            fail(err, errlen, "%s: preset: must be a string (tiny, skylake, goldencove, zen2, zen4)", path);
            goto out;
        }
        if (cfg_preset(&tmp, preset->valuestring, e, sizeof e) != 0) {
            fail(err, errlen, "%s: %s", path, e);
            goto out;
        }
    }
    if (json_walk(&x, root, "") != 0)
        goto out;
    *c = tmp;
    rc = 0;
out:
    for (size_t i = 0; i < x.nseen; i++)
        free(x.seen[i]);
    free(x.seen);
    cJSON_Delete(root);
    free(buf);
    return rc;
}
