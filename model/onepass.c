/* onepass.c - STLB counts for many sizes in one run (see onepass.h). */
#include "onepass.h"

#include "lookup.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VA48 0xFFFFFFFFFFFFull
#define MAX_SIZES 4096
#define MAX_WAYS 64 /* one D bit per column in a uint64_t (the configuration allows 128 ways) */
#define FIFO_CAP 64

/* A recency-stack slot: the key (page number, size, PCID, valid bit) and the
 * D bit of the entry in each column (bit c = column c of the group). */
typedef struct {
    uint64_t key;
    uint64_t dmask;
} slot_t;

/* All columns (ways values) that share one number of sets. */
typedef struct {
    uint32_t sets, depth; /* depth = the largest ways of the group */
    unsigned ncol;
    uint32_t ways[MAX_WAYS];
    unsigned col[MAX_WAYS]; /* index into onepass_t.cnt */
    slot_t *stk;            /* sets * depth, most recent first */
    uint8_t *n;             /* valid slots per set */
} group_t;

typedef struct {
    uint64_t vaddr;
    uint32_t size;
    uint32_t proc;
} pending_t;

struct onepass {
    unsigned nsizes;
    onepass_size_t *sizes;
    /* run state: columns are the distinct (sets, ways) of the sizes and the
     * run's own STLB; entries = 0 is the column `zero_col` */
    unsigned ncols;
    uint32_t col_sets[MAX_SIZES + 1], col_ways[MAX_SIZES + 1];
    unsigned *size_col; /* nsizes + 1: the last is the run's own geometry */
    int zero_col;
    onepass_counts_t *cnt;
    group_t *g;
    unsigned ng;
    int x; /* the swept array: index of tlb.stlb in the configuration */
    /* takes[acc][ps]: the swept array takes a page of size ps for access
     * kind acc ([T:fill]), as an entry of size piece[acc][ps] */
    bool takes[3][MMU_PS_COUNT];
    uint8_t piece[3][MMU_PS_COUNT];
    /* pages written before, per address space: open addressing, 0 = empty */
    uint64_t *wb;
    uint64_t wb_cap, wb_n;
    /* accesses taken from the source and not yet fully answered */
    pending_t fifo[FIFO_CAP];
    unsigned fhead, fn;
    pending_t cur;
    unsigned cur_left; /* responses still due for cur */
    uint64_t cur_next_va;
    uint32_t cur_proc;
    uint64_t nacc;
    const sim_config_t *cfg;
    const sim_source_t *inner;
    bool pcid_on;
    bool all_dirty; /* demand.ad = dirty: every page is mapped with D = 1 */
    bool failed;
    char err[256];
};

static bool is_pow2(uint32_t x) { return x && !(x & (x - 1)); }

static int size_check(const onepass_size_t *s, char *err, size_t errlen)
{
    if (s->entries == 0)
        return 0;
    const char *why = NULL;
    if (s->entries > 65536)
        why = "entries must be <= 65536";
    else if (s->ways < 1 || s->ways > MAX_WAYS)
        why = "ways must be in 1..64";
    else if (s->entries % s->ways)
        why = "entries must be a multiple of ways";
    else if (!is_pow2(s->entries / s->ways))
        why = "sets = entries / ways must be a power of two";
    if (!why)
        return 0;
    snprintf(err, errlen, "tlb.stlb.entries/ways %" PRIu32 "/%" PRIu32 ": %s", s->entries, s->ways, why);
    return -1;
}

/* [T:fill] on the configuration: the level-2 arrays (other than `skip`)
 * that a page of size ps for access kind acc would be filled into, as a
 * bit mask of array indices, and the entry size in *pc. */
static uint32_t l2_targets(const mmu_config_t *m, int skip, unsigned acc, unsigned ps, unsigned *pc)
{
    return lk_fill_candidates(m->tlb, m->ntlb, skip, 2, acc, ps, pc);
}

int onepass_check(const sim_config_t *cfg, char *why, size_t n)
{
    if (cfg->issue != ISSUE_INORDER) {
        snprintf(why, n, "issue: one pass needs inorder (one translation at a time), got pipelined");
        return -1;
    }
    const mmu_config_t *m = &cfg->mmu;
    int x = mmu_cfg_tlb_find(m, "stlb");
    if (x < 0 || m->tlb[x].level != 2) {
        snprintf(why, n, "tlb.stlb: one pass sweeps the level-2 TLB array named stlb; this configuration has none");
        return -1;
    }
    if (m->tlb[x].a.entries && m->tlb[x].a.repl != MMU_REPL_LRU) {
        snprintf(why, n, "tlb.stlb.repl: one pass needs lru (a stack algorithm), got %s",
                 m->tlb[x].a.repl == MMU_REPL_PLRU ? "plru" : "random");
        return -1;
    }
    /* the configuration allows 128 ways (LRU); the stacks keep one D bit
     * per column in a 64-bit word and at most 64 columns per group: the
     * run's own geometry, a column of its own, must fit too */
    if (m->tlb[x].a.entries && m->tlb[x].a.ways > MAX_WAYS) {
        snprintf(why, n, "tlb.stlb.ways: one pass handles at most %d ways (got %" PRIu32 ")", MAX_WAYS,
                 m->tlb[x].a.ways);
        return -1;
    }
    /* the swept array's lookups and fills must not depend on its size: no
     * other level-2 array shares a page size with it, or takes its pages
     * when it has no entries */
    for (unsigned acc = 0; acc < 3; acc++) {
        for (unsigned ps = 0; ps < MMU_PS_COUNT; ps++) {
            unsigned pc;
            sim_config_t with = *cfg;
            with.mmu.tlb[x].a.entries = 1; /* enabled */
            uint32_t t = l2_targets(&with.mmu, -1, acc, ps, &pc);
            uint32_t other = l2_targets(&with.mmu, x, acc, ps, &pc);
            if ((t & (1u << x)) && (t != (1u << x) || other)) {
                for (uint32_t i = 0; i < m->ntlb; i++)
                    if ((t | other) & ~(1u << x) & (1u << i)) {
                        snprintf(why, n,
                                 "tlb.%s: shares the %s pages of tlb.stlb at level 2; one pass needs tlb.stlb "
                                 "alone for the pages it takes",
                                 m->tlb[i].name, ps == 0 ? "4K" : ps == 1 ? "2M" : "1G");
                        return -1;
                    }
            }
        }
    }
    /* A page of size ps is looked up in the swept array by every access
     * kind it serves, whichever kind filled it. If it takes ps for some of
     * those kinds and not for others (another array takes them, e.g. a
     * load-and-store 1G array beside an stlb that splinters 1G pages for
     * fetches), a lookup by an access of the second kind can hit an entry
     * the first kind left there, or miss it and go on to the other array,
     * depending on the swept array's geometry: the counts are not those of
     * other_lookup(). Such configurations are refused (they used to pass
     * this check and give wrong counts for every geometry but the run's
     * own, which the self-check cannot see). */
    for (unsigned ps = 0; ps < MMU_PS_COUNT; ps++) {
        int taker = -1, other = -1;
        for (unsigned acc = 0; acc < 3; acc++) {
            if (!(m->tlb[x].serves & (1u << acc)))
                continue;
            unsigned pc;
            sim_config_t with = *cfg;
            with.mmu.tlb[x].a.entries = 1;
            if ((l2_targets(&with.mmu, -1, acc, ps, &pc) >> x) & 1) {
                if (taker < 0)
                    taker = (int)acc;
            } else if (other < 0) {
                other = (int)acc;
            }
        }
        if (taker >= 0 && other >= 0) {
            static const char *const kind[3] = {"loads", "stores", "fetches"};
            snprintf(why, n,
                     "tlb.stlb: takes the %s pages of %s but not those of %s, which it also serves; one pass needs "
                     "tlb.stlb to take a page size for every access kind it serves or for none",
                     ps == 0 ? "4K" : ps == 1 ? "2M" : "1G", kind[taker], kind[other]);
            return -1;
        }
    }
    return 0;
}

int onepass_create(const onepass_size_t *sizes, unsigned n, onepass_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (n == 0 || n > MAX_SIZES) {
        snprintf(err, errlen, "one pass: 1..%d sizes (got %u)", MAX_SIZES, n);
        return -1;
    }
    for (unsigned i = 0; i < n; i++)
        if (size_check(&sizes[i], err, errlen) != 0)
            return -1;
    onepass_t *op = calloc(1, sizeof *op);
    if (!op || !(op->sizes = malloc(n * sizeof *sizes)) || !(op->size_col = calloc(n + 1, sizeof *op->size_col))) {
        onepass_destroy(op);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(op->sizes, sizes, n * sizeof *sizes);
    op->nsizes = n;
    *out = op;
    return 0;
}

static void free_run(onepass_t *op)
{
    for (unsigned i = 0; i < op->ng; i++) {
        free(op->g[i].stk);
        free(op->g[i].n);
    }
    free(op->g);
    free(op->cnt);
    free(op->wb);
    op->g = NULL;
    op->ng = 0;
    op->cnt = NULL;
    op->wb = NULL;
}

void onepass_destroy(onepass_t *op)
{
    if (!op)
        return;
    free_run(op);
    free(op->sizes);
    free(op->size_col);
    free(op);
}

const onepass_counts_t *onepass_counts(const onepass_t *op, unsigned i)
{
    return i < op->nsizes && op->cnt ? &op->cnt[op->size_col[i]] : NULL;
}

/* ------------------------------------------------------------ building */

static unsigned add_col(onepass_t *op, const onepass_size_t *s)
{
    if (s->entries == 0) {
        if (op->zero_col < 0) {
            op->zero_col = (int)op->ncols;
            op->col_sets[op->ncols] = 0;
            op->col_ways[op->ncols] = 0;
            op->ncols++;
        }
        return (unsigned)op->zero_col;
    }
    uint32_t sets = s->entries / s->ways;
    for (unsigned c = 0; c < op->ncols; c++)
        if (op->col_sets[c] == sets && op->col_ways[c] == s->ways)
            return c;
    op->col_sets[op->ncols] = sets;
    op->col_ways[op->ncols] = s->ways;
    return op->ncols++;
}

static int build(onepass_t *op, const sim_config_t *cfg)
{
    free_run(op);
    op->ncols = 0;
    op->zero_col = -1;
    for (unsigned i = 0; i < op->nsizes; i++)
        op->size_col[i] = add_col(op, &op->sizes[i]);
    op->x = mmu_cfg_tlb_find(&cfg->mmu, "stlb");
    const mmu_tlb_cfg_t *xt = &cfg->mmu.tlb[op->x];
    onepass_size_t own = {xt->a.entries, xt->a.ways};
    for (unsigned acc = 0; acc < 3; acc++) {
        for (unsigned ps = 0; ps < MMU_PS_COUNT; ps++) {
            sim_config_t with = *cfg;
            unsigned pc;
            with.mmu.tlb[op->x].a.entries = 1;
            op->takes[acc][ps] = (l2_targets(&with.mmu, -1, acc, ps, &pc) >> op->x) & 1;
            op->piece[acc][ps] = (uint8_t)pc;
        }
    }
    op->size_col[op->nsizes] = add_col(op, &own);
    op->cnt = calloc(op->ncols, sizeof *op->cnt);
    op->g = calloc(op->ncols, sizeof *op->g);
    op->wb_cap = 1u << 12;
    op->wb = calloc(op->wb_cap, sizeof *op->wb);
    if (!op->cnt || !op->g || !op->wb)
        return -1;
    for (unsigned c = 0; c < op->ncols; c++) {
        if ((int)c == op->zero_col)
            continue;
        group_t *g = NULL;
        for (unsigned k = 0; k < op->ng; k++)
            if (op->g[k].sets == op->col_sets[c])
                g = &op->g[k];
        if (!g) {
            g = &op->g[op->ng++];
            g->sets = op->col_sets[c];
        }
        /* distinct (sets, ways) pairs: at most MAX_WAYS columns per group */
        g->ways[g->ncol] = op->col_ways[c];
        g->col[g->ncol++] = c;
        if (op->col_ways[c] > g->depth)
            g->depth = op->col_ways[c];
    }
    for (unsigned k = 0; k < op->ng; k++) {
        group_t *g = &op->g[k];
        g->stk = calloc((size_t)g->sets * g->depth, sizeof *g->stk);
        g->n = calloc(g->sets, 1);
        if (!g->stk || !g->n)
            return -1;
    }
    op->fhead = op->fn = 0;
    op->cur_left = 0;
    op->cur_proc = 0;
    op->nacc = 0;
    op->wb_n = 0;
    op->failed = false;
    op->err[0] = 0;
    op->cfg = cfg;
    op->pcid_on = cfg->pcid && cfg->processes > 1;
    op->all_dirty = cfg->demand_ad == DEMAND_AD_DIRTY;
    return 0;
}

/* ------------------------------------------------- pages written before */

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static bool wb_has(const onepass_t *op, uint64_t k)
{
    uint64_t m = op->wb_cap - 1;
    for (uint64_t i = mix64(k) & m;; i = (i + 1) & m) {
        if (op->wb[i] == k)
            return true;
        if (op->wb[i] == 0)
            return false;
    }
}

static int wb_add(onepass_t *op, uint64_t k)
{
    if (2 * (op->wb_n + 1) > op->wb_cap) {
        uint64_t ncap = op->wb_cap * 2, *nw = calloc(ncap, sizeof *nw);
        if (!nw)
            return -1;
        for (uint64_t i = 0; i < op->wb_cap; i++) {
            if (!op->wb[i])
                continue;
            uint64_t j = mix64(op->wb[i]) & (ncap - 1);
            while (nw[j])
                j = (j + 1) & (ncap - 1);
            nw[j] = op->wb[i];
        }
        free(op->wb);
        op->wb = nw;
        op->wb_cap = ncap;
    }
    uint64_t m = op->wb_cap - 1, i = mix64(k) & m;
    while (op->wb[i] && op->wb[i] != k)
        i = (i + 1) & m;
    if (!op->wb[i]) {
        op->wb[i] = k;
        op->wb_n++;
    }
    return 0;
}

/* --------------------------------------------------------- the lookups */

static void flush_all(onepass_t *op)
{
    for (unsigned k = 0; k < op->ng; k++)
        memset(op->g[k].n, 0, op->g[k].sets);
}

static void count(onepass_t *op, unsigned col, unsigned b, bool hit)
{
    if (hit) {
        op->cnt[col].stlb_hits[b]++;
        op->cnt[col].stlb_hits[STATS_B_TOTAL]++;
    } else {
        op->cnt[col].walks[b]++;
        op->cnt[col].walks[STATS_B_TOTAL]++;
    }
}

/* A level-2 lookup that the swept array has no part in: a hit in another
 * array or a walk, whatever its size. */
static void other_lookup(onepass_t *op, unsigned b, bool hit)
{
    if (op->zero_col >= 0)
        count(op, (unsigned)op->zero_col, b, hit);
    for (unsigned k = 0; k < op->ng; k++)
        for (unsigned c = 0; c < op->g[k].ncol; c++)
            count(op, op->g[k].col[c], b, hit);
}

/* One lookup of the swept array: entry `tag` of size ps (the page's, or the
 * piece's), counted in bucket b (the page's size), for `pcid`; `dirty` = the leaf's
 * D is 1 in memory: the page was written before in this address space, or
 * was mapped dirty (demand.ad = dirty). With demand.ad = linux a page whose
 * first touch was a write is mapped with D = 1: that write, and so the same
 * rule. */
static void stlb_lookup(onepass_t *op, uint64_t tag, unsigned ps, unsigned b, uint16_t pcid, bool write, bool dirty)
{
    if (op->zero_col >= 0)
        count(op, (unsigned)op->zero_col, b, false);
    const uint64_t key = tag | (uint64_t)ps << 36 | (uint64_t)pcid << 38 | 1ull << 63;
    const uint64_t fill_d = (dirty || write) ? ~0ull : 0; /* D of a fill (SDM 4.8, walk_entry) */
    for (unsigned k = 0; k < op->ng; k++) {
        group_t *g = &op->g[k];
        uint32_t set = (uint32_t)(tag & (g->sets - 1));
        slot_t *s = &g->stk[(size_t)set * g->depth];
        uint32_t n = g->n[set], d = UINT32_MAX;
        for (uint32_t i = 0; i < n; i++) {
            if (s[i].key == key) {
                d = i;
                break;
            }
        }
        uint64_t old = d != UINT32_MAX ? s[d].dmask : 0, nmask = old;
        for (unsigned c = 0; c < g->ncol; c++) {
            /* resident in a W-way array iff among the W most recent keys of
             * its set; a write to an entry with D = 0 is a soft miss */
            bool hit = d < g->ways[c] && !(write && !((old >> c) & 1));
            count(op, g->col[c], b, hit);
            if (!hit) /* the fill (or the refill after a soft miss) */
                nmask = (nmask & ~(1ull << c)) | (fill_d & (1ull << c));
        }
        /* move to the front: the touch of a hit, or the fill's touch */
        uint32_t move = d != UINT32_MAX ? d : (n < g->depth ? n : g->depth - 1);
        if (d == UINT32_MAX && n < g->depth)
            g->n[set] = (uint8_t)(n + 1);
        memmove(&s[1], &s[0], move * sizeof *s);
        s[0].key = key;
        s[0].dmask = nmask;
    }
}

static void fail(onepass_t *op, const char *msg, uint64_t a, uint64_t b)
{
    if (op->failed)
        return;
    op->failed = true;
    snprintf(op->err, sizeof op->err, "one pass: %s (0x%" PRIx64 ", 0x%" PRIx64 ")", msg, a, b);
}

static void on_rsp(void *ctx, const mmu_out_t *o, const mmu_rsp_info_t *info)
{
    onepass_t *op = ctx;
    if (op->inner->on_rsp)
        op->inner->on_rsp(op->inner->on_rsp_ctx, o, info);
    if (op->failed)
        return;
    if (o->rsp_fault != MMU_FAULT_NONE || o->rsp_size >= MMU_PS_COUNT) {
        fail(op, "a fault: only demand-mapped runs are supported", info->va, o->rsp_cause);
        return;
    }
    if (info->joined) {
        fail(op, "a joined walk: not an in-order run", info->va, info->seq);
        return;
    }
    if (op->cur_left == 0) {
        /* the first response of the next access: the driver wrote CR3
         * before its request if it belongs to another process */
        if (op->fn == 0) {
            fail(op, "a response without an access", info->va, info->seq);
            return;
        }
        op->cur = op->fifo[op->fhead];
        op->fhead = (op->fhead + 1) % FIFO_CAP;
        op->fn--;
        if (op->cur.proc != op->cur_proc) {
            if (!op->pcid_on)
                flush_all(op); /* MOV to CR3, PCIDE = 0: non-global entries of PCID 000H */
            op->cur_proc = op->cur.proc;
        }
        /* sim.c splits an access at the boundary of its first page's size */
        uint64_t pmask = (1ull << mmu_ps_shift(o->rsp_size)) - 1;
        uint64_t last = op->cur.vaddr + (op->cur.size ? op->cur.size - 1 : 0);
        op->cur_left = ((op->cur.vaddr & ~pmask) != (last & ~pmask)) ? 2 : 1;
        op->cur_next_va = (op->cur.vaddr | pmask) + 1; /* the second request, if any */
        if (info->va != op->cur.vaddr) {
            fail(op, "responses out of order", info->va, op->cur.vaddr);
            return;
        }
    } else if (info->va != op->cur_next_va) {
        fail(op, "responses out of order", info->va, op->cur_next_va);
        return;
    }
    op->cur_left--;

    unsigned ps = o->rsp_size;
    uint64_t tag = (info->va & VA48) >> mmu_ps_shift(ps);
    uint64_t wkey = (tag | (uint64_t)ps << 36 | (uint64_t)op->cur.proc << 38) + 1;
    bool write = info->acc == MMU_ACC_WRITE;
    if (o->rsp_src == MMU_SRC_STLB || o->rsp_src == MMU_SRC_WALK) {
        if (op->takes[info->acc][ps]) {
            unsigned pc = op->piece[info->acc][ps];
            stlb_lookup(op, (info->va & VA48) >> mmu_ps_shift(pc), pc, ps, info->pcid, write,
                        op->all_dirty || wb_has(op, wkey));
        } else {
            other_lookup(op, ps, o->rsp_src == MMU_SRC_STLB);
        }
    }
    if (write && wb_add(op, wkey) != 0)
        fail(op, "out of memory", 0, 0);
}

static int src_next(void *ctx, trace_rec_t *rec)
{
    onepass_t *op = ctx;
    int k = op->inner->next(op->inner->ctx, rec);
    if (k != 1)
        return k;
    if (op->fn == FIFO_CAP) {
        fail(op, "too many accesses in flight: not an in-order run", rec->vaddr, op->nacc);
        return 1;
    }
    const sim_config_t *c = op->cfg;
    /* the process of access i, as sim.c computes it */
    uint32_t proc = c->processes > 1 ? (uint32_t)((op->nacc / c->switch_every) % c->processes) : 0;
    op->fifo[(op->fhead + op->fn) % FIFO_CAP] = (pending_t){rec->vaddr, rec->size, proc};
    op->fn++;
    op->nacc++;
    return 1;
}

static const char *src_errmsg(void *ctx)
{
    onepass_t *op = ctx;
    return op->inner->errmsg ? op->inner->errmsg(op->inner->ctx) : "source error";
}

static const char *src_where(void *ctx, char *buf, size_t n)
{
    onepass_t *op = ctx;
    return op->inner->where(op->inner->ctx, buf, n);
}

int onepass_run(onepass_t *op, const sim_config_t *cfg, const sim_source_t *src, stats_t *st, char *err,
                size_t errlen)
{
    if (onepass_check(cfg, err, errlen) != 0 || cfg_check(cfg, err, errlen) != 0)
        return -1;
    if (build(op, cfg) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    op->inner = src;
    sim_source_t w = *src;
    w.next = src_next;
    w.errmsg = src_errmsg;
    w.ctx = op;
    w.where = src->where ? src_where : NULL;
    w.on_rsp = on_rsp;
    w.on_rsp_ctx = op;
    if (sim_run(cfg, &w, st, err, errlen) != 0)
        return -1;
    if (op->failed) {
        snprintf(err, errlen, "%s", op->err);
        return -1;
    }
    /* self-check: the run's own STLB, counted by the stacks, against the run */
    const onepass_counts_t *own = &op->cnt[op->size_col[op->nsizes]];
    for (int b = 0; b < STATS_NB; b++) {
        if (own->stlb_hits[b] != st->b[b].stlb_hits || own->walks[b] != st->b[b].walks) {
            snprintf(err, errlen,
                     "one pass: self-check failed for tlb.stlb %" PRIu32 "/%" PRIu32 " bucket %s: stacks %" PRIu64
                     " hits %" PRIu64 " walks, run %" PRIu64 " hits %" PRIu64 " walks",
                     cfg->mmu.tlb[op->x].a.entries, cfg->mmu.tlb[op->x].a.ways, stats_bucket_name(b), own->stlb_hits[b],
                     own->walks[b], st->b[b].stlb_hits, st->b[b].walks);
            return -1;
        }
    }
    return 0;
}
