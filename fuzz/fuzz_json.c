/*
 * libFuzzer harness for the two JSON stream splitters that the JSON
 * formats share: the object reader of macos_json.h (macOS log, eslogger,
 * osquery) and the journalctl JSON splitter of journald_json.h.
 *
 * The input is split into lines and fed to both.  Every object either
 * hands over must start with '{', end with a closing bracket and stay within its size
 * maximum; it is then parsed with cJSON and walked with the accessors the
 * formats use (macos_json_path, macos_json_int, macos_json_str).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/journald_json.h"
#include "formats/macos_json.h"
#include "fuzz_common.h"

struct readers {
    struct macos_json_reader macos;
    struct journald_json journald;
};

/* Walks every member the way the formats read fields. */
static void
walk(const cJSON *item, int depth)
{
    int64_t v;
    struct sv s;

    if (depth > 64) {
        return;
    }
    for (const cJSON *c = item->child; c != NULL; c = c->next) {
        (void)macos_json_int(c, &v);
        s = macos_json_str(c);
        if (s.p == NULL && s.len != 0) {
            fuzz_fail("string view without bytes but with a length",
                      NULL, 0);
        }
        walk(c, depth + 1);
    }
}

static void
check_object(struct sv object, size_t max)
{
    struct sv t = sv_trim(object);

    /* The splitters count nesting without matching bracket kinds (the
     * caller's JSON parser rejects "{]"), so either closer may end it. */
    if (t.len < 2 || t.p[0] != '{' ||
        (t.p[t.len - 1] != '}' && t.p[t.len - 1] != ']')) {
        fuzz_fail("object not delimited by brackets", object.p, object.len);
    }
    if (object.len > max) {
        fuzz_fail("object larger than its maximum", object.p, 512);
    }
    cJSON *obj = cJSON_ParseWithLength(object.p, object.len);
    if (obj == NULL) {
        return;
    }
    (void)macos_json_path(obj, "event.exec.target.executable.path");
    (void)macos_json_path(obj, "columns.cmdline");
    (void)macos_json_path(obj, "");
    (void)macos_json_path(obj, "...");
    walk(obj, 0);
    cJSON_Delete(obj);
}

static void
on_macos(void *arg, struct sv object, uint64_t first_line)
{
    check_object(object, MACOS_JSON_MAX_OBJECT);
}

static enum parse_status
on_journald(void *arg, struct sv object, uint64_t line_no,
            const char **reason)
{
    check_object(object, JOURNALD_JSON_MAX_ENTRY);
    return PARSE_OK;
}

static void
feed_line(void *arg, struct sv line, uint64_t lineno)
{
    struct readers *r = arg;
    const char *reason = NULL;

    (void)macos_json_feed(&r->macos, line, lineno, on_macos, NULL);
    enum parse_status st = journald_json_feed(&r->journald, line, lineno,
                                              on_journald, NULL, &reason);
    if (st != PARSE_OK && reason == NULL) {
        fuzz_fail("journald JSON status without a reason", line.p,
                  line.len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    struct readers r;
    const char *reason = NULL;

    macos_json_init(&r.macos);
    journald_json_init(&r.journald);
    fuzz_each_line(data, n, feed_line, &r);
    (void)macos_json_abandon(&r.macos);
    if (journald_json_finish(&r.journald, &reason) != PARSE_OK &&
        reason == NULL) {
        fuzz_fail("journald JSON end without a reason", NULL, 0);
    }
    if (macos_json_is_open(&r.macos)) {
        fuzz_fail("reader still open after abandon", NULL, 0);
    }
    journald_json_fini(&r.journald);
    macos_json_fini(&r.macos);
    return 0;
}
