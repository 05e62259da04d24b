/*
 * Unit tests for platforms: an event's platform from its hint or its
 * format, the session's platform as the correlator records it, and the
 * analytic a finding names for it.
 */
#include <stdlib.h>

#include "correlate/session.h"
#include "event/event_platform.h"
#include "output/output.h"

#include "tcheck.h"

static void
event_with(struct event *ev, const char *format, const char *hint)
{
    event_reset(ev);
    ev->origin.format = format;
    if (hint != NULL) {
        event_set_str(ev, EVENT_PLATFORM, sv_cstr(hint));
    }
}

static void
event_platform_hint_and_format(void)
{
    struct event ev;

    event_init(&ev);
    event_with(&ev, "osquery", NULL);
    CHECK_STR(event_platform(&ev), "linux");
    CHECK(event_platform_hint(&ev) == NULL);
    event_with(&ev, "osquery", "macos");
    CHECK_STR(event_platform(&ev), "macos");
    CHECK_STR(event_platform_hint(&ev), "macos");
    event_with(&ev, "macos-log", NULL);
    CHECK_STR(event_platform(&ev), "macos");
    event_with(&ev, "esxi", NULL);
    CHECK_STR(event_platform(&ev), "esxi");
    event_with(&ev, NULL, NULL);
    CHECK_STR(event_platform(&ev), "linux");
    /* An unknown hint is ignored, so the format decides. */
    event_with(&ev, "esxi", "windows");
    CHECK(event_platform_hint(&ev) == NULL);
    CHECK_STR(event_platform(&ev), "esxi");
    event_fini(&ev);
}

/* The opening event sets the platform; only a hint overrides it later. */
static void
session_platform_first_hint_wins(void)
{
    struct session s;
    struct event ev;

    memset(&s, 0, sizeof(s));
    event_init(&s.ev);
    event_init(&ev);

    event_with(&ev, "osquery", NULL);
    session_note_platform(&s, &ev);
    CHECK_STR(session_platform(&s), "linux");
    CHECK(!s.platform_hinted);

    event_with(&ev, "macos-log", NULL);
    session_note_platform(&s, &ev);
    CHECK_STR(session_platform(&s), "linux");

    event_with(&ev, "osquery", "macos");
    session_note_platform(&s, &ev);
    CHECK_STR(session_platform(&s), "macos");
    CHECK(s.platform_hinted);

    event_with(&ev, "osquery", "linux");
    session_note_platform(&s, &ev);
    CHECK_STR(session_platform(&s), "macos");

    event_fini(&ev);
    event_fini(&s.ev);
}

/* A session built without the correlator takes its login's platform. */
static void
session_platform_without_record(void)
{
    struct session s;

    memset(&s, 0, sizeof(s));
    event_init(&s.ev);
    event_with(&s.ev, "macos-log", NULL);
    CHECK_STR(session_platform(&s), "macos");
    event_with(&s.ev, "osquery", "macos");
    CHECK_STR(session_platform(&s), "macos");
    event_with(&s.ev, "sshd", NULL);
    CHECK_STR(session_platform(&s), "linux");
    event_fini(&s.ev);
}

static void
analytic_per_platform(void)
{
    CHECK_STR(output_analytic_uid("linux"), "AN1638");
    CHECK_STR(output_analytic_uid("macos"), "AN1639");
    CHECK_STR(output_analytic_uid("esxi"), "AN1640");
    CHECK_STR(output_analytic_uid(NULL), "AN1638");
    CHECK_STR(output_analytic_uid("windows"), "AN1638");
}

int
main(void)
{
    TEST_RUN("platform", event_platform_hint_and_format);
    TEST_RUN("platform", session_platform_first_hint_wins);
    TEST_RUN("platform", session_platform_without_record);
    TEST_RUN("platform", analytic_per_platform);
    TEST_EXIT();
}
