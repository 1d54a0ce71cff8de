/* test_config.c - configuration keys, presets, checks, JSON files, units.
 * Expected values are written out by hand from docs/config.md, and for the
 * organisation (the lists of TLB arrays tlb.NAME.* and page-walk caches
 * pwc.NAME.*) from docs/timing.md [T:organisation] and the organisations of
 * docs/tlb-organisations.md. That docs/config.md names every key is
 * test_config_docs.c. */
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "mmu_config.h"
#include "units.h"

#ifndef MMU_SOURCE_DIR
#error "MMU_SOURCE_DIR must name the repository root"
#endif

static char err[1024];

/* expr must return -1 and leave a message containing want in err. */
#define EXPECT_ERR(expr, want)                                                                   \
    do {                                                                                         \
        err[0] = '\0';                                                                           \
        int rc_ = (expr);                                                                        \
        CHECK_EQ(rc_, -1);                                                                       \
        if (strstr(err, (want)) == NULL)                                                         \
            fprintf(stderr, "%s:%d: message '%s' lacks '%s'\n", __FILE__, __LINE__, err, (want)); \
        CHECK(strstr(err, (want)) != NULL);                                                      \
    } while (0)

/* expr must return 0. */
#define EXPECT_OK(expr)                                                                  \
    do {                                                                                 \
        err[0] = '\0';                                                                   \
        int rc_ = (expr);                                                                \
        if (rc_ != 0)                                                                    \
            fprintf(stderr, "%s:%d: unexpected error '%s'\n", __FILE__, __LINE__, err); \
        CHECK_EQ(rc_, 0);                                                                \
    } while (0)

#define SET(c, k, v) cfg_set((c), (k), (v), err, sizeof err)

static void preset(sim_config_t *c, const char *name)
{
    if (cfg_preset(c, name, err, sizeof err) != 0) {
        fprintf(stderr, "cfg_preset(%s): %s\n", name, err);
        exit(EXIT_FAILURE);
    }
}

/* ------------------------------------------------------------ units */

static void test_units(void)
{
    static const struct {
        const char *s;
        uint64_t v;
    } good[] = {
        {"4096", 4096},
        {"0", 0},
        {"4K", 4096},
        {"4k", 4096},
        {"4KB", 4096},
        {"4KiB", 4096},
        {"4kib", 4096},
        {"4KIB", 4096},
        {"4 KiB", 4096},
        {"2M", 2097152},
        {"2MiB", 2097152},
        {"2mb", 2097152},
        {"1G", 1073741824},
        {"1GiB", 1073741824},
        {"64KiB", 65536},
        {"1T", 1099511627776ull},
        {"1TiB", 1099511627776ull},
        {"512B", 512},
        {"512 b", 512},
        {"0x1000", 4096},
        {"16777215T", 18446742974197923840ull},
        {"18446744073709551615", 18446744073709551615ull},
    };
    static const char *const bad[] = {
        "",       "-4K",  "+4",   "4X",   "4KiBB",     "K",    "1.5M",      " 4K",
        "4K ",    "4 ",   "4 X",  "0x",   "0xG",       "4kibi", "16777216T", "18446744073709551616",
        "0x10K", "4 K B", "4_096", "4,096",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint64_t v = 12345;
        int rc = units_parse_size(good[i].s, &v);
        if (rc != 0 || v != good[i].v)
            fprintf(stderr, "units_parse_size(\"%s\")\n", good[i].s);
        CHECK_EQ(rc, 0);
        CHECK_EQ(v, good[i].v);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 12345;
        int rc = units_parse_size(bad[i], &v);
        if (rc != -1)
            fprintf(stderr, "units_parse_size(\"%s\") accepted\n", bad[i]);
        CHECK_EQ(rc, -1);
        CHECK_EQ(v, 12345); /* unchanged */
    }
    uint64_t v = 7;
    CHECK_EQ(units_parse_size(NULL, &v), -1);

    static const struct {
        const char *s;
        uint64_t v;
    } good64[] = {
        {"0", 0},
        {"42", 42},
        {"007", 7},
        {"0x2A", 42},
        {"0X2a", 42},
        {"0xACE1", 0xACE1},
        {"18446744073709551615", 18446744073709551615ull},
        {"0xFFFFFFFFFFFFFFFF", 18446744073709551615ull},
    };
    static const char *const bad64[] = {
        "", "-1", "+1", "18446744073709551616", "0x10000000000000000", "12a", "0x", "4K", " 1", "1 ", "1.0", "0b1",
    };
    for (size_t i = 0; i < sizeof good64 / sizeof good64[0]; i++) {
        v = 12345;
        CHECK_EQ(units_parse_u64(good64[i].s, &v), 0);
        CHECK_EQ(v, good64[i].v);
    }
    for (size_t i = 0; i < sizeof bad64 / sizeof bad64[0]; i++) {
        v = 12345;
        int rc = units_parse_u64(bad64[i], &v);
        if (rc != -1)
            fprintf(stderr, "units_parse_u64(\"%s\") accepted\n", bad64[i]);
        CHECK_EQ(rc, -1);
        CHECK_EQ(v, 12345);
    }
    CHECK_EQ(units_parse_u64(NULL, &v), -1);

    static const struct {
        uint64_t v;
        const char *s;
    } fmt[] = {
        {0, "0 B"},
        {512, "512 B"},
        {1023, "1023 B"},
        {1024, "1 KiB"},
        {4096, "4 KiB"},
        {1536, "1.5 KiB"},
        {1025, "1.0 KiB"},
        {1048575, "1.0 MiB"},
        {2097152, "2 MiB"},
        {1610612736, "1.5 GiB"},
        {1073741824, "1 GiB"},
        {1099511627776ull, "1 TiB"},
        {1125899906842624ull, "1024 TiB"},
        {8388608, "8 MiB"},
        {262144, "256 KiB"},
    };
    for (size_t i = 0; i < sizeof fmt / sizeof fmt[0]; i++) {
        char buf[32];
        const char *r = units_fmt_size(fmt[i].v, buf, sizeof buf);
        CHECK(r == buf);
        if (strcmp(buf, fmt[i].s) != 0)
            fprintf(stderr, "units_fmt_size(%llu) = \"%s\", want \"%s\"\n", (unsigned long long)fmt[i].v, buf,
                    fmt[i].s);
        CHECK(strcmp(buf, fmt[i].s) == 0);
    }
    char small[4];
    CHECK(strcmp(units_fmt_size(4096, small, sizeof small), "4 K") == 0); /* truncated, terminated */
}

/* ------------------------------------------------------------ presets */

enum { LD = MMU_SERVE_LOAD, ST = MMU_SERVE_STORE, FE = MMU_SERVE_FETCH };
enum { Z4K = 1u << MMU_PS_4K, Z2M = 1u << MMU_PS_2M, Z1G = 1u << MMU_PS_1G };
enum { L4 = 1u << MMU_PWC_PML4E, L3 = 1u << MMU_PWC_PDPTE, L2 = 1u << MMU_PWC_PDE };

static void check_arr(const mmu_array_cfg_t *a, uint32_t entries, uint32_t ways, mmu_repl_t repl, uint16_t seed)
{
    CHECK_EQ(a->entries, entries);
    CHECK_EQ(a->ways, ways);
    CHECK_EQ(a->repl, repl);
    CHECK_EQ(a->lfsr_seed, seed);
}

/* TLB array number i of m is NAME with these fields. */
static void check_tlb_(const mmu_config_t *m, uint32_t i, const char *name, uint32_t level, uint32_t serves,
                       uint32_t sizes, uint32_t entries, uint32_t ways, mmu_repl_t repl, uint32_t lat,
                       uint32_t splinter, int line)
{
    int f0 = check_fail_;
    CHECK(i < m->ntlb);
    if (i >= m->ntlb)
        return;
    const mmu_tlb_cfg_t *t = &m->tlb[i];
    CHECK(strcmp(t->name, name) == 0);
    CHECK_EQ(t->level, level);
    CHECK_EQ(t->serves, serves);
    CHECK_EQ(t->sizes, sizes);
    check_arr(&t->a, entries, ways, repl, 0xACE1);
    CHECK_EQ(t->lat, lat);
    CHECK_EQ(t->splinter, splinter);
    if (check_fail_ != f0)
        fprintf(stderr, "    (tlb[%u] '%s', expected '%s', line %d)\n", i, t->name, name, line);
}
#define check_tlb(m, i, ...) check_tlb_((m), (i), __VA_ARGS__, __LINE__)

static void check_pwc_(const mmu_config_t *m, uint32_t i, const char *name, uint32_t levels, uint32_t entries,
                       uint32_t ways, mmu_repl_t repl, uint16_t seed, int line)
{
    int f0 = check_fail_;
    CHECK(i < m->npwc);
    if (i >= m->npwc)
        return;
    const mmu_pwc_cfg_t *p = &m->pwc[i];
    CHECK(strcmp(p->name, name) == 0);
    CHECK_EQ(p->levels, levels);
    check_arr(&p->a, entries, ways, repl, seed);
    CHECK_EQ(p->lat, 1);
    if (check_fail_ != f0)
        fprintf(stderr, "    (pwc[%u] '%s', expected '%s', line %d)\n", i, p->name, name, line);
}
#define check_pwc(m, i, ...) check_pwc_((m), (i), __VA_ARGS__, __LINE__)

static void check_level(const mem_level_cfg_t *l, uint32_t size, uint32_t ways, uint32_t lat)
{
    CHECK_EQ(l->size, size);
    CHECK_EQ(l->ways, ways);
    CHECK_EQ(l->lat, lat);
}

/* The keys that are the same in every preset. */
static void check_common(const sim_config_t *c)
{
    CHECK_EQ(c->issue, ISSUE_PIPELINED);
    CHECK_EQ(c->backing, BACK_4K);
    CHECK_EQ(c->mix_weight[0], 60);
    CHECK_EQ(c->mix_weight[1], 30);
    CHECK_EQ(c->mix_weight[2], 10);
    CHECK_EQ(c->demand_ad, DEMAND_AD_CLEAR);
    CHECK_EQ(c->processes, 1);
    CHECK_EQ(c->switch_every, 100000);
    CHECK_EQ(c->pcid, 0);
    CHECK_EQ(c->mode, MMU_MODE_WP | MMU_MODE_NXE | MMU_MODE_PGE);
    CHECK_EQ(c->nocache, 0);
    CHECK_EQ(c->seed, 1);
    CHECK_EQ(c->mem.dram_lat, 200);
    /* the unused slots of the lists are zero */
    for (uint32_t i = c->mmu.ntlb; i < MMU_TLB_MAX; i++)
        CHECK(c->mmu.tlb[i].name[0] == '\0' && c->mmu.tlb[i].a.entries == 0);
    for (uint32_t i = c->mmu.npwc; i < MMU_PWC_MAX; i++)
        CHECK(c->mmu.pwc[i].name[0] == '\0' && c->mmu.pwc[i].a.entries == 0);
}

/* The organisations of docs/tlb-organisations.md section 1 as the presets
 * model them, array by array in configuration order. */
static void test_presets(void)
{
    sim_config_t c;

    static const char *const names[] = {"tiny", "skylake", "goldencove", "zen2", "zen4"};
    for (int i = 0; i < 5; i++) {
        CHECK(cfg_preset_names[i] != NULL && strcmp(cfg_preset_names[i], names[i]) == 0);
        CHECK(cfg_preset_descr[i] != NULL && cfg_preset_descr[i][0] != '\0');
    }
    CHECK(cfg_preset_names[5] == NULL);
    CHECK(cfg_preset_descr[5] == NULL);
    /* each description names its source */
    CHECK(strstr(cfg_preset_descr[1], "Skylake") != NULL && strstr(cfg_preset_descr[1], "248966") != NULL);
    CHECK(strstr(cfg_preset_descr[2], "Golden Cove") != NULL && strstr(cfg_preset_descr[2], "18H") != NULL);
    CHECK(strstr(cfg_preset_descr[3], "Zen 2") != NULL && strstr(cfg_preset_descr[3], "56305") != NULL);
    CHECK(strstr(cfg_preset_descr[4], "Zen 4") != NULL && strstr(cfg_preset_descr[4], "CPUID") != NULL);

    /* skylake (tlb-organisations.md 1.1): the ITLB has no 1 GiB array, its
     * 2 MiB array splinters 1 GiB code pages; the STLB is a 4K+2M array and
     * a 1G array at level 2; PWCs 2/4/32 (Bhattacharjee) */
    preset(&c, "skylake");
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    CHECK_EQ(c.mmu.ntlb, 7);
    check_tlb(&c.mmu, 0, "itlb", 1, FE, Z4K, 128, 8, MMU_REPL_LRU, 1, 0);
    check_tlb(&c.mmu, 1, "itlb2m", 1, FE, Z2M, 8, 8, MMU_REPL_LRU, 1, 1);
    check_tlb(&c.mmu, 2, "dtlb", 1, LD | ST, Z4K, 64, 4, MMU_REPL_LRU, 1, 0);
    check_tlb(&c.mmu, 3, "dtlb2m", 1, LD | ST, Z2M, 32, 4, MMU_REPL_LRU, 1, 0);
    check_tlb(&c.mmu, 4, "dtlb1g", 1, LD | ST, Z1G, 4, 4, MMU_REPL_LRU, 1, 0);
    check_tlb(&c.mmu, 5, "stlb", 2, LD | ST | FE, Z4K | Z2M, 1536, 12, MMU_REPL_LRU, 9, 0);
    check_tlb(&c.mmu, 6, "stlb1g", 2, LD | ST | FE, Z1G, 16, 4, MMU_REPL_LRU, 9, 0);
    CHECK_EQ(c.mmu.npwc, 3);
    check_pwc(&c.mmu, 0, "pml4e", L4, 2, 2, MMU_REPL_LRU, 0xACE1);
    check_pwc(&c.mmu, 1, "pdpte", L3, 4, 4, MMU_REPL_LRU, 0xACE1);
    check_pwc(&c.mmu, 2, "pde", L2, 32, 4, MMU_REPL_LRU, 0xACE1);
    CHECK_EQ(mmu_cfg_l1_lat(&c.mmu), 1);
    CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 9);
    CHECK_EQ(mmu_cfg_pwc_lat(&c.mmu), 1);
    CHECK_EQ(c.mmu.walkers, 2);
    CHECK_EQ(c.mmu.outstanding, 16);
    CHECK_EQ(c.mmu.maxphyaddr, 46);
    CHECK_EQ(c.mem.model, MEM_CACHE);
    CHECK_EQ(c.mem.fixed_lat, 30);
    check_level(&c.mem.l1d, 32768, 8, 4);
    check_level(&c.mem.l2, 262144, 4, 12);
    check_level(&c.mem.llc, 8388608, 16, 42);
    CHECK_EQ(c.perf, PERF_INTEL);
    check_common(&c);

    /* goldencove (1.2): load-only and store-only L1 DTLBs, the 96-entry
     * 6-way load DTLB with LRU (PLRU needs a power of two), an all-size
     * 16-entry store DTLB, two STLB halves {4K,2M} and {4K,1G} */
    preset(&c, "goldencove");
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    CHECK_EQ(c.mmu.ntlb, 8);
    check_tlb(&c.mmu, 0, "itlb", 1, FE, Z4K, 256, 8, MMU_REPL_PLRU, 1, 0);
    check_tlb(&c.mmu, 1, "itlb2m", 1, FE, Z2M, 32, 8, MMU_REPL_PLRU, 1, 1);
    check_tlb(&c.mmu, 2, "ldtlb", 1, LD, Z4K, 96, 6, MMU_REPL_LRU, 1, 0);
    check_tlb(&c.mmu, 3, "ldtlb2m", 1, LD, Z2M, 32, 4, MMU_REPL_PLRU, 1, 0);
    check_tlb(&c.mmu, 4, "ldtlb1g", 1, LD, Z1G, 8, 8, MMU_REPL_PLRU, 1, 0);
    check_tlb(&c.mmu, 5, "sdtlb", 1, ST, Z4K | Z2M | Z1G, 16, 16, MMU_REPL_PLRU, 1, 0);
    check_tlb(&c.mmu, 6, "stlb", 2, LD | ST | FE, Z4K | Z2M, 1024, 8, MMU_REPL_PLRU, 8, 0);
    check_tlb(&c.mmu, 7, "stlb1g", 2, LD | ST | FE, Z4K | Z1G, 1024, 8, MMU_REPL_PLRU, 8, 0);
    CHECK_EQ(c.mmu.npwc, 3);
    check_pwc(&c.mmu, 0, "pml4e", L4, 2, 2, MMU_REPL_LRU, 0xACE1);
    check_pwc(&c.mmu, 1, "pdpte", L3, 4, 4, MMU_REPL_LRU, 0xACE1);
    check_pwc(&c.mmu, 2, "pde", L2, 32, 4, MMU_REPL_LRU, 0xACE1);
    CHECK_EQ(mmu_cfg_l1_lat(&c.mmu), 1);
    CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 8);
    CHECK_EQ(mmu_cfg_pwc_lat(&c.mmu), 1);
    CHECK_EQ(c.mmu.walkers, 4);
    CHECK_EQ(c.mmu.outstanding, 16);
    CHECK_EQ(c.mmu.maxphyaddr, 46);
    CHECK_EQ(c.mem.model, MEM_CACHE);
    check_level(&c.mem.l1d, 49152, 12, 5);
    check_level(&c.mem.l2, 1310720, 10, 15);
    check_level(&c.mem.llc, 8388608, 16, 42);
    CHECK_EQ(c.perf, PERF_INTEL);
    check_common(&c);

    /* zen2 (1.3): one fully associative L1 array per side for every size;
     * L2 ITLB and L2 DTLB hold 4K and 2M and splinter 1 GiB pages into 2 MiB
     * pieces; a PDC for PML4Es and PDPTEs, a PDE cache beside it */
    preset(&c, "zen2");
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    CHECK_EQ(c.mmu.ntlb, 4);
    check_tlb(&c.mmu, 0, "l1i", 1, FE, Z4K | Z2M | Z1G, 64, 64, MMU_REPL_PLRU, 1, 0);
    check_tlb(&c.mmu, 1, "l1d", 1, LD | ST, Z4K | Z2M | Z1G, 64, 64, MMU_REPL_PLRU, 1, 0);
    check_tlb(&c.mmu, 2, "l2i", 2, FE, Z4K | Z2M, 512, 8, MMU_REPL_LRU, 7, 1);
    check_tlb(&c.mmu, 3, "l2d", 2, LD | ST, Z4K | Z2M, 2048, 8, MMU_REPL_LRU, 7, 1);
    CHECK_EQ(c.mmu.npwc, 2);
    check_pwc(&c.mmu, 0, "pdc", L4 | L3, 64, 64, MMU_REPL_LRU, 0xACE1);
    check_pwc(&c.mmu, 1, "pde", L2, 64, 64, MMU_REPL_LRU, 0xACE1);
    CHECK_EQ(mmu_cfg_l1_lat(&c.mmu), 1);
    CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 7);
    CHECK_EQ(mmu_cfg_pwc_lat(&c.mmu), 1);
    CHECK_EQ(c.mmu.walkers, 2);
    CHECK_EQ(c.mmu.outstanding, 16);
    CHECK_EQ(c.mmu.maxphyaddr, 48);
    CHECK_EQ(c.mem.model, MEM_CACHE);
    check_level(&c.mem.l1d, 32768, 8, 4);
    check_level(&c.mem.l2, 524288, 8, 12);
    check_level(&c.mem.llc, 16777216, 16, 39);
    CHECK_EQ(c.perf, PERF_AMD);
    check_common(&c);

    /* zen4 (1.4): a 72-entry fully associative L1 DTLB (LRU: 72 ways is no
     * power of two), L2 DTLB 3072 6-way (512 sets), a 64-entry 1G L2 array */
    preset(&c, "zen4");
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    CHECK_EQ(c.mmu.ntlb, 5);
    check_tlb(&c.mmu, 0, "l1i", 1, FE, Z4K | Z2M | Z1G, 64, 64, MMU_REPL_PLRU, 1, 0);
    check_tlb(&c.mmu, 1, "l1d", 1, LD | ST, Z4K | Z2M | Z1G, 72, 72, MMU_REPL_LRU, 1, 0);
    check_tlb(&c.mmu, 2, "l2i", 2, FE, Z4K | Z2M, 512, 4, MMU_REPL_LRU, 7, 1);
    check_tlb(&c.mmu, 3, "l2d", 2, LD | ST, Z4K | Z2M, 3072, 6, MMU_REPL_LRU, 7, 0);
    check_tlb(&c.mmu, 4, "l2d1g", 2, LD | ST, Z1G, 64, 64, MMU_REPL_LRU, 7, 0);
    CHECK_EQ(c.mmu.npwc, 2);
    check_pwc(&c.mmu, 0, "pdc", L4 | L3, 64, 64, MMU_REPL_LRU, 0xACE1);
    check_pwc(&c.mmu, 1, "pde", L2, 64, 64, MMU_REPL_LRU, 0xACE1);
    CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 7);
    CHECK_EQ(c.mmu.walkers, 6);
    CHECK_EQ(c.mmu.maxphyaddr, 48);
    check_level(&c.mem.l1d, 32768, 8, 4);
    check_level(&c.mem.l2, 1048576, 8, 14);
    check_level(&c.mem.llc, 33554432, 16, 50);
    CHECK_EQ(c.perf, PERF_AMD);
    check_common(&c);

    /* tiny: every rule of the organisation in a few entries (the
     * parameters of docs/timing.md section 6) */
    preset(&c, "tiny");
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    CHECK_EQ(c.mmu.ntlb, 7);
    check_tlb(&c.mmu, 0, "itlb", 1, FE, Z4K, 4, 2, MMU_REPL_LRU, 1, 0);
    check_tlb(&c.mmu, 1, "itlb2m", 1, FE, Z2M, 2, 2, MMU_REPL_PLRU, 1, 1);
    check_tlb(&c.mmu, 2, "dtlb", 1, LD | ST, Z4K, 8, 4, MMU_REPL_PLRU, 1, 0);
    check_tlb(&c.mmu, 3, "dtlbbig", 1, LD, Z2M | Z1G, 4, 2, MMU_REPL_RANDOM, 1, 0);
    check_tlb(&c.mmu, 4, "sdtlb", 1, ST, Z2M | Z1G, 3, 3, MMU_REPL_LRU, 1, 0);
    check_tlb(&c.mmu, 5, "stlb", 2, LD | ST | FE, Z4K | Z2M, 16, 4, MMU_REPL_LRU, 2, 1);
    check_tlb(&c.mmu, 6, "stlb1g", 2, LD | ST, Z4K | Z1G, 8, 2, MMU_REPL_PLRU, 2, 0);
    CHECK_EQ(c.mmu.npwc, 2);
    check_pwc(&c.mmu, 0, "pdc", L4 | L3, 4, 2, MMU_REPL_PLRU, 0xACE1);
    check_pwc(&c.mmu, 1, "pde", L2, 4, 2, MMU_REPL_RANDOM, 0x1D2B);
    CHECK_EQ(mmu_cfg_l1_lat(&c.mmu), 1);
    CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 2);
    CHECK_EQ(mmu_cfg_pwc_lat(&c.mmu), 1);
    CHECK_EQ(c.mmu.walkers, 2);
    CHECK_EQ(c.mmu.outstanding, 8);
    CHECK_EQ(c.mmu.maxphyaddr, 46);
    CHECK_EQ(c.mem.model, MEM_FIXED);
    CHECK_EQ(c.mem.fixed_lat, 10);
    check_level(&c.mem.l1d, 32768, 8, 4);
    CHECK_EQ(c.perf, PERF_INTEL);
    check_common(&c);

    /* a preset replaces everything set before it, the lists too */
    preset(&c, "tiny");
    EXPECT_OK(SET(&c, "seed", "99"));
    EXPECT_OK(SET(&c, "mem.model", "cache"));
    EXPECT_OK(SET(&c, "tlb.extra.entries", "8"));
    EXPECT_OK(SET(&c, "pwc.pml5.entries", "8"));
    preset(&c, "zen2");
    CHECK_EQ(c.seed, 1);
    CHECK_EQ(c.mmu.ntlb, 4);
    CHECK_EQ(c.mmu.npwc, 2);
    CHECK_EQ(mmu_cfg_tlb_find(&c.mmu, "extra"), -1);
    check_common(&c);
    preset(&c, "tiny");
    CHECK_EQ(c.mem.model, MEM_FIXED);

    sim_config_t before = c;
    EXPECT_ERR(cfg_preset(&c, "haswell", err, sizeof err),
               "preset: unknown preset 'haswell' (tiny, skylake, goldencove, zen2, zen4)");
    CHECK(memcmp(&before, &c, sizeof c) == 0);
    EXPECT_ERR(cfg_preset(&c, "Skylake", err, sizeof err), "unknown preset 'Skylake'");
    EXPECT_ERR(cfg_preset(&c, NULL, err, sizeof err), "preset: unknown preset ''");

    /* the look-ups by name */
    preset(&c, "skylake");
    CHECK_EQ(mmu_cfg_tlb_find(&c.mmu, "itlb"), 0);
    CHECK_EQ(mmu_cfg_tlb_find(&c.mmu, "stlb1g"), 6);
    CHECK_EQ(mmu_cfg_tlb_find(&c.mmu, "pde"), -1); /* a PWC, not a TLB array */
    CHECK_EQ(mmu_cfg_pwc_find(&c.mmu, "pde"), 2);
    CHECK_EQ(mmu_cfg_pwc_find(&c.mmu, "stlb"), -1);
    CHECK_EQ(mmu_cfg_tlb_find(&c.mmu, "stl"), -1); /* whole names only */
}

/* ------------------------------------------------------------ cfg_set */

static void test_set(void)
{
    sim_config_t c;
    preset(&c, "skylake");

    /* the fields of an existing TLB array */
    EXPECT_OK(SET(&c, "tlb.dtlb.entries", "16"));
    CHECK_EQ(c.mmu.tlb[2].a.entries, 16);
    EXPECT_OK(SET(&c, "tlb.dtlb.entries", "0x20"));
    CHECK_EQ(c.mmu.tlb[2].a.entries, 32);
    EXPECT_OK(SET(&c, "tlb.dtlb1g.ways", "2"));
    CHECK_EQ(c.mmu.tlb[4].a.ways, 2);
    EXPECT_OK(SET(&c, "tlb.stlb.repl", "PLRU"));
    CHECK_EQ(c.mmu.tlb[5].a.repl, MMU_REPL_PLRU);
    EXPECT_OK(SET(&c, "tlb.stlb.repl", "random"));
    CHECK_EQ(c.mmu.tlb[5].a.repl, MMU_REPL_RANDOM);
    EXPECT_OK(SET(&c, "tlb.stlb.repl", "lru"));
    CHECK_EQ(c.mmu.tlb[5].a.repl, MMU_REPL_LRU);
    EXPECT_OK(SET(&c, "tlb.itlb.lfsr_seed", "0xBEEF"));
    CHECK_EQ(c.mmu.tlb[0].a.lfsr_seed, 0xBEEF);
    EXPECT_OK(SET(&c, "tlb.dtlb1g.entries", "65536"));
    CHECK_EQ(c.mmu.tlb[4].a.entries, 65536);
    EXPECT_OK(SET(&c, "tlb.itlb2m.ways", " 128 "));
    CHECK_EQ(c.mmu.tlb[1].a.ways, 128);
    EXPECT_OK(SET(&c, "tlb.dtlb.level", "2"));
    CHECK_EQ(c.mmu.tlb[2].level, 2);
    EXPECT_OK(SET(&c, "tlb.dtlb.level", "1"));
    CHECK_EQ(c.mmu.tlb[2].level, 1);
    EXPECT_OK(SET(&c, "tlb.dtlb.serves", "store"));
    CHECK_EQ(c.mmu.tlb[2].serves, ST);
    EXPECT_OK(SET(&c, "tlb.dtlb.serves", "Fetch, load"));
    CHECK_EQ(c.mmu.tlb[2].serves, FE | LD);
    EXPECT_OK(SET(&c, "tlb.dtlb.serves", "store,load,fetch"));
    CHECK_EQ(c.mmu.tlb[2].serves, LD | ST | FE);
    EXPECT_OK(SET(&c, "tlb.stlb.sizes", "1g"));
    CHECK_EQ(c.mmu.tlb[5].sizes, Z1G);
    EXPECT_OK(SET(&c, "tlb.stlb.sizes", "4K, 2M"));
    CHECK_EQ(c.mmu.tlb[5].sizes, Z4K | Z2M);
    EXPECT_OK(SET(&c, "tlb.stlb.sizes", "1g,4k,2m"));
    CHECK_EQ(c.mmu.tlb[5].sizes, Z4K | Z2M | Z1G);
    EXPECT_OK(SET(&c, "tlb.stlb.lat", "1000"));
    CHECK_EQ(c.mmu.tlb[5].lat, 1000);
    EXPECT_OK(SET(&c, "tlb.stlb.lat", "1"));
    CHECK_EQ(c.mmu.tlb[5].lat, 1);
    EXPECT_OK(SET(&c, "tlb.stlb.splinter", "on"));
    CHECK_EQ(c.mmu.tlb[5].splinter, 1);
    EXPECT_OK(SET(&c, "tlb.stlb.splinter", "false"));
    CHECK_EQ(c.mmu.tlb[5].splinter, 0);
    EXPECT_OK(SET(&c, "tlb.stlb.splinter", "1"));
    CHECK_EQ(c.mmu.tlb[5].splinter, 1);
    CHECK_EQ(c.mmu.ntlb, 7); /* nothing added */

    /* the fields of an existing page-walk cache */
    EXPECT_OK(SET(&c, "pwc.pde.lfsr_seed", "0xBEEF"));
    CHECK_EQ(c.mmu.pwc[2].a.lfsr_seed, 0xBEEF);
    EXPECT_OK(SET(&c, "pwc.pml4e.lfsr_seed", "12345"));
    CHECK_EQ(c.mmu.pwc[0].a.lfsr_seed, 12345);
    EXPECT_OK(SET(&c, "pwc.pdpte.entries", "0"));
    CHECK_EQ(c.mmu.pwc[1].a.entries, 0);
    EXPECT_OK(SET(&c, "pwc.pde.levels", "pde, PML4E"));
    CHECK_EQ(c.mmu.pwc[2].levels, L4 | L2);
    EXPECT_OK(SET(&c, "pwc.pde.levels", "pdpte"));
    CHECK_EQ(c.mmu.pwc[2].levels, L3);
    EXPECT_OK(SET(&c, "pwc.pde.lat", "3"));
    CHECK_EQ(c.mmu.pwc[2].lat, 3);
    CHECK_EQ(c.mmu.npwc, 3);

    /* a field of a new name adds the array at the end of its list, with
     * the defaults of a new array (docs/config.md): level 1, serves load,
     * store and fetch, 4K pages, 16 entries 4-way LRU, seed 0xACE1, lat 1,
     * no splintering; a PWC: PDEs, 16 entries 4-way LRU, lat 1 */
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "tlb.l0.entries", "32"));
    CHECK_EQ(c.mmu.ntlb, 8);
    check_tlb(&c.mmu, 7, "l0", 1, LD | ST | FE, Z4K, 32, 4, MMU_REPL_LRU, 1, 0);
    EXPECT_OK(SET(&c, "tlb.big_2.level", "2"));
    CHECK_EQ(c.mmu.ntlb, 9);
    check_tlb(&c.mmu, 8, "big_2", 2, LD | ST | FE, Z4K, 16, 4, MMU_REPL_LRU, 1, 0);
    check_tlb(&c.mmu, 5, "stlb", 2, LD | ST | FE, Z4K | Z2M, 1536, 12, MMU_REPL_LRU, 9, 0); /* unchanged */
    EXPECT_OK(SET(&c, "pwc.pml5.levels", "pml4e"));
    CHECK_EQ(c.mmu.npwc, 4);
    check_pwc(&c.mmu, 3, "pml5", L4, 16, 4, MMU_REPL_LRU, 0xACE1);
    EXPECT_ERR(SET(&c, "pwc.x.entries", "2"), "pwc.x.entries: at most 4 page-walk caches"); /* the fifth */
    /* a 23-character name is the longest */
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "tlb.abcdefghijklmnopqrstuvw.ways", "2"));
    CHECK(strcmp(c.mmu.tlb[7].name, "abcdefghijklmnopqrstuvw") == 0);
    CHECK_EQ(c.mmu.tlb[7].a.ways, 2);

    /* tlb.NAME = off removes the array; the others keep their order */
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "tlb.itlb2m", "off"));
    CHECK_EQ(c.mmu.ntlb, 6);
    check_tlb(&c.mmu, 0, "itlb", 1, FE, Z4K, 128, 8, MMU_REPL_LRU, 1, 0);
    check_tlb(&c.mmu, 1, "dtlb", 1, LD | ST, Z4K, 64, 4, MMU_REPL_LRU, 1, 0);
    check_tlb(&c.mmu, 5, "stlb1g", 2, LD | ST | FE, Z1G, 16, 4, MMU_REPL_LRU, 9, 0);
    CHECK(c.mmu.tlb[6].name[0] == '\0' && c.mmu.tlb[6].a.entries == 0); /* the freed slot */
    EXPECT_OK(SET(&c, "tlb.stlb1g", "0"));
    EXPECT_OK(SET(&c, "tlb.itlb", " OFF "));
    EXPECT_OK(SET(&c, "tlb.dtlb", "false"));
    CHECK_EQ(c.mmu.ntlb, 3);
    CHECK(strcmp(c.mmu.tlb[0].name, "dtlb2m") == 0);
    CHECK(strcmp(c.mmu.tlb[2].name, "stlb") == 0);
    EXPECT_OK(SET(&c, "pwc.pml4e", "off"));
    CHECK_EQ(c.mmu.npwc, 2);
    check_pwc(&c.mmu, 0, "pdpte", L3, 4, 4, MMU_REPL_LRU, 0xACE1);
    /* removed, then added again: at the end, with the defaults */
    EXPECT_OK(SET(&c, "tlb.itlb.serves", "fetch"));
    CHECK_EQ(c.mmu.ntlb, 4);
    check_tlb(&c.mmu, 3, "itlb", 1, FE, Z4K, 16, 4, MMU_REPL_LRU, 1, 0);
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    /* every array removed: no TLB, no PWC; still a configuration */
    EXPECT_OK(SET(&c, "tlb.dtlb2m", "off"));
    EXPECT_OK(SET(&c, "tlb.dtlb1g", "off"));
    EXPECT_OK(SET(&c, "tlb.stlb", "off"));
    EXPECT_OK(SET(&c, "tlb.itlb", "off"));
    EXPECT_OK(SET(&c, "pwc.pdpte", "off"));
    EXPECT_OK(SET(&c, "pwc.pde", "off"));
    CHECK_EQ(c.mmu.ntlb, 0);
    CHECK_EQ(c.mmu.npwc, 0);
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    CHECK_EQ(mmu_cfg_l1_lat(&c.mmu), 1); /* no array: latency 1 ([T:organisation]) */
    CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 1);
    CHECK_EQ(mmu_cfg_pwc_lat(&c.mmu), 1);

    /* MMU scalars */
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "walkers", "16"));
    CHECK_EQ(c.mmu.walkers, 16);
    EXPECT_OK(SET(&c, "outstanding", "64"));
    CHECK_EQ(c.mmu.outstanding, 64);
    EXPECT_OK(SET(&c, "maxphyaddr", "52"));
    CHECK_EQ(c.mmu.maxphyaddr, 52);
    EXPECT_OK(SET(&c, "maxphyaddr", "32"));
    CHECK_EQ(c.mmu.maxphyaddr, 32);
    /* memory */
    EXPECT_OK(SET(&c, "mem.model", "fixed"));
    CHECK_EQ(c.mem.model, MEM_FIXED);
    EXPECT_OK(SET(&c, "mem.model", "CACHE"));
    CHECK_EQ(c.mem.model, MEM_CACHE);
    EXPECT_OK(SET(&c, "mem.latency", "100000"));
    CHECK_EQ(c.mem.fixed_lat, 100000);
    EXPECT_OK(SET(&c, "mem.l1d.size", "64KiB"));
    CHECK_EQ(c.mem.l1d.size, 65536);
    EXPECT_OK(SET(&c, "mem.l1d.size", "48K"));
    CHECK_EQ(c.mem.l1d.size, 49152);
    EXPECT_OK(SET(&c, "mem.l2.size", "1M"));
    CHECK_EQ(c.mem.l2.size, 1048576);
    EXPECT_OK(SET(&c, "mem.llc.size", "2GiB"));
    CHECK_EQ(c.mem.llc.size, 2147483648u);
    EXPECT_OK(SET(&c, "mem.llc.size", "0"));
    CHECK_EQ(c.mem.llc.size, 0);
    EXPECT_OK(SET(&c, "mem.l2.ways", "16"));
    CHECK_EQ(c.mem.l2.ways, 16);
    EXPECT_OK(SET(&c, "mem.l2.lat", "14"));
    CHECK_EQ(c.mem.l2.lat, 14);
    EXPECT_OK(SET(&c, "mem.dram.lat", "300"));
    CHECK_EQ(c.mem.dram_lat, 300);

    /* run */
    EXPECT_OK(SET(&c, "issue", "inorder"));
    CHECK_EQ(c.issue, ISSUE_INORDER);
    EXPECT_OK(SET(&c, "issue", "pipelined"));
    CHECK_EQ(c.issue, ISSUE_PIPELINED);
    EXPECT_OK(SET(&c, "backing", "mix"));
    CHECK_EQ(c.backing, BACK_MIX);
    EXPECT_OK(SET(&c, "backing", "1G"));
    CHECK_EQ(c.backing, BACK_1G);
    EXPECT_OK(SET(&c, "backing", "2m"));
    CHECK_EQ(c.backing, BACK_2M);
    EXPECT_OK(SET(&c, "backing.mix", "1, 2 ,3"));
    CHECK_EQ(c.mix_weight[0], 1);
    CHECK_EQ(c.mix_weight[1], 2);
    CHECK_EQ(c.mix_weight[2], 3);
    EXPECT_OK(SET(&c, "backing.mix", "0,0,5"));
    CHECK_EQ(c.mix_weight[0], 0);
    CHECK_EQ(c.mix_weight[2], 5);
    EXPECT_OK(SET(&c, "demand.ad", "linux"));
    CHECK_EQ(c.demand_ad, DEMAND_AD_LINUX);
    EXPECT_OK(SET(&c, "demand.ad", " DIRTY "));
    CHECK_EQ(c.demand_ad, DEMAND_AD_DIRTY);
    EXPECT_OK(SET(&c, "demand.ad", "Clear"));
    CHECK_EQ(c.demand_ad, DEMAND_AD_CLEAR);
    EXPECT_OK(SET(&c, "processes", "4096"));
    CHECK_EQ(c.processes, 4096);
    EXPECT_OK(SET(&c, "switch_every", "1"));
    CHECK_EQ(c.switch_every, 1);
    EXPECT_OK(SET(&c, "switch_every", "10000000000"));
    CHECK_EQ(c.switch_every, 10000000000ull);
    EXPECT_OK(SET(&c, "seed", "0xFFFFFFFFFFFFFFFF"));
    CHECK_EQ(c.seed, UINT64_MAX);
    EXPECT_OK(SET(&c, "seed", "0"));
    CHECK_EQ(c.seed, 0);

    /* booleans; pcid drives CR4.PCIDE in mode */
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "pcid", "on"));
    CHECK_EQ(c.pcid, 1);
    CHECK_EQ(c.mode, MMU_MODE_WP | MMU_MODE_NXE | MMU_MODE_PGE | MMU_MODE_PCIDE);
    EXPECT_OK(SET(&c, "pcid", "false"));
    CHECK_EQ(c.pcid, 0);
    CHECK_EQ(c.mode, MMU_MODE_WP | MMU_MODE_NXE | MMU_MODE_PGE);
    EXPECT_OK(SET(&c, "pcid", "1"));
    CHECK_EQ(c.pcid, 1);
    EXPECT_OK(SET(&c, "pcid", "OFF"));
    CHECK_EQ(c.pcid, 0);
    EXPECT_OK(SET(&c, "mode.smep", "true"));
    EXPECT_OK(SET(&c, "mode.smap", "on"));
    EXPECT_OK(SET(&c, "mode.ac", "1"));
    EXPECT_OK(SET(&c, "mode.wp", "0"));
    EXPECT_OK(SET(&c, "mode.nxe", "off"));
    EXPECT_OK(SET(&c, "mode.pge", "False"));
    CHECK_EQ(c.mode, MMU_MODE_SMEP | MMU_MODE_SMAP | MMU_MODE_AC);
    EXPECT_OK(SET(&c, "mode.wp", "TRUE"));
    CHECK_EQ(c.mode, MMU_MODE_SMEP | MMU_MODE_SMAP | MMU_MODE_AC | MMU_MODE_WP);
}

/* Every field of a TLB array and of a PWC: its range, and a message that
 * names the key. */
static void test_set_errors(void)
{
    sim_config_t c;
    preset(&c, "skylake");
    sim_config_t before = c;

    /* tlb.NAME.level: 1..2 */
    EXPECT_ERR(SET(&c, "tlb.dtlb.level", "3"), "tlb.dtlb.level: must be in 1..2 (got 3)");
    CHECK(strcmp(err, "tlb.dtlb.level: must be in 1..2 (got 3)") == 0);
    EXPECT_ERR(SET(&c, "tlb.x.level", "3"), "tlb.x.level: must be in 1..2 (got 3)"); /* nothing added */
    EXPECT_ERR(SET(&c, "tlb.dtlb.level", "0"), "tlb.dtlb.level: must be in 1..2 (got 0)");
    EXPECT_ERR(SET(&c, "tlb.dtlb.level", "L1"), "tlb.dtlb.level: 'L1' is not a number");
    /* tlb.NAME.serves: a non-empty list of load, store, fetch */
    EXPECT_ERR(SET(&c, "tlb.dtlb.serves", ""),
               "tlb.dtlb.serves: must name at least one access kind (load, store, fetch)");
    EXPECT_ERR(SET(&c, "tlb.dtlb.serves", "load,read"),
               "tlb.dtlb.serves: unknown access kind 'read' (load, store, fetch)");
    EXPECT_ERR(SET(&c, "tlb.dtlb.serves", "load,LOAD"), "tlb.dtlb.serves: access kind 'LOAD' listed twice");
    EXPECT_ERR(SET(&c, "tlb.dtlb.serves", "load,,store"), "tlb.dtlb.serves: unknown access kind ''");
    /* tlb.NAME.sizes: a non-empty list of 4k, 2m, 1g */
    EXPECT_ERR(SET(&c, "tlb.stlb.sizes", ""), "tlb.stlb.sizes: must name at least one page size (4k, 2m, 1g)");
    EXPECT_ERR(SET(&c, "tlb.stlb.sizes", "4k,8k"), "tlb.stlb.sizes: unknown page size '8k' (4k, 2m, 1g)");
    EXPECT_ERR(SET(&c, "tlb.stlb.sizes", "4k,4K"), "tlb.stlb.sizes: page size '4K' listed twice");
    EXPECT_ERR(SET(&c, "tlb.stlb.sizes", "4k,2m,1g,4k"), "tlb.stlb.sizes: page size '4k' listed twice");
    EXPECT_ERR(SET(&c, "tlb.stlb.sizes", "4k,2m,1g,4k,2m,1g,4k,2m,1g"), "tlb.stlb.sizes: '4k,2m,1g,4k");
    /* tlb.NAME.entries: 0..65536 */
    EXPECT_ERR(SET(&c, "tlb.dtlb.entries", "65537"), "tlb.dtlb.entries: must be <= 65536 (got 65537)");
    EXPECT_ERR(SET(&c, "tlb.dtlb.entries", "abc"), "tlb.dtlb.entries: 'abc' is not a number");
    EXPECT_ERR(SET(&c, "tlb.dtlb.entries", "-1"), "tlb.dtlb.entries: '-1' is not a number");
    EXPECT_ERR(SET(&c, "tlb.dtlb.entries", ""), "tlb.dtlb.entries: '' is not a number");
    EXPECT_ERR(SET(&c, "tlb.dtlb.entries", "4K"), "tlb.dtlb.entries: '4K' is not a number");
    /* tlb.NAME.ways: 0..128 */
    EXPECT_ERR(SET(&c, "tlb.dtlb.ways", "129"), "tlb.dtlb.ways: must be <= 128 (got 129)");
    /* tlb.NAME.repl: lru, plru, random */
    EXPECT_ERR(SET(&c, "tlb.stlb.repl", "fifo"), "tlb.stlb.repl: unknown policy 'fifo' (lru, plru, random)");
    CHECK(strcmp(err, "tlb.stlb.repl: unknown policy 'fifo' (lru, plru, random)") == 0);
    /* tlb.NAME.lfsr_seed: 0..65535 */
    EXPECT_ERR(SET(&c, "tlb.itlb.lfsr_seed", "65536"), "tlb.itlb.lfsr_seed: must be <= 65535 (got 65536)");
    /* tlb.NAME.lat: 1..1000 */
    EXPECT_ERR(SET(&c, "tlb.itlb.lat", "0"), "tlb.itlb.lat: must be in 1..1000 (got 0)");
    EXPECT_ERR(SET(&c, "tlb.stlb.lat", "1001"), "tlb.stlb.lat: must be in 1..1000 (got 1001)");
    EXPECT_ERR(SET(&c, "tlb.stlb.lat", "99999999999999999999"), "tlb.stlb.lat: '99999999999999999999' is not a number");
    /* tlb.NAME.splinter: a boolean */
    EXPECT_ERR(SET(&c, "tlb.stlb.splinter", "maybe"),
               "tlb.stlb.splinter: 'maybe' is not a boolean (on, off, 1, 0, true, false)");
    EXPECT_ERR(SET(&c, "tlb.stlb.splinter", "2"), "tlb.stlb.splinter: '2' is not a boolean");
    /* pwc.NAME.levels: a non-empty list of pml4e, pdpte, pde */
    EXPECT_ERR(SET(&c, "pwc.pde.levels", ""),
               "pwc.pde.levels: must name at least one paging-structure level (pml4e, pdpte, pde)");
    EXPECT_ERR(SET(&c, "pwc.pde.levels", "pte"),
               "pwc.pde.levels: unknown paging-structure level 'pte' (pml4e, pdpte, pde)");
    EXPECT_ERR(SET(&c, "pwc.pde.levels", "pde,pde"), "pwc.pde.levels: paging-structure level 'pde' listed twice");
    /* pwc.NAME.entries, ways, repl, lfsr_seed, lat: as a TLB array's */
    EXPECT_ERR(SET(&c, "pwc.pde.entries", "65537"), "pwc.pde.entries: must be <= 65536 (got 65537)");
    EXPECT_ERR(SET(&c, "pwc.pde.ways", "129"), "pwc.pde.ways: must be <= 128 (got 129)");
    EXPECT_ERR(SET(&c, "pwc.pde.repl", "mru"), "pwc.pde.repl: unknown policy 'mru' (lru, plru, random)");
    EXPECT_ERR(SET(&c, "pwc.pde.lfsr_seed", "0x10000"), "pwc.pde.lfsr_seed: must be <= 65535 (got 65536)");
    EXPECT_ERR(SET(&c, "pwc.pde.lat", "0"), "pwc.pde.lat: must be in 1..1000 (got 0)");
    EXPECT_ERR(SET(&c, "pwc.pde.lat", "1001"), "pwc.pde.lat: must be in 1..1000 (got 1001)");

    /* unknown fields: the message lists the fields of that kind of array */
    EXPECT_ERR(SET(&c, "tlb.dtlb.size", "4k"), "unknown key 'tlb.dtlb.size' (the fields of a TLB array are level, "
                                               "serves, sizes, entries, ways, repl, lfsr_seed, lat, splinter)");
    EXPECT_ERR(SET(&c, "pwc.pde.level", "pde"), "unknown key 'pwc.pde.level' (the fields of a page-walk cache are "
                                                "levels, entries, ways, repl, lfsr_seed, lat)");
    EXPECT_ERR(SET(&c, "pwc.pde.splinter", "on"), "unknown key 'pwc.pde.splinter'"); /* a TLB array's field */
    EXPECT_ERR(SET(&c, "tlb.dtlb.levels", "pde"), "unknown key 'tlb.dtlb.levels'");    /* a PWC's field */
    EXPECT_ERR(SET(&c, "tlb.dtlb.entries.x", "4"), "unknown key 'tlb.dtlb.entries.x'");
    EXPECT_ERR(SET(&c, "tlb.new.sizez", "4k"), "unknown key 'tlb.new.sizez'"); /* and nothing added */
    EXPECT_ERR(SET(&c, "tlb", "4"), "unknown key 'tlb'");
    EXPECT_ERR(SET(&c, "pwc", "off"), "unknown key 'pwc'");

    /* name rules: 1..23 characters of a-z, 0-9 and _ */
    EXPECT_ERR(SET(&c, "tlb.DTLB.entries", "4"),
               "tlb.DTLB.entries: an array name is 1..23 characters of a-z, 0-9 and _ (got 'DTLB')");
    EXPECT_ERR(SET(&c, "tlb.d-tlb.entries", "4"), "tlb.d-tlb.entries: an array name is 1..23 characters");
    EXPECT_ERR(SET(&c, "tlb..entries", "4"), "tlb..entries: an array name is 1..23 characters of a-z, 0-9 and _ (got '')");
    EXPECT_ERR(SET(&c, "tlb.", "off"), "tlb.: an array name is 1..23 characters");
    EXPECT_ERR(SET(&c, "pwc.p d.levels", "pde"), "pwc.p d.levels: an array name is 1..23 characters");
    EXPECT_ERR(SET(&c, "tlb.abcdefghijklmnopqrstuvwx.ways", "2"), /* 24 characters */
               "tlb.abcdefghijklmnopqrstuvwx.ways: an array name is 1..23 characters of a-z, 0-9 and _ (got "
               "'abcdefghijklmnopqrstuvwx')");
    /* a name is unique across both lists */
    EXPECT_ERR(SET(&c, "pwc.dtlb.levels", "pde"),
               "pwc.dtlb.levels: 'dtlb' already names a TLB array (tlb.); every array needs its own name");
    EXPECT_ERR(SET(&c, "tlb.pde.level", "2"),
               "tlb.pde.level: 'pde' already names a page-walk cache (pwc.); every array needs its own name");

    /* tlb.NAME = off: only 'off' (or 0, false); only an array that exists */
    EXPECT_ERR(SET(&c, "tlb.dtlb", "on"), "tlb.dtlb: only 'off' (remove the array) is a value here; its fields are "
                                          "tlb.dtlb.FIELD (level, serves, sizes, entries, ways, repl, lfsr_seed, "
                                          "lat, splinter)");
    EXPECT_ERR(SET(&c, "tlb.dtlb", "64"), "tlb.dtlb: only 'off' (remove the array) is a value here");
    EXPECT_ERR(SET(&c, "pwc.pde", "1"), "pwc.pde: only 'off' (remove the array) is a value here; its fields are "
                                        "pwc.pde.FIELD (levels, entries, ways, repl, lfsr_seed, lat)");
    EXPECT_ERR(SET(&c, "tlb.x", "off"), "tlb.x: no such array to remove");
    CHECK(strcmp(err, "tlb.x: no such array to remove") == 0);
    EXPECT_ERR(SET(&c, "pwc.x", "off"), "pwc.x: no such array to remove");
    EXPECT_ERR(SET(&c, "tlb.pde", "off"), "tlb.pde: no such array to remove"); /* pde is a PWC */
    EXPECT_ERR(SET(&c, "pwc.stlb", "off"), "pwc.stlb: no such array to remove");

    /* the keys of the fixed template of before: an error that points to tlb.NAME.* */
    static const char *const old[] = {"dtlb.4k.entries", "dtlb.8k.entries", "itlb.1g.ways", "itlb.2m.repl",
                                      "stlb.entries",    "stlb.sizes",      "stlb.repl",    "stlb",
                                      "lat.l1",          "lat.stlb",        "lat.pwc"};
    for (size_t i = 0; i < sizeof old / sizeof old[0]; i++) {
        char want[256];
        snprintf(want, sizeof want,
                 "unknown key '%s' (TLB arrays and page-walk caches are tlb.NAME.* and pwc.NAME.*, with their own "
                 "lat: docs/config.md; --dump-config lists them)",
                 old[i]);
        EXPECT_ERR(SET(&c, old[i], "4"), want);
    }

    /* other keys */
    EXPECT_ERR(SET(&c, "DTLB.4k.entries", "4"), "unknown key 'DTLB.4k.entries'");
    EXPECT_ERR(SET(&c, "", "4"), "unknown key ''");
    CHECK(strcmp(err, "unknown key ''") == 0);
    EXPECT_ERR(SET(&c, "preset", "tiny"), "unknown key 'preset'");
    EXPECT_ERR(SET(&c, "walkers", NULL), "walkers: missing value");
    EXPECT_ERR(SET(&c, "tlb.dtlb.lat", NULL), "tlb.dtlb.lat: missing value");
    EXPECT_ERR(SET(&c, "walkers", "0"), "walkers: must be in 1..16 (got 0)");
    EXPECT_ERR(SET(&c, "walkers", "17"), "walkers: must be in 1..16 (got 17)");
    EXPECT_ERR(SET(&c, "outstanding", "65"), "outstanding: must be in 1..64 (got 65)");
    EXPECT_ERR(SET(&c, "maxphyaddr", "31"), "maxphyaddr: must be in 32..52 (got 31)");
    EXPECT_ERR(SET(&c, "maxphyaddr", "53"), "maxphyaddr: must be in 32..52 (got 53)");
    EXPECT_ERR(SET(&c, "mem.model", "dram"), "mem.model: unknown model 'dram' (fixed, cache)");
    EXPECT_ERR(SET(&c, "mem.latency", "0"), "mem.latency: must be in 1..100000 (got 0)");
    EXPECT_ERR(SET(&c, "mem.latency", "100001"), "mem.latency: must be in 1..100000 (got 100001)");
    EXPECT_ERR(SET(&c, "mem.l1d.size", "4G"), "mem.l1d.size: must be <= 4294967295 (got 4294967296)");
    EXPECT_ERR(SET(&c, "mem.l2.size", "32X"), "mem.l2.size: '32X' is not a size");
    EXPECT_ERR(SET(&c, "mem.llc.size", "1.5M"), "mem.llc.size: '1.5M' is not a size");
    EXPECT_ERR(SET(&c, "mem.l2.ways", "65"), "mem.l2.ways: must be <= 64 (got 65)");
    EXPECT_ERR(SET(&c, "mem.llc.lat", "0"), "mem.llc.lat: must be in 1..100000 (got 0)");
    EXPECT_ERR(SET(&c, "mem.dram.lat", "0"), "mem.dram.lat: must be in 1..100000 (got 0)");
    EXPECT_ERR(SET(&c, "issue", "ooo"), "issue: unknown issue mode 'ooo' (pipelined, inorder)");
    EXPECT_ERR(SET(&c, "backing", "4m"), "backing: unknown backing '4m' (4k, 2m, 1g, mix)");
    EXPECT_ERR(SET(&c, "demand.ad", "young"), "demand.ad: unknown A/D state 'young' (clear, linux, dirty)");
    EXPECT_ERR(SET(&c, "demand.ad", ""), "demand.ad: unknown A/D state '' (clear, linux, dirty)");
    EXPECT_ERR(SET(&c, "demand.ad", "1"), "demand.ad: unknown A/D state '1' (clear, linux, dirty)");
    EXPECT_ERR(SET(&c, "backing.mix", "60,30"), "backing.mix: expected three weights");
    EXPECT_ERR(SET(&c, "backing.mix", "1,2,3,4"), "backing.mix: expected three weights");
    EXPECT_ERR(SET(&c, "backing.mix", "0,0,0"), "backing.mix: weights must not all be zero");
    EXPECT_ERR(SET(&c, "backing.mix", "a,1,2"), "backing.mix: weight 'a' is not a number");
    EXPECT_ERR(SET(&c, "backing.mix", "1,4294967296,2"), "backing.mix: weight '4294967296'");
    EXPECT_ERR(SET(&c, "processes", "0"), "processes: must be in 1..4096 (got 0)");
    EXPECT_ERR(SET(&c, "processes", "4097"), "processes: must be in 1..4096 (got 4097)");
    EXPECT_ERR(SET(&c, "switch_every", "0"), "switch_every: must be >= 1 (got 0)");
    EXPECT_ERR(SET(&c, "pcid", "maybe"), "pcid: 'maybe' is not a boolean (on, off, 1, 0, true, false)");
    EXPECT_ERR(SET(&c, "mode.nxe", "yes"), "mode.nxe: 'yes' is not a boolean");
    EXPECT_ERR(SET(&c, "mode.wp", "2"), "mode.wp: '2' is not a boolean");
    EXPECT_ERR(SET(&c, "seed", "0x1FFFFFFFFFFFFFFFF"), "seed: '0x1FFFFFFFFFFFFFFFF' is not a number");
    char longv[400];
    memset(longv, '1', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    EXPECT_ERR(SET(&c, "seed", longv), "seed: value longer than");

    /* a rejected value changes nothing */
    CHECK(memcmp(&before, &c, sizeof c) == 0);
}

/* At most 12 TLB arrays and 4 page-walk caches. */
static void test_limits(void)
{
    sim_config_t c;
    preset(&c, "skylake"); /* 7 TLB arrays, 3 PWCs */
    static const char *const add[] = {"tlb.t8.lat", "tlb.t9.lat", "tlb.t10.lat", "tlb.t11.lat", "tlb.t12.lat"};
    for (int i = 0; i < 5; i++)
        EXPECT_OK(SET(&c, add[i], "1"));
    CHECK_EQ(c.mmu.ntlb, MMU_TLB_MAX);
    CHECK_EQ(MMU_TLB_MAX, 12);
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    sim_config_t full = c;
    EXPECT_ERR(SET(&c, "tlb.t13.level", "1"), "tlb.t13.level: at most 12 TLB arrays");
    CHECK(memcmp(&full, &c, sizeof c) == 0);
    EXPECT_OK(SET(&c, "tlb.t12.ways", "2")); /* the fields of an existing one still change */
    EXPECT_OK(SET(&c, "tlb.t12", "off"));    /* remove one, and there is room again */
    EXPECT_OK(SET(&c, "tlb.t13.level", "1"));
    CHECK_EQ(c.mmu.ntlb, 12);
    CHECK(strcmp(c.mmu.tlb[11].name, "t13") == 0);

    EXPECT_OK(SET(&c, "pwc.p4.levels", "pde"));
    CHECK_EQ(c.mmu.npwc, MMU_PWC_MAX);
    CHECK_EQ(MMU_PWC_MAX, 4);
    EXPECT_ERR(SET(&c, "pwc.p5.levels", "pde"), "pwc.p5.levels: at most 4 page-walk caches");
    CHECK_EQ(c.mmu.npwc, 4);
    EXPECT_OK(cfg_check(&c, err, sizeof err));

    /* in a struct filled by code */
    c.mmu.ntlb = 13;
    EXPECT_ERR(mmu_config_check(&c.mmu, err, sizeof err), "tlb: at most 12 TLB arrays (got 13)");
    c.mmu.ntlb = 12;
    c.mmu.npwc = 5;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "pwc: at most 4 page-walk caches (got 5)");
}

/* ------------------------------------------------------------ cfg_check */

static void test_check(void)
{
    sim_config_t c;

    /* the array rules, each message naming the key */
    preset(&c, "skylake");
    c.mmu.tlb[2].a.ways = 0; /* dtlb */
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.dtlb.ways: must be >= 1 (got 0)");
    CHECK(strcmp(err, "tlb.dtlb.ways: must be >= 1 (got 0)") == 0);
    EXPECT_ERR(mmu_config_check(&c.mmu, err, sizeof err), "tlb.dtlb.ways: must be >= 1 (got 0)");

    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "tlb.dtlb.ways", "3")); /* 64 % 3 != 0 */
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.dtlb.entries: must be a multiple of tlb.dtlb.ways = 3 (got 64)");

    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "tlb.dtlb.entries", "48")); /* 4-way: 12 sets */
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.dtlb.entries: 48 entries / 4 ways = 12 sets, not a power of two");
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "pwc.pde.entries", "24"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "pwc.pde.entries: 24 entries / 4 ways = 6 sets, not a power of two");

    /* PLRU: a power-of-two number of ways, at most 64 */
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "tlb.itlb2m.entries", "6"));
    EXPECT_OK(SET(&c, "tlb.itlb2m.ways", "3"));
    EXPECT_OK(SET(&c, "tlb.itlb2m.repl", "plru")); /* 2 sets of 3 ways */
    EXPECT_ERR(cfg_check(&c, err, sizeof err),
               "tlb.itlb2m.repl: plru needs a power-of-two number of ways, at most 64 (tlb.itlb2m.ways = 3)");
    EXPECT_OK(SET(&c, "tlb.itlb2m.repl", "lru")); /* LRU is fine with 3 ways */
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    preset(&c, "goldencove"); /* its 96-entry 6-way load DTLB is LRU for this rule */
    EXPECT_OK(SET(&c, "tlb.ldtlb.repl", "plru"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err),
               "tlb.ldtlb.repl: plru needs a power-of-two number of ways, at most 64 (tlb.ldtlb.ways = 6)");
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "tlb.dtlb.entries", "128"));
    EXPECT_OK(SET(&c, "tlb.dtlb.ways", "128"));
    EXPECT_OK(cfg_check(&c, err, sizeof err)); /* 128 ways, LRU */
    EXPECT_OK(SET(&c, "tlb.dtlb.repl", "plru"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err),
               "tlb.dtlb.repl: plru needs a power-of-two number of ways, at most 64 (tlb.dtlb.ways = 128)");
    EXPECT_OK(SET(&c, "tlb.dtlb.entries", "64"));
    EXPECT_OK(SET(&c, "tlb.dtlb.ways", "64"));
    EXPECT_OK(cfg_check(&c, err, sizeof err)); /* 64-way PLRU */
    /* 72 entries fully associative (zen4's L1 DTLB): accepted with LRU and
     * random, not with PLRU */
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "tlb.dtlb.entries", "72"));
    EXPECT_OK(SET(&c, "tlb.dtlb.ways", "72"));
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    EXPECT_OK(SET(&c, "tlb.dtlb.repl", "random"));
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    EXPECT_OK(SET(&c, "tlb.dtlb.repl", "plru"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.dtlb.repl: plru needs a power-of-two number of ways");
    preset(&c, "zen4");
    EXPECT_OK(cfg_check(&c, err, sizeof err));

    /* random: a non-zero seed */
    preset(&c, "tiny");
    EXPECT_OK(SET(&c, "tlb.dtlbbig.lfsr_seed", "0"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.dtlbbig.lfsr_seed: must be non-zero with repl = random (got 0)");
    preset(&c, "tiny");
    EXPECT_OK(SET(&c, "pwc.pde.lfsr_seed", "0"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "pwc.pde.lfsr_seed: must be non-zero with repl = random (got 0)");
    EXPECT_OK(SET(&c, "pwc.pde.repl", "lru")); /* the seed is unused by LRU */
    EXPECT_OK(cfg_check(&c, err, sizeof err));

    /* 1536 entries, 12 ways, LRU: 128 sets; accepted. PLRU is not. */
    preset(&c, "tiny");
    EXPECT_OK(SET(&c, "tlb.stlb.entries", "1536"));
    EXPECT_OK(SET(&c, "tlb.stlb.ways", "12"));
    EXPECT_OK(SET(&c, "tlb.stlb.repl", "lru"));
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    EXPECT_OK(SET(&c, "tlb.stlb.repl", "plru"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err),
               "tlb.stlb.repl: plru needs a power-of-two number of ways, at most 64 (tlb.stlb.ways = 12)");
    EXPECT_OK(SET(&c, "tlb.stlb.repl", "random"));
    EXPECT_OK(cfg_check(&c, err, sizeof err));

    /* an absent array (0 entries): ways, repl and seed unused */
    preset(&c, "skylake");
    c.mmu.pwc[2].a.entries = 0;
    c.mmu.pwc[2].a.ways = 0;
    c.mmu.pwc[2].a.repl = MMU_REPL_RANDOM;
    c.mmu.pwc[2].a.lfsr_seed = 0;
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    c.mmu.pwc[2].a.repl = (mmu_repl_t)3;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "pwc.pde.repl: unknown policy 3");

    /* direct-mapped and one-set arrays are fine */
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "tlb.dtlb.ways", "64"));
    EXPECT_OK(SET(&c, "tlb.dtlb.repl", "plru"));
    EXPECT_OK(SET(&c, "tlb.itlb.ways", "1"));
    EXPECT_OK(cfg_check(&c, err, sizeof err));

    /* the arrays of one level share one latency, and the PWCs do
     * ([T:organisation]); the message names both arrays */
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "tlb.dtlb.lat", "2"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err),
               "tlb.dtlb.lat: 2, but tlb.itlb.lat = 1: the arrays of level 1 are looked up together and need one "
               "latency");
    CHECK(strcmp(err, "tlb.dtlb.lat: 2, but tlb.itlb.lat = 1: the arrays of level 1 are looked up together and "
                      "need one latency") == 0);
    static const char *const l1[] = {"tlb.itlb.lat", "tlb.itlb2m.lat", "tlb.dtlb2m.lat", "tlb.dtlb1g.lat"};
    for (int i = 0; i < 4; i++)
        EXPECT_OK(SET(&c, l1[i], "2"));
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    CHECK_EQ(mmu_cfg_l1_lat(&c.mmu), 2);
    CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 9);
    EXPECT_OK(SET(&c, "tlb.stlb1g.lat", "4"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err),
               "tlb.stlb1g.lat: 4, but tlb.stlb.lat = 9: the arrays of level 2 are looked up together and need one "
               "latency");
    EXPECT_OK(SET(&c, "tlb.stlb.lat", "4"));
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 4);
    /* a level-1 array with the level-2 latency, made level 2: fine */
    EXPECT_OK(SET(&c, "tlb.new.lat", "4"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.new.lat: 4, but tlb.itlb.lat = 2: the arrays of level 1");
    EXPECT_OK(SET(&c, "tlb.new.level", "2"));
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    EXPECT_OK(SET(&c, "pwc.pde.lat", "3"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err),
               "pwc.pde.lat: 3, but pwc.pml4e.lat = 1: the page-walk caches are looked up together and need one "
               "latency");
    EXPECT_OK(SET(&c, "pwc.pml4e.lat", "3"));
    EXPECT_OK(SET(&c, "pwc.pdpte.lat", "3"));
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    CHECK_EQ(mmu_cfg_pwc_lat(&c.mmu), 3);

    /* an array with 0 entries is absent, and a level without arrays has
     * latency 1 ([T:organisation]) */
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "tlb.stlb.entries", "0"));
    CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 9); /* stlb1g is still there */
    EXPECT_OK(SET(&c, "tlb.stlb1g.entries", "0"));
    CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 1);
    CHECK_EQ(mmu_cfg_l1_lat(&c.mmu), 1);
    EXPECT_OK(SET(&c, "tlb.stlb1g.entries", "16"));
    CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 9);
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "pwc.pml4e.lat", "5"));
    EXPECT_OK(SET(&c, "pwc.pdpte.lat", "5"));
    EXPECT_OK(SET(&c, "pwc.pde.lat", "5"));
    EXPECT_OK(SET(&c, "pwc.pml4e.entries", "0"));
    CHECK_EQ(mmu_cfg_pwc_lat(&c.mmu), 5);
    EXPECT_OK(SET(&c, "nocache", "on"));
    CHECK_EQ(mmu_cfg_l1_lat(&c.mmu), 1);
    CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 1);
    CHECK_EQ(mmu_cfg_pwc_lat(&c.mmu), 1);

    /* the set-time ranges and the other fields, for structs filled by code */
    preset(&c, "skylake");
    c.mmu.tlb[5].a.ways = 256;
    c.mmu.tlb[5].a.entries = 1024;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.stlb.ways: must be <= 128 (got 256)");
    preset(&c, "skylake");
    c.mmu.tlb[5].a.entries = 131072;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.stlb.entries: must be <= 65536 (got 131072)");
    preset(&c, "skylake");
    c.mmu.tlb[2].level = 3;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.dtlb.level: must be in 1..2 (got 3)");
    c.mmu.tlb[2].level = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.dtlb.level: must be in 1..2 (got 0)");
    preset(&c, "skylake");
    c.mmu.tlb[2].serves = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.dtlb.serves: must name at least one access kind (load, store, fetch)");
    c.mmu.tlb[2].serves = 8;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.dtlb.serves: must name at least one access kind");
    preset(&c, "skylake");
    c.mmu.tlb[5].sizes = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.stlb.sizes: must name at least one page size (4k, 2m, 1g)");
    c.mmu.tlb[5].sizes = 9;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.stlb.sizes: must name at least one page size");
    preset(&c, "skylake");
    c.mmu.tlb[5].lat = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.stlb.lat: must be in 1..1000 (got 0)");
    preset(&c, "skylake");
    c.mmu.tlb[5].splinter = 2;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.stlb.splinter: must be 0 or 1 (got 2)");
    preset(&c, "skylake");
    c.mmu.pwc[1].levels = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "pwc.pdpte.levels: must name at least one level (pml4e, pdpte, pde)");
    c.mmu.pwc[1].levels = 8;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "pwc.pdpte.levels: must name at least one level");
    preset(&c, "skylake");
    c.mmu.pwc[1].lat = 1001;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "pwc.pdpte.lat: must be in 1..1000 (got 1001)");
    /* names, in structs filled by code */
    preset(&c, "skylake");
    snprintf(c.mmu.tlb[3].name, sizeof c.mmu.tlb[3].name, "dtlb");
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.dtlb: the name is used twice; every array needs its own name");
    preset(&c, "skylake");
    snprintf(c.mmu.tlb[3].name, sizeof c.mmu.tlb[3].name, "pde");
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.pde: the name is used twice");
    preset(&c, "skylake");
    snprintf(c.mmu.pwc[2].name, sizeof c.mmu.pwc[2].name, "pml4e");
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "pwc.pml4e: the name is used twice");
    preset(&c, "skylake");
    c.mmu.tlb[0].name[0] = '\0';
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.: an array name is 1..23 characters of a-z, 0-9 and _");
    preset(&c, "skylake");
    c.mmu.pwc[0].name[0] = 'P';
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "pwc.Pml4e: an array name is 1..23 characters");
    preset(&c, "skylake");
    memset(c.mmu.tlb[0].name, 'a', sizeof c.mmu.tlb[0].name); /* not terminated */
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "tlb.aaaaaaaaaaaaaaaaaaaaaaaa: an array name is 1..23 characters");

    preset(&c, "skylake");
    c.mmu.walkers = 17;
    EXPECT_ERR(mmu_config_check(&c.mmu, err, sizeof err), "walkers: must be in 1..16 (got 17)");
    preset(&c, "skylake");
    c.mmu.outstanding = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "outstanding: must be in 1..64 (got 0)");
    preset(&c, "skylake");
    c.mmu.maxphyaddr = 53;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "maxphyaddr: must be in 32..52 (got 53)");
    /* memory */
    preset(&c, "skylake");
    c.mem.fixed_lat = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "mem.latency: must be in 1..100000 (got 0)");
    preset(&c, "skylake");
    c.mem.model = (mem_model_t)2;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "mem.model: unknown model 2");
    preset(&c, "skylake");
    c.mem.l2.size = 1000;
    EXPECT_ERR(cfg_check(&c, err, sizeof err),
               "mem.l2.size: must be a multiple of 64 * mem.l2.ways = 256 bytes (got 1000)");
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "mem.l2.size", "768")); /* 4 ways: 3 sets */
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "mem.l2.size: 768 bytes / (64 * 4 ways) = 3 sets, not a power of two");
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "mem.l2.ways", "0"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "mem.l2.ways: must be >= 1 (got 0)");
    EXPECT_OK(SET(&c, "mem.l2.size", "0")); /* disabled: ways unused */
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "mem.l2.lat", "3"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "mem.l2.lat: must be >= mem.l1d.lat = 4 (got 3)");
    EXPECT_OK(SET(&c, "mem.l2.size", "0")); /* disabled levels are skipped */
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    EXPECT_OK(SET(&c, "mem.llc.lat", "3"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "mem.llc.lat: must be >= mem.l1d.lat = 4 (got 3)");
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "mem.dram.lat", "41"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "mem.dram.lat: must be >= mem.llc.lat = 42 (got 41)");
    EXPECT_OK(SET(&c, "mem.dram.lat", "42")); /* equal is allowed */
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    EXPECT_OK(SET(&c, "mem.l1d.size", "0"));
    EXPECT_OK(SET(&c, "mem.l2.size", "0"));
    EXPECT_OK(SET(&c, "mem.llc.size", "0"));
    EXPECT_OK(SET(&c, "mem.dram.lat", "1")); /* no cache: any DRAM latency */
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    preset(&c, "skylake");
    c.mem.l1d.lat = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "mem.l1d.lat: must be in 1..100000 (got 0)");
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "mem.llc.size", "2GiB"));
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    EXPECT_OK(SET(&c, "mem.llc.size", "12MiB")); /* 16 ways: 12288 sets */
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "mem.llc.size:");

    /* run keys */
    preset(&c, "skylake");
    c.processes = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "processes: must be in 1..4096 (got 0)");
    preset(&c, "skylake");
    c.processes = 5000;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "processes: must be in 1..4096 (got 5000)");
    preset(&c, "skylake");
    c.switch_every = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "switch_every: must be >= 1 (got 0)");
    preset(&c, "skylake");
    c.mix_weight[0] = c.mix_weight[1] = c.mix_weight[2] = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "backing.mix: weights must not all be zero");
    preset(&c, "skylake");
    c.issue = (issue_mode_t)2;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "issue: unknown issue mode 2");
    preset(&c, "skylake");
    c.backing = (backing_t)4;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "backing: unknown backing 4");
    preset(&c, "skylake");
    c.demand_ad = (demand_ad_t)3;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "demand.ad: unknown A/D state 3 (clear, linux, dirty)");
    preset(&c, "skylake");
    c.pcid = 2;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "pcid: must be 0 or 1 (got 2)");
    preset(&c, "skylake");
    c.mode |= 0x100;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "mode: unknown bits 0x100");
    /* nocache: every array off; a size set afterwards contradicts it */
    preset(&c, "skylake");
    CHECK_EQ(cfg_set(&c, "nocache", "on", err, sizeof err), 0);
    CHECK_EQ(c.nocache, 1);
    for (uint32_t i = 0; i < c.mmu.ntlb; i++)
        CHECK_EQ(c.mmu.tlb[i].a.entries, 0);
    for (uint32_t i = 0; i < c.mmu.npwc; i++)
        CHECK_EQ(c.mmu.pwc[i].a.entries, 0);
    CHECK_EQ(c.mmu.ntlb, 7); /* the arrays stay, absent */
    CHECK_EQ(c.mmu.tlb[5].a.ways, 12);
    CHECK_EQ(cfg_check(&c, err, sizeof err), 0);
    CHECK_EQ(cfg_set(&c, "pwc.pde.entries", "4", err, sizeof err), 0);
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "nocache: on, but pwc.pde.entries = 4");
    CHECK_EQ(cfg_set(&c, "pwc.pde.entries", "0", err, sizeof err), 0);
    CHECK_EQ(cfg_set(&c, "tlb.stlb1g.entries", "16", err, sizeof err), 0);
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "nocache: on, but tlb.stlb1g.entries = 16 (set after nocache?)");
    CHECK_EQ(cfg_set(&c, "tlb.stlb1g", "off", err, sizeof err), 0);
    CHECK_EQ(cfg_check(&c, err, sizeof err), 0);
    CHECK_EQ(cfg_set(&c, "tlb.added.level", "2", err, sizeof err), 0); /* a new array: 16 entries */
    CHECK_EQ(cfg_set(&c, "tlb.added.lat", "9", err, sizeof err), 0);
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "nocache: on, but tlb.added.entries = 16");
    /* nocache applies to every preset's arrays */
    for (int p = 0; cfg_preset_names[p] != NULL; p++) {
        preset(&c, cfg_preset_names[p]);
        CHECK_EQ(cfg_set(&c, "nocache", "on", err, sizeof err), 0);
        EXPECT_OK(cfg_check(&c, err, sizeof err));
        CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 1);
    }
    /* cpuid.page1gb off: 1 GiB pages cannot be mapped on demand */
    preset(&c, "skylake");
    CHECK_EQ(cfg_set(&c, "cpuid.page1gb", "off", err, sizeof err), 0);
    CHECK_EQ(c.mode & MMU_MODE_NOPG1G, MMU_MODE_NOPG1G);
    CHECK_EQ(cfg_check(&c, err, sizeof err), 0);
    CHECK_EQ(cfg_set(&c, "backing", "1g", err, sizeof err), 0);
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "cpuid.page1gb: off (no 1 GiB pages), but backing = 1g");
    CHECK_EQ(cfg_set(&c, "backing", "mix", err, sizeof err), 0);
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "cpuid.page1gb: off (no 1 GiB pages), but backing = mix");
    CHECK_EQ(cfg_set(&c, "backing.mix", "1,1,0", err, sizeof err), 0);
    CHECK_EQ(cfg_check(&c, err, sizeof err), 0);
    preset(&c, "skylake");
    c.mode |= MMU_MODE_PCIDE;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "pcid: mode has CR4.PCIDE set but pcid is off");
    c.pcid = 1;
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    c.mode &= ~(uint32_t)MMU_MODE_PCIDE; /* pcid on, PCIDE not yet in mode: the runner adds it */
    EXPECT_OK(cfg_check(&c, err, sizeof err));

    EXPECT_ERR(cfg_check(NULL, err, sizeof err), "config");
    EXPECT_ERR(mmu_config_check(NULL, err, sizeof err), "config");
    preset(&c, "skylake");
    c.mmu.walkers = 0;
    CHECK_EQ(cfg_check(&c, NULL, 0), -1); /* no message buffer: still an answer */
}

/* ------------------------------------------------------------ cfg_dump */

static char *dump_to_string(const sim_config_t *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        perror("open_memstream");
        exit(EXIT_FAILURE);
    }
    cfg_dump(c, f);
    fclose(f);
    return buf;
}

/* Apply a dump key by key with cfg_set. Returns the number of lines. */
static int apply_dump(sim_config_t *c, const char *dump)
{
    char *copy = strdup(dump), *save = NULL;
    int n = 0;
    for (char *line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strstr(line, " = ");
        CHECK(eq != NULL);
        if (eq == NULL)
            continue;
        *eq = '\0';
        int rc = cfg_set(c, line, eq + 3, err, sizeof err);
        if (rc != 0)
            fprintf(stderr, "dump line '%s = %s' rejected: %s\n", line, eq + 3, err);
        CHECK_EQ(rc, 0);
        n++;
    }
    free(copy);
    return n;
}

/* Remove every array of *c with tlb.NAME = off, pwc.NAME = off. */
static void remove_all(sim_config_t *c)
{
    char key[64];
    while (c->mmu.ntlb > 0) {
        snprintf(key, sizeof key, "tlb.%s", c->mmu.tlb[c->mmu.ntlb - 1].name);
        EXPECT_OK(SET(c, key, "off"));
    }
    while (c->mmu.npwc > 0) {
        snprintf(key, sizeof key, "pwc.%s", c->mmu.pwc[0].name);
        EXPECT_OK(SET(c, key, "off"));
    }
}

/* A dump set key by key reads back as the same configuration: onto
 * another preset whose arrays were removed (a field of a new name adds the
 * array at the end of its list: the dump's order is kept), and onto the
 * same preset. 9 lines per TLB array, 6 per PWC, 32 other keys. */
static void round_trip(const sim_config_t *src, const char *start)
{
    sim_config_t dst;
    preset(&dst, start);
    remove_all(&dst);
    char *d1 = dump_to_string(src);
    int lines = apply_dump(&dst, d1);
    CHECK_EQ(lines, (int)(9 * src->mmu.ntlb + 6 * src->mmu.npwc + 32));
    char *d2 = dump_to_string(&dst);
    if (strcmp(d1, d2) != 0)
        fprintf(stderr, "dump differs after round trip from %s:\n%s\n---\n%s\n", start, d1, d2);
    CHECK(strcmp(d1, d2) == 0);
    CHECK(memcmp(src, &dst, sizeof dst) == 0); /* unused list slots are zero on both sides */
    free(d2);
    sim_config_t same = *src;
    apply_dump(&same, d1);
    CHECK(memcmp(src, &same, sizeof same) == 0);
    free(d1);
}

static void test_dump(void)
{
    sim_config_t c;
    preset(&c, "skylake");
    char *d = dump_to_string(&c);
    /* the documented order and formats: the TLB arrays in order, each
     * level .. splinter; the PWCs, each levels .. lat; then the other keys */
    static const char head[] = "tlb.itlb.level = 1\ntlb.itlb.serves = fetch\ntlb.itlb.sizes = 4k\n"
                               "tlb.itlb.entries = 128\ntlb.itlb.ways = 8\ntlb.itlb.repl = lru\n"
                               "tlb.itlb.lfsr_seed = 0xACE1\ntlb.itlb.lat = 1\ntlb.itlb.splinter = off\n"
                               "tlb.itlb2m.level = 1\n";
    CHECK(strncmp(d, head, strlen(head)) == 0);
    CHECK(strstr(d, "\ntlb.itlb2m.splinter = on\ntlb.dtlb.level = 1\ntlb.dtlb.serves = load,store\n") != NULL);
    CHECK(strstr(d, "\ntlb.stlb.level = 2\ntlb.stlb.serves = load,store,fetch\ntlb.stlb.sizes = 4k,2m\n"
                    "tlb.stlb.entries = 1536\ntlb.stlb.ways = 12\ntlb.stlb.repl = lru\ntlb.stlb.lfsr_seed = 0xACE1\n"
                    "tlb.stlb.lat = 9\ntlb.stlb.splinter = off\ntlb.stlb1g.level = 2\n") != NULL);
    CHECK(strstr(d, "\ntlb.stlb1g.splinter = off\npwc.pml4e.levels = pml4e\npwc.pml4e.entries = 2\n"
                    "pwc.pml4e.ways = 2\npwc.pml4e.repl = lru\npwc.pml4e.lfsr_seed = 0xACE1\npwc.pml4e.lat = 1\n"
                    "pwc.pdpte.levels = pdpte\n") != NULL);
    CHECK(strstr(d, "\npwc.pde.lat = 1\nnocache = off\nwalkers = 2\n"
                    "outstanding = 16\nmaxphyaddr = 46\nmem.model = cache\nmem.latency = 30\n"
                    "mem.l1d.size = 32 KiB\nmem.l1d.ways = 8\nmem.l1d.lat = 4\n"
                    "mem.l2.size = 256 KiB\nmem.l2.ways = 4\nmem.l2.lat = 12\n"
                    "mem.llc.size = 8 MiB\nmem.llc.ways = 16\nmem.llc.lat = 42\nmem.dram.lat = 200\n"
                    "issue = pipelined\nbacking = 4k\nbacking.mix = 60,30,10\ndemand.ad = clear\nperf = intel\nprocesses = 1\n"
                    "switch_every = 100000\npcid = off\nmode.wp = on\nmode.smep = off\nmode.smap = off\n"
                    "mode.nxe = on\nmode.pge = on\nmode.ac = off\ncpuid.page1gb = on\nseed = 1\n") != NULL);
    size_t len = strlen(d);
    CHECK(len >= 10 && strcmp(d + len - 10, "\nseed = 1\n") == 0); /* the last key */
    int nl = 0;
    for (size_t i = 0; i < len; i++)
        nl += d[i] == '\n';
    CHECK_EQ(nl, 7 * 9 + 3 * 6 + 32);
    free(d);
    preset(&c, "zen2");
    d = dump_to_string(&c);
    CHECK(strstr(d, "\npwc.pdc.levels = pml4e,pdpte\n") != NULL);
    CHECK(strstr(d, "\ntlb.l2d.splinter = on\n") != NULL);
    CHECK(strstr(d, "\ntlb.l1i.sizes = 4k,2m,1g\n") != NULL);
    free(d);

    /* every preset, read back starting from every other one */
    for (int p = 0; cfg_preset_names[p] != NULL; p++) {
        preset(&c, cfg_preset_names[p]);
        for (int q = 0; cfg_preset_names[q] != NULL; q++)
            round_trip(&c, cfg_preset_names[q]);
    }

    /* every other value and format */
    preset(&c, "tiny");
    EXPECT_OK(SET(&c, "pcid", "on"));
    EXPECT_OK(SET(&c, "mode.smep", "on"));
    EXPECT_OK(SET(&c, "mode.smap", "on"));
    EXPECT_OK(SET(&c, "mode.ac", "on"));
    EXPECT_OK(SET(&c, "mode.wp", "off"));
    EXPECT_OK(SET(&c, "seed", "0xFFFFFFFFFFFFFFFF"));
    EXPECT_OK(SET(&c, "switch_every", "12345678901"));
    EXPECT_OK(SET(&c, "issue", "inorder"));
    EXPECT_OK(SET(&c, "backing", "mix"));
    EXPECT_OK(SET(&c, "backing.mix", "0,7,0"));
    EXPECT_OK(SET(&c, "demand.ad", "linux"));
    EXPECT_OK(SET(&c, "tlb.stlb.sizes", "1g,4k"));
    EXPECT_OK(SET(&c, "tlb.itlb.serves", "fetch,load"));
    EXPECT_OK(SET(&c, "tlb.dtlb.splinter", "on"));
    EXPECT_OK(SET(&c, "pwc.pde.levels", "pde,pml4e"));
    EXPECT_OK(SET(&c, "mem.l1d.size", "1000"));  /* bytes */
    EXPECT_OK(SET(&c, "mem.l2.size", "1536K"));  /* KiB, not 1.5 MiB */
    EXPECT_OK(SET(&c, "mem.llc.size", "2G"));    /* GiB */
    EXPECT_OK(SET(&c, "tlb.itlb.lfsr_seed", "0xFFFF"));
    EXPECT_OK(SET(&c, "tlb.itlb.repl", "random"));
    EXPECT_OK(SET(&c, "processes", "4096"));
    EXPECT_OK(SET(&c, "tlb.dtlbbig", "off"));
    EXPECT_OK(SET(&c, "tlb.zz_9.lat", "2"));
    EXPECT_OK(SET(&c, "tlb.zz_9.level", "2"));
    d = dump_to_string(&c);
    CHECK(strstr(d, "\nmem.l1d.size = 1000\n") != NULL);
    CHECK(strstr(d, "\nmem.l2.size = 1536 KiB\n") != NULL);
    CHECK(strstr(d, "\nmem.llc.size = 2 GiB\n") != NULL);
    CHECK(strstr(d, "\ntlb.stlb.sizes = 4k,1g\n") != NULL);     /* in the order 4k, 2m, 1g */
    CHECK(strstr(d, "tlb.itlb.serves = load,fetch\n") != NULL); /* in the order load, store, fetch */
    CHECK(strstr(d, "\ntlb.dtlb.splinter = on\n") != NULL);
    CHECK(strstr(d, "\npwc.pde.levels = pml4e,pde\n") != NULL);
    CHECK(strstr(d, "\npcid = on\n") != NULL);
    CHECK(strstr(d, "\nbacking.mix = 0,7,0\ndemand.ad = linux\n") != NULL);
    CHECK(strstr(d, "\nseed = 18446744073709551615\n") != NULL);
    CHECK(strstr(d, "tlb.itlb.repl = random\ntlb.itlb.lfsr_seed = 0xFFFF\n") != NULL);
    CHECK(strstr(d, "dtlbbig") == NULL);
    CHECK(strstr(d, "\ntlb.stlb1g.splinter = off\ntlb.zz_9.level = 2\ntlb.zz_9.serves = load,store,fetch\n") != NULL);
    free(d);
    round_trip(&c, "skylake");
    round_trip(&c, "tiny");
    /* no arrays at all */
    remove_all(&c);
    d = dump_to_string(&c);
    CHECK(strncmp(d, "nocache = ", 10) == 0);
    free(d);
    round_trip(&c, "zen4");
}

/* ------------------------------------------------------------ JSON files */

static char tmpdir[64];

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(EXIT_FAILURE);
    }
    fputs(text, f);
    fclose(f);
    return path;
}

/* Load text as a JSON file into *c; the message must start with the path
 * and contain want (want NULL: success expected). */
static void json_case(sim_config_t *c, const char *name, const char *text, const char *want, int line)
{
    const char *path = write_file(name, text);
    char full[512];
    err[0] = '\0';
    int rc = cfg_load_json(c, path, err, sizeof err);
    if (want == NULL) {
        if (rc != 0)
            fprintf(stderr, "%s:%d: unexpected error '%s'\n", __FILE__, line, err);
        CHECK_EQ(rc, 0);
        return;
    }
    snprintf(full, sizeof full, "%s: %s", path, want);
    if (rc != -1 || strstr(err, full) != err)
        fprintf(stderr, "%s:%d: rc %d, message '%s', want '%s'\n", __FILE__, line, rc, err, full);
    CHECK_EQ(rc, -1);
    CHECK(strstr(err, full) == err);
}

#define JSON_OK(c, name, text) json_case((c), (name), (text), NULL, __LINE__)
#define JSON_ERR(c, name, text, want) json_case((c), (name), (text), (want), __LINE__)

static void test_json(void)
{
    sim_config_t c, before;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_config.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        exit(EXIT_FAILURE);
    }

    /* nested objects flatten to dotted keys ("tlb.dtlb": {...} is
     * tlb.dtlb.*: a change of the preset's array, not a new list), a
     * preset applied first though it comes last, every value kind */
    preset(&c, "skylake");
    JSON_OK(&c, "nested.json",
            "{\n"
            "  \"tlb.dtlb\": {\"entries\": 16, \"ways\": \"4\", \"repl\": \"lru\", \"serves\": [\"load\", \"store\"]},\n"
            "  \"tlb.stlb.sizes\": [\"4k\", \"2m\"],\n"
            "  \"tlb.stlb\": {\"entries\": 64, \"splinter\": false},\n"
            "  \"pwc.pde\": {\"lfsr_seed\": \"0xBEEF\"},\n"
            "  \"mem\": {\"model\": \"cache\", \"l1d\": {\"size\": \"64KiB\", \"ways\": 8}, \"dram\": {\"lat\": 250}},\n"
            "  \"mode\": {\"smep\": true, \"wp\": false},\n"
            "  \"pcid\": \"on\",\n"
            "  \"backing\": \"mix\",\n"
            "  \"backing.mix\": [1, 2, 3],\n"
            "  \"demand\": {\"ad\": \"dirty\"},\n"
            "  \"seed\": \"0xFFFFFFFFFFFFFFFF\",\n"
            "  \"switch_every\": 1e3,\n"
            "  \"preset\": \"tiny\"\n"
            "}\n");
    CHECK_EQ(c.mmu.ntlb, 7); /* tiny's seven, changed */
    check_tlb(&c.mmu, 0, "itlb", 1, FE, Z4K, 4, 2, MMU_REPL_LRU, 1, 0); /* from tiny */
    check_tlb(&c.mmu, 2, "dtlb", 1, LD | ST, Z4K, 16, 4, MMU_REPL_LRU, 1, 0);
    check_tlb(&c.mmu, 5, "stlb", 2, LD | ST | FE, Z4K | Z2M, 64, 4, MMU_REPL_LRU, 2, 0);
    CHECK_EQ(c.mmu.npwc, 2);
    check_pwc(&c.mmu, 1, "pde", L2, 4, 2, MMU_REPL_RANDOM, 0xBEEF);
    CHECK_EQ(c.mem.model, MEM_CACHE);
    CHECK_EQ(c.mem.l1d.size, 65536);
    CHECK_EQ(c.mem.dram_lat, 250);
    CHECK_EQ(c.mode, MMU_MODE_SMEP | MMU_MODE_NXE | MMU_MODE_PGE | MMU_MODE_PCIDE);
    CHECK_EQ(c.pcid, 1);
    CHECK_EQ(c.backing, BACK_MIX);
    CHECK_EQ(c.mix_weight[0], 1);
    CHECK_EQ(c.mix_weight[1], 2);
    CHECK_EQ(c.mix_weight[2], 3);
    CHECK_EQ(c.demand_ad, DEMAND_AD_DIRTY);
    CHECK_EQ(c.seed, UINT64_MAX);
    CHECK_EQ(c.switch_every, 1000);
    EXPECT_OK(cfg_check(&c, err, sizeof err));

    /* a top-level "tlb" object replaces the preset's whole list with its
     * members, in the file's order (not sorted), each starting from the
     * defaults of a new array; the PWCs stay the preset's */
    preset(&c, "tiny");
    JSON_OK(&c, "list.json",
            "{\"preset\": \"skylake\",\n"
            " \"tlb\": {\n"
            "   \"zl2\": {\"level\": 2, \"serves\": [\"load\", \"store\", \"fetch\"], \"sizes\": \"4k,2m\",\n"
            "           \"entries\": 512, \"ways\": 8, \"lat\": 7, \"splinter\": \"on\"},\n"
            "   \"al1\": {\"entries\": 32, \"sizes\": [\"4k\", \"2m\", \"1g\"], \"repl\": \"plru\"},\n"
            "   \"m\": {\"serves\": \"fetch\"}\n"
            " },\n"
            " \"walkers\": 3}\n");
    CHECK_EQ(c.mmu.ntlb, 3);
    check_tlb(&c.mmu, 0, "zl2", 2, LD | ST | FE, Z4K | Z2M, 512, 8, MMU_REPL_LRU, 7, 1);
    check_tlb(&c.mmu, 1, "al1", 1, LD | ST | FE, Z4K | Z2M | Z1G, 32, 4, MMU_REPL_PLRU, 1, 0);
    check_tlb(&c.mmu, 2, "m", 1, FE, Z4K, 16, 4, MMU_REPL_LRU, 1, 0);
    CHECK_EQ(c.mmu.npwc, 3); /* skylake's */
    CHECK_EQ(c.mmu.walkers, 3);
    for (uint32_t i = 3; i < MMU_TLB_MAX; i++)
        CHECK(c.mmu.tlb[i].name[0] == '\0');
    CHECK_EQ(mmu_cfg_l1_lat(&c.mmu), 1);
    CHECK_EQ(mmu_cfg_l2_lat(&c.mmu), 7);
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    /* ... and "pwc" likewise; a flat key after the object changes it */
    JSON_OK(&c, "pwclist.json",
            "{\"pwc\": {\"all\": {\"levels\": [\"pml4e\", \"pdpte\", \"pde\"], \"entries\": 8, \"ways\": 8}},\n"
            " \"pwc.all.repl\": \"plru\", \"tlb.m.entries\": 8}");
    CHECK_EQ(c.mmu.npwc, 1);
    check_pwc(&c.mmu, 0, "all", L4 | L3 | L2, 8, 8, MMU_REPL_PLRU, 0xACE1);
    for (uint32_t i = 1; i < MMU_PWC_MAX; i++)
        CHECK(c.mmu.pwc[i].name[0] == '\0');
    CHECK_EQ(c.mmu.ntlb, 3); /* the TLB list of before, m changed */
    CHECK_EQ(c.mmu.tlb[2].a.entries, 8);
    /* an empty object: no arrays in that list */
    JSON_OK(&c, "emptylist.json", "{\"tlb\": {}}");
    CHECK_EQ(c.mmu.ntlb, 0);
    CHECK_EQ(c.mmu.npwc, 1);
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    /* the dump as a JSON file: the same configuration as the preset */
    {
        sim_config_t z;
        preset(&z, "zen2");
        char *d = dump_to_string(&z);
        char *txt = malloc(strlen(d) * 2 + 64), *o = txt;
        o += sprintf(o, "{\"tlb\": {}, \"pwc\": {}");
        char *save = NULL;
        for (char *line = strtok_r(d, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
            char *eq = strstr(line, " = ");
            *eq = '\0';
            o += sprintf(o, ",\n \"%s\": \"%s\"", line, eq + 3);
        }
        sprintf(o, "}\n");
        preset(&c, "goldencove");
        JSON_OK(&c, "dump.json", txt);
        CHECK(memcmp(&c, &z, sizeof c) == 0);
        free(txt);
        free(d);
    }

    /* without a preset the file applies on top of the current values */
    preset(&c, "zen2");
    JSON_OK(&c, "partial.json",
            "{\"walkers\": 4, \"tlb\": {\"l2d\": {\"level\": 2, \"lat\": 8}}, \"tlb.l2d.sizes\": [\"4k\", \"1g\"]}");
    CHECK_EQ(c.mmu.walkers, 4);
    CHECK_EQ(c.mmu.ntlb, 1);
    check_tlb(&c.mmu, 0, "l2d", 2, LD | ST | FE, Z4K | Z1G, 16, 4, MMU_REPL_LRU, 8, 0);
    CHECK_EQ(c.mmu.npwc, 2); /* zen2's */
    CHECK_EQ(c.mmu.maxphyaddr, 48);
    JSON_OK(&c, "empty.json", "{}");
    CHECK_EQ(c.mmu.walkers, 4);
    CHECK_EQ(c.mmu.ntlb, 1);
    JSON_OK(&c, "emptyobj.json", "{\"tlb.l2d\": {}, \"mem\": {}}");
    CHECK_EQ(c.mmu.ntlb, 1);

    /* errors: "PATH: key: reason", and nothing changes */
    preset(&c, "skylake");
    before = c;
    JSON_ERR(&c, "unknown.json", "{\"walkers\": 3, \"dtlb\": {\"4k\": {\"entries\": 4}}}",
             "unknown key 'dtlb.4k.entries' (TLB arrays and page-walk caches are tlb.NAME.* and pwc.NAME.*");
    CHECK(memcmp(&before, &c, sizeof c) == 0); /* walkers = 3 was not kept */
    JSON_ERR(&c, "oldstlb.json", "{\"stlb\": {\"entries\": 64}}", "unknown key 'stlb.entries' (TLB arrays");
    JSON_ERR(&c, "oldlat.json", "{\"lat\": {\"stlb\": 8}}", "unknown key 'lat.stlb' (TLB arrays");
    JSON_ERR(&c, "level.json", "{\"tlb\": {\"x\": {\"level\": 3}}}", "tlb.x.level: must be in 1..2 (got 3)");
    CHECK(memcmp(&before, &c, sizeof c) == 0); /* the preset's list is back */
    JSON_ERR(&c, "field.json", "{\"tlb\": {\"x\": {\"size\": \"4k\"}}}",
             "unknown key 'tlb.x.size' (the fields of a TLB array are");
    JSON_ERR(&c, "name.json", "{\"tlb\": {\"L1\": {\"entries\": 8}}}",
             "tlb.L1.entries: an array name is 1..23 characters of a-z, 0-9 and _ (got 'L1')");
    JSON_ERR(&c, "levels.json", "{\"pwc\": {\"p\": {\"levels\": [\"pde\", \"pte\"]}}}",
             "pwc.p.levels: unknown paging-structure level 'pte' (pml4e, pdpte, pde)");
    JSON_ERR(&c, "same.json", "{\"tlb\": {\"pde\": {\"entries\": 8}}}",
             "tlb.pde.entries: 'pde' already names a page-walk cache (pwc.)");
    JSON_ERR(&c, "thirteen.json",
             "{\"tlb\": {\"a\": {\"lat\": 1}, \"b\": {\"lat\": 1}, \"c\": {\"lat\": 1}, \"d\": {\"lat\": 1},"
             " \"e\": {\"lat\": 1}, \"f\": {\"lat\": 1}, \"g\": {\"lat\": 1}, \"h\": {\"lat\": 1},"
             " \"i\": {\"lat\": 1}, \"j\": {\"lat\": 1}, \"k\": {\"lat\": 1}, \"l\": {\"lat\": 1},"
             " \"m\": {\"lat\": 1}}}",
             "tlb.m.lat: at most 12 TLB arrays");
    /* the list's object after keys of that list in the same file would drop
     * them, a second object the first */
    JSON_ERR(&c, "before.json", "{\"tlb.stlb.entries\": 64, \"tlb\": {\"x\": {\"entries\": 8}}}",
             "tlb: the \"tlb\" object replaces the whole list, but tlb.stlb.entries is set before it in the file");
    JSON_ERR(&c, "twolists.json", "{\"pwc\": {\"a\": {\"levels\": \"pde\"}}, \"pwc\": {\"b\": {\"levels\": \"pde\"}}}",
             "pwc: the \"pwc\" object replaces the whole list, but pwc.a.levels is set before it in the file");
    JSON_ERR(&c, "nestedpreset.json", "{\"tlb.dtlb\": {\"preset\": \"tiny\"}}", "unknown key 'tlb.dtlb.preset'");
    JSON_ERR(&c, "range.json", "{\"walkers\": 0}", "walkers: must be in 1..16 (got 0)");
    JSON_ERR(&c, "policy.json", "{\"tlb.stlb\": {\"repl\": \"fifo\"}}",
             "tlb.stlb.repl: unknown policy 'fifo' (lru, plru, random)");
    JSON_ERR(&c, "ad.json", "{\"demand.ad\": \"linux\", \"demand\": {\"ad\": \"dirty\"}}", "demand.ad: given twice");
    JSON_ERR(&c, "adbad.json", "{\"demand\": {\"ad\": true}}",
             "demand.ad: unknown A/D state 'true' (clear, linux, dirty)");
    JSON_ERR(&c, "frac.json", "{\"tlb\": {\"x\": {\"lat\": 2.5}}}", "tlb.x.lat: 2.5 is not an integer");
    JSON_ERR(&c, "big.json", "{\"seed\": 1e20}", "seed: 1e+20 is too large");
    JSON_ERR(&c, "neg.json", "{\"walkers\": -1}", "walkers: '-1' is not a number");
    JSON_ERR(&c, "null.json", "{\"walkers\": null}", "walkers: null is not a value");
    JSON_ERR(&c, "boolnum.json", "{\"walkers\": true}", "walkers: 'true' is not a number");
    JSON_ERR(&c, "nestedlist.json", "{\"backing.mix\": [[1], 2, 3]}", "backing.mix: a list may hold only");
    JSON_ERR(&c, "twice.json", "{\"walkers\": 2, \"walkers\": 3}", "walkers: given twice");
    JSON_ERR(&c, "twice2.json", "{\"tlb.dtlb.lat\": 2, \"tlb.dtlb\": {\"lat\": 3}}", "tlb.dtlb.lat: given twice");
    JSON_ERR(&c, "presetnum.json", "{\"preset\": 1}", "preset: must be a string");
    JSON_ERR(&c, "presetbad.json", "{\"preset\": \"haswell\"}", "preset: unknown preset 'haswell'");
    JSON_ERR(&c, "preset2.json", "{\"preset\": \"tiny\", \"preset\": \"zen2\"}", "preset: given twice");
    JSON_ERR(&c, "array.json", "[1, 2]", "the top level must be an object");
    JSON_ERR(&c, "scalar.json", "42", "the top level must be an object");
    CHECK(memcmp(&before, &c, sizeof c) == 0);
    /* malformed JSON: the byte where cJSON stopped */
    JSON_ERR(&c, "empty.txt", "", "not valid JSON near byte 0");
    JSON_ERR(&c, "comma.json", "{\"walkers\": 2 \"seed\": 1}", "not valid JSON near byte 14"); /* 2nd '"' */
    JSON_ERR(&c, "tru.json", "{\"a\": tru}", "not valid JSON near byte 6");                  /* the 't' */
    JSON_ERR(&c, "trailing.json", "{\"walkers\": 2,}", "not valid JSON near byte");
    JSON_ERR(&c, "junk.json", "{\"walkers\": 2} x", "not valid JSON near byte 15"); /* trailing 'x' */
    JSON_ERR(&c, "quote.json", "{\"walkers: 2}", "not valid JSON near byte");
    {
        /* a NUL byte inside the file */
        char p[256];
        snprintf(p, sizeof p, "%s/nul.json", tmpdir);
        FILE *f = fopen(p, "wb");
        CHECK(f != NULL);
        if (f != NULL) {
            fwrite("{\"walkers\": 2}\0{}", 1, 17, f);
            fclose(f);
        }
        EXPECT_ERR(cfg_load_json(&c, p, err, sizeof err), "nul.json: not valid JSON near byte 14");
    }
    CHECK(memcmp(&before, &c, sizeof c) == 0);

    /* missing file */
    char missing[128];
    snprintf(missing, sizeof missing, "%s/none.json", tmpdir);
    EXPECT_ERR(cfg_load_json(&c, missing, err, sizeof err), "none.json: cannot open");

    /* clean up: every file the cases wrote */
    DIR *dir = opendir(tmpdir);
    CHECK(dir != NULL);
    for (struct dirent *de; dir != NULL && (de = readdir(dir)) != NULL;) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", tmpdir, de->d_name);
        CHECK_EQ(unlink(p), 0);
    }
    if (dir != NULL)
        closedir(dir);
    CHECK_EQ(rmdir(tmpdir), 0);
}

/* Bug test: process p runs with PCID p+1, so with pcid on at most 4095
 * processes have distinct PCIDs; 4096 used to wrap onto PCID 1. */
static void test_pcid_process_limit(void)
{
    sim_config_t c;
    char err[256];
    CHECK(cfg_preset(&c, "tiny", err, sizeof err) == 0);
    CHECK(cfg_set(&c, "pcid", "on", err, sizeof err) == 0);
    CHECK(cfg_set(&c, "processes", "4095", err, sizeof err) == 0);
    CHECK(cfg_check(&c, err, sizeof err) == 0);
    CHECK(cfg_set(&c, "processes", "4096", err, sizeof err) == 0);
    CHECK(cfg_check(&c, err, sizeof err) == -1);
    CHECK(strstr(err, "processes") != NULL);
    CHECK(cfg_set(&c, "pcid", "off", err, sizeof err) == 0);
    CHECK(cfg_check(&c, err, sizeof err) == 0); /* without PCIDs 4096 is fine */
}

int main(void)
{
    test_pcid_process_limit();
    test_units();
    test_presets();
    test_set();
    test_set_errors();
    test_limits();
    test_check();
    test_dump();
    test_json();
    CHECK_DONE();
}
