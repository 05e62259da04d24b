/*
 * The self-contained HTML report: one page with inline CSS and no script
 * or external resource, so it opens offline and can be attached to a
 * ticket.  Every value from a log is HTML-escaped after control bytes were
 * turned into \xHH, so log text can neither inject markup nor hide itself.
 */
#include "output/output.h"

#include <stdio.h>

#include "core/escape.h"
#include "core/timeconv.h"

/* Maximum bytes of one value shown whole; longer ones are cut with a
 * marker, as in text output. */
#define HTML_FIELD_MAX 512
#define HTML_CMD_MAX 2048

static const char page_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width\">\n"
    "<title>sshtrail report</title>\n<style>\n"
    "body{font-family:system-ui,sans-serif;margin:2em;color:#1b1b1b}\n"
    "h1{font-size:1.4em}h2{font-size:1.1em;margin:0}\n"
    "section{border:1px solid #ccc;border-radius:6px;padding:1em;"
    "margin:1em 0}\n"
    ".sev5,.sev4{border-left:6px solid #b00020}.sev3{border-left:6px solid "
    "#e08000}.sev2{border-left:6px solid #c8b400}.sev1{border-left:6px "
    "solid #888}\n"
    "table{border-collapse:collapse;margin-top:.6em}td,th{padding:2px 8px;"
    "text-align:left;vertical-align:top}th{background:#f2f2f2}\n"
    "code{font-family:ui-monospace,monospace;white-space:pre-wrap;"
    "word-break:break-all}\n.meta{color:#555}\n"
    "</style>\n</head>\n<body>\n<h1>sshtrail report</h1>\n";

/* Appends v escaped for HTML text and attribute values. */
static void
add_html(struct buf *out, struct sv v, size_t max)
{
    struct buf plain;

    buf_init(&plain, 4 * max + 64);
    escape_text(&plain, v, max);
    for (size_t i = 0; i < plain.len; i++) {
        switch (plain.data[i]) {
        case '&':
            buf_add_cstr(out, "&amp;");
            break;
        case '<':
            buf_add_cstr(out, "&lt;");
            break;
        case '>':
            buf_add_cstr(out, "&gt;");
            break;
        case '"':
            buf_add_cstr(out, "&quot;");
            break;
        case '\'':
            buf_add_cstr(out, "&#39;");
            break;
        default:
            buf_add_char(out, plain.data[i]);
            break;
        }
    }
    buf_fini(&plain);
}

static void
add_time(struct buf *out, const struct event_time *t)
{
    char tmp[40];
    buf_add(out, tmp, time_format(t, tmp));
}

static void
add_row(struct buf *out, const char *name, struct sv value)
{
    if (value.p == NULL) {
        return;
    }
    buf_add_cstr(out, "<tr><th>");
    buf_add_cstr(out, name);
    buf_add_cstr(out, "</th><td><code>");
    add_html(out, value, HTML_FIELD_MAX);
    buf_add_cstr(out, "</code></td></tr>\n");
}

static void
add_num_row(struct buf *out, const char *name, const struct event *ev,
            enum event_num f)
{
    char tmp[24];

    if (!event_has_num(ev, f)) {
        return;
    }
    snprintf(tmp, sizeof(tmp), "%lld", (long long)event_num(ev, f, 0));
    add_row(out, name, sv_cstr(tmp));
}

static void
add_login_table(struct buf *out, const struct session *s)
{
    const struct event *ev = &s->ev;
    char tmp[40];

    buf_add_cstr(out, "<table>\n");
    add_row(out, "host", event_str(ev, EVENT_HOST));
    add_row(out, "user", event_str(ev, EVENT_USER));
    add_num_row(out, "uid", ev, EVENT_UID);
    add_row(out, "source", event_str(ev, EVENT_SRC_IP));
    add_num_row(out, "source port", ev, EVENT_SRC_PORT);
    add_row(out, "method", event_str(ev, EVENT_AUTH_METHOD));
    add_row(out, "key", event_str(ev, EVENT_KEY_FP));
    add_row(out, "session type", event_str(ev, EVENT_SESSION_TYPE));
    time_format(&s->start, tmp);
    add_row(out, "start", sv_cstr(tmp));
    if (s->has_end) {
        time_format(&s->end, tmp);
        add_row(out, "end", sv_cstr(tmp));
    }
    if (s->has_ses) {
        snprintf(tmp, sizeof(tmp), "%lld", (long long)s->ses);
        add_row(out, "audit session", sv_cstr(tmp));
    }
    if (!s->login_seen) {
        add_row(out, "login", SV_LIT("not in the input"));
    }
    buf_add_cstr(out, "</table>\n");
}

static void
add_executions(struct buf *out, const struct session *s)
{
    struct buf cmd;

    if (s->nexecs == 0) {
        return;
    }
    buf_init(&cmd, 1024 * 1024);
    buf_add_cstr(out, "<table>\n<tr><th>time</th><th>pid</th><th>linked by"
                      "</th><th>command</th></tr>\n");
    for (uint32_t i = 0; i < s->nexecs; i++) {
        const struct session_exec *x = &s->execs[i];
        buf_add_cstr(out, "<tr><td>");
        add_time(out, &x->ev->time);
        buf_add_cstr(out, "</td><td>");
        if (event_has_num(x->ev, EVENT_PID)) {
            buf_add_i64(out, event_num(x->ev, EVENT_PID, 0));
        }
        buf_add_cstr(out, "</td><td>");
        buf_add_cstr(out, linkage_name(x->linkage));
        buf_add_cstr(out, "</td><td><code>");
        buf_clear(&cmd);
        output_cmd_line(&cmd, x->ev);
        add_html(out, sv_make(cmd.data ? cmd.data : "", cmd.len),
                 HTML_CMD_MAX);
        buf_add_cstr(out, "</code></td></tr>\n");
    }
    buf_add_cstr(out, "</table>\n");
    if (s->execs_dropped) {
        buf_add_cstr(out, "<p class=\"meta\">");
        buf_add_i64(out, (long long)s->execs_dropped);
        buf_add_cstr(out, " more executions not kept</p>\n");
    }
    buf_fini(&cmd);
}

void
output_html_begin(struct buf *out)
{
    buf_add_cstr(out, page_head);
}

void
output_html_end(struct buf *out, uint64_t count, const char *what,
                const char *version)
{
    buf_add_cstr(out, "<p class=\"meta\">");
    buf_add_i64(out, (long long)count);
    buf_add_char(out, ' ');
    buf_add_cstr(out, what);
    buf_add_cstr(out, ", written by sshtrail ");
    buf_add_cstr(out, version);
    buf_add_cstr(out, ".</p>\n</body>\n</html>\n");
}

void
output_finding_html(struct buf *out, const struct session *s,
                    const struct score *sc, const struct output_opts *o)
{
    char uid[33];

    output_finding_uid(s, uid);
    buf_add_cstr(out, "<section class=\"sev");
    buf_add_i64(out, sc->severity_id);
    buf_add_cstr(out, "\">\n<h2>");
    buf_add_cstr(out, score_severity_name(sc->severity_id));
    buf_add_cstr(out, " &middot; risk ");
    buf_add_i64(out, sc->total);
    buf_add_cstr(out, " &middot; ");
    add_html(out, event_str(&s->ev, EVENT_USER), 128);
    buf_add_char(out, '@');
    add_html(out, event_str(&s->ev, EVENT_HOST), 128);
    buf_add_cstr(out, " from ");
    add_html(out, event_str(&s->ev, EVENT_SRC_IP), 128);
    buf_add_cstr(out, "</h2>\n<p class=\"meta\">");
    buf_add_cstr(out, output_analytic_uid(session_platform(s)));
    buf_add_cstr(out, " (DET0596, T1021.004) &middot; finding ");
    buf_add_cstr(out, uid);
    if (o->suppression != NULL) {
        if (o->suppression->index >= 0) {
            buf_add_cstr(out, " &middot; <b>suppressed</b> by allowlist "
                              "entry ");
            buf_add_i64(out, o->suppression->index);
            buf_add_cstr(out, ": ");
        } else {
            buf_add_cstr(out, " &middot; <b>suppressed</b> as known "
                              "automation: ");
        }
        add_html(out, sv_cstr(o->suppression->reason), HTML_FIELD_MAX);
        buf_add_cstr(out, " (owner ");
        add_html(out, sv_cstr(o->suppression->owner), HTML_FIELD_MAX);
        buf_add_cstr(out, ", expires ");
        buf_add_cstr(out, o->suppression->expires);
        buf_add_char(out, ')');
    }
    buf_add_cstr(out, "</p>\n");
    add_login_table(out, s);
    if (sc->nreasons > 0) {
        buf_add_cstr(out, "<table>\n<tr><th>reason</th><th>weight</th>"
                          "<th>evidence</th></tr>\n");
        for (int i = 0; i < sc->nreasons; i++) {
            buf_add_cstr(out, "<tr><td>");
            buf_add_cstr(out, score_reason_name(sc->reasons[i].code));
            buf_add_cstr(out, "</td><td>+");
            buf_add_i64(out, sc->reasons[i].weight);
            buf_add_cstr(out, "</td><td>");
            add_html(out, sv_cstr(sc->reasons[i].evidence), HTML_FIELD_MAX);
            buf_add_cstr(out, "</td></tr>\n");
        }
        buf_add_cstr(out, "</table>\n");
    }
    add_executions(out, s);
    buf_add_cstr(out, "</section>\n");
}

void
output_session_html(struct buf *out, const struct session *s,
                    const struct output_opts *o)
{
    buf_add_cstr(out, "<section>\n<h2>");
    add_html(out, event_str(&s->ev, EVENT_USER), 128);
    buf_add_char(out, '@');
    add_html(out, event_str(&s->ev, EVENT_HOST), 128);
    buf_add_cstr(out, "</h2>\n");
    add_login_table(out, s);
    add_executions(out, s);
    buf_add_cstr(out, "</section>\n");
    (void)o;
}
