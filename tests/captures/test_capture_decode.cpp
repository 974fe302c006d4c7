// Every real Coinbase Derivatives capture decodes to exactly the values of its .expected.json
// (an independent dissector's decode): every field that file has is compared.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "host/dump/capture_decoder.hpp"
#include "tests/support/flat_json.hpp"

namespace fs = std::filesystem;
using pw::test::FlatValue;

namespace {

std::string squash(const std::string& name) {
  std::string s;
  for (char c : name)
    if (c != '_') s += c;
  return s;
}

// Names the dissector gives older layouts for the same bytes (see the captures' README).
std::string current_name(const std::string& expected_name) {
  if (expected_name == "priceincrement") return "ticksize";
  if (expected_name == "contractsize") return "oldcontractsize";
  if (expected_name == "priorsettlementprice") return "priorsettlementpriceoptional";
  return expected_name;
}

bool is_null_text(const std::string& v) {
  static const std::set<std::string> sentinels = {"-nan", "-9223372036854775808", "-2147483648", "-32768", "-128",
                                                  "-9223372036.85478"};
  return sentinels.count(v) != 0;
}

void check_capture(const fs::path& expected_path, pw::WireProtocol protocol) {
  fs::path pcap = expected_path;
  pcap.replace_extension();  // .expected
  pcap.replace_extension(".pcap");
  CAPTURE(pcap.string());
  std::vector<std::map<std::string, FlatValue>> lines;
  pw::DecodeCounts counts;
  std::string error;
  REQUIRE(pw::decode_capture(
      pcap.string(), protocol,
      [&](const std::string& l) {
        auto obj = pw::test::parse_flat_json(l);
        REQUIRE(obj.has_value());
        lines.push_back(*obj);
      },
      counts, error));
  CHECK(counts.errors == 0);

  std::ifstream in(expected_path);
  const nlohmann::json expected = nlohmann::json::parse(in);
  size_t next = 0;
  for (const auto& packet : expected) {
    const int frame = packet["frame"];
    for (const auto& msg : packet["messages"]) {
      REQUIRE(next < lines.size());
      const auto& ours = lines[next++];
      CHECK(ours.at("frame").text == std::to_string(frame));
      std::map<std::string, FlatValue> by_squashed;
      for (const auto& [k, v] : ours) by_squashed[squash(k)] = v;

      nlohmann::json fields = packet["header"];
      for (const auto& [k, v] : msg["fields"].items()) fields[k] = v;
      for (const auto& [k, jv] : fields.items()) {
        const std::string v = jv.get<std::string>();
        CAPTURE(k);
        CAPTURE(v);
        if (k == "padding") continue;
        if (k == "packetflags") {  // the dissector's label for the flag bits
          if (v == "Incremental Update") CHECK(by_squashed.at("incrementalupdate").text == "1");
          else if (v == "Snapshot") CHECK(by_squashed.at("snapshot").text == "1");
          else FAIL("unexpected packet flags label");
          continue;
        }
        const auto it = by_squashed.find(current_name(k));
        REQUIRE_MESSAGE(it != by_squashed.end(), "field missing from our decode");
        const FlatValue& o = it->second;
        if (o.kind == FlatValue::null) CHECK_MESSAGE(is_null_text(v), "we decoded null");
        else CHECK(o.text == v);
      }
    }
  }
  CHECK(next == lines.size());
}

void check_folder(const std::string& sub, pw::WireProtocol protocol) {
  const fs::path dir = fs::path(PERPWIRE_SOURCE_DIR) / "tests/data/coinbase" / sub;
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.size() > 14 && name.substr(name.size() - 14) == ".expected.json") {
      check_capture(e.path(), protocol);
      ++n;
    }
  }
  CHECK(n > 0);
}

}  // namespace

TEST_CASE("market data captures decode to the expected values") { check_folder("md", pw::WireProtocol::market_data); }

TEST_CASE("order entry captures decode to the expected values") { check_folder("orders", pw::WireProtocol::orders); }
