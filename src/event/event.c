/*
 * The normalized event's storage: an arena of bytes with references into it.
 * Nothing here interprets field values; parsers decide what they mean.
 */
#include "event/event.h"

#include <stddef.h>
#include <stdlib.h>


static const char *const kind_names[EVENT_KIND_COUNT] = {
    [EVENT_AUTH_SUCCESS] = "auth_success",
    [EVENT_AUTH_FAILURE] = "auth_failure",
    [EVENT_INVALID_USER] = "invalid_user",
    [EVENT_PREAUTH_CLOSE] = "preauth_close",
    [EVENT_SESSION_OPEN] = "session_open",
    [EVENT_SESSION_CLOSE] = "session_close",
    [EVENT_DISCONNECT] = "disconnect",
    [EVENT_EXEC] = "exec",
    [EVENT_MAX_AUTH] = "max_auth_attempts",
    [EVENT_SESSION_START] = "session_start",
    [EVENT_LOGIN_ASSIGN] = "login_assign",
    [EVENT_USER_LOGIN] = "user_login",
    [EVENT_USER_LOGOUT] = "user_logout",
    [EVENT_ACCT_CHECK] = "account_check",
    [EVENT_CRED_ACQUIRE] = "cred_acquire",
    [EVENT_CRED_DISPOSE] = "cred_dispose",
    [EVENT_CONNECTION] = "connection",
    [EVENT_USER_CHILD] = "user_child",
    [EVENT_NET_SSH] = "net_ssh",
    [EVENT_SSH_ENABLED] = "ssh_enabled",
    [EVENT_SSH_DISABLED] = "ssh_disabled",
    [EVENT_OTHER_LOGIN] = "other_login",
    [EVENT_BOOT] = "boot",
    [EVENT_RUNLEVEL] = "runlevel",
};

static const char *const str_names[EVENT_STR_COUNT] = {
    [EVENT_HOST] = "host",
    [EVENT_USER] = "user",
    [EVENT_SRC_IP] = "src_ip",
    [EVENT_AUTH_METHOD] = "auth_method",
    [EVENT_KEY_TYPE] = "key_type",
    [EVENT_KEY_FP] = "key_fingerprint",
    [EVENT_EXE] = "exe",
    [EVENT_CWD] = "cwd",
    [EVENT_TTY] = "tty",
    [EVENT_PROGRAM] = "program",
    [EVENT_SESSION_TYPE] = "session_type",
    [EVENT_DETAIL] = "detail",
    [EVENT_CMDLINE] = "cmd_line",
    [EVENT_PARENT_EXE] = "parent_exe",
    [EVENT_DST_IP] = "dst_ip",
    [EVENT_LOGON_ID] = "logon_id",
    [EVENT_PLATFORM] = "platform",
};

static const char *const num_names[EVENT_NUM_COUNT] = {
    [EVENT_UID] = "uid",
    [EVENT_EUID] = "euid",
    [EVENT_PID] = "pid",
    [EVENT_PPID] = "ppid",
    [EVENT_SRC_PORT] = "src_port",
    [EVENT_SES] = "ses",
    [EVENT_AUID] = "auid",
    [EVENT_SERIAL] = "serial",
    [EVENT_CHILD_PID] = "child_pid",
    [EVENT_DST_PORT] = "dst_port",
};

const char *
event_kind_name(enum event_kind k)
{
    return (unsigned)k < EVENT_KIND_COUNT ? kind_names[k] : "unknown";
}

const char *
event_str_name(enum event_str f)
{
    return str_names[f];
}

const char *
event_num_name(enum event_num f)
{
    return num_names[f];
}

int
event_kind_from_name(struct sv name)
{
    for (int k = 0; k < EVENT_KIND_COUNT; k++) {
        if (sv_eq_cstr(name, kind_names[k])) {
            return k;
        }
    }
    return -1;
}


void
event_init(struct event *ev)
{
    ev->argv = NULL;
    ev->argv_cap = 0;
    ev->bytes = NULL;
    ev->cap = 0;
    event_reset(ev);
}

void
event_fini(struct event *ev)
{
    free(ev->argv);
    free(ev->bytes);
    event_init(ev);
}

/* Grows the arena to hold need more bytes; returns how many fit. */
static uint32_t
reserve_bytes(struct event *ev, size_t need)
{
    size_t room = EVENT_MAX_BYTES - ev->used;

    if (need > room) {
        need = room;
        ev->truncated = true;
    }
    if (ev->used + need > ev->cap) {
        size_t cap = ev->cap ? ev->cap : 256;
        while (cap < ev->used + need) {
            cap *= 2;
        }
        if (cap > EVENT_MAX_BYTES) {
            cap = EVENT_MAX_BYTES;
        }
        char *grown = realloc(ev->bytes, cap);
        if (grown == NULL) {
            ev->truncated = true;
            return 0;
        }
        ev->bytes = grown;
        ev->cap = (uint32_t)cap;
    }
    return (uint32_t)need;
}

static struct event_ref
store_bytes(struct event *ev, struct sv value)
{
    struct event_ref ref;

    /* Most values fit the arena as it is, which then does not move. */
    if (value.len <= ev->cap - ev->used &&
        value.len <= EVENT_MAX_BYTES - ev->used) {
        ref.off = ev->used;
        ref.len = (uint32_t)value.len;
        if (value.len > 0) {
            memcpy(ev->bytes + ev->used, value.p, value.len);
        }
        ev->used += ref.len;
        return ref;
    }

    /* A value copied from another field of the same event points into the
     * arena, which reserve_bytes may move: keep its offset instead. */
    bool inside = ev->bytes != NULL && value.p >= ev->bytes &&
                  value.p < ev->bytes + ev->used;
    size_t inside_off = inside ? (size_t)(value.p - ev->bytes) : 0;
    uint32_t n = reserve_bytes(ev, value.len);

    if (inside) {
        value.p = ev->bytes + inside_off;
    }

    ref.off = ev->used;
    ref.len = n;
    if (n) {
        memcpy(ev->bytes + ev->used, value.p, n);
    }
    ev->used += n;
    return ref;
}

/* Returns the longest stored value, string field or argv element, or NULL
 * when the event stores none. */
static struct event_ref *
longest_value(struct event *ev)
{
    struct event_ref *longest = NULL;

    for (int f = 0; f < EVENT_STR_COUNT; f++) {
        if (event_has_str(ev, f) &&
            (longest == NULL || ev->str[f].len > longest->len)) {
            longest = &ev->str[f];
        }
    }
    for (uint32_t i = 0; i < ev->argc; i++) {
        if (longest == NULL || ev->argv[i].len > longest->len) {
            longest = &ev->argv[i];
        }
    }
    return longest;
}

/* Drops the last n bytes of value r and moves the bytes after it down. */
static void
cut_value(struct event *ev, struct event_ref *r, uint32_t n)
{
    uint32_t end = r->off + r->len;

    memmove(ev->bytes + end - n, ev->bytes + end, ev->used - end);
    for (int f = 0; f < EVENT_STR_COUNT; f++) {
        if (event_has_str(ev, f) && ev->str[f].off >= end) {
            ev->str[f].off -= n;
        }
    }
    for (uint32_t i = 0; i < ev->argc; i++) {
        if (ev->argv[i].off >= end) {
            ev->argv[i].off -= n;
        }
    }
    r->len -= n;
    ev->used -= n;
    ev->truncated = true;
}

/*
 * Makes room below EVENT_MAX_BYTES for a string value of len bytes by
 * cutting the longest stored value, which keeps at least as many bytes as
 * the new value then gets (the rule in event.h).
 */
static void
share_bytes(struct event *ev, size_t len)
{
    size_t room = EVENT_MAX_BYTES - ev->used;

    if (len <= room) {
        return;
    }
    struct event_ref *donor = longest_value(ev);
    if (donor == NULL || donor->len <= room) {
        return;
    }
    size_t give = (donor->len - room) / 2;
    if (give > len - room) {
        give = len - room;
    }
    if (give > 0) {
        cut_value(ev, donor, (uint32_t)give);
    }
}

void
event_set_str_grow(struct event *ev, enum event_str f, struct sv value)
{
    /* A value copied from a field of this event would move with the cut,
     * so it is stored as it fits. */
    bool inside = ev->bytes != NULL && value.p >= ev->bytes &&
                  value.p < ev->bytes + ev->used;

    ev->str_set &= ~(1u << f);
    if (!inside) {
        share_bytes(ev, value.len);
    }
    ev->str[f] = store_bytes(ev, value);
    ev->str_set |= 1u << f;
}

static bool
grow_argv(struct event *ev)
{
    if (ev->argc < ev->argv_cap) {
        return true;
    }
    uint32_t cap = ev->argv_cap ? ev->argv_cap * 2 : 8;
    if (cap > EVENT_MAX_ARGS) {
        cap = EVENT_MAX_ARGS;
    }
    if (cap <= ev->argc) {
        ev->truncated = true;
        return false;
    }
    struct event_ref *grown = realloc(ev->argv, cap * sizeof(*grown));
    if (grown == NULL) {
        ev->truncated = true;
        return false;
    }
    ev->argv = grown;
    ev->argv_cap = cap;
    return true;
}

void
event_add_arg(struct event *ev, struct sv arg)
{
    if (!grow_argv(ev)) {
        return;
    }
    ev->argv[ev->argc++] = store_bytes(ev, arg);
}

void
event_append_arg(struct event *ev, struct sv more)
{
    if (ev->argc == 0) {
        event_add_arg(ev, more);
        return;
    }

    struct event_ref *last = &ev->argv[ev->argc - 1];

    /* Chunks extend in place only while the element ends the arena.  An
     * element that cannot move whole keeps its bytes and drops the chunk. */
    if (last->off + last->len != ev->used) {
        if (last->len > EVENT_MAX_BYTES - ev->used) {
            ev->truncated = true;
            return;
        }
        uint32_t n = reserve_bytes(ev, last->len);
        if (n < last->len) {
            return;
        }
        memmove(ev->bytes + ev->used, ev->bytes + last->off, n);
        last->off = ev->used;
        last->len = n;
        ev->used += n;
    }
    struct event_ref tail = store_bytes(ev, more);
    last->len += tail.len;
}

struct sv
event_arg(const struct event *ev, uint32_t i)
{
    if (i >= ev->argc) {
        return SV_NULL;
    }
    return sv_make(ev->argv[i].len ? ev->bytes + ev->argv[i].off : "",
                   ev->argv[i].len);
}

/*
 * The capacity allocated for need bytes: a power of two of at least 256, so
 * copies of events of growing size reallocate rarely.
 */
static uint32_t
round_cap(uint32_t need)
{
    uint32_t cap = 256;

    while (cap < need && cap < EVENT_MAX_BYTES) {
        cap *= 2;
    }
    return cap < need ? need : cap;
}

int
event_copy(struct event *dst, const struct event *src)
{
    char *bytes = dst->bytes;
    uint32_t cap = dst->cap;
    struct event_ref *argv = dst->argv;
    uint32_t argv_cap = dst->argv_cap;

    if (cap < src->used) {
        uint32_t want = round_cap(src->used);
        char *grown = realloc(bytes, want);
        if (grown == NULL) {
            event_reset(dst);
            return -1;
        }
        bytes = grown;
        cap = want;
    }
    if (argv_cap < src->argc) {
        struct event_ref *grown = realloc(argv, src->argc * sizeof(*grown));
        if (grown == NULL) {
            dst->bytes = bytes;
            dst->cap = cap;
            event_reset(dst);
            return -1;
        }
        argv = grown;
        argv_cap = src->argc;
    }

    *dst = *src;
    dst->bytes = bytes;
    dst->cap = cap;
    dst->argv = argv;
    dst->argv_cap = argv_cap;
    if (src->used) {
        memcpy(dst->bytes, src->bytes, src->used);
    }
    if (src->argc) {
        memcpy(dst->argv, src->argv, src->argc * sizeof(*argv));
    }
    return 0;
}

/* ---- packed records ---------------------------------------------------- */

_Static_assert(sizeof(struct event) % 8 == 0,
               "references after the event aligned");
_Static_assert(offsetof(struct event, str) + sizeof(((struct event *)0)->str)
                   <= offsetof(struct event, argv) &&
               offsetof(struct event, argc) > offsetof(struct event, argv) &&
               offsetof(struct event, bytes) > offsetof(struct event, argv) &&
               offsetof(struct event, used) > offsetof(struct event, argv),
               "the fields before argv hold every field and no storage");

const struct event *
event_pack(const struct event *ev, struct sv host, void *out)
{
    struct event *rec = out;
    char *p = (char *)(rec + 1);

    /* Every field but the storage, which the record replaces with its
     * own.  GCC 12 at -O2 expands each of these two copies (136 and 144
     * bytes) into 16-byte moves, but one copy of all 280 bytes into "rep
     * movsq", which is slow to start. */
    memcpy(rec, ev, offsetof(struct event, str_set));
    memcpy((char *)rec + offsetof(struct event, str_set),
           (const char *)ev + offsetof(struct event, str_set),
           offsetof(struct event, argv) - offsetof(struct event, str_set));
    rec->argv = (struct event_ref *)p;
    rec->argc = ev->argc;
    rec->argv_cap = ev->argc;
    if (ev->argc > 0) {
        memcpy(p, ev->argv, ev->argc * sizeof(struct event_ref));
        p += ev->argc * sizeof(struct event_ref);
    }
    rec->bytes = p;
    rec->used = ev->used;
    if (ev->used > 0) {
        memcpy(p, ev->bytes, ev->used);
    }
    if (host.p != NULL) {
        /* The host's bytes follow the event's own. */
        rec->str_set |= 1u << EVENT_HOST;
        rec->str[EVENT_HOST].off = rec->used;
        rec->str[EVENT_HOST].len = (uint32_t)host.len;
        if (host.len > 0) {
            memcpy(p + rec->used, host.p, host.len);
        }
        rec->used += (uint32_t)host.len;
    }
    rec->cap = rec->used;
    return rec;
}

const struct event *
event_pack_new(const struct event *ev)
{
    void *rec = malloc(event_pack_size(ev, SV_NULL));

    return rec != NULL ? event_pack(ev, SV_NULL, rec) : NULL;
}

int
event_unpack(struct event *ev, const struct event *rec)
{
    if (ev->cap < rec->used) {
        uint32_t want = round_cap(rec->used);
        char *grown = realloc(ev->bytes, want);
        if (grown == NULL) {
            event_reset(ev);
            return -1;
        }
        ev->bytes = grown;
        ev->cap = want;
    }
    if (ev->argv_cap < rec->argc) {
        struct event_ref *grown = realloc(ev->argv,
                                          rec->argc * sizeof(*grown));
        if (grown == NULL) {
            event_reset(ev);
            return -1;
        }
        ev->argv = grown;
        ev->argv_cap = rec->argc;
    }

    /* The block ends before argv, so ev's storage pointers stay. */
    memcpy(ev, rec, offsetof(struct event, argv));
    ev->argc = rec->argc;
    ev->used = rec->used;
    if (rec->argc > 0) {
        memcpy(ev->argv, rec->argv, rec->argc * sizeof(struct event_ref));
    }
    if (rec->used > 0) {
        memcpy(ev->bytes, rec->bytes, rec->used);
    }
    return 0;
}
