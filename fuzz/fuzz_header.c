/*
 * libFuzzer harness that compares the syslog header parser's fast path
 * with its general parser.
 *
 * syslog_header_parse reads the two common stamped shapes at fixed offsets
 * and falls back to syslog_header_parse_general for everything else.  Both
 * must give the same result and leave the same year-rule state for every
 * line.  The first input byte picks the options (zone UTC or +05:30, with
 * or without --year).  The rest is split into lines, and each line goes to
 * both parsers, each with its own state, in order.  Any difference in the
 * kind, time, views (pointer and length), pid or state aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/syslog_header.h"
#include "fuzz_common.h"

struct twin {
    struct format_opts opts;
    struct syslog_header_state fast;
    struct syslog_header_state general;
};

static struct tz utc;
static struct tz plus0530 = { .offset_sec = 5 * 3600 + 30 * 60 };

static bool
same_view(struct sv a, struct sv b)
{
    return a.p == b.p && a.len == b.len;
}

static bool
same_time(struct event_time a, struct event_time b)
{
    return a.sec == b.sec && a.nsec == b.nsec && a.digits == b.digits;
}

/* Returns the name of the first part that differs, or NULL. */
static const char *
difference(const struct twin *t, enum syslog_header_kind kf,
           enum syslog_header_kind kg, const struct syslog_header *f,
           const struct syslog_header *g)
{
    if (kf != kg || f->kind != g->kind) {
        return "kind";
    }
    if (!same_time(f->time, g->time)) {
        return "time";
    }
    if (!same_view(f->host, g->host) || !same_view(f->program, g->program)) {
        return "host or program";
    }
    if (f->pid != g->pid) {
        return "pid";
    }
    if (!same_view(f->sd, g->sd) || !same_view(f->message, g->message)) {
        return "structured data or message";
    }
    if (t->fast.year != t->general.year ||
        t->fast.last_month != t->general.last_month ||
        t->fast.has_last != t->general.has_last ||
        !same_time(t->fast.last, t->general.last)) {
        return "year rule or last stamp state";
    }
    return NULL;
}

static void
parse_both(void *arg, struct sv line, uint64_t lineno)
{
    struct twin *t = arg;
    struct syslog_header f, g;

    (void)lineno;
    enum syslog_header_kind kf = syslog_header_parse(&t->fast, line, &f);
    enum syslog_header_kind kg =
        syslog_header_parse_general(&t->general, line, &g);
    const char *part = difference(t, kf, kg, &f, &g);
    if (part != NULL) {
        fprintf(stderr, "fast and general header parsers differ in %s\n",
                part);
        fuzz_fail("header parsers differ on this line", line.p, line.len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct twin t;

    if (size == 0) {
        return 0;
    }
    memset(&t, 0, sizeof(t));
    t.opts.tz = (data[0] & 1) ? &plus0530 : &utc;
    t.opts.year_given = (data[0] & 2) != 0;
    t.opts.year = 2023;
    /* 2024-03-15T12:00:00Z: without --year, March decides the year. */
    t.opts.ref_time = 1710504000;
    syslog_header_init(&t.fast, &t.opts);
    syslog_header_init(&t.general, &t.opts);
    fuzz_each_line(data + 1, size - 1, parse_both, &t);
    return 0;
}
