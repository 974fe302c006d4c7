// Writes frames to a temporary pcap and runs them through `perpwire decode`'s path
// (pw::decode_capture), keeping every JSON line parsed, for comparison with the wire model.
#pragma once
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "host/dump/capture_decoder.hpp"
#include "host/io/pcap_source.hpp"
#include "tests/decode/damageable_frame.hpp"
#include "tests/decode/wire_model.hpp"
#include "tests/support/flat_json.hpp"

namespace pw::test {

using JsonObject = std::map<std::string, FlatValue>;

class TempPcap {
 public:
  explicit TempPcap(const std::string& name) {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("perpwire_decode_" + name + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".pcap"))
                .string();
    REQUIRE_MESSAGE(writer_.open(path_), writer_.error());
  }
  ~TempPcap() {
    writer_.close();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  // Appends a frame; returns its 1-based number in the file.
  uint64_t add(const std::vector<uint8_t>& frame) {
    writer_.write(1700000000000000000LL + (int64_t)count_ * 1000, frame.data(), (uint32_t)frame.size());
    return ++count_;
  }
  const std::string& finish() {
    writer_.close();
    return path_;
  }

 private:
  std::string path_;
  PcapWriter writer_;
  uint64_t count_ = 0;
};

struct DecodedCapture {
  std::vector<JsonObject> lines;
  std::vector<std::string> raw;
  DecodeCounts counts;
  std::string summary;

  // Lines of one frame, in order.
  std::vector<const JsonObject*> frame(uint64_t n) const {
    std::vector<const JsonObject*> out;
    for (const auto& l : lines)
      if (l.at("frame").text == std::to_string(n)) out.push_back(&l);
    return out;
  }
  std::vector<std::string> errors() const {
    std::vector<std::string> out;
    for (const auto& l : lines)
      if (l.count("error")) out.push_back(l.at("error").text);
    return out;
  }
};

inline DecodedCapture decode_pcap(TempPcap& pcap, WireProtocol protocol) {
  DecodedCapture d;
  std::string error;
  const std::string& path = pcap.finish();
  const bool ok = decode_capture(
      path, protocol,
      [&](const std::string& line) {
        d.raw.push_back(line);
        auto obj = parse_flat_json(line);
        REQUIRE_MESSAGE(obj.has_value(), line);
        REQUIRE_MESSAGE(obj->count("frame") == 1, line);
        d.lines.push_back(std::move(*obj));
      },
      d.counts, error);
  REQUIRE_MESSAGE(ok, error);
  d.summary = format_summary(path, d.counts);
  return d;
}

// Parses the "errors per reason:" block of a --summary text.
inline std::map<std::string, uint64_t> summary_error_counts(const std::string& summary) {
  std::map<std::string, uint64_t> out;
  std::istringstream in(summary);
  std::string line;
  bool in_errors = false;
  while (std::getline(in, line)) {
    if (line == "errors per reason:") {
      in_errors = true;
      continue;
    }
    if (!in_errors) continue;
    if (line.size() < 3 || line[0] != ' ') break;
    std::istringstream ls(line);
    std::string name;
    uint64_t n = 0;
    ls >> name >> n;
    out[name] = n;
  }
  return out;
}

// Every key of `got` is expected, with the expected value, and nothing is missing or duplicated.
inline void check_json_line(const JsonObject& got, const std::vector<std::pair<std::string, JsonExpect>>& want,
                            const std::string& raw) {
  CAPTURE(raw);
  std::map<std::string, JsonExpect> w;
  for (const auto& kv : want) {
    const std::string& k = kv.first;
    const JsonExpect& v = kv.second;
    INFO("key ", k, " appears twice in one JSON object");
    CHECK(w.count(k) == 0);
    w[k] = v;
  }
  CHECK(got.size() == w.size());
  for (const auto& kv : w) {
    const std::string& k = kv.first;
    const JsonExpect& v = kv.second;
    CAPTURE(k);
    const auto it = got.find(k);
    REQUIRE_MESSAGE(it != got.end(), "field missing from the JSON line");
    switch (v.kind) {
      case JsonExpect::null: CHECK(it->second.kind == FlatValue::null); break;
      case JsonExpect::number:
        CHECK(it->second.kind == FlatValue::number);
        CHECK(it->second.text == v.text);
        break;
      case JsonExpect::string:
        CHECK(it->second.kind == FlatValue::string);
        CHECK(it->second.text == v.text);
        break;
    }
  }
}

}  // namespace pw::test
