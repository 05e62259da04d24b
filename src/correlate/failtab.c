/* Fixed-size table of failure counts; see failtab.h. */
#include "correlate/failtab.h"

#include <stdlib.h>

#include "core/hmap.h"

/* Returns a 64-bit hash of key that is never 0 (0 marks an empty slot). */
static uint64_t
pair_hash(struct sv key)
{
    uint64_t h = hmap_hash(key);

    /* Spread the high bits into the low ones the slot index uses. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h != 0 ? h : 1;
}

int
failtab_init(struct failtab *t, size_t max)
{
    size_t n = 64;

    /* A full table is at most seven eighths loaded, which keeps probe runs
     * short while 50,000 pairs fit 65,536 slots (4 MiB). */
    while (n < max + max / 7) {
        n *= 2;
    }
    t->slots = calloc(n, sizeof(*t->slots));
    t->ring = calloc(max > 0 ? max : 1, sizeof(*t->ring));
    t->mask = n - 1;
    t->head = 0;
    t->count = 0;
    t->max = max;
    if (t->slots == NULL || t->ring == NULL) {
        failtab_fini(t);
        return -1;
    }
    return 0;
}

void
failtab_fini(struct failtab *t)
{
    free(t->slots);
    free(t->ring);
    t->slots = NULL;
    t->ring = NULL;
    t->count = 0;
}

/* Returns the slot holding h, or the empty slot where it would go. */
static size_t
find_slot(const struct failtab *t, uint64_t h)
{
    size_t i = h & t->mask;

    while (t->slots[i].hash != 0 && t->slots[i].hash != h) {
        i = (i + 1) & t->mask;
    }
    return i;
}

/* Empties slot i and moves later entries of its probe run back. */
static void
remove_slot(struct failtab *t, size_t i)
{
    size_t j = i;

    t->slots[i].hash = 0;
    for (;;) {
        j = (j + 1) & t->mask;
        if (t->slots[j].hash == 0) {
            return;
        }
        size_t home = t->slots[j].hash & t->mask;
        /* The entry at j may move to i when its home is not in (i, j]. */
        bool stays = i <= j ? (home > i && home <= j)
                            : (home > i || home <= j);
        if (!stays) {
            t->slots[i] = t->slots[j];
            t->slots[j].hash = 0;
            i = j;
        }
    }
}

/* Removes the oldest pair. */
static void
drop_oldest(struct failtab *t)
{
    remove_slot(t, find_slot(t, t->ring[t->head]));
    t->head = (t->head + 1) % t->max;
    t->count--;
}

struct failure_count *
failtab_get(const struct failtab *t, struct sv key)
{
    if (t->slots == NULL) {
        return NULL;
    }

    size_t i = find_slot(t, pair_hash(key));
    return t->slots[i].hash != 0 ? &t->slots[i].count : NULL;
}

struct failure_count *
failtab_add(struct failtab *t, struct sv key, int *evicted)
{
    *evicted = 0;
    if (t->slots == NULL || t->max == 0) {
        return NULL;
    }

    uint64_t h = pair_hash(key);
    size_t i = find_slot(t, h);
    if (t->slots[i].hash == h) {
        return &t->slots[i].count;
    }
    if (t->count == t->max) {
        drop_oldest(t);
        *evicted = 1;
        i = find_slot(t, h);
    }
    t->slots[i].hash = h;
    memset(&t->slots[i].count, 0, sizeof(t->slots[i].count));
    t->ring[(t->head + t->count) % t->max] = h;
    t->count++;
    return &t->slots[i].count;
}

size_t
failtab_drop_stale(struct failtab *t,
                   bool (*is_stale)(const struct failure_count *f, void *arg),
                   void *arg)
{
    size_t dropped = 0;

    while (t->count > 0) {
        size_t i = find_slot(t, t->ring[t->head]);
        if (t->slots[i].hash != 0 && !is_stale(&t->slots[i].count, arg)) {
            break;
        }
        drop_oldest(t);
        dropped++;
    }
    return dropped;
}
