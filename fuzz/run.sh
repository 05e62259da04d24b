#!/usr/bin/env bash
# Runs every fuzz harness for SECONDS each, one after the other, and prints
# one PASS or FAIL line per job (and per replayed regression folder).
#
#   bash fuzz/run.sh [BUILD [SECONDS]]     (defaults: build-fuzz, 30)
#
# Jobs: format-NAME for every format fuzz_format lists (so a format added
# to the registry is fuzzed without changes here), then pipeline, json,
# config and header.  When SECONDS times the number of jobs would pass 14
# minutes, each job gets 14 minutes divided by the job count instead, so a
# whole run stays under 15 minutes.  FUZZ_JOBS="format-sshd pipeline" runs
# only those jobs.
#
# Before fuzzing, every input saved under tests/fixtures/crashes/JOB/ is run
# once through its harness: those are the reproducers of bugs found so far.
# A crash saves its input as BUILD/crashes/JOB/crash-SHA1 (or leak-,
# timeout-, oom-), and the FAIL line names that file.  BUILD/logs/JOB.log
# contains libFuzzer's report.  Corpora grow in BUILD/corpus/JOB.
set -u
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
seconds=${2:-30}
budget=840
failed=0

if [ ! -x "$build/fuzz_format" ]; then
    echo "FAIL fuzz/setup: $build/fuzz_format is missing; run make fuzz-build"
    exit 1
fi
# Open bugs the harnesses should not stop on; see the file's comments.
export UBSAN_OPTIONS="suppressions=$PWD/fuzz/ubsan.supp${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

jobs=""
for f in $(SSHTRAIL_FUZZ_LIST=1 "$build/fuzz_format"); do
    jobs="$jobs format-$f"
done
for h in pipeline json config header; do
    [ -x "$build/fuzz_$h" ] && jobs="$jobs $h"
done
if [ -n "${FUZZ_JOBS:-}" ]; then
    jobs=$FUZZ_JOBS
fi
njobs=$(echo $jobs | wc -w)
per=$seconds
if [ $((per * njobs)) -gt "$budget" ]; then
    per=$((budget / njobs))
    echo "fuzz: $njobs jobs, $per s each to stay within $budget s"
fi

# job_env JOB: sets harness, dict and the format variable for JOB.
job_env() {
    case $1 in
    format-*)
        harness=$build/fuzz_format
        export SSHTRAIL_FUZZ_FORMAT=${1#format-}
        dict=fuzz/dict/${1#format-}.dict
        ;;
    *)
        harness=$build/fuzz_$1
        unset SSHTRAIL_FUZZ_FORMAT
        dict=fuzz/dict/$1.dict
        ;;
    esac
}

# open_signature JOB FILE: prints the report signature of an open bug
# listed in tests/fixtures/crashes/OPEN for JOB (and FILE when given).
open_signature() {
    awk -v job="$1" -v file="${2:-}" '
        /^#/ || NF < 3 { next }
        $1 == job && (file == "" || $2 == file) {
            sub(/^[^ ]+ [^ ]+ /, ""); print; exit
        }' tests/fixtures/crashes/OPEN 2>/dev/null
}

# matches_open JOB LOG: true when LOG contains the report of an open bug.
matches_open() {
    local sig
    while IFS= read -r sig; do
        [ -n "$sig" ] && grep -Eq "$sig" "$2" && return 0
    done < <(awk -v job="$1" '!/^#/ && NF >= 3 && $1 == job {
                 sub(/^[^ ]+ [^ ]+ /, ""); print }' \
                 tests/fixtures/crashes/OPEN 2>/dev/null)
    return 1
}

mkdir -p "$build/logs" "$build/crashes"
for job in $jobs; do
    job_env "$job"
    cases=tests/fixtures/crashes/$job
    [ -d "$cases" ] || continue
    for file in "$cases"/*; do
        name=$(basename "$file")
        log=$build/logs/replay-$job-$name.out
        sig=$(open_signature "$job" "$name")
        if "$harness" -runs=1 "$file" >"$log" 2>&1; then
            if [ -n "$sig" ]; then
                echo "PASS fuzz/replay/$job/$name: no longer crashes;" \
                    "delete its line from tests/fixtures/crashes/OPEN"
            else
                echo "PASS fuzz/replay/$job/$name"
            fi
        elif [ -n "$sig" ] && grep -Eq "$sig" "$log"; then
            echo "SKIP fuzz/replay/$job/$name: open bug, still crashes" \
                "(listed in tests/fixtures/crashes/OPEN); see $log"
        else
            echo "FAIL fuzz/replay/$job/$name: crashes again; see $log"
            failed=1
        fi
    done
done

for job in $jobs; do
    job_env "$job"
    corpus=$build/corpus/$job
    crashes=$build/crashes/$job
    log=$build/logs/$job.log
    mkdir -p "$corpus" "$crashes"
    args=(-max_total_time="$per" -timeout=20 -rss_limit_mb=2048
          -max_len=65536 -print_final_stats=1
          -artifact_prefix="$crashes/")
    [ -f "$dict" ] && args+=(-dict="$dict")
    "$harness" "${args[@]}" "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    if [ "$rc" -eq 0 ]; then
        echo "PASS fuzz/$job: ${runs:-?} runs in $per s"
    else
        artifact=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$log" |
            tail -n 1)
        if matches_open "$job" "$log"; then
            echo "SKIP fuzz/$job: stopped after ${runs:-?} runs on an open" \
                "bug listed in tests/fixtures/crashes/OPEN ($artifact)"
            continue
        fi
        prefix=""
        [ -n "${SSHTRAIL_FUZZ_FORMAT:-}" ] &&
            prefix="SSHTRAIL_FUZZ_FORMAT=$SSHTRAIL_FUZZ_FORMAT "
        echo "FAIL fuzz/$job: exit $rc, reproducer ${artifact:-none}" \
            "(run again: $prefix$harness ${artifact:-FILE}); report in $log"
        failed=1
    fi
done
exit "$failed"
