#include "host/firm/allocation.hpp"

#include <charconv>

#include <fmt/format.h>

namespace pw::firm {

int64_t Allocation::granted() const {
  int64_t sum = 0;
  for (const auto& [holder, amount] : grants) sum += amount;
  return sum;
}

int64_t Allocation::held_by(const std::string& holder) const {
  auto it = grants.find(holder);
  return it == grants.end() ? 0 : it->second;
}

int64_t Allocation::grant(const std::string& holder, int64_t want, int64_t min_amount) {
  const int64_t avail = free();
  int64_t add = want < avail ? want : avail;
  if (add <= 0 || add < min_amount) return 0;
  grants[holder] += add;
  return add;
}

int64_t Allocation::release(const std::string& holder, int64_t amount) {
  auto it = grants.find(holder);
  if (it == grants.end() || amount <= 0) return 0;
  const int64_t back = amount < it->second ? amount : it->second;
  it->second -= back;
  if (it->second == 0) grants.erase(it);
  return back;
}

std::string Allocation::encode() const {
  std::string out = fmt::format("limit={}\n", limit);
  for (const auto& [holder, amount] : grants) out += fmt::format("grant.{}={}\n", holder, amount);
  return out;
}

namespace {
bool parse_i64(std::string_view s, int64_t& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

std::optional<Allocation> Allocation::decode(std::string_view text, std::string& error) {
  Allocation a;
  bool have_limit = false;
  int line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    int64_t v = 0;
    if (eq == std::string_view::npos || !parse_i64(line.substr(eq + 1), v)) {
      error = fmt::format("line {}: expected key=integer, got '{}'", line_no, line);
      return std::nullopt;
    }
    const std::string_view key = line.substr(0, eq);
    if (key == "limit") {
      if (v < 0) {
        error = fmt::format("line {}: negative limit {}", line_no, v);
        return std::nullopt;
      }
      a.limit = v;
      have_limit = true;
    } else if (key.substr(0, 6) == "grant." && key.size() > 6) {
      if (v <= 0) {
        error = fmt::format("line {}: grant of {} to {} (grants are positive)", line_no, v, key.substr(6));
        return std::nullopt;
      }
      a.grants[std::string(key.substr(6))] += v;
    } else {
      error = fmt::format("line {}: unknown key '{}'", line_no, key);
      return std::nullopt;
    }
  }
  if (!have_limit) {
    error = "no limit line";
    return std::nullopt;
  }
  return a;
}

}  // namespace pw::firm
