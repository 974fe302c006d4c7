// core/market_state.hpp on hand-made events: InstrSeqNum gaps and stale incrementals, packet gaps,
// recovery from a snapshot, snapshots of synced books skipped, capacity errors, records only on
// change, and the market view the risk gate reads.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "core/funding_presets.hpp"
#include "core/market_state.hpp"

namespace {

using State = pw::MarketState<2, 8, 4>;
constexpr int64_t kT0 = 1795960680000000000LL;

struct Harness {
  std::unique_ptr<State> st = std::make_unique<State>();
  std::vector<pw::StateRecord> out;
  int64_t seq = 0;

  int apply(const pw::MarketEvent& e) {
    pw::StateRecord r[pw::kMaxRecordsPerEvent];
    const int n = st->apply(e, r);
    out.assign(r, r + n);
    return n;
  }
  const pw::StateRecord* find(pw::StateKind k) const {
    for (const auto& r : out)
      if (r.kind == (uint8_t)k) return &r;
    return nullptr;
  }
};

pw::MarketEvent base(pw::EventType t, int32_t id, uint32_t iseq, int64_t t_ns) {
  pw::MarketEvent e;
  std::memset(&e, 0, sizeof e);
  e.type = (uint8_t)t;
  e.instrument_id = id;
  e.channel_id = 1;
  e.instr_seq_num = iseq;
  e.seq_num = iseq;
  e.sending_time = t_ns;
  e.transact_time = t_ns;
  return e;
}

pw::MarketEvent put(int32_t id, uint32_t iseq, int64_t oid, int8_t side, int64_t px_units, int32_t qty) {
  pw::MarketEvent e = base(pw::EventType::order_put, id, iseq, kT0 + iseq * 1000);
  e.side = side;
  e.order.order_id = oid;
  e.order.price = px_units * pw::kPriceScale;
  e.order.quantity = qty;
  return e;
}

pw::MarketEvent snap_start(int32_t id, uint32_t last_iseq, int32_t orders, int64_t t) {
  pw::MarketEvent e = base(pw::EventType::snapshot_start, id, last_iseq, t);
  e.transact_time = pw::kNullI64;
  e.instrument.order_count = orders;
  e.instrument.contract_size = pw::kPriceScale / 100;
  e.instrument.tick_size = 5 * pw::kPriceScale;
  e.instrument.limit_down = pw::kNullI64;
  e.instrument.limit_up = pw::kNullI64;
  std::strcpy(e.instrument.symbol, "BIP-20DEC30-CDE");
  return e;
}

pw::MarketEvent snap_order(int32_t id, int64_t oid, int64_t px_units, int32_t qty, int64_t t) {
  pw::MarketEvent e = base(pw::EventType::snapshot_order, id, 0, t);
  e.transact_time = pw::kNullI64;
  e.order.order_id = oid;
  e.order.price = px_units * pw::kPriceScale;
  e.order.quantity = qty;
  return e;
}

pw::MarketEvent snap_end(int32_t id, int64_t t) {
  pw::MarketEvent e = base(pw::EventType::snapshot_end, id, 0, t);
  e.transact_time = pw::kNullI64;
  e.snapshot_end.last_trade_price = pw::kNullI64;
  e.snapshot_end.limit_down = pw::kNullI64;
  e.snapshot_end.limit_up = pw::kNullI64;
  e.snapshot_end.predicted_funding_rate = pw::kNullI64;
  e.snapshot_end.futures_mark = pw::kNullI64;
  e.snapshot_end.spot_mark = pw::kNullI64;
  e.snapshot_end.final_funding_rate = pw::kNullI64;
  e.snapshot_end.final_funding_time = pw::kNullI64;
  return e;
}

}  // namespace

TEST_CASE("an instrument seen from InstrSeqNum 1 is synced from the start; records come only on change") {
  Harness h;
  h.apply(put(1, 1, 100, 1, 95000, 3));
  const pw::StateRecord* s = h.find(pw::StateKind::sync);
  REQUIRE(s != nullptr);
  CHECK(s->sync.synced == 1);
  CHECK(s->sync.reason == (uint8_t)pw::SyncReason::start);
  const pw::StateRecord* top = h.find(pw::StateKind::book_top);
  REQUIRE(top != nullptr);
  CHECK(top->top.bid_price == 95000 * pw::kPriceScale);
  CHECK(top->top.bid_qty == 3);
  CHECK(top->top.synced == 1);
  CHECK(top->seq_num == 1);

  // A bid below the best changes nothing at the top: no book_top record.
  h.apply(put(1, 2, 101, 1, 94995, 1));
  CHECK(h.find(pw::StateKind::book_top) == nullptr);
  CHECK(h.find(pw::StateKind::sync) == nullptr);
  h.apply(put(1, 3, 102, -1, 95005, 2));
  REQUIRE(h.find(pw::StateKind::book_top) != nullptr);
  CHECK(h.find(pw::StateKind::book_top)->top.ask_price == 95005 * pw::kPriceScale);

  const pw::InstrumentMarket m = h.st->market(0);
  CHECK(m.synced == 1);
  CHECK(m.best_bid == 95000 * pw::kPriceScale);
  CHECK(m.best_ask == 95005 * pw::kPriceScale);
  CHECK(m.last_update == kT0 + 3000);
}

TEST_CASE("an InstrSeqNum jump unsyncs (fail closed) until a snapshot; older incrementals are skipped") {
  Harness h;
  h.apply(put(1, 1, 100, 1, 95000, 3));
  h.apply(put(1, 4, 101, 1, 95010, 1));  // 2 and 3 missing
  const pw::StateRecord* s = h.find(pw::StateKind::sync);
  REQUIRE(s != nullptr);
  CHECK(s->sync.synced == 0);
  CHECK(s->sync.reason == (uint8_t)pw::SyncReason::instr_seq_gap);
  CHECK(s->sync.first_missing == 2);
  CHECK(s->sync.last_missing == 3);
  CHECK(h.st->counters().instr_seq_gaps == 1);
  CHECK(h.st->market(0).synced == 0);
  // The top published while unsynced says so.
  REQUIRE(h.find(pw::StateKind::book_top) != nullptr);
  CHECK(h.find(pw::StateKind::book_top)->top.synced == 0);

  // Snapshot up to InstrSeqNum 6: one bid, one ask.
  const int64_t ts = kT0 + 10000;
  CHECK(h.apply(snap_start(1, 6, 2, ts)) == 0);  // no top while the snapshot builds
  h.apply(snap_order(1, 200, 95020, 5, ts));
  h.apply(snap_order(1, 201, 95030, 7, ts));
  h.apply(snap_end(1, ts));
  s = h.find(pw::StateKind::sync);
  REQUIRE(s != nullptr);
  CHECK(s->sync.synced == 1);
  CHECK(s->sync.reason == (uint8_t)pw::SyncReason::snapshot);
  const pw::StateRecord* top = h.find(pw::StateKind::book_top);
  REQUIRE(top != nullptr);
  CHECK(top->top.bid_price == 95020 * pw::kPriceScale);
  CHECK(top->top.ask_price == 95030 * pw::kPriceScale);
  CHECK(top->top.synced == 1);
  CHECK(h.st->counters().recoveries == 1);
  CHECK(std::strcmp(h.st->slot(0).symbol, "BIP-20DEC30-CDE") == 0);

  // InstrSeqNum 5 and 6 are in the snapshot: skipped. 7 follows.
  CHECK(h.apply(put(1, 5, 300, 1, 95025, 1)) == 0);
  CHECK(h.apply(put(1, 6, 301, 1, 95025, 1)) == 0);
  CHECK(h.st->counters().instr_seq_stale == 2);
  h.apply(put(1, 7, 302, 1, 95025, 4));
  REQUIRE(h.find(pw::StateKind::book_top) != nullptr);
  CHECK(h.find(pw::StateKind::book_top)->top.bid_price == 95025 * pw::kPriceScale);
  CHECK(h.st->market(0).synced == 1);
}

TEST_CASE("a snapshot of a synced book is skipped") {
  Harness h;
  h.apply(put(1, 1, 100, 1, 95000, 3));
  const int64_t ts = kT0 + 10000;
  h.apply(snap_start(1, 1, 1, ts));
  h.apply(snap_order(1, 999, 90000, 1, ts));
  h.apply(snap_end(1, ts));
  CHECK(h.st->counters().snapshots_skipped == 1);
  CHECK(h.st->slot(0).book.best_bid().price == 95000 * pw::kPriceScale);
  CHECK(h.st->slot(0).book.order_count() == 1);
}

TEST_CASE("a packet gap unsyncs every instrument of its channel, and only those") {
  Harness h;
  h.apply(put(1, 1, 100, 1, 95000, 3));
  pw::MarketEvent other = put(2, 1, 500, 1, 3400, 1);
  other.channel_id = 2;
  h.apply(other);
  pw::StateRecord r[State::capacity];
  const int n = h.st->packet_gap(1, 17, 19, kT0 + 5000, r);
  REQUIRE(n == 1);
  CHECK(r[0].instrument_id == 1);
  CHECK(r[0].sync.synced == 0);
  CHECK(r[0].sync.reason == (uint8_t)pw::SyncReason::packet_gap);
  CHECK(r[0].sync.first_missing == 17);
  CHECK(r[0].sync.last_missing == 19);
  CHECK(h.st->market(h.st->find(1)).synced == 0);
  CHECK(h.st->market(h.st->find(2)).synced == 1);
  // A second gap on an unsynced channel publishes nothing new.
  CHECK(h.st->packet_gap(1, 30, 30, kT0 + 6000, r) == 0);
}

TEST_CASE("capacity: more orders than the book holds unsync it (book_overflow); more instruments are counted") {
  Harness h;
  for (uint32_t i = 1; i <= 8; ++i) h.apply(put(1, i, 100 + i, 1, 95000 - (int64_t)(i % 4) * 5, 1));
  CHECK(h.st->market(0).synced == 1);
  h.apply(put(1, 9, 200, 1, 95000, 1));  // ninth order
  const pw::StateRecord* s = h.find(pw::StateKind::sync);
  REQUIRE(s != nullptr);
  CHECK(s->sync.synced == 0);
  CHECK(s->sync.reason == (uint8_t)pw::SyncReason::book_overflow);
  CHECK(s->sync.book_error == (uint8_t)pw::BookError::order_capacity);
  CHECK(h.st->counters().book_errors == 1);

  h.apply(put(2, 1, 1, 1, 3400, 1));
  CHECK(h.apply(put(3, 1, 1, 1, 3400, 1)) == 0);  // table of 2 instruments is full
  CHECK(h.st->counters().instruments_full == 1);
}

TEST_CASE("an instrument first seen after InstrSeqNum 1 waits for a snapshot") {
  Harness h;
  h.apply(put(1, 40, 100, 1, 95000, 3));
  const pw::StateRecord* s = h.find(pw::StateKind::sync);
  // It never was synced: no transition to publish, but the top says unsynced.
  CHECK(s == nullptr);
  REQUIRE(h.find(pw::StateKind::book_top) != nullptr);
  CHECK(h.find(pw::StateKind::book_top)->top.synced == 0);
  CHECK(h.st->market(0).synced == 0);
}

TEST_CASE("configured instruments take their parameters; the risk view follows the configured source") {
  Harness h;
  pw::MarkFundingParams p = pw::coinbase_preset();
  REQUIRE(h.st->add_instrument(7, 3, p, pw::kPriceScale / 100) == 0);
  CHECK(h.st->add_instrument(7, 3, p) == -1);  // repeated id
  pw::MarketEvent f = base(pw::EventType::funding_rate, 7, 1, kT0);
  f.channel_id = 3;
  f.funding.rate = 120000;
  f.funding.futures_mark = 95010 * pw::kPriceScale;
  f.funding.spot_mark = 95000 * pw::kPriceScale;
  f.funding.fair_value = pw::kNullI64;
  f.funding.final_time = kT0 + 120LL * 1000000000;
  f.funding.is_final = 0;
  h.apply(f);
  const pw::StateRecord* fr = h.find(pw::StateKind::funding);
  REQUIRE(fr != nullptr);
  CHECK(fr->funding.exchange == 120000);
  CHECK(fr->funding.exchange_mark == 95010 * pw::kPriceScale);
  // Coinbase preset: the risk gate reads the exchange's mark and rate.
  const pw::InstrumentMarket m = h.st->market(0);
  CHECK(m.mark == 95010 * pw::kPriceScale);
  CHECK(m.funding_rate == 120000);
  CHECK(m.contract_size == pw::kPriceScale / 100);
}

TEST_CASE("a silent instrument is published as stale until its next event") {
  Harness h;
  h.apply(put(1, 1, 100, 1, 95000, 3));
  pw::StateRecord r[State::capacity];
  CHECK(h.st->check_stale(kT0 + 1000 + 4000000000LL, 5000000000LL, r) == 0);  // 4 s: still fresh
  REQUIRE(h.st->check_stale(kT0 + 1000 + 6000000000LL, 5000000000LL, r) == 1);
  CHECK(r[0].sync.synced == 0);
  CHECK(r[0].sync.reason == (uint8_t)pw::SyncReason::stale);
  CHECK(h.st->market(0).synced == 0);
  CHECK(h.st->check_stale(kT0 + 1000 + 7000000000LL, 5000000000LL, r) == 0);  // said once
  h.apply(put(1, 2, 101, 1, 94995, 1));
  const pw::StateRecord* s = h.find(pw::StateKind::sync);
  REQUIRE(s != nullptr);
  CHECK(s->sync.synced == 1);
  CHECK(s->sync.reason == (uint8_t)pw::SyncReason::resumed);
  CHECK(h.st->market(0).synced == 1);
}
