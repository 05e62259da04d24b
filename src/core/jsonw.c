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
 */

/* The maximum length of a key or C string value that copy_plain_cstr
 * copies, a multiple of 4.  Longer ones are escaped after strlen. */
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
 * Reserves room for the separator, the key and value_room bytes, and
 * writes the separator and the key there.  Sets *used to the bytes written
 * and returns the start of the room, or returns NULL, having changed
 * nothing, when the room is not available or the key is CSTR_FAST_MAX bytes
 * or longer or contains a byte that needs escaping.
 */
static inline char *
begin_member(struct jsonw *w, const char *key, size_t value_room,
             size_t *used)
{
    char *dst;
    size_t j = 0;

    if (value_room > VALUE_ROOM_MAX) {
        return NULL;
    }
    dst = buf_reserve(w->out, KEY_PUNCT + CSTR_FAST_MAX + value_room);
    if (dst == NULL) {
        return NULL;
    }
    if (!w->first[w->depth]) {
        dst[j++] = ',';
    }
    if (key != NULL) {
        size_t len;

        dst[j++] = '"';
        len = copy_plain_cstr(dst + j, (const unsigned char *)key);
        /* The NUL that ends the key is not plain, so the copy stops there. */
        if (key[len] != '\0') {
            return NULL;
        }
        j += len;
        dst[j++] = '"';
        dst[j++] = ':';
    }
    w->first[w->depth] = false;
    *used = j;
    return dst;
}

/* Appends the separator and the key with buf_add. */
static void
add_key(struct jsonw *w, const char *key)
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

/*
 * Writes the separator, the key and the len bytes of text, which need no
 * escaping (punctuation, numbers, literals).
 */
static void
put_member_raw(struct jsonw *w, const char *key, const char *text,
               size_t len)
{
    size_t j;
    char *dst = begin_member(w, key, len, &j);

    if (dst == NULL) {
        add_key(w, key);
        buf_add(w->out, text, len);
        return;
    }
    memcpy(dst + j, text, len);
    w->out->len += j + len;
}

static void
open_container(struct jsonw *w, const char *key, char c)
{
    size_t j;
    char *dst = begin_member(w, key, 1, &j);

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
    char *dst = NULL;
    size_t j;

    if (value.len <= ESCAPE_JSON_RESERVE_MAX) {
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

void
jsonw_cstr(struct jsonw *w, const char *key, const char *value)
{
    size_t j;
    char *dst = NULL;

    if (value != NULL) {
        dst = begin_member(w, key, CSTR_FAST_MAX + 2, &j);
    }
    if (dst == NULL) {
        jsonw_str(w, key, sv_cstr(value));
        return;
    }

    size_t len = copy_plain_cstr(dst + j + 1, (const unsigned char *)value);
    if (value[len] != '\0') {
        /* Keep the separator and key, and escape the value after them. */
        w->out->len += j;
        buf_add_char(w->out, '"');
        escape_json(w->out, sv_cstr(value));
        buf_add_char(w->out, '"');
        return;
    }
    dst[j] = '"';
    dst[j + 1 + len] = '"';
    w->out->len += j + len + 2;
}

void
jsonw_int(struct jsonw *w, const char *key, int64_t value)
{
    size_t j;
    char *dst = begin_member(w, key, BUF_I64_MAX, &j);

    if (dst == NULL) {
        char digits[BUF_I64_MAX];
        add_key(w, key);
        buf_add(w->out, digits, buf_format_i64(digits, (long long)value));
        return;
    }
    j += buf_format_i64(dst + j, (long long)value);
    w->out->len += j;
}

void
jsonw_bool(struct jsonw *w, const char *key, bool value)
{
    if (value) {
        put_member_raw(w, key, "true", 4);
    } else {
        put_member_raw(w, key, "false", 5);
    }
}

void
jsonw_null(struct jsonw *w, const char *key)
{
    put_member_raw(w, key, "null", 4);
}

void
jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
    put_member_raw(w, NULL, json, len);
}
