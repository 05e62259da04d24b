/*
 * Blind-spot report: which hosts the inputs cover, with which sources, and
 * where detection cannot work.  A host with SSH logins but no execution
 * telemetry cannot produce findings.  A host missing from the inventory is
 * unmanaged.  An inventory host without logs, or a source that went silent
 * long before the others, hides whatever happened there.
 *
 * Everything runs on event time: "silent" means silent relative to the
 * newest event of the whole input, never to the wall clock.
 */
#ifndef SSHTRAIL_COVERAGE_H
#define SSHTRAIL_COVERAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "event/event.h"

/* Maximum hosts tracked; events of further hosts are counted, not kept. */
#define COVERAGE_MAX_HOSTS 100000
/* Maximum distinct formats tracked per host. */
#define COVERAGE_MAX_FORMATS 8

struct coverage;

/* Returns a new report, or NULL when memory runs out. */
struct coverage *coverage_new(void);
void coverage_free(struct coverage *cov);

/* Counts one event; late marks an event that arrived past the tolerance. */
void coverage_add(struct coverage *cov, const struct event *ev, bool late);

/* Counts one SSH login that the correlator rebuilt on host. */
void coverage_add_login(struct coverage *cov, struct sv host);

/*
 * Reads an inventory: one canonical host name per line, '#' comments and
 * blank lines ignored.  Returns 0, or -1 with a message in err.
 */
int coverage_load_inventory(struct coverage *cov, const char *path,
                            char *err, size_t errlen);

/* Appends one JSON object per host, then one per inventory host without
 * logs, sorted by host name. silence_ms is the gap that makes a source
 * silent. */
void coverage_write_json(struct coverage *cov, struct buf *out,
                         int64_t silence_ms);
void coverage_write_text(struct coverage *cov, struct buf *out,
                         int64_t silence_ms);

/* Returns how many blind spots the last write reported. */
uint64_t coverage_gaps(const struct coverage *cov);

#endif
