// market_state: normalized MarketEvent words (from feed_decode) and packet-gap notices -> state
// records (book top, mark, funding, sync) and the per-instrument market the risk gate reads.
//
// One kernel for the book and mark/funding: core/market_state.hpp, unchanged, holds both, because
// the premium and moving-average samples due before an event are taken from the book as it stood
// before that event (on_time, then book.apply, then on_event). Split in two, the book kernel would
// have to ship its pre-event impact prices and mid with every event, computed with the mark
// kernel's parameters and contract size — the mark kernel's state leaking back into the book's.
// See docs/hls.md.
//
// Input stream contract: one 1024-bit word per MarketEvent (event_pack.hpp), in feed order. A
// packet-gap notice (packets first…last of a channel lost on both lines) travels in the same
// stream, in its place between the events, as an event word of type sequence_gap (the decoder
// never emits that type): channel_id = the channel, gap.expected_seq = first, gap.received_seq =
// last + 1, sending_time = the time the gap was declared. In-band, the notice keeps its position
// relative to every event — the state log's record order depends on it.
#pragma once
#include <cstdint>

#include "core/events.hpp"
#include "core/market_state.hpp"
#include "core/risk_types.hpp"
#include "core/state_records.hpp"
#include "hls/common/event_pack.hpp"
#include "hls/common/gap_notice.hpp"
#include "hls/common/record_pack.hpp"
#include "perpwire_hls/hls_compat.hpp"

namespace pw {
namespace hlsk {

// Capacities. The generated sessions (`perpwire gen`, 0.3–3 M events, 30 min–24 h) peak at 318
// resting orders and 25 price levels per side in one book, 2 instruments; these leave 3× and 5×
// headroom. Exceeding one is a counted book_overflow (the instrument goes unsynced), never a fault.
constexpr int kMarketInstruments = 8;
constexpr int kMarketOrders = 1024;   // resting orders per book (hash index of 2048 slots)
constexpr int kMarketLevels = 128;    // price levels per side
typedef MarketState<kMarketInstruments, kMarketOrders, kMarketLevels> KernelMarketState;

// Records out per input word: an event writes ≤ kMaxRecordsPerEvent, a gap notice ≤ one per instrument.
constexpr int kMarketRecordsPerWord = kMarketInstruments > kMaxRecordsPerEvent ? kMarketInstruments : kMaxRecordsPerEvent;

typedef RecordWordOf<StateRecord>::type RecordWord;  // 576 bits

// The market of one instrument slot for the risk gate: slot = the market-state slot (configured
// instruments first, in the order they were added; then instruments as they appear on the feed).
struct MarketUpdate {
  uint32_t slot;
  uint32_t reserved;
  InstrumentMarket market;
};
static_assert(sizeof(MarketUpdate) == 80, "MarketUpdate is an 80-byte record");
typedef RecordWordOf<MarketUpdate>::type MarketWord;  // 640 bits

// Control (s_axilite, read at every call). The kernel is free-running (ap_ctrl_none): it never
// stops while the feed runs. An operation runs once, when `seq` changes — the host writes the
// operation's fields first and `seq` last (AXI-Lite writes arrive in order), then waits for
// `status.op_seq == seq`. `emit_markets` is a setting, read at every call.
enum MarketOp : uint32_t {
  kMarketNop = 0,            // power-up value of the registers: nothing to run
  kMarketReset = 1,          // forget every instrument; `params` = defaults of instruments not added
  kMarketAddInstrument = 2,  // add instrument_id / channel / params / contract_size
  kMarketReadSlot = 3,       // status.slot_* = slot `slot`
};

struct MarketControl {
  uint32_t seq;           // doorbell: a new value runs `op` once (0 at power-up: none has run)
  uint32_t op;            // MarketOp
  int32_t instrument_id;  // kMarketAddInstrument
  uint16_t channel;
  uint8_t emit_markets;   // write MarketUpdate words (0: the markets stream is unused)
  uint8_t reserved;
  int64_t contract_size;  // kMarketAddInstrument (0: from the feed)
  uint32_t slot;          // kMarketReadSlot
  uint32_t reserved2;
  MarkFundingParams params;
};

struct MarketStatus {
  uint32_t op_seq;       // `seq` of the last operation run
  int32_t result;        // its answer: kMarketAddInstrument: the slot, or −1
  int32_t count;         // instruments in the table
  uint32_t words;        // input words consumed since the last reset (modulo 2³²)
  uint32_t records;      // records written since the last reset
  uint32_t markets;      // market updates written since the last reset
  MarketStateCounters counters;  // since the last reset
  int32_t slot_id;       // kMarketReadSlot
  uint16_t slot_channel;
  uint8_t slot_synced;
  uint8_t slot_defined;
  char slot_symbol[24];
};


}  // namespace hlsk
}  // namespace pw

// Free-running stream kernel (ap_ctrl_none): the platform calls it again forever. A call runs the
// operation `ctl` rings for (a new `seq`), or else takes one input word when one is there and
// writes its records (and market updates); `status` is current after every call.
extern "C" void market_state(hls::stream<pw::hlsk::EventWord>& events, hls::stream<pw::hlsk::RecordWord>& records,
                             hls::stream<pw::hlsk::MarketWord>& markets, const pw::hlsk::MarketControl& ctl,
                             pw::hlsk::MarketStatus& status);
