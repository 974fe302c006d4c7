// Fills handed from the trading thread to the firm agent: a single-producer single-consumer ring
// of fixed records. The trading thread never waits or allocates; when the agent falls a whole ring
// behind, the fill is counted as overflowed (the report names it) instead of blocking the order path.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace pw::firm {

struct FirmFill {
  int64_t exec_id;  // the venue's execution id: with the venue, a fill's identity firm-wide
  int64_t time;     // exchange timestamp
  int64_t price;    // ×1e-9
  int32_t qty;      // contracts
  int16_t account;  // risk-engine indices
  int16_t instrument;
  int8_t side;      // +1 buy, -1 sell
};

class FillRing {
 public:
  explicit FillRing(size_t capacity_pow2 = 1 << 16)
      : mask_(capacity_pow2 - 1), slots_(std::make_unique<FirmFill[]>(capacity_pow2)) {}

  bool push(const FirmFill& f) {
    const uint64_t h = head_.load(std::memory_order_relaxed);
    if (h - tail_.load(std::memory_order_acquire) > mask_) {
      overflowed_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    slots_[h & mask_] = f;
    head_.store(h + 1, std::memory_order_release);
    return true;
  }
  bool pop(FirmFill& f) {
    const uint64_t t = tail_.load(std::memory_order_relaxed);
    if (t == head_.load(std::memory_order_acquire)) return false;
    f = slots_[t & mask_];
    tail_.store(t + 1, std::memory_order_release);
    return true;
  }
  uint64_t overflowed() const { return overflowed_.load(std::memory_order_relaxed); }

 private:
  const uint64_t mask_;
  std::unique_ptr<FirmFill[]> slots_;
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
  std::atomic<uint64_t> overflowed_{0};
};

}  // namespace pw::firm
