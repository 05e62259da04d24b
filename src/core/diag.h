/*
 * Counters for input that was read but not used: lines not understood
 * (malformed) and lines understood but of no interest (skipped), per reason,
 * with the first few locations (by file name, then line) of each reason not
 * understood kept for the summary.
 *
 * Reasons are static strings owned by the caller's code, compared by
 * content, so two parsers may share one.  Nothing here prints per line.
 */
#ifndef SSHTRAIL_DIAG_H
#define SSHTRAIL_DIAG_H

#include <stdint.h>
#include <stdio.h>

#include "event/event.h"

/* Locations kept per reason for the summary. */
#define DIAG_MAX_SAMPLES 5
/* Entries for distinct reasons.  One per class is kept for "other
 * reasons", which counts the reasons that sort last (by class, format and
 * reason) once the others fill the table. */
#define DIAG_MAX_REASONS 64

enum diag_class {
    DIAG_MALFORMED,         /* not understood: reported with file:line */
    DIAG_SKIPPED,           /* understood, not relevant to SSH sessions */
    DIAG_CLASS_COUNT
};

struct diag_sample {
    const char *file;
    uint64_t line;
};

struct diag_reason {
    enum diag_class cls;
    const char *format;
    const char *reason;
    uint64_t count;
    int nsamples;
    struct diag_sample samples[DIAG_MAX_SAMPLES];
};

struct diag {
    int nreasons;
    struct diag_reason reasons[DIAG_MAX_REASONS];
    uint64_t total[DIAG_CLASS_COUNT];
};

void diag_init(struct diag *d);

/* Counts one line of class cls for reason at origin o. */
void diag_add(struct diag *d, enum diag_class cls, const char *reason,
              const struct event_origin *o);

/* Writes the per-reason counts and samples, one reason per line, sorted by
 * class, format and reason. */
void diag_write(const struct diag *d, FILE *out);

#endif
