/*
 * Suspicious-execution patterns, kept as data: a table of rows (family,
 * name, subject, PCRE2 expression) compiled once, plus the rows the
 * configuration's DET0596 lists add per platform.  Matching an execution
 * returns which rows hit and the text they matched.
 *
 * Onward SSH hops (an ssh, scp, sftp or rsync client started on the host)
 * are recognised by patterns_is_hop, which reads the client's arguments
 * instead of a regular expression so it can name the next host.
 */
#ifndef SSHTRAIL_PATTERNS_H
#define SSHTRAIL_PATTERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "event/event.h"

/* Bytes of command line matched; longer command lines are cut. */
#define PATTERNS_MAX_TEXT 4096u
/* Bytes of matched text kept per hit, NUL included. */
#define PATTERNS_MAX_MATCH 128u
/* Rows in one pattern set, built-in and configured together. */
#define PATTERNS_MAX_RULES 4096u

/* Part of an execution a row is matched against. */
enum pattern_subject {
    PATTERN_COMMAND,    /* the command line and the executable's name */
    PATTERN_EXE_PATH    /* the executable's full path */
};

struct pattern_rule {
    const char *family;     /* discovery, reverse_shell, ..., config */
    const char *name;
    enum pattern_subject subject;
    unsigned platforms;     /* bits 1 << enum config_platform */
    void *code;             /* pcre2_code */
};

struct patterns {
    struct pattern_rule *rules;
    uint32_t n;
    void *match_context;    /* pcre2_match_context with the limits */
};

struct pattern_hit {
    const char *family;
    const char *name;
    char text[PATTERNS_MAX_MATCH];  /* what matched, cut at the maximum */
};

/*
 * Compiles the built-in rows and the rows from cfg's SuspiciousProcessList
 * (Linux), CommandLineKeywords (macOS) and CommandList (ESXi); cfg may be
 * NULL for the built-in rows only.  Rule names of configured rows borrow
 * cfg's strings, so cfg must outlive p.  Uses the PCRE2 JIT when it is
 * available.  Returns 0, or -1 with a message naming the row in err.
 */
int patterns_init(struct patterns *p, const struct config *cfg, char *err,
                  size_t n);
void patterns_fini(struct patterns *p);

/*
 * Matches one execution, seen on a host of platform ("linux", "macos",
 * "esxi"; NULL is linux), against every row of that platform.  Each row
 * hits at most once.  Fills up to max hits in table order and returns how
 * many rows hit, which may exceed max.
 */
int patterns_match(const struct patterns *p, const char *platform,
                   const struct event *exec, struct pattern_hit *hits,
                   int max);

/*
 * Tests whether exec starts an SSH client towards another host: ssh,
 * slogin or sftp with a destination, scp with a host:path argument, rsync
 * with a host:path argument (SSH transport; the rsync daemon forms
 * host::module and rsync:// are not SSH).  Sets *target to the destination
 * host without user@, :path or port, borrowed from exec.
 */
bool patterns_is_hop(const struct event *exec, struct sv *target);

/*
 * Writes the command line of exec into buf (size n, NUL-terminated): the
 * argv elements joined by spaces, else EVENT_CMDLINE, else EVENT_EXE.
 * Returns the length, and sets *cut when the text did not fit.
 */
size_t patterns_command_text(const struct event *exec, char *buf, size_t n,
                             bool *cut);

#endif
