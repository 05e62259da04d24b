/*
 * Session reconstruction and execution linkage.
 *
 * Open sessions are found by three keys.  The first is host and the sshd
 * process id that logged the login, which every sshd line and audit user
 * record of one connection carries.  The second is host and audit session
 * id, once the login's LOGIN record assigned one.  The third is host,
 * source address and port.  link.c ties executions to sessions.
 *
 * This file does not score sessions or write output; it hands finished
 * sessions to the sink.
 */
#include "correlate/correlator.h"

#include <stdio.h>
#include <stdlib.h>

#include "correlate/internal.h"

/* Markers stored in the audit-session table for sessions that are not
 * open SSH sessions. */
const char corr_marker_other_login = 1;
const char corr_marker_ended = 2;

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
    /* About 3 KiB per open session and 200 bytes per table entry keep the
     * defaults near 40 MiB at worst. */
    o->max_sessions = 10000;
    o->max_processes = 100000;
    o->max_sources = 50000;
}

/* ---- keys -------------------------------------------------------------- */

static void
key_add(struct key *k, struct sv part)
{
    /* Leave room for a tag byte and a number after any part. */
    size_t reserve = 1 + sizeof(int64_t) + 1;
    size_t room = k->len + reserve < KEY_MAX ? KEY_MAX - k->len - reserve
                                             : 0;
    size_t n = part.len < room ? part.len : room;

    /* Parts are short: word copies cost less than the string instruction
     * gcc makes of a memcpy of bounded size.  The last word (or, below 8
     * bytes, the last 4) may overlap the one before it. */
    char *to = k->bytes + k->len;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(to + i, part.p + i, 8);
        }
        memcpy(to + n - 8, part.p + n - 8, 8);
    } else if (n >= 4) {
        memcpy(to, part.p, 4);
        memcpy(to + n - 4, part.p + n - 4, 4);
    } else {
        for (size_t i = 0; i < n; i++) {
            to[i] = part.p[i];
        }
    }
    k->len += n;
    k->bytes[k->len++] = '\0';
}

/*
 * Appends v as its 8 bytes: a fixed width keeps keys distinct without a
 * terminator, and no decimal text is written.
 */
static void
key_add_num(struct key *k, int64_t v)
{
    if (KEY_MAX - k->len < sizeof(v)) {
        return;
    }
    memcpy(k->bytes + k->len, &v, sizeof(v));
    k->len += sizeof(v);
}

struct sv
corr_key_sv(const struct key *k)
{
    return sv_make(k->bytes, k->len);
}

struct sv
corr_make_key_num(struct key *k, struct sv host, char tag, int64_t v)
{
    k->len = 0;
    key_add(k, host);
    k->bytes[k->len++] = tag;
    key_add_num(k, v);
    return corr_key_sv(k);
}

struct sv
corr_make_key_port(struct key *k, struct sv host, struct sv addr, int64_t port)
{
    k->len = 0;
    key_add(k, host);
    key_add(k, addr);
    key_add_num(k, port);
    return corr_key_sv(k);
}

struct sv
corr_make_key_addr(struct key *k, struct sv host, struct sv addr)
{
    k->len = 0;
    key_add(k, host);
    key_add(k, addr);
    return corr_key_sv(k);
}

/* ---- small predicates -------------------------------------------------- */

struct sv
corr_basename_sv(struct sv path)
{
    ptrdiff_t slash = sv_rfind(path, SV_LIT("/"));
    return slash < 0 ? path : sv_skip(path, (size_t)slash + 1);
}

/* True when path is name or ends in "/" and name. */
static bool
is_basename(struct sv path, const char *name, size_t len)
{
    return path.len >= len &&
           memcmp(path.p + path.len - len, name, len) == 0 &&
           (path.len == len || path.p[path.len - len - 1] == '/');
}

/*
 * True when the event was logged by sshd, by name or by executable.  The
 * names are compared at the end of the path, so no search for the last
 * slash runs on every event.
 */
bool
corr_is_sshd(const struct event *ev)
{
    struct sv prog = event_str(ev, EVENT_PROGRAM);

    return is_basename(prog, "sshd", 4) ||
           is_basename(prog, "sshd-session", 12) ||
           is_basename(prog, "sshd-auth", 9);
}

bool
corr_has_audit_session(const struct event *ev)
{
    return event_has_num(ev, EVENT_SES) &&
           event_num(ev, EVENT_SES, 0) != EVENT_AUDIT_UNSET;
}

bool
corr_is_from_audit(const struct event *ev)
{
    /* The first byte settles most events without a call. */
    return ev->origin.format != NULL && ev->origin.format[0] == 'a' &&
           strcmp(ev->origin.format, "audit") == 0;
}

/* Which kind of source described a session, for its `sources` list. */
unsigned
corr_source_bit(const struct event *ev)
{
    if (corr_is_from_audit(ev)) {
        return SESSION_SRC_AUDIT;
    }
    if (ev->kind == EVENT_NET_SSH) {
        return SESSION_SRC_NETWORK;
    }
    if (corr_is_sshd(ev)) {
        return SESSION_SRC_SSHD;
    }
    return SESSION_SRC_OTHER;
}

/* True for a command of an ESXi shell world (shell.log). */
bool
corr_is_esxi_shell(const struct event *ev)
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

struct sv
corr_session_host(const struct session *s)
{
    return event_str(&s->ev, EVENT_HOST);
}

void
corr_index_put(struct correlator *c, struct hmap *m, struct sv key,
               struct session *s)
{
    if (hmap_put(m, key, s) < 0) {
        c->stats.table_evictions++;
    }
}

/* Removes key from m only when it still points at s. */
void
corr_index_del(struct hmap *m, struct sv key, const struct session *s)
{
    (void)hmap_del_value(m, key, s);
}

static void
index_session(struct correlator *c, struct session *s)
{
    struct key k;
    struct sv host = corr_session_host(s);

    if (s->has_pid) {
        corr_index_put(c, &c->by_pid,
                       corr_make_key_num(&k, host, 'p', s->sshd_pid), s);
    }
    if (s->has_ses) {
        corr_index_put(c, &c->by_ses, corr_make_key_num(&k, host, 's', s->ses),
                       s);
    }
    if (event_has_str(&s->ev, EVENT_SRC_IP) &&
        event_has_num(&s->ev, EVENT_SRC_PORT)) {
        corr_index_put(c, &c->by_port,
                       corr_make_key_port(&k, host,
                                          event_str(&s->ev, EVENT_SRC_IP),
                                          event_num(&s->ev, EVENT_SRC_PORT, 0)),
                       s);
        corr_index_put(c, &c->by_conn,
                       corr_make_key_port(&k, SV_NULL,
                                          event_str(&s->ev, EVENT_SRC_IP),
                                          event_num(&s->ev, EVENT_SRC_PORT, 0)),
                       s);
    }
}

static void
unindex_session(struct correlator *c, struct session *s)
{
    struct key k;
    struct sv host = corr_session_host(s);

    if (s->has_pid) {
        /* by_pid and procs hold the sshd process under one key. */
        struct sv key = corr_make_key_num(&k, host, 'p', s->sshd_pid);
        uint64_t hash = hmap_key_hash(key);
        (void)hmap_del_value_hashed(&c->by_pid, key, hash, s);
        (void)hmap_del_value_hashed(&c->procs, key, hash, s);
    }
    if (s->has_ses) {
        corr_index_del(&c->by_ses, corr_make_key_num(&k, host, 's', s->ses), s);
        if (sesmarks_put(&c->ses_marks,
                         corr_make_key_num(&k, host, 's', s->ses),
                         (uint8_t)corr_marker_ended) > 0) {
            c->stats.table_evictions++;
        }
    }
    if (event_has_str(&s->ev, EVENT_SRC_IP) &&
        event_has_num(&s->ev, EVENT_SRC_PORT)) {
        corr_index_del(&c->by_port,
                       corr_make_key_port(&k, host,
                                          event_str(&s->ev, EVENT_SRC_IP),
                                          event_num(&s->ev, EVENT_SRC_PORT, 0)),
                       s);
        corr_index_del(&c->by_conn,
                       corr_make_key_port(&k, SV_NULL,
                                          event_str(&s->ev, EVENT_SRC_IP),
                                          event_num(&s->ev, EVENT_SRC_PORT, 0)),
                       s);
    }
    /* Every process key the session stored, also those of executions
     * past SESSION_MAX_EXECS and of the user's child process. */
    for (uint32_t i = 0; i < s->nprocs; i++) {
        corr_index_del(&c->procs,
                       corr_make_key_num(&k, host, s->procs[i].tag,
                                         s->procs[i].pid),
                       s);
    }
    s->nprocs = 0;
    /* The executions' keys are in procs[] unless it failed to grow.
     * Only then is each of them looked up here. */
    for (uint32_t i = 0; s->procs_unlisted && i < s->nexecs; i++) {
        const struct event *ev = s->execs[i].ev;
        if (event_has_num(ev, EVENT_PID)) {
            int64_t pid = event_num(ev, EVENT_PID, 0);
            corr_index_del(&c->procs, corr_make_key_num(&k, host, 'p', pid), s);
            corr_index_del(&c->procs, corr_make_key_num(&k, host, 'w', pid), s);
        }
    }
}

/* ---- finished sessions, released in start order ------------------------ */

static void session_release(struct correlator *c, struct session *s);

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
            session_release(c, s);
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
        free((void *)s->execs[i].ev);
    }
    free(s->execs);
    free(s->procs);
    event_fini(&s->ev);
    free(s);
}

/* The maximum freed sessions a correlator keeps for reuse. */
#define SPARE_SESSIONS_MAX 256

/*
 * Frees s, a session no table or list refers to any more.  Up to
 * SPARE_SESSIONS_MAX sessions are kept instead, with the storage of their
 * execution and process arrays and login event, so a new session takes
 * one without allocating.
 */
static void
session_release(struct correlator *c, struct session *s)
{
    if (c->nspare == SPARE_SESSIONS_MAX) {
        session_free(s);
        return;
    }
    for (uint32_t i = 0; i < s->nexecs; i++) {
        free((void *)s->execs[i].ev);
    }
    s->nexecs = 0;
    s->next_open = c->spare;
    c->spare = s;
    c->nspare++;
}

/*
 * Returns a zeroed session with an empty login event, a spare one when
 * the correlator has one, or NULL when memory ran out.  A spare session
 * keeps the storage of its arrays and event, which grow as from empty.
 */
static struct session *
session_take(struct correlator *c)
{
    struct session *s = c->spare;

    if (s == NULL) {
        s = calloc(1, sizeof(*s));
        if (s != NULL) {
            event_init(&s->ev);
        }
        return s;
    }
    c->spare = s->next_open;
    c->nspare--;

    struct session_exec *execs = s->execs;
    uint32_t execs_cap = s->execs_cap;
    struct session_proc *procs = s->procs;
    uint32_t procs_cap = s->procs_cap;
    struct event ev = s->ev;

    memset(s, 0, sizeof(*s));
    s->execs = execs;
    s->execs_cap = execs_cap;
    s->procs = procs;
    s->procs_cap = procs_cap;
    s->ev = ev;
    event_reset(&s->ev);
    return s;
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
        session_release(c, s);
    }
}

/* ---- ended heap: open sessions by end time ----------------------------- */

static bool
ended_before(const struct session *a, const struct session *b)
{
    int cmp = event_time_cmp(&a->end, &b->end);
    return cmp != 0 ? cmp < 0 : a->seq < b->seq;
}

static void
ended_set(struct correlator *c, uint32_t i, struct session *s)
{
    c->ended[i] = s;
    s->ended_pos = i + 1;
}

/* Moves the entry at i towards the root or the leaves to its place. */
static void
ended_fix(struct correlator *c, uint32_t i)
{
    struct session *s = c->ended[i];

    while (i > 0 && ended_before(s, c->ended[(i - 1) / 2])) {
        ended_set(c, i, c->ended[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= c->nended) {
            break;
        }
        if (child + 1 < c->nended &&
            ended_before(c->ended[child + 1], c->ended[child])) {
            child++;
        }
        if (!ended_before(c->ended[child], s)) {
            break;
        }
        ended_set(c, i, c->ended[child]);
        i = child;
    }
    ended_set(c, i, s);
}

/*
 * Adds s to the ended heap, or moves it after its end changed.  When
 * memory runs out, s stays out of the heap and the idle scan finishes it.
 */
static void
ended_update(struct correlator *c, struct session *s)
{
    if (s->ended_pos > 0) {
        ended_fix(c, s->ended_pos - 1);
        return;
    }
    if (c->nended == c->ended_cap) {
        uint32_t cap = c->ended_cap ? c->ended_cap * 2 : 64;
        struct session **grown = realloc(c->ended, cap * sizeof(*grown));
        if (grown == NULL) {
            return;
        }
        c->ended = grown;
        c->ended_cap = cap;
    }
    c->ended[c->nended] = s;
    s->ended_pos = ++c->nended;
    ended_fix(c, c->nended - 1);
}

static void
ended_remove(struct correlator *c, struct session *s)
{
    if (s->ended_pos == 0) {
        return;
    }
    uint32_t i = s->ended_pos - 1;
    s->ended_pos = 0;
    struct session *last = c->ended[--c->nended];
    if (i < c->nended) {
        ended_set(c, i, last);
        ended_fix(c, i);
    }
}

static void
finish_session(struct correlator *c, struct session *s)
{
    ended_remove(c, s);
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

void
corr_add_mark(struct session *s, const struct event *ev)
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

void
corr_touch(struct session *s, const struct event *ev)
{
    if (event_time_cmp(&ev->time, &s->last_activity) > 0) {
        s->last_activity = ev->time;
    }
    s->sources |= corr_source_bit(ev);
}

/*
 * Points the process key (host, tag, pid) at s.  A key on the session's
 * own host is remembered in s, so that unindex_session removes it when s
 * ends.
 */
void
corr_procs_put(struct correlator *c, struct session *s, struct sv host,
               char tag, int64_t pid)
{
    struct key k;

    if (hmap_put(&c->procs, corr_make_key_num(&k, host, tag, pid), s) < 0) {
        c->stats.table_evictions++;
        return;
    }
    if (!sv_eq(host, corr_session_host(s))) {
        return;
    }
    for (uint32_t i = 0; i < s->nprocs; i++) {
        if (s->procs[i].pid == pid && s->procs[i].tag == tag) {
            return;
        }
    }
    if (s->nprocs == s->procs_cap) {
        uint32_t cap = s->procs_cap ? s->procs_cap * 2 : 4;
        struct session_proc *grown = realloc(s->procs, cap * sizeof(*grown));
        if (grown == NULL) {
            s->procs_unlisted = true;
            return;
        }
        s->procs = grown;
        s->procs_cap = cap;
    }
    s->procs[s->nprocs].pid = pid;
    s->procs[s->nprocs].tag = tag;
    s->nprocs++;
}

/* Copies a field from ev into the session when the session lacks it. */
void
corr_fill_str(struct session *s, const struct event *ev, enum event_str f)
{
    if (!event_has_str(&s->ev, f) && event_has_str(ev, f)) {
        event_set_str(&s->ev, f, event_str(ev, f));
    }
}

void
corr_fill_num(struct session *s, const struct event *ev, enum event_num f)
{
    if (!event_has_num(&s->ev, f) && event_has_num(ev, f)) {
        event_set_num(&s->ev, f, event_num(ev, f, 0));
    }
}

/*
 * Moves the executions of a session built without a visible login into the
 * login that turned out to own its audit session: audit and syslog clocks
 * differ by milliseconds, so PAM's own executions may precede the login.
 */
static void
absorb(struct correlator *c, struct session *into, struct session *from)
{
    ended_remove(c, from);
    unindex_session(c, from);
    open_remove(c, from);
    into->execs_failed += from->execs_failed;
    for (uint32_t i = 0; i < from->nexecs; i++) {
        c->stats.execs_linked[from->execs[i].linkage]--;
        corr_add_exec(c, into, from->execs[i].ev, from->execs[i].linkage);
    }
    into->execs_dropped += from->execs_dropped;
    session_release(c, from);
}

void
corr_set_ses(struct correlator *c, struct session *s, int64_t ses)
{
    struct key k;

    if (s->has_ses && s->ses == ses) {
        return;
    }

    /* The new key is looked up, then stored, with one hash.  absorb
     * does not change the session's host, so the key stays valid. */
    struct key nk;
    struct sv key = corr_make_key_num(&nk, corr_session_host(s), 's', ses);
    uint64_t hash = hmap_key_hash(key);
    struct session *other = hmap_get_hashed(&c->by_ses, key, hash);
    if (other != NULL && other != s && !other->login_seen) {
        absorb(c, s, other);
    }
    if (s->has_ses) {
        corr_index_del(&c->by_ses,
                       corr_make_key_num(&k, corr_session_host(s), 's', s->ses),
                       s);
    }
    s->has_ses = true;
    s->ses = ses;
    if (hmap_put_hashed(&c->by_ses, key, hash, s) < 0) {
        c->stats.table_evictions++;
    }
}

static void
apply_failures(struct correlator *c, struct session *s)
{
    struct sv addr = event_str(&s->ev, EVENT_SRC_IP);

    if (addr.p == NULL) {
        return;
    }

    c->stats.table_evictions += failtab_flush(&c->failures);
    struct failure_count *f =
        failtab_get(&c->failures, corr_session_host(s), addr);
    if (f == NULL || event_time_ms(&s->start) - event_time_ms(&f->last) >
                         c->opts.failure_span_ms) {
        return;
    }
    s->failures_before = f->sshd > f->audit ? f->sshd : f->audit;
    s->invalid_users_before = f->invalid_users;
    s->first_failure = f->first;
}

struct session *
corr_new_session(struct correlator *c, const struct event *ev)
{
    if (c->nopen >= c->opts.max_sessions && c->open_head != NULL) {
        /* The oldest open session makes room; it is reported, not lost. */
        c->stats.sessions_evicted++;
        finish_session(c, c->open_head);
    }

    struct session *s = session_take(c);
    if (s == NULL) {
        return NULL;
    }
    s->seq = c->next_seq++;
    s->start = ev->time;
    s->last_activity = ev->time;
    event_set_str(&s->ev, EVENT_HOST, event_str(ev, EVENT_HOST));
    s->ev.time = ev->time;
    s->ev.origin = ev->origin;
    session_note_platform(s, ev);
    open_insert(c, s);
    return s;
}

/* Takes the login facts of ev into s. */
static void
merge_login(struct correlator *c, struct session *s, const struct event *ev)
{
    static const enum event_str strs[] = {
        EVENT_USER,   EVENT_SRC_IP, EVENT_AUTH_METHOD,  EVENT_KEY_TYPE,
        EVENT_KEY_FP, EVENT_TTY,    EVENT_SESSION_TYPE,
    };
    bool had_port = event_has_num(&s->ev, EVENT_SRC_PORT);

    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        corr_fill_str(s, ev, strs[i]);
    }
    if (!corr_is_from_audit(ev) || !event_has_str(&s->ev, EVENT_PROGRAM)) {
        corr_fill_str(s, ev, EVENT_PROGRAM);
    }
    corr_fill_num(s, ev, EVENT_UID);
    corr_fill_num(s, ev, EVENT_SRC_PORT);
    session_note_platform(s, ev);

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

struct session *
corr_find_by_pid(struct correlator *c, const struct event *ev)
{
    struct key k;

    if (!event_has_num(ev, EVENT_PID)) {
        return NULL;
    }
    return hmap_get(&c->by_pid,
                    corr_make_key_num(&k, event_str(ev, EVENT_HOST), 'p',
                                      event_num(ev, EVENT_PID, 0)));
}

struct session *
corr_find_by_ses(struct correlator *c, const struct event *ev)
{
    struct key k;

    if (!corr_has_audit_session(ev)) {
        return NULL;
    }
    return hmap_get(&c->by_ses,
                    corr_make_key_num(&k, event_str(ev, EVENT_HOST), 's',
                                      event_num(ev, EVENT_SES, 0)));
}

struct session *
corr_find_by_port(struct correlator *c, const struct event *ev)
{
    struct key k;

    if (!event_has_str(ev, EVENT_SRC_IP) ||
        !event_has_num(ev, EVENT_SRC_PORT)) {
        return NULL;
    }
    return hmap_get(&c->by_port,
                    corr_make_key_port(&k, event_str(ev, EVENT_HOST),
                                       event_str(ev, EVENT_SRC_IP),
                                       event_num(ev, EVENT_SRC_PORT, 0)));
}

/* Finds the open session an event of an existing login belongs to. */
struct session *
corr_find_session(struct correlator *c, const struct event *ev)
{
    struct session *s = corr_find_by_pid(c, ev);

    if (s == NULL) {
        s = corr_find_by_ses(c, ev);
    }
    if (s == NULL) {
        s = corr_find_by_port(c, ev);
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
    struct session *s = corr_find_session(c, ev);

    if (s != NULL && s->login_seen && is_other_login(s, ev)) {
        finish_session(c, s);
        s = NULL;
    }
    if (s == NULL) {
        s = corr_new_session(c, ev);
        if (s == NULL) {
            return;
        }
    }
    if (!s->login_seen) {
        corr_mark_ssh_enabled(c, s);
    }
    s->login_seen = true;
    if (event_has_num(ev, EVENT_PID) && !s->has_pid) {
        s->has_pid = true;
        s->sshd_pid = event_num(ev, EVENT_PID, 0);
    }
    merge_login(c, s, ev);
    if (corr_has_audit_session(ev)) {
        corr_set_ses(c, s, event_num(ev, EVENT_SES, 0));
    }
    index_session(c, s);

    /* A LOGIN record seen before the login's other records.  Only a
     * session without an audit session id takes it, so the others skip
     * the lookup. */
    struct key k;
    if (s->has_pid && !s->has_ses) {
        struct pending_login *p =
            fifomap_get(&c->pending, corr_make_key_num(&k, corr_session_host(s),
                                                       'p', s->sshd_pid));
        if (p != NULL) {
            corr_set_ses(c, s, p->ses);
            if (!event_has_num(&s->ev, EVENT_UID)) {
                event_set_num(&s->ev, EVENT_UID, p->auid);
            }
        }
    }
    if (ev->kind == EVENT_AUTH_SUCCESS || s->failures_before == 0) {
        apply_failures(c, s);
    }
    corr_touch(s, ev);
    corr_add_mark(s, ev);
}

/* Audit LOGIN: pam_loginuid gave process pid a login uid and a session. */
static void
on_login_assign(struct correlator *c, const struct event *ev)
{
    struct session *s = corr_find_by_pid(c, ev);
    struct key k;

    if (!corr_has_audit_session(ev) || !event_has_num(ev, EVENT_PID)) {
        return;
    }
    if (s != NULL) {
        corr_set_ses(c, s, event_num(ev, EVENT_SES, 0));
        if (event_has_num(ev, EVENT_AUID)) {
            event_set_num(&s->ev, EVENT_UID, event_num(ev, EVENT_AUID, 0));
        }
        corr_touch(s, ev);
        corr_add_mark(s, ev);
        return;
    }

    struct pending_login *p = malloc(sizeof(*p));
    if (p == NULL) {
        return;
    }
    p->auid = event_num(ev, EVENT_AUID, EVENT_AUDIT_UNSET);
    p->ses = event_num(ev, EVENT_SES, 0);
    p->time = ev->time;
    struct sv key = corr_make_key_num(&k, event_str(ev, EVENT_HOST), 'p',
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

    if (!corr_has_audit_session(ev) || corr_find_by_ses(c, ev) != NULL) {
        return;
    }
    struct sv key = corr_make_key_num(&k, event_str(ev, EVENT_HOST), 's',
                                      event_num(ev, EVENT_SES, 0));
    if (sesmarks_get(&c->ses_marks, key) == 0 &&
        sesmarks_put(&c->ses_marks, key, (uint8_t)corr_marker_other_login) >
            0) {
        c->stats.table_evictions++;
    }
}

static void
on_session_end(struct correlator *c, const struct event *ev)
{
    struct session *s = corr_find_session(c, ev);

    /* ESXi's "Session closed for 'root'" carries only the user. */
    if (s == NULL && !event_has_num(ev, EVENT_PID) &&
        !event_has_num(ev, EVENT_SRC_PORT)) {
        s = corr_find_user_session(c, event_str(ev, EVENT_HOST),
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
        corr_fill_str(s, ev, EVENT_USER);
        corr_fill_str(s, ev, EVENT_SRC_IP);
    }
    s->has_end = true;
    ended_update(c, s);
    corr_touch(s, ev);
    corr_add_mark(s, ev);
}

static void
on_failure(struct correlator *c, const struct event *ev)
{
    struct sv addr = event_str(ev, EVENT_SRC_IP);

    if (addr.p == NULL) {
        return;
    }

    enum failure_source source = ev->kind == EVENT_INVALID_USER
                                     ? FAILURE_INVALID_USER
                                 : corr_is_from_audit(ev) ? FAILURE_AUDIT
                                                          : FAILURE_SSHD;
    c->stats.table_evictions += failtab_count(
        &c->failures, event_str(ev, EVENT_HOST), addr, &ev->time, source);
}

/* ---- time -------------------------------------------------------------- */

static bool
failure_is_stale(const struct failure_count *f, void *arg)
{
    const struct correlator *c = arg;

    return event_time_ms(&c->watermark) - event_time_ms(&f->last) >
           c->opts.failure_span_ms;
}

/*
 * True for a LOGIN record no login claimed within the failure span: the
 * login's own records arrive within seconds of it, so the entry is spent.
 */
static bool
pending_is_stale(const void *value, void *arg)
{
    const struct pending_login *p = value;
    const struct correlator *c = arg;

    return event_time_ms(&c->watermark) - event_time_ms(&p->time) >
           c->opts.failure_span_ms;
}

static void
finish_due(struct correlator *c)
{
    int64_t now = event_time_ms(&c->watermark);
    bool idle_scan = now - c->last_idle_scan_ms >= 60 * 1000;

    if (idle_scan) {
        c->last_idle_scan_ms = now;
        /* Failures older than the span can no longer count for a login. */
        c->stats.table_evictions += failtab_flush(&c->failures);
        failtab_drop_stale(&c->failures, failure_is_stale, c);
        fifomap_drop_stale(&c->pending, pending_is_stale, c);
    }
    /* Ended sessions past the grace time, earliest end first. */
    while (c->nended > 0 &&
           now - event_time_ms(&c->ended[0]->end) > c->opts.grace_ms) {
        finish_session(c, c->ended[0]);
    }
    /* Once a minute of event time: every open session, for idleness and
     * for an ended session the heap could not take. */
    if (idle_scan) {
        struct session *s = c->open_head;
        while (s != NULL) {
            struct session *next = s->next_open;
            if (s->has_end &&
                now - event_time_ms(&s->end) > c->opts.grace_ms) {
                finish_session(c, s);
            } else if (now - event_time_ms(&s->last_activity) >
                       c->opts.idle_ms) {
                c->stats.sessions_idle++;
                finish_session(c, s);
            }
            s = next;
        }
    }
    release_done(c, false);
}

static void
advance(struct correlator *c, const struct event *ev)
{
    if (!c->has_watermark) {
        c->watermark = ev->time;
        c->has_watermark = true;
        c->last_idle_scan_ms = event_time_ms(&ev->time);
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
    if (sesmarks_init(&c->ses_marks, opts->max_sources) < 0 ||
        failtab_init(&c->failures, opts->max_sources,
                     opts->failure_span_ms) < 0 ||
        fifomap_init(&c->pending, opts->max_sources, free) < 0 ||
        fifomap_init(&c->ssh_enabled, opts->max_sources, free) < 0) {
        correlator_free(c);
        return NULL;
    }
    return c;
}

/* Prints the size of every table, for tracing memory growth. */
static void
print_table_sizes(const struct correlator *c)
{
    fprintf(stderr,
            "sshtrail: correlator tables: open %u, done %u (room %u), "
            "by_pid %zu, by_ses %zu, by_port %zu, by_conn %zu, procs %zu, "
            "ssh_enabled %zu, ses_marks %zu, failures %zu, pending %zu\n",
            c->nopen, c->ndone, c->done_cap, c->by_pid.count,
            c->by_ses.count, c->by_port.count, c->by_conn.count,
            c->procs.count, c->ssh_enabled.count, c->ses_marks.tab.count,
            c->failures.tab.count, c->pending.count);
}

void
correlator_free(struct correlator *c)
{
    if (c == NULL) {
        return;
    }
    if (getenv("SSHTRAIL_TABLE_SIZES") != NULL) {
        print_table_sizes(c);
    }
    while (c->open_head != NULL) {
        struct session *s = c->open_head;
        open_remove(c, s);
        session_free(s);
    }
    while (c->ndone > 0) {
        session_free(done_pop(c));
    }
    while (c->spare != NULL) {
        struct session *s = c->spare;
        c->spare = s->next_open;
        session_free(s);
    }
    free(c->done);
    free(c->ended);
    hmap_fini(&c->by_pid);
    hmap_fini(&c->by_ses);
    hmap_fini(&c->by_port);
    hmap_fini(&c->by_conn);
    fifomap_fini(&c->ssh_enabled);
    hmap_fini(&c->procs);
    sesmarks_fini(&c->ses_marks);
    failtab_fini(&c->failures);
    fifomap_fini(&c->pending);
    free(c);
}

/* ---- dispatch by kind --------------------------------------------------- */

static void
feed_auth_success(struct correlator *c, const struct event *ev)
{
    if (corr_is_sshd(ev) && !corr_is_from_audit(ev)) {
        on_login(c, ev);
    }
}

static void
feed_user_login(struct correlator *c, const struct event *ev)
{
    if (corr_is_sshd(ev)) {
        on_login(c, ev);
    } else {
        mark_other_login(c, ev);
    }
}

static void
feed_session_open(struct correlator *c, const struct event *ev)
{
    bool sshd = corr_is_sshd(ev);
    struct session *s;

    if (sshd && corr_is_from_audit(ev)) {
        on_login(c, ev);
        if ((s = corr_find_session(c, ev)) != NULL) {
            corr_measure_skew(c, s, ev);
        }
    } else if (sshd && (s = corr_find_session(c, ev)) != NULL) {
        corr_fill_num(s, ev, EVENT_UID);
        corr_touch(s, ev);
        corr_add_mark(s, ev);
        corr_measure_skew(c, s, ev);
    } else if (!sshd) {
        mark_other_login(c, ev);
    }
}

static void
feed_user_child(struct correlator *c, const struct event *ev)
{
    struct session *s = corr_find_by_pid(c, ev);

    if (s != NULL && event_has_num(ev, EVENT_CHILD_PID)) {
        corr_procs_put(c, s, corr_session_host(s), 'p',
                       event_num(ev, EVENT_CHILD_PID, 0));
        corr_touch(s, ev);
    }
}

static void
feed_session_start(struct correlator *c, const struct event *ev)
{
    struct session *s = corr_find_session(c, ev);

    if (s != NULL) {
        merge_login(c, s, ev);
        corr_touch(s, ev);
        corr_add_mark(s, ev);
    }
}

static void
feed_session_end(struct correlator *c, const struct event *ev)
{
    if (corr_is_sshd(ev)) {
        on_session_end(c, ev);
    }
}

static void
feed_failure(struct correlator *c, const struct event *ev)
{
    if (corr_is_sshd(ev)) {
        on_failure(c, ev);
    }
}

static void
feed_other_login(struct correlator *c, const struct event *ev)
{
    if (!corr_is_sshd(ev)) {
        mark_other_login(c, ev);
    }
}

/*
 * What correlator_feed does with each kind.  A kind without an entry only
 * counts and moves the watermark, so its fields are never read (see
 * correlator_time_only).
 */
static void (*const feed_by_kind[EVENT_KIND_COUNT])(struct correlator *,
                                                    const struct event *) = {
    [EVENT_AUTH_SUCCESS] = feed_auth_success,
    [EVENT_USER_LOGIN] = feed_user_login,
    [EVENT_SESSION_OPEN] = feed_session_open,
    [EVENT_LOGIN_ASSIGN] = on_login_assign,
    [EVENT_USER_CHILD] = feed_user_child,
    [EVENT_SESSION_START] = feed_session_start,
    [EVENT_SESSION_CLOSE] = feed_session_end,
    [EVENT_DISCONNECT] = feed_session_end,
    [EVENT_USER_LOGOUT] = feed_session_end,
    [EVENT_AUTH_FAILURE] = feed_failure,
    [EVENT_INVALID_USER] = feed_failure,
    [EVENT_CRED_ACQUIRE] = feed_other_login,
    [EVENT_ACCT_CHECK] = feed_other_login,
    [EVENT_EXEC] = corr_on_exec,
    [EVENT_NET_SSH] = corr_on_net_ssh,
    [EVENT_SSH_ENABLED] = corr_on_ssh_enabled,
};

bool
correlator_time_only(enum event_kind kind)
{
    return (unsigned)kind >= EVENT_KIND_COUNT || feed_by_kind[kind] == NULL;
}

struct event_needs
correlator_needs(void)
{
    struct event_needs n = { 0, 0 };

    for (int k = 0; k < EVENT_KIND_COUNT; k++) {
        if (correlator_time_only((enum event_kind)k)) {
            n.time_only |= UINT64_C(1) << k;
        }
    }
    /* feed_failure reads the program (corr_is_sshd), and on_failure the
     * host, the source address and the origin's format. */
    n.source_only = UINT64_C(1) << EVENT_AUTH_FAILURE |
                    UINT64_C(1) << EVENT_INVALID_USER;
    return n;
}

void
correlator_feed(struct correlator *c, const struct event *ev)
{
    c->stats.events++;
    advance(c, ev);
    if (!correlator_time_only(ev->kind)) {
        feed_by_kind[ev->kind](c, ev);
    }
}

void
correlator_finish(struct correlator *c)
{
    c->stats.table_evictions += failtab_flush(&c->failures);
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
