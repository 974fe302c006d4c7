#!/usr/bin/env bash
# Sets up the machine, builds everything and runs every test: RTL lint, the main build under ctest
# (unit, captures, differential, sim), the unit and capture tests again under AddressSanitizer +
# UndefinedBehaviorSanitizer, then a bounded fuzzing run of every libFuzzer target (tests/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

JOBS=${JOBS:-2}
BUILD=${BUILD:-build}

echo "== RTL lint (verilator --lint-only -Wall, yosys)"
bash scripts/lint_rtl.sh

echo "== build ($BUILD)"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD" -j"$JOBS"

echo "== tests"
# formal-slow: the A/B arbiter's deep bounded model check (depth 24, formal_rtl_deep); its depth-15
# check (formal_rtl, ~20 s) runs here with the synth label (sim/CMakeLists.txt).
ctest --test-dir "$BUILD" --output-on-failure -j"$JOBS" -LE formal-slow

echo "== tests under ASan+UBSan (unit, captures)"
cmake -S . -B "$BUILD-asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPERPWIRE_SANITIZE=ON -DPERPWIRE_BENCH=OFF -DPERPWIRE_SIM=OFF
cmake --build "$BUILD-asan" -j"$JOBS"
ctest --test-dir "$BUILD-asan" --output-on-failure -j"$JOBS" -L 'unit|captures'

echo "== fuzzing: bounded libFuzzer runs (≤ 30 s each) of the market-data and order-entry decoders, the config loader, the orders file and the control plane's requests"
cmake -S . -B "$BUILD-fuzz" -G Ninja -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DPERPWIRE_FUZZ=ON -DPERPWIRE_BENCH=OFF -DPERPWIRE_SIM=OFF
cmake --build "$BUILD-fuzz" -j"$JOBS" --target fuzz_targets
ctest --test-dir "$BUILD-fuzz" --output-on-failure -j"$JOBS" -L fuzz
