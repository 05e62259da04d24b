/*
 * Unit tests of the audit format: one test per record shape, fed through
 * the format's ops table as the pipeline does.  The log lines are written
 * here from the documented auditd formats, with documentation addresses.
 */
#include <stdlib.h>

#include "formats/audit_record.h"
#include "formats/format.h"
#include "tcapture.h"

extern const struct format_ops audit_format;

/* Feeds the lines (NULL-terminated), flushes, and collects the events and
 * the input counted later. */
static void
run(const char *const *lines, struct tcapture *c, enum parse_status *st,
    const char **reasons)
{
    struct format_opts opts = { 0 };
    struct event_sink sink = tcapture_sink(c);
    void *state = audit_format.open(&opts);

    tcapture_init(c);
    for (int i = 0; lines[i] != NULL; i++) {
        struct event_origin origin = { "audit", "test.log", (uint64_t)i + 1 };
        const char *reason = NULL;
        enum parse_status s = audit_format.feed(state, sv_cstr(lines[i]),
                                                &origin, &sink, &reason);
        if (st != NULL) {
            st[i] = s;
        }
        if (reasons != NULL) {
            reasons[i] = reason;
        }
    }
    uint64_t flush_line;
    const char *flush_reason;
    CHECK(audit_format.flush(state, &sink, &flush_line, &flush_reason) ==
          PARSE_OK);
    audit_format.close(state);
}

#define SYSCALL_EXEC(serial, extra)                                         \
    "type=SYSCALL msg=audit(1700000000.123:" serial "): arch=c000003e "     \
    "syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=100 "   \
    "pid=200 auid=1000 uid=1000 gid=1000 euid=0 suid=0 fsuid=0 egid=0 "     \
    "sgid=0 fsgid=0 tty=pts0 ses=7 comm=\"ls\" exe=\"/usr/bin/ls\" "        \
    "key=(null)" extra

static void
exec_quoted_bare_hex_args(void)
{
    const char *lines[] = {
        SYSCALL_EXEC("10", ""),
        "type=EXECVE msg=audit(1700000000.123:10): argc=3 a0=\"ls\" a1=-l "
        "a2=2F746D702F612062",
        "type=CWD msg=audit(1700000000.123:10):  cwd=2F686F6D652F612062",
        "type=EOE msg=audit(1700000000.123:10): ",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 1);
    if (c.count == 1) {
        const struct event *ev = &c.ev[0];
        CHECK_INT(ev->kind, EVENT_EXEC);
        CHECK_INT(ev->result, EVENT_RESULT_SUCCESS);
        CHECK_INT(ev->argc, 3);
        CHECK_SV(event_arg(ev, 0), "ls");
        CHECK_SV(event_arg(ev, 1), "-l");
        CHECK_SV(event_arg(ev, 2), "/tmp/a b");
        CHECK_SV(event_str(ev, EVENT_CWD), "/home/a b");
        CHECK_SV(event_str(ev, EVENT_EXE), "/usr/bin/ls");
        CHECK_SV(event_str(ev, EVENT_PROGRAM), "ls");
        CHECK_SV(event_str(ev, EVENT_TTY), "pts0");
        CHECK_INT(event_num(ev, EVENT_PID, -1), 200);
        CHECK_INT(event_num(ev, EVENT_PPID, -1), 100);
        CHECK_INT(event_num(ev, EVENT_UID, -1), 1000);
        CHECK_INT(event_num(ev, EVENT_EUID, -1), 0);
        CHECK_INT(event_num(ev, EVENT_AUID, -1), 1000);
        CHECK_INT(event_num(ev, EVENT_SES, -1), 7);
        CHECK_INT(event_num(ev, EVENT_SERIAL, -1), 10);
        CHECK_INT(ev->time.sec, 1700000000);
        CHECK_INT(ev->time.nsec, 123000000);
        CHECK_INT(ev->time.digits, 3);
        CHECK_INT(ev->origin.line, 1);
        CHECK(!event_has_str(ev, EVENT_HOST));
        CHECK(!ev->truncated);
    }
    tcapture_fini(&c);
}

static void
exec_chunked_args_across_records(void)
{
    const char *lines[] = {
        SYSCALL_EXEC("11", ""),
        "type=EXECVE msg=audit(1700000000.123:11): argc=3 a0=\"echo\" "
        "a1_len=6 a1[0]=616263",
        "type=EXECVE msg=audit(1700000000.123:11):  a1[1]=646566",
        "type=EXECVE msg=audit(1700000000.123:11):  a2=\"end\"",
        "type=EOE msg=audit(1700000000.123:11): ",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 1);
    if (c.count == 1) {
        CHECK_INT(c.ev[0].argc, 3);
        CHECK_SV(event_arg(&c.ev[0], 0), "echo");
        CHECK_SV(event_arg(&c.ev[0], 1), "abcdef");
        CHECK_SV(event_arg(&c.ev[0], 2), "end");
        CHECK(!c.ev[0].truncated);
    }
    tcapture_fini(&c);
}

static void
exec_argc_larger_than_fields(void)
{
    const char *lines[] = {
        SYSCALL_EXEC("12", ""),
        "type=EXECVE msg=audit(1700000000.123:12): argc=4 a0=\"a\" a1=\"b\"",
        "type=EOE msg=audit(1700000000.123:12): ",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 1);
    if (c.count == 1) {
        CHECK_INT(c.ev[0].argc, 2);
        CHECK(c.ev[0].truncated);
    }
    tcapture_fini(&c);
}

static void
exec_proctitle_fallback(void)
{
    const char *lines[] = {
        SYSCALL_EXEC("13", ""),
        "type=PROCTITLE msg=audit(1700000000.123:13): "
        "proctitle=7368002D63006964",
        "type=EOE msg=audit(1700000000.123:13): ",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 1);
    if (c.count == 1) {
        CHECK_INT(c.ev[0].argc, 3);
        CHECK_SV(event_arg(&c.ev[0], 0), "sh");
        CHECK_SV(event_arg(&c.ev[0], 1), "-c");
        CHECK_SV(event_arg(&c.ev[0], 2), "id");
    }
    tcapture_fini(&c);
}

static void
exec_enriched_and_node(void)
{
    const char *lines[] = {
        "node=web1 " SYSCALL_EXEC("14", "\x1d" "ARCH=x86_64 SYSCALL=execve "
                                  "AUID=\"alice\" UID=\"alice\""),
        "node=web1 type=EXECVE msg=audit(1700000000.123:14): argc=1 "
        "a0=\"ls\"",
        "node=web1 type=EOE msg=audit(1700000000.123:14): ",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 1);
    if (c.count == 1) {
        CHECK_SV(event_str(&c.ev[0], EVENT_HOST), "web1");
        CHECK_SV(event_str(&c.ev[0], EVENT_USER), "alice");
        CHECK_INT(c.ev[0].argc, 1);
    }
    tcapture_fini(&c);
}

static void
execve_without_syscall_counted(void)
{
    const char *lines[] = {
        "type=EXECVE msg=audit(1795166067.462:100): argc=1 a0=\"x\"",
        "type=EOE msg=audit(1795166067.462:100): ",
        "type=PROCTITLE msg=audit(1795166068.000:101): proctitle=6C73",
        NULL
    };
    struct tcapture c;
    enum parse_status st[3];

    run(lines, &c, st, NULL);
    CHECK_INT(c.count, 0);
    CHECK_INT(c.ncounted, 2);
    if (c.ncounted == 2) {
        CHECK_INT(c.counted_status[0], PARSE_MALFORMED);
        CHECK_STR(c.counted_reason[0],
                  "audit event without its SYSCALL record");
        CHECK_INT(c.counted_line[0], 1);
        CHECK_INT(c.counted_status[1], PARSE_MALFORMED);
        CHECK_INT(c.counted_line[1], 3);
    }
    tcapture_fini(&c);
}

static void
execve_of_other_node_counted(void)
{
    const char *lines[] = {
        "node=a " SYSCALL_EXEC("100", ""),
        "node=b type=EXECVE msg=audit(1700000000.123:100): argc=1 a0=\"x\"",
        "node=a type=EOE msg=audit(1700000000.123:100): ",
        "node=b type=EOE msg=audit(1700000000.123:100): ",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 1);
    if (c.count == 1) {
        CHECK_SV(event_str(&c.ev[0], EVENT_HOST), "a");
        CHECK_INT(c.ev[0].argc, 0);
    }
    CHECK_INT(c.ncounted, 1);
    if (c.ncounted == 1) {
        CHECK_INT(c.counted_status[0], PARSE_MALFORMED);
        CHECK_INT(c.counted_line[0], 2);
    }
    tcapture_fini(&c);
}

static void
complete_events_count_nothing(void)
{
    const char *lines[] = {
        SYSCALL_EXEC("30", ""),
        "type=EXECVE msg=audit(1700000000.123:30): argc=1 a0=\"ls\"",
        "type=CWD msg=audit(1700000000.123:30): cwd=\"/root\"",
        "type=PATH msg=audit(1700000000.123:30): item=0 name=\"/x\"",
        "type=PROCTITLE msg=audit(1700000000.123:30): proctitle=6C73",
        "type=EOE msg=audit(1700000000.123:30): ",
        "type=SYSCALL msg=audit(1700000000.123:31): arch=c000003e "
        "syscall=1 success=yes exit=0 pid=1 ppid=0",
        "type=PROCTITLE msg=audit(1700000000.123:31): proctitle=6C73",
        "type=EOE msg=audit(1700000000.123:31): ",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 1);
    CHECK_INT(c.ncounted, 0);
    tcapture_fini(&c);
}

static void
exec_interleaved_serials(void)
{
    const char *lines[] = {
        SYSCALL_EXEC("20", ""),
        "type=SYSCALL msg=audit(1700000000.123:21): arch=c000003e "
        "syscall=59 success=yes exit=0 ppid=1 pid=300 auid=1001 uid=1001 "
        "euid=1001 tty=(none) ses=8 comm=\"id\" exe=\"/usr/bin/id\"",
        "type=EXECVE msg=audit(1700000000.123:21): argc=1 a0=\"id\"",
        "type=EXECVE msg=audit(1700000000.123:20): argc=1 a0=\"ls\"",
        "type=EOE msg=audit(1700000000.123:21): ",
        "type=EOE msg=audit(1700000000.123:20): ",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 2);
    if (c.count == 2) {
        CHECK_INT(event_num(&c.ev[0], EVENT_PID, -1), 300);
        CHECK_SV(event_arg(&c.ev[0], 0), "id");
        CHECK(!event_has_str(&c.ev[0], EVENT_TTY));
        CHECK_INT(c.ev[0].origin.line, 2);
        CHECK_INT(event_num(&c.ev[1], EVENT_PID, -1), 200);
        CHECK_SV(event_arg(&c.ev[1], 0), "ls");
        CHECK_INT(c.ev[1].origin.line, 1);
    }
    tcapture_fini(&c);
}

/* Groups whose serials differ by 256 share a bucket of the grouper's
 * serial counts.  Each record still finds its own group, also after the
 * other group of the bucket completed. */
static void
exec_serials_in_one_bucket(void)
{
    const char *lines[] = {
        SYSCALL_EXEC("20", ""),
        "type=SYSCALL msg=audit(1700000000.123:276): arch=c000003e "
        "syscall=59 success=yes exit=0 ppid=1 pid=300 auid=1001 uid=1001 "
        "euid=1001 tty=(none) ses=8 comm=\"id\" exe=\"/usr/bin/id\"",
        "type=EXECVE msg=audit(1700000000.123:20): argc=1 a0=\"ls\"",
        "type=EOE msg=audit(1700000000.123:20): ",
        "type=EXECVE msg=audit(1700000000.123:276): argc=1 a0=\"id\"",
        "type=EOE msg=audit(1700000000.123:276): ",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 2);
    if (c.count == 2) {
        CHECK_INT(event_num(&c.ev[0], EVENT_PID, -1), 200);
        CHECK_SV(event_arg(&c.ev[0], 0), "ls");
        CHECK_INT(c.ev[0].argc, 1);
        CHECK_INT(event_num(&c.ev[1], EVENT_PID, -1), 300);
        CHECK_SV(event_arg(&c.ev[1], 0), "id");
        CHECK_INT(c.ev[1].argc, 1);
    }
    tcapture_fini(&c);
}

static void
exec_unset_auid_ses_omitted(void)
{
    const char *lines[] = {
        "type=SYSCALL msg=audit(1700000000.500:30): arch=c000003e "
        "syscall=59 success=no exit=-2 ppid=1 pid=5 auid=4294967295 uid=0 "
        "euid=0 tty=(none) ses=4294967295 comm=\"x\" exe=\"/bin/x\"",
        "type=EOE msg=audit(1700000000.500:30): ",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 1);
    if (c.count == 1) {
        CHECK_INT(c.ev[0].result, EVENT_RESULT_FAILURE);
        CHECK(!event_has_num(&c.ev[0], EVENT_AUID));
        CHECK(!event_has_num(&c.ev[0], EVENT_SES));
        CHECK_INT(c.ev[0].argc, 0);
    }
    tcapture_fini(&c);
}

static void
exec_other_arches(void)
{
    const char *lines[] = {
        "type=SYSCALL msg=audit(1700000001.000:40): arch=c00000b7 "
        "syscall=221 success=yes exit=0 pid=1 ppid=0 uid=0 euid=0",
        "type=SYSCALL msg=audit(1700000001.000:41): arch=40000003 "
        "syscall=11 success=yes exit=0 pid=2 ppid=0 uid=0 euid=0",
        "type=SYSCALL msg=audit(1700000001.000:42): arch=x86_64 "
        "syscall=execve success=yes exit=0 pid=3 ppid=0 auid=vagrant "
        "uid=vagrant",
        "type=SYSCALL msg=audit(1700000001.000:43): arch=c000003e "
        "syscall=1 success=yes exit=0 pid=4 ppid=0 uid=0 euid=0",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 3);
    if (c.count == 3) {
        CHECK_INT(event_num(&c.ev[0], EVENT_PID, -1), 1);
        CHECK_INT(event_num(&c.ev[1], EVENT_PID, -1), 2);
        CHECK_INT(event_num(&c.ev[2], EVENT_PID, -1), 3);
        CHECK_SV(event_str(&c.ev[2], EVENT_USER), "vagrant");
    }
    tcapture_fini(&c);
}

static void
login_modern_form(void)
{
    const char *lines[] = {
        "type=LOGIN msg=audit(1700000002.000:50): pid=1298 uid=0 "
        "subj=system_u:system_r:sshd_t:s0 old-auid=4294967295 auid=1000 "
        "tty=(none) old-ses=4294967295 ses=3 res=1",
        "type=SYSCALL msg=audit(1700000002.000:50): arch=c000003e "
        "syscall=1 success=yes exit=4 pid=1298 ppid=1 auid=1000 uid=0",
        "type=EOE msg=audit(1700000002.000:50): ",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 1);
    if (c.count == 1) {
        CHECK_INT(c.ev[0].kind, EVENT_LOGIN_ASSIGN);
        CHECK_INT(event_num(&c.ev[0], EVENT_PID, -1), 1298);
        CHECK_INT(event_num(&c.ev[0], EVENT_UID, -1), 0);
        CHECK_INT(event_num(&c.ev[0], EVENT_AUID, -1), 1000);
        CHECK_INT(event_num(&c.ev[0], EVENT_SES, -1), 3);
        CHECK_INT(c.ev[0].result, EVENT_RESULT_SUCCESS);
    }
    tcapture_fini(&c);
}

static void
login_legacy_form(void)
{
    const char *lines[] = {
        "type=LOGIN msg=audit(1170021601.343:296): login pid=13015 uid=0 "
        "old auid=4294967295 new auid=0",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 1);
    if (c.count == 1) {
        CHECK_INT(c.ev[0].kind, EVENT_LOGIN_ASSIGN);
        CHECK_INT(event_num(&c.ev[0], EVENT_PID, -1), 13015);
        CHECK_INT(event_num(&c.ev[0], EVENT_AUID, -1), 0);
        CHECK(!event_has_num(&c.ev[0], EVENT_SES));
    }
    tcapture_fini(&c);
}

static void
user_login_success_and_failed(void)
{
    const char *lines[] = {
        "type=USER_LOGIN msg=audit(1700000003.000:60): pid=9 uid=0 "
        "auid=1001 ses=36 msg='op=login id=1001 exe=\"/usr/sbin/sshd\" "
        "hostname=198.51.100.7 addr=198.51.100.7 terminal=/dev/pts/1 "
        "res=success'",
        "type=USER_LOGIN msg=audit(1700000003.000:61): pid=10 uid=0 "
        "auid=4294967295 ses=4294967295 msg='op=login "
        "acct=28696E76616C6964207573657229 exe=\"/usr/sbin/sshd\" "
        "hostname=? addr=2001:db8:0:0::5 terminal=sshd res=failed'",
        NULL
    };
    struct tcapture c;
    enum parse_status st[2];

    run(lines, &c, st, NULL);
    CHECK_INT(st[0], PARSE_OK);
    CHECK_INT(c.count, 2);
    if (c.count == 2) {
        CHECK_INT(c.ev[0].kind, EVENT_USER_LOGIN);
        CHECK_INT(event_num(&c.ev[0], EVENT_UID, -1), 1001);
        CHECK_INT(event_num(&c.ev[0], EVENT_SES, -1), 36);
        CHECK_SV(event_str(&c.ev[0], EVENT_SRC_IP), "198.51.100.7");
        CHECK_SV(event_str(&c.ev[0], EVENT_TTY), "/dev/pts/1");
        CHECK_SV(event_str(&c.ev[0], EVENT_DETAIL), "198.51.100.7");
        CHECK_SV(event_str(&c.ev[0], EVENT_PROGRAM), "/usr/sbin/sshd");
        CHECK_INT(c.ev[1].kind, EVENT_AUTH_FAILURE);
        CHECK_INT(c.ev[1].result, EVENT_RESULT_FAILURE);
        CHECK_SV(event_str(&c.ev[1], EVENT_USER), "(invalid user)");
        CHECK_SV(event_str(&c.ev[1], EVENT_SRC_IP), "2001:db8::5");
        CHECK(!event_has_num(&c.ev[1], EVENT_AUID));
        CHECK(!event_has_str(&c.ev[1], EVENT_DETAIL));
    }
    tcapture_fini(&c);
}

static void
user_auth_pubkey_and_legacy_pam(void)
{
    const char *lines[] = {
        "type=USER_AUTH msg=audit(1700000004.000:70): pid=1 uid=0 "
        "auid=4294967295 ses=4294967295 msg='op=pubkey_auth rport=5 "
        "acct=\"alice\" exe=\"/usr/sbin/sshd\" hostname=? "
        "addr=203.0.113.9 terminal=? res=success'",
        "type=USER_START msg=audit(1170021601.344:297): user pid=13015 "
        "uid=0 auid=0 msg='PAM: session open acct=root : "
        "exe=\"/usr/sbin/crond\" (hostname=?, addr=?, terminal=cron "
        "res=success)'",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 2);
    if (c.count == 2) {
        CHECK_INT(c.ev[0].kind, EVENT_AUTH_SUCCESS);
        CHECK_SV(event_str(&c.ev[0], EVENT_AUTH_METHOD), "publickey");
        CHECK_SV(event_str(&c.ev[0], EVENT_DETAIL), "pubkey_auth");
        CHECK_SV(event_str(&c.ev[0], EVENT_USER), "alice");
        CHECK(!event_has_str(&c.ev[0], EVENT_TTY));
        CHECK_INT(c.ev[1].kind, EVENT_SESSION_OPEN);
        CHECK_SV(event_str(&c.ev[1], EVENT_USER), "root");
        CHECK_SV(event_str(&c.ev[1], EVENT_TTY), "cron");
        CHECK_INT(c.ev[1].result, EVENT_RESULT_SUCCESS);
        CHECK(!event_has_str(&c.ev[1], EVENT_SRC_IP));
    }
    tcapture_fini(&c);
}

static void
truncated_event_flushed_at_end(void)
{
    const char *lines[] = {
        SYSCALL_EXEC("80", ""),
        "type=EXECVE msg=audit(1700000000.123:80): argc=1 a0=\"ls\"",
        NULL
    };
    struct tcapture c;

    run(lines, &c, NULL, NULL);
    CHECK_INT(c.count, 1);
    if (c.count == 1) {
        CHECK_SV(event_arg(&c.ev[0], 0), "ls");
    }
    tcapture_fini(&c);
}

static void
timeout_completes_old_group(void)
{
    const char *lines[] = {
        SYSCALL_EXEC("90", ""),
        "type=SYSCALL msg=audit(1700000010.000:91): arch=c000003e "
        "syscall=1 success=yes exit=0 pid=1 ppid=0",
        NULL
    };
    struct tcapture c;
    struct format_opts opts = { 0 };
    struct event_sink sink = tcapture_sink(&c);
    void *state = audit_format.open(&opts);
    const char *reason;

    tcapture_init(&c);
    for (int i = 0; lines[i] != NULL; i++) {
        struct event_origin origin = { "audit", "t", (uint64_t)i + 1 };
        (void)audit_format.feed(state, sv_cstr(lines[i]), &origin, &sink,
                                &reason);
        /* The exec is emitted by the newer record, before any flush. */
        CHECK_INT(c.count, i);
    }
    audit_format.close(state);
    tcapture_fini(&c);
}

static void
malformed_lines(void)
{
    const char *lines[] = {
        "type=UNKNOWN[1329] msg=?",
        "hello world",
        "type=SYSCALL msg=audit(abc:1): x=1",
        "type=syscall msg=audit(1.000:1): x=1",
        "type=PATH msg=audit(1700000000.123:5): item=0 name=\"/x\"",
        "",
        "type=DAEMON_CONFIG msg=audit(1490239800.477:34) config changed, "
        "auid=0 pid=1512 res=success",
        NULL
    };
    struct tcapture c;
    enum parse_status st[7];
    const char *reasons[7];

    run(lines, &c, st, reasons);
    CHECK_INT(c.count, 0);
    CHECK_INT(st[0], PARSE_MALFORMED);
    CHECK_STR(reasons[0], "no msg=audit() stamp");
    CHECK_INT(st[1], PARSE_MALFORMED);
    CHECK_STR(reasons[1], "no type= field");
    CHECK_INT(st[2], PARSE_MALFORMED);
    CHECK_STR(reasons[2], "invalid msg=audit() stamp");
    CHECK_INT(st[3], PARSE_MALFORMED);
    CHECK_STR(reasons[3], "unknown record type");
    CHECK_INT(st[4], PARSE_SKIP);
    CHECK_STR(reasons[4], "audit record not used");
    CHECK_INT(st[5], PARSE_SKIP);
    CHECK_INT(st[6], PARSE_SKIP);
    tcapture_fini(&c);
}

/* Lines of blanks of every kind are skipped.  A line with any other byte
 * is read as a record. */
static void
blank_lines_skipped(void)
{
    const char *lines[] = {
        " \t", "\r", " \t\r\n ", "\rx", " \tx\r", NULL
    };
    struct tcapture c;
    enum parse_status st[5];
    const char *reasons[5];

    run(lines, &c, st, reasons);
    CHECK_INT(c.count, 0);
    for (int i = 0; i < 3; i++) {
        CHECK_INT(st[i], PARSE_SKIP);
        CHECK_STR(reasons[i], "blank line");
    }
    CHECK_INT(st[3], PARSE_MALFORMED);
    CHECK_STR(reasons[3], "no type= field");
    CHECK_INT(st[4], PARSE_MALFORMED);
    CHECK_STR(reasons[4], "no type= field");
    tcapture_fini(&c);
}

static void
long_line_is_malformed(void)
{
    size_t n = 1024 * 1024;
    char *line = malloc(n);
    struct tcapture c;
    struct format_opts opts = { 0 };
    struct event_sink sink = tcapture_sink(&c);
    struct event_origin origin = { "audit", "t", 1 };
    const char *reason = NULL;

    CHECK(line != NULL);
    if (line == NULL) {
        return;
    }
    memset(line, 'a', n);
    memcpy(line, "type=EXECVE msg=audit(1.000:1): a0=", 35);
    void *state = audit_format.open(&opts);
    tcapture_init(&c);
    CHECK_INT(audit_format.feed(state, sv_make(line, n), &origin, &sink,
                                &reason), PARSE_MALFORMED);
    CHECK_STR(reason, "audit record longer than 1 MiB");
    audit_format.close(state);
    free(line);
}

static void
tokenizer_fields(void)
{
    struct audit_record rec;
    struct audit_field_iter it;
    struct audit_field f;
    const char *reason;
    const char *line = "node=h type=USER_ACCT msg=audit(5.1:9): user pid=1 "
                       "msg='PAM: accounting acct=root : exe=\"/x y\" "
                       "(hostname=?, res=success)'\x1dUID=\"root\"";

    CHECK(audit_record_parse(sv_cstr(line), &rec, &reason));
    CHECK_SV(rec.node, "h");
    CHECK_SV(rec.type_name, "USER_ACCT");
    CHECK_INT(rec.type, 1101);
    CHECK_INT(rec.msec, 100);
    CHECK_INT(rec.serial, 9);
    audit_fields_init(&it, &rec);
    const char *expect[][2] = {
        { "pid", "1" }, { "acct", "root" }, { "exe", "\"/x y\"" },
        { "hostname", "?" }, { "res", "success" }, { "UID", "\"root\"" },
    };
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        CHECK(audit_fields_next(&it, &f));
        CHECK_SV(f.key, expect[i][0]);
        CHECK_SV(f.value, expect[i][1]);
        CHECK(f.enriched == (i == 5));
        CHECK(f.in_msg == (i >= 1 && i <= 4));
    }
    CHECK(!audit_fields_next(&it, &f));
}

/* The fixed-width stamp fast path and the general one agree. */
static void
stamp_shapes(void)
{
    struct audit_record rec;
    const char *reason;

    CHECK(audit_record_parse(sv_cstr("type=EOE msg=audit(1700000000.123:"
                                     "42): "), &rec, &reason));
    CHECK_INT(rec.sec, 1700000000);
    CHECK_INT(rec.msec, 123);
    CHECK_INT(rec.serial, 42);
    CHECK_INT(rec.type, AUDIT_T_EOE);
    CHECK(audit_record_parse(sv_cstr("type=EOE msg=audit(17000000001.5:7)"),
                             &rec, &reason));
    CHECK_INT(rec.sec, 17000000001);
    CHECK_INT(rec.msec, 500);
    CHECK_INT(rec.serial, 7);
    CHECK(rec.body.len == 0);
    CHECK(!audit_record_parse(sv_cstr("type=EOE msg=audit(170000000a.123:"
                                      "42): "), &rec, &reason));
    CHECK_STR(reason, "invalid msg=audit() stamp");
    CHECK(!audit_record_parse(sv_cstr("type=EOE msg=audit(1700000000.1234:"
                                      "42): "), &rec, &reason));
    CHECK(!audit_record_parse(sv_cstr("type=EOE msg=audit(1700000000.123:"
                                      "42"), &rec, &reason));
    CHECK(!audit_record_parse(sv_cstr("type=EOE msg=audit(1700000000.123:"
                                      "): "), &rec, &reason));
}

/* Tokens around blanks, tabs, quotes and the enrichment separator. */
static void
tokenizer_edges(void)
{
    struct audit_record rec;
    struct audit_field_iter it;
    struct audit_field f;
    const char *reason;
    const char *line = "type=SYSCALL msg=audit(1.000:1): a=1\tb=2  =x "
                       "old c=\"p q\" (d=4, word e=\"open";

    CHECK(audit_record_parse(sv_cstr(line), &rec, &reason));
    audit_fields_init(&it, &rec);
    const char *expect[][2] = {
        { "a", "1\tb=2" }, { "c", "\"p q\"" }, { "d", "4" },
        { "e", "\"open" },
    };
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        CHECK(audit_fields_next(&it, &f));
        CHECK_SV(f.key, expect[i][0]);
        CHECK_SV(f.value, expect[i][1]);
        CHECK(!f.enriched);
    }
    CHECK(!audit_fields_next(&it, &f));

    line = "type=USER_END msg=audit(1.000:1): pid=1 msg='op=x "
           "acct=\"it's\" res=ok'\x1d" "AUID=\"a b\" SADDR={ x=1 } k=v";
    CHECK(audit_record_parse(sv_cstr(line), &rec, &reason));
    audit_fields_init(&it, &rec);
    const char *expect2[][2] = {
        { "pid", "1" }, { "op", "x" }, { "acct", "\"it's\"" },
        { "res", "ok" }, { "AUID", "\"a b\"" }, { "SADDR", "{ x=1 }" },
        { "k", "v" },
    };
    for (size_t i = 0; i < sizeof(expect2) / sizeof(expect2[0]); i++) {
        CHECK(audit_fields_next(&it, &f));
        CHECK_SV(f.key, expect2[i][0]);
        CHECK_SV(f.value, expect2[i][1]);
        CHECK(f.enriched == (i >= 4));
        CHECK(f.in_msg == (i >= 1 && i <= 3));
    }
    CHECK(!audit_fields_next(&it, &f));
}

/*
 * Writes the fields of one record into out as "key=value;" items, with
 * "E:" before an enriched field and "M:" before one inside msg='...'.  A
 * NUL byte shows as "\0" and a 0x1D byte as "<GS>".  Returns false when
 * the header does not parse.
 */
static bool
render_fields(struct sv line, char *out, size_t cap)
{
    struct audit_record rec;
    struct audit_field_iter it;
    struct audit_field f;
    const char *reason;
    size_t n = 0;

    out[0] = '\0';
    if (!audit_record_parse(line, &rec, &reason)) {
        return false;
    }
    audit_fields_init(&it, &rec);
    while (audit_fields_next(&it, &f)) {
        struct sv parts[2] = { f.key, f.value };
        const char *mark = "";
        if (f.enriched) {
            mark = "E:";
        } else if (f.in_msg) {
            mark = "M:";
        }
        n += (size_t)snprintf(out + n, cap - n, "%s", mark);
        for (int k = 0; k < 2 && n < cap; k++) {
            for (size_t i = 0; i < parts[k].len && n + 5 < cap; i++) {
                char c = parts[k].p[i];
                if (c == '\0') {
                    n += (size_t)snprintf(out + n, cap - n, "\\0");
                } else if (c == '\x1d') {
                    n += (size_t)snprintf(out + n, cap - n, "<GS>");
                } else {
                    out[n++] = c;
                }
            }
            if (n + 1 < cap) {
                out[n++] = k == 0 ? '=' : ';';
            }
        }
        out[n < cap ? n : cap - 1] = '\0';
    }
    return true;
}

/* One body after "type=... msg=audit(1.000:1): " and the fields read. */
struct scan_case {
    const char *type;
    const char *body;
    size_t body_len;    /* 0: strlen(body) */
    const char *fields;
};

static void
scanner_cases(void)
{
    static const struct scan_case cases[] = {
        /* Quoted values keep their quotes and may hold blanks, '=' and
         * the msg quote. */
        { "SYSCALL", "comm=\"a b=c\" exe=\"/x'y\" k=v", 0,
          "comm=\"a b=c\";exe=\"/x'y\";k=v;" },
        /* Hex-encoded values come back raw, because decoding is separate. */
        { "EXECVE", "argc=2 a0=6C73 a1=\"-l\"", 0,
          "argc=2;a0=6C73;a1=\"-l\";" },
        /* Fields after 0x1D are enriched, and so is an upper-case key
         * without it. */
        { "SYSCALL", "pid=1 key=(null)\x1d" "ARCH=x86_64 AUID=\"root\"", 0,
          "pid=1;key=(null);E:ARCH=x86_64;E:AUID=\"root\";" },
        { "SYSCALL", "pid=1 UID=\"root\" uid=0", 0,
          "pid=1;E:UID=\"root\";E:uid=0;" },
        /* A 0x1D inside a bare value ends it. */
        { "SYSCALL", "a=1\x1d" "B=2", 0, "a=1;E:B=2;" },
        /* Empty values, at the end and before a space. */
        { "EOE", "a= b=", 0, "a=;b=;" },
        { "USER_END", "msg='op= res='", 0, "M:op=;M:res=;" },
        /* Words without '=' and a lone '=' are skipped. */
        { "LOGIN", "login pid=5 old auid=1 new auid=2 = =x", 0,
          "pid=5;auid=1;auid=2;" },
        /* msg='...' opens the user-space part, closed by its quote. */
        { "USER_LOGIN", "pid=1 msg='op=login acct=\"it's\" res=ok' x=1", 0,
          "pid=1;M:op=login;M:acct=\"it's\";M:res=ok;x=1;" },
        /* A msg quote that never closes runs to the end of the line. */
        { "USER_LOGIN", "msg='op=login res=succ", 0,
          "M:op=login;M:res=succ;" },
        /* NUL bytes are data, in keys and values alike. */
        { "SYSCALL", "a=x\0y b\0c=1", 11, "a=x\\0y;b\\0c=1;" },
        /* Truncated records: a cut quote runs to the end, a cut key is
         * not a field. */
        { "SYSCALL", "pid=1 exe=\"/usr/bi", 0, "pid=1;exe=\"/usr/bi;" },
        { "SYSCALL", "pid=1 ex", 0, "pid=1;" },
        { "SYSCALL", "pid=1 exe=", 0, "pid=1;exe=;" },
        /* Tabs are blanks between fields but not inside a token. */
        { "SYSCALL", "\ta=1\tb=2 \t c=3", 0, "a=1\tb=2;c=3;" },
        /* The audit 1.x punctuation is trimmed. */
        { "USER_ACCT", "msg='PAM: x (hostname=?, addr=?, res=success)'", 0,
          "M:hostname=?;M:addr=?;M:res=success;" },
        /* An enriched "{ ... }" value runs to its brace, and a lone '{'
         * is bare. */
        { "SOCKADDR", "saddr=01\x1d" "SADDR={ a=1 b=2 } X={", 0,
          "saddr=01;E:SADDR={ a=1 b=2 };E:X={;" },
    };
    char line[512];
    char got[512];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct scan_case *c = &cases[i];
        size_t blen = c->body_len ? c->body_len : strlen(c->body);
        int hlen = snprintf(line, sizeof(line),
                            "type=%s msg=audit(1.000:1): ", c->type);
        CHECK(hlen > 0);
        CHECK((size_t)hlen + blen < sizeof(line));
        memcpy(line + hlen, c->body, blen);
        CHECK(render_fields(sv_make(line, (size_t)hlen + blen), got,
                            sizeof(got)));
        if (strcmp(got, c->fields) != 0) {
            printf("  case %zu: fields \"%s\", expected \"%s\"\n", i, got,
                   c->fields);
        }
        CHECK_STR(got, c->fields);
    }
}

/* Values longer than the scanner's eight-byte steps, of every length
 * around them, end at the right byte. */
static void
scanner_long_values(void)
{
    static char line[300000];
    struct audit_record rec;
    struct audit_field_iter it;
    struct audit_field f;
    const char *reason;
    const char *head = "type=EXECVE msg=audit(1.000:1): a0=";
    size_t hlen = strlen(head);

    for (size_t len = 0; len < 40; len++) {
        memcpy(line, head, hlen);
        memset(line + hlen, 'b', len);
        memcpy(line + hlen + len, " a1=c", 5);
        CHECK(audit_record_parse(sv_make(line, hlen + len + 5), &rec,
                                 &reason));
        audit_fields_init(&it, &rec);
        CHECK(audit_fields_next(&it, &f));
        CHECK_INT(f.value.len, len);
        CHECK(audit_fields_next(&it, &f));
        CHECK_SV(f.key, "a1");
        CHECK_SV(f.value, "c");
        CHECK(!audit_fields_next(&it, &f));
    }

    /* A 256 KiB hex argument, as execve of a long command line writes. */
    size_t big = 256 * 1024;
    memcpy(line, head, hlen);
    memset(line + hlen, 'A', big);
    CHECK(audit_record_parse(sv_make(line, hlen + big), &rec, &reason));
    audit_fields_init(&it, &rec);
    CHECK(audit_fields_next(&it, &f));
    CHECK_INT(f.value.len, big);
    CHECK(!audit_fields_next(&it, &f));
}

int
main(void)
{
    TEST_RUN("audit", exec_quoted_bare_hex_args);
    TEST_RUN("audit", exec_chunked_args_across_records);
    TEST_RUN("audit", exec_argc_larger_than_fields);
    TEST_RUN("audit", exec_proctitle_fallback);
    TEST_RUN("audit", exec_enriched_and_node);
    TEST_RUN("audit", execve_without_syscall_counted);
    TEST_RUN("audit", execve_of_other_node_counted);
    TEST_RUN("audit", complete_events_count_nothing);
    TEST_RUN("audit", exec_interleaved_serials);
    TEST_RUN("audit", exec_serials_in_one_bucket);
    TEST_RUN("audit", exec_unset_auid_ses_omitted);
    TEST_RUN("audit", exec_other_arches);
    TEST_RUN("audit", login_modern_form);
    TEST_RUN("audit", login_legacy_form);
    TEST_RUN("audit", user_login_success_and_failed);
    TEST_RUN("audit", user_auth_pubkey_and_legacy_pam);
    TEST_RUN("audit", truncated_event_flushed_at_end);
    TEST_RUN("audit", timeout_completes_old_group);
    TEST_RUN("audit", malformed_lines);
    TEST_RUN("audit", blank_lines_skipped);
    TEST_RUN("audit", long_line_is_malformed);
    TEST_RUN("audit", tokenizer_fields);
    TEST_RUN("audit", stamp_shapes);
    TEST_RUN("audit", tokenizer_edges);
    TEST_RUN("audit", scanner_cases);
    TEST_RUN("audit", scanner_long_values);
    TEST_EXIT();
}
