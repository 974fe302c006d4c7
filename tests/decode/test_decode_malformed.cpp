// The malformed corpus: a valid multi-message datagram and a valid order-entry TCP stream, cut at
// every byte and damaged one framing field at a time. Each case gives the precise DecodeFault (or,
// for a TCP stream, `incomplete`), never a crash and never a read past the bytes given — every
// decode runs on an exactly sized heap copy, so under AddressSanitizer an overread fails the test.
// The same cases go through `perpwire decode` (pw::decode_capture): the JSON error lines and the
// --summary counts per reason.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <variant>

#include "core/md_decode.hpp"
#include "core/md_normalize.hpp"
#include "core/orders_codec.hpp"
#include "host/dump/message_json.hpp"
#include "tests/decode/capture_helpers.hpp"
#include "tests/decode/wire_model.hpp"

using namespace pw;
using namespace pw::test;

// Faults compare field by field (found by argument-dependent lookup, also from std::variant).
namespace pw::md {
bool operator==(const DecodeFault& a, const DecodeFault& b) {
  return a.error == b.error && a.index == b.index && a.offset == b.offset && a.value == b.value && a.limit == b.limit;
}
}  // namespace pw::md
namespace pw::orders {
bool operator==(const DecodeFault& a, const DecodeFault& b) {
  return a.error == b.error && a.offset == b.offset && a.value == b.value && a.limit == b.limit;
}
}  // namespace pw::orders

namespace {

// ---- market data ----------------------------------------------------------------------------

// order_put (frame 56), trade (72), funding_rate (88), end_of_cycle (16), order_delete (40):
// messages at offsets 24, 80, 152, 240, 256; 296 bytes in all.
MdDatagram valid_datagram() {
  Rng rng(0xda7a);
  return make_md_datagram(rng, {MdShape{&md::kOrderPut}, MdShape{&md::kTrade}, MdShape{&md::kFundingRate},
                                MdShape{&md::kEndOfCycle}, MdShape{&md::kOrderDelete}});
}

std::string show(const md::DecodeFault& f) {
  return std::string(md::decode_error_name(f.error)) + " index " + std::to_string(f.index) + " offset " +
         std::to_string(f.offset) + " value " + std::to_string(f.value) + " limit " + std::to_string(f.limit);
}

// One step of a decode: the message of the original datagram at this index, or a fault.
using MdOutcome = std::variant<size_t, md::DecodeFault>;

// Decodes `bytes` (from an exactly sized heap copy) and normalizes every message; returns the steps.
std::vector<MdOutcome> run_md(const std::vector<uint8_t>& bytes, const MdDatagram& original,
                              md::DecodeFault* open_fault = nullptr) {
  std::vector<MdOutcome> out;
  const std::vector<uint8_t> buf(bytes);
  md::PacketReader r;
  md::DecodeFault f = r.open(buf.data(), buf.size());
  if (open_fault != nullptr) *open_fault = f;
  if (f.error != md::DecodeError::none) {
    out.push_back(f);
    md::Message m;
    CHECK(r.next(m, f) == md::Step::end);
    return out;
  }
  md::Message m;
  for (int guard = 0; guard < 300; ++guard) {
    const md::Step s = r.next(m, f);
    if (s == md::Step::end) {
      CHECK(r.next(m, f) == md::Step::end);
      return out;
    }
    if (s == md::Step::fault) {
      out.push_back(f);
      continue;
    }
    REQUIRE(m.layout != nullptr);
    CHECK(m.offset + m.frame_length <= buf.size());
    CHECK(md::kMessageHeaderSize + m.block_length <= m.frame_length);
    CHECK(m.block_length >= m.layout->min_block);
    size_t which = original.messages.size();
    for (size_t i = 0; i < original.messages.size(); ++i)
      if (original.messages[i].offset == m.offset) which = i;
    out.push_back(which);
    MarketEvent e;
    (void)md::normalize(r.header(), m, e);
    std::string json;
    append_fields(json, *m.layout, m.body, m.block_length);
  }
  FAIL("the reader did not come to an end");
  return out;
}

void check_outcomes(const std::vector<MdOutcome>& got, const std::vector<MdOutcome>& want) {
  auto text = [](const std::vector<MdOutcome>& v) {
    std::string s;
    for (const auto& o : v) s += (o.index() == 0 ? "message " + std::to_string(std::get<0>(o)) : show(std::get<1>(o))) + "; ";
    return s;
  };
  CHECK(text(got) == text(want));
}

std::vector<MdOutcome> messages(size_t from, size_t to) {
  std::vector<MdOutcome> v;
  for (size_t i = from; i < to; ++i) v.push_back(i);
  return v;
}

std::vector<MdOutcome> cat(std::vector<MdOutcome> a, const std::vector<MdOutcome>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// What the reader must say about the first `n` bytes of the valid datagram, worked out from its
// layout alone.
std::vector<MdOutcome> expected_truncation(const MdDatagram& d, size_t n) {
  if (n < md::kPacketHeaderSize) return {md::DecodeFault{md::DecodeError::packet_truncated, 0, 0, (uint32_t)n, 24}};
  std::vector<MdOutcome> out;
  const uint8_t count = (uint8_t)d.messages.size();
  for (size_t i = 0; i < d.messages.size(); ++i) {
    const MdMessage& m = d.messages[i];
    const uint32_t left = (uint32_t)(n - m.offset);
    const uint8_t idx = (uint8_t)i;
    const uint16_t off = (uint16_t)m.offset;
    if (left == 0) return cat(out, {md::DecodeFault{md::DecodeError::message_count_too_large, idx, off, count, idx}});
    if (left < 10) return cat(out, {md::DecodeFault{md::DecodeError::header_truncated, idx, off, left, 10}});
    if (m.frame_length > left)
      return cat(out, {md::DecodeFault{md::DecodeError::frame_past_end, idx, off, m.frame_length, left}});
    out.push_back(i);
  }
  return out;
}

void set_u16(std::vector<uint8_t>& b, size_t at, uint16_t v) { store_le<uint16_t>(b.data() + at, v); }

// Expected JSON lines of one frame: a message line per decoded message, an error line per fault.
void check_frame_lines(const DecodedCapture& out, uint64_t frame, const std::vector<MdOutcome>& want,
                       const MdDatagram& d) {
  const auto lines = out.frame(frame);
  REQUIRE(lines.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    if (want[i].index() == 0) {
      REQUIRE(lines[i]->count("message") == 1);
      CHECK(lines[i]->at("message").text == d.messages[std::get<0>(want[i])].t->name);
    } else {
      const md::DecodeFault& f = std::get<1>(want[i]);
      REQUIRE(lines[i]->count("error") == 1);
      CHECK(lines[i]->size() == 2);  // {"frame":N,"error":"..."}
      const std::string& e = lines[i]->at("error").text;
      CHECK(e.rfind(std::string(md::decode_error_name(f.error)) + ": ", 0) == 0);
      CHECK(e == describe(f));
    }
  }
}

void count_faults(const std::vector<MdOutcome>& v, std::map<std::string, uint64_t>& per_reason) {
  for (const auto& o : v)
    if (o.index() == 1) ++per_reason[md::decode_error_name(std::get<1>(o).error)];
}

// ---- order entry -----------------------------------------------------------------------------

// logon (session), new_order, ping (with data), order_filled, heartbeat (session).
OrdersStream valid_stream() {
  Rng rng(0x0dde);
  return make_orders_stream(rng, {OrdersShape{&orders::kLogon}, OrdersShape{&orders::kNewOrder},
                                  OrdersShape{&orders::kPing}, OrdersShape{&orders::kOrderFilled},
                                  OrdersShape{&orders::kHeartbeat}});
}

std::string show(const orders::DecodeFault& f) {
  return std::string(orders::decode_error_name(f.error)) + " offset " + std::to_string(f.offset) + " value " +
         std::to_string(f.value) + " limit " + std::to_string(f.limit);
}

// A decode of an order-entry buffer as text: "m<i>" per message (by original index), the fault,
// then "incomplete@pos" or "end".
std::string run_orders(const std::vector<uint8_t>& bytes, const OrdersStream& original, size_t* stop = nullptr) {
  const std::vector<uint8_t> buf(bytes);
  size_t pos = 0;
  orders::Message m;
  orders::DecodeFault f{};
  std::string s;
  for (int guard = 0; guard < 100; ++guard) {
    const size_t before = pos;
    const orders::Step st = orders::read_message(buf.data(), buf.size(), pos, m, f);
    if (stop != nullptr) *stop = pos;
    if (st == orders::Step::end) return s + "end";
    if (st == orders::Step::incomplete) {
      CHECK(pos == before);
      return s + "incomplete@" + std::to_string(pos);
    }
    if (st == orders::Step::fault) {
      s += show(f) + "; ";
      if (pos == before) {  // the stream cannot be re-framed: a second call must say the same
        orders::DecodeFault again{};
        CHECK(orders::read_message(buf.data(), buf.size(), pos, m, again) == orders::Step::fault);
        CHECK(again == f);
        CHECK(pos == before);
        return s + "stuck";
      }
      CHECK(pos > before);
      continue;
    }
    REQUIRE(m.layout != nullptr);
    CHECK(pos > before);
    CHECK(pos <= buf.size());
    CHECK(orders::kHeaderSize + m.block_length <= m.message_length);
    if (m.var_data != nullptr) CHECK(m.var_data + m.var_length <= buf.data() + pos);
    size_t which = original.messages.size();
    for (size_t i = 0; i < original.messages.size(); ++i)
      if (original.messages[i].offset == m.offset) which = i;
    s += "m" + std::to_string(which) + "; ";
    std::string json;
    append_fields(json, *m.layout, m.body, m.block_length);
  }
  FAIL("read_message did not come to an end");
  return s;
}

}  // namespace

TEST_CASE("market data: truncation at every byte gives the precise fault") {
  const MdDatagram d = valid_datagram();
  REQUIRE(d.bytes.size() == 296);
  TempPcap pcap("md_truncated");
  std::map<std::string, uint64_t> per_reason;
  std::vector<std::pair<uint64_t, std::vector<MdOutcome>>> frames;
  for (size_t n = 0; n <= d.bytes.size(); ++n) {
    CAPTURE(n);
    const std::vector<uint8_t> cut(d.bytes.begin(), d.bytes.begin() + (long)n);
    const auto want = expected_truncation(d, n);
    if (n < d.bytes.size()) {
      REQUIRE(!want.empty());
      REQUIRE(want.back().index() == 1);
      CHECK(md::check_framing(cut.data(), cut.size()) == std::get<1>(want.back()));
    } else {
      CHECK(want == messages(0, 5));
      CHECK(md::check_framing(cut.data(), cut.size()).error == md::DecodeError::none);
    }
    check_outcomes(run_md(cut, d), want);
    count_faults(want, per_reason);
    frames.emplace_back(pcap.add(build_frame(FrameSpec{}, cut).bytes), want);
  }
  CHECK(per_reason["packet_truncated"] == 24);
  CHECK(per_reason["message_count_too_large"] == 5);
  CHECK(per_reason["header_truncated"] == 5 * 9);

  const DecodedCapture out = decode_pcap(pcap, WireProtocol::market_data);
  for (const auto& frame_case : frames) {
    const uint64_t n = frame_case.first;
    const auto& want = frame_case.second;
    CAPTURE(n);
    check_frame_lines(out, n, want, d);
  }
  CHECK(out.counts.per_error == per_reason);
  CHECK(summary_error_counts(out.summary) == per_reason);
  uint64_t total = 0;
  for (const auto& [k, v] : per_reason) total += v;
  CHECK(out.counts.errors == total);
  // A few lines spelled out in full.
  const auto first = out.frame(11);  // 10 bytes
  REQUIRE(first.size() == 1);
  CHECK(first[0]->at("error").text == "packet_truncated: UDP payload of 10 bytes is shorter than the 24-byte packet header");
  const auto at85 = out.frame(86);  // 85 bytes: 5 bytes of message 2's header
  REQUIRE(at85.size() == 2);
  CHECK(at85[1]->at("error").text == "header_truncated: message 2 at offset 80: only 5 bytes left for the 10-byte message header");
  const auto at100 = out.frame(101);
  REQUIRE(at100.size() == 2);
  CHECK(at100[1]->at("error").text == "frame_past_end: message 2 at offset 80: FrameLength 72 runs past the datagram (20 bytes left)");
  const auto at80 = out.frame(81);
  REQUIRE(at80.size() == 2);
  CHECK(at80[1]->at("error").text == "message_count_too_large: MessageCount 5 but the datagram ends after 1 messages");
}

TEST_CASE("market data: each damaged framing field gives the precise fault") {
  const MdDatagram d = valid_datagram();
  using E = md::DecodeError;
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    std::vector<MdOutcome> want;
  };
  std::vector<Case> cases;
  auto with = [&](auto edit) {
    std::vector<uint8_t> b = d.bytes;
    edit(b);
    return b;
  };
  // message 2 (trade) starts at 80, frame 72, block 58
  cases.push_back({"FrameLength 0", with([](auto& b) { set_u16(b, 80, 0); }),
                   cat(messages(0, 1), {md::DecodeFault{E::frame_length_too_small, 1, 80, 0, 10}})});
  cases.push_back({"FrameLength 9", with([](auto& b) { set_u16(b, 80, 9); }),
                   cat(messages(0, 1), {md::DecodeFault{E::frame_length_too_small, 1, 80, 9, 10}})});
  cases.push_back({"FrameLength past the end", with([](auto& b) { set_u16(b, 80, 217); }),
                   cat(messages(0, 1), {md::DecodeFault{E::frame_past_end, 1, 80, 217, 216}})});
  cases.push_back({"FrameLength 65535", with([](auto& b) { set_u16(b, 80, 65535); }),
                   cat(messages(0, 1), {md::DecodeFault{E::frame_past_end, 1, 80, 65535, 216}})});
  cases.push_back({"last FrameLength one past the end", with([](auto& b) { set_u16(b, 256, 41); }),
                   cat(messages(0, 4), {md::DecodeFault{E::frame_past_end, 4, 256, 41, 40}})});
  cases.push_back({"FrameLength shorter, the rest misframed", with([](auto& b) { set_u16(b, 80, 64); }),
                   // the next "message" header is trade body bytes: whatever they say, it is a fault
                   {}});
  cases.push_back({"MessageCount one too large", with([](auto& b) { b[19] = 6; }),
                   cat(messages(0, 5), {md::DecodeFault{E::message_count_too_large, 5, 296, 6, 5}})});
  cases.push_back({"MessageCount 255", with([](auto& b) { b[19] = 255; }),
                   cat(messages(0, 5), {md::DecodeFault{E::message_count_too_large, 5, 296, 255, 5}})});
  cases.push_back({"MessageCount one too small", with([](auto& b) { b[19] = 4; }),
                   cat(messages(0, 4), {md::DecodeFault{E::trailing_bytes, 4, 256, 40, 0}})});
  cases.push_back({"MessageCount 0", with([](auto& b) { b[19] = 0; }), {md::DecodeFault{E::trailing_bytes, 0, 24, 272, 0}}});
  cases.push_back({"BlockLength shorter than min_block", with([](auto& b) { set_u16(b, 82, 57); }),
                   cat(cat(messages(0, 1), {md::DecodeFault{E::block_too_short, 1, 80, 57, 58}}), messages(2, 5))});
  cases.push_back({"BlockLength 0", with([](auto& b) { set_u16(b, 82, 0); }),
                   cat(cat(messages(0, 1), {md::DecodeFault{E::block_too_short, 1, 80, 0, 58}}), messages(2, 5))});
  cases.push_back({"BlockLength past the frame", with([](auto& b) { set_u16(b, 82, 63); }),
                   cat(cat(messages(0, 1), {md::DecodeFault{E::block_past_frame, 1, 80, 63, 62}}), messages(2, 5))});
  cases.push_back({"BlockLength 65535", with([](auto& b) { set_u16(b, 82, 65535); }),
                   cat(cat(messages(0, 1), {md::DecodeFault{E::block_past_frame, 1, 80, 65535, 62}}), messages(2, 5))});
  cases.push_back({"BlockLength up to the frame's end is accepted", with([](auto& b) { set_u16(b, 82, 62); }),
                   messages(0, 5)});
  cases.push_back({"unknown template", with([](auto& b) { set_u16(b, 84, 99); }),
                   cat(cat(messages(0, 1), {md::DecodeFault{E::unknown_template, 1, 80, 99, 0}}), messages(2, 5))});
  cases.push_back({"template 0", with([](auto& b) { set_u16(b, 84, 0); }),
                   cat(cat(messages(0, 1), {md::DecodeFault{E::unknown_template, 1, 80, 0, 0}}), messages(2, 5))});
  cases.push_back({"wrong schema id", with([](auto& b) { set_u16(b, 86, 1200); }),
                   cat(cat(messages(0, 1), {md::DecodeFault{E::wrong_schema, 1, 80, 1200, 1201}}), messages(2, 5))});
  cases.push_back({"another version decodes", with([](auto& b) { set_u16(b, 88, 2); set_u16(b, 32, 65535); }),
                   messages(0, 5)});
  cases.push_back({"faults in several messages", with([](auto& b) {
                     set_u16(b, 30, 1100);   // message 1: wrong schema
                     set_u16(b, 156, 7);     // message 3: unknown template
                     b[19] = 4;              // message 5 becomes trailing bytes
                   }),
                   {md::DecodeFault{E::wrong_schema, 0, 24, 1100, 1201}, size_t(1),
                    md::DecodeFault{E::unknown_template, 2, 152, 7, 0}, size_t(3),
                    md::DecodeFault{E::trailing_bytes, 4, 256, 40, 0}}});

  TempPcap pcap("md_damaged");
  std::map<std::string, uint64_t> per_reason;
  std::vector<std::pair<uint64_t, const Case*>> frames;
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    const auto got = run_md(c.bytes, d);
    if (c.want.empty()) {  // misframed: ends in a damage fault, after message 1
      REQUIRE(got.size() >= 2);
      CHECK(got.front() == MdOutcome(size_t(0)));
      REQUIRE(got.back().index() == 1);
      CHECK(md::is_damage(std::get<1>(got.back()).error));
    } else {
      check_outcomes(got, c.want);
      count_faults(c.want, per_reason);
      frames.emplace_back(pcap.add(build_frame(FrameSpec{}, c.bytes).bytes), &c);
    }
    // check_framing reports the first damage fault and ignores well-framed unknown messages
    md::DecodeFault first_damage{E::none, 0, 0, 0, 0};
    for (const auto& o : got)
      if (o.index() == 1 && md::is_damage(std::get<1>(o).error)) {
        first_damage = std::get<1>(o);
        break;
      }
    CHECK(md::check_framing(c.bytes.data(), c.bytes.size()) == first_damage);
  }
  const DecodedCapture out = decode_pcap(pcap, WireProtocol::market_data);
  for (const auto& frame_case : frames) {
    const uint64_t n = frame_case.first;
    const Case* c = frame_case.second;
    CAPTURE(std::string(c->name));
    check_frame_lines(out, n, c->want, d);
  }
  CHECK(out.counts.per_error == per_reason);
  CHECK(summary_error_counts(out.summary) == per_reason);
  for (const char* reason : {"frame_length_too_small", "frame_past_end", "message_count_too_large", "trailing_bytes",
                             "block_too_short", "block_past_frame", "unknown_template", "wrong_schema"})
    CHECK(per_reason[reason] > 0);
}

TEST_CASE("market data: every byte of the headers damaged in turn never breaks the reader") {
  // Exhaustive over one byte: each header byte of every message (and the packet header) takes
  // every value; the reader must end, and every message it returns must lie inside the datagram.
  const MdDatagram d = valid_datagram();
  std::vector<size_t> positions;
  for (size_t i = 0; i < md::kPacketHeaderSize; ++i) positions.push_back(i);
  for (const auto& m : d.messages)
    for (size_t i = 0; i < md::kMessageHeaderSize; ++i) positions.push_back(m.offset + i);
  for (size_t p : positions) {
    for (int v = 0; v < 256; ++v) {
      std::vector<uint8_t> b = d.bytes;
      b[p] = (uint8_t)v;
      const auto got = run_md(b, d);
      CHECK(!got.empty());
    }
  }
}

TEST_CASE("order entry: truncation at every byte leaves the partial message for later") {
  const OrdersStream s = valid_stream();
  std::vector<size_t> ends;
  for (const auto& m : s.messages) ends.push_back(m.offset + m.message_length);
  TempPcap pcap("orders_truncated");
  std::vector<size_t> incomplete_bytes;
  uint64_t complete_messages = 0;
  for (size_t n = 0; n <= s.bytes.size(); ++n) {
    CAPTURE(n);
    const std::vector<uint8_t> cut(s.bytes.begin(), s.bytes.begin() + (long)n);
    std::string want;
    size_t start = 0;
    size_t i = 0;
    for (; i < ends.size() && ends[i] <= n; ++i) {
      want += "m" + std::to_string(i) + "; ";
      start = ends[i];
    }
    complete_messages += i;
    want += n == start ? "end" : "incomplete@" + std::to_string(start);
    size_t stop = 0;
    CHECK(run_orders(cut, s, &stop) == want);
    if (n != start) {
      incomplete_bytes.push_back(n - start);
      // once the rest of the stream has arrived, reading resumes where it stopped
      size_t pos = stop;
      orders::Message m;
      orders::DecodeFault f{};
      for (size_t k = i; k < s.messages.size(); ++k) {
        REQUIRE(orders::read_message(s.bytes.data(), s.bytes.size(), pos, m, f) == orders::Step::message);
        CHECK(m.layout == s.messages[k].t);
      }
      CHECK(pos == s.bytes.size());
    }
    // one TCP connection per cut, so each ends with its own partial message
    FrameSpec fs;
    fs.ip_protocol = 6;
    fs.src_port = (uint16_t)(10000 + n);
    if (n > 0) pcap.add(build_frame(fs, cut).bytes);
  }
  const DecodedCapture out = decode_pcap(pcap, WireProtocol::orders);
  CHECK(out.counts.messages == complete_messages);
  CHECK(out.counts.errors == incomplete_bytes.size());
  CHECK(out.counts.per_error == std::map<std::string, uint64_t>{{"message_incomplete", incomplete_bytes.size()}});
  CHECK(summary_error_counts(out.summary) == out.counts.per_error);
  std::vector<std::string> want_errors;
  for (size_t k : incomplete_bytes)
    want_errors.push_back("message_incomplete: the capture ends inside a message (" + std::to_string(k) + " bytes of it)");
  CHECK(out.errors() == want_errors);
}

TEST_CASE("order entry: a stream sent one byte per segment decodes whole") {
  const OrdersStream s = valid_stream();
  TempPcap pcap("orders_bytewise");
  FrameSpec fs;
  fs.ip_protocol = 6;
  for (size_t i = 0; i < s.bytes.size(); ++i) {
    fs.tcp_seq = 5000 + (uint32_t)i;
    pcap.add(build_frame(fs, s.bytes.data() + i, 1).bytes);
  }
  const DecodedCapture out = decode_pcap(pcap, WireProtocol::orders);
  CHECK(out.counts.errors == 0);
  REQUIRE(out.lines.size() == s.messages.size());
  for (size_t i = 0; i < s.messages.size(); ++i) {
    const uint64_t last_byte_frame = s.messages[i].offset + s.messages[i].message_length;  // 1-based frame numbers
    check_json_line(out.lines[i], expected_orders_line(s.messages[i], last_byte_frame), out.raw[i]);
  }
}

TEST_CASE("order entry: retransmitted and overlapping TCP segments are taken once") {
  const OrdersStream s = valid_stream();
  const size_t n = s.bytes.size();
  REQUIRE(n > 200);
  // [a, b) byte ranges in sending order: duplicates, overlaps with one new byte, a lone old byte
  const std::vector<std::pair<size_t, size_t>> segments = {
      {0, 100}, {50, 100}, {90, 101}, {100, 101}, {101, 150}, {0, 150}, {147, 151}, {151, 152}, {120, n - 1}, {n - 2, n}};
  TempPcap pcap("orders_retransmit");
  FrameSpec fs;
  fs.ip_protocol = 6;
  const uint32_t isn = 0xFFFFFF00u;  // the sequence numbers wrap inside the stream
  for (const auto& [a, b] : segments) {
    fs.tcp_seq = isn + (uint32_t)a;
    pcap.add(build_frame(fs, s.bytes.data() + a, b - a).bytes);
  }
  const DecodedCapture out = decode_pcap(pcap, WireProtocol::orders);
  CHECK(out.counts.errors == 0);
  REQUIRE(out.lines.size() == s.messages.size());
  for (size_t i = 0; i < s.messages.size(); ++i) {
    const size_t end = s.messages[i].offset + s.messages[i].message_length;
    uint64_t frame = 0;
    size_t delivered = 0;
    for (size_t k = 0; k < segments.size() && frame == 0; ++k) {
      delivered = std::max(delivered, segments[k].second);
      if (delivered >= end) frame = k + 1;
    }
    check_json_line(out.lines[i], expected_orders_line(s.messages[i], frame), out.raw[i]);
  }
  // A hole in the stream is reported, and what was buffered before it is dropped.
  TempPcap gap("orders_gap");
  fs.tcp_seq = isn;
  gap.add(build_frame(fs, s.bytes.data(), 50).bytes);
  fs.tcp_seq = isn + (uint32_t)s.messages[2].offset;
  gap.add(build_frame(fs, s.bytes.data() + s.messages[2].offset, n - s.messages[2].offset).bytes);
  const DecodedCapture g = decode_pcap(gap, WireProtocol::orders);
  CHECK(g.counts.per_error == std::map<std::string, uint64_t>{{"tcp_gap", 1}});
  CHECK(g.counts.messages == 3);
  REQUIRE(!g.errors().empty());
  CHECK(g.errors()[0] == "tcp_gap: " + std::to_string(s.messages[2].offset - 50) +
                             " bytes of the TCP stream are missing before this segment; 50 buffered bytes discarded");
}

TEST_CASE("order entry: each damaged framing field gives the precise fault") {
  const OrdersStream s = valid_stream();
  const auto& M = s.messages;
  const uint32_t o1 = (uint32_t)M[1].offset, o2 = (uint32_t)M[2].offset;
  const uint32_t room1 = M[1].message_length - 32u, room2 = M[2].message_length - 32u;
  using E = orders::DecodeError;
  auto with = [&](auto edit) {
    std::vector<uint8_t> b = s.bytes;
    edit(b);
    return b;
  };
  auto fault = [](E e, uint32_t off, uint32_t v, uint32_t lim) { return show(orders::DecodeFault{e, off, v, lim}) + "; "; };
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    std::string want;
    std::vector<std::string> json_errors;  // reasons of the error lines of `perpwire decode`
    uint64_t json_messages;
  };
  const std::vector<Case> cases = {
      {"MessageLength 0", with([&](auto& b) { set_u16(b, o1 + 2, 0); }),
       "m0; " + fault(E::message_length_too_small, o1, 0, 32) + "stuck", {"message_length_too_small"}, 1},
      {"MessageLength 31", with([&](auto& b) { set_u16(b, o1 + 2, 31); }),
       "m0; " + fault(E::message_length_too_small, o1, 31, 32) + "stuck", {"message_length_too_small"}, 1},
      {"MessageLength past the stream", with([&](auto& b) { set_u16(b, (size_t)M[4].offset + 2, 41); }),
       "m0; m1; m2; m3; incomplete@" + std::to_string(M[4].offset), {"message_incomplete"}, 4},
      {"BlockLength past the message", with([&](auto& b) { set_u16(b, o1 + 24, (uint16_t)(room1 + 1)); }),
       "m0; " + fault(E::block_past_message, o1, room1 + 1, room1) + "m2; m3; m4; end", {"block_past_message"}, 4},
      {"BlockLength shorter than min_block", with([&](auto& b) { set_u16(b, o1 + 24, 32); }),
       "m0; " + fault(E::block_too_short, o1, 32, 33) + "m2; m3; m4; end", {"block_too_short"}, 4},
      {"unknown schema", with([&](auto& b) { set_u16(b, o1 + 28, 1102); }),
       "m0; " + fault(E::unknown_schema, o1, 1102, 0) + "m2; m3; m4; end", {"unknown_schema"}, 4},
      {"unknown template", with([&](auto& b) { set_u16(b, o1 + 26, 999); }),
       "m0; " + fault(E::unknown_template, o1, 999, 1101) + "m2; m3; m4; end", {"unknown_template"}, 4},
      {"a session template id in the application schema",
       with([&](auto& b) { set_u16(b, M[4].offset + 28, orders::kApplicationSchemaId); }),
       "m0; m1; m2; m3; " + fault(E::unknown_template, (uint32_t)M[4].offset, 10, 1101) + "end", {"unknown_template"}, 4},
      {"Ping data length past the message", with([&](auto& b) { b[o2 + 32 + 16] = (uint8_t)(room2 - 16); }),
       "m0; m1; " + fault(E::var_data_past_message, o2, room2 + 1, room2) + "m3; m4; end", {"var_data_past_message"}, 4},
      {"Ping data length byte outside the message", with([&](auto& b) {
         // BlockLength takes the whole body: the length byte would be the next message's first byte
         set_u16(b, o2 + 24, (uint16_t)room2);
       }),
       "m0; m1; " + fault(E::var_data_past_message, o2, room2 + 1, room2) + "m3; m4; end", {"var_data_past_message"}, 4},
      {"another version and protocol id decode", with([&](auto& b) { set_u16(b, o1 + 30, 3); b[o1] = 0; }),
       "m0; m1; m2; m3; m4; end", {}, 5},
  };
  TempPcap pcap("orders_damaged");
  for (size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    CAPTURE(std::string(c.name));
    CHECK(run_orders(c.bytes, s) == c.want);
    FrameSpec fs;
    fs.ip_protocol = 6;
    fs.src_port = (uint16_t)(20000 + k);
    pcap.add(build_frame(fs, c.bytes).bytes);
  }
  const DecodedCapture out = decode_pcap(pcap, WireProtocol::orders);
  std::map<std::string, uint64_t> per_reason;
  uint64_t messages_total = 0;
  for (size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    CAPTURE(std::string(c.name));
    const auto lines = out.frame(k + 1);
    std::vector<std::string> reasons;
    uint64_t msgs = 0;
    for (const auto* l : lines) {
      if (l->count("error")) {
        const std::string& e = l->at("error").text;
        // a partial message is reported once the capture has ended, under the last frame's number
        if (e.rfind("message_incomplete", 0) != 0) reasons.push_back(e.substr(0, e.find(':')));
      } else {
        ++msgs;
      }
    }
    std::vector<std::string> want_reasons = c.json_errors;
    want_reasons.erase(std::remove(want_reasons.begin(), want_reasons.end(), "message_incomplete"), want_reasons.end());
    CHECK(reasons == want_reasons);
    CHECK(msgs == c.json_messages);
    messages_total += c.json_messages;
    for (const auto& r : c.json_errors) ++per_reason[r];
  }
  CHECK(out.counts.messages == messages_total);
  CHECK(out.counts.per_error == per_reason);
  CHECK(summary_error_counts(out.summary) == per_reason);
  // One fault line spelled out in full.
  const auto first = out.frame(1);
  REQUIRE(first.size() == 2);
  CHECK(first[1]->at("error").text == "message_length_too_small: at offset " + std::to_string(o1) +
                                          ": MessageLength 0 is shorter than the 32-byte header");
}

TEST_CASE("order entry: every byte of the headers damaged in turn never breaks the reader") {
  const OrdersStream s = valid_stream();
  for (const auto& m : s.messages) {
    for (size_t i = 0; i < orders::kHeaderSize; ++i) {
      for (int v = 0; v < 256; ++v) {
        std::vector<uint8_t> b = s.bytes;
        b[m.offset + i] = (uint8_t)v;
        const std::string got = run_orders(b, s);
        CHECK(!got.empty());
      }
    }
  }
}
