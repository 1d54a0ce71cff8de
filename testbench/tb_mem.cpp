// tb_mem.cpp - see tb_mem.h.
#include "tb_mem.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "paging.h"

bool MemLatency::parse(const std::string &s, std::string &err)
{
    text = s;
    auto num = [&](const std::string &v, uint32_t &out) {
        char *end;
        unsigned long x = std::strtoul(v.c_str(), &end, 10);
        if (v.empty() || *end || x < 1 || x > 100000)
            return false;
        out = (uint32_t)x;
        return true;
    };
    if (s == "random" || s == "mixed") {
        kind = PROFILE;
        w[0] = 40, w[1] = 35, w[2] = 20, w[3] = 5;
        return true;
    }
    if (s == "fast") {
        kind = PROFILE;
        w[0] = 80, w[1] = 15, w[2] = 5, w[3] = 0;
        return true;
    }
    if (s == "slow") {
        kind = PROFILE;
        w[0] = 10, w[1] = 20, w[2] = 40, w[3] = 30;
        return true;
    }
    std::string v = s.rfind("fixed:", 0) == 0 ? s.substr(6) : s;
    if (s.rfind("uniform:", 0) == 0) {
        std::string r = s.substr(8);
        size_t dash = r.find('-');
        if (dash != std::string::npos && num(r.substr(0, dash), lo) && num(r.substr(dash + 1), hi) && lo <= hi) {
            kind = UNIFORM;
            return true;
        }
    } else if (num(v, lo)) {
        kind = FIXED;
        hi = lo;
        return true;
    }
    err = "--mem-lat: expected N, fixed:N, uniform:A-B (1..100000), random, fast or slow; got '" + s + "'";
    return false;
}

uint32_t MemLatency::draw(Rng &r) const
{
    switch (kind) {
    case FIXED: return lo;
    case UNIFORM: return (uint32_t)r.range(lo, hi);
    case PROFILE:
    default: {
        static const uint32_t lo_[4] = {1, 4, 17, 65}, hi_[4] = {3, 16, 64, 400};
        unsigned b = r.weighted(w, 4);
        return (uint32_t)r.range(lo_[b], hi_[b]);
    }
    }
}

bool MemModel::tick(uint64_t t, const mmu_out_t &o, mmu_in_t &in, std::string &err)
{
    // the response of cycle t: the ready one with the smallest (ready, seq)
    int best = -1;
    for (size_t i = 0; i < q_.size(); i++)
        if (q_[i].ready <= t &&
            (best < 0 || q_[i].ready < q_[best].ready || (q_[i].ready == q_[best].ready && q_[i].seq < q_[best].seq)))
            best = (int)i;
    if (best >= 0) {
        in.mem_rsp_valid = true;
        in.mem_rsp_id = q_[best].id;
        in.mem_rsp_data = q_[best].data;
        q_.erase(q_.begin() + best);
        if (last_rsp_ + 1 == t)
            n_.back_to_back++;
        last_rsp_ = t;
    } else {
        // not valid: the payload is a don't-care, drive noise to catch an
        // MMU that uses it (the same noise on both sides); --no-noise: 0,
        // with the same draws, so that the latencies do not change
        in.mem_rsp_valid = false;
        const uint64_t id = rng_.next(), data = rng_.next();
        in.mem_rsp_id = noise_ ? (uint8_t)(id & 0xF) : 0;
        in.mem_rsp_data = noise_ ? data : 0;
    }
    // the request of cycle t
    if (o.mem_req_valid) {
        char b[200];
        if ((o.mem_req_addr & 7) || (maxphyaddr_ < 64 && (o.mem_req_addr >> maxphyaddr_))) {
            std::snprintf(b, sizeof b, "cycle %" PRIu64 ": memory request to 0x%" PRIx64 " (unaligned or beyond MAXPHYADDR)",
                          t, (uint64_t)o.mem_req_addr);
            err = b;
            return false;
        }
        // a read, or a locked A/D update (docs/timing.md [T:locked-update]):
        // A and D ORed in only if the entry is unchanged but for them; both
        // answered with the value before the request
        const uint64_t old = pmem_read64(mem_, o.mem_req_addr);
        if (o.mem_req_we) {
            const uint64_t upd = pg_locked_update(old, o.mem_req_wdata);
            if (upd != old && pmem_write64(mem_, o.mem_req_addr, upd) != 0) {
                err = "out of memory";
                return false;
            }
            n_.writes++;
        } else {
            n_.reads++;
        }
        q_.push_back(Pend{t + lat_.draw(rng_), seq_++, o.mem_req_id, old});
        if (q_.size() > n_.max_pending)
            n_.max_pending = q_.size();
    }
    return true;
}
