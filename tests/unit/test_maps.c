/*
 * Unit tests for the bounded hash map and the first-in first-out map:
 * storage, replacement, the entry maximum, eviction order and the freeing
 * of owned values.
 */
#include "core/fifomap.h"
#include "core/hmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcheck.h"

static int freed_count;
static int freed_ids[64];

/* A value that records its id when the map frees it. */
struct tracked {
    int id;
};

static struct tracked *
tracked_new(int id)
{
    struct tracked *t = malloc(sizeof(*t));
    t->id = id;
    return t;
}

static void
tracked_free(void *p)
{
    struct tracked *t = p;

    if (freed_count < 64) {
        freed_ids[freed_count] = t->id;
    }
    freed_count++;
    free(t);
}

static struct sv
key_of(char *tmp, size_t cap, int i)
{
    int n = snprintf(tmp, cap, "key-%d", i);
    return sv_make(tmp, (size_t)n);
}

static void
hmap_put_get_del(void)
{
    struct hmap m;
    int a = 1, b = 2;

    hmap_init(&m, 10);
    CHECK(hmap_get(&m, SV_LIT("a")) == NULL);
    CHECK(hmap_del(&m, SV_LIT("a")) == NULL);
    CHECK_INT(hmap_put(&m, SV_LIT("a"), &a), 0);
    CHECK_INT(hmap_put(&m, SV_LIT("b"), &b), 0);
    CHECK(hmap_get(&m, SV_LIT("a")) == &a);
    CHECK(hmap_get(&m, SV_LIT("b")) == &b);
    CHECK(hmap_get(&m, SV_LIT("ab")) == NULL);
    CHECK_INT(m.count, 2);
    CHECK(hmap_del(&m, SV_LIT("a")) == &a);
    CHECK(hmap_get(&m, SV_LIT("a")) == NULL);
    CHECK(hmap_del(&m, SV_LIT("a")) == NULL);
    CHECK_INT(m.count, 1);
    hmap_fini(&m);
    CHECK_INT(m.count, 0);
    CHECK(hmap_get(&m, SV_LIT("b")) == NULL);
}

static void
hmap_keys_are_bytes(void)
{
    struct hmap m;
    int a = 1, b = 2, c = 3;
    char buf[] = "mutable";

    hmap_init(&m, 10);
    CHECK_INT(hmap_put(&m, sv_make("x\0y", 3), &a), 0);
    CHECK_INT(hmap_put(&m, sv_make("x\0z", 3), &b), 0);
    CHECK_INT(hmap_put(&m, SV_LIT(""), &c), 0);
    CHECK(hmap_get(&m, sv_make("x\0y", 3)) == &a);
    CHECK(hmap_get(&m, sv_make("x\0z", 3)) == &b);
    CHECK(hmap_get(&m, SV_LIT("x")) == NULL);
    CHECK(hmap_get(&m, SV_LIT("")) == &c);

    /* The map keeps its own copy of the key. */
    CHECK_INT(hmap_put(&m, sv_cstr(buf), &a), 0);
    buf[0] = 'M';
    CHECK(hmap_get(&m, SV_LIT("mutable")) == &a);
    CHECK(hmap_get(&m, SV_LIT("Mutable")) == NULL);
    hmap_fini(&m);
}

static void
hmap_replace_keeps_count(void)
{
    struct hmap m;
    int a = 1, b = 2;

    hmap_init(&m, 1);
    CHECK_INT(hmap_put(&m, SV_LIT("k"), &a), 0);
    /* Replacing works even when the map is full. */
    CHECK_INT(hmap_put(&m, SV_LIT("k"), &b), 0);
    CHECK(hmap_get(&m, SV_LIT("k")) == &b);
    CHECK_INT(m.count, 1);
    hmap_fini(&m);
}

static void
hmap_full_rejects_new_keys(void)
{
    struct hmap m;
    char tmp[32];
    int v = 0;

    hmap_init(&m, 3);
    for (int i = 0; i < 3; i++) {
        CHECK_INT(hmap_put(&m, key_of(tmp, sizeof(tmp), i), &v), 0);
    }
    CHECK_INT(hmap_put(&m, SV_LIT("one more"), &v), -1);
    CHECK(hmap_get(&m, SV_LIT("one more")) == NULL);
    CHECK_INT(m.count, 3);
    /* Deleting makes room again. */
    CHECK(hmap_del(&m, key_of(tmp, sizeof(tmp), 1)) == &v);
    CHECK_INT(hmap_put(&m, SV_LIT("one more"), &v), 0);
    hmap_fini(&m);

    hmap_init(&m, 0);
    CHECK_INT(hmap_put(&m, SV_LIT("k"), &v), -1);
    hmap_fini(&m);
}

static void
count_entry(void *arg, struct sv key, void *value)
{
    int *seen = arg;
    int i = (int)(intptr_t)value;
    char tmp[32];

    if (sv_eq(key, key_of(tmp, sizeof(tmp), i)) && seen[i] == 0) {
        seen[i] = 1;
    } else {
        seen[i] = 2;
    }
}

/* 50000 keys force many rehashes; every key survives with its value. */
static void
hmap_many_keys_rehash(void)
{
    enum { COUNT = 50000 };
    static int seen[COUNT];
    struct hmap m;
    char tmp[32];
    int bad = 0;

    hmap_init(&m, COUNT);
    for (int i = 0; i < COUNT; i++) {
        if (hmap_put(&m, key_of(tmp, sizeof(tmp), i),
                     (void *)(intptr_t)i) != 0) {
            bad++;
        }
    }
    CHECK_INT(bad, 0);
    CHECK_INT(m.count, COUNT);
    CHECK_INT(hmap_put(&m, SV_LIT("over"), NULL), -1);
    for (int i = 0; i < COUNT; i++) {
        if (hmap_get(&m, key_of(tmp, sizeof(tmp), i)) !=
            (void *)(intptr_t)i) {
            bad++;
        }
    }
    CHECK_INT(bad, 0);

    hmap_each(&m, count_entry, seen);
    for (int i = 0; i < COUNT; i++) {
        bad += seen[i] != 1;
    }
    CHECK_INT(bad, 0);

    /* Delete the even keys; the odd ones stay reachable. */
    for (int i = 0; i < COUNT; i += 2) {
        if (hmap_del(&m, key_of(tmp, sizeof(tmp), i)) !=
            (void *)(intptr_t)i) {
            bad++;
        }
    }
    for (int i = 0; i < COUNT; i++) {
        void *want = i % 2 ? (void *)(intptr_t)i : NULL;
        if (hmap_get(&m, key_of(tmp, sizeof(tmp), i)) != want) {
            bad++;
        }
    }
    CHECK_INT(bad, 0);
    CHECK_INT(m.count, COUNT / 2);
    hmap_fini(&m);
}

/* A value that contains its own key, for the keyed maps. */
struct keyed_item {
    int id;
    size_t len;
    char key[24];
    int visits;
};

static struct sv
keyed_item_key(const void *value)
{
    const struct keyed_item *it = value;

    return sv_make(it->key, it->len);
}

static void
visit_item(void *arg, struct sv key, void *value)
{
    struct keyed_item *it = value;

    *(int *)arg += !sv_eq(key, keyed_item_key(it));
    it->visits++;
}

/* A keyed map finds, replaces, walks and deletes values by the keys they
 * hold, through rehashes and backward-shift deletion, and frees none. */
static void
hmap_keyed_values(void)
{
    enum { COUNT = 20000 };
    struct keyed_item *items = calloc(COUNT + 1, sizeof(*items));
    struct hmap m;
    int bad = 0;

    CHECK(items != NULL);
    if (items == NULL) {
        return;
    }
    hmap_init_keyed(&m, COUNT, keyed_item_key);
    for (int i = 0; i <= COUNT; i++) {
        items[i].id = i;
        items[i].len = (size_t)snprintf(items[i].key, sizeof(items[i].key),
                                        "10.%d.%d\x1fh", i / 256, i % 256);
    }
    for (int i = 0; i < COUNT; i++) {
        bad += hmap_put(&m, keyed_item_key(&items[i]), &items[i]) != 0;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(m.count, COUNT);
    CHECK_INT(hmap_put(&m, keyed_item_key(&items[COUNT]), &items[COUNT]), -1);

    hmap_each(&m, visit_item, &bad);
    for (int i = 0; i < COUNT; i++) {
        bad += items[i].visits != 1;
    }
    CHECK_INT(bad, 0);

    /* Replacing a value under the same key keeps the count. */
    struct keyed_item twin = items[7];
    CHECK_INT(hmap_put(&m, keyed_item_key(&twin), &twin), 0);
    CHECK(hmap_get(&m, keyed_item_key(&items[7])) == &twin);
    CHECK_INT(m.count, COUNT);
    CHECK_INT(hmap_put(&m, keyed_item_key(&items[7]), &items[7]), 0);

    for (int i = 0; i < COUNT; i += 3) {
        bad += hmap_del(&m, keyed_item_key(&items[i])) != &items[i];
    }
    for (int i = 0; i < COUNT; i++) {
        void *want = i % 3 ? &items[i] : NULL;
        bad += hmap_get(&m, keyed_item_key(&items[i])) != want;
    }
    CHECK_INT(bad, 0);
    CHECK(hmap_del(&m, SV_LIT("absent")) == NULL);
    hmap_fini(&m);
    /* The values are the caller's: still readable after hmap_fini. */
    CHECK_INT(items[COUNT - 1].id, COUNT - 1);
    free(items);
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Distinct keys of the shapes the tables hold (addresses, host and user
 * pairs, every length from 0 to 40) get distinct hashes. */
static void
hmap_hash_distinct(void)
{
    enum { KEYS = 60000 };
    uint64_t *seen = malloc(KEYS * sizeof(*seen));
    char key[64];
    size_t n = 0;

    CHECK(seen != NULL);
    if (seen == NULL) {
        return;
    }
    for (int i = 0; i < 50000; i++) {
        int len = snprintf(key, sizeof(key), "198.%d.%d.%d\x1fweb%02d",
                           i / 65536, i / 256 % 256, i % 256, i % 40);
        seen[n++] = hmap_hash(sv_make(key, (size_t)len));
    }
    memset(key, 'a', sizeof(key));
    for (size_t len = 0; len <= 40; len++) {
        seen[n++] = hmap_hash(sv_make(key, len));
    }
    /* A key and the same key with a NUL appended. */
    seen[n++] = hmap_hash(sv_make("ab\0", 3));
    seen[n++] = hmap_hash(sv_make("ab", 2));

    size_t dup = 0;
    qsort(seen, n, sizeof(*seen), cmp_u64);
    for (size_t i = 1; i < n; i++) {
        dup += seen[i] == seen[i - 1];
    }
    CHECK_INT(dup, 0);
    CHECK(hmap_hash(SV_LIT("foobar")) == hmap_hash(SV_LIT("foobar")));
    free(seen);
}

/* The seed changes every hash, and a map keyed under a seed stores and
 * finds its keys as under the default. */
static void
hmap_seed_changes_hashes(void)
{
    struct sv key = SV_LIT("web01\x1f" "alice");
    uint64_t plain = hmap_hash(key);
    struct hmap m;
    int value = 7;

    hmap_set_seed(0x0123456789abcdefULL);
    CHECK(hmap_hash(key) != plain);
    CHECK(hmap_hash(key) == hmap_hash(key));
    hmap_init(&m, 100);
    CHECK_INT(hmap_put(&m, key, &value), 0);
    CHECK(hmap_get(&m, key) == &value);
    CHECK(hmap_get(&m, SV_LIT("web01\x1f" "bob")) == NULL);
    hmap_fini(&m);
    hmap_set_seed(0);
    CHECK(hmap_hash(key) == plain);
}

/*
 * Flipping the top bit of a key's first word changes a multiply-and-shift
 * state in bits 63 and 31 only, whatever the state.  Flipping those bits
 * of the second word as well would undo that, so the two keys would
 * collide under every seed.  The hash must keep them apart.
 */
static void
hmap_hash_top_bit_pairs(void)
{
    static const uint64_t seeds[] = { 0, 1, 0x9e3779b97f4a7c15ULL,
                                      UINT64_MAX };
    char a[24] = "abcdefghijklmnopqrstuvw";

    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        hmap_set_seed(seeds[i]);
        for (size_t len = 16; len <= 23; len++) {
            char b[24];
            memcpy(b, a, sizeof(b));
            b[7] ^= (char)0x80;
            b[11] ^= (char)0x80;
            b[15] ^= (char)0x80;
            CHECK(hmap_hash(sv_make(a, len)) != hmap_hash(sv_make(b, len)));
        }
    }
    hmap_set_seed(0);
}

/* Fills key with len bytes made from the number i.  A key of 6 bytes or
 * more starts with i in 6 digits, so such keys of one length differ. */
static struct sv
sized_key(char *key, size_t len, int i)
{
    for (size_t k = 0; k < len; k++) {
        key[k] = (char)('a' + (k + (size_t)i) % 26);
    }
    if (len >= 6) {
        snprintf(key, 7, "%06d", i);
        key[6] = '-';
    }
    return sv_make(key, len);
}

/* Keys just below, at and above the bytes a slot stores itself, with
 * values replaced by NULL and back, stay found under their full bytes. */
static void
hmap_inline_key_limit(void)
{
    static const size_t lens[] = {
        0, 1, HMAP_INLINE_KEY - 1, HMAP_INLINE_KEY, HMAP_INLINE_KEY + 1,
        100,
    };
    enum { NLENS = sizeof(lens) / sizeof(lens[0]) };
    char key[128];
    char other[128];
    int vals[NLENS];
    struct hmap m;

    hmap_init(&m, 100);
    for (int i = 0; i < NLENS; i++) {
        CHECK_INT(hmap_put(&m, sized_key(key, lens[i], i), &vals[i]), 0);
    }
    CHECK_INT(m.count, NLENS);
    for (int i = 0; i < NLENS; i++) {
        CHECK(hmap_get(&m, sized_key(key, lens[i], i)) == &vals[i]);
    }

    /* A key that differs from a stored one only in its last byte is
     * another key, at each length around the limit. */
    for (int i = 1; i < NLENS; i++) {
        sized_key(other, lens[i], i);
        other[lens[i] - 1] ^= 0x20;
        CHECK(hmap_get(&m, sv_make(other, lens[i])) == NULL);
    }
    /* So is a stored key cut one byte shorter. */
    sized_key(key, HMAP_INLINE_KEY + 1, 4);
    CHECK(hmap_get(&m, sv_make(key, HMAP_INLINE_KEY)) == NULL);
    sized_key(key, HMAP_INLINE_KEY, 3);
    CHECK(hmap_get(&m, sv_make(key, HMAP_INLINE_KEY - 1)) == NULL);

    /* A NULL value keeps the entry, so the count stays.  Deleting it
     * returns NULL and lowers the count. */
    for (int i = 0; i < NLENS; i++) {
        CHECK_INT(hmap_put(&m, sized_key(key, lens[i], i), NULL), 0);
        CHECK(hmap_get(&m, sized_key(key, lens[i], i)) == NULL);
    }
    CHECK_INT(m.count, NLENS);
    for (int i = 0; i < NLENS; i++) {
        CHECK_INT(hmap_put(&m, sized_key(key, lens[i], i), &vals[i]), 0);
    }
    CHECK_INT(m.count, NLENS);
    for (int i = 0; i < NLENS; i++) {
        CHECK(hmap_get(&m, sized_key(key, lens[i], i)) == &vals[i]);
    }
    CHECK_INT(hmap_put(&m, sized_key(key, lens[2], 2), NULL), 0);
    CHECK(hmap_del(&m, sized_key(key, lens[2], 2)) == NULL);
    CHECK_INT(m.count, NLENS - 1);
    CHECK(hmap_del(&m, sized_key(key, lens[3], 3)) == &vals[3]);
    CHECK(hmap_del(&m, sized_key(key, lens[4], 4)) == &vals[4]);
    CHECK_INT(m.count, NLENS - 3);
    CHECK(hmap_get(&m, sized_key(key, lens[5], 5)) == &vals[5]);
    hmap_fini(&m);
}

/* A new key gets a NULL value at the in-slot limit and below it. */
static void
hmap_null_value_new_key(void)
{
    char key[128];
    struct hmap m;
    int a = 1;

    hmap_init(&m, 10);
    CHECK_INT(hmap_put(&m, sized_key(key, HMAP_INLINE_KEY, 1), NULL), 0);
    CHECK_INT(hmap_put(&m, sized_key(key, 3, 2), NULL), 0);
    CHECK_INT(m.count, 2);
    CHECK(hmap_get(&m, sized_key(key, HMAP_INLINE_KEY, 1)) == NULL);
    CHECK_INT(hmap_put(&m, sized_key(key, 3, 2), &a), 0);
    CHECK(hmap_get(&m, sized_key(key, 3, 2)) == &a);
    CHECK_INT(m.count, 2);
    CHECK(hmap_del_value(&m, sized_key(key, HMAP_INLINE_KEY, 1), NULL));
    CHECK_INT(m.count, 1);
    hmap_fini(&m);
}

/* hmap_del_value removes a key only while it maps to the given value. */
static void
hmap_del_value_cases(void)
{
    char key[128];
    struct hmap m;
    int a = 1, b = 2;

    hmap_init(&m, 10);
    CHECK(!hmap_del_value(&m, SV_LIT("k"), &a));
    CHECK(!hmap_del_value(&m, SV_LIT("k"), NULL));
    for (int i = 0; i < 3; i++) {
        size_t len = HMAP_INLINE_KEY - 1 + (size_t)i;
        CHECK_INT(hmap_put(&m, sized_key(key, len, i), &a), 0);
    }
    for (int i = 0; i < 3; i++) {
        size_t len = HMAP_INLINE_KEY - 1 + (size_t)i;
        CHECK(!hmap_del_value(&m, sized_key(key, len, i), &b));
        CHECK(!hmap_del_value(&m, sized_key(key, len, i), NULL));
        CHECK(hmap_get(&m, sized_key(key, len, i)) == &a);
    }
    CHECK_INT(m.count, 3);
    for (int i = 0; i < 3; i++) {
        size_t len = HMAP_INLINE_KEY - 1 + (size_t)i;
        CHECK(hmap_del_value(&m, sized_key(key, len, i), &a));
        CHECK(hmap_get(&m, sized_key(key, len, i)) == NULL);
        CHECK(!hmap_del_value(&m, sized_key(key, len, i), &a));
    }
    CHECK_INT(m.count, 0);
    CHECK(!hmap_del_value(&m, SV_LIT("k"), &a));

    /* A keyed map compares the value the same way. */
    struct keyed_item it = {.id = 1, .len = 2, .key = "ab"};
    struct keyed_item twin = it;
    hmap_fini(&m);
    hmap_init_keyed(&m, 10, keyed_item_key);
    CHECK_INT(hmap_put(&m, keyed_item_key(&it), &it), 0);
    CHECK(!hmap_del_value(&m, keyed_item_key(&twin), &twin));
    CHECK(hmap_del_value(&m, keyed_item_key(&twin), &it));
    CHECK_INT(m.count, 0);
    hmap_fini(&m);
}

/* The _hashed functions with hmap_key_hash agree with the plain ones, for
 * copied and value-held keys. */
static void
hmap_hashed_calls(void)
{
    char key[128];
    struct hmap m;
    int a = 1, b = 2;

    hmap_init(&m, 100);
    for (int i = 0; i < 60; i++) {
        struct sv k = sized_key(key, 20 + (size_t)i, i);
        CHECK_INT(hmap_put_hashed(&m, k, hmap_key_hash(k), &a), 0);
    }
    for (int i = 0; i < 60; i++) {
        struct sv k = sized_key(key, 20 + (size_t)i, i);
        CHECK(hmap_get(&m, k) == &a);
        CHECK(hmap_get_hashed(&m, k, hmap_key_hash(k)) == &a);
    }
    struct sv k = sized_key(key, 30, 10);
    CHECK_INT(hmap_put(&m, k, &b), 0);
    CHECK(hmap_get_hashed(&m, k, hmap_key_hash(k)) == &b);
    CHECK(!hmap_del_value_hashed(&m, k, hmap_key_hash(k), &a));
    CHECK(hmap_del_value_hashed(&m, k, hmap_key_hash(k), &b));
    CHECK(hmap_get(&m, k) == NULL);
    CHECK_INT(m.count, 59);
    hmap_fini(&m);

    struct keyed_item it = {.id = 1, .len = 5, .key = "host1"};
    hmap_init_keyed(&m, 10, keyed_item_key);
    k = keyed_item_key(&it);
    CHECK_INT(hmap_put_hashed(&m, k, hmap_key_hash(k), &it), 0);
    CHECK(hmap_get(&m, SV_LIT("host1")) == &it);
    CHECK(hmap_del_value_hashed(&m, SV_LIT("host1"),
                                hmap_key_hash(SV_LIT("host1")), &it));
    CHECK_INT(m.count, 0);
    hmap_fini(&m);
}

/* A small generator with fixed output on every platform. */
static uint32_t
lcg_next(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*state >> 33);
}

enum { MODEL_KEYS = 600 };

/* The reference model: key i is present with value values[i]. */
struct model {
    bool present[MODEL_KEYS];
    void *values[MODEL_KEYS];
    size_t lens[MODEL_KEYS];
    int seen[MODEL_KEYS];
    size_t count;
};

static void
model_visit(void *arg, struct sv key, void *value)
{
    struct model *md = arg;
    char want[128];

    for (int i = 0; i < MODEL_KEYS; i++) {
        if (md->lens[i] == key.len &&
            sv_eq(key, sized_key(want, md->lens[i], i))) {
            md->seen[i] += md->present[i] && md->values[i] == value ? 1 : 100;
            return;
        }
    }
}

/* Compares every key of the map with the model and counts mismatches. */
static int
model_compare(const struct hmap *m, struct model *md)
{
    char key[128];
    int bad = m->count != md->count;

    for (int i = 0; i < MODEL_KEYS; i++) {
        void *want = md->present[i] ? md->values[i] : NULL;
        bad += hmap_get(m, sized_key(key, md->lens[i], i)) != want;
        md->seen[i] = 0;
    }
    hmap_each(m, model_visit, md);
    for (int i = 0; i < MODEL_KEYS; i++) {
        bad += md->seen[i] != (md->present[i] ? 1 : 0);
    }
    return bad;
}

/* Runs random puts (some with NULL values), deletes and deletes by value
 * on distinct keys of 6 to 90 bytes, most near the in-slot limit.  Through
 * growth and a full map, the map agrees with the model every 500 steps. */
static void
hmap_matches_reference_model(void)
{
    enum { STEPS = 60000, MAX = 400 };
    static struct model md;
    static int vals[8];
    uint64_t rng = 42;
    char key[128];
    struct hmap m;
    int bad = 0;
    int full = 0;

    memset(&md, 0, sizeof(md));
    for (int i = 0; i < MODEL_KEYS; i++) {
        uint32_t r = lcg_next(&rng);
        md.lens[i] = r % 2 ? HMAP_INLINE_KEY - 2 + r / 2 % 5 : 6 + r / 2 % 85;
    }
    hmap_init(&m, MAX);
    for (int step = 0; step < STEPS; step++) {
        uint32_t r = lcg_next(&rng);
        int i = (int)(r % MODEL_KEYS);
        uint32_t op = r / MODEL_KEYS % 8;
        uint32_t v = r / MODEL_KEYS / 8 % 9;
        void *value = v == 8 ? NULL : &vals[v];
        struct sv k = sized_key(key, md.lens[i], i);

        if (op < 4) {
            int rc = hmap_put(&m, k, value);
            if (!md.present[i] && md.count >= MAX) {
                bad += rc != -1;
                full++;
            } else {
                bad += rc != 0;
                md.count += !md.present[i];
                md.present[i] = true;
                md.values[i] = value;
            }
        } else if (op < 6) {
            void *got = hmap_del(&m, k);
            bad += got != (md.present[i] ? md.values[i] : NULL);
            md.count -= md.present[i];
            md.present[i] = false;
        } else {
            bool hit = md.present[i] && md.values[i] == value;
            bad += hmap_del_value(&m, k, value) != hit;
            if (hit) {
                md.present[i] = false;
                md.count--;
            }
        }
        if (step % 500 == 499) {
            bad += model_compare(&m, &md);
        }
    }
    CHECK_INT(bad, 0);
    CHECK(full > 0);
    CHECK(m.nslots >= 512);
    hmap_fini(&m);
}

static void
fifomap_put_get_replace(void)
{
    struct fifomap m;

    freed_count = 0;
    CHECK_INT(fifomap_init(&m, 4, tracked_free), 0);
    CHECK(fifomap_get(&m, SV_LIT("a")) == NULL);
    CHECK_INT(fifomap_put(&m, SV_LIT("a"), tracked_new(1)), 0);
    CHECK_INT(fifomap_put(&m, SV_LIT("b"), tracked_new(2)), 0);
    struct tracked *t = fifomap_get(&m, SV_LIT("a"));
    CHECK(t != NULL && t->id == 1);

    /* Replacing frees the old value and adds no entry. */
    CHECK_INT(fifomap_put(&m, SV_LIT("a"), tracked_new(3)), 0);
    CHECK_INT(freed_count, 1);
    CHECK_INT(freed_ids[0], 1);
    t = fifomap_get(&m, SV_LIT("a"));
    CHECK(t != NULL && t->id == 3);
    CHECK_INT(m.count, 2);

    /* Putting the same pointer again must not free it. */
    CHECK_INT(fifomap_put(&m, SV_LIT("a"), t), 0);
    CHECK_INT(freed_count, 1);
    CHECK(fifomap_get(&m, SV_LIT("a")) == t);

    fifomap_fini(&m);
    CHECK_INT(freed_count, 3);
}

static void
fifomap_evicts_oldest(void)
{
    struct fifomap m;
    char tmp[32];

    freed_count = 0;
    CHECK_INT(fifomap_init(&m, 3, tracked_free), 0);
    for (int i = 0; i < 3; i++) {
        CHECK_INT(fifomap_put(&m, key_of(tmp, sizeof(tmp), i),
                              tracked_new(i)), 0);
    }
    CHECK_INT(freed_count, 0);

    /* The fourth key evicts key-0 and frees its value. */
    CHECK_INT(fifomap_put(&m, key_of(tmp, sizeof(tmp), 3), tracked_new(3)),
              1);
    CHECK_INT(freed_count, 1);
    CHECK_INT(freed_ids[0], 0);
    CHECK(fifomap_get(&m, key_of(tmp, sizeof(tmp), 0)) == NULL);
    for (int i = 1; i <= 3; i++) {
        struct tracked *t = fifomap_get(&m, key_of(tmp, sizeof(tmp), i));
        CHECK(t != NULL && t->id == i);
    }

    /* Replacing key-1 does not make it younger: it is evicted next. */
    CHECK_INT(fifomap_put(&m, key_of(tmp, sizeof(tmp), 1), tracked_new(11)),
              0);
    CHECK_INT(fifomap_put(&m, key_of(tmp, sizeof(tmp), 4), tracked_new(4)),
              1);
    CHECK(fifomap_get(&m, key_of(tmp, sizeof(tmp), 1)) == NULL);
    CHECK_INT(freed_count, 3);
    CHECK_INT(freed_ids[1], 1);
    CHECK_INT(freed_ids[2], 11);
    CHECK_INT(m.count, 3);

    fifomap_fini(&m);
    CHECK_INT(freed_count, 6);
}

/* Many more keys than room: the map keeps exactly the newest max keys. */
static void
fifomap_many_keys_wrap(void)
{
    enum { MAX = 1000, COUNT = 25000 };
    struct fifomap m;
    char tmp[32];
    int evictions = 0;
    int bad = 0;

    freed_count = 0;
    CHECK_INT(fifomap_init(&m, MAX, tracked_free), 0);
    for (int i = 0; i < COUNT; i++) {
        int rc = fifomap_put(&m, key_of(tmp, sizeof(tmp), i),
                             tracked_new(i));
        if (rc < 0) {
            bad++;
        }
        evictions += rc > 0;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(evictions, COUNT - MAX);
    CHECK_INT(freed_count, COUNT - MAX);
    CHECK_INT(m.count, MAX);
    for (int i = 0; i < COUNT; i++) {
        struct tracked *t = fifomap_get(&m, key_of(tmp, sizeof(tmp), i));
        bool want = i >= COUNT - MAX;
        if ((t != NULL) != want || (t != NULL && t->id != i)) {
            bad++;
        }
    }
    CHECK_INT(bad, 0);
    fifomap_fini(&m);
    CHECK_INT(freed_count, COUNT);
}

static bool
id_below(const void *value, void *arg)
{
    return ((const struct tracked *)value)->id < *(int *)arg;
}

/* drop_stale removes entries from the oldest on while they are stale,
 * frees their values, and stops at the first fresh one. */
static void
fifomap_drop_stale_oldest(void)
{
    struct fifomap m;
    char tmp[32];
    int limit = 3;

    freed_count = 0;
    CHECK_INT(fifomap_init(&m, 10, tracked_free), 0);
    for (int i = 0; i < 6; i++) {
        CHECK_INT(fifomap_put(&m, key_of(tmp, sizeof(tmp), i),
                              tracked_new(i)), 0);
    }
    /* key-1 is put again with a fresh value but keeps its place. */
    CHECK_INT(fifomap_put(&m, key_of(tmp, sizeof(tmp), 1), tracked_new(9)),
              0);
    CHECK_INT(freed_count, 1);

    CHECK_INT(fifomap_drop_stale(&m, id_below, &limit), 1);
    CHECK_INT(freed_count, 2);
    CHECK_INT(freed_ids[1], 0);
    CHECK(fifomap_get(&m, key_of(tmp, sizeof(tmp), 0)) == NULL);
    CHECK(fifomap_get(&m, key_of(tmp, sizeof(tmp), 1)) != NULL);
    CHECK_INT(m.count, 5);

    limit = 100;
    CHECK_INT(fifomap_drop_stale(&m, id_below, &limit), 5);
    CHECK_INT(m.count, 0);
    CHECK_INT(m.map.count, 0);
    CHECK_INT(freed_count, 7);
    CHECK_INT(fifomap_drop_stale(&m, id_below, &limit), 0);

    /* The map takes new keys after it was emptied. */
    CHECK_INT(fifomap_put(&m, SV_LIT("again"), tracked_new(1)), 0);
    CHECK(fifomap_get(&m, SV_LIT("again")) != NULL);
    fifomap_fini(&m);
    CHECK_INT(freed_count, 8);
}

/* Without a free function the caller keeps ownership of the values. */
static void
fifomap_borrowed_values(void)
{
    struct fifomap m;
    int a = 1, b = 2;

    CHECK_INT(fifomap_init(&m, 1, NULL), 0);
    CHECK_INT(fifomap_put(&m, SV_LIT("a"), &a), 0);
    CHECK_INT(fifomap_put(&m, SV_LIT("b"), &b), 1);
    CHECK(fifomap_get(&m, SV_LIT("a")) == NULL);
    CHECK(fifomap_get(&m, SV_LIT("b")) == &b);
    fifomap_fini(&m);
}

int
main(void)
{
    TEST_RUN("hmap", hmap_put_get_del);
    TEST_RUN("hmap", hmap_keys_are_bytes);
    TEST_RUN("hmap", hmap_replace_keeps_count);
    TEST_RUN("hmap", hmap_full_rejects_new_keys);
    TEST_RUN("hmap", hmap_many_keys_rehash);
    TEST_RUN("hmap", hmap_hash_distinct);
    TEST_RUN("hmap", hmap_keyed_values);
    TEST_RUN("hmap", hmap_inline_key_limit);
    TEST_RUN("hmap", hmap_null_value_new_key);
    TEST_RUN("hmap", hmap_del_value_cases);
    TEST_RUN("hmap", hmap_matches_reference_model);
    TEST_RUN("hmap", hmap_hashed_calls);
    TEST_RUN("fifomap", fifomap_put_get_replace);
    TEST_RUN("fifomap", fifomap_evicts_oldest);
    TEST_RUN("fifomap", fifomap_many_keys_wrap);
    TEST_RUN("fifomap", fifomap_borrowed_values);
    TEST_RUN("fifomap", fifomap_drop_stale_oldest);
    TEST_RUN("hmap", hmap_seed_changes_hashes);
    TEST_RUN("hmap", hmap_hash_top_bit_pairs);
    TEST_EXIT();
}
