#!/usr/bin/env python3
"""Checks the macos-log format against real macOS logs and Wazuh's tests.

Data, found under $SSHTRAIL_CORPUS and $SSHTRAIL_PEERS:
  logstream  macos/wazuh-macos-sshd-logstream.log, `log show` syslog-style
             sshd lines: every line is understood, each "Accepted" line is
             an auth_success and each "Failed" line an auth_failure with
             the user, address, port and UTC time written in the line.
  system.log macos/loghub-mac-system-log-2k.log (CRLF, RFC 3164 stamps):
             every line is understood as a header and none is from sshd.
  wazuh      wazuh/ruleset/testing/tests/sshd.ini: for every line with a
             macOS `log show` header whose Wazuh rule reports a login
             (5715) or a failed attempt (5710, 5716, 5758, 5760, 5763),
             sshtrail must write a success, respectively a failure.

Prints one PASS/FAIL/SKIP line per check.  Runs $SSHTRAIL_BIN events.
"""
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile

SUCCESS_RULES = {"5715"}
FAILURE_RULES = {"5710", "5716", "5758", "5760", "5763"}

# Lines Wazuh counts as failed attempts that sshtrail leaves out on
# purpose, by a substring of the line.
KNOWN_DIFFERENCES = {
    "PAM: unknown user for illegal user":
        "the sshd parser does not use the PAM unknown-user message; the "
        "Failed or Invalid user line of the same attempt carries it",
    "Disconnecting invalid user":
        "a disconnect of an invalid user is not an authentication result",
}

HEADER = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)([+-]\d{4})  ")


def run_events(binary, path):
    """Returns (events, stderr summary) of sshtrail events on path."""
    cmd = [binary, "events", "--format", "macos-log", "--timezone", "UTC",
           "--output", "json", path]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    events = [json.loads(t) for t in out.stdout.splitlines() if t.strip()]
    return events, out.stderr


def not_understood(summary):
    """Returns the "N not understood" count of the summary, or -1."""
    m = re.search(r"(\d+) not understood", summary)
    return int(m.group(1)) if m else -1


def utc_time(line):
    """Returns the RFC 3339 UTC form of a `log show` stamp."""
    m = HEADER.match(line)
    stamp = datetime.datetime.strptime(m.group(1) + m.group(2),
                                       "%Y-%m-%d %H:%M:%S.%f%z")
    return stamp.astimezone(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


def check_logstream(binary, path):
    """Checks logins and failures of the syslog-style sample."""
    events, summary = run_events(binary, path)
    by_line = {}
    for ev in events:
        by_line.setdefault(ev["origin"]["line"], []).append(ev)
    problems = []
    if not_understood(summary) != 0:
        problems.append("lines not understood: " + summary.strip())
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            m = re.search(r": (Accepted|Failed) \S+ for (?:invalid user )?"
                          r"(\S+) from (\S+) port (\d+)", line)
            if not m:
                continue
            kind = "auth_success" if m.group(1) == "Accepted" \
                else "auth_failure"
            want = {"kind": kind, "user": m.group(2), "src_ip": m.group(3),
                    "src_port": int(m.group(4)), "host": "localhost",
                    "time": utc_time(line)}
            got = by_line.get(number, [{}])[0]
            for key, value in want.items():
                if got.get(key) != value:
                    problems.append("line %d: %s is %r, expected %r"
                                    % (number, key, got.get(key), value))
    report("macos_corpus/logstream", problems)


def check_system_log(binary, path):
    """Checks that system.log headers parse and yield no sshd event."""
    events, summary = run_events(binary, path)
    problems = []
    if not_understood(summary) != 0:
        problems.append("lines not understood: " + summary.strip())
    if events:
        problems.append("%d events from a log without sshd" % len(events))
    report("macos_corpus/system_log", problems)


def wazuh_cases(path):
    """Yields (log line, rule id) for the macOS-header lines of sshd.ini."""
    lines, rule = [], None
    with open(path, encoding="utf-8") as f:
        for text in f:
            text = text.rstrip("\n")
            if text.startswith("["):
                lines, rule = [], None
            m = re.match(r"^log \d+ pass = (.*)$", text)
            if m and HEADER.match(m.group(1)):
                lines.append(m.group(1))
            m = re.match(r"^rule = (\d+)", text)
            if m:
                rule = m.group(1)
                for line in lines:
                    yield line, rule


def check_wazuh(binary, path):
    """Compares success and failure of each case with Wazuh's rule."""
    cases = {}
    for line, rule in wazuh_cases(path):
        if rule in SUCCESS_RULES or rule in FAILURE_RULES:
            cases.setdefault(line, rule)
    with tempfile.NamedTemporaryFile("w", suffix=".log",
                                     delete=False) as tmp:
        tmp.write("\n".join(cases) + "\n")
    try:
        events, _ = run_events(binary, tmp.name)
    finally:
        os.unlink(tmp.name)
    by_line = {}
    for ev in events:
        by_line.setdefault(ev["origin"]["line"], []).append(ev)
    for number, (line, rule) in enumerate(cases.items(), 1):
        name = "macos_corpus/wazuh-%s-line%d" % (rule, number)
        known = [r for s, r in KNOWN_DIFFERENCES.items() if s in line]
        if known:
            print("PASS %s: known difference: %s" % (name, known[0]))
            continue
        got = by_line.get(number, [])
        if rule in SUCCESS_RULES:
            ok = any(e["kind"] == "auth_success" for e in got)
        else:
            ok = any(e.get("result") == "failure" or
                     e["kind"] == "invalid_user" or
                     e.get("detail") == "invalid user" for e in got)
        kinds = [e["kind"] for e in got]
        report(name, [] if ok else ["got %s for: %s" % (kinds, line)])


def report(name, problems):
    """Prints the PASS or FAIL line of one check."""
    if problems:
        print("FAIL %s: %s" % (name, "; ".join(problems[:5])))
    else:
        print("PASS %s" % name)


def main():
    binary = os.environ.get("SSHTRAIL_BIN", "build/sshtrail")
    corpus = os.environ.get("SSHTRAIL_CORPUS", "")
    peers = os.environ.get("SSHTRAIL_PEERS", "")

    logstream = os.path.join(corpus, "macos",
                             "wazuh-macos-sshd-logstream.log")
    system_log = os.path.join(corpus, "macos",
                              "loghub-mac-system-log-2k.log")
    if corpus and os.path.isfile(logstream):
        check_logstream(binary, logstream)
        check_system_log(binary, system_log)
    else:
        print("SKIP macos_corpus: SSHTRAIL_CORPUS/macos not found")

    ini = os.path.join(peers, "wazuh", "ruleset", "testing", "tests",
                       "sshd.ini")
    if peers and os.path.isfile(ini):
        check_wazuh(binary, ini)
    else:
        print("SKIP macos_corpus/wazuh: SSHTRAIL_PEERS/wazuh not found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
