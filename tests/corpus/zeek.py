#!/usr/bin/env python3
"""Checks the zeek format against the real ssh.log under $SSHTRAIL_CORPUS.

Cases:
  tsv    zeek/*.log read by a plain Python reader of Zeek's TSV (headers,
         "-" unset): every data row must give one net_ssh event with the
         same time, uid, addresses, ports and auth outcome.
  json   the same rows rewritten as Zeek JSON lines (numeric ts, numeric
         ports, boolean auth_success, unset fields left out) must give the
         same events as the TSV.

Prints one PASS/FAIL/SKIP line per case.  Runs $SSHTRAIL_BIN events.
"""
import datetime
import glob
import json
import os
import subprocess
import sys
import tempfile


def read_tsv(path):
    """Returns the data rows of a Zeek TSV log as dicts (None for unset)."""
    fields, rows = [], []
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, start=1):
            text = text.rstrip("\n")
            if text.startswith("#fields\t"):
                fields = text.split("\t")[1:]
            elif text and not text.startswith("#"):
                values = [None if v == "-" else v for v in text.split("\t")]
                row = dict(zip(fields, values))
                row["_line"] = number
                rows.append(row)
    return rows


def run_events(binary, path):
    out = subprocess.run([binary, "events", "--format", "zeek", "--output",
                          "json", "--quiet", path], capture_output=True,
                         text=True, check=False)
    events = [json.loads(t) for t in out.stdout.splitlines() if t.strip()]
    return out.returncode, {e["origin"]["line"]: e for e in events}


def expected(row):
    """Returns the event fields expected for one ssh.log row."""
    ts = float(row["ts"])
    stamp = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    want = {
        "kind": "net_ssh",
        "time": stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "logon_id": row["uid"],
        "src_ip": row["id.orig_h"],
        "src_port": int(row["id.orig_p"]),
        "dst_ip": row["id.resp_h"],
        "dst_port": int(row["id.resp_p"]),
    }
    result = {"T": "success", "F": "failure"}.get(row.get("auth_success"))
    if result:
        want["result"] = result
    return want


def compare(rows, events, line_of):
    problems = []
    for index, row in enumerate(rows):
        ev = events.get(line_of(index, row))
        if ev is None:
            problems.append("line %d: no event" % row["_line"])
            continue
        for key, value in expected(row).items():
            if ev.get(key) != value:
                problems.append("line %d: %s is %r, expected %r"
                                % (row["_line"], key, ev.get(key), value))
        if "result" not in expected(row) and "result" in ev:
            problems.append("line %d: result %r for unset auth_success"
                            % (row["_line"], ev["result"]))
        if "host" in ev:
            problems.append("line %d: a network sensor event has a host"
                            % row["_line"])
    if len(events) != len(rows):
        problems.append("%d events for %d rows" % (len(events), len(rows)))
    return problems


def to_json(row):
    """Returns the row as Zeek writes it with LogAscii::use_json=T."""
    obj = {}
    for key, value in row.items():
        if key == "_line" or value is None:
            continue
        if key == "ts":
            obj[key] = float(value)
        elif key in ("id.orig_p", "id.resp_p", "version", "auth_attempts"):
            obj[key] = int(value)
        elif key == "auth_success":
            obj[key] = value == "T"
        else:
            obj[key] = value
    return json.dumps(obj, separators=(",", ":"))


def report(name, problems):
    for p in problems[:20]:
        print("  " + p)
    if problems:
        print("FAIL %s: %d differences" % (name, len(problems)))
    else:
        print("PASS %s" % name)


def main():
    binary = os.environ.get("SSHTRAIL_BIN", "build/sshtrail")
    corpus = os.environ.get("SSHTRAIL_CORPUS")
    paths = sorted(glob.glob(os.path.join(corpus or "", "zeek", "*.log")))
    if not corpus or not paths:
        print("SKIP zeek/tsv: SSHTRAIL_CORPUS/zeek not found")
        print("SKIP zeek/json: SSHTRAIL_CORPUS/zeek not found")
        return 0
    for path in paths:
        name = os.path.basename(path)
        rows = read_tsv(path)
        rc, events = run_events(binary, path)
        problems = [] if rc == 0 else ["exit status %d" % rc]
        report("zeek/tsv " + name,
               problems + compare(rows, events, lambda i, r: r["_line"]))

        with tempfile.NamedTemporaryFile("w", suffix=".json") as tmp:
            tmp.write("".join(to_json(r) + "\n" for r in rows))
            tmp.flush()
            rc, events = run_events(binary, tmp.name)
            problems = [] if rc == 0 else ["exit status %d" % rc]
            report("zeek/json " + name,
                   problems + compare(rows, events, lambda i, r: i + 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
