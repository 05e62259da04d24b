/* Placeholder for the eslogger format: it recognises nothing yet. */
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
    static int unused;

    (void)opts;
    return &unused;
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
    *reason = "format not implemented";
    return PARSE_MALFORMED;
}

const struct format_ops eslogger_format = {
    .name = "eslogger",
    .description = "macOS Endpoint Security eslogger exec events (JSON)",
    .platform = "macos",
    .probe = probe,
    .open = open_state,
    .close = close_state,
    .feed = feed,
};
