/*
 * Session reconstruction and execution linkage.
 *
 * Sessions are keyed three ways while open: by host and the sshd process id
 * that logged the login (every sshd line and audit user record of one
 * connection carries it), by host and audit session id once the login's
 * LOGIN record assigned one, and by host, source address and port.  An
 * execution joins at most one session, by the strongest key it carries:
 * audit session id, then parent process, then host, user and time window.
 *
 * This file does not score sessions or write output; it hands finished
 * sessions to the sink.
 */
#include "correlate/correlator.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/fifomap.h"
#include "core/hmap.h"

#define KEY_MAX 320

/* Markers stored in the audit-session table for sessions that are not
 * open SSH sessions. */
static char marker_other_login;
static char marker_ended;

struct failure_count {
    uint64_t sshd;              /* failures logged by sshd itself */
    uint64_t audit;             /* failures logged by audit records */
    uint64_t invalid_users;
    struct event_time first;
    struct event_time last;
};

struct pending_login {
    int64_t auid;
    int64_t ses;
};

struct correlator {
    struct correlator_opts opts;
    struct session_sink sink;
    struct correlator_stats stats;

    struct event_time watermark;
    bool has_watermark;
    int64_t last_idle_scan_ms;
    uint64_t next_seq;

    /* Open sessions sorted by start, oldest first. */
    struct session *open_head, *open_tail;
    uint32_t nopen;

    struct hmap by_pid;         /* host/pid -> open session */
    struct hmap by_ses;         /* host/ses -> open session */
    struct hmap by_port;        /* host/addr/port -> open session */
    struct hmap by_conn;        /* addr/port on any host -> open session */
    struct fifomap ssh_enabled; /* host -> time SSH was last switched on */
    struct hmap procs;          /* host/pid of a linked process -> session */
    struct fifomap ses_marks;   /* host/ses -> marker_other_login/ended */
    struct fifomap failures;    /* host/addr -> struct failure_count */
    struct fifomap pending;     /* host/pid -> struct pending_login */

    /* Finished sessions waiting for older open ones, a min-heap by start. */
    struct session **done;
    uint32_t ndone;
    uint32_t done_cap;
};

static struct session *find_user_session(struct correlator *c,
                                          struct sv host, struct sv user,
                                          const struct event_time *t);
static void mark_ssh_enabled(struct correlator *c, struct session *s);

const char *
linkage_name(enum linkage l)
{
    static const char *const names[LINK_COUNT] = {
        [LINK_AUDIT_SESSION] = "audit_session",
        [LINK_PROCESS_TREE] = "process_tree",
        [LINK_WORLD_ID] = "world_id",
        [LINK_ESXI_SHELL] = "esxi_shell",
        [LINK_TIME_WINDOW] = "time_window",
    };
    return (unsigned)l < LINK_COUNT ? names[l] : "unknown";
}

void
correlator_opts_default(struct correlator_opts *o)
{
    o->window_ms = 60 * 1000;
    o->grace_ms = 30 * 1000;
    o->idle_ms = 24 * 3600 * 1000LL;
    o->failure_span_ms = 10 * 60 * 1000;
    o->max_sessions = 100000;
    o->max_processes = 1000000;
    o->max_sources = 200000;
}

static int64_t
time_ms(const struct event_time *t)
{
    return t->sec * 1000 + t->nsec / 1000000;
}

/* ---- keys -------------------------------------------------------------- */

struct key {
    char bytes[KEY_MAX];
    size_t len;
};

static void
key_add(struct key *k, struct sv part)
{
    size_t room = KEY_MAX - k->len - 1;
    size_t n = part.len < room ? part.len : room;

    memcpy(k->bytes + k->len, part.p, n);
    k->len += n;
    k->bytes[k->len++] = '\0';
}

static void
key_add_num(struct key *k, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
    key_add(k, sv_make(tmp, (size_t)n));
}

static struct sv
key_sv(const struct key *k)
{
    return sv_make(k->bytes, k->len);
}

static struct sv
make_key_num(struct key *k, struct sv host, char tag, int64_t v)
{
    k->len = 0;
    key_add(k, host);
    k->bytes[k->len++] = tag;
    key_add_num(k, v);
    return key_sv(k);
}

static struct sv
make_key_port(struct key *k, struct sv host, struct sv addr, int64_t port)
{
    k->len = 0;
    key_add(k, host);
    key_add(k, addr);
    key_add_num(k, port);
    return key_sv(k);
}

static struct sv
make_key_addr(struct key *k, struct sv host, struct sv addr)
{
    k->len = 0;
    key_add(k, host);
    key_add(k, addr);
    return key_sv(k);
}

/* ---- small predicates -------------------------------------------------- */

static struct sv
basename_sv(struct sv path)
{
    ptrdiff_t slash = sv_rfind(path, SV_LIT("/"));
    return slash < 0 ? path : sv_skip(path, (size_t)slash + 1);
}

/* True when the event was logged by sshd, by name or by executable. */
static bool
is_sshd(const struct event *ev)
{
    struct sv prog = basename_sv(event_str(ev, EVENT_PROGRAM));
    return sv_eq_cstr(prog, "sshd") || sv_eq_cstr(prog, "sshd-session") ||
           sv_eq_cstr(prog, "sshd-auth");
}

static bool
has_audit_session(const struct event *ev)
{
    return event_has_num(ev, EVENT_SES) &&
           event_num(ev, EVENT_SES, 0) != EVENT_AUDIT_UNSET;
}

static bool
is_from_audit(const struct event *ev)
{
    return ev->origin.format && strcmp(ev->origin.format, "audit") == 0;
}

/* Which kind of source described a session, for its `sources` list. */
static unsigned
source_bit(const struct event *ev)
{
    if (is_from_audit(ev)) {
        return SESSION_SRC_AUDIT;
    }
    if (ev->kind == EVENT_NET_SSH) {
        return SESSION_SRC_NETWORK;
    }
    if (is_sshd(ev)) {
        return SESSION_SRC_SSHD;
    }
    return SESSION_SRC_OTHER;
}

/* True for a command of an ESXi shell world (shell.log). */
static bool
is_esxi_shell(const struct event *ev)
{
    return sv_eq_cstr(event_str(ev, EVENT_PROGRAM), "shell");
}

/* ---- the open list and indexes ----------------------------------------- */

static void
open_insert(struct correlator *c, struct session *s)
{
    struct session *after = c->open_tail;

    while (after != NULL && event_time_cmp(&after->start, &s->start) > 0) {
        after = after->prev_open;
    }
    s->prev_open = after;
    s->next_open = after ? after->next_open : c->open_head;
    if (s->next_open != NULL) {
        s->next_open->prev_open = s;
    } else {
        c->open_tail = s;
    }
    if (after != NULL) {
        after->next_open = s;
    } else {
        c->open_head = s;
    }
    c->nopen++;
}

static void
open_remove(struct correlator *c, struct session *s)
{
    if (s->prev_open != NULL) {
        s->prev_open->next_open = s->next_open;
    } else {
        c->open_head = s->next_open;
    }
    if (s->next_open != NULL) {
        s->next_open->prev_open = s->prev_open;
    } else {
        c->open_tail = s->prev_open;
    }
    s->prev_open = s->next_open = NULL;
    c->nopen--;
}

static struct sv
session_host(const struct session *s)
{
    return event_str(&s->ev, EVENT_HOST);
}

static void
index_put(struct correlator *c, struct hmap *m, struct sv key,
          struct session *s)
{
    if (hmap_put(m, key, s) < 0) {
        c->stats.table_evictions++;
    }
}

/* Removes key from m only when it still points at s. */
static void
index_del(struct hmap *m, struct sv key, const struct session *s)
{
    if (hmap_get(m, key) == s) {
        hmap_del(m, key);
    }
}

static void
index_session(struct correlator *c, struct session *s)
{
    struct key k;
    struct sv host = session_host(s);

    if (s->has_pid) {
        index_put(c, &c->by_pid, make_key_num(&k, host, 'p', s->sshd_pid), s);
    }
    if (s->has_ses) {
        index_put(c, &c->by_ses, make_key_num(&k, host, 's', s->ses), s);
    }
    if (event_has_str(&s->ev, EVENT_SRC_IP) &&
        event_has_num(&s->ev, EVENT_SRC_PORT)) {
        index_put(c, &c->by_port,
                  make_key_port(&k, host, event_str(&s->ev, EVENT_SRC_IP),
                                event_num(&s->ev, EVENT_SRC_PORT, 0)),
                  s);
        index_put(c, &c->by_conn,
                  make_key_port(&k, SV_NULL, event_str(&s->ev, EVENT_SRC_IP),
                                event_num(&s->ev, EVENT_SRC_PORT, 0)),
                  s);
    }
}

static void
unindex_session(struct correlator *c, struct session *s)
{
    struct key k;
    struct sv host = session_host(s);

    if (s->has_pid) {
        index_del(&c->by_pid, make_key_num(&k, host, 'p', s->sshd_pid), s);
        index_del(&c->procs, make_key_num(&k, host, 'p', s->sshd_pid), s);
    }
    if (s->has_ses) {
        index_del(&c->by_ses, make_key_num(&k, host, 's', s->ses), s);
        if (fifomap_put(&c->ses_marks, make_key_num(&k, host, 's', s->ses),
                        &marker_ended) > 0) {
            c->stats.table_evictions++;
        }
    }
    if (event_has_str(&s->ev, EVENT_SRC_IP) &&
        event_has_num(&s->ev, EVENT_SRC_PORT)) {
        index_del(&c->by_port,
                  make_key_port(&k, host, event_str(&s->ev, EVENT_SRC_IP),
                                event_num(&s->ev, EVENT_SRC_PORT, 0)),
                  s);
        index_del(&c->by_conn,
                  make_key_port(&k, SV_NULL, event_str(&s->ev, EVENT_SRC_IP),
                                event_num(&s->ev, EVENT_SRC_PORT, 0)),
                  s);
    }
    for (uint32_t i = 0; i < s->nexecs; i++) {
        const struct event *ev = &s->execs[i].ev;
        if (event_has_num(ev, EVENT_PID)) {
            int64_t pid = event_num(ev, EVENT_PID, 0);
            index_del(&c->procs, make_key_num(&k, host, 'p', pid), s);
            index_del(&c->procs, make_key_num(&k, host, 'w', pid), s);
        }
    }
}

/* ---- finished sessions, released in start order ------------------------ */

static bool
done_before(const struct session *a, const struct session *b)
{
    int cmp = event_time_cmp(&a->start, &b->start);
    return cmp < 0 || (cmp == 0 && a->seq < b->seq);
}

static void
done_push(struct correlator *c, struct session *s)
{
    if (c->ndone == c->done_cap) {
        uint32_t cap = c->done_cap ? c->done_cap * 2 : 64;
        struct session **grown = realloc(c->done, cap * sizeof(*grown));
        if (grown == NULL) {
            /* Without room to wait, the session is released at once. */
            c->sink.done(c->sink.arg, s);
            return;
        }
        c->done = grown;
        c->done_cap = cap;
    }

    uint32_t i = c->ndone++;
    while (i > 0 && done_before(s, c->done[(i - 1) / 2])) {
        c->done[i] = c->done[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    c->done[i] = s;
}

static struct session *
done_pop(struct correlator *c)
{
    struct session *top = c->done[0];
    struct session *last = c->done[--c->ndone];
    uint32_t i = 0;

    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= c->ndone) {
            break;
        }
        if (child + 1 < c->ndone &&
            done_before(c->done[child + 1], c->done[child])) {
            child++;
        }
        if (!done_before(c->done[child], last)) {
            break;
        }
        c->done[i] = c->done[child];
        i = child;
    }
    if (c->ndone > 0) {
        c->done[i] = last;
    }
    return top;
}

static void
session_free(struct session *s)
{
    for (uint32_t i = 0; i < s->nexecs; i++) {
        event_fini(&s->execs[i].ev);
    }
    free(s->execs);
    event_fini(&s->ev);
    free(s);
}

/* Hands finished sessions to the sink while no open session started
 * earlier, so output stays in start order. */
static void
release_done(struct correlator *c, bool all)
{
    while (c->ndone > 0) {
        if (!all && c->open_head != NULL &&
            !done_before(c->done[0], c->open_head)) {
            break;
        }
        struct session *s = done_pop(c);
        c->sink.done(c->sink.arg, s);
        session_free(s);
    }
}

static void
finish_session(struct correlator *c, struct session *s)
{
    unindex_session(c, s);
    open_remove(c, s);
    s->finalized = true;
    c->stats.sessions++;
    if (!s->login_seen) {
        c->stats.sessions_no_login++;
    }
    done_push(c, s);
}

/* ---- session creation and merging -------------------------------------- */

static void
add_mark(struct session *s, const struct event *ev)
{
    if (s->ntimeline == SESSION_MAX_TIMELINE) {
        s->timeline_dropped++;
        return;
    }

    struct session_mark *m = &s->timeline[s->ntimeline++];
    m->time = ev->time;
    m->kind = ev->kind;
    m->format = ev->origin.format;
    m->line = ev->origin.line;
}

static void
touch(struct session *s, const struct event *ev)
{
    if (event_time_cmp(&ev->time, &s->last_activity) > 0) {
        s->last_activity = ev->time;
    }
    s->sources |= source_bit(ev);
}

/* Copies a field from ev into the session when the session lacks it. */
static void
fill_str(struct session *s, const struct event *ev, enum event_str f)
{
    if (!event_has_str(&s->ev, f) && event_has_str(ev, f)) {
        event_set_str(&s->ev, f, event_str(ev, f));
    }
}

static void
fill_num(struct session *s, const struct event *ev, enum event_num f)
{
    if (!event_has_num(&s->ev, f) && event_has_num(ev, f)) {
        event_set_num(&s->ev, f, event_num(ev, f, 0));
    }
}

static void add_exec(struct correlator *c, struct session *s,
                     const struct event *ev, enum linkage how);

/*
 * Moves the executions of a session built without a visible login into the
 * login that turned out to own its audit session: audit and syslog clocks
 * differ by milliseconds, so PAM's own executions may precede the login.
 */
static void
absorb(struct correlator *c, struct session *into, struct session *from)
{
    unindex_session(c, from);
    open_remove(c, from);
    into->execs_failed += from->execs_failed;
    for (uint32_t i = 0; i < from->nexecs; i++) {
        c->stats.execs_linked[from->execs[i].linkage]--;
        add_exec(c, into, &from->execs[i].ev, from->execs[i].linkage);
    }
    into->execs_dropped += from->execs_dropped;
    session_free(from);
}

static void
set_ses(struct correlator *c, struct session *s, int64_t ses)
{
    struct key k;

    if (s->has_ses && s->ses == ses) {
        return;
    }

    struct session *other =
        hmap_get(&c->by_ses, make_key_num(&k, session_host(s), 's', ses));
    if (other != NULL && other != s && !other->login_seen) {
        absorb(c, s, other);
    }
    if (s->has_ses) {
        index_del(&c->by_ses, make_key_num(&k, session_host(s), 's', s->ses),
                  s);
    }
    s->has_ses = true;
    s->ses = ses;
    index_put(c, &c->by_ses, make_key_num(&k, session_host(s), 's', ses), s);
}

static void
apply_failures(struct correlator *c, struct session *s)
{
    struct key k;
    struct sv addr = event_str(&s->ev, EVENT_SRC_IP);

    if (addr.p == NULL) {
        return;
    }

    struct failure_count *f =
        fifomap_get(&c->failures, make_key_addr(&k, session_host(s), addr));
    if (f == NULL ||
        time_ms(&s->start) - time_ms(&f->last) > c->opts.failure_span_ms) {
        return;
    }
    s->failures_before = f->sshd > f->audit ? f->sshd : f->audit;
    s->invalid_users_before = f->invalid_users;
    s->first_failure = f->first;
}

static struct session *
new_session(struct correlator *c, const struct event *ev)
{
    if (c->nopen >= c->opts.max_sessions && c->open_head != NULL) {
        /* The oldest open session makes room; it is reported, not lost. */
        c->stats.sessions_evicted++;
        finish_session(c, c->open_head);
    }

    struct session *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    event_init(&s->ev);
    s->seq = c->next_seq++;
    s->start = ev->time;
    s->last_activity = ev->time;
    event_set_str(&s->ev, EVENT_HOST, event_str(ev, EVENT_HOST));
    s->ev.time = ev->time;
    s->ev.origin = ev->origin;
    open_insert(c, s);
    return s;
}

/* Takes the login facts of ev into s. */
static void
merge_login(struct correlator *c, struct session *s, const struct event *ev)
{
    static const enum event_str strs[] = {
        EVENT_USER, EVENT_SRC_IP, EVENT_AUTH_METHOD, EVENT_KEY_TYPE,
        EVENT_KEY_FP, EVENT_TTY, EVENT_SESSION_TYPE,
    };
    bool had_port = event_has_num(&s->ev, EVENT_SRC_PORT);

    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        fill_str(s, ev, strs[i]);
    }
    if (!is_from_audit(ev) || !event_has_str(&s->ev, EVENT_PROGRAM)) {
        fill_str(s, ev, EVENT_PROGRAM);
    }
    fill_num(s, ev, EVENT_UID);
    fill_num(s, ev, EVENT_SRC_PORT);

    /* The earliest record of the login is its start. */
    if (event_time_cmp(&ev->time, &s->start) < 0) {
        open_remove(c, s);
        s->start = ev->time;
        s->ev.time = ev->time;
        open_insert(c, s);
    }
    if (!had_port && event_has_num(&s->ev, EVENT_SRC_PORT)) {
        index_session(c, s);
    }
}

static struct session *
find_by_pid(struct correlator *c, const struct event *ev)
{
    struct key k;

    if (!event_has_num(ev, EVENT_PID)) {
        return NULL;
    }
    return hmap_get(&c->by_pid,
                    make_key_num(&k, event_str(ev, EVENT_HOST), 'p',
                                 event_num(ev, EVENT_PID, 0)));
}

static struct session *
find_by_ses(struct correlator *c, const struct event *ev)
{
    struct key k;

    if (!has_audit_session(ev)) {
        return NULL;
    }
    return hmap_get(&c->by_ses,
                    make_key_num(&k, event_str(ev, EVENT_HOST), 's',
                                 event_num(ev, EVENT_SES, 0)));
}

static struct session *
find_by_port(struct correlator *c, const struct event *ev)
{
    struct key k;

    if (!event_has_str(ev, EVENT_SRC_IP) ||
        !event_has_num(ev, EVENT_SRC_PORT)) {
        return NULL;
    }
    return hmap_get(&c->by_port,
                    make_key_port(&k, event_str(ev, EVENT_HOST),
                                  event_str(ev, EVENT_SRC_IP),
                                  event_num(ev, EVENT_SRC_PORT, 0)));
}

/* Finds the open session an event of an existing login belongs to. */
static struct session *
find_session(struct correlator *c, const struct event *ev)
{
    struct session *s = find_by_pid(c, ev);

    if (s == NULL) {
        s = find_by_ses(c, ev);
    }
    if (s == NULL) {
        s = find_by_port(c, ev);
    }
    return s;
}

/* True when ev describes a different login than s (sshd pid reused). */
static bool
is_other_login(const struct session *s, const struct event *ev)
{
    struct sv user = event_str(ev, EVENT_USER);
    struct sv addr = event_str(ev, EVENT_SRC_IP);

    if (s->has_end) {
        return true;
    }
    if (user.p && event_has_str(&s->ev, EVENT_USER) &&
        !sv_eq(user, event_str(&s->ev, EVENT_USER))) {
        return true;
    }
    if (addr.p && event_has_str(&s->ev, EVENT_SRC_IP) &&
        !sv_eq(addr, event_str(&s->ev, EVENT_SRC_IP))) {
        return true;
    }
    return event_has_num(ev, EVENT_SRC_PORT) &&
           event_has_num(&s->ev, EVENT_SRC_PORT) &&
           event_num(ev, EVENT_SRC_PORT, 0) !=
               event_num(&s->ev, EVENT_SRC_PORT, 0);
}

/*
 * Handles a record that proves a successful SSH login: sshd's "Accepted",
 * or an audit USER_START or USER_LOGIN written by sshd.
 */
static void
on_login(struct correlator *c, const struct event *ev)
{
    struct session *s = find_session(c, ev);

    if (s != NULL && s->login_seen && is_other_login(s, ev)) {
        finish_session(c, s);
        s = NULL;
    }
    if (s == NULL) {
        s = new_session(c, ev);
        if (s == NULL) {
            return;
        }
    }
    if (!s->login_seen) {
        mark_ssh_enabled(c, s);
    }
    s->login_seen = true;
    if (event_has_num(ev, EVENT_PID) && !s->has_pid) {
        s->has_pid = true;
        s->sshd_pid = event_num(ev, EVENT_PID, 0);
    }
    merge_login(c, s, ev);
    if (has_audit_session(ev)) {
        set_ses(c, s, event_num(ev, EVENT_SES, 0));
    }
    index_session(c, s);

    /* A LOGIN record seen before the login's other records. */
    struct key k;
    if (s->has_pid) {
        struct pending_login *p = fifomap_get(
            &c->pending, make_key_num(&k, session_host(s), 'p', s->sshd_pid));
        if (p != NULL && !s->has_ses) {
            set_ses(c, s, p->ses);
            if (!event_has_num(&s->ev, EVENT_UID)) {
                event_set_num(&s->ev, EVENT_UID, p->auid);
            }
        }
    }
    if (ev->kind == EVENT_AUTH_SUCCESS || s->failures_before == 0) {
        apply_failures(c, s);
    }
    touch(s, ev);
    add_mark(s, ev);
}

/* Audit LOGIN: pam_loginuid gave process pid a login uid and a session. */
static void
on_login_assign(struct correlator *c, const struct event *ev)
{
    struct session *s = find_by_pid(c, ev);
    struct key k;

    if (!has_audit_session(ev) || !event_has_num(ev, EVENT_PID)) {
        return;
    }
    if (s != NULL) {
        set_ses(c, s, event_num(ev, EVENT_SES, 0));
        if (event_has_num(ev, EVENT_AUID)) {
            event_set_num(&s->ev, EVENT_UID, event_num(ev, EVENT_AUID, 0));
        }
        touch(s, ev);
        add_mark(s, ev);
        return;
    }

    struct pending_login *p = malloc(sizeof(*p));
    if (p == NULL) {
        return;
    }
    p->auid = event_num(ev, EVENT_AUID, EVENT_AUDIT_UNSET);
    p->ses = event_num(ev, EVENT_SES, 0);
    struct sv key = make_key_num(&k, event_str(ev, EVENT_HOST), 'p',
                                 event_num(ev, EVENT_PID, 0));
    if (fifomap_put(&c->pending, key, p) > 0) {
        c->stats.table_evictions++;
    }
}

/* Remembers that an audit session belongs to a login that is not SSH
 * (cron, a console login), so its executions are not reported. */
static void
mark_other_login(struct correlator *c, const struct event *ev)
{
    struct key k;

    if (!has_audit_session(ev) || find_by_ses(c, ev) != NULL) {
        return;
    }
    struct sv key = make_key_num(&k, event_str(ev, EVENT_HOST), 's',
                                 event_num(ev, EVENT_SES, 0));
    if (fifomap_get(&c->ses_marks, key) == NULL &&
        fifomap_put(&c->ses_marks, key, &marker_other_login) > 0) {
        c->stats.table_evictions++;
    }
}

static void
on_session_end(struct correlator *c, const struct event *ev)
{
    struct session *s = find_session(c, ev);

    /* ESXi's "Session closed for 'root'" carries only the user. */
    if (s == NULL && !event_has_num(ev, EVENT_PID) &&
        !event_has_num(ev, EVENT_SRC_PORT)) {
        s = find_user_session(c, event_str(ev, EVENT_HOST),
                              event_str(ev, EVENT_USER), &ev->time);
    }
    if (s == NULL) {
        c->stats.closes_unmatched++;
        return;
    }
    if (!s->has_end || event_time_cmp(&ev->time, &s->end) > 0) {
        s->end = ev->time;
    }
    if (!s->login_seen) {
        /* The close record names what the unseen login did not. */
        fill_str(s, ev, EVENT_USER);
        fill_str(s, ev, EVENT_SRC_IP);
    }
    s->has_end = true;
    touch(s, ev);
    add_mark(s, ev);
}

static void
on_failure(struct correlator *c, const struct event *ev)
{
    struct key k;
    struct sv addr = event_str(ev, EVENT_SRC_IP);

    if (addr.p == NULL) {
        return;
    }

    struct sv key = make_key_addr(&k, event_str(ev, EVENT_HOST), addr);
    struct failure_count *f = fifomap_get(&c->failures, key);
    if (f != NULL && time_ms(&ev->time) - time_ms(&f->last) >
                         c->opts.failure_span_ms) {
        memset(f, 0, sizeof(*f));
        f->first = ev->time;
    }
    if (f == NULL) {
        f = calloc(1, sizeof(*f));
        if (f == NULL) {
            return;
        }
        f->first = ev->time;
        int rc = fifomap_put(&c->failures, key, f);
        if (rc < 0) {
            return;
        }
        c->stats.table_evictions += (uint64_t)rc;
    }
    if (ev->kind == EVENT_INVALID_USER) {
        f->invalid_users++;
    } else if (is_from_audit(ev)) {
        f->audit++;
    } else {
        f->sshd++;
    }
    f->last = ev->time;
}

/* ---- executions -------------------------------------------------------- */

static void
add_exec(struct correlator *c, struct session *s, const struct event *ev,
         enum linkage how)
{
    struct key k;

    touch(s, ev);
    if (ev->result == EVENT_RESULT_FAILURE) {
        /* A failed execve ran nothing: its argv is the caller's process
         * title, and execvp's PATH search makes several per command. */
        s->execs_failed++;
        c->stats.execs_failed++;
        return;
    }
    c->stats.execs_linked[how]++;
    if (event_has_num(ev, EVENT_PID)) {
        struct sv key = make_key_num(&k, session_host(s), 'p',
                                     event_num(ev, EVENT_PID, 0));
        if (hmap_put(&c->procs, key, s) < 0) {
            c->stats.table_evictions++;
        }
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

    struct session_exec *x = &s->execs[s->nexecs];
    event_init(&x->ev);
    if (event_copy(&x->ev, ev) < 0) {
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

/* The latest-started open session on the host whose window holds ev. */
static struct session *
find_by_window(struct correlator *c, const struct event *ev)
{
    struct sv host = event_str(ev, EVENT_HOST);
    int64_t t = time_ms(&ev->time);

    for (struct session *s = c->open_tail; s != NULL; s = s->prev_open) {
        int64_t start = time_ms(&s->start);
        if (start > t) {
            continue;
        }
        if (t - start > c->opts.window_ms) {
            /* Older sessions started even earlier: none can match. */
            break;
        }
        if (!s->login_seen || (s->has_end && time_ms(&s->end) < t)) {
            continue;
        }
        if (sv_eq(session_host(s), host) && same_account(s, ev)) {
            return s;
        }
    }
    return NULL;
}

static struct session *
session_for_unseen_login(struct correlator *c, const struct event *ev)
{
    struct session *s = new_session(c, ev);

    if (s == NULL) {
        return NULL;
    }
    s->login_seen = false;
    if (event_has_num(ev, EVENT_AUID)) {
        event_set_num(&s->ev, EVENT_UID, event_num(ev, EVENT_AUID, 0));
    }
    fill_str(s, ev, EVENT_USER);
    set_ses(c, s, event_num(ev, EVENT_SES, 0));
    return s;
}

/*
 * The latest open session of user on host that had started at t and not
 * ended before it: the login a command or close record of that user most
 * likely belongs to when no id ties them.
 */
static struct session *
find_user_session(struct correlator *c, struct sv host, struct sv user,
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
        if (sv_eq(session_host(s), host) &&
            sv_eq(event_str(&s->ev, EVENT_USER), user)) {
            return s;
        }
    }
    return NULL;
}

/*
 * ESXi shell.log names the shell's world id and user, not the SSH login.
 * A world already tied to a session stays with it; a world whose id is the
 * login's sshd world is tied by id; otherwise the first command of a world
 * inside a session of the same user on the same host claims the world.
 */
static void
on_esxi_shell(struct correlator *c, const struct event *ev)
{
    struct key k;
    struct sv host = event_str(ev, EVENT_HOST);
    struct session *s = NULL;
    struct sv key = SV_NULL;

    if (event_has_num(ev, EVENT_PID)) {
        key = make_key_num(&k, host, 'w', event_num(ev, EVENT_PID, 0));
        s = hmap_get(&c->procs, key);
        if (s != NULL) {
            add_exec(c, s, ev, LINK_ESXI_SHELL);
            return;
        }
        s = find_by_pid(c, ev);
        if (s != NULL) {
            add_exec(c, s, ev, LINK_WORLD_ID);
            return;
        }
    }
    s = find_user_session(c, host, event_str(ev, EVENT_USER), &ev->time);
    if (s == NULL) {
        c->stats.execs_unlinked++;
        return;
    }
    if (key.p != NULL && hmap_put(&c->procs, key, s) < 0) {
        c->stats.table_evictions++;
    }
    add_exec(c, s, ev, LINK_ESXI_SHELL);
}

static void
on_exec(struct correlator *c, const struct event *ev)
{
    struct key k;
    struct sv host = event_str(ev, EVENT_HOST);
    struct session *s;

    /* 1. The audit session id that the login assigned. */
    if (has_audit_session(ev)) {
        s = find_by_ses(c, ev);
        if (s != NULL) {
            add_exec(c, s, ev, LINK_AUDIT_SESSION);
            return;
        }
        void *mark = fifomap_get(
            &c->ses_marks,
            make_key_num(&k, host, 's', event_num(ev, EVENT_SES, 0)));
        if (mark == &marker_other_login) {
            c->stats.execs_other_session++;
            return;
        }
        if (mark == &marker_ended) {
            c->stats.execs_after_end++;
            return;
        }
        s = session_for_unseen_login(c, ev);
        if (s != NULL) {
            add_exec(c, s, ev, LINK_AUDIT_SESSION);
        }
        return;
    }

    /* 2. The parent process belongs to a session. */
    if (event_has_num(ev, EVENT_PPID)) {
        s = hmap_get(&c->procs, make_key_num(&k, host, 'p',
                                             event_num(ev, EVENT_PPID, 0)));
        if (s == NULL) {
            s = hmap_get(&c->by_pid, key_sv(&k));
        }
        if (s != NULL) {
            add_exec(c, s, ev, LINK_PROCESS_TREE);
            return;
        }
    }

    if (is_esxi_shell(ev)) {
        on_esxi_shell(c, ev);
        return;
    }

    /* 3. Same host and account, inside the window after the login. */
    s = find_by_window(c, ev);
    if (s != NULL) {
        add_exec(c, s, ev, LINK_TIME_WINDOW);
        return;
    }
    c->stats.execs_unlinked++;
}

/* ---- context from other sources ---------------------------------------- */

/* A network sensor's view of an SSH connection: corroborates the session
 * with the same source address and port on whichever host it landed. */
static void
on_net_ssh(struct correlator *c, const struct event *ev)
{
    struct key k;

    if (!event_has_str(ev, EVENT_SRC_IP) ||
        !event_has_num(ev, EVENT_SRC_PORT)) {
        return;
    }

    struct session *s = hmap_get(
        &c->by_conn, make_key_port(&k, SV_NULL, event_str(ev, EVENT_SRC_IP),
                                   event_num(ev, EVENT_SRC_PORT, 0)));
    if (s == NULL) {
        if (ev->result == EVENT_RESULT_SUCCESS) {
            c->stats.net_logins_unmatched++;
        }
        return;
    }
    c->stats.net_logins_matched++;
    s->sources |= SESSION_SRC_NETWORK;
    add_mark(s, ev);
}

static void
on_ssh_enabled(struct correlator *c, const struct event *ev)
{
    struct key k;
    struct event_time *t = malloc(sizeof(*t));

    if (t == NULL) {
        return;
    }
    *t = ev->time;
    if (fifomap_put(&c->ssh_enabled,
                    make_key_addr(&k, event_str(ev, EVENT_HOST), SV_NULL),
                    t) > 0) {
        c->stats.table_evictions++;
    }
}

/* Adds "SSH was switched on" to a new session's timeline when it was. */
static void
mark_ssh_enabled(struct correlator *c, struct session *s)
{
    struct key k;
    const struct event_time *t = fifomap_get(
        &c->ssh_enabled, make_key_addr(&k, session_host(s), SV_NULL));

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
static void
measure_skew(struct correlator *c, struct session *s, const struct event *ev)
{
    int64_t t = time_ms(&ev->time);

    if (is_from_audit(ev)) {
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

/* ---- time -------------------------------------------------------------- */

static void
finish_due(struct correlator *c)
{
    int64_t now = time_ms(&c->watermark);
    bool idle_scan = now - c->last_idle_scan_ms >= 60 * 1000;
    struct session *s = c->open_head;

    if (idle_scan) {
        c->last_idle_scan_ms = now;
    }
    while (s != NULL) {
        struct session *next = s->next_open;
        if (s->has_end && now - time_ms(&s->end) > c->opts.grace_ms) {
            finish_session(c, s);
        } else if (idle_scan &&
                   now - time_ms(&s->last_activity) > c->opts.idle_ms) {
            c->stats.sessions_idle++;
            finish_session(c, s);
        }
        s = next;
    }
    release_done(c, false);
}

static void
advance(struct correlator *c, const struct event *ev)
{
    if (!c->has_watermark) {
        c->watermark = ev->time;
        c->has_watermark = true;
        c->last_idle_scan_ms = time_ms(&ev->time);
        return;
    }
    if (event_time_cmp(&ev->time, &c->watermark) <= 0) {
        return;
    }

    bool next_second = ev->time.sec != c->watermark.sec;
    c->watermark = ev->time;
    if (next_second) {
        finish_due(c);
    }
}

/* ---- public ------------------------------------------------------------ */

struct correlator *
correlator_new(const struct correlator_opts *opts,
               const struct session_sink *sink)
{
    struct correlator *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        return NULL;
    }
    c->opts = *opts;
    c->sink = *sink;
    hmap_init(&c->by_pid, opts->max_sessions);
    hmap_init(&c->by_ses, opts->max_sessions);
    hmap_init(&c->by_port, opts->max_sessions);
    hmap_init(&c->by_conn, opts->max_sessions);
    hmap_init(&c->procs, opts->max_processes);
    if (fifomap_init(&c->ses_marks, opts->max_sources, NULL) < 0 ||
        fifomap_init(&c->failures, opts->max_sources, free) < 0 ||
        fifomap_init(&c->pending, opts->max_sources, free) < 0 ||
        fifomap_init(&c->ssh_enabled, opts->max_sources, free) < 0) {
        correlator_free(c);
        return NULL;
    }
    return c;
}

void
correlator_free(struct correlator *c)
{
    if (c == NULL) {
        return;
    }
    while (c->open_head != NULL) {
        struct session *s = c->open_head;
        open_remove(c, s);
        session_free(s);
    }
    while (c->ndone > 0) {
        session_free(done_pop(c));
    }
    free(c->done);
    hmap_fini(&c->by_pid);
    hmap_fini(&c->by_ses);
    hmap_fini(&c->by_port);
    hmap_fini(&c->by_conn);
    fifomap_fini(&c->ssh_enabled);
    hmap_fini(&c->procs);
    fifomap_fini(&c->ses_marks);
    fifomap_fini(&c->failures);
    fifomap_fini(&c->pending);
    free(c);
}

void
correlator_feed(struct correlator *c, const struct event *ev)
{
    bool sshd = is_sshd(ev);
    struct session *s;

    c->stats.events++;
    advance(c, ev);

    switch (ev->kind) {
    case EVENT_AUTH_SUCCESS:
        if (sshd && !is_from_audit(ev)) {
            on_login(c, ev);
        }
        break;
    case EVENT_USER_LOGIN:
        if (sshd) {
            on_login(c, ev);
        } else {
            mark_other_login(c, ev);
        }
        break;
    case EVENT_SESSION_OPEN:
        if (sshd && is_from_audit(ev)) {
            on_login(c, ev);
            if ((s = find_session(c, ev)) != NULL) {
                measure_skew(c, s, ev);
            }
        } else if (sshd && (s = find_session(c, ev)) != NULL) {
            fill_num(s, ev, EVENT_UID);
            touch(s, ev);
            add_mark(s, ev);
            measure_skew(c, s, ev);
        } else if (!sshd) {
            mark_other_login(c, ev);
        }
        break;
    case EVENT_LOGIN_ASSIGN:
        on_login_assign(c, ev);
        break;
    case EVENT_USER_CHILD:
        if ((s = find_by_pid(c, ev)) != NULL &&
            event_has_num(ev, EVENT_CHILD_PID)) {
            struct key k;
            struct sv key = make_key_num(&k, session_host(s), 'p',
                                         event_num(ev, EVENT_CHILD_PID, 0));
            if (hmap_put(&c->procs, key, s) < 0) {
                c->stats.table_evictions++;
            }
            touch(s, ev);
        }
        break;
    case EVENT_SESSION_START:
        if ((s = find_session(c, ev)) != NULL) {
            merge_login(c, s, ev);
            touch(s, ev);
            add_mark(s, ev);
        }
        break;
    case EVENT_SESSION_CLOSE:
    case EVENT_DISCONNECT:
    case EVENT_USER_LOGOUT:
        if (sshd) {
            on_session_end(c, ev);
        }
        break;
    case EVENT_AUTH_FAILURE:
    case EVENT_INVALID_USER:
        if (sshd) {
            on_failure(c, ev);
        }
        break;
    case EVENT_CRED_ACQUIRE:
    case EVENT_ACCT_CHECK:
        if (!sshd) {
            mark_other_login(c, ev);
        }
        break;
    case EVENT_EXEC:
        on_exec(c, ev);
        break;
    case EVENT_NET_SSH:
        on_net_ssh(c, ev);
        break;
    case EVENT_SSH_ENABLED:
        on_ssh_enabled(c, ev);
        break;
    default:
        break;
    }
}

void
correlator_finish(struct correlator *c)
{
    while (c->open_head != NULL) {
        finish_session(c, c->open_head);
    }
    release_done(c, true);
}

const struct correlator_stats *
correlator_stats(const struct correlator *c)
{
    return &c->stats;
}
