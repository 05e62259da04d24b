#!/usr/bin/env python3
"""Compares the wtmp format with util-linux's utmpdump and last.

Cases:
  generated   a wtmp file written here with Python's struct module in
              glibc's 384-byte layout (sshd logins over IPv4 and IPv6, a
              logout, boot, run level, a btmp-style failure, a getty record
              and one trailing byte).  Every record utmpdump lists must
              give the event this format promises, and every login that
              `last` closes must be closed by a logout event for the same
              user and line at the same second.
  corpus      the same utmpdump comparison on every glibc file under
              $SSHTRAIL_CORPUS/wtmp, and for the macOS utmpx file the kinds
              of its events (utmpdump cannot read that layout).

Prints one PASS/FAIL/SKIP line per case.  Runs $SSHTRAIL_BIN events.
"""
import glob
import ipaddress
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

RECORD = struct.Struct("<hxxi32s4s32s256shhiii4I20s")
assert RECORD.size == 384


def record(ut_type, pid, line, user, host, sec, usec, addr=None):
    """Returns one glibc struct utmp; addr is an address text or None."""
    words = (0, 0, 0, 0)
    if addr is not None:
        packed = ipaddress.ip_address(addr).packed
        packed = packed + bytes(16 - len(packed))
        words = struct.unpack("<4I", packed)
    return RECORD.pack(ut_type, pid, line.encode(), line[-4:].encode(),
                       user.encode(), host.encode(), 0, 0, 0, sec, usec,
                       *words, bytes(20))


def generated_records():
    """Returns the records of the generated file, in order."""
    t = 1710072000
    return [
        record(2, 0, "~", "reboot", "6.1.0-18-amd64", t, 1),
        record(1, 0x4e35, "~", "runlevel", "6.1.0-18-amd64", t + 1, 2),
        record(6, 800, "tty1", "LOGIN", "", t + 2, 3),
        record(7, 4242, "pts/0", "alice", "192.0.2.10", t + 60, 500000,
               "192.0.2.10"),
        record(7, 4300, "pts/1", "bob", "2001:db8::7", t + 70, 0,
               "2001:db8::7"),
        record(6, 4400, "ssh:notty", "admin", "198.51.100.4", t + 75, 0,
               "198.51.100.4"),
        record(8, 4242, "pts/0", "", "", t + 120, 250000),
        record(7, 4500, "pts/0", "carol", "client.example.net", t + 130, 0),
        record(8, 4300, "pts/1", "", "", t + 200, 0),
    ]


def run_events(binary, path):
    """Returns sshtrail's events for path, by record number."""
    out = subprocess.run([binary, "events", "--format", "wtmp", "--output",
                          "json", "--quiet", path], capture_output=True,
                         text=True, check=False)
    by_record = {}
    for text in out.stdout.splitlines():
        ev = json.loads(text)
        by_record.setdefault(ev["origin"]["line"], []).append(ev)
    return out.returncode, by_record


def utmpdump(path):
    """Returns utmpdump's records as dicts, in file order."""
    out = subprocess.run(["utmpdump", path], capture_output=True, text=True,
                         check=True, env=dict(os.environ, TZ="UTC"))
    rows = []
    for text in out.stdout.splitlines():
        if not text.startswith("["):
            continue
        parts = [p.rstrip() for p in text[1:-1].split("] [")]
        if len(parts) != 8:
            continue
        ut_type, pid, _id, user, line, host, addr, stamp = parts
        date, frac = stamp.split(",")
        rows.append({"type": int(ut_type), "pid": int(pid), "user": user,
                     "line": line, "host": host, "addr": addr,
                     "stamp": date + "." + frac[:6] + "Z"})
    return rows


def expected_kind(row):
    """Returns the event kind the format promises for a record, or None."""
    if row["type"] == 7:
        return "user_login"
    if row["type"] == 8:
        return "user_logout"
    if row["type"] == 2:
        return "boot"
    if row["type"] == 1:
        return "runlevel"
    if row["type"] == 6 and row["user"] not in ("", "LOGIN"):
        return "auth_failure"
    return None


def expected_source(row):
    """Returns the src_ip expected for a login or failure record."""
    addr = ipaddress.ip_address(row["addr"])
    if not addr.is_unspecified:
        return str(addr)
    if row["host"] and not row["host"].startswith(":"):
        return row["host"]
    return None


def compare_with_utmpdump(binary, path):
    """Returns a list of differences between utmpdump and sshtrail."""
    rc, events = run_events(binary, path)
    if rc != 0:
        return ["sshtrail exited with status %d" % rc]
    problems = []
    for number, row in enumerate(utmpdump(path), start=1):
        kind = expected_kind(row)
        got = events.get(number, [])
        where = "%s record %d" % (os.path.basename(path), number)
        if kind is None:
            if got:
                problems.append("%s: unexpected %s" % (where, got[0]["kind"]))
            continue
        if len(got) != 1 or got[0]["kind"] != kind:
            problems.append("%s: expected one %s, got %s"
                            % (where, kind, [e["kind"] for e in got]))
            continue
        ev = got[0]
        if ev["time"] != row["stamp"]:
            problems.append("%s: time %s, utmpdump %s"
                            % (where, ev["time"], row["stamp"]))
        if kind in ("user_login", "auth_failure"):
            checks = [("user", row["user"]), ("tty", row["line"]),
                      ("pid", row["pid"]),
                      ("src_ip", expected_source(row))]
        elif kind == "user_logout":
            checks = [("tty", row["line"]), ("pid", row["pid"])]
        else:
            checks = []
        for key, want in checks:
            if ev.get(key) != want:
                problems.append("%s: %s is %r, utmpdump gives %r"
                                % (where, key, ev.get(key), want))
    return problems


def compare_with_last(binary, path):
    """Returns differences between last's closed logins and our logouts."""
    out = subprocess.run(["last", "-f", path, "--time-format", "iso", "-w",
                          "-i"], capture_output=True, text=True, check=True,
                         env=dict(os.environ, TZ="UTC"))
    _rc, events = run_events(binary, path)
    logouts = [e for evs in events.values() for e in evs
               if e["kind"] == "user_logout"]
    problems = []
    closed = 0
    for text in out.stdout.splitlines():
        fields = text.split()
        if len(fields) < 6 or fields[4] != "-" or fields[0] in ("reboot",
                                                                "runlevel"):
            continue
        user, line, end = fields[0], fields[1], fields[5]
        closed += 1
        match = [e for e in logouts if e.get("tty") == line and
                 e["time"][:19] == end[:19]]
        if not match or match[0].get("user") != user:
            problems.append("last closes %s on %s at %s; logout events: %s"
                            % (user, line, end, match))
    if closed == 0:
        problems.append("last listed no closed login")
    return problems


def report(name, problems):
    if problems:
        for p in problems[:20]:
            print("  " + p)
        print("FAIL %s: %d differences" % (name, len(problems)))
    else:
        print("PASS %s" % name)


def main():
    binary = os.environ.get("SSHTRAIL_BIN", "build/sshtrail")
    if not shutil.which("utmpdump") or not shutil.which("last"):
        print("SKIP wtmp/generated: utmpdump and last (util-linux) missing")
        print("SKIP wtmp/corpus: utmpdump and last (util-linux) missing")
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        whole = os.path.join(tmp, "wtmp")
        with open(whole, "wb") as f:
            f.write(b"".join(generated_records()))
        tail = os.path.join(tmp, "wtmp.tail")
        with open(tail, "wb") as f:
            f.write(b"".join(generated_records()) + b"\x07")
        report("wtmp/generated_utmpdump",
               compare_with_utmpdump(binary, whole) +
               compare_with_utmpdump(binary, tail))
        report("wtmp/generated_last", compare_with_last(binary, whole))

    corpus = os.environ.get("SSHTRAIL_CORPUS")
    folder = os.path.join(corpus or "", "wtmp")
    if not corpus or not os.path.isdir(folder):
        print("SKIP wtmp/corpus: SSHTRAIL_CORPUS/wtmp not found")
        return 0
    problems = []
    for path in sorted(glob.glob(os.path.join(folder, "*.bin"))):
        with open(path, "rb") as f:
            if f.read(10) == b"utmpx-1.00":
                continue
        problems += compare_with_utmpdump(binary, path)
    report("wtmp/corpus_utmpdump", problems)

    for path in sorted(glob.glob(os.path.join(folder, "*.bin"))):
        with open(path, "rb") as f:
            if f.read(10) != b"utmpx-1.00":
                continue
        rc, events = run_events(binary, path)
        kinds = sorted(e["kind"] for evs in events.values() for e in evs)
        # The macOS file contains a signature, a boot, two logins, two
        # logouts and an empty record.
        want = ["boot", "user_login", "user_login", "user_logout",
                "user_logout"]
        report("wtmp/corpus_macos_utmpx",
               [] if rc == 0 and kinds == want
               else ["%s: kinds %s, expected %s" % (path, kinds, want)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
