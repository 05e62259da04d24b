/*
 * Journal cursors in the state store: one row per journal source in the
 * journal_cursor table, held in memory while the store is open and written
 * by state_db_write in the same transaction as the baseline rows.
 *
 * The table is small (STATE_MAX_CURSORS rows), so lookups scan an array.
 * Eviction follows the order of saving, a counter kept in the file, and
 * never the wall clock.  This file does not know what a cursor means; the
 * journal reader does.
 */
#include "state/state_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct state_cursor *
cursor_find(const struct state *st, const char *source)
{
    for (size_t i = 0; i < st->ncursors; i++) {
        if (strcmp(st->cursors[i].source, source) == 0) {
            return (struct state_cursor *)&st->cursors[i];
        }
    }
    return NULL;
}

/* Returns the slot saved longest ago, to make room for a new source. */
static struct state_cursor *
cursor_oldest(struct state *st)
{
    struct state_cursor *oldest = &st->cursors[0];

    for (size_t i = 1; i < st->ncursors; i++) {
        if (st->cursors[i].saved < oldest->saved) {
            oldest = &st->cursors[i];
        }
    }
    return oldest;
}

const char *
state_cursor_get(const struct state *st, const char *source)
{
    const struct state_cursor *c = cursor_find(st, source);

    return c != NULL ? c->cursor : NULL;
}

/* Returns true when text is non-empty and at most STATE_MAX_CURSOR long. */
static bool
is_valid_text(const char *text)
{
    size_t len = strnlen(text, STATE_MAX_CURSOR + 1);

    return len > 0 && len <= STATE_MAX_CURSOR;
}

int
state_cursor_set(struct state *st, const char *source, const char *cursor,
                 char *err, size_t n)
{
    if (!is_valid_text(source) || !is_valid_text(cursor)) {
        snprintf(err, n, "invalid journal cursor: the source name and the "
                 "cursor must be 1 to %d bytes long", STATE_MAX_CURSOR);
        return -1;
    }
    char *copy = strdup(cursor);
    if (copy == NULL) {
        snprintf(err, n, "out of memory saving the journal cursor");
        return -1;
    }

    struct state_cursor *c = cursor_find(st, source);
    if (c == NULL) {
        char *name = strdup(source);
        if (name == NULL) {
            free(copy);
            snprintf(err, n, "out of memory saving the journal cursor");
            return -1;
        }
        if (st->ncursors < STATE_MAX_CURSORS) {
            c = &st->cursors[st->ncursors++];
        } else {
            /* The file drops the oldest row when the write trims it. */
            c = cursor_oldest(st);
            free(c->source);
            free(c->cursor);
        }
        c->source = name;
        c->cursor = NULL;
    }
    free(c->cursor);
    c->cursor = copy;
    c->saved = ++st->cursor_seq;
    c->dirty = true;
    st->cursors_dirty = true;
    return 0;
}

int
state_cursor_load(struct state *st)
{
    sqlite3_stmt *q = NULL;
    char sql[128];

    snprintf(sql, sizeof(sql), "SELECT source, cursor, saved FROM "
             "journal_cursor ORDER BY saved DESC LIMIT %d",
             STATE_MAX_CURSORS);
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(q)) != SQLITE_ROW) {
            break;
        }
        const char *source = (const char *)sqlite3_column_text(q, 0);
        const char *cursor = (const char *)sqlite3_column_text(q, 1);
        int64_t saved = sqlite3_column_int64(q, 2);
        if (source == NULL || cursor == NULL || !is_valid_text(source) ||
            !is_valid_text(cursor)) {
            rc = SQLITE_CORRUPT;
            break;
        }
        struct state_cursor *c = &st->cursors[st->ncursors];
        c->source = strdup(source);
        c->cursor = strdup(cursor);
        c->saved = saved;
        c->dirty = false;
        st->ncursors++;
        if (c->source == NULL || c->cursor == NULL) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (saved > st->cursor_seq) {
            st->cursor_seq = saved;
        }
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Prepares the two statements on first use. */
static int
prepare(struct state *st)
{
    char sql[256];
    int rc = SQLITE_OK;

    if (st->cursor_put == NULL) {
        rc = sqlite3_prepare_v3(st->db, "INSERT INTO journal_cursor "
                                "(source, cursor, saved) VALUES (?1, ?2, "
                                "?3) ON CONFLICT (source) DO UPDATE SET "
                                "cursor = excluded.cursor, saved = "
                                "excluded.saved", -1,
                                SQLITE_PREPARE_PERSISTENT, &st->cursor_put,
                                NULL);
    }
    if (rc == SQLITE_OK && st->cursor_trim == NULL) {
        snprintf(sql, sizeof(sql), "DELETE FROM journal_cursor WHERE source "
                 "NOT IN (SELECT source FROM journal_cursor ORDER BY saved "
                 "DESC LIMIT %d)", STATE_MAX_CURSORS);
        rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &st->cursor_trim, NULL);
    }
    return rc;
}

int
state_cursor_write(struct state *st)
{
    int rc;

    if (!st->cursors_dirty) {
        return SQLITE_OK;
    }
    if ((rc = prepare(st)) != SQLITE_OK) {
        return rc;
    }
    for (size_t i = 0; i < st->ncursors && rc == SQLITE_OK; i++) {
        const struct state_cursor *c = &st->cursors[i];
        if (!c->dirty) {
            continue;
        }
        sqlite3_bind_text(st->cursor_put, 1, c->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st->cursor_put, 2, c->cursor, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st->cursor_put, 3, c->saved);
        rc = sqlite3_step(st->cursor_put);
        sqlite3_reset(st->cursor_put);
        sqlite3_clear_bindings(st->cursor_put);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st->cursor_trim);
        sqlite3_reset(st->cursor_trim);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    return rc;
}

void
state_cursor_committed(struct state *st)
{
    for (size_t i = 0; i < st->ncursors; i++) {
        st->cursors[i].dirty = false;
    }
    st->cursors_dirty = false;
}

void
state_cursor_free(struct state *st)
{
    for (size_t i = 0; i < st->ncursors; i++) {
        free(st->cursors[i].source);
        free(st->cursors[i].cursor);
    }
    st->ncursors = 0;
}
