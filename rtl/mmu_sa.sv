// mmu_sa.sv - the set-associative array used for every TLB array and
// page-walk cache; the RTL twin of model/sa.c (and of the per-array parts
// of model/lookup.c: a lookup at each size held, the invalidation by
// address with its pieces).
//
// Lookups are combinational on the state at the start of the cycle. The
// updates of a cycle are applied in this order (docs/timing.md [T:update]):
// the touch of a lookup hit, invalidations by address, fills in port order,
// a whole-array control invalidation. Replacement is bit-exact with sa.c:
//   LRU     8-bit age per way, reset age[w] = w; touch of w increments every
//           age below age[w], age[w] = 0; victim: the way with age WAYS-1
//   PLRU    WAYS-1 tree bits in heap order, reset 0; victim: go left on 0,
//           right on 1; touch points the path away from the way
//   RANDOM  16-bit Galois LFSR (taps 0xB400), one step per victim choice,
//           victim = lfsr % WAYS
// A fill takes the way a lookup of its tag would hit, else the lowest invalid
// way, else the policy's victim, and touches it.
//
// Entry sizes ([T:organisation]): the array holds entries of the sizes in
// SIZES (a TLB array: page sizes 0 4K, 1 2M, 2 1G; a page-walk cache: levels
// 0 PML4E, 1 PDPTE, 2 PDE). Lookup port s looks up size s with tag
// lk_tag_i[s*36 +: 36] (the caller's tag of the address at that size);
// ports of sizes not held never hit and cost nothing.
//
// Ports with one field per invalidation or fill port are flat vectors: port
// p of a field F bits wide is bits [p*F +: F]. Entries are flat
// mmu_pkg::SA_ENTRY_W-bit vectors in the layout of sa_entry_t, read and
// built with mmu_pkg::sa_*. (This is what yosys 0.23 can read: no
// multi-dimensional packed arrays, no struct fields of arguments or locals.)

module mmu_sa #(
  parameter int unsigned ENTRIES   = 4,
  parameter int unsigned WAYS      = 2,
  parameter int unsigned REPL      = 0,
  parameter int unsigned LFSR_SEED = 16'hACE1,
  parameter int unsigned SIZES     = 1,  // entry sizes held (bit mask)
  parameter int unsigned SPLINTER  = 0,  // 1: invalidations by address also remove pieces
  parameter int unsigned NI        = 1,  // invalidate-by-address ports
  parameter int unsigned NF        = 1   // fill ports
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  // lookups: one per entry size s, tag at [s*36 +: 36], one PCID
  input  logic [3*36-1:0]              lk_tag_i,
  input  logic [11:0]                  lk_pcid_i,
  output logic [2:0]                   lk_hit_o,
  output logic [3*mmu_pkg::WAY_W-1:0]  lk_way_o,
  output logic [3*mmu_pkg::SA_ENTRY_W-1:0] lk_entry_o,
  // touch (replacement update of a lookup hit: the set of its tag)
  input  logic                         touch_i,
  input  logic [35:0]                  touch_tag_i,
  input  logic [mmu_pkg::WAY_W-1:0]    touch_way_i,
  // invalidate the entries for an address ([T:inval-va]): port i gives the
  // address's tag at each size s (inv_tag_i[(3*i+s)*36 +: 36]); an entry of
  // a size held matches when its tag is that size's tag; with SPLINTER a
  // piece (asize > size) matches when its tag shifted to its page size is
  // the address's tag at that page size, in whatever set it is. PCID must
  // match; global entries are invalidated unless keep_global.
  input  logic [NI-1:0]                inv_i,
  input  logic [NI*3*36-1:0]           inv_tag_i,
  input  logic [NI*12-1:0]             inv_pcid_i,
  input  logic [NI-1:0]                inv_keep_global_i,
  // fills
  input  logic [NF-1:0]                fill_i,
  input  logic [NF*mmu_pkg::SA_ENTRY_W-1:0] fill_entry_i,
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
  localparam int unsigned EW   = mmu_pkg::SA_ENTRY_W;
  // tree-PLRU depth (0 for the other policies: no PLRU logic, and no tree
  // of more than 64 ways to index)
  localparam int          LW   = (REPL == mmu_pkg::REPL_PLRU && W > 1) ? $clog2(W) : 0;
  localparam int unsigned WW   = mmu_pkg::WAY_W;
  localparam logic [2:0]  SZ   = 3'(SIZES);

  // One word per set: way w's entry is bits [w*EW +: EW] of ent, its LRU age
  // bits [w*8 +: 8] of age.
  logic [W*EW-1:0] ent_q  [SETS];
  logic [W*EW-1:0] ent_d  [SETS];
  logic [W*8-1:0]  age_q  [SETS];
  logic [W*8-1:0]  age_d  [SETS];
  logic [63:0]     plru_q [SETS];
  logic [63:0]     plru_d [SETS];
  logic [15:0]     lfsr_q, lfsr_d;

  function automatic int unsigned set_of(input logic [35:0] tag);
    set_of = (SETS == 1) ? 0 : (32'(tag[31:0]) & (SETS - 1));
  endfunction

  function automatic logic entry_match(input logic [EW-1:0] e, input logic [35:0] tag,
                                       input logic [1:0] size, input logic [11:0] pcid);
    logic [5:0] fl;
    fl = mmu_pkg::sa_flags(e);
    entry_match = fl[mmu_pkg::F_V] && mmu_pkg::sa_tag(e) == tag && mmu_pkg::sa_size(e) == size &&
                  (fl[mmu_pkg::F_G] || mmu_pkg::sa_pcid(e) == pcid);
  endfunction

  // (way < W; a way is selected by comparing it with each w, here and
  // below, rather than by a variable part-select: yosys turns that into a
  // shifter, and Verilator reads past a temporary with it (ASan))
  function automatic logic [W*8-1:0] lru_touch(input logic [W*8-1:0] a, input int unsigned way);
    logic [7:0] prev;
    prev = '0;
    for (int unsigned i = 0; i < W; i++) begin
      if (i == way) prev = a[i*8 +: 8];
    end
    lru_touch = a;
    for (int unsigned i = 0; i < W; i++) begin
      if (i == way) lru_touch[i*8 +: 8] = 8'd0;
      else if (a[i*8 +: 8] < prev) lru_touch[i*8 +: 8] = a[i*8 +: 8] + 8'd1;
    end
  endfunction

  function automatic int unsigned lru_victim(input logic [W*8-1:0] a);
    lru_victim = 0;
    for (int unsigned i = W; i > 0; i--) begin
      if (a[(i-1)*8 +: 8] == 8'(W - 1)) lru_victim = i - 1;
    end
  endfunction

  // x % W, written without `%`: yosys's resource sharing (synth's `share`)
  // runs out of memory on the modulo operators of several fill ports.
  function automatic logic [15:0] mod_w(input logic [15:0] x);
    logic [16:0] r;  // remainder of the bits so far, < W
    r = '0;
    for (int b = 15; b >= 0; b--) begin
      r = {r[15:0], x[b]};
      if (r >= 17'(W)) r = r - 17'(W);
    end
    mod_w = ((W & (W - 1)) == 0) ? (x & 16'(W - 1)) : r[15:0];
  endfunction

  // Tree-PLRU (W = 2**LW ways): node 0 is the root, the children of node n
  // are 2n+1 (left) and 2n+2 (right), way w is leaf W-1+w. The path from the
  // root to way w passes, at depth d, the node 2**d - 1 + (w >> (LW - d))
  // and turns right there if bit LW-1-d of w is 1. (Written with constant
  // node indices, which synthesise to small logic.)
  function automatic logic [63:0] plru_touch(input logic [63:0] bits, input int unsigned way);
    plru_touch = bits;
    for (int d = 0; d < LW; d++) begin
      for (int unsigned n = 0; n < (1 << d); n++) begin
        // point the path's node at depth d away from the way
        if ((way >> (LW - d)) == n) plru_touch[(1 << d) - 1 + n] = !way[LW - 1 - d];
      end
    end
  endfunction

  function automatic int unsigned plru_victim(input logic [63:0] bits);
    logic b;
    plru_victim = 0;  // after d steps: the path so far, (node at depth d) - (2**d - 1)
    for (int d = 0; d < LW; d++) begin
      b = 1'b0;
      for (int unsigned n = 0; n < (1 << d); n++) begin
        if (plru_victim == n) b = bits[(1 << d) - 1 + n];
      end
      plru_victim = {plru_victim[30:0], b};  // go left on 0, right on 1
    end
  endfunction

  // ---------------------------------------------------------------- lookups
  always_comb begin : lookup
    logic [W*EW-1:0] set_e;  // the set the port's tag indexes
    logic [35:0]     tag;
    for (int unsigned p = 0; p < 3; p++) begin
      tag = lk_tag_i[p*36 +: 36];
      set_e = ent_q[set_of(tag)];
      lk_hit_o[p]              = 1'b0;
      lk_way_o[p*WW +: WW]     = '0;
      lk_entry_o[p*EW +: EW]   = '0;
      if (EN && SZ[p]) begin
        for (int unsigned w = 0; w < W; w++) begin
          if (!lk_hit_o[p] && entry_match(set_e[w*EW +: EW], tag, 2'(p), lk_pcid_i)) begin
            lk_hit_o[p]            = 1'b1;
            lk_way_o[p*WW +: WW]   = WW'(w);
            lk_entry_o[p*EW +: EW] = set_e[w*EW +: EW];
          end
        end
      end
    end
  end

  // ------------------------------------------------------------ debug read
  always_comb begin : debug_read
    int unsigned ds, dw;
    ds = {16'd0, dbg_idx_i / 16'(W)};
    dw = {16'd0, dbg_idx_i % 16'(W)};
    dbg_entry_o = '0;
    dbg_age_o   = '0;
    dbg_plru_o  = '0;
    dbg_lfsr_o  = lfsr_q;
    if (EN && ds < SETS) begin
      // the way by a loop over constant way numbers: a variable part-select
      // of a wide vector makes Verilator read past a temporary (ASan)
      for (int unsigned w = 0; w < W; w++) begin
        if (w == dw) begin
          dbg_entry_o = ent_q[ds][w*EW +: EW];
          dbg_age_o   = age_q[ds][w*8 +: 8];
        end
      end
      dbg_plru_o  = plru_q[ds];
    end
  end

  // --------------------------------------- invalidations by address: match
  // Step (b) of the updates: each port, in port order, clears the flags of
  // the entries it matches. A cleared entry matches no later port, and step
  // (a) changes no entry, so an entry is cleared when any port matches it
  // as it is at the start of the cycle.
  logic [W-1:0] inv_kill [SETS];  // inv_kill[s][w]: clear way w of set s
  always_comb begin : inv_match
    logic [EW-1:0] e;
    logic [5:0]    fl;
    logic [35:0]   tag;
    logic [1:0]    size, asize;
    logic [11:0]   pcid;
    logic          who;  // the entry's PCID or global rule allows port i
    for (int unsigned si = 0; si < SETS; si++) inv_kill[si] = '0;
    e = '0;
    fl = '0;
    tag = '0;
    size = '0;
    asize = '0;
    pcid = '0;
    who = 1'b0;
    if (EN && inv_i != '0) begin
      for (int unsigned si = 0; si < SETS; si++) begin
        for (int unsigned w = 0; w < W; w++) begin
          e = ent_q[si][w*EW +: EW];
          fl = mmu_pkg::sa_flags(e);
          tag = mmu_pkg::sa_tag(e);
          size = mmu_pkg::sa_size(e);
          asize = mmu_pkg::sa_asize(e);
          pcid = mmu_pkg::sa_pcid(e);
          for (int unsigned i = 0; i < NI; i++) begin
            who = fl[mmu_pkg::F_G] ? !inv_keep_global_i[i] : (pcid == inv_pcid_i[i*12 +: 12]);
            if (inv_i[i] && fl[mmu_pkg::F_V] && who) begin
              // the entry a lookup of the address at its size would match
              for (int unsigned sz = 0; sz < 3; sz++) begin
                if (SZ[sz] && size == 2'(sz) && set_of(inv_tag_i[(3*i+sz)*36 +: 36]) == si &&
                    tag == inv_tag_i[(3*i+sz)*36 +: 36])
                  inv_kill[si][w] = 1'b1;
              end
              // a piece of the page that contains the address, in any set
              if (SPLINTER != 0 && asize > size) begin
                for (int unsigned a = 1; a < 3; a++) begin
                  if (asize == 2'(a) && mmu_pkg::tag_up(tag, size, asize) == inv_tag_i[(3*i+a)*36 +: 36])
                    inv_kill[si][w] = 1'b1;
                end
              end
            end
          end
        end
      end
    end
  end

  // ---------------------------------------------------------------- updates
  // A step reads the set it works on into set_e, changes it and writes it
  // back, so it sees the changes of the steps before it.
  always_comb begin : update
    int unsigned     s, way;
    logic            found, g, kill;
    logic [W*EW-1:0] set_e;
    logic [EW-1:0]   e;
    logic [5:0]      fl;
    for (int unsigned si = 0; si < SETS; si++) begin
      ent_d[si]  = ent_q[si];
      age_d[si]  = age_q[si];
      plru_d[si] = plru_q[si];
    end
    lfsr_d = lfsr_q;
    // temporaries, assigned before every use (defaults: no latches)
    s = 0;
    way = 0;
    found = 1'b0;
    g = 1'b0;
    kill = 1'b0;
    set_e = '0;
    e = '0;
    fl = '0;
    if (EN) begin
      // (a) touch
      if (touch_i) begin
        s = set_of(touch_tag_i);
        if (REPL == mmu_pkg::REPL_LRU) age_d[s] = lru_touch(age_d[s], 32'(touch_way_i));
        if (REPL == mmu_pkg::REPL_PLRU) plru_d[s] = plru_touch(plru_d[s], 32'(touch_way_i));
      end
      // (b) invalidations by address: clear the entries inv_kill marks
      if (inv_i != '0) begin
        for (int unsigned si = 0; si < SETS; si++) begin
          set_e = ent_d[si];
          for (int unsigned w = 0; w < W; w++) begin
            if (inv_kill[si][w]) set_e[w*EW +: EW] = mmu_pkg::sa_set_flags(set_e[w*EW +: EW], '0);
          end
          ent_d[si] = set_e;
        end
      end
      // (c) fills, in port order
      for (int unsigned f = 0; f < NF; f++) begin
        if (fill_i[f]) begin
          e = fill_entry_i[f*EW +: EW];
          s = set_of(mmu_pkg::sa_tag(e));
          set_e = ent_d[s];
          found = 1'b0;
          way = 0;
          for (int unsigned w = 0; w < W; w++) begin
            if (!found && entry_match(set_e[w*EW +: EW], mmu_pkg::sa_tag(e), mmu_pkg::sa_size(e),
                                      mmu_pkg::sa_pcid(e))) begin
              found = 1'b1;
              way = w;
            end
          end
          for (int unsigned w = 0; w < W; w++) begin
            fl = mmu_pkg::sa_flags(set_e[w*EW +: EW]);
            if (!found && !fl[mmu_pkg::F_V]) begin
              found = 1'b1;
              way = w;
            end
          end
          if (!found) begin
            if (REPL == mmu_pkg::REPL_LRU) way = lru_victim(age_d[s]);
            else if (REPL == mmu_pkg::REPL_PLRU) way = plru_victim(plru_d[s]);
            else begin
              lfsr_d = mmu_pkg::lfsr_step(lfsr_d);
              way = {16'd0, mod_w(lfsr_d)};  // lfsr % W
            end
          end
          fl = mmu_pkg::sa_flags(e);
          fl[mmu_pkg::F_V] = 1'b1;
          for (int unsigned w = 0; w < W; w++) begin
            if (w == way) set_e[w*EW +: EW] = mmu_pkg::sa_set_flags(e, fl);
          end
          ent_d[s] = set_e;
          if (REPL == mmu_pkg::REPL_LRU) age_d[s] = lru_touch(age_d[s], way);
          if (REPL == mmu_pkg::REPL_PLRU) plru_d[s] = plru_touch(plru_d[s], way);
        end
      end
      // (d) control invalidation
      if (ctl_inv_i) begin
        for (int unsigned si = 0; si < SETS; si++) begin
          set_e = ent_d[si];
          for (int unsigned w = 0; w < W; w++) begin
            e = set_e[w*EW +: EW];
            fl = mmu_pkg::sa_flags(e);
            g = fl[mmu_pkg::F_G];
            case (ctl_kind_i)
              mmu_pkg::INV_ALL:            kill = 1'b1;
              mmu_pkg::INV_NONGLOBAL:      kill = !g;
              mmu_pkg::INV_PCID_NONGLOBAL: kill = !g && mmu_pkg::sa_pcid(e) == ctl_pcid_i;
              default:                     kill = mmu_pkg::sa_pcid(e) == ctl_pcid_i;
            endcase
            if (fl[mmu_pkg::F_V] && kill) set_e[w*EW +: EW] = mmu_pkg::sa_set_flags(e, '0);
          end
          ent_d[si] = set_e;
        end
      end
    end
  end

  // Synchronous reset, folded into the next state (Verilator cannot reset
  // large arrays with non-blocking assignments in loops).
  logic [W*EW-1:0] ent_n  [SETS];
  logic [W*8-1:0]  age_n  [SETS];
  logic [63:0]     plru_n [SETS];
  logic [15:0]     lfsr_n;
  always_comb begin : reset_mux
    for (int unsigned si = 0; si < SETS; si++) begin
      // (every bit assigned first: a loop over more than 64 ways is not
      // unrolled, and Verilator would see a latch in it)
      ent_n[si]  = ent_d[si];
      age_n[si]  = age_d[si];
      plru_n[si] = plru_d[si];
      if (!rst_ni) begin
        ent_n[si]  = '0;
        plru_n[si] = '0;
        for (int unsigned w = 0; w < W; w++) age_n[si][w*8 +: 8] = 8'(w);
      end
    end
    lfsr_n = !rst_ni ? ((LFSR_SEED == 0) ? 16'hACE1 : 16'(LFSR_SEED)) : lfsr_d;
  end

  // The registers of each set in a generate loop: Verilator cannot make
  // non-blocking assignments to arrays in long for loops, yosys cannot copy
  // whole unpacked arrays.
  for (genvar si = 0; si < SETS; si++) begin : g_set
    always_ff @(posedge clk_i) begin
      ent_q[si]  <= ent_n[si];
      age_q[si]  <= age_n[si];
      plru_q[si] <= plru_n[si];
    end
  end
  always_ff @(posedge clk_i) lfsr_q <= lfsr_n;

`ifndef SYNTHESIS
  // Parameters the code relies on (checked at elaboration, as cfg_check does)
  initial begin
    if (EN) begin
      assert (WAYS >= 1 && WAYS <= 128) else $fatal(1, "mmu_sa: WAYS must be 1..128");
      assert (ENTRIES % WAYS == 0) else $fatal(1, "mmu_sa: ENTRIES must be a multiple of WAYS");
      assert ((SETS & (SETS - 1)) == 0) else $fatal(1, "mmu_sa: sets must be a power of two");
      assert (REPL != mmu_pkg::REPL_PLRU || ((W & (W - 1)) == 0 && W <= 64))
        else $fatal(1, "mmu_sa: tree-PLRU needs a power-of-two number of ways, at most 64");
      assert (SIZES != 0 && SIZES < 8) else $fatal(1, "mmu_sa: SIZES must name one to three sizes");
    end
  end
  // The flat entries that mmu_pkg::sa_* read and build have the layout of
  // mmu_pkg::sa_entry_t.
  mmu_pkg::sa_entry_t layout;
  initial begin
    layout = '{tag: 36'h9_8765_4321, data: 52'hF_EDCB_A987_6543, pcid: 12'hABC, asize: 2'd1, size: 2'd2,
               flags: 6'h2D};
    assert ($bits(mmu_pkg::sa_entry_t) == EW &&
            EW'(layout) == mmu_pkg::sa_pack(layout.tag, layout.data, layout.pcid, layout.asize, layout.size,
                                            layout.flags) &&
            mmu_pkg::sa_tag(EW'(layout)) == layout.tag && mmu_pkg::sa_data(EW'(layout)) == layout.data &&
            mmu_pkg::sa_pcid(EW'(layout)) == layout.pcid && mmu_pkg::sa_asize(EW'(layout)) == layout.asize &&
            mmu_pkg::sa_size(EW'(layout)) == layout.size && mmu_pkg::sa_flags(EW'(layout)) == layout.flags)
      else $fatal(1, "mmu_sa: mmu_pkg::sa_* disagree with the layout of sa_entry_t");
  end
  // At most one hit per lookup of each kind: a fill writes the way a lookup
  // of its tag would hit, so a set never holds two global entries, or two
  // entries of one PCID, for one tag and size. (A global entry and another
  // PCID's entry can coexist; a lookup then takes the lowest way, as sa.c.)
  always_ff @(posedge clk_i) begin
    if (rst_ni && EN) begin
      for (int unsigned p = 0; p < 3; p++) begin
        automatic int unsigned ng = 0, nl = 0;
        automatic logic [35:0] tag = lk_tag_i[p*36 +: 36];
        automatic logic [W*EW-1:0] set_e = ent_q[set_of(tag)];
        if (SZ[p]) begin
          for (int unsigned w = 0; w < W; w++) begin
            automatic logic [5:0] fl = mmu_pkg::sa_flags(set_e[w*EW +: EW]);
            if (entry_match(set_e[w*EW +: EW], tag, 2'(p), lk_pcid_i)) begin
              if (fl[mmu_pkg::F_G]) ng++;
              else nl++;
            end
          end
        end
        assert (ng <= 1 && nl <= 1) else $error("mmu_sa: %0d global and %0d local ways hit one lookup", ng, nl);
      end
    end
  end
`endif

endmodule
