/*
 * Session scoring.  The weights below are the documented defaults (see
 * docs/reasons.md); the thresholds split 0..100 into the OCSF severities
 * Informational to Critical.  The baseline reasons come from baseline.c;
 * this file weighs them with the session reasons.
 */
#include "score/score.h"

#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "score/allowlist.h"
#include "score/baseline.h"
#include "score/evtext.h"
#include "score/patterns.h"

/* Pattern hits and hop targets named in one evidence string. */
#define SCORE_MAX_NAMED 3

struct score_ctx {
    struct score_opts opts;
    const struct config *cfg;       /* NULL: no configured reasons */
    struct patterns patterns;
    struct state *state;
    struct baseline_keys keys;      /* of the session being scored */
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
    memset(o, 0, sizeof(*o));
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

static void
check_privileged(const struct session *s, const struct score_opts *o,
                 const struct config *cfg, struct score *out)
{
    struct sv user = event_str(&s->ev, EVENT_USER);
    bool uid0 = event_num(&s->ev, EVENT_UID, -1) == 0;
    bool root = sv_eq_cstr(user, "root");
    bool admin = cfg != NULL && user.p != NULL && config_is_admin(cfg, user);

    if (!uid0 && !root && !admin) {
        return;
    }
    struct score_reason *r = add_reason(out, o, REASON_PRIVILEGED_ACCOUNT);
    if (r == NULL) {
        return;
    }
    if (uid0) {
        snprintf(r->evidence, sizeof(r->evidence), "login uid is 0");
    } else if (root) {
        snprintf(r->evidence, sizeof(r->evidence), "account name is root");
    } else {
        snprintf(r->evidence, sizeof(r->evidence),
                 "%.*s is listed in admin_accounts",
                 (int)sv_head(user, 64).len, user.p);
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
                 (long long)((event_time_ms(&s->start) -
                              event_time_ms(&s->first_failure)) / 1000));
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
        struct evtext t;
        evtext_init(&t, r->evidence, sizeof(r->evidence));
        if (type.p != NULL) {
            evtext_cstr(&t, "session type ");
            evtext_sv(&t, type, type.len);
        } else {
            evtext_cstr(&t, "no terminal (terminal ");
            evtext_sv(&t, tty, tty.len);
            evtext_cstr(&t, ")");
        }
    }
}

/* Returns the login-to-execution window of the platform of s. */
static int64_t
window_of(const struct session *s, const struct score_opts *o)
{
    const char *platform = session_platform(s);

    if (strcmp(platform, "macos") == 0 && o->window_macos_ms > 0) {
        return o->window_macos_ms;
    }
    if (strcmp(platform, "esxi") == 0 && o->window_esxi_ms > 0) {
        return o->window_esxi_ms;
    }
    return o->window_ms;
}

static void
check_window(const struct session *s, const struct score_opts *o,
             struct score *out)
{
    const struct session_exec *first = NULL;
    int64_t window = window_of(s, o);

    for (uint32_t i = 0; i < s->nexecs; i++) {
        const struct session_exec *x = &s->execs[i];
        if (first == NULL ||
            event_time_cmp(&x->ev->time, &first->ev->time) < 0) {
            first = x;
        }
    }
    if (first == NULL) {
        return;
    }

    int64_t delay = event_time_ms(&first->ev->time) - event_time_ms(&s->start);
    if (delay > window) {
        return;
    }
    struct score_reason *r = add_reason(out, o, REASON_EXEC_IN_WINDOW);
    if (r != NULL) {
        struct sv exe = event_str(first->ev, EVENT_EXE);
        if (exe.p == NULL) {
            exe = event_arg(first->ev, 0);
        }
        /* Whole milliseconds, so "%.3f" of delay / 1000 is exactly the
         * seconds and three digits written here. */
        int64_t ms = delay < 0 ? 0 : delay;
        char frac[4] = { (char)('0' + ms % 1000 / 100),
                         (char)('0' + ms % 100 / 10), (char)('0' + ms % 10),
                         '\0' };
        struct evtext t;
        evtext_init(&t, r->evidence, sizeof(r->evidence));
        evtext_cstr(&t, "first execution ");
        evtext_i64(&t, ms / 1000);
        evtext_cstr(&t, ".");
        evtext_cstr(&t, frac);
        evtext_cstr(&t, " s after login, within the ");
        evtext_i64(&t, window / 1000);
        evtext_cstr(&t, " s window: ");
        evtext_sv(&t, exe, exe.len);
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

/* Adds the reasons that need nothing but the session (and cfg). */
static void
score_session_reasons(const struct session *s, const struct score_opts *o,
                      const struct config *cfg, struct score *out)
{
    out->nreasons = 0;
    out->total = 0;
    out->allow_index = -1;
    out->expired_allow_index = -1;
    check_privileged(s, o, cfg, out);
    check_password(s, o, out);
    check_failures(s, o, out);
    check_non_interactive(s, o, out);
    check_window(s, o, out);
}

void
score_session(const struct session *s, const struct score_opts *o,
              struct score *out)
{
    score_session_reasons(s, o, NULL, out);
    score_finish(o, out);
}

/* UsernameFilter, then AllowedUsers (ESXi) or UserContext (macOS). */
static void
check_config_accounts(const struct session *s, const struct score_opts *o,
                      const struct config *cfg, const char *platform,
                      struct score *out)
{
    enum config_platform p = config_platform_from_name(platform);
    struct sv user = event_str(&s->ev, EVENT_USER);
    struct sv host = event_str(&s->ev, EVENT_HOST);
    int ul = (int)sv_head(user, 64).len;
    struct score_reason *r;

    if (user.p == NULL) {
        return;
    }
    if (config_user_of_interest(cfg, p, user) &&
        (r = add_reason(out, o, REASON_ACCOUNT_OF_INTEREST)) != NULL) {
        snprintf(r->evidence, sizeof(r->evidence),
                 "%.*s is listed in UsernameFilter", ul, user.p);
    }
    if (host.p != NULL && config_user_allowed(cfg, p, host, user) == 0 &&
        (r = add_reason(out, o, REASON_UNEXPECTED_ACCOUNT)) != NULL) {
        snprintf(r->evidence, sizeof(r->evidence),
                 "%.*s is not listed for %.*s in %s", ul, user.p,
                 (int)sv_head(host, 64).len, host.p,
                 p == CONFIG_ESXI ? "AllowedUsers" : "UserContext");
    }
}


/* Appends "; text" (or text when buf is empty), cut to fit. */
static void
evidence_append(char *buf, size_t n, const char *text, size_t len)
{
    struct evtext t = { buf, n, strlen(buf) };

    if (t.len + 1 >= n) {
        return;
    }
    evtext_cstr(&t, t.len > 0 ? "; " : "");
    evtext_sv(&t, sv_make(text, len), len);
}

/*
 * suspicious_execution: every execution against the built-in and
 * configured patterns.  The evidence names the first SCORE_MAX_NAMED hits
 * as family/name: matched text, and counts the rest.
 */
static void
check_patterns(const struct session *s, const struct score_opts *o,
               struct patterns *pat, const char *platform,
               struct score *out)
{
    char names[256] = "";
    struct pattern_hit hits[SCORE_MAX_NAMED];
    unsigned total = 0, named = 0;

    for (uint32_t i = 0; i < s->nexecs; i++) {
        int nh = patterns_match(pat, platform, s->execs[i].ev, hits,
                                SCORE_MAX_NAMED);
        for (int h = 0; h < nh && h < SCORE_MAX_NAMED; h++) {
            char one[200];
            struct evtext hit;
            if (named == SCORE_MAX_NAMED) {
                break;
            }
            evtext_init(&hit, one, sizeof(one));
            evtext_cstr(&hit, hits[h].family);
            evtext_cstr(&hit, "/");
            evtext_cstr(&hit, hits[h].name);
            evtext_cstr(&hit, ": ");
            evtext_cstr(&hit, hits[h].text);
            evidence_append(names, sizeof(names), one, hit.len);
            named++;
        }
        total += nh > 0 ? (unsigned)nh : 0;
    }
    if (total == 0) {
        return;
    }
    struct score_reason *r = add_reason(out, o, REASON_SUSPICIOUS_EXECUTION);
    if (r != NULL) {
        /* names may be longer than the evidence; the copy is cut there. */
        struct buf ev;
        buf_init(&ev, sizeof(r->evidence) - 1);
        char head[48];
        struct evtext t;
        evtext_init(&t, head, sizeof(head));
        evtext_u64(&t, total);
        evtext_cstr(&t, total == 1 ? " pattern hit: " : " pattern hits: ");
        buf_add(&ev, head, t.len);
        buf_add_cstr(&ev, names);
        if (total > named) {
            buf_add_cstr(&ev, "; ...");
        }
        memcpy(r->evidence, ev.data ? ev.data : "", ev.len);
        r->evidence[ev.len] = '\0';
        buf_fini(&ev);
    }
}

/* onward_ssh_hop: an SSH client started towards another host. */
static void
check_hops(const struct session *s, const struct score_opts *o,
           struct score *out)
{
    char targets[192] = "";
    unsigned total = 0;

    for (uint32_t i = 0; i < s->nexecs; i++) {
        struct sv target;
        if (!patterns_is_hop(s->execs[i].ev, &target)) {
            continue;
        }
        if (total < SCORE_MAX_NAMED) {
            target = sv_head(target, 64);
            evidence_append(targets, sizeof(targets), target.p, target.len);
        }
        total++;
    }
    if (total == 0) {
        return;
    }
    struct score_reason *r = add_reason(out, o, REASON_ONWARD_SSH_HOP);
    if (r != NULL) {
        snprintf(r->evidence, sizeof(r->evidence),
                 "%u SSH client start%s towards: %s%s", total,
                 total == 1 ? "" : "s", targets,
                 total > SCORE_MAX_NAMED ? "; ..." : "");
    }
}

/* Hour of day in a configuration's zone, for score_opts.local_hour. */
static int
zone_hour(const void *zone, int64_t sec)
{
    struct tzfile_civil civil;

    tzfile_civil(zone, sec, &civil);
    return civil.minute_of_day / 60;
}

void
score_state_opts(const struct config *cfg, struct state_opts *so)
{
    state_opts_default(so);
    so->window_ms = (int64_t)cfg->history_days * 24 * 3600 * 1000;
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        if (cfg->limits.baseline_entries != 0) {
            so->max_rows[t] = cfg->limits.baseline_entries;
        }
    }
}

int
score_ctx_new(struct score_ctx **out, const struct score_opts *o,
              const struct config *cfg, const char *state_path,
              const struct state_opts *so, char *err, size_t n)
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
    c->cfg = cfg;
    baseline_keys_init(&c->keys);
    if (cfg != NULL && c->opts.local_hour == NULL) {
        c->opts.local_hour = zone_hour;
        c->opts.zone = &cfg->zone;
        c->opts.zone_name = cfg->timezone;
    }
    if (patterns_init(&c->patterns, cfg, err, n) < 0) {
        free(c);
        return -1;
    }
    if (state_open(&c->state, state_path, so, err, n) < 0) {
        patterns_fini(&c->patterns);
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
    const char *platform = session_platform(s);

    score_session_reasons(s, &c->opts, c->cfg, out);
    if (c->cfg != NULL) {
        check_config_accounts(s, &c->opts, c->cfg, platform, out);
    }
    check_patterns(s, &c->opts, &c->patterns, platform, out);
    check_hops(s, &c->opts, out);

    /* Look up before learning, so a first session is "first seen". */
    baseline_keys_reset(&c->keys, s);
    baseline_check_keys(c->state, &c->opts, &c->keys, &found);
    for (int i = 0; i < found.n; i++) {
        struct score_reason *r = add_reason(out, &c->opts,
                                            found.items[i].code);
        if (r != NULL) {
            struct evtext t;
            evtext_init(&t, r->evidence, sizeof(r->evidence));
            evtext_cstr(&t, found.items[i].evidence);
        }
    }
    score_finish(&c->opts, out);

    /* Allowlisted sessions still teach the baselines what is usual. */
    if (c->cfg != NULL && c->cfg->nallow > 0) {
        out->allow_index = allowlist_match(c->cfg, s, &s->start,
                                           &out->expired_allow_index);
    }
    if (c->opts.frozen) {
        return 0;
    }
    return baseline_learn_keys(c->state, &c->opts, &c->keys, err, n);
}

int
score_ctx_learn(struct score_ctx *c, const struct session *s, char *err,
                size_t n)
{
    if (c->opts.frozen) {
        return 0;
    }
    baseline_keys_reset(&c->keys, s);
    return baseline_learn_keys(c->state, &c->opts, &c->keys, err, n);
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
    patterns_fini(&c->patterns);
    baseline_keys_fini(&c->keys);
    free(c);
    return rc;
}
