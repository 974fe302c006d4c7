#include "host/sessiongen/session_generator.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/events.hpp"
#include "core/interval_calendar.hpp"
#include "core/md_encode.hpp"
#include "host/io/udp_frame.hpp"
#include "host/io/pcap_source.hpp"

namespace pw {
namespace {


constexpr int64_t kSecond = 1000000000LL;
constexpr int64_t kHour = 3600 * kSecond;
constexpr size_t kMaxDatagram = 1400;

// Small, portable PRNG (splitmix64) so a seed gives the same session on every platform.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return (double)(next() >> 11) * (1.0 / 9007199254740992.0); }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
  bool chance(double p) { return uniform() < p; }
  int64_t geometric(double p, int64_t cap) {
    int64_t k = 0;
    while (k < cap && !chance(p)) ++k;
    return k;
  }
};

struct Order {
  int8_t side;
  int64_t price_ticks;
  int32_t qty;
};

struct Instrument {
  int32_t id = 0;
  const char* symbol = "";
  const char* product_code = "";
  const char* description = "";
  uint16_t channel = 0;
  int64_t tick = 0;         // price ×1e-9
  int64_t contract_q8 = 0;  // Quantity8 (×1e-8)
  int64_t fair = 0;         // ticks
  double basis = 0;       // index = fair × (1 + basis)
  uint32_t instr_seq = 0;
  uint8_t status = 0;     // PreOpen
  std::map<int64_t, Order> orders;  // by order id (time priority = id order)
  int64_t last_trade = kNullI64;
  int64_t limit_down = 0, limit_up = 0;
  int32_t volume = 0, open_interest = 50000;
  double vwap_num = 0;
  // The exchange's funding by its published method (Coinbase Help, "US Perpetual-Style Futures
  // Funding Rate Mechanism"): every 3 minutes p_k = (futures mark − spot mark) / spot mark / 24;
  // the hour's rate F = 0.75 × mean(p_k) + 0.25 × F of the previous hour. The futures mark of a
  // window [t − 3 min, t) is the VWAP of its trades, else the TWAP of the mid, else the spot mark
  // + the previous gap; the spot mark is the TWAP of the spot price over the window.
  __int128 win_pq = 0;        // Σ price × qty of the window's trades
  int64_t win_qty = 0;
  double win_mid_t = 0;       // Σ mid × ns
  int64_t win_mid_ns = 0;
  double win_spot_t = 0;      // Σ spot × ns
  int64_t win_spot_ns = 0;
  int64_t since = kNullI64;   // the book and the spot price have been as they are since then
  double gap = NAN;           // futures − spot mark of the latest sample
  double premium_sum = 0;     // Σ p_k this hour
  int64_t premium_count = 0;
  int64_t prev_rate = 0;      // F of the previous charged hour
  int64_t last_rate = 0;
  int64_t last_mark = kNullI64;  // futures mark of the latest window
  int64_t last_spot = kNullI64;
  int64_t final_rate = kNullI64;
  int64_t final_mark = kNullI64;
  int64_t final_time = kNullI64;

  int64_t price(int64_t ticks) const { return ticks * tick; }
  int64_t index_price() const { return (int64_t)std::llround((double)price(fair) * (1.0 + basis) / (double)tick * 100.0) * (tick / 100); }
  bool best(int8_t side, int64_t& px) const {
    bool found = false;
    for (const auto& [id, o] : orders) {
      if (o.side != side) continue;
      if (!found || (side > 0 ? o.price_ticks > px : o.price_ticks < px)) px = o.price_ticks;
      found = true;
    }
    return found;
  }
  size_t count(int8_t side) const {
    size_t n = 0;
    for (const auto& kv : orders) n += kv.second.side == side;
    return n;
  }
};

struct Packet {
  int64_t time;
  uint16_t channel;
  int64_t seq;
  std::vector<uint8_t> payload;
};

class Generator {
 public:
  Generator(const GenOptions& opt) : opt_(opt), rng_{opt.seed * 0x2545F4914F6CDD1DULL + 7} {
    // BTC: 0.01 BTC per contract, $5 tick, near $95,000. ETH: 0.1 ETH per contract, $0.50 tick, near $3,500.
    instruments_.push_back(make(1, "BIP-20DEC30-CDE", "BIP", "BTC Perp-Style Futures", 5 * kSecond, 1000000, 19000));
    instruments_.push_back(make(2, "ETP-20DEC30-CDE", "ETP", "ETH Perp-Style Futures", kSecond / 2, 10000000, 7000));
    for (auto& in : instruments_) {
      seq_[in.channel] = 1;
      in.limit_down = in.price(in.fair * 90 / 100);
      in.limit_up = in.price(in.fair * 110 / 100);
    }
  }

  std::vector<Packet>& run(GenResult& r) {
    int64_t t = opt_.start_ns;
    for (auto& in : instruments_) {
      definition(in, t);
      status(in, t, 0);
      for (int i = 0; i < 80; ++i) add_order(in, t += 1000, i % 2 == 0 ? 1 : -1);
      flush(in.channel, t);
      snapshot(in, t += 1000);
      status(in, t += 1000, 1);
    }
    int64_t next_snapshot = t + opt_.snapshot_interval_ns;
    for (auto& in : instruments_) funding(in, t, false, false);  // the marks in force as the session opens
    int64_t next_funding = (t / opt_.funding_update_ns + 1) * opt_.funding_update_ns;  // on the hour's grid
    int64_t next_hour = (opt_.start_ns / kHour + 1) * kHour;
    const int64_t pause_at = opt_.start_ns + opt_.duration_ns * 2 / 5;
    bool paused = false;
    const double mean_gap = (double)opt_.duration_ns / (double)std::max<uint64_t>(opt_.events, 1);
    uint64_t next_progress = opt_.events / 10;

    for (uint64_t n = 0; n < opt_.events; ++n) {
      t += 1 + (int64_t)(-std::log(1.0 - rng_.uniform()) * mean_gap);
      // Snapshot cycles and funding messages due before t, in time order (a channel's times never
      // go back: a window's spot mark arrives at the very instant the window closes).
      while (t >= next_snapshot || t >= next_funding || t >= next_hour) {
        if (next_snapshot < next_funding && next_snapshot < next_hour) {
          for (auto& in : instruments_) snapshot(in, next_snapshot);
          next_snapshot += opt_.snapshot_interval_ns;
        } else if (next_hour <= next_funding) {
          for (auto& in : instruments_) funding(in, next_hour, true, true);
          if (next_hour == next_funding) next_funding += opt_.funding_update_ns;
          next_hour += kHour;
        } else {
          for (auto& in : instruments_) funding(in, next_funding, false, true);
          next_funding += opt_.funding_update_ns;
        }
      }
      Instrument& eth = instruments_[1];
      if (!paused && t >= pause_at) {
        status(eth, t, 3);
        paused = true;
      } else if (paused && eth.status == 3 && t >= pause_at + 20 * kSecond) {
        status(eth, t, 1);
      }
      Instrument& in = instruments_[rng_.chance(0.6) ? 0 : 1];
      step(in, t);
      if (opt_.progress && n + 1 >= next_progress && opt_.events >= 10) {
        std::fprintf(stderr, "\rgenerating session: %3d%%", (int)((n + 1) * 100 / opt_.events));
        next_progress += opt_.events / 10;
      }
    }
    for (auto& in : instruments_) flush(in.channel, t);
    if (opt_.progress) std::fprintf(stderr, "\n");
    for (const auto& [name, n] : per_template_) r.per_template.emplace_back(name, n);
    r.messages = messages_;
    r.packets = packets_.size();
    return packets_;
  }

 private:
  static Instrument make(int32_t id, const char* symbol, const char* code, const char* description, int64_t tick,
                         int64_t contract_q8, int64_t fair) {
    Instrument in;
    in.id = id;
    in.symbol = symbol;
    in.product_code = code;
    in.description = description;
    in.channel = (uint16_t)id;
    in.tick = tick;
    in.contract_q8 = contract_q8;
    in.fair = fair;
    return in;
  }

  // --- message assembly -----------------------------------------------------------------------
  template <const TemplateDef& T>
  uint8_t* msg(Instrument& in, int64_t time) {
    Open& o = open_[in.channel];
    if (o.builder_len != 0 && (o.flags != kPacketIncremental || o.builder.room() < md::PacketBuilder::frame_size(T.block_length)))
      flush(in.channel, time);
    if (o.builder_len == 0) start(o, in.channel, time, kPacketIncremental, 0);
    uint8_t* b = o.builder.add(T);
    o.builder_len = o.builder.length();
    count(T);
    write_field<PW_FIELD(T, instrument_id)>(b, in.id);
    write_field<PW_FIELD(T, instr_seq_num)>(b, ++in.instr_seq);
    write_field<PW_FIELD(T, trading_session_date)>(b, time / (86400 * kSecond));
    write_field<PW_FIELD(T, transact_time)>(b, time);
    write_field<PW_FIELD(T, instrument_flags)>(b, 0);
    return b;
  }
  uint8_t* snap_msg(Instrument& in, const TemplateDef& t, int64_t time) {
    Open& o = open_[in.channel];
    if (o.builder_len != 0 && (o.flags != kPacketSnapshot || o.snapshot_instrument != in.id ||
                               o.builder.room() < md::PacketBuilder::frame_size(t.block_length)))
      flush(in.channel, time);
    if (o.builder_len == 0) start(o, in.channel, time, kPacketSnapshot, in.id);
    uint8_t* b = o.builder.add(t);
    o.builder_len = o.builder.length();
    count(t);
    return b;
  }
  struct Open {
    md::PacketBuilder builder;
    uint8_t buf[kMaxDatagram];
    size_t builder_len = 0;
    uint8_t flags = 0;
    int32_t snapshot_instrument = 0;
    int64_t time = 0;
  };
  void start(Open& o, uint16_t channel, int64_t time, uint8_t flags, int32_t snap) {
    o.builder.begin(o.buf, sizeof o.buf, time + 2000, seq_[channel], channel, flags, snap);
    o.flags = flags;
    o.snapshot_instrument = snap;
    o.time = time;
  }
  void flush(uint16_t channel, int64_t) {
    Open& o = open_[channel];
    if (o.builder_len == 0) return;
    Packet p{o.time + 2000, channel, seq_[channel]++, std::vector<uint8_t>(o.buf, o.buf + o.builder.length())};
    packets_.push_back(std::move(p));
    o.builder_len = 0;
  }
  void count(const TemplateDef& t) {
    ++per_template_[t.name];
    ++messages_;
  }

  // --- market events ---------------------------------------------------------------------------
  void definition(Instrument& in, int64_t t) {
    static constexpr const TemplateDef& T = md::kOutrightInstrumentDefinition;
    uint8_t* b = msg<T>(in, t);
    write_text<PW_FIELD(T, symbol)>(b, in.symbol);
    write_text<PW_FIELD(T, product_code)>(b, in.product_code);
    write_text<PW_FIELD(T, description)>(b, in.description);
    write_field<PW_FIELD(T, tick_size)>(b, in.tick);
    write_text<PW_FIELD(T, cfi_code)>(b, "FFCPSX");
    write_text<PW_FIELD(T, currency)>(b, "USD");
    write_field<PW_FIELD(T, first_trading_session_date)>(b, 20000);
    write_field<PW_FIELD(T, last_trading_session_date)>(b, 40000);
    write_field<PW_FIELD(T, old_contract_size)>(b, kNullI32);
    write_field<PW_FIELD(T, prior_settlement_price_optional)>(b, in.price(in.fair));
    write_field<PW_FIELD(T, settlement_price)>(b, kNullI64);
    write_field<PW_FIELD(T, limit_down_price)>(b, in.limit_down);
    write_field<PW_FIELD(T, limit_up_price)>(b, in.limit_up);
    write_field<PW_FIELD(T, product_id)>(b, 100 + in.id);
    write_field<PW_FIELD(T, product_group)>(b, 6);
    write_field<PW_FIELD(T, trading_status)>(b, in.status);
    write_field<PW_FIELD(T, contract_size)>(b, in.contract_q8);
    write_field<PW_FIELD(T, logical_expiry_year)>(b, 2030);
    write_field<PW_FIELD(T, logical_expiry_month)>(b, 12);
    write_field<PW_FIELD(T, logical_expiry_week_of_month)>(b, kNullI16);
    write_field<PW_FIELD(T, logical_expiry_day_of_month)>(b, 20);
    write_field<PW_FIELD(T, funding_interval_minutes)>(b, 60);
    write_field<PW_FIELD(T, fair_value_limit)>(b, 500);
  }

  void status(Instrument& in, int64_t t, uint8_t s) {
    in.status = s;
    static constexpr const TemplateDef& T = md::kTradingStatusUpdate;
    uint8_t* b = msg<T>(in, t);
    write_field<PW_FIELD(T, limit_down_price)>(b, in.limit_down);
    write_field<PW_FIELD(T, limit_up_price)>(b, in.limit_up);
    write_field<PW_FIELD(T, trading_status)>(b, s);
    flush(in.channel, t);
  }

  void put(Instrument& in, int64_t t, int64_t id, const Order& o) {
    static constexpr const TemplateDef& T = md::kOrderPut;
    uint8_t* b = msg<T>(in, t);
    write_field<PW_FIELD(T, instrument_side)>(b, o.side);
    write_field<PW_FIELD(T, order_id)>(b, id);
    write_field<PW_FIELD(T, price)>(b, in.price(o.price_ticks));
    write_field<PW_FIELD(T, quantity)>(b, o.qty);
  }

  int32_t random_qty() { return (int32_t)(1 + rng_.below(20) + (rng_.chance(0.1) ? rng_.below(200) : 0)); }

  void add_order(Instrument& in, int64_t t, int8_t side) {
    int64_t opp = 0;
    const bool has_opp = in.best((int8_t)-side, opp);
    int64_t px = in.fair - side * (1 + rng_.geometric(0.25, 40));
    if (has_opp) px = side > 0 ? std::min(px, opp - 1) : std::max(px, opp + 1);
    const Order o{side, px, random_qty()};
    const int64_t id = next_order_id_++;
    in.orders[id] = o;
    put(in, t, id, o);
  }

  std::map<int64_t, Order>::iterator random_order(Instrument& in) {
    auto it = in.orders.begin();
    std::advance(it, (long)rng_.below(in.orders.size()));
    return it;
  }

  void step(Instrument& in, int64_t t) {
    advance(in, t);
    if (rng_.chance(0.05)) in.fair += rng_.chance(0.5) ? 1 : -1;
    in.basis = std::clamp(in.basis + (rng_.uniform() - 0.5) * 0.00004, -0.002, 0.002);
    const size_t bids = in.count(1), asks = in.count(-1);
    const double r = rng_.uniform();
    if (in.status != 1) {  // paused: the book only shrinks or rests
      if (!in.orders.empty() && r < 0.5) remove(in, t, random_order(in));
      else add_order(in, t, rng_.chance(0.5) ? 1 : -1);
    } else if (bids < 10 || asks < 10 || r < 0.42) {
      add_order(in, t, bids < asks ? 1 : (asks < bids ? -1 : (rng_.chance(0.5) ? 1 : -1)));
    } else if (r < 0.62) {
      replace(in, t);
    } else if (r < 0.90 || in.orders.size() > 400) {
      auto it = random_order(in);
      // Far-away orders are the likeliest to go.
      for (int k = 0; k < 3 && std::llabs(it->second.price_ticks - in.fair) < 8; ++k) it = random_order(in);
      remove(in, t, it);
    } else {
      trade(in, t, rng_.chance(0.5) ? 1 : -1);
    }
    flush(in.channel, t);
  }

  void remove(Instrument& in, int64_t t, std::map<int64_t, Order>::iterator it) {
    static constexpr const TemplateDef& T = md::kOrderDelete;
    uint8_t* b = msg<T>(in, t);
    write_field<PW_FIELD(T, instrument_side)>(b, it->second.side);
    write_field<PW_FIELD(T, order_id)>(b, it->first);
    in.orders.erase(it);
  }

  void replace(Instrument& in, int64_t t) {
    auto it = random_order(in);
    Order& o = it->second;
    if (rng_.chance(0.5)) {
      o.qty = random_qty();
    } else {
      int64_t opp = 0;
      const int64_t moved = o.price_ticks + (rng_.chance(0.5) ? 1 : -1);
      const bool has_opp = in.best((int8_t)-o.side, opp);
      if (!has_opp || (o.side > 0 ? moved < opp : moved > opp)) o.price_ticks = moved;
    }
    put(in, t, it->first, o);
  }

  void trade(Instrument& in, int64_t t, int8_t aggressor) {
    int64_t px = 0;
    if (!in.best((int8_t)-aggressor, px)) return;
    int32_t level = 0;
    for (const auto& kv : in.orders)
      if (kv.second.side == -aggressor && kv.second.price_ticks == px) level += kv.second.qty;
    int32_t want = (int32_t)(1 + rng_.below((uint64_t)level));
    const int64_t aggressor_id = next_order_id_++;
    int32_t filled = 0;
    for (auto it = in.orders.begin(); it != in.orders.end() && want > 0;) {
      Order& o = it->second;
      if (o.side != -aggressor || o.price_ticks != px) {
        ++it;
        continue;
      }
      const int32_t q = std::min(want, o.qty);
      static constexpr const TemplateDef& T = md::kTrade;
      uint8_t* b = msg<T>(in, t);
      write_field<PW_FIELD(T, instrument_side)>(b, aggressor);
      write_field<PW_FIELD(T, match_id)>(b, next_match_id_++);
      write_field<PW_FIELD(T, buy_order_id)>(b, aggressor > 0 ? aggressor_id : it->first);
      write_field<PW_FIELD(T, sell_order_id)>(b, aggressor > 0 ? it->first : aggressor_id);
      write_field<PW_FIELD(T, price)>(b, in.price(px));
      write_field<PW_FIELD(T, quantity)>(b, q);
      in.win_pq += (__int128)in.price(px) * q;
      in.win_qty += q;
      o.qty -= q;
      want -= q;
      filled += q;
      it = o.qty == 0 ? in.orders.erase(it) : std::next(it);
    }
    static constexpr const TemplateDef& S = md::kTradeSummary;
    uint8_t* b = msg<S>(in, t);
    write_field<PW_FIELD(S, instrument_side)>(b, aggressor);
    write_field<PW_FIELD(S, aggressor_order_id)>(b, aggressor_id);
    write_field<PW_FIELD(S, aggressor_receive_time)>(b, t - 1500);
    write_field<PW_FIELD(S, vwap_price)>(b, in.price(px));
    write_field<PW_FIELD(S, deepest_price)>(b, in.price(px));
    write_field<PW_FIELD(S, quantity)>(b, filled);
    in.last_trade = in.price(px);
    in.volume += filled;
    in.vwap_num += (double)in.price(px) * filled;
    if (rng_.chance(0.05)) {
      static constexpr const TemplateDef& V = md::kTradeSessionVolume;
      uint8_t* v = msg<V>(in, t);
      write_field<PW_FIELD(V, vwap_price)>(v, (int64_t)(in.vwap_num / in.volume / (double)in.tick) * in.tick);
      write_field<PW_FIELD(V, trade_volume)>(v, in.volume);
      in.open_interest += (int32_t)rng_.below(50) - 20;
      static constexpr const TemplateDef& I = md::kOpenInterest;
      uint8_t* oi = msg<I>(in, t);
      write_field<PW_FIELD(I, quantity)>(oi, in.open_interest);
    }
  }

  // The window's time-weighted mid and spot price up to t (the book and the spot price have not
  // changed since `since`).
  void advance(Instrument& in, int64_t t) {
    if (in.since != kNullI64 && t > in.since) {
      const int64_t dt = t - in.since;
      int64_t bid = 0, ask = 0;
      if (in.best(1, bid) && in.best(-1, ask)) {
        in.win_mid_t += (double)in.price(bid + ask) / 2.0 * (double)dt;
        in.win_mid_ns += dt;
      }
      in.win_spot_t += (double)in.index_price() * (double)dt;
      in.win_spot_ns += dt;
    }
    if (in.since == kNullI64 || t > in.since) in.since = t;
  }

  // A FundingRate message at t. sample: a 3-minute window closes at t (its marks are published);
  // final: the hour ends at t (its rate is final, unless it is the Friday maintenance hour).
  void funding(Instrument& in, int64_t t, bool final, bool sample) {
    advance(in, t);
    int64_t bid = 0, ask = 0;
    const bool two_sided = in.best(1, bid) && in.best(-1, ask);
    if (!sample) {  // the marks in force before the first window
      in.last_spot = in.index_price();
      in.last_mark = two_sided ? in.price(bid + ask) / 2 : in.last_spot;
      in.last_rate = in.prev_rate;  // no sample yet: 0.75 × 0 + 0.25 × F_{t−1}
    } else {
      const double spot = in.win_spot_ns > 0 ? in.win_spot_t / (double)in.win_spot_ns : (double)in.index_price();
      double fut = NAN;
      if (in.win_qty > 0) fut = (double)in.win_pq / (double)in.win_qty;
      else if (in.win_mid_ns > 0) fut = in.win_mid_t / (double)in.win_mid_ns;
      else if (!std::isnan(in.gap)) fut = spot + in.gap;
      in.last_spot = (int64_t)std::llround(spot);
      if (!std::isnan(fut)) {
        in.last_mark = (int64_t)std::llround(fut);
        if (in.win_qty > 0 || in.win_mid_ns > 0) in.gap = (double)in.last_mark - (double)in.last_spot;
        in.premium_sum += ((double)in.last_mark - (double)in.last_spot) / (double)in.last_spot / 24.0;
        ++in.premium_count;
      }
      const double p = in.premium_count > 0 ? in.premium_sum / (double)in.premium_count : 0.0;
      in.last_rate = (int64_t)std::llround((0.75 * p + 0.25 * (double)in.prev_rate * 1e-9) * 1e9);
      in.win_pq = 0;
      in.win_qty = 0;
      in.win_mid_t = in.win_spot_t = 0;
      in.win_mid_ns = in.win_spot_ns = 0;
    }
    const bool charged = final && !is_coinbase_maintenance_hour(t - kHour);
    static constexpr const TemplateDef& T = md::kFundingRate;
    uint8_t* b = msg<T>(in, t);
    write_field<PW_FIELD(T, funding_rate)>(b, in.last_rate);
    write_field<PW_FIELD(T, futures_mark_price_price)>(b, in.last_mark);
    write_field<PW_FIELD(T, spot_mark_price_price)>(b, in.last_spot);
    write_field<PW_FIELD(T, fair_value_price)>(b, in.last_spot);
    const int64_t boundary = final ? t : (t / kHour + 1) * kHour;
    write_field<PW_FIELD(T, final_funding_rate_timestamp)>(b, boundary);
    write_field<PW_FIELD(T, correlation_id)>(b, boundary / kSecond);
    write_field<PW_FIELD(T, flags)>(b, charged ? 1 : 0);
    flush(in.channel, t);
    if (final) {
      if (charged) {
        in.final_rate = in.last_rate;
        in.final_mark = in.last_mark;
        in.final_time = t;
        in.prev_rate = in.last_rate;
      }
      in.premium_sum = 0;
      in.premium_count = 0;
      in.last_rate = in.prev_rate;
    }
  }

  void snapshot(Instrument& in, int64_t t) {
    flush(in.channel, t);
    std::vector<std::pair<int64_t, Order>> bids, asks;
    for (const auto& kv : in.orders) (kv.second.side > 0 ? bids : asks).push_back(kv);
    // Bids best (highest) first, asks best (lowest) first, time priority inside a level.
    std::stable_sort(bids.begin(), bids.end(), [](auto& a, auto& b) { return a.second.price_ticks > b.second.price_ticks; });
    std::stable_sort(asks.begin(), asks.end(), [](auto& a, auto& b) { return a.second.price_ticks < b.second.price_ticks; });
    uint16_t sseq = 0;
    static constexpr const TemplateDef& S = md::kStartOfOutrightInstrumentSnapshot;
    uint8_t* b = snap_msg(in, S, t);
    write_field<PW_FIELD(S, snapshot_seq_num)>(b, sseq++);
    write_field<PW_FIELD(S, last_instr_seq_num)>(b, in.instr_seq);
    write_text<PW_FIELD(S, symbol)>(b, in.symbol);
    write_text<PW_FIELD(S, product_code)>(b, in.product_code);
    write_text<PW_FIELD(S, description)>(b, in.description);
    write_field<PW_FIELD(S, tick_size)>(b, in.tick);
    write_text<PW_FIELD(S, cfi_code)>(b, "FFCPSX");
    write_text<PW_FIELD(S, currency)>(b, "USD");
    write_field<PW_FIELD(S, product_id)>(b, 100 + in.id);
    write_field<PW_FIELD(S, old_contract_size)>(b, kNullI32);
    write_field<PW_FIELD(S, order_count)>(b, (int64_t)in.orders.size());
    write_field<PW_FIELD(S, first_trading_session_date)>(b, 20000);
    write_field<PW_FIELD(S, last_trading_session_date)>(b, 40000);
    write_field<PW_FIELD(S, trading_session_date)>(b, t / (86400 * kSecond));
    write_field<PW_FIELD(S, product_group)>(b, 6);
    write_field<PW_FIELD(S, trading_status)>(b, in.status);
    write_field<PW_FIELD(S, contract_size)>(b, in.contract_q8);
    write_field<PW_FIELD(S, logical_expiry_year)>(b, 2030);
    write_field<PW_FIELD(S, logical_expiry_month)>(b, 12);
    write_field<PW_FIELD(S, logical_expiry_week_of_month)>(b, kNullI16);
    write_field<PW_FIELD(S, logical_expiry_day_of_month)>(b, 20);
    write_field<PW_FIELD(S, funding_interval_minutes)>(b, 60);
    write_field<PW_FIELD(S, fair_value_limit)>(b, 500);
    for (const auto* side : {&bids, &asks}) {
      for (const auto& [id, o] : *side) {
        static constexpr const TemplateDef& O = md::kOrderSnapshot;
        uint8_t* ob = snap_msg(in, O, t);
        write_field<PW_FIELD(O, snapshot_seq_num)>(ob, sseq++);
        write_field<PW_FIELD(O, quantity)>(ob, o.qty);
        write_field<PW_FIELD(O, transact_time)>(ob, t - 1000);
        write_field<PW_FIELD(O, order_id)>(ob, id);
        write_field<PW_FIELD(O, price)>(ob, in.price(o.price_ticks));
      }
    }
    static constexpr const TemplateDef& E = md::kEndOfSnapshot;
    uint8_t* e = snap_msg(in, E, t);
    write_field<PW_FIELD(E, snapshot_seq_num)>(e, sseq++);
    write_field<PW_FIELD(E, trade_volume)>(e, in.volume);
    write_fields<PW_FIELD(E, indicative_open_price), PW_FIELD(E, day_open_price), PW_FIELD(E, close_price),
                 PW_FIELD(E, low_price), PW_FIELD(E, high_price), PW_FIELD(E, settlement_price),
                 PW_FIELD(E, best_bid_implied_price), PW_FIELD(E, best_ask_implied_price),
                 PW_FIELD(E, next_bid_implied_price), PW_FIELD(E, next_ask_implied_price),
                 PW_FIELD(E, prior_settlement_price_optional)>(e, kNullI64);
    write_field<PW_FIELD(E, vwap_price_optional)>(e, in.volume ? (int64_t)(in.vwap_num / in.volume / (double)in.tick) * in.tick : kNullI64);
    write_field<PW_FIELD(E, last_trade_price)>(e, in.last_trade);
    write_field<PW_FIELD(E, last_trade_time)>(e, in.last_trade == kNullI64 ? kNullI64 : t - 1);
    write_field<PW_FIELD(E, limit_down_price)>(e, in.limit_down);
    write_field<PW_FIELD(E, limit_up_price)>(e, in.limit_up);
    write_fields<PW_FIELD(E, last_trade_qty), PW_FIELD(E, best_bid_implied_qty), PW_FIELD(E, best_ask_implied_qty),
                 PW_FIELD(E, next_bid_implied_qty), PW_FIELD(E, next_ask_implied_qty)>(e, kNullI32);
    write_field<PW_FIELD(E, open_interest)>(e, in.open_interest);
    write_field<PW_FIELD(E, final_funding_rate)>(e, in.final_rate);
    write_field<PW_FIELD(E, final_futures_mark_price)>(e, in.final_mark);
    write_field<PW_FIELD(E, final_funding_rate_timestamp)>(e, in.final_time);
    write_field<PW_FIELD(E, futures_mark_price_price_optional)>(e, in.last_mark);
    write_field<PW_FIELD(E, predicted_funding_rate)>(e, in.last_rate);
    write_field<PW_FIELD(E, spot_mark_price_price_optional)>(e, in.last_spot);
    write_field<PW_FIELD(E, fair_value_price_optional)>(e, in.last_spot);
    static constexpr const TemplateDef& C = md::kEndOfCycle;
    uint8_t* c = snap_msg(in, C, t);
    write_field<PW_FIELD(C, active_instrument_count)>(c, 1);
    flush(in.channel, t);
  }

  const GenOptions& opt_;
  Rng rng_;
  std::vector<Instrument> instruments_;
  std::map<uint16_t, int64_t> seq_;
  std::map<uint16_t, Open> open_;
  std::vector<Packet> packets_;
  std::map<std::string, uint64_t> per_template_;
  uint64_t messages_ = 0;
  int64_t next_order_id_ = 1000001;
  int64_t next_match_id_ = 5000001;
};

UdpEndpoint endpoint(char line, uint16_t channel) {
  const uint32_t group = (239u << 24) | (255u << 16) | ((line == 'A' ? 10u : 20u) << 8) | channel;
  return UdpEndpoint{(10u << 24) | (1u << 16) | (line == 'A' ? 1u : 2u), group, 40000, (uint16_t)(41000 + channel)};
}

struct LineEntry {
  size_t packet;
  int64_t time;
  std::string fault;  // truncate / corrupt_length applied to this copy
};

}  // namespace

bool parse_duration_ns(const std::string& text, int64_t& ns) {
  static const std::pair<const char*, double> kUnits[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (...) {
    return false;
  }
  const std::string unit = text.substr(used);
  double scale = unit.empty() && value == 0 ? 1 : 0;
  for (const auto& [name, s] : kUnits)
    if (unit == name) scale = s;
  if (scale == 0 || !(value >= 0) || value * scale > 9e18) return false;
  ns = (int64_t)std::llround(value * scale);
  return true;
}

bool generate_session(const GenOptions& opt, const std::string& dir, GenResult& r, std::string& error) {
  if (opt.faults.skew_b_ns < 0 || opt.faults.skew_b_ns > kMaxSkewBNs) {
    error = "line B skew " + std::to_string(opt.faults.skew_b_ns) + " ns is outside 0..500 us";
    return false;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "cannot create '" + dir + "': " + ec.message();
    return false;
  }
  Generator gen(opt);
  std::vector<Packet>& packets = gen.run(r);
  Rng frng{opt.seed ^ 0xFA17FA17ULL};

  // Lines A and B carry the same packets; B arrives a little later with its own jitter.
  const FaultOptions& fo = opt.faults;
  std::vector<bool> lost_both(packets.size(), false);
  for (uint32_t k = 0; k < fo.loss_both && packets.size() > 2; ++k) {
    size_t i = 1 + frng.below(packets.size() - 2);
    while (lost_both[i]) i = 1 + frng.below(packets.size() - 2);
    lost_both[i] = true;
    r.faults.push_back({"loss_both", '*', packets[i].channel, packets[i].seq, 0});
  }
  std::vector<LineEntry> lines[2];
  std::vector<bool> lost_on_a(fo.disjoint_loss ? packets.size() : 0, false);
  for (int l = 0; l < 2; ++l) {
    const char name = l == 0 ? 'A' : 'B';
    const double loss = l == 0 ? fo.loss_a : fo.loss_b;
    const int64_t delay = l == 0 ? 3000 : 4000 + fo.skew_b_ns;
    auto& line = lines[l];
    for (size_t i = 0; i < packets.size(); ++i) {
      if (lost_both[i]) continue;
      const int64_t t = packets[i].time + delay + (int64_t)frng.below(2000);
      // The draw is made even where disjoint_loss overrides it, so the rest of the line is the same.
      const bool lost = loss > 0 && frng.chance(loss);
      if (lost && fo.disjoint_loss && l == 0) lost_on_a[i] = true;
      if (lost && !(fo.disjoint_loss && l == 1 && lost_on_a[i])) {
        r.faults.push_back({"loss", name, packets[i].channel, packets[i].seq, 0});
        continue;
      }
      line.push_back({i, t, ""});
      if (fo.duplicate > 0 && frng.chance(fo.duplicate)) line.push_back({i, t + 500, "duplicate"});
    }
    if (fo.reorder > 0) {
      for (size_t j = 0; j + 1 < line.size(); ++j) {
        if (line[j].packet != line[j + 1].packet && line[j].fault.empty() && line[j + 1].fault.empty() &&
            frng.chance(fo.reorder)) {
          std::swap(line[j], line[j + 1]);
          line[j].fault = "reorder";  // arrives ahead of its predecessor
          std::swap(line[j].time, line[j + 1].time);
          ++j;
        }
      }
    }
  }
  // Damaged datagrams on line A.
  auto pick_clean = [&](std::vector<LineEntry>& line) -> LineEntry& {
    for (;;) {
      LineEntry& e = line[frng.below(line.size())];
      if (e.fault.empty()) return e;
    }
  };
  for (uint32_t k = 0; k < fo.truncate && !lines[0].empty(); ++k) pick_clean(lines[0]).fault = "truncate";
  for (uint32_t k = 0; k < fo.corrupt_length && !lines[0].empty(); ++k) pick_clean(lines[0]).fault = "corrupt_length";

  for (int l = 0; l < 2; ++l) {
    const char name = l == 0 ? 'A' : 'B';
    const std::string path = dir + (l == 0 ? "/feed_a.pcap" : "/feed_b.pcap");
    PcapWriter w;
    if (!w.open(path)) {
      error = w.error();
      return false;
    }
    uint64_t frame = 0;
    for (const LineEntry& e : lines[l]) {
      const Packet& p = packets[e.packet];
      std::vector<uint8_t> f = build_udp_frame(endpoint(name, p.channel), p.payload.data(), p.payload.size(),
                                               (uint16_t)p.seq);
      ++frame;
      if (e.fault == "truncate") {
        shorten_udp_payload(f, 1 + frng.below(p.payload.size() - 1));
      } else if (e.fault == "corrupt_length") {
        // First message's FrameLength now runs past the end of the datagram.
        store_le<uint16_t>(f.data() + 42 + md::kPacketHeaderSize, (uint16_t)(p.payload.size() + 1));
      }
      if (!e.fault.empty()) r.faults.push_back({e.fault, name, p.channel, p.seq, frame});
      w.write(e.time, f.data(), (uint32_t)f.size());
    }
    (l == 0 ? r.frames_a : r.frames_b) = frame;
  }

  nlohmann::json m;
  m["seed"] = opt.seed;
  m["events"] = opt.events;
  m["packets"] = r.packets;
  m["messages"] = r.messages;
  m["frames"] = {{"A", r.frames_a}, {"B", r.frames_b}};
  if (opt.faults.skew_b_ns != 0) m["skew_b_ns"] = opt.faults.skew_b_ns;
  for (const auto& [name, n] : r.per_template) m["per_template"][name] = n;
  m["faults"] = nlohmann::json::array();
  for (const auto& f : r.faults)
    m["faults"].push_back({{"kind", f.kind}, {"line", std::string(1, f.line)}, {"channel", f.channel},
                           {"seq_num", f.seq_num}, {"frame", f.frame}});
  std::ofstream out(dir + "/manifest.json");
  out << m.dump(1) << '\n';
  if (!out) {
    error = "cannot write '" + dir + "/manifest.json'";
    return false;
  }
  return true;
}

}  // namespace pw
