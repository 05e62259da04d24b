/*
 * Unit tests for the JSON and terminal escapers and the JSON builder.
 *
 * JSON output is checked by decoding it with a small, independent JSON
 * string decoder below, so a test states the decoded value that a JSON
 * reader sees rather than the escaped spelling.
 */
#include "core/escape.h"
#include "core/jsonw.h"

#include <stdint.h>

#include "tcheck.h"

#define OUT_MAX (1024u * 1024u)

/* Returns the length of a valid UTF-8 sequence at p, or 0.  Written apart
 * from utf8_seq_len so the two do not share a mistake. */
static size_t
utf8_check(const unsigned char *p, size_t n)
{
    uint32_t cp;
    size_t len;

    if (p[0] < 0x80) {
        return 1;
    } else if ((p[0] & 0xe0) == 0xc0) {
        len = 2;
        cp = p[0] & 0x1f;
    } else if ((p[0] & 0xf0) == 0xe0) {
        len = 3;
        cp = p[0] & 0x0f;
    } else if ((p[0] & 0xf8) == 0xf0) {
        len = 4;
        cp = p[0] & 0x07;
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
        cp = cp << 6 | (p[i] & 0x3f);
    }
    static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < min_cp[len] || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

static void
put_utf8(struct buf *out, uint32_t cp)
{
    if (cp < 0x80) {
        buf_add_char(out, (char)cp);
    } else if (cp < 0x800) {
        buf_add_char(out, (char)(0xc0 | cp >> 6));
        buf_add_char(out, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        buf_add_char(out, (char)(0xe0 | cp >> 12));
        buf_add_char(out, (char)(0x80 | (cp >> 6 & 0x3f)));
        buf_add_char(out, (char)(0x80 | (cp & 0x3f)));
    } else {
        buf_add_char(out, (char)(0xf0 | cp >> 18));
        buf_add_char(out, (char)(0x80 | (cp >> 12 & 0x3f)));
        buf_add_char(out, (char)(0x80 | (cp >> 6 & 0x3f)));
        buf_add_char(out, (char)(0x80 | (cp & 0x3f)));
    }
}

static int
hex4(const unsigned char *p, uint32_t *out)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++) {
        unsigned c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v |= c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v |= c - 'A' + 10;
        } else {
            return -1;
        }
    }
    *out = v;
    return 0;
}

/*
 * Decodes the inside of a JSON string (RFC 8259) into out.  Returns 0, or
 * -1 when the text is not valid JSON string content or not valid UTF-8.
 */
static int
json_decode(struct sv s, struct buf *out)
{
    const unsigned char *p = (const unsigned char *)s.p;
    size_t n = s.len;
    size_t i = 0;

    while (i < n) {
        if (p[i] < 0x20 || p[i] == '"') {
            return -1;
        }
        if (p[i] != '\\') {
            size_t len = utf8_check(p + i, n - i);
            if (len == 0) {
                return -1;
            }
            buf_add(out, p + i, len);
            i += len;
            continue;
        }
        if (i + 1 >= n) {
            return -1;
        }
        unsigned char e = p[i + 1];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e != 0 && simple != NULL) {
            static const char decoded[] = "\"\\/\b\f\n\r\t";
            buf_add_char(out, decoded[simple - "\"\\/bfnrt"]);
            i += 2;
            continue;
        }
        uint32_t cp;
        if (e != 'u' || i + 6 > n || hex4(p + i + 2, &cp) < 0) {
            return -1;
        }
        i += 6;
        if (cp >= 0xdc00 && cp <= 0xdfff) {
            return -1;
        }
        if (cp >= 0xd800 && cp <= 0xdbff) {
            uint32_t lo;
            if (i + 6 > n || p[i] != '\\' || p[i + 1] != 'u' ||
                hex4(p + i + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff) {
                return -1;
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
        }
        put_utf8(out, cp);
    }
    return 0;
}

/* Escapes in as JSON, checks that the result decodes, and compares the
 * decoded text with expected (expected_len bytes). */
static int
json_roundtrip_is(const void *in, size_t in_len, const void *expected,
                  size_t expected_len)
{
    struct buf esc, dec;
    int ok;

    buf_init(&esc, OUT_MAX);
    buf_init(&dec, OUT_MAX);
    escape_json(&esc, sv_make(in, in_len));
    ok = json_decode(sv_make(esc.data, esc.len), &dec) == 0 &&
         dec.len == expected_len &&
         (expected_len == 0 || memcmp(dec.data, expected, dec.len) == 0);
    if (!ok) {
        printf("  escaped as \"%.*s\"\n", (int)esc.len,
               esc.data ? esc.data : "");
    }
    buf_fini(&esc);
    buf_fini(&dec);
    return ok;
}

#define CHECK_JSON(in, expected)                                            \
    CHECK(json_roundtrip_is((in), sizeof(in) - 1, (expected),               \
                            sizeof(expected) - 1))

static void
json_every_single_byte(void)
{
    for (unsigned b = 0; b < 256; b++) {
        unsigned char in = (unsigned char)b;
        char expected[8];
        size_t len;

        if (b == '\\') {
            len = 2;
            memcpy(expected, "\\\\", 2);
        } else if (b < 0x80) {
            len = 1;
            expected[0] = (char)b;
        } else {
            len = (size_t)snprintf(expected, sizeof(expected), "\\x%02x", b);
        }
        if (!json_roundtrip_is(&in, 1, expected, len)) {
            printf("  check failed for byte 0x%02x\n", b);
            tcheck_failed_checks++;
        }
    }
}

static void
json_control_spelling(void)
{
    struct buf esc;

    buf_init(&esc, OUT_MAX);
    escape_json(&esc, SV_LIT("\n\t\r\x01\x1f\x7f"));
    CHECK_SV(sv_make(esc.data, esc.len), "\\n\\t\\r\\u0001\\u001f\\u007f");
    buf_fini(&esc);
}

static void
json_backslash_and_quote(void)
{
    /* A literal "\x41" must stay apart from an escaped byte 0x41. */
    CHECK_JSON("a\\x41\"b", "a\\\\x41\"b");
    CHECK_JSON("\\", "\\\\");
    CHECK_JSON("\"\"", "\"\"");
}

static void
json_invalid_utf8(void)
{
    CHECK_JSON("\xc0\x80", "\\xc0\\x80");               /* overlong NUL */
    CHECK_JSON("\xc1\xbf", "\\xc1\\xbf");               /* overlong 2-byte */
    CHECK_JSON("\xe0\x80\x80", "\\xe0\\x80\\x80");      /* overlong 3-byte */
    CHECK_JSON("\xf0\x80\x80\x80", "\\xf0\\x80\\x80\\x80");
    CHECK_JSON("\xed\xa0\x80", "\\xed\\xa0\\x80");      /* surrogate */
    CHECK_JSON("\xed\xbf\xbf", "\\xed\\xbf\\xbf");
    CHECK_JSON("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");  /* > U+10FFFF */
    CHECK_JSON("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
    CHECK_JSON("\xff\xfe", "\\xff\\xfe");
    CHECK_JSON("\x80", "\\x80");                        /* lone continuation */
    CHECK_JSON("a\xc3", "a\\xc3");                      /* truncated at end */
    CHECK_JSON("a\xe2\x82", "a\\xe2\\x82");
    CHECK_JSON("a\xf0\x9f\x98", "a\\xf0\\x9f\\x98");
    CHECK_JSON("\xe2\x82x", "\\xe2\\x82x");             /* cut mid-string */
}

static void
json_valid_utf8_passes(void)
{
    CHECK_JSON("\xc2\xa0", "\xc2\xa0");                 /* U+00A0 */
    CHECK_JSON("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9");
    CHECK_JSON("\xe2\x82\xac", "\xe2\x82\xac");         /* euro sign */
    CHECK_JSON("\xed\x9f\xbf", "\xed\x9f\xbf");         /* U+D7FF */
    CHECK_JSON("\xef\xbf\xbf", "\xef\xbf\xbf");         /* U+FFFF */
    CHECK_JSON("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"); /* emoji */
    CHECK_JSON("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
    /* C1 controls are valid UTF-8 and legal in JSON strings. */
    CHECK_JSON("\xc2\x9b", "\xc2\x9b");
}

static void
json_empty_and_nul(void)
{
    struct buf esc;

    CHECK(json_roundtrip_is("", 0, "", 0));
    CHECK(json_roundtrip_is("a\0b", 3, "a\0b", 3));
    buf_init(&esc, OUT_MAX);
    escape_json(&esc, SV_NULL);
    CHECK_INT(esc.len, 0);
    buf_fini(&esc);
}

static void
utf8_len_of_sequences(void)
{
    CHECK_INT(utf8_seq_len((const unsigned char *)"A", 1), 1);
    CHECK_INT(utf8_seq_len((const unsigned char *)"\xc3\xa9", 2), 2);
    CHECK_INT(utf8_seq_len((const unsigned char *)"\xc3\xa9", 1), 0);
    CHECK_INT(utf8_seq_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
    CHECK_INT(utf8_seq_len((const unsigned char *)"\xe2\x82\xac", 2), 0);
    CHECK_INT(utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
    CHECK_INT(utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x80", 3), 0);
    CHECK_INT(utf8_seq_len((const unsigned char *)"\xc0\x80", 2), 0);
    CHECK_INT(utf8_seq_len((const unsigned char *)"\xe0\x80\x80", 3), 0);
    CHECK_INT(utf8_seq_len((const unsigned char *)"\xed\xa0\x80", 3), 0);
    CHECK_INT(utf8_seq_len((const unsigned char *)"\xf4\x90\x80\x80", 4), 0);
}

/* Every 2-byte input escapes to valid JSON, and valid pairs pass as is. */
static void
json_every_byte_pair(void)
{
    int bad = 0;

    for (unsigned a = 0x80; a < 0x100 && bad < 5; a++) {
        for (unsigned b = 0; b < 0x100 && bad < 5; b++) {
            unsigned char in[2] = { (unsigned char)a, (unsigned char)b };
            struct buf esc, dec;

            buf_init(&esc, OUT_MAX);
            buf_init(&dec, OUT_MAX);
            escape_json(&esc, sv_make((const char *)in, 2));
            if (json_decode(sv_make(esc.data, esc.len), &dec) != 0) {
                printf("  bytes %02x %02x escape to invalid JSON\n", a, b);
                bad++;
            } else if (utf8_check(in, 2) == 2 &&
                       (dec.len != 2 || memcmp(dec.data, in, 2) != 0)) {
                printf("  valid pair %02x %02x changed\n", a, b);
                bad++;
            }
            buf_fini(&esc);
            buf_fini(&dec);
        }
    }
    CHECK_INT(bad, 0);
}

static int
text_is(const char *in, size_t in_len, size_t max, const char *expected)
{
    struct buf out;
    int ok;

    buf_init(&out, OUT_MAX);
    escape_text(&out, sv_make(in, in_len), max);
    ok = sv_eq_cstr(sv_make(out.data, out.len), expected);
    if (!ok) {
        printf("  escape_text gave \"%.*s\", expected \"%s\"\n",
               (int)out.len, out.data ? out.data : "", expected);
    }
    buf_fini(&out);
    return ok;
}

#define CHECK_TEXT(in, max, expected)                                       \
    CHECK(text_is((in), sizeof(in) - 1, (max), (expected)))

static void
text_control_bytes(void)
{
    CHECK_TEXT("a\nb", 0, "a\\x0ab");
    CHECK_TEXT("\t\r\x01\x1f", 0, "\\x09\\x0d\\x01\\x1f");
    CHECK_TEXT("\x1b[31mred\x1b[0m", 0, "\\x1b[31mred\\x1b[0m");
    CHECK_TEXT("\x1b[2J", 0, "\\x1b[2J");
    CHECK_TEXT("del\x7f", 0, "del\\x7f");
    CHECK_TEXT("a\\b", 0, "a\\\\b");
    CHECK(text_is("a\0b", 3, 0, "a\\x00b"));
}

static void
text_c1_and_invalid(void)
{
    CHECK_TEXT("\xc2\x9b" "2J", 0, "\\xc2\\x9b2J");     /* CSI */
    CHECK_TEXT("\xc2\x80", 0, "\\xc2\\x80");
    CHECK_TEXT("\xc2\x9f", 0, "\\xc2\\x9f");
    CHECK_TEXT("\xc2\xa0", 0, "\xc2\xa0");              /* first non-C1 */
    CHECK_TEXT("\x9b", 0, "\\x9b");                     /* raw 8-bit CSI */
    CHECK_TEXT("\xc0\x80", 0, "\\xc0\\x80");
    CHECK_TEXT("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");
    CHECK_TEXT("caf\xc3\xa9", 0, "caf\xc3\xa9");
    CHECK_TEXT("\xf0\x9f\x98\x80", 0, "\xf0\x9f\x98\x80");
}

/* No byte of the output may be a C0 control, DEL or start a C1 control. */
static void
text_every_byte_is_safe(void)
{
    int bad = 0;

    for (unsigned a = 0; a < 0x100; a++) {
        for (unsigned b = 0; b < 0x100; b++) {
            char in[2] = { (char)a, (char)b };
            struct buf out;

            buf_init(&out, OUT_MAX);
            escape_text(&out, sv_make(in, 2), 0);
            for (size_t i = 0; i < out.len; i++) {
                unsigned char c = (unsigned char)out.data[i];
                bool c1 = c == 0xc2 && i + 1 < out.len &&
                          (unsigned char)out.data[i + 1] < 0xa0;
                if (c < 0x20 || c == 0x7f || c1 ||
                    (c >= 0x80 && utf8_check((const unsigned char *)
                                             out.data + i,
                                             out.len - i) == 0 &&
                     (c & 0xc0) != 0x80)) {
                    bad++;
                    break;
                }
            }
            buf_fini(&out);
        }
    }
    CHECK_INT(bad, 0);
}

static void
text_cap_long_values(void)
{
    CHECK_TEXT("abcdefghij", 4, "abcd...[+6 bytes]");
    CHECK_TEXT("abcd", 4, "abcd");
    CHECK_TEXT("abcde", 4, "abcd...[+1 bytes]");
    CHECK_TEXT("abcdefghij", 0, "abcdefghij");
    /* A cut inside a UTF-8 sequence leaves the first bytes escaped. */
    CHECK_TEXT("ab\xc3\xa9", 3, "ab\\xc3...[+1 bytes]");
}

static struct sv
buf_view(const struct buf *b)
{
    return sv_make(b->data ? b->data : "", b->len);
}

static void
jsonw_nesting_and_commas(void)
{
    struct buf out;
    struct jsonw w;

    buf_init(&out, OUT_MAX);
    jsonw_init(&w, &out);
    jsonw_obj_begin(&w, NULL);
    jsonw_cstr(&w, "a", "x");
    jsonw_int(&w, "n", -42);
    jsonw_bool(&w, "t", true);
    jsonw_null(&w, "z");
    jsonw_arr_begin(&w, "list");
    jsonw_int(&w, NULL, 1);
    jsonw_obj_begin(&w, NULL);
    jsonw_obj_end(&w);
    jsonw_arr_begin(&w, NULL);
    jsonw_arr_end(&w);
    jsonw_cstr(&w, NULL, "s");
    jsonw_arr_end(&w);
    jsonw_obj_begin(&w, "o");
    jsonw_bool(&w, "f", false);
    jsonw_obj_end(&w);
    jsonw_obj_end(&w);
    CHECK_SV(buf_view(&out),
             "{\"a\":\"x\",\"n\":-42,\"t\":true,\"z\":null,"
             "\"list\":[1,{},[],\"s\"],\"o\":{\"f\":false}}");
    buf_fini(&out);
}

static void
jsonw_keys_and_values_escaped(void)
{
    struct buf out;
    struct jsonw w;

    buf_init(&out, OUT_MAX);
    jsonw_init(&w, &out);
    jsonw_obj_begin(&w, NULL);
    jsonw_cstr(&w, "k\"\n", "v\x1b\xff");
    jsonw_str(&w, "e", SV_LIT(""));
    jsonw_obj_end(&w);
    CHECK_SV(buf_view(&out),
             "{\"k\\\"\\n\":\"v\\u001b\\\\xff\",\"e\":\"\"}");
    buf_fini(&out);
}

static void
jsonw_int_limits(void)
{
    struct buf out;
    struct jsonw w;

    buf_init(&out, OUT_MAX);
    jsonw_init(&w, &out);
    jsonw_arr_begin(&w, NULL);
    jsonw_int(&w, NULL, INT64_MIN);
    jsonw_int(&w, NULL, INT64_MAX);
    jsonw_int(&w, NULL, 0);
    jsonw_arr_end(&w);
    CHECK_SV(buf_view(&out),
             "[-9223372036854775808,9223372036854775807,0]");
    buf_fini(&out);
}

/* Past the maximum depth the brackets must still balance. */
static void
jsonw_deep_nesting_balances(void)
{
    struct buf out;
    struct jsonw w;
    int depth = JSONW_MAX_DEPTH + 8;
    int level = 0;
    bool ok = true;

    buf_init(&out, OUT_MAX);
    jsonw_init(&w, &out);
    for (int i = 0; i < depth; i++) {
        jsonw_arr_begin(&w, NULL);
    }
    for (int i = 0; i < depth; i++) {
        jsonw_arr_end(&w);
    }
    for (size_t i = 0; i < out.len; i++) {
        level += out.data[i] == '[' ? 1 : -1;
        ok = ok && level >= 0 && out.data[i] != ',';
    }
    CHECK(ok);
    CHECK_INT(level, 0);
    CHECK_INT(out.len, 2 * depth);
    buf_fini(&out);
}

int
main(void)
{
    TEST_RUN("escape", json_every_single_byte);
    TEST_RUN("escape", json_control_spelling);
    TEST_RUN("escape", json_backslash_and_quote);
    TEST_RUN("escape", json_invalid_utf8);
    TEST_RUN("escape", json_valid_utf8_passes);
    TEST_RUN("escape", json_empty_and_nul);
    TEST_RUN("escape", json_every_byte_pair);
    TEST_RUN("escape", utf8_len_of_sequences);
    TEST_RUN("escape", text_control_bytes);
    TEST_RUN("escape", text_c1_and_invalid);
    TEST_RUN("escape", text_every_byte_is_safe);
    TEST_RUN("escape", text_cap_long_values);
    TEST_RUN("jsonw", jsonw_nesting_and_commas);
    TEST_RUN("jsonw", jsonw_keys_and_values_escaped);
    TEST_RUN("jsonw", jsonw_int_limits);
    TEST_RUN("jsonw", jsonw_deep_nesting_balances);
    TEST_EXIT();
}
