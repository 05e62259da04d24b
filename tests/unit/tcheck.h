/*
 * A minimal unit test harness.  Each test file defines test functions and a
 * main that runs them with TEST_RUN.  Every test prints one line, "PASS
 * name" or "FAIL name", which tests/run.sh counts; each failed check prints
 * its file, line and expression first.
 */
#ifndef SSHTRAIL_TCHECK_H
#define SSHTRAIL_TCHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/sv.h"

static int tcheck_failed_checks;
static int tcheck_failed_tests;

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stdout, "  check failed at %s:%d: %s\n", __FILE__,     \
                    __LINE__, #cond);                                       \
            tcheck_failed_checks++;                                         \
        }                                                                   \
    } while (0)

/* Compares a string view with a C string and shows both on failure. */
#define CHECK_SV(view, expected)                                            \
    do {                                                                    \
        struct sv tcheck_v = (view);                                        \
        const char *tcheck_e = (expected);                                  \
        if (tcheck_e == NULL ? tcheck_v.p != NULL                           \
                             : !sv_eq_cstr(tcheck_v, tcheck_e) ||           \
                                   tcheck_v.p == NULL) {                    \
            fprintf(stdout, "  check failed at %s:%d: %s is \"%.*s\"%s, "   \
                    "expected %s%s%s\n", __FILE__, __LINE__, #view,         \
                    (int)tcheck_v.len, tcheck_v.p ? tcheck_v.p : "",        \
                    tcheck_v.p ? "" : " (absent)",                          \
                    tcheck_e ? "\"" : "", tcheck_e ? tcheck_e : "absent",   \
                    tcheck_e ? "\"" : "");                                  \
            tcheck_failed_checks++;                                         \
        }                                                                   \
    } while (0)

#define CHECK_INT(actual, expected)                                         \
    do {                                                                    \
        long long tcheck_a = (long long)(actual);                           \
        long long tcheck_x = (long long)(expected);                         \
        if (tcheck_a != tcheck_x) {                                         \
            fprintf(stdout, "  check failed at %s:%d: %s is %lld, "         \
                    "expected %lld\n", __FILE__, __LINE__, #actual,         \
                    tcheck_a, tcheck_x);                                    \
            tcheck_failed_checks++;                                         \
        }                                                                   \
    } while (0)

#define CHECK_STR(actual, expected)                                         \
    CHECK_SV(sv_cstr(actual), (expected))

/* Runs one test function and prints its PASS or FAIL line. */
#define TEST_RUN(prefix, fn)                                                \
    do {                                                                    \
        int tcheck_before = tcheck_failed_checks;                           \
        fn();                                                               \
        if (tcheck_failed_checks == tcheck_before) {                        \
            printf("PASS %s/%s\n", (prefix), #fn);                          \
        } else {                                                            \
            printf("FAIL %s/%s\n", (prefix), #fn);                          \
            tcheck_failed_tests++;                                          \
        }                                                                   \
    } while (0)

#define TEST_EXIT() return tcheck_failed_tests ? 1 : 0

/* Returns the next value of a 64-bit xorshift generator, so generated
 * cases are the same on every run.  *state must not be 0. */
static inline uint64_t
tcheck_random(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

#endif
