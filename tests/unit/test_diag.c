/*
 * Unit tests for the counters of unused input.  The summary lists reasons
 * sorted by class, format and reason, and keeps the first locations by
 * file name and line, so it reads the same whatever order the lines were
 * counted in.
 */
#include "core/diag.h"

#include <stdlib.h>

#include "tcheck.h"

/* Writes d's summary into a string the caller frees. */
static char *
summary_of(const struct diag *d)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (f == NULL) {
        return NULL;
    }
    diag_write(d, f);
    fclose(f);
    return text;
}

static void
add_at(struct diag *d, enum diag_class cls, const char *format,
       const char *reason, const char *file, uint64_t line)
{
    struct event_origin o = { format, file, line };

    diag_add(d, cls, reason, &o);
}

/* Reasons counted in two orders give one summary, sorted. */
static void
reasons_sorted_in_summary(void)
{
    struct diag a;
    struct diag b;

    diag_init(&a);
    diag_init(&b);
    add_at(&a, DIAG_SKIPPED, "sshd", "not an sshd program", "x.log", 1);
    add_at(&a, DIAG_SKIPPED, "audit", "audit record not used", "y.log", 1);
    add_at(&a, DIAG_MALFORMED, "sshd", "bad stamp", "x.log", 2);
    add_at(&b, DIAG_MALFORMED, "sshd", "bad stamp", "x.log", 2);
    add_at(&b, DIAG_SKIPPED, "audit", "audit record not used", "y.log", 1);
    add_at(&b, DIAG_SKIPPED, "sshd", "not an sshd program", "x.log", 1);

    char *sa = summary_of(&a);
    char *sb = summary_of(&b);
    CHECK(sa != NULL);
    CHECK(sb != NULL);
    if (sa != NULL && sb != NULL) {
        CHECK_STR(sa, sb);
        CHECK_STR(sa, "  not understood: 1 bad stamp (sshd) at x.log:2\n"
                      "  skipped: 1 audit record not used (audit)\n"
                      "  skipped: 1 not an sshd program (sshd)\n");
    }
    free(sa);
    free(sb);
}

/* The kept locations are the first by file name and line, whatever order
 * they came in; later ones only count. */
static void
samples_first_by_file_and_line(void)
{
    static const struct {
        const char *file;
        uint64_t line;
    } order[] = { { "b.log", 9 }, { "a.log", 30 }, { "b.log", 2 },
                  { "a.log", 7 }, { "c.log", 1 }, { "a.log", 8 },
                  { "b.log", 1 } };
    struct diag d;

    diag_init(&d);
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        add_at(&d, DIAG_MALFORMED, "sshd", "bad stamp", order[i].file,
               order[i].line);
    }
    CHECK_INT(d.nreasons, 1);
    CHECK_INT((int)d.reasons[0].count, 7);
    CHECK_INT((int)d.total[DIAG_MALFORMED], 7);

    char *text = summary_of(&d);
    CHECK(text != NULL);
    if (text != NULL) {
        CHECK_STR(text, "  not understood: 7 bad stamp (sshd) at a.log:7, "
                        "a.log:8, a.log:30, b.log:1, b.log:2\n");
    }
    free(text);
}

/* Skipped lines keep no locations. */
static void
skipped_keep_no_samples(void)
{
    struct diag d;

    diag_init(&d);
    add_at(&d, DIAG_SKIPPED, "sshd", "not an sshd program", "x.log", 4);
    CHECK_INT(d.reasons[0].nsamples, 0);
    CHECK_INT((int)d.reasons[0].count, 1);
}

/* An origin without a file counts the line but is no location: as the
 * first sample by name it would replace real ones and print a null name. */
static void
origin_without_file_not_sampled(void)
{
    struct diag d;

    diag_init(&d);
    add_at(&d, DIAG_MALFORMED, "sshd", "bad stamp", "x.log", 3);
    add_at(&d, DIAG_MALFORMED, "sshd", "bad stamp", NULL, 0);
    CHECK_INT((int)d.reasons[0].count, 2);
    CHECK_INT(d.reasons[0].nsamples, 1);

    char *text = summary_of(&d);
    CHECK(text != NULL);
    if (text != NULL) {
        CHECK_STR(text, "  not understood: 2 bad stamp (sshd) at x.log:3\n");
    }
    free(text);
}

int
main(void)
{
    TEST_RUN("diag", reasons_sorted_in_summary);
    TEST_RUN("diag", samples_first_by_file_and_line);
    TEST_RUN("diag", skipped_keep_no_samples);
    TEST_RUN("diag", origin_without_file_not_sampled);
    TEST_EXIT();
}
