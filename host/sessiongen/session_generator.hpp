// Deterministic generator of realistic Coinbase Derivatives market-data sessions (SBE v1.9) for
// BTC and ETH perpetual-style futures: definitions, snapshot cycles, order flow around a random-
// walk price, trades, trading status changes and hourly funding, on A and B feed lines, with
// optional injected faults recorded in a manifest.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pw {

struct FaultOptions {
  double loss_a = 0;          // probability a packet is missing from line A
  double loss_b = 0;          // … from line B
  uint32_t loss_both = 0;     // packets missing from both lines (a real gap)
  double duplicate = 0;       // probability a packet is sent twice on a line
  double reorder = 0;         // probability a packet swaps with the next one on a line
  uint32_t truncate = 0;      // datagrams cut short (line A)
  uint32_t corrupt_length = 0;  // messages whose FrameLength runs past the datagram (line A)
  bool disjoint_loss = false;   // a packet lost on A is never lost on B: the two lines together
                                // carry every packet except the loss_both ones
  int64_t skew_b_ns = 0;        // line B's copies arrive this much later than usual (0 … kMaxSkewB)
};

inline constexpr int64_t kMaxSkewBNs = 500000;  // 500 µs: the widest line skew the generator models

// Reads a duration such as "200us", "0.5ms", "1500ns" or "0" into nanoseconds; false if malformed.
bool parse_duration_ns(const std::string& text, int64_t& ns);

struct GenOptions {
  uint64_t seed = 1;
  uint64_t events = 300000;            // order put / delete / trade events
  int64_t start_ns = 1795960680000000000LL;  // 2026-11-30 13:58:00 UTC
  int64_t duration_ns = 75LL * 60 * 1000000000LL;
  int64_t snapshot_interval_ns = 30LL * 1000000000LL;
  int64_t funding_update_ns = 180LL * 1000000000LL;  // FundingRate messages: the 3-minute windows (divides an hour)
  FaultOptions faults;
  bool progress = false;
};

// One injected fault, in the terms a reader of the capture sees it.
struct InjectedFault {
  std::string kind;   // loss, loss_both, duplicate, reorder, truncate, corrupt_length
  char line;          // 'A', 'B' or '*' (both)
  uint16_t channel;
  int64_t seq_num;
  uint64_t frame;     // frame number in that line's file (0 for a lost packet)
};

struct GenResult {
  uint64_t packets = 0;
  uint64_t messages = 0;
  uint64_t frames_a = 0;
  uint64_t frames_b = 0;
  std::vector<std::pair<std::string, uint64_t>> per_template;
  std::vector<InjectedFault> faults;
};

// Writes `dir`/feed_a.pcap, feed_b.pcap and manifest.json. Returns false with `error` on I/O failure.
bool generate_session(const GenOptions& opt, const std::string& dir, GenResult& result, std::string& error);

}  // namespace pw
