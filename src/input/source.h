/*
 * One input (a file or standard input) read through its format parser, with
 * a reorder buffer that releases events in time order once they are older
 * than the newest event seen by more than the tolerance.
 *
 * The format is chosen per input: forced by the caller, or detected from the
 * first lines.  Host names are canonicalised here (lower case, short name,
 * the default host when the input names none), so every later stage gets
 * one spelling per host.
 */
#ifndef SSHTRAIL_SOURCE_H
#define SSHTRAIL_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/diag.h"
#include "event/event.h"
#include "formats/format.h"

/* Events one input may hold back for reordering; more are released early. */
#define SOURCE_MAX_PENDING 65536u

struct source_pool;

struct source_opts {
    const struct format_ops *format;    /* NULL: detect from content */
    struct format_opts fmt;             /* ref_time and year set per input */
    int64_t tolerance_ms;               /* 0 keeps the input's own order */
    /*
     * The fields the caller reads (see correlator_needs).  Formats may
     * leave the others out, and an event of a time_only kind is held
     * without its fields, which saves packing and memory, and comes out
     * with origin line 0.  All zero keeps every field of every event.
     */
    struct event_needs needs;
    int64_t now;                        /* the run's start, for stdin */
    struct diag *diag;
    /*
     * When set, a worker thread of this pool reads and parses the input,
     * so the inputs use several cores.  Events come out exactly as
     * without it.
     */
    struct source_pool *pool;
    /*
     * Replaces the built-in host canonicalisation (source_canonical_host)
     * when set, such as with the configuration's host aliases.  It must
     * write at most cap bytes to out and return the length, and may be
     * called from worker threads, so it must only read shared data.
     */
    size_t (*canonical_host)(const void *arg, struct sv given, char *out,
                             size_t cap);
    const void *canonical_arg;
};

struct source_stats {
    uint64_t lines;
    uint64_t bytes;
    uint64_t events;
    uint64_t malformed;
    uint64_t skipped;
    uint64_t early_releases;            /* reorder buffer was full */
    uint64_t lost;                      /* events dropped, out of memory */
};

struct source;

/*
 * Makes a pool of reading threads for inputs opened with it (opts.pool);
 * the inputs are shared among the workers in turn.  The threads start when
 * the first event is asked for, so open every input before that.  Free the
 * pool after its inputs.  Returns NULL when out of memory.
 */
struct source_pool *source_pool_new(unsigned workers);
void source_pool_free(struct source_pool *p);

/*
 * Opens path ("-" for standard input) and detects its format.  Returns NULL
 * with a message in err when the input cannot be opened or no format fits.
 */
struct source *source_open(const char *path, const struct source_opts *opts,
                           char *err, size_t errlen);
void source_free(struct source *s);

/* Supplies lines from somewhere other than a file (a journal reader). */
struct line_provider {
    /* Returns 1 and sets *line (valid until the next call), 0 at the end,
     * or -1 after writing an error message into err. */
    int (*next)(void *arg, struct sv *line, char *err, size_t errlen);
    void (*close)(void *arg);
    void *arg;
};

/*
 * Opens an input whose lines come from provider, parsed by opts->format
 * (which must be set).  The source closes the provider when freed, also
 * when opening fails.  Returns NULL with a message in err.
 */
struct source *source_open_provider(const char *name,
                                    const struct line_provider *provider,
                                    const struct source_opts *opts,
                                    char *err, size_t errlen);

/*
 * Makes the next event available.  Returns 1 and sets *ev (valid until
 * source_pop), or 0 when the input is exhausted.  A read error ends the
 * input early; source_error then returns its message.  With threaded
 * reading, source_error and source_stats are complete once source_peek has
 * returned 0, and the counts of unused lines reach opts->diag then.
 */
int source_peek(struct source *s, const struct event **ev);
void source_pop(struct source *s);

/* Returns the message of a read error that ended the input, or NULL. */
const char *source_error(const struct source *s);

const char *source_name(const struct source *s);
const char *source_format(const struct source *s);
const struct source_stats *source_stats(const struct source *s);

/* Lower-cases a host name and cuts it to its first label unless it is an
 * IP address.  Writes at most cap bytes to out; returns the length. */
size_t source_canonical_host(struct sv host, char *out, size_t cap);

#endif
