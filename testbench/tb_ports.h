// tb_ports.h - the ports of mmu_top as X-macros, so that the C-model wrapper,
// the environment's signals, the bindings, the scoreboard and the messages
// are all generated from one list (docs/timing.md section 2).
//
// X(type, name, width): `type` is the SystemC type Verilator gives a port of
// that width (1 bit bool, 2..32 uint32_t, 33..64 uint64_t); the RTL port is
// name##_i / name##_o; the C structures mmu_in_t / mmu_out_t have `name`.
#pragma once
#include <cstdint>

#include "mmu_types.h"

// Inputs shared by the DUT and the C model: the CPU side.
#define TB_CPU_INPUTS(X)                                                                                             \
    X(bool, req_valid, 1)                                                                                            \
    X(uint32_t, req_id, 16)                                                                                          \
    X(uint64_t, req_vaddr, 64)                                                                                       \
    X(uint32_t, req_acc, 2)                                                                                          \
    X(bool, req_user, 1)                                                                                             \
    X(bool, req_implicit, 1)                                                                                         \
    X(bool, ctl_valid, 1)                                                                                            \
    X(uint32_t, ctl_op, 3)                                                                                           \
    X(uint32_t, ctl_type, 2)                                                                                         \
    X(uint32_t, ctl_pcid, 12)                                                                                        \
    X(uint64_t, ctl_data, 64)                                                                                        \
    X(uint64_t, ctl_addr, 64)

// Inputs driven by each side's own memory model.
#define TB_MEM_INPUTS(X)                                                                                             \
    X(bool, mem_rsp_valid, 1)                                                                                        \
    X(uint32_t, mem_rsp_id, 4)                                                                                       \
    X(uint64_t, mem_rsp_data, 64)

// Outputs. G is the field of the same structure that qualifies the value:
// the scoreboard compares a port whose qualifier is `always` in every cycle,
// the others only in cycles where the qualifier is 1 on both sides.
#define TB_OUTPUTS(X)                                                                                                \
    X(bool, req_ready, 1, always)                                                                                    \
    X(bool, ctl_ready, 1, always)                                                                                    \
    X(bool, rsp_valid, 1, always)                                                                                    \
    X(uint32_t, rsp_id, 16, rsp_valid)                                                                               \
    X(uint64_t, rsp_paddr, 52, rsp_valid)                                                                            \
    X(uint32_t, rsp_size, 2, rsp_valid)                                                                              \
    X(uint32_t, rsp_fault, 2, rsp_valid)                                                                             \
    X(uint32_t, rsp_cause, 4, rsp_valid)                                                                             \
    X(uint32_t, rsp_err, 6, rsp_valid)                                                                               \
    X(uint64_t, rsp_fault_addr, 64, rsp_valid)                                                                       \
    X(uint32_t, rsp_src, 2, rsp_valid)                                                                               \
    X(uint32_t, rsp_pwc, 2, rsp_valid)                                                                               \
    X(bool, mem_req_valid, 1, always)                                                                                \
    X(bool, mem_req_we, 1, mem_req_valid)                                                                            \
    X(uint32_t, mem_req_id, 4, mem_req_valid)                                                                        \
    X(uint64_t, mem_req_addr, 52, mem_req_valid)                                                                     \
    X(uint64_t, mem_req_wdata, 64, mem_req_valid)

static constexpr uint64_t tb_width_mask(unsigned w) { return w >= 64 ? ~0ull : (1ull << w) - 1; }
