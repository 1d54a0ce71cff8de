// tb_env.h - the lockstep environment: clock and reset, the DUT (the
// Verilated mmu_top, or a second C model with --dut c), the C reference model,
// one memory model per side, the stimulus and the scoreboard.
//
// Phases of a cycle t (one clock period P; cycle t lies between the rising
// edges t and t+1 after reset):
//   rising edge: the DUT and the C model sample the inputs of cycle t-1 and
//                update their state; their outputs of cycle t settle in the
//                following delta cycles (Moore outputs);
//   falling edge: one process, `on_negedge`, runs the environment in a fixed
//                order: the scoreboard compares every output of cycle t, each
//                memory side answers and takes its side's memory request,
//                the stimulus chooses the CPU-side inputs, and all inputs of
//                cycle t are written.
// One process in a fixed order (rather than one SC_METHOD per component)
// makes the order of the shared page-table updates (demand mapping) and the
// memory sides' sampling explicit, and costs one activation per cycle.
#pragma once
#include <systemc.h>

#include <memory>
#include <string>
#include <vector>

#include "mmu.h"
#include "tb_cmodel.h"
#include "tb_cover.h"
#include "tb_dualmem.h"
#include "tb_mem.h"
#include "tb_break.h"
#include "tb_ports.h"
#include "tb_stim.h"
#include "tb_vcd.h"

class Vmmu_top;
class VerilatedFstSc;

struct EnvOptions {
    uint64_t seed = 1;
    std::string test = "random";
    bool dut_is_c = false;     // --dut c: a second C model in place of the RTL (harness self-test)
    std::string wave;          // FST file ("" = none)
    uint64_t wave_from = 0;    // first cycle in the waveform
    uint64_t inject = ~0ull;   // --inject-mismatch: corrupt the model's req_ready in that cycle
    unsigned after = 4;        // cycles simulated after a mismatch (for the waveform)
    uint64_t watchdog = 50000; // cycles without progress before giving up
    bool noise = true;         // drive noise on the payload of inputs whose valid is 0
    std::string mismatch_wave; // VCD written on the first difference ("" = mismatch-SEED.vcd, "none" = off)
    unsigned wave_cycles = 64; // cycles before the first difference in that VCD
    std::string inject_array;  // --inject-array-mismatch ARRAY[:FIELD]: corrupt the model's copy at the compare
    std::string coverage;      // --coverage FILE: write this run's coverage counts (JSON)
    std::string brk;           // --break NAME: make that RTL assertion fail on purpose (tb_break.h)
    uint64_t break_at = 100;   // --break-at N: the first cycle it may be applied in
    int verbose = 0;
    std::string rerun;         // the command line, for the rerun hint
};

// Outcome of a run; the exit status of mmulockstep.
enum { TB_PASS = 0, TB_FAIL = 1, TB_USAGE = 2, TB_ERROR = 3 };

// The per-side signals: the memory-response inputs and all outputs.
struct SideSignals {
#define TB_X(t, n, w) sc_signal<t> n;
    TB_MEM_INPUTS(TB_X)
#undef TB_X
#define TB_X(t, n, w, g) sc_signal<t> n;
    TB_OUTPUTS(TB_X)
#undef TB_X
    void read(mmu_out_t &o) const
    {
#define TB_X(t, n, w, g) o.n = (decltype(o.n))n.read();
        TB_OUTPUTS(TB_X)
#undef TB_X
    }
};

SC_MODULE(Env)
{
    sc_in<bool> clk;

    SC_HAS_PROCESS(Env);
    Env(sc_module_name nm, const sim_config_t &cfg, const EnvOptions &opt, const StimContext &sctx,
        sc_time period);
    ~Env() override;

    // After construction; false with err (stimulus setup failed).
    bool setup(std::string &err);
    // After sc_start(SC_ZERO_TIME): open the waveform if asked for.
    void start_trace();
    // After sc_start() returns: close the waveform, print the summary, and
    // return TB_PASS / TB_FAIL / TB_ERROR.
    int finish(double wall_seconds);
    uint64_t cycles() const { return cycle_; }

  private:
    void on_negedge();
    void on_posedge();
    bool compare(uint64_t t, const mmu_out_t &d, const mmu_out_t &r);
    void end_of_test(uint64_t t);
    void fail(int status, const std::string &msg);
    void print_history(FILE *f) const;
    void print_wave_hint(uint64_t t) const;
    std::string wave_time(uint64_t t) const;
    // the mismatch VCD: remember the first difference, write it at the end
    void wave_on_fail(uint64_t t, const std::string &what, const std::vector<std::string> &ports);
    void write_fail_wave();
    // the end-of-test compare of every array through the debug read port
    bool arrays_step(uint64_t t); // true when every way has been read
    void array_check(unsigned id, uint32_t idx);
    // coverage bookkeeping (from the RTL's request table and walkers)
    void cover_cycle(uint64_t t, const mmu_out_t &r);
    void cover_after_drive(const mmu_in_t &in, const mmu_out_t &r);

    sim_config_t cfg_;
    EnvOptions opt_;
    StimContext sctx_;
    sc_time period_;
    MemLatency lat_;
    std::unique_ptr<DualMem> mem_;
    std::unique_ptr<Stimulus> stim_;
    std::unique_ptr<MemModel> mdut_, mref_;
    std::unique_ptr<Vmmu_top> vdut_;
    std::unique_ptr<CModel> cdut_;
    std::unique_ptr<CModel> ref_;
    VerilatedFstSc *tfp_ = nullptr;
    bool trace_open_ = false;
    Rng noise_;

    // signals
    sc_signal<bool> rst_n;
    sc_signal<bool, SC_MANY_WRITERS> dut_clk_; // the Verilated DUT's clock: rises one delta after clk, falls with the inputs
#define TB_X(t, n, w) sc_signal<t> n;
    TB_CPU_INPUTS(TB_X)
#undef TB_X
    SideSignals sdut_, sref_;
    // the DUT's debug read port (the model side is read directly)
    sc_signal<uint32_t> dbg_arr_, dbg_idx_;
    sc_signal<tb_sa_bits> dbg_entry_;
    sc_signal<uint32_t> dbg_age_, dbg_lfsr_;
    sc_signal<uint64_t> dbg_plru_;
    sc_signal<tb_sa_bits> rdbg_entry_; // the model's, unused
    sc_signal<uint32_t> rdbg_age_, rdbg_lfsr_;
    sc_signal<uint64_t> rdbg_plru_;
    template <class M> void bind_debug(M &m);

    // run state
    unsigned negedges_ = 0;
    uint64_t cycle_ = 0;     // the cycle whose falling edge is next
    sc_time t0_;             // start of cycle 0 (the last rising edge in reset)
    bool stopping_ = false;
    uint64_t stop_at_ = 0;   // last cycle simulated after a failure
    uint64_t quiet_until_ = ~0ull; // end of the idle cycles after the test
    uint64_t last_progress_ = 0;
    int status_ = TB_PASS;
    std::string fail_msg_;

    mmu_out_t last_d_{}; // the DUT's outputs read at the last falling edge
    bool have_last_d_ = false;
    std::vector<TbCycle> hist_; // ring of the last cycles (inputs, both sides' outputs)
    size_t hist_pos_ = 0, hist_n_ = 0;

    // mismatch waveform
    bool wave_pending_ = false;
    VcdInfo vcd_;

    // array compare
    std::vector<std::pair<unsigned, uint32_t>> arr_items_; // (array, set * ways + way)
    size_t arr_k_ = 0;
    bool arr_started_ = false;
    unsigned arr_bad_ = 0;
    int inj_arr_ = -1;   // injection target
    uint32_t inj_idx_ = 0;
    std::string inj_field_;

    // --break
    std::unique_ptr<Breaker> brk_;

    // coverage
    std::unique_ptr<Coverage> cov_;
    struct RtCov {
        int busy_disp = -1, busy_done = -1;
        bool flush = false, ad = false;
    };
    std::vector<RtCov> rtc_;             // per request-table entry, while in its walk
    std::vector<uint8_t> rt_prev_, rt_cur_, rtw_cur_, wk_prev_, wk_cur_; // RTL states, last and this cycle
    std::vector<uint16_t> rtid_cur_;
    std::vector<unsigned> wk_writes_;    // A/D writes of each walker's current walk
    bool cov_have_prev_ = false;
    bool cov_pending_ = false;           // a response sample waiting for the model's mmu_last_info
    uint64_t cov_pending_t_ = 0;
    CovSample cov_sample_;
};
