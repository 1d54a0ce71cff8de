/* test_config_docs.c - docs/config.md names every configuration key.
 *
 * The keys of cfg_dump() of every preset: a key of the lists, tlb.NAME.FIELD
 * or pwc.NAME.FIELD, must be documented generically as `tlb.NAME.FIELD`
 * (`pwc.NAME.FIELD`), whatever the array's name in a preset; every other key
 * as `key`. Also documented: `tlb.NAME` (= off removes an array) and every
 * preset's name as `NAME`. Kept apart from test_config so that a page behind
 * the code fails on its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mmu_config.h"

#ifndef MMU_SOURCE_DIR
#error "MMU_SOURCE_DIR must name the repository root"
#endif

static char doc[1 << 18];

static char seen[1 << 14];

/* Each key once. */
static void need(const char *key)
{
    char k[200];
    snprintf(k, sizeof k, "\n%s\n", key);
    if (strstr(seen, k) != NULL)
        return;
    if (strlen(seen) + strlen(k) < sizeof seen)
        strcat(seen, k + (seen[0] != '\0'));
    if (strstr(doc, key) == NULL)
        fprintf(stderr, "docs/config.md does not name %s\n", key);
    CHECK(strstr(doc, key) != NULL);
}

int main(void)
{
    const char *path = MMU_SOURCE_DIR "/docs/config.md";
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open\n", path);
        CHECK_DONE();
    }
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    doc[n] = '\0';
    fclose(f);

    char err[256], key[160];
    for (int p = 0; cfg_preset_names[p] != NULL; p++) {
        sim_config_t c;
        if (cfg_preset(&c, cfg_preset_names[p], err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            return EXIT_FAILURE;
        }
        snprintf(key, sizeof key, "`%s`", cfg_preset_names[p]);
        need(key);
        char *d = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&d, &len);
        cfg_dump(&c, m);
        fclose(m);
        char *save = NULL;
        for (char *line = strtok_r(d, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
            char *eq = strstr(line, " = ");
            CHECK(eq != NULL);
            if (eq == NULL)
                continue;
            *eq = '\0';
            if (strncmp(line, "tlb.", 4) == 0 || strncmp(line, "pwc.", 4) == 0) {
                const char *field = strrchr(line, '.') + 1;
                snprintf(key, sizeof key, "`%.3s.NAME.%s`", line, field);
            } else {
                snprintf(key, sizeof key, "`%s`", line);
            }
            need(key);
        }
        free(d);
    }
    need("`tlb.NAME`");
    need("`pwc.NAME`");
    CHECK_DONE();
}
