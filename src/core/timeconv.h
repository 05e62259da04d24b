/*
 * Calendar arithmetic and time stamp parsing shared by the format parsers.
 *
 * Conversions are pure functions of their arguments: no parser reads the
 * clock.  A named time zone is applied through the C library's TZ handling,
 * which tz_init sets once for the whole process before any input is read.
 */
#ifndef SSHTRAIL_TIMECONV_H
#define SSHTRAIL_TIMECONV_H

#include <stdbool.h>
#include <stdint.h>

#include "core/sv.h"
#include "event/event.h"

/* Time zone applied to stamps that carry none. */
struct tz {
    bool is_named;          /* an IANA zone name applied through TZ */
    int32_t offset_sec;     /* fixed offset east of UTC when !is_named */
    char name[64];
};

/*
 * Parses "UTC", "Z", "+HH:MM", "-HHMM" or an IANA zone name that exists
 * under the system zone database.  For a named zone it sets TZ for the
 * process.  Returns 0, or -1 with a message in err (size errlen).
 */
int tz_init(struct tz *tz, const char *spec, char *err, size_t errlen);

/*
 * Converts a civil date and time in zone tz to seconds since the epoch.
 * month is 1 to 12.
 */
int64_t tz_to_epoch(const struct tz *tz, int year, int month, int day,
                    int hour, int minute, int second);

/* Converts a civil UTC date and time to seconds since the epoch. */
int64_t civil_to_epoch(int year, int month, int day, int hour, int minute,
                       int second);

/* Splits seconds since the epoch into a civil UTC date and time. */
void epoch_to_civil(int64_t t, int *year, int *month, int *day, int *hour,
                    int *minute, int *second);

/* Returns 1 to 12 for "Jan".."Dec" (case-sensitive), or 0. */
int month_from_abbrev(struct sv s);

/*
 * Returns the number of days in month (1 to 12) of year in the proleptic
 * Gregorian calendar, 29 for February of a leap year.
 */
int time_days_in_month(int year, int month);

/*
 * Parses an RFC 3339 / ISO 8601 stamp at the start of s:
 * "2024-01-02T03:04:05[.ffffff][Z|+HH:MM|+HHMM]", also with a space in
 * place of the T.  A stamp with no zone is read in tz.  Returns the number
 * of bytes consumed, or 0 when s does not start with such a stamp.
 */
size_t time_parse_iso(struct sv s, const struct tz *tz, struct event_time *out);

/*
 * Writes t as RFC 3339 in UTC ("2024-01-02T03:04:05.123456Z"), with as many
 * fraction digits as t->digits.  buf must hold 40 bytes.  Returns the length.
 */
size_t time_format(const struct event_time *t, char *buf);

/*
 * Parses a duration such as "90s", "5m", "1h", "250ms" or a bare number of
 * seconds into milliseconds.  Returns false when s is not a duration.
 */
bool duration_parse(const char *s, int64_t *out_ms);

#endif
