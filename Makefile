# The two commands a newcomer needs: `make run` and `make test`. Both install what is
# missing first (scripts/setup.sh), and skip what is already there.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
# wasm-opt from npm, and what cargo installs.
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: run dev build nodes test test-rust test-e2e e2e lint

## Build the release and serve it on http://127.0.0.1:3000 (SQLite file in data/).
run:
	scripts/setup.sh build
	cargo leptos serve --release --precompress --split

## Rebuild and reload on every change, for development.
dev:
	scripts/setup.sh build
	cargo leptos watch --split

## The release build only: target/release/chat and its site in target/site.
build:
	scripts/setup.sh build
	cargo leptos build --release --precompress --split

## Several nodes sharing one Redis (NODES=2 by default): http://127.0.0.1:3000, :3001, ...
nodes:
	scripts/setup.sh nodes
	scripts/nodes.sh

## Every test: lints, the release build, unit and integration tests (the fault tests run the
## release binary), then Playwright against the release build.
test:
	scripts/setup.sh test
	$(MAKE) lint
	cargo leptos build --release --precompress --split
	CHAT_TEST_BINARY=$(CURDIR)/target/release/chat $(MAKE) test-rust
	$(MAKE) e2e

lint:
	cargo fmt --all -- --check
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy --lib --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings
	.tools/venv/bin/hadolint deploy/Dockerfile

# Time limits turn a hung test into a failure well before CI's own limit.
test-rust:
	timeout 20m cargo test --features ssr

test-e2e:
	cargo leptos build --release --precompress --split
	$(MAKE) e2e

e2e:
	cd end2end && timeout 20m npx playwright test
