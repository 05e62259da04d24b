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
 * first by file name and line.  The kept samples are then the same
 * whatever order the lines were counted in, as they are with several
 * inputs read by threads and merged.
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

/* Orders reasons by class, format name and reason. */
static int
reason_order(const struct diag_reason *a, const struct diag_reason *b)
{
    if (a->cls != b->cls) {
        return a->cls < b->cls ? -1 : 1;
    }
    int c = strcmp(a->format ? a->format : "", b->format ? b->format : "");
    if (c != 0) {
        return c;
    }
    return strcmp(a->reason, b->reason);
}

/* reason_order for qsort over an array of reason pointers. */
static int
reason_cmp(const void *pa, const void *pb)
{
    return reason_order(*(const struct diag_reason *const *)pa,
                        *(const struct diag_reason *const *)pb);
}

/* The reason that counts the lines of every reason left out of the table. */
static const char other_reasons[] = "other reasons";

static bool
is_other_reason(const char *reason)
{
    return reason == other_reasons || strcmp(reason, other_reasons) == 0;
}

/* Returns the "other reasons" entry of cls, adding it when there is none.
 * find_reason keeps a slot free for it. */
static struct diag_reason *
other_entry(struct diag *d, enum diag_class cls)
{
    for (int i = 0; i < d->nreasons; i++) {
        struct diag_reason *r = &d->reasons[i];
        if (r->cls == cls && r->format == NULL &&
            is_other_reason(r->reason)) {
            return r;
        }
    }

    struct diag_reason *r = &d->reasons[d->nreasons++];
    memset(r, 0, sizeof(*r));
    r->cls = cls;
    r->reason = other_reasons;
    return r;
}

/*
 * Returns the entry of a reason that is not in the table, once the named
 * reasons fill it.  The table keeps the named reasons that sort first by
 * reason_order: the new one takes the slot of the last of them when it
 * sorts before it, and that one's count and samples move to "other
 * reasons".  A reason that left the table never sorts before the last one
 * again, so its lines all count under "other reasons", and the table ends
 * with the same entries whatever order the lines came in.
 */
static struct diag_reason *
replace_last_reason(struct diag *d, const struct diag_reason *candidate)
{
    struct diag_reason *last = NULL;

    for (int i = 0; i < d->nreasons; i++) {
        struct diag_reason *r = &d->reasons[i];
        if (!is_other_reason(r->reason) &&
            (last == NULL || reason_order(r, last) > 0)) {
            last = r;
        }
    }
    if (last == NULL || reason_order(candidate, last) > 0) {
        return other_entry(d, candidate->cls);
    }

    struct diag_reason *other = other_entry(d, last->cls);
    other->count += last->count;
    for (int k = 0; k < last->nsamples; k++) {
        keep_sample(other, last->samples[k]);
    }
    *last = *candidate;
    return last;
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
    if (is_other_reason(reason)) {
        /* Counts merged from the "other reasons" of another diag. */
        return other_entry(d, cls);
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

    struct diag_reason candidate = { .cls = cls, .format = format,
                                     .reason = reason };
    /* One slot per class stays free for its "other reasons". */
    int others = 0;
    for (int i = 0; i < d->nreasons; i++) {
        others += is_other_reason(d->reasons[i].reason);
    }
    if (d->nreasons - others == DIAG_MAX_REASONS - DIAG_CLASS_COUNT) {
        return replace_last_reason(d, &candidate);
    }

    struct diag_reason *r = &d->reasons[d->nreasons++];
    *r = candidate;
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
    /* Only lines not understood are located in the summary, and only by
     * an origin that names a file.  Counts merged from another diag come
     * without one. */
    if (o != NULL && o->file != NULL && cls == DIAG_MALFORMED) {
        keep_sample(r, (struct diag_sample){ o->file, o->line });
    }
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
