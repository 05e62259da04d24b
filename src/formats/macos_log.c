/*
 * The macOS unified log as `log show` and `log stream` print it, in the
 * default, compact, syslog, json and ndjson styles.
 *
 * Only lines from sshd, sshd-session and sshd-auth are used: their
 * message goes to sshd_parse_message() with a header filled from the
 * style's own columns.  sshd-keygen-wrapper (host key generation at boot)
 * and every other process are skipped, the outgoing ssh client included,
 * because no line it writes to the unified log is recognised.  The
 * default, compact and json styles carry no host name, so events from them
 * get the pipeline's default host.  The json style is one array whose
 * objects span many lines; macos_json.c collects each object, bounded.
 */
#include "formats/format.h"
#include "formats/macos_json.h"
#include "formats/sshd.h"
#include "formats/syslog_header.h"

#include <stdlib.h>
#include <string.h>

/* Parser state for one input. */
struct macos_log_state {
    struct format_opts opts;
    struct syslog_header_state header;
    struct macos_json_reader json;
    struct event ev;                /* reused for every record */

    /* Context of the current feed call, for the JSON object callback. */
    const struct event_origin *origin;
    const struct event_sink *sink;
    struct macos_json_outcome out;  /* of the line being fed */
};

/* Text `log show` prints around its records, never a record itself. */
static const char *const banners[] = {
    "Filtering the log data",
    "Skipping ",
    "Timestamp ",
    "----",
    "--- last message repeated",
    "Log ",
    "Events ",
    "Activity ",
    "Boundary",
    "Statistics",
    NULL,
};

static struct sv
next_token(struct sv s, struct sv *rest)
{
    s = sv_trim_left(s);
    size_t i = 0;
    while (i < s.len && s.p[i] != ' ' && s.p[i] != '\t') {
        i++;
    }
    *rest = sv_skip(s, i);
    return sv_head(s, i);
}

static bool
is_digits(struct sv s)
{
    if (s.len == 0) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
    }
    return true;
}

/* Returns true for a non-empty run of hexadecimal digits. */
static bool
is_hex_digits(struct sv s)
{
    if (s.len == 0) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
              (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

static bool
is_hex_token(struct sv s)
{
    return s.len > 2 && sv_starts_with(s, "0x");
}

/* Returns the last path component of path ("/usr/sbin/sshd" -> "sshd"). */
static struct sv
path_basename(struct sv path)
{
    for (size_t i = path.len; i > 0; i--) {
        if (path.p[i - 1] == '/') {
            return sv_skip(path, i);
        }
    }
    return path;
}

/*
 * Drops the "(sender image) " and "[subsystem:category] " parts that
 * `log show` puts before the message text.  Neither part contains a
 * space, and no sshd message starts with "(" or "[", so text the client
 * chose cannot be taken for them.
 */
static struct sv
strip_log_prefixes(struct sv msg)
{
    ptrdiff_t close;

    if (sv_starts_with(msg, "(")) {
        close = sv_find(msg, SV_LIT(") "));
        if (close > 1 && sv_find_char(sv_head(msg, (size_t)close), ' ') < 0) {
            msg = sv_skip(msg, (size_t)close + 2);
        }
    }
    if (sv_starts_with(msg, "[")) {
        close = sv_find(msg, SV_LIT("] "));
        struct sv inner = sv_head(msg, close > 0 ? (size_t)close : 0);
        if (close > 1 && sv_find_char(inner, ' ') < 0 &&
            sv_find_char(inner, ':') > 0) {
            msg = sv_skip(msg, (size_t)close + 2);
        }
    }
    return msg;
}

/*
 * Parses the default style after its stamp: "0x1a2b  Default  0x0  1234
 * 0  sshd: (libpam.2.dylib) message", the columns Thread, Type, Activity,
 * PID and TTL, then "process: message".  Returns false when the columns
 * are not there.
 */
static bool
parse_default_columns(struct sv s, struct syslog_header *h)
{
    struct sv rest, pid;
    uint64_t v;

    if (!is_hex_token(next_token(s, &rest))) {
        return false;
    }
    (void)next_token(rest, &rest);                  /* Type */
    if (!is_hex_token(next_token(rest, &rest))) {   /* Activity */
        return false;
    }
    pid = next_token(rest, &rest);
    if (!is_digits(next_token(rest, &rest)) ||      /* TTL */
        !sv_to_u64(pid, UINT32_MAX, &v)) {
        return false;
    }
    rest = sv_trim_left(rest);
    ptrdiff_t colon = sv_find(rest, SV_LIT(": "));
    if (colon <= 0) {
        return false;
    }
    h->program = sv_head(rest, (size_t)colon);
    h->pid = (int64_t)v;
    h->message = sv_skip(rest, (size_t)colon + 2);
    return true;
}

/*
 * Parses the compact style after its stamp: "Df sshd[1234:5678] message"
 * (Type abbreviation, then process[PID:TID], the thread id in hex).
 * Returns false when the line does not have that shape.
 */
static bool
parse_compact_columns(struct sv s, struct syslog_header *h)
{
    struct sv rest;
    struct sv type = next_token(s, &rest);
    struct sv proc = next_token(rest, &rest);
    ptrdiff_t open = sv_find_char(proc, '[');
    uint64_t v;

    if (type.len == 0 || type.len > 2 || open <= 0 ||
        !sv_ends_with(proc, "]")) {
        return false;
    }
    struct sv ids = sv_make(proc.p + open + 1, proc.len - (size_t)open - 2);
    struct sv pid;
    struct sv tid = sv_cut(ids, ':', &pid);
    if (!is_hex_digits(tid) || !sv_to_u64(pid, UINT32_MAX, &v)) {
        return false;
    }
    h->program = sv_head(proc, (size_t)open);
    h->pid = (int64_t)v;
    if (rest.len > 0 && rest.p[0] == ' ') {
        rest = sv_skip(rest, 1);
    }
    h->message = rest;
    return true;
}

/*
 * Splits a text-style line into a header.  Default and compact lines are
 * told apart by their columns; anything else stamped goes through
 * syslog_header_parse (the syslog style, or system.log).  Returns false
 * for a line with no stamp.
 */
static bool
parse_text_line(struct macos_log_state *st, struct sv line,
                struct syslog_header *h)
{
    struct event_time t;
    size_t n = time_parse_iso(line, st->opts.tz, &t);

    if (n > 0 && n < line.len && line.p[n] == ' ') {
        memset(h, 0, sizeof(*h));
        h->kind = SYSLOG_HEADER_STAMPED;
        h->time = t;
        h->pid = -1;
        if (parse_default_columns(sv_skip(line, n), h) ||
            parse_compact_columns(sv_skip(line, n), h)) {
            return true;
        }
    }
    /* The syslog style, and /var/log/system.log with RFC 3164 stamps. */
    return syslog_header_parse(&st->header, line, h) ==
           SYSLOG_HEADER_STAMPED;
}

/* Sends one record with a filled header to the sshd message parser. */
static enum parse_status
use_record(struct macos_log_state *st, struct syslog_header *h,
           const struct event_origin *origin, const struct event_sink *sink,
           const char **reason)
{
    if (!sshd_is_program(h->program)) {
        *reason = "not an sshd program";
        return PARSE_SKIP;
    }
    h->message = strip_log_prefixes(h->message);
    return sshd_parse_message(&st->ev, &st->opts, h, origin, sink, reason);
}

/*
 * Handles one JSON record of the json or ndjson style:
 * {"timestamp":"2024-01-02 03:04:05.123456-0700","processImagePath":
 * "/usr/sbin/sshd","processID":1234,"eventMessage":"Accepted ...", ...}
 */
static enum parse_status
use_json_record(void *arg, const cJSON *rec, const struct event_origin *origin,
                const char **reason)
{
    struct macos_log_state *st = arg;
    struct syslog_header h;
    struct sv stamp = macos_json_str(macos_json_path(rec, "timestamp"));
    struct sv image = macos_json_str(macos_json_path(rec,
                                                     "processImagePath"));
    struct sv type = macos_json_str(macos_json_path(rec, "eventType"));
    int64_t pid;

    memset(&h, 0, sizeof(h));
    h.kind = SYSLOG_HEADER_STAMPED;
    h.pid = -1;
    if (type.p != NULL && !sv_eq_cstr(type, "logEvent")) {
        *reason = "unified log entry that is not a log message";
        return PARSE_SKIP;
    }
    if (stamp.p == NULL || image.p == NULL ||
        time_parse_iso(stamp, st->opts.tz, &h.time) != stamp.len) {
        *reason = "JSON record without timestamp or processImagePath";
        return PARSE_MALFORMED;
    }
    h.program = path_basename(image);
    if (macos_json_int(macos_json_path(rec, "processID"), &pid) &&
        pid >= 0) {
        h.pid = pid;
    }
    h.message = macos_json_str(macos_json_path(rec, "eventMessage"));
    if (h.message.p == NULL) {
        h.message = SV_LIT("");
    }
    if (!sshd_is_program(h.program)) {
        *reason = "not an sshd program";
        return PARSE_SKIP;
    }
    return sshd_parse_message(&st->ev, &st->opts, &h, origin, st->sink,
                              reason);
}

/* Receives each complete JSON object from the reader. */
static void
on_json_object(void *arg, struct sv object, uint64_t first_line)
{
    struct macos_log_state *st = arg;

    macos_json_use_record(object, first_line, st->origin, use_json_record, st,
                          &st->out);
}

/* Feeds a line of the json or ndjson style to the object reader. */
static enum parse_status
feed_json(struct macos_log_state *st, struct sv line,
          const struct event_origin *origin, const struct event_sink *sink,
          const char **reason)
{
    st->origin = origin;
    st->sink = sink;
    return macos_json_feed_line(&st->json, line, origin->line, on_json_object,
                                st, &st->out, "JSON array punctuation",
                                reason);
}

static bool
is_banner(struct sv line)
{
    for (int i = 0; banners[i] != NULL; i++) {
        if (sv_starts_with(line, banners[i])) {
            return true;
        }
    }
    return false;
}

/*
 * Parses one line of any style, such as "2024-01-02 03:04:05.123456-0700
 * 0x1a2b     Default     0x0                  1234   0    sshd: Accepted
 * publickey for alice from 192.0.2.10 port 50522 ssh2: ED25519 SHA256:x".
 */
static enum parse_status
macos_log_feed(void *state, struct sv line, const struct event_origin *origin,
               const struct event_sink *sink, const char **reason)
{
    struct macos_log_state *st = state;
    struct syslog_header h;
    struct sv text = sv_trim_right(line);
    struct sv start = sv_trim_left(text);

    if (macos_json_is_open(&st->json) || sv_starts_with(start, "{") ||
        sv_starts_with(start, "[") || sv_starts_with(start, "]") ||
        sv_starts_with(start, ",")) {
        return feed_json(st, text, origin, sink, reason);
    }
    if (start.len == 0) {
        *reason = "blank line";
        return PARSE_SKIP;
    }
    if (parse_text_line(st, text, &h)) {
        return use_record(st, &h, origin, sink, reason);
    }
    if (text.p[0] == ' ' || text.p[0] == '\t') {
        *reason = "continuation of a multi-line message";
        return PARSE_SKIP;
    }
    if (is_banner(text)) {
        *reason = "log show banner or summary";
        return PARSE_SKIP;
    }
    *reason = "no log show time stamp";
    return PARSE_MALFORMED;
}

/* Ends the input: a JSON record still open was cut off. */
static enum parse_status
macos_log_flush(void *state, const struct event_sink *sink, uint64_t *line,
                const char **reason)
{
    struct macos_log_state *st = state;
    uint64_t first = st->json.first_line;

    (void)sink;
    if (macos_json_abandon(&st->json)) {
        *line = first;
        *reason = "input ends inside a JSON record";
        return PARSE_MALFORMED;
    }
    return PARSE_OK;
}

static int
macos_log_probe(struct sv line)
{
    struct tz utc = { 0 };
    struct event_time t;
    struct syslog_header h;
    struct sv rest;
    size_t n;

    line = sv_trim(line);
    if (sv_starts_with(line, "Filtering the log data") ||
        (sv_starts_with(line, "Timestamp ") &&
         sv_find(line, SV_LIT("Thread")) > 0)) {
        return 100;
    }
    if (sv_find(line, SV_LIT("\"processImagePath\"")) >= 0 ||
        sv_find(line, SV_LIT("\"eventMessage\"")) >= 0) {
        return 100;
    }
    n = time_parse_iso(line, &utc, &t);
    if (n == 0 || n >= line.len || line.p[n] != ' ') {
        return 0;
    }
    memset(&h, 0, sizeof(h));
    if (parse_default_columns(sv_skip(line, n), &h)) {
        return 100;
    }
    if (parse_compact_columns(sv_skip(line, n), &h)) {
        return 80;
    }
    /* Syslog style: "-0700" with no colon, then two spaces and a host. */
    rest = sv_skip(line, n);
    if (n >= 5 && (line.p[n - 5] == '-' || line.p[n - 5] == '+') &&
        sv_starts_with(rest, "  ")) {
        return 100;
    }
    return 0;
}

static void *
macos_log_open(const struct format_opts *opts)
{
    struct macos_log_state *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        return NULL;
    }
    st->opts = *opts;
    syslog_header_init(&st->header, &st->opts);
    macos_json_init(&st->json);
    event_init(&st->ev);
    return st;
}

static void
macos_log_close(void *state)
{
    struct macos_log_state *st = state;

    if (st == NULL) {
        return;
    }
    macos_json_fini(&st->json);
    event_fini(&st->ev);
    free(st);
}

const struct format_ops macos_log_format = {
    .name = "macos-log",
    .description = "macOS log show output: default, syslog, json, ndjson",
    .platform = "macos",
    .probe = macos_log_probe,
    .open = macos_log_open,
    .close = macos_log_close,
    .feed = macos_log_feed,
    .flush = macos_log_flush,
};
