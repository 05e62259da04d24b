/*
 * Writers for everything sshtrail prints: normalized events, sessions and
 * findings, as JSON lines or as text for a terminal.  Each writer appends
 * one record (ending in a newline) to a buffer; the caller writes it out.
 * Every byte that came from a log passes through the JSON or terminal
 * escaper, so output is valid UTF-8 and carries no terminal controls.
 */
#ifndef SSHTRAIL_OUTPUT_H
#define SSHTRAIL_OUTPUT_H

#include "core/buf.h"
#include "correlate/session.h"
#include "event/event.h"
#include "score/score.h"

/* OCSF schema version the findings follow. */
#define OUTPUT_OCSF_VERSION "1.3.0"

/* The allowlist entry that suppressed a finding. */
struct output_suppression {
    int index;                  /* position in the config's allowlist */
    uint64_t line;              /* line of the entry in the config file */
    const char *reason;
    const char *owner;
    char expires[16];           /* YYYY-MM-DD */
};

struct output_opts {
    const char *product_version;
    /* Set while writing a suppressed finding, else NULL. */
    const struct output_suppression *suppression;
};

void output_event_json(struct buf *out, const struct event *ev);
void output_event_text(struct buf *out, const struct event *ev);

void output_session_json(struct buf *out, const struct session *s,
                         const struct output_opts *o);
void output_session_text(struct buf *out, const struct session *s,
                         const struct output_opts *o);

/* Writes the OCSF Detection Finding for a session and its score. */
void output_finding_json(struct buf *out, const struct session *s,
                         const struct score *sc, const struct output_opts *o);
void output_finding_text(struct buf *out, const struct session *s,
                         const struct score *sc, const struct output_opts *o);

/*
 * The self-contained HTML report: output_html_begin writes the page head,
 * then one section per finding or session, then output_html_end closes the
 * page with the count of what it lists (what: "findings", "sessions").
 */
void output_html_begin(struct buf *out);
void output_html_end(struct buf *out, uint64_t count, const char *what,
                     const char *version);
void output_finding_html(struct buf *out, const struct session *s,
                         const struct score *sc, const struct output_opts *o);
void output_session_html(struct buf *out, const struct session *s,
                         const struct output_opts *o);

/*
 * Writes the finding id: 32 hex digits hashed from host, user, source
 * address and port, and login time, so a replay gives the same id.
 * buf must hold 33 bytes.
 */
void output_finding_uid(const struct session *s, char *buf);

/* Appends argv as one command line, quoting arguments like a shell. */
void output_cmd_line(struct buf *out, const struct event *ev);

/*
 * Returns the DET0596 analytic of a platform name ("linux", "macos",
 * "esxi"; session_platform gives a session's): AN1638, AN1639 or AN1640.
 * NULL and unknown names give the Linux analytic AN1638.
 */
const char *output_analytic_uid(const char *platform);

#endif
