// config/perpwire.toml rewritten for a run inside a test or a benchmark: the feed lines read from
// a generated session's captures (through libpcap unless `dpdk`), order entry and the control
// plane on the given ports (0: any free one), the output in `out_dir`.
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace pw::test {

inline std::string run_config_text(const std::filesystem::path& session, const std::filesystem::path& out_dir, bool dpdk,
                                   uint16_t control_port, bool control) {
  std::ifstream in(std::filesystem::path(PERPWIRE_SOURCE_DIR) / "config/perpwire.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string t = ss.str();
  t = std::regex_replace(t, std::regex("out/session/feed_a.pcap"), (session / "feed_a.pcap").string());
  t = std::regex_replace(t, std::regex("out/session/feed_b.pcap"), (session / "feed_b.pcap").string());
  if (!dpdk) t = std::regex_replace(t, std::regex("dpdk_port = \"net_pcap[01]\"\n"), "");
  t = std::regex_replace(t, std::regex("\nport = 9100"), "\nport = 0");
  t = std::regex_replace(t, std::regex("port = 8686"), "port = " + std::to_string(control_port));
  if (!control) t = std::regex_replace(t, std::regex("\\[control\\]\n"), "[control]\nenabled = false\n");
  t = std::regex_replace(t, std::regex("dir = \"out/run\""), "dir = \"" + out_dir.string() + "\"");
  return t;
}

}  // namespace pw::test
