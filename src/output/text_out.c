/*
 * Text writers for a terminal.  Every value from a log goes through
 * escape_text, which turns control bytes into \xHH and caps long values with
 * a marker, so a crafted user name or command cannot move the cursor, change
 * colours or hide lines.
 */
#include "output/output.h"

#include <stdio.h>

#include "core/escape.h"
#include "core/timeconv.h"

/* Maximum bytes of a value printed whole; longer ones end in
 * "...[+N bytes]". */
#define TEXT_FIELD_MAX 256
#define TEXT_CMD_MAX 1024

static void
add_time(struct buf *out, const struct event_time *t)
{
    char tmp[40];
    buf_add(out, tmp, time_format(t, tmp));
}

static void
add_value(struct buf *out, struct sv v, size_t max)
{
    if (v.p == NULL) {
        buf_add_char(out, '-');
        return;
    }
    escape_text(out, v, max);
}

static void
add_field(struct buf *out, const char *name, const struct event *ev,
          enum event_str f)
{
    if (!event_has_str(ev, f)) {
        return;
    }
    buf_add_char(out, ' ');
    buf_add_cstr(out, name);
    buf_add_char(out, '=');
    add_value(out, event_str(ev, f), TEXT_FIELD_MAX);
}

static void
add_num(struct buf *out, const char *name, const struct event *ev,
        enum event_num f)
{
    if (!event_has_num(ev, f)) {
        return;
    }
    buf_add_char(out, ' ');
    buf_add_cstr(out, name);
    buf_add_char(out, '=');
    buf_add_i64(out, event_num(ev, f, 0));
}

static void
add_cmd(struct buf *out, const struct event *ev)
{
    struct buf cmd;

    buf_init(&cmd, 1024 * 1024);
    output_cmd_line(&cmd, ev);
    escape_text(out, sv_make(cmd.data ? cmd.data : "", cmd.len),
                TEXT_CMD_MAX);
    buf_fini(&cmd);
}

void
output_event_text(struct buf *out, const struct event *ev)
{
    add_time(out, &ev->time);
    buf_add_char(out, ' ');
    add_value(out, event_str(ev, EVENT_HOST), TEXT_FIELD_MAX);
    buf_add_char(out, ' ');
    buf_add_cstr(out, event_kind_name(ev->kind));
    add_field(out, "user", ev, EVENT_USER);
    add_num(out, "uid", ev, EVENT_UID);
    add_field(out, "src", ev, EVENT_SRC_IP);
    add_num(out, "port", ev, EVENT_SRC_PORT);
    add_field(out, "method", ev, EVENT_AUTH_METHOD);
    add_field(out, "key", ev, EVENT_KEY_FP);
    add_num(out, "pid", ev, EVENT_PID);
    add_num(out, "ppid", ev, EVENT_PPID);
    add_num(out, "ses", ev, EVENT_SES);
    add_num(out, "auid", ev, EVENT_AUID);
    add_field(out, "exe", ev, EVENT_EXE);
    add_field(out, "tty", ev, EVENT_TTY);
    if (ev->argc > 0 || event_has_str(ev, EVENT_CMDLINE)) {
        buf_add_cstr(out, " cmd=");
        add_cmd(out, ev);
    }
    buf_add_char(out, '\n');
}

static void
add_session_header(struct buf *out, const struct session *s)
{
    const struct event *ev = &s->ev;

    add_time(out, &s->start);
    buf_add_cstr(out, "  ");
    add_value(out, event_str(ev, EVENT_USER), TEXT_FIELD_MAX);
    buf_add_char(out, '@');
    add_value(out, event_str(ev, EVENT_HOST), TEXT_FIELD_MAX);
    buf_add_cstr(out, " from ");
    add_value(out, event_str(ev, EVENT_SRC_IP), TEXT_FIELD_MAX);
    if (event_has_num(ev, EVENT_SRC_PORT)) {
        buf_add_cstr(out, " port ");
        buf_add_i64(out, event_num(ev, EVENT_SRC_PORT, 0));
    }
    add_field(out, "method", ev, EVENT_AUTH_METHOD);
    add_field(out, "key", ev, EVENT_KEY_FP);
    if (s->has_ses) {
        buf_add_cstr(out, " ses=");
        buf_add_i64(out, s->ses);
    }
    if (!s->login_seen) {
        buf_add_cstr(out, " (login not seen)");
    }
    if (s->has_end) {
        buf_add_cstr(out, " ended ");
        add_time(out, &s->end);
    }
    buf_add_char(out, '\n');
}

static void
add_executions(struct buf *out, const struct session *s)
{
    for (uint32_t i = 0; i < s->nexecs; i++) {
        const struct session_exec *x = &s->execs[i];
        buf_add_cstr(out, "    ");
        add_time(out, &x->ev->time);
        buf_add_char(out, ' ');
        buf_add_cstr(out, linkage_name(x->linkage));
        add_num(out, "pid", x->ev, EVENT_PID);
        buf_add_cstr(out, "  ");
        add_cmd(out, x->ev);
        buf_add_char(out, '\n');
    }
    if (s->execs_dropped) {
        buf_add_cstr(out, "    ... ");
        buf_add_i64(out, (long long)s->execs_dropped);
        buf_add_cstr(out, " more executions not kept\n");
    }
}

void
output_session_text(struct buf *out, const struct session *s,
                    const struct output_opts *o)
{
    (void)o;
    add_session_header(out, s);
    add_executions(out, s);
}

void
output_finding_text(struct buf *out, const struct session *s,
                    const struct score *sc, const struct output_opts *o)
{
    char uid[33];

    output_finding_uid(s, uid);
    buf_add_cstr(out, score_severity_name(sc->severity_id));
    buf_add_cstr(out, " risk ");
    buf_add_i64(out, sc->total);
    buf_add_cstr(out, " ");
    buf_add_cstr(out, output_analytic_uid(session_platform(s)));
    buf_add_cstr(out, " finding ");
    buf_add_cstr(out, uid);
    if (o->suppression != NULL) {
        if (o->suppression->index >= 0) {
            buf_add_cstr(out, " SUPPRESSED by allowlist entry ");
            buf_add_i64(out, o->suppression->index);
            buf_add_cstr(out, " (");
        } else {
            buf_add_cstr(out, " SUPPRESSED as known automation (");
        }
        escape_text(out, sv_cstr(o->suppression->reason), TEXT_FIELD_MAX);
        buf_add_cstr(out, ", owner ");
        escape_text(out, sv_cstr(o->suppression->owner), TEXT_FIELD_MAX);
        buf_add_cstr(out, ", expires ");
        buf_add_cstr(out, o->suppression->expires);
        buf_add_char(out, ')');
    }
    buf_add_char(out, '\n');
    buf_add_cstr(out, "  ");
    add_session_header(out, s);
    for (int i = 0; i < sc->nreasons; i++) {
        buf_add_cstr(out, "  reason ");
        buf_add_cstr(out, score_reason_name(sc->reasons[i].code));
        buf_add_cstr(out, " +");
        buf_add_i64(out, sc->reasons[i].weight);
        buf_add_cstr(out, ": ");
        escape_text(out, sv_cstr(sc->reasons[i].evidence), TEXT_FIELD_MAX);
        buf_add_char(out, '\n');
    }
    add_executions(out, s);
    buf_add_char(out, '\n');
}
