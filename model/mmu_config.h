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

/* One set-associative array (a TLB or a page-walk cache).
 * entries == 0 disables the array; otherwise sets = entries / ways must be a
 * power of two, and tree-PLRU needs a power-of-two number of ways. */
typedef struct {
    uint32_t entries;
    uint32_t ways;
    mmu_repl_t repl;
    uint16_t lfsr_seed; /* MMU_REPL_RANDOM only; non-zero */
} mmu_array_cfg_t;

enum { MMU_PWC_PML4E = 0, MMU_PWC_PDPTE = 1, MMU_PWC_PDE = 2, MMU_PWC_COUNT = 3 };

typedef struct {
    mmu_array_cfg_t itlb[MMU_PS_COUNT]; /* L1 instruction TLB, one array per page size */
    mmu_array_cfg_t dtlb[MMU_PS_COUNT]; /* L1 data TLB, one array per page size */
    mmu_array_cfg_t stlb;               /* shared second-level TLB */
    uint32_t stlb_sizes;                /* bit MMU_PS_x set: the STLB holds that page size */
    mmu_array_cfg_t pwc[MMU_PWC_COUNT]; /* PML4E, PDPTE, PDE caches (SDM 4.10.3) */
    uint32_t l1_lat;                    /* cycles, >= 1 */
    uint32_t stlb_lat;                  /* cycles, >= 1 */
    uint32_t pwc_lat;                   /* cycles, >= 1 */
    uint32_t walkers;                   /* concurrent walks, 1..16 */
    uint32_t outstanding;               /* request table entries, 1..64 */
    uint32_t maxphyaddr;                /* MAXPHYADDR, 32..52 */
} mmu_config_t;

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

/* Fill *c with the named preset ("tiny", "skylake", "zen2"). Returns 0, or -1
 * with a message in err when the name is unknown. */
int cfg_preset(sim_config_t *c, const char *name, char *err, size_t errlen);

/* Names and one-line descriptions of the presets, NULL-terminated. */
extern const char *const cfg_preset_names[];
extern const char *const cfg_preset_descr[];

/* Set one key from text ("dtlb.4k.entries", "64"). Returns 0, or -1 with a
 * message naming the key in err. Sizes accept binary units (4K, 2MiB, 1G). */
int cfg_set(sim_config_t *c, const char *key, const char *value, char *err, size_t errlen);

/* Set one "KEY=VALUE" (the tools' --set). Returns 0; -2 when the text is not
 * KEY=VALUE (err: "expected KEY=VALUE, got '...'"); -1 as cfg_set. */
int cfg_set_kv(sim_config_t *c, const char *kv, char *err, size_t errlen);

/* Apply a JSON config file: nested objects are flattened to dotted keys,
 * {"dtlb": {"4k": {"entries": 64}}} == dtlb.4k.entries=64; the key "preset"
 * (if present) is applied first. Returns 0 or -1 with "FILE: key: reason". */
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
