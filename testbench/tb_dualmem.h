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
    bool demand(uint64_t cr3, uint64_t va, backing_t b, const uint32_t mix[MMU_PS_COUNT], demand_ad_t ad, bool write,
                unsigned &ps, std::string &err);
    uint64_t entry_addr(uint64_t cr3, uint64_t va, unsigned level) const;
    bool translate(uint64_t cr3, uint64_t va, uint64_t &pa, unsigned &ps) const;
    uint64_t read(uint64_t pa) const { return pmem_read64(mem_[1], pa); }
    uint64_t read_dut(uint64_t pa) const { return pmem_read64(mem_[0], pa); }
    void write(uint64_t pa, uint64_t v);
    void set_bits(uint64_t pa, uint64_t set, uint64_t clear = 0) { write(pa, (read(pa) | set) & ~clear); }
    // Set A in the non-leaf entries (levels 4..2 above the leaf) used for va.
    void mark_accessed(uint64_t cr3, uint64_t va);

    // The bits software may set in a present entry at `level` (4 PML4E .. 1
    // PTE; leaf: PS = 1 at levels 3 and 2, always at 1) that do not change a
    // translation with CR4.PKE = 0: PWT and PCD (memory type, not modelled),
    // PAT in a leaf (bit 7 of a PTE, bit 12 of a 2 MiB or 1 GiB leaf), the
    // ignored bits (6 and 8 above the leaf, 11:9, 58:52 of a leaf and 62:52
    // above it) and the protection key 62:59 of a leaf (ignored with
    // PKE = 0). Intel SDM Vol. 3A 4.5, Tables 4-15 (PML4E), 4-16 (PDPTE,
    // 1 GiB page), 4-17 (PDPTE -> page directory), 4-18 (PDE, 2 MiB page),
    // 4-19 (PDE -> page table), 4-20 (PTE). Not included: the bits with a
    // meaning (P, R/W, U/S, A, D, G, PS, XD) and the reserved ones (PML4E
    // bit 7, 29:13 / 20:13 of a 1 GiB / 2 MiB leaf, 51:MAXPHYADDR, XD with
    // NXE = 0), which the stimulus sets on purpose elsewhere.
    static uint64_t inert_bits(unsigned level, bool leaf);

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
