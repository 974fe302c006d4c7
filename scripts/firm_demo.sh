#!/usr/bin/env bash
# Three perpwire hosts — one per venue (Coinbase Derivatives, Kalshi, Kraken), each trading the
# built-in session against its own simulated exchange — under one firm-wide limit shared over a
# 3-node NATS JetStream cluster on loopback (docs/firm.md). Prints each host's result and the firm
# view (`perpwire firm status`). Everything runs in a temporary folder and is stopped at the end.
#
#   bash scripts/firm_demo.sh            # sets up, builds, runs
#   SKIP_SETUP=1 BUILD=build bash scripts/firm_demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

[ -n "${SKIP_SETUP:-}" ] || bash scripts/setup.sh
JOBS=${JOBS:-2}
BUILD=${BUILD:-build-run}
if [ -z "${SKIP_BUILD:-}" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPERPWIRE_SIM=OFF -DPERPWIRE_BENCH=OFF >/dev/null
  cmake --build "$BUILD" -j"$JOBS" --target perpwire
fi
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
PERPWIRE="$BUILD/app/perpwire"
[ -x "$PERPWIRE" ] || { echo "firm_demo: $PERPWIRE is not built" >&2; exit 1; }
command -v nats-server >/dev/null || { echo "firm_demo: nats-server is not installed (bash scripts/setup.sh)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/perpwire-firm-XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
BASE=${NATS_PORT_BASE:-14222}
CLIENT=($BASE $((BASE + 1)) $((BASE + 2)))
CLUSTER=($((BASE + 2000)) $((BASE + 2001)) $((BASE + 2002)))
for p in "${CLIENT[@]}" "${CLUSTER[@]}"; do
  port_free "$p" || { echo "firm_demo: port $p is in use (set NATS_PORT_BASE)" >&2; exit 1; }
done

echo "== NATS: 3-node JetStream cluster on 127.0.0.1:${CLIENT[0]}-${CLIENT[2]}"
for i in 0 1 2; do
  routes=""
  for j in 0 1 2; do [ "$j" = "$i" ] || routes="${routes:+$routes,}nats://127.0.0.1:${CLUSTER[$j]}"; done
  nats-server -js -a 127.0.0.1 -p "${CLIENT[$i]}" -sd "$WORK/n$i" -n "n$i" --cluster_name perpwire-demo \
    --cluster "nats://127.0.0.1:${CLUSTER[$i]}" --routes "$routes" >"$WORK/nats-$i.log" 2>&1 &
  PIDS+=($!)
done
for p in "${CLIENT[@]}"; do
  for _ in $(seq 100); do port_free "$p" || break; sleep 0.05; done
done
SERVERS="\"nats://127.0.0.1:${CLIENT[0]}\", \"nats://127.0.0.1:${CLIENT[1]}\", \"nats://127.0.0.1:${CLIENT[2]}\""

echo "== the built-in session"
"$PERPWIRE" gen --out "$WORK/session" --seed 1 --loss-both 3 | tail -1

# One config per host: config/perpwire.toml with the session's captures through libpcap, order
# entry on any free port, no control plane, and the firm section. The firm allows 1.2 M of gross
# notional a day (less than the three would trade alone) and 1 BTC of position, handed out in
# slices of 100 k and 0.1 BTC.
write_config() {
  local host=$1 venue=$2
  sed -e "s|out/session/|$WORK/session/|g" -e '/dpdk_port = "net_pcap[01]"/d' -e 's/^port = 9100/port = 0/' \
    -e "s|dir = \"out/run\"|dir = \"$WORK/$host\"|" -e 's/^\[control\]$/[control]\nenabled = false/' \
    config/perpwire.toml >"$WORK/$host.toml"
  cat >>"$WORK/$host.toml" <<EOF

[firm]
servers = [$SERVERS]
host_id = "$host"
venue = "$venue"
replicas = 3
daily_notional_limit = "1200000"
notional_slice = "100000"
low_water = "25%"

[[firm.groups]]
name = "BTC"
instruments = ["BIP-20DEC30-CDE"]
max_position = "1"
slice = "0.1"
EOF
}

HOSTS=(cde-host kalshi-host kraken-host)
VENUES=(coinbase kalshi kraken)
for k in 0 1 2; do write_config "${HOSTS[$k]}" "${VENUES[$k]}"; done

# The cluster is ready when it has elected its JetStream leader and holds the R3 bucket and stream.
ready=0
for _ in $(seq 60); do
  if "$PERPWIRE" firm status --config "$WORK/${HOSTS[0]}.toml" >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.25
done
[ "$ready" = 1 ] || { echo "firm_demo: the NATS cluster did not become ready (see $WORK/nats-*.log)" >&2; exit 1; }

echo "== three hosts, one firm limit"
RUNS=()
for k in 0 1 2; do
  "$PERPWIRE" run --config "$WORK/${HOSTS[$k]}.toml" --speed 0 --quiet >"$WORK/${HOSTS[$k]}.log" 2>&1 &
  RUNS+=($!)
done
failed=0
for k in 0 1 2; do
  if wait "${RUNS[$k]}"; then
    echo "-- ${HOSTS[$k]} (${VENUES[$k]}): $(grep -m1 '^| orders |' "$WORK/${HOSTS[$k]}/report.md" | sed -e 's/^| orders | //' -e 's/ |$//')"
    grep -m1 '^| note | firm:' "$WORK/${HOSTS[$k]}/report.md" | sed -e 's/^| note | /   /' -e 's/ |$//' || true
    grep -E 'credit_limit|position_limit' "$WORK/${HOSTS[$k]}/report.md" | head -2 | sed 's/^/   /' || true
  else
    echo "-- ${HOSTS[$k]}: FAILED" >&2
    tail -5 "$WORK/${HOSTS[$k]}.log" >&2
    failed=1
  fi
done
[ "$failed" = 0 ] || exit 1

echo "== the firm view (perpwire firm status)"
"$PERPWIRE" firm status --config "$WORK/${HOSTS[0]}.toml"
