/*
 * The normalized event: what every format parser produces and what the
 * correlator, scorer and writers consume.
 *
 * An event owns its strings in one growable byte arena, so copying an event
 * is two allocations whatever its shape.  Each string field and each argv
 * element is an (offset, length) reference into that arena.  A field the
 * source did not carry is absent, which differs from present and empty.
 * Every limit below is a hard maximum: bytes past it are dropped and the
 * event is marked truncated, so a hostile line cannot grow an event without
 * bound.
 */
#ifndef SSHTRAIL_EVENT_H
#define SSHTRAIL_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/sv.h"

/*
 * Maximum bytes of string data (string fields and argv) one event stores.
 * An event that fits is stored whole.  Past the maximum, a string field
 * set by event_set_str takes bytes from the end of the longest value
 * stored before it, a string field or an argv element.  That value keeps
 * at least as many bytes as the new field gets.  So one oversized value
 * cannot leave the fields set after it empty: a 1 MB user name followed
 * by an address keeps the whole address and loses the user name's tail.
 * Argument bytes that do not fit are dropped without taking any.  Either
 * way the event is marked truncated.
 */
#define EVENT_MAX_BYTES (256u * 1024u)
/* Maximum argv elements one event stores. */
#define EVENT_MAX_ARGS 4096u

enum event_kind {
    EVENT_AUTH_SUCCESS,     /* sshd "Accepted", audit USER_AUTH res=success */
    EVENT_AUTH_FAILURE,     /* "Failed", pam auth failure, USER_AUTH failed */
    EVENT_INVALID_USER,     /* "Invalid user U from A port P" */
    EVENT_PREAUTH_CLOSE,    /* connection closed or reset before auth */
    EVENT_SESSION_OPEN,     /* pam_unix session opened, audit USER_START */
    EVENT_SESSION_CLOSE,    /* pam_unix session closed, audit USER_END */
    EVENT_DISCONNECT,       /* "Disconnected from user", "Received disconnect" */
    EVENT_EXEC,             /* a process execution (audit execve) */
    EVENT_MAX_AUTH,         /* "maximum authentication attempts exceeded" */
    EVENT_SESSION_START,    /* VERBOSE "Starting session: shell on pts/0" */
    EVENT_LOGIN_ASSIGN,     /* audit LOGIN: auid and ses assigned to a pid */
    EVENT_USER_LOGIN,       /* audit USER_LOGIN res=success */
    EVENT_USER_LOGOUT,      /* audit USER_LOGOUT */
    EVENT_ACCT_CHECK,       /* audit USER_ACCT */
    EVENT_CRED_ACQUIRE,     /* audit CRED_ACQ */
    EVENT_CRED_DISPOSE,     /* audit CRED_DISP */
    EVENT_CONNECTION,       /* "Connection from A port P on L port Q" */
    EVENT_USER_CHILD,       /* VERBOSE "User child is on pid N" */
    EVENT_NET_SSH,          /* a network sensor saw an SSH connection */
    EVENT_SSH_ENABLED,      /* SSH service switched on (ESXi TSM-SSH) */
    EVENT_SSH_DISABLED,     /* SSH service switched off */
    EVENT_OTHER_LOGIN,      /* a login that is not SSH (ESXi hostd, web UI) */
    EVENT_BOOT,             /* system boot (wtmp BOOT_TIME) */
    EVENT_RUNLEVEL,         /* run level change (wtmp RUN_LVL) */
    EVENT_KIND_COUNT
};

/* String fields.  Names are the JSON keys `sshtrail events` writes. */
enum event_str {
    EVENT_HOST,
    EVENT_USER,
    EVENT_SRC_IP,           /* canonical text form, or a host name as logged */
    EVENT_AUTH_METHOD,      /* publickey, password, keyboard-interactive/pam */
    EVENT_KEY_TYPE,         /* RSA, ED25519, ... */
    EVENT_KEY_FP,           /* SHA256:... or MD5 colon form */
    EVENT_EXE,
    EVENT_CWD,
    EVENT_TTY,              /* pts/0, or audit terminal= value */
    EVENT_PROGRAM,          /* sshd, sshd-session, sshd-auth, or the exe */
    EVENT_SESSION_TYPE,     /* shell, command, subsystem */
    EVENT_DETAIL,           /* free text: disconnect reason, subsystem name */
    EVENT_CMDLINE,          /* a command line logged as one string */
    EVENT_PARENT_EXE,       /* executable of the parent process */
    EVENT_DST_IP,           /* destination address (network sensors) */
    EVENT_LOGON_ID,         /* a sensor's logon or session id, as text */
    EVENT_PLATFORM,         /* the host's platform when the record shows it:
                               linux, macos or esxi (see event_platform.h) */
    EVENT_STR_COUNT
};

/* Numeric fields, written as JSON numbers. */
enum event_num {
    EVENT_UID,
    EVENT_EUID,
    EVENT_PID,
    EVENT_PPID,
    EVENT_SRC_PORT,
    EVENT_SES,
    EVENT_AUID,
    EVENT_SERIAL,           /* audit record serial number */
    EVENT_CHILD_PID,        /* sshd's per-user child, parent of the shell */
    EVENT_DST_PORT,         /* destination port (network sensors) */
    EVENT_NUM_COUNT
};

enum event_result {
    EVENT_RESULT_NONE,
    EVENT_RESULT_SUCCESS,
    EVENT_RESULT_FAILURE
};

/* The audit value meaning "no login uid" or "no session": 4294967295. */
#define EVENT_AUDIT_UNSET 4294967295LL

/* Event times cover the years 1 to 9999 (UTC), so differences of times in
 * milliseconds cannot overflow. */
#define EVENT_TIME_MIN_SEC (-62135596800LL)
#define EVENT_TIME_MAX_SEC 253402300799LL

/*
 * Event time: seconds since the epoch in UTC plus nanoseconds.  digits is
 * the count of fraction digits the source wrote (0 to 9), kept so output
 * repeats the precision the log had.
 */
struct event_time {
    int64_t sec;
    int32_t nsec;
    int8_t digits;
};

/* Source location of an event.  format and file are borrowed for the run. */
struct event_origin {
    const char *format;
    const char *file;       /* "-" for standard input */
    uint64_t line;          /* line of the first record of the event */
};

struct event_ref {
    uint32_t off;
    uint32_t len;
};

struct event {
    enum event_kind kind;
    enum event_result result;
    struct event_time time;
    struct event_origin origin;
    bool truncated;         /* some bytes or args were dropped at a limit */

    uint32_t num_set;       /* bit i set when num[i] is present */
    int64_t num[EVENT_NUM_COUNT];

    uint32_t str_set;       /* bit i set when str[i] is present */
    struct event_ref str[EVENT_STR_COUNT];
    struct event_ref *argv;
    uint32_t argc;
    uint32_t argv_cap;

    char *bytes;
    uint32_t used;
    uint32_t cap;
};

/*
 * The fields a receiver of events reads, so that formats and the pipeline
 * may leave the rest out.  Bit k of a mask stands for event kind k.
 */
struct event_needs {
    /* Kinds read only for their kind, result, time and origin. */
    uint64_t time_only;
    /* Kinds read only for those and their host, program and source
     * address (EVENT_SRC_IP). */
    uint64_t source_only;
};

void event_init(struct event *ev);
void event_fini(struct event *ev);

/*
 * Clears all fields and keeps the allocated storage for reuse.  Parsers
 * call it for every event they build, so it is inline.
 */
static inline void
event_reset(struct event *ev)
{
    ev->kind = EVENT_EXEC;
    ev->result = EVENT_RESULT_NONE;
    ev->time = (struct event_time){ 0, 0, 0 };
    ev->origin = (struct event_origin){ NULL, NULL, 0 };
    ev->truncated = false;
    ev->num_set = 0;
    ev->str_set = 0;
    ev->argc = 0;
    ev->used = 0;
}

/*
 * Makes dst an independent copy of src.  dst must be initialised; its old
 * contents are replaced.  Returns 0, or -1 when memory runs out (dst is then
 * reset).
 */
int event_copy(struct event *dst, const struct event *src);

/*
 * A packed event: the event's fields and bytes in one flat record, for
 * queues that hold many events in contiguous memory.  A record is a struct
 * event whose argv and bytes point into the record itself, followed by the
 * argv references and the bytes, so a record reads as an event in place
 * and packing is block copies.  Records are aligned to 8 bytes.
 *
 * event_pack_size returns the bytes event_pack writes for ev, with host
 * (when host.p is not NULL) stored as EVENT_HOST in place of ev's own.
 * event_pack writes the record to out, which has that many bytes and is
 * 8-byte aligned, and returns the record's event.  Pass that event only as
 * a const event, never to event_fini, event_reset or the setters, which
 * would free or write the record, and use it only while the record stays
 * where it was written.
 *
 * event_unpack fills ev from a record (ev keeps its storage; the origin's
 * strings are shared, as in event_copy).  Returns 0, or -1 when memory
 * runs out (ev is then reset).
 */
static inline size_t
event_pack_size(const struct event *ev, struct sv host)
{
    size_t size = sizeof(struct event) +
                  ev->argc * sizeof(struct event_ref) + ev->used +
                  (host.p != NULL ? host.len : 0);

    return (size + 7) & ~(size_t)7;
}

const struct event *event_pack(const struct event *ev, struct sv host,
                               void *out);
int event_unpack(struct event *ev, const struct event *rec);

/* Returns a packed copy of ev in an allocation of its own, which the caller
 * frees with free(), or NULL when memory runs out. */
const struct event *event_pack_new(const struct event *ev);

/*
 * event_set_str's path for values that do not fit the arena as it is: it
 * grows the arena, or shares the bytes below EVENT_MAX_BYTES as described
 * there and marks the event truncated.  Call event_set_str instead.
 */
void event_set_str_grow(struct event *ev, enum event_str f, struct sv value);

/*
 * Stores a copy of value as field f, replacing any earlier value.  Past
 * EVENT_MAX_BYTES, value and the longest value stored before it are cut
 * (see EVENT_MAX_BYTES) and the event is marked truncated.  A value copied
 * from a field of the same event is only cut, never takes bytes.  Parsers
 * call it for every field, so the common case, a value that fits the arena
 * as it is, is written here and the rest goes to event_set_str_grow.
 */
static inline void
event_set_str(struct event *ev, enum event_str f, struct sv value)
{
    if (value.len > ev->cap - ev->used ||
        value.len > EVENT_MAX_BYTES - ev->used) {
        event_set_str_grow(ev, f, value);
        return;
    }
    ev->str[f].off = ev->used;
    ev->str[f].len = (uint32_t)value.len;
    size_t len = value.len;
    /* Most values are short: two overlapping fixed-size copies cost less
     * than a call.  An empty value may come with no arena at all. */
    if (len >= 8 && len <= 16) {
        char *dest = ev->bytes + ev->used;
        memcpy(dest, value.p, 8);
        memcpy(dest + len - 8, value.p + len - 8, 8);
    } else if (len >= 4 && len < 8) {
        char *dest = ev->bytes + ev->used;
        memcpy(dest, value.p, 4);
        memcpy(dest + len - 4, value.p + len - 4, 4);
    } else if (len > 0) {
        memcpy(ev->bytes + ev->used, value.p, len);
    }
    ev->used += (uint32_t)value.len;
    ev->str_set |= 1u << f;
}

static inline bool
event_has_str(const struct event *ev, enum event_str f)
{
    return (ev->str_set >> f) & 1u;
}

/* Returns the field's bytes, or SV_NULL when absent. */
static inline struct sv
event_str(const struct event *ev, enum event_str f)
{
    if (!((ev->str_set >> f) & 1u)) {
        return SV_NULL;
    }
    /* A present empty value must still compare unequal to SV_NULL. */
    if (ev->str[f].len == 0) {
        return sv_make("", 0);
    }
    return sv_make(ev->bytes + ev->str[f].off, ev->str[f].len);
}

static inline void
event_set_num(struct event *ev, enum event_num f, int64_t value)
{
    ev->num[f] = value;
    ev->num_set |= 1u << f;
}

static inline bool
event_has_num(const struct event *ev, enum event_num f)
{
    return (ev->num_set >> f) & 1u;
}

/* Returns the field's value, or def when absent. */
static inline int64_t
event_num(const struct event *ev, enum event_num f, int64_t def)
{
    return event_has_num(ev, f) ? ev->num[f] : def;
}

static inline void
event_clear_num(struct event *ev, enum event_num f)
{
    ev->num_set &= ~(1u << f);
}

/* Appends one argv element; past EVENT_MAX_ARGS it marks truncation. */
void event_add_arg(struct event *ev, struct sv arg);
struct sv event_arg(const struct event *ev, uint32_t i);
/*
 * Appends bytes to the last argv element, for arguments that arrive in
 * chunks.  Adds a first, empty element when there is none.
 */
void event_append_arg(struct event *ev, struct sv more);

/* Returns the JSON name of a kind ("auth_success") or of a field. */
const char *event_kind_name(enum event_kind k);
const char *event_str_name(enum event_str f);
const char *event_num_name(enum event_num f);
/* Returns the kind whose name is name, or -1. */
int event_kind_from_name(struct sv name);

/* Orders two times: negative, zero or positive like strcmp. */
static inline int
event_time_cmp(const struct event_time *a, const struct event_time *b)
{
    if (a->sec != b->sec) {
        return a->sec < b->sec ? -1 : 1;
    }
    if (a->nsec != b->nsec) {
        return a->nsec < b->nsec ? -1 : 1;
    }
    return 0;
}

/* Returns t in milliseconds since the epoch, the fraction truncated. */
static inline int64_t
event_time_ms(const struct event_time *t)
{
    return t->sec * 1000 + t->nsec / 1000000;
}

#endif
