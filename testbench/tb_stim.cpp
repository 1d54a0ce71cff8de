// tb_stim.cpp - the Stimulus book-keeping and the factory.
#include "tb_stim.h"

#include <cinttypes>
#include <cstdio>

bool Stimulus::observe(uint64_t t, const mmu_out_t &o, const mmu_in_t &in, std::string &err)
{
    if (in.req_valid && !o.req_ready)
        st_.offered_not_ready++;
    if (in.ctl_valid && !o.ctl_ready)
        st_.ctl_wait_cycles++;
    // the response of cycle t frees its id before a request of cycle t may reuse it
    if (o.rsp_valid) {
        auto it = pend_.find(o.rsp_id);
        if (it == pend_.end()) {
            char b[160];
            std::snprintf(b, sizeof b, "cycle %" PRIu64 ": response with id %u, which is not outstanding", t,
                          (unsigned)o.rsp_id);
            err = b;
            return false;
        }
        st_.responses++;
        st_.src[o.rsp_src & 3]++;
        st_.size[o.rsp_size & 3]++;
        if (o.rsp_src == MMU_SRC_WALK)
            st_.pwc[o.rsp_pwc & 3]++;
        if (o.rsp_cause < MMU_CAUSE_COUNT)
            st_.cause[o.rsp_cause]++;
        uint64_t lat = t - it->second.t;
        st_.lat_sum += lat;
        if (lat > st_.lat_max)
            st_.lat_max = lat;
        if (keep_records_)
            recs_.push_back(RspRecord{o.rsp_id, it->second.va, it->second.acc, it->second.user, it->second.t, t, o});
        pend_.erase(it);
    }
    if (in.req_valid && o.req_ready) {
        if (pend_.count(in.req_id)) {
            char b[160];
            std::snprintf(b, sizeof b, "cycle %" PRIu64 ": the stimulus reused id %u while it is outstanding", t,
                          (unsigned)in.req_id);
            err = b;
            return false;
        }
        pend_[in.req_id] = Pend{in.req_vaddr, t, in.req_acc, in.req_user};
        st_.accepted++;
        if (pend_.size() > st_.max_outstanding)
            st_.max_outstanding = pend_.size();
    }
    if (in.ctl_valid && o.ctl_ready) {
        st_.ctl[in.ctl_op <= 4 ? in.ctl_op : 0]++;
        if (in.ctl_op == MMU_CTL_INVPCID)
            st_.invpcid_type[in.ctl_type & 3]++;
        ctl_t_.push_back(t);
    }
    return true;
}

std::unique_ptr<Stimulus> make_stimulus(const std::string &test, const StimContext &c, std::string &err)
{
    if (test == "random")
        return make_random(c);
    if (test == "trace") {
        if (c.trace_path.empty()) {
            err = "--test trace needs --trace FILE";
            return nullptr;
        }
        return make_trace(c);
    }
    if (auto s = make_directed(test, c))
        return s;
    err = "unknown test '" + test + "' (random, trace, or one of --list-tests)";
    return nullptr;
}
