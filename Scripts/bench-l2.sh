#!/usr/bin/env bash
# The market-data hot path's benchmark: decode + apply on one core, for four stream shapes,
# in messages/s (castor replay), instructions per message (callgrind; stable on a noisy
# machine) and against cryptofeed's Gemini handler on the same files.
#
#   Scripts/bench-l2.sh [--castor PATH] [--bench PATH] [--messages N] [--api legacy|websocket|both] [--runs N]
#                       [--no-callgrind] [--no-cryptofeed] [--dir DIR]
#
# --api: the streams as market data v2 (legacy), as the new WebSocket API's frames
# (websocket: depthUpdate/trade, castor-bench synth-l2 --api websocket; the same books and
# trades), or both, one row per shape and API (the default). cryptofeed has no handler for
# the new API, so a websocket row's reference is cryptofeed on the same shape's v2 file: the
# ratio is Castor on the new API's frames against cryptofeed on the same stream in v2.
# --runs: castor replay runs per file; the row shows their median (default 3).
#
# Shapes (castor-bench synth-l2):
#   issue2   issue 2's stream: 4 symbols, ~100 levels a side, updates near the touch
#   deep1    1 symbol, 500 levels a side, updates anywhere within 600 ticks, 5 % trades
#   deep1t   the same with 30 % trades
#   deep3    3 symbols, 3,000 levels a side, updates within 4,000 ticks, 25 % trades
#
# Needs: the release products (swift build -c release --product castor; … castor-bench),
# valgrind for the instruction counts, python3 with cryptofeed for the reference
# (pip install cryptofeed). Instructions per message = (Ir of the first 200,000 lines −
# Ir of the first 1,000 lines) / 199,000: start-up and the snapshots cancel out.
set -euo pipefail
cd "$(dirname "$0")/.."

castor=.build/release/castor
bench=.build/release/castor-bench
messages=2000000
dir=/tmp/castor-bench-l2
callgrind=1
cryptofeed=1
api=both
runs=3
while [ $# -gt 0 ]; do
    case "$1" in
        --castor) castor=$2; shift 2 ;;
        --bench) bench=$2; shift 2 ;;
        --messages) messages=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        --api) api=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --no-callgrind) callgrind=0; shift ;;
        --no-cryptofeed) cryptofeed=0; shift ;;
        *) echo "unknown option $1" >&2; exit 64 ;;
    esac
done
mkdir -p "$dir"

shapes=(issue2 deep1 deep1t deep3)
declare -A args=(
    [issue2]="--symbols 4"
    [deep1]="--symbols 1 --depth 500 --span 600 --trade-fraction 0.05"
    [deep1t]="--symbols 1 --depth 500 --span 600 --trade-fraction 0.3"
    [deep3]="--symbols 3 --depth 3000 --span 4000 --trade-fraction 0.25"
)

case "$api" in
    legacy) apis=(legacy) ;;
    websocket) apis=(websocket) ;;
    both) apis=(legacy websocket) ;;
    *) echo "--api must be legacy, websocket or both" >&2; exit 64 ;;
esac

rate() { sed -n 's/.*messages\/s: \([0-9]*\).*/\1/p' | tail -1; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

if [ "$callgrind" = 1 ]; then
    strip -o "$dir/castor-stripped" "$castor"
fi
printf '%-8s %-9s %14s %14s %10s %12s\n' shape api castor_msg/s cryptofeed/s ratio instr/msg
for s in "${shapes[@]}"; do
    # cryptofeed's figure for the shape, on its v2 file: measured once, the reference of
    # both rows.
    theirs=-
    for a in "${apis[@]}"; do
        if [ "$a" = legacy ]; then f="$dir/$s.txt"; name=$s; else f="$dir/$s-ws.txt"; name=$s-ws; fi
        # shellcheck disable=SC2086
        [ -f "$f" ] || "$bench" synth-l2 --messages "$messages" ${args[$s]} --api "$a" --output "$f" >/dev/null
        ours=$(for _ in $(seq "$runs"); do "$castor" replay "$f" --depth 0 | rate; done | median)
        ratio=-
        if [ "$cryptofeed" = 1 ]; then
            if [ "$theirs" = - ]; then
                # shellcheck disable=SC2086
                [ -f "$dir/$s.txt" ] || "$bench" synth-l2 --messages "$messages" ${args[$s]} --output "$dir/$s.txt" >/dev/null
                theirs=$(python3 Scripts/cryptofeed_gemini_replay.py "$dir/$s.txt" | rate)
            fi
            ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.1f", a / b }')
        fi
        ipm=-
        if [ "$callgrind" = 1 ]; then
            head -n 200000 "$f" > "$dir/$name-200k.txt"
            head -n 1000 "$f" > "$dir/$name-1k.txt"
            ir() {
                valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.$name.$1" "$dir/castor-stripped" replay "$dir/$name-$1.txt" --depth 0 2>&1 \
                    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
            }
            big=$(ir 200k)
            small=$(ir 1k)
            ipm=$(awk -v a="$big" -v b="$small" 'BEGIN { printf "%.0f", (a - b) / 199000 }')
        fi
        printf '%-8s %-9s %14s %14s %10s %12s\n' "$s" "$a" "$ours" "$theirs" "$ratio" "$ipm"
    done
done
