/*
 * The audit record grouper (see audit_group.h for the completion rules).
 * Open groups live in a fixed pool; each keeps a byte buffer and a record
 * table that grow up to the limits and are reused by later groups.
 */
#include "formats/audit_group.h"

#include <stdlib.h>
#include <string.h>

/* Bytes of a node name kept for grouping; longer names are cut. */
#define AUDIT_NODE_MAX 255

struct slot {
    struct audit_group g;
    uint64_t seq;               /* opening order, for eviction and flush */
    bool has_node;
    uint32_t node_len;          /* the node name is stored at buf[0] */
    char *buf;
    uint32_t used;
    uint32_t cap;
    struct audit_group_rec *recs;
    uint32_t rec_cap;
};

/* The number of buckets that count open groups by serial number. */
#define SERIAL_BUCKETS 256

struct audit_grouper {
    struct audit_group_limits lim;
    audit_keep_fn keep;
    struct slot *slots;
    struct slot **open;         /* the open slots, unordered */
    uint32_t nopen;
    struct slot **free_slots;
    uint32_t nfree;
    uint64_t next_seq;
    int64_t oldest_sec;         /* no open group is older than this */
    uint32_t open_serials[SERIAL_BUCKETS];  /* open groups per serial
                                               modulo SERIAL_BUCKETS */
    struct audit_grouper_stats stats;
};

struct audit_grouper *
audit_grouper_new(const struct audit_group_limits *lim, audit_keep_fn keep)
{
    struct audit_grouper *gr = calloc(1, sizeof(*gr));

    if (gr == NULL || lim->max_open == 0) {
        free(gr);
        return NULL;
    }
    gr->lim = *lim;
    gr->keep = keep;
    gr->slots = calloc(lim->max_open, sizeof(*gr->slots));
    gr->open = calloc(lim->max_open, sizeof(*gr->open));
    gr->free_slots = calloc(lim->max_open, sizeof(*gr->free_slots));
    if (gr->slots == NULL || gr->open == NULL || gr->free_slots == NULL) {
        audit_grouper_free(gr);
        return NULL;
    }
    for (uint32_t i = 0; i < lim->max_open; i++) {
        gr->free_slots[gr->nfree++] = &gr->slots[lim->max_open - 1 - i];
    }
    return gr;
}

void
audit_grouper_free(struct audit_grouper *gr)
{
    if (gr == NULL) {
        return;
    }
    if (gr->slots != NULL) {
        for (uint32_t i = 0; i < gr->lim.max_open; i++) {
            free(gr->slots[i].buf);
            free(gr->slots[i].recs);
        }
    }
    free(gr->slots);
    free(gr->open);
    free(gr->free_slots);
    free(gr);
}

const struct audit_grouper_stats *
audit_grouper_stats(const struct audit_grouper *gr)
{
    return &gr->stats;
}

bool
audit_group_record(const struct audit_group *g, uint32_t i,
                   struct audit_record *rec, uint64_t *line)
{
    if (i >= g->nrecords) {
        return false;
    }
    const struct audit_group_rec *r = &g->recs[i];
    const char *text = g->base + r->off;

    *line = r->line;
    rec->node = r->has_node ? sv_make(text + r->node_off, r->node_len)
                            : SV_NULL;
    rec->type_name = sv_make(text + r->type_off, r->type_len);
    rec->type = r->type;
    rec->exec = r->exec;
    rec->sec = g->sec;
    rec->msec = g->msec;
    rec->serial = g->serial;
    rec->body = sv_make(text + r->body_off, r->len - r->body_off);
    return true;
}

/* Stores the header of rec, whose views point into line, as offsets. */
static void
rec_set_header(struct audit_group_rec *r, struct sv line,
               const struct audit_record *rec)
{
    r->type = rec->type;
    r->exec = rec->exec;
    r->has_node = rec->node.p != NULL;
    r->node_off = r->has_node ? (uint32_t)(rec->node.p - line.p) : 0;
    r->node_len = (uint32_t)rec->node.len;
    r->type_off = (uint32_t)(rec->type_name.p - line.p);
    r->type_len = (uint32_t)rec->type_name.len;
    r->body_off = (uint32_t)(rec->body.p - line.p);
}

/* Grows a slot's byte buffer to at least need bytes. */
static bool
slot_grow(struct slot *s, size_t need)
{
    size_t cap = s->cap ? s->cap : 1024;

    while (cap < need) {
        cap *= 2;
    }
    char *p = realloc(s->buf, cap);
    if (p == NULL) {
        return false;
    }
    s->buf = p;
    s->cap = (uint32_t)cap;
    return true;
}

/* Grows a slot's buffers for one more record of len bytes. */
static bool
slot_reserve(struct slot *s, const struct audit_group_limits *lim,
             size_t len)
{
    if (s->g.nrecords >= lim->max_records ||
        len > lim->max_bytes - s->used) {
        return false;
    }
    if (s->g.nrecords == s->rec_cap) {
        uint32_t cap = s->rec_cap ? s->rec_cap * 2 : 8;
        if (cap > lim->max_records) {
            cap = lim->max_records;
        }
        void *p = realloc(s->recs, cap * sizeof(*s->recs));
        if (p == NULL) {
            return false;
        }
        s->recs = p;
        s->rec_cap = cap;
    }
    return len <= s->cap - s->used || slot_grow(s, s->used + len);
}

/* Stores one record in an open slot, or marks the group truncated. */
static void
slot_append(struct audit_grouper *gr, struct slot *s, struct sv line,
            const struct audit_record *rec, uint64_t line_no)
{
    s->g.nseen++;
    if (gr->keep != NULL && !gr->keep(rec)) {
        return;
    }
    if (!slot_reserve(s, &gr->lim, line.len)) {
        s->g.truncated = true;
        gr->stats.dropped_records++;
        return;
    }
    struct audit_group_rec *r = &s->recs[s->g.nrecords++];
    r->off = s->used;
    r->len = (uint32_t)line.len;
    r->line = line_no;
    rec_set_header(r, line, rec);
    if (line.len > 0) {
        memcpy(s->buf + s->used, line.p, line.len);
    }
    s->used += (uint32_t)line.len;
}

/* Hands the group in open[i] to done and returns its slot to the pool. */
static void
complete_at(struct audit_grouper *gr, uint32_t i, audit_group_fn done,
            void *arg)
{
    struct slot *s = gr->open[i];

    gr->open[i] = gr->open[--gr->nopen];
    gr->open_serials[s->g.serial % SERIAL_BUCKETS]--;
    gr->stats.groups++;
    if (s->g.nrecords > 0) {
        s->g.base = s->buf;
        s->g.recs = s->recs;
        s->g.node = s->has_node ? sv_make(s->buf, s->node_len) : SV_NULL;
        done(arg, &s->g);
    }
    gr->free_slots[gr->nfree++] = s;
}

/* Returns the index in open[] of the oldest group. */
static uint32_t
oldest_index(const struct audit_grouper *gr)
{
    uint32_t best = 0;

    for (uint32_t i = 1; i < gr->nopen; i++) {
        if (gr->open[i]->seq < gr->open[best]->seq) {
            best = i;
        }
    }
    return best;
}

/* Completes, oldest first, the groups more than the timeout behind sec. */
static void
expire(struct audit_grouper *gr, int64_t sec, audit_group_fn done, void *arg)
{
    if (gr->nopen == 0 || sec <= gr->oldest_sec + AUDIT_GROUP_TIMEOUT_SEC) {
        return;
    }
    for (;;) {
        int found = -1;
        for (uint32_t i = 0; i < gr->nopen; i++) {
            const struct slot *s = gr->open[i];
            if (s->g.sec + AUDIT_GROUP_TIMEOUT_SEC < sec &&
                (found < 0 || s->seq < gr->open[found]->seq)) {
                found = (int)i;
            }
        }
        if (found < 0) {
            break;
        }
        complete_at(gr, (uint32_t)found, done, arg);
    }

    /* Recompute the lower bound from what stays open. */
    gr->oldest_sec = INT64_MAX;
    for (uint32_t i = 0; i < gr->nopen; i++) {
        if (gr->open[i]->g.sec < gr->oldest_sec) {
            gr->oldest_sec = gr->open[i]->g.sec;
        }
    }
}

static bool
same_node(const struct slot *s, struct sv node)
{
    if (s->has_node != (node.p != NULL)) {
        return false;
    }
    size_t n = node.len < AUDIT_NODE_MAX ? node.len : AUDIT_NODE_MAX;
    return !s->has_node ||
           (s->node_len == n && (n == 0 || memcmp(s->buf, node.p, n) == 0));
}

static int
find_open(const struct audit_grouper *gr, const struct audit_record *rec)
{
    /* With a few groups open among 256 buckets, a record that opens a
     * group or is a group of its own usually finds its bucket empty.  That
     * ends the search before it reads any slot. */
    if (gr->open_serials[rec->serial % SERIAL_BUCKETS] == 0) {
        return -1;
    }
    /* Newest first: the record most likely continues a recent group. */
    for (uint32_t i = gr->nopen; i-- > 0;) {
        const struct slot *s = gr->open[i];
        if (s->g.serial == rec->serial && s->g.sec == rec->sec &&
            s->g.msec == rec->msec && same_node(s, rec->node)) {
            return (int)i;
        }
    }
    return -1;
}

/* Opens a group for rec, evicting the oldest when the pool is empty. */
static struct slot *
open_group(struct audit_grouper *gr, const struct audit_record *rec,
           const struct event_origin *origin, audit_group_fn done, void *arg)
{
    if (gr->nfree == 0) {
        gr->stats.evicted++;
        complete_at(gr, oldest_index(gr), done, arg);
    }
    struct slot *s = gr->free_slots[--gr->nfree];

    memset(&s->g, 0, sizeof(s->g));
    s->used = 0;
    s->seq = gr->next_seq++;
    s->g.origin = *origin;
    s->g.sec = rec->sec;
    s->g.msec = rec->msec;
    s->g.serial = rec->serial;

    /* The node name goes first in the buffer; records follow it. */
    s->has_node = false;
    s->node_len = 0;
    size_t n = rec->node.len < AUDIT_NODE_MAX ? rec->node.len
                                              : AUDIT_NODE_MAX;
    if (rec->node.p != NULL && (n == 0 || n <= s->cap || slot_grow(s, n))) {
        if (n > 0) {
            memcpy(s->buf, rec->node.p, n);
        }
        s->used = (uint32_t)n;
        s->node_len = (uint32_t)n;
        s->has_node = true;
    }

    gr->open[gr->nopen++] = s;
    gr->open_serials[rec->serial % SERIAL_BUCKETS]++;
    if (gr->nopen == 1 || rec->sec < gr->oldest_sec) {
        gr->oldest_sec = rec->sec;
    }
    return s;
}

/* Completes a one-record group straight from the caller's line. */
static void
complete_single(struct audit_grouper *gr, struct sv line,
                const struct audit_record *rec,
                const struct event_origin *origin, audit_group_fn done,
                void *arg)
{
    struct audit_group_rec r;
    struct audit_group g;

    memset(&r, 0, sizeof(r));
    r.len = (uint32_t)line.len;
    r.line = origin->line;
    rec_set_header(&r, line, rec);

    gr->stats.groups++;
    if (gr->keep != NULL && !gr->keep(rec)) {
        return;
    }
    memset(&g, 0, sizeof(g));
    g.origin = *origin;
    g.node = rec->node;
    g.sec = rec->sec;
    g.msec = rec->msec;
    g.serial = rec->serial;
    g.nrecords = 1;
    g.nseen = 1;
    g.base = line.p;
    g.recs = &r;
    done(arg, &g);
}

void
audit_grouper_add(struct audit_grouper *gr, struct sv line,
                  const struct audit_record *rec,
                  const struct event_origin *origin, audit_group_fn done,
                  void *arg)
{
    expire(gr, rec->sec, done, arg);

    int i = find_open(gr, rec);
    if (i < 0 && audit_type_is_single(rec->type)) {
        complete_single(gr, line, rec, origin, done, arg);
        return;
    }
    if (i < 0 && rec->type == AUDIT_T_EOE) {
        /* An EOE whose records were already completed: nothing to end. */
        complete_single(gr, line, rec, origin, done, arg);
        return;
    }

    struct slot *s;
    if (i >= 0) {
        s = gr->open[i];
    } else {
        s = open_group(gr, rec, origin, done, arg);
        i = (int)gr->nopen - 1;
    }
    slot_append(gr, s, line, rec, origin->line);

    /* open_group puts the new slot last in open[].  Its node check fails
     * only when the node name could not be stored, and then the group
     * stays open as find_open would have left it. */
    if ((rec->type == AUDIT_T_EOE || audit_type_is_single(rec->type)) &&
        same_node(s, rec->node)) {
        complete_at(gr, (uint32_t)i, done, arg);
    }
}

void
audit_grouper_flush(struct audit_grouper *gr, audit_group_fn done, void *arg)
{
    while (gr->nopen > 0) {
        complete_at(gr, oldest_index(gr), done, arg);
    }
    gr->oldest_sec = 0;
}
