// tb_env.cpp - see tb_env.h.
#include "tb_env.h"

#include <verilated.h>
#include <verilated_fst_sc.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "Vmmu_top.h"

namespace {
constexpr unsigned kResetEdges = 2; // rising edges with rst_ni = 0 before cycle 0
constexpr size_t kHistory = 24;     // cycles shown after a mismatch
constexpr uint64_t kQuietCycles = 8; // idle cycles compared after the last response

// Which cycles a port is compared in (the qualifier column of TB_OUTPUTS).
#define TB_GATE_always(d, r) true
#define TB_GATE_rsp_valid(d, r) ((d).rsp_valid && (r).rsp_valid)
#define TB_GATE_mem_req_valid(d, r) ((d).mem_req_valid && (r).mem_req_valid)

std::string hex(uint64_t v, unsigned width)
{
    char b[40];
    if (width == 1)
        std::snprintf(b, sizeof b, "%u", (unsigned)v);
    else
        std::snprintf(b, sizeof b, "0x%0*" PRIx64, (int)((width + 3) / 4), v);
    return b;
}
} // namespace

// Ports of mmu_top beyond those of the contract (the debug read port of the
// arrays, for the end-of-test array compare that comes later): bound to idle
// signals when the model has them, so that the testbench builds against any
// RTL revision. Inputs stay 0.
#define TB_OPTIONAL_PORT(name)                                                                                       \
    template <class M>                                                                                               \
    static auto bind_opt_##name(M &m, std::vector<std::shared_ptr<void>> &keep, int)                          \
        ->decltype((void)m.name, void())                                                                             \
    {                                                                                                                \
        using T = typename std::remove_reference_t<decltype(m.name)>::data_type;                                    \
        auto *s = new sc_signal<T>(#name);                                                                           \
        keep.emplace_back(std::shared_ptr<sc_signal<T>>(s));                                                                                      \
        m.name(*s);                                                                                                  \
    }                                                                                                                \
    template <class M> static void bind_opt_##name(M &, std::vector<std::shared_ptr<void>> &, long) {}
TB_OPTIONAL_PORT(dbg_arr_i)
TB_OPTIONAL_PORT(dbg_idx_i)
TB_OPTIONAL_PORT(dbg_entry_o)
TB_OPTIONAL_PORT(dbg_age_o)
TB_OPTIONAL_PORT(dbg_plru_o)
TB_OPTIONAL_PORT(dbg_lfsr_o)
#undef TB_OPTIONAL_PORT

template <class M> static void bind_optional(M &m, std::vector<std::shared_ptr<void>> &keep)
{
    bind_opt_dbg_arr_i(m, keep, 0);
    bind_opt_dbg_idx_i(m, keep, 0);
    bind_opt_dbg_entry_o(m, keep, 0);
    bind_opt_dbg_age_o(m, keep, 0);
    bind_opt_dbg_plru_o(m, keep, 0);
    bind_opt_dbg_lfsr_o(m, keep, 0);
}

// Bind a model with the ports of mmu_top (Vmmu_top or CModel) to the signals.
template <class M> static void bind_model(M &m, sc_in<bool> &clk, sc_signal<bool> &rst_n, SideSignals &s, Env *)
{
    m.clk_i(clk);
    m.rst_ni(rst_n);
#define TB_X(t, n, w) m.n##_i(s.n);
    TB_MEM_INPUTS(TB_X)
#undef TB_X
#define TB_X(t, n, w, g) m.n##_o(s.n);
    TB_OUTPUTS(TB_X)
#undef TB_X
}

Env::Env(sc_module_name nm, const sim_config_t &cfg, const EnvOptions &opt, const StimContext &sctx, sc_time period)
    : sc_module(nm), cfg_(cfg), opt_(opt), sctx_(sctx), period_(period), noise_(Rng::derive(opt.seed, 3)),
      hist_(kHistory)
{
    lat_ = *sctx.mem_lat;
    sctx_.mem_lat = &lat_;
    sctx_.cfg = &cfg_;
    mem_ = std::make_unique<DualMem>(cfg_.mmu.maxphyaddr, Rng::derive(opt.seed, 2));
    sctx_.mem = mem_.get();

    rst_n.write(false);
    ref_ = std::make_unique<CModel>("model", cfg_.mmu);
    bind_model(*ref_, clk, rst_n, sref_, this);
#define TB_X(t, n, w) ref_->n##_i(n);
    TB_CPU_INPUTS(TB_X)
#undef TB_X
    if (opt_.dut_is_c) {
        cdut_ = std::make_unique<CModel>("dut", cfg_.mmu);
        bind_model(*cdut_, clk, rst_n, sdut_, this);
#define TB_X(t, n, w) cdut_->n##_i(n);
        TB_CPU_INPUTS(TB_X)
#undef TB_X
    } else {
        vdut_ = std::make_unique<Vmmu_top>("dut");
        bind_model(*vdut_, clk, rst_n, sdut_, this);
        bind_optional(*vdut_, extra_);
#define TB_X(t, n, w) vdut_->n##_i(n);
        TB_CPU_INPUTS(TB_X)
#undef TB_X
    }
    SC_METHOD(on_negedge);
    sensitive << clk.neg();
    dont_initialize();
    SC_METHOD(on_posedge);
    sensitive << clk.pos();
    dont_initialize();
}

Env::~Env()
{
    delete tfp_;
}

bool Env::setup(std::string &err)
{
    stim_ = make_stimulus(opt_.test, sctx_, err);
    if (!stim_ || !stim_->setup(err))
        return false;
    // both memory sides: the same latency policy and the same seed
    uint64_t ms = Rng::derive(opt_.seed, 4);
    mdut_ = std::make_unique<MemModel>(mem_->dut(), lat_, ms, cfg_.mmu.maxphyaddr);
    mref_ = std::make_unique<MemModel>(mem_->ref(), lat_, ms, cfg_.mmu.maxphyaddr);
    std::printf("test %s%s%s\n", stim_->name().c_str(), stim_->describe().empty() ? "" : ": ",
                stim_->describe().c_str());
    std::printf("page tables: %zu frames; memory latency %s\n", mem_->frames(), lat_.text.c_str());
    return true;
}

void Env::start_trace()
{
    if (opt_.wave.empty() || !vdut_)
        return;
    tfp_ = new VerilatedFstSc;
    vdut_->trace(tfp_, 99);
    if (opt_.wave_from == 0) {
        tfp_->open(opt_.wave.c_str());
        trace_open_ = true;
    }
}

std::string Env::wave_time(uint64_t t) const
{
    double start = (t0_ + period_ * (double)t).to_seconds() * 1e9;
    double p = period_.to_seconds() * 1e9;
    char b[200];
    std::snprintf(b, sizeof b, "cycle %" PRIu64 " = [%.0f ns, %.0f ns) in the waveform (rising edge at %.0f ns)", t,
                  start, start + p, start);
    return b;
}

void Env::fail(int status, const std::string &msg)
{
    if (status_ == TB_PASS) {
        status_ = status;
        fail_msg_ = msg;
    }
    if (!stopping_) {
        stopping_ = true;
        stop_at_ = cycle_ + opt_.after; // cycle_ is already the next cycle
    }
}

bool Env::compare(uint64_t t, const mmu_out_t &d, const mmu_out_t &r0)
{
    mmu_out_t r = r0;
    if (t == opt_.inject)
        r.req_ready = !r.req_ready;
    int n = 0;
    std::string others;
#define TB_X(ty, nm, w, g)                                                                                           \
    if (TB_GATE_##g(d, r) && (uint64_t)d.nm != (uint64_t)r.nm) {                                                     \
        if (n++ == 0) {                                                                                              \
            std::printf("MISMATCH at cycle %" PRIu64 "\n", t);                                                        \
            std::printf("  port:  %s\n", #nm "_o");                                                                 \
            std::printf("  rtl:   %s\n", hex((uint64_t)d.nm, w).c_str());                                          \
            std::printf("  model: %s\n", hex((uint64_t)r.nm, w).c_str());                                          \
            std::printf("  seed:  %" PRIu64 "\n", opt_.seed);                                                       \
            std::printf("  test:  %s\n", opt_.test.c_str());                                                        \
            std::printf("  time:  %s\n", wave_time(t).c_str());                                                     \
        } else {                                                                                                     \
            others += std::string("  also:  " #nm "_o rtl ") + hex((uint64_t)d.nm, w) + " model " +                \
                      hex((uint64_t)r.nm, w) + "\n";                                                                 \
        }                                                                                                            \
    }
    TB_OUTPUTS(TB_X)
#undef TB_X
    if (!n)
        return true;
    std::fputs(others.c_str(), stdout);
    print_wave_hint(t);
    print_history(stdout);
    char b[64];
    std::snprintf(b, sizeof b, "mismatch at cycle %" PRIu64, t);
    fail(TB_FAIL, b);
    return false;
}

void Env::print_wave_hint(uint64_t t) const
{
    if (trace_open_)
        std::printf("  wave:  %s (written up to cycle %" PRIu64 ")\n", opt_.wave.c_str(), t + opt_.after);
    else
        std::printf("  rerun: %s --wave mismatch.fst%s\n", opt_.rerun.c_str(),
                    t > 200 ? (" --wave-from " + std::to_string(t - 200)).c_str() : "");
}

void Env::print_history(FILE *f) const
{
    std::fprintf(f, "  last cycles (inputs, model outputs):\n");
    for (size_t k = 0; k < kHistory; k++) {
        const Hist &h = hist_[(hist_pos_ + k) % kHistory];
        if (h.t == 0 && k + 1 < kHistory && hist_[(hist_pos_ + k + 1) % kHistory].t == 0)
            continue; // not filled yet
        std::string s;
        char b[200];
        const mmu_in_t &i = h.in;
        const mmu_out_t &o = h.o;
        if (i.req_valid) {
            std::snprintf(b, sizeof b, " req%s id=%u va=%016" PRIx64 " acc=%u user=%u", o.req_ready ? "+" : "(wait)",
                          (unsigned)i.req_id, i.req_vaddr, (unsigned)i.req_acc, (unsigned)i.req_user);
            s += b;
        }
        if (i.ctl_valid) {
            std::snprintf(b, sizeof b, " ctl%s op=%u type=%u pcid=%u data=%" PRIx64 " addr=%" PRIx64,
                          o.ctl_ready ? "+" : "(wait)", (unsigned)i.ctl_op, (unsigned)i.ctl_type, (unsigned)i.ctl_pcid,
                          i.ctl_data, i.ctl_addr);
            s += b;
        }
        if (o.rsp_valid) {
            std::snprintf(b, sizeof b,
                          " RSP id=%u pa=%" PRIx64 " size=%u fault=%u cause=%u err=%u fa=%" PRIx64 " src=%u pwc=%u",
                          (unsigned)o.rsp_id, o.rsp_paddr, o.rsp_size, o.rsp_fault, o.rsp_cause, o.rsp_err,
                          o.rsp_fault_addr, o.rsp_src, o.rsp_pwc);
            s += b;
        }
        if (o.mem_req_valid) {
            std::snprintf(b, sizeof b, " MEM%s w%u %" PRIx64 "%s", o.mem_req_we ? "WR" : "RD", (unsigned)o.mem_req_id,
                          o.mem_req_addr, o.mem_req_we ? (" <- " + hex(o.mem_req_wdata, 64)).c_str() : "");
            s += b;
        }
        if (i.mem_rsp_valid) {
            std::snprintf(b, sizeof b, " mem_rsp w%u %016" PRIx64, (unsigned)i.mem_rsp_id, i.mem_rsp_data);
            s += b;
        }
        std::fprintf(f, "    %8" PRIu64 "%s%s\n", h.t, o.req_ready ? " R" : " -", s.c_str());
    }
}

// Moore check: at the rising edge that ends cycle t (before the models
// update; a process reads the values of before this delta) the DUT's outputs
// must still be those compared at the falling edge, although the inputs of
// cycle t were written in between. A change means a combinational path from
// an input to an output, which the contract (docs/timing.md 1) forbids.
// Qualified fields count only while their valid is 1, as in the scoreboard.
void Env::on_posedge()
{
    if (!have_last_d_ || stopping_)
        return;
    have_last_d_ = false;
    mmu_out_t d{};
    sdut_.read(d);
    const mmu_out_t &b = last_d_;
    const uint64_t t = cycle_ - 1;
#define TB_X(ty, nm, w, g)                                                                                           \
    if (TB_GATE_##g(d, b) && (uint64_t)d.nm != (uint64_t)b.nm) {                                                     \
        std::printf("MOORE VIOLATION in cycle %" PRIu64 " (an output changed when the inputs did)\n", t);           \
        std::printf("  port:  %s\n", #nm "_o");                                                                    \
        std::printf("  rtl:   %s before the inputs of the cycle, %s after\n", hex((uint64_t)b.nm, w).c_str(),       \
                    hex((uint64_t)d.nm, w).c_str());                                                                \
        std::printf("  seed:  %" PRIu64 "\n  test:  %s\n  time:  %s\n", opt_.seed, opt_.test.c_str(),               \
                    wave_time(t).c_str());                                                                           \
        print_wave_hint(t);                                                                                          \
        print_history(stdout);                                                                                       \
        fail(TB_FAIL, "Moore violation in cycle " + std::to_string(t));                                              \
        return;                                                                                                      \
    }
    TB_OUTPUTS(TB_X)
#undef TB_X
}

void Env::on_negedge()
{
    if (++negedges_ < kResetEdges)
        return;
    if (negedges_ == kResetEdges) {
        rst_n.write(true); // the next rising edge is the first that steps
        t0_ = sc_time_stamp() - period_ / 2;
    }
    const uint64_t t = cycle_++;
    if (stopping_ && t > stop_at_) {
        sc_stop();
        return;
    }
    if (tfp_ && !trace_open_ && t + 1 >= opt_.wave_from) {
        tfp_->open(opt_.wave.c_str());
        trace_open_ = true;
    }

    mmu_out_t d{}, r{};
    sdut_.read(d);
    sref_.read(r);
    last_d_ = d;
    have_last_d_ = true;
    if (!stopping_) {
        if (vdut_ && (Verilated::gotError() || Verilated::gotFinish())) {
            std::printf("RTL ASSERTION (or $stop/$finish) in the cycle before cycle %" PRIu64 "\n  seed:  %" PRIu64
                        "\n  test:  %s\n  time:  %s\n",
                        t, opt_.seed, opt_.test.c_str(), wave_time(t ? t - 1 : 0).c_str());
            print_wave_hint(t);
            print_history(stdout);
            fail(TB_FAIL, "RTL assertion");
        } else if (!ref_->error().empty()) {
            fail(TB_ERROR, "C model: " + ref_->error());
        } else if (cdut_ && !cdut_->error().empty()) {
            fail(TB_ERROR, "DUT C model: " + cdut_->error());
        } else if (mmu_cycle(ref_->model()) != t) {
            fail(TB_ERROR, "internal error: C model at cycle " + std::to_string(mmu_cycle(ref_->model())) +
                               ", testbench at " + std::to_string(t));
        } else {
            compare(t, d, r);
        }
    }

    // memory sides, each from its own memory and its own outputs
    mmu_in_t in{}, ind{}, inr{};
    std::string err;
    if (!mref_->tick(t, r, inr, err) && !stopping_)
        fail(TB_ERROR, "C model: " + err);
    if (!mdut_->tick(t, d, ind, err) && !stopping_)
        fail(TB_FAIL, "DUT: " + err);

    // CPU side
    stim_->drive(t, r, in);
    if (!stim_->error().empty() && !stopping_)
        fail(TB_ERROR, stim_->error());
    if (!stim_->observe(t, r, in, err) && !stopping_)
        fail(TB_ERROR, err);
    if (opt_.noise) {
        if (!in.req_valid) {
            in.req_id = (uint32_t)noise_.below(65536);
            in.req_vaddr = noise_.next();
            in.req_acc = (uint8_t)noise_.below(4);
            in.req_user = noise_.below(2);
        }
        if (!in.ctl_valid) {
            in.ctl_op = (uint8_t)noise_.below(8);
            in.ctl_type = (uint8_t)noise_.below(4);
            in.ctl_pcid = (uint16_t)noise_.below(4096);
            in.ctl_data = noise_.next();
            in.ctl_addr = noise_.next();
        }
    }
#define TB_X(ty, n, w) n.write((ty)(in.n & tb_width_mask(w)));
    TB_CPU_INPUTS(TB_X)
#undef TB_X
#define TB_X(ty, n, w)                                                                                               \
    sdut_.n.write((ty)(ind.n & tb_width_mask(w)));                                                                   \
    sref_.n.write((ty)(inr.n & tb_width_mask(w)));
    TB_MEM_INPUTS(TB_X)
#undef TB_X

    Hist &h = hist_[hist_pos_];
    hist_pos_ = (hist_pos_ + 1) % kHistory;
    h.t = t;
    h.in = in;
    h.in.mem_rsp_valid = inr.mem_rsp_valid;
    h.in.mem_rsp_id = inr.mem_rsp_id;
    h.in.mem_rsp_data = inr.mem_rsp_data;
    h.o = r;
    if (opt_.verbose >= 2)
        print_history(stdout);

    if (stopping_)
        return;
    // progress watchdog
    if (r.rsp_valid || r.mem_req_valid || inr.mem_rsp_valid || (in.req_valid && r.req_ready) ||
        (in.ctl_valid && r.ctl_ready) || (!in.req_valid && !in.ctl_valid && stim_->outstanding() == 0))
        last_progress_ = t;
    if (t - last_progress_ > opt_.watchdog) {
        std::printf("NO PROGRESS for %" PRIu64 " cycles at cycle %" PRIu64 " (%zu requests outstanding, %u in the "
                    "model, %zu memory reads pending)\n",
                    opt_.watchdog, t, stim_->outstanding(), mmu_outstanding(ref_->model()), mref_->pending());
        print_history(stdout);
        fail(TB_ERROR, "no progress (deadlock)");
        return;
    }
    // end of the test: no more stimulus, nothing outstanding, then a few
    // idle cycles that are compared too
    if (stim_->finished() && stim_->outstanding() == 0 && !in.req_valid && !in.ctl_valid &&
        mmu_outstanding(ref_->model()) == 0) {
        if (quiet_until_ == ~0ull)
            quiet_until_ = t + kQuietCycles;
        if (t >= quiet_until_)
            end_of_test(t);
    }
}

void Env::end_of_test(uint64_t t)
{
    std::string report;
    uint64_t n = mem_->compare(report);
    if (n) {
        std::printf("MEMORY MISMATCH at the end of the test (cycle %" PRIu64 "): %" PRIu64 " words differ\n%s"
                    "  seed:  %" PRIu64 "\n  test:  %s\n",
                    t, n, report.c_str(), opt_.seed, opt_.test.c_str());
        fail(TB_FAIL, "page-table memories differ");
        stop_at_ = t;
    }
    std::string err;
    if (!stim_->check(err)) {
        std::printf("EXPECTATION FAILED: %s\n  seed:  %" PRIu64 "\n  test:  %s\n", err.c_str(), opt_.seed,
                    opt_.test.c_str());
        fail(TB_FAIL, "expectation failed");
        stop_at_ = t;
    }
    stopping_ = true;
    stop_at_ = t;
    sc_stop();
}

int Env::finish(double wall)
{
    if (vdut_)
        vdut_->final();
    if (tfp_) {
        if (trace_open_)
            tfp_->close();
        delete tfp_;
        tfp_ = nullptr;
    }
    const StimStats &s = stim_->stats();
    const MemCounts &m = mref_->counts();
    const CModelStats &c = ref_->stats();
    std::printf("responses: %" PRIu64 " (L1 %" PRIu64 ", STLB %" PRIu64 ", walk %" PRIu64 ", #GP %" PRIu64
                "); sizes 4K/2M/1G/none %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64 "; walks after PWC hit "
                "none/PML4E/PDPTE/PDE %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64 "\n",
                s.responses, s.src[0], s.src[1], s.src[2], s.src[3], s.size[0], s.size[1], s.size[2], s.size[3],
                s.pwc[0], s.pwc[1], s.pwc[2], s.pwc[3]);
    std::printf("faults: not-present %" PRIu64 ", reserved %" PRIu64 ", write %" PRIu64 ", user %" PRIu64
                ", nx %" PRIu64 ", smep %" PRIu64 ", smap %" PRIu64 ", non-canonical %" PRIu64 "\n",
                s.cause[1], s.cause[2], s.cause[3], s.cause[4], s.cause[5], s.cause[6], s.cause[7], s.cause[8]);
    std::printf("control: cr3 %" PRIu64 ", invlpg %" PRIu64 ", invpcid %" PRIu64 " (types %" PRIu64 "/%" PRIu64
                "/%" PRIu64 "/%" PRIu64 "), mode %" PRIu64 "; %" PRIu64 " cycles waiting for ctl_ready\n",
                s.ctl[1], s.ctl[2], s.ctl[3], s.invpcid_type[0], s.invpcid_type[1], s.invpcid_type[2],
                s.invpcid_type[3], s.ctl[4], s.ctl_wait_cycles);
    std::printf("memory: %" PRIu64 " reads, %" PRIu64 " A/D writes, up to %" PRIu64 " reads pending, %" PRIu64
                " back-to-back responses\n",
                m.reads, m.writes, m.max_pending, m.back_to_back);
    std::printf("requests: %" PRIu64 " accepted, %" PRIu64 " cycles offered but not ready, up to %" PRIu64
                " outstanding, latency mean %.1f max %" PRIu64 "; %" PRIu64 " joined a walk, %" PRIu64
                " soft misses\n",
                s.accepted, s.offered_not_ready, s.max_outstanding, s.responses ? (double)s.lat_sum / s.responses : 0.0,
                s.lat_max, c.joined, c.soft_miss);
    if (trace_open_ || !opt_.wave.empty())
        std::printf("waveform: %s (cycle 0 starts at %.0f ns, period %.0f ns)\n", opt_.wave.c_str(),
                    t0_.to_seconds() * 1e9, period_.to_seconds() * 1e9);
    double cps = wall > 0 ? (double)cycle_ / wall : 0.0;
    std::printf("%s: %s, seed %" PRIu64 ", %" PRIu64 " cycles in %.2f s (%.0f cycles/s)%s%s\n",
                status_ == TB_PASS ? "PASS" : "FAIL", opt_.test.c_str(), opt_.seed, cycle_, wall, cps,
                fail_msg_.empty() ? "" : ": ", fail_msg_.c_str());
    return status_;
}
