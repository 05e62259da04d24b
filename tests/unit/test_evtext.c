/*
 * Unit tests for the evidence text writer.  Each piece and each sequence
 * of pieces must give the bytes of the snprintf call it replaces: for
 * every array size from 1 byte up, for strings with NUL bytes inside, and
 * for integers at their edges.
 */
#include "score/evtext.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "tcheck.h"

/* Compares the n-byte arrays from both writers, NUL and all. */
static void
check_same(const char *want, const char *got, size_t n, const char *what)
{
    if (memcmp(want, got, strlen(want) + 1) != 0 || strlen(got) >= n) {
        printf("  %s, size %zu: \"%s\" from snprintf, \"%s\" here\n", what,
               n, want, got);
        CHECK(false);
    }
}

/* "%.*s and %" PRIu64 " of %s" with a view that may contain NUL bytes. */
static void
sequence_matches_snprintf(void)
{
    static const struct {
        const char *p;
        size_t len;
    } views[] = {
        { "", 0 }, { "web01", 5 }, { "ab\0cd", 5 }, { "\0", 1 },
        { "198.51.100.7", 12 }, { "a longer value that fills a small array", 39 },
    };
    static const uint64_t numbers[] = { 0, 1, 9, 10, 99, 12345,
                                        UINT64_MAX };
    char want[64], got[64];

    for (size_t v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
        for (size_t k = 0; k < sizeof(numbers) / sizeof(numbers[0]); k++) {
            for (size_t n = 1; n <= sizeof(want); n++) {
                struct evtext t;
                struct sv view = sv_make(views[v].p, views[v].len);

                snprintf(want, n, "%.*s and %" PRIu64 " of %s",
                         (int)views[v].len, views[v].p, numbers[k], "tail");
                memset(got, 'x', sizeof(got));
                evtext_init(&t, got, n);
                evtext_sv(&t, view, view.len);
                evtext_cstr(&t, " and ");
                evtext_u64(&t, numbers[k]);
                evtext_cstr(&t, " of ");
                evtext_cstr(&t, "tail");
                check_same(want, got, n, "sequence");
                CHECK_INT(t.len, strlen(got));
            }
        }
    }
}

/* A view is cut at max bytes, as a precision cuts "%.*s". */
static void
view_cut_at_max(void)
{
    char want[32], got[32];
    struct evtext t;

    for (size_t max = 0; max <= 12; max++) {
        snprintf(want, sizeof(want), "%.*s|", (int)max, "198.51.100.7");
        evtext_init(&t, got, sizeof(got));
        evtext_sv(&t, SV_LIT("198.51.100.7"), max);
        evtext_cstr(&t, "|");
        check_same(want, got, sizeof(got), "cut view");
    }
}

static void
signed_numbers_match(void)
{
    static const int64_t values[] = { 0, -1, 1, -9, 10, INT64_MAX, INT64_MIN,
                                      -1234567890123LL };
    char want[32], got[32];

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        struct evtext t;

        snprintf(want, sizeof(want), "%" PRId64, values[i]);
        evtext_init(&t, got, sizeof(got));
        evtext_i64(&t, values[i]);
        check_same(want, got, sizeof(got), "signed number");
    }
}

/* Random views over all byte values against snprintf. */
static void
random_views_match(void)
{
    char src[80], want[48], got[48];

    srand(7);
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)rand() % sizeof(src);
        size_t n = 1 + (size_t)rand() % sizeof(want);
        size_t max = (size_t)rand() % (sizeof(src) + 1);
        struct evtext t;

        for (size_t i = 0; i < len; i++) {
            /* One byte in eight is a NUL. */
            src[i] = rand() % 8 == 0 ? '\0' : (char)(1 + rand() % 255);
        }
        size_t cut = len < max ? len : max;
        snprintf(want, n, "<%.*s>", (int)cut, src);
        evtext_init(&t, got, n);
        evtext_cstr(&t, "<");
        evtext_sv(&t, sv_make(src, len), max);
        evtext_cstr(&t, ">");
        check_same(want, got, n, "random view");
    }
}

int
main(void)
{
    TEST_RUN("evtext", sequence_matches_snprintf);
    TEST_RUN("evtext", view_cut_at_max);
    TEST_RUN("evtext", signed_numbers_match);
    TEST_RUN("evtext", random_views_match);
    TEST_EXIT();
}
