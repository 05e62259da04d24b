/*
 * A hash map from byte-string keys to pointers, with a maximum entry count.
 *
 * Keys are copied; values are borrowed (the caller owns what they point
 * to).  A map made with hmap_init_keyed copies no key: its values carry
 * their own, which key_of returns, so an entry costs no allocation.
 * hmap_put fails rather than grow past the maximum, so the caller decides
 * what to evict and counts it.  The slots are one array probed in order
 * (open addressing).  Each slot keeps the entry's hash beside its pointer,
 * so a lookup reads an entry only when the hashes agree.  The array doubles
 * when three quarters full.  A map with copied keys stores a key of up to
 * HMAP_INLINE_KEY bytes and its value in the slot itself, so such an entry
 * costs no allocation and a lookup that finds it reads one slot.
 */
#ifndef SSHTRAIL_HMAP_H
#define SSHTRAIL_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sv.h"

/* An entry with a copied key. */
struct hmap_entry {
    void *value;
    size_t klen;
    char key[];
};

struct hmap_slot {
    uint64_t hash;              /* of the entry's key, mixed */
    void *item;                 /* the value (keyed map or inline key), or
                                   the hmap_entry; NULL: empty */
};

/* Key bytes a slot of a map with copied keys stores itself. */
#define HMAP_INLINE_KEY 44

/* A slot of a map with copied keys: 64 bytes, one cache line. */
struct hmap_cslot {
    struct hmap_slot head;
    uint32_t klen;              /* HMAP_LONG_KEY: item is an hmap_entry */
    char key[HMAP_INLINE_KEY];
};

#define HMAP_LONG_KEY UINT32_MAX

struct hmap {
    void *slots;                /* hmap_slot or, for copied keys,
                                   hmap_cslot array */
    size_t stride;              /* bytes per slot */
    size_t nslots;              /* 0 or a power of two */
    unsigned slot_bits;         /* log2 of nslots, when nslots > 0 */
    size_t count;
    size_t max;
    struct sv (*key_of)(const void *value);    /* NULL: keys are copied */
};

void hmap_init(struct hmap *m, size_t max);
/*
 * Makes a map whose values contain their keys: key_of(value) returns the
 * key a value was stored under, and those bytes must not change while it
 * is in the map.  hmap_put's key must equal key_of(value), and value must
 * not be NULL.
 */
void hmap_init_keyed(struct hmap *m, size_t max,
                     struct sv (*key_of)(const void *value));
/* Frees the entries and slots, not the values. */
void hmap_fini(struct hmap *m);

/* Returns the value stored under key, or NULL. */
void *hmap_get(const struct hmap *m, struct sv key);

/*
 * Stores value under key, replacing an earlier value.  Returns 0, or -1
 * when the map is full or memory ran out (nothing is stored then).
 */
int hmap_put(struct hmap *m, struct sv key, void *value);

/* Removes key; returns its value, or NULL when it was absent. */
void *hmap_del(struct hmap *m, struct sv key);

/*
 * Removes key when it maps to value, in one lookup.  Returns true when it
 * removed the entry, false when key is absent or maps to another value.
 */
bool hmap_del_value(struct hmap *m, struct sv key, const void *value);

/*
 * Returns the hash of key that the _hashed functions below take.  A caller
 * that looks a key up and then stores it, or uses one key in several
 * maps, hashes it once.  Like hmap_hash, it must not be stored.
 */
uint64_t hmap_key_hash(struct sv key);

/* hmap_get, hmap_put and hmap_del_value for a key whose hmap_key_hash is
 * hash.  Any other hash value loses the entry. */
void *hmap_get_hashed(const struct hmap *m, struct sv key, uint64_t hash);
int hmap_put_hashed(struct hmap *m, struct sv key, uint64_t hash,
                    void *value);
bool hmap_del_value_hashed(struct hmap *m, struct sv key, uint64_t hash,
                           const void *value);

/*
 * Hints that a lookup of a key whose hmap_key_hash is hash comes soon.
 * hmap_prefetch prefetches the key's first slot.  hmap_prefetch_value
 * reads that slot and, when its entry has the same hash, prefetches the
 * value, which a map of hmap_init_keyed reads to compare keys.  Call it
 * once the slot has had time to arrive.  A caller
 * that looks up several keys whose slots are likely not cached issues the
 * hints for all of them first, so the loads overlap.  Neither changes
 * the map or the result of any call.
 */
void hmap_prefetch(const struct hmap *m, uint64_t hash);
void hmap_prefetch_value(const struct hmap *m, uint64_t hash);

/* Calls fn on every entry; fn must not modify the map. */
void hmap_each(const struct hmap *m, void (*fn)(void *arg, struct sv key,
                                               void *value), void *arg);

/*
 * Returns a 64-bit hash of key, keyed by the seed of hmap_set_seed.  Its
 * values differ between seeds and between machines of other byte orders,
 * so it must not be stored.
 */
uint64_t hmap_hash(struct sv key);

/*
 * Sets the seed of every later hmap_hash, and so of every map's and fixed
 * table's hashes.  Keys come from logs an attacker can write, such as user
 * names and command lines.  With a secret random seed per run, nobody can
 * prepare keys that collide and slow the tables down.  Call it once,
 * before any table holds entries and before threads start.  The default
 * seed 0 makes hashes repeatable, for tests.
 */
void hmap_set_seed(uint64_t seed);

#endif
