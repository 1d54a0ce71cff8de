// tb_cover.h - functional coverage of a lockstep run (docs/coverage.md).
//
// One sample per response: page size x where it was found x fault kind x
// A/D write made x control operation waiting during the walk x walkers busy
// at the dispatch and at the completion of the walk x, for a TLB hit, the
// array that answered and whether its entry was a piece of the page. Samples are kept as a
// sparse count of the full cross product; the report shows the meaningful
// two-way crosses and histograms, marks the bins that are unreachable by
// construction (with the reason) and flags reachable bins that were not hit.
// Runs write their counts as JSON (--coverage FILE); --coverage-merge sums
// the files of a regression and prints the report.
#pragma once
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "mmu_config.h"

// Where a response was found: rsp_src, split by the walk's PWC start level,
// with requests that joined another request's walk apart.
enum CovSrc { COV_L1, COV_STLB, COV_WALK0, COV_WALK1, COV_WALK2, COV_WALK3, COV_JOIN, COV_NONE, COV_NSRC };

struct CovSample {
    int size = 0;     // rsp_size: 0 4K, 1 2M, 2 1G, 3 none
    int src = 0;      // CovSrc
    int cause = 0;    // rsp_cause 0..8 (8 = non-canonical, the #GP)
    int ad = 0;       // 1: the walk that answered made at least one A/D write
    int flush = -1;   // walks: 1 if ctl_valid && !ctl_ready in some cycle while the request was in its walk; else -1
    int busy_disp = -1; // walks: walkers not idle at the start of the dispatch cycle (0..walkers); else -1
    int busy_done = -1; // walks: walkers not idle at the start of the completion cycle; else -1
    int arr = -1;       // TLB hits (L1, STLB): the array that answered (mmu_array() id); else -1
    int piece = -1;     // TLB hits: 1 if its entry is a piece of the page (splintered), 0 the whole page; else -1
};

// One TLB array of the configuration, as far as reachability goes.
struct CovArray {
    std::string name;
    unsigned level = 0, serves = 0, sizes = 0, splinter = 0, on = 0; // on: entries > 0
    bool operator==(const CovArray &o) const
    {
        return name == o.name && level == o.level && serves == o.serves && sizes == o.sizes &&
               splinter == o.splinter && on == o.on;
    }
};

// What decides which bins are reachable: the shape of the MMU.
struct CovConfig {
    unsigned walkers = 0;
    unsigned pwc = 0;           // bit l: some page-walk cache with entries holds level l (PML4E, PDPTE, PDE)
    std::vector<CovArray> tlb;  // the TLB arrays, in configuration order
    static CovConfig from(const mmu_config_t &c);
    bool operator==(const CovConfig &o) const { return walkers == o.walkers && pwc == o.pwc && tlb == o.tlb; }
    std::string text() const;
    // [T:fill] the arrays (bit per array) that a page of size ps is filled
    // into at `level` for access kind acc, one of them per page; the entry's
    // size in *piece (ps: whole; smaller: a piece). 0 when none takes it.
    unsigned candidates(unsigned level, unsigned acc, unsigned ps, unsigned *piece) const;
    // bit s: some access kind's pages of size s are filled into the level
    unsigned level_sizes(unsigned level) const;
};

class Coverage {
  public:
    Coverage() = default;
    explicit Coverage(const CovConfig &c) : cfg_(c), have_cfg_(true) {}

    void add(const CovSample &s, uint64_t n = 1);
    void add_run(const std::string &test, uint64_t cycles)
    {
        runs_[test]++;
        cycles_ += cycles;
    }
    uint64_t responses() const { return responses_; }

    // JSON file I/O (cJSON). False with err.
    bool write(const std::string &path, std::string &err) const;
    bool load(const std::string &path, std::string &err);
    // Add another run's counts; false with err if the configurations differ.
    bool merge(const Coverage &o, std::string &err);

    // The report: crosses, histograms, unreachable bins with reasons, missed
    // reachable bins. Returns the number of reachable bins not hit.
    unsigned report(FILE *f) const;
    // One line: "coverage: H of R reachable bins hit (M missed)".
    std::string summary() const;

  private:
    using Key = std::array<int, 9>; // size, src, cause, ad, flush, busy_disp, busy_done, arr, piece
    CovConfig cfg_;
    bool have_cfg_ = false;
    std::map<Key, uint64_t> n_;
    std::map<std::string, uint64_t> runs_;
    uint64_t cycles_ = 0, responses_ = 0;
    friend struct CovReport;
};
