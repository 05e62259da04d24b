/*
 * Measures the state store: upserts per second into the in-memory tables
 * alone and with the changes written back to an SQLite file, over a synthetic mix
 * of keys (a few thousand accounts and sources, many executables).  Not a
 * test: bench/state_bench.sh builds and runs it and prints the figures
 * that docs/state.md records.
 *
 * Usage: state_bench FILE [SESSIONS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "state/state.h"

static double
now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One session's updates: the seven login tables and three executables. */
static int
touch_session(struct state *st, long i, char *err, size_t n)
{
    char key[128];
    int64_t t = 1700000000000LL + (int64_t)i * 1000;
    unsigned acct = (unsigned)(i * 7919) % 5000;
    unsigned src = (unsigned)(i * 104729) % 20000;

    state_advance(st, t);
    for (int tb = 0; tb < STATE_TABLE_COUNT; tb++) {
        if (tb == STATE_ACCT_EXE) {
            for (int e = 0; e < 3; e++) {
                snprintf(key, sizeof(key), "u%u\x1fhost%u\x1f/usr/bin/x%ld",
                         acct, acct % 50, (i * 31 + e) % 3000);
                state_touch(st, STATE_ACCT_EXE, sv_cstr(key), t);
            }
            continue;
        }
        snprintf(key, sizeof(key), "u%u\x1f" "10.%u.%u.%u", acct,
                 src >> 16, (src >> 8) & 255, src & 255);
        struct state_row *r = state_touch(st, tb, sv_cstr(key), t);
        if (r != NULL && r->counters != NULL) {
            r->counters[(size_t)i % state_table_counters(tb)]++;
        }
    }
    return state_session_end(st, err, n);
}

static int
run(const char *path, long sessions, const char *label)
{
    struct state_opts o;
    struct state *st;
    char err[512];

    state_opts_default(&o);
    if (path != NULL) {
        unlink(path);
    }
    double t0 = now_sec();
    if (state_open(&st, path, &o, err, sizeof(err)) < 0) {
        fprintf(stderr, "state_bench: %s\n", err);
        return -1;
    }
    for (long i = 0; i < sessions; i++) {
        if (touch_session(st, i, err, sizeof(err)) < 0) {
            fprintf(stderr, "state_bench: %s\n", err);
            return -1;
        }
    }
    if (state_close(st, err, sizeof(err)) < 0) {
        fprintf(stderr, "state_bench: %s\n", err);
        return -1;
    }
    double t1 = now_sec();
    long upserts = sessions * (STATE_TABLE_COUNT + 2);
    printf("%-28s %8ld sessions %9ld upserts %6.2f s %10.0f upserts/s "
           "%8.0f sessions/s\n", label, sessions, upserts, t1 - t0,
           (double)upserts / (t1 - t0), (double)sessions / (t1 - t0));

    if (path != NULL) {
        /* Reopening loads every row back into memory. */
        t0 = now_sec();
        if (state_open(&st, path, &o, err, sizeof(err)) < 0) {
            fprintf(stderr, "state_bench: %s\n", err);
            return -1;
        }
        size_t rows = 0;
        for (int tb = 0; tb < STATE_TABLE_COUNT; tb++) {
            rows += state_rows(st, tb);
        }
        state_close(st, NULL, 0);
        t1 = now_sec();
        printf("%-28s %8zu rows loaded in %.2f s (%.0f rows/s)\n",
               "reopen", rows, t1 - t0, (double)rows / (t1 - t0));
    }
    return 0;
}

int
main(int argc, char **argv)
{
    long sessions = argc > 2 ? strtol(argv[2], NULL, 10) : 200000;

    if (argc < 2 || sessions <= 0) {
        fprintf(stderr, "usage: state_bench FILE [SESSIONS]\n");
        return 2;
    }
    if (run(NULL, sessions, "memory only") < 0 ||
        run(argv[1], sessions, "file, batch 256") < 0) {
        return 1;
    }
    return 0;
}
