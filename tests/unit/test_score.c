/*
 * Tests of session scoring: reason order, the cap at 100, severity
 * thresholds and weights, and the scoring context that adds baseline
 * reasons: replays give identical reasons, a second login from the same
 * source is no longer first seen, and a state file carries the baselines
 * to the next run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
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
        struct event ev;
        event_init(&ev);
        ev.kind = EVENT_EXEC;
        ev.time.sec = l->sec + 5;
        event_set_str(&ev, EVENT_EXE, sv_cstr(l->exe));
        s->execs = calloc(1, sizeof(*s->execs));
        s->execs[0].ev = event_pack_new(&ev);
        event_fini(&ev);
        s->nexecs = 1;
    }
}

static void
session_free(struct session *s)
{
    for (uint32_t i = 0; i < s->nexecs; i++) {
        free((void *)s->execs[i].ev);
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

/* Scores a session on platform with one execution 5 s after the login, and
 * returns whether exec_in_window fired; *evidence receives its text. */
static bool
window_fires(const struct score_opts *o, const char *platform,
             char *evidence, size_t cap)
{
    struct score sc;
    struct session s;
    struct login l = { "h1", "alice", "192.0.2.9", "publickey", T0,
                       "/usr/bin/id" };

    session_make(&s, &l);
    s.platform = platform;
    score_session(&s, o, &sc);
    evidence[0] = '\0';
    for (int i = 0; i < sc.nreasons; i++) {
        if (sc.reasons[i].code == REASON_EXEC_IN_WINDOW) {
            snprintf(evidence, cap, "%s", sc.reasons[i].evidence);
        }
    }
    session_free(&s);
    return evidence[0] != '\0';
}

static void
test_window_per_platform(void)
{
    struct score_opts o;
    char ev[256];

    score_opts_default(&o);
    o.window_ms = 60 * 1000;
    o.window_macos_ms = 3 * 1000;
    CHECK(window_fires(&o, "linux", ev, sizeof(ev)));
    CHECK(strstr(ev, "within the 60 s window") != NULL);
    CHECK(!window_fires(&o, "macos", ev, sizeof(ev)));

    /* No ESXi window of its own: the Linux one applies. */
    CHECK(window_fires(&o, "esxi", ev, sizeof(ev)));
    CHECK(strstr(ev, "within the 60 s window") != NULL);
    o.window_esxi_ms = 120 * 1000;
    CHECK(window_fires(&o, "esxi", ev, sizeof(ev)));
    CHECK(strstr(ev, "within the 120 s window") != NULL);
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
    CHECK_INT(score_ctx_new(&a, &o, NULL, NULL, NULL, err, sizeof(err)), 0);
    CHECK_INT(score_ctx_new(&b, &o, NULL, NULL, NULL, err, sizeof(err)), 0);
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
                       "/opt/app/bin/report" };
    char err[512];

    score_opts_default(&o);
    CHECK_INT(score_ctx_new(&c, &o, NULL, NULL, NULL, err, sizeof(err)), 0);
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

/* A login only learned (detect does so when a session ran nothing) makes
 * a later one from the same source known, and moves the history window. */
static void
test_learn_only_teaches(void)
{
    struct score_opts o;
    struct score_ctx *c;
    struct score sc;
    struct session s;
    struct login l = { "web01", "alice", "203.0.113.50", "publickey", T0,
                       NULL };
    char err[512];

    score_opts_default(&o);
    CHECK_INT(score_ctx_new(&c, &o, NULL, NULL, NULL, err, sizeof(err)), 0);
    session_make(&s, &l);
    CHECK_INT(score_ctx_learn(c, &s, err, sizeof(err)), 0);
    CHECK_INT(state_newest(score_ctx_state(c)), T0 * 1000);
    session_free(&s);

    l.sec += 3600;
    l.exe = "/opt/app/bin/report";
    session_make(&s, &l);
    CHECK_INT(score_ctx_session(c, &s, &sc, err, sizeof(err)), 0);
    CHECK(!has_reason(&sc, REASON_FIRST_SEEN_SOURCE_HOST));
    CHECK(!has_reason(&sc, REASON_NEVER_SEEN_SOURCE));
    CHECK(!has_reason(&sc, REASON_NEW_ACCOUNT_ON_HOST));
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
    CHECK_INT(score_ctx_new(&c, &o, NULL, path, NULL, err, sizeof(err)), 0);
    session_make(&s, &l);
    CHECK_INT(score_ctx_session(c, &s, &sc, err, sizeof(err)), 0);
    CHECK(has_reason(&sc, REASON_FIRST_SEEN_SOURCE_HOST));
    session_free(&s);
    CHECK_INT(score_ctx_close(c, err, sizeof(err)), 0);

    CHECK_INT(score_ctx_new(&c, &o, NULL, path, NULL, err, sizeof(err)), 0);
    CHECK_INT(state_rows(score_ctx_state(c), STATE_SRC_HOST), 1);
    l.sec += 60;
    session_make(&s, &l);
    CHECK_INT(score_ctx_session(c, &s, &sc, err, sizeof(err)), 0);
    CHECK_INT(sc.nreasons, 0);
    session_free(&s);
    CHECK_INT(score_ctx_close(c, err, sizeof(err)), 0);
    unlink(path);

    /* A bad state path fails the context with the store's message. */
    CHECK_INT(score_ctx_new(&c, &o, NULL, "/dev/null", NULL, err,
                            sizeof(err)), -1);
    CHECK(strstr(err, "/dev/null") != NULL);
}

static const char config_text[] =
    "timezone: \"+02:00\"\n"
    "history_days: 10\n"
    "limits:\n"
    "  baseline_entries: 500\n"
    "admin_accounts: [ops]\n"
    "platforms:\n"
    "  linux:\n"
    "    SuspiciousProcessList: [frobnicate]\n"
    "    UsernameFilter: [\"adm*\"]\n"
    "  esxi:\n"
    "    AllowedUsers:\n"
    "      \"esx*\": [root]\n"
    "allowlist:\n"
    "  - account: backup\n"
    "    source: 192.0.2.0/24\n"
    "    reason: nightly backup\n"
    "    owner: ops-team\n"
    "    expires: 2099-12-31\n"
    "  - account: deploy\n"
    "    reason: old pipeline\n"
    "    owner: release-team\n"
    "    expires: 2020-01-31\n";

/* Scores one login with one command line in a fresh context. */
static void
score_with_config(const struct config *cfg, const struct login *l,
                  const char *format, const char *const *argv,
                  struct score *sc)
{
    struct score_opts o;
    struct score_ctx *c;
    struct session s;
    char err[512];

    config_score_opts(cfg, &o);
    if (score_ctx_new(&c, &o, cfg, NULL, NULL, err, sizeof(err)) < 0) {
        printf("  score_ctx_new: %s\n", err);
        memset(sc, 0, sizeof(*sc));
        return;
    }
    session_make(&s, l);
    s.ev.origin.format = format;
    if (argv != NULL) {
        /* The execution is a packed record: rebuild it with the words. */
        struct event ev;
        event_init(&ev);
        event_unpack(&ev, s.execs[0].ev);
        for (size_t i = 0; argv[i] != NULL; i++) {
            event_add_arg(&ev, sv_cstr(argv[i]));
        }
        free((void *)s.execs[0].ev);
        s.execs[0].ev = event_pack_new(&ev);
        event_fini(&ev);
    }
    CHECK_INT(score_ctx_session(c, &s, sc, err, sizeof(err)), 0);
    session_free(&s);
    score_ctx_close(c, err, sizeof(err));
}

static const char *
reason_evidence(const struct score *sc, enum score_reason_code code)
{
    for (int i = 0; i < sc->nreasons; i++) {
        if (sc->reasons[i].code == code) {
            return sc->reasons[i].evidence;
        }
    }
    return NULL;
}

static void
test_configured_reasons(void)
{
    char path[] = "/tmp/sshtrail-score-config-XXXXXX";
    struct config cfg;
    struct config_error cerr;
    struct state_opts so;
    struct score sc;
    int fd = mkstemp(path);

    CHECK(fd >= 0);
    CHECK(write(fd, config_text, sizeof(config_text) - 1) ==
          (ssize_t)(sizeof(config_text) - 1));
    close(fd);
    config_default(&cfg);
    CHECK_INT(config_load(&cfg, path, &cerr), 0);
    unlink(path);

    score_state_opts(&cfg, &so);
    CHECK_INT(so.window_ms, 10LL * 24 * 3600 * 1000);
    CHECK_INT(so.max_rows[STATE_ACCT_EXE], 500);

    /* Admin account, a configured pattern and an onward hop. */
    const char *frob[] = { "frobnicate", "--all", NULL };
    struct login l = { "web01", "ops", "203.0.113.50", "publickey", T0,
                       "/usr/local/bin/frobnicate" };
    score_with_config(&cfg, &l, "sshd", frob, &sc);
    CHECK_STR(reason_evidence(&sc, REASON_PRIVILEGED_ACCOUNT),
              "ops is listed in admin_accounts");
    CHECK(reason_evidence(&sc, REASON_SUSPICIOUS_EXECUTION) != NULL);
    CHECK_INT(sc.allow_index, -1);

    const char *hop[] = { "ssh", "-p", "2222", "admin@db02", NULL };
    l.exe = "/usr/bin/ssh";
    l.user = "admin7";
    score_with_config(&cfg, &l, "sshd", hop, &sc);
    CHECK_STR(reason_evidence(&sc, REASON_ONWARD_SSH_HOP),
              "1 SSH client start towards: db02");
    CHECK_STR(reason_evidence(&sc, REASON_ACCOUNT_OF_INTEREST),
              "admin7 is listed in UsernameFilter");

    /* ESXi AllowedUsers covers esx01 and lists only root. */
    l = (struct login){ "esx01", "dave", "203.0.113.50", "password", T0,
                        "/bin/ls" };
    score_with_config(&cfg, &l, "esxi", NULL, &sc);
    CHECK_STR(reason_evidence(&sc, REASON_UNEXPECTED_ACCOUNT),
              "dave is not listed for esx01 in AllowedUsers");
    l.user = "root";
    score_with_config(&cfg, &l, "esxi", NULL, &sc);
    CHECK(reason_evidence(&sc, REASON_UNEXPECTED_ACCOUNT) == NULL);

    /* Allowlist: a covering entry and an expired one. */
    l = (struct login){ "web01", "backup", "192.0.2.9", "publickey", T0,
                        "/usr/bin/rsync" };
    score_with_config(&cfg, &l, "sshd", NULL, &sc);
    CHECK_INT(sc.allow_index, 0);
    l.user = "deploy";
    score_with_config(&cfg, &l, "sshd", NULL, &sc);
    CHECK_INT(sc.allow_index, -1);
    CHECK_INT(sc.expired_allow_index, 1);

    /* Hours count in the configured zone: 04:00Z is 06:00 at +02:00. */
    struct score_opts o;
    struct score_ctx *c;
    struct session s;
    char err[512];
    config_score_opts(&cfg, &o);
    CHECK_INT(score_ctx_new(&c, &o, &cfg, NULL, NULL, err, sizeof(err)), 0);
    l = (struct login){ "web01", "erin", "192.0.2.9", "publickey", T0, NULL };
    for (int i = 0; i < 21; i++) {
        session_make(&s, &l);
        score_ctx_session(c, &s, &sc, err, sizeof(err));
        session_free(&s);
        l.sec = i == 19 ? T0 - 6 * 3600 : T0;
    }
    CHECK_STR(reason_evidence(&sc, REASON_OUTSIDE_USUAL_HOURS),
              "login in hour 06:00-06:59 (+02:00); 0 of 20 earlier logins "
              "of erin started in that hour, under the 5% share");
    score_ctx_close(c, err, sizeof(err));
    config_fini(&cfg);
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

/* The JSON writer copies reason names of up to 64 bytes unescaped, so
 * every name is lower-case ASCII, digits and '_'. */
static void
test_reason_names_plain(void)
{
    for (int i = 0; i < REASON_COUNT; i++) {
        const char *name = score_reason_name((enum score_reason_code)i);
        size_t len = strlen(name);
        size_t plain = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_");

        CHECK(len > 0);
        CHECK(len <= 64);
        CHECK_INT(plain, len);
    }
}

int
main(void)
{
    TEST_RUN("score", test_session_reasons_ordered);
    TEST_RUN("score", test_total_capped_at_100);
    TEST_RUN("score", test_window_per_platform);
    TEST_RUN("score", test_weights_and_thresholds);
    TEST_RUN("score", test_replay_gives_same_reasons);
    TEST_RUN("score", test_second_login_not_first_seen);
    TEST_RUN("score", test_learn_only_teaches);
    TEST_RUN("score", test_state_file_carries_over);
    TEST_RUN("score", test_configured_reasons);
    TEST_RUN("score", test_reason_names);
    TEST_RUN("score", test_reason_names_plain);
    TEST_EXIT();
}
