// The market-state stage: per instrument, InstrSeqNum sequencing, sync state with recovery from the
// snapshot cycle, the order book (core/book.hpp) and the mark/funding engine (core/mark_funding.hpp).
// Events in, state records (core/state_records.hpp) out: every change of book top, mark, funding
// and sync state. One definition for the software path (host/pipeline/market_stage) and the HLS
// kernel (hls/market_state); the differential tests compare their records one for one.
//
// Sync (fail closed). An instrument is synced when its book is trusted (core/book.hpp) and its
// InstrSeqNum has been followed without a hole since it was first seen from InstrSeqNum 1 or since
// the last complete snapshot. It becomes unsynced on
//   packet_gap()          packets lost on both lines of its channel (reason packet_gap)
//   an InstrSeqNum jump   (reason instr_seq_gap; also when first seen after InstrSeqNum 1)
//   a book error          capacity (book_overflow) or an event the book cannot apply (book_error)
// and synced again by the next complete snapshot of it (reason snapshot). Separately, check_stale()
// publishes a synced instrument that has gone silent as unsynced (stale) until its next event. A snapshot of a synced
// instrument is skipped: its incremental state is as good and a snapshot is older. Incrementals at
// or below the snapshot's LastInstrSeqNum are already in the book and are skipped (counted).
//
// Every event still reaches the mark/funding engine (the exchange's funding values, the index and
// the clock do not depend on the book); samples of an untrusted book are not taken.
//
// Header-only C++17, synthesizable style: fixed arrays, no heap, fixed loop bounds.
#pragma once
#include <cstdint>
#include <cstring>

#include "core/book.hpp"
#include "core/events.hpp"
#include "core/funding_presets.hpp"
#include "core/mark_funding.hpp"
#include "core/risk_types.hpp"
#include "core/state_records.hpp"

namespace pw {

constexpr int kMaxRecordsPerEvent = 4;  // sync, book top, mark, funding

struct MarketStateCounters {
  uint64_t events;
  uint64_t ignored;              // events without an instrument (end of cycle, retransmit reject)
  uint64_t instruments_full;     // events of an instrument beyond the table's capacity (dropped)
  uint64_t instr_seq_gaps;
  uint64_t instr_seq_stale;      // incrementals already contained in the snapshot (skipped)
  uint64_t packet_gaps;
  uint64_t recoveries;           // snapshots that brought an instrument back in sync
  uint64_t snapshots_skipped;    // snapshot cycles of instruments already in sync
  uint64_t snapshots_failed;     // snapshots that ended without a trusted book
  uint64_t book_errors;          // events the book answered with an error (book.counters() by kind)
  uint64_t records;
};

// What the funding record was last computed from (MarketState::publish).
struct FundingInputs {
  int64_t rate, interval_end, final_rate, final_time;
  int64_t ex_rate, ex_futures_mark, ex_interval_end;
  uint8_t ex_is_final;
  uint8_t valid;  // 0: never computed (all-zero memory is "compute")
};

// One instrument's whole state.
template <int kOrders, int kLevels>
struct InstrumentSlot {
  using BookT = Book<kOrders, kLevels>;

  int32_t id;
  uint16_t channel;
  uint8_t defined;          // a definition or snapshot was seen
  uint8_t trading_status;
  char symbol[24];
  int64_t tick_size;

  // Sequencing and trust.
  uint8_t seen;             // an InstrSeqNum was followed
  uint8_t synced;           // published state
  uint8_t unsynced_reason;  // SyncReason to publish when the book stops being trusted
  uint8_t skip_snapshot;    // inside a snapshot that is skipped
  uint8_t stale;            // no event for longer than the staleness limit (published as unsynced)
  uint32_t last_instr_seq;
  int64_t first_missing;    // InstrSeqNum or packet SeqNum range of the latest gap
  int64_t last_missing;
  int64_t last_update;      // event time of the latest event applied
  uint64_t gaps;
  uint64_t recoveries;

  MarkFundingParams params;
  MarkFundingState mf;
  BookT book;

  // Last published values: records are written only on change.
  BookTopRecord top;
  MarkRecord mark;
  FundingRecord funding;
  FundingInputs funding_in;
};

template <int kInstruments, int kOrders, int kLevels>
class MarketState {
 public:
  using Slot = InstrumentSlot<kOrders, kLevels>;
  static constexpr int capacity = kInstruments;

  constexpr MarketState() { reset(); }

  // Forgets every instrument; `defaults` are the mark/funding parameters of instruments that
  // appear on the feed without having been added (the Coinbase Derivatives preset when null).
  constexpr void reset(const MarkFundingParams* defaults = nullptr) {
    count_ = 0;
    counters_ = MarketStateCounters{};
    defaults_ = defaults != nullptr ? *defaults : coinbase_preset();
  }

  // Adds a configured instrument (before the feed starts). Returns its slot, or −1 when the table
  // is full or the id is already present.
  int add_instrument(int32_t id, uint16_t channel, const MarkFundingParams& params, int64_t contract_size = 0) {
    if (find(id) >= 0 || count_ == kInstruments) return -1;
    Slot& s = slots_[count_];
    init_slot(s, id, channel, params, contract_size);
    return count_++;
  }

  int count() const { return count_; }
  const Slot& slot(int i) const { return slots_[i]; }
  const MarketStateCounters& counters() const { return counters_; }

  // The slot of an instrument id, or −1. Every slot compared, the match taken by a select (in
  // HLS: compared in parallel): the instrument varies from event to event, and an early exit
  // mispredicted on it.
  int find(int32_t id) const {
    int hit = -1;
    for (int i = kInstruments - 1; i >= 0; --i)
      if (i < count_) hit = slots_[i].id == id ? i : hit;
    return hit;
  }

  // Applies one event; writes the records it causes to out[0 … kMaxRecordsPerEvent) and returns
  // how many.
  int apply(const MarketEvent& e, StateRecord* out) {
    ++counters_.events;
    const EventType t = e.kind();
    if (t == EventType::none || t == EventType::end_of_cycle || t == EventType::retransmit_reject ||
        t == EventType::sequence_gap) {
      ++counters_.ignored;
      return 0;
    }
    int i = find(e.instrument_id);
    if (i < 0) {
      if (count_ == kInstruments) {
        ++counters_.instruments_full;
        return 0;
      }
      i = count_++;
      init_slot(slots_[i], e.instrument_id, e.channel_id, defaults_, 0);
    }
    Slot& s = slots_[i];
    const int64_t time = event_time(e);
    s.last_update = time;
    int n = 0;
    if (s.stale) {  // data again: the instrument is as trustworthy as its book
      s.stale = 0;
      if (s.synced) {
        begin(out[n], s, time, e.seq_num, StateKind::sync);
        out[n].sync.synced = 1;
        out[n].sync.reason = (uint8_t)SyncReason::resumed;
        ++n;
      }
    }

    const bool snapshot = t == EventType::snapshot_start || t == EventType::snapshot_order || t == EventType::snapshot_end;
    bool to_book = true;
    if (snapshot) {
      if (t == EventType::snapshot_start) {
        s.skip_snapshot = s.synced;
        if (s.synced) ++counters_.snapshots_skipped;
        else {
          // LastInstrSeqNum: every incremental up to it is in the snapshot.
          s.last_instr_seq = e.instr_seq_num;
          s.seen = 1;
        }
        take_definition(s, e.instrument);
      }
      to_book = !s.skip_snapshot;
      if (t == EventType::snapshot_end) s.skip_snapshot = 0;
    } else if (e.instr_seq_num != 0) {
      if (!s.seen) {
        s.seen = 1;
        if (e.instr_seq_num != 1) lose(s, SyncReason::instr_seq_gap, 1, (int64_t)e.instr_seq_num - 1);
      } else if (e.instr_seq_num <= s.last_instr_seq) {
        ++counters_.instr_seq_stale;
        return 0;
      } else if (e.instr_seq_num != s.last_instr_seq + 1) {
        ++counters_.instr_seq_gaps;
        lose(s, SyncReason::instr_seq_gap, (int64_t)s.last_instr_seq + 1, (int64_t)e.instr_seq_num - 1);
      }
      s.last_instr_seq = e.instr_seq_num;
      if (t == EventType::instrument_definition) take_definition(s, e.instrument);
      if (t == EventType::trading_status) s.trading_status = e.status.trading_status;
    }

    on_time(s.mf, s.params, s.book, time);
    if (to_book) {
      const BookError r = s.book.apply(e);
      if (r != BookError::ok) {
        ++counters_.book_errors;
        if (!s.book.trusted() && s.synced)
          s.unsynced_reason = (uint8_t)(s.book.overflowed() ? SyncReason::book_overflow : SyncReason::book_error);
      }
    }
    on_event(s.mf, s.params, e);

    // Sync transitions.
    const bool trusted = s.book.trusted() && s.seen;
    if (trusted != (s.synced != 0)) {
      SyncReason why = (SyncReason)s.unsynced_reason;
      if (trusted) {
        why = t == EventType::snapshot_end ? SyncReason::snapshot : SyncReason::start;
        if (why == SyncReason::snapshot) {
          ++counters_.recoveries;
          ++s.recoveries;
        }
      }
      s.synced = trusted ? 1 : 0;
      begin(out[n], s, time, e.seq_num, StateKind::sync);
      out[n].sync.synced = s.synced;
      out[n].sync.reason = (uint8_t)why;
      out[n].sync.book_error = (uint8_t)s.book.broken_reason();
      if (!trusted && why != SyncReason::book_overflow && why != SyncReason::book_error) {
        out[n].sync.first_missing = s.first_missing;
        out[n].sync.last_missing = s.last_missing;
      }
      ++n;
    }
    if (t == EventType::snapshot_end && to_book && !trusted) ++counters_.snapshots_failed;

    n += publish(s, e, time, out + n);
    counters_.records += (uint64_t)n;
    return n;
  }

  // Packets first_missing … last_missing of `channel` were lost on every line: each instrument of
  // the channel is unsynced until its next snapshot. Writes up to kInstruments sync records, stamped
  // with the channel's latest event time (the same on every backend, whenever each declares the
  // hole; `time`, the declaration time, only when the channel has had no event yet).
  int packet_gap(uint16_t channel, int64_t first_missing, int64_t last_missing, int64_t time, StateRecord* out) {
    ++counters_.packet_gaps;
    int64_t latest = kNullI64;
    for (int i = 0; i < kInstruments; ++i)
      if (i < count_ && slots_[i].channel == channel && slots_[i].last_update > latest) latest = slots_[i].last_update;
    if (latest != kNullI64) time = latest;
    int n = 0;
    for (int i = 0; i < kInstruments; ++i) {
      if (i >= count_) break;
      Slot& s = slots_[i];
      if (s.channel != channel) continue;
      ++s.gaps;
      s.skip_snapshot = 0;
      s.first_missing = first_missing;
      s.last_missing = last_missing;
      if (s.book.trusted()) s.unsynced_reason = (uint8_t)SyncReason::packet_gap;
      s.book.mark_unsynced();
      if (!s.synced) continue;
      s.synced = 0;
      StateRecord& r = out[n++];
      begin(r, s, time, first_missing, StateKind::sync);
      r.sync.reason = (uint8_t)SyncReason::packet_gap;
      r.sync.first_missing = first_missing;
      r.sync.last_missing = last_missing;
    }
    counters_.records += (uint64_t)n;
    return n;
  }

  // Staleness: every synced instrument without an event for longer than `limit_ns` at time `now`
  // is published as unsynced (reason stale) until its next event (reason resumed). Writes up to
  // kInstruments records.
  int check_stale(int64_t now, int64_t limit_ns, StateRecord* out) {
    int n = 0;
    for (int i = 0; i < kInstruments; ++i) {
      if (i >= count_) break;
      Slot& s = slots_[i];
      if (!s.synced || s.stale || s.last_update == kNullI64 || now - s.last_update <= limit_ns) continue;
      s.stale = 1;
      StateRecord& r = out[n++];
      begin(r, s, now, 0, StateKind::sync);
      r.sync.reason = (uint8_t)SyncReason::stale;
    }
    counters_.records += (uint64_t)n;
    return n;
  }

  // What the risk gate reads for slot i.
  InstrumentMarket market(int i) const {
    const Slot& s = slots_[i];
    InstrumentMarket m;
    std::memset(&m, 0, sizeof m);
    m.mark = risk_mark(s.mf, s.params);
    m.best_bid = s.top.bid_price;
    m.best_ask = s.top.ask_price;
    m.limit_down = s.mf.limit_down;
    m.limit_up = s.mf.limit_up;
    m.contract_size = s.mf.contract_size;
    m.funding_rate = risk_funding_rate(s.mf, s.params);
    m.last_update = s.last_update;
    m.tradable = s.defined;
    m.trading_status = s.trading_status;
    m.synced = s.synced && !s.stale;
    return m;
  }

 private:
  void init_slot(Slot& s, int32_t id, uint16_t channel, const MarkFundingParams& params, int64_t contract_size) {
    s.id = id;
    s.channel = channel;
    s.defined = 0;
    s.trading_status = 0;
    std::memset(s.symbol, 0, sizeof s.symbol);
    s.tick_size = kNullI64;
    s.seen = 0;
    s.synced = 0;
    s.unsynced_reason = (uint8_t)SyncReason::none;
    s.skip_snapshot = 0;
    s.stale = 0;
    s.last_instr_seq = 0;
    s.first_missing = s.last_missing = 0;
    s.last_update = kNullI64;
    s.gaps = s.recoveries = 0;
    s.params = params;
    mark_funding_init(s.mf, contract_size);
    // The fresh state's records right after its init: the compiler sees that no funding rate is
    // known yet and drops fill_funding_record's divisions from this path.
    std::memset(&s.mark, 0, sizeof s.mark);
    fill_mark_record(s.mf, s.mark);
    std::memset(&s.funding, 0, sizeof s.funding);
    fill_funding_record(s.mf, s.funding);
    s.funding_in.valid = 0;
    s.book.reset();
    std::memset(&s.top, 0, sizeof s.top);  // records are compared bytewise, padding included
    s.top.bid_price = s.top.ask_price = kNullI64;
    s.top.bid_qty = s.top.ask_qty = 0;
    s.top.synced = 0;
  }

  static void take_definition(Slot& s, const InstrumentPayload& d) {
    s.defined = 1;
    std::memcpy(s.symbol, d.symbol, sizeof s.symbol);
    s.symbol[sizeof s.symbol - 1] = 0;
    if (d.tick_size != kNullI64) s.tick_size = d.tick_size;
    s.book.set_tick(s.tick_size);
    s.trading_status = d.trading_status;
  }

  void lose(Slot& s, SyncReason why, int64_t first, int64_t last) {
    ++s.gaps;
    if (s.book.trusted()) s.unsynced_reason = (uint8_t)why;
    s.first_missing = first;
    s.last_missing = last;
    s.book.mark_unsynced();
  }

  static void begin(StateRecord& r, const Slot& s, int64_t time, int64_t seq_num, StateKind k) {
    clear_record(r);
    r.kind = (uint8_t)k;
    r.instrument_id = s.id;
    r.time = time;
    r.seq_num = seq_num;
  }

  static void set_top(BookTopRecord& r, int64_t bid, int64_t ask, int32_t bid_qty, int32_t ask_qty, uint8_t synced) {
    r.bid_price = bid;
    r.ask_price = ask;
    r.bid_qty = bid_qty;
    r.ask_qty = ask_qty;
    r.synced = synced;
  }

  // Field-by-field equality of the published records (no memcmp: the kernel path has none; the
  // records' padding stays zero because a record is only ever replaced whole by a cleared one).
  static bool same_mark(const MarkRecord& a, const MarkRecord& b) {
    return a.mark == b.mark && a.index == b.index && a.impact_bid == b.impact_bid && a.impact_ask == b.impact_ask &&
           a.premium == b.premium && a.mid == b.mid;
  }
  static bool same_funding(const FundingRecord& a, const FundingRecord& b) {
    return a.ours == b.ours && a.exchange == b.exchange && a.diff_e2bps == b.diff_e2bps && a.exchange_mark == b.exchange_mark &&
           a.interval_end == b.interval_end && a.is_final == b.is_final;
  }

  // The funding record is a function of these state fields alone (fill_funding_record): while none
  // of them moved, the record cannot have changed and its divisions (the differences in basis
  // points) are not computed. They move on sample ticks, interval boundaries and the exchange's
  // funding messages, not per book event.
  static bool funding_inputs_same(const MarkFundingState& m, const FundingInputs& f) {
    return m.rate == f.rate && m.interval_end == f.interval_end && m.final_rate == f.final_rate && m.final_time == f.final_time &&
           m.ex_rate == f.ex_rate && m.ex_futures_mark == f.ex_futures_mark && m.ex_interval_end == f.ex_interval_end &&
           m.ex_is_final == f.ex_is_final;
  }
  static void take_funding_inputs(const MarkFundingState& m, FundingInputs& f) {
    f.rate = m.rate;
    f.interval_end = m.interval_end;
    f.final_rate = m.final_rate;
    f.final_time = m.final_time;
    f.ex_rate = m.ex_rate;
    f.ex_futures_mark = m.ex_futures_mark;
    f.ex_interval_end = m.ex_interval_end;
    f.ex_is_final = m.ex_is_final;
    f.valid = 1;
  }

  // Book top (not while a snapshot is being built), mark and funding, each when it changed.
  int publish(Slot& s, const MarketEvent& e, int64_t time, StateRecord* out) {
    int n = 0;
    if (!s.book.in_snapshot()) {
      // Compared and written field by field from registers: a record built in memory and read
      // back whole right away stalls the CPU on store forwarding (narrow stores, wide loads). The
      // padding of s.top stays as init_slot cleared it, that of out[n] as begin() did.
      const BookLevel b = s.book.best_bid();
      const BookLevel a = s.book.best_ask();
      const int32_t bq = b.price == kNullI64 ? 0 : (int32_t)b.qty;
      const int32_t aq = a.price == kNullI64 ? 0 : (int32_t)a.qty;
      if (b.price != s.top.bid_price || a.price != s.top.ask_price || bq != s.top.bid_qty || aq != s.top.ask_qty ||
          s.synced != s.top.synced) {
        set_top(s.top, b.price, a.price, bq, aq, s.synced);
        begin(out[n], s, time, e.seq_num, StateKind::book_top);
        set_top(out[n++].top, b.price, a.price, bq, aq, s.synced);
      }
    }
    MarkRecord m;
    std::memset(&m, 0, sizeof m);
    fill_mark_record(s.mf, m);
    if (!same_mark(m, s.mark)) {
      s.mark = m;
      begin(out[n], s, time, e.seq_num, StateKind::mark);
      out[n++].mark = m;
    }
    if (!s.funding_in.valid || !funding_inputs_same(s.mf, s.funding_in)) {
      take_funding_inputs(s.mf, s.funding_in);
      FundingRecord f;
      std::memset(&f, 0, sizeof f);
      fill_funding_record(s.mf, f);
      if (!same_funding(f, s.funding)) {
        s.funding = f;
        begin(out[n], s, time, e.seq_num, StateKind::funding);
        out[n++].funding = f;
      }
    }
    return n;
  }

  Slot slots_[kInstruments]{};
  int count_ = 0;
  MarkFundingParams defaults_{};
  MarketStateCounters counters_{};
};

}  // namespace pw
