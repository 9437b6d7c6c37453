#!/usr/bin/env bash
# Runs every fuzz target of the C ABI for a bounded time from the committed
# seed corpus, with overflow checks and debug assertions on (-a).
#   fuzz/smoke.sh            30 s per target (what CI runs)
#   fuzz/smoke.sh 3600       an hour per target
# New inputs go to a scratch folder, so the committed corpus stays as it is;
# a crash leaves its input in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in $(sed -n 's/^name = "\([a-z0-9_]*\)"$/\1/p' Cargo.toml | grep -v '^mixup-fuzz$'); do
    echo "== fuzz $target for ${seconds}s"
    mkdir -p "$scratch/$target"
    log="$scratch/$target.log"
    status=0
    cargo +nightly fuzz run -a "$target" "$scratch/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -E '^(Done|INFO: seed corpus)' "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$log"
        echo "fuzz $target failed (status $status)"
        exit "$status"
    fi
done
