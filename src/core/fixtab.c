/* Open-addressing table of fixed-size entries; see fixtab.h. */
#include "core/fixtab.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "core/compiler.h"
#include "core/hmap.h"

/* Spreads the high bits of h into the low ones the slot index uses. */
static uint64_t
spread(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h != 0 ? h : 1;
}

uint64_t
fixtab_hash(struct sv key)
{
    return spread(hmap_hash(key));
}

uint64_t
fixtab_hash_pair(struct sv a, struct sv b)
{
    /* hmap_hash starts from the length, so where a ends is part of the
     * hash; the multiply keeps (a, b) apart from (b, a). */
    return spread(hmap_hash(a) * 0x9e3779b97f4a7c15ULL ^ hmap_hash(b));
}

/* The size of a transparent huge page on x86-64 and arm64 (4 KiB base
 * pages). */
#define HUGE_PAGE (2u * 1024u * 1024u)

/*
 * Allocates t's n zeroed slots of size bytes.  A table of 2 MiB or more
 * (the failure table at its default 50,000 pairs takes 4 MiB) is mapped on
 * a huge-page boundary and advised for transparent huge pages.  Its
 * lookups land on random slots, which with 4 KiB pages often miss the TLB
 * too.  The advice is a hint; where huge pages are off the table uses
 * small pages.  Returns 0, or -1 when out of memory.
 */
static int
alloc_slots(struct fixtab *t, size_t n, size_t size)
{
    t->map = NULL;
    t->map_bytes = 0;
    if (size != 0 && n > SIZE_MAX / size) {
        return -1;
    }

    size_t bytes = n * size;
    if (bytes < HUGE_PAGE || bytes % HUGE_PAGE != 0) {
        t->slots = calloc(n, size);
        return t->slots != NULL ? 0 : -1;
    }

    /* A fresh anonymous mapping reads as zeros; the extra huge page leaves
     * room to start on a boundary. */
    void *map = mmap(NULL, bytes + HUGE_PAGE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        t->slots = NULL;
        return -1;
    }
    uintptr_t at = ((uintptr_t)map + HUGE_PAGE - 1) &
                   ~(uintptr_t)(HUGE_PAGE - 1);
    t->map = map;
    t->map_bytes = bytes + HUGE_PAGE;
    t->slots = (unsigned char *)at;
    madvise(t->slots, bytes, MADV_HUGEPAGE);
    return 0;
}

int
fixtab_init(struct fixtab *t, size_t max, size_t size)
{
    size_t n = 64;

    /* A full table is at most seven eighths loaded, which keeps probe runs
     * short while 50,000 entries fit 65,536 slots. */
    while (n < max + max / 7) {
        n *= 2;
    }
    int rc = alloc_slots(t, n, size);

    t->ring = calloc(max > 0 ? max : 1, sizeof(*t->ring));
    t->size = size;
    t->mask = n - 1;
    t->head = 0;
    t->count = 0;
    t->max = max;
    if (rc < 0 || t->ring == NULL) {
        fixtab_fini(t);
        return -1;
    }
    return 0;
}

void
fixtab_fini(struct fixtab *t)
{
    if (t->map != NULL) {
        munmap(t->map, t->map_bytes);
        t->map = NULL;
    } else {
        free(t->slots);
    }
    free(t->ring);
    t->slots = NULL;
    t->ring = NULL;
    t->count = 0;
}

static uint64_t
slot_hash(const struct fixtab *t, size_t i)
{
    uint64_t h;

    memcpy(&h, t->slots + i * t->size, sizeof(h));
    return h;
}

static void
clear_slot(struct fixtab *t, size_t i)
{
    memset(t->slots + i * t->size, 0, sizeof(uint64_t));
}

/* Returns the slot holding h, or the empty slot where it would go. */
static size_t
find_slot(const struct fixtab *t, uint64_t h)
{
    size_t i = h & t->mask;

    for (;;) {
        uint64_t at = slot_hash(t, i);
        if (at == 0 || at == h) {
            return i;
        }
        i = (i + 1) & t->mask;
    }
}

/* Empties slot i and moves later entries of its probe run back. */
static void
remove_slot(struct fixtab *t, size_t i)
{
    size_t j = i;

    clear_slot(t, i);
    for (;;) {
        j = (j + 1) & t->mask;
        uint64_t h = slot_hash(t, j);
        if (h == 0) {
            return;
        }
        size_t home = h & t->mask;
        /* The entry at j may move to i when its home is not in (i, j]. */
        bool stays = i <= j ? (home > i && home <= j)
                            : (home > i || home <= j);
        if (!stays) {
            memcpy(t->slots + i * t->size, t->slots + j * t->size, t->size);
            clear_slot(t, j);
            i = j;
        }
    }
}

void *
fixtab_find(const struct fixtab *t, uint64_t h)
{
    if (t->slots == NULL) {
        return NULL;
    }

    size_t i = find_slot(t, h);
    return slot_hash(t, i) != 0 ? t->slots + i * t->size : NULL;
}

void *
fixtab_add(struct fixtab *t, uint64_t h, int *evicted)
{
    *evicted = 0;
    if (t->slots == NULL || t->max == 0) {
        return NULL;
    }

    size_t i = find_slot(t, h);
    if (slot_hash(t, i) == h) {
        return t->slots + i * t->size;
    }
    if (t->count == t->max) {
        fixtab_drop_oldest(t);
        *evicted = 1;
        i = find_slot(t, h);
    }

    unsigned char *e = t->slots + i * t->size;
    memset(e, 0, t->size);
    memcpy(e, &h, sizeof(h));
    t->ring[(t->head + t->count) % t->max] = h;
    t->count++;
    return e;
}

void
fixtab_prefetch(const struct fixtab *t, uint64_t h)
{
    if (t->slots != NULL) {
        /* For writing, since adds and counts write the entry. */
        prefetch_write(t->slots + (h & t->mask) * t->size);
    }
}

void *
fixtab_oldest(const struct fixtab *t)
{
    return t->count > 0 ? fixtab_find(t, t->ring[t->head]) : NULL;
}

void
fixtab_drop_oldest(struct fixtab *t)
{
    size_t i = find_slot(t, t->ring[t->head]);

    if (slot_hash(t, i) != 0) {
        remove_slot(t, i);
    }
    t->head = (t->head + 1) % t->max;
    t->count--;
}
