// tb_stim_random.cpp - constrained-random test.
//
// Setup: 1..4 address spaces with random page tables, built identically in
// both memories: user pages per process and kernel pages shared by all
// (same frames, often global), clustered in a few regions so that upper
// levels are shared and the page-walk caches hit; a mix of 4 KiB, 2 MiB and
// 1 GiB pages; random R/W, U/S, XD, G and A/D states; in every entry of every
// level, each bit that software may set without changing the translation
// (PWT, PCD, PAT, the ignored bits, the protection key: DualMem::inert_bits)
// set with probability `inert`, from a stream of its own so that the other
// choices of a seed do not depend on it (--knob inert=0: none); then edits of
// some entries: not present, reserved bits set, R/W or U/S cleared or XD set
// in non-leaf entries, A set or clear.
//
// Run: bursts of requests (back to back or sparse) with tunable locality
// (re-use of a small working set), to mapped, unmapped and non-canonical
// addresses, all access kinds, user and supervisor; now and then a control
// operation (MOV to CR3 with and without PCID / no-flush, INVLPG, INVPCID
// types 0-3, mode writes), offered with req_valid = 0 and held until
// ctl_ready. A request that is not accepted is kept or changed at random.
//
// Every choice that shapes a run (the "knobs") is drawn from the seed unless
// set with --knob NAME=VALUE; they are printed at the start.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <set>
#include <sstream>

#include "paging.h"
#include "tb_stim.h"

namespace {

struct Page {
    uint64_t va;
    unsigned ps;
};

struct Region {
    uint64_t l4, l3;
};

class RandomStim : public Stimulus {
  public:
    explicit RandomStim(const StimContext &c)
        : Stimulus(c), rng_(Rng::derive(c.seed, 1)), inert_rng_(Rng::derive(c.seed, 6)),
          sdm_rng_(Rng::derive(c.seed, 7))
    {
        choose_knobs();
    }

    std::string name() const override { return "random"; }

    std::string describe() const override
    {
        std::ostringstream s;
        s << "knobs: procs=" << nproc_ << " pcid=" << pcid_on_ << " locality=" << locality_
          << " unmapped=" << p_unmapped_ << " noncanon=" << p_noncanon_ << " req=" << p_req_burst_ << "/"
          << p_req_idle_ << " ctl=" << p_ctl_ << " user=" << p_user_ << " mix=" << mix_[0] << "," << mix_[1] << ","
          << mix_[2] << " pages=" << pages_lo_ << ".." << pages_hi_ << " edits=" << p_edit_
          << " kernel=" << p_kernel_ << " os=" << p_os_ << " early=" << early_reqs_ << " inert=" << p_inert_ << " ("
          << inert_entries_ << " entries, " << inert_set_ << " bits) same_page=" << p_same_
          << " implicit=" << p_implicit_ << " nopg1g=" << p_nopg1g_ << " swstore=" << p_swstore_
          << " mem-lat=" << ctx_.mem_lat->text;
        return s.str();
    }

    bool setup(std::string &err) override;
    void drive(uint64_t t, const mmu_out_t &o, mmu_in_t &in) override;
    bool finished() const override { return done_; }

  private:
    double knob(const char *name, double drawn)
    {
        auto it = ctx_.knobs.find(name);
        return it == ctx_.knobs.end() ? drawn : std::strtod(it->second.c_str(), nullptr);
    }
    template <class T, size_t N> T pick(const T (&v)[N]) { return v[rng_.below(N)]; }

    void choose_knobs()
    {
        static const double loc[] = {0.3, 0.7, 0.9, 0.97};
        static const double unm[] = {0.0, 0.01, 0.03, 0.1};
        static const double rb[] = {0.5, 0.9, 1.0};
        static const double ri[] = {0.0, 0.02, 0.2};
        static const double ctl[] = {0.0002, 0.001, 0.003, 0.01};
        static const double usr[] = {0.3, 0.8, 1.0};
        static const uint32_t mixes[][3] = {{70, 25, 5}, {40, 40, 20}, {20, 30, 50}, {100, 0, 0}, {0, 100, 0}};
        static const char *const lats[] = {"random", "random", "fast", "slow", "1", "uniform:1-8", "3"};
        nproc_ = (unsigned)knob("procs", (double)rng_.range(1, 4));
        if (nproc_ < 1) nproc_ = 1;
        pcid_on_ = knob("pcid", rng_.chance(0.5)) != 0;
        locality_ = knob("locality", pick(loc));
        p_unmapped_ = knob("unmapped", pick(unm));
        p_noncanon_ = knob("noncanon", 0.005);
        p_req_burst_ = knob("req", pick(rb));
        p_req_idle_ = knob("req_idle", pick(ri));
        p_ctl_ = knob("ctl", pick(ctl));
        p_user_ = knob("user", pick(usr));
        const uint32_t *m = mixes[rng_.below(5)];
        for (int i = 0; i < 3; i++)
            mix_[i] = m[i];
        pages_lo_ = (unsigned)knob("pages_lo", 8);
        static const unsigned his[] = {16, 48, 128};
        static const double eds[] = {0.0, 0.01, 0.03};
        static const double kern[] = {0.05, 0.2};
        pages_hi_ = (unsigned)knob("pages_hi", (double)pick(his));
        p_edit_ = knob("edits", pick(eds));
        p_kernel_ = knob("kernel", pick(kern));
        p_os_ = knob("os", rng_.chance(0.7) ? 0.5 : 0.0);
        early_reqs_ = (unsigned)knob("early", rng_.chance(0.2) ? (double)rng_.range(1, 6) : 0.0);
        static const double inert[] = {0.05, 0.2, 0.5};
        p_inert_ = knob("inert", inert[inert_rng_.below(3)]); // its own stream: see the top of the file
        // issue #9 (locked A/D updates, implicit accesses, no 1 GiB pages):
        // their own stream too, so the older knobs of a seed stay as they were
        static const double same[3] = {0.05, 0.2, 0.5}, impl[3] = {0.0, 0.05, 0.2}, swst[3] = {0.0, 0.002, 0.01};
        p_same_ = knob("same_page", same[sdm_rng_.below(3)]);
        p_implicit_ = knob("implicit", impl[sdm_rng_.below(3)]);
        p_nopg1g_ = knob("nopg1g", sdm_rng_.chance(0.5) ? 0.2 : 0.0);
        p_swstore_ = knob("swstore", swst[sdm_rng_.below(3)]);
        std::string e;
        if (!ctx_.mem_lat_given)
            ctx_.mem_lat->parse(lats[rng_.below(sizeof lats / sizeof lats[0])], e);
    }

    uint64_t page_bytes(unsigned ps) const { return 1ull << mmu_ps_shift(ps); }
    void add_page(std::vector<Page> &list, uint64_t root, const Region &r, bool kernel, std::vector<uint64_t> *roots);
    void edit_entries(uint64_t root, const Page &p);
    void set_inert_bits(uint64_t root, const Page &p);
    uint64_t gen_va(bool *kernel = nullptr);
    void os_activity();
    void gen_request(mmu_in_t &in);
    void gen_ctl();
    uint32_t pcid_of(unsigned p) const { return (p + 1) & 0xFFF; }
    uint64_t cur_pcid() const { return (mode_ & MMU_MODE_PCIDE) ? (cr3_ & 0xFFF) : 0; }

    Rng rng_;
    Rng inert_rng_; // the inert bits only
    Rng sdm_rng_;   // same-page requests, implicit accesses, NOPG1G, stores during walks
    double p_same_ = 0, p_implicit_ = 0, p_nopg1g_ = 0, p_swstore_ = 0;
    uint64_t last_va_ = 0;
    bool have_last_ = false;
    void store_during_walk();
    // knobs
    unsigned nproc_ = 1;
    bool pcid_on_ = false;
    double p_inert_ = 0;
    uint64_t inert_entries_ = 0, inert_set_ = 0;
    std::set<uint64_t> inert_seen_; // entries already given inert bits
    double locality_, p_unmapped_, p_noncanon_, p_req_burst_, p_req_idle_, p_ctl_, p_user_, p_edit_, p_kernel_, p_os_;
    uint32_t mix_[3];
    unsigned pages_lo_, pages_hi_, early_reqs_;
    // address spaces
    std::vector<uint64_t> roots_;
    std::vector<std::vector<Page>> user_pages_;
    std::vector<Page> kernel_pages_;
    std::vector<std::vector<Region>> user_regions_;
    std::vector<Region> kernel_regions_;
    std::deque<uint64_t> ws_; // working set (page-aligned addresses)
    std::set<uint64_t> seen_; // non-leaf entries already considered for edits
    uint32_t base_mode_ = 0;
    // driver state
    unsigned cur_ = 0;
    uint64_t cr3_ = 0;
    uint32_t mode_ = 0;
    std::deque<mmu_in_t> forced_ctl_; // control operations to offer before anything else
    bool ctl_active_ = false;
    mmu_in_t ctl_{};
    bool req_pending_ = false;
    mmu_in_t req_{};
    bool burst_ = true;
    unsigned early_left_ = 0;
    bool done_ = false;
};

void RandomStim::add_page(std::vector<Page> &list, uint64_t root, const Region &r, bool kernel,
                          std::vector<uint64_t> *roots)
{
    unsigned ps = rng_.weighted(mix_, 3);
    uint64_t l3 = r.l3, l2 = 0, l1 = 0;
    switch (ps) {
    case MMU_PS_4K:
        l3 += rng_.below(2);
        l2 = rng_.below(4);
        l1 = rng_.below(512) & ~(uint64_t)(rng_.chance(0.5) ? 0 : 0x1F0); // some clustering
        break;
    case MMU_PS_2M:
        l3 += 2 + rng_.below(2);
        l2 = rng_.below(16);
        break;
    default:
        l3 += 4 + rng_.below(8);
        break;
    }
    uint64_t va = va_of(r.l4, l3 & 511, l2, l1);
    uint64_t pa0;
    unsigned ps0;
    if (ctx_.mem->translate(root, va, pa0, ps0))
        return; // already mapped
    uint64_t pa = ctx_.mem->alloc_frame(ps);
    if (!pa)
        return;
    uint64_t f = 0;
    if (rng_.chance(0.75)) f |= PT_W;
    if (kernel ? rng_.chance(0.1) : rng_.chance(0.95)) f |= PT_U;
    if (rng_.chance(0.15)) f |= PT_NX;
    if (kernel ? rng_.chance(0.5) : rng_.chance(0.05)) f |= PT_G;
    if (rng_.chance(0.6)) {
        f |= PT_A;
        if (rng_.chance(0.5)) f |= PT_D;
    } else if (rng_.chance(0.05)) {
        f |= PT_D; // D without A
    }
    std::string err;
    bool ok = true;
    if (roots) {
        for (uint64_t rt : *roots)
            ok = ctx_.mem->map(rt, va, pa, ps, f, err) && ok;
    } else {
        ok = ctx_.mem->map(root, va, pa, ps, f, err);
    }
    if (ok)
        list.push_back(Page{va, ps});
}

void RandomStim::edit_entries(uint64_t root, const Page &p)
{
    DualMem &m = *ctx_.mem;
    unsigned leaf = p.ps == MMU_PS_4K ? 1 : p.ps == MMU_PS_2M ? 2 : 3;
    const unsigned M = m.maxphyaddr();
    for (unsigned level = 4; level >= leaf; level--) {
        uint64_t a = m.entry_addr(root, p.va, level);
        if (!a)
            return;
        uint64_t e = m.read(a);
        if (!(e & PTE_P))
            return;
        uint64_t set = 0, clr = 0;
        if (level == leaf) {
            if (rng_.chance(p_edit_)) clr |= PTE_P;
            if (rng_.chance(p_edit_)) {
                unsigned b = level == 3 ? (unsigned)rng_.range(13, 29) : level == 2 ? (unsigned)rng_.range(13, 20) : 0;
                if (!b || rng_.chance(0.5))
                    b = M < 52 ? (unsigned)rng_.range(M, 51) : 0;
                if (b) set |= 1ull << b;
            }
        } else if (seen_.insert(a).second) { // each shared entry is edited at most once
            if (rng_.chance(0.5)) set |= PTE_A;
            if (rng_.chance(p_edit_)) clr |= PTE_RW;
            if (rng_.chance(p_edit_)) clr |= PTE_US;
            if (rng_.chance(p_edit_)) set |= PTE_XD;
            if (rng_.chance(p_edit_ / 4)) set |= level == 4 && rng_.chance(0.5) ? PTE_PS : (M < 52 ? 1ull << rng_.range(M, 51) : 0);
            if (rng_.chance(p_edit_ / 4)) clr |= PTE_P;
        }
        if (set | clr)
            m.set_bits(a, set, clr);
        if (clr & PTE_P)
            return;
    }
}

// Every entry on the path of p (each entry once, shared ones too): each bit
// of DualMem::inert_bits set with probability p_inert_. Both models must
// translate exactly as without them; A/D writes must keep them.
void RandomStim::set_inert_bits(uint64_t root, const Page &p)
{
    DualMem &m = *ctx_.mem;
    unsigned leaf = p.ps == MMU_PS_4K ? 1 : p.ps == MMU_PS_2M ? 2 : 3;
    for (unsigned level = 4; level >= leaf; level--) {
        uint64_t a = m.entry_addr(root, p.va, level);
        if (!a || !(m.read(a) & PTE_P))
            return;
        if (!inert_seen_.insert(a).second)
            continue;
        uint64_t cand = DualMem::inert_bits(level, level == leaf), set = 0;
        for (unsigned b = 0; b < 64; b++)
            if ((cand >> b & 1) && inert_rng_.chance(p_inert_))
                set |= 1ull << b;
        inert_entries_++;
        inert_set_ += (uint64_t)__builtin_popcountll(set);
        if (set)
            m.set_bits(a, set);
    }
}

bool RandomStim::setup(std::string &err)
{
    (void)err;
    for (unsigned p = 0; p < nproc_; p++)
        roots_.push_back(ctx_.mem->new_root());
    user_pages_.resize(nproc_);
    user_regions_.resize(nproc_);
    // kernel regions (upper half), shared by every address space
    unsigned nk = (unsigned)rng_.range(1, 2);
    for (unsigned i = 0; i < nk; i++)
        kernel_regions_.push_back(Region{256 + rng_.below(256), rng_.below(500)});
    for (unsigned p = 0; p < nproc_; p++) {
        unsigned nr = (unsigned)rng_.range(1, 3);
        for (unsigned i = 0; i < nr; i++)
            user_regions_[p].push_back(Region{rng_.chance(0.5) ? rng_.below(4) : rng_.below(256), rng_.below(500)});
    }
    unsigned nkp = (unsigned)rng_.range(pages_lo_ / 2 + 1, pages_hi_ / 2 + 1);
    for (unsigned i = 0; i < nkp; i++)
        add_page(kernel_pages_, roots_[0], kernel_regions_[rng_.below(kernel_regions_.size())], true, &roots_);
    for (unsigned p = 0; p < nproc_; p++) {
        unsigned n = (unsigned)rng_.range(pages_lo_, pages_hi_);
        for (unsigned i = 0; i < n; i++)
            add_page(user_pages_[p], roots_[p], user_regions_[p][rng_.below(user_regions_[p].size())], false, nullptr);
    }
    if (p_inert_ > 0) {
        for (unsigned p = 0; p < nproc_; p++) {
            for (const Page &pg : user_pages_[p])
                set_inert_bits(roots_[p], pg);
            for (const Page &pg : kernel_pages_)
                set_inert_bits(roots_[p], pg);
        }
    }
    if (p_edit_ > 0) {
        for (unsigned p = 0; p < nproc_; p++) {
            for (const Page &pg : user_pages_[p])
                edit_entries(roots_[p], pg);
            for (const Page &pg : kernel_pages_)
                edit_entries(roots_[p], pg);
        }
    }
    // initial state: the RTL comes out of reset with CR3 = 0 and mode = 0;
    // set the configuration's mode and CR3 of process 0 (maybe after a few
    // requests in the reset state, which fault on empty memory)
    uint32_t mode = ctx_.cfg->mode & ~(uint32_t)MMU_MODE_PCIDE;
    if (pcid_on_)
        mode |= MMU_MODE_PCIDE;
    base_mode_ = mode;
    mmu_in_t c{};
    c.ctl_valid = true;
    c.ctl_op = MMU_CTL_MODE;
    c.ctl_data = mode;
    forced_ctl_.push_back(c);
    c.ctl_op = MMU_CTL_CR3;
    c.ctl_data = roots_[0] | (pcid_on_ ? pcid_of(0) : 0);
    forced_ctl_.push_back(c);
    early_left_ = early_reqs_;
    return true;
}

uint64_t RandomStim::gen_va(bool *kernel)
{
    bool kdummy;
    if (!kernel)
        kernel = &kdummy;
    *kernel = false;
    if (rng_.chance(p_noncanon_)) {
        uint64_t va = va_of(rng_.below(512), rng_.below(512), rng_.below(512), rng_.below(512), rng_.below(4096));
        return va ^ (1ull << rng_.range(48, 63));
    }
    if (rng_.chance(p_unmapped_)) {
        *kernel = rng_.chance(p_kernel_);
        const std::vector<Region> &rs = *kernel ? kernel_regions_ : user_regions_[cur_];
        const Region &r = rs[rng_.below(rs.size())];
        if (rng_.chance(0.1))
            return va_of(rng_.below(512), rng_.below(512), rng_.below(512), rng_.below(512), rng_.below(4096));
        return va_of(r.l4, (r.l3 + rng_.below(12)) & 511, rng_.below(512), rng_.below(512), rng_.below(4096));
    }
    uint64_t base;
    if (!ws_.empty() && rng_.chance(locality_)) {
        base = ws_[rng_.below(ws_.size())];
        *kernel = (base >> 63) != 0;
    } else {
        const std::vector<Page> &up = user_pages_[cur_];
        bool kern = kernel_pages_.size() && (up.empty() || rng_.chance(p_kernel_));
        *kernel = kern;
        const std::vector<Page> &list = kern ? kernel_pages_ : up;
        if (list.empty())
            return va_of(0, 0, 0, 0, rng_.below(4096));
        const Page &p = list[rng_.below(list.size())];
        // a 4 KiB page inside the chosen page
        base = p.va + (rng_.below(1ull << mmu_ps_shift(p.ps)) & ~0xFFFull);
        ws_.push_back(base);
        if (ws_.size() > 8)
            ws_.pop_front();
    }
    return base + rng_.below(4096);
}

void RandomStim::gen_request(mmu_in_t &in)
{
    in.req_valid = true;
    uint32_t id;
    do
        id = (uint32_t)rng_.below(65536);
    while (id_busy(id));
    in.req_id = id;
    bool kernel;
    in.req_vaddr = gen_va(&kernel);
    static const uint32_t accw[3] = {55, 30, 15};
    in.req_acc = rng_.weighted(accw, 3);
    // user code mostly touches user pages, the kernel mostly kernel pages
    in.req_user = kernel ? rng_.chance(0.05) : rng_.chance(p_user_);
    // the page of the previous request with another access kind: two walks
    // of one page in flight (they do not join), racing on its A/D bits
    if (have_last_ && sdm_rng_.chance(p_same_)) {
        in.req_vaddr = (last_va_ & ~0xFFFull) | sdm_rng_.below(4096);
        in.req_acc = (uint8_t)((in.req_acc + 1 + sdm_rng_.below(2)) % 3);
    }
    // implicit supervisor-mode accesses ([T:implicit]): mostly data, now
    // and then a fetch (the port allows it: a supervisor fetch)
    in.req_implicit = sdm_rng_.chance(p_implicit_) && (in.req_acc != MMU_ACC_EXEC || sdm_rng_.chance(0.1));
    last_va_ = in.req_vaddr;
    have_last_ = true;
}

// "Software" stores into the paging structures while walks are in flight
// (both memories alike, after this cycle's memory requests): A, D, R/W or
// P of an entry on the path of a recently used page flips. A walk that has
// read the entry and still has to update it finds it changed and restarts
// ([T:ad-check]); both models must do the same.
void RandomStim::store_during_walk()
{
    if (ws_.empty())
        return;
    DualMem &m = *ctx_.mem;
    uint64_t va = ws_[sdm_rng_.below(ws_.size())];
    unsigned level = (unsigned)sdm_rng_.range(1, 4);
    uint64_t a = m.entry_addr(roots_[cur_], va, level);
    if (!a)
        return;
    // and now and then a reserved bit (51, when MAXPHYADDR < 52): a walk that
    // restarts over it ends in a reserved-bit fault after its updates
    const uint64_t rsvd = ctx_.cfg->mmu.maxphyaddr < 52 ? 1ull << 51 : PTE_P;
    const uint64_t bits[5] = {PTE_A, PTE_D, PTE_RW, PTE_P, rsvd};
    static const uint32_t w[5] = {40, 30, 15, 10, 5};
    uint64_t b = bits[sdm_rng_.weighted(w, 5)];
    if (m.read(a) & b)
        m.set_bits(a, 0, b);
    else
        m.set_bits(a, b, 0);
}

void RandomStim::gen_ctl()
{
    mmu_in_t c{};
    c.ctl_valid = true;
    static const uint32_t opw[4] = {35, 20, 20, 25};
    unsigned k = rng_.weighted(opw, 4);
    uint64_t addr = !ws_.empty() && rng_.chance(0.8) ? ws_[rng_.below(ws_.size())] + rng_.below(4096) : gen_va();
    switch (k) {
    case 0: {
        unsigned p = (unsigned)rng_.below(nproc_);
        uint64_t v = roots_[p];
        if (mode_ & MMU_MODE_PCIDE) {
            uint64_t pcid = rng_.chance(0.85) ? pcid_of(p) : rng_.chance(0.5) ? 0 : rng_.below(4096);
            v |= pcid;
            if (rng_.chance(0.5))
                v |= 1ull << 63;
        } else if (rng_.chance(0.2)) {
            v |= rng_.below(4) << 3; // PWT, PCD
        }
        c.ctl_op = MMU_CTL_CR3;
        c.ctl_data = v;
        break;
    }
    case 1:
        c.ctl_op = MMU_CTL_INVLPG;
        c.ctl_addr = rng_.chance(0.05) ? addr ^ (1ull << 60) : addr;
        break;
    case 2:
        c.ctl_op = MMU_CTL_INVPCID;
        c.ctl_type = (uint32_t)rng_.below(4);
        c.ctl_pcid = (uint32_t)(rng_.chance(0.6) ? cur_pcid() : rng_.chance(0.8) ? pcid_of((unsigned)rng_.below(nproc_)) : rng_.below(4096));
        c.ctl_addr = addr;
        break;
    default: {
        static const uint32_t bits[7] = {MMU_MODE_WP, MMU_MODE_PCIDE, MMU_MODE_SMEP, MMU_MODE_SMAP,
                                         MMU_MODE_PGE, MMU_MODE_NXE, MMU_MODE_AC};
        static const uint32_t bw[7] = {10, 6, 15, 15, 10, 8, 20};
        // the base mode with 0..2 bits changed: excursions do not accumulate
        uint32_t m = base_mode_;
        unsigned flips = (unsigned)rng_.below(3);
        for (unsigned i = 0; i < flips; i++)
            m ^= bits[rng_.weighted(bw, 7)];
        if (sdm_rng_.chance(p_nopg1g_))
            m |= MMU_MODE_NOPG1G; // a processor without 1 GiB pages (flushes everything)
        c.ctl_op = MMU_CTL_MODE;
        c.ctl_data = m;
        break;
    }
    }
    ctl_ = c;
    ctl_active_ = true;
}

// Between requests (nothing outstanding): clear A/D bits (page aging), flip
// R/W or P of a leaf, set A in entries above; both memories alike. The MMU's
// TLBs may keep stale entries; both models must treat them alike.
void RandomStim::os_activity()
{
    DualMem &m = *ctx_.mem;
    unsigned n = (unsigned)rng_.range(1, 4);
    for (unsigned i = 0; i < n; i++) {
        bool kern = kernel_pages_.size() && (user_pages_[cur_].empty() || rng_.chance(0.2));
        const std::vector<Page> &list = kern ? kernel_pages_ : user_pages_[cur_];
        if (list.empty())
            return;
        const Page &p = list[rng_.below(list.size())];
        unsigned leaf = p.ps == MMU_PS_4K ? 1 : p.ps == MMU_PS_2M ? 2 : 3;
        for (unsigned level = 4; level >= leaf; level--) {
            uint64_t a = m.entry_addr(roots_[cur_], p.va, level);
            if (!a)
                break;
            uint64_t e = m.read(a), set = 0, clr = 0;
            if (level == leaf) {
                if (rng_.chance(0.6)) clr |= PTE_A | PTE_D;
                else if (rng_.chance(0.5)) clr |= PTE_D;
                if (rng_.chance(0.1)) (e & PTE_RW) ? clr |= PTE_RW : set |= PTE_RW;
                if (rng_.chance(0.05)) (e & PTE_P) ? clr |= PTE_P : set |= PTE_P;
            } else if (rng_.chance(0.3)) {
                clr |= PTE_A;
            }
            if (set | clr)
                m.set_bits(a, set, clr);
            if (!(e & PTE_P) || (clr & PTE_P))
                break;
        }
    }
}

void RandomStim::drive(uint64_t t, const mmu_out_t &o, mmu_in_t &in)
{
    if (done_)
        return;
    if (!ctl_active_ && t >= ctx_.cycles) {
        done_ = true;
        return;
    }
    if (!ctl_active_ && early_left_ == 0 && !forced_ctl_.empty()) {
        ctl_ = forced_ctl_.front();
        forced_ctl_.pop_front();
        ctl_active_ = true;
        req_pending_ = false;
    }
    if (!ctl_active_ && forced_ctl_.empty() && rng_.chance(p_ctl_)) {
        gen_ctl();
        req_pending_ = false;
    }
    if (ctl_active_) {
        in.ctl_valid = true;
        in.ctl_op = ctl_.ctl_op;
        in.ctl_type = ctl_.ctl_type;
        in.ctl_pcid = ctl_.ctl_pcid;
        in.ctl_data = ctl_.ctl_data;
        in.ctl_addr = ctl_.ctl_addr;
        if (o.ctl_ready) {
            ctl_active_ = false;
            // nothing is outstanding now (ctl_ready): the "OS" may edit
            // paging structures, as a kernel ages pages or changes rights
            if (rng_.chance(p_os_))
                os_activity();
            if (ctl_.ctl_op == MMU_CTL_MODE)
                mode_ = (uint32_t)ctl_.ctl_data;
            if (ctl_.ctl_op == MMU_CTL_CR3) {
                cr3_ = ctl_.ctl_data & ~(1ull << 63);
                for (unsigned p = 0; p < nproc_; p++)
                    if ((cr3_ & ~0xFFFull) == roots_[p])
                        cur_ = p;
            }
        }
        return;
    }
    if (outstanding() && sdm_rng_.chance(p_swstore_))
        store_during_walk();
    // bursts of requests separated by quieter stretches
    if (burst_ ? rng_.chance(0.02) : rng_.chance(0.05))
        burst_ = !burst_;
    if (req_pending_ && rng_.chance(0.25))
        req_pending_ = false; // withdraw (or replace) the request that was not taken
    if (!req_pending_ && rng_.chance(burst_ ? p_req_burst_ : p_req_idle_)) {
        gen_request(req_);
        req_pending_ = true;
    }
    if (req_pending_) {
        in.req_valid = true;
        in.req_id = req_.req_id;
        in.req_vaddr = req_.req_vaddr;
        in.req_acc = req_.req_acc;
        in.req_user = req_.req_user;
        in.req_implicit = req_.req_implicit;
        if (o.req_ready) {
            req_pending_ = false;
            if (early_left_)
                early_left_--;
        }
    }
}

} // namespace

std::unique_ptr<Stimulus> make_random(const StimContext &c) { return std::make_unique<RandomStim>(c); }
