#!/usr/bin/env bash
# Checks that sshtrail's memory stays bounded on long inputs.  A seeded
# generator streams realistic sshd syslog through a pipe (nothing large is
# written to disk) into `sshtrail detect --format sshd -`, and GNU time
# reports the peak resident set size.
#
# Two workloads:
#   steady    50 hosts, 200 attacking addresses guessing user names, logins
#             whose sessions open and close, disconnects.  The working set
#             is fixed, so 200 MB must cost about as much memory as 20 MB.
#   distinct  every failure from a new address, so the failure table fills
#             to its maximum and must evict (and count the evictions).
#
# Prints one PASS, FAIL or SKIP line per check.  Sizes are in bytes of
# generated log; no check depends on run time.  On two cores the whole
# suite takes about 30 s.
set -u
cd "$(dirname "$0")/../.."
bin=${SSHTRAIL_BIN:-$PWD/build/sshtrail}
time_bin=/usr/bin/time
limit_kib=$((64 * 1024))
growth_kib=$((4 * 1024))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "${SSHTRAIL_SAN:-0}" = 1 ]; then
    echo "SKIP memory_bound: AddressSanitizer's shadow memory and" \
        "quarantine make peak RSS meaningless; measured on the normal build"
    exit 0
fi
if [ ! -x "$bin" ]; then
    echo "FAIL memory_bound/setup: $bin is missing; run make first"
    exit 1
fi
if ! "$time_bin" -f %M -o "$tmp/probe" true 2>/dev/null; then
    echo "SKIP memory_bound: GNU time is missing at $time_bin" \
        "(install the time package)"
    exit 0
fi

# gen.py KIND BYTES SEED COUNT_FILE: writes about BYTES of sshd syslog to
# stdout and the number of lines written to COUNT_FILE.
cat >"$tmp/gen.py" <<'EOF'
import datetime, heapq, random, sys

kind, limit, seed, count_file = sys.argv[1], int(sys.argv[2]), \
    int(sys.argv[3]), sys.argv[4]
rng = random.Random(seed)
out = sys.stdout.buffer
hosts = ["web%02d" % i for i in range(40)] + ["db%02d" % i for i in range(10)]
users = ["alice", "bob", "carol", "deploy", "backup", "git"]
guesses = ["root", "admin", "test", "oracle", "ubuntu", "pi", "postgres"]
attackers = ["198.18.%d.%d" % (rng.randrange(256), rng.randrange(1, 255))
             for _ in range(200)]
t = 1704067200.0                    # 2024-01-01T00:00:00Z
pid = 1000
written = 0
nlines = 0
batch = []
closes = []                         # (time, host, pid, user, addr, port)
day_names = {}

def stamp():
    sec = int(t)
    day, rem = divmod(sec, 86400)
    if day not in day_names:
        day_names[day] = (datetime.date(1970, 1, 1) +
                          datetime.timedelta(days=day)).isoformat()
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return "%sT%02d:%02d:%02d.%06d+00:00" % (day_names[day], h, m, s,
                                             int((t - sec) * 1e6))

def steady(st, host, pid, port):
    lines = []
    r = rng.random()
    if r < 0.80:
        ip = rng.choice(attackers)
        g = rng.choice(guesses)
        lines += [
            "Invalid user %s from %s port %d" % (g, ip, port),
            "pam_unix(sshd:auth): authentication failure; logname= uid=0 "
            "euid=0 tty=ssh ruser= rhost=%s" % ip,
            "Failed password for invalid user %s from %s port %d ssh2"
            % (g, ip, port),
            "Connection closed by invalid user %s %s port %d [preauth]"
            % (g, ip, port),
        ]
    elif r < 0.85:
        ip = "192.0.2.%d" % rng.randrange(1, 255)
        u = rng.choice(users)
        lines += [
            "Accepted publickey for %s from %s port %d ssh2: ED25519 "
            "SHA256:k%d" % (u, ip, port, rng.randrange(100)),
            "pam_unix(sshd:session): session opened for user %s(uid=1000) "
            "by (uid=0)" % u,
        ]
        heapq.heappush(closes, (t + rng.uniform(1, 120), host, pid, u, ip,
                                port))
    else:
        ip = rng.choice(attackers)
        lines += [
            "Connection from %s port %d on 203.0.113.5 port 22 rdomain \"\""
            % (ip, port),
            "Received disconnect from %s port %d:11: Bye Bye [preauth]"
            % (ip, port),
            "Disconnected from authenticating user root %s port %d "
            "[preauth]" % (ip, port),
        ]
    return lines

def distinct(st, host, pid, port):
    ip = "10.%d.%d.%d" % (pid >> 16 & 255, pid >> 8 & 255, pid & 255)
    return ["Invalid user root from %s port %d" % (ip, port),
            "Failed password for invalid user root from %s port %d ssh2"
            % (ip, port)]

while written < limit:
    t += rng.random() * 0.01
    st = stamp()
    text = []
    while closes and closes[0][0] <= t:
        _, chost, cpid, u, ip, port = heapq.heappop(closes)
        for msg in ("Received disconnect from %s port %d:11: disconnected "
                    "by user" % (ip, port),
                    "Disconnected from user %s %s port %d" % (u, ip, port),
                    "pam_unix(sshd:session): session closed for user %s"
                    % u):
            text.append("%s %s sshd[%d]: %s" % (st, chost, cpid, msg))
    host = rng.choice(hosts)
    pid += 1
    port = rng.randrange(1024, 65535)
    for msg in (steady if kind == "steady" else distinct)(st, host, pid,
                                                            port):
        text.append("%s %s sshd[%d]: %s" % (st, host, pid, msg))
    chunk = "\n".join(text) + "\n"
    batch.append(chunk)
    written += len(chunk)
    nlines += len(text)
    if len(batch) >= 2000:
        out.write("".join(batch).encode())
        batch = []
out.write("".join(batch).encode())
with open(count_file, "w") as f:
    f.write("%d\n" % nlines)
EOF

# measure KIND BYTES: runs the pipeline and sets rss_kib, or prints FAIL
# and returns 1.  The summary goes to $tmp/err.
measure() {
    local kind=$1 bytes=$2
    python3 "$tmp/gen.py" "$kind" "$bytes" 7 "$tmp/lines" |
        "$time_bin" -f %M -o "$tmp/rss" "$bin" detect --format sshd - \
            >"$tmp/out" 2>"$tmp/err"
    local rc=${PIPESTATUS[1]}
    local name="$kind-$((bytes / 1000000))MB"
    # GNU time reports a failed command on its first line.
    rss_kib=$(tail -n 1 "$tmp/rss")
    if [ "$rc" != 0 ]; then
        fail "$name" "exit code $rc: $(tail -n 3 "$tmp/err")"
        return 1
    fi
    local lines
    lines=$(cat "$tmp/lines")
    if ! grep -q "format sshd, $lines lines" "$tmp/err"; then
        fail "$name" "summary does not report all $lines lines:" \
            "$(grep 'input -' "$tmp/err")"
        return 1
    fi
    return 0
}

pass() { echo "PASS memory_bound/$1"; }
fail() { echo "FAIL memory_bound/$1: $2"; }

if measure steady 20000000; then
    small_kib=$rss_kib
    pass "steady-20MB: peak ${small_kib} KiB"
fi
if measure steady 200000000; then
    large_kib=$rss_kib
    if [ "$large_kib" -lt "$limit_kib" ]; then
        pass "steady-200MB-under-64MiB: peak ${large_kib} KiB"
    else
        fail steady-200MB-under-64MiB "peak RSS $large_kib KiB"
    fi
    if [ -n "${small_kib:-}" ]; then
        growth=$((large_kib - small_kib))
        if [ "$growth" -lt "$growth_kib" ]; then
            pass "steady-growth-under-4MiB: ${growth} KiB"
        else
            fail steady-growth-under-4MiB "peak RSS grew by $growth KiB" \
                "from 20 MB ($small_kib KiB) to 200 MB ($large_kib KiB)"
        fi
    fi
fi
if measure distinct 200000000; then
    if [ "$rss_kib" -lt "$limit_kib" ]; then
        pass "distinct-200MB-under-64MiB: peak ${rss_kib} KiB"
    else
        fail distinct-200MB-under-64MiB "peak RSS $rss_kib KiB"
    fi
    # A full table must say so in the summary, never drop silently.
    if grep -Eq '[1-9][0-9]* table entries evicted' "$tmp/err"; then
        pass distinct-evictions-counted
    else
        fail distinct-evictions-counted "no table evictions in the summary"
    fi
fi
exit 0
