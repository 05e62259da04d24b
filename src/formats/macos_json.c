/*
 * Cuts top-level JSON objects out of a line stream; see macos_json.h.
 * Only the structure is scanned here (strings, escapes, nesting), so a
 * brace inside a string value never closes an object.  cJSON parses the
 * objects afterwards.
 */
#include "formats/macos_json.h"

#include <string.h>

void
macos_json_init(struct macos_json_reader *r)
{
    buf_init(&r->obj, MACOS_JSON_MAX_OBJECT);
    r->depth = 0;
    r->in_string = false;
    r->escaped = false;
    r->too_large = false;
    r->first_line = 0;
    r->dropped = 0;
    r->cut = 0;
}

void
macos_json_fini(struct macos_json_reader *r)
{
    buf_fini(&r->obj);
}

bool
macos_json_is_open(const struct macos_json_reader *r)
{
    return r->depth > 0;
}

/* Updates the string and nesting state for one byte inside an object. */
static void
track_byte(struct macos_json_reader *r, char c)
{
    if (r->in_string) {
        if (r->escaped) {
            r->escaped = false;
        } else if (c == '\\') {
            r->escaped = true;
        } else if (c == '"') {
            r->in_string = false;
        }
        return;
    }
    if (c == '"') {
        r->in_string = true;
    } else if (c == '{' || c == '[') {
        r->depth++;
    } else if (c == '}' || c == ']') {
        r->depth--;
    }
}

/* Delivers the finished object, or counts it when it was too large. */
static void
finish_object(struct macos_json_reader *r, macos_json_object_fn fn,
              void *arg)
{
    if (r->too_large || r->obj.dropped > 0) {
        r->dropped++;
    } else {
        fn(arg, sv_make(r->obj.data, r->obj.len), r->first_line);
    }
    buf_clear(&r->obj);
    r->too_large = false;
}

enum macos_json_result
macos_json_feed(struct macos_json_reader *r, struct sv line, uint64_t lineno,
                macos_json_object_fn fn, void *arg)
{
    enum macos_json_result res = MACOS_JSON_EMPTY;
    size_t i = 0;

    /* JSON strings hold no raw line break, and the formats read here
     * start a record in column 0 only outside any other record (one
     * record per line, or pretty-printed with what a record contains
     * indented).  Either sign at the start of a line means the open
     * record was cut short: it is dropped, and the line starts afresh. */
    if (r->depth > 0 &&
        (r->in_string || (line.len > 0 && line.p[0] == '{'))) {
        macos_json_abandon(r);
        r->cut++;
    }
    while (i < line.len) {
        /* Between objects: skip array punctuation and whitespace. */
        if (r->depth == 0) {
            char c = line.p[i];
            if (c == ' ' || c == '\t' || c == '\r' || c == '[' ||
                c == ']' || c == ',') {
                i++;
                continue;
            }
            if (c != '{') {
                return MACOS_JSON_STRAY;
            }
            r->first_line = lineno;
            r->in_string = false;
            r->escaped = false;
            buf_clear(&r->obj);
        }

        /* Inside an object: copy bytes until its closing brace. */
        size_t start = i;
        while (i < line.len) {
            track_byte(r, line.p[i]);
            i++;
            if (r->depth == 0) {
                break;
            }
        }
        if (!r->too_large) {
            buf_add(&r->obj, line.p + start, i - start);
            r->too_large = r->obj.dropped > 0;
        }
        if (r->depth > 0) {
            /* Keep the line break so numbers on two lines stay apart. */
            if (!r->too_large) {
                buf_add_char(&r->obj, '\n');
                r->too_large = r->obj.dropped > 0;
            }
            return res == MACOS_JSON_COMPLETE ? res : MACOS_JSON_PARTIAL;
        }
        finish_object(r, fn, arg);
        res = MACOS_JSON_COMPLETE;
    }
    return res;
}

bool
macos_json_abandon(struct macos_json_reader *r)
{
    bool open = r->depth > 0;

    r->depth = 0;
    r->in_string = false;
    r->escaped = false;
    r->too_large = false;
    buf_clear(&r->obj);
    return open;
}

const cJSON *
macos_json_path(const cJSON *obj, const char *path)
{
    const char *p = path;

    while (obj != NULL && *p != '\0') {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char name[64];

        if (!cJSON_IsObject(obj) || n >= sizeof(name)) {
            return NULL;
        }
        memcpy(name, p, n);
        name[n] = '\0';
        obj = cJSON_GetObjectItemCaseSensitive(obj, name);
        p += n;
        if (*p == '.') {
            p++;
        }
    }
    return obj;
}

bool
macos_json_int(const cJSON *item, int64_t *out)
{
    if (cJSON_IsNumber(item)) {
        double v = item->valuedouble;
        /* Beyond 2^53 a double cannot represent every integer. */
        if (v != v || v < -9007199254740992.0 || v > 9007199254740992.0 ||
            v != (double)(int64_t)v) {
            return false;
        }
        *out = (int64_t)v;
        return true;
    }
    if (cJSON_IsString(item) && item->valuestring != NULL) {
        return sv_to_i64(sv_cstr(item->valuestring), out);
    }
    return false;
}

struct sv
macos_json_str(const cJSON *item)
{
    if (!cJSON_IsString(item) || item->valuestring == NULL) {
        return SV_NULL;
    }
    return sv_cstr(item->valuestring);
}

enum parse_status
macos_json_feed_line(struct macos_json_reader *r, struct sv line,
                     uint64_t lineno, macos_json_object_fn fn, void *arg,
                     struct macos_json_outcome *out, const char *empty_reason,
                     const char **reason)
{
    uint64_t dropped = r->dropped;
    uint64_t cut = r->cut;

    out->used = 0;
    out->status = PARSE_SKIP;
    out->reason = empty_reason;
    enum macos_json_result res = macos_json_feed(r, line, lineno, fn, arg);
    if (res == MACOS_JSON_STRAY) {
        *reason = "text outside a JSON record";
        return PARSE_MALFORMED;
    }
    /* The records of this line are used, but the one before was lost. */
    if (r->cut > cut) {
        *reason = "JSON record cut short";
        return PARSE_MALFORMED;
    }
    if (res == MACOS_JSON_PARTIAL) {
        *reason = NULL;
        return PARSE_OK;
    }
    if (r->dropped > dropped) {
        *reason = "JSON record larger than the maximum";
        return PARSE_MALFORMED;
    }
    if (out->used > 0) {
        return PARSE_OK;
    }
    *reason = out->reason;
    return out->status;
}

void
macos_json_use_record(struct sv object, uint64_t first_line,
                      const struct event_origin *origin,
                      macos_json_record_fn fn, void *arg,
                      struct macos_json_outcome *out)
{
    struct event_origin at = *origin;
    const char *reason = NULL;
    enum parse_status status;
    cJSON *record = cJSON_ParseWithLength(object.p, object.len);

    at.line = first_line;
    if (!cJSON_IsObject(record)) {
        status = PARSE_MALFORMED;
        reason = "invalid JSON record";
    } else {
        status = fn(arg, record, &at, &reason);
    }
    cJSON_Delete(record);
    if (status == PARSE_OK) {
        out->used++;
    } else {
        out->status = status;
        out->reason = reason;
    }
}
