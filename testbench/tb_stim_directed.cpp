// tb_stim_directed.cpp - directed tests: the cases of docs/timing.md section 6
// (L1 hit, STLB hit, walks of each size with and without page-walk-cache
// hits, page faults of every cause, A/D updates, two walks in flight and a
// join, a flush during a walk, hit under miss, a full request table) and the
// control operations of section 2.4.
//
// Each test is a script of steps (offer a request until accepted, offer a
// control operation until ctl_ready, idle, wait for every response, run a
// function) plus expectations on the C model's responses. Lockstep compares
// the RTL with the model in every cycle; the expectations check that the test
// really exercises its case. Latency expectations assume the diagrams'
// parameters (the tiny preset: L1_LAT 1, L2_LAT 2, PWC_LAT 1) and memory
// latency 3, the default of directed tests; with --mem-lat other than 3 only
// the other fields are checked.
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <sstream>

#include "paging.h"
#include "tb_stim.h"

namespace {

struct Exp {
    int src = -1, size = -1, fault = -1, cause = -1, err = -1, pwc = -1;
    int64_t lat = -1;
    bool has_pa = false;
    uint64_t pa = 0;
};

class ScriptStim;
using Builder = std::function<void(ScriptStim &)>;

class ScriptStim : public Stimulus {
  public:
    ScriptStim(const StimContext &c, std::string name, Builder b) : Stimulus(c), name_(std::move(name)), build_(b)
    {
        keep_records_ = true;
        std::string e;
        if (!ctx_.mem_lat_given)
            ctx_.mem_lat->parse("3", e);
        timing_ = ctx_.mem_lat->is_fixed(3) && mmu_cfg_l1_lat(&ctx_.cfg->mmu) == 1 &&
                  mmu_cfg_l2_lat(&ctx_.cfg->mmu) == 2 && mmu_cfg_pwc_lat(&ctx_.cfg->mmu) == 1;
        geometry_ = tiny_geometry(ctx_.cfg->mmu);
    }
    // The tests were written for the tiny preset's arrays, walkers and
    // request table: where a translation is found (L1, STLB, which PWC
    // level) and when the request table fills depend on them. (The arrays'
    // names do not matter.)
    static bool tiny_geometry(const mmu_config_t &c)
    {
        sim_config_t t;
        char err[200];
        if (cfg_preset(&t, "tiny", err, sizeof err) != 0)
            return false;
        auto same = [](const mmu_array_cfg_t &a, const mmu_array_cfg_t &b) {
            return a.entries == b.entries && a.ways == b.ways && a.repl == b.repl &&
                   (a.repl != MMU_REPL_RANDOM || a.lfsr_seed == b.lfsr_seed);
        };
        bool ok = c.ntlb == t.mmu.ntlb && c.npwc == t.mmu.npwc && c.walkers == t.mmu.walkers &&
                  c.outstanding == t.mmu.outstanding;
        for (unsigned i = 0; ok && i < c.ntlb; i++) {
            const mmu_tlb_cfg_t &x = c.tlb[i], &y = t.mmu.tlb[i];
            ok = same(x.a, y.a) && x.level == y.level && x.serves == y.serves && x.sizes == y.sizes &&
                 x.splinter == y.splinter;
        }
        for (unsigned i = 0; ok && i < c.npwc; i++)
            ok = same(c.pwc[i].a, t.mmu.pwc[i].a) && c.pwc[i].levels == t.mmu.pwc[i].levels;
        return ok;
    }
    std::string name() const override { return name_; }
    std::string describe() const override
    {
        return std::to_string(steps_.size()) + " steps, " + std::to_string(exp_.size()) + " expectations" +
               (timing_ ? "" : " (latencies not checked: not the diagrams' parameters)") +
               (geometry_ ? "" : " (where found not checked: not the tiny preset's arrays)");
    }
    bool setup(std::string &err) override
    {
        build_(*this);
        err = setup_err_;
        return setup_err_.empty();
    }
    void drive(uint64_t t, const mmu_out_t &o, mmu_in_t &in) override;
    bool finished() const override { return pc_ >= steps_.size(); }
    bool check(std::string &err) override;

    // ---- builder API (used by the tests below) ----
    DualMem &mem() { return *ctx_.mem; }
    uint32_t base_mode() const { return ctx_.cfg->mode & ~(uint32_t)MMU_MODE_PCIDE; }
    // A new address space; returns its root.
    uint64_t space() { return mem().new_root(); }
    // Map a page; accessed = set A in the leaf (flags) and in the entries above.
    uint64_t map(uint64_t root, uint64_t va, unsigned ps, uint64_t flags, bool accessed = true)
    {
        uint64_t pa = mem().alloc_frame(ps);
        std::string e;
        if (!pa || !mem().map(root, va, pa, ps, flags | (accessed ? PT_A : 0), e))
            setup_err_ = "map 0x" + to_hex(va) + ": " + e;
        if (accessed)
            mem().mark_accessed(root, va);
        return pa;
    }
    void req(uint32_t id, uint64_t va, unsigned acc = MMU_ACC_READ, bool user = true, bool implicit = false)
    {
        Step s;
        s.k = REQ;
        s.in.req_valid = true;
        s.in.req_id = id;
        s.in.req_vaddr = va;
        s.in.req_acc = (uint8_t)acc;
        s.in.req_user = user;
        s.in.req_implicit = implicit;
        steps_.push_back(s);
    }
    void ctl(unsigned op, uint64_t data = 0, uint64_t addr = 0, unsigned type = 0, unsigned pcid = 0)
    {
        Step s;
        s.k = CTL;
        s.in.ctl_valid = true;
        s.in.ctl_op = (uint8_t)op;
        s.in.ctl_data = data;
        s.in.ctl_addr = addr;
        s.in.ctl_type = (uint8_t)type;
        s.in.ctl_pcid = (uint16_t)pcid;
        steps_.push_back(s);
    }
    void cr3(uint64_t v) { ctl(MMU_CTL_CR3, v); }
    void mode(uint32_t m) { ctl(MMU_CTL_MODE, m); }
    void invlpg(uint64_t a) { ctl(MMU_CTL_INVLPG, 0, a); }
    void invpcid(unsigned type, unsigned pcid, uint64_t a = 0) { ctl(MMU_CTL_INVPCID, 0, a, type, pcid); }
    void idle(uint64_t n)
    {
        Step s;
        s.k = IDLE;
        s.n = n;
        steps_.push_back(s);
    }
    void drain()
    {
        Step s;
        s.k = DRAIN;
        steps_.push_back(s);
    }
    void call(std::function<void()> fn)
    {
        Step s;
        s.k = CALL;
        s.fn = std::move(fn);
        steps_.push_back(s);
    }
    // One request, then wait for its response.
    void one(uint32_t id, uint64_t va, unsigned acc, bool user, Exp e, bool implicit = false)
    {
        req(id, va, acc, user, implicit);
        drain();
        expect(id, e);
    }
    void expect(uint32_t id, Exp e) { exp_.push_back({id, e}); }
    // A check run at the end; returns an error text or "".
    // geometry: the check holds only with the tiny preset's arrays
    void final_check(std::function<std::string()> fn, bool geometry = false)
    {
        if (!geometry || geometry_)
            checks_.push_back(std::move(fn));
    }
    const RspRecord *rec(uint32_t id) const
    {
        for (const RspRecord &r : records())
            if (r.id == id)
                return &r;
        return nullptr;
    }
    bool timing() const { return timing_; }
    bool geometry() const { return geometry_; }
    static std::string to_hex(uint64_t v)
    {
        char b[24];
        std::snprintf(b, sizeof b, "%" PRIx64, v);
        return b;
    }

  private:
    enum Kind { REQ, CTL, IDLE, DRAIN, CALL };
    struct Step {
        Kind k = IDLE;
        mmu_in_t in{};
        uint64_t n = 0;
        std::function<void()> fn;
    };
    std::string name_;
    Builder build_;
    std::string setup_err_;
    bool timing_ = false;
    bool geometry_ = false;
    std::vector<Step> steps_;
    size_t pc_ = 0;
    uint64_t idle_left_ = 0;
    bool idle_started_ = false;
    std::vector<std::pair<uint32_t, Exp>> exp_;
    std::vector<std::function<std::string()>> checks_;
};

void ScriptStim::drive(uint64_t t, const mmu_out_t &o, mmu_in_t &in)
{
    (void)t;
    while (pc_ < steps_.size()) {
        Step &s = steps_[pc_];
        switch (s.k) {
        case CALL:
            s.fn();
            pc_++;
            continue;
        case DRAIN:
            if (outstanding())
                return;
            pc_++;
            continue;
        case IDLE:
            if (!idle_started_) {
                idle_started_ = true;
                idle_left_ = s.n;
            }
            if (idle_left_ == 0) {
                idle_started_ = false;
                pc_++;
                continue;
            }
            idle_left_--;
            return;
        case REQ:
            in.req_valid = true;
            in.req_id = s.in.req_id;
            in.req_vaddr = s.in.req_vaddr;
            in.req_acc = s.in.req_acc;
            in.req_user = s.in.req_user;
            in.req_implicit = s.in.req_implicit;
            if (o.req_ready)
                pc_++;
            return;
        case CTL:
            in.ctl_valid = true;
            in.ctl_op = s.in.ctl_op;
            in.ctl_type = s.in.ctl_type;
            in.ctl_pcid = s.in.ctl_pcid;
            in.ctl_data = s.in.ctl_data;
            in.ctl_addr = s.in.ctl_addr;
            if (o.ctl_ready)
                pc_++;
            return;
        }
    }
}

bool ScriptStim::check(std::string &err)
{
    std::ostringstream s;
    int bad = 0;
    for (auto &pe : exp_) {
        const RspRecord *r = rec(pe.first);
        const Exp &e = pe.second;
        if (!r) {
            s << "\n  id " << pe.first << ": no response";
            bad++;
            continue;
        }
        auto f = [&](const char *what, int64_t want, int64_t got) {
            if (want >= 0 && want != got) {
                s << "\n  id " << pe.first << " (va 0x" << to_hex(r->va) << "): " << what << " " << got
                  << ", expected " << want;
                bad++;
            }
        };
        if (geometry_)
            f("src", e.src, r->o.rsp_src);
        f("size", e.size, r->o.rsp_size);
        f("fault", e.fault, r->o.rsp_fault);
        f("cause", e.cause, r->o.rsp_cause);
        f("err", e.err, r->o.rsp_err);
        if (geometry_ && r->o.rsp_src == MMU_SRC_WALK)
            f("pwc", e.pwc, r->o.rsp_pwc);
        if (timing_)
            f("latency", e.lat, (int64_t)r->latency());
        if (e.has_pa && e.pa != r->o.rsp_paddr) {
            s << "\n  id " << pe.first << ": paddr 0x" << to_hex(r->o.rsp_paddr) << ", expected 0x" << to_hex(e.pa);
            bad++;
        }
    }
    for (auto &c : checks_) {
        std::string m = c();
        if (!m.empty()) {
            s << "\n  " << m;
            bad++;
        }
    }
    err = s.str();
    return bad == 0;
}

// ------------------------------------------------------------------ helpers

constexpr uint64_t UW = PT_U | PT_W | PT_D; // user, writable, dirty (A added by map)
constexpr unsigned R = MMU_ACC_READ, W = MMU_ACC_WRITE, X = MMU_ACC_EXEC;

Exp walk(unsigned size, int pwc, int64_t lat, uint64_t pa = 0, bool has_pa = false)
{
    Exp e;
    e.src = MMU_SRC_WALK, e.size = (int)size, e.pwc = pwc, e.lat = lat, e.fault = 0, e.cause = 0;
    e.pa = pa, e.has_pa = has_pa;
    return e;
}
Exp hit(unsigned src, int64_t lat, uint64_t pa = 0, bool has_pa = false)
{
    Exp e;
    e.src = (int)src, e.lat = lat, e.fault = 0, e.pa = pa, e.has_pa = has_pa;
    return e;
}
Exp pf(unsigned cause, unsigned err, int size, int64_t lat = -1)
{
    Exp e;
    e.src = MMU_SRC_WALK, e.fault = MMU_FAULT_PF, e.cause = (int)cause, e.err = (int)err, e.size = size, e.lat = lat;
    return e;
}
Exp src_only(unsigned src)
{
    Exp e;
    e.src = (int)src;
    return e;
}

// Set up mode and CR3 (the RTL leaves reset with CR3 = 0, mode = 0).
void start(ScriptStim &s, uint64_t root, uint32_t mode, uint64_t cr3_low = 0)
{
    s.mode(mode);
    s.cr3(root | cr3_low);
}

// ------------------------------------------------------------------ tests
//
// The tiny preset's organisation (model/mmu_config.c preset_tiny), from
// which the tests' expectations are derived by hand with docs/timing.md
// [T:lookup], [T:fill], [T:inval-va] (page number PN = VA[47:12]):
//   level 1: itlb    fetch        4K     4 entries, 2 ways (2 sets), LRU
//            itlb2m  fetch        2M     2, 2 (1 set), PLRU, splinter
//            dtlb    load, store  4K     8, 4 (2 sets: PN & 1), PLRU
//            dtlbbig load         2M 1G  4, 2 (2 sets), LFSR
//            sdtlb   store        2M 1G  3, 3 (1 set), LRU
//   level 2: stlb    all kinds    4K 2M  16, 4 (4 sets), LRU, splinter
//            stlb1g  load, store  4K 1G  8, 2 (4 sets), PLRU
//   PWCs:    pdc     PML4E PDPTE  4, 2 (2 sets: tag & 1), PLRU
//            pde     PDE          4, 2 (2 sets), LFSR
// So a walk fills: level 2 - a fetch: stlb (4K, 2M whole; 1G as the 2M
// piece that contains VA: nothing at level 2 serving fetches holds 1G); a
// load or store: 4K into stlb or stlb1g, both hold 4K: candidate
// (PN >> log2(4 sets of stlb)) mod 2, i.e. stlb if PN bit 2 is 0, else
// stlb1g; 2M into stlb, 1G into stlb1g. Level 1 - a fetch: 4K itlb, 2M
// itlb2m, 1G as a 2M piece in itlb2m; a load: 4K dtlb, 2M and 1G dtlbbig; a
// store: 4K dtlb, 2M and 1G sdtlb. A level-2 hit is refilled into level 1
// by the same rule for the request's access kind. A load's level-1 lookup
// sees dtlb and dtlbbig, a store's dtlb and sdtlb, a fetch's itlb and
// itlb2m; at level 2 a fetch sees stlb only.

void t_l1_hit(ScriptStim &s) // 6.1
{
    uint64_t rt = s.space(), P = va_of(1, 2, 3, 4);
    uint64_t pa = s.map(rt, P, MMU_PS_4K, UW);
    start(s, rt, s.base_mode());
    s.one(1, P + 0x10, R, true, walk(MMU_PS_4K, 0, 20, pa + 0x10, true));
    s.one(2, P + 0x20, R, true, hit(MMU_SRC_L1, 1, pa + 0x20, true));
    s.one(3, P + 0x30, W, true, hit(MMU_SRC_L1, 1, pa + 0x30, true));
    // back to back: three hits answered in three consecutive cycles
    s.req(4, P);
    s.req(5, P + 8);
    s.req(6, P + 16, W);
    s.drain();
    for (uint32_t id = 4; id <= 6; id++)
        s.expect(id, hit(MMU_SRC_L1, 1));
}

// P (PN ...4) is fetched: the walk fills itlb and, at level 2, stlb (a
// fetch's only level-2 array). A read of P misses dtlb and dtlbbig and hits
// stlb (3 cycles), which refills dtlb; the next read hits dtlb. Four more
// even pages (PN 6, 8, 10, 12: dtlb set 0, like P) are PDE-cache-hit walks
// (8 cycles: the pde cache kept (1,2,3) since the first walk, and walks
// that read only the PTE fill no PWC entry); their dtlb fills go to the
// free ways 1, 2, 3 and then to the tree-PLRU victim: after the fills of
// ways 0 (P, touched again by the hit), 1, 2, 3 the bits are [0 0 0], so
// PN 12 evicts way 0, P. (Their level-2 fills: PN 8, 10 into stlb sets 0
// and 2, PN 6, 12 into stlb1g: stlb set 0 holds P and PN 8, no eviction.)
// The last read of P misses dtlb and hits stlb: 3 cycles.
void t_stlb_hit(ScriptStim &s) // 6.2
{
    uint64_t rt = s.space(), P = va_of(1, 2, 3, 4);
    uint64_t pa = s.map(rt, P, MMU_PS_4K, UW);
    for (unsigned k = 1; k <= 4; k++)
        s.map(rt, va_of(1, 2, 3, 4 + 2 * k), MMU_PS_4K, UW);
    start(s, rt, s.base_mode());
    s.one(1, P, X, true, walk(MMU_PS_4K, 0, 20)); // fills the ITLB and the STLB
    s.one(2, P + 8, R, true, hit(MMU_SRC_STLB, 3, pa + 8, true)); // DTLB miss, STLB hit, DTLB refill
    s.one(3, P + 16, R, true, hit(MMU_SRC_L1, 1));
    // four more pages in P's DTLB set (2 sets, 4 ways) evict P from the DTLB
    for (unsigned k = 1; k <= 4; k++)
        s.one(10 + k, va_of(1, 2, 3, 4 + 2 * k), R, true, walk(MMU_PS_4K, 3, 8));
    s.one(20, P, R, true, hit(MMU_SRC_STLB, 3, pa, true));
}

// PWC contents (pdc: PML4E tag VA[47:39], PDPTE tag VA[47:30], set = tag
// & 1, two ways; pde: PDE tag VA[47:21], set = tag & 1): A's cold walk
// fills PML4E 1 (pdc set 1), PDPTE (1,2) (pdc set 0), PDE (1,2,3) (pde set
// 1). B (1,2,3,5): PDE hit, deepest: 1 read, 8 cycles. C (1,2,4,0): PDE
// (1,2,4) misses, PDPTE (1,2) hits: 2 reads, 12. D (1,3,0,0): PDPTE (1,3)
// (tag 515, set 1) misses, PML4E 1 hits: 3 reads, 16. E (2,0,0,0): no entry
// of PML4 slot 2: 20. K (300,...): none: 20.
void t_walk_4k(ScriptStim &s) // 6.3
{
    uint64_t rt = s.space();
    uint64_t A = va_of(1, 2, 3, 4), B = va_of(1, 2, 3, 5), C = va_of(1, 2, 4, 0), D = va_of(1, 3, 0, 0),
             E = va_of(2, 0, 0, 0), K = va_of(300, 1, 2, 3);
    uint64_t pa = s.map(rt, A, MMU_PS_4K, UW);
    for (uint64_t v : {B, C, D, E})
        s.map(rt, v, MMU_PS_4K, UW);
    uint64_t pk = s.map(rt, K, MMU_PS_4K, PT_W); // supervisor, upper half
    start(s, rt, s.base_mode());
    s.one(1, A + 0x123, R, true, walk(MMU_PS_4K, 0, 20, pa + 0x123, true));
    s.one(2, B, R, true, walk(MMU_PS_4K, 3, 8));  // PDE-cache hit
    s.one(3, C, R, true, walk(MMU_PS_4K, 2, 12)); // PDPTE-cache hit
    s.one(4, D, R, true, walk(MMU_PS_4K, 1, 16)); // PML4E-cache hit
    s.one(5, E, W, true, walk(MMU_PS_4K, 0, 20)); // another PML4 entry
    s.one(6, K + 0xFF8, R, false, walk(MMU_PS_4K, 0, 20, pk + 0xFF8, true));
}

// A (1,2,3,0), B (1,2,5,0), C (1,4,0,0): 2 MiB pages. A's cold walk reads
// PML4E, PDPTE, PDE (the leaf, never cached): 16 cycles, and fills PML4E 1
// (pdc set 1), PDPTE (1,2) (pdc set 0), A into stlb (level 2: loads' 2M
// array; tag VA[47:21] & 3 = set 3) and dtlbbig (level 1: loads' 2M array,
// set 1). B: PDPTE (1,2) hit: 1 read, 8. C: PDPTE (1,4) (tag 516, pdc set 0)
// misses, PML4E 1 hits: 2 reads, 12. (dtlbbig: A, B in set 1, C in set 0,
// two ways each: nothing evicted, no LFSR step.) A read of A hits dtlbbig:
// 1 cycle. A write of A: a store's level-1 arrays are dtlb (4K) and sdtlb
// (2M, 1G), and no store filled sdtlb yet: a miss, then stlb (serves
// stores, holds A): 3 cycles, refilled into sdtlb; the next write hits
// sdtlb: 1. A fetch: itlb, itlb2m empty, stlb hit: 3, refilled into itlb2m;
// the next fetch hits itlb2m: 1.
void t_walk_2m(ScriptStim &s) // 6.4
{
    uint64_t rt = s.space();
    uint64_t A = va_of(1, 2, 3, 0), B = va_of(1, 2, 5, 0), C = va_of(1, 4, 0, 0);
    uint64_t pa = s.map(rt, A, MMU_PS_2M, UW);
    s.map(rt, B, MMU_PS_2M, UW);
    s.map(rt, C, MMU_PS_2M, UW);
    start(s, rt, s.base_mode());
    s.one(1, A + 0x1ABCDE, R, true, walk(MMU_PS_2M, 0, 16, pa + 0x1ABCDE, true));
    s.one(2, B, R, true, walk(MMU_PS_2M, 2, 8));  // PDPTE-cache hit
    s.one(3, C, R, true, walk(MMU_PS_2M, 1, 12)); // PML4E-cache hit
    s.one(4, A + 0x54321, R, true, hit(MMU_SRC_L1, 1, pa + 0x54321, true));     // dtlbbig
    s.one(5, A + 0x12345, W, true, hit(MMU_SRC_STLB, 3, pa + 0x12345, true));   // sdtlb empty: stlb
    s.one(6, A + 0x1FFFF8, W, true, hit(MMU_SRC_L1, 1, pa + 0x1FFFF8, true));   // sdtlb, refilled by 5
    s.one(7, A + 0x1000, X, true, hit(MMU_SRC_STLB, 3, pa + 0x1000, true));     // itlb2m empty: stlb
    s.one(8, A + 0x2000, X, true, hit(MMU_SRC_L1, 1, pa + 0x2000, true));       // itlb2m, refilled by 7
}

// A (1,2,0,0), B (1,5,0,0): 1 GiB pages. A's cold walk: PML4E, PDPTE (the
// leaf): 12 cycles; fills PML4E 1 (pdc), A into stlb1g (level 2: loads' 1G
// array) and dtlbbig (set 514 & 1 = 0). B: PML4E hit, 1 read: 8; dtlbbig
// set 1. A read of A hits dtlbbig: 1. A write: sdtlb empty, stlb1g (serves
// stores) hit: 3, refilled into sdtlb; the next write: sdtlb, 1. A fetch of
// B: no array a fetch looks up holds B (stlb1g serves no fetch): a walk
// from the PML4E-cache hit, 8 (its fills are 2M pieces: the splinter test).
void t_walk_1g(ScriptStim &s) // 6.5
{
    uint64_t rt = s.space();
    uint64_t A = va_of(1, 2, 0, 0), B = va_of(1, 5, 0, 0);
    uint64_t pa = s.map(rt, A, MMU_PS_1G, UW);
    uint64_t pb = s.map(rt, B, MMU_PS_1G, UW);
    start(s, rt, s.base_mode());
    s.one(1, A + 0x2345678, R, true, walk(MMU_PS_1G, 0, 12, pa + 0x2345678, true));
    s.one(2, B, R, true, walk(MMU_PS_1G, 1, 8)); // PML4E-cache hit
    s.one(3, A + 0x3FFFFFF8, R, true, hit(MMU_SRC_L1, 1, pa + 0x3FFFFFF8, true));   // dtlbbig
    s.one(4, A + 0x3FFFFFF0, W, true, hit(MMU_SRC_STLB, 3, pa + 0x3FFFFFF0, true)); // sdtlb empty: stlb1g
    s.one(5, A + 0x8, W, true, hit(MMU_SRC_L1, 1, pa + 0x8, true));                 // sdtlb, refilled by 4
    s.one(6, B + 0x40000, X, true, walk(MMU_PS_1G, 1, 8, pb + 0x40000, true));      // no fetch array has B
}

void t_page_fault(ScriptStim &s) // 6.6 and every fault cause of 5.3
{
    uint64_t rt = s.space();
    uint64_t A = va_of(1, 2, 3, 4), RO = va_of(1, 2, 3, 7), SUP = va_of(1, 2, 3, 8), NX = va_of(1, 2, 3, 9),
             RS = va_of(1, 2, 3, 10);
    s.map(rt, A, MMU_PS_4K, UW);
    s.map(rt, RO, MMU_PS_4K, PT_U);
    s.map(rt, SUP, MMU_PS_4K, PT_W);
    s.map(rt, NX, MMU_PS_4K, UW | PT_NX);
    s.map(rt, RS, MMU_PS_4K, UW);
    uint64_t rs_pte = s.mem().entry_addr(rt, RS, 1);
    s.mem().set_bits(rs_pte, 1ull << 51); // reserved (MAXPHYADDR 46)
    const uint32_t m = s.base_mode() | MMU_MODE_NXE | MMU_MODE_WP;
    start(s, rt, m);
    // not-present PML4E: rd PML4E in 4, answer in 8
    s.one(1, va_of(5, 0, 0, 0), R, true, pf(MMU_CAUSE_NOT_PRESENT, MMU_PFEC_US, MMU_PS_NONE, 8));
    // not-present PTE, cold walk: 4 reads, answer in 20
    s.one(2, va_of(1, 2, 3, 6), W, true,
          pf(MMU_CAUSE_NOT_PRESENT, MMU_PFEC_WR | MMU_PFEC_US, MMU_PS_NONE, 20));
    s.one(3, RO, W, true, pf(MMU_CAUSE_WRITE, MMU_PFEC_P | MMU_PFEC_WR | MMU_PFEC_US, MMU_PS_4K));
    s.one(4, SUP, R, true, pf(MMU_CAUSE_USER, MMU_PFEC_P | MMU_PFEC_US, MMU_PS_4K));
    s.one(5, NX, X, true, pf(MMU_CAUSE_NX, MMU_PFEC_P | MMU_PFEC_US | MMU_PFEC_ID, MMU_PS_4K));
    s.one(6, RS, R, true, pf(MMU_CAUSE_RSVD, MMU_PFEC_P | MMU_PFEC_RSVD | MMU_PFEC_US, MMU_PS_NONE));
    // non-canonical: #GP from the L1 lookup, one cycle
    {
        Exp e;
        e.src = MMU_SRC_NONE, e.fault = MMU_FAULT_GP, e.cause = MMU_CAUSE_NONCANON, e.err = 0,
        e.size = MMU_PS_NONE, e.lat = 1, e.has_pa = true, e.pa = 0;
        s.one(7, 0x0000800000000000ull, R, true, e);
    }
    s.one(8, A, R, true, walk(MMU_PS_4K, -1, -1));
    // supervisor accesses: SMEP, SMAP, WP
    s.mode(m | MMU_MODE_SMEP | MMU_MODE_SMAP);
    s.one(9, A, X, false, pf(MMU_CAUSE_SMEP, MMU_PFEC_P | MMU_PFEC_ID, MMU_PS_4K));
    s.one(10, A, R, false, pf(MMU_CAUSE_SMAP, MMU_PFEC_P, MMU_PS_4K));
    s.mode(m | MMU_MODE_SMEP | MMU_MODE_SMAP | MMU_MODE_AC);
    s.one(11, A, R, false, walk(MMU_PS_4K, -1, -1)); // AC = 1 allows it
    s.one(12, SUP + 8, W, false, walk(MMU_PS_4K, -1, -1));
    // supervisor write to a read-only page with CR0.WP = 1
    s.one(13, RO, W, false, pf(MMU_CAUSE_WRITE, MMU_PFEC_P | MMU_PFEC_WR, MMU_PS_4K));
    s.mode(m & ~MMU_MODE_WP);
    s.one(14, RO + 16, W, false, walk(MMU_PS_4K, -1, -1)); // CR0.WP = 0: allowed
    // IA32_EFER.NXE = 0: XD is a reserved bit
    s.mode(m & ~MMU_MODE_NXE);
    s.one(15, NX, R, true, pf(MMU_CAUSE_RSVD, MMU_PFEC_P | MMU_PFEC_RSVD | MMU_PFEC_US, MMU_PS_NONE));
}

void t_ad_update(ScriptStim &s) // 6.7 and 5.5
{
    uint64_t rt = s.space(), A = va_of(1, 2, 3, 4), B = va_of(1, 2, 3, 5);
    s.map(rt, A, MMU_PS_4K, PT_U | PT_W, false); // fresh tables: A = 0 everywhere
    s.map(rt, B, MMU_PS_4K, PT_U | PT_W, false);
    start(s, rt, s.base_mode());
    // latency 4 + 4 * (reads + locked updates), memory latency 3 (6.7)
    s.one(1, A, R, true, walk(MMU_PS_4K, 0, 36)); // 4 reads, 4 A updates
    s.one(2, A, W, true, walk(MMU_PS_4K, 3, 12)); // soft miss (D = 0): PTE read, D update
    s.one(3, B, W, true, walk(MMU_PS_4K, 3, 12)); // PTE read, one A|D update
    s.one(4, B, W, true, hit(MMU_SRC_L1, 1));
    DualMem *mem = &s.mem();
    s.final_check([mem, rt, A, B]() -> std::string {
        for (unsigned level = 4; level >= 1; level--) {
            uint64_t e = mem->read(mem->entry_addr(rt, A, level));
            uint64_t want = PTE_A | (level == 1 ? PTE_D : 0);
            if ((e & (PTE_A | PTE_D)) != want)
                return "A/D bits of the level-" + std::to_string(level) + " entry of A: 0x" + ScriptStim::to_hex(e);
        }
        uint64_t e = mem->read(mem->entry_addr(rt, B, 1));
        if ((e & (PTE_A | PTE_D)) != (PTE_A | PTE_D))
            return "A/D bits of B's PTE: 0x" + ScriptStim::to_hex(e);
        return "";
    });
}

void t_two_walks(ScriptStim &s) // 6.8
{
    uint64_t rt = s.space(), P = va_of(1, 2, 3, 4), Q = va_of(2, 5, 6, 7);
    s.map(rt, P, MMU_PS_4K, UW);
    s.map(rt, Q, MMU_PS_4K, UW);
    start(s, rt, s.base_mode());
    s.req(1, P);      // A, walker 0
    s.req(2, Q);      // B, walker 1
    s.req(3, P + 64); // C joins A's walk
    s.drain();
    s.expect(1, walk(MMU_PS_4K, 0, 20));
    s.expect(2, walk(MMU_PS_4K, 0, 20));
    s.expect(3, walk(MMU_PS_4K, 0, 20));
    ScriptStim *sp = &s;
    s.final_check([sp]() -> std::string {
        const RspRecord *a = sp->rec(1), *b = sp->rec(2), *c = sp->rec(3);
        if (!a || !b || !c || !sp->timing())
            return "";
        if (!(a->t_rsp < b->t_rsp && b->t_rsp + 1 == c->t_rsp))
            return "responses not in the order A, B, C (B older than C, one per cycle)";
        return "";
    });
    // a request for the same page with another access kind does not join
    uint64_t R2 = va_of(2, 5, 6, 9);
    s.map(rt, R2, MMU_PS_4K, UW);
    s.req(4, R2);
    s.req(5, R2 + 8, W);
    s.drain();
    s.expect(4, walk(MMU_PS_4K, 3, 8));
    s.expect(5, src_only(MMU_SRC_WALK));
}

void t_flush_walk(ScriptStim &s) // 6.9
{
    uint64_t rt = s.space(), P = va_of(1, 2, 3, 4), Q = va_of(1, 2, 3, 5);
    s.map(rt, P, MMU_PS_4K, UW);
    s.map(rt, Q, MMU_PS_4K, UW);
    start(s, rt, s.base_mode());
    s.req(1, P);
    s.idle(1);
    s.invlpg(P); // offered in cycle c+2, waits for the walk
    s.one(2, P, R, true, walk(MMU_PS_4K, 0, 20)); // INVLPG dropped P and the PWC entries
    s.req(3, Q);
    s.idle(3);
    s.cr3(rt); // MOV to CR3 during a walk: waits too, then flushes
    s.one(4, Q, R, true, walk(MMU_PS_4K, 0, 20));
    s.expect(1, walk(MMU_PS_4K, 0, 20));
    s.expect(3, walk(MMU_PS_4K, 3, 8));
    ScriptStim *sp = &s;
    s.final_check([sp]() -> std::string {
        const auto &ct = sp->ctl_cycles(); // 0 mode, 1 cr3, 2 invlpg, 3 cr3
        const RspRecord *a = sp->rec(1), *q = sp->rec(3), *b = sp->rec(2);
        if (ct.size() != 4 || !a || !q || !b)
            return "missing control handshakes or responses";
        if (ct[2] != a->t_rsp + 1)
            return "INVLPG accepted in cycle " + std::to_string(ct[2]) + ", expected the cycle after A's response (" +
                   std::to_string(a->t_rsp + 1) + ")";
        if (b->t_acc != ct[2] + 1)
            return "request after the INVLPG accepted in " + std::to_string(b->t_acc) + ", expected " +
                   std::to_string(ct[2] + 1);
        if (ct[3] != q->t_rsp + 1)
            return "MOV to CR3 accepted in cycle " + std::to_string(ct[3]) + ", expected " +
                   std::to_string(q->t_rsp + 1);
        return "";
    });
}

void t_ctl_ops(ScriptStim &s) // 2.4: PCIDs, global pages, INVLPG, INVPCID 0-3, mode writes
{
    uint64_t rt = s.space(), P = va_of(1, 2, 3, 4), K = va_of(400, 2, 3, 4);
    s.map(rt, P, MMU_PS_4K, UW);
    s.map(rt, K, MMU_PS_4K, PT_W | PT_G | PT_D);
    const uint32_t m = s.base_mode() | MMU_MODE_PGE | MMU_MODE_PCIDE;
    start(s, rt, m, 1);
    const unsigned L1 = MMU_SRC_L1, WK = MMU_SRC_WALK;
    uint32_t id = 1;
    auto acc = [&](uint64_t va, bool user, unsigned src) { s.one(id++, va, R, user, src_only(src)); };
    acc(P, true, WK);
    acc(K, false, WK);
    acc(P, true, L1);
    s.cr3(rt | 2); // PCID 2, flush PCID 2
    acc(P, true, WK);
    acc(K, false, L1); // global
    s.cr3(rt | 1 | (1ull << 63)); // back to PCID 1, no flush
    acc(P, true, L1);
    s.cr3(rt | 1); // flush PCID 1 except global
    acc(P, true, WK);
    acc(K, false, L1);
    s.invlpg(P);
    acc(P, true, WK);
    s.invlpg(K); // global entries for the page go too
    acc(K, false, WK);
    s.invpcid(0, 1, P);
    acc(P, true, WK);
    s.invpcid(0, 2, P); // another PCID: P of PCID 1 stays
    acc(P, true, L1);
    s.invpcid(1, 1);
    acc(P, true, WK);
    acc(K, false, L1);
    s.invpcid(3, 0);
    acc(P, true, WK);
    acc(K, false, L1);
    s.invpcid(2, 0);
    acc(K, false, WK);
    acc(P, true, WK);
    s.mode(m & ~MMU_MODE_PGE); // PGE change: flush all
    acc(K, false, WK);
    acc(K, false, L1);
    s.mode(m);
    acc(K, false, WK);
    acc(P, true, WK);
    s.mode(m | MMU_MODE_SMEP); // SMEP 0 -> 1: flush current PCID
    acc(P, true, WK);
    s.mode(m | MMU_MODE_SMEP | MMU_MODE_SMAP | MMU_MODE_AC); // no flush
    acc(P, true, L1);
    s.mode(s.base_mode() | MMU_MODE_PGE); // PCIDE 1 -> 0: flush all
    acc(K, false, WK);
    s.cr3(rt);
    acc(K, false, L1); // still global
    acc(P, true, WK);
    s.invlpg(0x8000000000000000ull); // non-canonical: no-op
    acc(P, true, L1);
}

void t_hit_under_miss(ScriptStim &s) // 6.10
{
    uint64_t rt = s.space(), A = va_of(1, 2, 3, 4), H = va_of(3, 2, 1, 0);
    s.map(rt, A, MMU_PS_4K, UW);
    s.map(rt, H, MMU_PS_4K, UW);
    start(s, rt, s.base_mode());
    s.one(1, H, R, true, walk(MMU_PS_4K, 0, 20));
    s.req(2, A);
    s.req(3, H + 8);
    s.req(4, H + 16, W);
    s.drain();
    s.expect(2, walk(MMU_PS_4K, 0, 20));
    s.expect(3, hit(MMU_SRC_L1, 1));
    s.expect(4, hit(MMU_SRC_L1, 1));
}

void t_full(ScriptStim &s) // request table full: req_ready = 0; the miss queue waits for walkers
{
    uint64_t rt = s.space();
    start(s, rt, s.base_mode());
    for (uint32_t i = 0; i < 12; i++) {
        uint64_t va = va_of(1, 2, 3, 16 * i);
        s.map(rt, va, MMU_PS_4K, UW);
        s.req(100 + i, va, i % 3 == 2 ? W : R);
    }
    s.drain();
    for (uint32_t i = 0; i < 12; i++)
        s.expect(100 + i, src_only(MMU_SRC_WALK));
    ScriptStim *sp = &s;
    s.final_check([sp]() -> std::string {
        return sp->stats().offered_not_ready ? "" : "req_ready never went to 0";
    }, true); // 12 requests fill tiny's 8-entry table
}

void t_port_conflict(ScriptStim &s) // 2.3 / [T:memory port]: two walkers want the port in one cycle
{
    uint64_t rt = s.space(), P = va_of(1, 2, 3, 4), Q = va_of(2, 5, 6, 7);
    s.map(rt, P, MMU_PS_4K, UW);
    s.map(rt, Q, MMU_PS_4K, UW);
    start(s, rt, s.base_mode());
    // A reads in c+4, c+8, ...; B, accepted in c+4, wants the port in c+8 too:
    // rr (1 after A's first grant) gives it to walker 1, A asks again in c+9
    s.req(1, P);
    s.idle(3);
    s.req(2, Q);
    s.drain();
    s.expect(1, walk(MMU_PS_4K, 0, 21));
    s.expect(2, walk(MMU_PS_4K, 0, 20));
}

// The A/D bits of the entries on va's path, as a check: want[level] (1..4).
std::string ad_check(DualMem *mem, uint64_t rt, uint64_t va, const char *what, const uint64_t want[5])
{
    for (unsigned level = 4; level >= 1; level--) {
        uint64_t e = mem->read(mem->entry_addr(rt, va, level));
        if ((e & (PTE_A | PTE_D)) != want[level])
            return std::string(what) + ": A/D of the level-" + std::to_string(level) + " entry is 0x" +
                   ScriptStim::to_hex(e & (PTE_A | PTE_D)) + ", expected 0x" + ScriptStim::to_hex(want[level]);
    }
    return "";
}

// Issue #9's repro with the TLBs on: a write W and a read R of one page of
// fresh tables (A = D = 0 everywhere), accepted back to back. R has another
// access kind, so it does not join W: walker 1 walks the same page while
// walker 0 does. W reads in c+4, 8, 12, 16 (PTE back in c+19), R in c+5, 9,
// 13, 17 (back in c+20). W's locked updates: c+20 (PML4E|A), 24, 28, 32
// (PTE|A|D); R's, one cycle behind each (walker 0 waits for its answer and
// does not want the port): c+21, 25, 29, 33 (PTE|A). Each answers 3 cycles
// later; W completes at c+35 (latency 36), R at c+36 (latency 36 from c+1).
// R's PTE update carries wdata = PTE|A but finds PTE|A|D: the memory ORs A
// in and D stays. With posted plain writes R would have cleared D.
void t_ad_race(ScriptStim &s) // 6.11
{
    uint64_t rt = s.space(), P = va_of(3, 4, 5, 6);
    s.map(rt, P, MMU_PS_4K, PT_U | PT_W, false);
    start(s, rt, s.base_mode());
    s.req(1, P, W);
    s.req(2, P + 8, R);
    s.drain();
    s.expect(1, walk(MMU_PS_4K, 0, 36));
    s.expect(2, walk(MMU_PS_4K, 0, 36));
    DualMem *mem = &s.mem();
    s.final_check([mem, rt, P]() -> std::string {
        const uint64_t want[5] = {0, PTE_A | PTE_D, PTE_A, PTE_A, PTE_A};
        return ad_check(mem, rt, P, "after the race", want);
    });
}

// [T:ad-check]: the entry changes between the walk's read and its locked
// update (a test's memory side, playing software). Every entry has A = 1
// except the PTE. The walk reads the PTE in c+16 (back in c+19) and issues
// its update in c+20; the test rewrites the PTE in c+18 (both memories).
//  - P cleared: the update finds another value, writes nothing, the walk
//    restarts at the PML4E (no PWC lookup): reads c+24, 28, 32, 36, the PTE
//    is not present: #PF in c+40, pwc 0, the PTE keeps A = 0.
//  - the frame changed (P kept): restart, the new PTE is read in c+36 (back
//    in c+39), needs A: update c+40, back c+43, answer c+44 with the new
//    frame; the PTE ends with A.
//  - only D set by "software": the update still applies (A ORed in), no
//    restart: answer in c+24 like any 1-update walk.
// The stores land in the intended window only with the diagrams' memory
// latency; with another latency the test still runs in lockstep but checks
// no expectation (the walk is elsewhere when the store lands).
void t_ad_restart(ScriptStim &s) // 6.12
{
    uint64_t rt = s.space(), P = va_of(3, 4, 5, 6), Q = va_of(6, 4, 5, 6), D = va_of(9, 4, 5, 6);
    DualMem *mem = &s.mem();
    uint64_t pages[3] = {P, Q, D};
    for (uint64_t va : pages) {
        s.map(rt, va, MMU_PS_4K, PT_U | PT_W);
        uint64_t a = mem->entry_addr(rt, va, 1);
        mem->write(a, mem->read(a) & ~(PTE_A | PTE_D));
    }
    const uint64_t newframe = mem->alloc_frame(MMU_PS_4K);
    start(s, rt, s.base_mode());
    uint64_t pa_p = mem->entry_addr(rt, P, 1), pa_q = mem->entry_addr(rt, Q, 1), pa_d = mem->entry_addr(rt, D, 1);
    const uint64_t pte_p = mem->read(pa_p), pte_q = mem->read(pa_q), pte_d = mem->read(pa_d);
    // P: cleared P
    s.req(1, P + 0x10, R);
    s.idle(17);
    s.call([mem, pa_p, pte_p]() { mem->write(pa_p, pte_p & ~PTE_P); });
    s.drain();
    const bool exact = s.timing();
    if (exact)
        s.expect(1, pf(MMU_CAUSE_NOT_PRESENT, MMU_PFEC_US, MMU_PS_NONE, 40));
    // Q: another frame
    s.req(2, Q + 0x20, R);
    s.idle(17);
    s.call([mem, pa_q, pte_q, newframe]() { mem->write(pa_q, (pte_q & ~0x000FFFFFFFFFF000ull) | newframe); });
    s.drain();
    if (exact)
        s.expect(2, walk(MMU_PS_4K, 0, 44, newframe | 0x20, true));
    // D: software set D only
    s.req(3, D + 0x30, R);
    s.idle(17);
    s.call([mem, pa_d, pte_d]() { mem->write(pa_d, pte_d | PTE_D); });
    s.drain();
    if (!exact) {
        // Another organisation's latencies put the locked update elsewhere
        // than 17 cycles after the request: edit after every delay from 4
        // to 63 cycles (a fresh page each time: one of the delays lands
        // between the locked read and its write, where the walk must
        // restart; RTL and model are compared every cycle).
        for (uint64_t k = 0; k < 60; k++) {
            const uint64_t V = va_of(12, 4, 5, k);
            s.map(rt, V, MMU_PS_4K, PT_U | PT_W);
            const uint64_t a = mem->entry_addr(rt, V, 1);
            mem->write(a, mem->read(a) & ~(PTE_A | PTE_D));
            s.req((uint16_t)(10 + k), V + 0x40, (k & 1) ? W : R);
            s.idle((unsigned)(4 + k));
            s.call([mem, a]() { mem->write(a, mem->read(a) & ~PTE_P); });
            s.drain();
        }
        return;
    }
    s.expect(3, walk(MMU_PS_4K, 0, 24));
    s.final_check([mem, pa_p, pte_p, pa_q, pte_q, newframe, pa_d, pte_d]() -> std::string {
        if (mem->read(pa_p) != (pte_p & ~PTE_P))
            return "P's PTE: 0x" + ScriptStim::to_hex(mem->read(pa_p)) + ", expected 0x" +
                   ScriptStim::to_hex(pte_p & ~PTE_P) + " (no update on a changed entry)";
        const uint64_t q = (pte_q & ~0x000FFFFFFFFFF000ull) | newframe | PTE_A;
        if (mem->read(pa_q) != q)
            return "Q's PTE: 0x" + ScriptStim::to_hex(mem->read(pa_q)) + ", expected 0x" + ScriptStim::to_hex(q);
        if (mem->read(pa_d) != (pte_d | PTE_A | PTE_D))
            return "D's PTE: 0x" + ScriptStim::to_hex(mem->read(pa_d)) + ", expected 0x" +
                   ScriptStim::to_hex(pte_d | PTE_A | PTE_D);
        return "";
    });
}

// Rights faults on fresh tables (A = D = 0 everywhere) at each leaf level
// (5.5): A is set in the non-leaf entries the walk read, not in the leaf,
// never D; the fault answers after the updates: latency 4 + 4 (reads +
// updates). Each page has its own PML4E (no PWC hits between them).
//  - 4 KiB user write to a read-only page: 4 reads, 3 updates: 32
//  - 2 MiB user read of a supervisor page: 3 reads, 2 updates: 24
//  - 1 GiB supervisor fetch of an execute-disable page (NXE = 1): 2 reads,
//    1 update: 16
void t_rights_ad(ScriptStim &s) // 5.5
{
    uint64_t rt = s.space(), A = va_of(11, 2, 3, 4), B = va_of(12, 2, 3, 0), C = va_of(13, 2, 0, 0);
    s.map(rt, A, MMU_PS_4K, PT_U, false);
    s.map(rt, B, MMU_PS_2M, PT_W, false);
    s.map(rt, C, MMU_PS_1G, PT_W | PT_NX, false);
    start(s, rt, s.base_mode() | MMU_MODE_NXE);
    s.one(1, A + 8, W, true, pf(MMU_CAUSE_WRITE, MMU_PFEC_P | MMU_PFEC_WR | MMU_PFEC_US, MMU_PS_4K, 32));
    s.one(2, B + 0x12345, R, true, pf(MMU_CAUSE_USER, MMU_PFEC_P | MMU_PFEC_US, MMU_PS_2M, 24));
    s.one(3, C + 0x123456, X, false, pf(MMU_CAUSE_NX, MMU_PFEC_P | MMU_PFEC_ID, MMU_PS_1G, 16));
    DualMem *mem = &s.mem();
    s.final_check([mem, rt, A, B, C]() -> std::string {
        for (unsigned leaf = 1; leaf <= 3; leaf++) {
            uint64_t va = leaf == 1 ? A : leaf == 2 ? B : C;
            for (unsigned level = 4; level >= leaf; level--) {
                uint64_t e = mem->read(mem->entry_addr(rt, va, level));
                uint64_t want = level > leaf ? PTE_A : 0;
                if ((e & (PTE_A | PTE_D)) != want)
                    return "leaf level " + std::to_string(leaf) + ": A/D of the level-" + std::to_string(level) +
                           " entry is 0x" + ScriptStim::to_hex(e & (PTE_A | PTE_D)) + ", expected 0x" +
                           ScriptStim::to_hex(want);
            }
        }
        return "";
    });
}

// [T:implicit]: implicit supervisor-mode accesses (SDM 4.6.1) with SMAP: a
// user page is out of reach whatever RFLAGS.AC, the error code's U/S is 0
// even when req_user is 1; an explicit supervisor access with AC = 1 is
// allowed and fills the TLBs, and an implicit access then hits that entry
// but may not use it (soft miss): it walks and faults. SMAP off: implicit
// reads of user pages are allowed.
void t_implicit(ScriptStim &s)
{
    uint64_t rt = s.space(), U = va_of(1, 2, 3, 4), K = va_of(1, 2, 3, 5);
    s.map(rt, U, MMU_PS_4K, UW);
    s.map(rt, K, MMU_PS_4K, PT_W | PT_D);
    const uint32_t m = s.base_mode() | MMU_MODE_SMAP;
    start(s, rt, m); // AC = 0
    const unsigned P_ = MMU_PFEC_P, W_ = MMU_PFEC_WR;
    s.one(1, U, R, false, pf(MMU_CAUSE_SMAP, P_, MMU_PS_4K), true);         // implicit, AC 0
    s.one(2, U, W, true, pf(MMU_CAUSE_SMAP, P_ | W_, MMU_PS_4K), true);     // implicit at CPL 3: U/S = 0
    s.one(3, K, R, true, walk(MMU_PS_4K, -1, -1), true);                     // implicit to a supervisor page: fine
    s.mode(m | MMU_MODE_AC);
    s.one(4, U + 8, R, false, walk(MMU_PS_4K, -1, -1));                      // explicit, AC 1: allowed, fills
    s.one(5, U + 16, R, false, pf(MMU_CAUSE_SMAP, P_, MMU_PS_4K), true);     // implicit, AC 1: soft miss, fault
    // the fault invalidated the page's TLB entries (7b): an explicit read walks
    s.one(6, U + 24, R, false, walk(MMU_PS_4K, -1, -1));
    s.mode(m & ~MMU_MODE_SMAP);
    s.one(7, U + 32, R, false, hit(MMU_SRC_L1, 1), true); // SMAP off (no flush): implicit read may use 6's entry
    s.one(8, U + 40, W, false, hit(MMU_SRC_L1, 1), true);      // implicit write, R/W = 1, D = 1: L1 hit
}

// ---- issue #9.5: bits the MMU must ignore, I/D with NXE = SMEP = 0, the
// memory port with the round-robin pointer at walker 0, tree-PLRU victims.
// Every table here has A = 1 (and D = 1 in leaves) everywhere: no walk makes
// an A/D write, so nothing depends on how long one takes.

// One entry kind and the bits of it that software may set without changing
// the translation (CR4.PKE = 0, IA32_EFER.NXE = 1), written out from the
// Intel SDM Vol. 3A 4.5 tables (deliberately not from DualMem::inert_bits,
// which the random test uses): P, R/W, U/S, A are set anyway; XD (63) is
// listed, the test only reads and writes. Bits 51:MAXPHYADDR and the
// PML4E's bit 7, 29:13 of a 1 GiB and 20:13 of a 2 MiB leaf are reserved.
struct BitKind {
    const char *name;
    unsigned level;    // 4 PML4E .. 1 PTE
    bool leaf;
    unsigned sizes[3]; // page sizes used below it, in turn (MMU_PS_*)
    unsigned nsizes;
    std::vector<unsigned> bits;
};
std::vector<unsigned> bit_list(std::initializer_list<unsigned> low, unsigned hi_from, unsigned hi_to)
{
    std::vector<unsigned> v(low);
    for (unsigned b = hi_from; b <= hi_to; b++)
        v.push_back(b);
    return v;
}
const std::vector<BitKind> &bit_kinds()
{
    static const std::vector<BitKind> k = {
        // Table 4-15 PML4E: 3 PWT, 4 PCD, 6 ign, (7 rsvd), 11:8 ign, 62:52 ign, 63 XD
        {"PML4E", 4, false, {MMU_PS_4K, MMU_PS_2M, MMU_PS_1G}, 3, bit_list({3, 4, 6, 8, 9, 10, 11}, 52, 63)},
        // Table 4-17 PDPTE -> page directory: 3, 4, 6 ign, (7 PS = 0), 11:8 ign, 62:52 ign, 63 XD
        {"PDPTE", 3, false, {MMU_PS_4K, MMU_PS_2M, 0}, 2, bit_list({3, 4, 6, 8, 9, 10, 11}, 52, 63)},
        // Table 4-19 PDE -> page table: the same
        {"PDE", 2, false, {MMU_PS_4K, 0, 0}, 1, bit_list({3, 4, 6, 8, 9, 10, 11}, 52, 63)},
        // Table 4-16 PDPTE, 1 GiB page: 3, 4, 6 D, 8 G, 11:9 ign, 12 PAT, 58:52 ign, 62:59 PK, 63 XD
        {"PDPTE-1G", 3, true, {MMU_PS_1G, 0, 0}, 1, bit_list({3, 4, 6, 8, 9, 10, 11, 12}, 52, 63)},
        // Table 4-18 PDE, 2 MiB page: the same (20:13 reserved instead of 29:13)
        {"PDE-2M", 2, true, {MMU_PS_2M, 0, 0}, 1, bit_list({3, 4, 6, 8, 9, 10, 11, 12}, 52, 63)},
        // Table 4-20 PTE: 3, 4, 6 D, 7 PAT, 8 G, 11:9 ign, 58:52 ign, 62:59 PK, 63 XD
        {"PTE", 1, true, {MMU_PS_4K, 0, 0}, 1, bit_list({3, 4, 6, 7, 8, 9, 10, 11}, 52, 63)},
    };
    return k;
}

unsigned leaf_level(unsigned ps) { return ps == MMU_PS_4K ? 1 : ps == MMU_PS_2M ? 2 : 3; }

// Where a write of a page that a read just walked is found (tiny): a 4 KiB
// page in dtlb (the read filled it; it serves stores too); a 2 MiB or 1 GiB
// page went to dtlbbig, which serves loads only, and a store's level-1
// large-page array (sdtlb) has none: level 2 (stlb holds 2M, stlb1g 1G,
// both serve stores, the read's walk filled them).
unsigned write_src(unsigned ps) { return ps == MMU_PS_4K ? MMU_SRC_L1 : MMU_SRC_STLB; }

// Two offsets inside a page of size ps; in a 2 MiB or 1 GiB page one with
// bit 12 clear and one with it set, so that the PAT bit (12) of the leaf
// leaking into the address, or bit 12 of the offset lost, shows.
uint64_t page_off(unsigned ps, bool odd)
{
    if (ps == MMU_PS_4K)
        return odd ? 0x548 : 0xAB8;
    uint64_t o = ps == MMU_PS_2M ? 0x1AA0D8 : 0x2AA0DE8;
    return odd ? o | 0x1000 : o;
}

// For each entry kind at each level and each of its bits: a page whose
// entry of that kind has only that bit set (beyond P, R/W, U/S, A and D in
// the leaf) is read (a walk from no PWC hit) and written (a hit in the L1 TLB
// for a leaf kind; for a non-leaf kind a second page under the same entry,
// found through the page-walk cache that holds it), both with the exact
// physical address: frame from the allocator + offset, no fault, the page
// size. Then one page of each size with every such bit of every level set.
void t_legal_bits(ScriptStim &s)
{
    uint64_t rt = s.space();
    DualMem &m = s.mem();
    start(s, rt, s.base_mode() | MMU_MODE_NXE); // NXE = 1: XD is not reserved
    uint64_t l4 = 1;
    uint32_t id = 1;
    for (const BitKind &k : bit_kinds()) {
        for (size_t i = 0; i < k.bits.size(); i++, l4++) {
            unsigned ps = k.sizes[i % k.nsizes], L = leaf_level(ps);
            // a path of its own (its own PML4E): no PWC entry of another case is used
            uint64_t va = va_of(l4, 3, L <= 2 ? 5 : 0, L == 1 ? 7 : 0);
            uint64_t pa = s.map(rt, va, ps, UW);
            uint64_t bit = 1ull << k.bits[i];
            m.set_bits(m.entry_addr(rt, va, k.level), bit);
            Exp w = walk(ps, 0, -1, pa + page_off(ps, false), true);
            s.one(id++, va + page_off(ps, false), R, true, w);
            if (k.leaf) {
                s.one(id++, va + page_off(ps, true), W, true, hit(write_src(ps), -1, pa + page_off(ps, true), true));
                continue;
            }
            // the next entry one level below k: the walk starts below the cached entry of kind k
            unsigned sh = 12 + 9 * (k.level - 2);
            uint64_t va2 = va + (1ull << sh);
            uint64_t pa2 = s.map(rt, va2, ps, UW);
            Exp w2 = walk(ps, (int)(5 - k.level), -1, pa2 + page_off(ps, true), true);
            s.one(id++, va2 + page_off(ps, true), W, true, w2);
        }
    }
    // every bit of every kind at every level of one path, for each page size
    for (unsigned ps = MMU_PS_4K; ps <= MMU_PS_1G; ps++, l4++) {
        unsigned L = leaf_level(ps);
        uint64_t va = va_of(l4, 3, L <= 2 ? 5 : 0, L == 1 ? 7 : 0);
        uint64_t pa = s.map(rt, va, ps, UW);
        for (const BitKind &k : bit_kinds()) {
            if (k.level < L || k.leaf != (k.level == L))
                continue;
            uint64_t set = 0;
            for (unsigned b : k.bits)
                set |= 1ull << b;
            m.set_bits(m.entry_addr(rt, va, k.level), set);
        }
        s.one(id++, va + page_off(ps, true), R, true, walk(ps, 0, -1, pa + page_off(ps, true), true));
        s.one(id++, va + page_off(ps, false), W, true, hit(write_src(ps), -1, pa + page_off(ps, false), true));
    }
}

// A fetch that faults with IA32_EFER.NXE = 0 and CR4.SMEP = 0: the I/D bit
// (4) of the error code is 0 (SDM 4.7: I/D is set only if SMEP or NXE is 1).
// Error codes written out: P 1, W/R 2, U/S 4, RSVD 8, I/D 16. Then the same
// user fetch with NXE = 1 and with SMEP = 1 sets I/D.
void t_fetch_nx_off(ScriptStim &s)
{
    uint64_t rt = s.space();
    uint64_t SUP = va_of(1, 2, 3, 4), NP = va_of(1, 2, 3, 5), XDP = va_of(1, 2, 3, 6), OK = va_of(1, 2, 3, 7);
    s.map(rt, SUP, MMU_PS_4K, PT_W | PT_D);        // supervisor page
    s.map(rt, XDP, MMU_PS_4K, UW | PT_NX);         // XD = 1: reserved while NXE = 0
    uint64_t pok = s.map(rt, OK, MMU_PS_4K, UW);   // NP's PTE (index 5) stays 0
    const uint32_t m0 = s.base_mode() & ~(uint32_t)(MMU_MODE_NXE | MMU_MODE_SMEP | MMU_MODE_SMAP);
    start(s, rt, m0);
    s.one(1, SUP, X, true, pf(MMU_CAUSE_USER, 0x5, MMU_PS_4K));            // P | U/S
    s.one(2, NP, X, true, pf(MMU_CAUSE_NOT_PRESENT, 0x4, MMU_PS_NONE));    // U/S
    s.one(3, NP, X, false, pf(MMU_CAUSE_NOT_PRESENT, 0x0, MMU_PS_NONE));   // supervisor: 0
    s.one(4, va_of(9, 0, 0, 0), X, false, pf(MMU_CAUSE_NOT_PRESENT, 0x0, MMU_PS_NONE)); // PML4E not present
    s.one(5, XDP, X, true, pf(MMU_CAUSE_RSVD, 0xD, MMU_PS_NONE));          // P | U/S | RSVD
    s.one(6, OK + 0x10, X, true, walk(MMU_PS_4K, -1, -1, pok + 0x10, true)); // a fetch that works
    s.one(7, OK + 0x20, X, false, hit(MMU_SRC_L1, -1, pok + 0x20, true)); // supervisor, SMEP = 0: allowed
    s.mode(m0 | MMU_MODE_NXE);
    s.one(8, SUP, X, true, pf(MMU_CAUSE_USER, 0x15, MMU_PS_4K));           // P | U/S | I/D
    s.one(9, NP, X, false, pf(MMU_CAUSE_NOT_PRESENT, 0x10, MMU_PS_NONE));  // I/D
    s.mode(m0 | MMU_MODE_SMEP);
    s.one(10, SUP, X, true, pf(MMU_CAUSE_USER, 0x15, MMU_PS_4K));          // P | U/S | I/D
    s.one(11, OK, X, false, pf(MMU_CAUSE_SMEP, 0x11, MMU_PS_4K));          // P | I/D
}

// [T:memory port] with the pointer at walker 0: walker 1 was granted last
// and both walkers want the port in the same cycle; walker 0 must win.
// Cycles from A's acceptance c (memory latency 3, every A bit set):
//   A (walker 0) reads in c+4, c+8, c+12, c+16, answers in c+20;
//   B, accepted in c+5 (walker 1), reads in c+9, c+13, c+17 (pointer -> 0);
//   C, accepted in c+17, is dispatched in c+20 to walker 0 (idle since the
//   end of c+19) and wants the port in c+21, as does B's last read: walker 0
//   wins (C's walk takes 20 cycles), B reads in c+22 and answers in c+26
//   (21 cycles). port_conflict is the other case (pointer at walker 1).
void t_port_rr_walker0(ScriptStim &s)
{
    uint64_t rt = s.space(), A = va_of(1, 2, 3, 4), B = va_of(2, 5, 6, 7), C = va_of(3, 8, 9, 10);
    s.map(rt, A, MMU_PS_4K, UW);
    s.map(rt, B, MMU_PS_4K, UW);
    s.map(rt, C, MMU_PS_4K, UW);
    start(s, rt, s.base_mode());
    s.req(1, A);
    s.idle(4);
    s.req(2, B);
    s.idle(11);
    s.req(3, C);
    s.drain();
    s.expect(1, walk(MMU_PS_4K, 0, 20));
    s.expect(2, walk(MMU_PS_4K, 0, 21));
    s.expect(3, walk(MMU_PS_4K, 0, 20));
    ScriptStim *sp = &s;
    s.final_check([sp]() -> std::string {
        const RspRecord *a = sp->rec(1), *b = sp->rec(2), *c = sp->rec(3);
        if (!a || !b || !c)
            return "missing responses";
        if (!sp->timing())
            return "";
        if (b->t_acc != a->t_acc + 5 || c->t_acc != a->t_acc + 17)
            return "B, C accepted " + std::to_string(b->t_acc - a->t_acc) + ", " +
                   std::to_string(c->t_acc - a->t_acc) + " cycles after A, expected 5, 17";
        return "";
    });
}

// Tree-PLRU (model/sa.h): the 4 KiB DTLB of the tiny preset, 2 sets x 4
// ways, bits b0 (root), b1 (ways 0/1), b2 (ways 2/3); a touch points the
// path away from the way, the victim follows the bits (0 left, 1 right).
// Pages P0..P5 (PN 0, 2, 4, 6, 8, 10) all go to set 0; at level 2 P0, P1,
// P4, P5 (PN bit 2 = 0) go to stlb (sets PN & 3 = 0, 2, 0, 2; 4 ways) and
// P2, P3 to stlb1g (sets 0 and 2; 2 ways): level 2 keeps every one, so a
// DTLB miss of a page seen before is an STLB hit that refills the DTLB:
// where each read is found (walk, L1, STLB) shows every victim. State
// [b0 b1 b2], ways w0..w3:
//  1-4  P0..P3 walk, fill w0..w3                  [0 0 0]  P0 P1 P2 P3
//  5    P0 L1 hit (w0)                            [1 1 0]
//  6    P4 walk: victim b0=1 -> b2=0 -> w2 (P2);  [0 1 1]  P0 P1 P4 P3
//       (true LRU would evict P1)
//  7    P1 L1 hit (w1)                            [1 0 1]
//  8    P2 STLB, victim w3 (P3)                   [0 0 0]  P0 P1 P4 P2
//  9    P3 STLB, victim w0 (P0)                   [1 1 0]  P3 P1 P4 P2
//  10   P4 L1 hit (w2)                            [0 1 1]
//  11   P5 walk, victim w1 (P1)                   [1 0 1]  P3 P5 P4 P2
//  12   P0 STLB, victim w3 (P2)                   [0 0 0]  P3 P5 P4 P0
//  13   P2 STLB, victim w0 (P3)                   [1 1 0]  P2 P5 P4 P0
//  14   P1 STLB, victim w2 (P4)                   [0 1 1]  P2 P5 P1 P0
//  15   P5 L1 hit (w1)                            [1 0 1]
//  16   P0 L1 hit (w3)                            [0 0 0]
//  17   P4 STLB, victim w0 (P2)                   [1 1 0]  P4 P5 P1 P0
//  18   P3 STLB, victim w2 (P1)                   [0 1 1]  P4 P5 P3 P0
//  19   P5 L1 hit (w1)                            [1 0 1]
//  20   P1 STLB, victim w3 (P0)                   [0 0 0]  P4 P5 P3 P1
// The end-of-test compare checks the PLRU bits of both sides too.
void t_plru_victims(ScriptStim &s)
{
    uint64_t rt = s.space(), P[6];
    uint64_t pa[6];
    for (unsigned i = 0; i < 6; i++) {
        P[i] = va_of(1, 2, 3, 2 * i);
        pa[i] = s.map(rt, P[i], MMU_PS_4K, UW);
    }
    start(s, rt, s.base_mode());
    const unsigned WK = MMU_SRC_WALK, L1 = MMU_SRC_L1, ST = MMU_SRC_STLB;
    static const struct {
        unsigned page, src;
    } seq[] = {{0, WK}, {1, WK}, {2, WK}, {3, WK}, {0, L1}, {4, WK}, {1, L1}, {2, ST}, {3, ST}, {4, L1},
               {5, WK}, {0, ST}, {2, ST}, {1, ST}, {5, L1}, {0, L1}, {4, ST}, {3, ST}, {5, L1}, {1, ST}};
    uint32_t id = 1;
    for (const auto &q : seq) {
        Exp e = src_only(q.src);
        e.fault = 0;
        e.size = MMU_PS_4K;
        e.has_pa = true;
        e.pa = pa[q.page] + 8 * id;
        s.one(id, P[q.page] + 8 * id, R, true, e);
        id++;
    }
}

// Mode bit NOPG1G (a processor without 1 GiB pages, CPUID.80000001H:EDX.
// Page1GB = 0; docs/timing.md 2.4, 5.2): PDPTE.PS = 1 is a reserved bit, so
// a 1 GiB page faults at the PDPTE after 2 reads (4 + 4 * 2 = 12, error code
// P | RSVD | U/S = 0x0D, no size); 2 MiB pages translate (3 reads: 16).
// Writing the bit flushes every TLB and PWC entry: the 1 GiB page walks
// again after the bit is cleared (2 reads: the PML4E cache was flushed, 12),
// hits in the L1 then, and faults again once the bit is set again (without
// the flush it would be an L1 hit).
void t_nopg1g(ScriptStim &s)
{
    uint64_t rt = s.space(), A = va_of(1, 2, 0, 0), C = va_of(1, 3, 4, 0);
    uint64_t pa = s.map(rt, A, MMU_PS_1G, UW);
    s.map(rt, C, MMU_PS_2M, UW);
    const uint32_t m = s.base_mode(), no1g = m | MMU_MODE_NOPG1G;
    const unsigned rsvd = MMU_PFEC_P | MMU_PFEC_RSVD | MMU_PFEC_US;
    start(s, rt, no1g);
    s.one(1, A + 0x100, R, true, pf(MMU_CAUSE_RSVD, rsvd, MMU_PS_NONE, 12));
    s.one(2, C + 0x200, R, true, walk(MMU_PS_2M, 0, 16));
    s.mode(m);
    s.one(3, A + 0x300, R, true, walk(MMU_PS_1G, 0, 12, pa + 0x300, true));
    s.one(4, A + 0x400, R, true, hit(MMU_SRC_L1, 1, pa + 0x400, true));
    s.mode(no1g);
    s.one(5, A + 0x500, R, true, pf(MMU_CAUSE_RSVD, rsvd, MMU_PS_NONE, 12));
}

// [T:fill] splintering and [T:inval-va] with a 1 GiB page B (1,5,0,0) that
// user fetches reach: nothing a fetch looks up holds 1G, so a fetch's walk
// fills the 2 MiB piece that contains VA: into stlb at level 2 (piece n of
// B: tag (B >> 21) + n, set n & 3) and into itlb2m at level 1 (1 set, 2
// ways, tree-PLRU: one bit, 1 after a touch of way 0, 0 after way 1;
// victim way = the bit). Responses report the page size, 1G; the address
// is the piece's frame + VA's offset in the piece. Cycles as diagram 6.5
// (pwc 1: the PML4E-cache hit, 1 read, 8 cycles).
//   1  fetch piece 0: cold walk, 12; itlb2m way 0 (bit 1), stlb set 0
//   2  fetch piece 0: itlb2m hit, 1
//   3  fetch piece 1: walk, 8; itlb2m way 1 (bit 0), stlb set 1
//   4  fetch piece 2: walk, 8; itlb2m victim way 0 (piece 0) (bit 1), stlb set 2
//   5  fetch piece 0: itlb2m misses, stlb hit: 3; the level-1 refill (frame
//      = the piece's - 0) takes victim way 1 (piece 1) (bit 0)
//   6  fetch piece 1: stlb hit, 3; refill: frame = (B's frame + 2M) - 2M,
//      the entry for piece 1 into way 0 (piece 2 out) (bit 1)
//   7  fetch piece 1 again, its last 8 bytes: itlb2m hit, 1, at frame +
//      0x3FFFF8 (a refill that kept the piece's frame as the page's would
//      be 2M off)
//   8  read piece 3: the load arrays (dtlbbig, stlb1g) hold 1G whole, stlb
//      has no piece 3: walk, 8; B whole into stlb1g and dtlbbig
//   9  INVLPG piece 3's address: every entry a lookup of it would match
//      (B whole in stlb1g, dtlbbig) and every piece of B in the splinter
//      arrays (stlb sets 0, 1, 2; itlb2m both ways), though none is piece
//      3 or in piece 3's sets; all PWC entries of the PCID
//  10  fetch piece 0: walk with no PWC hit, 12 (without the piece rule: an
//      itlb2m hit); fills pieces 0 and the PML4E again
//  11  fetch piece 1: walk, 8 (without the piece rule: stlb hit)
//  12  read piece 1: dtlbbig, stlb1g empty; stlb has piece 1, which a load
//      may use: level-2 hit, 3, size 1G; its level-1 refill for a load is
//      the whole page into dtlbbig, frame (B + 2M) - 2M = B
//  13  read B's last 16 bytes: dtlbbig hit, 1, at B + 0x3FFFFFF0
//  14  "software" clears P in B's PDPTE (nothing outstanding); fetch piece
//      2 (cached nowhere): walk from the PML4E hit reads the PDPTE: not
//      present, 8; the fault invalidates B's pieces 0, 1 (stlb, itlb2m), B
//      whole in dtlbbig and the PML4E entry
//  15  fetch piece 0: walk, no PWC hit: PML4E, PDPTE not present, 12
//      (without the fault's piece invalidation: an itlb2m hit)
//  16  read piece 1: walk, 12, not present (without it: stlb or dtlbbig)
// Error codes (NXE = 1): fetch U/S | I/D = 0x14, read U/S = 0x04.
void t_splinter(ScriptStim &s)
{
    uint64_t rt = s.space(), B = va_of(1, 5, 0, 0);
    const uint64_t M2 = 2ull << 20;
    uint64_t pb = s.map(rt, B, MMU_PS_1G, UW);
    DualMem *mem = &s.mem();
    const uint64_t pdpte = mem->entry_addr(rt, B, 3), pdpte_v = mem->read(pdpte);
    start(s, rt, s.base_mode());
    auto wk = [&](int pwc, int64_t lat, uint64_t off) { return walk(MMU_PS_1G, pwc, lat, pb + off, true); };
    auto ht = [&](unsigned src, int64_t lat, uint64_t off) {
        Exp e = hit(src, lat, pb + off, true);
        e.size = MMU_PS_1G;
        return e;
    };
    auto np = [](unsigned err, int pwc, int64_t lat) {
        Exp e = pf(MMU_CAUSE_NOT_PRESENT, err, MMU_PS_NONE, lat);
        e.pwc = pwc;
        return e;
    };
    s.one(1, B + 0x40000, X, true, wk(0, 12, 0x40000));
    s.one(2, B + 0x1FFFF0, X, true, ht(MMU_SRC_L1, 1, 0x1FFFF0));
    s.one(3, B + M2 + 0x10, X, true, wk(1, 8, M2 + 0x10));
    s.one(4, B + 2 * M2 + 0x20, X, true, wk(1, 8, 2 * M2 + 0x20));
    s.one(5, B + 0x30, X, true, ht(MMU_SRC_STLB, 3, 0x30));
    s.one(6, B + M2 + 0x40, X, true, ht(MMU_SRC_STLB, 3, M2 + 0x40));
    s.one(7, B + 2 * M2 - 8, X, true, ht(MMU_SRC_L1, 1, 2 * M2 - 8));
    s.one(8, B + 3 * M2 + 0x50, R, true, wk(1, 8, 3 * M2 + 0x50));
    s.invlpg(B + 3 * M2);
    s.one(10, B + 0x60, X, true, wk(0, 12, 0x60));
    s.one(11, B + M2 + 0x70, X, true, wk(1, 8, M2 + 0x70));
    s.one(12, B + M2 + 0x80, R, true, ht(MMU_SRC_STLB, 3, M2 + 0x80));
    s.one(13, B + 0x3FFFFFF0, R, true, ht(MMU_SRC_L1, 1, 0x3FFFFFF0));
    s.call([mem, pdpte, pdpte_v]() { mem->write(pdpte, pdpte_v & ~PTE_P); });
    // (with another organisation a TLB may still hold B, which software
    // changed without INVLPG: a stale translation the SDM allows; so these
    // three are checked only with tiny's arrays)
    const uint32_t last[3] = {14, 15, 16};
    const uint64_t va[3] = {B + 2 * M2 + 0x90, B + 0xA0, B + M2 + 0xB0};
    const unsigned acc[3] = {X, X, R};
    const Exp want[3] = {np(MMU_PFEC_US | MMU_PFEC_ID, 1, 8), np(MMU_PFEC_US | MMU_PFEC_ID, 0, 12),
                         np(MMU_PFEC_US, 0, 12)};
    for (int i = 0; i < 3; i++) {
        s.req(last[i], va[i], acc[i]);
        s.drain();
        if (s.geometry())
            s.expect(last[i], want[i]);
    }
}

// [T:fill] the choice among two level-2 arrays: a 4 KiB load is filled into
// stlb or stlb1g (both hold 4K and serve loads), candidate (PN >> 2) mod 2
// (log2 of stlb's 4 sets): PN bit 2. X1..X3 (PN 4, 20, 36: bit 2 = 1, PN &
// 3 = 0) go to stlb1g set 0 (2 ways, tree-PLRU), Y1..Y4 (PN 8, 16, 24, 32:
// bit 2 = 0) to stlb set 0 (4 ways). All seven are even: dtlb set 0 (4
// ways, tree-PLRU [b0 b1 b2] as in plru_victims). Walks after the first
// hit the PDE cache: 8 cycles.
//   1-3  X1, X2, X3 walk; dtlb ways 0, 1, 2; stlb1g: X1 way 0, X2 way 1,
//        X3 evicts way 0 (X1) (bit after X2's fill: 0)
//   4-7  Y1..Y4 walk; stlb set 0 ways 0..3; dtlb: Y1 way 3 [0 0 0], Y2
//        evicts w0 (X1) [1 1 0], Y3 w2 (X3) [0 1 1], Y4 w1 (X2) [1 0 1]
//   8    X2: dtlb miss, stlb1g hit: 3 (if every 4K page went to stlb, its
//        set 0 would hold only Y1..Y4: a walk); refill evicts dtlb w3 (Y1)
//        [0 0 0]; stlb1g touch way 1
//   9    X1: stlb1g lost it at 3: a walk, 8 (if the choice were reversed,
//        X1..X3 would all fit stlb set 0: a level-2 hit); fill evicts
//        stlb1g way 0 (X3), dtlb w0 (Y2) [1 1 0]
//  10    X3: a walk, 8
//  11    Y1: dtlb lost it at 8: stlb hit, 3
void t_stlb_pick(ScriptStim &s)
{
    uint64_t rt = s.space();
    const unsigned X[3] = {4, 20, 36}, Y[4] = {8, 16, 24, 32};
    uint64_t px[3], py[4];
    for (int i = 0; i < 3; i++)
        px[i] = s.map(rt, va_of(1, 2, 3, X[i]), MMU_PS_4K, UW);
    for (int i = 0; i < 4; i++)
        py[i] = s.map(rt, va_of(1, 2, 3, Y[i]), MMU_PS_4K, UW);
    start(s, rt, s.base_mode());
    uint32_t id = 1;
    auto rd = [&](unsigned pn, uint64_t pa, Exp e) {
        e.size = MMU_PS_4K;
        e.has_pa = true;
        e.pa = pa + 8 * id;
        s.one(id, va_of(1, 2, 3, pn) + 8 * id, R, true, e);
        id++;
    };
    rd(X[0], px[0], walk(MMU_PS_4K, 0, 20));
    rd(X[1], px[1], walk(MMU_PS_4K, 3, 8));
    rd(X[2], px[2], walk(MMU_PS_4K, 3, 8));
    for (int i = 0; i < 4; i++)
        rd(Y[i], py[i], walk(MMU_PS_4K, 3, 8));
    rd(X[1], px[1], hit(MMU_SRC_STLB, 3));
    rd(X[0], px[0], walk(MMU_PS_4K, 3, 8));
    rd(X[2], px[2], walk(MMU_PS_4K, 3, 8));
    rd(Y[0], py[0], hit(MMU_SRC_STLB, 3));
}

struct Entry {
    const char *name, *descr;
    void (*fn)(ScriptStim &);
};
const Entry kTests[] = {
    {"l1_hit", "6.1: a walk, then L1 hits, back to back", t_l1_hit},
    {"stlb_hit", "6.2: STLB hits after a fetch and after a DTLB eviction", t_stlb_hit},
    {"walk_4k", "6.3: 4 KiB walks with no, PML4E, PDPTE and PDE-cache hits", t_walk_4k},
    {"walk_2m", "6.4: 2 MiB walks with no, PML4E and PDPTE-cache hits", t_walk_2m},
    {"walk_1g", "6.5: 1 GiB walks with no and PML4E-cache hits", t_walk_1g},
    {"page_fault", "6.6, 5.3: not present, reserved, write, user, NX, SMEP, SMAP, WP, #GP", t_page_fault},
    {"ad_update", "6.7: A/D writes of a first touch and of a write to a clean page", t_ad_update},
    {"two_walks", "6.8: two walks in flight, a join, no join for another access kind", t_two_walks},
    {"flush_walk", "6.9: INVLPG and MOV to CR3 offered during a walk", t_flush_walk},
    {"ctl_ops", "2.4: PCIDs, global pages, INVLPG, INVPCID 0-3, mode writes", t_ctl_ops},
    {"hit_under_miss", "6.10: L1 hits answered while a walk is in flight", t_hit_under_miss},
    {"port_conflict", "2.3: two walkers want the memory port in the same cycle (round robin)", t_port_conflict},
    {"full", "12 misses back to back: request table full, miss queue", t_full},
    {"ad_race", "6.11: a write and a read walk one clean page at once: D is kept (locked updates)", t_ad_race},
    {"ad_restart", "6.12: an entry changed before its locked update: the walk restarts", t_ad_restart},
    {"rights_ad", "5.5: rights faults at each leaf level set A above the leaf, not in it", t_rights_ad},
    {"implicit", "[T:implicit]: implicit supervisor accesses with SMAP and AC both ways", t_implicit},
    {"nopg1g", "2.4, 5.2: no 1 GiB pages (NOPG1G): PDPTE.PS reserved, the bit's writes flush", t_nopg1g},
    {"legal_bits", "#9.5: PWT, PCD, PAT, ignored, PK and XD bits in each entry kind: same translation", t_legal_bits},
    {"fetch_nx_off", "#9.5: fetch faults with NXE = 0 and SMEP = 0: I/D = 0 in the error code", t_fetch_nx_off},
    {"port_rr_walker0", "#9.5: both walkers want the port, round-robin pointer at walker 0: walker 0 wins",
     t_port_rr_walker0},
    {"plru_victims", "#9.5: tree-PLRU victims of the 4 KiB DTLB after fills and hits", t_plru_victims},
    {"splinter", "#10: a 1 GiB page held as 2 MiB pieces, the level-1 refill of a piece, INVLPG and a fault "
                 "remove every piece", t_splinter},
    {"stlb_pick", "#10: 4 KiB loads split between two level-2 arrays by the [T:fill] choice", t_stlb_pick},
};

} // namespace

std::vector<std::pair<std::string, std::string>> directed_tests()
{
    std::vector<std::pair<std::string, std::string>> v;
    for (const Entry &e : kTests)
        v.push_back({e.name, e.descr});
    return v;
}

std::unique_ptr<Stimulus> make_directed(const std::string &name, const StimContext &c)
{
    for (const Entry &e : kTests)
        if (name == e.name)
            return std::make_unique<ScriptStim>(c, e.name, e.fn);
    return nullptr;
}
