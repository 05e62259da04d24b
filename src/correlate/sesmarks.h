/*
 * Marks on audit sessions (host and session id): "ended" or "another
 * login", kept for the most recent max sessions marked.
 *
 * Unlike a struct fifomap, the table is a struct fixtab of 16-byte entries
 * keyed by a 64-bit hash of the key bytes, allocated once, so its memory
 * does not grow with the input.  Two keys with the same hash share a mark
 * (about 1 in 10^10 at the default 50,000 entries, see fixtab.h).
 */
#ifndef SSHTRAIL_SESMARKS_H
#define SSHTRAIL_SESMARKS_H

#include <stddef.h>
#include <stdint.h>

#include "core/fixtab.h"
#include "core/sv.h"

struct sesmarks {
    struct fixtab tab;          /* of struct sesmark_slot; tab.count marks */
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
