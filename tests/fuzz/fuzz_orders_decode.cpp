// libFuzzer target: arbitrary bytes as an order-entry TCP stream, read with orders::read_message
// the way `perpwire decode` reads it. Besides memory and UB errors (ASan, UBSan), the target checks
// that
//  - every message lies inside the buffer and satisfies its layout's framing rules (Ping/Pong
//    data included), and every call either advances or stops for good,
//  - the same bytes arriving in two pieces (a receiver that keeps the partial message and calls
//    again with more bytes) give exactly the same messages and faults as the whole buffer,
//  - every JSON line (messages and error lines) is valid JSON.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/orders_codec.hpp"
#include "host/dump/message_json.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace pw;

namespace {

// One step of a decode, with its offset in the whole stream.
struct Outcome {
  orders::Step step;
  uint64_t offset;
  uint32_t what;   // template id (message) or error (fault)
  uint32_t value;  // message length (message) or fault value
  bool operator==(const Outcome& o) const {
    return step == o.step && offset == o.offset && what == o.what && value == o.value;
  }
};

// Reads every complete message of `buf` from `pos`; `base` is the offset of buf[0] in the stream.
// Returns false when the stream cannot be re-framed (MessageLength below the header size).
bool drain(const std::vector<uint8_t>& buf, size_t& pos, uint64_t base, std::vector<Outcome>& out) {
  orders::Message m;
  orders::DecodeFault f;
  for (;;) {
    const size_t before = pos;
    const orders::Step st = orders::read_message(buf.data(), buf.size(), pos, m, f);
    if (st == orders::Step::end || st == orders::Step::incomplete) {
      FUZZ_CHECK(pos == before);
      FUZZ_CHECK(st == orders::Step::incomplete ? buf.size() - pos > 0 : pos >= buf.size());
      return true;
    }
    if (st == orders::Step::fault) {
      FUZZ_CHECK(f.error != orders::DecodeError::none && f.error < orders::DecodeError::count_);
      FUZZ_CHECK(f.offset == before);
      std::string text = describe(f);
      FUZZ_CHECK(text.rfind(orders::decode_error_name(f.error), 0) == 0);
      std::string line = "{\"frame\":1,\"error\":";
      append_json_string(line, text.data(), text.size());
      line += '}';
      FUZZ_CHECK(nlohmann::json::accept(line));
      out.push_back(Outcome{st, base + before, (uint32_t)f.error, f.value});
      if (f.error == orders::DecodeError::message_length_too_small) {
        FUZZ_CHECK(pos == before);
        return false;
      }
      FUZZ_CHECK(pos > before && pos <= buf.size());
      continue;
    }
    FUZZ_CHECK(pos > before && pos <= buf.size());
    FUZZ_CHECK(pos - before == m.message_length && m.offset == before);
    FUZZ_CHECK(m.layout != nullptr && m.layout == orders::find_template(m.schema_id, m.template_id));
    FUZZ_CHECK(m.header == buf.data() + before && m.body == m.header + orders::kHeaderSize);
    FUZZ_CHECK((uint32_t)orders::kHeaderSize + m.block_length <= m.message_length);
    FUZZ_CHECK(m.block_length >= m.layout->min_block);
    if (m.layout->var_data) {
      FUZZ_CHECK(m.var_data == m.body + m.block_length + 1);
      FUZZ_CHECK(m.var_data + m.var_length <= buf.data() + pos);
    } else {
      FUZZ_CHECK(m.var_data == nullptr && m.var_length == 0);
    }
    std::string line = "{\"frame\":1";
    append_fields(line, orders::kMessageHeader, m.header, orders::kHeaderSize);
    line += ",\"message\":\"";
    line += m.layout->name;
    line += '"';
    append_fields(line, *m.layout, m.body, m.block_length);
    line += '}';
    FUZZ_CHECK(nlohmann::json::accept(line));
    out.push_back(Outcome{st, base + before, m.template_id, m.message_length});
  }
}

// The stream delivered in pieces cut at `cuts`, kept in a pending buffer as a TCP receiver does.
std::vector<Outcome> decode_in_pieces(const uint8_t* data, size_t size, const std::vector<size_t>& cuts) {
  std::vector<Outcome> out;
  std::vector<uint8_t> pending;
  uint64_t base = 0;
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(size);
  for (size_t to : ends) {
    if (to < from) continue;
    pending.insert(pending.end(), data + from, data + to);
    from = to;
    size_t pos = 0;
    if (!drain(pending, pos, base, out)) return out;
    pending.erase(pending.begin(), pending.begin() + (long)pos);
    base += pos;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> whole(data, data + size);
  std::vector<Outcome> all;
  size_t pos = 0;
  drain(whole, pos, 0, all);
  const size_t first_cut = size == 0 ? 0 : data[0] % (size + 1);
  const std::vector<std::vector<size_t>> splits = {{size / 2}, {first_cut}, {first_cut / 2, first_cut, (size + first_cut) / 2}};
  for (const auto& cuts : splits) FUZZ_CHECK(decode_in_pieces(data, size, cuts) == all);
  return 0;
}
