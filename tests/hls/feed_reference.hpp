// The software path's answer for datagrams (PacketReader + normalize, the reference every kernel
// backend is compared with), and the comparison: same 128-byte records (memcmp), same counts.
#pragma once
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/md_decode.hpp"
#include "core/md_normalize.hpp"
#include "hls/common/beat_layout.hpp"
#include "hls/csim/feed_decode_runner.hpp"
#include "host/sessiongen/session_generator.hpp"
#include "host/io/pcap_source.hpp"

namespace pw::test {

using Datagram = std::vector<uint8_t>;
using md::DecodeError;

constexpr int kErrors = (int)DecodeError::count_;

// What the software path makes of datagrams.
struct SwResult {
  std::vector<MarketEvent> events;
  uint64_t errors[kErrors] = {};
  uint64_t packets = 0, messages = 0, faulted_packets = 0, beats = 0;
};

inline void sw_decode(const uint8_t* p, uint32_t len, SwResult& r) {
  ++r.packets;
  r.beats += hlsk::beats_for(len);
  bool faulted = false;
  md::PacketReader reader;
  md::DecodeFault f = reader.open(p, len);
  if (f.error != DecodeError::none) {
    ++r.errors[(int)f.error];
    faulted = true;
  } else {
    md::Message m;
    for (;;) {
      const md::Step s = reader.next(m, f);
      if (s == md::Step::end) break;
      if (s == md::Step::fault) {
        ++r.errors[(int)f.error];
        faulted = true;
        continue;
      }
      ++r.messages;
      MarketEvent e;
      if (md::normalize(reader.header(), m, e)) r.events.push_back(e);
    }
  }
  if (faulted) ++r.faulted_packets;
}

inline SwResult sw_decode_all(const std::vector<Datagram>& ds) {
  SwResult r;
  for (const auto& d : ds) sw_decode(d.data(), (uint32_t)d.size(), r);
  return r;
}

inline std::vector<hlsk::DatagramView> views(const std::vector<Datagram>& ds) {
  std::vector<hlsk::DatagramView> v;
  for (const auto& d : ds) v.push_back({d.data(), (uint32_t)d.size()});
  return v;
}

inline void check_same(const SwResult& sw, const std::vector<MarketEvent>& hw, const hlsk::FeedDecodeCounts& c,
                bool check_beats = true) {
  REQUIRE(hw.size() == sw.events.size());
  for (size_t i = 0; i < hw.size(); ++i) {
    CAPTURE(i);
    CAPTURE((int)sw.events[i].type);
    CAPTURE(sw.events[i].seq_num);
    CAPTURE((int)sw.events[i].msg_index);
    REQUIRE(std::memcmp(&hw[i], &sw.events[i], sizeof(MarketEvent)) == 0);
  }
  CHECK(c.packets() == sw.packets);
  CHECK(c.messages() == sw.messages);
  CHECK(c.events() == sw.events.size());
  CHECK(c.faulted_packets() == sw.faulted_packets);
  if (check_beats) CHECK(c.beats() == sw.beats);
  CHECK(c.events_dropped() == 0);
  for (int e = 1; e < kErrors; ++e) {
    CAPTURE(md::decode_error_name((DecodeError)e));
    CHECK(c.errors((DecodeError)e) == sw.errors[e]);
  }
}

inline std::vector<Datagram> read_payloads(const std::filesystem::path& pcap) {
  PcapSource src;
  REQUIRE_MESSAGE(src.open(pcap.string()), src.error());
  std::vector<Datagram> out;
  Frame f;
  L4View v;
  while (src.next(f)) {
    REQUIRE(src.parse(f, false, v) == NetError::none);
    out.emplace_back(v.payload, v.payload + v.payload_len);
  }
  return out;
}


// A generated BTC/ETH session (host/sessiongen) with damaged datagrams on line A: its line A and line B
// payloads. `dir` is removed afterwards.
struct GeneratedSession {
  GenResult result;
  std::vector<Datagram> a, b;
};

inline GeneratedSession generated_session(const std::filesystem::path& dir, uint64_t seed, uint64_t events,
                                          uint32_t truncate, uint32_t corrupt_length) {
  std::filesystem::remove_all(dir);
  GenOptions o;
  o.seed = seed;
  o.events = events;
  o.duration_ns = 4LL * 60 * 1000000000LL;
  o.faults.truncate = truncate;
  o.faults.corrupt_length = corrupt_length;
  GeneratedSession s;
  std::string error;
  REQUIRE_MESSAGE(generate_session(o, dir.string(), s.result, error), error);
  s.a = read_payloads(dir / "feed_a.pcap");
  s.b = read_payloads(dir / "feed_b.pcap");
  std::filesystem::remove_all(dir);
  return s;
}

}  // namespace pw::test
