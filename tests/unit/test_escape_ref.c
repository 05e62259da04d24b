/*
 * Unit tests that compare escape_json and escape_json_to, which copy plain
 * bytes in blocks, with a simple reference escaper written below one byte
 * at a time.  The inputs are every single byte and byte pair, crafted
 * UTF-8 edge cases, long plain runs with one special byte at every
 * position, and random strings.  Buffers near their maximum check that the
 * piece-by-piece path truncates and counts exactly as the fast path would
 * write.
 */
#include "core/escape.h"

#include <stdint.h>
#include <stdlib.h>

#include "tcheck.h"

#define OUT_MAX (16u * 1024u * 1024u)

/*
 * Returns the length of the valid UTF-8 sequence at p (n bytes left), or 0.
 * It decodes the code point and checks its range, apart from the lead-byte
 * tables of utf8_seq_len.
 */
static size_t
ref_utf8_len(const unsigned char *p, size_t n)
{
    static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    uint32_t cp;
    size_t len;

    if (p[0] < 0x80) {
        return 1;
    } else if ((p[0] & 0xe0) == 0xc0) {
        len = 2;
        cp = p[0] & 0x1fu;
    } else if ((p[0] & 0xf0) == 0xe0) {
        len = 3;
        cp = p[0] & 0x0fu;
    } else if ((p[0] & 0xf8) == 0xf0) {
        len = 4;
        cp = p[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (p[i] & 0x3fu);
    }
    if (cp < min_cp[len] || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

/* The escaping that escape.h documents, one byte at a time. */
static void
ref_escape(struct buf *out, const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = p[i];
        char tmp[8];

        if (c == '"') {
            buf_add(out, "\\\"", 2);
        } else if (c == '\\') {
            buf_add(out, "\\\\\\\\", 4);
        } else if (c == '\n') {
            buf_add(out, "\\n", 2);
        } else if (c == '\t') {
            buf_add(out, "\\t", 2);
        } else if (c == '\r') {
            buf_add(out, "\\r", 2);
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(tmp, sizeof(tmp), "\\u%04x", c);
            buf_add(out, tmp, 6);
        } else if (c < 0x80) {
            buf_add_char(out, (char)c);
        } else {
            size_t len = ref_utf8_len(p + i, n - i);
            if (len == 0) {
                snprintf(tmp, sizeof(tmp), "\\\\x%02x", c);
                buf_add(out, tmp, 5);
            } else {
                buf_add(out, p + i, len);
                i += len;
                continue;
            }
        }
        i++;
    }
}

/*
 * Escapes in three ways (escape_json into an empty buffer, escape_json
 * after other bytes, escape_json_to into a guarded array) and compares each
 * with the reference.  Prints the input on the first mismatch.
 */
static int
matches_reference(const void *in, size_t n)
{
    struct buf ref, fast, after;
    int ok = 1;

    buf_init(&ref, OUT_MAX);
    buf_init(&fast, OUT_MAX);
    buf_init(&after, OUT_MAX);
    ref_escape(&ref, in, n);
    escape_json(&fast, sv_make(in, n));
    buf_add(&after, "prefix", 6);
    escape_json(&after, sv_make(in, n));

    if (fast.len != ref.len ||
        (ref.len > 0 && memcmp(fast.data, ref.data, ref.len) != 0)) {
        ok = 0;
    }
    if (after.len != ref.len + 6 ||
        (ref.len > 0 && memcmp(after.data + 6, ref.data, ref.len) != 0)) {
        ok = 0;
    }

    /* escape_json_to may use all of its room but no byte past it. */
    size_t room = ESCAPE_JSON_MAX_RATIO * n;
    unsigned char *dst = malloc(room + 16);
    memset(dst, 0xa5, room + 16);
    size_t len = escape_json_to((char *)dst, sv_make(in, n));
    if (len != ref.len || (len > 0 && memcmp(dst, ref.data, len) != 0)) {
        ok = 0;
    }
    for (size_t k = room; k < room + 16; k++) {
        if (dst[k] != 0xa5) {
            ok = 0;
        }
    }
    free(dst);

    if (!ok) {
        printf("  mismatch for %zu input bytes:", n);
        for (size_t k = 0; k < n && k < 40; k++) {
            printf(" %02x", ((const unsigned char *)in)[k]);
        }
        printf("\n  expected \"%.*s\"\n  got      \"%.*s\"\n",
               (int)ref.len, ref.data ? ref.data : "", (int)fast.len,
               fast.data ? fast.data : "");
    }
    buf_fini(&ref);
    buf_fini(&fast);
    buf_fini(&after);
    return ok;
}

static void
every_single_byte(void)
{
    int bad = 0;

    for (unsigned b = 0; b < 256 && bad < 5; b++) {
        unsigned char in = (unsigned char)b;
        bad += !matches_reference(&in, 1);
    }
    CHECK_INT(bad, 0);
}

static void
every_byte_pair(void)
{
    int bad = 0;

    for (unsigned a = 0; a < 256 && bad < 5; a++) {
        for (unsigned b = 0; b < 256 && bad < 5; b++) {
            unsigned char in[2] = { (unsigned char)a, (unsigned char)b };
            bad += !matches_reference(in, 2);
        }
    }
    CHECK_INT(bad, 0);
}

/* Multi-byte leads followed by continuation and non-continuation bytes,
 * at the end of the input and inside it. */
static void
utf8_leads_and_tails(void)
{
    static const unsigned char tails[] = {
        0x00, 0x22, 0x41, 0x5c, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
        0xc0, 0xc2, 0xe0, 0xf0, 0xff,
    };
    size_t nt = sizeof(tails);
    int bad = 0;

    for (unsigned lead = 0xc0; lead < 0x100 && bad < 5; lead++) {
        for (size_t a = 0; a < nt && bad < 5; a++) {
            for (size_t b = 0; b < nt && bad < 5; b++) {
                for (size_t c = 0; c < nt && bad < 5; c++) {
                    unsigned char in[6] = { (unsigned char)lead, tails[a],
                                            tails[b], tails[c], 'x', 'y' };
                    bad += !matches_reference(in, 4);
                    bad += !matches_reference(in, 6);
                    bad += !matches_reference(in, 3);
                }
            }
        }
    }
    CHECK_INT(bad, 0);
}

static void
crafted_sequences(void)
{
    static const char *const cases[] = {
        "\xc0\x80",                 /* overlong NUL */
        "\xc1\xbf",                 /* overlong 2-byte */
        "\xe0\x80\x80",             /* overlong 3-byte */
        "\xe0\x9f\xbf",             /* overlong, just below U+0800 */
        "\xe0\xa0\x80",             /* U+0800 */
        "\xf0\x80\x80\x80",         /* overlong 4-byte */
        "\xf0\x8f\xbf\xbf",         /* overlong, just below U+10000 */
        "\xf0\x90\x80\x80",         /* U+10000 */
        "\xed\x9f\xbf",             /* U+D7FF */
        "\xed\xa0\x80",             /* high surrogate */
        "\xed\xbf\xbf",             /* low surrogate */
        "\xed\xa0\xbd\xed\xb8\x80", /* surrogate pair as CESU-8 */
        "\xee\x80\x80",             /* U+E000 */
        "\xf4\x8f\xbf\xbf",         /* U+10FFFF */
        "\xf4\x90\x80\x80",         /* past U+10FFFF */
        "\xf5\x80\x80\x80",
        "\xf8\x88\x80\x80\x80",     /* old 5-byte form */
        "\xfe\xff",
        "\xe2\x80\xa8",             /* U+2028, passes unescaped */
        "\xe2\x80\xa9",             /* U+2029 */
        "a\xc3",                    /* truncated at the end */
        "a\xe2\x82",
        "a\xf0\x9f\x98",
        "\xe2\x82x",                /* cut inside */
        "\xf0\x9f\x98\x80\xf0\x9f\x98",
        "\x80\x80\x80",             /* lone continuations */
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 done",
    };
    int bad = 0;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bad += !matches_reference(cases[i], strlen(cases[i]));
    }
    /* NUL inside and at the ends. */
    bad += !matches_reference("\0", 1);
    bad += !matches_reference("a\0b", 3);
    bad += !matches_reference("\0abcdefghijklmnopq\0", 19);
    CHECK_INT(bad, 0);
}

/*
 * Plain runs of every length up to 80 with one special byte or sequence at
 * every position: this walks each block boundary and each overlapping tail
 * copy of the fast path.
 */
static void
plain_runs_with_one_special(void)
{
    static const char *const specials[] = {
        "\"", "\\", "\n", "\t", "\r", "\x01", "\x1f", "\x7f", "\x80",
        "\xff", "\xc3", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
        "\xed\xa0\x80",
    };
    size_t nspecial = sizeof(specials) / sizeof(specials[0]);
    unsigned char in[96];
    int bad = 0;

    for (size_t len = 0; len <= 80 && bad < 5; len++) {
        for (size_t k = 0; k < len; k++) {
            in[k] = (unsigned char)(' ' + (k * 7 + len) % 95);
            if (in[k] == '"' || in[k] == '\\') {
                in[k] = 'q';
            }
        }
        bad += !matches_reference(in, len);
        for (size_t s = 0; s < nspecial && bad < 5; s++) {
            size_t slen = strlen(specials[s]);
            for (size_t pos = 0; pos + slen <= len && bad < 5; pos++) {
                unsigned char copy[96];
                memcpy(copy, in, len);
                memcpy(copy + pos, specials[s], slen);
                bad += !matches_reference(copy, len);
            }
        }
        /* NUL at every position. */
        for (size_t pos = 0; pos < len && bad < 5; pos++) {
            unsigned char copy[96];
            memcpy(copy, in, len);
            copy[pos] = 0;
            bad += !matches_reference(copy, len);
        }
    }
    CHECK_INT(bad, 0);
}

/* A small xorshift generator, so the random cases repeat run to run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Random strings: mostly plain text with specials, UTF-8 and raw bytes
 * mixed in at random rates, so both long runs and dense escapes occur. */
static void
random_strings(void)
{
    static const char *const pieces[] = {
        "\"", "\\", "\n", "\x01", "\x7f", "\xc3\xa9", "\xe2\x80\xa8",
        "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xc3", "\xff", "\x80",
    };
    unsigned char in[600];
    int bad = 0;

    for (int round = 0; round < 20000 && bad < 5; round++) {
        size_t len = (size_t)(rng_next() % 500);
        unsigned rate = (unsigned)(rng_next() % 64);
        size_t n = 0;

        while (n < len) {
            uint64_t r = rng_next();
            if (r % 64 < rate && r % 5 == 0) {
                in[n++] = (unsigned char)(r >> 8);
            } else if (r % 64 < rate) {
                const char *piece = pieces[(r >> 8) % 12];
                size_t plen = strlen(piece);
                memcpy(in + n, piece, plen);
                n += plen;
            } else {
                in[n++] = (unsigned char)(' ' + (r >> 8) % 95);
            }
        }
        bad += !matches_reference(in, n);
    }
    CHECK_INT(bad, 0);
}

/*
 * Buffers whose maximum cuts the escaped text at every byte: the result is
 * the reference cut at the maximum and the rest is counted as dropped,
 * whichever path escape_json took.
 */
static void
truncation_at_every_byte(void)
{
    static const char in[] = "ab\"c\\d\ne\x01\xc3\xa9\xe2\x82\xac\xff"
                             "0123456789abcdefghijklmnopqrstuvwxyz!";
    size_t n = sizeof(in) - 1;
    struct buf ref;
    int bad = 0;

    buf_init(&ref, OUT_MAX);
    ref_escape(&ref, (const unsigned char *)in, n);
    for (size_t prefix = 0; prefix < 3; prefix++) {
        for (size_t max = prefix; max <= prefix + ref.len + 2; max++) {
            struct buf out;
            size_t room = max - prefix;
            size_t expected_len = room < ref.len ? room : ref.len;

            buf_init(&out, max);
            buf_add(&out, "xyz", prefix);
            escape_json(&out, sv_make(in, n));
            if (out.len != prefix + expected_len ||
                out.dropped != ref.len - expected_len ||
                (expected_len > 0 &&
                 memcmp(out.data + prefix, ref.data, expected_len) != 0)) {
                printf("  max %zu after %zu bytes: len %zu, dropped %zu\n",
                       max, prefix, out.len, out.dropped);
                bad++;
            }
            buf_fini(&out);
        }
    }
    buf_fini(&ref);
    CHECK_INT(bad, 0);
}

/* Values longer than ESCAPE_JSON_RESERVE_MAX are escaped piece by piece. */
static void
long_value_past_reserve_max(void)
{
    size_t n = ESCAPE_JSON_RESERVE_MAX + 1000;
    unsigned char *in = malloc(n);

    for (size_t k = 0; k < n; k++) {
        in[k] = (unsigned char)('a' + k % 26);
    }
    in[10] = '"';
    in[n / 2] = 0xc3;
    in[n - 1] = '\\';
    CHECK(matches_reference(in, n));
    free(in);
}

int
main(void)
{
    TEST_RUN("escape_ref", every_single_byte);
    TEST_RUN("escape_ref", every_byte_pair);
    TEST_RUN("escape_ref", utf8_leads_and_tails);
    TEST_RUN("escape_ref", crafted_sequences);
    TEST_RUN("escape_ref", plain_runs_with_one_special);
    TEST_RUN("escape_ref", random_strings);
    TEST_RUN("escape_ref", truncation_at_every_byte);
    TEST_RUN("escape_ref", long_value_past_reserve_max);
    TEST_EXIT();
}
