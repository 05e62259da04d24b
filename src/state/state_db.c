/*
 * The state store's SQLite file: creation with safe permissions, schema
 * migrations, loading every row into memory and writing changed rows and
 * journal cursors back in one transaction.
 *
 * The file runs in WAL journal mode with synchronous=NORMAL: a killed
 * process or a power cut loses at most the batch being written, never the
 * file's consistency.  The exclusive locking mode keeps a second sshtrail
 * from writing the same file, whose rows this process caches in memory.
 * Errors name the file and what to do; SQLite's own text is kept in
 * parentheses.
 */
#include "state/state_db.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "SSHT": PRAGMA application_id of an sshtrail state file. */
#define STATE_APP_ID 0x53534854

/*
 * Formats an SQLite failure as a message naming the file and the remedy.
 * what names the step that failed.  Returns -1.
 */
static int
db_error(struct state *st, int rc, const char *what, char *err, size_t n)
{
    const char *detail = st->db != NULL ? sqlite3_errmsg(st->db)
                                        : sqlite3_errstr(rc);

    switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        snprintf(err, n, "state file %s is damaged or not an SQLite "
                 "database (%s while %s); move it aside or delete it to "
                 "start a new history", st->path, detail, what);
        break;
    case SQLITE_FULL:
        snprintf(err, n, "state file %s: the disk or the database is full "
                 "(%s while %s); free space or give another state file",
                 st->path, detail, what);
        break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
        snprintf(err, n, "state file %s cannot be written (%s while %s); "
                 "check the permissions of the file and of its directory",
                 st->path, detail, what);
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        snprintf(err, n, "state file %s is in use by another process (%s "
                 "while %s); wait for it to finish or give another state "
                 "file", st->path, detail, what);
        break;
    default:
        snprintf(err, n, "state file %s: %s while %s", st->path, detail,
                 what);
        break;
    }
    return -1;
}

/*
 * Creates the file with mode 0600 when absent, whatever the umask, and
 * checks that the path names a regular file.  The descriptor is closed
 * before SQLite opens the file: closing another descriptor of a file
 * would drop SQLite's POSIX locks on it.
 */
static int
create_file(struct state *st, char *err, size_t n)
{
    int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
    bool created = true;
    struct stat sb;
    int fd = open(st->path, flags | O_CREAT | O_EXCL, 0600);

    if (fd < 0 && errno == EEXIST) {
        created = false;
        fd = open(st->path, flags);
    }
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP) {
            snprintf(err, n, "state file %s is a symbolic link; give the "
                     "path of a regular file", st->path);
        } else if (e == EACCES || e == EROFS || e == EPERM) {
            snprintf(err, n, "state file %s cannot be opened for writing "
                     "(%s); check the permissions of the file and of its "
                     "directory", st->path, strerror(e));
        } else {
            snprintf(err, n, "cannot open state file %s: %s", st->path,
                     strerror(e));
        }
        return -1;
    }
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        snprintf(err, n, "state file %s is not a regular file; give the "
                 "path of a regular file", st->path);
        return -1;
    }
    if (created && fchmod(fd, 0600) < 0) {
        int e = errno;
        close(fd);
        snprintf(err, n, "cannot set mode 0600 on state file %s: %s",
                 st->path, strerror(e));
        return -1;
    }
    close(fd);
    return 0;
}

static int
exec_sql(struct state *st, const char *sql, const char *what, char *err,
         size_t n)
{
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? 0 : db_error(st, rc, what, err, n);
}

/* Runs a query returning one integer, such as PRAGMA user_version. */
static int
query_int(struct state *st, const char *sql, int64_t *out, char *err,
          size_t n)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
    }
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(q, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_OK ? 0 : db_error(st, rc, sql, err, n);
}

/* Migration 1: the first schema, from an empty (version 0) file. */
static int
migrate_1(struct state *st, char *err, size_t n)
{
    char sql[512];

    if (exec_sql(st, "CREATE TABLE meta (name TEXT PRIMARY KEY, value "
                 "INTEGER NOT NULL) WITHOUT ROWID", "creating the schema",
                 err, n) < 0) {
        return -1;
    }
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        const char *name = state_table_name((enum state_table)t);
        snprintf(sql, sizeof(sql),
                 "CREATE TABLE %s (key BLOB PRIMARY KEY, first_seen INTEGER "
                 "NOT NULL, last_seen INTEGER NOT NULL, count INTEGER NOT "
                 "NULL, counters BLOB) WITHOUT ROWID; CREATE INDEX "
                 "%s_last_seen ON %s (last_seen)", name, name, name);
        if (exec_sql(st, sql, "creating the schema", err, n) < 0) {
            return -1;
        }
    }
    snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", STATE_APP_ID);
    return exec_sql(st, sql, "creating the schema", err, n);
}

/* Migration 2: the journal cursor of each journal source. */
static int
migrate_2(struct state *st, char *err, size_t n)
{
    return exec_sql(st, "CREATE TABLE journal_cursor (source TEXT PRIMARY "
                    "KEY, cursor TEXT NOT NULL, saved INTEGER NOT NULL) "
                    "WITHOUT ROWID", "adding the journal cursor table", err,
                    n);
}

static int (*const migrations[STATE_SCHEMA_VERSION + 1])(struct state *,
                                                         char *, size_t) = {
    [1] = migrate_1,
    [2] = migrate_2,
};

/*
 * Checks that the file is an sshtrail state file (or an empty SQLite file)
 * of a schema version this build reads, and stores that version.
 */
static int
check_version(struct state *st, int64_t *version_out, char *err, size_t n)
{
    int64_t version, app_id, tables;

    if (query_int(st, "PRAGMA user_version", &version, err, n) < 0 ||
        query_int(st, "PRAGMA application_id", &app_id, err, n) < 0 ||
        query_int(st, "SELECT count(*) FROM sqlite_master", &tables, err,
                  n) < 0) {
        return -1;
    }
    if (app_id != STATE_APP_ID && (app_id != 0 || tables != 0)) {
        snprintf(err, n, "state file %s is an SQLite database that "
                 "sshtrail did not create; give another state file",
                 st->path);
        return -1;
    }
    if (version > STATE_SCHEMA_VERSION) {
        snprintf(err, n, "state file %s has schema version %lld, newer "
                 "than version %d that this sshtrail reads; use a newer "
                 "sshtrail or give another state file", st->path,
                 (long long)version, STATE_SCHEMA_VERSION);
        return -1;
    }
    *version_out = version;
    return 0;
}

/*
 * Checks that the file is an sshtrail state file this build can read and
 * runs the migrations from its version to STATE_SCHEMA_VERSION, each in
 * its own transaction together with the new user_version.
 */
static int
migrate(struct state *st, char *err, size_t n)
{
    int64_t version;
    char sql[64];

    if (check_version(st, &version, err, n) < 0) {
        return -1;
    }
    while (version < STATE_SCHEMA_VERSION) {
        version++;
        if (exec_sql(st, "BEGIN IMMEDIATE", "starting a migration", err,
                     n) < 0) {
            return -1;
        }
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld",
                 (long long)version);
        if (migrations[version](st, err, n) < 0 ||
            exec_sql(st, sql, "migrating the schema", err, n) < 0 ||
            exec_sql(st, "COMMIT", "migrating the schema", err, n) < 0) {
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return 0;
}

static int
prepare_statements(struct state *st, char *err, size_t n)
{
    char sql[512];
    int rc;

    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        const char *name = state_table_name((enum state_table)t);
        snprintf(sql, sizeof(sql),
                 "INSERT INTO %s (key, first_seen, last_seen, count, "
                 "counters) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (key) "
                 "DO UPDATE SET first_seen = excluded.first_seen, "
                 "last_seen = excluded.last_seen, count = excluded.count, "
                 "counters = excluded.counters", name);
        rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &st->upsert[t], NULL);
        if (rc != SQLITE_OK) {
            return db_error(st, rc, "preparing statements", err, n);
        }
        snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE key = ?1", name);
        rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &st->remove[t], NULL);
        if (rc != SQLITE_OK) {
            return db_error(st, rc, "preparing statements", err, n);
        }
    }
    rc = sqlite3_prepare_v3(st->db, "INSERT INTO meta (name, value) VALUES "
                            "(?1, ?2) ON CONFLICT (name) DO UPDATE SET "
                            "value = excluded.value", -1,
                            SQLITE_PREPARE_PERSISTENT, &st->meta_put, NULL);
    return rc == SQLITE_OK ? 0
                           : db_error(st, rc, "preparing statements", err, n);
}

/* Reads the store's clock and the per-table eviction and ageing counts. */
static int
load_meta(struct state *st, char *err, size_t n)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(st->db, "SELECT name, value FROM meta", -1,
                                &q, NULL);

    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(q)) != SQLITE_ROW) {
            break;
        }
        const char *name = (const char *)sqlite3_column_text(q, 0);
        int64_t value = sqlite3_column_int64(q, 1);
        if (name == NULL) {
            continue;
        }
        if (strcmp(name, "newest_ms") == 0) {
            st->newest_ms = value;
        }
        for (int t = 0; t < STATE_TABLE_COUNT; t++) {
            const char *tn = state_table_name((enum state_table)t);
            size_t tl = strlen(tn);
            if (strncmp(name, tn, tl) != 0 || name[tl] != '.') {
                continue;
            }
            if (strcmp(name + tl + 1, "evictions") == 0) {
                st->tables[t].evictions = (uint64_t)value;
            } else if (strcmp(name + tl + 1, "aged") == 0) {
                st->tables[t].aged = (uint64_t)value;
            }
        }
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : db_error(st, rc, "reading meta", err, n);
}

static void
decode_counters(const unsigned char *blob, int len, uint32_t *out)
{
    memset(out, 0, STATE_MAX_COUNTERS * sizeof(*out));
    for (int i = 0; i < STATE_MAX_COUNTERS && (i + 1) * 4 <= len; i++) {
        const unsigned char *b = blob + i * 4;
        out[i] = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                 (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    }
}

static int
load_table(struct state *st, enum state_table t, char *err, size_t n)
{
    char sql[256];
    sqlite3_stmt *q = NULL;
    uint32_t counters[STATE_MAX_COUNTERS];

    snprintf(sql, sizeof(sql), "SELECT key, first_seen, last_seen, count, "
             "counters FROM %s ORDER BY last_seen, key", state_table_name(t));
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(q)) != SQLITE_ROW) {
            break;
        }
        const void *key = sqlite3_column_blob(q, 0);
        int klen = sqlite3_column_bytes(q, 0);
        const void *blob = sqlite3_column_blob(q, 4);
        int blen = sqlite3_column_bytes(q, 4);
        if (klen > STATE_MAX_KEY || (key == NULL && klen != 0)) {
            sqlite3_finalize(q);
            return db_error(st, SQLITE_CORRUPT, "reading a key", err, n);
        }
        decode_counters(blob, blob != NULL ? blen : 0, counters);
        if (state_load_row(st, t, sv_make(key, (size_t)klen),
                           sqlite3_column_int64(q, 1),
                           sqlite3_column_int64(q, 2),
                           (uint64_t)sqlite3_column_int64(q, 3),
                           counters) < 0) {
            sqlite3_finalize(q);
            return db_error(st, SQLITE_NOMEM, "loading rows", err, n);
        }
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : db_error(st, rc, "loading rows", err, n);
}

/* Sets the connection's pragmas; journal_mode must come back as "wal". */
static int
configure(struct state *st, const struct state_opts *o, char *err,
          size_t n)
{
    sqlite3_stmt *q = NULL;
    char sql[64];
    int rc;

    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, 500);
    if (exec_sql(st, "PRAGMA locking_mode = EXCLUSIVE", "setting the "
                 "locking mode", err, n) < 0) {
        return -1;
    }
    rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &q,
                            NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *mode = (const char *)sqlite3_column_text(q, 0);
        rc = mode != NULL && strcmp(mode, "wal") == 0 ? SQLITE_OK
                                                      : SQLITE_CANTOPEN;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_OK) {
        return db_error(st, rc, "switching to WAL journal mode", err, n);
    }
    /* A 32 MiB page cache, and a checkpoint (with its fsync) every 8192
     * WAL pages instead of every 1000: one batch of a busy replay writes
     * over a thousand pages, so the default synced after every batch. */
    if (exec_sql(st, "PRAGMA cache_size = -32768; PRAGMA "
                 "wal_autocheckpoint = 8192", "setting the cache size", err,
                 n) < 0) {
        return -1;
    }
    if (exec_sql(st, "PRAGMA synchronous = NORMAL", "setting synchronous",
                 err, n) < 0) {
        return -1;
    }
    if (o->max_pages != 0) {
        snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %u",
                 o->max_pages);
        return exec_sql(st, sql, "setting max_page_count", err, n);
    }
    return 0;
}

/*
 * Writes path as an SQLite URI with query (such as "mode=ro") to uri.
 * Every byte but letters, digits and "/._-" is percent-encoded, so '?',
 * '#' and '%' in a file name stay part of the path.  An absolute path gets
 * an empty authority ("file:///..."), so one starting with "//" is not
 * read as a host name.  Returns false when uri (size n) is too small.
 */
static bool
make_uri(const char *path, const char *query, char *uri, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = (size_t)snprintf(uri, n, "file:%s",
                                  path[0] == '/' ? "//" : "");

    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || strchr("/._-", *p) != NULL;
        if (len + 4 >= n) {
            return false;
        }
        if (plain) {
            uri[len++] = (char)*p;
        } else {
            uri[len++] = '%';
            uri[len++] = hex[*p >> 4];
            uri[len++] = hex[*p & 15];
        }
    }
    int k = snprintf(uri + len, n - len, "?%s", query);
    return k > 0 && (size_t)k < n - len;
}

/* Opens uri read-only and reads the schema, which needs the WAL index. */
static int
open_ro_uri(const char *uri, sqlite3 **db)
{
    int rc = sqlite3_open_v2(uri, db, SQLITE_OPEN_READONLY |
                             SQLITE_OPEN_URI | SQLITE_OPEN_NOFOLLOW, NULL);

    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(*db, 1);
        sqlite3_busy_timeout(*db, 5000);
        rc = sqlite3_exec(*db, "SELECT count(*) FROM sqlite_master", NULL,
                          NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        sqlite3_close(*db);
        *db = NULL;
    }
    return rc;
}

int
state_db_open_read(const char *path, sqlite3 **db, char *err, size_t n)
{
    char uri[PATH_MAX * 3 + 64];
    char wal[PATH_MAX + 8];
    struct stat sb;

    *db = NULL;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, n, "state file %s not found: run detect or baseline "
                 "learn with --state first", path);
        return -1;
    }
    if (!make_uri(path, "mode=ro", uri, sizeof(uri))) {
        snprintf(err, n, "state file %s: the path is too long", path);
        return -1;
    }
    int rc = open_ro_uri(uri, db);
    if (rc == SQLITE_OK) {
        return 0;
    }

    /* A reader that cannot create the -shm index of a WAL file (no write
     * permission on the file or its directory) gets SQLITE_READONLY or
     * SQLITE_CANTOPEN.  Without a -wal file, every committed change is in
     * the main file, which immutable=1 reads without index and locks. */
    snprintf(wal, sizeof(wal), "%s-wal", path);
    bool wal_empty = stat(wal, &sb) != 0 || sb.st_size == 0;
    int primary = rc & 0xff;
    if ((primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN) &&
        !wal_empty) {
        snprintf(err, n, "state file %s cannot be read: %s holds changes "
                 "that only a process allowed to write the file and its "
                 "directory can apply; run sshtrail once with that "
                 "permission", path, wal);
        return -1;
    }
    if ((primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN) &&
        make_uri(path, "mode=ro&immutable=1", uri, sizeof(uri))) {
        rc = open_ro_uri(uri, db);
        if (rc == SQLITE_OK) {
            return 0;
        }
    }
    primary = rc & 0xff;
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
        snprintf(err, n, "state file %s is damaged or not an SQLite "
                 "database (%s); move it aside or delete it to start a new "
                 "history", path, sqlite3_errstr(rc));
    } else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
        snprintf(err, n, "state file %s is in use by another process (%s); "
                 "wait for it to finish or give another state file", path,
                 sqlite3_errstr(rc));
    } else {
        snprintf(err, n, "cannot read state file %s: %s", path,
                 sqlite3_errstr(rc));
    }
    return -1;
}

/*
 * Loads a file opened for reading only.  Nothing is migrated or written:
 * an empty (version 0) file gives an empty store, and a version 1 file
 * has no journal cursors.  The rows are read in one transaction, so a
 * concurrent writer cannot commit between two tables.
 */
static int
load_read_only(struct state *st, char *err, size_t n)
{
    int64_t version;
    int rc;

    if (state_db_open_read(st->path, &st->db, err, n) < 0) {
        return -1;
    }
    if (check_version(st, &version, err, n) < 0) {
        return -1;
    }
    if (version == 0) {
        return 0;
    }
    if (exec_sql(st, "BEGIN", "reading", err, n) < 0 ||
        load_meta(st, err, n) < 0) {
        return -1;
    }
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        if (load_table(st, (enum state_table)t, err, n) < 0) {
            return -1;
        }
    }
    if (version >= 2 && (rc = state_cursor_load(st)) != SQLITE_OK) {
        return db_error(st, rc, "loading journal cursors", err, n);
    }
    return exec_sql(st, "COMMIT", "reading", err, n);
}

int
state_db_open(struct state *st, const struct state_opts *o, char *err,
              size_t n)
{
    int rc;

    if (o->read_only) {
        st->read_only = true;
        if (load_read_only(st, err, n) < 0) {
            state_db_close(st);
            return -1;
        }
        return 0;
    }
    if (create_file(st, err, n) < 0) {
        return -1;
    }
    rc = sqlite3_open_v2(st->path, &st->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK) {
        db_error(st, rc, "opening", err, n);
        state_db_close(st);
        return -1;
    }

    /* The write lock is taken by the first write and kept until close. */
    if (configure(st, o, err, n) < 0 || migrate(st, err, n) < 0 ||
        exec_sql(st, "BEGIN IMMEDIATE; COMMIT", "locking", err, n) < 0 ||
        prepare_statements(st, err, n) < 0 || load_meta(st, err, n) < 0) {
        state_db_close(st);
        return -1;
    }
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        if (load_table(st, (enum state_table)t, err, n) < 0) {
            state_db_close(st);
            return -1;
        }
    }
    if ((rc = state_cursor_load(st)) != SQLITE_OK) {
        db_error(st, rc, "loading journal cursors", err, n);
        state_db_close(st);
        return -1;
    }
    return 0;
}

static int
put_meta(struct state *st, const char *name, int64_t value)
{
    sqlite3_stmt *q = st->meta_put;

    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, value);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
write_meta(struct state *st)
{
    char name[64];
    int rc = put_meta(st, "newest_ms", st->newest_ms);

    for (int t = 0; t < STATE_TABLE_COUNT && rc == SQLITE_OK; t++) {
        const char *tn = state_table_name((enum state_table)t);
        snprintf(name, sizeof(name), "%s.evictions", tn);
        rc = put_meta(st, name, (int64_t)st->tables[t].evictions);
        if (rc == SQLITE_OK) {
            snprintf(name, sizeof(name), "%s.aged", tn);
            rc = put_meta(st, name, (int64_t)st->tables[t].aged);
        }
    }
    return rc;
}

/* Binds and runs the upsert or, for a dead row, the delete of r. */
static int
write_row(struct state *st, const struct state_row *r, enum state_table t)
{
    unsigned char blob[STATE_MAX_COUNTERS * 4];
    unsigned nc = state_table_counters(t);
    sqlite3_stmt *q;

    if (r->dead) {
        if (!r->stored) {
            return SQLITE_OK;
        }
        q = st->remove[t];
        sqlite3_bind_blob(q, 1, r->key, (int)r->klen, SQLITE_STATIC);
    } else {
        q = st->upsert[t];
        sqlite3_bind_blob(q, 1, r->key, (int)r->klen, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, r->first_seen_ms);
        sqlite3_bind_int64(q, 3, r->last_seen_ms);
        sqlite3_bind_int64(q, 4, (int64_t)r->count);
        for (unsigned i = 0; i < nc; i++) {
            blob[i * 4] = (unsigned char)r->counters[i];
            blob[i * 4 + 1] = (unsigned char)(r->counters[i] >> 8);
            blob[i * 4 + 2] = (unsigned char)(r->counters[i] >> 16);
            blob[i * 4 + 3] = (unsigned char)(r->counters[i] >> 24);
        }
        if (nc != 0) {
            sqlite3_bind_blob(q, 5, blob, (int)(nc * 4), SQLITE_STATIC);
        } else {
            sqlite3_bind_null(q, 5);
        }
    }
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
state_db_write(struct state *st, char *err, size_t n)
{
    int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

    for (struct state_row *r = st->dirty_head; r != NULL && rc == SQLITE_OK;
         r = r->dirty_next) {
        rc = write_row(st, r, r->table);
    }
    if (rc == SQLITE_OK) {
        rc = write_meta(st);
    }
    if (rc == SQLITE_OK) {
        rc = state_cursor_write(st);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        db_error(st, rc, "writing changes", err, n);
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }

    /* Committed: dead rows go, live rows are now clean copies. */
    struct state_row *r = st->dirty_head;
    while (r != NULL) {
        struct state_row *next = r->dirty_next;
        if (r->dead) {
            free(r);
        } else {
            r->dirty = false;
            r->stored = true;
            r->dirty_next = NULL;
        }
        r = next;
    }
    st->dirty_head = st->dirty_tail = NULL;
    st->meta_dirty = false;
    state_cursor_committed(st);
    return 0;
}

void
state_db_close(struct state *st)
{
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        sqlite3_finalize(st->upsert[t]);
        sqlite3_finalize(st->remove[t]);
        st->upsert[t] = st->remove[t] = NULL;
    }
    sqlite3_finalize(st->meta_put);
    sqlite3_finalize(st->cursor_put);
    sqlite3_finalize(st->cursor_trim);
    st->meta_put = st->cursor_put = st->cursor_trim = NULL;
    if (st->db != NULL) {
        sqlite3_close(st->db);
        st->db = NULL;
    }
}
