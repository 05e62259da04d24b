#!/usr/bin/env bash
# Prints the instructions per input byte that `sshtrail detect` executes on
# FILE, counted by callgrind (exact and independent of machine load, unlike
# wall time).  Use a small file (5 MB): callgrind runs about 50 times slower.
#
#   bench/instr.sh [-b BIN] FILE [sshtrail options...]
set -eu
# A fixed hash seed: table probe lengths, and so the counts, change with it.
export SSHTRAIL_HASH_SEED=${SSHTRAIL_HASH_SEED:-0}
bin=${SSHTRAIL_BIN:-build/sshtrail}
if [ "${1:-}" = "-b" ]; then
    bin=$2
    shift 2
fi
file=$1
shift
bytes=$(stat -c %s "$file")
ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$bin" detect --year 2024 --output json --quiet "$@" "$file" \
    2>&1 >/dev/null | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p')
awk -v ir="$ir" -v b="$bytes" -v f="$file" \
    'BEGIN { printf "%s: %d instructions, %.1f per byte\n", f, ir, ir / b }'
