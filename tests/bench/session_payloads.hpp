// The default generated session's UDP payloads (line A), held in memory for benchmarks.
#pragma once
#include <cstdint>
#include <vector>

namespace pw::bench {

struct Payloads {
  std::vector<uint8_t> bytes;           // all payloads back to back
  std::vector<uint32_t> offsets;        // start of each payload; one extra entry at the end
  uint64_t messages = 0;
};

// Generates the session (seed 1, default size) once per process and returns its payloads.
const Payloads& session_payloads();

}  // namespace pw::bench
