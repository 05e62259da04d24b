/*
 * Unit tests for the sshd format: one test per message shape, the
 * user-name injection cases, address forms and program names.  A local
 * sink copies each event so fields can be checked after the call.
 */
#include "formats/format.h"

#include "tcapture.h"

static struct tz utc;
static struct tcapture cap;
static const char *last_reason;
/* What the receiver reads, for feed_lines; NULL reads every field. */
static const struct event_needs *needs;

extern const struct format_ops sshd_format;

/* Feeds lines to a fresh parser (year 2024) and returns the last status. */
static enum parse_status
feed_lines(const char *const *lines, int n, const char *default_host)
{
    struct format_opts o = { .tz = &utc, .year = 2024, .year_given = true,
                             .ref_time = 1700000000,
                             .default_host = default_host };
    struct event_sink sink = tcapture_sink(&cap);
    struct event_origin origin = { "sshd", "test.log", 0 };

    sink.needs = needs;
    enum parse_status st = PARSE_MALFORMED;
    void *state = sshd_format.open(&o);

    tcapture_reset(&cap);
    for (int i = 0; i < n; i++) {
        origin.line = (uint64_t)i + 1;
        last_reason = NULL;
        st = sshd_format.feed(state, sv_cstr(lines[i]), &origin, &sink,
                              &last_reason);
    }
    sshd_format.close(state);
    return st;
}

static enum parse_status
feed1(const char *line)
{
    return feed_lines(&line, 1, NULL);
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
accepted_publickey_sha256(void)
{
    CHECK_INT(feed1("Mar  7 18:53:20 bar sshd[1556]: Accepted publickey for "
                    "alice from 192.0.2.113 port 52100 ssh2: ED25519 "
                    "SHA256:AbCdEf0123+/xyz"), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_SUCCESS);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_SUCCESS);
    CHECK_INT(cap.ev[0].time.sec, civil_to_epoch(2024, 3, 7, 18, 53, 20));
    CHECK_SV(str(EVENT_HOST), "bar");
    CHECK_SV(str(EVENT_PROGRAM), "sshd");
    CHECK_INT(num(EVENT_PID), 1556);
    CHECK_SV(str(EVENT_USER), "alice");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.113");
    CHECK_INT(num(EVENT_SRC_PORT), 52100);
    CHECK_SV(str(EVENT_AUTH_METHOD), "publickey");
    CHECK_SV(str(EVENT_KEY_TYPE), "ED25519");
    CHECK_SV(str(EVENT_KEY_FP), "SHA256:AbCdEf0123+/xyz");
    CHECK_STR(cap.ev[0].origin.file, "test.log");
    CHECK_INT(cap.ev[0].origin.line, 1);
}

static void
accepted_publickey_md5(void)
{
    feed1("Feb 21 21:54:44 localhost sshd[3402]: Accepted publickey for "
          "vagrant from 10.0.2.2 port 63673 ssh2: RSA "
          "39:33:99:e9:a0:dc:f2:33:a3:e5:72:3b:7c:3a:56:84");
    CHECK_SV(str(EVENT_KEY_TYPE), "RSA");
    CHECK_SV(str(EVENT_KEY_FP),
             "39:33:99:e9:a0:dc:f2:33:a3:e5:72:3b:7c:3a:56:84");
}

static void
accepted_password_and_kbdint(void)
{
    feed1("Feb 23 00:13:35 localhost sshd[7483]: Accepted password for "
          "vagrant from 192.168.33.1 port 58803 ssh2");
    CHECK_SV(str(EVENT_AUTH_METHOD), "password");
    CHECK_SV(str(EVENT_KEY_TYPE), NULL);
    CHECK_INT(num(EVENT_SRC_PORT), 58803);
    feed1("Dec  5 17:35:43 esx sshd[1]: Accepted keyboard-interactive/pam "
          "for root from 192.168.127.10 port 51314 ssh2");
    CHECK_SV(str(EVENT_AUTH_METHOD), "keyboard-interactive/pam");
    CHECK_SV(str(EVENT_USER), "root");
}

static void
accepted_hostbased_and_gssapi(void)
{
    feed1("Sep 29 17:15:02 h sshd[1]: Accepted hostbased for dan from "
          "127.0.0.1 port 45785 ssh2: RSA SHA256:abc, client user \"dan\", "
          "client host \"localhost\"");
    CHECK_SV(str(EVENT_AUTH_METHOD), "hostbased");
    CHECK_SV(str(EVENT_KEY_FP), "SHA256:abc");
    CHECK_SV(str(EVENT_SRC_IP), "127.0.0.1");
    feed1("Sep 29 17:15:02 h sshd[1]: Accepted publickey for dan from "
          "192.0.2.4 port 4 ssh2: RSA-CERT SHA256:abc ID dan (serial 7) CA "
          "ED25519 SHA256:def");
    CHECK_SV(str(EVENT_KEY_TYPE), "RSA-CERT");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.4");
    feed1("Sep 29 17:15:02 h sshd[1]: Accepted gssapi-with-mic for dan from "
          "192.0.2.5 port 5 ssh2");
    CHECK_SV(str(EVENT_AUTH_METHOD), "gssapi-with-mic");
    CHECK_SV(str(EVENT_USER), "dan");
}

static void
failed_invalid_user(void)
{
    feed1("Feb 25 14:34:10 belka sshd[31602]: Failed password for invalid "
          "user ROOT from 192.0.2.69 port 50273 ssh2");
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_FAILURE);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_FAILURE);
    CHECK_SV(str(EVENT_USER), "ROOT");
    CHECK_SV(str(EVENT_DETAIL), "invalid user");
    feed1("Feb 25 14:34:10 belka sshd[1]: Failed none for root from "
          "192.0.2.1 port 2 ssh2");
    CHECK_SV(str(EVENT_AUTH_METHOD), "none");
    CHECK_SV(str(EVENT_DETAIL), NULL);
}

static void
failed_old_forms_without_port(void)
{
    feed1("Feb 25 14:34:11 belka sshd[31603]: Failed password for invalid "
          "user ROOT from aaaa:bbbb:cccc:1234::1:1");
    CHECK_SV(str(EVENT_SRC_IP), "aaaa:bbbb:cccc:1234::1:1");
    CHECK_INT(num(EVENT_SRC_PORT), -1);
    feed1("Sep 29 16:28:02 spaceman sshd[1]: Failed password for dan from "
          "127.0.0.1 port 45416 ssh1");
    CHECK_INT(num(EVENT_SRC_PORT), 45416);
}

static void
failed_user_injection(void)
{
    feed1("Nov 11 08:04:51 h sshd[2737]: Failed password for invalid user "
          "from 10.10.1.1 from 127.0.0.1 port 58946 ssh2");
    CHECK_SV(str(EVENT_USER), "from 10.10.1.1");
    CHECK_SV(str(EVENT_SRC_IP), "127.0.0.1");
    feed1("Nov 11 08:04:52 h sshd[2737]: Failed password for invalid user "
          "test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 "
          "ssh2");
    CHECK_SV(str(EVENT_USER), "test from 10.10.1.2 port 55555 ssh2");
    CHECK_SV(str(EVENT_SRC_IP), "127.0.0.1");
    CHECK_INT(num(EVENT_SRC_PORT), 58946);
}

static void
failed_injection_posing_as_key(void)
{
    /* The user is "x from 203.0.113.9 port 22 ssh2: RSA SHA256:fake". */
    feed1("Jan  1 00:00:00 h sshd[1]: Failed publickey for x from "
          "203.0.113.9 port 22 ssh2: RSA SHA256:fake from 192.0.2.8 port 8 "
          "ssh2: ED25519 SHA256:real");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.8");
    CHECK_INT(num(EVENT_SRC_PORT), 8);
    CHECK_SV(str(EVENT_KEY_FP), "SHA256:real");
    CHECK_SV(str(EVENT_USER),
             "x from 203.0.113.9 port 22 ssh2: RSA SHA256:fake");
    /* Password logins carry no key, so the trailing address is the one. */
    feed1("Jan  1 00:00:00 h sshd[1]: Failed password for invalid user test "
          "from 127.0.0.1 port 58946 ssh2: from 10.10.1.2 port 55555 ssh2");
    CHECK_SV(str(EVENT_SRC_IP), "10.10.1.2");
    CHECK_SV(str(EVENT_USER), "test from 127.0.0.1 port 58946 ssh2:");
}

static void
failed_ssh1_ruser(void)
{
    feed1("Sep 29 17:15:02 h sshd[1]: Failed password for user from "
          "127.0.0.1 port 20000 ssh1: ruser from 1.2.3.4");
    CHECK_SV(str(EVENT_SRC_IP), "127.0.0.1");
    CHECK_SV(str(EVENT_USER), "user");
}

static void
invalid_user_shapes(void)
{
    feed1("Jul 20 14:42:12 localhost sshd[22708]: Invalid user ftp from "
          "192.0.2.2 port 37220");
    CHECK_INT(cap.ev[0].kind, EVENT_INVALID_USER);
    CHECK_SV(str(EVENT_USER), "ftp");
    CHECK_INT(num(EVENT_SRC_PORT), 37220);
    feed1("Jul 20 14:42:11 localhost sshd[22708]: Invalid user ftp from "
          "192.0.2.1");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.1");
    CHECK_INT(num(EVENT_SRC_PORT), -1);
}

static void
invalid_user_empty_name(void)
{
    feed1("Jun  6 04:17:04 host sshd[1]: Invalid user  from 192.0.2.68 port "
          "34916");
    CHECK_SV(str(EVENT_USER), "");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.68");
    feed1("Jun  6 04:17:09 host sshd[1]: Connection closed by invalid user  "
          "192.0.2.68 port 34916 [preauth]");
    CHECK_INT(cap.ev[0].kind, EVENT_PREAUTH_CLOSE);
    CHECK_SV(str(EVENT_USER), "");
    CHECK_SV(str(EVENT_DETAIL), "invalid user");
}

static void
invalid_user_injection(void)
{
    feed1("Jan  1 00:00:00 h sshd[1]: Invalid user x from 203.0.113.9 port "
          "22 from 192.0.2.3 port 3");
    CHECK_SV(str(EVENT_USER), "x from 203.0.113.9 port 22");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.3");
    CHECK_INT(num(EVENT_SRC_PORT), 3);
}

static void
input_userauth_request_skipped(void)
{
    CHECK_INT(feed1("Dec 10 06:55:46 LabSZ sshd[24200]: "
                    "input_userauth_request: invalid user webmaster "
                    "[preauth]"), PARSE_SKIP);
    CHECK_STR(last_reason, "sshd message not used");
    CHECK_INT(cap.count, 0);
}

static void
closed_by_authenticating_user(void)
{
    feed1("Jul 17 23:03:05 srv sshd[1296]: Connection closed by "
          "authenticating user root 192.0.2.10 port 46038 [preauth]");
    CHECK_INT(cap.ev[0].kind, EVENT_PREAUTH_CLOSE);
    CHECK_SV(str(EVENT_USER), "root");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.10");
    CHECK_INT(num(EVENT_SRC_PORT), 46038);
}

static void
closed_by_injection(void)
{
    feed1("Jul 17 23:04:00 srv sshd[1300]: Connection closed by "
          "authenticating user test 127.0.0.1 192.0.2.11 port 46039 "
          "[preauth]");
    CHECK_SV(str(EVENT_USER), "test 127.0.0.1");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.11");
    feed1("Jul 17 23:04:01 srv sshd[1300]: Connection closed by "
          "authenticating user test 127.0.0.1 port 12345 192.0.2.11 port "
          "46039 [preauth]");
    CHECK_SV(str(EVENT_USER), "test 127.0.0.1 port 12345");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.11");
    CHECK_INT(num(EVENT_SRC_PORT), 46039);
}

static void
closed_and_reset_by_address(void)
{
    feed1("Mar 15 09:20:57 host sshd[1]: Connection reset by 192.0.2.39 port "
          "14282 [preauth]");
    CHECK_INT(cap.ev[0].kind, EVENT_PREAUTH_CLOSE);
    CHECK_SV(str(EVENT_USER), NULL);
    CHECK_INT(num(EVENT_SRC_PORT), 14282);
    feed1("Jun  7 04:10:35 host sshd[1]: Connection closed by 192.0.2.15 "
          "port 35352");
    CHECK_INT(cap.ev[0].kind, EVENT_DISCONNECT);
    feed1("Nov 28 09:16:03 srv sshd[1]: Connection closed by 192.0.2.1");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.1");
    feed1("Mar 16 09:29:50 host sshd[1]: Connection reset by authenticating "
          "user root 192.0.2.20 port 1558 [preauth]");
    CHECK_SV(str(EVENT_USER), "root");
}

static void
disconnected_from_user(void)
{
    feed1("Mar 24 08:40:01 h sshd[1]: Disconnected from user alice "
          "192.0.2.4 port 51000");
    CHECK_INT(cap.ev[0].kind, EVENT_DISCONNECT);
    CHECK_SV(str(EVENT_USER), "alice");
    CHECK_INT(num(EVENT_SRC_PORT), 51000);
    feed1("Jul 18 17:19:11 srv sshd[2101]: Disconnected from 192.0.2.4 port "
          "36985 [preauth]");
    CHECK_INT(cap.ev[0].kind, EVENT_PREAUTH_CLOSE);
    CHECK_SV(str(EVENT_USER), NULL);
    feed1("Nov 26 16:47:51 srv sshd[1]: Disconnected from invalid user bob "
          "192.0.2.6 port 33553 [preauth]");
    CHECK_SV(str(EVENT_USER), "bob");
    CHECK_SV(str(EVENT_DETAIL), "invalid user");
}

static void
received_disconnect_shapes(void)
{
    feed1("May 27 00:16:33 host sshd[2364]: Received disconnect from "
          "198.51.100.76 port 58846:11: Bye Bye [preauth]");
    CHECK_INT(cap.ev[0].kind, EVENT_PREAUTH_CLOSE);
    CHECK_SV(str(EVENT_SRC_IP), "198.51.100.76");
    CHECK_INT(num(EVENT_SRC_PORT), 58846);
    CHECK_SV(str(EVENT_DETAIL), "Bye Bye");
    feed1("Oct  1 17:27:44 h sshd[1]: error: Received disconnect from "
          "2001:db8::7: 3: com.jcraft.jsch.JSchException: Auth fail");
    CHECK_INT(cap.ev[0].kind, EVENT_DISCONNECT);
    CHECK_SV(str(EVENT_SRC_IP), "2001:db8::7");
    CHECK_SV(str(EVENT_DETAIL), "com.jcraft.jsch.JSchException: Auth fail");
}

static void
max_auth_exceeded(void)
{
    feed1("Nov 23 21:50:38 myhost sshd[109798]: error: maximum "
          "authentication attempts exceeded for invalid user xxx from "
          "192.0.2.7 port 49941 ssh2 [preauth]");
    CHECK_INT(cap.ev[0].kind, EVENT_MAX_AUTH);
    CHECK_SV(str(EVENT_USER), "xxx");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.7");
    CHECK_INT(num(EVENT_SRC_PORT), 49941);
    CHECK_SV(str(EVENT_DETAIL), "invalid user");
}

static void
pam_session_opened_and_closed(void)
{
    feed1("Mar  7 18:53:20 bar sshd[1556]: pam_unix(sshd:session): session "
          "opened for user rda(uid=1000) by (uid=0)");
    CHECK_INT(cap.ev[0].kind, EVENT_SESSION_OPEN);
    CHECK_SV(str(EVENT_USER), "rda");
    CHECK_INT(num(EVENT_UID), 1000);
    feed1("Mar  7 18:53:20 bar sshd[1]: pam_unix(sshd:session): session "
          "opened for user rda by (uid=0)");
    CHECK_SV(str(EVENT_USER), "rda");
    CHECK_INT(num(EVENT_UID), -1);
    feed1("Mar  7 18:53:20 bar sshd[1]: pam_unix(sshd:session): session "
          "opened for user rda by root(uid=0)");
    CHECK_SV(str(EVENT_USER), "rda");
    feed1("Mar  7 18:55:20 bar sshd[1]: pam_unix(sshd:session): session "
          "closed for user rda");
    CHECK_INT(cap.ev[0].kind, EVENT_SESSION_CLOSE);
    CHECK_SV(str(EVENT_USER), "rda");
}

static void
pam_auth_failure(void)
{
    feed1("Mar  7 18:53:20 bar sshd[1556]: pam_unix(sshd:auth): "
          "authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
          "rhost=192.0.2.113  user=rda");
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_FAILURE);
    CHECK_SV(str(EVENT_AUTH_METHOD), "pam");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.113");
    CHECK_SV(str(EVENT_USER), "rda");
    feed1("Dec 10 06:55:46 LabSZ sshd[1]: pam_unix(sshd:auth): "
          "authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
          "rhost=192.0.2.1 ");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.1");
    CHECK_SV(str(EVENT_USER), NULL);
}

static void
pam_error_failure(void)
{
    feed1("Jun 21 16:47:48 d sshd[13709]: error: PAM: Authentication failure "
          "for myhlj1374 from 192.030.0.6");
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_FAILURE);
    CHECK_SV(str(EVENT_USER), "myhlj1374");
    CHECK_SV(str(EVENT_SRC_IP), "192.030.0.6");
    feed1("Jun 21 16:47:48 d sshd[1]: error: PAM: Authentication failure "
          "for illegal user bob from example.com");
    CHECK_SV(str(EVENT_USER), "bob");
    CHECK_SV(str(EVENT_SRC_IP), "example.com");
    CHECK_SV(str(EVENT_DETAIL), "invalid user");
}

static void
starting_session_shapes(void)
{
    feed1("Jan  1 00:00:00 h sshd[1]: Starting session: shell on pts/0 for "
          "alice from 192.0.2.1 port 50022 id 0");
    CHECK_INT(cap.ev[0].kind, EVENT_SESSION_START);
    CHECK_SV(str(EVENT_SESSION_TYPE), "shell");
    CHECK_SV(str(EVENT_TTY), "pts/0");
    CHECK_SV(str(EVENT_USER), "alice");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.1");
    CHECK_INT(num(EVENT_SRC_PORT), 50022);
    feed1("Jan  1 00:00:00 h sshd[1]: Starting session: command for alice "
          "from 192.0.2.1 port 50022 id 0");
    CHECK_SV(str(EVENT_SESSION_TYPE), "command");
    CHECK_SV(str(EVENT_TTY), NULL);
    CHECK_SV(str(EVENT_USER), "alice");
    feed1("Jan  1 00:00:00 h sshd[1]: Starting session: subsystem 'sftp' "
          "for alice from 192.0.2.1 port 50022 id 0");
    CHECK_SV(str(EVENT_SESSION_TYPE), "subsystem");
    CHECK_SV(str(EVENT_DETAIL), "sftp");
    feed1("Jan  1 00:00:00 h sshd[1]: Starting session: forced-command "
          "(key-option) 'backup.sh' for alice from 192.0.2.1 port 5 id 1");
    CHECK_SV(str(EVENT_SESSION_TYPE), "forced-command");
    CHECK_SV(str(EVENT_DETAIL), "backup.sh");
    CHECK_SV(str(EVENT_USER), "alice");
}

static void
connection_from(void)
{
    feed1("Jun  7 04:29:10 host sshd[649921]: Connection from 192.0.2.16 "
          "port 51280 on 192.0.2.16 port 22 rdomain \"\"");
    CHECK_INT(cap.ev[0].kind, EVENT_CONNECTION);
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.16");
    CHECK_INT(num(EVENT_SRC_PORT), 51280);
}

static void
address_canonical_forms(void)
{
    feed1("Jan  1 00:00:00 h sshd[1]: Invalid user a from "
          "2001:DB8:0:0::0:1 port 1");
    CHECK_SV(str(EVENT_SRC_IP), "2001:db8::1");
    feed1("Jan  1 00:00:00 h sshd[1]: Invalid user a from ::ffff:1.2.3.4 "
          "port 1");
    CHECK_SV(str(EVENT_SRC_IP), "::ffff:1.2.3.4");
    feed1("Jan  1 00:00:00 h sshd[1]: Invalid user a from fe80::1%eth0 "
          "port 1");
    CHECK_SV(str(EVENT_SRC_IP), "fe80::1");
    feed1("Jan  1 00:00:00 h sshd[1]: Invalid user a from 192.030.0.6");
    CHECK_SV(str(EVENT_SRC_IP), "192.030.0.6");
}

/*
 * The searches for " from ", " port " and the PAM keys look for the byte
 * after the space, so words and addresses containing those letters must
 * not move the split.
 */
static void
search_words_in_names(void)
{
    feed1("Jan  1 00:00:00 h sshd[1]: Failed password for from from "
          "192.0.2.1 port 22 ssh2");
    CHECK_SV(str(EVENT_USER), "from");
    CHECK_INT(num(EVENT_SRC_PORT), 22);
    feed1("Jan  1 00:00:00 h sshd[1]: Failed password for x port 1 from "
          "192.0.2.1 port 00022 ssh2");
    CHECK_SV(str(EVENT_USER), "x port 1");
    CHECK_INT(num(EVENT_SRC_PORT), 22);
    feed1("Jan  1 00:00:00 h sshd[1]: Invalid user a from ftp.port.example");
    CHECK_SV(str(EVENT_USER), "a");
    CHECK_SV(str(EVENT_SRC_IP), "ftp.port.example");
    CHECK_INT(num(EVENT_SRC_PORT), -1);
    feed1("Jan  1 00:00:00 h sshd[1]: Connection closed by authenticating "
          "user port 1 192.0.2.9 port 7 [preauth]");
    CHECK_SV(str(EVENT_USER), "port 1");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.9");
    CHECK_INT(num(EVENT_SRC_PORT), 7);
    feed1("Jan  1 00:00:00 h sshd[1]: pam_unix(sshd:auth): authentication "
          "failure; logname= uid=0 euid=0 tty=ssh ruser=r rhost=2001:db8::5");
    CHECK_SV(str(EVENT_SRC_IP), "2001:db8::5");
    CHECK_SV(str(EVENT_USER), NULL);
}

/* Ports run up to 65535.  A '%' without a colon is not an IPv6 zone. */
static void
port_limits_and_zone_text(void)
{
    CHECK_INT(feed1("Jan  1 00:00:00 h sshd[1]: Failed password for a from "
                    "192.0.2.1 port 65535 ssh2"), PARSE_OK);
    CHECK_INT(num(EVENT_SRC_PORT), 65535);
    CHECK_INT(feed1("Jan  1 00:00:00 h sshd[1]: Failed password for a from "
                    "192.0.2.1 port 65536 ssh2"), PARSE_MALFORMED);
    CHECK_INT(feed1("Jan  1 00:00:00 h sshd[1]: Failed password for a from "
                    "192.0.2.1 port 000000000000000000022 ssh2"),
              PARSE_MALFORMED);
    feed1("Jan  1 00:00:00 h sshd[1]: Invalid user a from host%x port 1");
    CHECK_SV(str(EVENT_SRC_IP), "host%x");
    feed1("Jan  1 00:00:00 h sshd[1]: Invalid user a from "
          "::ffff:192.0.2.1%lo port 1");
    CHECK_SV(str(EVENT_SRC_IP), "::ffff:192.0.2.1");
}

static void
sshd_session_and_auth_programs(void)
{
    CHECK_INT(feed1("Jul  3 14:59:17 host sshd-session[1571]: Failed "
                    "password for root from 192.0.2.1 port 56502 ssh2"),
              PARSE_OK);
    CHECK_SV(str(EVENT_PROGRAM), "sshd-session");
    CHECK_INT(feed1("Jul  3 14:59:17 host sshd-auth[1572]: Failed password "
                    "for root from 192.0.2.1 port 56502 ssh2"), PARSE_OK);
    CHECK_SV(str(EVENT_PROGRAM), "sshd-auth");
}

static void
other_programs_skipped(void)
{
    CHECK_INT(feed1("Jan  1 00:00:00 h sshd-keygen-wrapper[5]: Accepted "
                    "password for a from 192.0.2.1 port 1 ssh2"), PARSE_SKIP);
    CHECK_STR(last_reason, "not an sshd program");
    CHECK_INT(feed1("Feb 21 23:35:33 localhost sudo: vagrant : TTY=pts/0"),
              PARSE_SKIP);
    CHECK_STR(last_reason, "not an sshd program");
    CHECK_INT(cap.count, 0);
}

static void
unknown_and_malformed(void)
{
    CHECK_INT(feed1("Jan  1 00:00:00 h sshd[1]: Server listening on 0.0.0.0 "
                    "port 22."), PARSE_SKIP);
    CHECK_STR(last_reason, "sshd message not used");
    CHECK_INT(feed1("some random text"), PARSE_MALFORMED);
    CHECK_STR(last_reason, "no syslog header");
}

static void
journal_short_and_bare_message(void)
{
    static const char *const lines[] = {
        "Mar  1 10:00:00 h sshd[1]: Connection from 192.0.2.1 port 5 on "
        "192.0.2.2 port 22",
        "Accepted password for a from 192.0.2.1 port 5 ssh2",
    };

    CHECK_INT(feed_lines(lines, 2, "fallback"), PARSE_OK);
    CHECK_INT(cap.count, 2);
    CHECK_INT(cap.ev[1].kind, EVENT_AUTH_SUCCESS);
    CHECK_INT(cap.ev[1].time.sec, civil_to_epoch(2024, 3, 1, 10, 0, 0));
    CHECK_SV(event_str(&cap.ev[1], EVENT_HOST), "fallback");
    CHECK_SV(event_str(&cap.ev[1], EVENT_PROGRAM), NULL);

    CHECK_INT(feed1("srv sshd[1558]: Accepted password for known from "
                    "192.0.2.114 port 52100 ssh2"), PARSE_OK);
    CHECK_SV(str(EVENT_HOST), "srv");
    CHECK_INT(cap.ev[0].time.sec, 1700000000);
}

static void
rfc5424_message(void)
{
    feed1("<38>1 2019-07-08T17:40:17.954167-04:00 hostname.example.com sshd "
          "55555 - [timeQuality tzKnown=\"1\"][x@1 t=\"[b\\]\"] Failed "
          "unknown for invalid user redmond from 192.0.2.2 port 55555 ssh2");
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_FAILURE);
    CHECK_SV(str(EVENT_HOST), "hostname.example.com");
    CHECK_INT(num(EVENT_PID), 55555);
    CHECK_SV(str(EVENT_USER), "redmond");
    CHECK_INT(cap.ev[0].time.sec, civil_to_epoch(2019, 7, 8, 21, 40, 17));
}

static void
probe_scores(void)
{
    CHECK(sshd_format.probe(sv_cstr("Feb 21 21:54:44 localhost sshd[3402]: "
                                    "Accepted password for a from b port 1 "
                                    "ssh2")) == 100);
    CHECK(sshd_format.probe(sv_cstr("type=USER_LOGIN msg=audit(1.2:3):"))
          == 0);
}

/* A receiver that reads failures only by source address, and closes
 * before login only by time, gets those fields and no others. */
static void
needs_leave_fields_out(void)
{
    static const struct event_needs failures_and_closes = {
        UINT64_C(1) << EVENT_PREAUTH_CLOSE,
        UINT64_C(1) << EVENT_AUTH_FAILURE | UINT64_C(1) << EVENT_INVALID_USER,
    };
    const struct event *ev = &cap.ev[0];

    needs = &failures_and_closes;
    CHECK_INT(feed1("Mar  7 18:53:20 bar sshd[1556]: Failed password for "
                    "invalid user admin from 192.0.2.7 port 4711 ssh2"),
              PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(ev->kind, EVENT_AUTH_FAILURE);
    CHECK_INT(ev->result, EVENT_RESULT_FAILURE);
    CHECK_SV(str(EVENT_HOST), "bar");
    CHECK_SV(str(EVENT_PROGRAM), "sshd");
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.7");
    CHECK_SV(str(EVENT_USER), NULL);
    CHECK_INT(num(EVENT_PID), -1);
    CHECK_INT(num(EVENT_SRC_PORT), -1);

    CHECK_INT(feed1("Mar  7 18:53:21 bar sshd[1556]: Connection closed by "
                    "invalid user admin 192.0.2.7 port 4711 [preauth]"),
              PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(ev->kind, EVENT_PREAUTH_CLOSE);
    CHECK_INT((int)ev->str_set, 0);
    CHECK_INT((int)ev->num_set, 0);
    CHECK_INT((int)ev->time.sec % 60, 21);

    /* A malformed line stays malformed. */
    CHECK_INT(feed1("Mar  7 18:53:22 bar sshd[1556]: Failed password for "
                    "admin from"),
              PARSE_MALFORMED);
    CHECK_INT(cap.count, 0);
    needs = NULL;
}

int
main(void)
{
    tcapture_init(&cap);
    TEST_RUN("sshd", accepted_publickey_sha256);
    TEST_RUN("sshd", accepted_publickey_md5);
    TEST_RUN("sshd", accepted_password_and_kbdint);
    TEST_RUN("sshd", accepted_hostbased_and_gssapi);
    TEST_RUN("sshd", failed_invalid_user);
    TEST_RUN("sshd", failed_old_forms_without_port);
    TEST_RUN("sshd", failed_user_injection);
    TEST_RUN("sshd", failed_injection_posing_as_key);
    TEST_RUN("sshd", failed_ssh1_ruser);
    TEST_RUN("sshd", invalid_user_shapes);
    TEST_RUN("sshd", invalid_user_empty_name);
    TEST_RUN("sshd", invalid_user_injection);
    TEST_RUN("sshd", input_userauth_request_skipped);
    TEST_RUN("sshd", closed_by_authenticating_user);
    TEST_RUN("sshd", closed_by_injection);
    TEST_RUN("sshd", closed_and_reset_by_address);
    TEST_RUN("sshd", disconnected_from_user);
    TEST_RUN("sshd", received_disconnect_shapes);
    TEST_RUN("sshd", max_auth_exceeded);
    TEST_RUN("sshd", pam_session_opened_and_closed);
    TEST_RUN("sshd", pam_auth_failure);
    TEST_RUN("sshd", pam_error_failure);
    TEST_RUN("sshd", starting_session_shapes);
    TEST_RUN("sshd", connection_from);
    TEST_RUN("sshd", address_canonical_forms);
    TEST_RUN("sshd", search_words_in_names);
    TEST_RUN("sshd", port_limits_and_zone_text);
    TEST_RUN("sshd", sshd_session_and_auth_programs);
    TEST_RUN("sshd", other_programs_skipped);
    TEST_RUN("sshd", unknown_and_malformed);
    TEST_RUN("sshd", journal_short_and_bare_message);
    TEST_RUN("sshd", rfc5424_message);
    TEST_RUN("sshd", probe_scores);
    TEST_RUN("sshd", needs_leave_fields_out);
    tcapture_fini(&cap);
    TEST_EXIT();
}
