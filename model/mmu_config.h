/* mmu_config.h - configuration of the MMU and of a stand-alone run.
 *
 * The user's values live in mmu_config_t / sim_config_t: cfg_preset() fills
 * a preset, cfg_load_json() and cfg_set() change keys, cfg_check() rejects
 * what the code cannot do (naming the key), cfg_dump() prints every key so
 * that it reads back. Keys, defaults and ranges: docs/config.md.
 */
#ifndef MMU_CONFIG_H
#define MMU_CONFIG_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "mmu_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { MMU_REPL_LRU = 0, MMU_REPL_PLRU = 1, MMU_REPL_RANDOM = 2 } mmu_repl_t;

/* The geometry of one set-associative array (a TLB or a page-walk cache).
 * entries == 0 disables the array; otherwise sets = entries / ways must be a
 * power of two (ways = entries: fully associative, any number of entries up
 * to MMU_MAX_WAYS), and tree-PLRU needs a power-of-two number of ways. */
typedef struct {
    uint32_t entries;
    uint32_t ways;
    mmu_repl_t repl;
    uint16_t lfsr_seed; /* MMU_REPL_RANDOM only; non-zero */
} mmu_array_cfg_t;

enum { MMU_PWC_PML4E = 0, MMU_PWC_PDPTE = 1, MMU_PWC_PDE = 2, MMU_PWC_COUNT = 3 };

enum {
    MMU_TLB_MAX = 12, /* TLB arrays in a configuration */
    MMU_PWC_MAX = 4,  /* page-walk caches */
    MMU_NAME_LEN = 24, /* an array's name: 1..23 of [a-z0-9_] */
    MMU_MAX_WAYS = 128
};

/* Access kinds an array serves: bit 1 << MMU_ACC_* (docs/config.md "serves"). */
enum { MMU_SERVE_LOAD = 1u << 0, MMU_SERVE_STORE = 1u << 1, MMU_SERVE_FETCH = 1u << 2, MMU_SERVE_ALL = 7u };

/* One TLB array (docs/timing.md 3, [T:lookup], [T:fill]): looked up by the
 * accesses it serves at its level, holding the page sizes in `sizes` and,
 * with splinter, pieces of larger pages. */
typedef struct {
    char name[MMU_NAME_LEN];
    mmu_array_cfg_t a;
    uint32_t level;    /* 1 or 2 */
    uint32_t serves;   /* MMU_SERVE_* bits */
    uint32_t sizes;    /* bit 1 << MMU_PS_*: page sizes held */
    uint32_t lat;      /* lookup latency, cycles (one per level: 3) */
    uint32_t splinter; /* 1: a larger page is cached as a piece of the largest size held */
} mmu_tlb_cfg_t;

/* One page-walk cache (SDM 4.10.3): the paging-structure levels it holds. */
typedef struct {
    char name[MMU_NAME_LEN];
    mmu_array_cfg_t a;
    uint32_t levels; /* bit 1 << MMU_PWC_*: PML4E, PDPTE, PDE entries held */
    uint32_t lat;    /* lookup latency, cycles (one for all page-walk caches) */
} mmu_pwc_cfg_t;

typedef struct {
    uint32_t ntlb;                  /* TLB arrays in tlb[] (0..MMU_TLB_MAX), in configuration order */
    mmu_tlb_cfg_t tlb[MMU_TLB_MAX];
    uint32_t npwc;                  /* page-walk caches in pwc[] */
    mmu_pwc_cfg_t pwc[MMU_PWC_MAX];
    uint32_t walkers;               /* concurrent walks, 1..16 */
    uint32_t outstanding;           /* request table entries, 1..64 */
    uint32_t maxphyaddr;            /* MAXPHYADDR, 32..52 */
} mmu_config_t;

/* The latencies of docs/timing.md 3, from the arrays (mmu_config_check
 * makes them one per level): L1_LAT and L2_LAT are the lat of the level-1
 * and level-2 TLB arrays, PWC_LAT that of the page-walk caches; 1 when
 * there is no such array with entries (an array with 0 entries is absent,
 * [T:organisation]). */
uint32_t mmu_cfg_l1_lat(const mmu_config_t *m);
uint32_t mmu_cfg_l2_lat(const mmu_config_t *m);
uint32_t mmu_cfg_pwc_lat(const mmu_config_t *m);

/* Index of the TLB array / page-walk cache of that name, or -1. */
int mmu_cfg_tlb_find(const mmu_config_t *m, const char *name);
int mmu_cfg_pwc_find(const mmu_config_t *m, const char *name);

typedef enum { MEM_FIXED = 0, MEM_CACHE = 1 } mem_model_t;

typedef struct {
    uint32_t size; /* bytes; 0 disables the level */
    uint32_t ways;
    uint32_t lat; /* cycles for a hit at this level */
} mem_level_cfg_t;

/* Memory side of a stand-alone run: how long a paging-structure read takes. */
typedef struct {
    mem_model_t model;
    uint32_t fixed_lat;      /* MEM_FIXED: cycles, >= 1 */
    mem_level_cfg_t l1d;     /* MEM_CACHE: 64-byte lines, LRU */
    mem_level_cfg_t l2;
    mem_level_cfg_t llc;
    uint32_t dram_lat;       /* MEM_CACHE: cycles on a miss in every level */
} mem_config_t;

typedef enum { ISSUE_PIPELINED = 0, ISSUE_INORDER = 1 } issue_mode_t;

/* Backing page size for demand mapping. */
typedef enum { BACK_4K = 0, BACK_2M = 1, BACK_1G = 2, BACK_MIX = 3 } backing_t;

/* A and D of a page mapped on demand (key demand.ad, docs/config.md):
 * CLEAR: A = D = 0 everywhere, the walk sets them; LINUX: as Linux's fault
 * handler maps a page (leaf A = 1, D = 1 iff the first touch is a write;
 * paging-structure entries it creates A = 1); DIRTY: A = 1 in every entry
 * written and D = 1 in the leaf. */
typedef enum { DEMAND_AD_CLEAR = 0, DEMAND_AD_LINUX = 1, DEMAND_AD_DIRTY = 2 } demand_ad_t;

/* Whose performance events the statistics' "perf" section is named after
 * (key perf, docs/stats.md): Intel's (dtlb_load_misses.* ...) or AMD's
 * (ls_l1_d_tlb_miss.* ...). */
typedef enum { PERF_INTEL = 0, PERF_AMD = 1 } perf_vendor_t;

typedef struct {
    mmu_config_t mmu;
    mem_config_t mem;
    issue_mode_t issue;
    backing_t backing;
    uint32_t mix_weight[MMU_PS_COUNT]; /* BACK_MIX: weights of 4K/2M/1G per 1 GiB region */
    demand_ad_t demand_ad;             /* A/D of pages mapped on first touch (not in replay) */
    perf_vendor_t perf;                /* names of the "perf" statistics */
    uint32_t processes;                /* address spaces, 1..4096 */
    uint64_t switch_every;             /* accesses between CR3 switches (processes > 1) */
    uint32_t pcid;                     /* 1: CR4.PCIDE=1 and one PCID per process */
    uint32_t mode;                     /* initial MMU_MODE_* bits (MMU_MODE_NOPG1G: key cpuid.page1gb = off) */
    uint32_t nocache;                  /* 1: every TLB and page-walk cache off (key nocache; set with
                                          cfg_set, which zeroes every array's entries) */
    uint64_t seed;                     /* frame allocator and random workloads */
} sim_config_t;

/* Fill *c with the named preset (cfg_preset_names). Returns 0, or -1
 * with a message in err when the name is unknown. */
int cfg_preset(sim_config_t *c, const char *name, char *err, size_t errlen);

/* Names and one-line descriptions (with their sources) of the presets, NULL-terminated. */
extern const char *const cfg_preset_names[];
extern const char *const cfg_preset_descr[];

/* Set one key from text ("tlb.dtlb.entries", "64"). Returns 0, or -1 with a
 * message naming the key in err. Sizes accept binary units (4K, 2MiB, 1G).
 * A field of an array that does not exist yet adds it, with the defaults of
 * docs/config.md, at the end of its list; "tlb.NAME" = "off" removes it. */
int cfg_set(sim_config_t *c, const char *key, const char *value, char *err, size_t errlen);

/* Set one "KEY=VALUE" (the tools' --set). Returns 0; -2 when the text is not
 * KEY=VALUE (err: "expected KEY=VALUE, got '...'"); -1 as cfg_set. */
int cfg_set_kv(sim_config_t *c, const char *kv, char *err, size_t errlen);

/* Apply a JSON config file: nested objects are flattened to dotted keys,
 * {"walkers": 4, "mem": {"latency": 20}} == walkers=4, mem.latency=20; the key
 * "preset" (if present) is applied first. A top-level "tlb" object replaces
 * the whole list of TLB arrays with its members, in file order ("pwc"
 * likewise). Returns 0 or -1 with "FILE: key: reason". */
int cfg_load_json(sim_config_t *c, const char *path, char *err, size_t errlen);

/* Reject what the code cannot do. Returns 0 or -1 with "key: reason". */
int mmu_config_check(const mmu_config_t *c, char *err, size_t errlen);
int cfg_check(const sim_config_t *c, char *err, size_t errlen);

/* Write every key and its current value, one "key = value" per line. */
void cfg_dump(const sim_config_t *c, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
