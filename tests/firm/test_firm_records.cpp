// The firm's records and hand-offs without a server: a fill record read back exactly and every
// damaged one refused with its reason; the fill ring in order and counting what did not fit; the
// latest-value hand-off giving whole, ever newer records across threads.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "host/firm/fill_record.hpp"
#include "host/firm/fill_ring.hpp"
#include "host/firm/latest_value.hpp"

using namespace pw::firm;

namespace {
FillRecord sample() {
  FillRecord f;
  f.venue = "coinbase";
  f.host = "cde-host";
  f.account = "desk-a";
  f.symbol = "BIP-20DEC30-CDE";
  f.group = "BTC";
  f.day = "20261203";
  f.exec_id = 987654321;
  f.side = -1;
  f.qty = 3;
  f.price = 95050000000000;
  f.contract_size = 10000000;
  f.notional = 2851500000000;
  f.time = 1795960680000165000;
  return f;
}
}  // namespace

TEST_CASE("fill record: read back exactly, its message id is venue.exec_id") {
  const FillRecord f = sample();
  std::string err;
  auto g = FillRecord::decode(f.encode(), err);
  REQUIRE_MESSAGE(g, err);
  CHECK(g->encode() == f.encode());
  CHECK(g->side == -1);
  CHECK(g->units() == -3 * 10000000);
  CHECK(f.message_id() == "coinbase.987654321");
}

TEST_CASE("fill record: a damaged record is refused with its reason, a newer field is ignored") {
  std::string err;
  const std::string text = sample().encode();
  auto without = [&](const std::string& key) {
    std::string t = text;
    const size_t at = t.find(key + "=");
    t.erase(at, t.find('\n', at) - at + 1);
    return t;
  };
  CHECK_FALSE(FillRecord::decode(without("qty"), err));
  CHECK(err.find("missing") != std::string::npos);
  CHECK_FALSE(FillRecord::decode(without("venue"), err));
  CHECK(FillRecord::decode(without("group"), err));  // optional: records of hosts without groups
  std::string t = text;
  t.replace(t.find("side=sell"), 9, "side=short");
  CHECK_FALSE(FillRecord::decode(t, err));
  CHECK(err.find("buy or sell") != std::string::npos);
  t = text;
  t.replace(t.find("qty=3"), 5, "qty=3x");
  CHECK_FALSE(FillRecord::decode(t, err));
  CHECK(err.find("qty is not an integer") != std::string::npos);
  CHECK_FALSE(FillRecord::decode("no equals sign\n", err));
  CHECK_FALSE(FillRecord::decode("", err));
  CHECK(FillRecord::decode(text + "liquidity=maker\n", err));
}

TEST_CASE("fill ring: first in, first out; a full ring counts what did not fit") {
  FillRing ring(4);
  for (int k = 0; k < 4; ++k) CHECK(ring.push({k, 0, 0, 1, 0, 0, 1}));
  CHECK_FALSE(ring.push({99, 0, 0, 1, 0, 0, 1}));
  CHECK(ring.overflowed() == 1);
  FirmFill f;
  for (int k = 0; k < 4; ++k) {
    REQUIRE(ring.pop(f));
    CHECK(f.exec_id == k);
  }
  CHECK_FALSE(ring.pop(f));
  CHECK(ring.push({5, 0, 0, 1, 0, 0, 1}));
}

TEST_CASE("latest value: whole records, never older than the last one taken") {
  struct Pair {
    int64_t a, b;
  };
  LatestValue<Pair> v;
  Pair p{};
  CHECK_FALSE(v.take(p));
  v.back() = {1, 1};
  v.publish();
  v.back() = {2, 2};
  v.publish();
  REQUIRE(v.take(p));
  CHECK(p.a == 2);  // the newest, not every one
  CHECK_FALSE(v.take(p));

  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int64_t n = 3; n < 200000; ++n) {
      v.back() = {n, n};
      v.publish();
    }
    done = true;
  });
  int64_t last = 2;
  bool torn = false, backwards = false;
  for (;;) {
    const bool finished = done.load();
    if (v.take(p)) {
      torn |= p.a != p.b;
      backwards |= p.a < last;
      last = p.a;
    } else if (finished) {
      break;
    }
  }
  CHECK(last == 199999);
  writer.join();
  CHECK_FALSE(torn);
  CHECK_FALSE(backwards);
}
