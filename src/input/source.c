/*
 * An input read line by line through its format, with format detection on
 * the first lines, a bounded reorder buffer (a few queues of events in
 * time order and a min-heap for the others), and optional reading in a
 * pool of worker threads shared by the inputs.
 */
#include "input/source.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/linereader.h"

/* Lines read before choosing a format, and the bytes after which no more
 * are read (the line that crosses it is kept whole). */
#define DETECT_LINES 64
#define DETECT_BYTES (256u * 1024u)

struct held_event {
    struct event ev;
    uint64_t seq;
};

/*
 * One entry of the reorder buffer.  The sort key is kept beside the event
 * so ordering never touches the event itself.  The event is either a held
 * event (h, when size is 0) or the event of a packed record of size bytes
 * in a run's chunk queue (rec).
 */
/*
 * An event of a kind the caller reads only for its kind and time
 * (opts.needs.time_only) is held as its slot alone, which keeps these
 * fields beside the time.
 */
struct brief_event {
    uint8_t kind;
    uint8_t result;
    int8_t digits;                      /* of the time's fraction */
};

_Static_assert(EVENT_KIND_COUNT <= 64,
               "opts.needs has one bit per kind");

struct slot {
    int64_t sec;
    int32_t nsec;
    /* Bytes of rec, with SLOT_SOURCE_ONLY set for a source record; 0 for
     * h; SLOT_TIME_ONLY for brief. */
    uint32_t size;
    uint64_t seq;
    union {
        struct held_event *h;
        const struct event *rec;
        struct brief_event brief;
    };
};

/* The size of an entry that keeps only what time_only_event needs. */
#define SLOT_TIME_ONLY UINT32_MAX
/* Marks the size of a record that is a struct source_record. */
#define SLOT_SOURCE_ONLY 0x80000000u

/*
 * The record of an event of a kind in opts.needs.source_only, in place of
 * a packed event: the fields source_only_event needs, followed by the
 * event's bytes.  It takes about 80 bytes where a packed event of an sshd
 * failure takes 350.  The reorder buffer contains tens of thousands of
 * records, so the smaller form keeps more of them in the caches.
 */
struct source_record {
    uint64_t line;                      /* of the origin */
    uint32_t str_set;                   /* bits of the three fields */
    uint8_t kind;
    uint8_t result;
    int8_t digits;                      /* of the time's fraction */
    bool truncated;
    uint32_t used;                      /* bytes after the record */
    struct event_ref str[3];            /* offsets into those bytes */
};

/* The fields a source record keeps, in the order of its str. */
static const enum event_str source_fields[3] = {
    EVENT_HOST, EVENT_PROGRAM, EVENT_SRC_IP
};

/*
 * Events of a run are packed one after another into chunks.  A run's
 * events leave in the order they came, so its chunks form a queue, and the
 * events the consumer reads next sit in contiguous memory.
 */
#define CHUNK_BYTES (64u * 1024u)

struct chunk {
    struct chunk *next;
    size_t used;                        /* bytes written */
    size_t head;                        /* bytes already read */
    uint64_t data[CHUNK_BYTES / 8];     /* records are 8-byte aligned */
};

/*
 * A run: events in time order, oldest first, as slots in a ring and
 * records in a chunk queue.  Inputs often interleave a few such runs, for
 * example hosts whose clocks differ, or stamps with and without fractions
 * of a second.  The buffer keeps RUNS of them and uses the heap only for
 * events that fit none.
 */
#define RUNS 4

struct run {
    struct slot *ring;
    uint32_t head;
    uint32_t len;
    uint32_t cap;                       /* a power of two */
    struct chunk *first;                /* the oldest packed records */
    struct chunk *last;                 /* where records are added */
    /* The newest slot's time, while len > 0. */
    int64_t back_sec;
    int32_t back_nsec;
};

/* Values of source.front besides a run's index. */
#define FRONT_HEAP (-1)
#define FRONT_UNKNOWN (-2)

/* Freed entries kept for reuse. */
#define SPARE_MAX 4096u
/* A threaded hand-over: at most BATCH_EVENTS packed records in a block of
 * BATCH_BYTES (larger only for one record that needs more), and at most
 * BATCH_COUNT batches per input. */
#define BATCH_EVENTS 1024u
#define BATCH_BYTES (128u * 1024u)
#define BATCH_COUNT 8u
/* Host spellings remembered with their canonical form, in sets of
 * HOST_WAYS entries. */
#define HOST_CACHE 256u
#define HOST_WAYS 4u

/*
 * Events handed from the thread that fills a batch to the consumer: packed
 * records (event_pack) one after another in one block, which changes
 * hands whole, so the two threads never share an event.
 */
struct batch {
    uint64_t *data;             /* records are 8-byte aligned */
    size_t cap;                 /* bytes of data */
    size_t used;
    uint32_t size[BATCH_EVENTS];        /* each record's bytes, in order */
    uint32_t n;
    bool last;                  /* the input ends after this batch */
    struct event_time newest;   /* of the last record, when n > 0 */
};

/* A bounded queue of batches guarded by the source's mutex. */
struct batch_queue {
    struct batch *b[BATCH_COUNT];
    uint32_t head;
    uint32_t len;
};

/*
 * A reading thread and the inputs it reads.  Its lock guards their batch
 * queues, and its condition variable signals every change to them.
 */
struct pool_worker {
    struct source_pool *pool;
    pthread_t thread;
    bool started;
    bool stopping;                      /* source_pool_free: exit */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct source **srcs;
    size_t nsrcs;
    size_t cap;
};

struct source_pool {
    struct pool_worker *workers;
    unsigned nworkers;
    unsigned next;                      /* the worker of the next input */
    bool started;
};

/* Fields that a lookup compares first come first, beside the key. */
struct host_memo {
    uint64_t key;               /* host_key of given */
    uint8_t given_len;
    uint8_t canon_len;
    bool as_given;              /* canon equals given */
    char given[64];
    char canon[64];
};

struct source {
    char *name;
    struct line_provider provider;      /* next is NULL for file inputs */
    uint64_t provider_line;             /* entries the provider returned */
    int fd;
    bool own_fd;
    struct linereader reader;
    const struct format_ops *format;
    void *state;
    struct source_opts opts;
    struct event_sink sink;             /* the format's sink, hold_event */
    struct source_stats stats;
    bool eof;
    char error[512];                    /* a read error, or empty */

    /* Lines read during detection, replayed before the rest. */
    char *detect_buf;
    struct sv detect_lines[DETECT_LINES];
    bool detect_truncated[DETECT_LINES];
    int ndetect;
    int next_detect;

    /*
     * The reorder buffer.  An event joins the run whose newest event is the
     * latest one not after it, and an event older than every run's newest
     * goes to a min-heap.  The next event out is the oldest of the fronts
     * (by time, then arrival), so the order equals that of a single heap.
     */
    struct run runs[RUNS];
    uint32_t nheld_runs;                /* events in all runs */
    /* The indexes of the runs that hold events, the run with the latest
     * newest event (by time, then arrival) first. */
    uint8_t live[RUNS];
    uint32_t nlive;
    /*
     * The entry reorder_front found, kept until an entry leaves: front is
     * a run's index, FRONT_HEAP or FRONT_UNKNOWN.  front_sec and
     * front_nsec are its time, or INT64_MIN seconds while unknown.
     */
    int front;
    int64_t front_sec;
    int32_t front_nsec;
    struct slot *heap;
    uint32_t nheap;
    uint32_t heap_cap;
    struct chunk *free_chunk;           /* one emptied chunk kept */
    struct held_event **spare;          /* freed entries kept for reuse */
    uint32_t nspare;
    uint64_t next_seq;
    struct event_time newest;
    bool has_newest;
    struct held_event *head;            /* popped, not yet consumed */
    /*
     * Or, unthreaded, the popped event is the event of a packed record,
     * read in place.  It stays at the front of view_run's chunk queue until
     * source_pop.
     */
    const struct event *view;
    struct run *view_run;
    uint32_t view_size;

    struct host_memo hosts[HOST_CACHE];

    /*
     * Threaded reading (opts.pool): a worker of the pool fills batches.
     * threaded, cons, w and caller_diag do not change while the threads
     * run, and the consumer reads them for every event, so they come
     * before the fields that change.  The worker's lock guards the queues
     * and the flags, and own_diag belongs to the thread that fills a batch.
     */
    bool threaded;
    struct consumer *cons;              /* the consumer's own state */
    struct pool_worker *w;
    struct diag *caller_diag;
    bool filled_last;                   /* the last batch is handed over */
    bool busy;                          /* a thread is filling a batch */
    struct batch_queue full;            /* to the consumer */
    struct batch_queue empty;           /* back from it, for reuse */
    struct event_time horizon;          /* newest event handed over */
    struct diag own_diag;               /* merged at the end of input */

    /* The popped event of a SLOT_TIME_ONLY entry (see time_only_event). */
    struct event brief_ev;
    /* The popped event of a source record (see source_only_event).  Its
     * bytes point into the record, so it is never passed to event_fini. */
    struct event source_ev;
};

/* Canonicalises a host with the caller's rule, else the built-in one. */
static size_t
canonicalise(const struct source *s, struct sv given, char *out, size_t cap)
{
    if (s->opts.canonical_host != NULL) {
        return s->opts.canonical_host(s->opts.canonical_arg, given, out, cap);
    }
    return source_canonical_host(given, out, cap);
}

/* Returns the 8 bytes at p as a number in the machine's byte order. */
static uint64_t
load8(const char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

/* Returns the 4 bytes at p as a number in the machine's byte order. */
static uint32_t
load4(const char *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

/*
 * Returns the cache key of a host spelling of 1 to 63 bytes.  Spellings of
 * one length under 8 bytes have distinct keys, made of the first and the
 * last 4 bytes (which overlap below 8 bytes), or below 4 bytes of the
 * first, middle and last byte.  A longer spelling is keyed by its first
 * and last 8 bytes, because host names seldom differ only in their middle.
 */
static uint64_t
host_key(struct sv given)
{
    const char *p = given.p;
    size_t n = given.len;

    if (n >= 8) {
        return load8(p) ^ load8(p + n - 8) * 0xff51afd7ed558ccdu;
    }
    if (n >= 4) {
        return load4(p) | (uint64_t)load4(p + n - 4) << 32;
    }
    return (uint64_t)(unsigned char)p[0] |
           (uint64_t)(unsigned char)p[n / 2] << 8 |
           (uint64_t)(unsigned char)p[n - 1] << 16;
}

/* Returns whether the memo's spelling is given, whose key is key. */
static bool
host_memo_is(const struct host_memo *m, struct sv given, uint64_t key)
{
    size_t n = given.len;

    if (m->key != key || m->given_len != n) {
        return false;
    }
    if (n < 8) {
        return true;
    }
    /* Whole words, then the last 8 bytes, which may overlap the last
     * word compared. */
    for (size_t i = 0; i + 8 <= n; i += 8) {
        if (load8(m->given + i) != load8(given.p + i)) {
            return false;
        }
    }
    return load8(m->given + n - 8) == load8(given.p + n - 8);
}

/*
 * Returns the canonical form of host given, through a cache of recent
 * spellings in sets chosen by a hash of the spelling.  A new spelling
 * takes the first entry of its set and moves the others down one, so the
 * last one leaves.  The view is of the cache or of out (cap bytes), valid
 * until the next call.  Sets *as_given when it equals given.
 */
static struct sv
canonical_host_cached(struct source *s, struct sv given, char *out,
                      size_t cap, bool *as_given)
{
    struct sv canon;

    if (given.len == 0 || given.len >= sizeof(s->hosts[0].given)) {
        canon = sv_make(out, canonicalise(s, given, out, cap));
        *as_given = sv_eq(canon, given);
        return canon;
    }

    uint64_t key = host_key(given);
    /* The top bits of the product mix every bit of the key and the
     * length. */
    uint64_t set = ((key ^ given.len) * 0x9e3779b97f4a7c15u >> 56) %
                   (HOST_CACHE / HOST_WAYS);
    struct host_memo *m = &s->hosts[set * HOST_WAYS];
    for (uint32_t i = 0; i < HOST_WAYS; i++) {
        if (host_memo_is(&m[i], given, key)) {
            *as_given = m[i].as_given;
            return sv_make(m[i].canon, m[i].canon_len);
        }
    }

    canon = sv_make(out, canonicalise(s, given, out, cap));
    *as_given = sv_eq(canon, given);
    if (canon.len < sizeof(m->canon)) {
        memmove(&m[1], &m[0], (HOST_WAYS - 1) * sizeof(*m));
        memcpy(m->given, given.p, given.len);
        m->given_len = (uint8_t)given.len;
        m->key = key;
        memcpy(m->canon, canon.p, canon.len);
        m->canon_len = (uint8_t)canon.len;
        m->as_given = *as_given;
    }
    return canon;
}

size_t
source_canonical_host(struct sv host, char *out, size_t cap)
{
    char tmp[64];
    unsigned char addr[16];
    size_t n = host.len < cap ? host.len : cap;

    for (size_t i = 0; i < n; i++) {
        out[i] = (char)tolower((unsigned char)host.p[i]);
    }
    if (n < sizeof(tmp)) {
        memcpy(tmp, out, n);
        tmp[n] = '\0';
        if (inet_pton(AF_INET, tmp, addr) == 1 ||
            inet_pton(AF_INET6, tmp, addr) == 1) {
            return n;
        }
    }

    /* A name that starts with a digit-only label is left whole. */
    ptrdiff_t dot = sv_find_char(sv_make(out, n), '.');
    if (dot > 0) {
        n = (size_t)dot;
    }
    return n;
}

/* ---- reorder buffer ---------------------------------------------------- */

static bool
slot_before(const struct slot *a, const struct slot *b)
{
    if (a->sec != b->sec) {
        return a->sec < b->sec;
    }
    if (a->nsec != b->nsec) {
        return a->nsec < b->nsec;
    }
    return a->seq < b->seq;
}

static uint32_t
pending(const struct source *s)
{
    return s->nheld_runs + s->nheap;
}

static void
heap_push(struct source *s, struct slot x)
{
    uint32_t i = s->nheap++;

    while (i > 0 && slot_before(&x, &s->heap[(i - 1) / 2])) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = x;
}

static struct slot
heap_pop(struct source *s)
{
    struct slot top = s->heap[0];
    struct slot last = s->heap[--s->nheap];
    uint32_t i = 0;

    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= s->nheap) {
            break;
        }
        if (child + 1 < s->nheap &&
            slot_before(&s->heap[child + 1], &s->heap[child])) {
            child++;
        }
        if (!slot_before(&s->heap[child], &last)) {
            break;
        }
        s->heap[i] = s->heap[child];
        i = child;
    }
    if (s->nheap > 0) {
        s->heap[i] = last;
    }
    return top;
}

/* Makes room for one more entry in the heap.  Returns -1 when memory runs
 * out. */
static int
heap_reserve(struct source *s)
{
    if (s->nheap == s->heap_cap) {
        uint32_t cap = s->heap_cap ? s->heap_cap * 2 : 256;
        struct slot *grown = realloc(s->heap, cap * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        s->heap = grown;
        s->heap_cap = cap;
    }
    return 0;
}

/* Makes room for one more slot in run r.  Returns -1 when memory runs
 * out. */
static int
run_reserve(struct run *r)
{
    if (r->len < r->cap) {
        return 0;
    }

    uint32_t cap = r->cap ? r->cap * 2 : 256;
    struct slot *grown = malloc(cap * sizeof(*grown));
    if (grown == NULL) {
        return -1;
    }
    for (uint32_t i = 0; i < r->len; i++) {
        grown[i] = r->ring[(r->head + i) & (r->cap - 1)];
    }
    free(r->ring);
    r->ring = grown;
    r->cap = cap;
    r->head = 0;
    return 0;
}

/*
 * Returns the run an event of time t joins: of the runs whose newest event
 * is not after t, the one with the latest newest, else an empty run.
 * Returns NULL when t is older than every run's newest and no run is empty.
 */
static struct run *
choose_run(struct source *s, const struct event_time *t)
{
    for (uint32_t k = 0; k < s->nlive; k++) {
        struct run *r = &s->runs[s->live[k]];
        if (t->sec > r->back_sec ||
            (t->sec == r->back_sec && t->nsec >= r->back_nsec)) {
            return r;
        }
    }
    if (s->nlive == RUNS) {
        return NULL;
    }
    for (int i = 0; i < RUNS; i++) {
        if (s->runs[i].len == 0) {
            return &s->runs[i];
        }
    }
    return NULL;
}

/* Returns the slot after the newest of run r, which has room for it. */
static struct slot *
run_next_slot(struct run *r)
{
    return &r->ring[(r->head + r->len) & (r->cap - 1)];
}

/*
 * Appends the slot run_next_slot returned, now filled, to run r, which
 * choose_run returned for its time.  The runs before r in s->live have
 * newest events later than it, and those after it not later than r's old
 * newest, so r keeps its place there.  An empty run takes the last place,
 * because every run's newest is later than the slot.
 */
static void
run_push(struct source *s, struct run *r)
{
    const struct slot *x = run_next_slot(r);

    if (r->len == 0) {
        s->live[s->nlive++] = (uint8_t)(r - s->runs);
    }
    r->back_sec = x->sec;
    r->back_nsec = x->nsec;
    r->len++;
    s->nheld_runs++;
}

/* Takes run r, which has just become empty, out of s->live. */
static void
run_retire(struct source *s, struct run *r)
{
    uint32_t k = 0;

    while (s->live[k] != (uint8_t)(r - s->runs)) {
        k++;
    }
    for (; k + 1 < s->nlive; k++) {
        s->live[k] = s->live[k + 1];
    }
    s->nlive--;
}

/* Clears the entry reorder_front keeps, so its next call searches. */
static void
front_forget(struct source *s)
{
    s->front = FRONT_UNKNOWN;
    s->front_sec = INT64_MIN;
    s->front_nsec = 0;
}

/* Returns the oldest held entry without removing it, and sets *from to its
 * run (NULL for the heap); pending(s) > 0. */
static const struct slot *
reorder_front(struct source *s, struct run **from)
{
    if (s->front == FRONT_HEAP) {
        *from = NULL;
        return &s->heap[0];
    }
    if (s->front != FRONT_UNKNOWN) {
        *from = &s->runs[s->front];
        return &(*from)->ring[(*from)->head];
    }

    const struct slot *best = s->nheap > 0 ? &s->heap[0] : NULL;
    int front = FRONT_HEAP;
    for (uint32_t k = 0; k < s->nlive; k++) {
        const struct run *r = &s->runs[s->live[k]];
        const struct slot *head = &r->ring[r->head];
        if (best == NULL || slot_before(head, best)) {
            best = head;
            front = s->live[k];
        }
    }
    s->front = front;
    s->front_sec = best->sec;
    s->front_nsec = best->nsec;
    *from = front == FRONT_HEAP ? NULL : &s->runs[front];
    return best;
}

/*
 * Returns room for a record of need bytes (a multiple of 8) at the end of
 * run r's chunk queue, or NULL when need is larger than a chunk or memory
 * runs out.
 */
static inline void *
chunk_reserve(struct source *s, struct run *r, size_t need)
{
    if (need > CHUNK_BYTES) {
        return NULL;
    }
    if (r->last == NULL || r->last->used + need > CHUNK_BYTES) {
        struct chunk *c = s->free_chunk;
        if (c != NULL) {
            s->free_chunk = NULL;
        } else if ((c = malloc(sizeof(*c))) == NULL) {
            return NULL;
        }
        c->next = NULL;
        c->used = 0;
        c->head = 0;
        if (r->last != NULL) {
            r->last->next = c;
        } else {
            r->first = c;
        }
        r->last = c;
    }

    char *rec = (char *)r->last->data + r->last->used;
    r->last->used += need;
    return rec;
}

/*
 * Packs ev (with host in place of its own when host.p is set) at the end
 * of run r's chunk queue.  Returns the record's event and sets *size, or
 * returns NULL when the record is larger than a chunk or memory runs out.
 */
static const struct event *
chunk_add(struct source *s, struct run *r, const struct event *ev,
          struct sv host, uint32_t *size)
{
    size_t need = event_pack_size(ev, host);
    void *rec = chunk_reserve(s, r, need);

    if (rec == NULL) {
        return NULL;
    }
    *size = (uint32_t)need;
    return event_pack(ev, host, rec);
}

/*
 * Writes a source record of ev (with host in place of its own when host.p
 * is set) at the end of run r's chunk queue.  The record keeps all of ev's
 * bytes, so the fields keep their offsets, and host follows them.  Returns
 * the record and sets *size, with SLOT_SOURCE_ONLY, or returns NULL as
 * chunk_add does.
 */
static const struct event *
chunk_add_source(struct source *s, struct run *r, const struct event *ev,
                 struct sv host, uint32_t *size)
{
    size_t need = sizeof(struct source_record) + ev->used +
                  (host.p != NULL ? host.len : 0);

    need = (need + 7) & ~(size_t)7;
    struct source_record *rec = chunk_reserve(s, r, need);
    if (rec == NULL) {
        return NULL;
    }
    char *bytes = (char *)(rec + 1);
    rec->line = ev->origin.line;
    rec->str_set = 0;
    rec->kind = (uint8_t)ev->kind;
    rec->result = (uint8_t)ev->result;
    rec->digits = ev->time.digits;
    rec->truncated = ev->truncated;
    rec->used = ev->used;
    for (int i = 0; i < 3; i++) {
        rec->str_set |= ev->str_set & 1u << source_fields[i];
        rec->str[i] = ev->str[source_fields[i]];
    }
    if (ev->used > 0) {
        memcpy(bytes, ev->bytes, ev->used);
    }
    if (host.p != NULL) {
        rec->str_set |= 1u << EVENT_HOST;
        rec->str[0] = (struct event_ref){ rec->used, (uint32_t)host.len };
        if (host.len > 0) {
            memcpy(bytes + rec->used, host.p, host.len);
        }
        rec->used += (uint32_t)host.len;
    }
    *size = (uint32_t)need | SLOT_SOURCE_ONLY;
    /* The caller only stores the pointer; source_only_event reads it. */
    return (const struct event *)(const void *)rec;
}

/* Drops the oldest record (size bytes long) from run r's chunk queue. */
static void
chunk_drop_first(struct source *s, struct run *r, uint32_t size)
{
    struct chunk *c = r->first;

    c->head += size & ~SLOT_SOURCE_ONLY;
    if (c->head < c->used) {
        return;
    }
    if (c == r->last) {
        c->used = 0;
        c->head = 0;
        return;
    }
    r->first = c->next;
    if (s->free_chunk == NULL) {
        s->free_chunk = c;
    } else {
        free(c);
    }
}

/*
 * Removes the oldest held entry, found by reorder_front in run r (NULL for
 * the heap), into *x.  A packed record stays at the front of its run's
 * chunk queue until chunk_drop_first.
 */
static void
reorder_pop(struct source *s, struct run *r, struct slot *x)
{
    front_forget(s);
    if (r == NULL) {
        *x = heap_pop(s);
        return;
    }

    *x = r->ring[r->head];
    r->head = (r->head + 1) & (r->cap - 1);
    r->len--;
    s->nheld_runs--;
    if (r->len == 0) {
        run_retire(s, r);
    }
}

static struct held_event *
held_new(struct source *s)
{
    if (s->nspare > 0) {
        return s->spare[--s->nspare];
    }

    struct held_event *h = malloc(sizeof(*h));
    if (h != NULL) {
        event_init(&h->ev);
    }
    return h;
}

static void
held_release(struct source *s, struct held_event *h)
{
    if (s->nspare < SPARE_MAX) {
        s->spare[s->nspare++] = h;
        return;
    }
    event_fini(&h->ev);
    free(h);
}

static void
held_free(struct held_event *h)
{
    if (h == NULL) {
        return;
    }
    event_fini(&h->ev);
    free(h);
}

/*
 * Keeps ev's fields for slot x, with its host canonicalised: packed into
 * run r when r is set and the record fits a chunk, else copied into a held
 * event.  Returns false when memory runs out.
 */
static bool
hold_fields(struct source *s, const struct event *ev, struct run *r,
            struct slot *x)
{
    char buf[256];
    struct sv host = SV_NULL;
    struct sv logged = event_str(ev, EVENT_HOST);

    if (logged.p == NULL && s->opts.fmt.default_host != NULL) {
        logged = sv_cstr(s->opts.fmt.default_host);
    }
    if (logged.p != NULL) {
        /* Most hosts are logged in their canonical form already. */
        bool as_given;
        struct sv canon = canonical_host_cached(s, logged, buf, sizeof(buf),
                                                &as_given);
        if (!as_given || !event_has_str(ev, EVENT_HOST)) {
            host = canon;
        }
    }
    /* A source record keeps only the line of the origin, so the event
     * must name the input's format and file, as feed_line sets them. */
    if (r != NULL && (s->opts.needs.source_only >> ev->kind & 1) &&
        ev->origin.format == s->format->name &&
        ev->origin.file == s->name) {
        x->rec = chunk_add_source(s, r, ev, host, &x->size);
    } else if (r != NULL) {
        x->rec = chunk_add(s, r, ev, host, &x->size);
    }
    if (x->rec != NULL) {
        return true;
    }

    struct held_event *h = held_new(s);
    if (h == NULL) {
        return false;
    }
    if (event_copy(&h->ev, ev) < 0) {
        held_release(s, h);
        return false;
    }
    if (host.p != NULL) {
        event_set_str(&h->ev, EVENT_HOST, host);
    }
    h->seq = s->next_seq;
    x->h = h;
    x->size = 0;
    return true;
}

/*
 * Sink for the format: keeps the event in the reorder buffer, packed into
 * a run when it fits one, else copied into the heap.  An event of a kind
 * in opts.needs.time_only keeps only its kind, result and time.
 */
static void
hold_event(void *arg, const struct event *ev)
{
    struct source *s = arg;

    /* Formats that read epoch numbers can produce any time; the buffer and
     * every later stage subtract times, so the rest stay out. */
    if (ev->time.sec < EVENT_TIME_MIN_SEC ||
        ev->time.sec > EVENT_TIME_MAX_SEC) {
        s->stats.malformed++;
        diag_add(s->opts.diag, DIAG_MALFORMED,
                 "time outside the years 1 to 9999", &ev->origin);
        return;
    }

    struct run *r = choose_run(s, &ev->time);
    if (r != NULL ? run_reserve(r) < 0 : heap_reserve(s) < 0) {
        s->stats.lost++;
        return;
    }
    /* A run's entry is written in place in its ring, so the brief fields,
     * stored a byte at a time, are not loaded back as one word. */
    struct slot heap_entry;
    struct slot *x = r != NULL ? run_next_slot(r) : &heap_entry;
    *x = (struct slot){ ev->time.sec, ev->time.nsec, 0, s->next_seq,
                        { NULL } };
    if (s->opts.needs.time_only >> ev->kind & 1) {
        x->size = SLOT_TIME_ONLY;
        x->brief = (struct brief_event){ (uint8_t)ev->kind,
                                         (uint8_t)ev->result,
                                         ev->time.digits };
    } else if (!hold_fields(s, ev, r, x)) {
        s->stats.lost++;
        return;
    }
    s->next_seq++;
    /* An entry older than the front becomes the front; one at the same
     * time comes after it, by its sequence number. */
    if (x->sec < s->front_sec ||
        (x->sec == s->front_sec && x->nsec < s->front_nsec)) {
        s->front = r != NULL ? (int)(r - s->runs) : FRONT_HEAP;
        s->front_sec = x->sec;
        s->front_nsec = x->nsec;
    }
    if (r != NULL) {
        run_push(s, r);
    } else {
        heap_push(s, heap_entry);
    }
    s->stats.events++;
    if (!s->has_newest || event_time_cmp(&ev->time, &s->newest) > 0) {
        s->newest = ev->time;
        s->has_newest = true;
    }
}

/* ---- reading ----------------------------------------------------------- */

/* Counts input of status PARSE_SKIP or PARSE_MALFORMED at origin. */
static void
count_input(void *arg, enum parse_status status, const char *reason,
            const struct event_origin *origin)
{
    struct source *s = arg;

    if (status == PARSE_MALFORMED) {
        s->stats.malformed++;
        diag_add(s->opts.diag, DIAG_MALFORMED, reason, origin);
    } else if (status == PARSE_SKIP) {
        s->stats.skipped++;
        diag_add(s->opts.diag, DIAG_SKIPPED, reason, origin);
    }
}

static void
feed_line(struct source *s, struct sv line, bool truncated)
{
    struct event_origin origin = { s->format->name, s->name,
                                   s->provider.next != NULL
                                       ? s->provider_line
                                       : s->reader.line };
    const char *reason = NULL;

    /* The detection pass replays lines with their own numbers. */
    if (s->next_detect <= s->ndetect && s->next_detect > 0) {
        origin.line = (uint64_t)s->next_detect;
    }
    if (!s->format->binary) {
        s->stats.lines++;
    }
    if (truncated) {
        s->stats.malformed++;
        diag_add(s->opts.diag, DIAG_MALFORMED, "line longer than 1 MiB",
                 &origin);
        return;
    }

    enum parse_status st = s->format->feed(s->state, line, &origin,
                                           &s->sink, &reason);
    count_input(s, st, reason, &origin);
}

/* Grows detect_buf to size bytes, moving the views of the lines in it.
 * Returns -1 when memory runs out. */
static int
grow_detect_buf(struct source *s, size_t size)
{
    size_t offsets[DETECT_LINES];

    for (int i = 0; i < s->ndetect; i++) {
        offsets[i] = (size_t)(s->detect_lines[i].p - s->detect_buf);
    }
    char *grown = realloc(s->detect_buf, size);
    if (grown == NULL) {
        return -1;
    }
    s->detect_buf = grown;
    for (int i = 0; i < s->ndetect; i++) {
        s->detect_lines[i].p = grown + offsets[i];
    }
    return 0;
}

/*
 * Compressed file formats, by the magic bytes that start them.  A bzip2
 * file starts with "BZh" and the block size digit, then the 48-bit magic
 * of its first block, or of the end of an empty stream.  sshtrail reads
 * none of them, so the message names the tool that writes the text to a
 * pipe.  NOTE: tests/corpus/cli_errors.sh checks the gzip, xz and bzip2
 * rows against files from Python's compression modules.  It checks the
 * zstd row against a hand-made frame header only.
 */
static const struct {
    const char *name;
    const char *magic;
    size_t len;
    const char *cat;
} compressed_formats[] = {
    { "gzip", "\x1f\x8b", 2, "zcat" },
    { "xz", "\xfd" "7zXZ\x00", 6, "xzcat" },
    { "zstd", "\x28\xb5\x2f\xfd", 4, "zstdcat" },
    { "bzip2", "1AY&SY", 6, "bzcat" },
    { "bzip2", "\x17rE8P\x90", 6, "bzcat" },
};

/*
 * Returns the index in compressed_formats of the format head starts with,
 * or -1.  For bzip2, magic is what follows "BZh" and the size digit.
 */
static int
compressed_format(struct sv head)
{
    const unsigned char *p = (const unsigned char *)head.p;

    for (size_t i = 0; i < sizeof(compressed_formats) /
                                sizeof(compressed_formats[0]); i++) {
        size_t skip = 0;
        if (strcmp(compressed_formats[i].name, "bzip2") == 0) {
            if (head.len < 4 || memcmp(p, "BZh", 3) != 0 || p[3] < '1' ||
                p[3] > '9') {
                continue;
            }
            skip = 4;
        }
        if (head.len >= skip + compressed_formats[i].len &&
            memcmp(p + skip, compressed_formats[i].magic,
                   compressed_formats[i].len) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/*
 * Fails with a message naming the decompression tool when the input starts
 * like a compressed file.  This runs whatever --format names, because a
 * parser would read the compressed bytes as lines it does not understand
 * and the run would end with exit status 0.
 */
static int
reject_compressed(struct source *s, char *err, size_t errlen)
{
    struct sv head;

    if (linereader_peek(&s->reader, 16, &head) < 0) {
        snprintf(err, errlen, "%s: read failed: %s", s->name,
                 strerror(s->reader.error));
        return -1;
    }
    int z = compressed_format(head);
    if (z < 0) {
        return 0;
    }
    /* The example names no file: a file name pasted into a shell command
     * could run what it contains, such as "$(id)". */
    snprintf(err, errlen, "%s: the input is %s-compressed, which sshtrail "
             "does not read; decompress it first and read standard input, "
             "for example: %s FILE | sshtrail detect -", s->name,
             compressed_formats[z].name, compressed_formats[z].cat);
    return -1;
}

/* Reads the first lines into detect_buf and picks the format. */
static int
detect(struct source *s, char *err, size_t errlen)
{
    size_t used = 0;
    struct sv line;
    bool truncated;
    bool at_end = false;
    bool all_blank = true;

    if (reject_compressed(s, err, errlen) < 0) {
        return -1;
    }
    if (s->format == NULL || s->format->binary) {
        struct sv head;
        if (linereader_peek(&s->reader, 4096, &head) < 0) {
            snprintf(err, errlen, "%s: read failed: %s", s->name,
                     strerror(s->reader.error));
            return -1;
        }
        if (s->format == NULL) {
            s->format = format_detect_binary(
                (const unsigned char *)head.p, head.len);
        }
        if (s->format != NULL) {
            return 0;
        }
    }

    s->detect_buf = malloc(DETECT_BYTES);
    if (s->detect_buf == NULL) {
        snprintf(err, errlen, "%s: out of memory", s->name);
        return -1;
    }
    while (s->ndetect < DETECT_LINES) {
        int rc = linereader_next(&s->reader, &line, &truncated);
        if (rc < 0) {
            snprintf(err, errlen, "%s: read failed: %s", s->name,
                     strerror(s->reader.error));
            return -1;
        }
        if (rc == 0) {
            at_end = true;
            break;
        }
        if (sv_trim(line).len > 0) {
            all_blank = false;
        }
        /* The reader has consumed the line, so the one that crosses the
         * budget is kept whole and ends the detection lines. */
        if (line.len > DETECT_BYTES - used &&
            grow_detect_buf(s, used + line.len) < 0) {
            snprintf(err, errlen, "%s: out of memory", s->name);
            return -1;
        }
        memcpy(s->detect_buf + used, line.p, line.len);
        s->detect_lines[s->ndetect] = sv_make(s->detect_buf + used, line.len);
        s->detect_truncated[s->ndetect] = truncated;
        s->ndetect++;
        used += line.len;
        if (used >= DETECT_BYTES) {
            break;
        }
    }

    bool blank_input = at_end && all_blank;
    if (s->format == NULL && !blank_input) {
        s->format = format_detect(s->detect_lines, s->ndetect);
    }
    if (s->format == NULL && !blank_input) {
        snprintf(err, errlen, "%s: format not recognised from its first "
                 "lines; name it with --format", s->name);
        return -1;
    }
    if (s->format == NULL) {
        /* An empty input, or one of blank lines only: any format reads it
         * as nothing, and the blank lines are not replayed. */
        s->ndetect = 0;
        s->format = format_all()[0];
    }
    return 0;
}

/* Allocates a source with its name and the parts every input needs. */
static struct source *
source_new(const char *name, const struct source_opts *opts)
{
    struct source *s = calloc(1, sizeof(*s));

    if (s == NULL) {
        return NULL;
    }
    s->opts = *opts;
    s->sink = (struct event_sink){ hold_event, s, &s->opts.needs,
                                   count_input };
    s->format = opts->format;
    s->fd = -1;
    s->name = strdup(name);
    s->spare = calloc(SPARE_MAX, sizeof(*s->spare));
    s->threaded = opts->pool != NULL;
    front_forget(s);
    event_init(&s->brief_ev);
    if (s->name == NULL || s->spare == NULL) {
        source_free(s);
        return NULL;
    }
    return s;
}

static int pool_attach(struct source *s, struct source_pool *pool);

/* Opens the format's parser and joins the pool when one is given.  Returns
 * -1 with a message in err. */
static int
source_start(struct source *s, char *err, size_t errlen)
{
    s->state = s->format->open(&s->opts.fmt);
    if (s->state == NULL) {
        snprintf(err, errlen, "%s: out of memory", s->name);
        return -1;
    }
    if (s->threaded && pool_attach(s, s->opts.pool) < 0) {
        snprintf(err, errlen, "%s: out of memory", s->name);
        return -1;
    }
    return 0;
}

/*
 * Formats the failure to open path.  Every input stays open for the whole
 * run, so past the limit on open files (EMFILE, per process) the message
 * names the limit and how to raise it.
 */
static void
report_open_error(const char *path, int e, char *err, size_t errlen)
{
    struct rlimit rl;

    if (e == EMFILE && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        snprintf(err, errlen, "%s: cannot open: %s (the limit is %llu open "
                 "files, and every input stays open for the run); raise it "
                 "with 'ulimit -n N' in the shell that starts sshtrail, or "
                 "name fewer files", path, strerror(e),
                 (unsigned long long)rl.rlim_cur);
    } else if (e == ENFILE) {
        snprintf(err, errlen, "%s: cannot open: %s (the system-wide limit, "
                 "fs.file-max); close other programs' files or name fewer "
                 "files", path, strerror(e));
    } else {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
    }
}

struct source *
source_open(const char *path, const struct source_opts *opts, char *err,
            size_t errlen)
{
    struct source *s = source_new(path, opts);
    struct stat st;

    if (s == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    if (strcmp(path, "-") == 0) {
        s->fd = STDIN_FILENO;
        s->opts.fmt.ref_time = opts->now;
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
        s->own_fd = true;
        if (s->fd < 0) {
            report_open_error(path, errno, err, errlen);
            source_free(s);
            return NULL;
        }
        if (fstat(s->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: is a directory; name the log files "
                     "inside it", path);
            source_free(s);
            return NULL;
        }
        s->opts.fmt.ref_time = fstat(s->fd, &st) == 0 ? st.st_mtime
                                                       : opts->now;
    }
    if (linereader_init(&s->reader, s->fd) < 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        source_free(s);
        return NULL;
    }
    if (detect(s, err, errlen) < 0 || source_start(s, err, errlen) < 0) {
        source_free(s);
        return NULL;
    }
    return s;
}

struct source *
source_open_provider(const char *name, const struct line_provider *provider,
                     const struct source_opts *opts, char *err,
                     size_t errlen)
{
    struct source *s = NULL;

    if (opts->format != NULL) {
        s = source_new(name, opts);
    }
    if (s == NULL) {
        snprintf(err, errlen, "%s: %s", name,
                 opts->format ? "out of memory" : "a format must be named");
        if (provider->close != NULL) {
            provider->close(provider->arg);
        }
        return NULL;
    }
    s->provider = *provider;
    s->opts.fmt.ref_time = opts->now;
    if (source_start(s, err, errlen) < 0) {
        source_free(s);
        return NULL;
    }
    return s;
}

static void pool_detach(struct source *s);

void
source_free(struct source *s)
{
    if (s == NULL) {
        return;
    }
    pool_detach(s);
    if (s->state != NULL) {
        s->format->close(s->state);
    }
    if (s->provider.close != NULL) {
        s->provider.close(s->provider.arg);
    }
    if (s->own_fd && s->fd >= 0) {
        close(s->fd);
    }
    linereader_fini(&s->reader);
    if (s->head != NULL) {
        held_free(s->head);
    }
    for (int k = 0; k < RUNS; k++) {
        struct run *r = &s->runs[k];
        for (uint32_t i = 0; i < r->len; i++) {
            const struct slot *x = &r->ring[(r->head + i) & (r->cap - 1)];
            if (x->size == 0) {
                held_free(x->h);
            }
        }
        while (r->first != NULL) {
            struct chunk *next = r->first->next;
            free(r->first);
            r->first = next;
        }
        free(r->ring);
    }
    /* The heap contains held events and time-only entries. */
    for (uint32_t i = 0; i < s->nheap; i++) {
        if (s->heap[i].size == 0) {
            held_free(s->heap[i].h);
        }
    }
    for (uint32_t i = 0; i < s->nspare; i++) {
        held_free(s->spare[i]);
    }
    free(s->free_chunk);
    free(s->spare);
    free(s->heap);
    free(s->detect_buf);
    event_fini(&s->brief_ev);
    free(s->name);
    free(s);
}

/*
 * Returns the oldest held entry when it may leave the reorder buffer, and
 * sets *from to its run (NULL for the heap).  Returns NULL when none may.
 */
static const struct slot *
due_front(struct source *s, struct run **from)
{
    if (pending(s) == 0) {
        return NULL;
    }

    const struct slot *t = reorder_front(s, from);
    if (s->eof || pending(s) >= SOURCE_MAX_PENDING) {
        return t;
    }
    /* reorder_front keeps the front's time in s, so the slot itself is
     * not read here. */
    int64_t age_ms = (s->newest.sec - s->front_sec) * 1000 +
                     (s->newest.nsec - s->front_nsec) / 1000000;
    return age_ms >= s->opts.tolerance_ms ? t : NULL;
}

/* Reads one more line into the parser.  Returns 0 at the end of input. */
static int
read_more(struct source *s)
{
    struct sv line;
    bool truncated;

    if (s->next_detect < s->ndetect) {
        int i = s->next_detect++;
        feed_line(s, s->detect_lines[i], s->detect_truncated[i]);
        if (s->next_detect == s->ndetect) {
            /* Lines after the detection pass number from the reader. */
            s->next_detect = s->ndetect + 1;
            free(s->detect_buf);
            s->detect_buf = NULL;
        }
        return 1;
    }

    int rc;
    if (s->provider.next != NULL) {
        truncated = false;
        rc = s->provider.next(s->provider.arg, &line, s->error,
                              sizeof(s->error));
        if (rc > 0) {
            s->provider_line++;
        }
    } else if (s->format->binary) {
        truncated = false;
        rc = linereader_block(&s->reader, &line);
    } else {
        rc = linereader_next(&s->reader, &line, &truncated);
    }
    if (rc < 0 && s->provider.next == NULL) {
        snprintf(s->error, sizeof(s->error),
                 "%s: read failed after line %llu: %s", s->name,
                 (unsigned long long)s->reader.line,
                 strerror(s->reader.error));
    }
    if (rc <= 0) {
        if (s->format->flush != NULL) {
            struct event_origin origin = { s->format->name, s->name,
                                           s->provider.next != NULL
                                               ? s->provider_line
                                               : s->reader.line };
            const char *reason = NULL;
            enum parse_status st = s->format->flush(s->state, &s->sink,
                                                    &origin.line, &reason);
            count_input(s, st, reason, &origin);
        }
        s->eof = true;
        s->stats.bytes = s->reader.bytes;
        return rc;
    }
    feed_line(s, line, truncated);
    return 1;
}

/*
 * Returns the oldest held entry once it may leave the reorder buffer,
 * reading lines until one may, and sets *from to its run (NULL for the
 * heap).  Returns NULL at the end of the input.  This is the whole
 * pipeline of one input: read, parse, reorder.
 */
static const struct slot *
wait_due(struct source *s, struct run **from)
{
    const struct slot *t;

    while ((t = due_front(s, from)) == NULL) {
        if (s->eof) {
            return NULL;
        }
        /* Until an event is held or the input ends, due_front returns the
         * same result. */
        uint64_t seq = s->next_seq;
        do {
            read_more(s);
        } while (s->next_seq == seq && !s->eof);
    }
    return t;
}

/*
 * Takes the next entry in time order out of the reorder buffer.  Sets *x
 * and *from (the entry's run, NULL for the heap) and returns 1, or returns
 * 0 at the end of the input.  A packed record stays at the front of its
 * run's chunk queue until chunk_drop_first.
 */
static int
next_slot(struct source *s, struct slot *x, struct run **from)
{
    if (wait_due(s, from) == NULL) {
        return 0;
    }
    if (pending(s) >= SOURCE_MAX_PENDING && !s->eof) {
        s->stats.early_releases++;
    }
    reorder_pop(s, *from, x);
    return 1;
}

/*
 * Returns the event of a SLOT_TIME_ONLY entry: its kind, result and time,
 * and the origin's format and file (line 0), in s->brief_ev until the next
 * call.
 */
static const struct event *
time_only_event(struct source *s, const struct slot *x)
{
    struct event *ev = &s->brief_ev;

    event_reset(ev);
    ev->kind = (enum event_kind)x->brief.kind;
    ev->result = (enum event_result)x->brief.result;
    ev->time = (struct event_time){ x->sec, x->nsec, x->brief.digits };
    ev->origin = (struct event_origin){ s->format->name, s->name, 0 };
    return ev;
}

/*
 * Returns the event of a source record: its kind, result, time, origin
 * and the host, program and source address, in s->source_ev, whose bytes
 * are the record's, valid while the record stays in its chunk.
 */
static const struct event *
source_only_event(struct source *s, const struct slot *x)
{
    const struct source_record *rec = (const void *)x->rec;
    struct event *ev = &s->source_ev;

    ev->kind = (enum event_kind)rec->kind;
    ev->result = (enum event_result)rec->result;
    ev->time = (struct event_time){ x->sec, x->nsec, rec->digits };
    ev->origin = (struct event_origin){ s->format->name, s->name,
                                        rec->line };
    ev->truncated = rec->truncated;
    ev->str_set = rec->str_set;
    for (int i = 0; i < 3; i++) {
        ev->str[source_fields[i]] = rec->str[i];
    }
    /* num_set and argc stay 0 from source_new. */
    /* The cast drops const only to fit struct event: nothing writes to
     * source_ev's bytes. */
    ev->bytes = (char *)(rec + 1);
    ev->used = rec->used;
    ev->cap = rec->used;
    return ev;
}

/*
 * Makes the next event in time order the head of an unthreaded source:
 * a held event in s->head, or the event of a packed record in s->view,
 * which source_pop drops from its chunk.  Returns 0 at the end of the
 * input.
 */
static int
next_head(struct source *s)
{
    struct slot x;
    struct run *from;

    if (!next_slot(s, &x, &from)) {
        return 0;
    }
    if (x.size == 0) {
        s->head = x.h;
        return 1;
    }
    if (x.size == SLOT_TIME_ONLY) {
        s->view = time_only_event(s, &x);
        s->view_run = NULL;
        return 1;
    }
    s->view = x.size & SLOT_SOURCE_ONLY ? source_only_event(s, &x) : x.rec;
    s->view_run = from;
    s->view_size = x.size;
    return 1;
}

/* ---- threaded reading -------------------------------------------------- */

/*
 * With threaded reading a worker thread reads an input through its reorder
 * buffer and packs the events into batches.  The caller's thread, the
 * consumer, reads the records in order where they are.  When the consumer would wait for an input, it fills batches
 * itself: the input's next one when no thread is filling it, else a short
 * one of the input the worker would fill next.  So the threads share the
 * reading when the worker is the slower.  The events and their order are
 * those of the serial path, so every later stage receives the same input.
 * Lines an input does not use are counted in its own diag, which is added
 * to the caller's at the end of the input.
 *
 * The threads share no event memory but batch blocks: the filling thread
 * keeps the reorder buffer, and a batch block is written by one thread and
 * then read by the other.
 */

/*
 * The consumer's side of a threaded input, allocated on cache lines of its
 * own because it changes with every event.
 */
struct consumer {
    struct batch *reading;
    uint32_t next;                      /* the next record of reading */
    size_t pos;                         /* and its offset in bytes */
    const struct event *peeked;         /* source_peek's event, in reading */
    bool done;                          /* the last batch was read */
};

static void
queue_put(struct batch_queue *q, struct batch *b)
{
    q->b[(q->head + q->len) % BATCH_COUNT] = b;
    q->len++;
}

static struct batch *
queue_take(struct batch_queue *q)
{
    struct batch *b = q->b[q->head];
    q->head = (q->head + 1) % BATCH_COUNT;
    q->len--;
    return b;
}

/*
 * Moves the next event in time order from the reorder buffer to the end of
 * batch b, reading lines until one may leave (wait_due).  Records and held
 * events are packed again into the block, whose records then point into
 * it.  Returns 1 when an event left the buffer, 0 at the end of the input,
 * or -1 when b contains records and the next does not fit after them (the
 * event stays held).  A record larger than an empty block grows the block;
 * out of memory, the event is lost.
 */
static int
batch_add_next(struct source *s, struct batch *b)
{
    struct run *from;
    const struct slot *t = wait_due(s, &from);

    if (t == NULL) {
        return 0;
    }

    /* A record points into itself, so it is packed again where it goes
     * rather than copied. */
    const struct event *ev = t->size == 0                ? &t->h->ev
                             : t->size == SLOT_TIME_ONLY ? time_only_event(s, t)
                             : t->size & SLOT_SOURCE_ONLY
                                 ? source_only_event(s, t)
                                 : t->rec;
    size_t need = event_pack_size(ev, SV_NULL);
    bool fits = need <= b->cap - b->used;
    if (!fits && b->n > 0) {
        return -1;
    }
    if (!fits) {
        uint64_t *grown = realloc(b->data, need);
        if (grown != NULL) {
            b->data = grown;
            b->cap = need;
            fits = true;
        }
    }
    if (pending(s) >= SOURCE_MAX_PENDING && !s->eof) {
        s->stats.early_releases++;
    }

    struct slot x;
    reorder_pop(s, from, &x);
    if (fits) {
        event_pack(ev, SV_NULL, (char *)b->data + b->used);
    }
    if (x.size == 0) {
        held_release(s, x.h);
    } else if (x.size != SLOT_TIME_ONLY) {
        chunk_drop_first(s, from, x.size);
    }
    if (!fits) {
        s->stats.lost++;
        return 1;
    }
    b->size[b->n++] = (uint32_t)need;
    b->used += need;
    b->newest = (struct event_time){ x.sec, x.nsec, 0 };
    return 1;
}

/*
 * Picks the input to fill next.  Of the inputs with an empty batch that no
 * thread is filling, it takes the one whose events handed over end the
 * earliest, because the consumer merges the inputs in time order and will
 * need that input's next batch first.  Sets *live when some input still
 * has batches to fill.  Called with w->lock held.
 */
static struct source *
pick_source(struct pool_worker *w, bool *live)
{
    struct source *best = NULL;

    *live = false;
    for (size_t i = 0; i < w->nsrcs; i++) {
        struct source *s = w->srcs[i];
        if (s->filled_last) {
            continue;
        }
        *live = true;
        if (s->empty.len > 0 && !s->busy &&
            (best == NULL ||
             event_time_cmp(&s->horizon, &best->horizon) < 0)) {
            best = s;
        }
    }
    return best;
}

/*
 * Fills the next batch of s with up to max_events events (at most
 * BATCH_EVENTS) and hands it over.  The caller holds w->lock,
 * and s has an empty batch and is not busy.  The lock is released while
 * the batch fills, and s->busy keeps every other thread off s meanwhile.
 * So batches are filled one at a time, in the input's order, whichever
 * thread fills them.
 */
static void
fill_batch(struct source *s, uint32_t max_events)
{
    struct pool_worker *w = s->w;
    struct batch *b = queue_take(&s->empty);

    s->busy = true;
    pthread_mutex_unlock(&w->lock);

    b->n = 0;
    b->used = 0;
    b->last = false;
    while (b->n < max_events) {
        int rc = batch_add_next(s, b);
        if (rc < 0) {
            break;
        }
        if (rc == 0) {
            b->last = true;
            break;
        }
    }

    pthread_mutex_lock(&w->lock);
    s->busy = false;
    s->filled_last = b->last;
    if (b->n > 0) {
        s->horizon = b->newest;
    }
    queue_put(&s->full, b);
    pthread_cond_broadcast(&w->changed);
}

static void *
worker_main(void *arg)
{
    struct pool_worker *w = arg;

    pthread_mutex_lock(&w->lock);
    for (;;) {
        bool live;
        struct source *s = pick_source(w, &live);
        if (!live || w->stopping) {
            break;
        }
        if (s == NULL) {
            pthread_cond_wait(&w->changed, &w->lock);
            continue;
        }

        fill_batch(s, BATCH_EVENTS);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct source_pool *
source_pool_new(unsigned workers)
{
    struct source_pool *p = calloc(1, sizeof(*p));

    if (workers == 0) {
        workers = 1;
    }
    if (p == NULL || (p->workers = calloc(workers, sizeof(*p->workers))) ==
                         NULL) {
        free(p);
        return NULL;
    }
    for (unsigned i = 0; i < workers; i++) {
        struct pool_worker *w = &p->workers[i];
        w->pool = p;
        if (pthread_mutex_init(&w->lock, NULL) != 0) {
            break;
        }
        if (pthread_cond_init(&w->changed, NULL) != 0) {
            pthread_mutex_destroy(&w->lock);
            break;
        }
        p->nworkers++;
    }
    if (p->nworkers == 0) {
        free(p->workers);
        free(p);
        return NULL;
    }
    return p;
}

void
source_pool_free(struct source_pool *p)
{
    if (p == NULL) {
        return;
    }
    for (unsigned i = 0; i < p->nworkers; i++) {
        struct pool_worker *w = &p->workers[i];
        pthread_mutex_lock(&w->lock);
        w->stopping = true;
        pthread_cond_broadcast(&w->changed);
        pthread_mutex_unlock(&w->lock);
        if (w->started) {
            pthread_join(w->thread, NULL);
        }
        pthread_cond_destroy(&w->changed);
        pthread_mutex_destroy(&w->lock);
        free(w->srcs);
    }
    free(p->workers);
    free(p);
}

/*
 * Starts the pool's threads, once, at the consumer's first request for an
 * event: every input is attached by then.  A worker whose thread
 * cannot start has its inputs read serially on the consumer's thread.
 */
static void
pool_start(struct source_pool *p)
{
    if (p->started) {
        return;
    }
    p->started = true;
    for (unsigned i = 0; i < p->nworkers; i++) {
        struct pool_worker *w = &p->workers[i];
        if (w->nsrcs == 0) {
            continue;
        }
        if (pthread_create(&w->thread, NULL, worker_main, w) == 0) {
            w->started = true;
            continue;
        }
        for (size_t k = 0; k < w->nsrcs; k++) {
            w->srcs[k]->threaded = false;
            w->srcs[k]->opts.diag = w->srcs[k]->caller_diag;
        }
    }
}

static struct batch *
batch_new(void)
{
    struct batch *b = calloc(1, sizeof(*b));

    if (b == NULL) {
        return NULL;
    }
    b->data = malloc(BATCH_BYTES);
    if (b->data == NULL) {
        free(b);
        return NULL;
    }
    b->cap = BATCH_BYTES;
    return b;
}

static void
batch_free(struct batch *b)
{
    if (b == NULL) {
        return;
    }
    free(b->data);
    free(b);
}

/*
 * Allocates the consumer's state on cache lines of its own, so the thread
 * that fills batches never writes a line the consumer reads per event.
 */
static struct consumer *
consumer_new(void)
{
    size_t line = 64;
    size_t size = (sizeof(struct consumer) + line - 1) / line * line;
    struct consumer *c = aligned_alloc(line, size);

    if (c != NULL) {
        memset(c, 0, sizeof(*c));
    }
    return c;
}

/* Gives s to the pool's next worker, round robin, with its batches. */
static int
pool_attach(struct source *s, struct source_pool *pool)
{
    struct pool_worker *w = &pool->workers[pool->next % pool->nworkers];

    if (w->nsrcs == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 4;
        struct source **grown = realloc(w->srcs, cap * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        w->srcs = grown;
        w->cap = cap;
    }
    for (uint32_t i = 0; i < BATCH_COUNT; i++) {
        struct batch *b = batch_new();
        if (b == NULL) {
            break;
        }
        queue_put(&s->empty, b);
    }
    s->cons = consumer_new();
    if (s->empty.len == 0 || s->cons == NULL) {
        return -1;
    }
    s->horizon.sec = INT64_MIN;
    s->caller_diag = s->opts.diag;
    s->opts.diag = &s->own_diag;
    diag_init(&s->own_diag);
    s->w = w;
    w->srcs[w->nsrcs++] = s;
    pool->next++;
    return 0;
}

/*
 * Takes s from its worker, waiting while the worker fills a batch of it,
 * and frees its batches and the consumer's state.  A source whose attach
 * failed halfway has some of them but no worker.
 */
static void
pool_detach(struct source *s)
{
    struct pool_worker *w = s->w;

    if (w != NULL) {
        pthread_mutex_lock(&w->lock);
        while (s->busy) {
            pthread_cond_wait(&w->changed, &w->lock);
        }
        for (size_t i = 0; i < w->nsrcs; i++) {
            if (w->srcs[i] == s) {
                w->srcs[i] = w->srcs[--w->nsrcs];
                break;
            }
        }
        pthread_cond_broadcast(&w->changed);
        pthread_mutex_unlock(&w->lock);
        s->w = NULL;
    }

    if (s->cons != NULL) {
        batch_free(s->cons->reading);
        free(s->cons);
        s->cons = NULL;
    }
    while (s->full.len > 0) {
        batch_free(queue_take(&s->full));
    }
    while (s->empty.len > 0) {
        batch_free(queue_take(&s->empty));
    }
}

/* Adds the worker's counts of unused lines to the caller's diag. */
static void
merge_diag(struct diag *to, const struct diag *from)
{
    if (to == NULL) {
        return;
    }
    for (int i = 0; i < from->nreasons; i++) {
        const struct diag_reason *r = &from->reasons[i];
        uint64_t left = r->count;
        for (int k = 0; k < r->nsamples && left > 0; k++, left--) {
            struct event_origin o = { r->format, r->samples[k].file,
                                      r->samples[k].line };
            diag_add(to, r->cls, r->reason, &o);
        }
        if (left == 0) {
            continue;
        }

        /* The rest carry no sample: add them to the entry just used. */
        struct diag_reason *same = NULL;
        for (int j = 0; j < to->nreasons && same == NULL; j++) {
            struct diag_reason *t = &to->reasons[j];
            if (t->cls == r->cls && t->format == r->format &&
                strcmp(t->reason, r->reason) == 0) {
                same = t;
            }
        }
        if (same != NULL) {
            same->count += left;
            to->total[r->cls] += left;
            continue;
        }
        struct event_origin o = { r->format, NULL, 0 };
        for (; left > 0; left--) {
            diag_add(to, r->cls, r->reason, &o);
        }
    }
}

/*
 * Swaps the consumer's used batch, if any, for the next full one of s,
 * filling batches here while none is ready.  Returns the new batch.
 */
static struct batch *
consumer_next_batch(struct source *s, struct consumer *c)
{
    struct pool_worker *w = s->w;

    pthread_mutex_lock(&w->lock);
    if (c->reading != NULL) {
        queue_put(&s->empty, c->reading);
        /* A worker that has nothing to fill is woken when half the
         * batches of an input are free, not for every batch, so it fills
         * several in one go. */
        if (s->empty.len == BATCH_COUNT / 2) {
            pthread_cond_broadcast(&w->changed);
        }
    }
    while (s->full.len == 0) {
        if (!s->busy && !s->filled_last && s->empty.len > 0) {
            fill_batch(s, BATCH_EVENTS);
            continue;
        }

        /*
         * The worker is filling s.  Rather than wait, fill a short batch,
         * a quarter of BATCH_EVENTS, of the input the worker would fill
         * next, so the consumer is back soon after the batch of s is ready.
         */
        bool live;
        struct source *other = pick_source(w, &live);
        if (other != NULL) {
            fill_batch(other, BATCH_EVENTS / 4);
            continue;
        }
        pthread_cond_wait(&w->changed, &w->lock);
    }
    c->reading = queue_take(&s->full);
    c->next = 0;
    c->pos = 0;
    pthread_mutex_unlock(&w->lock);
    return c->reading;
}

/*
 * The consumer's side of source_peek with a worker: returns the next
 * record of the batch being read, in place.  Returns NULL at the end of the input,
 * after adding the counts kept on the worker's side to the caller's.
 */
static const struct event *
threaded_peek(struct source *s)
{
    struct consumer *c = s->cons;

    if (c->peeked != NULL) {
        return c->peeked;
    }
    for (;;) {
        struct batch *b = c->reading;
        if (b != NULL && c->next < b->n) {
            /* Records are read in place: the batch goes back to the
             * worker only after the consumer has moved past its last. */
            c->peeked = (const void *)((const char *)b->data + c->pos);
            c->pos += b->size[c->next++];
            return c->peeked;
        }
        if (b != NULL && b->last) {
            if (!c->done) {
                c->done = true;
                merge_diag(s->caller_diag, &s->own_diag);
            }
            return NULL;
        }
        consumer_next_batch(s, c);
    }
}

int
source_peek(struct source *s, const struct event **ev)
{
    /* Starting the pool may leave s to be read here after all. */
    if (s->threaded && !s->w->pool->started) {
        pool_start(s->w->pool);
    }
    if (s->threaded) {
        const struct event *next = threaded_peek(s);
        if (next == NULL) {
            return 0;
        }
        *ev = next;
        return 1;
    }

    if (s->view == NULL && s->head == NULL) {
        next_head(s);
    }
    if (s->view != NULL) {
        *ev = s->view;
        return 1;
    }
    if (s->head == NULL) {
        return 0;
    }
    *ev = &s->head->ev;
    return 1;
}

const char *
source_error(const struct source *s)
{
    return s->error[0] ? s->error : NULL;
}

void
source_pop(struct source *s)
{
    if (s->threaded) {
        s->cons->peeked = NULL;
        return;
    }
    if (s->view != NULL) {
        /* A time-only event has no record (view_run NULL). */
        if (s->view_run != NULL) {
            chunk_drop_first(s, s->view_run, s->view_size);
        }
        s->view = NULL;
        return;
    }
    if (s->head != NULL) {
        held_release(s, s->head);
    }
    s->head = NULL;
}

const char *
source_name(const struct source *s)
{
    return s->name;
}

const char *
source_format(const struct source *s)
{
    return s->format->name;
}

const struct source_stats *
source_stats(const struct source *s)
{
    return &s->stats;
}
