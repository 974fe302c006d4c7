// The hot path's clock: the CPU's time-stamp counter, calibrated once against steady_clock, so a
// timestamp costs one `rdtsc` and a multiply instead of a clock_gettime call. Every latency stage
// of a run (frame received → book, decision, order; risk check; order → ack) reads this clock.
// Where there is no invariant TSC (other architectures), steady_clock stands in.
#pragma once
#include <chrono>
#include <cstdint>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define PW_HAVE_TSC 1
#endif

namespace pw {

class TscClock {
 public:
  // Nanoseconds on one monotonic scale shared by every thread of the process.
  static int64_t now_ns() noexcept {
#ifdef PW_HAVE_TSC
    const Calibration& c = calibration();
    const uint64_t t = __rdtsc() - c.tsc0;
    return c.ns0 + (int64_t)(((unsigned __int128)t * c.mult) >> 32);
#else
    return steady_ns();
#endif
  }
  // Nanoseconds since the epoch on the same counter (the wall clock read once at calibration plus
  // the counter since): what stamps outgoing order-entry messages without a clock_gettime call.
  static int64_t wall_ns() noexcept { return now_ns() + calibration().wall_offset; }
  // Measures the counter's rate (about 20 ms) unless done already; call once at start so that the
  // first timestamp on the hot path does not pay for it.
  static void calibrate() noexcept { (void)calibration(); }
  // Counter ticks per microsecond as measured (0 without a TSC).
  static double ticks_per_us() noexcept {
#ifdef PW_HAVE_TSC
    return (double)(1ull << 32) / (double)calibration().mult * 1000.0;
#else
    return 0;
#endif
  }
  static int64_t steady_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }

 private:
  struct Calibration {
    uint64_t tsc0;
    int64_t ns0;
    uint64_t mult;  // ns per tick × 2^32
    int64_t wall_offset;  // CLOCK_REALTIME − steady_clock at calibration
  };
  static const Calibration& calibration() noexcept {
    static const Calibration c = [] {
      Calibration k{};
      k.wall_offset = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count() -
                      steady_ns();
#ifdef PW_HAVE_TSC
      const int64_t s0 = steady_ns();
      const uint64_t t0 = __rdtsc();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const int64_t s1 = steady_ns();
      const uint64_t t1 = __rdtsc();
      k.tsc0 = t1;
      k.ns0 = s1;
      k.mult = t1 > t0 ? (uint64_t)(((unsigned __int128)(uint64_t)(s1 - s0) << 32) / (t1 - t0)) : (1ull << 32);
#endif
      return k;
    }();
    return c;
  }
};

}  // namespace pw
