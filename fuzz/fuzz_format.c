/*
 * libFuzzer harness for one log format at a time, or all of them.
 *
 * The input is split into lines (text formats) or into blocks of a fixed
 * cycle of sizes (binary formats) and run through the format's open, feed,
 * flush and close.  Every event is copied with event_copy, and both the
 * original and the copy are written with output_event_json and
 * output_event_text: the JSON must be one valid object per line, the text
 * must be valid UTF-8 with no terminal controls, and the copy must write
 * the same bytes as the original.
 *
 * The format comes from the environment variable SSHTRAIL_FUZZ_FORMAT (a
 * --format name).  Without it the first input byte picks one of
 * format_all(), so one run covers every registered format.  With
 * SSHTRAIL_FUZZ_LIST=1 the harness prints the format names, one a line,
 * and exits; fuzz/run.sh uses that to start one job per format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "fuzz_common.h"
#include "output/output.h"

/* Block sizes cycled through for binary formats: whole glibc utmp records,
 * single bytes and sizes that cut records in the middle. */
static const size_t block_sizes[] = { 384, 1, 100, 4096, 383, 628, 7 };

static const struct format_ops *fixed_format;
static size_t format_count;
static struct tz utc;

struct harness {
    struct event copy;
    struct buf json;
    struct buf json_copy;
    struct buf text;
    const struct format_ops *ops;
    void *state;
    struct event_origin origin;
    struct event_sink sink;
};

static void
check_event(void *arg, const struct event *ev)
{
    struct harness *h = arg;

    if (event_copy(&h->copy, ev) < 0) {
        return;
    }
    buf_clear(&h->json);
    buf_clear(&h->json_copy);
    buf_clear(&h->text);
    output_event_json(&h->json, ev);
    output_event_json(&h->json_copy, &h->copy);
    output_event_text(&h->text, ev);

    if (h->json.dropped == 0) {
        fuzz_check_json_lines(h->json.data, h->json.len);
    }
    if (h->text.dropped == 0) {
        fuzz_check_utf8(h->text.data, h->text.len, true);
    }
    if (h->json.len != h->json_copy.len ||
        memcmp(h->json.data, h->json_copy.data, h->json.len) != 0) {
        fuzz_fail("event_copy writes different JSON", h->json_copy.data,
                  h->json_copy.len);
    }
}

static void
feed_line(void *arg, struct sv line, uint64_t lineno)
{
    struct harness *h = arg;
    const char *reason = NULL;

    int score = h->ops->probe(line);
    if (score < 0 || score > 100) {
        fuzz_fail("probe score outside 0..100", line.p, line.len);
    }
    h->origin.line = lineno;
    enum parse_status st = h->ops->feed(h->state, line, &h->origin,
                                        &h->sink, &reason);
    if (st != PARSE_OK && reason == NULL) {
        fuzz_fail("skip or malformed without a reason", line.p, line.len);
    }
}

static void
feed_blocks(struct harness *h, const uint8_t *data, size_t n)
{
    size_t off = 0;
    size_t k = 0;

    while (off < n) {
        size_t len = block_sizes[k++ % (sizeof(block_sizes) /
                                        sizeof(block_sizes[0]))];
        if (len > n - off) {
            len = n - off;
        }
        /* An exact-size copy, so reads past the block are reported. */
        char *copy = malloc(len);
        if (copy == NULL) {
            abort();
        }
        memcpy(copy, data + off, len);
        const char *reason = NULL;
        h->ops->feed(h->state, sv_make(copy, len), &h->origin, &h->sink,
                     &reason);
        free(copy);
        off += len;
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const struct format_ops *const *all = format_all();
    const char *name = getenv("SSHTRAIL_FUZZ_FORMAT");
    const char *list = getenv("SSHTRAIL_FUZZ_LIST");
    char err[256];

    while (all[format_count] != NULL) {
        format_count++;
    }
    if (list != NULL && strcmp(list, "1") == 0) {
        for (size_t i = 0; i < format_count; i++) {
            printf("%s\n", all[i]->name);
        }
        exit(0);
    }
    if (name != NULL && name[0] != '\0') {
        fixed_format = format_find(name);
        if (fixed_format == NULL) {
            fprintf(stderr, "fuzz_format: unknown format '%s' in "
                    "SSHTRAIL_FUZZ_FORMAT\n", name);
            exit(2);
        }
    }
    if (tz_init(&utc, "UTC", err, sizeof(err)) < 0) {
        fprintf(stderr, "fuzz_format: %s\n", err);
        exit(2);
    }
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    struct harness h;
    struct format_opts opts;

    memset(&h, 0, sizeof(h));
    h.ops = fixed_format;
    if (h.ops == NULL) {
        if (n == 0) {
            return 0;
        }
        h.ops = format_all()[data[0] % format_count];
        data++;
        n--;
    }

    memset(&opts, 0, sizeof(opts));
    opts.tz = &utc;
    opts.year = 2024;
    opts.year_given = true;
    opts.ref_time = 1718000000;         /* 2024-06-10, any fixed time */
    opts.default_host = NULL;

    h.state = h.ops->open(&opts);
    if (h.state == NULL) {
        return 0;
    }
    event_init(&h.copy);
    buf_init(&h.json, FUZZ_OUT_MAX);
    buf_init(&h.json_copy, FUZZ_OUT_MAX);
    buf_init(&h.text, FUZZ_OUT_MAX);
    h.origin.format = h.ops->name;
    h.origin.file = "fuzz";
    h.sink.emit = check_event;
    h.sink.arg = &h;

    if (h.ops->binary) {
        if (h.ops->probe_binary != NULL) {
            int score = h.ops->probe_binary(data, n < 4096 ? n : 4096);
            if (score < 0 || score > 100) {
                fuzz_fail("binary probe score outside 0..100", NULL, 0);
            }
        }
        feed_blocks(&h, data, n);
    } else {
        fuzz_each_line(data, n, feed_line, &h);
    }
    if (h.ops->flush != NULL) {
        uint64_t line = 0;
        const char *reason = NULL;
        enum parse_status st = h.ops->flush(h.state, &h.sink, &line, &reason);
        if (st != PARSE_OK && reason == NULL) {
            fuzz_fail("flush left a record out without a reason", NULL, 0);
        }
    }
    h.ops->close(h.state);

    buf_fini(&h.text);
    buf_fini(&h.json_copy);
    buf_fini(&h.json);
    event_fini(&h.copy);
    return 0;
}
