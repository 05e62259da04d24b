/*
 * Unit tests for the bounded buffer: buf_format_i64 against printf's
 * "%lld", and buf_reserve at and past the maximum.
 */
#include "core/buf.h"

#include <limits.h>
#include <stdint.h>

#include "tcheck.h"

/* Formats v with buf_format_i64 and snprintf and compares the two. */
static int
format_matches_printf(long long v)
{
    char expected[32];
    char got[BUF_I64_MAX + 4];
    int n = snprintf(expected, sizeof(expected), "%lld", v);

    memset(got, '#', sizeof(got));
    size_t len = buf_format_i64(got, v);
    if (len != (size_t)n || memcmp(got, expected, len) != 0 ||
        memcmp(got + BUF_I64_MAX, "####", 4) != 0) {
        printf("  %s: got \"%.*s\" (%zu bytes)\n", expected, (int)len, got,
               len);
        return 0;
    }
    return 1;
}

static void
format_i64_edges(void)
{
    CHECK(format_matches_printf(0));
    CHECK(format_matches_printf(LLONG_MAX));
    CHECK(format_matches_printf(LLONG_MIN));
    CHECK(format_matches_printf(LLONG_MIN + 1));

    /* Every power of ten, one below and one above, with both signs. */
    long long p = 1;
    for (int i = 0; i < 19; i++) {
        for (long long d = -1; d <= 1; d++) {
            CHECK(format_matches_printf(p + d));
            CHECK(format_matches_printf(-(p + d)));
        }
        if (i < 18) {
            p *= 10;
        }
    }
}

static void
format_i64_small_and_random(void)
{
    uint64_t x = 0x243f6a8885a308d3ULL;
    int bad = 0;

    for (long long v = -1100; v <= 1100; v++) {
        bad += !format_matches_printf(v);
    }
    for (int i = 0; i < 100000; i++) {
        tcheck_random(&x);
        /* Shift by a random amount so every length occurs. */
        long long v = (long long)(x >> (x % 64));
        bad += !format_matches_printf(v);
        bad += !format_matches_printf((long long)x);
    }
    CHECK_INT(bad, 0);
}

static void
add_i64_appends(void)
{
    struct buf b;

    buf_init(&b, 64);
    buf_add_i64(&b, -42);
    buf_add_char(&b, ' ');
    buf_add_i64(&b, 1700000000123LL);
    CHECK_SV(sv_make(b.data, b.len), "-42 1700000000123");
    buf_fini(&b);
}

static void
reserve_within_and_past_max(void)
{
    struct buf b;

    buf_init(&b, 100);
    CHECK(buf_reserve(&b, 0) == NULL);
    CHECK(buf_reserve(&b, 101) == NULL);
    CHECK_INT(b.len, 0);
    CHECK_INT(b.dropped, 0);

    char *p = buf_reserve(&b, 100);
    CHECK(p != NULL);
    if (p != NULL) {
        memcpy(p, "hello", 5);
        b.len += 5;
    }
    CHECK_SV(sv_make(b.data, b.len), "hello");
    CHECK(buf_reserve(&b, 95) != NULL);
    CHECK(buf_reserve(&b, 96) == NULL);
    CHECK_INT(b.len, 5);
    CHECK_INT(b.dropped, 0);

    /* A failed reservation changes nothing, so buf_add still counts. */
    buf_add(&b, "0123456789", 10);
    CHECK_INT(b.len, 15);
    buf_fini(&b);
}

static void
reserve_grows_allocation(void)
{
    struct buf b;

    buf_init(&b, 1u << 20);
    buf_add(&b, "abc", 3);
    char *p = buf_reserve(&b, 5000);
    CHECK(p != NULL);
    CHECK(b.cap >= 5003);
    CHECK_SV(sv_make(b.data, b.len), "abc");
    CHECK(p == b.data + 3);
    buf_fini(&b);
}

int
main(void)
{
    TEST_RUN("buf", format_i64_edges);
    TEST_RUN("buf", format_i64_small_and_random);
    TEST_RUN("buf", add_i64_appends);
    TEST_RUN("buf", reserve_within_and_past_max);
    TEST_RUN("buf", reserve_grows_allocation);
    TEST_EXIT();
}
