/*
 * Syslog header parsing shared by the formats whose lines carry a syslog
 * header (sshd today, ESXi and macOS later).
 *
 * One call splits a line into stamp, host, program, pid and message view.
 * It understands RFC 3164 ("Feb  7 16:01:07 host sshd[5106]: ..."), RFC
 * 3339 and ISO stamps, the macOS "log show" form with its two spaces, an
 * optional "<PRI>" before either, RFC 5424 with structured data, the
 * journal short form without a stamp ("srv sshd[1558]: ...") and lines with
 * no header at all.  It does not interpret the message.  Nothing is copied:
 * every view points into the line.
 */
#ifndef SSHTRAIL_SYSLOG_HEADER_H
#define SSHTRAIL_SYSLOG_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/sv.h"
#include "event/event.h"
#include "formats/format.h"

/* How much of a header a line carried. */
enum syslog_header_kind {
    SYSLOG_HEADER_STAMPED,  /* a time stamp, then host and program */
    SYSLOG_HEADER_UNSTAMPED, /* "host prog[pid]: msg" or "prog[pid]: msg" */
    SYSLOG_HEADER_NONE      /* no header: the whole line is the message */
};

/* The parts of one line; views point into the line passed in. */
struct syslog_header {
    enum syslog_header_kind kind;
    struct event_time time;     /* see syslog_header_parse for unstamped */
    struct sv host;             /* SV_NULL when the line names none */
    struct sv program;          /* SV_NULL when the line names none */
    int64_t pid;                /* -1 when absent */
    struct sv sd;               /* RFC 5424 structured data, or SV_NULL */
    struct sv message;
};

/*
 * The bytes up to the minute of the last stamp of one shape that the fast
 * path checked ("Feb  7 16:01" or "2024-01-02T03:04"), with their fields.
 * A line whose stamp starts with the same bytes skips the checks and the
 * calendar arithmetic.  The fields follow from the bytes (and the year,
 * for RFC 3164), so a memo never changes a result.
 */
struct syslog_stamp_memo {
    char prefix[16];
    bool valid;                 /* prefix and fields are set */
    bool has_start;             /* minute_start is set for year */
    int year, month, day, hour, minute;
    int64_t minute_start;       /* civil_to_epoch(year, ..., minute, 0) */
};

/*
 * State carried from line to line of one input: the year rule of RFC 3164
 * stamps and the time of the last stamped line.
 */
struct syslog_header_state {
    const struct format_opts *opts;
    int year;                   /* year of the last RFC 3164 stamp */
    int last_month;             /* 0 before the first RFC 3164 stamp */
    int ref_year;               /* ref_time's civil year and month in tz */
    int ref_month;
    bool has_last;
    struct event_time last;     /* time of the last stamped line */
    struct syslog_stamp_memo bsd_memo; /* used by the fast path only */
    struct syslog_stamp_memo iso_memo;
    /* The last program name of up to 7 bytes that the fast path scanned,
     * followed by the byte that ended it.  These program_memo_len bytes (0
     * before the first scan) are the bytes of program_word that
     * program_mask selects. */
    uint64_t program_word;
    uint64_t program_mask;
    size_t program_memo_len;
};

/* Prepares state for one input; opts must outlive it. */
void syslog_header_init(struct syslog_header_state *st,
                        const struct format_opts *opts);

/*
 * Parses the header at the start of line into *out and returns its kind.
 *
 * RFC 3164 stamps get their year from the rule in format.h, and a day
 * past the end of its month in that year rejects the stamp without
 * changing the rule's state.  Stamps
 * without a zone are read in opts->tz.  An unstamped line, and a line with
 * no header, gets the time of the previous stamped line of the same input,
 * else opts->ref_time with zero fraction digits.  A header that names no
 * host leaves out->host as SV_NULL; filling in a default host is the
 * caller's choice.
 */
enum syslog_header_kind syslog_header_parse(struct syslog_header_state *st,
                                            struct sv line,
                                            struct syslog_header *out);

/*
 * Parses like syslog_header_parse, with the same results and state
 * changes, but without the fast path for the two common stamped shapes.
 * It is the reference that the fast path falls back to and is tested
 * against; other callers use syslog_header_parse.
 */
enum syslog_header_kind
syslog_header_parse_general(struct syslog_header_state *st, struct sv line,
                            struct syslog_header *out);

#endif
