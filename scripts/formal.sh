#!/usr/bin/env bash
# Formal properties of the RTL (the `ifdef FORMAL` block of each module: immediate assert /
# assume) checked by bounded model checking: from the all-zero state (the reset state of every
# checked register) no input sequence of DEPTH cycles that keeps the assumptions violates an
# assert. yosys writes the design as an AIGER model (asserts = bad states, assumes =
# constraints, every flip-flop zero at start) and ABC's bmc3 checks it: much faster than
# yosys' own `sat -seq`, which did not finish the arbiter's job in an hour on 2 cores.
# Each job checks one module at a small parameterization, so the problem stays small.
#
#   scripts/formal.sh              the CI jobs (ab_arbiter)
#   scripts/formal.sh JOB...       only these (ab_arbiter_deep: deeper, minutes on a quiet machine)
#   DEPTH=12 scripts/formal.sh     another depth for every job
set -euo pipefail
cd "$(dirname "$0")/.."

command -v yosys >/dev/null || { echo "formal: yosys not found (scripts/setup.sh installs it)" >&2; exit 2; }
command -v yosys-abc >/dev/null || { echo "formal: yosys-abc not found (installed with yosys)" >&2; exit 2; }

# job: top module | rtl files (helpers first) | parameters NAME=VALUE | depth in cycles
#
# ab_arbiter: one-bit channel slot, 2 held packets of 3 beats, 4-bit sequence numbers (the
# compares and the history are the same logic at every width), 4-entry FIFOs. Depth 15 covers
# frames judged in order, duplicates and late copies from the other line, holes, the gap flag
# on a packet passed with cfg_hold_cycles = 0 or a full hold buffer (first reached at cycle 11)
# and stalls of the output; a held packet's release needs more cycles (ab_arbiter_deep).
ARB="ab_arbiter|axis_skid.sv axis_frame_gate.sv ab_arbiter.sv|CHAN_WIDTH=1 HOLD_PKTS=2 SLOT_BYTES=24 HOLD_WIDTH=2 FIFO_DEPTH=4 CMD_DEPTH=4 CNT_WIDTH=4 SEQ_WIDTH=4"
declare -A JOB=(
  [ab_arbiter]="$ARB|15"
  [ab_arbiter_deep]="$ARB|24"
)
ORDER=(ab_arbiter)

if [ $# -gt 0 ]; then jobs=("$@"); else jobs=("${ORDER[@]}"); fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail=0
for j in "${jobs[@]}"; do
  [ -n "${JOB[$j]:-}" ] || { echo "formal: no job $j (jobs: ${!JOB[*]})" >&2; exit 2; }
  IFS='|' read -r top files params depth <<<"${JOB[$j]}"
  depth=${DEPTH:-$depth}
  src=""
  for f in $files; do src+=" rtl/$f"; done
  chparam=""
  for p in $params; do chparam+=" -chparam ${p%%=*} ${p#*=}"; done
  # flip-flops without reset value start at zero (setundef -init), module outputs are not
  # properties (delete -output): only the asserts are
  script="read_verilog -sv -formal$src; hierarchy -check -top $top$chparam; prep -top $top;
          memory_map; flatten; opt -full; async2sync; dffunmap; techmap; dffunmap;
          opt -fast -nosdff -nodffe; abc -g AND -fast; setundef -zero -undriven -init;
          delete -output; opt_clean; write_aiger -zinit -map $tmp/$j.map $tmp/$j.aig"
  start=$SECONDS
  if ! yosys -q -l "$tmp/$j.yosys.log" -p "$script" >/dev/null 2>&1; then
    echo "FAIL $j: yosys could not build the model:"; grep -i "error" "$tmp/$j.yosys.log" | head -5
    fail=1; continue
  fi
  yosys-abc -c "read_aiger $tmp/$j.aig; fold; strash; bmc3 -F $depth" > "$tmp/$j.abc.log" 2>&1 || true
  secs=$((SECONDS - start))
  if grep -q "No output asserted in $depth frames" "$tmp/$j.abc.log"; then
    echo "ok   $j: no assert fails within $depth cycles ($secs s)"
  elif grep -q "was asserted in frame" "$tmp/$j.abc.log"; then
    echo "FAIL $j (depth $depth, $secs s): $(grep "was asserted in frame" "$tmp/$j.abc.log")"
    echo "     (output N = the N-th assert in source order; replay with yosys 'sat -seq <frame+1> -prove-asserts -set-assumes -set-init-zero -show-ports' for the trace)"
    fail=1
  else
    echo "FAIL $j: bmc3 gave no verdict:"; tail -5 "$tmp/$j.abc.log"
    fail=1
  fi
done
exit $fail
