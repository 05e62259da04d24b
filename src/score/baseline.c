/*
 * Baseline reasons and learning.  Each table row is keyed by the parts it
 * relates (source and host, account and executable...), joined with the
 * ASCII unit separator 0x1f.  A backslash or 0x1f inside a part is escaped
 * as "\\" or "\u", so two different tuples never share a key, and every
 * part is cut at a maximum length first.
 */
#include "score/baseline.h"

#include <stdio.h>
#include <string.h>

#include "score/evtext.h"

/* Maximum bytes of one key part before escaping; longer parts are cut. */
#define KEY_PART_MAX 1024

struct key {
    char buf[STATE_MAX_KEY];
    size_t len;
    bool overflow;
};

static void
key_add(struct key *k, struct sv part)
{
    if (k->len > 0 && k->len < sizeof(k->buf)) {
        k->buf[k->len++] = 0x1f;
    }
    if (part.len > KEY_PART_MAX) {
        part.len = KEY_PART_MAX;
    }

    /* Most parts need no escape and fit: copy them while checking, and
     * escape from the first byte that needs it.  (A memcpy of bounded size
     * becomes a string instruction that is slow to start on short parts.) */
    size_t start = 0;
    if (k->len + part.len + 1 <= sizeof(k->buf)) {
        char *dest = k->buf + k->len;
        while (start < part.len && part.p[start] != '\\' &&
               part.p[start] != 0x1f) {
            dest[start] = part.p[start];
            start++;
        }
        k->len += start;
        if (start == part.len) {
            return;
        }
    }
    for (size_t i = start; i < part.len; i++) {
        char c = part.p[i];
        if (k->len + 2 > sizeof(k->buf)) {
            k->overflow = true;
            return;
        }
        if (c == '\\' || c == 0x1f) {
            k->buf[k->len++] = '\\';
            c = c == '\\' ? '\\' : 'u';
        }
        k->buf[k->len++] = c;
    }
}

static struct sv
key_make(struct key *k, struct sv a, struct sv b, struct sv c)
{
    k->len = 0;
    k->overflow = false;
    key_add(k, a);
    if (b.p != NULL) {
        key_add(k, b);
    }
    if (c.p != NULL) {
        key_add(k, c);
    }
    return sv_make(k->buf, k->len);
}

/*
 * Cuts k back to len bytes and the overflow flag it had after its first
 * parts, then adds part.  The result is the key key_make builds from those
 * first parts and part, so keys that differ only in their last part reuse
 * the rest.
 */
static struct sv
key_replace_last(struct key *k, size_t len, bool overflow, struct sv part)
{
    k->len = len;
    k->overflow = overflow;
    key_add(k, part);
    return sv_make(k->buf, k->len);
}

/* The session facts every check and update uses. */
struct facts {
    struct sv host, user, src, method, fp;
    int64_t t_ms;
    int hour;
};

static bool
present(struct sv v)
{
    return v.p != NULL && v.len > 0;
}

static void
facts_get(const struct score_opts *o, const struct session *s,
          struct facts *f)
{
    f->host = event_str(&s->ev, EVENT_HOST);
    f->user = event_str(&s->ev, EVENT_USER);
    f->src = event_str(&s->ev, EVENT_SRC_IP);
    f->method = event_str(&s->ev, EVENT_AUTH_METHOD);
    f->fp = event_str(&s->ev, EVENT_KEY_FP);
    f->t_ms = s->start.sec * 1000 + s->start.nsec / 1000000;
    f->hour = baseline_local_hour(o, s->start.sec);
}

enum baseline_auth_slot
baseline_auth_slot(struct sv method)
{
    if (sv_eq_cstr(method, "publickey")) {
        return BASELINE_AUTH_PUBLICKEY;
    }
    if (sv_eq_cstr(method, "password")) {
        return BASELINE_AUTH_PASSWORD;
    }
    if (sv_starts_with(method, "keyboard-interactive")) {
        return BASELINE_AUTH_KBDINT;
    }
    if (sv_eq_cstr(method, "hostbased")) {
        return BASELINE_AUTH_HOSTBASED;
    }
    return BASELINE_AUTH_OTHER;
}

int
baseline_local_hour(const struct score_opts *o, int64_t sec)
{
    if (o->local_hour != NULL) {
        int h = o->local_hour(o->zone, sec);
        if (h >= 0 && h < 24) {
            return h;
        }
    }
    int64_t day_sec = sec % 86400;
    if (day_sec < 0) {
        day_sec += 86400;
    }
    return (int)(day_sec / 3600);
}

static const char *
plural(uint64_t count)
{
    return count == 1 ? "" : "s";
}

/* Writes the history window as "30 days" or "36 hours". */
static void
window_text(const struct state *st, char *buf, size_t n)
{
    int64_t w = state_window(st);
    int64_t days = w / (24 * 3600 * 1000LL);
    int64_t hours = w / (3600 * 1000LL);

    struct evtext t;

    evtext_init(&t, buf, n);
    if (w % (24 * 3600 * 1000LL) == 0) {
        evtext_i64(&t, days);
        evtext_cstr(&t, " day");
        evtext_cstr(&t, plural((uint64_t)days));
    } else {
        evtext_i64(&t, hours);
        evtext_cstr(&t, " hour");
        evtext_cstr(&t, plural((uint64_t)hours));
    }
}

/* Evidence strings cut attacker text at this many bytes. */
#define EV_PART 64

/* Writes "WHO<what>HOST in WIN of history" as bf's evidence. */
static void
write_never_on_host(struct baseline_finding *bf, struct sv who,
                    const char *what, struct sv host, const char *win)
{
    struct evtext t;

    evtext_init(&t, bf->evidence, sizeof(bf->evidence));
    evtext_sv(&t, who, EV_PART);
    evtext_cstr(&t, what);
    evtext_sv(&t, host, EV_PART);
    evtext_cstr(&t, " in ");
    evtext_cstr(&t, win);
    evtext_cstr(&t, " of history");
}

static struct baseline_finding *
finding_add(struct baseline_findings *out, enum score_reason_code code)
{
    if (out->n == BASELINE_MAX_FINDINGS) {
        return NULL;
    }
    struct baseline_finding *f = &out->items[out->n++];
    f->code = code;
    f->evidence[0] = '\0';
    return f;
}

static void
check_sources(struct state *st, const struct facts *f, const char *win,
              struct baseline_findings *out)
{
    struct key k;
    struct baseline_finding *bf;

    if (!present(f->src)) {
        return;
    }
    if (present(f->host) &&
        state_find(st, STATE_SRC_HOST,
                   key_make(&k, f->src, f->host, SV_NULL)) == NULL &&
        (bf = finding_add(out, REASON_FIRST_SEEN_SOURCE_HOST)) != NULL) {
        write_never_on_host(bf, f->src, " never seen on ", f->host, win);
    }
    if (state_find(st, STATE_SOURCE,
                   key_make(&k, f->src, SV_NULL, SV_NULL)) == NULL &&
        (bf = finding_add(out, REASON_NEVER_SEEN_SOURCE)) != NULL) {
        struct evtext t;
        evtext_init(&t, bf->evidence, sizeof(bf->evidence));
        evtext_sv(&t, f->src, EV_PART);
        evtext_cstr(&t, " never seen on any host in ");
        evtext_cstr(&t, win);
        evtext_cstr(&t, " of history");
    }
}

/*
 * The account reasons.  auth is the account's account_auth row, NULL when
 * the account has no history: then only new_account_on_host can apply,
 * because "new source" or "new key" for an account never seen adds
 * nothing to that.  on_host is the account_host row of the account and
 * the host, or NULL.
 */
static void
check_account(struct state *st, const struct facts *f,
              const struct state_row *auth, const struct state_row *on_host,
              const char *win, struct baseline_findings *out)
{
    struct key k;
    struct baseline_finding *bf;
    int ul = (int)sv_head(f->user, EV_PART).len;

    if (present(f->host) && on_host == NULL &&
        (bf = finding_add(out, REASON_NEW_ACCOUNT_ON_HOST)) != NULL) {
        write_never_on_host(bf, f->user, " never logged in to ", f->host,
                            win);
    }
    if (auth == NULL) {
        return;
    }
    if (present(f->src) &&
        state_find(st, STATE_ACCT_SRC,
                   key_make(&k, f->user, f->src, SV_NULL)) == NULL &&
        (bf = finding_add(out, REASON_NEW_SOURCE_FOR_ACCOUNT)) != NULL) {
        struct evtext t;
        evtext_init(&t, bf->evidence, sizeof(bf->evidence));
        evtext_sv(&t, f->user, EV_PART);
        evtext_cstr(&t, " logged in ");
        evtext_u64(&t, auth->count);
        evtext_cstr(&t, " time");
        evtext_cstr(&t, plural(auth->count));
        evtext_cstr(&t, " in ");
        evtext_cstr(&t, win);
        evtext_cstr(&t, " of history, never from ");
        evtext_sv(&t, f->src, EV_PART);
    }
    uint32_t keyed = auth->counters[BASELINE_AUTH_KEYED];
    if (present(f->fp) && keyed > 0 &&
        state_find(st, STATE_ACCT_KEY,
                   key_make(&k, f->user, f->fp, SV_NULL)) == NULL &&
        (bf = finding_add(out, REASON_NEW_KEY_FINGERPRINT)) != NULL) {
        snprintf(bf->evidence, sizeof(bf->evidence),
                 "key %.*s never used by %.*s; %lu earlier login%s used "
                 "other keys", (int)sv_head(f->fp, 96).len, f->fp.p, ul,
                 f->user.p, (unsigned long)keyed, plural(keyed));
    }
}

static void
check_method(const struct score_opts *o, const struct facts *f,
             const struct state_row *auth, struct baseline_findings *out)
{
    enum baseline_auth_slot slot = baseline_auth_slot(f->method);
    struct baseline_finding *bf;

    if (auth == NULL ||
        (slot != BASELINE_AUTH_PASSWORD && slot != BASELINE_AUTH_KBDINT)) {
        return;
    }
    uint64_t keys = auth->counters[BASELINE_AUTH_PUBLICKEY];
    uint64_t total = 0;
    for (int i = 0; i < BASELINE_AUTH_KEYED; i++) {
        total += auth->counters[i];
    }
    if (total < (uint64_t)o->keys_min_logins ||
        keys * 100 < total * (uint64_t)o->keys_usual_pct) {
        return;
    }
    bf = finding_add(out, REASON_PASSWORD_WHERE_KEYS_USUAL);
    if (bf != NULL) {
        snprintf(bf->evidence, sizeof(bf->evidence),
                 "%.*s login; %llu of %llu earlier logins of %.*s used "
                 "publickey", (int)sv_head(f->method, EV_PART).len,
                 f->method.p, (unsigned long long)keys,
                 (unsigned long long)total,
                 (int)sv_head(f->user, EV_PART).len, f->user.p);
    }
}

/* user_key is the account's key, which account_hour shares with
 * account_auth. */
static void
check_hours(struct state *st, const struct score_opts *o,
            const struct facts *f, struct sv user_key,
            struct baseline_findings *out)
{
    const struct state_row *h = state_find(st, STATE_ACCT_HOUR, user_key);
    uint64_t total = 0;

    if (h == NULL) {
        return;
    }
    for (int i = 0; i < 24; i++) {
        total += h->counters[i];
    }
    uint64_t here = h->counters[f->hour];
    if (total < (uint64_t)o->hours_min_logins ||
        here * 100 >= total * (uint64_t)o->hours_share_pct) {
        return;
    }
    struct baseline_finding *bf =
        finding_add(out, REASON_OUTSIDE_USUAL_HOURS);
    if (bf != NULL) {
        snprintf(bf->evidence, sizeof(bf->evidence),
                 "login in hour %02d:00-%02d:59 (%s); %llu of %llu earlier "
                 "logins of %.*s started in that hour, under the %d%% "
                 "share", f->hour, f->hour, o->zone_name != NULL
                                                ? o->zone_name : "UTC",
                 (unsigned long long)here, (unsigned long long)total,
                 (int)sv_head(f->user, EV_PART).len, f->user.p,
                 o->hours_share_pct);
    }
}

static struct sv
exec_name(const struct session_exec *x)
{
    struct sv exe = event_str(x->ev, EVENT_EXE);

    if (!present(exe)) {
        exe = event_arg(x->ev, 0);
    }
    return exe;
}

/* Tests whether an execution before index i ran the same executable. */
static bool
exe_seen_before(const struct session *s, uint32_t i, struct sv exe)
{
    for (uint32_t j = 0; j < i; j++) {
        if (sv_eq(exec_name(&s->execs[j]), exe)) {
            return true;
        }
    }
    return false;
}

/*
 * new_exe_for_account applies only when the account has logged in to the
 * host before (on_host, its account_host row, is not NULL): on a host new
 * to the account every executable is new, and new_account_on_host already
 * reports that.
 */
static void
check_exes(struct state *st, const struct facts *f,
           const struct state_row *on_host, const char *win,
           const struct session *s, struct baseline_findings *out)
{
    struct key k;
    char names[160];
    struct evtext listed;
    unsigned nnew = 0;

    if (!present(f->host) || on_host == NULL) {
        return;
    }
    /* The account and host start every executable's key. */
    key_make(&k, f->user, f->host, SV_NULL);
    size_t prefix_len = k.len;
    bool prefix_overflow = k.overflow;

    evtext_init(&listed, names, sizeof(names));
    for (uint32_t i = 0; i < s->nexecs; i++) {
        struct sv exe = exec_name(&s->execs[i]);
        if (!present(exe) || exe_seen_before(s, i, exe) ||
            state_find(st, STATE_ACCT_EXE,
                       key_replace_last(&k, prefix_len, prefix_overflow,
                                        exe)) != NULL) {
            continue;
        }
        if (nnew < BASELINE_MAX_EXE_NAMES) {
            evtext_cstr(&listed, nnew ? ", " : "");
            evtext_sv(&listed, exe, 48);
        }
        nnew++;
    }
    if (nnew == 0) {
        return;
    }
    struct baseline_finding *bf = finding_add(out,
                                              REASON_NEW_EXE_FOR_ACCOUNT);
    if (bf != NULL) {
        struct evtext t;
        evtext_init(&t, bf->evidence, sizeof(bf->evidence));
        evtext_u64(&t, nnew);
        evtext_cstr(&t, " executable");
        evtext_cstr(&t, plural(nnew));
        evtext_cstr(&t, " ");
        evtext_sv(&t, f->user, 32);
        evtext_cstr(&t, " never ran on ");
        evtext_sv(&t, f->host, 32);
        evtext_cstr(&t, " in ");
        evtext_cstr(&t, win);
        evtext_cstr(&t, " of history: ");
        evtext_cstr(&t, names);
        evtext_cstr(&t, nnew > BASELINE_MAX_EXE_NAMES ? ", ..." : "");
    }
}

void
baseline_check(struct state *st, const struct score_opts *o,
               const struct session *s, struct baseline_findings *out)
{
    struct facts f;
    struct key k;
    char win[32];

    out->n = 0;
    if (!s->login_seen) {
        return;
    }
    facts_get(o, s, &f);
    state_advance(st, f.t_ms);
    window_text(st, win, sizeof(win));

    check_sources(st, &f, win, out);
    if (!present(f.user)) {
        return;
    }
    struct sv user_key = key_make(&k, f.user, SV_NULL, SV_NULL);
    const struct state_row *auth = state_find(st, STATE_ACCT_AUTH, user_key);
    const struct state_row *on_host = NULL;
    struct key hk;
    if (present(f.host)) {
        on_host = state_find(st, STATE_ACCT_HOST,
                             key_make(&hk, f.user, f.host, SV_NULL));
    }
    check_account(st, &f, auth, on_host, win, out);
    check_method(o, &f, auth, out);
    check_hours(st, o, &f, user_key, out);
    check_exes(st, &f, on_host, win, s, out);
}

static void
counter_add(struct state_row *r, int slot)
{
    if (r != NULL && r->counters[slot] < UINT32_MAX) {
        r->counters[slot]++;
    }
}

int
baseline_learn(struct state *st, const struct score_opts *o,
               const struct session *s, char *err, size_t n)
{
    struct facts f;
    struct key k;

    if (!s->login_seen) {
        return 0;
    }
    facts_get(o, s, &f);
    /* The window moves with every login, scored or only learned. */
    state_advance(st, f.t_ms);
    if (present(f.src)) {
        state_touch(st, STATE_SOURCE, key_make(&k, f.src, SV_NULL, SV_NULL),
                    f.t_ms);
        if (present(f.host)) {
            state_touch(st, STATE_SRC_HOST,
                        key_make(&k, f.src, f.host, SV_NULL), f.t_ms);
        }
    }
    if (present(f.user)) {
        struct sv user = f.user;
        if (present(f.host)) {
            state_touch(st, STATE_ACCT_HOST,
                        key_make(&k, user, f.host, SV_NULL), f.t_ms);
        }
        if (present(f.src)) {
            state_touch(st, STATE_ACCT_SRC,
                        key_make(&k, user, f.src, SV_NULL), f.t_ms);
        }
        if (present(f.fp)) {
            state_touch(st, STATE_ACCT_KEY,
                        key_make(&k, user, f.fp, SV_NULL), f.t_ms);
        }
        /* account_auth and account_hour share the account's key. */
        struct sv user_key = key_make(&k, user, SV_NULL, SV_NULL);
        struct state_row *auth = state_touch(st, STATE_ACCT_AUTH, user_key,
                                             f.t_ms);
        counter_add(auth, baseline_auth_slot(f.method));
        if (present(f.fp)) {
            counter_add(auth, BASELINE_AUTH_KEYED);
        }
        counter_add(state_touch(st, STATE_ACCT_HOUR, user_key, f.t_ms),
                    f.hour);
        if (present(f.host)) {
            /* The account and host start every executable's key. */
            key_make(&k, user, f.host, SV_NULL);
            size_t prefix_len = k.len;
            bool prefix_overflow = k.overflow;
            for (uint32_t i = 0; i < s->nexecs; i++) {
                struct sv exe = exec_name(&s->execs[i]);
                if (present(exe)) {
                    state_touch(st, STATE_ACCT_EXE,
                                key_replace_last(&k, prefix_len,
                                                 prefix_overflow, exe),
                                f.t_ms);
                }
            }
        }
    }
    return state_session_end(st, err, n);
}
