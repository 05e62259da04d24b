/*
 * Unit tests for the fixed-size table of failure counts.  Added counts
 * start at zero and are found again, and the oldest pair leaves when the
 * table is full.  Stale pairs leave from the oldest on until a fresh one,
 * and lookups stay right after many evictions.  Counted failures are
 * queued: they apply in order once the queue fills or on a flush, restart
 * after the span, and report the evictions they cause.
 */
#include "correlate/failtab.h"

#include <stdio.h>

#include "tcheck.h"

/* Writes the key of number i into buf and returns it as a view. */
static struct sv
key_of(char *buf, size_t cap, int i)
{
    int n = snprintf(buf, cap, "web%d 198.51.100.%d", i % 7, i);
    return sv_make(buf, (size_t)n);
}

/* Looks up a key of the form "HOST ADDR" (ADDR may be missing). */
static struct failure_count *
get(const struct failtab *t, struct sv key)
{
    struct sv host;
    struct sv addr = sv_cut(key, ' ', &host);

    return failtab_get(t, host, addr);
}

/* Adds a key of the form "HOST ADDR" (ADDR may be missing). */
static struct failure_count *
add(struct failtab *t, struct sv key, int *evicted)
{
    struct sv host;
    struct sv addr = sv_cut(key, ' ', &host);

    return failtab_add(t, host, addr, evicted);
}

static void
add_then_get(void)
{
    struct failtab t;
    int evicted = -1;

    CHECK_INT(failtab_init(&t, 4, 600000), 0);
    CHECK(get(&t, SV_LIT("a")) == NULL);

    struct failure_count *f = add(&t, SV_LIT("a"), &evicted);
    CHECK(f != NULL);
    CHECK_INT(evicted, 0);
    CHECK_INT((int)f->sshd, 0);
    CHECK_INT((int)f->invalid_users, 0);
    f->sshd = 3;
    CHECK(get(&t, SV_LIT("a")) == f);
    CHECK(add(&t, SV_LIT("a"), &evicted) == f);
    CHECK_INT((int)get(&t, SV_LIT("a"))->sshd, 3);
    CHECK(get(&t, SV_LIT("b")) == NULL);
    CHECK_INT((int)t.tab.count, 1);
    failtab_fini(&t);
}

static void
full_table_evicts_oldest(void)
{
    struct failtab t;
    char buf[48];
    int evicted = -1;

    CHECK_INT(failtab_init(&t, 3, 600000), 0);
    for (int i = 0; i < 3; i++) {
        add(&t, key_of(buf, sizeof(buf), i), &evicted)->audit =
            (uint64_t)i + 1;
        CHECK_INT(evicted, 0);
    }
    CHECK(add(&t, key_of(buf, sizeof(buf), 3), &evicted) != NULL);
    CHECK_INT(evicted, 1);
    CHECK(get(&t, key_of(buf, sizeof(buf), 0)) == NULL);
    CHECK_INT((int)get(&t, key_of(buf, sizeof(buf), 1))->audit, 2);
    CHECK_INT((int)get(&t, key_of(buf, sizeof(buf), 2))->audit, 3);
    CHECK_INT((int)t.tab.count, 3);
    failtab_fini(&t);
}

static bool
older_than(const struct failure_count *f, void *arg)
{
    return f->last.sec < *(const int64_t *)arg;
}

static void
stale_leave_from_oldest(void)
{
    struct failtab t;
    char buf[48];
    int evicted;
    int64_t now = 100;

    CHECK_INT(failtab_init(&t, 10, 600000), 0);
    /* Times 10, 20, 500, 30: the fresh third pair stops the sweep. */
    static const int64_t times[] = { 10, 20, 500, 30 };
    for (int i = 0; i < 4; i++) {
        add(&t, key_of(buf, sizeof(buf), i), &evicted)->last.sec =
            times[i];
    }
    CHECK_INT((int)failtab_drop_stale(&t, older_than, &now), 2);
    CHECK(get(&t, key_of(buf, sizeof(buf), 0)) == NULL);
    CHECK(get(&t, key_of(buf, sizeof(buf), 1)) == NULL);
    CHECK(get(&t, key_of(buf, sizeof(buf), 2)) != NULL);
    CHECK(get(&t, key_of(buf, sizeof(buf), 3)) != NULL);
    CHECK_INT((int)t.tab.count, 2);

    now = 1000;
    CHECK_INT((int)failtab_drop_stale(&t, older_than, &now), 2);
    CHECK_INT((int)t.tab.count, 0);
    CHECK_INT((int)failtab_drop_stale(&t, older_than, &now), 0);
    failtab_fini(&t);
}

static void
many_evictions_keep_recent(void)
{
    struct failtab t;
    char buf[48];
    int evicted;
    int missing = 0;
    int wrong = 0;

    CHECK_INT(failtab_init(&t, 1000, 600000), 0);
    for (int i = 0; i < 20000; i++) {
        add(&t, key_of(buf, sizeof(buf), i), &evicted)->sshd =
            (uint64_t)i;
    }
    for (int i = 0; i < 20000; i++) {
        struct failure_count *f = get(&t, key_of(buf, sizeof(buf), i));
        if (i >= 19000 && (f == NULL || f->sshd != (uint64_t)i)) {
            missing++;
        }
        if (i < 19000 && f != NULL) {
            wrong++;
        }
    }
    CHECK_INT(missing, 0);
    CHECK_INT(wrong, 0);
    CHECK_INT((int)t.tab.count, 1000);
    failtab_fini(&t);
}

static void
zero_size_table_adds_nothing(void)
{
    struct failtab t;
    int evicted = -1;

    CHECK_INT(failtab_init(&t, 0, 600000), 0);
    CHECK(add(&t, SV_LIT("a"), &evicted) == NULL);
    CHECK_INT(evicted, 0);
    CHECK(get(&t, SV_LIT("a")) == NULL);
    failtab_fini(&t);
}

/* A pair key finds its counts again, and pairs that split the same bytes
 * differently, or swap their parts, are different keys. */
static void
pair_keys(void)
{
    struct failtab t;
    int evicted;

    CHECK_INT(failtab_init(&t, 16, 600000), 0);
    struct failure_count *f =
        failtab_add(&t, SV_LIT("web1"), SV_LIT("192.0.2.7"), &evicted);
    CHECK(f != NULL);
    f->sshd = 5;
    CHECK(failtab_get(&t, SV_LIT("web1"), SV_LIT("192.0.2.7")) == f);
    CHECK(failtab_get(&t, SV_LIT("web"), SV_LIT("1192.0.2.7")) == NULL);
    CHECK(failtab_get(&t, SV_LIT("192.0.2.7"), SV_LIT("web1")) == NULL);
    CHECK(failtab_get(&t, SV_LIT("web1"), SV_LIT("192.0.2.70")) == NULL);
    CHECK(fixtab_hash_pair(SV_LIT("ab"), SV_LIT("c")) !=
          fixtab_hash_pair(SV_LIT("a"), SV_LIT("bc")));
    CHECK(fixtab_hash_pair(SV_LIT(""), SV_LIT("")) != 0);
    failtab_fini(&t);
}

/* A table of the default size takes 4 MiB of slots, allocated on the huge
 * page path: every slot starts empty, and the table fills, finds and
 * evicts as a small one does. */
static void
default_size_table(void)
{
    enum { MAX = 50000, ADDED = 60000 };
    struct failtab t;
    char buf[48];
    int evicted;
    int evictions = 0;
    int missing = 0;
    int not_zero = 0;

    CHECK_INT(failtab_init(&t, MAX, 600000), 0);
    CHECK(get(&t, key_of(buf, sizeof(buf), 7)) == NULL);
    for (int i = 0; i < ADDED; i++) {
        struct failure_count *f = add(&t, key_of(buf, sizeof(buf), i),
                                      &evicted);
        if (f == NULL) {
            missing++;
            continue;
        }
        if (f->sshd != 0 || f->audit != 0 || f->invalid_users != 0) {
            not_zero++;
        }
        f->sshd = (uint64_t)i + 1;
        evictions += evicted;
    }
    for (int i = ADDED - MAX; i < ADDED; i++) {
        struct failure_count *f = get(&t, key_of(buf, sizeof(buf), i));
        if (f == NULL || f->sshd != (uint64_t)i + 1) {
            missing++;
        }
    }
    CHECK_INT(missing, 0);
    CHECK_INT(not_zero, 0);
    CHECK_INT(evictions, ADDED - MAX);
    CHECK(get(&t, key_of(buf, sizeof(buf), 0)) == NULL);
    failtab_fini(&t);
}

static struct event_time
at_ms(int64_t ms)
{
    return (struct event_time){ ms / 1000, (int32_t)(ms % 1000) * 1000000,
                                3 };
}

/* Counts stay queued until a flush, then add up per source. */
static void
counts_apply_on_flush(void)
{
    struct failtab t;
    struct sv host = SV_LIT("web1");
    struct sv addr = SV_LIT("192.0.2.7");

    CHECK_INT(failtab_init(&t, 16, 60000), 0);
    struct event_time t1 = at_ms(1000);
    struct event_time t2 = at_ms(2500);
    struct event_time t3 = at_ms(4000);
    CHECK_INT((int)failtab_count(&t, host, addr, &t1, FAILURE_SSHD), 0);
    CHECK_INT((int)failtab_count(&t, host, addr, &t2, FAILURE_AUDIT), 0);
    CHECK_INT((int)failtab_count(&t, host, addr, &t3,
                                 FAILURE_INVALID_USER), 0);
    CHECK(failtab_get(&t, host, addr) == NULL);
    CHECK_INT((int)failtab_flush(&t), 0);

    struct failure_count *f = failtab_get(&t, host, addr);
    CHECK(f != NULL);
    CHECK_INT((int)f->sshd, 1);
    CHECK_INT((int)f->audit, 1);
    CHECK_INT((int)f->invalid_users, 1);
    CHECK_INT((int)f->first.sec, 1);
    CHECK_INT((int)f->last.sec, 4);
    CHECK_INT((int)f->last.nsec, 0);
    CHECK_INT((int)failtab_flush(&t), 0);
    CHECK_INT((int)f->sshd, 1);
    failtab_fini(&t);
}

/* A failure more than the span after the pair's last one starts the counts
 * again from its own time.  One within the span adds to them. */
static void
counts_restart_after_span(void)
{
    struct failtab t;
    struct sv host = SV_LIT("web1");
    struct sv addr = SV_LIT("192.0.2.7");

    CHECK_INT(failtab_init(&t, 16, 60000), 0);
    struct event_time t1 = at_ms(0);
    struct event_time t2 = at_ms(60000);
    struct event_time t3 = at_ms(120001);
    failtab_count(&t, host, addr, &t1, FAILURE_SSHD);
    failtab_count(&t, host, addr, &t2, FAILURE_SSHD);
    failtab_count(&t, host, addr, &t3, FAILURE_SSHD);
    failtab_flush(&t);

    struct failure_count *f = failtab_get(&t, host, addr);
    CHECK(f != NULL);
    CHECK_INT((int)f->sshd, 1);
    CHECK_INT((int)f->first.sec, 120);
    CHECK_INT((int)f->first.nsec, 1000000);
    failtab_fini(&t);
}

/* A full queue applies itself in order before taking the next failure, and
 * returns the evictions that makes; a flush returns the rest. */
static void
full_queue_applies_in_order(void)
{
    enum { PAIRS = 3 };
    struct failtab t;
    char buf[48];
    uint64_t evictions = 0;
    struct event_time when = at_ms(5000);

    CHECK_INT(failtab_init(&t, PAIRS, 60000), 0);
    for (unsigned i = 0; i < FAILTAB_QUEUE; i++) {
        struct sv key = key_of(buf, sizeof(buf), (int)i);
        struct sv host;
        struct sv addr = sv_cut(key, ' ', &host);
        evictions += failtab_count(&t, host, addr, &when, FAILURE_SSHD);
    }
    CHECK_INT((int)t.tab.count, 0);
    CHECK_INT((int)t.nqueued, (int)FAILTAB_QUEUE);

    struct sv key = key_of(buf, sizeof(buf), (int)FAILTAB_QUEUE);
    struct sv host;
    struct sv addr = sv_cut(key, ' ', &host);
    evictions += failtab_count(&t, host, addr, &when, FAILURE_SSHD);
    CHECK_INT((int)t.nqueued, 1);
    CHECK_INT((int)t.tab.count, PAIRS);
    CHECK_INT((int)evictions, (int)FAILTAB_QUEUE - PAIRS);
    /* The last pairs of the queue stay: it applied in order. */
    for (unsigned i = 0; i < FAILTAB_QUEUE; i++) {
        bool kept = get(&t, key_of(buf, sizeof(buf), (int)i)) != NULL;
        CHECK_INT(kept, i >= FAILTAB_QUEUE - PAIRS);
    }
    CHECK_INT((int)failtab_flush(&t), 1);
    CHECK(get(&t, key_of(buf, sizeof(buf), (int)FAILTAB_QUEUE)) != NULL);
    failtab_fini(&t);
}

int
main(void)
{
    TEST_RUN("failtab", add_then_get);
    TEST_RUN("failtab", full_table_evicts_oldest);
    TEST_RUN("failtab", stale_leave_from_oldest);
    TEST_RUN("failtab", many_evictions_keep_recent);
    TEST_RUN("failtab", zero_size_table_adds_nothing);
    TEST_RUN("failtab", pair_keys);
    TEST_RUN("failtab", default_size_table);
    TEST_RUN("failtab", counts_apply_on_flush);
    TEST_RUN("failtab", counts_restart_after_span);
    TEST_RUN("failtab", full_queue_applies_in_order);
    TEST_EXIT();
}
