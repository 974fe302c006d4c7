// ipv4_udp_parser — IPv4 (IHL >= 5, options skipped) + UDP; outputs the UDP payload.
//
// What:       takes the L3 stream of eth_vlan_parser (IPv4 header at byte 0), checks the
//             header and outputs the UDP payload realigned to lane 0 and trimmed to the UDP
//             length (Ethernet padding removed). Checks, in this order; the first failure drops
//             the frame and increments its own counter:
//               1 bad_hdr      version != 4 or IHL < 5
//               2 bad_len      frame ends inside the IPv4/UDP headers, or total length <
//                              IHL*4 + 8, or the frame is shorter than the total length
//               3 bad_csum     IPv4 header checksum (ones' complement sum != 0xFFFF)
//               4 frag         MF set or fragment offset != 0
//               5 not_udp      protocol != 17
//               6 bad_udp_len  UDP length < 9 (no payload) or > total length - IHL*4
//             The UDP checksum is not verified (optional for IPv4; the FCS covers the frame).
//             A frame that turns out short only at its last beat, or arrives aborted from
//             upstream, is dropped if none of it has left yet, else it leaves aborted
//             (tuser = 1 on its last beat).
// Interfaces: s_axis_* (L3 stream, tuser = abort); m_axis_* (UDP payload, tuser = abort)
//             with sideband m_axis_{src_ip,dst_ip,src_port,dst_port}, constant for every beat
//             of a frame; counters (each input frame lands in exactly one of ok / the six
//             reasons / aborted; cnt_frames counts all).
// Pipeline:   a delay register holds each beat while its header fields are registered; the
//             checks are computed from those registers (the fields complete a beat earlier
//             are checked a cycle ahead), so axis_strip's controls come from flip-flops.
// Latency:    the first output beat leaves 3 cycles after input beat (IHL*4+8)/8 + 1 is
//             accepted: 7 cycles after the first input beat for IHL = 5 with back-to-back
//             input; the last output beat 3-4 cycles after the last input beat.
`default_nettype none
module ipv4_udp_parser #(
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
    output logic [31:0]                m_axis_src_ip,
    output logic [31:0]                m_axis_dst_ip,
    output logic [15:0]                m_axis_src_port,
    output logic [15:0]                m_axis_dst_port,

    output logic [CNT_WIDTH-1:0]       cnt_frames,
    output logic [CNT_WIDTH-1:0]       cnt_ok,
    output logic [CNT_WIDTH-1:0]       cnt_bad_hdr,
    output logic [CNT_WIDTH-1:0]       cnt_bad_len,
    output logic [CNT_WIDTH-1:0]       cnt_bad_csum,
    output logic [CNT_WIDTH-1:0]       cnt_frag,
    output logic [CNT_WIDTH-1:0]       cnt_not_udp,
    output logic [CNT_WIDTH-1:0]       cnt_bad_udp_len,
    output logic [CNT_WIDTH-1:0]       cnt_aborted
);
    // the header offsets, the strip point (IHL*4+8, up to 68 with IHL = 15) and the tests
    // were written for 8-byte beats; other widths are untested
    if (DATA_WIDTH != 64 || KEEP_WIDTH != 8) begin : g_width_check
        $error("ipv4_udp_parser: only DATA_WIDTH = 64 (KEEP_WIDTH = 8) is supported");
    end
    localparam int SHW    = $clog2(KEEP_WIDTH);
    localparam int CW     = SHW + 1;
    localparam int BEAT_W = 4;
    localparam int OFF_W  = BEAT_W + SHW;
    localparam int SB_W   = 96;

    localparam logic [2:0] R_OK = 3'd0, R_HDR = 3'd1, R_LEN = 3'd2, R_CSUM = 3'd3,
                           R_FRAG = 3'd4, R_PROTO = 3'd5, R_UDPLEN = 3'd6;

    function automatic logic [CW-1:0] popc(input logic [KEEP_WIDTH-1:0] k);
        logic [CW-1:0] c;
        c = '0;
        for (int i = 0; i < KEEP_WIDTH; i++) c = c + CW'(k[i]);
        popc = c;
    endfunction

    // ---- delay register: the beat waits here while its header fields are registered, so
    //      the strip's controls below come from flip-flops (one cycle of latency)
    logic                  d_valid, d_last, d_user, strip_ready;
    logic [DATA_WIDTH-1:0] d_data;
    logic [KEEP_WIDTH-1:0] d_keep;
    assign s_axis_tready = !d_valid || strip_ready;

    logic hs;
    assign hs = s_axis_tvalid && s_axis_tready;
    always_ff @(posedge clk) begin
        if (d_valid && strip_ready) d_valid <= 1'b0;
        if (hs) begin
            d_valid <= 1'b1;
            d_data  <= s_axis_tdata;
            d_keep  <= s_axis_tkeep;
            d_last  <= s_axis_tlast;
            d_user  <= s_axis_tuser;
        end
        if (rst) d_valid <= 1'b0;
    end

    logic [BEAT_W-1:0] beat;
    logic              first;
    assign first = (beat == '0);
    always_ff @(posedge clk) begin
        if (hs) begin
            if (s_axis_tlast) beat <= '0;
            else if (beat != {BEAT_W{1'b1}}) beat <= beat + 1'b1;
        end
        if (rst) beat <= '0;
    end

    // ---- header fields: registered copy (_r) and value including the current beat (_n) ----
    logic [3:0]  ver_n, ihl_n, ver_r, ihl_r;
    logic [15:0] tlen_n, tlen_r, frag_n, frag_r, sport_n, sport_r, dport_n, dport_r;
    logic [15:0] ulen_n, ulen_r, bytes_n, bytes_r;
    logic [7:0]  proto_n, proto_r;
    logic [31:0] src_n, src_r, dst_n, dst_r;
    logic [19:0] csum_n, csum_r;
    logic [16*(KEEP_WIDTH/2)-1:0] cw;   // masked header words of the beat, word k at [16k +: 16]
    // words of the next beat below IHL*4: all of beat 0 (IHL >= 5; below 5 the frame is
    // dropped as bad_hdr whatever the sum), later from the registered IHL
    logic [KEEP_WIDTH/2-1:0] cmask;
    always_ff @(posedge clk) begin
        if (hs) begin
            for (int k = 0; k < KEEP_WIDTH / 2; k++)
                cmask[k] <= s_axis_tlast || (beat != {BEAT_W{1'b1}} &&
                            {beat + 1'b1, SHW'(2 * k)} < OFF_W'({ihl_n, 2'b00}));
        end
        if (rst) cmask <= '1;
    end
    logic [5:0]  hlen;   // IHL*4 of the frame, registered (valid from beat 1 on)
    logic [OFF_W-1:0] off, relh;

    assign ver_n = first ? s_axis_tdata[7:4] : ver_r;
    assign ihl_n = first ? s_axis_tdata[3:0] : ihl_r;
    assign hlen  = {ihl_r, 2'b00};

    always_comb begin
        tlen_n  = tlen_r;
        frag_n  = frag_r;
        proto_n = proto_r;
        src_n   = src_r;
        dst_n   = dst_r;
        sport_n = sport_r;
        dport_n = dport_r;
        ulen_n  = ulen_r;
        csum_n  = first ? 20'd0 : csum_r;
        bytes_n = (first ? 16'd0 : bytes_r) + 16'(popc(s_axis_tkeep));
        off     = '0;
        relh    = '0;
        for (int j = 0; j < KEEP_WIDTH; j++) begin
            off  = {beat, SHW'(j)};
            relh = off - OFF_W'(hlen);
            case (off)
                OFF_W'(2):  tlen_n[15:8]  = s_axis_tdata[j*8 +: 8];
                OFF_W'(3):  tlen_n[7:0]   = s_axis_tdata[j*8 +: 8];
                OFF_W'(6):  frag_n[15:8]  = s_axis_tdata[j*8 +: 8];
                OFF_W'(7):  frag_n[7:0]   = s_axis_tdata[j*8 +: 8];
                OFF_W'(9):  proto_n       = s_axis_tdata[j*8 +: 8];
                OFF_W'(12): src_n[31:24]  = s_axis_tdata[j*8 +: 8];
                OFF_W'(13): src_n[23:16]  = s_axis_tdata[j*8 +: 8];
                OFF_W'(14): src_n[15:8]   = s_axis_tdata[j*8 +: 8];
                OFF_W'(15): src_n[7:0]    = s_axis_tdata[j*8 +: 8];
                OFF_W'(16): dst_n[31:24]  = s_axis_tdata[j*8 +: 8];
                OFF_W'(17): dst_n[23:16]  = s_axis_tdata[j*8 +: 8];
                OFF_W'(18): dst_n[15:8]   = s_axis_tdata[j*8 +: 8];
                OFF_W'(19): dst_n[7:0]    = s_axis_tdata[j*8 +: 8];
                default: ;
            endcase
            // the UDP header starts at IHL*4 >= 20 (beat 2 or later); beat 0 holds the IHL
            if (!first) case (relh)
                OFF_W'(0): sport_n[15:8] = s_axis_tdata[j*8 +: 8];
                OFF_W'(1): sport_n[7:0]  = s_axis_tdata[j*8 +: 8];
                OFF_W'(2): dport_n[15:8] = s_axis_tdata[j*8 +: 8];
                OFF_W'(3): dport_n[7:0]  = s_axis_tdata[j*8 +: 8];
                OFF_W'(4): ulen_n[15:8]  = s_axis_tdata[j*8 +: 8];
                OFF_W'(5): ulen_n[7:0]   = s_axis_tdata[j*8 +: 8];
                default: ;
            endcase
        end
        // header checksum: 16-bit big-endian words below IHL*4, selected by cmask (computed a
        // beat ahead), summed as a tree
        for (int k = 0; k < KEEP_WIDTH / 2; k++)
            cw[k*16 +: 16] = cmask[k] ? {s_axis_tdata[(2*k)*8 +: 8], s_axis_tdata[(2*k+1)*8 +: 8]} : 16'd0;
        csum_n = csum_n + ({4'd0, cw[15:0]} + {4'd0, cw[31:16]}) + ({4'd0, cw[47:32]} + {4'd0, cw[63:48]});
    end

    always_ff @(posedge clk) begin
        if (hs) begin
            ver_r   <= ver_n;
            ihl_r   <= ihl_n;
            tlen_r  <= tlen_n;
            frag_r  <= frag_n;
            proto_r <= proto_n;
            src_r   <= src_n;
            dst_r   <= dst_n;
            sport_r <= sport_n;
            dport_r <= dport_n;
            ulen_r  <= ulen_n;
            csum_r  <= csum_n;
            bytes_r <= bytes_n;
        end
    end

    // ---- checks (evaluated by axis_strip on the beat holding byte IHL*4+8) ----
    // Every field but the UDP length is complete one beat before that one (IHL, lengths,
    // flags and protocol in beats 0-1, the checksummed words below IHL*4), so those checks
    // are computed from the registered fields and registered once more (pre_*); the UDP
    // length and the header-complete test use the registered fields and the delayed beat.
    logic [7:0]  strip;
    logic [16:0] fold1;
    logic [15:0] fold2;
    logic        csum_ok, hdr_complete, short_total, udp_bad;
    logic        pre_hdr_bad;
    logic [2:0]  pre_reason, reason;
    logic [15:0] pre_ip_payload;
    always_comb begin
        strip = {2'b00, hlen} + 8'd8;
        fold1 = {1'b0, csum_r[15:0]} + {13'd0, csum_r[19:16]};
        fold2 = fold1[15:0] + {15'd0, fold1[16]};
        csum_ok = (fold2 == 16'hffff);
    end
    always_ff @(posedge clk) begin
        pre_hdr_bad    <= (ver_r != 4'd4 || ihl_r < 4'd5);
        pre_ip_payload <= tlen_r - {10'd0, hlen};
        if (!csum_ok)                                  pre_reason <= R_CSUM;
        else if (tlen_r < {8'd0, strip})               pre_reason <= R_LEN;
        else if (frag_r[13] || frag_r[12:0] != 13'd0)  pre_reason <= R_FRAG;
        else if (proto_r != 8'd17)                     pre_reason <= R_PROTO;
        else                                           pre_reason <= R_OK;
    end
    always_comb begin
        hdr_complete = (strip[SHW-1:0] == '0) || d_keep[strip[SHW-1:0] - 1'b1];
        short_total  = d_last && (bytes_r < tlen_r);
        udp_bad      = (ulen_r < 16'd9 || ulen_r > pre_ip_payload);
        if (pre_hdr_bad)               reason = R_HDR;
        else if (!hdr_complete)        reason = R_LEN;
        else if (pre_reason != R_OK)   reason = pre_reason;
        else if (udp_bad)              reason = R_UDPLEN;
        else                           reason = R_OK;
    end

    logic          st_valid, st_short, st_trunc, st_abort, st_short_total;
    logic [2:0]    st_reason;
    logic [SB_W-1:0] m_sb;

    axis_strip #(
        .DATA_WIDTH(DATA_WIDTH), .KEEP_WIDTH(KEEP_WIDTH), .SB_WIDTH(SB_W),
        .LEN_WIDTH(16), .STRIP_WIDTH(8), .REASON_WIDTH(3)
    ) strip_i (
        .clk(clk), .rst(rst),
        .s_axis_tdata(d_data), .s_axis_tkeep(d_keep), .s_axis_tvalid(d_valid),
        .s_axis_tready(strip_ready), .s_axis_tlast(d_last),
        .s_axis_tuser(d_user || short_total), .s_mark(short_total),
        .ctl_strip(strip), .ctl_trim(1'b1), .ctl_len(ulen_r - 16'd8), .ctl_reason(reason),
        .ctl_sb({src_r, dst_r, sport_r, dport_r}),
        .m_axis_tdata(m_axis_tdata), .m_axis_tkeep(m_axis_tkeep), .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready), .m_axis_tlast(m_axis_tlast), .m_axis_tuser(m_axis_tuser),
        .m_axis_sb(m_sb),
        .stat_valid(st_valid), .stat_reason(st_reason), .stat_short(st_short),
        .stat_trunc(st_trunc), .stat_abort_in(st_abort), .stat_mark(st_short_total)
    );

    assign m_axis_src_ip   = m_sb[95:64];
    assign m_axis_dst_ip   = m_sb[63:32];
    assign m_axis_src_port = m_sb[31:16];
    assign m_axis_dst_port = m_sb[15:0];

    always_ff @(posedge clk) begin
        if (st_valid) begin
            cnt_frames <= cnt_frames + 1'b1;
            case (st_reason)
                R_HDR:    cnt_bad_hdr     <= cnt_bad_hdr + 1'b1;
                R_LEN:    cnt_bad_len     <= cnt_bad_len + 1'b1;
                R_CSUM:   cnt_bad_csum    <= cnt_bad_csum + 1'b1;
                R_FRAG:   cnt_frag        <= cnt_frag + 1'b1;
                R_PROTO:  cnt_not_udp     <= cnt_not_udp + 1'b1;
                R_UDPLEN: cnt_bad_udp_len <= cnt_bad_udp_len + 1'b1;
                default: begin
                    if (st_short || st_trunc || st_short_total) cnt_bad_len <= cnt_bad_len + 1'b1;
                    else if (st_abort)                       cnt_aborted <= cnt_aborted + 1'b1;
                    else                                     cnt_ok      <= cnt_ok + 1'b1;
                end
            endcase
        end
        if (rst) begin
            cnt_frames      <= '0;
            cnt_ok          <= '0;
            cnt_bad_hdr     <= '0;
            cnt_bad_len     <= '0;
            cnt_bad_csum    <= '0;
            cnt_frag        <= '0;
            cnt_not_udp     <= '0;
            cnt_bad_udp_len <= '0;
            cnt_aborted     <= '0;
        end
    end
endmodule
`default_nettype wire
