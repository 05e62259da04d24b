/*
 * Risk scoring of a finished SSH session.  Each reason has a stable
 * lower_snake code, a weight and the evidence that triggered it.  The score
 * is the sum of the weights, capped at 100, and maps to an OCSF severity.
 *
 * score_session weighs what the session alone shows.  A scoring context
 * (score_ctx) adds the learned-baseline reasons of baseline.h and keeps
 * the state store they read, in a file or in memory for the run.
 */
#ifndef SSHTRAIL_SCORE_H
#define SSHTRAIL_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/session.h"
#include "state/state.h"

#define SCORE_MAX_REASONS 16

/* Reason codes; score_reason_name gives the stable lower_snake name. */
enum score_reason_code {
    REASON_PRIVILEGED_ACCOUNT,      /* uid 0 or a configured admin account */
    REASON_PASSWORD_AUTH,
    REASON_FAILURES_BEFORE_SUCCESS,
    REASON_NON_INTERACTIVE_COMMAND,
    REASON_EXEC_IN_WINDOW,
    REASON_FIRST_SEEN_SOURCE_HOST,  /* source address never seen on host */
    REASON_NEW_ACCOUNT_ON_HOST,     /* account never logged in to host */
    REASON_NEW_SOURCE_FOR_ACCOUNT,  /* account never came from source */
    REASON_NEVER_SEEN_SOURCE,       /* source never seen anywhere */
    REASON_ACCOUNT_OF_INTEREST,     /* UsernameFilter */
    REASON_UNEXPECTED_ACCOUNT,      /* not in AllowedUsers / UserContext */
    REASON_PASSWORD_WHERE_KEYS_USUAL,
    REASON_NEW_KEY_FINGERPRINT,
    REASON_OUTSIDE_USUAL_HOURS,
    REASON_NEW_EXE_FOR_ACCOUNT,     /* executable new for account on host */
    REASON_SUSPICIOUS_EXECUTION,    /* pattern families and config lists */
    REASON_ONWARD_SSH_HOP,          /* ssh, scp or rsync from the host */
    REASON_COUNT
};

struct score_opts {
    int64_t window_ms;              /* login to first execution, Linux */
    /* The windows of macOS and ESXi sessions; 0 takes window_ms. */
    int64_t window_macos_ms;
    int64_t window_esxi_ms;
    int weights[REASON_COUNT];
    /* Lowest score of severities Low, Medium, High and Critical. */
    int thresholds[4];

    /* outside_usual_hours needs hours_min_logins earlier logins and fires
     * when under hours_share_pct percent of them started in this hour. */
    int hours_min_logins;
    int hours_share_pct;
    /* password_where_keys_usual needs keys_min_logins earlier logins, at
     * least keys_usual_pct percent of them by publickey. */
    int keys_min_logins;
    int keys_usual_pct;
    /* Hour of day (0-23) of an epoch second in the configured zone;
     * NULL counts hours in UTC.  zone_name appears in evidence. */
    int (*local_hour)(const void *zone, int64_t sec);
    const void *zone;
    const char *zone_name;

    /* True: score against the baselines without learning from sessions
     * (--baseline-mode frozen). */
    bool frozen;
};

struct score_reason {
    enum score_reason_code code;
    int weight;
    char evidence[256];
};

struct score {
    int total;
    int severity_id;            /* OCSF: 1 informational .. 5 critical */
    struct score_reason reasons[SCORE_MAX_REASONS];
    int nreasons;
    /* Index in the configuration's allowlist of the entry that covers the
     * session, or -1.  The caller drops or marks a covered finding. */
    int allow_index;
    /* An expired allowlist entry that would have covered it, or -1. */
    int expired_allow_index;
};

void score_opts_default(struct score_opts *o);

/*
 * Scores what s alone shows, without baselines.  Reasons come out ordered
 * by weight, highest first.
 */
void score_session(const struct session *s, const struct score_opts *o,
                   struct score *out);

struct score_ctx;
struct config;

/*
 * Fills so from the configuration: the history window from history_days
 * and every table's row limit from limits.baseline_entries.
 */
void score_state_opts(const struct config *cfg, struct state_opts *so);

/*
 * Creates a scoring context with a copy of o.  cfg, which may be NULL and
 * must otherwise outlive the context, adds the configured reasons: admin
 * accounts, UsernameFilter, AllowedUsers and UserContext, the configured
 * suspicious-execution patterns, the allowlist and the time zone of
 * outside_usual_hours (unless o sets local_hour).  The baselines live in
 * the state file state_path, opened with so (state_opts_default when
 * NULL).  With state_path NULL they live in memory and last for the run.
 * Returns 0 and sets *out, or -1 with a message in err (size n) from the
 * state store or the pattern compiler.
 */
int score_ctx_new(struct score_ctx **out, const struct score_opts *o,
                  const struct config *cfg, const char *state_path,
                  const struct state_opts *so, char *err, size_t n);

/*
 * Scores s with the session reasons and the baseline reasons, then learns
 * from s unless o->frozen.  Call it for every session with a seen login,
 * also those that ran nothing, so the baselines learn every login.
 * Sessions without a login get the session reasons only.  Returns 0, or -1
 * with a message in err when writing the state file failed.  out is
 * complete either way and the baselines in memory stay current.
 */
int score_ctx_session(struct score_ctx *c, const struct session *s,
                      struct score *out, char *err, size_t n);

/*
 * Learns from s as score_ctx_session does, without scoring it: for callers
 * that write nothing about s, such as detect for a session that ran
 * nothing.  Returns 0, or -1 with a message in err when writing the state
 * file failed.
 */
int score_ctx_learn(struct score_ctx *c, const struct session *s, char *err,
                    size_t n);

/* Returns the context's state store, for statistics. */
struct state *score_ctx_state(struct score_ctx *c);

/*
 * Writes the state file's last batch and frees c; score_ctx_close(NULL) is
 * a no-op.  Returns 0, or -1 with a message in err when the write failed.
 */
int score_ctx_close(struct score_ctx *c, char *err, size_t n);

const char *score_reason_name(enum score_reason_code code);
/* Returns the OCSF severity caption of severity_id ("High"). */
const char *score_severity_name(int severity_id);

#endif
