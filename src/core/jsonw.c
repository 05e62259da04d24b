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

/*
 * Every writer below first reserves room for the whole member in one
 * buf_reserve: the comma, the key with its quotes and colon, and the value
 * at its longest.  It then writes in place.  When the reservation fails,
 * near the buffer's max, or the key is long or needs escaping, it appends
 * piece by piece with buf_add, which truncates at max and counts the
 * dropped bytes.  Both paths write the same bytes.
 *
 * Inside, a key is a view: p is NULL for no key (array elements and the
 * top level).  The jsonw_member_* functions receive the view with its
 * length, and the C string functions measure and test their key first.
 */

/* The maximum length of a key that is copied in place.  Longer keys are
 * appended with buf_add. */
#define KEY_FAST_MAX 64

/* The bytes around a key: a comma, two quotes and a colon. */
#define KEY_PUNCT 4

/* The maximum room a value may reserve: a string of the maximum length
 * escaped in place, with its quotes. */
#define VALUE_ROOM_MAX (ESCAPE_JSON_MAX_RATIO * ESCAPE_JSON_RESERVE_MAX + 2)

/*
 * Returns key as a view, or a view of NULL when key is NULL.  Sets *plain
 * to whether the key can be copied in place: no byte of it needs escaping
 * and it is at most KEY_FAST_MAX bytes long.
 */
static struct sv
cstr_key(const char *key, bool *plain)
{
    struct sv k = sv_cstr(key);

    *plain = k.len <= KEY_FAST_MAX;
    for (size_t i = 0; i < k.len && *plain; i++) {
        *plain = escape_json_plain[(unsigned char)k.p[i]];
    }
    return k;
}

/*
 * Reserves room for the separator, the key and value_room bytes, and
 * writes the separator and the key there.  The key must be plain and at
 * most KEY_FAST_MAX bytes, because it is copied unchecked.  Sets *used to
 * the bytes written and returns the start of the room, or returns NULL,
 * having changed nothing, when the room is not available.
 */
static inline char *
begin_member(struct jsonw *w, struct sv key, size_t value_room, size_t *used)
{
    char *dst;
    size_t j = 0;

    if (value_room > VALUE_ROOM_MAX) {
        return NULL;
    }
    dst = buf_reserve(w->out, KEY_PUNCT + key.len + value_room);
    if (dst == NULL) {
        return NULL;
    }
    if (!w->first[w->depth]) {
        dst[j++] = ',';
    }
    if (key.p != NULL) {
        dst[j++] = '"';
        memcpy(dst + j, key.p, key.len);
        j += key.len;
        dst[j++] = '"';
        dst[j++] = ':';
    }
    w->first[w->depth] = false;
    *used = j;
    return dst;
}

/* Appends the separator and the escaped key with buf_add. */
static void
add_key(struct jsonw *w, struct sv key)
{
    if (!w->first[w->depth]) {
        buf_add_char(w->out, ',');
    }
    w->first[w->depth] = false;
    if (key.p != NULL) {
        buf_add_char(w->out, '"');
        escape_json(w->out, key);
        buf_add(w->out, "\":", 2);
    }
}

/*
 * Writes the separator, the key and the len bytes of text, which need no
 * escaping (punctuation, numbers, literals).  fast is true when the key
 * may be copied in place.
 */
static void
put_member_raw(struct jsonw *w, struct sv key, bool fast, const char *text,
               size_t len)
{
    size_t j;
    char *dst = fast ? begin_member(w, key, len, &j) : NULL;

    if (dst == NULL) {
        add_key(w, key);
        buf_add(w->out, text, len);
        return;
    }
    memcpy(dst + j, text, len);
    w->out->len += j + len;
}

static void
open_container(struct jsonw *w, struct sv key, bool fast, char c)
{
    size_t j;
    char *dst = fast ? begin_member(w, key, 1, &j) : NULL;

    if (dst == NULL) {
        add_key(w, key);
        buf_add_char(w->out, c);
    } else {
        dst[j] = c;
        w->out->len += j + 1;
    }
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

static void
put_str(struct jsonw *w, struct sv key, bool fast, struct sv value)
{
    char *dst = NULL;
    size_t j;

    if (fast && value.len <= ESCAPE_JSON_RESERVE_MAX) {
        dst = begin_member(w, key, ESCAPE_JSON_MAX_RATIO * value.len + 2, &j);
    }
    if (dst == NULL) {
        add_key(w, key);
        buf_add_char(w->out, '"');
        escape_json(w->out, value);
        buf_add_char(w->out, '"');
        return;
    }
    dst[j++] = '"';
    j += escape_json_to(dst + j, value);
    dst[j++] = '"';
    w->out->len += j;
}

static void
put_int(struct jsonw *w, struct sv key, bool fast, int64_t value)
{
    size_t j;
    char *dst = fast ? begin_member(w, key, BUF_I64_MAX, &j) : NULL;

    if (dst == NULL) {
        char digits[BUF_I64_MAX];
        add_key(w, key);
        buf_add(w->out, digits, buf_format_i64(digits, (long long)value));
        return;
    }
    j += buf_format_i64(dst + j, (long long)value);
    w->out->len += j;
}

static void
put_bool(struct jsonw *w, struct sv key, bool fast, bool value)
{
    if (value) {
        put_member_raw(w, key, fast, "true", 4);
    } else {
        put_member_raw(w, key, fast, "false", 5);
    }
}

void
jsonw_obj_begin(struct jsonw *w, const char *key)
{
    bool plain;
    struct sv k = cstr_key(key, &plain);

    open_container(w, k, plain, '{');
}

void
jsonw_obj_end(struct jsonw *w)
{
    close_container(w, '}');
}

void
jsonw_arr_begin(struct jsonw *w, const char *key)
{
    bool plain;
    struct sv k = cstr_key(key, &plain);

    open_container(w, k, plain, '[');
}

void
jsonw_arr_end(struct jsonw *w)
{
    close_container(w, ']');
}

void
jsonw_str(struct jsonw *w, const char *key, struct sv value)
{
    bool plain;
    struct sv k = cstr_key(key, &plain);

    put_str(w, k, plain, value);
}

void
jsonw_cstr(struct jsonw *w, const char *key, const char *value)
{
    bool plain;
    struct sv k = cstr_key(key, &plain);

    put_str(w, k, plain, sv_cstr(value));
}

void
jsonw_int(struct jsonw *w, const char *key, int64_t value)
{
    bool plain;
    struct sv k = cstr_key(key, &plain);

    put_int(w, k, plain, value);
}

void
jsonw_bool(struct jsonw *w, const char *key, bool value)
{
    bool plain;
    struct sv k = cstr_key(key, &plain);

    put_bool(w, k, plain, value);
}

void
jsonw_null(struct jsonw *w, const char *key)
{
    bool plain;
    struct sv k = cstr_key(key, &plain);

    put_member_raw(w, k, plain, "null", 4);
}

/*
 * Returns whether a key given with its length may be copied in place.
 * Such keys are plain by contract, so only the length is tested.
 */
static bool
member_key_fits(struct sv key)
{
    return key.len <= KEY_FAST_MAX;
}

void
jsonw_member_obj(struct jsonw *w, struct sv key)
{
    open_container(w, key, member_key_fits(key), '{');
}

void
jsonw_member_arr(struct jsonw *w, struct sv key)
{
    open_container(w, key, member_key_fits(key), '[');
}

void
jsonw_member_str(struct jsonw *w, struct sv key, struct sv value)
{
    put_str(w, key, member_key_fits(key), value);
}

void
jsonw_member_cstr(struct jsonw *w, struct sv key, const char *value)
{
    put_str(w, key, member_key_fits(key), sv_cstr(value));
}

void
jsonw_member_int(struct jsonw *w, struct sv key, int64_t value)
{
    put_int(w, key, member_key_fits(key), value);
}

void
jsonw_member_bool(struct jsonw *w, struct sv key, bool value)
{
    put_bool(w, key, member_key_fits(key), value);
}

void
jsonw_member_raw(struct jsonw *w, struct sv key, const char *json, size_t len)
{
    put_member_raw(w, key, member_key_fits(key), json, len);
}

void
jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
    put_member_raw(w, SV_NULL, true, json, len);
}
