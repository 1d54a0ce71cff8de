// tb_break.cpp - the --break cases: each makes one RTL assertion fail.
#include "tb_break.h"

#include <cinttypes>
#include <cstdio>
#include <type_traits>

#include "Vmmu_top.h"
#include "Vmmu_top___024root.h" // the registers tb_break.vlt makes writable
#include "rtl_params.h"         // which TLB slots the RTL build has (MMU_RTL_TLB<i>_ENTRIES)

namespace {

// rtl/mmu_pkg.sv
constexpr unsigned RT_FREE = 0, RT_DONE = 5, W_IDLE = 0;
constexpr unsigned SA_EW = 110;           // sa_entry_t: {tag 36, data 52, pcid 12, asize 2, size 2, flags 6}
constexpr unsigned SA_TAG = 74, SA_SIZE = 6; // bit positions
constexpr unsigned F_G = 1u << 1;

// bits [lo, lo+n) of a wide Verilator vector (n <= 64)
template <class W> uint64_t get_bits(const W &w, unsigned lo, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)(w[(lo + i) / 32] >> ((lo + i) % 32) & 1u) << i;
    return v;
}
template <class W> void set_bits(W &w, unsigned lo, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++) {
        const uint32_t m = 1u << ((lo + i) % 32);
        w[(lo + i) / 32] = (v >> i & 1) ? (w[(lo + i) / 32] | m) : (w[(lo + i) / 32] & ~m);
    }
}

// bit i of a Verilated vector: an integer up to 64 bits, a VlWide above
template <class V> bool vec_bit(const V &v, unsigned i)
{
    if constexpr (std::is_integral_v<V>)
        return v >> i & 1;
    else
        return v[i / 32] >> (i % 32) & 1;
}
template <class V> void vec_set(V &v, unsigned i)
{
    if constexpr (std::is_integral_v<V>)
        v = (V)(v | (V)1 << i);
    else
        v[i / 32] |= 1u << (i % 32);
}

// double-hit: in the registers ent (one word per set) of a TLB array with
// `sets` sets of `ways` ways, copy the first valid entry into every way of
// its set with G = 1; its page's address in va, what was done in b.
template <class E, class V>
bool dup_entry(E &ent, V &val, unsigned slot, unsigned sets, unsigned ways, uint64_t &va, char *b, size_t n)
{
    int s = -1, w = -1;
    for (unsigned si = 0; si < sets && s < 0; si++)
        for (unsigned wi = 0; wi < ways && s < 0; wi++)
            if (vec_bit(val, si * ways + wi)) {
                s = (int)si;
                w = (int)wi;
            }
    if (s < 0)
        return false;
    const unsigned lo = (unsigned)w * SA_EW;
    set_bits(ent[s], lo, 6, get_bits(ent[s], lo, 6) | F_G);
    for (unsigned wi = 0; wi < ways; wi++) { // the whole entry, in two halves of 55 bits; valid
        for (unsigned o = 0; o < SA_EW; o += SA_EW / 2)
            set_bits(ent[s], wi * SA_EW + o, SA_EW / 2, get_bits(ent[s], lo + o, SA_EW / 2));
        vec_set(val, (unsigned)s * ways + wi);
    }
    const uint64_t tag = get_bits(ent[s], lo + SA_TAG, 36);
    const unsigned size = (unsigned)get_bits(ent[s], lo + SA_SIZE, 2);
    va = tag << (size == MMU_PS_4K ? 12 : size == MMU_PS_2M ? 21 : 30);
    if (va >> 47 & 1)
        va |= 0xFFFF000000000000ull; // canonical
    std::snprintf(b, n, "TLB slot %u set %d way %d (tag 0x%09" PRIx64 ", size %u) copied into all %u ways with G = 1",
                  slot, s, w, tag, size, ways);
    return true;
}

} // namespace

const std::vector<BreakCase> &break_cases()
{
    static const std::vector<BreakCase> cases = {
        {"req-and-ctl", false, "req_valid and ctl_valid (while ctl_ready) in one cycle", "req_valid and ctl_valid in one cycle"},
        {"req-id-reused", false, "a request offered with the id of a request that is still outstanding",
         "accepted while a request with that id is outstanding"},
        {"mem-rsp-idle-walker", false, "a memory response for walker 0 while it waits for none",
         "which is not waiting"},
        {"unknown-ctl-op", false, "control operation 7 offered while ctl_ready", "unknown control operation 7"},
        {"ctl-not-held", false, "a control operation (INVLPG) offered while ctl_ready = 0, its address changed "
                                "in the next cycle",
         "control operation withdrawn or changed before it was accepted"},
        {"rt-state", true, "request-table entry 0 forced to state 7 (not an rt_state_e value)",
         "request entry 0 in an illegal state"},
        {"walker-state", true, "walker 0, idle, forced to state 7 (not a walker_state_e value)",
         "walker 0 in an illegal state"},
        {"miss-queue", true, "the miss-queue count forced to one more than the request table holds",
         "miss queue overflow"},
        {"rsp-not-outstanding", true,
         "the id of a request in flight overwritten with an id no request has, so that its response names it",
         "which is not outstanding"},
        {"double-hit", true,
         "a valid entry of the first level-1 TLB array with two ways or more copied into every way of its set "
         "(global), then a read of its page",
         "global and 0 local ways hit one lookup"},
    };
    return cases;
}

const BreakCase *find_break(const std::string &name)
{
    for (const BreakCase &c : break_cases())
        if (name == c.name)
            return &c;
    return nullptr;
}

bool Breaker::outstanding_id(uint16_t id) const
{
    auto *r = dut_->rootp;
    for (unsigned i = 0; i < cfg_.mmu.outstanding; i++)
        if (r->mmu_top__DOT__u_rtable__DOT__rt_state_q[i] != RT_FREE && r->mmu_top__DOT__u_rtable__DOT__rt_id_q[i] == id)
            return true;
    return false;
}

uint16_t Breaker::unused_id() const
{
    uint16_t id = 0xBEEF;
    while (outstanding_id(id))
        id++;
    return id;
}

bool Breaker::step(uint64_t t, const mmu_out_t &d, mmu_in_t &in, mmu_in_t &ind, std::string &msg)
{
    const bool prev_ctl = prev_ctl_valid_;
    const bool now = !applied_ && t >= at_ && apply(t, prev_ctl, d, in, ind, msg);
    prev_ctl_valid_ = in.ctl_valid; // this cycle's inputs, as driven
    if (now) {
        applied_ = true;
        applied_at_ = t;
    }
    return now;
}

namespace {
// a read request (supervisor) of va with id
void offer_read(mmu_in_t &in, uint16_t id, uint64_t va)
{
    in.req_valid = true;
    in.req_id = id;
    in.req_vaddr = va;
    in.req_acc = MMU_ACC_READ;
    in.req_user = 0;
}
// INVLPG va, and no request (one that was not taken may be withdrawn)
void offer_invlpg(mmu_in_t &in, uint64_t va)
{
    in.req_valid = false;
    in.ctl_valid = true;
    in.ctl_op = MMU_CTL_INVLPG;
    in.ctl_type = 0;
    in.ctl_pcid = 0;
    in.ctl_data = 0;
    in.ctl_addr = va;
}
} // namespace

bool Breaker::apply(uint64_t t, bool prev_ctl, const mmu_out_t &d, mmu_in_t &in, mmu_in_t &ind, std::string &msg)
{
    auto *r = dut_->rootp;
    const unsigned RT = cfg_.mmu.outstanding;
    char b[256];
    const std::string name = c_.name;

    if (name == "req-and-ctl") {
        // a new request next to a control operation that is accepted at
        // once (so that it need not be held), not the continuation of a
        // held one; the request's id is not outstanding
        if (prev_ctl || !d.ctl_ready)
            return false;
        offer_invlpg(in, 0x1000);
        offer_read(in, unused_id(), 0x1000);
        std::snprintf(b, sizeof b, "req_valid (id %u) and ctl_valid (INVLPG) both 1", in.req_id);
    } else if (name == "req-id-reused") {
        if (!d.req_ready || in.ctl_valid || prev_ctl)
            return false;
        int k = -1;
        for (unsigned i = 0; i < RT && k < 0; i++)
            if (r->mmu_top__DOT__u_rtable__DOT__rt_state_q[i] != RT_FREE &&
                !(d.rsp_valid && d.rsp_id == r->mmu_top__DOT__u_rtable__DOT__rt_id_q[i]))
                k = (int)i;
        if (k < 0)
            return false;
        offer_read(in, r->mmu_top__DOT__u_rtable__DOT__rt_id_q[k], 0x1000);
        std::snprintf(b, sizeof b, "request offered with id %u, the id of request-table entry %d (outstanding)",
                      in.req_id, k);
    } else if (name == "mem-rsp-idle-walker") {
        if (r->mmu_top__DOT__gen_walker__BRA__0__KET____DOT__u_walker__DOT__state_q != W_IDLE || ind.mem_rsp_valid)
            return false;
        ind.mem_rsp_valid = true;
        ind.mem_rsp_id = 0;
        ind.mem_rsp_data = 0;
        std::snprintf(b, sizeof b, "mem_rsp_valid for walker 0, which is idle");
    } else if (name == "unknown-ctl-op") {
        if (!d.ctl_ready || prev_ctl)
            return false;
        in.req_valid = false; // not taken: a request may be withdrawn
        in.ctl_valid = true;
        in.ctl_op = 7;
        std::snprintf(b, sizeof b, "ctl_valid with ctl_op 7 while ctl_ready");
    } else if (name == "ctl-not-held") {
        if (!ctl_offered_) { // first offer, while a request is outstanding
            if (d.ctl_ready || prev_ctl || in.ctl_valid)
                return false;
            ctl_offered_ = true;
            offer_invlpg(in, 0x7000);
            return false;
        }
        if (d.ctl_ready) { // accepted after all: start again
            ctl_offered_ = false;
            offer_invlpg(in, 0x7000);
            return false;
        }
        offer_invlpg(in, 0x8000);
        std::snprintf(b, sizeof b, "INVLPG 0x7000 offered in cycle %" PRIu64 " and not accepted, now INVLPG 0x8000",
                      t - 1);
    } else if (name == "rt-state") {
        r->mmu_top__DOT__u_rtable__DOT__rt_state_q[0] = 7;
        std::snprintf(b, sizeof b, "rt_state_q[0] := 7");
    } else if (name == "walker-state") {
        // while walker 0 is idle: no memory response is on its way to it
        if (r->mmu_top__DOT__gen_walker__BRA__0__KET____DOT__u_walker__DOT__state_q != W_IDLE || ind.mem_rsp_valid)
            return false;
        r->mmu_top__DOT__gen_walker__BRA__0__KET____DOT__u_walker__DOT__state_q = 7;
        std::snprintf(b, sizeof b, "w_state_q[0] := 7");
    } else if (name == "miss-queue") {
        r->mmu_top__DOT__u_rtable__DOT__mq_cnt_q = (CData)(RT + 1);
        std::snprintf(b, sizeof b, "mq_cnt_q := %u (the request table has %u entries)", RT + 1, RT);
    } else if (name == "rsp-not-outstanding") {
        // an entry that is not answered in this cycle: its response comes later
        int k = -1;
        for (unsigned i = 0; i < RT && k < 0; i++)
            if (r->mmu_top__DOT__u_rtable__DOT__rt_state_q[i] != RT_FREE && r->mmu_top__DOT__u_rtable__DOT__rt_state_q[i] != RT_DONE)
                k = (int)i;
        if (k < 0)
            return false;
        const uint16_t old = r->mmu_top__DOT__u_rtable__DOT__rt_id_q[k], id = unused_id();
        r->mmu_top__DOT__u_rtable__DOT__rt_id_q[k] = id;
        std::snprintf(b, sizeof b, "rt_id_q[%d] := %u (was %u)", k, id, old);
    } else if (name == "double-hit") {
        if (!d.req_ready || in.ctl_valid || prev_ctl)
            return false;
        // the first level-1 TLB array with two ways or more (a level-1
        // array is looked up with the address of every request offered):
        // its registers are u_lookup.g_tlb[i].g_arr.u_sa.ent_q and val_q, which exist only for
        // the slots the RTL was built with
        bool done = false;
        uint64_t va = 0;
        const unsigned nt = cfg_.mmu.ntlb;
        char what[200];
#define TB_DUP(i)                                                                                                      \
    if (!done && nt > i && cfg_.mmu.tlb[i].level == 1 && cfg_.mmu.tlb[i].a.ways >= 2)                                \
        done = dup_entry(r->mmu_top__DOT__u_lookup__DOT__g_tlb__BRA__##i##__KET____DOT__g_arr__DOT__u_sa__DOT__ent_q,           \
                         r->mmu_top__DOT__u_lookup__DOT__g_tlb__BRA__##i##__KET____DOT__g_arr__DOT__u_sa__DOT__val_q, i, \
                         cfg_.mmu.tlb[i].a.entries / cfg_.mmu.tlb[i].a.ways, cfg_.mmu.tlb[i].a.ways, va, what,       \
                         sizeof what);
#if MMU_RTL_TLB0_ENTRIES
        TB_DUP(0)
#endif
#if MMU_RTL_TLB1_ENTRIES
        TB_DUP(1)
#endif
#if MMU_RTL_TLB2_ENTRIES
        TB_DUP(2)
#endif
#if MMU_RTL_TLB3_ENTRIES
        TB_DUP(3)
#endif
#if MMU_RTL_TLB4_ENTRIES
        TB_DUP(4)
#endif
#if MMU_RTL_TLB5_ENTRIES
        TB_DUP(5)
#endif
#if MMU_RTL_TLB6_ENTRIES
        TB_DUP(6)
#endif
#if MMU_RTL_TLB7_ENTRIES
        TB_DUP(7)
#endif
#if MMU_RTL_TLB8_ENTRIES
        TB_DUP(8)
#endif
#if MMU_RTL_TLB9_ENTRIES
        TB_DUP(9)
#endif
#if MMU_RTL_TLB10_ENTRIES
        TB_DUP(10)
#endif
#if MMU_RTL_TLB11_ENTRIES
        TB_DUP(11)
#endif
#undef TB_DUP
        if (!done)
            return false; // (no level-1 array with two ways, or none holds a valid entry yet)
        offer_read(in, unused_id(), va);
        std::snprintf(b, sizeof b, "%s; read of 0x%" PRIx64 " offered", what, va);
    } else {
        return false;
    }
    msg = b;
    return true;
}
