/*
 * Helpers of the ecs format: assembling JSON objects that span lines (a
 * pretty-printed array, one object per line, or both) and looking up
 * Elastic Common Schema fields written nested ({"event":{"action":...}}),
 * flat with dotted keys ({"event.action":...}) or mixed.
 */
#ifndef SSHTRAIL_ECS_JSON_H
#define SSHTRAIL_ECS_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/sv.h"

/* Maximum bytes of one JSON object. */
#define ECS_MAX_OBJECT (1024u * 1024u)

struct ecs_reader {
    struct buf object;
    int depth;
    bool in_string;
    bool escape;
    uint64_t start_line;        /* input line where the object began */
};

/* The result of scanning the rest of a line with ecs_reader_next. */
enum ecs_scan {
    ECS_SCAN_END,           /* the line is used up */
    ECS_SCAN_OBJECT,        /* a complete object is in r->object */
    ECS_SCAN_GARBAGE,       /* bytes outside any object that are not [ ] , */
    ECS_SCAN_RESTART        /* an unterminated object was dropped */
};

void ecs_reader_init(struct ecs_reader *r);
void ecs_reader_fini(struct ecs_reader *r);

/*
 * Scans *rest (the unread part of line number line_no) and advances it.
 * Returns ECS_SCAN_OBJECT each time an object closes; the caller parses
 * r->object and calls again with the same *rest until ECS_SCAN_END.
 * ECS_SCAN_RESTART reports a dropped object: the line ended inside a
 * string, or a line starting with `{"` began while an object was open.
 */
enum ecs_scan ecs_reader_next(struct ecs_reader *r, struct sv *rest,
                              uint64_t line_no);

/* True while an object is open across lines. */
bool ecs_reader_is_open(const struct ecs_reader *r);

/*
 * Returns the member at a dotted ECS path ("process.parent.pid"), trying
 * every split of the path into nested and dotted keys, or NULL.
 */
const cJSON *ecs_get(const cJSON *obj, const char *path);

/* Returns a string member as a view, or SV_NULL when absent or no string. */
struct sv ecs_get_str(const cJSON *obj, const char *path);

/*
 * Reads an integer member written as a JSON number or a decimal string.
 * Returns false when it is absent or not an integer.
 */
bool ecs_get_int(const cJSON *obj, const char *path, int64_t *out);

/* True when a member is the string value or an array containing it. */
bool ecs_has_value(const cJSON *obj, const char *path, const char *value);

#endif
