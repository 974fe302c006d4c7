// axis_strip — drop the first bytes of every frame, realign the rest to byte lane 0.
//
// What:       the shared datapath of the header parsers. For each frame it removes the first
//             ctl_strip bytes (the parsed header), optionally trims the remainder to ctl_len
//             bytes (drops Ethernet padding), realigns the result so that byte 0 sits in lane 0,
//             and drops the whole frame when ctl_reason != 0.
//             Faults that only show at the last input beat (input abort flag set = MAC error,
//             or the frame ends before ctl_len bytes = truncated) drop the frame when nothing
//             of it has been emitted yet; otherwise the output frame is *aborted*: its last
//             beat carries m_axis_tuser = 1 and every consumer must discard it.
// Control:    the owning parser drives ctl_* combinationally. They are sampled once per frame,
//             on the input beat that holds byte ctl_strip (beat b0 = ctl_strip / KEEP_WIDTH);
//             ctl_strip must not point at an earlier beat than the one being consumed.
// Interfaces: s_axis_* (tuser = abort) in; m_axis_* (tuser = abort) + m_axis_sb (ctl_sb of
//             the frame, constant for all its beats) out; stat_* (registered) pulse once per
//             input frame, 2 cycles after its last beat is accepted, for the parser's
//             counters; stat_mark repeats s_mark of that last beat.
// Input:      tkeep follows the stream contract: full on every beat but the last, contiguous
//             from lane 0 (the byte counts are computed from it, not counted).
// Pipeline:   stage 0 registers the beat with its role (before / at / after b0), shift, byte
//             counts and the saturated length; stage 1 realigns from registers only and feeds
//             the output register (axis_skid). s_axis_tready is one gate from flip-flops.
// Latency:    output beat k is presented 2 cycles after input beat b0+k+1 is accepted (the
//             block looks one beat ahead to know where the frame ends). When the frame's
//             remaining bytes spill into one more output beat, one extra (flush) cycle is
//             spent without taking a beat into stage 1.
`default_nettype none
module axis_strip #(
    parameter int DATA_WIDTH   = 64,
    parameter int KEEP_WIDTH   = DATA_WIDTH / 8,
    parameter int SB_WIDTH     = 1,
    parameter int LEN_WIDTH    = 16,
    parameter int STRIP_WIDTH  = 8,
    parameter int REASON_WIDTH = 3
) (
    input  wire logic                    clk,
    input  wire logic                    rst,

    input  wire logic [DATA_WIDTH-1:0]   s_axis_tdata,
    input  wire logic [KEEP_WIDTH-1:0]   s_axis_tkeep,
    input  wire logic                    s_axis_tvalid,
    output logic                         s_axis_tready,
    input  wire logic                    s_axis_tlast,
    input  wire logic                    s_axis_tuser,
    input  wire logic                    s_mark,   // per-beat flag, reported by stat_mark

    input  wire logic [STRIP_WIDTH-1:0]  ctl_strip,
    input  wire logic                    ctl_trim,
    input  wire logic [LEN_WIDTH-1:0]    ctl_len,
    input  wire logic [REASON_WIDTH-1:0] ctl_reason,
    input  wire logic [SB_WIDTH-1:0]     ctl_sb,

    output logic [DATA_WIDTH-1:0]        m_axis_tdata,
    output logic [KEEP_WIDTH-1:0]        m_axis_tkeep,
    output logic                         m_axis_tvalid,
    input  wire logic                    m_axis_tready,
    output logic                         m_axis_tlast,
    output logic                         m_axis_tuser,
    output logic [SB_WIDTH-1:0]          m_axis_sb,

    output logic                         stat_valid,
    output logic [REASON_WIDTH-1:0]      stat_reason,
    output logic                         stat_short,
    output logic                         stat_trunc,
    output logic                         stat_abort_in,
    output logic                         stat_mark
);
    // the realignment and its tests assume 8-byte beats
    if (DATA_WIDTH != 64 || KEEP_WIDTH != 8) begin : g_width_check
        $error("axis_strip: only DATA_WIDTH = 64 (KEEP_WIDTH = 8) is supported");
    end
    localparam int SHW    = $clog2(KEEP_WIDTH);
    localparam int B0W    = STRIP_WIDTH - SHW;
    localparam int BEAT_W = B0W + 1;
    localparam int CW     = SHW + 1;
    localparam int PW     = SB_WIDTH + 2 + KEEP_WIDTH + DATA_WIDTH;
    localparam logic [LEN_WIDTH-1:0] KW_LEN = LEN_WIDTH'(KEEP_WIDTH);

    function automatic logic [CW-1:0] popc(input logic [KEEP_WIDTH-1:0] k);
        logic [CW-1:0] c;
        c = '0;
        for (int i = 0; i < KEEP_WIDTH; i++) c = c + CW'(k[i]);
        popc = c;
    endfunction

    // Two stages. Stage 0 registers the input beat with everything the realignment needs
    // from ctl_* and tkeep (the beat's role, shift, byte counts, the length saturated to
    // 5 bits); stage 1 decides from registers only and feeds the output register.
    // tkeep follows the stream contract (full on every beat but the last, contiguous from
    // lane 0), so byte counts are arithmetic on the shift instead of population counts of
    // the realigned window.
    localparam int RSW = 5;
    localparam logic [RSW-1:0] RS_MAX = '1;   // lengths at or above RS_MAX compare alike here

    function automatic logic [RSW-1:0] sat_len(input logic [LEN_WIDTH-1:0] v);
        sat_len = (v >= LEN_WIDTH'(RS_MAX)) ? RS_MAX : v[RSW-1:0];
    endfunction

    // ---- stage 0: per-frame state of the input side ----
    logic [BEAT_W-1:0]       beat;
    logic                    latched;
    logic [SHW-1:0]          l_sh;
    logic                    l_trim, l_drop;
    logic [REASON_WIDTH-1:0] l_reason;
    logic [SB_WIDTH-1:0]     l_sb;

    // ---- stage 0 register: the beat stage 1 works on ----
    logic                    i_valid, i_last, i_user, i_mark;
    logic [DATA_WIDTH-1:0]   i_data;
    logic [KEEP_WIDTH-1:0]   i_keep;
    logic                    i_at_b0, i_active, i_trim, i_drop;
    logic [SHW-1:0]          i_sh;
    logic [REASON_WIDTH-1:0] i_reason;
    logic [SB_WIDTH-1:0]     i_sb;
    logic [LEN_WIDTH-1:0]    i_len;
    logic [RSW-1:0]          i_rs;
    logic [CW-1:0]           i_ntail, i_nwin;

    // ---- stage 1: per-frame state of the output side ----
    logic                    started, out_done;
    logic [LEN_WIDTH-1:0]    l_rem;
    logic [RSW-1:0]          l_rs;
    logic [SB_WIDTH-1:0]     o_sb;
    logic [DATA_WIDTH-1:0]   prev_data;
    logic [KEEP_WIDTH-1:0]   prev_keep;
    // pending last beat: flush (emit next cycle) or hold (emit with the input's last beat)
    logic                    pend_v, pend_hold, pend_abort;
    logic [DATA_WIDTH-1:0]   pend_data;
    logic [KEEP_WIDTH-1:0]   pend_keep;

    // ---- output register ----
    logic          int_ready;
    logic          e_valid;
    logic [PW-1:0] e_pack, m_pack;

    logic flush, s1_ready, hs1, hs;
    assign flush         = pend_v && !pend_hold;
    assign s1_ready      = int_ready && !flush;
    assign hs1           = i_valid && s1_ready;
    assign s_axis_tready = !i_valid || s1_ready;
    assign hs            = s_axis_tvalid && s_axis_tready;

    // ---- stage 0 ----
    logic                 at_b0, active;
    logic [SHW-1:0]       sh0;
    logic [CW-1:0]        n_in, tail0, keep_lo;
    assign at_b0  = !latched && (beat == {1'b0, ctl_strip[STRIP_WIDTH-1:SHW]});
    assign active = latched || at_b0;
    assign sh0    = at_b0 ? ctl_strip[SHW-1:0] : l_sh;
    always_comb begin
        n_in = popc(s_axis_tkeep);
        // bytes of this beat at or above the shift: the tail at b0, the window's upper part later
        tail0   = (n_in > CW'(sh0)) ? n_in - CW'(sh0) : '0;
        keep_lo = (n_in < CW'(sh0)) ? n_in : CW'(sh0);
    end

    always_ff @(posedge clk) begin
        if (hs1) i_valid <= 1'b0;
        if (hs) begin
            i_valid  <= 1'b1;
            i_data   <= s_axis_tdata;
            i_keep   <= s_axis_tkeep;
            i_last   <= s_axis_tlast;
            i_user   <= s_axis_tuser;
            i_mark   <= s_mark;
            i_at_b0  <= at_b0;
            i_active <= active;
            i_sh     <= sh0;
            i_trim   <= at_b0 ? ctl_trim : l_trim;
            i_drop   <= at_b0 ? (ctl_reason != '0) : l_drop;
            i_reason <= at_b0 ? ctl_reason : (latched ? l_reason : '0);
            i_sb     <= at_b0 ? ctl_sb : l_sb;
            i_len    <= ctl_len;
            i_rs     <= sat_len(ctl_len);
            i_ntail  <= tail0;
            // the window: the previous beat's bytes from the shift on (a full beat) + keep_lo
            i_nwin   <= CW'(KEEP_WIDTH) - CW'(sh0) + keep_lo;
            if (beat != {BEAT_W{1'b1}}) beat <= beat + 1'b1;
            if (at_b0) begin
                latched  <= 1'b1;
                l_sh     <= ctl_strip[SHW-1:0];
                l_trim   <= ctl_trim;
                l_drop   <= (ctl_reason != '0);
                l_reason <= ctl_reason;
                l_sb     <= ctl_sb;
            end
            if (s_axis_tlast) begin
                beat    <= '0;
                latched <= 1'b0;
            end
        end
        if (rst) begin
            i_valid <= 1'b0;
            beat    <= '0;
            latched <= 1'b0;
        end
    end

    // ---- stage 1: realignment of the registered beat ----
    logic [LEN_WIDTH-1:0] rem;
    logic [RSW-1:0]       rs;
    assign rem = i_at_b0 ? i_len : l_rem;
    assign rs  = i_at_b0 ? i_rs : l_rs;

    logic [DATA_WIDTH-1:0]   win_data, tail_data;
    logic [KEEP_WIDTH-1:0]   win_keep, tail_keep, mask_rem, mask_rem2;
    logic [CW-1:0]           widx;
    always_comb begin
        // window = bytes sh .. sh+KEEP_WIDTH-1 of {registered beat, previous beat}
        for (int i = 0; i < KEEP_WIDTH; i++) begin
            widx = CW'(i) + {1'b0, i_sh};
            if (!widx[SHW]) begin
                win_data[i*8 +: 8] = prev_data[widx[SHW-1:0]*8 +: 8];
                win_keep[i]        = prev_keep[widx[SHW-1:0]];
            end else begin
                win_data[i*8 +: 8] = i_data[widx[SHW-1:0]*8 +: 8];
                win_keep[i]        = i_keep[widx[SHW-1:0]];
            end
        end
        tail_data = i_data >> {i_sh, 3'b000};
        tail_keep = i_keep >> i_sh;
        for (int i = 0; i < KEEP_WIDTH; i++) begin
            mask_rem[i]  = RSW'(i) < rs;
            mask_rem2[i] = RSW'(i + KEEP_WIDTH) < rs;
        end
    end

    // ---- beat decision ----
    logic                  e_last, e_abort;
    logic [DATA_WIDTH-1:0] e_data;
    logic [KEEP_WIDTH-1:0] e_keep;
    logic [SB_WIDTH-1:0]   e_sb;
    logic                  p_set, p_hold, p_abort;
    logic [DATA_WIDTH-1:0] p_data;
    logic [KEEP_WIDTH-1:0] p_keep;
    logic                  rem_step;
    logic                  trunc;
    always_comb begin
        e_valid  = 1'b0;
        e_data   = win_data;
        e_keep   = win_keep;
        e_last   = 1'b0;
        e_abort  = 1'b0;
        e_sb     = i_sb;
        p_set    = 1'b0;
        p_hold   = 1'b0;
        p_data   = tail_data;
        p_keep   = tail_keep;
        p_abort  = 1'b0;
        rem_step = 1'b0;
        trunc    = 1'b0;
        if (flush) begin
            e_valid = int_ready;
            e_data  = pend_data;
            e_keep  = pend_keep;
            e_last  = 1'b1;
            e_abort = pend_abort;
            e_sb    = o_sb;
        end else if (hs1) begin
            if (out_done) begin
                // holding the trimmed last beat until the input frame (padding) ends
                if (i_last && (started || !i_user)) begin
                    e_valid = 1'b1;
                    e_data  = pend_data;
                    e_keep  = pend_keep;
                    e_last  = 1'b1;
                    e_abort = i_user;
                    e_sb    = o_sb;
                end
            end else if (i_active && !i_drop) begin
                if (i_at_b0) begin
                    if (i_last && i_ntail != '0) begin
                        trunc = i_trim && (RSW'(i_ntail) < rs);
                        if (!trunc && !i_user) begin
                            e_valid = 1'b1;
                            e_data  = tail_data;
                            e_keep  = i_trim ? (tail_keep & mask_rem) : tail_keep;
                            e_last  = 1'b1;
                        end
                    end
                end else if (!i_last) begin
                    if (i_trim && rs <= RSW'(KEEP_WIDTH)) begin
                        p_set  = 1'b1;
                        p_hold = 1'b1;
                        p_data = win_data;
                        p_keep = mask_rem;
                    end else begin
                        e_valid  = 1'b1;
                        rem_step = 1'b1;
                    end
                end else if (i_trim && rs <= RSW'(i_nwin)) begin
                    if (started || !i_user) begin
                        e_valid = 1'b1;
                        e_keep  = mask_rem;
                        e_last  = 1'b1;
                        e_abort = i_user;
                    end
                end else if (i_nwin == CW'(KEEP_WIDTH) && i_ntail != '0) begin
                    // rem > KEEP_WIDTH here when trimming (else the branch above took it)
                    trunc = i_trim && (RSW'(i_ntail) + RSW'(KEEP_WIDTH) < rs);
                    if (started || !(trunc || i_user)) begin
                        e_valid = 1'b1;
                        p_set   = 1'b1;
                        p_keep  = i_trim ? (tail_keep & mask_rem2) : tail_keep;
                        p_abort = i_user || trunc;
                    end
                end else begin
                    trunc = i_trim && (RSW'(i_nwin) < rs);
                    if (started || !(trunc || i_user)) begin
                        e_valid = 1'b1;
                        e_last  = 1'b1;
                        e_abort = i_user || trunc;
                    end
                end
            end
        end
    end

    // ---- state update ----
    logic [LEN_WIDTH-1:0] rem_next;
    assign rem_next = rem - KW_LEN;
    always_ff @(posedge clk) begin
        // statistics, one pulse per input frame, a cycle after its last beat is judged
        stat_valid    <= hs1 && i_last;
        stat_reason   <= i_reason;
        stat_short    <= !out_done && (!i_active || (i_at_b0 && i_ntail == '0));
        stat_trunc    <= trunc;
        stat_abort_in <= i_user;
        stat_mark     <= i_mark;

        if (flush && int_ready) pend_v <= 1'b0;
        if (hs1) begin
            prev_data <= i_data;
            prev_keep <= i_keep;
            if (i_active) o_sb <= i_sb;
            if (rem_step) begin
                l_rem <= rem_next;
                l_rs  <= sat_len(rem_next);
            end else if (i_at_b0) begin
                l_rem <= i_len;
                l_rs  <= i_rs;
            end
            if (e_valid) started <= 1'b1;
            if (p_set) begin
                pend_v     <= 1'b1;
                pend_hold  <= p_hold;
                pend_data  <= p_data;
                pend_keep  <= p_keep;
                pend_abort <= p_abort;
                if (p_hold) out_done <= 1'b1;
            end
            if (i_last) begin
                started  <= 1'b0;
                out_done <= 1'b0;
                if (out_done) pend_v <= 1'b0;
            end
        end
        if (rst) begin
            started    <= 1'b0;
            out_done   <= 1'b0;
            pend_v     <= 1'b0;
            stat_valid <= 1'b0;
        end
    end

    assign e_pack = {e_sb, e_abort, e_last, e_keep, e_data};

    axis_skid #(.WIDTH(PW)) out_reg (
        .clk(clk), .rst(rst),
        .s_data(e_pack), .s_valid(e_valid), .s_ready(int_ready),
        .m_data(m_pack), .m_valid(m_axis_tvalid), .m_ready(m_axis_tready)
    );

    assign m_axis_tdata = m_pack[DATA_WIDTH-1:0];
    assign m_axis_tkeep = m_pack[DATA_WIDTH +: KEEP_WIDTH];
    assign m_axis_tlast = m_pack[DATA_WIDTH+KEEP_WIDTH];
    assign m_axis_tuser = m_pack[DATA_WIDTH+KEEP_WIDTH+1];
    assign m_axis_sb    = m_pack[PW-1 -: SB_WIDTH];
endmodule
`default_nettype wire
