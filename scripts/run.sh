#!/usr/bin/env bash
# The main job: sets up the machine, builds perpwire, generates the built-in BTC/ETH session and
# runs it: both feed lines through DPDK net_pcap ports (no NIC, no hugepages), the software
# backend, the demo strategy through the risk gate against the simulated exchange, the control
# plane on 127.0.0.1:8686 while it runs, and the report (terminal summary, out/run/report.md, plots).
# --venue kalshi: the same generated session's BTC book as Kalshi KXBTCPERP market data over FIX
# (config/kalshi.toml: the simulated KalshiMD publisher on loopback, W/X into the same market state
# and gate; report in out/run_kalshi).
set -euo pipefail
cd "$(dirname "$0")/.."

VENUE=coinbase
while [[ $# -gt 0 ]]; do
  case "$1" in
    --venue) VENUE=${2:-}; shift 2 ;;
    --venue=*) VENUE=${1#--venue=}; shift ;;
    *) echo "scripts/run.sh: unknown argument $1 (known: --venue coinbase|kalshi)" >&2; exit 2 ;;
  esac
done
if [[ "$VENUE" != coinbase && "$VENUE" != kalshi ]]; then
  echo "scripts/run.sh: --venue must be coinbase or kalshi, got '$VENUE'" >&2
  exit 2
fi

bash scripts/setup.sh

JOBS=${JOBS:-2}
BUILD=${BUILD:-build-run}   # the program only (no simulation models): a short build
SPEED=${SPEED:-0}   # 0: as fast as possible; 1: as captured (75 minutes); 60: a minute of feed per second

cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPERPWIRE_SIM=OFF -DPERPWIRE_BENCH=OFF
cmake --build "$BUILD" -j"$JOBS" --target perpwire

# The built-in session (deterministic): 75 minutes of BIP and ETP with hourly funding, A and B
# lines, and three packets lost on both lines so that recovery from the snapshot cycle shows.
# Half an hour in, a one-minute kill-switch drill: the session mass-cancels and every order is refused.
"$BUILD/app/perpwire" gen --out out/session --seed 1 --loss-both 3

if [[ "$VENUE" == kalshi ]]; then
  exec "$BUILD/app/perpwire" run --config config/kalshi.toml --out out/run_kalshi --speed "$SPEED"
fi

"$BUILD/app/perpwire" run --config config/perpwire.toml --out out/run --speed "$SPEED" --kill-drill 1800,60 -- \
  --no-huge -m 512 --no-pci -l 0 --file-prefix=perpwire-run \
  --vdev=net_pcap0,rx_pcap=out/session/feed_a.pcap \
  --vdev=net_pcap1,rx_pcap=out/session/feed_b.pcap
