// mmu_lookup.sv - the lookup stage over the arrays of the configured
// organisation ([T:organisation]): one mmu_sa per configured TLB slot
// (g_tlb[i].g_arr.u_sa) and page-walk-cache slot (g_pwc[j].g_arr.u_sa);
// the level-1 and level-2 lookups and the PWC lookup (docs/timing.md
// [T:lookup], the soft-miss rule of 5.4), the touches, the fills ([T:fill]:
// candidates, pieces, the choice among k; the PWC fills of [T:update] d),
// the invalidations by address ([T:inval-va]: a faulting walk's, INVLPG's
// and INVPCID type 0's) and the whole-array invalidations that mmu_top's
// `control` decodes; the debug read port. The RTL twin of model/lookup.c.
//
// The slots' parameters come from mmu_top as constant vectors, 32 bits a
// slot (field F of slot i is TLB_F_V[i*32 +: 32]): yosys 0.23 reads no
// unpacked parameter arrays. Per-walker inputs are flat vectors: walker k's
// field F bits wide is bits [k*F +: F] (its PWC data for level pl at
// [(k*3 + pl)*F +: F]).

module mmu_lookup #(
  parameter int unsigned WALKERS = 2,
  parameter int unsigned N_TLB   = 7,   // the debug port's array ids: TLB slots, then PWC slots
  parameter int unsigned N_PWC   = 3,
  parameter logic [12*32-1:0] TLB_LEVEL_V     = '0,
  parameter logic [12*32-1:0] TLB_SERVES_V    = '0,
  parameter logic [12*32-1:0] TLB_SIZES_V     = '0,
  parameter logic [12*32-1:0] TLB_ENTRIES_V   = '0,
  parameter logic [12*32-1:0] TLB_WAYS_V      = '0,
  parameter logic [12*32-1:0] TLB_REPL_V      = '0,
  parameter logic [12*32-1:0] TLB_LFSR_SEED_V = '0,
  parameter logic [12*32-1:0] TLB_SPLINTER_V  = '0,
  parameter logic [12*32-1:0] TLB_SETS_V      = '0,
  parameter logic [4*32-1:0]  PWC_LEVELS_V    = '0,
  parameter logic [4*32-1:0]  PWC_ENTRIES_V   = '0,
  parameter logic [4*32-1:0]  PWC_WAYS_V      = '0,
  parameter logic [4*32-1:0]  PWC_REPL_V      = '0,
  parameter logic [4*32-1:0]  PWC_LFSR_SEED_V = '0,
  parameter logic [4*32-1:0]  PWC_SETS_V      = '0
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [7:0]  mode_i,       // the mode bits (the rights check of a hit)
  input  logic [11:0] cur_pcid_i,   // the current PCID (the TLB lookups)
  // [T:lookup] level 1: the lookup due now, its first usable hit
  input  logic        l1_v_i,
  input  logic [63:0] l1_va_i,
  input  logic [1:0]  l1_acc_i,
  input  logic        l1_user_i,
  input  logic        l1_impl_i,
  output logic        l1_hit_o,
  output logic [mmu_pkg::SA_ENTRY_W-1:0] l1_ent_o,
  // level 2: the same (a hit refills level 1)
  input  logic        st_v_i,
  input  logic [63:0] st_va_i,
  input  logic [1:0]  st_acc_i,
  input  logic        st_user_i,
  input  logic        st_impl_i,
  output logic        l2_hit_o,
  output logic [mmu_pkg::SA_ENTRY_W-1:0] l2_ent_o,
  // the PWC lookup due now (for one walker): the deepest hit (0 none,
  // 1 PML4E, 2 PDPTE, 3 PDE), its next-table address and rights
  input  logic        pwc_v_i,
  input  logic [63:0] pwc_va_i,
  input  logic [11:0] pwc_pcid_i,
  output logic [1:0]  pwc_hit_o,
  output logic [51:0] pwc_table_o,
  output logic [5:0]  pwc_cum_o,
  // walks completing this cycle (mmu_walker's results): fills or invalidations
  input  logic [WALKERS-1:0]      w_complete_i,
  input  logic [WALKERS*2-1:0]    w_fault_i,
  input  logic [WALKERS*64-1:0]   w_va_i,
  input  logic [WALKERS*2-1:0]    w_acc_i,
  input  logic [WALKERS*12-1:0]   w_pcid_i,
  input  logic [WALKERS*2-1:0]    w_size_i,
  input  logic [WALKERS*52-1:0]   w_frame_i,
  input  logic [WALKERS*6-1:0]    w_tflags_i,
  input  logic [WALKERS*3-1:0]    w_leaf_i,
  input  logic [WALKERS*5-1:0]    w_read_i,
  input  logic [WALKERS*3*52-1:0] w_pwc_data_i,
  input  logic [WALKERS*3*6-1:0]  w_pwc_cum_i,
  // 9. control (decoded by mmu_top): INVLPG / INVPCID type 0 of an address,
  // and the whole-array invalidations of the TLBs and of the PWCs
  input  logic        ctl_va_inv_i,
  input  logic [63:0] ctl_va_i,
  input  logic [11:0] ctl_va_pcid_i,
  input  logic        ctl_va_keep_global_i,
  input  logic        tlb_ctl_i,
  input  logic [1:0]  tlb_ctl_kind_i,
  input  logic [11:0] tlb_ctl_pcid_i,
  input  logic        pwc_ctl_i,
  input  logic [1:0]  pwc_ctl_kind_i,
  input  logic [11:0] pwc_ctl_pcid_i,
  // debug read (mmu_top's dbg_* ports)
  input  logic [3:0]  dbg_arr_i,
  input  logic [15:0] dbg_idx_i,
  output logic [mmu_pkg::SA_ENTRY_W-1:0] dbg_entry_o,
  output logic [7:0]  dbg_age_o,
  output logic [63:0] dbg_plru_o,
  output logic [15:0] dbg_lfsr_o
);

  localparam int unsigned NW = WALKERS;
  localparam int unsigned EW = mmu_pkg::SA_ENTRY_W;  // array entry width
  localparam int unsigned WW = mmu_pkg::WAY_W;       // way number width
  localparam int unsigned NT = 12;                   // TLB slots
  localparam int unsigned NP = 4;                    // PWC slots

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
      l1_tags[s*36 +: 36]  = mmu_pkg::page_tag(l1_va_i, 2'(s));
      l2_tags[s*36 +: 36]  = mmu_pkg::page_tag(st_va_i, 2'(s));
      pwc_tags[s*36 +: 36] = mmu_pkg::pwc_tag(pwc_va_i, 2'(s));
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
  logic [3:0]    l1_slot, l2_slot;
  logic [WW-1:0] l1_way, l2_way;
  // an access kind as the SERVES bit it needs (acc 3 serves nothing)
  function automatic logic [2:0] acc_bit(input logic [1:0] acc);
    acc_bit = (acc == 2'd0) ? 3'b001 : (acc == 2'd1) ? 3'b010 : (acc == 2'd2) ? 3'b100 : 3'b000;
  endfunction

  always_comb begin : tlb_lookup
    logic [EW-1:0] e;
    logic          l1_on, l2_on;
    l1_hit_o = 1'b0;
    l1_ent_o = '0;
    l1_slot = '0;
    l1_way = '0;
    l2_hit_o = 1'b0;
    l2_ent_o = '0;
    l2_slot = '0;
    l2_way = '0;
    e = '0;
    l1_on = l1_v_i && mmu_pkg::canonical(l1_va_i);  // a non-canonical address is a #GP, no lookup
    l2_on = st_v_i;
    for (int unsigned i = 0; i < NT; i++) begin
      for (int unsigned s = 0; s < 3; s++) begin
        e = tlb_lk_ent[i][s*EW +: EW];
        if (TLB_LEVEL_V[i*32 +: 32] == 1 && l1_on && !l1_hit_o && (TLB_SERVES_V[i*32 +: 3] & acc_bit(l1_acc_i)) != 0 &&
            tlb_lk_hit[i][s] && usable(mode_i, mmu_pkg::sa_flags(e), l1_acc_i, l1_user_i, l1_impl_i)) begin
          l1_hit_o = 1'b1;
          l1_ent_o = e;
          l1_slot = 4'(i);
          l1_way = tlb_lk_way[i][s*WW +: WW];
        end
        if (TLB_LEVEL_V[i*32 +: 32] == 2 && l2_on && !l2_hit_o &&
            (TLB_SERVES_V[i*32 +: 3] & acc_bit(st_acc_i)) != 0 &&
            tlb_lk_hit[i][s] &&
            usable(mode_i, mmu_pkg::sa_flags(e), st_acc_i, st_user_i, st_impl_i)) begin
          l2_hit_o = 1'b1;
          l2_ent_o = e;
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
  logic          pwc_touch     [NP];
  logic [35:0]   pwc_touch_tag [NP];
  logic [WW-1:0] pwc_touch_way [NP];
  always_comb begin : pwc_lookup
    logic [1:0]    mine;  // this PWC: 1 + its deepest level hit, 0 none
    logic [EW-1:0] me;
    pwc_hit_o = '0;
    pwc_table_o = '0;
    pwc_cum_o = '0;
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
      pwc_touch[j] = pwc_v_i && mine != 2'd0;
      pwc_touch_tag[j] = mmu_pkg::sa_tag(me);
      if (mine > pwc_hit_o) begin
        pwc_hit_o = mine;
        pwc_table_o = mmu_pkg::sa_data(me);
        pwc_cum_o = mmu_pkg::sa_flags(me) & 6'((1 << mmu_pkg::F_RW) | (1 << mmu_pkg::F_US) | (1 << mmu_pkg::F_XD));
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
    if (l2_hit_o) begin
      asz = mmu_pkg::sa_asize(l2_ent_o);
      frame = mmu_pkg::sa_data(l2_ent_o) - (st_va_i[51:0] & mmu_pkg::page_mask(asz) &
                                          ~mmu_pkg::page_mask(mmu_pkg::sa_size(l2_ent_o)));
      t = fill_target(1, st_acc_i, asz, st_va_i);
      f1_v[0] = t[6];
      f1_slot[0 +: 4] = t[5:2];
      f1_ent[0 +: EW] = fill_entry(st_va_i, asz, t[1:0], frame, mmu_pkg::sa_pcid(l2_ent_o),
                                   mmu_pkg::sa_flags(l2_ent_o));
    end
    // d. walks completing without a fault, in walker order: level 2, then
    // level 1 (different arrays: the order within a walk is free)
    for (int k = 0; k < NW; k++) begin
      if (w_complete_i[k] && w_fault_i[k*2 +: 2] == mmu_pkg::FAULT_NONE) begin
        t = fill_target(2, w_acc_i[k*2 +: 2], w_size_i[k*2 +: 2], w_va_i[k*64 +: 64]);
        f2_v[k + 1] = t[6];
        f2_slot[(k + 1)*4 +: 4] = t[5:2];
        f2_ent[(k + 1)*EW +: EW] = fill_entry(w_va_i[k*64 +: 64], w_size_i[k*2 +: 2], t[1:0], w_frame_i[k*52 +: 52], w_pcid_i[k*12 +: 12], w_tflags_i[k*6 +: 6]);
        t = fill_target(1, w_acc_i[k*2 +: 2], w_size_i[k*2 +: 2], w_va_i[k*64 +: 64]);
        f1_v[k + 1] = t[6];
        f1_slot[(k + 1)*4 +: 4] = t[5:2];
        f1_ent[(k + 1)*EW +: EW] = fill_entry(w_va_i[k*64 +: 64], w_size_i[k*2 +: 2], t[1:0], w_frame_i[k*52 +: 52], w_pcid_i[k*12 +: 12], w_tflags_i[k*6 +: 6]);
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
        if (w_complete_i[k] && w_fault_i[k*2 +: 2] == mmu_pkg::FAULT_NONE && 4 - pl > 32'(w_leaf_i[k*3 +: 3]) && w_read_i[k*5 + 4 - pl]) begin
          tag = mmu_pkg::pwc_tag(w_va_i[k*64 +: 64], 2'(pl));
          t = pwc_target(2'(pl), tag);
          pf_v[k*3 + pl] = t[2];
          pf_slot[(k*3 + pl)*2 +: 2] = t[1:0];
          pf_ent[(k*3 + pl)*EW +: EW] = mmu_pkg::sa_pack(tag, w_pwc_data_i[(k*3 + pl)*52 +: 52], w_pcid_i[k*12 +: 12], 2'd0, 2'(pl),
                                                         w_pwc_cum_i[(k*3 + pl)*6 +: 6] | 6'(1 << mmu_pkg::F_V));
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
      if (w_complete_i[k] && w_fault_i[k*2 +: 2] == mmu_pkg::FAULT_PF) begin
        tlb_inv[k] = 1'b1;
        pwc_inv[k] = 1'b1;
        for (int s = 0; s < 3; s++) begin
          tlb_inv_tag[(3*k + s)*36 +: 36] = mmu_pkg::page_tag(w_va_i[k*64 +: 64], 2'(s));
          pwc_inv_tag[(3*k + s)*36 +: 36] = mmu_pkg::pwc_tag(w_va_i[k*64 +: 64], 2'(s));
        end
        tlb_inv_pcid[k*12 +: 12] = w_pcid_i[k*12 +: 12];
        pwc_inv_pcid[k*12 +: 12] = w_pcid_i[k*12 +: 12];
      end
    end
    if (ctl_va_inv_i) begin
      // INVLPG: the current PCID, global entries too; INVPCID 0: PCID p, not global
      tlb_inv[NW] = 1'b1;
      for (int s = 0; s < 3; s++) tlb_inv_tag[(3*NW + s)*36 +: 36] = mmu_pkg::page_tag(ctl_va_i, 2'(s));
      tlb_inv_pcid[NW*12 +: 12] = ctl_va_pcid_i;
      tlb_inv_kg[NW] = ctl_va_keep_global_i;
    end
  end

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
        .lk_tag_i((LV == 1) ? l1_tags : l2_tags), .lk_pcid_i(cur_pcid_i),
        .lk_hit_o(tlb_lk_hit[i]), .lk_way_o(tlb_lk_way[i]), .lk_entry_o(tlb_lk_ent[i]),
        .touch_i((LV == 1) ? l1_hit_o && l1_slot == 4'(i) : l2_hit_o && l2_slot == 4'(i)),
        .touch_tag_i(mmu_pkg::sa_tag((LV == 1) ? l1_ent_o : l2_ent_o)), .touch_way_i((LV == 1) ? l1_way : l2_way),
        .inv_i(tlb_inv), .inv_tag_i(tlb_inv_tag), .inv_pcid_i(tlb_inv_pcid), .inv_keep_global_i(tlb_inv_kg),
        .fill_i(fill), .fill_entry_i((LV == 1) ? f1_ent : f2_ent),
        .ctl_inv_i(tlb_ctl_i), .ctl_kind_i(tlb_ctl_kind_i), .ctl_pcid_i(tlb_ctl_pcid_i),
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
        .lk_tag_i(pwc_tags), .lk_pcid_i(pwc_pcid_i),
        .lk_hit_o(pwc_lk_hit[j]), .lk_way_o(pwc_lk_way[j]), .lk_entry_o(pwc_lk_ent[j]),
        .touch_i(pwc_touch[j]), .touch_tag_i(pwc_touch_tag[j]), .touch_way_i(pwc_touch_way[j]),
        .inv_i(pwc_inv), .inv_tag_i(pwc_inv_tag), .inv_pcid_i(pwc_inv_pcid), .inv_keep_global_i('0),
        .fill_i(fill), .fill_entry_i(pf_ent),
        .ctl_inv_i(pwc_ctl_i), .ctl_kind_i(pwc_ctl_kind_i), .ctl_pcid_i(pwc_ctl_pcid_i),
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

endmodule
