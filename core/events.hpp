// The event contract: fixed-size normalized market events that the feed decoder emits and every
// later stage (feed session, book, mark/funding, risk; software, HLS and RTL co-simulation alike)
// consumes. One record = 128 bytes, trivially copyable, no pointers. See docs/events.md.
#pragma once
#include <cstdint>
#include <cstring>

namespace pw {

enum class EventType : uint8_t {
  none = 0,
  instrument_definition = 1,  // outright/spread/option definition (templates 10, 11, 12)
  trading_status = 2,         // 17
  order_put = 3,              // 20: add, or replace when the order id rests already
  order_delete = 4,           // 21
  implied_update = 5,         // 22
  trade = 6,                  // 30
  trade_amend = 7,            // 31, 34
  trade_bust = 8,             // 32
  trade_summary = 9,          // 33
  statistic = 10,             // 40 (stat type), 41 (session volume), 42 (open interest)
  funding_rate = 11,          // 43
  snapshot_start = 12,        // 110, 111, 112: instrument definition + book reset
  snapshot_order = 13,        // 120
  snapshot_end = 14,          // 122
  end_of_cycle = 15,          // 124
  retransmit_reject = 16,     // 202
  sequence_gap = 17,          // raised by the feed session, never by the decoder
  count_
};

enum class InstrumentKind : uint8_t { outright = 0, spread = 1, option = 2 };
enum class StatisticKind : uint8_t { market_stat = 0, session_volume = 1, open_interest = 2 };

// Packet flag bits (PacketFlags of the feed's packet header).
constexpr uint8_t kPacketIncremental = 0x01;
constexpr uint8_t kPacketSnapshot = 0x02;
constexpr uint8_t kPacketRetransmit = 0x04;

struct InstrumentPayload {
  char symbol[24];               // NUL-padded
  int64_t tick_size;             // price ×1e-9
  int64_t contract_size;         // underlying units per contract ×1e-9 (Quantity8 ×10)
  int64_t limit_down;            // price band, null = INT64_MIN
  int64_t limit_up;
  int64_t settlement_price;
  int32_t funding_interval_minutes;  // > 0 marks a perpetual-style contract
  int32_t order_count;               // snapshot_start only: orders that follow
  int32_t product_id;
  uint16_t snapshot_seq;
  uint8_t trading_status;
  uint8_t kind;                      // InstrumentKind
};

struct OrderPayload {      // order_put, order_delete, snapshot_order
  int64_t order_id;
  int64_t price;           // null for delete
  int32_t quantity;        // null for delete
  uint16_t snapshot_seq;   // snapshot_order only
};

struct TradePayload {      // trade, trade_amend, trade_bust
  int64_t match_id;
  int64_t buy_order_id;
  int64_t sell_order_id;
  int64_t price;           // trade: price; amend: new price; bust: null
  int64_t old_price;       // amend only
  int32_t quantity;        // trade only
};

struct TradeSummaryPayload {
  int64_t aggressor_order_id;
  int64_t aggressor_receive_time;
  int64_t vwap_price;
  int64_t deepest_price;
  int32_t quantity;
};

struct StatusPayload {
  int64_t limit_down;
  int64_t limit_up;
  uint8_t trading_status;
};

struct StatisticPayload {
  int64_t price;           // market_stat price, session_volume VWAP
  int32_t quantity;        // session volume, open interest
  uint8_t kind;            // StatisticKind
  char stat_type;          // '4' open … 'I' indicative (market_stat only)
};

struct FundingPayload {
  int64_t rate;            // per funding interval ×1e-9
  int64_t futures_mark;
  int64_t spot_mark;
  int64_t fair_value;
  int64_t final_time;      // FinalFundingRateTimestamp (ns)
  int64_t correlation_id;
  uint8_t is_final;
};

struct SnapshotEndPayload {
  int64_t last_trade_price;
  int64_t limit_down;
  int64_t limit_up;
  int64_t futures_mark;
  int64_t spot_mark;
  int64_t predicted_funding_rate;
  int64_t final_funding_rate;
  int64_t final_funding_time;
  int32_t open_interest;
  uint16_t snapshot_seq;
};

struct ImpliedPayload {
  int64_t best_price;
  int64_t next_price;
  int32_t best_qty;
  int32_t next_qty;
};

struct GapPayload {        // sequence_gap
  int64_t expected_seq;
  int64_t received_seq;
};

struct CyclePayload {      // end_of_cycle, retransmit_reject
  int64_t retry_delay_ns;
  int32_t active_instrument_count;
  uint8_t reject_reason;
};

struct MarketEvent {
  uint8_t type;            // EventType
  int8_t side;             // 1 bid/buy, -1 ask/sell, 0 unknown (snapshot orders: see book)
  uint8_t packet_flags;    // kPacket* bits of the packet that carried it
  uint8_t msg_index;       // position of the message in its packet (0-based)
  uint16_t channel_id;
  uint16_t template_id;
  int32_t instrument_id;   // snapshot messages: the packet's SnapshotInstrumentId
  uint32_t instr_seq_num;  // snapshot_start: LastInstrSeqNum
  int64_t seq_num;         // packet SeqNum
  int64_t sending_time;    // packet SendingTime (ns since epoch)
  int64_t transact_time;   // ns since epoch, null when the message has none
  union {
    InstrumentPayload instrument;
    OrderPayload order;
    TradePayload trade;
    TradeSummaryPayload summary;
    StatusPayload status;
    StatisticPayload stat;
    FundingPayload funding;
    SnapshotEndPayload snapshot_end;
    ImpliedPayload implied;
    GapPayload gap;
    CyclePayload cycle;
    uint8_t raw[88];
  };

  EventType kind() const { return (EventType)type; }
};

static_assert(sizeof(MarketEvent) == 128, "MarketEvent is a 128-byte wire record");

inline void clear_event(MarketEvent& e) { std::memset(&e, 0, sizeof e); }

inline const char* event_type_name(EventType t) {
  switch (t) {
    case EventType::instrument_definition: return "instrument_definition";
    case EventType::trading_status: return "trading_status";
    case EventType::order_put: return "order_put";
    case EventType::order_delete: return "order_delete";
    case EventType::implied_update: return "implied_update";
    case EventType::trade: return "trade";
    case EventType::trade_amend: return "trade_amend";
    case EventType::trade_bust: return "trade_bust";
    case EventType::trade_summary: return "trade_summary";
    case EventType::statistic: return "statistic";
    case EventType::funding_rate: return "funding_rate";
    case EventType::snapshot_start: return "snapshot_start";
    case EventType::snapshot_order: return "snapshot_order";
    case EventType::snapshot_end: return "snapshot_end";
    case EventType::end_of_cycle: return "end_of_cycle";
    case EventType::retransmit_reject: return "retransmit_reject";
    case EventType::sequence_gap: return "sequence_gap";
    default: return "none";
  }
}

}  // namespace pw
