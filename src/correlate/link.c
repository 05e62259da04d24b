/*
 * Linking executions to sessions: by audit session id, by parent process,
 * by ESXi shell world, and by host, account and time window, strongest
 * first.  An execution joins at most one session.
 */
#include <stdlib.h>
#include <string.h>

#include "correlate/internal.h"
#include "event/event_platform.h"

void
corr_add_exec(struct correlator *c, struct session *s, const struct event *ev,
              enum linkage how)
{
    corr_touch(s, ev);
    session_note_platform(s, ev);
    if (ev->result == EVENT_RESULT_FAILURE && !corr_is_esxi_shell(ev)) {
        /* A failed execve ran nothing: its argv is the caller's process
         * title, and execvp's PATH search makes several per command.  An
         * ESXi shell command's failure is its exit status: it did run. */
        s->execs_failed++;
        c->stats.execs_failed++;
        return;
    }
    c->stats.execs_linked[how]++;
    if (event_has_num(ev, EVENT_PID)) {
        corr_procs_put(c, s, corr_session_host(s), 'p',
                       event_num(ev, EVENT_PID, 0));
    }
    if (s->nexecs == SESSION_MAX_EXECS) {
        s->execs_dropped++;
        c->stats.execs_dropped++;
        return;
    }
    if (s->nexecs == s->execs_cap) {
        uint32_t cap = s->execs_cap ? s->execs_cap * 2 : 8;
        struct session_exec *grown = realloc(s->execs, cap * sizeof(*grown));
        if (grown == NULL) {
            s->execs_dropped++;
            return;
        }
        s->execs = grown;
        s->execs_cap = cap;
    }

    /* The execution is kept as a packed record in one allocation. */
    struct session_exec *x = &s->execs[s->nexecs];
    x->ev = event_pack_new(ev);
    if (x->ev == NULL) {
        s->execs_dropped++;
        return;
    }
    x->linkage = how;
    s->nexecs++;
}

/* True when the execution's account is the session's. */
static bool
same_account(const struct session *s, const struct event *ev)
{
    if (event_has_num(&s->ev, EVENT_UID)) {
        int64_t uid = event_num(&s->ev, EVENT_UID, 0);
        if (event_has_num(ev, EVENT_AUID)) {
            return event_num(ev, EVENT_AUID, 0) == uid;
        }
        if (event_has_num(ev, EVENT_UID)) {
            return event_num(ev, EVENT_UID, 0) == uid;
        }
    }
    struct sv user = event_str(ev, EVENT_USER);
    return user.p != NULL && sv_eq(user, event_str(&s->ev, EVENT_USER));
}

/* Returns the login-to-execution window of the platform ev came from. */
static int64_t
window_for(const struct correlator *c, const struct event *ev)
{
    const char *platform = event_platform(ev);

    if (strcmp(platform, "macos") == 0 && c->opts.window_macos_ms > 0) {
        return c->opts.window_macos_ms;
    }
    if (strcmp(platform, "esxi") == 0 && c->opts.window_esxi_ms > 0) {
        return c->opts.window_esxi_ms;
    }
    return c->opts.window_ms;
}

/* Returns the latest-started open session on the host whose window
 * contains ev, or NULL. */
static struct session *
find_by_window(struct correlator *c, const struct event *ev)
{
    struct sv host = event_str(ev, EVENT_HOST);
    int64_t t = event_time_ms(&ev->time);
    int64_t window = window_for(c, ev);

    for (struct session *s = c->open_tail; s != NULL; s = s->prev_open) {
        int64_t start = event_time_ms(&s->start);
        if (start > t) {
            continue;
        }
        if (t - start > window) {
            /* Older sessions started even earlier: none can match. */
            break;
        }
        if (!s->login_seen || (s->has_end && event_time_ms(&s->end) < t)) {
            continue;
        }
        if (sv_eq(corr_session_host(s), host) && same_account(s, ev)) {
            return s;
        }
    }
    return NULL;
}

static struct session *
session_for_unseen_login(struct correlator *c, const struct event *ev)
{
    struct session *s = corr_new_session(c, ev);

    if (s == NULL) {
        return NULL;
    }
    s->login_seen = false;
    if (event_has_num(ev, EVENT_AUID)) {
        event_set_num(&s->ev, EVENT_UID, event_num(ev, EVENT_AUID, 0));
    }
    corr_fill_str(s, ev, EVENT_USER);
    corr_set_ses(c, s, event_num(ev, EVENT_SES, 0));
    return s;
}

/*
 * The latest open session of user on host that had started at t and not
 * ended before it: the login a command or close record of that user most
 * likely belongs to when no id ties them.
 */
struct session *
corr_find_user_session(struct correlator *c, struct sv host, struct sv user,
                       const struct event_time *t)
{
    if (user.p == NULL) {
        return NULL;
    }
    for (struct session *s = c->open_tail; s != NULL; s = s->prev_open) {
        if (!s->login_seen || event_time_cmp(&s->start, t) > 0) {
            continue;
        }
        if (s->has_end && event_time_cmp(&s->end, t) < 0) {
            continue;
        }
        if (sv_eq(corr_session_host(s), host) &&
            sv_eq(event_str(&s->ev, EVENT_USER), user)) {
            return s;
        }
    }
    return NULL;
}

/*
 * ESXi shell.log names the shell's world id and user, not the SSH login.
 * A world already tied to a session stays with it.  A world whose id is the
 * login's sshd world is tied by that id.  Otherwise the first command of a
 * world inside a session of the same user on the same host claims it.
 */
static void
on_esxi_shell(struct correlator *c, const struct event *ev)
{
    struct key k;
    struct sv host = event_str(ev, EVENT_HOST);
    struct session *s = NULL;
    struct sv key = SV_NULL;

    if (event_has_num(ev, EVENT_PID)) {
        key = corr_make_key_num(&k, host, 'w', event_num(ev, EVENT_PID, 0));
        s = hmap_get(&c->procs, key);
        if (s != NULL) {
            corr_add_exec(c, s, ev, LINK_ESXI_SHELL);
            return;
        }
        s = corr_find_by_pid(c, ev);
        if (s != NULL) {
            corr_add_exec(c, s, ev, LINK_WORLD_ID);
            return;
        }
    }
    s = corr_find_user_session(c, host, event_str(ev, EVENT_USER), &ev->time);
    if (s == NULL) {
        c->stats.execs_unlinked++;
        return;
    }
    if (key.p != NULL) {
        corr_procs_put(c, s, host, 'w', event_num(ev, EVENT_PID, 0));
    }
    corr_add_exec(c, s, ev, LINK_ESXI_SHELL);
}

/* Returns the open session the execution's parent process belongs to: a
 * linked execution, or the session's sshd process or user child. */
static struct session *
find_by_parent(struct correlator *c, const struct event *ev)
{
    struct key k;
    struct session *s;

    if (!event_has_num(ev, EVENT_PPID)) {
        return NULL;
    }
    s = hmap_get(&c->procs,
                 corr_make_key_num(&k, event_str(ev, EVENT_HOST), 'p',
                                   event_num(ev, EVENT_PPID, 0)));
    if (s == NULL) {
        s = hmap_get(&c->by_pid, corr_key_sv(&k));
    }
    return s;
}

void
corr_on_exec(struct correlator *c, const struct event *ev)
{
    struct key k;
    struct sv host = event_str(ev, EVENT_HOST);
    struct session *s;

    /* 1. The audit session id that the login assigned. */
    if (corr_has_audit_session(ev)) {
        s = corr_find_by_ses(c, ev);
        if (s != NULL) {
            corr_add_exec(c, s, ev, LINK_AUDIT_SESSION);
            return;
        }
        uint8_t mark = sesmarks_get(
            &c->ses_marks,
            corr_make_key_num(&k, host, 's', event_num(ev, EVENT_SES, 0)));
        if (mark == (uint8_t)corr_marker_other_login) {
            c->stats.execs_other_session++;
            return;
        }
        if (mark == (uint8_t)corr_marker_ended) {
            c->stats.execs_after_end++;
            return;
        }
        /* Logins that carry no audit session (macOS sshd lines) meet
         * their executions' session here: a parent process in a session
         * ties the audit session to it, so later executions link by id. */
        s = find_by_parent(c, ev);
        if (s != NULL && s->login_seen && !s->has_ses) {
            corr_set_ses(c, s, event_num(ev, EVENT_SES, 0));
            corr_add_exec(c, s, ev, LINK_PROCESS_TREE);
            return;
        }
        s = session_for_unseen_login(c, ev);
        if (s != NULL) {
            corr_add_exec(c, s, ev, LINK_AUDIT_SESSION);
        }
        return;
    }

    /* 2. The parent process belongs to a session. */
    s = find_by_parent(c, ev);
    if (s != NULL) {
        corr_add_exec(c, s, ev, LINK_PROCESS_TREE);
        return;
    }

    if (corr_is_esxi_shell(ev)) {
        on_esxi_shell(c, ev);
        return;
    }

    /* 3. Same host and account, inside the window after the login. */
    s = find_by_window(c, ev);
    if (s != NULL) {
        corr_add_exec(c, s, ev, LINK_TIME_WINDOW);
        return;
    }
    c->stats.execs_unlinked++;
}
