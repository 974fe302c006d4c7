// The loss limit at the gate (docs/risk.md, "Loss limit"), against the simulated exchange: desk-d of
// the shipped config (loss limit 0.20 USD) buys 5 BTC contracts at the ask, 0.25 USD under water at
// mark, so its stop engages on the fill and the gate cancels its resting order; its next order is
// refused with kill_loss_limit, a mark back up does not release it, release_loss_kill (what
// /unkill?account= does) does, and a new dip stops it and cancels again. Each change is journaled
// (engaged: who engine; released: who control plane), and a restart rebuilds the stop as it was at
// the end of the journal it reads — released stays released, engaged stays engaged.
#include <doctest/doctest.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "host/config/config.hpp"
#include "host/gate/order_gate.hpp"
#include "host/journal/journal_reader.hpp"
#include "host/journal/journal_writer.hpp"
#include "host/metrics/app_metrics.hpp"
#include "tests/gate/gate_harness.hpp"

using namespace pw;
namespace fs = std::filesystem;

namespace {

using namespace pw::test;

OrderRequest order(int account, int64_t id, int64_t price, int32_t qty, int k) {
  OrderRequest r{};
  r.account = (uint16_t)account;
  r.instrument = 0;
  r.client_order_id = id;
  r.kind = OrderKind::new_order;
  r.price = price;
  r.quantity = qty;
  r.side = kBuy;
  r.time = kT0 + (int64_t)k * 1000000;  // k ms into the script
  return r;
}

struct Harness : GateHarness {
  Harness() : GateHarness(gate_config()) {}
  bool active(int64_t id) {
    const auto* o = gate->session()->orders().find(id);
    return o && o->state == oe::OrderState::active;
  }
};

struct LossKill {
  uint8_t on, who;
};
std::vector<LossKill> loss_kill_records(const std::string& path) {
  std::vector<LossKill> v;
  journal::ReadResult rr = journal::read_journal(path, [&](const journal::RecordView& r, std::string&) {
    if (r.type != journal::RecordType::kill || r.length != sizeof(journal::KillRec)) return true;
    journal::KillRec k;
    std::memcpy(&k, r.payload, sizeof k);
    if (k.scope == (uint8_t)journal::KillScope::loss_limit) v.push_back({k.on, k.who});
    return true;
  });
  REQUIRE_MESSAGE(rr.ok, rr.error);
  return v;
}

// A gate rebuilt from the journal at `path`, as perpwire run starts.
bool restored_stop(const std::shared_ptr<const Config>& cfg, const std::string& path, int account, RiskDecision& next) {
  GateHarness h(cfg);
  OrderGate& g = *h.gate;
  journal::ReplaySummary sum;
  std::vector<int64_t> open;
  journal::ReadResult rr = g.restore(path, sum, open);
  REQUIRE_MESSAGE(rr.ok, rr.error);
  next = g.engine().check(order(account, 9001, kMark - 20 * kTick, 1, 100));
  return g.engine().kill_loss(account);
}

}  // namespace

TEST_CASE("loss limit at the gate: stop on the fill, resting order canceled, refused until released, a new dip stops again; journaled") {
  const fs::path dir = fs::temp_directory_path() / ("pw_gate_loss_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / journal::kFileName).string();

  Harness h;
  OrderGate& g = *h.gate;
  const int d = h.cfg->account_index("desk-d");
  REQUIRE(d == 3);
  REQUIRE(h.cfg->accounts[(size_t)d].limits.loss_limit == 200000000);  // 0.20 USD
  journal::JournalWriter writer;
  std::string error;
  REQUIRE_MESSAGE(writer.open(path, 0, journal::WriterOptions{}, error), error);
  g.set_journal(&writer);
  g.journal_limits(*h.cfg, journal::LimitsWhy::start, true);
  REQUIRE_MESSAGE(g.connect(error), error);
  for (int i = 0; i < 2; ++i) g.set_market(i, gate_market(i, kMark), 10, 10);  // (the venue's book too, once it runs)

  // A resting buy ten ticks under the bid, then a buy of 5 through the ask: it fills at the ask,
  // 60 005, so at mark 60 000 the account is 5 × 5 × 0.01 = 0.25 under water: past 0.20.
  const int64_t rest = 101, take = 102;
  REQUIRE(h.submit(order(d, rest, kMark - 10 * kTick, 1, 1)).accepted);
  REQUIRE(h.step_until([&] { return h.active(rest); }));
  REQUIRE(h.submit(order(d, take, kMark + 3 * kTick, 5, 2)).accepted);
  REQUIRE(h.step_until([&] { return g.engine().kill_loss(d); }));
  CHECK(g.engine().position(d, 0).exposure.position == 5);
  CHECK(g.engine().loss_pnl(d) == -250000000);
  CHECK(g.counters().loss_limit_kills == 1);
  CHECK(g.counters().loss_limit_cancels == 1);
  CHECK(h.metrics.gate_cancels(GateCancelCause::loss_limit).value() == 1);
  REQUIRE(h.step_until([&] { return g.engine().find_order(rest) == nullptr; }));
  CHECK(g.session()->orders().find(rest)->state == oe::OrderState::canceled);

  RiskDecision r = h.submit(order(d, 103, kMark - 10 * kTick, 1, 3));
  CHECK_FALSE(r.accepted);
  CHECK(r.reason == RejectReason::kill_switch);
  CHECK(r.detail == RejectDetail::kill_loss_limit);
  CHECK(h.submit(order(0, 104, kMark - 10 * kTick, 1, 3)).accepted);  // another account trades on

  // The mark back above the entry: the PnL recovers, the stop stays.
  g.set_market(0, gate_market(0, kMark + 2 * kTick), 10, 10);
  CHECK(g.engine().loss_pnl(d) > 0);
  CHECK(g.engine().kill_loss(d));
  CHECK(h.submit(order(d, 105, kMark - 10 * kTick, 1, 4)).detail == RejectDetail::kill_loss_limit);

  // Released (the control plane): its orders pass again; a second release has nothing to do.
  CHECK(g.release_loss_kill(d, journal::KillWho::control_plane));
  CHECK_FALSE(g.release_loss_kill(d, journal::KillWho::control_plane));
  CHECK_FALSE(g.release_loss_kill(0, journal::KillWho::control_plane));  // never stopped
  CHECK(g.counters().loss_limit_releases == 1);
  CHECK_FALSE(g.engine().kill_loss(d));
  const int64_t again = 106;
  r = h.submit(order(d, again, kMark - 10 * kTick, 1, 5));
  CHECK_MESSAGE(r.accepted, reject_detail_name(r.detail));
  REQUIRE(h.step_until([&] { return h.active(again); }));
  REQUIRE(writer.flush());
  const std::string after_release = (dir / "after_release.journal").string();
  fs::copy_file(path, after_release);

  // A new dip: 5 × (59 990 − 60 005) × 0.01 = −0.75. Stopped again, its open order canceled again.
  g.set_market(0, gate_market(0, kMark - 2 * kTick), 10, 10);
  CHECK(g.engine().kill_loss(d));
  CHECK(g.counters().loss_limit_kills == 2);
  CHECK(g.counters().loss_limit_cancels == 2);
  REQUIRE(h.step_until([&] { return g.engine().find_order(again) == nullptr; }));
  CHECK(h.submit(order(d, 107, kMark - 10 * kTick, 1, 6)).detail == RejectDetail::kill_loss_limit);
  REQUIRE(writer.flush());

  // The journal's audit trail: engaged (engine), released (control plane), engaged (engine).
  const std::vector<LossKill> k = loss_kill_records(path);
  REQUIRE(k.size() == 3);
  CHECK((k[0].on == 1 && k[0].who == (uint8_t)journal::KillWho::engine));
  CHECK((k[1].on == 0 && k[1].who == (uint8_t)journal::KillWho::control_plane));
  CHECK((k[2].on == 1 && k[2].who == (uint8_t)journal::KillWho::engine));

  // Restarts: from the journal as it was right after the release, the stop stays released and the
  // next order passes; from the whole journal, the second stop is rebuilt.
  RiskDecision next{};
  CHECK_FALSE(restored_stop(h.cfg, after_release, d, next));
  CHECK_MESSAGE(next.accepted, reject_detail_name(next.detail));
  CHECK(restored_stop(h.cfg, path, d, next));
  CHECK(next.detail == RejectDetail::kill_loss_limit);
  g.disconnect();
  fs::remove_all(dir);
}
