// mmu_pkg.sv - types, encodings and the architectural rules shared by the
// MMU's modules. Every encoding equals model/mmu_types.h; every rule equals
// model/paging.h (Intel SDM Vol. 3A ch. 4), and docs/timing.md defines both.
// Functions assign to their name (no `return`) and name enum items with the
// package prefix (mmu_pkg::CAUSE_NONE) so that yosys 0.23 reads them (called
// from a module, a package function does not find the bare enum items).

package mmu_pkg;

  // Access kinds (req_acc)
  localparam logic [1:0] ACC_READ  = 2'd0;
  localparam logic [1:0] ACC_WRITE = 2'd1;
  localparam logic [1:0] ACC_EXEC  = 2'd2;

  // Page sizes (rsp_size); PS_NONE: no leaf (fault before one, or #GP)
  localparam logic [1:0] PS_4K   = 2'd0;
  localparam logic [1:0] PS_2M   = 2'd1;
  localparam logic [1:0] PS_1G   = 2'd2;
  localparam logic [1:0] PS_NONE = 2'd3;

  // Fault classes (rsp_fault)
  localparam logic [1:0] FAULT_NONE = 2'd0;
  localparam logic [1:0] FAULT_PF   = 2'd1;
  localparam logic [1:0] FAULT_GP   = 2'd2;

  // Fault causes (rsp_cause)
  typedef enum logic [3:0] {
    CAUSE_NONE        = 4'd0,
    CAUSE_NOT_PRESENT = 4'd1,
    CAUSE_RSVD        = 4'd2,
    CAUSE_WRITE       = 4'd3,
    CAUSE_USER        = 4'd4,
    CAUSE_NX          = 4'd5,
    CAUSE_SMEP        = 4'd6,
    CAUSE_SMAP        = 4'd7,
    CAUSE_NONCANON    = 4'd8
  } cause_e;

  // Where a translation was found (rsp_src)
  localparam logic [1:0] SRC_L1   = 2'd0;
  localparam logic [1:0] SRC_STLB = 2'd1;
  localparam logic [1:0] SRC_WALK = 2'd2;
  localparam logic [1:0] SRC_NONE = 2'd3;

  // Control operations (ctl_op)
  localparam logic [2:0] CTL_CR3     = 3'd1;
  localparam logic [2:0] CTL_INVLPG  = 3'd2;
  localparam logic [2:0] CTL_INVPCID = 3'd3;
  localparam logic [2:0] CTL_MODE    = 3'd4;

  // Mode bits (ctl_data of CTL_MODE)
  localparam int unsigned MODE_WP    = 0;
  localparam int unsigned MODE_PCIDE = 1;
  localparam int unsigned MODE_SMEP  = 2;
  localparam int unsigned MODE_SMAP  = 3;
  localparam int unsigned MODE_PGE   = 4;
  localparam int unsigned MODE_NXE   = 5;
  localparam int unsigned MODE_AC    = 6;
  localparam int unsigned MODE_NOPG1G = 7;  // CPUID.80000001H:EDX.Page1GB = 0

  // Replacement policies
  localparam int unsigned REPL_LRU    = 0;
  localparam int unsigned REPL_PLRU   = 1;
  localparam int unsigned REPL_RANDOM = 2;

  // Request-table entry states
  typedef enum logic [2:0] {
    RT_FREE = 3'd0,
    RT_L1   = 3'd1,
    RT_STLB = 3'd2,
    RT_MISS = 3'd3,
    RT_WALK = 3'd4,
    RT_DONE = 3'd5
  } rt_state_e;

  // Walker states
  typedef enum logic [2:0] {
    W_IDLE    = 3'd0,
    W_PWC     = 3'd1,
    W_MEMRQ   = 3'd2,
    W_MEMWAIT = 3'd3,
    W_ADW     = 3'd4,   // wants the port for a locked A/D update
    W_ADWAIT  = 3'd5    // the update outstanding ([T:locked-update])
  } walker_state_e;

  // Array-entry flag bits (model/sa.h SA_*)
  localparam int unsigned F_V  = 0;
  localparam int unsigned F_G  = 1;
  localparam int unsigned F_RW = 2;
  localparam int unsigned F_US = 3;
  localparam int unsigned F_XD = 4;
  localparam int unsigned F_D  = 5;

  // One entry of a TLB or page-walk cache (model/sa.h sa_entry_t)
  typedef struct packed {
    logic [35:0] tag;   // TLB: va[47:shift(size)]; PWC: va[47:39|30|21]
    logic [51:0] data;  // frame base (of the entry: a piece's own) / next paging-structure base
    logic [11:0] pcid;
    logic [1:0]  asize; // TLB: the page size of the translation (> size: a piece); PWC: 0
    logic [1:0]  size;  // TLB: the entry's size; PWC: its level (0 PML4E, 1 PDPTE, 2 PDE)
    logic [5:0]  flags; // F_*
  } sa_entry_t;
  localparam int unsigned SA_ENTRY_W = 36 + 52 + 12 + 2 + 2 + 6;  // $bits(sa_entry_t)
  localparam int unsigned WAY_W = 7;  // way numbers: up to 128 ways

  // Entries cross module ports and live in arrays as flat SA_ENTRY_W-bit
  // vectors in the layout of sa_entry_t (tag in the top bits, flags in the
  // bottom ones); these read and build their fields. (yosys 0.23 selects
  // struct fields only of module-level signals, not of function arguments,
  // block-local variables or unpacked-array elements; mmu_sa checks at
  // elaboration that the layout equals sa_entry_t.)
  function automatic logic [35:0] sa_tag(input logic [SA_ENTRY_W-1:0] e);
    sa_tag = e[109:74];
  endfunction
  function automatic logic [51:0] sa_data(input logic [SA_ENTRY_W-1:0] e);
    sa_data = e[73:22];
  endfunction
  function automatic logic [11:0] sa_pcid(input logic [SA_ENTRY_W-1:0] e);
    sa_pcid = e[21:10];
  endfunction
  function automatic logic [1:0] sa_asize(input logic [SA_ENTRY_W-1:0] e);
    sa_asize = e[9:8];
  endfunction
  function automatic logic [1:0] sa_size(input logic [SA_ENTRY_W-1:0] e);
    sa_size = e[7:6];
  endfunction
  function automatic logic [5:0] sa_flags(input logic [SA_ENTRY_W-1:0] e);
    sa_flags = e[5:0];
  endfunction
  function automatic logic [SA_ENTRY_W-1:0] sa_pack(input logic [35:0] tag, input logic [51:0] data,
                                                    input logic [11:0] pcid, input logic [1:0] asize,
                                                    input logic [1:0] size, input logic [5:0] flags);
    sa_pack = {tag, data, pcid, asize, size, flags};
  endfunction
  // e with its flags replaced
  function automatic logic [SA_ENTRY_W-1:0] sa_set_flags(input logic [SA_ENTRY_W-1:0] e,
                                                         input logic [5:0] flags);
    sa_set_flags = {e[SA_ENTRY_W-1:6], flags};
  endfunction

  // Whole-array invalidation kinds (control operations)
  localparam logic [1:0] INV_ALL            = 2'd0;
  localparam logic [1:0] INV_NONGLOBAL      = 2'd1;
  localparam logic [1:0] INV_PCID_NONGLOBAL = 2'd2;
  localparam logic [1:0] INV_PCID_ANY       = 2'd3;

  // Paging-structure entry bits (SDM 4.5)
  localparam int unsigned PTE_P  = 0;
  localparam int unsigned PTE_RW = 1;
  localparam int unsigned PTE_US = 2;
  localparam int unsigned PTE_A  = 5;
  localparam int unsigned PTE_D  = 6;
  localparam int unsigned PTE_PS = 7;
  localparam int unsigned PTE_G  = 8;
  localparam int unsigned PTE_XD = 63;

  // Canonical: bits 63:47 all equal (SDM 3.3.7.1)
  function automatic logic canonical(input logic [63:0] va);
    canonical = (va[63:47] == 17'h0) || (va[63:47] == 17'h1FFFF);
  endfunction

  // Page shift of a size
  function automatic int unsigned ps_shift(input logic [1:0] ps);
    ps_shift = (ps == PS_4K) ? 12 : (ps == PS_2M) ? 21 : 30;
  endfunction

  // Offset bits of a page of a size: 11:0, 20:0 or 29:0
  function automatic logic [51:0] page_mask(input logic [1:0] ps);
    page_mask = (ps == PS_4K) ? 52'hFFF : (ps == PS_2M) ? 52'h1FFFFF : 52'h3FFFFFFF;
  endfunction

  // Page number (tag) of va at a page size: va[47:shift]
  function automatic logic [35:0] page_tag(input logic [63:0] va, input logic [1:0] ps);
    logic [47:0] v;
    v = va[47:0];
    page_tag = (ps == PS_4K) ? v[47:12] : (ps == PS_2M) ? {9'd0, v[47:21]} : {18'd0, v[47:30]};
  endfunction

  // Tag of a page-walk-cache entry of level lv (0 PML4E, 1 PDPTE, 2 PDE)
  // for va: va[47:39], va[47:30] or va[47:21]
  function automatic logic [35:0] pwc_tag(input logic [63:0] va, input logic [1:0] lv);
    logic [47:0] v;
    v = va[47:0];
    pwc_tag = (lv == 2'd0) ? {27'd0, v[47:39]} : (lv == 2'd1) ? {18'd0, v[47:30]} : {9'd0, v[47:21]};
  endfunction

  // The page number at size asize of an entry of size `size` <= asize with
  // tag t: t >> (shift(asize) - shift(size)) ([T:inval-va]: a piece's page)
  function automatic logic [35:0] tag_up(input logic [35:0] t, input logic [1:0] size, input logic [1:0] asize);
    if (size == PS_4K && asize == PS_2M) tag_up = {9'd0, t[35:9]};
    else if (size == PS_4K && asize == PS_1G) tag_up = {18'd0, t[35:18]};
    else if (size == PS_2M && asize == PS_1G) tag_up = {9'd0, t[35:9]};
    else tag_up = t;
  endfunction

  // Reserved bits set in a present entry at `level` (SDM 4.5.4): 51:M at every
  // level, XD when NXE=0, PS in a PML4E, 29:13 in a 1 GiB PDPTE (PS itself
  // when the processor has no 1 GiB pages: no1g), 20:13 in a 2 MiB PDE.
  function automatic logic rsvd(input logic [63:0] e, input logic [2:0] level,
                                input int unsigned maxphyaddr, input logic nxe, input logic no1g);
    logic [63:0] r;
    r = '0;
    for (int b = 0; b < 52; b++) begin
      if (b >= maxphyaddr) r[b] = 1'b1;
    end
    if (!nxe) r[PTE_XD] = 1'b1;
    if (level == 3'd4) r[PTE_PS] = 1'b1;
    else if (level == 3'd3 && e[PTE_PS] && no1g) r[PTE_PS] = 1'b1;
    else if (level == 3'd3 && e[PTE_PS]) r[29:13] = '1;
    else if (level == 3'd2 && e[PTE_PS]) r[20:13] = '1;
    rsvd = |(e & r);
  endfunction

  // Access rights with combined R/W, U/S, XD (SDM 4.6.1); CAUSE_NONE if allowed.
  // user: the effective privilege (CPL = 3 and not implicit); implicit: an
  // implicit supervisor-mode access, which SMAP blocks whatever RFLAGS.AC.
  function automatic cause_e rights(input logic [7:0] mode, input logic [1:0] acc, input logic user,
                                    input logic implicit, input logic rw, input logic us, input logic xd);
    logic nxe, wp, smep, smap, ac;
    nxe  = mode[MODE_NXE];
    wp   = mode[MODE_WP];
    smep = mode[MODE_SMEP];
    smap = mode[MODE_SMAP];
    ac   = mode[MODE_AC];
    rights = mmu_pkg::CAUSE_NONE;
    if (user) begin
      if (!us) rights = mmu_pkg::CAUSE_USER;
      else if (acc == ACC_WRITE && !rw) rights = mmu_pkg::CAUSE_WRITE;
      else if (acc == ACC_EXEC && nxe && xd) rights = mmu_pkg::CAUSE_NX;
    end else if (acc == ACC_EXEC) begin
      if (nxe && xd) rights = mmu_pkg::CAUSE_NX;
      else if (us && smep) rights = mmu_pkg::CAUSE_SMEP;
    end else begin
      if (us && smap && (!ac || implicit)) rights = mmu_pkg::CAUSE_SMAP;
      else if (acc == ACC_WRITE && !rw && wp) rights = mmu_pkg::CAUSE_WRITE;
    end
  endfunction

  // Page-fault error code (SDM 4.7): P, W/R, U/S, RSVD, I/D. The cause is a
  // cause_e as 4 bits: mmu_rtable keeps the walkers' causes as they come
  // through its flat ports (yosys 0.23 parses no cast to a package type).
  function automatic logic [5:0] error_code(input logic [7:0] mode, input logic [1:0] acc,
                                            input logic user, input logic [3:0] cause);
    error_code = '0;
    error_code[0] = (cause != mmu_pkg::CAUSE_NOT_PRESENT);
    error_code[1] = (acc == ACC_WRITE);
    error_code[2] = user;
    error_code[3] = (cause == mmu_pkg::CAUSE_RSVD);
    error_code[4] = (acc == ACC_EXEC) && (mode[MODE_NXE] || mode[MODE_SMEP]);
  endfunction

  // One step of the 16-bit Galois LFSR, taps 0xB400
  function automatic logic [15:0] lfsr_step(input logic [15:0] l);
    lfsr_step = {1'b0, l[15:1]} ^ (l[0] ? 16'hB400 : 16'h0000);
  endfunction

endpackage
