/*
 * A streaming JSON builder writing into a bounded buffer.  Keys are fixed
 * strings chosen by the writers.  Values that come from logs go through
 * escape_json, so the output is valid UTF-8 JSON for any input bytes.  The
 * builder inserts the commas, so callers never write punctuation.
 */
#ifndef SSHTRAIL_JSONW_H
#define SSHTRAIL_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/sv.h"

#define JSONW_MAX_DEPTH 32

struct jsonw {
    struct buf *out;
    int depth;
    bool first[JSONW_MAX_DEPTH];
};

void jsonw_init(struct jsonw *w, struct buf *out);

/* Containers.  key is NULL inside arrays and at the top level. */
void jsonw_obj_begin(struct jsonw *w, const char *key);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w, const char *key);
void jsonw_arr_end(struct jsonw *w);

/* Scalars.  key is NULL inside arrays. */
void jsonw_str(struct jsonw *w, const char *key, struct sv value);
void jsonw_cstr(struct jsonw *w, const char *key, const char *value);
void jsonw_int(struct jsonw *w, const char *key, int64_t value);
void jsonw_bool(struct jsonw *w, const char *key, bool value);
void jsonw_null(struct jsonw *w, const char *key);

/*
 * The same writers for object members whose key is given with its length,
 * as SV_LIT("name") does for a string literal.  The key must be plain
 * ASCII: no byte below 0x20, no 0x7f or above, no quote or backslash.  It
 * is copied unchecked, so it must be a constant of the caller, never input.
 * They copy the key with one memcpy, where the C string writers above
 * test and copy it byte by byte.
 */
void jsonw_member_obj(struct jsonw *w, struct sv key);
void jsonw_member_arr(struct jsonw *w, struct sv key);
void jsonw_member_str(struct jsonw *w, struct sv key, struct sv value);
void jsonw_member_cstr(struct jsonw *w, struct sv key, const char *value);
void jsonw_member_int(struct jsonw *w, struct sv key, int64_t value);
void jsonw_member_bool(struct jsonw *w, struct sv key, bool value);

/*
 * Writes a member whose value is the len bytes of json, copied unchecked
 * like the text of jsonw_raw: one complete JSON value that the caller
 * built itself, such as a number or a string it escaped.
 */
void jsonw_member_raw(struct jsonw *w, struct sv key, const char *json,
                      size_t len);

/*
 * Writes the len bytes of json, one or more complete members (inside an
 * object) or values (inside an array), with the separator before them.
 * The text is copied unchecked, so it must be valid JSON that the caller
 * built from constants, never from input.
 */
void jsonw_raw(struct jsonw *w, const char *json, size_t len);

#endif
