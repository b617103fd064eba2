#!/usr/bin/env bash
# The crash-consistency test at length (issue 10, "Tests that must exist"): builds castor and
# the tests, then runs CrashConsistencyTests with many SIGKILL iterations against an external
# `castor sim`.
#
# Usage: Scripts/crash-loop.sh [--iterations N] [--seed S] [--rounds R] [--scratch-path DIR] [--keep]
#
#   --iterations N     kills per round (default 40; the default test run does 3)
#   --seed S           seed of the first round (default: random); round k uses S+k
#   --rounds R         independent rounds, each with a fresh simulator and state (default 1)
#   --scratch-path DIR SwiftPM build directory (default .build)
#   --keep             keep each round's temporary directory (logs, configs, journal)
#
# Each round prints its seed; replay a failure with
#   CASTOR_CRASH_SEED=S CASTOR_CRASH_ITERATIONS=N swift test --filter CrashConsistency
# Exits non-zero on the first failing round.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
ITERATIONS=40
SEED=""
ROUNDS=1
SCRATCH=".build"
KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --iterations) ITERATIONS="$2"; shift 2 ;;
        --seed) SEED="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --scratch-path) SCRATCH="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 64 ;;
    esac
done
[ -n "$SEED" ] || SEED=$(( (RANDOM << 15 | RANDOM) + 1 ))

swift build --build-tests --scratch-path "$SCRATCH"
BIN="$(swift build --scratch-path "$SCRATCH" --show-bin-path)"
for ((k = 0; k < ROUNDS; k++)); do
    s=$((SEED + k))
    echo "== crash-loop round $((k + 1))/$ROUNDS: seed $s, $ITERATIONS iterations"
    env CASTOR_CRASH_SEED="$s" CASTOR_CRASH_ITERATIONS="$ITERATIONS" CASTOR_BINARY="$BIN/castor" \
        CASTOR_CRASH_KEEP="$KEEP" \
        swift test --skip-build --scratch-path "$SCRATCH" --filter CrashConsistency
done
echo "== crash-loop: $ROUNDS round(s) of $ITERATIONS iterations passed (seeds $SEED..$((SEED + ROUNDS - 1)))"
