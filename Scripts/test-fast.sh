#!/usr/bin/env bash
# The fast test set: every test except the suites tagged `.slow` (Tag.slow, see
# Tests/CastorTestSupport/Tags.swift). Plain `swift test` (what CI runs) still runs all.
#
#   Scripts/test-fast.sh                 # build, then run the fast set
#   Scripts/test-fast.sh --skip-build    # extra arguments go to `swift test`
#   Scripts/test-fast.sh --list-slow     # print the skipped suites and exit
#
# Swift 6.3's `swift test` cannot skip by tag (`--skip tag:slow` came later), so the skip
# pattern is built from the sources: each `@Suite(... .tags(.slow) ...)` and the type it
# is attached to, as `<TestTarget>.<Type>`, which is how Swift Testing names the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

slow_suites() {
    local file target
    while IFS= read -r file; do
        target=${file#Tests/}
        target=${target%%/*}
        # An @Suite attribute carrying .slow, then the first type declaration at or after it.
        awk -v target="$target" '
            /@Suite/ && /\.slow/ { pending = 1 }
            pending {
                line = $0
                sub(/.*@Suite\(.*\)[ \t]*/, "", line)   # same-line form: @Suite(...) struct X
                if (match(line, /(struct|class|enum|actor)[ \t]+[A-Za-z_][A-Za-z0-9_]*/)) {
                    decl = substr(line, RSTART, RLENGTH)
                    sub(/^(struct|class|enum|actor)[ \t]+/, "", decl)
                    print target "." decl
                    pending = 0
                }
            }
        ' "$file"
    done < <(grep -rlE --include='*.swift' '@Suite.*\.slow' Tests | sort)
}

suites=$(slow_suites)
if [[ -z "$suites" ]]; then
    echo "test-fast.sh: found no suite tagged .slow under Tests/; refusing to run everything as 'fast'" >&2
    exit 1
fi
if [[ "${1:-}" == "--list-slow" ]]; then
    echo "$suites"
    exit 0
fi
# Test IDs look like `CastorEngineTests.ChaosTests/aTestName()`; the trailing `/` keeps
# `FooTests` from also matching `FooTestsMore`.
pattern="($(echo "$suites" | sed 's/\./\\./g' | paste -sd '|' -))/"
echo "test-fast.sh: skipping $(echo "$suites" | wc -l) slow suites: $(echo "$suites" | paste -sd ' ' -)" >&2
exec swift test --skip "$pattern" "$@"
