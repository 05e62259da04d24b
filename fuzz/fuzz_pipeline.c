/*
 * libFuzzer harness for the whole detect pipeline on one input file: format
 * auto-detection (text and binary), the reorder buffer of the source, the
 * correlator, scoring and the session and finding writers.
 *
 * The input is written to a temporary file that source_open reads as
 * `sshtrail detect FILE` would.  Every session is written as JSON and text
 * and every session with a login and executions as an OCSF finding, in JSON
 * and text; the output checks of fuzz_common.h apply to all four.  The
 * correlator runs with small table limits so the fuzzer reaches the
 * eviction paths with short inputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "correlate/correlator.h"
#include "fuzz_common.h"
#include "input/source.h"
#include "output/output.h"
#include "score/score.h"

static char input_path[] = "/tmp/sshtrail-fuzz-pipeline-XXXXXX";
static int input_fd = -1;
static struct tz utc;

struct pipeline {
    struct buf out;
    struct output_opts out_opts;
    struct score_opts score_opts;
};

static void
check_buf(struct buf *b, bool json)
{
    if (b->dropped == 0) {
        if (json) {
            fuzz_check_json_lines(b->data, b->len);
        } else {
            fuzz_check_utf8(b->data, b->len, true);
        }
    }
    buf_clear(b);
}

static void
on_session(void *arg, const struct session *s)
{
    struct pipeline *p = arg;
    struct score sc;

    output_session_json(&p->out, s, &p->out_opts);
    check_buf(&p->out, true);
    output_session_text(&p->out, s, &p->out_opts);
    check_buf(&p->out, false);
    if (!s->login_seen || s->nexecs == 0) {
        return;
    }
    score_session(s, &p->score_opts, &sc);
    if (sc.total < 0 || sc.total > 100) {
        fuzz_fail("score outside 0..100", NULL, 0);
    }
    output_finding_json(&p->out, s, &sc, &p->out_opts);
    check_buf(&p->out, true);
    output_finding_text(&p->out, s, &sc, &p->out_opts);
    check_buf(&p->out, false);
}

static void
remove_input(void)
{
    unlink(input_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[256];

    input_fd = mkstemp(input_path);
    if (input_fd < 0) {
        perror("fuzz_pipeline: mkstemp");
        exit(2);
    }
    atexit(remove_input);
    if (tz_init(&utc, "UTC", err, sizeof(err)) < 0) {
        fprintf(stderr, "fuzz_pipeline: %s\n", err);
        exit(2);
    }
    return 0;
}

static int
write_input(const uint8_t *data, size_t n)
{
    size_t off = 0;

    if (ftruncate(input_fd, 0) < 0) {
        return -1;
    }
    while (off < n) {
        ssize_t w = pwrite(input_fd, data + off, n - off, (off_t)off);
        if (w <= 0) {
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    struct pipeline p;
    struct diag diag;
    struct source_opts so;
    struct correlator_opts co;
    char err[512];

    if (write_input(data, n) < 0) {
        abort();
    }
    memset(&p, 0, sizeof(p));
    buf_init(&p.out, FUZZ_OUT_MAX);
    p.out_opts.product_version = "fuzz";
    score_opts_default(&p.score_opts);
    diag_init(&diag);

    memset(&so, 0, sizeof(so));
    so.fmt.tz = &utc;
    so.fmt.year = 2024;
    so.fmt.year_given = true;
    so.tolerance_ms = 5000;
    so.now = 1718000000;
    so.diag = &diag;

    struct source *src = source_open(input_path, &so, err, sizeof(err));
    if (src == NULL) {
        buf_fini(&p.out);
        return 0;
    }

    correlator_opts_default(&co);
    co.max_sessions = 4;
    co.max_processes = 8;
    co.max_sources = 4;
    struct session_sink sink = { on_session, &p };
    struct correlator *c = correlator_new(&co, &sink);
    if (c != NULL) {
        const struct event *ev;
        while (source_peek(src, &ev)) {
            correlator_feed(c, ev);
            source_pop(src);
        }
        correlator_finish(c);
        correlator_free(c);
    }
    source_free(src);
    buf_fini(&p.out);
    return 0;
}
