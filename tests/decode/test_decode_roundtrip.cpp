// Round trip of both wire protocols: random values in every field of every template, encoded with
// the layout tables, must come back equal from the readers (PacketReader, read_message), from the
// JSON lines of `perpwire decode`, and — for market data — from md::normalize as MarketEvents.
// Bodies longer than the current layout (newer senders) and v1.2-length bodies (older senders)
// are part of the round trip.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "core/md_decode.hpp"
#include "core/md_normalize.hpp"
#include "core/orders_codec.hpp"
#include "tests/decode/capture_helpers.hpp"
#include "tests/decode/wire_model.hpp"

using namespace pw;
using namespace pw::test;

namespace {

// Fixed by default so that a failure repeats; PERPWIRE_DECODE_SEED=<n> explores other values.
const uint64_t kSeed = [] {
  const char* env = std::getenv("PERPWIRE_DECODE_SEED");
  if (env != nullptr && *env == 0) env = nullptr;
  const uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 0) : 0x5eed0001;
  if (env != nullptr) std::fprintf(stderr, "PERPWIRE_DECODE_SEED=%llu\n", (unsigned long long)seed);
  return seed;
}();

std::vector<const TemplateDef*> md_templates() {
  return std::vector<const TemplateDef*>(std::begin(md::kTemplates), std::end(md::kTemplates));
}

std::vector<const TemplateDef*> orders_templates() {
  std::vector<const TemplateDef*> v(std::begin(orders::kSessionTemplates), std::end(orders::kSessionTemplates));
  v.insert(v.end(), std::begin(orders::kApplicationTemplates), std::end(orders::kApplicationTemplates));
  return v;
}

// Null value a reader must give for an absent field, through read_or_null of the field's width.
void check_absent(const md::Message& m, const FieldDef& f) {
  if (f.kind == FieldKind::text) return;
  const bool sgn = f.kind == FieldKind::int_ || f.kind == FieldKind::price;
  switch (f.size) {
    case 1:
      if (sgn) CHECK(md::read_or_null<int8_t>(m, f.offset, INT8_MIN) == INT8_MIN);
      else CHECK(md::read_or_null<uint8_t>(m, f.offset, 0xEE) == 0xEE);
      break;
    case 2:
      if (sgn) CHECK(md::read_or_null<int16_t>(m, f.offset, INT16_MIN) == INT16_MIN);
      else CHECK(md::read_or_null<uint16_t>(m, f.offset, 0xEEEE) == 0xEEEE);
      break;
    case 4:
      if (sgn) CHECK(md::read_or_null<int32_t>(m, f.offset, INT32_MIN) == INT32_MIN);
      else CHECK(md::read_or_null<uint32_t>(m, f.offset, 0xEEEEEEEEu) == 0xEEEEEEEEu);
      break;
    case 8: CHECK(md::read_or_null<int64_t>(m, f.offset, INT64_MIN) == INT64_MIN); break;
    default: FAIL("field size");
  }
}

void check_field(const uint8_t* body, const FieldDef& f, const FieldValue& v) {
  CAPTURE(f.name);
  if (f.kind == FieldKind::text) {
    CHECK(text_length(body, f) == v.text.size());
    CHECK(std::string(reinterpret_cast<const char*>(body + f.offset), v.text.size()) == v.text);
    for (size_t i = v.text.size(); i < f.size; ++i) CHECK(body[f.offset + i] == 0);
  } else {
    CHECK(read_field(body, f) == v.num);
  }
}

// Decodes the datagram from an exactly sized heap copy (so that any read past it is caught under
// AddressSanitizer) and compares every header and body field with the model.
void check_md_datagram(const MdDatagram& d) {
  const std::vector<uint8_t> buf(d.bytes);
  md::PacketReader r;
  md::DecodeFault f = r.open(buf.data(), buf.size());
  REQUIRE(f.error == md::DecodeError::none);
  for (uint8_t k = 0; k < md::kPacketHeader.field_count; ++k) check_field(buf.data(), md::kPacketHeader.fields[k], d.header[k]);
  auto hdr = [&](const char* n) { return d.header[field_index(md::kPacketHeader, n)].num; };
  CHECK(r.header().sending_time == hdr("sending_time"));
  CHECK(r.header().seq_num == hdr("seq_num"));
  CHECK(r.header().channel_id == hdr("channel_id"));
  CHECK(r.header().packet_flags == hdr("packet_flags"));
  CHECK(r.header().message_count == d.messages.size());
  CHECK(r.header().snapshot_instrument_id == hdr("snapshot_instrument_id"));
  md::Message m;
  for (size_t i = 0; i < d.messages.size(); ++i) {
    const MdMessage& want = d.messages[i];
    CAPTURE(i);
    const std::string tname = want.t->name;
    CAPTURE(tname);
    const md::Step s = r.next(m, f);
    REQUIRE_MESSAGE(s == md::Step::message, md::decode_error_name(f.error));
    CHECK(m.layout == want.t);
    CHECK(m.index == i);
    CHECK(m.offset == want.offset);
    CHECK(m.header == buf.data() + want.offset);
    CHECK(m.body == m.header + md::kMessageHeaderSize);
    CHECK(m.frame_length == want.frame_length);
    CHECK(m.block_length == want.block_length);
    CHECK(m.template_id == want.template_id);
    CHECK(m.schema_id == want.schema_id);
    CHECK(m.version == want.version);
    for (uint8_t k = 0; k < want.t->field_count; ++k) {
      if (want.values[k].present) check_field(m.body, want.t->fields[k], want.values[k]);
      else check_absent(m, want.t->fields[k]);
    }
  }
  CHECK(r.next(m, f) == md::Step::end);
  CHECK(r.next(m, f) == md::Step::end);
  CHECK(md::check_framing(buf.data(), buf.size()).error == md::DecodeError::none);
}

void check_orders_stream(const OrdersStream& s) {
  const std::vector<uint8_t> buf(s.bytes);
  size_t pos = 0;
  orders::Message m;
  orders::DecodeFault f{};
  for (size_t i = 0; i < s.messages.size(); ++i) {
    const OrdersMessage& want = s.messages[i];
    CAPTURE(i);
    const std::string tname = want.t->name;
    CAPTURE(tname);
    const orders::Step st = orders::read_message(buf.data(), buf.size(), pos, m, f);
    REQUIRE_MESSAGE(st == orders::Step::message, orders::decode_error_name(f.error));
    CHECK(m.layout == want.t);
    CHECK(m.offset == want.offset);
    CHECK(pos == want.offset + want.message_length);
    CHECK(m.header == buf.data() + want.offset);
    CHECK(m.body == m.header + orders::kHeaderSize);
    CHECK(m.message_length == want.message_length);
    CHECK(m.block_length == want.block_length);
    CHECK(m.template_id == want.t->id);
    CHECK(m.schema_id == want.schema_id);
    auto h = [&](const char* n) { return want.header[field_index(orders::kMessageHeader, n)].num; };
    CHECK(m.protocol_id == h("protocol_id"));
    CHECK(m.flags == h("flags"));
    CHECK(m.sequence_number == h("sequence_number"));
    CHECK(m.last_processed_seq_no == h("last_processed_seq_no"));
    CHECK(m.send_time == h("send_time_epoch_nanos"));
    CHECK(m.version == h("version"));
    for (uint8_t k = 0; k < orders::kMessageHeader.field_count; ++k)
      check_field(m.header, orders::kMessageHeader.fields[k], want.header[k]);
    for (uint8_t k = 0; k < want.t->field_count; ++k)
      if (want.values[k].present) check_field(m.body, want.t->fields[k], want.values[k]);
    if (want.t->var_data) {
      CHECK(m.var_length == want.var.size());
      REQUIRE(m.var_data == m.body + want.block_length + 1);
      CHECK(std::vector<uint8_t>(m.var_data, m.var_data + m.var_length) == want.var);
    } else {
      CHECK(m.var_data == nullptr);
      CHECK(m.var_length == 0);
    }
  }
  CHECK(orders::read_message(buf.data(), buf.size(), pos, m, f) == orders::Step::end);
}

// The template under test at a random position among 0–3 random others.
template <typename Shape>
std::vector<Shape> with_neighbours(Rng& rng, const std::vector<const TemplateDef*>& all, const Shape& subject) {
  std::vector<Shape> shapes;
  const size_t others = rng() % 4;
  for (size_t i = 0; i < others; ++i) shapes.push_back(Shape{all[rng() % all.size()]});
  shapes.insert(shapes.begin() + (long)(rng() % (others + 1)), subject);
  return shapes;
}

MdShape md_shape(Rng& rng, const TemplateDef* t, int block_length) {
  MdShape s{t, block_length};
  if (rng() % 2) s.padding = (int)(rng() % 24);  // otherwise padded to 8 like the exchange
  return s;
}

}  // namespace

TEST_CASE("the layout tables are consistent") {
  auto check_table = [](const TemplateDef& t) {
    CAPTURE(t.name);
    CHECK(t.min_block <= t.block_length);
    CHECK(t.field_count > 0);
    std::set<std::string> names;
    for (uint8_t i = 0; i < t.field_count; ++i) {
      const FieldDef& f = t.fields[i];
      CAPTURE(f.name);
      CHECK(names.insert(f.name).second);
      CHECK(field_present(f, t.block_length));
      if (f.kind == FieldKind::text) {
        CHECK(f.size > 0);
      } else {
        CHECK((f.size == 1 || f.size == 2 || f.size == 4 || f.size == 8));
      }
      if (f.kind == FieldKind::bits) {
        CHECK(f.width > 0);
        CHECK(f.shift + f.width <= 8 * f.size);
        bool has_container = false;
        for (uint8_t j = 0; j < t.field_count; ++j) has_container |= is_subfield_of(f, t.fields[j]);
        CHECK(has_container);
        continue;
      }
      for (uint8_t j = 0; j < i; ++j) {  // whole fields never overlap
        const FieldDef& g = t.fields[j];
        if (g.kind == FieldKind::bits) continue;
        CAPTURE(g.name);
        CHECK((f.offset >= g.offset + g.size || g.offset >= f.offset + f.size));
      }
    }
  };
  check_table(md::kPacketHeader);
  check_table(md::kMessageHeader);
  std::set<uint16_t> ids;
  for (const TemplateDef* t : md::kTemplates) {
    check_table(*t);
    CHECK(ids.insert(t->id).second);
    CHECK(md::find_template(t->id) == t);
    CHECK(!t->var_data);
  }
  check_table(orders::kMessageHeader);
  for (const TemplateDef* t : orders::kSessionTemplates) {
    check_table(*t);
    CHECK(orders::find_template(orders::kSessionSchemaId, t->id) == t);
    CHECK(orders::schema_of(*t) == orders::kSessionSchemaId);
  }
  for (const TemplateDef* t : orders::kApplicationTemplates) {
    check_table(*t);
    CHECK(orders::find_template(orders::kApplicationSchemaId, t->id) == t);
    CHECK(orders::schema_of(*t) == orders::kApplicationSchemaId);
  }
}

TEST_CASE("every market-data template round-trips through PacketReader") {
  Rng rng(kSeed);
  const auto all = md_templates();
  for (const TemplateDef* t : all) {
    const std::string tname = t->name;
    CAPTURE(tname);
    for (int iter = 0; iter < 300; ++iter) {
      CAPTURE(iter);
      const MdDatagram d = make_md_datagram(rng, with_neighbours(rng, all, md_shape(rng, t, -1)));
      check_md_datagram(d);
    }
  }
}

TEST_CASE("every order-entry template round-trips through read_message") {
  Rng rng(kSeed + 1);
  const auto all = orders_templates();
  for (const TemplateDef* t : all) {
    const std::string tname = t->name;
    CAPTURE(tname);
    for (int iter = 0; iter < 300; ++iter) {
      CAPTURE(iter);
      check_orders_stream(make_orders_stream(rng, with_neighbours(rng, all, OrdersShape{t})));
    }
  }
}

TEST_CASE("begin_message writes the header and refuses a buffer too small") {
  for (const TemplateDef* t : orders_templates()) {
    const std::string tname = t->name;
    CAPTURE(tname);
    const size_t total = orders::kHeaderSize + t->block_length + (t->var_data ? 1u + 7u : 0u);
    std::vector<uint8_t> buf(total + 5, 0xAB);
    const orders::SendHeader sh{7, 6, 5, 1};
    CHECK(orders::begin_message(buf.data(), total - 1, *t, schema_of_layout(*t), sh, 7) == 0);
    REQUIRE(orders::begin_message(buf.data(), buf.size(), *t, schema_of_layout(*t), sh, 7) == total);
    for (size_t i = total; i < buf.size(); ++i) CHECK(buf[i] == 0xAB);  // nothing written past the message
    size_t pos = 0;
    orders::Message m;
    orders::DecodeFault f{};
    REQUIRE(orders::read_message(buf.data(), total, pos, m, f) == orders::Step::message);
    CHECK(m.layout == t);
    CHECK(pos == total);
    CHECK(m.flags == 1);
    CHECK(m.sequence_number == 7);
    CHECK(m.last_processed_seq_no == 6);
    CHECK(m.send_time == 5);
    if (t->var_data) CHECK(m.var_length == 7);
  }
}

TEST_CASE("schema evolution: a body longer than the current layout decodes its known fields") {
  Rng rng(kSeed + 2);
  const auto md_all = md_templates();
  for (const TemplateDef* t : md_all) {
    const std::string tname = t->name;
    CAPTURE(tname);
    for (int iter = 0; iter < 100; ++iter) {
      MdShape s{t, t->block_length + 1 + (int)(rng() % 64), (int)(rng() % 32)};
      // the longer message, then others that must still be found after it
      std::vector<MdShape> shapes{s, MdShape{md_all[rng() % md_all.size()]}, MdShape{t, -1, 3}};
      check_md_datagram(make_md_datagram(rng, shapes));
    }
  }
  const auto or_all = orders_templates();
  for (const TemplateDef* t : or_all) {
    const std::string tname = t->name;
    CAPTURE(tname);
    for (int iter = 0; iter < 100; ++iter) {
      std::vector<OrdersShape> shapes{OrdersShape{t, t->block_length + 1 + (int)(rng() % 64)},
                                      OrdersShape{or_all[rng() % or_all.size()]}, OrdersShape{t}};
      check_orders_stream(make_orders_stream(rng, shapes));
    }
  }
}

TEST_CASE("schema evolution: a v1.2-length body decodes with the absent fields null") {
  Rng rng(kSeed + 3);
  int evolved = 0;
  for (const TemplateDef* t : md_templates()) {
    if (t->min_block == t->block_length) continue;
    ++evolved;
    const std::string tname = t->name;
    CAPTURE(tname);
    for (int len = t->min_block; len < t->block_length; ++len) {
      for (int iter = 0; iter < 20; ++iter) {
        // junk after the short body: the absent fields must not be read from it
        std::vector<MdShape> shapes{MdShape{t, len, (int)(rng() % 40)}, MdShape{t}};
        const MdDatagram d = make_md_datagram(rng, shapes);
        CHECK(std::count_if(d.messages[0].values.begin(), d.messages[0].values.end(),
                            [](const FieldValue& v) { return !v.present; }) > 0);
        check_md_datagram(d);
      }
    }
  }
  CHECK(evolved == 7);  // 10, 11, 12, 110, 111, 112, 122
  int or_evolved = 0;
  for (const TemplateDef* t : orders_templates()) {
    if (t->min_block == t->block_length) continue;
    ++or_evolved;
    const std::string tname = t->name;
    CAPTURE(tname);
    for (int len = t->min_block; len < t->block_length; ++len)
      for (int iter = 0; iter < 20; ++iter)
        check_orders_stream(make_orders_stream(rng, {OrdersShape{t, len}, OrdersShape{t}}));
  }
  CHECK(or_evolved == 2);  // new_order, replace_order
}

TEST_CASE("perpwire decode prints every field of every market-data template") {
  Rng rng(kSeed + 4);
  const auto all = md_templates();
  for (const TemplateDef* t : all) {
    const std::string tname = t->name;
    CAPTURE(tname);
    TempPcap pcap(std::string("md_") + t->name);
    std::vector<std::pair<uint64_t, MdDatagram>> sent;
    size_t total = 0;
    for (int iter = 0; iter < 40; ++iter) {
      int block = -1;
      if (iter % 4 == 1) block = t->block_length + 1 + (int)(rng() % 40);                       // newer sender
      if (iter % 4 == 2) block = t->min_block + (int)(rng() % (t->block_length - t->min_block + 1));  // older sender
      MdDatagram d = make_md_datagram(rng, with_neighbours(rng, all, md_shape(rng, t, block)));
      FrameSpec fs;
      if (rng() % 3 == 0) fs.vlan_id = (int)(rng() % 4095);
      total += d.messages.size();
      const uint64_t n = pcap.add(build_frame(fs, d.bytes).bytes);
      sent.emplace_back(n, std::move(d));
    }
    const DecodedCapture out = decode_pcap(pcap, WireProtocol::market_data);
    CHECK(out.counts.errors == 0);
    CHECK(out.counts.frames == sent.size());
    CHECK(out.counts.messages == total);
    REQUIRE(out.lines.size() == total);
    size_t line = 0;
    for (const auto& frame_datagram : sent) {
      const uint64_t n = frame_datagram.first;
      const MdDatagram& d = frame_datagram.second;
      for (size_t i = 0; i < d.messages.size(); ++i, ++line) {
        CAPTURE(n);
        CAPTURE(i);
        check_json_line(out.lines[line], expected_md_line(d, i, n), out.raw[line]);
      }
    }
  }
}

TEST_CASE("perpwire decode prints every field of every order-entry template, across TCP segments") {
  Rng rng(kSeed + 5);
  const auto all = orders_templates();
  for (const TemplateDef* t : all) {
    const std::string tname = t->name;
    CAPTURE(tname);
    std::vector<OrdersShape> shapes;
    for (int i = 0; i < 30; ++i) {
      int block = -1;
      if (i % 3 == 1) block = t->block_length + 1 + (int)(rng() % 40);
      if (i % 3 == 2) block = t->min_block + (int)(rng() % (t->block_length - t->min_block + 1));
      shapes.push_back(OrdersShape{t, block});
      if (rng() % 2) shapes.push_back(OrdersShape{all[rng() % all.size()]});
    }
    const OrdersStream s = make_orders_stream(rng, shapes);
    // Cut the stream into segments at random points; now and then a segment is sent again,
    // whole or overlapping new data, as TCP retransmits.
    TempPcap pcap(std::string("orders_") + t->name);
    std::vector<std::pair<size_t, uint64_t>> delivered_at;  // (end of new data, frame number)
    size_t next = 0;
    const uint32_t isn = (uint32_t)rng();
    FrameSpec fs;
    fs.ip_protocol = 6;
    if (rng() % 2) fs.vlan_id = 42;
    while (next < s.bytes.size()) {
      size_t a = next;
      if (next > 0 && rng() % 5 == 0) a = next - std::min(next, (size_t)(1 + rng() % 64));
      size_t b = std::min(s.bytes.size(), next + (size_t)(rng() % 3 == 0 ? 0 : rng() % 700));
      if (b <= a) b = std::min(s.bytes.size(), a + 1);
      fs.tcp_seq = isn + (uint32_t)a;
      const uint64_t n = pcap.add(build_frame(fs, s.bytes.data() + a, b - a).bytes);
      if (b > next) {
        delivered_at.emplace_back(b, n);
        next = b;
      }
    }
    const DecodedCapture out = decode_pcap(pcap, WireProtocol::orders);
    CHECK(out.counts.errors == 0);
    CHECK(out.counts.messages == s.messages.size());
    REQUIRE(out.lines.size() == s.messages.size());
    for (size_t i = 0; i < s.messages.size(); ++i) {
      const OrdersMessage& m = s.messages[i];
      const size_t end = m.offset + m.message_length;
      const auto it = std::find_if(delivered_at.begin(), delivered_at.end(), [&](const auto& p) { return p.first >= end; });
      REQUIRE(it != delivered_at.end());
      CAPTURE(i);
      check_json_line(out.lines[i], expected_orders_line(m, it->second), out.raw[i]);
    }
  }
}

// ---- normalize -----------------------------------------------------------------------------

namespace {

struct View {
  const MdDatagram& d;
  const MdMessage& m;
  bool has(const char* n) const { return m.values[field_index(*m.t, n)].present; }
  int64_t operator()(const char* n) const {
    const int i = field_index(*m.t, n);
    REQUIRE_MESSAGE(i >= 0, n);
    return m.values[i].num;
  }
  std::string text(const char* n) const { return m.values[field_index(*m.t, n)].text; }
  int64_t hdr(const char* n) const { return d.header[field_index(md::kPacketHeader, n)].num; }
};

int64_t expected_contract_size(const View& v, const char* q8, const char* q0) {
  if (q8 != nullptr && v.has(q8) && v(q8) != INT64_MIN) {
    const __int128 x = (__int128)v(q8) * 10;
    return x > INT64_MAX || x < INT64_MIN ? INT64_MIN : (int64_t)x;
  }
  if (v.has(q0) && v(q0) != INT32_MIN) return v(q0) * 1000000000LL;
  return INT64_MIN;
}

void check_symbol(const MarketEvent& e, const std::string& want) {
  char padded[24] = {0};
  std::memcpy(padded, want.data(), want.size());
  CHECK(std::string(e.instrument.symbol, 24) == std::string(padded, 24));
}

void check_instr_header(const MarketEvent& e, const View& v) {
  CHECK(e.side == (int8_t)v("instrument_side"));
  CHECK(e.instrument_id == (int32_t)v("instrument_id"));
  CHECK(e.instr_seq_num == (uint32_t)v("instr_seq_num"));
  CHECK(e.transact_time == v("transact_time"));
}

void check_event(const MarketEvent& e, const View& v, size_t index) {
  CHECK(e.packet_flags == (uint8_t)v.hdr("packet_flags"));
  CHECK(e.channel_id == (uint16_t)v.hdr("channel_id"));
  CHECK(e.seq_num == v.hdr("seq_num"));
  CHECK(e.sending_time == v.hdr("sending_time"));
  CHECK(e.msg_index == index);
  CHECK(e.template_id == v.m.template_id);
  const int32_t snapshot_instrument = (int32_t)v.hdr("snapshot_instrument_id");
  switch (v.m.template_id) {
    case md::kOrderPutId:
      CHECK(e.kind() == EventType::order_put);
      check_instr_header(e, v);
      CHECK(e.order.order_id == v("order_id"));
      CHECK(e.order.price == v("price"));
      CHECK(e.order.quantity == v("quantity"));
      break;
    case md::kOrderDeleteId:
      CHECK(e.kind() == EventType::order_delete);
      check_instr_header(e, v);
      CHECK(e.order.order_id == v("order_id"));
      CHECK(e.order.price == INT64_MIN);
      CHECK(e.order.quantity == INT32_MIN);
      break;
    case md::kTradeId:
      CHECK(e.kind() == EventType::trade);
      check_instr_header(e, v);
      CHECK(e.trade.match_id == v("match_id"));
      CHECK(e.trade.buy_order_id == v("buy_order_id"));
      CHECK(e.trade.sell_order_id == v("sell_order_id"));
      CHECK(e.trade.price == v("price"));
      CHECK(e.trade.old_price == INT64_MIN);
      CHECK(e.trade.quantity == v("quantity"));
      break;
    case md::kFundingRateId:
      CHECK(e.kind() == EventType::funding_rate);
      check_instr_header(e, v);
      CHECK(e.funding.rate == v("funding_rate"));
      CHECK(e.funding.futures_mark == v("futures_mark_price_price"));
      CHECK(e.funding.spot_mark == v("spot_mark_price_price"));
      CHECK(e.funding.fair_value == v("fair_value_price"));
      CHECK(e.funding.final_time == v("final_funding_rate_timestamp"));
      CHECK(e.funding.correlation_id == v("correlation_id"));
      CHECK(e.funding.is_final == v("is_final"));
      break;
    case md::kOutrightInstrumentDefinitionId:
    case md::kSpreadInstrumentDefinitionId:
    case md::kOptionInstrumentDefinitionId: {
      const bool option = v.m.template_id == md::kOptionInstrumentDefinitionId;
      const bool spread = v.m.template_id == md::kSpreadInstrumentDefinitionId;
      CHECK(e.kind() == EventType::instrument_definition);
      check_instr_header(e, v);
      check_symbol(e, v.text("symbol"));
      CHECK(e.instrument.kind == (uint8_t)(option ? InstrumentKind::option : spread ? InstrumentKind::spread
                                                                                    : InstrumentKind::outright));
      CHECK(e.instrument.trading_status == (uint8_t)v("trading_status"));
      CHECK(e.instrument.product_id == (int32_t)v("product_id"));
      CHECK(e.instrument.settlement_price == v("settlement_price"));
      CHECK(e.instrument.tick_size == v(option ? "small_tick" : "tick_size"));
      CHECK(e.instrument.limit_down == (option ? INT64_MIN : v("limit_down_price")));
      CHECK(e.instrument.limit_up == (option ? INT64_MIN : v("limit_up_price")));
      CHECK(e.instrument.contract_size ==
            (option ? INT64_MIN : expected_contract_size(v, spread ? nullptr : "contract_size", "old_contract_size")));
      const bool has_interval = !option && !spread && v.has("funding_interval_minutes");
      CHECK(e.instrument.funding_interval_minutes == (has_interval ? (int32_t)v("funding_interval_minutes") : 0));
      CHECK(e.instrument.order_count == 0);
      break;
    }
    case md::kStartOfOutrightInstrumentSnapshotId:
    case md::kStartOfSpreadInstrumentSnapshotId:
    case md::kStartOfOptionInstrumentSnapshotId: {
      const bool option = v.m.template_id == md::kStartOfOptionInstrumentSnapshotId;
      const bool spread = v.m.template_id == md::kStartOfSpreadInstrumentSnapshotId;
      CHECK(e.kind() == EventType::snapshot_start);
      CHECK(e.instrument_id == snapshot_instrument);
      CHECK(e.instr_seq_num == (uint32_t)v("last_instr_seq_num"));
      CHECK(e.transact_time == INT64_MIN);
      CHECK(e.instrument.snapshot_seq == (uint16_t)v("snapshot_seq_num"));
      check_symbol(e, v.text("symbol"));
      CHECK(e.instrument.kind == (uint8_t)(option ? InstrumentKind::option : spread ? InstrumentKind::spread
                                                                                    : InstrumentKind::outright));
      CHECK(e.instrument.tick_size == v(option ? "small_tick" : "tick_size"));
      CHECK(e.instrument.product_id == (int32_t)v("product_id"));
      CHECK(e.instrument.order_count == (int32_t)v("order_count"));
      CHECK(e.instrument.trading_status == (uint8_t)v("trading_status"));
      CHECK(e.instrument.limit_down == INT64_MIN);
      CHECK(e.instrument.limit_up == INT64_MIN);
      CHECK(e.instrument.settlement_price == INT64_MIN);
      CHECK(e.instrument.contract_size ==
            (option ? INT64_MIN : expected_contract_size(v, spread ? nullptr : "contract_size", "old_contract_size")));
      const bool has_interval = !option && !spread && v.has("funding_interval_minutes");
      CHECK(e.instrument.funding_interval_minutes == (has_interval ? (int32_t)v("funding_interval_minutes") : 0));
      break;
    }
    case md::kOrderSnapshotId:
      CHECK(e.kind() == EventType::snapshot_order);
      CHECK(e.instrument_id == snapshot_instrument);
      CHECK(e.side == 0);
      CHECK(e.transact_time == v("transact_time"));
      CHECK(e.order.snapshot_seq == (uint16_t)v("snapshot_seq_num"));
      CHECK(e.order.order_id == v("order_id"));
      CHECK(e.order.price == v("price"));
      CHECK(e.order.quantity == v("quantity"));
      break;
    case md::kEndOfSnapshotId: {
      CHECK(e.kind() == EventType::snapshot_end);
      CHECK(e.instrument_id == snapshot_instrument);
      const SnapshotEndPayload& s = e.snapshot_end;
      auto opt = [&](const char* n, int64_t null) { return v.has(n) ? v(n) : null; };
      CHECK(s.snapshot_seq == (uint16_t)v("snapshot_seq_num"));
      CHECK(s.last_trade_price == v("last_trade_price"));
      CHECK(e.transact_time == v("last_trade_time"));
      CHECK(s.limit_down == v("limit_down_price"));
      CHECK(s.limit_up == v("limit_up_price"));
      CHECK(s.open_interest == opt("open_interest", INT32_MIN));
      CHECK(s.final_funding_rate == opt("final_funding_rate", INT64_MIN));
      CHECK(s.final_funding_time == opt("final_funding_rate_timestamp", INT64_MIN));
      CHECK(s.futures_mark == opt("futures_mark_price_price_optional", INT64_MIN));
      CHECK(s.predicted_funding_rate == opt("predicted_funding_rate", INT64_MIN));
      CHECK(s.spot_mark == opt("spot_mark_price_price_optional", INT64_MIN));
      break;
    }
    default:
      FAIL("template without an expectation");
  }
}

}  // namespace

TEST_CASE("md::normalize gives MarketEvents with the values on the wire") {
  Rng rng(kSeed + 6);
  const TemplateDef* subjects[] = {&md::kOrderPut, &md::kOrderDelete, &md::kTrade, &md::kFundingRate,
                                   &md::kOutrightInstrumentDefinition, &md::kSpreadInstrumentDefinition,
                                   &md::kOptionInstrumentDefinition, &md::kStartOfOutrightInstrumentSnapshot,
                                   &md::kStartOfSpreadInstrumentSnapshot, &md::kStartOfOptionInstrumentSnapshot,
                                   &md::kOrderSnapshot, &md::kEndOfSnapshot};
  // Contract sizes around the edge of what the ×1e-9 event field can hold.
  const int64_t q8_edges[] = {INT64_MAX / 10, INT64_MAX / 10 + 1, INT64_MIN / 10, INT64_MIN / 10 - 1, 100000000, 0};
  for (const TemplateDef* t : subjects) {
    const std::string tname = t->name;
    CAPTURE(tname);
    for (int iter = 0; iter < 500; ++iter) {
      CAPTURE(iter);
      int block = -1;
      if (iter % 3 == 1) block = t->block_length + 1 + (int)(rng() % 40);
      if (iter % 3 == 2) block = t->min_block + (int)(rng() % (t->block_length - t->min_block + 1));
      std::vector<MdShape> shapes{MdShape{t, block}};
      for (size_t k = rng() % 3; k > 0; --k) shapes.insert(shapes.begin(), MdShape{t});
      MdDatagram d = make_md_datagram(rng, shapes);
      MdMessage& subject = d.messages.back();
      if (field_index(*t, "contract_size") >= 0 && subject.values[field_index(*t, "contract_size")].present &&
          rng() % 2) {
        uint8_t* body = d.bytes.data() + subject.offset + md::kMessageHeaderSize;
        override_field(*t, body, subject.values, "contract_size", q8_edges[rng() % 6]);
      }
      const std::vector<uint8_t> buf(d.bytes);
      md::PacketReader r;
      md::DecodeFault f = r.open(buf.data(), buf.size());
      REQUIRE(f.error == md::DecodeError::none);
      md::Message m;
      for (size_t i = 0; i < d.messages.size(); ++i) {
        REQUIRE(r.next(m, f) == md::Step::message);
        MarketEvent e;
        std::memset(&e, 0x5A, sizeof e);  // normalize must set what it reports, not inherit it
        REQUIRE(md::normalize(r.header(), m, e));
        check_event(e, View{d, d.messages[i]}, i);
      }
    }
  }
}
