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
//             the frame, constant for all its beats) out; stat_* pulses once per input frame,
//             on its last beat, for the parser's counters.
// Latency:    output beat k is presented 1 cycle after input beat b0+k+1 is accepted (the
//             block looks one beat ahead to know where the frame ends). When the frame's
//             remaining bytes spill into one more output beat, one extra (flush) cycle is
//             spent with s_axis_tready low.
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
    output logic                         stat_abort_in
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

    // ---- per-frame state ----
    logic [BEAT_W-1:0]       beat;
    logic                    latched, started, out_done;
    logic [SHW-1:0]          l_sh;
    logic                    l_trim, l_drop;
    logic [LEN_WIDTH-1:0]    l_rem;
    logic [REASON_WIDTH-1:0] l_reason;
    logic [SB_WIDTH-1:0]     l_sb;
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

    logic flush;
    assign flush         = pend_v && !pend_hold;
    assign s_axis_tready = int_ready && !flush;

    logic hs;
    assign hs = s_axis_tvalid && s_axis_tready;

    logic at_b0, active;
    assign at_b0  = !latched && (beat == {1'b0, ctl_strip[STRIP_WIDTH-1:SHW]});
    assign active = latched || at_b0;

    logic [SHW-1:0]       sh;
    logic                 trim, drop;
    logic [LEN_WIDTH-1:0] rem;
    logic [SB_WIDTH-1:0]  sb;
    assign sh   = at_b0 ? ctl_strip[SHW-1:0] : l_sh;
    assign trim = at_b0 ? ctl_trim : l_trim;
    assign rem  = at_b0 ? ctl_len : l_rem;
    assign drop = at_b0 ? (ctl_reason != '0) : l_drop;
    assign sb   = at_b0 ? ctl_sb : l_sb;

    logic [DATA_WIDTH-1:0]   win_data, tail_data;
    logic [KEEP_WIDTH-1:0]   win_keep, tail_keep, mask_rem, mask_rem2;
    logic [CW-1:0]           n_win, n_tail;
    logic [CW-1:0]           widx;
    always_comb begin
        // window = bytes sh .. sh+KEEP_WIDTH-1 of {current beat, previous beat}
        for (int i = 0; i < KEEP_WIDTH; i++) begin
            widx = CW'(i) + {1'b0, sh};
            if (!widx[SHW]) begin
                win_data[i*8 +: 8] = prev_data[widx[SHW-1:0]*8 +: 8];
                win_keep[i]        = prev_keep[widx[SHW-1:0]];
            end else begin
                win_data[i*8 +: 8] = s_axis_tdata[widx[SHW-1:0]*8 +: 8];
                win_keep[i]        = s_axis_tkeep[widx[SHW-1:0]];
            end
        end
        tail_data = s_axis_tdata >> {sh, 3'b000};
        tail_keep = s_axis_tkeep >> sh;
        n_win     = popc(win_keep);
        n_tail    = popc(tail_keep);
        for (int i = 0; i < KEEP_WIDTH; i++) begin
            mask_rem[i]  = LEN_WIDTH'(i) < rem;
            mask_rem2[i] = LEN_WIDTH'(i + KEEP_WIDTH) < rem;
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
    logic [LEN_WIDTH-1:0]  rem_next;
    logic                  trunc;
    always_comb begin
        e_valid  = 1'b0;
        e_data   = win_data;
        e_keep   = win_keep;
        e_last   = 1'b0;
        e_abort  = 1'b0;
        e_sb     = sb;
        p_set    = 1'b0;
        p_hold   = 1'b0;
        p_data   = tail_data;
        p_keep   = tail_keep;
        p_abort  = 1'b0;
        rem_next = rem;
        trunc    = 1'b0;
        if (flush) begin
            e_valid = int_ready;
            e_data  = pend_data;
            e_keep  = pend_keep;
            e_last  = 1'b1;
            e_abort = pend_abort;
            e_sb    = l_sb;
        end else if (hs) begin
            if (out_done) begin
                // holding the trimmed last beat until the input frame (padding) ends
                if (s_axis_tlast && (started || !s_axis_tuser)) begin
                    e_valid = 1'b1;
                    e_data  = pend_data;
                    e_keep  = pend_keep;
                    e_last  = 1'b1;
                    e_abort = s_axis_tuser;
                    e_sb    = l_sb;
                end
            end else if (active && !drop) begin
                if (at_b0) begin
                    if (s_axis_tlast && n_tail != '0) begin
                        trunc = trim && (LEN_WIDTH'(n_tail) < rem);
                        if (!trunc && !s_axis_tuser) begin
                            e_valid = 1'b1;
                            e_data  = tail_data;
                            e_keep  = trim ? (tail_keep & mask_rem) : tail_keep;
                            e_last  = 1'b1;
                        end
                    end
                end else if (!s_axis_tlast) begin
                    if (trim && rem <= KW_LEN) begin
                        p_set  = 1'b1;
                        p_hold = 1'b1;
                        p_data = win_data;
                        p_keep = mask_rem;
                    end else begin
                        e_valid  = 1'b1;
                        rem_next = rem - KW_LEN;
                    end
                end else if (trim && rem <= LEN_WIDTH'(n_win)) begin
                    if (started || !s_axis_tuser) begin
                        e_valid = 1'b1;
                        e_keep  = mask_rem;
                        e_last  = 1'b1;
                        e_abort = s_axis_tuser;
                    end
                end else if (n_win == CW'(KEEP_WIDTH) && n_tail != '0) begin
                    trunc = trim && (LEN_WIDTH'(n_tail) < rem - KW_LEN);
                    if (started || !(trunc || s_axis_tuser)) begin
                        e_valid = 1'b1;
                        p_set   = 1'b1;
                        p_keep  = trim ? (tail_keep & mask_rem2) : tail_keep;
                        p_abort = s_axis_tuser || trunc;
                    end
                end else begin
                    trunc = trim && (LEN_WIDTH'(n_win) < rem);
                    if (started || !(trunc || s_axis_tuser)) begin
                        e_valid = 1'b1;
                        e_last  = 1'b1;
                        e_abort = s_axis_tuser || trunc;
                    end
                end
            end
        end
    end

    // ---- statistics (one pulse per input frame) ----
    always_comb begin
        stat_valid    = hs && s_axis_tlast;
        stat_reason   = at_b0 ? ctl_reason : (latched ? l_reason : '0);
        stat_short    = !out_done && (!active || (at_b0 && n_tail == '0));
        stat_trunc    = trunc;
        stat_abort_in = s_axis_tuser;
    end

    // ---- state update ----
    always_ff @(posedge clk) begin
        if (flush && int_ready) pend_v <= 1'b0;
        if (hs) begin
            prev_data <= s_axis_tdata;
            prev_keep <= s_axis_tkeep;
            if (beat != {BEAT_W{1'b1}}) beat <= beat + 1'b1;
            if (at_b0) begin
                latched  <= 1'b1;
                l_sh     <= ctl_strip[SHW-1:0];
                l_trim   <= ctl_trim;
                l_drop   <= (ctl_reason != '0);
                l_reason <= ctl_reason;
                l_sb     <= ctl_sb;
            end
            if (active) l_rem <= rem_next;
            if (e_valid) started <= 1'b1;
            if (p_set) begin
                pend_v     <= 1'b1;
                pend_hold  <= p_hold;
                pend_data  <= p_data;
                pend_keep  <= p_keep;
                pend_abort <= p_abort;
                if (p_hold) out_done <= 1'b1;
            end
            if (s_axis_tlast) begin
                beat     <= '0;
                latched  <= 1'b0;
                started  <= 1'b0;
                out_done <= 1'b0;
                if (out_done) pend_v <= 1'b0;
            end
        end
        if (rst) begin
            beat     <= '0;
            latched  <= 1'b0;
            started  <= 1'b0;
            out_done <= 1'b0;
            pend_v   <= 1'b0;
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
