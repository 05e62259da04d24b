/*
 * Syslog header parsing: see syslog_header.h for the forms understood.
 *
 * The parser works left to right on a view and never copies.  It decides
 * the form from the first bytes: "<PRI>" and a version digit mean RFC 5424,
 * four digits and a dash an ISO stamp, a month abbreviation an RFC 3164
 * stamp.  Anything else is tried as the journal short form and otherwise
 * left whole as the message.  It does not judge whether the program is one
 * a format wants; that is the caller's decision.
 */
#include "formats/syslog_header.h"

#include <time.h>

/* The longest program name accepted in a "prog[pid]:" token. */
#define SYSLOG_HEADER_MAX_PROGRAM 64

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Returns the first space-delimited token of s and sets *rest after it. */
static struct sv
next_token(struct sv s, struct sv *rest)
{
    struct sv tok;

    *rest = sv_trim_left(sv_cut(s, ' ', &tok));
    return tok;
}

void
syslog_header_init(struct syslog_header_state *st,
                   const struct format_opts *opts)
{
    int year, month, day, hour, minute, second;
    int64_t local = opts->ref_time;

    memset(st, 0, sizeof(*st));
    st->opts = opts;

    /* ref_time's civil month in the input's zone decides the year rule. */
    if (opts->tz != NULL && !opts->tz->is_named) {
        local += opts->tz->offset_sec;
    } else if (opts->tz != NULL) {
        time_t t = (time_t)opts->ref_time;
        struct tm tm;
        if (localtime_r(&t, &tm) != NULL) {
            local = civil_to_epoch(tm.tm_year + 1900, tm.tm_mon + 1,
                                   tm.tm_mday, tm.tm_hour, tm.tm_min,
                                   tm.tm_sec);
        }
    }
    epoch_to_civil(local, &year, &month, &day, &hour, &minute, &second);
    st->ref_year = year;
    st->ref_month = month;
}

/* Picks the year of an RFC 3164 stamp in month (1 to 12). */
static int
pick_year(struct syslog_header_state *st, int month)
{
    const struct format_opts *opts = st->opts;

    if (!opts->year_given) {
        return month > st->ref_month ? st->ref_year - 1 : st->ref_year;
    }
    if (st->last_month == 0) {
        st->year = opts->year;
    } else if (st->last_month - month > 6) {
        /* A jump back of more than six months is December to January. */
        st->year++;
    }
    st->last_month = month;
    return st->year;
}

/* Reads two digits at p, or returns -1. */
static int
two_digits(const char *p)
{
    if (!is_digit(p[0]) || !is_digit(p[1])) {
        return -1;
    }
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/*
 * Parses an RFC 3164 stamp "Feb  7 16:01:07" (day padded with a space or
 * a zero, or unpadded) at the start of s.  Returns the bytes used, or 0.
 */
static size_t
parse_bsd_stamp(struct syslog_header_state *st, struct sv s,
                struct event_time *out)
{
    int month, day, hour, minute, second;
    size_t i = 4;

    if (s.len < 14 || s.p[3] != ' ' ||
        (month = month_from_abbrev(s)) == 0) {
        return 0;
    }
    if (s.p[i] == ' ') {
        i++;
    }
    if (!is_digit(s.p[i])) {
        return 0;
    }
    day = s.p[i++] - '0';
    if (is_digit(s.p[i])) {
        day = day * 10 + (s.p[i++] - '0');
    }
    if (day < 1 || day > 31 || i + 9 > s.len || s.p[i] != ' ') {
        return 0;
    }
    i++;
    hour = two_digits(s.p + i);
    minute = two_digits(s.p + i + 3);
    second = two_digits(s.p + i + 6);
    if (hour < 0 || hour > 23 || s.p[i + 2] != ':' || minute < 0 ||
        minute > 59 || s.p[i + 5] != ':' || second < 0 || second > 60) {
        return 0;
    }
    i += 8;

    int year = pick_year(st, month);
    out->sec = tz_to_epoch(st->opts->tz, year, month, day, hour, minute,
                           second);
    out->nsec = 0;
    out->digits = 0;
    return i;
}

/* Parses a leading "<PRI>" (one to three digits).  Returns bytes used. */
static size_t
parse_pri(struct sv s)
{
    size_t i = 1;

    if (s.len < 3 || s.p[0] != '<') {
        return 0;
    }
    while (i < s.len && i <= 3 && is_digit(s.p[i])) {
        i++;
    }
    if (i == 1 || i >= s.len || s.p[i] != '>') {
        return 0;
    }
    return i + 1;
}

/*
 * Splits a "prog[pid]:" or "prog:" token.  Returns false when tok is not
 * one (it does not end in a colon, or the name has unusual bytes).
 */
static bool
parse_program(struct sv tok, struct sv *program, int64_t *pid)
{
    if (tok.len < 2 || tok.p[tok.len - 1] != ':') {
        return false;
    }
    tok.len--;

    struct sv name = tok;
    *pid = -1;
    if (tok.p[tok.len - 1] == ']') {
        ptrdiff_t open = sv_find_char(tok, '[');
        uint64_t v;
        if (open < 0 ||
            !sv_to_u64(sv_make(tok.p + open + 1, tok.len - (size_t)open - 2),
                       UINT32_MAX, &v)) {
            return false;
        }
        *pid = (int64_t)v;
        name = sv_head(tok, (size_t)open);
    }
    if (name.len > SYSLOG_HEADER_MAX_PROGRAM) {
        return false;
    }
    for (size_t i = 0; i < name.len; i++) {
        char c = name.p[i];
        if (c == ' ' || c == ':' || c == '[' || c == ']') {
            return false;
        }
    }
    *program = name;
    return true;
}

/*
 * Parses "host prog[pid]: msg" or "prog[pid]: msg" after a stamp.  The
 * host is absent when the first token already is a program token.
 */
static void
parse_host_program(struct sv s, struct syslog_header *out)
{
    struct sv rest;
    struct sv first = next_token(s, &rest);
    struct sv after;

    if (parse_program(first, &out->program, &out->pid)) {
        out->message = rest;
        return;
    }
    out->host = first;
    struct sv second = next_token(rest, &after);
    if (parse_program(second, &out->program, &out->pid)) {
        out->message = after;
    } else {
        out->message = rest;
    }
}

/*
 * Skips RFC 5424 structured data "[id k=\"v\" ...][...]" at the start of
 * s, honouring backslash escapes inside quoted values.  Returns the bytes
 * used, or 0 when s does not start with well-formed structured data.
 */
static size_t
skip_structured_data(struct sv s)
{
    size_t i = 0;

    while (i < s.len && s.p[i] == '[') {
        bool quoted = false;
        i++;
        while (i < s.len) {
            char c = s.p[i];
            if (quoted && c == '\\') {
                i += 2;
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ']' && !quoted) {
                break;
            }
            i++;
        }
        if (i >= s.len) {
            return 0;
        }
        i++;
    }
    return i;
}

/* Returns the field, or SV_NULL for the RFC 5424 NILVALUE "-". */
static struct sv
nil_to_null(struct sv field)
{
    return sv_eq_cstr(field, "-") ? SV_NULL : field;
}

/*
 * Parses the part of an RFC 5424 line after "<PRI>1 ":
 * "2019-07-08T17:40:16.954167-04:00 host.example.com sshd 57915 - - msg".
 * Returns false when the line does not have that shape.
 */
static bool
parse_rfc5424(struct syslog_header_state *st, struct sv s,
              struct syslog_header *out)
{
    struct sv stamp = next_token(s, &s);

    out->kind = SYSLOG_HEADER_UNSTAMPED;
    if (!sv_eq_cstr(stamp, "-")) {
        size_t n = time_parse_iso(stamp, st->opts->tz, &out->time);
        if (n == 0 || n != stamp.len) {
            return false;
        }
        out->kind = SYSLOG_HEADER_STAMPED;
    }
    out->host = nil_to_null(next_token(s, &s));
    out->program = nil_to_null(next_token(s, &s));

    struct sv procid = next_token(s, &s);
    uint64_t pid;
    if (sv_to_u64(procid, UINT32_MAX, &pid)) {
        out->pid = (int64_t)pid;
    }
    (void)next_token(s, &s); /* MSGID */

    if (sv_starts_with(s, "-")) {
        s = sv_skip(s, 1);
    } else {
        size_t n = skip_structured_data(s);
        if (n == 0) {
            return false;
        }
        out->sd = sv_head(s, n);
        s = sv_skip(s, n);
    }
    if (s.len > 0 && s.p[0] == ' ') {
        s = sv_skip(s, 1);
    }
    if (sv_starts_with(s, "\xEF\xBB\xBF")) {
        s = sv_skip(s, 3);
    }
    out->message = s;
    return true;
}

/* Parses a line that starts with a stamp of any kind, after any <PRI>. */
static bool
parse_stamped(struct syslog_header_state *st, struct sv s,
              struct syslog_header *out)
{
    size_t n;

    if (s.len >= 2 && s.p[0] == '1' && s.p[1] == ' ') {
        return parse_rfc5424(st, sv_skip(s, 2), out);
    }
    n = time_parse_iso(s, st->opts->tz, &out->time);
    if (n == 0) {
        n = parse_bsd_stamp(st, s, &out->time);
    }
    if (n == 0 || n >= s.len || s.p[n] != ' ') {
        return false;
    }
    out->kind = SYSLOG_HEADER_STAMPED;
    parse_host_program(sv_trim_left(sv_skip(s, n)), out);
    return true;
}

/*
 * Parses the journal short form without a stamp: "srv sshd[1558]: msg" or
 * "sshd[1558]: msg".  A first token with no pid ("error: ...") is taken as
 * message text, because sshd -E writes such lines with no header.
 */
static bool
parse_unstamped(struct sv s, struct syslog_header *out)
{
    struct sv rest, after, program;
    struct sv first = next_token(s, &rest);
    int64_t pid;

    if (parse_program(first, &program, &pid) && pid >= 0) {
        out->program = program;
        out->pid = pid;
        out->message = rest;
        return true;
    }
    if (sv_find_char(first, ':') >= 0) {
        return false;
    }
    if (parse_program(next_token(rest, &after), &program, &pid)) {
        out->host = first;
        out->program = program;
        out->pid = pid;
        out->message = after;
        return true;
    }
    return false;
}

enum syslog_header_kind
syslog_header_parse(struct syslog_header_state *st, struct sv line,
                    struct syslog_header *out)
{
    struct sv s = line;
    size_t pri;

    memset(out, 0, sizeof(*out));
    out->pid = -1;
    out->kind = SYSLOG_HEADER_NONE;
    out->message = line;

    if (sv_starts_with(s, "\xEF\xBB\xBF")) {
        s = sv_skip(s, 3);
    }
    pri = parse_pri(s);
    s = sv_skip(s, pri);

    if (parse_stamped(st, s, out)) {
        if (out->kind == SYSLOG_HEADER_STAMPED) {
            st->last = out->time;
            st->has_last = true;
            return out->kind;
        }
        /* An RFC 5424 line whose stamp is the NILVALUE. */
    } else {
        memset(out, 0, sizeof(*out));
        out->pid = -1;
        out->message = line;
        if (pri == 0 && parse_unstamped(s, out)) {
            out->kind = SYSLOG_HEADER_UNSTAMPED;
        } else {
            out->kind = SYSLOG_HEADER_NONE;
        }
    }

    /* No stamp: the previous stamped line's time, else ref_time. */
    if (st->has_last) {
        out->time = st->last;
    } else {
        out->time.sec = st->opts->ref_time;
        out->time.nsec = 0;
        out->time.digits = 0;
    }
    return out->kind;
}
