// C-simulation testbench of risk_merge for vitis_hls (csim_design; returns 0 when every check
// holds): records waiting on the three streams come out numbered 1, 2, 3… without a gap, each
// stream's records in their own order, markets before answers before orders when all wait, and
// the log names every record.
#include <cstdio>
#include <cstring>

#include "hls/risk_merge/risk_merge.hpp"

using namespace pw;
using namespace pw::hlsk;

int main() {
  hls::stream<MarketWord> markets;
  hls::stream<ExchangeWord> exchange;
  hls::stream<OrderWord> orders;
  hls::stream<RiskInputWord> inputs;
  hls::stream<MergeLogWord> log;
  RiskMergeStatus st;
  risk_merge(markets, exchange, orders, inputs, log, RiskMergeControl{kMergeReset, 0}, &st);
  int failures = 0;
  auto expect = [&](bool ok, const char* what) {
    if (!ok) {
      std::printf("risk_merge_tb: FAIL %s\n", what);
      ++failures;
    }
  };
  uint64_t next = 1;
  int64_t next_order = 1, next_answer = 1001;
  uint32_t next_slot = 0;
  for (int round = 0; round < 50; ++round) {
    const int nm = round % 3, nx = (round * 7) % 4, no = (round * 5) % 6;
    for (int k = 0; k < nm; ++k) {
      MarketUpdate u;
      std::memset(&u, 0, sizeof u);
      u.slot = next_slot++ % 8;
      markets.write(pack_record(u));
    }
    for (int k = 0; k < nx; ++k) {
      ExchangeEvent x;
      std::memset(&x, 0, sizeof x);
      x.kind = (uint8_t)ExchangeKind::entered;
      x.client_order_id = next_answer + k;
      exchange.write(pack_record(x));
    }
    for (int k = 0; k < no; ++k) {
      OrderRequest r;
      std::memset(&r, 0, sizeof r);
      r.client_order_id = next_order + k;
      orders.write(pack_record(r));
    }
    const uint32_t n = (uint32_t)(nm + nx + no);
    risk_merge(markets, exchange, orders, inputs, log, RiskMergeControl{kMergeRun, n}, &st);
    expect(st.merged == n, "every waiting record merged");
    expect(st.markets == (uint32_t)nm && st.answers == (uint32_t)nx && st.orders == (uint32_t)no, "counts by kind");
    int last_kind = 0;
    for (uint32_t k = 0; k < n; ++k) {
      RiskInput in;
      MergeLogEntry e;
      unpack_record(inputs.read(), in);
      unpack_record(log.read(), e);
      expect(in.seq == next && e.seq == next, "numbers follow one another");
      ++next;
      expect(in.kind == e.kind, "the log names the record's kind");
      expect(in.kind >= last_kind, "markets, then answers, then orders when all wait");
      last_kind = in.kind;
      if (in.kind == kInputMarket) {
        MarketUpdate u;
        risk_payload(in, u);
        expect(e.slot == u.slot, "the log names the market's slot");
      } else if (in.kind == kInputExchange) {
        ExchangeEvent x;
        risk_payload(in, x);
        expect(x.client_order_id == next_answer++ && e.client_order_id == x.client_order_id, "answers in their order");
      } else {
        OrderRequest r;
        risk_payload(in, r);
        expect(r.client_order_id == next_order++ && e.client_order_id == r.client_order_id, "orders in their order");
      }
    }
    expect(st.last_seq == next - 1, "status carries the last number");
  }
  expect(inputs.empty() && log.empty(), "nothing left over");
  std::printf("risk_merge_tb: %llu records, %d failures\n", (unsigned long long)(next - 1), failures);
  return failures == 0 ? 0 : 1;
}
