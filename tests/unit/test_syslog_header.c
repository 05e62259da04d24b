/*
 * Unit tests for the syslog header parser: every header form it accepts,
 * the RFC 3164 year rule in both modes and the time of unstamped lines.
 */
#include "formats/syslog_header.h"

#include "tcheck.h"

/* 2005-08-14T10:00:00Z, a reference time in August. */
#define REF_AUGUST 1124013600

static struct tz utc;

static struct format_opts
opts_year(int year)
{
    struct format_opts o = { .tz = &utc, .year = year, .year_given = true,
                             .ref_time = REF_AUGUST };
    return o;
}

static struct format_opts
opts_ref(void)
{
    struct format_opts o = { .tz = &utc, .ref_time = REF_AUGUST };
    return o;
}

static enum syslog_header_kind
parse(struct syslog_header_state *st, const char *line,
      struct syslog_header *h)
{
    return syslog_header_parse(st, sv_cstr(line), h);
}

static void
bsd_with_host_and_pid(void)
{
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    CHECK_INT(parse(&st, "Feb 21 21:54:44 localhost sshd[3402]: Hello",
                    &h), SYSLOG_HEADER_STAMPED);
    CHECK_INT(h.time.sec, civil_to_epoch(2024, 2, 21, 21, 54, 44));
    CHECK_SV(h.host, "localhost");
    CHECK_SV(h.program, "sshd");
    CHECK_INT(h.pid, 3402);
    CHECK_SV(h.message, "Hello");
}

static void
bsd_single_digit_day(void)
{
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    CHECK_INT(parse(&st, "Jul  3 14:59:17 host sshd-session[1571]: m", &h),
              SYSLOG_HEADER_STAMPED);
    CHECK_INT(h.time.sec, civil_to_epoch(2024, 7, 3, 14, 59, 17));
    CHECK_SV(h.program, "sshd-session");
    CHECK_INT(parse(&st, "Feb 7 16:01:07 linux-m899 sshd[5106]: m", &h),
              SYSLOG_HEADER_STAMPED);
    CHECK_SV(h.host, "linux-m899");
}

static void
bsd_without_host(void)
{
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    CHECK_INT(parse(&st, "Nov 23 21:50:19 sshd[8148]: Disconnecting", &h),
              SYSLOG_HEADER_STAMPED);
    CHECK_SV(h.host, NULL);
    CHECK_SV(h.program, "sshd");
    CHECK_INT(h.pid, 8148);
    CHECK_SV(h.message, "Disconnecting");
}

static void
bsd_program_without_pid(void)
{
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    parse(&st, "Feb 21 23:35:33 localhost sudo: vagrant : TTY=pts/0", &h);
    CHECK_SV(h.program, "sudo");
    CHECK_INT(h.pid, -1);
    CHECK_SV(h.message, "vagrant : TTY=pts/0");
}

static void
year_given_rolls_over(void)
{
    struct format_opts o = opts_year(2023);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    parse(&st, "Dec 31 23:59:59 h sshd[1]: a", &h);
    CHECK_INT(h.time.sec, civil_to_epoch(2023, 12, 31, 23, 59, 59));
    parse(&st, "Jan  1 00:00:01 h sshd[1]: b", &h);
    CHECK_INT(h.time.sec, civil_to_epoch(2024, 1, 1, 0, 0, 1));
    /* A small step back stays in the same year. */
    parse(&st, "Jan  1 00:00:00 h sshd[1]: c", &h);
    CHECK_INT(h.time.sec, civil_to_epoch(2024, 1, 1, 0, 0, 0));
}

/* Days past the month's end are rejected, as in RFC 3339 stamps. */
static void
bsd_impossible_dates_rejected(void)
{
    static const char *const lines[] = {
        "Feb 30 09:14:21 web01 sshd[4]: Accepted",
        "Apr 31 09:14:21 web01 sshd[4]: Accepted",
        "Jun 31 09:14:21 web01 sshd[4]: Accepted",
        "Sep 31 09:14:21 web01 sshd[4]: Accepted",
        "Nov 31 09:14:21 web01 sshd[4]: Accepted",
        "Jan 32 09:14:21 web01 sshd[4]: Accepted",
        "Feb 30 9:14:21 web01 sshd[4]: Accepted",
        "<13>Apr 31 09:14:21 web01 sshd[4]: Accepted",
    };
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        CHECK_INT(parse(&st, lines[i], &h), SYSLOG_HEADER_NONE);
    }
    CHECK_INT(parse(&st, "Feb 29 09:14:21 web01 sshd[4]: Accepted", &h),
              SYSLOG_HEADER_STAMPED);
    CHECK_INT(h.time.sec, civil_to_epoch(2024, 2, 29, 9, 14, 21));
    CHECK_INT(parse(&st, "Apr 30 09:14:21 web01 sshd[4]: Accepted", &h),
              SYSLOG_HEADER_STAMPED);
    CHECK_INT(h.time.sec, civil_to_epoch(2024, 4, 30, 9, 14, 21));
}

/* Feb 29 is checked in the year the year rule picks. */
static void
bsd_leap_day_after_year_rule(void)
{
    struct format_opts o = opts_year(2023);
    struct format_opts r = opts_ref();
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    CHECK_INT(parse(&st, "Feb 29 09:14:21 h sshd[4]: in 2023", &h),
              SYSLOG_HEADER_NONE);
    CHECK_INT(parse(&st, "Dec 31 09:14:21 h sshd[4]: in 2023", &h),
              SYSLOG_HEADER_STAMPED);
    CHECK_INT(parse(&st, "Feb 29 09:14:21 h sshd[4]: in 2024", &h),
              SYSLOG_HEADER_STAMPED);
    CHECK_INT(h.time.sec, civil_to_epoch(2024, 2, 29, 9, 14, 21));

    /* A rejected stamp leaves the year rule as it was: December after it
     * is still in 2022, not in the year February would have started. */
    o = opts_year(2022);
    syslog_header_init(&st, &o);
    CHECK_INT(parse(&st, "Dec 30 09:14:21 h sshd[4]: in 2022", &h),
              SYSLOG_HEADER_STAMPED);
    CHECK_INT(parse(&st, "Feb 29 09:14:21 h sshd[4]: in 2023", &h),
              SYSLOG_HEADER_NONE);
    CHECK_INT(parse(&st, "Dec 31 09:14:21 h sshd[4]: in 2022", &h),
              SYSLOG_HEADER_STAMPED);
    CHECK_INT(h.time.sec, civil_to_epoch(2022, 12, 31, 9, 14, 21));

    /* ref_time is in August 2005, a common year. */
    syslog_header_init(&st, &r);
    CHECK_INT(parse(&st, "Feb 29 09:14:21 h sshd[4]: in 2005", &h),
              SYSLOG_HEADER_NONE);
}

static void
year_from_ref_time(void)
{
    /* ref_time 2024-01-05: December belongs to 2023, January to 2024. */
    struct format_opts o = opts_ref();
    struct syslog_header_state st;
    struct syslog_header h;

    o.ref_time = civil_to_epoch(2024, 1, 5, 12, 0, 0);
    syslog_header_init(&st, &o);
    parse(&st, "Dec 31 23:59:59 h sshd[1]: a", &h);
    CHECK_INT(h.time.sec, civil_to_epoch(2023, 12, 31, 23, 59, 59));
    parse(&st, "Jan  1 00:00:01 h sshd[1]: b", &h);
    CHECK_INT(h.time.sec, civil_to_epoch(2024, 1, 1, 0, 0, 1));
}

static void
bsd_read_in_zone(void)
{
    struct tz plus2 = { .offset_sec = 7200 };
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    o.tz = &plus2;
    syslog_header_init(&st, &o);
    parse(&st, "Mar  1 12:00:00 h sshd[1]: a", &h);
    CHECK_INT(h.time.sec, civil_to_epoch(2024, 3, 1, 10, 0, 0));
}

static void
rfc3339_high_precision(void)
{
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    CHECK_INT(parse(&st, "2015-04-16T18:02:50.321974+00:00 host sshd[2716]: "
                    "Connection closed", &h), SYSLOG_HEADER_STAMPED);
    CHECK_INT(h.time.sec, civil_to_epoch(2015, 4, 16, 18, 2, 50));
    CHECK_INT(h.time.nsec, 321974000);
    CHECK_INT(h.time.digits, 6);
    CHECK_SV(h.host, "host");
    CHECK_INT(h.pid, 2716);
    CHECK_SV(h.message, "Connection closed");
}

static void
iso_without_zone(void)
{
    struct tz minus5 = { .offset_sec = -5 * 3600 };
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    o.tz = &minus5;
    syslog_header_init(&st, &o);
    parse(&st, "2019-06-14T10:40:20.912134 localhost sudo: x", &h);
    CHECK_INT(h.time.sec, civil_to_epoch(2019, 6, 14, 15, 40, 20));
    CHECK_SV(h.program, "sudo");
}

static void
macos_two_spaces(void)
{
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    CHECK_INT(parse(&st, "2020-03-24 08:38:44.727732-0700  localhost "
                    "sshd[2519]: Accepted", &h), SYSLOG_HEADER_STAMPED);
    CHECK_INT(h.time.sec, civil_to_epoch(2020, 3, 24, 15, 38, 44));
    CHECK_SV(h.host, "localhost");
    CHECK_INT(h.pid, 2519);
    CHECK_SV(h.message, "Accepted");
}

static void
pri_before_bsd_and_iso(void)
{
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    CHECK_INT(parse(&st, "<38>Feb 21 21:54:44 h sshd[1]: m", &h),
              SYSLOG_HEADER_STAMPED);
    CHECK_SV(h.host, "h");
    CHECK_INT(parse(&st, "<166>2022-11-04T15:01:58.230Z ESXI sshd[9]: m",
                    &h), SYSLOG_HEADER_STAMPED);
    CHECK_SV(h.host, "ESXI");
    CHECK_INT(h.time.sec, civil_to_epoch(2022, 11, 4, 15, 1, 58));
}

static void
rfc5424_without_sd(void)
{
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    CHECK_INT(parse(&st, "<38>1 2019-07-08T17:40:16.954167-04:00 "
                    "hostname.example.com sshd 57915 - - Failed x", &h),
              SYSLOG_HEADER_STAMPED);
    CHECK_INT(h.time.sec, civil_to_epoch(2019, 7, 8, 21, 40, 16));
    CHECK_SV(h.host, "hostname.example.com");
    CHECK_SV(h.program, "sshd");
    CHECK_INT(h.pid, 57915);
    CHECK_SV(h.sd, NULL);
    CHECK_SV(h.message, "Failed x");
}

static void
rfc5424_sd_escaped_brackets(void)
{
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    parse(&st, "<38>1 2019-07-08T17:40:17Z h sshd 5 - [a x=\"[b]\"]"
          "[c@1 y=\"q\\]\\\" ]\"] msg here", &h);
    CHECK_SV(h.sd, "[a x=\"[b]\"][c@1 y=\"q\\]\\\" ]\"]");
    CHECK_SV(h.message, "msg here");
}

static void
rfc5424_nilvalues_and_bom(void)
{
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    CHECK_INT(parse(&st, "<38>1 - - - - - - \xEF\xBB\xBFhello", &h),
              SYSLOG_HEADER_UNSTAMPED);
    CHECK_SV(h.host, NULL);
    CHECK_SV(h.program, NULL);
    CHECK_INT(h.pid, -1);
    CHECK_SV(h.message, "hello");
    CHECK_INT(h.time.sec, REF_AUGUST);
}

static void
journal_short_takes_last_time(void)
{
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    CHECK_INT(parse(&st, "srv sshd[1558]: Accepted", &h),
              SYSLOG_HEADER_UNSTAMPED);
    CHECK_SV(h.host, "srv");
    CHECK_SV(h.program, "sshd");
    CHECK_INT(h.pid, 1558);
    CHECK_INT(h.time.sec, REF_AUGUST);
    CHECK_INT(h.time.digits, 0);

    parse(&st, "2015-04-16T18:02:50.5Z host sshd[2716]: a", &h);
    CHECK_INT(parse(&st, "sshd[7]: b", &h), SYSLOG_HEADER_UNSTAMPED);
    CHECK_SV(h.host, NULL);
    CHECK_INT(h.time.sec, civil_to_epoch(2015, 4, 16, 18, 2, 50));
    CHECK_INT(h.time.nsec, 500000000);
}

static void
no_header_is_message(void)
{
    struct format_opts o = opts_year(2024);
    struct syslog_header_state st;
    struct syslog_header h;

    syslog_header_init(&st, &o);
    CHECK_INT(parse(&st, "error: maximum authentication attempts", &h),
              SYSLOG_HEADER_NONE);
    CHECK_SV(h.message, "error: maximum authentication attempts");
    CHECK_INT(parse(&st, "Accepted password for a from b port 1 ssh2", &h),
              SYSLOG_HEADER_NONE);
    CHECK_SV(h.program, NULL);
}

int
main(void)
{
    TEST_RUN("syslog_header", bsd_with_host_and_pid);
    TEST_RUN("syslog_header", bsd_single_digit_day);
    TEST_RUN("syslog_header", bsd_without_host);
    TEST_RUN("syslog_header", bsd_program_without_pid);
    TEST_RUN("syslog_header", year_given_rolls_over);
    TEST_RUN("syslog_header", bsd_impossible_dates_rejected);
    TEST_RUN("syslog_header", bsd_leap_day_after_year_rule);
    TEST_RUN("syslog_header", year_from_ref_time);
    TEST_RUN("syslog_header", bsd_read_in_zone);
    TEST_RUN("syslog_header", rfc3339_high_precision);
    TEST_RUN("syslog_header", iso_without_zone);
    TEST_RUN("syslog_header", macos_two_spaces);
    TEST_RUN("syslog_header", pri_before_bsd_and_iso);
    TEST_RUN("syslog_header", rfc5424_without_sd);
    TEST_RUN("syslog_header", rfc5424_sd_escaped_brackets);
    TEST_RUN("syslog_header", rfc5424_nilvalues_and_bom);
    TEST_RUN("syslog_header", journal_short_takes_last_time);
    TEST_RUN("syslog_header", no_header_is_message);
    TEST_EXIT();
}
