/*
 * A bounded map that evicts its oldest insertion when full.  Used for state
 * that may be forgotten under pressure, such as failure counters per source
 * address: the eviction is counted by the caller through the return value.
 * Values are owned by the map when a free function is given.
 */
#ifndef SSHTRAIL_FIFOMAP_H
#define SSHTRAIL_FIFOMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/hmap.h"

struct fifomap {
    struct hmap map;
    char **ring;            /* key copies, oldest at head */
    size_t *ring_len;
    size_t head;
    size_t count;
    size_t max;
    void (*free_value)(void *value);
};

/* Prepares a map of at most max entries (a max of 0 is taken as 1). */
int fifomap_init(struct fifomap *m, size_t max, void (*free_value)(void *));
void fifomap_fini(struct fifomap *m);

void *fifomap_get(const struct fifomap *m, struct sv key);

/*
 * Stores value (not NULL) under key.  A key already present keeps its slot
 * and gets the new value; otherwise, when the map is full, the oldest entry
 * is removed first.  Returns the number of entries evicted (0 or 1), or -1
 * when memory ran out (the value is then freed).
 */
int fifomap_put(struct fifomap *m, struct sv key, void *value);

/*
 * Removes entries from the oldest on while is_stale(value, arg) returns
 * true, and returns how many were removed.  This is a cheap ageing pass
 * for maps whose values carry their own time.
 */
size_t fifomap_drop_stale(struct fifomap *m,
                          bool (*is_stale)(const void *value, void *arg),
                          void *arg);

#endif
