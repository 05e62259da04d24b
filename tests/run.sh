#!/usr/bin/env bash
# Runs every test suite and prints the closing line "N passed, N failed,
# N skipped" that CI reads.  Each suite prints one line per test case that
# starts with PASS, FAIL or SKIP; this script counts those lines.
#
# Environment:
#   SSHTRAIL_BUILD      build folder holding sshtrail and the test binaries
#   SSHTRAIL_SAN_BUILD  a second build made with SAN=1: its unit tests and
#                       the golden and corpus suites run again, named san/
#   SSHTRAIL_TSAN_BUILD a build made with TSAN=1: the threaded-reading
#                       comparison runs again under ThreadSanitizer, named
#                       tsan/
#   SSHTRAIL_CORPUS     folder of real public logs (corpus tests skip
#                       without it)
#   SSHTRAIL_PEERS      folder of other projects' test suites (likewise)
#   SSHTRAIL_LIVE       1 to run the live sshd/auditd/rsyslog test (root)
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_suite() {
    local prefix=$1 name=$2
    shift 2
    echo "== $prefix$name"
    "$@" 2>&1 | sed -E "s#^(PASS|FAIL|SKIP) #\\1 $prefix#" | tee -a "$log"
    local rc=${PIPESTATUS[0]}
    if [ "$rc" -gt 1 ]; then
        # A suite that crashed or exited abnormally counts as a failure.
        echo "FAIL $prefix$name: exited with status $rc" | tee -a "$log"
    fi
}

run_all() {
    local build=$1 prefix=$2
    export SSHTRAIL_BIN="$PWD/$build/sshtrail"
    export SSHTRAIL_TOOLS="$PWD/$build/tools"

    for bin in "$build"/tests/test_*; do
        [ -x "$bin" ] || continue
        run_suite "$prefix" "unit/$(basename "$bin")" "$bin"
    done
    for suite in tests/golden/run.sh tests/corpus/*.sh tests/corpus/*.py; do
        [ -f "$suite" ] || continue
        case $suite in
        *.py) run_suite "$prefix" "$suite" python3 "$suite" ;;
        *) run_suite "$prefix" "$suite" bash "$suite" ;;
        esac
    done
}

run_all "${SSHTRAIL_BUILD:-build}" ""

if [ "${SSHTRAIL_LIVE:-0}" = 1 ]; then
    run_suite "" "live" bash tests/live/live.sh
else
    echo "SKIP live: set SSHTRAIL_LIVE=1 as root to run it" | tee -a "$log"
fi

if [ -n "${SSHTRAIL_SAN_BUILD:-}" ]; then
    # Sanitizer reports end the process with an error status.
    export ASAN_OPTIONS=abort_on_error=0:exitcode=97:detect_leaks=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=97
    export SSHTRAIL_SAN=1
    run_all "$SSHTRAIL_SAN_BUILD" "san/"
fi

if [ -n "${SSHTRAIL_TSAN_BUILD:-}" ]; then
    # A data race ends the process with status 98, which the comparison
    # reports as a failed case.
    export TSAN_OPTIONS=halt_on_error=1:exitcode=98
    export SSHTRAIL_BIN="$PWD/$SSHTRAIL_TSAN_BUILD/sshtrail"
    run_suite "tsan/" "tests/corpus/parallel_identical.sh" \
        bash tests/corpus/parallel_identical.sh
fi

passed=$(grep -c '^PASS' "$log")
failed=$(grep -c '^FAIL' "$log")
skipped=$(grep -c '^SKIP' "$log")
echo
grep '^FAIL' "$log" || true
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
