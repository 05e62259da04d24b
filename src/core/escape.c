/* JSON and terminal escaping of attacker-controlled bytes. */
#include "core/escape.h"

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

/* 1 for the bytes escape_json copies as they are: printable ASCII but
 * the quote and the backslash. */
#define PLAIN16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char json_plain[256] = {
    [0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x20 */
    PLAIN16,                                                   /* 0x30 */
    PLAIN16,                                                   /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,            /* 0x50 */
    PLAIN16,                                                   /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,            /* 0x70 */
};
#undef PLAIN16

void
escape_json(struct buf *out, struct sv v)
{
    const unsigned char *p = (const unsigned char *)v.p;
    size_t n = v.len;
    size_t i = 0;

    while (i < n) {
        /* Copy the longest run that needs no escaping in one call. */
        size_t start = i;
        while (i < n && json_plain[p[i]]) {
            i++;
        }
        buf_add(out, p + start, i - start);
        if (i == n) {
            break;
        }

        unsigned char c = p[i];
        if (c == '"') {
            buf_add(out, "\\\"", 2);
            i++;
        } else if (c == '\\') {
            /* A literal backslash is written as two, then JSON-escaped. */
            buf_add(out, "\\\\\\\\", 4);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            switch (c) {
            case '\n':
                buf_add(out, "\\n", 2);
                break;
            case '\t':
                buf_add(out, "\\t", 2);
                break;
            case '\r':
                buf_add(out, "\\r", 2);
                break;
            default:
                add_hex_byte(out, "\\u00", c);
                break;
            }
            i++;
        } else {
            size_t len = utf8_seq_len(p + i, n - i);
            if (len == 0) {
                add_hex_byte(out, "\\\\x", c);
                i++;
            } else {
                buf_add(out, p + i, len);
                i += len;
            }
        }
    }
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
