// Reads a journal file back: checks the header, then each record's length, type and CRC32C.
// A damaged last record (cut short by a crash, or failing its checksum at the very end of the
// file, or a zero-filled tail) is the normal trace of a crash: it is reported and ignored, and
// `valid_bytes` says where the next record must be written. Damage followed by more data is
// corruption in the middle: the read fails with an error naming the offset, and never guesses.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "host/journal/journal_format.hpp"

namespace pw::journal {

struct RecordView {
  RecordType type;
  const uint8_t* payload;
  uint32_t length;
  uint64_t offset;  // of the record's head in the file
};

struct ReadResult {
  bool ok = false;
  bool exists = false;       // the file was there (and not empty)
  std::string error;         // when !ok
  uint64_t records = 0;      // whole records read
  uint64_t valid_bytes = 0;  // header + whole records
  uint64_t torn_bytes = 0;   // ignored at the end
  std::string torn;          // what was wrong with the ignored tail (empty: none)
};

// Calls `on_record` for each whole record in order; a false return stops the read with its
// error text (set through the second argument).
ReadResult read_journal(const std::string& path, const std::function<bool(const RecordView&, std::string&)>& on_record);

}  // namespace pw::journal
