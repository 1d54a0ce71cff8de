// tb_cmodel.h - the C reference model (model/mmu.h) as an SC_MODULE with the
// ports of rtl/mmu_top.sv.
//
// At every rising edge of clk_i: while rst_ni = 0 the model is rebuilt in its
// reset state (mmu_create: arrays invalid, CR3 = 0, mode = 0, cycle 0);
// otherwise the inputs of the cycle that ends are applied with mmu_step().
// Then mmu_eval() gives the outputs of the new cycle, written to the output
// ports: Moore outputs that change only after a rising edge, like the RTL's.
#pragma once
#include <systemc.h>

#include <string>

#include "mmu.h"
#include "tb_ports.h"

// The debug read port of mmu_top (dbg_*): one way of one array, packed as
// rtl/mmu_pkg.sv sa_entry_t, MSB first {tag[35:0], data[51:0], pcid[11:0],
// asize[1:0], size[1:0], flags[5:0]} (flags 5:0, size 7:6, asize 9:8, pcid
// 21:10, data 73:22, tag 109:74).
constexpr int TB_SA_ENTRY_W = 110;
using tb_sa_bits = sc_bv<TB_SA_ENTRY_W>;

inline tb_sa_bits tb_sa_pack(const sa_entry_t &e)
{
    tb_sa_bits b;
    b.range(5, 0) = (unsigned)e.flags;
    b.range(7, 6) = (unsigned)e.size;
    b.range(9, 8) = (unsigned)e.asize;
    b.range(21, 10) = (unsigned)e.pcid;
    b.range(73, 22) = (uint64_t)e.data;
    b.range(109, 74) = (uint64_t)e.tag;
    return b;
}

inline sa_entry_t tb_sa_unpack(const tb_sa_bits &b)
{
    sa_entry_t e{};
    e.flags = (uint8_t)b.range(5, 0).to_uint();
    e.size = (uint8_t)b.range(7, 6).to_uint();
    e.asize = (uint8_t)b.range(9, 8).to_uint();
    e.pcid = (uint16_t)b.range(21, 10).to_uint();
    e.data = b.range(73, 22).to_uint64();
    e.tag = b.range(109, 74).to_uint64();
    return e;
}

// Facts the ports do not show, gathered from mmu_last_info() for the summary.
struct CModelStats {
    uint64_t responses = 0, joined = 0, soft_miss = 0, walk_reads = 0, walk_writes = 0;
};

SC_MODULE(CModel)
{
    sc_in<bool> clk_i;
    sc_in<bool> rst_ni;
#define TB_X(t, n, w) sc_in<t> n##_i;
    TB_CPU_INPUTS(TB_X)
    TB_MEM_INPUTS(TB_X)
#undef TB_X
#define TB_X(t, n, w, g) sc_out<t> n##_o;
    TB_OUTPUTS(TB_X)
#undef TB_X
    // debug read of the arrays, as mmu_top's (combinational, no effect)
    sc_in<uint32_t> dbg_arr_i;
    sc_in<uint32_t> dbg_idx_i;
    sc_out<tb_sa_bits> dbg_entry_o;
    sc_out<uint32_t> dbg_age_o;
    sc_out<uint64_t> dbg_plru_o;
    sc_out<uint32_t> dbg_lfsr_o;

    SC_HAS_PROCESS(CModel);
    CModel(sc_module_name nm, const mmu_config_t &cfg) : sc_module(nm), cfg_(cfg)
    {
        rebuild();
        SC_METHOD(on_posedge);
        sensitive << clk_i.pos();
        // no dont_initialize(): the first run writes the reset-state outputs
        SC_METHOD(dbg_eval);
        sensitive << dbg_arr_i << dbg_idx_i << dbg_ev_;
    }
    ~CModel() override { mmu_destroy(m_); }

    mmu_t *model() const { return m_; }
    const mmu_out_t &out() const { return out_; }
    // A protocol violation reported by mmu_step() (empty when none), and the
    // cycle it happened in.
    const std::string &error() const { return error_; }
    const CModelStats &stats() const { return stats_; }

  private:
    void rebuild()
    {
        char err[256];
        mmu_destroy(m_);
        m_ = nullptr;
        if (mmu_create(&cfg_, &m_, err, sizeof err) != 0) {
            // the configuration was checked before; this is an internal error
            SC_REPORT_FATAL("CModel", err);
        }
    }

    void on_posedge()
    {
        if (started_ && !rst_ni.read()) {
            rebuild();
        } else if (started_ && error_.empty()) {
            mmu_in_t in{};
#define TB_X(t, n, w) in.n = (decltype(in.n))n##_i.read();
            TB_CPU_INPUTS(TB_X)
            TB_MEM_INPUTS(TB_X)
#undef TB_X
            if (mmu_step(m_, &in) != 0) {
                error_ = mmu_error(m_);
            } else if (out_.rsp_valid) {
                const mmu_rsp_info_t *i = mmu_last_info(m_);
                stats_.responses++;
                stats_.joined += i->joined;
                stats_.soft_miss += i->soft_miss;
                stats_.walk_reads += i->mem_reads;
                stats_.walk_writes += i->mem_writes;
            }
        }
        started_ = true;
        mmu_eval(m_, &out_);
#define TB_X(t, n, w, g)                                                                                             \
    if (((uint64_t)out_.n & ~tb_width_mask(w)) && error_.empty())                                                    \
        error_ = "C model output " #n " = " + std::to_string((uint64_t)out_.n) + " does not fit in " #w " bits";    \
    n##_o.write((t)(out_.n & tb_width_mask(w)));
        TB_OUTPUTS(TB_X)
#undef TB_X
        dbg_ev_.notify(SC_ZERO_TIME); // the arrays may have changed: re-read the debug port
    }

    // mmu_top's debug_read: the way dbg_idx_i (set * ways + way) of array
    // dbg_arr_i (mmu_array() ids: the TLB arrays, then the page-walk
    // caches); zeros (and the LFSR) beyond the array; zeros for a disabled
    // one or an id beyond the lists
    void dbg_eval()
    {
        const uint32_t id = dbg_arr_i.read(), idx = dbg_idx_i.read();
        const sa_t *a = mmu_array(m_, id);
        sa_entry_t e{};
        uint32_t age = 0, lfsr = 0;
        uint64_t plru = 0;
        if (a && a->sets) {
            lfsr = a->lfsr;
            if (idx < a->sets * a->ways) {
                e = a->e[idx];
                age = a->age[idx];
                plru = a->plru[idx / a->ways];
            }
        }
        // This runs after every rising edge, but the port is read only at the
        // end of a test: skip the writes (and the sc_bv packing, about 3000
        // instructions, once as much as the rest of a C-model cycle) when
        // nothing changed. Writing an unchanged value has no effect anyway.
        if (dbg_written_ && e.flags == dbg_e_.flags && e.size == dbg_e_.size && e.asize == dbg_e_.asize &&
            e.pcid == dbg_e_.pcid &&
            e.data == dbg_e_.data && e.tag == dbg_e_.tag && age == dbg_age_ && plru == dbg_plru_ &&
            lfsr == dbg_lfsr_)
            return;
        dbg_written_ = true;
        dbg_e_ = e;
        dbg_age_ = age;
        dbg_plru_ = plru;
        dbg_lfsr_ = lfsr;
        dbg_entry_o.write(tb_sa_pack(e));
        dbg_age_o.write(age);
        dbg_plru_o.write(plru);
        dbg_lfsr_o.write(lfsr);
    }

    mmu_config_t cfg_;
    sc_event dbg_ev_;
    // what dbg_eval wrote last
    bool dbg_written_ = false;
    sa_entry_t dbg_e_{};
    uint32_t dbg_age_ = 0, dbg_lfsr_ = 0;
    uint64_t dbg_plru_ = 0;
    mmu_t *m_ = nullptr;
    mmu_out_t out_{};
    bool started_ = false;
    std::string error_;
    CModelStats stats_;
};
