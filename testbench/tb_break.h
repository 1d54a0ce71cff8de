// tb_break.h - break one RTL assertion on purpose (--break NAME).
//
// Each assertion of rtl/mmu_top.sv and rtl/mmu_sa.sv has a case here that
// makes it fail: the environment assertions by driving a protocol violation
// (docs/timing.md 2.5) on the inputs, the internal ones by forcing the RTL's
// state through the registers testbench/tb_break.vlt makes writable. From
// the first suitable cycle at or after --break-at the case is applied once;
// from then on the scoreboard no longer compares (the RTL has been made to
// differ from the model on purpose) and the run ends when an assertion
// fires. testbench/tests/break.sh checks that the one that fires is the one
// named here (`expect`).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mmu.h"
#include "sim.h"

class Vmmu_top;

struct BreakCase {
    const char *name;
    bool internal;      // state forced through public registers (else: the inputs)
    const char *what;   // what is done
    const char *expect; // the assertion message that must fire
};

const std::vector<BreakCase> &break_cases();
const BreakCase *find_break(const std::string &name);

class Breaker {
  public:
    Breaker(const BreakCase &c, uint64_t at, Vmmu_top *dut, const sim_config_t &cfg)
        : c_(c), at_(at), dut_(dut), cfg_(cfg)
    {
    }
    // At the falling edge of cycle t, after the stimulus chose the CPU-side
    // inputs `in` and the DUT's memory side chose `ind`; d are the DUT's
    // outputs of cycle t. May change the inputs and the RTL's registers.
    // Returns true in the cycle it applies the case (msg says what it did).
    bool step(uint64_t t, const mmu_out_t &d, mmu_in_t &in, mmu_in_t &ind, std::string &msg);
    bool applied() const { return applied_; }
    uint64_t applied_at() const { return applied_at_; }
    const BreakCase &which() const { return c_; }

  private:
    // the case in cycle t (prev_ctl: ctl_valid was driven in t - 1); true
    // when it acted
    bool apply(uint64_t t, bool prev_ctl, const mmu_out_t &d, mmu_in_t &in, mmu_in_t &ind, std::string &msg);
    bool outstanding_id(uint16_t id) const; // an id of a request the RTL holds
    uint16_t unused_id() const;

    const BreakCase &c_;
    uint64_t at_;
    Vmmu_top *dut_;
    const sim_config_t &cfg_;
    bool applied_ = false;
    uint64_t applied_at_ = 0;
    // ctl-not-held: the cycle the testbench's own operation was first offered
    bool ctl_offered_ = false;
    bool prev_ctl_valid_ = false;
};
