// mmu_top.sv - the MMU: request table, the TLB arrays and page-walk caches
// of the configured organisation, walkers and control, implementing
// docs/timing.md cycle for cycle. It is the RTL twin of model/mmu.c (and
// of rtable.c and lookup.c); the comments [T:...] name the contract's
// rules, the SDM references are to Intel SDM Vol. 3A chapter 4.
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
// g_tlb[i].g_arr.u_sa), the page-walk cache at position j is slot j
// (PWC<j>_*, j = 0..3, g_pwc[j].g_arr.u_sa); a slot with ENTRIES 0 has no
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
  localparam int unsigned L1P = (LAT_L1 > 1) ? LAT_L1 - 1 : 1;  // L1 delay stages
  localparam int unsigned RTIW = (RT > 1) ? $clog2(RT) : 1;       // request-table index width
  localparam int unsigned NWIW = (NW > 1) ? $clog2(NW) : 1;       // walker index width
  localparam logic [51:0] AMASK = 52'(((64'd1 << MAXPHYADDR) - 1) & ~64'hFFF);
  localparam int unsigned EW = mmu_pkg::SA_ENTRY_W;               // array entry width
  localparam int unsigned WW = mmu_pkg::WAY_W;                    // way number width
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

  mmu_pkg::rt_state_e   rt_state_q  [RT];
  mmu_pkg::rt_state_e   rt_state_d  [RT];
  logic [1:0]  rt_acc_q    [RT];
  logic [1:0]  rt_acc_d    [RT];
  logic        rt_user_q   [RT];  // effective: req_user and not req_implicit
  logic        rt_user_d   [RT];
  logic        rt_impl_q   [RT];
  logic        rt_impl_d   [RT];
  logic [NWIW-1:0] rt_walker_q [RT];
  logic [NWIW-1:0] rt_walker_d [RT];
  logic [15:0] rt_id_q     [RT];
  logic [15:0] rt_id_d     [RT];
  logic [63:0] rt_va_q     [RT];
  logic [63:0] rt_va_d     [RT];
  logic [51:0] rt_paddr_q  [RT];
  logic [51:0] rt_paddr_d  [RT];
  logic [1:0]  rt_size_q   [RT];
  logic [1:0]  rt_size_d   [RT];
  logic [1:0]  rt_fault_q  [RT];
  logic [1:0]  rt_fault_d  [RT];
  mmu_pkg::cause_e      rt_cause_q  [RT];
  mmu_pkg::cause_e      rt_cause_d  [RT];
  logic [5:0]  rt_err_q    [RT];
  logic [5:0]  rt_err_d    [RT];
  logic [1:0]  rt_src_q    [RT];
  logic [1:0]  rt_src_d    [RT];
  logic [1:0]  rt_pwc_q    [RT];
  logic [1:0]  rt_pwc_d    [RT];
  logic [RT-1:0] rt_older_q [RT];  // rt_older_q[i][j]: j was accepted before i
  logic [RT-1:0] rt_older_d [RT];

  // delay lines: L1 lookups (LAT_L1-1 stages) and level-2 lookups (LAT_L2)
  logic        l1p_v_q   [L1P];
  logic        l1p_v_d   [L1P];
  logic [RTIW-1:0] l1p_idx_q [L1P];
  logic [RTIW-1:0] l1p_idx_d [L1P];
  logic        stp_v_q   [LAT_L2];
  logic        stp_v_d   [LAT_L2];
  logic [RTIW-1:0] stp_idx_q [LAT_L2];
  logic [RTIW-1:0] stp_idx_d [LAT_L2];

  // miss queue (in order)
  logic [RTIW-1:0] mq_idx_q [RT];
  logic [RTIW-1:0] mq_idx_d [RT];
  logic [RTIW-1:0] mq_head_q, mq_head_d;
  logic [RTIW:0]   mq_cnt_q, mq_cnt_d;

  // walkers (mmu_walker, one per walker): what each is doing, its memory
  // request and, in the cycle its walk completes, its result
  mmu_pkg::walker_state_e w_state [NW];
  logic [63:0]   w_va      [NW];
  logic [1:0]    w_acc     [NW];
  logic          w_user    [NW];
  logic          w_impl    [NW];
  logic [11:0]   w_pcid    [NW];
  logic [NW-1:0] w_pwc_due;
  logic [NW-1:0] w_want;
  logic          w_we      [NW];
  logic [51:0]   w_addr    [NW];
  logic [63:0]   w_wdata   [NW];
  logic [NW-1:0] w_start, w_pwc, w_grant, w_rsp;
  logic [NW-1:0] complete;
  logic [1:0]    r_fault   [NW];
  mmu_pkg::cause_e r_cause [NW];
  logic [1:0]    w_size    [NW];
  logic [51:0]   w_frame   [NW];
  logic [5:0]    w_tflags  [NW];
  logic [1:0]    w_pwchit  [NW];
  logic [2:0]    w_leaf    [NW];
  logic [4:0]    w_read    [NW];
  logic [3*52-1:0] w_pwc_data [NW];
  logic [3*6-1:0]  w_pwc_cum  [NW];

  // ---------------------------------------------------------- helpers
  logic [11:0] cur_pcid;
  assign cur_pcid = mode_q[mmu_pkg::MODE_PCIDE] ? cr3_q[11:0] : 12'd0;

  // ------------------------------------------------------------ outputs
  logic [6:0] rt_count;
  logic       done_v;
  logic [RTIW-1:0] done_idx;
  logic       grant_v;
  logic [NWIW-1:0] grant;

  always_comb begin : outputs
    logic        older_done;
    older_done = 1'b0;
    rt_count = '0;
    for (int i = 0; i < RT; i++) if (rt_state_q[i] != mmu_pkg::RT_FREE) rt_count = rt_count + 7'd1;
    // [T:request] [T:control]
    req_ready_o = rt_count < 7'(OUTSTANDING);
    ctl_ready_o = rt_count == 7'd0;
    // [T:response] the oldest DONE entry
    done_v = 1'b0;
    done_idx = '0;
    for (int i = 0; i < RT; i++) begin
      if (rt_state_q[i] == mmu_pkg::RT_DONE) begin
        older_done = 1'b0;
        for (int j = 0; j < RT; j++)
          if (rt_state_q[j] == mmu_pkg::RT_DONE && rt_older_q[i][j]) older_done = 1'b1;
        if (!older_done) begin
          done_v = 1'b1;
          done_idx = RTIW'(i);
        end
      end
    end
    rsp_valid_o      = done_v;
    rsp_id_o         = done_v ? rt_id_q[done_idx] : '0;
    rsp_paddr_o      = done_v ? rt_paddr_q[done_idx] : '0;
    rsp_size_o       = done_v ? rt_size_q[done_idx] : '0;
    rsp_fault_o      = done_v ? rt_fault_q[done_idx] : '0;
    rsp_cause_o      = done_v ? rt_cause_q[done_idx] : mmu_pkg::CAUSE_NONE;
    rsp_err_o        = done_v ? rt_err_q[done_idx] : '0;
    rsp_fault_addr_o = (done_v && rt_fault_q[done_idx] != mmu_pkg::FAULT_NONE) ? rt_va_q[done_idx] : '0;
    rsp_src_o        = done_v ? rt_src_q[done_idx] : '0;
    rsp_pwc_o        = done_v ? rt_pwc_q[done_idx] : '0;
    // [T:memory port] the granted walker's request (mmu_arb below)
    mem_req_valid_o = grant_v;
    mem_req_we_o    = grant_v && w_we[grant];
    mem_req_id_o    = grant_v ? 4'(grant) : '0;
    mem_req_addr_o  = grant_v ? w_addr[grant] : '0;
    mem_req_wdata_o = (grant_v && w_we[grant]) ? w_wdata[grant] : '0;
  end

  // ------------------------------------------- what is looked up this cycle
  logic        acc_fire;
  logic [RTIW-1:0] alloc_idx;
  logic        l1_v;      // an L1 lookup is due
  logic [RTIW-1:0] l1_idx;
  logic [63:0] l1_va;
  logic [1:0]  l1_acc;
  logic        l1_user;
  logic        l1_impl;
  logic        st_v;      // a level-2 lookup is due
  logic [RTIW-1:0] st_idx;
  logic        disp_v, disp_join, disp_start;
  logic [RTIW-1:0] disp_idx;
  logic [NWIW-1:0] disp_w;
  logic        pwc_v;     // a PWC lookup is due
  logic [NWIW-1:0] pwc_w;  // for this walker
  logic [63:0] pwc_va;
  logic [11:0] pwc_lk_pcid;

  always_comb begin : select
    // [T:request] lowest free entry
    acc_fire = req_valid_i && req_ready_o;
    alloc_idx = '0;
    for (int i = RT - 1; i >= 0; i--) if (rt_state_q[i] == mmu_pkg::RT_FREE) alloc_idx = RTIW'(i);
    // [T:lookup] L1: on the request itself when LAT_L1 = 1
    if (LAT_L1 == 1) begin
      l1_v = acc_fire;
      l1_idx = alloc_idx;
      l1_va = req_vaddr_i;
      l1_acc = req_acc_i;
      l1_user = req_user_i && !req_implicit_i;
      l1_impl = req_implicit_i;
    end else begin
      l1_v = l1p_v_q[L1P-1];
      l1_idx = l1p_idx_q[L1P-1];
      l1_va = rt_va_q[l1_idx];
      l1_acc = rt_acc_q[l1_idx];
      l1_user = rt_user_q[l1_idx];
      l1_impl = rt_impl_q[l1_idx];
    end
    st_v = stp_v_q[LAT_L2-1];
    st_idx = stp_idx_q[LAT_L2-1];
    // [T:dispatch] the oldest miss joins a walk of its page or starts one
    disp_v = mq_cnt_q != 0;
    disp_idx = mq_idx_q[mq_head_q];
    disp_join = 1'b0;
    disp_start = 1'b0;
    disp_w = '0;
    if (disp_v) begin
      for (int k = NW - 1; k >= 0; k--) begin
        if (w_state[k] != mmu_pkg::W_IDLE && w_va[k][47:12] == rt_va_q[disp_idx][47:12] && w_pcid[k] == cur_pcid &&
            w_acc[k] == rt_acc_q[disp_idx] && w_user[k] == rt_user_q[disp_idx] &&
            w_impl[k] == rt_impl_q[disp_idx]) begin
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
        pwc_va = rt_va_q[disp_idx];
        pwc_lk_pcid = cur_pcid;
      end
    end else begin
      for (int k = NW - 1; k >= 0; k--) begin
        if (w_pwc_due[k]) begin
          pwc_v = 1'b1;
          pwc_w = NWIW'(k);
          pwc_va = w_va[k];
          pwc_lk_pcid = w_pcid[k];
        end
      end
    end
  end

  // ------------------------------------------------------------- arrays
  // [T:organisation] One mmu_sa per configured slot (g_tlb[i], g_pwc[j]).
  // Every TLB array of a level is looked up with that level's address (the
  // L1 lookup's, the level-2 lookup's) at each size it holds; every PWC with
  // the walk's address at each level it holds. Fields with one value per
  // port are flat vectors, as mmu_sa's ports: port p of a field F bits wide
  // is bits [p*F +: F]. Entries are EW-bit vectors in the layout of
  // mmu_pkg::sa_entry_t (mmu_pkg::sa_*).

  // [T:fill] Where a translation is filled, as model/lookup.c
  // lk_fill_target: at level lv for access kind acc and page size ps the
  // candidates are the level's enabled arrays that serve acc and hold ps
  // (the entry is the whole page); if there is none, those with splinter on
  // whose largest size below ps is the largest of all (the entry is the
  // piece of that size); of k candidates (slot order) the one numbered
  // (tag >> log2(sets of the first)) mod k, tag the entry's. All but the
  // choice among the candidates depends on parameters only, so it is a
  // constant table, FILL_INFO_V, computed at elaboration: for each (lv, acc,
  // ps), entry ((lv-1)*9 + acc*3 + ps), 32 bits: [11:0] the candidate
  // slots, [15:12] k, [20:16] log2 of the first candidate's sets, [22:21]
  // the entry's size, [23] 1 if some array takes it. (Computed in the
  // logic instead, with acc and ps as signals, the variable bit selects and
  // shifts it needs made yosys's `share` pass run out of 24 GB.)
  function automatic logic [18*32-1:0] fill_info_all();
    logic [NT-1:0] cand;
    int unsigned   k, best, q, sets;
    logic [4:0]    sh;
    logic          got;
    logic [1:0]    p;
    fill_info_all = '0;
    for (int unsigned lv = 1; lv <= 2; lv++) begin
      for (int unsigned acc = 0; acc < 3; acc++) begin
        for (int unsigned ps = 0; ps < 3; ps++) begin
          cand = '0;
          k = 0;
          for (int unsigned i = 0; i < NT; i++) begin
            if (TLB_ENTRIES_V[i*32 +: 32] != 0 && TLB_LEVEL_V[i*32 +: 32] == lv && TLB_SERVES_V[i*32 + acc] &&
                TLB_SIZES_V[i*32 + ps]) begin
              cand[i] = 1'b1;
              k = k + 1;
            end
          end
          p = 2'(ps);
          best = 0;  // 1 + the largest piece size so far, 0 none
          if (k == 0) begin
            for (int unsigned i = 0; i < NT; i++) begin
              if (TLB_ENTRIES_V[i*32 +: 32] != 0 && TLB_LEVEL_V[i*32 +: 32] == lv && TLB_SERVES_V[i*32 + acc] &&
                  TLB_SPLINTER_V[i*32 +: 32] != 0) begin
                q = 0;  // 1 + its largest size below ps
                for (int unsigned s = 0; s < 3; s++) begin
                  if (s < ps && TLB_SIZES_V[i*32 + s]) q = s + 1;
                end
                if (q != 0 && q > best) begin
                  best = q;
                  cand = '0;
                  k = 0;
                end
                if (q != 0 && q == best) begin
                  cand[i] = 1'b1;
                  k = k + 1;
                end
              end
            end
            if (best != 0) p = 2'(best - 1);
          end
          got = 1'b0;
          sets = 1;
          for (int unsigned i = 0; i < NT; i++) begin
            if (!got && cand[i]) begin
              got = 1'b1;
              sets = TLB_SETS_V[i*32 +: 32];
            end
          end
          sh = 0;
          for (int unsigned b = 0; b < 17; b++) begin
            if ((32'd1 << b) == sets) sh = 5'(b);
          end
          fill_info_all[((lv - 1)*9 + acc*3 + ps)*32 +: 32] = {8'd0, k != 0, p, sh, 4'(k), cand};
        end
      end
    end
  endfunction
  localparam logic [18*32-1:0] FILL_INFO_V = fill_info_all();

  // The same for the page-walk caches: for level pl (0 PML4E, 1 PDPTE,
  // 2 PDE), entry pl, 16 bits: [3:0] the PWCs that hold it, [6:4] k,
  // [11:7] log2 of the first one's sets, [12] 1 if some PWC holds it.
  function automatic logic [3*16-1:0] pwc_info_all();
    logic [NP-1:0] cand;
    int unsigned   k, sets;
    logic [4:0]    sh;
    logic          got;
    pwc_info_all = '0;
    for (int unsigned pl = 0; pl < 3; pl++) begin
      cand = '0;
      k = 0;
      got = 1'b0;
      sets = 1;
      for (int unsigned j = 0; j < NP; j++) begin
        if (PWC_ENTRIES_V[j*32 +: 32] != 0 && PWC_LEVELS_V[j*32 + pl]) begin
          cand[j] = 1'b1;
          k = k + 1;
          if (!got) sets = PWC_SETS_V[j*32 +: 32];
          got = 1'b1;
        end
      end
      sh = 0;
      for (int unsigned b = 0; b < 17; b++) begin
        if ((32'd1 << b) == sets) sh = 5'(b);
      end
      pwc_info_all[pl*16 +: 16] = {3'd0, k != 0, sh, 3'(k), cand};
    end
  endfunction
  localparam logic [3*16-1:0] PWC_INFO_V = pwc_info_all();

  // Of the candidates cand (k of them, slot order), the one numbered
  // (x >> sh) mod k: the bits above the first candidate's set index
  // (written with constant shifts and a bitwise remainder: no `%`, no
  // variable shift, which yosys's `share` pass handles badly).
  function automatic logic [3:0] choose(input logic [NT-1:0] cand, input logic [3:0] k, input logic [4:0] sh,
                                        input logic [35:0] x);
    logic [35:0] y;
    logic [4:0]  r;
    logic [3:0]  n;
    y = x;
    for (int unsigned b = 1; b < 17; b++) begin
      if (32'(sh) == b) y = x >> b;
    end
    r = '0;
    for (int b = 35; b >= 0; b--) begin
      r = {r[3:0], y[b]};
      if (k != 4'd0 && r >= {1'b0, k}) r = r - {1'b0, k};
    end
    choose = '0;
    n = '0;
    for (int unsigned i = 0; i < NT; i++) begin
      if (cand[i]) begin
        if ({1'b0, n} == r) choose = 4'(i);
        n = n + 4'd1;
      end
    end
  endfunction

  // [T:fill] the fill of a translation of page size ps at va, level lv, for
  // access kind acc: {1 if an array takes it, its slot, the entry's size}
  function automatic logic [6:0] fill_target(input int unsigned lv, input logic [1:0] acc, input logic [1:0] ps,
                                             input logic [63:0] va);
    logic [23:0] info;
    logic [1:0]  p;
    info = '0;
    for (int unsigned i = 0; i < 18; i++) begin
      if ((lv - 1)*9 + 32'(acc)*3 + 32'(ps) == i) info = FILL_INFO_V[i*32 +: 24];
    end
    p = info[22:21];
    fill_target = {info[23], choose(info[11:0], info[15:12], info[20:16], mmu_pkg::page_tag(va, p)), p};
  endfunction

  // The entry [T:fill] writes for the page (size ps, base frame) that
  // contains va, as size p (ps: the whole page; smaller: the piece that
  // contains va, page size ps kept for the response).
  function automatic logic [EW-1:0] fill_entry(input logic [63:0] va, input logic [1:0] ps, input logic [1:0] p,
                                               input logic [51:0] frame, input logic [11:0] pcid,
                                               input logic [5:0] flags);
    fill_entry = mmu_pkg::sa_pack(mmu_pkg::page_tag(va, p),
                                  frame + (va[51:0] & mmu_pkg::page_mask(ps) & ~mmu_pkg::page_mask(p)), pcid, ps, p,
                                  flags | 6'(1 << mmu_pkg::F_V));
  endfunction

  // [T:update] d. The page-walk cache that an entry of level pl (0 PML4E,
  // 1 PDPTE, 2 PDE) with tag `tag` goes to: {1 if a PWC holds the level, its
  // slot}; of k that hold it, number (tag >> log2(sets of the first)) mod k.
  function automatic logic [2:0] pwc_target(input logic [1:0] pl, input logic [35:0] tag);
    logic [12:0] info;
    info = '0;
    for (int unsigned i = 0; i < 3; i++) begin
      if (32'(pl) == i) info = PWC_INFO_V[i*16 +: 13];
    end
    pwc_target = {info[12], 2'(choose(NT'(info[3:0]), {1'b0, info[6:4]}, info[11:7], tag))};
  endfunction

  // 5.4: a lookup hit is usable if the access passes the rights check with
  // the entry's rights and, for a write, the entry has D = 1
  function automatic logic usable(input logic [7:0] mode, input logic [5:0] fl, input logic [1:0] acc,
                                  input logic user, input logic impl);
    usable = mmu_pkg::rights(mode, acc, user, impl, fl[mmu_pkg::F_RW], fl[mmu_pkg::F_US], fl[mmu_pkg::F_XD]) ==
             mmu_pkg::CAUSE_NONE && !(acc == mmu_pkg::ACC_WRITE && !fl[mmu_pkg::F_D]);
  endfunction

  // the lookup tags: the L1 lookup's and the level-2 lookup's address at each
  // page size, the PWC lookup's at each level
  logic [3*36-1:0] l1_tags, l2_tags, pwc_tags;
  always_comb begin : lookup_tags
    for (int s = 0; s < 3; s++) begin
      l1_tags[s*36 +: 36]  = mmu_pkg::page_tag(l1_va, 2'(s));
      l2_tags[s*36 +: 36]  = mmu_pkg::page_tag(rt_va_q[st_idx], 2'(s));
      pwc_tags[s*36 +: 36] = mmu_pkg::pwc_tag(pwc_va, 2'(s));
    end
  end

  // per TLB slot: the lookup results (size s at [s*.. +: ..])
  logic [2:0]    tlb_lk_hit [NT];
  logic [3*WW-1:0] tlb_lk_way [NT];
  logic [3*EW-1:0] tlb_lk_ent [NT];
  // per PWC slot: the lookup results (level l at [l*.. +: ..])
  logic [2:0]    pwc_lk_hit [NP];
  logic [3*WW-1:0] pwc_lk_way [NP];
  logic [3*EW-1:0] pwc_lk_ent [NP];

  // ------------------------------------------------------ TLB lookups
  // 6. [T:lookup] A level's lookup: the first usable hit (5.4) among the
  // level's arrays that serve the access, in slot order, the smallest size
  // first within an array; an entry that matched but may not be used is a
  // soft miss (the next size, the next array). Only the hit is touched.
  logic          l1_hit, l2_hit;     // a usable hit of the lookup due now
  logic [EW-1:0] l1_ent, l2_ent;
  logic [3:0]    l1_slot, l2_slot;
  logic [WW-1:0] l1_way, l2_way;
  // an access kind as the SERVES bit it needs (acc 3 serves nothing)
  function automatic logic [2:0] acc_bit(input logic [1:0] acc);
    acc_bit = (acc == 2'd0) ? 3'b001 : (acc == 2'd1) ? 3'b010 : (acc == 2'd2) ? 3'b100 : 3'b000;
  endfunction

  always_comb begin : tlb_lookup
    logic [EW-1:0] e;
    logic          l1_on, l2_on;
    l1_hit = 1'b0;
    l1_ent = '0;
    l1_slot = '0;
    l1_way = '0;
    l2_hit = 1'b0;
    l2_ent = '0;
    l2_slot = '0;
    l2_way = '0;
    e = '0;
    l1_on = l1_v && mmu_pkg::canonical(l1_va);  // a non-canonical address is a #GP, no lookup
    l2_on = st_v;
    for (int unsigned i = 0; i < NT; i++) begin
      for (int unsigned s = 0; s < 3; s++) begin
        e = tlb_lk_ent[i][s*EW +: EW];
        if (TLB_LEVEL_V[i*32 +: 32] == 1 && l1_on && !l1_hit && (TLB_SERVES_V[i*32 +: 3] & acc_bit(l1_acc)) != 0 &&
            tlb_lk_hit[i][s] && usable(mode_q, mmu_pkg::sa_flags(e), l1_acc, l1_user, l1_impl)) begin
          l1_hit = 1'b1;
          l1_ent = e;
          l1_slot = 4'(i);
          l1_way = tlb_lk_way[i][s*WW +: WW];
        end
        if (TLB_LEVEL_V[i*32 +: 32] == 2 && l2_on && !l2_hit &&
            (TLB_SERVES_V[i*32 +: 3] & acc_bit(rt_acc_q[st_idx])) != 0 &&
            tlb_lk_hit[i][s] &&
            usable(mode_q, mmu_pkg::sa_flags(e), rt_acc_q[st_idx], rt_user_q[st_idx], rt_impl_q[st_idx])) begin
          l2_hit = 1'b1;
          l2_ent = e;
          l2_slot = 4'(i);
          l2_way = tlb_lk_way[i][s*WW +: WW];
        end
      end
    end
  end

  // ------------------------------------------------------ PWC lookup
  // 6. [T:lookup] every PWC at every level it holds, with the walk's PCID:
  // the deepest hit of all (the first PWC's of equals) gives the table to
  // read next and the rights so far; each PWC that hit is touched at its
  // deepest hit (7a).
  logic [1:0]    pwc_res_hit;    // 0 none, 1 PML4E, 2 PDPTE, 3 PDE (the deepest)
  logic [51:0]   pwc_res_table;
  logic [5:0]    pwc_res_cum;
  logic          pwc_touch     [NP];
  logic [35:0]   pwc_touch_tag [NP];
  logic [WW-1:0] pwc_touch_way [NP];
  always_comb begin : pwc_lookup
    logic [1:0]    mine;  // this PWC: 1 + its deepest level hit, 0 none
    logic [EW-1:0] me;
    pwc_res_hit = '0;
    pwc_res_table = '0;
    pwc_res_cum = '0;
    mine = '0;
    me = '0;
    for (int unsigned j = 0; j < NP; j++) begin
      mine = '0;
      me = '0;
      pwc_touch_way[j] = '0;
      for (int unsigned l = 0; l < 3; l++) begin
        if (pwc_lk_hit[j][l]) begin
          mine = 2'(l + 1);
          me = pwc_lk_ent[j][l*EW +: EW];
          pwc_touch_way[j] = pwc_lk_way[j][l*WW +: WW];
        end
      end
      pwc_touch[j] = pwc_v && mine != 2'd0;
      pwc_touch_tag[j] = mmu_pkg::sa_tag(me);
      if (mine > pwc_res_hit) begin
        pwc_res_hit = mine;
        pwc_res_table = mmu_pkg::sa_data(me);
        pwc_res_cum = mmu_pkg::sa_flags(me) & 6'((1 << mmu_pkg::F_RW) | (1 << mmu_pkg::F_US) | (1 << mmu_pkg::F_XD));
      end
    end
  end

  // ------------------------------------------------------ TLB fills
  // 7c, 7d. [T:fill] Fill ports of a level-1 array: 0 the refill from a
  // level-2 hit, k+1 walker k's fill; of a level-2 array: k+1 walker k's
  // (0 unused). Each source names the one slot of the level it fills
  // (f1_slot, f2_slot); the slot's array takes the ports that name it.
  logic [NW:0]          f1_v, f2_v;
  logic [(NW+1)*4-1:0]  f1_slot, f2_slot;
  logic [(NW+1)*EW-1:0] f1_ent, f2_ent;
  always_comb begin : tlb_fills
    logic [6:0]  t;
    logic [1:0]  asz;
    logic [51:0] frame;
    f1_v = '0;
    f2_v = '0;
    f1_slot = '0;
    f2_slot = '0;
    f1_ent = '0;
    f2_ent = '0;
    t = '0;
    asz = '0;
    frame = '0;
    // c. the level-1 refill from a level-2 hit: the translation's whole
    // page (the entry's page size), frame = the entry's frame less the
    // piece's offset in the page
    if (l2_hit) begin
      asz = mmu_pkg::sa_asize(l2_ent);
      frame = mmu_pkg::sa_data(l2_ent) - (rt_va_q[st_idx][51:0] & mmu_pkg::page_mask(asz) &
                                          ~mmu_pkg::page_mask(mmu_pkg::sa_size(l2_ent)));
      t = fill_target(1, rt_acc_q[st_idx], asz, rt_va_q[st_idx]);
      f1_v[0] = t[6];
      f1_slot[0 +: 4] = t[5:2];
      f1_ent[0 +: EW] = fill_entry(rt_va_q[st_idx], asz, t[1:0], frame, mmu_pkg::sa_pcid(l2_ent),
                                   mmu_pkg::sa_flags(l2_ent));
    end
    // d. walks completing without a fault, in walker order: level 2, then
    // level 1 (different arrays: the order within a walk is free)
    for (int k = 0; k < NW; k++) begin
      if (complete[k] && r_fault[k] == mmu_pkg::FAULT_NONE) begin
        t = fill_target(2, w_acc[k], w_size[k], w_va[k]);
        f2_v[k + 1] = t[6];
        f2_slot[(k + 1)*4 +: 4] = t[5:2];
        f2_ent[(k + 1)*EW +: EW] = fill_entry(w_va[k], w_size[k], t[1:0], w_frame[k], w_pcid[k], w_tflags[k]);
        t = fill_target(1, w_acc[k], w_size[k], w_va[k]);
        f1_v[k + 1] = t[6];
        f1_slot[(k + 1)*4 +: 4] = t[5:2];
        f1_ent[(k + 1)*EW +: EW] = fill_entry(w_va[k], w_size[k], t[1:0], w_frame[k], w_pcid[k], w_tflags[k]);
      end
    end
  end

  // ------------------------------------------------------ PWC fills
  // 7d. each non-leaf entry a successful walk read (tag, next-table
  // address, rights down to that level, the walk's PCID), PML4E first, into
  // the PWC that takes its level: port k*3 + level of walker k.
  logic [NW*3-1:0]    pf_v;
  logic [NW*3*2-1:0]  pf_slot;
  logic [NW*3*EW-1:0] pf_ent;
  always_comb begin : pwc_fills
    logic [2:0]  t;
    logic [35:0] tag;
    pf_v = '0;
    pf_slot = '0;
    pf_ent = '0;
    t = '0;
    tag = '0;
    for (int k = 0; k < NW; k++) begin
      for (int pl = 0; pl < 3; pl++) begin
        // paging level 4 - pl (4 PML4E, 3 PDPTE, 2 PDE), above the leaf
        if (complete[k] && r_fault[k] == mmu_pkg::FAULT_NONE && 4 - pl > 32'(w_leaf[k]) && w_read[k][4 - pl]) begin
          tag = mmu_pkg::pwc_tag(w_va[k], 2'(pl));
          t = pwc_target(2'(pl), tag);
          pf_v[k*3 + pl] = t[2];
          pf_slot[(k*3 + pl)*2 +: 2] = t[1:0];
          pf_ent[(k*3 + pl)*EW +: EW] = mmu_pkg::sa_pack(tag, w_pwc_data[k][pl*52 +: 52], w_pcid[k], 2'd0, 2'(pl),
                                                         w_pwc_cum[k][pl*6 +: 6] | 6'(1 << mmu_pkg::F_V));
        end
      end
    end
  end

  // ------------------------------------------------------ invalidations
  // 7b. walks completing with a page fault (SDM 4.10.4.1), port k of every
  // array: the TLB entries for the faulting page, pieces included, and the
  // PWC entries for the address, with the walk's PCID ([T:inval-va]).
  // 9. INVLPG and INVPCID type 0 of a canonical address, TLB port NW (only
  // when nothing is outstanding: no walk completes in that cycle).
  logic [NW:0]            tlb_inv, tlb_inv_kg;
  logic [(NW+1)*3*36-1:0] tlb_inv_tag;
  logic [(NW+1)*12-1:0]   tlb_inv_pcid;
  logic [NW-1:0]          pwc_inv;
  logic [NW*3*36-1:0]     pwc_inv_tag;
  logic [NW*12-1:0]       pwc_inv_pcid;
  always_comb begin : inval
    tlb_inv = '0;
    tlb_inv_kg = '0;
    tlb_inv_tag = '0;
    tlb_inv_pcid = '0;
    pwc_inv = '0;
    pwc_inv_tag = '0;
    pwc_inv_pcid = '0;
    for (int k = 0; k < NW; k++) begin
      if (complete[k] && r_fault[k] == mmu_pkg::FAULT_PF) begin
        tlb_inv[k] = 1'b1;
        pwc_inv[k] = 1'b1;
        for (int s = 0; s < 3; s++) begin
          tlb_inv_tag[(3*k + s)*36 +: 36] = mmu_pkg::page_tag(w_va[k], 2'(s));
          pwc_inv_tag[(3*k + s)*36 +: 36] = mmu_pkg::pwc_tag(w_va[k], 2'(s));
        end
        tlb_inv_pcid[k*12 +: 12] = w_pcid[k];
        pwc_inv_pcid[k*12 +: 12] = w_pcid[k];
      end
    end
    if (ctl_valid_i && ctl_ready_o && mmu_pkg::canonical(ctl_addr_i) &&
        (ctl_op_i == mmu_pkg::CTL_INVLPG || (ctl_op_i == mmu_pkg::CTL_INVPCID && ctl_type_i == 2'd0))) begin
      // INVLPG: the current PCID, global entries too; INVPCID 0: PCID p, not global
      tlb_inv[NW] = 1'b1;
      for (int s = 0; s < 3; s++) tlb_inv_tag[(3*NW + s)*36 +: 36] = mmu_pkg::page_tag(ctl_addr_i, 2'(s));
      tlb_inv_pcid[NW*12 +: 12] = (ctl_op_i == mmu_pkg::CTL_INVLPG) ? cur_pcid : ctl_pcid_i;
      tlb_inv_kg[NW] = ctl_op_i == mmu_pkg::CTL_INVPCID;
    end
  end

  // control invalidations (9): decoded in `control` below
  logic       tlb_ctl, pwc_ctl;
  logic [1:0] tlb_ctl_kind, pwc_ctl_kind;
  logic [11:0] tlb_ctl_pcid, pwc_ctl_pcid;

  // debug reads, by slot: TLB slot i at i, PWC slot j at NT + j
  logic [EW-1:0] dbg_entry [NT+NP];
  logic [7:0]    dbg_age   [NT+NP];
  logic [63:0]   dbg_plru  [NT+NP];
  logic [15:0]   dbg_lfsr  [NT+NP];
  always_comb begin : debug_mux
    // array id as the C model's: 0 .. N_TLB-1 TLB slots, then the PWC slots
    dbg_entry_o = '0;
    dbg_age_o = '0;
    dbg_plru_o = '0;
    dbg_lfsr_o = '0;
    for (int unsigned i = 0; i < NT; i++) begin
      if (i < N_TLB && 32'(dbg_arr_i) == i) begin
        dbg_entry_o = dbg_entry[i];
        dbg_age_o = dbg_age[i];
        dbg_plru_o = dbg_plru[i];
        dbg_lfsr_o = dbg_lfsr[i];
      end
    end
    for (int unsigned j = 0; j < NP; j++) begin
      if (j < N_PWC && 32'(dbg_arr_i) == N_TLB + j) begin
        dbg_entry_o = dbg_entry[NT + j];
        dbg_age_o = dbg_age[NT + j];
        dbg_plru_o = dbg_plru[NT + j];
        dbg_lfsr_o = dbg_lfsr[NT + j];
      end
    end
  end

  for (genvar i = 0; i < NT; i++) begin : g_tlb
    localparam int unsigned LV = TLB_LEVEL_V[i*32 +: 32];
    if (TLB_ENTRIES_V[i*32 +: 32] != 0) begin : g_arr
      // the fill sources of this slot's level that name it
      logic [NW:0] fill;
      always_comb begin
        for (int p = 0; p <= NW; p++)
          fill[p] = (LV == 1) ? f1_v[p] && f1_slot[p*4 +: 4] == 4'(i) : f2_v[p] && f2_slot[p*4 +: 4] == 4'(i);
      end
      mmu_sa #(
        .ENTRIES(TLB_ENTRIES_V[i*32 +: 32]), .WAYS(TLB_WAYS_V[i*32 +: 32]), .REPL(TLB_REPL_V[i*32 +: 32]),
        .LFSR_SEED(TLB_LFSR_SEED_V[i*32 +: 32]), .SIZES(TLB_SIZES_V[i*32 +: 32]),
        .SPLINTER(TLB_SPLINTER_V[i*32 +: 32]), .NI(NW + 1), .NF(NW + 1)
      ) u_sa (
        .clk_i, .rst_ni,
        .lk_tag_i((LV == 1) ? l1_tags : l2_tags), .lk_pcid_i(cur_pcid),
        .lk_hit_o(tlb_lk_hit[i]), .lk_way_o(tlb_lk_way[i]), .lk_entry_o(tlb_lk_ent[i]),
        .touch_i((LV == 1) ? l1_hit && l1_slot == 4'(i) : l2_hit && l2_slot == 4'(i)),
        .touch_tag_i(mmu_pkg::sa_tag((LV == 1) ? l1_ent : l2_ent)), .touch_way_i((LV == 1) ? l1_way : l2_way),
        .inv_i(tlb_inv), .inv_tag_i(tlb_inv_tag), .inv_pcid_i(tlb_inv_pcid), .inv_keep_global_i(tlb_inv_kg),
        .fill_i(fill), .fill_entry_i((LV == 1) ? f1_ent : f2_ent),
        .ctl_inv_i(tlb_ctl), .ctl_kind_i(tlb_ctl_kind), .ctl_pcid_i(tlb_ctl_pcid),
        .dbg_idx_i, .dbg_entry_o(dbg_entry[i]), .dbg_age_o(dbg_age[i]), .dbg_plru_o(dbg_plru[i]),
        .dbg_lfsr_o(dbg_lfsr[i])
      );
    end else begin : g_none
      assign tlb_lk_hit[i] = '0;
      assign tlb_lk_way[i] = '0;
      assign tlb_lk_ent[i] = '0;
      assign dbg_entry[i] = '0;
      assign dbg_age[i] = '0;
      assign dbg_plru[i] = '0;
      assign dbg_lfsr[i] = '0;
    end
  end

  for (genvar j = 0; j < NP; j++) begin : g_pwc
    if (PWC_ENTRIES_V[j*32 +: 32] != 0) begin : g_arr
      logic [NW*3-1:0] fill;
      always_comb begin
        for (int q = 0; q < NW*3; q++) fill[q] = pf_v[q] && pf_slot[q*2 +: 2] == 2'(j);
      end
      mmu_sa #(
        .ENTRIES(PWC_ENTRIES_V[j*32 +: 32]), .WAYS(PWC_WAYS_V[j*32 +: 32]), .REPL(PWC_REPL_V[j*32 +: 32]),
        .LFSR_SEED(PWC_LFSR_SEED_V[j*32 +: 32]), .SIZES(PWC_LEVELS_V[j*32 +: 32]), .SPLINTER(0),
        .NI(NW), .NF(NW * 3)
      ) u_sa (
        .clk_i, .rst_ni,
        .lk_tag_i(pwc_tags), .lk_pcid_i(pwc_lk_pcid),
        .lk_hit_o(pwc_lk_hit[j]), .lk_way_o(pwc_lk_way[j]), .lk_entry_o(pwc_lk_ent[j]),
        .touch_i(pwc_touch[j]), .touch_tag_i(pwc_touch_tag[j]), .touch_way_i(pwc_touch_way[j]),
        .inv_i(pwc_inv), .inv_tag_i(pwc_inv_tag), .inv_pcid_i(pwc_inv_pcid), .inv_keep_global_i('0),
        .fill_i(fill), .fill_entry_i(pf_ent),
        .ctl_inv_i(pwc_ctl), .ctl_kind_i(pwc_ctl_kind), .ctl_pcid_i(pwc_ctl_pcid),
        .dbg_idx_i, .dbg_entry_o(dbg_entry[NT + j]), .dbg_age_o(dbg_age[NT + j]), .dbg_plru_o(dbg_plru[NT + j]),
        .dbg_lfsr_o(dbg_lfsr[NT + j])
      );
    end else begin : g_none
      assign pwc_lk_hit[j] = '0;
      assign pwc_lk_way[j] = '0;
      assign pwc_lk_ent[j] = '0;
      assign dbg_entry[NT + j] = '0;
      assign dbg_age[NT + j] = '0;
      assign dbg_plru[NT + j] = '0;
      assign dbg_lfsr[NT + j] = '0;
    end
  end

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
      .start_i(w_start[k]), .start_va_i(rt_va_q[disp_idx]), .start_acc_i(rt_acc_q[disp_idx]),
      .start_user_i(rt_user_q[disp_idx]), .start_impl_i(rt_impl_q[disp_idx]), .start_pcid_i(cur_pcid),
      .pwc_i(w_pwc[k]), .pwc_hit_i(pwc_res_hit), .pwc_table_i(pwc_res_table), .pwc_cum_i(pwc_res_cum),
      .grant_i(w_grant[k]), .rsp_i(w_rsp[k]), .rsp_data_i(mem_rsp_data_i),
      .mem_want_o(w_want[k]), .mem_we_o(w_we[k]), .mem_addr_o(w_addr[k]), .mem_wdata_o(w_wdata[k]),
      .state_o(w_state[k]), .va_o(w_va[k]), .acc_o(w_acc[k]), .user_o(w_user[k]), .impl_o(w_impl[k]),
      .pcid_o(w_pcid[k]), .pwc_due_o(w_pwc_due[k]),
      .complete_o(complete[k]), .fault_o(r_fault[k]), .cause_o(r_cause[k]), .size_o(w_size[k]),
      .frame_o(w_frame[k]), .tflags_o(w_tflags[k]), .pwchit_o(w_pwchit[k]), .leaf_o(w_leaf[k]),
      .read_o(w_read[k]), .pwc_data_o(w_pwc_data[k]), .pwc_cum_o(w_pwc_cum[k])
    );
  end

  // [T:memory port] round robin among the walkers that want the port
  mmu_arb #(.NW(NW), .NWIW(NWIW)) u_arb (
    .clk_i, .rst_ni, .req_i(w_want), .grant_v_o(grant_v), .grant_o(grant)
  );

  // ------------------------------------------------------------ control
  // 9. [T:control] a control operation (only when nothing is outstanding,
  // SDM 4.10.4.1): CR3 and the mode bits, the whole-array invalidations
  // (INVLPG's and INVPCID type 0's by address are in `inval`)
  always_comb begin : control
    cr3_d = cr3_q;
    mode_d = mode_q;
    tlb_ctl = 1'b0;
    tlb_ctl_kind = '0;
    tlb_ctl_pcid = '0;
    pwc_ctl = 1'b0;
    pwc_ctl_kind = '0;
    pwc_ctl_pcid = '0;
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

  // -------------------------------------------------- request table: next
  // The request table, its delay lines and the miss queue (model/rtable.c);
  // the lookups' results come from tlb_lookup, the walks' from the walkers.
  always_comb begin : next_state
    // defaults: hold (element by element: yosys 0.23 cannot copy whole
    // unpacked arrays)
    for (int i = 0; i < RT; i++) begin
      rt_state_d[i] = rt_state_q[i];
      rt_acc_d[i] = rt_acc_q[i];
      rt_user_d[i] = rt_user_q[i];
      rt_impl_d[i] = rt_impl_q[i];
      rt_walker_d[i] = rt_walker_q[i];
      rt_id_d[i] = rt_id_q[i];
      rt_va_d[i] = rt_va_q[i];
      rt_paddr_d[i] = rt_paddr_q[i];
      rt_size_d[i] = rt_size_q[i];
      rt_fault_d[i] = rt_fault_q[i];
      rt_cause_d[i] = rt_cause_q[i];
      rt_err_d[i] = rt_err_q[i];
      rt_src_d[i] = rt_src_q[i];
      rt_pwc_d[i] = rt_pwc_q[i];
      rt_older_d[i] = rt_older_q[i];
      mq_idx_d[i] = mq_idx_q[i];
    end
    mq_head_d = mq_head_q;
    mq_cnt_d = mq_cnt_q;

    // delay lines shift
    for (int i = L1P - 1; i > 0; i--) begin
      l1p_v_d[i] = l1p_v_q[i-1];
      l1p_idx_d[i] = l1p_idx_q[i-1];
    end
    l1p_v_d[0] = (LAT_L1 > 1) && acc_fire;
    l1p_idx_d[0] = alloc_idx;
    for (int i = LAT_L2 - 1; i > 0; i--) begin
      stp_v_d[i] = stp_v_q[i-1];
      stp_idx_d[i] = stp_idx_q[i-1];
    end
    stp_v_d[0] = 1'b0;
    stp_idx_d[0] = '0;

    // 1. [T:request] allocate the entry
    if (acc_fire) begin
      rt_state_d[alloc_idx] = mmu_pkg::RT_L1;
      rt_id_d[alloc_idx] = req_id_i;
      rt_va_d[alloc_idx] = req_vaddr_i;
      rt_acc_d[alloc_idx] = req_acc_i;
      rt_user_d[alloc_idx] = req_user_i && !req_implicit_i;  // [T:implicit]
      rt_impl_d[alloc_idx] = req_implicit_i;
      for (int j = 0; j < RT; j++) begin
        rt_older_d[alloc_idx][j] = (rt_state_q[j] != mmu_pkg::RT_FREE) && (j != 32'(alloc_idx));
        rt_older_d[j][alloc_idx] = 1'b0;
      end
    end

    // 2. [T:response] the answered entry is freed
    if (done_v) rt_state_d[done_idx] = mmu_pkg::RT_FREE;

    // 3., 4. [T:memory port] [T:walk]: in the walkers (mmu_walker) and the
    // arbiter (mmu_arb)

    // 5. [T:dispatch]
    if (disp_join) begin
      rt_state_d[disp_idx] = mmu_pkg::RT_WALK;
      rt_walker_d[disp_idx] = disp_w;
      mq_head_d = RTIW'((32'(mq_head_q) + 1) % RT);
      mq_cnt_d = mq_cnt_d - 1'b1;
    end else if (disp_start) begin
      rt_state_d[disp_idx] = mmu_pkg::RT_WALK;
      rt_walker_d[disp_idx] = disp_w;
      mq_head_d = RTIW'((32'(mq_head_q) + 1) % RT);
      mq_cnt_d = mq_cnt_d - 1'b1;
    end

    // 6. [T:lookup] L1: #GP, a hit (tlb_lookup), or on to level 2. A hit
    // answers with the frame + the offset in the entry (a piece's own) and
    // the page size of the translation.
    if (l1_v) begin
      if (!mmu_pkg::canonical(l1_va)) begin              // SDM 3.3.7.1
        rt_state_d[l1_idx] = mmu_pkg::RT_DONE;
        rt_fault_d[l1_idx] = mmu_pkg::FAULT_GP;
        rt_cause_d[l1_idx] = mmu_pkg::CAUSE_NONCANON;
        rt_size_d[l1_idx] = mmu_pkg::PS_NONE;
        rt_src_d[l1_idx] = mmu_pkg::SRC_NONE;
        rt_err_d[l1_idx] = '0;
        rt_paddr_d[l1_idx] = '0;
        rt_pwc_d[l1_idx] = '0;
      end else if (l1_hit) begin
        rt_state_d[l1_idx] = mmu_pkg::RT_DONE;
        rt_paddr_d[l1_idx] = mmu_pkg::sa_data(l1_ent) |
                             (l1_va[51:0] & mmu_pkg::page_mask(mmu_pkg::sa_size(l1_ent)));
        rt_size_d[l1_idx] = mmu_pkg::sa_asize(l1_ent);
        rt_fault_d[l1_idx] = mmu_pkg::FAULT_NONE;
        rt_cause_d[l1_idx] = mmu_pkg::CAUSE_NONE;
        rt_err_d[l1_idx] = '0;
        rt_src_d[l1_idx] = mmu_pkg::SRC_L1;
        rt_pwc_d[l1_idx] = '0;
      end else begin
        rt_state_d[l1_idx] = mmu_pkg::RT_STLB;
        stp_v_d[0] = 1'b1;
        stp_idx_d[0] = l1_idx;
      end
    end
    // level 2: a hit (its level-1 refill is in tlb_fills), or a miss
    if (st_v) begin
      if (l2_hit) begin
        rt_state_d[st_idx] = mmu_pkg::RT_DONE;
        rt_paddr_d[st_idx] = mmu_pkg::sa_data(l2_ent) |
                             (rt_va_q[st_idx][51:0] & mmu_pkg::page_mask(mmu_pkg::sa_size(l2_ent)));
        rt_size_d[st_idx] = mmu_pkg::sa_asize(l2_ent);
        rt_fault_d[st_idx] = mmu_pkg::FAULT_NONE;
        rt_cause_d[st_idx] = mmu_pkg::CAUSE_NONE;
        rt_err_d[st_idx] = '0;
        rt_src_d[st_idx] = mmu_pkg::SRC_STLB;
        rt_pwc_d[st_idx] = '0;
      end else begin
        rt_state_d[st_idx] = mmu_pkg::RT_MISS;
        mq_idx_d[RTIW'((32'(mq_head_q) + 32'(mq_cnt_q)) % RT)] = st_idx;
        mq_cnt_d = mq_cnt_d + 1'b1;
      end
    end

    // 7. [T:update]: the arrays' ports (tlb_fills, pwc_fills, inval)

    // 8. [T:complete] every waiter gets the walk's result
    for (int k = 0; k < NW; k++) begin
      if (complete[k]) begin
        for (int i = 0; i < RT; i++) begin
          if ((rt_state_q[i] == mmu_pkg::RT_WALK && 32'(rt_walker_q[i]) == k) ||
              ((disp_join || disp_start) && 32'(disp_idx) == i && 32'(disp_w) == k)) begin
            rt_state_d[i] = mmu_pkg::RT_DONE;
            rt_fault_d[i] = r_fault[k];
            rt_cause_d[i] = r_cause[k];
            rt_size_d[i] = w_size[k];
            rt_src_d[i] = mmu_pkg::SRC_WALK;
            rt_pwc_d[i] = w_pwchit[k];
            if (r_fault[k] == mmu_pkg::FAULT_NONE) begin
              rt_paddr_d[i] = w_frame[k] | (rt_va_q[i][51:0] & mmu_pkg::page_mask(w_size[k]));
              rt_err_d[i] = '0;
            end else begin
              rt_paddr_d[i] = '0;
              rt_err_d[i] = mmu_pkg::error_code(mode_q, rt_acc_q[i], rt_user_q[i], r_cause[k]);
            end
          end
        end
      end
    end
  end

  // -------------------------------------------------------------- registers
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      cr3_q <= '0;
      mode_q <= '0;
      for (int i = 0; i < RT; i++) begin
        rt_state_q[i] <= mmu_pkg::RT_FREE;
        rt_acc_q[i] <= '0;
        rt_user_q[i] <= 1'b0;
        rt_impl_q[i] <= 1'b0;
        rt_walker_q[i] <= '0;
        rt_id_q[i] <= '0;
        rt_va_q[i] <= '0;
        rt_paddr_q[i] <= '0;
        rt_size_q[i] <= '0;
        rt_fault_q[i] <= '0;
        rt_cause_q[i] <= mmu_pkg::CAUSE_NONE;
        rt_err_q[i] <= '0;
        rt_src_q[i] <= '0;
        rt_pwc_q[i] <= '0;
        rt_older_q[i] <= '0;
        mq_idx_q[i] <= '0;
      end
      for (int i = 0; i < L1P; i++) begin
        l1p_v_q[i] <= 1'b0;
        l1p_idx_q[i] <= '0;
      end
      for (int i = 0; i < LAT_L2; i++) begin
        stp_v_q[i] <= 1'b0;
        stp_idx_q[i] <= '0;
      end
      mq_head_q <= '0;
      mq_cnt_q <= '0;
    end else begin
      cr3_q <= cr3_d;
      mode_q <= mode_d;
      for (int i = 0; i < RT; i++) begin
        rt_state_q[i] <= rt_state_d[i];
        rt_acc_q[i] <= rt_acc_d[i];
        rt_user_q[i] <= rt_user_d[i];
        rt_impl_q[i] <= rt_impl_d[i];
        rt_walker_q[i] <= rt_walker_d[i];
        rt_id_q[i] <= rt_id_d[i];
        rt_va_q[i] <= rt_va_d[i];
        rt_paddr_q[i] <= rt_paddr_d[i];
        rt_size_q[i] <= rt_size_d[i];
        rt_fault_q[i] <= rt_fault_d[i];
        rt_cause_q[i] <= rt_cause_d[i];
        rt_err_q[i] <= rt_err_d[i];
        rt_src_q[i] <= rt_src_d[i];
        rt_pwc_q[i] <= rt_pwc_d[i];
        rt_older_q[i] <= rt_older_d[i];
        mq_idx_q[i] <= mq_idx_d[i];
      end
      for (int i = 0; i < L1P; i++) begin
        l1p_v_q[i] <= l1p_v_d[i];
        l1p_idx_q[i] <= l1p_idx_d[i];
      end
      for (int i = 0; i < LAT_L2; i++) begin
        stp_v_q[i] <= stp_v_d[i];
        stp_idx_q[i] <= stp_idx_d[i];
      end
      mq_head_q <= mq_head_d;
      mq_cnt_q <= mq_cnt_d;
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
      // legal states
      for (int i = 0; i < RT; i++)
        assert (rt_state_q[i] inside {mmu_pkg::RT_FREE, mmu_pkg::RT_L1, mmu_pkg::RT_STLB, mmu_pkg::RT_MISS, mmu_pkg::RT_WALK, mmu_pkg::RT_DONE})
          else $error("mmu_top: request entry %0d in an illegal state", i);
      // a response only for an outstanding request
      assert (!rsp_valid_o || so_rsp_known) else $error("mmu_top: response for id %0d, which is not outstanding", rsp_id_o);
      assert (int'(mq_cnt_q) <= RT) else $error("mmu_top: miss queue overflow");
    end
  end
`endif

endmodule
