/*
 * osquery result logs (osqueryd.results.log or a logger plugin's output):
 * one JSON object per line, either a differential row
 * {"name":..,"hostIdentifier":..,"unixTime":..,"columns":{..},
 * "action":"added"} or a snapshot {"snapshot":[{..},..],
 * "action":"snapshot"}; batched differentials ("diffResults") are read
 * too.
 *
 * The table behind a query is recognised by its columns, because pack
 * authors choose query names freely.  process_events and
 * es_process_events rows become EVENT_EXEC, user_events rows the audit
 * login events they carry, last and logged_in_users rows EVENT_USER_LOGIN
 * and EVENT_USER_LOGOUT.  Rows of "removed" differentials are skipped.
 * Snapshots repeat the same last and logged_in_users rows every interval,
 * so each such row is emitted once per input (the most recent
 * OSQUERY_MAX_SEEN rows are remembered).  The host is hostIdentifier.
 *
 * osquery runs on Linux and macOS, so the format's platform (linux) does
 * not tell which analytic a finding belongs to.  Events get EVENT_PLATFORM
 * when the result shows the platform.  It shows in a decoration naming it
 * (such as "platform" from os_version) or in an es_process_events row,
 * because Endpoint Security exists on macOS only.  It also shows in the
 * process_events columns of one platform only and in ttysNNN or pts/N
 * terminals.
 */
#include "core/fifomap.h"
#include "formats/format.h"
#include "formats/macos_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows of last and logged_in_users remembered for de-duplication. */
#define OSQUERY_MAX_SEEN 4096

/* Linux audit record types that user_events rows carry. */
#define AUDIT_USER_AUTH 1100
#define AUDIT_USER_START 1105
#define AUDIT_USER_END 1106
#define AUDIT_USER_LOGIN 1112
#define AUDIT_USER_LOGOUT 1113

/* utmp ut_type values (utmp.h) in the last table. */
#define UTMP_USER_PROCESS 7
#define UTMP_DEAD_PROCESS 8

enum osquery_table {
    OSQUERY_UNKNOWN,
    OSQUERY_PROCESS_EVENTS,
    OSQUERY_ES_PROCESS_EVENTS,
    OSQUERY_USER_EVENTS,
    OSQUERY_LAST,
    OSQUERY_LOGGED_IN_USERS
};

/* Parser state for one input. */
struct osquery_state {
    struct format_opts opts;
    struct macos_json_reader json;
    struct fifomap seen;            /* keys of emitted login rows */
    struct event ev;                /* reused for every row */

    /* Context of the current feed call, for the JSON object callback. */
    const struct event_origin *origin;
    const struct event_sink *sink;
    struct macos_json_outcome out;  /* of the line being fed */
};

/* The parts of a result object shared by its rows. */
struct osquery_result {
    struct sv host;
    int64_t unix_time;              /* -1 when absent */
    const char *platform;           /* from a decoration, or NULL */
};

static bool
has(const cJSON *row, const char *column)
{
    return cJSON_GetObjectItemCaseSensitive(row, column) != NULL;
}

/* Recognises a row's table by the columns that only it has. */
static enum osquery_table
classify(const cJSON *row)
{
    if (has(row, "cmdline") && has(row, "path") && has(row, "pid")) {
        if (has(row, "event_type") || has(row, "original_parent") ||
            has(row, "signing_id")) {
            return OSQUERY_ES_PROCESS_EVENTS;
        }
        return OSQUERY_PROCESS_EVENTS;
    }
    if (has(row, "message") && has(row, "terminal") && has(row, "type")) {
        return OSQUERY_USER_EVENTS;
    }
    if (has(row, "username") && has(row, "tty") && has(row, "type")) {
        return OSQUERY_LAST;
    }
    if (has(row, "user") && has(row, "tty") && has(row, "type")) {
        return OSQUERY_LOGGED_IN_USERS;
    }
    return OSQUERY_UNKNOWN;
}

static struct sv
col_str(const cJSON *row, const char *column)
{
    return macos_json_str(cJSON_GetObjectItemCaseSensitive(row, column));
}

static bool
col_int(const cJSON *row, const char *column, int64_t *out)
{
    return macos_json_int(cJSON_GetObjectItemCaseSensitive(row, column),
                          out);
}

/* Stores a non-empty text column as field f. */
static void
set_col_str(struct event *ev, enum event_str f, const cJSON *row,
            const char *column)
{
    struct sv v = col_str(row, column);

    if (v.len > 0) {
        event_set_str(ev, f, v);
    }
}

/*
 * Stores an id column as field f.  Negative values (osquery writes -1 for
 * "unknown") and the audit value 4294967295 mean absent.
 */
static void
set_col_id(struct event *ev, enum event_num f, const cJSON *row,
           const char *column)
{
    int64_t v;

    if (col_int(row, column, &v) && v >= 0 && v != EVENT_AUDIT_UNSET) {
        event_set_num(ev, f, v);
    }
}

/* Starts ev for one row: time from its time column, else unixTime. */
static bool
start_event(struct osquery_state *st, enum event_kind kind,
            const cJSON *row, const struct osquery_result *res,
            const struct event_origin *origin)
{
    struct event *ev = &st->ev;
    int64_t t;

    if (!col_int(row, "time", &t) || t <= 0) {
        t = res->unix_time;
    }
    if (t < 0) {
        return false;
    }
    event_reset(ev);
    ev->kind = kind;
    ev->origin = *origin;
    ev->time.sec = t;
    if (res->host.len > 0) {
        event_set_str(ev, EVENT_HOST, res->host);
    }
    return true;
}

/* Returns the last path component of path. */
static struct sv
path_basename(struct sv path)
{
    for (size_t i = path.len; i > 0; i--) {
        if (path.p[i - 1] == '/') {
            return sv_skip(path, i);
        }
    }
    return path;
}

/*
 * Builds an EVENT_EXEC from a process_events or es_process_events row:
 * {"pid":"4242","parent":"4200","path":"/bin/bash","cmdline":"bash -i",
 * "cwd":"/root","uid":"0","euid":"0","auid":"1000","time":"1700000000"}.
 */
static const char *
build_exec(struct osquery_state *st, enum osquery_table table,
           const cJSON *row, const struct osquery_result *res,
           const struct event_origin *origin)
{
    struct event *ev = &st->ev;
    struct sv type = col_str(row, "event_type");

    if (table == OSQUERY_ES_PROCESS_EVENTS && type.p != NULL &&
        !sv_eq_cstr(type, "exec")) {
        return "es_process_events row that is not an exec";
    }
    if (!start_event(st, EVENT_EXEC, row, res, origin)) {
        return "row without time";
    }
    set_col_id(ev, EVENT_PID, row, "pid");
    set_col_id(ev, EVENT_PPID, row, "parent");
    set_col_id(ev, EVENT_UID, row, "uid");
    set_col_id(ev, EVENT_EUID, row, "euid");
    set_col_id(ev, EVENT_AUID, row, "auid");
    set_col_str(ev, EVENT_EXE, row, "path");
    set_col_str(ev, EVENT_CMDLINE, row, "cmdline");
    set_col_str(ev, EVENT_CWD, row, "cwd");
    set_col_str(ev, EVENT_USER, row, "username");
    if (event_has_str(ev, EVENT_EXE)) {
        event_set_str(ev, EVENT_PROGRAM,
                      path_basename(event_str(ev, EVENT_EXE)));
    }
    return NULL;
}

/*
 * Finds key=value in an audit message ("op=login acct=\"alice\" ...") and
 * returns the value without quotes, or SV_NULL.
 */
static struct sv
audit_field(struct sv msg, const char *key)
{
    size_t klen = strlen(key);

    for (size_t i = 0; i + klen + 1 <= msg.len; i++) {
        if ((i > 0 && msg.p[i - 1] != ' ') ||
            memcmp(msg.p + i, key, klen) != 0 || msg.p[i + klen] != '=') {
            continue;
        }
        struct sv v = sv_skip(msg, i + klen + 1);
        if (sv_starts_with(v, "\"")) {
            v = sv_skip(v, 1);
            ptrdiff_t q = sv_find_char(v, '"');
            return q < 0 ? SV_NULL : sv_head(v, (size_t)q);
        }
        ptrdiff_t sp = sv_find_char(v, ' ');
        v = sp < 0 ? v : sv_head(v, (size_t)sp);
        /* The last field inside msg='...' carries the closing quote. */
        if (sv_ends_with(v, "'")) {
            v.len--;
        }
        return v;
    }
    return SV_NULL;
}

/* Audit user_events types and the kinds they become. */
static const struct {
    int64_t type;
    enum event_kind kind;
} user_event_kinds[] = {
    { AUDIT_USER_AUTH, EVENT_AUTH_SUCCESS },
    { AUDIT_USER_START, EVENT_SESSION_OPEN },
    { AUDIT_USER_END, EVENT_SESSION_CLOSE },
    { AUDIT_USER_LOGIN, EVENT_USER_LOGIN },
    { AUDIT_USER_LOGOUT, EVENT_USER_LOGOUT },
};

/*
 * Builds an event from a user_events row, whose message is the text of a
 * Linux audit USER_* record: {"type":"1112","pid":"812","uid":"0",
 * "auid":"1000","path":"/usr/sbin/sshd","address":"192.0.2.5",
 * "terminal":"ssh","message":"op=login id=1000 exe=\"/usr/sbin/sshd\"
 * hostname=? addr=192.0.2.5 terminal=ssh res=success","time":"..."}.
 * Only quoted or plain acct= values name the user; hex-encoded ones are
 * left out.
 */
static const char *
build_user_event(struct osquery_state *st, const cJSON *row,
                 const struct osquery_result *res,
                 const struct event_origin *origin)
{
    struct event *ev = &st->ev;
    int64_t type;
    size_t i;

    if (!col_int(row, "type", &type)) {
        return "user_events row without a type";
    }
    for (i = 0; i < sizeof(user_event_kinds) / sizeof(user_event_kinds[0]);
         i++) {
        if (user_event_kinds[i].type == type) {
            break;
        }
    }
    if (i == sizeof(user_event_kinds) / sizeof(user_event_kinds[0])) {
        return "user_events record type not used";
    }
    if (!start_event(st, user_event_kinds[i].kind, row, res, origin)) {
        return "row without time";
    }

    struct sv msg = col_str(row, "message");
    struct sv result = audit_field(msg, "res");
    bool failed = result.p != NULL && !sv_eq_cstr(result, "success") &&
                  !sv_eq_cstr(result, "yes");
    if (result.p != NULL) {
        ev->result = failed ? EVENT_RESULT_FAILURE : EVENT_RESULT_SUCCESS;
    }
    if (type == AUDIT_USER_AUTH && failed) {
        ev->kind = EVENT_AUTH_FAILURE;
    }

    set_col_id(ev, EVENT_PID, row, "pid");
    set_col_id(ev, EVENT_UID, row, "uid");
    set_col_id(ev, EVENT_AUID, row, "auid");
    set_col_str(ev, EVENT_PROGRAM, row, "path");
    set_col_str(ev, EVENT_TTY, row, "terminal");

    struct sv addr = col_str(row, "address");
    if (addr.len > 0 && !sv_eq_cstr(addr, "?")) {
        event_set_str(ev, EVENT_SRC_IP, addr);
    }
    struct sv acct = audit_field(msg, "acct");
    if (acct.len > 0 && !sv_eq_cstr(acct, "?")) {
        event_set_str(ev, EVENT_USER, acct);
    }
    int64_t ses;
    struct sv ses_text = audit_field(msg, "ses");
    if (ses_text.p != NULL && sv_to_i64(ses_text, &ses) && ses >= 0 &&
        ses != EVENT_AUDIT_UNSET) {
        event_set_num(ev, EVENT_SES, ses);
    }
    return NULL;
}

/*
 * Returns true when a login row's terminal and remote host show an SSH
 * login: a tty named "ssh:..." (sshd's own name for sessions without a
 * terminal), or a pseudo-terminal (pts/N on Linux, ttysNNN on macOS) with
 * a remote host that is not an X display (":0").
 */
static bool
is_remote_ssh(struct sv tty, struct sv host)
{
    if (sv_starts_with(tty, "ssh:")) {
        return true;
    }
    if (host.len == 0 || host.p[0] == ':') {
        return false;
    }
    return sv_starts_with(tty, "pts/") || sv_starts_with(tty, "ttys");
}

/*
 * Returns true the first time a login row is seen in this input.  A row
 * that cannot be remembered (no memory) counts as new.
 */
static bool
is_new_row(struct osquery_state *st, enum osquery_table table,
           const cJSON *row, const struct osquery_result *res)
{
    static const char *const key_cols[] = { "username", "user", "tty",
                                            "host", "pid", "time", "type" };
    char key[1024];
    size_t n = (size_t)snprintf(key, sizeof(key), "%d|%.*s", (int)table,
                                (int)(res->host.len > 200 ? 200
                                                          : res->host.len),
                                res->host.p ? res->host.p : "");

    for (size_t i = 0; i < sizeof(key_cols) / sizeof(key_cols[0]); i++) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(row, key_cols[i]);
        char *text = c ? cJSON_PrintUnformatted(c) : NULL;
        if (n < sizeof(key)) {
            n += (size_t)snprintf(key + n, sizeof(key) - n, "|%.100s",
                                  text ? text : "");
        }
        cJSON_free(text);
    }
    if (n >= sizeof(key)) {
        n = sizeof(key) - 1;
    }
    if (fifomap_get(&st->seen, sv_make(key, n)) != NULL) {
        return false;
    }
    (void)fifomap_put(&st->seen, sv_make(key, n), &st->seen);
    return true;
}

/*
 * Builds a login or logout from a last row ({"username":"alice",
 * "tty":"pts/0","pid":"812","type":"7","time":"1700000000",
 * "host":"192.0.2.5"}) or a logged_in_users row ({"type":"user",
 * "user":"alice","tty":"ttys001","host":"192.0.2.5","time":"..",
 * "pid":".."}).  The program is "sshd" only when is_remote_ssh() holds.
 */
static const char *
build_login(struct osquery_state *st, enum osquery_table table,
            const cJSON *row, const struct osquery_result *res,
            const struct event_origin *origin)
{
    struct event *ev = &st->ev;
    enum event_kind kind = EVENT_USER_LOGIN;
    int64_t type;

    if (table == OSQUERY_LAST) {
        if (!col_int(row, "type", &type) ||
            (type != UTMP_USER_PROCESS && type != UTMP_DEAD_PROCESS)) {
            return "last row that is neither a login nor a logout";
        }
        if (type == UTMP_DEAD_PROCESS) {
            kind = EVENT_USER_LOGOUT;
        }
    } else if (!sv_eq_cstr(col_str(row, "type"), "user")) {
        return "logged_in_users row that is not a user login";
    }
    if (!is_new_row(st, table, row, res)) {
        return "login row already seen in an earlier result";
    }
    if (!start_event(st, kind, row, res, origin)) {
        return "row without time";
    }
    if (kind == EVENT_USER_LOGIN) {
        ev->result = EVENT_RESULT_SUCCESS;
    }

    struct sv tty = col_str(row, "tty");
    struct sv host = col_str(row, "host");
    set_col_str(ev, EVENT_USER, row,
                table == OSQUERY_LAST ? "username" : "user");
    set_col_str(ev, EVENT_TTY, row, "tty");
    set_col_id(ev, EVENT_PID, row, "pid");
    if (host.len > 0) {
        event_set_str(ev, EVENT_SRC_IP, host);
    }
    if (is_remote_ssh(tty, host)) {
        event_set_str(ev, EVENT_PROGRAM, SV_LIT("sshd"));
    }
    return NULL;
}

/*
 * Returns the platform a row's own columns show, or NULL.  The columns
 * come from osquery 5's table specs: process_events has "status" (an
 * OpenBSM attribute) only on macOS and "syscall", "fsuid", "suid" only on
 * Linux.  Terminals are ttysNNN on macOS and pts/N on Linux.
 */
static const char *
row_platform(enum osquery_table table, const cJSON *row)
{
    struct sv tty;

    switch (table) {
    case OSQUERY_ES_PROCESS_EVENTS:
        return "macos";
    case OSQUERY_PROCESS_EVENTS:
        if (has(row, "syscall") || has(row, "fsuid") || has(row, "suid")) {
            return "linux";
        }
        return has(row, "status") ? "macos" : NULL;
    case OSQUERY_LAST:
    case OSQUERY_LOGGED_IN_USERS:
        tty = col_str(row, "tty");
        if (sv_starts_with(tty, "ttys")) {
            return "macos";
        }
        return sv_starts_with(tty, "pts/") ? "linux" : NULL;
    case OSQUERY_USER_EVENTS:
    case OSQUERY_UNKNOWN:
    default:
        return NULL;
    }
}

/* Turns one row into an event and emits it; returns a skip reason or NULL. */
static const char *
use_row(struct osquery_state *st, const cJSON *row,
        const struct osquery_result *res, const struct event_origin *origin)
{
    enum osquery_table table = classify(row);
    const char *skip;

    switch (table) {
    case OSQUERY_PROCESS_EVENTS:
    case OSQUERY_ES_PROCESS_EVENTS:
        skip = build_exec(st, table, row, res, origin);
        break;
    case OSQUERY_USER_EVENTS:
        skip = build_user_event(st, row, res, origin);
        break;
    case OSQUERY_LAST:
    case OSQUERY_LOGGED_IN_USERS:
        skip = build_login(st, table, row, res, origin);
        break;
    case OSQUERY_UNKNOWN:
    default:
        skip = "query of a table sshtrail does not use";
        break;
    }
    if (skip == NULL) {
        const char *platform = res->platform != NULL
                                   ? res->platform
                                   : row_platform(table, row);
        if (platform != NULL) {
            event_set_str(&st->ev, EVENT_PLATFORM, sv_cstr(platform));
        }
        st->sink->emit(st->sink->arg, &st->ev);
        st->out.used++;
    } else {
        st->out.status = PARSE_SKIP;
        st->out.reason = skip;
    }
    return skip;
}

/* Uses every row object of a JSON array (a snapshot or a batch). */
static void
use_rows(struct osquery_state *st, const cJSON *rows,
         const struct osquery_result *res, const struct event_origin *origin)
{
    const cJSON *row;

    cJSON_ArrayForEach(row, rows) {
        if (cJSON_IsObject(row)) {
            (void)use_row(st, row, res, origin);
        }
    }
}

/*
 * Values of os_version's platform and platform_like columns (the ID and
 * ID_LIKE of os-release on Linux, "darwin" on macOS) and of
 * osquery_info's build_platform, with the platform each names.
 */
static const struct {
    const char *value;
    const char *platform;
} platform_values[] = {
    { "darwin", "macos" },     { "linux", "linux" },
    { "ubuntu", "linux" },     { "debian", "linux" },
    { "rhel", "linux" },       { "centos", "linux" },
    { "fedora", "linux" },     { "amzn", "linux" },
    { "rocky", "linux" },      { "almalinux", "linux" },
    { "ol", "linux" },         { "sles", "linux" },
    { "opensuse", "linux" },   { "suse", "linux" },
    { "arch", "linux" },       { "gentoo", "linux" },
    { "alpine", "linux" },     { "kali", "linux" },
    { "linuxmint", "linux" },  { "manjaro", "linux" },
};

/* Returns the platform the first word of value names, or NULL. */
static const char *
platform_of_value(struct sv value)
{
    ptrdiff_t space = sv_find_char(value, ' ');
    struct sv word = space < 0 ? value : sv_head(value, (size_t)space);
    size_t count = sizeof(platform_values) / sizeof(platform_values[0]);

    for (size_t i = 0; i < count; i++) {
        if (sv_eq_cstr(word, platform_values[i].value)) {
            return platform_values[i].platform;
        }
    }
    return NULL;
}

/*
 * Returns the platform that the result's decorations name, or NULL.
 * Decorations are an object "decorations" or, with osquery's
 * --decorations_top_level, members of the result itself:
 * {"decorations":{"platform":"darwin"}, ...}.
 */
static const char *
decoration_platform(const cJSON *obj)
{
    static const char *const names[] = { "platform", "platform_like",
                                         "build_platform" };
    const cJSON *decorations = macos_json_path(obj, "decorations");
    const cJSON *where[] = { decorations, obj };

    for (size_t w = 0; w < 2; w++) {
        if (!cJSON_IsObject(where[w])) {
            continue;
        }
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            const char *platform = platform_of_value(macos_json_str(
                cJSON_GetObjectItemCaseSensitive(where[w], names[i])));
            if (platform != NULL) {
                return platform;
            }
        }
    }
    return NULL;
}

/* Handles one result object; see the file comment for its shapes. */
static void
use_result(struct osquery_state *st, const cJSON *obj,
           const struct event_origin *origin)
{
    struct osquery_result res = { SV_NULL, -1, NULL };
    struct sv action = macos_json_str(macos_json_path(obj, "action"));
    const cJSON *columns = macos_json_path(obj, "columns");
    const cJSON *snapshot = macos_json_path(obj, "snapshot");
    const cJSON *added = macos_json_path(obj, "diffResults.added");

    res.host = macos_json_str(macos_json_path(obj, "hostIdentifier"));
    res.platform = decoration_platform(obj);
    if (!macos_json_int(macos_json_path(obj, "unixTime"), &res.unix_time)) {
        res.unix_time = -1;
    }
    if (sv_eq_cstr(action, "removed")) {
        st->out.status = PARSE_SKIP;
        st->out.reason = "row removed from a differential result";
    } else if (cJSON_IsObject(columns)) {
        (void)use_row(st, columns, &res, origin);
    } else if (cJSON_IsArray(snapshot)) {
        use_rows(st, snapshot, &res, origin);
    } else if (cJSON_IsArray(added)) {
        use_rows(st, added, &res, origin);
    } else {
        st->out.status = PARSE_MALFORMED;
        st->out.reason = "osquery result without columns or snapshot";
    }
}

/* Receives each complete JSON object from the reader. */
static void
on_object(void *arg, struct sv object, uint64_t first_line)
{
    struct osquery_state *st = arg;
    struct event_origin origin = *st->origin;
    cJSON *obj = cJSON_ParseWithLength(object.p, object.len);

    origin.line = first_line;
    if (!cJSON_IsObject(obj)) {
        st->out.status = PARSE_MALFORMED;
        st->out.reason = "invalid JSON record";
    } else {
        use_result(st, obj, &origin);
    }
    cJSON_Delete(obj);
}

/*
 * Parses one line: {"name":"pack_ssh_last","hostIdentifier":"web1",
 * "calendarTime":"Tue Nov 14 22:13:20 2023 UTC","unixTime":1700000000,
 * "columns":{"username":"alice","tty":"pts/0",...},"action":"added"}.
 */
static enum parse_status
osquery_feed(void *state, struct sv line, const struct event_origin *origin,
             const struct event_sink *sink, const char **reason)
{
    struct osquery_state *st = state;

    st->origin = origin;
    st->sink = sink;
    return macos_json_feed_line(&st->json, sv_trim_right(line), origin->line,
                                on_object, st, &st->out, "blank line",
                                reason);
}

static enum parse_status
osquery_flush(void *state, const struct event_sink *sink, uint64_t *line,
               const char **reason)
{
    struct osquery_state *st = state;
    uint64_t first = st->json.first_line;

    (void)sink;
    if (macos_json_abandon(&st->json)) {
        *line = first;
        *reason = "input ends inside a JSON record";
        return PARSE_MALFORMED;
    }
    return PARSE_OK;
}

static int
osquery_probe(struct sv line)
{
    if (sv_find(line, SV_LIT("\"hostIdentifier\"")) < 0) {
        return 0;
    }
    if (sv_find(line, SV_LIT("\"columns\"")) >= 0 ||
        sv_find(line, SV_LIT("\"snapshot\"")) >= 0 ||
        sv_find(line, SV_LIT("\"diffResults\"")) >= 0) {
        return 100;
    }
    return 30;
}

static void *
osquery_open(const struct format_opts *opts)
{
    struct osquery_state *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        return NULL;
    }
    if (fifomap_init(&st->seen, OSQUERY_MAX_SEEN, NULL) != 0) {
        free(st);
        return NULL;
    }
    st->opts = *opts;
    macos_json_init(&st->json);
    event_init(&st->ev);
    return st;
}

static void
osquery_close(void *state)
{
    struct osquery_state *st = state;

    if (st == NULL) {
        return;
    }
    fifomap_fini(&st->seen);
    macos_json_fini(&st->json);
    event_fini(&st->ev);
    free(st);
}

const struct format_ops osquery_format = {
    .name = "osquery",
    .description = "osquery results: process_events, user_events, last, logged_in_users",
    .platform = "linux",
    .probe = osquery_probe,
    .open = osquery_open,
    .close = osquery_close,
    .feed = osquery_feed,
    .flush = osquery_flush,
};
