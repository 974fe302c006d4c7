// mcast_filter — per-feed multicast group / UDP port match.
//
// What:       a table of N_ENTRIES {valid, group address, UDP port (0 = any), line (0 = A,
//             1 = B), channel index, exchange channel id}. Every frame whose destination
//             address and port match a valid entry passes, tagged with that entry's line,
//             channel index and channel id; the lowest matching index wins. Frames that match
//             no entry are dropped and counted. The match is taken on the first beat of a
//             frame and held for the rest of it, so table writes never split a frame.
// Interfaces: s_axis_* (UDP payload from ipv4_udp_parser, tuser = abort) with sideband
//             s_axis_dst_ip / s_axis_dst_port; m_axis_* (same payload, tuser = abort) with
//             sideband m_axis_line / m_axis_chan / m_axis_chan_id / m_axis_entry; table write
//             port cfg_wr_* (one entry per cycle when cfg_wr_en = 1); counters.
// Latency:    1 cycle.
`default_nettype none
module mcast_filter #(
    parameter int DATA_WIDTH = 64,
    parameter int KEEP_WIDTH = DATA_WIDTH / 8,
    parameter int N_ENTRIES  = 8,
    parameter int CHAN_WIDTH = 2,
    parameter int CNT_WIDTH  = 32,
    parameter int IDX_WIDTH  = (N_ENTRIES > 1) ? $clog2(N_ENTRIES) : 1
) (
    input  wire logic                  clk,
    input  wire logic                  rst,

    input  wire logic [DATA_WIDTH-1:0] s_axis_tdata,
    input  wire logic [KEEP_WIDTH-1:0] s_axis_tkeep,
    input  wire logic                  s_axis_tvalid,
    output logic                       s_axis_tready,
    input  wire logic                  s_axis_tlast,
    input  wire logic                  s_axis_tuser,
    input  wire logic [31:0]           s_axis_dst_ip,
    input  wire logic [15:0]           s_axis_dst_port,

    output logic [DATA_WIDTH-1:0]      m_axis_tdata,
    output logic [KEEP_WIDTH-1:0]      m_axis_tkeep,
    output logic                       m_axis_tvalid,
    input  wire logic                  m_axis_tready,
    output logic                       m_axis_tlast,
    output logic                       m_axis_tuser,
    output logic                       m_axis_line,
    output logic [CHAN_WIDTH-1:0]      m_axis_chan,
    output logic [15:0]                m_axis_chan_id,
    output logic [IDX_WIDTH-1:0]       m_axis_entry,

    input  wire logic                  cfg_wr_en,
    input  wire logic [IDX_WIDTH-1:0]  cfg_wr_idx,
    input  wire logic                  cfg_wr_valid,
    input  wire logic [31:0]           cfg_wr_group,
    input  wire logic [15:0]           cfg_wr_port,
    input  wire logic                  cfg_wr_line,
    input  wire logic [CHAN_WIDTH-1:0] cfg_wr_chan,
    input  wire logic [15:0]           cfg_wr_chan_id,

    output logic [CNT_WIDTH-1:0]       cnt_match,
    output logic [CNT_WIDTH-1:0]       cnt_nomatch
);
    // tested at 64 bits only
    if (DATA_WIDTH != 64 || KEEP_WIDTH != 8) begin : g_width_check
        $error("mcast_filter: only DATA_WIDTH = 64 (KEEP_WIDTH = 8) is supported");
    end
    localparam int META_W = 1 + CHAN_WIDTH + 16 + IDX_WIDTH;
    localparam int PW     = META_W + 2 + KEEP_WIDTH + DATA_WIDTH;

    logic [N_ENTRIES-1:0] tbl_valid;
    logic [31:0]           tbl_group [N_ENTRIES];
    logic [15:0]           tbl_port  [N_ENTRIES];
    logic                  tbl_line  [N_ENTRIES];
    logic [CHAN_WIDTH-1:0] tbl_chan  [N_ENTRIES];
    logic [15:0]           tbl_cid   [N_ENTRIES];

    always_ff @(posedge clk) begin
        if (cfg_wr_en) begin
            tbl_valid[cfg_wr_idx] <= cfg_wr_valid;
            tbl_group[cfg_wr_idx] <= cfg_wr_group;
            tbl_port[cfg_wr_idx]  <= cfg_wr_port;
            tbl_line[cfg_wr_idx]  <= cfg_wr_line;
            tbl_chan[cfg_wr_idx]  <= cfg_wr_chan;
            tbl_cid[cfg_wr_idx]   <= cfg_wr_chan_id;
        end
        if (rst) tbl_valid <= '0;
    end

    logic              hit;
    logic [META_W-1:0] meta;
    always_comb begin
        hit  = 1'b0;
        meta = '0;
        for (int i = N_ENTRIES - 1; i >= 0; i--) begin
            if (tbl_valid[i] && tbl_group[i] == s_axis_dst_ip &&
                (tbl_port[i] == 16'd0 || tbl_port[i] == s_axis_dst_port)) begin
                hit  = 1'b1;
                meta = {tbl_line[i], tbl_chan[i], tbl_cid[i], IDX_WIDTH'(i)};
            end
        end
    end

    // decision held for the whole frame
    logic              in_frame, pass_r;
    logic [META_W-1:0] meta_r;
    logic              pass;
    logic [META_W-1:0] meta_f;
    assign pass   = in_frame ? pass_r : hit;
    assign meta_f = in_frame ? meta_r : meta;

    logic int_ready, hs;
    assign s_axis_tready = int_ready;
    assign hs = s_axis_tvalid && s_axis_tready;

    always_ff @(posedge clk) begin
        if (hs) begin
            if (!in_frame) begin
                pass_r <= hit;
                meta_r <= meta;
            end
            in_frame <= !s_axis_tlast;
            if (s_axis_tlast) begin
                if (pass) cnt_match   <= cnt_match + 1'b1;
                else      cnt_nomatch <= cnt_nomatch + 1'b1;
            end
        end
        if (rst) begin
            in_frame    <= 1'b0;
            cnt_match   <= '0;
            cnt_nomatch <= '0;
        end
    end

    logic [PW-1:0] m_pack;
    axis_skid #(.WIDTH(PW)) out_reg (
        .clk(clk), .rst(rst),
        .s_data({meta_f, s_axis_tuser, s_axis_tlast, s_axis_tkeep, s_axis_tdata}),
        .s_valid(s_axis_tvalid && pass), .s_ready(int_ready),
        .m_data(m_pack), .m_valid(m_axis_tvalid), .m_ready(m_axis_tready)
    );

    assign m_axis_tdata   = m_pack[DATA_WIDTH-1:0];
    assign m_axis_tkeep   = m_pack[DATA_WIDTH +: KEEP_WIDTH];
    assign m_axis_tlast   = m_pack[DATA_WIDTH+KEEP_WIDTH];
    assign m_axis_tuser   = m_pack[DATA_WIDTH+KEEP_WIDTH+1];
    assign m_axis_entry   = m_pack[PW-META_W +: IDX_WIDTH];
    assign m_axis_chan_id = m_pack[PW-META_W+IDX_WIDTH +: 16];
    assign m_axis_chan    = m_pack[PW-1-1 -: CHAN_WIDTH];
    assign m_axis_line    = m_pack[PW-1];
endmodule
`default_nettype wire
