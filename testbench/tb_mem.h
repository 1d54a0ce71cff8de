// tb_mem.h - the memory side of one model: answers the page-walk memory port
// (docs/timing.md 2.3) from that side's own copy of physical memory.
//
// A read issued in cycle t is sampled from memory in cycle t and becomes
// ready at t + latency (latency >= 1, drawn from the latency policy); a
// locked A/D update ([T:locked-update]) is applied in the cycle it is issued
// and answered like a read with the entry's old value. At most one
// response per cycle: among the ready ones the smallest (ready cycle, issue
// order). The DUT's and the C model's memory sides are two instances with the
// same seed, so while the two request streams agree they see the same
// latencies and the same data.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mmu_types.h"
#include "pmem.h"
#include "tb_rng.h"

// How long a read takes: "fixed:N" (or just "N"), "uniform:A-B", or a profile
// ("random" = mixed, "fast", "slow") that mixes back-to-back (1..3),
// medium, long and very long latencies.
struct MemLatency {
    enum Kind { FIXED, UNIFORM, PROFILE } kind = PROFILE;
    uint32_t lo = 1, hi = 1;
    uint32_t w[4] = {40, 35, 20, 5}; // PROFILE weights of 1..3, 4..16, 17..64, 65..400
    std::string text = "random";

    // Parse a --mem-lat value. Returns false with a message in err.
    bool parse(const std::string &s, std::string &err);
    uint32_t draw(Rng &r) const;
    bool is_fixed(uint32_t n) const { return kind == FIXED && lo == n; }
};

struct MemCounts {
    uint64_t reads = 0, writes = 0, max_pending = 0, back_to_back = 0;
};

class MemModel {
  public:
    // noise: drive random values on the response payload while
    // mem_rsp_valid is 0 (else 0; the latencies are the same either way)
    MemModel(pmem_t *mem, const MemLatency &lat, uint64_t seed, unsigned maxphyaddr, bool noise = true)
        : mem_(mem), lat_(lat), rng_(seed), maxphyaddr_(maxphyaddr), noise_(noise) {}

    // Cycle t: `o` are this side's outputs of cycle t; fills the memory
    // response inputs of cycle t. Returns false with a message in err when the
    // MMU's request is malformed (unaligned, beyond MAXPHYADDR).
    bool tick(uint64_t t, const mmu_out_t &o, mmu_in_t &in, std::string &err);
    size_t pending() const { return q_.size(); }
    const MemCounts &counts() const { return n_; }

  private:
    struct Pend {
        uint64_t ready, seq;
        uint8_t id;
        uint64_t data;
    };
    pmem_t *mem_;
    MemLatency lat_;
    Rng rng_;
    unsigned maxphyaddr_;
    bool noise_;
    std::vector<Pend> q_;
    uint64_t seq_ = 0, last_rsp_ = ~0ull;
    MemCounts n_;
};
