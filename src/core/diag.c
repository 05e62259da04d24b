/*
 * Per-reason counters for unused input.  The table is small and linear
 * because reasons are few (one per parser branch) and lookups compare
 * pointers first.
 */
#include "core/diag.h"

#include <stdlib.h>
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

/* Orders samples by file name, then line. */
static int
sample_cmp(const struct diag_sample *a, const struct diag_sample *b)
{
    if (a->file != b->file) {
        int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
        if (c != 0) {
            return c;
        }
    }
    return a->line < b->line ? -1 : a->line > b->line;
}

/*
 * Keeps sample x among r's samples when it is one of the DIAG_MAX_SAMPLES
 * first by file name and line.  The kept samples are then the same whatever order
 * the lines were counted in, as they are with several inputs read by
 * threads and merged.
 */
static void
keep_sample(struct diag_reason *r, struct diag_sample x)
{
    int n = r->nsamples;

    if (n == DIAG_MAX_SAMPLES) {
        if (sample_cmp(&x, &r->samples[n - 1]) >= 0) {
            return;
        }
        n--;
    } else {
        r->nsamples++;
    }
    while (n > 0 && sample_cmp(&x, &r->samples[n - 1]) < 0) {
        r->samples[n] = r->samples[n - 1];
        n--;
    }
    r->samples[n] = x;
}

void
diag_add(struct diag *d, enum diag_class cls, const char *reason,
         const struct event_origin *o)
{
    struct diag_reason *r = find_reason(d, cls, o ? o->format : NULL,
                                        reason ? reason : "unspecified");

    r->count++;
    d->total[cls]++;
    /* Only lines not understood are located in the summary, and only by
     * an origin that names a file.  Counts merged from another diag come
     * without one. */
    if (o != NULL && o->file != NULL && cls == DIAG_MALFORMED) {
        keep_sample(r, (struct diag_sample){ o->file, o->line });
    }
}

/* Orders reasons by class, format name and reason. */
static int
reason_cmp(const void *pa, const void *pb)
{
    const struct diag_reason *a = *(const struct diag_reason *const *)pa;
    const struct diag_reason *b = *(const struct diag_reason *const *)pb;

    if (a->cls != b->cls) {
        return a->cls < b->cls ? -1 : 1;
    }
    int c = strcmp(a->format ? a->format : "", b->format ? b->format : "");
    if (c != 0) {
        return c;
    }
    return strcmp(a->reason, b->reason);
}

void
diag_write(const struct diag *d, FILE *out)
{
    static const char *const class_names[] = { "not understood", "skipped" };
    const struct diag_reason *sorted[DIAG_MAX_REASONS];

    /* Sorted, so the summary does not depend on the order in which the
     * inputs' lines were read. */
    for (int i = 0; i < d->nreasons; i++) {
        sorted[i] = &d->reasons[i];
    }
    qsort(sorted, (size_t)d->nreasons, sizeof(sorted[0]), reason_cmp);
    for (int i = 0; i < d->nreasons; i++) {
        const struct diag_reason *r = sorted[i];
        fprintf(out, "  %s: %llu %s (%s)", class_names[r->cls],
                (unsigned long long)r->count, r->reason,
                r->format ? r->format : "input");
        /* Only lines not understood have samples, because skipped lines
         * are normal input and need no location. */
        for (int k = 0; k < r->nsamples; k++) {
            fputs(k ? ", " : " at ", out);
            escape_text_write(out, r->samples[k].file);
            fprintf(out, ":%llu", (unsigned long long)r->samples[k].line);
        }
        fputc('\n', out);
    }
}
