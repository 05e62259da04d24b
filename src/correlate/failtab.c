/* Fixed-size table of failure counts; see failtab.h. */
#include "correlate/failtab.h"

struct failtab_slot {
    uint64_t hash;
    struct failure_count count;
};

int
failtab_init(struct failtab *t, size_t max)
{
    return fixtab_init(&t->tab, max, sizeof(struct failtab_slot));
}

void
failtab_fini(struct failtab *t)
{
    fixtab_fini(&t->tab);
}

struct failure_count *
failtab_get(const struct failtab *t, struct sv host, struct sv addr)
{
    struct failtab_slot *e = fixtab_find(&t->tab, fixtab_hash_pair(host, addr));

    return e != NULL ? &e->count : NULL;
}

struct failure_count *
failtab_add(struct failtab *t, struct sv host, struct sv addr,
            int *evicted)
{
    struct failtab_slot *e =
        fixtab_add(&t->tab, fixtab_hash_pair(host, addr), evicted);

    return e != NULL ? &e->count : NULL;
}

size_t
failtab_drop_stale(struct failtab *t,
                   bool (*is_stale)(const struct failure_count *f, void *arg),
                   void *arg)
{
    size_t dropped = 0;
    struct failtab_slot *e;

    while ((e = fixtab_oldest(&t->tab)) != NULL && is_stale(&e->count, arg)) {
        fixtab_drop_oldest(&t->tab);
        dropped++;
    }
    return dropped;
}
