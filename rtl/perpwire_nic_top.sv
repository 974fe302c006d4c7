// perpwire_nic_top — network front end and egress gate of the perpwire card.
//
// What:       feed path, one parser chain per line (A on port 0, B on port 1; both lines may
//             also share port 0 — the filter tags the line, the arbiter does not care where
//             a copy came from):
//               s_axis_rx_{a,b} -> eth_vlan_parser -> ipv4_udp_parser -> mcast_filter
//                                -> ab_arbiter (A/B merge) -> timestamper -> m_axis_feed
//             order path:
//               s_axis_order -> egress_gate -> m_axis_tx
//             Both multicast filters hold the same table (one write port programs both).
// Interfaces: 64-bit AXI-Stream everywhere, byte 0 of a frame in tdata[7:0].
//             s_axis_rx_*_tuser: bad frame (MAC/FCS error), on the last beat.
//             m_axis_feed_*: UDP payload beats of accepted feed packets for feed_decode;
//               tuser[63:0]  = receive timestamp, ns (first beat of the frame; every beat)
//               tuser[64]    = gap: one or more packets of this channel were lost before it
//               tuser[65]    = abort: discard this frame (set on its last beat only)
//               tuser[66]    = line the copy came from (0 = A, 1 = B)
//               tuser[67 +: CHAN_WIDTH] = channel slot (mcast_filter table)
//             cfg_*: configuration levels and write strobes (a register shell drives them).
//             cnt_rd_addr -> cnt_rd_data: combinational read of every counter; the address
//             map is in docs/rtl.md and in the case statement below.
// Latency:    feed: first beat out 15 cycles after the first beat in (16 with a VLAN tag),
//             last beat out 9-10 cycles after the last beat in; full rate on both lines with
//             back-to-back 64-byte frames. Order path: 24 cycles for a NewOrder (egress_gate).
//             Measured with back-to-back beats and no backpressure by sim/cycle_report.
`default_nettype none
module perpwire_nic_top #(
    parameter int          N_MCAST          = 8,
    parameter int          CHAN_WIDTH       = 2,
    parameter int          CNT_WIDTH        = 32,
    parameter logic [63:0] NS_PER_CYCLE_Q32 = 64'h0000_0003_1A60_31A6,  // 322.265625 MHz
    // A/B hold window after reset: 1 ms, the software path's default reorder_wait, in cycles
    // of 322.265625 MHz (322,265.6 -> 322,266). 0 = no hold window.
    parameter int          ARB_HOLD_CYCLES  = 322266,
    parameter int          MIDX_WIDTH       = (N_MCAST > 1) ? $clog2(N_MCAST) : 1,
    parameter int          FEED_USER_WIDTH  = 67 + CHAN_WIDTH
) (
    input  wire logic                       clk,
    input  wire logic                       rst,

    input  wire logic [63:0]                s_axis_rx_a_tdata,
    input  wire logic [7:0]                 s_axis_rx_a_tkeep,
    input  wire logic                       s_axis_rx_a_tvalid,
    output logic                            s_axis_rx_a_tready,
    input  wire logic                       s_axis_rx_a_tlast,
    input  wire logic                       s_axis_rx_a_tuser,

    input  wire logic [63:0]                s_axis_rx_b_tdata,
    input  wire logic [7:0]                 s_axis_rx_b_tkeep,
    input  wire logic                       s_axis_rx_b_tvalid,
    output logic                            s_axis_rx_b_tready,
    input  wire logic                       s_axis_rx_b_tlast,
    input  wire logic                       s_axis_rx_b_tuser,

    output logic [63:0]                     m_axis_feed_tdata,
    output logic [7:0]                      m_axis_feed_tkeep,
    output logic                            m_axis_feed_tvalid,
    input  wire logic                       m_axis_feed_tready,
    output logic                            m_axis_feed_tlast,
    output logic [FEED_USER_WIDTH-1:0]      m_axis_feed_tuser,

    input  wire logic [63:0]                s_axis_order_tdata,
    input  wire logic [7:0]                 s_axis_order_tkeep,
    input  wire logic                       s_axis_order_tvalid,
    output logic                            s_axis_order_tready,
    input  wire logic                       s_axis_order_tlast,
    input  wire logic                       s_axis_order_tuser,

    output logic [63:0]                     m_axis_tx_tdata,
    output logic [7:0]                      m_axis_tx_tkeep,
    output logic                            m_axis_tx_tvalid,
    input  wire logic                       m_axis_tx_tready,
    output logic                            m_axis_tx_tlast,
    output logic                            m_axis_tx_tuser,

    // multicast table (written into both lines' filters)
    input  wire logic                       cfg_mcast_wr_en,
    input  wire logic [MIDX_WIDTH-1:0]      cfg_mcast_wr_idx,
    input  wire logic                       cfg_mcast_wr_valid,
    input  wire logic [31:0]                cfg_mcast_wr_group,
    input  wire logic [15:0]                cfg_mcast_wr_port,
    input  wire logic                       cfg_mcast_wr_line,
    input  wire logic [CHAN_WIDTH-1:0]      cfg_mcast_wr_chan,
    input  wire logic [15:0]                cfg_mcast_wr_chan_id,
    // A/B arbiter: hold window (cycles; write strobe + value, ARB_HOLD_CYCLES after reset);
    // resynchronise one channel slot
    input  wire logic                       cfg_arb_hold_wr,
    input  wire logic [23:0]                cfg_arb_hold_cycles,
    input  wire logic                       cfg_arb_chan_reset,
    input  wire logic [CHAN_WIDTH-1:0]      cfg_arb_chan_reset_idx,
    // time
    input  wire logic                       cfg_ts_load,
    input  wire logic [63:0]                cfg_ts_load_ns,
    output logic [63:0]                     ts_now,
    // egress gate
    input  wire logic                       cfg_kill,
    input  wire logic [31:0]                cfg_max_qty,
    input  wire logic [63:0]                cfg_max_notional,
    input  wire logic [15:0]                cfg_tb_burst,
    input  wire logic [31:0]                cfg_tb_interval,

    input  wire logic [5:0]                 cnt_rd_addr,
    output logic [CNT_WIDTH-1:0]            cnt_rd_data
);
    // ------------------------------------------------------------------ feed, per line
    // Per-line signals are packed vectors indexed by line (0 = port A, 1 = port B).
    localparam int CW = CNT_WIDTH;
    logic [2*64-1:0]         rx_tdata, l3_tdata, udp_tdata, flt_tdata;
    logic [2*8-1:0]          rx_tkeep, l3_tkeep, udp_tkeep, flt_tkeep;
    logic [1:0]              rx_tvalid, rx_tready, rx_tlast, rx_tuser;
    logic [1:0]              l3_tvalid, l3_tready, l3_tlast, l3_tuser;
    logic [1:0]              udp_tvalid, udp_tready, udp_tlast, udp_tuser;
    logic [1:0]              flt_tvalid, flt_tready, flt_tlast, flt_tuser, flt_line;
    logic [2*32-1:0]         udp_dst_ip;
    logic [2*16-1:0]         udp_dst_port, flt_chan_id;
    logic [2*CHAN_WIDTH-1:0] flt_chan;
    // counters: line g, counter i at [(g*N + i)*CW +: CW]
    logic [2*5*CW-1:0]       c_eth;
    logic [2*9*CW-1:0]       c_ip;
    logic [2*2*CW-1:0]       c_flt;

    assign rx_tdata  = {s_axis_rx_b_tdata,  s_axis_rx_a_tdata};
    assign rx_tkeep  = {s_axis_rx_b_tkeep,  s_axis_rx_a_tkeep};
    assign rx_tvalid = {s_axis_rx_b_tvalid, s_axis_rx_a_tvalid};
    assign rx_tlast  = {s_axis_rx_b_tlast,  s_axis_rx_a_tlast};
    assign rx_tuser  = {s_axis_rx_b_tuser,  s_axis_rx_a_tuser};
    assign s_axis_rx_a_tready = rx_tready[0];
    assign s_axis_rx_b_tready = rx_tready[1];

    // sideband the feed path does not use
    logic [2*16-1:0]         unused_eth_type, unused_src_port;
    logic [1:0]              unused_vlan_valid;
    logic [2*3-1:0]          unused_vlan_pcp;
    logic [2*12-1:0]         unused_vlan_id;
    logic [2*32-1:0]         unused_src_ip;
    logic [2*MIDX_WIDTH-1:0] unused_entry;

    for (genvar g = 0; g < 2; g++) begin : line
        eth_vlan_parser #(.CNT_WIDTH(CNT_WIDTH)) eth (
            .clk(clk), .rst(rst),
            .s_axis_tdata(rx_tdata[g*64 +: 64]), .s_axis_tkeep(rx_tkeep[g*8 +: 8]),
            .s_axis_tvalid(rx_tvalid[g]), .s_axis_tready(rx_tready[g]),
            .s_axis_tlast(rx_tlast[g]), .s_axis_tuser(rx_tuser[g]),
            .m_axis_tdata(l3_tdata[g*64 +: 64]), .m_axis_tkeep(l3_tkeep[g*8 +: 8]),
            .m_axis_tvalid(l3_tvalid[g]), .m_axis_tready(l3_tready[g]),
            .m_axis_tlast(l3_tlast[g]), .m_axis_tuser(l3_tuser[g]),
            .m_axis_eth_type(unused_eth_type[g*16 +: 16]), .m_axis_vlan_valid(unused_vlan_valid[g]),
            .m_axis_vlan_pcp(unused_vlan_pcp[g*3 +: 3]), .m_axis_vlan_id(unused_vlan_id[g*12 +: 12]),
            .cnt_frames(c_eth[(g*5+0)*CW +: CW]), .cnt_ok(c_eth[(g*5+1)*CW +: CW]),
            .cnt_non_ipv4(c_eth[(g*5+2)*CW +: CW]), .cnt_runt(c_eth[(g*5+3)*CW +: CW]),
            .cnt_mac_err(c_eth[(g*5+4)*CW +: CW])
        );

        ipv4_udp_parser #(.CNT_WIDTH(CNT_WIDTH)) ip (
            .clk(clk), .rst(rst),
            .s_axis_tdata(l3_tdata[g*64 +: 64]), .s_axis_tkeep(l3_tkeep[g*8 +: 8]),
            .s_axis_tvalid(l3_tvalid[g]), .s_axis_tready(l3_tready[g]),
            .s_axis_tlast(l3_tlast[g]), .s_axis_tuser(l3_tuser[g]),
            .m_axis_tdata(udp_tdata[g*64 +: 64]), .m_axis_tkeep(udp_tkeep[g*8 +: 8]),
            .m_axis_tvalid(udp_tvalid[g]), .m_axis_tready(udp_tready[g]),
            .m_axis_tlast(udp_tlast[g]), .m_axis_tuser(udp_tuser[g]),
            .m_axis_src_ip(unused_src_ip[g*32 +: 32]), .m_axis_dst_ip(udp_dst_ip[g*32 +: 32]),
            .m_axis_src_port(unused_src_port[g*16 +: 16]), .m_axis_dst_port(udp_dst_port[g*16 +: 16]),
            .cnt_frames(c_ip[(g*9+0)*CW +: CW]), .cnt_ok(c_ip[(g*9+1)*CW +: CW]),
            .cnt_bad_hdr(c_ip[(g*9+2)*CW +: CW]), .cnt_bad_len(c_ip[(g*9+3)*CW +: CW]),
            .cnt_bad_csum(c_ip[(g*9+4)*CW +: CW]), .cnt_frag(c_ip[(g*9+5)*CW +: CW]),
            .cnt_not_udp(c_ip[(g*9+6)*CW +: CW]), .cnt_bad_udp_len(c_ip[(g*9+7)*CW +: CW]),
            .cnt_aborted(c_ip[(g*9+8)*CW +: CW])
        );

        mcast_filter #(.N_ENTRIES(N_MCAST), .CHAN_WIDTH(CHAN_WIDTH), .CNT_WIDTH(CNT_WIDTH)) flt (
            .clk(clk), .rst(rst),
            .s_axis_tdata(udp_tdata[g*64 +: 64]), .s_axis_tkeep(udp_tkeep[g*8 +: 8]),
            .s_axis_tvalid(udp_tvalid[g]), .s_axis_tready(udp_tready[g]),
            .s_axis_tlast(udp_tlast[g]), .s_axis_tuser(udp_tuser[g]),
            .s_axis_dst_ip(udp_dst_ip[g*32 +: 32]), .s_axis_dst_port(udp_dst_port[g*16 +: 16]),
            .m_axis_tdata(flt_tdata[g*64 +: 64]), .m_axis_tkeep(flt_tkeep[g*8 +: 8]),
            .m_axis_tvalid(flt_tvalid[g]), .m_axis_tready(flt_tready[g]),
            .m_axis_tlast(flt_tlast[g]), .m_axis_tuser(flt_tuser[g]),
            .m_axis_line(flt_line[g]), .m_axis_chan(flt_chan[g*CHAN_WIDTH +: CHAN_WIDTH]),
            .m_axis_chan_id(flt_chan_id[g*16 +: 16]),
            .m_axis_entry(unused_entry[g*MIDX_WIDTH +: MIDX_WIDTH]),
            .cfg_wr_en(cfg_mcast_wr_en), .cfg_wr_idx(cfg_mcast_wr_idx),
            .cfg_wr_valid(cfg_mcast_wr_valid), .cfg_wr_group(cfg_mcast_wr_group),
            .cfg_wr_port(cfg_mcast_wr_port), .cfg_wr_line(cfg_mcast_wr_line),
            .cfg_wr_chan(cfg_mcast_wr_chan), .cfg_wr_chan_id(cfg_mcast_wr_chan_id),
            .cnt_match(c_flt[(g*2+0)*CW +: CW]), .cnt_nomatch(c_flt[(g*2+1)*CW +: CW])
        );
    end

    // ------------------------------------------------------------------ A/B merge
    logic [63:0]           arb_tdata;
    logic [7:0]            arb_tkeep;
    logic                  arb_tvalid, arb_tready, arb_tlast, arb_tuser, arb_gap, arb_line;
    logic [CHAN_WIDTH-1:0] arb_chan;
    logic [12*CW-1:0]      c_arb;
    logic [23:0]           arb_hold;
    always_ff @(posedge clk) begin
        if (cfg_arb_hold_wr) arb_hold <= cfg_arb_hold_cycles;
        if (rst)             arb_hold <= 24'(ARB_HOLD_CYCLES);
    end

    ab_arbiter #(.CHAN_WIDTH(CHAN_WIDTH), .HOLD_WIDTH(24), .CNT_WIDTH(CNT_WIDTH)) arb (
        .clk(clk), .rst(rst),
        .s_axis_a_tdata(flt_tdata[63:0]), .s_axis_a_tkeep(flt_tkeep[7:0]),
        .s_axis_a_tvalid(flt_tvalid[0]), .s_axis_a_tready(flt_tready[0]),
        .s_axis_a_tlast(flt_tlast[0]), .s_axis_a_tuser(flt_tuser[0]),
        .s_axis_a_line(flt_line[0]), .s_axis_a_chan(flt_chan[CHAN_WIDTH-1:0]), .s_axis_a_chan_id(flt_chan_id[15:0]),
        .s_axis_b_tdata(flt_tdata[127:64]), .s_axis_b_tkeep(flt_tkeep[15:8]),
        .s_axis_b_tvalid(flt_tvalid[1]), .s_axis_b_tready(flt_tready[1]),
        .s_axis_b_tlast(flt_tlast[1]), .s_axis_b_tuser(flt_tuser[1]),
        .s_axis_b_line(flt_line[1]), .s_axis_b_chan(flt_chan[2*CHAN_WIDTH-1:CHAN_WIDTH]), .s_axis_b_chan_id(flt_chan_id[31:16]),
        .m_axis_tdata(arb_tdata), .m_axis_tkeep(arb_tkeep), .m_axis_tvalid(arb_tvalid),
        .m_axis_tready(arb_tready), .m_axis_tlast(arb_tlast), .m_axis_tuser(arb_tuser),
        .m_axis_gap(arb_gap), .m_axis_line(arb_line), .m_axis_chan(arb_chan),
        .cfg_hold_cycles(arb_hold),
        .cfg_chan_reset(cfg_arb_chan_reset), .cfg_chan_reset_idx(cfg_arb_chan_reset_idx),
        .cnt_pass(c_arb[0*CW +: CW]), .cnt_dup(c_arb[1*CW +: CW]), .cnt_late(c_arb[2*CW +: CW]), .cnt_gap(c_arb[3*CW +: CW]),
        .cnt_gap_pkts(c_arb[4*CW +: CW]), .cnt_runt(c_arb[5*CW +: CW]), .cnt_bad_chan(c_arb[6*CW +: CW]),
        .cnt_aborted(c_arb[7*CW +: CW]), .cnt_win_a(c_arb[8*CW +: CW]), .cnt_win_b(c_arb[9*CW +: CW]),
        .cnt_held(c_arb[10*CW +: CW]), .cnt_oversize(c_arb[11*CW +: CW])
    );

    timestamper #(.USER_WIDTH(3 + CHAN_WIDTH), .NS_PER_CYCLE_Q32(NS_PER_CYCLE_Q32)) tstamp (
        .clk(clk), .rst(rst),
        .s_axis_tdata(arb_tdata), .s_axis_tkeep(arb_tkeep), .s_axis_tvalid(arb_tvalid),
        .s_axis_tready(arb_tready), .s_axis_tlast(arb_tlast),
        .s_axis_tuser({arb_chan, arb_line, arb_tuser, arb_gap}),
        .m_axis_tdata(m_axis_feed_tdata), .m_axis_tkeep(m_axis_feed_tkeep),
        .m_axis_tvalid(m_axis_feed_tvalid), .m_axis_tready(m_axis_feed_tready),
        .m_axis_tlast(m_axis_feed_tlast), .m_axis_tuser(m_axis_feed_tuser),
        .ts_load(cfg_ts_load), .ts_load_ns(cfg_ts_load_ns), .ts_now(ts_now)
    );

    // ------------------------------------------------------------------ order path
    logic [7*CW-1:0]      c_gate;
    logic [15:0]          gate_tokens;

    egress_gate #(.CNT_WIDTH(CNT_WIDTH)) gate (
        .clk(clk), .rst(rst),
        .s_axis_tdata(s_axis_order_tdata), .s_axis_tkeep(s_axis_order_tkeep),
        .s_axis_tvalid(s_axis_order_tvalid), .s_axis_tready(s_axis_order_tready),
        .s_axis_tlast(s_axis_order_tlast), .s_axis_tuser(s_axis_order_tuser),
        .m_axis_tdata(m_axis_tx_tdata), .m_axis_tkeep(m_axis_tx_tkeep),
        .m_axis_tvalid(m_axis_tx_tvalid), .m_axis_tready(m_axis_tx_tready),
        .m_axis_tlast(m_axis_tx_tlast), .m_axis_tuser(m_axis_tx_tuser),
        .cfg_kill(cfg_kill), .cfg_max_qty(cfg_max_qty), .cfg_max_notional(cfg_max_notional),
        .cfg_tb_burst(cfg_tb_burst), .cfg_tb_interval(cfg_tb_interval),
        .stat_tokens(gate_tokens),
        .cnt_pass_order(c_gate[0*CW +: CW]), .cnt_pass_other(c_gate[1*CW +: CW]), .cnt_blk_kill(c_gate[2*CW +: CW]),
        .cnt_blk_malformed(c_gate[3*CW +: CW]), .cnt_blk_qty(c_gate[4*CW +: CW]), .cnt_blk_notional(c_gate[5*CW +: CW]),
        .cnt_blk_throttle(c_gate[6*CW +: CW])
    );

    // ------------------------------------------------------------------ output frame counters
    logic [CNT_WIDTH-1:0] c_feed_out, c_tx_out;
    always_ff @(posedge clk) begin
        if (m_axis_feed_tvalid && m_axis_feed_tready && m_axis_feed_tlast) c_feed_out <= c_feed_out + 1'b1;
        if (m_axis_tx_tvalid && m_axis_tx_tready && m_axis_tx_tlast)       c_tx_out   <= c_tx_out + 1'b1;
        if (rst) begin
            c_feed_out <= '0;
            c_tx_out   <= '0;
        end
    end

    // ------------------------------------------------------------------ counter read port
    //   0x00-0x04 line A eth: frames ok non_ipv4 runt mac_err
    //   0x05-0x0d line A ip:  frames ok bad_hdr bad_len bad_csum frag not_udp bad_udp_len aborted
    //   0x0e-0x0f line A mcast: match nomatch
    //   0x10-0x1f line B, same layout
    //   0x20-0x2b arbiter: pass dup late gap gap_pkts runt bad_chan aborted win_a win_b
    //                      held oversize
    //   0x30-0x36 gate: pass_order pass_other blk_kill blk_malformed blk_qty blk_notional
    //                   blk_throttle
    //   0x37 gate tokens   0x38 feed frames out   0x39 tx frames out
    logic [3:0]        ra, ra_ip;
    logic [5*CW-1:0]   eth_sel;
    logic [9*CW-1:0]   ip_sel;
    logic [2*CW-1:0]   flt_sel;
    assign ra      = cnt_rd_addr[3:0];
    assign ra_ip   = ra - 4'd5;
    assign eth_sel = cnt_rd_addr[4] ? c_eth[5*CW +: 5*CW] : c_eth[0 +: 5*CW];
    assign ip_sel  = cnt_rd_addr[4] ? c_ip[9*CW +: 9*CW]  : c_ip[0 +: 9*CW];
    assign flt_sel = cnt_rd_addr[4] ? c_flt[2*CW +: 2*CW] : c_flt[0 +: 2*CW];
    always_comb begin
        cnt_rd_data = '0;
        case (cnt_rd_addr[5:4])
            2'd0, 2'd1: begin
                if (ra < 4'd5)       cnt_rd_data = eth_sel[ra * CW +: CW];
                else if (ra < 4'd14) cnt_rd_data = ip_sel[ra_ip * CW +: CW];
                else                 cnt_rd_data = flt_sel[ra[0] * CW +: CW];  // 0x0e, 0x0f
            end
            2'd2: if (ra < 4'd12) cnt_rd_data = c_arb[ra * CW +: CW];
            default: begin
                if (ra < 4'd7)        cnt_rd_data = c_gate[ra * CW +: CW];
                else if (ra == 4'd7)  cnt_rd_data = CNT_WIDTH'(gate_tokens);
                else if (ra == 4'd8)  cnt_rd_data = c_feed_out;
                else if (ra == 4'd9)  cnt_rd_data = c_tx_out;
            end
        endcase
    end
endmodule
`default_nettype wire
