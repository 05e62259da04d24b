/*
 * JSON writers: one object per line for events, sessions and OCSF
 * Detection Findings (class 2004).  docs/output.md describes every field.
 */
#include "output/output.h"

#include <stdio.h>

#include "core/escape.h"
#include "core/jsonw.h"
#include "core/timeconv.h"

static int64_t
time_ms(const struct event_time *t)
{
    return t->sec * 1000 + t->nsec / 1000000;
}

/* The number of recent times a time_memo keeps. */
#define TIME_MEMO_SLOTS 4

/*
 * The RFC 3339 text of the times a record writer formatted last.  A
 * finding writes its start time four times and each execution's time
 * twice, and formatting converts the epoch to a civil date each time.
 */
struct time_memo {
    struct {
        struct event_time t;
        unsigned int used;      /* memo clock at the last use; 0 unused */
        size_t len;
        char text[40];
    } slot[TIME_MEMO_SLOTS];
    unsigned int clock;
};

static void
time_memo_init(struct time_memo *m)
{
    memset(m, 0, sizeof(*m));
}

/* Returns t as RFC 3339 text, valid until the next call with m. */
static struct sv
time_memo_text(struct time_memo *m, const struct event_time *t)
{
    int oldest = 0;

    m->clock++;
    for (int i = 0; i < TIME_MEMO_SLOTS; i++) {
        if (m->slot[i].used != 0 && m->slot[i].t.sec == t->sec &&
            m->slot[i].t.nsec == t->nsec &&
            m->slot[i].t.digits == t->digits) {
            m->slot[i].used = m->clock;
            return sv_make(m->slot[i].text, m->slot[i].len);
        }
        if (m->slot[i].used < m->slot[oldest].used) {
            oldest = i;
        }
    }
    m->slot[oldest].t = *t;
    m->slot[oldest].used = m->clock;
    m->slot[oldest].len = time_format(t, m->slot[oldest].text);
    return sv_make(m->slot[oldest].text, m->slot[oldest].len);
}

static void
write_time(struct jsonw *w, struct time_memo *m, const char *key,
           const struct event_time *t)
{
    jsonw_str(w, key, time_memo_text(m, t));
}

/*
 * Writes "key": epoch milliseconds and "key_dt" (dt_key): RFC 3339, as
 * OCSF does.
 */
static void
write_ocsf_time(struct jsonw *w, struct time_memo *m, const char *key,
                const char *dt_key, const struct event_time *t)
{
    jsonw_int(w, key, time_ms(t));
    write_time(w, m, dt_key, t);
}

static void
write_str_field(struct jsonw *w, const struct event *ev, enum event_str f,
                const char *key)
{
    if (event_has_str(ev, f)) {
        jsonw_str(w, key ? key : event_str_name(f), event_str(ev, f));
    }
}

static void
write_num_field(struct jsonw *w, const struct event *ev, enum event_num f,
                const char *key)
{
    if (event_has_num(ev, f)) {
        jsonw_int(w, key ? key : event_num_name(f), event_num(ev, f, 0));
    }
}

static void
write_argv(struct jsonw *w, const char *key, const struct event *ev)
{
    jsonw_arr_begin(w, key);
    for (uint32_t i = 0; i < ev->argc; i++) {
        jsonw_str(w, NULL, event_arg(ev, i));
    }
    jsonw_arr_end(w);
}

static void
write_origin(struct jsonw *w, const struct event_origin *o)
{
    jsonw_obj_begin(w, "origin");
    jsonw_cstr(w, "format", o->format ? o->format : "");
    jsonw_cstr(w, "file", o->file ? o->file : "");
    jsonw_int(w, "line", (int64_t)o->line);
    jsonw_obj_end(w);
}

void
output_event_json(struct buf *out, const struct event *ev)
{
    struct jsonw w;
    struct time_memo times;

    time_memo_init(&times);
    jsonw_init(&w, out);
    jsonw_obj_begin(&w, NULL);
    write_time(&w, &times, "time", &ev->time);
    write_str_field(&w, ev, EVENT_HOST, NULL);
    jsonw_cstr(&w, "kind", event_kind_name(ev->kind));
    if (ev->result != EVENT_RESULT_NONE) {
        jsonw_cstr(&w, "result", ev->result == EVENT_RESULT_SUCCESS
                                     ? "success" : "failure");
    }
    write_str_field(&w, ev, EVENT_USER, NULL);
    write_num_field(&w, ev, EVENT_UID, NULL);
    write_num_field(&w, ev, EVENT_EUID, NULL);
    write_str_field(&w, ev, EVENT_SRC_IP, NULL);
    write_num_field(&w, ev, EVENT_SRC_PORT, NULL);
    write_str_field(&w, ev, EVENT_AUTH_METHOD, NULL);
    write_str_field(&w, ev, EVENT_KEY_TYPE, NULL);
    write_str_field(&w, ev, EVENT_KEY_FP, NULL);
    write_num_field(&w, ev, EVENT_PID, NULL);
    write_num_field(&w, ev, EVENT_PPID, NULL);
    write_num_field(&w, ev, EVENT_SES, NULL);
    write_num_field(&w, ev, EVENT_AUID, NULL);
    write_str_field(&w, ev, EVENT_EXE, NULL);
    if (ev->argc > 0 || ev->kind == EVENT_EXEC) {
        write_argv(&w, "argv", ev);
    }
    write_str_field(&w, ev, EVENT_CWD, NULL);
    write_str_field(&w, ev, EVENT_TTY, NULL);
    write_str_field(&w, ev, EVENT_PROGRAM, NULL);
    write_str_field(&w, ev, EVENT_SESSION_TYPE, NULL);
    write_str_field(&w, ev, EVENT_DETAIL, NULL);
    write_str_field(&w, ev, EVENT_CMDLINE, NULL);
    write_str_field(&w, ev, EVENT_PARENT_EXE, NULL);
    write_str_field(&w, ev, EVENT_DST_IP, NULL);
    write_num_field(&w, ev, EVENT_DST_PORT, NULL);
    write_str_field(&w, ev, EVENT_LOGON_ID, NULL);
    write_str_field(&w, ev, EVENT_PLATFORM, NULL);
    write_num_field(&w, ev, EVENT_SERIAL, NULL);
    write_num_field(&w, ev, EVENT_CHILD_PID, NULL);
    if (ev->truncated) {
        jsonw_bool(&w, "truncated", true);
    }
    write_origin(&w, &ev->origin);
    jsonw_obj_end(&w);
    buf_add_char(out, '\n');
}

static const char *
strongest_linkage(const struct session *s)
{
    enum linkage best = LINK_COUNT;

    for (uint32_t i = 0; i < s->nexecs; i++) {
        if (s->execs[i].linkage < best) {
            best = s->execs[i].linkage;
        }
    }
    return best == LINK_COUNT ? NULL : linkage_name(best);
}

static void
write_sources(struct jsonw *w, const struct session *s)
{
    jsonw_arr_begin(w, "sources");
    if (s->sources & SESSION_SRC_SSHD) {
        jsonw_cstr(w, NULL, "sshd");
    }
    if (s->sources & SESSION_SRC_AUDIT) {
        jsonw_cstr(w, NULL, "audit");
    }
    if (s->sources & SESSION_SRC_NETWORK) {
        jsonw_cstr(w, NULL, "network");
    }
    if (s->sources & SESSION_SRC_OTHER) {
        jsonw_cstr(w, NULL, "other");
    }
    jsonw_arr_end(w);
}

static void
write_execution(struct jsonw *w, struct time_memo *tm,
                const struct session_exec *x)
{
    const struct event *ev = x->ev;

    jsonw_obj_begin(w, NULL);
    write_time(w, tm, "time", &ev->time);
    write_num_field(w, ev, EVENT_PID, NULL);
    write_num_field(w, ev, EVENT_PPID, NULL);
    write_num_field(w, ev, EVENT_UID, NULL);
    write_num_field(w, ev, EVENT_EUID, NULL);
    write_str_field(w, ev, EVENT_EXE, NULL);
    write_argv(w, "argv", ev);
    write_str_field(w, ev, EVENT_CMDLINE, NULL);
    write_str_field(w, ev, EVENT_CWD, NULL);
    if (ev->result == EVENT_RESULT_FAILURE) {
        jsonw_bool(w, "failed", true);
    }
    jsonw_cstr(w, "linkage", linkage_name(x->linkage));
    write_origin(w, &ev->origin);
    jsonw_obj_end(w);
}

static void
write_timeline(struct jsonw *w, struct time_memo *tm,
               const struct session *s)
{
    jsonw_arr_begin(w, "timeline");
    for (uint32_t i = 0; i < s->ntimeline; i++) {
        const struct session_mark *m = &s->timeline[i];
        jsonw_obj_begin(w, NULL);
        write_time(w, tm, "time", &m->time);
        jsonw_cstr(w, "kind", event_kind_name(m->kind));
        jsonw_cstr(w, "format", m->format ? m->format : "");
        jsonw_int(w, "line", (int64_t)m->line);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
}

void
output_session_json(struct buf *out, const struct session *s,
                    const struct output_opts *o)
{
    struct jsonw w;
    struct time_memo times;
    const struct event *ev = &s->ev;
    const char *linkage = strongest_linkage(s);

    time_memo_init(&times);
    jsonw_init(&w, out);
    jsonw_obj_begin(&w, NULL);
    write_str_field(&w, ev, EVENT_HOST, NULL);
    write_str_field(&w, ev, EVENT_USER, NULL);
    write_num_field(&w, ev, EVENT_UID, NULL);
    write_str_field(&w, ev, EVENT_SRC_IP, NULL);
    write_num_field(&w, ev, EVENT_SRC_PORT, NULL);
    write_str_field(&w, ev, EVENT_AUTH_METHOD, NULL);
    write_str_field(&w, ev, EVENT_KEY_TYPE, NULL);
    write_str_field(&w, ev, EVENT_KEY_FP, NULL);
    write_str_field(&w, ev, EVENT_SESSION_TYPE, NULL);
    write_str_field(&w, ev, EVENT_TTY, NULL);
    write_time(&w, &times, "start", &s->start);
    if (s->has_end) {
        write_time(&w, &times, "end", &s->end);
    }
    jsonw_bool(&w, "login_seen", s->login_seen);
    if (s->has_ses) {
        jsonw_int(&w, "audit_session", s->ses);
    }
    if (s->has_pid) {
        jsonw_int(&w, "sshd_pid", s->sshd_pid);
    }
    if (linkage != NULL) {
        jsonw_cstr(&w, "linkage", linkage);
    }
    write_sources(&w, s);
    jsonw_int(&w, "failures_before", (int64_t)s->failures_before);
    if (s->ssh_enabled_before) {
        jsonw_bool(&w, "ssh_enabled_before", true);
    }
    jsonw_arr_begin(&w, "executions");
    for (uint32_t i = 0; i < s->nexecs; i++) {
        write_execution(&w, &times, &s->execs[i]);
    }
    jsonw_arr_end(&w);
    if (s->execs_dropped) {
        jsonw_int(&w, "executions_dropped", (int64_t)s->execs_dropped);
    }
    if (s->execs_failed) {
        jsonw_int(&w, "executions_failed", (int64_t)s->execs_failed);
    }
    write_timeline(&w, &times, s);
    write_origin(&w, &ev->origin);
    jsonw_obj_end(&w);
    buf_add_char(out, '\n');
}

/* ---- OCSF Detection Finding -------------------------------------------- */

/*
 * Feeds v and a separator byte to two FNV-1a hashes that start from
 * different offsets.  The separator keeps "ab","c" apart from "a","bc".
 */
static void
fnv1a_pair(uint64_t h[2], struct sv v)
{
    uint64_t h1 = h[0];
    uint64_t h2 = h[1];

    for (size_t i = 0; i < v.len; i++) {
        h1 ^= (unsigned char)v.p[i];
        h1 *= 1099511628211ULL;
        h2 ^= (unsigned char)v.p[i];
        h2 *= 1099511628211ULL;
    }
    h1 ^= 0xff;
    h1 *= 1099511628211ULL;
    h2 ^= 0xff;
    h2 *= 1099511628211ULL;
    h[0] = h1;
    h[1] = h2;
}

/* Writes v as 16 lowercase hex digits, as "%016llx" does. */
static void
put_hex64(char *dst, uint64_t v)
{
    static const char hex[] = "0123456789abcdef";

    for (int i = 15; i >= 0; i--) {
        dst[i] = hex[v & 15];
        v >>= 4;
    }
}

/* output_finding_uid with the start time taken from a time_memo. */
static void
finding_uid(const struct session *s, struct time_memo *tm, char *buf)
{
    char port[BUF_I64_MAX];
    struct sv parts[5];
    uint64_t h[2] = { 14695981039346656037ULL, 0x6c62272e07bb0142ULL };

    parts[0] = event_str(&s->ev, EVENT_HOST);
    parts[1] = event_str(&s->ev, EVENT_USER);
    parts[2] = event_str(&s->ev, EVENT_SRC_IP);
    parts[3] = sv_make(port, buf_format_i64(port, (long long)event_num(
                                 &s->ev, EVENT_SRC_PORT, -1)));
    parts[4] = time_memo_text(tm, &s->start);
    for (int i = 0; i < 5; i++) {
        fnv1a_pair(h, parts[i]);
    }
    put_hex64(buf, h[0]);
    put_hex64(buf + 16, h[1]);
    buf[32] = '\0';
}

void
output_finding_uid(const struct session *s, char *buf)
{
    struct time_memo times;

    time_memo_init(&times);
    finding_uid(s, &times, buf);
}

/* 1 for the bytes that make output_cmd_line quote an argument. */
static const unsigned char shell_special[256] = {
    ['\t'] = 1, ['\n'] = 1, [' '] = 1, ['"'] = 1, ['$'] = 1, ['\''] = 1,
    ['\\'] = 1, ['`'] = 1,
};

void
output_cmd_line(struct buf *out, const struct event *ev)
{
    if (ev->argc == 0 && event_has_str(ev, EVENT_CMDLINE)) {
        buf_add_sv(out, event_str(ev, EVENT_CMDLINE));
        return;
    }
    for (uint32_t i = 0; i < ev->argc; i++) {
        struct sv arg = event_arg(ev, i);
        bool plain = arg.len > 0;

        for (size_t k = 0; k < arg.len && plain; k++) {
            plain = !shell_special[(unsigned char)arg.p[k]];
        }
        if (i > 0) {
            buf_add_char(out, ' ');
        }
        if (plain) {
            buf_add_sv(out, arg);
            continue;
        }

        /* Quote with single quotes and write each quote inside as '\''. */
        buf_add_char(out, '\'');
        while (arg.len > 0) {
            const char *q = memchr(arg.p, '\'', arg.len);
            if (q == NULL) {
                buf_add_sv(out, arg);
                break;
            }
            buf_add(out, arg.p, (size_t)(q - arg.p));
            buf_add(out, "'\\''", 4);
            arg = sv_skip(arg, (size_t)(q - arg.p) + 1);
        }
        buf_add_char(out, '\'');
    }
}

const char *
output_analytic_uid(const char *platform)
{
    if (platform == NULL) {
        return "AN1638";
    }
    if (strcmp(platform, "macos") == 0) {
        return "AN1639";
    }
    if (strcmp(platform, "esxi") == 0) {
        return "AN1640";
    }
    return "AN1638";
}

static const char *
analytic_name(const char *uid)
{
    if (strcmp(uid, "AN1639") == 0) {
        return "macOS: SSH login in the unified log followed by unusual "
               "process execution";
    }
    if (strcmp(uid, "AN1640") == 0) {
        return "ESXi: SSH login through hostd or auth.log followed by shell "
               "use";
    }
    return "Linux: SSH login through sshd followed by suspicious execution "
           "or privilege use";
}

static void
write_evidence(struct jsonw *w, struct time_memo *tm, struct buf *scratch,
               const struct session_exec *x)
{
    const struct event *ev = x->ev;

    jsonw_obj_begin(w, NULL);
    jsonw_obj_begin(w, "process");
    write_num_field(w, ev, EVENT_PID, "pid");
    buf_clear(scratch);
    output_cmd_line(scratch, ev);
    jsonw_str(w, "cmd_line", sv_make(scratch->data, scratch->len));
    if (event_has_str(ev, EVENT_EXE)) {
        jsonw_obj_begin(w, "file");
        jsonw_str(w, "path", event_str(ev, EVENT_EXE));
        jsonw_obj_end(w);
    }
    if (event_has_num(ev, EVENT_PPID)) {
        jsonw_obj_begin(w, "parent_process");
        jsonw_int(w, "pid", event_num(ev, EVENT_PPID, 0));
        jsonw_obj_end(w);
    }
    write_ocsf_time(w, tm, "created_time", "created_time_dt", &ev->time);
    jsonw_obj_end(w);

    jsonw_obj_begin(w, "data");
    write_time(w, tm, "time", &ev->time);
    write_num_field(w, ev, EVENT_PPID, NULL);
    write_argv(w, "argv", ev);
    write_str_field(w, ev, EVENT_CWD, NULL);
    write_num_field(w, ev, EVENT_UID, NULL);
    write_num_field(w, ev, EVENT_EUID, NULL);
    if (ev->result == EVENT_RESULT_FAILURE) {
        jsonw_bool(w, "failed", true);
    }
    jsonw_cstr(w, "linkage", linkage_name(x->linkage));
    write_origin(w, &ev->origin);
    jsonw_obj_end(w);
    jsonw_obj_end(w);
}

/*
 * The members that are the same in every finding, written as one piece of
 * JSON each.  The golden detect cases expect them byte for byte as jsonw
 * wrote them member by member.
 */
static const char finding_class[] =
    "\"class_uid\":2004,"
    "\"class_name\":\"Detection Finding\","
    "\"category_uid\":2,"
    "\"category_name\":\"Findings\","
    "\"activity_id\":1,"
    "\"activity_name\":\"Create\","
    "\"type_uid\":200401,"
    "\"type_name\":\"Detection Finding: Create\"";

static const char finding_title[] =
    "\"title\":\"SSH login followed by execution\","
    "\"types\":[\"DET0596\"]";

static const char finding_attacks[] =
    "\"attacks\":[{"
    "\"technique\":{\"uid\":\"T1021.004\",\"name\":\"Remote Services: SSH\"},"
    "\"tactic\":{\"uid\":\"TA0008\",\"name\":\"Lateral Movement\"}"
    "}]";

static void
write_finding_info(struct jsonw *w, struct time_memo *tm,
                   const struct session *s, const char *analytic)
{
    char uid[33];
    const struct event_time *last = &s->start;

    for (uint32_t i = 0; i < s->nexecs; i++) {
        if (event_time_cmp(&s->execs[i].ev->time, last) > 0) {
            last = &s->execs[i].ev->time;
        }
    }
    finding_uid(s, tm, uid);
    jsonw_obj_begin(w, "finding_info");
    jsonw_cstr(w, "uid", uid);
    jsonw_raw(w, finding_title, sizeof(finding_title) - 1);
    jsonw_obj_begin(w, "analytic");
    jsonw_cstr(w, "uid", analytic);
    jsonw_cstr(w, "name", analytic_name(analytic));
    jsonw_int(w, "type_id", 1);
    jsonw_cstr(w, "type", "Rule");
    jsonw_obj_end(w);
    jsonw_raw(w, finding_attacks, sizeof(finding_attacks) - 1);
    write_ocsf_time(w, tm, "first_seen_time", "first_seen_time_dt", &s->start);
    write_ocsf_time(w, tm, "last_seen_time", "last_seen_time_dt", last);
    jsonw_obj_end(w);
}

static void
write_actor(struct jsonw *w, struct time_memo *tm, const struct session *s)
{
    char tmp[BUF_I64_MAX];
    size_t n;

    jsonw_obj_begin(w, "actor");
    jsonw_obj_begin(w, "user");
    write_str_field(w, &s->ev, EVENT_USER, "name");
    if (event_has_num(&s->ev, EVENT_UID)) {
        n = buf_format_i64(tmp, (long long)event_num(&s->ev, EVENT_UID, 0));
        jsonw_str(w, "uid", sv_make(tmp, n));
    }
    jsonw_obj_end(w);
    jsonw_obj_begin(w, "session");
    if (s->has_ses) {
        n = buf_format_i64(tmp, (long long)s->ses);
        jsonw_str(w, "uid", sv_make(tmp, n));
    }
    write_ocsf_time(w, tm, "created_time", "created_time_dt", &s->start);
    if (s->has_end) {
        write_ocsf_time(w, tm, "expiration_time", "expiration_time_dt",
                        &s->end);
    }
    write_str_field(w, &s->ev, EVENT_TTY, "terminal");
    jsonw_bool(w, "is_remote", true);
    jsonw_obj_end(w);
    jsonw_obj_end(w);
}

static void
write_suppression(struct jsonw *w, const struct output_suppression *sup)
{
    jsonw_obj_begin(w, "suppressed_by");
    if (sup->index >= 0) {
        jsonw_int(w, "allowlist_index", sup->index);
        jsonw_int(w, "line", (int64_t)sup->line);
    } else {
        jsonw_cstr(w, "automation_marker", sup->reason ? sup->reason : "");
    }
    jsonw_cstr(w, "reason", sup->reason ? sup->reason : "");
    jsonw_cstr(w, "owner", sup->owner ? sup->owner : "");
    jsonw_cstr(w, "expires", sup->expires);
    jsonw_obj_end(w);
}

static void
write_unmapped(struct jsonw *w, const struct session *s,
               const struct score *sc, const struct output_suppression *sup)
{
    jsonw_obj_begin(w, "unmapped");
    write_str_field(w, &s->ev, EVENT_AUTH_METHOD, NULL);
    write_str_field(w, &s->ev, EVENT_KEY_TYPE, NULL);
    write_str_field(w, &s->ev, EVENT_KEY_FP, NULL);
    write_str_field(w, &s->ev, EVENT_SESSION_TYPE, NULL);
    if (s->has_pid) {
        jsonw_int(w, "sshd_pid", s->sshd_pid);
    }
    write_sources(w, s);
    jsonw_arr_begin(w, "reasons");
    for (int i = 0; i < sc->nreasons; i++) {
        jsonw_obj_begin(w, NULL);
        jsonw_cstr(w, "code", score_reason_name(sc->reasons[i].code));
        jsonw_int(w, "weight", sc->reasons[i].weight);
        jsonw_cstr(w, "evidence", sc->reasons[i].evidence);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    if (s->execs_dropped) {
        jsonw_int(w, "executions_dropped", (int64_t)s->execs_dropped);
    }
    if (s->execs_failed) {
        jsonw_int(w, "executions_failed", (int64_t)s->execs_failed);
    }
    if (sup != NULL) {
        write_suppression(w, sup);
    }
    jsonw_obj_end(w);
}

void
output_finding_json(struct buf *out, const struct session *s,
                    const struct score *sc, const struct output_opts *o)
{
    struct jsonw w;
    struct time_memo times;
    struct buf scratch;
    const char *analytic = output_analytic_uid(session_platform(s));

    time_memo_init(&times);
    buf_init(&scratch, 1024 * 1024);
    jsonw_init(&w, out);
    jsonw_obj_begin(&w, NULL);
    jsonw_raw(&w, finding_class, sizeof(finding_class) - 1);
    write_ocsf_time(&w, &times, "time", "time_dt", &s->start);
    write_ocsf_time(&w, &times, "start_time", "start_time_dt", &s->start);
    if (s->has_end) {
        write_ocsf_time(&w, &times, "end_time", "end_time_dt", &s->end);
    }
    jsonw_int(&w, "severity_id", sc->severity_id);
    jsonw_cstr(&w, "severity", score_severity_name(sc->severity_id));
    jsonw_int(&w, "risk_score", sc->total);
    if (o->suppression != NULL) {
        jsonw_int(&w, "status_id", 3);
        jsonw_cstr(&w, "status", "Suppressed");
    } else {
        jsonw_int(&w, "status_id", 1);
        jsonw_cstr(&w, "status", "New");
    }

    jsonw_obj_begin(&w, "metadata");
    jsonw_cstr(&w, "version", OUTPUT_OCSF_VERSION);
    jsonw_obj_begin(&w, "product");
    jsonw_cstr(&w, "name", "sshtrail");
    jsonw_cstr(&w, "vendor_name", "sshtrail");
    jsonw_cstr(&w, "version", o->product_version);
    jsonw_obj_end(&w);
    jsonw_obj_end(&w);

    write_finding_info(&w, &times, s, analytic);
    jsonw_obj_begin(&w, "device");
    write_str_field(&w, &s->ev, EVENT_HOST, "hostname");
    jsonw_obj_end(&w);
    write_actor(&w, &times, s);
    jsonw_obj_begin(&w, "src_endpoint");
    write_str_field(&w, &s->ev, EVENT_SRC_IP, "ip");
    write_num_field(&w, &s->ev, EVENT_SRC_PORT, "port");
    jsonw_obj_end(&w);

    jsonw_arr_begin(&w, "evidences");
    for (uint32_t i = 0; i < s->nexecs; i++) {
        write_evidence(&w, &times, &scratch, &s->execs[i]);
    }
    jsonw_arr_end(&w);
    write_unmapped(&w, s, sc, o->suppression);
    jsonw_obj_end(&w);
    buf_add_char(out, '\n');
    buf_fini(&scratch);
}
