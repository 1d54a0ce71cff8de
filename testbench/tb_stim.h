// tb_stim.h - stimulus for the CPU side of the MMU (requests and control
// operations). One Stimulus drives both models: the environment calls
// drive() once per cycle with the outputs of that cycle (the C model's; the
// DUT's are identical or the run has already stopped) and copies the result
// to the shared input signals.
//
// Three kinds: directed tests (tb_stim_directed.cpp), constrained-random
// tests (tb_stim_random.cpp) and trace replay (tb_stim_trace.cpp).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mmu_config.h"
#include "mmu_types.h"
#include "tb_dualmem.h"
#include "tb_mem.h"
#include "tb_rng.h"
#include "trace.h"

struct StimContext {
    DualMem *mem = nullptr;
    const sim_config_t *cfg = nullptr;
    uint64_t seed = 1;
    uint64_t cycles = 100000;       // random tests: cycles with new stimulus; trace: cap (0 = none)
    MemLatency *mem_lat = nullptr;  // the stimulus may choose it when not given on the command line
    bool mem_lat_given = false;
    std::string trace_path;
    trace_fmt_t trace_fmt = TRACE_FMT_AUTO;
    std::map<std::string, std::string> knobs; // --knob NAME=VALUE
    int verbose = 0;
};

// One answered request, as the C model answered it.
struct RspRecord {
    uint32_t id;
    uint64_t va;
    uint8_t acc;
    bool user;
    uint64_t t_acc, t_rsp;
    mmu_out_t o;
    uint64_t latency() const { return t_rsp - t_acc; }
};

struct StimStats {
    uint64_t accepted = 0, responses = 0, offered_not_ready = 0, max_outstanding = 0;
    uint64_t src[4] = {0, 0, 0, 0}, size[4] = {0, 0, 0, 0}, pwc[4] = {0, 0, 0, 0};
    uint64_t cause[MMU_CAUSE_COUNT] = {0};
    uint64_t ctl[5] = {0, 0, 0, 0, 0}, invpcid_type[4] = {0, 0, 0, 0}, ctl_wait_cycles = 0;
    uint64_t lat_sum = 0, lat_max = 0;
};

class Stimulus {
  public:
    explicit Stimulus(const StimContext &c) : ctx_(c) {}
    virtual ~Stimulus() = default;
    virtual std::string name() const = 0;
    // One line describing the test's choices (knobs), printed at the start.
    virtual std::string describe() const { return ""; }
    // Before cycle 0: build page tables in ctx_.mem. False with err on failure.
    virtual bool setup(std::string &err) = 0;
    // The CPU-side inputs of cycle t (req_* and ctl_*; valid = 0 by default).
    virtual void drive(uint64_t t, const mmu_out_t &o, mmu_in_t &in) = 0;
    // No more stimulus: the environment drains outstanding requests and stops.
    virtual bool finished() const = 0;
    // Expectations at the end of the test (directed tests). False with err.
    virtual bool check(std::string &err) { (void)err; return true; }
    // A stimulus error during the run (trace read error...); empty if none.
    const std::string &error() const { return error_; }

    // Book-keeping, called by the environment after drive() every cycle.
    // Returns false with err when the MMU answers an id that is not outstanding.
    bool observe(uint64_t t, const mmu_out_t &o, const mmu_in_t &in, std::string &err);
    size_t outstanding() const { return pend_.size(); }
    const StimStats &stats() const { return st_; }
    const std::vector<RspRecord> &records() const { return recs_; }
    // Cycle of the i-th control handshake.
    const std::vector<uint64_t> &ctl_cycles() const { return ctl_t_; }

  protected:
    bool id_busy(uint32_t id) const { return pend_.count(id) != 0; }
    StimContext ctx_;
    bool keep_records_ = false;
    std::string error_;

  private:
    struct Pend {
        uint64_t va, t;
        uint8_t acc;
        bool user;
    };
    std::map<uint32_t, Pend> pend_;
    std::vector<RspRecord> recs_;
    std::vector<uint64_t> ctl_t_;
    StimStats st_;
};

// Factory: "random", a directed test name, or "trace" (needs ctx.trace_path).
std::unique_ptr<Stimulus> make_stimulus(const std::string &test, const StimContext &c, std::string &err);
// Names and one-line descriptions of the directed tests.
std::vector<std::pair<std::string, std::string>> directed_tests();
std::unique_ptr<Stimulus> make_directed(const std::string &name, const StimContext &c);
std::unique_ptr<Stimulus> make_random(const StimContext &c);
std::unique_ptr<Stimulus> make_trace(const StimContext &c);

// Canonical linear address from table indices (4-level paging).
inline uint64_t va_of(uint64_t l4, uint64_t l3, uint64_t l2, uint64_t l1, uint64_t off = 0)
{
    uint64_t va = (l4 << 39) | (l3 << 30) | (l2 << 21) | (l1 << 12) | off;
    return (va & (1ull << 47)) ? (va | 0xFFFF000000000000ull) : va;
}
