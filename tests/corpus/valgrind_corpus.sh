#!/usr/bin/env bash
# Runs `sshtrail events` and `sshtrail detect` under valgrind's memcheck on
# every golden case input, on tests/fixtures/bad and, when SSHTRAIL_CORPUS
# names a folder, on every file below it.  One PASS or FAIL line per input:
# an invalid read or write, a use of uninitialised memory or a definitely
# lost block in either command is a FAIL (valgrind exits with 99), and so
# is a crash.  Other exit codes of sshtrail are not judged here.
#
# Skips without valgrind, and in the sanitizer rerun of the suites, since
# valgrind cannot run an ASan binary.  Inputs run in parallel, one per CPU;
# each takes a few seconds.
set -u
# PCRE2's JIT code looks uninitialised to valgrind; the interpreter runs
# the same expressions.
export SSHTRAIL_PCRE2_JIT=0
cd "$(dirname "$0")/../.."
bin=${SSHTRAIL_BIN:-$PWD/build/sshtrail}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "${SSHTRAIL_SAN:-0}" = 1 ]; then
    echo "SKIP valgrind_corpus: valgrind cannot run a sanitizer build"
    exit 0
fi
if ! command -v valgrind >/dev/null 2>&1; then
    echo "SKIP valgrind_corpus: valgrind is missing (install valgrind)"
    exit 0
fi
if [ ! -x "$bin" ]; then
    echo "FAIL valgrind_corpus/setup: $bin is missing; run make first"
    exit 1
fi

vg=(valgrind --tool=memcheck --quiet --error-exitcode=99
    --leak-check=full --show-leak-kinds=definite
    --errors-for-leak-kinds=definite --track-origins=no)

# run_check NAME OPTIONS... FILES...: runs both commands, one result line.
run_check() {
    local name=$1 cmd rc
    shift
    for cmd in events detect; do
        "${vg[@]}" "$bin" "$cmd" --quiet --output json "$@" \
            >/dev/null 2>"$tmp/err.$BASHPID"
        rc=$?
        if [ "$rc" -eq 99 ] || [ "$rc" -ge 128 ]; then
            echo "FAIL valgrind/$name: sshtrail $cmd exited $rc under" \
                "memcheck:"
            head -n 30 "$tmp/err.$BASHPID" | sed 's/^/    /'
            return
        fi
    done
    echo "PASS valgrind/$name"
}

# check NAME ARGS...: starts run_check in the background, at most one job
# per CPU; results are printed in start order by finish.
jobs_max=$(nproc 2>/dev/null || echo 2)
count=0
check() {
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
        wait -n
    done
    count=$((count + 1))
    run_check "$@" >"$tmp/result.$(printf %05d "$count")" &
}

finish() {
    wait
    cat "$tmp"/result.* 2>/dev/null
}

for dir in tests/golden/cases/*/; do
    case=$(basename "$dir")
    read -r -a args <"$dir/args"
    # Keep the case's options (--year, --default-host, --window), not its
    # command: both commands run on every case.
    inputs=()
    for f in "$dir"*; do
        case $(basename "$f") in
        args | expected*) ;;
        *) inputs+=("$f") ;;
        esac
    done
    check "golden/$case" "${args[@]:1}" "${inputs[@]}"
done

for f in tests/fixtures/bad/*; do
    [ -f "$f" ] && check "bad/$(basename "$f")" --year 2024 "$f"
done

if [ -z "${SSHTRAIL_CORPUS:-}" ] || [ ! -d "$SSHTRAIL_CORPUS" ]; then
    finish
    echo "SKIP valgrind_corpus/corpus: set SSHTRAIL_CORPUS to a folder of" \
        "real logs"
    exit 0
fi
while IFS= read -r f; do
    check "corpus/${f#"$SSHTRAIL_CORPUS"/}" --year 2024 "$f"
done < <(find "$SSHTRAIL_CORPUS" -type f ! -name '*.md' | sort)
finish
