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

/*
 * Makes the allocation hold at least need bytes (need <= max).  Returns 0,
 * or -1 when realloc failed; the buffer is unchanged then.
 */
static int
grow(struct buf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 1024;

    while (cap < need) {
        cap *= 2;
    }
    if (cap > b->max) {
        cap = b->max;
    }
    char *grown = realloc(b->data, cap);
    if (grown == NULL) {
        return -1;
    }
    b->data = grown;
    b->cap = cap;
    return 0;
}

void
buf_add_slow(struct buf *b, const void *p, size_t n)
{
    if (n > b->max - b->len) {
        b->dropped += n - (b->max - b->len);
        n = b->max - b->len;
    }
    if (b->len + n > b->cap && grow(b, b->len + n) < 0) {
        b->dropped += n;
        return;
    }
    if (n) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
    }
}

char *
buf_reserve_slow(struct buf *b, size_t n)
{
    if (n == 0 || n > b->max - b->len) {
        return NULL;
    }
    if (b->len + n > b->cap && grow(b, b->len + n) < 0) {
        return NULL;
    }
    return b->data + b->len;
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

/* "00" to "99", so each division by 100 writes two digits at once. */
static const char two_digits[] =
    "0001020304050607080910111213141516171819"
    "2021222324252627282930313233343536373839"
    "4041424344454647484950515253545556575859"
    "6061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

size_t
buf_format_i64(char *dst, long long v)
{
    /* Digits are written backwards ending at tmp + BUF_I64_MAX, then the
     * first BUF_I64_MAX bytes from the sign or first digit on are copied:
     * a fixed-size copy takes fewer instructions than a counted one. */
    char tmp[2 * BUF_I64_MAX] = { 0 };
    char *end = tmp + BUF_I64_MAX;
    char *p = end;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
                                 : (unsigned long long)v;

    /* Each 64-bit division yields four digits, whose two halves are split
     * with 32-bit arithmetic because it costs less. */
    while (u >= 10000) {
        unsigned int low = (unsigned int)(u % 10000);

        u /= 10000;
        p -= 4;
        memcpy(p, two_digits + 2 * (low / 100), 2);
        memcpy(p + 2, two_digits + 2 * (low % 100), 2);
    }
    if (u >= 100) {
        p -= 2;
        memcpy(p, two_digits + 2 * (u % 100), 2);
        u /= 100;
    }
    if (u >= 10) {
        p -= 2;
        memcpy(p, two_digits + 2 * u, 2);
    } else {
        *--p = (char)('0' + u);
    }
    if (v < 0) {
        *--p = '-';
    }
    memcpy(dst, p, BUF_I64_MAX);
    return (size_t)(end - p);
}

void
buf_add_i64(struct buf *b, long long v)
{
    char tmp[BUF_I64_MAX];

    buf_add(b, tmp, buf_format_i64(tmp, v));
}

int
buf_write(const struct buf *b, FILE *f)
{
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len) {
        return -1;
    }
    return 0;
}
