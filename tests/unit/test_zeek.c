/*
 * Unit tests for the zeek format: ssh.log in TSV with its headers
 * (separator, unset and empty markers, column order from #fields) and in
 * JSON with numeric and ISO 8601 time stamps.
 */
#include "formats/format.h"

#include "tcapture.h"

static struct tcapture cap;
static const char *last_reason;

extern const struct format_ops zeek_format;

/* Feeds lines to a fresh parser and returns the status of the last one. */
static enum parse_status
feed_lines(const char *const *lines, int n)
{
    struct format_opts o = { 0 };
    struct event_sink sink = tcapture_sink(&cap);
    struct event_origin origin = { "zeek", "ssh.log", 0 };
    enum parse_status st = PARSE_MALFORMED;
    void *state = zeek_format.open(&o);

    tcapture_reset(&cap);
    for (int i = 0; i < n; i++) {
        origin.line = (uint64_t)i + 1;
        last_reason = NULL;
        st = zeek_format.feed(state, sv_cstr(lines[i]), &origin, &sink,
                              &last_reason);
    }
    zeek_format.close(state);
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

static const char header_fields[] =
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion"
    "\tauth_success\tauth_attempts\tdirection\tclient\tserver";

static void
tsv_success(void)
{
    const char *lines[] = {
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        "#path\tssh",
        header_fields,
        "1419870189.489202\tC4J4Th3PJpwUYZZ6gc\t192.0.2.1\t57189\t"
        "198.51.100.158\t22\t2\tT\t3\tINBOUND\tSSH-2.0-OpenSSH_6.2\t"
        "SSH-1.99-OpenSSH_6.6.1p1 Ubuntu-2ubuntu2",
    };

    CHECK_INT(feed_lines(lines, 7), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_NET_SSH);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_SUCCESS);
    CHECK_INT(cap.ev[0].time.sec, 1419870189);
    CHECK_INT(cap.ev[0].time.nsec, 489202000);
    CHECK_INT(cap.ev[0].time.digits, 6);
    CHECK_SV(str(0, EVENT_SRC_IP), "192.0.2.1");
    CHECK_INT(num(0, EVENT_SRC_PORT), 57189);
    CHECK_SV(str(0, EVENT_DST_IP), "198.51.100.158");
    CHECK_INT(num(0, EVENT_DST_PORT), 22);
    CHECK_SV(str(0, EVENT_LOGON_ID), "C4J4Th3PJpwUYZZ6gc");
    CHECK_SV(str(0, EVENT_HOST), NULL);
    CHECK_SV(str(0, EVENT_DETAIL),
             "client SSH-2.0-OpenSSH_6.2, server SSH-1.99-OpenSSH_6.6.1p1 "
             "Ubuntu-2ubuntu2, auth_attempts 3, direction INBOUND");
    CHECK_INT(cap.ev[0].origin.line, 7);
}

static void
tsv_unset_and_failure(void)
{
    const char *lines[] = {
        header_fields,
        "1324071333.792887\tCHhAvVGS1DHFjwGM9\t192.0.2.79\t51880\t"
        "198.51.100.167\t22\t2\t-\t0\t-\t(empty)\t-",
        "1324071334.5\tCa\t192.0.2.79\t51881\t198.51.100.167\t22\t2\tF\t6"
        "\t-\t-\t-",
    };

    feed_lines(lines, 3);
    CHECK_INT(cap.count, 2);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_NONE);
    CHECK_SV(str(0, EVENT_DETAIL), "auth_attempts 0");
    CHECK_INT(cap.ev[1].result, EVENT_RESULT_FAILURE);
    CHECK_INT(cap.ev[1].time.nsec, 500000000);
    CHECK_INT(cap.ev[1].time.digits, 1);
}

/* Columns are found by name, so another order or extra columns work. */
static void
tsv_column_order(void)
{
    const char *lines[] = {
        "#separator |",
        "#fields|extra|id.resp_p|id.resp_h|id.orig_p|id.orig_h|uid|ts",
        "x|2222|2001:db8::2|40000|2001:db8::1|Cz|1700000000",
    };

    CHECK_INT(feed_lines(lines, 3), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_SV(str(0, EVENT_SRC_IP), "2001:db8::1");
    CHECK_SV(str(0, EVENT_DST_IP), "2001:db8::2");
    CHECK_INT(num(0, EVENT_DST_PORT), 2222);
    CHECK_INT(cap.ev[0].time.digits, 0);
}

static void
tsv_without_fields_header(void)
{
    const char *line = "1324071333.792887\tC\t192.0.2.79\t51880";

    CHECK_INT(feed_lines(&line, 1), PARSE_MALFORMED);
    CHECK_STR(last_reason, "Zeek TSV line before the #fields header");
    CHECK_INT(cap.count, 0);
}

static void
tsv_other_log_skipped(void)
{
    const char *lines[] = {
        "#path\tconn",
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p",
        "1324071333.792887\tC\t192.0.2.79\t51880\t198.51.100.1\t22",
    };

    CHECK_INT(feed_lines(lines, 3), PARSE_SKIP);
    CHECK_INT(cap.count, 0);
}

static void
tsv_invalid_ts(void)
{
    const char *lines[] = {
        header_fields,
        "yesterday\tC\t192.0.2.79\t51880\t198.51.100.167\t22\t2\t-\t0\t-\t-"
        "\t-",
    };

    CHECK_INT(feed_lines(lines, 2), PARSE_MALFORMED);
    CHECK_STR(last_reason, "invalid ts value");
}

static void
json_numeric_ts(void)
{
    const char *line =
        "{\"ts\":1419870189.489202,\"uid\":\"C4J4Th3PJpwUYZZ6gc\","
        "\"id.orig_h\":\"192.0.2.1\",\"id.orig_p\":57189,"
        "\"id.resp_h\":\"198.51.100.158\",\"id.resp_p\":22,\"version\":2,"
        "\"auth_success\":false,\"auth_attempts\":3,"
        "\"client\":\"SSH-2.0-OpenSSH_6.2\",\"server\":\"SSH-2.0-x\"}";

    CHECK_INT(feed_lines(&line, 1), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_FAILURE);
    CHECK_INT(cap.ev[0].time.sec, 1419870189);
    CHECK_INT(cap.ev[0].time.nsec, 489202000);
    CHECK_INT(num(0, EVENT_SRC_PORT), 57189);
    CHECK_INT(num(0, EVENT_DST_PORT), 22);
    CHECK_SV(str(0, EVENT_LOGON_ID), "C4J4Th3PJpwUYZZ6gc");
    CHECK_SV(str(0, EVENT_DETAIL), "client SSH-2.0-OpenSSH_6.2, server "
             "SSH-2.0-x, auth_attempts 3");
}

static void
json_iso_ts(void)
{
    const char *line =
        "{\"ts\":\"2024-03-10T12:00:01.250000Z\",\"uid\":\"Cx\","
        "\"id.orig_h\":\"192.0.2.1\",\"id.orig_p\":5,"
        "\"id.resp_h\":\"198.51.100.158\",\"id.resp_p\":22,"
        "\"auth_success\":true}";

    CHECK_INT(feed_lines(&line, 1), PARSE_OK);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_SUCCESS);
    CHECK_INT(cap.ev[0].time.sec, civil_to_epoch(2024, 3, 10, 12, 0, 1));
    CHECK_INT(cap.ev[0].time.nsec, 250000000);
}

static void
json_other_log_skipped(void)
{
    const char *lines[] = {
        "{\"ts\":1,\"uid\":\"C\",\"id.orig_h\":\"192.0.2.1\","
        "\"id.orig_p\":1,\"id.resp_h\":\"192.0.2.2\",\"id.resp_p\":80,"
        "\"proto\":\"tcp\"}",
        "{\"message\":\"x\"}",
    };

    CHECK_INT(feed_lines(lines, 1), PARSE_SKIP);
    CHECK_INT(feed_lines(lines + 1, 1), PARSE_SKIP);
    CHECK_INT(cap.count, 0);
}

static void
json_invalid(void)
{
    const char *line = "{\"ts\":1, \"id.orig_h\":";

    CHECK_INT(feed_lines(&line, 1), PARSE_MALFORMED);
    CHECK_STR(last_reason, "invalid JSON");
}

static void
probe_scores(void)
{
    CHECK_INT(zeek_format.probe(sv_cstr("#path\tssh")), 100);
    CHECK_INT(zeek_format.probe(sv_cstr(header_fields)), 100);
    CHECK_INT(zeek_format.probe(sv_cstr(
                  "{\"ts\":1,\"id.orig_h\":\"a\",\"server\":\"b\"}")), 90);
    CHECK_INT(zeek_format.probe(sv_cstr(
                  "Mar  7 18:53:20 bar sshd[1556]: Accepted")), 0);
}

int
main(void)
{
    tcapture_init(&cap);
    TEST_RUN("zeek", tsv_success);
    TEST_RUN("zeek", tsv_unset_and_failure);
    TEST_RUN("zeek", tsv_column_order);
    TEST_RUN("zeek", tsv_without_fields_header);
    TEST_RUN("zeek", tsv_other_log_skipped);
    TEST_RUN("zeek", tsv_invalid_ts);
    TEST_RUN("zeek", json_numeric_ts);
    TEST_RUN("zeek", json_iso_ts);
    TEST_RUN("zeek", json_other_log_skipped);
    TEST_RUN("zeek", json_invalid);
    TEST_RUN("zeek", probe_scores);
    tcapture_fini(&cap);
    TEST_EXIT();
}
