// The floors of the source tree and the one direction of their imports:
//   core/ ← host/ ← hls/, sim/ ← app/
// A file may include its own floor and the floors below it, never one above (hls/ and sim/ stand
// side by side; sim/ may use hls/, whose kernels it co-simulates, but not the reverse).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// Which floors each floor may include.
const std::map<std::string, std::set<std::string>>& allowed() {
  static const std::map<std::string, std::set<std::string>> a = {
      {"core", {"core"}},
      {"host", {"core", "host"}},
      {"hls", {"core", "host", "hls"}},
      {"sim", {"core", "host", "hls", "sim"}},
      {"app", {"core", "host", "hls", "sim", "app"}},
  };
  return a;
}

std::vector<std::string> violations() {
  std::vector<std::string> bad;
  const fs::path root = PERPWIRE_SOURCE_DIR;
  const std::regex include_line(R"re(^\s*#\s*include\s*"([a-z_]+)/[^"]*")re");
  for (const auto& [floor, may] : allowed()) {
    for (const auto& e : fs::recursive_directory_iterator(root / floor)) {
      const std::string ext = e.path().extension().string();
      if (!e.is_regular_file() || (ext != ".hpp" && ext != ".cpp" && ext != ".h")) continue;
      std::ifstream in(e.path());
      std::string line;
      int n = 0;
      while (std::getline(in, line)) {
        ++n;
        std::smatch m;
        if (!std::regex_search(line, m, include_line)) continue;
        const std::string target = m[1];
        if (allowed().count(target) != 0 && may.count(target) == 0)
          bad.push_back(fs::relative(e.path(), root).string() + ":" + std::to_string(n) + ": " + floor + "/ includes " + target + "/");
      }
    }
  }
  return bad;
}

}  // namespace

TEST_CASE("no import climbs from a lower floor to a higher one") {
  const std::vector<std::string> bad = violations();
  for (const std::string& b : bad) MESSAGE(b);
  CHECK(bad.empty());
}

TEST_CASE("the check sees includes at all") {
  // A floor with no include of its own floor would mean the pattern matches nothing.
  const fs::path root = PERPWIRE_SOURCE_DIR;
  std::ifstream in(root / "app" / "main.cpp");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(std::regex_search(text, std::regex(R"re(#include "app/)re")));
}
