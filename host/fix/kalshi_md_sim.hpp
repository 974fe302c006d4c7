// Simulated Kalshi market-data publisher (session KalshiMD: FIXT.1.1, FIX 5.0 SP2), in process: a
// QuickFIX acceptor for one client that answers MarketDataRequest V (263 = 0 snapshot, 1 snapshot
// plus updates, 2 cancel) with MarketDataSnapshotFullRefresh W of its book and publishes a
// KalshiScript (host/fix/kalshi_session_script: a generated BTC session as level changes and
// trades) as MarketDataIncrementalRefresh X, one message per step, to a subscribed client.
// Unknown symbols get an empty W (as Kalshi documents). Like KalshiMD it keeps nothing to resend:
// a ResendRequest is answered with a gap fill.
//
// Driven from the caller's thread (poll_once; no QuickFIX thread). Fault hooks: skip the next n
// X messages (their sequence numbers are used, the client sees a hole), drop the connection,
// send a message the client's dictionary refuses.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "host/fix/kalshi_session_script.hpp"

namespace pw::fix {

struct KalshiMdSimConfig {
  uint16_t port = 0;                       // 0: a free loopback port (see port())
  std::string sender_comp_id = "KalshiMD";
  std::string target_comp_id;              // the client's CompID (its API key)
  std::string transport_dictionary;
  std::string app_dictionary;
  std::string store_dir;
  std::string log_dir;                     // QuickFIX logs; empty: none
  int32_t heartbeat_seconds = 30;
  std::string symbol = "KXBTCPERP";        // the script's market
  int32_t qty_decimals = 2;                // of the script's sizes
};

struct KalshiMdSimCounters {
  uint64_t logons = 0;
  uint64_t logouts = 0;
  uint64_t requests = 0;       // V read
  uint64_t request_rejects = 0;  // Y sent
  uint64_t snapshots = 0;      // W sent
  uint64_t incrementals = 0;   // X sent
  uint64_t skipped = 0;        // X whose sequence number was used without sending it
  uint64_t faults_injected = 0;
};

class KalshiMdSim {
 public:
  using Levels = std::map<std::pair<int8_t, int64_t>, int32_t>;  // (side, price) → size (book units)

  KalshiMdSim(KalshiMdSimConfig config, const KalshiScript& script);
  ~KalshiMdSim();
  KalshiMdSim(const KalshiMdSim&) = delete;
  KalshiMdSim& operator=(const KalshiMdSim&) = delete;

  bool listen(std::string& error);
  void poll_once(int timeout_ms);
  uint16_t port() const { return port_; }

  // Applies the next `steps` steps of the script to the book, sending each as X while the client
  // is subscribed. Returns how many were applied (fewer at the script's end).
  size_t publish(size_t steps);
  size_t position() const { return next_; }
  bool done() const { return next_ >= script_.steps.size(); }
  const Levels& levels() const { return levels_; }

  void skip_next(uint32_t n) { skip_ += n; }
  // The next n requests are read and left unanswered / answered with MarketDataRequestReject Y
  // (MDReqRejReason 2, insufficient bandwidth).
  void ignore_requests(uint32_t n) { ignore_ += n; }
  void reject_requests(uint32_t n) { reject_ += n; }
  void drop_connection();
  enum class Malformed : uint8_t { unknown_tag, bad_value, unknown_msg_type };
  bool send_malformed(Malformed kind);

  bool logged_on() const;
  bool subscribed() const { return subscribed_; }
  uint64_t messages_sent() const;  // next outgoing MsgSeqNum − 1
  const KalshiMdSimCounters& counters() const { return counters_; }

  struct Impl;

 private:
  friend struct Impl;
  KalshiMdSimConfig config_;
  const KalshiScript& script_;
  std::unique_ptr<Impl> impl_;
  Levels levels_;
  size_t next_ = 0;
  uint32_t skip_ = 0, ignore_ = 0, reject_ = 0;
  bool subscribed_ = false;
  uint16_t port_ = 0;
  KalshiMdSimCounters counters_;
};

}  // namespace pw::fix
