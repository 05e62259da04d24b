/* Bounded growable byte buffer. */
#include "core/buf.h"

#include <stdlib.h>

void
buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->dropped = 0;
}

void
buf_fini(struct buf *b)
{
    free(b->data);
    buf_init(b, b->max);
}

void
buf_add_slow(struct buf *b, const void *p, size_t n)
{
    if (n > b->max - b->len) {
        b->dropped += n - (b->max - b->len);
        n = b->max - b->len;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n) {
            cap *= 2;
        }
        if (cap > b->max) {
            cap = b->max;
        }
        char *grown = realloc(b->data, cap);
        if (grown == NULL) {
            b->dropped += n;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    if (n) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
    }
}

void
buf_add_sv(struct buf *b, struct sv v)
{
    buf_add(b, v.p, v.len);
}

void
buf_add_cstr(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void
buf_add_i64(struct buf *b, long long v)
{
    char tmp[24];
    char *p = tmp + sizeof(tmp);
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
                                 : (unsigned long long)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        *--p = '-';
    }
    buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

int
buf_write(const struct buf *b, FILE *f)
{
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len) {
        return -1;
    }
    return 0;
}
