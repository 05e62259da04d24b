/*
 * Tests of session scoring: reason order, the cap at 100, severity
 * thresholds and weights, and the scoring context that adds baseline
 * reasons: replays give identical reasons, a second login from the same
 * source is no longer first seen, and a state file carries the baselines
 * to the next run.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "score/score.h"
#include "tcheck.h"

/* 2024-03-01T10:00:00Z */
#define T0 1709287200LL

struct login {
    const char *host, *user, *src, *method;
    int64_t sec;
    const char *exe;            /* one execution 5 s in, or NULL */
};

static void
session_make(struct session *s, const struct login *l)
{
    memset(s, 0, sizeof(*s));
    event_init(&s->ev);
    s->ev.kind = EVENT_AUTH_SUCCESS;
    s->login_seen = true;
    s->start.sec = l->sec;
    event_set_str(&s->ev, EVENT_HOST, sv_cstr(l->host));
    event_set_str(&s->ev, EVENT_USER, sv_cstr(l->user));
    event_set_str(&s->ev, EVENT_SRC_IP, sv_cstr(l->src));
    event_set_str(&s->ev, EVENT_AUTH_METHOD, sv_cstr(l->method));
    if (l->exe != NULL) {
        s->execs = calloc(1, sizeof(*s->execs));
        event_init(&s->execs[0].ev);
        s->execs[0].ev.kind = EVENT_EXEC;
        s->execs[0].ev.time.sec = l->sec + 5;
        event_set_str(&s->execs[0].ev, EVENT_EXE, sv_cstr(l->exe));
        s->nexecs = 1;
    }
}

static void
session_free(struct session *s)
{
    for (uint32_t i = 0; i < s->nexecs; i++) {
        event_fini(&s->execs[i].ev);
    }
    free(s->execs);
    event_fini(&s->ev);
}

static bool
has_reason(const struct score *sc, enum score_reason_code code)
{
    for (int i = 0; i < sc->nreasons; i++) {
        if (sc->reasons[i].code == code) {
            return true;
        }
    }
    return false;
}

static void
test_session_reasons_ordered(void)
{
    struct score_opts o;
    struct score sc;
    struct session s;
    struct login l = { "web01", "root", "203.0.113.50", "password", T0,
                       "/usr/bin/id" };

    score_opts_default(&o);
    session_make(&s, &l);
    s.failures_before = 3;
    s.first_failure.sec = T0 - 30;
    score_session(&s, &o, &sc);

    /* 30 + 25 + 20 + 10 = 85. */
    CHECK_INT(sc.nreasons, 4);
    CHECK_INT(sc.reasons[0].code, REASON_PRIVILEGED_ACCOUNT);
    CHECK_INT(sc.reasons[1].code, REASON_FAILURES_BEFORE_SUCCESS);
    CHECK_INT(sc.reasons[2].code, REASON_EXEC_IN_WINDOW);
    CHECK_INT(sc.reasons[3].code, REASON_PASSWORD_AUTH);
    for (int i = 1; i < sc.nreasons; i++) {
        CHECK(sc.reasons[i - 1].weight >= sc.reasons[i].weight);
    }
    CHECK_INT(sc.total, 85);
    CHECK_INT(sc.severity_id, 5);
    CHECK_STR(score_severity_name(sc.severity_id), "Critical");
    session_free(&s);
}

static void
test_total_capped_at_100(void)
{
    struct score_opts o;
    struct score sc;
    struct session s;
    struct login l = { "web01", "root", "203.0.113.50", "password", T0,
                       "/usr/bin/id" };

    score_opts_default(&o);
    o.weights[REASON_PASSWORD_AUTH] = 90;
    session_make(&s, &l);
    score_session(&s, &o, &sc);
    CHECK_INT(sc.total, 100);
    CHECK_INT(sc.reasons[0].code, REASON_PASSWORD_AUTH);
    session_free(&s);
}

static void
test_weights_and_thresholds(void)
{
    struct score_opts o;
    struct score sc;
    struct session s;
    struct login l = { "web01", "alice", "203.0.113.50", "password", T0,
                       NULL };

    score_opts_default(&o);
    session_make(&s, &l);
    score_session(&s, &o, &sc);
    CHECK_INT(sc.total, 10);
    CHECK_INT(sc.severity_id, 1);

    o.thresholds[0] = 5;
    o.thresholds[1] = 10;
    score_session(&s, &o, &sc);
    CHECK_INT(sc.severity_id, 3);
    CHECK_STR(score_severity_name(sc.severity_id), "Medium");

    /* Weight 0 turns a reason off. */
    o.weights[REASON_PASSWORD_AUTH] = 0;
    score_session(&s, &o, &sc);
    CHECK_INT(sc.nreasons, 0);
    CHECK_INT(sc.total, 0);
    session_free(&s);
}

static const struct login two_runs[] = {
    { "web01", "alice", "203.0.113.50", "publickey", T0, "/usr/bin/id" },
    { "web01", "alice", "203.0.113.50", "publickey", T0 + 600,
      "/usr/bin/ls" },
    { "web02", "alice", "203.0.113.50", "publickey", T0 + 900, NULL },
    { "web01", "bob", "198.51.100.7", "password", T0 + 1200, "/tmp/x" },
    { "web01", "alice", "198.51.100.7", "password", T0 + 1800,
      "/usr/bin/curl" },
};

#define NRUNS (sizeof(two_runs) / sizeof(two_runs[0]))

static void
score_all(struct score_ctx *c, struct score *out)
{
    char err[512];

    for (size_t i = 0; i < NRUNS; i++) {
        struct session s;
        session_make(&s, &two_runs[i]);
        CHECK_INT(score_ctx_session(c, &s, &out[i], err, sizeof(err)), 0);
        session_free(&s);
    }
}

static void
test_replay_gives_same_reasons(void)
{
    struct score_opts o;
    struct score_ctx *a, *b;
    struct score first[NRUNS], second[NRUNS];
    char err[512];

    score_opts_default(&o);
    CHECK_INT(score_ctx_new(&a, &o, NULL, NULL, err, sizeof(err)), 0);
    CHECK_INT(score_ctx_new(&b, &o, NULL, NULL, err, sizeof(err)), 0);
    score_all(a, first);
    score_all(b, second);
    for (size_t i = 0; i < NRUNS; i++) {
        CHECK_INT(first[i].total, second[i].total);
        CHECK_INT(first[i].nreasons, second[i].nreasons);
        for (int r = 0; r < first[i].nreasons; r++) {
            CHECK_INT(first[i].reasons[r].code, second[i].reasons[r].code);
            CHECK_STR(first[i].reasons[r].evidence,
                      second[i].reasons[r].evidence);
        }
    }

    /* What the sequence raises, login by login. */
    CHECK(has_reason(&first[0], REASON_FIRST_SEEN_SOURCE_HOST));
    CHECK(has_reason(&first[0], REASON_NEVER_SEEN_SOURCE));
    CHECK(has_reason(&first[0], REASON_NEW_ACCOUNT_ON_HOST));
    CHECK(!has_reason(&first[1], REASON_FIRST_SEEN_SOURCE_HOST));
    CHECK(has_reason(&first[1], REASON_NEW_EXE_FOR_ACCOUNT));
    CHECK(has_reason(&first[2], REASON_FIRST_SEEN_SOURCE_HOST));
    CHECK(!has_reason(&first[2], REASON_NEVER_SEEN_SOURCE));
    CHECK(has_reason(&first[4], REASON_NEW_SOURCE_FOR_ACCOUNT));
    CHECK(!has_reason(&first[4], REASON_NEVER_SEEN_SOURCE));
    for (size_t i = 0; i < NRUNS; i++) {
        for (int r = 1; r < first[i].nreasons; r++) {
            CHECK(first[i].reasons[r - 1].weight >=
                  first[i].reasons[r].weight);
        }
    }
    CHECK_INT(score_ctx_close(a, err, sizeof(err)), 0);
    CHECK_INT(score_ctx_close(b, err, sizeof(err)), 0);
}

static void
test_second_login_not_first_seen(void)
{
    struct score_opts o;
    struct score_ctx *c;
    struct score sc;
    struct session s;
    struct login l = { "web01", "alice", "203.0.113.50", "publickey", T0,
                       "/usr/bin/id" };
    char err[512];

    score_opts_default(&o);
    CHECK_INT(score_ctx_new(&c, &o, NULL, NULL, err, sizeof(err)), 0);
    session_make(&s, &l);
    CHECK_INT(score_ctx_session(c, &s, &sc, err, sizeof(err)), 0);
    CHECK(has_reason(&sc, REASON_FIRST_SEEN_SOURCE_HOST));
    /* 15 + 15 + 15 + 20 = 65: High. */
    CHECK_INT(sc.total, 65);
    CHECK_INT(sc.severity_id, 4);
    session_free(&s);

    l.sec += 3600;
    session_make(&s, &l);
    CHECK_INT(score_ctx_session(c, &s, &sc, err, sizeof(err)), 0);
    CHECK(!has_reason(&sc, REASON_FIRST_SEEN_SOURCE_HOST));
    CHECK(!has_reason(&sc, REASON_NEVER_SEEN_SOURCE));
    CHECK_INT(sc.nreasons, 1);
    CHECK_INT(sc.reasons[0].code, REASON_EXEC_IN_WINDOW);
    CHECK_INT(sc.total, 20);
    session_free(&s);
    score_ctx_close(c, err, sizeof(err));
}

static void
test_state_file_carries_over(void)
{
    char path[] = "/tmp/sshtrail-score-XXXXXX";
    struct score_opts o;
    struct score_ctx *c;
    struct score sc;
    struct session s;
    struct login l = { "web01", "alice", "203.0.113.50", "publickey", T0,
                       NULL };
    char err[512];
    int fd = mkstemp(path);

    CHECK(fd >= 0);
    close(fd);
    unlink(path);
    score_opts_default(&o);
    CHECK_INT(score_ctx_new(&c, &o, path, NULL, err, sizeof(err)), 0);
    session_make(&s, &l);
    CHECK_INT(score_ctx_session(c, &s, &sc, err, sizeof(err)), 0);
    CHECK(has_reason(&sc, REASON_FIRST_SEEN_SOURCE_HOST));
    session_free(&s);
    CHECK_INT(score_ctx_close(c, err, sizeof(err)), 0);

    CHECK_INT(score_ctx_new(&c, &o, path, NULL, err, sizeof(err)), 0);
    CHECK_INT(state_rows(score_ctx_state(c), STATE_SRC_HOST), 1);
    l.sec += 60;
    session_make(&s, &l);
    CHECK_INT(score_ctx_session(c, &s, &sc, err, sizeof(err)), 0);
    CHECK_INT(sc.nreasons, 0);
    session_free(&s);
    CHECK_INT(score_ctx_close(c, err, sizeof(err)), 0);
    unlink(path);

    /* A bad state path fails the context with the store's message. */
    CHECK_INT(score_ctx_new(&c, &o, "/dev/null", NULL, err, sizeof(err)), -1);
    CHECK(strstr(err, "/dev/null") != NULL);
}

static void
test_reason_names(void)
{
    CHECK_STR(score_reason_name(REASON_FIRST_SEEN_SOURCE_HOST),
              "first_seen_source_host");
    CHECK_STR(score_reason_name(REASON_OUTSIDE_USUAL_HOURS),
              "outside_usual_hours");
    CHECK_STR(score_reason_name(REASON_COUNT), "unknown");
    for (int i = 0; i < REASON_COUNT; i++) {
        CHECK(score_reason_name((enum score_reason_code)i) != NULL);
    }
}

int
main(void)
{
    TEST_RUN("score", test_session_reasons_ordered);
    TEST_RUN("score", test_total_capped_at_100);
    TEST_RUN("score", test_weights_and_thresholds);
    TEST_RUN("score", test_replay_gives_same_reasons);
    TEST_RUN("score", test_second_login_not_first_seen);
    TEST_RUN("score", test_state_file_carries_over);
    TEST_RUN("score", test_reason_names);
    TEST_EXIT();
}
