// Writes state records (core/state_records.hpp) as JSON Lines: the record other backends must
// reproduce exactly, and what people read to follow a replay.
#pragma once
#include <cstdio>
#include <string>

#include "core/state_records.hpp"

namespace pw {

std::string format_state_record(const StateRecord& r, const char* symbol);

class StateLogWriter {
 public:
  StateLogWriter() = default;
  StateLogWriter(const StateLogWriter&) = delete;
  StateLogWriter& operator=(const StateLogWriter&) = delete;
  ~StateLogWriter();
  bool open(const std::string& path, std::string& error);
  void write(const StateRecord& r, const char* symbol);
  void close();
  bool is_open() const { return file_ != nullptr; }

 private:
  std::FILE* file_ = nullptr;
};

}  // namespace pw
