/*
 * Unit tests for the esxi format: one test per line shape of auth.log,
 * shell.log, hostd.log, vobd.log and vpxd in their ESXi 6/7, ESXi 8 and
 * forwarded forms, the skip reasons and the probe scores.  A local sink
 * copies each event so fields can be checked after the call.
 */
#include "formats/format.h"

#include "tcapture.h"

static struct tz utc;
static struct tcapture cap;
static const char *last_reason;

extern const struct format_ops esxi_format;

/* Feeds lines to a fresh parser and returns the last line's status. */
static enum parse_status
feed_lines(const char *const *lines, int n)
{
    struct format_opts o = { .tz = &utc, .year = 2024, .year_given = true,
                             .ref_time = 1700000000 };
    struct event_sink sink = tcapture_sink(&cap);
    struct event_origin origin = { "esxi", "test.log", 0 };
    enum parse_status st = PARSE_MALFORMED;
    void *state = esxi_format.open(&o);

    tcapture_reset(&cap);
    for (int i = 0; i < n; i++) {
        origin.line = (uint64_t)i + 1;
        last_reason = NULL;
        st = esxi_format.feed(state, sv_cstr(lines[i]), &origin, &sink,
                              &last_reason);
    }
    esxi_format.close(state);
    return st;
}

static enum parse_status
feed1(const char *line)
{
    return feed_lines(&line, 1);
}

static struct sv
str(enum event_str f)
{
    return event_str(&cap.ev[0], f);
}

static int64_t
num(enum event_num f)
{
    return event_num(&cap.ev[0], f, -1);
}

static void
auth_esxi8_accepted(void)
{
    CHECK_INT(feed1("2023-12-05T17:35:43.320Z In(38) sshd[1053654]: "
                    "Accepted keyboard-interactive/pam for root from "
                    "192.0.2.10 port 58470 ssh2"), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_SUCCESS);
    CHECK_INT(cap.ev[0].time.sec, civil_to_epoch(2023, 12, 5, 17, 35, 43));
    CHECK_INT(cap.ev[0].time.nsec, 320000000);
    CHECK_SV(str(EVENT_HOST), NULL);
    CHECK_SV(str(EVENT_PROGRAM), "sshd");
    CHECK_INT(num(EVENT_PID), 1053654);
    CHECK_SV(str(EVENT_USER), "root");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.10");
    CHECK_INT(num(EVENT_SRC_PORT), 58470);
    CHECK_SV(str(EVENT_AUTH_METHOD), "keyboard-interactive/pam");
    CHECK_STR(cap.ev[0].origin.format, "esxi");
}

static void
auth_esxi7_accepted(void)
{
    CHECK_INT(feed1("2021-03-15T10:12:13Z sshd[2099511]: Accepted "
                    "password for root from 2001:db8:0:0::7 port 53358 "
                    "ssh2"), PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_SUCCESS);
    CHECK_INT(cap.ev[0].time.sec, civil_to_epoch(2021, 3, 15, 10, 12, 13));
    CHECK_SV(str(EVENT_HOST), NULL);
    CHECK_INT(num(EVENT_PID), 2099511);
    CHECK_SV(str(EVENT_SRC_IP), "2001:db8::7");
}

static void
auth_sshd_session_lines(void)
{
    CHECK_INT(feed1("2023-12-05T17:59:31.981Z In(38) sshd[1053654]: "
                    "Session closed for 'root' on /dev/char/pty/t0"),
              PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_SESSION_CLOSE);
    CHECK_SV(str(EVENT_USER), "root");
    CHECK_SV(str(EVENT_TTY), "char/pty/t0");
    CHECK_SV(str(EVENT_PROGRAM), "sshd");
    CHECK_INT(num(EVENT_PID), 1053654);

    /* A user name with spaces and a quote stays whole. */
    CHECK_INT(feed1("2021-03-15T10:12:14Z sshd[2099512]: Session opened "
                    "for 'ops team' on x' on /dev/char/pty/t1"), PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_SESSION_OPEN);
    CHECK_SV(str(EVENT_USER), "ops team' on x");
    CHECK_SV(str(EVENT_TTY), "char/pty/t1");

    CHECK_INT(feed1("2021-03-15T10:12:14Z sshd[1]: Session closed for "
                    "'root'"), PARSE_MALFORMED);
    CHECK_STR(last_reason, "sshd session line without a terminal");
}

static void
auth_sshd_unused_message(void)
{
    CHECK_INT(feed1("2023-12-05T17:35:43.400Z In(38) sshd[1053654]: "
                    "User 'root' running command 'x'"), PARSE_SKIP);
    CHECK_STR(last_reason, "sshd message not used");
    CHECK_INT(cap.count, 0);
}

static void
ssh_service_switches(void)
{
    CHECK_INT(feed1("2023-12-05T17:35:29.040Z No(13) SSH[1053644]: SSH "
                    "login enabled"), PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_SSH_ENABLED);
    CHECK_SV(str(EVENT_PROGRAM), "SSH");
    CHECK_INT(num(EVENT_PID), 1053644);
    CHECK_SV(str(EVENT_DETAIL), "SSH login enabled");

    /* ESXi 7 shell.log writes the service script without a pid. */
    CHECK_INT(feed1("2021-03-02T09:10:05Z SSH: SSH login disabled"),
              PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_SSH_DISABLED);
    CHECK_INT(num(EVENT_PID), -1);

    CHECK_INT(feed1("2023-12-05T17:35:29.106Z No(13) SSH[1053649]: SSH "
                    "sandbox is not enabled, SSH will run in superdom"),
              PARSE_SKIP);
    CHECK_STR(last_reason, "SSH service message not used");
}

static void
shell_command_esxi8(void)
{
    CHECK_INT(feed1("2023-12-05T17:37:35.560Z In(14) shell[1053659]: "
                    "[root]: esxcli system version get"), PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_EXEC);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_NONE);
    CHECK_INT(num(EVENT_PID), 1053659);
    CHECK_SV(str(EVENT_USER), "root");
    CHECK_SV(str(EVENT_CMDLINE), "esxcli system version get");
    CHECK_SV(str(EVENT_PROGRAM), "shell");
    CHECK_SV(str(EVENT_HOST), NULL);
    CHECK_INT(cap.ev[0].argc, 0);
}

static void
shell_command_esxi7_odd_bytes(void)
{
    /* A user name with spaces and a backslash; escape bytes kept. */
    CHECK_INT(feed1("2021-03-15T10:13:01Z shell[2099520]: [CORP\\Jane "
                    "Doe]: echo \x1b[31mred\x1b[0m ]: x"), PARSE_OK);
    CHECK_SV(str(EVENT_USER), "CORP\\Jane Doe");
    CHECK_SV(str(EVENT_CMDLINE), "echo \x1b[31mred\x1b[0m ]: x");
    CHECK_INT(num(EVENT_PID), 2099520);

    CHECK_INT(feed1("2021-03-15T10:13:02Z shell[2099520]: [root]:"),
              PARSE_SKIP);
    CHECK_STR(last_reason, "empty shell command");
}

static void
shell_session_start_skipped(void)
{
    CHECK_INT(feed1("2021-03-15T10:12:15Z shell[2099520]: Interactive "
                    "shell session started"), PARSE_SKIP);
    CHECK_STR(last_reason, "shell start names no user");
    CHECK_INT(feed1("2021-03-15T10:12:15Z ESXShell[2099400]: ESXi shell "
                    "login enabled"), PARSE_SKIP);
    CHECK_STR(last_reason, "program not used");
}

static void
shell_audit_record(void)
{
    CHECK_INT(feed1("<110>2022-11-04T15:25:46.186Z ESXI shell[1231448]: "
                    "[shell.cmd@6876 subject=\"root\" object=\"shell\" "
                    "command=\"grep -i kali hostd.log | grep reboot\" "
                    "result=\"success\" status=\"0\"]"), PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_EXEC);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_SUCCESS);
    CHECK_SV(str(EVENT_HOST), "ESXI");
    CHECK_INT(num(EVENT_PID), 1231448);
    CHECK_SV(str(EVENT_USER), "root");
    CHECK_SV(str(EVENT_CMDLINE), "grep -i kali hostd.log | grep reboot");
    CHECK_SV(str(EVENT_PROGRAM), "shell");
}

static void
shell_audit_escapes_and_rfc5424(void)
{
    /* Escaped quote, backslash and bracket inside the command value. */
    CHECK_INT(feed1("<110>1 2024-01-02T03:04:05.000Z esxi01 shell 77 - "
                    "[shell.cmd@6876 subject=\"a b\" command=\"echo "
                    "\\\"x\\] \\\\y\" result=\"failure\" status=\"1\"]"),
              PARSE_OK);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_FAILURE);
    CHECK_SV(str(EVENT_HOST), "esxi01");
    CHECK_INT(num(EVENT_PID), 77);
    CHECK_SV(str(EVENT_USER), "a b");
    CHECK_SV(str(EVENT_CMDLINE), "echo \"x] \\y");

    CHECK_INT(feed1("2024-01-02T03:04:05.000Z In(14) shell[77]: "
                    "[shell.cmd@6876 subject=\"root\" result=\"success\"]"),
              PARSE_MALFORMED);
    CHECK_STR(last_reason, "shell audit record without a command");
    CHECK_INT(feed1("2024-01-02T03:04:05.000Z In(14) shell[77]: "
                    "[shell.cmd@6876 subject=\"root"), PARSE_MALFORMED);
    CHECK_STR(last_reason, "shell audit record without a closing bracket");
}

static void
hostd_password_login(void)
{
    CHECK_INT(feed1("2023-12-05T14:31:48.557Z In(166) Hostd[1050748]: "
                    "[Originator@6876 sub=Vimsvc.HaSessionManager "
                    "opID=esxui-8c02-9b39 sid=52f0e556] Accepted password "
                    "for user root from 192.0.2.10"), PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_OTHER_LOGIN);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_SUCCESS);
    CHECK_SV(str(EVENT_USER), "root");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.10");
    CHECK_SV(str(EVENT_AUTH_METHOD), "password");
    CHECK_SV(str(EVENT_PROGRAM), "Hostd");
    CHECK_INT(num(EVENT_PID), 1050748);
    CHECK_SV(str(EVENT_HOST), NULL);

    /* Text after the address and a user name with a space. */
    CHECK_INT(feed1("2023-12-05T14:31:48.557Z In(166) Hostd[1]: Accepted "
                    "password for user ops team from 192.0.2.11 - x"),
              PARSE_OK);
    CHECK_SV(str(EVENT_USER), "ops team");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.11");

    CHECK_INT(feed1("2023-12-05T14:31:48.557Z In(166) Hostd[1]: Rejected "
                    "password for user root from 192.0.2.11"), PARSE_SKIP);
    CHECK_STR(last_reason, "hostd message not used");
}

static void
hostd_logged_in_event(void)
{
    CHECK_INT(feed1("2024-06-03T19:58:26.435Z In(166) Hostd[1050278]: "
                    "[Originator@6876 sub=Vimsvc.ha-eventmgr opID=c4c96306 "
                    "sid=52018116] Event 220 : User root@192.0.2.13 logged "
                    "in as PowerCLI/13.2.1.22851661"), PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_OTHER_LOGIN);
    CHECK_SV(str(EVENT_USER), "root");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.13");
    CHECK_SV(str(EVENT_DETAIL), "PowerCLI/13.2.1.22851661");

    /* An '@' in the user and " logged in" inside the agent text. */
    CHECK_INT(feed1("2024-06-03T19:58:26.435Z In(166) Hostd[1]: Event 221 "
                    ": User a b@corp.example@192.0.2.14 logged in as X "
                    "logged in (Y)"), PARSE_OK);
    CHECK_SV(str(EVENT_USER), "a b@corp.example");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.14");
    CHECK_SV(str(EVENT_DETAIL), "X logged in (Y)");

    CHECK_INT(feed1("2024-06-03T19:58:26.435Z In(166) Hostd[1]: Event 222 "
                    ": User root logged in"), PARSE_MALFORMED);
    CHECK_STR(last_reason, "vSphere login without user@address");
    CHECK_INT(feed1("2024-06-03T19:58:26.435Z In(166) Hostd[1]: Event 223 "
                    ": User root@192.0.2.13 logged out (login time: x)"),
              PARSE_SKIP);
    CHECK_STR(last_reason, "hostd event not used");
}

static void
hostd_esxi7_local_and_forwarded(void)
{
    CHECK_INT(feed1("2021-03-15T10:11:00.123Z info hostd[2099555] "
                    "[Originator@6876 sub=Vimsvc.ha-eventmgr] Event 123 : "
                    "SSH access has been enabled."), PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_SSH_ENABLED);
    CHECK_SV(str(EVENT_HOST), NULL);
    CHECK_SV(str(EVENT_PROGRAM), "hostd");
    CHECK_INT(num(EVENT_PID), 2099555);
    CHECK_SV(str(EVENT_DETAIL), "SSH access has been enabled.");

    CHECK_INT(feed1("<166>2022-11-04T15:01:58.230Z ESXI Hostd: info "
                    "hostd[1053970] [Originator@6876 sub=Vimsvc.ha-eventmgr "
                    "opID=esxui-b370 user=root] Event 407 : User "
                    "root@192.0.2.9 logged in as VMware-client/6.5.0"),
              PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_OTHER_LOGIN);
    CHECK_SV(str(EVENT_HOST), "ESXI");
    CHECK_SV(str(EVENT_PROGRAM), "Hostd");
    CHECK_INT(num(EVENT_PID), 1053970);
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.9");

    CHECK_INT(feed1("<166>2022-11-04T15:01:58.230Z ESXI Hostd: info "
                    "hostd[1053970] [Originator@6876 sub=Vimsvc.ha-eventmgr] "
                    "Event 406 : Guest OS reboot for x on ESXI"), PARSE_SKIP);
    CHECK_STR(last_reason, "hostd event not used");
}

static void
hostd_ssh_service_shapes(void)
{
    static const struct {
        const char *line;
        enum event_kind kind;
    } cases[] = {
        { "2023-12-05T17:35:29.163Z In(166) Hostd[1050753]: "
          "[Originator@6876 sub=Hostsvc.ServiceSystem user=root] TSM-SSH "
          "running status is true", EVENT_SSH_ENABLED },
        { "2023-12-05T18:35:29.163Z In(166) Hostd[1050753]: TSM-SSH "
          "running status is false", EVENT_SSH_DISABLED },
        { "2023-12-05T17:35:29.163Z In(166) Hostd[1050753]: Event 130 : "
          "SSH for the host esxi01.example.net has been enabled",
          EVENT_SSH_ENABLED },
        { "2023-12-05T18:35:29.163Z In(166) Hostd[1050753]: Event 131 : "
          "SSH for the host esxi01 has been disabled.", EVENT_SSH_DISABLED },
        { "2023-12-05T18:35:29.163Z In(166) Hostd[1050753]: Event 132 : "
          "SSH access has been disabled.", EVENT_SSH_DISABLED },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_INT(feed1(cases[i].line), PARSE_OK);
        CHECK_INT(cap.ev[0].kind, cases[i].kind);
        CHECK_INT(num(EVENT_PID), 1050753);
    }
    CHECK_INT(feed1("2023-12-05T18:35:29.163Z In(166) Hostd[1]: TSM-SSH "
                    "running status is maybe"), PARSE_SKIP);
}

static void
hostd_relayed_ssh_session(void)
{
    CHECK_INT(feed1("2021-03-15T10:12:13.500Z info hostd[2099555] "
                    "[Originator@6876 sub=Vimsvc.ha-eventmgr] Event 124 : "
                    "SSH session was opened for 'root@192.0.2.7'."),
              PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_SESSION_OPEN);
    CHECK_SV(str(EVENT_PROGRAM), "sshd");
    CHECK_INT(num(EVENT_PID), -1);
    CHECK_SV(str(EVENT_USER), "root");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.7");
}

static void
vobd_esxi7_and_duplicate(void)
{
    static const char *const lines[] = {
        "2021-03-15T10:12:13.483Z: [UserLevelCorrelator] 1019369886505us: "
        "[vob.user.ssh.session.opened] SSH session was opened for "
        "'root@192.0.2.7'.",
        "2021-03-15T10:12:13.483Z: [UserLevelCorrelator] 1019369886505us: "
        "[esx.audit.ssh.session.opened] SSH session was opened for "
        "'root@192.0.2.7'.",
    };

    CHECK_INT(feed_lines(lines, 2), PARSE_SKIP);
    CHECK_STR(last_reason, "repeats the previous observation");
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_SESSION_OPEN);
    CHECK_INT(cap.ev[0].time.sec, civil_to_epoch(2021, 3, 15, 10, 12, 13));
    CHECK_SV(str(EVENT_PROGRAM), "sshd");
    CHECK_SV(str(EVENT_USER), "root");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.7");
    CHECK_SV(str(EVENT_HOST), NULL);
    CHECK_INT(num(EVENT_PID), -1);
}

static void
vobd_esxi8_shapes(void)
{
    CHECK_INT(feed1("2025-01-02T03:04:05.737Z In(14) vobd[2097521]:  "
                    "[UserLevelCorrelator] 1012726884193us: "
                    "[vob.user.ssh.session.closed] SSH session was closed "
                    "for 'ops team@192.0.2.8'."), PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_SESSION_CLOSE);
    CHECK_SV(str(EVENT_USER), "ops team");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.8");
    CHECK_INT(num(EVENT_PID), -1);

    CHECK_INT(feed1("2025-01-02T03:04:05.737Z In(14) vobd[2097521]:  "
                    "[UserLevelCorrelator] 1012726884193us: "
                    "[esx.audit.ssh.enabled] SSH access has been enabled."),
              PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_SSH_ENABLED);
    CHECK_SV(str(EVENT_PROGRAM), "vobd");
    CHECK_INT(num(EVENT_PID), 2097521);

    CHECK_INT(feed1("2025-01-02T03:04:05.737Z In(14) vobd[2097521]:  "
                    "[GenericCorrelator] 1012726884193us: "
                    "[vob.user.host.boot] Host has booted."), PARSE_SKIP);
    CHECK_STR(last_reason, "observation not used");
    CHECK_INT(feed1("2025-01-02T03:04:05.737Z In(14) vobd[2097521]:  "
                    "Unexpected text"), PARSE_MALFORMED);
    CHECK_STR(last_reason, "vobd message without a correlator tag");
    CHECK_INT(feed1("2025-01-02T03:04:05.737Z In(14) vobd[2097521]:  "
                    "[UserLevelCorrelator] soon: [x] y"), PARSE_MALFORMED);
}

static void
vpxd_login_event(void)
{
    CHECK_INT(feed1("<14>1 2022-09-01T06:06:19.084018+02:00 host123 vpxd "
                    "24962 - - Event [513220451] [1-1] "
                    "[2022-09-01T04:05:55.57103Z] "
                    "[vim.event.UserLoginSessionEvent] [info] [root] [TEST] "
                    "[513220451] [User root@127.0.0.1 logged in as "
                    "VMware-client/6.5.0]"), PARSE_OK);
    CHECK_INT(cap.ev[0].kind, EVENT_OTHER_LOGIN);
    CHECK_INT(cap.ev[0].time.sec, civil_to_epoch(2022, 9, 1, 4, 6, 19));
    CHECK_SV(str(EVENT_HOST), "host123");
    CHECK_SV(str(EVENT_PROGRAM), "vpxd");
    CHECK_SV(str(EVENT_USER), "root");
    CHECK_SV(str(EVENT_SRC_IP), "127.0.0.1");
    CHECK_SV(str(EVENT_DETAIL), "VMware-client/6.5.0");

    CHECK_INT(feed1("<14>1 2021-09-06T14:40:13.289354+00:00 vcenter vpxd "
                    "58650 - -  Event [575793] [1-1] [x] "
                    "[vim.event.UserLogoutSessionEvent] [info] [a] [] [1] "
                    "[User a@192.0.2.1 logged out]"), PARSE_SKIP);
    CHECK_STR(last_reason, "vCenter event not used");
    CHECK_INT(feed1("<14>1 2021-09-06T14:40:13.289354+00:00 vcenter vpxd "
                    "58650 - -  Event [1] [vim.event.UserLoginSessionEvent] "
                    "[info] [User a@192.0.2.1 logged in"), PARSE_MALFORMED);
}

static void
other_line_shapes(void)
{
    CHECK_INT(feed1("2023-12-05T17:42:40.666Z In(05) vmx vim-cmd-09-a45d "
                    "SnapshotVMX_TakeSnapshot start: 'snap'"), PARSE_SKIP);
    CHECK_STR(last_reason, "ESXi direct log line (vmware.log form)");
    CHECK_INT(feed1("2023-12-05T17:36:17.835Z In(14)+ shell[1053659]: "
                    "[root]: injected"), PARSE_SKIP);
    CHECK_STR(last_reason, "continuation line of a multi-line message");
    CHECK_INT(cap.count, 0);
    CHECK_INT(feed1("<14>1 2021-09-06T14:40:48.103441+00:00 vcenter vmon "
                    "2120 - -  Executing service batch op API_HEALTH."),
              PARSE_SKIP);
    CHECK_STR(last_reason, "program not used");
    CHECK_INT(feed1("not a log line at all"), PARSE_MALFORMED);
    CHECK_STR(last_reason, "no ESXi or syslog header");
    CHECK_INT(feed1("2023-12-05T17:36:17.835Z In(14) hello world"),
              PARSE_SKIP);
}

static void
probe_scores(void)
{
    CHECK_INT(esxi_format.probe(sv_cstr(
                  "2023-12-05T17:35:43.281Z In(38) sshd[1053654]: "
                  "Connection from 192.0.2.10 port 58470")), 100);
    CHECK_INT(esxi_format.probe(sv_cstr(
                  "2021-03-15T10:13:01Z shell[2099520]: [root]: ls")), 100);
    CHECK_INT(esxi_format.probe(sv_cstr(
                  "2021-03-15T10:12:13Z sshd[2099511]: Accepted password "
                  "for root from 192.0.2.7 port 53358 ssh2")), 100);
    CHECK_INT(esxi_format.probe(sv_cstr(
                  "2021-03-15T10:12:13.483Z: [UserLevelCorrelator] 1us: "
                  "[vob.user.ssh.session.opened] x")), 100);
    CHECK_INT(esxi_format.probe(sv_cstr(
                  "2021-03-15T10:11:00.123Z info hostd[2099555] "
                  "[Originator@6876 sub=Default] x")), 100);
    CHECK_INT(esxi_format.probe(sv_cstr(
                  "Mar  7 18:53:20 bar sshd[1556]: Accepted password for "
                  "alice from 192.0.2.113 port 52100 ssh2")), 0);
    CHECK_INT(esxi_format.probe(sv_cstr(
                  "2024-03-07T18:53:20+01:00 bar sshd[1556]: Accepted "
                  "password for alice from 192.0.2.113 port 1 ssh2")), 10);
    CHECK_INT(esxi_format.probe(sv_cstr("type=EXECVE msg=audit(1.2:3): "
                                        "argc=1 a0=\"ls\"")), 0);
}

int
main(void)
{
    tcapture_init(&cap);
    TEST_RUN("esxi", auth_esxi8_accepted);
    TEST_RUN("esxi", auth_esxi7_accepted);
    TEST_RUN("esxi", auth_sshd_session_lines);
    TEST_RUN("esxi", auth_sshd_unused_message);
    TEST_RUN("esxi", ssh_service_switches);
    TEST_RUN("esxi", shell_command_esxi8);
    TEST_RUN("esxi", shell_command_esxi7_odd_bytes);
    TEST_RUN("esxi", shell_session_start_skipped);
    TEST_RUN("esxi", shell_audit_record);
    TEST_RUN("esxi", shell_audit_escapes_and_rfc5424);
    TEST_RUN("esxi", hostd_password_login);
    TEST_RUN("esxi", hostd_logged_in_event);
    TEST_RUN("esxi", hostd_esxi7_local_and_forwarded);
    TEST_RUN("esxi", hostd_ssh_service_shapes);
    TEST_RUN("esxi", hostd_relayed_ssh_session);
    TEST_RUN("esxi", vobd_esxi7_and_duplicate);
    TEST_RUN("esxi", vobd_esxi8_shapes);
    TEST_RUN("esxi", vpxd_login_event);
    TEST_RUN("esxi", other_line_shapes);
    TEST_RUN("esxi", probe_scores);
    tcapture_fini(&cap);
    TEST_EXIT();
}
