/*
 * The platform of a session's host, which names the DET0596 analytic of
 * its finding and selects the per-platform settings.  A hint carried by
 * any of the session's events outranks the platform of the formats, so
 * osquery rows from a macOS host give a macOS session although osquery is
 * registered as a Linux format.
 */
#include "correlate/session.h"

#include "event/event_platform.h"

void
session_note_platform(struct session *s, const struct event *ev)
{
    const char *hint = event_platform_hint(ev);

    if (hint != NULL && !s->platform_hinted) {
        s->platform = hint;
        s->platform_hinted = true;
        return;
    }
    if (s->platform == NULL) {
        s->platform = event_platform(ev);
    }
}

const char *
session_platform(const struct session *s)
{
    return s->platform != NULL ? s->platform : event_platform(&s->ev);
}
