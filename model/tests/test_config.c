/* test_config.c - configuration keys, presets, checks, JSON files, units.
 * Expected values are written out by hand from docs/config.md. */
#include <stdio.h>
#include <stdlib.h>
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

static void check_arr(const mmu_array_cfg_t *a, uint32_t entries, uint32_t ways, mmu_repl_t repl, uint16_t seed)
{
    CHECK_EQ(a->entries, entries);
    CHECK_EQ(a->ways, ways);
    CHECK_EQ(a->repl, repl);
    CHECK_EQ(a->lfsr_seed, seed);
}

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
    CHECK_EQ(c->seed, 1);
    CHECK_EQ(c->mem.fixed_lat == 30 || c->mem.fixed_lat == 10, 1);
    CHECK_EQ(c->mem.l1d.size, 32768);
    CHECK_EQ(c->mem.dram_lat, 200);
}

static void test_presets(void)
{
    sim_config_t c;

    CHECK(strcmp(cfg_preset_names[0], "tiny") == 0);
    CHECK(strcmp(cfg_preset_names[1], "skylake") == 0);
    CHECK(strcmp(cfg_preset_names[2], "zen2") == 0);
    CHECK(cfg_preset_names[3] == NULL);
    for (int i = 0; i < 3; i++)
        CHECK(cfg_preset_descr[i] != NULL && cfg_preset_descr[i][0] != '\0');
    CHECK(cfg_preset_descr[3] == NULL);
    CHECK(strstr(cfg_preset_descr[1], "Skylake") != NULL);
    CHECK(strstr(cfg_preset_descr[2], "56305") != NULL);

    /* skylake */
    preset(&c, "skylake");
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    check_arr(&c.mmu.itlb[MMU_PS_4K], 128, 8, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.itlb[MMU_PS_2M], 8, 8, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.itlb[MMU_PS_1G], 0, 1, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.dtlb[MMU_PS_4K], 64, 4, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.dtlb[MMU_PS_2M], 32, 4, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.dtlb[MMU_PS_1G], 4, 4, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.stlb, 1536, 12, MMU_REPL_LRU, 0xACE1);
    CHECK_EQ(c.mmu.stlb_sizes, 3); /* 4k, 2m */
    check_arr(&c.mmu.pwc[MMU_PWC_PML4E], 2, 2, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.pwc[MMU_PWC_PDPTE], 4, 4, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.pwc[MMU_PWC_PDE], 32, 4, MMU_REPL_LRU, 0xACE1);
    CHECK_EQ(c.mmu.l1_lat, 1);
    CHECK_EQ(c.mmu.stlb_lat, 9);
    CHECK_EQ(c.mmu.pwc_lat, 1);
    CHECK_EQ(c.mmu.walkers, 2);
    CHECK_EQ(c.mmu.outstanding, 16);
    CHECK_EQ(c.mmu.maxphyaddr, 46);
    CHECK_EQ(c.mem.model, MEM_CACHE);
    CHECK_EQ(c.mem.fixed_lat, 30);
    check_level(&c.mem.l1d, 32768, 8, 4);
    check_level(&c.mem.l2, 262144, 4, 12);
    check_level(&c.mem.llc, 8388608, 16, 42);
    check_common(&c);

    /* zen2 */
    preset(&c, "zen2");
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    for (int ps = 0; ps < MMU_PS_COUNT; ps++) {
        check_arr(&c.mmu.itlb[ps], 64, 64, MMU_REPL_PLRU, 0xACE1);
        check_arr(&c.mmu.dtlb[ps], 64, 64, MMU_REPL_PLRU, 0xACE1);
    }
    check_arr(&c.mmu.stlb, 2048, 16, MMU_REPL_LRU, 0xACE1);
    CHECK_EQ(c.mmu.stlb_sizes, 3);
    check_arr(&c.mmu.pwc[MMU_PWC_PML4E], 8, 8, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.pwc[MMU_PWC_PDPTE], 16, 16, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.pwc[MMU_PWC_PDE], 64, 16, MMU_REPL_LRU, 0xACE1);
    CHECK_EQ(c.mmu.l1_lat, 1);
    CHECK_EQ(c.mmu.stlb_lat, 7);
    CHECK_EQ(c.mmu.pwc_lat, 1);
    CHECK_EQ(c.mmu.walkers, 2);
    CHECK_EQ(c.mmu.outstanding, 16);
    CHECK_EQ(c.mmu.maxphyaddr, 48);
    CHECK_EQ(c.mem.model, MEM_CACHE);
    CHECK_EQ(c.mem.fixed_lat, 30);
    check_level(&c.mem.l1d, 32768, 8, 4);
    check_level(&c.mem.l2, 524288, 8, 12);
    check_level(&c.mem.llc, 16777216, 16, 39);
    check_common(&c);

    /* tiny */
    preset(&c, "tiny");
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    check_arr(&c.mmu.itlb[MMU_PS_4K], 4, 2, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.itlb[MMU_PS_2M], 2, 2, MMU_REPL_PLRU, 0xACE1);
    check_arr(&c.mmu.itlb[MMU_PS_1G], 2, 1, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.dtlb[MMU_PS_4K], 8, 4, MMU_REPL_PLRU, 0xACE1);
    check_arr(&c.mmu.dtlb[MMU_PS_2M], 4, 2, MMU_REPL_RANDOM, 0xACE1);
    check_arr(&c.mmu.dtlb[MMU_PS_1G], 2, 2, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.stlb, 32, 4, MMU_REPL_LRU, 0xACE1);
    CHECK_EQ(c.mmu.stlb_sizes, 7); /* 4k, 2m, 1g */
    check_arr(&c.mmu.pwc[MMU_PWC_PML4E], 2, 2, MMU_REPL_LRU, 0xACE1);
    check_arr(&c.mmu.pwc[MMU_PWC_PDPTE], 2, 2, MMU_REPL_PLRU, 0xACE1);
    check_arr(&c.mmu.pwc[MMU_PWC_PDE], 4, 2, MMU_REPL_RANDOM, 0x1D2B);
    CHECK_EQ(c.mmu.l1_lat, 1);
    CHECK_EQ(c.mmu.stlb_lat, 2);
    CHECK_EQ(c.mmu.pwc_lat, 1);
    CHECK_EQ(c.mmu.walkers, 2);
    CHECK_EQ(c.mmu.outstanding, 8);
    CHECK_EQ(c.mmu.maxphyaddr, 46);
    CHECK_EQ(c.mem.model, MEM_FIXED);
    CHECK_EQ(c.mem.fixed_lat, 10);
    check_level(&c.mem.l1d, 32768, 8, 4);
    check_level(&c.mem.l2, 262144, 4, 12);
    check_level(&c.mem.llc, 8388608, 16, 42);
    check_common(&c);

    /* a preset replaces everything set before it */
    preset(&c, "tiny");
    EXPECT_OK(SET(&c, "seed", "99"));
    EXPECT_OK(SET(&c, "mem.model", "cache"));
    preset(&c, "skylake");
    CHECK_EQ(c.seed, 1);
    CHECK_EQ(c.mem.model, MEM_CACHE);
    preset(&c, "tiny");
    CHECK_EQ(c.mem.model, MEM_FIXED);

    sim_config_t before = c;
    EXPECT_ERR(cfg_preset(&c, "haswell", err, sizeof err), "preset: unknown preset 'haswell' (tiny, skylake, zen2)");
    CHECK(memcmp(&before, &c, sizeof c) == 0);
    EXPECT_ERR(cfg_preset(&c, "Skylake", err, sizeof err), "unknown preset 'Skylake'");
    EXPECT_ERR(cfg_preset(&c, NULL, err, sizeof err), "preset: unknown preset ''");
}

/* ------------------------------------------------------------ cfg_set */

static void test_set(void)
{
    sim_config_t c;
    preset(&c, "skylake");

    /* arrays */
    EXPECT_OK(SET(&c, "dtlb.4k.entries", "16"));
    CHECK_EQ(c.mmu.dtlb[MMU_PS_4K].entries, 16);
    EXPECT_OK(SET(&c, "dtlb.4k.entries", "0x20"));
    CHECK_EQ(c.mmu.dtlb[MMU_PS_4K].entries, 32);
    EXPECT_OK(SET(&c, "itlb.1g.ways", "2"));
    CHECK_EQ(c.mmu.itlb[MMU_PS_1G].ways, 2);
    EXPECT_OK(SET(&c, "stlb.repl", "PLRU"));
    CHECK_EQ(c.mmu.stlb.repl, MMU_REPL_PLRU);
    EXPECT_OK(SET(&c, "stlb.repl", "random"));
    CHECK_EQ(c.mmu.stlb.repl, MMU_REPL_RANDOM);
    EXPECT_OK(SET(&c, "stlb.repl", "lru"));
    CHECK_EQ(c.mmu.stlb.repl, MMU_REPL_LRU);
    EXPECT_OK(SET(&c, "pwc.pde.lfsr_seed", "0xBEEF"));
    CHECK_EQ(c.mmu.pwc[MMU_PWC_PDE].lfsr_seed, 0xBEEF);
    EXPECT_OK(SET(&c, "pwc.pml4e.lfsr_seed", "12345"));
    CHECK_EQ(c.mmu.pwc[MMU_PWC_PML4E].lfsr_seed, 12345);
    EXPECT_OK(SET(&c, "pwc.pdpte.entries", "0"));
    CHECK_EQ(c.mmu.pwc[MMU_PWC_PDPTE].entries, 0);
    EXPECT_OK(SET(&c, "dtlb.1g.entries", "65536"));
    CHECK_EQ(c.mmu.dtlb[MMU_PS_1G].entries, 65536);
    EXPECT_OK(SET(&c, "itlb.2m.ways", " 64 "));
    CHECK_EQ(c.mmu.itlb[MMU_PS_2M].ways, 64);

    /* stlb.sizes */
    EXPECT_OK(SET(&c, "stlb.sizes", "1g"));
    CHECK_EQ(c.mmu.stlb_sizes, 4);
    EXPECT_OK(SET(&c, "stlb.sizes", "4K, 2M"));
    CHECK_EQ(c.mmu.stlb_sizes, 3);
    EXPECT_OK(SET(&c, "stlb.sizes", "1g,4k,2m"));
    CHECK_EQ(c.mmu.stlb_sizes, 7);

    /* MMU scalars */
    EXPECT_OK(SET(&c, "lat.l1", "3"));
    CHECK_EQ(c.mmu.l1_lat, 3);
    EXPECT_OK(SET(&c, "lat.stlb", "1000"));
    CHECK_EQ(c.mmu.stlb_lat, 1000);
    EXPECT_OK(SET(&c, "lat.pwc", "2"));
    CHECK_EQ(c.mmu.pwc_lat, 2);
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

static void test_set_errors(void)
{
    sim_config_t c;
    preset(&c, "skylake");
    sim_config_t before = c;

    EXPECT_ERR(SET(&c, "dtlb.8k.entries", "4"), "unknown key 'dtlb.8k.entries'");
    CHECK(strcmp(err, "unknown key 'dtlb.8k.entries'") == 0);
    EXPECT_ERR(SET(&c, "stlb", "4"), "unknown key 'stlb'");
    EXPECT_ERR(SET(&c, "dtlb.4k", "4"), "unknown key 'dtlb.4k'");
    EXPECT_ERR(SET(&c, "dtlb.4k.entries.x", "4"), "unknown key 'dtlb.4k.entries.x'");
    EXPECT_ERR(SET(&c, "DTLB.4k.entries", "4"), "unknown key 'DTLB.4k.entries'");
    EXPECT_ERR(SET(&c, "stlb.size", "4k"), "unknown key 'stlb.size'");
    EXPECT_ERR(SET(&c, "", "4"), "unknown key ''");
    EXPECT_ERR(SET(&c, "preset", "tiny"), "unknown key 'preset'");
    EXPECT_ERR(SET(&c, "walkers", NULL), "walkers: missing value");

    EXPECT_ERR(SET(&c, "stlb.repl", "fifo"), "stlb.repl: unknown policy 'fifo' (lru, plru, random)");
    CHECK(strcmp(err, "stlb.repl: unknown policy 'fifo' (lru, plru, random)") == 0);
    EXPECT_ERR(SET(&c, "dtlb.4k.ways", "65"), "dtlb.4k.ways: must be <= 64 (got 65)");
    EXPECT_ERR(SET(&c, "dtlb.4k.entries", "65537"), "dtlb.4k.entries: must be <= 65536 (got 65537)");
    EXPECT_ERR(SET(&c, "dtlb.4k.entries", "abc"), "dtlb.4k.entries: 'abc' is not a number");
    EXPECT_ERR(SET(&c, "dtlb.4k.entries", "-1"), "dtlb.4k.entries: '-1' is not a number");
    EXPECT_ERR(SET(&c, "dtlb.4k.entries", ""), "dtlb.4k.entries: '' is not a number");
    EXPECT_ERR(SET(&c, "dtlb.4k.entries", "4K"), "dtlb.4k.entries: '4K' is not a number");
    EXPECT_ERR(SET(&c, "itlb.4k.lfsr_seed", "65536"), "itlb.4k.lfsr_seed: must be <= 65535 (got 65536)");
    EXPECT_ERR(SET(&c, "lat.l1", "0"), "lat.l1: must be in 1..1000 (got 0)");
    EXPECT_ERR(SET(&c, "lat.stlb", "1001"), "lat.stlb: must be in 1..1000 (got 1001)");
    EXPECT_ERR(SET(&c, "lat.pwc", "99999999999999999999"), "lat.pwc: '99999999999999999999' is not a number");
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
    EXPECT_ERR(SET(&c, "stlb.sizes", ""), "stlb.sizes: must name at least one page size");
    EXPECT_ERR(SET(&c, "stlb.sizes", "4k,8k"), "stlb.sizes: unknown page size '8k' (4k, 2m, 1g)");
    EXPECT_ERR(SET(&c, "stlb.sizes", "4k,4K"), "stlb.sizes: page size '4K' listed twice");
    EXPECT_ERR(SET(&c, "stlb.sizes", "4k,,2m"), "stlb.sizes: unknown page size ''");
    EXPECT_ERR(SET(&c, "stlb.sizes", "4k,2m,1g,4k"), "stlb.sizes:");
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

/* ------------------------------------------------------------ cfg_check */

static void test_check(void)
{
    sim_config_t c;

    /* the five array rules */
    preset(&c, "skylake");
    c.mmu.dtlb[MMU_PS_4K].ways = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "dtlb.4k.ways: must be >= 1 (got 0)");
    CHECK(strcmp(err, "dtlb.4k.ways: must be >= 1 (got 0)") == 0);
    EXPECT_ERR(mmu_config_check(&c.mmu, err, sizeof err), "dtlb.4k.ways: must be >= 1 (got 0)");

    preset(&c, "skylake");
    c.mmu.dtlb[MMU_PS_4K].ways = 3; /* 64 % 3 != 0 */
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "dtlb.4k.entries: must be a multiple of dtlb.4k.ways = 3 (got 64)");

    preset(&c, "skylake");
    c.mmu.dtlb[MMU_PS_4K].entries = 48; /* 4-way: 12 sets */
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "dtlb.4k.entries: 48 entries / 4 ways = 12 sets, not a power of two");

    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "itlb.2m.entries", "6"));
    EXPECT_OK(SET(&c, "itlb.2m.ways", "3"));
    EXPECT_OK(SET(&c, "itlb.2m.repl", "plru")); /* 2 sets of 3 ways */
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "itlb.2m.repl: plru needs a power-of-two number of ways");
    EXPECT_OK(SET(&c, "itlb.2m.repl", "lru")); /* LRU is fine with 3 ways */
    EXPECT_OK(cfg_check(&c, err, sizeof err));

    preset(&c, "tiny");
    c.mmu.dtlb[MMU_PS_2M].lfsr_seed = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "dtlb.2m.lfsr_seed: must be non-zero with repl = random");
    preset(&c, "tiny");
    EXPECT_OK(SET(&c, "pwc.pde.lfsr_seed", "0"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "pwc.pde.lfsr_seed: must be non-zero");
    EXPECT_OK(SET(&c, "pwc.pde.repl", "lru")); /* the seed is unused by LRU */
    EXPECT_OK(cfg_check(&c, err, sizeof err));

    /* 1536 entries, 12 ways, LRU: 128 sets; accepted. PLRU is not. */
    preset(&c, "tiny");
    EXPECT_OK(SET(&c, "stlb.entries", "1536"));
    EXPECT_OK(SET(&c, "stlb.ways", "12"));
    EXPECT_OK(SET(&c, "stlb.repl", "lru"));
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    EXPECT_OK(SET(&c, "stlb.repl", "plru"));
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "stlb.repl: plru needs a power-of-two number of ways (stlb.ways = 12)");
    EXPECT_OK(SET(&c, "stlb.repl", "random"));
    EXPECT_OK(cfg_check(&c, err, sizeof err));

    /* disabled arrays: ways, repl and seed unused */
    preset(&c, "skylake");
    c.mmu.pwc[MMU_PWC_PDE].entries = 0;
    c.mmu.pwc[MMU_PWC_PDE].ways = 0;
    c.mmu.pwc[MMU_PWC_PDE].repl = MMU_REPL_RANDOM;
    c.mmu.pwc[MMU_PWC_PDE].lfsr_seed = 0;
    EXPECT_OK(cfg_check(&c, err, sizeof err));
    c.mmu.pwc[MMU_PWC_PDE].repl = (mmu_repl_t)3;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "pwc.pde.repl: unknown policy 3");

    /* fully associative 64-way and direct-mapped are fine */
    preset(&c, "skylake");
    EXPECT_OK(SET(&c, "dtlb.4k.ways", "64"));
    EXPECT_OK(SET(&c, "dtlb.4k.repl", "plru"));
    EXPECT_OK(SET(&c, "itlb.4k.ways", "1"));
    EXPECT_OK(cfg_check(&c, err, sizeof err));

    /* the set-time ranges, for structs filled by code */
    preset(&c, "skylake");
    c.mmu.stlb.ways = 128;
    c.mmu.stlb.entries = 1024;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "stlb.ways: must be <= 64 (got 128)");
    preset(&c, "skylake");
    c.mmu.stlb.entries = 131072;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "stlb.entries: must be <= 65536 (got 131072)");
    preset(&c, "skylake");
    c.mmu.stlb_sizes = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "stlb.sizes: must name at least one page size");
    c.mmu.stlb_sizes = 9;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "stlb.sizes: unknown bits 0x8");
    preset(&c, "skylake");
    c.mmu.stlb_lat = 0;
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "lat.stlb: must be in 1..1000 (got 0)");
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
    CHECK_EQ(c.mmu.itlb[0].entries + c.mmu.dtlb[0].entries + c.mmu.dtlb[1].entries + c.mmu.stlb.entries +
                 c.mmu.pwc[0].entries + c.mmu.pwc[1].entries + c.mmu.pwc[2].entries,
             0);
    CHECK_EQ(cfg_check(&c, err, sizeof err), 0);
    CHECK_EQ(cfg_set(&c, "pwc.pde.entries", "4", err, sizeof err), 0);
    EXPECT_ERR(cfg_check(&c, err, sizeof err), "nocache: on, but pwc.pde.entries = 4");
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
        if (cfg_set(c, line, eq + 3, err, sizeof err) != 0)
            fprintf(stderr, "dump line '%s = %s' rejected: %s\n", line, eq + 3, err);
        n++;
    }
    free(copy);
    return n;
}

static void round_trip(const sim_config_t *src, const char *start)
{
    sim_config_t dst;
    preset(&dst, start);
    char *d1 = dump_to_string(src);
    int lines = apply_dump(&dst, d1);
    CHECK_EQ(lines, 76); /* 10 arrays x 4 keys + 36 other keys */
    char *d2 = dump_to_string(&dst);
    if (strcmp(d1, d2) != 0)
        fprintf(stderr, "dump differs after round trip:\n%s\n---\n%s\n", d1, d2);
    CHECK(strcmp(d1, d2) == 0);
    CHECK(memcmp(src, &dst, sizeof dst) == 0); /* both started from a zeroed preset */
    free(d1);
    free(d2);
}

static void test_dump(void)
{
    sim_config_t c;
    preset(&c, "skylake");
    char *d = dump_to_string(&c);
    /* the documented order and formats */
    static const char head[] =
        "itlb.4k.entries = 128\nitlb.4k.ways = 8\nitlb.4k.repl = lru\nitlb.4k.lfsr_seed = 0xACE1\n";
    CHECK(strncmp(d, head, strlen(head)) == 0);
    CHECK(strstr(d, "\nstlb.lfsr_seed = 0xACE1\nstlb.sizes = 4k,2m\npwc.pml4e.entries = 2\n") != NULL);
    CHECK(strstr(d, "\npwc.pde.lfsr_seed = 0xACE1\nnocache = off\nlat.l1 = 1\nlat.stlb = 9\nlat.pwc = 1\nwalkers = 2\n"
                    "outstanding = 16\nmaxphyaddr = 46\nmem.model = cache\nmem.latency = 30\n"
                    "mem.l1d.size = 32 KiB\nmem.l1d.ways = 8\nmem.l1d.lat = 4\n"
                    "mem.l2.size = 256 KiB\nmem.l2.ways = 4\nmem.l2.lat = 12\n"
                    "mem.llc.size = 8 MiB\nmem.llc.ways = 16\nmem.llc.lat = 42\nmem.dram.lat = 200\n"
                    "issue = pipelined\nbacking = 4k\nbacking.mix = 60,30,10\ndemand.ad = clear\nperf = intel\nprocesses = 1\n"
                    "switch_every = 100000\npcid = off\nmode.wp = on\nmode.smep = off\nmode.smap = off\n"
                    "mode.nxe = on\nmode.pge = on\nmode.ac = off\ncpuid.page1gb = on\nseed = 1\n") != NULL);
    size_t len = strlen(d);
    CHECK(len >= 10 && strcmp(d + len - 10, "\nseed = 1\n") == 0); /* the last key */
    free(d);

    /* every preset, read back starting from a different one */
    round_trip(&c, "tiny");
    preset(&c, "zen2");
    round_trip(&c, "tiny");
    preset(&c, "tiny");
    round_trip(&c, "zen2");

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
    EXPECT_OK(SET(&c, "stlb.sizes", "1g"));
    EXPECT_OK(SET(&c, "mem.l1d.size", "1000"));  /* bytes */
    EXPECT_OK(SET(&c, "mem.l2.size", "1536K"));  /* KiB, not 1.5 MiB */
    EXPECT_OK(SET(&c, "mem.llc.size", "2G"));    /* GiB */
    EXPECT_OK(SET(&c, "itlb.4k.lfsr_seed", "0xFFFF"));
    EXPECT_OK(SET(&c, "itlb.4k.repl", "random"));
    EXPECT_OK(SET(&c, "processes", "4096"));
    d = dump_to_string(&c);
    CHECK(strstr(d, "\nmem.l1d.size = 1000\n") != NULL);
    CHECK(strstr(d, "\nmem.l2.size = 1536 KiB\n") != NULL);
    CHECK(strstr(d, "\nmem.llc.size = 2 GiB\n") != NULL);
    CHECK(strstr(d, "\nstlb.sizes = 1g\n") != NULL);
    CHECK(strstr(d, "\npcid = on\n") != NULL);
    CHECK(strstr(d, "\nbacking.mix = 0,7,0\ndemand.ad = linux\n") != NULL);
    CHECK(strstr(d, "\nseed = 18446744073709551615\n") != NULL);
    CHECK(strstr(d, "itlb.4k.repl = random\nitlb.4k.lfsr_seed = 0xFFFF\n") != NULL);
    free(d);
    round_trip(&c, "skylake");
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

    /* nested objects, a preset applied first though it comes last, every
     * value kind */
    preset(&c, "skylake");
    JSON_OK(&c, "nested.json",
            "{\n"
            "  \"dtlb\": {\"4k\": {\"entries\": 16, \"ways\": \"4\", \"repl\": \"plru\"},\n"
            "           \"2m\": {\"lfsr_seed\": \"0xBEEF\"}},\n"
            "  \"stlb.sizes\": \"4k\",\n"
            "  \"stlb\": {\"entries\": 64},\n"
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
    CHECK_EQ(c.mmu.itlb[MMU_PS_4K].entries, 4); /* from tiny */
    CHECK_EQ(c.mmu.dtlb[MMU_PS_4K].entries, 16);
    CHECK_EQ(c.mmu.dtlb[MMU_PS_4K].ways, 4);
    CHECK_EQ(c.mmu.dtlb[MMU_PS_4K].repl, MMU_REPL_PLRU);
    CHECK_EQ(c.mmu.dtlb[MMU_PS_2M].lfsr_seed, 0xBEEF);
    CHECK_EQ(c.mmu.dtlb[MMU_PS_2M].repl, MMU_REPL_RANDOM); /* tiny */
    CHECK_EQ(c.mmu.stlb_sizes, 1);
    CHECK_EQ(c.mmu.stlb.entries, 64);
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

    /* without a preset the file applies on top of the current values */
    preset(&c, "zen2");
    JSON_OK(&c, "partial.json", "{\"walkers\": 4, \"lat\": {\"stlb\": 8}, \"stlb.sizes\": [\"4k\", \"1g\"]}");
    CHECK_EQ(c.mmu.walkers, 4);
    CHECK_EQ(c.mmu.stlb_lat, 8);
    CHECK_EQ(c.mmu.stlb_sizes, 5);
    CHECK_EQ(c.mmu.stlb.entries, 2048); /* zen2 */
    CHECK_EQ(c.mmu.maxphyaddr, 48);
    JSON_OK(&c, "empty.json", "{}");
    CHECK_EQ(c.mmu.walkers, 4);
    JSON_OK(&c, "emptyobj.json", "{\"dtlb\": {}}");

    /* errors: "PATH: key: reason", and nothing changes */
    preset(&c, "skylake");
    before = c;
    JSON_ERR(&c, "unknown.json", "{\"walkers\": 3, \"dtlb\": {\"8k\": {\"entries\": 4}}}",
             "unknown key 'dtlb.8k.entries'");
    CHECK(memcmp(&before, &c, sizeof c) == 0); /* walkers = 3 was not kept */
    JSON_ERR(&c, "nestedpreset.json", "{\"dtlb\": {\"preset\": \"tiny\"}}", "unknown key 'dtlb.preset'");
    JSON_ERR(&c, "range.json", "{\"walkers\": 0}", "walkers: must be in 1..16 (got 0)");
    JSON_ERR(&c, "policy.json", "{\"stlb\": {\"repl\": \"fifo\"}}",
             "stlb.repl: unknown policy 'fifo' (lru, plru, random)");
    JSON_ERR(&c, "ad.json", "{\"demand.ad\": \"linux\", \"demand\": {\"ad\": \"dirty\"}}", "demand.ad: given twice");
    JSON_ERR(&c, "adbad.json", "{\"demand\": {\"ad\": true}}",
             "demand.ad: unknown A/D state 'true' (clear, linux, dirty)");
    JSON_ERR(&c, "frac.json", "{\"lat\": {\"l1\": 2.5}}", "lat.l1: 2.5 is not an integer");
    JSON_ERR(&c, "big.json", "{\"seed\": 1e20}", "seed: 1e+20 is too large");
    JSON_ERR(&c, "neg.json", "{\"walkers\": -1}", "walkers: '-1' is not a number");
    JSON_ERR(&c, "null.json", "{\"walkers\": null}", "walkers: null is not a value");
    JSON_ERR(&c, "boolnum.json", "{\"walkers\": true}", "walkers: 'true' is not a number");
    JSON_ERR(&c, "nestedlist.json", "{\"backing.mix\": [[1], 2, 3]}", "backing.mix: a list may hold only");
    JSON_ERR(&c, "twice.json", "{\"walkers\": 2, \"walkers\": 3}", "walkers: given twice");
    JSON_ERR(&c, "twice2.json", "{\"lat.l1\": 2, \"lat\": {\"l1\": 3}}", "lat.l1: given twice");
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

    /* clean up */
    static const char *const names[] = {
        "nested.json",  "partial.json", "empty.json",   "emptyobj.json", "unknown.json",    "nestedpreset.json",
        "range.json",   "policy.json",  "frac.json",    "big.json",      "neg.json",        "null.json",
        "boolnum.json", "twice.json",   "twice2.json",  "presetnum.json", "presetbad.json", "preset2.json",
        "array.json",   "scalar.json",  "empty.txt",    "comma.json",    "junk.json",       "quote.json",
        "nul.json",     "nestedlist.json", "tru.json", "trailing.json", "ad.json", "adbad.json",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        CHECK_EQ(unlink(p), 0);
    }
    CHECK_EQ(rmdir(tmpdir), 0);
}

/* ------------------------------------------------------------ docs */

/* docs/config.md names every key that cfg_dump writes, as `key`. */
static void test_docs(void)
{
    const char *path = MMU_SOURCE_DIR "/docs/config.md";
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open\n", path);
        return;
    }
    static char doc[1 << 17];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    doc[n] = '\0';
    fclose(f);

    sim_config_t c;
    preset(&c, "skylake");
    char *d = dump_to_string(&c), *save = NULL;
    for (char *line = strtok_r(d, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char key[96];
        char *eq = strstr(line, " = ");
        if (eq == NULL)
            continue;
        *eq = '\0';
        /* array keys are documented as NAME and .field */
        const char *fields[] = {".entries", ".ways", ".repl", ".lfsr_seed"};
        int is_field = 0;
        for (int i = 0; i < 4; i++) {
            size_t fl = strlen(fields[i]), ll = strlen(line);
            if (ll > fl && strcmp(line + ll - fl, fields[i]) == 0) {
                snprintf(key, sizeof key, "`%.*s`", (int)(ll - fl), line);
                is_field = 1;
            }
        }
        if (!is_field)
            snprintf(key, sizeof key, "`%s`", line);
        if (strstr(doc, key) == NULL)
            fprintf(stderr, "docs/config.md does not name %s\n", key);
        CHECK(strstr(doc, key) != NULL);
    }
    free(d);
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
    test_check();
    test_dump();
    test_json();
    test_docs();
    CHECK_DONE();
}
