/* Fixed-size table of audit session marks; see sesmarks.h. */
#include "correlate/sesmarks.h"

#include <stdbool.h>
#include <stdlib.h>

#include "core/hmap.h"

/* Returns a 64-bit hash of key that is never 0 (0 marks an empty slot). */
static uint64_t
mark_hash(struct sv key)
{
    uint64_t h = hmap_hash(key);

    /* Spread the high bits into the low ones the slot index uses. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h != 0 ? h : 1;
}

int
sesmarks_init(struct sesmarks *m, size_t max)
{
    size_t n = 64;

    while (n < 2 * max) {
        n *= 2;
    }
    m->slots = calloc(n, sizeof(*m->slots));
    m->ring = calloc(max > 0 ? max : 1, sizeof(*m->ring));
    m->mask = n - 1;
    m->head = 0;
    m->count = 0;
    m->max = max;
    if (m->slots == NULL || m->ring == NULL) {
        sesmarks_fini(m);
        return -1;
    }
    return 0;
}

void
sesmarks_fini(struct sesmarks *m)
{
    free(m->slots);
    free(m->ring);
    m->slots = NULL;
    m->ring = NULL;
    m->count = 0;
}

/* Returns the slot holding h, or the empty slot where it would go. */
static size_t
find_slot(const struct sesmarks *m, uint64_t h)
{
    size_t i = h & m->mask;

    while (m->slots[i].hash != 0 && m->slots[i].hash != h) {
        i = (i + 1) & m->mask;
    }
    return i;
}

/* Empties slot i and moves later entries of its probe run back. */
static void
remove_slot(struct sesmarks *m, size_t i)
{
    size_t j = i;

    m->slots[i].hash = 0;
    for (;;) {
        j = (j + 1) & m->mask;
        if (m->slots[j].hash == 0) {
            return;
        }
        size_t home = m->slots[j].hash & m->mask;
        /* The entry at j may move to i when its home is not in (i, j]. */
        bool stays = i <= j ? (home > i && home <= j)
                            : (home > i || home <= j);
        if (!stays) {
            m->slots[i] = m->slots[j];
            m->slots[j].hash = 0;
            i = j;
        }
    }
}

uint8_t
sesmarks_get(const struct sesmarks *m, struct sv key)
{
    if (m->slots == NULL) {
        return 0;
    }
    size_t i = find_slot(m, mark_hash(key));
    return m->slots[i].hash != 0 ? m->slots[i].mark : 0;
}

int
sesmarks_put(struct sesmarks *m, struct sv key, uint8_t mark)
{
    int evicted = 0;

    if (m->slots == NULL || m->max == 0) {
        return 0;
    }
    uint64_t h = mark_hash(key);
    size_t i = find_slot(m, h);
    if (m->slots[i].hash == h) {
        m->slots[i].mark = mark;
        return 0;
    }
    if (m->count == m->max) {
        remove_slot(m, find_slot(m, m->ring[m->head]));
        m->head = (m->head + 1) % m->max;
        m->count--;
        evicted = 1;
        i = find_slot(m, h);
    }
    m->slots[i].hash = h;
    m->slots[i].mark = mark;
    m->ring[(m->head + m->count) % m->max] = h;
    m->count++;
    return evicted;
}
