/*
 * Unit tests for the normalized event: string and number fields, absent
 * versus empty values, argv built from chunks, the byte and argument
 * maximums, and copies that share nothing with their source.
 */
#include "event/event.h"

#include <stdlib.h>

#include "tcheck.h"

static void
strings_set_and_get(void)
{
    struct event ev;

    event_init(&ev);
    CHECK(!event_has_str(&ev, EVENT_USER));
    CHECK(event_str(&ev, EVENT_USER).p == NULL);
    event_set_str(&ev, EVENT_USER, SV_LIT("alice"));
    event_set_str(&ev, EVENT_SRC_IP, SV_LIT("192.0.2.10"));
    CHECK(event_has_str(&ev, EVENT_USER));
    CHECK_SV(event_str(&ev, EVENT_USER), "alice");
    CHECK_SV(event_str(&ev, EVENT_SRC_IP), "192.0.2.10");
    CHECK_SV(event_str(&ev, EVENT_HOST), NULL);

    /* A later value replaces the earlier one. */
    event_set_str(&ev, EVENT_USER, SV_LIT("bob"));
    CHECK_SV(event_str(&ev, EVENT_USER), "bob");
    CHECK_SV(event_str(&ev, EVENT_SRC_IP), "192.0.2.10");

    /* Bytes are copied, so the source buffer may change afterwards. */
    char tmp[] = "web01";
    event_set_str(&ev, EVENT_HOST, sv_cstr(tmp));
    tmp[0] = 'X';
    CHECK_SV(event_str(&ev, EVENT_HOST), "web01");

    CHECK(event_has_str(&ev, EVENT_HOST));
    CHECK(!ev.truncated);
    event_fini(&ev);
}

/* Every length of the short-copy cases and past them, packed behind
 * earlier values so a copy that strays would overwrite a neighbour. */
static void
strings_every_short_length(void)
{
    char text[41];
    struct event ev;

    for (size_t i = 0; i < sizeof(text); i++) {
        text[i] = (char)('a' + i % 26);
    }
    event_init(&ev);
    for (size_t len = 0; len < sizeof(text); len++) {
        event_reset(&ev);
        event_set_str(&ev, EVENT_HOST, SV_LIT("h"));
        event_set_str(&ev, EVENT_USER, sv_make(text + 1, len));
        event_set_str(&ev, EVENT_TTY, SV_LIT("t"));
        CHECK_SV(event_str(&ev, EVENT_HOST), "h");
        CHECK_SV(event_str(&ev, EVENT_TTY), "t");
        struct sv got = event_str(&ev, EVENT_USER);
        CHECK(got.p != NULL);
        CHECK_INT(got.len, len);
        CHECK(memcmp(got.p, text + 1, len) == 0);
    }
    event_fini(&ev);
}

static void
absent_versus_empty(void)
{
    struct event ev;

    event_init(&ev);
    event_set_str(&ev, EVENT_TTY, SV_LIT(""));
    CHECK(event_has_str(&ev, EVENT_TTY));
    struct sv tty = event_str(&ev, EVENT_TTY);
    CHECK(tty.p != NULL);
    CHECK_INT(tty.len, 0);
    CHECK(!event_has_str(&ev, EVENT_CWD));
    CHECK(event_str(&ev, EVENT_CWD).p == NULL);

    /* A NULL view stored as a value is present and empty too. */
    event_set_str(&ev, EVENT_CWD, SV_NULL);
    CHECK(event_has_str(&ev, EVENT_CWD));

    event_reset(&ev);
    CHECK(!event_has_str(&ev, EVENT_TTY));
    CHECK(!event_has_str(&ev, EVENT_CWD));
    event_fini(&ev);
}

static void
numbers_set_and_clear(void)
{
    struct event ev;

    event_init(&ev);
    CHECK(!event_has_num(&ev, EVENT_PID));
    CHECK_INT(event_num(&ev, EVENT_PID, -7), -7);
    event_set_num(&ev, EVENT_PID, 0);
    CHECK(event_has_num(&ev, EVENT_PID));
    CHECK_INT(event_num(&ev, EVENT_PID, -7), 0);
    event_set_num(&ev, EVENT_AUID, EVENT_AUDIT_UNSET);
    CHECK_INT(event_num(&ev, EVENT_AUID, 0), 4294967295LL);
    event_set_num(&ev, EVENT_CHILD_PID, INT64_MIN);
    CHECK_INT(event_num(&ev, EVENT_CHILD_PID, 0), INT64_MIN);
    for (int f = 0; f < EVENT_NUM_COUNT; f++) {
        bool want = f == EVENT_PID || f == EVENT_AUID ||
                    f == EVENT_CHILD_PID;
        CHECK(event_has_num(&ev, (enum event_num)f) == want);
    }
    event_clear_num(&ev, EVENT_PID);
    CHECK(!event_has_num(&ev, EVENT_PID));
    CHECK(event_has_num(&ev, EVENT_AUID));
    event_fini(&ev);
}

static void
argv_add_and_append(void)
{
    struct event ev;

    event_init(&ev);
    CHECK_INT(ev.argc, 0);
    CHECK(event_arg(&ev, 0).p == NULL);

    /* Appending with no element yet starts the first one. */
    event_append_arg(&ev, SV_LIT("/usr/"));
    event_append_arg(&ev, SV_LIT("bin/id"));
    event_add_arg(&ev, SV_LIT("-u"));
    event_add_arg(&ev, SV_LIT(""));
    CHECK_INT(ev.argc, 3);
    CHECK_SV(event_arg(&ev, 0), "/usr/bin/id");
    CHECK_SV(event_arg(&ev, 1), "-u");
    CHECK_SV(event_arg(&ev, 2), "");
    CHECK(event_arg(&ev, 2).p != NULL);
    CHECK(event_arg(&ev, 3).p == NULL);
    event_fini(&ev);
}

/* A string stored between two chunks must not end up inside the arg. */
static void
argv_append_after_other_string(void)
{
    struct event ev;

    event_init(&ev);
    event_add_arg(&ev, SV_LIT("first"));
    event_add_arg(&ev, SV_LIT("AB"));
    event_set_str(&ev, EVENT_EXE, SV_LIT("/bin/sh"));
    event_append_arg(&ev, SV_LIT("CD"));
    event_set_str(&ev, EVENT_CWD, SV_LIT("/tmp"));
    event_append_arg(&ev, SV_LIT("EF"));
    CHECK_INT(ev.argc, 2);
    CHECK_SV(event_arg(&ev, 0), "first");
    CHECK_SV(event_arg(&ev, 1), "ABCDEF");
    CHECK_SV(event_str(&ev, EVENT_EXE), "/bin/sh");
    CHECK_SV(event_str(&ev, EVENT_CWD), "/tmp");

    /*
     * Chunks with a string between some of them force arena growth.  Each
     * interleaved string moves the argument to the arena's end, so only a
     * few interleavings fit a long argument within EVENT_MAX_BYTES.
     */
    event_add_arg(&ev, SV_LIT(""));
    for (int i = 0; i < 500; i++) {
        event_append_arg(&ev, SV_LIT("0123456789"));
        if (i % 50 == 0) {
            event_set_str(&ev, EVENT_DETAIL, SV_LIT("between"));
        }
    }
    struct sv big = event_arg(&ev, 2);
    CHECK_INT(big.len, 5000);
    bool pattern = big.len == 5000;
    for (size_t i = 0; pattern && i < big.len; i++) {
        pattern = big.p[i] == (char)('0' + i % 10);
    }
    CHECK(pattern);
    CHECK_SV(event_arg(&ev, 1), "ABCDEF");
    CHECK_SV(event_str(&ev, EVENT_DETAIL), "between");
    CHECK(!ev.truncated);
    event_fini(&ev);
}

static void
bytes_maximum_truncates(void)
{
    struct event ev;
    size_t n = EVENT_MAX_BYTES + 1000;
    char *big = malloc(n);

    memset(big, 'q', n);
    event_init(&ev);
    event_set_str(&ev, EVENT_USER, SV_LIT("alice"));
    event_set_str(&ev, EVENT_DETAIL, sv_make(big, n));
    CHECK(ev.truncated);
    CHECK_INT(event_str(&ev, EVENT_DETAIL).len, EVENT_MAX_BYTES - 5);
    CHECK_SV(event_str(&ev, EVENT_USER), "alice");
    CHECK(ev.used <= EVENT_MAX_BYTES);

    /* Once full, a later field takes its bytes from the longest one. */
    event_set_str(&ev, EVENT_HOST, SV_LIT("web01"));
    CHECK_SV(event_str(&ev, EVENT_HOST), "web01");
    CHECK_INT(event_str(&ev, EVENT_DETAIL).len, EVENT_MAX_BYTES - 10);
    CHECK_SV(event_str(&ev, EVENT_USER), "alice");
    CHECK_INT(ev.used, EVENT_MAX_BYTES);

    /* Arguments take no bytes from other values. */
    event_add_arg(&ev, SV_LIT("arg"));
    CHECK_INT(event_arg(&ev, 0).len, 0);
    event_append_arg(&ev, SV_LIT("more"));
    CHECK(ev.used <= EVENT_MAX_BYTES);
    CHECK(ev.cap <= EVENT_MAX_BYTES);

    event_reset(&ev);
    CHECK(!ev.truncated);
    event_set_str(&ev, EVENT_USER, SV_LIT("after reset"));
    CHECK_SV(event_str(&ev, EVENT_USER), "after reset");
    event_fini(&ev);
    free(big);
}

/* One oversized field leaves room for the fields set after it. */
static void
oversized_field_leaves_room(void)
{
    struct event ev;
    size_t n = 1000000;
    char *big = malloc(n);

    memset(big, 'C', n);
    event_init(&ev);
    event_set_str(&ev, EVENT_USER, sv_make(big, n));
    event_set_str(&ev, EVENT_SRC_IP, SV_LIT("10.0.0.1"));
    event_set_str(&ev, EVENT_AUTH_METHOD, SV_LIT("password"));
    CHECK(ev.truncated);
    CHECK_SV(event_str(&ev, EVENT_SRC_IP), "10.0.0.1");
    CHECK_SV(event_str(&ev, EVENT_AUTH_METHOD), "password");
    CHECK_INT(event_str(&ev, EVENT_USER).len, EVENT_MAX_BYTES - 16);
    CHECK(event_str(&ev, EVENT_USER).p[0] == 'C');
    CHECK_INT(ev.used, EVENT_MAX_BYTES);

    /* A second oversized field gets half of what the first one kept. */
    event_set_str(&ev, EVENT_DETAIL, sv_make(big, n));
    CHECK_INT(event_str(&ev, EVENT_DETAIL).len,
              (EVENT_MAX_BYTES - 16) / 2);
    CHECK_INT(event_str(&ev, EVENT_USER).len,
              EVENT_MAX_BYTES - 16 - (EVENT_MAX_BYTES - 16) / 2);
    CHECK_SV(event_str(&ev, EVENT_SRC_IP), "10.0.0.1");
    CHECK_SV(event_str(&ev, EVENT_AUTH_METHOD), "password");
    CHECK(ev.used <= EVENT_MAX_BYTES);
    event_fini(&ev);
    free(big);
}

/* An event up to the byte maximum is stored whole and not truncated. */
static void
event_that_fits_kept_whole(void)
{
    struct event ev;
    size_t n = EVENT_MAX_BYTES - 16;
    char *big = malloc(n);

    memset(big, 'D', n);
    event_init(&ev);
    event_set_str(&ev, EVENT_CMDLINE, sv_make(big, n));
    event_set_str(&ev, EVENT_SRC_IP, SV_LIT("10.0.0.1"));
    event_set_str(&ev, EVENT_AUTH_METHOD, SV_LIT("password"));
    CHECK(!ev.truncated);
    CHECK_INT(event_str(&ev, EVENT_CMDLINE).len, n);
    CHECK_SV(event_str(&ev, EVENT_SRC_IP), "10.0.0.1");
    CHECK_SV(event_str(&ev, EVENT_AUTH_METHOD), "password");
    CHECK_INT(ev.used, EVENT_MAX_BYTES);
    event_fini(&ev);
    free(big);
}

/* A field set after an argv that filled the bytes cuts one argument. */
static void
field_after_full_argv(void)
{
    struct event ev;
    char arg[1000];

    memset(arg, 'a', sizeof(arg));
    event_init(&ev);
    for (int i = 0; i < 300; i++) {
        event_add_arg(&ev, sv_make(arg, sizeof(arg)));
    }
    CHECK(ev.truncated);
    CHECK_INT(ev.used, EVENT_MAX_BYTES);
    event_set_str(&ev, EVENT_CWD, SV_LIT("/root"));
    CHECK_SV(event_str(&ev, EVENT_CWD), "/root");
    CHECK_INT(event_arg(&ev, 0).len, sizeof(arg) - 5);
    CHECK_INT(event_arg(&ev, 1).len, sizeof(arg));
    CHECK(event_arg(&ev, 1).p[0] == 'a');
    CHECK(event_arg(&ev, 1).p[sizeof(arg) - 1] == 'a');
    CHECK_INT(ev.used, EVENT_MAX_BYTES);

    /* A field copied from the event's own bytes takes no bytes. */
    event_set_str(&ev, EVENT_PROGRAM, event_str(&ev, EVENT_CWD));
    CHECK_INT(event_str(&ev, EVENT_PROGRAM).len, 0);
    CHECK_SV(event_str(&ev, EVENT_CWD), "/root");
    event_fini(&ev);
}

/* Chunks appended past the byte maximum stop growing the argument. */
static void
bytes_maximum_in_chunks(void)
{
    struct event ev;
    char chunk[4096];

    memset(chunk, 'c', sizeof(chunk));
    event_init(&ev);
    event_add_arg(&ev, SV_LIT("sh"));
    event_add_arg(&ev, SV_LIT(""));
    for (int i = 0; i < 100; i++) {
        event_append_arg(&ev, sv_make(chunk, sizeof(chunk)));
        if (i % 10 == 0) {
            event_set_str(&ev, EVENT_DETAIL, SV_LIT("x"));
        }
    }
    CHECK(ev.truncated);
    CHECK(ev.used <= EVENT_MAX_BYTES);
    CHECK(event_arg(&ev, 1).len < EVENT_MAX_BYTES);
    CHECK(event_arg(&ev, 1).len > EVENT_MAX_BYTES / 4);
    CHECK_SV(event_arg(&ev, 0), "sh");
    event_fini(&ev);
}

static void
args_maximum_truncates(void)
{
    struct event ev;

    event_init(&ev);
    for (unsigned i = 0; i < EVENT_MAX_ARGS + 10; i++) {
        event_add_arg(&ev, SV_LIT("a"));
    }
    CHECK_INT(ev.argc, EVENT_MAX_ARGS);
    CHECK(ev.truncated);
    CHECK_SV(event_arg(&ev, EVENT_MAX_ARGS - 1), "a");
    CHECK(event_arg(&ev, EVENT_MAX_ARGS).p == NULL);
    event_fini(&ev);
}

static void
copy_is_independent(void)
{
    struct event src, dst;

    event_init(&src);
    event_init(&dst);
    src.kind = EVENT_AUTH_SUCCESS;
    src.result = EVENT_RESULT_SUCCESS;
    src.time = (struct event_time){ 1710072000, 123000000, 3 };
    event_set_str(&src, EVENT_USER, SV_LIT("alice"));
    event_set_str(&src, EVENT_TTY, SV_LIT(""));
    event_set_num(&src, EVENT_PID, 4242);
    event_add_arg(&src, SV_LIT("id"));
    event_add_arg(&src, SV_LIT("-u"));

    /* dst held other data first; the copy replaces all of it. */
    event_set_str(&dst, EVENT_HOST, SV_LIT("old host"));
    event_set_num(&dst, EVENT_SES, 9);
    CHECK_INT(event_copy(&dst, &src), 0);
    CHECK_INT(dst.kind, EVENT_AUTH_SUCCESS);
    CHECK_INT(dst.result, EVENT_RESULT_SUCCESS);
    CHECK_INT(dst.time.sec, 1710072000);
    CHECK_INT(dst.time.digits, 3);
    CHECK_SV(event_str(&dst, EVENT_USER), "alice");
    CHECK(event_has_str(&dst, EVENT_TTY));
    CHECK(!event_has_str(&dst, EVENT_HOST));
    CHECK(!event_has_num(&dst, EVENT_SES));
    CHECK_INT(event_num(&dst, EVENT_PID, 0), 4242);
    CHECK_INT(dst.argc, 2);
    CHECK(dst.bytes != src.bytes);
    CHECK(dst.argv != src.argv);

    /* Changing or freeing the source leaves the copy intact. */
    event_set_str(&src, EVENT_USER, SV_LIT("mallory"));
    event_append_arg(&src, SV_LIT("x"));
    memset(src.bytes, '#', src.used);
    event_fini(&src);
    CHECK_SV(event_str(&dst, EVENT_USER), "alice");
    CHECK_SV(event_arg(&dst, 0), "id");
    CHECK_SV(event_arg(&dst, 1), "-u");

    /* Appending to the copy does not disturb its other strings. */
    event_append_arg(&dst, SV_LIT("x"));
    event_set_str(&dst, EVENT_EXE, SV_LIT("/usr/bin/id"));
    CHECK_SV(event_arg(&dst, 1), "-ux");
    CHECK_SV(event_str(&dst, EVENT_USER), "alice");

    /* Copying an empty event clears the destination. */
    struct event empty;
    event_init(&empty);
    CHECK_INT(event_copy(&dst, &empty), 0);
    CHECK(!event_has_str(&dst, EVENT_USER));
    CHECK_INT(dst.argc, 0);
    event_fini(&empty);
    event_fini(&dst);
}

/* Checks that got has src's fields, with host in place of src's own when
 * host.p is set. */
static void
check_same_fields(const struct event *got, const struct event *src,
                  struct sv host)
{
    CHECK_INT(got->kind, src->kind);
    CHECK_INT(got->result, src->result);
    CHECK(event_time_cmp(&got->time, &src->time) == 0);
    CHECK_INT(got->time.digits, src->time.digits);
    CHECK(got->origin.format == src->origin.format);
    CHECK(got->origin.file == src->origin.file);
    CHECK_INT(got->origin.line, src->origin.line);
    CHECK_INT(got->truncated, src->truncated);
    CHECK_INT(got->num_set, src->num_set);
    for (int f = 0; f < EVENT_NUM_COUNT; f++) {
        CHECK_INT(event_num(got, f, -7), event_num(src, f, -7));
    }
    for (int f = 0; f < EVENT_STR_COUNT; f++) {
        struct sv want = f == EVENT_HOST && host.p ? host : event_str(src, f);
        struct sv field = event_str(got, f);
        CHECK((field.p == NULL) == (want.p == NULL));
        CHECK(sv_eq(field, want));
    }
    CHECK_INT(got->argc, src->argc);
    for (uint32_t i = 0; i < src->argc; i++) {
        CHECK(sv_eq(event_arg(got, i), event_arg(src, i)));
    }
}

/* Checks that the record of src, with host in place of its own, reads
 * back src's fields both in place and unpacked. */
static void
check_pack_round_trip(const struct event *src, struct sv host)
{
    size_t size = event_pack_size(src, host);
    uint64_t *rec = malloc(size);
    struct event dst;

    CHECK_INT(size % 8, 0);
    const struct event *packed = event_pack(src, host, rec);
    CHECK((const void *)packed == (const void *)rec);
    check_same_fields(packed, src, host);

    /* The record's storage lies inside the record. */
    const char *start = (const char *)rec;
    const char *end = start + size;
    CHECK((const char *)packed->argv >= start + sizeof(struct event));
    CHECK((const char *)(packed->argv + packed->argc) <= end);
    CHECK(packed->bytes >= start + sizeof(struct event));
    CHECK(packed->bytes + packed->used <= end);
    CHECK_INT(packed->cap, packed->used);
    CHECK_INT(packed->argv_cap, packed->argc);

    event_init(&dst);
    event_set_str(&dst, EVENT_CWD, SV_LIT("stale"));
    event_set_num(&dst, EVENT_SES, 3);
    event_add_arg(&dst, SV_LIT("stale"));
    CHECK_INT(event_unpack(&dst, packed), 0);
    check_same_fields(&dst, src, host);
    event_fini(&dst);

    /* The unpacked copy does not depend on the record. */
    event_init(&dst);
    CHECK_INT(event_unpack(&dst, packed), 0);
    memset(rec, 0xa5, size);
    free(rec);
    check_same_fields(&dst, src, host);
    event_fini(&dst);
}

static void
pack_round_trip(void)
{
    static const char file[] = "auth.log";
    struct event src;

    event_init(&src);
    check_pack_round_trip(&src, SV_NULL);

    src.kind = EVENT_EXEC;
    src.result = EVENT_RESULT_FAILURE;
    src.time = (struct event_time){ 1710072000, 999999999, 6 };
    src.origin = (struct event_origin){ "audit", file, 77 };
    src.truncated = true;
    event_set_str(&src, EVENT_HOST, SV_LIT("Web1.example.com"));
    event_set_str(&src, EVENT_TTY, SV_LIT(""));
    event_set_str(&src, EVENT_LOGON_ID, SV_LIT("0x3e7"));
    event_set_num(&src, EVENT_UID, 0);
    event_set_num(&src, EVENT_DST_PORT, 22);
    event_set_num(&src, EVENT_SES, EVENT_AUDIT_UNSET);
    event_add_arg(&src, SV_LIT("sh"));
    event_add_arg(&src, SV_LIT(""));
    event_add_arg(&src, SV_LIT("-c"));
    check_pack_round_trip(&src, SV_NULL);
    check_pack_round_trip(&src, SV_LIT("web1"));
    check_pack_round_trip(&src, SV_LIT(""));

    /* A host given for an event that had none. */
    event_reset(&src);
    event_set_str(&src, EVENT_USER, SV_LIT("root"));
    check_pack_round_trip(&src, SV_LIT("db2"));

    /* Every field at once, with the maximum bytes and args. */
    event_reset(&src);
    src.kind = EVENT_RUNLEVEL;
    src.result = EVENT_RESULT_SUCCESS;
    src.time = (struct event_time){ EVENT_TIME_MIN_SEC, 1, 9 };
    for (int f = 0; f < EVENT_NUM_COUNT; f++) {
        event_set_num(&src, f, INT64_MIN + f);
    }
    for (int f = 0; f < EVENT_STR_COUNT; f++) {
        event_set_str(&src, f, sv_cstr(event_str_name(f)));
    }
    for (uint32_t i = 0; i < EVENT_MAX_ARGS + 1; i++) {
        event_add_arg(&src, SV_LIT("arg"));
    }
    char *big = malloc(EVENT_MAX_BYTES);
    memset(big, 'x', EVENT_MAX_BYTES);
    event_set_str(&src, EVENT_DETAIL, sv_make(big, EVENT_MAX_BYTES));
    free(big);
    CHECK(src.truncated);
    CHECK_INT(src.used, EVENT_MAX_BYTES);
    check_pack_round_trip(&src, SV_NULL);
    check_pack_round_trip(&src, SV_LIT("a-host-longer-than-before"));
    event_fini(&src);
}

static void
names_and_time_order(void)
{
    for (int k = 0; k < EVENT_KIND_COUNT; k++) {
        const char *name = event_kind_name((enum event_kind)k);
        CHECK(name != NULL && name[0] != '\0');
        CHECK_INT(event_kind_from_name(sv_cstr(name)), k);
    }
    CHECK_STR(event_kind_name(EVENT_AUTH_SUCCESS), "auth_success");
    CHECK_STR(event_kind_name(EVENT_KIND_COUNT), "unknown");
    CHECK_INT(event_kind_from_name(SV_LIT("no_such_kind")), -1);
    CHECK_INT(event_kind_from_name(SV_LIT("")), -1);
    for (int f = 0; f < EVENT_STR_COUNT; f++) {
        CHECK(event_str_name((enum event_str)f) != NULL);
    }
    for (int f = 0; f < EVENT_NUM_COUNT; f++) {
        CHECK(event_num_name((enum event_num)f) != NULL);
    }
    CHECK_STR(event_str_name(EVENT_SRC_IP), "src_ip");
    CHECK_STR(event_num_name(EVENT_SES), "ses");

    struct event_time a = { 100, 5, 3 }, b = { 100, 6, 3 }, c = { 99, 9, 3 };
    CHECK(event_time_cmp(&a, &b) < 0);
    CHECK(event_time_cmp(&b, &a) > 0);
    CHECK(event_time_cmp(&c, &a) < 0);
    CHECK_INT(event_time_cmp(&a, &a), 0);
}

int
main(void)
{
    TEST_RUN("event", strings_set_and_get);
    TEST_RUN("event", strings_every_short_length);
    TEST_RUN("event", absent_versus_empty);
    TEST_RUN("event", numbers_set_and_clear);
    TEST_RUN("event", argv_add_and_append);
    TEST_RUN("event", argv_append_after_other_string);
    TEST_RUN("event", bytes_maximum_truncates);
    TEST_RUN("event", oversized_field_leaves_room);
    TEST_RUN("event", event_that_fits_kept_whole);
    TEST_RUN("event", field_after_full_argv);
    TEST_RUN("event", bytes_maximum_in_chunks);
    TEST_RUN("event", args_maximum_truncates);
    TEST_RUN("event", copy_is_independent);
    TEST_RUN("event", pack_round_trip);
    TEST_RUN("event", names_and_time_order);
    TEST_EXIT();
}
