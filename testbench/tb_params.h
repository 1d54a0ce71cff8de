/* tb_params.h - the RTL parameters that a configuration implies.
 *
 * rtl/mmu_top.sv has one set of parameters per slot of the configuration's
 * lists (docs/config.md, docs/timing.md [T:organisation]): the TLB array at
 * position i of the list is slot i (TLB<i>_LEVEL, _SERVES, _SIZES,
 * _ENTRIES, _WAYS, _REPL, _LFSR_SEED, _SPLINTER, i = 0..11), the page-walk
 * cache at position j is PWC<j>_LEVELS, _ENTRIES, _WAYS, _REPL, _LFSR_SEED
 * (j = 0..3); N_TLB and N_PWC count the arrays; LAT_L1, LAT_L2 and LAT_PWC
 * are the one latency of each level (mmu_cfg_l1_lat ...); WALKERS,
 * OUTSTANDING, MAXPHYADDR. Values: integers as they are, policies
 * lru/plru/random -> 0/1/2, serves (load, store, fetch), sizes (4k, 2m, 1g)
 * and levels (pml4e, pdpte, pde) as bit masks, splinter off/on -> 0/1.
 * A slot beyond the list gets ENTRIES 0 (no array), LEVEL 1, WAYS 1, the
 * other fields 0 (LFSR_SEED 0xACE1), under the key tlb.<slotN>.FIELD.
 *
 * The list is derived from cfg_dump() (keys tlb.NAME.FIELD, pwc.NAME.FIELD,
 * the array's slot its position in the dump), as scripts/rtl-params does
 * from mmusim --dump-config: a field added to the model without an RTL
 * parameter shows up as an unknown parameter (TLB<i>_FIELD). It is used
 * twice: at configure time (gen_params.c makes the -G list of the
 * Verilated build and the header rtl_params.h) and at run time (the
 * testbench refuses a configuration that differs from the one the RTL was
 * built with).
 */
#ifndef TB_PARAMS_H
#define TB_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "mmu_config.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TB_MAX_PARAMS 160 /* 12 x 8 + 4 x 5 + 8, and room */
#define TB_SLOTS_MAX 12  /* max(MMU_TLB_MAX, MMU_PWC_MAX) */

typedef struct {
    char key[48];   /* "tlb.dtlb.entries" */
    char param[48]; /* "TLB2_ENTRIES" */
    uint64_t value;
} tb_param_t;

/* Fill out[0..n) with the MMU parameters of c. Returns n, or -1 with a
 * message in err. */
int tb_params_from_config(const sim_config_t *c, tb_param_t *out, int max, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
