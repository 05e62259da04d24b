/*
 * Unit tests of the journald format: JSON lines, pretty JSON, JSON arrays
 * and the export format with binary fields, fed through the format's
 * operations.  The sink copies each event so fields can be checked after
 * the call.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>

#include "tcapture.h"

#include "formats/format.h"

extern const struct format_ops journald_format;

struct run {
    struct tcapture cap;
    struct format_opts opts;
    void *state;
    enum parse_status last;
    const char *reason;
    int malformed;
    int skipped;
    const char *flush_reason;
    uint64_t flush_line;
};

static void
run_open(struct run *r)
{
    memset(r, 0, sizeof(*r));
    tcapture_init(&r->cap);
    r->state = journald_format.open(&r->opts);
}

static void
run_close(struct run *r)
{
    journald_format.close(r->state);
    tcapture_fini(&r->cap);
}

/* Feeds one line of n bytes (NUL bytes allowed) as line number no. */
static enum parse_status
feed_bytes(struct run *r, const char *p, size_t n, uint64_t no)
{
    struct event_origin origin = { "journald", "test", no };
    struct event_sink sink = tcapture_sink(&r->cap);

    r->reason = NULL;
    r->last = journald_format.feed(r->state, sv_make(p, n), &origin, &sink,
                                   &r->reason);
    r->malformed += r->last == PARSE_MALFORMED;
    r->skipped += r->last == PARSE_SKIP;
    return r->last;
}

static enum parse_status
feed(struct run *r, const char *line, uint64_t no)
{
    return feed_bytes(r, line, strlen(line), no);
}

/* Ends the input; returns flush's status, with its reason and line in r. */
static enum parse_status
finish(struct run *r)
{
    struct event_sink sink = tcapture_sink(&r->cap);

    r->flush_reason = NULL;
    r->flush_line = 0;
    return journald_format.flush(r->state, &sink, &r->flush_line,
                                 &r->flush_reason);
}

static const char accepted_json[] =
    "{\"__REALTIME_TIMESTAMP\":\"1714557600123456\",\"_HOSTNAME\":\"srv\","
    "\"SYSLOG_IDENTIFIER\":\"sshd\",\"_PID\":\"1234\",\"_AUDIT_SESSION\":"
    "\"7\",\"_AUDIT_LOGINUID\":\"1000\",\"_CMDLINE\":\"sshd: alice [priv]\","
    "\"_EXE\":\"/usr/sbin/sshd\",\"MESSAGE\":\"Accepted publickey for alice "
    "from 192.0.2.7 port 50122 ssh2: ED25519 SHA256:abc\"}";

static void
json_line_accepted(void)
{
    struct run r;

    run_open(&r);
    CHECK_INT(feed(&r, accepted_json, 1), PARSE_OK);
    CHECK_INT(r.cap.count, 1);
    struct event *ev = &r.cap.ev[0];
    CHECK_INT(ev->kind, EVENT_AUTH_SUCCESS);
    CHECK_INT(ev->time.sec, 1714557600);
    CHECK_INT(ev->time.nsec, 123456000);
    CHECK_INT(ev->time.digits, 6);
    CHECK_SV(event_str(ev, EVENT_HOST), "srv");
    CHECK_SV(event_str(ev, EVENT_USER), "alice");
    CHECK_SV(event_str(ev, EVENT_SRC_IP), "192.0.2.7");
    CHECK_SV(event_str(ev, EVENT_PROGRAM), "sshd");
    CHECK_SV(event_str(ev, EVENT_CMDLINE), "sshd: alice [priv]");
    CHECK_SV(event_str(ev, EVENT_EXE), "/usr/sbin/sshd");
    CHECK_INT(event_num(ev, EVENT_PID, -1), 1234);
    CHECK_INT(event_num(ev, EVENT_SES, -1), 7);
    CHECK_INT(event_num(ev, EVENT_AUID, -1), 1000);
    CHECK_INT(ev->origin.line, 1);
    run_close(&r);
}

static void
json_fallback_fields(void)
{
    struct run r;

    /* _COMM stands in for SYSLOG_IDENTIFIER, SYSLOG_PID for _PID, and an
     * unset audit session is left out. */
    run_open(&r);
    feed(&r, "{\"__REALTIME_TIMESTAMP\":\"1000000\",\"_COMM\":\"sshd-session\","
             "\"SYSLOG_PID\":\"42\",\"_AUDIT_SESSION\":\"4294967295\","
             "\"MESSAGE\":\"Failed password for bob from 192.0.2.8 port 22 "
             "ssh2\"}", 1);
    CHECK_INT(r.cap.count, 1);
    CHECK_INT(r.cap.ev[0].kind, EVENT_AUTH_FAILURE);
    CHECK_SV(event_str(&r.cap.ev[0], EVENT_PROGRAM), "sshd-session");
    CHECK_INT(event_num(&r.cap.ev[0], EVENT_PID, -1), 42);
    CHECK(!event_has_num(&r.cap.ev[0], EVENT_SES));
    CHECK(!event_has_str(&r.cap.ev[0], EVENT_HOST));
    run_close(&r);
}

static void
json_skips(void)
{
    struct run r;

    run_open(&r);
    CHECK_INT(feed(&r, "{\"__REALTIME_TIMESTAMP\":\"1\",\"SYSLOG_IDENTIFIER\":"
                       "\"cron\",\"MESSAGE\":\"x\"}", 1), PARSE_SKIP);
    CHECK_STR(r.reason, "not an sshd program");
    CHECK_INT(feed(&r, "{\"__REALTIME_TIMESTAMP\":\"1\",\"SYSLOG_IDENTIFIER\":"
                       "\"sshd\",\"MESSAGE\":null}", 2), PARSE_SKIP);
    CHECK_STR(r.reason, "journal entry with MESSAGE withheld");
    CHECK_INT(feed(&r, "{\"SYSLOG_IDENTIFIER\":\"sshd\",\"MESSAGE\":"
                       "\"Accepted password for a from 192.0.2.1 port 1 "
                       "ssh2\"}", 3), PARSE_MALFORMED);
    CHECK_STR(r.reason, "journal entry without a valid __REALTIME_TIMESTAMP");
    CHECK_INT(feed(&r, "{\"__REALTIME_TIMESTAMP\":\"1\",\"SYSLOG_IDENTIFIER\":"
                       "\"sshd\",\"MESSAGE\":{}}", 4), PARSE_MALFORMED);
    CHECK_INT(feed(&r, "not json", 5), PARSE_MALFORMED);
    CHECK_INT(r.cap.count, 0);
    run_close(&r);
}

static void
json_byte_array_message(void)
{
    struct run r;

    /* "Failed password for b\xffob from 192.0.2.8 port 22 ssh2\r" */
    run_open(&r);
    feed(&r, "{\"__REALTIME_TIMESTAMP\":\"1\",\"SYSLOG_IDENTIFIER\":\"sshd\","
             "\"MESSAGE\":[70,97,105,108,101,100,32,112,97,115,115,119,111,"
             "114,100,32,102,111,114,32,98,255,111,98,32,102,114,111,109,32,"
             "49,57,50,46,48,46,50,46,56,32,112,111,114,116,32,50,50,32,115,"
             "115,104,50,13]}", 1);
    CHECK_INT(r.cap.count, 1);
    CHECK_SV(event_str(&r.cap.ev[0], EVENT_USER), "b\xff" "ob");
    CHECK_INT(event_num(&r.cap.ev[0], EVENT_SRC_PORT, -1), 22);

    CHECK_INT(feed(&r, "{\"__REALTIME_TIMESTAMP\":\"1\",\"SYSLOG_IDENTIFIER\":"
                       "\"sshd\",\"MESSAGE\":[1,256]}", 2), PARSE_MALFORMED);
    run_close(&r);
}

static void
json_multi_value_field(void)
{
    struct run r;

    /* journalctl writes a field that occurs twice as an array. */
    run_open(&r);
    feed(&r, "{\"__REALTIME_TIMESTAMP\":\"1\",\"SYSLOG_IDENTIFIER\":"
             "[\"sshd\",\"other\"],\"MESSAGE\":\"Accepted password for a "
             "from 192.0.2.1 port 1 ssh2\"}", 1);
    CHECK_INT(r.cap.count, 1);
    run_close(&r);
}

static void
json_pretty_entry(void)
{
    static const char *const lines[] = {
        "{",
        "\t\"__REALTIME_TIMESTAMP\" : \"2000000\",",
        "\t\"SYSLOG_IDENTIFIER\" : \"sshd\",",
        "\t\"MESSAGE\" : \"Accepted password for a {b} from 192.0.2.1 port 1 "
        "ssh2\",",
        "\t\"_PID\" : \"5\"",
        "}",
    };
    struct run r;

    run_open(&r);
    for (int i = 0; i < 5; i++) {
        CHECK_INT(feed(&r, lines[i], (uint64_t)i + 10), PARSE_OK);
    }
    CHECK_INT(r.cap.count, 0);
    CHECK_INT(feed(&r, lines[5], 15), PARSE_OK);
    CHECK_INT(r.cap.count, 1);
    CHECK_SV(event_str(&r.cap.ev[0], EVENT_USER), "a {b}");
    CHECK_INT(r.cap.ev[0].origin.line, 10);
    run_close(&r);
}

static void
json_array_layouts(void)
{
    struct run r;

    run_open(&r);
    feed(&r, "[{\"__REALTIME_TIMESTAMP\":\"1\",\"SYSLOG_IDENTIFIER\":\"sshd\","
             "\"MESSAGE\":\"Accepted password for a from 192.0.2.1 port 1 "
             "ssh2\"}, {\"__REALTIME_TIMESTAMP\":\"2\",\"SYSLOG_IDENTIFIER\":"
             "\"sshd\",\"MESSAGE\":\"Accepted password for b from 192.0.2.1 "
             "port 2 ssh2\"}]", 1);
    CHECK_INT(r.cap.count, 2);
    CHECK_SV(event_str(&r.cap.ev[1], EVENT_USER), "b");
    run_close(&r);

    run_open(&r);
    CHECK_INT(feed(&r, "[", 1), PARSE_OK);
    CHECK_INT(feed(&r, "{\"MESSAGE\": [1, 2],", 2), PARSE_OK);
    CHECK_INT(feed(&r, " \"SYSLOG_IDENTIFIER\": \"cron\"", 3), PARSE_OK);
    CHECK_INT(feed(&r, "},", 4), PARSE_SKIP);
    CHECK_INT(feed(&r, "{\"__REALTIME_TIMESTAMP\":\"3\",\"SYSLOG_IDENTIFIER\":"
                       "\"sshd\",\"MESSAGE\":\"Accepted password for c from "
                       "192.0.2.1 port 3 ssh2\"}", 5), PARSE_OK);
    CHECK_INT(feed(&r, "]", 6), PARSE_OK);
    CHECK_INT(r.cap.count, 1);
    CHECK_INT(r.malformed, 0);
    run_close(&r);
}

static void
json_cut_entry(void)
{
    struct run r;

    /* A line cut inside a string does not swallow the next entry, and the
     * line that shows the cut counts as not understood. */
    run_open(&r);
    CHECK_INT(feed(&r, "{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"Acc", 1),
              PARSE_OK);
    CHECK_INT(feed(&r, accepted_json, 2), PARSE_MALFORMED);
    CHECK_STR(r.reason, "journal entry cut short in JSON input");
    CHECK_INT(r.cap.count, 1);

    /* An object still open at the end is reported by flush, at the line
     * where it began. */
    CHECK_INT(feed(&r, "{\"MESSAGE\":", 3), PARSE_OK);
    CHECK_INT(finish(&r), PARSE_MALFORMED);
    CHECK_STR(r.flush_reason, "JSON input ends inside a journal entry");
    CHECK_INT((int)r.flush_line, 3);
    CHECK_INT(r.cap.count, 1);
    run_close(&r);

    /* An input that ends after whole entries leaves nothing to report. */
    run_open(&r);
    CHECK_INT(feed(&r, accepted_json, 1), PARSE_OK);
    CHECK_INT(finish(&r), PARSE_OK);
    run_close(&r);
}

/* Fails every allocation as malloc does when memory runs out, by returning
 * NULL with errno set to ENOMEM. */
static void *
failing_malloc(size_t n)
{
    (void)n;
    errno = ENOMEM;
    return NULL;
}

static void
json_out_of_memory(void)
{
    struct run r;
    cJSON_Hooks failing = { failing_malloc, free };
    /* The escaped quote keeps the line off the fast path, which builds no
     * cJSON document. */
    const char *line = "{\"__REALTIME_TIMESTAMP\":\"1000000\","
                       "\"SYSLOG_IDENTIFIER\":\"sshd\",\"MESSAGE\":"
                       "\"Failed password for \\\"bob\\\" from 192.0.2.8 "
                       "port 22 ssh2\"}";

    run_open(&r);
    cJSON_InitHooks(&failing);
    CHECK_INT(feed(&r, line, 1), PARSE_MALFORMED);
    cJSON_InitHooks(NULL);
    CHECK_STR(r.reason, "out of memory parsing a journal entry");
    CHECK_INT(r.cap.count, 0);

    /* With memory back, the same line parses, and broken JSON is still
     * reported as invalid. */
    CHECK_INT(feed(&r, line, 2), PARSE_OK);
    CHECK_INT(r.cap.count, 1);
    CHECK_INT(feed(&r, "{\"MESSAGE\":\"\\x\"}", 3), PARSE_MALFORMED);
    CHECK_STR(r.reason, "invalid JSON in journal entry");
    run_close(&r);
}

static void
json_entry_limit(void)
{
    struct run r;
    size_t n = 1024 * 1024;
    char *big = malloc(n + 1);

    memset(big, 'x', n);
    big[n] = '\0';
    big[0] = '"';
    big[n - 2] = '"';
    big[n - 1] = ',';
    run_open(&r);
    feed(&r, "{", 1);
    for (int i = 0; i < 5; i++) {
        CHECK_INT(feed(&r, big, (uint64_t)i + 2), PARSE_OK);
    }
    CHECK_INT(feed(&r, "\"a\":\"b\"}", 7), PARSE_MALFORMED);
    CHECK_STR(r.reason, "journal entry longer than 4 MiB");
    CHECK_INT(feed(&r, accepted_json, 8), PARSE_OK);
    CHECK_INT(r.cap.count, 1);
    run_close(&r);
    free(big);
}

static void
export_text_entries(void)
{
    static const char *const lines[] = {
        "__CURSOR=s=1;i=1",
        "__REALTIME_TIMESTAMP=1714557600000001",
        "_HOSTNAME=srv",
        "SYSLOG_IDENTIFIER=sshd",
        "_PID=77",
        "MESSAGE=Accepted password for a=b from 192.0.2.1 port 1 ssh2",
        "",
        "__REALTIME_TIMESTAMP=1714557600000002",
        "SYSLOG_IDENTIFIER=sshd",
        "MESSAGE=Failed password for c from 192.0.2.1 port 2 ssh2",
    };
    struct run r;

    run_open(&r);
    for (int i = 0; i < 10; i++) {
        feed(&r, lines[i], (uint64_t)i + 1);
    }
    CHECK_INT(r.cap.count, 1);
    CHECK_SV(event_str(&r.cap.ev[0], EVENT_USER), "a=b");
    CHECK_INT(event_num(&r.cap.ev[0], EVENT_PID, -1), 77);
    CHECK_INT(r.cap.ev[0].origin.line, 1);

    /* The last entry has no blank line after it. */
    finish(&r);
    CHECK_INT(r.cap.count, 2);
    CHECK_INT(r.cap.ev[1].kind, EVENT_AUTH_FAILURE);
    CHECK_INT(r.cap.ev[1].origin.line, 8);

    CHECK_INT(feed(&r, "bad name=1", 20), PARSE_MALFORMED);
    CHECK_STR(r.reason, "not a journal export field");
    run_close(&r);
}

/*
 * Feeds bytes as the line reader would: split at LF, with a CR before an
 * LF dropped.
 */
static void
feed_stream(struct run *r, const char *p, size_t n)
{
    size_t start = 0;
    uint64_t no = 1;

    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\n') {
            continue;
        }
        size_t len = i - start;
        if (len > 0 && p[start + len - 1] == '\r') {
            len--;
        }
        feed_bytes(r, p + start, len, no++);
        start = i + 1;
    }
    if (start < n) {
        feed_bytes(r, p + start, n - start, no);
    }
}

static void
export_binary_fields(void)
{
    /* MESSAGE of 57 bytes holding 0xff; _HOSTNAME of 10 bytes ("\n" in its
     * size) holding a newline; an unused binary field of 3 bytes. */
    static const char stream[] =
        "__REALTIME_TIMESTAMP=5000000\n"
        "SYSLOG_IDENTIFIER=sshd\n"
        "MESSAGE\n"
        "\x39\0\0\0\0\0\0\0"
        "Accepted password for r\xffoot from 192.0.2.9 port 4242 ssh2\n"
        "_HOSTNAME\n"
        "\x0a\0\0\0\0\0\0\0" "abc\ndefgh\n"
        "COREDUMP\n"
        "\x03\0\0\0\0\0\0\0" "\n\n\n\n"
        "_PID=9\n"
        "\n";
    struct run r;

    run_open(&r);
    feed_stream(&r, stream, sizeof(stream) - 1);
    CHECK_INT(r.malformed, 0);
    CHECK_INT(r.cap.count, 1);
    CHECK_SV(event_str(&r.cap.ev[0], EVENT_USER), "r\xffoot");
    CHECK_SV(event_str(&r.cap.ev[0], EVENT_HOST), "abc\ndefgh");
    CHECK_INT(event_num(&r.cap.ev[0], EVENT_PID, -1), 9);
    run_close(&r);
}

/* An export entry without its closing blank line is still used, and one
 * cut inside a binary field is reported by flush at its first line. */
static void
export_end_of_input(void)
{
    static const char whole[] =
        "__REALTIME_TIMESTAMP=5000000\n"
        "SYSLOG_IDENTIFIER=sshd\n"
        "MESSAGE=Accepted password for a from 192.0.2.1 port 1 ssh2\n";
    static const char cut[] =
        "__REALTIME_TIMESTAMP=5000000\n"
        "SYSLOG_IDENTIFIER=sshd\n"
        "MESSAGE\n"
        "\x39\0\0\0\0\0\0\0" "Accepted password\n";
    struct run r;

    run_open(&r);
    feed_stream(&r, whole, sizeof(whole) - 1);
    CHECK_INT(finish(&r), PARSE_OK);
    CHECK_INT(r.cap.count, 1);
    run_close(&r);

    run_open(&r);
    feed_stream(&r, cut, sizeof(cut) - 1);
    CHECK_INT(finish(&r), PARSE_MALFORMED);
    CHECK_STR(r.flush_reason, "journal export input ends inside a binary field");
    CHECK_INT((int)r.flush_line, 1);
    CHECK_INT(r.cap.count, 0);
    run_close(&r);
}

static void
export_binary_lost_cr(void)
{
    /* The data "ab\r\ncd" loses its CR in the line reader; the value comes
     * out one byte short and the next field is still read. */
    static const char stream[] =
        "__REALTIME_TIMESTAMP=5000000\n"
        "SYSLOG_IDENTIFIER=sshd\n"
        "_CMDLINE\n"
        "\x06\0\0\0\0\0\0\0" "ab\r\ncd\n"
        "MESSAGE=Accepted password for a from 192.0.2.1 port 1 ssh2\n"
        "\n";
    static const char damaged[] =
        "SYSLOG_IDENTIFIER=sshd\n"
        "MESSAGE\n"
        "\x02\0\0\0\0\0\0\0" "abcdef\n"
        "\n";
    struct run r;

    run_open(&r);
    feed_stream(&r, stream, sizeof(stream) - 1);
    CHECK_INT(r.cap.count, 1);
    CHECK_SV(event_str(&r.cap.ev[0], EVENT_CMDLINE), "ab\ncd");
    CHECK_INT(r.malformed, 0);

    feed_stream(&r, damaged, sizeof(damaged) - 1);
    CHECK_INT(r.malformed, 1);
    CHECK_STR(r.reason, "binary journal field longer than its stated size");
    run_close(&r);
}

static void
probe_scores(void)
{
    CHECK_INT(journald_format.probe(sv_cstr(accepted_json)), 95);
    CHECK_INT(journald_format.probe(sv_cstr("{\"__CURSOR\":\"s=1\"}")), 95);
    CHECK_INT(journald_format.probe(sv_cstr("\t\"__REALTIME_TIMESTAMP\" : "
                                            "\"1\",")), 90);
    CHECK_INT(journald_format.probe(sv_cstr("__CURSOR=s=1;i=2")), 90);
    CHECK_INT(journald_format.probe(sv_cstr("MESSAGE=hello")), 60);
    CHECK_INT(journald_format.probe(sv_cstr("Feb  7 16:01:07 h sshd[1]: "
                                            "x")), 0);
    CHECK_INT(journald_format.probe(sv_cstr("type=LOGIN msg=audit(1.0:1)")),
              0);
}

int
main(void)
{
    TEST_RUN("journald", json_line_accepted);
    TEST_RUN("journald", json_fallback_fields);
    TEST_RUN("journald", json_skips);
    TEST_RUN("journald", json_byte_array_message);
    TEST_RUN("journald", json_multi_value_field);
    TEST_RUN("journald", json_pretty_entry);
    TEST_RUN("journald", json_array_layouts);
    TEST_RUN("journald", json_cut_entry);
    TEST_RUN("journald", json_out_of_memory);
    TEST_RUN("journald", json_entry_limit);
    TEST_RUN("journald", export_text_entries);
    TEST_RUN("journald", export_binary_fields);
    TEST_RUN("journald", export_binary_lost_cr);
    TEST_RUN("journald", export_end_of_input);
    TEST_RUN("journald", probe_scores);
    TEST_EXIT();
}
