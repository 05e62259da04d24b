/*
 * Per-host counters for the blind-spot report.  Hosts are kept in a hash
 * map and, for sorted output, in an array.  Each host keeps a few counters
 * and the first and last event time per format.
 */
#include "report/coverage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "core/hmap.h"
#include "core/jsonw.h"
#include "core/timeconv.h"

struct format_seen {
    const char *format;
    uint64_t events;
    uint64_t late;
    struct event_time first;
    struct event_time last;
};

struct host_cov {
    char *name;
    bool in_inventory;
    bool seen;                  /* at least one event named this host */
    uint64_t logins;            /* SSH logins the correlator rebuilt */
    uint64_t execs;             /* execution records */
    uint64_t ssh_enabled;       /* SSH switched on (ESXi) */
    int nformats;
    struct format_seen formats[COVERAGE_MAX_FORMATS];
};

struct coverage {
    struct hmap by_name;
    struct host_cov **hosts;
    size_t nhosts;
    size_t cap;
    uint64_t hosts_dropped;     /* events of hosts past the maximum */
    uint64_t events_no_host;
    bool has_inventory;
    bool has_newest;
    struct event_time newest;
    uint64_t gaps;
};

struct coverage *
coverage_new(void)
{
    struct coverage *cov = calloc(1, sizeof(*cov));

    if (cov != NULL) {
        hmap_init(&cov->by_name, COVERAGE_MAX_HOSTS);
    }
    return cov;
}

void
coverage_free(struct coverage *cov)
{
    if (cov == NULL) {
        return;
    }
    for (size_t i = 0; i < cov->nhosts; i++) {
        free(cov->hosts[i]->name);
        free(cov->hosts[i]);
    }
    free(cov->hosts);
    hmap_fini(&cov->by_name);
    free(cov);
}

static struct host_cov *
find_host(struct coverage *cov, struct sv name, bool create)
{
    struct host_cov *h = hmap_get(&cov->by_name, name);

    if (h != NULL || !create) {
        return h;
    }
    if (cov->nhosts == cov->cap) {
        size_t cap = cov->cap ? cov->cap * 2 : 64;
        struct host_cov **grown = realloc(cov->hosts, cap * sizeof(*grown));
        if (grown == NULL) {
            return NULL;
        }
        cov->hosts = grown;
        cov->cap = cap;
    }
    h = calloc(1, sizeof(*h));
    if (h == NULL) {
        return NULL;
    }
    h->name = strndup(name.p, name.len);
    if (h->name == NULL || hmap_put(&cov->by_name, name, h) < 0) {
        free(h->name);
        free(h);
        return NULL;
    }
    cov->hosts[cov->nhosts++] = h;
    return h;
}

static struct format_seen *
find_format(struct host_cov *h, const char *format)
{
    for (int i = 0; i < h->nformats; i++) {
        if (strcmp(h->formats[i].format, format) == 0) {
            return &h->formats[i];
        }
    }
    if (h->nformats == COVERAGE_MAX_FORMATS) {
        return NULL;
    }

    struct format_seen *f = &h->formats[h->nformats++];
    f->format = format;
    return f;
}

void
coverage_add(struct coverage *cov, const struct event *ev, bool late)
{
    struct sv name = event_str(ev, EVENT_HOST);

    if (!cov->has_newest || event_time_cmp(&ev->time, &cov->newest) > 0) {
        cov->newest = ev->time;
        cov->has_newest = true;
    }
    if (name.p == NULL) {
        cov->events_no_host++;
        return;
    }

    struct host_cov *h = find_host(cov, name, true);
    if (h == NULL) {
        cov->hosts_dropped++;
        return;
    }
    h->seen = true;
    if (ev->kind == EVENT_EXEC) {
        h->execs++;
    }
    if (ev->kind == EVENT_SSH_ENABLED) {
        h->ssh_enabled++;
    }

    struct format_seen *f =
        find_format(h, ev->origin.format ? ev->origin.format : "unknown");
    if (f == NULL) {
        return;
    }
    if (f->events == 0 || event_time_cmp(&ev->time, &f->first) < 0) {
        f->first = ev->time;
    }
    if (f->events == 0 || event_time_cmp(&ev->time, &f->last) > 0) {
        f->last = ev->time;
    }
    f->events++;
    if (late) {
        f->late++;
    }
}

void
coverage_add_login(struct coverage *cov, struct sv host)
{
    struct host_cov *h = host.p ? find_host(cov, host, true) : NULL;

    if (h != NULL) {
        h->seen = true;
        h->logins++;
    }
}

int
coverage_load_inventory(struct coverage *cov, const char *path, char *err,
                        size_t errlen)
{
    FILE *f = fopen(path, "r");
    char line[512];
    unsigned long lineno = 0;

    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open inventory: %s", path,
                 strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        struct sv name = sv_trim(sv_cstr(line));
        if (name.len == 0 || name.p[0] == '#') {
            continue;
        }
        struct host_cov *h = find_host(cov, name, true);
        if (h == NULL) {
            snprintf(err, errlen, "%s:%lu: too many hosts (maximum %d)",
                     path, lineno, COVERAGE_MAX_HOSTS);
            fclose(f);
            return -1;
        }
        h->in_inventory = true;
    }
    fclose(f);
    cov->has_inventory = true;
    return 0;
}

static int
compare_hosts(const void *a, const void *b)
{
    const struct host_cov *x = *(const struct host_cov *const *)a;
    const struct host_cov *y = *(const struct host_cov *const *)b;
    return strcmp(x->name, y->name);
}

/* The blind spots of one host, as codes; returns how many were found. */
static int
host_gaps(const struct coverage *cov, const struct host_cov *h,
          int64_t silence_ms, const char **codes, int max)
{
    int n = 0;

    if (!h->seen) {
        codes[n++] = "inventory_host_without_logs";
        return n;
    }
    if ((h->logins > 0 || h->ssh_enabled > 0) && h->execs == 0 && n < max) {
        codes[n++] = "no_execution_telemetry";
    }
    if (cov->has_inventory && !h->in_inventory && n < max) {
        codes[n++] = "not_in_inventory";
    }
    for (int i = 0; i < h->nformats && n < max; i++) {
        if (event_time_ms(&cov->newest) - event_time_ms(&h->formats[i].last) >
            silence_ms) {
            codes[n++] = "silent_source";
            break;
        }
    }
    for (int i = 0; i < h->nformats && n < max; i++) {
        if (h->formats[i].late > 0) {
            codes[n++] = "late_records";
            break;
        }
    }
    return n;
}

void
coverage_write_json(struct coverage *cov, struct buf *out, int64_t silence_ms)
{
    struct jsonw w;
    const char *codes[8];

    qsort(cov->hosts, cov->nhosts, sizeof(*cov->hosts), compare_hosts);
    cov->gaps = 0;
    for (size_t i = 0; i < cov->nhosts; i++) {
        const struct host_cov *h = cov->hosts[i];
        int n = host_gaps(cov, h, silence_ms, codes, 8);

        cov->gaps += (uint64_t)n;
        jsonw_init(&w, out);
        jsonw_obj_begin(&w, NULL);
        jsonw_cstr(&w, "host", h->name);
        if (cov->has_inventory) {
            jsonw_bool(&w, "in_inventory", h->in_inventory);
        }
        jsonw_int(&w, "ssh_logins", (int64_t)h->logins);
        jsonw_int(&w, "executions", (int64_t)h->execs);
        jsonw_int(&w, "ssh_enabled", (int64_t)h->ssh_enabled);
        jsonw_arr_begin(&w, "sources");
        for (int k = 0; k < h->nformats; k++) {
            const struct format_seen *f = &h->formats[k];
            char t[40];
            jsonw_obj_begin(&w, NULL);
            jsonw_cstr(&w, "format", f->format);
            jsonw_int(&w, "events", (int64_t)f->events);
            jsonw_int(&w, "late", (int64_t)f->late);
            time_format(&f->first, t);
            jsonw_cstr(&w, "first", t);
            time_format(&f->last, t);
            jsonw_cstr(&w, "last", t);
            jsonw_obj_end(&w);
        }
        jsonw_arr_end(&w);
        jsonw_arr_begin(&w, "blind_spots");
        for (int k = 0; k < n; k++) {
            jsonw_cstr(&w, NULL, codes[k]);
        }
        jsonw_arr_end(&w);
        jsonw_obj_end(&w);
        buf_add_char(out, '\n');
    }
}

void
coverage_write_text(struct coverage *cov, struct buf *out, int64_t silence_ms)
{
    const char *codes[8];

    qsort(cov->hosts, cov->nhosts, sizeof(*cov->hosts), compare_hosts);
    cov->gaps = 0;
    for (size_t i = 0; i < cov->nhosts; i++) {
        const struct host_cov *h = cov->hosts[i];
        int n = host_gaps(cov, h, silence_ms, codes, 8);

        cov->gaps += (uint64_t)n;
        escape_text(out, sv_cstr(h->name), 128);
        buf_add_cstr(out, "  logins ");
        buf_add_i64(out, (long long)h->logins);
        buf_add_cstr(out, "  executions ");
        buf_add_i64(out, (long long)h->execs);
        buf_add_cstr(out, "  sources");
        for (int k = 0; k < h->nformats; k++) {
            buf_add_char(out, k ? ',' : ' ');
            buf_add_cstr(out, h->formats[k].format);
        }
        if (h->nformats == 0) {
            buf_add_cstr(out, " none");
        }
        for (int k = 0; k < n; k++) {
            buf_add_cstr(out, k ? ", " : "  BLIND SPOT: ");
            buf_add_cstr(out, codes[k]);
        }
        buf_add_char(out, '\n');
    }
}

uint64_t
coverage_gaps(const struct coverage *cov)
{
    return cov->gaps;
}
