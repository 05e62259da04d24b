/*
 * Unit tests for the fixed-size session mark table: lookups, replacement
 * in place, eviction of the oldest key, and lookups after many evictions
 * (which move entries back along their probe runs).
 */
#include "correlate/sesmarks.h"

#include <stdio.h>

#include "tcheck.h"

/* Writes the key of number i into buf and returns it as a view. */
static struct sv
key_of(char *buf, size_t cap, int i)
{
    int n = snprintf(buf, cap, "host-%d", i);
    return sv_make(buf, (size_t)n);
}

static void
get_and_replace(void)
{
    struct sesmarks m;

    CHECK_INT(sesmarks_init(&m, 4), 0);
    CHECK_INT(sesmarks_get(&m, SV_LIT("a")), 0);
    CHECK_INT(sesmarks_put(&m, SV_LIT("a"), 1), 0);
    CHECK_INT(sesmarks_get(&m, SV_LIT("a")), 1);
    CHECK_INT(sesmarks_put(&m, SV_LIT("a"), 2), 0);
    CHECK_INT(sesmarks_get(&m, SV_LIT("a")), 2);
    CHECK_INT((int)m.tab.count, 1);
    sesmarks_fini(&m);
}

static void
oldest_evicted(void)
{
    struct sesmarks m;
    char buf[32];

    CHECK_INT(sesmarks_init(&m, 3), 0);
    for (int i = 0; i < 3; i++) {
        CHECK_INT(sesmarks_put(&m, key_of(buf, sizeof(buf), i), 1), 0);
    }
    CHECK_INT(sesmarks_put(&m, key_of(buf, sizeof(buf), 3), 2), 1);
    CHECK_INT(sesmarks_get(&m, key_of(buf, sizeof(buf), 0)), 0);
    CHECK_INT(sesmarks_get(&m, key_of(buf, sizeof(buf), 1)), 1);
    CHECK_INT(sesmarks_get(&m, key_of(buf, sizeof(buf), 3)), 2);
    CHECK_INT((int)m.tab.count, 3);
    sesmarks_fini(&m);
}

static void
many_evictions_keep_recent(void)
{
    struct sesmarks m;
    char buf[32];
    int missing = 0;
    int stale = 0;

    CHECK_INT(sesmarks_init(&m, 1000), 0);
    for (int i = 0; i < 100000; i++) {
        sesmarks_put(&m, key_of(buf, sizeof(buf), i), (uint8_t)(1 + i % 2));
    }
    for (int i = 99000; i < 100000; i++) {
        if (sesmarks_get(&m, key_of(buf, sizeof(buf), i)) != 1 + i % 2) {
            missing++;
        }
    }
    for (int i = 0; i < 99000; i++) {
        if (sesmarks_get(&m, key_of(buf, sizeof(buf), i)) != 0) {
            stale++;
        }
    }
    CHECK_INT(missing, 0);
    CHECK_INT(stale, 0);
    CHECK_INT((int)m.tab.count, 1000);
    sesmarks_fini(&m);
}

int
main(void)
{
    TEST_RUN("sesmarks", get_and_replace);
    TEST_RUN("sesmarks", oldest_evicted);
    TEST_RUN("sesmarks", many_evictions_keep_recent);
    TEST_EXIT();
}
