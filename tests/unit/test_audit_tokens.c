/*
 * Unit tests of the audit tokenizer's fast paths: fields tokenized in
 * batches (records longer than one batch, empty and blank records, the
 * state carried from one batch to the next), the msg=audit() stamp read at
 * fixed offsets against the general reader, the type names found without
 * the hash index, and the arch= and syscall= fields read without the
 * iterator.  The lines are written here after the auditd record format.
 */
#include <stdio.h>
#include <stdlib.h>

#include "formats/audit_build.h"
#include "formats/audit_record.h"
#include "formats/audit_types.h"
#include "tcheck.h"

/* Room for a record of AUDIT_FIELD_BATCH * 3 fields. */
#define LINE_MAX_TEST 8192

/* Parses line and starts iterating its fields.  Returns false when the
 * header is invalid. */
static bool
start_fields(const char *line, size_t len, struct audit_record *rec,
             struct audit_field_iter *it)
{
    const char *reason = NULL;

    if (!audit_record_parse(sv_make(line, len), rec, &reason)) {
        return false;
    }
    audit_fields_init(it, rec);
    return true;
}

/* Returns how many fields the record of line holds, or -1 when the header
 * does not parse. */
static int
count_fields(const char *line)
{
    struct audit_record rec;
    struct audit_field_iter it;
    struct audit_field f;
    int n = 0;

    if (!start_fields(line, strlen(line), &rec, &it)) {
        return -1;
    }
    while (audit_fields_next(&it, &f)) {
        n++;
    }
    return n;
}

/*
 * A record of three batches of fields, where msg='...' opens in the first
 * batch and closes in the second and 0x1D comes in the third, returns
 * every field once, in order, with the flags of its place.
 */
static void
fields_past_one_batch(void)
{
    static char line[LINE_MAX_TEST];
    const int total = AUDIT_FIELD_BATCH * 3;
    const int msg_open = AUDIT_FIELD_BATCH - 2;
    const int msg_close = AUDIT_FIELD_BATCH + 2;
    const int gs_at = AUDIT_FIELD_BATCH * 2 + 5;
    struct audit_record rec;
    struct audit_field_iter it;
    struct audit_field f;
    char key[16];
    char value[16];
    size_t n;

    n = (size_t)snprintf(line, sizeof(line),
                         "type=USER_CMD msg=audit(1700000000.123:9):");
    for (int i = 0; i < total; i++) {
        const char *before = " ";
        if (i == msg_open) {
            before = " msg='";
        } else if (i == msg_close) {
            before = "' ";
        } else if (i == gs_at) {
            before = "\x1d";
        }
        n += (size_t)snprintf(line + n, sizeof(line) - n, "%sk%d=v%d",
                              before, i, i);
        CHECK(n < sizeof(line));
    }

    CHECK(start_fields(line, n, &rec, &it));
    for (int i = 0; i < total; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        snprintf(value, sizeof(value), "v%d", i);
        CHECK(audit_fields_next(&it, &f));
        CHECK_SV(f.key, key);
        CHECK_SV(f.value, value);
        CHECK(f.in_msg == (i >= msg_open && i < msg_close));
        CHECK(f.enriched == (i >= gs_at));
    }
    CHECK(!audit_fields_next(&it, &f));
    CHECK(!audit_fields_next(&it, &f));
}

/* Records of exactly one batch and one more field end where they should. */
static void
fields_at_batch_edge(void)
{
    static char line[LINE_MAX_TEST];
    size_t n;

    for (int total = AUDIT_FIELD_BATCH - 1; total <= AUDIT_FIELD_BATCH + 1;
         total++) {
        n = (size_t)snprintf(line, sizeof(line),
                             "type=EXECVE msg=audit(1700000000.123:9): "
                             "argc=%d", total - 1);
        for (int i = 1; i < total; i++) {
            n += (size_t)snprintf(line + n, sizeof(line) - n, " a%d=x",
                                  i - 1);
        }
        CHECK(n < sizeof(line));
        CHECK_INT(count_fields(line), total);
    }
}

/* Empty bodies, blanks only and separators only hold no field. */
static void
fields_of_empty_records(void)
{
    CHECK_INT(count_fields("type=EOE msg=audit(1700000000.123:9):"), 0);
    CHECK_INT(count_fields("type=EOE msg=audit(1700000000.123:9): "), 0);
    CHECK_INT(count_fields("type=EOE msg=audit(1700000000.123:9)"), 0);
    CHECK_INT(count_fields("type=EOE msg=audit(1700000000.123:9): \t \t  "),
              0);
    CHECK_INT(count_fields("type=EOE msg=audit(1700000000.123:9):\x1d\x1d "),
              0);
    CHECK_INT(count_fields("type=EOE msg=audit(1700000000.123:9): msg=''"),
              0);
    CHECK_INT(count_fields("type=EOE msg=audit(1700000000.123:9): a b c"), 0);
}

/* Fields after 0x1D are enriched, whatever the case of their keys. */
static void
fields_after_separator(void)
{
    const char *line = "type=SYSCALL msg=audit(1700000000.123:9): "
                       "arch=c000003e a=\"x y\"\x1d" "ARCH=x86_64 "
                       "uid=0\x1d\x1d" "AUID=\"root\"";
    struct audit_record rec;
    struct audit_field_iter it;
    struct audit_field f;
    const char *expect[][2] = {
        { "arch", "c000003e" }, { "a", "\"x y\"" }, { "ARCH", "x86_64" },
        { "uid", "0" }, { "AUID", "\"root\"" },
    };

    CHECK(start_fields(line, strlen(line), &rec, &it));
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        CHECK(audit_fields_next(&it, &f));
        CHECK_SV(f.key, expect[i][0]);
        CHECK_SV(f.value, expect[i][1]);
        CHECK(f.enriched == (i >= 2));
        CHECK(!f.in_msg);
    }
    CHECK(!audit_fields_next(&it, &f));
}

/* One stamp and what audit_record_parse reads from it. */
struct stamp_case {
    const char *stamp;      /* the text after "msg=audit(" */
    bool valid;
    int64_t sec;
    int32_t msec;
    uint64_t serial;
    const char *body;
};

/* Stamps of the usual shape and of every other shape the general reader
 * takes or rejects. */
static void
stamp_edges(void)
{
    static const struct stamp_case cases[] = {
        { "1700000000.123:42): a=1", true, 1700000000, 123, 42, " a=1" },
        { "0000000000.000:0):", true, 0, 0, 0, "" },
        { "9999999999.999:18446744073709551615):", true, 9999999999, 999,
          UINT64_MAX, "" },
        /* Nine and eleven digits of seconds. */
        { "999999999.123:7):", true, 999999999, 123, 7, "" },
        { "17000000001.123:7):", true, 17000000001, 123, 7, "" },
        /* One, two and four digits of milliseconds. */
        { "1700000000.5:7):", true, 1700000000, 500, 7, "" },
        { "1700000000.12:7):", true, 1700000000, 120, 7, "" },
        { "1700000000.1234:7):", false, 0, 0, 0, NULL },
        { "1700000000.:7):", false, 0, 0, 0, NULL },
        /* A missing serial. */
        { "1700000000.123:):", false, 0, 0, 0, NULL },
        { "1700000000.123):", false, 0, 0, 0, NULL },
        { "1700000000.123:", false, 0, 0, 0, NULL },
        { "1700000000.123", false, 0, 0, 0, NULL },
        /* Serials past 64 bits. */
        { "1700000000.123:18446744073709551616):", false, 0, 0, 0, NULL },
        { "1700000000.123:123456789012345678901):", false, 0, 0, 0, NULL },
        { "1700000000.123:000000000000000000001):", false, 0, 0, 0, NULL },
        { "1700000000.123:00000000000000000001):", true, 1700000000, 123, 1,
          "" },
        /* Junk inside and after the stamp. */
        { "1700000000.123:42x):", false, 0, 0, 0, NULL },
        { "1700000000.123:42", false, 0, 0, 0, NULL },
        { "1700000000.123:42) config changed", true, 1700000000, 123, 42,
          " config changed" },
        { "1700000000.123:42)::x=1", true, 1700000000, 123, 42, ":x=1" },
        { "1700000000,123:42):", false, 0, 0, 0, NULL },
        { "-700000000.123:42):", false, 0, 0, 0, NULL },
        { " 1700000000.123:42):", false, 0, 0, 0, NULL },
        /* Seconds past the year 9999 fail only in the general reader,
         * because ten digits cannot reach it. */
        { "253402300799.000:1):", true, 253402300799, 0, 1, "" },
        { "253402300800.000:1):", false, 0, 0, 0, NULL },
    };
    char line[256];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct stamp_case *c = &cases[i];
        struct audit_record rec;
        const char *reason = NULL;
        int n = snprintf(line, sizeof(line), "type=EOE msg=audit(%s",
                         c->stamp);
        CHECK(n > 0);
        CHECK((size_t)n < sizeof(line));
        bool ok = audit_record_parse(sv_make(line, (size_t)n), &rec,
                                     &reason);
        if (ok != c->valid) {
            printf("  stamp \"%s\" %s\n", c->stamp,
                   ok ? "accepted" : "rejected");
        }
        CHECK(ok == c->valid);
        if (!ok) {
            CHECK_STR(reason, "invalid msg=audit() stamp");
            continue;
        }
        CHECK_INT(rec.sec, c->sec);
        CHECK_INT(rec.msec, c->msec);
        CHECK(rec.serial == c->serial);
        CHECK_SV(rec.body, c->body);
    }
}

/* Each digit of the fixed shape is checked, including the bytes just
 * below '0' and just above '9'. */
static void
stamp_bad_digit_anywhere(void)
{
    const char *good = "type=EOE msg=audit(1700000000.123:42):";
    size_t off = strlen("type=EOE msg=audit(");
    const char bad[] = { '/', ':', 'a', ' ', '\0' };
    char line[64];

    for (size_t pos = 0; pos < 14; pos++) {
        if (pos == 10) {
            continue;   /* the dot */
        }
        for (size_t b = 0; b < sizeof(bad); b++) {
            struct audit_record rec;
            const char *reason = NULL;
            size_t len = strlen(good);
            memcpy(line, good, len);
            line[off + pos] = bad[b];
            CHECK(!audit_record_parse(sv_make(line, len), &rec, &reason));
        }
    }
}

/* Type names found by the short list and by the index give the numbers
 * of linux/audit.h, and near misses give none. */
static void
type_names(void)
{
    static const struct {
        const char *name;
        int type;
    } cases[] = {
        { "EOE", 1320 }, { "CWD", 1307 }, { "AVC", 1400 }, { "TTY", 1319 },
        { "PATH", 1302 }, { "LOGIN", 1006 }, { "EXECVE", 1309 },
        { "SYSCALL", 1300 }, { "USER_END", 1106 }, { "CRED_ACQ", 1103 },
        { "SOCKADDR", 1306 }, { "USER_ERR", 1109 }, { "USER_CMD", 1123 },
        { "USER_AUTH", 1100 }, { "USER_ACCT", 1101 }, { "CRED_DISP", 1104 },
        { "PROCTITLE", 1327 }, { "USER_LOGIN", 1112 },
        { "USER_START", 1105 }, { "USER_LOGOUT", 1113 },
        { "SERVICE_START", 1130 }, { "CONFIG_CHANGE", 1305 },
        /* Names only the index holds. */
        { "USER_AVC", 1107 }, { "CRED_REFR", 1110 }, { "SYSTEM_BOOT", 1127 },
        { "SERVICE_STOP", 1131 }, { "DAEMON_START", 1200 },
        { "KERNEL", 2000 }, { "BPF", 1334 }, { "MMAP", 1323 },
        { "ANOM_PROMISCUOUS", 1700 }, { "UNKNOWN[1329]", 1329 },
        /* Near misses. */
        { "EOF", 0 }, { "SYSCALLS", 0 }, { "SYSCAL", 0 }, { "syscall", 0 },
        { "USER_EN", 0 }, { "USER_ENDX", 0 }, { "", 0 }, { "PATh", 0 },
        { "SERVICE_STARX", 0 }, { "UNKNOWN[]", 0 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = audit_type_from_name(sv_cstr(cases[i].name));
        if (got != cases[i].type) {
            printf("  type \"%s\" is %d, expected %d\n", cases[i].name, got,
                   cases[i].type);
        }
        CHECK_INT(got, cases[i].type);
    }
}

/* Every row of the type table comes back from audit_type_from_name, so the
 * short list of common names in audit_record.c agrees with the table. */
static void
type_table_rows(void)
{
    size_t n = sizeof(audit_types) / sizeof(audit_types[0]);

    for (size_t i = 0; i < n; i++) {
        int got = audit_type_from_name(sv_cstr(audit_types[i].name));
        if (got != audit_types[i].type) {
            printf("  type \"%s\" is %d, the table has %d\n",
                   audit_types[i].name, got, audit_types[i].type);
        }
        CHECK_INT(got, audit_types[i].type);
    }
}

/* Returns audit_syscall_is_exec for a SYSCALL record with this body, or -1
 * when the header does not parse. */
static int
is_exec(const char *body)
{
    struct audit_record rec;
    const char *reason = NULL;
    char line[256];
    int n = snprintf(line, sizeof(line),
                     "type=SYSCALL msg=audit(1700000000.123:9):%s", body);

    if (n < 0 || (size_t)n >= sizeof(line) ||
        !audit_record_parse(sv_make(line, (size_t)n), &rec, &reason)) {
        return -1;
    }
    return audit_syscall_is_exec(&rec) ? 1 : 0;
}

/* arch= and syscall= read at the start of the body and through the
 * iterator agree. */
static void
arch_syscall_shapes(void)
{
    CHECK_INT(is_exec(" arch=c000003e syscall=59 success=yes"), 1);
    CHECK_INT(is_exec(" arch=c000003e syscall=322"), 1);
    CHECK_INT(is_exec("arch=c000003e syscall=59"), 1);
    CHECK_INT(is_exec(" arch=c000003e syscall=1 success=yes"), 0);
    CHECK_INT(is_exec(" arch=x86_64 syscall=execve"), 1);
    CHECK_INT(is_exec(" arch=40000003 syscall=11"), 1);
    CHECK_INT(is_exec(" arch=c00000b7 syscall=221"), 1);
    CHECK_INT(is_exec(" arch=ffffffff syscall=59"), 0);
    /* Shapes the iterator reads. */
    CHECK_INT(is_exec(" syscall=59 arch=c000003e"), 1);
    CHECK_INT(is_exec("\tarch=c000003e\tsyscall=59"), 0);
    CHECK_INT(is_exec("  arch=c000003e  syscall=59"), 1);
    CHECK_INT(is_exec(" arch=c000003e, syscall=59,"), 1);
    CHECK_INT(is_exec(" arch=c000003e\x1dsyscall=59"), 1);
    CHECK_INT(is_exec(" arch=\"c000003e\" syscall=59"), 0);
    CHECK_INT(is_exec(" arch= syscall=59"), 0);
    CHECK_INT(is_exec(" arch=c000003e syscall="), 0);
    CHECK_INT(is_exec(" arch=c000003e"), 0);
    CHECK_INT(is_exec(" arch=c000003e syscall=59x"), 0);
    CHECK_INT(is_exec(" arch=c000003e pid=1 syscall=59"), 1);
    CHECK_INT(is_exec(" arch=c000003e syscall=59\x1dSYSCALL=execve"), 1);
    CHECK_INT(is_exec(""), 0);
}

int
main(void)
{
    TEST_RUN("audit_tokens", fields_past_one_batch);
    TEST_RUN("audit_tokens", fields_at_batch_edge);
    TEST_RUN("audit_tokens", fields_of_empty_records);
    TEST_RUN("audit_tokens", fields_after_separator);
    TEST_RUN("audit_tokens", stamp_edges);
    TEST_RUN("audit_tokens", stamp_bad_digit_anywhere);
    TEST_RUN("audit_tokens", type_names);
    TEST_RUN("audit_tokens", type_table_rows);
    TEST_RUN("audit_tokens", arch_syscall_shapes);
    TEST_EXIT();
}
