/*
 * Session scoring.  The weights below are the documented defaults (see
 * docs/reasons.md); the thresholds split 0..100 into the OCSF severities
 * Informational to Critical.  The baseline reasons come from baseline.c;
 * this file weighs them with the session reasons.
 */
#include "score/score.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/baseline.h"

struct score_ctx {
    struct score_opts opts;
    struct state *state;
};

static const char *const reason_names[REASON_COUNT] = {
    [REASON_PRIVILEGED_ACCOUNT] = "privileged_account",
    [REASON_PASSWORD_AUTH] = "password_auth",
    [REASON_FAILURES_BEFORE_SUCCESS] = "failures_before_success",
    [REASON_NON_INTERACTIVE_COMMAND] = "non_interactive_command",
    [REASON_EXEC_IN_WINDOW] = "exec_in_window",
    [REASON_FIRST_SEEN_SOURCE_HOST] = "first_seen_source_host",
    [REASON_NEW_ACCOUNT_ON_HOST] = "new_account_on_host",
    [REASON_NEW_SOURCE_FOR_ACCOUNT] = "new_source_for_account",
    [REASON_NEVER_SEEN_SOURCE] = "never_seen_source",
    [REASON_ACCOUNT_OF_INTEREST] = "account_of_interest",
    [REASON_UNEXPECTED_ACCOUNT] = "unexpected_account",
    [REASON_PASSWORD_WHERE_KEYS_USUAL] = "password_where_keys_usual",
    [REASON_NEW_KEY_FINGERPRINT] = "new_key_fingerprint",
    [REASON_OUTSIDE_USUAL_HOURS] = "outside_usual_hours",
    [REASON_NEW_EXE_FOR_ACCOUNT] = "new_exe_for_account",
    [REASON_SUSPICIOUS_EXECUTION] = "suspicious_execution",
    [REASON_ONWARD_SSH_HOP] = "onward_ssh_hop",
};

const char *
score_reason_name(enum score_reason_code code)
{
    return (unsigned)code < REASON_COUNT ? reason_names[code] : "unknown";
}

const char *
score_severity_name(int severity_id)
{
    static const char *const names[] = {
        "Unknown", "Informational", "Low", "Medium", "High", "Critical",
    };
    return severity_id >= 0 && severity_id <= 5 ? names[severity_id]
                                                : "Unknown";
}

void
score_opts_default(struct score_opts *o)
{
    o->window_ms = 60 * 1000;
    o->weights[REASON_PRIVILEGED_ACCOUNT] = 30;
    o->weights[REASON_PASSWORD_AUTH] = 10;
    o->weights[REASON_FAILURES_BEFORE_SUCCESS] = 25;
    o->weights[REASON_NON_INTERACTIVE_COMMAND] = 10;
    o->weights[REASON_EXEC_IN_WINDOW] = 20;
    o->weights[REASON_FIRST_SEEN_SOURCE_HOST] = 15;
    o->weights[REASON_NEW_ACCOUNT_ON_HOST] = 15;
    o->weights[REASON_NEW_SOURCE_FOR_ACCOUNT] = 10;
    o->weights[REASON_NEVER_SEEN_SOURCE] = 15;
    o->weights[REASON_ACCOUNT_OF_INTEREST] = 15;
    o->weights[REASON_UNEXPECTED_ACCOUNT] = 25;
    o->weights[REASON_PASSWORD_WHERE_KEYS_USUAL] = 20;
    o->weights[REASON_NEW_KEY_FINGERPRINT] = 10;
    o->weights[REASON_OUTSIDE_USUAL_HOURS] = 10;
    o->weights[REASON_NEW_EXE_FOR_ACCOUNT] = 10;
    o->weights[REASON_SUSPICIOUS_EXECUTION] = 30;
    o->weights[REASON_ONWARD_SSH_HOP] = 20;
    o->thresholds[0] = 20;
    o->thresholds[1] = 40;
    o->thresholds[2] = 60;
    o->thresholds[3] = 80;
    o->hours_min_logins = 20;
    o->hours_share_pct = 5;
    o->keys_min_logins = 5;
    o->keys_usual_pct = 80;
    o->local_hour = NULL;
    o->zone = NULL;
    o->zone_name = NULL;
}

static struct score_reason *
add_reason(struct score *out, const struct score_opts *o,
           enum score_reason_code code)
{
    if (out->nreasons == SCORE_MAX_REASONS || o->weights[code] <= 0) {
        return NULL;
    }

    struct score_reason *r = &out->reasons[out->nreasons++];
    r->code = code;
    r->weight = o->weights[code];
    r->evidence[0] = '\0';
    return r;
}

static int64_t
time_ms(const struct event_time *t)
{
    return t->sec * 1000 + t->nsec / 1000000;
}

static void
check_privileged(const struct session *s, const struct score_opts *o,
                 struct score *out)
{
    struct sv user = event_str(&s->ev, EVENT_USER);
    bool uid0 = event_num(&s->ev, EVENT_UID, -1) == 0;

    if (!uid0 && !sv_eq_cstr(user, "root")) {
        return;
    }
    struct score_reason *r = add_reason(out, o, REASON_PRIVILEGED_ACCOUNT);
    if (r != NULL) {
        snprintf(r->evidence, sizeof(r->evidence), "%s",
                 uid0 ? "login uid is 0" : "account name is root");
    }
}

static void
check_password(const struct session *s, const struct score_opts *o,
               struct score *out)
{
    struct sv method = event_str(&s->ev, EVENT_AUTH_METHOD);

    if (!sv_eq_cstr(method, "password") &&
        !sv_starts_with(method, "keyboard-interactive")) {
        return;
    }
    struct score_reason *r = add_reason(out, o, REASON_PASSWORD_AUTH);
    if (r != NULL) {
        snprintf(r->evidence, sizeof(r->evidence),
                 "authentication method %.*s", (int)method.len, method.p);
    }
}

static void
check_failures(const struct session *s, const struct score_opts *o,
               struct score *out)
{
    if (s->failures_before == 0 && s->invalid_users_before == 0) {
        return;
    }
    struct score_reason *r =
        add_reason(out, o, REASON_FAILURES_BEFORE_SUCCESS);
    if (r != NULL) {
        snprintf(r->evidence, sizeof(r->evidence),
                 "%llu failed attempts and %llu invalid user names from the "
                 "same source in the %lld s before the login",
                 (unsigned long long)s->failures_before,
                 (unsigned long long)s->invalid_users_before,
                 (long long)((time_ms(&s->start) -
                              time_ms(&s->first_failure)) / 1000));
    }
}

/* A session that ran a command without a terminal, as scripts and
 * automated lateral movement do. */
static void
check_non_interactive(const struct session *s, const struct score_opts *o,
                      struct score *out)
{
    struct sv type = event_str(&s->ev, EVENT_SESSION_TYPE);
    struct sv tty = event_str(&s->ev, EVENT_TTY);
    bool command;

    if (type.p != NULL) {
        command = sv_eq_cstr(type, "command") ||
                  sv_eq_cstr(type, "forced-command");
    } else {
        command = tty.p != NULL && sv_find(tty, SV_LIT("pts")) < 0 &&
                  sv_find(tty, SV_LIT("tty")) < 0;
    }
    if (!command) {
        return;
    }
    struct score_reason *r =
        add_reason(out, o, REASON_NON_INTERACTIVE_COMMAND);
    if (r != NULL) {
        if (type.p != NULL) {
            snprintf(r->evidence, sizeof(r->evidence),
                     "session type %.*s", (int)type.len, type.p);
        } else {
            snprintf(r->evidence, sizeof(r->evidence),
                     "no terminal (terminal %.*s)", (int)tty.len, tty.p);
        }
    }
}

static void
check_window(const struct session *s, const struct score_opts *o,
             struct score *out)
{
    const struct session_exec *first = NULL;

    for (uint32_t i = 0; i < s->nexecs; i++) {
        const struct session_exec *x = &s->execs[i];
        if (first == NULL ||
            event_time_cmp(&x->ev.time, &first->ev.time) < 0) {
            first = x;
        }
    }
    if (first == NULL) {
        return;
    }

    int64_t delay = time_ms(&first->ev.time) - time_ms(&s->start);
    if (delay > o->window_ms) {
        return;
    }
    struct score_reason *r = add_reason(out, o, REASON_EXEC_IN_WINDOW);
    if (r != NULL) {
        struct sv exe = event_str(&first->ev, EVENT_EXE);
        if (exe.p == NULL) {
            exe = event_arg(&first->ev, 0);
        }
        snprintf(r->evidence, sizeof(r->evidence),
                 "first execution %.3f s after login, within the %lld s "
                 "window: %.*s", delay < 0 ? 0.0 : (double)delay / 1000.0,
                 (long long)(o->window_ms / 1000), (int)exe.len,
                 exe.p ? exe.p : "");
    }
}

/* Orders the reasons by weight, totals them and sets the severity. */
static void
score_finish(const struct score_opts *o, struct score *out)
{
    /* Insertion sort: a handful of reasons, stable by code. */
    for (int i = 1; i < out->nreasons; i++) {
        struct score_reason r = out->reasons[i];
        int j = i;
        while (j > 0 && out->reasons[j - 1].weight < r.weight) {
            out->reasons[j] = out->reasons[j - 1];
            j--;
        }
        out->reasons[j] = r;
    }
    out->total = 0;
    for (int i = 0; i < out->nreasons; i++) {
        out->total += out->reasons[i].weight;
    }
    if (out->total > 100) {
        out->total = 100;
    }

    out->severity_id = 1;
    for (int i = 0; i < 4; i++) {
        if (out->total >= o->thresholds[i]) {
            out->severity_id = i + 2;
        }
    }
}

/* Adds the reasons that need nothing but the session. */
static void
score_session_reasons(const struct session *s, const struct score_opts *o,
                      struct score *out)
{
    out->nreasons = 0;
    out->total = 0;
    check_privileged(s, o, out);
    check_password(s, o, out);
    check_failures(s, o, out);
    check_non_interactive(s, o, out);
    check_window(s, o, out);
}

void
score_session(const struct session *s, const struct score_opts *o,
              struct score *out)
{
    score_session_reasons(s, o, out);
    score_finish(o, out);
}

int
score_ctx_new(struct score_ctx **out, const struct score_opts *o,
              const char *state_path, const struct state_opts *so,
              char *err, size_t n)
{
    struct state_opts defaults;
    struct score_ctx *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (c == NULL) {
        snprintf(err, n, "out of memory creating the scoring context");
        return -1;
    }
    if (so == NULL) {
        state_opts_default(&defaults);
        so = &defaults;
    }
    c->opts = *o;
    if (state_open(&c->state, state_path, so, err, n) < 0) {
        free(c);
        return -1;
    }
    *out = c;
    return 0;
}

int
score_ctx_session(struct score_ctx *c, const struct session *s,
                  struct score *out, char *err, size_t n)
{
    struct baseline_findings found;

    score_session_reasons(s, &c->opts, out);

    /* Look up before learning, so a first session is "first seen". */
    baseline_check(c->state, &c->opts, s, &found);
    for (int i = 0; i < found.n; i++) {
        struct score_reason *r = add_reason(out, &c->opts,
                                            found.items[i].code);
        if (r != NULL) {
            snprintf(r->evidence, sizeof(r->evidence), "%s",
                     found.items[i].evidence);
        }
    }
    score_finish(&c->opts, out);
    return baseline_learn(c->state, &c->opts, s, err, n);
}

struct state *
score_ctx_state(struct score_ctx *c)
{
    return c->state;
}

int
score_ctx_close(struct score_ctx *c, char *err, size_t n)
{
    if (c == NULL) {
        return 0;
    }
    int rc = state_close(c->state, err, n);
    free(c);
    return rc;
}
