#!/usr/bin/env bash
# The main job: sets up the machine, builds perpwire and runs it on the built-in default session.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

JOBS=${JOBS:-2}
BUILD=${BUILD:-build}
OUT=${OUT:-out}

cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPERPWIRE_SIM=OFF -DPERPWIRE_BENCH=OFF
cmake --build "$BUILD" -j"$JOBS" --target perpwire

mkdir -p "$OUT"
"$BUILD/host/perpwire" gen --out "$OUT/session" --seed 1
"$BUILD/host/perpwire" decode --pcap "$OUT/session/feed_a.pcap" --summary -o "$OUT/session/feed_a.jsonl"
