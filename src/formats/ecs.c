/*
 * The ecs format: Elastic Common Schema JSON as Filebeat and Auditbeat
 * write it (one object per line, pretty-printed, or a JSON array), with
 * nested or flat dotted keys.  Filebeat 6.x's pre-ECS `system.auth.*`
 * fields are read too.
 *
 * Events taken:
 *   - SSH logins of Filebeat's system module: event.action ssh_login
 *     with event.outcome, or the 6.x `system.auth.ssh.event` Accepted,
 *     Failed or Invalid.
 *   - Logins of Auditbeat's system module (event.action user_login and
 *     user_logout, read from utmp).
 *   - Auditbeat's auditd module: authenticated, logged-in and executed.
 *   - Process starts: event.category process with event.type start, or
 *     event.action exec / executed / process_started.
 *   - sudo commands of Filebeat's system module (`system.auth.sudo`).
 * Everything else is skipped.  This file does not re-parse the original
 * log line in `message`: the fields Beats extracted are used as they are.
 */
#include "formats/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/ecs_json.h"

struct ecs_state {
    struct format_opts opts;
    struct ecs_reader reader;
    struct event ev;
};

/* Sets a string field from the first of the paths present. */
static bool
set_str_from(struct event *ev, enum event_str f, const cJSON *doc,
             const char *const *paths)
{
    for (int i = 0; paths[i] != NULL; i++) {
        struct sv v = ecs_get_str(doc, paths[i]);
        if (v.p != NULL && v.len > 0) {
            event_set_str(ev, f, v);
            return true;
        }
    }
    return false;
}

/* Sets a numeric field from the first of the paths holding an integer. */
static bool
set_num_from(struct event *ev, enum event_num f, const cJSON *doc,
             const char *const *paths)
{
    int64_t v;

    for (int i = 0; paths[i] != NULL; i++) {
        if (ecs_get_int(doc, paths[i], &v)) {
            event_set_num(ev, f, v);
            return true;
        }
    }
    return false;
}

#define PATHS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Fills time and host, which every event needs. */
static bool
set_common(struct ecs_state *st, const cJSON *doc,
           const struct event_origin *origin)
{
    struct event *ev = &st->ev;
    struct sv stamp = ecs_get_str(doc, "@timestamp");

    event_reset(ev);
    ev->origin = *origin;
    if (stamp.p == NULL ||
        time_parse_iso(stamp, st->opts.tz, &ev->time) != stamp.len) {
        return false;
    }
    set_str_from(ev, EVENT_HOST, doc,
                 PATHS("host.hostname", "host.name", "system.auth.hostname"));
    return true;
}

/* Sets the audit session and login uid, skipping "unset" values. */
static void
set_audit_ids(struct event *ev, const cJSON *doc)
{
    int64_t v;

    if (ecs_get_int(doc, "auditd.session", &v) && v != EVENT_AUDIT_UNSET) {
        event_set_num(ev, EVENT_SES, v);
    }
    if (ecs_get_int(doc, "user.audit.id", &v) && v != EVENT_AUDIT_UNSET) {
        event_set_num(ev, EVENT_AUID, v);
    }
}

/* Splits "RSA 39:33:..." or "ED25519 SHA256:..." into key type and hash. */
static void
set_signature(struct event *ev, struct sv sig)
{
    struct sv type;
    struct sv fp = sv_cut(sig, ' ', &type);

    if (fp.p != NULL && type.len > 0 && fp.len > 0) {
        event_set_str(ev, EVENT_KEY_TYPE, type);
        event_set_str(ev, EVENT_KEY_FP, fp);
    }
}

/*
 * Filebeat's sshd logins.  ECS: {"event":{"action":"ssh_login",
 * "outcome":"success"},"user":{"name":"vagrant"},"source":{"ip":"10.0.2.2",
 * "port":63673},"system":{"auth":{"ssh":{"event":"Accepted","method":
 * "publickey"}}}}.  6.x: {"system.auth.ssh.event": "Accepted",
 * "system.auth.user": "vagrant", "system.auth.ssh.ip": "10.0.2.2", ...}.
 */
static enum parse_status
on_ssh_login(struct ecs_state *st, const cJSON *doc, struct sv ssh_event,
             struct sv outcome, const char **reason)
{
    struct event *ev = &st->ev;

    if (sv_eq_cstr(ssh_event, "Invalid")) {
        /* Like the sshd format: "Invalid user" is no auth outcome yet. */
        ev->kind = EVENT_INVALID_USER;
    } else if (sv_eq_cstr(ssh_event, "Accepted") ||
               (ssh_event.p == NULL && sv_eq_cstr(outcome, "success"))) {
        ev->kind = EVENT_AUTH_SUCCESS;
        ev->result = EVENT_RESULT_SUCCESS;
    } else if (sv_eq_cstr(ssh_event, "Failed") ||
               (ssh_event.p == NULL && sv_eq_cstr(outcome, "failure"))) {
        ev->kind = EVENT_AUTH_FAILURE;
        ev->result = EVENT_RESULT_FAILURE;
    } else {
        *reason = "sshd event of another kind";
        return PARSE_SKIP;
    }
    event_set_str(ev, EVENT_PROGRAM, SV_LIT("sshd"));
    set_str_from(ev, EVENT_USER, doc, PATHS("user.name", "system.auth.user"));
    set_str_from(ev, EVENT_SRC_IP, doc,
                 PATHS("source.ip", "system.auth.ssh.ip", "source.address"));
    set_num_from(ev, EVENT_SRC_PORT, doc,
                 PATHS("source.port", "system.auth.ssh.port"));
    set_num_from(ev, EVENT_PID, doc, PATHS("process.pid", "system.auth.pid"));
    set_str_from(ev, EVENT_AUTH_METHOD, doc,
                 PATHS("system.auth.ssh.method"));
    set_signature(ev, ecs_get_str(doc, "system.auth.ssh.signature"));
    return PARSE_OK;
}

/*
 * Auditbeat's system/login records, read from utmp: user_login with
 * user.terminal and source.ip, user_logout.  The sshd rule is the one of
 * the wtmp format: a terminal "ssh:..." or a pts with a remote source.
 */
static enum parse_status
on_utmp_login(struct ecs_state *st, const cJSON *doc, struct sv action,
              struct sv outcome)
{
    struct event *ev = &st->ev;
    struct sv tty = ecs_get_str(doc, "user.terminal");
    bool remote = set_str_from(ev, EVENT_SRC_IP, doc, PATHS("source.ip"));

    if (sv_eq_cstr(action, "user_logout")) {
        ev->kind = EVENT_USER_LOGOUT;
    } else if (sv_eq_cstr(outcome, "failure")) {
        ev->kind = EVENT_AUTH_FAILURE;
        ev->result = EVENT_RESULT_FAILURE;
    } else {
        ev->kind = EVENT_USER_LOGIN;
        ev->result = EVENT_RESULT_SUCCESS;
    }
    set_str_from(ev, EVENT_USER, doc, PATHS("user.name"));
    set_num_from(ev, EVENT_PID, doc, PATHS("process.pid"));
    if (tty.len > 0) {
        event_set_str(ev, EVENT_TTY, tty);
    }
    if (sv_starts_with(tty, "ssh:") ||
        (remote && sv_starts_with(tty, "pts/"))) {
        event_set_str(ev, EVENT_PROGRAM, SV_LIT("sshd"));
    }
    return PARSE_OK;
}

/* True when process.executable (or process.name) is sshd. */
static bool
is_sshd_process(const cJSON *doc)
{
    struct sv exe = ecs_get_str(doc, "process.executable");
    struct sv name = ecs_get_str(doc, "process.name");
    ptrdiff_t slash = -1;

    for (size_t i = 0; i < exe.len; i++) {
        if (exe.p[i] == '/') {
            slash = (ptrdiff_t)i;
        }
    }
    if (exe.p != NULL) {
        name = sv_skip(exe, (size_t)(slash + 1));
    }
    return sv_eq_cstr(name, "sshd") || sv_eq_cstr(name, "sshd-session") ||
           sv_eq_cstr(name, "sshd-auth");
}

/*
 * Auditbeat's auditd module: {"event":{"module":"auditd","action":
 * "logged-in","outcome":"success"},"process":{"executable":
 * "/usr/sbin/sshd","pid":1234},"user":{"name":"alice","audit":{"id":"1000"}},
 * "auditd":{"session":"7"},"source":{"ip":"192.0.2.1"}}.
 */
static enum parse_status
on_auditd_login(struct ecs_state *st, const cJSON *doc, struct sv action,
                struct sv outcome, const char **reason)
{
    struct event *ev = &st->ev;
    bool ok = sv_eq_cstr(outcome, "success");

    if (!is_sshd_process(doc)) {
        *reason = "auditd login by a program other than sshd";
        return PARSE_SKIP;
    }
    if (sv_eq_cstr(action, "authenticated")) {
        ev->kind = ok ? EVENT_AUTH_SUCCESS : EVENT_AUTH_FAILURE;
    } else {
        ev->kind = ok ? EVENT_USER_LOGIN : EVENT_AUTH_FAILURE;
    }
    ev->result = ok ? EVENT_RESULT_SUCCESS : EVENT_RESULT_FAILURE;
    event_set_str(ev, EVENT_PROGRAM, SV_LIT("sshd"));
    set_str_from(ev, EVENT_USER, doc, PATHS("user.name", "user.audit.name"));
    set_str_from(ev, EVENT_SRC_IP, doc, PATHS("source.ip"));
    set_num_from(ev, EVENT_SRC_PORT, doc, PATHS("source.port"));
    set_num_from(ev, EVENT_PID, doc, PATHS("process.pid"));
    set_audit_ids(ev, doc);
    return PARSE_OK;
}

/* Copies process.args into argv, or process.command_line as one string. */
static void
set_command(struct event *ev, const cJSON *doc)
{
    const cJSON *args = ecs_get(doc, "process.args");
    const cJSON *arg;

    if (cJSON_IsArray(args) && cJSON_GetArraySize(args) > 0) {
        cJSON_ArrayForEach(arg, args) {
            if (cJSON_IsString(arg) && arg->valuestring != NULL) {
                event_add_arg(ev, sv_cstr(arg->valuestring));
            }
        }
        return;
    }
    set_str_from(ev, EVENT_CMDLINE, doc, PATHS("process.command_line"));
}

/*
 * A process start: {"event":{"category":["process"],"type":["start"]},
 * "process":{"executable":"/usr/bin/id","args":["id"],"pid":4251,
 * "parent":{"pid":4250},"working_directory":"/root","entry_leader":{
 * "entity_id":"...","entry_meta":{"type":"sshd"},"pid":4240}},
 * "user":{"id":"0","name":"root"}}.
 */
static enum parse_status
on_exec(struct ecs_state *st, const cJSON *doc)
{
    struct event *ev = &st->ev;
    int64_t leader_pid;
    char detail[64];

    ev->kind = EVENT_EXEC;
    ev->result = EVENT_RESULT_SUCCESS;
    set_str_from(ev, EVENT_EXE, doc, PATHS("process.executable"));
    set_command(ev, doc);
    set_num_from(ev, EVENT_PID, doc, PATHS("process.pid"));
    set_num_from(ev, EVENT_PPID, doc, PATHS("process.parent.pid"));
    set_str_from(ev, EVENT_PARENT_EXE, doc,
                 PATHS("process.parent.executable"));
    set_str_from(ev, EVENT_CWD, doc,
                 PATHS("process.working_directory", "process.cwd"));
    set_str_from(ev, EVENT_USER, doc, PATHS("user.name"));
    set_num_from(ev, EVENT_UID, doc, PATHS("user.id"));
    set_num_from(ev, EVENT_EUID, doc, PATHS("user.effective.id"));
    set_audit_ids(ev, doc);
    set_str_from(ev, EVENT_LOGON_ID, doc,
                 PATHS("process.entry_leader.entity_id"));

    /* The entry leader is the process that started the login session. */
    struct sv leader = ecs_get_str(doc, "process.entry_leader.entry_meta.type");
    if (leader.len > 0 && leader.len < 24 &&
        ecs_get_int(doc, "process.entry_leader.pid", &leader_pid)) {
        int n = snprintf(detail, sizeof(detail), "entry leader %.*s pid %lld",
                         (int)leader.len, leader.p, (long long)leader_pid);
        event_set_str(ev, EVENT_DETAIL, sv_make(detail, (size_t)n));
    }
    return PARSE_OK;
}

/*
 * Filebeat's sudo lines: {"process":{"name":"sudo"},"user":{"name":
 * "vagrant"},"system":{"auth":{"sudo":{"command":"/bin/ls","pwd":
 * "/home/vagrant","tty":"pts/0","user":"root"}}}}.
 */
static enum parse_status
on_sudo(struct ecs_state *st, const cJSON *doc, const char **reason)
{
    struct event *ev = &st->ev;

    if (ecs_get(doc, "system.auth.sudo.error") != NULL) {
        *reason = "sudo command refused";
        return PARSE_SKIP;
    }
    ev->kind = EVENT_EXEC;
    ev->result = EVENT_RESULT_SUCCESS;
    event_set_str(ev, EVENT_PROGRAM, SV_LIT("sudo"));
    set_str_from(ev, EVENT_CMDLINE, doc, PATHS("system.auth.sudo.command"));
    set_str_from(ev, EVENT_CWD, doc, PATHS("system.auth.sudo.pwd"));
    set_str_from(ev, EVENT_TTY, doc, PATHS("system.auth.sudo.tty"));
    set_str_from(ev, EVENT_USER, doc, PATHS("user.name", "system.auth.user"));
    set_num_from(ev, EVENT_PID, doc, PATHS("process.pid", "system.auth.pid"));
    return PARSE_OK;
}

static bool
is_process_start(const cJSON *doc, struct sv action)
{
    if (sv_eq_cstr(action, "exec") || sv_eq_cstr(action, "executed") ||
        sv_eq_cstr(action, "process_started")) {
        return true;
    }
    return ecs_has_value(doc, "event.category", "process") &&
           ecs_has_value(doc, "event.type", "start");
}

/* Chooses the handler for one parsed object. */
static enum parse_status
classify(struct ecs_state *st, const cJSON *doc, const char **reason)
{
    struct sv action = ecs_get_str(doc, "event.action");
    struct sv outcome = ecs_get_str(doc, "event.outcome");
    struct sv module = ecs_get_str(doc, "event.module");
    struct sv ssh_event = ecs_get_str(doc, "system.auth.ssh.event");

    if (sv_eq_cstr(action, "ssh_login") ||
        (action.p == NULL && ssh_event.p != NULL)) {
        return on_ssh_login(st, doc, ssh_event, outcome, reason);
    }
    if (sv_eq_cstr(action, "user_login") ||
        sv_eq_cstr(action, "user_logout")) {
        return on_utmp_login(st, doc, action, outcome);
    }
    if (sv_eq_cstr(module, "auditd") &&
        (sv_eq_cstr(action, "authenticated") ||
         sv_eq_cstr(action, "logged-in"))) {
        return on_auditd_login(st, doc, action, outcome, reason);
    }
    if (is_process_start(doc, action)) {
        return on_exec(st, doc);
    }
    if (ecs_get(doc, "system.auth.sudo.command") != NULL) {
        return on_sudo(st, doc, reason);
    }
    *reason = "ECS event not used";
    return PARSE_SKIP;
}

/* Parses one complete object and emits its event. */
static enum parse_status
parse_object(struct ecs_state *st, const struct event_origin *origin,
             const struct event_sink *sink, const char **reason)
{
    struct ecs_reader *r = &st->reader;
    struct event_origin at = *origin;
    enum parse_status status;

    at.line = r->start_line;
    if (r->object.dropped > 0) {
        *reason = "JSON object larger than 1 MiB";
        return PARSE_MALFORMED;
    }
    cJSON *doc = cJSON_ParseWithLength(r->object.data, r->object.len);
    if (doc == NULL) {
        *reason = "invalid JSON";
        return PARSE_MALFORMED;
    }
    if (!set_common(st, doc, &at)) {
        cJSON_Delete(doc);
        *reason = "missing or invalid @timestamp";
        return PARSE_MALFORMED;
    }
    status = classify(st, doc, reason);
    if (status == PARSE_OK) {
        sink->emit(sink->arg, &st->ev);
    }
    cJSON_Delete(doc);
    return status;
}

static int
ecs_probe(struct sv line)
{
    int score = 0;

    if (sv_find(line, SV_LIT("\"@timestamp\"")) >= 0) {
        score += 30;
    }
    if (sv_find(line, SV_LIT("\"ecs\"")) >= 0 ||
        sv_find(line, SV_LIT("\"ecs.version\"")) >= 0 ||
        sv_find(line, SV_LIT("\"event.action\"")) >= 0 ||
        sv_find(line, SV_LIT("\"fileset.module\"")) >= 0 ||
        sv_find(line, SV_LIT("\"system.auth.")) >= 0) {
        score += 40;
    }
    if (sv_find(line, SV_LIT("\"event\":{")) >= 0 ||
        sv_find(line, SV_LIT("\"event\": {")) >= 0) {
        score += 20;
    }
    return score > 100 ? 100 : score;
}

static void *
ecs_open(const struct format_opts *opts)
{
    struct ecs_state *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        return NULL;
    }
    st->opts = *opts;
    ecs_reader_init(&st->reader);
    event_init(&st->ev);
    return st;
}

static void
ecs_close(void *state)
{
    struct ecs_state *st = state;

    if (st == NULL) {
        return;
    }
    ecs_reader_fini(&st->reader);
    event_fini(&st->ev);
    free(st);
}

/*
 * Reads one line: a whole object ({"@timestamp":"2025-02-21T21:54:44.000Z",
 * "event":{"action":"ssh_login",...}}), or part of a pretty-printed object
 * or array.  The status is that of the last object completed on the line,
 * PARSE_OK while an object is still open.
 */
static enum parse_status
ecs_feed(void *state, struct sv line, const struct event_origin *origin,
         const struct event_sink *sink, const char **reason)
{
    struct ecs_state *st = state;
    struct sv rest = line;
    enum parse_status status = PARSE_OK;
    bool completed = false;

    for (;;) {
        enum ecs_scan scan = ecs_reader_next(&st->reader, &rest,
                                             origin->line);
        if (scan == ECS_SCAN_END) {
            break;
        }
        if (scan == ECS_SCAN_GARBAGE) {
            *reason = "text outside a JSON object";
            return PARSE_MALFORMED;
        }
        if (scan == ECS_SCAN_RESTART) {
            /* NOTE: an object cut before a new one is counted on the new
             * line, with the new object's events. */
            *reason = "unterminated JSON object";
            status = PARSE_MALFORMED;
            completed = true;
            continue;
        }
        enum parse_status one = parse_object(st, origin, sink, reason);
        if (!completed || one != PARSE_OK) {
            status = one;
        }
        completed = true;
    }
    if (completed || ecs_reader_is_open(&st->reader)) {
        return status;
    }
    *reason = sv_trim(line).len > 0 ? "JSON array bracket" : "empty line";
    return PARSE_SKIP;
}

const struct format_ops ecs_format = {
    .name = "ecs",
    .description = "Elastic ECS JSON from auditbeat and filebeat",
    .platform = "linux",
    .probe = ecs_probe,
    .open = ecs_open,
    .close = ecs_close,
    .feed = ecs_feed,
    .flush = NULL,
};
