#!/usr/bin/env python3
"""Checks the ecs format against real Beats output.

Cases:
  legacy      $SSHTRAIL_CORPUS/ecs-json: Filebeat 6.x output of the system
              auth test log, a pretty-printed JSON array with flat dotted
              keys.  Every object with system.auth.ssh.event Accepted,
              Failed or Invalid must give one sshd event with the same
              user, address, port and pid, and every allowed sudo command
              one exec event.
  roundtrip   $SSHTRAIL_PEERS: elastic-integrations' expected ECS output of
              its system auth pipeline test, fed back as one object per
              line and as a pretty-printed array.  Every ssh_login object
              must give an sshd event with the same user, source address,
              port, pid and outcome, and these must equal the events the
              sshd format reads from the pipeline's input log.

Prints one PASS/FAIL/SKIP line per case.  Runs $SSHTRAIL_BIN events.
"""
import json
import os
import subprocess
import sys
import tempfile

ELASTIC_DIR = ("elastic-integrations/packages/system/data_stream/auth/"
               "_dev/test/pipeline")
SSH_KINDS = {"auth_success", "auth_failure", "invalid_user"}
OUTCOME_KIND = {("success", "Accepted"): "auth_success",
                ("failure", "Failed"): "auth_failure",
                ("failure", "Invalid"): "invalid_user"}


def run_events(binary, path, fmt, *extra):
    out = subprocess.run([binary, "events", "--format", fmt, "--output",
                          "json", "--quiet", *extra, path],
                         capture_output=True, text=True, check=False)
    events = [json.loads(t) for t in out.stdout.splitlines() if t.strip()]
    return out.returncode, events


def flat(obj, prefix=""):
    """Returns a nested object as {dotted key: value}."""
    out = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            out.update(flat(value, prefix + key + "."))
        else:
            out[prefix + key] = value
    return out


def as_int(value):
    return None if value is None else int(value)


def ssh_key(ev):
    return (ev["kind"], ev.get("user"), ev.get("src_ip"), ev.get("src_port"),
            ev.get("pid"))


def report(name, problems):
    for p in problems[:20]:
        print("  " + p)
    if problems:
        print("FAIL %s: %d differences" % (name, len(problems)))
    else:
        print("PASS %s" % name)


def check_legacy(binary, path):
    with open(path, encoding="utf-8") as f:
        objects = [flat(o) for o in json.load(f)]
    rc, events = run_events(binary, path, "ecs")
    problems = [] if rc == 0 else ["exit status %d" % rc]
    want = []
    for o in objects:
        kind = {"Accepted": "auth_success", "Failed": "auth_failure",
                "Invalid": "invalid_user"}.get(o.get("system.auth.ssh.event"))
        if kind:
            want.append((kind, o.get("system.auth.user"),
                         o.get("system.auth.ssh.ip"),
                         as_int(o.get("system.auth.ssh.port")),
                         as_int(o.get("system.auth.pid"))))
    got = [ssh_key(e) for e in events if e["kind"] in SSH_KINDS]
    if sorted(got, key=str) != sorted(want, key=str):
        problems.append("sshd events %s, expected %s" % (got, want))
    if any(e.get("program") != "sshd" for e in events
           if e["kind"] in SSH_KINDS):
        problems.append("an sshd event without program sshd")
    sudo_want = sorted(o["system.auth.sudo.command"] for o in objects
                       if "system.auth.sudo.command" in o and
                       "system.auth.sudo.error" not in o)
    sudo_got = sorted(e.get("cmd_line") for e in events
                      if e["kind"] == "exec")
    if sudo_got != sudo_want:
        problems.append("sudo commands %s, expected %s"
                        % (sudo_got, sudo_want))
    report("ecs/legacy " + os.path.basename(path), problems)


def check_roundtrip(binary, folder):
    with open(os.path.join(folder, "test-auth.log-expected.json"),
              encoding="utf-8") as f:
        objects = json.load(f)["expected"]
    want = []
    for o in objects:
        fo = flat(o)
        if fo.get("event.action") != "ssh_login":
            continue
        kind = OUTCOME_KIND[(fo.get("event.outcome"),
                             fo.get("system.auth.ssh.event"))]
        want.append((kind, fo.get("user.name"), fo.get("source.ip"),
                     as_int(fo.get("source.port")),
                     as_int(fo.get("process.pid"))))
    _rc, sshd_events = run_events(binary, os.path.join(folder,
                                                       "test-auth.log"),
                                  "sshd", "--year", "2025")
    # The expected objects follow the log's lines in order.  The sshd
    # format also reads "error: PAM: User not known ... for illegal user",
    # which Elastic leaves without event.action, so only the lines whose
    # object is an ssh_login are compared.
    login_lines = {i + 1 for i, o in enumerate(objects)
                   if flat(o).get("event.action") == "ssh_login"}
    from_sshd = [ssh_key(e) for e in sshd_events if e["kind"] in SSH_KINDS
                 and e["origin"]["line"] in login_lines]

    with tempfile.TemporaryDirectory() as tmp:
        lines = os.path.join(tmp, "lines.json")
        with open(lines, "w", encoding="utf-8") as f:
            f.write("".join(json.dumps(o) + "\n" for o in objects))
        pretty = os.path.join(tmp, "pretty.json")
        with open(pretty, "w", encoding="utf-8") as f:
            json.dump(objects, f, indent=4)
        for name, path in (("lines", lines), ("pretty", pretty)):
            rc, events = run_events(binary, path, "ecs")
            problems = [] if rc == 0 else ["exit status %d" % rc]
            got = [ssh_key(e) for e in events if e["kind"] in SSH_KINDS]
            if sorted(got, key=str) != sorted(want, key=str):
                problems.append("ecs events %s, expected %s" % (got, want))
            if sorted(got, key=str) != sorted(from_sshd, key=str):
                problems.append("ecs events %s, sshd format gives %s"
                                % (got, from_sshd))
            report("ecs/roundtrip_" + name, problems)


def main():
    binary = os.environ.get("SSHTRAIL_BIN", "build/sshtrail")
    corpus = os.environ.get("SSHTRAIL_CORPUS")
    legacy = os.path.join(corpus or "", "ecs-json",
                          "beats-filebeat-system-auth-legacy.json")
    if corpus and os.path.isfile(legacy):
        check_legacy(binary, legacy)
    else:
        print("SKIP ecs/legacy: SSHTRAIL_CORPUS/ecs-json not found")

    peers = os.environ.get("SSHTRAIL_PEERS")
    folder = os.path.join(peers or "", ELASTIC_DIR)
    if peers and os.path.isdir(folder):
        check_roundtrip(binary, folder)
    else:
        print("SKIP ecs/roundtrip: SSHTRAIL_PEERS elastic-integrations "
              "not found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
