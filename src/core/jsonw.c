/* Streaming JSON builder; see jsonw.h for the contract. */
#include "core/jsonw.h"

#include "core/escape.h"

void
jsonw_init(struct jsonw *w, struct buf *out)
{
    w->out = out;
    w->depth = 0;
    w->first[0] = true;
}

/* Writes the separator and, inside an object, the key. */
static void
begin_value(struct jsonw *w, const char *key)
{
    if (!w->first[w->depth]) {
        buf_add_char(w->out, ',');
    }
    w->first[w->depth] = false;
    if (key != NULL) {
        buf_add_char(w->out, '"');
        escape_json(w->out, sv_cstr(key));
        buf_add(w->out, "\":", 2);
    }
}

static void
open_container(struct jsonw *w, const char *key, char c)
{
    begin_value(w, key);
    buf_add_char(w->out, c);
    if (w->depth + 1 < JSONW_MAX_DEPTH) {
        w->depth++;
    }
    w->first[w->depth] = true;
}

static void
close_container(struct jsonw *w, char c)
{
    buf_add_char(w->out, c);
    if (w->depth > 0) {
        w->depth--;
    }
}

void
jsonw_obj_begin(struct jsonw *w, const char *key)
{
    open_container(w, key, '{');
}

void
jsonw_obj_end(struct jsonw *w)
{
    close_container(w, '}');
}

void
jsonw_arr_begin(struct jsonw *w, const char *key)
{
    open_container(w, key, '[');
}

void
jsonw_arr_end(struct jsonw *w)
{
    close_container(w, ']');
}

void
jsonw_str(struct jsonw *w, const char *key, struct sv value)
{
    begin_value(w, key);
    buf_add_char(w->out, '"');
    escape_json(w->out, value);
    buf_add_char(w->out, '"');
}

void
jsonw_cstr(struct jsonw *w, const char *key, const char *value)
{
    jsonw_str(w, key, sv_cstr(value));
}

void
jsonw_int(struct jsonw *w, const char *key, int64_t value)
{
    begin_value(w, key);
    buf_add_i64(w->out, value);
}

void
jsonw_bool(struct jsonw *w, const char *key, bool value)
{
    begin_value(w, key);
    buf_add_cstr(w->out, value ? "true" : "false");
}

void
jsonw_null(struct jsonw *w, const char *key)
{
    begin_value(w, key);
    buf_add_cstr(w->out, "null");
}
