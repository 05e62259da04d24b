/*
 * Unit tests for the counters of unused input.  The summary lists reasons
 * sorted by class, format and reason, and keeps the first locations by
 * file name and line, so it reads the same whatever order the lines were
 * counted in.
 */
#include "core/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Reason names "r00" to "r79", more than the table holds. */
#define MANY_REASONS 80
static char many_names[MANY_REASONS][16];

/* Adds reason i's i + 1 lines, at lines 100 * i + 1 and on of x.log. */
static void
add_many_reason(struct diag *d, int i)
{
    for (int k = 0; k <= i; k++) {
        add_at(d, DIAG_MALFORMED, "sshd", many_names[i], "x.log",
               (uint64_t)(100 * i + k + 1));
    }
}

/* Past the table's room the reasons that sort last count as "other
 * reasons" of their class, whatever order they came in. */
static void
overflow_same_in_any_order(void)
{
    struct diag up;
    struct diag down;
    struct diag mixed;

    for (int i = 0; i < MANY_REASONS; i++) {
        snprintf(many_names[i], sizeof(many_names[i]), "r%02d", i);
    }
    diag_init(&up);
    diag_init(&down);
    diag_init(&mixed);
    for (int i = 0; i < MANY_REASONS; i++) {
        add_many_reason(&up, i);
        add_many_reason(&down, MANY_REASONS - 1 - i);
        /* 37 is prime to 80, so this visits every reason once. */
        add_many_reason(&mixed, (i * 37) % MANY_REASONS);
    }
    add_at(&up, DIAG_SKIPPED, "sshd", "not an sshd program", "x.log", 1);
    add_at(&down, DIAG_SKIPPED, "sshd", "not an sshd program", "x.log", 1);
    add_at(&mixed, DIAG_SKIPPED, "sshd", "not an sshd program", "x.log", 1);

    char *su = summary_of(&up);
    char *sd = summary_of(&down);
    char *sm = summary_of(&mixed);
    CHECK(su != NULL);
    CHECK(sd != NULL);
    CHECK(sm != NULL);
    if (su != NULL && sd != NULL && sm != NULL) {
        CHECK_STR(su, sd);
        CHECK_STR(su, sm);
        /* Named: r00 to r61.  Other: r62 to r79, 63 + ... + 80 lines. */
        CHECK(strstr(su, "  not understood: 1287 other reasons (input) at "
                         "x.log:6201, x.log:6202, x.log:6203, x.log:6204, "
                         "x.log:6205\n") != NULL);
        CHECK(strstr(su, " r61 (sshd)") != NULL);
        CHECK(strstr(su, " r62 (sshd)") == NULL);
        /* Skipped reasons sort after the reasons not understood. */
        CHECK(strstr(su, "  skipped: 1 other reasons (input)\n") != NULL);
    }
    free(su);
    free(sd);
    free(sm);
}

int
main(void)
{
    TEST_RUN("diag", reasons_sorted_in_summary);
    TEST_RUN("diag", samples_first_by_file_and_line);
    TEST_RUN("diag", skipped_keep_no_samples);
    TEST_RUN("diag", origin_without_file_not_sampled);
    TEST_RUN("diag", overflow_same_in_any_order);
    TEST_EXIT();
}
