/* test_log.c - the per-translation log (docs/log.md): exact lines for
 * hand-made responses, a run's log parsed back field by field against the
 * responses themselves, compression, determinism and write errors. */
#include <inttypes.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "image.h"
#include "mmu_config.h"
#include "sim.h"
#include "stats.h"
#include "tlog.h"
#include "trace.h"
#include "workload.h"

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) & 7;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap);
    size_t k;
    while ((k = fread(b + len, 1, cap - len, f)) > 0) {
        len += k;
        if (len == cap)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
    b = realloc(b, len + 1);
    b[len] = 0;
    *n = len;
    return b;
}

#define CHECK_STR(a, b)                                                                           \
    do {                                                                                          \
        const char *check_s1_ = (a), *check_s2_ = (b);                                            \
        if (!strcmp(check_s1_, check_s2_)) {                                                      \
            check_pass_++;                                                                        \
        } else {                                                                                  \
            check_fail_++;                                                                        \
            fprintf(stderr, "%s:%d: got\n  '%s'\nexpected\n  '%s'\n", __FILE__, __LINE__, check_s1_, check_s2_); \
        }                                                                                         \
    } while (0)

/* ------------------------------------------------------- exact lines */

static const char *fmt(const mmu_out_t *o, const mmu_rsp_info_t *in)
{
    static char b[TLOG_LINE_MAX + 1];
    size_t n = tlog_format(b, TLOG_LINE_MAX, o, in);
    b[n] = 0;
    return b;
}

static void test_format(void)
{
    mmu_out_t o;
    mmu_rsp_info_t in;

    /* a full walk of a 4 KiB page, A set in all four entries */
    memset(&o, 0, sizeof o);
    memset(&in, 0, sizeof in);
    o.rsp_valid = 1, o.rsp_paddr = 0x9234, o.rsp_size = MMU_PS_4K, o.rsp_src = MMU_SRC_WALK;
    in.seq = 0, in.cycle_accept = 0, in.cycle_rsp = 45, in.va = 0x1234, in.acc = MMU_ACC_READ, in.user = 1;
    in.read_mask = 0x1e;
    in.pte_addr[4] = 0x1000, in.pte[4] = 0x2007;
    in.pte_addr[3] = 0x2000, in.pte[3] = 0x3007;
    in.pte_addr[2] = 0x3000, in.pte[2] = 0x4007;
    in.pte_addr[1] = 0x4008, in.pte[1] = 0x9005;
    in.mem_reads = 4, in.mem_writes = 4;
    in.wr_addr[0] = 0x1000, in.wr_data[0] = 0x2027;
    in.wr_addr[1] = 0x2000, in.wr_data[1] = 0x3027;
    in.wr_addr[2] = 0x3000, in.wr_data[2] = 0x4027;
    in.wr_addr[3] = 0x4008, in.wr_data[3] = 0x9025;
    /* rights: RW = 1 & 1 & 1 & 0 (the PTE 0x9005 has bit 1 clear), US = 1 in all four, XD = 0 */
    in.rights = MMU_RIGHT_US;
    CHECK_STR(fmt(&o, &in), "0 0 45 0x1234 R U 0x9234 4k walk 4:0x1000=0x2007,3:0x2000=0x3007,2:0x3000=0x4007,"
                            "1:0x4008=0x9005 0x1000=0x2027,0x2000=0x3027,0x3000=0x4027,0x4008=0x9025 - - 0 - -ux\n");
    /* an implicit supervisor access: priv I whatever user says */
    in.implicit = 1;
    CHECK_STR(fmt(&o, &in), "0 0 45 0x1234 R I 0x9234 4k walk 4:0x1000=0x2007,3:0x2000=0x3007,2:0x3000=0x4007,"
                            "1:0x4008=0x9005 0x1000=0x2027,0x2000=0x3027,0x3000=0x4027,0x4008=0x9025 - - 0 - -ux\n");

    /* a walk after a PDE-cache hit that finds a not-present PTE: a write */
    memset(&o, 0, sizeof o);
    memset(&in, 0, sizeof in);
    o.rsp_valid = 1, o.rsp_size = MMU_PS_NONE, o.rsp_src = MMU_SRC_WALK, o.rsp_pwc = 3;
    o.rsp_fault = MMU_FAULT_PF, o.rsp_cause = MMU_CAUSE_NOT_PRESENT, o.rsp_err = 0x06;
    in.seq = 17, in.cycle_accept = 1000, in.cycle_rsp = 1012, in.va = 0x4a7000, in.acc = MMU_ACC_WRITE, in.user = 1;
    in.read_mask = 0x02, in.pte_addr[1] = 0x4538, in.pte[1] = 0, in.mem_reads = 1, in.pcid = 3;
    in.fault_level = 1; /* the PTE was not present; no leaf: rights '-' */
    CHECK_STR(fmt(&o, &in), "17 1000 1012 0x4a7000 W U - - walk:pde 1:0x4538=0x0 - np 0x06 3 1 -\n");

    /* PML4E- and PDPTE-cache hits, 2 MiB and 1 GiB pages, a rights fault at the leaf */
    o.rsp_pwc = 1, o.rsp_size = MMU_PS_2M, o.rsp_cause = MMU_CAUSE_NX, o.rsp_err = 0x15;
    in.acc = MMU_ACC_EXEC, in.read_mask = 0x0c;
    in.pte_addr[3] = 0x2000, in.pte[3] = 0x3027, in.pte_addr[2] = 0x3008, in.pte[2] = 0x80000000006000a7;
    in.fault_level = 2, in.rights = MMU_RIGHT_RW | MMU_RIGHT_US | MMU_RIGHT_XD; /* the 2 MiB PDE: XD set */
    CHECK_STR(fmt(&o, &in), "17 1000 1012 0x4a7000 X U - 2m walk:pml4e 3:0x2000=0x3027,2:0x3008=0x80000000006000a7 - nx "
                            "0x15 3 2 wu-\n");
    o.rsp_pwc = 2, o.rsp_size = MMU_PS_1G, o.rsp_fault = 0, o.rsp_cause = 0, o.rsp_paddr = 0x40012345;
    in.read_mask = 0x08, in.pte_addr[3] = 0x2008, in.pte[3] = 0x400000a7, in.user = 0, in.acc = MMU_ACC_READ;
    in.rights = MMU_RIGHT_RW | MMU_RIGHT_US; /* no fault: the level column is '-' whatever fault_level holds */
    CHECK_STR(fmt(&o, &in), "17 1000 1012 0x4a7000 R S 0x40012345 1g walk:pdpte 3:0x2008=0x400000a7 - - - 3 - wux\n");

    /* L1 and STLB hits, a joined walk, a #GP; every fault name */
    memset(&o, 0, sizeof o);
    memset(&in, 0, sizeof in);
    o.rsp_paddr = 0xfedcba9876543, o.rsp_size = MMU_PS_4K, o.rsp_src = MMU_SRC_L1;
    in.seq = 18446744073709551615ull, in.cycle_accept = 5, in.cycle_rsp = 6, in.va = 0xffffffffffffffff,
    in.pcid = 4095;
    CHECK_STR(fmt(&o, &in), "18446744073709551615 5 6 0xffffffffffffffff R S 0xfedcba9876543 4k l1 - - - - 4095 - --x\n");
    o.rsp_src = MMU_SRC_STLB;
    CHECK_STR(fmt(&o, &in), "18446744073709551615 5 6 0xffffffffffffffff R S 0xfedcba9876543 4k stlb - - - - 4095 - --x\n");
    o.rsp_src = MMU_SRC_WALK, o.rsp_pwc = 3;
    in.joined = 1;
    CHECK_STR(fmt(&o, &in), "18446744073709551615 5 6 0xffffffffffffffff R S 0xfedcba9876543 4k join - - - - 4095 - --x\n");
    memset(&o, 0, sizeof o);
    memset(&in, 0, sizeof in);
    o.rsp_fault = MMU_FAULT_GP, o.rsp_cause = MMU_CAUSE_NONCANON, o.rsp_size = MMU_PS_NONE, o.rsp_src = MMU_SRC_NONE;
    in.va = 0x800000000000, in.user = 1;
    in.fault_level = 4; /* ignored for a #GP */
    CHECK_STR(fmt(&o, &in), "0 0 0 0x800000000000 R U - - - - - gp 0x00 0 - -\n");
    static const char *const names[] = {"-", "np", "rsvd", "write", "user", "nx", "smep", "smap", "gp"};
    for (int c = 1; c < MMU_CAUSE_COUNT; c++)
        CHECK_STR(tlog_fault_name(c == MMU_CAUSE_NONCANON ? MMU_FAULT_GP : MMU_FAULT_PF, (uint8_t)c), names[c]);
    CHECK_STR(tlog_fault_name(MMU_FAULT_NONE, 0), "-");
    /* too small a buffer */
    char small[8];
    CHECK_EQ(tlog_format(small, sizeof small, &o, &in), 0);
    CHECK_EQ(tlog_z_from_name("a.log"), TLOG_Z_NONE);
    CHECK_EQ(tlog_z_from_name("a.log.gz"), TLOG_Z_GZIP);
    CHECK_EQ(tlog_z_from_name("a.log.zst"), TLOG_Z_ZSTD);
    CHECK_EQ(tlog_z_from_name("a.log.xz"), TLOG_Z_XZ);
    CHECK_EQ(tlog_z_from_name(".gz"), TLOG_Z_NONE);
}

/* ------------------------------------------- a run, parsed back */

#define MAXREC 20000
typedef struct {
    tlog_t *log;
    int n;
    mmu_out_t *o;
    mmu_rsp_info_t *in;
} cap_t;

static void cap_rsp(void *ctx, const mmu_out_t *o, const mmu_rsp_info_t *in)
{
    cap_t *c = ctx;
    if (c->log)
        tlog_write(c->log, o, in);
    if (c->o && c->n < MAXREC) {
        c->o[c->n] = *o;
        c->in[c->n] = *in;
    }
    c->n++;
}

static int wl_next_cb(void *ctx, trace_rec_t *r) { return wl_next(ctx, r); }

/* A workload run with two processes and PCIDs, pipelined: hits, walks
 * from every PWC level, joins. Returns the number of responses. */
static int run_workload(const char *log_path, cap_t *cap, uint64_t seed)
{
    char err[512];
    sim_config_t c;
    cfg_preset(&c, "tiny", err, sizeof err);
    cfg_set(&c, "processes", "2", err, sizeof err);
    cfg_set(&c, "switch_every", "500", err, sizeof err);
    cfg_set(&c, "pcid", "on", err, sizeof err);
    cfg_set(&c, "backing", "mix", err, sizeof err);
    c.seed = seed;
    wl_spec_t ws;
    wl_defaults(&ws);
    ws.kind = WL_ZIPF;
    ws.footprint = 64ull << 30;
    ws.accesses = 4000;
    ws.seed = seed;
    workload_t *w;
    if (wl_create(&ws, &w, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    if (log_path && tlog_open(&cap->log, log_path, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        wl_destroy(w);
        return -1;
    }
    stats_t st;
    stats_init(&st);
    sim_source_t src = {wl_next_cb, NULL, w, "zipf", NULL, cap_rsp, cap, NULL, NULL};
    int rc = sim_run(&c, &src, &st, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "%s\n", err);
    char e2[512];
    if (tlog_close(cap->log, rc == 0, e2, sizeof e2) != 0) {
        fprintf(stderr, "%s\n", e2);
        rc = -1;
    }
    cap->log = NULL;
    stats_free(&st);
    wl_destroy(w);
    return rc == 0 ? cap->n : -1;
}

/* An independent reader of one line (docs/log.md): 14 fields separated by
 * one space. Returns 0 and fills o and in, or -1. */
static int parse_u(const char *s, int base, uint64_t *v)
{
    char *end;
    if (!*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    if (base == 16 && strncmp(s, "0x", 2))
        return -1;
    *v = strtoull(s, &end, base);
    return *end ? -1 : 0;
}

/* One line of a version 1 (14 columns) or version 2 (16 columns) log. */
static int parse_line(char *line, mmu_out_t *o, mmu_rsp_info_t *in)
{
    char *f[17];
    int n = 0;
    for (char *p = line, *save = NULL; (p = strtok_r(p, " ", &save)) && n < 17; p = NULL)
        f[n++] = p;
    if (n != 14 && n != 16)
        return -1;
    memset(o, 0, sizeof *o);
    memset(in, 0, sizeof *in);
    uint64_t v;
    if (parse_u(f[0], 10, &in->seq) || parse_u(f[1], 10, &in->cycle_accept) || parse_u(f[2], 10, &in->cycle_rsp) ||
        parse_u(f[3], 16, &in->va))
        return -1;
    if (strlen(f[4]) != 1 || !strchr("RWX", f[4][0]))
        return -1;
    in->acc = f[4][0] == 'R' ? 0 : f[4][0] == 'W' ? 1 : 2;
    if (strcmp(f[5], "U") && strcmp(f[5], "S") && (n == 14 || strcmp(f[5], "I")))
        return -1;
    in->user = f[5][0] == 'U';
    in->implicit = f[5][0] == 'I';
    if (strcmp(f[6], "-") && parse_u(f[6], 16, &o->rsp_paddr))
        return -1;
    static const char *const sizes[] = {"4k", "2m", "1g", "-"};
    int sz = -1;
    for (int i = 0; i < 4; i++)
        if (!strcmp(f[7], sizes[i]))
            sz = i;
    if (sz < 0)
        return -1;
    o->rsp_size = (uint8_t)sz;
    static const char *const srcs[] = {"l1", "stlb", "walk", "walk:pml4e", "walk:pdpte", "walk:pde", "join", "-"};
    int si = -1;
    for (int i = 0; i < 8; i++)
        if (!strcmp(f[8], srcs[i]))
            si = i;
    if (si < 0)
        return -1;
    o->rsp_src = si == 0 ? MMU_SRC_L1 : si == 1 ? MMU_SRC_STLB : si == 7 ? MMU_SRC_NONE : MMU_SRC_WALK;
    o->rsp_pwc = si >= 3 && si <= 5 ? (uint8_t)(si - 2) : 0;
    in->joined = si == 6;
    if (strcmp(f[9], "-")) {
        for (char *p = f[9], *save = NULL; (p = strtok_r(p, ",", &save)); p = NULL) {
            int lv = p[0] - '0';
            if (lv < 1 || lv > 4 || p[1] != ':' || (in->read_mask >> lv & 1))
                return -1;
            char *eq = strchr(p, '=');
            if (!eq)
                return -1;
            *eq = 0;
            if (parse_u(p + 2, 16, &in->pte_addr[lv]) || parse_u(eq + 1, 16, &in->pte[lv]))
                return -1;
            in->read_mask |= (uint8_t)(1u << lv);
            in->mem_reads++;
        }
    }
    if (strcmp(f[10], "-")) {
        for (char *p = f[10], *save = NULL; (p = strtok_r(p, ",", &save)); p = NULL) {
            char *eq = strchr(p, '=');
            if (!eq || in->mem_writes == 4)
                return -1;
            *eq = 0;
            if (parse_u(p, 16, &in->wr_addr[in->mem_writes]) || parse_u(eq + 1, 16, &in->wr_data[in->mem_writes]))
                return -1;
            in->mem_writes++;
        }
    }
    static const char *const faults[] = {"-", "np", "rsvd", "write", "user", "nx", "smep", "smap", "gp"};
    int fi = -1;
    for (int i = 0; i < 9; i++)
        if (!strcmp(f[11], faults[i]))
            fi = i;
    if (fi < 0)
        return -1;
    o->rsp_fault = fi == 0 ? MMU_FAULT_NONE : fi == 8 ? MMU_FAULT_GP : MMU_FAULT_PF;
    o->rsp_cause = (uint8_t)fi;
    if (fi == 0 ? strcmp(f[12], "-") != 0 : (strlen(f[12]) != 4 || parse_u(f[12], 16, &v) || v > 63))
        return -1;
    o->rsp_err = fi ? (uint8_t)v : 0;
    if (parse_u(f[13], 10, &v) || v > 4095)
        return -1;
    in->pcid = (uint16_t)v;
    if (n == 14)
        return 0;
    if (strcmp(f[14], "-") && (strlen(f[14]) != 1 || f[14][0] < '1' || f[14][0] > '4'))
        return -1;
    in->fault_level = f[14][0] == '-' ? 0 : (uint8_t)(f[14][0] - '0');
    if (strcmp(f[15], "-")) {
        if (strlen(f[15]) != 3 || !strchr("w-", f[15][0]) || !strchr("u-", f[15][1]) || !strchr("x-", f[15][2]))
            return -1;
        in->rights = (uint8_t)((f[15][0] == 'w' ? MMU_RIGHT_RW : 0) | (f[15][1] == 'u' ? MMU_RIGHT_US : 0) |
                               (f[15][2] == '-' ? MMU_RIGHT_XD : 0));
    }
    return 0;
}

/* The fields of a parsed line against the response they came from. */
static int same(const mmu_out_t *po, const mmu_rsp_info_t *pi, const mmu_out_t *o, const mmu_rsp_info_t *in)
{
    if (pi->seq != in->seq || pi->cycle_accept != in->cycle_accept || pi->cycle_rsp != in->cycle_rsp ||
        pi->va != in->va || pi->acc != in->acc || pi->user != (in->user && !in->implicit) ||
        pi->implicit != in->implicit || pi->pcid != in->pcid)
        return 0;
    if (pi->fault_level != (o->rsp_fault == MMU_FAULT_PF ? in->fault_level : 0) ||
        (o->rsp_size != MMU_PS_NONE && pi->rights != in->rights))
        return 0;
    if (po->rsp_paddr != (o->rsp_fault ? 0 : o->rsp_paddr) || po->rsp_size != o->rsp_size ||
        po->rsp_fault != o->rsp_fault || po->rsp_cause != o->rsp_cause || po->rsp_err != o->rsp_err ||
        po->rsp_src != o->rsp_src || pi->joined != in->joined)
        return 0;
    if (o->rsp_src == MMU_SRC_WALK && !in->joined && po->rsp_pwc != o->rsp_pwc)
        return 0;
    if (pi->read_mask != in->read_mask || pi->mem_writes != in->mem_writes)
        return 0;
    for (int l = 1; l <= 4; l++)
        if ((in->read_mask >> l & 1) && (pi->pte_addr[l] != in->pte_addr[l] || pi->pte[l] != in->pte[l]))
            return 0;
    for (int i = 0; i < in->mem_writes; i++)
        if (pi->wr_addr[i] != in->wr_addr[i] || pi->wr_data[i] != in->wr_data[i])
            return 0;
    return 1;
}

static void test_parse_back(void)
{
    static mmu_out_t o[MAXREC];
    static mmu_rsp_info_t in[MAXREC];
    cap_t cap = {NULL, 0, o, in};
    const char *path = tmp_path("run.log");
    int n = run_workload(path, &cap, 7);
    CHECK(n >= 4000 && n < MAXREC);
    if (n <= 0 || n >= MAXREC)
        return;
    size_t len;
    char *text = slurp(path, &len);
    CHECK(text != NULL);
    if (!text)
        return;
    /* header, one line per response in response order, trailer */
    int i = 0, lineno = 0, bad = 0, seen_end = 0;
    int kinds[8] = {0};
    uint64_t last_done = 0;
    for (char *p = text, *save = NULL; (p = strtok_r(p, "\n", &save)); p = NULL) {
        lineno++;
        if (lineno == 1) {
            CHECK_STR(p, "#mmulog v2");
            continue;
        }
        if (lineno == 2) {
            CHECK_STR(p, "#seq issue done va kind priv pa size src reads writes fault err pcid level rights");
            continue;
        }
        if (p[0] == '#') {
            char want[64];
            snprintf(want, sizeof want, "#end %d translations", n);
            CHECK_STR(p, want);
            seen_end = 1;
            continue;
        }
        CHECK(!seen_end);
        mmu_out_t po;
        mmu_rsp_info_t pi;
        char copy[TLOG_LINE_MAX];
        snprintf(copy, sizeof copy, "%s", p);
        if (parse_line(p, &po, &pi) != 0) {
            if (bad++ < 3)
                fprintf(stderr, "line %d does not parse: %s\n", lineno, copy);
            continue;
        }
        if (i >= n || !same(&po, &pi, &o[i], &in[i])) {
            if (bad++ < 3)
                fprintf(stderr, "line %d differs from response %d: %s\n", lineno, i, copy);
        }
        if (pi.cycle_rsp <= last_done && i > 0)
            bad++; /* one response per cycle, in order */
        last_done = pi.cycle_rsp;
        int k = o[i].rsp_src == MMU_SRC_WALK ? (in[i].joined ? 6 : 2 + o[i].rsp_pwc) : o[i].rsp_src;
        kinds[k < 8 ? k : 7]++;
        i++;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(i, n);
    CHECK(seen_end);
    /* the run exercised every kind of line */
    for (int k = 0; k < 7; k++)
        if (!kinds[k])
            fprintf(stderr, "no line of kind %d (l1, stlb, -, walk, pml4e, pdpte, pde, join)\n", k);
    CHECK(kinds[0] && kinds[1] && kinds[2] && kinds[3] && kinds[4] && kinds[5] && kinds[6]);
    free(text);
}

/* The sample image and trace: the line of the access that faults. */
static void test_sample(void)
{
    char err[512];
    image_t *im = image_create();
    CHECK_EQ(image_load_text(im, MMU_SOURCE_DIR "/traces/sample.img", err, sizeof err), 0);
    sim_config_t c;
    cfg_preset(&c, "skylake", err, sizeof err);
    CHECK_EQ(image_apply_header(im, &c, err, sizeof err), 0);
    sim_opts_t so = {0};
    uint64_t cr3 = 0;
    CHECK_EQ(image_cr3(im, &cr3), 1);
    image_opts(im, cr3, c.mmu.maxphyaddr, &so);
    trace_reader_t *tr;
    CHECK_EQ(trace_open(&tr, MMU_SOURCE_DIR "/traces/sample.txt", TRACE_FMT_AUTO, err, sizeof err), 0);
    cap_t cap = {NULL, 0, NULL, NULL};
    const char *path = tmp_path("sample.log");
    CHECK_EQ(tlog_open(&cap.log, path, err, sizeof err), 0);
    stats_t st;
    stats_init(&st);
    sim_source_t src = {(int (*)(void *, trace_rec_t *))trace_next, NULL, tr, "sample", NULL, cap_rsp, &cap, NULL,
                        NULL};
    CHECK_EQ(sim_run_opts(&c, &so, &src, &st, err, sizeof err), 0);
    CHECK_EQ(tlog_close(cap.log, 1, err, sizeof err), 0);
    trace_close(tr);
    stats_free(&st);
    image_destroy(im);
    size_t len;
    char *text = slurp(path, &len);
    if (!text) {
        CHECK(0);
        return;
    }
    /* every line but one translates; the second page of the load at 0x4a6ffe is not present */
    int lines = 0, faults = 0;
    for (char *p = text, *save = NULL; (p = strtok_r(p, "\n", &save)); p = NULL) {
        if (p[0] == '#')
            continue;
        lines++;
        mmu_out_t po;
        mmu_rsp_info_t pi;
        char copy[TLOG_LINE_MAX];
        snprintf(copy, sizeof copy, "%s", p);
        CHECK_EQ(parse_line(p, &po, &pi), 0);
        if (po.rsp_fault) {
            faults++;
            const char *tail = strstr(copy, " 0x4a7000 R U - - ");
            CHECK(tail != NULL);
            if (tail)
                /* the PTE (level 1) is 0: not present, no leaf */
                CHECK_STR(strchr(tail + 18, ' ') + 1, "1:0x4538=0x0 - np 0x04 0 1 -");
        }
        if (pi.va == 0x1fff000630) /* the first stack access: a 1 GiB page, a full walk */
            CHECK(strstr(copy, " 0x1fff000630 R U 0xff000630 1g walk 4:0x1000=0x2007,3:0x23f8=0x80000000c0000087 "
                               "0x1000=0x2027,0x23f8=0x80000000c00000a7 - - 0") != NULL);
        /* PML4E 0x2007 (RW, US) and the 1 GiB PDPTE 0x80000000c0000087 (RW, US, XD): "wu-" */
        if (pi.va == 0x1fff000630)
            CHECK(strstr(copy, " - - 0 - wu-") != NULL);
    }
    CHECK_EQ(lines, 114);
    CHECK_EQ(faults, 1);
    free(text);
}

/* ---------------------------------------------- compression, determinism */

static char *gunzip(const char *path, size_t *n)
{
    gzFile g = gzopen(path, "rb");
    if (!g)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap);
    int k;
    while ((k = gzread(g, b + len, (unsigned)(cap - len))) > 0) {
        len += (size_t)k;
        if (len == cap)
            b = realloc(b, cap *= 2);
    }
    gzclose(g);
    *n = len;
    return b;
}

static char *unzstd(const char *path, size_t *n)
{
    size_t zn;
    char *z = slurp(path, &zn);
    if (!z)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap);
    ZSTD_DCtx *d = ZSTD_createDCtx();
    ZSTD_inBuffer in = {z, zn, 0};
    while (in.pos < in.size) {
        if (len == cap)
            b = realloc(b, cap *= 2);
        ZSTD_outBuffer out = {b + len, cap - len, 0};
        size_t r = ZSTD_decompressStream(d, &out, &in);
        len += out.pos;
        if (ZSTD_isError(r)) {
            free(b);
            b = NULL;
            break;
        }
    }
    ZSTD_freeDCtx(d);
    free(z);
    *n = len;
    return b;
}

static char *unxz(const char *path, size_t *n)
{
    size_t zn;
    char *z = slurp(path, &zn);
    if (!z)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap);
    lzma_stream s = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK) {
        free(b);
        free(z);
        return NULL;
    }
    s.next_in = (const uint8_t *)z;
    s.avail_in = zn;
    for (;;) {
        if (len == cap)
            b = realloc(b, cap *= 2);
        s.next_out = (uint8_t *)b + len;
        s.avail_out = cap - len;
        lzma_ret r = lzma_code(&s, LZMA_FINISH);
        len = cap - s.avail_out;
        if (r == LZMA_STREAM_END)
            break;
        if (r != LZMA_OK) {
            free(b);
            b = NULL;
            break;
        }
    }
    lzma_end(&s);
    free(z);
    *n = len;
    return b;
}

static void test_compress_determinism(void)
{
    cap_t cap = {NULL, 0, NULL, NULL};
    const char *names[] = {"a.log", "b.log", "a.log.gz", "b.log.gz", "a.log.zst", "b.log.zst", "a.log.xz"};
    for (int i = 0; i < 7; i++) {
        cap.n = 0;
        CHECK(run_workload(tmp_path(names[i]), &cap, 11) > 0);
    }
    size_t na, nb;
    char *a = slurp(tmp_path("a.log"), &na), *b = slurp(tmp_path("b.log"), &nb);
    CHECK(a && b && na == nb && !memcmp(a, b, na)); /* same run, same bytes */
    CHECK(na > 100000);
    for (int z = 0; z < 3; z++) {
        const char *x = z == 0 ? "a.log.gz" : z == 1 ? "a.log.zst" : "a.log.xz";
        size_t nz = 0, nx = 0;
        char *d = z == 0 ? gunzip(tmp_path(x), &nz) : z == 1 ? unzstd(tmp_path(x), &nz) : unxz(tmp_path(x), &nz);
        char *raw = slurp(tmp_path(x), &nx);
        CHECK(d && nz == na && !memcmp(d, a, na));
        CHECK(raw && nx < na / 3); /* it is compressed */
        CHECK(raw && raw[0] != '#');
        free(d);
        free(raw);
    }
    for (int z = 0; z < 2; z++) {
        const char *x = z ? "a.log.zst" : "a.log.gz", *y = z ? "b.log.zst" : "b.log.gz";
        size_t n1, n2;
        char *p = slurp(tmp_path(x), &n1), *q = slurp(tmp_path(y), &n2);
        CHECK(p && q && n1 == n2 && !memcmp(p, q, n1));
        free(p);
        free(q);
    }
    /* another seed gives another log */
    cap.n = 0;
    CHECK(run_workload(tmp_path("c.log"), &cap, 12) > 0);
    size_t nc;
    char *c = slurp(tmp_path("c.log"), &nc);
    CHECK(c && (nc != na || memcmp(a, c, na)));
    free(a);
    free(b);
    free(c);
}

static void test_errors(void)
{
    char err[512];
    tlog_t *l;
    const char *p = tmp_path("no/such/dir.log");
    CHECK_EQ(tlog_open(&l, p, err, sizeof err), -1);
    CHECK(strstr(err, "dir.log: cannot write the log: No such file or directory") != NULL);
    CHECK(l == NULL);
    CHECK_EQ(tlog_close(NULL, 1, err, sizeof err), 0);
    if (access("/dev/full", W_OK) == 0) {
        CHECK_EQ(tlog_open(&l, "/dev/full", err, sizeof err), 0);
        mmu_out_t o = {0};
        mmu_rsp_info_t in = {0};
        for (int i = 0; i < 20000; i++)
            tlog_write(l, &o, &in);
        CHECK(tlog_lines(l) > 0 && tlog_lines(l) < 20000); /* lines after the error are dropped */
        CHECK_EQ(tlog_close(l, 1, err, sizeof err), -1);
        CHECK(strstr(err, "/dev/full: No space left on device") != NULL);
    }
    /* a log cut short by an error has no trailer */
    CHECK_EQ(tlog_open(&l, tmp_path("cut.log"), err, sizeof err), 0);
    CHECK_EQ(tlog_close(l, 0, err, sizeof err), 0);
    size_t n;
    char *t = slurp(tmp_path("cut.log"), &n);
    CHECK(t && !strcmp(t, "#mmulog v2\n#seq issue done va kind priv pa size src reads writes fault err pcid level rights\n"));
    free(t);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/test_log.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_format();
    test_parse_back();
    test_sample();
    test_compress_determinism();
    test_errors();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    CHECK_DONE();
}
