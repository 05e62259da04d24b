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
#include "core/sv.h"
#include "event/event.h"

/* Bytes of command line matched; longer command lines are cut. */
#define PATTERNS_MAX_TEXT 4096u
/* Bytes set after a subject's end.  Code from the PCRE2 JIT can read
 * past a subject's end (memcheck reports branches on the bytes after the
 * NUL), so those bytes must be defined. */
#define PATTERNS_PAD 64u
/* Bytes of matched text kept per hit, NUL included. */
#define PATTERNS_MAX_MATCH 128u
/* Rows in one pattern set, built-in and configured together. */
#define PATTERNS_MAX_RULES 4096u

/* Part of an execution a row is matched against. */
enum pattern_subject {
    PATTERN_COMMAND,    /* the command line and the executable's name */
    PATTERN_EXE_PATH    /* the executable's full path */
};

/* Literals of one row's prefilter. */
#define PATTERNS_MAX_LITERALS 8u
/* Bytes of a literal derived from a configured expression, NUL included. */
#define PATTERNS_MAX_LITERAL 64u

/* A literal of a row's prefilter. */
struct pattern_literal {
    struct sv text;
    uint64_t bytes[4];      /* its bytes, ASCII letters in lower case */
};

/*
 * One row.  Every subject the expression matches contains at least one of
 * the literals (ASCII case folded when caseless is set, the literals then
 * stored in lower case), so the expression runs only on subjects that
 * contain one.  A row without literals always runs its expression.
 */
struct pattern_rule {
    const char *family;     /* discovery, reverse_shell, ..., config */
    const char *name;
    enum pattern_subject subject;
    unsigned platforms;     /* bits 1 << enum config_platform */
    struct pattern_literal literals[PATTERNS_MAX_LITERALS];
    uint32_t nliterals;
    bool caseless;
    char derived[PATTERNS_MAX_LITERAL]; /* storage of a derived literal */
    void *code;             /* pcre2_code */
    bool jit_pending;       /* JIT-compile before the first run */
    uint64_t runs;          /* times the expression ran */
};

/* Slots of the memo of recent results, and the maximum subject bytes and
 * hits per slot.  A longer subject or more hits are not remembered. */
#define PATTERNS_MEMO_SLOTS 256u
#define PATTERNS_MEMO_BYTES 240u
#define PATTERNS_MEMO_HITS 8u

struct patterns_memo;

struct patterns {
    struct pattern_rule *rules;
    uint32_t n;
    void *match_context;    /* pcre2_match_context with the limits */
    void *match_data;       /* pcre2_match_data shared by every match */
    /* Results of patterns_match for recent subjects, so a command that
     * runs again (cron jobs, automation, a user's habits) is not matched
     * again.  NULL when it could not be allocated. */
    struct patterns_memo *memo;
    uint64_t memo_hits;     /* matches served from the memo */
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
 * cfg's strings, so cfg must outlive p.  Every expression is compiled
 * here, so an invalid one is reported at start-up.  The PCRE2 JIT, when it
 * is available, compiles a row only before its first run.  Returns 0, or
 * -1 with a message naming the row in err.
 */
int patterns_init(struct patterns *p, const struct config *cfg, char *err,
                  size_t n);
void patterns_fini(struct patterns *p);

/*
 * Matches one execution, seen on a host of platform ("linux", "macos",
 * "esxi"; NULL is linux), against every row of that platform.  Each row
 * hits at most once.  Fills up to max hits in table order and returns how
 * many rows hit, which may exceed max.  Updates the rows' run counts
 * (except for an execution served from the memo), JIT code, the memo and
 * the shared match data, so calls on one set must not overlap.
 */
int patterns_match(struct patterns *p, const char *platform,
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
 * Derives from a PCRE2 expression a literal that every match contains: the
 * longest run of literal characters outside any group, class or
 * alternation.  A leading (?i) makes it caseless, written in lower case.
 * Writes it into out (size n, NUL-terminated, cut to fit) and sets
 * *caseless.  Returns its length, or 0 when the expression has no such
 * run.  It also returns 0 for syntax the analysis does not read: top-level
 * alternation, \Q, verbs, option settings, POSIX classes, counted repeats
 * and most escapes.  A row whose expression yields 0 always runs.
 */
size_t patterns_required_literal(const char *regex, char *out, size_t n,
                                 bool *caseless);

/*
 * Writes the command line of exec into buf (size n, NUL-terminated): the
 * argv elements joined by spaces, else EVENT_CMDLINE, else EVENT_EXE.
 * Up to PATTERNS_PAD bytes after the NUL are zeroed too.
 * Returns the length, and sets *cut when the text did not fit.
 */
size_t patterns_command_text(const struct event *exec, char *buf, size_t n,
                             bool *cut);

#endif
