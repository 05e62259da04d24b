/*
 * An input read line by line through its format, with format detection on
 * the first lines and a bounded reorder buffer (a min-heap by event time).
 */
#include "input/source.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/linereader.h"

/* Lines read before choosing a format, and the bytes kept for them. */
#define DETECT_LINES 64
#define DETECT_BYTES (256u * 1024u)

struct held_event {
    struct event ev;
    uint64_t seq;
};

struct source {
    char *name;
    struct line_provider provider;      /* next is NULL for file inputs */
    int fd;
    bool own_fd;
    struct linereader reader;
    const struct format_ops *format;
    void *state;
    struct source_opts opts;
    struct source_stats stats;
    bool eof;
    char error[512];                    /* a read error, or empty */

    /* Lines read during detection, replayed before the rest. */
    char *detect_buf;
    struct sv detect_lines[DETECT_LINES];
    bool detect_truncated[DETECT_LINES];
    int ndetect;
    int next_detect;

    /* The reorder buffer. */
    struct held_event **heap;
    uint32_t nheap;
    uint32_t heap_cap;
    struct held_event **spare;          /* freed entries kept for reuse */
    uint32_t nspare;
    uint64_t next_seq;
    struct event_time newest;
    bool has_newest;
    struct held_event *head;            /* popped, not yet consumed */

    struct event scratch;
};

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

/* ---- reorder heap ------------------------------------------------------ */

static bool
held_before(const struct held_event *a, const struct held_event *b)
{
    int cmp = event_time_cmp(&a->ev.time, &b->ev.time);
    return cmp < 0 || (cmp == 0 && a->seq < b->seq);
}

static void
heap_push(struct source *s, struct held_event *h)
{
    uint32_t i = s->nheap++;

    while (i > 0 && held_before(h, s->heap[(i - 1) / 2])) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = h;
}

static struct held_event *
heap_pop(struct source *s)
{
    struct held_event *top = s->heap[0];
    struct held_event *last = s->heap[--s->nheap];
    uint32_t i = 0;

    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= s->nheap) {
            break;
        }
        if (child + 1 < s->nheap &&
            held_before(s->heap[child + 1], s->heap[child])) {
            child++;
        }
        if (!held_before(s->heap[child], last)) {
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
    if (s->nspare < 64) {
        s->spare[s->nspare++] = h;
        return;
    }
    event_fini(&h->ev);
    free(h);
}

/* Sink for the format: canonicalise the host and hold the event. */
static void
hold_event(void *arg, const struct event *ev)
{
    struct source *s = arg;
    char host[256];

    if (s->nheap == s->heap_cap) {
        uint32_t cap = s->heap_cap ? s->heap_cap * 2 : 256;
        struct held_event **grown = realloc(s->heap, cap * sizeof(*grown));
        if (grown == NULL) {
            return;
        }
        s->heap = grown;
        s->heap_cap = cap;
    }

    struct held_event *h = held_new(s);
    if (h == NULL || event_copy(&h->ev, ev) < 0) {
        return;
    }
    struct sv given = event_str(ev, EVENT_HOST);
    if (given.p == NULL && s->opts.fmt.default_host != NULL) {
        given = sv_cstr(s->opts.fmt.default_host);
    }
    if (given.p != NULL) {
        size_t n = source_canonical_host(given, host, sizeof(host));
        event_set_str(&h->ev, EVENT_HOST, sv_make(host, n));
    }

    h->seq = s->next_seq++;
    heap_push(s, h);
    s->stats.events++;
    if (!s->has_newest || event_time_cmp(&ev->time, &s->newest) > 0) {
        s->newest = ev->time;
        s->has_newest = true;
    }
}

/* ---- reading ----------------------------------------------------------- */

static void
feed_line(struct source *s, struct sv line, bool truncated)
{
    struct event_origin origin = { s->format->name, s->name,
                                   s->reader.line };
    struct event_sink sink = { hold_event, s };
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

    enum parse_status st = s->format->feed(s->state, line, &origin, &sink,
                                           &reason);
    if (st == PARSE_MALFORMED) {
        s->stats.malformed++;
        diag_add(s->opts.diag, DIAG_MALFORMED, reason, &origin);
    } else if (st == PARSE_SKIP) {
        s->stats.skipped++;
        diag_add(s->opts.diag, DIAG_SKIPPED, reason, &origin);
    }
}

/* Reads the first lines into detect_buf and picks the format. */
static int
detect(struct source *s, char *err, size_t errlen)
{
    size_t used = 0;
    struct sv line;
    bool truncated;

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
            break;
        }
        size_t n = line.len < DETECT_BYTES - used ? line.len
                                                   : DETECT_BYTES - used;
        memcpy(s->detect_buf + used, line.p, n);
        s->detect_lines[s->ndetect] = sv_make(s->detect_buf + used, n);
        s->detect_truncated[s->ndetect] = truncated || n < line.len;
        s->ndetect++;
        used += n;
        if (used == DETECT_BYTES) {
            break;
        }
    }

    if (s->format == NULL) {
        s->format = format_detect(s->detect_lines, s->ndetect);
    }
    if (s->format == NULL && s->ndetect > 0) {
        snprintf(err, errlen, "%s: format not recognised from its first "
                 "lines; name it with --format", s->name);
        return -1;
    }
    if (s->format == NULL) {
        /* An empty input: any format reads it as nothing. */
        s->format = format_all()[0];
    }
    return 0;
}

struct source *
source_open(const char *path, const struct source_opts *opts, char *err,
            size_t errlen)
{
    struct source *s = calloc(1, sizeof(*s));
    struct stat st;

    if (s == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    s->opts = *opts;
    s->format = opts->format;
    s->name = strdup(path);
    s->spare = calloc(64, sizeof(*s->spare));
    event_init(&s->scratch);

    if (strcmp(path, "-") == 0) {
        s->fd = STDIN_FILENO;
        s->opts.fmt.ref_time = opts->now;
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
        s->own_fd = true;
        if (s->fd < 0) {
            snprintf(err, errlen, "%s: cannot open: %s", path,
                     strerror(errno));
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
    if (s->name == NULL || s->spare == NULL ||
        linereader_init(&s->reader, s->fd) < 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        source_free(s);
        return NULL;
    }
    if (detect(s, err, errlen) < 0) {
        source_free(s);
        return NULL;
    }
    s->state = s->format->open(&s->opts.fmt);
    if (s->state == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
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
    struct source *s = calloc(1, sizeof(*s));

    if (s == NULL || opts->format == NULL) {
        snprintf(err, errlen, "%s: %s", name,
                 s ? "a format must be named" : "out of memory");
        free(s);
        if (provider->close != NULL) {
            provider->close(provider->arg);
        }
        return NULL;
    }
    s->opts = *opts;
    s->format = opts->format;
    s->provider = *provider;
    s->fd = -1;
    s->opts.fmt.ref_time = opts->now;
    s->name = strdup(name);
    s->spare = calloc(64, sizeof(*s->spare));
    event_init(&s->scratch);
    if (s->name == NULL || s->spare == NULL) {
        snprintf(err, errlen, "%s: out of memory", name);
        source_free(s);
        return NULL;
    }
    s->state = s->format->open(&s->opts.fmt);
    if (s->state == NULL) {
        snprintf(err, errlen, "%s: out of memory", name);
        source_free(s);
        return NULL;
    }
    return s;
}

void
source_free(struct source *s)
{
    if (s == NULL) {
        return;
    }
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
        held_release(s, s->head);
    }
    for (uint32_t i = 0; i < s->nheap; i++) {
        event_fini(&s->heap[i]->ev);
        free(s->heap[i]);
    }
    for (uint32_t i = 0; i < s->nspare; i++) {
        event_fini(&s->spare[i]->ev);
        free(s->spare[i]);
    }
    free(s->spare);
    free(s->heap);
    free(s->detect_buf);
    event_fini(&s->scratch);
    free(s->name);
    free(s);
}

/* True when the oldest held event may leave the reorder buffer. */
static bool
head_is_due(const struct source *s)
{
    if (s->nheap == 0) {
        return false;
    }
    if (s->eof || s->nheap >= SOURCE_MAX_PENDING) {
        return true;
    }

    const struct event_time *t = &s->heap[0]->ev.time;
    int64_t age_ms = (s->newest.sec - t->sec) * 1000 +
                     (s->newest.nsec - t->nsec) / 1000000;
    return age_ms >= s->opts.tolerance_ms;
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
        }
        return 1;
    }

    int rc;
    if (s->provider.next != NULL) {
        truncated = false;
        rc = s->provider.next(s->provider.arg, &line, s->error,
                              sizeof(s->error));
    } else if (s->format->binary) {
        truncated = false;
        rc = linereader_block(&s->reader, &line);
    } else {
        rc = linereader_next(&s->reader, &line, &truncated);
    }
    if (rc < 0) {
        snprintf(s->error, sizeof(s->error),
                 "%s: read failed after line %llu: %s", s->name,
                 (unsigned long long)s->reader.line,
                 strerror(s->reader.error));
    }
    if (rc <= 0) {
        struct event_sink sink = { hold_event, s };
        if (s->format->flush != NULL) {
            s->format->flush(s->state, &sink);
        }
        s->eof = true;
        s->stats.bytes = s->reader.bytes;
        return rc;
    }
    feed_line(s, line, truncated);
    return 1;
}

int
source_peek(struct source *s, const struct event **ev)
{
    if (s->head != NULL) {
        *ev = &s->head->ev;
        return 1;
    }
    while (!head_is_due(s)) {
        if (s->eof) {
            return 0;
        }
        read_more(s);
    }
    if (s->nheap >= SOURCE_MAX_PENDING && !s->eof) {
        s->stats.early_releases++;
    }
    s->head = heap_pop(s);
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
    if (s->head != NULL) {
        held_release(s, s->head);
        s->head = NULL;
    }
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
