#!/usr/bin/env bash
# The main job: build the node and run it. For now `provernet` has no devnet to serve yet
# (the chain and JSON-RPC issues add it), so it shows its help.
set -euo pipefail
cd "$(dirname "$0")/.."
source Tools/lib/deps.sh
ensure_debian_packages
swift build -c release --product provernet
exec .build/release/provernet "${@:---help}"
