#include "tests/bench/session_payloads.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "host/sessiongen/session_generator.hpp"
#include "host/io/pcap_source.hpp"

namespace pw::bench {

const Payloads& session_payloads() {
  static Payloads p = [] {
    Payloads out;
    const std::string dir = (std::filesystem::temp_directory_path() / "perpwire_bench_session").string();
    GenOptions opt;
    GenResult r;
    std::string error;
    if (!generate_session(opt, dir, r, error)) {
      std::fprintf(stderr, "bench: %s\n", error.c_str());
      std::exit(1);
    }
    PcapSource src;
    if (!src.open(dir + "/feed_a.pcap")) {
      std::fprintf(stderr, "bench: %s\n", src.error().c_str());
      std::exit(1);
    }
    Frame f;
    L4View v;
    while (src.next(f)) {
      if (src.parse(f, false, v) != NetError::none) continue;
      out.offsets.push_back((uint32_t)out.bytes.size());
      out.bytes.insert(out.bytes.end(), v.payload, v.payload + v.payload_len);
    }
    out.offsets.push_back((uint32_t)out.bytes.size());
    out.messages = r.messages;
    std::filesystem::remove_all(dir);
    return out;
  }();
  return p;
}

}  // namespace pw::bench
