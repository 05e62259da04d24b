/*
 * The VMware ESXi format: auth.log, shell.log, hostd.log and vobd.log as
 * ESXi 6, 7 and 8 write them locally, the same lines forwarded by syslog
 * (RFC 3164 with ISO stamps, or RFC 5424), and vCenter's vpxd login
 * events.
 *
 * syslog_header.c splits the header.  This file undoes what ESXi adds to
 * it: the ESXi 8 severity token "In(38)" where a host name would be, the
 * ESXi 7 "info hostd[123]" level prefix and the ESXi 7 vobd stamp with a
 * colon.  It then hands the message to the parser of its program: sshd's
 * messages go to sshd_parse_message(), the others to esxi_msg.c.  Lines
 * of programs sshtrail does not use are skipped by reason.  Nothing is
 * buffered across lines except vobd's last observation (see esxi_msg.h).
 */
#include "formats/esxi_msg.h"
#include "formats/format.h"
#include "formats/sshd.h"
#include "formats/syslog_header.h"

#include <stdlib.h>

/* Parser state for one input. */
struct esxi_state {
    struct format_opts opts;
    struct syslog_header_state header;
    struct esxi_msg_state msg;
};

/* Header parts ESXi adds to the syslog header, found by esxi_split(). */
struct esxi_header_info {
    bool severity;              /* an ESXi 8 "In(38)" token was there */
    bool continuation;          /* its "+" marks a continued message */
    bool level;                 /* an ESXi 7 "info hostd[1]" prefix */
};

static bool
is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool
is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static char
to_lower(char c)
{
    return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

/* Compares a view with a lower-case C string, ignoring ASCII case. */
static bool
eq_nocase(struct sv a, const char *s)
{
    size_t n = strlen(s);

    if (a.len != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (to_lower(a.p[i]) != s[i]) {
            return false;
        }
    }
    return true;
}

/*
 * Returns true for an ESXi 8 severity token: two letters such as "In",
 * "No" or "Er", a parenthesised number that may be empty, and an optional
 * "+" that marks the continuation lines of a multi-line message.
 */
static bool
is_severity(struct sv tok, bool *continuation)
{
    size_t i = 3;

    if (tok.len < 4 || !is_upper(tok.p[0]) || !is_lower(tok.p[1]) ||
        tok.p[2] != '(') {
        return false;
    }
    while (i < tok.len && tok.p[i] >= '0' && tok.p[i] <= '9') {
        i++;
    }
    if (i >= tok.len || tok.p[i] != ')') {
        return false;
    }
    i++;
    *continuation = i < tok.len && tok.p[i] == '+';
    return i + (*continuation ? 1 : 0) == tok.len;
}

/* Returns true for an ESXi 7 level word such as "info" or "verbose". */
static bool
is_level_word(struct sv tok)
{
    if (tok.len < 3 || tok.len > 10) {
        return false;
    }
    for (size_t i = 0; i < tok.len; i++) {
        if (!is_lower(tok.p[i])) {
            return false;
        }
    }
    return true;
}

/*
 * Splits a "name[pid]" token (with no colon) at the start of s.  Returns
 * the rest after it, or SV_NULL when s does not start with one.
 */
static struct sv
cut_name_pid(struct sv s, struct sv *name, int64_t *pid)
{
    struct sv tok;
    struct sv rest = sv_cut(s, ' ', &tok);
    ptrdiff_t open = sv_find_char(tok, '[');
    uint64_t v;

    if (open <= 0 || tok.p[tok.len - 1] != ']' ||
        !sv_to_u64(sv_make(tok.p + open + 1, tok.len - (size_t)open - 2),
                   UINT32_MAX, &v)) {
        return SV_NULL;
    }
    *name = sv_head(tok, (size_t)open);
    *pid = (int64_t)v;
    return rest.p != NULL ? rest : sv_skip(s, s.len);
}

/*
 * Moves an ESXi 7 "LEVEL prog[pid] " message prefix into the header: a
 * local hostd.log line reaches here with the level as host, a forwarded
 * one with it at the start of the message.
 */
static void
fix_level_prefix(struct syslog_header *h, struct esxi_header_info *info)
{
    struct sv name, rest, level;
    int64_t pid;

    if (h->program.p == NULL && is_level_word(h->host)) {
        rest = cut_name_pid(h->message, &name, &pid);
        if (rest.p != NULL) {
            h->host = SV_NULL;
            h->program = name;
            h->pid = pid;
            h->message = rest;
            info->level = true;
        }
        return;
    }
    rest = sv_cut(h->message, ' ', &level);
    if (h->program.p == NULL || rest.p == NULL || !is_level_word(level)) {
        return;
    }
    rest = cut_name_pid(rest, &name, &pid);
    if (rest.p != NULL && eq_nocase(name, "hostd") &&
        eq_nocase(h->program, "hostd")) {
        if (h->pid < 0) {
            h->pid = pid;
        }
        h->message = rest;
        info->level = true;
    }
}

/*
 * Parses the ESXi 7 vobd.log header, a stamp that ends in a colon:
 * "2025-01-02T03:04:05.483Z: [UserLevelCorrelator] ...".
 */
static bool
parse_vob_stamp(struct esxi_state *st, struct sv line,
                struct syslog_header *h)
{
    struct event_time t;
    size_t n = time_parse_iso(line, st->opts.tz, &t);

    if (n == 0 || n + 2 > line.len || line.p[n] != ':' ||
        line.p[n + 1] != ' ' ||
        !esxi_msg_is_vob(sv_trim_left(sv_skip(line, n + 2)))) {
        return false;
    }
    memset(h, 0, sizeof(*h));
    h->kind = SYSLOG_HEADER_STAMPED;
    h->time = t;
    h->pid = -1;
    h->program = SV_LIT("vobd");
    h->message = sv_trim_left(sv_skip(line, n + 2));
    st->header.last = t;
    st->header.has_last = true;
    return true;
}

/*
 * Splits line into *h and undoes ESXi's header additions.  Returns false
 * when the line has no header at all.
 */
static bool
esxi_split(struct esxi_state *st, struct sv line, struct syslog_header *h,
           struct esxi_header_info *info)
{
    memset(info, 0, sizeof(*info));
    if (syslog_header_parse(&st->header, line, h) == SYSLOG_HEADER_NONE) {
        return parse_vob_stamp(st, line, h);
    }
    if (is_severity(h->host, &info->continuation)) {
        info->severity = true;
        h->host = SV_NULL;
    }
    fix_level_prefix(h, info);
    return true;
}

/* ---- sshd and the SSH service ------------------------------------------ */

/*
 * Parses ESXi's own sshd session lines, "Session opened for 'root' on
 * /dev/char/pty/t0" and "Session closed for ...".  Returns PARSE_SKIP
 * with *reason unset when msg is neither, so that sshd's parser runs.
 */
static enum parse_status
esxi_sshd_session(struct esxi_state *st, const struct esxi_msg_line *l,
                  const char **reason)
{
    struct sv msg = sv_trim_right(l->h->message);
    enum event_kind kind;
    ptrdiff_t on;

    if (sv_starts_with(msg, "Session opened for '")) {
        kind = EVENT_SESSION_OPEN;
    } else if (sv_starts_with(msg, "Session closed for '")) {
        kind = EVENT_SESSION_CLOSE;
    } else {
        return PARSE_SKIP;
    }
    msg = sv_skip(msg, 20);

    /* The terminal has no quote, so the last "' on " ends the user. */
    on = sv_rfind(msg, SV_LIT("' on "));
    if (on < 0) {
        *reason = "sshd session line without a terminal";
        return PARSE_MALFORMED;
    }

    struct sv tty = sv_skip(msg, (size_t)on + 5);
    if (sv_starts_with(tty, "/dev/")) {
        tty = sv_skip(tty, 5);
    }
    struct event *ev = esxi_msg_begin(&st->msg, l, kind);
    event_set_str(ev, EVENT_USER, sv_head(msg, (size_t)on));
    event_set_str(ev, EVENT_TTY, tty);
    event_set_str(ev, EVENT_PROGRAM, l->h->program);
    l->sink->emit(l->sink->arg, ev);
    return PARSE_OK;
}

static enum parse_status
esxi_sshd(struct esxi_state *st, const struct esxi_msg_line *l,
          const char **reason)
{
    enum parse_status status;

    *reason = NULL;
    status = esxi_sshd_session(st, l, reason);
    if (status != PARSE_SKIP || *reason != NULL) {
        return status;
    }
    return sshd_parse_message(&st->msg.ev, &st->opts, l->h, l->origin,
                              l->sink, reason);
}

/* Parses the SSH service script: "SSH login enabled" or "... disabled". */
static enum parse_status
esxi_ssh_service(struct esxi_state *st, const struct esxi_msg_line *l,
                 const char **reason)
{
    struct sv msg = sv_trim_right(l->h->message);
    enum event_kind kind;

    if (sv_eq_cstr(msg, "SSH login enabled")) {
        kind = EVENT_SSH_ENABLED;
    } else if (sv_eq_cstr(msg, "SSH login disabled")) {
        kind = EVENT_SSH_DISABLED;
    } else {
        *reason = "SSH service message not used";
        return PARSE_SKIP;
    }

    struct event *ev = esxi_msg_begin(&st->msg, l, kind);
    event_set_str(ev, EVENT_PROGRAM, l->h->program);
    event_set_str(ev, EVENT_DETAIL, msg);
    l->sink->emit(l->sink->arg, ev);
    return PARSE_OK;
}

/* ---- dispatch ---------------------------------------------------------- */

typedef enum parse_status (*esxi_handler)(struct esxi_state *st,
                                          const struct esxi_msg_line *l,
                                          const char **reason);

static enum parse_status
on_shell(struct esxi_state *st, const struct esxi_msg_line *l,
         const char **reason)
{
    return esxi_msg_shell(&st->msg, l, reason);
}

static enum parse_status
on_hostd(struct esxi_state *st, const struct esxi_msg_line *l,
         const char **reason)
{
    return esxi_msg_hostd(&st->msg, l, reason);
}

static enum parse_status
on_vobd(struct esxi_state *st, const struct esxi_msg_line *l,
        const char **reason)
{
    return esxi_msg_vobd(&st->msg, l, reason);
}

static enum parse_status
on_vpxd(struct esxi_state *st, const struct esxi_msg_line *l,
        const char **reason)
{
    return esxi_msg_vpxd(&st->msg, l, reason);
}

/* Programs by lower-case name; sshd's names are matched separately. */
static const struct {
    const char *program;
    esxi_handler handler;
} esxi_programs[] = {
    { "shell", on_shell },
    { "hostd", on_hostd },
    { "vobd", on_vobd },
    { "vpxd", on_vpxd },
    { "ssh", esxi_ssh_service },
};

static esxi_handler
find_handler(struct sv program)
{
    if (sshd_is_program(program)) {
        return esxi_sshd;
    }
    for (size_t i = 0; i < sizeof(esxi_programs) / sizeof(esxi_programs[0]);
         i++) {
        if (eq_nocase(program, esxi_programs[i].program)) {
            return esxi_programs[i].handler;
        }
    }
    return NULL;
}

/* ---- format operations ------------------------------------------------- */

/*
 * Returns 2 when line starts (after any "<PRI>" and RFC 5424 version) with
 * an ISO stamp in UTC ("...Z"), as ESXi writes it, 1 for an ISO stamp in
 * another zone and 0 for anything else.
 */
static int
iso_stamp_kind(struct sv line)
{
    struct sv stamp;

    if (sv_starts_with(line, "<")) {
        ptrdiff_t close = sv_find_char(line, '>');
        line = close > 0 ? sv_skip(line, (size_t)close + 1) : line;
    }
    if (sv_starts_with(line, "1 ")) {
        line = sv_skip(line, 2);
    }
    (void)sv_cut(line, ' ', &stamp);
    if (stamp.len < 20 || stamp.p[4] != '-' || stamp.p[10] != 'T') {
        return 0;
    }
    return sv_ends_with(stamp, "Z") || sv_ends_with(stamp, "Z:") ? 2 : 1;
}

/*
 * Scores ESXi shapes 100: the severity token, the ESXi 7 level prefix and
 * ESXi or vCenter programs behind an ISO stamp.  sshd lines with ESXi's
 * header (a UTC stamp and no host) score 100 too, as they do for the sshd
 * format, which comes first in the table and so wins a file that holds
 * nothing ESXi-specific.
 */
static int
esxi_probe(struct sv line)
{
    struct format_opts opts = { 0 };
    struct tz utc = { 0 };
    struct esxi_state st;
    struct syslog_header h;
    struct esxi_header_info info;

    opts.tz = &utc;
    st.opts = opts;
    syslog_header_init(&st.header, &st.opts);
    line = sv_trim_right(line);
    if (!esxi_split(&st, line, &h, &info)) {
        return 0;
    }
    if (info.severity || info.level) {
        return 100;
    }
    esxi_handler handler = find_handler(h.program);
    int stamp = iso_stamp_kind(line);
    if (handler == NULL || stamp == 0) {
        return 0;
    }
    if (handler == esxi_sshd) {
        return stamp == 2 && h.host.p == NULL ? 100 : 10;
    }
    return 100;
}

static void *
esxi_open(const struct format_opts *opts)
{
    struct esxi_state *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        return NULL;
    }
    st->opts = *opts;
    syslog_header_init(&st->header, &st->opts);
    esxi_msg_init(&st->msg);
    return st;
}

static void
esxi_close(void *state)
{
    struct esxi_state *st = state;

    if (st == NULL) {
        return;
    }
    esxi_msg_fini(&st->msg);
    free(st);
}

/*
 * Parses one line, such as "2023-12-05T17:36:17.835Z In(14)
 * shell[1053659]: [root]: esxcli system version get".
 */
static enum parse_status
esxi_feed(void *state, struct sv line, const struct event_origin *origin,
          const struct event_sink *sink, const char **reason)
{
    struct esxi_state *st = state;
    struct syslog_header h;
    struct esxi_header_info info;
    struct esxi_msg_line l = { &h, origin, sink };

    line = sv_trim_right(line);
    if (!esxi_split(st, line, &h, &info)) {
        *reason = "no ESXi or syslog header";
        return PARSE_MALFORMED;
    }
    if (info.continuation) {
        *reason = "continuation line of a multi-line message";
        return PARSE_SKIP;
    }
    if (h.program.p == NULL) {
        *reason = info.severity ? "ESXi direct log line (vmware.log form)"
                                : "no program name";
        return PARSE_SKIP;
    }

    esxi_handler handler = find_handler(h.program);
    if (handler == NULL) {
        *reason = "program not used";
        return PARSE_SKIP;
    }
    return handler(st, &l, reason);
}

const struct format_ops esxi_format = {
    .name = "esxi",
    .description = "VMware ESXi auth.log, shell.log, hostd.log and vobd.log",
    .platform = "esxi",
    .probe = esxi_probe,
    .open = esxi_open,
    .close = esxi_close,
    .feed = esxi_feed,
    .flush = NULL,
};
