#!/usr/bin/env bash
# Resource-exhaustion checks: hostile audit streams generated on the fly and
# piped through `sshtrail detect --format audit -`, with GNU time reporting
# the peak resident set size.  No check depends on run time.
#
#   halfopen  1,000,000 sshd logins (USER_START) on 1,000 hosts, none closed
#   sources   2,000,000 failed logins, each from a new source address
#   bigargv   one execve whose second argument is 10 MiB (hex chunks a1[k])
#   manyargs  one execve with 100,000 arguments
#   deeptree  100,000 execs without an audit session, each the child of the
#             one before, below one sshd login
#
# Each workload must exit 0 and stay under 64 MiB of peak RSS at the
# default limits.  The floods and the deep tree must report in the stderr
# summary that limits were reached (evictions or executions not kept).  In
# the two floods a real login (alice on host victim from 192.0.2.77, then
# `id -a` one second later) sits in the middle of the stream, and its
# finding must still come out.  A full session table finishes its oldest
# open session early and counts it as evicted, so it never drops a new login.
# The two large-argument workloads must still produce the finding of their
# session.
#
# Last, a least-privilege check: when run as root with setpriv available,
# sshtrail runs as uid and gid 65534 (nobody) on a world-readable copy of
# examples/ and must give the same findings as the run as root.
set -u
cd "$(dirname "$0")/../.."
bin=${SSHTRAIL_BIN:-$PWD/build/sshtrail}
time_bin=/usr/bin/time
limit_kib=$((64 * 1024))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$bin" ]; then
    echo "FAIL exhaustion/setup: $bin is missing; run make first"
    exit 1
fi
if [ "${SSHTRAIL_SAN:-0}" = 1 ]; then
    # ASan's shadow memory makes the RSS bound meaningless.
    echo "SKIP exhaustion: RSS bounds do not apply to a sanitizer build"
    exit 0
fi
if ! "$time_bin" -f %M -o "$tmp/probe" true 2>/dev/null; then
    echo "SKIP exhaustion: GNU time is missing at $time_bin" \
        "(install the time package)"
    exit 0
fi

cat >"$tmp/gen.py" <<'PY'
import sys

kind = sys.argv[1]
out = sys.stdout
T0 = 1704067200.0
serial = [1000]
UNSET = 4294967295


def rec(node, typ, t, body):
    serial[0] += 1
    return "node=%s type=%s msg=audit(%.3f:%d): %s\n" % (node, typ, t,
                                                         serial[0], body)


def login(node, t, pid, ses, user, addr):
    return rec(node, "USER_START", t,
               "pid=%d uid=0 auid=1000 ses=%d msg='op=PAM:session_open "
               "grantors=pam_unix acct=\"%s\" exe=\"/usr/sbin/sshd\" "
               "hostname=%s addr=%s terminal=ssh res=success'"
               % (pid, ses, user, addr, addr))


def execve(node, t, pid, ppid, ses, auid, argv_lines, exe="/usr/bin/id"):
    s = serial[0] + 1
    lines = ["node=%s type=SYSCALL msg=audit(%.3f:%d): arch=c000003e "
             "syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 "
             "ppid=%d pid=%d auid=%d uid=1000 gid=1000 euid=1000 suid=1000 "
             "fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=%d "
             "comm=\"id\" exe=\"%s\" key=(null)\n"
             % (node, t, s, ppid, pid, auid, ses, exe)]
    for body in argv_lines:
        lines.append("node=%s type=EXECVE msg=audit(%.3f:%d): %s\n"
                     % (node, t, s, body))
    lines.append("node=%s type=CWD msg=audit(%.3f:%d): cwd=\"/home/u\"\n"
                 % (node, t, s))
    lines.append("node=%s type=EOE msg=audit(%.3f:%d): \n" % (node, t, s))
    serial[0] = s
    return "".join(lines)


def legit(t):
    """A real login on host victim followed one second later by an exec."""
    return (login("victim", t, 777001, 900000001, "alice", "192.0.2.77") +
            execve("victim", t + 1, 777002, 777001, 900000001, 1000,
                   ["argc=2 a0=\"id\" a1=\"-a\""]))


def addr(i):
    return "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)


if kind == "halfopen":
    n = 1000000
    for i in range(n):
        t = T0 + i * 0.01
        out.write(login("h%d" % (i % 1000), t, 100000 + i, 1000 + i,
                        "u%d" % (i % 5000), addr(i)))
        if i == n // 2:
            out.write(legit(t))
elif kind == "sources":
    n = 2000000
    for i in range(n):
        t = T0 + i * 0.005
        a = "%d.%d.%d.%d" % (11 + (i >> 24), (i >> 16) & 255, (i >> 8) & 255,
                             i & 255)
        out.write(rec("web01", "USER_AUTH", t,
                      "pid=%d uid=0 auid=4294967295 ses=4294967295 "
                      "msg='op=PAM:authentication grantors=? acct=\"root\" "
                      "exe=\"/usr/sbin/sshd\" hostname=%s addr=%s "
                      "terminal=ssh res=failed'" % (200000 + i % 30000, a, a)))
        if i == n // 2:
            out.write(legit(t))
elif kind in ("bigargv", "manyargs"):
    t = T0
    out.write(login("victim", t, 777001, 900000001, "alice", "192.0.2.77"))
    bodies = []
    if kind == "bigargv":
        # 10 MiB argument in hex chunks of 7500 bytes, as the kernel writes.
        size = 10 * 1024 * 1024
        chunk = "41" * 3750
        nchunks = size // 3750
        bodies.append("argc=2 a0=\"sh\" a1_len=%d" % size)
        for k in range(nchunks):
            bodies.append("a1[%d]=%s" % (k, chunk))
    else:
        nargs = 100000
        bodies.append("argc=%d" % nargs)
        per = 500
        for start in range(0, nargs, per):
            bodies.append(" ".join("a%d=\"x%d\"" % (k, k)
                                   for k in range(start, start + per)))
    out.write(execve("victim", t + 1, 777002, 777001, 900000001, 1000, bodies,
                     exe="/usr/bin/sh"))
elif kind == "deeptree":
    t = T0
    out.write(login("victim", t, 777001, 900000001, "alice", "192.0.2.77"))
    ppid = 777001
    depth = 100000
    for k in range(depth):
        pid = 800000 + k
        out.write(execve("victim", t + 1 + k * 0.0001, pid, ppid, UNSET, UNSET,
                         ["argc=1 a0=\"sh\""], exe="/usr/bin/sh"))
        ppid = pid
else:
    sys.exit("unknown workload " + kind)
PY

# has_victim_finding FILE: true when FILE contains a finding for alice on host
# victim.
has_victim_finding() {
    python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    f = json.loads(line)
    if (f.get("device", {}).get("hostname") == "victim" and
            f.get("actor", {}).get("user", {}).get("name") == "alice"):
        sys.exit(0)
sys.exit(1)
PY
}

# run_workload NAME EXPECT_LIMITS: one FAIL line per broken check, else one
# PASS line.
run_workload() {
    local name=$1 expect_limits=$2 rc rss problems=""
    python3 "$tmp/gen.py" "$name" |
        "$time_bin" -f %M -o "$tmp/$name.rss" \
            "$bin" detect --format audit --output json - \
            >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=${PIPESTATUS[1]}
    rss=$(tail -n 1 "$tmp/$name.rss")
    if [ "$rc" -ne 0 ]; then
        problems="$problems; exit code $rc, expected 0"
    fi
    if ! [ "$rss" -lt "$limit_kib" ] 2>/dev/null; then
        problems="$problems; peak RSS ${rss} KiB, bound $limit_kib KiB"
    fi
    if [ "$expect_limits" = yes ] &&
        ! grep -Eq 'limits reached|[1-9][0-9]* evicted' "$tmp/$name.err"; then
        problems="$problems; the summary reports no limit reached"
    fi
    if ! has_victim_finding "$tmp/$name.out"; then
        problems="$problems; no finding for the login of alice on victim"
    fi
    if [ -n "$problems" ]; then
        echo "FAIL exhaustion/$name: ${problems#; }"
        sed 's/^/    /' "$tmp/$name.err" | tail -n 12
    else
        local limits
        limits=$(sed -n 's/^ *limits reached: //p' "$tmp/$name.err")
        echo "PASS exhaustion/$name: peak RSS $rss KiB${limits:+, $limits}"
    fi
}

run_workload halfopen yes
run_workload sources yes
run_workload bigargv no
run_workload manyargs no
run_workload deeptree yes

# Least privilege: the same findings as uid 65534 on a world-readable copy.
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP exhaustion/unprivileged: needs root to switch to uid 65534" \
        "(this run is unprivileged already)"
elif ! command -v setpriv >/dev/null 2>&1; then
    echo "SKIP exhaustion/unprivileged: setpriv is missing (util-linux)"
else
    mkdir "$tmp/nobody"
    cp "$bin" examples/audit.log examples/auth.log "$tmp/nobody/"
    chmod 0755 "$tmp" "$tmp/nobody" "$tmp/nobody/sshtrail"
    chmod 0644 "$tmp/nobody/audit.log" "$tmp/nobody/auth.log"
    (cd "$tmp/nobody" && ./sshtrail detect --quiet --output json \
        audit.log auth.log) >"$tmp/root.out" 2>&1
    (cd "$tmp/nobody" && setpriv --reuid=65534 --regid=65534 \
        --clear-groups --no-new-privs ./sshtrail detect --quiet \
        --output json audit.log auth.log) >"$tmp/nobody.out" 2>&1
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL exhaustion/unprivileged: exit code $rc as uid 65534:" \
            "$(head -n 3 "$tmp/nobody.out")"
    elif ! cmp -s "$tmp/root.out" "$tmp/nobody.out"; then
        echo "FAIL exhaustion/unprivileged: findings as uid 65534 differ" \
            "from those as root"
    elif [ ! -s "$tmp/nobody.out" ]; then
        echo "FAIL exhaustion/unprivileged: no findings on examples/"
    else
        echo "PASS exhaustion/unprivileged: same $(wc -l <"$tmp/nobody.out")" \
            "findings as uid 65534"
    fi
fi
