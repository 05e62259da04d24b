/*
 * Records that add context to sessions without being part of a login:
 * network sensors' SSH connections, ESXi switching SSH on, and the clock
 * offset between sshd and audit records of the same login.
 */
#include <stdlib.h>

#include "correlate/internal.h"

/* A network sensor's view of an SSH connection: corroborates the session
 * with the same source address and port on whichever host it landed. */
void
corr_on_net_ssh(struct correlator *c, const struct event *ev)
{
    struct key k;

    if (!event_has_str(ev, EVENT_SRC_IP) ||
        !event_has_num(ev, EVENT_SRC_PORT)) {
        return;
    }

    struct session *s =
        hmap_get(&c->by_conn,
                 corr_make_key_port(&k, SV_NULL, event_str(ev, EVENT_SRC_IP),
                                    event_num(ev, EVENT_SRC_PORT, 0)));
    if (s == NULL) {
        if (ev->result == EVENT_RESULT_SUCCESS) {
            c->stats.net_logins_unmatched++;
        }
        return;
    }
    c->stats.net_logins_matched++;
    s->sources |= SESSION_SRC_NETWORK;
    corr_add_mark(s, ev);
}

void
corr_on_ssh_enabled(struct correlator *c, const struct event *ev)
{
    struct key k;
    struct event_time *t = malloc(sizeof(*t));

    if (t == NULL) {
        return;
    }
    *t = ev->time;
    if (fifomap_put(&c->ssh_enabled,
                    corr_make_key_addr(&k, event_str(ev, EVENT_HOST), SV_NULL),
                    t) > 0) {
        c->stats.table_evictions++;
    }
}

/* Adds "SSH was switched on" to a new session's timeline when it was. */
void
corr_mark_ssh_enabled(struct correlator *c, struct session *s)
{
    struct key k;
    const struct event_time *t = fifomap_get(
        &c->ssh_enabled, corr_make_key_addr(&k, corr_session_host(s), SV_NULL));

    if (t == NULL || s->ntimeline == SESSION_MAX_TIMELINE) {
        return;
    }

    struct session_mark *m = &s->timeline[s->ntimeline++];
    m->time = *t;
    m->kind = EVENT_SSH_ENABLED;
    m->format = NULL;
    m->line = 0;
    s->ssh_enabled_before = true;
}

/*
 * Measures the clock offset between two sources from the PAM session-open
 * record each wrote for the same login: sshd's pam_unix line and audit's
 * USER_START are written within microseconds of each other.
 */
void
corr_measure_skew(struct correlator *c, struct session *s,
                  const struct event *ev)
{
    int64_t t = event_time_ms(&ev->time);

    if (corr_is_from_audit(ev)) {
        s->audit_open_ms = t;
        s->has_audit_open = true;
    } else {
        s->sshd_open_ms = t;
        s->has_sshd_open = true;
    }
    if (!s->has_audit_open || !s->has_sshd_open || s->skew_counted) {
        return;
    }
    int64_t skew = s->audit_open_ms - s->sshd_open_ms;
    s->skew_counted = true;
    c->stats.skew_samples++;
    c->stats.skew_sum_ms += skew;
    if (c->stats.skew_samples == 1 || skew < c->stats.skew_min_ms) {
        c->stats.skew_min_ms = skew;
    }
    if (c->stats.skew_samples == 1 || skew > c->stats.skew_max_ms) {
        c->stats.skew_max_ms = skew;
    }
}
