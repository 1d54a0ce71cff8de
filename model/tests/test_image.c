/* test_image.c - replay of page tables the tool did not build (docs/replay.md):
 * text and raw images, snapshot mapping files, and the driver's replay mode.
 *
 * Expected translations and error codes are worked out by hand from the
 * tables below (Intel SDM Vol. 3A 4.5 walk, 4.5.4 reserved bits, 4.6.1
 * rights, 4.7 error code), plus a seeded fuzz of garbage tables checked
 * against an independent reference walk written here from the SDM. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "image.h"
#include "mmu_config.h"
#include "pt.h"
#include "sim.h"
#include "stats.h"

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) & 7;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static const char *write_file(const char *name, const void *data, size_t n)
{
    const char *p = tmp_path(name);
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", p);
        exit(2);
    }
    return p;
}

static const char *write_text(const char *name, const char *text) { return write_file(name, text, strlen(text)); }

/* ------------------------------------------------------------ the driver */

typedef struct {
    uint64_t va;
    char kind; /* 'R', 'W', 'X' */
} acc_t;

typedef struct {
    const acc_t *a;
    size_t n, i;
} vsrc_t;

static int vs_next(void *ctx, trace_rec_t *r)
{
    vsrc_t *s = ctx;
    if (s->i == s->n)
        return 0;
    const acc_t *a = &s->a[s->i++];
    r->vaddr = a->va;
    r->size = 1;
    r->kind = a->kind == 'W' ? TR_WRITE : a->kind == 'X' ? TR_EXEC : TR_READ;
    return 1;
}

#define MAXR 4096
typedef struct {
    int n;
    mmu_out_t o[MAXR];
    mmu_rsp_info_t info[MAXR];
} rsps_t;

static void on_rsp(void *ctx, const mmu_out_t *o, const mmu_rsp_info_t *info)
{
    rsps_t *r = ctx;
    if (info->seq < MAXR) {
        r->o[info->seq] = *o;
        r->info[info->seq] = *info;
    }
    r->n++;
}

static void base_cfg(sim_config_t *c)
{
    char err[256];
    cfg_preset(c, "tiny", err, sizeof err);
    c->issue = ISSUE_INORDER; /* one request per access, seq = access index */
}

/* Run accesses over an image; results by sequence number into *r. */
static int run_image(const sim_config_t *cfg, image_t *im, uint64_t cr3, sim_priv_t priv, const acc_t *a, size_t n,
                     rsps_t *r, char *err, size_t errlen)
{
    sim_opts_t o = {0};
    o.priv = priv;
    image_opts(im, cr3, cfg->mmu.maxphyaddr, &o);
    vsrc_t vs = {a, n, 0};
    memset(r, 0, sizeof *r);
    sim_source_t src = {vs_next, NULL, &vs, "test", NULL, on_rsp, r, NULL, NULL};
    stats_t st;
    stats_init(&st);
    int rc = sim_run_opts(cfg, &o, &src, &st, err, errlen);
    stats_free(&st);
    return rc;
}

/* Expected result of one access. */
typedef struct {
    uint64_t pa;     /* when ok */
    int size;        /* MMU_PS_*, MMU_PS_NONE */
    int cause;       /* MMU_CAUSE_* (NONE: translated) */
    int err;         /* error code when faulting */
    int level;       /* level of the last entry read, 4..1 (-1: do not check) */
} exp_t;

#define OK(pa, ps) {(pa), (ps), MMU_CAUSE_NONE, 0, -1}
#define PF(cause, ps, err, level) {0, (ps), (cause), (err), (level)}

static void check_one(const rsps_t *r, size_t i, const acc_t *a, const exp_t *e, const char *what)
{
    const mmu_out_t *o = &r->o[i];
    int bad = 0;
    if (e->cause == MMU_CAUSE_NONE) {
        bad |= o->rsp_fault != MMU_FAULT_NONE || o->rsp_paddr != e->pa || o->rsp_size != e->size;
    } else {
        bad |= o->rsp_fault != MMU_FAULT_PF || o->rsp_cause != e->cause || o->rsp_err != e->err ||
               o->rsp_size != e->size;
    }
    /* the walk may start below the top after a paging-structure-cache hit,
     * but it always ends at the level of the fault */
    int level = 0;
    for (int l = 4; l >= 1; l--)
        if (r->info[i].read_mask >> l & 1)
            level = l;
    if (e->level >= 0 && level != e->level)
        bad = 1;
    if (bad) {
        check_fail_++;
        fprintf(stderr,
                "%s: access %zu (%c 0x%" PRIx64 "): got fault %u cause %u err 0x%x pa 0x%" PRIx64 " size %u level %d;"
                " expected cause %d err 0x%x pa 0x%" PRIx64 " size %d level %d\n",
                what, i, a->kind, a->va, o->rsp_fault, o->rsp_cause, o->rsp_err, o->rsp_paddr, o->rsp_size, level,
                e->cause, e->err, e->pa, e->size, e->level);
    } else {
        check_pass_++;
    }
}

/* ------------------------------------------------------------ hand tables */

/* CR3 = 0x1000, MAXPHYADDR from the header. VA -> PA by hand:
 *   PML4 0x1000 [0] -> PDPT 0x2000 [0] -> PD 0x3000 [0] -> PT 0x4000
 *   0x1000   -> 0x9000    4k read-only   (PT[1])
 *   0x2000   -> 0xa000    4k writable    (PT[2])
 *   0x5000   -> 0xc000    4k XD          (PT[5])
 *   0x200000 -> 0x600000  2m             (PD[1], PS)
 *   0x40000000 -> 0x40000000 1g          (PDPT[1], PS)
 *   0x8000000000 (PML4[1]), 0x80000000 (PDPT[2]), 0x400000 (PD[2]), 0x3000 (PT[3]): not present
 * reserved bits, one per level:
 *   PML4[2] PS=1;  PML4[3] bit 46 (= MAXPHYADDR 46);  PDPT[3] 1g with bit 13;
 *   PD[3] 2m with bit 13;  PT[4] bit 50;  PML4[8] all ones
 * ignored bits: PML4[4] = PDPT 0x2000 with bit 55 (ignored in a PML4E)
 * loops and wild pointers:
 *   PML4[511] -> the PML4 itself (self-map): 0xfffffffffffff008 -> 0x1008
 *   PDPT[4] -> the PDPT as a PD: 0x100000010 -> PDPT[0] as PDE -> PD as PT -> PD[0]
 *              as PTE = 0x4007 -> 0x4010
 *   PML4[6] -> 0x7000000 outside the image (reads zero): not present at level 3
 *   PML4[7] -> bit 47 above MAXPHYADDR: reserved at level 4 */
static const char *hand_image =
    "#mmuimage v1\n"
    "# hand-made tables\n"
    "cr3 0x1000\n"
    "efer.nxe 1\n"
    "maxphyaddr 46\n"
    "\n"
    "0x1000 0x2007\n"
    "0x1010 0x5087          # PML4[2]: PS in a PML4E\n"
    "0x1018 0x400000005007  # PML4[3]: bit 46\n"
    "0x1020 0x80000000002007 # PML4[4]: bit 55, ignored\n"
    "0x1030 0x7000007       # PML4[6]: outside\n"
    "0x1038 0x800000000007  # PML4[7]: bit 47\n"
    "0x1040 0xffffffffffffffff # PML4[8]: garbage\n"
    "0x1ff8 0x1007          # PML4[511]: self\n"
    "0x2000 0x3007\n"
    "0x2008 0x40000087      # 1 GiB page\n"
    "0x2018 0xc0002087      # PDPT[3]: 1g with bit 13\n"
    "0x2020 0x2007          # PDPT[4]: the PDPT as a PD\n"
    "0x3000 0x4007\n"
    "0x3008 0x600087        # 2 MiB page\n"
    "0x3018 0x802087        # PD[3]: 2m with bit 13\n"
    "0x4008 0x9005          # read-only\n"
    "0x4010 0xa007\n"
    "0x4020 0x400000000b007 # PT[4]: bit 50\n"
    "0x4028 0x800000000000c007 # PT[5]: XD\n"
    "0x4030 0xffffffffffffffff # PT[6]: garbage\n";

static const acc_t hand_acc[] = {
    {0x1234, 'R'},         {0x1234, 'W'},         {0x2ff8, 'W'},          {0x2000, 'X'},
    {0x345678, 'R'},       {0x40012345, 'W'},     {0x8000000000, 'R'},    {0x80000000, 'R'},
    {0x400000, 'W'},       {0x3000, 'R'},         {0x10000000000, 'R'},   {0x18000000000, 'R'},
    {0xc0000000, 'R'},     {0x600000, 'R'},       {0x4000, 'W'},          {0x40000000000, 'R'},
    {0x20000001234, 'R'},  {0xfffffffffffff008, 'R'}, {0x100000010, 'R'}, {0x30000000000, 'R'},
    {0x38000000000, 'R'},  {0x5000, 'R'},         {0x5000, 'X'},          {0x6000, 'R'},
};

/* user-mode error codes: 0x04 US; | 0x02 W; | 0x01 P; | 0x08 RSVD; | 0x10 I/D */
static const exp_t hand_exp[] = {
    OK(0x9234, MMU_PS_4K),
    PF(MMU_CAUSE_WRITE, MMU_PS_4K, 0x07, -1),
    OK(0xaff8, MMU_PS_4K),
    OK(0xa000, MMU_PS_4K),
    OK(0x745678, MMU_PS_2M),
    OK(0x40012345, MMU_PS_1G),
    PF(MMU_CAUSE_NOT_PRESENT, MMU_PS_NONE, 0x04, 4),
    PF(MMU_CAUSE_NOT_PRESENT, MMU_PS_NONE, 0x04, 3),
    PF(MMU_CAUSE_NOT_PRESENT, MMU_PS_NONE, 0x06, 2),
    PF(MMU_CAUSE_NOT_PRESENT, MMU_PS_NONE, 0x04, 1),
    PF(MMU_CAUSE_RSVD, MMU_PS_NONE, 0x0d, 4),
    PF(MMU_CAUSE_RSVD, MMU_PS_NONE, 0x0d, 4),
    PF(MMU_CAUSE_RSVD, MMU_PS_NONE, 0x0d, 3),
    PF(MMU_CAUSE_RSVD, MMU_PS_NONE, 0x0d, 2),
    PF(MMU_CAUSE_RSVD, MMU_PS_NONE, 0x0f, 1),
    PF(MMU_CAUSE_RSVD, MMU_PS_NONE, 0x0d, 4),
    OK(0x9234, MMU_PS_4K),
    OK(0x1008, MMU_PS_4K),
    OK(0x4010, MMU_PS_4K),
    PF(MMU_CAUSE_NOT_PRESENT, MMU_PS_NONE, 0x04, 3),
    PF(MMU_CAUSE_RSVD, MMU_PS_NONE, 0x0d, 4),
    OK(0xc000, MMU_PS_4K),
    PF(MMU_CAUSE_NX, MMU_PS_4K, 0x15, -1),
    PF(MMU_CAUSE_RSVD, MMU_PS_NONE, 0x0d, 1),
};
#define NHAND (sizeof hand_acc / sizeof hand_acc[0])

static void test_hand_text(void)
{
    char err[512];
    image_t *im = image_create();
    const char *p = write_text("hand.img", hand_image);
    CHECK_EQ(image_load_text(im, p, err, sizeof err), 0);
    sim_config_t c;
    base_cfg(&c);
    c.mode &= ~MMU_MODE_NXE;
    CHECK_EQ(image_apply_header(im, &c, err, sizeof err), 0);
    CHECK(c.mode & MMU_MODE_NXE);
    uint64_t cr3 = 0;
    CHECK_EQ(image_cr3(im, &cr3), 1);
    CHECK_EQ(cr3, 0x1000);
    static rsps_t r;
    CHECK_EQ(run_image(&c, im, cr3, SIM_PRIV_USER, hand_acc, NHAND, &r, err, sizeof err), 0);
    CHECK_EQ(r.n, NHAND);
    for (size_t i = 0; i < NHAND; i++)
        check_one(&r, i, &hand_acc[i], &hand_exp[i], "text image");
    /* the self-map walk read the same entry four times */
    const mmu_rsp_info_t *in = &r.info[17];
    CHECK_EQ(in->read_mask, 0x1e);
    for (int l = 1; l <= 4; l++) {
        CHECK_EQ(in->pte_addr[l], 0x1ff8);
        CHECK_EQ(in->pte[l] & ~0x60ull, 0x1007);
    }
    /* the PDPT-as-PD walk: PML4[0], PDPT[4], PDPT[0] as a PDE, PD[0] as a PTE */
    in = &r.info[18];
    CHECK_EQ(in->pte_addr[4], 0x1000);
    CHECK_EQ(in->pte_addr[3], 0x2020);
    CHECK_EQ(in->pte_addr[2], 0x2000);
    CHECK_EQ(in->pte_addr[1], 0x3000);
    /* A/D: the first walk set A in all four entries, top first */
    in = &r.info[0];
    CHECK_EQ(in->mem_writes, 4);
    CHECK_EQ(in->wr_addr[0], 0x1000);
    CHECK_EQ(in->wr_data[0], 0x2027);
    CHECK_EQ(in->wr_addr[3], 0x4008);
    CHECK_EQ(in->wr_data[3], 0x9025);
    CHECK_EQ(pmem_read64(image_mem(im), 0x4008), 0x9025);
    image_destroy(im);

    /* EFER.NXE = 0: bit 63 is reserved (PT[5]); fetches have no I/D bit */
    im = image_create();
    char *t2 = malloc(strlen(hand_image) + 1);
    strcpy(t2, hand_image);
    memcpy(strstr(t2, "efer.nxe 1"), "efer.nxe 0", 10);
    CHECK_EQ(image_load_text(im, write_text("hand0.img", t2), err, sizeof err), 0);
    free(t2);
    base_cfg(&c);
    CHECK_EQ(image_apply_header(im, &c, err, sizeof err), 0);
    CHECK(!(c.mode & MMU_MODE_NXE));
    static const acc_t a2[] = {{0x5000, 'R'}, {0x5000, 'X'}, {0x2000, 'X'}, {0x2000, 'W'}};
    static const exp_t e2[] = {PF(MMU_CAUSE_RSVD, MMU_PS_NONE, 0x0d, 1), PF(MMU_CAUSE_RSVD, MMU_PS_NONE, 0x0d, 1),
                               OK(0xa000, MMU_PS_4K), OK(0xa000, MMU_PS_4K)};
    CHECK_EQ(run_image(&c, im, 0x1000, SIM_PRIV_USER, a2, 4, &r, err, sizeof err), 0);
    for (size_t i = 0; i < 4; i++)
        check_one(&r, i, &a2[i], &e2[i], "nxe=0");
    image_destroy(im);
}

/* MAXPHYADDR 36: a pointer to 0x800000000 (bit 35) is memory that is not in
 * the image (zeros: not present); one to 0x1000000000 (bit 36) is reserved. */
static void test_maxphyaddr(void)
{
    char err[512];
    image_t *im = image_create();
    CHECK_EQ(image_load_text(im, write_text("m36.img",
                                            "cr3 0x1000\nmaxphyaddr 36\n"
                                            "1000 800000007\n"
                                            "1008 1000000007\n"),
                             err, sizeof err),
             0);
    sim_config_t c;
    base_cfg(&c);
    CHECK_EQ(image_apply_header(im, &c, err, sizeof err), 0);
    CHECK_EQ(c.mmu.maxphyaddr, 36);
    static const acc_t a[] = {{0x1000, 'R'}, {0x8000000000, 'R'}};
    static const exp_t e[] = {PF(MMU_CAUSE_NOT_PRESENT, MMU_PS_NONE, 0x04, 3),
                              PF(MMU_CAUSE_RSVD, MMU_PS_NONE, 0x0d, 4)};
    static rsps_t r;
    CHECK_EQ(run_image(&c, im, 0x1000, SIM_PRIV_USER, a, 2, &r, err, sizeof err), 0);
    for (size_t i = 0; i < 2; i++)
        check_one(&r, i, &a[i], &e[i], "maxphyaddr 36");
    /* CR3 above MAXPHYADDR is refused */
    CHECK_EQ(run_image(&c, im, 0x1000 | (1ull << 63), SIM_PRIV_USER, a, 2, &r, err, sizeof err), -1);
    CHECK_EQ(run_image(&c, im, 1ull << 36, SIM_PRIV_USER, a, 2, &r, err, sizeof err), -1);
    CHECK(strstr(err, "cr3 0x1000000000: bits 63:36 must be 0") != NULL);
    image_destroy(im);
}

/* CR4.PCIDE from the header: the PCID is CR3[11:0]. */
static void test_pcid(void)
{
    char err[512];
    image_t *im = image_create();
    CHECK_EQ(image_load_text(im, write_text("pcid.img", "cr3 0x1005\ncr4.pcide 1\n1000 2007\n2000 3007\n3000 4007\n4000 9007\n"),
                             err, sizeof err),
             0);
    sim_config_t c;
    base_cfg(&c);
    CHECK_EQ(image_apply_header(im, &c, err, sizeof err), 0);
    CHECK(c.pcid && (c.mode & MMU_MODE_PCIDE));
    uint64_t cr3 = 0;
    CHECK_EQ(image_cr3(im, &cr3), 1);
    static const acc_t a[] = {{0x10, 'R'}, {0x18, 'R'}};
    static rsps_t r;
    CHECK_EQ(run_image(&c, im, cr3, SIM_PRIV_USER, a, 2, &r, err, sizeof err), 0);
    CHECK_EQ(r.o[0].rsp_paddr, 0x9010);
    CHECK_EQ(r.info[0].pcid, 5);
    CHECK_EQ(r.o[1].rsp_src, MMU_SRC_L1);
    CHECK_EQ(r.info[1].pcid, 5);
    image_destroy(im);
}

/* Supervisor accesses, SMEP, SMAP and RFLAGS.AC from the header; --priv split. */
static void test_priv(void)
{
    char err[512];
    /* 0x1000 user page, 0x2000 supervisor page (PTE US = 0), 0x3000 user read-only */
    static const char *img = "cr3 0x1000\ncr4.smep 1\ncr4.smap 1\ncr0.wp 1\nrflags.ac 0\n"
                             "1000 2007\n2000 3007\n3000 4007\n4008 9007\n4010 a003\n4018 b005\n"
                             "1ff8 5003\n5ff8 6003\n6ff8 7003\n7ff8 c003\n";
    image_t *im = image_create();
    CHECK_EQ(image_load_text(im, write_text("priv.img", img), err, sizeof err), 0);
    sim_config_t c;
    base_cfg(&c);
    CHECK_EQ(image_apply_header(im, &c, err, sizeof err), 0);
    static const acc_t a[] = {{0x1000, 'R'}, {0x1000, 'X'}, {0x2000, 'W'}, {0x2000, 'X'}, {0x3000, 'W'}};
    /* supervisor: SMAP on a user page (P|RD = 0x01), SMEP on a user page fetch
     * (P|ID = 0x11), supervisor page fine, read-only with WP=1 (P|W = 0x03) */
    static const exp_t es[] = {PF(MMU_CAUSE_SMAP, MMU_PS_4K, 0x01, -1), PF(MMU_CAUSE_SMEP, MMU_PS_4K, 0x11, -1),
                               OK(0xa000, MMU_PS_4K), OK(0xa000, MMU_PS_4K),
                               PF(MMU_CAUSE_SMAP, MMU_PS_4K, 0x03, -1)};
    static rsps_t r;
    CHECK_EQ(run_image(&c, im, 0x1000, SIM_PRIV_SUPERVISOR, a, 5, &r, err, sizeof err), 0);
    for (size_t i = 0; i < 5; i++)
        check_one(&r, i, &a[i], &es[i], "supervisor");
    for (size_t i = 0; i < 5; i++)
        CHECK(!r.info[i].user);
    /* user: the supervisor page faults (P|US = 0x05, 0x07 for the write) */
    static const exp_t eu[] = {OK(0x9000, MMU_PS_4K), OK(0x9000, MMU_PS_4K), PF(MMU_CAUSE_USER, MMU_PS_4K, 0x07, -1),
                               PF(MMU_CAUSE_USER, MMU_PS_4K, 0x15, -1), PF(MMU_CAUSE_WRITE, MMU_PS_4K, 0x07, -1)};
    CHECK_EQ(run_image(&c, im, 0x1000, SIM_PRIV_USER, a, 5, &r, err, sizeof err), 0);
    for (size_t i = 0; i < 5; i++)
        check_one(&r, i, &a[i], &eu[i], "user");
    /* split: the upper half (PML4[511] -> ... -> 0xc000, supervisor) is supervisor */
    static const acc_t a3[] = {{0xfffffffffffff000, 'W'}, {0x2000, 'R'}};
    static const exp_t e3[] = {OK(0xc000, MMU_PS_4K), PF(MMU_CAUSE_USER, MMU_PS_4K, 0x05, -1)};
    CHECK_EQ(run_image(&c, im, 0x1000, SIM_PRIV_SPLIT, a3, 2, &r, err, sizeof err), 0);
    for (size_t i = 0; i < 2; i++)
        check_one(&r, i, &a3[i], &e3[i], "split");
    CHECK(!r.info[0].user);
    CHECK(r.info[1].user);
    /* with RFLAGS.AC = 1 SMAP allows the supervisor read of the user page */
    CHECK_EQ(cfg_set(&c, "mode.ac", "on", err, sizeof err), 0);
    CHECK_EQ(run_image(&c, im, 0x1000, SIM_PRIV_SUPERVISOR, a, 1, &r, err, sizeof err), 0);
    exp_t ok = OK(0x9000, MMU_PS_4K);
    check_one(&r, 0, &a[0], &ok, "ac");
    image_destroy(im);
}

/* Rights come from every level (SDM 4.6.1): R/W = 0, U/S = 0 or XD = 1 in
 * the PML4E, PDPTE, PDE or PTE alone is enough for a write, user or
 * execute-disable fault; and a supervisor access is a SMAP fault only when
 * U/S = 1 at every level. Chain i (PML4[i+1]) has the restriction at one
 * level; its page 0 maps to 0x100000 + i * 0x1000. */
static void test_rights_levels(void)
{
    char err[512];
    char *text = malloc(1 << 16);
    size_t n = (size_t)snprintf(text, 1 << 16, "cr3 0x1000\ncr4.smap 1\nefer.nxe 1\n");
    static const uint64_t bits[3] = {2, 4, 1ull << 63}; /* R/W to clear, U/S to clear, XD to set */
    int chain = 0;
    for (int k = 0; k < 3; k++)
        for (int lv = 4; lv >= 1; lv--, chain++) {
            uint64_t t3 = 0x10000 + (uint64_t)chain * 0x3000, t2 = t3 + 0x1000, t1 = t3 + 0x2000;
            uint64_t e[5];
            e[4] = t3 | 7, e[3] = t2 | 7, e[2] = t1 | 7, e[1] = (0x100000 + (uint64_t)chain * 0x1000) | 7;
            e[lv] = k == 2 ? e[lv] | bits[k] : e[lv] & ~bits[k];
            n += (size_t)snprintf(text + n, (1 << 16) - n, "%x %llx\n%llx %llx\n%llx %llx\n%llx %llx\n",
                                  0x1000 + 8 * (chain + 1), (unsigned long long)e[4], (unsigned long long)t3,
                                  (unsigned long long)e[3], (unsigned long long)t2, (unsigned long long)e[2],
                                  (unsigned long long)t1, (unsigned long long)e[1]);
        }
    image_t *im = image_create();
    CHECK_EQ(image_load_text(im, write_text("rights.img", text), err, sizeof err), 0);
    free(text);
    sim_config_t c;
    base_cfg(&c);
    CHECK_EQ(image_apply_header(im, &c, err, sizeof err), 0);
    static acc_t a[12];
    static exp_t e[12];
    static const char kinds[3] = {'W', 'R', 'X'};
    static const exp_t faults[3] = {PF(MMU_CAUSE_WRITE, MMU_PS_4K, 0x07, 1), PF(MMU_CAUSE_USER, MMU_PS_4K, 0x05, 1),
                                    PF(MMU_CAUSE_NX, MMU_PS_4K, 0x15, 1)};
    for (int i = 0; i < 12; i++) {
        a[i].va = (uint64_t)(i + 1) << 39;
        a[i].kind = kinds[i / 4];
        e[i] = faults[i / 4];
    }
    static rsps_t r;
    CHECK_EQ(run_image(&c, im, 0x1000, SIM_PRIV_USER, a, 12, &r, err, sizeof err), 0);
    for (int i = 0; i < 12; i++)
        check_one(&r, (size_t)i, &a[i], &e[i], "rights at each level");
    /* supervisor reads: U/S = 0 at any level makes a supervisor page (no SMAP
     * fault); the chains with R/W or XD restrictions are user pages: SMAP */
    for (int i = 0; i < 12; i++) {
        a[i].kind = 'R';
        if (i / 4 == 1)
            e[i] = (exp_t)OK(0x100000 + (uint64_t)i * 0x1000, MMU_PS_4K);
        else
            e[i] = (exp_t)PF(MMU_CAUSE_SMAP, MMU_PS_4K, 0x01, 1);
    }
    CHECK_EQ(run_image(&c, im, 0x1000, SIM_PRIV_SUPERVISOR, a, 12, &r, err, sizeof err), 0);
    for (int i = 0; i < 12; i++)
        check_one(&r, (size_t)i, &a[i], &e[i], "supervisor, U/S at each level");
    image_destroy(im);
}

/* ------------------------------------------------------------ raw images */

static void put64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

/* The hand image as a raw dump of [0x1000, 0x5000), the header as options. */
static void test_raw(void)
{
    char err[512];
    static unsigned char dump[0x4000];
    memset(dump, 0, sizeof dump);
    /* the entries of hand_image, parsed back from its text */
    image_t *ref = image_create();
    CHECK_EQ(image_load_text(ref, write_text("hand.img", hand_image), err, sizeof err), 0);
    for (uint64_t a = 0x1000; a < 0x5000; a += 8)
        put64(dump + (a - 0x1000), pmem_read64(image_mem(ref), a));
    image_destroy(ref);
    const char *p = write_file("hand.raw", dump, sizeof dump);

    image_t *im = image_create();
    char arg[600];
    snprintf(arg, sizeof arg, "%s@0x1000", p);
    CHECK_EQ(image_add_raw_arg(im, arg, err, sizeof err), 0);
    sim_config_t c;
    base_cfg(&c);
    static rsps_t r;
    /* one access: only the four tables on its path are read */
    CHECK_EQ(run_image(&c, im, 0x1000, SIM_PRIV_USER, hand_acc, 1, &r, err, sizeof err), 0);
    CHECK_EQ(image_raw_pages_loaded(im), 4);
    CHECK_EQ(pmem_frames(image_mem(im)), 4);
    image_destroy(im);

    im = image_create();
    CHECK_EQ(image_add_raw(im, p, 0x1000, err, sizeof err), 0);
    CHECK_EQ(run_image(&c, im, 0x1000, SIM_PRIV_USER, hand_acc, NHAND, &r, err, sizeof err), 0);
    for (size_t i = 0; i < NHAND; i++)
        check_one(&r, i, &hand_acc[i], &hand_exp[i], "raw image");
    image_destroy(im);

    /* two ranges (split at 0x3000, an odd place) and a text entry on top:
     * PT[1] made writable by the text image */
    const char *p1 = write_file("lo.raw", dump, 0x2000);
    const char *p2 = write_file("hi.raw", dump + 0x2000, 0x2000);
    im = image_create();
    CHECK_EQ(image_load_text(im, write_text("patch.img", "cr3 1000\n4008 9007\n"), err, sizeof err), 0);
    CHECK_EQ(image_add_raw(im, p1, 0x1000, err, sizeof err), 0);
    CHECK_EQ(image_add_raw(im, p2, 0x3000, err, sizeof err), 0);
    static const acc_t a[] = {{0x1234, 'W'}, {0x345678, 'R'}, {0x3000, 'R'}};
    static const exp_t e[] = {OK(0x9234, MMU_PS_4K), OK(0x745678, MMU_PS_2M),
                              PF(MMU_CAUSE_NOT_PRESENT, MMU_PS_NONE, 0x04, 1)};
    CHECK_EQ(run_image(&c, im, 0x1000, SIM_PRIV_USER, a, 3, &r, err, sizeof err), 0);
    for (size_t i = 0; i < 3; i++)
        check_one(&r, i, &a[i], &e[i], "two raw ranges");
    /* overlapping ranges are refused */
    CHECK_EQ(image_add_raw(im, p1, 0x2000, err, sizeof err), -1);
    CHECK(strstr(err, "overlaps") != NULL);
    image_destroy(im);

    /* bad raw images */
    im = image_create();
    const char *t = write_file("trunc.raw", dump, 12);
    CHECK_EQ(image_add_raw(im, t, 0, err, sizeof err), -1);
    CHECK(strstr(err, "trunc.raw: size 12 is not a multiple of 8 bytes") != NULL);
    CHECK_EQ(image_add_raw(im, p, 4, err, sizeof err), -1);
    CHECK(strstr(err, "base 0x4 is not 8-byte aligned") != NULL);
    CHECK_EQ(image_add_raw(im, p, (1ull << 52) - 8, err, sizeof err), -1);
    CHECK(strstr(err, "beyond the 52-bit physical address space") != NULL);
    CHECK_EQ(image_add_raw(im, write_file("empty.raw", "", 0), 0, err, sizeof err), -1);
    CHECK(strstr(err, "empty file") != NULL);
    CHECK_EQ(image_add_raw(im, tmp_path("missing.raw"), 0, err, sizeof err), -1);
    CHECK(strstr(err, "missing.raw: cannot open") != NULL);
    CHECK_EQ(image_add_raw(im, tmpdir, 0, err, sizeof err), -1);
    CHECK(strstr(err, "not a regular file") != NULL);
    CHECK_EQ(image_add_raw_arg(im, "nobase", err, sizeof err), -1);
    CHECK(strstr(err, "expected FILE@BASE") != NULL);
    CHECK_EQ(image_add_raw_arg(im, "x@0xzz", err, sizeof err), -1);
    CHECK(strstr(err, "bad base address 'zz'") != NULL || strstr(err, "bad base address '0xzz'") != NULL);
    image_destroy(im);
}

/* -------------------------------------------------- garbage vs reference */

/* An independent reference walk (SDM 4.5, 4.5.4, 4.6.1, 4.7), 4-level paging. */
typedef struct {
    int fault; /* 0 none, 1 #PF */
    int cause, err, size;
    uint64_t pa;
} ref_t;

static ref_t ref_walk(const pmem_t *m, uint64_t cr3, unsigned M, uint32_t mode, uint64_t va, int acc, int user)
{
    ref_t r = {0, 0, 0, MMU_PS_NONE, 0};
    int nxe = !!(mode & MMU_MODE_NXE), wp = !!(mode & MMU_MODE_WP), smep = !!(mode & MMU_MODE_SMEP),
        smap = !!(mode & MMU_MODE_SMAP), ac = !!(mode & MMU_MODE_AC);
    uint64_t addr = ((1ull << M) - 1) & ~0xfffull;
    uint64_t table = cr3 & addr;
    int rw = 1, us = 1, xd = 0;
    int errbase = (acc == 1 ? 2 : 0) | (user ? 4 : 0) | (acc == 2 && (nxe || smep) ? 0x10 : 0);
    for (int l = 4; l >= 1; l--) {
        uint64_t e = pmem_read64(m, table + (((va >> (12 + 9 * (l - 1))) & 511) << 3));
        if (!(e & 1)) {
            r.fault = 1, r.cause = MMU_CAUSE_NOT_PRESENT, r.err = errbase;
            return r;
        }
        int ps = (e >> 7) & 1;
        uint64_t rsv = (((1ull << 52) - 1) & ~((1ull << M) - 1)) | (nxe ? 0 : 1ull << 63);
        if (l == 4)
            rsv |= 1ull << 7;
        if (l == 3 && ps)
            rsv |= ((1ull << 30) - 1) & ~((1ull << 13) - 1);
        if (l == 2 && ps)
            rsv |= ((1ull << 21) - 1) & ~((1ull << 13) - 1);
        if (e & rsv) {
            r.fault = 1, r.cause = MMU_CAUSE_RSVD, r.err = errbase | 1 | 8;
            return r;
        }
        rw &= (int)(e >> 1 & 1);
        us &= (int)(e >> 2 & 1);
        xd |= (int)(e >> 63);
        if (l == 1 || (l < 4 && ps)) {
            int size = l == 1 ? MMU_PS_4K : l == 2 ? MMU_PS_2M : MMU_PS_1G;
            uint64_t pm = (1ull << (l == 1 ? 12 : l == 2 ? 21 : 30)) - 1;
            int c = 0;
            if (user) {
                if (!us)
                    c = MMU_CAUSE_USER;
                else if (acc == 1 && !rw)
                    c = MMU_CAUSE_WRITE;
                else if (acc == 2 && nxe && xd)
                    c = MMU_CAUSE_NX;
            } else if (acc == 2) {
                if (nxe && xd)
                    c = MMU_CAUSE_NX;
                else if (us && smep)
                    c = MMU_CAUSE_SMEP;
            } else if (us && smap && !ac) {
                c = MMU_CAUSE_SMAP;
            } else if (acc == 1 && !rw && wp) {
                c = MMU_CAUSE_WRITE;
            }
            r.size = size;
            if (c) {
                r.fault = 1, r.cause = c, r.err = errbase | 1;
                return r;
            }
            r.pa = (e & addr & ~pm) | (va & pm);
            return r;
        }
        table = e & addr;
    }
    return r; /* not reached */
}

#define PTE_PS_BIT (1ull << 7)

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 11;
}

/* Sixteen pages of garbage that mostly points at itself, some of it out of
 * the image or above MAXPHYADDR, with random PS, rights and reserved bits;
 * every response must match the reference walk. A raw dump, so lazily loaded. */
static void test_garbage(void)
{
    char err[512];
    static unsigned char dump[16 * 4096];
    static acc_t acc[3000];
    static rsps_t r;
    for (int round = 0; round < 6; round++) {
        uint64_t s = 0x9e3779b97f4a7c15ull * (uint64_t)(round + 1);
        unsigned M = round & 1 ? 39 : 46;
        uint64_t base = 0x100000;
        for (int i = 0; i < 16 * 512; i++) {
            uint64_t x = lcg(&s), e;
            int k = (int)(x % 100);
            if (k < 5)
                e = lcg(&s) << 11 ^ lcg(&s); /* anything */
            else if (k < 12)
                e = 0; /* not present */
            else {
                uint64_t f = lcg(&s);
                if (f % 5 == 0) /* a large page (reserved in a PML4E), mostly aligned */
                    e = ((lcg(&s) % 64) << (f % 2 ? 30 : 21)) | PTE_PS_BIT | (k < 16 ? (lcg(&s) & 0x3fe000) : 0);
                else /* a table: one of the sixteen pages, 16..19 outside the image */
                    e = base + ((lcg(&s) % 20) << 12);
                e |= (f >> 8 & 0x162) | 1; /* P, random RW, A, D, G */
                if (f % 7 != 0)
                    e |= 4; /* mostly user */
                if (k < 14)
                    e |= 1ull << (M + lcg(&s) % (52 - M)); /* above MAXPHYADDR */
                if (lcg(&s) % 16 == 0)
                    e |= 1ull << 63;
                if (lcg(&s) % 8 == 0)
                    e |= (lcg(&s) & 0x7ff) << 52; /* ignored bits */
            }
            put64(dump + 8 * i, e);
        }
        char name[32];
        snprintf(name, sizeof name, "garbage%d.raw", round);
        const char *p = write_file(name, dump, sizeof dump);
        image_t *im = image_create();
        CHECK_EQ(image_add_raw(im, p, base, err, sizeof err), 0);
        sim_config_t c;
        base_cfg(&c);
        c.mmu.maxphyaddr = M;
        c.issue = round < 3 ? ISSUE_INORDER : ISSUE_PIPELINED;
        c.mode = MMU_MODE_WP | MMU_MODE_PGE | (round & 2 ? MMU_MODE_NXE : 0) | (round >= 4 ? MMU_MODE_SMEP | MMU_MODE_SMAP : 0);
        size_t n = sizeof acc / sizeof acc[0];
        for (size_t i = 0; i < n; i++) {
            /* indices mostly among a few values, so that walks reuse entries and TLBs hit */
            uint64_t va = 0;
            for (int l = 4; l >= 1; l--)
                va |= (lcg(&s) % 3 ? lcg(&s) % 4 : lcg(&s) % 512) << (12 + 9 * (l - 1));
            va |= lcg(&s) & 0xff8;
            if (va >> 47)
                va |= 0xffff000000000000ull;
            acc[i].va = va;
            acc[i].kind = "RWX"[lcg(&s) % 3];
        }
        uint64_t cr3 = base + ((lcg(&s) % 16) << 12);
        sim_priv_t priv = round >= 4 ? SIM_PRIV_SPLIT : SIM_PRIV_USER;
        CHECK_EQ(run_image(&c, im, cr3, priv, acc, n, &r, err, sizeof err), 0);
        CHECK_EQ(r.n, n);
        int bad = 0;
        for (size_t i = 0; i < n && bad < 5; i++) {
            int user = priv == SIM_PRIV_USER || !(acc[i].va >> 63);
            int ak = acc[i].kind == 'W' ? 1 : acc[i].kind == 'X' ? 2 : 0;
            ref_t e = ref_walk(image_mem(im), cr3, M, c.mode, acc[i].va, ak, user);
            const mmu_out_t *o = &r.o[i];
            int same = o->rsp_fault == e.fault && o->rsp_size == e.size &&
                       (e.fault ? (o->rsp_cause == e.cause && o->rsp_err == e.err) : o->rsp_paddr == e.pa);
            if (!same) {
                bad++;
                fprintf(stderr,
                        "garbage round %d access %zu %c 0x%" PRIx64 ": model fault %u cause %u err 0x%x size %u pa 0x%" PRIx64
                        ", reference fault %d cause %d err 0x%x size %d pa 0x%" PRIx64 "\n",
                        round, i, acc[i].kind, acc[i].va, o->rsp_fault, o->rsp_cause, o->rsp_err, o->rsp_size,
                        o->rsp_paddr, e.fault, e.cause, e.err, e.size, e.pa);
            }
        }
        CHECK_EQ(bad, 0);
        /* never more than the sixteen pages of the image were read */
        CHECK(image_raw_pages_loaded(im) <= 16);
        image_destroy(im);
    }
}

/* ------------------------------------------------------- text errors */

static void expect_text_err_n(const char *text, size_t n, const char *msg)
{
    char err[512] = "";
    image_t *im = image_create();
    const char *p = write_file("bad.img", text, n);
    int rc = image_load_text(im, p, err, sizeof err);
    char want[600];
    snprintf(want, sizeof want, "%s/bad.img:%s", tmpdir, msg);
    if (rc == -1 && !strcmp(err, want)) {
        check_pass_++;
    } else {
        check_fail_++;
        fprintf(stderr, "text image error: rc %d, got '%s', expected '%s'\n", rc, err, want);
    }
    image_destroy(im);
}

static void expect_text_err(const char *text, const char *msg) { expect_text_err_n(text, strlen(text), msg); }

static void test_text_errors(void)
{
    expect_text_err("0x1000\n", "1: missing value after the address (expected 'ADDRESS VALUE')");
    expect_text_err("# c\n\n1004 1\n", "3: address 0x1004 is not 8-byte aligned");
    expect_text_err("1000 0xzz\n", "1: bad value '0xzz'");
    expect_text_err("1000 1 2\n", "1: trailing junk '2'");
    expect_text_err("10g0 1\n", "1: bad address '10g0'");
    expect_text_err("10000000000000000 1\n", "1: address above 2^64-1 '10000000000000000'");
    expect_text_err("1000 10000000000000000\n", "1: value above 2^64-1 '10000000000000000'");
    expect_text_err("10000000000000 1\n", "1: address 0x10000000000000 is above the 52-bit physical address space");
    expect_text_err("cr5 1\n",
                    "1: unknown header key 'cr5' (cr3, cr0.wp, cr4.smep, cr4.smap, cr4.pcide, cr4.pge, efer.nxe, "
                    "rflags.ac, maxphyaddr, cpuid.page1gb)");
    expect_text_err("1000 1\ncr3 1000\n", "2: header key 'cr3' after the first entry (the header comes first)");
    expect_text_err("cr3 1000\ncr3 2000\n", "2: header key 'cr3' given twice (first on line 1)");
    expect_text_err("cr0.wp 2\n", "1: cr0.wp: expected 0 or 1, got '2'");
    expect_text_err("cr0.wp\n", "1: cr0.wp: missing value");
    expect_text_err("maxphyaddr 60\n", "1: maxphyaddr: must be in 32..52 (got 60)");
    expect_text_err("cr3 xyz\n", "1: cr3: bad value 'xyz' (hexadecimal)");
    expect_text_err("1000 1\n1000 2\n", "2: entry 0x1000 given twice");
    expect_text_err_n("1000 1\n\x01\x02\x00\n", 11, "2: NUL byte in a text file (a binary image? use --image-raw FILE@BASE)");
    char *longl = malloc(5000);
    memset(longl, ' ', 4999);
    longl[4999] = 0;
    expect_text_err(longl, "1: line longer than 4096 bytes");
    free(longl);

    /* fine: CRLF, comments, upper case, no 0x, last line without '\n' */
    char err[512];
    image_t *im = image_create();
    CHECK_EQ(image_load_text(im, write_text("ok.img", "#mmuimage v1\r\ncr3 0X1000 # root\r\n\t1FF8  0xABC#x\r\n2000 5"),
                             err, sizeof err),
             0);
    CHECK_EQ(pmem_read64(image_mem(im), 0x1ff8), 0xabc);
    CHECK_EQ(pmem_read64(image_mem(im), 0x2000), 5);
    uint64_t cr3;
    CHECK_EQ(image_cr3(im, &cr3), 1);
    CHECK_EQ(cr3, 0x1000);
    CHECK_EQ(image_load_text(im, write_text("ok2.img", ""), err, sizeof err), -1); /* one text image */
    image_destroy(im);
    im = image_create();
    CHECK_EQ(image_load_text(im, tmp_path("none.img"), err, sizeof err), -1);
    CHECK(strstr(err, "none.img: cannot open") != NULL);
    image_destroy(im);
    /* a zstd-compressed file is named as such */
    im = image_create();
    CHECK_EQ(image_load_text(im, write_file("z.img", "\x28\xb5\x2f\xfd\x00\x00", 6), err, sizeof err), -1);
    CHECK(strstr(err, "zstd or xz compressed") != NULL);
    image_destroy(im);
}

/* ---------------------------------------------------------- snapshots */

static const char *snap_text =
    "#mmusnapshot v1\n"
    "# pid 1 (test)\n"
    "0x400000 0x1234000 0x2000 4k r-xp file /bin/x\n"
    "0x600000 0x2000000 0x1000 4k r--p file /bin/x\n"
    "0x601000 0x3000000 0x1000 4k rw-p anon -\n"
    "0x7f0000200000 0x40000000 0x400000 2m rw-p thp -\n"
    "0x7f0040000000 0x80000000 0x40000000 1g rw-s hugetlb /anon_hugepage (deleted)\n"
    "0x7f0000800000 0x5000000 0x1000 4k ---p anon -\n"
    "7f0000900000 5001000 1000 4k rw-p\n";

static void test_snapshot(void)
{
    char err[512];
    image_t *im = image_create();
    CHECK_EQ(image_load_snapshot(im, write_text("s.map", snap_text), 46, 1, err, sizeof err), 0);
    CHECK_EQ(image_snapshot_ranges(im), 7);
    CHECK_EQ(image_snapshot_pages(im, MMU_PS_4K), 5);
    CHECK_EQ(image_snapshot_pages(im, MMU_PS_2M), 2);
    CHECK_EQ(image_snapshot_pages(im, MMU_PS_1G), 1);
    uint64_t cr3 = 0;
    CHECK_EQ(image_cr3(im, &cr3), 1);
    static const acc_t a[] = {
        {0x400010, 'R'},       {0x401ff8, 'R'},       {0x400000, 'X'},       {0x400000, 'W'},
        {0x600008, 'R'},       {0x600008, 'W'},       {0x601000, 'X'},       {0x601008, 'W'},
        {0x7f0000200008, 'R'}, {0x7f00003ffff8, 'W'}, {0x7f0000400000, 'R'}, {0x7f0052345678, 'W'},
        {0x7f0000800000, 'R'}, {0x500000, 'R'},       {0x7f0000900ff0, 'W'},
    };
    static const exp_t e[] = {
        OK(0x1234010, MMU_PS_4K),  OK(0x1235ff8, MMU_PS_4K),  OK(0x1234000, MMU_PS_4K),
        PF(MMU_CAUSE_WRITE, MMU_PS_4K, 0x07, -1),
        OK(0x2000008, MMU_PS_4K),  PF(MMU_CAUSE_WRITE, MMU_PS_4K, 0x07, -1),
        PF(MMU_CAUSE_NX, MMU_PS_4K, 0x15, -1), OK(0x3000008, MMU_PS_4K),
        OK(0x40000008, MMU_PS_2M), OK(0x401ffff8, MMU_PS_2M), OK(0x40200000, MMU_PS_2M),
        OK(0x92345678, MMU_PS_1G),
        PF(MMU_CAUSE_NOT_PRESENT, MMU_PS_NONE, 0x04, -1), PF(MMU_CAUSE_NOT_PRESENT, MMU_PS_NONE, 0x04, -1),
        OK(0x5001ff0, MMU_PS_4K),
    };
    size_t n = sizeof a / sizeof a[0];
    sim_config_t c;
    base_cfg(&c);
    static rsps_t r;
    CHECK_EQ(run_image(&c, im, cr3, SIM_PRIV_USER, a, n, &r, err, sizeof err), 0);
    for (size_t i = 0; i < n; i++)
        check_one(&r, i, &a[i], &e[i], "snapshot");
    image_destroy(im);

    /* errors name FILE:LINE */
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"0x1000 0x1000 0x1000\n", "1: expected 'VA PA LENGTH PAGE PERMS [KIND [NAME]]', got 3 fields"},
        {"# x\n0x1000 0x1000 0x1000 8k rw-p\n", "2: bad page size '8k' (4k, 2m, 1g)"},
        {"0x1000 0x1000 0x1000 4k rw\n", "1: bad permissions 'rw' (as in /proc/PID/maps: [r-][w-][x-][ps])"},
        {"0x1000 0x1000 0x1000 4k rw-p huge\n", "1: unknown kind 'huge' (anon, file, thp, hugetlb)"},
        {"0x1000 0x1q00 0x1000 4k rw-p\n", "1: bad physical address '0x1q00' (hexadecimal)"},
        {"0x1000 0x1000 0x800 4k rw-p\n", "1: length 0x800 is not a non-zero multiple of the page size 4k"},
        {"0x1000 0x1000 0x0 4k rw-p\n", "1: length 0x0 is not a non-zero multiple of the page size 4k"},
        {"0x201000 0x200000 0x200000 2m rw-p\n", "1: virtual address 0x201000 is not aligned to the page size 2m"},
        {"0x200000 0x201000 0x200000 2m rw-p\n", "1: physical address 0x201000 is not aligned to the page size 2m"},
        {"0x7ffffffff000 0x1000 0x2000 4k rw-p\n", "1: [0x7ffffffff000, +0x2000) is not canonical"},
        {"0x1000 0x400000000000 0x1000 4k rw-p\n",
         "1: frame 0x400000000000 + 0x1000 is above MAXPHYADDR 46 (2^46 bytes); it needs --set maxphyaddr=47 or more"},
        {"0x1000 0x10000000000000 0x1000 4k rw-p\n", "1: frame 0x10000000000000 + 0x1000 goes beyond 52 physical address bits"},
        {"0x1000 0x1000 0x2000 4k rw-p\n0x2000 0x9000 0x1000 4k rw-p\n",
         "2: virtual address 0x2000 is already mapped (ranges overlap)"},
        {"0x201000 0x1000 0x1000 4k rw-p\n0x200000 0x200000 0x200000 2m rw-p\n",
         "2: 0x200000 is already mapped by smaller pages (ranges overlap)"},
        {"0x200000 0x200000 0x200000 2m rw-p\n0x201000 0x1000 0x1000 4k rw-p\n",
         "2: virtual address 0x201000 is already mapped (ranges overlap)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        im = image_create();
        const char *p = write_text("bad.map", bad[i].text);
        int rc = image_load_snapshot(im, p, 46, 1, err, sizeof err);
        char want[600];
        snprintf(want, sizeof want, "%s/bad.map:%s", tmpdir, bad[i].msg);
        if (rc == -1 && !strcmp(err, want)) {
            check_pass_++;
        } else {
            check_fail_++;
            fprintf(stderr, "snapshot error %zu: rc %d, got '%s', expected '%s'\n", i, rc, err, want);
        }
        image_destroy(im);
    }
    /* a snapshot excludes images */
    im = image_create();
    CHECK_EQ(image_load_snapshot(im, write_text("s.map", snap_text), 46, 1, err, sizeof err), 0);
    CHECK_EQ(image_load_text(im, write_text("x.img", ""), err, sizeof err), -1);
    CHECK_EQ(image_add_raw(im, write_file("x.raw", "12345678", 8), 0, err, sizeof err), -1);
    image_destroy(im);
}

/* ------------------------------------------------- replay-mode driver */

/* An access that crosses a page boundary is split at the page the tables
 * map (2 MiB here: one request), at 4 KiB where nothing is mapped (two
 * requests, both not present); processes must be 1. */
typedef struct {
    const trace_rec_t *r;
    size_t n, i;
} rsrc_t;

static int rs_next(void *ctx, trace_rec_t *rec)
{
    rsrc_t *s = ctx;
    if (s->i == s->n)
        return 0;
    *rec = s->r[s->i++];
    return 1;
}

static void test_driver(void)
{
    char err[512];
    image_t *im = image_create();
    CHECK_EQ(image_load_text(im, write_text("d.img", "cr3 1000\n1000 2007\n2000 3007\n3008 600087\n"), err, sizeof err),
             0);
    sim_config_t c;
    base_cfg(&c);
    sim_opts_t o = {0};
    image_opts(im, 0x1000, c.mmu.maxphyaddr, &o);
    static const trace_rec_t recs[2] = {{.vaddr = 0x200ffc, .size = 8, .kind = TR_READ}, {.vaddr = 0x900ffc, .size = 8, .kind = TR_WRITE}};
    static rsps_t r;
    memset(&r, 0, sizeof r);
    rsrc_t rs = {recs, 2, 0};
    sim_source_t src = {rs_next, NULL, &rs, "test", NULL, on_rsp, &r, NULL, NULL};
    stats_t st;
    stats_init(&st);
    CHECK_EQ(sim_run_opts(&c, &o, &src, &st, err, sizeof err), 0);
    CHECK_EQ(st.accesses, 2);
    CHECK_EQ(r.n, 3);
    CHECK_EQ(r.o[0].rsp_paddr, 0x600ffc);
    CHECK_EQ(r.o[0].rsp_size, MMU_PS_2M);
    CHECK_EQ(r.info[1].va, 0x900ffc);
    CHECK_EQ(r.o[1].rsp_cause, MMU_CAUSE_NOT_PRESENT);
    CHECK_EQ(r.info[2].va, 0x901000);
    CHECK_EQ(r.o[2].rsp_cause, MMU_CAUSE_NOT_PRESENT);
    CHECK_EQ(r.o[2].rsp_err, 0x06);
    CHECK_EQ(st.b[STATS_B_TOTAL].faults[MMU_CAUSE_NOT_PRESENT], 2);
    /* one address space only */
    c.processes = 2;
    rs.i = 0;
    CHECK_EQ(sim_run_opts(&c, &o, &src, &st, err, sizeof err), -1);
    CHECK(strstr(err, "processes: must be 1") != NULL);
    stats_free(&st);
    image_destroy(im);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/test_image.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_hand_text();
    test_maxphyaddr();
    test_pcid();
    test_priv();
    test_rights_levels();
    test_raw();
    test_garbage();
    test_text_errors();
    test_snapshot();
    test_driver();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    CHECK_DONE();
}
