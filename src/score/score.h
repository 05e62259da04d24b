/*
 * Risk scoring of a finished SSH session.  Each reason has a stable
 * lower_snake code, a weight and the evidence that triggered it; the score
 * is the sum of the weights, capped at 100, and maps to an OCSF severity.
 * Baselines and allowlists add reasons in later stages; this module only
 * reads the session.
 */
#ifndef SSHTRAIL_SCORE_H
#define SSHTRAIL_SCORE_H

#include <stdint.h>

#include "correlate/session.h"

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
    int64_t window_ms;
    int weights[REASON_COUNT];
    /* Lowest score of severities Low, Medium, High and Critical. */
    int thresholds[4];
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
};

void score_opts_default(struct score_opts *o);

/* Scores s; reasons come out ordered by weight, highest first. */
void score_session(const struct session *s, const struct score_opts *o,
                   struct score *out);

const char *score_reason_name(enum score_reason_code code);
/* Returns the OCSF severity caption of severity_id ("High"). */
const char *score_severity_name(int severity_id);

#endif
