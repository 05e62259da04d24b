/*
 * The correlator: turns a time-ordered stream of normalized events into SSH
 * sessions with their linked executions.
 *
 * It runs on event time only.  A session is finished when its end is older
 * than the watermark (the newest event time seen) by more than the grace
 * period, when it has been idle for the idle timeout, or at the end of
 * input.  Finished sessions go to the sink in order of session start.
 * Every table it keeps has a maximum; what a full table drops is counted in
 * struct correlator_stats.
 */
#ifndef SSHTRAIL_CORRELATOR_H
#define SSHTRAIL_CORRELATOR_H

#include <stdint.h>

#include "correlate/session.h"
#include "event/event.h"

struct correlator_opts {
    int64_t window_ms;          /* login to execution, time_window linkage */
    /* Windows of macOS and ESXi inputs; 0 takes window_ms. */
    int64_t window_macos_ms;
    int64_t window_esxi_ms;
    int64_t grace_ms;           /* wait after a session end for late records */
    int64_t idle_ms;            /* finish a session idle this long */
    int64_t failure_span_ms;    /* failures this long before a login count */
    uint32_t max_sessions;      /* open sessions */
    uint32_t max_processes;     /* process-to-session entries */
    uint32_t max_sources;       /* failure counters and audit-session marks */
};

void correlator_opts_default(struct correlator_opts *o);

struct correlator_stats {
    uint64_t events;
    uint64_t sessions;              /* sessions finished (any kind) */
    uint64_t sessions_no_login;     /* built from executions alone */
    uint64_t sessions_evicted;      /* finished early: table full */
    uint64_t sessions_idle;         /* finished by the idle timeout */
    uint64_t execs_linked[LINK_COUNT];
    uint64_t execs_unlinked;        /* no session could claim them */
    uint64_t execs_other_session;   /* audit session of a non-SSH login */
    uint64_t execs_after_end;       /* audit session already finished */
    uint64_t execs_dropped;         /* over the per-session maximum */
    uint64_t execs_failed;          /* failed execve calls in sessions */
    uint64_t closes_unmatched;      /* session end with no open session */
    uint64_t table_evictions;       /* entries dropped from full tables */
    uint64_t net_logins_matched;    /* network SSH tied to a host session */
    uint64_t net_logins_unmatched;  /* successful network SSH, no host log */
    uint64_t skew_samples;          /* logins seen by sshd and audit */
    int64_t skew_sum_ms;            /* audit minus sshd, summed */
    int64_t skew_min_ms, skew_max_ms;
};

/* Receives each finished session, in order of start. */
struct session_sink {
    void (*done)(void *arg, const struct session *s);
    void *arg;
};

struct correlator;

/* Returns a new correlator, or NULL when memory runs out. */
struct correlator *correlator_new(const struct correlator_opts *opts,
                                  const struct session_sink *sink);
void correlator_free(struct correlator *c);

/* Feeds one event; events should arrive in time order (late ones work). */
void correlator_feed(struct correlator *c, const struct event *ev);

/*
 * True for an event kind of which correlator_feed reads only the kind and
 * the time: such events count and move the correlator's clock, and their
 * other fields may be left out.
 */
bool correlator_time_only(enum event_kind kind);

/* Returns what correlator_feed reads of each kind (see struct event_needs):
 * the time_only kinds above, and failures by source address. */
struct event_needs correlator_needs(void);

/* Finishes every open session (end of input). */
void correlator_finish(struct correlator *c);

const struct correlator_stats *correlator_stats(const struct correlator *c);

#endif
