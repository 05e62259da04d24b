/*
 * The state store: what earlier logins looked like, kept across runs in one
 * SQLite file, or in memory only for the run when no file is given.
 *
 * The store has a fixed set of tables.  Each row is a byte-string key (the
 * caller composes it, see baseline.c) with the event times it was first and
 * last seen, a use count and, for two tables, a small array of counters.
 * Every table has a row limit: inserting into a full table evicts the row
 * seen least recently and counts the eviction.  Rows whose last_seen is
 * older than the newest event time minus the history window age out, so the
 * store forgets on event time and a replay of the same logs gives the same
 * answers.
 *
 * All rows live in memory, in hash maps loaded when the file is opened.
 * Changed rows are written back in one SQLite transaction per batch of
 * sessions and when the store is closed.  The file uses WAL journaling, so
 * a process killed mid-batch leaves a file that opens cleanly and holds the
 * last committed batch.  This module does not decide what a row means; the
 * baseline module does.
 *
 * Besides the rows, the store keeps one journal cursor per journal source,
 * so a run that reads the journal resumes after the last entry an earlier
 * run used.  A cursor is written in the same transaction as the rows, so
 * the file never contains a cursor without the baselines learned from the
 * entries before it, nor those baselines without the cursor.
 */
#ifndef SSHTRAIL_STATE_H
#define SSHTRAIL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sv.h"

/* The schema version this build writes, stored as PRAGMA user_version. */
#define STATE_SCHEMA_VERSION 2

/* Maximum counters per row (the hour-of-day table uses 24). */
#define STATE_MAX_COUNTERS 24

/* Maximum key length in bytes; the baseline module caps its key parts. */
#define STATE_MAX_KEY 8192

/* Maximum journal cursors kept; saving one more drops the oldest saved. */
#define STATE_MAX_CURSORS 256
/* Maximum length in bytes of a journal cursor and of its source name. */
#define STATE_MAX_CURSOR 4096

enum state_table {
    STATE_SRC_HOST,         /* source address on host */
    STATE_ACCT_HOST,        /* account on host */
    STATE_ACCT_SRC,         /* account from source address */
    STATE_SOURCE,           /* source address on any host */
    STATE_ACCT_KEY,         /* account with key fingerprint */
    STATE_ACCT_AUTH,        /* account: counters per authentication method */
    STATE_ACCT_HOUR,        /* account: counters per hour of day */
    STATE_ACCT_EXE,         /* account on host with executable */
    STATE_TABLE_COUNT
};

struct state_opts {
    /* Row limit per table; 0 takes the default (state_opts_default). */
    size_t max_rows[STATE_TABLE_COUNT];
    /* History window in milliseconds of event time. */
    int64_t window_ms;
    /* Sessions per write-back transaction. */
    unsigned batch_sessions;
    /* Maximum database pages (PRAGMA max_page_count); 0 leaves SQLite's
     * default.  Tests use it to provoke "database or disk is full". */
    unsigned max_pages;
    /* Read-only mode: the file must exist and is opened for reading only.
     * Nothing is created, migrated or written back, and changes stay in
     * memory for the run, so a file the process may not write works. */
    bool read_only;
};

/*
 * One row.  The first four fields are the contract; the rest belongs to
 * the store.  Times are milliseconds since the epoch in event time.
 */
struct state_row {
    int64_t first_seen_ms;
    int64_t last_seen_ms;
    uint64_t count;
    /* state_table_counters(table) entries, in the row's own allocation;
     * NULL for a table without counters. */
    uint32_t *counters;

    struct state_row *older, *newer;    /* list ordered by last_seen */
    struct state_row *dirty_next;       /* rows to write, oldest first */
    bool dirty;
    bool dead;                          /* evicted or aged, to delete */
    bool stored;                        /* a copy is in the file */
    uint8_t table;                      /* enum state_table */
    uint32_t klen;
    char key[];
};

struct state;

/* Fills o with the default limits: a 30-day window, 10,000 rows per
 * table (20,000 for executables) and a write-back every 256 sessions. */
void state_opts_default(struct state_opts *o);

/*
 * Opens the store.  With path NULL nothing persists and the store lives in
 * memory for the run.  Otherwise the file is created with mode 0600 when
 * absent (whatever the umask), must be a regular file, is migrated to
 * STATE_SCHEMA_VERSION and loaded into memory.  The file stays locked
 * against other sshtrail processes until state_close.  Returns 0 and sets
 * *out, or -1 with a message naming the file and the remedy in err (size
 * n): not a regular file, not an SQLite database or damaged, written by a
 * newer sshtrail, read-only, disk full, in use by another process.
 */
int state_open(struct state **out, const char *path,
               const struct state_opts *opts, char *err, size_t n);

/*
 * Writes back what changed and closes the store; state_close(NULL) is a
 * no-op and err NULL skips the final write.  Returns 0, or -1 with a
 * message in err when the final write failed (the store is closed and
 * freed either way).
 */
int state_close(struct state *st, char *err, size_t n);

/*
 * Moves the store's clock to now_ms when that is later than every time seen
 * so far, and ages out the rows last seen before now_ms minus the window.
 * An earlier now_ms changes nothing.  Returns the number of rows aged out.
 */
uint64_t state_advance(struct state *st, int64_t now_ms);

/* Returns the row under key in table t, or NULL.  The row is borrowed
 * until the next call that changes the store. */
const struct state_row *state_find(const struct state *st,
                                   enum state_table t, struct sv key);

/*
 * Records that key was seen at t_ms: creates the row (first_seen_ms = t_ms,
 * count 1), evicting the least recently seen row when the table is full,
 * or moves last_seen_ms forward and adds one to count.  Returns the row so
 * the caller can change its counters, or NULL when memory ran out or the
 * key is longer than STATE_MAX_KEY.  The row is borrowed as for state_find.
 */
struct state_row *state_touch(struct state *st, enum state_table t,
                              struct sv key, int64_t t_ms);

/*
 * Returns the hash of key that state_find_hashed and state_touch_hashed
 * take, so a caller that looks one key up in several tables, or finds it
 * and then touches it, hashes it once.  Hashes differ from run to run, so
 * they must not be stored.
 */
uint64_t state_key_hash(struct sv key);

/* state_find and state_touch for a key whose state_key_hash is hash. */
const struct state_row *state_find_hashed(const struct state *st,
                                          enum state_table t, struct sv key,
                                          uint64_t hash);
struct state_row *state_touch_hashed(struct state *st, enum state_table t,
                                     struct sv key, uint64_t hash,
                                     int64_t t_ms);

/*
 * Hints that key, whose state_key_hash is hash, is looked up in table t
 * soon: state_prefetch asks to load where its row is indexed, and
 * state_prefetch_row, called after that has had time to arrive, asks to
 * load the row.  See hmap_prefetch.
 */
void state_prefetch(const struct state *st, enum state_table t,
                    uint64_t hash);
void state_prefetch_row(const struct state *st, enum state_table t,
                        uint64_t hash);

/*
 * Marks the end of one session's updates and writes back the changed rows
 * when batch_sessions sessions have ended since the last write.  Returns 0,
 * or -1 with a message in err when the write failed; the changes stay in
 * memory and the next write retries them.
 */
int state_session_end(struct state *st, char *err, size_t n);

/* Writes back every changed row now.  Returns 0 or -1 as above. */
int state_flush(struct state *st, char *err, size_t n);

/*
 * Returns the journal cursor saved for source (a name the caller composes,
 * see journal_source_key), or NULL when none is saved.  The string is
 * borrowed until the next state_cursor_set or state_close.
 */
const char *state_cursor_get(const struct state *st, const char *source);

/*
 * Saves cursor as the position of source.  Like changed rows, it reaches
 * the file with the next write-back (state_flush, a full batch or
 * state_close).  When STATE_MAX_CURSORS sources are saved, the one saved
 * longest ago is dropped.  Returns 0, or -1 with a message in err when a
 * string is empty or longer than STATE_MAX_CURSOR or memory ran out.
 */
int state_cursor_set(struct state *st, const char *source,
                     const char *cursor, char *err, size_t n);

/* Returns the current number of rows in table t. */
size_t state_rows(const struct state *st, enum state_table t);
/* Returns the rows table t dropped at its limit over the file's life. */
uint64_t state_evictions(const struct state *st, enum state_table t);
/* Returns the rows table t aged out of the window over the file's life. */
uint64_t state_aged(const struct state *st, enum state_table t);
/* Returns the latest event time the store has seen, or INT64_MIN. */
int64_t state_newest(const struct state *st);
/* Returns the history window in milliseconds. */
int64_t state_window(const struct state *st);
/* Returns the SQL table name of t ("src_host"). */
const char *state_table_name(enum state_table t);
/* Returns the number of counters rows of table t carry (0 to
 * STATE_MAX_COUNTERS). */
unsigned state_table_counters(enum state_table t);
/* Returns true when the store writes to a file. */
bool state_is_persistent(const struct state *st);

#endif
