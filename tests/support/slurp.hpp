// The whole content of a file the tests read back (outputs, logs, configs); empty when it cannot
// be opened.
#pragma once
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace pw::test {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace pw::test
