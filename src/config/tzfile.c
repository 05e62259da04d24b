/*
 * TZif reader (RFC 8536) for the configuration's time zone.  Only the
 * transition times and the UTC offset of each local time type are kept:
 * abbreviations, leap seconds and the standard/wall indicators play no part
 * in turning an event time into a local hour and weekday.
 */
#include "config/tzfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeconv.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo"
/* The largest TZif file in tzdata 2024 is under 4 KiB. */
#define TZFILE_MAX_BYTES (256u * 1024u)
#define TZIF_HEADER      44u

struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
};

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

static int64_t
be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static bool
read_header(const unsigned char *p, size_t len, struct tzif_counts *c)
{
    if (len < TZIF_HEADER || memcmp(p, "TZif", 4) != 0) {
        return false;
    }
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    return true;
}

/* Bytes of the data block after a header, for time values of tsize. */
static uint64_t
data_size(const struct tzif_counts *c, unsigned tsize)
{
    return (uint64_t)c->time * tsize + c->time + (uint64_t)c->type * 6 +
           c->chars + (uint64_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

/* Copies transitions and types from a data block with tsize-byte times. */
static int
read_block(struct tzfile_zone *z, const unsigned char *p,
           const struct tzif_counts *c, unsigned tsize)
{
    if (c->time > TZFILE_MAX_TRANSITIONS || c->type == 0 ||
        c->type > TZFILE_MAX_TYPES) {
        return -1;
    }

    const unsigned char *idx = p + (size_t)c->time * tsize;
    const unsigned char *types = idx + c->time;

    for (uint32_t i = 0; i < c->time; i++) {
        const unsigned char *t = p + (size_t)i * tsize;
        z->trans_time[i] = tsize == 8 ? be64(t) : (int32_t)be32(t);
        if (idx[i] >= c->type) {
            return -1;
        }
        z->trans_type[i] = idx[i];
    }
    for (uint32_t i = 0; i < c->type; i++) {
        z->type_offset[i] = (int32_t)be32(types + (size_t)i * 6);
    }
    z->ntrans = c->time;
    z->ntypes = c->type;
    return 0;
}

/* Parses a whole TZif file image; prefers the 64-bit block of version 2+. */
static int
parse_tzif(struct tzfile_zone *z, const unsigned char *p, size_t len)
{
    struct tzif_counts c;

    if (!read_header(p, len, &c)) {
        return -1;
    }
    uint64_t v1 = data_size(&c, 4);
    if (TZIF_HEADER + v1 > len) {
        return -1;
    }
    if (p[4] == '\0') {
        return read_block(z, p + TZIF_HEADER, &c, 4);
    }

    const unsigned char *h2 = p + TZIF_HEADER + v1;
    size_t left = len - TZIF_HEADER - (size_t)v1;
    if (!read_header(h2, left, &c) || TZIF_HEADER + data_size(&c, 8) > left) {
        return -1;
    }
    return read_block(z, h2 + TZIF_HEADER, &c, 8);
}

static int
load_named(struct tzfile_zone *z, const char *name, char *err, size_t n)
{
    char path[320];

    if (name[0] == '/' || strstr(name, "..") != NULL || strlen(name) > 200) {
        snprintf(err, n,
                 "invalid time zone '%s': expected UTC, +HH:MM or "
                 "an IANA name such as Europe/Berlin",
                 name);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/%s", ZONEINFO_DIR, name);

    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, n,
                 "unknown time zone '%s': %s not found (install "
                 "tzdata, or use an offset such as +01:00)",
                 name, path);
        return -1;
    }
    unsigned char *image = malloc(TZFILE_MAX_BYTES);
    if (image == NULL) {
        fclose(f);
        snprintf(err, n, "out of memory reading %s", path);
        return -1;
    }
    size_t len = fread(image, 1, TZFILE_MAX_BYTES, f);
    bool too_big = len == TZFILE_MAX_BYTES;
    fclose(f);

    int rc = too_big ? -1 : parse_tzif(z, image, len);
    free(image);
    if (rc < 0) {
        snprintf(err, n,
                 "invalid time zone '%s': %s is not a valid TZif "
                 "file of at most %u transitions",
                 name, path, TZFILE_MAX_TRANSITIONS);
        return -1;
    }
    return 0;
}

int
tzfile_load(struct tzfile_zone *z, const char *spec, char *err, size_t n)
{
    memset(z, 0, sizeof(*z));

    /* UTC and fixed offsets go through the shared parser, which sets no
     * process state for them. */
    if (strcmp(spec, "UTC") == 0 || strcmp(spec, "Z") == 0 || spec[0] == '+' ||
        spec[0] == '-') {
        struct tz tz;
        if (tz_init(&tz, spec, err, n) < 0) {
            return -1;
        }
        z->fixed_offset = tz.offset_sec;
        return 0;
    }
    return load_named(z, spec, err, n);
}

int32_t
tzfile_offset(const struct tzfile_zone *z, int64_t t)
{
    if (z->ntypes == 0) {
        return z->fixed_offset;
    }
    if (z->ntrans == 0 || t < z->trans_time[0]) {
        /* RFC 8536: type 0 applies before the first transition. */
        return z->type_offset[0];
    }

    /* Last transition at or before t. */
    uint32_t lo = 0, hi = z->ntrans;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (z->trans_time[mid] <= t) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    /* NOTE: past the last transition the footer's POSIX TZ rule applies;
     * it is not read, so the last offset stays.  Debian's files list
     * transitions up to 2037. */
    return z->type_offset[z->trans_type[lo]];
}

void
tzfile_civil(const struct tzfile_zone *z, int64_t t, struct tzfile_civil *out)
{
    int64_t local = t + tzfile_offset(z, t);
    int hour, minute, second;

    epoch_to_civil(local, &out->year, &out->month, &out->day, &hour, &minute,
                   &second);
    out->minute_of_day = hour * 60 + minute;

    /* 1970-01-01 was a Thursday: day 3 when Monday is 0. */
    int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    out->wday = (int)(((days + 3) % 7 + 7) % 7);
}
