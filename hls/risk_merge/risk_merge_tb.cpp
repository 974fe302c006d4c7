// C-simulation testbench of risk_merge for vitis_hls (csim_design; returns 0 when every check
// holds): records waiting on the four streams come out numbered 1, 2, 3… without a gap, one per
// clock, each stream's records in their own order, control before markets before answers before
// orders when all wait, and the log names every record; a reset restarts the numbering.
#include <cstdio>
#include <cstring>

#include "hls/risk_merge/risk_merge.hpp"

using namespace pw;
using namespace pw::hlsk;

namespace {
// Merge priority of an input kind (lower goes first).
int rank(int kind) { return kind == kInputControl ? 0 : kind; }
}  // namespace

int main() {
  hls::stream<ControlWord> control;
  hls::stream<MarketWord> markets;
  hls::stream<ExchangeWord> exchange;
  hls::stream<OrderWord> orders;
  hls::stream<RiskInputWord> inputs;
  hls::stream<MergeLogWord> log;
  RiskMergeStatus st{};
  RiskMergeControl ctl{};
  ctl.reset_seq = 1;
  risk_merge(control, markets, exchange, orders, inputs, log, ctl, st);
  int failures = 0;
  auto expect = [&](bool ok, const char* what) {
    if (!ok) {
      std::printf("risk_merge_tb: FAIL %s\n", what);
      ++failures;
    }
  };
  uint64_t next = 1;
  int64_t next_order = 1, next_answer = 1001;
  uint32_t next_slot = 0, next_version = 1;
  for (int round = 0; round < 50; ++round) {
    const int nc = round % 4 == 1 ? 1 : 0, nm = round % 3, nx = (round * 7) % 4, no = (round * 5) % 6;
    for (int k = 0; k < nc; ++k) control.write(pack_record(ControlApply{next_version + k, 0}));
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
    const uint32_t n = (uint32_t)(nc + nm + nx + no);
    const RiskMergeStatus before = st;
    for (uint32_t k = 0; k < n + 3; ++k) risk_merge(control, markets, exchange, orders, inputs, log, ctl, st);  // 3 idle clocks
    expect(st.last_seq - before.last_seq == n, "every waiting record merged, one per clock, none on idle clocks");
    expect(st.controls - before.controls == (uint32_t)nc && st.markets - before.markets == (uint32_t)nm &&
               st.answers - before.answers == (uint32_t)nx && st.orders - before.orders == (uint32_t)no,
           "counts by kind");
    int last_kind = 0;
    for (uint32_t k = 0; k < n; ++k) {
      RiskInput in;
      MergeLogEntry e;
      unpack_record(inputs.read(), in);
      unpack_record(log.read(), e);
      expect(in.seq == next && e.seq == next, "numbers follow one another");
      ++next;
      expect(in.kind == e.kind, "the log names the record's kind");
      expect(rank(in.kind) >= rank(last_kind), "control, then markets, then answers, then orders when all wait");
      last_kind = in.kind;
      if (in.kind == kInputControl) {
        ControlApply a;
        risk_payload(in, a);
        expect(a.version == next_version++ && e.slot == a.version, "the log names the control version");
      } else if (in.kind == kInputMarket) {
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
  // A reset: the numbering starts again at 1, the counts from zero.
  ctl.reset_seq = 2;
  risk_merge(control, markets, exchange, orders, inputs, log, ctl, st);
  expect(st.last_seq == 0 && st.orders == 0 && st.reset_seq == 2, "a reset zeroes the numbering");
  orders.write(pack_record(OrderRequest{}));
  risk_merge(control, markets, exchange, orders, inputs, log, ctl, st);
  RiskInput in;
  unpack_record(inputs.read(), in);
  log.read();
  expect(in.seq == 1 && st.last_seq == 1, "the first record after a reset is number 1");
  std::printf("risk_merge_tb: %llu records, %d failures\n", (unsigned long long)(next - 1), failures);
  return failures == 0 ? 0 : 1;
}
