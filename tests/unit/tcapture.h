/*
 * A capturing event sink for unit tests of formats.  A format lends each
 * event to its sink only for the duration of the call.  This sink copies
 * the first TCAPTURE_MAX events and counts every event, so a test can
 * check their fields after the format returns.  It also keeps what the
 * format counts through the sink's count callback.
 *
 * Usage: declare a struct tcapture (a zero-filled static one is ready to
 * use, one on the stack needs tcapture_init), pass tcapture_sink(&cap) to
 * the format, read cap.count and cap.ev[i], and call tcapture_fini when
 * done.  Each failed copy is a failed check.
 */
#ifndef SSHTRAIL_TCAPTURE_H
#define SSHTRAIL_TCAPTURE_H

#include "event/event.h"
#include "formats/format.h"
#include "tcheck.h"

/* Events copied per capture.  Later events are only counted. */
#define TCAPTURE_MAX 16

struct tcapture {
    struct event ev[TCAPTURE_MAX];  /* copies of the first events emitted */
    int count;                      /* events emitted, copied or not */
    /* Input counted through the sink, the first TCAPTURE_MAX kept. */
    int ncounted;
    enum parse_status counted_status[TCAPTURE_MAX];
    const char *counted_reason[TCAPTURE_MAX];
    uint64_t counted_line[TCAPTURE_MAX];
};

/* Prepares an empty capture whose events own no storage yet. */
static inline void
tcapture_init(struct tcapture *c)
{
    for (int i = 0; i < TCAPTURE_MAX; i++) {
        event_init(&c->ev[i]);
    }
    c->count = 0;
    c->ncounted = 0;
}

/* Empties the capture and keeps the events' storage for the next run. */
static inline void
tcapture_reset(struct tcapture *c)
{
    for (int i = 0; i < TCAPTURE_MAX; i++) {
        event_reset(&c->ev[i]);
    }
    c->count = 0;
    c->ncounted = 0;
}

/* Frees the events' storage and leaves the capture empty. */
static inline void
tcapture_fini(struct tcapture *c)
{
    for (int i = 0; i < TCAPTURE_MAX; i++) {
        event_fini(&c->ev[i]);
    }
    c->count = 0;
}

/* Copies ev into the struct tcapture at arg while room remains, and counts
 * it. */
static inline void
tcapture_emit(void *arg, const struct event *ev)
{
    struct tcapture *c = arg;

    if (c->count < TCAPTURE_MAX) {
        CHECK_INT(event_copy(&c->ev[c->count], ev), 0);
    }
    c->count++;
}

/* Keeps input the format counted, in the struct tcapture at arg. */
static inline void
tcapture_count(void *arg, enum parse_status status, const char *reason,
               const struct event_origin *origin)
{
    struct tcapture *c = arg;

    if (c->ncounted < TCAPTURE_MAX) {
        c->counted_status[c->ncounted] = status;
        c->counted_reason[c->ncounted] = reason;
        c->counted_line[c->ncounted] = origin->line;
    }
    c->ncounted++;
}

/* Returns a sink that captures into c and reads every field. */
static inline struct event_sink
tcapture_sink(struct tcapture *c)
{
    struct event_sink sink = { tcapture_emit, c, NULL, tcapture_count };

    return sink;
}

#endif
