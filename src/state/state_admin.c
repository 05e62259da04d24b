/*
 * `sshtrail baseline show` and `baseline forget`: reading and pruning a
 * state file directly with SQL, outside a detection run.  Row keys are the
 * baseline module's parts joined with 0x1f, with a backslash or 0x1f
 * inside a part escaped as "\\" or "\u".  This file only splits keys to
 * show and filter rows; it never builds them.
 */
#include "state/state_admin.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/jsonw.h"
#include "core/timeconv.h"
#include "state/state.h"
#include "state/state_db.h"

#define MAX_PARTS 3

/* Names of each table's key parts, in key order. */
static const char *const part_names[STATE_TABLE_COUNT][MAX_PARTS] = {
    [STATE_SRC_HOST] = { "source", "host", NULL },
    [STATE_ACCT_HOST] = { "account", "host", NULL },
    [STATE_ACCT_SRC] = { "account", "source", NULL },
    [STATE_SOURCE] = { "source", NULL, NULL },
    [STATE_ACCT_KEY] = { "account", "key_fingerprint", NULL },
    [STATE_ACCT_AUTH] = { "account", NULL, NULL },
    [STATE_ACCT_HOUR] = { "account", NULL, NULL },
    [STATE_ACCT_EXE] = { "account", "host", "executable" },
};

struct key_parts {
    char text[MAX_PARTS][1100];
    size_t len[MAX_PARTS];
    int n;
};

/* Splits a stored key into its unescaped parts. */
static void
split_key(const unsigned char *key, size_t len, struct key_parts *kp)
{
    memset(kp, 0, sizeof(*kp));
    kp->n = 1;
    for (size_t i = 0; i < len; i++) {
        int p = kp->n - 1;
        char c = (char)key[i];
        if (c == 0x1f) {
            if (kp->n == MAX_PARTS) {
                break;
            }
            kp->n++;
            continue;
        }
        if (c == '\\' && i + 1 < len) {
            i++;
            c = key[i] == 'u' ? 0x1f : (char)key[i];
        }
        if (kp->len[p] < sizeof(kp->text[p])) {
            kp->text[p][kp->len[p]++] = c;
        }
    }
}

/* True when the row's host and account parts pass the filters. */
static bool
row_matches(int table, const struct key_parts *kp, const char *host,
            const char *user)
{
    for (int i = 0; i < kp->n && i < MAX_PARTS; i++) {
        const char *name = part_names[table][i];
        struct sv v = sv_make(kp->text[i], kp->len[i]);
        if (name == NULL) {
            continue;
        }
        if (host != NULL && strcmp(name, "host") == 0 &&
            !sv_eq_cstr(v, host)) {
            return false;
        }
        if (user != NULL && strcmp(name, "account") == 0 &&
            !sv_eq_cstr(v, user)) {
            return false;
        }
    }
    /* A filter on a part the table lacks excludes the table. */
    bool has_host = false, has_user = false;
    for (int i = 0; i < MAX_PARTS; i++) {
        const char *name = part_names[table][i];
        has_host = has_host || (name && strcmp(name, "host") == 0);
        has_user = has_user || (name && strcmp(name, "account") == 0);
    }
    return (host == NULL || has_host) && (user == NULL || has_user);
}

static int
open_db(const char *path, bool write, sqlite3 **db, char *err, size_t n)
{
    struct stat st;

    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, n, "state file %s not found: run detect or baseline "
                 "learn with --state first", path);
        return -1;
    }
    if (!write) {
        return state_db_open_read(path, db, err, n);
    }
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL) !=
        SQLITE_OK) {
        snprintf(err, n, "cannot open state file %s: %s", path,
                 sqlite3_errmsg(*db));
        sqlite3_close(*db);
        return -1;
    }
    sqlite3_busy_timeout(*db, 5000);
    return 0;
}

static void
write_time(struct jsonw *w, const char *key, int64_t ms)
{
    struct event_time t = { ms / 1000, (int32_t)(ms % 1000) * 1000000, 3 };
    char buf[40];

    time_format(&t, buf);
    jsonw_cstr(w, key, buf);
}

static int
show_table(sqlite3 *db, int table, const char *host, const char *user,
           FILE *out, uint64_t *rows, char *err, size_t n)
{
    char sql[160];
    sqlite3_stmt *stmt;
    struct key_parts kp;
    struct buf line;

    snprintf(sql, sizeof(sql), "SELECT key, first_seen, last_seen, count "
             "FROM %s ORDER BY key", state_table_name(table));
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        snprintf(err, n, "reading table %s failed: %s",
                 state_table_name(table), sqlite3_errmsg(db));
        return -1;
    }
    buf_init(&line, 64 * 1024);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        split_key(sqlite3_column_blob(stmt, 0),
                  (size_t)sqlite3_column_bytes(stmt, 0), &kp);
        if (!row_matches(table, &kp, host, user)) {
            continue;
        }

        struct jsonw w;
        buf_clear(&line);
        jsonw_init(&w, &line);
        jsonw_obj_begin(&w, NULL);
        jsonw_cstr(&w, "table", state_table_name(table));
        for (int i = 0; i < kp.n && part_names[table][i] != NULL; i++) {
            jsonw_str(&w, part_names[table][i],
                      sv_make(kp.text[i], kp.len[i]));
        }
        write_time(&w, "first_seen", sqlite3_column_int64(stmt, 1));
        write_time(&w, "last_seen", sqlite3_column_int64(stmt, 2));
        jsonw_int(&w, "count", sqlite3_column_int64(stmt, 3));
        jsonw_obj_end(&w);
        buf_add_char(&line, '\n');
        buf_write(&line, out);
        (*rows)++;
    }
    sqlite3_finalize(stmt);
    buf_fini(&line);
    return 0;
}

int
state_admin_show(const char *path, const char *host, const char *user,
                 FILE *out, uint64_t *rows, char *err, size_t n)
{
    sqlite3 *db;
    int rc = 0;

    *rows = 0;
    if (open_db(path, false, &db, err, n) < 0) {
        return -1;
    }
    for (int t = 0; t < STATE_TABLE_COUNT && rc == 0; t++) {
        rc = show_table(db, t, host, user, out, rows, err, n);
    }
    sqlite3_close(db);
    return rc;
}

static int
forget_table(sqlite3 *db, int table, const char *host, const char *user,
             uint64_t *rows, char *err, size_t n)
{
    char sql[160];
    sqlite3_stmt *sel, *del;
    struct key_parts kp;

    snprintf(sql, sizeof(sql), "SELECT key FROM %s", state_table_name(table));
    if (sqlite3_prepare_v2(db, sql, -1, &sel, NULL) != SQLITE_OK) {
        snprintf(err, n, "reading table %s failed: %s",
                 state_table_name(table), sqlite3_errmsg(db));
        return -1;
    }
    snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE key = ?",
             state_table_name(table));
    if (sqlite3_prepare_v2(db, sql, -1, &del, NULL) != SQLITE_OK) {
        snprintf(err, n, "preparing deletion from %s failed: %s",
                 state_table_name(table), sqlite3_errmsg(db));
        sqlite3_finalize(sel);
        return -1;
    }
    while (sqlite3_step(sel) == SQLITE_ROW) {
        const void *key = sqlite3_column_blob(sel, 0);
        int klen = sqlite3_column_bytes(sel, 0);
        split_key(key, (size_t)klen, &kp);
        if (!row_matches(table, &kp, host, user)) {
            continue;
        }
        sqlite3_bind_blob(del, 1, key, klen, SQLITE_TRANSIENT);
        if (sqlite3_step(del) != SQLITE_DONE) {
            snprintf(err, n, "deleting from %s failed: %s",
                     state_table_name(table), sqlite3_errmsg(db));
            sqlite3_finalize(sel);
            sqlite3_finalize(del);
            return -1;
        }
        sqlite3_reset(del);
        (*rows)++;
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(del);
    return 0;
}

int
state_admin_forget(const char *path, const char *host, const char *user,
                   uint64_t *rows, char *err, size_t n)
{
    sqlite3 *db;
    int rc = 0;

    *rows = 0;
    if (open_db(path, true, &db, err, n) < 0) {
        return -1;
    }
    int rc_begin = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc_begin == SQLITE_READONLY || rc_begin == SQLITE_CANTOPEN) {
        snprintf(err, n, "state file %s cannot be written (%s); check the "
                 "permissions of the file and of its directory", path,
                 sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    if (rc_begin != SQLITE_OK) {
        snprintf(err, n, "state file %s is in use: %s", path,
                 sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    for (int t = 0; t < STATE_TABLE_COUNT && rc == 0; t++) {
        rc = forget_table(db, t, host, user, rows, err, n);
    }
    if (sqlite3_exec(db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL,
                     NULL) != SQLITE_OK && rc == 0) {
        snprintf(err, n, "saving state file %s failed: %s", path,
                 sqlite3_errmsg(db));
        rc = -1;
    }
    sqlite3_close(db);
    return rc;
}
