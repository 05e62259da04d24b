#!/usr/bin/env bash
# Checks input edge cases that once lost or garbled events: long lines
# among the first lines read for format detection, standard input named
# twice, and stamps beyond the year 9999.  Prints one PASS or FAIL line
# each.
set -u
cd "$(dirname "$0")/../.."
bin=${SSHTRAIL_BIN:-$PWD/build/sshtrail}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Four audit executions whose EXECVE records are 115 KB each: together
# they pass the 256 KiB after which format detection reads no more lines.
python3 - "$tmp/execve.log" <<'PY'
import sys
lines = []
for k in range(4):
    stamp = "%d.100:%d" % (1795166067 + k, 60000 + k)
    args = " ".join('a%d="%s"' % (i, "x" * 20) for i in range(4000))
    lines.append(
        "node=web01 type=SYSCALL msg=audit(%s): arch=c000003e syscall=59 "
        "success=yes exit=0 a0=1 a1=2 a2=3 a3=8 items=2 ppid=30137 pid=%d "
        "auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
        'tty=(none) ses=412 comm="bash" exe="/usr/bin/bash" key="exec"'
        % (stamp, 31000 + k))
    lines.append("node=web01 type=EXECVE msg=audit(%s): argc=4000 %s"
                 % (stamp, args))
    lines.append("node=web01 type=EOE msg=audit(%s): " % stamp)
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
"$bin" events --output json "$tmp/execve.log" >"$tmp/execve.out" \
    2>"$tmp/execve.err"
full=$(python3 -c '
import json, sys
print(sum(len(json.loads(l).get("argv", [])) == 4000
          for l in open(sys.argv[1])))
' "$tmp/execve.out")
if [ "$full" = 4 ] && ! grep -q "not understood:" "$tmp/execve.err"; then
    echo "PASS source_edges/long-lines-in-detection"
else
    echo "FAIL source_edges/long-lines-in-detection: $full of 4 executions" \
        "kept 4000 arguments; $(grep 'not understood:' "$tmp/execve.err")"
fi

# Standard input can be read once: naming it twice is a usage error.
"$bin" events --output json - - </dev/null >/dev/null 2>"$tmp/twice.err"
rc=$?
if [ "$rc" = 2 ] && grep -q "standard input (-) is named 2 times" \
    "$tmp/twice.err"; then
    echo "PASS source_edges/stdin-named-twice"
else
    echo "FAIL source_edges/stdin-named-twice: exit $rc," \
        "$(head -1 "$tmp/twice.err")"
fi

# An audit stamp of INT64_MAX seconds among 2024 stamps is not understood,
# and the other records still count.  No time arithmetic may overflow,
# because the sanitizer build stops on a signed overflow.
login='node=web01 type=USER_LOGIN msg=audit(%s:%d): pid=%d uid=0 '
login+='auid=1000 ses=5 msg='"'"'op=login id=1000 exe="/usr/sbin/sshd" '
login+='hostname=192.0.2.1 addr=192.0.2.1 terminal=/dev/pts/0 '
login+='res=success'"'"'\n'
{
    printf "$login" 1704067200.100 1 10
    printf "$login" 9223372036854775807.999 2 11
    printf "$login" 1704067201.100 3 12
    printf "$login" 1704067202.100 4 13
} >"$tmp/far.log"
"$bin" events --output json "$tmp/far.log" >"$tmp/far.out" \
    2>"$tmp/far.err"
rc=$?
events=$(wc -l <"$tmp/far.out")
if [ "$rc" = 0 ] && [ "$events" = 3 ] &&
    grep -q "not understood: 1 invalid msg=audit() stamp" "$tmp/far.err" &&
    ! grep -q "runtime error" "$tmp/far.err"; then
    echo "PASS source_edges/audit-stamp-past-9999"
else
    echo "FAIL source_edges/audit-stamp-past-9999: exit $rc, $events events"
fi

# A Zeek record from the year 318857 and one from 2024: the first is not
# understood, the second is read.
printf '%s\n' '{"ts":10000000000000.0,"uid":"C1","id.orig_h":"192.0.2.1","id.orig_p":50000,"id.resp_h":"192.0.2.2","id.resp_p":22,"auth_success":true}' \
    '{"ts":1704067200.5,"uid":"C2","id.orig_h":"192.0.2.1","id.orig_p":50001,"id.resp_h":"192.0.2.2","id.resp_p":22,"auth_success":true}' \
    >"$tmp/zeek.log"
"$bin" events --format zeek --output json "$tmp/zeek.log" >"$tmp/zeek.out" \
    2>"$tmp/zeek.err"
rc=$?
events=$(wc -l <"$tmp/zeek.out")
if [ "$rc" = 0 ] && [ "$events" = 1 ] &&
    grep -q "time outside the years 1 to 9999" "$tmp/zeek.err"; then
    echo "PASS source_edges/epoch-past-9999"
else
    echo "FAIL source_edges/epoch-past-9999: exit $rc, $events events;" \
        "$(grep -m1 'not understood' "$tmp/zeek.err")"
fi

# One input is merged without comparing heads, but beside an empty second
# input it takes the general merge.  Both must write the same sessions and
# count the same late events (the generated log has events out of order
# by seconds, late with no reorder tolerance).
if python3 bench/gen.py sshd --size 1M --seed 7 --out "$tmp/one.log" &&
    : >"$tmp/empty.log"; then
    "$bin" sessions --output json --reorder-tolerance 0 "$tmp/one.log" \
        >"$tmp/one.out" 2>"$tmp/one.err"
    "$bin" sessions --output json --reorder-tolerance 0 "$tmp/one.log" \
        "$tmp/empty.log" >"$tmp/two.out" 2>"$tmp/two.err"
    one=$(grep "events:" "$tmp/one.err")
    two=$(grep "events:" "$tmp/two.err")
    if [ -s "$tmp/one.out" ] && cmp -s "$tmp/one.out" "$tmp/two.out" &&
        [ -n "$one" ] && [ "$one" = "$two" ] &&
        ! grep -q "(0 late)" "$tmp/one.err"; then
        echo "PASS source_edges/single-input-merge"
    else
        echo "FAIL source_edges/single-input-merge: alone '$one'," \
            "beside an empty input '$two'"
    fi
else
    echo "FAIL source_edges/single-input-merge: bench/gen.py failed"
fi
