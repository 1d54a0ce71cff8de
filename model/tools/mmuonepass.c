/* mmuonepass - STLB hits and walks for many STLB sizes in one run of a
 * workload or trace (model/onepass.h). `mmuonepass --help` for usage.
 * Configuration, workload and trace options are those of mmusim. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu_config.h"
#include "onepass.h"
#include "sim.h"
#include "stats.h"
#include "trace.h"
#include "units.h"
#include "workload.h"

#define MAX_SIZES 4096

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mmuonepass [mmusim options] --stlb ENTRIES:WAYS[,ENTRIES:WAYS...] [--json FILE]\n"
            "Level-2 TLB hits and walks for every listed geometry of the level-2 TLB array tlb.stlb\n"
            "(tlb.stlb.entries, tlb.stlb.ways) from one in-order run (LRU stack simulation,\n"
            "docs/studies.md). The run itself uses the configuration's own tlb.stlb, and its counts\n"
            "are checked against the stacks. Needs (model/onepass.h):\n"
            "  issue = inorder; a level-2 TLB array named stlb (tlb.stlb.level = 2) with\n"
            "  tlb.stlb.repl = lru and at most 64 ways; no other level-2 array that holds or takes\n"
            "  (splinters) the pages tlb.stlb takes; tlb.stlb takes a page size for every access\n"
            "  kind it serves or for none.\n"
            "Other level-2 arrays (e.g. skylake's tlb.stlb1g) stay as configured; their hits count\n"
            "in stlb_hits of every geometry.\n"
            "\n"
            "  --stlb LIST              tlb.stlb geometries, e.g. 64:64,512:4,1536:12; 0 = no tlb.stlb\n"
            "                           (repeatable)\n"
            "  --json [FILE]            {\"run\": statistics of the run, \"sizes\": [one per geometry]}\n"
            "  --check                  only check the configuration: print 'one pass: ok' and exit 0,\n"
            "                           or the reason and exit 1 (no workload, no --stlb needed)\n"
            "  -q, --quiet              no table\n"
            "Configuration: -p/--preset, -c/--config, -s/--set KEY=VALUE, --backing, --issue\n"
            "Workload: -w/--workload, --footprint, -n/--accesses, --stride, --mix, --alpha,\n"
            "          --access-size, --base, --seed      Trace: -t/--trace FILE, --format FMT\n"
            "(as in mmusim --help).\n"
            "\n"
            "Each entry of \"sizes\" has \"tlb.stlb.entries\", \"tlb.stlb.ways\", \"accesses\",\n"
            "\"control_ops\" and \"by_size\" with, per bucket, the counts that are exact for that\n"
            "geometry: translations, reads, writes, fetches, l1_hits, stlb_hits (level-2 hits), walks,\n"
            "joined, faults. Latencies, cycles, walk traffic and the per-array counters depend on\n"
            "the geometry and need separate mmusim runs.\n"
            "\n"
            "Example:\n"
            "  mmuonepass --issue inorder -w zipf --footprint 1G --stlb 64:4,128:4,256:4,512:4\n");
}

static int wl_src_next(void *ctx, trace_rec_t *rec) { return wl_next(ctx, rec); }
typedef struct {
    trace_reader_t *r;
} trace_src_t;
static int trace_src_next(void *ctx, trace_rec_t *rec) { return trace_next(((trace_src_t *)ctx)->r, rec); }
static const char *trace_src_err(void *ctx) { return trace_error(((trace_src_t *)ctx)->r); }
static const char *trace_src_where(void *ctx, char *b, size_t n) { return trace_where(((trace_src_t *)ctx)->r, b, n); }

static int parse_sizes(const char *arg, onepass_size_t *sz, unsigned *n)
{
    const char *p = arg;
    while (*p) {
        char *end;
        if (*n == MAX_SIZES) {
            fprintf(stderr, "mmuonepass: --stlb: at most %d geometries\n", MAX_SIZES);
            return -1;
        }
        if (*p < '0' || *p > '9')
            goto bad;
        unsigned long e = strtoul(p, &end, 10), w = 1;
        if (*end == ':') {
            p = end + 1;
            if (*p < '0' || *p > '9')
                goto bad;
            w = strtoul(p, &end, 10);
        } else if (e != 0) {
            goto bad;
        }
        if (*end != ',' && *end)
            goto bad;
        if (e > 65536 || w > 64)
            goto bad;
        sz[*n].entries = (uint32_t)e;
        sz[*n].ways = (uint32_t)w;
        (*n)++;
        p = *end ? end + 1 : end;
    }
    return 0;
bad:
    fprintf(stderr, "mmuonepass: --stlb: expected ENTRIES:WAYS[,...] (or 0), got '%s'\n", arg);
    return -1;
}

/* The per-geometry document: the run's document without what depends on
 * the geometry, with this geometry's STLB hits and walks. */
static cJSON *size_json(const cJSON *run, const onepass_size_t *s, const onepass_counts_t *n)
{
    /* the MMU's own counters ("arrays", "walks") are those of the one run,
     * not of this geometry: dropped, like the cycles */
    static const char *const drop_top[] = {"cycles", "arrays", "walks", "perf"};
    static const char *const drop_b[] = {"soft_misses",    "walk_start", "walk_mem_reads", "walk_mem_writes",
                                         "mem_refs_per_walk", "latency",  "latency_hit",    "latency_walk"};
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "tlb.stlb.entries", s->entries);
    cJSON_AddNumberToObject(o, "tlb.stlb.ways", s->entries ? s->ways : 0);
    cJSON *d = cJSON_Duplicate(run, 1);
    for (size_t i = 0; i < sizeof drop_top / sizeof drop_top[0]; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(d, drop_top[i]);
    cJSON *bs = cJSON_GetObjectItemCaseSensitive(d, "by_size");
    for (int b = 0; b < STATS_NB; b++) {
        cJSON *bo = cJSON_GetObjectItemCaseSensitive(bs, stats_bucket_name(b));
        for (size_t i = 0; i < sizeof drop_b / sizeof drop_b[0]; i++)
            cJSON_DeleteItemFromObjectCaseSensitive(bo, drop_b[i]);
        cJSON_ReplaceItemInObjectCaseSensitive(bo, "stlb_hits", cJSON_CreateNumber((double)n->stlb_hits[b]));
        cJSON_ReplaceItemInObjectCaseSensitive(bo, "walks", cJSON_CreateNumber((double)n->walks[b]));
    }
    for (cJSON *it = d->child; it;) {
        cJSON *next = it->next;
        cJSON_AddItemToObject(o, it->string, cJSON_DetachItemViaPointer(d, it));
        it = next;
    }
    cJSON_Delete(d);
    return o;
}

enum {
    OPT_BACKING = 256, OPT_ISSUE, OPT_FOOT, OPT_STRIDE, OPT_MIX, OPT_ALPHA, OPT_ASIZE, OPT_BASE, OPT_SEED,
    OPT_FORMAT, OPT_JSON, OPT_STLB, OPT_CHECK
};

static int parse_u64_opt(const char *opt, const char *v, uint64_t *out, int sizes)
{
    if ((sizes ? units_parse_size(v, out) : units_parse_u64(v, out)) != 0) {
        fprintf(stderr, "mmuonepass: %s: invalid value '%s'\n", opt, v);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"preset", required_argument, 0, 'p'},      {"config", required_argument, 0, 'c'},
        {"set", required_argument, 0, 's'},         {"backing", required_argument, 0, OPT_BACKING},
        {"issue", required_argument, 0, OPT_ISSUE}, {"workload", required_argument, 0, 'w'},
        {"footprint", required_argument, 0, OPT_FOOT}, {"accesses", required_argument, 0, 'n'},
        {"stride", required_argument, 0, OPT_STRIDE}, {"mix", required_argument, 0, OPT_MIX},
        {"alpha", required_argument, 0, OPT_ALPHA}, {"access-size", required_argument, 0, OPT_ASIZE},
        {"base", required_argument, 0, OPT_BASE},   {"seed", required_argument, 0, OPT_SEED},
        {"trace", required_argument, 0, 't'},       {"format", required_argument, 0, OPT_FORMAT},
        {"json", optional_argument, 0, OPT_JSON},   {"stlb", required_argument, 0, OPT_STLB},
        {"quiet", no_argument, 0, 'q'},             {"help", no_argument, 0, 'h'},
        {"check", no_argument, 0, OPT_CHECK},
        {0, 0, 0, 0}};
    const char *preset = "skylake", *config = NULL, *trace = NULL, *json = NULL;
    static char sets[256][512];
    static onepass_size_t sizes[MAX_SIZES];
    unsigned nsizes = 0;
    int nsets = 0, quiet = 0, have_wl = 0, seed_set = 0, check_only = 0;
    uint64_t seed = 1;
    trace_fmt_t fmt = TRACE_FMT_AUTO;
    wl_spec_t ws;
    wl_defaults(&ws);
    char err[512];

    int c;
    opterr = 0;
    int li = -1;
    while ((c = getopt_long(argc, argv, ":p:c:s:w:n:t:qh", opts, &li)) != -1) {
        /* the workload options (model/workload.h), by their long names */
        const char *lname = c == 'w' ? "workload" : c == 'n' ? "accesses"
                            : (li >= 0 && c != ':' && c != '?') ? opts[li].name : "";
        li = -1;
        int wr = wl_spec_option(&ws, lname, optarg, err, sizeof err);
        if (wr < 0) {
            fprintf(stderr, "mmuonepass: %s\n", err);
            return 2;
        }
        if (wr == 0) {
            have_wl = 1;
            continue;
        }
        switch (c) {
        case 'p': preset = optarg; break;
        case 'c': config = optarg; break;
        case 's':
        case OPT_BACKING:
        case OPT_ISSUE:
            if (nsets == 256 || snprintf(sets[nsets], sizeof sets[nsets], "%s%s",
                                         c == 's' ? "" : c == OPT_BACKING ? "backing=" : "issue=",
                                         optarg) >= (int)sizeof sets[nsets]) {
                fprintf(stderr, "mmuonepass: --set: too many options or value too long\n");
                return 2;
            }
            nsets++;
            break;
        case OPT_SEED: if (parse_u64_opt("--seed", optarg, &seed, 0)) return 2; seed_set = 1; break;
        case 't': trace = optarg; break;
        case OPT_FORMAT:
            if (trace_fmt_from_name(optarg, &fmt) != 0) {
                fprintf(stderr, "mmuonepass: --format: unknown format '%s' (auto, lackey, text, bin)\n", optarg);
                return 2;
            }
            break;
        case OPT_JSON: {
            const char *v2 = optarg;
            if (!v2 && optind < argc && (argv[optind][0] != '-' || !strcmp(argv[optind], "-")))
                v2 = argv[optind++];
            json = v2 ? v2 : "-";
            break;
        }
        case OPT_STLB:
            if (parse_sizes(optarg, sizes, &nsizes) != 0)
                return 2;
            break;
        case 'q': quiet = 1; break;
        case OPT_CHECK: check_only = 1; break;
        case 'h': usage(stdout); return 0;
        case ':':
            fprintf(stderr, "mmuonepass: option '%s' needs a value (see --help)\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "mmuonepass: unknown option '%s' (see --help)\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mmuonepass: unexpected argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    if (trace && have_wl) {
        fprintf(stderr, "mmuonepass: --trace and workload options exclude each other\n");
        return 2;
    }
    if (!trace && !have_wl && !check_only) {
        fprintf(stderr, "mmuonepass: give a workload (-w) or a trace (-t) (see --help)\n");
        return 2;
    }
    if (nsizes == 0 && !check_only) {
        fprintf(stderr, "mmuonepass: give the tlb.stlb geometries with --stlb (see --help)\n");
        return 2;
    }

    sim_config_t cfg;
    if (cfg_preset(&cfg, preset, err, sizeof err) != 0 || (config && cfg_load_json(&cfg, config, err, sizeof err) != 0)) {
        fprintf(stderr, "mmuonepass: %s\n", err);
        return 1;
    }
    for (int i = 0; i < nsets; i++) {
        int r = cfg_set_kv(&cfg, sets[i], err, sizeof err);
        if (r != 0) {
            fprintf(stderr, "mmuonepass: --set: %s\n", err);
            return r == -2 ? 2 : 1;
        }
    }
    if (seed_set) {
        cfg.seed = seed;
        ws.seed = seed;
    } else {
        ws.seed = cfg.seed;
    }
    onepass_t *op;
    if (check_only) {
        if (cfg_check(&cfg, err, sizeof err) != 0 || onepass_check(&cfg, err, sizeof err) != 0) {
            fprintf(stderr, "mmuonepass: %s\n", err);
            return 1;
        }
        printf("one pass: ok\n");
        return 0;
    }
    if (cfg_check(&cfg, err, sizeof err) != 0 || onepass_check(&cfg, err, sizeof err) != 0 ||
        onepass_create(sizes, nsizes, &op, err, sizeof err) != 0) {
        fprintf(stderr, "mmuonepass: %s\n", err);
        return 1;
    }

    stats_t st;
    if (stats_init(&st) != 0) {
        fprintf(stderr, "mmuonepass: out of memory\n");
        onepass_destroy(op);
        return 1;
    }
    int rc;
    if (trace) {
        trace_src_t ts;
        if (trace_open(&ts.r, trace, fmt, err, sizeof err) != 0) {
            fprintf(stderr, "mmuonepass: %s\n", err);
            stats_free(&st);
            onepass_destroy(op);
            return 1;
        }
        sim_source_t src = {trace_src_next, trace_src_err, &ts, trace, trace_src_where, NULL, NULL, NULL, NULL};
        rc = onepass_run(op, &cfg, &src, &st, err, sizeof err);
        trace_close(ts.r);
    } else {
        workload_t *w;
        if (wl_create(&ws, &w, err, sizeof err) != 0) {
            fprintf(stderr, "mmuonepass: %s\n", err);
            stats_free(&st);
            onepass_destroy(op);
            return 1;
        }
        sim_source_t src = {wl_src_next, NULL, w, wl_kind_name(ws.kind), NULL, NULL, NULL, NULL, NULL};
        rc = onepass_run(op, &cfg, &src, &st, err, sizeof err);
        wl_destroy(w);
    }
    if (rc != 0) {
        fprintf(stderr, "mmuonepass: %s\n", err);
        stats_free(&st);
        onepass_destroy(op);
        return 1;
    }

    int out_rc = 0;
    if (!quiet && !(json && !strcmp(json, "-"))) {
        const stats_bucket_t *t = &st.b[STATS_B_TOTAL];
        printf("%" PRIu64 " accesses, %" PRIu64 " translations, %" PRIu64 " L1 hits, %" PRIu64
               " level-2 lookups (one pass over %u geometries of tlb.stlb)\n",
               st.accesses, t->translations, t->l1_hits, t->stlb_hits + t->walks, nsizes);
        printf("%8s %5s %6s %12s %12s %9s %12s\n", "entries", "ways", "sets", "stlb_hits", "walks", "STLB hit%",
               "walks/1k acc");
        for (unsigned i = 0; i < nsizes; i++) {
            const onepass_counts_t *n = onepass_counts(op, i);
            uint64_t h = n->stlb_hits[STATS_B_TOTAL], w = n->walks[STATS_B_TOTAL];
            printf("%8" PRIu32 " %5" PRIu32 " %6" PRIu32 " %12" PRIu64 " %12" PRIu64 " %9.2f %12.3f\n",
                   sizes[i].entries, sizes[i].entries ? sizes[i].ways : 0,
                   sizes[i].entries ? sizes[i].entries / sizes[i].ways : 0, h, w,
                   h + w ? 100.0 * (double)h / (double)(h + w) : 0.0,
                   st.accesses ? 1000.0 * (double)w / (double)st.accesses : 0.0);
        }
    }
    if (json) {
        FILE *f = strcmp(json, "-") ? fopen(json, "w") : stdout;
        if (!f) {
            fprintf(stderr, "mmuonepass: %s: cannot write JSON: %s\n", json, strerror(errno));
            out_rc = 1;
        } else {
            cJSON *root = cJSON_CreateObject();
            cJSON *run = stats_to_json(&st);
            cJSON *arr = cJSON_AddArrayToObject(root, "sizes");
            for (unsigned i = 0; i < nsizes; i++)
                cJSON_AddItemToArray(arr, size_json(run, &sizes[i], onepass_counts(op, i)));
            cJSON_AddItemToObject(root, "run", run);
            char *txt = cJSON_Print(root);
            fprintf(f, "%s\n", txt);
            free(txt);
            cJSON_Delete(root);
            if (f != stdout && fclose(f) != 0) {
                fprintf(stderr, "mmuonepass: %s: write error\n", json);
                out_rc = 1;
            }
        }
    }
    stats_free(&st);
    onepass_destroy(op);
    return out_rc;
}
