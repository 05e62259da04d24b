/*
 * Unit tests for the ecs format: nested, flat dotted and mixed keys,
 * objects split over lines and arrays, and the mapping of logins, process
 * starts and sudo commands.
 */
#include "formats/format.h"

#include "tcapture.h"

static struct tcapture cap;
static const char *last_reason;
static struct tz utc;

extern const struct format_ops ecs_format;

/* Feeds lines to a fresh parser and returns the status of the last one. */
static enum parse_status
feed_lines(const char *const *lines, int n)
{
    struct format_opts o = { .tz = &utc };
    struct event_sink sink = tcapture_sink(&cap);
    struct event_origin origin = { "ecs", "ecs.json", 0 };
    enum parse_status st = PARSE_MALFORMED;
    void *state = ecs_format.open(&o);

    tcapture_reset(&cap);
    for (int i = 0; i < n; i++) {
        origin.line = (uint64_t)i + 1;
        last_reason = NULL;
        st = ecs_format.feed(state, sv_cstr(lines[i]), &origin, &sink,
                             &last_reason);
    }
    ecs_format.close(state);
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
ssh_login_nested(void)
{
    CHECK_INT(feed1("{\"@timestamp\":\"2025-02-21T21:54:44.000Z\","
                    "\"event\":{\"action\":\"ssh_login\",\"outcome\":"
                    "\"success\"},\"host\":{\"hostname\":\"web1\"},"
                    "\"process\":{\"name\":\"sshd\",\"pid\":3402},"
                    "\"source\":{\"ip\":\"192.0.2.2\",\"port\":63673},"
                    "\"system\":{\"auth\":{\"ssh\":{\"event\":\"Accepted\","
                    "\"method\":\"publickey\",\"signature\":\"ED25519 "
                    "SHA256:abc\"}}},\"user\":{\"name\":\"vagrant\"}}"),
             PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_SUCCESS);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_SUCCESS);
    CHECK_INT(cap.ev[0].time.sec, civil_to_epoch(2025, 2, 21, 21, 54, 44));
    CHECK_SV(str(0, EVENT_HOST), "web1");
    CHECK_SV(str(0, EVENT_PROGRAM), "sshd");
    CHECK_SV(str(0, EVENT_USER), "vagrant");
    CHECK_SV(str(0, EVENT_SRC_IP), "192.0.2.2");
    CHECK_INT(num(0, EVENT_SRC_PORT), 63673);
    CHECK_INT(num(0, EVENT_PID), 3402);
    CHECK_SV(str(0, EVENT_AUTH_METHOD), "publickey");
    CHECK_SV(str(0, EVENT_KEY_TYPE), "ED25519");
    CHECK_SV(str(0, EVENT_KEY_FP), "SHA256:abc");
}

static void
ssh_login_failure_outcome(void)
{
    feed1("{\"@timestamp\":\"2025-02-20T08:35:22Z\",\"event.action\":"
          "\"ssh_login\",\"event.outcome\":\"failure\",\"user.name\":"
          "\"root\",\"source.ip\":\"192.0.2.9\"}");
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_FAILURE);
    CHECK_SV(str(0, EVENT_USER), "root");
    CHECK_SV(str(0, EVENT_SRC_IP), "192.0.2.9");
}

/* Filebeat 6.x: flat keys, numbers as strings, pretty-printed array. */
static void
legacy_pretty_array(void)
{
    const char *lines[] = {
        "[",
        "    {",
        "        \"@timestamp\": \"2018-02-21T21:56:12.000Z\", ",
        "        \"system.auth.hostname\": \"localhost\", ",
        "        \"system.auth.pid\": \"3430\", ",
        "        \"system.auth.ssh.event\": \"Invalid\", ",
        "        \"system.auth.ssh.ip\": \"192.0.2.2\", ",
        "        \"system.auth.user\": \"test\"",
        "    }, ",
        "    {",
        "        \"@timestamp\": \"2018-02-21T21:54:44.000Z\", ",
        "        \"system.auth.ssh.event\": \"Accepted\", ",
        "        \"system.auth.ssh.port\": \"63673\", ",
        "        \"system.auth.user\": \"vagrant\"",
        "    }",
        "]",
    };

    CHECK_INT(feed_lines(lines, 16), PARSE_SKIP);
    CHECK_INT(cap.count, 2);
    CHECK_INT(cap.ev[0].kind, EVENT_INVALID_USER);
    CHECK_SV(str(0, EVENT_HOST), "localhost");
    CHECK_INT(num(0, EVENT_PID), 3430);
    CHECK_SV(str(0, EVENT_USER), "test");
    CHECK_INT(cap.ev[0].origin.line, 2);
    CHECK_INT(cap.ev[1].kind, EVENT_AUTH_SUCCESS);
    CHECK_INT(num(1, EVENT_SRC_PORT), 63673);
    CHECK_INT(cap.ev[1].origin.line, 10);
}

/* Keys split at any dot: {"process.parent":{"pid":1}} and the like. */
static void
mixed_keys(void)
{
    feed1("{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"event\":{"
          "\"category\":\"process\",\"type\":[\"start\"]},"
          "\"process.parent\":{\"pid\":10},\"process\":{\"pid\":11,"
          "\"executable\":\"/usr/bin/id\"}}");
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_EXEC);
    CHECK_INT(num(0, EVENT_PPID), 10);
    CHECK_INT(num(0, EVENT_PID), 11);
    CHECK_SV(str(0, EVENT_EXE), "/usr/bin/id");
}

static void
process_start_full(void)
{
    feed1("{\"@timestamp\":\"2024-01-02T03:04:05.123Z\",\"host\":{\"name\":"
          "\"web1.example.com\"},\"event\":{\"category\":[\"process\"],"
          "\"type\":[\"start\"],\"action\":\"executed\",\"module\":"
          "\"auditd\"},\"process\":{\"pid\":4251,\"executable\":"
          "\"/usr/bin/curl\",\"args\":[\"curl\",\"-s\",\"http://x\"],"
          "\"working_directory\":\"/tmp\",\"parent\":{\"pid\":4250,"
          "\"executable\":\"/bin/bash\"},\"entry_leader\":{\"entity_id\":"
          "\"abc123\",\"pid\":4240,\"entry_meta\":{\"type\":\"sshd\"}}},"
          "\"user\":{\"id\":\"1000\",\"name\":\"alice\",\"effective\":{"
          "\"id\":\"0\"},\"audit\":{\"id\":\"1000\"}},\"auditd\":{"
          "\"session\":\"7\"}}");
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_EXEC);
    CHECK_SV(str(0, EVENT_HOST), "web1.example.com");
    CHECK_INT(cap.ev[0].argc, 3);
    CHECK_SV(event_arg(&cap.ev[0], 2), "http://x");
    CHECK_SV(str(0, EVENT_CMDLINE), NULL);
    CHECK_SV(str(0, EVENT_CWD), "/tmp");
    CHECK_SV(str(0, EVENT_PARENT_EXE), "/bin/bash");
    CHECK_INT(num(0, EVENT_UID), 1000);
    CHECK_INT(num(0, EVENT_EUID), 0);
    CHECK_INT(num(0, EVENT_SES), 7);
    CHECK_INT(num(0, EVENT_AUID), 1000);
    CHECK_SV(str(0, EVENT_USER), "alice");
    CHECK_SV(str(0, EVENT_LOGON_ID), "abc123");
    CHECK_SV(str(0, EVENT_DETAIL), "entry leader sshd pid 4240");
}

static void
process_command_line_only(void)
{
    feed1("{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"event.action\":"
          "\"exec\",\"process.command_line\":\"sh -c 'id'\","
          "\"auditd.session\":\"unset\",\"user.audit.id\":\"4294967295\"}");
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].argc, 0);
    CHECK_SV(str(0, EVENT_CMDLINE), "sh -c 'id'");
    CHECK_INT(num(0, EVENT_SES), -1);
    CHECK_INT(num(0, EVENT_AUID), -1);
}

static void
auditbeat_user_login(void)
{
    const char *lines[] = {
        "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"event\":{\"action\":"
        "\"user_login\",\"outcome\":\"success\"},\"user\":{\"name\":\"bob\","
        "\"terminal\":\"pts/1\"},\"source\":{\"ip\":\"192.0.2.5\"},"
        "\"process\":{\"pid\":900}}",
        "{\"@timestamp\":\"2024-01-02T04:04:05Z\",\"event\":{\"action\":"
        "\"user_login\",\"outcome\":\"failure\"},\"user\":{\"name\":\"bob\","
        "\"terminal\":\"ssh:notty\"}}",
        "{\"@timestamp\":\"2024-01-02T05:04:05Z\",\"event\":{\"action\":"
        "\"user_login\",\"outcome\":\"success\"},\"user\":{\"name\":\"bob\","
        "\"terminal\":\"tty1\"}}",
    };

    feed_lines(lines, 3);
    CHECK_INT(cap.count, 3);
    CHECK_INT(cap.ev[0].kind, EVENT_USER_LOGIN);
    CHECK_SV(str(0, EVENT_PROGRAM), "sshd");
    CHECK_SV(str(0, EVENT_TTY), "pts/1");
    CHECK_INT(num(0, EVENT_PID), 900);
    CHECK_INT(cap.ev[1].kind, EVENT_AUTH_FAILURE);
    CHECK_SV(str(1, EVENT_PROGRAM), "sshd");
    CHECK_INT(cap.ev[2].kind, EVENT_USER_LOGIN);
    CHECK_SV(str(2, EVENT_PROGRAM), NULL);
}

static void
auditd_logged_in(void)
{
    feed1("{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"event\":{\"module\":"
          "\"auditd\",\"action\":\"logged-in\",\"outcome\":\"success\"},"
          "\"process\":{\"executable\":\"/usr/sbin/sshd\",\"pid\":700},"
          "\"user\":{\"name\":\"carol\",\"audit\":{\"id\":\"1001\"}},"
          "\"auditd\":{\"session\":\"12\"},\"source\":{\"ip\":"
          "\"192.0.2.8\"}}");
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_USER_LOGIN);
    CHECK_INT(num(0, EVENT_SES), 12);
    CHECK_INT(num(0, EVENT_AUID), 1001);
    CHECK_SV(str(0, EVENT_PROGRAM), "sshd");

    CHECK_INT(feed1("{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"event\":{"
                    "\"module\":\"auditd\",\"action\":\"logged-in\"},"
                    "\"process\":{\"executable\":\"/usr/sbin/cron\"}}"),
              PARSE_SKIP);
}

static void
sudo_commands(void)
{
    feed1("{\"@timestamp\":\"2025-02-21T23:35:33Z\",\"process\":{\"name\":"
          "\"sudo\"},\"user\":{\"name\":\"vagrant\"},\"system\":{\"auth\":{"
          "\"sudo\":{\"command\":\"/bin/ls\",\"pwd\":\"/home/vagrant\","
          "\"tty\":\"pts/0\",\"user\":\"root\"}}}}");
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_EXEC);
    CHECK_SV(str(0, EVENT_CMDLINE), "/bin/ls");
    CHECK_SV(str(0, EVENT_PROGRAM), "sudo");
    CHECK_SV(str(0, EVENT_USER), "vagrant");
    CHECK_SV(str(0, EVENT_TTY), "pts/0");

    CHECK_INT(feed1("{\"@timestamp\":\"2025-02-21T23:35:33Z\","
                    "\"system.auth.sudo.command\":\"/bin/ls\","
                    "\"system.auth.sudo.error\":\"user NOT in sudoers\"}"),
              PARSE_SKIP);
    CHECK_STR(last_reason, "sudo command refused");
}

static void
unused_and_invalid(void)
{
    CHECK_INT(feed1("{\"@timestamp\":\"2025-02-21T23:35:33Z\",\"event\":{"
                    "\"category\":[\"iam\"]}}"), PARSE_SKIP);
    CHECK_STR(last_reason, "ECS event not used");
    CHECK_INT(feed1("{\"event\":{\"action\":\"ssh_login\"}}"),
              PARSE_MALFORMED);
    CHECK_STR(last_reason, "missing or invalid @timestamp");
    CHECK_INT(feed1("{\"@timestamp\":\"x\",}"), PARSE_MALFORMED);
    CHECK_INT(feed1("Mar  7 18:53:20 bar sshd[1556]: Accepted"),
              PARSE_MALFORMED);
    CHECK_STR(last_reason, "text outside a JSON object");
}

/* A line cut inside a string is malformed; the next object is read. */
static void
unterminated_object_restart(void)
{
    const char *lines[] = {
        "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"event\":{\"act",
        "{\"@timestamp\":\"2024-01-02T03:04:06Z\",\"event.action\":"
        "\"ssh_login\",\"event.outcome\":\"success\",\"user.name\":\"d\"}",
    };

    CHECK_INT(feed_lines(lines, 1), PARSE_MALFORMED);
    CHECK_STR(last_reason, "unterminated JSON object");
    CHECK_INT(feed_lines(lines, 2), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_SV(str(0, EVENT_USER), "d");
    CHECK_INT(cap.ev[0].origin.line, 2);
}

/* An object cut outside a string is dropped when a new one starts. */
static void
cut_object_then_new_line(void)
{
    const char *lines[] = {
        "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"event\":{",
        "{\"@timestamp\":\"2024-01-02T03:04:06Z\",\"event.action\":"
        "\"ssh_login\",\"event.outcome\":\"success\",\"user.name\":\"e\"}",
    };

    CHECK_INT(feed_lines(lines, 1), PARSE_OK);
    CHECK_INT(feed_lines(lines, 2), PARSE_MALFORMED);
    CHECK_STR(last_reason, "unterminated JSON object");
    CHECK_INT(cap.count, 1);
    CHECK_SV(str(0, EVENT_USER), "e");
}

/* Braces inside strings do not end the object. */
static void
braces_in_strings(void)
{
    feed1("{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"event.action\":"
          "\"exec\",\"process.command_line\":\"echo '}{' \\\"}\\\"\"}");
    CHECK_INT(cap.count, 1);
    CHECK_SV(str(0, EVENT_CMDLINE), "echo '}{' \"}\"");
}

static void
probe_scores(void)
{
    CHECK(ecs_format.probe(sv_cstr("{\"@timestamp\":\"x\",\"ecs\":{"
                                   "\"version\":\"8.11.0\"},\"event\":{")) >=
          90);
    CHECK(ecs_format.probe(sv_cstr(
              "        \"system.auth.ssh.event\": \"Accepted\", ")) >= 40);
    CHECK_INT(ecs_format.probe(sv_cstr("Mar  7 18:53:20 bar sshd[1]: x")),
              0);
}

int
main(void)
{
    tcapture_init(&cap);
    TEST_RUN("ecs", ssh_login_nested);
    TEST_RUN("ecs", ssh_login_failure_outcome);
    TEST_RUN("ecs", legacy_pretty_array);
    TEST_RUN("ecs", mixed_keys);
    TEST_RUN("ecs", process_start_full);
    TEST_RUN("ecs", process_command_line_only);
    TEST_RUN("ecs", auditbeat_user_login);
    TEST_RUN("ecs", auditd_logged_in);
    TEST_RUN("ecs", sudo_commands);
    TEST_RUN("ecs", unused_and_invalid);
    TEST_RUN("ecs", unterminated_object_restart);
    TEST_RUN("ecs", cut_object_then_new_line);
    TEST_RUN("ecs", braces_in_strings);
    TEST_RUN("ecs", probe_scores);
    tcapture_fini(&cap);
    TEST_EXIT();
}
