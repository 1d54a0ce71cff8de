// mmu_top.sv - the MMU, implementing docs/timing.md cycle for cycle: CR3
// and the mode bits, the control operations, the dispatch choice (which
// walker a miss joins or starts); it wires the components, each in its own
// module: the request table (mmu_rtable, u_rtable), the lookup stage with
// the TLB arrays and page-walk caches of the configured organisation
// (mmu_lookup, u_lookup), the walkers (mmu_walker, gen_walker[k]) and the
// memory-port arbiter (mmu_arb, u_arb). It is the RTL twin of model/mmu.c;
// the comments [T:...] name the contract's rules, the SDM references are
// to Intel SDM Vol. 3A chapter 4.
//
// Walk (SDM 4.5, 4-level paging):
//   1. canonical address, else #GP (SDM 3.3.7.1) - at the L1 lookup
//   2. the page-walk caches looked up in parallel at every level each holds;
//      start below the deepest hit, else read the PML4E at
//      CR3[M-1:12] + 8*VA[47:39]
//   3. each entry: P=0 -> #PF not present; reserved bit -> #PF RSVD
//      (SDM 4.5.4); R/W, U/S ANDed, XD ORed (SDM 4.6)
//   4. PDPTE.PS -> 1 GiB, PDE.PS -> 2 MiB, PTE -> 4 KiB
//   5. rights against the combined bits (SDM 4.6.1) -> #PF with P=1
//   6. A in every entry read that lacks it, D in the leaf on a write
//      (SDM 4.8): locked updates ([T:locked-update]), one at a time, top
//      level first; after a rights fault A in the non-leaf entries only
//      (SDM 4.8, Vol. 3A 6.15); an entry that changed since it was read
//      restarts the walk ([T:ad-check])
//   7. fill level 2, level 1 ([T:fill]: whole pages or pieces), the
//      page-walk caches; a fault invalidates the page's TLB entries, pieces
//      included, and the address's PWC entries (SDM 4.10.4.1, [T:inval-va])
//
// Organisation ([T:organisation]): two lists, as the C configuration's
// (model/mmu_config.h mmu_config_t.tlb[], .pwc[]). The TLB array at position
// i of the list is slot i (parameters TLB<i>_*, i = 0..11, instance
// u_lookup.g_tlb[i].g_arr.u_sa), the page-walk cache at position j is slot j
// (PWC<j>_*, j = 0..3, u_lookup.g_pwc[j].g_arr.u_sa); a slot with ENTRIES 0 has no
// array. testbench/tb_params.c and scripts/rtl-params map a configuration to
// these parameters; the defaults are the C model's default configuration
// (the skylake preset; scripts/rtl-params --check-defaults, ctest
// rtl_defaults).
//
// Written so that yosys 0.23 also reads it (scripts/area): package items as
// mmu_pkg::NAME (no import), no multi-dimensional packed arrays (per-port
// fields are flat vectors), no unpacked parameter arrays (the slots'
// parameters are packed into constant vectors, 32 bits a slot), unpacked
// arrays copied element by element, no int'() casts, assertions under
// `ifndef SYNTHESIS.

module mmu_top #(
  // TLB arrays: slot i is the i-th of the configuration's list (tlb.NAME.*,
  // docs/config.md). LEVEL 1 or 2; SERVES bit 1 << req_acc (0 load, 1 store,
  // 2 fetch); SIZES bit 0 4K, 1 2M, 2 1G; ENTRIES 0: no array; REPL 0 LRU,
  // 1 tree-PLRU, 2 LFSR; SPLINTER 1: larger pages held as pieces.
  parameter int unsigned N_TLB = 7,
  parameter int unsigned TLB0_LEVEL = 1,
  parameter int unsigned TLB0_SERVES = 4,
  parameter int unsigned TLB0_SIZES = 1,
  parameter int unsigned TLB0_ENTRIES = 128,
  parameter int unsigned TLB0_WAYS = 8,
  parameter int unsigned TLB0_REPL = 0,
  parameter int unsigned TLB0_LFSR_SEED = 'hACE1,
  parameter int unsigned TLB0_SPLINTER = 0,
  parameter int unsigned TLB1_LEVEL = 1,
  parameter int unsigned TLB1_SERVES = 4,
  parameter int unsigned TLB1_SIZES = 2,
  parameter int unsigned TLB1_ENTRIES = 8,
  parameter int unsigned TLB1_WAYS = 8,
  parameter int unsigned TLB1_REPL = 0,
  parameter int unsigned TLB1_LFSR_SEED = 'hACE1,
  parameter int unsigned TLB1_SPLINTER = 1,
  parameter int unsigned TLB2_LEVEL = 1,
  parameter int unsigned TLB2_SERVES = 3,
  parameter int unsigned TLB2_SIZES = 1,
  parameter int unsigned TLB2_ENTRIES = 64,
  parameter int unsigned TLB2_WAYS = 4,
  parameter int unsigned TLB2_REPL = 0,
  parameter int unsigned TLB2_LFSR_SEED = 'hACE1,
  parameter int unsigned TLB2_SPLINTER = 0,
  parameter int unsigned TLB3_LEVEL = 1,
  parameter int unsigned TLB3_SERVES = 3,
  parameter int unsigned TLB3_SIZES = 2,
  parameter int unsigned TLB3_ENTRIES = 32,
  parameter int unsigned TLB3_WAYS = 4,
  parameter int unsigned TLB3_REPL = 0,
  parameter int unsigned TLB3_LFSR_SEED = 'hACE1,
  parameter int unsigned TLB3_SPLINTER = 0,
  parameter int unsigned TLB4_LEVEL = 1,
  parameter int unsigned TLB4_SERVES = 3,
  parameter int unsigned TLB4_SIZES = 4,
  parameter int unsigned TLB4_ENTRIES = 4,
  parameter int unsigned TLB4_WAYS = 4,
  parameter int unsigned TLB4_REPL = 0,
  parameter int unsigned TLB4_LFSR_SEED = 'hACE1,
  parameter int unsigned TLB4_SPLINTER = 0,
  parameter int unsigned TLB5_LEVEL = 2,
  parameter int unsigned TLB5_SERVES = 7,
  parameter int unsigned TLB5_SIZES = 3,
  parameter int unsigned TLB5_ENTRIES = 1536,
  parameter int unsigned TLB5_WAYS = 12,
  parameter int unsigned TLB5_REPL = 0,
  parameter int unsigned TLB5_LFSR_SEED = 'hACE1,
  parameter int unsigned TLB5_SPLINTER = 0,
  parameter int unsigned TLB6_LEVEL = 2,
  parameter int unsigned TLB6_SERVES = 7,
  parameter int unsigned TLB6_SIZES = 4,
  parameter int unsigned TLB6_ENTRIES = 16,
  parameter int unsigned TLB6_WAYS = 4,
  parameter int unsigned TLB6_REPL = 0,
  parameter int unsigned TLB6_LFSR_SEED = 'hACE1,
  parameter int unsigned TLB6_SPLINTER = 0,
  parameter int unsigned TLB7_LEVEL = 1,
  parameter int unsigned TLB7_SERVES = 0,
  parameter int unsigned TLB7_SIZES = 0,
  parameter int unsigned TLB7_ENTRIES = 0,
  parameter int unsigned TLB7_WAYS = 1,
  parameter int unsigned TLB7_REPL = 0,
  parameter int unsigned TLB7_LFSR_SEED = 'hACE1,
  parameter int unsigned TLB7_SPLINTER = 0,
  parameter int unsigned TLB8_LEVEL = 1,
  parameter int unsigned TLB8_SERVES = 0,
  parameter int unsigned TLB8_SIZES = 0,
  parameter int unsigned TLB8_ENTRIES = 0,
  parameter int unsigned TLB8_WAYS = 1,
  parameter int unsigned TLB8_REPL = 0,
  parameter int unsigned TLB8_LFSR_SEED = 'hACE1,
  parameter int unsigned TLB8_SPLINTER = 0,
  parameter int unsigned TLB9_LEVEL = 1,
  parameter int unsigned TLB9_SERVES = 0,
  parameter int unsigned TLB9_SIZES = 0,
  parameter int unsigned TLB9_ENTRIES = 0,
  parameter int unsigned TLB9_WAYS = 1,
  parameter int unsigned TLB9_REPL = 0,
  parameter int unsigned TLB9_LFSR_SEED = 'hACE1,
  parameter int unsigned TLB9_SPLINTER = 0,
  parameter int unsigned TLB10_LEVEL = 1,
  parameter int unsigned TLB10_SERVES = 0,
  parameter int unsigned TLB10_SIZES = 0,
  parameter int unsigned TLB10_ENTRIES = 0,
  parameter int unsigned TLB10_WAYS = 1,
  parameter int unsigned TLB10_REPL = 0,
  parameter int unsigned TLB10_LFSR_SEED = 'hACE1,
  parameter int unsigned TLB10_SPLINTER = 0,
  parameter int unsigned TLB11_LEVEL = 1,
  parameter int unsigned TLB11_SERVES = 0,
  parameter int unsigned TLB11_SIZES = 0,
  parameter int unsigned TLB11_ENTRIES = 0,
  parameter int unsigned TLB11_WAYS = 1,
  parameter int unsigned TLB11_REPL = 0,
  parameter int unsigned TLB11_LFSR_SEED = 'hACE1,
  parameter int unsigned TLB11_SPLINTER = 0,
  // page-walk caches: slot j is the j-th of the list (pwc.NAME.*); LEVELS
  // bit 0 PML4E, 1 PDPTE, 2 PDE
  parameter int unsigned N_PWC = 3,
  parameter int unsigned PWC0_LEVELS = 1,
  parameter int unsigned PWC0_ENTRIES = 2,
  parameter int unsigned PWC0_WAYS = 2,
  parameter int unsigned PWC0_REPL = 0,
  parameter int unsigned PWC0_LFSR_SEED = 'hACE1,
  parameter int unsigned PWC1_LEVELS = 2,
  parameter int unsigned PWC1_ENTRIES = 4,
  parameter int unsigned PWC1_WAYS = 4,
  parameter int unsigned PWC1_REPL = 0,
  parameter int unsigned PWC1_LFSR_SEED = 'hACE1,
  parameter int unsigned PWC2_LEVELS = 4,
  parameter int unsigned PWC2_ENTRIES = 32,
  parameter int unsigned PWC2_WAYS = 4,
  parameter int unsigned PWC2_REPL = 0,
  parameter int unsigned PWC2_LFSR_SEED = 'hACE1,
  parameter int unsigned PWC3_LEVELS = 0,
  parameter int unsigned PWC3_ENTRIES = 0,
  parameter int unsigned PWC3_WAYS = 1,
  parameter int unsigned PWC3_REPL = 0,
  parameter int unsigned PWC3_LFSR_SEED = 'hACE1,
  // the one latency of the level-1 arrays, the level-2 arrays, the PWCs
  // (timing.md 3: L1_LAT, L2_LAT, PWC_LAT)
  parameter int unsigned LAT_L1 = 1,
  parameter int unsigned LAT_L2 = 9,
  parameter int unsigned LAT_PWC = 1,
  parameter int unsigned WALKERS = 2,
  parameter int unsigned OUTSTANDING = 16,
  parameter int unsigned MAXPHYADDR = 46
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // translation requests
  input  logic        req_valid_i,
  output logic        req_ready_o,
  input  logic [15:0] req_id_i,
  input  logic [63:0] req_vaddr_i,
  input  logic [1:0]  req_acc_i,
  input  logic        req_user_i,
  input  logic        req_implicit_i,  // implicit supervisor-mode access [T:implicit]
  // control
  input  logic        ctl_valid_i,
  output logic        ctl_ready_o,
  input  logic [2:0]  ctl_op_i,
  input  logic [1:0]  ctl_type_i,
  input  logic [11:0] ctl_pcid_i,
  input  logic [63:0] ctl_data_i,
  input  logic [63:0] ctl_addr_i,
  // page-walk memory port
  output logic        mem_req_valid_o,
  output logic        mem_req_we_o,
  output logic [3:0]  mem_req_id_o,
  output logic [51:0] mem_req_addr_o,
  output logic [63:0] mem_req_wdata_o,
  input  logic        mem_rsp_valid_i,
  input  logic [3:0]  mem_rsp_id_i,
  input  logic [63:0] mem_rsp_data_i,
  // responses
  output logic        rsp_valid_o,
  output logic [15:0] rsp_id_o,
  output logic [51:0] rsp_paddr_o,
  output logic [1:0]  rsp_size_o,
  output logic [1:0]  rsp_fault_o,
  output logic [3:0]  rsp_cause_o,
  output logic [5:0]  rsp_err_o,
  output logic [63:0] rsp_fault_addr_o,
  output logic [1:0]  rsp_src_o,
  output logic [1:0]  rsp_pwc_o,
  // debug read of the arrays (testbench end-of-test compare; no effect on
  // the MMU): array id as model/mmu.h mmu_array() (0 .. N_TLB-1 the TLB
  // slots, then the PWC slots), index set*ways+way
  input  logic [3:0]  dbg_arr_i,
  input  logic [15:0] dbg_idx_i,
  output logic [mmu_pkg::SA_ENTRY_W-1:0] dbg_entry_o,
  output logic [7:0]  dbg_age_o,
  output logic [63:0] dbg_plru_o,
  output logic [15:0] dbg_lfsr_o
);

  localparam int unsigned RT  = OUTSTANDING;
  localparam int unsigned NW  = WALKERS;
  localparam int unsigned RTIW = (RT > 1) ? $clog2(RT) : 1;       // request-table index width
  localparam int unsigned NWIW = (NW > 1) ? $clog2(NW) : 1;       // walker index width
  localparam logic [51:0] AMASK = 52'(((64'd1 << MAXPHYADDR) - 1) & ~64'hFFF);
  localparam int unsigned EW = mmu_pkg::SA_ENTRY_W;               // array entry width
  localparam int unsigned NT = 12;                                // TLB slots
  localparam int unsigned NP = 4;                                 // PWC slots

  // The slots' parameters as constant vectors, 32 bits a slot: field F of
  // slot i is TLB_F_V[i*32 +: 32] (generate loops and unrolled loops index
  // them with constants; yosys 0.23 reads no unpacked parameter arrays).
  // SETS: entries / ways (1 for no array).
  localparam logic [NT*32-1:0] TLB_LEVEL_V =
      ((NT*32)'(TLB0_LEVEL) << 0) |
      ((NT*32)'(TLB1_LEVEL) << 32) |
      ((NT*32)'(TLB2_LEVEL) << 64) |
      ((NT*32)'(TLB3_LEVEL) << 96) |
      ((NT*32)'(TLB4_LEVEL) << 128) |
      ((NT*32)'(TLB5_LEVEL) << 160) |
      ((NT*32)'(TLB6_LEVEL) << 192) |
      ((NT*32)'(TLB7_LEVEL) << 224) |
      ((NT*32)'(TLB8_LEVEL) << 256) |
      ((NT*32)'(TLB9_LEVEL) << 288) |
      ((NT*32)'(TLB10_LEVEL) << 320) |
      ((NT*32)'(TLB11_LEVEL) << 352);
  localparam logic [NT*32-1:0] TLB_SERVES_V =
      ((NT*32)'(TLB0_SERVES) << 0) |
      ((NT*32)'(TLB1_SERVES) << 32) |
      ((NT*32)'(TLB2_SERVES) << 64) |
      ((NT*32)'(TLB3_SERVES) << 96) |
      ((NT*32)'(TLB4_SERVES) << 128) |
      ((NT*32)'(TLB5_SERVES) << 160) |
      ((NT*32)'(TLB6_SERVES) << 192) |
      ((NT*32)'(TLB7_SERVES) << 224) |
      ((NT*32)'(TLB8_SERVES) << 256) |
      ((NT*32)'(TLB9_SERVES) << 288) |
      ((NT*32)'(TLB10_SERVES) << 320) |
      ((NT*32)'(TLB11_SERVES) << 352);
  localparam logic [NT*32-1:0] TLB_SIZES_V =
      ((NT*32)'(TLB0_SIZES) << 0) |
      ((NT*32)'(TLB1_SIZES) << 32) |
      ((NT*32)'(TLB2_SIZES) << 64) |
      ((NT*32)'(TLB3_SIZES) << 96) |
      ((NT*32)'(TLB4_SIZES) << 128) |
      ((NT*32)'(TLB5_SIZES) << 160) |
      ((NT*32)'(TLB6_SIZES) << 192) |
      ((NT*32)'(TLB7_SIZES) << 224) |
      ((NT*32)'(TLB8_SIZES) << 256) |
      ((NT*32)'(TLB9_SIZES) << 288) |
      ((NT*32)'(TLB10_SIZES) << 320) |
      ((NT*32)'(TLB11_SIZES) << 352);
  localparam logic [NT*32-1:0] TLB_ENTRIES_V =
      ((NT*32)'(TLB0_ENTRIES) << 0) |
      ((NT*32)'(TLB1_ENTRIES) << 32) |
      ((NT*32)'(TLB2_ENTRIES) << 64) |
      ((NT*32)'(TLB3_ENTRIES) << 96) |
      ((NT*32)'(TLB4_ENTRIES) << 128) |
      ((NT*32)'(TLB5_ENTRIES) << 160) |
      ((NT*32)'(TLB6_ENTRIES) << 192) |
      ((NT*32)'(TLB7_ENTRIES) << 224) |
      ((NT*32)'(TLB8_ENTRIES) << 256) |
      ((NT*32)'(TLB9_ENTRIES) << 288) |
      ((NT*32)'(TLB10_ENTRIES) << 320) |
      ((NT*32)'(TLB11_ENTRIES) << 352);
  localparam logic [NT*32-1:0] TLB_WAYS_V =
      ((NT*32)'(TLB0_WAYS) << 0) |
      ((NT*32)'(TLB1_WAYS) << 32) |
      ((NT*32)'(TLB2_WAYS) << 64) |
      ((NT*32)'(TLB3_WAYS) << 96) |
      ((NT*32)'(TLB4_WAYS) << 128) |
      ((NT*32)'(TLB5_WAYS) << 160) |
      ((NT*32)'(TLB6_WAYS) << 192) |
      ((NT*32)'(TLB7_WAYS) << 224) |
      ((NT*32)'(TLB8_WAYS) << 256) |
      ((NT*32)'(TLB9_WAYS) << 288) |
      ((NT*32)'(TLB10_WAYS) << 320) |
      ((NT*32)'(TLB11_WAYS) << 352);
  localparam logic [NT*32-1:0] TLB_REPL_V =
      ((NT*32)'(TLB0_REPL) << 0) |
      ((NT*32)'(TLB1_REPL) << 32) |
      ((NT*32)'(TLB2_REPL) << 64) |
      ((NT*32)'(TLB3_REPL) << 96) |
      ((NT*32)'(TLB4_REPL) << 128) |
      ((NT*32)'(TLB5_REPL) << 160) |
      ((NT*32)'(TLB6_REPL) << 192) |
      ((NT*32)'(TLB7_REPL) << 224) |
      ((NT*32)'(TLB8_REPL) << 256) |
      ((NT*32)'(TLB9_REPL) << 288) |
      ((NT*32)'(TLB10_REPL) << 320) |
      ((NT*32)'(TLB11_REPL) << 352);
  localparam logic [NT*32-1:0] TLB_LFSR_SEED_V =
      ((NT*32)'(TLB0_LFSR_SEED) << 0) |
      ((NT*32)'(TLB1_LFSR_SEED) << 32) |
      ((NT*32)'(TLB2_LFSR_SEED) << 64) |
      ((NT*32)'(TLB3_LFSR_SEED) << 96) |
      ((NT*32)'(TLB4_LFSR_SEED) << 128) |
      ((NT*32)'(TLB5_LFSR_SEED) << 160) |
      ((NT*32)'(TLB6_LFSR_SEED) << 192) |
      ((NT*32)'(TLB7_LFSR_SEED) << 224) |
      ((NT*32)'(TLB8_LFSR_SEED) << 256) |
      ((NT*32)'(TLB9_LFSR_SEED) << 288) |
      ((NT*32)'(TLB10_LFSR_SEED) << 320) |
      ((NT*32)'(TLB11_LFSR_SEED) << 352);
  localparam logic [NT*32-1:0] TLB_SPLINTER_V =
      ((NT*32)'(TLB0_SPLINTER) << 0) |
      ((NT*32)'(TLB1_SPLINTER) << 32) |
      ((NT*32)'(TLB2_SPLINTER) << 64) |
      ((NT*32)'(TLB3_SPLINTER) << 96) |
      ((NT*32)'(TLB4_SPLINTER) << 128) |
      ((NT*32)'(TLB5_SPLINTER) << 160) |
      ((NT*32)'(TLB6_SPLINTER) << 192) |
      ((NT*32)'(TLB7_SPLINTER) << 224) |
      ((NT*32)'(TLB8_SPLINTER) << 256) |
      ((NT*32)'(TLB9_SPLINTER) << 288) |
      ((NT*32)'(TLB10_SPLINTER) << 320) |
      ((NT*32)'(TLB11_SPLINTER) << 352);
  localparam logic [NT*32-1:0] TLB_SETS_V =
      ((NT*32)'(32'((TLB0_ENTRIES == 0 || TLB0_WAYS == 0) ? 1 : TLB0_ENTRIES / TLB0_WAYS)) << 0) |
      ((NT*32)'(32'((TLB1_ENTRIES == 0 || TLB1_WAYS == 0) ? 1 : TLB1_ENTRIES / TLB1_WAYS)) << 32) |
      ((NT*32)'(32'((TLB2_ENTRIES == 0 || TLB2_WAYS == 0) ? 1 : TLB2_ENTRIES / TLB2_WAYS)) << 64) |
      ((NT*32)'(32'((TLB3_ENTRIES == 0 || TLB3_WAYS == 0) ? 1 : TLB3_ENTRIES / TLB3_WAYS)) << 96) |
      ((NT*32)'(32'((TLB4_ENTRIES == 0 || TLB4_WAYS == 0) ? 1 : TLB4_ENTRIES / TLB4_WAYS)) << 128) |
      ((NT*32)'(32'((TLB5_ENTRIES == 0 || TLB5_WAYS == 0) ? 1 : TLB5_ENTRIES / TLB5_WAYS)) << 160) |
      ((NT*32)'(32'((TLB6_ENTRIES == 0 || TLB6_WAYS == 0) ? 1 : TLB6_ENTRIES / TLB6_WAYS)) << 192) |
      ((NT*32)'(32'((TLB7_ENTRIES == 0 || TLB7_WAYS == 0) ? 1 : TLB7_ENTRIES / TLB7_WAYS)) << 224) |
      ((NT*32)'(32'((TLB8_ENTRIES == 0 || TLB8_WAYS == 0) ? 1 : TLB8_ENTRIES / TLB8_WAYS)) << 256) |
      ((NT*32)'(32'((TLB9_ENTRIES == 0 || TLB9_WAYS == 0) ? 1 : TLB9_ENTRIES / TLB9_WAYS)) << 288) |
      ((NT*32)'(32'((TLB10_ENTRIES == 0 || TLB10_WAYS == 0) ? 1 : TLB10_ENTRIES / TLB10_WAYS)) << 320) |
      ((NT*32)'(32'((TLB11_ENTRIES == 0 || TLB11_WAYS == 0) ? 1 : TLB11_ENTRIES / TLB11_WAYS)) << 352);
  localparam logic [NP*32-1:0] PWC_LEVELS_V =
      ((NP*32)'(PWC0_LEVELS) << 0) |
      ((NP*32)'(PWC1_LEVELS) << 32) |
      ((NP*32)'(PWC2_LEVELS) << 64) |
      ((NP*32)'(PWC3_LEVELS) << 96);
  localparam logic [NP*32-1:0] PWC_ENTRIES_V =
      ((NP*32)'(PWC0_ENTRIES) << 0) |
      ((NP*32)'(PWC1_ENTRIES) << 32) |
      ((NP*32)'(PWC2_ENTRIES) << 64) |
      ((NP*32)'(PWC3_ENTRIES) << 96);
  localparam logic [NP*32-1:0] PWC_WAYS_V =
      ((NP*32)'(PWC0_WAYS) << 0) |
      ((NP*32)'(PWC1_WAYS) << 32) |
      ((NP*32)'(PWC2_WAYS) << 64) |
      ((NP*32)'(PWC3_WAYS) << 96);
  localparam logic [NP*32-1:0] PWC_REPL_V =
      ((NP*32)'(PWC0_REPL) << 0) |
      ((NP*32)'(PWC1_REPL) << 32) |
      ((NP*32)'(PWC2_REPL) << 64) |
      ((NP*32)'(PWC3_REPL) << 96);
  localparam logic [NP*32-1:0] PWC_LFSR_SEED_V =
      ((NP*32)'(PWC0_LFSR_SEED) << 0) |
      ((NP*32)'(PWC1_LFSR_SEED) << 32) |
      ((NP*32)'(PWC2_LFSR_SEED) << 64) |
      ((NP*32)'(PWC3_LFSR_SEED) << 96);
  localparam logic [NP*32-1:0] PWC_SETS_V =
      ((NP*32)'(32'((PWC0_ENTRIES == 0 || PWC0_WAYS == 0) ? 1 : PWC0_ENTRIES / PWC0_WAYS)) << 0) |
      ((NP*32)'(32'((PWC1_ENTRIES == 0 || PWC1_WAYS == 0) ? 1 : PWC1_ENTRIES / PWC1_WAYS)) << 32) |
      ((NP*32)'(32'((PWC2_ENTRIES == 0 || PWC2_WAYS == 0) ? 1 : PWC2_ENTRIES / PWC2_WAYS)) << 64) |
      ((NP*32)'(32'((PWC3_ENTRIES == 0 || PWC3_WAYS == 0) ? 1 : PWC3_ENTRIES / PWC3_WAYS)) << 96);

  // ------------------------------------------------------------------ state
  logic [63:0] cr3_q, cr3_d;
  logic [7:0]  mode_q, mode_d;

  // walkers (mmu_walker, one per walker): what each is doing, its memory
  // request and, in the cycle its walk completes, its result. What goes to
  // mmu_rtable and mmu_lookup is a flat vector (walker k's field F bits
  // wide at [k*F +: F]), as their ports.
  mmu_pkg::walker_state_e w_state [NW];
  logic [NW*64-1:0]   w_va;
  logic [NW*2-1:0]    w_acc;
  logic          w_user    [NW];
  logic          w_impl    [NW];
  logic [NW*12-1:0]   w_pcid;
  logic [NW-1:0] w_pwc_due;
  logic [NW-1:0] w_want;
  logic          w_we      [NW];
  logic [51:0]   w_addr    [NW];
  logic [63:0]   w_wdata   [NW];
  logic [NW-1:0] w_start, w_pwc, w_grant, w_rsp;
  logic [NW-1:0] complete;
  logic [NW*2-1:0]    r_fault;
  logic [NW*4-1:0]    r_cause;
  logic [NW*2-1:0]    w_size;
  logic [NW*52-1:0]   w_frame;
  logic [NW*6-1:0]    w_tflags;
  logic [NW*2-1:0]    w_pwchit;
  logic [NW*3-1:0]    w_leaf;
  logic [NW*5-1:0]    w_read;
  logic [NW*3*52-1:0] w_pwc_data;
  logic [NW*3*6-1:0]  w_pwc_cum;

  // ---------------------------------------------------------- helpers
  logic [11:0] cur_pcid;
  assign cur_pcid = mode_q[mmu_pkg::MODE_PCIDE] ? cr3_q[11:0] : 12'd0;

  // ---------------------------------------------------------- request table
  // [T:request] .. [T:complete]: entries, the lookups' delay lines, the miss
  // queue, the responses (mmu_rtable, model/rtable.c)
  logic [6:0]  rt_count;
  logic        l1_v, l1_user, l1_impl, st_v, st_user, st_impl;
  logic [63:0] l1_va, st_va;
  logic [1:0]  l1_acc, st_acc;
  logic        l1_hit, l2_hit;     // a usable hit of the lookup due now (mmu_lookup)
  logic [EW-1:0] l1_ent, l2_ent;
  logic        disp_v, disp_join, disp_start;
  logic [63:0] disp_va;
  logic [1:0]  disp_acc;
  logic        disp_user, disp_impl;
  logic [NWIW-1:0] disp_w;

  mmu_rtable #(
    .OUTSTANDING(OUTSTANDING), .WALKERS(WALKERS), .LAT_L1(LAT_L1), .LAT_L2(LAT_L2), .RTIW(RTIW), .NWIW(NWIW)
  ) u_rtable (
    .clk_i, .rst_ni, .mode_i(mode_q),
    .req_valid_i, .req_ready_o, .req_id_i, .req_vaddr_i, .req_acc_i, .req_user_i, .req_implicit_i,
    .count_o(rt_count),
    .rsp_valid_o, .rsp_id_o, .rsp_paddr_o, .rsp_size_o, .rsp_fault_o, .rsp_cause_o, .rsp_err_o, .rsp_fault_addr_o,
    .rsp_src_o, .rsp_pwc_o,
    .l1_v_o(l1_v), .l1_va_o(l1_va), .l1_acc_o(l1_acc), .l1_user_o(l1_user), .l1_impl_o(l1_impl),
    .l1_hit_i(l1_hit), .l1_ent_i(l1_ent),
    .st_v_o(st_v), .st_va_o(st_va), .st_acc_o(st_acc), .st_user_o(st_user), .st_impl_o(st_impl),
    .l2_hit_i(l2_hit), .l2_ent_i(l2_ent),
    .disp_v_o(disp_v), .disp_va_o(disp_va), .disp_acc_o(disp_acc), .disp_user_o(disp_user),
    .disp_impl_o(disp_impl), .disp_join_i(disp_join), .disp_start_i(disp_start), .disp_w_i(disp_w),
    .w_complete_i(complete), .w_fault_i(r_fault), .w_cause_i(r_cause), .w_size_i(w_size), .w_frame_i(w_frame),
    .w_pwchit_i(w_pwchit)
  );

  // ------------------------------------------------------------ outputs
  logic       grant_v;
  logic [NWIW-1:0] grant;

  always_comb begin : outputs
    // [T:control] only when nothing is outstanding
    ctl_ready_o = rt_count == 7'd0;
    // [T:memory port] the granted walker's request (mmu_arb below)
    mem_req_valid_o = grant_v;
    mem_req_we_o    = grant_v && w_we[grant];
    mem_req_id_o    = grant_v ? 4'(grant) : '0;
    mem_req_addr_o  = grant_v ? w_addr[grant] : '0;
    mem_req_wdata_o = (grant_v && w_we[grant]) ? w_wdata[grant] : '0;
  end

  // ---------------------------------------------- dispatch, the PWC lookup
  logic        pwc_v;     // a PWC lookup is due
  logic [NWIW-1:0] pwc_w;  // for this walker
  logic [63:0] pwc_va;
  logic [11:0] pwc_lk_pcid;

  always_comb begin : dispatch
    // [T:dispatch] the oldest miss joins a walk of its page or starts one
    disp_join = 1'b0;
    disp_start = 1'b0;
    disp_w = '0;
    if (disp_v) begin
      for (int k = NW - 1; k >= 0; k--) begin
        if (w_state[k] != mmu_pkg::W_IDLE && w_va[k*64 + 12 +: 36] == disp_va[47:12] &&
            w_pcid[k*12 +: 12] == cur_pcid &&
            w_acc[k*2 +: 2] == disp_acc && w_user[k] == disp_user &&
            w_impl[k] == disp_impl) begin
          disp_join = 1'b1;
          disp_w = NWIW'(k);
        end
      end
      if (!disp_join) begin
        for (int k = NW - 1; k >= 0; k--) begin
          if (w_state[k] == mmu_pkg::W_IDLE) begin
            disp_start = 1'b1;
            disp_w = NWIW'(k);
          end
        end
      end
    end
    // [T:lookup] PWC: a walk started now (LAT_PWC = 1) or one whose timer ran out
    pwc_v = 1'b0;
    pwc_w = '0;
    pwc_va = '0;
    pwc_lk_pcid = '0;
    if (LAT_PWC == 1) begin
      if (disp_start) begin
        pwc_v = 1'b1;
        pwc_w = disp_w;
        pwc_va = disp_va;
        pwc_lk_pcid = cur_pcid;
      end
    end else begin
      for (int k = NW - 1; k >= 0; k--) begin
        if (w_pwc_due[k]) begin
          pwc_v = 1'b1;
          pwc_w = NWIW'(k);
          pwc_va = w_va[k*64 +: 64];
          pwc_lk_pcid = w_pcid[k*12 +: 12];
        end
      end
    end
  end

  // ---------------------------------------------------------- lookup stage
  // [T:organisation] [T:lookup] [T:fill] [T:inval-va]: the TLB arrays and
  // page-walk caches, their lookups, fills and invalidations (mmu_lookup,
  // model/lookup.c)
  logic [1:0]  pwc_res_hit;    // 0 none, 1 PML4E, 2 PDPTE, 3 PDE (the deepest)
  logic [51:0] pwc_res_table;
  logic [5:0]  pwc_res_cum;
  // control invalidations (9): decoded in `control` below
  logic        ctl_va_inv, ctl_va_kg;
  logic [11:0] ctl_va_pcid;
  logic        tlb_ctl, pwc_ctl;
  logic [1:0]  tlb_ctl_kind, pwc_ctl_kind;
  logic [11:0] tlb_ctl_pcid, pwc_ctl_pcid;

  mmu_lookup #(
    .WALKERS(WALKERS), .N_TLB(N_TLB), .N_PWC(N_PWC),
    .TLB_LEVEL_V(TLB_LEVEL_V), .TLB_SERVES_V(TLB_SERVES_V), .TLB_SIZES_V(TLB_SIZES_V),
    .TLB_ENTRIES_V(TLB_ENTRIES_V), .TLB_WAYS_V(TLB_WAYS_V), .TLB_REPL_V(TLB_REPL_V),
    .TLB_LFSR_SEED_V(TLB_LFSR_SEED_V), .TLB_SPLINTER_V(TLB_SPLINTER_V), .TLB_SETS_V(TLB_SETS_V),
    .PWC_LEVELS_V(PWC_LEVELS_V), .PWC_ENTRIES_V(PWC_ENTRIES_V), .PWC_WAYS_V(PWC_WAYS_V),
    .PWC_REPL_V(PWC_REPL_V), .PWC_LFSR_SEED_V(PWC_LFSR_SEED_V), .PWC_SETS_V(PWC_SETS_V)
  ) u_lookup (
    .clk_i, .rst_ni, .mode_i(mode_q), .cur_pcid_i(cur_pcid),
    .l1_v_i(l1_v), .l1_va_i(l1_va), .l1_acc_i(l1_acc), .l1_user_i(l1_user), .l1_impl_i(l1_impl),
    .l1_hit_o(l1_hit), .l1_ent_o(l1_ent),
    .st_v_i(st_v), .st_va_i(st_va), .st_acc_i(st_acc), .st_user_i(st_user), .st_impl_i(st_impl),
    .l2_hit_o(l2_hit), .l2_ent_o(l2_ent),
    .pwc_v_i(pwc_v), .pwc_va_i(pwc_va), .pwc_pcid_i(pwc_lk_pcid),
    .pwc_hit_o(pwc_res_hit), .pwc_table_o(pwc_res_table), .pwc_cum_o(pwc_res_cum),
    .w_complete_i(complete), .w_fault_i(r_fault), .w_va_i(w_va), .w_acc_i(w_acc), .w_pcid_i(w_pcid),
    .w_size_i(w_size), .w_frame_i(w_frame), .w_tflags_i(w_tflags), .w_leaf_i(w_leaf), .w_read_i(w_read),
    .w_pwc_data_i(w_pwc_data), .w_pwc_cum_i(w_pwc_cum),
    .ctl_va_inv_i(ctl_va_inv), .ctl_va_i(ctl_addr_i), .ctl_va_pcid_i(ctl_va_pcid), .ctl_va_keep_global_i(ctl_va_kg),
    .tlb_ctl_i(tlb_ctl), .tlb_ctl_kind_i(tlb_ctl_kind), .tlb_ctl_pcid_i(tlb_ctl_pcid),
    .pwc_ctl_i(pwc_ctl), .pwc_ctl_kind_i(pwc_ctl_kind), .pwc_ctl_pcid_i(pwc_ctl_pcid),
    .dbg_arr_i, .dbg_idx_i, .dbg_entry_o, .dbg_age_o, .dbg_plru_o, .dbg_lfsr_o
  );

  // ---------------------------------------------------------------- walkers
  // per walker: started by a dispatch, its PWC lookup, the port, responses
  always_comb begin : walker_inputs
    for (int k = 0; k < NW; k++) begin
      w_start[k] = disp_start && 32'(disp_w) == k;
      w_pwc[k]   = pwc_v && 32'(pwc_w) == k;
      w_grant[k] = grant_v && 32'(grant) == k;
      w_rsp[k]   = mem_rsp_valid_i && 32'(mem_rsp_id_i) == k;
    end
  end

  for (genvar k = 0; k < NW; k++) begin : gen_walker
    mmu_walker #(
      .ID(k), .LAT_PWC(LAT_PWC), .MAXPHYADDR(MAXPHYADDR)
    ) u_walker (
      .clk_i, .rst_ni,
      .mode_i(mode_q), .cr3_base_i(cr3_q[51:0] & AMASK),
      .start_i(w_start[k]), .start_va_i(disp_va), .start_acc_i(disp_acc),
      .start_user_i(disp_user), .start_impl_i(disp_impl), .start_pcid_i(cur_pcid),
      .pwc_i(w_pwc[k]), .pwc_hit_i(pwc_res_hit), .pwc_table_i(pwc_res_table), .pwc_cum_i(pwc_res_cum),
      .grant_i(w_grant[k]), .rsp_i(w_rsp[k]), .rsp_data_i(mem_rsp_data_i),
      .mem_want_o(w_want[k]), .mem_we_o(w_we[k]), .mem_addr_o(w_addr[k]), .mem_wdata_o(w_wdata[k]),
      .state_o(w_state[k]), .va_o(w_va[k*64 +: 64]), .acc_o(w_acc[k*2 +: 2]), .user_o(w_user[k]),
      .impl_o(w_impl[k]), .pcid_o(w_pcid[k*12 +: 12]), .pwc_due_o(w_pwc_due[k]),
      .complete_o(complete[k]), .fault_o(r_fault[k*2 +: 2]), .cause_o(r_cause[k*4 +: 4]),
      .size_o(w_size[k*2 +: 2]), .frame_o(w_frame[k*52 +: 52]), .tflags_o(w_tflags[k*6 +: 6]),
      .pwchit_o(w_pwchit[k*2 +: 2]), .leaf_o(w_leaf[k*3 +: 3]), .read_o(w_read[k*5 +: 5]),
      .pwc_data_o(w_pwc_data[k*156 +: 156]), .pwc_cum_o(w_pwc_cum[k*18 +: 18])
    );
  end

  // [T:memory port] round robin among the walkers that want the port
  mmu_arb #(.NW(NW), .NWIW(NWIW)) u_arb (
    .clk_i, .rst_ni, .req_i(w_want), .grant_v_o(grant_v), .grant_o(grant)
  );

  // ------------------------------------------------------------ control
  // 9. [T:control] a control operation (only when nothing is outstanding,
  // SDM 4.10.4.1): CR3 and the mode bits, the invalidations it asks of
  // mmu_lookup (by address, and of whole arrays)
  always_comb begin : control
    cr3_d = cr3_q;
    mode_d = mode_q;
    tlb_ctl = 1'b0;
    tlb_ctl_kind = '0;
    tlb_ctl_pcid = '0;
    pwc_ctl = 1'b0;
    pwc_ctl_kind = '0;
    pwc_ctl_pcid = '0;
    // INVLPG and INVPCID type 0 of a canonical address: the TLB entries of
    // that page (mmu_lookup's invalidation port NW). INVLPG: the current
    // PCID, global entries too; INVPCID 0: PCID p, not global.
    ctl_va_inv = ctl_valid_i && ctl_ready_o && mmu_pkg::canonical(ctl_addr_i) &&
                 (ctl_op_i == mmu_pkg::CTL_INVLPG || (ctl_op_i == mmu_pkg::CTL_INVPCID && ctl_type_i == 2'd0));
    ctl_va_pcid = (ctl_op_i == mmu_pkg::CTL_INVLPG) ? cur_pcid : ctl_pcid_i;
    ctl_va_kg = ctl_op_i == mmu_pkg::CTL_INVPCID;
    if (ctl_valid_i && ctl_ready_o) begin
      case (ctl_op_i)
        mmu_pkg::CTL_CR3: begin
          tlb_ctl = 1'b1;
          tlb_ctl_kind = mmu_pkg::INV_PCID_NONGLOBAL;
          pwc_ctl = 1'b1;
          pwc_ctl_kind = mmu_pkg::INV_PCID_ANY;
          if (mode_q[mmu_pkg::MODE_PCIDE]) begin
            tlb_ctl = !ctl_data_i[63];
            pwc_ctl = !ctl_data_i[63];
            tlb_ctl_pcid = ctl_data_i[11:0];
            pwc_ctl_pcid = ctl_data_i[11:0];
          end
          cr3_d = {1'b0, ctl_data_i[62:0]};
        end
        mmu_pkg::CTL_INVLPG: begin
          if (mmu_pkg::canonical(ctl_addr_i)) begin
            pwc_ctl = 1'b1;
            pwc_ctl_kind = mmu_pkg::INV_PCID_ANY;
            pwc_ctl_pcid = cur_pcid;
          end
        end
        mmu_pkg::CTL_INVPCID: begin
          case (ctl_type_i)
            2'd0: begin
              if (mmu_pkg::canonical(ctl_addr_i)) begin
                pwc_ctl = 1'b1;
                pwc_ctl_kind = mmu_pkg::INV_PCID_ANY;
                pwc_ctl_pcid = ctl_pcid_i;
              end
            end
            2'd1: begin
              tlb_ctl = 1'b1;
              tlb_ctl_kind = mmu_pkg::INV_PCID_NONGLOBAL;
              tlb_ctl_pcid = ctl_pcid_i;
              pwc_ctl = 1'b1;
              pwc_ctl_kind = mmu_pkg::INV_PCID_ANY;
              pwc_ctl_pcid = ctl_pcid_i;
            end
            2'd2: begin
              tlb_ctl = 1'b1;
              tlb_ctl_kind = mmu_pkg::INV_ALL;
              pwc_ctl = 1'b1;
              pwc_ctl_kind = mmu_pkg::INV_ALL;
            end
            default: begin
              tlb_ctl = 1'b1;
              tlb_ctl_kind = mmu_pkg::INV_NONGLOBAL;
              pwc_ctl = 1'b1;
              pwc_ctl_kind = mmu_pkg::INV_ALL;
            end
          endcase
        end
        mmu_pkg::CTL_MODE: begin
          if ((mode_q[mmu_pkg::MODE_PGE] != ctl_data_i[mmu_pkg::MODE_PGE]) ||
              (mode_q[mmu_pkg::MODE_NOPG1G] != ctl_data_i[mmu_pkg::MODE_NOPG1G]) ||
              (mode_q[mmu_pkg::MODE_PCIDE] && !ctl_data_i[mmu_pkg::MODE_PCIDE])) begin
            tlb_ctl = 1'b1;
            tlb_ctl_kind = mmu_pkg::INV_ALL;
            pwc_ctl = 1'b1;
            pwc_ctl_kind = mmu_pkg::INV_ALL;
          end else if (!mode_q[mmu_pkg::MODE_SMEP] && ctl_data_i[mmu_pkg::MODE_SMEP]) begin
            tlb_ctl = 1'b1;
            tlb_ctl_kind = mmu_pkg::INV_PCID_ANY;
            tlb_ctl_pcid = cur_pcid;
            pwc_ctl = 1'b1;
            pwc_ctl_kind = mmu_pkg::INV_PCID_ANY;
            pwc_ctl_pcid = cur_pcid;
          end
          mode_d = ctl_data_i[7:0];
        end
        default: ;
      endcase
    end
  end


  // -------------------------------------------------------------- registers
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      cr3_q <= '0;
      mode_q <= '0;
    end else begin
      cr3_q <= cr3_d;
      mode_q <= mode_d;
    end
  end

`ifndef SYNTHESIS
  // ------------------------------------------------------------ assertions
  // Each fires on a protocol violation or a broken invariant; see
  // docs/timing.md. They are live in the Verilator build (--assert).
  initial begin
    assert (OUTSTANDING >= 1 && OUTSTANDING <= 64) else $fatal(1, "mmu_top: OUTSTANDING must be 1..64");
    assert (WALKERS >= 1 && WALKERS <= 16) else $fatal(1, "mmu_top: WALKERS must be 1..16");
    assert (LAT_L1 >= 1 && LAT_L2 >= 1 && LAT_PWC >= 1) else $fatal(1, "mmu_top: latencies must be >= 1");
    assert (MAXPHYADDR >= 32 && MAXPHYADDR <= 52) else $fatal(1, "mmu_top: MAXPHYADDR must be 32..52");
  end

  // Assertion-only state, kept apart from the request table it checks: the
  // ids of the outstanding requests (docs/timing.md 2.1; a slot per request
  // the MMU may hold), and the control operation offered and not accepted
  // in the cycle before ([T:control-hold]).
  logic        so_v_q  [RT];
  logic [15:0] so_id_q [RT];
  logic        so_rsp_known, so_req_dup;
  int          so_free;
  logic        ctl_wait_q;
  logic [2:0]  ctl_op_q;
  logic [1:0]  ctl_type_q;
  logic [11:0] ctl_pcid_q;
  logic [63:0] ctl_data_q, ctl_addr_q;
  always_comb begin
    so_rsp_known = 1'b0;
    so_req_dup = 1'b0;
    so_free = -1;
    for (int i = RT - 1; i >= 0; i--) begin
      if (so_v_q[i] && so_id_q[i] == rsp_id_o) so_rsp_known = 1'b1;
      if (so_v_q[i] && so_id_q[i] == req_id_i && !(rsp_valid_o && rsp_id_o == req_id_i)) so_req_dup = 1'b1;
      if (!so_v_q[i]) so_free = i;
    end
  end
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      for (int i = 0; i < RT; i++) so_v_q[i] <= 1'b0;
      ctl_wait_q <= 1'b0;
    end else begin
      // a response frees its id's slot; an accepted request takes a slot
      // free at the start of the cycle
      for (int i = 0; i < RT; i++) if (rsp_valid_o && so_v_q[i] && so_id_q[i] == rsp_id_o) so_v_q[i] <= 1'b0;
      if (req_valid_i && req_ready_o && so_free >= 0) begin
        so_v_q[so_free] <= 1'b1;
        so_id_q[so_free] <= req_id_i;
      end
      ctl_wait_q <= ctl_valid_i && !ctl_ready_o;
    end
    ctl_op_q   <= ctl_op_i;
    ctl_type_q <= ctl_type_i;
    ctl_pcid_q <= ctl_pcid_i;
    ctl_data_q <= ctl_data_i;
    ctl_addr_q <= ctl_addr_i;
  end

  // Each assertion has a test that breaks it on purpose: mmulockstep
  // --break NAME (testbench/README.md), run by ctest -L lockstep.
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      // environment (docs/timing.md 2.5)
      assert (!(req_valid_i && ctl_valid_i)) else $error("mmu_top: req_valid and ctl_valid in one cycle");
      assert (!(req_valid_i && req_ready_o) || !so_req_dup)
        else $error("mmu_top: request id %0d accepted while a request with that id is outstanding", req_id_i);
      assert (!ctl_wait_q || (ctl_valid_i && ctl_op_i == ctl_op_q && ctl_type_i == ctl_type_q &&
                              ctl_pcid_i == ctl_pcid_q && ctl_data_i == ctl_data_q && ctl_addr_i == ctl_addr_q))
        else $error("mmu_top: control operation withdrawn or changed before it was accepted");
      assert (!mem_rsp_valid_i || (int'(mem_rsp_id_i) < NW && (w_state[NWIW'(mem_rsp_id_i)] == mmu_pkg::W_MEMWAIT ||
                                                               w_state[NWIW'(mem_rsp_id_i)] == mmu_pkg::W_ADWAIT)))
        else $error("mmu_top: memory response for walker %0d, which is not waiting", mem_rsp_id_i);
      assert (!(ctl_valid_i && ctl_ready_o) || (ctl_op_i >= mmu_pkg::CTL_CR3 && ctl_op_i <= mmu_pkg::CTL_MODE))
        else $error("mmu_top: unknown control operation %0d", ctl_op_i);
      // a response only for an outstanding request
      assert (!rsp_valid_o || so_rsp_known) else $error("mmu_top: response for id %0d, which is not outstanding", rsp_id_o);
    end
  end
`endif

endmodule
