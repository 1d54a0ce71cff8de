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

  // Storage (docs/microarchitecture.md "TLB arrays"): what a real array
  // keeps in SRAM, one word per set written only when a fill writes that
  // set, and what it keeps in flip-flops because it is cleared at once.
  //   ent_q[s]   the set's entries: way w's is bits [w*EW +: EW] (its V flag
  //              is never read: val_q says which ways are valid, and the
  //              lookup and debug outputs carry V from it)
  //   val_q      valid bits, bit s*W + w for way w of set s: flash-cleared by
  //              reset and by the invalidations; set s's are read as the
  //              part-select val_q[s*W +: W] in place (passed to a function,
  //              the whole vector would be copied in every evaluation)
  //   age_q[s]   LRU ages, way w's in bits [w*8 +: 8] (LRU arrays only);
  //              plru_q[s] tree bits (PLRU arrays only, the W-1 used);
  //              both meaningful only once rinit_q[s] is set (the first
  //              write of the set after reset), before that they read as
  //              their reset values: an SRAM is not reset
  // (mem2reg: yosys keeps these as registers. Read by every tag compare of
  // an invalidation they are not SRAMs yet, and as memories with a read
  // port per set yosys's memory_share runs out of memory.)
  (* mem2reg *) logic [W*EW-1:0] ent_q  [SETS];
  logic [SETS*W-1:0]             val_q;
  (* mem2reg *) logic [W*8-1:0]  age_q  [SETS];
  (* mem2reg *) logic [63:0]     plru_q [SETS];
  logic [SETS-1:0]   rinit_q;
  logic [15:0]       lfsr_q, lfsr_d;

  // LRU ages after reset: age[w] = w
  function automatic logic [W*8-1:0] age_reset();
    for (int unsigned w = 0; w < W; w++) age_reset[w*8 +: 8] = 8'(w);
  endfunction
  localparam logic [W*8-1:0] AGE_RST = age_reset();
  // the tree bits a W-way tree-PLRU uses (W-1 of the 64)
  localparam logic [63:0] PLRU_USED = (W > 1) ? (64'd1 << (W - 1)) - 64'd1 : 64'd0;
  localparam bit IS_LRU = (REPL == mmu_pkg::REPL_LRU), IS_PLRU = (REPL == mmu_pkg::REPL_PLRU);

  function automatic int unsigned set_of(input logic [35:0] tag);
    set_of = (SETS == 1) ? 0 : (32'(tag[31:0]) & (SETS - 1));
  endfunction

  // a valid entry v of the tag, size and PCID (or global)
  function automatic logic entry_match(input logic v, input logic [EW-1:0] e, input logic [35:0] tag,
                                       input logic [1:0] size, input logic [11:0] pcid);
    logic [5:0] fl;
    fl = mmu_pkg::sa_flags(e);
    entry_match = v && mmu_pkg::sa_tag(e) == tag && mmu_pkg::sa_size(e) == size &&
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
    logic [W-1:0]    v;      // its valid bits
    logic [35:0]     tag;
    for (int unsigned p = 0; p < 3; p++) begin
      tag = lk_tag_i[p*36 +: 36];
      set_e = ent_q[set_of(tag)];
      v = val_q[set_of(tag)*W +: W];
      lk_hit_o[p]              = 1'b0;
      lk_way_o[p*WW +: WW]     = '0;
      lk_entry_o[p*EW +: EW]   = '0;
      if (EN && SZ[p]) begin
        for (int unsigned w = 0; w < W; w++) begin
          if (!lk_hit_o[p] && entry_match(v[w], set_e[w*EW +: EW], tag, 2'(p), lk_pcid_i)) begin
            lk_hit_o[p]            = 1'b1;
            lk_way_o[p*WW +: WW]   = WW'(w);
            lk_entry_o[p*EW +: EW] = mmu_pkg::sa_set_flags(set_e[w*EW +: EW],
                                                           mmu_pkg::sa_flags(set_e[w*EW +: EW]) | 6'd1);
          end
        end
      end
    end
  end

  // ------------------------------------------------------------ debug read
  // A way of a set never written since reset reads as 0 (as sa.c's), an
  // invalid way with its flags 0 (an invalidation clears them in sa.c).
  always_comb begin : debug_read
    int unsigned ds, dw;
    logic [W-1:0] v;
    ds = {16'd0, dbg_idx_i / 16'(W)};
    dw = {16'd0, dbg_idx_i % 16'(W)};
    v = '0;
    dbg_entry_o = '0;
    dbg_age_o   = '0;
    dbg_plru_o  = '0;
    dbg_lfsr_o  = lfsr_q;
    if (EN && ds < SETS) begin
      v = val_q[ds*W +: W];
      // the way by a loop over constant way numbers: a variable part-select
      // of a wide vector makes Verilator read past a temporary (ASan)
      for (int unsigned w = 0; w < W; w++) begin
        if (w == dw) begin
          if (rinit_q[ds]) begin
            dbg_entry_o = ent_q[ds][w*EW +: EW];
            dbg_entry_o = mmu_pkg::sa_set_flags(dbg_entry_o, v[w] ? (mmu_pkg::sa_flags(dbg_entry_o) | 6'd1) : 6'd0);
          end
          dbg_age_o = (IS_LRU && rinit_q[ds]) ? age_q[ds][w*8 +: 8] : AGE_RST[w*8 +: 8];
        end
      end
      dbg_plru_o = (IS_PLRU && rinit_q[ds]) ? (plru_q[ds] & PLRU_USED) : '0;
    end
  end

  // ------------------------------------------------------------- updates
  // The updates of a cycle, in the order of [T:update]:
  //   (a) the touch of a lookup hit: the set's replacement state;
  //   (b) invalidations by address: valid bits cleared (inv_kill);
  //   (c) fills in port order: each reads its set as (a), (b) and the
  //       earlier ports left it, and writes the whole set back;
  //   (d) a control invalidation: valid bits cleared (ctl_kill), judged on
  //       the entries as (c) left them.
  // Only the sets that (a) and (c) name are written; (b) and (d) change
  // only val_q.

  // (b) Each port, in port order, clears the entries it matches. A cleared
  // entry matches no later port, and (a) changes no entry, so an entry is
  // cleared when any port matches it as it is at the start of the cycle.
  logic [SETS*W-1:0] inv_kill;  // bit s*W + w: clear way w of set s
  always_comb begin : inv_match
    logic [EW-1:0] e;
    logic [5:0]    fl;
    logic [35:0]   tag;
    logic [1:0]    size, asize;
    logic [11:0]   pcid;
    logic [W-1:0]  v;
    logic          who;  // the entry's PCID or global rule allows port i
    inv_kill = '0;
    e = '0;
    fl = '0;
    tag = '0;
    size = '0;
    asize = '0;
    pcid = '0;
    v = '0;
    who = 1'b0;
    if (EN && inv_i != '0) begin
      for (int unsigned si = 0; si < SETS; si++) begin
        v = val_q[si*W +: W];
        for (int unsigned w = 0; w < W; w++) begin
          e = ent_q[si][w*EW +: EW];
          fl = mmu_pkg::sa_flags(e);
          tag = mmu_pkg::sa_tag(e);
          size = mmu_pkg::sa_size(e);
          asize = mmu_pkg::sa_asize(e);
          pcid = mmu_pkg::sa_pcid(e);
          for (int unsigned i = 0; i < NI; i++) begin
            who = fl[mmu_pkg::F_G] ? !inv_keep_global_i[i] : (pcid == inv_pcid_i[i*12 +: 12]);
            if (inv_i[i] && v[w] && who) begin
              // the entry a lookup of the address at its size would match
              for (int unsigned sz = 0; sz < 3; sz++) begin
                if (SZ[sz] && size == 2'(sz) && set_of(inv_tag_i[(3*i+sz)*36 +: 36]) == si &&
                    tag == inv_tag_i[(3*i+sz)*36 +: 36])
                  inv_kill[si*W + w] = 1'b1;
              end
              // a piece of the page that contains the address, in any set
              if (SPLINTER != 0 && asize > size) begin
                for (int unsigned a = 1; a < 3; a++) begin
                  if (asize == 2'(a) && mmu_pkg::tag_up(tag, size, asize) == inv_tag_i[(3*i+a)*36 +: 36])
                    inv_kill[si*W + w] = 1'b1;
                end
              end
            end
          end
        end
      end
    end
  end

  // (a) and (c): what each fill port writes. Port f works on set f_s[f]:
  // from the storage (a set never written reads as 0, its replacement state
  // as after reset) with (a) and (b) applied, or as the last earlier port
  // that wrote the same set left it.
  int unsigned       t_s;                 // the touched set
  logic [W*8-1:0]    t_age;               // its state after (a)
  logic [63:0]       t_plru;
  int unsigned       f_s    [NF];
  logic [W*EW-1:0]   f_set  [NF];
  logic [W-1:0]      f_val  [NF];
  logic [W*8-1:0]    f_age  [NF];
  logic [63:0]       f_plru [NF];
  always_comb begin : fills
    int unsigned     s, way;
    logic            found;
    logic [W*EW-1:0] set_e;
    logic [W-1:0]    v;
    logic [W*8-1:0]  age;
    logic [63:0]     plru;
    logic [EW-1:0]   e;
    logic [5:0]      fl;
    lfsr_d = lfsr_q;
    // temporaries, assigned before every use (defaults: no latches)
    s = 0;
    way = 0;
    found = 1'b0;
    set_e = '0;
    v = '0;
    age = '0;
    plru = '0;
    e = '0;
    fl = '0;
    for (int unsigned f = 0; f < NF; f++) begin
      f_s[f]    = 0;
      f_set[f]  = '0;
      f_val[f]  = '0;
      f_age[f]  = '0;
      f_plru[f] = '0;
    end
    // (a)
    t_s = 0;
    t_age = '0;
    t_plru = '0;
    if (EN && touch_i) begin
      t_s = set_of(touch_tag_i);
      t_age = (IS_LRU && rinit_q[t_s]) ? age_q[t_s] : AGE_RST;
      t_plru = (IS_PLRU && rinit_q[t_s]) ? (plru_q[t_s] & PLRU_USED) : '0;
      if (REPL == mmu_pkg::REPL_LRU) t_age = lru_touch(t_age, 32'(touch_way_i));
      if (REPL == mmu_pkg::REPL_PLRU) t_plru = plru_touch(t_plru, 32'(touch_way_i));
    end
    // (c) (a port that does not fill computes nothing)
    for (int unsigned f = 0; f < NF; f++) begin
      if (EN && fill_i[f]) begin
        e = fill_entry_i[f*EW +: EW];
        s = set_of(mmu_pkg::sa_tag(e));
        f_s[f] = s;
        set_e = rinit_q[s] ? ent_q[s] : '0;
        v = val_q[s*W +: W] & ~inv_kill[s*W +: W];
        age = (IS_LRU && rinit_q[s]) ? age_q[s] : AGE_RST;
        plru = (IS_PLRU && rinit_q[s]) ? (plru_q[s] & PLRU_USED) : '0;
        if (touch_i && t_s == s) begin
          age = t_age;
          plru = t_plru;
        end
        for (int unsigned g = 0; g < f; g++) begin
          if (fill_i[g] && f_s[g] == s) begin
            set_e = f_set[g];
            v = f_val[g];
            age = f_age[g];
            plru = f_plru[g];
          end
        end
        found = 1'b0;
        way = 0;
        for (int unsigned w = 0; w < W; w++) begin
          if (!found && entry_match(v[w], set_e[w*EW +: EW], mmu_pkg::sa_tag(e), mmu_pkg::sa_size(e),
                                    mmu_pkg::sa_pcid(e))) begin
            found = 1'b1;
            way = w;
          end
        end
        for (int unsigned w = 0; w < W; w++) begin
          if (!found && !v[w]) begin
            found = 1'b1;
            way = w;
          end
        end
        if (!found) begin
          if (REPL == mmu_pkg::REPL_LRU) way = lru_victim(age);
          else if (REPL == mmu_pkg::REPL_PLRU) way = plru_victim(plru);
          else begin
            lfsr_d = mmu_pkg::lfsr_step(lfsr_d);
            way = {16'd0, mod_w(lfsr_d)};  // lfsr % W
          end
        end
        fl = mmu_pkg::sa_flags(e);
        fl[mmu_pkg::F_V] = 1'b1;
        for (int unsigned w = 0; w < W; w++) begin
          if (w == way) begin
            set_e[w*EW +: EW] = mmu_pkg::sa_set_flags(e, fl);
            v[w] = 1'b1;
          end
        end
        if (REPL == mmu_pkg::REPL_LRU) age = lru_touch(age, way);
        if (REPL == mmu_pkg::REPL_PLRU) plru = plru_touch(plru, way);
        f_set[f]  = set_e;
        f_val[f]  = v;
        f_age[f]  = age;
        f_plru[f] = plru;
      end
    end
  end

  // (d) on the entries as (c) left them: the storage's, except in the sets
  // the fills wrote (the last port that wrote a set has its final value)
  function automatic logic ctl_match(input logic [EW-1:0] e);
    logic [5:0] fl;
    fl = mmu_pkg::sa_flags(e);
    case (ctl_kind_i)
      mmu_pkg::INV_ALL:            ctl_match = 1'b1;
      mmu_pkg::INV_NONGLOBAL:      ctl_match = !fl[mmu_pkg::F_G];
      mmu_pkg::INV_PCID_NONGLOBAL: ctl_match = !fl[mmu_pkg::F_G] && mmu_pkg::sa_pcid(e) == ctl_pcid_i;
      default:                     ctl_match = mmu_pkg::sa_pcid(e) == ctl_pcid_i;
    endcase
  endfunction
  logic [SETS*W-1:0] ctl_kill;  // bit s*W + w: clear way w of set s
  always_comb begin : ctl_match_all
    ctl_kill = '0;
    if (EN && ctl_inv_i) begin
      for (int unsigned si = 0; si < SETS; si++) begin
        for (int unsigned w = 0; w < W; w++) ctl_kill[si*W + w] = ctl_match(ent_q[si][w*EW +: EW]);
      end
      for (int unsigned f = 0; f < NF; f++) begin
        if (fill_i[f]) begin
          for (int unsigned w = 0; w < W; w++) ctl_kill[f_s[f]*W + w] = ctl_match(f_set[f][w*EW +: EW]);
        end
      end
    end
  end

  // The valid bits after (b), (c), (d)
  logic [SETS*W-1:0] val_d;
  always_comb begin : valid_next
    val_d = val_q;
    if (inv_i != '0) val_d = val_d & ~inv_kill;
    for (int unsigned f = 0; f < NF; f++) begin
      if (EN && fill_i[f]) val_d[f_s[f]*W +: W] = f_val[f];
    end
    if (ctl_inv_i) val_d = val_d & ~ctl_kill;
  end

  // The registers. Only the sets touched or filled are written (an SRAM's
  // one write per port); reset clears the valid bits and marks every set
  // unwritten, and restarts the LFSR.
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      val_q   <= '0;
      rinit_q <= '0;
      lfsr_q  <= (LFSR_SEED == 0) ? 16'hACE1 : 16'(LFSR_SEED);
    end else if (EN) begin
      val_q  <= val_d;
      lfsr_q <= lfsr_d;
      if (touch_i) begin
        if (IS_LRU) age_q[t_s] <= t_age;
        if (IS_PLRU) plru_q[t_s] <= t_plru;
      end
      for (int unsigned f = 0; f < NF; f++) begin
        if (fill_i[f]) begin
          ent_q[f_s[f]]   <= f_set[f];
          if (IS_LRU) age_q[f_s[f]] <= f_age[f];
          if (IS_PLRU) plru_q[f_s[f]] <= f_plru[f];
          rinit_q[f_s[f]] <= 1'b1;
        end
      end
    end
  end

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
        automatic logic [W-1:0] v = val_q[set_of(tag)*W +: W];
        if (SZ[p]) begin
          for (int unsigned w = 0; w < W; w++) begin
            automatic logic [5:0] fl = mmu_pkg::sa_flags(set_e[w*EW +: EW]);
            if (entry_match(v[w], set_e[w*EW +: EW], tag, 2'(p), lk_pcid_i)) begin
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
