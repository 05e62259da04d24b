#!/usr/bin/env bash
# Live end-to-end test.  It runs a real sshd, auditd and rsyslogd on this
# machine and logs in twice over SSH on 127.0.0.1 as a temporary user.  Then
# it checks that `sshtrail sessions` and `sshtrail detect` rebuild both
# sessions from the auth.log and audit.log those daemons wrote.
#
# It needs root, the kernel audit subsystem (CAP_AUDIT_CONTROL) and a free
# /dev/log, and changes global state while it runs: it enables kernel
# auditing, replaces the audit rules, owns /dev/log, creates /run/sshd and
# adds a user.  A trap stops every daemon it started and restores that state
# on any exit.
#
# Output: one line per check, "PASS live/<case>", "FAIL live/<case>: reason"
# or "SKIP live...: reason", as tests/run.sh counts them.  The exit status is
# 1 when a check failed and 0 otherwise.
#
# Environment:
#   SSHTRAIL_BIN        sshtrail binary (default build/sshtrail)
#   SSHTRAIL_LIVE_KEEP  folder to copy the captured logs and the expected
#                       values into, for debugging (unset: keep nothing)
#   SSHTRAIL_LIVE_AUDIT_FORMAT  auditd log_format, ENRICHED (Debian's
#                       default) or RAW
set -u

cd "$(dirname "$0")/../.."
bin=${SSHTRAIL_BIN:-build/sshtrail}
case $bin in
/*) ;;
*) bin=$PWD/$bin ;;
esac
audit_format=${SSHTRAIL_LIVE_AUDIT_FORMAT:-ENRICHED}
audit_key=sshtrail_live
wait_seconds=30
failures=0

pass() {
    echo "PASS live/$1"
}

# Print a FAIL line.  Usage: fail CASE REASON...
fail() {
    local name=$1
    shift
    echo "FAIL live/$name: $*"
    failures=$((failures + 1))
}

# Print a SKIP line for the whole test and stop.  The trap still cleans up
# whatever was started before the reason to skip was found.
skip_all() {
    echo "SKIP live: $1"
    exit 0
}

# Print the first few lines of a file on stderr to explain a failure.
show() {
    [ -f "$1" ] && sed -n "1,${2:-20}p" "$1" >&2
}

# ---------------------------------------------------------------------------
# Preconditions

if [ "$(id -u)" != 0 ]; then
    skip_all "not root"
fi

missing=
for tool in sshd ssh ssh-keygen auditd auditctl rsyslogd jq useradd userdel \
    ss timeout hostname; do
    if ! PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null 2>&1; then
        missing="$missing $tool"
    fi
done
if [ -n "$missing" ]; then
    skip_all "missing programs:$missing"
fi
PATH=$PATH:/usr/sbin:/sbin
sshd_bin=$(command -v sshd)

# ---------------------------------------------------------------------------
# Teardown.  Every global change is recorded in a file under $tmp/state/
# right after it succeeded, and teardown() undoes what those files list and
# deletes each file once its change is undone.  So teardown() may run twice,
# and it also cleans up after an earlier run that was killed before its trap
# ran (see reap_stale_runs).

tmp=
keep=${SSHTRAIL_LIVE_KEEP:-}
case $keep in
"" | /*) ;;
*) keep=/tmp/sshtrail-live-keep ;;
esac

# Record one piece of state: note NAME VALUE.
note() {
    printf '%s\n' "$2" >"$tmp/state/$1"
}

# Report whether process $1 exists and is not a zombie.  A daemon's exited
# process stays a zombie until init reaps it, and kill -0 succeeds on it.
is_alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat:0:1}" != Z ]
}

# Send SIGTERM to a daemon and wait up to five seconds for it to exit, then
# send SIGKILL.  The process is only signalled while its command name is
# still $1, so a pid reused since the pid file was written is left alone.
stop_pid() {
    local name=$1 pid=$2 i
    [ -n "$pid" ] || return 0
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 50); do
        is_alive "$pid" || return 0
        sleep 0.1
    done
    echo "live: $name (pid $pid) ignored SIGTERM, sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null
}

# Undo the changes recorded in DIR/state, in the reverse order of setup.
teardown() {
    local dir=$1 st=$1/state user
    [ -d "$st" ] || return 0
    if [ -f "$st/sshd" ]; then
        stop_pid sshd "$(cat "$dir/sshd.pid" 2>/dev/null)"
        rm -f "$st/sshd"
    fi

    if [ -f "$st/audit.enabled" ]; then
        auditctl -D >/dev/null 2>&1
        if [ -s "$st/audit.rules" ]; then
            auditctl -R "$st/audit.rules" >/dev/null 2>&1 ||
                echo "live: restoring the audit rules failed" >&2
        fi
    fi

    if [ -f "$st/auditd.pid" ]; then
        stop_pid auditd "$(cat "$st/auditd.pid")"
        rm -f "$st/auditd.pid"
    fi

    if [ -f "$st/audit.enabled" ]; then
        auditctl -b "$(cat "$st/audit.backlog")" >/dev/null 2>&1
        auditctl -e "$(cat "$st/audit.enabled")" >/dev/null 2>&1 ||
            echo "live: restoring the audit enabled flag failed" >&2
        rm -f "$st/audit.enabled"
    fi

    if [ -f "$st/rsyslogd" ]; then
        stop_pid rsyslogd "$(cat "$dir/rsyslog.pid" 2>/dev/null)"
        rm -f "$st/rsyslogd"
    fi

    if [ -f "$st/devlog" ]; then
        if [ -S /dev/log ] && ! devlog_in_use; then
            rm -f /dev/log
        fi
        rm -f "$st/devlog"
    fi

    if [ -f "$st/user" ]; then
        user=$(cat "$st/user")
        # A session that hung would keep the user busy.
        pkill -KILL -u "$user" 2>/dev/null && sleep 0.2
        userdel -r "$user" >/dev/null 2>&1 ||
            echo "live: userdel -r $user failed" >&2
        rm -f "$st/user"
    fi

    if [ -f "$st/run_sshd" ]; then
        rmdir /run/sshd 2>/dev/null
        rm -f "$st/run_sshd"
    fi
}

# Tear down the leftovers of earlier runs whose shell no longer exists.
reap_stale_runs() {
    local dir owner
    for dir in /tmp/sshtrail-live.*; do
        [ -f "$dir/state/owner" ] || continue
        owner=$(cat "$dir/state/owner")
        if [ -n "$owner" ] && is_alive "$owner"; then
            continue
        fi
        echo "live: cleaning up after an interrupted run in $dir" >&2
        teardown "$dir"
        rm -rf "$dir"
    done
}

on_exit() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ -n "$tmp" ] && [ -d "$tmp" ]; then
        teardown "$tmp"
        if [ -n "$keep" ]; then
            mkdir -p "$keep" &&
                cp -f "$tmp"/auth.log "$tmp"/audit.log "$tmp"/expected.txt \
                    "$tmp"/sessions.json "$tmp"/detect.json "$keep"/ \
                    2>/dev/null
        # auditd creates its log with mode 0600.
        chmod a+r "$keep"/* 2>/dev/null
            echo "live: logs kept in $keep" >&2
        fi
        rm -rf "$tmp"
    fi
    exit "$rc"
}

# Report whether a process listens on the Unix socket /dev/log.  ss lists
# the socket by path, and a symlink (journald's /dev/log) is resolved first.
devlog_in_use() {
    local path
    path=$(readlink -f /dev/log 2>/dev/null) || return 1
    ss -Hxa 2>/dev/null | awk -v p="$path" '$5 == p { f = 1 } END { exit !f }'
}

reap_stale_runs
trap on_exit EXIT
trap 'exit 2' INT TERM HUP

tmp=$(mktemp -d /tmp/sshtrail-live.XXXXXX) || skip_all "mktemp failed"
chmod 755 "$tmp"
mkdir "$tmp/state"
note owner $$
host_short=$(hostname -s | tr '[:upper:]' '[:lower:]')

# ---------------------------------------------------------------------------
# rsyslogd owning /dev/log, writing auth and authpriv to $tmp/auth.log

start_rsyslog() {
    if [ -e /dev/log ] || [ -L /dev/log ]; then
        if devlog_in_use; then
            skip_all "/dev/log belongs to a running syslog daemon"
        fi
        # A socket left behind by a daemon that exited.
        rm -f /dev/log
    fi
    mkdir -p "$tmp/rsyslog"
    cat >"$tmp/rsyslog.conf" <<EOF
global(workDirectory="$tmp/rsyslog")
module(load="imuxsock" SysSock.Name="/dev/log" SysSock.Unlink="on")
auth,authpriv.* action(type="omfile" file="$tmp/auth.log"
                        template="RSYSLOG_FileFormat")
EOF
    if ! rsyslogd -N1 -f "$tmp/rsyslog.conf" >"$tmp/rsyslog.check" 2>&1; then
        show "$tmp/rsyslog.check"
        fail setup/rsyslog "rsyslogd -N1 rejected the configuration"
        exit 1
    fi
    note devlog created
    note rsyslogd started
    rsyslogd -f "$tmp/rsyslog.conf" -i "$tmp/rsyslog.pid" \
        </dev/null >"$tmp/rsyslog.out" 2>&1
    local i
    for i in $(seq 50); do
        if [ -s "$tmp/rsyslog.pid" ] && [ -S /dev/log ]; then
            break
        fi
        sleep 0.1
    done
    if ! [ -s "$tmp/rsyslog.pid" ] || ! [ -S /dev/log ]; then
        show "$tmp/rsyslog.out"
        fail setup/rsyslog "rsyslogd did not start or create /dev/log"
        exit 1
    fi

    # Check the whole path with a message of our own before sshd relies
    # on it.
    logger -p authpriv.info -t sshtrail-live "rsyslog probe $$"
    if ! wait_for_grep "$tmp/auth.log" "rsyslog probe $$" 1; then
        fail setup/rsyslog "probe message did not reach $tmp/auth.log"
        exit 1
    fi
}

# Wait until a file has at least N lines matching an extended regular
# expression, for up to $wait_seconds.
wait_for_grep() {
    local file=$1 pattern=$2 count=$3 i n
    for i in $(seq $((wait_seconds * 10))); do
        n=$(grep -a -c -E -- "$pattern" "$file" 2>/dev/null)
        if [ "${n:-0}" -ge "$count" ]; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# ---------------------------------------------------------------------------
# Kernel audit and auditd writing $tmp/audit.log

start_audit() {
    local status
    if ! status=$(auditctl -s 2>&1); then
        skip_all "audit is not available (auditctl -s: $(echo "$status" |
            head -1)); a container needs CAP_AUDIT_CONTROL"
    fi
    local enabled backlog daemon_pid
    enabled=$(echo "$status" | awk '$1 == "enabled" { print $2 }')
    backlog=$(echo "$status" | awk '$1 == "backlog_limit" { print $2 }')
    daemon_pid=$(echo "$status" | awk '$1 == "pid" { print $2 }')
    if [ "$enabled" = 2 ]; then
        skip_all "audit configuration is locked (enabled 2)"
    fi
    if [ -n "$daemon_pid" ] && [ "$daemon_pid" != 0 ] &&
        kill -0 "$daemon_pid" 2>/dev/null; then
        skip_all "an audit daemon already runs (pid $daemon_pid)"
    fi

    if ! auditctl -l >"$tmp/audit.rules.list" 2>&1; then
        skip_all "auditctl -l failed: $(head -1 "$tmp/audit.rules.list")"
    fi
    grep -v '^No rules' "$tmp/audit.rules.list" >"$tmp/state/audit.rules"
    note audit.backlog "$backlog"
    note audit.enabled "$enabled"

    if ! auditctl -e 1 >"$tmp/auditctl.out" 2>&1; then
        skip_all "auditctl -e 1 failed: $(head -1 "$tmp/auditctl.out")"
    fi
    # Other work on this machine runs execve too, so leave room for bursts.
    auditctl -b 8192 >/dev/null 2>&1

    mkdir -p "$tmp/auditd" "$tmp/auditd-plugins"
    cat >"$tmp/auditd/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $tmp/audit.log
log_format = $audit_format
log_group = root
flush = INCREMENTAL_ASYNC
freq = 20
name_format = HOSTNAME
max_log_file = 64
max_log_file_action = IGNORE
space_left = 75
space_left_action = IGNORE
admin_space_left = 50
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
plugin_dir = $tmp/auditd-plugins
end_of_event_timeout = 2
EOF
    chmod 640 "$tmp/auditd/auditd.conf"
    # -s nochange: this script restores the enabled flag itself.
    if ! auditd -c "$tmp/auditd" -s nochange </dev/null \
        >"$tmp/auditd.out" 2>&1; then
        show "$tmp/auditd.out"
        fail setup/auditd "auditd did not start"
        exit 1
    fi
    local i pid=
    for i in $(seq 50); do
        pid=$(auditctl -s 2>/dev/null | awk '$1 == "pid" { print $2 }')
        if [ -n "$pid" ] && [ "$pid" != 0 ]; then
            note auditd.pid "$pid"
            break
        fi
        pid=
        sleep 0.1
    done
    if [ -z "$pid" ]; then
        show "$tmp/auditd.out"
        fail setup/auditd "auditd did not register with the kernel"
        exit 1
    fi

    local arch
    for arch in b64 b32; do
        if ! auditctl -a always,exit -F arch=$arch -S execve \
            -k "$audit_key" >"$tmp/auditctl.out" 2>&1; then
            show "$tmp/auditctl.out"
            fail setup/audit-rules "auditctl -a ... arch=$arch failed"
            exit 1
        fi
    done

    /bin/true "sshtrail-audit-probe-$$"
    if ! wait_for_grep "$tmp/audit.log" \
        "type=EXECVE .*\"sshtrail-audit-probe-$$\"" 1; then
        fail setup/auditd "execve of true did not reach $tmp/audit.log"
        exit 1
    fi
}

# ---------------------------------------------------------------------------
# sshd on 127.0.0.1 with a fresh host key

# Print a TCP port on 127.0.0.1 that nothing listens on.  sshd may still
# lose a race for it, so the caller retries.
pick_port() {
    local port i
    for i in $(seq 100); do
        port=$((20000 + RANDOM % 40000))
        if [ -z "$(ss -Htln "sport = :$port" 2>/dev/null)" ]; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

start_sshd() {
    if ! [ -d /run/sshd ]; then
        mkdir -m 0755 /run/sshd || {
            fail setup/sshd "cannot create /run/sshd"
            exit 1
        }
        note run_sshd created
    fi
    ssh-keygen -q -t ed25519 -N '' -C sshtrail-live-host \
        -f "$tmp/host_ed25519" || {
        fail setup/sshd "ssh-keygen for the host key failed"
        exit 1
    }

    local attempt i
    for attempt in 1 2 3 4 5; do
        sshd_port=$(pick_port) || {
            fail setup/sshd "no free port on 127.0.0.1"
            exit 1
        }
        cat >"$tmp/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $sshd_port
HostKey $tmp/host_ed25519
PidFile $tmp/sshd.pid
UsePAM yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $test_user
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
SyslogFacility AUTH
LogLevel VERBOSE
UseDNS no
PrintMotd no
X11Forwarding no
EOF
        if ! "$sshd_bin" -t -f "$tmp/sshd_config" >"$tmp/sshd.check" 2>&1
        then
            show "$tmp/sshd.check"
            fail setup/sshd "sshd -t rejected the configuration"
            exit 1
        fi
        rm -f "$tmp/sshd.pid"
        note sshd started
        "$sshd_bin" -f "$tmp/sshd_config" </dev/null >"$tmp/sshd.out" 2>&1
        for i in $(seq 50); do
            if [ -s "$tmp/sshd.pid" ] &&
                [ -n "$(ss -Htln "sport = :$sshd_port" 2>/dev/null)" ]; then
                return 0
            fi
            sleep 0.1
        done
        echo "live: sshd did not listen on port $sshd_port, retrying" >&2
        show "$tmp/sshd.out"
        stop_pid sshd "$(cat "$tmp/sshd.pid" 2>/dev/null)"
    done
    fail setup/sshd "sshd did not start"
    exit 1
}

# ---------------------------------------------------------------------------
# Temporary user with a fresh client key

create_user() {
    local name="sshtrailtest$$"
    name=${name:0:32}
    if id "$name" >/dev/null 2>&1; then
        fail setup/user "user $name already exists"
        exit 1
    fi
    if ! useradd -m -s /bin/bash "$name" >"$tmp/useradd.out" 2>&1; then
        show "$tmp/useradd.out"
        fail setup/user "useradd failed"
        exit 1
    fi
    test_user=$name
    note user "$name"
    test_uid=$(id -u "$name")
    local home
    home=$(getent passwd "$name" | cut -d: -f6)

    ssh-keygen -q -t ed25519 -N '' -C sshtrail-live-client \
        -f "$tmp/client_ed25519" || {
        fail setup/user "ssh-keygen for the client key failed"
        exit 1
    }
    key_fingerprint=$(ssh-keygen -E sha256 -lf "$tmp/client_ed25519.pub" |
        awk '{ print $2 }')
    install -d -m 700 -o "$name" -g "$name" "$home/.ssh"
    install -m 600 -o "$name" -g "$name" "$tmp/client_ed25519.pub" \
        "$home/.ssh/authorized_keys"
}

# ---------------------------------------------------------------------------
# The two logins

# Run one remote command over SSH as the test user.  The command's output
# goes to $tmp/<name>.out and ssh's own messages to $tmp/<name>.err.
ssh_run() {
    local name=$1 command=$2 tty=-T rc
    # A terminal (third argument "tty") makes sshd record the login in wtmp.
    if [ "${3:-}" = tty ]; then
        tty=-tt
    fi
    timeout 60 ssh -F /dev/null -i "$tmp/client_ed25519" -p "$sshd_port" \
        -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o BatchMode=yes -o IdentitiesOnly=yes -o ConnectTimeout=10 \
        -o LogLevel=ERROR "$tty" "$test_user@127.0.0.1" "$command" \
        </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    sed -i 's/\r$//' "$tmp/$name.out"
    return $rc
}

# Read "key=value" lines printed by the remote command.
remote_value() {
    sed -n "s/^$2=//p" "$tmp/$1.out" | head -1
}

# Each login prints facts the checks compare against: the client address
# and port from SSH_CLIENT, the audit session and login uid from /proc, and
# the session shell's parent (the sshd process running the session).  Only
# shell builtins gather them, so they add no execve records.
facts='set -- $SSH_CLIENT; echo "src_ip=$1"; echo "src_port=$2";
read -r s </proc/self/sessionid; echo "ses=$s";
read -r l </proc/self/loginuid; echo "loginuid=$l"; echo "ppid=$PPID"'
marker1="sshtrail-marker-$$"
marker2="sshtrail-second-$$"

run_logins() {
    if ! ssh_run login1 "$facts; id; uname -a; /bin/echo $marker1"; then
        show "$tmp/login1.err"
        fail setup/login1 "ssh login failed (see auth.log below)"
        show "$tmp/auth.log" 40
        exit 1
    fi

    if ! grep -qx "$marker1" "$tmp/login1.out"; then
        fail setup/login1 "remote command output lacks $marker1"
        exit 1
    fi

    if ! ssh_run login2 "$facts; /bin/echo $marker2" tty; then
        show "$tmp/login2.err"
        fail setup/login2 "ssh login failed"
        exit 1
    fi

    if ! grep -qx "$marker2" "$tmp/login2.out"; then
        fail setup/login2 "remote command output lacks $marker2"
        exit 1
    fi

    local n
    for n in 1 2; do
        eval "port$n=\$(remote_value login$n src_port)"
        eval "ses$n=\$(remote_value login$n ses)"
        eval "ppid$n=\$(remote_value login$n ppid)"
    done

    if [ -z "$port1" ] || [ -z "$port2" ] || [ "$port1" = "$port2" ]; then
        fail setup/logins "client ports unknown or equal: '$port1' '$port2'"
        exit 1
    fi
    for n in "$ses1" "$ses2"; do
        if [ -z "$n" ] || [ "$n" = 4294967295 ]; then
            fail setup/logins "no audit session assigned: '$ses1' '$ses2'" \
                "(pam_loginuid did not run or failed)"
            exit 1
        fi
    done
}

# Wait until rsyslog and auditd wrote the end of both sessions.
wait_for_logs() {
    local n port ses
    for n in 1 2; do
        eval "port=\$port$n ses=\$ses$n"
        if ! wait_for_grep "$tmp/auth.log" \
            "Accepted publickey for $test_user from 127.0.0.1 port $port " 1
        then
            fail setup/auth-log "no 'Accepted publickey' line for port $port"
            exit 1
        fi
        if ! wait_for_grep "$tmp/auth.log" \
            "Disconnected from user $test_user 127.0.0.1 port $port\$" 1; then
            fail setup/auth-log "no 'Disconnected' line for port $port"
            exit 1
        fi
        if ! wait_for_grep "$tmp/audit.log" \
            "type=USER_END .* ses=$ses " 1; then
            fail setup/audit-log "no USER_END record for session $ses"
            exit 1
        fi
    done
    if ! wait_for_grep "$tmp/auth.log" \
        "session closed for user $test_user\$" 2; then
        fail setup/auth-log "fewer than two 'session closed' lines"
        exit 1
    fi
    for marker in "$marker1" "$marker2"; do
        if ! wait_for_grep "$tmp/audit.log" \
            "type=EXECVE .*\"$marker\"" 1; then
            fail setup/audit-log "no EXECVE record for $marker"
            exit 1
        fi
    done
}

write_expected() {
    {
        echo "host=$host_short"
        echo "user=$test_user"
        echo "uid=$test_uid"
        echo "key_fingerprint=$key_fingerprint"
        echo "sshd_port=$sshd_port"
        echo "session1: src_port=$port1 ses=$ses1 session_ppid=$ppid1" \
            "commands: id | uname -a | /bin/echo $marker1"
        echo "session2: src_port=$port2 ses=$ses2 session_ppid=$ppid2" \
            "commands: /bin/echo $marker2"
    } >"$tmp/expected.txt"
}

# ---------------------------------------------------------------------------
# Checks on sshtrail's output

# Check one session, found by its client port, in sessions.json.  $1 is the
# session number, $2 its port, $3 its audit session, $4 the JSON array of
# its commands' argv, $5 the other session's argv array and $6 the other
# session's marker.
#
# Besides the user's commands, a session's executions include the login
# shell ("bash -c ...") and what PAM runs as root after pam_loginuid set the
# audit session: pam_motd's "sh -c ... run-parts /etc/update-motd.d" and
# the scripts there.  They belong to the session too, so the checks look for
# the expected commands and for the absence of the other session's, and do
# not require the list to hold nothing else.
check_session() {
    local n=$1 port=$2 ses=$3 own=$4 other=$5 other_marker=$6 s sshd_pid
    s=$(jq -c --arg u "$test_user" --argjson p "$port" \
        'select(.user == $u and .src_port == $p)' "$tmp/sessions.json")
    if [ "$(printf '%s' "$s" | grep -c .)" != 1 ]; then
        fail "session$n/found" "no single session for port $port"
        return
    fi
    pass "session$n/found"

    jqcheck "session$n/host" "$s" --arg h "$host_short" \
        '(.host | ascii_downcase | split(".")[0]) == $h'
    jqcheck "session$n/src_ip" "$s" '.src_ip == "127.0.0.1"'
    jqcheck "session$n/uid" "$s" --argjson u "$test_uid" '.uid == $u'
    jqcheck "session$n/auth_method" "$s" '.auth_method == "publickey"'
    jqcheck "session$n/key_type" "$s" \
        '(.key_type | ascii_downcase) == "ed25519"'
    jqcheck "session$n/key_fingerprint" "$s" --arg f "$key_fingerprint" \
        '.key_fingerprint == $f'
    jqcheck "session$n/audit_session" "$s" --argjson a "$ses" \
        '.audit_session == $a'
    jqcheck "session$n/login_seen" "$s" '.login_seen == true'
    jqcheck "session$n/times" "$s" \
        '.start != null and .end != null and .start <= .end'

    # The sshd process that logged "Accepted publickey" for this port is
    # the privileged monitor, which also wrote the audit LOGIN record.
    sshd_pid=$(sed -n -E "s/.* sshd\[([0-9]+)\]: Accepted publickey for \
$test_user from 127\.0\.0\.1 port $port .*/\1/p" "$tmp/auth.log" | head -1)
    jqcheck "session$n/sshd_pid" "$s" --argjson p "${sshd_pid:-0}" \
        '.sshd_pid == $p'

    # Each expected command appears exactly once.
    jqcheck "session$n/commands" "$s" --argjson own "$own" \
        '[.executions[].argv] as $a |
         all($own[]; . as $c | [$a[] | select(. == $c)] | length == 1)'
    jqcheck "session$n/no_foreign" "$s" --argjson other "$other" \
        --arg m "$other_marker" \
        '[.executions[].argv] as $a |
         all($other[]; . as $c | ($a | index([$c])) == null) and
         all($a[]; tostring | contains($m) | not)'
    # Failed execve calls (success=no, no EXECVE record) are not executions,
    # and one successful execve is one execution.  In these sessions no
    # process runs the same argv twice, so a repeated (pid, argv) pair means
    # a failed call or a record counted twice.
    jqcheck "session$n/no_duplicates" "$s" \
        '[.executions[] | [.pid, .argv]] | length == (unique | length)'
    jqcheck "session$n/linkage" "$s" \
        '(.executions | length) > 0 and
         all(.executions[]; .linkage == "audit_session")'
}

# Run a jq predicate on a JSON text and print PASS or FAIL for it.  On a
# failure the JSON text goes to stderr, cut to 3000 bytes.
# Usage: jqcheck CASE JSON [jq options...] FILTER
jqcheck() {
    local name=$1 json=$2 result filter
    shift 2
    result=$(printf '%s' "$json" | jq "$@" 2>&1)
    if [ "$result" = true ]; then
        pass "$name"
        return
    fi
    filter=$(printf '%s' "${*: -1}" | tr -s ' \n' ' ')
    fail "$name" "expected $filter, got $result"
    printf '%s\n' "$json" | head -c 3000 >&2
    echo >&2
}

# Report whether "sshtrail COMMAND --help" succeeds and prints a usage
# text.  A placeholder binary that exits 0 silently does not count.
cli_has() {
    local out
    out=$("$bin" "$1" --help 2>&1) && [ -n "$out" ]
}

check_sessions() {
    if ! cli_has sessions; then
        echo "SKIP live/sessions: sshtrail sessions not available ($bin)"
        return
    fi
    if ! "$bin" sessions --output json --default-host "$host_short" \
        "$tmp/auth.log" "$tmp/audit.log" >"$tmp/sessions.json" \
        2>"$tmp/sessions.err"; then
        show "$tmp/sessions.err"
        fail sessions/run "sshtrail sessions exited with an error"
        return
    fi
    if ! jq -e . "$tmp/sessions.json" >/dev/null 2>&1; then
        fail sessions/json "output is not JSON lines"
        return
    fi
    pass sessions/run

    local count
    count=$(jq -c --arg u "$test_user" \
        'select(.user == $u and .src_ip == "127.0.0.1")' \
        "$tmp/sessions.json" | grep -c .)
    if [ "$count" = 2 ]; then
        pass sessions/count
    else
        fail sessions/count "expected 2 sessions for $test_user from" \
            "127.0.0.1, got $count"
    fi

    # The audit records of a login (LOGIN, USER_START, the executions) and
    # its sshd lines describe one session, so no second, audit-only session
    # may appear for the same audit session.
    count=$(jq -c --arg u "$test_user" 'select(.user == $u)' \
        "$tmp/sessions.json" | grep -c .)
    if [ "$count" = 2 ]; then
        pass sessions/user_count
    else
        fail sessions/user_count "expected 2 sessions for $test_user in" \
            "all, got $count"
    fi

    local argv1 argv2
    argv1=$(jq -nc --arg m "$marker1" '[["id"], ["uname", "-a"],
        ["/bin/echo", $m]]')
    argv2=$(jq -nc --arg m "$marker2" '[["/bin/echo", $m]]')
    check_session 1 "$port1" "$ses1" "$argv1" "$argv2" "$marker2"
    check_session 2 "$port2" "$ses2" "$argv2" "$argv1" "$marker1"
}

check_detect() {
    if ! cli_has detect; then
        echo "SKIP live/detect: sshtrail detect not available ($bin)"
        return
    fi
    if ! "$bin" detect --output json --default-host "$host_short" \
        "$tmp/auth.log" "$tmp/audit.log" >"$tmp/detect.json" \
        2>"$tmp/detect.err"; then
        show "$tmp/detect.err"
        fail detect/run "sshtrail detect exited with an error"
        return
    fi
    if ! jq -e . "$tmp/detect.json" >/dev/null 2>&1; then
        fail detect/json "output is not JSON lines"
        return
    fi
    pass detect/run

    local mine count
    mine=$(jq -c --arg u "$test_user" \
        'select(.actor.user.name == $u)' "$tmp/detect.json")
    count=$(printf '%s' "$mine" | grep -c .)
    if [ "$count" = 2 ]; then
        pass detect/count
    else
        fail detect/count "expected 2 findings for $test_user, got $count"
    fi
    local n marker f
    for n in 1 2; do
        eval "marker=\$marker$n"
        f=$(printf '%s\n' "$mine" | jq -c --arg m "$marker" \
            'select(.evidences | tostring | contains($m))' | head -1)
        if [ -z "$f" ]; then
            fail "finding$n/evidences" "no finding whose evidences name $marker"
            continue
        fi
        pass "finding$n/evidences"
        jqcheck "finding$n/analytic" "$f" \
            '.finding_info.analytic.uid == "AN1638"'
        jqcheck "finding$n/src_ip" "$f" '.src_endpoint.ip == "127.0.0.1"'
    done
}

# sshd records each login and logout in /var/log/wtmp.  Remember where the
# file ends now, so the test reads only the records of its own logins.
mark_wtmp() {
    wtmp_created=0
    if [ ! -e /var/log/wtmp ]; then
        install -m 0664 /dev/null /var/log/wtmp
        wtmp_created=1
    fi
    wtmp_start=$(stat -c %s /var/log/wtmp)
}

# Checks the wtmp records sshd wrote for the login with a terminal, read by
# the wtmp format from the bytes appended during the test.
check_wtmp() {
    tail -c +"$((wtmp_start + 1))" /var/log/wtmp > "$tmp/wtmp.bin"
    # Leave wtmp as it was before the test.
    if [ "$wtmp_created" = 1 ]; then
        rm -f /var/log/wtmp
    else
        truncate -s "$wtmp_start" /var/log/wtmp
    fi
    if [ ! -s "$tmp/wtmp.bin" ]; then
        fail wtmp/records "sshd appended no record to /var/log/wtmp"
        return
    fi

    local events logins
    events=$("$bin" events --quiet --format wtmp --output json \
        --default-host "$(hostname -s)" "$tmp/wtmp.bin")
    # Only the second login has a terminal, so only it is in wtmp.
    logins=$(printf '%s\n' "$events" | jq -c --arg u "$test_user" \
        'select(.kind == "user_login" and .user == $u
                and .src_ip == "127.0.0.1" and .program == "sshd")' | wc -l)
    if [ "$logins" -eq 1 ]; then
        pass wtmp/login
    else
        fail wtmp/login "expected 1 sshd login of $test_user from" \
            "127.0.0.1 in wtmp, got $logins"
    fi
}

# ---------------------------------------------------------------------------
# Main

start_rsyslog
start_audit
create_user
mark_wtmp
start_sshd
run_logins
wait_for_logs
# Stop the daemons before sshtrail reads the logs, so the files are complete.
teardown "$tmp"
write_expected
pass setup/telemetry

check_sessions
check_detect
check_wtmp

[ "$failures" = 0 ]
