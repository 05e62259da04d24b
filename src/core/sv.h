/*
 * String views: a pointer and a length into memory someone else owns.
 *
 * Parsers scan lines through views and never copy; only the event builder
 * copies bytes into owned storage.  A view is not NUL-terminated.
 */
#ifndef SSHTRAIL_SV_H
#define SSHTRAIL_SV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sv {
    const char *p;
    size_t len;
};

#define SV_NULL ((struct sv){ NULL, 0 })
#define SV_LIT(s) ((struct sv){ (s), sizeof(s) - 1 })

static inline struct sv
sv_make(const char *p, size_t len)
{
    struct sv v = { p, len };
    return v;
}

static inline struct sv
sv_cstr(const char *s)
{
    return sv_make(s, s ? strlen(s) : 0);
}

static inline bool
sv_eq(struct sv a, struct sv b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline bool
sv_eq_cstr(struct sv a, const char *s)
{
    return sv_eq(a, sv_cstr(s));
}

static inline bool
sv_starts_with(struct sv a, const char *prefix)
{
    size_t n = strlen(prefix);
    return a.len >= n && memcmp(a.p, prefix, n) == 0;
}

static inline bool
sv_ends_with(struct sv a, const char *suffix)
{
    size_t n = strlen(suffix);
    return a.len >= n && memcmp(a.p + a.len - n, suffix, n) == 0;
}

/* Drops the first n bytes (or all of them when n exceeds the length). */
static inline struct sv
sv_skip(struct sv a, size_t n)
{
    if (n > a.len) {
        n = a.len;
    }
    return sv_make(a.p + n, a.len - n);
}

static inline struct sv
sv_head(struct sv a, size_t n)
{
    return sv_make(a.p, n < a.len ? n : a.len);
}

/* Returns the offset of the first c in a, or -1. */
static inline ptrdiff_t
sv_find_char(struct sv a, char c)
{
    const char *hit = a.len ? memchr(a.p, c, a.len) : NULL;
    return hit ? hit - a.p : -1;
}

/* Returns the offset of the first occurrence of needle in a, or -1. */
ptrdiff_t sv_find(struct sv a, struct sv needle);

/* Returns the offset of the last occurrence of needle in a, or -1. */
ptrdiff_t sv_rfind(struct sv a, struct sv needle);

static inline struct sv
sv_trim_left(struct sv a)
{
    while (a.len && (a.p[0] == ' ' || a.p[0] == '\t')) {
        a.p++;
        a.len--;
    }
    return a;
}

static inline struct sv
sv_trim_right(struct sv a)
{
    while (a.len && (a.p[a.len - 1] == ' ' || a.p[a.len - 1] == '\t' ||
                     a.p[a.len - 1] == '\r' || a.p[a.len - 1] == '\n')) {
        a.len--;
    }
    return a;
}

static inline struct sv
sv_trim(struct sv a)
{
    return sv_trim_right(sv_trim_left(a));
}

/*
 * Splits a at the first c: *head gets the bytes before it and the return
 * value is the rest after it.  When c is absent *head is all of a and the
 * rest is empty with a NULL pointer.
 */
static inline struct sv
sv_cut(struct sv a, char c, struct sv *head)
{
    ptrdiff_t i = sv_find_char(a, c);
    if (i < 0) {
        *head = a;
        return SV_NULL;
    }
    *head = sv_head(a, (size_t)i);
    return sv_skip(a, (size_t)i + 1);
}

/*
 * Parses a decimal unsigned integer that fills all of a.  Returns false on
 * an empty view, a non-digit or overflow past max.
 */
bool sv_to_u64(struct sv a, uint64_t max, uint64_t *out);

/* Parses a decimal signed integer that fills all of a. */
bool sv_to_i64(struct sv a, int64_t *out);

/*
 * True when a is a dotted quad exactly as inet_ntop writes it: four decimal
 * numbers up to 255 without leading zeros, so it is already canonical.
 */
bool sv_is_plain_ipv4(struct sv a);

/*
 * True when a is IPv6 text exactly as inet_ntop writes it (RFC 5952):
 * lower-case hex groups without leading zeros and the first longest run of
 * two or more zero groups as "::".  False for the forms inet_ntop writes
 * with a dotted quad ("::ffff:192.0.2.1"), for zones and for any other
 * text, which callers convert through inet_pton and inet_ntop.
 */
bool sv_is_plain_ipv6(struct sv a);

#endif
