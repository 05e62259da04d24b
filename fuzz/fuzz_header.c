/*
 * libFuzzer harness that compares the syslog header parser's fast path
 * with its general parser.
 *
 * syslog_header_parse reads the two common stamped shapes at fixed offsets
 * and falls back to syslog_header_parse_general for everything else.  Both
 * must give the same result and leave the same year-rule state for every
 * line.  The first input byte picks the options (zone UTC or +05:30, with
 * or without --year).  The rest is split into lines, and each line goes to
 * both parsers, each with its own state, in order.  Any difference in the
 * kind, time, views (pointer and length), pid or state aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/syslog_header_twin.h"
#include "fuzz_common.h"

static struct tz utc;
static struct tz plus0530 = { .offset_sec = 5 * 3600 + 30 * 60 };

static void
parse_both(void *arg, struct sv line, uint64_t lineno)
{
    struct syslog_header_twin *t = arg;

    (void)lineno;
    const char *part = syslog_header_twin_parse(t, line);
    if (part != NULL) {
        fprintf(stderr, "fast and general header parsers differ in %s\n",
                part);
        fuzz_fail("header parsers differ on this line", line.p, line.len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct syslog_header_twin t;

    if (size == 0) {
        return 0;
    }
    syslog_header_twin_init(&t, (data[0] & 1) ? &plus0530 : &utc,
                            (data[0] & 2) != 0);
    fuzz_each_line(data + 1, size - 1, parse_both, &t);
    return 0;
}
