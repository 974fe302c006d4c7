#!/usr/bin/env bash
# Builds the perpwire .xclbin with Vitis: each HLS kernel compiled to a .xo (v++ -c), then linked
# with the RTL network front end under hls/connectivity.cfg (v++ -l).
#   scripts/build_xclbin.sh --target hw_emu|hw [--platform NAME] [--out DIR]
#                           [--frontend-xo FILE | --no-frontend] [--jobs N] [--dry-run]
# Output: <out>/<target>/perpwire.xclbin (default out: build-xclbin). Exit codes: 0 built,
# 1 usage or build error, 2 Vitis not available (nothing built).
set -euo pipefail

# Stream kernels of the card, in data-path order: hls/<name>/<name>.cpp, top function <name>.
# market_state holds the book and mark/funding together (docs/hls.md says why); risk_merge numbers
# the risk gate's inputs into the one sequence pretrade_risk applies.
KERNELS=(feed_decode market_state risk_merge pretrade_risk)
# Memory-mapped kernels for replaying captures from the host (XRT backend, hardware tests).
REPLAY_KERNELS=(feed_decode_mm)

DEFAULT_PLATFORM=xilinx_u250_gen3x16_xdma_4_1_202210_1

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET=hw_emu
PLATFORM="${PERPWIRE_PLATFORM:-$DEFAULT_PLATFORM}"
OUT="$ROOT/build-xclbin"
FRONTEND_XO=""
NO_FRONTEND=0
JOBS=2
DRY_RUN=0

usage() {
  cat <<EOF
usage: scripts/build_xclbin.sh --target hw_emu|hw [options]
  --target T         hw_emu (hardware emulation) or hw (bitstream); default hw_emu
  --platform NAME    Vitis platform; default $DEFAULT_PLATFORM (or \$PERPWIRE_PLATFORM)
  --out DIR          output root; the xclbin is DIR/<target>/perpwire.xclbin (default build-xclbin)
  --frontend-xo F    the RTL front end (rtl/perpwire_nic_top.sv) packaged as a kernel (default DIR/rtl/perpwire_nic_top.xo)
  --no-frontend      link only the replay kernels (${REPLAY_KERNELS[*]}): no network input
  --jobs N           parallel jobs for v++ (default 2)
  --dry-run          print the v++ commands and write the link config, run nothing
kernels: ${KERNELS[*]} (stream), ${REPLAY_KERNELS[*]} (replay)
needs Vitis: v++ on PATH and XILINX_VITIS set (source <Vitis>/settings64.sh); exit code 2 without it.
EOF
}

die_usage() {
  echo "build_xclbin: $1" >&2
  usage >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --target) [ $# -ge 2 ] || die_usage "--target needs a value"; TARGET="$2"; shift 2 ;;
    --target=*) TARGET="${1#*=}"; shift ;;
    --platform) [ $# -ge 2 ] || die_usage "--platform needs a value"; PLATFORM="$2"; shift 2 ;;
    --platform=*) PLATFORM="${1#*=}"; shift ;;
    --out) [ $# -ge 2 ] || die_usage "--out needs a value"; OUT="$2"; shift 2 ;;
    --frontend-xo) [ $# -ge 2 ] || die_usage "--frontend-xo needs a value"; FRONTEND_XO="$2"; shift 2 ;;
    --no-frontend) NO_FRONTEND=1; shift ;;
    --jobs) [ $# -ge 2 ] || die_usage "--jobs needs a value"; JOBS="$2"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown argument '$1'" ;;
  esac
done

case "$TARGET" in
  hw_emu|hw) ;;
  *) die_usage "--target must be hw_emu or hw, not '$TARGET'" ;;
esac
case "$JOBS" in
  ''|*[!0-9]*) die_usage "--jobs must be a number" ;;
esac
[ -n "$PLATFORM" ] || die_usage "--platform is empty"

if [ "$DRY_RUN" -eq 0 ]; then
  if ! command -v v++ >/dev/null 2>&1 || [ -z "${XILINX_VITIS:-}" ] || [ ! -d "${XILINX_VITIS:-/nonexistent}" ]; then
    echo "build_xclbin: Vitis not found (need v++ on PATH and XILINX_VITIS set to an installed Vitis; source <Vitis>/settings64.sh) - nothing built" >&2
    exit 2
  fi
fi

kernel_source() {
  case "$1" in
    feed_decode_mm) echo "$ROOT/hls/feed_decode/feed_decode_mm.cpp" ;;
    *) echo "$ROOT/hls/$1/$1.cpp" ;;
  esac
}

DIR="$OUT/$TARGET"
[ -n "$FRONTEND_XO" ] || FRONTEND_XO="$OUT/rtl/perpwire_nic_top.xo"
if [ "$NO_FRONTEND" -eq 1 ]; then
  BUILD_KERNELS=("${REPLAY_KERNELS[@]}")
  LINK_KERNELS=("${REPLAY_KERNELS[@]}")
  EXTRA_XO=()
else
  BUILD_KERNELS=("${KERNELS[@]}" "${REPLAY_KERNELS[@]}")
  LINK_KERNELS=(perpwire_nic_top "${BUILD_KERNELS[@]}")
  EXTRA_XO=("$FRONTEND_XO")
  if [ "$DRY_RUN" -eq 0 ] && [ ! -f "$FRONTEND_XO" ]; then
    echo "build_xclbin: RTL front end kernel not found at $FRONTEND_XO (package it from rtl/, or pass --no-frontend for a replay-only xclbin)" >&2
    exit 1
  fi
fi

run() {
  echo "+ $*"
  if [ "$DRY_RUN" -eq 0 ]; then "$@"; fi
}

mkdir -p "$DIR"

# The link config: hls/connectivity.cfg restricted to the kernels of this build.
awk -v kernels="${LINK_KERNELS[*]}" '
  BEGIN { n = split(kernels, k, " "); for (i = 1; i <= n; i++) want[k[i]] = 1 }
  /^nk=/ {
    split(substr($0, 4), f, ":")
    if (f[1] in want) { m = split(f[3], c, "."); for (j = 1; j <= m; j++) cu[c[j]] = 1; print }
    next
  }
  /^(sc|stream_connect|sp|slr)=/ {
    rest = $0; sub(/^[a-z_]+=/, "", rest)
    ok = 1; m = split(rest, p, ":")
    for (j = 1; j <= m; j++) { if (split(p[j], q, ".") == 2 && !(q[1] in cu)) ok = 0 }
    if (ok) print
    next
  }
  { print }
' "$ROOT/hls/connectivity.cfg" > "$DIR/link.cfg"
echo "link config: $DIR/link.cfg"

COMMON=(-t "$TARGET" --platform "$PLATFORM" --save-temps --temp_dir "$DIR/_x" --log_dir "$DIR/logs"
        --report_dir "$DIR/reports")
XOS=()
for k in "${BUILD_KERNELS[@]}"; do
  src="$(kernel_source "$k")"
  [ -f "$src" ] || { echo "build_xclbin: kernel source $src missing" >&2; exit 1; }
  run v++ -c "${COMMON[@]}" -k "$k" -I"$ROOT" -I"$ROOT/hls/include" \
    --hls.clock 300000000:"$k" -o "$DIR/$k.xo" "$src"
  XOS+=("$DIR/$k.xo")
done

run v++ -l "${COMMON[@]}" --jobs "$JOBS" --config "$DIR/link.cfg" -o "$DIR/perpwire.xclbin" "${XOS[@]}" "${EXTRA_XO[@]}"

if [ "$TARGET" = hw_emu ]; then
  run emconfigutil --platform "$PLATFORM" --od "$DIR"
fi
echo "xclbin: $DIR/perpwire.xclbin"
