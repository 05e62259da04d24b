/*
 * Test support for the fast path of the syslog header parser.  These
 * functions run syslog_header_parse, which takes the fast path for the two
 * common stamped shapes, and syslog_header_parse_general on the same lines,
 * each with its own state.  They name the first part where the two differ.
 * The unit test of the fast path and the fuzz harness fuzz/fuzz_header.c
 * include this header, and no library code does.
 */
#ifndef SSHTRAIL_SYSLOG_HEADER_TWIN_H
#define SSHTRAIL_SYSLOG_HEADER_TWIN_H

#include <stdbool.h>
#include <string.h>

#include "formats/syslog_header.h"

/* One state for each parser, fed the same lines. */
struct syslog_header_twin {
    struct format_opts opts;
    struct syslog_header_state fast;
    struct syslog_header_state general;
};

/*
 * Prepares both states for zone tz.  With year_given the first stamp is
 * in 2023.  Without it the reference time 2024-03-15T12:00:00Z decides the
 * year, so stamps in April to December fall in 2023.
 */
static inline void
syslog_header_twin_init(struct syslog_header_twin *t, const struct tz *tz,
                        bool year_given)
{
    memset(t, 0, sizeof(*t));
    t->opts.tz = tz;
    t->opts.year = 2023;
    t->opts.year_given = year_given;
    t->opts.ref_time = 1710504000;
    syslog_header_init(&t->fast, &t->opts);
    syslog_header_init(&t->general, &t->opts);
}

/* Returns true when a and b have the same pointer and length. */
static inline bool
syslog_header_twin_same_view(struct sv a, struct sv b)
{
    return a.p == b.p && a.len == b.len;
}

static inline bool
syslog_header_twin_same_time(struct event_time a, struct event_time b)
{
    return a.sec == b.sec && a.nsec == b.nsec && a.digits == b.digits;
}

/* Returns the name of the first field of f and g or of the two states
 * that differs, or NULL. */
static inline const char *
syslog_header_twin_diff(const struct syslog_header_twin *t,
                        const struct syslog_header *f,
                        const struct syslog_header *g)
{
    if (f->kind != g->kind) {
        return "kind";
    }
    if (!syslog_header_twin_same_time(f->time, g->time)) {
        return "time";
    }
    if (!syslog_header_twin_same_view(f->host, g->host)) {
        return "host";
    }
    if (!syslog_header_twin_same_view(f->program, g->program)) {
        return "program";
    }
    if (f->pid != g->pid) {
        return "pid";
    }
    if (!syslog_header_twin_same_view(f->sd, g->sd)) {
        return "structured data";
    }
    if (!syslog_header_twin_same_view(f->message, g->message)) {
        return "message";
    }
    if (t->fast.year != t->general.year ||
        t->fast.last_month != t->general.last_month) {
        return "year rule state";
    }
    if (t->fast.has_last != t->general.has_last ||
        !syslog_header_twin_same_time(t->fast.last, t->general.last)) {
        return "last stamp state";
    }
    return NULL;
}

/*
 * Parses line with both parsers, each advancing its own state.  Returns
 * the name of the first part where the results differ, or NULL when they
 * agree field for field, views by pointer and length.
 */
static inline const char *
syslog_header_twin_parse(struct syslog_header_twin *t, struct sv line)
{
    struct syslog_header f, g;
    enum syslog_header_kind kf = syslog_header_parse(&t->fast, line, &f);
    enum syslog_header_kind kg =
        syslog_header_parse_general(&t->general, line, &g);

    if (kf != kg) {
        return "returned kind";
    }
    return syslog_header_twin_diff(t, &f, &g);
}

#endif
