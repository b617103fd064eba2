#!/usr/bin/env bash
# Checks that a virtual chaos run is a function of its seed across processes: runs
# VirtualChaosTests (the real engine on a ManualClock against ChaosVenue) in two separate
# test processes, each writing every run's venue call trace (one line per call, stamped with
# its virtual time) to its own directory via CASTOR_CHAOS_TRACE, and diffs the two.
#
#   Scripts/chaos-replay.sh                      # the default seeds, 300 orders
#   CASTOR_CHAOS_SEED=42,43 Scripts/chaos-replay.sh
#   Scripts/chaos-replay.sh --skip-build
#
# Exit 0 if both processes passed and wrote identical traces; 1 with a diff otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

if [[ "${1:-}" != "--skip-build" ]]; then swift build --build-tests; fi
bin=".build/x86_64-unknown-linux-gnu/debug/CastorPackageTests.xctest"
[[ -x "$bin" ]] || { echo "chaos-replay.sh: $bin not built" >&2; exit 1; }

out=$(mktemp -d "${TMPDIR:-/tmp}/castor-chaos-replay.XXXXXX")
for run in a b; do
    if ! CASTOR_CHAOS_TRACE="$out/$run" "$bin" --testing-library swift-testing --filter VirtualChaosTests \
        >"$out/$run.log" 2>&1; then
        echo "chaos-replay.sh: process $run failed; see $out/$run.log" >&2
        exit 1
    fi
done
traces=$(ls "$out/a" | wc -l)
[[ "$traces" -gt 0 ]] || { echo "chaos-replay.sh: no trace written (CASTOR_CHAOS_TRACE ignored?)" >&2; exit 1; }
if diff -r "$out/a" "$out/b" >"$out/diff"; then
    echo "chaos-replay.sh: $traces traces identical across two processes ($(cat "$out"/a/* | wc -l) lines; in $out)"
else
    echo "chaos-replay.sh: the two processes diverged (traces in $out):" >&2
    head -40 "$out/diff" >&2
    exit 1
fi
