// mmu_sa.sv - the set-associative array used for every TLB and page-walk
// cache; the RTL twin of model/sa.c.
//
// Lookups are combinational on the state at the start of the cycle. The
// updates of a cycle are applied in this order (docs/timing.md [T:update]):
// the touch of a lookup hit, invalidations by tag, fills in port order, a
// whole-array control invalidation. Replacement is bit-exact with sa.c:
//   LRU     8-bit age per way, reset age[w] = w; touch of w increments every
//           age below age[w], age[w] = 0; victim: the way with age WAYS-1
//   PLRU    WAYS-1 tree bits in heap order, reset 0; victim: go left on 0,
//           right on 1; touch points the path away from the way
//   RANDOM  16-bit Galois LFSR (taps 0xB400), one step per victim choice,
//           victim = lfsr % WAYS
// A fill takes the way a lookup of its tag would hit, else the lowest invalid
// way, else the policy's victim, and touches it.

module mmu_sa #(
  parameter int unsigned ENTRIES   = 4,
  parameter int unsigned WAYS      = 2,
  parameter int unsigned REPL      = 0,
  parameter int unsigned LFSR_SEED = 16'hACE1,
  parameter int unsigned NL        = 1,  // lookup ports
  parameter int unsigned NI        = 1,  // invalidate-by-tag ports
  parameter int unsigned NF        = 1   // fill ports
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  // lookups
  input  logic [NL-1:0][35:0]          lk_tag_i,
  input  logic [NL-1:0][1:0]           lk_size_i,
  input  logic [NL-1:0][11:0]          lk_pcid_i,
  output logic [NL-1:0]                lk_hit_o,
  output logic [NL-1:0][5:0]           lk_way_o,
  output logic [NL-1:0][mmu_pkg::SA_ENTRY_W-1:0] lk_entry_o,
  // touch (replacement update of a lookup hit)
  input  logic                         touch_i,
  input  logic [35:0]                  touch_tag_i,
  input  logic [5:0]                   touch_way_i,
  // invalidate entries of a tag: size and pcid must match, global entries
  // are invalidated unless keep_global
  input  logic [NI-1:0]                inv_i,
  input  logic [NI-1:0][35:0]          inv_tag_i,
  input  logic [NI-1:0][1:0]           inv_size_i,
  input  logic [NI-1:0][11:0]          inv_pcid_i,
  input  logic [NI-1:0]                inv_keep_global_i,
  // fills
  input  logic [NF-1:0]                fill_i,
  input  logic [NF-1:0][mmu_pkg::SA_ENTRY_W-1:0] fill_entry_i,
  // whole-array invalidation by a control operation
  input  logic                         ctl_inv_i,
  input  logic [1:0]                   ctl_kind_i,
  input  logic [11:0]                  ctl_pcid_i,
  // debug read of one way (testbench end-of-test compare; no effect)
  input  logic [15:0]                  dbg_idx_i,   // set * WAYS + way
  output logic [mmu_pkg::SA_ENTRY_W-1:0] dbg_entry_o,
  output logic [7:0]                   dbg_age_o,   // LRU age of the way
  output logic [63:0]                  dbg_plru_o,  // tree-PLRU bits of the set
  output logic [15:0]                  dbg_lfsr_o
);

  localparam bit          EN   = (ENTRIES != 0);
  localparam int unsigned W    = (WAYS == 0) ? 1 : WAYS;
  localparam int unsigned SETS = EN ? ENTRIES / W : 1;

  typedef logic [W-1:0][7:0] ages_t;
  typedef mmu_pkg::sa_entry_t [W-1:0] set_t;

  set_t        ent_q  [SETS];
  set_t        ent_d  [SETS];
  ages_t       age_q  [SETS];
  ages_t       age_d  [SETS];
  logic [63:0] plru_q [SETS];
  logic [63:0] plru_d [SETS];
  logic [15:0] lfsr_q, lfsr_d;

  function automatic int unsigned set_of(input logic [35:0] tag);
    set_of = (SETS == 1) ? 0 : (int'(tag[31:0]) & (SETS - 1));
  endfunction

  function automatic logic entry_match(input mmu_pkg::sa_entry_t e, input logic [35:0] tag,
                                   input logic [1:0] size, input logic [11:0] pcid);
    entry_match = e.flags[mmu_pkg::F_V] && e.tag == tag && e.size == size &&
              (e.flags[mmu_pkg::F_G] || e.pcid == pcid);
  endfunction

  function automatic ages_t lru_touch(input ages_t a, input int unsigned way);
    logic [7:0] prev;
    prev = a[way];
    lru_touch = a;
    for (int unsigned i = 0; i < W; i++) begin
      if (a[i] < prev) lru_touch[i] = a[i] + 8'd1;
    end
    lru_touch[way] = 8'd0;
  endfunction

  function automatic int unsigned lru_victim(input ages_t a);
    lru_victim = 0;
    for (int unsigned i = W; i > 0; i--) begin
      if (a[i-1] == 8'(W - 1)) lru_victim = i - 1;
    end
  endfunction

  function automatic logic [63:0] plru_touch(input logic [63:0] bits, input int unsigned way);
    int unsigned node, parent;
    node = way + W - 1;
    plru_touch = bits;
    for (int unsigned i = 0; i < 7; i++) begin
      if (node > 0) begin
        parent = (node - 1) / 2;
        plru_touch[parent] = (node == 2 * parent + 2) ? 1'b0 : 1'b1;
        node = parent;
      end
    end
  endfunction

  function automatic int unsigned plru_victim(input logic [63:0] bits);
    int unsigned node;
    node = 0;
    for (int unsigned i = 0; i < 7; i++) begin
      if (node + 1 < W) node = 2 * node + 1 + int'(bits[node]);
    end
    plru_victim = node - (W - 1);
  endfunction

  // ---------------------------------------------------------------- lookups
  always_comb begin : lookup
    for (int unsigned p = 0; p < NL; p++) begin
      lk_hit_o[p]   = 1'b0;
      lk_way_o[p]   = '0;
      lk_entry_o[p] = '0;
      if (EN) begin
        for (int unsigned w = 0; w < W; w++) begin
          if (!lk_hit_o[p] && entry_match(ent_q[set_of(lk_tag_i[p])][w], lk_tag_i[p], lk_size_i[p], lk_pcid_i[p])) begin
            lk_hit_o[p]   = 1'b1;
            lk_way_o[p]   = 6'(w);
            lk_entry_o[p] = ent_q[set_of(lk_tag_i[p])][w];
          end
        end
      end
    end
  end

  // ------------------------------------------------------------ debug read
  always_comb begin : debug_read
    int unsigned ds, dw;
    ds = int'(dbg_idx_i) / W;
    dw = int'(dbg_idx_i) % W;
    dbg_entry_o = '0;
    dbg_age_o   = '0;
    dbg_plru_o  = '0;
    dbg_lfsr_o  = lfsr_q;
    if (EN && ds < SETS) begin
      dbg_entry_o = ent_q[ds][dw];
      dbg_age_o   = age_q[ds][dw];
      dbg_plru_o  = plru_q[ds];
    end
  end

  // ---------------------------------------------------------------- updates
  always_comb begin : update
    int unsigned s, way;
    logic found, g, kill;
    mmu_pkg::sa_entry_t e;
    ent_d  = ent_q;
    age_d  = age_q;
    plru_d = plru_q;
    lfsr_d = lfsr_q;
    if (EN) begin
      // (a) touch
      if (touch_i) begin
        s = set_of(touch_tag_i);
        if (REPL == mmu_pkg::REPL_LRU) age_d[s] = lru_touch(age_d[s], int'(touch_way_i));
        if (REPL == mmu_pkg::REPL_PLRU) plru_d[s] = plru_touch(plru_d[s], int'(touch_way_i));
      end
      // (b) invalidations by tag
      for (int unsigned i = 0; i < NI; i++) begin
        if (inv_i[i]) begin
          s = set_of(inv_tag_i[i]);
          for (int unsigned w = 0; w < W; w++) begin
            e = ent_d[s][w];
            if (e.flags[mmu_pkg::F_V] && e.tag == inv_tag_i[i] && e.size == inv_size_i[i]) begin
              g = e.flags[mmu_pkg::F_G];
              kill = g ? !inv_keep_global_i[i] : (e.pcid == inv_pcid_i[i]);
              if (kill) ent_d[s][w].flags = '0;
            end
          end
        end
      end
      // (c) fills, in port order
      for (int unsigned f = 0; f < NF; f++) begin
        if (fill_i[f]) begin
          e = fill_entry_i[f];
          s = set_of(e.tag);
          found = 1'b0;
          way = 0;
          for (int unsigned w = 0; w < W; w++) begin
            if (!found && entry_match(ent_d[s][w], e.tag, e.size, e.pcid)) begin
              found = 1'b1;
              way = w;
            end
          end
          for (int unsigned w = 0; w < W; w++) begin
            if (!found && !ent_d[s][w].flags[mmu_pkg::F_V]) begin
              found = 1'b1;
              way = w;
            end
          end
          if (!found) begin
            if (REPL == mmu_pkg::REPL_LRU) way = lru_victim(age_d[s]);
            else if (REPL == mmu_pkg::REPL_PLRU) way = plru_victim(plru_d[s]);
            else begin
              lfsr_d = mmu_pkg::lfsr_step(lfsr_d);
              way = int'({16'd0, lfsr_d}) % W;
            end
          end
          ent_d[s][way] = e;
          ent_d[s][way].flags[mmu_pkg::F_V] = 1'b1;
          if (REPL == mmu_pkg::REPL_LRU) age_d[s] = lru_touch(age_d[s], way);
          if (REPL == mmu_pkg::REPL_PLRU) plru_d[s] = plru_touch(plru_d[s], way);
        end
      end
      // (d) control invalidation
      if (ctl_inv_i) begin
        for (int unsigned si = 0; si < SETS; si++) begin
          for (int unsigned w = 0; w < W; w++) begin
            e = ent_d[si][w];
            g = e.flags[mmu_pkg::F_G];
            case (ctl_kind_i)
              mmu_pkg::INV_ALL:            kill = 1'b1;
              mmu_pkg::INV_NONGLOBAL:      kill = !g;
              mmu_pkg::INV_PCID_NONGLOBAL: kill = !g && e.pcid == ctl_pcid_i;
              default:                     kill = e.pcid == ctl_pcid_i;
            endcase
            if (e.flags[mmu_pkg::F_V] && kill) ent_d[si][w].flags = '0;
          end
        end
      end
    end
  end

  // Synchronous reset, folded into the next state (Verilator cannot reset
  // large arrays with non-blocking assignments in loops).
  set_t        ent_n  [SETS];
  ages_t       age_n  [SETS];
  logic [63:0] plru_n [SETS];
  logic [15:0] lfsr_n;
  always_comb begin : reset_mux
    if (!rst_ni) begin
      for (int unsigned si = 0; si < SETS; si++) begin
        ent_n[si]  = '0;
        plru_n[si] = '0;
        for (int unsigned w = 0; w < W; w++) age_n[si][w] = 8'(w);
      end
      lfsr_n = (LFSR_SEED == 0) ? 16'hACE1 : 16'(LFSR_SEED);
    end else begin
      ent_n  = ent_d;
      age_n  = age_d;
      plru_n = plru_d;
      lfsr_n = lfsr_d;
    end
  end

  always_ff @(posedge clk_i) begin
    ent_q  <= ent_n;
    age_q  <= age_n;
    plru_q <= plru_n;
    lfsr_q <= lfsr_n;
  end

`ifndef SYNTHESIS
  // Parameters the code relies on (checked at elaboration, as cfg_check does)
  initial begin
    if (EN) begin
      assert (WAYS >= 1 && WAYS <= 64) else $fatal(1, "mmu_sa: WAYS must be 1..64");
      assert (ENTRIES % WAYS == 0) else $fatal(1, "mmu_sa: ENTRIES must be a multiple of WAYS");
      assert ((SETS & (SETS - 1)) == 0) else $fatal(1, "mmu_sa: sets must be a power of two");
      assert (REPL != mmu_pkg::REPL_PLRU || (W & (W - 1)) == 0)
        else $fatal(1, "mmu_sa: tree-PLRU needs a power-of-two number of ways");
    end
  end
  // At most one hit per lookup of each kind: a fill writes the way a lookup
  // of its tag would hit, so a set never holds two global entries, or two
  // entries of one PCID, for one tag and size. (A global entry and another
  // PCID's entry can coexist; a lookup then takes the lowest way, as sa.c.)
  always_ff @(posedge clk_i) begin
    if (rst_ni && EN) begin
      for (int unsigned p = 0; p < NL; p++) begin
        automatic int unsigned ng = 0, nl = 0;
        for (int unsigned w = 0; w < W; w++) begin
          if (entry_match(ent_q[set_of(lk_tag_i[p])][w], lk_tag_i[p], lk_size_i[p], lk_pcid_i[p])) begin
            if (ent_q[set_of(lk_tag_i[p])][w].flags[mmu_pkg::F_G]) ng++;
            else nl++;
          end
        end
        assert (ng <= 1 && nl <= 1) else $error("mmu_sa: %0d global and %0d local ways hit one lookup", ng, nl);
      end
    end
  end
`endif

endmodule
