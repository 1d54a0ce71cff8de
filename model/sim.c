/* sim.c - the stand-alone driver around mmu_eval()/mmu_step(). */
#include "sim.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memsys.h"
#include "paging.h"
#include "pmem.h"
#include "pt.h"

typedef struct {
    uint64_t va;
    uint8_t acc;
    bool user, implicit;
    uint32_t proc;
} req_t;

/* A small FIFO of pending page-requests of the current access (at most 2). */
typedef struct {
    req_t q[2];
    int n, head;
} pend_t;

const char *sim_priv_name(sim_priv_t p)
{
    return p == SIM_PRIV_SUPERVISOR ? "supervisor" : p == SIM_PRIV_SPLIT ? "split" : "user";
}

int sim_priv_parse(const char *s, sim_priv_t *out)
{
    static const char *const names[] = {"user", "supervisor", "split"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, names[i])) {
            *out = (sim_priv_t)i;
            return 0;
        }
    return -1;
}

/* Replay: size of the page that maps va, from the P and PS bits of the
 * entries on its path (the same path the walker takes); 4 KiB when none. */
static unsigned replay_page_size(const pmem_t *pm, uint64_t cr3, uint64_t amask, uint64_t va)
{
    uint64_t table = cr3 & amask;
    for (unsigned l = 4; l >= 2; l--) {
        uint64_t e = pmem_read64(pm, table + (((va >> (12 + 9 * (l - 1))) & 511) << 3));
        if (!(e & PTE_P))
            return MMU_PS_4K;
        if (l < 4 && (e & PTE_PS))
            return l == 3 ? MMU_PS_1G : MMU_PS_2M;
        table = e & amask;
    }
    return MMU_PS_4K;
}

/* "FILE:LINE" (or "NAME: access N") of the record just taken, for messages. */
static const char *src_where(const sim_source_t *src, uint64_t nrec, char *buf, size_t n)
{
    if (src->where)
        src->where(src->ctx, buf, n);
    else
        snprintf(buf, n, "%s: record %" PRIu64, src->name, nrec);
    return buf;
}

int sim_run(const sim_config_t *cfg, const sim_source_t *src, stats_t *st, char *err, size_t errlen)
{
    return sim_run_opts(cfg, NULL, src, st, err, errlen);
}

int sim_run_opts(const sim_config_t *cfg, const sim_opts_t *opts, const sim_source_t *src, stats_t *st, char *err,
                 size_t errlen)
{
    static const sim_opts_t no_opts;
    int rc = -1;
    mmu_t *m = NULL;
    pmem_t *pm = NULL;
    pt_t *pt = NULL;
    memsys_t *ms = NULL;
    uint64_t *roots = NULL;

    if (!opts)
        opts = &no_opts;
    const bool replay = opts->mem != NULL;
    if (cfg_check(cfg, err, errlen) != 0)
        return -1;
    if (replay) {
        if (cfg->processes != 1) {
            snprintf(err, errlen, "processes: must be 1 when the page tables are given (one CR3), got %u",
                     cfg->processes);
            return -1;
        }
        if (opts->cr3 >> cfg->mmu.maxphyaddr) {
            snprintf(err, errlen, "cr3 0x%" PRIx64 ": bits 63:%u must be 0 (MAXPHYADDR %u)", opts->cr3,
                     cfg->mmu.maxphyaddr, cfg->mmu.maxphyaddr);
            return -1;
        }
    }
    if ((unsigned)opts->priv > SIM_PRIV_SPLIT) {
        snprintf(err, errlen, "unknown privilege setting %u", (unsigned)opts->priv);
        return -1;
    }
    if (mmu_create(&cfg->mmu, &m, err, errlen) != 0)
        return -1;
    pm = replay ? opts->mem : pmem_create();
    pt = (pm && !replay) ? pt_create(pm, cfg->mmu.maxphyaddr, cfg->seed) : NULL;
    ms = pm ? memsys_create(&cfg->mem, pm) : NULL;
    roots = calloc(cfg->processes, sizeof *roots);
    if (!pm || (!replay && !pt) || !ms || !roots) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    const uint64_t amask = pg_addr_mask(cfg->mmu.maxphyaddr);
    bool pcid_on = cfg->pcid && cfg->processes > 1;
    uint32_t mode = cfg->mode & ~MMU_MODE_PCIDE;
    if (replay) {
        roots[0] = opts->cr3;
        mode = cfg->mode; /* PCIDE as configured (pcid = on) */
        mmu_set_state(m, opts->cr3, mode);
    } else {
        for (uint32_t p = 0; p < cfg->processes; p++) {
            roots[p] = pt_new_root(pt);
            if (!roots[p]) {
                snprintf(err, errlen, "out of physical memory for page tables");
                goto out;
            }
        }
        if (pcid_on)
            mode |= MMU_MODE_PCIDE;
        mmu_set_state(m, roots[0] | (pcid_on ? 1u : 0u), mode);
    }
    uint32_t cur_proc = 0;

    pend_t pend = {0};
    bool src_done = false;
    bool ctl_pending = false;
    mmu_in_t ctl = {0};        /* the pending control operation: ctl_op, ctl_type, ctl_pcid, ctl_data, ctl_addr */
    uint64_t nacc = 0;         /* accesses taken from the source */
    uint64_t nrec = 0;         /* records taken from the source (accesses and control records) */
    uint64_t next_progress = 1u << 20;
    bool inorder = cfg->issue == ISSUE_INORDER;
    bool waiting_rsp = false;  /* in-order: a request is outstanding */
    uint64_t id = 0;

    for (;;) {
        /* refill the pending requests from the source */
        while (pend.n == 0 && !src_done && !ctl_pending) {
            trace_rec_t r;
            memset(&r, 0, sizeof r); /* sources that fill only vaddr, size and kind give plain accesses */
            int k = src->next(src->ctx, &r);
            if (k < 0) {
                snprintf(err, errlen, "%s", src->errmsg ? src->errmsg(src->ctx) : "source error");
                goto out;
            }
            if (k == 0) {
                src_done = true;
                break;
            }
            nrec++;
            char wb[300];
            if (r.kind == TR_CTL) {
                /* a control record (docs/traces.md): one control operation, issued
                 * when no request is outstanding (ctl_ready) */
                memset(&ctl, 0, sizeof ctl);
                switch (r.ctl) {
                case TR_CTL_CR3:
                    if (!replay) {
                        snprintf(err, errlen, "%s: a CR3 record needs page tables that are given (--image or "
                                 "--snapshot): with demand mapping the tables are the simulator's own",
                                 src_where(src, nrec, wb, sizeof wb));
                        goto out;
                    }
                    if ((r.value & ~(1ull << 63)) >> cfg->mmu.maxphyaddr) {
                        snprintf(err, errlen, "%s: CR3 0x%" PRIx64 ": bits 62:%u must be 0 (MAXPHYADDR %u)",
                                 src_where(src, nrec, wb, sizeof wb), r.value, cfg->mmu.maxphyaddr,
                                 cfg->mmu.maxphyaddr);
                        goto out;
                    }
                    ctl.ctl_op = MMU_CTL_CR3;
                    ctl.ctl_data = r.value;
                    roots[0] = r.value & ~(1ull << 63); /* page sizes and lazy loading follow the new tables */
                    break;
                case TR_CTL_INVLPG:
                    ctl.ctl_op = MMU_CTL_INVLPG;
                    ctl.ctl_addr = r.vaddr;
                    break;
                case TR_CTL_INVPCID:
                    ctl.ctl_op = MMU_CTL_INVPCID;
                    ctl.ctl_type = r.arg;
                    ctl.ctl_pcid = r.pcid;
                    ctl.ctl_addr = r.vaddr;
                    break;
                case TR_CTL_MODE:
                    if (r.arg >= 8 || r.value > 1) {
                        snprintf(err, errlen, "%s: bad mode record (bit %u, value %" PRIu64 ")",
                                 src_where(src, nrec, wb, sizeof wb), r.arg, r.value);
                        goto out;
                    }
                    /* the control channel takes the whole mode word: this bit changed */
                    mode = r.value ? (mode | (1u << r.arg)) : (mode & ~(1u << r.arg));
                    ctl.ctl_op = MMU_CTL_MODE;
                    ctl.ctl_data = mode;
                    break;
                default:
                    snprintf(err, errlen, "%s: unknown control record %u", src_where(src, nrec, wb, sizeof wb),
                             r.ctl);
                    goto out;
                }
                ctl.ctl_valid = true;
                ctl_pending = true;
                st->ctl_ops++;
                continue;
            }
            if (r.kind > TR_MODIFY || r.size == 0 || r.priv > TR_PRIV_IMPLICIT ||
                (r.priv == TR_PRIV_IMPLICIT && r.kind == TR_EXEC)) {
                snprintf(err, errlen, "%s: bad record (kind %u, size %u, privilege %u)",
                         src_where(src, nrec, wb, sizeof wb), r.kind, r.size, r.priv);
                goto out;
            }
            uint64_t last = r.vaddr + (r.size ? r.size - 1 : 0);
            if (last < r.vaddr) {
                snprintf(err, errlen, "%s: address 0x%" PRIx64 " (+%u bytes) wraps past 2^64-1",
                         src_where(src, nrec, wb, sizeof wb), r.vaddr, r.size);
                goto out;
            }
            uint32_t proc = cfg->processes > 1 ? (uint32_t)((nacc / cfg->switch_every) % cfg->processes) : 0;
            nacc++;
            if (proc != cur_proc) {
                ctl_pending = true;
                cur_proc = proc;
                memset(&ctl, 0, sizeof ctl);
                ctl.ctl_valid = true;
                ctl.ctl_op = MMU_CTL_CR3;
                ctl.ctl_data = roots[proc];
                if (pcid_on)
                    ctl.ctl_data |= ((uint64_t)proc + 1) | (1ull << 63); /* cfg_check: processes <= 4095 */
                st->ctl_ops++;
            }
            uint8_t acc = r.kind == TR_EXEC ? MMU_ACC_EXEC : (r.kind == TR_READ ? MMU_ACC_READ : MMU_ACC_WRITE);
            bool implicit = r.priv == TR_PRIV_IMPLICIT;
            bool user = r.priv == TR_PRIV_USER ||
                        (r.priv == TR_PRIV_DEFAULT && (opts->priv == SIM_PRIV_USER ||
                                                       (opts->priv == SIM_PRIV_SPLIT && !(r.vaddr >> 63))));
            pend.head = 0;
            pend.n = 1;
            if (!pg_canonical(r.vaddr) || !pg_canonical(last)) {
                /* SDM 3.3.7.1: a #GP, nothing translated: one request for the first
                 * non-canonical byte, which the MMU answers with the #GP */
                uint64_t bad = pg_canonical(r.vaddr) ? 0x0000800000000000ull : r.vaddr;
                pend.q[0] = (req_t){bad, acc, user, implicit, proc};
                goto taken;
            }
            unsigned ps = MMU_PS_4K;
            if (replay) {
                if (opts->prepare && opts->prepare(opts->prepare_ctx, pm, roots[0], r.vaddr, err, errlen) != 0)
                    goto out;
                if ((r.vaddr ^ last) >> 12) /* crosses a 4 KiB boundary: which page size? */
                    ps = replay_page_size(pm, roots[0], amask, r.vaddr);
            } else if (pt_demand(pt, roots[proc], r.vaddr, cfg->backing, cfg->mix_weight, cfg->demand_ad,
                                 acc == MMU_ACC_WRITE, &ps, err, errlen) != 0) {
                goto out;
            }
            pend.q[0] = (req_t){r.vaddr, acc, user, implicit, proc};
            uint64_t pmask = (1ull << mmu_ps_shift(ps)) - 1;
            if ((r.vaddr & ~pmask) != (last & ~pmask)) { /* crosses into the next page */
                uint64_t next = (r.vaddr | pmask) + 1;
                if (replay) {
                    if (opts->prepare && opts->prepare(opts->prepare_ctx, pm, roots[0], next, err, errlen) != 0)
                        goto out;
                } else if (pt_demand(pt, roots[proc], next, cfg->backing, cfg->mix_weight, cfg->demand_ad,
                                     acc == MMU_ACC_WRITE, &ps, err, errlen) != 0) {
                    goto out;
                }
                pend.q[1] = (req_t){next, acc, user, implicit, proc};
                pend.n = 2;
            }
        taken:
            if (src->progress && nacc >= next_progress) {
                src->progress(src->progress_ctx, nacc, mmu_cycle(m), 0);
                next_progress += 1u << 20;
            }
        }
        if (src_done && pend.n == 0 && !ctl_pending && mmu_outstanding(m) == 0)
            break;

        uint64_t t = mmu_cycle(m);
        mmu_out_t o;
        mmu_eval(m, &o);
        mmu_in_t in;
        memset(&in, 0, sizeof in);
        if (o.mem_req_valid &&
            memsys_issue(ms, t, o.mem_req_we, o.mem_req_id, o.mem_req_addr, o.mem_req_wdata) != 0) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        uint8_t mid;
        uint64_t mdata;
        if (memsys_respond(ms, t, &mid, &mdata)) {
            in.mem_rsp_valid = true;
            in.mem_rsp_id = mid;
            in.mem_rsp_data = mdata;
        }
        bool took_req = false;
        if (ctl_pending) {
            if (!inorder || !waiting_rsp) {
                in.ctl_valid = true;
                in.ctl_op = ctl.ctl_op;
                in.ctl_type = ctl.ctl_type;
                in.ctl_pcid = ctl.ctl_pcid;
                in.ctl_data = ctl.ctl_data;
                in.ctl_addr = ctl.ctl_addr;
                if (o.ctl_ready)
                    ctl_pending = false;
            }
        } else if (pend.n && (!inorder || !waiting_rsp)) {
            const req_t *r = &pend.q[pend.head];
            in.req_valid = true;
            in.req_id = (uint32_t)(id & 0xFFFF);
            in.req_vaddr = r->va;
            in.req_acc = r->acc;
            in.req_user = r->user;
            in.req_implicit = r->implicit;
            if (o.req_ready) {
                took_req = true;
                id++;
                pend.head++;
                pend.n--;
                if (inorder)
                    waiting_rsp = true;
            }
        }
        if (mmu_step(m, &in) != 0) {
            snprintf(err, errlen, "%s", mmu_error(m));
            goto out;
        }
        if (o.rsp_valid) {
            stats_record(st, &o, mmu_last_info(m));
            if (src->on_rsp)
                src->on_rsp(src->on_rsp_ctx, &o, mmu_last_info(m));
            if (inorder)
                waiting_rsp = false;
        }
        (void)took_req;

        /* skip cycles in which nothing can happen */
        uint64_t now = mmu_cycle(m);
        bool driver_ready = (ctl_pending && mmu_outstanding(m) == 0 && !(inorder && waiting_rsp)) ||
                            (!ctl_pending && (pend.n || !src_done) && !(inorder && waiting_rsp) &&
                             mmu_outstanding(m) < cfg->mmu.outstanding);
        if (driver_ready || (src_done && pend.n == 0 && !ctl_pending && mmu_outstanding(m) == 0))
            continue;
        uint64_t next = mmu_next_event(m);
        uint64_t mn = memsys_next(ms, now);
        if (mn < next)
            next = mn;
        if (next <= now)
            continue;
        if (next == UINT64_MAX) {
            snprintf(err, errlen, "internal error: deadlock at cycle %" PRIu64 " (%u outstanding)", now,
                     mmu_outstanding(m));
            goto out;
        }
        mmu_skip_to(m, next);
    }
    st->cycles = mmu_cycle(m);
    st->accesses = nacc;
    stats_take_counters(st, m, (int)cfg->perf);
    if (src->progress)
        src->progress(src->progress_ctx, nacc, mmu_cycle(m), 1);
    rc = 0;
out:
    free(roots);
    memsys_destroy(ms);
    pt_destroy(pt);
    if (!replay)
        pmem_destroy(pm);
    mmu_destroy(m);
    return rc;
}
