/*
 * JSON object assembly and ECS field lookup for the ecs format.  The
 * reader only tracks string and nesting state to find where a top-level
 * object ends; cJSON does the parsing.
 */
#include "formats/ecs_json.h"

#include <math.h>
#include <string.h>

void
ecs_reader_init(struct ecs_reader *r)
{
    memset(r, 0, sizeof(*r));
    buf_init(&r->object, ECS_MAX_OBJECT);
}

void
ecs_reader_fini(struct ecs_reader *r)
{
    buf_fini(&r->object);
}

bool
ecs_reader_is_open(const struct ecs_reader *r)
{
    return r->depth > 0;
}

static void
begin_object(struct ecs_reader *r, uint64_t line_no)
{
    buf_clear(&r->object);
    r->depth = 0;
    r->in_string = false;
    r->escape = false;
    r->start_line = line_no;
}

/* Tracks one byte inside an object; returns true when the object closed. */
static bool
track_byte(struct ecs_reader *r, char c)
{
    buf_add_char(&r->object, c);
    if (r->in_string) {
        if (r->escape) {
            r->escape = false;
        } else if (c == '\\') {
            r->escape = true;
        } else if (c == '"') {
            r->in_string = false;
        }
        return false;
    }
    if (c == '"') {
        r->in_string = true;
    } else if (c == '{' || c == '[') {
        r->depth++;
    } else if (c == '}' || c == ']') {
        r->depth--;
        return r->depth == 0;
    }
    return false;
}

enum ecs_scan
ecs_reader_next(struct ecs_reader *r, struct sv *rest, uint64_t line_no)
{
    struct sv s = *rest;

    /*
     * A line starting with {" while an object is open is a new object of
     * one-object-per-line input: the open one lost its end.
     */
    if (r->depth > 0 && s.len >= 2 && s.p[0] == '{' &&
        s.p[1] == '"' && r->start_line != line_no) {
        begin_object(r, line_no);
        return ECS_SCAN_RESTART;
    }

    while (s.len > 0) {
        char c = s.p[0];
        s = sv_skip(s, 1);
        if (r->depth == 0) {
            if (c == ' ' || c == '\t' || c == '\r' || c == ',' || c == '[' ||
                c == ']') {
                continue;
            }
            if (c != '{') {
                *rest = SV_NULL;
                return ECS_SCAN_GARBAGE;
            }
            begin_object(r, line_no);
        }
        if (track_byte(r, c)) {
            *rest = s;
            return ECS_SCAN_OBJECT;
        }
    }
    *rest = SV_NULL;
    if (r->depth > 0 && r->in_string) {
        /* JSON strings have no raw newline, so the line was cut. */
        begin_object(r, line_no);
        return ECS_SCAN_RESTART;
    }
    if (r->depth > 0) {
        /* A raw newline is only whitespace between tokens. */
        buf_add_char(&r->object, '\n');
    }
    return ECS_SCAN_END;
}

const cJSON *
ecs_get(const cJSON *obj, const char *path)
{
    const cJSON *item;
    size_t len = strlen(path);
    char key[128];

    if (obj == NULL || !cJSON_IsObject(obj) || len >= sizeof(key)) {
        return NULL;
    }
    item = cJSON_GetObjectItemCaseSensitive(obj, path);
    if (item != NULL) {
        return item;
    }

    /* Try "a" then "a.b" ... as the first key, the rest below it. */
    for (size_t i = 0; i < len; i++) {
        if (path[i] != '.') {
            continue;
        }
        memcpy(key, path, i);
        key[i] = '\0';
        const cJSON *child = cJSON_GetObjectItemCaseSensitive(obj, key);
        if (cJSON_IsObject(child)) {
            item = ecs_get(child, path + i + 1);
            if (item != NULL) {
                return item;
            }
        }
    }
    return NULL;
}

struct sv
ecs_get_str(const cJSON *obj, const char *path)
{
    const cJSON *item = ecs_get(obj, path);

    if (cJSON_IsString(item) && item->valuestring != NULL) {
        return sv_cstr(item->valuestring);
    }
    return SV_NULL;
}

bool
ecs_get_int(const cJSON *obj, const char *path, int64_t *out)
{
    const cJSON *item = ecs_get(obj, path);

    if (cJSON_IsNumber(item)) {
        double d = item->valuedouble;
        if (!isfinite(d) || d != floor(d) || fabs(d) > 9e15) {
            return false;
        }
        *out = (int64_t)d;
        return true;
    }
    if (cJSON_IsString(item) && item->valuestring != NULL) {
        return sv_to_i64(sv_cstr(item->valuestring), out);
    }
    return false;
}

bool
ecs_has_value(const cJSON *obj, const char *path, const char *value)
{
    const cJSON *item = ecs_get(obj, path);
    const cJSON *element;

    if (cJSON_IsString(item)) {
        return item->valuestring != NULL &&
               strcmp(item->valuestring, value) == 0;
    }
    if (cJSON_IsArray(item)) {
        cJSON_ArrayForEach(element, item) {
            if (cJSON_IsString(element) && element->valuestring != NULL &&
                strcmp(element->valuestring, value) == 0) {
                return true;
            }
        }
    }
    return false;
}
