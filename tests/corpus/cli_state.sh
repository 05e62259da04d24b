#!/usr/bin/env bash
# The state file from the command line: learning lowers the score of known
# activity, frozen mode learns nothing, reruns from the same starting state
# are identical, damaged files give clear errors, and baseline show/forget.
set -u
cd "$(dirname "$0")/../.."
bin=${SSHTRAIL_BIN:?SSHTRAIL_BIN must name the sshtrail binary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
logs=(examples/auth.log examples/audit.log)

check() {
    local name=$1 expected=$2 actual=$3
    if [ "$actual" = "$expected" ]; then
        echo "PASS cli_state/$name"
    else
        echo "FAIL cli_state/$name: expected $expected, got $actual"
    fi
}

scores() {
    python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["risk_score"]) for l in sys.stdin))'
}

"$bin" detect --quiet "${logs[@]}" | scores > "$tmp/empty.txt"
"$bin" baseline learn --quiet --state "$tmp/s.db" "${logs[@]}" > "$tmp/learn.out"
check learn_writes_no_findings 0 "$(wc -c < "$tmp/learn.out")"
check state_file_mode 600 "$(stat -c %a "$tmp/s.db")"

cp "$tmp/s.db" "$tmp/start.db"
"$bin" detect --quiet --state "$tmp/s.db" "${logs[@]}" > "$tmp/run1.json"
scores < "$tmp/run1.json" > "$tmp/learned.txt"
read -r -a before < "$tmp/empty.txt"
read -r -a after < "$tmp/learned.txt"
lower=1
for i in "${!before[@]}"; do
    [ "${after[$i]}" -lt "${before[$i]}" ] || [ "${before[$i]}" -eq 100 ] ||
        lower=0
done
check learned_activity_scores_lower 1 "$lower"
check alice_lower_after_learning 1 \
    "$([ "${after[1]}" -lt "${before[1]}" ] && echo 1 || echo 0)"

cp "$tmp/start.db" "$tmp/again.db"
"$bin" detect --quiet --state "$tmp/again.db" "${logs[@]}" > "$tmp/run2.json"
check rerun_same_state_identical 0 "$(cmp -s "$tmp/run1.json" \
    "$tmp/run2.json"; echo $?)"

"$bin" baseline show --quiet --state "$tmp/start.db" > "$tmp/show1"
cp "$tmp/start.db" "$tmp/frozen.db"
"$bin" detect --quiet --baseline-mode frozen --state "$tmp/frozen.db" \
    tests/golden/cases/linkage-no-audit-session/*.log > /dev/null
"$bin" baseline show --quiet --state "$tmp/frozen.db" > "$tmp/show2"
check frozen_learns_nothing 0 "$(cmp -s "$tmp/show1" "$tmp/show2"; echo $?)"

rows_all=$(wc -l < "$tmp/show1")
"$bin" baseline show --quiet --state "$tmp/start.db" --user alice \
    > "$tmp/alice"
check show_filters_account 0 "$(grep -vc '"account":"alice"' "$tmp/alice")"
"$bin" baseline forget --quiet --state "$tmp/start.db" --user alice
"$bin" baseline show --quiet --state "$tmp/start.db" > "$tmp/show3"
check forget_removes_account_rows \
    $((rows_all - $(wc -l < "$tmp/alice"))) "$(wc -l < "$tmp/show3")"

head -c 5000 /dev/zero | tr '\0' 'x' > "$tmp/garbage.db"
"$bin" detect --quiet --state "$tmp/garbage.db" "${logs[@]}" \
    > "$tmp/out" 2> "$tmp/err"
check damaged_state_exit 3 $?
check damaged_state_message 1 "$(grep -c 'garbage.db' "$tmp/err")"

cp "$tmp/s.db" "$tmp/newer.db"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA user_version=999"); c.commit()' "$tmp/newer.db"
"$bin" detect --quiet --state "$tmp/newer.db" "${logs[@]}" > /dev/null \
    2> "$tmp/err"
check newer_state_exit 3 $?
check newer_state_message 1 "$(grep -ci 'newer\|version' "$tmp/err" | \
    awk '{print ($1 > 0)}')"

"$bin" baseline learn --quiet "${logs[@]}" > /dev/null 2>&1
check learn_without_state_fails 3 $?

# A state file the user may only read: baseline show and a frozen detect
# read it, learning and forget fail with a clear message, and the file is
# left as it was.  Root may write any file, so as root the runs switch to
# the unprivileged user 65534 (nobody) for the permissions to apply.
as_user=()
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if [ "$(id -u)" = 0 ] && [ ${#as_user[@]} -eq 0 ]; then
    echo "SKIP cli_state/read_only: running as root without setpriv"
else
    ro=$tmp/ro
    mkdir "$ro"
    cp "$tmp/s.db" "$ro/ro.db"
    cp "${logs[@]}" "$ro/"
    chmod 0444 "$ro/ro.db"
    chmod 0644 "$ro"/*.log
    chmod 0755 "$tmp" "$ro"
    cp "$ro/ro.db" "$tmp/ro_before.db"
    "$bin" baseline show --quiet --state "$tmp/s.db" > "$tmp/show_rw"
    cp "$tmp/s.db" "$tmp/frozen_rw.db"
    (cd "$ro" && "$bin" detect --quiet --baseline-mode frozen \
        --state "$tmp/frozen_rw.db" auth.log audit.log > "$tmp/frozen_rw.json")

    (cd "$ro" && "${as_user[@]}" "$bin" baseline show --quiet \
        --state ro.db > "$tmp/show_ro" 2> "$tmp/err")
    check read_only_show_exit 0 $?
    check read_only_show_rows 0 "$(cmp -s "$tmp/show_rw" "$tmp/show_ro";
        echo $?)"

    (cd "$ro" && "${as_user[@]}" "$bin" detect --quiet --baseline-mode \
        frozen --state ro.db auth.log audit.log > "$tmp/frozen_ro.json" \
        2> "$tmp/err")
    check read_only_frozen_exit 0 $?
    check read_only_frozen_findings 0 "$(cmp -s "$tmp/frozen_rw.json" \
        "$tmp/frozen_ro.json"; echo $?)"

    (cd "$ro" && "${as_user[@]}" "$bin" detect --quiet --state ro.db \
        auth.log audit.log > /dev/null 2> "$tmp/err")
    check read_only_learn_exit 3 $?
    check read_only_learn_message 1 "$(grep -c 'cannot be opened for writing' \
        "$tmp/err")"

    (cd "$ro" && "${as_user[@]}" "$bin" baseline forget --quiet \
        --state ro.db > /dev/null 2> "$tmp/err")
    check read_only_forget_exit 3 $?
    check read_only_forget_message 1 "$(grep -c 'cannot be written' \
        "$tmp/err")"
    check read_only_file_unchanged 0 "$(cmp -s "$ro/ro.db" \
        "$tmp/ro_before.db"; echo $?)"
fi
