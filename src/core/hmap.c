/* Open-addressing hash map with copied or value-held keys and a maximum
 * entry count. */
#include "core/hmap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"

/* The secret every hash starts from (hmap_set_seed). */
static uint64_t hash_seed;

void
hmap_set_seed(uint64_t seed)
{
    hash_seed = seed;
}

/*
 * One mixing step: the full 128-bit product of the state xor the word with
 * an odd constant, folded to 64 bits.  A 64-bit product would carry a
 * change of a word's top bit into the state as the same change whatever
 * the state, so a second word could cancel it and two keys would collide
 * under every seed.  The folded high half makes the change depend on the
 * state, which depends on the seed.
 */
static uint64_t
mix_word(uint64_t h, uint64_t w)
{
    unsigned __int128 p = (unsigned __int128)(h ^ w) * 0x9e3779b97f4a7c15ULL;

    return (uint64_t)p ^ (uint64_t)(p >> 64);
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
    uint64_t h = (0x243f6a8885a308d3ULL ^ hash_seed) + key.len;
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

uint64_t
hmap_key_hash(struct sv key)
{
    return hmap_hash(key);
}

/*
 * Returns the first slot to probe for hash h in a table of 2^bits slots:
 * the top bits of h.  The last multiply of hmap_hash carries every key
 * byte into them.  The low bits miss the high bytes of the last word, so
 * keys that differ only there would cluster.
 */
static size_t
home_slot(uint64_t h, unsigned bits)
{
    return (size_t)(h >> (64 - bits));
}

void
hmap_init(struct hmap *m, size_t max)
{
    m->slots = NULL;
    m->stride = sizeof(struct hmap_cslot);
    m->nslots = 0;
    m->slot_bits = 0;
    m->count = 0;
    m->max = max;
    m->key_of = NULL;
}

void
hmap_init_keyed(struct hmap *m, size_t max,
                struct sv (*key_of)(const void *value))
{
    hmap_init(m, max);
    m->stride = sizeof(struct hmap_slot);
    m->key_of = key_of;
}

_Static_assert(sizeof(struct hmap_cslot) == 64,
               "a copied-key slot fills one cache line");

/* Returns slot i.  Every slot starts with a struct hmap_slot. */
static struct hmap_slot *
slot_at(const struct hmap *m, size_t i)
{
    return (struct hmap_slot *)((char *)m->slots + i * m->stride);
}

/* Returns the copied-key slot whose head is s. */
static struct hmap_cslot *
cslot_of(const struct hmap_slot *s)
{
    return (struct hmap_cslot *)s;
}

/* Returns true when s, a slot of a map with copied keys, points at an
 * hmap_entry rather than at the value. */
static bool
slot_has_entry(const struct hmap_slot *s)
{
    return cslot_of(s)->klen == HMAP_LONG_KEY;
}

void
hmap_fini(struct hmap *m)
{
    if (m->key_of == NULL) {
        for (size_t i = 0; i < m->nslots; i++) {
            struct hmap_slot *s = slot_at(m, i);
            if (s->item != NULL && slot_has_entry(s)) {
                free(s->item);
            }
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
    if (!slot_has_entry(s)) {
        return sv_make(cslot_of(s)->key, cslot_of(s)->klen);
    }

    const struct hmap_entry *e = s->item;
    return sv_make(e->key, e->klen);
}

/* Returns the value of a full slot. */
static void *
slot_value(const struct hmap *m, const struct hmap_slot *s)
{
    if (m->key_of != NULL || !slot_has_entry(s)) {
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
    size_t i = home_slot(h, m->slot_bits);

    for (;;) {
        const struct hmap_slot *s = slot_at(m, i);
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
hmap_get_hashed(const struct hmap *m, struct sv key, uint64_t hash)
{
    if (m->count == 0) {
        return NULL;
    }

    const struct hmap_slot *s = slot_at(m, find_slot(m, key, hash));
    return s->item != NULL ? slot_value(m, s) : NULL;
}

void *
hmap_get(const struct hmap *m, struct sv key)
{
    if (m->count == 0) {
        return NULL;
    }
    return hmap_get_hashed(m, key, hmap_key_hash(key));
}

void
hmap_prefetch(const struct hmap *m, uint64_t hash)
{
    if (m->nslots > 0) {
        prefetch_read(slot_at(m, home_slot(hash, m->slot_bits)));
    }
}

void
hmap_prefetch_value(const struct hmap *m, uint64_t hash)
{
    if (m->nslots == 0) {
        return;
    }

    const struct hmap_slot *s = slot_at(m, home_slot(hash, m->slot_bits));
    if (s->item != NULL && s->hash == hash) {
        prefetch_read(s->item);
    }
}

static int
grow(struct hmap *m)
{
    /* 64 slots first, then twice as many each time. */
    unsigned bits = m->nslots ? m->slot_bits + 1 : 6;
    size_t n = (size_t)1 << bits;
    /* Copied-key slots are one cache line each when the array starts on
     * a line. */
    void *slots = aligned_alloc(64, n * m->stride);

    if (slots == NULL) {
        return -1;
    }
    memset(slots, 0, n * m->stride);
    for (size_t i = 0; i < m->nslots; i++) {
        const struct hmap_slot *from = slot_at(m, i);
        if (from->item == NULL) {
            continue;
        }
        size_t j = home_slot(from->hash, bits);
        while (((struct hmap_slot *)((char *)slots + j * m->stride))->item !=
               NULL) {
            j = (j + 1) & (n - 1);
        }
        memcpy((char *)slots + j * m->stride, from, m->stride);
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
    m->slot_bits = bits;
    return 0;
}

/*
 * Stores key and value in the empty slot s of a map with copied keys: in
 * the slot when the key fits and the value is not NULL (NULL marks an
 * empty slot), else in a new hmap_entry.  Returns -1 when memory ran out.
 */
static int
fill_cslot(struct hmap_slot *s, struct sv key, void *value)
{
    struct hmap_cslot *cs = cslot_of(s);

    if (key.len <= HMAP_INLINE_KEY && value != NULL) {
        cs->klen = (uint32_t)key.len;
        if (key.len > 0) {
            memcpy(cs->key, key.p, key.len);
        }
        s->item = value;
        return 0;
    }

    struct hmap_entry *e = malloc(sizeof(*e) + key.len);
    if (e == NULL) {
        return -1;
    }
    e->value = value;
    e->klen = key.len;
    if (key.len > 0) {
        memcpy(e->key, key.p, key.len);
    }
    cs->klen = HMAP_LONG_KEY;
    s->item = e;
    return 0;
}

int
hmap_put(struct hmap *m, struct sv key, void *value)
{
    return hmap_put_hashed(m, key, hmap_key_hash(key), value);
}

int
hmap_put_hashed(struct hmap *m, struct sv key, uint64_t h, void *value)
{
    size_t i = 0;

    if (m->nslots > 0) {
        i = find_slot(m, key, h);
        struct hmap_slot *s = slot_at(m, i);
        if (s->item != NULL) {
            if (m->key_of != NULL) {
                s->item = value;
            } else if (slot_has_entry(s)) {
                ((struct hmap_entry *)s->item)->value = value;
            } else if (value != NULL) {
                s->item = value;
            } else {
                /* A NULL value cannot stay in the slot: it would read as
                 * empty.  The key moves to an entry. */
                struct hmap_cslot *cs = cslot_of(s);
                struct sv k = sv_make(cs->key, cs->klen);
                char copy[HMAP_INLINE_KEY];
                memcpy(copy, k.p, k.len);
                if (fill_cslot(s, sv_make(copy, k.len), NULL) < 0) {
                    return -1;
                }
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

    struct hmap_slot *s = slot_at(m, i);
    if (m->key_of == NULL) {
        if (fill_cslot(s, key, value) < 0) {
            return -1;
        }
    } else {
        s->item = value;
    }
    s->hash = h;
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

    slot_at(m, i)->item = NULL;
    for (;;) {
        j = (j + 1) & mask;
        struct hmap_slot *sj = slot_at(m, j);
        if (sj->item == NULL) {
            return;
        }
        size_t home = home_slot(sj->hash, m->slot_bits);
        /* The entry at j may move to i when its home is not in (i, j]. */
        bool stays = i <= j ? (home > i && home <= j)
                            : (home > i || home <= j);
        if (!stays) {
            memcpy(slot_at(m, i), sj, m->stride);
            sj->item = NULL;
            i = j;
        }
    }
}

/* Frees the hmap_entry of slot i, if it has one, and empties the slot. */
static void
drop_slot(struct hmap *m, size_t i)
{
    struct hmap_slot *s = slot_at(m, i);

    if (m->key_of == NULL && slot_has_entry(s)) {
        free(s->item);
    }
    remove_slot(m, i);
    m->count--;
}

void *
hmap_del(struct hmap *m, struct sv key)
{
    if (m->count == 0) {
        return NULL;
    }

    size_t i = find_slot(m, key, hmap_key_hash(key));
    struct hmap_slot *s = slot_at(m, i);
    if (s->item == NULL) {
        return NULL;
    }

    void *value = slot_value(m, s);
    drop_slot(m, i);
    return value;
}

bool
hmap_del_value(struct hmap *m, struct sv key, const void *value)
{
    if (m->count == 0) {
        return false;
    }
    return hmap_del_value_hashed(m, key, hmap_key_hash(key), value);
}

bool
hmap_del_value_hashed(struct hmap *m, struct sv key, uint64_t hash,
                      const void *value)
{
    if (m->count == 0) {
        return false;
    }

    size_t i = find_slot(m, key, hash);
    struct hmap_slot *s = slot_at(m, i);
    if (s->item == NULL || slot_value(m, s) != value) {
        return false;
    }
    drop_slot(m, i);
    return true;
}

void
hmap_each(const struct hmap *m, void (*fn)(void *, struct sv, void *),
          void *arg)
{
    for (size_t i = 0; i < m->nslots; i++) {
        const struct hmap_slot *s = slot_at(m, i);
        if (s->item != NULL) {
            fn(arg, slot_key(m, s), slot_value(m, s));
        }
    }
}
