/*
 * An SSH session as the correlator rebuilds it: one successful login on a
 * host, merged across every source that described it, with the executions
 * linked to it and a short timeline of what happened.
 *
 * The correlator owns sessions until it hands a finished one to its sink;
 * the sink borrows it for the duration of the call.
 */
#ifndef SSHTRAIL_SESSION_H
#define SSHTRAIL_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "event/event.h"

/* Maximum executions kept per session; more are counted, not stored. */
#define SESSION_MAX_EXECS 512
/* Maximum timeline entries kept per session. */
#define SESSION_MAX_TIMELINE 32

/* Linkage method of an execution to its session, strongest first. */
enum linkage {
    LINK_AUDIT_SESSION,     /* same host and audit session id (ses) */
    LINK_PROCESS_TREE,      /* parent chain reaches the session's process */
    LINK_WORLD_ID,          /* ESXi: shell world id is the login's world */
    LINK_ESXI_SHELL,        /* ESXi: first shell world of the user in the
                               session claims the world */
    LINK_TIME_WINDOW,       /* same host and user, within the window */
    LINK_COUNT
};

/* Sources that contributed to a session, as bits. */
enum session_source {
    SESSION_SRC_SSHD = 1u << 0,
    SESSION_SRC_AUDIT = 1u << 1,
    SESSION_SRC_NETWORK = 1u << 2,      /* a network sensor saw it */
    SESSION_SRC_OTHER = 1u << 3         /* another host source (wtmp...) */
};

struct session_exec {
    const struct event *ev;     /* a packed record the session frees */
    enum linkage linkage;
};

/* A process key (tag and pid) the session owns in the correlator's table. */
struct session_proc {
    int64_t pid;
    char tag;
};

struct session_mark {
    struct event_time time;
    enum event_kind kind;
    const char *format;
    uint64_t line;
};

struct session {
    uint64_t seq;               /* creation order, breaks ties in output */
    struct event ev;            /* login facts: host, user, src, method... */
    struct event_time start;
    struct event_time end;
    struct event_time last_activity;
    bool has_end;
    bool login_seen;            /* false: built from executions alone */
    bool has_ses;
    int64_t ses;
    bool has_pid;
    int64_t sshd_pid;
    unsigned sources;           /* enum session_source bits */
    /* Platform of the host (linux, macos or esxi), a static string.  It
     * is the first EVENT_PLATFORM hint of the opening event, the login
     * records or the linked executions, else the opening event's format
     * platform. */
    const char *platform;
    bool platform_hinted;       /* platform came from a hint */

    /* Failed attempts from the same source before this login. */
    uint64_t failures_before;
    uint64_t invalid_users_before;
    struct event_time first_failure;

    struct session_exec *execs;
    uint32_t nexecs;
    uint32_t execs_cap;
    uint64_t execs_dropped;
    uint64_t execs_failed;      /* execve calls that failed, not listed */

    struct session_mark timeline[SESSION_MAX_TIMELINE];
    uint32_t ntimeline;
    uint64_t timeline_dropped;

    bool ssh_enabled_before;    /* SSH was switched on before the login */

    /* Clock offset measurement between sshd and audit records. */
    int64_t sshd_open_ms, audit_open_ms;
    bool has_sshd_open, has_audit_open, skew_counted;

    /* Correlator bookkeeping. */
    struct session *prev_open, *next_open;
    uint32_t ended_pos;         /* 1 + place in the ended heap, 0: absent */
    struct session_proc *procs; /* removed from the table when it ends */
    uint32_t nprocs;
    uint32_t procs_cap;
    bool procs_unlisted;        /* true: a key on this host is not in procs */
    bool finalized;
};

const char *linkage_name(enum linkage l);

/*
 * Records the platform ev shows in s: the opening event's platform when s
 * has none yet, and the first EVENT_PLATFORM hint of any later event
 * unless an earlier hint set it.
 */
void session_note_platform(struct session *s, const struct event *ev);

/*
 * Returns the platform of s ("linux", "macos" or "esxi"), for sessions
 * the correlator did not build too: without a recorded platform it is
 * the platform of the login event s->ev.
 */
const char *session_platform(const struct session *s);

#endif
