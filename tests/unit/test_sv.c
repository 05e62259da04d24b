/*
 * Unit tests for the string view helpers that parsers call on every line.
 * The plain IPv4 and IPv6 checks agree with inet_pton and inet_ntop on
 * fixed cases and on generated strings.
 */
#include "core/sv.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "tcheck.h"

/* True when inet_ntop writes text back exactly for what inet_pton read. */
static bool
libc_plain_ipv4(const char *text)
{
    unsigned char addr[4];
    char back[INET_ADDRSTRLEN];

    return inet_pton(AF_INET, text, addr) == 1 &&
           inet_ntop(AF_INET, addr, back, sizeof(back)) != NULL &&
           strcmp(back, text) == 0;
}

/* The same for IPv6: inet_ntop writes text back for what inet_pton read. */
static bool
libc_plain_ipv6(const char *text)
{
    unsigned char addr[16];
    char back[INET6_ADDRSTRLEN];

    return inet_pton(AF_INET6, text, addr) == 1 &&
           inet_ntop(AF_INET6, addr, back, sizeof(back)) != NULL &&
           strcmp(back, text) == 0;
}

static void
plain_ipv4_cases(void)
{
    static const char *const yes[] = {
        "0.0.0.0", "192.0.2.1", "255.255.255.255", "10.0.0.10",
        "198.18.235.44", "1.2.3.4", "249.250.199.100", "200.99.9.0",
        "255.254.253.252", "10.20.30.40", "3.4.6.9",
    };
    static const char *const no[] = {
        "", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1.2.3.4.5", "256.1.1.1",
        "01.2.3.4", "1.2.3.04", "1.2.3.00", "1..3.4", "1.2.3.4 ",
        "1.2.3.1000", "::1", "::ffff:1.2.3.4", "a.b.c.d", "1.2.3.-4",
        "192.030.0.6", "1234.1.1.1", "256.0.0.0", "0.0.0.256",
        "1.2.3.260", "1.2.3.300", "249.250.255.256", "0.0.0.0.0",
        "255.255.255.2555", "255.255.255.255.", "000.0.0.0", "1.2..3",
        "1.2.3.", "...", "1.2.3.4x", "x1.2.3.4", "1.2.3 4", "1.2.3.4\n",
        "25.25.25.266", "199.299.1.1",
    };

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        CHECK(sv_is_plain_ipv4(sv_cstr(yes[i])));
        CHECK(libc_plain_ipv4(yes[i]));
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        CHECK(!sv_is_plain_ipv4(sv_cstr(no[i])));
        CHECK(!libc_plain_ipv4(no[i]));
    }
}

/* Checks every string of up to 9 characters from "0125." (the digits of
 * a number in base 5), then longer ones from a fixed generator. */
static void
plain_ipv4_agrees_with_libc(void)
{
    static const char alphabet[] = "0125.";
    char text[20];
    int disagree = 0;
    uint32_t x = 12345;

    for (uint32_t n = 0; n < 1953125; n++) {
        size_t len = 0;
        for (uint32_t v = n; v > 0 && len < 9; v /= 5) {
            text[len++] = alphabet[v % 5];
        }
        text[len] = '\0';
        if (sv_is_plain_ipv4(sv_make(text, len)) != libc_plain_ipv4(text)) {
            disagree++;
        }
    }
    /* The digits that "0125." leaves out, up to 8 characters. */
    static const char others[] = "346789.";
    for (uint32_t n = 0; n < 5764801; n++) {
        size_t len = 0;
        for (uint32_t v = n; v > 0 && len < 8; v /= 7) {
            text[len++] = others[v % 7];
        }
        text[len] = '\0';
        if (sv_is_plain_ipv4(sv_make(text, len)) != libc_plain_ipv4(text)) {
            disagree++;
        }
    }
    for (int k = 0; k < 200000; k++) {
        size_t len = 7 + k % 10;
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            text[i] = (x >> 16) % 4 == 0 ? '.' : (char)('0' + (x >> 20) % 10);
        }
        text[len] = '\0';
        if (sv_is_plain_ipv4(sv_make(text, len)) != libc_plain_ipv4(text)) {
            disagree++;
        }
    }
    CHECK_INT(disagree, 0);
}

/*
 * The earlier form of the check, an automaton over byte classes, kept here
 * as the reference the current one must agree with on every byte string,
 * also on bytes that inet_pton never reads (a NUL, bytes past 127).
 */
static const unsigned char ref_class[256] = {
    ['.'] = 1, ['0'] = 2, ['1'] = 3, ['2'] = 4, ['3'] = 5, ['4'] = 5,
    ['5'] = 6, ['6'] = 7, ['7'] = 7, ['8'] = 7, ['9'] = 7,
};

/* Per number: no digit, after "1", after "2", one digit left, after "25",
 * full; 24 rejects.  Columns: other, dot, 0, 1, 2, 3-4, 5, 6-9. */
static const unsigned char ref_next[25][8] = {
    {24, 24,  5,  1,  2,  3,  3,  3}, {24,  6,  3,  3,  3,  3,  3,  3},
    {24,  6,  3,  3,  3,  3,  4,  5}, {24,  6,  5,  5,  5,  5,  5,  5},
    {24,  6,  5,  5,  5,  5,  5, 24}, {24,  6, 24, 24, 24, 24, 24, 24},
    {24, 24, 11,  7,  8,  9,  9,  9}, {24, 12,  9,  9,  9,  9,  9,  9},
    {24, 12,  9,  9,  9,  9, 10, 11}, {24, 12, 11, 11, 11, 11, 11, 11},
    {24, 12, 11, 11, 11, 11, 11, 24}, {24, 12, 24, 24, 24, 24, 24, 24},
    {24, 24, 17, 13, 14, 15, 15, 15}, {24, 18, 15, 15, 15, 15, 15, 15},
    {24, 18, 15, 15, 15, 15, 16, 17}, {24, 18, 17, 17, 17, 17, 17, 17},
    {24, 18, 17, 17, 17, 17, 17, 24}, {24, 18, 24, 24, 24, 24, 24, 24},
    {24, 24, 23, 19, 20, 21, 21, 21}, {24, 24, 21, 21, 21, 21, 21, 21},
    {24, 24, 21, 21, 21, 21, 22, 23}, {24, 24, 23, 23, 23, 23, 23, 23},
    {24, 24, 23, 23, 23, 23, 23, 24}, {24, 24, 24, 24, 24, 24, 24, 24},
    {24, 24, 24, 24, 24, 24, 24, 24},
};

static bool
ref_plain_ipv4(struct sv s)
{
    unsigned state = 0;

    if (s.len < 7 || s.len > 15) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        state = ref_next[state][ref_class[(unsigned char)s.p[i]]];
    }
    return state > 18 && state < 24;
}

/*
 * Compares sv_is_plain_ipv4 with the reference on edge cases and on every
 * string of up to 7 bytes over "019.x" and a NUL.  Then on numbers from 0
 * to 1000 (leading zeros included) joined by dots, and on random bytes.
 * Each string ends where its buffer ends, so valgrind shows a read past
 * the end.
 */
static void
plain_ipv4_agrees_with_reference(void)
{
    static const char *const edge[] = {
        "0.0.0.0", "255.255.255.255", "256.255.255.255", "255.255.255.256",
        "1.1.1.1.", ".1.1.1.1", "1..1.1.1", "1.1.1..1", "1.1.1.1.1",
        "001.1.1.1", "1.1.1.001", "1.1.1.0001", "1234.1.1.1", "1.1.1.1234",
        "199.199.199.199", "299.1.1.1", "260.1.1.1", "250.1.1.1",
        "...........", "9999.9.9.9", "1.1.1.1 ",
        "100.100.100.100", "10.10.10.10", "1.1.111.1", "0.0.0.00",
    };
    static const char small[] = "019.x";
    char buf[64];
    int disagree = 0;
    uint32_t x = 987654321;

    for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
        size_t len = strlen(edge[i]);
        char *t = buf + sizeof(buf) - len;
        memcpy(t, edge[i], len);
        if (sv_is_plain_ipv4(sv_make(t, len)) !=
            ref_plain_ipv4(sv_make(t, len))) {
            disagree++;
        }
    }
    /* Base 6 over "019.x" and a NUL, every length up to 7. */
    for (size_t len = 0; len <= 7; len++) {
        uint32_t count = 1;
        for (size_t i = 0; i < len; i++) {
            count *= 6;
        }
        char *t = buf + sizeof(buf) - len;
        for (uint32_t n = 0; n < count; n++) {
            uint32_t v = n;
            for (size_t i = 0; i < len; i++, v /= 6) {
                t[i] = v % 6 == 5 ? '\0' : small[v % 6];
            }
            if (sv_is_plain_ipv4(sv_make(t, len)) !=
                ref_plain_ipv4(sv_make(t, len))) {
                disagree++;
            }
        }
    }
    /* Numbers joined by dots, three to five of them, sometimes with a
     * stray byte in place of one of the bytes. */
    for (int k = 0; k < 2000000; k++) {
        char text[80];
        size_t len = 0;
        x = x * 1103515245u + 12345u;
        int parts = 3 + (int)((x >> 16) % 3);
        for (int part = 0; part < parts; part++) {
            x = x * 1103515245u + 12345u;
            unsigned width = 1 + (x >> 12) % 4;
            unsigned value = (x >> 16) % 1001;
            char digits[8];
            int m = snprintf(digits, sizeof(digits), "%0*u", (int)width,
                             value % 300 == 7 ? value : value % 260);
            if (part > 0) {
                text[len++] = '.';
            }
            memcpy(text + len, digits, (size_t)m);
            len += (size_t)m;
        }
        x = x * 1103515245u + 12345u;
        if ((x >> 16) % 8 == 0) {
            text[(x >> 4) % len] = (char)((x >> 20) & 0xff);
        }
        if (len > 16) {
            len = 16;
        }
        char *t = buf + sizeof(buf) - len;
        memcpy(t, text, len);
        if (sv_is_plain_ipv4(sv_make(t, len)) !=
            ref_plain_ipv4(sv_make(t, len))) {
            disagree++;
        }
    }
    /* Random bytes, mostly digits and dots. */
    for (int k = 0; k < 1000000; k++) {
        x = x * 1103515245u + 12345u;
        size_t len = (x >> 16) % 18;
        char *t = buf + sizeof(buf) - len;
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            unsigned r = (x >> 16) % 16;
            t[i] = r < 10 ? (char)('0' + r)
                   : r < 14 ? '.'
                            : (char)((x >> 8) & 0xff);
        }
        if (sv_is_plain_ipv4(sv_make(t, len)) !=
            ref_plain_ipv4(sv_make(t, len))) {
            disagree++;
        }
    }
    CHECK_INT(disagree, 0);
}

static void
plain_ipv6_cases(void)
{
    static const char *const yes[] = {
        "::", "::1", "::2", "1::", "2001:db8::1", "fe80::1",
        "2001:db8:8c14::c7e3", "aaaa:bbbb:cccc:1234::1:1",
        "2606:2800:220:1:248:1893:25c8:1946", "1:0:1:0:1:0:1:0",
        "1::1:0:0:1", "1:0:0:1::1", "::ffff:0:1:2", "::1:2:3",
        "ffff::1", "1::1:0:0",
    };
    static const char *const no[] = {
        "", ":", ":::", "1:", ":1", ":1::", "1:::2", "1::2::3",
        "2001:DB8::1", "2001:db8::01", "2001:0db8::1", "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7", "1:0:0:4:5:6:7:8", "0::1", "1::0", "1:0::1",
        "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:0:0:1::1:1", "::ffff:1:2", "::1:2", "::ffff:0:0",
        "::ffff:1.2.3.4", "::1.2.3.4", "fe80::1%eth0", "12345::1",
        "1:2:3:4:5:6::7:8", "1:2:3:4:5:6:7::8", "g::1", "1.2.3.4",
        "host.example.com", "1::2 ",
    };

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        CHECK(sv_is_plain_ipv6(sv_cstr(yes[i])));
        CHECK(libc_plain_ipv6(yes[i]));
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        CHECK(!sv_is_plain_ipv6(sv_cstr(no[i])));
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        /* inet_ntop writes these two, but with a dotted quad. */
        bool dotted = strcmp(no[i], "::ffff:1.2.3.4") == 0 ||
                      strcmp(no[i], "::1.2.3.4") == 0;
        CHECK(libc_plain_ipv6(no[i]) == dotted);
    }
}

/* The forms with a dotted quad are left to inet_pton and inet_ntop. */
static bool
expect_plain_ipv6(const char *text)
{
    return libc_plain_ipv6(text) && strchr(text, '.') == NULL;
}

/*
 * Checks every string of up to 8 characters from "0:1f." and longer ones
 * built from random groups ("0", "1", "ab", "0f", "ffff", "12345", "F",
 * a dotted quad) joined by ":" or "::", against inet_pton and inet_ntop.
 */
static void
plain_ipv6_agrees_with_libc(void)
{
    static const char alphabet[] = "0:1f.";
    static const char *const group[] = {
        "0", "0", "0", "1", "ab", "0f", "ffff", "12345", "F", "1.2.3.4",
    };
    char text[64];
    int disagree = 0;
    uint32_t x = 777;

    for (uint32_t n = 0; n < 390625; n++) {
        size_t len = 0;
        for (uint32_t v = n; v > 0 && len < 8; v /= 5) {
            text[len++] = alphabet[v % 5];
        }
        text[len] = '\0';
        if (sv_is_plain_ipv6(sv_make(text, len)) != expect_plain_ipv6(text)) {
            disagree++;
        }
    }
    for (int k = 0; k < 300000; k++) {
        size_t len = 0;
        int n = 1 + k % 9;
        bool gap = false;
        x = x * 1103515245u + 12345u;
        if ((x >> 16) % 4 == 0) {
            memcpy(text, "::", 2);
            len = 2;
            gap = true;
        }
        for (int g = 0; g < n; g++) {
            x = x * 1103515245u + 12345u;
            const char *word = group[(x >> 16) % 10];
            if ((x >> 24) % 8 != 0) {
                word = group[(x >> 16) % 7];
            }
            size_t wlen = strlen(word);
            memcpy(text + len, word, wlen);
            len += wlen;
            if (g + 1 < n) {
                text[len++] = ':';
                if (!gap && (x >> 28) % 4 == 0) {
                    text[len++] = ':';
                    gap = true;
                }
            }
        }
        text[len] = '\0';
        if (sv_is_plain_ipv6(sv_make(text, len)) != expect_plain_ipv6(text)) {
            if (disagree < 5) {
                printf("  disagree on \"%s\"\n", text);
            }
            disagree++;
        }
    }
    CHECK_INT(disagree, 0);
}

/* Counts the digits that start the 8 bytes at p, one byte at a time. */
static unsigned
ref_leading_digits(const char *p, uint32_t *value)
{
    unsigned n = 0;

    *value = 0;
    while (n < 8 && p[n] >= '0' && p[n] <= '9') {
        *value = *value * 10 + (uint32_t)(p[n] - '0');
        n++;
    }
    return n;
}

/* Counts the digits that end the 8 bytes at p, one byte at a time. */
static unsigned
ref_trailing_digits(const char *p, uint32_t *value)
{
    unsigned n = 0;

    while (n < 8 && p[7 - n] >= '0' && p[7 - n] <= '9') {
        n++;
    }
    *value = 0;
    for (unsigned i = 8 - n; i < 8; i++) {
        *value = *value * 10 + (uint32_t)(p[i] - '0');
    }
    return n;
}

/* Compares the word helpers with the loops and memchr on the 8 bytes at
 * p. */
static int
digits8_disagree(const char *p)
{
    uint32_t got, want;
    int bad = 0;
    uint64_t shifted = 0;

    for (int i = 7; i >= 0; i--) {
        shifted = shifted << 8 | (unsigned char)p[i];
    }
    bad += sv_load_le64(p) != shifted;
    unsigned n = sv_leading_digits8(p, &got);
    bad += n != ref_leading_digits(p, &want) || got != want;
    n = sv_trailing_digits8(p + 8, &got);
    bad += n != ref_trailing_digits(p, &want) || got != want;
    static const char targets[] = { ' ', '0', '\0', '\xb5', '\x20' ^ 0x80 };
    for (size_t t = 0; t < sizeof(targets); t++) {
        const char *hit = memchr(p, targets[t], 8);
        unsigned expected = hit != NULL ? (unsigned)(hit - p) : 8;
        bad += sv_find_byte8(p, targets[t]) != expected;
    }
    return bad;
}

/*
 * Checks sv_leading_digits8, sv_trailing_digits8 and sv_find_byte8 on
 * every 8-byte string over seven hard bytes: '0', '9', the bytes next to
 * the digits ('/', ':'), a NUL, a space and a byte past 127 whose low 7
 * bits are a digit.  Then on random bytes, digits and spaces.
 */
static void
digits8_agree_with_loops(void)
{
    static const char alphabet[] = { '0', '9', '/', ':', '\0', '\xb5', ' ' };
    char text[8];
    int disagree = 0;
    uint32_t x = 4242;

    for (uint32_t n = 0; n < 5764801; n++) {   /* 7 to the 8th */
        uint32_t v = n;
        for (size_t i = 0; i < 8; i++, v /= 7) {
            text[i] = alphabet[v % 7];
        }
        disagree += digits8_disagree(text);
    }
    for (int k = 0; k < 1000000; k++) {
        for (size_t i = 0; i < 8; i++) {
            x = x * 1103515245u + 12345u;
            unsigned r = (x >> 16) % 16;
            text[i] = r < 12   ? (char)('0' + r % 10)
                      : r == 12 ? ' '
                                : (char)(x >> 24);
        }
        disagree += digits8_disagree(text);
    }
    memcpy(text, "99999999", 8);
    disagree += digits8_disagree(text);
    CHECK_INT(disagree, 0);
}

/*
 * Checks the mark scans, with the bit-scan builtins and in plain C, on every
 * word whose bytes are 0x80 or 0, against a loop over the bytes.
 */
static void
mark_scans_agree_with_loop(void)
{
    int disagree = 0;

    for (unsigned pattern = 0; pattern < 256; pattern++) {
        uint64_t mask = 0;
        unsigned first = 8;
        unsigned after_last = 8;
        unsigned count = 0;
        for (unsigned i = 0; i < 8; i++) {
            if (pattern >> i & 1) {
                mask |= (uint64_t)0x80 << (8 * i);
                first = first == 8 ? i : first;
                after_last = 7 - i;
                count++;
            }
        }
        disagree += sv_word_first_mark(mask) != first;
        disagree += sv_word_first_mark_portable(mask) != first;
        disagree += sv_word_marks_after_last(mask) != after_last;
        disagree += sv_word_marks_after_last_portable(mask) != after_last;
        disagree += sv_word_count_marks(mask) != count;
    }
    CHECK_INT(disagree, 0);
}

int
main(void)
{
    TEST_RUN("sv", plain_ipv4_cases);
    TEST_RUN("sv", plain_ipv4_agrees_with_libc);
    TEST_RUN("sv", plain_ipv4_agrees_with_reference);
    TEST_RUN("sv", plain_ipv6_cases);
    TEST_RUN("sv", plain_ipv6_agrees_with_libc);
    TEST_RUN("sv", digits8_agree_with_loops);
    TEST_RUN("sv", mark_scans_agree_with_loop);
    TEST_EXIT();
}
