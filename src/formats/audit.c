/* Placeholder: the audit parser is being written. */
#include "formats/format.h"

static int
probe(struct sv line)
{
    (void)line;
    return 0;
}

static void *
open_state(const struct format_opts *opts)
{
    (void)opts;
    static int dummy;
    return &dummy;
}

static void
close_state(void *state)
{
    (void)state;
}

static enum parse_status
feed(void *state, struct sv line, const struct event_origin *origin,
     const struct event_sink *sink, const char **reason)
{
    *reason = "not implemented";
    return PARSE_MALFORMED;
}

const struct format_ops audit_format = {
    .name = "audit",
    .description = "placeholder",
    .probe = probe,
    .open = open_state,
    .close = close_state,
    .feed = feed,
    .flush = NULL,
};
