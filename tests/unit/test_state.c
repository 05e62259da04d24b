/*
 * Tests of the state store: every table's insert, lookup, eviction and
 * ageing on event time, persistence across reopen, journal cursors and
 * their commit together with the rows, schema migration,
 * damaged and foreign files, file mode and type checks, write failures and
 * crash safety under SIGKILL.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "state/state.h"
#include "tcheck.h"

static char tmpdir[256];

static const char *
tmp_path(const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];

    snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
    return p;
}

static struct state_opts
small_opts(size_t max)
{
    struct state_opts o;

    state_opts_default(&o);
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        o.max_rows[t] = max;
    }
    return o;
}

static void
key_of(char *buf, size_t n, int i)
{
    snprintf(buf, n, "key-%d", i);
}

static void
test_touch_find_every_table(void)
{
    struct state_opts o = small_opts(10);
    struct state *st;
    char err[512];

    CHECK_INT(state_open(&st, NULL, &o, err, sizeof(err)), 0);
    CHECK(!state_is_persistent(st));
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        CHECK(state_find(st, t, SV_LIT("a")) == NULL);
        struct state_row *r = state_touch(st, t, SV_LIT("a"), 1000);
        CHECK(r != NULL);
        r = state_touch(st, t, SV_LIT("a"), 3000);
        CHECK(r != NULL);
        state_touch(st, t, SV_LIT("a"), 2000);

        const struct state_row *f = state_find(st, t, SV_LIT("a"));
        CHECK(f != NULL);
        if (f != NULL) {
            CHECK_INT(f->first_seen_ms, 1000);
            CHECK_INT(f->last_seen_ms, 3000);
            CHECK_INT(f->count, 3);
        }
        CHECK(state_find(st, t, SV_LIT("b")) == NULL);
        CHECK_INT(state_rows(st, t), 1);
    }
    CHECK_INT(state_close(st, err, sizeof(err)), 0);
}

static void
test_eviction_at_limit(void)
{
    struct state_opts o = small_opts(3);
    struct state *st;
    char err[512], key[32];

    CHECK_INT(state_open(&st, NULL, &o, err, sizeof(err)), 0);
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        /* key-0 is seen last although inserted first. */
        for (int i = 0; i < 3; i++) {
            key_of(key, sizeof(key), i);
            state_touch(st, t, sv_cstr(key), 100 + i);
        }
        state_touch(st, t, SV_LIT("key-0"), 500);
        state_touch(st, t, SV_LIT("key-3"), 400);

        CHECK_INT(state_rows(st, t), 3);
        CHECK_INT(state_evictions(st, t), 1);
        CHECK(state_find(st, t, SV_LIT("key-1")) == NULL);
        CHECK(state_find(st, t, SV_LIT("key-0")) != NULL);
        CHECK(state_find(st, t, SV_LIT("key-2")) != NULL);
        CHECK(state_find(st, t, SV_LIT("key-3")) != NULL);
    }
    state_close(st, err, sizeof(err));
}

static void
test_ageing_on_event_time(void)
{
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    o.window_ms = 1000;
    CHECK_INT(state_open(&st, NULL, &o, err, sizeof(err)), 0);
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        state_touch(st, t, SV_LIT("old"), 10000);
        state_touch(st, t, SV_LIT("new"), 10800);
    }
    CHECK_INT(state_advance(st, 10900), 0);
    CHECK_INT(state_newest(st), 10900);

    /* 11500 - 1000 = 10500: "old" (10000) goes, "new" (10800) stays. */
    CHECK_INT(state_advance(st, 11500), STATE_TABLE_COUNT);
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        CHECK(state_find(st, t, SV_LIT("old")) == NULL);
        CHECK(state_find(st, t, SV_LIT("new")) != NULL);
        CHECK_INT(state_aged(st, t), 1);
        CHECK_INT(state_evictions(st, t), 0);
    }

    /* An earlier time does not move the clock back. */
    CHECK_INT(state_advance(st, 5000), 0);
    CHECK_INT(state_newest(st), 11500);
    state_close(st, err, sizeof(err));
}

static void
test_reopen_persists_rows(void)
{
    const char *path = tmp_path("persist.db");
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    unlink(path);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK(state_is_persistent(st));
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        struct state_row *r = state_touch(st, t, SV_LIT("k\x1f" "v"), 2000);
        unsigned nc = state_table_counters(t);
        CHECK((r->counters != NULL) == (nc > 0));
        if (nc > 0) {
            r->counters[0] = 7;
            r->counters[nc - 1] = 0xdeadbeef;
        }
        state_touch(st, t, SV_LIT("k\x1f" "v"), 3000);
        state_touch(st, t, SV_LIT("gone"), 2500);
    }
    state_advance(st, 3000);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK_INT(state_newest(st), 3000);
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        const struct state_row *r = state_find(st, t, SV_LIT("k\x1f" "v"));
        CHECK(r != NULL);
        if (r == NULL) {
            continue;
        }
        CHECK_INT(r->first_seen_ms, 2000);
        CHECK_INT(r->last_seen_ms, 3000);
        CHECK_INT(r->count, 2);
        unsigned nc = state_table_counters(t);
        if (t == STATE_ACCT_AUTH || t == STATE_ACCT_HOUR) {
            CHECK(nc > 1);
            CHECK_INT(r->counters[0], 7);
            CHECK_INT(r->counters[nc - 1], 0xdeadbeef);
        } else {
            CHECK_INT(nc, 0);
            CHECK(r->counters == NULL);
        }
        CHECK_INT(state_rows(st, t), 2);
    }
    CHECK_INT(state_close(st, err, sizeof(err)), 0);
}

/* A read-only open loads the rows, keeps changes in memory only and
 * creates nothing for a missing path. */
static void
test_read_only_open_writes_nothing(void)
{
    const char *path = tmp_path("readonly.db");
    const char *missing = tmp_path("readonly-missing.db");
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    unlink(path);
    unlink(missing);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    state_touch(st, STATE_SOURCE, SV_LIT("kept"), 2000);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    o.read_only = true;
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK(state_find(st, STATE_SOURCE, SV_LIT("kept")) != NULL);
    state_touch(st, STATE_SOURCE, SV_LIT("added"), 3000);
    CHECK_INT(state_flush(st, err, sizeof(err)), 0);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    o.read_only = false;
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK(state_find(st, STATE_SOURCE, SV_LIT("kept")) != NULL);
    CHECK(state_find(st, STATE_SOURCE, SV_LIT("added")) == NULL);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    o.read_only = true;
    CHECK_INT(state_open(&st, missing, &o, err, sizeof(err)), -1);
    CHECK(strstr(err, "not found") != NULL);
    CHECK(access(missing, F_OK) != 0);
}

/* Lowering a limit evicts at load; counters and deletions persist. */
static void
test_reopen_with_lower_limit(void)
{
    const char *path = tmp_path("limit.db");
    struct state_opts o = small_opts(10);
    struct state *st;
    char err[512], key[32];

    unlink(path);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    for (int i = 0; i < 10; i++) {
        key_of(key, sizeof(key), i);
        state_touch(st, STATE_SOURCE, sv_cstr(key), 1000 + i);
    }
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    o.max_rows[STATE_SOURCE] = 4;
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK_INT(state_rows(st, STATE_SOURCE), 4);
    CHECK_INT(state_evictions(st, STATE_SOURCE), 6);
    CHECK(state_find(st, STATE_SOURCE, SV_LIT("key-5")) == NULL);
    CHECK(state_find(st, STATE_SOURCE, SV_LIT("key-6")) != NULL);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    o.max_rows[STATE_SOURCE] = 100;
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK_INT(state_rows(st, STATE_SOURCE), 4);
    CHECK_INT(state_evictions(st, STATE_SOURCE), 6);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);
}

/* A key evicted and inserted again within one batch survives the write. */
static void
test_evict_then_reinsert_in_batch(void)
{
    const char *path = tmp_path("reinsert.db");
    struct state_opts o = small_opts(2);
    struct state *st;
    char err[512];

    unlink(path);
    o.batch_sessions = 1000;
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    state_touch(st, STATE_SOURCE, SV_LIT("a"), 1);
    CHECK_INT(state_flush(st, err, sizeof(err)), 0);
    state_touch(st, STATE_SOURCE, SV_LIT("b"), 2);
    state_touch(st, STATE_SOURCE, SV_LIT("c"), 3);    /* evicts a */
    state_touch(st, STATE_SOURCE, SV_LIT("a"), 4);    /* evicts b */
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK(state_find(st, STATE_SOURCE, SV_LIT("a")) != NULL);
    CHECK(state_find(st, STATE_SOURCE, SV_LIT("b")) == NULL);
    CHECK(state_find(st, STATE_SOURCE, SV_LIT("c")) != NULL);
    CHECK_INT(state_evictions(st, STATE_SOURCE), 2);
    state_close(st, err, sizeof(err));
}

/* Rows aged out while the file was closed are gone after reopening. */
static void
test_ageing_persists(void)
{
    const char *path = tmp_path("ageing.db");
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    unlink(path);
    o.window_ms = 1000;
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    state_touch(st, STATE_ACCT_HOST, SV_LIT("old"), 100);
    state_touch(st, STATE_ACCT_HOST, SV_LIT("new"), 5000);
    state_advance(st, 5000);
    CHECK_INT(state_rows(st, STATE_ACCT_HOST), 1);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK(state_find(st, STATE_ACCT_HOST, SV_LIT("old")) == NULL);
    CHECK(state_find(st, STATE_ACCT_HOST, SV_LIT("new")) != NULL);
    CHECK_INT(state_aged(st, STATE_ACCT_HOST), 1);
    state_close(st, err, sizeof(err));
}

static int64_t
sql_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    int64_t v = -1;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
        SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) {
            v = sqlite3_column_int64(q, 0);
        }
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return v;
}

static int
sql_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    int rc = sqlite3_open(path, &db);

    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    sqlite3_close(db);
    return rc;
}

static void
test_migrates_version_0(void)
{
    const char *path = tmp_path("v0.db");
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    /* An empty SQLite file with user_version 0, as SQLite writes one. */
    unlink(path);
    CHECK_INT(sql_exec(path, "PRAGMA user_version = 0; VACUUM"), SQLITE_OK);
    CHECK_INT(sql_int(path, "PRAGMA user_version"), 0);

    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    state_touch(st, STATE_ACCT_EXE, SV_LIT("x"), 1);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    CHECK_INT(sql_int(path, "PRAGMA user_version"), STATE_SCHEMA_VERSION);
    CHECK_INT(sql_int(path, "PRAGMA application_id"), 0x53534854);
    CHECK_INT(sql_int(path, "SELECT count(*) FROM account_exe"), 1);
    /* The baseline tables, meta and journal_cursor. */
    CHECK_INT(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE "
                      "type = 'table'"), STATE_TABLE_COUNT + 2);
}

/* A file of schema version 1 (before journal cursors) is upgraded. */
static void
test_migrates_version_1(void)
{
    const char *path = tmp_path("v1.db");
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    /* Version 1 is version 2 without the journal_cursor table. */
    unlink(path);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    state_touch(st, STATE_ACCT_HOST, SV_LIT("alice"), 5);
    state_advance(st, 5);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);
    CHECK_INT(sql_exec(path, "DROP TABLE journal_cursor; "
                       "PRAGMA user_version = 1"), SQLITE_OK);
    CHECK_INT(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE "
                      "name = 'journal_cursor'"), 0);

    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK(state_find(st, STATE_ACCT_HOST, SV_LIT("alice")) != NULL);
    CHECK(state_cursor_get(st, "directory:/j") == NULL);
    CHECK_INT(state_cursor_set(st, "directory:/j", "s=1;i=2", err,
                               sizeof(err)), 0);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    CHECK_INT(sql_int(path, "PRAGMA user_version"), STATE_SCHEMA_VERSION);
    CHECK_INT(sql_int(path, "SELECT count(*) FROM account_host"), 1);
    CHECK_INT(sql_int(path, "SELECT count(*) FROM journal_cursor"), 1);
}

static bool
has(const char *text, const char *part)
{
    return strstr(text, part) != NULL;
}

static void
test_newer_version_rejected(void)
{
    const char *path = tmp_path("newer.db");
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    unlink(path);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    state_close(st, err, sizeof(err));
    CHECK_INT(sql_exec(path, "PRAGMA user_version = 99"), SQLITE_OK);

    err[0] = '\0';
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), -1);
    CHECK(st == NULL);
    CHECK(has(err, path));
    CHECK(has(err, "schema version 99"));
    CHECK(has(err, "newer sshtrail"));
}

static void
test_foreign_database_rejected(void)
{
    const char *path = tmp_path("foreign.db");
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    unlink(path);
    CHECK_INT(sql_exec(path, "CREATE TABLE t (x)"), SQLITE_OK);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), -1);
    CHECK(has(err, path));
    CHECK(has(err, "did not create"));
    CHECK_INT(sql_int(path, "SELECT count(*) FROM sqlite_master"), 1);
}

static void
write_bytes(const char *path, const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "wb");

    if (f != NULL) {
        fwrite(p, 1, n, f);
        fclose(f);
    }
}

static void
test_random_bytes_rejected(void)
{
    const char *path = tmp_path("random.db");
    struct state_opts o = small_opts(100);
    struct state *st;
    unsigned char junk[8192];
    char err[512];

    srand(7);
    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (unsigned char)rand();
    }
    write_bytes(path, junk, sizeof(junk));
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), -1);
    CHECK(st == NULL);
    CHECK(has(err, path));
    CHECK(has(err, "damaged or not an SQLite database"));
    CHECK(has(err, "move it aside or delete it"));

    /* A text file is no database either. */
    write_bytes(path, (const unsigned char *)"hello\n", 6);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), -1);
    CHECK(has(err, "damaged or not an SQLite database"));
}

/* Cuts a populated file at several lengths; none may crash the open. */
static void
test_truncated_file(void)
{
    const char *path = tmp_path("trunc.db");
    struct state_opts o = small_opts(100000);
    struct state *st;
    char err[512], key[64];
    struct stat sb;

    unlink(path);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    for (int i = 0; i < 3000; i++) {
        snprintf(key, sizeof(key), "a fairly long key number %d", i);
        state_touch(st, STATE_ACCT_EXE, sv_cstr(key), i);
    }
    CHECK_INT(state_close(st, err, sizeof(err)), 0);
    CHECK_INT(sql_exec(path, "PRAGMA wal_checkpoint(TRUNCATE)"), SQLITE_OK);
    CHECK_INT(stat(path, &sb), 0);
    CHECK(sb.st_size > 16384);

    int failures = 0;
    for (off_t len = sb.st_size - 4096; len > 0; len -= 7 * 4096 + 100) {
        CHECK_INT(truncate(path, len), 0);
        unlink(tmp_path("trunc.db-wal"));
        err[0] = '\0';
        if (state_open(&st, path, &o, err, sizeof(err)) < 0) {
            CHECK(has(err, path));
            failures++;
        } else {
            state_close(st, NULL, 0);
        }
    }
    /* Losing the pages of the loaded table is always noticed. */
    CHECK(failures > 0);
}

static void
test_mode_0600_with_umask_0(void)
{
    const char *path = tmp_path("mode.db");
    const char *wal = tmp_path("mode.db-wal");
    struct state_opts o = small_opts(100);
    struct state *st;
    struct stat sb;
    char err[512];

    unlink(path);
    mode_t old = umask(0);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    state_touch(st, STATE_SOURCE, SV_LIT("a"), 1);
    CHECK_INT(state_flush(st, err, sizeof(err)), 0);
    CHECK_INT(stat(path, &sb), 0);
    CHECK_INT(sb.st_mode & 07777, 0600);
    if (stat(wal, &sb) == 0) {
        CHECK_INT(sb.st_mode & 07777, 0600);
    }
    state_close(st, err, sizeof(err));

    /* A umask that removes the owner's write bit does not either. */
    unlink(path);
    umask(0277);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK_INT(stat(path, &sb), 0);
    CHECK_INT(sb.st_mode & 07777, 0600);
    state_close(st, err, sizeof(err));
    umask(old);
}

static void
test_not_regular_file_rejected(void)
{
    const char *dir = tmp_path("a-directory");
    const char *fifo = tmp_path("a-fifo");
    const char *link = tmp_path("a-link");
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    mkdir(dir, 0700);
    CHECK_INT(state_open(&st, dir, &o, err, sizeof(err)), -1);
    CHECK(has(err, dir));

    unlink(fifo);
    CHECK_INT(mkfifo(fifo, 0600), 0);
    CHECK_INT(state_open(&st, fifo, &o, err, sizeof(err)), -1);
    CHECK(has(err, "not a regular file"));

    CHECK_INT(state_open(&st, "/dev/full", &o, err, sizeof(err)), -1);
    CHECK(has(err, "not a regular file"));
    CHECK_INT(state_open(&st, "/dev/null", &o, err, sizeof(err)), -1);
    CHECK(has(err, "not a regular file"));

    unlink(link);
    CHECK_INT(symlink(tmp_path("persist.db"), link), 0);
    CHECK_INT(state_open(&st, link, &o, err, sizeof(err)), -1);
    CHECK(has(err, "symbolic link"));
}

/* max_page_count provokes SQLite's "database or disk is full". */
static void
test_disk_full_reported(void)
{
    const char *path = tmp_path("full.db");
    struct state_opts o = small_opts(100000);
    struct state *st;
    char err[512], key[128];

    unlink(path);
    o.max_pages = 40;
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "%d padded to make the row larger than "
                 "a few bytes so pages fill", i);
        state_touch(st, STATE_ACCT_EXE, sv_cstr(key), i);
    }
    err[0] = '\0';
    CHECK_INT(state_flush(st, err, sizeof(err)), -1);
    CHECK(has(err, path));
    CHECK(has(err, "full"));

    /* The rows stay in memory and the store keeps working. */
    CHECK(state_find(st, STATE_ACCT_EXE, SV_LIT("0 padded to make the row "
                     "larger than a few bytes so pages fill")) != NULL);
    CHECK_INT(state_rows(st, STATE_ACCT_EXE), 5000);
    CHECK_INT(state_close(st, err, sizeof(err)), -1);
    CHECK(has(err, "full"));
}

/* The checks of test_read_only_reported; returns the failed checks. */
static int
read_only_checks(const char *dir)
{
    char path[600], fresh[600];
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];
    int before = tcheck_failed_checks;

    snprintf(path, sizeof(path), "%s/state.db", dir);
    snprintf(fresh, sizeof(fresh), "%s/new.db", dir);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), -1);
    CHECK(has(err, path));
    CHECK(has(err, "permissions"));
    CHECK_INT(state_open(&st, fresh, &o, err, sizeof(err)), -1);
    CHECK(has(err, fresh));
    CHECK(has(err, "permissions"));
    fflush(stdout);
    return tcheck_failed_checks - before;
}

/*
 * A file the process may not write and a directory it may not create in.
 * Root ignores modes, so as root the checks run in a child that drops to
 * the uid and gid 65534 (nobody).
 */
static void
test_read_only_reported(void)
{
    const char *dir = tmp_path("ro");
    char path[600];
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    mkdir(dir, 0700);
    snprintf(path, sizeof(path), "%s/state.db", dir);
    unlink(path);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    state_close(st, err, sizeof(err));
    CHECK_INT(chmod(path, 0444), 0);
    CHECK_INT(chmod(dir, 0555), 0);
    CHECK_INT(chmod(tmpdir, 0755), 0);

    if (geteuid() != 0) {
        read_only_checks(dir);
    } else {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            if (setgid(65534) < 0 || setuid(65534) < 0) {
                _exit(100);
            }
            _exit(read_only_checks(dir) == 0 ? 0 : 1);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status));
        CHECK_INT(WEXITSTATUS(status), 0);
    }
    chmod(tmpdir, 0700);
    chmod(dir, 0700);
    chmod(path, 0600);
}

static void
test_second_open_rejected(void)
{
    const char *path = tmp_path("busy.db");
    struct state_opts o = small_opts(100);
    struct state *a, *b;
    char err[512];

    unlink(path);
    CHECK_INT(state_open(&a, path, &o, err, sizeof(err)), 0);
    CHECK_INT(state_open(&b, path, &o, err, sizeof(err)), -1);
    CHECK(has(err, "in use by another process"));
    state_close(a, err, sizeof(err));
    CHECK_INT(state_open(&b, path, &o, err, sizeof(err)), 0);
    state_close(b, err, sizeof(err));
}

static void
test_cursor_persists(void)
{
    const char *path = tmp_path("cursor.db");
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    unlink(path);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK(state_cursor_get(st, "system:0123") == NULL);
    CHECK_INT(state_cursor_set(st, "system:0123", "s=a;i=1", err,
                               sizeof(err)), 0);
    CHECK_INT(state_cursor_set(st, "directory:/var/log/j", "s=b;i=7", err,
                               sizeof(err)), 0);
    CHECK_INT(state_cursor_set(st, "system:0123", "s=a;i=2", err,
                               sizeof(err)), 0);
    CHECK_STR(state_cursor_get(st, "system:0123"), "s=a;i=2");
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK_STR(state_cursor_get(st, "system:0123"), "s=a;i=2");
    CHECK_STR(state_cursor_get(st, "directory:/var/log/j"), "s=b;i=7");
    CHECK(state_cursor_get(st, "directory:/other") == NULL);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);
    CHECK_INT(sql_int(path, "SELECT count(*) FROM journal_cursor"), 2);
}

static void
test_cursor_in_memory_store(void)
{
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    CHECK_INT(state_open(&st, NULL, &o, err, sizeof(err)), 0);
    CHECK_INT(state_cursor_set(st, "system:1", "s=a;i=1", err, sizeof(err)),
              0);
    CHECK_STR(state_cursor_get(st, "system:1"), "s=a;i=1");
    CHECK_INT(state_flush(st, err, sizeof(err)), 0);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);
}

static void
test_cursor_invalid_rejected(void)
{
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];
    static char longer[STATE_MAX_CURSOR + 2];

    memset(longer, 'c', sizeof(longer) - 1);
    CHECK_INT(state_open(&st, NULL, &o, err, sizeof(err)), 0);
    CHECK_INT(state_cursor_set(st, "", "s=a", err, sizeof(err)), -1);
    CHECK(has(err, "invalid journal cursor"));
    CHECK_INT(state_cursor_set(st, "system:1", "", err, sizeof(err)), -1);
    CHECK_INT(state_cursor_set(st, "system:1", longer, err, sizeof(err)),
              -1);
    longer[STATE_MAX_CURSOR] = '\0';
    CHECK_INT(state_cursor_set(st, "system:1", longer, err, sizeof(err)),
              0);
    CHECK(state_cursor_get(st, "") == NULL);
    state_close(st, err, sizeof(err));
}

/* Saving one source past the limit drops the one saved longest ago. */
static void
test_cursor_limit(void)
{
    const char *path = tmp_path("cursors.db");
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512], source[64];

    unlink(path);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    for (int i = 0; i < STATE_MAX_CURSORS; i++) {
        snprintf(source, sizeof(source), "directory:/j%d", i);
        CHECK_INT(state_cursor_set(st, source, "s=a", err, sizeof(err)), 0);
    }
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    /* j0 is the oldest; saving j1 again makes j2 the next to go. */
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK_INT(state_cursor_set(st, "directory:/j1", "s=b", err,
                               sizeof(err)), 0);
    CHECK_INT(state_cursor_set(st, "directory:/new", "s=c", err,
                               sizeof(err)), 0);
    CHECK(state_cursor_get(st, "directory:/j0") == NULL);
    CHECK_STR(state_cursor_get(st, "directory:/new"), "s=c");
    CHECK_INT(state_cursor_set(st, "directory:/new2", "s=d", err,
                               sizeof(err)), 0);
    CHECK(state_cursor_get(st, "directory:/j2") == NULL);
    CHECK_STR(state_cursor_get(st, "directory:/j1"), "s=b");
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    CHECK_INT(sql_int(path, "SELECT count(*) FROM journal_cursor"),
              STATE_MAX_CURSORS);
    CHECK_INT(sql_int(path, "SELECT count(*) FROM journal_cursor WHERE "
                      "source IN ('directory:/j0', 'directory:/j2')"), 0);
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK_STR(state_cursor_get(st, "directory:/new2"), "s=d");
    CHECK_STR(state_cursor_get(st, "directory:/j3"), "s=a");
    CHECK_INT(state_close(st, err, sizeof(err)), 0);
}

/*
 * Learns a row and saves a cursor, writes them back when flush is true,
 * then dies by SIGKILL as a crashed run would.
 */
static void
cursor_crash_child(const char *path, bool flush)
{
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    o.batch_sessions = 1000000;
    if (state_open(&st, path, &o, err, sizeof(err)) < 0) {
        _exit(2);
    }
    state_touch(st, STATE_SOURCE, SV_LIT("192.0.2.7"), 1000);
    if (state_cursor_set(st, "system:1", "s=a;i=9", err, sizeof(err)) < 0 ||
        state_session_end(st, err, sizeof(err)) < 0) {
        _exit(3);
    }
    if (flush && state_flush(st, err, sizeof(err)) < 0) {
        _exit(4);
    }
    kill(getpid(), SIGKILL);
    _exit(5);
}

/* Returns true when the child ran cursor_crash_child to its SIGKILL. */
static bool
run_cursor_crash(const char *path, bool flush)
{
    int status = 0;
    pid_t pid = fork();

    if (pid == 0) {
        cursor_crash_child(path, flush);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        return false;
    }
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/* The cursor and the rows learned before it are committed together. */
static void
test_cursor_commits_with_rows(void)
{
    const char *path = tmp_path("cursor-crash.db");
    struct state_opts o = small_opts(100);
    struct state *st;
    char err[512];

    /* Killed before the end-of-run write: neither reached the file. */
    unlink(path);
    CHECK(run_cursor_crash(path, false));
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK(state_cursor_get(st, "system:1") == NULL);
    CHECK(state_find(st, STATE_SOURCE, SV_LIT("192.0.2.7")) == NULL);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    /* Killed after it: both are there. */
    CHECK(run_cursor_crash(path, true));
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK_STR(state_cursor_get(st, "system:1"), "s=a;i=9");
    CHECK(state_find(st, STATE_SOURCE, SV_LIT("192.0.2.7")) != NULL);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);
}

/* A failed write keeps the cursor out of the file along with the rows. */
static void
test_cursor_not_saved_when_write_fails(void)
{
    const char *path = tmp_path("cursor-full.db");
    struct state_opts o = small_opts(100000);
    struct state *st;
    char err[512], key[128];

    unlink(path);
    o.max_pages = 40;
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK_INT(state_cursor_set(st, "system:1", "s=a;i=1", err, sizeof(err)),
              0);
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "%d padded to make the row larger than "
                 "a few bytes so pages fill", i);
        state_touch(st, STATE_ACCT_EXE, sv_cstr(key), i);
    }
    CHECK_INT(state_close(st, err, sizeof(err)), -1);
    CHECK(has(err, "full"));
    CHECK_INT(sql_int(path, "SELECT count(*) FROM journal_cursor"), 0);
    CHECK_INT(sql_int(path, "SELECT count(*) FROM account_exe"), 0);
}

/* Writes batches forever; the parent kills it. */
static void
crash_child(const char *path, int round)
{
    struct state_opts o = small_opts(500);
    struct state *st;
    char err[512], key[64];

    o.batch_sessions = 1;
    if (state_open(&st, path, &o, err, sizeof(err)) < 0) {
        fprintf(stderr, "crash child: %s\n", err);
        _exit(2);
    }
    for (int64_t i = 0;; i++) {
        for (int t = 0; t < STATE_TABLE_COUNT; t++) {
            snprintf(key, sizeof(key), "r%d-%lld", round, (long long)i);
            struct state_row *r = state_touch(st, t, sv_cstr(key),
                                              round * 1000000 + i);
            if (r != NULL && r->counters != NULL) {
                r->counters[(size_t)i % state_table_counters(t)]++;
            }
        }
        state_advance(st, round * 1000000 + i);
        if (state_session_end(st, err, sizeof(err)) < 0) {
            fprintf(stderr, "crash child: %s\n", err);
            _exit(3);
        }
    }
}

static void
test_sigkill_leaves_clean_file(void)
{
    const char *path = tmp_path("crash.db");
    struct state_opts o = small_opts(500);
    struct state *st;
    char err[512];
    struct timespec ts;

    unlink(path);
    srand((unsigned)getpid());
    for (int round = 0; round < 6; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            crash_child(path, round);
        }
        CHECK(pid > 0);
        ts.tv_sec = 0;
        ts.tv_nsec = (long)(20 + rand() % 150) * 1000000L;
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    }

    /* Opening replays the WAL; then SQLite checks every page. */
    CHECK_INT(state_open(&st, path, &o, err, sizeof(err)), 0);
    CHECK(state_rows(st, STATE_SOURCE) > 0);
    CHECK_INT(state_close(st, err, sizeof(err)), 0);

    sqlite3 *db;
    sqlite3_stmt *q;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_step(q), SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(q, 0), "ok");
    sqlite3_finalize(q);
    sqlite3_close(db);
}

int
main(void)
{
    const char *base = getenv("TMPDIR");

    snprintf(tmpdir, sizeof(tmpdir), "%s/sshtrail-state-XXXXXX",
             base != NULL && base[0] != '\0' ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        printf("FAIL state/setup: mkdtemp %s: %s\n", tmpdir,
               strerror(errno));
        return 1;
    }

    TEST_RUN("state", test_touch_find_every_table);
    TEST_RUN("state", test_eviction_at_limit);
    TEST_RUN("state", test_ageing_on_event_time);
    TEST_RUN("state", test_reopen_persists_rows);
    TEST_RUN("state", test_reopen_with_lower_limit);
    TEST_RUN("state", test_evict_then_reinsert_in_batch);
    TEST_RUN("state", test_ageing_persists);
    TEST_RUN("state", test_migrates_version_0);
    TEST_RUN("state", test_migrates_version_1);
    TEST_RUN("state", test_cursor_persists);
    TEST_RUN("state", test_cursor_in_memory_store);
    TEST_RUN("state", test_cursor_invalid_rejected);
    TEST_RUN("state", test_cursor_limit);
    TEST_RUN("state", test_cursor_commits_with_rows);
    TEST_RUN("state", test_cursor_not_saved_when_write_fails);
    TEST_RUN("state", test_newer_version_rejected);
    TEST_RUN("state", test_foreign_database_rejected);
    TEST_RUN("state", test_random_bytes_rejected);
    TEST_RUN("state", test_truncated_file);
    TEST_RUN("state", test_mode_0600_with_umask_0);
    TEST_RUN("state", test_not_regular_file_rejected);
    TEST_RUN("state", test_disk_full_reported);
    TEST_RUN("state", test_read_only_reported);
    TEST_RUN("state", test_read_only_open_writes_nothing);
    TEST_RUN("state", test_second_open_rejected);
    TEST_RUN("state", test_sigkill_leaves_clean_file);

    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", tmpdir);
    }
    TEST_EXIT();
}
