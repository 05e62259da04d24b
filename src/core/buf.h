/*
 * A growable byte buffer with a hard maximum size.  Appends past the maximum
 * are dropped and counted in `dropped`, never silently: callers that must
 * not lose bytes check it.
 */
#ifndef SSHTRAIL_BUF_H
#define SSHTRAIL_BUF_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/sv.h"

struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
    size_t dropped;
};

/* Prepares an empty buffer that never grows past max bytes. */
void buf_init(struct buf *b, size_t max);
void buf_fini(struct buf *b);

static inline void
buf_clear(struct buf *b)
{
    b->len = 0;
    b->dropped = 0;
}

/* Growing, truncating and counting part of buf_add; not for callers. */
void buf_add_slow(struct buf *b, const void *p, size_t n);

/*
 * Appends n bytes.  The bytes past max are dropped and counted.  The common
 * case, room in the allocation already, is inline.
 */
static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
    if (n <= b->cap - b->len) {
        if (n > 0) {
            memcpy(b->data + b->len, p, n);
            b->len += n;
        }
        return;
    }
    buf_add_slow(b, p, n);
}

static inline void
buf_add_char(struct buf *b, char c)
{
    if (b->len < b->cap) {
        b->data[b->len++] = c;
        return;
    }
    buf_add_slow(b, &c, 1);
}

/* Growing part of buf_reserve; not for callers. */
char *buf_reserve_slow(struct buf *b, size_t n);

/*
 * Returns room for n bytes (n > 0) past the end of the contents, growing
 * the allocation when needed, or NULL when n more bytes would pass max or
 * memory ran out.  Nothing is written or counted: the caller writes at most
 * n bytes there and adds their number to b->len.  A caller that gets NULL
 * appends with buf_add instead, which truncates and counts the dropped
 * bytes.
 */
static inline char *
buf_reserve(struct buf *b, size_t n)
{
    if (n <= b->cap - b->len && b->data != NULL) {
        return b->data + b->len;
    }
    return buf_reserve_slow(b, n);
}

/* The maximum length of a long long in decimal, with its sign. */
#define BUF_I64_MAX 20

/*
 * Writes v in decimal, as printf's "%lld" does, at dst, which has room for
 * BUF_I64_MAX bytes.  Returns the length of the number; the bytes after it,
 * up to BUF_I64_MAX, are overwritten with unspecified values and no NUL is
 * added.
 */
size_t buf_format_i64(char *dst, long long v);

void buf_add_sv(struct buf *b, struct sv v);
void buf_add_cstr(struct buf *b, const char *s);
void buf_add_i64(struct buf *b, long long v);

/* Writes the buffer to f; returns 0 or -1 when the write failed. */
int buf_write(const struct buf *b, FILE *f);

#endif
