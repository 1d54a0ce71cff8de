/* mmusim - run a workload or a trace through the MMU model and report
 * translation statistics per page size. `mmusim --help` for usage. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image.h"
#include "mmu_config.h"
#include "sim.h"
#include "stats.h"
#include "tlog.h"
#include "trace.h"
#include "units.h"
#include "workload.h"

#define VERSION "0.1"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mmusim [OPTIONS]\n"
            "Cycle-level x86-64 MMU model: TLBs, page-walk caches, page-table walker.\n"
            "With no workload or trace option, runs the built-in demonstration: one\n"
            "Zipf workload backed by 4 KiB, 2 MiB and 1 GiB pages on the skylake preset\n"
            "(without --preset, --config or --set: then on all four real cores' presets too).\n"
            "\n"
            "Configuration (applied in this order: preset, config file, --set):\n"
            "  -p, --preset NAME        tiny | skylake | goldencove | zen2 | zen4 (default skylake;\n"
            "                           --list-presets)\n"
            "  -c, --config FILE        JSON configuration file (docs/config.md)\n"
            "  -s, --set KEY=VALUE      set one key, e.g. --set tlb.stlb.entries=2048 (repeatable);\n"
            "                           tlb.NAME.FIELD / pwc.NAME.FIELD of a new NAME adds an array,\n"
            "                           --set tlb.NAME=off removes one (docs/config.md)\n"
            "      --backing SIZE       4k | 2m | 1g | mix   (same as --set backing=SIZE)\n"
            "      --issue MODE         pipelined | inorder  (same as --set issue=MODE)\n"
            "      --list-presets       print the presets with their descriptions and sources, and exit\n"
            "      --dump-config        print every key of the resulting configuration and exit\n"
            "\n"
            "Workload (built-in generator):\n"
            "  -w, --workload KIND      seq | stride | uniform | zipf | chase\n"
            "      --footprint SIZE     bytes touched, units allowed (default 64M)\n"
            "  -n, --accesses N         number of accesses (default 1000000)\n"
            "      --stride SIZE        stride of `stride` (default 4K)\n"
            "      --mix R,W,X          weights of reads, writes, fetches (default 70,25,5)\n"
            "      --alpha A            Zipf exponent (default 0.99)\n"
            "      --access-size N      bytes per access (default 8)\n"
            "      --base ADDR          first virtual address (default 0x100000000000)\n"
            "      --seed N             seed of the workload and the frame allocator (default 1)\n"
            "Trace:\n"
            "  -t, --trace FILE         valgrind lackey or mmutrace text/binary, optionally\n"
            "                           gzip/xz/zstd compressed; '-' reads standard input\n"
            "      --format FMT         auto | lackey | text | bin (default auto)\n"
            "      --save-trace FILE    write the workload's accesses to FILE in the binary\n"
            "                           trace format and exit (no simulation)\n"
            "\n"
            "Replay: page tables from an image or a process snapshot (docs/replay.md);\n"
            "nothing is mapped on demand, unmapped pages fault. Needs --trace or --workload.\n"
            "      --image FILE         text image: 'ADDRESS VALUE' per 8-byte entry, optional\n"
            "                           header (cr3, cr0.wp, cr4.smep, ..., maxphyaddr)\n"
            "      --image-raw FILE@BASE  raw dump of physical memory from BASE (hex); repeatable\n"
            "      --cr3 VALUE          CR3 (hex); overrides the image header\n"
            "      --snapshot FILE      mapping file written by scripts/snapshot PID\n"
            "      --priv MODE          user | supervisor | split (upper half supervisor);\n"
            "                           privilege of every access (default user)\n"
            "\n"
            "Output:\n"
            "      --log FILE           one line per translation (docs/log.md); .gz, .zst, .xz\n"
            "                           compress; '-' is standard output\n"
            "      --json [FILE]        statistics as JSON (docs/stats.md) to FILE or stdout\n"
            "      --csv [FILE]         one CSV row per page size to FILE or stdout\n"
            "  -q, --quiet              no table\n"
            "      --progress           progress on stderr (default: when stderr is a terminal\n"
            "                           and the run takes more than 2 s)\n"
            "      --no-progress\n"
            "  -h, --help, -V, --version\n"
            "\n"
            "Presets:\n");
    for (int i = 0; cfg_preset_names[i]; i++)
        fprintf(f, "  %-10s %s\n", cfg_preset_names[i], cfg_preset_descr[i]);
    fprintf(f, "\nExamples:\n"
               "  mmusim --workload zipf --footprint 4G --backing 2m\n"
               "  mmusim --preset zen2 --trace prog.lackey.zst --json stats.json\n"
               "  mmusim --workload uniform --set processes=4 --set switch_every=10000 --set pcid=on\n"
               "  mmusim --image traces/sample.img --trace traces/sample.txt --log run.log\n"
               "  mmusim --snapshot app.map --trace app.lackey.zst --log run.log.zst\n");
}

/* ------------------------------------------------------------ progress */

typedef struct {
    int mode; /* -1 off, 0 auto, 1 on */
    struct timespec start;
    int shown;
    const char *label;
} progress_t;

static double elapsed(const struct timespec *s)
{
    struct timespec n;
    clock_gettime(CLOCK_MONOTONIC, &n);
    return (double)(n.tv_sec - s->tv_sec) + (double)(n.tv_nsec - s->tv_nsec) * 1e-9;
}

static void progress_cb(void *ctx, uint64_t acc, uint64_t cycles, int final)
{
    progress_t *p = ctx;
    if (p->mode < 0)
        return;
    double e = elapsed(&p->start);
    if (!final && p->mode == 0 && e < 2.0)
        return;
    if (final && !p->shown)
        return;
    fprintf(stderr, "\r%s%" PRIu64 " accesses, %" PRIu64 " cycles, %.1f s, %.2f M accesses/s%s", p->label, acc, cycles,
            e, e > 0 ? (double)acc / e / 1e6 : 0.0, final ? "\n" : "");
    fflush(stderr);
    p->shown = 1;
}

/* ------------------------------------------------------------- sources */

typedef struct {
    trace_reader_t *r;
} trace_src_t;

static int trace_src_next(void *ctx, trace_rec_t *rec) { return trace_next(((trace_src_t *)ctx)->r, rec); }
static const char *trace_src_err(void *ctx) { return trace_error(((trace_src_t *)ctx)->r); }
static const char *trace_src_where(void *ctx, char *b, size_t n) { return trace_where(((trace_src_t *)ctx)->r, b, n); }
static int wl_src_next(void *ctx, trace_rec_t *rec) { return wl_next(ctx, rec); }

/* ------------------------------------------------------------- outputs */

static FILE *open_out(const char *path, const char *what)
{
    if (!path || !strcmp(path, "-"))
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "mmusim: %s: cannot write %s: %s\n", path, what, strerror(errno));
    return f;
}

/* RFC 4180 field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void write_csv(FILE *f, const stats_t *st, const char *label, int header)
{
    if (header)
        fprintf(f, "run,size,translations,l1_hits,stlb_hits,walks,joined,walk_mem_reads,walk_mem_writes,"
                   "faults,lat_mean,lat_p50,lat_p95,lat_p99,lat_max,cycles\n");
    for (int i = 0; i < STATS_NB; i++) {
        const stats_bucket_t *b = &st->b[i];
        uint64_t faults = 0;
        for (int c = 1; c < MMU_CAUSE_COUNT; c++)
            faults += b->faults[c];
        csv_field(f, label);
        fprintf(f,
                ",%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                ",%.3f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
                stats_bucket_name(i), b->translations, b->l1_hits, b->stlb_hits, b->walks, b->joined,
                b->mem_reads, b->mem_writes, faults, stats_mean(&b->lat_all), stats_percentile(&b->lat_all, 50),
                stats_percentile(&b->lat_all, 95), stats_percentile(&b->lat_all, 99), b->lat_all.max, st->cycles);
    }
}

/* ---------------------------------------------------------------- demo */

/* One run of the demonstration's workload on cfg with backing b. */
static int demo_run(const sim_config_t *cfg, backing_t b, const wl_spec_t *ws, progress_t *pg, const char *label,
                    sim_priv_t priv, stats_t *st)
{
    char err[512];
    sim_config_t c = *cfg;
    c.backing = b;
    workload_t *w;
    if (stats_init(st) != 0 || wl_create(ws, &w, err, sizeof err) != 0) {
        fprintf(stderr, "mmusim: %s\n", err);
        return 1;
    }
    pg->label = label;
    pg->shown = 0;
    clock_gettime(CLOCK_MONOTONIC, &pg->start);
    sim_source_t src = {wl_src_next, NULL, w, "workload", NULL, NULL, NULL, progress_cb, pg};
    sim_opts_t opts = {0};
    opts.priv = priv;
    int rc = sim_run_opts(&c, &opts, &src, st, err, sizeof err);
    wl_destroy(w);
    if (rc != 0) {
        fprintf(stderr, "mmusim: %s\n", err);
        return 1;
    }
    return 0;
}

/* The demonstration's second part: the same workload on the presets of the
 * four real cores (docs/config.md), one line per core: walks per 1000
 * translations and mean latency for each page size. sky: the skylake runs
 * already made. */
static int demo_cores(const sim_config_t *base, const stats_t sky[3], const wl_spec_t *ws, progress_t *pg,
                      sim_priv_t priv)
{
    static const char *const cores[] = {"skylake", "goldencove", "zen2", "zen4"};
    char err[256];
    printf("\nThe same accesses on each real core's organisation (--preset NAME; docs/config.md):\n"
           "%-11s %26s %26s %26s\n%-11s", "", "walks per 1000 translations", "mean latency (cycles)",
           "level-1 hit %", "preset");
    for (int k = 0; k < 3; k++)
        printf(" %8s %8s %8s", "4 KiB", "2 MiB", "1 GiB");
    printf("\n");
    for (int p = 0; p < 4; p++) {
        stats_t own[3];
        const stats_t *st = sky;
        if (p > 0) {
            sim_config_t c;
            if (cfg_preset(&c, cores[p], err, sizeof err) != 0) {
                fprintf(stderr, "mmusim: %s\n", err);
                return 1;
            }
            c.issue = base->issue;
            for (int i = 0; i < 3; i++) {
                char label[64];
                snprintf(label, sizeof label, "[%s %s] ", cores[p], i == 0 ? "4K" : i == 1 ? "2M" : "1G");
                if (demo_run(&c, (backing_t)i, ws, pg, label, priv, &own[i]) != 0)
                    return 1;
            }
            st = own;
        }
        printf("%-11s", cores[p]);
        for (int i = 0; i < 3; i++) {
            const stats_bucket_t *b = &st[i].b[STATS_B_TOTAL];
            printf(" %8.2f", b->translations ? 1000.0 * (double)(b->walks + b->joined) / (double)b->translations : 0.0);
        }
        for (int i = 0; i < 3; i++)
            printf(" %8.2f", stats_mean(&st[i].b[STATS_B_TOTAL].lat_all));
        for (int i = 0; i < 3; i++) {
            const stats_bucket_t *b = &st[i].b[STATS_B_TOTAL];
            printf(" %8.2f", b->translations ? 100.0 * (double)b->l1_hits / (double)b->translations : 0.0);
        }
        printf("\n");
        fflush(stdout);
        if (p > 0)
            for (int i = 0; i < 3; i++)
                stats_free(&own[i]);
    }
    return 0;
}

static int run_demo(const sim_config_t *base, const char *preset, const wl_spec_t *wbase, int quiet, progress_t *pg, const char *json_path,
                    const char *csv_path, sim_priv_t priv, int cores)
{
    if ((json_path && !strcmp(json_path, "-")) || (csv_path && !strcmp(csv_path, "-")))
        quiet = 1; /* stdout carries the document */
    static const char *const names[3] = {"4 KiB", "2 MiB", "1 GiB"};
    stats_t st[3];
    wl_spec_t ws = *wbase;
    if (!quiet) {
        char fp[32];
        printf("mmusim demonstration: %s workload, %s footprint, %" PRIu64 " accesses (mix %u/%u/%u r/w/x),\n"
               "preset %s (docs/config.md), issued in order (one translation at a time), the same accesses\n"
               "backed by 4 KiB, 2 MiB and 1 GiB pages. Latency = cycles from request accepted to response;\n"
               "refs/wlk = memory references (reads and A/D writes) per walk.\n\n",
               wl_kind_name(ws.kind), units_fmt_size(ws.footprint, fp, sizeof fp), ws.accesses, ws.mix[0], ws.mix[1],
               ws.mix[2], preset);
    }
    for (int i = 0; i < 3; i++) {
        char label[64];
        snprintf(label, sizeof label, "[%s] ", names[i]);
        if (demo_run(base, (backing_t)i, &ws, pg, label, priv, &st[i]) != 0)
            return 1;
        if (!quiet) {
            printf("== backed by %s pages: %" PRIu64 " cycles ==\n", names[i], st[i].cycles);
            stats_print_table(&st[i], stdout);
            printf("\n");
        }
    }
    if (!quiet) {
        printf("Summary (all translations):\n%-8s %9s %7s %7s %9s %7s %6s %6s %12s\n", "pages", "L1 hit%", "STLB%",
               "walk%", "refs/wlk", "mean", "p99", "max", "cycles");
        for (int i = 0; i < 3; i++) {
            const stats_bucket_t *b = &st[i].b[STATS_B_TOTAL];
            double n = b->translations ? (double)b->translations : 1;
            printf("%-8s %9.2f %7.2f %7.2f %9.2f %7.2f %6" PRIu64 " %6" PRIu64 " %12" PRIu64 "\n", names[i],
                   100.0 * (double)b->l1_hits / n, 100.0 * (double)b->stlb_hits / n,
                   100.0 * (double)(b->walks + b->joined) / n,
                   b->walks ? (double)(b->mem_reads + b->mem_writes) / (double)b->walks : 0.0, stats_mean(&b->lat_all),
                   stats_percentile(&b->lat_all, 99), b->lat_all.max, st[i].cycles);
        }
        if (cores && demo_cores(base, st, &ws, pg, priv) != 0) {
            for (int i = 0; i < 3; i++)
                stats_free(&st[i]);
            return 1;
        }
    }
    int rc = 0;
    if (json_path) {
        FILE *f = open_out(json_path, "JSON");
        if (!f) {
            rc = 1;
        } else {
            cJSON *root = cJSON_CreateObject();
            for (int i = 0; i < 3; i++)
                cJSON_AddItemToObject(root, i == 0 ? "4k" : i == 1 ? "2m" : "1g", stats_to_json(&st[i]));
            char *txt = cJSON_Print(root);
            fprintf(f, "%s\n", txt);
            free(txt);
            cJSON_Delete(root);
            if (f != stdout)
                fclose(f);
        }
    }
    if (csv_path) {
        FILE *f = open_out(csv_path, "CSV");
        if (!f) {
            rc = 1;
        } else {
            for (int i = 0; i < 3; i++)
                write_csv(f, &st[i], i == 0 ? "4k" : i == 1 ? "2m" : "1g", i == 0);
            if (f != stdout)
                fclose(f);
        }
    }
    for (int i = 0; i < 3; i++)
        stats_free(&st[i]);
    return rc;
}

/* ---------------------------------------------------------------- main */

enum {
    OPT_BACKING = 256, OPT_ISSUE, OPT_LIST, OPT_DUMP, OPT_FOOT, OPT_STRIDE, OPT_MIX, OPT_ALPHA, OPT_ASIZE, OPT_BASE,
    OPT_SEED, OPT_SAVE, OPT_FORMAT, OPT_JSON, OPT_CSV, OPT_PROGRESS, OPT_NOPROGRESS, OPT_IMAGE, OPT_IMAGE_RAW,
    OPT_CR3, OPT_SNAPSHOT, OPT_PRIV, OPT_LOG
};

static int parse_u64_opt(const char *opt, const char *v, uint64_t *out, int sizes)
{
    if ((sizes ? units_parse_size(v, out) : units_parse_u64(v, out)) != 0) {
        fprintf(stderr, "mmusim: %s: invalid value '%s'\n", opt, v);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"preset", required_argument, 0, 'p'},   {"config", required_argument, 0, 'c'},
        {"set", required_argument, 0, 's'},      {"backing", required_argument, 0, OPT_BACKING},
        {"issue", required_argument, 0, OPT_ISSUE}, {"list-presets", no_argument, 0, OPT_LIST},
        {"dump-config", no_argument, 0, OPT_DUMP}, {"workload", required_argument, 0, 'w'},
        {"footprint", required_argument, 0, OPT_FOOT}, {"accesses", required_argument, 0, 'n'},
        {"stride", required_argument, 0, OPT_STRIDE}, {"mix", required_argument, 0, OPT_MIX},
        {"alpha", required_argument, 0, OPT_ALPHA}, {"access-size", required_argument, 0, OPT_ASIZE},
        {"base", required_argument, 0, OPT_BASE}, {"seed", required_argument, 0, OPT_SEED},
        {"trace", required_argument, 0, 't'},    {"save-trace", required_argument, 0, OPT_SAVE},    {"format", required_argument, 0, OPT_FORMAT},
        {"json", optional_argument, 0, OPT_JSON}, {"csv", optional_argument, 0, OPT_CSV},
        {"quiet", no_argument, 0, 'q'},          {"progress", no_argument, 0, OPT_PROGRESS},
        {"no-progress", no_argument, 0, OPT_NOPROGRESS}, {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},        {"image", required_argument, 0, OPT_IMAGE},
        {"image-raw", required_argument, 0, OPT_IMAGE_RAW}, {"cr3", required_argument, 0, OPT_CR3},
        {"snapshot", required_argument, 0, OPT_SNAPSHOT}, {"priv", required_argument, 0, OPT_PRIV},
        {"log", required_argument, 0, OPT_LOG},  {0, 0, 0, 0}};

    int preset_given = 0;
    const char *preset = "skylake", *config = NULL, *trace = NULL, *json = NULL, *csv = NULL, *save = NULL;
    static const char *sets[256];
    static char setbuf[256][512];
    int nsets = 0, quiet = 0, list = 0, dump = 0, have_wl = 0;
    trace_fmt_t fmt = TRACE_FMT_AUTO;
    progress_t pg = {0, {0, 0}, 0, ""};
    wl_spec_t ws;
    wl_defaults(&ws);
    int seed_set = 0;
    uint64_t seed = 1;
    char err[512];
    const char *image = NULL, *snapshot = NULL, *log_path = NULL;
    static const char *raws[64];
    int nraws = 0, cr3_set = 0;
    uint64_t cr3 = 0;
    sim_priv_t priv = SIM_PRIV_USER;

    int c;
    opterr = 0;
    int li = -1;
    while ((c = getopt_long(argc, argv, ":p:c:s:w:n:t:qhV", opts, &li)) != -1) {
        /* the workload options (model/workload.h), by their long names */
        const char *lname = c == 'w' ? "workload" : c == 'n' ? "accesses"
                            : (li >= 0 && c != ':' && c != '?') ? opts[li].name : "";
        li = -1;
        int wr = wl_spec_option(&ws, lname, optarg, err, sizeof err);
        if (wr < 0) {
            fprintf(stderr, "mmusim: %s\n", err);
            return 2;
        }
        if (wr == 0) {
            have_wl = 1;
            continue;
        }
        switch (c) {
        case 'p': preset = optarg, preset_given = 1; break;
        case 'c': config = optarg; break;
        case 's':
        case OPT_BACKING:
        case OPT_ISSUE:
            if (nsets == 256) {
                fprintf(stderr, "mmusim: too many --set options (256 at most)\n");
                return 2;
            }
            if (snprintf(setbuf[nsets], sizeof setbuf[nsets], "%s%s",
                         c == 's' ? "" : c == OPT_BACKING ? "backing=" : "issue=", optarg) >= (int)sizeof setbuf[nsets]) {
                fprintf(stderr, "mmusim: --set: value too long (%zu characters at most)\n", sizeof setbuf[nsets] - 1);
                return 2;
            }
            sets[nsets] = setbuf[nsets];
            nsets++;
            break;
        case OPT_LIST: list = 1; break;
        case OPT_DUMP: dump = 1; break;
        case OPT_SEED:
            if (parse_u64_opt("--seed", optarg, &seed, 0)) return 2;
            seed_set = 1;
            break;
        case 't': trace = optarg; break;
        case OPT_SAVE: save = optarg; break;
        case OPT_FORMAT:
            if (trace_fmt_from_name(optarg, &fmt) != 0) {
                fprintf(stderr, "mmusim: --format: unknown format '%s' (auto, lackey, text, bin)\n", optarg);
                return 2;
            }
            break;
        case OPT_JSON:
        case OPT_CSV: {
            /* "--json", "--json=FILE", "--json FILE", "--json -" */
            const char *v = optarg;
            if (!v && optind < argc && (argv[optind][0] != '-' || !strcmp(argv[optind], "-")))
                v = argv[optind++];
            if (c == OPT_JSON)
                json = v ? v : "-";
            else
                csv = v ? v : "-";
            break;
        }
        case OPT_IMAGE:
            if (image) {
                fprintf(stderr, "mmusim: --image: one text image at most (raw dumps: --image-raw, repeatable)\n");
                return 2;
            }
            image = optarg;
            break;
        case OPT_IMAGE_RAW:
            if (nraws == 64) {
                fprintf(stderr, "mmusim: too many --image-raw options (64 at most)\n");
                return 2;
            }
            raws[nraws++] = optarg;
            break;
        case OPT_CR3: {
            const char *h = optarg;
            char *end;
            if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
                h += 2;
            errno = 0;
            cr3 = strtoull(h, &end, 16);
            if (!*h || *end || errno || strchr(h, '-') || strchr(h, '+') || strchr(h, ' ')) {
                fprintf(stderr, "mmusim: --cr3: invalid value '%s' (hexadecimal)\n", optarg);
                return 2;
            }
            cr3_set = 1;
            break;
        }
        case OPT_SNAPSHOT: snapshot = optarg; break;
        case OPT_PRIV:
            if (sim_priv_parse(optarg, &priv) != 0) {
                fprintf(stderr, "mmusim: --priv: unknown mode '%s' (user, supervisor, split)\n", optarg);
                return 2;
            }
            break;
        case OPT_LOG: log_path = optarg; break;
        case 'q': quiet = 1; break;
        case OPT_PROGRESS: pg.mode = 1; break;
        case OPT_NOPROGRESS: pg.mode = -1; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("mmusim %s\n", VERSION); return 0;
        case ':':
            fprintf(stderr, "mmusim: option '%s' needs a value (see --help)\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "mmusim: unknown option '%s' (see --help)\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mmusim: unexpected argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    if (list) {
        for (int i = 0; cfg_preset_names[i]; i++)
            printf("%-10s %s\n", cfg_preset_names[i], cfg_preset_descr[i]);
        return 0;
    }
    if (trace && have_wl) {
        fprintf(stderr, "mmusim: --trace and workload options exclude each other\n");
        return 2;
    }
    int replay = image || nraws || snapshot;
    if (snapshot && (image || nraws || cr3_set)) {
        fprintf(stderr, "mmusim: --snapshot excludes --image, --image-raw and --cr3 (it builds its own tables)\n");
        return 2;
    }
    if (cr3_set && !image && !nraws) {
        fprintf(stderr, "mmusim: --cr3 needs --image or --image-raw\n");
        return 2;
    }
    if ((replay || log_path) && !trace && !have_wl && !dump && !save) {
        fprintf(stderr, "mmusim: %s needs accesses: --trace FILE or --workload KIND\n",
                replay ? (snapshot ? "--snapshot" : image ? "--image" : "--image-raw") : "--log");
        return 2;
    }
    if (pg.mode == 0 && !isatty(2))
        pg.mode = -1;

    sim_config_t cfg;
    if (cfg_preset(&cfg, preset, err, sizeof err) != 0 || (config && cfg_load_json(&cfg, config, err, sizeof err) != 0)) {
        fprintf(stderr, "mmusim: %s\n", err);
        return 1;
    }
    /* replay: the image header applies after the preset and the file, before --set */
    image_t *im = replay ? image_create() : NULL;
    if (replay && !im) {
        fprintf(stderr, "mmusim: out of memory\n");
        return 1;
    }
    if (image && (image_load_text(im, image, err, sizeof err) != 0 || image_apply_header(im, &cfg, err, sizeof err) != 0)) {
        fprintf(stderr, "mmusim: %s\n", err);
        image_destroy(im);
        return 1;
    }
    for (int i = 0; i < nsets; i++) {
        int r = cfg_set_kv(&cfg, sets[i], err, sizeof err);
        if (r != 0) {
            fprintf(stderr, "mmusim: --set: %s\n", err);
            image_destroy(im);
            return r == -2 ? 2 : 1;
        }
    }
    if (seed_set) {
        cfg.seed = seed;
        ws.seed = seed;
    } else {
        ws.seed = cfg.seed;
    }
    if (cfg_check(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "mmusim: %s\n", err);
        image_destroy(im);
        return 1;
    }
    if (dump) {
        cfg_dump(&cfg, stdout);
        image_destroy(im);
        return 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &pg.start);

    sim_opts_t sopts = {0};
    sopts.priv = priv;
    if (replay && !save) {
        for (int i = 0; i < nraws; i++)
            if (image_add_raw_arg(im, raws[i], err, sizeof err) != 0) {
                fprintf(stderr, "mmusim: %s\n", err);
                image_destroy(im);
                return 1;
            }
        if (snapshot && image_load_snapshot(im, snapshot, cfg.mmu.maxphyaddr, cfg.seed, err, sizeof err) != 0) {
            fprintf(stderr, "mmusim: %s\n", err);
            image_destroy(im);
            return 1;
        }
        if (!cr3_set && !image_cr3(im, &cr3)) {
            fprintf(stderr, "mmusim: no CR3: give --cr3 VALUE or a 'cr3' line in the header of the --image file\n");
            image_destroy(im);
            return 1;
        }
        image_opts(im, cr3, cfg.mmu.maxphyaddr, &sopts);
    }

    if (save) {
        image_destroy(im);
        if (trace) {
            fprintf(stderr, "mmusim: --save-trace writes a built-in workload; use mmutrace to convert traces\n");
            return 2;
        }
        workload_t *w;
        trace_writer_t *tw;
        if (wl_create(&ws, &w, err, sizeof err) != 0 ||
            trace_wopen(&tw, save, TRACE_FMT_BIN, TRACE_Z_NONE, err, sizeof err) != 0) {
            fprintf(stderr, "mmusim: %s\n", err);
            return 1;
        }
        trace_rec_t r;
        int wrc = 0;
        while (wl_next(w, &r) == 1 && wrc == 0)
            wrc = trace_write(tw, &r);
        wl_destroy(w);
        if (trace_wclose(tw, err, sizeof err) != 0 || wrc != 0) {
            fprintf(stderr, "mmusim: %s: %s\n", save, wrc ? "write error" : err);
            return 1;
        }
        return 0;
    }

    if (!trace && !have_wl) {
        wl_spec_t demo;
        wl_defaults(&demo);
        demo.kind = WL_ZIPF;
        demo.footprint = 8ull << 30;
        demo.accesses = 2000000;
        demo.alpha = 0.9;
        demo.seed = ws.seed;
        cfg.issue = ISSUE_INORDER; /* latency of a translation, without queueing */
        /* the plain default (no preset, file or key given): also the four
         * real cores side by side */
        int cores = !preset_given && !config && nsets == 0 && !strcmp(preset, "skylake");
        return run_demo(&cfg, preset, &demo, quiet, &pg, json, csv, priv, cores);
    }

    stats_t st;
    if (stats_init(&st) != 0) {
        fprintf(stderr, "mmusim: out of memory\n");
        image_destroy(im);
        return 1;
    }
    tlog_t *lg = NULL;
    if (log_path && tlog_open(&lg, log_path, err, sizeof err) != 0) {
        fprintf(stderr, "mmusim: %s\n", err);
        stats_free(&st);
        image_destroy(im);
        return 1;
    }
    int rc;
    if (trace) {
        trace_src_t ts;
        if (trace_open(&ts.r, trace, fmt, err, sizeof err) != 0) {
            fprintf(stderr, "mmusim: %s\n", err);
            tlog_close(lg, 0, err, sizeof err);
            stats_free(&st);
            image_destroy(im);
            return 1;
        }
        sim_source_t src = {trace_src_next, trace_src_err, &ts, trace, trace_src_where, lg ? tlog_on_rsp : NULL, lg,
                            progress_cb, &pg};
        rc = sim_run_opts(&cfg, &sopts, &src, &st, err, sizeof err);
        trace_close(ts.r);
    } else {
        workload_t *w;
        if (wl_create(&ws, &w, err, sizeof err) != 0) {
            fprintf(stderr, "mmusim: %s\n", err);
            tlog_close(lg, 0, err, sizeof err);
            stats_free(&st);
            image_destroy(im);
            return 1;
        }
        sim_source_t src = {wl_src_next, NULL, w, wl_kind_name(ws.kind), NULL, lg ? tlog_on_rsp : NULL, lg,
                            progress_cb, &pg};
        rc = sim_run_opts(&cfg, &sopts, &src, &st, err, sizeof err);
        wl_destroy(w);
    }
    if (rc != 0) {
        char e2[512];
        fprintf(stderr, "mmusim: %s\n", err);
        tlog_close(lg, 0, e2, sizeof e2); /* the lines so far stay, without the "#end" trailer */
        stats_free(&st);
        image_destroy(im);
        return 1;
    }
    int out_rc = 0;
    if (lg && tlog_close(lg, 1, err, sizeof err) != 0) {
        fprintf(stderr, "mmusim: %s\n", err);
        out_rc = 1;
    }
    int to_stdout = (json && !strcmp(json, "-")) || (csv && !strcmp(csv, "-")) || (log_path && !strcmp(log_path, "-"));
    if (!quiet && !to_stdout) {
        printf("%" PRIu64 " accesses, %" PRIu64 " cycles\n", st.accesses, st.cycles);
        if (snapshot)
            printf("page tables: snapshot %s, CR3 0x%" PRIx64 ", %" PRIu64 " ranges, %" PRIu64 " 4K + %" PRIu64
                   " 2M + %" PRIu64 " 1G pages\n",
                   snapshot, sopts.cr3, image_snapshot_ranges(im), image_snapshot_pages(im, MMU_PS_4K),
                   image_snapshot_pages(im, MMU_PS_2M), image_snapshot_pages(im, MMU_PS_1G));
        else if (replay)
            printf("page tables: %s%s%s, CR3 0x%" PRIx64 ", %" PRIu64 " pages read from raw images\n",
                   image ? "image " : "", image ? image : "", nraws ? (image ? " + raw" : "raw images") : "", sopts.cr3,
                   image_raw_pages_loaded(im));
        stats_print_table(&st, stdout);
    }
    image_destroy(im);
    if (json) {
        FILE *f = open_out(json, "JSON");
        if (!f) {
            out_rc = 1;
        } else {
            cJSON *root = stats_to_json(&st);
            char *txt = cJSON_Print(root);
            fprintf(f, "%s\n", txt);
            free(txt);
            cJSON_Delete(root);
            if (f != stdout)
                fclose(f);
        }
    }
    if (csv) {
        FILE *f = open_out(csv, "CSV");
        if (!f) {
            out_rc = 1;
        } else {
            write_csv(f, &st, trace ? trace : wl_kind_name(ws.kind), 1);
            if (f != stdout)
                fclose(f);
        }
    }
    stats_free(&st);
    return out_rc;
}
