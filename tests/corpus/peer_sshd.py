#!/usr/bin/env python3
"""Checks the sshd parser against other projects' expected values.

Oracles, found under $SSHTRAIL_PEERS:
  fail2ban   fail2ban/tests/files/logs/sshd and sshd-journal: for every
             "# failJSON" case with "match": true whose line becomes an
             SSH event, fail2ban's "host" must equal our src_ip and its
             "user" (or one of "users") our user.
  elastic    the system auth pipeline test log and its expected JSON: for
             every sshd event, user, source ip and port, method, event
             kind, pid, host name and month/day/time.

Prints one PASS/FAIL/SKIP line per oracle group (fail2ban) or per case
(elastic); failures name file:line.  Runs $SSHTRAIL_BIN events.
"""
import ipaddress
import json
import os
import subprocess
import sys

F2B_DIR = "fail2ban/fail2ban/tests/files/logs"
ELASTIC_DIR = ("elastic-integrations/packages/system/data_stream/auth/"
               "_dev/test/pipeline")

# Lines whose fail2ban result differs from ours on purpose, by a substring
# of the line.  Password logins carry no key information after "ssh2: ",
# so in this line the text before the trailing address belongs to the user
# name and the trailing address is the client.
KNOWN_DIFFERENCES = {
    "ssh2: from 10.10.1.2 port 55555 ssh2":
        "password logins log no auth info, so the trailing address is the "
        "client and the earlier one is part of the user name",
}

SSH_EVENT_KINDS = {
    "auth_success", "auth_failure", "invalid_user", "preauth_close",
    "disconnect", "max_auth", "session_open", "session_close",
    "session_start", "connection",
}


def canon_ip(text):
    """Returns the inet_ntop form of an address, or text unchanged."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def run_events(binary, path, year):
    """Returns {line number: [event, ...]} from sshtrail events."""
    cmd = [binary, "events", "--format", "sshd", "--year", str(year),
           "--timezone", "UTC", path]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    by_line = {}
    for text in out.stdout.splitlines():
        if not text.strip():
            continue
        ev = json.loads(text)
        by_line.setdefault(ev["origin"]["line"], []).append(ev)
    return by_line


def fail2ban_cases(path):
    """Yields (line number, failJSON dict, log line) for every case."""
    pending = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("# failJSON:"):
                pending = json.loads(line[len("# failJSON:"):])
                continue
            if line.startswith("#") or not line.strip():
                continue
            if pending is not None:
                yield number, pending, line
                pending = None


def check_fail2ban(binary, peers, name):
    path = os.path.join(peers, F2B_DIR, name)
    if not os.path.isfile(path):
        print(f"SKIP peer_sshd/fail2ban-{name}: {path} not found")
        return
    events = run_events(binary, path, 2005)
    checked = 0
    failures = []
    skipped = {}

    def skip(reason):
        skipped[reason] = skipped.get(reason, 0) + 1

    for number, case, line in fail2ban_cases(path):
        if not case.get("match"):
            continue
        if "constraint" in case:
            skip("constraint-only case (depends on a fail2ban filter mode)")
            continue
        known = [r for s, r in KNOWN_DIFFERENCES.items() if s in line]
        if known:
            skip(known[0])
            continue
        evs = [e for e in events.get(number, [])
               if e.get("kind") in SSH_EVENT_KINDS]
        if not evs:
            skip("no event: sshtrail does not use this message")
            continue
        ev = evs[0]
        checked += 1
        where = f"{path}:{number}"
        if "host" in case and canon_ip(case["host"]) != ev.get("src_ip"):
            failures.append(f"{where}: src_ip {ev.get('src_ip')!r}, "
                            f"expected {case['host']!r}")
        if "user" in case and case["user"] != ev.get("user"):
            failures.append(f"{where}: user {ev.get('user')!r}, "
                            f"expected {case['user']!r}")
        if "users" in case and ev.get("user") is not None and \
                ev["user"] not in case["users"]:
            failures.append(f"{where}: user {ev.get('user')!r} not in "
                            f"{case['users']!r}")

    for reason, count in sorted(skipped.items()):
        print(f"  fail2ban-{name}: {count} case(s) skipped: {reason}")
    if failures:
        for f in failures:
            print(f"  {f}")
        print(f"FAIL peer_sshd/fail2ban-{name}: {len(failures)} mismatch(es) "
              f"in {checked} cases")
    else:
        print(f"PASS peer_sshd/fail2ban-{name}: {checked} cases")


ELASTIC_KIND = {"Accepted": "auth_success", "Failed": "auth_failure",
                "Invalid": "invalid_user"}


def check_elastic(binary, peers):
    folder = os.path.join(peers, ELASTIC_DIR)
    log = os.path.join(folder, "test-auth.log")
    expected_path = log + "-expected.json"
    if not os.path.isfile(log) or not os.path.isfile(expected_path):
        print(f"SKIP peer_sshd/elastic: {folder} not found")
        return
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)["expected"]
    events = run_events(binary, log, 2025)

    for number, exp in enumerate(expected, 1):
        name = f"peer_sshd/elastic-line{number}"
        if exp.get("process", {}).get("name") != "sshd":
            continue
        evs = events.get(number, [])
        if not evs:
            print(f"SKIP {name}: no event, sshtrail does not use this "
                  f"message")
            continue
        ev = evs[0]
        problems = []

        def want(key, actual, value):
            if value is not None and actual != value:
                problems.append(f"{key} {actual!r}, expected {value!r}")

        ssh = exp.get("system", {}).get("auth", {}).get("ssh", {})
        want("user", ev.get("user"), exp.get("user", {}).get("name"))
        src = exp.get("source", {})
        want("src_ip", ev.get("src_ip"),
             canon_ip(src["ip"]) if "ip" in src else None)
        want("src_port", ev.get("src_port"), src.get("port"))
        want("auth_method", ev.get("auth_method"), ssh.get("method"))
        want("kind", ev.get("kind"), ELASTIC_KIND.get(ssh.get("event")))
        want("pid", ev.get("pid"), exp.get("process", {}).get("pid"))
        want("host", ev.get("host"), exp.get("host", {}).get("hostname"))
        stamp = exp.get("@timestamp")
        if stamp and ev.get("time"):
            want("month/day/time", ev["time"][5:19], stamp[5:19])
        if problems:
            print(f"FAIL {name}: {log}:{number}: " + "; ".join(problems))
        else:
            print(f"PASS {name}")


def main():
    peers = os.environ.get("SSHTRAIL_PEERS")
    binary = os.environ.get("SSHTRAIL_BIN", "build/sshtrail")
    if not peers or not os.path.isdir(peers):
        print("SKIP peer_sshd: SSHTRAIL_PEERS is not set or not a folder")
        return 0
    try:
        probe = subprocess.run([binary, "events", "--help"],
                               capture_output=True, text=True, check=False)
    except OSError as err:
        print(f"SKIP peer_sshd: cannot run {binary}: {err}")
        return 0
    if probe.returncode != 0 or "--format" not in probe.stdout + probe.stderr:
        print(f"SKIP peer_sshd: {binary} has no 'events' subcommand yet")
        return 0
    check_fail2ban(binary, peers, "sshd")
    check_fail2ban(binary, peers, "sshd-journal")
    check_elastic(binary, peers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
