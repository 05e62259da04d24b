#!/usr/bin/env bash
# Runs every test suite and prints the closing line "N passed, N failed,
# N skipped" that CI reads.  Each suite prints one line per test case that
# starts with PASS, FAIL or SKIP; this script counts those lines.
#
# Environment:
#   SSHTRAIL_BUILD    build folder holding sshtrail and the test binaries
#   SSHTRAIL_CORPUS   folder of real public logs (corpus tests skip without it)
#   SSHTRAIL_PEERS    folder of other projects' test suites (likewise)
#   SSHTRAIL_LIVE     1 to run the live sshd/auditd/rsyslog test (needs root)
set -u
cd "$(dirname "$0")/.."
build=${SSHTRAIL_BUILD:-build}
export SSHTRAIL_BIN="$PWD/$build/sshtrail"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_suite() {
    local name=$1
    shift
    echo "== $name"
    "$@" 2>&1 | tee -a "$log"
    local rc=${PIPESTATUS[0]}
    if [ "$rc" -gt 1 ]; then
        # A suite that crashed or exited abnormally counts as one failure.
        echo "FAIL $name: exited with status $rc" | tee -a "$log"
    fi
}

for bin in "$build"/tests/test_*; do
    [ -x "$bin" ] || continue
    run_suite "unit $(basename "$bin")" "$bin"
done

for suite in tests/golden/run.sh tests/corpus/*.sh tests/corpus/*.py; do
    [ -f "$suite" ] || continue
    case $suite in
    *.py) run_suite "$suite" python3 "$suite" ;;
    *) run_suite "$suite" bash "$suite" ;;
    esac
done

if [ "${SSHTRAIL_LIVE:-0}" = 1 ]; then
    run_suite "live" bash tests/live/live.sh
else
    echo "SKIP live: set SSHTRAIL_LIVE=1 as root to run it" | tee -a "$log"
fi

passed=$(grep -c '^PASS' "$log")
failed=$(grep -c '^FAIL' "$log")
skipped=$(grep -c '^SKIP' "$log")
echo
grep '^FAIL' "$log" || true
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
