/* gen_params.c - run at configure time (CMake try_run): print the RTL
 * parameters of a configuration, one "key PARAM value" line each.
 * usage: gen_params PRESET [KEY=VALUE ...] */
#include <stdio.h>
#include <string.h>

#include "mmu_config.h"
#include "tb_params.h"

int main(int argc, char **argv)
{
    sim_config_t c;
    char err[512];
    tb_param_t p[TB_MAX_PARAMS];
    if (argc < 2) {
        fprintf(stderr, "usage: gen_params PRESET [KEY=VALUE ...]\n");
        return 2;
    }
    if (cfg_preset(&c, argv[1], err, sizeof err) != 0) {
        printf("error %s\n", err);
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        char kv[512];
        snprintf(kv, sizeof kv, "%s", argv[i]);
        char *eq = strchr(kv, '=');
        if (!eq) {
            printf("error %s: expected KEY=VALUE\n", argv[i]);
            return 1;
        }
        *eq = 0;
        if (cfg_set(&c, kv, eq + 1, err, sizeof err) != 0) {
            printf("error %s\n", err);
            return 1;
        }
    }
    if (cfg_check(&c, err, sizeof err) != 0) {
        printf("error %s\n", err);
        return 1;
    }
    int n = tb_params_from_config(&c, p, TB_MAX_PARAMS, err, sizeof err);
    if (n < 0) {
        printf("error %s\n", err);
        return 1;
    }
    for (int i = 0; i < n; i++)
        printf("%s %s %llu\n", p[i].key, p[i].param, (unsigned long long)p[i].value);
    return 0;
}
