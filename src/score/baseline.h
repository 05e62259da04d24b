/*
 * Learned baselines: what is usual for a source, an account and a host,
 * learned from earlier sessions and kept in the state store.
 *
 * For each finished login session the scorer first calls baseline_check
 * to find which baseline reasons apply, then feeds the session to baseline_learn.
 * Checking before learning makes the first session ever "first seen".  All
 * comparisons run on event time: the store's clock moves with the sessions'
 * start times, so replaying the same logs gives the same reasons.  With no
 * state file the store lives in memory and the baselines cover the run.
 *
 * This module does not weigh reasons or decide severity; score.c does.
 */
#ifndef SSHTRAIL_BASELINE_H
#define SSHTRAIL_BASELINE_H

#include "core/buf.h"
#include "correlate/session.h"
#include "score/score.h"
#include "state/state.h"

/* Maximum baseline reasons one session can raise. */
#define BASELINE_MAX_FINDINGS 8
/* Maximum new executables a new_exe_for_account evidence names. */
#define BASELINE_MAX_EXE_NAMES 4

/* Slots of the account_auth counters. */
enum baseline_auth_slot {
    BASELINE_AUTH_PUBLICKEY,
    BASELINE_AUTH_PASSWORD,
    BASELINE_AUTH_KBDINT,           /* keyboard-interactive, with or
                                       without a device such as /pam */
    BASELINE_AUTH_HOSTBASED,
    BASELINE_AUTH_OTHER,            /* gssapi, none, absent or unknown */
    BASELINE_AUTH_KEYED,            /* logins that logged a fingerprint */
    BASELINE_AUTH_SLOTS
};

struct baseline_finding {
    enum score_reason_code code;
    char evidence[256];
};

struct baseline_findings {
    struct baseline_finding items[BASELINE_MAX_FINDINGS];
    int n;
};

/* Keys of one session that do not depend on its executions: source,
 * source and host, account and host, account and source, account and key,
 * account. */
#define BASELINE_FIXED_KEYS 6

/* The position of a composed key in baseline_keys.text, and its hash. */
struct baseline_key_ref {
    size_t off;
    size_t len;
    uint64_t hash;          /* state_key_hash of the key */
    bool built;
};

/*
 * The row keys of one session, composed and hashed on first use and kept
 * until baseline_keys_reset, so baseline_check and baseline_learn build
 * and hash each key once.  The members belong to baseline.c.
 */
struct baseline_keys {
    const struct session *session;
    struct buf text;        /* the composed keys, one after another */
    struct baseline_key_ref fixed[BASELINE_FIXED_KEYS];
    struct baseline_key_ref *exes;  /* one per execution of session */
    uint32_t exes_cap;
    char spare[STATE_MAX_KEY];      /* a key that text has no room for */
};

void baseline_keys_init(struct baseline_keys *k);
void baseline_keys_fini(struct baseline_keys *k);

/* Forgets the keys of the previous session and makes k hold the keys of
 * s, which must stay unchanged while k is used with it. */
void baseline_keys_reset(struct baseline_keys *k, const struct session *s);

/*
 * baseline_check and baseline_learn for the session of k, using the keys
 * k contains and composing those it lacks.
 */
void baseline_check_keys(struct state *st, const struct score_opts *o,
                         struct baseline_keys *k,
                         struct baseline_findings *out);
int baseline_learn_keys(struct state *st, const struct score_opts *o,
                        struct baseline_keys *k, char *err, size_t n);

/*
 * Moves the store's clock to the session's start, ages out old rows and
 * fills out with the baseline reasons that apply to s, in code order.  The
 * store is only read apart from ageing.  A session without a seen login
 * (login_seen false) raises nothing.
 */
void baseline_check(struct state *st, const struct score_opts *o,
                    const struct session *s, struct baseline_findings *out);

/*
 * Adds s to the baselines: the source, account, host, key, method, hour
 * and executables it used.  Ends the session for the store, which writes
 * back a batch when one is full.  Returns 0, or -1 with a message in err
 * when that write failed (the baselines in memory are updated either way).
 */
int baseline_learn(struct state *st, const struct score_opts *o,
                   const struct session *s, char *err, size_t n);

/* Returns the account_auth slot of an authentication method as logged. */
enum baseline_auth_slot baseline_auth_slot(struct sv method);

/* Returns the hour of day, 0 to 23, of epoch second sec in o's zone. */
int baseline_local_hour(const struct score_opts *o, int64_t sec);

#endif
