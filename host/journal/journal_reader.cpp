#include "host/journal/journal_reader.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "host/journal/crc32c.hpp"

namespace pw::journal {
namespace {

bool all_zero(const uint8_t* p, size_t n) {
  for (size_t k = 0; k < n; ++k)
    if (p[k] != 0) return false;
  return true;
}

std::string header_error(const FileHeader& h) {
  const FileHeader want = make_header();
  if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0) return "not a perpwire risk journal (bad magic)";
  if (h.crc != crc32c(&h, offsetof(FileHeader, crc))) return "the file header fails its checksum";
  if (h.version < kOldestReadableVersion || h.version > kFormatVersion)
    return fmt::format("format version {} (this build reads {} to {})", h.version, kOldestReadableVersion, kFormatVersion);
  if (h.account_limits_size != want.account_limits_size || h.instrument_limits_size != want.instrument_limits_size ||
      h.session_limits_size != want.session_limits_size || h.order_request_size != want.order_request_size ||
      h.market_size != want.market_size)
    return "written by a build whose limits, requests or market records have another layout";
  return {};
}

}  // namespace

ReadResult read_journal(const std::string& path, const std::function<bool(const RecordView&, std::string&)>& on_record) {
  ReadResult r;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) {
      r.ok = true;  // no journal yet: a first start
      return r;
    }
    r.error = fmt::format("journal {}: cannot read: {}", path, std::strerror(errno));
    return r;
  }
  const std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.empty()) {
    r.ok = true;
    return r;
  }
  r.exists = true;
  if (data.size() < sizeof(FileHeader)) {
    // A crash while the header was written: nothing was journaled yet.
    r.ok = true;
    r.torn_bytes = data.size();
    r.torn = "a partial file header";
    return r;
  }
  FileHeader h;
  std::memcpy(&h, data.data(), sizeof(h));
  if (const std::string e = header_error(h); !e.empty()) {
    r.error = fmt::format("journal {}: {}", path, e);
    return r;
  }
  size_t at = sizeof(FileHeader);
  const size_t end = data.size();
  while (at < end) {
    const size_t left = end - at;
    std::string problem;
    size_t extent = 0;  // bytes the damaged record claims (0: unknown)
    RecordHead head{};
    if (left < sizeof(RecordHead)) {
      problem = "a record head cut short";
    } else {
      std::memcpy(&head, data.data() + at, sizeof(head));
      if (head.length > kMaxPayload) {
        problem = fmt::format("a record length of {} bytes (at most {})", head.length, kMaxPayload);
      } else {
        extent = encoded_size(head.length);
        if (extent > left) {
          problem = "a record cut short";
        } else {
          uint32_t crc;
          std::memcpy(&crc, data.data() + at + sizeof(head) + head.length, kCrcBytes);
          if (crc != crc32c(data.data() + at, sizeof(head) + head.length)) problem = "a record failing its checksum";
          else if (head.type == 0 || head.type >= (uint8_t)RecordType::count_)
            problem = fmt::format("a record of unknown type {}", head.type);
        }
      }
    }
    if (!problem.empty()) {
      // The last record may be damaged by a crash; anything after damage is corruption.
      const bool cut_short = extent == 0 ? left < encoded_size(kMaxPayload) : extent >= left;
      if (cut_short || all_zero(data.data() + at, left)) {
        r.ok = true;
        r.valid_bytes = at;
        r.torn_bytes = left;
        r.torn = problem + fmt::format(" at offset {} (the last {} bytes, ignored)", at, left);
        return r;
      }
      r.error = fmt::format("journal {}: {} at offset {}, with {} more bytes after it: corrupt in the middle, not "
                            "replayed (move the file away to start without it)",
                            path, problem, at, left);
      return r;
    }
    const RecordView v{(RecordType)head.type, data.data() + at + sizeof(head), head.length, at};
    std::string error;
    if (!on_record(v, error)) {
      r.error = fmt::format("journal {}: record {} ({}) at offset {}: {}", path, r.records + 1,
                            record_type_name(v.type), at, error);
      return r;
    }
    ++r.records;
    at += extent;
  }
  r.ok = true;
  r.valid_bytes = at;
  return r;
}

}  // namespace pw::journal
