/*
 * JSON writers: one object per line for events, sessions and OCSF
 * Detection Findings (class 2004).  docs/output.md describes every field.
 */
#include "output/output.h"

#include <stdio.h>
#include <string.h>

#include "core/escape.h"
#include "core/jsonw.h"
#include "core/timeconv.h"

/* The number of recent times a time_memo keeps. */
#define TIME_MEMO_SLOTS 4

/* The size of the text time_format writes. */
#define TIME_TEXT_MAX 40

/*
 * The times a record writer formatted last, as RFC 3339 text, as that
 * text escaped and quoted for JSON, and as epoch milliseconds in decimal.
 * A finding writes its start time four times and each execution's time
 * twice, and formatting converts the epoch to a civil date each time.
 */
struct time_memo {
    struct time_memo_slot {
        struct event_time t;
        int64_t day;            /* UTC day of t */
        unsigned int used;      /* memo clock at the last use; 0 unused */
        size_t len;
        char text[TIME_TEXT_MAX];
        size_t json_len;
        char json[ESCAPE_JSON_MAX_RATIO * TIME_TEXT_MAX + 2];
        size_t ms_len;          /* 0 until formatted */
        char ms[BUF_I64_MAX];
    } slot[TIME_MEMO_SLOTS];
    unsigned int clock;
};

static void
time_memo_init(struct time_memo *m)
{
    for (int i = 0; i < TIME_MEMO_SLOTS; i++) {
        m->slot[i].used = 0;
    }
    m->clock = 0;
}

/* Returns the UTC day of an epoch second, rounding down. */
static int64_t
utc_day(int64_t sec)
{
    return sec >= 0 ? sec / 86400 : (sec - 86399) / 86400;
}

/* Writes v, 0 to 99, as two digits at p. */
static void
put_two_digits(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

/*
 * Writes t, whose UTC day is day, into text as time_format does.  The date
 * comes from date, the text of another time of that day, because a
 * finding's times mostly share their day and the date costs most of
 * time_format's work.  time_format writes "YYYY-MM-DDTHH:MM:SS", then '.'
 * and t->digits fraction digits when t->digits > 0, then 'Z'.  That holds
 * for a four-digit year and a fraction from 0 to 999999999.  Returns the
 * length, or 0 when t or date is outside that form and time_format must
 * run.
 */
static size_t
format_same_day(const char *date, size_t date_len, const struct event_time *t,
                int64_t day, char *text)
{
    static const int32_t scale[10] = {
        1000000000, 100000000, 10000000, 1000000, 100000, 10000, 1000, 100,
        10, 1,
    };

    if (t->digits < 0 || t->digits > 9 || t->nsec < 0 ||
        t->nsec > 999999999 || date_len < 11 || date[4] != '-' ||
        date[10] != 'T') {
        return 0;
    }
    for (int i = 0; i < 4; i++) {
        if (date[i] < '0' || date[i] > '9') {
            return 0;
        }
    }

    int second_of_day = (int)(t->sec - day * 86400);
    memcpy(text, date, 11);
    put_two_digits(text + 11, second_of_day / 3600);
    text[13] = ':';
    put_two_digits(text + 14, second_of_day % 3600 / 60);
    text[16] = ':';
    put_two_digits(text + 17, second_of_day % 60);
    size_t n = 19;
    if (t->digits > 0) {
        /* The first t->digits of the nine fraction digits. */
        int32_t lead = t->nsec / scale[t->digits];
        text[n++] = '.';
        for (int i = t->digits; i > 0; i--) {
            text[n + (size_t)i - 1] = (char)('0' + lead % 10);
            lead /= 10;
        }
        n += (size_t)t->digits;
    }
    text[n++] = 'Z';
    text[n] = '\0';
    return n;
}

/* Finds the slot that contains t, formatting t into the least recently
 * used slot when no slot does.  The slot is valid until the next call. */
static struct time_memo_slot *
time_memo_find(struct time_memo *m, const struct event_time *t)
{
    int oldest = 0;
    struct time_memo_slot *slot;

    m->clock++;
    for (int i = 0; i < TIME_MEMO_SLOTS; i++) {
        slot = &m->slot[i];
        if (slot->used != 0 && slot->t.sec == t->sec &&
            slot->t.nsec == t->nsec && slot->t.digits == t->digits) {
            slot->used = m->clock;
            return slot;
        }
        if (slot->used < m->slot[oldest].used) {
            oldest = i;
        }
    }
    slot = &m->slot[oldest];
    int64_t day = utc_day(t->sec);
    slot->len = 0;
    for (int i = 0; i < TIME_MEMO_SLOTS; i++) {
        const struct time_memo_slot *from = &m->slot[i];
        if (i != oldest && from->used != 0 && from->day == day) {
            slot->len = format_same_day(from->text, from->len, t, day,
                                        slot->text);
            break;
        }
    }
    if (slot->len == 0) {
        slot->len = time_format(t, slot->text);
    }
    slot->t = *t;
    slot->day = day;
    slot->used = m->clock;
    /* time_format writes only digits, '-', 'T', ':', '.' and 'Z', which
     * JSON strings hold unescaped. */
    slot->json[0] = '"';
    memcpy(slot->json + 1, slot->text, slot->len);
    slot->json[slot->len + 1] = '"';
    slot->json_len = slot->len + 2;
    slot->ms_len = 0;
    return slot;
}

/* Returns t as RFC 3339 text, valid until the next call with m. */
static struct sv
time_memo_text(struct time_memo *m, const struct event_time *t)
{
    const struct time_memo_slot *slot = time_memo_find(m, t);

    return sv_make(slot->text, slot->len);
}

static void
write_time(struct jsonw *w, struct time_memo *m, struct sv key,
           const struct event_time *t)
{
    const struct time_memo_slot *slot = time_memo_find(m, t);

    jsonw_member_raw(w, key, slot->json, slot->json_len);
}

/* Writes "key": to dst, for a key that needs no escaping, and returns its
 * length. */
static size_t
put_key(char *dst, struct sv key)
{
    dst[0] = '"';
    memcpy(dst + 1, key.p, key.len);
    dst[key.len + 1] = '"';
    dst[key.len + 2] = ':';
    return key.len + 3;
}

/*
 * Returns time_memo_find's slot of t with its epoch milliseconds
 * formatted.  Only findings write milliseconds, so they are formatted on
 * demand.
 */
static struct time_memo_slot *
time_memo_find_ms(struct time_memo *m, const struct event_time *t)
{
    struct time_memo_slot *slot = time_memo_find(m, t);

    if (slot->ms_len == 0) {
        slot->ms_len = buf_format_i64(slot->ms, (long long)event_time_ms(t));
    }
    return slot;
}

/*
 * Writes "key": epoch milliseconds and "key_dt" (dt_key): RFC 3339, as
 * OCSF does.
 */
static void
write_ocsf_time(struct jsonw *w, struct time_memo *m, struct sv key,
                struct sv dt_key, const struct event_time *t)
{
    struct time_memo_slot *slot = time_memo_find_ms(m, t);

    /* "key":MS,"dt_key":"TEXT" goes out in one write. */
    char both[160];
    size_t need = key.len + slot->ms_len + dt_key.len + slot->json_len + 7;
    if (need > sizeof(both)) {
        jsonw_member_raw(w, key, slot->ms, slot->ms_len);
        jsonw_member_raw(w, dt_key, slot->json, slot->json_len);
        return;
    }
    size_t n = put_key(both, key);
    memcpy(both + n, slot->ms, slot->ms_len);
    n += slot->ms_len;
    both[n++] = ',';
    n += put_key(both + n, dt_key);
    memcpy(both + n, slot->json, slot->json_len);
    n += slot->json_len;
    jsonw_raw(w, both, n);
}

/* Writes string field f of ev, keyed by key or else by its event name. */
static void
put_str_field(struct jsonw *w, const struct event *ev, enum event_str f,
              const char *key)
{
    jsonw_str(w, key ? key : event_str_name(f), event_str(ev, f));
}

static void
put_num_field(struct jsonw *w, const struct event *ev, enum event_num f,
              const char *key)
{
    jsonw_int(w, key ? key : event_num_name(f), event_num(ev, f, 0));
}

/*
 * Writes field f when ev has it.  An event has few of its fields, so the
 * test is kept apart from the call, small enough to inline at each of the
 * many call sites.
 */
static inline void
write_str_field(struct jsonw *w, const struct event *ev, enum event_str f,
                const char *key)
{
    if (event_has_str(ev, f)) {
        put_str_field(w, ev, f, key);
    }
}

static inline void
write_num_field(struct jsonw *w, const struct event *ev, enum event_num f,
                const char *key)
{
    if (event_has_num(ev, f)) {
        put_num_field(w, ev, f, key);
    }
}

static void
write_argv(struct jsonw *w, struct sv key, const struct event *ev)
{
    jsonw_member_arr(w, key);
    for (uint32_t i = 0; i < ev->argc; i++) {
        jsonw_str(w, NULL, event_arg(ev, i));
    }
    jsonw_arr_end(w);
}

static void
write_origin(struct jsonw *w, const struct event_origin *o)
{
    jsonw_member_obj(w, SV_LIT("origin"));
    jsonw_member_cstr(w, SV_LIT("format"), o->format ? o->format : "");
    jsonw_member_cstr(w, SV_LIT("file"), o->file ? o->file : "");
    jsonw_member_int(w, SV_LIT("line"), (int64_t)o->line);
    jsonw_obj_end(w);
}

/* The maximum size of the members an origin_memo keeps. */
#define ORIGIN_MEMO_MAX (64u * 1024u)

/*
 * The "format" and "file" members of the origin written last, escaped.
 * The executions of one session mostly come from one file, so a finding
 * escapes those two strings once.  The key is the two pointers, which
 * stay valid and unchanged while one record is written.
 */
struct origin_memo {
    const char *format;
    const char *file;
    bool valid;
    size_t members_len;     /* bytes of json up to the "line" member */
    struct buf json;        /* the origin object last written: '{', the
                               two members, then the line and '}' */
};

static void
origin_memo_init(struct origin_memo *m)
{
    m->format = NULL;
    m->file = NULL;
    m->valid = false;
    buf_init(&m->json, ORIGIN_MEMO_MAX);
}

static void
origin_memo_fini(struct origin_memo *m)
{
    buf_fini(&m->json);
}

/*
 * Makes m hold the escaped "format" and "file" members of o, escaping them
 * only when o has other ones than last time.  Returns false when they did
 * not fit in m->json.
 */
static bool
origin_memo_members(struct origin_memo *m, const struct event_origin *o)
{
    if (!m->valid || m->format != o->format || m->file != o->file) {
        struct jsonw members;

        buf_clear(&m->json);
        buf_add_char(&m->json, '{');
        jsonw_init(&members, &m->json);
        jsonw_member_cstr(&members, SV_LIT("format"),
                          o->format ? o->format : "");
        jsonw_member_cstr(&members, SV_LIT("file"), o->file ? o->file : "");
        m->format = o->format;
        m->file = o->file;
        m->members_len = m->json.len;
        m->valid = m->json.dropped == 0;
    }
    return m->valid;
}

/*
 * Sets m->json to the "origin" object of o as write_origin writes it,
 * escaping the format and file members only when o has other ones than
 * last time.  Returns false when the object did not fit in m->json.
 */
static bool
origin_memo_update(struct origin_memo *m, const struct event_origin *o)
{
    if (!origin_memo_members(m, o)) {
        return false;
    }

    /* The line replaces the previous one after the memo's members, so the
     * object goes out in one write. */
    char digits[BUF_I64_MAX];
    m->json.len = m->members_len;
    buf_add(&m->json, ",\"line\":", 8);
    buf_add(&m->json, digits, buf_format_i64(digits, (long long)o->line));
    buf_add_char(&m->json, '}');
    if (!m->valid || m->json.dropped != 0) {
        m->valid = false;
        return false;
    }
    return true;
}

/* Writes the "origin" object of o as write_origin does, taking the format
 * and file members from m when o has the same ones as last time. */
static void
write_origin_memo(struct jsonw *w, struct origin_memo *m,
                  const struct event_origin *o)
{
    if (!origin_memo_update(m, o)) {
        write_origin(w, o);
        return;
    }
    jsonw_member_raw(w, SV_LIT("origin"), m->json.data, m->json.len);
}

void
output_event_json(struct buf *out, const struct event *ev)
{
    struct jsonw w;
    char time_text[TIME_TEXT_MAX];

    /* An event writes its time once, so it needs no time_memo. */
    jsonw_init(&w, out);
    jsonw_obj_begin(&w, NULL);
    jsonw_member_str(&w, SV_LIT("time"),
                     sv_make(time_text, time_format(&ev->time, time_text)));
    write_str_field(&w, ev, EVENT_HOST, NULL);
    jsonw_member_cstr(&w, SV_LIT("kind"), event_kind_name(ev->kind));
    if (ev->result != EVENT_RESULT_NONE) {
        jsonw_member_cstr(&w, SV_LIT("result"),
                          ev->result == EVENT_RESULT_SUCCESS ? "success"
                                                             : "failure");
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
        write_argv(&w, SV_LIT("argv"), ev);
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
        jsonw_member_bool(&w, SV_LIT("truncated"), true);
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
    jsonw_member_arr(w, SV_LIT("sources"));
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
    write_time(w, tm, SV_LIT("time"), &ev->time);
    write_num_field(w, ev, EVENT_PID, NULL);
    write_num_field(w, ev, EVENT_PPID, NULL);
    write_num_field(w, ev, EVENT_UID, NULL);
    write_num_field(w, ev, EVENT_EUID, NULL);
    write_str_field(w, ev, EVENT_EXE, NULL);
    write_argv(w, SV_LIT("argv"), ev);
    write_str_field(w, ev, EVENT_CMDLINE, NULL);
    write_str_field(w, ev, EVENT_CWD, NULL);
    if (ev->result == EVENT_RESULT_FAILURE) {
        jsonw_member_bool(w, SV_LIT("failed"), true);
    }
    jsonw_member_cstr(w, SV_LIT("linkage"), linkage_name(x->linkage));
    write_origin(w, &ev->origin);
    jsonw_obj_end(w);
}

static void
write_timeline(struct jsonw *w, struct time_memo *tm,
               const struct session *s)
{
    jsonw_member_arr(w, SV_LIT("timeline"));
    for (uint32_t i = 0; i < s->ntimeline; i++) {
        const struct session_mark *m = &s->timeline[i];
        jsonw_obj_begin(w, NULL);
        write_time(w, tm, SV_LIT("time"), &m->time);
        jsonw_member_cstr(w, SV_LIT("kind"), event_kind_name(m->kind));
        jsonw_member_cstr(w, SV_LIT("format"), m->format ? m->format : "");
        jsonw_member_int(w, SV_LIT("line"), (int64_t)m->line);
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
    write_time(&w, &times, SV_LIT("start"), &s->start);
    if (s->has_end) {
        write_time(&w, &times, SV_LIT("end"), &s->end);
    }
    jsonw_member_bool(&w, SV_LIT("login_seen"), s->login_seen);
    if (s->has_ses) {
        jsonw_member_int(&w, SV_LIT("audit_session"), s->ses);
    }
    if (s->has_pid) {
        jsonw_member_int(&w, SV_LIT("sshd_pid"), s->sshd_pid);
    }
    if (linkage != NULL) {
        jsonw_member_cstr(&w, SV_LIT("linkage"), linkage);
    }
    write_sources(&w, s);
    jsonw_member_int(&w, SV_LIT("failures_before"),
                     (int64_t)s->failures_before);
    if (s->ssh_enabled_before) {
        jsonw_member_bool(&w, SV_LIT("ssh_enabled_before"), true);
    }
    jsonw_member_arr(&w, SV_LIT("executions"));
    for (uint32_t i = 0; i < s->nexecs; i++) {
        write_execution(&w, &times, &s->execs[i]);
    }
    jsonw_arr_end(&w);
    if (s->execs_dropped) {
        jsonw_member_int(&w, SV_LIT("executions_dropped"),
                         (int64_t)s->execs_dropped);
    }
    if (s->execs_failed) {
        jsonw_member_int(&w, SV_LIT("executions_failed"),
                         (int64_t)s->execs_failed);
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

/* The maximum length of a path write_file_path escapes on the stack. */
#define FILE_PATH_STACK_MAX 256

/* Writes "file":{"path":path}, escaped, in one write when path is short. */
static void
write_file_path(struct jsonw *w, struct sv path)
{
    char obj[10 + ESCAPE_JSON_MAX_RATIO * FILE_PATH_STACK_MAX + 2];
    size_t n = 9;

    if (path.len > FILE_PATH_STACK_MAX) {
        jsonw_member_obj(w, SV_LIT("file"));
        jsonw_member_str(w, SV_LIT("path"), path);
        jsonw_obj_end(w);
        return;
    }
    memcpy(obj, "{\"path\":\"", n);
    n += escape_json_to(obj + n, path);
    obj[n++] = '"';
    obj[n++] = '}';
    jsonw_member_raw(w, SV_LIT("file"), obj, n);
}

static void
write_evidence(struct jsonw *w, struct time_memo *tm,
               struct origin_memo *om, struct buf *scratch,
               const struct session_exec *x)
{
    const struct event *ev = x->ev;

    jsonw_obj_begin(w, NULL);
    jsonw_member_obj(w, SV_LIT("process"));
    write_num_field(w, ev, EVENT_PID, "pid");
    buf_clear(scratch);
    output_cmd_line(scratch, ev);
    jsonw_member_str(w, SV_LIT("cmd_line"),
                     sv_make(scratch->data, scratch->len));
    if (event_has_str(ev, EVENT_EXE)) {
        write_file_path(w, event_str(ev, EVENT_EXE));
    }
    if (event_has_num(ev, EVENT_PPID)) {
        /* {"pid":N} in one write; buf_format_i64 stores BUF_I64_MAX
         * bytes. */
        char parent[8 + BUF_I64_MAX];
        size_t n = 7;
        memcpy(parent, "{\"pid\":", n);
        n += buf_format_i64(parent + n,
                            (long long)event_num(ev, EVENT_PPID, 0));
        parent[n++] = '}';
        jsonw_member_raw(w, SV_LIT("parent_process"), parent, n);
    }
    write_ocsf_time(w, tm, SV_LIT("created_time"), SV_LIT("created_time_dt"),
                    &ev->time);
    jsonw_obj_end(w);

    jsonw_member_obj(w, SV_LIT("data"));
    write_time(w, tm, SV_LIT("time"), &ev->time);
    write_num_field(w, ev, EVENT_PPID, NULL);
    write_argv(w, SV_LIT("argv"), ev);
    write_str_field(w, ev, EVENT_CWD, NULL);
    write_num_field(w, ev, EVENT_UID, NULL);
    write_num_field(w, ev, EVENT_EUID, NULL);
    if (ev->result == EVENT_RESULT_FAILURE) {
        jsonw_member_bool(w, SV_LIT("failed"), true);
    }
    jsonw_member_cstr(w, SV_LIT("linkage"), linkage_name(x->linkage));
    write_origin_memo(w, om, &ev->origin);
    jsonw_obj_end(w);
    jsonw_obj_end(w);
}

/* Appends the string literal text. */
static inline void
add_lit(struct buf *b, const char *text)
{
    buf_add(b, text, strlen(text));
}

/* Appends v as a quoted and escaped JSON string. */
static void
add_json_str(struct buf *b, struct sv v)
{
    buf_add_char(b, '"');
    escape_json(b, v);
    buf_add_char(b, '"');
}

static void
add_json_int(struct buf *b, int64_t v)
{
    char *dst = buf_reserve(b, BUF_I64_MAX);

    if (dst == NULL) {
        char digits[BUF_I64_MAX];
        buf_add(b, digits, buf_format_i64(digits, (long long)v));
        return;
    }
    b->len += buf_format_i64(dst, (long long)v);
}

/* The maximum size of an evidence object build_evidence writes; a larger
 * one goes out member by member. */
#define EVIDENCE_MAX (4u * 1024u * 1024u)

/*
 * Appends to obj the evidence object that write_evidence writes, the same
 * bytes, with fixed member names and punctuation copied as literals
 * instead of going member by member through jsonw.  cmd is scratch for the
 * command line.  Returns false when obj reached its maximum or the origin
 * did not fit in om; the caller then writes the evidence with
 * write_evidence.
 */
static bool
build_evidence(struct buf *obj, struct buf *cmd, struct time_memo *tm,
               struct origin_memo *om, const struct session_exec *x)
{
    const struct event *ev = x->ev;

    buf_clear(obj);
    add_lit(obj, "{\"process\":{");
    if (event_has_num(ev, EVENT_PID)) {
        add_lit(obj, "\"pid\":");
        add_json_int(obj, event_num(ev, EVENT_PID, 0));
        buf_add_char(obj, ',');
    }
    buf_clear(cmd);
    output_cmd_line(cmd, ev);
    add_lit(obj, "\"cmd_line\":");
    add_json_str(obj, sv_make(cmd->data, cmd->len));
    if (event_has_str(ev, EVENT_EXE)) {
        add_lit(obj, ",\"file\":{\"path\":");
        add_json_str(obj, event_str(ev, EVENT_EXE));
        buf_add_char(obj, '}');
    }
    if (event_has_num(ev, EVENT_PPID)) {
        add_lit(obj, ",\"parent_process\":{\"pid\":");
        add_json_int(obj, event_num(ev, EVENT_PPID, 0));
        buf_add_char(obj, '}');
    }

    struct time_memo_slot *slot = time_memo_find_ms(tm, &ev->time);
    add_lit(obj, ",\"created_time\":");
    buf_add(obj, slot->ms, slot->ms_len);
    add_lit(obj, ",\"created_time_dt\":");
    buf_add(obj, slot->json, slot->json_len);
    add_lit(obj, "},\"data\":{\"time\":");
    buf_add(obj, slot->json, slot->json_len);

    if (event_has_num(ev, EVENT_PPID)) {
        add_lit(obj, ",\"ppid\":");
        add_json_int(obj, event_num(ev, EVENT_PPID, 0));
    }
    add_lit(obj, ",\"argv\":[");
    for (uint32_t i = 0; i < ev->argc; i++) {
        if (i > 0) {
            buf_add_char(obj, ',');
        }
        add_json_str(obj, event_arg(ev, i));
    }
    buf_add_char(obj, ']');
    if (event_has_str(ev, EVENT_CWD)) {
        add_lit(obj, ",\"cwd\":");
        add_json_str(obj, event_str(ev, EVENT_CWD));
    }
    if (event_has_num(ev, EVENT_UID)) {
        add_lit(obj, ",\"uid\":");
        add_json_int(obj, event_num(ev, EVENT_UID, 0));
    }
    if (event_has_num(ev, EVENT_EUID)) {
        add_lit(obj, ",\"euid\":");
        add_json_int(obj, event_num(ev, EVENT_EUID, 0));
    }
    if (ev->result == EVENT_RESULT_FAILURE) {
        add_lit(obj, ",\"failed\":true");
    }
    add_lit(obj, ",\"linkage\":");
    add_json_str(obj, sv_cstr(linkage_name(x->linkage)));
    if (!origin_memo_members(om, &ev->origin)) {
        return false;
    }
    add_lit(obj, ",\"origin\":");
    buf_add(obj, om->json.data, om->members_len);
    add_lit(obj, ",\"line\":");
    add_json_int(obj, (int64_t)ev->origin.line);
    add_lit(obj, "}}}");
    return obj->dropped == 0;
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

static const char finding_status_new[] =
    "\"status_id\":1,\"status\":\"New\"";

static const char finding_status_suppressed[] =
    "\"status_id\":3,\"status\":\"Suppressed\"";

static const char finding_ocsf_version[] =
    "\"version\":\"" OUTPUT_OCSF_VERSION "\"";

static const char finding_product[] =
    "\"name\":\"sshtrail\","
    "\"vendor_name\":\"sshtrail\"";

static const char finding_analytic_type[] =
    "\"type_id\":1,"
    "\"type\":\"Rule\"";

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
    jsonw_member_obj(w, SV_LIT("finding_info"));
    jsonw_member_cstr(w, SV_LIT("uid"), uid);
    jsonw_raw(w, finding_title, sizeof(finding_title) - 1);
    jsonw_member_obj(w, SV_LIT("analytic"));
    jsonw_member_cstr(w, SV_LIT("uid"), analytic);
    jsonw_member_cstr(w, SV_LIT("name"), analytic_name(analytic));
    jsonw_raw(w, finding_analytic_type, sizeof(finding_analytic_type) - 1);
    jsonw_obj_end(w);
    jsonw_raw(w, finding_attacks, sizeof(finding_attacks) - 1);
    write_ocsf_time(w, tm, SV_LIT("first_seen_time"),
                    SV_LIT("first_seen_time_dt"), &s->start);
    write_ocsf_time(w, tm, SV_LIT("last_seen_time"),
                    SV_LIT("last_seen_time_dt"), last);
    jsonw_obj_end(w);
}

static void
write_actor(struct jsonw *w, struct time_memo *tm, const struct session *s)
{
    char tmp[BUF_I64_MAX];
    size_t n;

    jsonw_member_obj(w, SV_LIT("actor"));
    jsonw_member_obj(w, SV_LIT("user"));
    write_str_field(w, &s->ev, EVENT_USER, "name");
    if (event_has_num(&s->ev, EVENT_UID)) {
        n = buf_format_i64(tmp, (long long)event_num(&s->ev, EVENT_UID, 0));
        jsonw_member_str(w, SV_LIT("uid"), sv_make(tmp, n));
    }
    jsonw_obj_end(w);
    jsonw_member_obj(w, SV_LIT("session"));
    if (s->has_ses) {
        n = buf_format_i64(tmp, (long long)s->ses);
        jsonw_member_str(w, SV_LIT("uid"), sv_make(tmp, n));
    }
    write_ocsf_time(w, tm, SV_LIT("created_time"), SV_LIT("created_time_dt"),
                    &s->start);
    if (s->has_end) {
        write_ocsf_time(w, tm, SV_LIT("expiration_time"),
                        SV_LIT("expiration_time_dt"), &s->end);
    }
    write_str_field(w, &s->ev, EVENT_TTY, "terminal");
    jsonw_member_bool(w, SV_LIT("is_remote"), true);
    jsonw_obj_end(w);
    jsonw_obj_end(w);
}

static void
write_suppression(struct jsonw *w, const struct output_suppression *sup)
{
    jsonw_member_obj(w, SV_LIT("suppressed_by"));
    if (sup->index >= 0) {
        jsonw_member_int(w, SV_LIT("allowlist_index"), sup->index);
        jsonw_member_int(w, SV_LIT("line"), (int64_t)sup->line);
    } else {
        jsonw_member_cstr(w, SV_LIT("automation_marker"),
                          sup->reason ? sup->reason : "");
    }
    jsonw_member_cstr(w, SV_LIT("reason"), sup->reason ? sup->reason : "");
    jsonw_member_cstr(w, SV_LIT("owner"), sup->owner ? sup->owner : "");
    jsonw_member_cstr(w, SV_LIT("expires"), sup->expires);
    jsonw_obj_end(w);
}

/* The maximum length of a reason name write_reason_head copies unescaped. */
#define REASON_NAME_RAW_MAX 64

/*
 * Writes the "code" and "weight" members of a reason.  The names are
 * lower-case ASCII constants of score.c, which JSON needs no escape for,
 * so both members go out in one write.
 */
static void
write_reason_head(struct jsonw *w, const struct score_reason *r)
{
    const char *name = score_reason_name(r->code);
    size_t len = strlen(name);
    char head[8 + REASON_NAME_RAW_MAX + 11 + BUF_I64_MAX];
    size_t n = 0;

    if (len > REASON_NAME_RAW_MAX) {
        jsonw_member_cstr(w, SV_LIT("code"), name);
        jsonw_member_int(w, SV_LIT("weight"), r->weight);
        return;
    }
    memcpy(head, "\"code\":\"", 8);
    n = 8;
    memcpy(head + n, name, len);
    n += len;
    memcpy(head + n, "\",\"weight\":", 11);
    n += 11;
    n += buf_format_i64(head + n, (long long)r->weight);
    jsonw_raw(w, head, n);
}

/*
 * Writes one reason object, {"code":..,"weight":..,"evidence":..}, in one
 * write.  The names are lower-case ASCII constants of score.c, which JSON
 * needs no escape for.  The evidence quotes log text and is escaped.
 */
static void
write_reason(struct jsonw *w, const struct score_reason *r)
{
    struct sv name = sv_cstr(score_reason_name(r->code));
    struct sv evidence = sv_make(r->evidence,
                                 strnlen(r->evidence, sizeof(r->evidence)));
    char obj[32 + ESCAPE_JSON_MAX_RATIO *
                      (REASON_NAME_RAW_MAX + sizeof(r->evidence)) +
             BUF_I64_MAX];
    size_t n = 0;

    if (name.len > REASON_NAME_RAW_MAX) {
        jsonw_obj_begin(w, NULL);
        write_reason_head(w, r);
        jsonw_member_cstr(w, SV_LIT("evidence"), r->evidence);
        jsonw_obj_end(w);
        return;
    }
    memcpy(obj, "{\"code\":\"", 9);
    n = 9;
    memcpy(obj + n, name.p, name.len);
    n += name.len;
    memcpy(obj + n, "\",\"weight\":", 11);
    n += 11;
    n += buf_format_i64(obj + n, (long long)r->weight);
    memcpy(obj + n, ",\"evidence\":\"", 13);
    n += 13;
    n += escape_json_to(obj + n, evidence);
    obj[n++] = '"';
    obj[n++] = '}';
    jsonw_raw(w, obj, n);
}

static void
write_unmapped(struct jsonw *w, const struct session *s,
               const struct score *sc, const struct output_suppression *sup)
{
    jsonw_member_obj(w, SV_LIT("unmapped"));
    write_str_field(w, &s->ev, EVENT_AUTH_METHOD, NULL);
    write_str_field(w, &s->ev, EVENT_KEY_TYPE, NULL);
    write_str_field(w, &s->ev, EVENT_KEY_FP, NULL);
    write_str_field(w, &s->ev, EVENT_SESSION_TYPE, NULL);
    if (s->has_pid) {
        jsonw_member_int(w, SV_LIT("sshd_pid"), s->sshd_pid);
    }
    write_sources(w, s);
    jsonw_member_arr(w, SV_LIT("reasons"));
    for (int i = 0; i < sc->nreasons; i++) {
        write_reason(w, &sc->reasons[i]);
    }
    jsonw_arr_end(w);
    if (s->execs_dropped) {
        jsonw_member_int(w, SV_LIT("executions_dropped"),
                         (int64_t)s->execs_dropped);
    }
    if (s->execs_failed) {
        jsonw_member_int(w, SV_LIT("executions_failed"),
                         (int64_t)s->execs_failed);
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
    struct origin_memo origins;
    struct buf scratch;
    struct buf evidence;
    const char *analytic = output_analytic_uid(session_platform(s));

    time_memo_init(&times);
    origin_memo_init(&origins);
    buf_init(&scratch, 1024 * 1024);
    buf_init(&evidence, EVIDENCE_MAX);
    jsonw_init(&w, out);
    jsonw_obj_begin(&w, NULL);
    jsonw_raw(&w, finding_class, sizeof(finding_class) - 1);
    write_ocsf_time(&w, &times, SV_LIT("time"), SV_LIT("time_dt"), &s->start);
    write_ocsf_time(&w, &times, SV_LIT("start_time"), SV_LIT("start_time_dt"),
                    &s->start);
    if (s->has_end) {
        write_ocsf_time(&w, &times, SV_LIT("end_time"), SV_LIT("end_time_dt"),
                        &s->end);
    }
    jsonw_member_int(&w, SV_LIT("severity_id"), sc->severity_id);
    jsonw_member_cstr(&w, SV_LIT("severity"),
                      score_severity_name(sc->severity_id));
    jsonw_member_int(&w, SV_LIT("risk_score"), sc->total);
    if (o->suppression != NULL) {
        jsonw_raw(&w, finding_status_suppressed,
                  sizeof(finding_status_suppressed) - 1);
    } else {
        jsonw_raw(&w, finding_status_new, sizeof(finding_status_new) - 1);
    }

    jsonw_member_obj(&w, SV_LIT("metadata"));
    jsonw_raw(&w, finding_ocsf_version, sizeof(finding_ocsf_version) - 1);
    jsonw_member_obj(&w, SV_LIT("product"));
    jsonw_raw(&w, finding_product, sizeof(finding_product) - 1);
    jsonw_member_cstr(&w, SV_LIT("version"), o->product_version);
    jsonw_obj_end(&w);
    jsonw_obj_end(&w);

    write_finding_info(&w, &times, s, analytic);
    jsonw_member_obj(&w, SV_LIT("device"));
    write_str_field(&w, &s->ev, EVENT_HOST, "hostname");
    jsonw_obj_end(&w);
    write_actor(&w, &times, s);
    jsonw_member_obj(&w, SV_LIT("src_endpoint"));
    write_str_field(&w, &s->ev, EVENT_SRC_IP, "ip");
    write_num_field(&w, &s->ev, EVENT_SRC_PORT, "port");
    jsonw_obj_end(&w);

    jsonw_member_arr(&w, SV_LIT("evidences"));
    for (uint32_t i = 0; i < s->nexecs; i++) {
        if (build_evidence(&evidence, &scratch, &times, &origins,
                           &s->execs[i])) {
            jsonw_raw(&w, evidence.data, evidence.len);
        } else {
            write_evidence(&w, &times, &origins, &scratch, &s->execs[i]);
        }
    }
    jsonw_arr_end(&w);
    write_unmapped(&w, s, sc, o->suppression);
    jsonw_obj_end(&w);
    buf_add_char(out, '\n');
    buf_fini(&evidence);
    buf_fini(&scratch);
    origin_memo_fini(&origins);
}
