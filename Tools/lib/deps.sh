# Shared by the Tools/ scripts: install what the build and the tests need, if missing.

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# The C libraries the package links (as SwiftPM system libraries) and pkg-config.
ensure_debian_packages() {
    local need=()
    for p in libsecp256k1-dev libleveldb-dev libssl-dev pkg-config; do
        dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
    done
    if [ ${#need[@]} -gt 0 ]; then
        echo "== installing Debian packages: ${need[*]}"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
    fi
}

# A venv in .venv with the pinned interop peers from PyPI.
ensure_python_venv() {
    local py=python3
    if ! $py -m venv --help >/dev/null 2>&1; then
        echo "== installing python3-venv"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv
        py=/usr/bin/python3
    fi
    local req=Tools/interop/requirements.txt
    if [ ! -x .venv/bin/python ] || ! cmp -s "$req" .venv/requirements.installed; then
        echo "== creating .venv from $req"
        rm -rf .venv
        $py -m venv .venv || { /usr/bin/python3 -m venv .venv; }
        .venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"
        cp "$req" .venv/requirements.installed
    fi
}
