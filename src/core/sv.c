/*
 * Search and number conversion on string views.  Everything here works on
 * (pointer, length) pairs and reads no byte outside them.
 */
#include "core/sv.h"

#include "core/compiler.h"

#include <pthread.h>
#include <stdatomic.h>

ptrdiff_t
sv_find(struct sv a, struct sv needle)
{
    if (needle.len == 0) {
        return 0;
    }
    if (needle.len > a.len) {
        return -1;
    }

    const char *p = a.p;
    const char *end = a.p + a.len - needle.len + 1;
    while (p < end) {
        const char *hit = memchr(p, needle.p[0], (size_t)(end - p));
        if (hit == NULL) {
            return -1;
        }
        if (memcmp(hit, needle.p, needle.len) == 0) {
            return hit - a.p;
        }
        p = hit + 1;
    }
    return -1;
}

ptrdiff_t
sv_rfind(struct sv a, struct sv needle)
{
    if (needle.len > a.len) {
        return -1;
    }
    if (needle.len == 0) {
        return (ptrdiff_t)a.len;
    }

    /* Test the first byte before comparing the rest. */
    char first = needle.p[0];
    for (size_t i = a.len - needle.len + 1; i-- > 0;) {
        if (a.p[i] == first &&
            memcmp(a.p + i + 1, needle.p + 1, needle.len - 1) == 0) {
            return (ptrdiff_t)i;
        }
    }
    return -1;
}

bool
sv_to_u64(struct sv a, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (a.len == 0 || a.len > 20) {
        return false;
    }
    /* Up to 19 digits cannot overflow 64 bits, so only the 20-digit case
     * needs a careful step; max is compared once at the end. */
    size_t n = a.len < 19 ? a.len : 19;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)a.p[i] - '0';
        if (d > 9) {
            return false;
        }
        v = v * 10 + d;
    }
    if (a.len == 20) {
        unsigned d = (unsigned char)a.p[19] - '0';
        if (d > 9 || v > (UINT64_MAX - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    if (v > max) {
        return false;
    }
    *out = v;
    return true;
}

bool
sv_to_i64(struct sv a, int64_t *out)
{
    uint64_t v;
    bool negative = a.len > 0 && a.p[0] == '-';

    if (negative) {
        a = sv_skip(a, 1);
    }
    if (!sv_to_u64(a, negative ? (uint64_t)INT64_MAX + 1 : INT64_MAX, &v)) {
        return false;
    }
    *out = negative ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/*
 * sv_is_plain_ipv4 runs a table-driven automaton over the text.  Each byte
 * maps to one of eight classes, and ipv4_next[state][class] is the next
 * state.  Each of the four numbers has six states, in this order:
 *
 *   START      no digit yet
 *   ONE        after "1", which takes up to two more digits
 *   TWO        after "2"
 *   LAST       after "1d", "2" and 0 to 4, or 3 to 9: one more digit
 *   TWO_FIVE   after "25": one more digit from 0 to 5
 *   DONE       after "0" or a full number: only a dot may follow
 *
 * A dot after a digit moves to START of the next number.  REJECT is
 * final, and a fourth dot also leads there.
 */
enum {
    IPV4_OTHER, IPV4_DOT, IPV4_0, IPV4_1, IPV4_2, IPV4_3_4, IPV4_5, IPV4_6_9
};

static const unsigned char ipv4_class[256] = {
    ['.'] = IPV4_DOT, ['0'] = IPV4_0, ['1'] = IPV4_1, ['2'] = IPV4_2,
    ['3'] = IPV4_3_4, ['4'] = IPV4_3_4, ['5'] = IPV4_5, ['6'] = IPV4_6_9,
    ['7'] = IPV4_6_9, ['8'] = IPV4_6_9, ['9'] = IPV4_6_9,
};

enum { IPV4_LAST_NUMBER = 18, IPV4_REJECT = 24 };

/* Columns: other, dot, 0, 1, 2, 3-4, 5, 6-9. */
static const unsigned char ipv4_next[IPV4_REJECT + 1][8] = {
    /* Number 1. */
    {24, 24,  5,  1,  2,  3,  3,  3},    /* START */
    {24,  6,  3,  3,  3,  3,  3,  3},    /* ONE */
    {24,  6,  3,  3,  3,  3,  4,  5},    /* TWO */
    {24,  6,  5,  5,  5,  5,  5,  5},    /* LAST */
    {24,  6,  5,  5,  5,  5,  5, 24},    /* TWO_FIVE */
    {24,  6, 24, 24, 24, 24, 24, 24},    /* DONE */
    /* Number 2. */
    {24, 24, 11,  7,  8,  9,  9,  9},    /* START */
    {24, 12,  9,  9,  9,  9,  9,  9},    /* ONE */
    {24, 12,  9,  9,  9,  9, 10, 11},    /* TWO */
    {24, 12, 11, 11, 11, 11, 11, 11},    /* LAST */
    {24, 12, 11, 11, 11, 11, 11, 24},    /* TWO_FIVE */
    {24, 12, 24, 24, 24, 24, 24, 24},    /* DONE */
    /* Number 3. */
    {24, 24, 17, 13, 14, 15, 15, 15},    /* START */
    {24, 18, 15, 15, 15, 15, 15, 15},    /* ONE */
    {24, 18, 15, 15, 15, 15, 16, 17},    /* TWO */
    {24, 18, 17, 17, 17, 17, 17, 17},    /* LAST */
    {24, 18, 17, 17, 17, 17, 17, 24},    /* TWO_FIVE */
    {24, 18, 24, 24, 24, 24, 24, 24},    /* DONE */
    /* Number 4. */
    {24, 24, 23, 19, 20, 21, 21, 21},    /* START */
    {24, 24, 21, 21, 21, 21, 21, 21},    /* ONE */
    {24, 24, 21, 21, 21, 21, 22, 23},    /* TWO */
    {24, 24, 23, 23, 23, 23, 23, 23},    /* LAST */
    {24, 24, 23, 23, 23, 23, 23, 24},    /* TWO_FIVE */
    {24, 24, 24, 24, 24, 24, 24, 24},    /* DONE */
    {24, 24, 24, 24, 24, 24, 24, 24},    /* REJECT */
};

/*
 * Two steps at once: ipv4_next2[state][8 * a + b] is
 * ipv4_next[ipv4_next[state][a]][b], for the classes a and b of two bytes
 * in a row.  Each step needs the state of the step before, so fewer steps
 * make a shorter chain of waits.  build_ipv4_next2 fills the table once,
 * before its first use.
 */
static unsigned char ipv4_next2[IPV4_REJECT + 1][64];
static atomic_bool ipv4_next2_built;
static pthread_once_t ipv4_next2_once = PTHREAD_ONCE_INIT;

static void
build_ipv4_next2(void)
{
    for (unsigned state = 0; state <= IPV4_REJECT; state++) {
        for (unsigned a = 0; a < 8; a++) {
            for (unsigned b = 0; b < 8; b++) {
                ipv4_next2[state][8 * a + b] =
                    ipv4_next[ipv4_next[state][a]][b];
            }
        }
    }
    atomic_store_explicit(&ipv4_next2_built, true, memory_order_release);
}

/* Builds the table and checks s, on the first calls only.  Out of line,
 * it leaves sv_is_plain_ipv4 no registers to save. */
SSHTRAIL_NOINLINE static bool
build_and_check_ipv4(struct sv s)
{
    pthread_once(&ipv4_next2_once, build_ipv4_next2);
    return sv_is_plain_ipv4(s);
}

/*
 * True when s is a dotted quad exactly as inet_ntop writes it: four decimal
 * numbers up to 255 without leading zeros.  inet_pton accepts no other
 * IPv4 text, so such an address can be stored as it is.
 */
bool
sv_is_plain_ipv4(struct sv s)
{
    unsigned state = 0;

    if (s.len < 7 || s.len > 15) {
        return false;
    }
    /* After the first call, one load of the flag replaces pthread_once. */
    if (!atomic_load_explicit(&ipv4_next2_built, memory_order_acquire)) {
        return build_and_check_ipv4(s);
    }

    /* An odd first byte alone, then the bytes two by two. */
    size_t i = s.len & 1;
    if (i != 0) {
        state = ipv4_next[state][ipv4_class[(unsigned char)s.p[0]]];
    }
    for (; i < s.len; i += 2) {
        unsigned pair = ipv4_class[(unsigned char)s.p[i]] * 8u +
                        ipv4_class[(unsigned char)s.p[i + 1]];
        state = ipv4_next2[state][pair];
    }

    /* The fourth number must have at least one digit. */
    return state > IPV4_LAST_NUMBER && state < IPV4_REJECT;
}

/* The lower-case hex digits, the only ones inet_ntop writes. */
static const bool ipv6_hex_digit[256] = {
    ['0'] = true, ['1'] = true, ['2'] = true, ['3'] = true, ['4'] = true,
    ['5'] = true, ['6'] = true, ['7'] = true, ['8'] = true, ['9'] = true,
    ['a'] = true, ['b'] = true, ['c'] = true, ['d'] = true, ['e'] = true,
    ['f'] = true,
};

bool
sv_is_plain_ipv6(struct sv s)
{
    const char *p = s.p;
    const char *end = s.p + s.len;
    int groups = 0;
    int gap = -1;               /* explicit groups before "::", or -1 */
    int run = 0;                /* zero groups that end the groups read */
    int longest = 0;            /* longest run since the start or "::" */
    int longest_before = 0;     /* longest run before "::" */
    bool first_is_ffff = false;

    if (s.len < 2 || s.len > 39) {
        return false;
    }
    if (p[0] == ':') {
        if (p[1] != ':') {
            return false;
        }
        gap = 0;
        p += 2;
    }

    /* Groups of one to four digits without a leading zero, separated by
     * ":" and at most one "::". */
    while (p < end) {
        size_t n = 0;
        while (p + n < end && n < 5 && ipv6_hex_digit[(unsigned char)p[n]]) {
            n++;
        }
        if (n == 0 || n > 4 || groups == 8 || (n > 1 && p[0] == '0')) {
            return false;
        }
        if (n == 1 && p[0] == '0') {
            /* "::" stands for all the zero groups around it. */
            if (groups == gap) {
                return false;
            }
            run++;
            longest = run > longest ? run : longest;
        } else {
            run = 0;
        }
        if (groups == 0 && n == 4 && memcmp(p, "ffff", 4) == 0) {
            first_is_ffff = true;
        }
        groups++;
        p += n;
        if (p == end) {
            break;
        }
        if (*p++ != ':' || p == end) {
            return false;
        }
        if (*p == ':') {
            if (gap >= 0 || run > 0) {
                return false;
            }
            gap = groups;
            longest_before = longest;
            longest = 0;
            p++;
        }
    }

    /* Without "::", inet_ntop would compress any two zero groups. */
    if (gap < 0) {
        return groups == 8 && longest < 2;
    }

    /* "::" stands for the first longest run of zero groups, two or more,
     * so an earlier run is shorter and a later one no longer. */
    int gap_len = 8 - groups;
    if (gap_len < 2 || longest_before >= gap_len || longest > gap_len) {
        return false;
    }

    /* inet_ntop writes "::a.b.c.d" and "::ffff:a.b.c.d" for these. */
    if (gap == 0 && (gap_len == 6 || (gap_len == 5 && first_is_ffff))) {
        return false;
    }
    return true;
}
