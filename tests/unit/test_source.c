/*
 * Unit tests for the line numbers, format detection and reorder buffer of
 * struct source.  Events from a line provider carry the number of the
 * entry they came from, a file of blank lines only reads like an empty
 * file, and a text log after a hole of NUL bytes reads as text.  Events leave in time order and whole, whether they were packed in
 * order, held out of order, or too large to pack, and events of time-only
 * kinds leave bare in the same order.
 */
#include "input/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/timeconv.h"
#include "formats/format.h"
#include "tcheck.h"

/* A line provider over a fixed table of lines. */
struct table_provider {
    const char *const *lines;
    size_t count;
    size_t next;
};

static int
table_next(void *arg, struct sv *line, char *err, size_t errlen)
{
    struct table_provider *t = arg;

    (void)err;
    (void)errlen;
    if (t->next == t->count) {
        return 0;
    }
    *line = sv_cstr(t->lines[t->next++]);
    return 1;
}

static const struct tz utc;

static void
init_opts(struct source_opts *so, struct diag *d)
{
    memset(so, 0, sizeof(*so));
    diag_init(d);
    so->diag = d;
    so->fmt.tz = &utc;
    so->fmt.year = 2024;
    so->fmt.year_given = true;
}

static void
provider_lines_numbered(void)
{
    static const char *const lines[] = {
        "Mar  1 10:00:00 web1 cron[10]: not sshd",
        "Mar  1 10:00:01 web1 sshd[20]: Invalid user a from 192.0.2.1 "
        "port 1",
        "Mar  1 10:00:02 web1 sshd[21]: Invalid user b from 192.0.2.2 "
        "port 2",
    };
    struct table_provider t = { lines, 3, 0 };
    struct line_provider p = { table_next, NULL, &t };
    struct source_opts so;
    struct diag d;
    char err[256];
    const struct event *ev;

    init_opts(&so, &d);
    so.format = format_find("sshd");
    CHECK(so.format != NULL);
    struct source *s = source_open_provider("provider", &p, &so, err,
                                            sizeof(err));
    CHECK(s != NULL);
    if (s == NULL) {
        return;
    }
    CHECK_INT(source_peek(s, &ev), 1);
    CHECK_INT((int)ev->origin.line, 2);
    source_pop(s);
    CHECK_INT(source_peek(s, &ev), 1);
    CHECK_INT((int)ev->origin.line, 3);
    source_pop(s);
    CHECK_INT(source_peek(s, &ev), 0);
    source_free(s);
}

/* Writes text to a new temporary file; returns its path for the caller
 * to free. */
static char *
temp_file(const char *text)
{
    char *path = strdup("/tmp/sshtrail-test-source.XXXXXX");
    int fd = mkstemp(path);

    CHECK(fd >= 0);
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void
open_and_count(const char *text, bool *opened, uint64_t *lines)
{
    struct source_opts so;
    struct diag d;
    char err[256];
    const struct event *ev;
    char *path = temp_file(text);

    init_opts(&so, &d);
    struct source *s = source_open(path, &so, err, sizeof(err));
    *opened = s != NULL;
    *lines = 0;
    if (s != NULL) {
        CHECK_INT(source_peek(s, &ev), 0);
        *lines = source_stats(s)->lines + source_stats(s)->malformed;
        source_free(s);
    }
    unlink(path);
    free(path);
}

static void
blank_file_reads_as_empty(void)
{
    bool opened;
    uint64_t lines;

    open_and_count("", &opened, &lines);
    CHECK(opened);
    CHECK_INT((int)lines, 0);
    open_and_count("\n\n   \n\t\r\n", &opened, &lines);
    CHECK(opened);
    CHECK_INT((int)lines, 0);
    open_and_count("\nnot a log line at all\n", &opened, &lines);
    CHECK(!opened);
}

/*
 * A text log that starts with a hole of NUL bytes, as logrotate's
 * copytruncate leaves, reads as its format, and its first line is parsed.
 */
static void
nul_hole_reads_as_text(void)
{
    static const char text[] =
        "Mar  1 10:00:01 web1 sshd[20]: Invalid user a from 192.0.2.1 "
        "port 1\n"
        "Mar  1 10:00:02 web1 sshd[21]: Invalid user b from 192.0.2.2 "
        "port 2\n";
    size_t holes[] = { 100, 4096, 20000 };

    for (size_t k = 0; k < sizeof(holes) / sizeof(holes[0]); k++) {
        char *path = strdup("/tmp/sshtrail-test-source.XXXXXX");
        int fd = mkstemp(path);
        char *zeros = calloc(1, holes[k]);
        struct source_opts so;
        struct diag d;
        char err[256];
        const struct event *ev;

        CHECK(fd >= 0);
        CHECK(write(fd, zeros, holes[k]) == (ssize_t)holes[k]);
        CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
        close(fd);
        init_opts(&so, &d);
        struct source *s = source_open(path, &so, err, sizeof(err));
        CHECK(s != NULL);
        int events = 0;
        while (s != NULL && source_peek(s, &ev) == 1) {
            events++;
            source_pop(s);
        }
        CHECK_INT(events, 2);
        if (s != NULL) {
            CHECK_STR(source_format(s), "sshd");
            CHECK_INT((int)source_stats(s)->malformed, 0);
            source_free(s);
        }
        unlink(path);
        free(path);
        free(zeros);
    }
}

/* Line i of the reorder test: its time in tenths of a second. */
static long
reorder_tenths(int i)
{
    /* Every seventh line is five seconds late, which a run of its own
     * holds.  Every eleventh is up to twenty seconds late in no order,
     * which only the heap can hold. */
    if (i % 11 == 5) {
        return i - (long)((unsigned)i * 2654435761u >> 16) % 200;
    }
    return i % 7 == 3 ? i - 50 : i;
}

static char *
reorder_line(int i)
{
    long t = 36000 + reorder_tenths(i);
    size_t user_len = i % 1000 == 500 ? 70000 : 0;
    size_t cap = 200 + user_len;
    char *line = malloc(cap);
    char *user = malloc(user_len + 1);

    memset(user, 'u', user_len);
    user[user_len] = '\0';
    snprintf(line, cap,
             "2024-03-01T%02ld:%02ld:%02ld.%ld00000+00:00 %s sshd[%d]: "
             "Invalid user %s%d from 192.0.2.%d port %d",
             t / 36000, t / 600 % 60, t / 10 % 60, t % 10,
             i % 2 ? "Web1.Example.COM" : "db2", 100 + i, user, i,
             i % 250, 1000 + i);
    free(user);
    return line;
}

/* Reads the reorder lines through a source, with a reading thread when
 * pool is set, and checks every event and the time order. */
static void
check_events_whole(struct source_pool *pool)
{
    enum { N = 5000 };
    char **lines = calloc(N, sizeof(*lines));
    struct source_opts so;
    struct diag d;
    char err[256];
    const struct event *ev;

    for (int i = 0; i < N; i++) {
        lines[i] = reorder_line(i);
    }
    struct table_provider t = { (const char *const *)lines, N, 0 };
    struct line_provider p = { table_next, NULL, &t };
    init_opts(&so, &d);
    so.format = format_find("sshd");
    so.tolerance_ms = 30000;
    so.pool = pool;
    struct source *s = source_open_provider("provider", &p, &so, err,
                                            sizeof(err));
    CHECK(s != NULL);

    int seen = 0;
    int wrong = 0;
    struct event_time prev = { 0, 0, 0 };
    while (s != NULL && source_peek(s, &ev) == 1) {
        /* A second peek returns the same event. */
        const struct event *again = NULL;
        if (source_peek(s, &again) != 1 || again != ev) {
            wrong++;
        }
        int i = (int)ev->origin.line - 1;
        char want[32];
        struct sv user = event_str(ev, EVENT_USER);
        size_t user_len = i % 1000 == 500 ? 70000 : 0;

        snprintf(want, sizeof(want), "%d", i);
        if (event_time_cmp(&prev, &ev->time) > 0 ||
            user.len != user_len + strlen(want) ||
            memcmp(user.p + user_len, want, strlen(want)) != 0 ||
            !sv_eq_cstr(event_str(ev, EVENT_HOST), i % 2 ? "web1" : "db2") ||
            event_num(ev, EVENT_SRC_PORT, 0) != 1000 + i ||
            event_num(ev, EVENT_PID, 0) != 100 + i ||
            ev->kind != EVENT_INVALID_USER) {
            wrong++;
        }
        prev = ev->time;
        seen++;
        source_pop(s);
    }
    CHECK_INT(seen, N);
    CHECK_INT(wrong, 0);
    source_free(s);
    for (int i = 0; i < N; i++) {
        free(lines[i]);
    }
    free(lines);
}

static void
reorder_keeps_events_whole(void)
{
    check_events_whole(NULL);
}

/* The reading thread hands over unpacked copies of the packed records. */
static void
reorder_threaded_keeps_events_whole(void)
{
    struct source_pool *pool = source_pool_new(1);

    CHECK(pool != NULL);
    check_events_whole(pool);
    source_pool_free(pool);
}

/* Line i of the time-only test: every third is a close before login. */
static char *
time_only_line(int i)
{
    char *line = reorder_line(i);

    if (i % 3 == 0) {
        long t = 36000 + reorder_tenths(i);
        snprintf(line, 200,
                 "2024-03-01T%02ld:%02ld:%02ld.%ld00000+00:00 db2 sshd[%d]: "
                 "Connection closed by invalid user x%d 192.0.2.9 port %d "
                 "[preauth]",
                 t / 36000, t / 600 % 60, t / 10 % 60, t % 10, 100 + i, i,
                 2000 + i);
    }
    return line;
}

/* The kind, result, time and origin line of each event a source gives. */
struct seen_event {
    enum event_kind kind;
    enum event_result result;
    struct event_time time;
    uint64_t line;
    bool bare;                          /* no string or number field */
};

/*
 * Opens the sshd lines in t as an input with the default 30 s tolerance,
 * the given needs, and a reading thread when pool is set.  t and p must
 * outlive the source.
 */
static struct source *
open_sshd_lines(struct table_provider *t, struct line_provider *p,
                struct event_needs needs, struct source_pool *pool,
                struct diag *d)
{
    struct source_opts so;
    char err[256];

    *p = (struct line_provider){ table_next, NULL, t };
    init_opts(&so, d);
    so.format = format_find("sshd");
    so.tolerance_ms = 30000;
    so.pool = pool;
    so.needs = needs;
    return source_open_provider("provider", p, &so, err, sizeof(err));
}

static struct seen_event *
read_time_only(const char *const *lines, int n, uint64_t time_only_kinds,
               struct source_pool *pool, int *count)
{
    struct seen_event *seen = calloc((size_t)n + 1, sizeof(*seen));
    struct table_provider t = { lines, (size_t)n, 0 };
    struct line_provider p;
    struct diag d;
    const struct event *ev;
    struct event_needs needs = { time_only_kinds, 0 };
    struct source *s = open_sshd_lines(&t, &p, needs, pool, &d);

    *count = 0;
    while (s != NULL && *count <= n && source_peek(s, &ev) == 1) {
        struct seen_event *e = &seen[(*count)++];
        e->kind = ev->kind;
        e->result = ev->result;
        e->time = ev->time;
        e->line = ev->origin.line;
        e->bare = ev->str_set == 0 && ev->num_set == 0 &&
                  strcmp(ev->origin.format, "sshd") == 0 &&
                  strcmp(ev->origin.file, "provider") == 0;
        source_pop(s);
    }
    source_free(s);
    return seen;
}

/*
 * Events of a time-only kind come out bare: kind, result, time, format
 * and file, and line 0.  They keep the order they have with all their
 * fields, with and without a reading thread, and other events keep every
 * field.
 */
static void
time_only_kinds_keep_order(void)
{
    enum { N = 3000 };
    char **lines = calloc(N, sizeof(*lines));
    uint64_t bit = UINT64_C(1) << EVENT_PREAUTH_CLOSE;
    int n_full, n_brief, n_threaded;

    for (int i = 0; i < N; i++) {
        lines[i] = time_only_line(i);
    }
    const char *const *text = (const char *const *)lines;
    struct seen_event *full = read_time_only(text, N, 0, NULL, &n_full);
    struct seen_event *brief = read_time_only(text, N, bit, NULL, &n_brief);
    struct source_pool *pool = source_pool_new(1);
    CHECK(pool != NULL);
    struct seen_event *threaded =
        read_time_only(text, N, bit, pool, &n_threaded);
    source_pool_free(pool);

    CHECK_INT(n_full, N);
    CHECK_INT(n_brief, N);
    CHECK_INT(n_threaded, N);
    int closes = 0, wrong = 0;
    for (int k = 0; k < N; k++) {
        const struct seen_event *want = &full[k];
        bool close = want->kind == EVENT_PREAUTH_CLOSE;
        closes += close;
        for (int v = 0; v < 2; v++) {
            const struct seen_event *got = v == 0 ? &brief[k] : &threaded[k];
            if (got->kind != want->kind || got->result != want->result ||
                event_time_cmp(&got->time, &want->time) != 0 ||
                got->time.digits != want->time.digits ||
                got->bare != close ||
                got->line != (close ? 0 : want->line)) {
                wrong++;
            }
        }
    }
    CHECK_INT(closes, N / 3);
    CHECK_INT(wrong, 0);
    free(full);
    free(brief);
    free(threaded);
    for (int i = 0; i < N; i++) {
        free(lines[i]);
    }
    free(lines);
}

/*
 * Lines in no order, many at the same time, with the whole input held
 * (the tolerance exceeds its span): events leave sorted by time, and
 * those at the same time in the order they came.
 */
static void
reorder_keeps_ties_in_arrival_order(void)
{
    enum { N = 3000 };
    char **lines = calloc(N, sizeof(*lines));
    struct source_opts so;
    struct diag d;
    char err[256];
    const struct event *ev;

    for (int i = 0; i < N; i++) {
        /* Mostly rising in steps, with every fifth line back in time. */
        unsigned h = (unsigned)i * 2654435761u >> 20;
        long tenths = i % 5 == 4 ? (long)(h % 400) : i / 8;
        lines[i] = malloc(160);
        snprintf(lines[i], 160,
                 "2024-03-01T10:%02ld:%02ld.%ld+00:00 web1 sshd[%d]: "
                 "Invalid user u%d from 192.0.2.1 port 22",
                 tenths / 600, tenths / 10 % 60, tenths % 10, i, i);
    }
    struct table_provider t = { (const char *const *)lines, N, 0 };
    struct line_provider p = { table_next, NULL, &t };
    init_opts(&so, &d);
    so.format = format_find("sshd");
    so.tolerance_ms = 3600000;
    struct source *s = source_open_provider("provider", &p, &so, err,
                                            sizeof(err));
    CHECK(s != NULL);

    int seen = 0;
    int wrong = 0;
    struct event_time prev = { 0, 0, 0 };
    uint64_t prev_line = 0;
    while (s != NULL && source_peek(s, &ev) == 1) {
        int c = event_time_cmp(&prev, &ev->time);
        if (c > 0 || (c == 0 && prev_line >= ev->origin.line)) {
            wrong++;
        }
        prev = ev->time;
        prev_line = ev->origin.line;
        seen++;
        source_pop(s);
    }
    CHECK_INT(seen, N);
    CHECK_INT(wrong, 0);
    source_free(s);
    for (int i = 0; i < N; i++) {
        free(lines[i]);
    }
    free(lines);
}

/* Host spellings of every length class of the host cache's keys, some of
 * which share bytes or differ only in case, and their canonical forms. */
static const char *const host_cases[][2] = {
    { "a", "a" },
    { "A", "a" },
    { "ab", "ab" },
    { "abb", "abb" },
    { "aab", "aab" },
    { "AbB", "abb" },
    { "AaB", "aab" },
    { "aaab", "aaab" },
    { "WebAb", "webab" },
    { "WebBb", "webbb" },
    { "WEB1.b", "web1" },
    { "abbb", "abbb" },
    { "Web1", "web1" },
    { "web1", "web1" },
    { "web11", "web11" },
    { "web1.b", "web1" },
    { "x.y", "x" },
    { "192.0.2.7", "192.0.2.7" },
    { "DB02.example.com", "db02" },
    { "db02.example.org", "db02" },
    { "bastion0.corp.example.com", "bastion0" },
    { "bastion1.corp.example.com", "bastion1" },
    { "BASTION1.corp.example.com", "bastion1" },
};

#define HOST_CASES (sizeof(host_cases) / sizeof(host_cases[0]))

/* Line i of the host cache test names the host of host_case(i): the cases
 * above in turn, then generated ones, more than the cache holds. */
static void
host_case(int i, char *given, char *want, size_t cap)
{
    if (i % 3 == 0) {
        snprintf(given, cap, "%s", host_cases[i / 3 % HOST_CASES][0]);
        snprintf(want, cap, "%s", host_cases[i / 3 % HOST_CASES][1]);
        return;
    }
    /* 700 names that differ in one or two bytes, half in upper case. */
    int n = i % 700;
    snprintf(given, cap, n % 2 ? "H%d.Example" : "h%d", n);
    snprintf(want, cap, "h%d", n);
}

/*
 * Events keep the canonical form of their own host when the input names
 * more hosts than the host cache holds, in an order that evicts entries,
 * and with spellings that share bytes or a cache key.
 */
static void
host_cache_keeps_spellings_apart(void)
{
    enum { N = 6000 };
    char **lines = calloc(N, sizeof(*lines));
    struct source_opts so;
    struct diag d;
    char err[256];
    char given[64];
    char want[64];
    const struct event *ev;

    for (int i = 0; i < N; i++) {
        host_case(i, given, want, sizeof(given));
        lines[i] = malloc(160);
        snprintf(lines[i], 160,
                 "2024-03-01T10:00:00+00:00 %s sshd[%d]: "
                 "Invalid user u%d from 192.0.2.1 port 22", given, i, i);
    }
    struct table_provider t = { (const char *const *)lines, N, 0 };
    struct line_provider p = { table_next, NULL, &t };
    init_opts(&so, &d);
    so.format = format_find("sshd");
    struct source *s = source_open_provider("provider", &p, &so, err,
                                            sizeof(err));
    CHECK(s != NULL);

    int seen = 0;
    int wrong = 0;
    while (s != NULL && source_peek(s, &ev) == 1) {
        host_case((int)ev->origin.line - 1, given, want, sizeof(given));
        if (!sv_eq_cstr(event_str(ev, EVENT_HOST), want)) {
            wrong++;
        }
        seen++;
        source_pop(s);
    }
    CHECK_INT(seen, N);
    CHECK_INT(wrong, 0);
    source_free(s);
    for (int i = 0; i < N; i++) {
        free(lines[i]);
    }
    free(lines);
}

/* Line i of the source-only test: failures of several shapes between the
 * reorder lines, one of them with a user name that spells an address. */
static char *
source_only_line(int i)
{
    char *line = reorder_line(i);
    long t = 36000 + reorder_tenths(i);
    const char *host = i % 2 ? "DB2.example.com" : "web1";

    if (i % 4 == 1) {
        snprintf(line, 200,
                 "2024-03-01T%02ld:%02ld:%02ld.%ld00000+00:00 %s sshd[%d]: "
                 "Failed password for invalid user x from 10.9.9.9 port 22 "
                 "from 198.51.100.%d port %d ssh2",
                 t / 36000, t / 600 % 60, t / 10 % 60, t % 10, host,
                 100 + i, i % 200, 3000 + i);
    } else if (i % 4 == 3) {
        snprintf(line, 200,
                 "2024-03-01T%02ld:%02ld:%02ld.%ld00000+00:00 %s sshd[%d]: "
                 "pam_unix(sshd:auth): authentication failure; logname= "
                 "uid=0 euid=0 tty=ssh ruser= rhost=%s",
                 t / 36000, t / 600 % 60, t / 10 % 60, t % 10, host,
                 100 + i, i % 8 == 3 ? "" : "2001:db8::1");
    }
    return line;
}

/* The fields of an event that the correlator reads for a failure. */
struct source_fields_seen {
    enum event_kind kind;
    enum event_result result;
    struct event_time time;
    uint64_t line;
    char text[3][128];                  /* host, program, address or "-" */
};

static struct source_fields_seen *
read_source_fields(const char *const *lines, int n, uint64_t source_only,
                   struct source_pool *pool, int *count)
{
    static const enum event_str fields[3] = {
        EVENT_HOST, EVENT_PROGRAM, EVENT_SRC_IP
    };
    struct source_fields_seen *seen = calloc((size_t)n + 1, sizeof(*seen));
    struct table_provider t = { lines, (size_t)n, 0 };
    struct line_provider p;
    struct diag d;
    const struct event *ev;
    struct event_needs needs = { 0, source_only };
    struct source *s = open_sshd_lines(&t, &p, needs, pool, &d);

    *count = 0;
    while (s != NULL && *count <= n && source_peek(s, &ev) == 1) {
        struct source_fields_seen *e = &seen[(*count)++];
        e->kind = ev->kind;
        e->result = ev->result;
        e->time = ev->time;
        e->line = ev->origin.line;
        for (int f = 0; f < 3; f++) {
            struct sv v = event_str(ev, fields[f]);
            snprintf(e->text[f], sizeof(e->text[f]), "%s%.*s",
                     v.p == NULL ? "-" : "=", (int)(v.len < 100 ? v.len : 100),
                     v.p == NULL ? "" : v.p);
        }
        CHECK(strcmp(ev->origin.format, "sshd") == 0);
        CHECK(strcmp(ev->origin.file, "provider") == 0);
        source_pop(s);
    }
    source_free(s);
    return seen;
}

/*
 * Failures held in the short source-only form come out with the kind,
 * result, time, line, canonical host, program and source address they
 * have when held whole, in the same order, with and without a reading
 * thread.
 */
static void
source_only_kinds_keep_fields(void)
{
    enum { N = 4000 };
    char **lines = calloc(N, sizeof(*lines));
    uint64_t bits = UINT64_C(1) << EVENT_AUTH_FAILURE |
                    UINT64_C(1) << EVENT_INVALID_USER;
    int n_full, n_short, n_threaded;

    for (int i = 0; i < N; i++) {
        lines[i] = source_only_line(i);
    }
    const char *const *text = (const char *const *)lines;
    struct source_fields_seen *full =
        read_source_fields(text, N, 0, NULL, &n_full);
    struct source_fields_seen *brief =
        read_source_fields(text, N, bits, NULL, &n_short);
    struct source_pool *pool = source_pool_new(1);
    CHECK(pool != NULL);
    struct source_fields_seen *threaded =
        read_source_fields(text, N, bits, pool, &n_threaded);
    source_pool_free(pool);

    CHECK_INT(n_full, N);
    CHECK_INT(n_short, N);
    CHECK_INT(n_threaded, N);
    int failures = 0, wrong = 0, forged = 0;
    for (int k = 0; k < N; k++) {
        const struct source_fields_seen *want = &full[k];
        failures += want->kind == EVENT_AUTH_FAILURE;
        forged += strcmp(want->text[2], "=10.9.9.9") == 0;
        for (int v = 0; v < 2; v++) {
            const struct source_fields_seen *got =
                v == 0 ? &brief[k] : &threaded[k];
            bool same = got->kind == want->kind &&
                        got->result == want->result &&
                        event_time_cmp(&got->time, &want->time) == 0 &&
                        got->time.digits == want->time.digits &&
                        got->line == want->line;
            for (int f = 0; f < 3; f++) {
                same = same && strcmp(got->text[f], want->text[f]) == 0;
            }
            wrong += !same;
        }
    }
    CHECK_INT(failures, N / 2);
    CHECK_INT(forged, 0);
    CHECK_INT(wrong, 0);
    free(full);
    free(brief);
    free(threaded);
    for (int i = 0; i < N; i++) {
        free(lines[i]);
    }
    free(lines);
}

int
main(void)
{
    TEST_RUN("source", provider_lines_numbered);
    TEST_RUN("source", blank_file_reads_as_empty);
    TEST_RUN("source", nul_hole_reads_as_text);
    TEST_RUN("source", reorder_keeps_events_whole);
    TEST_RUN("source", reorder_threaded_keeps_events_whole);
    TEST_RUN("source", reorder_keeps_ties_in_arrival_order);
    TEST_RUN("source", host_cache_keeps_spellings_apart);
    TEST_RUN("source", time_only_kinds_keep_order);
    TEST_RUN("source", source_only_kinds_keep_fields);
    TEST_EXIT();
}
