// Orders from a file, for `perpwire run --orders FILE`: JSON Lines (.jsonl) or CSV (.csv), one order
// per line, each with its time (ns since the epoch, or offset_ms from the first market event), the
// account and instrument by their configured names, kind, side, exact decimal price, quantity,
// client order id and optional flags. The whole file is validated when it is loaded; every problem
// comes back as "file:line: field: expected …, got …". Formats and examples: docs/order_flow.md.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/risk_types.hpp"

namespace pw {

struct Config;

struct OrderFileEntry {
  OrderRequest request;  // request.time is resolved once the start is known (offset entries)
  int64_t offset_ns;     // offset from the first market event when `relative`
  bool relative;
  int line;              // 1-based line in the file
};

class OrderFile {
 public:
  OrderFile() = default;

  // Reads and validates `path` against the config's accounts and instruments. The format comes
  // from the extension (.jsonl / .csv). Returns false with every problem in `errors`; nothing is
  // kept then.
  bool load(const std::string& path, const Config& config, std::vector<std::string>& errors);
  // The same on text already read; `file` is the name the errors carry and selects the format.
  bool parse(std::string_view text, const std::string& file, const Config& config, std::vector<std::string>& errors);

  // The event time of the first market event: resolves offset_ms entries and orders the entries
  // by time (file order among equal times). Called by the first due() when not called before.
  void set_start(int64_t first_event_ns);
  // The next request whose time has come (time ≤ now), in time order; false when none is due.
  bool due(int64_t now, OrderRequest& out);

  size_t size() const { return entries_.size(); }
  size_t remaining() const { return entries_.size() - next_; }
  bool started() const { return started_; }
  const std::vector<OrderFileEntry>& entries() const { return entries_; }

 private:
  std::vector<OrderFileEntry> entries_;
  size_t next_ = 0;
  bool started_ = false;
};

}  // namespace pw
