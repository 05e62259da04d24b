/*
 * An open-addressing table of fixed-size entries keyed by a 64-bit hash,
 * allocated once at its full size, which keeps the most recent max
 * entries.  Entries leave in the order they were added: the oldest when
 * the table is full, or when the caller drops it.
 *
 * The table stores no key, only its hash, so two keys with the same hash
 * share an entry.  With n entries the chance of any such pair is about
 * n * n / 2^65 (the birthday bound): about 1 in 10^10 for 50,000.  Each
 * entry is a caller's struct whose first member is the uint64_t hash.
 */
#ifndef SSHTRAIL_FIXTAB_H
#define SSHTRAIL_FIXTAB_H

#include <stddef.h>
#include <stdint.h>

#include "core/sv.h"

struct fixtab {
    unsigned char *slots;       /* entries; a hash of 0 marks an empty one */
    void *map;                  /* the mapping slots lie in, or NULL */
    size_t map_bytes;
    size_t size;                /* bytes per entry */
    size_t mask;                /* slot count minus 1, a power of two */
    uint64_t *ring;             /* hashes in the order they were added */
    size_t head;
    size_t count;
    size_t max;
};

/* Returns the hash of key as the table uses it: never 0. */
uint64_t fixtab_hash(struct sv key);

/* Returns the hash of the key made of the two parts a and b, with no copy
 * of them: never 0.  Pairs that differ in any part or in where a ends
 * differ as two keys do. */
uint64_t fixtab_hash_pair(struct sv a, struct sv b);

/*
 * Allocates a table for max entries of size bytes each (size is a multiple
 * of 8, at least 8).  Returns 0, or -1 when out of memory.
 */
int fixtab_init(struct fixtab *t, size_t max, size_t size);
void fixtab_fini(struct fixtab *t);

/* Returns the entry of hash h, or NULL.  Entry pointers stay valid until
 * the next fixtab_add or fixtab_drop_oldest. */
void *fixtab_find(const struct fixtab *t, uint64_t h);

/*
 * Returns the entry of hash h, adding a zeroed one (with its hash set) when
 * there is none.  A new entry evicts the oldest when the table is full, and
 * *evicted is then 1, else 0.  Returns NULL when max is 0.
 */
void *fixtab_add(struct fixtab *t, uint64_t h, int *evicted);

/* Asks the processor to load the first slot where hash h is looked up,
 * ahead of a fixtab_find or fixtab_add of h. */
void fixtab_prefetch(const struct fixtab *t, uint64_t h);
/* Returns the oldest entry, or NULL when the table is empty. */
void *fixtab_oldest(const struct fixtab *t);

/* Removes the oldest entry; the table is not empty. */
void fixtab_drop_oldest(struct fixtab *t);

#endif
