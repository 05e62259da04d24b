/*
 * The state store's rows in memory: one hash map per table for lookups and
 * one list per table ordered by last_seen, whose head is the row to evict
 * at the limit and the first to age out of the window.  Persistence lives
 * in state_db.c; with no file the same code runs and nothing is written.
 */
#include "state/state_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct table_info {
    const char *name;
    unsigned counters;
    size_t default_max;
};

static const struct table_info table_info[STATE_TABLE_COUNT] = {
    [STATE_SRC_HOST] = { "src_host", 0, 10000 },
    [STATE_ACCT_HOST] = { "account_host", 0, 10000 },
    [STATE_ACCT_SRC] = { "account_source", 0, 10000 },
    [STATE_SOURCE] = { "source", 0, 10000 },
    [STATE_ACCT_KEY] = { "account_key", 0, 10000 },
    [STATE_ACCT_AUTH] = { "account_auth", 8, 10000 },
    [STATE_ACCT_HOUR] = { "account_hour", 24, 10000 },
    [STATE_ACCT_EXE] = { "account_exe", 0, 20000 },
};

const char *
state_table_name(enum state_table t)
{
    return (unsigned)t < STATE_TABLE_COUNT ? table_info[t].name : "unknown";
}

unsigned
state_table_counters(enum state_table t)
{
    return table_info[t].counters;
}

void
state_opts_default(struct state_opts *o)
{
    memset(o, 0, sizeof(*o));
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        o->max_rows[t] = table_info[t].default_max;
    }
    o->window_ms = 30LL * 24 * 3600 * 1000;
    o->batch_sessions = 256;
}

/* Unlinks r from its table's last_seen list. */
static void
list_unlink(struct state_mem_table *mt, struct state_row *r)
{
    if (r->older != NULL) {
        r->older->newer = r->newer;
    } else {
        mt->oldest = r->newer;
    }
    if (r->newer != NULL) {
        r->newer->older = r->older;
    } else {
        mt->newest = r->older;
    }
    r->older = r->newer = NULL;
}

/*
 * Links r into the list at its last_seen.  Sessions mostly arrive in time
 * order, so the walk from the newest end is short.
 */
static void
list_insert(struct state_mem_table *mt, struct state_row *r)
{
    struct state_row *after = mt->newest;

    while (after != NULL && after->last_seen_ms > r->last_seen_ms) {
        after = after->older;
    }
    r->older = after;
    if (after != NULL) {
        r->newer = after->newer;
        after->newer = r;
    } else {
        r->newer = mt->oldest;
        mt->oldest = r;
    }
    if (r->newer != NULL) {
        r->newer->older = r;
    } else {
        mt->newest = r;
    }
}

static void
mark_dirty(struct state *st, struct state_row *r)
{
    if (st->db == NULL || r->dirty) {
        return;
    }
    r->dirty = true;
    r->dirty_next = NULL;
    if (st->dirty_tail != NULL) {
        st->dirty_tail->dirty_next = r;
    } else {
        st->dirty_head = r;
    }
    st->dirty_tail = r;
}

/*
 * Removes r from memory.  A row the file holds, or one already queued for
 * writing, stays on the dirty list as dead so the next write deletes it;
 * any other row is freed now.
 */
static void
kill_row(struct state *st, enum state_table t, struct state_row *r)
{
    struct state_mem_table *mt = &st->tables[t];

    list_unlink(mt, r);
    hmap_del(&mt->map, sv_make(r->key, r->klen));
    st->meta_dirty = true;
    r->dead = true;
    if (r->dirty || (st->db != NULL && r->stored)) {
        mark_dirty(st, r);
        return;
    }
    free(r);
}

/* Returns the key a row is stored under: rows hold their own, so the
 * tables copy none. */
static struct sv
row_key(const void *row)
{
    const struct state_row *r = row;

    return sv_make(r->key, r->klen);
}

/* Stores a new row under key, whose hmap_key_hash is hash. */
static struct state_row *
row_new(struct state *st, enum state_table t, struct sv key, uint64_t hash)
{
    struct state_mem_table *mt = &st->tables[t];
    struct state_row *r;

    if (key.len > STATE_MAX_KEY || mt->max == 0) {
        return NULL;
    }
    if (mt->map.count >= mt->max) {
        kill_row(st, t, mt->oldest);
        mt->evictions++;
    }

    /* The counters follow the key, aligned, so tables without counters
     * spend no memory on them. */
    size_t counters_at = (sizeof(*r) + key.len + 1 + 3) & ~(size_t)3;
    unsigned nc = table_info[t].counters;
    r = calloc(1, counters_at + nc * sizeof(uint32_t));
    if (r == NULL) {
        return NULL;
    }
    r->counters = nc > 0 ? (uint32_t *)((char *)r + counters_at) : NULL;
    r->table = (uint8_t)t;
    r->klen = (uint32_t)key.len;
    memcpy(r->key, key.p, key.len);
    if (hmap_put_hashed(&mt->map, sv_make(r->key, r->klen), hash, r) < 0) {
        free(r);
        return NULL;
    }
    return r;
}

int
state_load_row(struct state *st, enum state_table t, struct sv key,
               int64_t first_ms, int64_t last_ms, uint64_t count,
               const uint32_t *counters)
{
    struct state_row *r = row_new(st, t, key, hmap_key_hash(key));

    if (r == NULL) {
        return -1;
    }
    r->first_seen_ms = first_ms;
    r->last_seen_ms = last_ms;
    r->count = count;
    if (r->counters != NULL) {
        memcpy(r->counters, counters,
               table_info[t].counters * sizeof(*r->counters));
    }
    r->stored = true;
    list_insert(&st->tables[t], r);
    return 0;
}

uint64_t
state_key_hash(struct sv key)
{
    return hmap_key_hash(key);
}

struct state_row *
state_touch(struct state *st, enum state_table t, struct sv key,
            int64_t t_ms)
{
    return state_touch_hashed(st, t, key, hmap_key_hash(key), t_ms);
}

struct state_row *
state_touch_hashed(struct state *st, enum state_table t, struct sv key,
                   uint64_t hash, int64_t t_ms)
{
    struct state_mem_table *mt = &st->tables[t];
    struct state_row *r = hmap_get_hashed(&mt->map, key, hash);

    if (r == NULL) {
        r = row_new(st, t, key, hash);
        if (r == NULL) {
            return NULL;
        }
        r->first_seen_ms = t_ms;
        r->last_seen_ms = t_ms;
    } else {
        list_unlink(mt, r);
        if (t_ms > r->last_seen_ms) {
            r->last_seen_ms = t_ms;
        }
        if (t_ms < r->first_seen_ms) {
            r->first_seen_ms = t_ms;
        }
    }
    if (r->count < UINT64_MAX) {
        r->count++;
    }
    list_insert(mt, r);
    mark_dirty(st, r);
    return r;
}

const struct state_row *
state_find(const struct state *st, enum state_table t, struct sv key)
{
    return hmap_get(&st->tables[t].map, key);
}

const struct state_row *
state_find_hashed(const struct state *st, enum state_table t, struct sv key,
                  uint64_t hash)
{
    return hmap_get_hashed(&st->tables[t].map, key, hash);
}

void
state_prefetch(const struct state *st, enum state_table t, uint64_t hash)
{
    hmap_prefetch(&st->tables[t].map, hash);
}

void
state_prefetch_row(const struct state *st, enum state_table t, uint64_t hash)
{
    hmap_prefetch_value(&st->tables[t].map, hash);
}

uint64_t
state_advance(struct state *st, int64_t now_ms)
{
    uint64_t aged = 0;

    if (now_ms <= st->newest_ms) {
        return 0;
    }
    st->newest_ms = now_ms;
    st->meta_dirty = true;

    int64_t cutoff = now_ms - st->window_ms;
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        struct state_mem_table *mt = &st->tables[t];
        while (mt->oldest != NULL && mt->oldest->last_seen_ms < cutoff) {
            kill_row(st, (enum state_table)t, mt->oldest);
            mt->aged++;
            aged++;
        }
    }
    return aged;
}

int
state_open(struct state **out, const char *path,
           const struct state_opts *opts, char *err, size_t n)
{
    struct state *st = calloc(1, sizeof(*st));

    *out = NULL;
    if (st == NULL) {
        snprintf(err, n, "out of memory opening the state store");
        return -1;
    }
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        size_t max = opts->max_rows[t];
        st->tables[t].max = max != 0 ? max : table_info[t].default_max;
        hmap_init_keyed(&st->tables[t].map, st->tables[t].max, row_key);
    }
    st->window_ms = opts->window_ms > 0 ? opts->window_ms
                                        : 30LL * 24 * 3600 * 1000;
    st->batch_sessions = opts->batch_sessions ? opts->batch_sessions : 1;
    st->newest_ms = INT64_MIN;

    if (path != NULL) {
        st->path = strdup(path);
        if (st->path == NULL ||
            state_db_open(st, opts, err, n) < 0) {
            if (st->path == NULL) {
                snprintf(err, n, "out of memory opening the state store");
            }
            state_close(st, NULL, 0);
            return -1;
        }
        /* Rows that aged out while the file was closed go now. */
        int64_t newest = st->newest_ms;
        st->newest_ms = INT64_MIN;
        state_advance(st, newest);
    }
    *out = st;
    return 0;
}

int
state_flush(struct state *st, char *err, size_t n)
{
    st->pending_sessions = 0;
    if (st->db == NULL || st->read_only) {
        return 0;
    }
    if (st->dirty_head == NULL && !st->meta_dirty && !st->cursors_dirty) {
        return 0;
    }
    return state_db_write(st, err, n);
}

int
state_session_end(struct state *st, char *err, size_t n)
{
    if (++st->pending_sessions < st->batch_sessions) {
        return 0;
    }
    return state_flush(st, err, n);
}

static void
free_row(void *arg, struct sv key, void *value)
{
    free(value);
}

int
state_close(struct state *st, char *err, size_t n)
{
    int rc = 0;

    if (st == NULL) {
        return 0;
    }
    if (st->db != NULL && err != NULL) {
        rc = state_flush(st, err, n);
    }
    state_db_close(st);

    /* Dead rows are only on the dirty list; live rows are in the maps. */
    struct state_row *r = st->dirty_head;
    while (r != NULL) {
        struct state_row *next = r->dirty_next;
        if (r->dead) {
            free(r);
        }
        r = next;
    }
    for (int t = 0; t < STATE_TABLE_COUNT; t++) {
        hmap_each(&st->tables[t].map, free_row, NULL);
        hmap_fini(&st->tables[t].map);
    }
    state_cursor_free(st);
    free(st->path);
    free(st);
    return rc;
}

size_t
state_rows(const struct state *st, enum state_table t)
{
    return st->tables[t].map.count;
}

uint64_t
state_evictions(const struct state *st, enum state_table t)
{
    return st->tables[t].evictions;
}

uint64_t
state_aged(const struct state *st, enum state_table t)
{
    return st->tables[t].aged;
}

int64_t
state_newest(const struct state *st)
{
    return st->newest_ms;
}

int64_t
state_window(const struct state *st)
{
    return st->window_ms;
}

bool
state_is_persistent(const struct state *st)
{
    return st->db != NULL;
}
