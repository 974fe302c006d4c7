// ab_arbiter — A/B line arbitration by packet sequence number, with a hold window.
//
// What:       two payload streams (A and B copies of the same feeds, as tagged by
//             mcast_filter) are merged frame by frame (round-robin when both wait). For each
//             frame it reads the packet header of the Coinbase Derivatives feed: SeqNum
//             (int64 LE at payload byte 8) and ChannelId (uint16 LE at byte 16), and judges it
//             against the channel slot given by the filter (s_axis_*_chan), with the rules of
//             the software sequencer (core/feed_sequencer.hpp):
//               - ChannelId != the id the filter entry expects   -> drop, cnt_bad_chan
//               - payload shorter than 18 bytes                  -> drop, cnt_runt
//               - slot not yet synced (after reset / cfg_chan_reset) -> pass, sync to it
//               - SeqNum == expected                              -> pass; then the held
//                 packets that have become next in line follow it, in sequence order
//               - SeqNum <  expected: inside the last range declared lost -> drop, cnt_late;
//                 otherwise -> drop, cnt_dup
//               - SeqNum >  expected (a hole): a copy of a held packet -> drop, cnt_dup;
//                 otherwise it waits in the hold buffer (cnt_held) for the other line to fill
//                 the hole. When a held packet has waited cfg_hold_cycles, the hole below the
//                 channel's lowest held packet is declared lost (cnt_gap += 1, cnt_gap_pkts +=
//                 its size) and delivery resumes from there: the first packet after the hole
//                 carries the gap flag.
//               - cfg_hold_cycles == 0: no hold; a packet above a hole passes at once with the
//                 gap flag (the hole is declared lost then).
//               - hold buffer full (HOLD_PKTS packets of all channels wait): the channel gives
//                 up its oldest hole as if its wait had run out, and the packet is judged
//                 again; when its channel holds nothing, it passes at once with the gap flag.
//               - a packet longer than SLOT_BYTES that should wait -> drop, cnt_oversize.
//             First copy wins. The slot's state is committed when the frame's last beat has
//             arrived without the abort flag; an aborted frame commits nothing, so the other
//             line's copy is still accepted.
// Interfaces: s_axis_a_* / s_axis_b_* (tuser = abort) with sideband line / chan / chan_id;
//             m_axis_* (tuser = abort on the last beat) with sideband m_axis_gap /
//             m_axis_line / m_axis_chan, constant for the frame; cfg_hold_cycles (0 = no
//             hold); cfg_chan_reset(_idx) clears one slot and discards its held packets;
//             counters (cnt_win_a / cnt_win_b: delivered frames per line).
// Latency:    in order: the header is complete with payload beat 2; the first output beat
//             leaves 3 cycles later, 5 cycles after the first input beat with back-to-back
//             input; the frame then streams at one beat per cycle. A held packet leaves from
//             the hold buffer 4 cycles after its turn comes (the packet before it has left, or
//             its hole was declared lost) once it is fully buffered.
`default_nettype none
module ab_arbiter #(
    parameter int DATA_WIDTH = 64,
    parameter int KEEP_WIDTH = DATA_WIDTH / 8,
    parameter int CHAN_WIDTH = 2,
    parameter int HOLD_PKTS  = 8,     // packets the hold buffer keeps, all channels together
    parameter int SLOT_BYTES = 1472,  // longest packet that can wait (the software's slot)
    parameter int HOLD_WIDTH = 24,
    parameter int FIFO_DEPTH = 8,
    parameter int CMD_DEPTH  = 16,
    parameter int CNT_WIDTH  = 32,
    // width of the sequence numbers compared and kept (the feed's SeqNum is int64; narrower
    // widths keep its low bits and exist so the formal check stays small)
    parameter int SEQ_WIDTH  = 64
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

    input  wire logic [HOLD_WIDTH-1:0] cfg_hold_cycles,
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
    output logic [CNT_WIDTH-1:0]       cnt_win_b,
    output logic [CNT_WIDTH-1:0]       cnt_held,
    output logic [CNT_WIDTH-1:0]       cnt_oversize
);
    localparam int N_CHAN     = 1 << CHAN_WIDTH;
    localparam int SW         = SEQ_WIDTH;
    localparam int SHW        = $clog2(KEEP_WIDTH);
    localparam int SLOT_BEATS = SLOT_BYTES / KEEP_WIDTH;
    localparam int SA_W       = $clog2(SLOT_BEATS);
    localparam int BEAT_W     = SA_W + 1;           // counts past SLOT_BEATS (saturating)
    localparam int OFF_W      = BEAT_W + SHW;
    localparam int P          = HOLD_PKTS;
    localparam int PI_W       = $clog2(HOLD_PKTS);
    localparam int CI_W       = $clog2(CMD_DEPTH);
    localparam int CC_W       = CI_W + 1;
    localparam int META_W     = 2 + CHAN_WIDTH + 1 + PI_W + 1;  // gap line chan | hold slot gen
    localparam int CMD_W      = 1 + PI_W + 1;                   // release, slot, gap
    localparam int SB_W       = KEEP_WIDTH + DATA_WIDTH;
    localparam int HDR_BEAT   = 17 / KEEP_WIDTH;
    localparam int HDR_LANE   = 17 % KEEP_WIDTH;
    localparam logic [BEAT_W-1:0] SLOT_BEATS_B = BEAT_W'(SLOT_BEATS);

    // slot states of the hold buffer
    localparam logic [1:0] S_FREE = 2'd0;  // unused
    localparam logic [1:0] S_RESV = 2'd1;  // taken by the frame being judged (not committed)
    localparam logic [1:0] S_HELD = 2'd2;  // a packet waiting for its turn
    localparam logic [1:0] S_REL  = 2'd3;  // released, waiting to be read out

    // ---- parameters the design supports, checked at elaboration ----
    if (DATA_WIDTH != 64) begin : g_check_width
        $error("ab_arbiter: DATA_WIDTH %0d is not supported (only 64)", DATA_WIDTH);
    end
    if (KEEP_WIDTH != DATA_WIDTH / 8) begin : g_check_keep
        $error("ab_arbiter: KEEP_WIDTH must be DATA_WIDTH / 8");
    end
    if (HOLD_PKTS < 2 || (1 << PI_W) != HOLD_PKTS) begin : g_check_pkts
        $error("ab_arbiter: HOLD_PKTS %0d must be a power of two >= 2", HOLD_PKTS);
    end
    if (SLOT_BYTES % KEEP_WIDTH != 0 || SLOT_BEATS < 3) begin : g_check_slot
        $error("ab_arbiter: SLOT_BYTES %0d must be a multiple of the beat, at least 3 beats", SLOT_BYTES);
    end
    if (SEQ_WIDTH < 4 || SEQ_WIDTH > 64 || SEQ_WIDTH < CNT_WIDTH) begin : g_check_seq
        $error("ab_arbiter: SEQ_WIDTH %0d must be 4..64 and >= CNT_WIDTH", SEQ_WIDTH);
    end
    if (CMD_DEPTH < HOLD_PKTS + 2 || (1 << CI_W) != CMD_DEPTH) begin : g_check_cmd
        $error("ab_arbiter: CMD_DEPTH %0d must be a power of two >= HOLD_PKTS + 2", CMD_DEPTH);
    end

    // ================================================================ input selection
    logic in_frame, sel_r, rr_b, sel, gate_ready, in_stall, in_ready;
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
    // the input waits while the header register holds a frame not yet judged
    assign in_ready        = gate_ready && !in_stall;
    assign s_axis_a_tready = in_ready && !sel;
    assign s_axis_b_tready = in_ready && sel;

    logic hs;
    assign hs = w_valid && in_ready;

    // ================================================================ header capture
    logic [BEAT_W-1:0]     beat;
    logic                  hdr_seen;
    logic [SW-1:0]         seq_r;
    /* verilator lint_off UNUSEDSIGNAL */   // bits above SEQ_WIDTH when it is narrower
    logic [63:0]           seq_n;
    /* verilator lint_on UNUSEDSIGNAL */
    logic [15:0]           pcid_n, pcid_r;
    logic [CHAN_WIDTH-1:0] chan_r;
    logic [OFF_W-1:0]      off;
    always_comb begin
        seq_n  = 64'(seq_r);
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

    // header register: one frame waiting to be judged
    logic                  d_pend, d_runt, d_bad, d_line, d_end, d_abort;
    logic [BEAT_W-1:0]     d_nbeats;
    logic [CHAN_WIDTH-1:0] d_chan;

    // the judged frame, until its last beat has arrived (commit)
    logic                  f_open, c_pend, c_abort;
    logic [BEAT_W-1:0]     c_nbeats;

    logic dec_fire;  // the frame in the header register is judged this cycle

    always_ff @(posedge clk) begin
        if (hs) begin
            seq_r  <= seq_n[SW-1:0];
            pcid_r <= pcid_n;
            chan_r <= w_chan;
            if (!in_frame) sel_r <= sel;
            in_frame <= !w_last;
            if (beat != {BEAT_W{1'b1}}) beat <= beat + 1'b1;
            if (hdr_event) hdr_seen <= 1'b1;
            if (w_last) begin
                beat     <= '0;
                hdr_seen <= 1'b0;
                rr_b     <= !sel;
            end
        end
        if (dec_fire) d_pend <= 1'b0;
        if (hdr_event) begin
            d_pend   <= 1'b1;
            d_runt   <= !hdr_full;
            d_bad    <= hdr_full && (pcid_n != w_cid);
            d_line   <= w_line;
            d_chan   <= w_chan;
            d_end    <= w_last;
            d_abort  <= w_user;
            d_nbeats <= beat;
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

    // ================================================================ state
    // per channel: expected SeqNum, synced, last range declared lost [lf, lx), gap owed to
    // the next packet delivered
    logic [SW-1:0]     st_exp [N_CHAN];
    logic [SW-1:0]     st_lf  [N_CHAN];
    logic [SW-1:0]     st_lx  [N_CHAN];
    logic [N_CHAN-1:0] st_vld, st_lvld, st_gap;
    // per hold slot
    logic [1:0]            h_st   [P];
    logic [SW-1:0]         h_seq  [P];
    logic [CHAN_WIDTH-1:0] h_chan [P];
    logic [P*HOLD_WIDTH-1:0] h_age;   // slot j at [j*HOLD_WIDTH +: HOLD_WIDTH]
    logic [P-1:0]          h_lt   [P];   // h_lt[i][j]: h_seq[i] < h_seq[j]
    logic [P-1:0]          h_line, h_gen, h_filled;
    logic [SA_W-1:0]       h_last [P];   // index of the last beat in the buffer

    logic [P-1:0] held;
    always_comb for (int k = 0; k < P; k++) held[k] = (h_st[k] == S_HELD);

    // ================================================================ precompute
    // Everything the engine decides on is computed here from registers and registered:
    // a cycle later it is valid unless the state changed in between (st_fresh / fl_ok).
    logic [SW-1:0]     x_exp, x_lf, x_lx;
    logic              x_eq, x_lt, x_late, x_dupheld, x_hasheld;
    logic [P-1:0]      x_slt, x_drn, x_exp_k, x_free, x_ismin;
    logic [N_CHAN*SW-1:0] x_mseq;   // channel c at [c*SW +: SW]
    logic [CHAN_WIDTH-1:0] x_exp_ch;
    logic [PI_W-1:0]   x_free_idx;
    always_comb begin
        x_exp  = st_exp[chan_r];
        x_lf   = st_lf[chan_r];
        x_lx   = st_lx[chan_r];
        x_eq   = (seq_r == x_exp);
        x_lt   = (seq_r < x_exp);
        x_late = st_lvld[chan_r] && !(seq_r < x_lf) && (seq_r < x_lx);
        x_dupheld = 1'b0;
        x_hasheld = 1'b0;
        for (int j = 0; j < P; j++) begin
            x_slt[j] = (seq_r < h_seq[j]);
            if (held[j] && h_chan[j] == chan_r) begin
                x_hasheld = 1'b1;
                if (seq_r == h_seq[j]) x_dupheld = 1'b1;
            end
            x_drn[j]   = held[j] && (h_seq[j] == st_exp[h_chan[j]]);
            x_exp_k[j] = held[j] && (h_age[j*HOLD_WIDTH +: HOLD_WIDTH] >= cfg_hold_cycles);
            x_free[j]  = (h_st[j] == S_FREE);
            x_ismin[j] = held[j];
            for (int i = 0; i < P; i++)
                if (i != j && held[i] && h_chan[i] == h_chan[j] && h_lt[i][j]) x_ismin[j] = 1'b0;
        end
        x_free_idx = '0;
        x_exp_ch   = '0;
        for (int j = P - 1; j >= 0; j--) begin
            if (x_free[j])  x_free_idx = PI_W'(j);
            if (x_exp_k[j]) x_exp_ch   = h_chan[j];
        end
        x_mseq = '0;
        for (int c = 0; c < N_CHAN; c++)
            for (int j = 0; j < P; j++)
                if (x_ismin[j] && h_chan[j] == CHAN_WIDTH'(c)) x_mseq[c*SW +: SW] = x_mseq[c*SW +: SW] | h_seq[j];
    end

    logic [SW-1:0]         p_exp;
    logic                  p_eq, p_lt, p_late, p_vld, p_dupheld, p_hasheld, p_any_free;
    logic                  p_drn_any, p_exp_any, p_hold_en;
    logic [P-1:0]          p_slt, p_drn;
    logic [N_CHAN*SW-1:0]  p_mseq;
    logic [CHAN_WIDTH-1:0] p_exp_ch;
    logic [PI_W-1:0]       p_free_idx;
    logic                  st_fresh, fl_ok, st_chg;
    always_ff @(posedge clk) begin
        p_exp      <= x_exp;
        p_eq       <= x_eq;
        p_lt       <= x_lt;
        p_late     <= x_late;
        p_vld      <= st_vld[chan_r];
        p_dupheld  <= x_dupheld;
        p_hasheld  <= x_hasheld;
        p_slt      <= x_slt;
        p_drn      <= x_drn;
        p_drn_any  <= |x_drn;
        p_exp_any  <= |x_exp_k;   // with cfg_hold_cycles 0 every held packet is due
        p_exp_ch   <= x_exp_ch;
        p_any_free <= |x_free;
        p_free_idx <= x_free_idx;
        p_hold_en  <= (cfg_hold_cycles != '0);
        p_mseq     <= x_mseq;
        st_fresh <= !st_chg;
        fl_ok    <= !st_chg && (hdr_event || (d_pend && !dec_fire));
        if (rst) begin
            st_fresh <= 1'b0;
            fl_ok    <= 1'b0;
        end
    end

    // ================================================================ engine
    // One operation per cycle, in this priority: commit of the judged frame; a release of the
    // held packet that is next in line; a hole given up (its wait ran out); judging the next
    // frame. Nothing but the commit runs between judging a frame and its commit.
    logic [CC_W-1:0] cmd_count;
    logic          cmd_space;
    assign cmd_space = (cmd_count < CC_W'(CMD_DEPTH - 1));

    logic op_commit, eng_free, op_drain, op_expire_t, dec_ready, dec_gt, need_full, op_expire_f;
    logic op_expire;
    logic [CHAN_WIDTH-1:0] x_ch;   // channel of a hole given up
    assign op_commit   = f_open && c_pend;
    assign eng_free    = !f_open;
    assign op_drain    = eng_free && st_fresh && p_drn_any && cmd_space;
    assign op_expire_t = eng_free && st_fresh && !p_drn_any && p_exp_any;
    assign dec_ready   = eng_free && fl_ok && d_pend && !p_drn_any && !p_exp_any && cmd_space;
    assign dec_gt      = !d_runt && !d_bad && p_vld && !p_lt && !p_eq && !p_dupheld;
    // a packet above a hole that cannot wait while its channel holds packets: the channel's
    // oldest hole is given up first, so nothing leaves out of order
    assign need_full   = dec_gt && p_hasheld && (!p_hold_en || !p_any_free);
    assign dec_fire    = dec_ready && !need_full;
    assign op_expire_f = dec_ready && need_full;
    assign op_expire   = op_expire_t || op_expire_f;
    assign x_ch        = op_expire_f ? d_chan : p_exp_ch;
    assign in_stall    = d_pend && !dec_fire;

    // the judgement
    logic k_drop, k_live, k_hold, k_gap, k_dup, k_late;
    always_comb begin
        k_drop = 1'b0; k_live = 1'b0; k_hold = 1'b0; k_gap = 1'b0; k_dup = 1'b0; k_late = 1'b0;
        if (d_runt || d_bad)        k_drop = 1'b1;
        else if (!p_vld)            k_live = 1'b1;
        else if (p_eq)              k_live = 1'b1;
        else if (p_lt) begin
            k_drop = 1'b1;
            if (p_late) k_late = 1'b1;
            else        k_dup  = 1'b1;
        end else if (p_dupheld) begin
            k_drop = 1'b1;
            k_dup  = 1'b1;
        end else if (p_hold_en && p_any_free) begin
            k_hold = 1'b1;
        end else begin
            k_live = 1'b1;
            k_gap  = 1'b1;
        end
    end

    // drain: lowest slot whose packet is next in line on its channel
    logic [P-1:0]          drn_1h;
    logic [PI_W-1:0]       drn_idx;
    logic [CHAN_WIDTH-1:0] drn_ch;
    logic                  drn_line;
    always_comb begin
        drn_1h   = p_drn & ~(p_drn - 1'b1);
        drn_idx  = '0;
        drn_ch   = '0;
        drn_line = 1'b0;
        for (int j = 0; j < P; j++)
            if (drn_1h[j]) begin
                drn_idx  = drn_idx | PI_W'(j);
                drn_ch   = drn_ch | h_chan[j];
                drn_line = drn_line | h_line[j];
            end
    end

    // judged-frame record used by the commit
    logic                  f_live, f_hold, f_gap, f_line;
    logic [CHAN_WIDTH-1:0] f_chan;
    logic [PI_W-1:0]       f_slot;
    logic [SW-1:0]         f_seq, f_seq_p1, f_lost_lo;
    logic [CNT_WIDTH-1:0]  f_skip;
    logic [P-1:0]          f_slt;

    logic c_ok, c_oversize;
    assign c_oversize = (c_nbeats >= SLOT_BEATS_B);   // index of the last beat >= SLOT_BEATS
    assign c_ok       = !c_abort && !(f_hold && c_oversize);

    logic [CNT_WIDTH-1:0] gpk_add;
    logic                 rel_done;       // output: a released packet has been read out
    logic [PI_W-1:0]      rel_done_slot;
    assign st_chg = op_commit || dec_fire || op_drain || op_expire || cfg_chan_reset || rel_done;

    always_ff @(posedge clk) begin
        gpk_add <= '0;
        cnt_gap_pkts <= cnt_gap_pkts + gpk_add;

        // ---- judging
        if (dec_fire) begin
            f_open    <= k_live || k_hold;
            f_live    <= k_live;
            f_hold    <= k_hold;
            f_gap     <= k_gap;
            f_line    <= d_line;
            f_chan    <= d_chan;
            f_slot    <= p_free_idx;
            f_seq     <= seq_r;
            f_seq_p1  <= seq_r + SW'(1);
            f_lost_lo <= p_exp;
            f_skip    <= seq_r[CNT_WIDTH-1:0] - p_exp[CNT_WIDTH-1:0];
            f_slt     <= p_slt;
            c_pend    <= d_end;
            c_abort   <= d_abort;
            c_nbeats  <= d_nbeats;
            if (k_hold) begin
                h_st[p_free_idx]  <= S_RESV;
                h_gen[p_free_idx] <= !h_gen[p_free_idx];
            end
            if (d_runt) cnt_runt     <= cnt_runt + 1'b1;
            if (d_bad)  cnt_bad_chan <= cnt_bad_chan + 1'b1;
            if (k_dup)  cnt_dup      <= cnt_dup + 1'b1;
            if (k_late) cnt_late     <= cnt_late + 1'b1;
        end
        // last beat of the judged frame (the header register is empty or judged this cycle)
        if (hs && w_last && !hdr_event && (f_open || dec_fire)) begin
            c_pend   <= 1'b1;
            c_abort  <= w_user;
            c_nbeats <= beat;
        end

        // ---- commit
        if (op_commit) begin
            f_open <= 1'b0;
            c_pend <= 1'b0;
            if (!c_ok) begin
                if (f_hold) h_st[f_slot] <= S_FREE;
                if (c_abort)  cnt_aborted  <= cnt_aborted + 1'b1;
                else          cnt_oversize <= cnt_oversize + 1'b1;
            end else if (f_live) begin
                st_exp[f_chan] <= f_seq_p1;
                st_vld[f_chan] <= 1'b1;
                cnt_pass <= cnt_pass + 1'b1;
                if (f_line) cnt_win_b <= cnt_win_b + 1'b1;
                else        cnt_win_a <= cnt_win_a + 1'b1;
                if (f_gap) begin
                    st_lf[f_chan]   <= f_lost_lo;
                    st_lx[f_chan]   <= f_seq;
                    st_lvld[f_chan] <= 1'b1;
                    cnt_gap <= cnt_gap + 1'b1;
                    gpk_add <= f_skip;
                end
            end else if (!st_vld[f_chan]) begin
                h_st[f_slot] <= S_FREE;   // its channel was reset meanwhile
            end else begin
                h_st[f_slot]   <= S_HELD;
                h_seq[f_slot]  <= f_seq;
                h_chan[f_slot] <= f_chan;
                h_line[f_slot] <= f_line;
                for (int j = 0; j < P; j++) begin
                    h_lt[f_slot][j] <= f_slt[j] && (PI_W'(j) != f_slot);
                    if (PI_W'(j) != f_slot) h_lt[j][f_slot] <= !f_slt[j];
                end
                cnt_held <= cnt_held + 1'b1;
            end
        end

        // ---- release of the packet next in line
        if (op_drain) begin
            h_st[drn_idx] <= S_REL;
            for (int c = 0; c < N_CHAN; c++)
                if (drn_ch == CHAN_WIDTH'(c)) begin
                    st_exp[c] <= st_exp[c] + SW'(1);
                    st_gap[c] <= 1'b0;
                end
            cnt_pass <= cnt_pass + 1'b1;
            if (drn_line) cnt_win_b <= cnt_win_b + 1'b1;
            else          cnt_win_a <= cnt_win_a + 1'b1;
        end

        // ---- a hole given up: delivery resumes at the channel's lowest held packet
        if (op_expire) begin
            for (int c = 0; c < N_CHAN; c++)
                if (x_ch == CHAN_WIDTH'(c)) begin
                    st_exp[c]  <= p_mseq[c*SW +: SW];
                    st_lf[c]   <= st_exp[c];
                    st_lx[c]   <= p_mseq[c*SW +: SW];
                    st_lvld[c] <= 1'b1;
                    st_gap[c]  <= 1'b1;
                    gpk_add    <= p_mseq[c*SW +: CNT_WIDTH] - st_exp[c][CNT_WIDTH-1:0];
                end
            cnt_gap <= cnt_gap + 1'b1;
        end

        // ---- ages of the held packets
        for (int j = 0; j < P; j++)
            if (!held[j]) h_age[j*HOLD_WIDTH +: HOLD_WIDTH] <= '0;
            else if (h_age[j*HOLD_WIDTH +: HOLD_WIDTH] != {HOLD_WIDTH{1'b1}})
                h_age[j*HOLD_WIDTH +: HOLD_WIDTH] <= h_age[j*HOLD_WIDTH +: HOLD_WIDTH] + 1'b1;

        if (rel_done) h_st[rel_done_slot] <= S_FREE;

        if (cfg_chan_reset) begin
            st_vld[cfg_chan_reset_idx]  <= 1'b0;
            st_lvld[cfg_chan_reset_idx] <= 1'b0;
            st_gap[cfg_chan_reset_idx]  <= 1'b0;
            for (int j = 0; j < P; j++)
                if (held[j] && h_chan[j] == cfg_chan_reset_idx) h_st[j] <= S_FREE;
        end
        if (rst) begin
            f_open       <= 1'b0;
            c_pend       <= 1'b0;
            st_vld       <= '0;
            st_lvld      <= '0;
            st_gap       <= '0;
            h_gen        <= '0;
            for (int j = 0; j < P; j++) h_st[j] <= S_FREE;
            gpk_add      <= '0;
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
            cnt_held     <= '0;
            cnt_oversize <= '0;
        end
    end

    // ================================================================ frame FIFO
    logic [DATA_WIDTH-1:0] g_data;
    logic [KEEP_WIDTH-1:0] g_keep;
    logic                  g_valid, g_ready, g_last, g_user;
    logic [META_W-1:0]     g_meta;
    axis_frame_gate #(
        .DATA_WIDTH(DATA_WIDTH), .KEEP_WIDTH(KEEP_WIDTH), .USER_WIDTH(1),
        .META_WIDTH(META_W), .DEPTH(FIFO_DEPTH)
    ) gate (
        .clk(clk), .rst(rst),
        .s_axis_tdata(w_data), .s_axis_tkeep(w_keep), .s_axis_tvalid(w_valid && !in_stall),
        .s_axis_tready(gate_ready), .s_axis_tlast(w_last), .s_axis_tuser(w_user),
        .dec_valid(dec_fire), .dec_pass(!k_drop),
        .dec_meta({k_gap, d_line, d_chan, k_hold, p_free_idx, !h_gen[p_free_idx]}),
        .m_axis_tdata(g_data), .m_axis_tkeep(g_keep), .m_axis_tvalid(g_valid),
        .m_axis_tready(g_ready), .m_axis_tlast(g_last), .m_axis_tuser(g_user),
        .m_axis_meta(g_meta)
    );
    logic                  g_gap, g_line, g_hold, g_gen;
    logic [CHAN_WIDTH-1:0] g_chan;
    logic [PI_W-1:0]       g_slot;
    assign {g_gap, g_line, g_chan, g_hold, g_slot, g_gen} = g_meta;

    // ================================================================ hold buffer
    logic [SB_W-1:0] sbuf [P * (1 << SA_W)];
    logic [BEAT_W-1:0] wbeat;
    always_ff @(posedge clk) begin
        if (g_valid && g_hold) begin
            if (wbeat < SLOT_BEATS_B) sbuf[{g_slot, wbeat[SA_W-1:0]}] <= {g_keep, g_data};
            if (wbeat != {BEAT_W{1'b1}}) wbeat <= wbeat + 1'b1;
            if (g_last) wbeat <= '0;
        end
        if (rst) wbeat <= '0;
    end

    // ================================================================ output order
    // One command per delivered frame, in delivery order: the next passed frame of the FIFO,
    // or a packet from the hold buffer.
    logic [CMD_W-1:0] cmem [CMD_DEPTH];
    logic [CI_W-1:0]  cwr, crd;
    logic             cmd_push, cmd_pop, cmd_ne;
    logic [CMD_W-1:0] cmd_in, cmd_head;
    logic             head_rel, head_gap;
    logic [PI_W-1:0]  head_slot;
    assign cmd_push = (dec_fire && k_live) || op_drain;
    assign cmd_in   = op_drain ? {1'b1, drn_idx, st_gap[drn_ch]} : {1'b0, PI_W'(0), 1'b0};
    assign cmd_ne   = (cmd_count != '0);
    assign cmd_head = cmem[crd];
    assign {head_rel, head_slot, head_gap} = cmd_head;

    // read-out of a released packet
    logic                  rd_busy, rd_issued, q_valid, q_last, q_take, r_s_ready, r_valid, r_last;
    logic                  ren;
    logic [SA_W-1:0]       rd_idx;
    logic [SB_W-1:0]       q_data, r_data;
    assign ren    = rd_busy && !rd_issued && (!q_valid || q_take);
    assign q_take = q_valid && r_s_ready;

    logic out_rel, out_hs;
    assign out_rel  = cmd_ne && head_rel;
    assign g_ready  = g_hold || (cmd_ne && !head_rel && m_axis_tready);
    assign out_hs   = m_axis_tvalid && m_axis_tready;
    assign cmd_pop  = out_hs && m_axis_tlast;
    assign rel_done = cmd_pop && out_rel;
    assign rel_done_slot = head_slot;

    always_ff @(posedge clk) begin
        if (cmd_push) begin
            cmem[cwr] <= cmd_in;
            cwr <= cwr + 1'b1;
        end
        if (cmd_pop) crd <= crd + 1'b1;
        cmd_count <= cmd_count + CC_W'(cmd_push) - CC_W'(cmd_pop);

        // packets written into the buffer: complete once the last beat is in, unaborted,
        // and the slot still belongs to it
        if (g_valid && g_hold && g_last && !g_user && wbeat < SLOT_BEATS_B && g_gen == h_gen[g_slot]) begin
            h_filled[g_slot] <= 1'b1;
            h_last[g_slot]   <= wbeat[SA_W-1:0];
        end
        // a slot taken by a new packet: whatever an earlier owner left there is void
        if (dec_fire && k_hold) h_filled[p_free_idx] <= 1'b0;

        if (out_rel && !rd_busy && !rel_done && h_filled[head_slot]) begin
            rd_busy   <= 1'b1;
            rd_issued <= 1'b0;
            rd_idx    <= '0;
        end
        if (ren) begin
            q_data <= sbuf[{head_slot, rd_idx}];
            q_last <= (rd_idx == h_last[head_slot]);
            rd_idx <= rd_idx + 1'b1;
            if (rd_idx == h_last[head_slot]) rd_issued <= 1'b1;
        end
        if (ren)         q_valid <= 1'b1;
        else if (q_take) q_valid <= 1'b0;
        if (rel_done) begin
            rd_busy  <= 1'b0;
            h_filled[head_slot] <= 1'b0;
        end
        if (rst) begin
            cwr       <= '0;
            crd       <= '0;
            cmd_count <= '0;
            rd_busy   <= 1'b0;
            rd_issued <= 1'b0;
            q_valid   <= 1'b0;
            h_filled  <= '0;
        end
    end

    axis_skid #(.WIDTH(1 + SB_W)) rel_out (
        .clk(clk), .rst(rst),
        .s_data({q_last, q_data}), .s_valid(q_valid), .s_ready(r_s_ready),
        .m_data({r_last, r_data}), .m_valid(r_valid), .m_ready(out_rel && m_axis_tready)
    );

    always_comb begin
        if (out_rel) begin
            m_axis_tdata  = r_data[DATA_WIDTH-1:0];
            m_axis_tkeep  = r_data[DATA_WIDTH +: KEEP_WIDTH];
            m_axis_tvalid = r_valid;
            m_axis_tlast  = r_last;
            m_axis_tuser  = 1'b0;
            m_axis_gap    = head_gap;
            m_axis_line   = h_line[head_slot];
            m_axis_chan   = h_chan[head_slot];
        end else begin
            m_axis_tdata  = g_data;
            m_axis_tkeep  = g_keep;
            m_axis_tvalid = g_valid && !g_hold && cmd_ne;
            m_axis_tlast  = g_last;
            m_axis_tuser  = g_user;
            m_axis_gap    = g_gap;
            m_axis_line   = g_line;
            m_axis_chan   = g_chan;
        end
    end

`ifdef FORMAL
    // Properties (scripts/formal.sh, a small parameterization): per channel the delivered
    // SeqNums rise strictly, so each (channel, SeqNum) leaves at most once, and the gap flag is
    // set exactly when the SeqNum jumps over the one after the last delivered.
    logic [SW-1:0]     fv_last [N_CHAN];
    logic [N_CHAN-1:0] fv_vld;
    logic [SW-1:0]     fv_seq;
    logic [BEAT_W-1:0] fv_beat;
    always_ff @(posedge clk) begin
        if (out_hs) begin
            if (fv_beat == BEAT_W'(1)) fv_seq <= m_axis_tdata[SW-1:0];  // payload bytes 8..15
            if (fv_beat != {BEAT_W{1'b1}}) fv_beat <= fv_beat + 1'b1;
            if (m_axis_tlast) begin
                fv_beat <= '0;
                if (!m_axis_tuser) begin
                    fv_vld[m_axis_chan]  <= 1'b1;
                    fv_last[m_axis_chan] <= fv_seq;
                end
            end
        end
        if (rst) begin
            fv_vld  <= '0;
            fv_beat <= '0;
        end
    end
    // inputs keep the stream contract: full tkeep except on the last beat, contiguous from
    // lane 0, per-frame sideband constant inside the frame; SeqNums are non-negative int64 (the
    // feed counts from 1; the compares are unsigned, which agrees with the software's signed
    // ones below 2^63)
    logic                  fa_in, fb_in;
    logic [CHAN_WIDTH-1:0] fa_chan, fb_chan;
    logic [1:0]            fa_beat, fb_beat;
    always_ff @(posedge clk) begin
        if (s_axis_a_tvalid && s_axis_a_tready) begin
            fa_in <= !s_axis_a_tlast;
            if (!fa_in) fa_chan <= s_axis_a_chan;
            if (fa_beat != 2'd3) fa_beat <= fa_beat + 1'b1;
            if (s_axis_a_tlast) fa_beat <= '0;
        end
        if (s_axis_b_tvalid && s_axis_b_tready) begin
            fb_in <= !s_axis_b_tlast;
            if (!fb_in) fb_chan <= s_axis_b_chan;
            if (fb_beat != 2'd3) fb_beat <= fb_beat + 1'b1;
            if (s_axis_b_tlast) fb_beat <= '0;
        end
        if (rst) begin
            fa_in   <= 1'b0;
            fb_in   <= 1'b0;
            fa_beat <= '0;
            fb_beat <= '0;
        end
    end
    // the output while stalled: what was offered and not taken is offered again unchanged
    logic                  fs_stall;
    logic [DATA_WIDTH-1:0] fs_data;
    logic [KEEP_WIDTH-1:0] fs_keep;
    logic                  fs_last, fs_user, fs_gap, fs_line;
    logic [CHAN_WIDTH-1:0] fs_chan;
    always_ff @(posedge clk) begin
        fs_stall <= m_axis_tvalid && !m_axis_tready && !rst;
        fs_data  <= m_axis_tdata;
        fs_keep  <= m_axis_tkeep;
        fs_last  <= m_axis_tlast;
        fs_user  <= m_axis_tuser;
        fs_gap   <= m_axis_gap;
        fs_line  <= m_axis_line;
        fs_chan  <= m_axis_chan;
    end
    // configuration is static (set before traffic), and each input is the line it is wired to
    logic                  fc_started;
    logic [HOLD_WIDTH-1:0] fc_hold;
    always_ff @(posedge clk) begin
        fc_started <= 1'b1;
        fc_hold    <= cfg_hold_cycles;
    end
    always_comb begin
        assume (!cfg_chan_reset);
        if (fc_started) assume (cfg_hold_cycles == fc_hold);
        assume (!s_axis_a_line && s_axis_b_line);
        if (fs_stall && !rst) begin
            assert (m_axis_tvalid);
            assert (m_axis_tdata == fs_data && m_axis_tkeep == fs_keep && m_axis_tlast == fs_last);
            assert (m_axis_tuser == fs_user && m_axis_gap == fs_gap);
            assert (m_axis_line == fs_line && m_axis_chan == fs_chan);
        end
        if (s_axis_a_tvalid) begin
            assume (s_axis_a_tkeep[0] && ((s_axis_a_tkeep & (s_axis_a_tkeep + 1'b1)) == '0));
            if (!s_axis_a_tlast) assume (&s_axis_a_tkeep);
            if (fa_in) assume (s_axis_a_chan == fa_chan);
            if (fa_beat == 2'd1) assume (!s_axis_a_tdata[SW-1]);
        end
        if (s_axis_b_tvalid) begin
            assume (s_axis_b_tkeep[0] && ((s_axis_b_tkeep & (s_axis_b_tkeep + 1'b1)) == '0));
            if (!s_axis_b_tlast) assume (&s_axis_b_tkeep);
            if (fb_in) assume (s_axis_b_chan == fb_chan);
            if (fb_beat == 2'd1) assume (!s_axis_b_tdata[SW-1]);
        end
        if (!rst && out_hs && m_axis_tlast && !m_axis_tuser) begin
            assert (fv_beat >= BEAT_W'(2));
            if (fv_vld[m_axis_chan]) begin
                assert (fv_seq > fv_last[m_axis_chan]);
                assert (m_axis_gap == (fv_seq != fv_last[m_axis_chan] + SW'(1)));
            end else begin
                assert (!m_axis_gap);
            end
        end
    end
`endif
endmodule
`default_nettype wire
