// tb_vcd.h - the mismatch waveform: a VCD, written by the testbench itself
// from its cycle history, with the RTL's and the C model's value of every
// output port side by side (rtl.<port>, model.<port>), the CPU-side inputs
// (in.<port>), each side's memory response (its own input) and a clock, the
// cycle number and a mismatch flag (tb.*). Times are those of the FST that
// --wave writes (1 ps resolution, cycle c starts at t0 + c * period), so a
// marker can be moved from one file to the other. A GTKWave save file next to
// it puts each rtl/model pair together, the differing ports first, with a
// marker at the first difference.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mmu_types.h"

// One cycle of the history.
struct TbCycle {
    uint64_t t = 0;
    mmu_in_t in{};      // CPU-side inputs of the cycle (shared)
    mmu_in_t mem_r{};   // the model's memory response (mem_rsp_* only)
    mmu_in_t mem_d{};   // the DUT's memory response
    mmu_out_t o_r{};    // the model's outputs
    mmu_out_t o_d{};    // the DUT's outputs
    bool diff = false;  // a compared port differs in this cycle
};

struct VcdInfo {
    std::string vcd, gtkw;   // file names
    uint64_t t0_ps = 0;      // start of cycle 0
    uint64_t period_ps = 0;
    uint64_t first_bad = 0;  // the cycle of the first difference
    uint64_t seed = 0;
    std::string test, what;  // what: "port rsp_paddr_o differs", ...
    std::vector<std::string> bad_ports; // ports (with _o / _i) that differ, first first
};

// Write the VCD (and the save file) of the given cycles (in order). False
// with err when a file cannot be written.
bool write_mismatch_vcd(const VcdInfo &v, const std::vector<TbCycle> &cycles, std::string &err);
