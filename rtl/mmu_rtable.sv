// mmu_rtable.sv - the request table (docs/timing.md [T:request] ..
// [T:complete]): one entry per accepted request, the level-1 lookup's delay
// line (LAT_L1 - 1 stages) and the level-2 lookup's (LAT_L2), the miss
// queue in order, and the responses, the oldest DONE entry first. The RTL
// twin of model/rtable.c. It says which lookups are due this cycle and
// which miss is at the head of the miss queue; the lookups' results come
// from mmu_lookup, the choice of walker for the head (join or start) from
// mmu_top, the walks' results from the walkers. Per-walker inputs are flat
// vectors: walker k's field F bits wide is bits [k*F +: F].

module mmu_rtable #(
  parameter int unsigned OUTSTANDING = 16,
  parameter int unsigned WALKERS     = 2,
  parameter int unsigned LAT_L1      = 1,
  parameter int unsigned LAT_L2      = 9,
  parameter int unsigned RTIW        = 4,  // entry index width: $clog2(OUTSTANDING), at least 1
  parameter int unsigned NWIW        = 1   // walker index width: $clog2(WALKERS), at least 1
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [7:0]  mode_i,          // the mode bits (the page-fault error code)
  // translation requests
  input  logic        req_valid_i,
  output logic        req_ready_o,
  input  logic [15:0] req_id_i,
  input  logic [63:0] req_vaddr_i,
  input  logic [1:0]  req_acc_i,
  input  logic        req_user_i,
  input  logic        req_implicit_i,
  output logic [6:0]  count_o,         // entries in use
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
  // [T:lookup] the level-1 lookup due now, and its usable hit
  output logic        l1_v_o,
  output logic [63:0] l1_va_o,
  output logic [1:0]  l1_acc_o,
  output logic        l1_user_o,
  output logic        l1_impl_o,
  input  logic        l1_hit_i,
  input  logic [mmu_pkg::SA_ENTRY_W-1:0] l1_ent_i,
  // the level-2 lookup due now, and its usable hit
  output logic        st_v_o,
  output logic [63:0] st_va_o,
  output logic [1:0]  st_acc_o,
  output logic        st_user_o,
  output logic        st_impl_o,
  input  logic        l2_hit_i,
  input  logic [mmu_pkg::SA_ENTRY_W-1:0] l2_ent_i,
  // [T:dispatch] the miss at the head of the miss queue, and where it goes
  output logic        disp_v_o,
  output logic [63:0] disp_va_o,
  output logic [1:0]  disp_acc_o,
  output logic        disp_user_o,
  output logic        disp_impl_o,
  input  logic        disp_join_i,
  input  logic        disp_start_i,
  input  logic [NWIW-1:0] disp_w_i,
  // [T:complete] walks completing this cycle, walker k at bit k / [k*F +: F]
  input  logic [WALKERS-1:0]    w_complete_i,
  input  logic [WALKERS*2-1:0]  w_fault_i,
  input  logic [WALKERS*4-1:0]  w_cause_i,
  input  logic [WALKERS*2-1:0]  w_size_i,
  input  logic [WALKERS*52-1:0] w_frame_i,
  input  logic [WALKERS*2-1:0]  w_pwchit_i
);

  localparam int unsigned RT  = OUTSTANDING;
  localparam int unsigned NW  = WALKERS;
  localparam int unsigned L1P = (LAT_L1 > 1) ? LAT_L1 - 1 : 1;  // L1 delay stages

  // ------------------------------------------------------------------ state
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
  logic [3:0]  rt_cause_q  [RT];  // mmu_pkg::cause_e (a flat port from the walkers)
  logic [3:0]  rt_cause_d  [RT];
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

  // ---------------------------------------------------------------- outputs
  logic       done_v;
  logic [RTIW-1:0] done_idx;

  always_comb begin : outputs
    logic        older_done;
    older_done = 1'b0;
    count_o = '0;
    for (int i = 0; i < RT; i++) if (rt_state_q[i] != mmu_pkg::RT_FREE) count_o = count_o + 7'd1;
    // [T:request]
    req_ready_o = count_o < 7'(OUTSTANDING);
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
  end

  // ------------------------------------------- what is looked up this cycle
  logic        acc_fire;
  logic [RTIW-1:0] alloc_idx;
  logic        l1_v;      // an L1 lookup is due
  logic [RTIW-1:0] l1_idx;
  logic [63:0] l1_va;
  logic        st_v;      // a level-2 lookup is due
  logic [RTIW-1:0] st_idx;
  logic [RTIW-1:0] disp_idx;

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
      l1_acc_o = req_acc_i;
      l1_user_o = req_user_i && !req_implicit_i;
      l1_impl_o = req_implicit_i;
    end else begin
      l1_v = l1p_v_q[L1P-1];
      l1_idx = l1p_idx_q[L1P-1];
      l1_va = rt_va_q[l1_idx];
      l1_acc_o = rt_acc_q[l1_idx];
      l1_user_o = rt_user_q[l1_idx];
      l1_impl_o = rt_impl_q[l1_idx];
    end
    l1_v_o = l1_v;
    l1_va_o = l1_va;
    st_v = stp_v_q[LAT_L2-1];
    st_idx = stp_idx_q[LAT_L2-1];
    st_v_o = st_v;
    st_va_o = rt_va_q[st_idx];
    st_acc_o = rt_acc_q[st_idx];
    st_user_o = rt_user_q[st_idx];
    st_impl_o = rt_impl_q[st_idx];
    // [T:dispatch] the oldest miss
    disp_v_o = mq_cnt_q != 0;
    disp_idx = mq_idx_q[mq_head_q];
    disp_va_o = rt_va_q[disp_idx];
    disp_acc_o = rt_acc_q[disp_idx];
    disp_user_o = rt_user_q[disp_idx];
    disp_impl_o = rt_impl_q[disp_idx];
  end

  // ------------------------------------------------------------------ next
  // The request table, its delay lines and the miss queue; the lookups'
  // results come from mmu_lookup, the dispatch choice from mmu_top, the
  // walks' results from the walkers.
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

    // 5. [T:dispatch] (which walker: mmu_top's `dispatch`)
    if (disp_join_i) begin
      rt_state_d[disp_idx] = mmu_pkg::RT_WALK;
      rt_walker_d[disp_idx] = disp_w_i;
      mq_head_d = RTIW'((32'(mq_head_q) + 1) % RT);
      mq_cnt_d = mq_cnt_d - 1'b1;
    end else if (disp_start_i) begin
      rt_state_d[disp_idx] = mmu_pkg::RT_WALK;
      rt_walker_d[disp_idx] = disp_w_i;
      mq_head_d = RTIW'((32'(mq_head_q) + 1) % RT);
      mq_cnt_d = mq_cnt_d - 1'b1;
    end

    // 6. [T:lookup] L1: #GP, a hit (mmu_lookup), or on to level 2. A hit
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
      end else if (l1_hit_i) begin
        rt_state_d[l1_idx] = mmu_pkg::RT_DONE;
        rt_paddr_d[l1_idx] = mmu_pkg::sa_data(l1_ent_i) |
                             (l1_va[51:0] & mmu_pkg::page_mask(mmu_pkg::sa_size(l1_ent_i)));
        rt_size_d[l1_idx] = mmu_pkg::sa_asize(l1_ent_i);
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
    // level 2: a hit (its level-1 refill is mmu_lookup's), or a miss
    if (st_v) begin
      if (l2_hit_i) begin
        rt_state_d[st_idx] = mmu_pkg::RT_DONE;
        rt_paddr_d[st_idx] = mmu_pkg::sa_data(l2_ent_i) |
                             (rt_va_q[st_idx][51:0] & mmu_pkg::page_mask(mmu_pkg::sa_size(l2_ent_i)));
        rt_size_d[st_idx] = mmu_pkg::sa_asize(l2_ent_i);
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

    // 7. [T:update]: in mmu_lookup (fills, invalidations)

    // 8. [T:complete] every waiter gets the walk's result
    for (int k = 0; k < NW; k++) begin
      if (w_complete_i[k]) begin
        for (int i = 0; i < RT; i++) begin
          if ((rt_state_q[i] == mmu_pkg::RT_WALK && 32'(rt_walker_q[i]) == k) ||
              ((disp_join_i || disp_start_i) && 32'(disp_idx) == i && 32'(disp_w_i) == k)) begin
            rt_state_d[i] = mmu_pkg::RT_DONE;
            rt_fault_d[i] = w_fault_i[k*2 +: 2];
            rt_cause_d[i] = w_cause_i[k*4 +: 4];
            rt_size_d[i] = w_size_i[k*2 +: 2];
            rt_src_d[i] = mmu_pkg::SRC_WALK;
            rt_pwc_d[i] = w_pwchit_i[k*2 +: 2];
            if (w_fault_i[k*2 +: 2] == mmu_pkg::FAULT_NONE) begin
              rt_paddr_d[i] = w_frame_i[k*52 +: 52] | (rt_va_q[i][51:0] & mmu_pkg::page_mask(w_size_i[k*2 +: 2]));
              rt_err_d[i] = '0;
            end else begin
              rt_paddr_d[i] = '0;
              rt_err_d[i] = mmu_pkg::error_code(mode_i, rt_acc_q[i], rt_user_q[i], w_cause_i[k*4 +: 4]);
            end
          end
        end
      end
    end
  end

  // ------------------------------------------------------------- registers
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
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
  // Each has a test that breaks it on purpose: mmulockstep --break NAME
  // (testbench/README.md), run by ctest -L lockstep.
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      // legal states
      for (int i = 0; i < RT; i++)
        assert (rt_state_q[i] inside {mmu_pkg::RT_FREE, mmu_pkg::RT_L1, mmu_pkg::RT_STLB, mmu_pkg::RT_MISS, mmu_pkg::RT_WALK, mmu_pkg::RT_DONE})
          else $error("mmu_rtable: request entry %0d in an illegal state", i);
      assert (int'(mq_cnt_q) <= RT) else $error("mmu_rtable: miss queue overflow");
    end
  end
`endif

endmodule
