#!/usr/bin/env bash
# Formal properties of the RTL (the `ifdef FORMAL` block of each module: immediate assert /
# assume) checked by bounded model checking with yosys' SAT solver: from the all-zero state (the
# reset state of every checked register) no input sequence of DEPTH cycles violates an assert.
# Each job checks one module at a small parameterization, so the problem stays small.
#
#   scripts/formal.sh          every job
#   scripts/formal.sh JOB...   only these
set -euo pipefail
cd "$(dirname "$0")/.."

command -v yosys >/dev/null || { echo "formal: yosys not found (scripts/setup.sh installs it)" >&2; exit 2; }

# job: top module | rtl files (helpers first) | parameters NAME=VALUE | depth in cycles
declare -A JOB=(
  # one-bit channel slot, 2 held packets of 4 beats: enough for holes, holds, releases, gaps
  [ab_arbiter]="ab_arbiter|axis_skid.sv axis_frame_gate.sv ab_arbiter.sv|CHAN_WIDTH=1 HOLD_PKTS=2 SLOT_BYTES=32 HOLD_WIDTH=3 FIFO_DEPTH=4 CMD_DEPTH=4 CNT_WIDTH=4|24"
)
ORDER=(ab_arbiter)

if [ $# -gt 0 ]; then jobs=("$@"); else jobs=("${ORDER[@]}"); fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail=0
for j in "${jobs[@]}"; do
  [ -n "${JOB[$j]:-}" ] || { echo "formal: no job $j (jobs: ${ORDER[*]})" >&2; exit 2; }
  IFS='|' read -r top files params depth <<<"${JOB[$j]}"
  src=""
  for f in $files; do src+=" rtl/$f"; done
  chparam=""
  for p in $params; do chparam+=" -chparam ${p%%=*} ${p#*=}"; done
  script="read_verilog -sv -formal$src; hierarchy -check -top $top$chparam; prep -top $top; memory; flatten; opt -fast;
          sat -seq $depth -prove-asserts -set-assumes -set-init-zero -verify -show-ports"
  start=$SECONDS
  if yosys -q -l "$tmp/$j.log" -p "$script" >/dev/null 2>&1; then
    echo "ok   $j: no assert fails within $depth cycles ($((SECONDS - start)) s)"
  else
    echo "FAIL $j (depth $depth): counterexample or error (the trace, then the failing asserts):"
    grep -v "^$" "$tmp/$j.log" | grep -v "Import\|Final constraint\|Imported" | tail -400
    grep -i "assert\|error" "$tmp/$j.log" | grep -v "^ *[0-9]* *\\\\" | tail -20
    fail=1
  fi
done
exit $fail
