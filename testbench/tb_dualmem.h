// tb_dualmem.h - the two copies of physical memory (one for the DUT, one for
// the C model) and their page-table builders. Every change the testbench
// makes (pt_map, pt_demand, entry edits) is made on both copies with two
// pt_t of the same seed, and the results are checked to agree; the only other
// writer is each side's MMU (A/D updates), so the copies stay equal exactly
// when the two MMUs write the same things, which compare() checks at the end.
#pragma once
#include <cstdint>
#include <string>

#include "mmu_config.h"
#include "pmem.h"
#include "pt.h"

class DualMem {
  public:
    DualMem(unsigned maxphyaddr, uint64_t seed);
    ~DualMem();
    DualMem(const DualMem &) = delete;
    DualMem &operator=(const DualMem &) = delete;

    pmem_t *dut() const { return mem_[0]; }
    pmem_t *ref() const { return mem_[1]; }
    unsigned maxphyaddr() const { return maxphyaddr_; }

    // All of these abort the run (harness error) if the two copies disagree.
    uint64_t new_root();
    uint64_t alloc_frame(unsigned ps);
    // pt_map on both; false with err when pt_map refuses.
    bool map(uint64_t cr3, uint64_t va, uint64_t pa, unsigned ps, uint64_t flags, std::string &err);
    bool demand(uint64_t cr3, uint64_t va, backing_t b, const uint32_t mix[MMU_PS_COUNT], unsigned &ps, std::string &err);
    uint64_t entry_addr(uint64_t cr3, uint64_t va, unsigned level) const;
    bool translate(uint64_t cr3, uint64_t va, uint64_t &pa, unsigned &ps) const;
    uint64_t read(uint64_t pa) const { return pmem_read64(mem_[1], pa); }
    uint64_t read_dut(uint64_t pa) const { return pmem_read64(mem_[0], pa); }
    void write(uint64_t pa, uint64_t v);
    void set_bits(uint64_t pa, uint64_t set, uint64_t clear = 0) { write(pa, (read(pa) | set) & ~clear); }
    // Set A in the non-leaf entries (levels 4..2 above the leaf) used for va.
    void mark_accessed(uint64_t cr3, uint64_t va);

    // Compare the two memories word by word. Returns the number of differing
    // words; the first `max_report` are described in report.
    uint64_t compare(std::string &report, unsigned max_report = 8) const;
    size_t frames() const { return pmem_frames(mem_[1]); }

  private:
    void check(bool same, const char *what) const;
    unsigned maxphyaddr_;
    pmem_t *mem_[2] = {nullptr, nullptr};
    pt_t *pt_[2] = {nullptr, nullptr};
};
