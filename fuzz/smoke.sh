#!/usr/bin/env bash
# Runs every fuzz target of the C ABI with overflow checks and debug
# assertions on (-a).
#
#   fuzz/smoke.sh                  what CI runs: every input of the committed
#                                  corpus, then RUNS new inputs per target
#                                  from a fixed seed
#   fuzz/smoke.sh --explore 3600   an hour per target from a random seed
#
# The CI run does not depend on luck: the same code tries the same inputs
# every time (a fixed seed and a fixed count, not a time budget; no corpus
# reloads; and no address randomization, since the kernels' paths depend on
# how buffers are aligned), so a crash or a timeout it finds reproduces, and
# is a bug to fix, never a run to retry. Exploring finds new inputs; a failure leaves its input in
# fuzz/artifacts/TARGET/: fix the cause and add the input to
# fuzz/corpus/TARGET/, so that every later run replays it.
#
# New inputs go to a scratch folder, so the committed corpus stays as it is.
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-100000}
SEED=${SEED:-20261201}
fixed=()
if [ "${1:-}" = "--explore" ]; then
    budget=(-max_total_time="${2:-3600}")
else
    budget=(-runs="$RUNS" -seed="$SEED" -reload=0)
    if setarch "$(uname -m)" -R true 2>/dev/null; then
        fixed=(setarch "$(uname -m)" -R)
    else
        echo "setarch -R is not allowed here: addresses vary, so new inputs may differ run to run"
    fi
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in $(sed -n 's/^name = "\([a-z0-9_]*\)"$/\1/p' Cargo.toml | grep -v '^mixup-fuzz$'); do
    echo "== fuzz $target (${budget[*]})"
    mkdir -p "$scratch/$target"
    log="$scratch/$target.log"
    status=0
    "${fixed[@]}" cargo +nightly fuzz run -a "$target" "$scratch/$target" "corpus/$target" -- \
        "${budget[@]}" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -E '^(Done|INFO: seed corpus|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$log"
        echo "fuzz $target failed (status $status): its input is in fuzz/artifacts/$target/;"
        echo "reproduce with: cargo +nightly fuzz run -a $target fuzz/artifacts/$target/<file>"
        exit "$status"
    fi
done
