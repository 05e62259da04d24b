/*
 * Helpers shared by the libFuzzer harnesses: splitting the input into
 * lines the way the line reader does, and the checks every harness applies
 * to what the writers produce.
 *
 * The checks abort() on a violation so libFuzzer saves the input as a
 * crash: JSON output must be valid UTF-8 and parse as one JSON object per
 * line; text output must be valid UTF-8 and carry no control byte (C0 other
 * than the line feed, DEL, C1) that a terminal would act on.
 */
#ifndef SSHTRAIL_FUZZ_COMMON_H
#define SSHTRAIL_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/escape.h"
#include "core/sv.h"

/*
 * UBSan defaults for every harness: a report ends the run so libFuzzer
 * saves the input.  UBSAN_OPTIONS from the environment adds to these
 * (fuzz/run.sh adds the suppressions file of open bugs).
 */
const char *__ubsan_default_options(void);

const char *
__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

/* Output a harness keeps at most; the writers drop past it and count. */
#define FUZZ_OUT_MAX (16u * 1024u * 1024u)

static inline void
fuzz_fail(const char *what, const char *p, size_t n)
{
    fprintf(stderr, "fuzz check failed: %s (%zu bytes of output)\n", what,
            n);
    if (p != NULL) {
        fwrite(p, 1, n > 512 ? 512 : n, stderr);
        fputc('\n', stderr);
    }
    abort();
}

/*
 * Checks p[0..n) is valid UTF-8 throughout.  When text is true it also
 * rejects C0 controls other than '\n', DEL and the C1 controls
 * U+0080..U+009F.
 */
static inline void
fuzz_check_utf8(const char *p, size_t n, bool text)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0;

    while (i < n) {
        size_t len = utf8_seq_len(u + i, n - i);
        if (len == 0) {
            fuzz_fail("invalid UTF-8 in output", p, n);
        }
        if (text && len == 1 && u[i] != '\n' &&
            (u[i] < 0x20 || u[i] == 0x7f)) {
            fuzz_fail("control byte in text output", p, n);
        }
        if (text && len == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0) {
            fuzz_fail("C1 control in text output", p, n);
        }
        i += len;
    }
}

/*
 * Checks that every line of p[0..n) is exactly one JSON object, so no log
 * text can end a string early or add a record.
 */
static inline void
fuzz_check_json_lines(const char *p, size_t n)
{
    size_t start = 0;

    fuzz_check_utf8(p, n, false);
    while (start < n) {
        const char *nl = memchr(p + start, '\n', n - start);
        size_t len = nl ? (size_t)(nl - (p + start)) : n - start;
        const char *end = NULL;
        cJSON *obj = cJSON_ParseWithLengthOpts(p + start, len, &end, false);

        if (obj == NULL || !cJSON_IsObject(obj)) {
            fuzz_fail("output line is not a JSON object", p + start, len);
        }
        if (end != p + start + len) {
            fuzz_fail("text after the JSON object", p + start, len);
        }
        cJSON_Delete(obj);
        if (nl == NULL) {
            fuzz_fail("JSON record without a final newline", p + start, len);
        }
        start += len + 1;
    }
}

/*
 * Calls fn once per line of data[0..n), like the line reader: the line
 * feed is removed, and a carriage return before it too; a last line
 * without a terminator still counts.  Each line is passed in its own
 * allocation of exactly its length, so AddressSanitizer reports a parser
 * that reads one byte past the end of a line.
 */
static inline void
fuzz_each_line(const uint8_t *data, size_t n,
               void (*fn)(void *arg, struct sv line, uint64_t lineno),
               void *arg)
{
    size_t start = 0;
    uint64_t lineno = 0;

    while (start < n) {
        const uint8_t *nl = memchr(data + start, '\n', n - start);
        size_t len = nl ? (size_t)(nl - (data + start)) : n - start;
        size_t next = start + len + (nl ? 1 : 0);

        if (nl != NULL && len > 0 && data[start + len - 1] == '\r') {
            len--;
        }
        char *copy = malloc(len > 0 ? len : 1);
        if (copy == NULL) {
            abort();
        }
        memcpy(copy, data + start, len);
        fn(arg, sv_make(copy, len), ++lineno);
        free(copy);
        start = next;
    }
}

#endif
