// axis_frame_gate — frame FIFO whose read side waits for a pass/drop decision per frame.
//
// What:       input beats are written into a DEPTH-beat FIFO as they arrive. For every input
//             frame the owner pushes exactly one decision (dec_valid pulse, dec_pass,
//             dec_meta), at the earliest on the cycle its first beat is written and no later
//             than when DEPTH beats of it are buffered (the owner guarantees this, else the
//             FIFO fills and the input stalls for good). Frames leave in order: a passed frame
//             streams out with its dec_meta as constant sideband, a dropped frame is read out
//             and discarded at one beat per cycle. Decisions are kept in a DEC_DEPTH-entry
//             queue; DEC_DEPTH >= DEPTH + 1 can never overflow.
// Interfaces: s_axis_* in; dec_* decision port; m_axis_* out with m_axis_meta.
// Latency:    a beat written at cycle t is at the output at t + 2 if its frame's decision
//             was pushed by cycle t; otherwise 2 cycles after the decision is pushed.
`default_nettype none
module axis_frame_gate #(
    parameter int DATA_WIDTH = 64,
    parameter int KEEP_WIDTH = DATA_WIDTH / 8,
    parameter int USER_WIDTH = 1,
    parameter int META_WIDTH = 1,
    parameter int DEPTH      = 16,
    parameter int DEC_DEPTH  = 2 * DEPTH
) (
    input  wire logic                  clk,
    input  wire logic                  rst,

    input  wire logic [DATA_WIDTH-1:0] s_axis_tdata,
    input  wire logic [KEEP_WIDTH-1:0] s_axis_tkeep,
    input  wire logic                  s_axis_tvalid,
    output logic                       s_axis_tready,
    input  wire logic                  s_axis_tlast,
    input  wire logic [USER_WIDTH-1:0] s_axis_tuser,

    input  wire logic                  dec_valid,
    input  wire logic                  dec_pass,
    input  wire logic [META_WIDTH-1:0] dec_meta,

    output logic [DATA_WIDTH-1:0]      m_axis_tdata,
    output logic [KEEP_WIDTH-1:0]      m_axis_tkeep,
    output logic                       m_axis_tvalid,
    input  wire logic                  m_axis_tready,
    output logic                       m_axis_tlast,
    output logic [USER_WIDTH-1:0]      m_axis_tuser,
    output logic [META_WIDTH-1:0]      m_axis_meta
);
    // tested at 64 bits only
    if (DATA_WIDTH != 64 || KEEP_WIDTH != 8) begin : g_width_check
        $error("axis_frame_gate: only DATA_WIDTH = 64 (KEEP_WIDTH = 8) is supported");
    end
    localparam int AW  = $clog2(DEPTH);
    localparam int DAW = $clog2(DEC_DEPTH);
    localparam int BW  = USER_WIDTH + 1 + KEEP_WIDTH + DATA_WIDTH;
    localparam int DW  = 1 + META_WIDTH;
    localparam int PW  = META_WIDTH + BW;

    // ---- beat FIFO ----
    logic [BW-1:0] mem [DEPTH];
    logic [AW:0]   wr_ptr, rd_ptr;
    logic          full, empty;
    assign full  = (wr_ptr == {~rd_ptr[AW], rd_ptr[AW-1:0]});
    assign empty = (wr_ptr == rd_ptr);
    assign s_axis_tready = !full;

    logic wr;
    assign wr = s_axis_tvalid && !full;
    always_ff @(posedge clk) begin
        if (wr) mem[wr_ptr[AW-1:0]] <= {s_axis_tuser, s_axis_tlast, s_axis_tkeep, s_axis_tdata};
    end

    // ---- decision FIFO ----
    logic [DW-1:0] dmem [DEC_DEPTH];
    logic [DAW:0]  dwr_ptr, drd_ptr;
    logic          dempty;
    assign dempty = (dwr_ptr == drd_ptr);
    always_ff @(posedge clk) begin
        if (dec_valid) dmem[dwr_ptr[DAW-1:0]] <= {dec_pass, dec_meta};
    end

    // ---- read side ----
    logic [BW-1:0] head;
    logic [DW-1:0] dhead;
    logic          head_last, avail, int_ready, rd;
    assign head      = mem[rd_ptr[AW-1:0]];
    assign dhead     = dmem[drd_ptr[DAW-1:0]];
    assign head_last = head[DATA_WIDTH + KEEP_WIDTH];
    assign avail     = !empty && !dempty;
    // a passed beat leaves when the output register takes it; a dropped one right away
    assign rd        = avail && (dhead[DW-1] ? int_ready : 1'b1);

    always_ff @(posedge clk) begin
        if (wr) wr_ptr <= wr_ptr + 1'b1;
        if (rd) rd_ptr <= rd_ptr + 1'b1;
        if (dec_valid) dwr_ptr <= dwr_ptr + 1'b1;
        if (rd && head_last) drd_ptr <= drd_ptr + 1'b1;
        if (rst) begin
            wr_ptr  <= '0;
            rd_ptr  <= '0;
            dwr_ptr <= '0;
            drd_ptr <= '0;
        end
    end

    logic [PW-1:0] m_pack;
    axis_skid #(.WIDTH(PW)) out_reg (
        .clk(clk), .rst(rst),
        .s_data({dhead[META_WIDTH-1:0], head}),
        .s_valid(avail && dhead[DW-1]), .s_ready(int_ready),
        .m_data(m_pack), .m_valid(m_axis_tvalid), .m_ready(m_axis_tready)
    );

    assign m_axis_tdata = m_pack[DATA_WIDTH-1:0];
    assign m_axis_tkeep = m_pack[DATA_WIDTH +: KEEP_WIDTH];
    assign m_axis_tlast = m_pack[DATA_WIDTH+KEEP_WIDTH];
    assign m_axis_tuser = m_pack[DATA_WIDTH+KEEP_WIDTH+1 +: USER_WIDTH];
    assign m_axis_meta  = m_pack[PW-1 -: META_WIDTH];
endmodule
`default_nettype wire
