#!/usr/bin/env python3
"""Compare sshtrail's audit events with two peer projects' expected values.

- go-libaudit aucoalesce: each test in testdata/*.yaml is a block of raw
  audit lines; the matching *.json.golden holds the coalesced event.  We
  compare session, process.exe, process.args (where present) and result.
- laurel: src/testdata/record-*.txt with record-*.json (one JSON event per
  line).  For execve events we compare EXECVE.ARGV with our argv and the
  SYSCALL pid, ppid, ses and auid; for LOGIN records the new auid and ses.

The binary runs as `$SSHTRAIL_BIN events --format audit FILE`.  Prints one
PASS or FAIL line per compared case and one SKIP line per reason for the
cases whose meaning differs from ours (counts are in docs/format-audit.md).
Needs only the Python standard library.
"""

import glob
import json
import os
import subprocess
import sys
import tempfile

UNSET = 4294967295

# go-libaudit record_type -> the sshtrail kinds it may become.
KIND_OF_RECORD = {
    "user_login": {"user_login", "auth_failure"},
    "user_start": {"session_open"},
    "user_end": {"session_close"},
    "user_acct": {"account_check"},
    "cred_acq": {"cred_acquire"},
    "cred_disp": {"cred_dispose"},
    "user_auth": {"auth_success", "auth_failure"},
    "user_logout": {"user_logout"},
    "login": {"login_assign"},
}

RESULT = {"success": "success", "fail": "failure", "unknown": None}

failures = 0
skips = {}


def report(ok, name, detail=""):
    global failures
    if ok:
        print(f"PASS peer_audit {name}")
    else:
        failures += 1
        print(f"FAIL peer_audit {name}: {detail}")


def skip(reason, name):
    skips.setdefault(reason, []).append(name)


def run_events(binary, text):
    """Return our events for the audit lines in text."""
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        out = subprocess.run([binary, "events", "--format", "audit", path],
                             capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(path)
    return [json.loads(line) for line in out.stdout.splitlines()
            if line.startswith("{")]


def yaml_tests(path):
    """Return {test name: raw lines} from an aucoalesce YAML file.

    The files have one shape: `tests:`, then `  name: |` and the block of
    lines indented by four spaces.  Comments and blank lines are dropped.
    """
    tests = {}
    name = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if line.startswith("    ") and name is not None:
                tests[name].append(stripped)
            elif line.startswith("  ") and stripped.endswith("|"):
                name = stripped[:-1].rstrip().rstrip(":").strip()
                if name[:1] in "\"'":
                    name = name[1:-1]
                tests[name] = []
    return tests


def expected_ses(session):
    if session is None or session == "unset":
        return None
    return int(session)


def compare_golibaudit(binary, peers):
    base = os.path.join(peers, "go-libaudit", "aucoalesce", "testdata")
    for yaml_path in sorted(glob.glob(os.path.join(base, "*.yaml"))):
        golden_path = yaml_path[:-len(".yaml")] + ".json.golden"
        if not os.path.exists(golden_path):
            continue
        tests = yaml_tests(yaml_path)
        with open(golden_path, encoding="utf-8") as f:
            golden = json.load(f)
        stem = os.path.basename(yaml_path)[:-len(".yaml")]
        for case in golden:
            name = f"go-libaudit {stem} {case['test_name']}"
            want = case["event"]
            rtype = want.get("record_type")
            syscall = want.get("data", {}).get("syscall")
            if rtype == "syscall" and syscall in ("execve", "execveat"):
                kinds = {"exec"}
            elif rtype in KIND_OF_RECORD:
                kinds = KIND_OF_RECORD[rtype]
            else:
                skip("record type has no sshtrail event", name)
                continue
            lines = tests.get(case["test_name"])
            if lines is None:
                report(False, name, "test not found in the YAML file")
                continue
            ours = [e for e in run_events(binary, "\n".join(lines) + "\n")
                    if e.get("kind") in kinds]
            if len(ours) != 1:
                report(False, name, f"{len(ours)} events of kind {kinds}")
                continue
            check_and_report(name, want, ours[0])


def check_and_report(name, want, got):
    problems = []
    ses = expected_ses(want.get("session"))
    if got.get("ses") != ses:
        problems.append(f"ses {got.get('ses')} != {ses}")
    process = want.get("process", {})
    if "exe" in process and got.get("exe") != process["exe"]:
        problems.append(f"exe {got.get('exe')!r} != {process['exe']!r}")
    if "args" in process and got.get("argv") != process["args"]:
        problems.append(f"argv {got.get('argv')} != {process['args']}")
    result = RESULT.get(want.get("result"))
    if got.get("result") != result:
        problems.append(f"result {got.get('result')} != {result}")
    report(not problems, name, "; ".join(problems))


def id_or_none(value):
    return None if value is None or value == UNSET else value


def compare_laurel(binary, peers):
    base = os.path.join(peers, "laurel", "src", "testdata")
    for txt in sorted(glob.glob(os.path.join(base, "record-*.txt"))):
        golden = txt[:-len(".txt")] + ".json"
        if not os.path.exists(golden):
            continue
        stem = os.path.basename(txt)[:-len(".txt")]
        with open(txt, encoding="utf-8", errors="surrogateescape") as f:
            ours = run_events(binary, f.read())
        with open(golden, encoding="utf-8") as f:
            expected = [json.loads(l) for l in f if l.strip()]
        for want in expected:
            serial = int(want["ID"].split(":")[1])
            name = f"laurel {stem} {want['ID']}"
            mine = [e for e in ours if e.get("serial") == serial]
            sc = want.get("SYSCALL", {})
            if sc.get("SYSCALL") in ("execve", "execveat") or (
                    sc.get("syscall") in (59, 322)
                    and sc.get("arch") == "0xc000003e"):
                check_laurel_exec(name, want, mine)
            elif "LOGIN" in want:
                check_laurel_login(name, want, mine)
            else:
                skip("event is neither execve nor LOGIN", name)


def check_laurel_exec(name, want, mine):
    got = [e for e in mine if e.get("kind") == "exec"]
    if len(got) != 1:
        report(False, name, f"{len(got)} exec events")
        return
    got = got[0]
    sc = want["SYSCALL"]
    problems = []
    for key in ("pid", "ppid", "ses", "auid"):
        if got.get(key) != id_or_none(sc.get(key)):
            problems.append(f"{key} {got.get(key)} != {sc.get(key)}")
    argv = want.get("EXECVE", {}).get("ARGV")
    if argv is not None and got.get("argv") != argv:
        problems.append(f"argv differs ({len(got.get('argv') or [])} "
                        f"vs {len(argv)} args)")
    report(not problems, name, "; ".join(problems))


def check_laurel_login(name, want, mine):
    got = [e for e in mine if e.get("kind") == "login_assign"]
    login = want["LOGIN"][0] if isinstance(want["LOGIN"], list) \
        else want["LOGIN"]
    if len(got) != 1:
        report(False, name, f"{len(got)} login_assign events")
        return
    got = got[0]
    problems = []
    for key in ("pid", "auid", "ses"):
        if got.get(key) != id_or_none(login.get(key)):
            problems.append(f"{key} {got.get(key)} != {login.get(key)}")
    report(not problems, name, "; ".join(problems))


def main():
    peers = os.environ.get("SSHTRAIL_PEERS")
    binary = os.environ.get("SSHTRAIL_BIN", "build/sshtrail")
    if not peers or not os.path.isdir(peers):
        print("SKIP peer_audit: set SSHTRAIL_PEERS to the peer-suites folder")
        return 0
    if not os.access(binary, os.X_OK):
        print(f"SKIP peer_audit: {binary} is not built")
        return 0
    help_text = subprocess.run([binary, "events", "--help"],
                               capture_output=True, text=True)
    if "events" not in help_text.stdout + help_text.stderr:
        print(f"SKIP peer_audit: {binary} has no events command")
        return 0

    compare_golibaudit(binary, peers)
    compare_laurel(binary, peers)
    for reason, names in sorted(skips.items()):
        print(f"SKIP peer_audit: {len(names)} cases, {reason}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
