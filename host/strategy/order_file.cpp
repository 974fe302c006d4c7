#include "host/strategy/order_file.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/fixed_point.hpp"
#include "host/config/config.hpp"

namespace pw {

namespace {

// One field of one line as read, before validation.
struct Raw {
  enum Type : uint8_t { text, integer, floating, other } type = text;
  std::string value;  // the text, or the JSON form of a number / other value
};

using Fields = std::map<std::string, Raw, std::less<>>;

constexpr std::string_view kKnown[] = {"time", "offset_ms", "account", "instrument", "kind", "side",
                                       "price", "quantity", "client_order_id", "flags"};

bool known_field(std::string_view k) { return std::find(std::begin(kKnown), std::end(kKnown), k) != std::end(kKnown); }

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

std::string shown(const Raw& r) { return r.type == Raw::text ? "\"" + r.value + "\"" : r.value; }

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool parse_int(const std::string& s, int64_t& out) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && p == e;
}

class LineChecker {
 public:
  LineChecker(const std::string& file, int line, const Config& config, std::vector<std::string>& errors)
      : file_(file), line_(line), config_(config), errors_(errors) {}

  void error(std::string_view field, const std::string& expected, const std::string& got) {
    std::string e = file_ + ":" + std::to_string(line_) + ": ";
    if (!field.empty()) e += std::string(field) + ": ";
    e += "expected " + expected;
    if (!got.empty()) e += ", got " + got;
    errors_.push_back(std::move(e));
    ok_ = false;
  }

  // Validates the fields of one order into `e`.
  bool check(const Fields& f, OrderFileEntry& e) {
    for (const auto& [k, v] : f)
      if (!known_field(k)) error(k, "no such field (known: time, offset_ms, account, instrument, kind, side, price, quantity, client_order_id, flags)", shown(v));
    OrderRequest& r = e.request;
    r = OrderRequest{};
    e.line = line_;
    e.relative = false;
    e.offset_ns = 0;

    // time or offset_ms, exactly one.
    const Raw* t = get(f, "time");
    const Raw* o = get(f, "offset_ms");
    if (t != nullptr && o != nullptr) {
      error("time", "either time or offset_ms, not both", "both");
    } else if (t != nullptr) {
      int64_t v = 0;
      if ((t->type != Raw::text && t->type != Raw::integer) || !parse_int(t->value, v) || v < 0)
        error("time", "nanoseconds since the epoch (a non-negative integer)", shown(*t));
      r.time = v;
    } else if (o != nullptr) {
      int64_t v = 0;  // milliseconds ×1e-9
      if ((o->type == Raw::other) || !parse_fixed9(o->value.data(), o->value.size(), v) || v < 0 || v % 1000 != 0)
        error("offset_ms", "milliseconds from the first market event (a non-negative decimal, at most 6 decimals)", shown(*o));
      e.relative = true;
      e.offset_ns = v / 1000;
    } else {
      error("time", "time (ns since the epoch) or offset_ms (from the first market event)", "nothing");
    }

    int account = -1, instrument = -1;
    if (const Raw* a = text_field(f, "account", "an account name from the config")) {
      account = config_.account_index(a->value);
      if (account < 0) error("account", "an account of the config (" + names(true) + ")", shown(*a));
    }
    if (const Raw* i = text_field(f, "instrument", "an instrument symbol from the config")) {
      instrument = config_.instrument_index(i->value);
      if (instrument < 0) error("instrument", "an instrument of the config (" + names(false) + ")", shown(*i));
    }
    r.account = (uint16_t)(account < 0 ? 0 : account);
    r.instrument = (uint16_t)(instrument < 0 ? 0 : instrument);

    bool have_kind = false;
    if (const Raw* k = text_field(f, "kind", "new, replace or cancel")) {
      if (k->value == "new") r.kind = OrderKind::new_order;
      else if (k->value == "replace") r.kind = OrderKind::replace;
      else if (k->value == "cancel") r.kind = OrderKind::cancel;
      else error("kind", "new, replace or cancel", shown(*k));
      have_kind = ok_;
    }
    const bool needs_price = !have_kind || r.kind != OrderKind::cancel;

    const Raw* s = get(f, "side");
    if (s == nullptr) {
      if (have_kind && r.kind == OrderKind::new_order) error("side", "buy or sell", "nothing");
    } else if (s->type == Raw::text && s->value == "buy") {
      r.side = kBuy;
    } else if (s->type == Raw::text && s->value == "sell") {
      r.side = kSell;
    } else {
      error("side", "buy or sell", shown(*s));
    }

    const Raw* p = get(f, "price");
    if (p == nullptr) {
      if (needs_price) error("price", "a decimal price (\"95000.5\" or 95000.5)", "nothing");
    } else {
      int64_t v = 0;
      if (p->type == Raw::other || !parse_fixed9(p->value.data(), p->value.size(), v) || v <= 0)
        error("price", "a positive decimal price with at most 9 decimals (\"95000.5\" or 95000.5)", shown(*p));
      r.price = v;
    }

    const Raw* q = get(f, "quantity");
    if (q == nullptr) {
      if (needs_price) error("quantity", "a positive whole number of contracts", "nothing");
    } else {
      int64_t v = 0;
      if ((q->type != Raw::text && q->type != Raw::integer) || !parse_int(q->value, v) || v <= 0 || v > INT32_MAX)
        error("quantity", "a positive whole number of contracts", shown(*q));
      r.quantity = (int32_t)(v > 0 && v <= INT32_MAX ? v : 0);
    }

    const Raw* c = get(f, "client_order_id");
    if (c == nullptr) {
      error("client_order_id", "a positive integer", "nothing");
    } else {
      int64_t v = 0;
      if ((c->type != Raw::text && c->type != Raw::integer) || !parse_int(c->value, v) || v <= 0)
        error("client_order_id", "a positive integer", shown(*c));
      r.client_order_id = v;
    }

    if (const Raw* fl = get(f, "flags")) {
      if (fl->type != Raw::text) {
        error("flags", "reduce_only, ioc or both joined by |", shown(*fl));
      } else {
        std::string_view rest = fl->value;
        while (!rest.empty()) {
          const size_t bar = rest.find('|');
          const std::string tok = trim(rest.substr(0, bar));
          rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
          if (tok == "reduce_only") r.flags |= kOrderReduceOnly;
          else if (tok == "ioc") r.flags |= kOrderIoc;
          else if (!tok.empty()) error("flags", "reduce_only, ioc or both joined by |", "\"" + tok + "\"");
        }
      }
    }
    if (have_kind && r.kind != OrderKind::new_order && r.flags != 0)
      error("flags", "no flags on a replace or cancel (the order keeps its own)", shown(*get(f, "flags")));
    return ok_;
  }

 private:
  static const Raw* get(const Fields& f, std::string_view k) {
    auto it = f.find(k);
    return it == f.end() ? nullptr : &it->second;
  }
  const Raw* text_field(const Fields& f, std::string_view k, const std::string& expected) {
    const Raw* r = get(f, k);
    if (r == nullptr) {
      error(k, expected, "nothing");
      return nullptr;
    }
    if (r->type != Raw::text || r->value.empty()) {
      error(k, expected, shown(*r));
      return nullptr;
    }
    return r;
  }
  std::string names(bool accounts) const {
    std::string s;
    if (accounts)
      for (const AccountConfig& a : config_.accounts) s += (s.empty() ? "" : ", ") + a.name;
    else
      for (const InstrumentConfig& i : config_.instruments) s += (s.empty() ? "" : ", ") + i.symbol;
    return s;
  }

  const std::string& file_;
  int line_;
  const Config& config_;
  std::vector<std::string>& errors_;
  bool ok_ = true;
};

bool skip_line(const std::string& t) { return t.empty() || t[0] == '#'; }

// Splits one CSV line on commas; a field may be wrapped in double quotes ("" inside is a quote).
bool split_csv(std::string_view line, std::vector<std::string>& out) {
  out.clear();
  std::string cur;
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        cur += ch;
      }
    } else if (ch == '"' && trim(cur).empty()) {
      quoted = was_quoted = true;
      cur.clear();
    } else if (ch == ',') {
      out.push_back(was_quoted ? cur : trim(cur));
      cur.clear();
      was_quoted = false;
    } else {
      cur += ch;
    }
  }
  if (quoted) return false;
  out.push_back(was_quoted ? cur : trim(cur));
  return true;
}

}  // namespace

bool OrderFile::load(const std::string& path, const Config& config, std::vector<std::string>& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back(path + ": expected a readable orders file, got none (cannot open it)");
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path, config, errors);
}

bool OrderFile::parse(std::string_view text, const std::string& file, const Config& config, std::vector<std::string>& errors) {
  entries_.clear();
  next_ = 0;
  started_ = false;
  const size_t before = errors.size();
  const bool jsonl = ends_with(file, ".jsonl") || ends_with(file, ".json");
  const bool csv = ends_with(file, ".csv");
  if (!jsonl && !csv) {
    errors.push_back(file + ": expected a .jsonl (JSON Lines) or .csv file name, got another extension");
    return false;
  }
  std::vector<OrderFileEntry> entries;
  std::vector<std::string> header, cells;
  bool have_header = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string line = trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    if (skip_line(line)) continue;
    Fields fields;
    if (jsonl) {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        errors.push_back(file + ":" + std::to_string(line_no) + ": expected one JSON object per line, got " +
                         (j.is_discarded() ? "text that is not JSON" : "a JSON " + std::string(j.type_name())));
        continue;
      }
      for (auto it = j.begin(); it != j.end(); ++it) {
        Raw r;
        const nlohmann::json& v = it.value();
        if (v.is_string()) {
          r.type = Raw::text;
          r.value = v.get<std::string>();
        } else if (v.is_number_integer()) {
          r.type = Raw::integer;
          r.value = v.dump();
        } else if (v.is_number_float()) {
          r.type = Raw::floating;
          r.value = v.dump();  // shortest form that reads back: the decimal as written
        } else if (v.is_array() && it.key() == "flags") {
          r.type = Raw::text;
          for (const auto& e : v) {
            if (!e.is_string()) {
              r.type = Raw::other;
              r.value = v.dump();
              break;
            }
            r.value += (r.value.empty() ? "" : "|") + e.get<std::string>();
          }
        } else {
          r.type = Raw::other;
          r.value = v.dump();
        }
        fields[it.key()] = std::move(r);
      }
    } else {
      if (!split_csv(line, cells)) {
        errors.push_back(file + ":" + std::to_string(line_no) + ": expected comma-separated fields, got an unclosed quote");
        continue;
      }
      if (!have_header) {
        have_header = true;
        header = cells;
        for (const std::string& h : header)
          if (!known_field(h))
            errors.push_back(file + ":" + std::to_string(line_no) + ": " + (h.empty() ? "(empty)" : h) +
                             ": expected a known column (time, offset_ms, account, instrument, kind, side, price, "
                             "quantity, client_order_id, flags), got an unknown one");
        continue;
      }
      if (cells.size() != header.size()) {
        errors.push_back(file + ":" + std::to_string(line_no) + ": expected " + std::to_string(header.size()) +
                         " fields as in the header, got " + std::to_string(cells.size()));
        continue;
      }
      for (size_t k = 0; k < header.size(); ++k)
        if (!cells[k].empty() && known_field(header[k])) fields[header[k]] = Raw{Raw::text, cells[k]};
    }
    OrderFileEntry e{};
    LineChecker check(file, line_no, config, errors);
    if (check.check(fields, e)) entries.push_back(e);
  }
  if (errors.size() != before) return false;
  entries_ = std::move(entries);
  return true;
}

void OrderFile::set_start(int64_t first_event_ns) {
  if (started_) return;
  started_ = true;
  for (OrderFileEntry& e : entries_)
    if (e.relative) e.request.time = first_event_ns + e.offset_ns;
  std::stable_sort(entries_.begin() + (ptrdiff_t)next_, entries_.end(),
                   [](const OrderFileEntry& a, const OrderFileEntry& b) { return a.request.time < b.request.time; });
}

bool OrderFile::due(int64_t now, OrderRequest& out) {
  if (!started_) set_start(now);
  if (next_ >= entries_.size() || entries_[next_].request.time > now) return false;
  out = entries_[next_++].request;
  return true;
}

}  // namespace pw
