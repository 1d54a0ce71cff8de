// mmu_arb.sv - the walkers' memory-port arbiter (docs/timing.md [T:memory
// port]): among the walkers that want the port at the start of the cycle,
// the first at or after the round-robin pointer (walker numbers modulo NW)
// is granted; the pointer then becomes the granted walker + 1. The RTL twin
// of model/memport.c.

module mmu_arb #(
  parameter int unsigned NW   = 2,
  parameter int unsigned NWIW = 1   // walker index width: $clog2(NW), at least 1
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic [NW-1:0]   req_i,     // walker k wants the port (MEMRQ or ADW)
  output logic            grant_v_o,
  output logic [NWIW-1:0] grant_o
);

  logic [NWIW-1:0] rr_q, rr_d;

  always_comb begin : arbitrate
    logic [NWIW-1:0] k;
    grant_v_o = 1'b0;
    grant_o = '0;
    k = '0;
    for (int i = 0; i < NW; i++) begin
      k = NWIW'((32'(rr_q) + i) % NW);
      if (!grant_v_o && req_i[k]) begin
        grant_v_o = 1'b1;
        grant_o = k;
      end
    end
    rr_d = grant_v_o ? NWIW'((32'(grant_o) + 1) % NW) : rr_q;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) rr_q <= '0;
    else rr_q <= rr_d;
  end

endmodule
