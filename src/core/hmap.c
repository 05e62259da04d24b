/* Chained hash map with copied keys and a maximum entry count. */
#include "core/hmap.h"

#include <stdlib.h>

uint64_t
hmap_hash(struct sv key)
{
    uint64_t h = 14695981039346656037ULL;

    for (size_t i = 0; i < key.len; i++) {
        h ^= (unsigned char)key.p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void
hmap_init(struct hmap *m, size_t max)
{
    m->slots = NULL;
    m->nslots = 0;
    m->count = 0;
    m->max = max;
}

void
hmap_fini(struct hmap *m)
{
    for (size_t i = 0; i < m->nslots; i++) {
        struct hmap_entry *e = m->slots[i];
        while (e != NULL) {
            struct hmap_entry *next = e->next;
            free(e);
            e = next;
        }
    }
    free(m->slots);
    hmap_init(m, m->max);
}

static struct hmap_entry **
find_link(const struct hmap *m, struct sv key, uint64_t h)
{
    if (m->nslots == 0) {
        return NULL;
    }

    struct hmap_entry **link = &m->slots[h & (m->nslots - 1)];
    while (*link != NULL) {
        struct hmap_entry *e = *link;
        if (e->hash == h && e->klen == key.len &&
            memcmp(e->key, key.p, key.len) == 0) {
            return link;
        }
        link = &e->next;
    }
    return link;
}

void *
hmap_get(const struct hmap *m, struct sv key)
{
    struct hmap_entry **link = find_link(m, key, hmap_hash(key));
    return link && *link ? (*link)->value : NULL;
}

static int
grow(struct hmap *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 64;
    struct hmap_entry **slots = calloc(n, sizeof(*slots));

    if (slots == NULL) {
        return -1;
    }
    for (size_t i = 0; i < m->nslots; i++) {
        struct hmap_entry *e = m->slots[i];
        while (e != NULL) {
            struct hmap_entry *next = e->next;
            e->next = slots[e->hash & (n - 1)];
            slots[e->hash & (n - 1)] = e;
            e = next;
        }
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
    return 0;
}

int
hmap_put(struct hmap *m, struct sv key, void *value)
{
    uint64_t h = hmap_hash(key);
    struct hmap_entry **link = find_link(m, key, h);

    if (link && *link) {
        (*link)->value = value;
        return 0;
    }
    if (m->count >= m->max) {
        return -1;
    }
    if (m->nslots == 0 || m->count + 1 > m->nslots / 4 * 3) {
        if (grow(m) < 0) {
            return -1;
        }
        link = find_link(m, key, h);
    }

    struct hmap_entry *e = malloc(sizeof(*e) + key.len);
    if (e == NULL) {
        return -1;
    }
    e->next = NULL;
    e->hash = h;
    e->value = value;
    e->klen = key.len;
    if (key.len) {
        memcpy(e->key, key.p, key.len);
    }
    *link = e;
    m->count++;
    return 0;
}

void *
hmap_del(struct hmap *m, struct sv key)
{
    struct hmap_entry **link = find_link(m, key, hmap_hash(key));

    if (link == NULL || *link == NULL) {
        return NULL;
    }

    struct hmap_entry *e = *link;
    void *value = e->value;
    *link = e->next;
    free(e);
    m->count--;
    return value;
}

void
hmap_each(const struct hmap *m, void (*fn)(void *, struct sv, void *),
          void *arg)
{
    for (size_t i = 0; i < m->nslots; i++) {
        for (struct hmap_entry *e = m->slots[i]; e != NULL; e = e->next) {
            fn(arg, sv_make(e->key, e->klen), e->value);
        }
    }
}
