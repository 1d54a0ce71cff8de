// tb_env.cpp - see tb_env.h.
#include "tb_env.h"

#include <verilated.h>
#include <verilated_fst_sc.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "Vmmu_top.h"
#include "Vmmu_top___024root.h" // the request table and walker states, for coverage

namespace {
constexpr unsigned kResetEdges = 2; // rising edges with rst_ni = 0 before cycle 0
constexpr size_t kHistory = 24;     // cycles shown after a mismatch
constexpr uint64_t kQuietCycles = 8; // idle cycles compared after the last response
constexpr unsigned kBreakCycles = 2000; // --break: cycles within which the assertion must fire

// Which cycles a port is compared in (the qualifier column of TB_OUTPUTS).
#define TB_GATE_always(d, r) true
#define TB_GATE_rsp_valid(d, r) ((d).rsp_valid && (r).rsp_valid)
#define TB_GATE_mem_req_valid(d, r) ((d).mem_req_valid && (r).mem_req_valid)

// The RTL's request-table and walker states (rtl/mmu_pkg.sv rt_state_e,
// walker_state_e), read for coverage.
enum { RTL_RT_MISS = 3, RTL_RT_WALK = 4, RTL_RT_DONE = 5, RTL_W_IDLE = 0 };

// Does any compared output differ?
bool outputs_differ(const mmu_out_t &d, const mmu_out_t &r)
{
#define TB_X(ty, nm, w, g)                                                                                           \
    if (TB_GATE_##g(d, r) && (uint64_t)d.nm != (uint64_t)r.nm)                                                       \
        return true;
    TB_OUTPUTS(TB_X)
#undef TB_X
    return false;
}

std::string flags_text(unsigned f)
{
    static const char *const n[6] = {"V", "G", "RW", "US", "XD", "D"};
    std::string s;
    for (int i = 0; i < 6; i++)
        if (f >> i & 1)
            s += std::string(s.empty() ? "" : "|") + n[i];
    return s.empty() ? "0" : s;
}

std::string entry_text(const sa_entry_t &e)
{
    char b[160];
    std::snprintf(b, sizeof b, "tag 0x%" PRIx64 " data 0x%" PRIx64 " pcid 0x%x size %u asize %u flags 0x%02x (%s)",
                  e.tag, e.data, (unsigned)e.pcid, (unsigned)e.size, (unsigned)e.asize, (unsigned)e.flags,
                  flags_text(e.flags).c_str());
    return b;
}

uint64_t to_ps(const sc_time &t) { return (uint64_t)std::llround(t.to_seconds() * 1e12); }

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

// The DUT's debug read port (rtl/mmu_top.sv dbg_*, or the C wrapper's).
template <class M> void Env::bind_debug(M &m)
{
    m.dbg_arr_i(dbg_arr_);
    m.dbg_idx_i(dbg_idx_);
    m.dbg_entry_o(dbg_entry_);
    m.dbg_age_o(dbg_age_);
    m.dbg_plru_o(dbg_plru_);
    m.dbg_lfsr_o(dbg_lfsr_);
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
      hist_(std::max<size_t>(kHistory, opt.wave_cycles) + opt.after + 2)
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
    // the model's debug port is bound (SystemC wants every port bound) but
    // not used: the array compare reads the model's sa_t directly
    ref_->dbg_arr_i(dbg_arr_);
    ref_->dbg_idx_i(dbg_idx_);
    ref_->dbg_entry_o(rdbg_entry_);
    ref_->dbg_age_o(rdbg_age_);
    ref_->dbg_plru_o(rdbg_plru_);
    ref_->dbg_lfsr_o(rdbg_lfsr_);
    if (opt_.dut_is_c) {
        cdut_ = std::make_unique<CModel>("dut", cfg_.mmu);
        bind_model(*cdut_, clk, rst_n, sdut_, this);
        bind_debug(*cdut_);
#define TB_X(t, n, w) cdut_->n##_i(n);
        TB_CPU_INPUTS(TB_X)
#undef TB_X
    } else {
        vdut_ = std::make_unique<Vmmu_top>("dut");
        vdut_->clk_i(dut_clk_); // not clk: no evaluation at the falling edge (see on_negedge)
        vdut_->rst_ni(rst_n);
#define TB_X(t, n, w) vdut_->n##_i(sdut_.n);
        TB_MEM_INPUTS(TB_X)
#undef TB_X
#define TB_X(t, n, w, g) vdut_->n##_o(sdut_.n);
        TB_OUTPUTS(TB_X)
#undef TB_X
        bind_debug(*vdut_);
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
    mdut_ = std::make_unique<MemModel>(mem_->dut(), lat_, ms, cfg_.mmu.maxphyaddr, opt_.noise);
    mref_ = std::make_unique<MemModel>(mem_->ref(), lat_, ms, cfg_.mmu.maxphyaddr, opt_.noise);
    if (!opt_.inject_array.empty()) {
        std::string name = opt_.inject_array, field = "tag";
        size_t colon = name.find(':');
        if (colon != std::string::npos) {
            field = name.substr(colon + 1);
            name = name.substr(0, colon);
        }
        // by the name of the configuration's list (tlb.NAME / pwc.NAME)
        inj_arr_ = mmu_array_find(ref_->model(), name.c_str());
        if (inj_arr_ < 0) {
            std::string names;
            for (unsigned id = 0; id < mmu_narrays(ref_->model()); id++)
                names += std::string(id ? ", " : "") + mmu_array_name(ref_->model(), id);
            err = "--inject-array-mismatch: unknown array '" + name + "' (" + names + ")";
            return false;
        }
        const sa_t *a = mmu_array(ref_->model(), (unsigned)inj_arr_);
        static const char *const fields[] = {"tag", "data", "pcid", "size", "asize", "flags", "age", "plru", "lfsr"};
        if (std::find(std::begin(fields), std::end(fields), field) == std::end(fields)) {
            err = "--inject-array-mismatch: unknown field '" + field + "' (tag, data, pcid, size, asize, flags, age, "
                  "plru, lfsr)";
            return false;
        }
        if (!a->sets || (field == "age" && a->repl != MMU_REPL_LRU) ||
            (field == "plru" && a->repl != MMU_REPL_PLRU) || (field == "lfsr" && a->repl != MMU_REPL_RANDOM)) {
            err = "--inject-array-mismatch: " + name + " has " +
                  (a->sets ? std::string("another replacement policy; its ") + field + " is not compared"
                           : std::string("no entries"));
            return false;
        }
        inj_field_ = field;
    }
    if (!opt_.brk.empty()) {
        const BreakCase *c = find_break(opt_.brk);
        if (!c) {
            err = "--break: unknown case '" + opt_.brk + "' (--list-breaks)";
            return false;
        }
        if (!vdut_) {
            err = "--break needs the RTL (it breaks the RTL's assertions)";
            return false;
        }
        brk_ = std::make_unique<Breaker>(*c, opt_.break_at, vdut_.get(), cfg_);
        std::printf("break %s: %s, from cycle %" PRIu64 "; expected RTL assertion: \"%s\"\n", c->name, c->what,
                    opt_.break_at, c->expect);
    }
    if (!opt_.coverage.empty()) {
        if (!vdut_) {
            err = "--coverage needs the RTL (it reads the RTL's request table and walker states)";
            return false;
        }
        cov_ = std::make_unique<Coverage>(CovConfig::from(cfg_.mmu));
        const unsigned RT = cfg_.mmu.outstanding, NW = cfg_.mmu.walkers;
        rtc_.assign(RT, RtCov{});
        rt_prev_.assign(RT, 0);
        rt_cur_.assign(RT, 0);
        rtw_cur_.assign(RT, 0);
        rtid_cur_.assign(RT, 0);
        wk_prev_.assign(NW, 0);
        wk_cur_.assign(NW, 0);
        wk_writes_.assign(NW, 0);
    }
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

void Env::wave_on_fail(uint64_t t, const std::string &what, const std::vector<std::string> &ports)
{
    if (wave_pending_ || opt_.mismatch_wave == "none")
        return;
    wave_pending_ = true;
    vcd_.first_bad = t;
    vcd_.what = what;
    vcd_.bad_ports = ports;
}

// r: the model's outputs as compared (with --inject-mismatch applied)
bool Env::compare(uint64_t t, const mmu_out_t &d, const mmu_out_t &r)
{
    int n = 0;
    std::string others;
    std::vector<std::string> ports;
#define TB_X(ty, nm, w, g)                                                                                           \
    if (TB_GATE_##g(d, r) && (uint64_t)d.nm != (uint64_t)r.nm) {                                                     \
        ports.push_back(#nm "_o");                                                                                   \
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
    wave_on_fail(t, "port " + ports[0] + " differs", ports);
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
    const size_t n = std::min(hist_n_, kHistory), N = hist_.size();
    for (size_t k = 0; k < n; k++) {
        const TbCycle &h = hist_[(hist_pos_ + N - n + k) % N];
        std::string s;
        char b[200];
        const mmu_in_t &i = h.in;
        const mmu_out_t &o = h.o_r;
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
        if (h.mem_r.mem_rsp_valid) {
            std::snprintf(b, sizeof b, " mem_rsp w%u %016" PRIx64, (unsigned)h.mem_r.mem_rsp_id,
                          h.mem_r.mem_rsp_data);
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
    dut_clk_.write(true);
    if (!have_last_d_ || stopping_ || (brk_ && brk_->applied()))
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
        wave_on_fail(t, "Moore violation on " #nm "_o (the RTL's value changed after the inputs of the cycle)",     \
                     {#nm "_o"});                                                                                    \
        fail(TB_FAIL, "Moore violation in cycle " + std::to_string(t));                                              \
        return;                                                                                                      \
    }
    TB_OUTPUTS(TB_X)
#undef TB_X
}

void Env::on_negedge()
{
    // the DUT's falling edge lands in the same update as this cycle's
    // inputs (written below): one evaluation of the Verilated model instead
    // of two (its inputs are sampled at the rising edge only)
    dut_clk_.write(false);
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
    mmu_out_t rc = r; // the model's outputs as compared: --inject-mismatch corrupts req_ready
    if (t == opt_.inject)
        rc.req_ready = !rc.req_ready;
    if (!stopping_) {
        if (vdut_ && (Verilated::gotError() || Verilated::gotFinish())) {
            std::printf("RTL ASSERTION (or $stop/$finish) in the cycle before cycle %" PRIu64 "\n  seed:  %" PRIu64
                        "\n  test:  %s\n  time:  %s\n",
                        t, opt_.seed, opt_.test.c_str(), wave_time(t ? t - 1 : 0).c_str());
            print_wave_hint(t);
            print_history(stdout);
            wave_on_fail(t ? t - 1 : 0, "RTL assertion", {});
            fail(TB_FAIL, "RTL assertion");
        } else if (brk_ && brk_->applied()) {
            // the RTL differs from the model on purpose: no compare; the
            // assertion must fire within kBreakCycles
            if (t > brk_->applied_at() + kBreakCycles) {
                std::printf("BREAK %s applied in cycle %" PRIu64 ", but no RTL assertion fired in %u cycles\n",
                            brk_->which().name, brk_->applied_at(), kBreakCycles);
                fail(TB_FAIL, "--break " + std::string(brk_->which().name) + ": no RTL assertion");
            }
        } else if (!ref_->error().empty()) {
            fail(TB_ERROR, "C model: " + ref_->error());
        } else if (cdut_ && !cdut_->error().empty()) {
            fail(TB_ERROR, "DUT C model: " + cdut_->error());
        } else if (mmu_cycle(ref_->model()) != t) {
            fail(TB_ERROR, "internal error: C model at cycle " + std::to_string(mmu_cycle(ref_->model())) +
                               ", testbench at " + std::to_string(t));
        } else {
            compare(t, d, rc);
        }
    }
    if (cov_ && !stopping_)
        cover_cycle(t, r);

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
            in.req_implicit = noise_.below(2);
        }
        if (!in.ctl_valid) {
            in.ctl_op = (uint8_t)noise_.below(8);
            in.ctl_type = (uint8_t)noise_.below(4);
            in.ctl_pcid = (uint16_t)noise_.below(4096);
            in.ctl_data = noise_.next();
            in.ctl_addr = noise_.next();
        }
    }
    if (brk_ && !stopping_) {
        std::string what;
        if (brk_->step(t, d, in, ind, what))
            std::printf("BREAK %s applied in cycle %" PRIu64 ": %s\n", brk_->which().name, t, what.c_str());
    }
#define TB_X(ty, n, w) n.write((ty)(in.n & tb_width_mask(w)));
    TB_CPU_INPUTS(TB_X)
#undef TB_X
#define TB_X(ty, n, w)                                                                                               \
    sdut_.n.write((ty)(ind.n & tb_width_mask(w)));                                                                   \
    sref_.n.write((ty)(inr.n & tb_width_mask(w)));
    TB_MEM_INPUTS(TB_X)
#undef TB_X
    if (cov_ && !stopping_)
        cover_after_drive(in, r);

    TbCycle &h = hist_[hist_pos_];
    hist_pos_ = (hist_pos_ + 1) % hist_.size();
    hist_n_++;
    h.t = t;
    h.in = in;
    h.mem_r = inr;
    h.mem_d = ind;
    h.o_r = rc;
    h.o_d = d;
    h.diff = outputs_differ(d, rc);
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
    // end of the test: no more stimulus, nothing outstanding, a few idle
    // cycles that are compared too, then the arrays are read through the
    // debug port (one way per cycle, still comparing every port), then the
    // memories and the expectations
    if (stim_->finished() && stim_->outstanding() == 0 && !in.req_valid && !in.ctl_valid &&
        mmu_outstanding(ref_->model()) == 0) {
        if (brk_) {
            fail(TB_FAIL, "--break " + std::string(brk_->which().name) +
                              (brk_->applied() ? ": no RTL assertion before the end of the test"
                                               : ": the test ended before a cycle in which it applies"));
            return;
        }
        if (quiet_until_ == ~0ull)
            quiet_until_ = t + kQuietCycles;
        if (t >= quiet_until_ && arrays_step(t))
            end_of_test(t);
    }
}

// One cycle of the array compare: check the way whose debug read was set up
// in the cycle before (the port is combinational; its outputs settled in the
// delta cycles after the inputs were written), then set up the next.
bool Env::arrays_step(uint64_t t)
{
    (void)t;
    if (!arr_started_) {
        arr_started_ = true;
        for (unsigned id = 0; id < mmu_narrays(ref_->model()); id++) {
            const sa_t *a = mmu_array(ref_->model(), id);
            for (uint32_t i = 0; i < a->sets * a->ways; i++)
                arr_items_.push_back({id, i});
        }
        if (inj_arr_ >= 0) { // the first valid way, else way 0
            const sa_t *a = mmu_array(ref_->model(), (unsigned)inj_arr_);
            for (uint32_t i = a->sets * a->ways; i-- > 0;)
                if (a->e[i].flags & SA_V)
                    inj_idx_ = i;
        }
    } else if (arr_k_ > 0) {
        array_check(arr_items_[arr_k_ - 1].first, arr_items_[arr_k_ - 1].second);
    }
    if (arr_k_ < arr_items_.size()) {
        dbg_arr_.write(arr_items_[arr_k_].first);
        dbg_idx_.write(arr_items_[arr_k_].second);
        arr_k_++;
        return false;
    }
    return true;
}

void Env::array_check(unsigned id, uint32_t idx)
{
    const sa_t *a = mmu_array(ref_->model(), id);
    const uint32_t set = idx / a->ways, way = idx % a->ways;
    sa_entry_t m = a->e[idx];
    uint64_t mage = a->age[idx], mplru = a->plru[set], mlfsr = a->lfsr;
    if ((int)id == inj_arr_ && idx == inj_idx_) { // --inject-array-mismatch: corrupt the model's copy
        if (inj_field_ == "tag") m.tag ^= 1;
        else if (inj_field_ == "data") m.data ^= 0x1000;
        else if (inj_field_ == "pcid") m.pcid ^= 1;
        else if (inj_field_ == "size") m.size ^= 1;
        else if (inj_field_ == "asize") m.asize ^= 1;
        else if (inj_field_ == "flags") m.flags ^= SA_D;
        else if (inj_field_ == "age") mage ^= 1;
        else if (inj_field_ == "plru") mplru ^= 1;
        else if (inj_field_ == "lfsr") mlfsr ^= 1;
    }
    const sa_entry_t d = tb_sa_unpack(dbg_entry_.read());
    const uint64_t dage = dbg_age_.read(), dplru = dbg_plru_.read(), dlfsr = dbg_lfsr_.read();
    struct Field {
        const char *name;
        uint64_t rtl, model;
        unsigned width;
        bool on;
    } fs[] = {{"tag", d.tag, m.tag, 36, true},
              {"data", d.data, m.data, 52, true},
              {"pcid", d.pcid, m.pcid, 12, true},
              {"size", d.size, m.size, 2, true},
              {"asize", d.asize, m.asize, 2, true},
              {"flags", d.flags, m.flags, 6, true},
              {"age (LRU)", dage, mage, 8, a->repl == MMU_REPL_LRU},
              {"plru (tree bits of the set)", dplru, mplru, 64, a->repl == MMU_REPL_PLRU && way == 0},
              {"lfsr", dlfsr, mlfsr, 16, a->repl == MMU_REPL_RANDOM && idx == 0}};
    const char *name = mmu_array_name(ref_->model(), id);
    for (const Field &f : fs) {
        if (!f.on || f.rtl == f.model)
            continue;
        if (arr_bad_++ == 0) {
            std::printf("ARRAY MISMATCH at the end of the test (cycle %" PRIu64 ", read through dbg_*)\n",
                        cycle_ - 1);
            std::printf("  array: %s (dbg_arr %u), set %u, way %u (dbg_idx %u)\n", name, id, set, way, idx);
            std::printf("  field: %s\n", f.name);
            std::printf("  rtl:   %s\n", hex(f.rtl, f.width).c_str());
            std::printf("  model: %s\n", hex(f.model, f.width).c_str());
            std::printf("  seed:  %" PRIu64 "\n  test:  %s\n", opt_.seed, opt_.test.c_str());
            std::printf("  rtl entry:   %s\n  model entry: %s\n", entry_text(d).c_str(), entry_text(m).c_str());
        } else if (arr_bad_ <= 16) {
            std::printf("  also:  %s set %u way %u %s: rtl %s model %s\n", name, set, way, f.name,
                        hex(f.rtl, f.width).c_str(), hex(f.model, f.width).c_str());
        }
    }
}

// ------------------------------------------------------------------ coverage
//
// From the RTL's request table (rt_state_q, rt_walker_q, rt_id_q) and walker
// states (w_state_q), read at the falling edge of every cycle: a request
// dispatched in cycle t-1 is MISS in t-1 and WALK (or DONE: a join in the
// completion cycle) in t; a walk that completed in t-1 leaves its requests
// WALK in t-1 and DONE in t. "Busy" counts walkers not IDLE at the start of
// that cycle. The model's mmu_last_info() adds whether the request joined a
// walk, and cross-checks the A/D bookkeeping.
void Env::cover_cycle(uint64_t t, const mmu_out_t &r)
{
    auto *root = vdut_->rootp;
    const unsigned RT = cfg_.mmu.outstanding, NW = cfg_.mmu.walkers;
    rt_prev_.swap(rt_cur_);
    wk_prev_.swap(wk_cur_);
    for (unsigned i = 0; i < RT; i++) {
        rt_cur_[i] = (uint8_t)root->mmu_top__DOT__u_rtable__DOT__rt_state_q[i];
        rtw_cur_[i] = (uint8_t)root->mmu_top__DOT__u_rtable__DOT__rt_walker_q[i];
        rtid_cur_[i] = (uint16_t)root->mmu_top__DOT__u_rtable__DOT__rt_id_q[i];
    }
    for (unsigned k = 0; k < NW; k++)
        wk_cur_[k] = (uint8_t)root->mmu_top__DOT__w_state[k];

    // the response of the cycle before: the model's facts about it
    if (cov_pending_) {
        cov_pending_ = false;
        const mmu_rsp_info_t *info = mmu_last_info(ref_->model());
        CovSample &s = cov_sample_;
        if (info->cycle_rsp != cov_pending_t_) {
            fail(TB_ERROR, "coverage: mmu_last_info() describes cycle " + std::to_string(info->cycle_rsp) +
                               ", not the response of cycle " + std::to_string(cov_pending_t_));
            return;
        }
        if (s.src >= COV_WALK0 && s.src <= COV_WALK3 && info->joined)
            s.src = COV_JOIN;
        // a TLB hit: the array that answered, whole page or piece
        if (s.src == COV_L1 || s.src == COV_STLB) {
            if (info->tlb_array < 0 || (unsigned)info->tlb_array >= mmu_ntlb(ref_->model())) {
                fail(TB_ERROR, "coverage: the model names no TLB array for the hit of cycle " +
                                   std::to_string(cov_pending_t_));
                return;
            }
            s.arr = info->tlb_array;
            s.piece = info->tlb_piece ? 1 : 0;
        }
        // the walk's owner: the model counted its A/D writes too
        if (s.src >= COV_WALK0 && s.src <= COV_WALK3 && (info->mem_writes > 0) != (s.ad != 0)) {
            fail(TB_ERROR, "coverage: the RTL's walker made " + std::string(s.ad ? "" : "no ") +
                               "A/D writes, the model counts " + std::to_string(info->mem_writes) +
                               " for the response of cycle " + std::to_string(cov_pending_t_));
            return;
        }
        cov_->add(s);
    }
    if (cov_have_prev_) {
        unsigned busy = 0;
        for (unsigned k = 0; k < NW; k++)
            busy += wk_prev_[k] != RTL_W_IDLE;
        for (unsigned i = 0; i < RT; i++) {
            const bool disp = rt_prev_[i] == RTL_RT_MISS && (rt_cur_[i] == RTL_RT_WALK || rt_cur_[i] == RTL_RT_DONE);
            const bool done = (rt_prev_[i] == RTL_RT_WALK || disp) && rt_cur_[i] == RTL_RT_DONE;
            if (disp) {
                rtc_[i] = RtCov{};
                rtc_[i].busy_disp = (int)busy;
            }
            if (done) {
                rtc_[i].busy_done = (int)busy;
                rtc_[i].ad = rtw_cur_[i] < NW && wk_writes_[rtw_cur_[i]] > 0;
            }
        }
    }
    cov_have_prev_ = true;
    for (unsigned k = 0; k < NW; k++)
        if (wk_cur_[k] == RTL_W_IDLE)
            wk_writes_[k] = 0;
    if (r.mem_req_valid && r.mem_req_we && r.mem_req_id < NW)
        wk_writes_[r.mem_req_id]++;

    if (r.rsp_valid) {
        CovSample s;
        s.size = r.rsp_size & 3;
        s.cause = r.rsp_cause < MMU_CAUSE_COUNT ? r.rsp_cause : 0;
        switch (r.rsp_src) {
        case MMU_SRC_L1: s.src = COV_L1; break;
        case MMU_SRC_STLB: s.src = COV_STLB; break;
        case MMU_SRC_WALK: s.src = COV_WALK0 + (r.rsp_pwc & 3); break;
        default: s.src = COV_NONE; break;
        }
        if (r.rsp_src == MMU_SRC_WALK) {
            unsigned i = 0;
            while (i < RT && !(rt_cur_[i] == RTL_RT_DONE && rtid_cur_[i] == r.rsp_id))
                i++;
            if (i == RT) {
                fail(TB_ERROR, "coverage: no DONE request-table entry with id " + std::to_string(r.rsp_id) +
                                   " in the RTL in cycle " + std::to_string(t));
                return;
            }
            s.ad = rtc_[i].ad;
            s.flush = rtc_[i].flush;
            s.busy_disp = rtc_[i].busy_disp;
            s.busy_done = rtc_[i].busy_done;
        }
        cov_sample_ = s;
        cov_pending_ = true;
        cov_pending_t_ = t;
    }
}

// A control operation waiting in cycle t (ctl_valid && !ctl_ready) while
// requests are in their walk.
void Env::cover_after_drive(const mmu_in_t &in, const mmu_out_t &r)
{
    if (!in.ctl_valid || r.ctl_ready)
        return;
    for (size_t i = 0; i < rt_cur_.size(); i++)
        if (rt_cur_[i] == RTL_RT_WALK)
            rtc_[i].flush = true;
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
    }
    if (arr_bad_) {
        std::printf("  %u difference%s in the arrays (%zu ways compared)\n", arr_bad_, arr_bad_ == 1 ? "" : "s",
                    arr_items_.size());
        fail(TB_FAIL, "TLB/PWC arrays differ at the end of the test");
    }
    std::string err;
    if (!stim_->check(err)) {
        std::printf("EXPECTATION FAILED: %s\n  seed:  %" PRIu64 "\n  test:  %s\n", err.c_str(), opt_.seed,
                    opt_.test.c_str());
        fail(TB_FAIL, "expectation failed");
    }
    stopping_ = true;
    stop_at_ = t;
    sc_stop();
}

void Env::write_fail_wave()
{
    std::vector<TbCycle> cyc;
    const size_t N = hist_.size(), n = std::min(hist_n_, N);
    for (size_t k = 0; k < n; k++) {
        const TbCycle &h = hist_[(hist_pos_ + N - n + k) % N];
        if (h.t + opt_.wave_cycles > vcd_.first_bad) // the last wave_cycles up to the first difference, and after
            cyc.push_back(h);
    }
    VcdInfo &v = vcd_;
    v.vcd = opt_.mismatch_wave.empty() ? "mismatch-" + std::to_string(opt_.seed) + ".vcd" : opt_.mismatch_wave;
    std::string stem = v.vcd;
    if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".vcd") == 0)
        stem.resize(stem.size() - 4);
    v.gtkw = stem + ".gtkw";
    v.t0_ps = to_ps(t0_);
    v.period_ps = to_ps(period_);
    v.seed = opt_.seed;
    v.test = opt_.test;
    std::string err;
    if (cyc.empty() || !write_mismatch_vcd(v, cyc, err)) {
        std::printf("mismatch waveform: not written: %s\n", cyc.empty() ? "no cycles recorded" : err.c_str());
        return;
    }
    const uint64_t a = cyc.front().t, b = cyc.back().t;
    std::printf("mismatch waveform: %s: cycles %" PRIu64 "..%" PRIu64 " (%" PRIu64 " after the first difference), "
                "rtl.<port> and model.<port> side by side, in.<port> the CPU-side inputs\n",
                v.vcd.c_str(), a, b, b - v.first_bad);
    std::printf("  times: cycle c starts at %" PRIu64 " ps + c * %" PRIu64 " ps, in this VCD and in the FST of --wave "
                "(timescale 1 ps in both): cycle %" PRIu64 " <-> %" PRIu64 " ps = %.0f ns\n",
                v.t0_ps, v.period_ps, v.first_bad, v.t0_ps + v.first_bad * v.period_ps,
                (double)(v.t0_ps + v.first_bad * v.period_ps) / 1000.0);
    std::printf("  open:  gtkwave %s %s\n", v.vcd.c_str(), v.gtkw.c_str());
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
    if (wave_pending_)
        write_fail_wave();
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
    if (arr_k_ == arr_items_.size() && arr_started_) {
        unsigned narr = 0;
        for (unsigned id = 0; id < mmu_narrays(ref_->model()); id++)
            narr += mmu_array(ref_->model(), id)->sets != 0;
        std::printf("arrays: %zu ways of %u arrays compared through the debug read port: %s\n", arr_items_.size(),
                    narr, arr_bad_ ? "DIFFER" : "equal");
    }
    if (cov_) {
        cov_->add_run(opt_.test, cycle_);
        std::string err;
        if (!cov_->write(opt_.coverage, err)) {
            std::printf("coverage: %s\n", err.c_str());
            if (status_ == TB_PASS)
                status_ = TB_ERROR;
        } else {
            std::printf("%s; counts in %s\n", cov_->summary().c_str(), opt_.coverage.c_str());
        }
    }
    if (trace_open_ || !opt_.wave.empty())
        std::printf("waveform: %s (cycle 0 starts at %.0f ns, period %.0f ns)\n", opt_.wave.c_str(),
                    t0_.to_seconds() * 1e9, period_.to_seconds() * 1e9);
    double cps = wall > 0 ? (double)cycle_ / wall : 0.0;
    std::printf("%s: %s, seed %" PRIu64 ", %" PRIu64 " cycles in %.2f s (%.0f cycles/s)%s%s\n",
                status_ == TB_PASS ? "PASS" : "FAIL", opt_.test.c_str(), opt_.seed, cycle_, wall, cps,
                fail_msg_.empty() ? "" : ": ", fail_msg_.c_str());
    return status_;
}
