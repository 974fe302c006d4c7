// libFuzzer target: arbitrary bytes as the TOML text of a config, through parse_config the way
// `perpwire run`, `config check` and POST /reload read a file. Besides memory and UB errors (ASan,
// UBSan) and any exception escaping (the loader must never throw), the target checks that
//  - the result is either a config or at least one error, never both, never neither,
//  - every error renders as "file[:line]: [key: ]message" with a non-empty message, and its line
//    (when given) lies inside the text,
//  - a valid config summarizes, and compared with itself has nothing that needs a restart,
//  - parsing the same bytes again gives the same errors (no hidden state between loads).
#include <cstdint>
#include <string>
#include <string_view>

#include "host/config/config.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace pw;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ConfigResult r = parse_config(text, "fuzz.toml");
  FUZZ_CHECK(r.ok() == (r.config != nullptr));
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  for (const ConfigError& e : r.errors) {
    FUZZ_CHECK(!e.message.empty());
    FUZZ_CHECK(e.file == "fuzz.toml");
    FUZZ_CHECK(e.line >= 0 && (size_t)e.line <= lines + 1);
    FUZZ_CHECK(e.to_string().rfind("fuzz.toml", 0) == 0);
  }
  if (r.ok()) {
    FUZZ_CHECK(!r.config->instruments.empty() && !r.config->accounts.empty());
    FUZZ_CHECK(!config_summary(*r.config).empty());
    FUZZ_CHECK(restart_only_changes(*r.config, *r.config).empty());
    FUZZ_CHECK(r.error_text().empty());
  }
  const ConfigResult again = parse_config(text, "fuzz.toml");
  FUZZ_CHECK(again.errors.size() == r.errors.size());
  for (size_t i = 0; i < r.errors.size(); ++i) FUZZ_CHECK(again.errors[i].to_string() == r.errors[i].to_string());
  return 0;
}
