// The gate killed with SIGKILL at ten points of a scripted day and restarted from its journal
// ends with the positions, cash, daily usage, reservations, kill switches and open orders of a run
// that was never stopped; the same with the journal's last record cut at every byte; a full disk
// (a file size limit) and a read-only journal directory fail closed.
//
// The script stands for the feed and the exchange: step k is a pure function of k and the
// engine's state (which order it answers is looked up there), so a restarted gate continues at
// the step after the last one its journal holds, and the market is set again from the "feed"
// before it trades (the market is the feed's, not journaled state).
#include <doctest/doctest.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "host/config/config.hpp"
#include "host/gate/order_gate.hpp"
#include "host/journal/journal_writer.hpp"
#include "host/metrics/app_metrics.hpp"
#include "host/orders/session_orders.hpp"

namespace fs = std::filesystem;
using namespace pw;

namespace {

constexpr int kSteps = 300;
constexpr int64_t kT0 = 1750000000000000000LL;
constexpr int64_t kE9 = 1000000000LL;

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("pw_crash_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

const Config& config() {
  static std::shared_ptr<const Config> c = [] {
    ConfigResult r = load_config(std::string(PERPWIRE_SOURCE_DIR) + "/config/perpwire.toml");
    REQUIRE_MESSAGE(r.ok(), r.error_text());
    return r.config;
  }();
  return *c;
}

uint64_t mix(uint64_t x) {  // splitmix64
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

int64_t step_time(int k) { return kT0 + (int64_t)k * 1000000; }
int64_t tick(int i) { return i == 0 ? 5 * kE9 : kE9 / 2; }

// The market the feed shows at step k (it moves every 10 steps).
InstrumentMarket market_at(int k, int i) {
  const int since = ((k - 1) / 10) * 10 + 1;
  InstrumentMarket m{};
  m.mark = (i == 0 ? 60000 * kE9 : 3000 * kE9) + ((int64_t)(mix((uint64_t)since * 31 + (uint64_t)i) % 21) - 10) * tick(i);
  m.best_bid = m.mark - tick(i);
  m.best_ask = m.mark + tick(i);
  m.limit_down = m.limit_up = kNullI64;
  m.contract_size = i == 0 ? kE9 / 100 : kE9 / 10;
  m.funding_rate = 0;
  m.last_update = step_time(since);
  m.tradable = 1;
  m.trading_status = kTradingStatusOpen;
  m.synced = 1;
  return m;
}

struct Harness {
  MetricsRegistry registry;
  AppMetrics metrics{registry, {"BIP-20DEC30-CDE", "ETP-20DEC30-CDE"}, {"desk-a", "desk-b", "desk-c"}};
  StateLogWriter log;
  OrderGate gate{config(), metrics, log};
  journal::JournalWriter writer;
  journal::ReadResult restored;
  std::string error;

  // As perpwire run starts: rebuild from the journal in `dir`, then append to it.
  bool start(const fs::path& dir) {
    const std::string path = (dir / journal::kFileName).string();
    journal::ReplaySummary sum;
    std::vector<int64_t> open;
    restored = gate.restore(path, sum, open);
    if (!restored.ok) {
      error = restored.error;
      return false;
    }
    std::vector<std::string> errors;
    gate.apply_limits(config(), errors);
    journal::WriterOptions o;
    if (!writer.open(path, restored.torn_bytes > 0 ? restored.valid_bytes : 0, o, error)) return false;
    gate.set_journal(&writer);
    gate.journal_limits(config(), restored.records > 0 ? journal::LimitsWhy::restart : journal::LimitsWhy::start,
                        restored.records == 0);
    return true;
  }
};

// An open order the script answers at step k, or 0.
int64_t pick_open(const OrderGate& g, int k, uint64_t h) {
  if (k <= 1) return 0;
  const int64_t id = 1000 + 1 + (int64_t)((h >> 8) % (uint64_t)(k - 1));
  return const_cast<OrderGate&>(g).engine().find_order(id) ? id : 0;
}

oe::OrderEvent event(oe::OrderEventType t, int64_t id) {
  oe::OrderEvent e{};
  e.type = t;
  e.local_reason = oe::LocalReject::none;
  e.client_order_id = id;
  return e;
}

void step(OrderGate& g, int k) {
  HostRiskEngine& e = g.engine();
  const uint64_t h = mix((uint64_t)k);
  const int64_t t = step_time(k);
  if (k % 10 == 1)
    for (int i = 0; i < 2; ++i) g.set_market(i, market_at(k, i), 10, 10);
  if (k == kSteps) {
    g.roll_day(t);
    return;
  }
  if (k == 100 || k == 180) {
    e.set_kill_account(1, k == 100);
    g.journal_kills(journal::KillWho::control_plane);
    return;
  }
  if (k == 150 || k == 160) {
    e.set_kill_global(k == 150);
    g.journal_kills(journal::KillWho::drill);
    return;
  }
  if (k == 200 || k == 250) {
    for (int i = 0; i < 2; ++i) g.apply_funding(i, market_at(k, i).mark, (k == 200 ? 1 : -2) * kE9 / 10000);
    return;
  }
  const int what = (int)(h % 16);
  OrderRequest r{};
  r.time = t;
  if (what <= 6) {
    r.kind = OrderKind::new_order;
    r.client_order_id = 1000 + k;
    r.account = (uint16_t)((h >> 8) % 3);
    r.instrument = (uint16_t)((h >> 12) % 2);
    r.side = ((h >> 16) & 1) ? kBuy : kSell;
    const int64_t mark = market_at(k, r.instrument).mark;
    r.price = mark - r.side * (int64_t)((h >> 20) % 5) * tick(r.instrument);
    r.quantity = 1 + (int32_t)((h >> 24) % 5);
    g.send(r, g.decide(r, 0), 0);
    return;
  }
  const int64_t id = pick_open(g, k, h);
  if (id == 0) return;
  const OpenOrder o = *e.find_order(id);
  switch (what) {
    case 7:
    case 8:
      if (!o.entered) g.on_event(event(oe::OrderEventType::entered, id), nullptr);
      break;
    case 9:
    case 10: {
      oe::OrderEvent f = event(oe::OrderEventType::filled, id);
      const int64_t left = o.qty - o.filled;
      f.quantity = (int32_t)std::min<int64_t>(left, 1 + (int64_t)((h >> 12) % 3));
      f.price = o.price;
      f.exec_id = k;
      g.on_event(f, nullptr);
      break;
    }
    case 11: g.on_event(event(oe::OrderEventType::canceled, id), nullptr); break;
    case 12:
      r.kind = OrderKind::replace;
      r.client_order_id = id;
      r.account = o.account;
      r.instrument = o.instrument;
      r.side = o.side;
      r.price = o.price - o.side * tick(o.instrument);
      r.quantity = (int32_t)o.qty + 1;
      g.send(r, g.decide(r, 0), 0);
      break;
    case 13:
      r.kind = OrderKind::cancel;
      r.client_order_id = id;
      r.account = o.account;
      r.instrument = o.instrument;
      g.send(r, g.decide(r, 0), 0);
      break;
    case 14:
      if (!o.entered) g.on_event(event(oe::OrderEventType::rejected, id), nullptr);
      break;
    default:
      if (o.replace_pending) g.on_event(event(oe::OrderEventType::replaced, id), nullptr);
      break;
  }
}

// What a restart must give back, flattened: per account cash, daily usage, reservations, kill
// switch, open orders; per account × instrument position, entry and open quantities; the global
// and instrument switches; every open order's id, quantities, price and state.
std::vector<int64_t> state(OrderGate& g) {
  HostRiskEngine& e = g.engine();
  std::vector<int64_t> v;
  for (int a = 0; a < 3; ++a) {
    const AccountState& s = e.account(a);
    v.insert(v.end(), {s.cash, s.filled_notional, s.reserved_notional, (int64_t)e.kill_account(a), (int64_t)e.open_orders(a)});
    for (int i = 0; i < 2; ++i) {
      const Exposure& x = e.position(a, i).exposure;
      v.insert(v.end(), {x.position, x.entry_price, x.open_buy, x.open_sell, e.position(a, i).realized_pnl,
                         e.position(a, i).funding_paid});
    }
  }
  v.push_back(e.kill_global());
  for (int i = 0; i < 2; ++i) v.push_back(e.kill_instrument(i));
  for (int64_t id = 1000; id <= 1000 + kSteps; ++id)
    if (const OpenOrder* o = e.find_order(id))
      v.insert(v.end(), {id, o->qty, o->filled, o->price, o->res_qty, o->res_notional, o->entered, o->replace_pending});
  return v;
}

// The uninterrupted run: the state after each step (0: after the start).
const std::vector<std::vector<int64_t>>& reference() {
  static std::vector<std::vector<int64_t>> s = [] {
    std::vector<std::vector<int64_t>> out;
    const fs::path dir = temp_dir("reference");
    auto h = std::make_unique<Harness>();
    REQUIRE_MESSAGE(h->start(dir), h->error);
    out.push_back(state(h->gate));
    for (int k = 1; k <= kSteps; ++k) {
      step(h->gate, k);
      out.push_back(state(h->gate));
    }
    REQUIRE(h->writer.flush());
    return out;
  }();
  return s;
}

fs::path reference_journal() { return fs::temp_directory_path() / ("pw_crash_" + std::to_string(::getpid()) + "_reference") / journal::kFileName; }

// The first step at or after `from` whose state is `s`, or -1.
int matching_step(const std::vector<int64_t>& s, int from) {
  const auto& ref = reference();
  for (int j = from; j <= kSteps; ++j)
    if (ref[(size_t)j] == s) return j;
  return -1;
}

// A restart in `dir`: rebuilt, matched to the reference at a step ≥ `durable`, continued to the
// end and compared; then restarted once more from the journal it extended.
void restart_and_finish(const fs::path& dir, int durable) {
  int j;
  {
    Harness h;
    REQUIRE_MESSAGE(h.start(dir), h.error);
    j = matching_step(state(h.gate), durable);
    REQUIRE_MESSAGE(j >= 0, "the rebuilt state is none of the uninterrupted run's at step " << durable << " or later");
    for (int i = 0; i < 2; ++i) h.gate.set_market(i, market_at(j + 1, i), 10, 10);  // the feed, again
    for (int k = j + 1; k <= kSteps; ++k) step(h.gate, k);
    CHECK(state(h.gate) == reference()[kSteps]);
    REQUIRE(h.writer.flush());
  }
  Harness again;
  REQUIRE_MESSAGE(again.start(dir), again.error);
  CHECK(again.restored.torn.empty());
  CHECK(state(again.gate) == reference()[kSteps]);
}

}  // namespace

TEST_CASE("the script moves the state: orders rest, fill, are canceled; kill switches and funding happen") {
  const auto& ref = reference();
  CHECK(ref[kSteps] != ref[kSteps - 1]);  // the day roll clears the daily usage
  CHECK(ref[kSteps - 1][1] > 0);          // desk-a filled something today
  CHECK(ref[150] != ref[149]);            // global kill switch
  int changes = 0;
  for (int k = 1; k <= kSteps; ++k) changes += ref[(size_t)k] != ref[(size_t)k - 1];
  // (the shipped config's fill-rate throttle and max_open_orders refuse some of the script's orders)
  CHECK(changes > kSteps / 4);
  // An uninterrupted journal replays to the same end.
  const fs::path dir = temp_dir("replay");
  fs::copy_file(reference_journal(), dir / journal::kFileName);
  Harness h;
  REQUIRE_MESSAGE(h.start(dir), h.error);
  CHECK(state(h.gate) == ref[kSteps]);
}

TEST_CASE("killed with SIGKILL at ten points and restarted: the same end state as the uninterrupted run") {
  reference();
  const int points[] = {3, 17, 42, 77, 101, 150, 181, 222, 260, 299};
  for (int point : points) {
    CAPTURE(point);
    const fs::path dir = temp_dir("kill" + std::to_string(point));
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      Harness h;
      if (!h.start(dir)) ::_exit(3);
      for (int k = 1; k <= kSteps; ++k) {
        step(h.gate, k);
        if (!h.writer.flush()) ::_exit(4);
        if (::write(fds[1], &k, sizeof(k)) != (ssize_t)sizeof(k)) ::_exit(5);
      }
      for (;;) ::pause();
    }
    ::close(fds[1]);
    int durable = 0, k = 0;
    while (durable < point && ::read(fds[0], &k, sizeof(k)) == (ssize_t)sizeof(k)) durable = k;
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(fds[0]);
    REQUIRE(durable == point);
    CHECK(WIFSIGNALED(status));
    restart_and_finish(dir, durable);
  }
}

TEST_CASE("the last record cut at every byte: the restart has the state before it, and continues") {
  reference();
  const fs::path whole = reference_journal();
  std::ifstream in(whole, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint64_t last = 0;
  REQUIRE(journal::read_journal(whole.string(), [&](const journal::RecordView& v, std::string&) {
            last = v.offset;
            return true;
          }).ok);
  REQUIRE(last > 0);
  const fs::path dir = temp_dir("torn");
  for (size_t n = last; n < bytes.size(); ++n) {
    CAPTURE(n);
    std::ofstream(dir / journal::kFileName, std::ios::binary | std::ios::trunc).write(bytes.data(), (std::streamsize)n);
    Harness h;
    REQUIRE_MESSAGE(h.start(dir), h.error);
    CHECK(h.restored.valid_bytes == last);
    CHECK((n > last) == !h.restored.torn.empty());
    CHECK(state(h.gate) == reference()[kSteps - 1]);  // the day roll (the last record) is lost
  }
  // And a restart from a cut journal finishes the day as the uninterrupted run.
  std::ofstream(dir / journal::kFileName, std::ios::binary | std::ios::trunc).write(bytes.data(), (std::streamsize)(bytes.size() - 3));
  restart_and_finish(dir, kSteps - 1);
}

TEST_CASE("a full disk: the journal fails, the gate refuses new orders with journal_unavailable, the journal still restarts") {
  reference();
  const fs::path dir = temp_dir("full");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const rlimit lim{6000, 6000};  // bytes a process may write to a file: the header and a few records
    if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(10);
    Harness h;
    if (!h.start(dir)) ::_exit(11);
    int k = 1;
    for (; k < kSteps && h.writer.healthy(); ++k) {
      step(h.gate, k);
      h.writer.flush();
    }
    if (h.writer.healthy()) ::_exit(12);
    if (h.writer.failure().find("File too large") == std::string::npos) ::_exit(13);
    OrderRequest r{};
    r.kind = OrderKind::new_order;
    r.client_order_id = 99999;
    r.time = step_time(k);
    r.side = kBuy;
    r.price = market_at(k, 0).mark;
    r.quantity = 1;
    h.gate.set_market(0, market_at(k, 0), 10, 10);
    const RiskDecision d = h.gate.decide(r, 0);
    if (d.accepted || d.detail != RejectDetail::journal_unavailable || h.gate.counters().refused_journal != 1) ::_exit(14);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(fs::file_size(dir / journal::kFileName) <= 6000);
  // What reached the disk is a prefix of the day: a restart rebuilds it and finishes the day.
  restart_and_finish(dir, 0);
}

TEST_CASE("a read-only journal directory: the journal cannot be opened, with the reason") {
  reference();
  const fs::path empty_dir = temp_dir("ro_empty");
  const fs::path full_dir = temp_dir("ro_full");
  fs::copy_file(reference_journal(), full_dir / journal::kFileName);
  ::chmod((full_dir / journal::kFileName).c_str(), 0444);
  ::chmod(empty_dir.c_str(), 0555);
  ::chmod(full_dir.c_str(), 0555);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Permissions bind everyone but root: a root test drops to nobody first.
    if (::geteuid() == 0 && (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(20);
    Harness a;
    if (a.start(empty_dir) || a.error.find("Permission denied") == std::string::npos) ::_exit(21);
    Harness b;
    if (b.start(full_dir) || b.error.find("Permission denied") == std::string::npos) ::_exit(22);
    if (b.restored.records == 0) ::_exit(23);  // it could read the journal, not append to it
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::chmod(empty_dir.c_str(), 0755);
  ::chmod(full_dir.c_str(), 0755);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a jump no request was checked against survives a restart: the instrument stays untrusted") {
  // The shipped config bands BTC's mark and mid. A jump fires on a market update that no request
  // follows; the journal must hold that update, or the restarted gate would trade through it.
  const InstrumentLimits& band = config().instruments[0].limits;
  REQUIRE(band.max_jump_bps > 0);
  const fs::path dir = temp_dir("jump");
  InstrumentMarket m = market_at(1, 0);
  OrderRequest r{};
  r.kind = OrderKind::new_order;
  r.client_order_id = 77001;
  r.time = m.last_update;
  r.side = kBuy;
  r.price = m.mark;
  r.quantity = 1;
  RiskDecision before_jump{}, after_jump{};
  {
    Harness h;
    REQUIRE_MESSAGE(h.start(dir), h.error);
    h.gate.set_market(0, m, 10, 10);
    before_jump = h.gate.decide(r, 0);
    // Twice the band, 100 ms later; nothing is checked after it before the process ends.
    m.mark += m.mark / 10000 * (2 * band.max_jump_bps);
    m.best_bid = m.mark - tick(0);
    m.best_ask = m.mark + tick(0);
    m.last_update += 100'000'000;
    h.gate.set_market(0, m, 10, 10);
    h.writer.flush();
    OrderRequest probe = r;
    probe.client_order_id = 77002;
    probe.time = m.last_update + 1;
    probe.price = m.mark;
    after_jump = h.gate.engine().check(probe);
  }
  CHECK(before_jump.accepted);
  REQUIRE_FALSE(after_jump.accepted);
  CHECK(after_jump.detail == RejectDetail::price_jump);
  Harness h;
  REQUIRE_MESSAGE(h.start(dir), h.error);
  OrderRequest probe = r;
  probe.client_order_id = 77003;
  probe.time = m.last_update + 1;
  probe.price = m.mark;
  const RiskDecision restored = h.gate.engine().check(probe);
  CHECK_FALSE(restored.accepted);
  CHECK(restored.detail == RejectDetail::price_jump);
}
