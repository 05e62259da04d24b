/*
 * Marks on audit sessions (host and session id): "ended" or "another
 * login", kept for the most recent max sessions marked.
 *
 * Unlike a struct fifomap, the table is allocated once at its full size,
 * with fixed 16-byte entries keyed by a 64-bit hash of the key bytes, so
 * its memory does not grow with the input.  Two keys with the same hash
 * share a mark; at the default 50,000 entries the chance of any such pair
 * is about 1 in 10^10 (an estimate from the birthday bound).
 */
#ifndef SSHTRAIL_SESMARKS_H
#define SSHTRAIL_SESMARKS_H

#include <stddef.h>
#include <stdint.h>

#include "core/sv.h"

struct sesmark_slot {
    uint64_t hash;              /* 0: empty */
    uint8_t mark;
};

struct sesmarks {
    struct sesmark_slot *slots;
    size_t mask;                /* slot count minus 1; the count is a power
                                   of two */
    uint64_t *ring;             /* hashes in insertion order */
    size_t head;
    size_t count;
    size_t max;
};

/* Allocates a table for max marks.  Returns 0, or -1 when out of memory. */
int sesmarks_init(struct sesmarks *m, size_t max);
void sesmarks_fini(struct sesmarks *m);

/* Returns the mark stored under key, or 0 when there is none. */
uint8_t sesmarks_get(const struct sesmarks *m, struct sv key);

/*
 * Stores mark (not 0) under key, replacing an earlier mark in place.  A new
 * key evicts the oldest one when the table is full.  Returns 1 when a mark
 * was evicted, else 0.
 */
int sesmarks_put(struct sesmarks *m, struct sv key, uint8_t mark);

#endif
