// A generated BTC session (host/sessiongen: its market model, order flow and trades) as Kalshi
// market data: the BTC instrument's order book aggregated to price levels, one step per book
// change, each step the entries of one MarketDataIncrementalRefresh X (level set / removed,
// trade). What the simulated KalshiMD publisher (host/fix/kalshi_md_sim) replays and what the
// tests hold the client's book against.
//
// Mapping (KXBTCPERP-like): prices per contract = the generated price (USD per BTC) / 10,000
// (0.0001 BTC contracts: $95,000 → 9.5, the $5 tick → 0.0005); sizes in hundredths of a contract =
// the generated quantity × size_per_lot (137 by default: 1.37 contracts per generated lot, so that
// two-decimal sizes occur; not the BTC-equivalent 100).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "host/sessiongen/session_generator.hpp"

namespace pw::fix {

struct KalshiEntry {
  bool trade = false;  // false: a level's new size (0 = removed); true: a trade (side = aggressor)
  int8_t side = 0;
  int64_t price = 0;   // per contract ×1e-9
  int32_t qty = 0;     // hundredths of a contract (book units at qty_decimals 2)
};

struct KalshiStep {
  int64_t time = 0;    // the generated event's transact time
  std::vector<KalshiEntry> entries;
};

struct KalshiScriptOptions {
  int32_t instrument_id = 1;     // the generator's BTC instrument
  int64_t price_divisor = 10000;
  int32_t size_per_lot = 137;
};

struct KalshiScript {
  int64_t tick = 0;              // per contract ×1e-9
  std::vector<KalshiStep> steps;
};

// From decoded events of the generated session (snapshot cycles are ignored: the incrementals
// from the start hold everything). False with `error` on a price the divisor does not divide.
bool kalshi_script_from_events(const std::vector<MarketEvent>& events, const KalshiScriptOptions& opt, KalshiScript& out,
                               std::string& error);

// Decodes a generated session's line A capture (`perpwire gen`: feed_a.pcap) and builds the script.
bool kalshi_script_from_capture(const std::string& pcap, const KalshiScriptOptions& opt, KalshiScript& out, std::string& error);

// Generates the session into `dir` (no faults), decodes line A and builds the script.
bool kalshi_script_generate(const GenOptions& gen, const std::string& dir, const KalshiScriptOptions& opt, KalshiScript& out,
                            std::string& error);

}  // namespace pw::fix
