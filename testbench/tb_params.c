/* tb_params.c - configuration keys -> RTL parameters (see tb_params.h). */
#include "tb_params.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_mmu_key(const char *k)
{
    static const char *const prefixes[] = {"itlb.", "dtlb.", "stlb.", "pwc.", "lat.", NULL};
    static const char *const exact[] = {"walkers", "outstanding", "maxphyaddr", NULL};
    for (int i = 0; prefixes[i]; i++)
        if (!strncmp(k, prefixes[i], strlen(prefixes[i])))
            return 1;
    for (int i = 0; exact[i]; i++)
        if (!strcmp(k, exact[i]))
            return 1;
    return 0;
}

static int parse_value(const char *key, const char *v, uint64_t *out, char *err, size_t errlen)
{
    size_t kl = strlen(key);
    if (kl >= 5 && !strcmp(key + kl - 5, ".repl")) {
        if (!strcmp(v, "lru")) *out = MMU_REPL_LRU;
        else if (!strcmp(v, "plru")) *out = MMU_REPL_PLRU;
        else if (!strcmp(v, "random")) *out = MMU_REPL_RANDOM;
        else {
            snprintf(err, errlen, "%s: unknown policy '%s'", key, v);
            return -1;
        }
        return 0;
    }
    if (!strcmp(key, "stlb.sizes")) {
        uint64_t m = 0;
        char buf[64];
        snprintf(buf, sizeof buf, "%s", v);
        for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
            if (!strcmp(t, "4k")) m |= 1u << MMU_PS_4K;
            else if (!strcmp(t, "2m")) m |= 1u << MMU_PS_2M;
            else if (!strcmp(t, "1g")) m |= 1u << MMU_PS_1G;
            else {
                snprintf(err, errlen, "%s: unknown page size '%s'", key, t);
                return -1;
            }
        }
        *out = m;
        return 0;
    }
    char *end;
    *out = strtoull(v, &end, 0);
    if (end == v || *end) {
        snprintf(err, errlen, "%s: cannot read '%s' as a number", key, v);
        return -1;
    }
    return 0;
}

int tb_params_from_config(const sim_config_t *c, tb_param_t *out, int max, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cfg_dump(c, f);
    fclose(f);
    int n = 0, rc = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strstr(line, " = ");
        if (!eq)
            continue;
        *eq = 0;
        const char *key = line, *val = eq + 3;
        if (!is_mmu_key(key))
            continue;
        if (n == max || strlen(key) >= sizeof out[0].key) {
            snprintf(err, errlen, "%s: too many keys or key too long", key);
            rc = -1;
            break;
        }
        tb_param_t *p = &out[n];
        snprintf(p->key, sizeof p->key, "%s", key);
        for (size_t i = 0; key[i]; i++)
            p->param[i] = key[i] == '.' ? '_' : (char)toupper((unsigned char)key[i]);
        p->param[strlen(key)] = 0;
        if (parse_value(key, val, &p->value, err, errlen) != 0) {
            rc = -1;
            break;
        }
        n++;
    }
    free(text);
    return rc ? -1 : n;
}
