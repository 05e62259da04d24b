/*
 * The one interface every log format implements.
 *
 * A format turns lines into normalized events.  The pipeline hands it one
 * line at a time (without the line terminator) and a sink.  The format
 * emits zero or more events into the sink, now or on a later call when it
 * groups several records into one event.  Nothing outside src/formats switches on
 * the format: the pipeline sees only this table.
 */
#ifndef SSHTRAIL_FORMAT_H
#define SSHTRAIL_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/sv.h"
#include "core/timeconv.h"
#include "event/event.h"

/* Run-wide settings a parser needs to complete partial stamps and hosts. */
struct format_opts {
    const struct tz *tz;        /* zone for stamps without one */
    int year;                   /* year for stamps without one (see below) */
    bool year_given;            /* true: --year; false: from ref_time */
    int64_t ref_time;           /* file mtime, or the run's "now" for stdin */
    const char *default_host;   /* host for input that names none, or NULL */
};

/*
 * Year rule for stamps without a year (RFC 3164).  With year_given, the
 * first stamp is in `year` and each jump backwards of more than six months
 * (December to January) starts the next year.  Without it, a stamp whose
 * month is after ref_time's month belongs to the year before ref_time's,
 * every other stamp to ref_time's year, so a file written until January
 * places its December lines in the year before.
 */

enum parse_status {
    PARSE_OK,           /* the line was used (events may come later) */
    PARSE_SKIP,         /* well formed, but nothing sshtrail uses */
    PARSE_MALFORMED     /* not understood */
};

/* Receives events; the event is borrowed only for the duration of the call. */
struct event_sink {
    void (*emit)(void *arg, const struct event *ev);
    void *arg;
    /*
     * The fields the receiver reads; NULL: every field of every event.  A
     * sink that wraps another may pass this on, as the fields it adds to
     * a left-out kind go unread too.
     */
    const struct event_needs *needs;
    /*
     * Counts input that a format can judge only after the feed call of its
     * line has returned, such as an audit event completed by a later
     * record.  status is PARSE_SKIP or PARSE_MALFORMED, reason is a static
     * string, and origin is the first line concerned.  NULL leaves such
     * input uncounted.  (A record that flush leaves out is reported by
     * flush's own return value instead.)
     */
    void (*count)(void *arg, enum parse_status status, const char *reason,
                  const struct event_origin *origin);
};

struct format_ops {
    const char *name;           /* the --format value */
    const char *description;    /* one line for --help */
    const char *platform;       /* linux, macos or esxi; NULL means linux */

    /*
     * Returns how likely line is of this format, from 0 (not at all) to
     * 100 (certain).  Used by auto-detection on a file's first lines.
     */
    int (*probe)(struct sv line);

    /* Returns new parser state, or NULL when memory runs out. */
    void *(*open)(const struct format_opts *opts);
    void (*close)(void *state);

    /*
     * Parses one line.  For PARSE_SKIP and PARSE_MALFORMED *reason is set
     * to a static string naming why (such as "no syslog header").
     */
    enum parse_status (*feed)(void *state, struct sv line,
                              const struct event_origin *origin,
                              const struct event_sink *sink,
                              const char **reason);

    /*
     * Emits everything still buffered; called at the end of the input.
     * Returns PARSE_OK, or PARSE_SKIP or PARSE_MALFORMED with *reason set
     * (as feed does) when a buffered record was left out, such as one the
     * input cut off; *line is then set to the line (or record number)
     * where that record began.  May be NULL for formats that never buffer.
     */
    enum parse_status (*flush)(void *state, const struct event_sink *sink,
                               uint64_t *line, const char **reason);

    /*
     * Binary formats (wtmp) set binary, and feed then receives blocks of
     * raw bytes in file order instead of lines.  The format keeps partial
     * records between calls and sets origin.line to the record number.
     * probe_binary scores the first bytes of the input like probe.
     */
    bool binary;
    int (*probe_binary)(const unsigned char *head, size_t n);
};

/* Returns the format named name, or NULL. */
const struct format_ops *format_find(const char *name);

/* Returns the NULL-terminated table of all formats. */
const struct format_ops *const *format_all(void);

/*
 * Picks the format of a file from its first lines (count n): the format
 * with the highest summed probe score.  Blank lines count for nothing.
 * Returns NULL when no format scores.
 */
const struct format_ops *format_detect(const struct sv *lines, int n);

/*
 * Picks a binary format from the first n bytes of an input, or returns
 * NULL when no binary format scores at least 50.
 */
const struct format_ops *format_detect_binary(const unsigned char *head,
                                              size_t n);

#endif
