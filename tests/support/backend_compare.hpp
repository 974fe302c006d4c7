// A backend's state log against the software path's: both run on the same inputs and must give
// the same records, with the same symbols, in the same order; the first difference is printed.
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "host/pipeline/replay.hpp"
#include "host/pipeline/state_log.hpp"

namespace pw::test {

struct RecordLog final : RecordSink {
  std::vector<StateRecord> records;
  std::vector<std::string> symbols;
  void on_record(const StateRecord& r, const char* symbol) override {
    records.push_back(r);
    symbols.emplace_back(symbol != nullptr ? symbol : "");
  }
};

// Runs replay_software and `backend` (called `name` in messages) on `in`; returns the record count.
inline size_t require_same_log(const ReplayInputs& in, const ReplayBackend& backend, const char* name) {
  RecordLog sw, other;
  BackendReport rs, ro;
  std::string error;
  REQUIRE_MESSAGE(replay_software(in, sw, rs, error), error);
  REQUIRE_MESSAGE(backend(in, other, ro, error), error);
  INFO("software:\n" << rs.counters << name << ":\n" << ro.counters);
  CHECK(rs.events == ro.events);
  const size_t n = std::min(sw.records.size(), other.records.size());
  for (size_t i = 0; i < n; ++i) {
    if (same_record(sw.records[i], other.records[i]) && sw.symbols[i] == other.symbols[i]) continue;
    FAIL("first difference at record " << i << " of " << sw.records.size()
                                       << "\n  software: " << format_state_record(sw.records[i], sw.symbols[i].c_str())
                                       << "\n  " << name << ": " << format_state_record(other.records[i], other.symbols[i].c_str()));
  }
  REQUIRE(sw.records.size() == other.records.size());
  return sw.records.size();
}

}  // namespace pw::test
