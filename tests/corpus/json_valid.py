#!/usr/bin/env python3
"""Checks that sshtrail writes valid JSON for every real log it is given.

Inputs: every file under $SSHTRAIL_CORPUS (the Markdown description
files excepted) and the raw log files of the peer suites under
$SSHTRAIL_PEERS: files named *.log, and files without an extension in a
folder named "logs".  Each input is run through `events`, `sessions` and
`detect` with `--year 2024 --output json`, and each run must exit 0 and
write only valid UTF-8 lines that parse as JSON objects.  Events must
carry "time" (RFC 3339 in UTC, ending in Z), "kind" and "origin".

Prints one PASS/FAIL line per input and command, named by the input's path
below its root folder, or one SKIP line when neither variable names a
folder.
"""
import json
import os
import subprocess
import sys

COMMANDS = ("events", "sessions", "detect")
EVENT_KEYS = ("time", "kind", "origin")
RUN_TIMEOUT_S = 120


def corpus_files(root):
    """Returns the corpus inputs under root, sorted."""
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            if not name.endswith(".md"):
                found.append(os.path.join(folder, name))
    return sorted(found)


def peer_log_files(root):
    """Returns the peer suites' raw logs under root, sorted."""
    found = []
    for folder, _, names in os.walk(root):
        in_logs = os.path.basename(folder) == "logs"
        for name in names:
            if name.endswith(".log") or (in_logs and "." not in name):
                found.append(os.path.join(folder, name))
    return sorted(found)


def check_event(number, ev):
    """Returns a problem with one event object, or None."""
    missing = [key for key in EVENT_KEYS if key not in ev]
    if missing:
        return f"line {number}: missing {', '.join(missing)}"
    if not isinstance(ev["time"], str) or not ev["time"].endswith("Z"):
        return f"line {number}: time {ev['time']!r} does not end in Z"
    if not isinstance(ev["origin"], dict):
        return f"line {number}: origin is not an object"
    return None


def check_run(binary, command, path):
    """Runs one command on one input; returns a problem or None."""
    argv = [binary, command, "--year", "2024", "--output", "json", path]
    try:
        done = subprocess.run(argv, capture_output=True, check=False,
                              timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"timed out after {RUN_TIMEOUT_S} s"
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip()
        first = stderr.splitlines()[0] if stderr else ""
        return f"exit code {done.returncode}: {first}"
    try:
        text = done.stdout.decode("utf-8")
    except UnicodeDecodeError as err:
        return f"output is not valid UTF-8 at byte {err.start}"
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as err:
            return f"line {number} is not JSON: {err}"
        if not isinstance(value, dict):
            return f"line {number} is not a JSON object"
        if command == "events":
            problem = check_event(number, value)
            if problem:
                return problem
    return None


def main():
    binary = os.environ.get("SSHTRAIL_BIN", "build/sshtrail")
    roots = []
    for variable, lister in (("SSHTRAIL_CORPUS", corpus_files),
                             ("SSHTRAIL_PEERS", peer_log_files)):
        root = os.environ.get(variable, "")
        if root and os.path.isdir(root):
            roots.append((root, lister))
    if not roots:
        print("SKIP json_valid: neither SSHTRAIL_CORPUS nor SSHTRAIL_PEERS "
              "names a folder")
        return 0
    if not os.access(binary, os.X_OK):
        print(f"FAIL json_valid: {binary} is missing; run make first")
        return 1

    for root, lister in roots:
        label = os.path.basename(os.path.normpath(root))
        for path in lister(root):
            name = f"{label}/{os.path.relpath(path, root)}"
            for command in COMMANDS:
                problem = check_run(binary, command, path)
                if problem:
                    print(f"FAIL json_valid/{command}:{name}: {problem}")
                else:
                    print(f"PASS json_valid/{command}:{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
