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
// Interfaces: s_axis_* / m_axis_* 64-bit AXI-Stream (tuser passed through; m_axis_tuser = 1 on
//             a last beat = abort, the MAC poisons the FCS); cfg_* levels (sampled when a
//             frame is decided; cfg_kill also at the output); stat_tokens; counters.
// Latency:    store-and-forward up to the decision: a frame is held until the beat holding
//             its last checked byte (quantity, TCP payload byte 59; non-orders: the byte that
//             tells them apart), then 1 cycle of classification from the registered fields,
//             5 cycles of checks (capture, DSP partial products, two sums, compare) and the
//             gate and wire-stage registers; then it streams at one beat per cycle.
//             NewOrder without VLAN, IHL 5, 32-byte TCP header (131 bytes, 17 beats): the
//             checked bytes end in beat 15, so the first output beat leaves 24 cycles after
//             the first input beat and the last beat 24 cycles after the last input beat.
// Kill:       cfg_kill drops every frame decided while it is high and, one cycle later, cuts
//             the output at the wire (see the wire stage below); properties proved by
//             scripts/formal_egress.sh.
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

    // the byte-offset arithmetic and the tests assume 8-byte beats
    if (DATA_WIDTH != 64 || KEEP_WIDTH != 8) begin : g_width_check
        $error("egress_gate: only DATA_WIDTH = 64 (KEEP_WIDTH = 8) is supported");
    end

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

    // ---- field capture ----
    // Every byte is captured at an offset held in a register: the fixed Ethernet/IPv4 offsets
    // for both the untagged and the 802.1Q layout, the TCP offset l4_r and the payload offset
    // pay_r, each computed one cycle after the header field it depends on was registered.
    // The bytes those offsets point at always arrive at least one beat later (l4 + 12 >= 46 is
    // two beats after the IPv4 protocol byte, pay + 26 four beats after the TCP data offset),
    // so no capture waits on a chain of offsets within one cycle.
    logic [BEAT_W-1:0] beat;
    logic              first;
    logic [15:0] et_r, et2_r, tmpl_r;
    logic [7:0]  vi14_r, vi18_r, proto23_r, proto27_r, tcpo_r;
    logic [63:0] price_r;
    logic [31:0] qty_r;
    logic [OFF_W:0] end_r;          // bytes of the frame seen so far, last accepted beat included
    logic [OFF_W-1:0] l4_r, pay_r;
    logic [OFF_W:0] need_tcp_r, need_tmpl_r, need_fields_r;
    logic        l4_ok, pay_ok;     // l4_r / pay_r hold this frame's offsets
    logic        ev, last_r;        // a beat was accepted in the previous cycle; it was the last
    assign first = (beat == '0);

    logic [15:0] et_n, et2_n, tmpl_n;
    logic [7:0]  vi14_n, vi18_n, proto23_n, proto27_n, tcpo_n;
    logic [63:0] price_n;
    logic [31:0] qty_n;
    logic [OFF_W-1:0] off, rel_h, rel_p;
    always_comb begin
        et_n = et_r;  et2_n = et2_r;  vi14_n = vi14_r;  vi18_n = vi18_r;
        proto23_n = proto23_r;  proto27_n = proto27_r;  tcpo_n = tcpo_r;
        tmpl_n = tmpl_r;  price_n = price_r;  qty_n = qty_r;
        off = '0;  rel_h = '0;  rel_p = '0;
        for (int j = 0; j < KEEP_WIDTH; j++) begin
            off   = {beat, SHW'(j)};
            rel_h = off - l4_r;
            rel_p = off - pay_r;
            if (off == OFF_W'(12)) et_n[15:8]  = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(13)) et_n[7:0]   = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(16)) et2_n[15:8] = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(17)) et2_n[7:0]  = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(14)) vi14_n      = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(18)) vi18_n      = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(23)) proto23_n   = s_axis_tdata[j*8 +: 8];
            if (off == OFF_W'(27)) proto27_n   = s_axis_tdata[j*8 +: 8];
            if (rel_h == OFF_W'(12)) tcpo_n    = s_axis_tdata[j*8 +: 8];
            if (rel_p == OFF_W'(26)) tmpl_n[7:0]  = s_axis_tdata[j*8 +: 8];
            if (rel_p == OFF_W'(27)) tmpl_n[15:8] = s_axis_tdata[j*8 +: 8];
            for (int k = 0; k < 8; k++)
                if (rel_p == OFF_W'(48 + k)) price_n[k*8 +: 8] = s_axis_tdata[j*8 +: 8];
            for (int k = 0; k < 4; k++)
                if (rel_p == OFF_W'(56 + k)) qty_n[k*8 +: 8] = s_axis_tdata[j*8 +: 8];
        end
    end

    always_ff @(posedge clk) begin
        if (hs) begin
            et_r <= et_n;  et2_r <= et2_n;  vi14_r <= vi14_n;  vi18_r <= vi18_n;
            proto23_r <= proto23_n;  proto27_r <= proto27_n;  tcpo_r <= tcpo_n;
            tmpl_r <= tmpl_n;  price_r <= price_n;  qty_r <= qty_n;
            end_r <= {1'b0, beat, {SHW{1'b0}}} + (OFF_W + 1)'(popc(s_axis_tkeep));
            if (beat != {BEAT_W{1'b1}}) beat <= beat + 1'b1;
            if (s_axis_tlast) beat <= '0;
        end
        ev     <= hs;
        last_r <= hs && s_axis_tlast;
        if (rst) begin
            beat   <= '0;
            ev     <= 1'b0;
            last_r <= 1'b0;
        end
    end

    // ---- classification from the registered fields, one cycle after each beat ----
    logic       vlan;
    logic [7:0] vi, proto;
    logic [OFF_W-1:0] l3;
    logic       have_et, have_ip, have_tcp, have_tmpl, have_fields, is_order_tmpl;
    logic       settled;
    logic [1:0] cls;
    always_comb begin
        vlan        = (et_r == 16'h8100);
        vi          = vlan ? vi18_r : vi14_r;
        proto       = vlan ? proto27_r : proto23_r;
        l3          = vlan ? OFF_W'(18) : OFF_W'(14);
        have_et     = end_r >= (vlan ? (OFF_W + 1)'(18) : (OFF_W + 1)'(14));
        have_ip     = end_r >= (vlan ? (OFF_W + 1)'(28) : (OFF_W + 1)'(24));
        have_tcp    = l4_ok && (end_r >= need_tcp_r);
        have_tmpl   = pay_ok && (end_r >= need_tmpl_r);
        have_fields = pay_ok && (end_r >= need_fields_r);
        is_order_tmpl = (tmpl_r == 16'd110) || (tmpl_r == 16'd111) || (tmpl_r == 16'd120);
        settled = 1'b0;
        cls     = C_OTHER;
        if (!have_et) begin
            settled = 1'b0;
        end else if ((vlan ? et2_r : et_r) != 16'h0800) begin
            settled = 1'b1;                                  // not IPv4
        end else if (!have_ip) begin
            settled = 1'b0;
        end else if (vi[7:4] != 4'd4 || vi[3:0] < 4'd5 || proto != 8'd6) begin
            settled = 1'b1;                                  // not IPv4/TCP
        end else if (!have_tcp) begin
            settled = 1'b0;
        end else if (tcpo_r[7:4] < 4'd5) begin
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

    // offsets for the next beats: from registered fields only
    always_ff @(posedge clk) begin
        l4_r          <= l3 + {{(OFF_W-6){1'b0}}, vi[3:0], 2'b00};
        need_tcp_r    <= {1'b0, l3} + {{(OFF_W-5){1'b0}}, vi[3:0], 2'b00} + (OFF_W + 1)'(13);
        pay_r         <= l4_r + {{(OFF_W-6){1'b0}}, tcpo_r[7:4], 2'b00};
        need_tmpl_r   <= {1'b0, l4_r} + {{(OFF_W-5){1'b0}}, tcpo_r[7:4], 2'b00} + (OFF_W + 1)'(28);
        need_fields_r <= {1'b0, l4_r} + {{(OFF_W-5){1'b0}}, tcpo_r[7:4], 2'b00} + (OFF_W + 1)'(60);
        l4_ok         <= have_ip && !(hs && first);
        pay_ok        <= have_tcp && !(hs && first);
    end

    logic decide, decided;
    assign decide = ev && !decided && (settled || last_r);
    always_ff @(posedge clk) begin
        if (decide) decided <= 1'b1;
        if (last_r) decided <= 1'b0;
        if (rst)    decided <= 1'b0;
    end

    // ---- check pipeline: c1 captures, c2 partial products (DSP), c3/c4 sums, c5 compare ----
    // |price| (at most 2^63) x quantity (1 .. 2^31-1 when it passes the quantity check) is
    // split into 26 x 17-bit unsigned partial products, one DSP48E2 each, registered at the
    // DSP's inputs and outputs; the sums and the compare get a register stage each.
    logic        c1_v, c2_v, c3_v, c4_v, c5_v;
    logic [1:0]  c1_cls, c2_cls, c3_cls, c4_cls, c5_cls;
    logic        c1_qty_bad, c2_qty_bad, c3_qty_bad, c4_qty_bad, c5_qty_bad;
    logic [77:0] c1_price;          // |price|, three 26-bit digits
    logic [33:0] c1_qty;            // quantity[30:0], two 17-bit digits
    logic [6*43-1:0] c2_pp;     // digit i of price x digit j of quantity at (2*i+j)*43
    logic [3*60-1:0] c3_sum;
    logic [95:0] c4_notional;
    logic        c5_over;
    // |price| < 2^64 leaves digit 2 below 2^12, so its sum stays below 2^43
    logic        unused_sum_hi;
    assign unused_sum_hi = ^c3_sum[179:164];

    always_ff @(posedge clk) begin
        c1_v       <= decide;
        c1_cls     <= cls;
        c1_qty_bad <= qty_r[31] || (qty_r == 32'd0) || (qty_r > cfg_max_qty);
        c1_price   <= {14'd0, price_r[63] ? (~price_r + 64'd1) : price_r};
        c1_qty     <= {3'd0, qty_r[30:0]};

        c2_v <= c1_v;  c2_cls <= c1_cls;  c2_qty_bad <= c1_qty_bad;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
                c2_pp[(2*i+j)*43 +: 43] <= c1_price[i*26 +: 26] * c1_qty[j*17 +: 17];

        c3_v <= c2_v;  c3_cls <= c2_cls;  c3_qty_bad <= c2_qty_bad;
        for (int i = 0; i < 3; i++)
            c3_sum[i*60 +: 60] <= {17'd0, c2_pp[(2*i)*43 +: 43]} + {c2_pp[(2*i+1)*43 +: 43], 17'd0};

        c4_v <= c3_v;  c4_cls <= c3_cls;  c4_qty_bad <= c3_qty_bad;
        c4_notional <= {36'd0, c3_sum[0 +: 60]} + {10'd0, c3_sum[60 +: 60], 26'd0}
                     + {c3_sum[120 +: 44], 52'd0};

        c5_v <= c4_v;  c5_cls <= c4_cls;  c5_qty_bad <= c4_qty_bad;
        c5_over <= c4_notional > {32'd0, cfg_max_notional};
        if (rst) begin
            c1_v <= 1'b0;
            c2_v <= 1'b0;
            c3_v <= 1'b0;
            c4_v <= 1'b0;
            c5_v <= 1'b0;
        end
    end

    // ---- token bucket ----
    // The configuration is quasi-static: its derived terms are registered (one cycle late
    // after a write), so the refill compare does not start with a 32-bit subtract.
    logic [15:0] tokens;
    logic [31:0] tb_timer, tb_last;
    logic        tb_on, refill, take;
    always_ff @(posedge clk) begin
        tb_on   <= (cfg_tb_interval != 32'd0);
        tb_last <= cfg_tb_interval - 32'd1;
    end
    assign refill = tb_on && (tb_timer >= tb_last);

    logic dec_v, dec_pass, blk_kill, blk_malf, blk_qty, blk_notional, blk_thr, pass_order, pass_other;
    assign dec_v = c5_v;
    always_comb begin
        blk_kill     = 1'b0;
        blk_malf     = 1'b0;
        blk_qty      = 1'b0;
        blk_notional = 1'b0;
        blk_thr      = 1'b0;
        pass_order   = 1'b0;
        pass_other   = 1'b0;
        if (cfg_kill)                           blk_kill     = 1'b1;
        else if (c5_cls == C_MALFORMED)         blk_malf     = 1'b1;
        else if (c5_cls != C_ORDER)             pass_other   = 1'b1;
        else if (c5_qty_bad)                    blk_qty      = 1'b1;
        else if (c5_over)                       blk_notional = 1'b1;
        else if (tb_on && tokens == 16'd0)      blk_thr      = 1'b1;
        else                                    pass_order   = 1'b1;
        dec_pass = pass_order || pass_other;
        take     = dec_v && pass_order && tb_on;
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
        if (dec_v) begin
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

    logic [DATA_WIDTH-1:0] g_tdata;
    logic [KEEP_WIDTH-1:0] g_tkeep;
    logic                  g_tvalid, g_tready, g_tlast, g_tuser, g_meta;
    axis_frame_gate #(
        .DATA_WIDTH(DATA_WIDTH), .KEEP_WIDTH(KEEP_WIDTH), .USER_WIDTH(1), .META_WIDTH(1),
        .DEPTH(FIFO_DEPTH)
    ) gate (
        .clk(clk), .rst(rst),
        .s_axis_tdata(s_axis_tdata), .s_axis_tkeep(s_axis_tkeep), .s_axis_tvalid(s_axis_tvalid),
        .s_axis_tready(gate_ready), .s_axis_tlast(s_axis_tlast), .s_axis_tuser(s_axis_tuser),
        .dec_valid(dec_v), .dec_pass(dec_pass), .dec_meta(1'b0),
        .m_axis_tdata(g_tdata), .m_axis_tkeep(g_tkeep), .m_axis_tvalid(g_tvalid),
        .m_axis_tready(g_tready), .m_axis_tlast(g_tlast), .m_axis_tuser(g_tuser),
        .m_axis_meta(g_meta)
    );
    // the gate carries no per-frame metadata here
    logic unused_meta;
    assign unused_meta = g_meta;

    // ---- wire stage: the kill switch at the output ----
    // kill_q is cfg_kill one cycle later. While it is high nothing is loaded from the gate and
    // the gate is drained (its frames are discarded, so a frame that has not started never
    // starts). A beat held on the output for the MAC keeps its tdata/tkeep/tvalid (AXI-Stream,
    // stalled) but becomes the aborted end of its frame: tlast = tuser = 1, so the MAC sends it
    // with a bad FCS. A frame that has begun but has no beat on the output is ended by a
    // one-byte aborted beat. From the second cycle of the kill on, the only beat that can still
    // leave is that aborted end, once. After the kill falls, the rest of a gate frame that was
    // being discarded is discarded too.
    logic kill_q, o_in_frame, g_in_frame, discard, discard_r, g_take, o_take, open_after;
    assign discard    = kill_q || (g_in_frame && discard_r);
    assign g_tready   = discard || !m_axis_tvalid || m_axis_tready;
    assign g_take     = g_tvalid && g_tready;
    assign o_take     = m_axis_tvalid && m_axis_tready;
    assign open_after = o_take ? !m_axis_tlast : o_in_frame;

    always_ff @(posedge clk) begin
        kill_q    <= cfg_kill;
        discard_r <= discard;
        if (g_take) g_in_frame <= !g_tlast;
        if (o_take) o_in_frame <= !m_axis_tlast;
        if (m_axis_tvalid && !o_take) begin
            if (kill_q) begin
                m_axis_tlast <= 1'b1;
                m_axis_tuser <= 1'b1;
            end
        end else if (kill_q) begin
            m_axis_tvalid <= open_after;
            m_axis_tdata  <= '0;
            m_axis_tkeep  <= KEEP_WIDTH'(1);
            m_axis_tlast  <= 1'b1;
            m_axis_tuser  <= 1'b1;
        end else if (g_take && !discard) begin
            m_axis_tvalid <= 1'b1;
            m_axis_tdata  <= g_tdata;
            m_axis_tkeep  <= g_tkeep;
            m_axis_tlast  <= g_tlast;
            m_axis_tuser  <= g_tuser;
        end else begin
            m_axis_tvalid <= 1'b0;
        end
        if (rst) begin
            kill_q        <= 1'b0;
            g_in_frame    <= 1'b0;
            discard_r     <= 1'b0;
            o_in_frame    <= 1'b0;
            m_axis_tvalid <= 1'b0;
        end
    end
`ifdef FORMAL
    // ---- properties (scripts/formal_egress.sh: yosys SAT-based bounded model check) ----
    logic       f_init, f_rst1, f_kill1, f_kill2, f_kill3, f_stall1, f_take1;
    logic [DATA_WIDTH-1:0] f_data1;
    logic [KEEP_WIDTH-1:0] f_keep1;
    logic [7:0] f_passed, f_started;   // pass decisions made / frames begun on the wire
    initial f_init = 1'b0;
    always @(posedge clk) begin
        f_init   <= 1'b1;
        f_rst1   <= rst;
        f_kill1  <= cfg_kill;
        f_kill2  <= f_kill1;
        f_kill3  <= f_kill2;
        f_stall1 <= m_axis_tvalid && !m_axis_tready;
        f_take1  <= o_take;
        f_data1  <= m_axis_tdata;
        f_keep1  <= m_axis_tkeep;
        if (dec_v && dec_pass) f_passed <= f_passed + 1'b1;
        if (o_take && !o_in_frame) f_started <= f_started + 1'b1;
        if (rst) begin
            f_passed  <= '0;
            f_started <= '0;
        end
    end
    always @(*) begin
        if (!f_init) assume(rst);
        // kill high for the last 2 cycles: only the aborted end of a cut frame may be shown
        if (f_init && !f_rst1 && f_kill1 && f_kill2 && m_axis_tvalid)
            assert(m_axis_tlast && m_axis_tuser);
        // ... and only once: after it has left, nothing more while the kill stays
        if (f_init && !f_rst1 && f_kill1 && f_kill2 && f_kill3 && f_take1)
            assert(!m_axis_tvalid);
        // no frame decided while the kill is high passes; every frame on the wire was passed
        if (!rst && dec_v && dec_pass) assert(!cfg_kill);
        if (f_init && !rst) assert(f_started <= f_passed);
        // stalled output holds still
        if (f_init && !f_rst1 && f_stall1)
            assert(m_axis_tvalid && m_axis_tdata == f_data1 && m_axis_tkeep == f_keep1);
    end
`endif
endmodule
`default_nettype wire
