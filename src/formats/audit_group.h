/*
 * Groups audit records into events.  The kernel writes one event as several
 * records (SYSCALL, EXECVE, CWD, PATH, PROCTITLE, EOE) that share one
 * msg=audit(SEC.MSEC:SERIAL) stamp, and records of different events may
 * interleave.  The grouper buffers the records of each open event, keyed by
 * node, time and serial, and hands a group to a callback once it is
 * complete:
 *
 *   - at its EOE record;
 *   - at once for user-space types (1100-1299, 2100-2999) and KERNEL,
 *     which auditd writes as one-record events;
 *   - when a record arrives whose time is more than 2 seconds after the
 *     group's time (the rule libauparse applies);
 *   - when the table of open groups is full and the group is the oldest
 *     (counted as an eviction);
 *   - at flush.
 *
 * Everything is bounded: open groups, records and bytes per group.  Storage
 * is reused, so the steady state allocates nothing.
 */
#ifndef SSHTRAIL_AUDIT_GROUP_H
#define SSHTRAIL_AUDIT_GROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "event/event.h"
#include "formats/audit_record.h"

/* Seconds of event time after which an open group is complete. */
#define AUDIT_GROUP_TIMEOUT_SEC 2

struct audit_group_limits {
    uint32_t max_open;      /* open groups; the oldest is evicted past it */
    uint32_t max_records;   /* records stored per group */
    uint32_t max_bytes;     /* bytes of record text stored per group */
};

/*
 * A stored record: its text at base + off and its parsed header, kept as
 * offsets into that text so that reading the group parses nothing twice.
 */
struct audit_group_rec {
    uint32_t off;
    uint32_t len;
    uint64_t line;
    int type;
    enum audit_exec_mark exec;
    bool has_node;
    uint32_t node_off;      /* node, type name and body, from off */
    uint32_t node_len;
    uint32_t type_off;
    uint32_t type_len;
    uint32_t body_off;      /* the body runs to the end of the record */
};

/* A complete group, valid only during the callback. */
struct audit_group {
    struct event_origin origin;     /* of the group's first record */
    struct sv node;                 /* p is NULL without node= */
    int64_t sec;
    int32_t msec;
    uint64_t serial;
    uint32_t nrecords;              /* records stored */
    uint32_t nseen;                 /* records that joined, stored or not */
    bool truncated;                 /* records dropped at a limit */

    /* Internal: the stored record lines. */
    const char *base;
    const struct audit_group_rec *recs;
};

struct audit_grouper_stats {
    uint64_t groups;            /* groups completed */
    uint64_t evicted;           /* completed early because the table was full */
    uint64_t dropped_records;   /* records not stored past a group limit */
};

/* Decides whether a record's text is stored; NULL stores every record. */
typedef bool (*audit_keep_fn)(const struct audit_record *rec);
typedef void (*audit_group_fn)(void *arg, const struct audit_group *g);

struct audit_grouper;

/* Returns a new grouper, or NULL when memory runs out. */
struct audit_grouper *audit_grouper_new(const struct audit_group_limits *lim,
                                        audit_keep_fn keep);
void audit_grouper_free(struct audit_grouper *gr);

/*
 * Adds one record: line is its full text and rec its parsed header (views
 * into line).  Calls done for every group this record completes, which may
 * include older groups that timed out or were evicted.
 */
void audit_grouper_add(struct audit_grouper *gr, struct sv line,
                       const struct audit_record *rec,
                       const struct event_origin *origin, audit_group_fn done,
                       void *arg);

/* Completes every open group, oldest first. */
void audit_grouper_flush(struct audit_grouper *gr, audit_group_fn done,
                         void *arg);

const struct audit_grouper_stats *
audit_grouper_stats(const struct audit_grouper *gr);

/*
 * Fills *rec with the header of stored record i (0 <= i < g->nrecords), as
 * audit_record_parse read it, and sets *line to its line number.  Returns
 * false only when i is out of range.
 */
bool audit_group_record(const struct audit_group *g, uint32_t i,
                        struct audit_record *rec, uint64_t *line);

/*
 * Returns the type number of stored record i (0 <= i < g->nrecords), so a
 * search for one type fills no struct audit_record for the others.
 */
static inline int
audit_group_type(const struct audit_group *g, uint32_t i)
{
    return g->recs[i].type;
}

#endif
