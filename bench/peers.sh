#!/usr/bin/env bash
# Times sshtrail and the tools a user would otherwise run on the same
# files, each doing its nearest equivalent job, in one run on the same
# generated 100 MB inputs (bench/gen.py, seed 1):
#
#   sshd syslog   sshtrail detect; sshguard's sshg-parser (the attack
#                 parser sshguard feeds its log lines through); fail2ban's
#                 sshd filter through fail2ban-regex, on a 10 MB slice
#                 because it is slow; lnav counting the syslog_log table
#   audit.log     sshtrail detect; ausearch for EXECVE records; aureport's
#                 login report
#   journald      sshtrail detect; jq selecting sshd's entries
#   floors        cat to /dev/null and grep -c Accepted on each file
#
# Each command runs RUNS times (default 3; SLOW_RUNS, default 1, for
# fail2ban-regex and lnav) after one untimed read that warms the page
# cache.  Prints a markdown table: median seconds, MB/s, lines/s and peak
# RSS (GNU time %M), and each tool's throughput relative to sshtrail on the
# same file.  Install the tools first with bench/install.sh.
#
# Environment: SSHTRAIL_BIN, RUNS, SLOW_RUNS, BENCH_DIR (scratch folder),
# BENCH_SIZE (default 100M).
set -u
cd "$(dirname "$0")/.."
bin=${SSHTRAIL_BIN:-$PWD/build/sshtrail}
runs=${RUNS:-3}
slow_runs=${SLOW_RUNS:-1}
size=${BENCH_SIZE:-100M}
dir=${BENCH_DIR:-$(mktemp -d /tmp/sshtrail-peers.XXXXXX)}
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT

if [ ! -x "$bin" ] || [ ! -x /usr/bin/time ]; then
    echo "bench/peers.sh: needs $bin (make) and GNU time" \
        "(bench/install.sh)" >&2
    exit 1
fi

for kind in sshd audit journald; do
    python3 bench/gen.py "$kind" --size "$size" --seed 1 \
        --out "$dir/$kind.log"
done
# fail2ban-regex reads about 10 MB in reasonable time; cut at a line end.
head -c 10000000 "$dir/sshd.log" | sed '$d' >"$dir/sshd-10M.log"

median() {
    sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

declare -A base_mbs

# tool LABEL FILE NRUNS COMMAND: runs COMMAND (bash, with $f set to FILE)
# NRUNS times and prints a table row.
tool() {
    local label=$1 file=$2 n=$3 cmd=$4
    local name=${cmd%% *}
    if ! command -v "$name" >/dev/null && [ ! -x "$name" ] &&
        [ "$name" != '"$bin"' ]; then
        echo "| $label | $(basename "$file") | not installed | | | | |"
        return
    fi
    local bytes lines
    # GNU time reports hundredths of a second, too coarse for the floors
    # on small files; their MB/s is then a lower bound.
    bytes=$(stat -c %s "$file")
    lines=$(wc -l <"$file")
    cat "$file" >/dev/null
    : >"$dir/times"
    for _ in $(seq "$n"); do
        f=$file bin=$bin /usr/bin/time -f "%e %M" -o "$dir/one" \
            bash -c "exec $cmd" >/dev/null 2>"$dir/err"
        cat "$dir/one" >>"$dir/times"
    done
    local secs rss
    secs=$(awk 'NF == 2 { print $1 }' "$dir/times" | median)
    rss=$(awk 'NF == 2 { print $2 }' "$dir/times" | median)
    local mbs
    mbs=$(awk -v b="$bytes" -v s="$secs" \
        'BEGIN { if (s <= 0) s = 0.005; printf "%.1f", b / 1e6 / s }')
    local key
    key=$(basename "$file" .log)
    if [ -z "${base_mbs[$key]:-}" ]; then
        base_mbs[$key]=$mbs
    fi
    awk -v l="$label" -v f="$(basename "$file")" -v b="$bytes" \
        -v n="$lines" -v s="$secs" -v r="$rss" -v m="$mbs" \
        -v base="${base_mbs[$key]}" -v k="$n" \
        'BEGIN { if (s <= 0) s = 0.005;
                 printf "| %s | %s (%.0f MB) | %.2f (%d) | %s | %.2f | " \
                        "%.1f | %.2f |\n", l, f, b / 1e6, s, k, m,
                        n / s / 1e6, r / 1024, m / base }'
}

echo "| tool and job | file | seconds (runs) | MB/s | M lines/s |" \
    "peak RSS MiB | MB/s vs sshtrail |"
echo "|---|---|---|---|---|---|---|"
q='--year 2024 --output json --quiet'
tool "sshtrail detect" "$dir/sshd.log" "$runs" "\"\$bin\" detect $q \"\$f\""
tool "sshg-parser (sshguard)" "$dir/sshd.log" "$runs" \
    "/usr/libexec/sshguard/sshg-parser < \"\$f\""
tool "lnav count(*) syslog_log" "$dir/sshd.log" "$slow_runs" \
    "lnav -n -c ';SELECT count(*) FROM syslog_log' \"\$f\""
tool "grep -c Accepted" "$dir/sshd.log" "$runs" "grep -c Accepted \"\$f\""
tool "cat" "$dir/sshd.log" "$runs" "cat \"\$f\""
tool "sshtrail detect" "$dir/sshd-10M.log" "$runs" \
    "\"\$bin\" detect $q \"\$f\""
tool "fail2ban-regex sshd" "$dir/sshd-10M.log" "$slow_runs" \
    "fail2ban-regex \"\$f\" sshd"
tool "sshtrail detect" "$dir/audit.log" "$runs" "\"\$bin\" detect $q \"\$f\""
tool "ausearch -m EXECVE --format raw" "$dir/audit.log" "$runs" \
    "ausearch -if \"\$f\" -m EXECVE --format raw"
tool "aureport -l" "$dir/audit.log" "$runs" "aureport -if \"\$f\" -l"
tool "grep -c Accepted" "$dir/audit.log" "$runs" "grep -c Accepted \"\$f\""
tool "cat" "$dir/audit.log" "$runs" "cat \"\$f\""
tool "sshtrail detect" "$dir/journald.log" "$runs" \
    "\"\$bin\" detect $q \"\$f\""
tool "jq select sshd" "$dir/journald.log" "$runs" \
    "jq -c 'select(.SYSLOG_IDENTIFIER==\"sshd\")' \"\$f\""
tool "grep -c Accepted" "$dir/journald.log" "$runs" \
    "grep -c Accepted \"\$f\""
tool "cat" "$dir/journald.log" "$runs" "cat \"\$f\""
