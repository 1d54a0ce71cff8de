// mmu_walker.sv - one hardware page-table walker: the RTL twin of
// model/walker.c, instantiated once per walker by mmu_top. docs/timing.md
// [T:dispatch], [T:lookup] (its PWC result), [T:memory port], [T:walk],
// [T:ad-check], [T:complete]; SDM Vol. 3A 4.5, 4.6, 4.8.
//
// Walk (SDM 4.5, 4-level paging):
//   1. start below the deepest page-walk-cache hit (the lookup is mmu_top's;
//      its result comes in on pwc_*_i), else read the PML4E at
//      CR3[M-1:12] + 8*VA[47:39]
//   2. each entry: P=0 -> #PF not present; reserved bit -> #PF RSVD
//      (SDM 4.5.4); R/W, U/S ANDed, XD ORed (SDM 4.6)
//   3. PDPTE.PS -> 1 GiB, PDE.PS -> 2 MiB, PTE -> 4 KiB
//   4. rights against the combined bits (SDM 4.6.1) -> #PF with P=1
//   5. A in every entry read that lacks it, D in the leaf on a write (SDM
//      4.8): locked updates ([T:locked-update]), one at a time, top level
//      first; after a rights fault A in the non-leaf entries only (SDM 4.8,
//      Vol. 3A 6.15); an entry that changed since it was read restarts the
//      walk ([T:ad-check])
// The walk's result (complete_o and the fill fields) is valid in the cycle
// it completes; mmu_top fills the arrays and answers the waiters with it.

module mmu_walker #(
  parameter int unsigned ID         = 0,   // walker number (messages)
  parameter int unsigned LAT_PWC    = 1,
  parameter int unsigned MAXPHYADDR = 46
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [7:0]  mode_i,
  input  logic [51:0] cr3_base_i,   // CR3[M-1:12]
  // [T:dispatch] a new walk
  input  logic        start_i,
  input  logic [63:0] start_va_i,
  input  logic [1:0]  start_acc_i,
  input  logic        start_user_i,
  input  logic        start_impl_i,
  input  logic [11:0] start_pcid_i,
  // [T:lookup] this walker's PWC lookup happens now; its result
  input  logic        pwc_i,
  input  logic [1:0]  pwc_hit_i,    // 0 none, 1 PML4E, 2 PDPTE, 3 PDE cache (the deepest)
  input  logic [51:0] pwc_table_i,  // the deepest hit's next-table address
  input  logic [5:0]  pwc_cum_i,    // its combined F_RW|F_US|F_XD
  // [T:memory port]
  input  logic        grant_i,
  input  logic        rsp_i,
  input  logic [63:0] rsp_data_i,
  output logic        mem_want_o,   // MEMRQ or ADW
  output logic        mem_we_o,
  output logic [51:0] mem_addr_o,
  output logic [63:0] mem_wdata_o,
  // what the walker is doing (dispatch, PWC lookup, assertions, coverage)
  output mmu_pkg::walker_state_e state_o,
  output logic [63:0] va_o,
  output logic [1:0]  acc_o,
  output logic        user_o,
  output logic        impl_o,
  output logic [11:0] pcid_o,
  output logic        pwc_due_o,    // in PWC, its lookup due now (LAT_PWC > 1)
  // [T:complete] the result, in the cycle the walk completes
  output logic        complete_o,
  output logic [1:0]  fault_o,
  output mmu_pkg::cause_e cause_o,
  output logic [1:0]  size_o,
  output logic [51:0] frame_o,
  output logic [5:0]  tflags_o,     // F_* of the TLB fill
  output logic [1:0]  pwchit_o,
  output logic [2:0]  leaf_o,
  output logic [4:0]  read_o,       // bit L: the level-L entry was read
  output logic [3*52-1:0] pwc_data_o,  // PWC fills: next-table address of the level-(4-i) entry at i*52
  output logic [3*6-1:0]  pwc_cum_o    // and its combined rights at i*6
);

  localparam logic [51:0] AMASK = 52'(((64'd1 << MAXPHYADDR) - 1) & ~64'hFFF);

  // ------------------------------------------------------------------ state
  mmu_pkg::walker_state_e state_q, state_d;
  logic [2:0]    level_q, level_d;
  logic [1:0]    acc_q, acc_d;
  logic          user_q, user_d;
  logic          impl_q, impl_d;
  logic [1:0]    fault_q, fault_d;    // a rights fault waiting for its A updates
  mmu_pkg::cause_e cause_q, cause_d;
  logic [11:0]   pcid_q, pcid_d;
  logic [63:0]   va_q, va_d;
  logic [15:0]   timer_q, timer_d;
  logic [51:0]   table_q, table_d;
  logic [1:0]    pwchit_q, pwchit_d;
  logic [4:0]    read_q, read_d;      // bit L: the level-L entry was read
  logic [4:0]    need_q, need_d;      // bit L: the level-L entry needs a locked A/D update
  logic [63:0]   pte_q [5];           // entries as read
  logic [63:0]   pte_d [5];
  logic [51:0]   pteaddr_q [5];
  logic [51:0]   pteaddr_d [5];
  logic [5:0]    cum_q [5];           // combined F_RW|F_US|F_XD after level L
  logic [5:0]    cum_d [5];
  logic [1:0]    size_q, size_d;
  logic [2:0]    leaf_q, leaf_d;
  logic [51:0]   frame_q, frame_d;
  logic [5:0]    tflags_q, tflags_d;

  function automatic logic [51:0] entry_addr(input logic [51:0] table_base, input logic [63:0] va,
                                             input logic [2:0] level);
    logic [8:0] idx;
    case (level)
      3'd4:    idx = va[47:39];
      3'd3:    idx = va[38:30];
      3'd2:    idx = va[29:21];
      default: idx = va[20:12];
    endcase
    entry_addr = table_base + {40'd0, idx, 3'b000};
  endfunction

  // the highest level whose entry still needs a locked A/D update
  function automatic logic [2:0] next_wr(input logic [4:0] need);
    next_wr = 3'd0;
    for (int l = 1; l <= 4; l++) if (need[l]) next_wr = 3'(l);
  endfunction

  // ---------------------------------------------------------------- outputs
  logic [2:0] wl;
  always_comb begin : outputs
    wl = next_wr(need_q);
    mem_want_o  = state_q == mmu_pkg::W_MEMRQ || state_q == mmu_pkg::W_ADW;
    mem_we_o    = state_q == mmu_pkg::W_ADW;
    mem_addr_o  = (state_q == mmu_pkg::W_ADW) ? pteaddr_q[wl] : entry_addr(table_q, va_q, level_q);
    mem_wdata_o = '0;
    if (state_q == mmu_pkg::W_ADW)
      mem_wdata_o = pte_q[wl] | (64'd1 << mmu_pkg::PTE_A) |
                    ((wl == leaf_q && acc_q == mmu_pkg::ACC_WRITE) ? (64'd1 << mmu_pkg::PTE_D) : 64'd0);
    state_o   = state_q;
    va_o      = va_q;
    acc_o     = acc_q;
    user_o    = user_q;
    impl_o    = impl_q;
    pcid_o    = pcid_q;
    pwc_due_o = state_q == mmu_pkg::W_PWC && timer_q == 16'd0;
  end

  // ------------------------------------------------------------- next state
  always_comb begin : next_state
    logic [2:0]  lv;
    logic [63:0] v, e;
    logic [5:0]  prev, cum;
    logic        leaf;
    logic [1:0]  ps;
    logic [4:0]  need;
    mmu_pkg::cause_e c;

    state_d = state_q;
    level_d = level_q;
    acc_d = acc_q;
    user_d = user_q;
    impl_d = impl_q;
    fault_d = fault_q;
    cause_d = cause_q;
    pcid_d = pcid_q;
    va_d = va_q;
    timer_d = timer_q;
    table_d = table_q;
    pwchit_d = pwchit_q;
    read_d = read_q;
    need_d = need_q;
    for (int l = 0; l < 5; l++) begin
      pte_d[l] = pte_q[l];
      pteaddr_d[l] = pteaddr_q[l];
      cum_d[l] = cum_q[l];
    end
    size_d = size_q;
    leaf_d = leaf_q;
    frame_d = frame_q;
    tflags_d = tflags_q;
    complete_o = 1'b0;
    fault_o = mmu_pkg::FAULT_NONE;
    cause_o = mmu_pkg::CAUSE_NONE;
    lv = '0;
    v = '0;
    e = '0;
    prev = '0;
    cum = '0;
    leaf = 1'b0;
    ps = '0;
    need = '0;
    c = mmu_pkg::CAUSE_NONE;

    // [T:memory port] granted: MEMRQ -> MEMWAIT, ADW -> ADWAIT
    if (grant_i) state_d = (state_q == mmu_pkg::W_MEMRQ) ? mmu_pkg::W_MEMWAIT : mmu_pkg::W_ADWAIT;

    if (rsp_i && state_q == mmu_pkg::W_ADWAIT) begin
      // [T:ad-check] the old value of the entry of the current update
      lv = next_wr(need_q);
      if (((rsp_data_i ^ pte_q[lv]) & ~64'h60) == 64'd0) begin
        // unchanged but for A and D: the update took effect
        need_d[lv] = 1'b0;
        if ((need_q & ~(5'd1 << lv)) == 5'd0) begin
          complete_o = 1'b1;
          fault_o = fault_q;   // a rights fault found at the leaf, or none
          cause_o = cause_q;
        end else begin
          state_d = mmu_pkg::W_ADW;
        end
      end else begin
        // the entry changed since the walk read it: nothing was written;
        // restart from the PML4E at CR3, without a PWC lookup
        read_d = '0;
        need_d = '0;
        pwchit_d = '0;
        fault_d = mmu_pkg::FAULT_NONE;
        cause_d = mmu_pkg::CAUSE_NONE;
        level_d = 3'd4;
        table_d = cr3_base_i;
        state_d = mmu_pkg::W_MEMRQ;
      end
    end else if (rsp_i) begin
      // [T:walk] the entry at level lv (SDM 4.5)
      lv = level_q;
      v = rsp_data_i;
      pteaddr_d[lv] = entry_addr(table_q, va_q, lv);
      pte_d[lv] = v;
      read_d[lv] = 1'b1;
      prev = (lv == 3'd4) ? 6'((1 << mmu_pkg::F_RW) | (1 << mmu_pkg::F_US)) : cum_q[lv + 3'd1];
      if (!v[mmu_pkg::PTE_P]) begin                       // SDM 4.7: not present
        complete_o = 1'b1;
        fault_o = mmu_pkg::FAULT_PF;
        cause_o = mmu_pkg::CAUSE_NOT_PRESENT;
        size_d = mmu_pkg::PS_NONE;
      end else if (mmu_pkg::rsvd(v, lv, MAXPHYADDR, mode_i[mmu_pkg::MODE_NXE], mode_i[mmu_pkg::MODE_NOPG1G])) begin
        complete_o = 1'b1;                                // SDM 4.5.4
        fault_o = mmu_pkg::FAULT_PF;
        cause_o = mmu_pkg::CAUSE_RSVD;
        size_d = mmu_pkg::PS_NONE;
      end else begin
        cum = prev;                               // SDM 4.6: AND R/W, U/S; OR XD
        if (!v[mmu_pkg::PTE_RW]) cum[mmu_pkg::F_RW] = 1'b0;
        if (!v[mmu_pkg::PTE_US]) cum[mmu_pkg::F_US] = 1'b0;
        if (v[mmu_pkg::PTE_XD]) cum[mmu_pkg::F_XD] = 1'b1;
        cum_d[lv] = cum;
        leaf = (lv == 3'd1) || ((lv == 3'd3 || lv == 3'd2) && v[mmu_pkg::PTE_PS]);
        if (!leaf) begin
          table_d = v[51:0] & AMASK;
          level_d = lv - 3'd1;
          state_d = mmu_pkg::W_MEMRQ;
        end else begin
          ps = (lv == 3'd1) ? mmu_pkg::PS_4K : (lv == 3'd2) ? mmu_pkg::PS_2M : mmu_pkg::PS_1G;
          size_d = ps;
          leaf_d = lv;
          frame_d = v[51:0] & AMASK & ~mmu_pkg::page_mask(ps);
          c = mmu_pkg::rights(mode_i, acc_q, user_q, impl_q, cum[mmu_pkg::F_RW], cum[mmu_pkg::F_US],
                              cum[mmu_pkg::F_XD]);
          if (c != mmu_pkg::CAUSE_NONE) begin              // SDM 4.6.1
            // a rights fault: A in the non-leaf entries read that lack it
            // (SDM 4.8, Vol. 3A 6.15), never in the leaf; then the fault
            for (int l = 4; l >= 2; l--)
              if (l > 32'(lv) && read_d[l] && !pte_d[l][mmu_pkg::PTE_A]) need[l] = 1'b1;
            need_d = need;
            if (need != 5'd0) begin
              fault_d = mmu_pkg::FAULT_PF;
              cause_d = c;
              state_d = mmu_pkg::W_ADW;
            end else begin
              complete_o = 1'b1;
              fault_o = mmu_pkg::FAULT_PF;
              cause_o = c;
            end
          end else begin                          // SDM 4.8: locked A/D updates needed
            for (int l = 4; l >= 1; l--) begin
              if (l >= 32'(lv) && read_d[l]) begin
                e = pte_d[l];
                if (!e[mmu_pkg::PTE_A] || (l == 32'(lv) && acc_q == mmu_pkg::ACC_WRITE && !e[mmu_pkg::PTE_D]))
                  need[l] = 1'b1;
              end
            end
            need_d = need;
            tflags_d = (cum & 6'((1 << mmu_pkg::F_RW) | (1 << mmu_pkg::F_US) | (1 << mmu_pkg::F_XD))) |
                       ((v[mmu_pkg::PTE_G] && mode_i[mmu_pkg::MODE_PGE]) ? 6'(1 << mmu_pkg::F_G) : 6'd0) |
                       ((v[mmu_pkg::PTE_D] || acc_q == mmu_pkg::ACC_WRITE) ? 6'(1 << mmu_pkg::F_D) : 6'd0);
            if (need != 5'd0) state_d = mmu_pkg::W_ADW;
            else complete_o = 1'b1;
          end
        end
      end
    end

    // [T:dispatch] a new walk: PWC lookup due in LAT_PWC - 1 cycles
    if (start_i) begin
      state_d = mmu_pkg::W_PWC;
      timer_d = 16'(LAT_PWC - 1);
      va_d = start_va_i;
      acc_d = start_acc_i;
      user_d = start_user_i;
      impl_d = start_impl_i;
      fault_d = mmu_pkg::FAULT_NONE;
      cause_d = mmu_pkg::CAUSE_NONE;
      pcid_d = start_pcid_i;
      read_d = '0;
      need_d = '0;
      pwchit_d = '0;
      level_d = 3'd4;
      table_d = '0;
      size_d = '0;
      leaf_d = '0;
      frame_d = '0;
      tflags_d = '0;
      for (int l = 0; l < 5; l++) begin
        pte_d[l] = '0;
        pteaddr_d[l] = '0;
        cum_d[l] = '0;
      end
    end
    if (state_q == mmu_pkg::W_PWC && timer_q != 16'd0) timer_d = timer_q - 16'd1;

    // [T:lookup] the PWC result: start below the deepest hit, else at CR3
    if (pwc_i) begin
      if (pwc_hit_i == 2'd0) begin
        level_d = 3'd4;
        table_d = cr3_base_i;
      end else begin
        level_d = 3'd4 - 3'(pwc_hit_i);
        table_d = pwc_table_i;
        cum_d[3'd5 - 3'(pwc_hit_i)] = pwc_cum_i;
      end
      pwchit_d = pwc_hit_i;
      state_d = mmu_pkg::W_MEMRQ;
    end

    // [T:complete] the walk ends at the end of this cycle
    if (complete_o) state_d = mmu_pkg::W_IDLE;
  end

  // the result for the fills and the waiters: the values the walk ends with
  always_comb begin : result
    size_o   = size_d;
    frame_o  = frame_d;
    tflags_o = tflags_d;
    pwchit_o = pwchit_d;
    leaf_o   = leaf_d;
    read_o   = read_d;
    for (int i = 0; i < 3; i++) begin
      pwc_data_o[i*52 +: 52] = pte_d[4 - i][51:0] & AMASK;
      pwc_cum_o[i*6 +: 6]    = cum_d[4 - i];
    end
  end

  // -------------------------------------------------------------- registers
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= mmu_pkg::W_IDLE;
      level_q <= '0;
      acc_q <= '0;
      user_q <= 1'b0;
      impl_q <= 1'b0;
      fault_q <= mmu_pkg::FAULT_NONE;
      cause_q <= mmu_pkg::CAUSE_NONE;
      pcid_q <= '0;
      va_q <= '0;
      timer_q <= '0;
      table_q <= '0;
      pwchit_q <= '0;
      read_q <= '0;
      need_q <= '0;
      size_q <= '0;
      leaf_q <= '0;
      frame_q <= '0;
      tflags_q <= '0;
      for (int l = 0; l < 5; l++) begin
        pte_q[l] <= '0;
        pteaddr_q[l] <= '0;
        cum_q[l] <= '0;
      end
    end else begin
      state_q <= state_d;
      level_q <= level_d;
      acc_q <= acc_d;
      user_q <= user_d;
      impl_q <= impl_d;
      fault_q <= fault_d;
      cause_q <= cause_d;
      pcid_q <= pcid_d;
      va_q <= va_d;
      timer_q <= timer_d;
      table_q <= table_d;
      pwchit_q <= pwchit_d;
      read_q <= read_d;
      need_q <= need_d;
      size_q <= size_d;
      leaf_q <= leaf_d;
      frame_q <= frame_d;
      tflags_q <= tflags_d;
      for (int l = 0; l < 5; l++) begin
        pte_q[l] <= pte_d[l];
        pteaddr_q[l] <= pteaddr_d[l];
        cum_q[l] <= cum_d[l];
      end
    end
  end

`ifndef SYNTHESIS
  // Broken on purpose by mmulockstep --break walker-state (testbench/tb_break.cpp).
  always_ff @(posedge clk_i) begin
    if (rst_ni)
      assert (state_q inside {mmu_pkg::W_IDLE, mmu_pkg::W_PWC, mmu_pkg::W_MEMRQ, mmu_pkg::W_MEMWAIT, mmu_pkg::W_ADW,
                              mmu_pkg::W_ADWAIT})
        else $error("mmu_walker: walker %0d in an illegal state", ID);
  end
`endif

endmodule
