// A kernel top with every construct scripts/ir_check.py must refuse: the check's negative control.
#include <cstdint>
#include <cstring>

namespace {
struct Counter {
  Counter() : n(1) {}  // a constructor of namespace-scope state: llvm.global_ctors
  int64_t n;
};
Counter counter;
}  // namespace

extern "C" int64_t unclean_top(const int64_t* in, const char* a, const char* b, int items, int64_t d) {
  int64_t acc = 0;
item_loop:
  for (int i = 0; i < items; ++i) {
    acc += in[i] / d;                                    // a division per item
    const __int128 wide = static_cast<__int128>(in[i]) * in[i];
    __int128 p;
    if (__builtin_mul_overflow(wide, wide, &p)) acc = 0;  // an overflow builtin on __int128
    acc += static_cast<int64_t>(p >> 64);
    acc += std::memcmp(a, b, static_cast<size_t>(in[i] & 7)) == 0;  // memcmp per item
  }
  return acc + counter.n;
}
