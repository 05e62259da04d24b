/*
 * Unit tests for the sysmon format.  The Event ID 1 and 3 documents are
 * written by hand in the shape of Sysmon for Linux's syslog output,
 * because no real sample was available.  Covered: XML escapes, the port 22
 * rule and the rejection of DOCTYPE and ENTITY declarations.
 */
#include "formats/format.h"

#include "tcapture.h"

static struct tcapture cap;
static const char *last_reason;
static struct tz utc;

extern const struct format_ops sysmon_format;

static enum parse_status
feed1(const char *line)
{
    struct format_opts o = { .tz = &utc, .year = 2024, .year_given = true };
    struct event_sink sink = tcapture_sink(&cap);
    struct event_origin origin = { "sysmon", "syslog", 1 };
    void *state = sysmon_format.open(&o);

    tcapture_reset(&cap);
    last_reason = NULL;
    enum parse_status st = sysmon_format.feed(state, sv_cstr(line), &origin,
                                              &sink, &last_reason);
    sysmon_format.close(state);
    return st;
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

#define SYSTEM(id, computer)                                                \
    "<System><Provider Name=\"Linux-Sysmon\" Guid=\"{ff032593-a8d3-4f13-"  \
    "b0d6-01fc615a0f97}\"/><EventID>" id "</EventID><Version>5</Version>"  \
    "<TimeCreated SystemTime=\"2024-03-10T12:00:05.120000000Z\"/>"          \
    "<Channel>Linux-Sysmon/Operational</Channel>" computer "</System>"

static void
exec_in_syslog(void)
{
    CHECK_INT(feed1("Mar 10 12:00:05 web01 sysmon: <Event>"
                    SYSTEM("1", "<Computer>web01.example.com</Computer>")
                    "<EventData><Data Name=\"RuleName\">-</Data>"
                    "<Data Name=\"UtcTime\">2024-03-10 12:00:05.118</Data>"
                    "<Data Name=\"ProcessId\">4251</Data>"
                    "<Data Name=\"Image\">/usr/bin/sh</Data>"
                    "<Data Name=\"CommandLine\">sh -c \"a &amp;&amp; b &lt; c"
                    "\"</Data>"
                    "<Data Name=\"CurrentDirectory\">/tmp</Data>"
                    "<Data Name=\"User\">alice</Data>"
                    "<Data Name=\"LogonId\">1000</Data>"
                    "<Data Name=\"ParentProcessId\">4250</Data>"
                    "<Data Name=\"ParentImage\">/usr/bin/bash</Data>"
                    "</EventData></Event>"), PARSE_OK);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_EXEC);
    CHECK_INT(cap.ev[0].time.sec, civil_to_epoch(2024, 3, 10, 12, 0, 5));
    CHECK_INT(cap.ev[0].time.nsec, 118000000);
    CHECK_SV(str(EVENT_HOST), "web01.example.com");
    CHECK_INT(num(EVENT_PID), 4251);
    CHECK_INT(num(EVENT_PPID), 4250);
    CHECK_SV(str(EVENT_EXE), "/usr/bin/sh");
    CHECK_SV(str(EVENT_CMDLINE), "sh -c \"a && b < c\"");
    CHECK_INT(cap.ev[0].argc, 0);
    CHECK_SV(str(EVENT_CWD), "/tmp");
    CHECK_SV(str(EVENT_USER), "alice");
    CHECK_SV(str(EVENT_LOGON_ID), "1000");
    CHECK_SV(str(EVENT_PARENT_EXE), "/usr/bin/bash");
}

/* Without <Computer> the syslog host is used; "-" values are absent. */
static void
bare_values_and_host_fallback(void)
{
    feed1("Mar 10 12:00:05 web02 sysmon: <Event>" SYSTEM("1", "")
          "<EventData><Data Name=\"ProcessId\">7</Data>"
          "<Data Name=\"Image\">/usr/bin/id</Data>"
          "<Data Name=\"CurrentDirectory\">-</Data></EventData></Event>");
    CHECK_INT(cap.count, 1);
    CHECK_SV(str(EVENT_HOST), "web02");
    CHECK_SV(str(EVENT_CWD), NULL);
    /* No UtcTime: TimeCreated SystemTime is used. */
    CHECK_INT(cap.ev[0].time.nsec, 120000000);
}

static void
bare_document(void)
{
    CHECK_INT(feed1("<Event>" SYSTEM("1", "<Computer>h</Computer>")
                    "<EventData><Data Name=\"ProcessId\">7</Data>"
                    "</EventData></Event>"), PARSE_OK);
    CHECK_SV(str(EVENT_HOST), "h");
}

static void
network_to_ssh_server(void)
{
    feed1("<Event>" SYSTEM("3", "<Computer>web01</Computer>")
          "<EventData><Data Name=\"UtcTime\">2024-03-10 12:00:00.047</Data>"
          "<Data Name=\"ProcessId\">1021</Data>"
          "<Data Name=\"Image\">/usr/sbin/sshd</Data>"
          "<Data Name=\"SourceIp\">192.0.2.10</Data>"
          "<Data Name=\"SourcePort\">52100</Data>"
          "<Data Name=\"DestinationIp\">192.0.2.5</Data>"
          "<Data Name=\"DestinationPort\">22</Data></EventData></Event>");
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_NET_SSH);
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.10");
    CHECK_INT(num(EVENT_SRC_PORT), 52100);
    CHECK_SV(str(EVENT_DST_IP), "192.0.2.5");
    CHECK_INT(num(EVENT_DST_PORT), 22);
    CHECK_SV(str(EVENT_EXE), "/usr/sbin/sshd");
}

/* With the server on the source side the roles are swapped. */
static void
network_from_ssh_server(void)
{
    feed1("<Event>" SYSTEM("3", "")
          "<EventData><Data Name=\"SourceIp\">192.0.2.5</Data>"
          "<Data Name=\"SourcePort\">22</Data>"
          "<Data Name=\"DestinationIp\">192.0.2.10</Data>"
          "<Data Name=\"DestinationPort\">52100</Data></EventData></Event>");
    CHECK_INT(cap.count, 1);
    CHECK_SV(str(EVENT_SRC_IP), "192.0.2.10");
    CHECK_INT(num(EVENT_SRC_PORT), 52100);
    CHECK_SV(str(EVENT_DST_IP), "192.0.2.5");
    CHECK_INT(num(EVENT_DST_PORT), 22);
}

static void
network_other_port_skipped(void)
{
    CHECK_INT(feed1("<Event>" SYSTEM("3", "")
                    "<EventData><Data Name=\"SourcePort\">40000</Data>"
                    "<Data Name=\"DestinationPort\">443</Data></EventData>"
                    "</Event>"), PARSE_SKIP);
    CHECK_STR(last_reason, "sysmon network event not on port 22");
    CHECK_INT(feed1("<Event>" SYSTEM("5", "") "</Event>"), PARSE_SKIP);
    CHECK_STR(last_reason, "sysmon event ID not used");
    CHECK_INT(cap.count, 0);
}

/* An external entity would read a local file: rejected before parsing. */
static void
doctype_rejected(void)
{
    CHECK_INT(feed1("<!DOCTYPE Event [<!ENTITY x SYSTEM \"file:///etc/"
                    "passwd\">]><Event>" SYSTEM("1", "")
                    "<EventData><Data Name=\"CommandLine\">&x;</Data>"
                    "</EventData></Event>"), PARSE_MALFORMED);
    CHECK_INT(cap.count, 0);
    CHECK_STR(last_reason,
              "sysmon event with a DOCTYPE or ENTITY declaration");
}

/* An undeclared entity is not expanded; the document is invalid. */
static void
undeclared_entity(void)
{
    CHECK_INT(feed1("<Event>" SYSTEM("1", "")
                    "<EventData><Data Name=\"CommandLine\">&x;</Data>"
                    "</EventData></Event>"), PARSE_MALFORMED);
    CHECK_STR(last_reason, "invalid sysmon event XML");
}

static void
broken_documents(void)
{
    CHECK_INT(feed1("Mar 10 12:00:05 web01 sysmon: <Event><System>"),
              PARSE_MALFORMED);
    CHECK_STR(last_reason, "sysmon <Event> without </Event>");
    CHECK_INT(feed1("<Event><System></Event>"), PARSE_MALFORMED);
    CHECK_STR(last_reason, "invalid sysmon event XML");
    CHECK_INT(feed1("<Event><System><EventID>1</EventID></System></Event>"),
              PARSE_MALFORMED);
    CHECK_STR(last_reason,
              "sysmon event without a valid UtcTime or SystemTime");
    CHECK_INT(feed1("Mar 10 12:00:05 web01 sshd[1]: Accepted"), PARSE_SKIP);
}

static void
probe_scores(void)
{
    CHECK_INT(sysmon_format.probe(sv_cstr("x sysmon: <Event>" SYSTEM("1", "")
                                          "</Event>")), 100);
    CHECK_INT(sysmon_format.probe(sv_cstr("Mar 10 12:00:05 h sshd[1]: x")),
              0);
}

int
main(void)
{
    tcapture_init(&cap);
    TEST_RUN("sysmon", exec_in_syslog);
    TEST_RUN("sysmon", bare_values_and_host_fallback);
    TEST_RUN("sysmon", bare_document);
    TEST_RUN("sysmon", network_to_ssh_server);
    TEST_RUN("sysmon", network_from_ssh_server);
    TEST_RUN("sysmon", network_other_port_skipped);
    TEST_RUN("sysmon", doctype_rejected);
    TEST_RUN("sysmon", undeclared_entity);
    TEST_RUN("sysmon", broken_documents);
    TEST_RUN("sysmon", probe_scores);
    tcapture_fini(&cap);
    TEST_EXIT();
}
