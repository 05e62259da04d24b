/*
 * Unit tests for the macOS inputs: the JSON object reader, the macos-log
 * format in each `log show` style, and eslogger exec events.  A local
 * sink copies each event so fields can be checked after the call.
 */
#include "formats/format.h"
#include "formats/macos_json.h"

#include "tcapture.h"

static struct tz utc;
static struct tcapture cap;
static const char *last_reason;

extern const struct format_ops macos_log_format;
extern const struct format_ops eslogger_format;

/* Feeds lines to a fresh parser of fmt and returns the last status. */
static enum parse_status
feed_lines(const struct format_ops *fmt, const char *const *lines, int n)
{
    struct format_opts o = { .tz = &utc, .year = 2024, .year_given = true,
                             .ref_time = 1700000000 };
    struct event_sink sink = tcapture_sink(&cap);
    struct event_origin origin = { fmt->name, "test.log", 0 };
    enum parse_status st = PARSE_MALFORMED;
    void *state = fmt->open(&o);

    tcapture_reset(&cap);
    for (int i = 0; i < n; i++) {
        origin.line = (uint64_t)i + 1;
        last_reason = NULL;
        st = fmt->feed(state, sv_cstr(lines[i]), &origin, &sink,
                       &last_reason);
    }
    if (fmt->flush != NULL) {
        uint64_t flush_line;
        const char *flush_reason;
        (void)fmt->flush(state, &sink, &flush_line, &flush_reason);
    }
    fmt->close(state);
    return st;
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

/* Counts objects handed out by the JSON reader. */
static int json_objects;
static uint64_t json_first_line;

static void
count_object(void *arg, struct sv object, uint64_t first_line)
{
    (void)arg;
    (void)object;
    json_objects++;
    json_first_line = first_line;
}

static void
json_reader_spans_lines(void)
{
    struct macos_json_reader r;

    macos_json_init(&r);
    json_objects = 0;
    CHECK_INT(macos_json_feed(&r, SV_LIT("[{"), 1, count_object, NULL),
              MACOS_JSON_PARTIAL);
    CHECK(macos_json_is_open(&r));
    CHECK_INT(macos_json_feed(&r, SV_LIT("\"a\" : \"} { ] \\\" \","), 2,
                              count_object, NULL),
              MACOS_JSON_PARTIAL);
    CHECK_INT(macos_json_feed(&r, SV_LIT("},{\"b\":1"), 3, count_object,
                              NULL),
              MACOS_JSON_COMPLETE);
    CHECK_INT(json_objects, 1);
    CHECK_INT(json_first_line, 1);
    CHECK_INT(macos_json_feed(&r, SV_LIT("}]"), 4, count_object, NULL),
              MACOS_JSON_COMPLETE);
    CHECK_INT(json_objects, 2);
    CHECK_INT(json_first_line, 3);
    CHECK(!macos_json_is_open(&r));
    CHECK_INT(macos_json_feed(&r, SV_LIT("not json"), 5, count_object,
                              NULL),
              MACOS_JSON_STRAY);
    macos_json_fini(&r);
}

/* A record cut inside a string, or followed by a record in column 0, is
 * dropped and counted, and the line after it is read afresh. */
static void
json_reader_resyncs_after_cut(void)
{
    struct macos_json_reader r;

    macos_json_init(&r);
    json_objects = 0;
    CHECK_INT(macos_json_feed(&r, SV_LIT("{\"a\":\"cut"), 1, count_object,
                              NULL),
              MACOS_JSON_PARTIAL);
    CHECK_INT(macos_json_feed(&r, SV_LIT("{\"b\":1}"), 2, count_object,
                              NULL),
              MACOS_JSON_COMPLETE);
    CHECK_INT((int)r.cut, 1);
    CHECK_INT(json_objects, 1);
    CHECK_INT(json_first_line, 2);
    CHECK_INT(macos_json_feed(&r, SV_LIT("{\"c\":{"), 3, count_object,
                              NULL),
              MACOS_JSON_PARTIAL);
    CHECK_INT(macos_json_feed(&r, SV_LIT("{\"d\":1}"), 4, count_object,
                              NULL),
              MACOS_JSON_COMPLETE);
    CHECK_INT((int)r.cut, 2);
    CHECK_INT(json_objects, 2);
    /* Indented objects inside a record are not a cut. */
    CHECK_INT(macos_json_feed(&r, SV_LIT("{\"e\":"), 5, count_object, NULL),
              MACOS_JSON_PARTIAL);
    CHECK_INT(macos_json_feed(&r, SV_LIT("  {\"f\":1}}"), 6, count_object,
                              NULL),
              MACOS_JSON_COMPLETE);
    CHECK_INT((int)r.cut, 2);
    CHECK_INT(json_objects, 3);
    macos_json_fini(&r);
}

static void
json_reader_drops_large_object(void)
{
    struct macos_json_reader r;
    static char big[MACOS_JSON_MAX_OBJECT / 4];

    /* Lines of "1," in an array: JSON strings cannot span lines. */
    for (size_t i = 0; i + 1 < sizeof(big); i += 2) {
        big[i] = '1';
        big[i + 1] = ',';
    }
    macos_json_init(&r);
    json_objects = 0;
    (void)macos_json_feed(&r, SV_LIT("{\"k\":["), 1, count_object, NULL);
    for (int i = 0; i < 5; i++) {
        (void)macos_json_feed(&r, sv_make(big, sizeof(big)), 2,
                              count_object, NULL);
    }
    (void)macos_json_feed(&r, SV_LIT("0]}{\"ok\":1}"), 3, count_object,
                          NULL);
    CHECK_INT(r.dropped, 1);
    CHECK_INT(json_objects, 1);
    CHECK_INT(json_first_line, 3);
    macos_json_fini(&r);
}

static void
default_style_accepted(void)
{
    const char *line =
        "2024-01-02 03:04:05.123456-0700 0x1a2b     Info        0x0      "
        "            1234   0    sshd-session: Accepted publickey for "
        "alice from 192.0.2.10 port 50522 ssh2: ED25519 SHA256:abc";

    CHECK_INT(feed_lines(&macos_log_format, &line, 1), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_SUCCESS);
    CHECK_INT(cap.ev[0].time.sec, 1704189845);
    CHECK_INT(cap.ev[0].time.nsec, 123456000);
    CHECK_SV(str(0, EVENT_PROGRAM), "sshd-session");
    CHECK_SV(str(0, EVENT_USER), "alice");
    CHECK_SV(str(0, EVENT_SRC_IP), "192.0.2.10");
    CHECK_SV(str(0, EVENT_HOST), NULL);
    CHECK_INT(num(0, EVENT_PID), 1234);
    CHECK_INT(num(0, EVENT_SRC_PORT), 50522);
}

static void
default_style_strips_sender(void)
{
    const char *line =
        "2024-01-02 03:04:05.000000+0000 0x1       Default     0x0      "
        "            77     0    sshd: (libpam.2.dylib) "
        "[com.example:auth] Failed password for root from 198.51.100.2 "
        "port 22022 ssh2";

    CHECK_INT(feed_lines(&macos_log_format, &line, 1), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_FAILURE);
    CHECK_SV(str(0, EVENT_USER), "root");
}

static void
keygen_wrapper_skipped(void)
{
    const char *line =
        "2024-01-02 03:04:05.000000+0000 0x1       Default     0x0      "
        "            88     0    sshd-keygen-wrapper: Accepted password "
        "for root from 198.51.100.2 port 22022 ssh2";

    CHECK_INT(feed_lines(&macos_log_format, &line, 1), PARSE_SKIP);
    CHECK_INT(cap.count, 0);
    CHECK_STR(last_reason, "not an sshd program");
}

static void
syslog_style_keeps_host(void)
{
    const char *line = "2020-03-24 08:38:44.727732-0700  localhost "
                       "sshd[2519]: Accepted password for user from "
                       "172.18.1.100 port 43042 ssh2";

    CHECK_INT(feed_lines(&macos_log_format, &line, 1), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_SV(str(0, EVENT_HOST), "localhost");
    CHECK_INT(num(0, EVENT_PID), 2519);
    CHECK_INT(cap.ev[0].time.sec, 1585064324);
}

static void
compact_style_accepted(void)
{
    const char *line = "2024-01-02 03:04:05.123 Df sshd[1234:5a6b] "
                       "Accepted password for bob from 192.0.2.8 port 4 "
                       "ssh2";

    /* The thread id is hexadecimal in real output; it must still parse. */
    CHECK_INT(feed_lines(&macos_log_format, &line, 1), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(num(0, EVENT_PID), 1234);
    CHECK_INT(cap.ev[0].time.digits, 3);
}

static void
banners_and_continuations_skipped(void)
{
    const char *lines[] = {
        "Filtering the log data using \"process == \\\"sshd\\\"\"",
        "Timestamp                       Thread     Type        Activity  "
        "           PID    TTL  ",
        "\tsecond line of a message",
        "Log      - Default:          1, Info:                0",
    };

    for (int i = 0; i < 4; i++) {
        CHECK_INT(feed_lines(&macos_log_format, &lines[i], 1), PARSE_SKIP);
    }
    const char *junk = "junk";
    CHECK_INT(feed_lines(&macos_log_format, &junk, 1), PARSE_MALFORMED);
}

static void
json_style_across_lines(void)
{
    const char *lines[] = {
        "[{",
        "  \"eventMessage\" : \"Accepted password for bob from 198.51.100.7"
        " port 50001 ssh2\",",
        "  \"eventType\" : \"logEvent\",",
        "  \"processImagePath\" : \"\\/usr\\/libexec\\/sshd-session\",",
        "  \"timestamp\" : \"2024-05-06 07:08:09.100000+0200\",",
        "  \"processID\" : 4321",
        "},{",
        "  \"eventMessage\" : \"x\", \"eventType\" : \"activityCreateEvent\",",
        "  \"processImagePath\" : \"\\/usr\\/sbin\\/sshd\",",
        "  \"timestamp\" : \"2024-05-06 07:08:09.100000+0200\"",
        "}]",
    };

    CHECK_INT(feed_lines(&macos_log_format, lines, 11), PARSE_SKIP);
    CHECK_INT(cap.count, 1);
    CHECK_SV(str(0, EVENT_PROGRAM), "sshd-session");
    CHECK_INT(num(0, EVENT_PID), 4321);
    CHECK_INT(cap.ev[0].origin.line, 1);
    CHECK_INT(cap.ev[0].time.sec, 1714972089);
}

static void
ndjson_style_line(void)
{
    const char *line =
        "{\"timestamp\":\"2024-05-06 07:08:11.000000+0200\",\"eventType\":"
        "\"logEvent\",\"processImagePath\":\"/usr/sbin/sshd\",\"processID\":"
        "99,\"eventMessage\":\"Failed password for root from 203.0.113.9 "
        "port 4000 ssh2\"}";

    CHECK_INT(feed_lines(&macos_log_format, &line, 1), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_FAILURE);
    CHECK_SV(str(0, EVENT_SRC_IP), "203.0.113.9");
}

static void
macos_log_probe_scores(void)
{
    CHECK_INT(macos_log_format.probe(SV_LIT(
                  "2024-01-02 03:04:05.123456-0700 0x1a2b     Default     "
                  "0x0                  1234   0    sshd: x")),
              100);
    CHECK_INT(macos_log_format.probe(SV_LIT(
                  "2020-03-24 08:38:44.727732-0700  localhost sshd[1]: x")),
              100);
    CHECK_INT(macos_log_format.probe(SV_LIT(
                  "2020-03-24T08:38:44+00:00 host sshd[1]: x")),
              0);
}

static const char *const es_exec_v9 =
    "{\"event_type\":9,\"global_seq_num\":75,\"mach_time\":1,\"time\":"
    "\"2024-03-04T10:00:00.123456789Z\",\"process\":{\"ppid\":700,"
    "\"executable\":{\"path\":\"/usr/libexec/sshd-session\"},"
    "\"audit_token\":{\"pid\":701,\"euid\":0,\"ruid\":0,\"auid\":501,"
    "\"asid\":100019}},\"event\":{\"exec\":{\"cwd\":{\"path\":"
    "\"/Users/alice\"},\"target\":{\"executable\":{\"path\":\"/bin/zsh\"},"
    "\"audit_token\":{\"pid\":701,\"euid\":501,\"ruid\":501,\"auid\":501,"
    "\"asid\":100019,\"egid\":20,\"rgid\":20,\"pidversion\":3},"
    "\"ppid\":700,\"tty\":{\"path\":\"/dev/ttys003\"}},\"args\":"
    "[\"-zsh\",\"-c\",\"id\"]}}}";

static void
eslogger_exec_object_token(void)
{
    CHECK_INT(feed_lines(&eslogger_format, &es_exec_v9, 1), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_EXEC);
    CHECK_INT(cap.ev[0].time.nsec, 123456789);
    CHECK_INT(cap.ev[0].time.digits, 9);
    CHECK_INT(num(0, EVENT_PID), 701);
    CHECK_INT(num(0, EVENT_PPID), 700);
    CHECK_INT(num(0, EVENT_UID), 501);
    CHECK_INT(num(0, EVENT_EUID), 501);
    CHECK_INT(num(0, EVENT_AUID), 501);
    CHECK_INT(num(0, EVENT_SES), 100019);
    CHECK_SV(str(0, EVENT_EXE), "/bin/zsh");
    CHECK_SV(str(0, EVENT_CWD), "/Users/alice");
    CHECK_SV(str(0, EVENT_TTY), "ttys003");
    CHECK_SV(str(0, EVENT_PARENT_EXE), "/usr/libexec/sshd-session");
    CHECK_SV(str(0, EVENT_HOST), NULL);
    CHECK_INT(cap.ev[0].argc, 3);
    CHECK_SV(event_arg(&cap.ev[0], 2), "id");
}

static void
eslogger_exec_array_token(void)
{
    const char *line =
        "{\"version\":10,\"event_type\":9,\"time\":\"2024-03-04T10:00:05Z\","
        "\"process\":{\"ppid\":701},\"event\":{\"exec\":{\"target\":"
        "{\"audit_token\":[4294967295,0,20,501,20,702,100019,6],"
        "\"executable\":{\"path\":\"/usr/bin/id\"}},\"args\":[\"id\"]}}}";

    CHECK_INT(feed_lines(&eslogger_format, &line, 1), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(num(0, EVENT_PID), 702);
    CHECK_INT(num(0, EVENT_PPID), 701);
    CHECK_INT(num(0, EVENT_UID), 501);
    CHECK_INT(num(0, EVENT_EUID), 0);
    CHECK_INT(num(0, EVENT_SES), 100019);
    CHECK(!event_has_num(&cap.ev[0], EVENT_AUID));
}

static void
eslogger_other_events_skipped(void)
{
    const char *lines[] = {
        "{\"event_type\":11,\"time\":\"2024-03-04T10:00:05Z\","
        "\"event\":{\"fork\":{}}}",
        "{\"event_type\":9,\"event\":{\"exec\":{}}}",
        "Failed to create ES client",
    };

    CHECK_INT(feed_lines(&eslogger_format, &lines[0], 1), PARSE_SKIP);
    CHECK_INT(feed_lines(&eslogger_format, &lines[1], 1), PARSE_MALFORMED);
    CHECK_INT(feed_lines(&eslogger_format, &lines[2], 1), PARSE_MALFORMED);
    CHECK_INT(cap.count, 0);
}

static void
eslogger_probe_scores(void)
{
    CHECK_INT(eslogger_format.probe(sv_cstr(es_exec_v9)), 100);
    CHECK_INT(eslogger_format.probe(SV_LIT("{\"a\":1}")), 0);
}

int
main(void)
{
    tcapture_init(&cap);
    TEST_RUN("macos", json_reader_spans_lines);
    TEST_RUN("macos", json_reader_drops_large_object);
    TEST_RUN("macos", json_reader_resyncs_after_cut);
    TEST_RUN("macos", default_style_accepted);
    TEST_RUN("macos", default_style_strips_sender);
    TEST_RUN("macos", keygen_wrapper_skipped);
    TEST_RUN("macos", syslog_style_keeps_host);
    TEST_RUN("macos", compact_style_accepted);
    TEST_RUN("macos", banners_and_continuations_skipped);
    TEST_RUN("macos", json_style_across_lines);
    TEST_RUN("macos", ndjson_style_line);
    TEST_RUN("macos", macos_log_probe_scores);
    TEST_RUN("macos", eslogger_exec_object_token);
    TEST_RUN("macos", eslogger_exec_array_token);
    TEST_RUN("macos", eslogger_other_events_skipped);
    TEST_RUN("macos", eslogger_probe_scores);
    tcapture_fini(&cap);
    TEST_EXIT();
}
