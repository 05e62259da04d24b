/*
 * Bounded map with first-in first-out eviction.  The ring keeps the keys in
 * insertion order; a key put again keeps its first position.
 */
#include "core/fifomap.h"

#include <stdlib.h>

int
fifomap_init(struct fifomap *m, size_t max, void (*free_value)(void *))
{
    if (max == 0) {
        max = 1;
    }
    hmap_init(&m->map, max);
    m->ring = calloc(max, sizeof(*m->ring));
    m->ring_len = calloc(max, sizeof(*m->ring_len));
    m->head = 0;
    m->count = 0;
    m->max = max;
    m->free_value = free_value;
    return m->ring && m->ring_len ? 0 : -1;
}

static void
drop_entry(struct fifomap *m, struct sv key)
{
    void *v = hmap_del(&m->map, key);
    if (v != NULL && m->free_value != NULL) {
        m->free_value(v);
    }
}

void
fifomap_fini(struct fifomap *m)
{
    for (size_t i = 0; i < m->count; i++) {
        size_t slot = (m->head + i) % m->max;
        drop_entry(m, sv_make(m->ring[slot], m->ring_len[slot]));
        free(m->ring[slot]);
    }
    hmap_fini(&m->map);
    free(m->ring);
    free(m->ring_len);
    m->ring = NULL;
    m->ring_len = NULL;
    m->count = 0;
}

void *
fifomap_get(const struct fifomap *m, struct sv key)
{
    return hmap_get(&m->map, key);
}

int
fifomap_put(struct fifomap *m, struct sv key, void *value)
{
    int evicted = 0;
    uint64_t hash = hmap_key_hash(key);
    void *old = hmap_get_hashed(&m->map, key, hash);

    if (old != NULL) {
        if (old != value && m->free_value != NULL) {
            m->free_value(old);
        }
        hmap_put_hashed(&m->map, key, hash, value);
        return 0;
    }
    if (m->count == m->max) {
        drop_entry(m, sv_make(m->ring[m->head], m->ring_len[m->head]));
        free(m->ring[m->head]);
        m->head = (m->head + 1) % m->max;
        m->count--;
        evicted = 1;
    }

    char *copy = malloc(key.len ? key.len : 1);
    if (copy == NULL || hmap_put_hashed(&m->map, key, hash, value) < 0) {
        free(copy);
        if (m->free_value != NULL) {
            m->free_value(value);
        }
        return -1;
    }
    memcpy(copy, key.p, key.len);
    size_t slot = (m->head + m->count) % m->max;
    m->ring[slot] = copy;
    m->ring_len[slot] = key.len;
    m->count++;
    return evicted;
}

size_t
fifomap_drop_stale(struct fifomap *m,
                   bool (*is_stale)(const void *value, void *arg), void *arg)
{
    size_t dropped = 0;

    while (m->count > 0) {
        struct sv key = sv_make(m->ring[m->head], m->ring_len[m->head]);
        uint64_t hash = hmap_key_hash(key);
        void *value = hmap_get_hashed(&m->map, key, hash);
        if (value != NULL && !is_stale(value, arg)) {
            break;
        }
        /* The entry found is the one to remove, so the key is hashed
         * once. */
        if (value != NULL) {
            (void)hmap_del_value_hashed(&m->map, key, hash, value);
            if (m->free_value != NULL) {
                m->free_value(value);
            }
        }
        free(m->ring[m->head]);
        m->head = (m->head + 1) % m->max;
        m->count--;
        dropped++;
    }
    return dropped;
}
