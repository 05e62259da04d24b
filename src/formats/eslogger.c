/*
 * macOS Endpoint Security exec events as `eslogger exec` prints them: one
 * JSON object per line, the es_message_t of an ES_EVENT_TYPE_NOTIFY_EXEC
 * event (event_type 9).
 *
 * Each exec becomes one EVENT_EXEC for the new image (event.exec.target):
 * pid, ppid, real and effective uid, audit user id and audit session id
 * from its audit token, executable, argv, cwd and tty.  Every other event
 * type is skipped.  eslogger names no host, so the pipeline's default host
 * applies.  Objects are collected by macos_json.c, so pretty-printed
 * output (such as through jq) is read as well.
 */
#include "formats/format.h"
#include "formats/macos_json.h"

#include <stdlib.h>
#include <string.h>

/* es_event_type_t value of ES_EVENT_TYPE_NOTIFY_EXEC in ESTypes.h. */
#define ESLOGGER_NOTIFY_EXEC 9

/* Parser state for one input. */
struct eslogger_state {
    struct format_opts opts;
    struct macos_json_reader json;
    struct event ev;                /* reused for every record */

    /* Context of the current feed call, for the JSON object callback. */
    const struct event_origin *origin;
    const struct event_sink *sink;
    struct macos_json_outcome out;  /* of the line being fed */
};

/* The audit token fields sshtrail uses; -1 when absent. */
struct eslogger_token {
    int64_t auid;
    int64_t euid;
    int64_t ruid;
    int64_t pid;
    int64_t asid;
};

/*
 * Reads an audit token.  eslogger up to message version 9 writes an object
 * ({"pid":..,"euid":..,"ruid":..,"auid":..,"asid":..}); version 10 writes
 * the raw audit_token_t values as an array of eight numbers, in the order
 * libbsm's audit_token_to_* functions read them: auid, euid, egid, ruid,
 * rgid, pid, asid, pidversion.
 */
static void
read_token(const cJSON *tok, struct eslogger_token *out)
{
    static const char *const names[] = { "auid", "euid", "ruid", "pid",
                                         "asid" };
    static const int index[] = { 0, 1, 3, 5, 6 };
    int64_t *fields[] = { &out->auid, &out->euid, &out->ruid, &out->pid,
                          &out->asid };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const cJSON *item = NULL;
        int64_t v;

        *fields[i] = -1;
        if (cJSON_IsObject(tok)) {
            item = cJSON_GetObjectItemCaseSensitive(tok, names[i]);
        } else if (cJSON_IsArray(tok) && cJSON_GetArraySize(tok) == 8) {
            item = cJSON_GetArrayItem(tok, index[i]);
        }
        if (macos_json_int(item, &v) && v >= 0 && v <= UINT32_MAX) {
            *fields[i] = v;
        }
    }
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

/* Copies the ids of the exec target's audit token into ev. */
static void
set_token_fields(struct event *ev, const struct eslogger_token *t)
{
    if (t->pid >= 0) {
        event_set_num(ev, EVENT_PID, t->pid);
    }
    if (t->ruid >= 0) {
        event_set_num(ev, EVENT_UID, t->ruid);
    }
    if (t->euid >= 0) {
        event_set_num(ev, EVENT_EUID, t->euid);
    }
    if (t->auid >= 0 && t->auid != EVENT_AUDIT_UNSET) {
        event_set_num(ev, EVENT_AUID, t->auid);
    }
    if (t->asid >= 0 && t->asid != EVENT_AUDIT_UNSET) {
        event_set_num(ev, EVENT_SES, t->asid);
    }
}

/* Stores a file path member ({"path": "..."}) of obj as field f. */
static void
set_path(struct event *ev, enum event_str f, const cJSON *obj,
         const char *member)
{
    struct sv path = macos_json_str(macos_json_path(obj, member));

    if (path.p != NULL) {
        event_set_str(ev, f, path);
    }
}

/*
 * Builds the EVENT_EXEC of one exec message; see the file comment.
 * Returns PARSE_OK, or PARSE_SKIP / PARSE_MALFORMED with *reason set.
 */
static enum parse_status
build_exec(void *state, const cJSON *msg, const struct event_origin *origin,
           const char **reason)
{
    struct eslogger_state *st = state;
    struct event *ev = &st->ev;
    const cJSON *exec = macos_json_path(msg, "event.exec");
    const cJSON *target = macos_json_path(exec, "target");
    const cJSON *args = macos_json_path(exec, "args");
    struct sv stamp = macos_json_str(macos_json_path(msg, "time"));
    struct eslogger_token tok;
    int64_t type, ppid;

    if (!macos_json_int(macos_json_path(msg, "event_type"), &type) ||
        type != ESLOGGER_NOTIFY_EXEC || !cJSON_IsObject(exec)) {
        *reason = "Endpoint Security event that is not an exec";
        return PARSE_SKIP;
    }
    event_reset(ev);
    ev->kind = EVENT_EXEC;
    ev->origin = *origin;
    if (stamp.p == NULL || !cJSON_IsObject(target) ||
        time_parse_iso(stamp, st->opts.tz, &ev->time) != stamp.len) {
        *reason = "exec event without time or target";
        return PARSE_MALFORMED;
    }

    read_token(macos_json_path(target, "audit_token"), &tok);
    set_token_fields(ev, &tok);
    if (macos_json_int(macos_json_path(target, "ppid"), &ppid) ||
        macos_json_int(macos_json_path(msg, "process.ppid"), &ppid)) {
        event_set_num(ev, EVENT_PPID, ppid);
    }

    set_path(ev, EVENT_EXE, target, "executable.path");
    set_path(ev, EVENT_CWD, exec, "cwd.path");
    struct sv exe = event_str(ev, EVENT_EXE);
    if (exe.p != NULL) {
        event_set_str(ev, EVENT_PROGRAM, path_basename(exe));
    }
    /*
     * The message's process is the caller of execve before its image was
     * replaced; after a plain fork that image is the parent's.
     */
    set_path(ev, EVENT_PARENT_EXE, msg, "process.executable.path");

    struct sv tty = macos_json_str(macos_json_path(target, "tty.path"));
    if (sv_starts_with(tty, "/dev/")) {
        tty = sv_skip(tty, 5);
    }
    if (tty.len > 0) {
        event_set_str(ev, EVENT_TTY, tty);
    }

    const cJSON *arg;
    if (!cJSON_IsArray(args)) {
        args = NULL;
    }
    cJSON_ArrayForEach(arg, args) {
        struct sv a = macos_json_str(arg);
        event_add_arg(ev, a.p != NULL ? a : SV_LIT(""));
    }
    st->sink->emit(st->sink->arg, ev);
    return PARSE_OK;
}

/* Receives each complete JSON object from the reader. */
static void
on_object(void *arg, struct sv object, uint64_t first_line)
{
    struct eslogger_state *st = arg;

    macos_json_use_record(object, first_line, st->origin, build_exec, st,
                          &st->out);
}

/*
 * Parses one line: {"event_type":9,"time":"2024-01-02T03:04:05.123456789Z",
 * "process":{...},"event":{"exec":{"target":{...},"args":["ls","-l"],
 * "cwd":{"path":"/Users/alice"}}}, ...}.
 */
static enum parse_status
eslogger_feed(void *state, struct sv line, const struct event_origin *origin,
              const struct event_sink *sink, const char **reason)
{
    struct eslogger_state *st = state;

    st->origin = origin;
    st->sink = sink;
    return macos_json_feed_line(&st->json, sv_trim_right(line), origin->line,
                                on_object, st, &st->out, "blank line",
                                reason);
}

static enum parse_status
eslogger_flush(void *state, const struct event_sink *sink, uint64_t *line,
                const char **reason)
{
    struct eslogger_state *st = state;
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
eslogger_probe(struct sv line)
{
    if (sv_find(line, SV_LIT("\"event_type\"")) < 0) {
        return 0;
    }
    if (sv_find(line, SV_LIT("\"audit_token\"")) >= 0 &&
        (sv_find(line, SV_LIT("\"global_seq_num\"")) >= 0 ||
         sv_find(line, SV_LIT("\"mach_time\"")) >= 0)) {
        return 100;
    }
    return 20;
}

static void *
eslogger_open(const struct format_opts *opts)
{
    struct eslogger_state *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        return NULL;
    }
    st->opts = *opts;
    macos_json_init(&st->json);
    event_init(&st->ev);
    return st;
}

static void
eslogger_close(void *state)
{
    struct eslogger_state *st = state;

    if (st == NULL) {
        return;
    }
    macos_json_fini(&st->json);
    event_fini(&st->ev);
    free(st);
}

const struct format_ops eslogger_format = {
    .name = "eslogger",
    .description = "macOS Endpoint Security eslogger exec events (JSON)",
    .platform = "macos",
    .probe = eslogger_probe,
    .open = eslogger_open,
    .close = eslogger_close,
    .feed = eslogger_feed,
    .flush = eslogger_flush,
};
