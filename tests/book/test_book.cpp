// Unit tests of core/book.hpp and core/impact_price.hpp (the order index: tests/core/test_id_map.cpp):
// every query, every
// error path, the snapshot side convention (on the real capture too), and the impact price
// examples of docs/formulas.md.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#include "core/book.hpp"
#include "core/md_decode.hpp"
#include "core/md_normalize.hpp"
#include "core/net_parse.hpp"
#include "tests/book/book_reference.hpp"

using namespace pw;
using namespace pw::test;

namespace {

using SmallBook = Book<64, 16>;
constexpr int64_t kCs = 10000000;  // 0.01 BTC per contract

// Book A of docs/formulas.md: after the trade of 2 contracts against order 102.
template <class B>
void build_book_a(B& b) {
  REQUIRE(b.apply(ev_put(101, kBid, usd(95000), 6)) == BookError::ok);
  REQUIRE(b.apply(ev_put(102, kBid, usd(95000), 6)) == BookError::ok);
  REQUIRE(b.apply(ev_put(103, kBid, usd(94990), 5)) == BookError::ok);
  REQUIRE(b.apply(ev_put(104, kBid, usd(94990), 5)) == BookError::ok);
  REQUIRE(b.apply(ev_put(105, kBid, usd(94990), 10)) == BookError::ok);
  REQUIRE(b.apply(ev_put(106, kBid, usd(94950), 50)) == BookError::ok);
  REQUIRE(b.apply(ev_put(201, kAsk, usd(95010), 8)) == BookError::ok);
  REQUIRE(b.apply(ev_put(202, kAsk, usd(95020), 10)) == BookError::ok);
  REQUIRE(b.apply(ev_put(203, kAsk, usd(95020), 5)) == BookError::ok);
  REQUIRE(b.apply(ev_put(204, kAsk, usd(95060), 40)) == BookError::ok);
  REQUIRE(b.apply(ev_trade(102, 9001, usd(95000), 2)) == BookError::ok);
}

void check_level(const BookLevel& l, int64_t price, int64_t qty, int32_t count) {
  CHECK(l.price == price);
  CHECK(l.qty == qty);
  CHECK(l.count == count);
}

}  // namespace

TEST_CASE("empty book") {
  auto b = std::make_unique<SmallBook>();
  CHECK(b->trusted());
  CHECK(b->best_bid().price == kNullI64);
  CHECK(b->best_ask().price == kNullI64);
  CHECK(b->mid() == kNullI64);
  CHECK(b->level_count(kBid) == 0);
  CHECK(b->order_count() == 0);
  BookLevel out[4];
  CHECK(b->top_levels(kBid, out, 4) == 0);
  CHECK(b->impact_bid(usd(100), kCs) == kNullI64);
  CHECK(b->impact_ask(usd(100), kCs) == kNullI64);
}

TEST_CASE("worked example: book A levels, BBO, mid, impact prices") {
  auto b = std::make_unique<SmallBook>();
  build_book_a(*b);
  CHECK(b->trusted());
  CHECK(b->order_count() == 10);
  check_level(b->best_bid(), usd(95000), 10, 2);
  check_level(b->best_ask(), usd(95010), 8, 1);
  CHECK(b->mid() == 95005000000000);
  BookLevel bids[8], asks[8];
  REQUIRE(b->top_levels(kBid, bids, 8) == 3);
  check_level(bids[0], usd(95000), 10, 2);
  check_level(bids[1], usd(94990), 20, 3);
  check_level(bids[2], usd(94950), 50, 1);
  REQUIRE(b->top_levels(kAsk, asks, 2) == 2);  // N smaller than the depth
  check_level(asks[0], usd(95010), 8, 1);
  check_level(asks[1], usd(95020), 15, 2);
  check_level(b->level(kAsk, 2), usd(95060), 40, 1);
  CHECK(b->level(kAsk, 3).price == kNullI64);
  CHECK(b->level(kAsk, -1).price == kNullI64);
  // docs/formulas.md §1: 10,000 USD, 0.01 BTC per contract
  CHECK(b->impact_bid(usd(10000), kCs) == 94999499949994);  // 949,900,000 / 9,999, rounded down
  CHECK(b->impact_ask(usd(10000), kCs) == 95012399008080);  // 1,187,750,000 / 12,501, rounded up
  // cannot fill: the bids hold 9,500 + 18,998 + 47,475 = 75,973 USD
  CHECK(b->impact_bid(usd(75973), kCs) == 94966250000000);  // every level exactly: 75,973 / 0.8 BTC
  CHECK(b->impact_bid(usd(75974), kCs) == kNullI64);
  CHECK(b->impact_bid(0, kCs) == kNullI64);
  CHECK(b->impact_bid(-usd(5), kCs) == kNullI64);
  CHECK(b->impact_bid(usd(5), 0) == kNullI64);
}

TEST_CASE("impact: exact fills, a single partial level, per-contract prices") {
  auto b = std::make_unique<SmallBook>();
  b->put(1, kBid, usd(100), 10);
  b->put(2, kBid, usd(90), 10);
  b->put(3, kAsk, usd(110), 10);
  // contract size 1: level notionals 1,000 and 900
  CHECK(b->impact_bid(usd(1000), kPriceScale) == usd(100));   // the first level exactly
  CHECK(b->impact_bid(usd(500), kPriceScale) == usd(100));    // inside the first level
  CHECK(b->impact_bid(usd(1900), kPriceScale) == 95000000000);  // both levels exactly: 1900 / 20
  // 1,450: 10 at 100 + 450/90 = 5 at 90 → 1,450 / 15 = 96.666…
  CHECK(b->impact_bid(usd(1450), kPriceScale) == 96666666666);
  CHECK(b->impact_ask(usd(1100), kPriceScale) == usd(110));
  CHECK(b->impact_ask(usd(1101), kPriceScale) == kNullI64);
  // rounding: the ask side rounds up, the bid side down
  b->put(4, kAsk, usd(120), 10);
  // 1,450: 10 at 110 + 350/120 at 120 → 1,450 / 12.91666… = 112.2580645161…, rounded up
  CHECK(b->impact_ask(usd(1450), kPriceScale) == 112258064517);
}

TEST_CASE("impact: products past 128 bits take the 192-bit division") {
  // $2,000,000.05 × 300 and $1,999,990 × 1,000 bids, 1 unit per contract, $800,000,000:
  // T·p needs 141 bits. Expected values: exact fractions (docs/formulas.md §1).
  auto b = std::make_unique<SmallBook>();
  b->put(1, kBid, 2000000050000000, 300);
  b->put(2, kBid, usd(1999990), 1000);
  b->put(3, kAsk, usd(2000010), 250);
  b->put(4, kAsk, 2000020500000000, 2000);
  CHECK(b->impact_bid(usd(800000000), kPriceScale) == 1999997537490719);
  CHECK(b->impact_ask(usd(800000000), kPriceScale) == 2000013937454268);
}

TEST_CASE("impact: walk fails on non-positive prices") {
  ImpactWalk w;
  w.init(1, usd(100), kPriceScale);
  CHECK(w.add_level(0, 5));
  CHECK(w.result() == kNullI64);
  w.init(-1, usd(100), kPriceScale);
  CHECK(!w.add_level(usd(10), 5));
  CHECK(w.add_level(-usd(10), 5));
  CHECK(w.result() == kNullI64);
  w.init(-1, usd(100), kPriceScale);
  CHECK(!w.add_level(usd(10), 5));
  CHECK(w.result() == kNullI64);  // not filled yet
}

TEST_CASE("replace: quantity in place, new price, new side") {
  auto b = std::make_unique<SmallBook>();
  b->put(1, kBid, usd(100), 10);
  b->put(2, kBid, usd(100), 5);
  CHECK(b->put(1, kBid, usd(100), 3) == BookError::ok);  // same price: quantity only
  check_level(b->best_bid(), usd(100), 8, 2);
  CHECK(b->put(1, kBid, usd(101), 4) == BookError::ok);  // new price: a new best level
  check_level(b->best_bid(), usd(101), 4, 1);
  check_level(b->level(kBid, 1), usd(100), 5, 1);
  CHECK(b->put(1, kAsk, usd(102), 7) == BookError::ok);  // side change
  CHECK(b->level_count(kBid) == 1);
  check_level(b->best_ask(), usd(102), 7, 1);
  CHECK(b->order(1)->side == kAsk);
  CHECK(b->counters().adds == 2);
  CHECK(b->counters().replaces == 3);
  CHECK(b->trusted());
}

TEST_CASE("delete and unknown ids") {
  auto b = std::make_unique<SmallBook>();
  b->put(1, kBid, usd(100), 10);
  CHECK(b->remove(2) == BookError::unknown_order);
  CHECK(b->apply(ev_delete(kNullI64)) == BookError::unknown_order);
  CHECK(b->counters().unknown_order == 2);
  CHECK(b->trusted());  // counted, not an error that stops anything
  CHECK(b->apply(ev_delete(1)) == BookError::ok);
  CHECK(b->order_count() == 0);
  CHECK(b->level_count(kBid) == 0);
  CHECK(b->counters().deletes == 1);
}

TEST_CASE("trades reduce the resting side") {
  auto b = std::make_unique<SmallBook>();
  b->put(1, kBid, usd(100), 10);
  b->put(2, kAsk, usd(101), 4);
  CHECK(b->apply(ev_trade(1, 77, usd(100), 3)) == BookError::ok);  // sell aggressor 77 does not rest
  check_level(b->best_bid(), usd(100), 7, 1);
  CHECK(b->apply(ev_trade(78, 2, usd(101), 4)) == BookError::ok);  // fills the ask exactly
  CHECK(b->best_ask().price == kNullI64);
  CHECK(b->order(2) == nullptr);
  CHECK(b->apply(ev_trade(78, 79, usd(101), 4)) == BookError::unknown_order);
  CHECK(b->counters().unknown_order == 1);
  CHECK(b->apply(ev_trade(1, 80, usd(100), 9)) == BookError::trade_overfill);  // 9 > 7: removed, counted
  CHECK(b->order_count() == 0);
  CHECK(b->counters().trade_overfill == 1);
  CHECK(b->trusted());
  // both ids resting: both reduced
  b->put(3, kBid, usd(100), 5);
  b->put(4, kAsk, usd(100), 6);
  CHECK(b->trade(3, 4, 2) == BookError::ok);
  CHECK(b->order(3)->qty == 3);
  CHECK(b->order(4)->qty == 4);
  CHECK(b->counters().trades == 4);
  // no quantity: invalid
  CHECK(b->trade(3, 4, 0) == BookError::invalid_event);
  CHECK(!b->trusted());
}

TEST_CASE("invalid events make the book untrusted until the next snapshot") {
  for (int v = 0; v < 4; ++v) {
    auto b = std::make_unique<SmallBook>();
    BookError e = BookError::ok;
    if (v == 0) e = b->put(1, kBid, usd(1), 0);
    if (v == 1) e = b->put(1, 0, usd(1), 1);
    if (v == 2) e = b->put(1, kBid, kNullI64, 1);
    if (v == 3) e = b->put(kNullI64, kBid, usd(1), 1);
    CHECK(e == BookError::invalid_event);
    CHECK(!b->trusted());
    CHECK(b->broken_reason() == BookError::invalid_event);
    CHECK(b->counters().invalid_event == 1);
    CHECK(b->order_count() == 0);
    b->apply(ev_snapshot_start(0));
    CHECK(!b->trusted());  // in the middle of the snapshot
    b->apply(ev_snapshot_end());
    CHECK(b->trusted());
  }
}

TEST_CASE("order capacity: counted, reported, untrusted, recovered by a snapshot") {
  auto b = std::make_unique<Book<4, 8>>();
  for (int i = 0; i < 4; ++i) CHECK(b->put(i + 1, kBid, usd(100 - i), 1) == BookError::ok);
  CHECK(b->put(5, kBid, usd(90), 1) == BookError::order_capacity);
  CHECK(b->overflowed());
  CHECK(!b->trusted());
  CHECK(b->counters().order_capacity == 1);
  CHECK(b->order_count() == 4);
  CHECK(b->order(5) == nullptr);
  // still usable: replaces and deletes work, and a second overflow is counted too
  CHECK(b->put(1, kBid, usd(99), 2) == BookError::ok);
  CHECK(b->put(6, kAsk, usd(120), 1) == BookError::order_capacity);
  CHECK(b->counters().order_capacity == 2);
  CHECK(b->broken_reason() == BookError::order_capacity);
  // a snapshot that fits restores trust
  b->apply(ev_snapshot_start(2));
  b->apply(ev_snapshot_order(10, usd(100), 1));
  b->apply(ev_snapshot_order(11, usd(101), 1));
  b->apply(ev_snapshot_end());
  CHECK(b->trusted());
  CHECK(!b->overflowed());
  check_level(b->best_bid(), usd(100), 1, 1);
  check_level(b->best_ask(), usd(101), 1, 1);
  // a snapshot that does not fit leaves it untrusted
  b->apply(ev_snapshot_start(5));
  for (int i = 0; i < 5; ++i) b->apply(ev_snapshot_order(20 + i, usd(100 - i), 1));
  CHECK(b->apply(ev_snapshot_end()) == BookError::ok);
  CHECK(!b->trusted());
  CHECK(b->overflowed());
}

TEST_CASE("level capacity: new level refused, a replace that needs one drops the order") {
  auto b = std::make_unique<Book<64, 2>>();
  CHECK(b->put(1, kBid, usd(100), 1) == BookError::ok);
  CHECK(b->put(2, kBid, usd(99), 1) == BookError::ok);
  CHECK(b->put(3, kBid, usd(99), 1) == BookError::ok);  // existing level: fine
  CHECK(b->put(4, kBid, usd(98), 1) == BookError::level_capacity);
  CHECK(b->order(4) == nullptr);
  CHECK(b->overflowed());
  CHECK(b->put(5, kAsk, usd(101), 1) == BookError::ok);  // the other side has room
  CHECK(b->put(3, kBid, usd(97), 1) == BookError::level_capacity);  // its old level stays (order 2)
  CHECK(b->order(3) == nullptr);
  check_level(b->level(kBid, 1), usd(99), 1, 1);
  CHECK(b->put(2, kBid, usd(97), 1) == BookError::ok);  // its level empties first: room for 97
  check_level(b->level(kBid, 1), usd(97), 1, 1);
  CHECK(b->counters().level_capacity == 2);
}

TEST_CASE("snapshot: the capture's order 32.70, 32.69, 32.56, 32.71 gives three bids and one ask") {
  auto b = std::make_unique<SmallBook>();
  b->put(999, kBid, usd(1), 1);  // cleared by the snapshot
  CHECK(b->apply(ev_snapshot_start(4)) == BookError::ok);
  CHECK(b->in_snapshot());
  CHECK(!b->trusted());
  CHECK(b->order_count() == 0);
  b->apply(ev_snapshot_order(43494945, 32700000000, 15));
  b->apply(ev_snapshot_order(43494944, 32690000000, 18));
  b->apply(ev_snapshot_order(43494943, 32560000000, 20));
  b->apply(ev_snapshot_order(43494946, 32710000000, 13));
  CHECK(b->apply(ev_snapshot_end()) == BookError::ok);
  CHECK(b->trusted());
  CHECK(b->counters().snapshots == 1);
  CHECK(b->level_count(kBid) == 3);
  check_level(b->best_bid(), 32700000000, 15, 1);
  check_level(b->level(kBid, 2), 32560000000, 20, 1);
  check_level(b->best_ask(), 32710000000, 13, 1);
}

TEST_CASE("snapshot: equal prices stay on their side; asks ascend") {
  auto b = std::make_unique<SmallBook>();
  b->apply(ev_snapshot_start(6));
  b->apply(ev_snapshot_order(1, usd(100), 1));
  b->apply(ev_snapshot_order(2, usd(100), 2));
  b->apply(ev_snapshot_order(3, usd(99), 3));
  b->apply(ev_snapshot_order(4, usd(102), 4));
  b->apply(ev_snapshot_order(5, usd(102), 5));
  b->apply(ev_snapshot_order(6, usd(103), 6));
  b->apply(ev_snapshot_end());
  CHECK(b->trusted());
  check_level(b->best_bid(), usd(100), 3, 2);
  check_level(b->best_ask(), usd(102), 9, 2);
  check_level(b->level(kAsk, 1), usd(103), 6, 1);
}

TEST_CASE("snapshot ambiguity: with no bids the first ask level is taken as bids") {
  auto b = std::make_unique<SmallBook>();
  b->apply(ev_snapshot_start(3));
  b->apply(ev_snapshot_order(1, usd(101), 1));
  b->apply(ev_snapshot_order(2, usd(101), 2));
  b->apply(ev_snapshot_order(3, usd(102), 3));
  b->apply(ev_snapshot_end());
  CHECK(b->trusted());  // the feed gives no way to tell
  check_level(b->best_bid(), usd(101), 3, 2);
  check_level(b->best_ask(), usd(102), 3, 1);
  // the next put for such an order carries its true side and moves it
  b->put(1, kAsk, usd(101), 1);
  b->put(2, kAsk, usd(101), 2);
  CHECK(b->best_bid().price == kNullI64);
  check_level(b->best_ask(), usd(101), 3, 2);
}

TEST_CASE("snapshot errors: misordered, wrong count, stray messages, explicit side") {
  {
    auto b = std::make_unique<SmallBook>();
    b->apply(ev_snapshot_start(4));
    b->apply(ev_snapshot_order(1, usd(100), 1));
    b->apply(ev_snapshot_order(2, usd(102), 1));  // asks start
    CHECK(b->apply(ev_snapshot_order(3, usd(101), 1)) == BookError::snapshot_misorder);
    b->apply(ev_snapshot_order(4, usd(103), 1));
    b->apply(ev_snapshot_end());
    CHECK(!b->trusted());
    CHECK(b->broken_reason() == BookError::snapshot_misorder);
    CHECK(b->order(3) == nullptr);
    CHECK(b->counters().snapshot_misorder == 1);
  }
  {
    auto b = std::make_unique<SmallBook>();
    b->apply(ev_snapshot_start(3));
    b->apply(ev_snapshot_order(1, usd(100), 1));
    CHECK(b->apply(ev_snapshot_end()) == BookError::snapshot_count);
    CHECK(!b->trusted());
    CHECK(b->counters().snapshot_count == 1);
    CHECK(b->counters().snapshots == 0);
  }
  {
    auto b = std::make_unique<SmallBook>();
    CHECK(b->apply(ev_snapshot_order(1, usd(100), 1)) == BookError::snapshot_stray);
    CHECK(b->apply(ev_snapshot_end()) == BookError::snapshot_stray);
    CHECK(b->counters().snapshot_stray == 2);
    CHECK(b->order_count() == 0);
    CHECK(!b->trusted());
  }
  {
    auto b = std::make_unique<SmallBook>();  // a side carried by the message is used as given
    b->apply(ev_snapshot_start(2));
    MarketEvent e = ev_snapshot_order(1, usd(100), 1);
    e.side = kAsk;
    b->apply(e);
    b->apply(ev_snapshot_order(2, usd(99), 1));
    b->apply(ev_snapshot_end());
    check_level(b->best_ask(), usd(100), 1, 1);
    check_level(b->best_bid(), usd(99), 1, 1);
  }
}

TEST_CASE("a gap reported by the session: untrusted until the next snapshot") {
  auto b = std::make_unique<SmallBook>();
  b->put(1, kBid, usd(100), 1);
  b->mark_unsynced();
  CHECK(!b->trusted());
  CHECK(b->broken_reason() == BookError::unsynced);
  b->apply(ev_snapshot_start(0));
  b->apply(ev_snapshot_end());
  CHECK(b->trusted());
  CHECK(b->order_count() == 0);
}

TEST_CASE("other event types leave the book alone") {
  auto b = std::make_unique<SmallBook>();
  b->put(1, kBid, usd(100), 1);
  MarketEvent e;
  clear_event(e);
  for (uint8_t t = 0; t < (uint8_t)EventType::count_; ++t) {
    if (t == (uint8_t)EventType::order_put || t == (uint8_t)EventType::order_delete || t == (uint8_t)EventType::trade ||
        t == (uint8_t)EventType::snapshot_start || t == (uint8_t)EventType::snapshot_order || t == (uint8_t)EventType::snapshot_end)
      continue;
    e.type = t;
    CHECK(b->apply(e) == BookError::ok);
  }
  CHECK(b->order_count() == 1);
  CHECK(b->trusted());
}

namespace {

// Reads a little-endian Ethernet pcap and feeds every Coinbase market-data message to `f`.
template <typename F>
void for_each_event(const std::string& path, F&& f) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path);
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(data.size() >= 24);
  size_t pos = 24;
  while (pos + 16 <= data.size()) {
    const uint32_t incl = (uint32_t)data[pos + 8] | (uint32_t)data[pos + 9] << 8 | (uint32_t)data[pos + 10] << 16 |
                          (uint32_t)data[pos + 11] << 24;
    pos += 16;
    REQUIRE(pos + incl <= data.size());
    L4View v{};
    REQUIRE(parse_ethernet(data.data() + pos, incl, false, v) == NetError::none);
    md::PacketReader r;
    REQUIRE(r.open(v.payload, v.payload_len).error == md::DecodeError::none);
    md::Message m;
    md::DecodeFault fault;
    for (;;) {
      const md::Step s = r.next(m, fault);
      if (s == md::Step::end) break;
      REQUIRE(s == md::Step::message);
      MarketEvent e;
      if (md::normalize(r.header(), m, e)) f(e);
    }
    pos += incl;
  }
}

}  // namespace

TEST_CASE("real capture: the snapshot of TECZ21 builds three bid levels and one ask level") {
  auto b = std::make_unique<SmallBook>();
  int n = 0;
  for_each_event(std::string(PERPWIRE_SOURCE_DIR) + "/tests/data/coinbase/md/OrderSnapshotMessage.pcap", [&](const MarketEvent& e) {
    CHECK(b->apply(e) == BookError::ok);
    ++n;
  });
  CHECK(n == 6);
  CHECK(b->trusted());
  CHECK(b->order_count() == 4);
  BookLevel bids[4];
  REQUIRE(b->top_levels(kBid, bids, 4) == 3);
  check_level(bids[0], 32700000000, 15, 1);
  check_level(bids[1], 32690000000, 18, 1);
  check_level(bids[2], 32560000000, 20, 1);
  check_level(b->best_ask(), 32710000000, 13, 1);
  CHECK(b->level_count(kAsk) == 1);
  CHECK(b->mid() == 32705000000);
  CHECK(b->order(43494946)->side == kAsk);
}
