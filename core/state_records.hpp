// The state log: fixed-size records of every change the market-state stage makes (book top, mark,
// funding, sync state) and every risk decision. Each backend (software, hls-csim, verilator, xrt)
// writes the same records for the same packets; differential tests compare them one for one.
#pragma once
#include <cstdint>
#include <cstring>

namespace pw {

enum class StateKind : uint8_t {
  book_top = 1,   // best bid/ask changed
  mark = 2,       // mark price (and its inputs) changed
  funding = 3,    // our funding estimate or the exchange's rate changed
  sync = 4,       // an instrument became trustworthy or stopped being so
  decision = 5,   // a risk decision on an order request
};

enum class SyncReason : uint8_t {
  none = 0,
  start = 1,            // first packets of the channel seen from its beginning
  snapshot = 2,         // recovered from a snapshot
  packet_gap = 3,       // packets lost on both lines
  instr_seq_gap = 4,    // InstrSeqNum jumped
  book_overflow = 5,    // a book capacity was exceeded
  stale = 6,            // no data for longer than the staleness limit
  book_error = 7,       // the book could not apply an event (SyncRecord::book_error says which)
  resumed = 8,          // data again after a stale period
};

struct BookTopRecord {
  int64_t bid_price;   // null (INT64_MIN) when the side is empty
  int64_t ask_price;
  int32_t bid_qty;
  int32_t ask_qty;
  uint8_t synced;
};

struct MarkRecord {
  int64_t mark;
  int64_t index;
  int64_t impact_bid;
  int64_t impact_ask;
  int64_t premium;      // premium index sample ×1e-9
  int64_t mid;
};

struct FundingRecord {
  int64_t ours;          // our running funding rate for the interval ×1e-9
  int64_t exchange;      // the exchange's latest rate ×1e-9 (null before its first message)
  int64_t diff_e2bps;    // ours − exchange in hundredths of a basis point
  int64_t exchange_mark; // the exchange's futures mark
  int64_t interval_end;  // funding time the rate applies to (ns)
  uint8_t is_final;      // the exchange's final rate for the interval
};

struct SyncRecord {
  uint8_t synced;
  uint8_t reason;      // SyncReason
  uint8_t book_error;  // BookError of core/book.hpp that made the book untrusted (0 when none)
  int64_t first_missing;
  int64_t last_missing;
};

struct DecisionRecord {
  int64_t client_order_id;
  int64_t price;
  int32_t quantity;
  int32_t account;
  int8_t side;
  uint8_t accepted;
  uint8_t reason;  // RejectReason of core/risk_types.hpp (0 = accepted)
};

struct StateRecord {
  uint8_t kind;           // StateKind
  uint8_t reserved[3];
  int32_t instrument_id;
  int64_t time;           // event time (ns since epoch) that caused the change
  int64_t seq_num;        // packet SeqNum that caused it (0 for decisions)
  union {
    BookTopRecord top;
    MarkRecord mark;
    FundingRecord funding;
    SyncRecord sync;
    DecisionRecord decision;
    uint8_t raw[48];
  };
};

static_assert(sizeof(StateRecord) == 72, "StateRecord is a 72-byte record");

inline void clear_record(StateRecord& r) { std::memset(&r, 0, sizeof r); }

inline bool same_record(const StateRecord& a, const StateRecord& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace pw
