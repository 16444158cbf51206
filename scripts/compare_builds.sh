#!/usr/bin/env bash
# Two builds of the chat side by side with the shared harness's peers, in one run, one
# scenario at a time (the figures of docs/benchmarks.md that compare builds come from here).
#
#   scripts/compare_builds.sh BEFORE AFTER [OUT]
#
# BEFORE and AFTER are folders each holding a release build as target/release/chat (copy
# the binary aside after each build: `cargo build --release --no-default-features
# --features ssr --bin chat`). Results go to OUT (target/bench-compare by default); the
# summary table is printed at the end. Environment:
#   SCENARIOS  the harness's scenarios (default "fanout10k burst10k idle10k idle19k fanout19k")
#   TWICE      scenarios run twice, to take medians of (default "fanout10k burst10k")
#   REDIS_URL  also runs the build after on Redis (project-redis), e.g. redis://127.0.0.1:6390
#              with `redis-server --port 6390 --appendonly yes --appendfsync always`
set -euo pipefail

cd "$(dirname "$0")/.."
before=$(cd "$1" && pwd)
after=$(cd "$2" && pwd)
out=$(mkdir -p "${3:-target/bench-compare}" && cd "${3:-target/bench-compare}" && pwd)
harness=../shared/bench
bin=$PWD/target/bench/release

if [ ! -x "$bin/sseload" ]; then
    echo "[compare] building the shared harness into target/bench (about 3 minutes)"
    cargo build --release --manifest-path "$harness/Cargo.toml" --target-dir target/bench
fi

after_peers=project
[ -n "${REDIS_URL:-}" ] && after_peers="project project-redis"
export BENCH_BIN=$bin RUNS=1 QUIET_WAIT=0

one() {
    echo "[compare] $1"
    OUT=$out/before SCENARIOS=$1 PEERS=project "$harness/compare-project.sh" "$before" >/dev/null
    OUT=$out/after SCENARIOS=$1 PEERS="$after_peers" "$harness/compare-project.sh" "$after" >/dev/null
    OUT=$out/peers SCENARIOS=$1 PEERS="axum-min raw-limit" "$harness/compare-project.sh" "$PWD" >/dev/null
}

for scenario in ${SCENARIOS:-fanout10k burst10k idle10k idle19k fanout19k}; do
    one "$scenario"
    case " ${TWICE-fanout10k burst10k} " in *" $scenario "*) one "$scenario" ;; esac
done

for side in before after peers; do
    echo "## $side"
    python3 "$harness/summarize.py" "$out/$side"/*.jsonl
done
