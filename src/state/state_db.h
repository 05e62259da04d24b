/*
 * Internals shared by the state store's two halves: state.c keeps the rows
 * in memory, state_db.c reads and writes them in the SQLite file.  Nothing
 * outside src/state includes this header.
 */
#ifndef SSHTRAIL_STATE_DB_H
#define SSHTRAIL_STATE_DB_H

#include <sqlite3.h>

#include "core/hmap.h"
#include "state/state.h"

struct state_mem_table {
    struct hmap map;                /* key -> struct state_row */
    struct state_row *oldest;       /* list ordered by last_seen */
    struct state_row *newest;
    size_t max;
    uint64_t evictions;
    uint64_t aged;
};

/* A journal source's saved cursor. */
struct state_cursor {
    char *source;
    char *cursor;
    int64_t saved;                  /* save order: higher is newer */
    bool dirty;                     /* not yet written to the file */
};

struct state {
    struct state_mem_table tables[STATE_TABLE_COUNT];
    struct state_row *dirty_head;   /* rows to write back, in order */
    struct state_row *dirty_tail;
    int64_t window_ms;
    int64_t newest_ms;
    unsigned batch_sessions;
    unsigned pending_sessions;
    bool meta_dirty;

    struct state_cursor cursors[STATE_MAX_CURSORS];
    size_t ncursors;
    int64_t cursor_seq;             /* saved value of the newest cursor */
    bool cursors_dirty;

    char *path;                     /* NULL: memory only */
    bool read_only;                 /* opened with state_opts.read_only */
    sqlite3 *db;
    sqlite3_stmt *upsert[STATE_TABLE_COUNT];
    sqlite3_stmt *remove[STATE_TABLE_COUNT];
    sqlite3_stmt *meta_put;
    sqlite3_stmt *cursor_put;
    sqlite3_stmt *cursor_trim;
};

/*
 * Adds a row read from the file: it is stored and clean.  When the table is
 * full the least recently seen row is evicted.  Returns 0 or -1 when
 * memory ran out.
 */
int state_load_row(struct state *st, enum state_table t, struct sv key,
                   int64_t first_ms, int64_t last_ms, uint64_t count,
                   const uint32_t *counters);

/*
 * Opens, checks, migrates and loads the file st->path into st.  Returns 0,
 * or -1 with a message in err; st->db is then closed.
 */
int state_db_open(struct state *st, const struct state_opts *o, char *err,
                  size_t n);

/*
 * Opens the SQLite file at path for reading only, also when the caller may
 * not write the file or its directory (see state_opts.read_only).  Returns
 * 0 and sets *db, or -1 with a message naming the file in err.
 */
int state_db_open_read(const char *path, sqlite3 **db, char *err, size_t n);

/*
 * Writes the dirty list, the counters and the journal cursors in one
 * transaction.  Returns 0, or
 * -1 with a message in err after rolling back; the dirty list is then kept.
 */
int state_db_write(struct state *st, char *err, size_t n);

/*
 * Loads the journal cursors from the open file into st, newest first and
 * at most STATE_MAX_CURSORS.  Returns an SQLite result code.
 */
int state_cursor_load(struct state *st);

/*
 * Writes the dirty cursors and deletes the rows past STATE_MAX_CURSORS,
 * inside the caller's transaction.  Returns an SQLite result code.
 */
int state_cursor_write(struct state *st);

/* Marks every cursor written, after the transaction committed. */
void state_cursor_committed(struct state *st);

/* Frees the cursors in memory. */
void state_cursor_free(struct state *st);

/* Closes the database and its statements; unwritten changes are lost. */
void state_db_close(struct state *st);

#endif
