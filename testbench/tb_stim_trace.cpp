// tb_stim_trace.cpp - replay of a trace file (model/trace.h readers) with the
// rules of the stand-alone driver (docs/timing.md section 7, model/sim.c):
// demand mapping on both memories when an access is taken from the trace,
// before it is offered; one request per page touched, lower page first;
// TR_MODIFY is one write; user mode; pipelined issue (req_valid held until
// accepted); with processes > 1 a MOV to CR3 before the first access of
// another process (PCID and no-flush with pcid = on). The RTL starts from
// reset, so the run begins with a mode write and a MOV to CR3.
#include <cinttypes>
#include <cstdio>
#include <deque>

#include "paging.h"
#include "tb_stim.h"
#include "trace.h"

namespace {

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
               trace_z_name(trace_compression(tr_)) + ")";
    }

    bool setup(std::string &err) override
    {
        char e[512];
        if (trace_open(&tr_, ctx_.trace_path.c_str(), ctx_.trace_fmt, e, sizeof e) != 0) {
            err = e;
            return false;
        }
        const sim_config_t &cfg = *ctx_.cfg;
        for (uint32_t p = 0; p < cfg.processes; p++)
            roots_.push_back(ctx_.mem->new_root());
        pcid_on_ = cfg.pcid && cfg.processes > 1;
        uint32_t mode = cfg.mode & ~(uint32_t)MMU_MODE_PCIDE;
        if (pcid_on_)
            mode |= MMU_MODE_PCIDE;
        ctl_q_.push_back({MMU_CTL_MODE, mode});
        ctl_q_.push_back({MMU_CTL_CR3, roots_[0] | (pcid_on_ ? 1u : 0u)});
        return true;
    }

    void drive(uint64_t t, const mmu_out_t &o, mmu_in_t &in) override
    {
        if (ctx_.cycles && t >= ctx_.cycles && ctl_q_.empty())
            src_done_ = true, pend_.clear();
        refill();
        if (!ctl_q_.empty()) {
            in.ctl_valid = true;
            in.ctl_op = ctl_q_.front().first;
            in.ctl_data = ctl_q_.front().second;
            if (o.ctl_ready)
                ctl_q_.pop_front();
            return;
        }
        if (pend_.empty())
            return;
        while (id_busy((uint32_t)(id_ & 0xFFFF)))
            id_++;
        in.req_valid = true;
        in.req_id = (uint32_t)(id_ & 0xFFFF);
        in.req_vaddr = pend_.front().first;
        in.req_acc = pend_.front().second;
        in.req_user = true;
        if (o.req_ready) {
            id_++;
            pend_.pop_front();
        }
    }

    bool finished() const override { return src_done_ && pend_.empty() && ctl_q_.empty(); }
    uint64_t accesses() const { return nacc_; }

  private:
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
            uint64_t last = r.vaddr + (r.size ? r.size - 1 : 0);
            if (!pg_canonical(r.vaddr) || !pg_canonical(last) || last < r.vaddr) {
                char wb[300], b[400];
                trace_where(tr_, wb, sizeof wb);
                std::snprintf(b, sizeof b, "%s: address 0x%" PRIx64 " (+%u bytes) is not canonical", wb, r.vaddr,
                              r.size);
                error_ = b;
                src_done_ = true;
                return;
            }
            uint32_t proc = cfg.processes > 1 ? (uint32_t)((nacc_ / cfg.switch_every) % cfg.processes) : 0;
            nacc_++;
            if (proc != cur_) {
                cur_ = proc;
                uint64_t v = roots_[proc];
                if (pcid_on_)
                    v |= ((uint64_t)(proc % 4095) + 1) | (1ull << 63);
                ctl_q_.push_back({MMU_CTL_CR3, v});
            }
            unsigned ps;
            std::string err;
            if (!ctx_.mem->demand(roots_[proc], r.vaddr, cfg.backing, cfg.mix_weight, ps, err)) {
                error_ = err;
                src_done_ = true;
                return;
            }
            uint8_t acc = r.kind == TR_EXEC ? MMU_ACC_EXEC : (r.kind == TR_READ ? MMU_ACC_READ : MMU_ACC_WRITE);
            pend_.push_back({r.vaddr, acc});
            uint64_t pmask = (1ull << mmu_ps_shift(ps)) - 1;
            if ((r.vaddr & ~pmask) != (last & ~pmask)) {
                uint64_t next = (r.vaddr | pmask) + 1;
                if (!ctx_.mem->demand(roots_[proc], next, cfg.backing, cfg.mix_weight, ps, err)) {
                    error_ = err;
                    src_done_ = true;
                    return;
                }
                pend_.push_back({next, acc});
            }
        }
    }

    trace_reader_t *tr_ = nullptr;
    std::vector<uint64_t> roots_;
    bool pcid_on_ = false;
    uint32_t cur_ = 0;
    uint64_t nacc_ = 0, id_ = 0;
    bool src_done_ = false;
    std::deque<std::pair<uint8_t, uint64_t>> ctl_q_;
    std::deque<std::pair<uint64_t, uint8_t>> pend_;
};

} // namespace

std::unique_ptr<Stimulus> make_trace(const StimContext &c) { return std::make_unique<TraceStim>(c); }
