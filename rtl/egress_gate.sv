// egress_gate — last-line hardware risk gate on outgoing order-entry frames.
//
// What:       inspects every frame of the order stream (Ethernet II, optional 802.1Q tag,
//             IPv4 with options, TCP with options) carrying Coinbase Derivatives Orders SBE:
//             32-byte message header (TemplateId uint16 LE at header byte 26), then the body.
//             Order messages are templates 110 NewOrder, 111 NewIocOrder and 120 ReplaceOrder,
//             which all carry the limit price (int64 LE, x 1e-9) at body+16 and the quantity
//             (int32 LE) at body+24. The host sends one SBE message per TCP segment, so the
//             message starts at the first TCP payload byte.
//             Checks, in this order; the first failure drops the frame and counts it:
//               kill       cfg_kill = 1: every frame is dropped (orders, cancels, session
//                          messages, anything) — the session goes silent and the exchange's
//                          cancel-on-disconnect takes over
//               malformed  an order template whose price/quantity run past the frame end
//               qty        quantity <= 0 or > cfg_max_qty
//               notional   |price_raw| * quantity > cfg_max_notional. price_raw is the wire
//                          price (1e-9 units), so cfg_max_notional is in 1e-9 units of the
//                          quote currency per unit of quantity (contract multiplier 1): a
//                          10,000 USD ceiling is 10_000 * 10^9. The product is exact (96 bits).
//               throttle   token bucket empty: cfg_tb_burst tokens at most, one token added
//                          every cfg_tb_interval cycles (cfg_tb_interval = 0 disables the
//                          throttle); every order that passes the other checks takes a token.
//             Frames that are not orders (cancels, session messages, pure TCP ACKs, ARP...)
//             pass unless the kill switch is on.
// Interfaces: s_axis_* / m_axis_* 64-bit AXI-Stream (tuser passed through); cfg_* levels
//             (sampled when a frame is decided); stat_tokens; counters.
// Latency:    store-and-forward up to the decision: a frame is held until the beat holding
//             its last checked byte (quantity, TCP payload byte 59; non-orders: the byte that
//             tells them apart) plus 3 cycles of checks, then streams at one beat per cycle.
//             NewOrder without VLAN, IHL 5, 32-byte TCP header (131 bytes, 17 beats): the
//             checked bytes end in beat 15, so the first output beat leaves 19 cycles after
//             the first input beat and the last beat 19 cycles after the last input beat.
`default_nettype none
module egress_gate #(
    parameter int DATA_WIDTH = 64,
    parameter int KEEP_WIDTH = DATA_WIDTH / 8,
    parameter int FIFO_DEPTH = 32,
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

    input  wire logic                  cfg_kill,
    input  wire logic [31:0]           cfg_max_qty,
    input  wire logic [63:0]           cfg_max_notional,
    input  wire logic [15:0]           cfg_tb_burst,
    input  wire logic [31:0]           cfg_tb_interval,
    output logic [15:0]                stat_tokens,

    output logic [CNT_WIDTH-1:0]       cnt_pass_order,
    output logic [CNT_WIDTH-1:0]       cnt_pass_other,
    output logic [CNT_WIDTH-1:0]       cnt_blk_kill,
    output logic [CNT_WIDTH-1:0]       cnt_blk_malformed,
    output logic [CNT_WIDTH-1:0]       cnt_blk_qty,
    output logic [CNT_WIDTH-1:0]       cnt_blk_notional,
    output logic [CNT_WIDTH-1:0]       cnt_blk_throttle
);
    localparam int SHW    = $clog2(KEEP_WIDTH);
    localparam int CW     = SHW + 1;
    localparam int BEAT_W = 5;
    localparam int OFF_W  = BEAT_W + SHW;   // byte offsets inside the first 2^OFF_W bytes

    localparam logic [1:0] C_OTHER = 2'd0, C_ORDER = 2'd1, C_MALFORMED = 2'd2;

    function automatic logic [CW-1:0] popc(input logic [KEEP_WIDTH-1:0] k);
        logic [CW-1:0] c;
        c = '0;
        for (int i = 0; i < KEEP_WIDTH; i++) c = c + CW'(k[i]);
        popc = c;
    endfunction

    logic gate_ready, hs;
    assign s_axis_tready = gate_ready;
    assign hs = s_axis_tvalid && gate_ready;

    logic [BEAT_W-1:0] beat;
    logic              decided;

    // ---- field capture: _r registered, _n including the current beat ----
    logic [15:0] et_r, et_n, et2_r, et2_n, tmpl_r, tmpl_n;
    logic [7:0]  vi_r, vi_n, proto_r, proto_n, tcpo_r, tcpo_n;
    logic [63:0] price_r, price_n;
    logic [31:0] qty_r, qty_n;
    logic [OFF_W-1:0] off, rel_l, rel_h, rel_p, l3, l4, pay;
    logic [OFF_W:0]   end_off;   // bytes of the frame seen so far, current beat included
    logic        vlan;

    always_comb begin
        et_n = et_r;  et2_n = et2_r;  vi_n = vi_r;  proto_n = proto_r;  tcpo_n = tcpo_r;
        tmpl_n = tmpl_r;  price_n = price_r;  qty_n = qty_r;
        off = '0;  rel_l = '0;  rel_h = '0;  rel_p = '0;
        end_off = {1'b0, beat, {SHW{1'b0}}} + (OFF_W + 1)'(popc(s_axis_tkeep));
        for (int j = 0; j < KEEP_WIDTH; j++) begin
            off = {beat, SHW'(j)};
            if (off == OFF_W'(12)) et_n[15:8]  = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(13)) et_n[7:0]   = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(16)) et2_n[15:8] = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(17)) et2_n[7:0]  = s_axis_tdata[j*8 +: 8];
        end
        vlan = (et_n == 16'h8100);
        l3   = vlan ? OFF_W'(18) : OFF_W'(14);
        for (int j = 0; j < KEEP_WIDTH; j++) begin
            off   = {beat, SHW'(j)};
            rel_l = off - l3;
            if (rel_l == OFF_W'(0)) vi_n    = s_axis_tdata[j*8 +: 8];
            if (rel_l == OFF_W'(9)) proto_n = s_axis_tdata[j*8 +: 8];
        end
        l4 = l3 + {{(OFF_W-6){1'b0}}, vi_n[3:0], 2'b00};
        for (int j = 0; j < KEEP_WIDTH; j++) begin
            off   = {beat, SHW'(j)};
            rel_h = off - l4;
            if (rel_h == OFF_W'(12)) tcpo_n = s_axis_tdata[j*8 +: 8];
        end
        pay = l4 + {{(OFF_W-6){1'b0}}, tcpo_n[7:4], 2'b00};
        for (int j = 0; j < KEEP_WIDTH; j++) begin
            off   = {beat, SHW'(j)};
            rel_p = off - pay;
            if (rel_p == OFF_W'(26)) tmpl_n[7:0]  = s_axis_tdata[j*8 +: 8];
            if (rel_p == OFF_W'(27)) tmpl_n[15:8] = s_axis_tdata[j*8 +: 8];
            for (int k = 0; k < 8; k++)
                if (rel_p == OFF_W'(48 + k)) price_n[k*8 +: 8] = s_axis_tdata[j*8 +: 8];
            for (int k = 0; k < 4; k++)
                if (rel_p == OFF_W'(56 + k)) qty_n[k*8 +: 8] = s_axis_tdata[j*8 +: 8];
        end
    end

    // ---- classification: decide on the first beat that settles it, or at the frame end ----
    logic       have_et, have_ip, have_tcp, have_tmpl, have_fields, is_order_tmpl;
    logic       settled;
    logic [1:0] cls;
    logic [OFF_W:0] need_et, need_ip, need_tcp, need_tmpl, need_fields;
    always_comb begin
        need_et     = vlan ? (OFF_W + 1)'(18) : (OFF_W + 1)'(14);
        need_ip     = {1'b0, l3} + (OFF_W + 1)'(10);
        need_tcp    = {1'b0, l4} + (OFF_W + 1)'(13);
        need_tmpl   = {1'b0, pay} + (OFF_W + 1)'(28);
        need_fields = {1'b0, pay} + (OFF_W + 1)'(60);
        have_et     = end_off >= need_et;
        have_ip     = end_off >= need_ip;
        have_tcp    = end_off >= need_tcp;
        have_tmpl   = end_off >= need_tmpl;
        have_fields = end_off >= need_fields;
        is_order_tmpl = (tmpl_n == 16'd110) || (tmpl_n == 16'd111) || (tmpl_n == 16'd120);
        settled = 1'b0;
        cls     = C_OTHER;
        if (!have_et) begin
            settled = 1'b0;
        end else if ((vlan ? et2_n : et_n) != 16'h0800) begin
            settled = 1'b1;                                  // not IPv4
        end else if (!have_ip) begin
            settled = 1'b0;
        end else if (vi_n[7:4] != 4'd4 || vi_n[3:0] < 4'd5 || proto_n != 8'd6) begin
            settled = 1'b1;                                  // not IPv4/TCP
        end else if (!have_tcp) begin
            settled = 1'b0;
        end else if (tcpo_n[7:4] < 4'd5) begin
            settled = 1'b1;                                  // not a usable TCP header
        end else if (!have_tmpl) begin
            settled = 1'b0;
        end else if (!is_order_tmpl) begin
            settled = 1'b1;                                  // a message but not an order
        end else if (!have_fields) begin
            settled = 1'b0;
            cls     = C_MALFORMED;                           // if the frame ends here
        end else begin
            settled = 1'b1;
            cls     = C_ORDER;
        end
    end

    logic decide;
    assign decide = hs && !decided && (settled || s_axis_tlast);

    always_ff @(posedge clk) begin
        if (hs) begin
            et_r <= et_n;  et2_r <= et2_n;  vi_r <= vi_n;  proto_r <= proto_n;
            tcpo_r <= tcpo_n;  tmpl_r <= tmpl_n;  price_r <= price_n;  qty_r <= qty_n;
            if (beat != {BEAT_W{1'b1}}) beat <= beat + 1'b1;
            if (decide) decided <= 1'b1;
            if (s_axis_tlast) begin
                beat    <= '0;
                decided <= 1'b0;
            end
        end
        if (rst) begin
            beat    <= '0;
            decided <= 1'b0;
        end
    end

    // ---- check pipeline: s1 captures, s2 multiplies, s3 decides ----
    logic        p1_v, p2_v;
    logic [1:0]  p1_cls, p2_cls;
    logic [63:0] p1_price_abs;
    logic [31:0] p1_qty;
    logic        p2_qty_bad;
    logic [95:0] p2_notional;

    always_ff @(posedge clk) begin
        p1_v <= decide;
        if (decide) begin
            p1_cls       <= cls;
            p1_qty       <= qty_n;
            p1_price_abs <= price_n[63] ? (~price_n + 64'd1) : price_n;
        end
        p2_v <= p1_v;
        if (p1_v) begin
            p2_cls      <= p1_cls;
            p2_qty_bad  <= p1_qty[31] || (p1_qty == 32'd0) || (p1_qty > cfg_max_qty);
            p2_notional <= {32'd0, p1_price_abs} * {64'd0, p1_qty};
        end
        if (rst) begin
            p1_v <= 1'b0;
            p2_v <= 1'b0;
        end
    end

    // ---- token bucket ----
    logic [15:0] tokens;
    logic [31:0] tb_timer;
    logic        tb_on, refill, take;
    assign tb_on  = (cfg_tb_interval != 32'd0);
    assign refill = tb_on && (tb_timer >= cfg_tb_interval - 32'd1);

    logic dec_pass, blk_kill, blk_malf, blk_qty, blk_notional, blk_thr, pass_order, pass_other;
    always_comb begin
        blk_kill     = 1'b0;
        blk_malf     = 1'b0;
        blk_qty      = 1'b0;
        blk_notional = 1'b0;
        blk_thr      = 1'b0;
        pass_order   = 1'b0;
        pass_other   = 1'b0;
        if (cfg_kill)                                          blk_kill     = 1'b1;
        else if (p2_cls == C_MALFORMED)                        blk_malf     = 1'b1;
        else if (p2_cls != C_ORDER)                            pass_other   = 1'b1;
        else if (p2_qty_bad)                                   blk_qty      = 1'b1;
        else if (p2_notional > {32'd0, cfg_max_notional})      blk_notional = 1'b1;
        else if (tb_on && tokens == 16'd0)                     blk_thr      = 1'b1;
        else                                                   pass_order   = 1'b1;
        dec_pass = pass_order || pass_other;
        take     = p2_v && pass_order && tb_on;
    end
    assign stat_tokens = tokens;

    logic [16:0] tok_next;
    always_comb begin
        tok_next = {1'b0, tokens};
        if (refill && tokens < cfg_tb_burst) tok_next = tok_next + 17'd1;
        if (take) tok_next = tok_next - 17'd1;
        if (tok_next > {1'b0, cfg_tb_burst}) tok_next = {1'b0, cfg_tb_burst};
    end

    always_ff @(posedge clk) begin
        tb_timer <= refill || !tb_on ? 32'd0 : tb_timer + 32'd1;
        tokens   <= tok_next[15:0];
        if (p2_v) begin
            if (blk_kill)     cnt_blk_kill      <= cnt_blk_kill + 1'b1;
            if (blk_malf)     cnt_blk_malformed <= cnt_blk_malformed + 1'b1;
            if (blk_qty)      cnt_blk_qty       <= cnt_blk_qty + 1'b1;
            if (blk_notional) cnt_blk_notional  <= cnt_blk_notional + 1'b1;
            if (blk_thr)      cnt_blk_throttle  <= cnt_blk_throttle + 1'b1;
            if (pass_order)   cnt_pass_order    <= cnt_pass_order + 1'b1;
            if (pass_other)   cnt_pass_other    <= cnt_pass_other + 1'b1;
        end
        if (rst) begin
            tb_timer          <= '0;
            tokens            <= cfg_tb_burst;
            cnt_blk_kill      <= '0;
            cnt_blk_malformed <= '0;
            cnt_blk_qty       <= '0;
            cnt_blk_notional  <= '0;
            cnt_blk_throttle  <= '0;
            cnt_pass_order    <= '0;
            cnt_pass_other    <= '0;
        end
    end

    logic m_meta;
    axis_frame_gate #(
        .DATA_WIDTH(DATA_WIDTH), .KEEP_WIDTH(KEEP_WIDTH), .USER_WIDTH(1), .META_WIDTH(1),
        .DEPTH(FIFO_DEPTH)
    ) gate (
        .clk(clk), .rst(rst),
        .s_axis_tdata(s_axis_tdata), .s_axis_tkeep(s_axis_tkeep), .s_axis_tvalid(s_axis_tvalid),
        .s_axis_tready(gate_ready), .s_axis_tlast(s_axis_tlast), .s_axis_tuser(s_axis_tuser),
        .dec_valid(p2_v), .dec_pass(dec_pass), .dec_meta(1'b0),
        .m_axis_tdata(m_axis_tdata), .m_axis_tkeep(m_axis_tkeep), .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready), .m_axis_tlast(m_axis_tlast), .m_axis_tuser(m_axis_tuser),
        .m_axis_meta(m_meta)
    );
    // the gate carries no per-frame metadata here
    logic unused_meta;
    assign unused_meta = m_meta;
endmodule
`default_nettype wire
