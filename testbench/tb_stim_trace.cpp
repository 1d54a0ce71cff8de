// tb_stim_trace.cpp - replay of a trace file (model/trace.h readers) with the
// rules of the stand-alone driver (docs/timing.md section 7, model/sim.c):
// one request per page touched, lower page first; TR_MODIFY is one write;
// the access's privilege (trace version 2: u, s, i; user when not given);
// pipelined issue (req_valid held until accepted); control records (CR3,
// INVLPG, INVPCID, one mode bit: the whole mode word with that bit changed)
// through the control channel when ctl_ready; a non-canonical address goes
// to the MMU, which answers the #GP.
//
// Page tables: demand mapping on both memories when an access is taken from
// the trace (with processes > 1 a MOV to CR3 before the first access of
// another process, PCID and no-flush with pcid = on); or, with
// --knob image=FILE, a text page-table image (docs/replay.md) copied into
// both memories, its header's control state and CR3, nothing mapped on
// demand (CR3 records need this). The RTL starts from reset, so the run
// begins with a mode write and a MOV to CR3.
#include <cinttypes>
#include <cstdio>
#include <deque>

#include "image.h"
#include "paging.h"
#include "tb_stim.h"
#include "trace.h"

namespace {

struct CtlOp {
    uint8_t op, type;
    uint16_t pcid;
    uint64_t data, addr;
};

struct PageReq {
    uint64_t va;
    uint8_t acc;
    bool user, implicit;
};

class TraceStim : public Stimulus {
  public:
    explicit TraceStim(const StimContext &c) : Stimulus(c)
    {
        // the configuration's memory latency when it is a fixed one (mmusim's
        // mem.model = fixed); the cache model is not modelled here
        std::string e;
        if (!ctx_.mem_lat_given && ctx_.cfg->mem.model == MEM_FIXED)
            ctx_.mem_lat->parse(std::to_string(ctx_.cfg->mem.fixed_lat), e);
    }
    ~TraceStim() override { trace_close(tr_); }
    std::string name() const override { return "trace"; }
    std::string describe() const override
    {
        return "trace " + ctx_.trace_path + " (" + trace_fmt_name(trace_format(tr_)) + ", " +
               trace_z_name(trace_compression(tr_)) + ")" + (image_.empty() ? "" : ", image " + image_);
    }

    bool setup(std::string &err) override
    {
        char e[512];
        if (trace_open(&tr_, ctx_.trace_path.c_str(), ctx_.trace_fmt, e, sizeof e) != 0) {
            err = e;
            return false;
        }
        const sim_config_t &cfg = *ctx_.cfg;
        auto it = ctx_.knobs.find("image");
        if (it != ctx_.knobs.end()) {
            image_ = it->second;
            return setup_image(err);
        }
        for (uint32_t p = 0; p < cfg.processes; p++)
            roots_.push_back(ctx_.mem->new_root());
        pcid_on_ = cfg.pcid && cfg.processes > 1;
        mode_ = cfg.mode & ~(uint32_t)MMU_MODE_PCIDE;
        if (pcid_on_)
            mode_ |= MMU_MODE_PCIDE;
        ctl_q_.push_back({MMU_CTL_MODE, 0, 0, mode_, 0});
        ctl_q_.push_back({MMU_CTL_CR3, 0, 0, roots_[0] | (pcid_on_ ? 1u : 0u), 0});
        return true;
    }

    void drive(uint64_t t, const mmu_out_t &o, mmu_in_t &in) override
    {
        if (ctx_.cycles && t >= ctx_.cycles && ctl_q_.empty())
            src_done_ = true, pend_.clear();
        refill();
        if (!ctl_q_.empty()) {
            const CtlOp &c = ctl_q_.front();
            in.ctl_valid = true;
            in.ctl_op = c.op;
            in.ctl_type = c.type;
            in.ctl_pcid = c.pcid;
            in.ctl_data = c.data;
            in.ctl_addr = c.addr;
            if (o.ctl_ready)
                ctl_q_.pop_front();
            return;
        }
        if (pend_.empty())
            return;
        while (id_busy((uint32_t)(id_ & 0xFFFF)))
            id_++;
        const PageReq &r = pend_.front();
        in.req_valid = true;
        in.req_id = (uint32_t)(id_ & 0xFFFF);
        in.req_vaddr = r.va;
        in.req_acc = r.acc;
        in.req_user = r.user;
        in.req_implicit = r.implicit;
        if (o.req_ready) {
            id_++;
            pend_.pop_front();
        }
    }

    bool finished() const override { return src_done_ && pend_.empty() && ctl_q_.empty(); }
    uint64_t accesses() const { return nacc_; }

  private:
    static void copy_frame(void *ctx, uint64_t frame_pa, const uint64_t *words)
    {
        DualMem *m = static_cast<DualMem *>(ctx);
        for (unsigned i = 0; i < 512; i++)
            if (words[i])
                m->write(frame_pa + 8 * i, words[i]);
    }

    bool setup_image(std::string &err)
    {
        char e[512];
        sim_config_t c = *ctx_.cfg;
        image_t *im = image_create();
        if (!im || image_load_text(im, image_.c_str(), e, sizeof e) != 0 ||
            image_apply_header(im, &c, e, sizeof e) != 0) {
            err = im ? e : "out of memory";
            image_destroy(im);
            return false;
        }
        uint64_t cr3 = 0;
        if (!image_cr3(im, &cr3)) {
            err = image_ + ": no cr3 in the header";
            image_destroy(im);
            return false;
        }
        if (c.mmu.maxphyaddr != ctx_.cfg->mmu.maxphyaddr) {
            err = image_ + ": maxphyaddr " + std::to_string(c.mmu.maxphyaddr) + " differs from the RTL's " +
                  std::to_string(ctx_.cfg->mmu.maxphyaddr) + " (--set maxphyaddr=" +
                  std::to_string(c.mmu.maxphyaddr) + " and an RTL built with it)";
            image_destroy(im);
            return false;
        }
        pmem_foreach(image_mem(im), copy_frame, ctx_.mem);
        image_destroy(im);
        replay_ = true;
        mode_ = c.mode;
        roots_.push_back(cr3);
        ctl_q_.push_back({MMU_CTL_MODE, 0, 0, mode_, 0});
        ctl_q_.push_back({MMU_CTL_CR3, 0, 0, cr3, 0});
        return true;
    }

    bool fail(const std::string &what)
    {
        char wb[300];
        trace_where(tr_, wb, sizeof wb);
        error_ = std::string(wb) + ": " + what;
        src_done_ = true;
        return false;
    }

    // a control record: one control operation
    bool control(const trace_rec_t &r)
    {
        char b[200];
        switch (r.ctl) {
        case TR_CTL_CR3:
            if (!replay_)
                return fail("a CR3 record needs page tables that are given (--knob image=FILE)");
            if ((r.value & ~(1ull << 63)) >> ctx_.cfg->mmu.maxphyaddr) {
                std::snprintf(b, sizeof b, "CR3 0x%" PRIx64 ": bits 62:%u must be 0 (MAXPHYADDR %u)", r.value,
                              ctx_.cfg->mmu.maxphyaddr, ctx_.cfg->mmu.maxphyaddr);
                return fail(b);
            }
            roots_[0] = r.value & ~(1ull << 63);
            ctl_q_.push_back({MMU_CTL_CR3, 0, 0, r.value, 0});
            return true;
        case TR_CTL_INVLPG: ctl_q_.push_back({MMU_CTL_INVLPG, 0, 0, 0, r.vaddr}); return true;
        case TR_CTL_INVPCID: ctl_q_.push_back({MMU_CTL_INVPCID, r.arg, r.pcid, 0, r.vaddr}); return true;
        case TR_CTL_MODE:
            mode_ = r.value ? (mode_ | (1u << r.arg)) : (mode_ & ~(1u << r.arg));
            ctl_q_.push_back({MMU_CTL_MODE, 0, 0, mode_, 0});
            return true;
        default: return fail("unknown control record " + std::to_string(r.ctl));
        }
    }

    // write: the access that touches va is a write (demand.ad = linux maps its page dirty)
    unsigned page_size(uint32_t proc, uint64_t va, bool write, bool &ok)
    {
        const sim_config_t &cfg = *ctx_.cfg;
        unsigned ps = MMU_PS_4K;
        ok = true;
        if (replay_) {
            uint64_t pa;
            if (!ctx_.mem->translate(roots_[0] & ~0xFFFull, va, pa, ps))
                ps = MMU_PS_4K;
            return ps;
        }
        std::string err;
        if (!ctx_.mem->demand(roots_[proc], va, cfg.backing, cfg.mix_weight, cfg.demand_ad, write, ps, err)) {
            error_ = err;
            src_done_ = true;
            ok = false;
        }
        return ps;
    }

    void refill()
    {
        const sim_config_t &cfg = *ctx_.cfg;
        while (pend_.empty() && ctl_q_.empty() && !src_done_) {
            trace_rec_t r;
            int k = trace_next(tr_, &r);
            if (k < 0) {
                error_ = trace_error(tr_);
                src_done_ = true;
                return;
            }
            if (k == 0) {
                src_done_ = true;
                return;
            }
            if (r.kind == TR_CTL) {
                if (!control(r))
                    return;
                continue;
            }
            uint64_t last = r.vaddr + (r.size ? r.size - 1 : 0);
            if (last < r.vaddr) {
                char b[200];
                std::snprintf(b, sizeof b, "address 0x%" PRIx64 " (+%u bytes) wraps past 2^64-1", r.vaddr, r.size);
                fail(b);
                return;
            }
            uint32_t proc = cfg.processes > 1 ? (uint32_t)((nacc_ / cfg.switch_every) % cfg.processes) : 0;
            nacc_++;
            if (proc != cur_) {
                cur_ = proc;
                uint64_t v = roots_[proc];
                if (pcid_on_)
                    v |= ((uint64_t)(proc % 4095) + 1) | (1ull << 63);
                ctl_q_.push_back({MMU_CTL_CR3, 0, 0, v, 0});
            }
            uint8_t acc = r.kind == TR_EXEC ? MMU_ACC_EXEC : (r.kind == TR_READ ? MMU_ACC_READ : MMU_ACC_WRITE);
            bool implicit = r.priv == TR_PRIV_IMPLICIT;
            bool user = r.priv == TR_PRIV_USER || r.priv == TR_PRIV_DEFAULT;
            if (!pg_canonical(r.vaddr) || !pg_canonical(last)) {
                // SDM 3.3.7.1: a #GP for the first non-canonical byte, nothing translated
                pend_.push_back({pg_canonical(r.vaddr) ? 0x0000800000000000ull : r.vaddr, acc, user, implicit});
                continue;
            }
            bool ok;
            unsigned ps = page_size(proc, r.vaddr, acc == MMU_ACC_WRITE, ok);
            if (!ok)
                return;
            pend_.push_back({r.vaddr, acc, user, implicit});
            uint64_t pmask = (1ull << mmu_ps_shift(ps)) - 1;
            if ((r.vaddr & ~pmask) != (last & ~pmask)) {
                uint64_t next = (r.vaddr | pmask) + 1;
                page_size(proc, next, acc == MMU_ACC_WRITE, ok);
                if (!ok)
                    return;
                pend_.push_back({next, acc, user, implicit});
            }
        }
    }

    trace_reader_t *tr_ = nullptr;
    std::string image_;
    bool replay_ = false;
    uint32_t mode_ = 0;
    std::vector<uint64_t> roots_;
    bool pcid_on_ = false;
    uint32_t cur_ = 0;
    uint64_t nacc_ = 0, id_ = 0;
    bool src_done_ = false;
    std::deque<CtlOp> ctl_q_;
    std::deque<PageReq> pend_;
};

} // namespace

std::unique_ptr<Stimulus> make_trace(const StimContext &c) { return std::make_unique<TraceStim>(c); }
