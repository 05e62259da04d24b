/*
 * Baseline reasons and learning.  Each table row is keyed by the parts it
 * relates (source and host, account and executable...), joined with the
 * ASCII unit separator 0x1f.  A backslash or 0x1f inside a part is escaped
 * as "\\" or "\u", so two different tuples never share a key, and every
 * part is cut at a maximum length first.
 */
#include "score/baseline.h"

#include <stdio.h>
#include <stdlib.h>
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

/* The fixed keys, indexes of baseline_keys.fixed. */
enum fixed_key {
    KEY_SOURCE,             /* source */
    KEY_SRC_HOST,           /* source, host */
    KEY_ACCT_HOST,          /* account, host: also every executable's start */
    KEY_ACCT_SRC,           /* account, source */
    KEY_ACCT_KEY,           /* account, key fingerprint */
    KEY_ACCOUNT,            /* account: account_auth and account_hour */
};

/* A composed key and its state_key_hash. */
struct hashed_key {
    struct sv text;
    uint64_t hash;
};

/* The maximum bytes of keys one baseline_keys keeps; past it a key is
 * composed and hashed on every use. */
#define KEYS_TEXT_MAX (16u * 1024u * 1024u)

void
baseline_keys_init(struct baseline_keys *k)
{
    memset(k, 0, sizeof(*k));
    buf_init(&k->text, KEYS_TEXT_MAX);
}

void
baseline_keys_fini(struct baseline_keys *k)
{
    buf_fini(&k->text);
    free(k->exes);
    k->exes = NULL;
    k->exes_cap = 0;
}

void
baseline_keys_reset(struct baseline_keys *k, const struct session *s)
{
    k->session = s;
    buf_clear(&k->text);
    for (int i = 0; i < BASELINE_FIXED_KEYS; i++) {
        k->fixed[i].built = false;
    }
    if (s->nexecs > k->exes_cap) {
        /* Without the array the executables' keys are not kept. */
        free(k->exes);
        k->exes = calloc(s->nexecs, sizeof(*k->exes));
        k->exes_cap = k->exes != NULL ? s->nexecs : 0;
    }
    for (uint32_t i = 0; i < s->nexecs && i < k->exes_cap; i++) {
        k->exes[i].built = false;
    }
}

/*
 * Copies the composed key text into k and returns the copy with its hash.
 * The copy goes after the kept keys, and ref records it so the next use
 * of the key reads it back, when ref is not NULL and k has room.
 * Otherwise it goes to k->spare, valid until the next key is composed.
 */
static struct hashed_key
keep_key(struct baseline_keys *k, struct baseline_key_ref *ref,
         struct sv text)
{
    struct hashed_key h = { SV_NULL, state_key_hash(text) };
    size_t off = k->text.len;

    if (ref != NULL) {
        buf_add_sv(&k->text, text);
        if (k->text.dropped == 0) {
            ref->off = off;
            ref->len = text.len;
            ref->hash = h.hash;
            ref->built = true;
            h.text = sv_make(k->text.data + off, text.len);
            return h;
        }
        k->text.len = off;
        k->text.dropped = 0;
    }
    memcpy(k->spare, text.p, text.len);
    h.text = sv_make(k->spare, text.len);
    return h;
}

static struct hashed_key
kept_key(const struct baseline_keys *k, const struct baseline_key_ref *ref)
{
    struct hashed_key h = { sv_make(k->text.data + ref->off, ref->len),
                            ref->hash };

    return h;
}

/* Returns fixed key id of k's session, composing it on first use.  The
 * key is valid until the next key of k is composed or k is reset. */
static struct hashed_key
fixed_key(struct baseline_keys *k, enum fixed_key id)
{
    struct baseline_key_ref *ref = &k->fixed[id];
    const struct event *ev = &k->session->ev;
    struct sv first = event_str(ev, EVENT_USER);
    struct sv second = SV_NULL;
    struct key composed;

    if (ref->built) {
        return kept_key(k, ref);
    }
    switch (id) {
    case KEY_SOURCE:
        first = event_str(ev, EVENT_SRC_IP);
        break;
    case KEY_SRC_HOST:
        first = event_str(ev, EVENT_SRC_IP);
        second = event_str(ev, EVENT_HOST);
        break;
    case KEY_ACCT_HOST:
        second = event_str(ev, EVENT_HOST);
        break;
    case KEY_ACCT_SRC:
        second = event_str(ev, EVENT_SRC_IP);
        break;
    case KEY_ACCT_KEY:
        second = event_str(ev, EVENT_KEY_FP);
        break;
    case KEY_ACCOUNT:
        break;
    }
    return keep_key(k, ref, key_make(&composed, first, second, SV_NULL));
}

/*
 * Returns the account_exe key of execution i of k's session, whose
 * executable is exe: the account and host key followed by exe.  It is
 * composed on first use and valid until the next key of k is composed or
 * k is reset.
 */
static struct hashed_key
exe_key(struct baseline_keys *k, uint32_t i, struct sv exe)
{
    struct baseline_key_ref *ref = i < k->exes_cap ? &k->exes[i] : NULL;
    struct key composed;

    if (ref != NULL && ref->built) {
        return kept_key(k, ref);
    }
    struct sv prefix = fixed_key(k, KEY_ACCT_HOST).text;
    memcpy(composed.buf, prefix.p, prefix.len);
    composed.len = prefix.len;
    composed.overflow = false;
    key_add(&composed, exe);
    return keep_key(k, ref, sv_make(composed.buf, composed.len));
}

static const struct state_row *
find_row(const struct state *st, enum state_table t, struct hashed_key key)
{
    return state_find_hashed(st, t, key.text, key.hash);
}

static struct state_row *
touch_row(struct state *st, enum state_table t, struct hashed_key key,
          int64_t t_ms)
{
    return state_touch_hashed(st, t, key.text, key.hash, t_ms);
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
check_sources(struct state *st, struct baseline_keys *keys,
              const struct facts *f, const char *win,
              struct baseline_findings *out)
{
    struct baseline_finding *bf;

    if (!present(f->src)) {
        return;
    }
    if (present(f->host) &&
        find_row(st, STATE_SRC_HOST, fixed_key(keys, KEY_SRC_HOST)) == NULL &&
        (bf = finding_add(out, REASON_FIRST_SEEN_SOURCE_HOST)) != NULL) {
        write_never_on_host(bf, f->src, " never seen on ", f->host, win);
    }
    if (find_row(st, STATE_SOURCE, fixed_key(keys, KEY_SOURCE)) == NULL &&
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
check_account(struct state *st, struct baseline_keys *keys,
              const struct facts *f, const struct state_row *auth,
              const struct state_row *on_host, const char *win,
              struct baseline_findings *out)
{
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
        find_row(st, STATE_ACCT_SRC, fixed_key(keys, KEY_ACCT_SRC)) == NULL &&
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
        find_row(st, STATE_ACCT_KEY, fixed_key(keys, KEY_ACCT_KEY)) == NULL &&
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

/* account_hour shares the account's key with account_auth. */
static void
check_hours(struct state *st, const struct score_opts *o,
            struct baseline_keys *keys, const struct facts *f,
            struct baseline_findings *out)
{
    const struct state_row *h =
        find_row(st, STATE_ACCT_HOUR, fixed_key(keys, KEY_ACCOUNT));
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
check_exes(struct state *st, struct baseline_keys *keys,
           const struct facts *f, const struct state_row *on_host,
           const char *win, struct baseline_findings *out)
{
    const struct session *s = keys->session;
    char names[160];
    struct evtext listed;
    unsigned nnew = 0;

    if (!present(f->host) || on_host == NULL) {
        return;
    }
    evtext_init(&listed, names, sizeof(names));
    for (uint32_t i = 0; i < s->nexecs; i++) {
        struct sv exe = exec_name(&s->execs[i]);
        if (!present(exe) || exe_seen_before(s, i, exe) ||
            find_row(st, STATE_ACCT_EXE, exe_key(keys, i, exe)) != NULL) {
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

/* The maximum rows prefetch_rows requests for one session. */
#define PREFETCH_MAX 32

/* A row that a session's check or learning looks up. */
struct row_ref {
    enum state_table table;
    uint64_t hash;
};

static int
add_row_ref(struct row_ref *refs, int n, enum state_table t,
            struct hashed_key key)
{
    if (n == PREFETCH_MAX) {
        return n;
    }
    refs[n].table = t;
    refs[n].hash = key.hash;
    return n + 1;
}

/*
 * Composes the keys of the rows that checking and learning the session of
 * keys look up, and prefetches their index slots, then their rows.  The
 * rows are spread over megabytes of tables, so most lookups miss the
 * cache.  Requested together, the loads overlap instead of following one
 * another.
 */
static void
prefetch_rows(const struct state *st, struct baseline_keys *keys,
              const struct facts *f)
{
    const struct session *s = keys->session;
    struct row_ref refs[PREFETCH_MAX];
    int n = 0;

    if (present(f->src)) {
        n = add_row_ref(refs, n, STATE_SOURCE, fixed_key(keys, KEY_SOURCE));
        if (present(f->host)) {
            n = add_row_ref(refs, n, STATE_SRC_HOST,
                            fixed_key(keys, KEY_SRC_HOST));
        }
    }
    if (present(f->user)) {
        struct hashed_key account = fixed_key(keys, KEY_ACCOUNT);
        n = add_row_ref(refs, n, STATE_ACCT_AUTH, account);
        n = add_row_ref(refs, n, STATE_ACCT_HOUR, account);
        if (present(f->src)) {
            n = add_row_ref(refs, n, STATE_ACCT_SRC,
                            fixed_key(keys, KEY_ACCT_SRC));
        }
        if (present(f->fp)) {
            n = add_row_ref(refs, n, STATE_ACCT_KEY,
                            fixed_key(keys, KEY_ACCT_KEY));
        }
        if (present(f->host)) {
            n = add_row_ref(refs, n, STATE_ACCT_HOST,
                            fixed_key(keys, KEY_ACCT_HOST));
            for (uint32_t i = 0; i < s->nexecs && n < PREFETCH_MAX; i++) {
                struct sv exe = exec_name(&s->execs[i]);
                if (present(exe)) {
                    n = add_row_ref(refs, n, STATE_ACCT_EXE,
                                    exe_key(keys, i, exe));
                }
            }
        }
    }
    for (int i = 0; i < n; i++) {
        state_prefetch(st, refs[i].table, refs[i].hash);
    }
    for (int i = 0; i < n; i++) {
        state_prefetch_row(st, refs[i].table, refs[i].hash);
    }
}

void
baseline_check_keys(struct state *st, const struct score_opts *o,
                    struct baseline_keys *keys, struct baseline_findings *out)
{
    const struct session *s = keys->session;
    struct facts f;
    char win[32];

    out->n = 0;
    if (!s->login_seen) {
        return;
    }
    facts_get(o, s, &f);
    state_advance(st, f.t_ms);
    prefetch_rows(st, keys, &f);
    window_text(st, win, sizeof(win));

    check_sources(st, keys, &f, win, out);
    if (!present(f.user)) {
        return;
    }
    const struct state_row *auth =
        find_row(st, STATE_ACCT_AUTH, fixed_key(keys, KEY_ACCOUNT));
    const struct state_row *on_host = NULL;
    if (present(f.host)) {
        on_host = find_row(st, STATE_ACCT_HOST,
                           fixed_key(keys, KEY_ACCT_HOST));
    }
    check_account(st, keys, &f, auth, on_host, win, out);
    check_method(o, &f, auth, out);
    check_hours(st, o, keys, &f, out);
    check_exes(st, keys, &f, on_host, win, out);
}

void
baseline_check(struct state *st, const struct score_opts *o,
               const struct session *s, struct baseline_findings *out)
{
    struct baseline_keys keys;

    baseline_keys_init(&keys);
    baseline_keys_reset(&keys, s);
    baseline_check_keys(st, o, &keys, out);
    baseline_keys_fini(&keys);
}

static void
counter_add(struct state_row *r, int slot)
{
    if (r != NULL && r->counters[slot] < UINT32_MAX) {
        r->counters[slot]++;
    }
}

int
baseline_learn_keys(struct state *st, const struct score_opts *o,
                    struct baseline_keys *keys, char *err, size_t n)
{
    const struct session *s = keys->session;
    struct facts f;

    if (!s->login_seen) {
        return 0;
    }
    facts_get(o, s, &f);
    /* The window moves with every login, scored or only learned. */
    state_advance(st, f.t_ms);
    if (present(f.src)) {
        touch_row(st, STATE_SOURCE, fixed_key(keys, KEY_SOURCE), f.t_ms);
        if (present(f.host)) {
            touch_row(st, STATE_SRC_HOST, fixed_key(keys, KEY_SRC_HOST),
                      f.t_ms);
        }
    }
    if (present(f.user)) {
        if (present(f.host)) {
            touch_row(st, STATE_ACCT_HOST, fixed_key(keys, KEY_ACCT_HOST),
                      f.t_ms);
        }
        if (present(f.src)) {
            touch_row(st, STATE_ACCT_SRC, fixed_key(keys, KEY_ACCT_SRC),
                      f.t_ms);
        }
        if (present(f.fp)) {
            touch_row(st, STATE_ACCT_KEY, fixed_key(keys, KEY_ACCT_KEY),
                      f.t_ms);
        }
        /* account_auth and account_hour share the account's key. */
        struct hashed_key account = fixed_key(keys, KEY_ACCOUNT);
        struct state_row *auth = touch_row(st, STATE_ACCT_AUTH, account,
                                           f.t_ms);
        counter_add(auth, baseline_auth_slot(f.method));
        if (present(f.fp)) {
            counter_add(auth, BASELINE_AUTH_KEYED);
        }
        counter_add(touch_row(st, STATE_ACCT_HOUR, account, f.t_ms), f.hour);
        if (present(f.host)) {
            for (uint32_t i = 0; i < s->nexecs; i++) {
                struct sv exe = exec_name(&s->execs[i]);
                if (present(exe)) {
                    touch_row(st, STATE_ACCT_EXE, exe_key(keys, i, exe),
                              f.t_ms);
                }
            }
        }
    }
    return state_session_end(st, err, n);
}

int
baseline_learn(struct state *st, const struct score_opts *o,
               const struct session *s, char *err, size_t n)
{
    struct baseline_keys keys;

    baseline_keys_init(&keys);
    baseline_keys_reset(&keys, s);
    int rc = baseline_learn_keys(st, o, &keys, err, n);
    baseline_keys_fini(&keys);
    return rc;
}
