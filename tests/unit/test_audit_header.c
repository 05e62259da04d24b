/*
 * Differential test of the audit record header parser: audit_record_parse
 * against a reference copy of the byte-by-byte parser it replaced (digits
 * read one at a time, blanks skipped by a loop, prefixes compared one by
 * one).  Headers come from edge cases and from pseudo-random edits of
 * usual lines; both parsers must agree on the result, the reason and every
 * field.  Each line is copied into a buffer of its exact length, so a read
 * past the end shows under a sanitizer or valgrind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"
#include "formats/audit_record.h"
#include "tcheck.h"

static const char *
ref_skip_spaces(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }
    return p;
}

static int
ref_has_prefix(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);

    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* Reads decimal digits up to max, as sv_to_u64 does; NULL when none. */
static const char *
ref_number(const char *p, const char *end, uint64_t max, uint64_t *out)
{
    const char *start = p;

    while (p < end && *p >= '0' && *p <= '9') {
        p++;
    }
    if (p == start ||
        !sv_to_u64(sv_make(start, (size_t)(p - start)), max, out)) {
        return NULL;
    }
    return p;
}

static int
ref_is_type_name(struct sv name)
{
    if (name.len == 0) {
        return 0;
    }
    for (size_t i = 0; i < name.len; i++) {
        char c = name.p[i];
        if (!((c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9') ||
              c == '[' || c == ']')) {
            return 0;
        }
    }
    return 1;
}

static const char *
ref_stamp(const char *p, const char *end, struct audit_record *rec)
{
    uint64_t sec;
    uint64_t msec;
    uint64_t serial;

    p = ref_number(p, end, EVENT_TIME_MAX_SEC, &sec);
    if (p == NULL || p >= end || *p != '.') {
        return NULL;
    }
    const char *ms = p + 1;
    p = ref_number(ms, end, 999, &msec);
    if (p == NULL || p - ms > 3 || p >= end || *p != ':') {
        return NULL;
    }
    for (ptrdiff_t d = p - ms; d < 3; d++) {
        msec *= 10;
    }
    p = ref_number(p + 1, end, UINT64_MAX, &serial);
    if (p == NULL || p >= end || *p != ')') {
        return NULL;
    }
    rec->sec = (int64_t)sec;
    rec->msec = (int32_t)msec;
    rec->serial = serial;
    return p + 1;
}

static int
ref_parse(struct sv line, struct audit_record *rec, const char **reason)
{
    const char *end = line.p + line.len;
    const char *p = ref_skip_spaces(line.p, end);

    memset(rec, 0, sizeof(*rec));
    if (ref_has_prefix(p, end, "node=")) {
        const char *name = p + 5;
        const char *space = memchr(name, ' ', (size_t)(end - name));
        if (space == NULL) {
            rec->node = sv_make(name, (size_t)(end - name));
            p = end;
        } else {
            rec->node = sv_make(name, (size_t)(space - name));
            p = ref_skip_spaces(space + 1, end);
        }
    }
    if (!ref_has_prefix(p, end, "type=")) {
        *reason = "no type= field";
        return 0;
    }
    const char *name = p + 5;
    p = name;
    while (p < end && *p != ' ') {
        p++;
    }
    rec->type_name = sv_make(name, (size_t)(p - name));
    if (!ref_is_type_name(rec->type_name)) {
        *reason = "unknown record type";
        return 0;
    }
    rec->type = audit_type_from_name(rec->type_name);
    p = ref_skip_spaces(p, end);
    if (!ref_has_prefix(p, end, "msg=audit(")) {
        *reason = "no msg=audit() stamp";
        return 0;
    }
    p = ref_stamp(p + 10, end, rec);
    if (p == NULL) {
        *reason = "invalid msg=audit() stamp";
        return 0;
    }
    if (p < end && *p == ':') {
        p++;
    }
    rec->body = sv_make(p, (size_t)(end - p));
    return 1;
}

static int
same_view(struct sv a, struct sv b)
{
    return a.p == b.p && (a.p == NULL || a.len == b.len);
}

/* Parses text (len bytes, in a buffer of exactly that size) with both
 * parsers and prints the line when they disagree. */
static int
parsers_agree(const char *text, size_t len)
{
    char *buf = malloc(len > 0 ? len : 1);
    struct audit_record want;
    struct audit_record got;
    const char *want_reason = NULL;
    const char *got_reason = NULL;
    int ok;

    if (buf == NULL) {
        return 0;
    }
    memcpy(buf, text, len);
    struct sv line = sv_make(buf, len);
    int want_ok = ref_parse(line, &want, &want_reason);
    int got_ok = audit_record_parse(line, &got, &got_reason) ? 1 : 0;

    if (want_ok != got_ok) {
        ok = 0;
    } else if (!want_ok) {
        ok = strcmp(want_reason, got_reason) == 0;
    } else {
        ok = same_view(want.node, got.node) &&
             same_view(want.type_name, got.type_name) &&
             want.type == got.type && want.sec == got.sec &&
             want.msec == got.msec && want.serial == got.serial &&
             same_view(want.body, got.body) &&
             got.exec == AUDIT_EXEC_UNKNOWN;
    }
    if (!ok) {
        printf("  parsers disagree on \"%.*s\"\n", (int)len, text);
    }
    free(buf);
    return ok;
}

static int
agree_cstr(const char *text)
{
    return parsers_agree(text, strlen(text));
}

static void
header_edge_cases(void)
{
    static const char *const lines[] = {
        "node=web1 type=SYSCALL msg=audit(1704067200.141:37676): arch=x",
        "type=EOE msg=audit(1704067200.141:37676): ",
        "type=EOE msg=audit(1704067200.141:1):",
        "type=EOE msg=audit(1704067200.141:1234567):",
        "type=EOE msg=audit(1704067200.141:12345678):",
        "type=EOE msg=audit(1704067200.141:123456789012):",
        "type=EOE msg=audit(1704067200.141:99999999999999999999):",
        "type=EOE msg=audit(1704067200.141:18446744073709551615):",
        "type=EOE msg=audit(1704067200.141:18446744073709551616):",
        "type=EOE msg=audit(1704067200.141:0000012)",
        "type=EOE msg=audit(1704067200.141:12)",
        "type=EOE msg=audit(1704067200.141:1)",
        "type=EOE msg=audit(1704067200.141:)",
        "type=EOE msg=audit(1704067200.141:1",
        "type=EOE msg=audit(1704067200.141:12345",
        "type=EOE msg=audit(1704067200.141:12a45):",
        "type=EOE msg=audit(1704067200.141:12\x80" "45):",
        "type=EOE msg=audit(1704067200.141:12/45):",
        "type=EOE msg=audit(1704067200.141:12:45):",
        "type=EOE msg=audit(1704067200.141:\xff" "2345):",
        "type=EOE msg=audit(1.5:7): x",
        "type=EOE msg=audit(17040672001.141:7): x",
        "type=DAEMON_CONFIG msg=audit(1704067200.141:7) config changed",
        "  node=a  type=LOGIN  msg=audit(1704067200.141:7): x",
        "\tnode=a\ttype=LOGIN msg=audit(1704067200.141:7): x",
        "node=a type=LOGIN\tmsg=audit(1704067200.141:7): x",
        "node=a type=LOGIN  msg=audit(1704067200.141:7): x",
        "node=a type=LOGIN msg=audit(1704067200.141:7",
        "node=a type=LOGIN msg=audit(",
        "node=a type=LOGIN msg=audi",
        "node=a type=LOGIN",
        "node=a type=",
        "node=a type= msg=audit(1704067200.141:7): x",
        "node=a",
        "node=",
        "node= type=EOE msg=audit(1704067200.141:7):",
        "type=UNKNOWN[1329] msg=audit(1704067200.141:7): x",
        "type=UNKNOWN[99999] msg=audit(1704067200.141:7): x",
        "type=NOT_A_TYPE msg=audit(1704067200.141:7): x",
        "type=lower msg=audit(1704067200.141:7): x",
        "type=SYSCALL",
        "",
        " ",
    };
    int failures = 0;

    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        if (!agree_cstr(lines[i])) {
            failures++;
        }
    }
    CHECK_INT(failures, 0);
}

/* Every line shorter than a usual header, so each bound is met. */
static void
header_truncated(void)
{
    static const char line[] =
        "node=web19 type=SYSCALL msg=audit(1704067200.141:37676): arch=c";
    int failures = 0;

    for (size_t len = 0; len <= sizeof(line) - 1; len++) {
        if (!parsers_agree(line, len)) {
            failures++;
        }
    }
    CHECK_INT(failures, 0);
}

/*
 * Usual lines with one to three bytes replaced by bytes that matter to
 * the header (digits, blanks, '.', ':', ')', letters, high bytes), and
 * serials of every length from 1 to 20 digits.
 */
static void
header_random_edits(void)
{
    static const char *const templates[] = {
        "node=web19 type=USER_AUTH msg=audit(1704067200.135:37673): pid=1",
        "type=SYSCALL msg=audit(1704067200.141:1): arch=c000003e",
        "type=EOE msg=audit(1704067200.141:123456):",
        "node=h type=UNKNOWN[1336] msg=audit(1704067200.141:12345678) x",
    };
    static const char alphabet[] = "0123456789 \t.:()=[]AZaz_\x1d\x80\xff";
    const size_t k = sizeof(alphabet) - 1;
    static char line[128];
    uint64_t state = 0x2545f4914f6cdd1dull;
    int failures = 0;

    for (int round = 0; round < 200000 && failures < 5; round++) {
        const char *t = templates[tcheck_random(&state) % 4];
        size_t len = strlen(t);
        memcpy(line, t, len);
        int edits = 1 + (int)(tcheck_random(&state) % 3);
        for (int e = 0; e < edits; e++) {
            line[tcheck_random(&state) % len] =
                alphabet[tcheck_random(&state) % k];
        }
        if (tcheck_random(&state) % 8 == 0) {
            len = (size_t)(tcheck_random(&state) % len);
        }
        if (!parsers_agree(line, len)) {
            failures++;
        }
    }

    /* Serials of 1 to 20 digits, each followed by ')' and 0 to 9 more
     * bytes. */
    for (size_t digits = 1; digits <= 20; digits++) {
        for (size_t tail = 0; tail < 10; tail++) {
            size_t len = (size_t)snprintf(line, sizeof(line),
                                          "type=EOE msg=audit(1704067200."
                                          "141:");
            for (size_t d = 0; d < digits; d++) {
                line[len++] = (char)('1' + (d * 7) % 9);
            }
            line[len++] = ')';
            for (size_t i = 0; i < tail; i++) {
                line[len++] = ':';
            }
            if (!parsers_agree(line, len)) {
                failures++;
            }
        }
    }
    CHECK_INT(failures, 0);
}

int
main(void)
{
    TEST_RUN("audit_header", header_edge_cases);
    TEST_RUN("audit_header", header_truncated);
    TEST_RUN("audit_header", header_random_edits);
    TEST_EXIT();
}
