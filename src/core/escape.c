/* JSON and terminal escaping of attacker-controlled bytes. */
#include "core/escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

static const char hex_digits[] = "0123456789abcdef";

size_t
utf8_seq_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];

    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    }
    if (c >= 0xe0 && c <= 0xef) {
        if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80) {
            return 0;
        }
        if (c == 0xe0 && p[1] < 0xa0) {
            return 0;   /* overlong */
        }
        if (c == 0xed && p[1] >= 0xa0) {
            return 0;   /* UTF-16 surrogate */
        }
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
            (p[3] & 0xc0) != 0x80) {
            return 0;
        }
        if (c == 0xf0 && p[1] < 0x90) {
            return 0;   /* overlong */
        }
        if (c == 0xf4 && p[1] >= 0x90) {
            return 0;   /* past U+10FFFF */
        }
        return 4;
    }
    return 0;
}

static void
add_hex_byte(struct buf *out, const char *prefix, unsigned char c)
{
    char tmp[8];
    size_t n = strlen(prefix);

    memcpy(tmp, prefix, n);
    tmp[n] = hex_digits[c >> 4];
    tmp[n + 1] = hex_digits[c & 15];
    buf_add(out, tmp, n + 2);
}

#define PLAIN16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
const unsigned char escape_json_plain[256] = {
    [0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x20 */
    PLAIN16,                                                   /* 0x30 */
    PLAIN16,                                                   /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,            /* 0x50 */
    PLAIN16,                                                   /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,            /* 0x70 */
};
#undef PLAIN16

/* The maximum number of bytes json_span_is_plain tests at once. */
#define JSON_BLOCK 16

/*
 * Returns true when none of the len bytes at p needs escaping; len is 4, 8
 * or JSON_BLOCK.  The test is the escape_json_plain table written as
 * arithmetic, and the loop has no branch, so with len a constant the
 * compiler turns it into a few vector compares.  The flags are then ORed
 * as 64-bit words, which takes fewer instructions than ORing byte by byte.
 */
static inline bool
json_span_is_plain(const unsigned char *p, size_t len)
{
    unsigned char special[JSON_BLOCK] = { 0 };
    uint64_t low;
    uint64_t high;

    for (size_t k = 0; k < len; k++) {
        unsigned char c = p[k];
        /* Below 0x20 or from 0x7f up wraps to 0x5f or more. */
        special[k] = (unsigned char)((unsigned char)(c - 0x20) >= 0x5f) |
                     (unsigned char)(c == '"') | (unsigned char)(c == '\\');
    }
    memcpy(&low, special, 8);
    memcpy(&high, special + 8, 8);
    return (low | high) == 0;
}

/*
 * Tests the bytes from p[from] to p[to] as two spans of size bytes, the
 * first starting at p[from] and the second ending at p[to], and copies
 * them to dst when both are plain.  to - from is between size and
 * 2 * size, so the spans cover the range and overlap unless it is 2 * size.
 */
static inline bool
json_copy_two_spans(char *dst, const unsigned char *p, size_t from, size_t to,
                    size_t size)
{
    if (!json_span_is_plain(p + from, size) ||
        !json_span_is_plain(p + to - size, size)) {
        return false;
    }
    memcpy(dst, p + from, size);
    memcpy(dst + (to - from) - size, p + to - size, size);
    return true;
}

/*
 * Copies the plain bytes of the run that starts at p[run] and continues at
 * p[*i] (written at dst[*j]) to dst, up to the end or the next byte that
 * needs escaping, and advances *i and *j past them.
 */
static inline void
json_copy_plain(char *dst, size_t *j, const unsigned char *p, size_t *i,
                size_t run, size_t n)
{
    while (n - *i >= JSON_BLOCK && json_span_is_plain(p + *i, JSON_BLOCK)) {
        memcpy(dst + *j, p + *i, JSON_BLOCK);
        *i += JSON_BLOCK;
        *j += JSON_BLOCK;
    }

    /*
     * Fewer than JSON_BLOCK bytes are left, or one of the next JSON_BLOCK
     * needs escaping.  The bytes from p[run] to p[*i] are plain and copied
     * one to one, so the rest can be tested and copied in blocks that
     * overlap them, as memcpy implementations do for short lengths.  The
     * run start in dst is dst + *j - (*i - run).
     */
    size_t rest = n - *i;
    size_t len = n - run;
    char *out = dst + *j - (*i - run);
    bool copied = false;

    if (rest == 0 || rest >= JSON_BLOCK) {
        copied = false;
    } else if (len >= JSON_BLOCK) {
        copied = json_span_is_plain(p + n - JSON_BLOCK, JSON_BLOCK);
        if (copied) {
            memcpy(out + len - JSON_BLOCK, p + n - JSON_BLOCK, JSON_BLOCK);
        }
    } else if (len >= 8) {
        copied = json_copy_two_spans(out, p, run, n, 8);
    } else if (len >= 4) {
        copied = json_copy_two_spans(out, p, run, n, 4);
    }
    if (copied) {
        *i = n;
        *j += rest;
        return;
    }
    while (*i < n && escape_json_plain[p[*i]]) {
        dst[(*j)++] = (char)p[(*i)++];
    }
}

/*
 * Writes the escaped form of the byte or UTF-8 sequence at p (n bytes left,
 * p[0] not plain) to dst, which has room for ESCAPE_JSON_MAX_RATIO bytes.
 * Sets *used to the input bytes consumed and returns the bytes written.
 */
static size_t
escape_json_special(char *dst, const unsigned char *p, size_t n, size_t *used)
{
    unsigned char c = p[0];

    *used = 1;
    switch (c) {
    case '"':
        memcpy(dst, "\\\"", 2);
        return 2;
    case '\\':
        /* A literal backslash is written as two, then JSON-escaped. */
        memcpy(dst, "\\\\\\\\", 4);
        return 4;
    case '\n':
        memcpy(dst, "\\n", 2);
        return 2;
    case '\t':
        memcpy(dst, "\\t", 2);
        return 2;
    case '\r':
        memcpy(dst, "\\r", 2);
        return 2;
    default:
        break;
    }
    if (c < 0x20 || c == 0x7f) {
        memcpy(dst, "\\u00", 4);
        dst[4] = hex_digits[c >> 4];
        dst[5] = hex_digits[c & 15];
        return 6;
    }

    size_t len = utf8_seq_len(p, n);
    if (len == 0) {
        /* Not valid UTF-8: the byte as \xHH, with the backslash escaped. */
        memcpy(dst, "\\\\x", 3);
        dst[3] = hex_digits[c >> 4];
        dst[4] = hex_digits[c & 15];
        return 5;
    }
    for (size_t k = 0; k < len; k++) {
        dst[k] = (char)p[k];
    }
    *used = len;
    return len;
}

size_t
escape_json_to(char *dst, struct sv v)
{
    const unsigned char *p = (const unsigned char *)v.p;
    size_t n = v.len;
    size_t i = 0;
    size_t j = 0;

    while (i < n) {
        json_copy_plain(dst, &j, p, &i, i, n);
        if (i == n) {
            break;
        }

        size_t used;
        j += escape_json_special(dst + j, p + i, n - i, &used);
        i += used;
    }
    return j;
}

/*
 * escape_json for a buffer that may reach its maximum: appends piece by
 * piece so buf_add truncates at max and counts the rest as dropped.
 */
static void
escape_json_bounded(struct buf *out, struct sv v)
{
    const unsigned char *p = (const unsigned char *)v.p;
    size_t n = v.len;
    size_t i = 0;

    while (i < n) {
        size_t start = i;
        while (i < n && escape_json_plain[p[i]]) {
            i++;
        }
        buf_add(out, p + start, i - start);
        if (i == n) {
            break;
        }

        char tmp[ESCAPE_JSON_MAX_RATIO];
        size_t used;
        size_t len = escape_json_special(tmp, p + i, n - i, &used);
        buf_add(out, tmp, len);
        i += used;
    }
}

void
escape_json(struct buf *out, struct sv v)
{
    if (v.len == 0) {
        return;
    }
    if (v.len <= ESCAPE_JSON_RESERVE_MAX) {
        char *dst = buf_reserve(out, ESCAPE_JSON_MAX_RATIO * v.len);
        if (dst != NULL) {
            out->len += escape_json_to(dst, v);
            return;
        }
    }
    escape_json_bounded(out, v);
}

void
escape_text(struct buf *out, struct sv v, size_t max)
{
    const unsigned char *p = (const unsigned char *)v.p;
    size_t n = v.len;
    size_t cut = 0;

    if (max > 0 && n > max) {
        cut = n - max;
        n = max;
    }
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c == '\\') {
            buf_add(out, "\\\\", 2);
            i++;
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            add_hex_byte(out, "\\x", c);
            i++;
            continue;
        }
        size_t len = utf8_seq_len(p + i, n - i);
        /* C1 controls U+0080..U+009F act as terminal controls too. */
        if (len == 0 || (len == 2 && c == 0xc2 && p[i + 1] < 0xa0)) {
            add_hex_byte(out, "\\x", c);
            i++;
            continue;
        }
        buf_add(out, p + i, len);
        i += len;
    }
    if (cut) {
        char tmp[48];
        int k = snprintf(tmp, sizeof(tmp), "...[+%zu bytes]", cut);
        buf_add(out, tmp, (size_t)k);
    }
}

int
escape_text_write(FILE *f, const char *s)
{
    struct buf b;

    /* Four bytes out per byte in at most (\xHH), so the copy never cuts. */
    buf_init(&b, 4 * strlen(s) + 64);
    escape_text(&b, sv_cstr(s), 0);
    int rc = b.dropped == 0 ? buf_write(&b, f) : -1;
    buf_fini(&b);
    return rc;
}
