// libFuzzer target: arbitrary bytes as an orders file (`perpwire run --orders FILE`), read against
// config/perpwire.toml by OrderFile::parse. The first byte picks the format (even: JSON Lines, odd:
// CSV), the rest is the file's text. Besides memory and UB errors (ASan, UBSan) and any exception
// escaping, the target checks that
//  - a file is either accepted with no error or refused with at least one and nothing kept,
//  - every error names the file ("orders.jsonl:LINE: …" or "orders.jsonl: …"),
//  - every accepted entry refers to a configured account and instrument, has a known kind and a
//    line inside the text,
//  - after set_start, due() hands out every entry exactly once, in non-decreasing time order.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "host/config/config.hpp"
#include "host/strategy/order_file.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace pw;

namespace {
std::shared_ptr<const Config> g_config;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const ConfigResult r = load_config(PERPWIRE_SOURCE_DIR "/config/perpwire.toml");
  if (!r.ok()) {
    std::fprintf(stderr, "fuzz_order_file: %s", r.error_text().c_str());
    std::abort();
  }
  g_config = r.config;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string file = (data[0] & 1) ? "orders.csv" : "orders.jsonl";
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  OrderFile f;
  std::vector<std::string> errors;
  const bool ok = f.parse(text, file, *g_config, errors);
  FUZZ_CHECK(ok == errors.empty());
  for (const std::string& e : errors) FUZZ_CHECK(e.rfind(file + ":", 0) == 0 && e.size() > file.size() + 2);
  if (!ok) {
    FUZZ_CHECK(f.size() == 0);
    return 0;
  }
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  for (const OrderFileEntry& e : f.entries()) {
    FUZZ_CHECK(e.request.account < g_config->accounts.size());
    FUZZ_CHECK(e.request.instrument < g_config->instruments.size());
    FUZZ_CHECK(e.request.kind == OrderKind::new_order || e.request.kind == OrderKind::replace || e.request.kind == OrderKind::cancel);
    FUZZ_CHECK(e.line >= 1 && (size_t)e.line <= lines);
  }
  f.set_start(1795961580000000000);
  OrderRequest req{};
  int64_t last = INT64_MIN;
  size_t handed = 0;
  while (f.due(INT64_MAX, req)) {
    FUZZ_CHECK(req.time >= last);
    last = req.time;
    ++handed;
  }
  FUZZ_CHECK(handed == f.size() && f.remaining() == 0);
  return 0;
}
