#!/usr/bin/env python3
"""Checks the journald format on real exports, a peer's expectations and
real journal files.

  corpus   $SSHTRAIL_CORPUS/journald: a `journalctl -o export` file and a
           JSON array of `-o json` entries, neither with sshd entries.
           Every entry must be read and skipped as "not an sshd program",
           none reported as not understood.
  peer     $SSHTRAIL_PEERS/beats/.../debian-12.journal-expected.json holds
           the ECS events Filebeat made from a Debian 12 journal.  Each is
           turned back into a `journalctl -o json` line (MESSAGE, _PID,
           _HOSTNAME, SYSLOG_IDENTIFIER; the file has no @timestamp, so
           __REALTIME_TIMESTAMP counts up from a fixed time), and for the
           sshd events user, source ip and port, method and outcome must
           match.  This proves that the same messages give the same fields
           behind a journal header; it does not test reading the original
           journal, whose JSON or export text is not available.
  journal  real journal files written by systemd-journal-remote from
           export text made here, read with --journal DIR, then read again
           with --journal-cursor after more entries were appended: the
           second run must show only the new entries.  The same journal
           converted by journalctl to json, json-pretty and export must
           give the same events as --journal.
  state    detect --journal DIR --state FILE keeps the cursor in the
           state file: a second run reads only the entries appended since,
           a fresh state file reads all, each directory has its own
           cursor, a state file of schema version 1 is upgraded, and
           --journal-cursor with a state file is a usage error.

Prints one PASS/FAIL/SKIP line per check.  Runs $SSHTRAIL_BIN.
"""
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile

PEER_FILE = ("beats/filebeat/module/system/auth/test/"
             "debian-12.journal-expected.json")
JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"
KEYS = ("kind", "user", "src_ip", "src_port", "auth_method", "pid", "host",
        "program", "time")


def run(binary, args):
    """Returns (exit code, events, stderr) of sshtrail events."""
    out = subprocess.run([binary, "events", "--output", "json"] + args,
                         capture_output=True, text=True, check=False)
    events = [json.loads(t) for t in out.stdout.splitlines() if t.strip()]
    return out.returncode, events, out.stderr


def check(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name +
          ("" if ok else ": " + detail))
    return ok


def corpus_checks(binary):
    root = os.environ.get("SSHTRAIL_CORPUS", "")
    folder = os.path.join(root, "journald")
    if not root or not os.path.isdir(folder):
        print("SKIP journald/corpus: SSHTRAIL_CORPUS/journald not found")
        return
    for name, entries in (("beats-journal1.export", 10),
                          ("beats-journalctl-corner-cases.json", 2)):
        path = os.path.join(folder, name)
        rc, events, err = run(binary, [path])
        want = "%d not an sshd program" % entries
        check("journald/corpus/" + name,
              rc == 0 and not events and want in err and
              "not understood: " not in err and "format journald" in err,
              "exit %d, %d events, summary: %s" % (rc, len(events), err))


def ecs_to_journal(ecs, index):
    entry = {
        "__REALTIME_TIMESTAMP": str(1700000000000000 + index * 1000000),
        "MESSAGE": ecs["message"],
    }
    if "process.pid" in ecs:
        entry["_PID"] = str(ecs["process.pid"])
    if "host.hostname" in ecs:
        entry["_HOSTNAME"] = ecs["host.hostname"]
    if "process.name" in ecs:
        entry["SYSLOG_IDENTIFIER"] = ecs["process.name"]
    return entry


def peer_checks(binary, tmp):
    root = os.environ.get("SSHTRAIL_PEERS", "")
    path = os.path.join(root, PEER_FILE)
    if not root or not os.path.isfile(path):
        print("SKIP journald/peer: SSHTRAIL_PEERS beats file not found")
        return
    with open(path, encoding="utf-8") as f:
        expected = json.load(f)
    lines = os.path.join(tmp, "peer.json")
    with open(lines, "w", encoding="utf-8") as f:
        for i, ecs in enumerate(expected):
            f.write(json.dumps(ecs_to_journal(ecs, i)) + "\n")
    rc, events, err = run(binary, [lines])
    by_line = {}
    for ev in events:
        by_line.setdefault(ev["origin"]["line"], []).append(ev)

    for i, ecs in enumerate(expected):
        name = "journald/peer/%d" % (i + 1)
        if ecs.get("process.name") != "sshd":
            got = by_line.get(i + 1, [])
            check(name, not got, "non-sshd entry gave %s" % got)
            continue
        got = by_line.get(i + 1, [])
        if len(got) != 1:
            check(name, False, "expected 1 event, got %d" % len(got))
            continue
        ev = got[0]
        diffs = []
        outcome = {"success": "success", "failure": "failure"}
        if ev.get("user") != ecs.get("user.name"):
            diffs.append("user %r != %r" % (ev.get("user"),
                                            ecs.get("user.name")))
        if ev.get("src_ip") != ecs.get("source.ip"):
            diffs.append("src_ip %r" % ev.get("src_ip"))
        if "source.port" in ecs and ev.get("src_port") != ecs["source.port"]:
            diffs.append("src_port %r" % ev.get("src_port"))
        method = ecs.get("system.auth.ssh.method")
        if method is not None and ev.get("auth_method") != method:
            diffs.append("auth_method %r" % ev.get("auth_method"))
        want = outcome.get(ecs.get("event.outcome"))
        if ecs.get("system.auth.ssh.event") == "Invalid":
            ok_kind = ev.get("kind") == "invalid_user"
        else:
            ok_kind = ev.get("result") == want
        if not ok_kind:
            diffs.append("kind %s result %s for outcome %s" %
                         (ev.get("kind"), ev.get("result"), want))
        if ev.get("pid") != ecs.get("process.pid"):
            diffs.append("pid %r" % ev.get("pid"))
        check(name, not diffs, "; ".join(diffs))


def write_journal(directory, export_text):
    subprocess.run([JOURNAL_REMOTE, "--output=" +
                    os.path.join(directory, "remote.journal"),
                    "--split-mode=none", "-"], input=export_text,
                   capture_output=True, check=True)


def export_entry(usec, ident, pid, message, host="srv.example.org"):
    return ("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n"
            "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=%s\n"
            "SYSLOG_IDENTIFIER=%s\n_COMM=%s\n_PID=%d\nMESSAGE=%s\n\n" %
            (usec, usec, host, ident, ident, pid, message)).encode()


def strip(events):
    return [{k: ev.get(k) for k in KEYS} for ev in events]


def journal_checks(binary, tmp):
    if not os.access(JOURNAL_REMOTE, os.X_OK):
        print("SKIP journald/journal: systemd-journal-remote is not "
              "installed (Debian package systemd-journal-remote)")
        return
    directory = os.path.join(tmp, "journal")
    os.mkdir(directory)
    cursor = os.path.join(tmp, "cursor")
    first = (export_entry(1714557600000001, "sshd", 100,
                          "Accepted publickey for alice from 192.0.2.7 "
                          "port 50122 ssh2") +
             export_entry(1714557601000001, "cron", 101, "hello") +
             export_entry(1714557602000001, "sshd-session", 102,
                          "Failed password for bob from 192.0.2.8 port "
                          "50123 ssh2"))
    write_journal(directory, first)

    rc, events, err = run(binary, ["--journal", directory,
                                   "--journal-cursor", cursor])
    users = [ev.get("user") for ev in events]
    check("journald/journal/first_run", rc == 0 and users == ["alice", "bob"],
          "exit %d, users %s, %s" % (rc, users, err))
    check("journald/journal/event_fields",
          events[:1] and events[0]["time"] == "2024-05-01T10:00:00.000001Z"
          and events[0]["host"] == "srv" and events[0]["pid"] == 100 and
          events[0]["program"] == "sshd",
          "first event %s" % (events[:1],))
    mode = os.stat(cursor).st_mode if os.path.exists(cursor) else 0
    check("journald/journal/cursor_mode", stat.S_IMODE(mode) == 0o600,
          "mode %o" % stat.S_IMODE(mode))

    for layout in ("json", "json-pretty", "export"):
        out = subprocess.run(["journalctl", "-D", directory, "-o", layout],
                             capture_output=True, check=False)
        if out.returncode != 0 or shutil.which("journalctl") is None:
            print("SKIP journald/journal/journalctl_%s: journalctl failed"
                  % layout)
            continue
        path = os.path.join(tmp, "journal." + layout)
        with open(path, "wb") as f:
            f.write(out.stdout)
        rc2, text_events, err2 = run(binary, [path])
        check("journald/journal/journalctl_" + layout,
              rc2 == 0 and strip(text_events) == strip(events),
              "%s vs %s (%s)" % (strip(text_events), strip(events), err2))

    write_journal(directory, export_entry(
        1714557700000001, "sshd", 200,
        "Accepted password for carol from 192.0.2.9 port 50124 ssh2"))
    rc, events, err = run(binary, ["--journal", directory,
                                   "--journal-cursor", cursor])
    users = [ev.get("user") for ev in events]
    check("journald/journal/cursor_resume", rc == 0 and users == ["carol"],
          "exit %d, users %s, %s" % (rc, users, err))
    rc, events, err = run(binary, ["--journal", directory,
                                   "--journal-cursor", cursor])
    check("journald/journal/cursor_at_end", rc == 0 and not events,
          "exit %d, %d events" % (rc, len(events)))

    with open(cursor, "w", encoding="utf-8") as f:
        f.write("not a cursor\n")
    rc, events, err = run(binary, ["--journal", directory,
                                   "--journal-cursor", cursor])
    check("journald/journal/bad_cursor", rc == 3 and not events,
          "exit %d, %d events, %s" % (rc, len(events), err))


def detect_lines(binary, args):
    """Returns (exit code, journal lines read, stderr) of sshtrail detect."""
    out = subprocess.run([binary, "detect", "--output", "json"] + args,
                         capture_output=True, text=True, check=False)
    m = re.search(r"input journal:\S*: format journald, (\d+) lines",
                  out.stderr)
    return out.returncode, int(m.group(1)) if m else -1, out.stderr


def login_entry(usec, pid, user):
    return export_entry(usec, "sshd", pid,
                        "Accepted publickey for %s from 192.0.2.7 port "
                        "50122 ssh2" % user)


def state_query(path, sql):
    """Runs sql on a state file and closes it, so sshtrail can lock it."""
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def state_checks(binary, tmp):
    if not os.access(JOURNAL_REMOTE, os.X_OK):
        print("SKIP journald/state: systemd-journal-remote is not "
              "installed (Debian package systemd-journal-remote)")
        return
    directory = os.path.join(tmp, "state-journal")
    other = os.path.join(tmp, "other-journal")
    os.mkdir(directory)
    os.mkdir(other)
    state = os.path.join(tmp, "state.db")
    write_journal(directory, login_entry(1714557600000001, 100, "alice") +
                  export_entry(1714557601000001, "cron", 101, "hello") +
                  login_entry(1714557602000001, 102, "bob"))
    write_journal(other, login_entry(1714557603000001, 103, "dave"))

    args = ["--journal", directory, "--state", state]
    rc, lines, err = detect_lines(binary, args)
    check("journald/state/first_run_reads_all", rc == 0 and lines == 2,
          "exit %d, %d lines, %s" % (rc, lines, err))
    rows = state_query(state, "SELECT source FROM journal_cursor")
    check("journald/state/cursor_row",
          rows == [("directory:" + os.path.realpath(directory),)],
          "rows %s" % rows)

    write_journal(directory, login_entry(1714557700000001, 200, "carol") +
                  login_entry(1714557701000001, 201, "erin"))
    rc, lines, err = detect_lines(binary, args)
    check("journald/state/second_run_reads_new", rc == 0 and lines == 2,
          "exit %d, %d lines, %s" % (rc, lines, err))
    rc, lines, err = detect_lines(binary, args)
    check("journald/state/third_run_reads_none", rc == 0 and lines == 0,
          "exit %d, %d lines, %s" % (rc, lines, err))
    accounts = state_query(state, "SELECT count(*) FROM account_host")[0][0]
    check("journald/state/baselines_learned", accounts == 4,
          "%d account_host rows" % accounts)

    rc, lines, err = detect_lines(binary, ["--journal", directory, "--state",
                                           os.path.join(tmp, "fresh.db")])
    check("journald/state/fresh_state_reads_all", rc == 0 and lines == 4,
          "exit %d, %d lines, %s" % (rc, lines, err))
    rc, lines, err = detect_lines(binary, ["--journal", other, "--state",
                                           state])
    check("journald/state/other_directory_own_cursor",
          rc == 0 and lines == 1, "exit %d, %d lines, %s" % (rc, lines, err))

    rc, lines, err = detect_lines(binary, args + ["--journal-cursor",
                                                  os.path.join(tmp, "c")])
    check("journald/state/cursor_file_with_state_rejected",
          rc == 2 and "--journal-cursor" in err and lines == -1,
          "exit %d, %s" % (rc, err))

    # Schema version 1 is version 2 without the journal_cursor table.
    old = os.path.join(tmp, "v1.db")
    rc, _, err = detect_lines(binary, ["--journal", other, "--state", old])
    db = sqlite3.connect(old)
    db.execute("DROP TABLE journal_cursor")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    rc, lines, err = detect_lines(binary, ["--journal", directory, "--state",
                                           old])
    version = state_query(old, "PRAGMA user_version")[0][0]
    accounts = state_query(old, "SELECT count(*) FROM account_host")[0][0]
    check("journald/state/version_1_upgraded",
          rc == 0 and lines == 4 and version == 2 and accounts == 5,
          "exit %d, %d lines, version %d, %d account_host rows, %s" %
          (rc, lines, version, accounts, err))
    rc, lines, err = detect_lines(binary, ["--journal", directory, "--state",
                                           old])
    check("journald/state/version_1_resumes", rc == 0 and lines == 0,
          "exit %d, %d lines, %s" % (rc, lines, err))


def main():
    binary = os.environ.get("SSHTRAIL_BIN", "")
    if not binary or not os.access(binary, os.X_OK):
        print("SKIP journald: SSHTRAIL_BIN is not set")
        return 0
    tmp = tempfile.mkdtemp(prefix="sshtrail-journald-")
    try:
        corpus_checks(binary)
        peer_checks(binary, tmp)
        journal_checks(binary, tmp)
        state_checks(binary, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
