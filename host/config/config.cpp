// Config parsing and validation. toml++ gives the syntax tree with source positions; this file walks
// it section by section with a small reader that knows which keys each table may hold, turns every
// value into its exact integer form, and records every problem instead of stopping at the first.
#include "host/config/config.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <ostream>
#include <map>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "host/control/control_token.hpp"

namespace pw {

std::string ConfigError::to_string() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  if (!s.empty()) s += ": ";
  if (!key.empty()) s += key + ": ";
  return s + message;
}

std::string ConfigResult::error_text() const {
  std::string s;
  for (const auto& e : errors) s += e.to_string() + "\n";
  return s;
}

std::string McastEndpoint::to_string() const {
  return std::to_string(group >> 24) + "." + std::to_string((group >> 16) & 255) + "." + std::to_string((group >> 8) & 255) +
         "." + std::to_string(group & 255) + ":" + std::to_string(port);
}

int Config::instrument_index(std::string_view symbol) const {
  for (size_t i = 0; i < instruments.size(); ++i)
    if (instruments[i].symbol == symbol) return (int)i;
  return -1;
}

int Config::account_index(std::string_view name) const {
  for (size_t i = 0; i < accounts.size(); ++i)
    if (accounts[i].name == name) return (int)i;
  return -1;
}

const char* to_string(FeedSourceKind k) { return k == FeedSourceKind::dpdk ? "dpdk" : "pcap"; }
const char* to_string(FundingSource s) { return s == FundingSource::exchange ? "exchange" : "own"; }
const char* to_string(MarketDataSource s) { return s == MarketDataSource::kalshi_fix ? "kalshi_fix" : "sbe"; }
const char* to_string(BackendKind k) {
  switch (k) {
    case BackendKind::software: return "software";
    case BackendKind::hls_csim: return "hls-csim";
    case BackendKind::verilator: return "verilator";
    case BackendKind::xrt: return "xrt";
  }
  return "software";
}

namespace {

// ---------------------------------------------------------------------------------------------
// Helpers

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 60)) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  if (s.size() > 60) out += "…";
  return out + "\"";
}

std::string fixed9_text(int64_t v) {
  char buf[24];
  return std::string(buf, (size_t)format_fixed9(v, buf));
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string strip_underscores(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '_') out += c;
  return out;
}

// Decimal text → ×1e-9, also accepting a trailing '%' (divided by 100, which must stay exact).
bool parse_decimal(std::string_view text, bool allow_percent, int64_t& out) {
  std::string s = strip_underscores(text);
  bool percent = allow_percent && !s.empty() && s.back() == '%';
  if (percent) s.pop_back();
  int64_t v;
  if (!parse_fixed9(s.data(), s.size(), v)) return false;
  if (percent) {
    if (v % 100 != 0) return false;
    v /= 100;
  }
  out = v;
  return true;
}

struct DurationUnit {
  std::string_view suffix;
  int64_t ns;
};
constexpr DurationUnit kDurationUnits[] = {{"ns", 1},         {"us", 1000},          {"ms", 1000000},
                                           {"s", 1000000000}, {"m", 60000000000LL}, {"h", 3600000000000LL}};

// "500ms", "1.5s", "1h" → ns (exact or false).
bool parse_duration(std::string_view raw, int64_t& ns) {
  // "1 ms" reads like "1ms".
  std::string compact;
  for (char c : raw)
    if (c != ' ') compact += c;
  std::string_view text = compact;
  for (const auto& u : kDurationUnits) {
    if (text.size() <= u.suffix.size() || text.substr(text.size() - u.suffix.size()) != u.suffix) continue;
    std::string_view number = text.substr(0, text.size() - u.suffix.size());
    // "ms" also ends in "s": the number part must not end in a letter.
    if (!number.empty() && (number.back() < '0' || number.back() > '9') && number.back() != '.') continue;
    int64_t v;
    if (!parse_decimal(number, false, v) || v < 0) return false;
    __int128 total = (__int128)v * u.ns;
    if (total % kPriceScale != 0 || total / kPriceScale > INT64_MAX) return false;
    ns = (int64_t)(total / kPriceScale);
    return true;
  }
  return false;
}

std::string duration_text(int64_t ns) {
  for (int k = 5; k >= 0; --k)
    if (ns != 0 && ns % kDurationUnits[k].ns == 0) return std::to_string(ns / kDurationUnits[k].ns) + std::string(kDurationUnits[k].suffix);
  return std::to_string(ns) + "ns";
}

bool parse_ipv4(std::string_view text, uint32_t& addr) {
  std::string s(text);
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return false;
  addr = ntohl(a.s_addr);
  return true;
}

bool parse_endpoint(std::string_view text, McastEndpoint& ep) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return false;
  uint32_t group;
  if (!parse_ipv4(text.substr(0, colon), group) || (group >> 28) != 0xE) return false;
  std::string_view p = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || end != p.data() + p.size() || port == 0 || port > 65535) return false;
  ep = McastEndpoint{group, (uint16_t)port};
  return true;
}

bool is_name(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.'; });
}

// ---------------------------------------------------------------------------------------------
// Reading with error collection

struct Ctx {
  std::string file;
  std::vector<std::string> lines;  // the source, for the exact text of floating-point literals
  std::vector<ConfigError> errors;
  std::map<std::string, int, std::less<>> key_lines;

  void error(int line, std::string key, std::string message) {
    errors.push_back(ConfigError{file, line, std::move(key), std::move(message)});
  }

  // How a value reads in an error message: its TOML text where it is a scalar.
  std::string describe(const toml::node& n) const {
    switch (n.type()) {
      case toml::node_type::string: return quoted(n.as_string()->get());
      case toml::node_type::integer: return std::to_string(n.as_integer()->get());
      case toml::node_type::floating_point: return float_text(n);
      case toml::node_type::boolean: return n.as_boolean()->get() ? "true" : "false";
      case toml::node_type::table: return "a table";
      case toml::node_type::array: return "an array";
      default: return "a date/time";
    }
  }

  // A float's literal as written (TOML floats are binary doubles; only the source text says which
  // decimal the user meant). Falls back to the shortest form that reads back as the same double.
  std::string float_text(const toml::node& n) const {
    const double value = n.as_floating_point()->get();
    const auto& pos = n.source().begin;
    if (pos.line >= 1 && pos.line <= lines.size() && pos.column >= 1) {
      const std::string& l = lines[pos.line - 1];
      size_t b = pos.column - 1, e = b;
      while (e < l.size() && (std::isalnum((unsigned char)l[e]) || l[e] == '.' || l[e] == '_' || l[e] == '+' || l[e] == '-')) ++e;
      std::string token = l.substr(std::min(b, l.size()), e - std::min(b, l.size()));
      std::string plain = strip_underscores(token);
      char* end = nullptr;
      double reread = std::strtod(plain.c_str(), &end);
      if (!plain.empty() && end == plain.c_str() + plain.size() && reread == value) return token;
    }
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, r.ptr);
  }
};

int line_of(const toml::node& n) { return (int)n.source().begin.line; }

enum class Sign { positive, non_negative, any };

const char* sign_word(Sign s) { return s == Sign::positive ? "a positive " : s == Sign::non_negative ? "a non-negative " : "a "; }

// One TOML table: typed getters that record errors, and at the end a check that every key in the
// table was one the section knows.
class Section {
 public:
  Section(Ctx& ctx, const toml::table& table, std::string path) : ctx_(ctx), table_(table), path_(std::move(path)) {
    line_ = line_of(table);
    if (!path_.empty()) ctx_.key_lines[path_] = line_;
  }

  const std::string& path() const { return path_; }
  int line() const { return line_; }
  std::string key(std::string_view k) const { return path_.empty() ? std::string(k) : path_ + "." + std::string(k); }
  bool has(std::string_view k) {
    known_.emplace_back(k);
    return table_.contains(k);
  }

  // The node under `k` (marked known), or null when absent.
  const toml::node* node(std::string_view k) {
    known_.emplace_back(k);
    const toml::node* n = table_.get(k);
    if (n) ctx_.key_lines[key(k)] = line_of(*n);
    return n;
  }
  void missing(std::string_view k, const std::string& expected) { ctx_.error(line_, key(k), "missing (expected " + expected + ")"); }
  void wrong(std::string_view k, const toml::node& n, const std::string& expected) {
    ctx_.error(line_of(n), key(k), "expected " + expected + ", got " + ctx_.describe(n));
  }
  void fail(std::string_view k, const toml::node& n, const std::string& message) { ctx_.error(line_of(n), key(k), message); }

  std::optional<std::string> string(std::string_view k, bool required, const std::string& expected = "a string") {
    const toml::node* n = node(k);
    if (!n) {
      if (required) missing(k, expected);
      return std::nullopt;
    }
    if (!n->is_string()) {
      wrong(k, *n, expected);
      return std::nullopt;
    }
    return n->as_string()->get();
  }

  // A name: letters, digits, '-', '_', '.'.
  std::optional<std::string> name(std::string_view k, bool required, size_t max_len) {
    const std::string expected = "a name of 1 to " + std::to_string(max_len) + " letters, digits, '-', '_' or '.'";
    auto s = string(k, required, expected);
    if (s && !is_name(*s, max_len)) {
      wrong(k, *node(k), expected);
      return std::nullopt;
    }
    return s;
  }

  std::optional<std::string> choice(std::string_view k, std::initializer_list<std::string_view> options) {
    std::string expected = "one of";
    for (auto o : options) expected += std::string(o == *options.begin() ? " " : ", ") + quoted(o);
    auto s = string(k, false, expected);
    if (s && std::find(options.begin(), options.end(), *s) == options.end()) {
      wrong(k, *node(k), expected);
      return std::nullopt;
    }
    return s;
  }

  std::optional<bool> boolean(std::string_view k) {
    const toml::node* n = node(k);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) {
      wrong(k, *n, "true or false");
      return std::nullopt;
    }
    return n->as_boolean()->get();
  }

  std::optional<int64_t> integer(std::string_view k, bool required, int64_t min, int64_t max) {
    std::string expected = min == 1 ? "a positive integer" : min == 0 ? "a non-negative integer"
                                                                      : "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    const toml::node* n = node(k);
    if (!n) {
      if (required) missing(k, expected);
      return std::nullopt;
    }
    if (!n->is_integer()) {
      wrong(k, *n, expected);
      return std::nullopt;
    }
    int64_t v = n->as_integer()->get();
    if (v < min) {
      wrong(k, *n, expected);
      return std::nullopt;
    }
    if (v > max) {
      wrong(k, *n, "at most " + std::to_string(max));
      return std::nullopt;
    }
    return v;
  }

  // Exact decimal ×1e-9 from a string ("0.01"), an integer (5) or a float literal whose text has at
  // most nine decimals (0.5). `percent`: also "0.01%".
  std::optional<int64_t> decimal(std::string_view k, bool required, Sign sign, bool percent = false) {
    std::string expected = std::string(sign_word(sign)) + "decimal number with at most 9 decimals" +
                           (percent ? " (or a percentage such as \"0.01%\")" : "") + " written as a string or number";
    const toml::node* n = node(k);
    if (!n) {
      if (required) missing(k, expected);
      return std::nullopt;
    }
    int64_t v = 0;
    bool ok = false;
    if (n->is_integer()) {
      __int128 scaled = (__int128)n->as_integer()->get() * kPriceScale;
      ok = scaled <= INT64_MAX && scaled >= -INT64_MAX;
      v = (int64_t)scaled;
    } else if (n->is_floating_point()) {
      std::string text = ctx_.float_text(*n);
      ok = parse_decimal(text, false, v);
      if (!ok && text.find_first_of("eE") != std::string::npos && text.find_first_of("iInN") == std::string::npos) {
        fail(k, *n, "expected " + expected + ", got " + text + " (an exponent is not read exactly: write the digits out)");
        return std::nullopt;
      }
    } else if (n->is_string()) {
      ok = parse_decimal(n->as_string()->get(), percent, v);
    }
    if (!ok || (sign == Sign::positive && v <= 0) || (sign == Sign::non_negative && v < 0)) {
      wrong(k, *n, expected);
      return std::nullopt;
    }
    return v;
  }

  std::optional<int64_t> duration(std::string_view k, bool required, int64_t min_ns = 1, int64_t max_ns = INT64_MAX,
                                  const char* at_most = nullptr) {
    std::string expected = std::string(min_ns > 0 ? "a positive " : "a ") + "duration such as \"500ms\", \"5s\" or \"1h\" (units ns, us, ms, s, m, h)";
    if (at_most) expected += std::string(" of at most ") + at_most;
    const toml::node* n = node(k);
    if (!n) {
      if (required) missing(k, expected);
      return std::nullopt;
    }
    int64_t ns = 0;
    if (!n->is_string() || !parse_duration(n->as_string()->get(), ns) || ns < min_ns || ns > max_ns) {
      wrong(k, *n, expected);
      return std::nullopt;
    }
    return ns;
  }

  std::optional<McastEndpoint> endpoint(std::string_view k, bool required) {
    const std::string expected = "a multicast group and UDP port such as \"239.255.10.1:41001\"";
    auto s = string(k, required, expected);
    if (!s) return std::nullopt;
    McastEndpoint ep;
    if (!parse_endpoint(*s, ep)) {
      wrong(k, *node(k), expected);
      return std::nullopt;
    }
    return ep;
  }

  // A sub-table; absent → null (and `missing` when required).
  const toml::table* table(std::string_view k, bool required) {
    const toml::node* n = node(k);
    if (!n) {
      if (required) missing(k, "a table ([" + key(k) + "])");
      return nullptr;
    }
    if (!n->is_table()) {
      wrong(k, *n, "a table ([" + key(k) + "])");
      return nullptr;
    }
    return n->as_table();
  }

  // An array of tables ([[k]] entries or [{...}, {...}]).
  std::vector<const toml::table*> tables(std::string_view k, bool required, size_t min, size_t max) {
    std::string expected = "an array of tables ([[" + key(k) + "]] entries)";
    std::vector<const toml::table*> out;
    const toml::node* n = node(k);
    if (!n) {
      if (required) missing(k, expected);
      return out;
    }
    if (!n->is_array()) {
      wrong(k, *n, expected);
      return out;
    }
    const toml::array& a = *n->as_array();
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_table()) {
        ctx_.error(line_of(a[i]), key(k) + "[" + std::to_string(i) + "]", "expected a table, got " + ctx_.describe(a[i]));
        continue;
      }
      out.push_back(a[i].as_table());
    }
    if (a.size() < min || a.size() > max)
      ctx_.error(line_of(*n), key(k), "expected " + std::to_string(min) + " to " + std::to_string(max) + " entries, got " + std::to_string(a.size()));
    return out;
  }

  // Every key not asked for is unknown: a typo, or a key of another section.
  void finish() {
    for (auto&& [k, v] : table_) {
      std::string_view name = k.str();
      if (std::find(known_.begin(), known_.end(), name) != known_.end()) continue;
      std::string message = "unknown key";
      std::string best;
      size_t best_d = 3;
      for (const auto& cand : known_) {
        size_t d = edit_distance(name, cand);
        if (d < best_d) best_d = d, best = cand;
      }
      if (!best.empty()) message += " (did you mean \"" + best + "\"?)";
      else {
        std::string list;
        std::set<std::string> uniq(known_.begin(), known_.end());
        for (const auto& c : uniq) list += (list.empty() ? "" : ", ") + c;
        message += " (known keys here: " + list + ")";
      }
      int line = k.source().begin.line ? (int)k.source().begin.line : line_of(v);
      ctx_.error(line, key(name), message);
    }
  }

 private:
  Ctx& ctx_;
  const toml::table& table_;
  std::string path_;
  int line_ = 0;
  std::vector<std::string> known_;
};

// ---------------------------------------------------------------------------------------------
// Sections

void read_margin(Section& s, InstrumentLimits& limits, Ctx& ctx) {
  MarginTable& table = limits.margin;
  table = MarginTable{};
  const bool has_tiers = s.has("margin_tiers"), has_leverage = s.has("max_leverage");
  if (has_tiers && has_leverage) {
    ctx.error(s.line(), s.key("max_leverage"), "give either max_leverage (one tier) or margin_tiers, not both");
    return;
  }
  if (has_leverage) {
    auto lev = s.integer("max_leverage", true, 1, kMaxConfigLeverage);
    if (lev) table.tiers[0] = MarginTier{INT64_MAX, *lev}, table.count = 1;
    return;
  }
  auto tiers = s.tables("margin_tiers", false, 1, kMaxMarginTiers);
  if (!s.has("margin_tiers")) {
    s.missing("max_leverage", "a positive integer, or margin_tiers = [{ up_to = \"1000000\", max_leverage = 20 }, { max_leverage = 10 }]");
    return;
  }
  for (size_t k = 0; k < tiers.size() && k < (size_t)kMaxMarginTiers; ++k) {
    Section t(ctx, *tiers[k], s.key("margin_tiers") + "[" + std::to_string(k) + "]");
    const bool last = k + 1 == tiers.size();
    auto lev = t.integer("max_leverage", true, 1, kMaxConfigLeverage);
    std::optional<int64_t> cap;
    if (last) {
      if (t.has("up_to"))
        ctx.error(t.line(), t.key("up_to"), "the last tier covers every notional above the previous one: leave up_to out");
    } else {
      cap = t.decimal("up_to", true, Sign::positive);
    }
    t.finish();
    table.tiers[k] = MarginTier{cap.value_or(INT64_MAX), lev.value_or(0)};
    if (k > 0 && lev && table.tiers[k - 1].max_leverage > 0 && *lev >= table.tiers[k - 1].max_leverage)
      ctx.error(t.line(), t.key("max_leverage"),
                "expected less than the previous tier's " + std::to_string(table.tiers[k - 1].max_leverage) +
                    " (leverage falls as the notional grows), got " + std::to_string(*lev));
    if (k > 0 && cap && table.tiers[k - 1].notional_cap != INT64_MAX && *cap <= table.tiers[k - 1].notional_cap)
      ctx.error(t.line(), t.key("up_to"),
                "expected more than the previous tier's " + fixed9_text(table.tiers[k - 1].notional_cap) + ", got " + fixed9_text(*cap));
  }
  table.count = (int32_t)std::min(tiers.size(), (size_t)kMaxMarginTiers);
}

void read_instrument(Section& s, InstrumentConfig& in, Ctx& ctx) {
  if (auto v = s.name("symbol", true, 24)) in.symbol = *v;
  if (auto v = s.integer("id", true, 1, INT32_MAX)) in.id = (int32_t)*v;
  if (auto v = s.integer("channel", true, 1, 65535)) in.channel = (uint16_t)*v;
  if (auto v = s.decimal("contract_size", true, Sign::positive)) in.contract_size = *v;
  if (auto v = s.decimal("tick", true, Sign::positive)) in.tick = *v;

  if (const toml::table* t = s.table("mark", true)) {
    Section m(ctx, *t, s.key("mark"));
    std::initializer_list<std::string_view> presets = {kMarkPresets[0], kMarkPresets[1], kMarkPresets[2],
                                                       kMarkPresets[3], kMarkPresets[4], kMarkPresets[5],
                                                       kMarkPresets[6], kMarkPresets[7], kMarkPresets[8]};
    if (auto v = m.choice("preset", presets)) in.preset = *v;
    else if (!m.has("preset")) m.missing("preset", "the name of a mark/funding preset, e.g. \"coinbase\"");
    in.mark.funding_interval_ns = m.duration("funding_interval", false);
    in.mark.sample_interval_ns = m.duration("sample_interval", false);
    in.mark.impact_notional = m.decimal("impact_notional", false, Sign::positive);
    in.mark.interest_rate = m.decimal("interest_rate", false, Sign::any, true);
    in.mark.clamp = m.decimal("clamp", false, Sign::non_negative, true);
    in.mark.cap = m.decimal("cap", false, Sign::positive, true);
    in.mark.ma_window_ns = m.duration("ma_window", false);
    in.mark.ma_sample_ns = m.duration("ma_sample", false);
    if (in.mark.sample_interval_ns && in.mark.funding_interval_ns && *in.mark.sample_interval_ns > *in.mark.funding_interval_ns)
      ctx.error(m.line(), m.key("sample_interval"), "expected at most the funding interval (" + duration_text(*in.mark.funding_interval_ns) + ")");
    m.finish();
  }

  if (const toml::table* t = s.table("limits", true)) {
    Section l(ctx, *t, s.key("limits"));
    InstrumentLimits& lim = in.limits;
    lim.max_order_qty = l.integer("max_order_qty", true, 1, INT32_MAX).value_or(0);
    lim.max_order_notional = l.decimal("max_order_notional", true, Sign::positive).value_or(0);
    lim.max_position = l.integer("max_position", true, 1, kMaxConfigQty).value_or(0);
    lim.collar_bps = l.integer("collar_bps", true, 1, kMaxConfigCollarBps).value_or(0);
    lim.max_staleness_ns = l.duration("max_staleness", true).value_or(0);
    // Optional jump band (check 3): all three keys, or none.
    if (l.has("max_jump_bps")) {
      lim.max_jump_bps = l.integer("max_jump_bps", false, 1, kMaxConfigCollarBps).value_or(0);
      lim.jump_window_ns = l.duration("jump_window", true, 1, kMaxConfigJumpNs, "1h").value_or(0);
      lim.jump_settle_ns = l.duration("jump_settle", true, 1, kMaxConfigJumpNs, "1h").value_or(0);
    } else {
      for (const char* k : {"jump_window", "jump_settle"})
        if (const toml::node* n = l.node(k)) l.fail(k, *n, "only with max_jump_bps");
    }
    read_margin(l, lim, ctx);
    l.finish();
  }
}

// Check 10's weights per request kind (optional; defaults 1, 1, 0: new orders and replaces take
// a token, cancels none). A weight above the bucket's burst could never be met.
void read_throttle_weights(Section& s, int64_t burst, int64_t& w_new, int64_t& w_replace, int64_t& w_cancel) {
  const std::pair<const char*, int64_t*> keys[] = {
      {"throttle_weight_new", &w_new}, {"throttle_weight_replace", &w_replace}, {"throttle_weight_cancel", &w_cancel}};
  for (const auto& [k, out] : keys) {
    const std::optional<int64_t> v = s.integer(k, false, 0, kMaxConfigThrottleWeight);
    if (!v) continue;
    if (burst > 0 && *v > burst) {
      std::string message = "expected at most order_burst (";
      message += std::to_string(burst);
      message += "), got ";
      message += std::to_string(*v);
      s.fail(k, *s.node(k), message);
      continue;
    }
    *out = *v;
  }
}

void read_account(Section& s, AccountConfig& a, Ctx& ctx) {
  if (auto v = s.name("name", true, 32)) a.name = *v;
  if (auto v = s.name("owner", false, 32)) a.owner = *v;
  if (auto v = s.decimal("cash", true, Sign::non_negative)) a.cash = *v;
  if (const toml::table* t = s.table("limits", true)) {
    Section l(ctx, *t, s.key("limits"));
    a.limits.max_position = l.integer("max_position", true, 1, kMaxConfigQty).value_or(0);
    a.limits.daily_notional_limit = l.decimal("daily_gross_notional", true, Sign::positive).value_or(0);
    a.limits.orders_per_second = l.integer("orders_per_second", true, 1, kMaxConfigOrdersPerSecond).value_or(0);
    a.limits.order_burst = l.integer("order_burst", true, 1, kMaxConfigBurst).value_or(0);
    // Optional: left out, no limit (0 in AccountLimits).
    a.limits.max_open_orders = l.integer("max_open_orders", false, 1, kMaxConfigOpenOrders).value_or(0);
    a.limits.max_open_orders_per_instrument = l.integer("max_open_orders_per_instrument", false, 1, kMaxConfigOpenOrders).value_or(0);
    a.limits.duplicate_window_ns = l.duration("duplicate_order_window", false, 1, kMaxConfigDuplicateWindowNs, "1h").value_or(0);
    read_throttle_weights(l, a.limits.order_burst, a.limits.throttle_weight_new, a.limits.throttle_weight_replace,
                          a.limits.throttle_weight_cancel);
    // Repeated execution: either count on needs the window and the cool-down.
    a.limits.fill_rate_fills = l.integer("fill_rate_fills", false, 1, kMaxConfigFillRateFills).value_or(0);
    a.limits.fill_rate_qty = l.integer("fill_rate_quantity", false, 1, kMaxConfigQty).value_or(0);
    const bool fill_rate = l.has("fill_rate_fills") || l.has("fill_rate_quantity");
    a.limits.fill_rate_window_ns = l.duration("fill_rate_window", fill_rate, 1, kMaxConfigFillRateWindowNs, "1h").value_or(0);
    a.limits.fill_rate_cooldown_ns = l.duration("fill_rate_cooldown", fill_rate, 1, kMaxConfigFillRateCooldownNs, "24h").value_or(0);
    if (!fill_rate)
      for (const char* k : {"fill_rate_window", "fill_rate_cooldown"})
        if (l.has(k)) l.fail(k, *l.node(k), "only with fill_rate_fills or fill_rate_quantity");
    a.limits.loss_limit = l.decimal("loss_limit", false, Sign::positive).value_or(0);
    l.finish();
  }
}

void read_feed_line(Section& s, FeedLineConfig& line, Ctx& ctx) {
  line.enabled = true;
  const bool has_pcap = s.has("pcap"), has_dpdk = s.has("dpdk_port");
  if (!has_pcap && !has_dpdk) ctx.error(s.line(), s.path(), "missing pcap (a capture to replay) or dpdk_port (a DPDK port)");
  if (has_pcap) {
    // With dpdk_port as well, the capture is the replay used when DPDK cannot start.
    line.source = FeedSourceKind::pcap;
    auto v = s.string("pcap", true, "a capture file path");
    if (v && v->empty()) s.wrong("pcap", *s.node("pcap"), "a capture file path");
    if (v) line.pcap = *v;
  }
  if (has_dpdk) {
    line.source = FeedSourceKind::dpdk;
    const toml::node* n = s.node("dpdk_port");
    const std::string expected = "a DPDK device name such as \"net_pcap0\" or a port number";
    if (n->is_integer() && n->as_integer()->get() >= 0 && n->as_integer()->get() < 1024) line.dpdk_port = std::to_string(n->as_integer()->get());
    else if (n->is_string() && !n->as_string()->get().empty()) line.dpdk_port = n->as_string()->get();
    else s.wrong("dpdk_port", *n, expected);
  }
}

void read_feeds(Section& s, Config& c, Ctx& ctx) {
  if (const toml::table* t = s.table("line_a", true)) {
    Section l(ctx, *t, s.key("line_a"));
    read_feed_line(l, c.feeds.line_a, ctx);
    l.finish();
  }
  if (const toml::table* t = s.table("line_b", false)) {
    Section l(ctx, *t, s.key("line_b"));
    read_feed_line(l, c.feeds.line_b, ctx);
    l.finish();
  }
  if (auto v = s.duration("reorder_wait", false, 0)) c.feeds.reorder_wait_ns = *v;
  auto channels = s.tables("channels", true, 1, 64);
  std::map<uint16_t, int> ids;
  std::map<std::pair<uint32_t, uint16_t>, std::string> endpoints;
  for (size_t i = 0; i < channels.size(); ++i) {
    Section ch(ctx, *channels[i], s.key("channels") + "[" + std::to_string(i) + "]");
    FeedChannelConfig fc;
    if (auto v = ch.integer("id", true, 1, 65535)) {
      fc.id = (uint16_t)*v;
      if (!ids.emplace(fc.id, (int)i).second)
        ch.fail("id", *ch.node("id"), "channel " + std::to_string(fc.id) + " is already defined by feeds.channels[" + std::to_string(ids[fc.id]) + "]");
    }
    if (auto v = ch.endpoint("line_a", true)) fc.line_a = *v;
    if (c.feeds.line_b.enabled) {
      fc.line_b = ch.endpoint("line_b", true);
    } else if (ch.has("line_b")) {
      ch.fail("line_b", *ch.node("line_b"), "there is no [feeds.line_b]: define it, or leave this out");
    }
    for (int line = 0; line < 2; ++line) {
      const McastEndpoint* ep = line == 0 ? &fc.line_a : (fc.line_b ? &*fc.line_b : nullptr);
      if (!ep || ep->group == 0) continue;
      const std::string here = ch.key(line == 0 ? "line_a" : "line_b");
      auto [it, fresh] = endpoints.emplace(std::make_pair(ep->group, ep->port), here);
      if (!fresh) ch.fail(line == 0 ? "line_a" : "line_b", *ch.node(line == 0 ? "line_a" : "line_b"), ep->to_string() + " is already used by " + it->second);
    }
    ch.finish();
    c.feeds.channels.push_back(fc);
  }
}

// A relative path names a file beside the config file, wherever perpwire is started from.
std::string beside_config(const Ctx& ctx, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  const size_t slash = ctx.file.rfind('/');
  return slash == std::string::npos ? p : ctx.file.substr(0, slash + 1) + p;
}

// A FIX CompID: 1 to `max_len` printable characters, no '|' or spaces.
bool is_comp_id(const std::string& v, size_t max_len) {
  return !v.empty() && v.size() <= max_len && std::all_of(v.begin(), v.end(), [](char c) { return c > ' ' && c < 127 && c != '|'; });
}

void read_order_entry(Section& s, OrderEntryConfig& oe, Ctx& ctx) {
  oe.enabled = true;
  if (auto v = s.string("host", true, "a host name or address")) oe.host = *v;
  if (auto v = s.integer("port", true, 0, 65535)) oe.port = (uint16_t)*v;
  if (auto v = s.string("username", true, "a user name of 1 to 16 characters")) {
    if (v->empty() || v->size() > 16) s.wrong("username", *s.node("username"), "a user name of 1 to 16 characters");
    else oe.username = *v;
  }
  const bool has_pw = s.has("password"), has_env = s.has("password_env");
  if (has_pw && has_env) ctx.error(s.line(), s.key("password"), "give either password or password_env, not both");
  if (!has_pw && !has_env) s.missing("password", "a password of at most 32 characters, or password_env naming an environment variable that holds it");
  if (has_pw) {
    if (auto v = s.string("password", true, "a password of at most 32 characters")) {
      if (v->size() > 32) ctx.error(line_of(*s.node("password")), s.key("password"), "expected a password of at most 32 characters, got one of " + std::to_string(v->size()));
      else oe.password = *v;
    }
  }
  if (has_env) {
    if (auto v = s.name("password_env", true, 128)) {
      oe.password_env = *v;
      const char* value = std::getenv(v->c_str());
      if (!value) s.fail("password_env", *s.node("password_env"), "the environment variable " + *v + " is not set");
      else if (std::strlen(value) > 32) s.fail("password_env", *s.node("password_env"), "the password in " + *v + " is longer than 32 characters");
      else oe.password = value;
    }
  }
  if (auto v = s.duration("heartbeat", false)) {
    if (*v % 1000000000 != 0 || *v > 3600LL * 1000000000) s.wrong("heartbeat", *s.node("heartbeat"), "whole seconds from \"1s\" to \"1h\" (the protocol sends seconds)");
    else oe.heartbeat_ns = *v;
  }
  if (auto v = s.integer("orders_per_second", false, 1, kMaxConfigOrdersPerSecond)) oe.limits.orders_per_second = *v;
  if (auto v = s.integer("order_burst", false, 1, kMaxConfigBurst)) oe.limits.order_burst = *v;
  read_throttle_weights(s, oe.limits.order_burst, oe.limits.throttle_weight_new, oe.limits.throttle_weight_replace,
                        oe.limits.throttle_weight_cancel);
  if (auto v = s.boolean("simulator")) oe.simulator = *v;
  if (auto v = s.boolean("cancel_on_disconnect")) oe.cancel_on_disconnect = *v;
  if (auto v = s.duration("ack_latency", false, 0)) {
    if (!oe.simulator) s.fail("ack_latency", *s.node("ack_latency"), "ack_latency is the simulated exchange's: only with simulator = true");
    else if (*v > 1000000000) s.wrong("ack_latency", *s.node("ack_latency"), "a duration from \"0us\" to \"1s\"");
    else oe.ack_latency_ns = *v;
  }
  if (auto v = s.choice("protocol", {"sbe", "fix"})) oe.protocol = *v == "fix" ? OrderEntryProtocol::fix : OrderEntryProtocol::sbe;
  const bool fix = oe.protocol == OrderEntryProtocol::fix;
  auto beside = [&](const std::string& p) { return beside_config(ctx, p); };
  for (const char* k : {"fix_dictionary", "fix_store_dir", "fix_sender_comp_id", "fix_target_comp_id", "fix_account"}) {
    if (s.has(k) && !fix) s.fail(k, *s.node(k), std::string(k) + " is FIX's: only with protocol = \"fix\"");
  }
  if (fix) {
    if (auto v = s.string("fix_dictionary", true, "the path of a QuickFIX data dictionary, e.g. \"fix/coinbase_derivatives_fix44.xml\"")) {
      const std::string path = beside(*v);
      if (v->empty() || ::access(path.c_str(), R_OK) != 0)
        s.fail("fix_dictionary", *s.node("fix_dictionary"), "cannot read the data dictionary " + quoted(path));
      else oe.fix_dictionary = path;
    }
    if (auto v = s.string("fix_store_dir", false, "a directory for QuickFIX's file store")) {
      if (v->empty()) s.wrong("fix_store_dir", *s.node("fix_store_dir"), "a directory for QuickFIX's file store");
      else oe.fix_store_dir = beside(*v);
    }
    for (const char* k : {"fix_sender_comp_id", "fix_target_comp_id", "fix_account"}) {
      if (auto v = s.string(k, false, "1 to 32 characters, no '|' or control characters")) {
        if (!is_comp_id(*v, 32)) s.wrong(k, *s.node(k), "1 to 32 characters, no '|', spaces or control characters");
        else (std::string(k) == "fix_sender_comp_id" ? oe.fix_sender_comp_id
              : std::string(k) == "fix_target_comp_id" ? oe.fix_target_comp_id : oe.fix_account) = *v;
      }
    }
    if (oe.fix_sender_comp_id.empty()) oe.fix_sender_comp_id = oe.username;
    if (oe.fix_account.empty()) oe.fix_account = oe.username;
  }
  if (oe.port == 0 && !oe.simulator && s.has("port"))
    s.wrong("port", *s.node("port"), "a port from 1 to 65535 (0, any free port, only with simulator = true)");
  // A missing host is reported above; there is no node to point at then.
  if (oe.simulator && s.has("host") && oe.host != "127.0.0.1" && oe.host != "localhost")
    s.wrong("host", *s.node("host"), "\"127.0.0.1\" when simulator = true (the simulated exchange listens on loopback)");
}

void read_control(Section& s, ControlConfig& cc, Ctx& ctx) {
  if (auto v = s.boolean("enabled")) cc.enabled = *v;
  if (auto v = s.boolean("allow_remote")) cc.allow_remote = *v;
  if (auto v = s.string("bind", false, "an IPv4 address such as \"127.0.0.1\"")) {
    uint32_t addr;
    if (!parse_ipv4(*v, addr)) s.wrong("bind", *s.node("bind"), "an IPv4 address such as \"127.0.0.1\"");
    else {
      cc.bind = *v;
      if ((addr >> 24) != 127 && !cc.allow_remote)
        s.fail("bind", *s.node("bind"),
               "the control plane can kill and reload: binding it to " + *v + " (not loopback) needs allow_remote = true");
    }
  }
  if (auto v = s.integer("port", false, 0, 65535)) cc.port = (uint16_t)*v;
  if (auto v = s.string("token_file", false, "the path of a file holding the bearer token (mode 0600)")) {
    std::string error;
    if (v->empty()) s.wrong("token_file", *s.node("token_file"), "the path of a file holding the bearer token (mode 0600)");
    else if (!read_control_token_file(*v, cc.token, error)) s.fail("token_file", *s.node("token_file"), error);
    else cc.token_file = *v;
  }
  for (const char* k : {"tls_cert", "tls_key"}) {
    auto v = s.string(k, false, "the path of a PEM file");
    if (!v) continue;
    if (v->empty() || ::access(v->c_str(), R_OK) != 0) {
      s.fail(k, *s.node(k), "cannot read " + (v->empty() ? std::string("\"\"") : *v) + (v->empty() ? "" : std::string(" (") + std::strerror(errno) + ")"));
      continue;
    }
    (std::string(k) == "tls_cert" ? cc.tls_cert : cc.tls_key) = *v;
  }
  if (s.has("tls_cert") != s.has("tls_key"))
    ctx.error(s.line(), s.key(s.has("tls_cert") ? "tls_key" : "tls_cert"), "missing: TLS needs both tls_cert and tls_key");
  if (cc.allow_remote && !(s.has("tls_cert") && s.has("tls_key")))
    s.fail("allow_remote", *s.node("allow_remote"),
           "a control plane reachable from the network needs TLS: set tls_cert and tls_key (the bearer token must not cross the network in clear)");
}

// A list of strings (servers, symbols); each element checked by `valid`.
std::vector<std::string> string_list(Section& s, std::string_view k, bool required, const std::string& expected,
                                     bool (*valid)(const std::string&)) {
  std::vector<std::string> out;
  const toml::node* n = s.node(k);
  if (!n) {
    if (required) s.missing(k, "a list of " + expected);
    return out;
  }
  const toml::array* arr = n->as_array();
  if (!arr || arr->empty()) {
    s.wrong(k, *n, "a non-empty list of " + expected);
    return out;
  }
  for (const toml::node& e : *arr) {
    if (!e.is_string() || !valid(e.as_string()->get())) {
      s.wrong(k, e, expected);
      continue;
    }
    out.push_back(e.as_string()->get());
  }
  return out;
}

bool is_nats_url(const std::string& u) {
  return (u.rfind("nats://", 0) == 0 || u.rfind("tls://", 0) == 0) && u.find(':', 7) != std::string::npos;
}

void read_market_data(Section& s, MarketDataConfig& md, Ctx& ctx) {
  if (auto v = s.choice("source", {"sbe", "kalshi_fix"})) md.source = *v == "kalshi_fix" ? MarketDataSource::kalshi_fix : MarketDataSource::sbe;
  static constexpr const char* kFixKeys[] = {"host", "port", "sender_comp_id", "target_comp_id", "symbols", "transport_dictionary",
                                             "app_dictionary", "store_dir", "heartbeat", "qty_decimals", "simulator",
                                             "simulator_capture"};
  if (md.source != MarketDataSource::kalshi_fix) {
    for (const char* k : kFixKeys)
      if (s.has(k)) s.fail(k, *s.node(k), std::string(k) + " is Kalshi FIX market data's: only with source = \"kalshi_fix\"");
    return;
  }
  if (auto v = s.string("host", true, "a host name or address")) {
    if (v->empty()) s.wrong("host", *s.node("host"), "a host name or address");
    else md.host = *v;
  }
  if (auto v = s.integer("port", true, 1, 65535)) md.port = (uint16_t)*v;
  const std::string comp = "1 to 64 characters, no '|', spaces or control characters";
  if (auto v = s.string("sender_comp_id", true, "the FIX API key (" + comp + ")")) {
    if (!is_comp_id(*v, 64)) s.wrong("sender_comp_id", *s.node("sender_comp_id"), "the FIX API key (" + comp + ")");
    else md.sender_comp_id = *v;
  }
  if (auto v = s.string("target_comp_id", false, comp)) {
    if (!is_comp_id(*v, 64)) s.wrong("target_comp_id", *s.node("target_comp_id"), comp);
    else md.target_comp_id = *v;
  }
  md.symbols = string_list(s, "symbols", false, "instrument symbols of this config", [](const std::string& v) { return !v.empty(); });
  for (const char* k : {"transport_dictionary", "app_dictionary"}) {
    const bool transport = std::string(k) == "transport_dictionary";
    const std::string expected = std::string("the path of a QuickFIX data dictionary, e.g. \"fix/") +
                                 (transport ? "kalshi_md_fixt11.xml" : "kalshi_md_fix50sp2.xml") + "\"";
    if (auto v = s.string(k, true, expected)) {
      const std::string path = beside_config(ctx, *v);
      if (v->empty() || ::access(path.c_str(), R_OK) != 0) s.fail(k, *s.node(k), "cannot read the data dictionary " + quoted(path));
      else (transport ? md.transport_dictionary : md.app_dictionary) = path;
    }
  }
  if (auto v = s.string("store_dir", false, "a directory for QuickFIX's file store")) {
    if (v->empty()) s.wrong("store_dir", *s.node("store_dir"), "a directory for QuickFIX's file store");
    else md.store_dir = beside_config(ctx, *v);
  }
  if (auto v = s.duration("heartbeat", false)) {
    if (*v % 1000000000 != 0 || *v > 3600LL * 1000000000) s.wrong("heartbeat", *s.node("heartbeat"), "whole seconds from \"1s\" to \"1h\" (the protocol sends seconds)");
    else md.heartbeat_ns = *v;
  }
  if (auto v = s.integer("qty_decimals", false, 0, 6)) md.qty_decimals = (int32_t)*v;
  if (auto v = s.boolean("simulator")) md.simulator = *v;
  if (auto v = s.string("simulator_capture", md.simulator, "the line A capture of a generated session, e.g. \"../out/session/feed_a.pcap\"")) {
    if (!md.simulator) s.fail("simulator_capture", *s.node("simulator_capture"), "simulator_capture is the simulated publisher's: only with simulator = true");
    else if (v->empty()) s.wrong("simulator_capture", *s.node("simulator_capture"), "the path of a capture");
    else md.simulator_capture = beside_config(ctx, *v);  // read at start: `perpwire gen` may write it after this check
  }
  if (md.simulator && s.has("host") && md.host != "127.0.0.1" && md.host != "localhost")
    s.wrong("host", *s.node("host"), "\"127.0.0.1\" when simulator = true (the simulated publisher listens on loopback)");
}

void read_firm(Section& s, FirmConfig& f, Ctx& ctx) {
  f.enabled = true;
  f.servers = string_list(s, "servers", true, "NATS URLs such as \"nats://127.0.0.1:4222\"", &is_nats_url);
  if (auto v = s.string("credentials_file", false, "the path of a NATS .creds file")) f.credentials_file = *v;
  if (auto v = s.name("host_id", true, 64)) f.host_id = *v;
  if (auto v = s.name("venue", true, 64)) f.venue = *v;
  if (auto v = s.name("bucket", false, 64)) f.bucket = *v;
  if (auto v = s.name("stream", false, 64)) f.stream = *v;
  if (auto v = s.integer("replicas", false, 1, 5)) f.replicas = (int)*v;
  if (auto v = s.decimal("daily_notional_limit", false, Sign::positive)) f.daily_notional_limit = *v;
  if (auto v = s.decimal("notional_slice", f.daily_notional_limit > 0, Sign::positive)) {
    f.notional_slice = *v;
    if (f.daily_notional_limit > 0 && *v > f.daily_notional_limit)
      s.fail("notional_slice", *s.node("notional_slice"), "a slice larger than daily_notional_limit can never be granted");
  }
  if (auto v = s.decimal("low_water", false, Sign::non_negative, true)) {
    if (*v >= 1000000000) s.wrong("low_water", *s.node("low_water"), "a share of the slice below 100 % such as \"25%\"");
    else f.low_water = *v;
  }
  auto groups = s.tables("groups", false, 0, 16);
  for (size_t g = 0; g < groups.size(); ++g) {
    Section gs(ctx, *groups[g], s.key("groups") + "[" + std::to_string(g) + "]");
    FirmGroupConfig fg;
    if (auto v = gs.name("name", true, 32)) fg.name = *v;
    fg.instruments = string_list(gs, "instruments", true, "instrument symbols of this config",
                                 [](const std::string& x) { return !x.empty(); });
    if (auto v = gs.decimal("max_position", true, Sign::positive)) fg.max_position = *v;
    if (auto v = gs.decimal("slice", true, Sign::positive)) {
      fg.slice = *v;
      if (fg.max_position > 0 && *v > fg.max_position)
        gs.fail("slice", *gs.node("slice"), "a slice larger than max_position can never be granted");
    }
    gs.finish();
    f.groups.push_back(std::move(fg));
  }
  if (f.daily_notional_limit == 0 && f.groups.empty())
    ctx.error(s.line(), s.path(), "no firm limit: give daily_notional_limit or at least one [[firm.groups]]");
}

void cross_check(Config& c, Ctx& ctx) {
  std::map<std::string, int> symbols;
  std::map<int32_t, int> ids;
  for (size_t i = 0; i < c.instruments.size(); ++i) {
    const InstrumentConfig& in = c.instruments[i];
    const std::string path = "instruments[" + std::to_string(i) + "]";
    auto line = [&](const char* k) { return ctx.key_lines.count(path + "." + k) ? ctx.key_lines[path + "." + k] : ctx.key_lines[path]; };
    if (!in.symbol.empty() && !symbols.emplace(in.symbol, (int)i).second)
      ctx.error(line("symbol"), path + ".symbol", quoted(in.symbol) + " is already defined by instruments[" + std::to_string(symbols[in.symbol]) + "]");
    if (in.id != 0 && !ids.emplace(in.id, (int)i).second)
      ctx.error(line("id"), path + ".id", "instrument id " + std::to_string(in.id) + " is already used by instruments[" + std::to_string(ids[in.id]) + "]");
    if (in.channel != 0 && !c.feeds.channels.empty() &&
        std::none_of(c.feeds.channels.begin(), c.feeds.channels.end(), [&](const FeedChannelConfig& ch) { return ch.id == in.channel; }))
      ctx.error(line("channel"), path + ".channel", "expected one of the channels in [[feeds.channels]], got " + std::to_string(in.channel));
  }
  for (const std::string& sym : c.market_data.symbols)
    if (!symbols.count(sym)) ctx.error(ctx.key_lines["market_data.symbols"], "market_data.symbols", quoted(sym) + " is not one of the [[instruments]]");
  std::map<std::string, std::string> grouped;
  for (size_t g = 0; g < c.firm.groups.size(); ++g) {
    const std::string path = "firm.groups[" + std::to_string(g) + "].instruments";
    for (const std::string& sym : c.firm.groups[g].instruments) {
      if (!symbols.count(sym)) ctx.error(ctx.key_lines[path], path, quoted(sym) + " is not one of the [[instruments]]");
      else if (auto [it, fresh] = grouped.emplace(sym, c.firm.groups[g].name); !fresh)
        ctx.error(ctx.key_lines[path], path, quoted(sym) + " is already in firm group " + quoted(it->second));
    }
  }
  std::map<std::string, int> names;
  for (size_t i = 0; i < c.accounts.size(); ++i) {
    const std::string path = "accounts[" + std::to_string(i) + "]";
    const std::string& name = c.accounts[i].name;
    if (!name.empty() && !names.emplace(name, (int)i).second)
      ctx.error(ctx.key_lines.count(path + ".name") ? ctx.key_lines[path + ".name"] : 0, path + ".name",
                quoted(name) + " is already defined by accounts[" + std::to_string(names[name]) + "]");
  }
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string l(text.substr(start, nl - start));
    if (!l.empty() && l.back() == '\r') l.pop_back();
    lines.push_back(std::move(l));
    start = nl + 1;
  }
  return lines;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

ConfigResult parse_config(std::string_view text, const std::string& file) {
  ConfigResult result;
  Ctx ctx;
  ctx.file = file;
  ctx.lines = split_lines(text);

  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& pos = e.source().begin;
    std::string message = "TOML syntax error: " + std::string(e.description());
    if (pos.column > 0) message += " (column " + std::to_string(pos.column) + ")";
    result.errors.push_back(ConfigError{file, (int)pos.line, "", message});
    return result;
  } catch (const std::exception& e) {
    result.errors.push_back(ConfigError{file, 0, "", std::string("cannot parse: ") + e.what()});
    return result;
  }

  auto config = std::make_shared<Config>();
  Config& c = *config;
  c.path = file;
  Section top(ctx, root, "");

  // Market data first: with Kalshi FIX there is no [feeds].
  if (const toml::table* t = top.table("market_data", false)) {
    Section s(ctx, *t, "market_data");
    read_market_data(s, c.market_data, ctx);
    s.finish();
  }
  const bool sbe_feed = c.market_data.source == MarketDataSource::sbe;
  if (!sbe_feed && top.has("feeds"))
    top.fail("feeds", *top.node("feeds"), "[feeds] is the SBE feed's: leave it out with market_data.source = \"kalshi_fix\"");
  // Feeds next: instruments refer to its channels.
  if (const toml::table* t = sbe_feed ? top.table("feeds", true) : nullptr) {
    Section s(ctx, *t, "feeds");
    read_feeds(s, c, ctx);
    s.finish();
  }
  auto instruments = top.tables("instruments", true, 1, kConfigMaxInstruments);
  for (size_t i = 0; i < instruments.size(); ++i) {
    Section s(ctx, *instruments[i], "instruments[" + std::to_string(i) + "]");
    InstrumentConfig in;
    read_instrument(s, in, ctx);
    s.finish();
    c.instruments.push_back(std::move(in));
  }
  auto accounts = top.tables("accounts", true, 1, kConfigMaxAccounts);
  for (size_t i = 0; i < accounts.size(); ++i) {
    Section s(ctx, *accounts[i], "accounts[" + std::to_string(i) + "]");
    AccountConfig a;
    read_account(s, a, ctx);
    s.finish();
    // The owner group: 1 + the index of the first account naming the same owner.
    for (size_t k = 0; k < c.accounts.size() && !a.owner.empty() && a.limits.owner == 0; ++k)
      if (c.accounts[k].owner == a.owner) a.limits.owner = c.accounts[k].limits.owner;
    if (!a.owner.empty() && a.limits.owner == 0) a.limits.owner = (int64_t)i + 1;
    c.accounts.push_back(std::move(a));
  }
  if (const toml::table* t = top.table("order_entry", false)) {
    Section s(ctx, *t, "order_entry");
    read_order_entry(s, c.order_entry, ctx);
    s.finish();
  }
  if (const toml::table* t = top.table("risk", false)) {
    Section s(ctx, *t, "risk");
    if (auto v = s.choice("funding_source", {"own", "exchange"})) c.risk.funding_source = *v == "exchange" ? FundingSource::exchange : FundingSource::own;
    if (auto v = s.duration("cancel_after", false)) c.risk.cancel_after_ns = *v;
    s.finish();
  }
  if (const toml::table* t = top.table("backend", false)) {
    Section s(ctx, *t, "backend");
    if (auto v = s.choice("kind", {"software", "hls-csim", "verilator", "xrt"}))
      c.backend.kind = *v == "hls-csim" ? BackendKind::hls_csim : *v == "verilator" ? BackendKind::verilator : *v == "xrt" ? BackendKind::xrt : BackendKind::software;
    if (auto v = s.boolean("strict")) c.backend.strict = *v;
    if (auto v = s.string("xclbin", false, "the path of an .xclbin")) c.backend.xclbin = *v;
    if (c.backend.kind == BackendKind::xrt && c.backend.xclbin.empty() && !s.has("xclbin"))
      s.missing("xclbin", "the path of the .xclbin the xrt backend loads");
    s.finish();
  }
  if (const toml::table* t = top.table("control", false)) {
    Section s(ctx, *t, "control");
    read_control(s, c.control, ctx);
    s.finish();
  }
  if (const toml::table* t = top.table("firm", false)) {
    Section s(ctx, *t, "firm");
    read_firm(s, c.firm, ctx);
    s.finish();
  }
  if (const toml::table* t = top.table("journal", false)) {
    Section s(ctx, *t, "journal");
    if (auto v = s.string("dir", true, "a folder path")) {
      if (v->empty()) s.wrong("dir", *s.node("dir"), "a folder path");
      else c.journal.dir = *v;
    }
    if (auto v = s.duration("sync_within", false, 10000, 1000000000, "1s")) c.journal.sync_within_ns = *v;
    s.finish();
  }
  if (const toml::table* t = top.table("output", false)) {
    Section s(ctx, *t, "output");
    if (auto v = s.string("dir", false, "a folder path")) {
      if (v->empty()) s.wrong("dir", *s.node("dir"), "a folder path");
      else c.output.dir = *v;
    }
    s.finish();
  }
  top.finish();
  cross_check(c, ctx);

  // The risk gate's own validation, as a last guard that config and engine agree on ranges.
  if (ctx.errors.empty()) {
    for (size_t i = 0; i < c.instruments.size(); ++i) {
      LimitsError e = validate(c.instruments[i].limits);
      if (!e.ok())
        ctx.error(ctx.key_lines["instruments[" + std::to_string(i) + "].limits"], "instruments[" + std::to_string(i) + "].limits",
                  std::string("rejected by the risk gate: ") + limit_field_name(e.field) + " " + limits_errc_name(e.code));
    }
    for (size_t i = 0; i < c.accounts.size(); ++i) {
      LimitsError e = validate(c.accounts[i].limits);
      if (!e.ok())
        ctx.error(ctx.key_lines["accounts[" + std::to_string(i) + "].limits"], "accounts[" + std::to_string(i) + "].limits",
                  std::string("rejected by the risk gate: ") + limit_field_name(e.field) + " " + limits_errc_name(e.code));
    }
  }

  // Report in file order: that is how people fix them.
  std::stable_sort(ctx.errors.begin(), ctx.errors.end(), [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
  result.errors = std::move(ctx.errors);
  if (result.errors.empty()) {
    c.source_lines = std::move(ctx.key_lines);
    result.config = std::move(config);
  }
  return result;
}

ConfigResult load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ConfigResult r;
    r.errors.push_back(ConfigError{path, 0, "", std::string("cannot read the config file: ") + std::strerror(errno)});
    return r;
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    ConfigResult r;
    r.errors.push_back(ConfigError{path, 0, "", "cannot read the config file"});
    return r;
  }
  return parse_config(text.str(), path);
}

// ---------------------------------------------------------------------------------------------
// Reload

namespace {

struct ChangeList {
  const Config& next;
  std::vector<ConfigError>& out;
  void add(const std::string& key, const std::string& what) {
    auto it = next.source_lines.find(key);
    int line = it != next.source_lines.end() ? it->second : 0;
    out.push_back(ConfigError{next.path, line, key, what + ": this takes effect only at start; restart perpwire to apply it"});
  }
  template <class T>
  void field(const std::string& key, const T& a, const T& b) {
    if (!(a == b)) add(key, "changed");
  }
};

}  // namespace

std::vector<ConfigError> restart_only_changes(const Config& running, const Config& next) {
  std::vector<ConfigError> out;
  ChangeList ch{next, out};
  if (running.instruments.size() != next.instruments.size()) ch.add("instruments", "the number of instruments changed");
  for (size_t i = 0; i < std::min(running.instruments.size(), next.instruments.size()); ++i) {
    const auto& a = running.instruments[i];
    const auto& b = next.instruments[i];
    const std::string p = "instruments[" + std::to_string(i) + "]";
    ch.field(p + ".symbol", a.symbol, b.symbol);
    ch.field(p + ".id", a.id, b.id);
    ch.field(p + ".channel", a.channel, b.channel);
    ch.field(p + ".contract_size", a.contract_size, b.contract_size);
    ch.field(p + ".tick", a.tick, b.tick);
    ch.field(p + ".mark", a.preset, b.preset);
    ch.field(p + ".mark", a.mark, b.mark);
  }
  if (running.accounts.size() != next.accounts.size()) ch.add("accounts", "the number of accounts changed");
  for (size_t i = 0; i < std::min(running.accounts.size(), next.accounts.size()); ++i) {
    const std::string p = "accounts[" + std::to_string(i) + "]";
    ch.field(p + ".name", running.accounts[i].name, next.accounts[i].name);
    // Cash is the starting collateral; live, cash moves with fills and funding.
    ch.field(p + ".cash", running.accounts[i].cash, next.accounts[i].cash);
  }
  ch.field("feeds", running.feeds, next.feeds);
  ch.field("market_data", running.market_data, next.market_data);
  const auto& oa = running.order_entry;
  const auto& ob = next.order_entry;
  if (oa.enabled != ob.enabled || oa.host != ob.host || oa.port != ob.port || oa.username != ob.username || oa.password != ob.password ||
      oa.heartbeat_ns != ob.heartbeat_ns || oa.cancel_on_disconnect != ob.cancel_on_disconnect || oa.simulator != ob.simulator || oa.ack_latency_ns != ob.ack_latency_ns ||
      oa.protocol != ob.protocol || oa.fix_dictionary != ob.fix_dictionary || oa.fix_store_dir != ob.fix_store_dir ||
      oa.fix_sender_comp_id != ob.fix_sender_comp_id || oa.fix_target_comp_id != ob.fix_target_comp_id ||
      oa.fix_account != ob.fix_account)
    ch.add("order_entry", "the order-entry endpoint, login or session behaviour changed");
  ch.field("risk.cancel_after", running.risk.cancel_after_ns, next.risk.cancel_after_ns);
  ch.field("backend", running.backend, next.backend);
  ch.field("control", running.control, next.control);
  ch.field("firm", running.firm, next.firm);
  ch.field("journal", running.journal, next.journal);
  ch.field("output", running.output, next.output);
  // Duplicates collapse (preset and overrides share one key).
  out.erase(std::unique(out.begin(), out.end(), [](const ConfigError& x, const ConfigError& y) { return x.key == y.key; }), out.end());
  return out;
}

std::shared_ptr<const Config> ConfigStore::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

ConfigResult ConfigStore::reload(const std::string& path) {
  std::lock_guard<std::mutex> one_at_a_time(reload_mutex_);
  std::shared_ptr<const Config> running = current();
  ConfigResult r = load_config(path.empty() && running ? running->path : path);
  if (!r.ok()) return r;
  if (running) {
    r.errors = restart_only_changes(*running, *r.config);
    if (!r.ok()) {
      r.config.reset();
      return r;
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = r.config;
  generation_.fetch_add(1, std::memory_order_release);
  return r;
}

std::string config_summary(const Config& c) {
  std::string s = c.path + ": " + std::to_string(c.instruments.size()) + (c.instruments.size() == 1 ? " instrument, " : " instruments, ") +
                  std::to_string(c.accounts.size()) + (c.accounts.size() == 1 ? " account" : " accounts") + "\n";
  for (const auto& in : c.instruments)
    s += "  instrument " + in.symbol + " (id " + std::to_string(in.id) + ", channel " + std::to_string(in.channel) + ", contract " +
         fixed9_text(in.contract_size) + ", tick " + fixed9_text(in.tick) + ", preset " + in.preset + ")\n";
  for (const auto& a : c.accounts) s += "  account " + a.name + " (cash " + fixed9_text(a.cash) + ")\n";
  auto line = [](const char* name, const FeedLineConfig& l) {
    if (!l.enabled) return std::string();
    std::string d = std::string("  feed ") + name + ": ";
    if (l.source == FeedSourceKind::dpdk) d += "DPDK " + l.dpdk_port + (l.pcap.empty() ? "" : " (fallback " + l.pcap + ")");
    else d += l.pcap;
    return d + "\n";
  };
  s += line("line A", c.feeds.line_a) + line("line B", c.feeds.line_b);
  if (c.market_data.source == MarketDataSource::kalshi_fix)
    s += "  market data: Kalshi FIX " + c.market_data.host + ":" + std::to_string(c.market_data.port) + " (" + c.market_data.sender_comp_id + " → " +
         c.market_data.target_comp_id + ")\n";
  s += "  order entry: " + (c.order_entry.enabled ? c.order_entry.host + ":" + std::to_string(c.order_entry.port) + " as " + c.order_entry.username +
                                                    (c.order_entry.protocol == OrderEntryProtocol::fix ? " over FIX 4.4 (" + c.order_entry.fix_sender_comp_id + " → " + c.order_entry.fix_target_comp_id + ")" : std::string(" over Orders SBE"))
                                              : std::string("none")) + "\n";
  s += std::string("  backend: ") + to_string(c.backend.kind) + (c.backend.strict ? " (strict)" : "") + ", funding source: " + (c.risk.funding_source ? to_string(*c.risk.funding_source) : "per preset") + "\n";
  s += "  control plane: " + (c.control.enabled ? "http://" + c.control.bind + ":" + std::to_string(c.control.port) : std::string("off")) + ", output: " + c.output.dir + "\n";
  return s;
}

int check_config(const std::string& path, std::ostream& out, std::ostream& err) {
  ConfigResult r = load_config(path);
  if (!r.ok()) {
    err << r.error_text();
    err << r.errors.size() << (r.errors.size() == 1 ? " error" : " errors") << " in " << path << "\n";
    return 1;
  }
  out << config_summary(*r.config) << "ok\n";
  return 0;
}

}  // namespace pw
