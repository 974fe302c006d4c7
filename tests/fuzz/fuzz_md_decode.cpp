// libFuzzer target: arbitrary bytes as a market-data datagram, and as an Ethernet frame that may
// carry one. Every message the reader returns is normalized and rendered as `perpwire decode`
// renders it; besides memory and UB errors (ASan, UBSan), the target checks that
//  - every message lies inside the datagram and satisfies its layout's framing rules,
//  - the reader ends after at most MessageCount steps plus one fault,
//  - check_framing reports exactly the first damage fault of the walk,
//  - every JSON line (messages and error lines) is valid JSON.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "core/md_decode.hpp"
#include "core/md_normalize.hpp"
#include "core/net_parse.hpp"
#include "host/dump/message_json.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace pw;

namespace {

bool same(const md::DecodeFault& a, const md::DecodeFault& b) {
  return a.error == b.error && a.index == b.index && a.offset == b.offset && a.value == b.value && a.limit == b.limit;
}

void check_error_line(const std::string& text, const char* reason) {
  FUZZ_CHECK(text.rfind(reason, 0) == 0);
  std::string line = "{\"frame\":1,\"error\":";
  append_json_string(line, text.data(), text.size());
  line += '}';
  FUZZ_CHECK(nlohmann::json::accept(line));
}

void decode_datagram(const uint8_t* p, size_t n) {
  md::PacketReader r;
  md::DecodeFault f = r.open(p, n);
  md::Message m;
  if (f.error != md::DecodeError::none) {
    FUZZ_CHECK(f.error == md::DecodeError::packet_truncated && n < md::kPacketHeaderSize);
    check_error_line(describe(f), "packet_truncated");
    FUZZ_CHECK(r.next(m, f) == md::Step::end);
    FUZZ_CHECK(same(md::check_framing(p, n), md::DecodeFault{md::DecodeError::packet_truncated, 0, 0, (uint32_t)n, 24}));
    return;
  }
  std::string prefix = "{\"frame\":1";
  append_fields(prefix, md::kPacketHeader, p, md::kPacketHeaderSize);
  md::DecodeFault first_damage{md::DecodeError::none, 0, 0, 0, 0};
  unsigned steps = 0;
  unsigned messages = 0;
  for (;;) {
    const md::Step s = r.next(m, f);
    if (s == md::Step::end) break;
    FUZZ_CHECK(++steps <= r.header().message_count + 1u);
    if (s == md::Step::fault) {
      FUZZ_CHECK(f.error != md::DecodeError::none && f.error < md::DecodeError::count_);
      FUZZ_CHECK(f.offset <= n);
      if (md::is_damage(f.error) && first_damage.error == md::DecodeError::none) first_damage = f;
      check_error_line(describe(f), md::decode_error_name(f.error));
      continue;
    }
    ++messages;
    FUZZ_CHECK(m.layout != nullptr && m.layout == md::find_template(m.template_id));
    FUZZ_CHECK(m.schema_id == md::kSchemaId);
    FUZZ_CHECK(m.header == p + m.offset && m.body == m.header + md::kMessageHeaderSize);
    FUZZ_CHECK((size_t)m.offset + m.frame_length <= n);
    FUZZ_CHECK((uint32_t)md::kMessageHeaderSize + m.block_length <= m.frame_length);
    FUZZ_CHECK(m.block_length >= m.layout->min_block);
    MarketEvent e;
    const bool has_event = md::normalize(r.header(), m, e);
    FUZZ_CHECK(has_event == (m.template_id != md::kRetransmitRequestId));
    if (has_event) {
      FUZZ_CHECK(e.type != 0 && e.type < (uint8_t)EventType::sequence_gap);
      FUZZ_CHECK(e.template_id == m.template_id && e.msg_index == m.index);
    }
    std::string line = prefix;
    append_fields(line, md::kMessageHeader, m.header, md::kMessageHeaderSize);
    line += ",\"message\":\"";
    line += m.layout->name;
    line += '"';
    append_fields(line, *m.layout, m.body, m.block_length);
    line += '}';
    FUZZ_CHECK(nlohmann::json::accept(line));
  }
  FUZZ_CHECK(messages <= r.header().message_count);
  FUZZ_CHECK(r.next(m, f) == md::Step::end);
  FUZZ_CHECK(same(md::check_framing(p, n), first_damage));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decode_datagram(data, size);
  for (bool tcp : {false, true}) {
    L4View v;
    std::memset(&v, 0, sizeof v);
    const NetError ne = parse_ethernet(data, size, tcp, v);
    FUZZ_CHECK(ne < NetError::count_);
    if (ne != NetError::none) {
      check_error_line(describe(ne, (uint32_t)size), net_error_name(ne));
      continue;
    }
    FUZZ_CHECK(v.protocol == kIpProtoUdp || (tcp && v.protocol == kIpProtoTcp));
    FUZZ_CHECK(v.payload >= data && v.payload + v.payload_len <= data + size);
    if (!tcp && v.protocol == kIpProtoUdp) {
      // an exactly sized copy: a read past the UDP payload is then caught by ASan
      const std::vector<uint8_t> payload(v.payload, v.payload + v.payload_len);
      decode_datagram(payload.data(), payload.size());
    }
  }
  return 0;
}
