// mmu_top.sv - the MMU: request table, L1 TLBs, STLB, page-walk caches,
// walkers and control, implementing docs/timing.md cycle for cycle. It is
// the RTL twin of model/mmu.c; the comments [T:...] name the contract's
// rules, the SDM references are to Intel SDM Vol. 3A chapter 4.
//
// Walk (SDM 4.5, 4-level paging):
//   1. canonical address, else #GP (SDM 3.3.7.1) - at the L1 lookup
//   2. PML4E/PDPTE/PDE caches looked up in parallel; start below the deepest
//      hit, else read the PML4E at CR3[M-1:12] + 8*VA[47:39]
//   3. each entry: P=0 -> #PF not present; reserved bit -> #PF RSVD
//      (SDM 4.5.4); R/W, U/S ANDed, XD ORed (SDM 4.6)
//   4. PDPTE.PS -> 1 GiB, PDE.PS -> 2 MiB, PTE -> 4 KiB
//   5. rights against the combined bits (SDM 4.6.1) -> #PF with P=1
//   6. A in every entry read that lacks it, D in the leaf on a write
//      (SDM 4.8): locked updates ([T:locked-update]), one at a time, top
//      level first; after a rights fault A in the non-leaf entries only
//      (SDM 4.8, Vol. 3A 6.15); an entry that changed since it was read
//      restarts the walk ([T:ad-check])
//   7. fill STLB, L1, paging-structure caches; a fault invalidates the page's
//      TLB entries and the address's PWC entries (SDM 4.10.4.1)
//
// Parameters are named after the C configuration keys (docs/config.md):
// upper case, '.' -> '_'. Defaults are the C model's default configuration
// (the skylake preset; scripts/rtl-params --check-defaults, ctest rtl_defaults).
//
// Written so that yosys 0.23 also reads it (scripts/area): package items as
// mmu_pkg::NAME (no import), no multi-dimensional packed arrays (per-port
// fields are flat vectors), unpacked arrays copied element by element, no
// int'() casts, assertions under `ifndef SYNTHESIS.

module mmu_top #(
  parameter int unsigned ITLB_4K_ENTRIES   = 128,
  parameter int unsigned ITLB_4K_WAYS      = 8,
  parameter int unsigned ITLB_4K_REPL      = 0,
  parameter int unsigned ITLB_4K_LFSR_SEED = 'hACE1,
  parameter int unsigned ITLB_2M_ENTRIES   = 8,
  parameter int unsigned ITLB_2M_WAYS      = 8,
  parameter int unsigned ITLB_2M_REPL      = 0,
  parameter int unsigned ITLB_2M_LFSR_SEED = 'hACE1,
  parameter int unsigned ITLB_1G_ENTRIES   = 0,
  parameter int unsigned ITLB_1G_WAYS      = 1,
  parameter int unsigned ITLB_1G_REPL      = 0,
  parameter int unsigned ITLB_1G_LFSR_SEED = 'hACE1,
  parameter int unsigned DTLB_4K_ENTRIES   = 64,
  parameter int unsigned DTLB_4K_WAYS      = 4,
  parameter int unsigned DTLB_4K_REPL      = 0,
  parameter int unsigned DTLB_4K_LFSR_SEED = 'hACE1,
  parameter int unsigned DTLB_2M_ENTRIES   = 32,
  parameter int unsigned DTLB_2M_WAYS      = 4,
  parameter int unsigned DTLB_2M_REPL      = 0,
  parameter int unsigned DTLB_2M_LFSR_SEED = 'hACE1,
  parameter int unsigned DTLB_1G_ENTRIES   = 4,
  parameter int unsigned DTLB_1G_WAYS      = 4,
  parameter int unsigned DTLB_1G_REPL      = 0,
  parameter int unsigned DTLB_1G_LFSR_SEED = 'hACE1,
  parameter int unsigned STLB_ENTRIES   = 1536,
  parameter int unsigned STLB_WAYS      = 12,
  parameter int unsigned STLB_REPL      = 0,
  parameter int unsigned STLB_LFSR_SEED = 'hACE1,
  parameter int unsigned PWC_PML4E_ENTRIES   = 2,
  parameter int unsigned PWC_PML4E_WAYS      = 2,
  parameter int unsigned PWC_PML4E_REPL      = 0,
  parameter int unsigned PWC_PML4E_LFSR_SEED = 'hACE1,
  parameter int unsigned PWC_PDPTE_ENTRIES   = 4,
  parameter int unsigned PWC_PDPTE_WAYS      = 4,
  parameter int unsigned PWC_PDPTE_REPL      = 0,
  parameter int unsigned PWC_PDPTE_LFSR_SEED = 'hACE1,
  parameter int unsigned PWC_PDE_ENTRIES   = 32,
  parameter int unsigned PWC_PDE_WAYS      = 4,
  parameter int unsigned PWC_PDE_REPL      = 0,
  parameter int unsigned PWC_PDE_LFSR_SEED = 'hACE1,
  parameter int unsigned STLB_SIZES  = 3,
  parameter int unsigned LAT_L1      = 1,
  parameter int unsigned LAT_STLB    = 9,
  parameter int unsigned LAT_PWC     = 1,
  parameter int unsigned WALKERS     = 2,
  parameter int unsigned OUTSTANDING = 16,
  parameter int unsigned MAXPHYADDR  = 46
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
  // the MMU): array 0..9 as model/mmu.h mmu_array_id_t, index set*ways+way
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
  localparam logic [3:0]  STLB_SZ = {1'b0, 3'(STLB_SIZES)};  // indexed by page size
  localparam logic [51:0] AMASK = 52'(((64'd1 << MAXPHYADDR) - 1) & ~64'hFFF);
  localparam int unsigned EW = mmu_pkg::SA_ENTRY_W;               // array entry width

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

  // delay lines: L1 lookups (LAT_L1-1 stages) and STLB lookups (LAT_STLB)
  logic        l1p_v_q   [L1P];
  logic        l1p_v_d   [L1P];
  logic [RTIW-1:0] l1p_idx_q [L1P];
  logic [RTIW-1:0] l1p_idx_d [L1P];
  logic        stp_v_q   [LAT_STLB];
  logic        stp_v_d   [LAT_STLB];
  logic [RTIW-1:0] stp_idx_q [LAT_STLB];
  logic [RTIW-1:0] stp_idx_d [LAT_STLB];

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

  function automatic logic [35:0] pwc_tag(input int unsigned i, input logic [63:0] va);
    pwc_tag = (i == 0) ? {27'd0, va[47:39]} : (i == 1) ? {18'd0, va[47:30]} : {9'd0, va[47:21]};
  endfunction

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
  logic        st_v;      // an STLB lookup is due
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
    st_v = stp_v_q[LAT_STLB-1];
    st_idx = stp_idx_q[LAT_STLB-1];
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
  // L1 arrays: index side*3 + size (side 0 instruction, 1 data)
  // Fields with one value per port of an array are flat vectors, as mmu_sa's
  // ports: port p of a field F bits wide is bits [p*F +: F]. Entries are
  // EW-bit vectors in the layout of mmu_pkg::sa_entry_t (mmu_pkg::sa_*).
  // L1 arrays: index side*3 + size (side 0 instruction, 1 data);
  // invalidation ports: walker k, control last; fill ports: STLB refill, then
  // walker k at k+1
  logic [35:0]            l1_lk_tag   [6];
  logic                   l1_lk_hit   [6];
  logic [5:0]             l1_lk_way   [6];
  logic [EW-1:0]          l1_lk_ent   [6];
  logic                   l1_touch    [6];
  logic [NW:0]            l1_inv      [6];
  logic [(NW+1)*36-1:0]   l1_inv_tag  [6];
  logic [(NW+1)*2-1:0]    l1_inv_size [6];
  logic [(NW+1)*12-1:0]   l1_inv_pcid [6];
  logic [NW:0]            l1_inv_kg   [6];
  logic [NW:0]            l1_fill     [6];
  logic [(NW+1)*EW-1:0]   l1_fill_ent [6];
  // STLB: lookup ports by size; invalidation ports walker*3 + size, control last
  logic [3*36-1:0]        st_lk_tag;
  logic [2:0]             st_lk_hit;
  logic [3*6-1:0]         st_lk_way;
  logic [3*EW-1:0]        st_lk_ent;
  logic                   st_touch;
  logic [35:0]            st_touch_tag;
  logic [5:0]             st_touch_way;
  logic [3*NW+2:0]        st_inv;
  logic [(3*NW+3)*36-1:0] st_inv_tag;
  logic [(3*NW+3)*2-1:0]  st_inv_size;
  logic [(3*NW+3)*12-1:0] st_inv_pcid;
  logic [3*NW+2:0]        st_inv_kg;
  logic [NW-1:0]          st_fill;
  logic [NW*EW-1:0]       st_fill_ent;
  // PWCs: 0 PML4E, 1 PDPTE, 2 PDE; invalidation and fill ports by walker
  logic [35:0]            pwc_lk_tag  [3];
  logic                   pwc_lk_hit  [3];
  logic [5:0]             pwc_lk_way  [3];
  logic [EW-1:0]          pwc_lk_ent  [3];
  logic                   pwc_touch   [3];
  logic [NW-1:0]          pwc_inv     [3];
  logic [NW*36-1:0]       pwc_inv_tag [3];
  logic [NW*12-1:0]       pwc_inv_pcid;
  logic [NW-1:0]          pwc_fill    [3];
  logic [NW*EW-1:0]       pwc_fill_ent[3];
  // debug reads, by array id
  logic [EW-1:0]          dbg_entry [10];
  logic [7:0]             dbg_age   [10];
  logic [63:0]            dbg_plru  [10];
  logic [15:0]            dbg_lfsr  [10];
  always_comb begin : debug_mux
    dbg_entry_o = '0;
    dbg_age_o = '0;
    dbg_plru_o = '0;
    dbg_lfsr_o = '0;
    for (int i = 0; i < 10; i++) begin
      if (32'(dbg_arr_i) == i) begin
        dbg_entry_o = dbg_entry[i];
        dbg_age_o = dbg_age[i];
        dbg_plru_o = dbg_plru[i];
        dbg_lfsr_o = dbg_lfsr[i];
      end
    end
  end
  // control invalidations
  logic                 tlb_ctl, pwc_ctl;
  logic [1:0]           tlb_ctl_kind, pwc_ctl_kind;
  logic [11:0]          tlb_ctl_pcid, pwc_ctl_pcid;

  always_comb begin : lookup_tags
    for (int a = 0; a < 6; a++) l1_lk_tag[a] = mmu_pkg::page_tag(l1_va, 2'(a % 3));
    for (int s = 0; s < 3; s++) st_lk_tag[s*36 +: 36] = mmu_pkg::page_tag(rt_va_q[st_idx], 2'(s));
    for (int i = 0; i < 3; i++) pwc_lk_tag[i] = pwc_tag(i, pwc_va);
  end

  mmu_sa #(
    .ENTRIES(ITLB_4K_ENTRIES), .WAYS(ITLB_4K_WAYS), .REPL(ITLB_4K_REPL), .LFSR_SEED(ITLB_4K_LFSR_SEED),
    .NL(1), .NI(NW + 1), .NF(NW + 1)
  ) u_itlb_4k (
    .clk_i, .rst_ni,
    .lk_tag_i(l1_lk_tag[0]), .lk_size_i(2'(0)), .lk_pcid_i(cur_pcid),
    .lk_hit_o(l1_lk_hit[0]), .lk_way_o(l1_lk_way[0]), .lk_entry_o(l1_lk_ent[0]),
    .touch_i(l1_touch[0]), .touch_tag_i(l1_lk_tag[0]), .touch_way_i(l1_lk_way[0]),
    .inv_i(l1_inv[0]), .inv_tag_i(l1_inv_tag[0]), .inv_size_i(l1_inv_size[0]),
    .inv_pcid_i(l1_inv_pcid[0]), .inv_keep_global_i(l1_inv_kg[0]),
    .fill_i(l1_fill[0]), .fill_entry_i(l1_fill_ent[0]),
    .ctl_inv_i(tlb_ctl), .ctl_kind_i(tlb_ctl_kind), .ctl_pcid_i(tlb_ctl_pcid),
    .dbg_idx_i, .dbg_entry_o(dbg_entry[0]), .dbg_age_o(dbg_age[0]), .dbg_plru_o(dbg_plru[0]),
    .dbg_lfsr_o(dbg_lfsr[0])
  );
  mmu_sa #(
    .ENTRIES(ITLB_2M_ENTRIES), .WAYS(ITLB_2M_WAYS), .REPL(ITLB_2M_REPL), .LFSR_SEED(ITLB_2M_LFSR_SEED),
    .NL(1), .NI(NW + 1), .NF(NW + 1)
  ) u_itlb_2m (
    .clk_i, .rst_ni,
    .lk_tag_i(l1_lk_tag[1]), .lk_size_i(2'(1)), .lk_pcid_i(cur_pcid),
    .lk_hit_o(l1_lk_hit[1]), .lk_way_o(l1_lk_way[1]), .lk_entry_o(l1_lk_ent[1]),
    .touch_i(l1_touch[1]), .touch_tag_i(l1_lk_tag[1]), .touch_way_i(l1_lk_way[1]),
    .inv_i(l1_inv[1]), .inv_tag_i(l1_inv_tag[1]), .inv_size_i(l1_inv_size[1]),
    .inv_pcid_i(l1_inv_pcid[1]), .inv_keep_global_i(l1_inv_kg[1]),
    .fill_i(l1_fill[1]), .fill_entry_i(l1_fill_ent[1]),
    .ctl_inv_i(tlb_ctl), .ctl_kind_i(tlb_ctl_kind), .ctl_pcid_i(tlb_ctl_pcid),
    .dbg_idx_i, .dbg_entry_o(dbg_entry[1]), .dbg_age_o(dbg_age[1]), .dbg_plru_o(dbg_plru[1]),
    .dbg_lfsr_o(dbg_lfsr[1])
  );
  mmu_sa #(
    .ENTRIES(ITLB_1G_ENTRIES), .WAYS(ITLB_1G_WAYS), .REPL(ITLB_1G_REPL), .LFSR_SEED(ITLB_1G_LFSR_SEED),
    .NL(1), .NI(NW + 1), .NF(NW + 1)
  ) u_itlb_1g (
    .clk_i, .rst_ni,
    .lk_tag_i(l1_lk_tag[2]), .lk_size_i(2'(2)), .lk_pcid_i(cur_pcid),
    .lk_hit_o(l1_lk_hit[2]), .lk_way_o(l1_lk_way[2]), .lk_entry_o(l1_lk_ent[2]),
    .touch_i(l1_touch[2]), .touch_tag_i(l1_lk_tag[2]), .touch_way_i(l1_lk_way[2]),
    .inv_i(l1_inv[2]), .inv_tag_i(l1_inv_tag[2]), .inv_size_i(l1_inv_size[2]),
    .inv_pcid_i(l1_inv_pcid[2]), .inv_keep_global_i(l1_inv_kg[2]),
    .fill_i(l1_fill[2]), .fill_entry_i(l1_fill_ent[2]),
    .ctl_inv_i(tlb_ctl), .ctl_kind_i(tlb_ctl_kind), .ctl_pcid_i(tlb_ctl_pcid),
    .dbg_idx_i, .dbg_entry_o(dbg_entry[2]), .dbg_age_o(dbg_age[2]), .dbg_plru_o(dbg_plru[2]),
    .dbg_lfsr_o(dbg_lfsr[2])
  );
  mmu_sa #(
    .ENTRIES(DTLB_4K_ENTRIES), .WAYS(DTLB_4K_WAYS), .REPL(DTLB_4K_REPL), .LFSR_SEED(DTLB_4K_LFSR_SEED),
    .NL(1), .NI(NW + 1), .NF(NW + 1)
  ) u_dtlb_4k (
    .clk_i, .rst_ni,
    .lk_tag_i(l1_lk_tag[3]), .lk_size_i(2'(0)), .lk_pcid_i(cur_pcid),
    .lk_hit_o(l1_lk_hit[3]), .lk_way_o(l1_lk_way[3]), .lk_entry_o(l1_lk_ent[3]),
    .touch_i(l1_touch[3]), .touch_tag_i(l1_lk_tag[3]), .touch_way_i(l1_lk_way[3]),
    .inv_i(l1_inv[3]), .inv_tag_i(l1_inv_tag[3]), .inv_size_i(l1_inv_size[3]),
    .inv_pcid_i(l1_inv_pcid[3]), .inv_keep_global_i(l1_inv_kg[3]),
    .fill_i(l1_fill[3]), .fill_entry_i(l1_fill_ent[3]),
    .ctl_inv_i(tlb_ctl), .ctl_kind_i(tlb_ctl_kind), .ctl_pcid_i(tlb_ctl_pcid),
    .dbg_idx_i, .dbg_entry_o(dbg_entry[3]), .dbg_age_o(dbg_age[3]), .dbg_plru_o(dbg_plru[3]),
    .dbg_lfsr_o(dbg_lfsr[3])
  );
  mmu_sa #(
    .ENTRIES(DTLB_2M_ENTRIES), .WAYS(DTLB_2M_WAYS), .REPL(DTLB_2M_REPL), .LFSR_SEED(DTLB_2M_LFSR_SEED),
    .NL(1), .NI(NW + 1), .NF(NW + 1)
  ) u_dtlb_2m (
    .clk_i, .rst_ni,
    .lk_tag_i(l1_lk_tag[4]), .lk_size_i(2'(1)), .lk_pcid_i(cur_pcid),
    .lk_hit_o(l1_lk_hit[4]), .lk_way_o(l1_lk_way[4]), .lk_entry_o(l1_lk_ent[4]),
    .touch_i(l1_touch[4]), .touch_tag_i(l1_lk_tag[4]), .touch_way_i(l1_lk_way[4]),
    .inv_i(l1_inv[4]), .inv_tag_i(l1_inv_tag[4]), .inv_size_i(l1_inv_size[4]),
    .inv_pcid_i(l1_inv_pcid[4]), .inv_keep_global_i(l1_inv_kg[4]),
    .fill_i(l1_fill[4]), .fill_entry_i(l1_fill_ent[4]),
    .ctl_inv_i(tlb_ctl), .ctl_kind_i(tlb_ctl_kind), .ctl_pcid_i(tlb_ctl_pcid),
    .dbg_idx_i, .dbg_entry_o(dbg_entry[4]), .dbg_age_o(dbg_age[4]), .dbg_plru_o(dbg_plru[4]),
    .dbg_lfsr_o(dbg_lfsr[4])
  );
  mmu_sa #(
    .ENTRIES(DTLB_1G_ENTRIES), .WAYS(DTLB_1G_WAYS), .REPL(DTLB_1G_REPL), .LFSR_SEED(DTLB_1G_LFSR_SEED),
    .NL(1), .NI(NW + 1), .NF(NW + 1)
  ) u_dtlb_1g (
    .clk_i, .rst_ni,
    .lk_tag_i(l1_lk_tag[5]), .lk_size_i(2'(2)), .lk_pcid_i(cur_pcid),
    .lk_hit_o(l1_lk_hit[5]), .lk_way_o(l1_lk_way[5]), .lk_entry_o(l1_lk_ent[5]),
    .touch_i(l1_touch[5]), .touch_tag_i(l1_lk_tag[5]), .touch_way_i(l1_lk_way[5]),
    .inv_i(l1_inv[5]), .inv_tag_i(l1_inv_tag[5]), .inv_size_i(l1_inv_size[5]),
    .inv_pcid_i(l1_inv_pcid[5]), .inv_keep_global_i(l1_inv_kg[5]),
    .fill_i(l1_fill[5]), .fill_entry_i(l1_fill_ent[5]),
    .ctl_inv_i(tlb_ctl), .ctl_kind_i(tlb_ctl_kind), .ctl_pcid_i(tlb_ctl_pcid),
    .dbg_idx_i, .dbg_entry_o(dbg_entry[5]), .dbg_age_o(dbg_age[5]), .dbg_plru_o(dbg_plru[5]),
    .dbg_lfsr_o(dbg_lfsr[5])
  );

  mmu_sa #(
    .ENTRIES(STLB_ENTRIES), .WAYS(STLB_WAYS), .REPL(STLB_REPL), .LFSR_SEED(STLB_LFSR_SEED),
    .NL(3), .NI(3 * NW + 3), .NF(NW)
  ) u_stlb (
    .clk_i, .rst_ni,
    .lk_tag_i(st_lk_tag), .lk_size_i({mmu_pkg::PS_1G, mmu_pkg::PS_2M, mmu_pkg::PS_4K}), .lk_pcid_i({cur_pcid, cur_pcid, cur_pcid}),
    .lk_hit_o(st_lk_hit), .lk_way_o(st_lk_way), .lk_entry_o(st_lk_ent),
    .touch_i(st_touch), .touch_tag_i(st_touch_tag), .touch_way_i(st_touch_way),
    .inv_i(st_inv), .inv_tag_i(st_inv_tag), .inv_size_i(st_inv_size),
    .inv_pcid_i(st_inv_pcid), .inv_keep_global_i(st_inv_kg),
    .fill_i(st_fill), .fill_entry_i(st_fill_ent),
    .ctl_inv_i(tlb_ctl), .ctl_kind_i(tlb_ctl_kind), .ctl_pcid_i(tlb_ctl_pcid),
    .dbg_idx_i, .dbg_entry_o(dbg_entry[6]), .dbg_age_o(dbg_age[6]), .dbg_plru_o(dbg_plru[6]),
    .dbg_lfsr_o(dbg_lfsr[6])
  );

  mmu_sa #(
    .ENTRIES(PWC_PML4E_ENTRIES), .WAYS(PWC_PML4E_WAYS), .REPL(PWC_PML4E_REPL), .LFSR_SEED(PWC_PML4E_LFSR_SEED),
    .NL(1), .NI(NW), .NF(NW)
  ) u_pwc_pml4e (
    .clk_i, .rst_ni,
    .lk_tag_i(pwc_lk_tag[0]), .lk_size_i(2'd0), .lk_pcid_i(pwc_lk_pcid),
    .lk_hit_o(pwc_lk_hit[0]), .lk_way_o(pwc_lk_way[0]), .lk_entry_o(pwc_lk_ent[0]),
    .touch_i(pwc_touch[0]), .touch_tag_i(pwc_lk_tag[0]), .touch_way_i(pwc_lk_way[0]),
    .inv_i(pwc_inv[0]), .inv_tag_i(pwc_inv_tag[0]), .inv_size_i('0),
    .inv_pcid_i(pwc_inv_pcid), .inv_keep_global_i('0),
    .fill_i(pwc_fill[0]), .fill_entry_i(pwc_fill_ent[0]),
    .ctl_inv_i(pwc_ctl), .ctl_kind_i(pwc_ctl_kind), .ctl_pcid_i(pwc_ctl_pcid),
    .dbg_idx_i, .dbg_entry_o(dbg_entry[0+7]), .dbg_age_o(dbg_age[0+7]), .dbg_plru_o(dbg_plru[0+7]),
    .dbg_lfsr_o(dbg_lfsr[0+7])
  );
  mmu_sa #(
    .ENTRIES(PWC_PDPTE_ENTRIES), .WAYS(PWC_PDPTE_WAYS), .REPL(PWC_PDPTE_REPL), .LFSR_SEED(PWC_PDPTE_LFSR_SEED),
    .NL(1), .NI(NW), .NF(NW)
  ) u_pwc_pdpte (
    .clk_i, .rst_ni,
    .lk_tag_i(pwc_lk_tag[1]), .lk_size_i(2'd0), .lk_pcid_i(pwc_lk_pcid),
    .lk_hit_o(pwc_lk_hit[1]), .lk_way_o(pwc_lk_way[1]), .lk_entry_o(pwc_lk_ent[1]),
    .touch_i(pwc_touch[1]), .touch_tag_i(pwc_lk_tag[1]), .touch_way_i(pwc_lk_way[1]),
    .inv_i(pwc_inv[1]), .inv_tag_i(pwc_inv_tag[1]), .inv_size_i('0),
    .inv_pcid_i(pwc_inv_pcid), .inv_keep_global_i('0),
    .fill_i(pwc_fill[1]), .fill_entry_i(pwc_fill_ent[1]),
    .ctl_inv_i(pwc_ctl), .ctl_kind_i(pwc_ctl_kind), .ctl_pcid_i(pwc_ctl_pcid),
    .dbg_idx_i, .dbg_entry_o(dbg_entry[1+7]), .dbg_age_o(dbg_age[1+7]), .dbg_plru_o(dbg_plru[1+7]),
    .dbg_lfsr_o(dbg_lfsr[1+7])
  );
  mmu_sa #(
    .ENTRIES(PWC_PDE_ENTRIES), .WAYS(PWC_PDE_WAYS), .REPL(PWC_PDE_REPL), .LFSR_SEED(PWC_PDE_LFSR_SEED),
    .NL(1), .NI(NW), .NF(NW)
  ) u_pwc_pde (
    .clk_i, .rst_ni,
    .lk_tag_i(pwc_lk_tag[2]), .lk_size_i(2'd0), .lk_pcid_i(pwc_lk_pcid),
    .lk_hit_o(pwc_lk_hit[2]), .lk_way_o(pwc_lk_way[2]), .lk_entry_o(pwc_lk_ent[2]),
    .touch_i(pwc_touch[2]), .touch_tag_i(pwc_lk_tag[2]), .touch_way_i(pwc_lk_way[2]),
    .inv_i(pwc_inv[2]), .inv_tag_i(pwc_inv_tag[2]), .inv_size_i('0),
    .inv_pcid_i(pwc_inv_pcid), .inv_keep_global_i('0),
    .fill_i(pwc_fill[2]), .fill_entry_i(pwc_fill_ent[2]),
    .ctl_inv_i(pwc_ctl), .ctl_kind_i(pwc_ctl_kind), .ctl_pcid_i(pwc_ctl_pcid),
    .dbg_idx_i, .dbg_entry_o(dbg_entry[2+7]), .dbg_age_o(dbg_age[2+7]), .dbg_plru_o(dbg_plru[2+7]),
    .dbg_lfsr_o(dbg_lfsr[2+7])
  );

  // ---------------------------------------------------------------- walkers
  // [T:lookup] the PWC result for the walker whose lookup it is: the
  // deepest hit (PDE over PDPTE over PML4E) with its table and rights
  logic [1:0]  pwc_res_hit;
  logic [51:0] pwc_res_table;
  logic [5:0]  pwc_res_cum;
  always_comb begin : pwc_result
    pwc_res_hit = '0;
    pwc_res_table = '0;
    pwc_res_cum = '0;
    for (int i = 0; i < 3; i++) begin
      if (pwc_lk_hit[i]) begin
        pwc_res_hit = 2'(i + 1);
        pwc_res_table = mmu_pkg::sa_data(pwc_lk_ent[i]);
        pwc_res_cum = mmu_pkg::sa_flags(pwc_lk_ent[i]) &
                      6'((1 << mmu_pkg::F_RW) | (1 << mmu_pkg::F_US) | (1 << mmu_pkg::F_XD));
      end
    end
  end

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

  // ------------------------------------------------------------ next state
  always_comb begin : next_state
    // locals
    logic        l1_hit, st_hit;
    logic [2:0]  a;
    logic [EW-1:0] te, pe;         // a TLB / PWC entry to fill
    logic [EW-1:0] hit_ent;
    logic [5:0]  fl;               // flags of an entry a lookup hit
    logic [5:0]  hit_way;
    logic [2:0]  hit_arr;
    logic [3:0]  side;

    // defaults: hold (element by element: yosys 0.23 cannot copy whole
    // unpacked arrays)
    cr3_d = cr3_q;
    mode_d = mode_q;
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
    // temporaries that are assigned before every use (defaults: no latches)
    side = '0;
    fl = '0;
    for (int ai = 0; ai < 6; ai++) begin
      l1_touch[ai] = 1'b0;
      l1_inv[ai] = '0;
      l1_inv_tag[ai] = '0;
      l1_inv_size[ai] = '0;
      l1_inv_pcid[ai] = '0;
      l1_inv_kg[ai] = '0;
      l1_fill[ai] = '0;
      l1_fill_ent[ai] = '0;
    end
    st_touch = 1'b0;
    st_touch_tag = '0;
    st_touch_way = '0;
    st_inv = '0;
    st_inv_tag = '0;
    st_inv_size = '0;
    st_inv_pcid = '0;
    st_inv_kg = '0;
    st_fill = '0;
    st_fill_ent = '0;
    for (int i = 0; i < 3; i++) begin
      pwc_touch[i] = 1'b0;
      pwc_inv[i] = '0;
      pwc_inv_tag[i] = '0;
      pwc_fill[i] = '0;
      pwc_fill_ent[i] = '0;
    end
    pwc_inv_pcid = '0;
    tlb_ctl = 1'b0;
    tlb_ctl_kind = '0;
    tlb_ctl_pcid = '0;
    pwc_ctl = 1'b0;
    pwc_ctl_kind = '0;
    pwc_ctl_pcid = '0;

    // delay lines shift
    for (int i = L1P - 1; i > 0; i--) begin
      l1p_v_d[i] = l1p_v_q[i-1];
      l1p_idx_d[i] = l1p_idx_q[i-1];
    end
    l1p_v_d[0] = (LAT_L1 > 1) && acc_fire;
    l1p_idx_d[0] = alloc_idx;
    for (int i = LAT_STLB - 1; i > 0; i--) begin
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

    // 6. [T:lookup] L1
    l1_hit = 1'b0;
    hit_ent = '0;
    hit_way = '0;
    hit_arr = '0;
    a = '0;
    te = '0;
    pe = '0;
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
      end else begin
        side = (l1_acc == mmu_pkg::ACC_EXEC) ? 4'd0 : 4'd3;
        for (int s = 0; s < 3; s++) begin
          a = 3'(32'(side) + s);
          fl = mmu_pkg::sa_flags(l1_lk_ent[a]);
          if (!l1_hit && l1_lk_hit[a]) begin
            // [T:soft miss] rights or a clean entry on a write: not usable
            if (mmu_pkg::rights(mode_q, l1_acc, l1_user, l1_impl, fl[mmu_pkg::F_RW], fl[mmu_pkg::F_US],
                                fl[mmu_pkg::F_XD]) != mmu_pkg::CAUSE_NONE ||
                (l1_acc == mmu_pkg::ACC_WRITE && !fl[mmu_pkg::F_D])) begin
              // a soft miss: try the next page size
            end else begin
              l1_hit = 1'b1;
              hit_ent = l1_lk_ent[a];
              hit_arr = a;
            end
          end
        end
        if (l1_hit) begin
          l1_touch[hit_arr] = 1'b1;
          rt_state_d[l1_idx] = mmu_pkg::RT_DONE;
          rt_paddr_d[l1_idx] = mmu_pkg::sa_data(hit_ent) | (l1_va[51:0] & mmu_pkg::page_mask(mmu_pkg::sa_size(hit_ent)));
          rt_size_d[l1_idx] = mmu_pkg::sa_size(hit_ent);
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
    end
    // STLB
    st_hit = 1'b0;
    if (st_v) begin
      for (int s = 0; s < 3; s++) begin
        fl = mmu_pkg::sa_flags(st_lk_ent[s*EW +: EW]);
        if (!st_hit && STLB_SZ[s] && st_lk_hit[s]) begin
          if (mmu_pkg::rights(mode_q, rt_acc_q[st_idx], rt_user_q[st_idx], rt_impl_q[st_idx], fl[mmu_pkg::F_RW],
                              fl[mmu_pkg::F_US], fl[mmu_pkg::F_XD]) != mmu_pkg::CAUSE_NONE ||
              (rt_acc_q[st_idx] == mmu_pkg::ACC_WRITE && !fl[mmu_pkg::F_D])) begin
            // a soft miss: try the next page size
          end else begin
            st_hit = 1'b1;
            hit_ent = st_lk_ent[s*EW +: EW];
            hit_way = st_lk_way[s*6 +: 6];
          end
        end
      end
      if (st_hit) begin
        st_touch = 1'b1;
        st_touch_tag = mmu_pkg::sa_tag(hit_ent);
        st_touch_way = hit_way;
        rt_state_d[st_idx] = mmu_pkg::RT_DONE;
        rt_paddr_d[st_idx] = mmu_pkg::sa_data(hit_ent) | (rt_va_q[st_idx][51:0] & mmu_pkg::page_mask(mmu_pkg::sa_size(hit_ent)));
        rt_size_d[st_idx] = mmu_pkg::sa_size(hit_ent);
        rt_fault_d[st_idx] = mmu_pkg::FAULT_NONE;
        rt_cause_d[st_idx] = mmu_pkg::CAUSE_NONE;
        rt_err_d[st_idx] = '0;
        rt_src_d[st_idx] = mmu_pkg::SRC_STLB;
        rt_pwc_d[st_idx] = '0;
        // (c) the L1 refill: fill port 0 of the L1 array of the side and size
        a = 3'(((rt_acc_q[st_idx] == mmu_pkg::ACC_EXEC) ? 0 : 3) + 32'(mmu_pkg::sa_size(hit_ent)));
        l1_fill[a][0] = 1'b1;
        l1_fill_ent[a][0 +: EW] = hit_ent;
      end else begin
        rt_state_d[st_idx] = mmu_pkg::RT_MISS;
        mq_idx_d[RTIW'((32'(mq_head_q) + 32'(mq_cnt_q)) % RT)] = st_idx;
        mq_cnt_d = mq_cnt_d + 1'b1;
      end
    end
    // PWC: every cache that hit is touched; the walker takes the deepest
    // hit (pwc_res_*, below)
    if (pwc_v)
      for (int i = 0; i < 3; i++)
        if (pwc_lk_hit[i]) pwc_touch[i] = 1'b1;

    // 7. [T:update] invalidations by faulting walks, fills by the others
    for (int k = 0; k < NW; k++) begin
      if (complete[k] && r_fault[k] == mmu_pkg::FAULT_PF) begin   // SDM 4.10.4.1
        for (int ai = 0; ai < 6; ai++) begin
          l1_inv[ai][k] = 1'b1;
          l1_inv_tag[ai][k*36 +: 36] = mmu_pkg::page_tag(w_va[k], 2'(ai % 3));
          l1_inv_size[ai][k*2 +: 2] = 2'(ai % 3);
          l1_inv_pcid[ai][k*12 +: 12] = w_pcid[k];
        end
        for (int s = 0; s < 3; s++) begin
          st_inv[3 * k + s] = STLB_SZ[s];
          st_inv_tag[(3 * k + s)*36 +: 36] = mmu_pkg::page_tag(w_va[k], 2'(s));
          st_inv_size[(3 * k + s)*2 +: 2] = 2'(s);
          st_inv_pcid[(3 * k + s)*12 +: 12] = w_pcid[k];
        end
        for (int i = 0; i < 3; i++) begin
          pwc_inv[i][k] = 1'b1;
          pwc_inv_tag[i][k*36 +: 36] = pwc_tag(i, w_va[k]);
        end
        pwc_inv_pcid[k*12 +: 12] = w_pcid[k];
      end
      if (complete[k] && r_fault[k] == mmu_pkg::FAULT_NONE) begin
        te = mmu_pkg::sa_pack(mmu_pkg::page_tag(w_va[k], w_size[k]), w_frame[k], w_pcid[k],
                              w_size[k], w_tflags[k] | 6'(1 << mmu_pkg::F_V));
        st_fill[k] = STLB_SZ[w_size[k]];
        st_fill_ent[k*EW +: EW] = te;
        a = 3'(((w_acc[k] == mmu_pkg::ACC_EXEC) ? 0 : 3) + 32'(w_size[k]));
        l1_fill[a][k + 1] = 1'b1;
        l1_fill_ent[a][(k + 1)*EW +: EW] = te;
        for (int l = 4; l >= 2; l--) begin
          if (l > 32'(w_leaf[k]) && w_read[k][l]) begin
            pe = mmu_pkg::sa_pack(pwc_tag(4 - l, w_va[k]), w_pwc_data[k][(4 - l)*52 +: 52], w_pcid[k],
                                  2'd0, w_pwc_cum[k][(4 - l)*6 +: 6] | 6'(1 << mmu_pkg::F_V));
            pwc_fill[4 - l][k] = 1'b1;
            pwc_fill_ent[4 - l][k*EW +: EW] = pe;
          end
        end
      end
    end

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

    // 9. [T:control] only when nothing is outstanding (SDM 4.10.4.1)
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
            for (int ai = 0; ai < 6; ai++) begin
              l1_inv[ai][NW] = 1'b1;
              l1_inv_tag[ai][NW*36 +: 36] = mmu_pkg::page_tag(ctl_addr_i, 2'(ai % 3));
              l1_inv_size[ai][NW*2 +: 2] = 2'(ai % 3);
              l1_inv_pcid[ai][NW*12 +: 12] = cur_pcid;
            end
            for (int s = 0; s < 3; s++) begin
              st_inv[3 * NW + s] = STLB_SZ[s];
              st_inv_tag[(3 * NW + s)*36 +: 36] = mmu_pkg::page_tag(ctl_addr_i, 2'(s));
              st_inv_size[(3 * NW + s)*2 +: 2] = 2'(s);
              st_inv_pcid[(3 * NW + s)*12 +: 12] = cur_pcid;
            end
            pwc_ctl = 1'b1;
            pwc_ctl_kind = mmu_pkg::INV_PCID_ANY;
            pwc_ctl_pcid = cur_pcid;
          end
        end
        mmu_pkg::CTL_INVPCID: begin
          case (ctl_type_i)
            2'd0: begin
              if (mmu_pkg::canonical(ctl_addr_i)) begin
                for (int ai = 0; ai < 6; ai++) begin
                  l1_inv[ai][NW] = 1'b1;
                  l1_inv_tag[ai][NW*36 +: 36] = mmu_pkg::page_tag(ctl_addr_i, 2'(ai % 3));
                  l1_inv_size[ai][NW*2 +: 2] = 2'(ai % 3);
                  l1_inv_pcid[ai][NW*12 +: 12] = ctl_pcid_i;
                  l1_inv_kg[ai][NW] = 1'b1;
                end
                for (int s = 0; s < 3; s++) begin
                  st_inv[3 * NW + s] = STLB_SZ[s];
                  st_inv_tag[(3 * NW + s)*36 +: 36] = mmu_pkg::page_tag(ctl_addr_i, 2'(s));
                  st_inv_size[(3 * NW + s)*2 +: 2] = 2'(s);
                  st_inv_pcid[(3 * NW + s)*12 +: 12] = ctl_pcid_i;
                  st_inv_kg[3 * NW + s] = 1'b1;
                end
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
      for (int i = 0; i < LAT_STLB; i++) begin
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
      for (int i = 0; i < LAT_STLB; i++) begin
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
    assert (LAT_L1 >= 1 && LAT_STLB >= 1 && LAT_PWC >= 1) else $fatal(1, "mmu_top: latencies must be >= 1");
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
