// eth_vlan_parser — Ethernet II + optional single 802.1Q tag; passes IPv4 only.
//
// What:       strips the 14-byte Ethernet header (18 bytes with one 802.1Q tag, TPID 0x8100)
//             and outputs the L3 bytes realigned to lane 0. Frames whose (inner) EtherType is
//             not IPv4 (0x0800) are dropped, as are runts that end before the first L3 byte.
//             A frame whose last input beat has tuser = 1 (MAC/FCS error) is dropped when none
//             of it has left yet, else it leaves aborted (tuser = 1 on its last beat).
// Interfaces: s_axis_* (64-bit AXI-Stream from the MAC, byte 0 of the frame in tdata[7:0],
//             tuser = bad frame on the last beat); m_axis_* (L3 stream, tuser = abort) with
//             sideband m_axis_eth_type / m_axis_vlan_valid / m_axis_vlan_pcp / m_axis_vlan_id,
//             constant for every beat of a frame; free-running counters, each frame lands in
//             exactly one of ok / non_ipv4 / runt / mac_err (cnt_frames counts all).
// Latency:    first output beat 4 cycles after the first input beat (5 with a VLAN tag) with
//             back-to-back input; last output beat 2-3 cycles after the last input beat
//             (axis_strip's input register adds one cycle to both).
`default_nettype none
module eth_vlan_parser #(
    parameter int DATA_WIDTH = 64,
    parameter int KEEP_WIDTH = DATA_WIDTH / 8,
    parameter int CNT_WIDTH  = 32
) (
    input  wire logic                  clk,
    input  wire logic                  rst,

    input  wire logic [DATA_WIDTH-1:0] s_axis_tdata,
    input  wire logic [KEEP_WIDTH-1:0] s_axis_tkeep,
    input  wire logic                  s_axis_tvalid,
    output logic                       s_axis_tready,
    input  wire logic                  s_axis_tlast,
    input  wire logic                  s_axis_tuser,

    output logic [DATA_WIDTH-1:0]      m_axis_tdata,
    output logic [KEEP_WIDTH-1:0]      m_axis_tkeep,
    output logic                       m_axis_tvalid,
    input  wire logic                  m_axis_tready,
    output logic                       m_axis_tlast,
    output logic                       m_axis_tuser,
    output logic [15:0]                m_axis_eth_type,
    output logic                       m_axis_vlan_valid,
    output logic [2:0]                 m_axis_vlan_pcp,
    output logic [11:0]                m_axis_vlan_id,

    output logic [CNT_WIDTH-1:0]       cnt_frames,
    output logic [CNT_WIDTH-1:0]       cnt_ok,
    output logic [CNT_WIDTH-1:0]       cnt_non_ipv4,
    output logic [CNT_WIDTH-1:0]       cnt_runt,
    output logic [CNT_WIDTH-1:0]       cnt_mac_err
);
    // header offsets (beat counter width) and tests assume 8-byte beats
    if (DATA_WIDTH != 64 || KEEP_WIDTH != 8) begin : g_width_check
        $error("eth_vlan_parser: only DATA_WIDTH = 64 (KEEP_WIDTH = 8) is supported");
    end
    localparam int SHW    = $clog2(KEEP_WIDTH);
    localparam int BEAT_W = 5;
    localparam int OFF_W  = BEAT_W + SHW;
    localparam int SB_W   = 1 + 3 + 12 + 16;

    logic hs;
    assign hs = s_axis_tvalid && s_axis_tready;

    logic [BEAT_W-1:0] beat;
    always_ff @(posedge clk) begin
        if (hs) begin
            if (s_axis_tlast) beat <= '0;
            else if (beat != {BEAT_W{1'b1}}) beat <= beat + 1'b1;
        end
        if (rst) beat <= '0;
    end

    // header bytes: registered copy + the value including the beat being consumed
    logic [15:0] et_r, tci_r, et2_r, et_n, tci_n, et2_n;
    logic [OFF_W-1:0] off;
    always_comb begin
        et_n  = et_r;
        tci_n = tci_r;
        et2_n = et2_r;
        off   = '0;
        for (int j = 0; j < KEEP_WIDTH; j++) begin
            off = {beat, SHW'(j)};
            if (off == OFF_W'(12)) et_n[15:8]  = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(13)) et_n[7:0]   = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(14)) tci_n[15:8] = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(15)) tci_n[7:0]  = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(16)) et2_n[15:8] = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(17)) et2_n[7:0]  = s_axis_tdata[j*8 +: 8];
        end
    end
    always_ff @(posedge clk) begin
        if (hs) begin
            et_r  <= et_n;
            tci_r <= tci_n;
            et2_r <= et2_n;
        end
    end

    logic        vlan;
    logic [15:0] inner_type;
    logic [7:0]  ctl_strip;
    logic [1:0]  ctl_reason;
    logic [SB_W-1:0] ctl_sb, m_sb;
    always_comb begin
        vlan       = (et_n == 16'h8100);
        inner_type = vlan ? et2_n : et_n;
        ctl_strip  = vlan ? 8'd18 : 8'd14;
        ctl_reason = (inner_type == 16'h0800) ? 2'd0 : 2'd1;
        ctl_sb     = vlan ? {1'b1, tci_n[15:13], tci_n[11:0], inner_type}
                          : {1'b0, 3'd0, 12'd0, inner_type};
    end

    logic       st_valid, st_short, st_trunc, st_abort;
    /* verilator lint_off UNUSEDSIGNAL */
    logic       st_mark;   // s_mark is tied low here
    /* verilator lint_on UNUSEDSIGNAL */
    logic [1:0] st_reason;

    axis_strip #(
        .DATA_WIDTH(DATA_WIDTH), .KEEP_WIDTH(KEEP_WIDTH), .SB_WIDTH(SB_W),
        .LEN_WIDTH(16), .STRIP_WIDTH(8), .REASON_WIDTH(2)
    ) strip (
        .clk(clk), .rst(rst),
        .s_axis_tdata(s_axis_tdata), .s_axis_tkeep(s_axis_tkeep), .s_axis_tvalid(s_axis_tvalid),
        .s_axis_tready(s_axis_tready), .s_axis_tlast(s_axis_tlast), .s_axis_tuser(s_axis_tuser),
        .s_mark(1'b0),
        .ctl_strip(ctl_strip), .ctl_trim(1'b0), .ctl_len(16'hffff), .ctl_reason(ctl_reason),
        .ctl_sb(ctl_sb),
        .m_axis_tdata(m_axis_tdata), .m_axis_tkeep(m_axis_tkeep), .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready), .m_axis_tlast(m_axis_tlast), .m_axis_tuser(m_axis_tuser),
        .m_axis_sb(m_sb),
        .stat_valid(st_valid), .stat_reason(st_reason), .stat_short(st_short),
        .stat_trunc(st_trunc), .stat_abort_in(st_abort), .stat_mark(st_mark)
    );

    assign m_axis_vlan_valid = m_sb[31];
    assign m_axis_vlan_pcp   = m_sb[30:28];
    assign m_axis_vlan_id    = m_sb[27:16];
    assign m_axis_eth_type   = m_sb[15:0];

    always_ff @(posedge clk) begin
        if (st_valid) begin
            cnt_frames <= cnt_frames + 1'b1;
            if (st_short || st_trunc) cnt_runt     <= cnt_runt + 1'b1;
            else if (st_reason != 2'd0) cnt_non_ipv4 <= cnt_non_ipv4 + 1'b1;
            else if (st_abort)          cnt_mac_err  <= cnt_mac_err + 1'b1;
            else                        cnt_ok       <= cnt_ok + 1'b1;
        end
        if (rst) begin
            cnt_frames   <= '0;
            cnt_ok       <= '0;
            cnt_non_ipv4 <= '0;
            cnt_runt     <= '0;
            cnt_mac_err  <= '0;
        end
    end
endmodule
`default_nettype wire
