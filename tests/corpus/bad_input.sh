#!/usr/bin/env bash
# Runs sshtrail on hostile and broken inputs and checks that it never
# crashes, that every output line is valid UTF-8 JSON, that the summary
# names the lines it did not understand, and that usage errors and exit
# codes follow `sshtrail --help`.  Hostile files are generated into a
# temporary folder; small hand-written fixtures live in tests/fixtures/bad.
#
# Prints one PASS, FAIL or SKIP line per case.  SSHTRAIL_BIN names the
# binary (default build/sshtrail).  When valgrind is installed, a few runs
# repeat under it and a definite leak or memory error is a failure.
set -u
# PCRE2's JIT code looks uninitialised to valgrind; the interpreter runs
# the same expressions.
export SSHTRAIL_PCRE2_JIT=0
cd "$(dirname "$0")/../.."
root=$PWD
bin=${SSHTRAIL_BIN:-$root/build/sshtrail}
fixtures=$root/tests/fixtures/bad
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

if [ ! -x "$bin" ]; then
    echo "FAIL bad_input/setup: $bin is missing; run make first"
    exit 1
fi

pass() { echo "PASS bad_input/$1"; }
fail() { echo "FAIL bad_input/$1: $2"; }

# check_json.py FILE: every line must be valid UTF-8 and parse as JSON.
cat >"$tmp/check_json.py" <<'EOF'
import json, sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("output is not valid UTF-8 at byte %d" % e.start)
for number, line in enumerate(text.split("\n"), 1):
    if line == "":
        continue
    try:
        json.loads(line)
    except ValueError as e:
        sys.exit("output line %d is not JSON: %s" % (number, e))
EOF

# check_text.py FILE: no ESC, no C0 control other than LF, no DEL and no
# C1 control (U+0080..U+009F) may reach a terminal.
cat >"$tmp/check_text.py" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
for i, b in enumerate(data):
    if (b < 0x20 and b != 0x0a) or b == 0x7f:
        sys.exit("control byte 0x%02x at offset %d" % (b, i))
    if b == 0xc2 and i + 1 < len(data) and 0x80 <= data[i + 1] < 0xa0:
        sys.exit("C1 control U+%04X at offset %d" % (data[i + 1], i))
EOF

# run NAME EXPECTED_CODES ARGS...: runs sshtrail in $tmp with stdout in
# $tmp/out and stderr in $tmp/err, and checks the exit code (one of the
# space-separated EXPECTED_CODES) and the JSON output.  Returns 1 after
# printing FAIL, 0 otherwise (PASS is left to the caller).
run() {
    local name=$1 expected=$2
    shift 2
    (cd "$tmp" && "$bin" "$@" >out 2>err)
    rc=$?
    if [ "$rc" -ge 128 ]; then
        fail "$name" "killed by signal $((rc - 128)): sshtrail $*"
        return 1
    fi
    case " $expected " in
    *" $rc "*) ;;
    *)
        fail "$name" "exit code $rc, expected $expected: sshtrail $*;" \
            "stderr: $(head -c 300 "$tmp/err")"
        return 1
        ;;
    esac
    local msg
    case " $* " in
    *" --output text "*) return 0 ;;
    esac
    if ! msg=$(python3 "$tmp/check_json.py" "$tmp/out" 2>&1); then
        fail "$name" "$msg: sshtrail $*"
        return 1
    fi
    return 0
}

# ---- Hostile files ----------------------------------------------------

python3 - "$tmp" <<'EOF'
import os, random, sys
d = sys.argv[1]
hdr = "2024-03-10T12:00:%02d+00:00 web01 sshd[%d]: "

def line(sec, pid, text):
    return (hdr % (sec, pid)).encode() + text + b"\n"

# One 3 MiB line between two ordinary ones.
with open(os.path.join(d, "longline.log"), "wb") as f:
    f.write(line(1, 100, b"Invalid user alice from 192.0.2.1 port 22"))
    f.write(line(2, 101, b"Invalid user " + b"A" * (3 << 20) +
                 b" from 192.0.2.2 port 22"))
    f.write(line(3, 102, b"Invalid user bob from 192.0.2.3 port 22"))

# NUL bytes inside lines and a line of NULs.
with open(os.path.join(d, "nul.log"), "wb") as f:
    f.write(line(1, 100, b"Accepted password for al\0ice from 192.0.2.1 "
                 b"port 22 ssh2"))
    f.write(line(2, 101, b"Invalid user \0\0 from 192.0.2.2 port 22"))
    f.write(b"\0\0\0\n")
    f.write(b"node=web01 type=USER_LOGIN msg=audit(1710072000.1:5): "
            b"pid=1 uid=0 acct=\"a\0b\" res=success\n")

# Invalid UTF-8 in user names (sshd) and in commands (audit, hex form).
with open(os.path.join(d, "badutf8.log"), "wb") as f:
    for i, user in enumerate([b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80",
                              b"caf\xc3", b"\xf4\x90\x80\x80x"]):
        f.write(line(i, 200 + i, b"Invalid user " + user +
                     b" from 192.0.2.9 port 22"))
with open(os.path.join(d, "badutf8_audit.log"), "wb") as f:
    f.write(b"node=web01 type=SYSCALL msg=audit(1710072005.000:300): "
            b"arch=c000003e syscall=59 success=yes exit=0 items=2 ppid=1 "
            b"pid=2 auid=1000 uid=1000 ses=7 comm=FFFE "
            b"exe=2F746D702FC0AF key=(null)\n")
    f.write(b"node=web01 type=EXECVE msg=audit(1710072005.000:300): argc=2 "
            b"a0=C0AF a1=\"\xff\xfe\"\n")
    f.write(b"node=web01 type=EOE msg=audit(1710072005.000:300): \n")

# 200000 bytes of seeded random data.
rng = random.Random(20240310)
with open(os.path.join(d, "garbage.bin"), "wb") as f:
    f.write(bytes(rng.getrandbits(8) for _ in range(200000)))

# Audit logs cut mid-record and mid-event (no EOE).
event = (b"node=web01 type=SYSCALL msg=audit(1710072005.000:102): "
         b"arch=c000003e syscall=59 success=yes exit=0 items=2 ppid=4250 "
         b"pid=4251 auid=1000 uid=1000 ses=7 comm=\"id\" "
         b"exe=\"/usr/bin/id\"\n"
         b"node=web01 type=EXECVE msg=audit(1710072005.000:102): argc=1 "
         b"a0=\"id\"\n")
with open(os.path.join(d, "cut_record.log"), "wb") as f:
    f.write(event + b"node=web01 type=EOE msg=audit(1710072005.000:102): \n")
    f.write(b"node=web01 type=SYSCALL msg=audit(1710072006.000:103): "
            b"arch=c000003e sysc")
with open(os.path.join(d, "cut_event.log"), "wb") as f:
    f.write(event)

with open(os.path.join(d, "newline.log"), "wb") as f:
    f.write(b"\n")
open(os.path.join(d, "empty.log"), "wb").close()
os.mkdir(os.path.join(d, "folder"))
EOF

# ---- Every command and format on every hostile file -------------------

# The first line numbers the summary must name for files that are mostly
# not understood, per forced format.
declare -A first_bad=(
    [garbage.bin:sshd]="garbage.bin:1"
    [garbage.bin:audit]="garbage.bin:1"
    [longline.log:sshd]="longline.log:2"
    [badutf8.log:audit]="badutf8.log:1"
    [cut_event.log:sshd]="cut_event.log:1"
)

for file in longline.log nul.log badutf8.log badutf8_audit.log garbage.bin \
    cut_record.log cut_event.log newline.log empty.log; do
    for fmt in sshd audit auto; do
        for cmd in events sessions detect; do
            name="$cmd-$fmt-$file"
            if [ "$fmt" = auto ]; then
                # Detection may reject a file whose first lines fit no
                # format; that is exit 3, never a crash.
                run "$name" "0 3" "$cmd" --year 2024 "$file" || continue
            else
                run "$name" "0" "$cmd" --year 2024 --format "$fmt" \
                    "$file" || continue
            fi
            where=${first_bad[$file:$fmt]:-}
            if [ -n "$where" ]; then
                if ! grep -Eq 'not understood: [1-9]' "$tmp/err"; then
                    fail "$name" "summary counts no line not understood"
                    continue
                fi
                if ! grep -q "$where" "$tmp/err"; then
                    fail "$name" "summary does not name $where"
                    continue
                fi
            fi
            pass "$name"
        done
    done
done

# The lines around the 3 MiB line survive intact.
run longline-neighbours 0 events --format sshd longline.log &&
    if grep -q '"user":"alice"' "$tmp/out" &&
        grep -q '"user":"bob"' "$tmp/out" &&
        [ "$(wc -c <"$tmp/out")" -lt 100000 ]; then
        pass longline-neighbours
    else
        fail longline-neighbours "alice and bob events expected, and no" \
            "output line near 3 MiB"
    fi

# The event cut off before its EOE is still written at end of input.
run cut-event-flushed 0 events --format audit cut_record.log &&
    if grep -q '"argv":\["id"\]' "$tmp/out"; then
        pass cut-event-flushed
    else
        fail cut-event-flushed "the complete execve event is missing"
    fi

# ---- Inputs that cannot be read ---------------------------------------

cp "$fixtures/finding_sshd.log" "$tmp/good.log"
for cmd in events sessions detect; do
    run "$cmd-folder" 3 "$cmd" folder good.log &&
        if grep -q folder "$tmp/err" && [ -s "$tmp/out" -o "$cmd" = detect ]
        then
            pass "$cmd-folder"
        else
            fail "$cmd-folder" "no message naming the folder, or the" \
                "other input was not processed"
        fi
    run "$cmd-missing" 3 "$cmd" no-such-file.log good.log &&
        if grep -q no-such-file.log "$tmp/err" &&
            grep -q 'input good.log' "$tmp/err"; then
            pass "$cmd-missing"
        else
            fail "$cmd-missing" "no message naming the missing file, or" \
                "good.log was not processed"
        fi
done
run events-missing-output 3 events no-such-file.log good.log &&
    if grep -q '"kind":"auth_success"' "$tmp/out"; then
        pass events-missing-output
    else
        fail events-missing-output "events of good.log are missing"
    fi

# An unreadable file.  Root reads any file, so as root the run switches to
# the unprivileged user 65534 (nobody) for the permissions to apply.
cp "$fixtures/finding_sshd.log" "$tmp/locked.log"
chmod 000 "$tmp/locked.log"
chmod 755 "$tmp"
chmod 644 "$tmp/good.log"
as_user=()
if [ "$(id -u)" = 0 ]; then
    if command -v setpriv >/dev/null; then
        as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    fi
fi
if [ "$(id -u)" = 0 ] && [ ${#as_user[@]} -eq 0 ]; then
    echo "SKIP bad_input/unreadable: running as root without setpriv"
else
    (cd "$tmp" && "${as_user[@]}" "$bin" events locked.log good.log \
        >out 2>err)
    rc=$?
    if [ "$rc" = 3 ] && grep -q locked.log "$tmp/err" &&
        grep -q '"kind":"auth_success"' "$tmp/out"; then
        pass unreadable
    else
        fail unreadable "exit code $rc, expected 3 with a message naming" \
            "locked.log: $(head -c 300 "$tmp/err")"
    fi
fi

# ---- Usage errors ------------------------------------------------------

# usage NAME WORD ARGS...: expects exit 2, a message containing WORD and
# a pointer to --help.
usage() {
    local name=$1 word=$2
    shift 2
    (cd "$tmp" && "$bin" "$@" >out 2>err)
    rc=$?
    if [ "$rc" != 2 ]; then
        fail "usage-$name" "exit code $rc, expected 2: sshtrail $*"
    elif ! grep -qF -- "$word" "$tmp/err"; then
        fail "usage-$name" "message does not name '$word':" \
            "$(head -c 300 "$tmp/err")"
    elif ! grep -qF -- "--help" "$tmp/err"; then
        fail "usage-$name" "message does not point to --help"
    elif [ -s "$tmp/out" ]; then
        fail "usage-$name" "wrote to stdout"
    else
        pass "usage-$name"
    fi
}

usage unknown-command frob frob good.log
usage missing-command command
usage unknown-option --bogus events --bogus good.log
usage bad-window 5x detect --window 5x good.log
usage nan-window nan detect --window nan good.log
usage negative-window -5s detect --window=-5s good.log
usage bad-timezone Mars/Base detect --timezone Mars/Base good.log
usage path-timezone /etc/passwd detect --timezone /etc/passwd good.log
usage folder-timezone Europe detect --timezone Europe good.log
usage since-after-until --since detect --since 2024-03-11T00:00:00Z \
    --until 2024-03-10T00:00:00Z good.log
usage bad-since 2024-02-30 detect --since 2024-02-30T00:00:00Z good.log
usage no-files input detect
usage bad-format nosuch events --format nosuch good.log
usage bad-output xml events --output xml good.log

# ---- Findings and --fail-on-findings ----------------------------------

cp "$fixtures/finding_audit.log" "$tmp/audit.log"
run finding-text 0 detect --output text good.log audit.log &&
    if grep -q 'alice@web01' "$tmp/out" && grep -q '/usr/bin/id' "$tmp/out"
    then
        pass finding-text
    else
        fail finding-text "no finding for alice@web01 running /usr/bin/id"
    fi
run fail-on-findings 1 detect --fail-on-findings good.log audit.log &&
    pass fail-on-findings
run fail-on-findings-missing 3 detect --fail-on-findings good.log audit.log \
    no-such-file.log && pass fail-on-findings-missing
run fail-on-findings-none 0 detect --fail-on-findings good.log &&
    pass fail-on-findings-none

# ---- Injection through user names and arguments -----------------------

cp "$fixtures/inject_sshd.log" "$fixtures/inject_audit.log" "$tmp/"
for cmd in events sessions detect; do
    run "inject-$cmd-json" 0 "$cmd" good.log audit.log inject_sshd.log \
        inject_audit.log || continue
    if forged=$(python3 - "$tmp/out" <<'EOF'
import json, sys
bad = []
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k in ("src_ip", "ip") and isinstance(x, str) and \
                    x not in ("192.0.2.10", "198.51.100.7"):
                bad.append(x)
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
for line in open(sys.argv[1], encoding="utf-8"):
    walk(json.loads(line))
    if '"root"' in line and "auth_success" in line:
        bad.append("forged login for root")
print(" ".join(bad))
sys.exit(1 if bad else 0)
EOF
    ); then
        pass "inject-$cmd-json"
    else
        fail "inject-$cmd-json" "forged address or login: $forged"
    fi
done
run inject-events-count 0 events --format sshd inject_sshd.log &&
    if [ "$(grep -c '"src_ip":"198.51.100.7"' "$tmp/out")" = \
        "$(wc -l <"$tmp/inject_sshd.log")" ]; then
        pass inject-events-count
    else
        fail inject-events-count "every injected line must yield one" \
            "event from 198.51.100.7"
    fi

for cmd in events sessions detect; do
    run "inject-$cmd-text" 0 "$cmd" --output text good.log audit.log \
        inject_sshd.log inject_audit.log || continue
    if msg=$(python3 "$tmp/check_text.py" "$tmp/out" 2>&1); then
        if [ -s "$tmp/out" ]; then
            pass "inject-$cmd-text"
        else
            fail "inject-$cmd-text" "no text output"
        fi
    else
        fail "inject-$cmd-text" "$msg"
    fi
    # The summary on stderr reaches a terminal too.
    if msg=$(python3 "$tmp/check_text.py" "$tmp/err" 2>&1); then
        pass "inject-$cmd-stderr"
    else
        fail "inject-$cmd-stderr" "$msg"
    fi
done

# ---- Memory errors and leaks under valgrind ---------------------------

if ! command -v valgrind >/dev/null; then
    echo "SKIP bad_input/valgrind: valgrind is not installed"
else
    for args in "events --format sshd longline.log" \
        "events --format sshd garbage.bin" \
        "detect --format audit garbage.bin" \
        "sessions --format audit cut_record.log" \
        "detect badutf8.log badutf8_audit.log nul.log" \
        "detect --output text good.log audit.log inject_sshd.log inject_audit.log" \
        "detect good.log no-such-file.log folder"; do
        # shellcheck disable=SC2086
        (cd "$tmp" && valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite "$bin" $args >out 2>err)
        rc=$?
        name="valgrind-${args// /-}"
        if [ "$rc" = 99 ] || [ "$rc" -ge 128 ]; then
            fail "$name" "exit $rc: $(grep -m3 '==[0-9]*==' "$tmp/err")"
        else
            pass "$name"
        fi
    done
fi
exit 0
