#!/usr/bin/env bash
# C-synthesis of every HLS kernel with vitis_hls (hls/<kernel>/csynth.tcl each), then a check of
# the reports against hls/csynth/budgets.tsv: a loop that misses its II, or a latency above its
# budget, fails the run.
#   scripts/csynth.sh [--kernel NAME]... [--part PART] [--clock NS] [--out DIR]
# Exit codes: 0 every budget met, 1 usage error, a synthesis error or a budget missed,
# 2 vitis_hls not available (nothing run).
set -euo pipefail

KERNELS=(feed_decode market_state risk_merge pretrade_risk)
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PART="${PERPWIRE_PART:-xcu250-figd2104-2L-e}"
CLOCK_NS=3.333   # 300 MHz
OUT="$ROOT/build-csynth"
SELECTED=()

usage() {
  cat <<USAGE
usage: scripts/csynth.sh [--kernel NAME]... [--part PART] [--clock NS] [--out DIR]
  --kernel NAME   one of: ${KERNELS[*]} (repeatable; default all)
  --part PART     FPGA part (default $PART)
  --clock NS      clock period in ns (default $CLOCK_NS, 300 MHz)
  --out DIR       project directory (default build-csynth)
budgets: hls/csynth/budgets.tsv; needs vitis_hls on PATH (exit code 2 without it).
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --kernel) [ $# -ge 2 ] || { usage >&2; exit 1; }
      case " ${KERNELS[*]} " in *" $2 "*) SELECTED+=("$2") ;; *) echo "csynth: unknown kernel '$2'" >&2; exit 1 ;; esac
      shift 2 ;;
    --part) [ $# -ge 2 ] || { usage >&2; exit 1; }; PART="$2"; shift 2 ;;
    --clock) [ $# -ge 2 ] || { usage >&2; exit 1; }; CLOCK_NS="$2"; shift 2 ;;
    --out) [ $# -ge 2 ] || { usage >&2; exit 1; }; OUT="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "csynth: unknown argument '$1'" >&2; usage >&2; exit 1 ;;
  esac
done
[ ${#SELECTED[@]} -gt 0 ] || SELECTED=("${KERNELS[@]}")

if ! command -v vitis_hls >/dev/null 2>&1; then
  echo "csynth: vitis_hls not found on PATH (source <Vitis>/settings64.sh) - nothing synthesized" >&2
  exit 2
fi

mkdir -p "$OUT"
status=0
for k in "${SELECTED[@]}"; do
  echo "csynth: $k"
  if ! (cd "$OUT" && PW_ROOT="$ROOT" PW_OUT="$OUT" PW_PART="$PART" PW_CLOCK_NS="$CLOCK_NS" \
        vitis_hls -f "$ROOT/hls/$k/csynth.tcl" > "$OUT/$k.log" 2>&1); then
    echo "csynth: $k: vitis_hls failed (log: $OUT/$k.log)" >&2
    status=1
    continue
  fi
  python3 "$ROOT/scripts/csynth_check.py" "$ROOT/hls/csynth/budgets.tsv" "$k" \
    "$OUT/$k/solution/syn/report/csynth.xml" || status=1
done
exit $status
