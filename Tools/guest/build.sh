#!/usr/bin/env bash
# Builds ProverNet guests for the zkVM (riscv32, rv32im, freestanding) with the Swift
# toolchain's own clang, swiftc and ld.lld; no other toolchain is needed.
#
#   Tools/guest/build.sh                      the SDK and every example into .build-guests/
#   Tools/guest/build.sh c OUT.elf SRC.c...   one C guest
#   Tools/guest/build.sh swift OUT.elf SRC.swift...   one Embedded Swift guest (main.swift first)
#
# Examples land in .build-guests/{c,swift}/NAME.elf (with symbols and debug info) and
# NAME.stripped.elf (the same objects linked with --strip-all, for the program-id tests).
# The toolchain is the one whose swiftc is on the PATH, or SWIFT_TOOLCHAIN_BIN if set.
set -euo pipefail
cd "$(dirname "$0")/../.."
GUEST=Tools/guest
OUT=${PROVERNET_GUESTS:-.build-guests}

# The toolchain's bin directory, from the compiler itself (works behind proxies such as swiftly).
toolchain_bin() {
    local resources
    resources=$(swiftc -print-target-info | sed -n 's/.*"runtimeResourcePath": "\(.*\)".*/\1/p')
    if [ -n "$resources" ] && [ -x "$resources/../../bin/clang" ]; then
        (cd "$resources/../../bin" && pwd)
    else
        dirname "$(readlink -f "$(command -v swiftc)")"
    fi
}
BIN=${SWIFT_TOOLCHAIN_BIN:-$(toolchain_bin)}
CLANG="$BIN/clang"
SWIFTC="$BIN/swiftc"
LLD="$BIN/ld.lld"
for tool in "$CLANG" "$SWIFTC" "$LLD"; do
    [ -x "$tool" ] || { echo "build.sh: $tool not found (set SWIFT_TOOLCHAIN_BIN)" >&2; exit 1; }
done

ARCH=(-march=rv32im -mabi=ilp32)
CFLAGS=(--target=riscv32-unknown-none-elf "${ARCH[@]}" -O2 -g -ffreestanding -nostdlib -fno-builtin
        -fno-stack-protector -ffunction-sections -fdata-sections -Wall -Wextra -Werror -I "$GUEST/sdk/c")
SWIFTFLAGS=(-enable-experimental-feature Embedded -target riscv32-none-none-eabi -wmo -O -g
            -Xcc -march=rv32im -Xcc -mabi=ilp32 -Xfrontend -disable-stack-protector
            -Xfrontend -function-sections -I "$GUEST/sdk/c")
LDFLAGS=(-T "$GUEST/link.ld" --gc-sections)

SDK="$OUT/sdk"

# The C runtime and start-up code, and the Embedded Swift module ProverNetGuest.
build_sdk() {
    mkdir -p "$SDK/modules"
    "$CLANG" "${CFLAGS[@]}" -c "$GUEST/sdk/c/runtime.c" -o "$SDK/runtime.o"
    "$CLANG" "${CFLAGS[@]}" -c "$GUEST/sdk/c/start.S" -o "$SDK/start.o"
}

build_swift_sdk() {
    [ -f "$SDK/ProverNetGuest.o" ] && return 0
    "$SWIFTC" "${SWIFTFLAGS[@]}" -parse-as-library -module-name ProverNetGuest \
        -emit-module -emit-module-path "$SDK/modules/ProverNetGuest.swiftmodule" \
        -c "$GUEST/sdk/swift/Guest.swift" -o "$SDK/ProverNetGuest.o"
}

# link OUT.elf OBJECTS...: NAME.elf with symbols, NAME.stripped.elf without.
link() {
    local out=$1; shift
    "$LLD" "${LDFLAGS[@]}" -o "$out" "$SDK/start.o" "$@" "$SDK/runtime.o"
    "$LLD" "${LDFLAGS[@]}" --strip-all -o "${out%.elf}.stripped.elf" "$SDK/start.o" "$@" "$SDK/runtime.o"
}

build_c() {
    local out=$1; shift
    local objs=() src obj i=0
    mkdir -p "$(dirname "$out")"
    for src in "$@"; do
        i=$((i + 1))
        obj="$out.$i.o"
        "$CLANG" "${CFLAGS[@]}" -c "$src" -o "$obj"
        objs+=("$obj")
    done
    link "$out" "${objs[@]}"
}

build_swift() {
    local out=$1; shift
    mkdir -p "$(dirname "$out")"
    build_swift_sdk
    "$SWIFTC" "${SWIFTFLAGS[@]}" -module-name "$(basename "${out%.elf}")" -I "$SDK/modules" \
        -c "$@" -o "$out.o"
    link "$out" "$out.o" "$SDK/ProverNetGuest.o"
}

case "${1:-examples}" in
examples)
    stamp="$OUT/.stamp"
    if [ -f "$stamp" ] && [ -z "$(find "$GUEST" "$0" -newer "$stamp" -print -quit)" ]; then
        echo "== guests up to date in $OUT"
        exit 0
    fi
    echo "== building guests into $OUT"
    rm -rf "$OUT"
    build_sdk
    lib=("$GUEST"/examples/c/lib/*.c)
    for name in fibonacci sha256 keccak256 sort merkle; do
        build_c "$OUT/c/$name.elf" "$GUEST/examples/c/$name.c" "${lib[@]}"
    done
    for name in fibonacci sha256 keccak256 sort merkle; do
        build_swift "$OUT/swift/$name.elf" "$GUEST/examples/swift/$name/main.swift" "$GUEST"/examples/swift/lib/*.swift
    done
    touch "$stamp"
    ;;
c)
    [ $# -ge 3 ] || { echo "usage: $0 c OUT.elf SRC.c..." >&2; exit 2; }
    build_sdk
    build_c "${@:2}"
    ;;
swift)
    [ $# -ge 3 ] || { echo "usage: $0 swift OUT.elf main.swift [SRC.swift...]" >&2; exit 2; }
    build_sdk
    build_swift "${@:2}"
    ;;
*)
    echo "usage: $0 [examples | c OUT.elf SRC... | swift OUT.elf SRC...]" >&2
    exit 2
    ;;
esac
