/*
 * Per-reason counters for unused input.  The table is small and linear
 * because reasons are few (one per parser branch) and lookups compare
 * pointers first.
 */
#include "core/diag.h"

#include <string.h>

#include "core/escape.h"

void
diag_init(struct diag *d)
{
    memset(d, 0, sizeof(*d));
}

static struct diag_reason *
find_reason(struct diag *d, enum diag_class cls, const char *format,
            const char *reason)
{
    /* Reasons and format names are mostly static strings, so a first pass
     * compares their addresses only. */
    for (int i = 0; i < d->nreasons; i++) {
        struct diag_reason *r = &d->reasons[i];
        if (r->reason == reason && r->format == format && r->cls == cls) {
            return r;
        }
    }
    for (int i = 0; i < d->nreasons; i++) {
        struct diag_reason *r = &d->reasons[i];
        if (r->cls == cls && (r->reason == reason ||
                              strcmp(r->reason, reason) == 0) &&
            (r->format == format ||
             (r->format && format && strcmp(r->format, format) == 0))) {
            return r;
        }
    }
    if (d->nreasons == DIAG_MAX_REASONS) {
        /* The last slot collects every reason past the limit. */
        struct diag_reason *last = &d->reasons[DIAG_MAX_REASONS - 1];
        last->reason = "other reasons";
        last->format = NULL;
        return last;
    }

    struct diag_reason *r = &d->reasons[d->nreasons++];
    r->cls = cls;
    r->format = format;
    r->reason = reason;
    return r;
}

void
diag_add(struct diag *d, enum diag_class cls, const char *reason,
         const struct event_origin *o)
{
    struct diag_reason *r = find_reason(d, cls, o ? o->format : NULL,
                                        reason ? reason : "unspecified");

    r->count++;
    d->total[cls]++;
    if (o != NULL && r->nsamples < DIAG_MAX_SAMPLES) {
        r->samples[r->nsamples].file = o->file;
        r->samples[r->nsamples].line = o->line;
        r->nsamples++;
    }
}

void
diag_write(const struct diag *d, FILE *out)
{
    static const char *const class_names[] = { "not understood", "skipped" };

    for (int cls = 0; cls < DIAG_CLASS_COUNT; cls++) {
        for (int i = 0; i < d->nreasons; i++) {
            const struct diag_reason *r = &d->reasons[i];
            if ((int)r->cls != cls) {
                continue;
            }
            fprintf(out, "  %s: %llu %s (%s)", class_names[cls],
                    (unsigned long long)r->count, r->reason,
                    r->format ? r->format : "input");
            /* Skipped lines are normal input; only lines not understood
             * are located for the reader. */
            for (int k = 0; cls == DIAG_MALFORMED && k < r->nsamples; k++) {
                fputs(k ? ", " : " at ", out);
                escape_text_write(out, r->samples[k].file);
                fprintf(out, ":%llu", (unsigned long long)r->samples[k].line);
            }
            fputc('\n', out);
        }
    }
}
