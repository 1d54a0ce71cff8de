/* tb_params.c - configuration keys -> RTL parameters (see tb_params.h). */
#include "tb_params.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names of a set-valued key's members, bit i = names[i] (docs/config.md). */
static const char *const serve_names[] = {"load", "store", "fetch", NULL};
static const char *const size_names[] = {"4k", "2m", "1g", NULL};
static const char *const level_names[] = {"pml4e", "pdpte", "pde", NULL};

static int parse_set(const char *key, const char *v, const char *const *names, uint64_t *out, char *err,
                     size_t errlen)
{
    uint64_t m = 0;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", v);
    for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        int i = 0;
        while (names[i] && strcmp(t, names[i]) != 0)
            i++;
        if (!names[i]) {
            snprintf(err, errlen, "%s: unknown member '%s'", key, t);
            return -1;
        }
        m |= 1u << i;
    }
    *out = m;
    return 0;
}

/* The value of field f (of a tlb.NAME.f / pwc.NAME.f key, or a scalar key). */
static int parse_value(const char *key, const char *f, const char *v, uint64_t *out, char *err, size_t errlen)
{
    if (!strcmp(f, "repl")) {
        if (!strcmp(v, "lru")) *out = MMU_REPL_LRU;
        else if (!strcmp(v, "plru")) *out = MMU_REPL_PLRU;
        else if (!strcmp(v, "random")) *out = MMU_REPL_RANDOM;
        else {
            snprintf(err, errlen, "%s: unknown policy '%s'", key, v);
            return -1;
        }
        return 0;
    }
    if (!strcmp(f, "serves"))
        return parse_set(key, v, serve_names, out, err, errlen);
    if (!strcmp(f, "sizes"))
        return parse_set(key, v, size_names, out, err, errlen);
    if (!strcmp(f, "levels"))
        return parse_set(key, v, level_names, out, err, errlen);
    if (!strcmp(f, "splinter")) {
        if (!strcmp(v, "on") || !strcmp(v, "1")) *out = 1;
        else if (!strcmp(v, "off") || !strcmp(v, "0")) *out = 0;
        else {
            snprintf(err, errlen, "%s: cannot read '%s' as on/off", key, v);
            return -1;
        }
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

/* The per-array fields that are parameters, in parameter order, and the
 * value an unused slot gets (tb_params.h). */
static const struct {
    const char *f;
    uint64_t unused;
} tlb_fields[] = {{"level", 1},   {"serves", 0}, {"sizes", 0},          {"entries", 0},
                  {"ways", 1},    {"repl", 0},   {"lfsr_seed", 0xACE1}, {"splinter", 0}};
static const struct {
    const char *f;
    uint64_t unused;
} pwc_fields[] = {{"levels", 0}, {"entries", 0}, {"ways", 1}, {"repl", 0}, {"lfsr_seed", 0xACE1}};
enum { N_TLB_F = sizeof tlb_fields / sizeof tlb_fields[0], N_PWC_F = sizeof pwc_fields / sizeof pwc_fields[0] };

static void upper(char *dst, size_t len, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < len; i++)
        dst[i] = src[i] == '.' ? '_' : (char)toupper((unsigned char)src[i]);
    dst[i] = 0;
}

typedef struct {
    tb_param_t *out;
    int n, max;
    char *err;
    size_t errlen;
} list_t;

static int add(list_t *l, const char *key, const char *param, uint64_t v)
{
    if (l->n == l->max || strlen(key) >= sizeof l->out[0].key || strlen(param) >= sizeof l->out[0].param) {
        snprintf(l->err, l->errlen, "%s: too many keys or key too long", key);
        return -1;
    }
    tb_param_t *p = &l->out[l->n++];
    snprintf(p->key, sizeof p->key, "%s", key);
    snprintf(p->param, sizeof p->param, "%s", param);
    p->value = v;
    return 0;
}

int tb_params_from_config(const sim_config_t *c, tb_param_t *out, int max, char *err, size_t errlen)
{
    /* the arrays' fields as cfg_dump writes them: tlb.NAME.FIELD, in list order */
    char names[2][TB_SLOTS_MAX][MMU_NAME_LEN];
    uint64_t val[2][TB_SLOTS_MAX][N_TLB_F];
    int seen[2][TB_SLOTS_MAX][N_TLB_F];
    unsigned nslot[2] = {0, 0};
    const unsigned cap[2] = {MMU_TLB_MAX, MMU_PWC_MAX};
    memset(seen, 0, sizeof seen);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cfg_dump(c, f);
    fclose(f);
    list_t l = {out, 0, max, err, errlen};
    int rc = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && rc == 0; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strstr(line, " = ");
        if (!eq)
            continue;
        *eq = 0;
        const char *key = line, *v = eq + 3;
        int kind = !strncmp(key, "tlb.", 4) ? 0 : !strncmp(key, "pwc.", 4) ? 1 : -1;
        if (kind < 0) {
            /* the scalar MMU keys: upper case */
            if (strcmp(key, "walkers") && strcmp(key, "outstanding") && strcmp(key, "maxphyaddr"))
                continue;
            char pn[48];
            uint64_t x;
            upper(pn, sizeof pn, key);
            if (parse_value(key, key, v, &x, err, errlen) != 0 || add(&l, key, pn, x) != 0)
                rc = -1;
            continue;
        }
        const char *nm = key + 4, *dot = strrchr(nm, '.');
        if (!dot || dot == nm || (size_t)(dot - nm) >= MMU_NAME_LEN) {
            snprintf(err, errlen, "%s: not tlb.NAME.FIELD", key);
            rc = -1;
            break;
        }
        const char *field = dot + 1;
        if (!strcmp(field, "lat"))
            continue; /* one latency per level: LAT_L1, LAT_L2, LAT_PWC below */
        unsigned slot = 0;
        while (slot < nslot[kind] && (strlen(names[kind][slot]) != (size_t)(dot - nm) ||
                                      strncmp(names[kind][slot], nm, (size_t)(dot - nm)) != 0))
            slot++;
        if (slot == nslot[kind]) {
            if (slot == cap[kind]) {
                snprintf(err, errlen, "%s: more than %u arrays", key, cap[kind]);
                rc = -1;
                break;
            }
            snprintf(names[kind][slot], MMU_NAME_LEN, "%.*s", (int)(dot - nm), nm);
            nslot[kind]++;
        }
        unsigned nf = kind ? N_PWC_F : N_TLB_F, fi = 0;
        while (fi < nf && strcmp(kind ? pwc_fields[fi].f : tlb_fields[fi].f, field) != 0)
            fi++;
        if (fi == nf) {
            /* a field the RTL has no parameter for: name it, so that the
             * build (an unknown -G) and the run-time check see it */
            char pn[48];
            char k2[64];
            uint64_t x;
            snprintf(k2, sizeof k2, "%s%u.%s", kind ? "pwc" : "tlb", slot, field);
            upper(pn, sizeof pn, k2);
            if (parse_value(key, field, v, &x, err, errlen) != 0 || add(&l, key, pn, x) != 0)
                rc = -1;
            continue;
        }
        if (parse_value(key, field, v, &val[kind][slot][fi], err, errlen) != 0) {
            rc = -1;
            break;
        }
        seen[kind][slot][fi] = 1;
    }
    free(text);
    if (rc)
        return -1;
    /* every slot, in order: a configured array's fields under their keys,
     * an unused slot's under tlb.<slot N>.FIELD with the values of "no array" */
    for (int kind = 0; kind < 2; kind++) {
        unsigned nf = kind ? N_PWC_F : N_TLB_F;
        for (unsigned s = 0; s < cap[kind]; s++) {
            for (unsigned fi = 0; fi < nf; fi++) {
                const char *fn = kind ? pwc_fields[fi].f : tlb_fields[fi].f;
                char key[64], k2[64], pn[48];
                uint64_t x;
                snprintf(k2, sizeof k2, "%s%u.%s", kind ? "pwc" : "tlb", s, fn);
                upper(pn, sizeof pn, k2);
                if (s < nslot[kind]) {
                    if (!seen[kind][s][fi]) {
                        snprintf(err, errlen, "%s.%s.%s: not in the configuration dump", kind ? "pwc" : "tlb",
                                 names[kind][s], fn);
                        return -1;
                    }
                    snprintf(key, sizeof key, "%s.%s.%s", kind ? "pwc" : "tlb", names[kind][s], fn);
                    x = val[kind][s][fi];
                } else {
                    snprintf(key, sizeof key, "%s.<slot%u>.%s", kind ? "pwc" : "tlb", s, fn);
                    x = kind ? pwc_fields[fi].unused : tlb_fields[fi].unused;
                }
                if (add(&l, key, pn, x) != 0)
                    return -1;
            }
        }
    }
    if (add(&l, "tlb.<count>", "N_TLB", nslot[0]) != 0 || add(&l, "pwc.<count>", "N_PWC", nslot[1]) != 0 ||
        add(&l, "tlb.<level1>.lat", "LAT_L1", mmu_cfg_l1_lat(&c->mmu)) != 0 ||
        add(&l, "tlb.<level2>.lat", "LAT_L2", mmu_cfg_l2_lat(&c->mmu)) != 0 ||
        add(&l, "pwc.<all>.lat", "LAT_PWC", mmu_cfg_pwc_lat(&c->mmu)) != 0)
        return -1;
    return l.n;
}
