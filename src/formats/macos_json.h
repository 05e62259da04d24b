/*
 * A bounded reader that cuts JSON objects out of a stream of lines, for
 * the inputs that print JSON records: `log show --style json` (one array
 * whose objects span many lines), `--style ndjson`, eslogger and osquery
 * result logs (one object per line).
 *
 * The reader tracks string and nesting state across lines and hands each
 * complete top-level object to a callback as one view.  It does not parse
 * the object.  Array brackets and commas between top-level objects are
 * skipped.  An object larger than MACOS_JSON_MAX_OBJECT is dropped whole
 * and counted.  The osquery format uses it too, although osquery is not
 * macOS-only: the reader knows nothing about macOS.
 */
#ifndef SSHTRAIL_MACOS_JSON_H
#define SSHTRAIL_MACOS_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/sv.h"
#include "formats/format.h"

/* Maximum bytes of one JSON object, whitespace and newlines included. */
#define MACOS_JSON_MAX_OBJECT (1024u * 1024u)

/* Receives one complete object; the view lives until the callback returns. */
typedef void (*macos_json_object_fn)(void *arg, struct sv object,
                                     uint64_t first_line);

struct macos_json_reader {
    struct buf obj;             /* bytes of the object being collected */
    int depth;                  /* open braces and brackets in obj */
    bool in_string;
    bool escaped;
    bool too_large;             /* the current object passed the maximum */
    uint64_t first_line;        /* line where the current object began */
    uint64_t dropped;           /* objects dropped for size */
    uint64_t cut;               /* objects dropped as cut short */
};

void macos_json_init(struct macos_json_reader *r);
void macos_json_fini(struct macos_json_reader *r);

/* Returns true while an object is open across lines. */
bool macos_json_is_open(const struct macos_json_reader *r);

/* Content found on one line. */
enum macos_json_result {
    MACOS_JSON_EMPTY,           /* only whitespace, brackets or commas */
    MACOS_JSON_PARTIAL,         /* object bytes, but no object completed */
    MACOS_JSON_COMPLETE,        /* at least one object completed */
    MACOS_JSON_STRAY            /* text outside any object (not JSON) */
};

/*
 * Scans line (number lineno) and calls fn once per object that closes on
 * it, in order.  A line may close one object and open the next ("},{").
 * Stray text outside an object stops the scan of that line and returns
 * MACOS_JSON_STRAY; objects completed before it were already delivered.
 * An object dropped for size is counted in r->dropped, not delivered.
 */
enum macos_json_result macos_json_feed(struct macos_json_reader *r,
                                       struct sv line, uint64_t lineno,
                                       macos_json_object_fn fn, void *arg);

/* Outcome of the objects one line completed, set by the object callback. */
struct macos_json_outcome {
    int used;                   /* objects that gave PARSE_OK */
    enum parse_status status;   /* status of the last other object */
    const char *reason;
};

/* Builds events from one parsed record; returns its status and reason. */
typedef enum parse_status (*macos_json_record_fn)(
    void *arg, const cJSON *record, const struct event_origin *origin,
    const char **reason);

/*
 * Parses object as one JSON record and passes it to fn with origin moved
 * to first_line, then counts the result in out: a used record, or the
 * status and reason of a skipped or malformed one.
 */
void macos_json_use_record(struct sv object, uint64_t first_line,
                           const struct event_origin *origin,
                           macos_json_record_fn fn, void *arg,
                           struct macos_json_outcome *out);

/*
 * Feeds one line as macos_json_feed does, after resetting out to a skipped
 * line with empty_reason, and returns the line's parse status.  That is OK
 * when an object was used or one is still open, and MALFORMED for text
 * outside objects or an object over the maximum.  Otherwise it is the
 * status of the last object.
 */
enum parse_status macos_json_feed_line(struct macos_json_reader *r,
                                       struct sv line, uint64_t lineno,
                                       macos_json_object_fn fn, void *arg,
                                       struct macos_json_outcome *out,
                                       const char *empty_reason,
                                       const char **reason);

/*
 * Forgets an object still open at the end of the input and returns true
 * when there was one (it was truncated).
 */
bool macos_json_abandon(struct macos_json_reader *r);

/*
 * Returns the member at a dotted path ("event.exec.cwd.path") below obj,
 * or NULL when any step is missing or not an object.
 */
const cJSON *macos_json_path(const cJSON *obj, const char *path);

/*
 * Reads an integer from a JSON number or a decimal string (osquery writes
 * its columns as strings).  Returns false for anything else, including
 * empty strings and numbers with a fraction.
 */
bool macos_json_int(const cJSON *item, int64_t *out);

/* Returns a string member's bytes, or SV_NULL when it is not a string. */
struct sv macos_json_str(const cJSON *item);

#endif
