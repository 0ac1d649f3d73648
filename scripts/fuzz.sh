#!/usr/bin/env bash
# Runs each cargo-fuzz target of rust/fuzz for a bounded time, one process (no -jobs), niced.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 60 seconds, every target
#
# Needs `cargo install cargo-fuzz`. On a stable toolchain the nightly-only flags cargo-fuzz passes
# are unlocked with RUSTC_BOOTSTRAP=1 (set here). Corpora live in rust/fuzz/corpus/<target>
# (seeded from rust/fuzz/seeds/<target>), crashes in rust/fuzz/artifacts/<target>; libFuzzer's
# log of each run is kept in rust/fuzz/logs/<target>.log. Minimized crashing inputs that have
# been fixed belong in rust/fuzz/regressions/<target>/ (replayed first, so a regression fails
# the run at once). Exit status is non-zero when a target found a crash.
#
# FUZZ_SANITIZER=none builds without AddressSanitizer (several times faster; the engine has no
# `unsafe`, so ASan mostly watches dependencies). Default: cargo-fuzz's default (address).
#
# FUZZ_KEEP_GOING=1 runs libFuzzer in fork mode with one worker (-fork=1), which records every
# crash / timeout in artifacts/ and keeps fuzzing instead of stopping at the first one.
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
shift || true
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FUZZ="$ROOT/rust/fuzz"
export RUSTC_BOOTSTRAP=1
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(parse build_eval)
fi

cd "$ROOT"
SAN=(--sanitizer "${FUZZ_SANITIZER:-address}")
nice -n 10 cargo fuzz build -O "${SAN[@]}" --fuzz-dir "$FUZZ"
status=0
mkdir -p "$FUZZ/logs"
for target in "${TARGETS[@]}"; do
    corpus="$FUZZ/corpus/$target"
    mkdir -p "$corpus" "$FUZZ/artifacts/$target"
    keep_going=()
    if [ "${FUZZ_KEEP_GOING:-0}" = "1" ]; then
        keep_going=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    fi
    dict=()
    if [ -f "$FUZZ/$target.dict" ]; then
        dict=(-dict="$FUZZ/$target.dict")
    fi
    # Replay the regressions first (each must run without a crash).
    if compgen -G "$FUZZ/regressions/$target/*" > /dev/null; then
        echo "== $target: replaying regressions"
        nice -n 10 cargo fuzz run -O "${SAN[@]}" --fuzz-dir "$FUZZ" "$target" "$FUZZ"/regressions/"$target"/* -- -runs=0 || status=1
    fi
    echo "== $target: fuzzing for ${SECONDS_PER_TARGET}s"
    if ! nice -n 10 cargo fuzz run -O "${SAN[@]}" --fuzz-dir "$FUZZ" "$target" "$corpus" "$FUZZ/seeds/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=120 -rss_limit_mb=4096 \
        -print_final_stats=1 "${keep_going[@]}" "${dict[@]}" 2>&1 | tee "$FUZZ/logs/$target.log"; then
        status=1
    fi
    grep -E "^(#[0-9]+\s+DONE|stat::number_of_executed_units|stat::peak_rss_mb)" "$FUZZ/logs/$target.log" || true
done
exit $status
