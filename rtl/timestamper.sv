// timestamper — free-running nanosecond clock, stamped into tuser at the first beat of a frame.
//
// What:       a 64-bit nanosecond counter with a 32-bit binary fraction advances by
//             NS_PER_CYCLE_Q32 (the clock period in ns, unsigned Q32.32) every cycle, so
//             non-integer periods do not drift: 322.265625 MHz -> 3.103030303 ns ->
//             NS_PER_CYCLE_Q32 = 64'h3_1A60_31A6 (round(3.1030303 * 2^32)); the rounding error
//             is 0.012 * 2^-32 ns per cycle here (3.3 ns per hour; ts_load re-disciplines it).
//             ts_load writes ts_load_ns into the counter (fraction cleared), e.g. from PTP.
//             The stamp is the counter value in the cycle the frame's first beat is accepted;
//             every beat of the frame carries the same stamp.
// Interfaces: s_axis_* with an opaque tuser of USER_WIDTH bits; m_axis_* with
//             tuser = {s_axis_tuser, timestamp[TS_WIDTH-1:0]}; ts_now = current time.
// Latency:    1 cycle.
`default_nettype none
module timestamper #(
    parameter int          DATA_WIDTH       = 64,
    parameter int          KEEP_WIDTH       = DATA_WIDTH / 8,
    parameter int          USER_WIDTH       = 1,
    parameter int          TS_WIDTH         = 64,
    parameter logic [63:0] NS_PER_CYCLE_Q32 = 64'h0000_0003_1A60_31A6
) (
    input  wire logic                           clk,
    input  wire logic                           rst,

    input  wire logic [DATA_WIDTH-1:0]          s_axis_tdata,
    input  wire logic [KEEP_WIDTH-1:0]          s_axis_tkeep,
    input  wire logic                           s_axis_tvalid,
    output logic                                s_axis_tready,
    input  wire logic                           s_axis_tlast,
    input  wire logic [USER_WIDTH-1:0]          s_axis_tuser,

    output logic [DATA_WIDTH-1:0]               m_axis_tdata,
    output logic [KEEP_WIDTH-1:0]               m_axis_tkeep,
    output logic                                m_axis_tvalid,
    input  wire logic                           m_axis_tready,
    output logic                                m_axis_tlast,
    output logic [USER_WIDTH+TS_WIDTH-1:0]      m_axis_tuser,

    input  wire logic                           ts_load,
    input  wire logic [TS_WIDTH-1:0]            ts_load_ns,
    output logic [TS_WIDTH-1:0]                 ts_now
);
    localparam int PW = USER_WIDTH + TS_WIDTH + 1 + KEEP_WIDTH + DATA_WIDTH;

    logic [TS_WIDTH+31:0] acc;
    always_ff @(posedge clk) begin
        if (ts_load) acc <= {ts_load_ns, 32'd0};
        else         acc <= acc + (TS_WIDTH + 32)'(NS_PER_CYCLE_Q32);
        if (rst) acc <= '0;
    end
    assign ts_now = acc[TS_WIDTH+31:32];

    logic                in_frame;
    logic [TS_WIDTH-1:0] ts_frame, ts;
    logic                int_ready;
    assign ts = in_frame ? ts_frame : ts_now;
    assign s_axis_tready = int_ready;

    always_ff @(posedge clk) begin
        if (s_axis_tvalid && s_axis_tready) begin
            if (!in_frame) ts_frame <= ts_now;
            in_frame <= !s_axis_tlast;
        end
        if (rst) in_frame <= 1'b0;
    end

    logic [PW-1:0] m_pack;
    axis_skid #(.WIDTH(PW)) out_reg (
        .clk(clk), .rst(rst),
        .s_data({s_axis_tuser, ts, s_axis_tlast, s_axis_tkeep, s_axis_tdata}),
        .s_valid(s_axis_tvalid), .s_ready(int_ready),
        .m_data(m_pack), .m_valid(m_axis_tvalid), .m_ready(m_axis_tready)
    );
    assign m_axis_tdata = m_pack[DATA_WIDTH-1:0];
    assign m_axis_tkeep = m_pack[DATA_WIDTH +: KEEP_WIDTH];
    assign m_axis_tlast = m_pack[DATA_WIDTH+KEEP_WIDTH];
    assign m_axis_tuser = m_pack[PW-1 -: USER_WIDTH+TS_WIDTH];
endmodule
`default_nettype wire
