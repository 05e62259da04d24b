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
 * Reads the 8 bytes at p as a word whose least significant byte is p[0],
 * whatever the machine's byte order.
 */
static inline uint64_t
sv_load_le64(const char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* One load.  GCC 12 also merges the shifts below into one, but not
     * after inlining them next to other arithmetic on the word. */
    uint64_t w;

    memcpy(&w, p, sizeof(w));
    return w;
#else
    const unsigned char *u = (const unsigned char *)p;

    return (uint64_t)u[0] | (uint64_t)u[1] << 8 | (uint64_t)u[2] << 16 |
           (uint64_t)u[3] << 24 | (uint64_t)u[4] << 32 |
           (uint64_t)u[5] << 40 | (uint64_t)u[6] << 48 |
           (uint64_t)u[7] << 56;
#endif
}

/*
 * The helpers below check and convert the 8 characters of a word loaded by
 * sv_load_le64 at once.  No sum or product in them carries from one byte
 * of the word into the next.
 */
#define SV_BYTES_01 0x0101010101010101u
#define SV_BYTES_80 0x8080808080808080u

/* Returns the word with 0x80 in each byte of w that is not '0' to '9'. */
static inline uint64_t
sv_word_non_digits(uint64_t w)
{
    uint64_t x = w ^ (SV_BYTES_01 * '0');   /* digits become 0 to 9 */

    /* A byte of x from 10 to 127 sets its top bit in the sum, a byte from
     * 128 up has it set already. */
    return (((x & (SV_BYTES_01 * 0x7f)) + SV_BYTES_01 * (0x80 - 10)) | x) &
           SV_BYTES_80;
}

/*
 * Returns the number of bytes with 0x80 set in mask, whose other bits are
 * 0, by summing the marks in the top byte of a product.
 */
static inline unsigned
sv_word_count_marks(uint64_t mask)
{
    return (unsigned)(((mask >> 7) * SV_BYTES_01) >> 56);
}

/*
 * Returns the index of the lowest byte with 0x80 set in mask (other bits 0),
 * or 8 when none is.  In plain C, it counts the marks below that byte.
 */
static inline unsigned
sv_word_first_mark_portable(uint64_t mask)
{
    return sv_word_count_marks((mask - 1) & ~mask & SV_BYTES_80);
}

/*
 * Returns the number of bytes above the highest byte with 0x80 set in mask
 * (other bits 0), or 8 when none is.  In plain C, it marks every byte at or
 * below the highest mark and counts the bytes left unmarked.
 */
static inline unsigned
sv_word_marks_after_last_portable(uint64_t mask)
{
    uint64_t below = mask | mask >> 8;

    below |= below >> 16;
    below |= below >> 32;
    return sv_word_count_marks(~below & SV_BYTES_80);
}

/* sv_word_first_mark_portable, in one bit scan with GCC and Clang. */
static inline unsigned
sv_word_first_mark(uint64_t mask)
{
#if defined(__GNUC__)
    return mask != 0 ? (unsigned)__builtin_ctzll(mask) / 8 : 8;
#else
    return sv_word_first_mark_portable(mask);
#endif
}

/* sv_word_marks_after_last_portable, in one bit scan with GCC and Clang. */
static inline unsigned
sv_word_marks_after_last(uint64_t mask)
{
#if defined(__GNUC__)
    return mask != 0 ? (unsigned)__builtin_clzll(mask) / 8 : 8;
#else
    return sv_word_marks_after_last_portable(mask);
#endif
}

/*
 * Returns the offset of the first byte c in the 8 bytes at p (all 8 must be
 * readable), or 8 when none is c.
 */
static inline unsigned
sv_find_byte8(const char *p, char c)
{
    uint64_t x = sv_load_le64(p) ^ (SV_BYTES_01 * (unsigned char)c);
    /* 0x80 in each byte of x that is not 0, so in each byte that is not c. */
    uint64_t other = (((x & (SV_BYTES_01 * 0x7f)) + SV_BYTES_01 * 0x7f) | x) &
                     SV_BYTES_80;
    uint64_t equal = ~other & SV_BYTES_80;

    return sv_word_first_mark(equal);
}

/*
 * Returns the value of the digits in x, which contains one digit (0 to 9)
 * per byte in its top bytes and zeros below them.  The lowest byte is the
 * most significant digit, as in text loaded by sv_load_le64.
 */
static inline uint32_t
sv_word_digits_value(uint64_t x)
{
    /* Pairs, then groups of four, then all eight digits. */
    x = (x * 10 + (x >> 8)) & 0x00ff00ff00ff00ffu;
    x = (x * 100 + (x >> 16)) & 0x0000ffff0000ffffu;
    x = (x * 10000 + (x >> 32)) & 0xffffffffu;
    return (uint32_t)x;
}

/*
 * Counts the decimal digits that start the 8 bytes at p (all 8 must be
 * readable) and stores their value in *value.  Returns 0 to 8, and with 0
 * stores 0.
 */
static inline unsigned
sv_leading_digits8(const char *p, uint32_t *value)
{
    uint64_t w = sv_load_le64(p);
    uint64_t non_digits = sv_word_non_digits(w);
    unsigned n = sv_word_first_mark(non_digits);

    if (n == 0) {
        *value = 0;
        return 0;
    }
    /* Moves the n digits to the top, which fills the bytes below with 0. */
    uint64_t x = (w ^ (SV_BYTES_01 * '0')) << (8 * (8 - n));
    *value = sv_word_digits_value(x);
    return n;
}

/*
 * Counts the decimal digits that end the 8 bytes before end (all 8 must be
 * readable) and stores their value in *value.  Returns 0 to 8, and with 0
 * stores 0.
 */
static inline unsigned
sv_trailing_digits8(const char *end, uint32_t *value)
{
    uint64_t w = sv_load_le64(end - 8);
    uint64_t non_digits = sv_word_non_digits(w);
    unsigned n = sv_word_marks_after_last(non_digits);

    if (n == 0) {
        *value = 0;
        return 0;
    }
    /* Clears the bytes below the n digits. */
    unsigned shift = 8 * (8 - n);
    uint64_t x = (w ^ (SV_BYTES_01 * '0')) >> shift << shift;
    *value = sv_word_digits_value(x);
    return n;
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
