/*
 * Time zones for the configuration's `timezone` key: UTC, a fixed offset,
 * or an IANA name read from its TZif file under /usr/share/zoneinfo.
 *
 * Unlike the input time zone (core/timeconv.h), which goes through the C
 * library's process-wide TZ, a zone here is a value: the transitions are
 * read into the structure, so the configuration can use another zone than
 * the inputs without touching the environment.
 */
#ifndef SSHTRAIL_TZFILE_H
#define SSHTRAIL_TZFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Transitions and local time types kept per zone; larger files fail. */
#define TZFILE_MAX_TRANSITIONS 2048u
#define TZFILE_MAX_TYPES       256u

struct tzfile_zone {
    int32_t fixed_offset; /* seconds east of UTC, no transitions */
    uint32_t ntrans;
    uint32_t ntypes;
    int64_t trans_time[TZFILE_MAX_TRANSITIONS];
    uint8_t trans_type[TZFILE_MAX_TRANSITIONS];
    int32_t type_offset[TZFILE_MAX_TYPES];
};

/* A local date and time; wday is 0 for Monday to 6 for Sunday. */
struct tzfile_civil {
    int year, month, day;
    int wday;
    int minute_of_day;
};

/*
 * Loads spec ("UTC", "Z", "+HH:MM", "-HHMM" or an IANA name such as
 * Europe/Berlin) into z.  Returns 0, or -1 with a message in err.
 */
int tzfile_load(struct tzfile_zone *z, const char *spec, char *err, size_t n);

/* Returns the offset east of UTC in seconds in force at epoch second t. */
int32_t tzfile_offset(const struct tzfile_zone *z, int64_t t);

/* Converts epoch second t to the local date and time of z. */
void tzfile_civil(const struct tzfile_zone *z, int64_t t,
                  struct tzfile_civil *out);

#endif
