/*
 * The journald format: the textual exports of the systemd journal
 * (`journalctl -o json`, `-o json-pretty`, a JSON array of entries, and
 * `-o export`), also used for the lines the journal file reader makes.
 *
 * Entries of sshd, sshd-session and sshd-auth go to the shared sshd message
 * parser with a header built from the journal fields; every other entry is
 * skipped.  The journal's audit fields (_AUDIT_SESSION, _AUDIT_LOGINUID)
 * and the process fields (_CMDLINE, _EXE) are added to the event.  This file
 * does not interpret messages and does not read binary journal files.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "formats/format.h"
#include "formats/journald_entry.h"
#include "formats/journald_export.h"
#include "formats/journald_json.h"
#include "formats/sshd.h"

enum journald_layout {
    LAYOUT_UNKNOWN,             /* no entry line seen yet */
    LAYOUT_JSON,
    LAYOUT_EXPORT
};

struct journald_state {
    const struct format_opts *opts;
    enum journald_layout layout;
    struct journald_entry entry;
    struct journald_json json;
    struct journald_export export;
    struct event ev;

    /* The origin of the last line fed, and the sink of the current call. */
    struct event_origin origin;
    bool has_origin;
    const struct event_sink *sink;
};

/* ---- probe ------------------------------------------------------------- */

/* Fields that every journal entry carries, as they open a line. */
static const char *const probe_keys[] = {
    "__CURSOR",
    "__REALTIME_TIMESTAMP",
    "__MONOTONIC_TIMESTAMP",
    "_BOOT_ID",
    "__SEQNUM",
};

static int
probe(struct sv line)
{
    struct sv t = sv_trim(line);

    for (size_t i = 0; i < sizeof(probe_keys) / sizeof(probe_keys[0]); i++) {
        char quoted[64];
        int n = snprintf(quoted, sizeof(quoted), "\"%s\"", probe_keys[i]);

        /* -o export: "__CURSOR=s=..." */
        if (sv_starts_with(t, probe_keys[i]) &&
            t.len > strlen(probe_keys[i]) &&
            t.p[strlen(probe_keys[i])] == '=') {
            return 90;
        }
        /* -o json-pretty: one key per line, "__CURSOR" : "s=..." */
        if (sv_starts_with(t, quoted)) {
            return 90;
        }
        /* -o json: the keys inside one object per line */
        if ((t.len > 0 && (t.p[0] == '{' || t.p[0] == '[')) &&
            sv_find(t, sv_make(quoted, (size_t)n)) >= 0) {
            return 95;
        }
    }
    if (sv_starts_with(t, "\"MESSAGE\"") ||
        sv_starts_with(t, "\"SYSLOG_IDENTIFIER\"") ||
        sv_starts_with(t, "MESSAGE=") ||
        sv_starts_with(t, "SYSLOG_IDENTIFIER=")) {
        return 60;
    }
    return 0;
}

/* ---- entry to event ---------------------------------------------------- */

/* Adds the journal's process and audit fields to the event sshd built. */
static void
add_journal_fields(void *arg, const struct event *ev)
{
    struct journald_state *st = arg;
    const struct journald_entry *e = &st->entry;
    uint64_t n;

    /* sshd_parse_message builds in st->ev, which this state owns. */
    if (ev == &st->ev) {
        struct event *own = &st->ev;
        if (e->present[JOURNALD_AUDIT_SESSION] &&
            sv_to_u64(e->value[JOURNALD_AUDIT_SESSION], UINT32_MAX, &n) &&
            (int64_t)n != EVENT_AUDIT_UNSET) {
            event_set_num(own, EVENT_SES, (int64_t)n);
        }
        if (e->present[JOURNALD_AUDIT_LOGINUID] &&
            sv_to_u64(e->value[JOURNALD_AUDIT_LOGINUID], UINT32_MAX, &n) &&
            (int64_t)n != EVENT_AUDIT_UNSET) {
            event_set_num(own, EVENT_AUID, (int64_t)n);
        }
        if (e->present[JOURNALD_CMDLINE]) {
            event_set_str(own, EVENT_CMDLINE, e->value[JOURNALD_CMDLINE]);
        }
        if (e->present[JOURNALD_EXE]) {
            event_set_str(own, EVENT_EXE, e->value[JOURNALD_EXE]);
        }
    }
    st->sink->emit(st->sink->arg, ev);
}

/* Returns the value of the first of two fields that is present. */
static struct sv
first_of(const struct journald_entry *e, enum journald_field a,
         enum journald_field b)
{
    if (e->present[a]) {
        return e->value[a];
    }
    return e->present[b] ? e->value[b] : SV_NULL;
}

/*
 * Turns the collected entry into an event through the sshd parser.
 * origin_line is the line where the entry started.
 */
static enum parse_status
emit_entry(struct journald_state *st, uint64_t origin_line,
           const char **reason)
{
    const struct journald_entry *e = &st->entry;
    struct syslog_header h;
    uint64_t usec;
    int64_t pid;

    struct sv program = first_of(e, JOURNALD_SYSLOG_IDENTIFIER,
                                 JOURNALD_COMM);
    if (program.p == NULL || !sshd_is_program(program)) {
        *reason = "not an sshd program";
        return PARSE_SKIP;
    }
    if (e->null[JOURNALD_MESSAGE]) {
        *reason = "journal entry with MESSAGE withheld";
        return PARSE_SKIP;
    }
    if (!e->present[JOURNALD_MESSAGE]) {
        *reason = "journal entry without MESSAGE";
        return PARSE_SKIP;
    }
    if (!e->present[JOURNALD_REALTIME] ||
        !sv_to_u64(e->value[JOURNALD_REALTIME], INT64_MAX, &usec)) {
        *reason = "journal entry without a valid __REALTIME_TIMESTAMP";
        return PARSE_MALFORMED;
    }

    memset(&h, 0, sizeof(h));
    h.kind = SYSLOG_HEADER_STAMPED;
    h.time.sec = (int64_t)(usec / 1000000u);
    h.time.nsec = (int32_t)(usec % 1000000u) * 1000;
    h.time.digits = 6;
    h.host = e->present[JOURNALD_HOSTNAME] ? e->value[JOURNALD_HOSTNAME]
                                           : SV_NULL;
    h.program = program;
    h.pid = -1;
    struct sv pid_text = first_of(e, JOURNALD_PID, JOURNALD_SYSLOG_PID);
    if (pid_text.p != NULL && sv_to_i64(pid_text, &pid) && pid >= 0) {
        h.pid = pid;
    }
    h.sd = SV_NULL;
    h.message = e->value[JOURNALD_MESSAGE];

    struct event_origin origin = st->origin;
    origin.line = origin_line;
    struct event_sink wrap = { add_journal_fields, st, st->sink->needs,
                               NULL };
    return sshd_parse_message(&st->ev, st->opts, &h, &origin, &wrap,
                              reason);
}

/* ---- JSON entries ------------------------------------------------------ */

/*
 * Stores a byte array (MESSAGE as [72,101,...]), which journalctl writes
 * for values that are not valid UTF-8 or hold control bytes.  Returns
 * false when an element is not a number from 0 to 255.
 */
static bool
set_bytes(struct journald_entry *e, enum journald_field f,
          const cJSON *array)
{
    struct buf *b = &e->store[f];
    const cJSON *item;

    buf_clear(b);
    cJSON_ArrayForEach(item, array) {
        if (!cJSON_IsNumber(item) || item->valuedouble < 0 ||
            item->valuedouble > 255) {
            return false;
        }
        buf_add_char(b, (char)(unsigned char)item->valueint);
    }
    e->value[f] = sv_make(b->data ? b->data : "", b->len);
    e->present[f] = true;
    return true;
}

/*
 * Stores one JSON value of field f: a string, a byte array, null, or (for
 * a field that occurs several times in the entry) an array of those, of
 * which the first counts.  Returns false for any other shape.
 */
static bool
set_json_value(struct journald_entry *e, enum journald_field f,
               const cJSON *v)
{
    char num[32];

    if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0 &&
        !cJSON_IsNumber(cJSON_GetArrayItem(v, 0))) {
        v = cJSON_GetArrayItem(v, 0);
    }
    if (cJSON_IsString(v)) {
        e->value[f] = sv_cstr(v->valuestring);
        e->present[f] = true;
        return true;
    }
    if (cJSON_IsNull(v)) {
        e->null[f] = true;
        return true;
    }
    if (cJSON_IsArray(v)) {
        return set_bytes(e, f, v);
    }
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
        v->valuedouble < 9007199254740992.0) {
        /* Not journalctl's own output, which quotes every number. */
        int n = snprintf(num, sizeof(num), "%.0f", v->valuedouble);
        journald_entry_set_copy(e, f, sv_make(num, (size_t)n));
        return true;
    }
    return false;
}

/*
 * Parses one complete JSON entry and emits its event.  An entry that cJSON
 * could not parse because an allocation failed is reported as out of
 * memory, not as invalid JSON.
 */
static enum parse_status
json_entry(void *arg, struct sv object, uint64_t line_no,
           const char **reason)
{
    struct journald_state *st = arg;
    struct journald_entry *e = &st->entry;
    const cJSON *item;
    enum parse_status rc;

    /* cJSON reports every failure as NULL.  malloc sets ENOMEM when it
     * fails (POSIX), and nothing else cJSON calls while parsing does.
     * NOTE: an allocator may leave ENOMEM after an allocation that it
     * satisfied on a second try, so under memory pressure an invalid entry
     * can be counted as out of memory. */
    errno = 0;
    cJSON *doc = cJSON_ParseWithLength(object.p, object.len);
    if (doc == NULL && errno == ENOMEM) {
        *reason = "out of memory parsing a journal entry";
        return PARSE_MALFORMED;
    }
    if (doc == NULL || !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        *reason = "invalid JSON in journal entry";
        return PARSE_MALFORMED;
    }
    journald_entry_reset(e);
    cJSON_ArrayForEach(item, doc) {
        int f = journald_field_find(sv_cstr(item->string));
        if (f < 0 || e->present[f] || e->null[f]) {
            continue;
        }
        if (!set_json_value(e, (enum journald_field)f, item)) {
            cJSON_Delete(doc);
            *reason = "journal field value is not a string, byte array "
                      "or null";
            return PARSE_MALFORMED;
        }
    }
    rc = emit_entry(st, line_no, reason);
    cJSON_Delete(doc);
    return rc;
}

/* ---- fast path for -o json lines -------------------------------------- */

/*
 * Most -o json lines are one flat object of string values with no
 * backslash.  Such a line is read here without building a cJSON document;
 * anything else (escapes, numbers, arrays, NUL bytes, text after the
 * object) makes these functions give up, and the line takes the general
 * path, so both give the same entry.
 */

/* Returns the index of the first byte at or after i that is not blank. */
static size_t
fast_skip_blank(struct sv line, size_t i)
{
    while (i < line.len && (line.p[i] == ' ' || line.p[i] == '\t' ||
                            line.p[i] == '\r' || line.p[i] == '\n')) {
        i++;
    }
    return i;
}

/*
 * Reads the string that opens at line.p[i] (a quote).  Sets *s to its
 * bytes and returns the index after the closing quote, or 0 when the
 * string is not closed.  The caller has checked that the line contains no
 * backslash, so the next quote closes it.
 */
static size_t
fast_string(struct sv line, size_t i, struct sv *s)
{
    const char *q = memchr(line.p + i + 1, '"', line.len - i - 1);

    if (q == NULL) {
        return 0;
    }
    *s = sv_make(line.p + i + 1, (size_t)(q - line.p) - i - 1);
    return (size_t)(q - line.p) + 1;
}

/*
 * Fills st->entry from line.  Returns false when the line needs the
 * general path; st->entry is then left for that path to reset.
 */
static bool
fast_json_line(struct journald_state *st, struct sv line)
{
    struct journald_entry *e = &st->entry;
    size_t i = 1;

    if (memchr(line.p, '\\', line.len) != NULL) {
        return false;
    }
    journald_entry_reset(e);
    i = fast_skip_blank(line, i);
    if (i >= line.len || line.p[i] == '}') {
        return false;
    }
    for (;;) {
        struct sv key;
        struct sv value;

        if (i >= line.len || line.p[i] != '"' ||
            (i = fast_string(line, i, &key)) == 0) {
            return false;
        }
        i = fast_skip_blank(line, i);
        if (i >= line.len || line.p[i] != ':') {
            return false;
        }
        i = fast_skip_blank(line, i + 1);
        if (i >= line.len) {
            return false;
        }
        /* cJSON would cut a key at a NUL byte. */
        if (memchr(key.p, '\0', key.len) != NULL) {
            return false;
        }
        int f = -1;
        if (key.len >= 4 && key.len <= 20) {
            f = journald_field_find(key);
        }
        if (line.p[i] == '"') {
            if ((i = fast_string(line, i, &value)) == 0) {
                return false;
            }
            if (f >= 0 && !e->present[f] && !e->null[f]) {
                if (memchr(value.p, '\0', value.len) != NULL) {
                    return false;
                }
                e->value[f] = value;
                e->present[f] = true;
            }
        } else if (line.len - i >= 4 && memcmp(line.p + i, "null", 4) == 0) {
            i += 4;
            if (f >= 0 && !e->present[f]) {
                e->null[f] = true;
            }
        } else {
            return false;
        }
        i = fast_skip_blank(line, i);
        if (i >= line.len) {
            return false;
        }
        if (line.p[i] == '}') {
            break;
        }
        if (line.p[i] != ',') {
            return false;
        }
        i = fast_skip_blank(line, i + 1);
    }
    /* Only blanks may follow the object on its line. */
    for (i++; i < line.len; i++) {
        if (line.p[i] != ' ' && line.p[i] != '\t' && line.p[i] != '\r') {
            return false;
        }
    }
    return true;
}

/* ---- format operations ------------------------------------------------- */

static void *
open_state(const struct format_opts *opts)
{
    struct journald_state *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        return NULL;
    }
    st->opts = opts;
    journald_entry_init(&st->entry);
    journald_json_init(&st->json);
    journald_export_init(&st->export, &st->entry);
    event_init(&st->ev);
    return st;
}

static void
close_state(void *state)
{
    struct journald_state *st = state;

    if (st == NULL) {
        return;
    }
    journald_entry_fini(&st->entry);
    journald_json_fini(&st->json);
    event_fini(&st->ev);
    free(st);
}

/* Picks the layout from the first line that is not blank. */
static void
choose_layout(struct journald_state *st, struct sv line)
{
    struct sv t = sv_trim_left(line);

    if (t.len == 0) {
        return;
    }
    st->layout = (t.p[0] == '{' || t.p[0] == '[') ? LAYOUT_JSON
                                                  : LAYOUT_EXPORT;
}

static enum parse_status
feed_export(struct journald_state *st, struct sv line,
            const struct event_origin *origin, const char **reason)
{
    switch (journald_export_feed(&st->export, line, origin->line, reason)) {
    case JOURNALD_EXPORT_MORE:
        return PARSE_OK;
    case JOURNALD_EXPORT_ENTRY:
        return emit_entry(st, st->export.first_line, reason);
    case JOURNALD_EXPORT_BAD_LINE:
    case JOURNALD_EXPORT_BAD_ENTRY:
    default:
        return PARSE_MALFORMED;
    }
}

static enum parse_status
feed(void *state, struct sv line, const struct event_origin *origin,
     const struct event_sink *sink, const char **reason)
{
    struct journald_state *st = state;

    st->origin = *origin;
    st->has_origin = true;
    st->sink = sink;
    if (st->layout == LAYOUT_UNKNOWN) {
        choose_layout(st, line);
        if (st->layout == LAYOUT_UNKNOWN) {
            return PARSE_OK;
        }
    }
    if (st->layout == LAYOUT_EXPORT) {
        return feed_export(st, line, origin, reason);
    }
    if (!st->json.in_object && !st->json.in_array && line.len > 0 &&
        line.p[0] == '{' && fast_json_line(st, line)) {
        return emit_entry(st, origin->line, reason);
    }
    return journald_json_feed(&st->json, line, origin->line, json_entry, st,
                              reason);
}

/*
 * Emits the last export entry when the input did not end with a blank
 * line, and reports a last entry that is skipped or that the input cut
 * short.
 */
static enum parse_status
flush(void *state, const struct event_sink *sink, uint64_t *line,
      const char **reason)
{
    struct journald_state *st = state;

    if (!st->has_origin) {
        return PARSE_OK;
    }
    st->sink = sink;
    if (st->layout == LAYOUT_EXPORT) {
        *line = st->export.first_line;
        switch (journald_export_finish(&st->export, reason)) {
        case JOURNALD_EXPORT_ENTRY:
            return emit_entry(st, st->export.first_line, reason);
        case JOURNALD_EXPORT_BAD_ENTRY:
            return PARSE_MALFORMED;
        default:
            return PARSE_OK;
        }
    }
    if (st->layout == LAYOUT_JSON) {
        *line = st->json.first_line;
        return journald_json_finish(&st->json, reason);
    }
    return PARSE_OK;
}

const struct format_ops journald_format = {
    .name = "journald",
    .description = "journalctl -o json, json-pretty and export output",
    .platform = "linux",
    .probe = probe,
    .open = open_state,
    .close = close_state,
    .feed = feed,
    .flush = flush,
};
