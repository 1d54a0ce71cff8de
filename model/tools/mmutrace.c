/* mmutrace.c - convert and inspect memory-access traces (docs/traces.md).
 *
 *   mmutrace convert IN OUT [--to text|bin] [--compress none|gzip|xz|zstd] [--from FMT]
 *   mmutrace info IN [--from FMT]
 *
 * Exit status: 0 done, 1 bad input or I/O error (one line on stderr,
 * "mmutrace: PATH:LINE: reason"), 2 usage error.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace.h"

#define PROG "mmutrace"

static void usage(FILE *f) {
    fprintf(f,
            "Usage:\n"
            "  " PROG " convert IN OUT [--to text|bin] [--compress none|gzip|xz|zstd] [--from FMT]\n"
            "  " PROG " info IN [--from FMT]\n"
            "  " PROG " --help\n"
            "\n"
            "Converts a memory-access trace between formats, or prints a summary of one.\n"
            "IN may be \"-\" for standard input and OUT \"-\" for standard output. The input's\n"
            "compression (gzip, xz, zstd) and format (valgrind lackey, mmutrace text,\n"
            "mmutrace binary) are detected from its content, never from its name.\n"
            "\n"
            "Options:\n"
            "  -t, --to FMT          output format: text or bin (default bin)\n"
            "  -c, --compress Z      output compression: none, gzip, xz or zstd (default none)\n"
            "  -f, --from FMT        input format: auto, lackey, text or bin (default auto)\n"
            "  -h, --help            print this help and exit\n"
            "\n"
            "info prints the detected format and compression, the number of records,\n"
            "the count of each kind (R read, W write, X exec, M modify, control records),\n"
            "of accesses with a given privilege (user, supervisor, implicit; the others\n"
            "take the run's default) and the lowest and highest address of an access.\n"
            "\n"
            "Exit status: 0 success, 1 bad input or I/O error, 2 usage error.\n"
            "Formats: docs/traces.md.\n");
}

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, PROG ": ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '" PROG " --help'.\n");
    return 2;
}

/* Same file? Converting a trace onto itself would truncate it before reading. */
static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    if (strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
        return 0;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int cmd_convert(const char *in, const char *out, trace_fmt_t from, trace_fmt_t to, trace_z_t z) {
    char err[600];
    trace_reader_t *r;
    if (trace_open(&r, in, from, err, sizeof err) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        return 1;
    }
    if (same_file(in, out)) {
        fprintf(stderr, PROG ": %s: output is the input file\n", out);
        trace_close(r);
        return 1;
    }
    trace_writer_t *w;
    if (trace_wopen(&w, out, to, z, err, sizeof err) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        trace_close(r);
        return 1;
    }
    trace_rec_t rec;
    int k, rc = 0;
    while ((k = trace_next(r, &rec)) > 0)
        if (trace_write(w, &rec) < 0)
            break;
    if (k < 0) {
        fprintf(stderr, PROG ": %s\n", trace_error(r));
        rc = 1;
    } else if (k > 0) {
        fprintf(stderr, PROG ": %s\n", trace_werror(w));
        rc = 1;
    }
    trace_close(r);
    if (trace_wclose(w, err, sizeof err) < 0 && rc == 0) {
        fprintf(stderr, PROG ": %s\n", err);
        rc = 1;
    }
    if (rc != 0 && strcmp(out, "-") != 0)
        remove(out); /* never leave a partial trace that looks complete */
    return rc;
}

static int cmd_info(const char *in, trace_fmt_t from) {
    char err[600];
    trace_reader_t *r;
    if (trace_open(&r, in, from, err, sizeof err) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        return 1;
    }
    uint64_t n = 0, per[TR_CTL + 1] = {0, 0, 0, 0, 0}, priv[4] = {0, 0, 0, 0}, lo = UINT64_MAX, hi = 0;
    trace_rec_t rec;
    int k;
    while ((k = trace_next(r, &rec)) > 0) {
        n++;
        per[rec.kind <= TR_CTL ? rec.kind : TR_CTL]++;
        if (rec.kind == TR_CTL)
            continue; /* addresses and privileges: of the accesses */
        priv[rec.priv & 3]++;
        if (rec.vaddr < lo)
            lo = rec.vaddr;
        if (rec.vaddr > hi)
            hi = rec.vaddr;
    }
    if (k < 0) {
        fprintf(stderr, PROG ": %s\n", trace_error(r));
        trace_close(r);
        return 1;
    }
    printf("file: %s\n", in);
    printf("format: %s\n", trace_fmt_name(trace_format(r)));
    printf("compression: %s\n", trace_z_name(trace_compression(r)));
    printf("records: %" PRIu64 "\n", n);
    printf("read: %" PRIu64 "\n", per[TR_READ]);
    printf("write: %" PRIu64 "\n", per[TR_WRITE]);
    printf("exec: %" PRIu64 "\n", per[TR_EXEC]);
    printf("modify: %" PRIu64 "\n", per[TR_MODIFY]);
    printf("control: %" PRIu64 "\n", per[TR_CTL]);
    printf("user: %" PRIu64 "\n", priv[TR_PRIV_USER]);
    printf("supervisor: %" PRIu64 "\n", priv[TR_PRIV_SUPER]);
    printf("implicit: %" PRIu64 "\n", priv[TR_PRIV_IMPLICIT]);
    if (n > per[TR_CTL]) {
        printf("min address: 0x%" PRIx64 "\n", lo);
        printf("max address: 0x%" PRIx64 "\n", hi);
    } else {
        printf("min address: -\nmax address: -\n");
    }
    trace_close(r);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, PROG ": <stdout>: write error\n");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    static const struct option longopts[] = {
        {"to", required_argument, NULL, 't'},
        {"compress", required_argument, NULL, 'c'},
        {"from", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    trace_fmt_t from = TRACE_FMT_AUTO, to = TRACE_FMT_BIN;
    trace_z_t z = TRACE_Z_NONE;
    int help = 0, opt, out_opts = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":t:c:f:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 't':
            if (trace_fmt_from_name(optarg, &to) < 0 || (to != TRACE_FMT_TEXT && to != TRACE_FMT_BIN))
                return usage_error("--to: '%s' is not text or bin", optarg);
            out_opts = 1;
            break;
        case 'c':
            if (trace_z_from_name(optarg, &z) < 0)
                return usage_error("--compress: '%s' is not none, gzip, xz or zstd", optarg);
            out_opts = 1;
            break;
        case 'f':
            if (trace_fmt_from_name(optarg, &from) < 0)
                return usage_error("--from: '%s' is not auto, lackey, text or bin", optarg);
            break;
        case 'h': help = 1; break;
        case ':': return usage_error("option '%s' needs an argument", argv[optind - 1]);
        default:
            if (optopt) {
                char o[3] = {'-', (char)optopt, '\0'};
                return usage_error("unknown option '%s'", o);
            }
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (help) {
        usage(stdout);
        return 0;
    }
    int nargs = argc - optind;
    char **args = argv + optind;
    if (nargs == 0)
        return usage_error("%s", "missing command (convert or info)");
    if (strcmp(args[0], "convert") == 0) {
        if (nargs != 3)
            return usage_error("%s", "convert needs IN and OUT");
        return cmd_convert(args[1], args[2], from, to, z);
    }
    if (strcmp(args[0], "info") == 0) {
        if (nargs != 2)
            return usage_error("%s", "info needs IN");
        if (out_opts)
            return usage_error("%s", "--to and --compress apply to convert only");
        return cmd_info(args[1], from);
    }
    return usage_error("unknown command '%s' (convert or info)", args[0]);
}
