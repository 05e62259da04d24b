/*
 * The wtmp format: binary login records from utmp, wtmp and btmp files.
 *
 * Two layouts are read, chosen from the first bytes of the input:
 *   - glibc's struct utmp, 384 bytes little-endian.  x86_64 and aarch64
 *     glibc keep 32-bit ut_session and ut_tv so that 32-bit x86 programs
 *     read the same file, and 32-bit x86 uses the same 384 bytes.
 *   - macOS utmpx files, which start with a record whose type is
 *     SIGNATURE (10) and whose user is "utmpx-1.00", then 628-byte records.
 * Any other layout (big-endian, a 64-bit ut_tv) is rejected as malformed
 * rather than misread.
 *
 * Records map to events: USER_PROCESS to a user_login, DEAD_PROCESS to a
 * user_logout paired with the login on the same line, BOOT_TIME to boot,
 * RUN_LVL to runlevel.  btmp files contain failed logins.  OpenSSH
 * (record_failed_login) and util-linux login write them as LOGIN_PROCESS
 * records with the attempted user name, and getty writes LOGIN_PROCESS
 * records with the user "LOGIN".  So a LOGIN_PROCESS record with any other
 * user name is read as an auth_failure, whatever the file is called.
 *
 * This file does not read the host name: wtmp does not store it, so the
 * pipeline applies --default-host.
 */
#include "formats/format.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/fifomap.h"

/* glibc <utmp.h> record types; macOS adds SIGNATURE and SHUTDOWN_TIME. */
enum {
    UT_EMPTY = 0,
    UT_RUN_LVL = 1,
    UT_BOOT_TIME = 2,
    UT_NEW_TIME = 3,
    UT_OLD_TIME = 4,
    UT_INIT_PROCESS = 5,
    UT_LOGIN_PROCESS = 6,
    UT_USER_PROCESS = 7,
    UT_DEAD_PROCESS = 8,
    UT_ACCOUNTING = 9,
    UT_MAC_SIGNATURE = 10,
    UT_MAC_SHUTDOWN_TIME = 11
};

/* Open logins remembered for pairing with DEAD_PROCESS, by ut_line. */
#define WTMP_MAX_OPEN_LINES 4096

/*
 * Bytes gathered before the layout is chosen: two glibc records, which is
 * more than one macOS record.
 */
#define WTMP_HEAD_BYTES 768

#define LINUX_RECORD 384
#define MACOS_RECORD 628
#define MAX_RECORD MACOS_RECORD

enum wtmp_layout {
    LAYOUT_UNKNOWN,
    LAYOUT_LINUX,
    LAYOUT_MACOS,
    LAYOUT_INVALID
};

/* Field offsets and sizes of one layout. */
struct layout_desc {
    size_t size;
    size_t type, pid, line, line_len, id, id_len, user, user_len;
    size_t host, host_len, tv_sec, tv_usec, addr;  /* addr 0: none */
};

/*
 * glibc struct utmp: ut_type (short + 2 padding), ut_pid, ut_line[32],
 * ut_id[4], ut_user[32], ut_host[256], ut_exit (2 shorts), ut_session,
 * ut_tv (2 x int32), ut_addr_v6[4], 20 reserved bytes.
 */
static const struct layout_desc linux_layout = {
    .size = LINUX_RECORD, .type = 0, .pid = 4, .line = 8, .line_len = 32,
    .id = 40, .id_len = 4, .user = 44, .user_len = 32, .host = 76,
    .host_len = 256, .tv_sec = 340, .tv_usec = 344, .addr = 348,
};

/*
 * macOS struct utmpx as stored on disk: ut_user[256], ut_id[4],
 * ut_line[32], ut_pid, ut_type (short + 2 padding), ut_tv (2 x int32),
 * ut_host[256], 64 padding bytes.  It has no address field.
 */
static const struct layout_desc macos_layout = {
    .size = MACOS_RECORD, .type = 296, .pid = 292, .line = 260,
    .line_len = 32, .id = 256, .id_len = 4, .user = 0, .user_len = 256,
    .host = 308, .host_len = 256, .tv_sec = 300, .tv_usec = 304, .addr = 0,
};

/* A login's user, host and sshd mark, kept for its logout. */
struct open_login {
    char user[257];
    char host[257];
    bool is_sshd;
};

struct wtmp_state {
    enum wtmp_layout layout;
    const struct layout_desc *desc;
    unsigned char head[WTMP_HEAD_BYTES];
    size_t head_len;
    unsigned char carry[MAX_RECORD];
    size_t carry_len;
    uint64_t record_no;
    struct event_origin origin;     /* of the last block, for flush */
    struct fifomap open_lines;
    struct event ev;

    /* Outcome of the records of the current block, for feed's status. */
    int emitted;
    int counted;                    /* bad records counted by the sink */
    const char *malformed;
    const char *skipped;
};

static uint32_t
read_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint16_t
read_u16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Returns the bytes of a fixed-size field up to its first NUL. */
static struct sv
field_text(const unsigned char *rec, size_t off, size_t len)
{
    const char *p = (const char *)rec + off;
    const char *nul = memchr(p, '\0', len);

    return sv_make(p, nul ? (size_t)(nul - p) : len);
}

/* True when a text field has no control bytes before its NUL. */
static bool
is_text_field(const unsigned char *rec, size_t off, size_t len)
{
    struct sv s = field_text(rec, off, len);

    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c < 0x20 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

/*
 * True when rec looks like a glibc utmp record: a known type with zero
 * padding, text fields and microseconds below one million.
 */
static bool
is_linux_record(const unsigned char *rec)
{
    const struct layout_desc *d = &linux_layout;

    return read_u16(rec) <= UT_ACCOUNTING && rec[2] == 0 && rec[3] == 0 &&
           is_text_field(rec, d->line, d->line_len) &&
           is_text_field(rec, d->id, d->id_len) &&
           is_text_field(rec, d->user, d->user_len) &&
           is_text_field(rec, d->host, d->host_len) &&
           read_u32(rec + d->tv_usec) < 1000000;
}

static bool
is_macos_signature(const unsigned char *head, size_t n)
{
    return n >= MACOS_RECORD &&
           memcmp(head, "utmpx-1.00", 11) == 0 &&
           read_u16(head + macos_layout.type) == UT_MAC_SIGNATURE;
}

/* Chooses the layout from the first n bytes. */
static enum wtmp_layout
detect_layout(const unsigned char *head, size_t n)
{
    if (is_macos_signature(head, n)) {
        return LAYOUT_MACOS;
    }
    if (n < LINUX_RECORD || !is_linux_record(head)) {
        return LAYOUT_INVALID;
    }
    if (n >= 2 * LINUX_RECORD && !is_linux_record(head + LINUX_RECORD)) {
        return LAYOUT_INVALID;
    }
    return LAYOUT_LINUX;
}

/* True when the first len bytes at p are all zero. */
static bool
is_all_zero(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != 0) {
            return false;
        }
    }
    return true;
}

static int
wtmp_probe_binary(const unsigned char *head, size_t n)
{
    if (is_macos_signature(head, n)) {
        return 100;
    }
    /* Records of zero bytes only (empty utmp slots, wiped records) are no
     * evidence either way: zero bytes are also the hole that truncating a
     * text log while it is written (logrotate's copytruncate) leaves at
     * the start of the file.  The first other record decides, and a head
     * of zero bytes only is not taken for wtmp. */
    while (n >= LINUX_RECORD && is_all_zero(head, LINUX_RECORD)) {
        head += LINUX_RECORD;
        n -= LINUX_RECORD;
    }
    if (n < LINUX_RECORD || !is_linux_record(head)) {
        return 0;
    }

    /* One record could be chance; two in a row, or an exact file, less so. */
    if (n >= 2 * LINUX_RECORD) {
        return is_linux_record(head + LINUX_RECORD) ? 90 : 0;
    }
    return 70;
}

static int
wtmp_probe(struct sv line)
{
    (void)line;
    return 0;
}

static void *
wtmp_open(const struct format_opts *opts)
{
    struct wtmp_state *st = calloc(1, sizeof(*st));

    (void)opts;
    if (st == NULL) {
        return NULL;
    }
    if (fifomap_init(&st->open_lines, WTMP_MAX_OPEN_LINES, free) < 0) {
        free(st);
        return NULL;
    }
    event_init(&st->ev);
    return st;
}

static void
wtmp_close(void *state)
{
    struct wtmp_state *st = state;

    if (st == NULL) {
        return;
    }
    fifomap_fini(&st->open_lines);
    event_fini(&st->ev);
    free(st);
}

/* Sets src_ip from ut_addr_v6, or from ut_host when the address is 0. */
static void
set_source(struct event *ev, const unsigned char *rec,
           const struct layout_desc *d, struct sv host)
{
    char text[INET6_ADDRSTRLEN];
    static const unsigned char zero[16];

    if (d->addr != 0 && memcmp(rec + d->addr, zero, 16) != 0) {
        const unsigned char *a = rec + d->addr;
        bool v4 = memcmp(a + 4, zero, 12) == 0;
        if (inet_ntop(v4 ? AF_INET : AF_INET6, a, text, sizeof(text))) {
            event_set_str(ev, EVENT_SRC_IP, sv_cstr(text));
            return;
        }
    }
    if (host.len > 0 && host.p[0] != ':') {
        event_set_str(ev, EVENT_SRC_IP, host);
    }
}

/*
 * True when a login record was written by sshd: its line is "ssh:..."
 * (OpenSSH's name for sessions without a terminal), or it is a pts line
 * with a remote host.  The second rule also matches telnet and rlogin
 * logins, which are rare today; an X display host (":0") is not remote.
 */
static bool
is_sshd_login(struct sv line, struct sv host)
{
    if (sv_starts_with(line, "ssh:")) {
        return true;
    }
    return sv_starts_with(line, "pts/") && host.len > 0 && host.p[0] != ':';
}

/* Fills the fields every event of a record carries. */
static void
start_event(struct wtmp_state *st, enum event_kind kind,
            const unsigned char *rec, const struct event_origin *origin)
{
    const struct layout_desc *d = st->desc;
    struct event *ev = &st->ev;

    event_reset(ev);
    ev->kind = kind;
    ev->origin = *origin;
    ev->origin.line = st->record_no;
    ev->time.sec = (int64_t)read_u32(rec + d->tv_sec);
    /* A corrupt record can hold any value; microseconds past a second
     * are cut rather than overflow the nanoseconds. */
    uint32_t usec = read_u32(rec + d->tv_usec);
    ev->time.nsec = (int32_t)((usec < 1000000 ? usec : 999999) * 1000);
    ev->time.digits = 6;
    if (read_u32(rec + d->pid) != 0) {
        event_set_num(ev, EVENT_PID, (int64_t)read_u32(rec + d->pid));
    }
}

/* Remembers a login's user and host under its line for the logout. */
static void
remember_login(struct wtmp_state *st, struct sv line, struct sv user,
               struct sv host, bool is_sshd)
{
    struct open_login *o = calloc(1, sizeof(*o));

    if (o == NULL) {
        return;
    }
    memcpy(o->user, user.p, user.len);
    memcpy(o->host, host.p, host.len);
    o->is_sshd = is_sshd;
    fifomap_put(&st->open_lines, line, o);
}

static void
on_user_process(struct wtmp_state *st, const unsigned char *rec,
                const struct event_origin *origin,
                const struct event_sink *sink)
{
    const struct layout_desc *d = st->desc;
    struct sv line = field_text(rec, d->line, d->line_len);
    struct sv user = field_text(rec, d->user, d->user_len);
    struct sv host = field_text(rec, d->host, d->host_len);
    bool sshd = is_sshd_login(line, host);

    start_event(st, EVENT_USER_LOGIN, rec, origin);
    st->ev.result = EVENT_RESULT_SUCCESS;
    event_set_str(&st->ev, EVENT_USER, user);
    event_set_str(&st->ev, EVENT_TTY, line);
    set_source(&st->ev, rec, d, host);
    if (sshd) {
        event_set_str(&st->ev, EVENT_PROGRAM, SV_LIT("sshd"));
    }
    remember_login(st, line, user, host, sshd);
    sink->emit(sink->arg, &st->ev);
    st->emitted++;
}

static void
on_dead_process(struct wtmp_state *st, const unsigned char *rec,
                const struct event_origin *origin,
                const struct event_sink *sink)
{
    const struct layout_desc *d = st->desc;
    struct sv line = field_text(rec, d->line, d->line_len);
    struct sv user = field_text(rec, d->user, d->user_len);
    struct open_login *o = fifomap_get(&st->open_lines, line);

    start_event(st, EVENT_USER_LOGOUT, rec, origin);
    event_set_str(&st->ev, EVENT_TTY, line);

    /* Logout records usually carry an empty user: take it from the login. */
    if (o != NULL && o->user[0] != '\0') {
        event_set_str(&st->ev, EVENT_USER,
                      user.len ? user : sv_cstr(o->user));
        if (o->host[0] != '\0' && o->host[0] != ':') {
            event_set_str(&st->ev, EVENT_SRC_IP, sv_cstr(o->host));
        }
        if (o->is_sshd) {
            event_set_str(&st->ev, EVENT_PROGRAM, SV_LIT("sshd"));
        }
        o->user[0] = '\0';
        o->host[0] = '\0';
        o->is_sshd = false;
    } else if (user.len > 0) {
        event_set_str(&st->ev, EVENT_USER, user);
    }
    sink->emit(sink->arg, &st->ev);
    st->emitted++;
}

/* A LOGIN_PROCESS record with a real user name is a failed login (btmp). */
static void
on_login_process(struct wtmp_state *st, const unsigned char *rec,
                 const struct event_origin *origin,
                 const struct event_sink *sink)
{
    const struct layout_desc *d = st->desc;
    struct sv line = field_text(rec, d->line, d->line_len);
    struct sv user = field_text(rec, d->user, d->user_len);
    struct sv host = field_text(rec, d->host, d->host_len);

    if (user.len == 0 || sv_eq_cstr(user, "LOGIN")) {
        st->skipped = "getty LOGIN_PROCESS record";
        return;
    }
    start_event(st, EVENT_AUTH_FAILURE, rec, origin);
    st->ev.result = EVENT_RESULT_FAILURE;
    event_set_str(&st->ev, EVENT_USER, user);
    event_set_str(&st->ev, EVENT_TTY, line);
    set_source(&st->ev, rec, d, host);
    if (sv_starts_with(line, "ssh:")) {
        event_set_str(&st->ev, EVENT_PROGRAM, SV_LIT("sshd"));
    }
    sink->emit(sink->arg, &st->ev);
    st->emitted++;
}

static void
on_system_record(struct wtmp_state *st, enum event_kind kind,
                 const unsigned char *rec, const struct event_origin *origin,
                 const struct event_sink *sink)
{
    const struct layout_desc *d = st->desc;
    struct sv user = field_text(rec, d->user, d->user_len);
    struct sv host = field_text(rec, d->host, d->host_len);
    uint32_t pid = read_u32(rec + d->pid);
    char level[32];

    start_event(st, kind, rec, origin);
    event_clear_num(&st->ev, EVENT_PID);
    if (kind == EVENT_BOOT && host.len > 0) {
        /* systemd and sysvinit write the kernel release to ut_host. */
        event_set_str(&st->ev, EVENT_DETAIL, host);
    } else if (kind == EVENT_RUNLEVEL) {
        /* ut_pid has the new level in its low byte, the old one above it. */
        char now = (char)(pid & 0xff);
        char before = (char)((pid >> 8) & 0xff);
        size_t n = 0;
        if (now >= 0x21 && now < 0x7f) {
            memcpy(level, "runlevel ", 9);
            level[9] = now;
            n = 10;
            if (before >= 0x21 && before < 0x7f) {
                memcpy(level + n, " (was ", 6);
                level[n + 6] = before;
                level[n + 7] = ')';
                n += 8;
            }
        }
        if (sv_eq_cstr(user, "shutdown")) {
            event_set_str(&st->ev, EVENT_DETAIL, SV_LIT("shutdown"));
        } else if (n > 0) {
            event_set_str(&st->ev, EVENT_DETAIL, sv_make(level, n));
        }
    }
    sink->emit(sink->arg, &st->ev);
    st->emitted++;
}

#define REASON_BAD_RECORD "record with an unknown type or binary text fields"

/*
 * Counts the current record as not understood, at its own record number
 * through the sink when the sink counts, else once for the block as
 * feed's status (whose origin is the block's).
 */
static void
bad_record(struct wtmp_state *st, const struct event_origin *origin,
           const struct event_sink *sink)
{
    if (sink->count == NULL) {
        st->malformed = REASON_BAD_RECORD;
        return;
    }

    struct event_origin at = *origin;
    at.line = st->record_no;
    sink->count(sink->arg, PARSE_MALFORMED, REASON_BAD_RECORD, &at);
    st->counted++;
}

/* Reads one complete record. */
static void
parse_record(struct wtmp_state *st, const unsigned char *rec,
             const struct event_origin *origin,
             const struct event_sink *sink)
{
    const struct layout_desc *d = st->desc;
    unsigned type = read_u16(rec + d->type);

    st->record_no++;
    if (st->layout == LAYOUT_LINUX && !is_linux_record(rec)) {
        bad_record(st, origin, sink);
        return;
    }
    switch (type) {
    case UT_USER_PROCESS:
        on_user_process(st, rec, origin, sink);
        break;
    case UT_DEAD_PROCESS:
        on_dead_process(st, rec, origin, sink);
        break;
    case UT_LOGIN_PROCESS:
        on_login_process(st, rec, origin, sink);
        break;
    case UT_BOOT_TIME:
        on_system_record(st, EVENT_BOOT, rec, origin, sink);
        break;
    case UT_RUN_LVL:
        on_system_record(st, EVENT_RUNLEVEL, rec, origin, sink);
        break;
    case UT_MAC_SHUTDOWN_TIME:
        if (st->layout == LAYOUT_MACOS) {
            on_system_record(st, EVENT_RUNLEVEL, rec, origin, sink);
            event_set_str(&st->ev, EVENT_DETAIL, SV_LIT("shutdown"));
            break;
        }
        bad_record(st, origin, sink);
        break;
    case UT_EMPTY:
    case UT_NEW_TIME:
    case UT_OLD_TIME:
    case UT_INIT_PROCESS:
    case UT_ACCOUNTING:
    case UT_MAC_SIGNATURE:
        st->skipped = "record type not used (empty, clock, init, "
                      "accounting or signature)";
        break;
    default:
        bad_record(st, origin, sink);
        break;
    }
}

/* Splits bytes into records, keeping a partial record for the next call. */
static void
feed_bytes(struct wtmp_state *st, const unsigned char *p, size_t n,
           const struct event_origin *origin, const struct event_sink *sink)
{
    size_t size = st->desc->size;

    if (st->carry_len > 0) {
        size_t take = size - st->carry_len;
        if (take > n) {
            take = n;
        }
        memcpy(st->carry + st->carry_len, p, take);
        st->carry_len += take;
        p += take;
        n -= take;
        if (st->carry_len < size) {
            return;
        }
        parse_record(st, st->carry, origin, sink);
        st->carry_len = 0;
    }
    while (n >= size) {
        parse_record(st, p, origin, sink);
        p += size;
        n -= size;
    }
    memcpy(st->carry, p, n);
    st->carry_len = n;
}

/* Chooses the layout from the gathered head and reads the head's records. */
static void
settle_layout(struct wtmp_state *st, const struct event_origin *origin,
              const struct event_sink *sink)
{
    st->layout = detect_layout(st->head, st->head_len);
    if (st->layout == LAYOUT_INVALID) {
        st->malformed = "not a glibc utmp or macOS utmpx file";
        return;
    }
    st->desc = st->layout == LAYOUT_MACOS ? &macos_layout : &linux_layout;
    feed_bytes(st, st->head, st->head_len, origin, sink);
}

/*
 * Reads a block of raw bytes.  Until WTMP_HEAD_BYTES have arrived the
 * bytes are only gathered, so the layout is chosen from whole records.
 * The status sums up the block's records: MALFORMED when any record was
 * invalid, OK when any produced an event, else SKIP.
 */
static enum parse_status
wtmp_feed(void *state, struct sv block, const struct event_origin *origin,
          const struct event_sink *sink, const char **reason)
{
    struct wtmp_state *st = state;
    const unsigned char *p = (const unsigned char *)block.p;
    size_t n = block.len;

    st->origin = *origin;
    st->emitted = 0;
    st->counted = 0;
    st->malformed = NULL;
    st->skipped = NULL;
    if (st->layout == LAYOUT_UNKNOWN) {
        size_t take = sizeof(st->head) - st->head_len;
        if (take > n) {
            take = n;
        }
        memcpy(st->head + st->head_len, p, take);
        st->head_len += take;
        p += take;
        n -= take;
        if (st->head_len < sizeof(st->head)) {
            return PARSE_OK;
        }
        settle_layout(st, origin, sink);
    }
    if (st->layout == LAYOUT_INVALID) {
        *reason = "not a glibc utmp or macOS utmpx file";
        return PARSE_MALFORMED;
    }
    feed_bytes(st, p, n, origin, sink);

    if (st->malformed != NULL) {
        *reason = st->malformed;
        return PARSE_MALFORMED;
    }
    /* Bad records the sink counted need no status of the block. */
    if (st->emitted > 0 || st->counted > 0) {
        return PARSE_OK;
    }
    *reason = st->skipped ? st->skipped : "no complete record";
    return PARSE_SKIP;
}

/*
 * Reads what is left at the end of the input: a head shorter than
 * WTMP_HEAD_BYTES is read now, and a last record the input cuts short is
 * reported.
 */
static enum parse_status
wtmp_flush(void *state, const struct event_sink *sink, uint64_t *line,
           const char **reason)
{
    struct wtmp_state *st = state;

    if (st->layout == LAYOUT_UNKNOWN && st->head_len > 0) {
        settle_layout(st, &st->origin, sink);
    }
    bool cut = st->carry_len > 0;
    st->carry_len = 0;
    if (cut) {
        *line = st->record_no + 1;
        *reason = "input ends inside a record";
        return PARSE_MALFORMED;
    }
    return PARSE_OK;
}

const struct format_ops wtmp_format = {
    .name = "wtmp",
    .description = "utmp, wtmp and btmp binary records",
    .platform = "linux",
    .probe = wtmp_probe,
    .open = wtmp_open,
    .close = wtmp_close,
    .feed = wtmp_feed,
    .flush = wtmp_flush,
    .binary = true,
    .probe_binary = wtmp_probe_binary,
};
