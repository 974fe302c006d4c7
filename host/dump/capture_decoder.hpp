// `perpwire decode`: every SBE message of a capture as one JSON object per line, faults as
// {"frame": N, "error": "..."}; counts per template and per error reason for the summary.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace pw {

enum class WireProtocol { market_data, orders };

struct DecodeCounts {
  uint64_t frames = 0;
  uint64_t messages = 0;
  uint64_t errors = 0;
  std::map<std::string, uint64_t> per_template;
  std::map<std::string, uint64_t> per_error;
};

// Decodes the capture at `path`, calling `emit` with each JSON line (without newline).
// Returns false only when the file cannot be read (`error` says why); bad frames are reported
// through `emit` and counted, and decoding goes on.
bool decode_capture(const std::string& path, WireProtocol protocol,
                    const std::function<void(const std::string&)>& emit, DecodeCounts& counts,
                    std::string& error);

std::string format_summary(const std::string& path, const DecodeCounts& counts);

}  // namespace pw
