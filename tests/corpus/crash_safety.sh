#!/usr/bin/env bash
# Kills `sshtrail detect --state FILE` with SIGKILL at random points of a
# large run, several times.  Then the state file must pass integrity_check,
# and a full rerun from it must give the findings of a run that was never
# interrupted.
set -u
cd "$(dirname "$0")/../.."
bin=${SSHTRAIL_BIN:?SSHTRAIL_BIN must name the sshtrail binary}
if [ "${SSHTRAIL_SAN:-0}" = 1 ]; then
    echo "SKIP crash_safety: timing-based kills are run on the normal build"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# About 40,000 logins on 50 hosts, each followed by one command.
python3 - "$tmp" <<'PY'
import random, sys
random.seed(7)
d = sys.argv[1]
auth = open(d + "/auth.log", "w")
audit = open(d + "/audit.log", "w")
base = 1767225600
serial = 1
for i in range(40000):
    t = base + i * 2
    host = "h%02d" % (i % 50)
    pid = 10000 + i
    ses = 100 + i
    user = "u%d" % random.randrange(200)
    src = "198.51.100.%d" % random.randrange(1, 250)
    hh, rem = divmod(t % 86400, 3600)
    mm, ss = divmod(rem, 60)
    auth.write("2026-01-%02dT%02d:%02d:%02d.000000+00:00 %s sshd[%d]: "
               "Accepted publickey for %s from %s port %d ssh2: ED25519 "
               "SHA256:k%s\n" % (1 + (t - base) // 86400, hh, mm, ss, host,
                                 pid, user, src, 40000 + i % 20000, user))
    audit.write("node=%s type=LOGIN msg=audit(%d.100:%d): pid=%d uid=0 "
                "old-auid=4294967295 auid=%d tty=(none) old-ses=4294967295 "
                "ses=%d res=1\n" % (host, t, serial, pid, 1000 + i % 200, ses))
    audit.write("node=%s type=EOE msg=audit(%d.100:%d): \n" % (host, t, serial))
    serial += 1
    audit.write("node=%s type=SYSCALL msg=audit(%d.500:%d): arch=c000003e "
                "syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 "
                "ppid=%d pid=%d auid=%d uid=%d gid=0 euid=0 suid=0 fsuid=0 "
                "egid=0 sgid=0 fsgid=0 tty=(none) ses=%d comm=\"id\" "
                "exe=\"/usr/bin/id\" key=(null)\n"
                % (host, t, serial, pid + 1, pid + 2, 1000 + i % 200,
                   1000 + i % 200, ses))
    audit.write("node=%s type=EXECVE msg=audit(%d.500:%d): argc=1 a0=\"id\"\n"
                % (host, t, serial))
    audit.write("node=%s type=EOE msg=audit(%d.500:%d): \n" % (host, t, serial))
    serial += 1
PY

logs=("$tmp/auth.log" "$tmp/audit.log")
start_ns=$(date +%s%N)
"$bin" detect --quiet --state "$tmp/clean.db" "${logs[@]}" > "$tmp/clean.json"
clean_rc=$?
clean_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
if [ $clean_rc -ne 0 ] || [ ! -s "$tmp/clean.json" ]; then
    echo "FAIL crash_safety/uninterrupted_run: exit $clean_rc"
    exit 0
fi

killed=0
for round in 1 2 3 4 5; do
    "$bin" detect --quiet --state "$tmp/killed.db" "${logs[@]}" \
        > /dev/null 2>&1 &
    pid=$!
    # A random point within the first 90 % of the clean run's time (at
    # least 10 ms), so the kill usually lands before the run ends, however
    # fast the build is.
    span=$(( clean_ms * 9 / 10 > 10 ? clean_ms * 9 / 10 : 10 ))
    at=$(( 5 + RANDOM % span ))
    sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
    finished=false
    if kill -KILL "$pid" 2>/dev/null; then
        killed=$((killed + 1))
    else
        finished=true
    fi
    wait "$pid" 2>/dev/null
    if [ -e "$tmp/killed.db" ]; then
        ok=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$tmp/killed.db" 2>&1)
        if [ "$ok" = ok ]; then
            echo "PASS crash_safety/integrity_after_kill_$round"
        else
            echo "FAIL crash_safety/integrity_after_kill_$round: $ok"
        fi
    else
        echo "PASS crash_safety/integrity_after_kill_$round (killed before the file was created)"
    fi
    # A run that saved its state before the kill (it may still have been
    # closing when killed) taught the file every baseline, and the rerun
    # would then differ for that reason alone: start again.
    if ! $finished && [ -e "$tmp/killed.db" ] &&
        python3 - "$tmp/clean.db" "$tmp/killed.db" <<'PY'
import sqlite3, sys
def counts(path):
    db = sqlite3.connect(path)
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {n: db.execute('SELECT count(*) FROM "%s"' % n).fetchone()[0]
            for n in names}
clean = counts(sys.argv[1])
killed = counts(sys.argv[2])
sys.exit(0 if sum(clean.values()) > 0 and clean == killed else 1)
PY
    then
        finished=true
    fi
    if $finished; then
        rm -f "$tmp/killed.db" "$tmp/killed.db-"*
    fi
done
echo "PASS crash_safety/killed_runs ($killed of 5 were still running when killed)"

"$bin" detect --quiet --state "$tmp/killed.db" "${logs[@]}" \
    > "$tmp/rerun.json"
if cmp -s "$tmp/clean.json" "$tmp/rerun.json"; then
    echo "PASS crash_safety/rerun_matches_uninterrupted"
else
    echo "FAIL crash_safety/rerun_matches_uninterrupted: findings differ"
    diff <(head -c 2000 "$tmp/clean.json") <(head -c 2000 "$tmp/rerun.json") | head -5
fi
