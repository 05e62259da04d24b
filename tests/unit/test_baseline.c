/*
 * Tests of the baseline reasons with hand-built sessions: each reason's
 * trigger, its thresholds and evidence, ageing on event time, key
 * separation and persistence through a state file.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "score/baseline.h"
#include "tcheck.h"

#define DAY (24 * 3600LL)
/* 2024-03-01T10:00:00Z */
#define T0 1709287200LL

struct login {
    const char *host, *user, *src, *method, *fp;
    int64_t sec;
};

static void
session_make(struct session *s, const struct login *l)
{
    memset(s, 0, sizeof(*s));
    event_init(&s->ev);
    s->ev.kind = EVENT_AUTH_SUCCESS;
    s->login_seen = true;
    s->start.sec = l->sec;
    s->ev.time = s->start;
    if (l->host != NULL) {
        event_set_str(&s->ev, EVENT_HOST, sv_cstr(l->host));
    }
    if (l->user != NULL) {
        event_set_str(&s->ev, EVENT_USER, sv_cstr(l->user));
    }
    if (l->src != NULL) {
        event_set_str(&s->ev, EVENT_SRC_IP, sv_cstr(l->src));
    }
    event_set_str(&s->ev, EVENT_AUTH_METHOD,
                  sv_cstr(l->method != NULL ? l->method : "publickey"));
    if (l->fp != NULL) {
        event_set_str(&s->ev, EVENT_KEY_FP, sv_cstr(l->fp));
    }
}

static void
session_add_exe(struct session *s, const char *exe)
{
    s->execs = realloc(s->execs, (s->nexecs + 1) * sizeof(*s->execs));
    struct session_exec *x = &s->execs[s->nexecs++];
    struct event ev;
    event_init(&ev);
    ev.kind = EVENT_EXEC;
    ev.time = s->start;
    event_set_str(&ev, EVENT_EXE, sv_cstr(exe));
    x->ev = event_pack_new(&ev);
    event_fini(&ev);
    x->linkage = LINK_AUDIT_SESSION;
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

struct fixture {
    struct state *st;
    struct score_opts o;
    struct baseline_findings found;
};

static void
fixture_open(struct fixture *f, int64_t window_ms)
{
    struct state_opts so;
    char err[512];

    state_opts_default(&so);
    if (window_ms > 0) {
        so.window_ms = window_ms;
    }
    score_opts_default(&f->o);
    if (state_open(&f->st, NULL, &so, err, sizeof(err)) < 0) {
        printf("  state_open: %s\n", err);
        abort();
    }
}

/* Checks then learns one login, with optional executables. */
static void
run(struct fixture *f, const struct login *l, const char *const *exes)
{
    struct session s;
    char err[512];

    session_make(&s, l);
    for (size_t i = 0; exes != NULL && exes[i] != NULL; i++) {
        session_add_exe(&s, exes[i]);
    }
    baseline_check(f->st, &f->o, &s, &f->found);
    if (baseline_learn(f->st, &f->o, &s, err, sizeof(err)) < 0) {
        printf("  baseline_learn: %s\n", err);
    }
    session_free(&s);
}

static const char *
evidence(const struct fixture *f, enum score_reason_code code)
{
    for (int i = 0; i < f->found.n; i++) {
        if (f->found.items[i].code == code) {
            return f->found.items[i].evidence;
        }
    }
    return NULL;
}

static bool
fired(const struct fixture *f, enum score_reason_code code)
{
    return evidence(f, code) != NULL;
}

static void
test_first_login_is_first_seen(void)
{
    struct fixture f;
    struct login l = { "web01", "alice", "203.0.113.50", NULL, NULL, T0 };

    fixture_open(&f, 0);
    run(&f, &l, NULL);
    CHECK_INT(f.found.n, 3);
    CHECK_STR(evidence(&f, REASON_FIRST_SEEN_SOURCE_HOST),
              "203.0.113.50 never seen on web01 in 30 days of history");
    CHECK_STR(evidence(&f, REASON_NEVER_SEEN_SOURCE),
              "203.0.113.50 never seen on any host in 30 days of history");
    CHECK_STR(evidence(&f, REASON_NEW_ACCOUNT_ON_HOST),
              "alice never logged in to web01 in 30 days of history");
    /* An account with no history is not "new" for its source or key. */
    CHECK(!fired(&f, REASON_NEW_SOURCE_FOR_ACCOUNT));

    /* The same login again raises nothing. */
    l.sec += 60;
    run(&f, &l, NULL);
    CHECK_INT(f.found.n, 0);
    state_close(f.st, NULL, 0);
}

static void
test_new_source_for_known_account(void)
{
    struct fixture f;
    struct login a = { "web01", "alice", "203.0.113.50", NULL, NULL, T0 };
    struct login b = { "web02", "bob", "198.51.100.7", NULL, NULL, T0 };

    fixture_open(&f, 0);
    run(&f, &a, NULL);
    run(&f, &b, NULL);

    /* alice from bob's address: known source, new for alice and web01. */
    a.src = "198.51.100.7";
    a.sec += 3600;
    run(&f, &a, NULL);
    CHECK(fired(&f, REASON_FIRST_SEEN_SOURCE_HOST));
    CHECK(!fired(&f, REASON_NEVER_SEEN_SOURCE));
    CHECK(!fired(&f, REASON_NEW_ACCOUNT_ON_HOST));
    CHECK_STR(evidence(&f, REASON_NEW_SOURCE_FOR_ACCOUNT),
              "alice logged in 1 time in 30 days of history, never from "
              "198.51.100.7");
    state_close(f.st, NULL, 0);
}

static void
test_password_where_keys_usual(void)
{
    struct fixture f;
    struct login l = { "web01", "alice", "203.0.113.50", "publickey", NULL,
                       T0 };

    fixture_open(&f, 0);
    for (int i = 0; i < 4; i++) {
        run(&f, &l, NULL);
        l.sec += 60;
    }
    /* Four earlier logins: under the five the reason needs. */
    l.method = "password";
    run(&f, &l, NULL);
    CHECK(!fired(&f, REASON_PASSWORD_WHERE_KEYS_USUAL));
    state_close(f.st, NULL, 0);

    fixture_open(&f, 0);
    l.method = "publickey";
    for (int i = 0; i < 5; i++) {
        run(&f, &l, NULL);
        l.sec += 60;
    }
    l.method = "keyboard-interactive/pam";
    run(&f, &l, NULL);
    CHECK_STR(evidence(&f, REASON_PASSWORD_WHERE_KEYS_USUAL),
              "keyboard-interactive/pam login; 5 of 5 earlier logins of "
              "alice used publickey");

    /* 5 of 6 is 83 %, still over 80 %; 5 of 7 is 71 %, under. */
    l.method = "password";
    run(&f, &l, NULL);
    CHECK(fired(&f, REASON_PASSWORD_WHERE_KEYS_USUAL));
    run(&f, &l, NULL);
    CHECK(!fired(&f, REASON_PASSWORD_WHERE_KEYS_USUAL));

    /* A publickey login never raises it. */
    l.method = "publickey";
    run(&f, &l, NULL);
    CHECK(!fired(&f, REASON_PASSWORD_WHERE_KEYS_USUAL));
    state_close(f.st, NULL, 0);
}

static void
test_new_key_fingerprint(void)
{
    struct fixture f;
    struct login l = { "web01", "alice", "203.0.113.50", "password", NULL,
                       T0 };

    fixture_open(&f, 0);
    run(&f, &l, NULL);

    /* No earlier login logged a key: the first key is not "new". */
    l.method = "publickey";
    l.fp = "SHA256:AAAA";
    run(&f, &l, NULL);
    CHECK(!fired(&f, REASON_NEW_KEY_FINGERPRINT));

    l.fp = "SHA256:BBBB";
    run(&f, &l, NULL);
    CHECK_STR(evidence(&f, REASON_NEW_KEY_FINGERPRINT),
              "key SHA256:BBBB never used by alice; 1 earlier login used "
              "other keys");
    run(&f, &l, NULL);
    CHECK(!fired(&f, REASON_NEW_KEY_FINGERPRINT));

    /* Keys are per account: bob's first key is not new. */
    l.user = "bob";
    l.fp = "SHA256:CCCC";
    run(&f, &l, NULL);
    CHECK(!fired(&f, REASON_NEW_KEY_FINGERPRINT));
    state_close(f.st, NULL, 0);
}

static int
plus_two_hours(const void *zone, int64_t sec)
{
    return (int)(((sec + 7200) % 86400) / 3600);
}

static void
test_outside_usual_hours(void)
{
    struct fixture f;
    struct login l = { "web01", "alice", "203.0.113.50", NULL, NULL, T0 };

    fixture_open(&f, 0);
    for (int i = 0; i < 19; i++) {
        l.sec = T0 + (i % 2) * 1800;
        run(&f, &l, NULL);
    }
    /* 19 logins at 10:xx: under the 20 the reason needs. */
    l.sec = T0 - 7 * 3600;
    run(&f, &l, NULL);
    CHECK(!fired(&f, REASON_OUTSIDE_USUAL_HOURS));

    /* 20 earlier logins, 1 of them at 03:xx (5 %, not under 5 %). */
    run(&f, &l, NULL);
    CHECK(!fired(&f, REASON_OUTSIDE_USUAL_HOURS));

    l.sec = T0 - 8 * 3600;
    run(&f, &l, NULL);
    CHECK_STR(evidence(&f, REASON_OUTSIDE_USUAL_HOURS),
              "login in hour 02:00-02:59 (UTC); 0 of 21 earlier logins of "
              "alice started in that hour, under the 5% share");

    l.sec = T0 + 1800;
    run(&f, &l, NULL);
    CHECK(!fired(&f, REASON_OUTSIDE_USUAL_HOURS));
    state_close(f.st, NULL, 0);

    /* Hours count in the configured zone. */
    fixture_open(&f, 0);
    f.o.local_hour = plus_two_hours;
    f.o.zone_name = "+02:00";
    for (int i = 0; i < 20; i++) {
        l.sec = T0;
        run(&f, &l, NULL);
    }
    l.sec = T0 + 3600;
    run(&f, &l, NULL);
    CHECK_STR(evidence(&f, REASON_OUTSIDE_USUAL_HOURS),
              "login in hour 13:00-13:59 (+02:00); 0 of 20 earlier logins of "
              "alice started in that hour, under the 5% share");
    CHECK_INT(baseline_local_hour(&f.o, T0), 12);
    state_close(f.st, NULL, 0);
}

static void
test_new_exe_for_account(void)
{
    struct fixture f;
    struct login l = { "web01", "alice", "203.0.113.50", NULL, NULL, T0 };
    const char *first[] = { "/usr/bin/ls", "/usr/bin/id", NULL };
    const char *second[] = { "/usr/bin/ls", "/usr/bin/curl", "/tmp/x",
                             "/usr/bin/curl", "/usr/bin/base64",
                             "/usr/bin/nc", "/usr/bin/wget", NULL };

    fixture_open(&f, 0);

    /* On a host new to the account, new_account_on_host says it all. */
    run(&f, &l, first);
    CHECK(fired(&f, REASON_NEW_ACCOUNT_ON_HOST));
    CHECK(!fired(&f, REASON_NEW_EXE_FOR_ACCOUNT));

    l.sec += 60;
    run(&f, &l, first);
    CHECK_INT(f.found.n, 0);

    /* curl twice counts once; at most four names are listed. */
    l.sec += 60;
    run(&f, &l, second);
    CHECK_STR(evidence(&f, REASON_NEW_EXE_FOR_ACCOUNT),
              "5 executables alice never ran on web01 in 30 days of "
              "history: /usr/bin/curl, /tmp/x, /usr/bin/base64, "
              "/usr/bin/nc, ...");

    /* Per host: bob's executables do not make alice's known. */
    l.sec += 60;
    l.user = "bob";
    run(&f, &l, first);
    l.user = "alice";
    run(&f, &l, second);
    CHECK(!fired(&f, REASON_NEW_EXE_FOR_ACCOUNT));
    state_close(f.st, NULL, 0);
}

static void
test_ageing_forgets_source(void)
{
    struct fixture f;
    struct login l = { "web01", "alice", "203.0.113.50", NULL, NULL, T0 };
    struct login other = { "web01", "bob", "198.51.100.7", NULL, NULL, T0 };

    fixture_open(&f, DAY * 1000);
    run(&f, &l, NULL);
    l.sec += DAY / 2;
    run(&f, &l, NULL);
    CHECK_INT(f.found.n, 0);

    /* Another login moves event time 1.5 days past alice's last. */
    other.sec = l.sec + DAY + DAY / 2;
    run(&f, &other, NULL);
    l.sec = other.sec + 60;
    run(&f, &l, NULL);
    CHECK_STR(evidence(&f, REASON_FIRST_SEEN_SOURCE_HOST),
              "203.0.113.50 never seen on web01 in 1 day of history");
    CHECK(fired(&f, REASON_NEW_ACCOUNT_ON_HOST));
    state_close(f.st, NULL, 0);
}

/* Parts are escaped, so shifting the separator gives another key. */
static void
test_key_parts_stay_apart(void)
{
    struct fixture f;
    struct login a = { "b\x1f" "c", "a", "192.0.2.1", NULL, NULL, T0 };
    struct login b = { "c", "a\x1f" "b", "192.0.2.1", NULL, NULL, T0 };
    struct login c = { "b\\u" "c", "a", "192.0.2.1", NULL, NULL, T0 };

    fixture_open(&f, 0);
    run(&f, &a, NULL);
    run(&f, &b, NULL);
    CHECK(fired(&f, REASON_NEW_ACCOUNT_ON_HOST));
    run(&f, &c, NULL);
    CHECK(fired(&f, REASON_NEW_ACCOUNT_ON_HOST));
    CHECK(fired(&f, REASON_FIRST_SEEN_SOURCE_HOST));
    state_close(f.st, NULL, 0);
}

static void
test_no_login_raises_nothing(void)
{
    struct fixture f;
    struct login l = { "web01", "alice", "203.0.113.50", NULL, NULL, T0 };
    struct session s;
    char err[512];

    fixture_open(&f, 0);
    session_make(&s, &l);
    s.login_seen = false;
    baseline_check(f.st, &f.o, &s, &f.found);
    CHECK_INT(f.found.n, 0);
    CHECK_INT(baseline_learn(f.st, &f.o, &s, err, sizeof(err)), 0);
    CHECK_INT(state_rows(f.st, STATE_SOURCE), 0);
    session_free(&s);

    /* No source address: only the account reasons can apply. */
    l.src = NULL;
    run(&f, &l, NULL);
    CHECK_INT(f.found.n, 1);
    CHECK(fired(&f, REASON_NEW_ACCOUNT_ON_HOST));
    state_close(f.st, NULL, 0);
}

static void
test_file_keeps_baselines(void)
{
    char path[] = "/tmp/sshtrail-baseline-XXXXXX";
    struct fixture f;
    struct state_opts so;
    struct login l = { "web01", "alice", "203.0.113.50", NULL, "SHA256:A",
                       T0 };
    char err[512];
    int fd = mkstemp(path);

    CHECK(fd >= 0);
    close(fd);
    unlink(path);
    state_opts_default(&so);
    score_opts_default(&f.o);
    CHECK_INT(state_open(&f.st, path, &so, err, sizeof(err)), 0);
    run(&f, &l, NULL);
    CHECK_INT(f.found.n, 3);
    CHECK_INT(state_close(f.st, err, sizeof(err)), 0);

    CHECK_INT(state_open(&f.st, path, &so, err, sizeof(err)), 0);
    l.sec += 3600;
    run(&f, &l, NULL);
    CHECK_INT(f.found.n, 0);
    l.fp = "SHA256:B";
    run(&f, &l, NULL);
    CHECK(fired(&f, REASON_NEW_KEY_FINGERPRINT));
    CHECK_INT(state_close(f.st, err, sizeof(err)), 0);

    char wal[64];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    unlink(wal);
    unlink(path);
}

static void
test_auth_slots(void)
{
    CHECK_INT(baseline_auth_slot(SV_LIT("publickey")),
              BASELINE_AUTH_PUBLICKEY);
    CHECK_INT(baseline_auth_slot(SV_LIT("password")), BASELINE_AUTH_PASSWORD);
    CHECK_INT(baseline_auth_slot(SV_LIT("keyboard-interactive")),
              BASELINE_AUTH_KBDINT);
    CHECK_INT(baseline_auth_slot(SV_LIT("keyboard-interactive/pam")),
              BASELINE_AUTH_KBDINT);
    CHECK_INT(baseline_auth_slot(SV_LIT("hostbased")),
              BASELINE_AUTH_HOSTBASED);
    CHECK_INT(baseline_auth_slot(SV_LIT("gssapi-with-mic")),
              BASELINE_AUTH_OTHER);
    CHECK_INT(baseline_auth_slot(SV_NULL), BASELINE_AUTH_OTHER);
}

/* Appends part to key as the baseline composes keys: a 0x1f between
 * parts, the part cut at 1024 bytes, then "\\" for a backslash and "\u"
 * for a 0x1f. */
static void
ref_key_add(char *key, size_t *len, struct sv part)
{
    size_t n = part.len < 1024 ? part.len : 1024;

    if (*len > 0) {
        key[(*len)++] = 0x1f;
    }
    for (size_t i = 0; i < n; i++) {
        if (part.p[i] == '\\' || part.p[i] == 0x1f) {
            key[(*len)++] = '\\';
            key[(*len)++] = part.p[i] == '\\' ? '\\' : 'u';
        } else {
            key[(*len)++] = part.p[i];
        }
    }
}

/* Picks the next value of a small linear congruential generator. */
static unsigned
next_pick(unsigned *seed, unsigned n)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) % n;
}

/*
 * One baseline_keys kept across sessions, with each session's keys
 * composed once for the check and the learning, gives the reasons and
 * rows that fresh keys per call give.  The sessions reuse a few values
 * with backslashes, unit separators and parts past the cut, run up to 40
 * executables with repeats, and the tables hold 8 rows, so rows are
 * evicted.  The learned executables are then found under keys composed
 * by the reference above.
 */
static void
test_kept_keys_match_fresh_keys(void)
{
    static char long_exe[1500];
    static const char *const hosts[] = { "web1", "db\\2", "h\x1fx", NULL };
    static const char *const users[] = { "alice", "r\\oot", "u\x1f", NULL };
    static const char *const srcs[] = { "203.0.113.5", "10.0.0.\\1", NULL };
    static const char *const fps[] = { "SHA256:ab", NULL };
    const char *exes[] = { "/bin/ls", "/bin/\\sh", "/x\x1fy", long_exe,
                           "/usr/bin/id" };
    struct state *fresh_st, *kept_st;
    struct state_opts so;
    struct score_opts o;
    struct baseline_keys keys;
    char err[512];
    unsigned seed = 7;

    memset(long_exe, 'e', sizeof(long_exe) - 1);
    long_exe[0] = '/';
    state_opts_default(&so);
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        so.max_rows[t] = 8;
    }
    score_opts_default(&o);
    CHECK_INT(state_open(&fresh_st, NULL, &so, err, sizeof(err)), 0);
    CHECK_INT(state_open(&kept_st, NULL, &so, err, sizeof(err)), 0);
    baseline_keys_init(&keys);

    for (int round = 0; round < 300; round++) {
        struct login l = { hosts[next_pick(&seed, 4)],
                           users[next_pick(&seed, 4)],
                           srcs[next_pick(&seed, 3)], NULL,
                           fps[next_pick(&seed, 2)], T0 + round * 60 };
        struct session s;
        struct baseline_findings a, b;
        unsigned nexecs = next_pick(&seed, 41);

        session_make(&s, &l);
        for (unsigned i = 0; i < nexecs; i++) {
            session_add_exe(&s, exes[next_pick(&seed, 5)]);
        }
        baseline_check(fresh_st, &o, &s, &a);
        CHECK_INT(baseline_learn(fresh_st, &o, &s, err, sizeof(err)), 0);
        baseline_keys_reset(&keys, &s);
        baseline_check_keys(kept_st, &o, &keys, &b);
        CHECK_INT(baseline_learn_keys(kept_st, &o, &keys, err, sizeof(err)),
                  0);

        CHECK_INT(b.n, a.n);
        for (int i = 0; i < a.n && i < b.n; i++) {
            CHECK_INT(b.items[i].code, a.items[i].code);
            CHECK_STR(b.items[i].evidence, a.items[i].evidence);
        }
        for (int t = 0; t < STATE_TABLE_COUNT; t++) {
            CHECK_INT(state_rows(kept_st, t), state_rows(fresh_st, t));
        }
        if (l.user != NULL && l.host != NULL) {
            for (uint32_t i = 0; i < s.nexecs; i++) {
                static char key[8192];
                size_t len = 0;
                ref_key_add(key, &len, sv_cstr(l.user));
                ref_key_add(key, &len, sv_cstr(l.host));
                ref_key_add(key, &len, event_str(s.execs[i].ev, EVENT_EXE));
                /* Up to 8 executables stay in a table of 8 rows. */
                if (s.nexecs <= 8) {
                    CHECK(state_find(kept_st, STATE_ACCT_EXE,
                                     sv_make(key, len)) != NULL);
                }
            }
        }
        session_free(&s);
    }
    baseline_keys_fini(&keys);
    state_close(fresh_st, NULL, 0);
    state_close(kept_st, NULL, 0);
}

int
main(void)
{
    TEST_RUN("baseline", test_first_login_is_first_seen);
    TEST_RUN("baseline", test_new_source_for_known_account);
    TEST_RUN("baseline", test_password_where_keys_usual);
    TEST_RUN("baseline", test_new_key_fingerprint);
    TEST_RUN("baseline", test_outside_usual_hours);
    TEST_RUN("baseline", test_new_exe_for_account);
    TEST_RUN("baseline", test_ageing_forgets_source);
    TEST_RUN("baseline", test_key_parts_stay_apart);
    TEST_RUN("baseline", test_no_login_raises_nothing);
    TEST_RUN("baseline", test_file_keeps_baselines);
    TEST_RUN("baseline", test_auth_slots);
    TEST_RUN("baseline", test_kept_keys_match_fresh_keys);
    TEST_EXIT();
}
