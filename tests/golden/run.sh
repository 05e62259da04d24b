#!/usr/bin/env bash
# Golden tests: each folder under cases/ contains input logs, a file `args`
# with the sshtrail command line (without the inputs), and `expected.jsonl`
# with the exact lines the command must print (JSON unless `args` names
# another --output), compared with diff -u.  UPDATE=1 rewrites
# expected.jsonl from the current output, for reviewing new cases by hand
# before committing them.
set -u
cd "$(dirname "$0")"
bin=${SSHTRAIL_BIN:?SSHTRAIL_BIN must name the sshtrail binary}
failed=0

for dir in cases/*; do
    name=$(basename "$dir")
    read -r -a args < "$dir/args"
    inputs=()
    for f in "$dir"/*.log; do
        inputs+=("$f")
    done
    actual=$(mktemp)
    output=(--output json)
    case " ${args[*]} " in
    *" --output "*) output=() ;;
    esac
    "$bin" "${args[@]}" "${output[@]}" --quiet "${inputs[@]}" > "$actual" 2>/dev/null
    rc=$?
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$actual" "$dir/expected.jsonl"
    fi
    if [ $rc -ne 0 ]; then
        echo "FAIL golden/$name: exit status $rc"
        failed=1
    elif diff -u "$dir/expected.jsonl" "$actual" > "$actual.diff"; then
        echo "PASS golden/$name"
    else
        head -40 "$actual.diff"
        echo "FAIL golden/$name: output differs from expected.jsonl"
        failed=1
    fi
    rm -f "$actual" "$actual.diff"
done
# The exit status is 1 when a case failed; tests/run.sh counts FAIL lines, not the status.
exit "$failed"
