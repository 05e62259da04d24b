/*
 * Calendar arithmetic in the proleptic Gregorian calendar, time stamp
 * parsing and RFC 3339 output.  The day counting follows the well-known
 * days-from-civil algorithm, so it needs no table and no libc time zone
 * state for UTC.
 */
#define _POSIX_C_SOURCE 200809L
#include "core/timeconv.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t
civil_to_epoch(int year, int month, int day, int hour, int minute, int second)
{
    int64_t days = days_from_civil(year, (unsigned)month, (unsigned)day);
    return days * 86400 + hour * 3600 + minute * 60 + second;
}

void
epoch_to_civil(int64_t t, int *year, int *month, int *day, int *hour,
               int *minute, int *second)
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t rem = t - days * 86400;

    *hour = (int)(rem / 3600);
    *minute = (int)(rem % 3600 / 60);
    *second = (int)(rem % 60);

    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)((int64_t)yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

/* Parses "+HH:MM", "-HHMM", "+HH" into seconds; returns bytes used or 0. */
static size_t
parse_offset(struct sv s, int32_t *out)
{
    if (s.len < 3 || (s.p[0] != '+' && s.p[0] != '-') ||
        !isdigit((unsigned char)s.p[1]) || !isdigit((unsigned char)s.p[2])) {
        return 0;
    }

    int sign = s.p[0] == '-' ? -1 : 1;
    int hours = (s.p[1] - '0') * 10 + (s.p[2] - '0');
    int minutes = 0;
    size_t used = 3;

    if (s.len >= 6 && s.p[3] == ':' && isdigit((unsigned char)s.p[4]) &&
        isdigit((unsigned char)s.p[5])) {
        minutes = (s.p[4] - '0') * 10 + (s.p[5] - '0');
        used = 6;
    } else if (s.len >= 5 && isdigit((unsigned char)s.p[3]) &&
               isdigit((unsigned char)s.p[4])) {
        minutes = (s.p[3] - '0') * 10 + (s.p[4] - '0');
        used = 5;
    }
    if (hours > 23 || minutes > 59) {
        return 0;
    }
    *out = sign * (hours * 3600 + minutes * 60);
    return used;
}

int
tz_init(struct tz *tz, const char *spec, char *err, size_t errlen)
{
    memset(tz, 0, sizeof(*tz));
    if (spec == NULL || strcmp(spec, "UTC") == 0 || strcmp(spec, "Z") == 0) {
        return 0;
    }

    int32_t off;
    size_t n = parse_offset(sv_cstr(spec), &off);
    if (n > 0 && n == strlen(spec)) {
        tz->offset_sec = off;
        return 0;
    }

    /* No zone name starts with a sign, so this is an offset out of range
     * or malformed, not a name to look up. */
    if (spec[0] == '+' || spec[0] == '-') {
        snprintf(err, errlen, "invalid UTC offset '%s' for the time zone: "
                 "expected +HH:MM, +HHMM or +HH (or with -) with hours 00 "
                 "to 23 and minutes 00 to 59", spec);
        return -1;
    }

    /* An IANA name must exist as a file in the zone database. */
    char path[256];
    if (strlen(spec) >= sizeof(tz->name) || strstr(spec, "..") != NULL ||
        spec[0] == '/') {
        snprintf(err, errlen, "invalid time zone '%s': expected UTC, "
                 "+HH:MM or an IANA name such as Europe/Berlin", spec);
        return -1;
    }
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", spec);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        access(path, R_OK) != 0) {
        snprintf(err, errlen, "unknown time zone '%s': not found in "
                 "/usr/share/zoneinfo (install the tzdata package, or use "
                 "an offset such as +01:00)", spec);
        return -1;
    }
    tz->is_named = true;
    memcpy(tz->name, spec, strlen(spec) + 1);
    setenv("TZ", spec, 1);
    tzset();
    return 0;
}

int64_t
tz_to_epoch(const struct tz *tz, int year, int month, int day, int hour,
            int minute, int second)
{
    if (!tz->is_named) {
        return civil_to_epoch(year, month, day, hour, minute, second) -
               tz->offset_sec;
    }

    struct tm tm = { 0 };
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

int
month_from_abbrev(struct sv s)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

    if (s.len < 3) {
        return 0;
    }
    /* Byte by byte: a call to memcmp per month costs more than the test. */
    for (int m = 0; m < 12; m++) {
        const char *name = names + m * 3;
        if (name[0] == s.p[0] && name[1] == s.p[1] && name[2] == s.p[2]) {
            return m + 1;
        }
    }
    return 0;
}

/* Reads exactly n digits at s[*i]; returns -1 when they are not digits. */
static int
read_digits(struct sv s, size_t *i, int n)
{
    int v = 0;

    if (*i + (size_t)n > s.len) {
        return -1;
    }
    for (int k = 0; k < n; k++) {
        unsigned d = (unsigned char)s.p[*i + (size_t)k] - '0';
        if (d > 9) {
            return -1;
        }
        v = v * 10 + (int)d;
    }
    *i += (size_t)n;
    return v;
}

static bool
expect_char(struct sv s, size_t *i, char c)
{
    if (*i < s.len && s.p[*i] == c) {
        (*i)++;
        return true;
    }
    return false;
}

int
time_days_in_month(int year, int month)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30,
                                31, 31, 30, 31, 30, 31 };
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

size_t
time_parse_iso(struct sv s, const struct tz *tz, struct event_time *out)
{
    size_t i = 0;
    int year = read_digits(s, &i, 4);
    if (year < 0 || !expect_char(s, &i, '-')) {
        return 0;
    }
    int month = read_digits(s, &i, 2);
    if (month < 1 || month > 12 || !expect_char(s, &i, '-')) {
        return 0;
    }
    int day = read_digits(s, &i, 2);
    if (day < 1 || day > time_days_in_month(year, month)) {
        return 0;
    }
    if (!expect_char(s, &i, 'T') && !expect_char(s, &i, ' ')) {
        return 0;
    }
    int hour = read_digits(s, &i, 2);
    if (hour < 0 || hour > 23 || !expect_char(s, &i, ':')) {
        return 0;
    }
    int minute = read_digits(s, &i, 2);
    if (minute < 0 || minute > 59 || !expect_char(s, &i, ':')) {
        return 0;
    }
    /* 60 is allowed for a leap second and folds into the next second. */
    int second = read_digits(s, &i, 2);
    if (second < 0 || second > 60) {
        return 0;
    }

    int32_t nsec = 0;
    int digits = 0;
    if (i < s.len && (s.p[i] == '.' || s.p[i] == ',') && i + 1 < s.len &&
        isdigit((unsigned char)s.p[i + 1])) {
        i++;
        while (i < s.len && isdigit((unsigned char)s.p[i])) {
            if (digits < 9) {
                nsec = nsec * 10 + (s.p[i] - '0');
                digits++;
            }
            i++;
        }
        for (int k = digits; k < 9; k++) {
            nsec *= 10;
        }
    }

    int64_t sec;
    int32_t off;
    size_t n;
    if (i < s.len && (s.p[i] == 'Z' || s.p[i] == 'z')) {
        i++;
        sec = civil_to_epoch(year, month, day, hour, minute, second);
    } else if ((n = parse_offset(sv_skip(s, i), &off)) > 0) {
        i += n;
        sec = civil_to_epoch(year, month, day, hour, minute, second) - off;
    } else {
        sec = tz_to_epoch(tz, year, month, day, hour, minute, second);
    }

    out->sec = sec;
    out->nsec = nsec;
    out->digits = (int8_t)digits;
    return i;
}

/* "00" to "99", indexed by twice the number. */
static const char two_digits[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* Writes v (0 to 99) as two digits at p. */
static inline void
put2(char *p, int v)
{
    memcpy(p, two_digits + 2 * v, 2);
}

/* The snprintf form, kept for years outside 0 to 9999 and odd fractions. */
static size_t
format_slow(const struct event_time *t, const int civil[6], char *buf)
{
    int n = snprintf(buf, 40, "%04d-%02d-%02dT%02d:%02d:%02d", civil[0],
                     civil[1], civil[2], civil[3], civil[4], civil[5]);
    if (t->digits > 0) {
        char frac[16];
        snprintf(frac, sizeof(frac), "%09d", (int)t->nsec);
        n += snprintf(buf + n, (size_t)(40 - n), ".%.*s", (int)t->digits,
                      frac);
    }
    buf[n++] = 'Z';
    buf[n] = '\0';
    return (size_t)n;
}

size_t
time_format(const struct event_time *t, char *buf)
{
    int c[6];

    epoch_to_civil(t->sec, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5]);
    if (c[0] < 0 || c[0] > 9999 || t->nsec < 0 || t->nsec > 999999999 ||
        t->digits > 9) {
        return format_slow(t, c, buf);
    }
    put2(buf, c[0] / 100);
    put2(buf + 2, c[0] % 100);
    buf[4] = '-';
    put2(buf + 5, c[1]);
    buf[7] = '-';
    put2(buf + 8, c[2]);
    buf[10] = 'T';
    put2(buf + 11, c[3]);
    buf[13] = ':';
    put2(buf + 14, c[4]);
    buf[16] = ':';
    put2(buf + 17, c[5]);
    size_t n = 19;
    if (t->digits > 0) {
        char frac[10];
        int32_t ns = t->nsec;
        for (int i = 8; i >= 0; i--) {
            frac[i] = (char)('0' + ns % 10);
            ns /= 10;
        }
        buf[n++] = '.';
        memcpy(buf + n, frac, (size_t)t->digits);
        n += (size_t)t->digits;
    }
    buf[n++] = 'Z';
    buf[n] = '\0';
    return n;
}

bool
duration_parse(const char *s, int64_t *out_ms)
{
    char *end;
    double v;

    if (s == NULL || !isdigit((unsigned char)*s)) {
        return false;
    }

    /* Plain decimal only: strtod alone would also take hex, exponents and
     * nan, so the number must end where the digits and dot end. */
    const char *unit = s;
    while (isdigit((unsigned char)*unit) || *unit == '.') {
        unit++;
    }
    v = strtod(s, &end);
    if (end != unit || v > 1e9) {
        return false;
    }

    double scale;
    if (*end == '\0' || strcmp(end, "s") == 0) {
        scale = 1000;
    } else if (strcmp(end, "ms") == 0) {
        scale = 1;
    } else if (strcmp(end, "m") == 0) {
        scale = 60e3;
    } else if (strcmp(end, "h") == 0) {
        scale = 3600e3;
    } else if (strcmp(end, "d") == 0) {
        scale = 86400e3;
    } else {
        return false;
    }
    *out_ms = (int64_t)(v * scale + 0.5);
    return true;
}
