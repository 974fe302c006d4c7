// OrderFile: both formats of the example files, time order and offsets, and every error path, each
// naming file:line: field: what was expected.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "host/config/config.hpp"
#include "host/strategy/order_file.hpp"

namespace {

using namespace pw;
constexpr int64_t U = kPriceScale;

const Config& cfg() {
  static std::shared_ptr<const Config> c = [] {
    ConfigResult r = load_config(std::string(PERPWIRE_SOURCE_DIR) + "/config/perpwire.toml");
    REQUIRE_MESSAGE(r.ok(), r.error_text());
    return r.config;
  }();
  return *c;
}

std::string data(const char* name) { return std::string(PERPWIRE_SOURCE_DIR) + "/tests/data/orders/" + name; }

// The only error of parsing `text` as `file`.
std::string only_error(const std::string& text, const std::string& file = "o.jsonl") {
  OrderFile f;
  std::vector<std::string> errors;
  CHECK_FALSE(f.parse(text, file, cfg(), errors));
  CHECK(f.size() == 0);
  REQUIRE(errors.size() == 1);
  return errors[0];
}

const char* kGood = R"({"time": 1000, "account": "desk-a", "instrument": "BIP-20DEC30-CDE", "kind": "new", "side": "buy", "price": "95000", "quantity": 1, "client_order_id": 1})";

}  // namespace

TEST_CASE("the example files read the same orders in both formats") {
  OrderFile j, c;
  std::vector<std::string> errors;
  REQUIRE_MESSAGE(j.load(data("example_orders.jsonl"), cfg(), errors), (errors.empty() ? std::string() : errors[0]));
  REQUIRE_MESSAGE(c.load(data("example_orders.csv"), cfg(), errors), (errors.empty() ? std::string() : errors[0]));
  REQUIRE(j.size() == 12);
  REQUIRE(c.size() == 12);
  for (size_t k = 0; k < 12; ++k) {
    const OrderRequest& a = j.entries()[k].request;
    const OrderRequest& b = c.entries()[k].request;
    INFO("order " << k);
    CHECK(a.client_order_id - 5000000 == b.client_order_id - 6000000);
    CHECK(a.price == b.price);
    CHECK(a.quantity == b.quantity);
    CHECK(a.account == b.account);
    CHECK(a.instrument == b.instrument);
    CHECK(a.kind == b.kind);
    CHECK(a.side == b.side);
    CHECK(a.flags == b.flags);
    CHECK(j.entries()[k].offset_ns == c.entries()[k].offset_ns);
    CHECK(j.entries()[k].relative);
  }
  const auto& e = j.entries();
  CHECK(e[0].request.price == 94900 * U);
  CHECK(e[0].request.side == kBuy);
  CHECK(e[0].offset_ns == 1000000000);
  CHECK(e[3].request.price == 3510 * U + U / 2);  // 3510.5 written as a JSON number
  CHECK(e[3].request.instrument == 1);
  CHECK(e[4].request.kind == OrderKind::replace);
  CHECK(e[5].request.account == 1);
  CHECK(e[6].request.flags == kOrderReduceOnly);
  CHECK(e[8].request.flags == kOrderIoc);
  CHECK(e[10].request.kind == OrderKind::cancel);
  CHECK(e[10].line == 11);
  CHECK(c.entries()[0].line == 3);  // after the comment and the header
}

TEST_CASE("due() hands out the orders in time order once their time has come") {
  OrderFile f;
  std::vector<std::string> errors;
  REQUIRE(f.load(data("example_orders.jsonl"), cfg(), errors));
  const int64_t t0 = 1795960680LL * U;
  OrderRequest r{};
  CHECK_FALSE(f.due(t0, r));  // the first call sets the start: nothing before 1 s
  CHECK(f.started());
  CHECK_FALSE(f.due(t0 + 999999999, r));
  REQUIRE(f.due(t0 + 1000000000, r));
  CHECK(r.client_order_id == 5000001);
  CHECK(r.time == t0 + 1000000000);
  REQUIRE(f.due(t0 + 1000000000, r));
  CHECK(r.client_order_id == 5000002);
  CHECK_FALSE(f.due(t0 + 1000000000, r));
  int n = 2;
  while (f.due(t0 + 10LL * U, r)) ++n;
  CHECK(n == 12);
  CHECK(f.remaining() == 0);

  // Absolute times, out of file order, mixed with offsets.
  const std::string text = std::string(R"({"time": 3000, "account": "desk-a", "instrument": "BIP-20DEC30-CDE", "kind": "cancel", "client_order_id": 9})") +
                           "\n" + kGood + "\n" +
                           R"({"offset_ms": 0.5, "account": "desk-b", "instrument": "ETP-20DEC30-CDE", "kind": "new", "side": "sell", "price": 3500.5, "quantity": 3, "client_order_id": 2})";
  OrderFile g;
  REQUIRE(g.parse(text, "mixed.jsonl", cfg(), errors));
  g.set_start(1500);
  REQUIRE(g.due(10000, r));
  CHECK(r.client_order_id == 1);  // time 1000
  REQUIRE(g.due(10000, r));
  CHECK(r.client_order_id == 9);  // time 3000
  CHECK(r.kind == OrderKind::cancel);
  CHECK_FALSE(g.due(10000, r));
  REQUIRE(g.due(501500, r));
  CHECK(r.client_order_id == 2);  // 1500 + 0.5 ms
  CHECK(r.time == 501500);
  CHECK(r.price == 3500 * U + U / 2);
}

TEST_CASE("every mistake is an error naming file:line: field: what was expected") {
  SUBCASE("bad price") {
    std::string t = kGood;
    t.replace(t.find("\"95000\""), 7, "\"95,000\"");
    CHECK(only_error(t) == "o.jsonl:1: price: expected a positive decimal price with at most 9 decimals (\"95000.5\" or 95000.5), got \"95,000\"");
    t = kGood;
    t.replace(t.find("\"95000\""), 7, "\"1.0000000001\"");
    CHECK(only_error(t).find("o.jsonl:1: price: expected") == 0);
    t = kGood;
    t.replace(t.find("\"95000\""), 7, "-5");
    CHECK(only_error(t).find("o.jsonl:1: price: expected a positive decimal price") == 0);
  }
  SUBCASE("unknown account") {
    std::string t = kGood;
    t.replace(t.find("desk-a"), 6, "desk-z");
    CHECK(only_error(t) == "o.jsonl:1: account: expected an account of the config (desk-a, desk-b, desk-c, desk-d), got \"desk-z\"");
  }
  SUBCASE("unknown instrument") {
    std::string t = kGood;
    t.replace(t.find("BIP-20DEC30-CDE"), 15, "BTC-PERP");
    CHECK(only_error(t) == "o.jsonl:1: instrument: expected an instrument of the config (BIP-20DEC30-CDE, ETP-20DEC30-CDE), got \"BTC-PERP\"");
  }
  SUBCASE("missing field") {
    std::string t = kGood;
    t.replace(t.find(", \"quantity\": 1"), 15, "");
    CHECK(only_error(t) == "o.jsonl:1: quantity: expected a positive whole number of contracts, got nothing");
    t = kGood;
    t.replace(t.find("\"time\": 1000, "), 14, "");
    CHECK(only_error(t) == "o.jsonl:1: time: expected time (ns since the epoch) or offset_ms (from the first market event), got nothing");
    t = kGood;
    t.replace(t.find(", \"side\": \"buy\""), 15, "");
    CHECK(only_error(t) == "o.jsonl:1: side: expected buy or sell, got nothing");
  }
  SUBCASE("bad kind") {
    std::string t = kGood;
    t.replace(t.find("\"new\""), 5, "\"amend\"");
    CHECK(only_error(t) == "o.jsonl:1: kind: expected new, replace or cancel, got \"amend\"");
  }
  SUBCASE("other fields") {
    std::string t = kGood;
    t.replace(t.find("\"buy\""), 5, "\"long\"");
    CHECK(only_error(t) == "o.jsonl:1: side: expected buy or sell, got \"long\"");
    t = kGood;
    t.replace(t.find("\"quantity\": 1"), 13, "\"quantity\": 1.5");
    CHECK(only_error(t) == "o.jsonl:1: quantity: expected a positive whole number of contracts, got 1.5");
    t = kGood;
    t.replace(t.find("\"client_order_id\": 1"), 20, "\"client_order_id\": 0");
    CHECK(only_error(t) == "o.jsonl:1: client_order_id: expected a positive integer, got 0");
    t = kGood;
    t.replace(t.find("\"time\": 1000"), 12, "\"time\": 1000, \"offset_ms\": 5");
    CHECK(only_error(t) == "o.jsonl:1: time: expected either time or offset_ms, not both, got both");
    t = kGood;
    t.replace(t.find("\"time\": 1000"), 12, "\"offset_ms\": \"0.0000001\"");
    CHECK(only_error(t).find("o.jsonl:1: offset_ms: expected milliseconds") == 0);
    t = kGood;
    t.replace(t.find("\"time\": 1000"), 12, "\"time\": 1000, \"flags\": \"post_only\"");
    CHECK(only_error(t) == "o.jsonl:1: flags: expected reduce_only, ioc or both joined by |, got \"post_only\"");
    t = kGood;
    t.replace(t.find("\"time\": 1000"), 12, "\"time\": 1000, \"venue\": \"x\"");
    CHECK(only_error(t).find("o.jsonl:1: venue: expected no such field") == 0);
    CHECK(only_error("{\"time\": 1", "o.jsonl") == "o.jsonl:1: expected one JSON object per line, got text that is not JSON");
    CHECK(only_error("[1, 2]", "o.jsonl") == "o.jsonl:1: expected one JSON object per line, got a JSON array");
    CHECK(only_error(kGood, "orders.txt") == "orders.txt: expected a .jsonl (JSON Lines) or .csv file name, got another extension");
  }
  SUBCASE("CSV") {
    const std::string head = "time,account,instrument,kind,side,price,quantity,client_order_id\n";
    CHECK(only_error(head + "1000,desk-a,BIP-20DEC30-CDE,new,buy,95000x,1,7\n", "o.csv") ==
          "o.csv:2: price: expected a positive decimal price with at most 9 decimals (\"95000.5\" or 95000.5), got \"95000x\"");
    CHECK(only_error(head + "1000,desk-q,BIP-20DEC30-CDE,new,buy,95000,1,7\n", "o.csv") ==
          "o.csv:2: account: expected an account of the config (desk-a, desk-b, desk-c, desk-d), got \"desk-q\"");
    CHECK(only_error(head + "1000,desk-a,BIP-20DEC30-CDE,new,buy,,1,7\n", "o.csv") ==
          "o.csv:2: price: expected a decimal price (\"95000.5\" or 95000.5), got nothing");
    CHECK(only_error(head + "1000,desk-a,BIP-20DEC30-CDE,modify,buy,95000,1,7\n", "o.csv") ==
          "o.csv:2: kind: expected new, replace or cancel, got \"modify\"");
    CHECK(only_error(head + "1000,desk-a,BIP-20DEC30-CDE,new,buy,95000,1\n", "o.csv") ==
          "o.csv:2: expected 8 fields as in the header, got 7");
    CHECK(only_error("time,account,colour\n", "o.csv").find("o.csv:1: colour: expected a known column") == 0);
    // Every bad line is reported, not just the first.
    OrderFile f;
    std::vector<std::string> errors;
    CHECK_FALSE(f.parse(head + "1000,desk-a,BIP-20DEC30-CDE,new,buy,95000,1,7\n1000,desk-z,X,new,up,1,1,8\n", "o.csv", cfg(), errors));
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].find("o.csv:3: account:") == 0);
    CHECK(errors[1].find("o.csv:3: instrument:") == 0);
    CHECK(errors[2].find("o.csv:3: side:") == 0);
  }
  SUBCASE("missing file") {
    OrderFile f;
    std::vector<std::string> errors;
    CHECK_FALSE(f.load("/nonexistent/orders.jsonl", cfg(), errors));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("/nonexistent/orders.jsonl: expected a readable orders file") == 0);
  }
}
