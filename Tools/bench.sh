#!/usr/bin/env bash
# Builds with optimizations and runs the benchmarks; each prints a ratio against a reference
# measured in the same run. Usage: Tools/bench.sh [all|rpc|keccak|ecrecover|rlp|…] [--json]
set -euo pipefail
cd "$(dirname "$0")/.."
source Tools/lib/deps.sh
ensure_debian_packages
swift build -c release --product provernet
exec .build/release/provernet bench "${@:-all}"
