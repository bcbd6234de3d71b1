#!/usr/bin/env bash
# The main job: build the node and run the devnet. With no arguments `provernet` is `provernet dev`:
# it initialises Genesis/devnet.json in the default datadir if that is empty, seals a block every
# second and serves JSON-RPC (HTTP + WebSocket) on 127.0.0.1:8545. Arguments go to `provernet`,
# e.g. `Tools/devnet.sh dev --rpc-port 9545 --datadir /tmp/devnet`.
set -euo pipefail
cd "$(dirname "$0")/.."
source Tools/lib/deps.sh
ensure_debian_packages
swift build -c release --product provernet
exec .build/release/provernet "$@"
