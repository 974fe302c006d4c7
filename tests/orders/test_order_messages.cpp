// Typed order-entry messages (host/orders/order_messages.hpp): encode → read_message → decode
// gives back every field; every field sits where the layout table of core/orders_schema.hpp puts
// it (checked with the generic read_field, by name); real v1.4 captures decode to their expected
// values; and the session's own NewOrder bytes decode identically through `perpwire decode`.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "host/io/pcap_source.hpp"
#include "host/orders/order_messages.hpp"
#include "host/orders/order_session.hpp"
#include "tests/decode/capture_helpers.hpp"
#include "tests/decode/damageable_frame.hpp"

using namespace pw;
using namespace pw::oe;

namespace {

// One field as the test expects it: a number (read with read_field) or a text.
struct Want {
  std::string name;
  std::variant<int64_t, std::string> value;
  bool operator==(const Want& o) const { return name == o.name && value == o.value; }
};
using Wants = std::vector<Want>;

template <size_t N>
std::string s(const FixedText<N>& t) { return std::string(t.view()); }

// The fields of each message by their layout names — written out here independently of the
// typed encoders, so that a field written at the wrong place or width shows up.
Wants fields(const Heartbeat& m) { return {{"correlation_id", m.correlation_id}}; }
Wants fields(const TestRequest& m) { return {{"correlation_id", m.correlation_id}}; }
Wants fields(const Logon& m) {
  return {{"username", s(m.username)}, {"password", s(m.password)}, {"reset_seq_num", (int64_t)m.reset_seq_num}};
}
Wants fields(const Logout& m) { return {{"reason", s(m.reason)}}; }
Wants fields(const LoggedOut& m) { return {{"reason", s(m.reason)}}; }
Wants fields(const ResendRequest& m) {
  return {{"from_sequence_number", (int64_t)m.from_sequence_number}, {"to_sequence_number", (int64_t)m.to_sequence_number}};
}
Wants fields(const LogonConf& m) { return {{"heartbeat_interval_seconds", (int64_t)m.heartbeat_interval_seconds}}; }
Wants fields(const GapFill& m) { return {{"new_sequence_number", (int64_t)m.new_sequence_number}, {"gap_fill_padding", (int64_t)0}}; }
Wants fields(const NewOrder& m) {
  return {{"client_order_id", m.client_order_id}, {"correlation_id", m.correlation_id}, {"limit_price", m.limit_price},
          {"quantity", (int64_t)m.quantity},       {"instrument_id", (int64_t)m.instrument_id}, {"side", (int64_t)m.side},
          {"order_flags", (int64_t)m.order_flags}, {"good_til_date", (int64_t)m.good_til_date}};
}
Wants fields(const ReplaceOrder& m) {
  return {{"client_order_id", m.client_order_id},       {"correlation_id", m.correlation_id},
          {"new_limit_price", m.new_limit_price},       {"new_quantity", (int64_t)m.new_quantity},
          {"instrument_id", (int64_t)m.instrument_id},  {"good_til_date", (int64_t)m.good_til_date},
          {"time_in_force", (int64_t)m.time_in_force}};
}
Wants fields(const CancelOrder& m) {
  return {{"client_order_id", m.client_order_id}, {"correlation_id", m.correlation_id}, {"instrument_id", (int64_t)m.instrument_id}};
}
Wants fields(const MassCancelOrder& m) {
  return {{"correlation_id", m.correlation_id},     {"limit_price", m.limit_price},
          {"instrument_id", (int64_t)m.instrument_id}, {"side", (int64_t)m.side},
          {"current_session_only", (int64_t)m.current_session_only}, {"request_trading_lock", (int64_t)m.request_trading_lock}};
}
Wants fields(const OrderEntered& m) {
  return {{"timestamp", m.timestamp}, {"exec_id", m.exec_id}, {"client_order_id", m.client_order_id},
          {"correlation_id", m.correlation_id}, {"order_id", m.order_id}, {"receive_time", m.receive_time}};
}
Wants fields(const OrderReplaced& m) {
  return {{"timestamp", m.timestamp},     {"exec_id", m.exec_id},
          {"client_order_id", m.client_order_id}, {"correlation_id", m.correlation_id},
          {"order_id", m.order_id},       {"receive_time", m.receive_time},
          {"total_filled", (int64_t)m.total_filled}, {"available_qty", (int64_t)m.available_qty},
          {"instrument_id", (int64_t)m.instrument_id}};
}
Wants fields(const OrderReject& m) {
  return {{"timestamp", m.timestamp},          {"client_order_id", m.client_order_id},
          {"correlation_id", m.correlation_id}, {"order_id_optional", m.order_id_optional},
          {"order_reject_reason", (int64_t)m.order_reject_reason}, {"order_reject_details", s(m.order_reject_details)}};
}
Wants fields(const OrderCanceled& m) {
  return {{"timestamp", m.timestamp},     {"exec_id", m.exec_id},
          {"client_order_id", m.client_order_id}, {"correlation_id", m.correlation_id},
          {"order_id", m.order_id},       {"receive_time", m.receive_time},
          {"total_filled", (int64_t)m.total_filled}, {"instrument_id", (int64_t)m.instrument_id},
          {"cancel_reason", (int64_t)m.cancel_reason}};
}
Wants fields(const OrderFilled& m) {
  return {{"timestamp", m.timestamp},     {"exec_id", m.exec_id},
          {"match_id", m.match_id},       {"client_order_id", m.client_order_id},
          {"correlation_id", m.correlation_id}, {"order_id", m.order_id},
          {"filled_vwap", m.filled_vwap}, {"total_filled", (int64_t)m.total_filled},
          {"available_qty", (int64_t)m.available_qty}, {"fill_price", m.fill_price},
          {"fill_qty", (int64_t)m.fill_qty}, {"instrument_id", (int64_t)m.instrument_id},
          {"is_aggressor", (int64_t)m.is_aggressor}};
}
Wants fields(const MassCancelOrderAck& m) {
  return {{"timestamp", m.timestamp},       {"exec_id", m.exec_id},
          {"correlation_id", m.correlation_id}, {"canceled_count", (int64_t)m.canceled_count},
          {"only_current_session", (int64_t)m.only_current_session}, {"trading_lock_applied", (int64_t)m.trading_lock_applied}};
}
Wants fields(const MassCancelOrderReject& m) {
  return {{"timestamp", m.timestamp}, {"correlation_id", m.correlation_id}, {"error_message", s(m.error_message)}};
}
Wants fields(const CancelOrderReject& m) {
  return {{"timestamp", m.timestamp},          {"client_order_id", m.client_order_id},
          {"correlation_id", m.correlation_id}, {"order_id_optional", m.order_id_optional},
          {"cancel_order_reject_reason", (int64_t)m.cancel_order_reject_reason},
          {"cancel_order_reject_details", s(m.cancel_order_reject_details)}};
}

std::mt19937_64 rng(0x0e0e0001);
int64_t r64() { return (int64_t)rng(); }
int32_t r32() { return (int32_t)rng(); }
uint32_t ru32() { return (uint32_t)rng(); }
int8_t rside() { return (rng() & 1) ? 1 : -1; }
bool rbool() { return (rng() & 1) != 0; }
template <size_t N>
FixedText<N> rtext() {
  std::string t;
  const size_t n = rng() % (N + 1);  // empty and full width included
  for (size_t i = 0; i < n; ++i) t += (char)('a' + rng() % 26);
  return FixedText<N>(t);
}

const FieldDef* field_by_name(const TemplateDef& t, const std::string& name) {
  for (uint8_t i = 0; i < t.field_count; ++i)
    if (name == t.fields[i].name) return &t.fields[i];
  return nullptr;
}

// Encodes `msg`, reads it back, and checks header, typed decode, and every field against the table.
template <typename T>
void round_trip(const T& msg) {
  CAPTURE(T::kLayout.name);
  uint8_t buf[kMaxMessageSize];
  const SendHeader h{ru32(), ru32(), r64(), (uint8_t)(rng() & 1)};
  const size_t n = encode(buf, sizeof buf, h, msg);
  REQUIRE(n == orders::kHeaderSize + T::kLayout.block_length);
  CHECK(encode(buf, n - 1, h, msg) == 0);  // too small a buffer is refused, not overrun

  size_t pos = 0;
  orders::Message m{};
  orders::DecodeFault f{};
  REQUIRE(orders::read_message(buf, n, pos, m, f) == orders::Step::message);
  CHECK(pos == n);
  CHECK(m.protocol_id == orders::kProtocolId);
  CHECK(m.flags == h.flags);
  CHECK(m.sequence_number == h.sequence_number);
  CHECK(m.last_processed_seq_no == h.last_processed_seq_no);
  CHECK(m.send_time == h.send_time);
  CHECK(m.template_id == T::kLayout.id);
  CHECK(m.schema_id == T::kSchema);
  CHECK(m.version == (T::kSchema == orders::kSessionSchemaId ? orders::kSessionVersion : orders::kApplicationVersion));

  T back;
  REQUIRE(decode(m, back));
  CHECK(fields(back) == fields(msg));

  const Wants want = fields(msg);
  CHECK(want.size() == T::kLayout.field_count);
  for (const Want& w : want) {
    CAPTURE(w.name);
    const FieldDef* fd = field_by_name(T::kLayout, w.name);
    REQUIRE(fd != nullptr);
    if (std::holds_alternative<std::string>(w.value)) {
      const std::string& t = std::get<std::string>(w.value);
      CHECK(text_length(m.body, *fd) == t.size());
      CHECK(std::string(reinterpret_cast<const char*>(m.body + fd->offset), t.size()) == t);
    } else {
      CHECK(read_field(m.body, *fd) == std::get<int64_t>(w.value));
    }
  }
}

}  // namespace

TEST_CASE("every typed message survives encode → read_message → decode, at the table's offsets") {
  for (int i = 0; i < 200; ++i) {
    round_trip(Heartbeat{r64()});
    round_trip(TestRequest{r64()});
    Logon lg;
    lg.username = rtext<16>();
    lg.password = rtext<32>();
    lg.reset_seq_num = rbool();
    round_trip(lg);
    Logout lo;
    lo.reason = rtext<64>();
    round_trip(lo);
    LoggedOut ld;
    ld.reason = rtext<64>();
    round_trip(ld);
    round_trip(ResendRequest{ru32(), ru32()});
    round_trip(LogonConf{r32()});
    round_trip(GapFill{ru32()});
    round_trip(NewOrder{r64(), r64(), r64(), r32(), r32(), rside(), (uint8_t)rng(), (uint16_t)rng()});
    round_trip(ReplaceOrder{r64(), r64(), r64(), r32(), r32(), (uint16_t)rng(), (int8_t)(rng() & 1)});
    round_trip(CancelOrder{r64(), r64(), r32()});
    round_trip(MassCancelOrder{r64(), r64(), r32(), rside(), rbool(), rbool()});
    round_trip(OrderEntered{r64(), r64(), r64(), r64(), r64(), r64()});
    round_trip(OrderReplaced{r64(), r64(), r64(), r64(), r64(), r64(), r32(), r32(), r32()});
    OrderReject rj{r64(), r64(), r64(), r64(), (uint8_t)rng(), {}};
    rj.order_reject_details = rtext<47>();
    round_trip(rj);
    round_trip(OrderCanceled{r64(), r64(), r64(), r64(), r64(), r64(), r32(), r32(), (uint8_t)rng()});
    round_trip(OrderFilled{r64(), r64(), r64(), r64(), r64(), r64(), r64(), r32(), r32(), r64(), r32(), r32(), rbool()});
    round_trip(MassCancelOrderAck{r64(), r64(), r64(), r32(), rbool(), rbool()});
    MassCancelOrderReject mr{r64(), r64(), {}};
    mr.error_message = rtext<32>();
    round_trip(mr);
    CancelOrderReject cr{r64(), r64(), r64(), r64(), (uint8_t)rng(), {}};
    cr.cancel_order_reject_details = rtext<31>();
    round_trip(cr);
  }
}

TEST_CASE("a decoder takes only its own schema and template") {
  uint8_t buf[kMaxMessageSize];
  // Template 102 is ResendRequest in the session schema and Ping in the application schema;
  // 202 is GapFill and Pong.
  size_t n = encode(buf, sizeof buf, SendHeader{1, 0, 0, 0}, ResendRequest{5, 9});
  size_t pos = 0;
  orders::Message m{};
  orders::DecodeFault f{};
  REQUIRE(orders::read_message(buf, n, pos, m, f) == orders::Step::message);
  ResendRequest rr;
  GapFill gf;
  NewOrder no;
  CHECK(decode(m, rr));
  CHECK_FALSE(decode(m, gf));
  CHECK_FALSE(decode(m, no));

  // The same template number in the application schema is a Ping, not a ResendRequest.
  n = orders::begin_message(buf, sizeof buf, orders::kPing, orders::kApplicationSchemaId, SendHeader{1, 0, 0, 0});
  pos = 0;
  REQUIRE(orders::read_message(buf, n, pos, m, f) == orders::Step::message);
  CHECK_FALSE(decode(m, rr));
  CHECK_FALSE(is<ResendRequest>(m));
}

TEST_CASE("a v1.4 NewOrder without the trailing fields reads them as zero") {
  uint8_t buf[kMaxMessageSize];
  NewOrder o{7, 8, 2230500000000, 20, 44, -1, 0x5A, 0x1234};
  size_t n = encode(buf, sizeof buf, SendHeader{1, 0, 0, 0}, o);
  // Shorten to the 33-byte block of version 3 senders.
  store_le<uint16_t>(buf + 2, (uint16_t)(orders::kHeaderSize + 33));
  store_le<uint16_t>(buf + 24, 33);
  n = orders::kHeaderSize + 33;
  size_t pos = 0;
  orders::Message m{};
  orders::DecodeFault f{};
  REQUIRE(orders::read_message(buf, n, pos, m, f) == orders::Step::message);
  NewOrder back;
  REQUIRE(decode(m, back));
  CHECK(back.client_order_id == 7);
  CHECK(back.side == -1);
  CHECK(back.order_flags == 0);
  CHECK(back.good_til_date == 0);
}

// ---- real captures ----------------------------------------------------------------------------------

namespace {

// The single order-entry message of a capture in tests/data/coinbase/orders, with its expected
// field values (names as the dissector writes them: lower case, no separators).
struct CapturedMessage {
  std::vector<uint8_t> bytes;
  orders::Message m{};
  nlohmann::json want;
};

CapturedMessage load_capture(const std::string& name) {
  CapturedMessage c;
  const std::string base = std::string(PERPWIRE_SOURCE_DIR) + "/tests/data/coinbase/orders/" + name;
  PcapSource src;
  REQUIRE_MESSAGE(src.open(base + ".pcap"), src.error());
  Frame fr{};
  while (src.next(fr)) {
    L4View v{};
    if (src.parse(fr, true, v) != NetError::none || v.protocol != kIpProtoTcp) continue;
    c.bytes.insert(c.bytes.end(), v.payload, v.payload + v.payload_len);
  }
  std::ifstream in(base + ".expected.json");
  REQUIRE(in.good());
  const nlohmann::json all = nlohmann::json::parse(in);
  c.want = all.at(0).at("messages").at(0).at("fields");
  size_t pos = 0;
  orders::DecodeFault f{};
  REQUIRE(orders::read_message(c.bytes.data(), c.bytes.size(), pos, c.m, f) == orders::Step::message);
  return c;
}

int64_t num(const nlohmann::json& j, const char* k) { return std::stoll(j.at(k).get<std::string>()); }
int64_t px(const nlohmann::json& j, const char* k) {
  const std::string t = j.at(k).get<std::string>();
  int64_t v = 0;
  REQUIRE(parse_fixed9(t.data(), t.size(), v));
  return v;
}

}  // namespace

TEST_CASE("real captures decode through the typed decoders to their expected values") {
  SUBCASE("Logon") {
    auto c = load_capture("Unknown.100");
    Logon x;
    REQUIRE(decode(c.m, x));
    CHECK(x.username.view() == c.want.at("username").get<std::string>());
    CHECK(x.password.view() == c.want.at("password").get<std::string>());
    CHECK(x.reset_seq_num == (num(c.want, "resetseqnum") == 1));
    CHECK(c.m.sequence_number == num(c.want, "sequencenumber"));
  }
  SUBCASE("LogonConf") {
    auto c = load_capture("Unknown.200");
    LogonConf x;
    REQUIRE(decode(c.m, x));
    CHECK(x.heartbeat_interval_seconds == num(c.want, "heartbeatintervalseconds"));
  }
  SUBCASE("LoggedOut") {
    auto c = load_capture("Unknown.201");
    LoggedOut x;
    REQUIRE(decode(c.m, x));
    CHECK(x.reason.view() == c.want.value("reason", std::string()));
  }
  SUBCASE("NewOrder (v1.4, 33-byte block)") {
    auto c = load_capture("NewOrderMessage");
    NewOrder x;
    REQUIRE(decode(c.m, x));
    CHECK(c.m.block_length == 33);
    CHECK(x.client_order_id == num(c.want, "clientorderid"));
    CHECK(x.correlation_id == num(c.want, "correlationid"));
    CHECK(x.limit_price == px(c.want, "limitprice"));
    CHECK(x.quantity == num(c.want, "quantity"));
    CHECK(x.instrument_id == num(c.want, "instrumentid"));
    CHECK(x.side == num(c.want, "side"));
  }
  SUBCASE("ReplaceOrder") {
    auto c = load_capture("ReplaceOrderMessage");
    ReplaceOrder x;
    REQUIRE(decode(c.m, x));
    CHECK(x.client_order_id == num(c.want, "clientorderid"));
    CHECK(x.new_limit_price == px(c.want, "newlimitprice"));
    CHECK(x.new_quantity == num(c.want, "newquantity"));
    CHECK(x.instrument_id == num(c.want, "instrumentid"));
  }
  SUBCASE("MassCancelOrder") {
    auto c = load_capture("MassCancelOrderMessage");
    MassCancelOrder x;
    REQUIRE(decode(c.m, x));
    CHECK(x.correlation_id == num(c.want, "correlationid"));
    CHECK(x.instrument_id == num(c.want, "instrumentid"));
  }
  SUBCASE("MassCancelOrderAck") {
    auto c = load_capture("MassCancelOrderAckMessage");
    MassCancelOrderAck x;
    REQUIRE(decode(c.m, x));
    CHECK(x.correlation_id == num(c.want, "correlationid"));
    CHECK(x.canceled_count == num(c.want, "canceledcount"));
  }
  SUBCASE("OrderReplaced") {
    auto c = load_capture("OrderReplacedMessage");
    OrderReplaced x;
    REQUIRE(decode(c.m, x));
    CHECK(x.client_order_id == num(c.want, "clientorderid"));
    CHECK(x.order_id == num(c.want, "orderid"));
    CHECK(x.total_filled == num(c.want, "totalfilled"));
    CHECK(x.available_qty == num(c.want, "availableqty"));
  }
  SUBCASE("OrderFilled") {
    auto c = load_capture("OrderFilledMessage");
    OrderFilled x;
    REQUIRE(decode(c.m, x));
    CHECK(x.client_order_id == num(c.want, "clientorderid"));
    CHECK(x.exec_id == num(c.want, "execid"));
    CHECK(x.match_id == num(c.want, "matchid"));
    CHECK(x.order_id == num(c.want, "orderid"));
    CHECK(x.filled_vwap == px(c.want, "filledvwap"));
    CHECK(x.total_filled == num(c.want, "totalfilled"));
    CHECK(x.available_qty == num(c.want, "availableqty"));
    CHECK(x.fill_price == px(c.want, "fillprice"));
    CHECK(x.fill_qty == num(c.want, "fillqty"));
    CHECK(x.instrument_id == num(c.want, "instrumentid"));
    CHECK(x.is_aggressor == (num(c.want, "isaggressor") == 1));
  }
}

TEST_CASE("the session's NewOrder decodes identically through `perpwire decode`") {
  MemoryLink link;
  SessionConfig cfg;
  cfg.username = "trader1";
  cfg.password = "secret";
  OrderSession session(cfg, link.client());
  session.start(1'700'000'000'000'000'000);
  // Log on by hand: LogonConf number 1.
  uint8_t buf[kMaxMessageSize];
  const size_t n = encode(buf, sizeof buf, SendHeader{1, 1, 0, 0}, LogonConf{5});
  link.peer_write(buf, n);
  session.poll(1'700'000'000'000'000'001);
  REQUIRE(session.active());
  link.to_peer().clear();  // the Logon

  OrderParams p;
  p.client_order_id = 65;
  p.instrument_id = 44;
  p.side = -1;
  p.price = 2230'500'000'000;  // 2230.5
  p.quantity = 20;
  REQUIRE(session.send_new_order(p) == LocalReject::none);
  const std::vector<uint8_t> wire(link.to_peer().begin(), link.to_peer().end());
  REQUIRE(wire.size() == orders::kHeaderSize + orders::kNewOrder.block_length);

  test::FrameSpec spec;
  spec.ip_protocol = 6;
  spec.dst_ip = 0x0A000002;
  test::TempPcap pcap("order_session_new_order");
  pcap.add(test::build_frame(spec, wire).bytes);
  const test::DecodedCapture d = test::decode_pcap(pcap, WireProtocol::orders);
  REQUIRE(d.lines.size() == 1);
  const auto& line = d.lines[0];
  CAPTURE(d.raw[0]);
  CHECK(line.at("message").text == "new_order");
  CHECK(line.at("schema_id").text == "1101");
  CHECK(line.at("template_id").text == "110");
  CHECK(line.at("sequence_number").text == "2");  // the Logon was number 1
  CHECK(line.at("last_processed_seq_no").text == "1");
  CHECK(line.at("client_order_id").text == "65");
  CHECK(line.at("limit_price").text == "2230.5");
  CHECK(line.at("quantity").text == "20");
  CHECK(line.at("instrument_id").text == "44");
  CHECK(line.at("side").text == "-1");
  CHECK(line.at("good_til_date").text == "0");

  // And the same bytes through the core reader with the layout table.
  size_t pos = 0;
  orders::Message m{};
  orders::DecodeFault f{};
  REQUIRE(orders::read_message(wire.data(), wire.size(), pos, m, f) == orders::Step::message);
  CHECK(read_field(m.body, orders::kNewOrderFields[0]) == 65);
  CHECK(read_field(m.body, orders::kNewOrderFields[2]) == 2230'500'000'000);
}
