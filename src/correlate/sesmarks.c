/* Fixed-size table of audit session marks; see sesmarks.h. */
#include "correlate/sesmarks.h"

struct sesmark_slot {
    uint64_t hash;
    uint8_t mark;
};

int
sesmarks_init(struct sesmarks *m, size_t max)
{
    return fixtab_init(&m->tab, max, sizeof(struct sesmark_slot));
}

void
sesmarks_fini(struct sesmarks *m)
{
    fixtab_fini(&m->tab);
}

uint8_t
sesmarks_get(const struct sesmarks *m, struct sv key)
{
    const struct sesmark_slot *e = fixtab_find(&m->tab, fixtab_hash(key));

    return e != NULL ? e->mark : 0;
}

int
sesmarks_put(struct sesmarks *m, struct sv key, uint8_t mark)
{
    int evicted;
    struct sesmark_slot *e = fixtab_add(&m->tab, fixtab_hash(key), &evicted);

    if (e != NULL) {
        e->mark = mark;
    }
    return evicted;
}
