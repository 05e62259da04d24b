/*
 * Unit tests for the osquery format: differential and snapshot results,
 * each table it reads, the remote-login rule, row de-duplication and the
 * platform hints.
 */
#include "formats/format.h"

#include "tcapture.h"

static struct tz utc;
static struct tcapture cap;
static const char *last_reason;

extern const struct format_ops osquery_format;

/* Feeds lines to a fresh parser and returns the last status. */
static enum parse_status
feed_lines(const char *const *lines, int n)
{
    struct format_opts o = { .tz = &utc, .year = 2024, .year_given = true,
                             .ref_time = 1700000000 };
    struct event_sink sink = tcapture_sink(&cap);
    struct event_origin origin = { "osquery", "test.log", 0 };
    enum parse_status st = PARSE_MALFORMED;
    void *state = osquery_format.open(&o);

    tcapture_reset(&cap);
    for (int i = 0; i < n; i++) {
        origin.line = (uint64_t)i + 1;
        last_reason = NULL;
        st = osquery_format.feed(state, sv_cstr(lines[i]), &origin, &sink,
                                 &last_reason);
    }
    osquery_format.close(state);
    return st;
}

static enum parse_status
feed1(const char *line)
{
    return feed_lines(&line, 1);
}

static struct sv
str(int i, enum event_str f)
{
    return event_str(&cap.ev[i], f);
}

static int64_t
num(int i, enum event_num f)
{
    return event_num(&cap.ev[i], f, -1);
}

static void
process_events_row(void)
{
    CHECK_INT(feed1("{\"name\":\"proc\",\"hostIdentifier\":\"web1\","
                    "\"unixTime\":1700000005,\"columns\":{\"pid\":\"900\","
                    "\"path\":\"/usr/bin/id\",\"cmdline\":\"id -a\","
                    "\"cwd\":\"/home/alice\",\"auid\":\"1000\",\"uid\":"
                    "\"1000\",\"euid\":\"0\",\"parent\":\"850\",\"time\":"
                    "\"1700000001\",\"syscall\":\"execve\"},"
                    "\"action\":\"added\"}"),
              PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_EXEC);
    CHECK_INT(cap.ev[0].time.sec, 1700000001);
    CHECK_SV(str(0, EVENT_HOST), "web1");
    CHECK_SV(str(0, EVENT_EXE), "/usr/bin/id");
    CHECK_SV(str(0, EVENT_CMDLINE), "id -a");
    CHECK_SV(str(0, EVENT_CWD), "/home/alice");
    CHECK_INT(cap.ev[0].argc, 0);
    CHECK_INT(num(0, EVENT_PID), 900);
    CHECK_INT(num(0, EVENT_PPID), 850);
    CHECK_INT(num(0, EVENT_UID), 1000);
    CHECK_INT(num(0, EVENT_EUID), 0);
    CHECK_INT(num(0, EVENT_AUID), 1000);
}

static void
numeric_columns_and_unset_auid(void)
{
    CHECK_INT(feed1("{\"hostIdentifier\":\"h\",\"unixTime\":1700000005,"
                    "\"numerics\":true,\"columns\":{\"pid\":900,\"path\":"
                    "\"/bin/sh\",\"cmdline\":\"sh\",\"auid\":4294967295,"
                    "\"parent\":-1,\"time\":0},\"action\":\"added\"}"),
              PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(num(0, EVENT_PID), 900);
    CHECK(!event_has_num(&cap.ev[0], EVENT_AUID));
    CHECK(!event_has_num(&cap.ev[0], EVENT_PPID));
    /* A zero time column falls back to the result's unixTime. */
    CHECK_INT(cap.ev[0].time.sec, 1700000005);
}

static void
es_process_events_exec_only(void)
{
    const char *lines[] = {
        "{\"hostIdentifier\":\"mac1\",\"unixTime\":1,\"columns\":{\"pid\":"
        "\"10\",\"path\":\"/bin/zsh\",\"cmdline\":\"-zsh\",\"parent\":\"9\","
        "\"original_parent\":\"9\",\"event_type\":\"exec\",\"username\":"
        "\"bob\",\"time\":\"1700000100\"},\"action\":\"added\"}",
        "{\"hostIdentifier\":\"mac1\",\"unixTime\":1,\"columns\":{\"pid\":"
        "\"10\",\"path\":\"/bin/zsh\",\"cmdline\":\"\",\"parent\":\"9\","
        "\"original_parent\":\"9\",\"event_type\":\"fork\",\"time\":"
        "\"1700000100\"},\"action\":\"added\"}",
    };

    CHECK_INT(feed_lines(lines, 2), PARSE_SKIP);
    CHECK_INT(cap.count, 1);
    CHECK_SV(str(0, EVENT_USER), "bob");
    CHECK_SV(str(0, EVENT_PROGRAM), "zsh");
    CHECK_STR(last_reason, "es_process_events row that is not an exec");
}

/* Rows that show their platform get EVENT_PLATFORM; others do not. */
static void
platform_hints_from_rows(void)
{
    const char *lines[] = {
        /* es_process_events: Endpoint Security exists on macOS only. */
        "{\"hostIdentifier\":\"mac1\",\"unixTime\":1,\"columns\":{\"pid\":"
        "\"10\",\"path\":\"/bin/zsh\",\"cmdline\":\"-zsh\",\"parent\":\"9\","
        "\"event_type\":\"exec\",\"time\":\"1700000100\"}}",
        /* process_events with the Linux-only syscall column. */
        "{\"hostIdentifier\":\"web1\",\"unixTime\":1,\"columns\":{\"pid\":"
        "\"11\",\"path\":\"/bin/id\",\"cmdline\":\"id\",\"syscall\":"
        "\"execve\",\"time\":\"1700000100\"}}",
        /* process_events with the macOS-only OpenBSM status column. */
        "{\"hostIdentifier\":\"mac2\",\"unixTime\":1,\"columns\":{\"pid\":"
        "\"12\",\"path\":\"/bin/ls\",\"cmdline\":\"ls\",\"status\":\"0\","
        "\"time\":\"1700000100\"}}",
        /* process_events with the columns both platforms have. */
        "{\"hostIdentifier\":\"h\",\"unixTime\":1,\"columns\":{\"pid\":"
        "\"13\",\"path\":\"/bin/ls\",\"cmdline\":\"ls\",\"time\":"
        "\"1700000100\"}}",
    };

    CHECK_INT(feed_lines(lines, 4), PARSE_OK);
    CHECK_INT(cap.count, 4);
    CHECK_SV(str(0, EVENT_PLATFORM), "macos");
    CHECK_SV(str(1, EVENT_PLATFORM), "linux");
    CHECK_SV(str(2, EVENT_PLATFORM), "macos");
    CHECK_SV(str(3, EVENT_PLATFORM), NULL);
}

/* Terminals: ttysNNN is macOS, pts/N Linux, ssh:notty either. */
static void
platform_hints_from_terminals(void)
{
    const char *lines[] = {
        "{\"hostIdentifier\":\"mac1\",\"unixTime\":1,\"columns\":{"
        "\"username\":\"bob\",\"tty\":\"ttys001\",\"pid\":\"700\","
        "\"type\":\"7\",\"time\":\"1700000000\",\"host\":\"192.0.2.4\"}}",
        "{\"hostIdentifier\":\"web1\",\"unixTime\":1,\"columns\":{"
        "\"username\":\"alice\",\"tty\":\"pts/0\",\"pid\":\"800\","
        "\"type\":\"7\",\"time\":\"1700000000\",\"host\":\"192.0.2.5\"}}",
        "{\"hostIdentifier\":\"h\",\"unixTime\":1,\"columns\":{"
        "\"username\":\"carol\",\"tty\":\"ssh:notty\",\"pid\":\"900\","
        "\"type\":\"7\",\"time\":\"1700000000\",\"host\":\"192.0.2.6\"}}",
    };

    CHECK_INT(feed_lines(lines, 3), PARSE_OK);
    CHECK_INT(cap.count, 3);
    CHECK_SV(str(0, EVENT_PLATFORM), "macos");
    CHECK_SV(str(1, EVENT_PLATFORM), "linux");
    CHECK_SV(str(2, EVENT_PLATFORM), NULL);
}

/* A decoration naming the platform outranks what the row shows. */
static void
platform_from_decorations(void)
{
    const char *lines[] = {
        "{\"hostIdentifier\":\"mac2\",\"unixTime\":1,\"decorations\":{"
        "\"platform\":\"darwin\"},\"columns\":{\"username\":\"carol\","
        "\"tty\":\"ssh:notty\",\"pid\":\"900\",\"type\":\"7\",\"time\":"
        "\"1700000000\",\"host\":\"192.0.2.6\"}}",
        /* --decorations_top_level puts the decorations beside columns. */
        "{\"hostIdentifier\":\"web2\",\"unixTime\":1,\"platform\":"
        "\"ubuntu\",\"columns\":{\"pid\":\"14\",\"path\":\"/bin/ls\","
        "\"cmdline\":\"ls\",\"status\":\"0\",\"time\":\"1700000100\"}}",
        /* platform_like lists related platforms; the first one counts. */
        "{\"hostIdentifier\":\"rh\",\"unixTime\":1,\"decorations\":{"
        "\"platform\":\"someos\",\"platform_like\":\"rhel fedora\"},"
        "\"columns\":{\"pid\":\"15\",\"path\":\"/bin/ls\",\"cmdline\":"
        "\"ls\",\"time\":\"1700000100\"}}",
        /* An unknown platform name gives no hint. */
        "{\"hostIdentifier\":\"w\",\"unixTime\":1,\"decorations\":{"
        "\"platform\":\"windows\"},\"columns\":{\"pid\":\"16\","
        "\"path\":\"/bin/ls\",\"cmdline\":\"ls\",\"time\":"
        "\"1700000100\"}}",
    };

    CHECK_INT(feed_lines(lines, 4), PARSE_OK);
    CHECK_INT(cap.count, 4);
    CHECK_SV(str(0, EVENT_PLATFORM), "macos");
    CHECK_SV(str(1, EVENT_PLATFORM), "linux");
    CHECK_SV(str(2, EVENT_PLATFORM), "linux");
    CHECK_SV(str(3, EVENT_PLATFORM), NULL);
}

static void
last_login_and_logout(void)
{
    const char *lines[] = {
        "{\"hostIdentifier\":\"web1\",\"unixTime\":1700000000,\"columns\":"
        "{\"username\":\"alice\",\"tty\":\"pts/0\",\"pid\":\"812\",\"type\":"
        "\"7\",\"time\":\"1699999990\",\"host\":\"192.0.2.5\"},"
        "\"action\":\"added\"}",
        "{\"hostIdentifier\":\"web1\",\"unixTime\":1700000000,\"columns\":"
        "{\"username\":\"\",\"tty\":\"pts/0\",\"pid\":\"812\",\"type\":"
        "\"8\",\"time\":\"1699999999\",\"host\":\"\"},\"action\":\"added\"}",
        "{\"hostIdentifier\":\"web1\",\"unixTime\":1700000000,\"columns\":"
        "{\"username\":\"reboot\",\"tty\":\"~\",\"pid\":\"0\",\"type\":"
        "\"2\",\"time\":\"1699990000\",\"host\":\"6.1.0\"},"
        "\"action\":\"added\"}",
    };

    CHECK_INT(feed_lines(lines, 3), PARSE_SKIP);
    CHECK_INT(cap.count, 2);
    CHECK_INT(cap.ev[0].kind, EVENT_USER_LOGIN);
    CHECK_SV(str(0, EVENT_PROGRAM), "sshd");
    CHECK_SV(str(0, EVENT_SRC_IP), "192.0.2.5");
    CHECK_SV(str(0, EVENT_TTY), "pts/0");
    CHECK_SV(str(0, EVENT_USER), "alice");
    CHECK_INT(cap.ev[1].kind, EVENT_USER_LOGOUT);
    CHECK_SV(str(1, EVENT_PROGRAM), NULL);
    CHECK_SV(str(1, EVENT_USER), NULL);
}

static void
local_logins_not_sshd(void)
{
    const char *line =
        "{\"hostIdentifier\":\"mac1\",\"unixTime\":1700000010,\"snapshot\":"
        "[{\"type\":\"user\",\"user\":\"bob\",\"tty\":\"console\",\"host\":"
        "\"\",\"time\":\"1699980000\",\"pid\":\"150\"},{\"type\":\"user\","
        "\"user\":\"bob\",\"tty\":\"ttys002\",\"host\":\":0\",\"time\":"
        "\"1699980001\",\"pid\":\"151\"},{\"type\":\"user\",\"user\":\"bob\","
        "\"tty\":\"ttys003\",\"host\":\"198.51.100.4\",\"time\":"
        "\"1699980002\",\"pid\":\"152\"}],\"action\":\"snapshot\"}";

    CHECK_INT(feed1(line), PARSE_OK);
    CHECK_INT(cap.count, 3);
    CHECK_SV(str(0, EVENT_PROGRAM), NULL);
    CHECK_SV(str(1, EVENT_PROGRAM), NULL);
    CHECK_SV(str(2, EVENT_PROGRAM), "sshd");
    CHECK_SV(str(2, EVENT_HOST), "mac1");
}

static void
snapshot_rows_emitted_once(void)
{
    const char *row = "{\"hostIdentifier\":\"mac1\",\"unixTime\":1,"
                      "\"snapshot\":[{\"type\":\"user\",\"user\":\"bob\","
                      "\"tty\":\"ttys001\",\"host\":\"198.51.100.4\","
                      "\"time\":\"1699990000\",\"pid\":\"700\"}],"
                      "\"action\":\"snapshot\"}";
    const char *lines[] = { row, row, row };

    CHECK_INT(feed_lines(lines, 3), PARSE_SKIP);
    CHECK_INT(cap.count, 1);
    CHECK_STR(last_reason, "login row already seen in an earlier result");
}

static void
user_events_auth_failure(void)
{
    CHECK_INT(feed1("{\"hostIdentifier\":\"web1\",\"unixTime\":1,"
                    "\"columns\":{\"uid\":\"0\",\"auid\":\"4294967295\","
                    "\"pid\":\"812\",\"message\":\"op=PAM:authentication "
                    "grantors=? acct=\\\"alice\\\" exe=\\\"/usr/sbin/sshd\\\""
                    " hostname=192.0.2.5 addr=192.0.2.5 terminal=ssh "
                    "res=failed\",\"type\":\"1100\",\"path\":"
                    "\"/usr/sbin/sshd\",\"address\":\"192.0.2.5\","
                    "\"terminal\":\"ssh\",\"time\":\"1699999980\"},"
                    "\"action\":\"added\"}"),
              PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_FAILURE);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_FAILURE);
    CHECK_SV(str(0, EVENT_USER), "alice");
    CHECK_SV(str(0, EVENT_SRC_IP), "192.0.2.5");
    CHECK_SV(str(0, EVENT_PROGRAM), "/usr/sbin/sshd");
    CHECK(!event_has_num(&cap.ev[0], EVENT_AUID));
}

static void
user_events_login_with_session(void)
{
    CHECK_INT(feed1("{\"hostIdentifier\":\"web1\",\"unixTime\":1,"
                    "\"columns\":{\"uid\":\"0\",\"auid\":\"1000\",\"pid\":"
                    "\"812\",\"message\":\"pid=812 uid=0 auid=1000 ses=7 "
                    "msg='op=login id=1000 exe=\\\"/usr/sbin/sshd\\\" "
                    "hostname=? addr=192.0.2.5 terminal=/dev/pts/1 "
                    "res=success'\",\"type\":\"1112\",\"path\":"
                    "\"/usr/sbin/sshd\",\"address\":\"192.0.2.5\","
                    "\"terminal\":\"/dev/pts/1\",\"time\":\"1699999990\"},"
                    "\"action\":\"added\"}"),
              PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_USER_LOGIN);
    CHECK_INT(num(0, EVENT_SES), 7);
    CHECK_INT(num(0, EVENT_AUID), 1000);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_SUCCESS);
}

static void
removed_and_unknown_rows_skipped(void)
{
    CHECK_INT(feed1("{\"hostIdentifier\":\"h\",\"unixTime\":1,\"columns\":"
                    "{\"username\":\"a\",\"tty\":\"pts/0\",\"type\":\"7\"},"
                    "\"action\":\"removed\"}"),
              PARSE_SKIP);
    CHECK_INT(feed1("{\"hostIdentifier\":\"h\",\"unixTime\":1,\"columns\":"
                    "{\"name\":\"launchd\"},\"action\":\"added\"}"),
              PARSE_SKIP);
    CHECK_INT(feed1("{\"hostIdentifier\":\"h\"}"), PARSE_MALFORMED);
    CHECK_INT(feed1("I1114 22:13:20.000 osqueryd started"), PARSE_MALFORMED);
    CHECK_INT(cap.count, 0);
}

static void
batched_diff_results(void)
{
    CHECK_INT(feed1("{\"name\":\"p\",\"hostIdentifier\":\"h\",\"unixTime\":"
                    "1700000000,\"diffResults\":{\"removed\":[],\"added\":"
                    "[{\"pid\":\"1\",\"path\":\"/bin/a\",\"cmdline\":\"a\"},"
                    "{\"pid\":\"2\",\"path\":\"/bin/b\",\"cmdline\":\"b\"}]}}"),
              PARSE_OK);
    CHECK_INT(cap.count, 2);
    CHECK_SV(str(1, EVENT_EXE), "/bin/b");
}

static void
osquery_probe_scores(void)
{
    CHECK_INT(osquery_format.probe(SV_LIT(
                  "{\"name\":\"x\",\"hostIdentifier\":\"h\",\"columns\":{}}")),
              100);
    CHECK_INT(osquery_format.probe(SV_LIT("{\"columns\":{}}")), 0);
}

/* A line cut short does not swallow the records after it: the next line
 * that starts a record is read, and counts as not understood. */
static void
cut_line_resyncs(void)
{
    static const char *const lines[] = {
        "{\"name\":\"pack_ssh_logins\",\"hostIdentifier\":\"web1\",\"unixT",
        "{\"name\":\"logged_in_users\",\"hostIdentifier\":\"web1.example.com\","
        "\"calendarTime\":\"Tue Nov 14 22:13:20 2023 UTC\",\"unixTime\":"
        "1700000000,\"epoch\":0,\"counter\":0,\"numerics\":false,"
        "\"columns\":{\"user\":\"alice\",\"tty\":\"pts/0\",\"pid\":\"812\","
        "\"type\":\"user\",\"time\":\"1699999990\",\"host\":\"192.0.2.5\"},"
        "\"action\":\"added\"}",
    };

    CHECK_INT(feed_lines(lines, 2), PARSE_MALFORMED);
    CHECK_STR(last_reason, "JSON record cut short");
    CHECK_INT(cap.count, 1);
}

int
main(void)
{
    tcapture_init(&cap);
    TEST_RUN("osquery", process_events_row);
    TEST_RUN("osquery", cut_line_resyncs);
    TEST_RUN("osquery", numeric_columns_and_unset_auid);
    TEST_RUN("osquery", es_process_events_exec_only);
    TEST_RUN("osquery", platform_hints_from_rows);
    TEST_RUN("osquery", platform_hints_from_terminals);
    TEST_RUN("osquery", platform_from_decorations);
    TEST_RUN("osquery", last_login_and_logout);
    TEST_RUN("osquery", local_logins_not_sshd);
    TEST_RUN("osquery", snapshot_rows_emitted_once);
    TEST_RUN("osquery", user_events_auth_failure);
    TEST_RUN("osquery", user_events_login_with_session);
    TEST_RUN("osquery", removed_and_unknown_rows_skipped);
    TEST_RUN("osquery", batched_diff_results);
    TEST_RUN("osquery", osquery_probe_scores);
    tcapture_fini(&cap);
    TEST_EXIT();
}
