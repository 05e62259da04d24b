/*
 * A growable byte buffer with a hard maximum size.  Appends past the maximum
 * are dropped and counted in `dropped`, never silently: callers that must
 * not lose bytes check it.
 */
#ifndef SSHTRAIL_BUF_H
#define SSHTRAIL_BUF_H

#include <stddef.h>
#include <stdio.h>

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

void buf_add(struct buf *b, const void *p, size_t n);
void buf_add_sv(struct buf *b, struct sv v);
void buf_add_cstr(struct buf *b, const char *s);
void buf_add_char(struct buf *b, char c);
void buf_add_i64(struct buf *b, long long v);

/* Writes the buffer to f; returns 0 or -1 when the write failed. */
int buf_write(const struct buf *b, FILE *f);

#endif
