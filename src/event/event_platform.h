/*
 * The platform an event's host runs: "linux", "macos" or "esxi", the names
 * of format_ops.platform.  A format tied to one platform (the macOS
 * unified log, ESXi logs) implies it.  A format read on several platforms
 * (osquery) sets EVENT_PLATFORM on the events whose record shows the
 * platform, and leaves it absent when the record does not.
 */
#ifndef SSHTRAIL_EVENT_PLATFORM_H
#define SSHTRAIL_EVENT_PLATFORM_H

#include "event/event.h"

/*
 * Returns the static platform name that ev's EVENT_PLATFORM field gives,
 * or NULL when the field is absent or names no known platform.
 */
const char *event_platform_hint(const struct event *ev);

/*
 * Returns the platform of ev's host: its EVENT_PLATFORM hint, else the
 * platform of the format that parsed it, else "linux".  The string is
 * static.
 */
const char *event_platform(const struct event *ev);

#endif
