// Records handed from the trading thread to the journal writer: a single-producer
// single-consumer ring of fixed slots. push() never waits or allocates; a full ring returns
// false (the writer has fallen a whole ring behind) and the caller fails closed.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "host/journal/journal_format.hpp"

namespace pw::journal {

struct RingEntry {
  uint16_t length;
  uint8_t type;
  uint8_t reserved_;
  uint8_t payload[kMaxPayload];
};

class JournalRing {
 public:
  explicit JournalRing(size_t capacity_pow2) : mask_(capacity_pow2 - 1), slots_(std::make_unique<RingEntry[]>(capacity_pow2)) {}

  bool push(RecordType type, const void* payload, size_t n) {
    if (n > kMaxPayload) return false;
    const uint64_t h = head_.load(std::memory_order_relaxed);
    if (h - tail_.load(std::memory_order_acquire) > mask_) return false;
    RingEntry& e = slots_[h & mask_];
    e.length = (uint16_t)n;
    e.type = (uint8_t)type;
    std::memcpy(e.payload, payload, n);
    head_.store(h + 1, std::memory_order_release);
    return true;
  }
  // The oldest entry, or null; release() hands its slot back.
  const RingEntry* front() const {
    const uint64_t t = tail_.load(std::memory_order_relaxed);
    if (t == head_.load(std::memory_order_acquire)) return nullptr;
    return &slots_[t & mask_];
  }
  void release() { tail_.store(tail_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }
  bool empty() const { return tail_.load(std::memory_order_acquire) == head_.load(std::memory_order_acquire); }

 private:
  const uint64_t mask_;
  std::unique_ptr<RingEntry[]> slots_;
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
};

}  // namespace pw::journal
