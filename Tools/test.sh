#!/usr/bin/env bash
# Runs every test: installs what is missing (Debian packages, a Python venv with the interop
# peers), checks the module layering, builds the zkVM example guests and the package (debug for
# the Swift tests, release for the binary the interop tests drive), runs the Swift tests, then the
# Python interop tests against the release binary. PROVERNET_QUICK=1 skips the slow Swift tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source Tools/lib/deps.sh
ensure_debian_packages
ensure_python_venv

echo "== module layering (Tools/lint/check_layers.py)"
python3 Tools/lint/check_layers.py
echo "== zkVM guests (riscv32 with the toolchain's clang and swiftc)"
Tools/guest/build.sh
echo "== swift build (debug, with tests)"
swift build --build-tests
echo "== swift test"
swift test --skip-build
echo "== swift build -c release"
swift build -c release --product provernet
echo "== interop tests (eth-account, eth-abi, rlp, web3, websockets) against the release binary"
PROVERNET_BIN="$PWD/.build/release/provernet" .venv/bin/python -m pytest -q Tools/interop
