// ab_arbiter — A/B line arbitration by packet sequence number.
//
// What:       two payload streams (A and B copies of the same feeds, as tagged by
//             mcast_filter) are merged frame by frame (round-robin when both wait). For each
//             frame it reads the packet header of the Coinbase Derivatives feed: SeqNum
//             (int64 LE at payload byte 8) and ChannelId (uint16 LE at byte 16), and looks up
//             the channel slot given by the filter (s_axis_*_chan):
//               - ChannelId != the id the filter entry expects   -> drop, cnt_bad_chan
//               - payload shorter than 18 bytes                  -> drop, cnt_runt
//               - slot not yet synced (after reset / cfg_chan_reset) -> pass, sync to it
//               - SeqNum == expected                              -> pass
//               - SeqNum >  expected                              -> pass with gap = 1;
//                 cnt_gap += 1, cnt_gap_pkts += SeqNum - expected
//               - SeqNum <  expected and delivered before (within the last WINDOW numbers)
//                                                                -> drop, cnt_dup
//               - SeqNum <  expected otherwise (lost, or older than the window) -> drop,
//                 cnt_late
//             First copy wins. The slot's state (expected = SeqNum + 1, history bitmap) is
//             committed when the passed frame's last beat has arrived without the abort flag;
//             an aborted frame commits nothing, so the other line's copy is still accepted.
// Interfaces: s_axis_a_* / s_axis_b_* (tuser = abort) with sideband line / chan / chan_id;
//             m_axis_* (tuser = abort on the last beat) with sideband m_axis_gap /
//             m_axis_line / m_axis_chan, constant for the frame; cfg_chan_reset(_idx) clears
//             one slot; counters (cnt_win_a / cnt_win_b: committed frames per line).
// Latency:    the header is complete with payload beat 2; the first output beat leaves 3
//             cycles later, 5 cycles after the first input beat with back-to-back input; the
//             frame then streams at one beat per cycle (last beat also 5 cycles after its
//             input beat).
`default_nettype none
module ab_arbiter #(
    parameter int DATA_WIDTH = 64,
    parameter int KEEP_WIDTH = DATA_WIDTH / 8,
    parameter int CHAN_WIDTH = 2,
    parameter int WINDOW     = 64,
    parameter int FIFO_DEPTH = 8,
    parameter int CNT_WIDTH  = 32
) (
    input  wire logic                  clk,
    input  wire logic                  rst,

    input  wire logic [DATA_WIDTH-1:0] s_axis_a_tdata,
    input  wire logic [KEEP_WIDTH-1:0] s_axis_a_tkeep,
    input  wire logic                  s_axis_a_tvalid,
    output logic                       s_axis_a_tready,
    input  wire logic                  s_axis_a_tlast,
    input  wire logic                  s_axis_a_tuser,
    input  wire logic                  s_axis_a_line,
    input  wire logic [CHAN_WIDTH-1:0] s_axis_a_chan,
    input  wire logic [15:0]           s_axis_a_chan_id,

    input  wire logic [DATA_WIDTH-1:0] s_axis_b_tdata,
    input  wire logic [KEEP_WIDTH-1:0] s_axis_b_tkeep,
    input  wire logic                  s_axis_b_tvalid,
    output logic                       s_axis_b_tready,
    input  wire logic                  s_axis_b_tlast,
    input  wire logic                  s_axis_b_tuser,
    input  wire logic                  s_axis_b_line,
    input  wire logic [CHAN_WIDTH-1:0] s_axis_b_chan,
    input  wire logic [15:0]           s_axis_b_chan_id,

    output logic [DATA_WIDTH-1:0]      m_axis_tdata,
    output logic [KEEP_WIDTH-1:0]      m_axis_tkeep,
    output logic                       m_axis_tvalid,
    input  wire logic                  m_axis_tready,
    output logic                       m_axis_tlast,
    output logic                       m_axis_tuser,
    output logic                       m_axis_gap,
    output logic                       m_axis_line,
    output logic [CHAN_WIDTH-1:0]      m_axis_chan,

    input  wire logic                  cfg_chan_reset,
    input  wire logic [CHAN_WIDTH-1:0] cfg_chan_reset_idx,

    output logic [CNT_WIDTH-1:0]       cnt_pass,
    output logic [CNT_WIDTH-1:0]       cnt_dup,
    output logic [CNT_WIDTH-1:0]       cnt_late,
    output logic [CNT_WIDTH-1:0]       cnt_gap,
    output logic [CNT_WIDTH-1:0]       cnt_gap_pkts,
    output logic [CNT_WIDTH-1:0]       cnt_runt,
    output logic [CNT_WIDTH-1:0]       cnt_bad_chan,
    output logic [CNT_WIDTH-1:0]       cnt_aborted,
    output logic [CNT_WIDTH-1:0]       cnt_win_a,
    output logic [CNT_WIDTH-1:0]       cnt_win_b
);
    localparam int N_CHAN = 1 << CHAN_WIDTH;
    localparam int SHW    = $clog2(KEEP_WIDTH);
    localparam int BEAT_W = 4;
    localparam int OFF_W  = BEAT_W + SHW;
    localparam int META_W = 2 + CHAN_WIDTH;
    localparam int HDR_BEAT = 17 / KEEP_WIDTH;
    localparam int HDR_LANE = 17 % KEEP_WIDTH;
    localparam logic [63:0] WIN64 = 64'(WINDOW);

    // ---- input selection (frame granularity, round-robin) ----
    logic in_frame, sel_r, rr_b, sel, gate_ready;
    always_comb begin
        if (in_frame)                              sel = sel_r;
        else if (s_axis_a_tvalid && s_axis_b_tvalid) sel = rr_b;
        else if (s_axis_b_tvalid)                  sel = 1'b1;
        else                                       sel = 1'b0;
    end

    logic [DATA_WIDTH-1:0] w_data;
    logic [KEEP_WIDTH-1:0] w_keep;
    logic                  w_valid, w_last, w_user, w_line;
    logic [CHAN_WIDTH-1:0] w_chan;
    logic [15:0]           w_cid;
    always_comb begin
        if (sel) begin
            w_data = s_axis_b_tdata;  w_keep = s_axis_b_tkeep;  w_valid = s_axis_b_tvalid;
            w_last = s_axis_b_tlast;  w_user = s_axis_b_tuser;  w_line  = s_axis_b_line;
            w_chan = s_axis_b_chan;   w_cid  = s_axis_b_chan_id;
        end else begin
            w_data = s_axis_a_tdata;  w_keep = s_axis_a_tkeep;  w_valid = s_axis_a_tvalid;
            w_last = s_axis_a_tlast;  w_user = s_axis_a_tuser;  w_line  = s_axis_a_line;
            w_chan = s_axis_a_chan;   w_cid  = s_axis_a_chan_id;
        end
    end
    assign s_axis_a_tready = gate_ready && !sel;
    assign s_axis_b_tready = gate_ready && sel;

    logic hs;
    assign hs = w_valid && gate_ready;

    // ---- header capture ----
    logic [BEAT_W-1:0] beat;
    logic              hdr_seen;
    logic [63:0]       seq_r, seq_n;
    logic [15:0]       pcid_r, pcid_n;
    logic [OFF_W-1:0]  off;
    always_comb begin
        seq_n  = seq_r;
        pcid_n = pcid_r;
        off    = '0;
        for (int j = 0; j < KEEP_WIDTH; j++) begin
            off = {beat, SHW'(j)};
            for (int k = 0; k < 8; k++)
                if (off == OFF_W'(8 + k)) seq_n[k*8 +: 8] = w_data[j*8 +: 8];
            if (off == OFF_W'(16)) pcid_n[7:0]  = w_data[j*8 +: 8];
            if (off == OFF_W'(17)) pcid_n[15:8] = w_data[j*8 +: 8];
        end
    end

    logic hdr_event, hdr_full;
    assign hdr_full  = (beat == BEAT_W'(HDR_BEAT)) && w_keep[HDR_LANE];
    assign hdr_event = hs && !hdr_seen && (hdr_full || w_last);

    // decision pipeline register (one frame per stage)
    logic                  d_pend, d_runt, d_tlast, d_abort, d_line;
    logic [63:0]           d_seq;
    logic [15:0]           d_pcid, d_cid;
    logic [CHAN_WIDTH-1:0] d_chan;

    always_ff @(posedge clk) begin
        d_pend <= 1'b0;
        if (hs) begin
            seq_r  <= seq_n;
            pcid_r <= pcid_n;
            if (!in_frame) sel_r <= sel;
            in_frame <= !w_last;
            if (beat != {BEAT_W{1'b1}}) beat <= beat + 1'b1;
            if (hdr_event) begin
                hdr_seen <= 1'b1;
                d_pend   <= 1'b1;
                d_runt   <= !hdr_full;
                d_tlast  <= w_last;
                d_abort  <= w_user;
                d_seq    <= seq_n;
                d_pcid   <= pcid_n;
                d_cid    <= w_cid;
                d_chan   <= w_chan;
                d_line   <= w_line;
            end
            if (w_last) begin
                beat     <= '0;
                hdr_seen <= 1'b0;
                rr_b     <= !sel;
            end
        end
        if (rst) begin
            d_pend   <= 1'b0;
            in_frame <= 1'b0;
            sel_r    <= 1'b0;
            rr_b     <= 1'b0;
            beat     <= '0;
            hdr_seen <= 1'b0;
        end
    end

    // ---- per-channel state ----
    logic [63:0]       st_exp [N_CHAN];
    logic [WINDOW-1:0] st_bm  [N_CHAN];
    logic [N_CHAN-1:0] st_vld;

    logic [63:0]       e_exp, diff, back;
    logic [WINDOW-1:0] e_bm;
    logic              e_vld;
    logic              dec_pass, dec_gap, is_dup, is_late, bad_chan;
    logic [63:0]       new_exp;
    logic [WINDOW-1:0] new_bm;
    always_comb begin
        e_exp    = st_exp[d_chan];
        e_bm     = st_bm[d_chan];
        e_vld    = st_vld[d_chan];
        diff     = d_seq - e_exp;          // packets skipped when d_seq >= e_exp
        back     = e_exp - 64'd1 - d_seq;  // distance below the newest delivered
        bad_chan = !d_runt && (d_pcid != d_cid);
        dec_pass = 1'b0;
        dec_gap  = 1'b0;
        is_dup   = 1'b0;
        is_late  = 1'b0;
        new_exp  = d_seq + 64'd1;
        new_bm   = {{(WINDOW-1){1'b0}}, 1'b1};
        if (!d_runt && !bad_chan) begin
            if (!e_vld) begin
                dec_pass = 1'b1;
            end else if (d_seq >= e_exp) begin
                dec_pass = 1'b1;
                dec_gap  = (diff != 64'd0);
                if (diff < WIN64 - 64'd1) new_bm = (e_bm << (diff + 64'd1)) | new_bm;
            end else if (back < WIN64 && e_bm[back[$clog2(WINDOW)-1:0]]) begin
                is_dup = 1'b1;
            end else begin
                is_late = 1'b1;
            end
        end
    end

    // commit bookkeeping for a passed frame whose last beat is still to come
    logic                  c_pend, c_gap, c_line;
    logic [CHAN_WIDTH-1:0] c_chan;
    logic [63:0]           c_exp, c_skip;
    logic [WINDOW-1:0]     c_bm;

    logic                  do_commit, commit_abort, k_gap, k_line;
    logic [CHAN_WIDTH-1:0] k_chan;
    logic [63:0]           k_exp, k_skip;
    logic [WINDOW-1:0]     k_bm;
    always_comb begin
        do_commit    = 1'b0;
        commit_abort = 1'b0;
        k_gap  = c_gap;
        k_line = c_line;
        k_chan = c_chan;
        k_exp  = c_exp;
        k_skip = c_skip;
        k_bm   = c_bm;
        if (d_pend && dec_pass) begin
            k_gap  = dec_gap;
            k_line = d_line;
            k_chan = d_chan;
            k_exp  = new_exp;
            k_skip = dec_gap ? diff : 64'd0;
            k_bm   = new_bm;
            if (d_tlast) begin
                do_commit    = 1'b1;
                commit_abort = d_abort;
            end else if (hs && w_last) begin
                do_commit    = 1'b1;
                commit_abort = w_user;
            end
        end else if (c_pend && hs && w_last) begin
            do_commit    = 1'b1;
            commit_abort = w_user;
        end
    end

    always_ff @(posedge clk) begin
        if (d_pend && dec_pass && !do_commit) begin
            c_pend <= 1'b1;
            c_gap  <= k_gap;
            c_line <= k_line;
            c_chan <= k_chan;
            c_exp  <= k_exp;
            c_skip <= k_skip;
            c_bm   <= k_bm;
        end else if (do_commit) begin
            c_pend <= 1'b0;
        end
        if (do_commit && !commit_abort) begin
            st_exp[k_chan] <= k_exp;
            st_bm[k_chan]  <= k_bm;
            st_vld[k_chan] <= 1'b1;
            cnt_pass <= cnt_pass + 1'b1;
            if (k_line) cnt_win_b <= cnt_win_b + 1'b1;
            else        cnt_win_a <= cnt_win_a + 1'b1;
            if (k_gap) begin
                cnt_gap      <= cnt_gap + 1'b1;
                cnt_gap_pkts <= cnt_gap_pkts + k_skip[CNT_WIDTH-1:0];
            end
        end
        if (do_commit && commit_abort) cnt_aborted <= cnt_aborted + 1'b1;
        if (d_pend) begin
            if (d_runt)   cnt_runt     <= cnt_runt + 1'b1;
            if (bad_chan) cnt_bad_chan <= cnt_bad_chan + 1'b1;
            if (is_dup)   cnt_dup      <= cnt_dup + 1'b1;
            if (is_late)  cnt_late     <= cnt_late + 1'b1;
        end
        if (cfg_chan_reset) st_vld[cfg_chan_reset_idx] <= 1'b0;
        if (rst) begin
            c_pend       <= 1'b0;
            st_vld       <= '0;
            cnt_pass     <= '0;
            cnt_dup      <= '0;
            cnt_late     <= '0;
            cnt_gap      <= '0;
            cnt_gap_pkts <= '0;
            cnt_runt     <= '0;
            cnt_bad_chan <= '0;
            cnt_aborted  <= '0;
            cnt_win_a    <= '0;
            cnt_win_b    <= '0;
        end
    end

    // ---- frame FIFO released by the decisions ----
    logic [META_W-1:0] m_meta;
    axis_frame_gate #(
        .DATA_WIDTH(DATA_WIDTH), .KEEP_WIDTH(KEEP_WIDTH), .USER_WIDTH(1),
        .META_WIDTH(META_W), .DEPTH(FIFO_DEPTH)
    ) gate (
        .clk(clk), .rst(rst),
        .s_axis_tdata(w_data), .s_axis_tkeep(w_keep), .s_axis_tvalid(w_valid),
        .s_axis_tready(gate_ready), .s_axis_tlast(w_last), .s_axis_tuser(w_user),
        .dec_valid(d_pend), .dec_pass(dec_pass), .dec_meta({dec_gap, d_line, d_chan}),
        .m_axis_tdata(m_axis_tdata), .m_axis_tkeep(m_axis_tkeep), .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready), .m_axis_tlast(m_axis_tlast), .m_axis_tuser(m_axis_tuser),
        .m_axis_meta(m_meta)
    );
    assign m_axis_gap  = m_meta[META_W-1];
    assign m_axis_line = m_meta[META_W-2];
    assign m_axis_chan = m_meta[CHAN_WIDTH-1:0];
endmodule
`default_nettype wire
