#!/usr/bin/env bash
# Checks that threaded reading (--jobs N: N - 1 worker threads that share
# the inputs) writes exactly what the serial run writes.
#
# Inputs: the golden example logs, small generated sshd, audit and journald
# logs (bench/gen.py, seeded), and the real logs under SSHTRAIL_CORPUS when
# it is set.  Each command (events, sessions, detect) runs serially and
# threaded on several inputs at once; stdout and the summary on stderr
# must match byte for byte.
# Prints one PASS, FAIL or SKIP line per comparison.
set -u
cd "$(dirname "$0")/../.."
bin=${SSHTRAIL_BIN:-$PWD/build/sshtrail}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$bin" ]; then
    echo "FAIL parallel_identical/setup: $bin is missing; run make first"
    exit 1
fi
if ! command -v python3 >/dev/null; then
    echo "SKIP parallel_identical: python3 is missing"
    exit 0
fi

for kind in sshd audit journald; do
    python3 bench/gen.py "$kind" --size 1M --seed 7 --out "$tmp/$kind.log"
done
ex=tests/golden/cases/example-detect

# compare NAME ARGS...: runs sshtrail ARGS serially and threaded, with
# standard input from the file $stdin_file (empty by default).  Output must
# not be empty unless $allow_empty is 1.
stdin_file=/dev/null
allow_empty=0
jobs=2
compare() {
    local name=$1
    shift
    "$bin" "$@" <"$stdin_file" >"$tmp/serial.out" 2>"$tmp/serial.err"
    local rc_serial=$?
    "$bin" "$@" --jobs "$jobs" <"$stdin_file" >"$tmp/threaded.out" \
        2>"$tmp/threaded.err"
    local rc_threaded=$?
    if [ "$rc_serial" != "$rc_threaded" ]; then
        echo "FAIL parallel_identical/$name: exit $rc_serial serial," \
            "$rc_threaded threaded"
    elif ! cmp -s "$tmp/serial.out" "$tmp/threaded.out"; then
        echo "FAIL parallel_identical/$name: output differs" \
            "($(wc -l <"$tmp/serial.out") lines serial," \
            "$(wc -l <"$tmp/threaded.out") threaded)"
    elif ! cmp -s "$tmp/serial.err" "$tmp/threaded.err"; then
        echo "FAIL parallel_identical/$name: summary on stderr differs"
        diff "$tmp/serial.err" "$tmp/threaded.err" | head -5 | sed 's/^/  /'
    elif [ ! -s "$tmp/serial.out" ] && [ "$allow_empty" != 1 ]; then
        echo "FAIL parallel_identical/$name: no output to compare"
    else
        echo "PASS parallel_identical/$name"
    fi
}

for cmd in events sessions detect; do
    compare "$cmd-example" "$cmd" --year 2024 --output json \
        "$ex/auth.log" "$ex/audit.log"
    compare "$cmd-generated" "$cmd" --year 2024 --output json \
        "$tmp/audit.log" "$tmp/sshd.log" "$tmp/journald.log"
done
compare "detect-text" detect --year 2024 --output text \
    "$tmp/sshd.log" "$tmp/audit.log"
compare "detect-html" detect --year 2024 --output html \
    "$tmp/sshd.log" "$tmp/audit.log"
compare "sessions-html" sessions --year 2024 --output html \
    "$tmp/sshd.log" "$tmp/audit.log"
compare "sessions-one-input" sessions --year 2024 --output json \
    "$tmp/sshd.log"
# Two workers for four inputs, and more workers than inputs.
jobs=3
compare "detect-jobs-3" detect --year 2024 --output json \
    "$tmp/audit.log" "$tmp/sshd.log" "$tmp/journald.log" "$ex/auth.log"
jobs=8
compare "sessions-jobs-8" sessions --year 2024 --output json \
    "$tmp/audit.log" "$tmp/sshd.log"
jobs=2
stdin_file=$tmp/sshd.log
compare "events-stdin" events --year 2024 --output json - "$tmp/audit.log"
stdin_file=/dev/null

if [ -n "${SSHTRAIL_CORPUS:-}" ] && [ -d "$SSHTRAIL_CORPUS/auditd" ]; then
    # Some real files hold no event sshtrail uses: empty output is fine.
    allow_empty=1
    for f in "$SSHTRAIL_CORPUS"/auditd/*.log; do
        compare "events-corpus-$(basename "$f" .log)" events --year 2024 \
            --output json "$f" "$ex/auth.log"
    done
    compare "sessions-corpus-ssh-syslog" sessions --year 2024 --output json \
        "$SSHTRAIL_CORPUS"/ssh-syslog/loghub-openssh-2k.log "$ex/audit.log"
else
    echo "SKIP parallel_identical/corpus: set SSHTRAIL_CORPUS to the" \
        "corpus folder"
fi
