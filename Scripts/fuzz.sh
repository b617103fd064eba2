#!/usr/bin/env bash
# libFuzzer harnesses for Castor's parsers of untrusted input (issue 10, "Fuzzing").
#
# Usage: Scripts/fuzz.sh [--seconds N] [--replay-only] [--ci] [--build-only] [--head] [target...]
#
#   (default)      build each target, replay its corpus, then fuzz it for N seconds (60)
#   --seconds N    fuzzing time per target
#   --replay-only  build and replay Fuzz/corpus/<target> only (no new inputs)
#   --ci           replay every corpus, then fuzz each target for 10 s (or --seconds);
#                  exits non-zero on any crash, oracle failure or build failure
#   --build-only   just build the binaries
#   --merge        fold .build-fuzz/work/<target> into Fuzz/corpus/<target>, minimized
#                  (libFuzzer -merge=1: only inputs that add coverage are kept)
#   --head         build from `git archive HEAD` instead of the working tree
#   --rev REV      build from `git archive REV` (e.g. to confirm a harness finds an old bug);
#                  binaries then go to .build-fuzz/bin-REV/
#   target...      subset of: $TARGETS (default: all)
#
# Each harness is compiled with swiftc straight from the module sources it needs, all as
# one module ("FuzzTarget"), with -sanitize=fuzzer,address. The `import CastorCore` style
# lines in those sources resolve to empty stub modules under .build-fuzz/stubs, so the
# real declarations all come from the one module being compiled.
#
# Outputs: .build-fuzz/bin/<target>, .build-fuzz/work/<target>/ (new corpus entries),
# crash inputs in .build-fuzz/artifacts/<target>/ (copy real ones to Fuzz/crashes/<target>/).
# Runs one fuzzer at a time with -workers=1 (shared machine).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export PATH="/opt/swift/usr/bin:$PATH"
# A Swift runtime trap should reach libFuzzer as a plain signal (its backtracer, run
# under ASan, reports itself instead of the trap).
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

TARGETS="md_v2 exact_decimal order_events rest ws_handshake config wsapi metrics_http"
SECONDS_PER_TARGET=60
MODE=fuzz
REV=
SELECTED=()
SECONDS_SET=0

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_TARGET="$2"; SECONDS_SET=1; shift 2 ;;
    --replay-only) MODE=replay; shift ;;
    --ci) MODE=ci; shift ;;
    --build-only) MODE=build; shift ;;
    --merge) MODE=merge; shift ;;
    --head) REV=HEAD; shift ;;
    --rev) REV="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) SELECTED+=("$1"); shift ;;
  esac
done
[ ${#SELECTED[@]} -eq 0 ] && read -r -a SELECTED <<< "$TARGETS"
if [ "$MODE" = ci ] && [ "$SECONDS_SET" = 0 ]; then SECONDS_PER_TARGET=10; fi

OUT="$ROOT/.build-fuzz"
mkdir -p "$OUT/bin" "$OUT/stubs" "$OUT/work" "$OUT/artifacts" "$OUT/logs"

SRC="$ROOT/Sources"
BIN="$OUT/bin"
if [ -n "$REV" ]; then
  tag="$(git rev-parse --short "$REV")"
  rm -rf "$OUT/src-$tag" && mkdir -p "$OUT/src-$tag"
  git archive "$REV" Sources | tar -x -C "$OUT/src-$tag"
  SRC="$OUT/src-$tag/Sources"
  [ "$REV" = HEAD ] || BIN="$OUT/bin-$tag"
fi
mkdir -p "$BIN"

# Empty modules that satisfy `import X` for modules compiled into the harness itself.
stub() {
  for m in "$@"; do
    if [ ! -f "$OUT/stubs/$m.swiftmodule" ]; then
      : > "$OUT/stubs/$m.swift"
      swiftc -emit-module -parse-as-library -module-name "$m" "$OUT/stubs/$m.swift" \
        -o "$OUT/stubs/$m.swiftmodule" 2>/dev/null
    fi
  done
}

files() { # files <module> [<module>...] : every .swift under Sources/<module>
  for m in "$@"; do find "$SRC/$m" -name '*.swift' | sort; done
}

# TOMLKit (for the configuration parser): built once from the SwiftPM checkout, as a
# separate module with its C++ core (toml++), instrumented for coverage too. NDEBUG as
# in `swift build -c release` (a debug build keeps toml++ asserts, see Fuzz/crashes/config).
build_tomlkit() {
  local tk="$ROOT/.build/checkouts/TOMLKit" d="$OUT/tomlkit"
  [ -f "$d/libTOMLKit.a" ] && [ -f "$d/TOMLKit.swiftmodule" ] && return 0
  if [ ! -d "$tk" ]; then
    echo "TOMLKit checkout missing: run 'swift package resolve' first" >&2; return 1
  fi
  rm -rf "$d" && mkdir -p "$d/obj" "$d/CTOML"
  printf 'module CTOML {\n    umbrella header "%s"\n    export *\n}\n' \
    "$tk/Sources/CTOML/include/CTOML/CTOML.h" > "$d/CTOML/module.modulemap"
  for f in $(find "$tk/Sources/CTOML" -name '*.cpp'); do
    clang++ -std=c++17 -O1 -w -fsanitize=fuzzer-no-link,address -DTOML_EXCEPTIONS=1 -DNDEBUG \
      -I "$tk/Sources/CTOML/include" -c "$f" -o "$d/obj/$(basename "$f").o" || return 1
  done
  # swiftc has no fuzzer-no-link: TOMLKit's Swift layer gets ASan but no coverage.
  local tkfiles=()
  while IFS= read -r -d '' f; do tkfiles+=("$f"); done < <(find "$tk/Sources/TOMLKit" -name '*.swift' -print0)
  (cd "$d" && swiftc -emit-module -emit-object -parse-as-library -wmo -O -suppress-warnings \
      -sanitize=address -module-name TOMLKit -I "$d/CTOML" \
      "${tkfiles[@]}" -o "$d/obj/TOMLKit.o" \
      -emit-module-path "$d/TOMLKit.swiftmodule") || return 1
  ar rcs "$d/libTOMLKit.a" "$d"/obj/*.o
}

# Per target: the module folders compiled in, single extra files, and flags.
target_sources() {
  case "$1" in
    exact_decimal) files CastorCore ;;
    md_v2)         files CastorCore GeminiProtocol CastorSSL MarketData ;;
    order_events)  files CastorCore GeminiProtocol CastorSSL CastorTrading
                   echo "$SRC/CastorFeeds/OrderEventsSequenceTracker.swift"
                   echo "$SRC/CastorFeeds/FeedDisconnectCause.swift"
                   echo "$SRC/CastorFeeds/Reports/GeminiReports.swift" ;;
    rest)          files CastorCore GeminiProtocol CastorSSL CastorTrading
                   echo "$SRC/CastorFeeds/Reports/GeminiReports.swift" ;;
    ws_handshake)  files CastorSSL CastorWebSocket ;;
    wsapi)         files CastorCore GeminiProtocol CastorSSL CastorTrading MarketData
                   echo "$SRC/CastorFeeds/Reports/GeminiWSAPIReports.swift" ;;
    config)        files CastorCore GeminiProtocol CastorSSL CastorConfig ;;
    metrics_http)  echo "$SRC/CastorMetrics/MetricsRequestParser.swift" ;;
  esac
}
target_dir() {
  case "$1" in
    exact_decimal) echo ExactDecimal ;; md_v2) echo MarketDataV2 ;; order_events) echo OrderEvents ;;
    rest) echo REST ;; ws_handshake) echo WebSocketHandshake ;; config) echo Configuration ;; wsapi) echo WSAPI ;;
    metrics_http) echo MetricsHTTP ;;
  esac
}

build() {
  local t="$1" dir flags=()
  dir="$(target_dir "$t")"
  [ -n "$dir" ] || { echo "unknown target $t" >&2; return 2; }
  stub CastorCore GeminiProtocol CastorSSL MarketData CastorTrading CastorWebSocket CastorFeeds
  flags+=(-I "$OUT/stubs" -I "$SRC/COpenSSL" -I "$SRC/CWslay" -lssl -lcrypto)
  case "$t" in
    ws_handshake) flags+=(-lwslay) ;;
    config) build_tomlkit || return 1; flags+=(-I "$OUT/tomlkit" -I "$OUT/tomlkit/CTOML"
                                   -L "$OUT/tomlkit" -lTOMLKit -lstdc++) ;;
  esac
  local bin="$BIN/$t" srcs
  srcs="$(target_sources "$t") $(ls "$ROOT/Fuzz/$dir"/*.swift)"
  # Rebuild only when a source is newer than the binary.
  if [ -x "$bin" ] && [ -z "$(find $srcs "$0" -newer "$bin" 2>/dev/null | head -1)" ]; then return 0; fi
  echo "== build $t"
  # shellcheck disable=SC2086
  swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name FuzzTarget \
    -suppress-warnings "${flags[@]}" $srcs -o "$bin.tmp" > "$OUT/logs/build-$t.log" 2>&1 \
    || { cat "$OUT/logs/build-$t.log" >&2; echo "build of $t failed" >&2; return 1; }
  mv "$bin.tmp" "$bin"
}

# Runs libFuzzer; prints its last status line; returns non-zero on a crash.
run() {
  local t="$1" secs="$2" corpus="$ROOT/Fuzz/corpus/$t" work="$OUT/work/$t" art="$OUT/artifacts/$t"
  mkdir -p "$corpus" "$work" "$art"
  local dict=() log="$OUT/logs/$t.log"
  [ -f "$ROOT/Fuzz/dict/$t.dict" ] && dict=(-dict="$ROOT/Fuzz/dict/$t.dict")
  local extra=()
  # TOMLKit leaks the toml++ table on some inputs (see Fuzz/crashes/config/README.md);
  # leak checking would stop every run there, so it is off for this target only.
  local asan="${ASAN_OPTIONS:-}"
  [ "$t" = config ] && { extra=(-detect_leaks=0); asan="detect_leaks=0${asan:+:$asan}"; }
  local common=("${extra[@]}" -rss_limit_mb=2048 -timeout=10 -max_len=8192 -print_final_stats=1
                -artifact_prefix="$art/" "${dict[@]}")
  local rc=0
  if [ "$secs" = 0 ]; then
    echo "== replay $t ($(ls "$corpus" | wc -l) inputs)"
    ASAN_OPTIONS="$asan" "$BIN/$t" "${common[@]}" -runs=0 "$corpus" > "$log" 2>&1 || rc=$?
  else
    echo "== fuzz $t for ${secs}s"
    ASAN_OPTIONS="$asan" "$BIN/$t" "${common[@]}" -workers=1 -max_total_time="$secs" "$work" "$corpus" > "$log" 2>&1 || rc=$?
  fi
  grep -E '^#[0-9]+.*(DONE|INITED|pulse|NEW|REDUCE)' "$log" | tail -1 || true
  grep -E 'stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" | tr '\n' ' '; echo
  if [ $rc -ne 0 ]; then
    echo "!! $t: crash or oracle failure (exit $rc); see $log and $art/" >&2
    grep -E 'FUZZ ORACLE FAILED|ERROR: AddressSanitizer|Fatal error|SUMMARY|Test unit written' "$log" | head -5 >&2 || true
  fi
  return $rc
}

merge() {
  local t="$1" corpus="$ROOT/Fuzz/corpus/$t" new="$OUT/merge-$t"
  rm -rf "$new" && mkdir -p "$new" "$OUT/work/$t"
  local asan="${ASAN_OPTIONS:-}"
  [ "$t" = config ] && asan="detect_leaks=0${asan:+:$asan}"
  ASAN_OPTIONS="$asan" "$BIN/$t" -merge=1 -max_len=8192 -rss_limit_mb=2048 "$new" "$corpus" "$OUT/work/$t" \
    > "$OUT/logs/merge-$t.log" 2>&1 || { echo "merge of $t failed, see $OUT/logs/merge-$t.log" >&2; return 1; }
  # Keep hand-written seeds and regression inputs by name; the rest by content hash.
  find "$corpus" -type f ! -name 'seed-*' ! -name 'regress-*' -delete
  for f in "$new"/*; do
    [ -e "$f" ] || continue
    local h; h="$(basename "$f")"
    # libFuzzer names inputs by SHA-1, make_seeds.py by its first 16 hex digits.
    [ -e "$corpus/seed-${h:0:16}" ] || cp "$f" "$corpus/$h"
  done
  echo "== merged $t: $(ls "$corpus" | wc -l) inputs, $(du -sh "$corpus" | cut -f1)"
}

failed=()
for t in "${SELECTED[@]}"; do
  if ! build "$t"; then failed+=("$t(build)"); continue; fi
  case "$MODE" in
    build) ;;
    merge) merge "$t" || failed+=("$t(merge)") ;;
    replay) run "$t" 0 || failed+=("$t") ;;
    fuzz|ci) if run "$t" 0; then run "$t" "$SECONDS_PER_TARGET" || failed+=("$t"); else failed+=("$t(replay)"); fi ;;
  esac
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all targets ok: ${SELECTED[*]}"
