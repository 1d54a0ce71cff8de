/* tb_params.h - the RTL parameters that a configuration implies.
 *
 * Every MMU key of the C configuration (docs/config.md: the ten arrays,
 * stlb.sizes, lat.*, walkers, outstanding, maxphyaddr) is one parameter of
 * rtl/mmu_top.sv, named by upper-casing the key and replacing '.' with '_'
 * (dtlb.4k.entries -> DTLB_4K_ENTRIES). Values: integers as they are,
 * replacement policies lru/plru/random -> 0/1/2, stlb.sizes -> a bit mask
 * (bit 0 4K, bit 1 2M, bit 2 1G).
 *
 * The list is derived from cfg_dump(), so a key added to the model appears
 * here without an edit. It is used twice: at configure time (gen_params.c
 * makes the -G list of the Verilated build and the header rtl_params.h) and
 * at run time (the testbench refuses a configuration that differs from the
 * one the RTL was built with).
 */
#ifndef TB_PARAMS_H
#define TB_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "mmu_config.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TB_MAX_PARAMS 96

typedef struct {
    char key[48];   /* "dtlb.4k.entries" */
    char param[48]; /* "DTLB_4K_ENTRIES" */
    uint64_t value;
} tb_param_t;

/* Fill out[0..n) with the MMU parameters of c. Returns n, or -1 with a
 * message in err. */
int tb_params_from_config(const sim_config_t *c, tb_param_t *out, int max, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
