/*
 * Evidence text written into a fixed array, without printf.  The text is
 * cut at the array's end and stays NUL-terminated, as snprintf leaves it.
 * A string from a log stops at its first NUL byte, as a "%.*s" conversion
 * stops.  So the result equals the snprintf call it replaces.
 */
#ifndef SSHTRAIL_EVTEXT_H
#define SSHTRAIL_EVTEXT_H

#include <stdint.h>
#include <string.h>

#include "core/sv.h"

struct evtext {
    char *p;
    size_t n;           /* bytes of p, at least 1 */
    size_t len;         /* bytes written, NUL excluded */
};

static inline void
evtext_init(struct evtext *t, char *p, size_t n)
{
    t->p = p;
    t->n = n;
    t->len = 0;
    p[0] = '\0';
}

/* Appends len bytes of s, cut to the room left. */
static inline void
evtext_add(struct evtext *t, const char *s, size_t len)
{
    size_t room = t->n - 1 - t->len;

    if (len > room) {
        len = room;
    }
    if (len == 0) {
        return;
    }
    memcpy(t->p + t->len, s, len);
    t->len += len;
    t->p[t->len] = '\0';
}

static inline void
evtext_cstr(struct evtext *t, const char *s)
{
    evtext_add(t, s, strlen(s));
}

/* Appends at most max bytes of s, up to its first NUL byte. */
static inline void
evtext_sv(struct evtext *t, struct sv s, size_t max)
{
    size_t len = s.len < max ? s.len : max;
    const char *nul = len > 0 ? memchr(s.p, '\0', len) : NULL;

    if (nul != NULL) {
        len = (size_t)(nul - s.p);
    }
    evtext_add(t, s.p, len);
}

static inline void
evtext_u64(struct evtext *t, uint64_t v)
{
    char digits[20];
    size_t i = sizeof(digits);

    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    evtext_add(t, digits + i, sizeof(digits) - i);
}

static inline void
evtext_i64(struct evtext *t, int64_t v)
{
    if (v < 0) {
        evtext_add(t, "-", 1);
        evtext_u64(t, 0 - (uint64_t)v);
        return;
    }
    evtext_u64(t, (uint64_t)v);
}

#endif
