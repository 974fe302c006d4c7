// Cost of the typed order-entry messages: a NewOrder encoded into a buffer (header + body), the
// same bytes framed by read_message and decoded back, both together, and the decode of the
// largest message the session receives (OrderFilled). 256 varied messages are cycled so that the
// compiler cannot fold the values.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "host/orders/order_messages.hpp"

namespace {

using namespace pw;
using namespace pw::oe;

constexpr size_t kCount = 256;

std::vector<NewOrder> new_orders() {
  std::mt19937_64 rng(42);
  std::vector<NewOrder> v(kCount);
  for (NewOrder& o : v) {
    o.client_order_id = (int64_t)(rng() >> 1);
    o.correlation_id = (int64_t)(rng() >> 1);
    o.limit_price = 95'000'000'000'000 + (int64_t)(rng() % 1'000'000'000'000);
    o.quantity = (int32_t)(1 + rng() % 100);
    o.instrument_id = (int32_t)(1 + rng() % 4);
    o.side = (rng() & 1) ? 1 : -1;
    o.order_flags = (uint8_t)(rng() & 3);
    o.good_til_date = (uint16_t)rng();
  }
  return v;
}

SendHeader header(uint32_t i) { return SendHeader{i + 1, i, 1'700'000'000'000'000'000 + i, 0}; }

void BM_NewOrderEncode(benchmark::State& state) {
  const auto orders = new_orders();
  uint8_t buf[kMaxMessageSize];
  uint32_t i = 0;
  for (auto _ : state) {
    const size_t n = encode(buf, sizeof buf, header(i), orders[i % kCount]);
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(buf);
    ++i;
  }
}
BENCHMARK(BM_NewOrderEncode);

// Frames and decodes `T` messages, cycling through `msgs` (encoded once, before the timing).
template <typename T>
void decode_loop(benchmark::State& state, const std::vector<T>& msgs) {
  std::vector<uint8_t> wire(kCount * kMaxMessageSize);
  std::vector<size_t> len(kCount);
  for (uint32_t k = 0; k < kCount; ++k) len[k] = encode(wire.data() + k * kMaxMessageSize, kMaxMessageSize, header(k), msgs[k]);
  uint32_t i = 0;
  for (auto _ : state) {
    const uint32_t k = i % kCount;
    size_t pos = 0;
    orders::Message m;
    orders::DecodeFault f;
    T x;
    const bool ok = orders::read_message(wire.data() + k * kMaxMessageSize, len[k], pos, m, f) == orders::Step::message &&
                    decode(m, x);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(x);
    ++i;
  }
}

void BM_NewOrderDecode(benchmark::State& state) { decode_loop(state, new_orders()); }
BENCHMARK(BM_NewOrderDecode);

void BM_NewOrderEncodeDecode(benchmark::State& state) {
  const auto orders = new_orders();
  uint8_t buf[kMaxMessageSize];
  uint32_t i = 0;
  for (auto _ : state) {
    const size_t n = encode(buf, sizeof buf, header(i), orders[i % kCount]);
    size_t pos = 0;
    orders::Message m;
    orders::DecodeFault f;
    NewOrder o;
    const bool ok = orders::read_message(buf, n, pos, m, f) == orders::Step::message && decode(m, o);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(o);
    ++i;
  }
}
BENCHMARK(BM_NewOrderEncodeDecode);

void BM_OrderFilledDecode(benchmark::State& state) {
  std::mt19937_64 rng(7);
  std::vector<OrderFilled> fills(kCount);
  for (OrderFilled& x : fills) {
    x.timestamp = (int64_t)(rng() >> 1);
    x.exec_id = (int64_t)(rng() >> 1);
    x.client_order_id = (int64_t)(rng() >> 1);
    x.fill_price = (int64_t)(rng() >> 1);
    x.fill_qty = (int32_t)(rng() % 100);
    x.available_qty = (int32_t)(rng() % 100);
    x.is_aggressor = (rng() & 1) != 0;
  }
  decode_loop(state, fills);
}
BENCHMARK(BM_OrderFilledDecode);

}  // namespace

BENCHMARK_MAIN();
