/*
 * The OpenSSH server log format: syslog, journal short form or sshd -E
 * lines carrying sshd's authentication and session messages.
 *
 * syslog_header.c splits off the header; this file recognises the message
 * and fills one event per recognised line.  Clients choose user names,
 * which may be empty or contain spaces and text that looks like an
 * address.  So every address and port comes from the fixed trailing part
 * of a message, anchored at its end, and the user is whatever lies between
 * the fixed prefix and that part.  Messages sshtrail does not use are
 * skipped by reason; nothing here buffers across lines.
 */
#define _GNU_SOURCE             /* memrchr */
#include "core/compiler.h"
#include "formats/format.h"
#include "formats/sshd.h"
#include "formats/syslog_header.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* Parser state for one input. */
struct sshd_state {
    struct format_opts opts;
    struct syslog_header_state header;
    struct event ev;                /* reused for every line */
};

/* Fields one message parser extracts; views point into the line. */
struct sshd_fields {
    struct sv user;                 /* p == NULL when absent */
    struct sv addr;
    int64_t port;                   /* -1 when absent */
    struct sv method;
    struct sv key_type;
    struct sv key_fp;
    struct sv detail;
    struct sv tty;
    struct sv session_type;
    int64_t uid;                    /* -1 when absent */
    int64_t child_pid;              /* -1 when absent */
    bool invalid_user;
    bool preauth;
};

/*
 * Clears f: every view absent, every number -1.  It assigns field by field
 * because for an initializer GCC 12 at -O2 emits "rep stosq", which runs
 * one step per 8 bytes and starts slowly on x86-64.
 */
static inline void
init_fields(struct sshd_fields *f, bool preauth)
{
    f->user = SV_NULL;
    f->addr = SV_NULL;
    f->port = -1;
    f->method = SV_NULL;
    f->key_type = SV_NULL;
    f->key_fp = SV_NULL;
    f->detail = SV_NULL;
    f->tty = SV_NULL;
    f->session_type = SV_NULL;
    f->uid = -1;
    f->child_pid = -1;
    f->invalid_user = false;
    f->preauth = preauth;
}

/* Handles the message after its prefix; returns false when malformed. */
typedef bool (*sshd_handler)(struct sv rest, struct sshd_fields *f,
                             enum event_kind *kind);

struct sshd_message {
    const char *prefix;
    size_t len;                 /* strlen(prefix) */
    sshd_handler handler;
};

#define MSG(prefix, handler) { prefix, sizeof(prefix) - 1, handler }

/*
 * Returns the offset of the byte of needle to search for: the second when
 * the needle starts with a space, as most do, because spaces separate
 * every word of a message.
 */
static inline size_t
anchor_of(struct sv needle)
{
    return needle.len > 1 && needle.p[0] == ' ' ? 1 : 0;
}

/* True when needle occurs in s at offset i (i + needle.len <= s.len). */
static inline bool
matches_at(struct sv s, size_t i, struct sv needle)
{
    /* Inlined with a literal needle, this memcmp has a constant length,
     * which GCC at -O2 expands into a few loads instead of a call. */
    return memcmp(s.p + i, needle.p, needle.len) == 0;
}

/*
 * Returns the offset of the last occurrence of needle in s, or -1, like
 * sv_rfind.  memrchr finds the candidates by the byte anchor_of picks.
 */
static inline ptrdiff_t
rfind(struct sv s, struct sv needle)
{
    if (needle.len == 0 || needle.len > s.len) {
        return needle.len == 0 ? (ptrdiff_t)s.len : -1;
    }

    /* Candidate starts run from 0 to s.len - needle.len, and n of them
     * remain to be searched. */
    size_t a = anchor_of(needle);
    size_t n = s.len - needle.len + 1;
    while (n > 0) {
        const char *hit = memrchr(s.p + a, needle.p[a], n);
        if (hit == NULL) {
            return -1;
        }
        size_t i = (size_t)(hit - s.p) - a;
        if (matches_at(s, i, needle)) {
            return (ptrdiff_t)i;
        }
        n = i;
    }
    return -1;
}

/*
 * Returns the offset of the first occurrence of needle in s, or -1, like
 * sv_find.  memchr finds the candidates by the byte anchor_of picks.
 */
static inline ptrdiff_t
find(struct sv s, struct sv needle)
{
    if (needle.len == 0 || needle.len > s.len) {
        return needle.len == 0 ? 0 : -1;
    }

    size_t a = anchor_of(needle);
    size_t i = 0;
    size_t end = s.len - needle.len + 1;
    while (i < end) {
        const char *hit = memchr(s.p + a + i, needle.p[a], end - i);
        if (hit == NULL) {
            return -1;
        }
        i = (size_t)(hit - s.p) - a;
        if (matches_at(s, i, needle)) {
            return (ptrdiff_t)i;
        }
        i++;
    }
    return -1;
}

static bool
is_digits(struct sv s)
{
    if (s.len == 0) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
    }
    return true;
}

/*
 * Parses a port number that fills all of s, as sv_to_u64 with a maximum
 * of 65535 does: up to 20 digits, leading zeros allowed.
 */
static bool
parse_port(struct sv s, int64_t *port)
{
    uint32_t v = 0;

    if (s.len == 0 || s.len > 20) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        uint32_t d = (uint32_t)(unsigned char)s.p[i] - '0';
        if (d > 9) {
            return false;
        }
        /* v is at most 65535 here, so this cannot overflow. */
        v = v * 10 + d;
        if (v > 65535) {
            return false;
        }
    }
    *port = (int64_t)v;
    return true;
}

/* Removes suffix from *s when present; returns whether it was. */
static bool
strip_suffix(struct sv *s, struct sv suffix)
{
    if (s->len < suffix.len ||
        memcmp(s->p + s->len - suffix.len, suffix.p, suffix.len) != 0) {
        return false;
    }
    s->len -= suffix.len;
    return true;
}

/* A non-empty token without spaces: an address or a host name. */
static bool
is_addr_token(struct sv s)
{
    return s.len > 0 && sv_find_char(s, ' ') < 0;
}

/*
 * The end of a text that ends in "ADDR port N" or "ADDR", read backwards
 * in one pass.  The port part is there when the digits that end the text
 * follow " port ", so that " port " is the last one in the text.
 */
struct addr_tail {
    size_t addr_end;            /* offset of " port ", else the length */
    bool has_port;              /* the port part is there */
    int64_t port;               /* its value, or -1 when parse_port would
                                 * reject the digits */
    const char *space;          /* last space before addr_end, or NULL */
};

/*
 * Reads the digits that end s, from the last one back.  Sets *start to the
 * offset of the first digit and returns their value, or a value past 65535
 * when they form a larger number.  Leading zeros are allowed.
 */
static uint32_t
scan_trailing_digits(struct sv s, size_t *start)
{
    size_t k = s.len;
    uint32_t value = 0;
    uint32_t scale = 1;
    bool too_big = false;
    unsigned d;

    if (s.len >= 8) {
        /* Up to 7 digits come from one word, and the byte before them is
         * not a digit. */
        uint32_t word_value;
        unsigned count = sv_trailing_digits8(s.p + s.len, &word_value);
        if (count < 8) {
            *start = s.len - count;
            return word_value;
        }
    }

    /* The digits are read from the last one, so the first five of them
     * give the value and any other digit but 0 puts it past 65535. */
    size_t five_digits_start = s.len > 5 ? s.len - 5 : 0;
    while (k > five_digits_start &&
           (d = (unsigned)(unsigned char)s.p[k - 1] - '0') <= 9) {
        value += d * scale;
        scale *= 10;
        k--;
    }
    if (k == five_digits_start) {
        while (k > 0 && (d = (unsigned)(unsigned char)s.p[k - 1] - '0') <= 9) {
            too_big = too_big || d != 0;
            k--;
        }
    }
    *start = k;
    return too_big ? UINT32_MAX : value;
}

/* Inlined by force into its three callers, which read most addresses. */
SSHTRAIL_ALWAYS_INLINE static inline void
scan_addr_tail(struct sv s, struct addr_tail *t)
{
    size_t k;
    uint32_t value = scan_trailing_digits(s, &k);

    t->addr_end = s.len;
    t->has_port = false;
    t->port = -1;
    if (k < s.len && k >= 6 && memcmp(s.p + k - 6, " port ", 6) == 0) {
        t->addr_end = k - 6;
        t->has_port = true;
        /* As parse_port: up to 20 digits, up to 65535. */
        if (s.len - k <= 20 && value <= 65535) {
            t->port = (int64_t)value;
        }
    }
    t->space = t->addr_end > 0 ? memrchr(s.p, ' ', t->addr_end) : NULL;
}

/*
 * Takes the address from offset start to t->addr_end of s and the port
 * from t.  The address must be a token; with need_port the port part must
 * be there.  A port part that parses is stored even when the address then
 * fails.
 */
static bool
take_addr_port(struct sv s, const struct addr_tail *t, size_t start,
               bool need_port, struct sshd_fields *f)
{
    struct sv addr = sv_make(s.p + start, t->addr_end - start);
    bool token = addr.len > 0 && (t->space == NULL || t->space < addr.p);

    if (t->has_port) {
        if (t->port < 0) {
            return false;
        }
        f->port = t->port;
        f->addr = addr;
        return token;
    }
    if (need_port || !token) {
        return false;
    }
    f->addr = addr;
    return true;
}

/*
 * Parses "ADDR port N" or "ADDR" filling all of s.  With need_port the
 * port part must be there.
 */
static bool
parse_addr_port(struct sv s, bool need_port, struct sshd_fields *f)
{
    struct addr_tail t;

    scan_addr_tail(s, &t);
    return take_addr_port(s, &t, 0, need_port, f);
}

/*
 * Splits "USER from ADDR[ port N]" at the trailing " from ": the address
 * part is anchored at the end, so a user name that contains " from " cannot
 * move it.  s may start with " from " for an empty user name.
 */
static bool
split_user_from(struct sv s, bool need_port, struct sshd_fields *f)
{
    struct addr_tail t;
    const char *sp;
    ptrdiff_t at;

    /* When " from" ends right before the space that starts the address
     * token, that " from " is the last one, unless the token is "from"
     * and " port N" follows it. */
    scan_addr_tail(s, &t);
    sp = t.space;
    if (sp != NULL && sp - s.p >= 5 && memcmp(sp - 5, " from", 5) == 0 &&
        !(s.p + t.addr_end - sp == 5 && memcmp(sp + 1, "from", 4) == 0)) {
        at = sp - 5 - s.p;
        if (!take_addr_port(s, &t, (size_t)at + 6, need_port, f)) {
            return false;
        }
        f->user = sv_head(s, (size_t)at);
        return true;
    }

    /* Otherwise the last " from " starts the address part, because the
     * address has no spaces. */
    at = rfind(s, SV_LIT(" from "));
    if (at < 0 || !parse_addr_port(sv_skip(s, (size_t)at + 6), need_port, f)) {
        return false;
    }
    f->user = sv_head(s, (size_t)at);
    return true;
}

/*
 * Splits "[authenticating |invalid ]user USER ADDR port N" or "ADDR port N"
 * (the shapes of "Connection closed by" and "Disconnected from", which
 * have no "from" before the address).
 */
static bool
split_user_addr(struct sv s, struct sshd_fields *f)
{
    static const char *const lead[] = {
        "authenticating user ", "invalid user ", "user ",
    };

    for (size_t i = 0; i < sizeof(lead) / sizeof(lead[0]); i++) {
        if (s.len == 0 || s.p[0] != lead[i][0] ||
            !sv_starts_with(s, lead[i])) {
            continue;
        }

        /* The address is the token before the last " port "; the user
         * precedes it. */
        struct sv rest = sv_skip(s, strlen(lead[i]));
        struct addr_tail t;
        scan_addr_tail(rest, &t);
        if (!t.has_port || t.space == NULL ||
            !take_addr_port(rest, &t, (size_t)(t.space - rest.p) + 1, true,
                            f)) {
            return false;
        }
        f->user = sv_make(rest.p, (size_t)(t.space - rest.p));
        f->invalid_user = i == 1;
        return true;
    }
    return parse_addr_port(s, false, f);
}

/*
 * Checks the authentication detail sshd appends after "ssh2: ": a key
 * type and fingerprint ("RSA SHA256:..." or an MD5 colon form), which
 * hostbased logins follow with ", client user ..." and certificates with
 * " ID ...".  SSH protocol 1 logged "ruser NAME" there instead.
 */
static bool
parse_auth_info(struct sv info, bool ssh1, struct sshd_fields *f)
{
    struct sv type, fp;
    size_t i = 0;

    if (ssh1) {
        return sv_starts_with(info, "ruser ");
    }
    while (i < info.len && ((info.p[i] >= 'A' && info.p[i] <= 'Z') ||
                            (info.p[i] >= 'a' && info.p[i] <= 'z') ||
                            is_digits(sv_make(info.p + i, 1)) ||
                            info.p[i] == '-')) {
        i++;
    }
    if (i == 0 || i >= info.len || info.p[i] != ' ') {
        return false;
    }
    type = sv_head(info, i);
    fp = sv_skip(info, i + 1);
    i = 0;
    while (i < fp.len && fp.p[i] != ' ' && fp.p[i] != ',') {
        i++;
    }
    struct sv tail = sv_skip(fp, i);
    fp = sv_head(fp, i);
    if (sv_find_char(fp, ':') < 0) {
        return false;
    }
    if (tail.len > 0 && !sv_starts_with(tail, ", ") &&
        !sv_starts_with(tail, " ID ") && !sv_starts_with(tail, " CA ")) {
        return false;
    }
    f->key_type = type;
    f->key_fp = fp;
    return true;
}

/*
 * Parses "USER from ADDR port N ssh2[: INFO]", the tail of "Accepted",
 * "Failed" and "maximum authentication attempts exceeded".  A message
 * that ends in " ssh2" carries no INFO, so a user name holding
 * ": RSA ..." cannot pass for one.  Otherwise the rightmost " ssh2: "
 * followed by a well-formed INFO ends the address part.  Releases before
 * OpenSSH 5 wrote no " ssh2" and sometimes no port.
 */
static bool
split_auth_tail(struct sv s, struct sshd_fields *f)
{
    struct sv head = s;

    if (strip_suffix(&head, SV_LIT(" ssh2")) ||
        strip_suffix(&head, SV_LIT(" ssh1"))) {
        return split_user_from(head, true, f);
    }
    for (;;) {
        ptrdiff_t at = rfind(head, SV_LIT(": "));
        if (at < 5) {
            break;
        }
        struct sv before = sv_head(head, (size_t)at);
        struct sv info = sv_skip(s, (size_t)at + 2);
        bool ssh1 = sv_ends_with(before, " ssh1");
        if ((ssh1 || sv_ends_with(before, " ssh2")) &&
            parse_auth_info(info, ssh1, f) &&
            split_user_from(sv_head(before, before.len - 5), true, f)) {
            return true;
        }
        f->key_type = SV_NULL;
        f->key_fp = SV_NULL;
        head = before;
    }
    return split_user_from(s, false, f);
}

/*
 * "Accepted publickey for alice from 192.0.2.1 port 50022 ssh2: ED25519
 * SHA256:..."
 */
static bool
on_accepted(struct sv rest, struct sshd_fields *f, enum event_kind *kind)
{
    ptrdiff_t at = find(rest, SV_LIT(" for "));

    if (at <= 0) {
        return false;
    }
    f->method = sv_head(rest, (size_t)at);
    rest = sv_skip(rest, (size_t)at + 4);
    *kind = EVENT_AUTH_SUCCESS;
    if (!split_auth_tail(rest, f)) {
        return false;
    }
    f->user = sv_skip(f->user, 1);
    return true;
}

/* "Failed password for invalid user admin from 192.0.2.7 port 4711 ssh2" */
static bool
on_failed(struct sv rest, struct sshd_fields *f, enum event_kind *kind)
{
    if (!on_accepted(rest, f, kind)) {
        return false;
    }
    *kind = EVENT_AUTH_FAILURE;
    if (sv_starts_with(f->user, "invalid user ")) {
        f->user = sv_skip(f->user, 13);
        f->invalid_user = true;
    }
    return true;
}

/* "Invalid user admin from 192.0.2.7 port 4711" */
static bool
on_invalid_user(struct sv rest, struct sshd_fields *f, enum event_kind *kind)
{
    struct sv s = sv_make(rest.p - 1, rest.len + 1);

    *kind = EVENT_INVALID_USER;
    f->invalid_user = true;
    if (!split_user_from(s, false, f)) {
        return false;
    }
    f->user = sv_skip(f->user, 1);
    return true;
}

/*
 * "Connection closed by authenticating user root 192.0.2.10 port 46038
 * [preauth]"
 */
static bool
on_closed(struct sv rest, struct sshd_fields *f, enum event_kind *kind)
{
    *kind = f->preauth ? EVENT_PREAUTH_CLOSE : EVENT_DISCONNECT;
    return split_user_addr(rest, f);
}

/* "Received disconnect from 192.0.2.76 port 58846:11: Bye Bye [preauth]" */
static bool
on_received_disconnect(struct sv rest, struct sshd_fields *f,
                       enum event_kind *kind)
{
    struct sv addr;
    struct sv after = sv_cut(rest, ' ', &addr);
    ptrdiff_t colon;

    *kind = f->preauth ? EVENT_PREAUTH_CLOSE : EVENT_DISCONNECT;
    if (after.p != NULL && sv_starts_with(after, "port ")) {
        /* OpenSSH 7.3 and later: "ADDR port N:CODE: TEXT". */
        struct sv port;
        after = sv_cut(sv_skip(after, 5), ':', &port);
        /* addr ends at the first space, so it is a token when not empty. */
        if (after.p == NULL || !parse_port(port, &f->port) ||
            addr.len == 0) {
            return false;
        }
    } else {
        /* Older: "ADDR: CODE: TEXT"; an IPv6 address holds colons too. */
        colon = find(rest, SV_LIT(": "));
        if (colon <= 0) {
            return false;
        }
        addr = sv_head(rest, (size_t)colon);
        after = sv_skip(rest, (size_t)colon + 1);
        if (!is_addr_token(addr)) {
            return false;
        }
    }
    f->addr = addr;

    /* The text after "CODE: " is the reason the client gave. */
    after = sv_trim_left(after);
    colon = find(after, SV_LIT(": "));
    if (colon > 0 && is_digits(sv_head(after, (size_t)colon))) {
        f->detail = sv_skip(after, (size_t)colon + 2);
    } else {
        f->detail = after;
    }
    return true;
}

/*
 * "maximum authentication attempts exceeded for root from 192.0.2.1 port
 * 22 ssh2 [preauth]"
 */
static bool
on_max_auth(struct sv rest, struct sshd_fields *f, enum event_kind *kind)
{
    struct sv s = sv_make(rest.p - 1, rest.len + 1);

    *kind = EVENT_MAX_AUTH;
    if (!split_auth_tail(s, f)) {
        return false;
    }
    f->user = sv_skip(f->user, 1);
    if (sv_starts_with(f->user, "invalid user ")) {
        f->user = sv_skip(f->user, 13);
        f->invalid_user = true;
    }
    return true;
}

/*
 * "pam_unix(sshd:session): session opened for user alice(uid=1000) by
 * (uid=0)"
 */
static bool
on_session_opened(struct sv rest, struct sshd_fields *f,
                  enum event_kind *kind)
{
    ptrdiff_t at = rfind(rest, SV_LIT(" by "));
    struct sv user = at >= 0 ? sv_head(rest, (size_t)at) : sv_trim(rest);

    *kind = EVENT_SESSION_OPEN;
    if (sv_ends_with(user, ")")) {
        ptrdiff_t open = rfind(user, SV_LIT("(uid="));
        uint64_t uid;
        if (open >= 0 &&
            sv_to_u64(sv_make(user.p + open + 5, user.len - (size_t)open - 6),
                      UINT32_MAX, &uid)) {
            f->uid = (int64_t)uid;
            user = sv_head(user, (size_t)open);
        }
    }
    f->user = user;
    return user.len > 0;
}

/* "pam_unix(sshd:session): session closed for user alice" */
static bool
on_session_closed(struct sv rest, struct sshd_fields *f,
                  enum event_kind *kind)
{
    *kind = EVENT_SESSION_CLOSE;
    f->user = sv_trim(rest);
    return f->user.len > 0;
}

/*
 * Returns the value after the first key (" rhost=", " user=") in s, up to
 * the next space, or SV_NULL.
 */
static inline struct sv
pam_value(struct sv s, struct sv key)
{
    ptrdiff_t at = find(s, key);
    struct sv v;

    if (at < 0) {
        return SV_NULL;
    }
    (void)sv_cut(sv_skip(s, (size_t)at + key.len), ' ', &v);
    return v;
}

/*
 * "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0
 * tty=ssh ruser= rhost=192.0.2.1  user=root"
 */
static bool
on_pam_auth_failure(struct sv rest, struct sshd_fields *f,
                    enum event_kind *kind)
{
    /* The usual items before rhost=, which contain no other " rhost=". */
    static const char usual_start[] =
        " logname= uid=0 euid=0 tty=ssh ruser= rhost=";
    struct sv rhost;
    struct sv user;

    *kind = EVENT_AUTH_FAILURE;
    f->method = SV_LIT("pam");
    if (sv_starts_with(rest, usual_start)) {
        (void)sv_cut(sv_skip(rest, sizeof(usual_start) - 1), ' ', &rhost);
    } else {
        rhost = pam_value(rest, SV_LIT(" rhost="));
    }
    if (rhost.len == 0) {
        return true;
    }
    f->addr = rhost;

    /* The search for user= starts at rhost=, because the client sets
     * ruser= before it.  The value of rhost= contains no space, so the
     * first " user=" starts at the byte after the value or later.  In the
     * usual lines two spaces precede user=, so it starts one byte later. */
    struct sv after = sv_skip(rest, (size_t)(rhost.p + rhost.len - rest.p));
    if (sv_starts_with(after, "  user=")) {
        (void)sv_cut(sv_skip(after, 7), ' ', &user);
    } else if (sv_starts_with(after, " user=")) {
        (void)sv_cut(sv_skip(after, 6), ' ', &user);
    } else {
        user = pam_value(sv_skip(rest, (size_t)(rhost.p - rest.p)),
                         SV_LIT(" user="));
    }
    if (user.len > 0) {
        f->user = user;
    }
    return true;
}

/*
 * "error: PAM: Authentication failure for illegal user bob from
 * host.example.com"
 */
static bool
on_pam_error(struct sv rest, struct sshd_fields *f, enum event_kind *kind)
{
    struct sv s = sv_make(rest.p - 1, rest.len + 1);
    ptrdiff_t via;

    *kind = EVENT_AUTH_FAILURE;
    f->method = SV_LIT("pam");
    s = sv_trim_right(s);
    /* macOS appends " via LOCAL_ADDR". */
    via = rfind(s, SV_LIT(" via "));
    if (via > 0 && sv_find_char(sv_skip(s, (size_t)via + 5), ' ') < 0 &&
        rfind(s, SV_LIT(" from ")) < via) {
        s = sv_head(s, (size_t)via);
    }
    if (!split_user_from(s, false, f)) {
        return false;
    }
    f->user = sv_skip(f->user, 1);
    if (sv_starts_with(f->user, "illegal user ")) {
        f->user = sv_skip(f->user, 13);
        f->invalid_user = true;
    }
    return true;
}

/*
 * "Starting session: shell on pts/0 for alice from 192.0.2.1 port 22 id 0",
 * also "command", "subsystem 'sftp'" and "forced-command (key-option) 'x'".
 */
static bool
on_starting_session(struct sv rest, struct sshd_fields *f,
                    enum event_kind *kind)
{
    ptrdiff_t id = rfind(rest, SV_LIT(" id "));
    struct sv type, tail, head;
    ptrdiff_t at;

    *kind = EVENT_SESSION_START;
    if (id > 0 && is_digits(sv_skip(rest, (size_t)id + 4))) {
        rest = sv_head(rest, (size_t)id);
    }
    tail = sv_cut(rest, ' ', &type);
    if (tail.p == NULL || !split_user_from(sv_make(tail.p - 1,
                                                   tail.len + 1), true, f)) {
        return false;
    }
    f->session_type = type;

    /* What precedes the user: " on TTY", " 'NAME'" or "(key-option) 'X'". */
    head = f->user;
    at = rfind(head, SV_LIT(" for "));
    if (at < 0) {
        return false;
    }
    f->user = sv_skip(head, (size_t)at + 5);
    head = sv_trim(sv_head(head, (size_t)at));
    if (sv_starts_with(head, "on ")) {
        f->tty = sv_skip(head, 3);
    } else {
        ptrdiff_t q = sv_find_char(head, '\'');
        if (q >= 0 && sv_ends_with(head, "'") && head.len - (size_t)q >= 2) {
            f->detail = sv_make(head.p + q + 1, head.len - (size_t)q - 2);
        }
    }
    return true;
}

/*
 * "Connection from 192.0.2.1 port 50022 on 192.0.2.8 port 22 rdomain
 * \"\""
 */
static bool
on_connection_from(struct sv rest, struct sshd_fields *f,
                   enum event_kind *kind)
{
    struct sv addr, word, port;
    struct sv s = sv_cut(rest, ' ', &addr);

    *kind = EVENT_CONNECTION;
    if (!is_addr_token(addr)) {
        return false;
    }
    f->addr = addr;
    if (s.p == NULL) {
        return true;
    }
    s = sv_cut(s, ' ', &word);
    s = sv_cut(s, ' ', &port);
    if (!sv_eq_cstr(word, "port") || !parse_port(port, &f->port)) {
        return false;
    }
    return true;
}

/*
 * "User child is on pid 10929": the monitor's per-user child, which becomes
 * the parent of the session's shell (LogLevel VERBOSE).
 */
static bool
on_user_child(struct sv rest, struct sshd_fields *f, enum event_kind *kind)
{
    uint64_t pid;

    *kind = EVENT_USER_CHILD;
    if (!sv_to_u64(rest, INT32_MAX, &pid)) {
        return false;
    }
    f->child_pid = (int64_t)pid;
    return true;
}

/* Messages in the order tried; the first matching prefix wins.  A NULL
 * handler marks a known message that carries nothing sshtrail uses.
 * Among prefixes that cannot start the same message, the more frequent
 * come first, because lookup_message tries them in this order. */
static const struct sshd_message sshd_messages[] = {
    MSG("Accepted key ", NULL),
    MSG("Accepted certificate ID ", NULL),
    MSG("Accepted ", on_accepted),
    MSG("User child is on pid ", on_user_child),
    MSG("Failed ", on_failed),
    MSG("Invalid user ", on_invalid_user),
    MSG("Connection closed by ", on_closed),
    MSG("Connection reset by ", on_closed),
    MSG("Disconnected from ", on_closed),
    MSG("Received disconnect from ", on_received_disconnect),
    MSG("maximum authentication attempts exceeded for ", on_max_auth),
    MSG("pam_unix(sshd:auth): authentication failure;", on_pam_auth_failure),
    MSG("pam_unix(sshd:session): session opened for user ", on_session_opened),
    MSG("pam_unix(sshd:session): session closed for user ", on_session_closed),
    MSG("PAM: Authentication failure for ", on_pam_error),
    MSG("PAM: authentication failure for ", on_pam_error),
    MSG("PAM: Authentication error for ", on_pam_error),
    MSG("PAM: authentication error for ", on_pam_error),
    MSG("PAM: User not known to the underlying authentication module for ",
        on_pam_error),
    MSG("Starting session: ", on_starting_session),
    MSG("Connection from ", on_connection_from),
};

#define NMESSAGES (sizeof(sshd_messages) / sizeof(sshd_messages[0]))
_Static_assert(NMESSAGES < 256, "message rows are indexed by one byte");

/*
 * The rows as keys for lookup_message, grouped by the first byte of the
 * prefix, in table order within a group.  A key contains the prefix's
 * first and last 8 bytes as words, so lookup_message rejects most
 * candidates by comparing words without reading the prefix text.
 */
struct message_key {
    uint64_t head;              /* the first 8 bytes, zero past the prefix */
    uint64_t head_mask;         /* 0xff over the bytes of head in the prefix */
    uint64_t tail;              /* the last 8 bytes, when len > 8 */
    uint32_t len;               /* the prefix's length */
    uint32_t row;               /* its index in sshd_messages */
};

/* Byte b's group runs from by_byte_start[b] up to by_byte_start[b + 1].
 * pthread_once builds the keys, so any thread may parse. */
static struct message_key by_byte[NMESSAGES];
static uint8_t by_byte_start[257];
static pthread_once_t by_byte_once = PTHREAD_ONCE_INIT;

/* Reads 8 bytes at p as a word in the machine's byte order. */
static inline uint64_t
load_word(const char *p)
{
    uint64_t w;

    memcpy(&w, p, sizeof(w));
    return w;
}

static void
index_messages(void)
{
    size_t k = 0;

    for (unsigned b = 0; b < 256; b++) {
        by_byte_start[b] = (uint8_t)k;
        for (size_t i = 0; i < NMESSAGES; i++) {
            const struct sshd_message *m = &sshd_messages[i];
            if ((unsigned char)m->prefix[0] != b) {
                continue;
            }
            char head[8] = { 0 };
            char mask[8] = { 0 };
            size_t n = m->len < 8 ? m->len : 8;
            memcpy(head, m->prefix, n);
            memset(mask, 0xff, n);
            struct message_key *key = &by_byte[k++];
            key->head = load_word(head);
            key->head_mask = load_word(mask);
            key->tail = m->len > 8 ? load_word(m->prefix + m->len - 8) : 0;
            key->len = (uint32_t)m->len;
            key->row = (uint32_t)i;
        }
    }
    by_byte_start[256] = (uint8_t)k;
}

/*
 * True when the prefix of key starts msg.  head is msg's first 8 bytes,
 * zero past its end.
 */
static inline bool
key_matches(const struct message_key *key, struct sv msg, uint64_t head)
{
    size_t len = key->len;

    if (len > msg.len || (head & key->head_mask) != key->head) {
        return false;
    }
    if (len <= 8) {
        return true;
    }
    if (load_word(msg.p + len - 8) != key->tail) {
        return false;
    }
    /* The words from offset 8 up to the tail, which may overlap it. */
    const char *prefix = sshd_messages[key->row].prefix;
    for (size_t i = 8; i + 8 < len; i += 8) {
        if (load_word(msg.p + i) != load_word(prefix + i)) {
            return false;
        }
    }
    return true;
}

/*
 * Returns the handler whose prefix starts msg, and sets *rest after it.
 * Call it only after the index is built, as find_message and sshd_open do.
 */
static inline const struct sshd_message *
lookup_message(struct sv msg, struct sv *rest)
{
    uint64_t head;

    if (msg.len == 0) {
        return NULL;
    }
    if (msg.len >= 8) {
        head = load_word(msg.p);
    } else {
        char padded[8] = { 0 };
        memcpy(padded, msg.p, msg.len);
        head = load_word(padded);
    }

    unsigned b = (unsigned char)msg.p[0];
    for (unsigned k = by_byte_start[b]; k < by_byte_start[b + 1]; k++) {
        if (key_matches(&by_byte[k], msg, head)) {
            *rest = sv_skip(msg, by_byte[k].len);
            return &sshd_messages[by_byte[k].row];
        }
    }
    return NULL;
}

/* Returns the handler whose prefix starts msg, and sets *rest after it. */
static const struct sshd_message *
find_message(struct sv msg, struct sv *rest)
{
    pthread_once(&by_byte_once, index_messages);
    return lookup_message(msg, rest);
}

/* Drops the prefixes of strip_message_prefix from msg, which starts with
 * '[' or 'e'. */
static struct sv
strip_found_prefix(struct sv msg)
{
    /* Solaris: "[ID 800047 auth.info] Failed ..." */
    if (sv_starts_with(msg, "[ID ")) {
        ptrdiff_t close = find(msg, SV_LIT("] "));
        if (close > 0) {
            msg = sv_skip(msg, (size_t)close + 2);
        }
    }
    if (sv_starts_with(msg, "error: ")) {
        msg = sv_skip(msg, 7);
    }
    return msg;
}

/* Drops the prefixes some systems put before the message proper. */
static inline struct sv
strip_message_prefix(struct sv msg)
{
    /* Most messages start with neither prefix. */
    if (msg.len == 0 || (msg.p[0] != '[' && msg.p[0] != 'e')) {
        return msg;
    }
    return strip_found_prefix(msg);
}

/*
 * Writes the 16-byte IPv6 address in as inet_ntop does (RFC 5952 form:
 * lower-case hex without leading zeros, the first longest run of two or
 * more zero groups as "::", IPv4-mapped and IPv4-compatible addresses with
 * a dotted quad).  Returns the length; out has room for 46 bytes.
 */
static size_t
format_ipv6(const unsigned char *in, char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned words[8];
    int best = -1;
    int best_len = 0;
    size_t n = 0;

    for (int i = 0; i < 8; i++) {
        words[i] = (unsigned)in[2 * i] << 8 | in[2 * i + 1];
    }
    for (int i = 0; i < 8;) {
        int run = 0;
        while (i + run < 8 && words[i + run] == 0) {
            run++;
        }
        if (run > best_len) {
            best = i;
            best_len = run;
        }
        i += run > 0 ? run : 1;
    }
    if (best_len < 2) {
        best = -1;
    }

    for (int i = 0; i < 8; i++) {
        if (i == best) {
            out[n++] = ':';
            if (i + best_len == 8) {
                out[n++] = ':';
            }
            i += best_len - 1;
            continue;
        }
        if (i > 0) {
            out[n++] = ':';
        }
        if (i == 6 && best == 0 &&
            (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
            char quad[16];
            int len = snprintf(quad, sizeof(quad), "%u.%u.%u.%u", in[12],
                               in[13], in[14], in[15]);
            memcpy(out + n, quad, (size_t)len);
            n += (size_t)len;
            break;
        }
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            unsigned digit = (words[i] >> shift) & 0xf;
            if (digit != 0 || started || shift == 0) {
                out[n++] = hex[digit];
                started = true;
            }
        }
    }
    out[n] = '\0';
    return n;
}

/*
 * Stores addr as EVENT_SRC_IP: the inet_ntop form when it is an IPv4 or
 * IPv6 address (an IPv6 zone such as "%eth0" is dropped), else the text as
 * logged, such as a host name or "192.030.0.6", which inet_pton rejects.
 */
static void
set_src_ip(struct event *ev, struct sv addr)
{
    char in[INET6_ADDRSTRLEN + 1];
    char out[INET6_ADDRSTRLEN];
    unsigned char bin[16];
    struct sv ip = addr;

    /* Most addresses are dotted quads as inet_ntop writes them. */
    if (sv_is_plain_ipv4(addr)) {
        event_set_str(ev, EVENT_SRC_IP, addr);
        return;
    }

    ptrdiff_t zone = sv_find_char(addr, '%');
    if (zone > 0 && sv_find_char(addr, ':') < 0) {
        zone = -1;
    }
    if (zone > 0) {
        ip = sv_head(addr, (size_t)zone);
    }
    if (ip.len >= sizeof(in) || (zone > 0 && sv_is_plain_ipv4(ip))) {
        event_set_str(ev, EVENT_SRC_IP, ip.len >= sizeof(in) ? addr : ip);
        return;
    }
    /* IPv6 text already in the inet_ntop form needs no conversion. */
    if (sv_is_plain_ipv6(ip)) {
        event_set_str(ev, EVENT_SRC_IP, ip);
        return;
    }
    memcpy(in, ip.p, ip.len);
    in[ip.len] = '\0';

    /* inet_pton reads up to a NUL.  IPv4 text contains no colon and IPv6
     * text always does, so only one of the two calls can succeed. */
    bool v6 = strchr(in, ':') != NULL;
    if (!v6 && inet_pton(AF_INET, in, bin) == 1) {
        inet_ntop(AF_INET, bin, out, sizeof(out));
    } else if (v6 && inet_pton(AF_INET6, in, bin) == 1) {
        format_ipv6(bin, out);
    } else {
        event_set_str(ev, EVENT_SRC_IP, addr);
        return;
    }
    event_set_str(ev, EVENT_SRC_IP, sv_cstr(out));
}

/* Stores v as field f when the message had it. */
static inline void
set_present(struct event *ev, enum event_str f, struct sv v)
{
    if (v.p != NULL) {
        event_set_str(ev, f, v);
    }
}

static void
set_kind(struct event *ev, enum event_kind kind)
{
    ev->kind = kind;
    if (kind == EVENT_AUTH_SUCCESS) {
        ev->result = EVENT_RESULT_SUCCESS;
    } else if (kind == EVENT_AUTH_FAILURE || kind == EVENT_MAX_AUTH) {
        ev->result = EVENT_RESULT_FAILURE;
    }
}

/* Copies what a message parser found into the event. */
static void
fill_event(struct event *ev, enum event_kind kind,
           const struct sshd_fields *f)
{
    set_kind(ev, kind);
    set_present(ev, EVENT_USER, f->user);
    if (f->addr.p != NULL) {
        set_src_ip(ev, f->addr);
    }
    if (f->port >= 0) {
        event_set_num(ev, EVENT_SRC_PORT, f->port);
    }
    if (f->uid >= 0) {
        event_set_num(ev, EVENT_UID, f->uid);
    }
    if (f->child_pid >= 0) {
        event_set_num(ev, EVENT_CHILD_PID, f->child_pid);
    }

    set_present(ev, EVENT_AUTH_METHOD, f->method);
    set_present(ev, EVENT_KEY_TYPE, f->key_type);
    set_present(ev, EVENT_KEY_FP, f->key_fp);
    set_present(ev, EVENT_TTY, f->tty);
    set_present(ev, EVENT_SESSION_TYPE, f->session_type);
    if (f->detail.p != NULL) {
        event_set_str(ev, EVENT_DETAIL, f->detail);
    } else if (f->invalid_user) {
        event_set_str(ev, EVENT_DETAIL, SV_LIT("invalid user"));
    }
}

static int
sshd_probe(struct sv line)
{
    struct format_opts opts = { 0 };
    struct tz utc = { 0 };
    struct syslog_header_state st;
    struct syslog_header h;
    struct sv rest;

    opts.tz = &utc;
    syslog_header_init(&st, &opts);
    if (syslog_header_parse(&st, line, &h) != SYSLOG_HEADER_NONE) {
        if (!sshd_is_program(h.program)) {
            return 5;
        }
        return find_message(strip_message_prefix(h.message), &rest) ? 100
                                                                    : 80;
    }
    return find_message(strip_message_prefix(line), &rest) ? 50 : 0;
}

static void *
sshd_open(const struct format_opts *opts)
{
    struct sshd_state *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        return NULL;
    }
    st->opts = *opts;
    syslog_header_init(&st->header, &st->opts);
    event_init(&st->ev);

    /* With the index built here, sshd_feed skips pthread_once per line. */
    pthread_once(&by_byte_once, index_messages);
    return st;
}

static void
sshd_close(void *state)
{
    struct sshd_state *st = state;

    if (st == NULL) {
        return;
    }
    event_fini(&st->ev);
    free(st);
}

/*
 * Parses as sshd_parse_message does, once the message index is built.  msg
 * is h->message without the prefixes of strip_message_prefix and without
 * trailing white space.  Inlined by force into both callers, because GCC 12
 * keeps a function this long with two callers out of line, and sshd_feed
 * then spends about 1 % of its instructions on the call.
 */
SSHTRAIL_ALWAYS_INLINE static inline enum parse_status
parse_message(struct event *ev, const struct format_opts *opts,
              const struct syslog_header *h, struct sv msg,
              const struct event_origin *origin,
              const struct event_sink *sink, const char **reason)
{
    struct sv rest;
    enum event_kind kind = EVENT_KIND_COUNT;
    bool preauth = strip_suffix(&msg, SV_LIT(" [preauth]"));

    const struct sshd_message *m = lookup_message(msg, &rest);
    if (m == NULL || m->handler == NULL) {
        *reason = "sshd message not used";
        return PARSE_SKIP;
    }
    struct sshd_fields f;
    init_fields(&f, preauth);
    if (!m->handler(rest, &f, &kind)) {
        *reason = "sshd message without a well-formed address part";
        return PARSE_MALFORMED;
    }

    event_reset(ev);
    ev->time = h->time;
    ev->origin = *origin;
    const struct event_needs *needs = sink->needs;
    if (needs != NULL && needs->time_only >> kind & 1) {
        set_kind(ev, kind);
        sink->emit(sink->arg, ev);
        return PARSE_OK;
    }
    if (h->host.p != NULL) {
        event_set_str(ev, EVENT_HOST, h->host);
    } else if (opts->default_host != NULL) {
        event_set_str(ev, EVENT_HOST, sv_cstr(opts->default_host));
    }
    if (h->program.p != NULL) {
        event_set_str(ev, EVENT_PROGRAM, h->program);
    }
    if (needs != NULL && needs->source_only >> kind & 1) {
        set_kind(ev, kind);
        if (f.addr.p != NULL) {
            set_src_ip(ev, f.addr);
        }
        sink->emit(sink->arg, ev);
        return PARSE_OK;
    }
    if (h->pid >= 0) {
        event_set_num(ev, EVENT_PID, h->pid);
    }
    fill_event(ev, kind, &f);
    sink->emit(sink->arg, ev);
    return PARSE_OK;
}

enum parse_status
sshd_parse_message(struct event *ev, const struct format_opts *opts,
                   const struct syslog_header *h,
                   const struct event_origin *origin,
                   const struct event_sink *sink, const char **reason)
{
    pthread_once(&by_byte_once, index_messages);
    return parse_message(ev, opts, h,
                         sv_trim_right(strip_message_prefix(h->message)),
                         origin, sink, reason);
}

/*
 * Parses one line: "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user
 * webmaster from 203.0.113.1".  A line with no header is read as a bare
 * sshd message (sshd -E output) when its text is one sshd writes.
 */
static enum parse_status
sshd_feed(void *state, struct sv line, const struct event_origin *origin,
          const struct event_sink *sink, const char **reason)
{
    struct sshd_state *st = state;
    struct syslog_header h;
    struct sv rest;

    line = sv_trim_right(line);
    if (syslog_header_parse(&st->header, line, &h) == SYSLOG_HEADER_NONE) {
        if (lookup_message(strip_message_prefix(line), &rest) == NULL) {
            *reason = "no syslog header";
            return PARSE_MALFORMED;
        }
    } else if (!sshd_is_program(h.program)) {
        *reason = "not an sshd program";
        return PARSE_SKIP;
    }
    /* The message ends where the line ends, which has no trailing white
     * space left. */
    return parse_message(&st->ev, &st->opts, &h,
                         strip_message_prefix(h.message), origin, sink,
                         reason);
}

const struct format_ops sshd_format = {
    .name = "sshd",
    .platform = "linux",
    .description = "OpenSSH server messages in syslog, journal short or "
                   "sshd -E form",
    .probe = sshd_probe,
    .open = sshd_open,
    .close = sshd_close,
    .feed = sshd_feed,
    .flush = NULL,
};
