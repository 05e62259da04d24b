/*
 * Splits journalctl's JSON output into one text per entry, across lines:
 * `-o json` (one object per line), `-o json-pretty` (one object over many
 * lines) and a top-level JSON array of entry objects (in any layout).
 *
 * The splitter tracks nesting and strings only; it does not validate the
 * JSON, which the caller parses.  An object that starts and ends in one
 * line is handed over as a view of that line; one that spans lines is
 * collected in a buffer bounded by JOURNALD_JSON_MAX_ENTRY.
 */
#ifndef SSHTRAIL_JOURNALD_JSON_H
#define SSHTRAIL_JOURNALD_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/sv.h"
#include "formats/format.h"

/* Largest entry collected over several lines, in bytes. */
#define JOURNALD_JSON_MAX_ENTRY (4u * 1024u * 1024u)

/*
 * Receives one complete object's text, first seen on line line_no.
 * Returns the parse status of the entry, with *reason set for PARSE_SKIP
 * and PARSE_MALFORMED.
 */
typedef enum parse_status (*journald_json_cb)(void *arg, struct sv object,
                                              uint64_t line_no,
                                              const char **reason);

struct journald_json {
    struct buf text;            /* an object spanning lines, so far */
    int depth;                  /* nesting, counting a top-level array */
    bool in_array;              /* inside a top-level array */
    bool in_object;             /* inside an entry object */
    bool in_string;
    bool escape;                /* the last byte was a backslash in a string */
    uint64_t first_line;
};

void journald_json_init(struct journald_json *j);
void journald_json_fini(struct journald_json *j);

/*
 * Scans one line and calls cb for each object it completes.  Returns
 * PARSE_OK when the line was used (an object may still be open) or any
 * completed object was used; otherwise the status and reason of the last
 * object completed, or PARSE_MALFORMED for text outside any object.
 */
enum parse_status journald_json_feed(struct journald_json *j,
                                     struct sv line, uint64_t line_no,
                                     journald_json_cb cb, void *arg,
                                     const char **reason);

/*
 * Ends the input.  Returns PARSE_MALFORMED with *reason set when an object
 * was still open, else PARSE_OK.
 */
enum parse_status journald_json_finish(struct journald_json *j,
                                       const char **reason);

#endif
