/* Open-addressing hash map with copied or value-held keys and a maximum
 * entry count. */
#include "core/hmap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* One mixing step: both the xor with a fixed state and the multiply by an
 * odd constant are invertible, so two inputs that differ in one word
 * differ after the step. */
static uint64_t
mix_word(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 32);
}

/* Reads eight bytes at p in the machine's byte order. */
static uint64_t
load_word(const char *p)
{
    uint64_t w;

    memcpy(&w, p, sizeof(w));
    return w;
}

uint64_t
hmap_hash(struct sv key)
{
    uint64_t h = 0x243f6a8885a308d3ULL ^ key.len;
    size_t i = 0;

    /* Eight bytes per step: host names, addresses and the keys built from
     * them are mostly 10 to 60 bytes long. */
    for (; i + 8 <= key.len; i += 8) {
        h = mix_word(h, load_word(key.p + i));
    }
    if (i == key.len) {
        return h;
    }
    /* The last bytes: the final eight of a longer key, overlapping words
     * already mixed (the length is in h), else byte by byte. */
    if (key.len >= 8) {
        return mix_word(h, load_word(key.p + key.len - 8));
    }
    uint64_t w = 0;
    for (unsigned k = 0; k < key.len; k++) {
        w |= (uint64_t)(unsigned char)key.p[k] << (8 * k);
    }
    return mix_word(h, w);
}

/* Spreads the high bits of hmap_hash into the low ones the slot index
 * uses, so keys that differ only in their last bytes do not cluster. */
static uint64_t
slot_hash(struct sv key)
{
    uint64_t h = hmap_hash(key);

    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

void
hmap_init(struct hmap *m, size_t max)
{
    m->slots = NULL;
    m->nslots = 0;
    m->count = 0;
    m->max = max;
    m->key_of = NULL;
}

void
hmap_init_keyed(struct hmap *m, size_t max,
                struct sv (*key_of)(const void *value))
{
    hmap_init(m, max);
    m->key_of = key_of;
}

void
hmap_fini(struct hmap *m)
{
    if (m->key_of == NULL) {
        for (size_t i = 0; i < m->nslots; i++) {
            free(m->slots[i].item);
        }
    }
    free(m->slots);
    m->slots = NULL;
    m->nslots = 0;
    m->count = 0;
}

/* Returns the key of a full slot. */
static struct sv
slot_key(const struct hmap *m, const struct hmap_slot *s)
{
    if (m->key_of != NULL) {
        return m->key_of(s->item);
    }

    const struct hmap_entry *e = s->item;
    return sv_make(e->key, e->klen);
}

/* Returns the value of a full slot. */
static void *
slot_value(const struct hmap *m, const struct hmap_slot *s)
{
    if (m->key_of != NULL) {
        return s->item;
    }
    return ((const struct hmap_entry *)s->item)->value;
}

/* Returns the slot holding key, or the empty slot where it would go.  The
 * map must have slots. */
static size_t
find_slot(const struct hmap *m, struct sv key, uint64_t h)
{
    size_t mask = m->nslots - 1;
    size_t i = h & mask;

    for (;;) {
        const struct hmap_slot *s = &m->slots[i];
        if (s->item == NULL) {
            return i;
        }
        if (s->hash == h) {
            struct sv k = slot_key(m, s);
            if (k.len == key.len && memcmp(k.p, key.p, key.len) == 0) {
                return i;
            }
        }
        i = (i + 1) & mask;
    }
}

void *
hmap_get(const struct hmap *m, struct sv key)
{
    if (m->count == 0) {
        return NULL;
    }

    const struct hmap_slot *s = &m->slots[find_slot(m, key, slot_hash(key))];
    return s->item != NULL ? slot_value(m, s) : NULL;
}

static int
grow(struct hmap *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 64;
    struct hmap_slot *slots = calloc(n, sizeof(*slots));

    if (slots == NULL) {
        return -1;
    }
    for (size_t i = 0; i < m->nslots; i++) {
        if (m->slots[i].item == NULL) {
            continue;
        }
        size_t j = m->slots[i].hash & (n - 1);
        while (slots[j].item != NULL) {
            j = (j + 1) & (n - 1);
        }
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
    return 0;
}

int
hmap_put(struct hmap *m, struct sv key, void *value)
{
    uint64_t h = slot_hash(key);
    size_t i = 0;

    if (m->nslots > 0) {
        i = find_slot(m, key, h);
        struct hmap_slot *s = &m->slots[i];
        if (s->item != NULL) {
            if (m->key_of != NULL) {
                s->item = value;
            } else {
                ((struct hmap_entry *)s->item)->value = value;
            }
            return 0;
        }
    }
    if (m->count >= m->max) {
        return -1;
    }
    if (m->nslots == 0 || m->count + 1 > m->nslots / 4 * 3) {
        if (grow(m) < 0) {
            return -1;
        }
        /* Growing rehashes every entry, so the empty slot is found again. */
        i = find_slot(m, key, h);
    }

    void *item = value;
    if (m->key_of == NULL) {
        struct hmap_entry *e = malloc(sizeof(*e) + key.len);
        if (e == NULL) {
            return -1;
        }
        e->value = value;
        e->klen = key.len;
        if (key.len) {
            memcpy(e->key, key.p, key.len);
        }
        item = e;
    }

    m->slots[i].hash = h;
    m->slots[i].item = item;
    m->count++;
    return 0;
}

/* Empties slot i and moves later entries of its probe run back, so every
 * entry stays reachable from its home slot without gaps. */
static void
remove_slot(struct hmap *m, size_t i)
{
    size_t mask = m->nslots - 1;
    size_t j = i;

    m->slots[i].item = NULL;
    for (;;) {
        j = (j + 1) & mask;
        if (m->slots[j].item == NULL) {
            return;
        }
        size_t home = m->slots[j].hash & mask;
        /* The entry at j may move to i when its home is not in (i, j]. */
        bool stays = i <= j ? (home > i && home <= j)
                            : (home > i || home <= j);
        if (!stays) {
            m->slots[i] = m->slots[j];
            m->slots[j].item = NULL;
            i = j;
        }
    }
}

void *
hmap_del(struct hmap *m, struct sv key)
{
    if (m->count == 0) {
        return NULL;
    }

    size_t i = find_slot(m, key, slot_hash(key));
    struct hmap_slot *s = &m->slots[i];
    if (s->item == NULL) {
        return NULL;
    }

    void *value = slot_value(m, s);
    if (m->key_of == NULL) {
        free(s->item);
    }
    remove_slot(m, i);
    m->count--;
    return value;
}

bool
hmap_del_value(struct hmap *m, struct sv key, const void *value)
{
    if (m->count == 0) {
        return false;
    }

    size_t i = find_slot(m, key, slot_hash(key));
    struct hmap_slot *s = &m->slots[i];
    if (s->item == NULL || slot_value(m, s) != value) {
        return false;
    }
    if (m->key_of == NULL) {
        free(s->item);
    }
    remove_slot(m, i);
    m->count--;
    return true;
}

void
hmap_each(const struct hmap *m, void (*fn)(void *, struct sv, void *),
          void *arg)
{
    for (size_t i = 0; i < m->nslots; i++) {
        const struct hmap_slot *s = &m->slots[i];
        if (s->item != NULL) {
            fn(arg, slot_key(m, s), slot_value(m, s));
        }
    }
}
