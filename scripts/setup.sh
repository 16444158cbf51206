#!/usr/bin/env bash
# Installs what building, running and testing the chat needs, skipping whatever is already
# present at the right version. Safe to run again and again.
#
#   scripts/setup.sh build   # Rust wasm target, cargo-leptos, wasm-bindgen CLI, wasm-opt
#   scripts/setup.sh nodes   # build + redis-server (several nodes sharing Redis)
#   scripts/setup.sh test    # build + redis-server, Playwright and Debian's Chromium
set -euo pipefail

cd "$(dirname "$0")/.."
want=${1:-build}

CARGO_LEPTOS_VERSION=0.3.11
# cargo-leptos 0.3.11 needs rustc >= 1.96 to build; a nightly or 1.96 toolchain does it.
CARGO_LEPTOS_TOOLCHAIN=1.96.0

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

need_apt() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "apt-get install ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

setup_rust() {
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        say "adding the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown
    fi

    if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
        local toolchain
        if rustup toolchain list | grep -q '^nightly'; then
            toolchain=nightly
        else
            toolchain=$CARGO_LEPTOS_TOOLCHAIN
            rustup toolchain install "$toolchain" --profile minimal
        fi
        say "installing cargo-leptos $CARGO_LEPTOS_VERSION with $toolchain (about 18 minutes on 2 cores)"
        # no_downloads: the tools it would fetch come from here instead.
        cargo "+$toolchain" install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked \
            --features no_downloads
    fi

    # The CLI must match the wasm-bindgen crate in Cargo.lock exactly.
    local bindgen
    bindgen=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
    if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen" ]; then
        say "installing wasm-bindgen-cli $bindgen (about 4 minutes)"
        # Not --locked: one of its locked dependencies is not on the registry mirror.
        cargo install wasm-bindgen-cli --version "$bindgen"
    fi
}

npm_install() {
    local dir=$1 stamp=$1/node_modules/.installed-from
    # Reinstall only when package-lock.json changed since the last install.
    if [ "$(cat "$stamp" 2>/dev/null)" != "$(sha256sum < "$dir/package-lock.json")" ]; then
        say "npm ci in $dir"
        (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
        sha256sum < "$dir/package-lock.json" > "$stamp"
    fi
}

setup_build() {
    setup_rust
    # wasm-opt for release builds. Debian's binaryen is too old for this wasm.
    npm_install tools
}

setup_test() {
    setup_build
    # Playwright drives Debian's Chromium; it cannot download its own browser here.
    # The Redis backend's tests start their own redis-server; the HTTPS test makes its
    # certificate with openssl.
    need_apt chromium redis-server openssl
    npm_install end2end
}

setup_nodes() {
    setup_build
    need_apt redis-server
}

case "$want" in
    build) setup_build ;;
    nodes) setup_nodes ;;
    test) setup_test ;;
    *) echo "usage: $0 [build|nodes|test]" >&2; exit 2 ;;
esac
