/*
 * Unit tests for the JSON builder's two paths: members written in place
 * after one reservation, and members appended piece by piece when a key
 * is long or needs escaping or the buffer is near its maximum.  Both must
 * write the same bytes.
 */
#include "core/jsonw.h"

#include <limits.h>

#include "tcheck.h"

#define OUT_MAX (1024u * 1024u)

static void
keys_that_need_escaping(void)
{
    struct buf out;
    struct jsonw w;

    buf_init(&out, OUT_MAX);
    jsonw_init(&w, &out);
    jsonw_obj_begin(&w, NULL);
    jsonw_int(&w, "a\"b", 1);
    jsonw_cstr(&w, "c\\d", "v");
    jsonw_str(&w, "e\nf", SV_LIT("w"));
    jsonw_bool(&w, "g\x01", true);
    jsonw_null(&w, "\xff");
    jsonw_obj_begin(&w, "h\"");
    jsonw_obj_end(&w);
    jsonw_obj_end(&w);
    CHECK_SV(sv_make(out.data, out.len),
             "{\"a\\\"b\":1,\"c\\\\\\\\d\":\"v\",\"e\\nf\":\"w\","
             "\"g\\u0001\":true,\"\\\\xff\":null,\"h\\\"\":{}}");
    buf_fini(&out);
}

/* Builds a string of n bytes cycling through the alphabet. */
static void
fill_plain(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s[i] = (char)('a' + i % 26);
    }
    s[n] = '\0';
}

/* Keys and C string values around the in-place copy limit of 64 bytes. */
static void
long_keys_and_values(void)
{
    static const size_t lengths[] = { 0, 1, 3, 4, 5, 63, 64, 65, 100, 300 };
    size_t nlen = sizeof(lengths) / sizeof(lengths[0]);
    char key[320];
    char value[320];
    int bad = 0;

    for (size_t a = 0; a < nlen; a++) {
        for (size_t b = 0; b < nlen; b++) {
            struct buf out, expected;
            struct jsonw w;

            fill_plain(key, lengths[a]);
            fill_plain(value, lengths[b]);
            buf_init(&out, OUT_MAX);
            buf_init(&expected, OUT_MAX);
            jsonw_init(&w, &out);
            jsonw_obj_begin(&w, NULL);
            jsonw_cstr(&w, key, value);
            jsonw_int(&w, key, -7);
            jsonw_obj_end(&w);

            buf_add_cstr(&expected, "{\"");
            buf_add_cstr(&expected, key);
            buf_add_cstr(&expected, "\":\"");
            buf_add_cstr(&expected, value);
            buf_add_cstr(&expected, "\",\"");
            buf_add_cstr(&expected, key);
            buf_add_cstr(&expected, "\":-7}");
            if (out.len != expected.len ||
                memcmp(out.data, expected.data, out.len) != 0) {
                printf("  key %zu bytes, value %zu bytes: \"%.*s\"\n",
                       lengths[a], lengths[b], (int)out.len, out.data);
                bad++;
            }
            buf_fini(&out);
            buf_fini(&expected);
        }
    }
    CHECK_INT(bad, 0);
}

/*
 * A C string value whose bytes stop being plain after the in-place copy
 * limit of 64 bytes: the plain start stays and the rest is escaped.
 */
static void
cstr_value_special_past_limit(void)
{
    char value[80];
    struct buf out;
    struct jsonw w;

    fill_plain(value, 70);
    value[66] = '\n';
    value[68] = '\xc3';
    value[69] = '\xa9';
    buf_init(&out, OUT_MAX);
    jsonw_init(&w, &out);
    jsonw_obj_begin(&w, NULL);
    jsonw_member_cstr(&w, SV_LIT("v"), value);
    jsonw_obj_end(&w);
    CHECK_SV(sv_make(out.data, out.len),
             "{\"v\":\"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
             "abcdefghijklmn\\np\xc3\xa9\"}");
    buf_fini(&out);
}

/* A C string value that is plain up to the copy limit, then special. */
static void
cstr_value_special_after_plain(void)
{
    char value[80];
    struct buf out;
    struct jsonw w;

    fill_plain(value, 70);
    value[3] = '"';
    value[69] = '\n';
    buf_init(&out, OUT_MAX);
    jsonw_init(&w, &out);
    jsonw_arr_begin(&w, NULL);
    jsonw_cstr(&w, NULL, value);
    jsonw_cstr(&w, NULL, NULL);
    jsonw_arr_end(&w);
    CHECK_SV(sv_make(out.data, out.len),
             "[\"abc\\\"efghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
             "abcdefghijklmnopq\\n\",\"\"]");
    buf_fini(&out);
}

static void
raw_members_get_commas(void)
{
    struct buf out;
    struct jsonw w;

    buf_init(&out, OUT_MAX);
    jsonw_init(&w, &out);
    jsonw_obj_begin(&w, NULL);
    jsonw_raw(&w, "\"a\":1", 5);
    jsonw_int(&w, "b", 2);
    jsonw_raw(&w, "\"c\":[],\"d\":{}", 13);
    jsonw_arr_begin(&w, "e");
    jsonw_raw(&w, "1,2", 3);
    jsonw_raw(&w, "3", 1);
    jsonw_arr_end(&w);
    jsonw_obj_end(&w);
    CHECK_SV(sv_make(out.data, out.len),
             "{\"a\":1,\"b\":2,\"c\":[],\"d\":{},\"e\":[1,2,3]}");
    buf_fini(&out);
}

/* One document that uses every writer on both of its paths. */
static void
write_document(struct buf *out)
{
    char long_key[100];
    char long_value[100];
    struct jsonw w;

    fill_plain(long_key, 90);
    fill_plain(long_value, 80);
    long_value[70] = '\n';
    long_value[75] = '\xc3';
    long_value[76] = '\xa9';
    jsonw_init(&w, out);
    jsonw_obj_begin(&w, NULL);
    jsonw_int(&w, "n", LLONG_MIN);
    jsonw_int(&w, long_key, 12345);
    jsonw_cstr(&w, "s", "plain text");
    jsonw_cstr(&w, "q\"k", "quote \" and \\ and \xc3\xa9 \xff");
    jsonw_str(&w, "t", SV_LIT("2024-01-02T03:04:05.123Z"));
    jsonw_arr_begin(&w, "a");
    jsonw_str(&w, NULL, SV_LIT("x\ty"));
    jsonw_bool(&w, NULL, false);
    jsonw_null(&w, NULL);
    jsonw_raw(&w, "{\"r\":1}", 7);
    jsonw_obj_begin(&w, NULL);
    jsonw_obj_end(&w);
    jsonw_arr_end(&w);
    jsonw_bool(&w, long_key, true);
    jsonw_member_obj(&w, SV_LIT("m"));
    jsonw_member_int(&w, SV_LIT("i"), -42);
    jsonw_member_str(&w, SV_LIT("s"), SV_LIT("a\"b"));
    jsonw_member_cstr(&w, SV_LIT("c"), "plain");
    jsonw_member_cstr(&w, SV_LIT("n"), NULL);
    jsonw_member_bool(&w, SV_LIT("b"), false);
    jsonw_member_raw(&w, SV_LIT("r"), "[1]", 3);
    jsonw_member_cstr(&w, SV_LIT("l"), long_value);
    jsonw_member_arr(&w, sv_make(long_key, 90));
    jsonw_arr_end(&w);
    jsonw_obj_end(&w);
    jsonw_obj_end(&w);
}

/*
 * The document written into buffers whose maximum cuts it at every byte
 * is the full document cut there, with the rest counted as dropped.
 */
static void
truncation_matches_full_output(void)
{
    struct buf full;
    int bad = 0;

    buf_init(&full, OUT_MAX);
    write_document(&full);
    CHECK_INT(full.dropped, 0);
    for (size_t max = 0; max <= full.len + 2; max++) {
        struct buf out;
        size_t expected_len = max < full.len ? max : full.len;

        buf_init(&out, max);
        write_document(&out);
        if (out.len != expected_len ||
            out.dropped != full.len - expected_len ||
            (expected_len > 0 &&
             memcmp(out.data, full.data, expected_len) != 0)) {
            printf("  max %zu: len %zu, dropped %zu\n", max, out.len,
                   out.dropped);
            bad++;
        }
        buf_fini(&out);
    }
    buf_fini(&full);
    CHECK_INT(bad, 0);
}

/* The member writers, given key lengths, write what the C string
 * writers write for the same keys. */
static void
member_writers_match_cstr_writers(void)
{
    char long_key[100];
    struct buf a, b;
    struct jsonw w;

    fill_plain(long_key, 70);
    buf_init(&a, OUT_MAX);
    buf_init(&b, OUT_MAX);

    jsonw_init(&w, &a);
    jsonw_obj_begin(&w, NULL);
    jsonw_member_int(&w, SV_LIT("time"), 1704067200146);
    jsonw_member_str(&w, SV_LIT("host"), SV_LIT("web\x01"));
    jsonw_member_cstr(&w, SV_LIT("kind"), "exec");
    jsonw_member_bool(&w, SV_LIT("ok"), true);
    jsonw_member_obj(&w, SV_LIT("o"));
    jsonw_obj_end(&w);
    jsonw_member_arr(&w, sv_make(long_key, 70));
    jsonw_arr_end(&w);
    jsonw_member_raw(&w, SV_LIT(""), "null", 4);
    jsonw_obj_end(&w);

    jsonw_init(&w, &b);
    jsonw_obj_begin(&w, NULL);
    jsonw_int(&w, "time", 1704067200146);
    jsonw_str(&w, "host", SV_LIT("web\x01"));
    jsonw_cstr(&w, "kind", "exec");
    jsonw_bool(&w, "ok", true);
    jsonw_obj_begin(&w, "o");
    jsonw_obj_end(&w);
    jsonw_arr_begin(&w, long_key);
    jsonw_arr_end(&w);
    jsonw_null(&w, "");
    jsonw_obj_end(&w);

    buf_add_char(&b, '\0');
    CHECK_INT(b.dropped, 0);
    CHECK_SV(sv_make(a.data, a.len), b.data);
    buf_fini(&a);
    buf_fini(&b);
}

int
main(void)
{
    TEST_RUN("jsonw", keys_that_need_escaping);
    TEST_RUN("jsonw", long_keys_and_values);
    TEST_RUN("jsonw", cstr_value_special_after_plain);
    TEST_RUN("jsonw", cstr_value_special_past_limit);
    TEST_RUN("jsonw", raw_members_get_commas);
    TEST_RUN("jsonw", truncation_matches_full_output);
    TEST_RUN("jsonw", member_writers_match_cstr_writers);
    TEST_EXIT();
}
