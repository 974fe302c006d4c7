#!/usr/bin/env bash
# Lint every RTL module: `verilator --lint-only -Wall` with each module as the top (its
# submodules included), then a yosys `read_verilog -sv` + `hierarchy -check` of the same
# hierarchy, since the RTL must stay inside the SystemVerilog subset both tools accept.
# Any warning fails the script. A module with a DATA_WIDTH parameter must refuse DATA_WIDTH = 32
# at elaboration (only 64 is supported and tested).
#
#   scripts/lint_rtl.sh            all modules in rtl/
#   scripts/lint_rtl.sh MODULE...  only these
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(ls rtl/*.sv)
if [ $# -gt 0 ]; then modules=("$@"); else modules=(); for f in "${files[@]}"; do modules+=("$(basename "$f" .sv)"); done; fi

command -v verilator >/dev/null || { echo "lint_rtl: verilator not found (scripts/setup.sh installs it)" >&2; exit 2; }
command -v yosys >/dev/null || { echo "lint_rtl: yosys not found (scripts/setup.sh installs it)" >&2; exit 2; }

fail=0
for m in "${modules[@]}"; do
  if ! out=$(verilator --lint-only -Wall --top-module "$m" "${files[@]}" 2>&1); then
    echo "FAIL verilator $m"; echo "$out"; fail=1; continue
  fi
  if [ -n "$out" ]; then echo "FAIL verilator $m"; echo "$out"; fail=1; continue; fi
  yout=$(yosys -q -p "read_verilog -sv ${files[*]}; hierarchy -check -top $m" 2>&1) || {
    echo "FAIL yosys $m"; echo "$yout"; fail=1; continue; }
  if echo "$yout" | grep -qi "warning"; then echo "FAIL yosys $m"; echo "$yout"; fail=1; continue; fi
  # a module with a DATA_WIDTH parameter supports 64 only and must refuse another width
  if grep -q "parameter int DATA_WIDTH" "rtl/$m.sv" 2>/dev/null; then
    wout=$(verilator --lint-only -Wall -GDATA_WIDTH=32 --top-module "$m" "${files[@]}" 2>&1) && {
      echo "FAIL $m accepts DATA_WIDTH = 32 without an elaboration error"; fail=1; continue; }
    echo "$wout" | grep -q "USERERROR" || { echo "FAIL $m: DATA_WIDTH = 32 fails otherwise than by its width check"; echo "$wout"; fail=1; continue; }
  fi
  echo "ok   $m"
done
exit $fail
