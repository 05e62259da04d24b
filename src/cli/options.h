/*
 * Command-line options of sshtrail and their parsing.  Parsing validates
 * every value and prints a message that names the option, the value and
 * the fix; it never exits the process itself.
 */
#ifndef SSHTRAIL_OPTIONS_H
#define SSHTRAIL_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/timeconv.h"
#include "formats/format.h"

#define SSHTRAIL_VERSION "0.1.0"

/* Exit codes; README.md and --help list them. */
#define EXIT_OK 0
#define EXIT_FINDINGS 1
#define EXIT_USAGE 2
#define EXIT_INPUT 3
#define EXIT_OUTPUT 4

enum command {
    CMD_DETECT,
    CMD_SESSIONS,
    CMD_EVENTS,
    CMD_COVERAGE,
    CMD_LEARN,          /* baseline learn: learn without findings */
    CMD_BASELINE_SHOW,
    CMD_BASELINE_FORGET
};

enum output_kind {
    OUTPUT_JSON,
    OUTPUT_TEXT,
    OUTPUT_HTML
};

struct options {
    enum command command;
    enum output_kind output;
    const struct format_ops *format;    /* NULL: detect per input */
    struct tz tz;
    int year;
    bool year_given;
    const char *default_host;
    int64_t window_ms;
    int64_t tolerance_ms;
    bool has_since, has_until;
    int64_t since, until;               /* seconds since the epoch */
    const char *host, *user, *source;
    char *host_canonical;               /* --host as canonicalised */
    const char *inventory;              /* --inventory FILE, or NULL */
    const char *config_path;            /* --config FILE, or NULL */
    const char *state_path;             /* --state FILE, or NULL */
    bool baseline_frozen;               /* --baseline-mode frozen */
    bool hide_suppressed;               /* --hide-suppressed */
    int jobs;                           /* --jobs: >1 parses inputs in
                                           worker threads */
    bool window_given;                  /* --window overrides TimeWindow */
    int64_t silence_ms;                 /* --silence: a source is silent */
    bool fail_on_findings;
    bool quiet;
    int64_t now;                        /* the run's start */
    const char **inputs;
    size_t ninputs;
    bool journal;                       /* --journal: read journal files */
    const char *journal_dir;            /* NULL: the system journal */
    const char *journal_cursor;         /* --journal-cursor FILE, or NULL */
};

/*
 * Parses argv into opt.  Returns -1 when the run should go on, or an exit
 * code when it is over: 0 after --help or --version, EXIT_USAGE after a
 * usage error (already reported on stderr).
 */
int options_parse(struct options *opt, int argc, char **argv, int64_t now);
void options_fini(struct options *opt);

#endif
