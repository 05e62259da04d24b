/*
 * Unit tests for allowlist matching on sessions built here: each criterion
 * alone, commands checked against every execution, hours past midnight,
 * expiry on event time, and days and hours in a zone with summer time.
 */
#include "score/allowlist.h"

#include <stdlib.h>
#include <unistd.h>

#include "core/timeconv.h"
#include "tcheck.h"

#define FIXTURE "tests/fixtures/config/allowlist.yaml"
#define BERLIN_FILE "/usr/share/zoneinfo/Europe/Berlin"

static struct config cfg;

/* A session with login facts and up to 4 executions. */
struct test_session {
    struct session s;
    struct session_exec execs[4];
    struct event exec_events[4];        /* what execs point to */
};

static void
session_make(struct test_session *t, const char *host, const char *user,
             const char *src, int64_t start)
{
    memset(t, 0, sizeof(*t));
    event_init(&t->s.ev);
    event_set_str(&t->s.ev, EVENT_HOST, sv_cstr(host));
    event_set_str(&t->s.ev, EVENT_USER, sv_cstr(user));
    event_set_str(&t->s.ev, EVENT_SRC_IP, sv_cstr(src));
    t->s.start.sec = start;
    t->s.login_seen = true;
    t->s.execs = t->execs;
    t->s.execs_cap = 4;
    for (int i = 0; i < 4; i++) {
        event_init(&t->exec_events[i]);
        t->execs[i].ev = &t->exec_events[i];
    }
}

/* Adds an execution whose argv is words split on spaces. */
static void
session_exec(struct test_session *t, const char *words)
{
    struct event *ev = &t->exec_events[t->s.nexecs++];
    struct sv rest = sv_cstr(words), word;

    ev->kind = EVENT_EXEC;
    while (rest.p != NULL) {
        rest = sv_cut(rest, ' ', &word);
        event_add_arg(ev, word);
    }
}

static void
session_free(struct test_session *t)
{
    event_fini(&t->s.ev);
    for (int i = 0; i < 4; i++) {
        event_fini(&t->exec_events[i]);
    }
}

static int64_t
utc(int y, int mo, int d, int h, int mi)
{
    return civil_to_epoch(y, mo, d, h, mi, 0);
}

/* Matches with now equal to the login time. */
static int
match_at_login(const struct test_session *t)
{
    return allowlist_match(&cfg, &t->s, &t->s.start, NULL);
}

static void
command_entry_needs_every_exec(void)
{
    struct test_session t;
    int64_t at = utc(2024, 3, 4, 2, 0);

    session_make(&t, "web01", "backup", "192.0.2.5", at);
    session_exec(&t, "/usr/bin/rsync --server --sender -logDtpre.iLsfxC . "
                     "/srv/www/");
    CHECK_INT(match_at_login(&t), 0);

    session_exec(&t, "/usr/bin/rsync --server -e.LsfxC . /srv/www/");
    CHECK_INT(match_at_login(&t), 0);

    /* One command outside the pattern and the entry no longer applies. */
    session_exec(&t, "curl -O http://192.0.2.9/x");
    CHECK_INT(match_at_login(&t), -1);
    session_free(&t);

    /* The pattern is anchored: a suffix is not allowed. */
    session_make(&t, "web01", "backup", "192.0.2.5", at);
    session_exec(&t, "sh -c /usr/bin/rsync --server x");
    CHECK_INT(match_at_login(&t), -1);
    session_free(&t);

    session_make(&t, "web01", "backup", "192.0.2.5", at);
    CHECK_INT(match_at_login(&t), -1);
    session_exec(&t, "/usr/bin/rsync --server x");
    t.s.execs_dropped = 1;
    CHECK_INT(match_at_login(&t), -1);
    session_free(&t);
}

static void
account_source_host_criteria(void)
{
    struct test_session t;
    int64_t at = utc(2024, 3, 4, 2, 0);

    /* IPv4-mapped IPv6 counts as IPv4. */
    session_make(&t, "web07", "backup", "::ffff:192.0.2.77", at);
    session_exec(&t, "/usr/bin/rsync --server x");
    CHECK_INT(match_at_login(&t), 0);
    session_free(&t);

    session_make(&t, "web01", "backup", "198.51.100.1", at);
    session_exec(&t, "/usr/bin/rsync --server x");
    CHECK_INT(match_at_login(&t), -1);
    session_free(&t);

    session_make(&t, "db01", "backup", "192.0.2.5", at);
    session_exec(&t, "/usr/bin/rsync --server x");
    CHECK_INT(match_at_login(&t), -1);
    session_free(&t);

    session_make(&t, "web01", "backup2", "192.0.2.5", at);
    session_exec(&t, "/usr/bin/rsync --server x");
    CHECK_INT(match_at_login(&t), -1);
    session_free(&t);

    /* A network written in its IPv4-mapped form matches IPv4 sources in
     * both spellings, and no other. */
    session_make(&t, "db01", "mapped", "198.51.100.9", at);
    CHECK_INT(match_at_login(&t), 4);
    session_free(&t);
    session_make(&t, "db01", "mapped", "::ffff:198.51.100.200", at);
    CHECK_INT(match_at_login(&t), 4);
    session_free(&t);
    session_make(&t, "db01", "mapped", "198.51.101.9", at);
    CHECK_INT(match_at_login(&t), -1);
    session_free(&t);

    /* A source logged as a host name never matches a CIDR. */
    session_make(&t, "web01", "backup", "gw.example.net", at);
    session_exec(&t, "/usr/bin/rsync --server x");
    CHECK_INT(match_at_login(&t), -1);
    session_free(&t);
}

static void
days_and_office_hours(void)
{
    struct test_session t;

    /* 2024-03-04 is a Monday, and the zone is UTC+1. */
    session_make(&t, "app01", "svc-deploy", "2001:db8:1::5",
                 utc(2024, 3, 4, 8, 0));
    CHECK_INT(match_at_login(&t), 1);                   /* 09:00 Monday */
    t.s.start.sec = utc(2024, 3, 4, 6, 59);
    CHECK_INT(match_at_login(&t), -1);                  /* 07:59 */
    t.s.start.sec = utc(2024, 3, 4, 7, 0);
    CHECK_INT(match_at_login(&t), 1);                   /* 08:00 */
    t.s.start.sec = utc(2024, 3, 4, 16, 59);
    CHECK_INT(match_at_login(&t), 1);                   /* 17:59 */
    t.s.start.sec = utc(2024, 3, 4, 17, 0);
    CHECK_INT(match_at_login(&t), -1);                  /* 18:00 */
    t.s.start.sec = utc(2024, 3, 9, 8, 0);
    CHECK_INT(match_at_login(&t), -1);                  /* Saturday */
    t.s.start.sec = utc(2024, 3, 8, 8, 0);
    CHECK_INT(match_at_login(&t), 1);                   /* Friday */
    session_free(&t);

    session_make(&t, "app01", "svc-deploy", "2001:db9::5",
                 utc(2024, 3, 4, 8, 0));
    CHECK_INT(match_at_login(&t), -1);
    session_free(&t);
}

static void
hours_past_midnight(void)
{
    struct test_session t;

    session_make(&t, "any", "nightly", "203.0.113.4", utc(2024, 3, 4, 22, 30));
    CHECK_INT(match_at_login(&t), 2);                   /* 23:30 */
    t.s.start.sec = utc(2024, 3, 5, 4, 59);
    CHECK_INT(match_at_login(&t), 2);                   /* 05:59 */
    t.s.start.sec = utc(2024, 3, 5, 5, 0);
    CHECK_INT(match_at_login(&t), -1);                  /* 06:00 */
    t.s.start.sec = utc(2024, 3, 5, 11, 0);
    CHECK_INT(match_at_login(&t), -1);                  /* 12:00 */
    session_free(&t);
}

static void
expiry_uses_event_time(void)
{
    struct test_session t;
    struct event_time now = { 0 };
    int expired = 99;

    session_make(&t, "host1", "olduser", "192.0.2.1", utc(2024, 3, 1, 0, 0));

    /* 23:59 on the expiry date in UTC+1: still valid. */
    now.sec = utc(2024, 3, 31, 22, 59);
    CHECK_INT(allowlist_match(&cfg, &t.s, &now, &expired), 3);
    CHECK_INT(expired, -1);

    /* Midnight after it: expired, and reported as such. */
    now.sec = utc(2024, 3, 31, 23, 0);
    CHECK_INT(allowlist_match(&cfg, &t.s, &now, &expired), -1);
    CHECK_INT(expired, 3);
    CHECK_INT(allowlist_match(&cfg, &t.s, &now, NULL), -1);

    uint32_t idx[4];
    CHECK_INT(allowlist_expired(&cfg, &now, idx, 4), 1);
    CHECK_INT(idx[0], 3);
    CHECK_INT(allowlist_expired(&cfg, &now, idx, 0), 1);
    now.sec = utc(2024, 3, 1, 0, 0);
    CHECK_INT(allowlist_expired(&cfg, &now, idx, 4), 0);
    session_free(&t);
}

static void
summer_time_zone(void)
{
    struct config berlin;
    struct config_error err;
    struct test_session t;

    FILE *f = fopen("build/tests/allow_berlin.yaml", "w");
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    fputs("timezone: Europe/Berlin\nallowlist:\n"
          "  - account: ops\n    days: mon\n    hours: \"08:00-18:00\"\n"
          "    reason: r\n    owner: o\n    expires: 2030-01-01\n", f);
    fclose(f);
    config_default(&berlin);
    CHECK_INT(config_load(&berlin, "build/tests/allow_berlin.yaml", &err), 0);
    remove("build/tests/allow_berlin.yaml");

    /* 06:30Z is 08:30 in July (CEST) but 07:30 in January (CET). */
    session_make(&t, "h", "ops", "192.0.2.1", utc(2024, 7, 1, 6, 30));
    CHECK_INT(allowlist_match(&berlin, &t.s, &t.s.start, NULL), 0);
    t.s.start.sec = utc(2024, 1, 8, 6, 30);
    CHECK_INT(allowlist_match(&berlin, &t.s, &t.s.start, NULL), -1);
    t.s.start.sec = utc(2024, 1, 8, 7, 30);
    CHECK_INT(allowlist_match(&berlin, &t.s, &t.s.start, NULL), 0);
    session_free(&t);
    config_fini(&berlin);
}

int
main(void)
{
    struct config_error err;
    char msg[1024];

    config_default(&cfg);
    if (config_load(&cfg, FIXTURE, &err) < 0) {
        config_error_format(&err, msg, sizeof(msg));
        printf("FAIL allowlist/load: %s\n", msg);
        return 1;
    }
    TEST_RUN("allowlist", command_entry_needs_every_exec);
    TEST_RUN("allowlist", account_source_host_criteria);
    TEST_RUN("allowlist", days_and_office_hours);
    TEST_RUN("allowlist", hours_past_midnight);
    TEST_RUN("allowlist", expiry_uses_event_time);
    if (access(BERLIN_FILE, R_OK) == 0) {
        TEST_RUN("allowlist", summer_time_zone);
    } else {
        printf("SKIP allowlist/summer_time_zone: %s is missing (install "
               "tzdata)\n", BERLIN_FILE);
    }
    config_fini(&cfg);
    TEST_EXIT();
}
