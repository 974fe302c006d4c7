// The one input stream of pretrade_risk: every record the risk gate acts on — a market update, an
// exchange answer, an order request — in a single sequence, each with its sequence number. The
// order of that sequence is the order the gate applies them in, on the card as in the software
// path: nothing is decided by which FIFO happened to fill first. On the card `risk_merge` builds
// the sequence from the three sources and logs it; the host replays the log to run the software
// path in the same order. Each decision carries the sequence number of its order request.
#pragma once
#include <cstdint>
#include <cstring>

#include "core/risk_types.hpp"
#include "hls/common/record_pack.hpp"
#include "hls/market_state/market_state.hpp"

namespace pw {
namespace hlsk {

enum class ExchangeKind : uint8_t {
  entered = 1,         // on_entered(client_order_id)
  fill = 2,            // on_fill(client_order_id, qty, price, time)
  canceled = 3,        // on_cancel(client_order_id)
  rejected = 4,        // on_reject(client_order_id)
  replaced = 5,        // on_replace(client_order_id)
  untracked_fill = 6,  // on_untracked_fill(account, instrument, side, qty, price, time)
  funding = 7,         // apply_funding(instrument, mark, rate)
  new_day = 8,         // reset_daily()
};

struct ExchangeEvent {
  int64_t client_order_id;
  int64_t qty;
  int64_t price;       // fill price
  int64_t mark;        // funding
  int64_t rate;        // funding
  int64_t time;        // fill, untracked_fill: the exchange's transact time, ns since the epoch (fill-rate throttle)
  uint8_t kind;        // ExchangeKind
  int8_t side;         // untracked_fill
  uint16_t account;    // untracked_fill
  uint16_t instrument; // untracked_fill, funding
  uint16_t reserved;
};
static_assert(sizeof(ExchangeEvent) == 56, "ExchangeEvent is a 56-byte record");
typedef RecordWordOf<ExchangeEvent>::type ExchangeWord;    // 448 bits
typedef RecordWordOf<OrderRequest>::type OrderWord;        // 320 bits

enum RiskInputKind : uint8_t {
  kInputNone = 0,      // all-zero: not a record
  kInputMarket = 1,    // payload: MarketUpdate
  kInputExchange = 2,  // payload: ExchangeEvent
  kInputOrder = 3,     // payload: OrderRequest
  kInputControl = 4,   // payload: ControlApply
};

// The in-band half of a control operation (limits, cash, carried positions, kill switches, reset).
// The operation itself is too large for a stream record: it waits in pretrade_risk's s_axilite
// registers, tagged with a version. This record, numbered in the sequence like any other input,
// says where it takes effect; every decision carries the version of the last operation applied
// before it, so the card and the software path agree on which limits each order met.
struct ControlApply {
  uint32_t version;
  uint32_t reserved;
};
static_assert(sizeof(ControlApply) == 8, "ControlApply is an 8-byte record");
typedef RecordWordOf<ControlApply>::type ControlWord;  // 64 bits

constexpr int kRiskPayloadBytes = 80;  // the largest payload, MarketUpdate
static_assert(sizeof(MarketUpdate) <= kRiskPayloadBytes && sizeof(ExchangeEvent) <= kRiskPayloadBytes &&
                  sizeof(OrderRequest) <= kRiskPayloadBytes,
              "every input record fits the payload");

struct RiskInput {
  uint64_t seq;        // position in the sequence (from 1 after a reset)
  uint8_t kind;        // RiskInputKind
  uint8_t reserved[7];
  uint8_t payload[kRiskPayloadBytes];  // the record's bytes, zero beyond its size
};
static_assert(sizeof(RiskInput) == 96, "RiskInput is a 96-byte record");
typedef RecordWordOf<RiskInput>::type RiskInputWord;  // 768 bits

// A decision, the sequence number of the order request it answers and the version of the control
// operations (limits, kill switches…) it was checked against.
struct SequencedDecision {
  uint64_t seq;
  RiskDecision decision;
  uint32_t limits_version;  // ControlApply::version of the last operation applied before the order
  uint32_t reserved;
};
static_assert(sizeof(SequencedDecision) == 48, "SequencedDecision is a 48-byte record");
typedef RecordWordOf<SequencedDecision>::type DecisionWord;  // 384 bits

// One line of the merge log: which record took sequence number `seq` (the market's slot, or the
// client order id of an answer or an order), so that the host can replay the same order.
struct MergeLogEntry {
  uint64_t seq;
  uint8_t kind;        // RiskInputKind
  uint8_t reserved[3];
  uint32_t slot;       // kInputMarket: the market's slot; kInputControl: the operation's version
  int64_t client_order_id;  // kInputExchange, kInputOrder
};
static_assert(sizeof(MergeLogEntry) == 24, "MergeLogEntry is a 24-byte record");
typedef RecordWordOf<MergeLogEntry>::type MergeLogWord;  // 192 bits

template <typename T>
inline RiskInput risk_input(uint64_t seq, RiskInputKind kind, const T& record) {
  RiskInput in;
  std::memset(&in, 0, sizeof in);
  in.seq = seq;
  in.kind = kind;
  std::memcpy(in.payload, &record, sizeof(T));
  return in;
}

template <typename T>
inline void risk_payload(const RiskInput& in, T& record) {
  std::memcpy(&record, in.payload, sizeof(T));
}

}  // namespace hlsk
}  // namespace pw
