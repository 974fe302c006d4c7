#!/usr/bin/env bash
# Installs every build, test and run dependency of perpwire from Debian packages.
# Idempotent; run as root on a fresh Debian bookworm machine. This is the single list of dependencies.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git python3
  clang-14 libclang-rt-14-dev libfuzzer-14-dev
  # test and benchmark frameworks
  doctest-dev libbenchmark-dev
  # packet I/O and host libraries
  libpcap-dev libdpdk-dev dpdk
  libtomlplusplus-dev libcli11-dev libfmt-dev nlohmann-json3-dev libcpp-httplib-dev
  # the control plane's TLS (cpp-httplib over OpenSSL) and the test certificates
  libssl-dev openssl
  # FIX order entry: the QuickFIX engine (sessions, resend, file store, data dictionaries)
  libquickfix-dev
  # firm-wide limits: the NATS client (JetStream) and the server the tests start on loopback
  libnats-dev nats-server
  # accelerator runtime
  libxrt-dev libxrt1 libxrt-utils
  # hardware simulation and synthesis
  verilator yosys iverilog
  # reports
  gnuplot-nox python3-matplotlib
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages (${missing[*]}); run as root or install them" >&2
  exit 1
fi

echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: done"
