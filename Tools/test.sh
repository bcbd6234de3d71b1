#!/usr/bin/env bash
# Runs every test: installs what is missing (Debian packages, a Python venv with the interop
# peers), builds the zkVM example guests and the package, runs the Swift tests, then the Python
# interop tests against the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
source Tools/lib/deps.sh
ensure_debian_packages
ensure_python_venv

echo "== zkVM guests (riscv32 with the toolchain's clang and swiftc)"
Tools/guest/build.sh
echo "== swift build"
swift build
echo "== swift test"
swift test
echo "== interop tests (eth-account, eth-abi, rlp, web3, websockets)"
PROVERNET_BIN="$PWD/.build/debug/provernet" .venv/bin/python -m pytest -q Tools/interop
