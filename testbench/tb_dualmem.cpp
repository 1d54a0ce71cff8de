// tb_dualmem.cpp - see tb_dualmem.h.
#include "tb_dualmem.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "paging.h"

DualMem::DualMem(unsigned maxphyaddr, uint64_t seed) : maxphyaddr_(maxphyaddr)
{
    for (int i = 0; i < 2; i++) {
        mem_[i] = pmem_create();
        pt_[i] = mem_[i] ? pt_create(mem_[i], maxphyaddr, seed) : nullptr;
        check(pt_[i] != nullptr, "out of memory");
    }
}

DualMem::~DualMem()
{
    for (int i = 0; i < 2; i++) {
        pt_destroy(pt_[i]);
        pmem_destroy(mem_[i]);
    }
}

void DualMem::check(bool same, const char *what) const
{
    if (!same) {
        std::fprintf(stderr, "mmulockstep: internal error: page-table builders disagree (%s)\n", what);
        std::exit(3);
    }
}

uint64_t DualMem::new_root()
{
    uint64_t a = pt_new_root(pt_[0]), b = pt_new_root(pt_[1]);
    check(a == b && a != 0, "pt_new_root");
    return a;
}

uint64_t DualMem::alloc_frame(unsigned ps)
{
    uint64_t a = pt_alloc_frame(pt_[0], ps), b = pt_alloc_frame(pt_[1], ps);
    check(a == b, "pt_alloc_frame");
    return a;
}

bool DualMem::map(uint64_t cr3, uint64_t va, uint64_t pa, unsigned ps, uint64_t flags, std::string &err)
{
    char e[2][256];
    int a = pt_map(pt_[0], cr3, va, pa, ps, flags, e[0], sizeof e[0]);
    int b = pt_map(pt_[1], cr3, va, pa, ps, flags, e[1], sizeof e[1]);
    check(a == b, "pt_map");
    if (a != 0)
        err = e[1];
    return a == 0;
}

bool DualMem::demand(uint64_t cr3, uint64_t va, backing_t bk, const uint32_t mix[MMU_PS_COUNT], demand_ad_t ad,
                     bool write, unsigned &ps, std::string &err)
{
    char e[2][256];
    unsigned ps2 = 0;
    int a = pt_demand(pt_[0], cr3, va, bk, mix, ad, write, &ps2, e[0], sizeof e[0]);
    int b = pt_demand(pt_[1], cr3, va, bk, mix, ad, write, &ps, e[1], sizeof e[1]);
    check(a == b && (a != 0 || ps == ps2), "pt_demand");
    if (a != 0)
        err = e[1];
    return a == 0;
}

uint64_t DualMem::entry_addr(uint64_t cr3, uint64_t va, unsigned level) const
{
    return pt_entry_addr(pt_[1], cr3, va, level);
}

bool DualMem::translate(uint64_t cr3, uint64_t va, uint64_t &pa, unsigned &ps) const
{
    return pt_translate(pt_[1], cr3, va, &pa, &ps) != 0;
}

void DualMem::write(uint64_t pa, uint64_t v)
{
    check(pmem_write64(mem_[0], pa, v) == 0 && pmem_write64(mem_[1], pa, v) == 0, "out of memory");
}

void DualMem::mark_accessed(uint64_t cr3, uint64_t va)
{
    for (unsigned level = 4; level >= 2; level--) {
        uint64_t a = entry_addr(cr3, va, level);
        if (!a)
            break;
        uint64_t e = read(a);
        if (!(e & PTE_P) || (level < 4 && (e & PTE_PS)))
            break;
        write(a, e | PTE_A);
    }
}

uint64_t DualMem::inert_bits(unsigned level, bool leaf)
{
    const uint64_t pwt_pcd = PTE_PWT | PTE_PCD, ign_11_9 = 0xE00ull;
    const uint64_t hi_62_52 = 0x7FF0000000000000ull; // 58:52 ignored, 62:59 PK in a leaf; 62:52 ignored above
    if (!leaf)                                       // Tables 4-15, 4-17, 4-19: 6, 8, 11:9 (11:8), 62:52 ignored
        return pwt_pcd | (1ull << 6) | (1ull << 8) | ign_11_9 | hi_62_52;
    uint64_t pat = level == 1 ? (1ull << 7) : (1ull << 12); // Table 4-20 / Tables 4-16, 4-18
    return pwt_pcd | pat | ign_11_9 | hi_62_52;
}

namespace {
struct Snap {
    std::map<uint64_t, std::vector<uint64_t>> frames;
};
void snap_fn(void *ctx, uint64_t frame_pa, const uint64_t *words)
{
    static_cast<Snap *>(ctx)->frames[frame_pa].assign(words, words + 512);
}
} // namespace

uint64_t DualMem::compare(std::string &report, unsigned max_report) const
{
    Snap s[2];
    for (int i = 0; i < 2; i++)
        pmem_foreach(mem_[i], snap_fn, &s[i]);
    static const std::vector<uint64_t> zero(512, 0);
    uint64_t diffs = 0;
    char line[256];
    auto cmp = [&](uint64_t frame, const std::vector<uint64_t> &d, const std::vector<uint64_t> &r) {
        for (unsigned w = 0; w < 512; w++)
            if (d[w] != r[w]) {
                if (diffs < max_report) {
                    std::snprintf(line, sizeof line,
                                  "  memory differs at 0x%" PRIx64 ": rtl 0x%016" PRIx64 "  model 0x%016" PRIx64 "\n",
                                  frame + 8u * (uint64_t)w, d[w], r[w]);
                    report += line;
                }
                diffs++;
            }
    };
    // frames present on one side only compare against zeros (pmem reads 0 there)
    for (auto &f : s[0].frames) {
        auto it = s[1].frames.find(f.first);
        cmp(f.first, f.second, it == s[1].frames.end() ? zero : it->second);
    }
    for (auto &f : s[1].frames)
        if (!s[0].frames.count(f.first))
            cmp(f.first, zero, f.second);
    return diffs;
}
