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

enum score_reason_code {
    REASON_PRIVILEGED_ACCOUNT,
    REASON_PASSWORD_AUTH,
    REASON_FAILURES_BEFORE_SUCCESS,
    REASON_NON_INTERACTIVE_COMMAND,
    REASON_EXEC_IN_WINDOW,
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
