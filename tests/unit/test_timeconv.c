/*
 * Unit tests for calendar arithmetic, RFC 3339 stamp parsing and output,
 * time zone setup and duration parsing.  The named-zone cases need the
 * tzdata files and print a SKIP line when Europe/Berlin is missing.
 */
#include "core/timeconv.h"

#include <time.h>
#include <unistd.h>

#include "tcheck.h"

#define BERLIN_FILE "/usr/share/zoneinfo/Europe/Berlin"

static struct tz utc;

static void
civil_known_values(void)
{
    CHECK_INT(civil_to_epoch(1970, 1, 1, 0, 0, 0), 0);
    CHECK_INT(civil_to_epoch(1969, 12, 31, 23, 59, 59), -1);
    CHECK_INT(civil_to_epoch(2000, 3, 1, 0, 0, 0), 951868800);
    CHECK_INT(civil_to_epoch(2024, 2, 29, 0, 0, 0), 1709164800);
    CHECK_INT(civil_to_epoch(1900, 1, 1, 0, 0, 0), -2208988800LL);
    CHECK_INT(civil_to_epoch(2038, 1, 19, 3, 14, 8), 2147483648LL);
    CHECK_INT(civil_to_epoch(1600, 3, 1, 0, 0, 0), -11670912000LL);
}

/* Walks every day from 1600 to 2400 at a varying time of day. */
static void
civil_round_trip_every_day(void)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31 };
    int64_t prev = civil_to_epoch(1599, 12, 31, 0, 0, 0);
    int bad = 0;

    for (int y = 1600; y <= 2400 && bad < 5; y++) {
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (int m = 1; m <= 12; m++) {
            int last = mdays[m - 1] + (m == 2 && leap);
            for (int d = 1; d <= last; d++) {
                int h = (y + d) % 24, mi = (m * d) % 60, s = (y * m) % 60;
                int64_t midnight = civil_to_epoch(y, m, d, 0, 0, 0);
                int64_t t = civil_to_epoch(y, m, d, h, mi, s);
                int yy, mm, dd, hh, mmi, ss;

                epoch_to_civil(t, &yy, &mm, &dd, &hh, &mmi, &ss);
                if (midnight - prev != 86400 || yy != y || mm != m ||
                    dd != d || hh != h || mmi != mi || ss != s) {
                    printf("  round trip failed at %04d-%02d-%02d\n", y, m,
                           d);
                    bad++;
                }
                prev = midnight;
            }
        }
    }
    CHECK_INT(bad, 0);
}

static void
civil_matches_timegm(void)
{
    int bad = 0;

    for (int64_t t = -2208988800LL; t < 4102444800LL && bad < 5;
         t += 86400 * 37 + 3671) {
        struct tm tm;
        time_t tt = (time_t)t;
        gmtime_r(&tt, &tm);
        int64_t back = civil_to_epoch(tm.tm_year + 1900, tm.tm_mon + 1,
                                      tm.tm_mday, tm.tm_hour, tm.tm_min,
                                      tm.tm_sec);
        if (back != t) {
            printf("  civil_to_epoch differs from gmtime at %lld\n",
                   (long long)t);
            bad++;
        }
    }
    CHECK_INT(bad, 0);
}

static void
epoch_before_1970(void)
{
    int y, m, d, h, mi, s;

    epoch_to_civil(-1, &y, &m, &d, &h, &mi, &s);
    CHECK_INT(y, 1969);
    CHECK_INT(m, 12);
    CHECK_INT(d, 31);
    CHECK_INT(h, 23);
    CHECK_INT(mi, 59);
    CHECK_INT(s, 59);
    epoch_to_civil(-86400, &y, &m, &d, &h, &mi, &s);
    CHECK_INT(y, 1969);
    CHECK_INT(m, 12);
    CHECK_INT(d, 31);
    CHECK_INT(h, 0);
    epoch_to_civil(-2203891200LL, &y, &m, &d, &h, &mi, &s);
    CHECK_INT(y, 1900);
    CHECK_INT(m, 3);
    CHECK_INT(d, 1);
}

static void
month_abbreviations(void)
{
    CHECK_INT(month_from_abbrev(SV_LIT("Jan")), 1);
    CHECK_INT(month_from_abbrev(SV_LIT("Dec")), 12);
    CHECK_INT(month_from_abbrev(SV_LIT("Sep 1")), 9);
    CHECK_INT(month_from_abbrev(SV_LIT("jan")), 0);
    CHECK_INT(month_from_abbrev(SV_LIT("Ja")), 0);
    CHECK_INT(month_from_abbrev(SV_LIT("")), 0);
}

/* Parses s in zone tz and returns the bytes used; *t gets the time. */
static size_t
parse(const char *s, const struct tz *tz, struct event_time *t)
{
    memset(t, 0x55, sizeof(*t));
    return time_parse_iso(sv_cstr(s), tz, t);
}

static void
iso_zone_forms(void)
{
    int64_t base = civil_to_epoch(2024, 1, 2, 3, 4, 5);
    struct event_time t;

    CHECK_INT(parse("2024-01-02T03:04:05Z", &utc, &t), 20);
    CHECK_INT(t.sec, base);
    CHECK_INT(t.nsec, 0);
    CHECK_INT(t.digits, 0);
    CHECK_INT(parse("2024-01-02T03:04:05z rest", &utc, &t), 20);
    CHECK_INT(t.sec, base);
    CHECK_INT(parse("2024-01-02T03:04:05+05:30", &utc, &t), 25);
    CHECK_INT(t.sec, base - 19800);
    CHECK_INT(parse("2024-01-02T03:04:05+0530", &utc, &t), 24);
    CHECK_INT(t.sec, base - 19800);
    CHECK_INT(parse("2024-01-02T03:04:05-0700", &utc, &t), 24);
    CHECK_INT(t.sec, base + 25200);
    CHECK_INT(parse("2024-01-02T03:04:05-07:00 host", &utc, &t), 25);
    CHECK_INT(t.sec, base + 25200);
    CHECK_INT(parse("2024-01-02T03:04:05+00:00", &utc, &t), 25);
    CHECK_INT(t.sec, base);
    CHECK_INT(parse("2024-01-02 03:04:05Z", &utc, &t), 20);
    CHECK_INT(t.sec, base);
}

static void
iso_no_zone_uses_tz(void)
{
    int64_t base = civil_to_epoch(2024, 1, 2, 3, 4, 5);
    struct event_time t;
    struct tz plus1;
    char err[256];

    CHECK_INT(parse("2024-01-02T03:04:05", &utc, &t), 19);
    CHECK_INT(t.sec, base);
    CHECK_INT(parse("2024-01-02T03:04:05 host sshd", &utc, &t), 19);
    CHECK_INT(t.sec, base);
    CHECK_INT(tz_init(&plus1, "+01:00", err, sizeof(err)), 0);
    CHECK_INT(parse("2024-01-02T03:04:05", &plus1, &t), 19);
    CHECK_INT(t.sec, base - 3600);
    /* An explicit zone wins over the default one. */
    CHECK_INT(parse("2024-01-02T03:04:05Z", &plus1, &t), 20);
    CHECK_INT(t.sec, base);
}

static void
iso_fraction_digits(void)
{
    static const struct {
        const char *stamp;
        size_t used;
        int32_t nsec;
        int digits;
    } cases[] = {
        { "2024-01-02T03:04:05.1Z", 22, 100000000, 1 },
        { "2024-01-02T03:04:05.12Z", 23, 120000000, 2 },
        { "2024-01-02T03:04:05.123Z", 24, 123000000, 3 },
        { "2024-01-02T03:04:05.1234Z", 25, 123400000, 4 },
        { "2024-01-02T03:04:05.12345Z", 26, 123450000, 5 },
        { "2024-01-02T03:04:05.123456Z", 27, 123456000, 6 },
        { "2024-01-02T03:04:05.1234567Z", 28, 123456700, 7 },
        { "2024-01-02T03:04:05.12345678Z", 29, 123456780, 8 },
        { "2024-01-02T03:04:05.123456789Z", 30, 123456789, 9 },
        { "2024-01-02T03:04:05.123456789987654Z", 36, 123456789, 9 },
        { "2024-01-02T03:04:05.000000001Z", 30, 1, 9 },
        { "2024-01-02T03:04:05,5Z", 22, 500000000, 1 },
        { "2024-01-02T03:04:05.999+01:00", 29, 999000000, 3 },
        /* A dot without digits is not a fraction and is not consumed. */
        { "2024-01-02T03:04:05.Z", 19, 0, 0 },
    };
    int64_t base = civil_to_epoch(2024, 1, 2, 3, 4, 5);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct event_time t;
        size_t used = parse(cases[i].stamp, &utc, &t);
        int64_t expected_sec = base;

        if (strstr(cases[i].stamp, "+01:00") != NULL) {
            expected_sec -= 3600;
        }
        if (used != cases[i].used || t.nsec != cases[i].nsec ||
            t.digits != cases[i].digits || t.sec != expected_sec) {
            printf("  %s: used %zu nsec %d digits %d sec %lld\n",
                   cases[i].stamp, used, (int)t.nsec, (int)t.digits,
                   (long long)t.sec);
            tcheck_failed_checks++;
        }
    }
}

static void
iso_invalid_dates(void)
{
    static const char *const bad[] = {
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-00-10T00:00:00Z",
        "2024-01-00T00:00:00Z",
        "2024-01-02T24:00:00Z",
        "2024-01-02T23:60:00Z",
        "2024-01-02T23:59:61Z",
        "2024-01-02X03:04:05Z",
        "2024-01-02T03:04",
        "2024-01-02T03:04:5",
        "2024-1-02T03:04:05Z",
        "24-01-02T03:04:05Z",
        "2024-01-02T03-04-05Z",
        "Jan  2 03:04:05",
        "",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct event_time t;
        if (parse(bad[i], &utc, &t) != 0) {
            printf("  accepted invalid stamp \"%s\"\n", bad[i]);
            tcheck_failed_checks++;
        }
    }
}

static void
iso_valid_edge_dates(void)
{
    struct event_time t;

    CHECK_INT(parse("2024-02-29T23:59:59Z", &utc, &t), 20);
    CHECK_INT(t.sec, civil_to_epoch(2024, 2, 29, 23, 59, 59));
    CHECK_INT(parse("2000-02-29T00:00:00Z", &utc, &t), 20);
    CHECK_INT(t.sec, civil_to_epoch(2000, 2, 29, 0, 0, 0));
    CHECK_INT(parse("1969-12-31T23:59:59Z", &utc, &t), 20);
    CHECK_INT(t.sec, -1);
    /* A leap second folds into the next second. */
    CHECK_INT(parse("2016-12-31T23:59:60Z", &utc, &t), 20);
    CHECK_INT(t.sec, civil_to_epoch(2017, 1, 1, 0, 0, 0));
}

static void
format_digits(void)
{
    char out[40];
    struct event_time t = { civil_to_epoch(2024, 1, 2, 3, 4, 5), 123456789,
                            0 };

    CHECK_INT(time_format(&t, out), 20);
    CHECK_STR(out, "2024-01-02T03:04:05Z");
    t.digits = 1;
    time_format(&t, out);
    CHECK_STR(out, "2024-01-02T03:04:05.1Z");
    t.digits = 3;
    time_format(&t, out);
    CHECK_STR(out, "2024-01-02T03:04:05.123Z");
    t.digits = 6;
    CHECK_INT(time_format(&t, out), 27);
    CHECK_STR(out, "2024-01-02T03:04:05.123456Z");
    t.digits = 9;
    time_format(&t, out);
    CHECK_STR(out, "2024-01-02T03:04:05.123456789Z");
    t.nsec = 5000;
    time_format(&t, out);
    CHECK_STR(out, "2024-01-02T03:04:05.000005000Z");

    struct event_time before = { -1, 500000000, 3 };
    time_format(&before, out);
    CHECK_STR(out, "1969-12-31T23:59:59.500Z");
}

/* Parsing a formatted stamp gives back the same time and precision. */
static void
format_parse_round_trip(void)
{
    int bad = 0;

    for (int digits = 0; digits <= 9; digits++) {
        for (int64_t sec = -400000000LL; sec < 4000000000LL;
             sec += 123456789) {
            struct event_time t = { sec, 0, (int8_t)digits }, back;
            int32_t nsec = 987654321;
            char out[40];

            /* Keep only as many fraction digits as the stamp shows. */
            for (int k = digits; k < 9; k++) {
                nsec /= 10;
            }
            for (int k = digits; k < 9; k++) {
                nsec *= 10;
            }
            t.nsec = digits ? nsec : 0;
            size_t n = time_format(&t, out);
            if (time_parse_iso(sv_make(out, n), &utc, &back) != n ||
                back.sec != t.sec || back.nsec != t.nsec ||
                back.digits != t.digits) {
                printf("  round trip failed for %s\n", out);
                bad++;
            }
        }
    }
    CHECK_INT(bad, 0);
}

static void
tz_fixed_offsets(void)
{
    struct tz tz;
    char err[256];

    CHECK_INT(tz_init(&tz, "UTC", err, sizeof(err)), 0);
    CHECK(!tz.is_named);
    CHECK_INT(tz.offset_sec, 0);
    CHECK_INT(tz_init(&tz, "Z", err, sizeof(err)), 0);
    CHECK_INT(tz.offset_sec, 0);
    CHECK_INT(tz_init(&tz, "+05:30", err, sizeof(err)), 0);
    CHECK(!tz.is_named);
    CHECK_INT(tz.offset_sec, 19800);
    CHECK_INT(tz_init(&tz, "-0800", err, sizeof(err)), 0);
    CHECK_INT(tz.offset_sec, -28800);
    CHECK_INT(tz_init(&tz, "+00:00", err, sizeof(err)), 0);
    CHECK_INT(tz.offset_sec, 0);
    CHECK_INT(tz_to_epoch(&tz, 2024, 1, 2, 3, 4, 5),
              civil_to_epoch(2024, 1, 2, 3, 4, 5));
    CHECK_INT(tz_init(&tz, "-08:00", err, sizeof(err)), 0);
    CHECK_INT(tz_to_epoch(&tz, 2024, 1, 2, 3, 4, 5),
              civil_to_epoch(2024, 1, 2, 11, 4, 5));
}

static void
tz_invalid_names(void)
{
    static const char *const bad[] = {
        "Mars/Base", "../etc", "../../etc/passwd", "/etc/passwd",
        "Europe/../../../etc/passwd", "+25:00", "+05:60", "+05:30x",
        "Europe/Berlin/", "UTC+1 ",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tz tz;
        char err[256] = "";
        int rc = tz_init(&tz, bad[i], err, sizeof(err));

        if (rc != -1 || err[0] == '\0') {
            printf("  tz_init accepted \"%s\" (rc %d)\n", bad[i], rc);
            tcheck_failed_checks++;
        }
    }
}

/* A signed value is an offset: the message names the offset's range, not
 * the zone database. */
static void
tz_bad_offset_message(void)
{
    static const char *const bad[] = { "+25:00", "+05:60", "-24", "+05:30x",
                                       "+1" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tz tz;
        char err[256] = "";

        CHECK_INT(tz_init(&tz, bad[i], err, sizeof(err)), -1);
        CHECK(strstr(err, "invalid UTC offset") != NULL);
        CHECK(strstr(err, bad[i]) != NULL);
        CHECK(strstr(err, "zoneinfo") == NULL);
    }
}

/* A folder of the zone database is not a zone, and neither is "". */
static void
tz_rejects_zone_folders(void)
{
    static const char *const bad[] = { "", "Europe", ".", "America/" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tz tz;
        char err[256] = "";
        int rc = tz_init(&tz, bad[i], err, sizeof(err));

        if (rc != -1 || err[0] == '\0') {
            printf("  tz_init accepted \"%s\" (rc %d)\n", bad[i], rc);
            tcheck_failed_checks++;
        }
    }
}

static bool
have_berlin(const char *test)
{
    if (access(BERLIN_FILE, R_OK) != 0) {
        printf("SKIP timeconv/%s: %s is missing (install tzdata)\n", test,
               BERLIN_FILE);
        return false;
    }
    return true;
}

static void
tz_berlin_across_dst(void)
{
    struct tz tz;
    char err[256];

    CHECK_INT(tz_init(&tz, "Europe/Berlin", err, sizeof(err)), 0);
    CHECK(tz.is_named);
    CHECK_STR(tz.name, "Europe/Berlin");
    CHECK_INT(tz_to_epoch(&tz, 2024, 1, 15, 12, 0, 0),
              civil_to_epoch(2024, 1, 15, 11, 0, 0));
    CHECK_INT(tz_to_epoch(&tz, 2024, 7, 15, 12, 0, 0),
              civil_to_epoch(2024, 7, 15, 10, 0, 0));

    /* Spring: clocks go from 02:00 CET to 03:00 CEST on 31 March. */
    CHECK_INT(tz_to_epoch(&tz, 2024, 3, 31, 1, 59, 59),
              civil_to_epoch(2024, 3, 31, 0, 59, 59));
    CHECK_INT(tz_to_epoch(&tz, 2024, 3, 31, 3, 0, 0),
              civil_to_epoch(2024, 3, 31, 1, 0, 0));

    /* Autumn: clocks go from 03:00 CEST back to 02:00 CET on 27 October. */
    CHECK_INT(tz_to_epoch(&tz, 2024, 10, 27, 1, 30, 0),
              civil_to_epoch(2024, 10, 26, 23, 30, 0));
    CHECK_INT(tz_to_epoch(&tz, 2024, 10, 27, 3, 30, 0),
              civil_to_epoch(2024, 10, 27, 2, 30, 0));
    int64_t twice = tz_to_epoch(&tz, 2024, 10, 27, 2, 30, 0);
    CHECK(twice == civil_to_epoch(2024, 10, 27, 0, 30, 0) ||
          twice == civil_to_epoch(2024, 10, 27, 1, 30, 0));

    /* Before 1970 the zone still applies (CET, no DST in 1960). */
    CHECK_INT(tz_to_epoch(&tz, 1960, 6, 1, 12, 0, 0),
              civil_to_epoch(1960, 6, 1, 11, 0, 0));

    struct event_time t;
    CHECK_INT(parse("2024-07-15 12:00:00 host", &tz, &t), 19);
    CHECK_INT(t.sec, civil_to_epoch(2024, 7, 15, 10, 0, 0));
    CHECK_INT(parse("2024-07-15T12:00:00Z", &tz, &t), 20);
    CHECK_INT(t.sec, civil_to_epoch(2024, 7, 15, 12, 0, 0));
}

static void
duration_forms(void)
{
    static const struct {
        const char *text;
        int64_t ms;
    } good[] = {
        { "90s", 90000 }, { "5m", 300000 }, { "1h", 3600000 },
        { "250ms", 250 }, { "1.5h", 5400000 }, { "2d", 172800000 },
        { "30", 30000 }, { "0", 0 }, { "0.5s", 500 },
    };
    static const char *const bad[] = {
        "", "-5s", "5x", "s", "ms", " 5s", "5s ", "5 s", "5sec", "5S",
        "nan", "nans", "inf", "infinity", "1e300s", "5mm",
    };

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        int64_t ms = -1;
        if (!duration_parse(good[i].text, &ms) || ms != good[i].ms) {
            printf("  duration \"%s\" gave %lld, expected %lld\n",
                   good[i].text, (long long)ms, (long long)good[i].ms);
            tcheck_failed_checks++;
        }
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t ms = -1;
        if (duration_parse(bad[i], &ms)) {
            printf("  duration \"%s\" accepted as %lld ms\n", bad[i],
                   (long long)ms);
            tcheck_failed_checks++;
        }
    }
    CHECK(!duration_parse(NULL, &(int64_t){ 0 }));

    /* An exponent may be read as a plain number, but then exactly. */
    int64_t ms = -1;
    if (duration_parse("1e3", &ms)) {
        CHECK_INT(ms, 1000000);
    }
}

static void
days_in_month_leap_rules(void)
{
    CHECK_INT(time_days_in_month(2024, 1), 31);
    CHECK_INT(time_days_in_month(2024, 2), 29);
    CHECK_INT(time_days_in_month(2023, 2), 28);
    CHECK_INT(time_days_in_month(2000, 2), 29);
    CHECK_INT(time_days_in_month(1900, 2), 28);
    CHECK_INT(time_days_in_month(0, 2), 29);
    CHECK_INT(time_days_in_month(2024, 4), 30);
    CHECK_INT(time_days_in_month(2024, 12), 31);
}

int
main(void)
{
    char err[256];

    if (tz_init(&utc, "UTC", err, sizeof(err)) != 0) {
        printf("FAIL timeconv/setup: %s\n", err);
        return 1;
    }
    TEST_RUN("timeconv", civil_known_values);
    TEST_RUN("timeconv", civil_round_trip_every_day);
    TEST_RUN("timeconv", civil_matches_timegm);
    TEST_RUN("timeconv", epoch_before_1970);
    TEST_RUN("timeconv", month_abbreviations);
    TEST_RUN("timeconv", iso_zone_forms);
    TEST_RUN("timeconv", iso_no_zone_uses_tz);
    TEST_RUN("timeconv", iso_fraction_digits);
    TEST_RUN("timeconv", iso_invalid_dates);
    TEST_RUN("timeconv", iso_valid_edge_dates);
    TEST_RUN("timeconv", format_digits);
    TEST_RUN("timeconv", format_parse_round_trip);
    TEST_RUN("timeconv", tz_fixed_offsets);
    TEST_RUN("timeconv", tz_invalid_names);
    TEST_RUN("timeconv", tz_rejects_zone_folders);
    TEST_RUN("timeconv", tz_bad_offset_message);
    TEST_RUN("timeconv", duration_forms);
    TEST_RUN("timeconv", days_in_month_leap_rules);
    /* Last, because a named zone sets TZ for the whole process. */
    if (have_berlin("tz_berlin_across_dst")) {
        TEST_RUN("timeconv", tz_berlin_across_dst);
    }
    TEST_EXIT();
}
