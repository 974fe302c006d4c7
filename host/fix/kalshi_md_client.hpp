// Kalshi market data over FIX (session KalshiMD: FIXT.1.1, FIX 5.0 SP2), client side, on QuickFIX.
//
// Subscribes to the configured symbols (MarketDataRequest V, SubscriptionRequestType 1) after each
// Logon and turns what KalshiMD sends into the event contract's MarketEvents (core/events.hpp),
// delivered to an EventSink (host/pipeline: the market stage with its one book, mark/funding
// engine and gate) exactly as the SBE feed's are: a full refresh W becomes a snapshot of price
// levels, an incremental refresh X level updates and trades (core/level_events.hpp). Prices are
// per contract (×1e-9); sizes have up to `qty_decimals` decimals and reach the book as integers in
// units of 10^−qty_decimals contracts.
//
// Fail closed. KalshiMD keeps nothing for retransmission, so whatever makes the books unlike the
// venue's distrusts them (EventSink::on_packet_gap of the instrument's channel: unsynced, with the
// reason counted) until a fresh W, which the client asks for at once (V, 263 = 0; again after
// snapshot_retry_ns while none has come):
//   seq_gap           a hole in MsgSeqNum (QuickFIX sends ResendRequest; the venue gap-fills)
//   disconnect        logout or lost connection (re-subscribed after the next Logon)
//   rejected_message  a message QuickFIX refused (out of the dictionary, malformed): Reject 3
//   bad_entry         an entry that cannot be a level (price, size, side) of a subscribed symbol
//   request_rejected  MarketDataRequestReject Y or BusinessMessageReject j from the venue
// Single-threaded: QuickFIX runs inside poll(), no QuickFIX thread. See docs/market_data_fix.md.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "host/pipeline/feed_pipeline.hpp"

namespace pw::fix {

struct KalshiMdInstrument {
  std::string symbol;          // Symbol (55), e.g. KXBTCPERP
  int32_t id = 0;              // the instrument id of its MarketEvents
  uint16_t channel = 0;        // its channel for EventSink::on_packet_gap
  int64_t tick = 0;            // price increment ×1e-9 (per contract)
  int64_t contract_size = 0;   // underlying units per contract ×1e-9
};

struct KalshiMdConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string sender_comp_id;              // the FIX API key
  std::string target_comp_id = "KalshiMD";
  std::string transport_dictionary;        // config/fix/kalshi_md_fixt11.xml
  std::string app_dictionary;              // config/fix/kalshi_md_fix50sp2.xml
  std::string store_dir;                   // QuickFIX file store (sequence numbers)
  std::string log_dir;                     // QuickFIX message and event logs; empty: none
  int32_t heartbeat_seconds = 30;
  int32_t reconnect_seconds = 1;
  int32_t qty_decimals = 2;                // 0 … 6
  int64_t snapshot_retry_ns = 5000000000;  // a snapshot asked for and not come by then is asked for again
  std::vector<KalshiMdInstrument> instruments;
};

enum class MdDistrust : uint8_t { seq_gap, disconnect, rejected_message, bad_entry, request_rejected, count_ };
const char* md_distrust_name(MdDistrust r);

constexpr int kSessionRejectReasons = 20;  // SessionRejectReason (373) 0 … 18, the last slot: any other

struct KalshiMdCounters {
  uint64_t logons = 0;
  uint64_t logouts = 0;
  uint64_t messages = 0;          // application messages that passed the dictionary
  uint64_t snapshots = 0;         // W turned into a book snapshot
  uint64_t incrementals = 0;      // X applied
  uint64_t level_updates = 0;     // X entries that set or removed a level
  uint64_t trades = 0;            // X trade entries
  uint64_t requests_sent = 0;     // V
  uint64_t gap_fills = 0;         // SequenceReset GapFill received: messages the venue never resends
  uint64_t unknown_symbols = 0;   // entries of symbols not subscribed (ignored)
  uint64_t unmapped_messages = 0; // well-formed messages of no use here
  std::array<uint64_t, (size_t)MdDistrust::count_> distrusted{};  // times books were distrusted, by reason
  std::array<uint64_t, kSessionRejectReasons> session_rejects{};   // Reject 3 sent, by SessionRejectReason
};

class KalshiMdClient {
 public:
  KalshiMdClient(KalshiMdConfig config, EventSink& sink);
  ~KalshiMdClient();
  KalshiMdClient(const KalshiMdClient&) = delete;
  KalshiMdClient& operator=(const KalshiMdClient&) = delete;

  // Builds the QuickFIX initiator (dictionaries, store); it connects from poll(). False with a
  // reason on a bad configuration, dictionary or store.
  bool start(std::string& error);
  // One round of QuickFIX (zero timeout), then the requests that became due.
  void poll(int64_t now_ns);
  void stop();

  bool logged_on() const;
  // True while instrument i (config order) waits for a snapshot: untrusted since a fault or start.
  bool awaiting_snapshot(size_t i) const { return awaiting_[i] != 0; }
  const KalshiMdCounters& counters() const { return counters_; }
  uint64_t rejects() const;            // Reject 3 sent, every reason
  uint64_t messages_received() const;  // next expected MsgSeqNum − 1
  const std::string& last_error() const { return last_error_; }

  struct Impl;

 private:
  friend struct Impl;
  void distrust(size_t i, MdDistrust why, int64_t first, int64_t last);
  // ask_now false: the next request waits for snapshot_retry_ns (the venue refused the last one:
  // asking again at once would only be refused again, as fast as the loop runs).
  void distrust_all(MdDistrust why, int64_t first = 0, int64_t last = 0, bool ask_now = true);

  KalshiMdConfig config_;
  EventSink& sink_;
  std::unique_ptr<Impl> impl_;
  std::vector<uint8_t> awaiting_;      // per instrument: untrusted, a snapshot is wanted
  std::vector<uint8_t> requested_;     // per instrument: the snapshot request is sent
  std::vector<int64_t> requested_at_;  // … at this poll time
  bool subscribe_due_ = false;         // after a Logon: V 263 = 1 for every symbol
  int64_t now_ = 0;
  int64_t qty_unit_ = 0;               // ×1e-9 per book unit (10^(9 − qty_decimals))
  std::string last_error_;
  KalshiMdCounters counters_;
};

}  // namespace pw::fix
