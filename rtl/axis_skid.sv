// axis_skid — AXI-Stream pipeline register with a skid buffer.
//
// What:       a two-entry register slice; every output (m_valid, m_data) and the upstream
//             ready (s_ready) come straight from flip-flops, so no combinational path runs
//             from m_ready to s_ready. Full throughput (one transfer per cycle).
// Interfaces: s_* in, m_* out; the payload is one flat vector of WIDTH bits (callers pack
//             tdata/tkeep/tlast/tuser/sideband into it).
// Latency:    1 cycle.
`default_nettype none
module axis_skid #(
    parameter int WIDTH = 74
) (
    input  wire logic             clk,
    input  wire logic             rst,
    input  wire logic [WIDTH-1:0] s_data,
    input  wire logic             s_valid,
    output logic                  s_ready,
    output logic [WIDTH-1:0]      m_data,
    output logic                  m_valid,
    input  wire logic             m_ready
);
    logic [WIDTH-1:0] skid_data;
    logic             skid_valid;

    assign s_ready = !skid_valid;

    always_ff @(posedge clk) begin
        if (m_ready || !m_valid) begin
            if (skid_valid) begin
                m_data     <= skid_data;
                m_valid    <= 1'b1;
                skid_valid <= 1'b0;
            end else begin
                m_data  <= s_data;
                m_valid <= s_valid;
            end
        end else if (s_valid && !skid_valid) begin
            skid_data  <= s_data;
            skid_valid <= 1'b1;
        end
        if (rst) begin
            m_valid    <= 1'b0;
            skid_valid <= 1'b0;
        end
    end
endmodule
`default_nettype wire
