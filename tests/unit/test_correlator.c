/*
 * Unit tests for what the correlator reads of each kind.  The kinds that
 * build sessions are not time-only, and the others are.  Time-only events
 * without fields, and failures with only their host, program and source
 * address, finish the same sessions with the same counts as events with
 * every field.
 */
#include "correlate/correlator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/output.h"

#include "tcheck.h"

static void
session_kinds_are_read(void)
{
    static const enum event_kind read[] = {
        EVENT_AUTH_SUCCESS, EVENT_AUTH_FAILURE, EVENT_INVALID_USER,
        EVENT_SESSION_OPEN, EVENT_SESSION_CLOSE, EVENT_DISCONNECT,
        EVENT_EXEC,         EVENT_SESSION_START, EVENT_LOGIN_ASSIGN,
        EVENT_USER_LOGIN,   EVENT_USER_LOGOUT,  EVENT_USER_CHILD,
        EVENT_NET_SSH,      EVENT_SSH_ENABLED,  EVENT_ACCT_CHECK,
        EVENT_CRED_ACQUIRE,
    };
    static const enum event_kind time_only[] = {
        EVENT_PREAUTH_CLOSE, EVENT_MAX_AUTH,    EVENT_CONNECTION,
        EVENT_BOOT,          EVENT_RUNLEVEL,    EVENT_CRED_DISPOSE,
        EVENT_SSH_DISABLED,  EVENT_OTHER_LOGIN,
    };

    for (size_t i = 0; i < sizeof(read) / sizeof(read[0]); i++) {
        CHECK(!correlator_time_only(read[i]));
    }
    for (size_t i = 0; i < sizeof(time_only) / sizeof(time_only[0]); i++) {
        CHECK(correlator_time_only(time_only[i]));
    }
    CHECK(correlator_time_only(EVENT_KIND_COUNT));

    struct event_needs n = correlator_needs();
    uint64_t failures = UINT64_C(1) << EVENT_AUTH_FAILURE |
                        UINT64_C(1) << EVENT_INVALID_USER;
    CHECK(n.source_only == failures);
    CHECK((n.time_only & n.source_only) == 0);
    CHECK(n.time_only >> EVENT_PREAUTH_CLOSE & 1);
    CHECK(!(n.time_only >> EVENT_AUTH_SUCCESS & 1));
}

/* What a finished session shows, for comparing two runs. */
struct finished {
    char user[32];
    int64_t start_sec;
    int64_t end_sec;
    uint64_t failures_before;
    uint64_t invalid_users_before;
};

struct capture {
    struct finished s[16];
    int n;
};

static void
capture_done(void *arg, const struct session *s)
{
    struct capture *c = arg;

    if (c->n == 16) {
        return;
    }
    struct finished *f = &c->s[c->n++];
    struct sv user = event_str(&s->ev, EVENT_USER);
    snprintf(f->user, sizeof(f->user), "%.*s", (int)user.len, user.p);
    f->start_sec = s->start.sec;
    f->end_sec = s->has_end ? s->end.sec : -1;
    f->failures_before = s->failures_before;
    f->invalid_users_before = s->invalid_users_before;
}

/* How many fields make_event fills. */
enum fields { FIELDS_ALL, FIELDS_SOURCE, FIELDS_NONE };

/* Makes an sshd event of kind at second sec: with every field, with the
 * host, program and source address only, or with none. */
static void
make_event(struct event *ev, enum event_kind kind, int64_t sec, int pid,
           enum fields fields)
{
    static const struct event_origin origin = { "sshd", "auth.log", 1 };

    event_reset(ev);
    ev->kind = kind;
    ev->time.sec = sec;
    ev->origin = origin;
    if (kind == EVENT_AUTH_SUCCESS) {
        ev->result = EVENT_RESULT_SUCCESS;
    } else if (kind == EVENT_AUTH_FAILURE) {
        ev->result = EVENT_RESULT_FAILURE;
    }
    if (fields == FIELDS_NONE) {
        return;
    }
    event_set_str(ev, EVENT_HOST, SV_LIT("web1"));
    event_set_str(ev, EVENT_PROGRAM, SV_LIT("sshd"));
    event_set_str(ev, EVENT_SRC_IP, SV_LIT("192.0.2.7"));
    if (fields == FIELDS_SOURCE) {
        return;
    }
    event_set_str(ev, EVENT_USER, SV_LIT("alice"));
    event_set_str(ev, EVENT_AUTH_METHOD, SV_LIT("password"));
    event_set_num(ev, EVENT_PID, pid);
    event_set_num(ev, EVENT_SRC_PORT, 40000 + pid);
}

/*
 * Feeds failures, a login, closes before login over several hours and a
 * disconnect, with the failures and closes sparse or with every field,
 * and returns what finished.
 */
static void
run_sequence(bool sparse, struct capture *cap, struct correlator_stats *stats)
{
    struct correlator_opts o;
    struct session_sink sink = { capture_done, cap };
    struct event ev;

    correlator_opts_default(&o);
    struct correlator *c = correlator_new(&o, &sink);
    CHECK(c != NULL);
    if (c == NULL) {
        return;
    }
    event_init(&ev);
    int64_t t = 1700000000;
    for (int i = 0; i < 3; i++) {
        make_event(&ev, i == 1 ? EVENT_INVALID_USER : EVENT_AUTH_FAILURE,
                   t + i, 100 + i, sparse ? FIELDS_SOURCE : FIELDS_ALL);
        correlator_feed(c, &ev);
        make_event(&ev, EVENT_PREAUTH_CLOSE, t + i, 100 + i,
                   sparse ? FIELDS_NONE : FIELDS_ALL);
        correlator_feed(c, &ev);
    }
    make_event(&ev, EVENT_AUTH_SUCCESS, t + 10, 200, FIELDS_ALL);
    correlator_feed(c, &ev);
    /* Closes before login from other connections, for hours. */
    for (int i = 0; i < 400; i++) {
        make_event(&ev, EVENT_PREAUTH_CLOSE, t + 20 + 60 * i, 300 + i,
                   sparse ? FIELDS_NONE : FIELDS_ALL);
        correlator_feed(c, &ev);
    }
    make_event(&ev, EVENT_DISCONNECT, t + 30, 200, FIELDS_ALL);
    correlator_feed(c, &ev);
    correlator_finish(c);
    *stats = *correlator_stats(c);
    correlator_free(c);
    event_fini(&ev);
}

static void
sparse_events_change_nothing(void)
{
    struct capture full = { .n = 0 }, bare = { .n = 0 };
    struct correlator_stats full_stats, bare_stats;

    run_sequence(false, &full, &full_stats);
    run_sequence(true, &bare, &bare_stats);
    CHECK(full.n >= 1);
    CHECK_INT(bare.n, full.n);
    CHECK(memcmp(&full_stats, &bare_stats, sizeof(full_stats)) == 0);
    for (int i = 0; i < full.n && i < bare.n; i++) {
        CHECK_STR(bare.s[i].user, full.s[i].user);
        CHECK(bare.s[i].start_sec == full.s[i].start_sec);
        CHECK(bare.s[i].end_sec == full.s[i].end_sec);
        CHECK(bare.s[i].failures_before == full.s[i].failures_before);
        CHECK(bare.s[i].invalid_users_before ==
              full.s[i].invalid_users_before);
    }
    CHECK(full.s[0].failures_before == 2);
    CHECK(full.s[0].invalid_users_before == 1);
}

/* Appends the JSON line of a finished session to the buffer arg. */
static void
json_done(void *arg, const struct session *s)
{
    struct output_opts o = { "test", NULL };

    output_session_json(arg, s, &o);
}

/*
 * Feeds login number i: a login with an audit session, then, for every
 * other i, executions linked through it, and a disconnect.  Logins of
 * one run differ in pid, port, user and audit session, so they do not
 * share sessions.
 */
static void
feed_login(struct correlator *c, struct event *ev, int i)
{
    static const struct event_origin origin = { "sshd", "auth.log", 1 };
    int64_t t = 1700000000 + (int64_t)i * 100;
    char user[16];

    snprintf(user, sizeof(user), "user%d", i);
    make_event(ev, EVENT_AUTH_SUCCESS, t, 1000 + i, FIELDS_ALL);
    event_set_str(ev, EVENT_USER, sv_cstr(user));
    event_set_num(ev, EVENT_SES, 5000 + i);
    event_set_num(ev, EVENT_UID, 1000 + i);
    if (i % 2 == 0) {
        event_set_str(ev, EVENT_TTY, SV_LIT("ssh"));
    }
    correlator_feed(c, ev);
    for (int k = 0; i % 2 == 1 && k < 12; k++) {
        event_reset(ev);
        ev->kind = EVENT_EXEC;
        ev->time.sec = t + 1 + k;
        ev->origin = origin;
        event_set_str(ev, EVENT_HOST, SV_LIT("web1"));
        event_set_num(ev, EVENT_SES, 5000 + i);
        event_set_num(ev, EVENT_AUID, 1000 + i);
        event_set_num(ev, EVENT_PID, 20000 + i * 16 + k);
        event_set_num(ev, EVENT_PPID, 1000 + i);
        event_set_str(ev, EVENT_EXE, SV_LIT("/bin/ls"));
        event_add_arg(ev, SV_LIT("ls"));
        correlator_feed(c, ev);
    }
    make_event(ev, EVENT_DISCONNECT, t + 50, 1000 + i, FIELDS_ALL);
    correlator_feed(c, ev);
}

/*
 * A correlator that has finished many sessions, some with executions,
 * processes and timelines, reuses their storage for new ones.  Every
 * session must come out as it does from a correlator fed only its
 * own login.
 */
static void
reused_sessions_start_empty(void)
{
    enum { N = 700 };
    struct correlator_opts o;
    struct buf all, one;
    struct session_sink sink_all = { json_done, &all };
    struct session_sink sink_one = { json_done, &one };
    struct event ev;

    correlator_opts_default(&o);
    event_init(&ev);
    buf_init(&all, 64u * 1024 * 1024);
    buf_init(&one, 64u * 1024 * 1024);

    struct correlator *c = correlator_new(&o, &sink_all);
    CHECK(c != NULL);
    for (int i = 0; c != NULL && i < N; i++) {
        feed_login(c, &ev, i);
    }
    correlator_finish(c);
    correlator_free(c);

    for (int i = 0; i < N; i++) {
        c = correlator_new(&o, &sink_one);
        CHECK(c != NULL);
        if (c == NULL) {
            break;
        }
        feed_login(c, &ev, i);
        correlator_finish(c);
        correlator_free(c);
    }
    CHECK_INT(all.dropped, 0);
    CHECK_INT(one.dropped, 0);
    CHECK_INT(all.len, one.len);
    CHECK(all.len == one.len && memcmp(all.data, one.data, all.len) == 0);
    buf_add_char(&all, '\0');
    CHECK(strstr(all.data, "\"executions\":[{") != NULL);

    buf_fini(&all);
    buf_fini(&one);
    event_fini(&ev);
}

int
main(void)
{
    TEST_RUN("correlator", session_kinds_are_read);
    TEST_RUN("correlator", sparse_events_change_nothing);
    TEST_RUN("correlator", reused_sessions_start_empty);
    TEST_EXIT();
}
