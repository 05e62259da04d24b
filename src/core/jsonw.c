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
 * A member's key comes in one of two forms.  The C string writers pass a
 * NUL-terminated ckey, which is copied while its bytes are plain.  The
 * jsonw_member_* writers pass a view with its length, which is plain by
 * contract and copied with memcpy.  With neither (ckey NULL, key.p NULL)
 * the value has no key: array elements and the top level.
 */

/* The maximum length of a key or C string value that is copied in place,
 * a multiple of 4.  Longer keys are appended with buf_add. */
#define CSTR_FAST_MAX 64

/* The bytes around a key: a comma, two quotes and a colon. */
#define KEY_PUNCT 4

/* The maximum room a value may reserve: a string of the maximum length
 * escaped in place, with its quotes. */
#define VALUE_ROOM_MAX (ESCAPE_JSON_MAX_RATIO * ESCAPE_JSON_RESERVE_MAX + 2)

/*
 * Copies the C string at src to dst while its bytes need no escaping, at
 * most CSTR_FAST_MAX bytes.  Returns the number of bytes copied, which is
 * the string's length when it is plain and shorter than CSTR_FAST_MAX.
 * Keys and fixed values are short, so a table lookup per byte costs less
 * than strlen followed by escape_json_to.  The loop takes four bytes per
 * bound check.
 */
static size_t
copy_plain_cstr(char *dst, const unsigned char *src)
{
    size_t len = 0;

    while (len < CSTR_FAST_MAX) {
        if (!escape_json_plain[src[len]]) {
            break;
        }
        dst[len] = (char)src[len];
        if (!escape_json_plain[src[len + 1]]) {
            return len + 1;
        }
        dst[len + 1] = (char)src[len + 1];
        if (!escape_json_plain[src[len + 2]]) {
            return len + 2;
        }
        dst[len + 2] = (char)src[len + 2];
        if (!escape_json_plain[src[len + 3]]) {
            return len + 3;
        }
        dst[len + 3] = (char)src[len + 3];
        len += 4;
    }
    return len;
}

/*
 * Reserves room for the separator, the key (ckey or key) and value_room
 * bytes, and writes the separator and the key there.  Sets *used to the
 * bytes written and returns the start of the room.  Returns NULL, having
 * changed nothing, when the room is not available, when ckey is
 * CSTR_FAST_MAX bytes or longer or needs escaping, or when key is longer
 * than CSTR_FAST_MAX.
 */
static inline char *
begin_member(struct jsonw *w, const char *ckey, struct sv key,
             size_t value_room, size_t *used)
{
    char *dst;
    size_t j = 0;

    if (value_room > VALUE_ROOM_MAX || key.len > CSTR_FAST_MAX) {
        return NULL;
    }
    dst = buf_reserve(w->out, KEY_PUNCT + CSTR_FAST_MAX + value_room);
    if (dst == NULL) {
        return NULL;
    }
    if (!w->first[w->depth]) {
        dst[j++] = ',';
    }
    if (ckey != NULL) {
        size_t len;

        dst[j++] = '"';
        len = copy_plain_cstr(dst + j, (const unsigned char *)ckey);
        /* The NUL that ends the key is not plain, so the copy stops there. */
        if (ckey[len] != '\0') {
            return NULL;
        }
        j += len;
        dst[j++] = '"';
        dst[j++] = ':';
    } else if (key.p != NULL) {
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
add_key(struct jsonw *w, const char *ckey, struct sv key)
{
    if (!w->first[w->depth]) {
        buf_add_char(w->out, ',');
    }
    w->first[w->depth] = false;
    if (ckey != NULL) {
        key = sv_cstr(ckey);
    }
    if (key.p != NULL) {
        buf_add_char(w->out, '"');
        escape_json(w->out, key);
        buf_add(w->out, "\":", 2);
    }
}

/*
 * Writes the separator, the key and the len bytes of text, which need no
 * escaping (punctuation, numbers, literals).
 */
static void
put_member_raw(struct jsonw *w, const char *ckey, struct sv key,
               const char *text, size_t len)
{
    size_t j;
    char *dst = begin_member(w, ckey, key, len, &j);

    if (dst == NULL) {
        add_key(w, ckey, key);
        buf_add(w->out, text, len);
        return;
    }
    memcpy(dst + j, text, len);
    w->out->len += j + len;
}

static void
open_container(struct jsonw *w, const char *ckey, struct sv key, char c)
{
    size_t j;
    char *dst = begin_member(w, ckey, key, 1, &j);

    if (dst == NULL) {
        add_key(w, ckey, key);
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
put_str(struct jsonw *w, const char *ckey, struct sv key, struct sv value)
{
    char *dst = NULL;
    size_t j;

    if (value.len <= ESCAPE_JSON_RESERVE_MAX) {
        dst = begin_member(w, ckey, key,
                           ESCAPE_JSON_MAX_RATIO * value.len + 2, &j);
    }
    if (dst == NULL) {
        add_key(w, ckey, key);
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

/*
 * Writes a C string value.  Its plain start, up to CSTR_FAST_MAX bytes, is
 * copied in place, and the rest, if any, is escaped after it.  The copied
 * bytes are plain ASCII, so no UTF-8 sequence starts among them, and
 * escaping the rest alone gives the bytes escaping the whole string gives.
 */
static void
put_cstr(struct jsonw *w, const char *ckey, struct sv key, const char *value)
{
    size_t j;
    char *dst = NULL;

    if (value != NULL) {
        dst = begin_member(w, ckey, key, CSTR_FAST_MAX + 2, &j);
    }
    if (dst == NULL) {
        put_str(w, ckey, key, sv_cstr(value));
        return;
    }

    size_t len = copy_plain_cstr(dst + j + 1, (const unsigned char *)value);
    dst[j] = '"';
    if (value[len] != '\0') {
        /* Keep the separator, the key and the plain start, and escape
         * the rest after them. */
        w->out->len += j + 1 + len;
        escape_json(w->out, sv_cstr(value + len));
        buf_add_char(w->out, '"');
        return;
    }
    dst[j + 1 + len] = '"';
    w->out->len += j + len + 2;
}

static void
put_int(struct jsonw *w, const char *ckey, struct sv key, int64_t value)
{
    size_t j;
    char *dst = begin_member(w, ckey, key, BUF_I64_MAX, &j);

    if (dst == NULL) {
        char digits[BUF_I64_MAX];
        add_key(w, ckey, key);
        buf_add(w->out, digits, buf_format_i64(digits, (long long)value));
        return;
    }
    j += buf_format_i64(dst + j, (long long)value);
    w->out->len += j;
}

static void
put_bool(struct jsonw *w, const char *ckey, struct sv key, bool value)
{
    if (value) {
        put_member_raw(w, ckey, key, "true", 4);
    } else {
        put_member_raw(w, ckey, key, "false", 5);
    }
}

void
jsonw_obj_begin(struct jsonw *w, const char *key)
{
    open_container(w, key, SV_NULL, '{');
}

void
jsonw_obj_end(struct jsonw *w)
{
    close_container(w, '}');
}

void
jsonw_arr_begin(struct jsonw *w, const char *key)
{
    open_container(w, key, SV_NULL, '[');
}

void
jsonw_arr_end(struct jsonw *w)
{
    close_container(w, ']');
}

void
jsonw_str(struct jsonw *w, const char *key, struct sv value)
{
    put_str(w, key, SV_NULL, value);
}

void
jsonw_cstr(struct jsonw *w, const char *key, const char *value)
{
    put_cstr(w, key, SV_NULL, value);
}

void
jsonw_int(struct jsonw *w, const char *key, int64_t value)
{
    put_int(w, key, SV_NULL, value);
}

void
jsonw_bool(struct jsonw *w, const char *key, bool value)
{
    put_bool(w, key, SV_NULL, value);
}

void
jsonw_null(struct jsonw *w, const char *key)
{
    put_member_raw(w, key, SV_NULL, "null", 4);
}

void
jsonw_member_obj(struct jsonw *w, struct sv key)
{
    open_container(w, NULL, key, '{');
}

void
jsonw_member_arr(struct jsonw *w, struct sv key)
{
    open_container(w, NULL, key, '[');
}

void
jsonw_member_str(struct jsonw *w, struct sv key, struct sv value)
{
    put_str(w, NULL, key, value);
}

void
jsonw_member_cstr(struct jsonw *w, struct sv key, const char *value)
{
    put_cstr(w, NULL, key, value);
}

void
jsonw_member_int(struct jsonw *w, struct sv key, int64_t value)
{
    put_int(w, NULL, key, value);
}

void
jsonw_member_bool(struct jsonw *w, struct sv key, bool value)
{
    put_bool(w, NULL, key, value);
}

void
jsonw_member_raw(struct jsonw *w, struct sv key, const char *json, size_t len)
{
    put_member_raw(w, NULL, key, json, len);
}

void
jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
    put_member_raw(w, NULL, SV_NULL, json, len);
}
