/*
 * Entry splitter for journalctl's JSON outputs.  Samples of the three
 * layouts it accepts:
 *
 *   {"__REALTIME_TIMESTAMP":"1714557600123456","MESSAGE":"..."}
 *
 *   {
 *           "__REALTIME_TIMESTAMP" : "1714557600123456",
 *           "MESSAGE" : "..."
 *   }
 *
 *   [
 *   {"MESSAGE":"..."},
 *   {"MESSAGE":"..."}
 *   ]
 */
#include "formats/journald_json.h"

void
journald_json_init(struct journald_json *j)
{
    memset(j, 0, sizeof(*j));
    buf_init(&j->text, JOURNALD_JSON_MAX_ENTRY);
}

void
journald_json_fini(struct journald_json *j)
{
    buf_fini(&j->text);
}

/* Hands a completed object to cb and folds its status into the line's. */
static void
complete(struct journald_json *j, struct sv object, journald_json_cb cb,
         void *arg, bool *any_ok, enum parse_status *last,
         const char **reason)
{
    enum parse_status st;

    /* dropped counts the bytes the buffer could not store, either past its
     * maximum or because memory ran out.  Only the first kind makes the
     * entry longer than the maximum. */
    if (j->text.dropped > j->text.max - j->text.len) {
        *reason = "journal entry longer than 4 MiB";
        st = PARSE_MALFORMED;
    } else if (j->text.dropped > 0) {
        *reason = "out of memory buffering a journal entry";
        st = PARSE_MALFORMED;
    } else {
        st = cb(arg, object, j->first_line, reason);
    }
    if (st == PARSE_OK) {
        *any_ok = true;
    }
    *last = st;
    buf_clear(&j->text);
    j->in_object = false;
}

/* Scans one byte inside an object; returns true when it closed the object. */
static bool
object_byte(struct journald_json *j, char c)
{
    int base = j->in_array ? 1 : 0;

    if (j->in_string) {
        if (j->escape) {
            j->escape = false;
        } else if (c == '\\') {
            j->escape = true;
        } else if (c == '"') {
            j->in_string = false;
        }
        return false;
    }
    if (c == '"') {
        j->in_string = true;
    } else if (c == '{' || c == '[') {
        j->depth++;
    } else if (c == '}' || c == ']') {
        j->depth--;
        return j->depth == base;
    }
    return false;
}

/* Scans one byte outside any object; returns false for stray text. */
static bool
top_byte(struct journald_json *j, char c)
{
    switch (c) {
    case ' ':
    case '\t':
    case '\r':
        return true;
    case '[':
        if (j->in_array) {
            return false;
        }
        j->in_array = true;
        j->depth = 1;
        return true;
    case ']':
        if (!j->in_array) {
            return false;
        }
        j->in_array = false;
        j->depth = 0;
        return true;
    case ',':
        return j->in_array;
    default:
        return false;
    }
}

enum parse_status
journald_json_feed(struct journald_json *j, struct sv line, uint64_t line_no,
                   journald_json_cb cb, void *arg, const char **reason)
{
    bool any_ok = false;
    bool any_done = false;
    enum parse_status last = PARSE_OK;
    /* An entry of this line that was cut short or not understood makes
     * the line count as not understood, even when another entry on it
     * was used. */
    const char *bad = NULL;
    size_t start = 0;           /* where the open object starts in line */
    bool started_here = false;

    /* JSON strings hold no raw newline, and an entry of -o json-pretty
     * never has a '{' in column 0: either means the open object was cut
     * off, so it is dropped and the line starts afresh. */
    if (j->in_object &&
        (j->in_string || (line.len > 0 && line.p[0] == '{' &&
                          j->depth == (j->in_array ? 2 : 1)))) {
        buf_clear(&j->text);
        j->in_object = false;
        j->in_string = false;
        j->depth = j->in_array ? 1 : 0;
        last = PARSE_MALFORMED;
        any_done = true;
        bad = "journal entry cut short in JSON input";
    }
    if (j->in_object) {
        buf_add_char(&j->text, '\n');
    }
    for (size_t i = 0; i < line.len; i++) {
        char c = line.p[i];

        if (j->in_object) {
            if (!object_byte(j, c)) {
                continue;
            }
            struct sv object;
            if (started_here) {
                object = sv_make(line.p + start, i + 1 - start);
            } else {
                buf_add(&j->text, line.p, i + 1);
                object = sv_make(j->text.data, j->text.len);
            }
            complete(j, object, cb, arg, &any_ok, &last, reason);
            if (last == PARSE_MALFORMED && bad == NULL) {
                bad = *reason;
            }
            any_done = true;
            started_here = false;
            continue;
        }
        if (c == '{') {
            j->in_object = true;
            j->in_string = false;
            j->escape = false;
            j->depth++;
            j->first_line = line_no;
            start = i;
            started_here = true;
            continue;
        }
        if (!top_byte(j, c)) {
            *reason = bad != NULL ? bad
                                  : "text outside a journal entry in JSON input";
            return PARSE_MALFORMED;
        }
    }

    /* Keep the open object's part of this line for the next lines. */
    if (j->in_object) {
        size_t from = started_here ? start : 0;
        buf_add(&j->text, line.p + from, line.len - from);
    }
    if (bad != NULL) {
        *reason = bad;
        return PARSE_MALFORMED;
    }
    if (any_ok || !any_done) {
        return PARSE_OK;
    }
    return last;
}

enum parse_status
journald_json_finish(struct journald_json *j, const char **reason)
{
    if (!j->in_object) {
        return PARSE_OK;
    }
    j->in_object = false;
    buf_clear(&j->text);
    *reason = "JSON input ends inside a journal entry";
    return PARSE_MALFORMED;
}
