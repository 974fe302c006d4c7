#include "sim/cosim/cosim_feed.hpp"

#include <cmath>
#include <map>
#include <tuple>

#include "core/byte_order.hpp"
#include "core/md_schema.hpp"
#include "host/io/line_merger.hpp"
#include "host/io/pcap_source.hpp"

namespace pw {
namespace cosim {

namespace {
bool open_checked(PcapSource& src, const std::string& path, std::string& error) {
  if (!src.open(path)) {
    error = "verilator backend: " + src.error();
    return false;
  }
  if (src.link() != LinkType::ethernet) {
    error = "verilator backend: '" + path + "' is a " + link_type_name(src.link()) +
            " capture; the RTL front end takes Ethernet frames (the software and hls-csim backends read it)";
    return false;
  }
  return true;
}
}  // namespace

bool learn_table(const std::string& pcap_a, const std::string& pcap_b, std::vector<ChannelEntry>& table,
                 std::string& error) {
  table.clear();
  std::map<std::tuple<uint8_t, uint32_t, uint16_t>, bool> seen;
  const std::string paths[2] = {pcap_a, pcap_b};
  for (uint8_t line = 0; line < 2; ++line) {
    if (paths[line].empty()) continue;
    PcapSource src;
    if (!open_checked(src, paths[line], error)) return false;
    Frame f;
    while (src.next(f)) {
      L4View v;
      if (parse_ethernet(f.data, f.caplen, false, v) != NetError::none || v.payload_len < 18) continue;
      const auto key = std::make_tuple(line, v.dst_ip, v.dst_port);
      if (seen.count(key)) continue;
      seen[key] = true;
      table.push_back({v.dst_ip, v.dst_port, line, load_field<uint16_t, PW_FIELD(md::kPacketHeader, channel_id)>(v.payload)});
    }
    if (!src.error().empty()) {
      error = "verilator backend: " + src.error();
      return false;
    }
  }
  return true;
}

bool run_cosim_feed(const std::string& pcap_a, const std::string& pcap_b, EventSink& sink, std::string& error) {
  return run_cosim_feed(pcap_a, pcap_b, sink, error, CosimFeedOptions{}, nullptr);
}

uint32_t hold_cycles_for(int64_t ns) {
  if (ns <= 0) return 0;
  const long double c = std::llround((long double)ns * kClockHz / 1e9L);
  return c > 0xFFFFFF ? 0xFFFFFFu : (uint32_t)c;
}

bool run_cosim_feed(const std::string& pcap_a, const std::string& pcap_b, EventSink& sink, std::string& error,
                    const CosimFeedOptions& opt, CosimCounters* counters) {
  CosimOptions co;
  co.decode_depth = opt.decode_depth;
  co.in_order = opt.in_order;
  co.hold_cycles = hold_cycles_for(opt.hold_ns);
  co.table = opt.table;
  if (co.table.empty() && !learn_table(pcap_a, pcap_b, co.table, error)) return false;
  {
    PcapSource probe;  // link type of both captures before the merger reads them
    if (!open_checked(probe, pcap_a, error)) return false;
    if (!pcap_b.empty()) {
      PcapSource probe_b;
      if (!open_checked(probe_b, pcap_b, error)) return false;
    }
  }
  LineMerger merger;
  if (!merger.open(pcap_a, pcap_b, error)) {
    error = "verilator backend: " + error;
    return false;
  }
  NicCosim sim(sink, co);
  if (!sim.ok()) {
    error = sim.error();
    return false;
  }
  Frame f;
  uint8_t line = 0;
  while (merger.next(f, line)) sim.push(line, f.timestamp_ns, f.data, f.caplen);
  if (!merger.error().empty()) {
    error = "verilator backend: " + merger.error();
    return false;
  }
  sim.finish();
  if (counters) *counters = sim.counters();
  if (!sim.ok()) {
    error = "verilator backend: " + sim.error();
    return false;
  }
  return true;
}

}  // namespace cosim
}  // namespace pw
