/*
 * Failure counts per host and source address, kept for the most recent max
 * pairs that failed.
 *
 * Like struct sesmarks, the table is a struct fixtab allocated once at its
 * full size.  Each pair has one 64-byte entry keyed by a 64-bit hash of the
 * key bytes, so a lookup reads one cache line, and memory does not grow
 * with the input.  Two keys with the same hash share their counts (about 1
 * in 10^10 at the default 50,000 pairs, see fixtab.h).  Pairs leave in the
 * order they were added: the oldest when the table is full, and the oldest
 * while they are stale.
 */
#ifndef SSHTRAIL_FAILTAB_H
#define SSHTRAIL_FAILTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/fixtab.h"
#include "core/sv.h"
#include "event/event.h"

/* Failures from one source address on one host. */
struct failure_count {
    uint64_t sshd;              /* failures logged by sshd itself */
    uint64_t audit;             /* failures logged by audit records */
    uint64_t invalid_users;
    struct event_time first;
    struct event_time last;
};

/* The kind of record that counted a failure. */
enum failure_source {
    FAILURE_SSHD,               /* sshd's own log line */
    FAILURE_AUDIT,              /* an audit record */
    FAILURE_INVALID_USER,       /* an unknown account, from either */
};

/* Maximum failures counted but not yet applied. */
#define FAILTAB_QUEUE 16u

/* One queued failure. */
struct failure_note {
    uint64_t hash;              /* of the host and address pair */
    struct event_time time;
    enum failure_source source;
};

struct failtab {
    struct fixtab tab;          /* of struct failtab_slot; tab.count pairs */
    int64_t span_ms;            /* counts older than this start again */
    struct failure_note queue[FAILTAB_QUEUE];
    unsigned nqueued;
};

/*
 * Allocates a table for max pairs, whose counts start again at a failure
 * more than span_ms after the pair's last one.  Returns 0, or -1 when out
 * of memory.
 */
int failtab_init(struct failtab *t, size_t max, int64_t span_ms);
void failtab_fini(struct failtab *t);

/*
 * Counts a failure of host and addr at time, which sets the pair's last
 * time and adds one to the count of source.  The pair's entry is most
 * often not in the cache, so the failure is queued and its entry
 * prefetched.  The queue is applied in order when it is full, so the
 * memory reads of several failures overlap.  Returns the pairs evicted
 * while applying.
 */
uint64_t failtab_count(struct failtab *t, struct sv host, struct sv addr,
                       const struct event_time *time,
                       enum failure_source source);

/* Applies the queued failures.  Returns the pairs evicted for them. */
uint64_t failtab_flush(struct failtab *t);

/*
 * Returns the counts of host and source address addr, or NULL.  Queued
 * failures are not in them until failtab_flush.  The pair is hashed in
 * place (see fixtab_hash_pair).  The pointer is valid until the next
 * failtab_add, failtab_flush or failtab_drop_stale.
 */
struct failure_count *failtab_get(const struct failtab *t, struct sv host,
                                  struct sv addr);

/*
 * Returns the counts of host and addr, adding zeroed counts when the pair
 * is new.  A new pair evicts the oldest when the table is full, and
 * *evicted is set to 1 (else 0).  Returns NULL when the table has no room
 * (max 0).
 */
struct failure_count *failtab_add(struct failtab *t, struct sv host,
                                  struct sv addr, int *evicted);

/*
 * Drops the oldest pairs while is_stale returns true for them (call
 * failtab_flush first).  Returns the number dropped.
 */
size_t failtab_drop_stale(struct failtab *t,
                          bool (*is_stale)(const struct failure_count *f,
                                           void *arg),
                          void *arg);

#endif
