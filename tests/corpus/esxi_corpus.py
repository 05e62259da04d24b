#!/usr/bin/env python3
"""Checks the esxi format on the real ESXi and vCenter logs.

Reads every *.log under $SSHTRAIL_CORPUS/esxi and checks:
  understood  the file is detected as esxi and no line is "not
              understood".  Each used line gives one event, so events plus
              skipped lines must add up to the line count: every other
              line was skipped with a reason.
  shell       each "shell[WORLD]: [USER]: COMMAND" line becomes one exec
              event with that world id as pid, that user and command line,
              and program "shell"; likewise each ESXi 8 "[shell.cmd@6876
              ...]" record.  Expected values are read from the lines with
              regular expressions written here, independent of the parser.
  logins      each sshd "Accepted METHOD for USER from ADDR" line becomes
              one auth_success with that user and address, each vCenter
              UserLoginSessionEvent one other_login.
  sessions    an auth.log and a shell.log of the same host give one SSH
              session whose executions are every shell command, linked by
              world id or by the ESXi shell rule.

Prints one PASS/FAIL/SKIP line per check and file.  Runs $SSHTRAIL_BIN.
"""
import json
import os
import re
import subprocess
import sys

SHELL_LINE = re.compile(r" shell\[(\d+)\]: \[(.*?)\]: (.*)$")
SHELL_AUDIT = re.compile(r" shell\[(\d+)\]: \[shell\.cmd@\d+ (.*)\]$")
SD_PARAM = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
ACCEPTED = re.compile(r" sshd\[\d+\]: Accepted \S+ for (.+) from (\S+) port ")
VCENTER_LOGIN = "[vim.event.UserLoginSessionEvent]"
SUMMARY = re.compile(r"format (\S+), (\d+) lines, (\d+) events, "
                     r"(\d+) not understood, (\d+) skipped")

failures = 0


def report(ok, name, reason=""):
    global failures
    if ok:
        print("PASS esxi_corpus/%s" % name)
    else:
        failures += 1
        print("FAIL esxi_corpus/%s: %s" % (name, reason))


def run(binary, args):
    """Runs sshtrail; returns (JSON objects of stdout, stderr text)."""
    proc = subprocess.run([binary] + args + ["--output", "json"],
                          capture_output=True, check=False)
    out = proc.stdout.decode("utf-8")
    rows = [json.loads(line) for line in out.splitlines() if line]
    return rows, proc.stderr.decode("utf-8", "replace")


def read_lines(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8").splitlines()


def expected_execs(lines):
    """Returns (pid, user, command) for every shell command line."""
    result = []
    for line in lines:
        m = SHELL_AUDIT.search(line)
        if m:
            params = {k: re.sub(r"\\(.)", r"\1", v)
                      for k, v in SD_PARAM.findall(m.group(2))}
            result.append((int(m.group(1)), params.get("subject"),
                           params.get("command")))
            continue
        m = SHELL_LINE.search(line)
        if m:
            result.append((int(m.group(1)), m.group(2), m.group(3)))
    return result


def check_understood(name, stderr):
    m = SUMMARY.search(stderr)
    if not m:
        report(False, "understood/" + name, "no input summary on stderr")
        return
    fmt, lines, events, bad, skipped = m.group(1), *map(int, m.groups()[1:])
    if fmt != "esxi":
        report(False, "understood/" + name, "detected as %s" % fmt)
    elif bad != 0:
        report(False, "understood/" + name, "%d lines not understood" % bad)
    elif events + skipped != lines:
        report(False, "understood/" + name,
               "%d events + %d skipped != %d lines" % (events, skipped,
                                                       lines))
    else:
        report(True, "understood/" + name)


def check_shell(name, lines, events):
    want = expected_execs(lines)
    got = [(e.get("pid"), e.get("user"), e.get("cmd_line"))
           for e in events if e["kind"] == "exec"]
    if "shell" in name and not want:
        report(False, "shell/" + name, "no shell command found in the file")
        return 0
    programs = {e.get("program") for e in events if e["kind"] == "exec"}
    if got != want:
        report(False, "shell/" + name, "execs %r, expected %r" % (got, want))
    elif want and programs != {"shell"}:
        report(False, "shell/" + name, "programs %r" % programs)
    else:
        report(True, "shell/" + name)
    return len(want)


def check_logins(name, lines, events):
    want = [m.groups() for m in map(ACCEPTED.search, lines) if m]
    if "auth" in name and len(want) != 1:
        report(False, "logins/" + name,
               "%d sshd logins in the file, expected one" % len(want))
        return
    got = [(e.get("user"), e.get("src_ip")) for e in events
           if e["kind"] == "auth_success"]
    vcenter = sum(VCENTER_LOGIN in line for line in lines)
    other = [e for e in events if e["kind"] == "other_login"]
    if got != [tuple(w) for w in want]:
        report(False, "logins/" + name, "logins %r, expected %r" % (got,
                                                                   want))
    elif len(other) != vcenter:
        report(False, "logins/" + name,
               "%d other_login events for %d vCenter logins" % (len(other),
                                                               vcenter))
    else:
        report(True, "logins/" + name)


def check_sessions(binary, auth, shell):
    name = "sessions/%s+%s" % (os.path.basename(auth),
                               os.path.basename(shell))
    sessions, _ = run(binary, ["sessions", "--default-host", "esxi01",
                               auth, shell])
    want = expected_execs(read_lines(shell))
    logins = [m for m in map(ACCEPTED.search, read_lines(auth)) if m]
    if len(sessions) != len(logins):
        report(False, name, "%d sessions for %d logins" % (len(sessions),
                                                          len(logins)))
        return
    got = [(e.get("pid"), sessions[0].get("user"), e.get("cmd_line"))
           for s in sessions for e in s["executions"]]
    methods = {e.get("linkage") for s in sessions for e in s["executions"]}
    if got != want:
        report(False, name, "executions %r, expected %r" % (got, want))
    elif not methods <= {"world_id", "esxi_shell"}:
        report(False, name, "linked by %r" % sorted(methods))
    else:
        report(True, name)


def main():
    corpus = os.environ.get("SSHTRAIL_CORPUS")
    binary = os.environ.get("SSHTRAIL_BIN", "build/sshtrail")
    folder = os.path.join(corpus or "", "esxi")
    if not corpus or not os.path.isdir(folder):
        print("SKIP esxi_corpus: SSHTRAIL_CORPUS is unset or has no esxi "
              "folder")
        return 0
    if not os.access(binary, os.X_OK):
        print("FAIL esxi_corpus/setup: %s is missing; run make first"
              % binary)
        return 1

    files = sorted(f for f in os.listdir(folder) if f.endswith(".log"))
    auth = shell = None
    for name in files:
        path = os.path.join(folder, name)
        lines = read_lines(path)
        events, stderr = run(binary, ["events", path])
        check_understood(name, stderr)
        if check_shell(name, lines, events) and "shell" in name:
            shell = path
        check_logins(name, lines, events)
        if any(ACCEPTED.search(line) for line in lines) and "auth" in name:
            auth = path

    if auth and shell:
        check_sessions(binary, auth, shell)
    else:
        print("SKIP esxi_corpus/sessions: no auth.log and shell.log pair")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
