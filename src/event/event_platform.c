/*
 * Platform of an event's host, from the event's own hint or its format.
 * This file only names platforms; what differs per platform (the
 * analytic, the window, the account lists) is decided by the callers.
 */
#include "event/event_platform.h"

#include <stddef.h>

#include "formats/format.h"

static const char *const platforms[] = { "linux", "macos", "esxi" };

const char *
event_platform_hint(const struct event *ev)
{
    struct sv hint = event_str(ev, EVENT_PLATFORM);

    if (hint.p == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++) {
        if (sv_eq_cstr(hint, platforms[i])) {
            return platforms[i];
        }
    }
    return NULL;
}

const char *
event_platform(const struct event *ev)
{
    const char *hint = event_platform_hint(ev);

    if (hint != NULL) {
        return hint;
    }
    const struct format_ops *f =
        ev->origin.format != NULL ? format_find(ev->origin.format) : NULL;
    return f != NULL && f->platform != NULL ? f->platform : "linux";
}
