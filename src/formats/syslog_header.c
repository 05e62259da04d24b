/*
 * Syslog header parsing: see syslog_header.h for the forms understood.
 *
 * The parser works left to right on a view and never copies.  It decides
 * the form from the first bytes: "<PRI>" and a version digit mean RFC 5424,
 * four digits and a dash an ISO stamp, a month abbreviation an RFC 3164
 * stamp.  Anything else is tried as the journal short form and otherwise
 * left whole as the message.  It does not judge whether the program is one
 * a format wants; that is the caller's decision.
 *
 * A fast path reads the two most common stamped shapes first and leaves
 * every other line to the general parser, with the same results.
 */
#include "formats/syslog_header.h"

#include "core/compiler.h"

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

/* A leap year, for the days a month can have in some year, and a common
 * year, for the days it has in every year. */
#define BSD_LEAP_YEAR 2000
#define BSD_COMMON_YEAR 2001

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
    /* A leap year has every day a month can have, so only Feb 29 is left
     * for the check after the year rule. */
    if (day < 1 || day > time_days_in_month(BSD_LEAP_YEAR, month) ||
        i + 9 > s.len || s.p[i] != ' ') {
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

    /* A stamp rejected here leaves the year rule's state as it was. */
    int saved_year = st->year;
    int saved_month = st->last_month;
    int year = pick_year(st, month);
    if (day > time_days_in_month(year, month)) {
        st->year = saved_year;
        st->last_month = saved_month;
        return 0;
    }
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

/* Returns the time of a line without a stamp: the previous stamped line's
 * time, else ref_time. */
static struct event_time
unstamped_time(const struct syslog_header_state *st)
{
    struct event_time t = { .sec = st->opts->ref_time, .nsec = 0,
                            .digits = 0 };

    return st->has_last ? st->last : t;
}

enum syslog_header_kind
syslog_header_parse_general(struct syslog_header_state *st, struct sv line,
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

    out->time = unstamped_time(st);
    return out->kind;
}

/*
 * The fast path.  Most lines of a log have one of two exact shapes:
 *
 *   "Feb  7 16:01:07 host prog[pid]: msg"
 *   "2024-01-02T03:04:05.123456+01:00 host prog[pid]: msg"
 *
 * (the pid part optional, the fraction and zone optional in the second),
 * and the journal short form "host prog[pid]: msg" has no stamp at all.
 * The fast path tests digits and separators at fixed offsets, remembers
 * the last stamp up to the minute, and scans the program and pid in one
 * pass.  It accepts a line only when every byte it looked at has exactly
 * the expected shape, and then gives the same result as the general
 * parser, which it leaves every other line to.  It changes the state only
 * after the whole header matched (apart from the memos, which hold no
 * result), so a line it rejects reaches the general parser with the state
 * as it was.
 */

/* Bytes of a stamp up to the minute: "Feb  7 16:01", "2024-01-02T03:04". */
#define FAST_BSD_PREFIX 12
#define FAST_ISO_PREFIX 16

/* A stamp read by the fast path, before the year rule and zone apply. */
struct fast_stamp {
    struct syslog_stamp_memo *memo; /* the minute, with its fields */
    bool has_offset;                /* "Z" or "+HH:MM", not opts->tz */
    int second;
    int32_t offset_sec;
    int32_t nsec;
    int8_t digits;
};

/*
 * Months indexed by a hash of their three letters: (c0 + c1 + 3 * c2) mod
 * 32 differs for the twelve English abbreviations.  fast_month compares
 * the hit in full.
 */
static const unsigned char fast_month_by_hash[32] = {
    [21] = 1, [17] = 2, [4] = 3, [7] = 4,   [25] = 5,  [9] = 6,
    [3] = 7,  [11] = 8, [8] = 9, [14] = 10, [31] = 11, [18] = 12,
};

static const char fast_month_names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* Returns 1 to 12 for "Jan" to "Dec" at p (three readable bytes), or 0. */
static int
fast_month(const char *p)
{
    unsigned sum = (unsigned char)p[0] + (unsigned char)p[1] +
                   3u * (unsigned char)p[2];
    int month = fast_month_by_hash[sum % 32];

    if (month == 0) {
        return 0;
    }

    const char *name = fast_month_names + 3 * (month - 1);
    if (name[0] != p[0] || name[1] != p[1] || name[2] != p[2]) {
        return 0;
    }
    return month;
}

/* Returns the value of the two digits at p, or -1. */
static int
fast_two_digits(const char *p)
{
    unsigned hi = (unsigned)(unsigned char)p[0] - '0';
    unsigned lo = (unsigned)(unsigned char)p[1] - '0';

    if (hi > 9 || lo > 9) {
        return -1;
    }
    return (int)(hi * 10 + lo);
}

/*
 * Reads "hh:mm" at p (five readable bytes) into memo, with the ranges of
 * the general parser: hour to 23, minute to 59.
 */
static bool
fast_hour_minute(const char *p, struct syslog_stamp_memo *memo)
{
    memo->hour = fast_two_digits(p);
    memo->minute = fast_two_digits(p + 3);
    return p[2] == ':' && memo->hour >= 0 && memo->hour <= 23 &&
           memo->minute >= 0 && memo->minute <= 59;
}

/*
 * Reads ":ss" at p (three readable bytes), the second up to 60 as in the
 * general parser.  Returns the second, or -1.
 */
static int
fast_second(const char *p)
{
    int second = fast_two_digits(p + 1);

    return p[0] == ':' && second <= 60 ? second : -1;
}

/*
 * Checks the minute prefix "Feb  7 16:01" or "Feb 17 16:01" at p and
 * fills memo from it.  The unpadded day "Feb 7" is left to the general
 * parser.
 */
static bool
fast_bsd_minute(const char *p, struct syslog_stamp_memo *memo)
{
    unsigned tens, ones;

    memo->valid = false;
    memo->has_start = false;
    memo->month = fast_month(p);
    tens = p[4] == ' ' ? 0 : (unsigned)(unsigned char)p[4] - '0';
    ones = (unsigned)(unsigned char)p[5] - '0';
    if (p[3] != ' ' || p[6] != ' ' || memo->month == 0 || tens > 9 ||
        ones > 9) {
        return false;
    }
    /* Feb 29 exists only in some years, which the general parser checks
     * after the year rule, so the days of a common year pass here. */
    memo->day = (int)(tens * 10 + ones);
    if (memo->day < 1 ||
        memo->day > time_days_in_month(BSD_COMMON_YEAR, memo->month) ||
        !fast_hour_minute(p + 7, memo)) {
        return false;
    }
    memcpy(memo->prefix, p, FAST_BSD_PREFIX);
    memo->valid = true;
    return true;
}

/*
 * Reads "Feb  7 16:01:07 " at the start of s.  Returns the stamp's length
 * without the space, or 0.
 */
static size_t
fast_bsd_stamp(struct syslog_header_state *st, struct sv s,
               struct fast_stamp *fs)
{
    struct syslog_stamp_memo *memo = &st->bsd_memo;

    if (s.len < 16 || s.p[15] != ' ') {
        return 0;
    }
    fs->second = fast_second(s.p + 12);
    if (fs->second < 0) {
        return 0;
    }
    if (!memo->valid || memcmp(memo->prefix, s.p, FAST_BSD_PREFIX) != 0) {
        if (!fast_bsd_minute(s.p, memo)) {
            return 0;
        }
    }
    fs->memo = memo;
    fs->has_offset = false;
    fs->offset_sec = 0;
    fs->nsec = 0;
    fs->digits = 0;
    return 15;
}

/* Factors that scale a fraction of n digits (index n, 0 to 9) to ns. */
static const int32_t fast_frac_scale[10] = {
    1000000000, 100000000, 10000000, 1000000, 100000, 10000, 1000, 100, 10, 1};

/*
 * Reads a fraction ".123456" (any number of digits, nine kept) and a zone
 * "Z", "+HH:MM" or none at s.p[*i], as time_parse_iso does.  Leaves *i at
 * the byte after them.  Returns false for any other zone form, which the
 * general parser handles.
 */
static bool
fast_frac_zone(struct sv s, size_t *i, struct fast_stamp *fs)
{
    const char *p = s.p;
    size_t k = *i;

    fs->nsec = 0;
    fs->digits = 0;
    if (k + 1 < s.len && (p[k] == '.' || p[k] == ',') &&
        (unsigned)(unsigned char)p[k + 1] - '0' <= 9) {
        size_t start = ++k;
        size_t kept_end = s.len - k > 9 ? k + 9 : s.len;
        int32_t nsec = 0;
        uint32_t value;
        unsigned count;
        if (s.len - k >= 8 && (count = sv_leading_digits8(p + k, &value)) < 8) {
            /* One word gave up to 7 digits and the byte after them. */
            nsec = (int32_t)value;
            k += count;
        } else {
            unsigned d;
            while (k < kept_end &&
                   (d = (unsigned)(unsigned char)p[k] - '0') <= 9) {
                nsec = nsec * 10 + (int32_t)d;
                k++;
            }
        }
        fs->digits = (int8_t)(k - start);
        fs->nsec = nsec * fast_frac_scale[fs->digits];
        /* Digits past the ninth are read and dropped. */
        if (fs->digits == 9) {
            while (k < s.len && (unsigned)(unsigned char)p[k] - '0' <= 9) {
                k++;
            }
        }
    }

    fs->has_offset = false;
    fs->offset_sec = 0;
    if (k < s.len && (p[k] == 'Z' || p[k] == 'z')) {
        fs->has_offset = true;
        fs->offset_sec = 0;
        k++;
    } else if (k < s.len && (p[k] == '+' || p[k] == '-')) {
        if (k + 6 > s.len || p[k + 3] != ':') {
            return false;
        }
        int hours = fast_two_digits(p + k + 1);
        int minutes = fast_two_digits(p + k + 4);
        if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
            return false;
        }
        fs->has_offset = true;
        fs->offset_sec = (p[k] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
        k += 6;
    }
    *i = k;
    return true;
}

/*
 * Checks the minute prefix "2024-01-02T03:04" at p and fills memo from
 * it, with the minute's start in UTC.  The space in place of the T is
 * left to the general parser.
 */
static bool
fast_iso_minute(const char *p, struct syslog_stamp_memo *memo)
{
    memo->valid = false;
    if (p[4] != '-' || p[7] != '-' || p[10] != 'T') {
        return false;
    }
    int century = fast_two_digits(p);
    int year = fast_two_digits(p + 2);
    memo->month = fast_two_digits(p + 5);
    memo->day = fast_two_digits(p + 8);
    if (century < 0 || year < 0 || memo->month < 1 || memo->month > 12 ||
        memo->day < 1) {
        return false;
    }
    memo->year = century * 100 + year;
    if (memo->day > time_days_in_month(memo->year, memo->month) ||
        !fast_hour_minute(p + 11, memo)) {
        return false;
    }
    memo->minute_start = civil_to_epoch(memo->year, memo->month, memo->day,
                                        memo->hour, memo->minute, 0);
    memo->has_start = true;
    memcpy(memo->prefix, p, FAST_ISO_PREFIX);
    memo->valid = true;
    return true;
}

/*
 * Reads "2024-01-02T03:04:05[.frac][Z|+HH:MM] " at the start of s.
 * Returns the stamp's length without the space, or 0.  The "+HHMM" and
 * "+HH" zones are left to the general parser.
 */
static size_t
fast_iso_stamp(struct syslog_header_state *st, struct sv s,
               struct fast_stamp *fs)
{
    struct syslog_stamp_memo *memo = &st->iso_memo;
    size_t i = 19;

    if (s.len < 20) {
        return 0;
    }
    fs->second = fast_second(s.p + 16);
    if (fs->second < 0) {
        return 0;
    }
    if (!memo->valid || memcmp(memo->prefix, s.p, FAST_ISO_PREFIX) != 0) {
        if (!fast_iso_minute(s.p, memo)) {
            return 0;
        }
    }
    if (!fast_frac_zone(s, &i, fs) || i >= s.len || s.p[i] != ' ') {
        return 0;
    }
    fs->memo = memo;
    return i;
}

/* Bytes that a program name must not contain, which end its scan. */
static const bool fast_name_stop[256] = {
    [' '] = true,
    [':'] = true,
    ['['] = true,
    [']'] = true,
};

/*
 * Returns a pointer to the byte that ends the program name at p: the first
 * space, colon or bracket before end, or end.  When the bytes at p repeat
 * the remembered name and the byte after it, one word comparison finds it.
 */
SSHTRAIL_ALWAYS_INLINE static inline const char *
fast_program_end(struct syslog_header_state *st, const char *p,
                 const char *end)
{
    if (st->program_memo_len > 0 && end - p >= 8 &&
        (sv_load_le64(p) & st->program_mask) == st->program_word) {
        return p + st->program_memo_len - 1;
    }

    const char *q = p;
    while (q < end && !fast_name_stop[(unsigned char)*q]) {
        q++;
    }
    if (q < end && q - p < 8 && end - p >= 8) {
        /* The name and the byte after it are the n first bytes of the
         * word, which sv_load_le64 puts in its n lowest bytes. */
        size_t n = (size_t)(q - p) + 1;
        uint64_t mask = n < 8 ? ((uint64_t)1 << (8 * n)) - 1 : UINT64_MAX;
        st->program_mask = mask;
        st->program_word = sv_load_le64(p) & mask;
        st->program_memo_len = n;
    }
    return q;
}

/*
 * Reads "prog[pid]: " or "prog: " at p, before end, in one pass.  Sets
 * out->program and out->pid and returns the byte after the space, or NULL
 * when the token has any other shape.
 */
SSHTRAIL_ALWAYS_INLINE static inline const char *
fast_program(struct syslog_header_state *st, const char *p, const char *end,
             struct syslog_header *out)
{
    const char *q = fast_program_end(st, p, end);

    if (q == end || q - p > SYSLOG_HEADER_MAX_PROGRAM) {
        return NULL;
    }
    out->program = sv_make(p, (size_t)(q - p));
    out->pid = -1;
    if (*q == ':') {
        /* "prog: ", with a name of at least one byte. */
        if (q == p || end - q < 2 || q[1] != ' ') {
            return NULL;
        }
        return q + 2;
    }
    if (*q != '[') {
        return NULL;
    }

    /* "[pid]: " with 1 to 10 digits up to UINT32_MAX, as sv_to_u64. */
    const char *digits = ++q;
    uint64_t pid = 0;
    uint32_t value;
    unsigned count;
    if (end - q >= 8 && (count = sv_leading_digits8(q, &value)) < 8) {
        /* One word gave up to 7 digits and the byte after them. */
        if (count == 0) {
            return NULL;
        }
        pid = value;
        q += count;
    } else {
        unsigned d;
        while (q < end && (d = (unsigned)(unsigned char)*q - '0') <= 9) {
            /* Wraps past 20 digits, but more than 10 are rejected below. */
            pid = pid * 10 + d;
            q++;
        }
        /* 1 to 10 digits: the unsigned subtraction turns 0 into SIZE_MAX. */
        size_t n = (size_t)(q - digits) - 1;
        if (n >= 10 || pid > UINT32_MAX) {
            return NULL;
        }
    }
    if (end - q < 3 || memcmp(q, "]: ", 3) != 0) {
        return NULL;
    }
    out->pid = (int64_t)pid;
    return q + 3;
}

/*
 * Reads "host prog[pid]: msg" from s, which starts after the stamp's
 * space, into out->host, program, pid and message.  Returns false when
 * the general parser could see it otherwise: white space or nothing after
 * the stamp's space, no host, a host token ending in a colon, a second
 * space or tab between host and program, or a program token of another
 * shape.
 *
 * This function and the two it calls are inlined into both of their
 * callers by force: with two callers GCC 12 keeps one of them out of line,
 * which costs the stamped lines about 1 % more instructions in all.
 */
SSHTRAIL_ALWAYS_INLINE static inline bool
fast_host_program(struct syslog_header_state *st, struct sv s,
                  struct syslog_header *out)
{
    /* More white space after the stamp is left to the general parser. */
    if (s.len == 0 || s.p[0] == ' ' || s.p[0] == '\t') {
        return false;
    }

    const char *end = s.p + s.len;
    const char *space;
    if (s.len >= 8) {
        /* Most host names are shorter than 8 bytes. */
        unsigned at = sv_find_byte8(s.p, ' ');
        space = at < 8 ? s.p + at : memchr(s.p + 8, ' ', s.len - 8);
    } else {
        space = s.len > 0 ? memchr(s.p, ' ', s.len) : NULL;
    }
    if (space == NULL || space[-1] == ':') {
        return false;
    }
    out->host = sv_make(s.p, (size_t)(space - s.p));

    const char *prog = space + 1;
    if (prog >= end || *prog == ' ' || *prog == '\t') {
        return false;
    }
    const char *msg = fast_program(st, prog, end, out);
    if (msg == NULL) {
        return false;
    }
    out->message = sv_trim_left(sv_make(msg, (size_t)(end - msg)));
    return true;
}

/*
 * Applies the year rule (RFC 3164 only) and the zone to fs, as the general
 * parser does: civil_to_epoch is linear in the second, so the minute's
 * start plus the second gives the same value.
 */
static int64_t
fast_stamp_epoch(struct syslog_header_state *st, const struct fast_stamp *fs)
{
    struct syslog_stamp_memo *memo = fs->memo;
    const struct tz *tz = st->opts->tz;

    if (memo == &st->bsd_memo) {
        int year = pick_year(st, memo->month);
        if (!memo->has_start || memo->year != year) {
            memo->year = year;
            memo->minute_start = civil_to_epoch(year, memo->month, memo->day,
                                                memo->hour, memo->minute, 0);
            memo->has_start = true;
        }
    }
    if (fs->has_offset) {
        return memo->minute_start + fs->second - fs->offset_sec;
    }
    if (tz->is_named) {
        return tz_to_epoch(tz, memo->year, memo->month, memo->day, memo->hour,
                           memo->minute, fs->second);
    }
    return memo->minute_start + fs->second - tz->offset_sec;
}

/*
 * Parses line by the fast path.  Returns false when the general parser has
 * to decide, with *st as it was and *out partly written (the general
 * parser clears it first).
 */
static bool
parse_fast(struct syslog_header_state *st, struct sv line,
           struct syslog_header *out)
{
    struct fast_stamp fs;
    size_t n;

    if (line.len == 0) {
        return false;
    }
    if ((unsigned)(unsigned char)line.p[0] - '0' <= 9) {
        n = fast_iso_stamp(st, line, &fs);
    } else {
        n = fast_bsd_stamp(st, line, &fs);
    }
    if (n == 0 || !fast_host_program(st, sv_skip(line, n + 1), out)) {
        return false;
    }

    /* Built whole and stored twice: copying out->time back right after
     * writing its fields one by one would stall on store forwarding. */
    struct event_time t = {
        .sec = fast_stamp_epoch(st, &fs), .nsec = fs.nsec, .digits = fs.digits,
    };
    out->kind = SYSLOG_HEADER_STAMPED;
    out->time = t;
    out->sd = SV_NULL;
    st->last = t;
    st->has_last = true;
    return true;
}

/*
 * Parses the journal short form "host prog[pid]: msg", which has no stamp,
 * as the general parser does.  A line that starts with a letter has no
 * ISO stamp, "<PRI>" or byte order mark.  An RFC 3164 stamp starts with a
 * letter too, but its second word is the day, never a program token, so
 * fast_host_program rejects it.  Returns false for those lines, for a host
 * with a colon (which the general parser rejects) and for the shapes that
 * fast_host_program leaves, with *st as it was.
 */
static bool
parse_fast_unstamped(struct syslog_header_state *st, struct sv line,
                     struct syslog_header *out)
{
    unsigned char first = line.len > 0 ? (unsigned char)line.p[0] : 0;

    if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) {
        return false;
    }
    if (!fast_host_program(st, line, out) ||
        memchr(out->host.p, ':', out->host.len) != NULL) {
        return false;
    }
    out->kind = SYSLOG_HEADER_UNSTAMPED;
    out->sd = SV_NULL;
    out->time = unstamped_time(st);
    return true;
}

enum syslog_header_kind
syslog_header_parse(struct syslog_header_state *st, struct sv line,
                    struct syslog_header *out)
{
    if (parse_fast(st, line, out)) {
        return SYSLOG_HEADER_STAMPED;
    }
    if (parse_fast_unstamped(st, line, out)) {
        return SYSLOG_HEADER_UNSTAMPED;
    }
    return syslog_header_parse_general(st, line, out);
}
