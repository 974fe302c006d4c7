// The newest value of a record handed from one thread to another without a lock: the writer fills a
// back buffer and swaps it in, the reader swaps out the newest when one is there (a triple buffer).
// Neither side ever waits; the reader sees whole records only, and skips values overwritten before
// it looked (it wants the newest, not every one).
#pragma once
#include <atomic>
#include <cstdint>

namespace pw::firm {

template <class T>
class LatestValue {
 public:
  // Writer: the record to fill, then publish().
  T& back() { return slot_[back_]; }
  void publish() {
    const uint8_t old = middle_.exchange((uint8_t)(back_ | kFresh), std::memory_order_acq_rel);
    back_ = old & kIndex;
  }
  // Reader: true when a newer record than the last one taken was published; `out` gets it.
  bool take(T& out) {
    if ((middle_.load(std::memory_order_relaxed) & kFresh) == 0) return false;
    const uint8_t old = middle_.exchange(front_, std::memory_order_acq_rel);
    front_ = old & kIndex;
    out = slot_[front_];
    return true;
  }

 private:
  static constexpr uint8_t kFresh = 4, kIndex = 3;
  T slot_[3]{};
  uint8_t back_ = 0, front_ = 1;
  std::atomic<uint8_t> middle_{2};
};

}  // namespace pw::firm
