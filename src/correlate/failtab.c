/* Fixed-size table of failure counts; see failtab.h. */
#include "correlate/failtab.h"

#include <string.h>

struct failtab_slot {
    uint64_t hash;
    struct failure_count count;
};

int
failtab_init(struct failtab *t, size_t max, int64_t span_ms)
{
    t->span_ms = span_ms;
    t->nqueued = 0;
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

/* Adds note's failure to its pair's counts.  Returns 1 when a pair was
 * evicted to make room, else 0. */
static uint64_t
apply_note(struct failtab *t, const struct failure_note *note)
{
    int evicted;
    struct failtab_slot *e = fixtab_add(&t->tab, note->hash, &evicted);

    if (e == NULL) {
        return 0;
    }

    struct failure_count *f = &e->count;
    if (f->sshd + f->audit + f->invalid_users == 0 ||
        event_time_ms(&note->time) - event_time_ms(&f->last) > t->span_ms) {
        /* New counts, or counts older than the span: start again. */
        memset(f, 0, sizeof(*f));
        f->first = note->time;
    }
    switch (note->source) {
    case FAILURE_SSHD:
        f->sshd++;
        break;
    case FAILURE_AUDIT:
        f->audit++;
        break;
    case FAILURE_INVALID_USER:
        f->invalid_users++;
        break;
    }
    f->last = note->time;
    return (uint64_t)evicted;
}

uint64_t
failtab_flush(struct failtab *t)
{
    uint64_t evicted = 0;

    for (unsigned i = 0; i < t->nqueued; i++) {
        evicted += apply_note(t, &t->queue[i]);
    }
    t->nqueued = 0;
    return evicted;
}

uint64_t
failtab_count(struct failtab *t, struct sv host, struct sv addr,
              const struct event_time *time, enum failure_source source)
{
    uint64_t evicted = 0;

    if (t->nqueued == FAILTAB_QUEUE) {
        evicted = failtab_flush(t);
    }

    uint64_t h = fixtab_hash_pair(host, addr);
    fixtab_prefetch(&t->tab, h);
    t->queue[t->nqueued++] = (struct failure_note){ h, *time, source };
    return evicted;
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
