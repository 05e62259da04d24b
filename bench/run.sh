#!/usr/bin/env bash
# Times the full pipeline (`sshtrail detect`) on generated inputs and checks
# its result: bench/gen.py writes the known number of SSH sessions followed
# by execution, and the run fails when the count of findings differs.
#
# For each kind (sshd, audit, journald) and size, the input is generated
# into a scratch folder, read once to warm the page cache, timed RUNS times
# (wall time and peak RSS from GNU time; the median is reported), and
# deleted.  Then two inputs are read serially and with threaded reading,
# and the outputs must be identical.
#
# Environment:
#   SSHTRAIL_BIN   the binary (default build/sshtrail)
#   BENCH_SIZES    sizes to generate (default "100M"; "100M 2G" checks
#                  that peak RSS stays flat)
#   BENCH_KINDS    default "sshd audit journald"
#   BENCH_RUNS     timed runs per input (default 3)
#   BENCH_DIR      scratch folder (default a new folder under /tmp)
#   BENCH_PARALLEL 0 skips the serial-versus-threaded comparison
#   SSHTRAIL_CORPUS  when set, the real logs repeated to 100 MB are timed
#                  too (no known answer for them)
# Prints one markdown table row per measurement; exits 1 on a wrong count.
set -u
cd "$(dirname "$0")/.."
bin=${SSHTRAIL_BIN:-$PWD/build/sshtrail}
sizes=${BENCH_SIZES:-100M}
kinds=${BENCH_KINDS:-sshd audit journald}
runs=${BENCH_RUNS:-3}
dir=${BENCH_DIR:-$(mktemp -d /tmp/sshtrail-bench.XXXXXX)}
status=0
mkdir -p "$dir"
trap 'rm -f "$dir"/*.log "$dir"/*.json "$dir"/*.out' EXIT

if [ ! -x "$bin" ]; then
    echo "bench/run.sh: $bin is missing; run make first" >&2
    exit 1
fi
if [ ! -x /usr/bin/time ]; then
    echo "bench/run.sh: GNU time is missing; run bench/install.sh" >&2
    exit 1
fi

# median: prints the middle of the numbers on standard input.
median() {
    sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# measure LABEL BYTES LINES ARGS...: times `sshtrail ARGS` RUNS times and
# prints a table row.  Leaves the last output in $dir/last.out.
measure() {
    local label=$1 bytes=$2 lines=$3
    shift 3
    : >"$dir/times"
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o "$dir/one" "$bin" "$@" \
            >"$dir/last.out" 2>/dev/null
        cat "$dir/one" >>"$dir/times"
    done
    local secs rss
    secs=$(awk '{ print $1 }' "$dir/times" | median)
    rss=$(awk '{ print $2 }' "$dir/times" | median)
    awk -v l="$label" -v b="$bytes" -v n="$lines" -v s="$secs" -v r="$rss" \
        'BEGIN { if (s <= 0) s = 0.01;
                 printf "| %s | %.0f | %.2f | %.1f | %.2f | %.1f |\n",
                        l, b / 1e6, s, b / 1e6 / s, n / s / 1e6, r / 1024 }'
}

echo "| input | MB | seconds (median of $runs) | MB/s | M lines/s |" \
    "peak RSS MiB |"
echo "|---|---|---|---|---|---|"
for kind in $kinds; do
    for size in $sizes; do
        f=$dir/$kind-$size.log
        python3 bench/gen.py "$kind" --size "$size" --seed 1 --out "$f" \
            --counts "$dir/$kind-$size.json"
        want=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["findings"])' "$dir/$kind-$size.json")
        lines=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["lines"])' "$dir/$kind-$size.json")
        cat "$f" >/dev/null
        measure "$kind $size" "$(stat -c %s "$f")" "$lines" detect --year 2024 \
            --output json --quiet "$f"
        got=$(wc -l <"$dir/last.out")
        if [ "$got" != "$want" ]; then
            echo "bench/run.sh: $kind $size: $got findings, expected" \
                "$want" >&2
            status=1
        fi
        rm -f "$f"
    done
done

# Two inputs at once, serially and threaded (--jobs 2).
if [ "${BENCH_PARALLEL:-1}" = 0 ]; then
    exit $status
fi
python3 bench/gen.py sshd --size 100M --seed 2 --out "$dir/p-sshd.log"
python3 bench/gen.py audit --size 100M --seed 3 --out "$dir/p-audit.log"
plines=$(cat "$dir/p-sshd.log" "$dir/p-audit.log" | wc -l)
pbytes=$(cat "$dir/p-sshd.log" "$dir/p-audit.log" | wc -c)
measure "sshd+audit, 2 inputs, serial" "$pbytes" "$plines" \
    detect --year 2024 --output json --quiet "$dir/p-sshd.log" \
    "$dir/p-audit.log"
mv "$dir/last.out" "$dir/serial.out"
measure "sshd+audit, 2 inputs, threaded" \
    "$pbytes" "$plines" detect --year 2024 --output json --quiet --jobs 2 \
    "$dir/p-sshd.log" "$dir/p-audit.log"
if ! cmp -s "$dir/serial.out" "$dir/last.out"; then
    echo "bench/run.sh: threaded output differs from serial" >&2
    status=1
fi
rm -f "$dir"/p-*.log

if [ -n "${SSHTRAIL_CORPUS:-}" ] && [ -d "$SSHTRAIL_CORPUS" ]; then
    for kind in corpus-sshd corpus-audit; do
        f=$dir/$kind.log
        python3 bench/gen.py "$kind" --size 100M --out "$f" \
            --counts "$dir/$kind.json"
        lines=$(wc -l <"$f")
        cat "$f" >/dev/null
        measure "$kind 100M" "$(stat -c %s "$f")" "$lines" detect --year 2024 \
            --output json --quiet "$f"
        rm -f "$f"
    done
fi
exit $status
