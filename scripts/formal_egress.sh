#!/usr/bin/env bash
# Bounded model check of the egress gate's kill switch and output (yosys SAT, Debian's yosys):
# the `ifdef FORMAL` properties of rtl/egress_gate.sv on a small parameterization (4-beat
# frame FIFO, 4-bit counters), from reset, for DEPTH cycles of arbitrary inputs (frames,
# backpressure, kill and configuration):
#   - once cfg_kill has been high for 2 cycles the only beat that can leave is the aborted
#     end (tlast = tuser = 1) of the frame that was cut, and it leaves at most once;
#   - no pass decision is taken while the kill is high, and no frame starts on the wire
#     without a pass decision;
#   - a stalled output (tvalid && !tready) keeps tvalid, tdata and tkeep.
#
#   scripts/formal_egress.sh           DEPTH=16
#   DEPTH=24 scripts/formal_egress.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DEPTH=${DEPTH:-16}
command -v yosys >/dev/null || { echo "formal_egress: yosys not found (scripts/setup.sh installs it)" >&2; exit 2; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if yosys -q -l "$log" -p "
    read_verilog -sv -formal rtl/axis_skid.sv rtl/axis_frame_gate.sv rtl/egress_gate.sv
    chparam -set FIFO_DEPTH 4 -set CNT_WIDTH 4 egress_gate
    prep -top egress_gate -flatten
    memory_map
    opt -fast
    sat -seq $DEPTH -prove-asserts -set-assumes -set-init-zero -show-inputs -verify
  " >/dev/null 2>&1; then
  echo "formal_egress: all properties hold for $DEPTH cycles from reset"
else
  # the failing step and the inputs that lead there
  grep -E "failed|FAIL|Assert|ERROR" "$log" | head -5
  awk '/Time Signal/,0' "$log" | grep -E "^ +[0-9]+ +\\\\(rst|cfg_kill|s_axis_tvalid|s_axis_tlast|m_axis_tready) " | awk '{print $1, $2, $3}' | head -120
  echo "formal_egress: FAILED (counterexample above)" >&2
  exit 1
fi
