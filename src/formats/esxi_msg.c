/*
 * ESXi message parsers for shell, hostd, vobd and vpxd lines; see
 * esxi_msg.h.  esxi.c has already split off the header, so every function
 * here starts at the program's own message text.  Messages that sshtrail
 * does not use are skipped by reason.
 *
 * User names come from the text between fixed words, and addresses from
 * the part after the last '@' or " from ", so a user name with spaces or
 * '@' cannot move the address.  Only structured-data values with escapes
 * are copied (into a bounded buffer); everything else is a view.
 */
#include "formats/esxi_msg.h"

#include <arpa/inet.h>

/* Prefixes of the SSH service and session texts that hostd and vobd log. */
#define SESSION_OPENED "SSH session was opened for '"
#define SESSION_CLOSED "SSH session was closed for '"
#define ACCESS_ENABLED "SSH access has been enabled"
#define ACCESS_DISABLED "SSH access has been disabled"

void
esxi_msg_init(struct esxi_msg_state *st)
{
    memset(st, 0, sizeof(*st));
    event_init(&st->ev);
    buf_init(&st->value, EVENT_MAX_BYTES);
}

void
esxi_msg_fini(struct esxi_msg_state *st)
{
    event_fini(&st->ev);
    buf_fini(&st->value);
}

struct event *
esxi_msg_begin(struct esxi_msg_state *st, const struct esxi_msg_line *l,
               enum event_kind kind)
{
    struct event *ev = &st->ev;

    event_reset(ev);
    ev->kind = kind;
    ev->time = l->h->time;
    ev->origin = *l->origin;
    if (l->h->host.p != NULL) {
        event_set_str(ev, EVENT_HOST, l->h->host);
    }
    if (l->h->pid >= 0) {
        event_set_num(ev, EVENT_PID, l->h->pid);
    }
    return ev;
}

void
esxi_msg_set_addr(struct event *ev, struct sv addr)
{
    char in[INET6_ADDRSTRLEN + 1];
    char out[INET6_ADDRSTRLEN];
    unsigned char bin[16];

    if (addr.len >= sizeof(in)) {
        event_set_str(ev, EVENT_SRC_IP, addr);
        return;
    }
    memcpy(in, addr.p, addr.len);
    in[addr.len] = '\0';
    if (inet_pton(AF_INET, in, bin) == 1) {
        inet_ntop(AF_INET, bin, out, sizeof(out));
    } else if (inet_pton(AF_INET6, in, bin) == 1) {
        inet_ntop(AF_INET6, bin, out, sizeof(out));
    } else {
        event_set_str(ev, EVENT_SRC_IP, addr);
        return;
    }
    event_set_str(ev, EVENT_SRC_IP, sv_cstr(out));
}

static void
emit(const struct esxi_msg_line *l, const struct event *ev)
{
    l->sink->emit(l->sink->arg, ev);
}

/*
 * Returns the length of the bracketed element "[...]" at the start of s,
 * closing bracket included, or 0 when s does not start with a closed one.
 * Inside double quotes a backslash escapes the next byte and ']' does not
 * close, as in RFC 5424 structured data.
 */
static size_t
bracket_len(struct sv s)
{
    bool quoted = false;

    if (s.len == 0 || s.p[0] != '[') {
        return 0;
    }
    for (size_t i = 1; i < s.len; i++) {
        char c = s.p[i];
        if (quoted && c == '\\') {
            i++;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ']' && !quoted) {
            return i + 1;
        }
    }
    return 0;
}

/* Drops a leading "[...]" element and the spaces after it, when present. */
static struct sv
skip_bracket(struct sv s)
{
    size_t n = bracket_len(s);

    return n > 0 ? sv_trim_left(sv_skip(s, n)) : s;
}

/*
 * Splits "USER@ADDR" at its last '@'.  Without an '@' the whole text is
 * the user and *addr is SV_NULL.
 */
static void
split_user_at(struct sv s, struct sv *user, struct sv *addr)
{
    ptrdiff_t at = sv_rfind(s, SV_LIT("@"));

    if (at < 0) {
        *user = s;
        *addr = SV_NULL;
        return;
    }
    *user = sv_head(s, (size_t)at);
    *addr = sv_skip(s, (size_t)at + 1);
}

/*
 * Parses what follows "User " in a vSphere login event:
 * "root@192.0.2.7 logged in as VMware-client/6.5.0".  The first " logged
 * in" that follows an '@' and a space-free address ends the user part, so
 * the agent text after " as " may contain anything.
 */
static bool
parse_logged_in(struct sv s, struct sv *user, struct sv *addr,
                struct sv *agent)
{
    size_t from = 0;

    for (;;) {
        struct sv tail = sv_skip(s, from);
        ptrdiff_t at = sv_find(tail, SV_LIT(" logged in"));
        if (at < 0) {
            return false;
        }
        struct sv head = sv_head(s, from + (size_t)at);
        struct sv rest = sv_skip(s, from + (size_t)at + 10);
        split_user_at(head, user, addr);
        if (addr->p != NULL && addr->len > 0 &&
            sv_find_char(*addr, ' ') < 0 &&
            (rest.len == 0 || rest.p[0] == ' ')) {
            *agent = sv_starts_with(rest, " as ") ? sv_skip(rest, 4)
                                                  : SV_NULL;
            return true;
        }
        from += (size_t)at + 1;
    }
}

/* Emits EVENT_OTHER_LOGIN for a vSphere "User U@A logged in" text. */
static enum parse_status
emit_logged_in(struct esxi_msg_state *st, const struct esxi_msg_line *l,
               struct sv text, const char **reason)
{
    struct sv user, addr, agent;

    if (!parse_logged_in(text, &user, &addr, &agent)) {
        *reason = "vSphere login without user@address";
        return PARSE_MALFORMED;
    }

    struct event *ev = esxi_msg_begin(st, l, EVENT_OTHER_LOGIN);
    ev->result = EVENT_RESULT_SUCCESS;
    event_set_str(ev, EVENT_USER, user);
    esxi_msg_set_addr(ev, addr);
    if (agent.p != NULL) {
        event_set_str(ev, EVENT_DETAIL, agent);
    }
    if (l->h->program.p != NULL) {
        event_set_str(ev, EVENT_PROGRAM, l->h->program);
    }
    emit(l, ev);
    return PARSE_OK;
}

/*
 * Emits EVENT_SESSION_OPEN or EVENT_SESSION_CLOSE for "SSH session was
 * opened for 'root@192.0.2.7'." (rest starts after the opening quote).
 * The logging program is vobd or hostd, never sshd, so the event carries
 * no pid: sshd's own world id is not in these lines.
 */
static enum parse_status
emit_ssh_session(struct esxi_msg_state *st, const struct esxi_msg_line *l,
                 struct sv rest, enum event_kind kind, const char **reason)
{
    struct sv user, addr;

    if (sv_ends_with(rest, ".")) {
        rest.len--;
    }
    if (!sv_ends_with(rest, "'")) {
        *reason = "SSH session text without a closing quote";
        return PARSE_MALFORMED;
    }
    rest.len--;
    split_user_at(rest, &user, &addr);

    struct event *ev = esxi_msg_begin(st, l, kind);
    event_clear_num(ev, EVENT_PID);
    event_set_str(ev, EVENT_PROGRAM, SV_LIT("sshd"));
    event_set_str(ev, EVENT_USER, user);
    if (addr.p != NULL && addr.len > 0) {
        esxi_msg_set_addr(ev, addr);
    }
    emit(l, ev);
    return PARSE_OK;
}

/* Emits EVENT_SSH_ENABLED or EVENT_SSH_DISABLED with the logged text. */
static enum parse_status
emit_ssh_switch(struct esxi_msg_state *st, const struct esxi_msg_line *l,
                enum event_kind kind, struct sv text)
{
    struct event *ev = esxi_msg_begin(st, l, kind);

    if (l->h->program.p != NULL) {
        event_set_str(ev, EVENT_PROGRAM, l->h->program);
    }
    event_set_str(ev, EVENT_DETAIL, text);
    emit(l, ev);
    return PARSE_OK;
}

/* ---- shell ------------------------------------------------------------- */

/*
 * Reads the next PARAM-NAME="PARAM-VALUE" pair of structured data from *s
 * and advances *s past it.  value is the raw text between the quotes, with
 * its escapes.  Returns false at the end or on a malformed pair.
 */
static bool
sd_next_param(struct sv *s, struct sv *name, struct sv *value)
{
    struct sv t = sv_trim_left(*s);
    ptrdiff_t eq = sv_find_char(t, '=');

    if (eq <= 0 || (size_t)eq + 1 >= t.len || t.p[eq + 1] != '"') {
        return false;
    }
    *name = sv_head(t, (size_t)eq);
    for (size_t i = (size_t)eq + 2; i < t.len; i++) {
        if (t.p[i] == '\\') {
            i++;
        } else if (t.p[i] == '"') {
            *value = sv_make(t.p + eq + 2, i - (size_t)eq - 2);
            *s = sv_skip(t, i + 1);
            return true;
        }
    }
    return false;
}

/*
 * Returns value with the RFC 5424 escapes \" \\ and \] undone.  Without a
 * backslash the view itself is returned; otherwise the bytes are copied
 * into st->value, which stays valid until the next call.
 */
static struct sv
sd_unescape(struct esxi_msg_state *st, struct sv value)
{
    if (sv_find_char(value, '\\') < 0) {
        return value;
    }
    buf_clear(&st->value);
    for (size_t i = 0; i < value.len; i++) {
        char c = value.p[i];
        if (c == '\\' && i + 1 < value.len &&
            (value.p[i + 1] == '"' || value.p[i + 1] == '\\' ||
             value.p[i + 1] == ']')) {
            c = value.p[++i];
        }
        buf_add_char(&st->value, c);
    }
    return sv_make(st->value.data, st->value.len);
}

/* Stores an escaped structured-data value as field f of ev. */
static void
set_sd_value(struct esxi_msg_state *st, struct event *ev, enum event_str f,
             struct sv value)
{
    event_set_str(ev, f, sd_unescape(st, value));
    if (st->value.dropped > 0) {
        ev->truncated = true;
    }
}

/*
 * Parses "[shell.cmd@6876 subject=\"root\" object=\"shell\"
 * command=\"grep -i kali hostd.log\" result=\"success\" status=\"0\"]".
 */
static enum parse_status
shell_audit(struct esxi_msg_state *st, const struct esxi_msg_line *l,
            struct sv sd, const char **reason)
{
    struct sv params, id, name, value;
    bool has_command = false;
    struct event *ev = esxi_msg_begin(st, l, EVENT_EXEC);

    /* Drop the brackets and the SD-ID. */
    params = sv_cut(sv_make(sd.p + 1, sd.len - 2), ' ', &id);
    while (sd_next_param(&params, &name, &value)) {
        if (sv_eq_cstr(name, "subject")) {
            set_sd_value(st, ev, EVENT_USER, value);
        } else if (sv_eq_cstr(name, "command")) {
            set_sd_value(st, ev, EVENT_CMDLINE, value);
            has_command = true;
        } else if (sv_eq_cstr(name, "result")) {
            if (sv_eq_cstr(value, "success")) {
                ev->result = EVENT_RESULT_SUCCESS;
            } else if (sv_eq_cstr(value, "failure")) {
                ev->result = EVENT_RESULT_FAILURE;
            }
        }
    }
    if (!has_command) {
        *reason = "shell audit record without a command";
        return PARSE_MALFORMED;
    }
    event_set_str(ev, EVENT_PROGRAM, SV_LIT("shell"));
    emit(l, ev);
    return PARSE_OK;
}

enum parse_status
esxi_msg_shell(struct esxi_msg_state *st, const struct esxi_msg_line *l,
               const char **reason)
{
    struct sv msg = l->h->message;
    size_t n;

    /* ESXi 8 audit form, in RFC 5424 structured data or the message. */
    if (sv_starts_with(l->h->sd, "[shell.cmd@")) {
        n = bracket_len(l->h->sd);
        if (n > 0) {
            return shell_audit(st, l, sv_head(l->h->sd, n), reason);
        }
    }
    if (sv_starts_with(msg, "[shell.cmd@")) {
        n = bracket_len(msg);
        if (n == 0) {
            *reason = "shell audit record without a closing bracket";
            return PARSE_MALFORMED;
        }
        return shell_audit(st, l, sv_head(msg, n), reason);
    }

    if (sv_starts_with(msg, "Interactive shell session started")) {
        *reason = "shell start names no user";
        return PARSE_SKIP;
    }
    if (!sv_starts_with(msg, "[")) {
        *reason = "shell message not used";
        return PARSE_SKIP;
    }

    /* "[USER]: COMMAND"; the first "]: " ends the user name. */
    ptrdiff_t close = sv_find(msg, SV_LIT("]: "));
    if (close < 1) {
        *reason = sv_ends_with(msg, "]:") ? "empty shell command"
                                          : "shell message not used";
        return PARSE_SKIP;
    }

    struct event *ev = esxi_msg_begin(st, l, EVENT_EXEC);
    event_set_str(ev, EVENT_USER, sv_make(msg.p + 1, (size_t)close - 1));
    event_set_str(ev, EVENT_CMDLINE, sv_skip(msg, (size_t)close + 3));
    event_set_str(ev, EVENT_PROGRAM, SV_LIT("shell"));
    emit(l, ev);
    return PARSE_OK;
}

/* ---- hostd ------------------------------------------------------------- */

/* Parses the text of a hostd "Event 99 : TEXT" line. */
static enum parse_status
hostd_event(struct esxi_msg_state *st, const struct esxi_msg_line *l,
            struct sv text, const char **reason)
{
    if (sv_starts_with(text, "User ") &&
        sv_find(text, SV_LIT(" logged in")) > 0) {
        return emit_logged_in(st, l, sv_skip(text, 5), reason);
    }
    if (sv_starts_with(text, ACCESS_ENABLED)) {
        return emit_ssh_switch(st, l, EVENT_SSH_ENABLED, text);
    }
    if (sv_starts_with(text, ACCESS_DISABLED)) {
        return emit_ssh_switch(st, l, EVENT_SSH_DISABLED, text);
    }

    /* "SSH for the host esxi01 has been enabled" */
    struct sv t = text;
    if (sv_ends_with(t, ".")) {
        t.len--;
    }
    if (sv_starts_with(t, "SSH for the host ")) {
        if (sv_ends_with(t, " has been enabled")) {
            return emit_ssh_switch(st, l, EVENT_SSH_ENABLED, text);
        }
        if (sv_ends_with(t, " has been disabled")) {
            return emit_ssh_switch(st, l, EVENT_SSH_DISABLED, text);
        }
    }
    if (sv_starts_with(text, SESSION_OPENED)) {
        return emit_ssh_session(st, l, sv_skip(text, strlen(SESSION_OPENED)),
                                EVENT_SESSION_OPEN, reason);
    }
    if (sv_starts_with(text, SESSION_CLOSED)) {
        return emit_ssh_session(st, l, sv_skip(text, strlen(SESSION_CLOSED)),
                                EVENT_SESSION_CLOSE, reason);
    }
    *reason = "hostd event not used";
    return PARSE_SKIP;
}

/*
 * Parses "Accepted password for user root from 192.0.2.7", which may go
 * on after the address (" - session=...").
 */
static enum parse_status
hostd_accepted(struct esxi_msg_state *st, const struct esxi_msg_line *l,
               struct sv rest, const char **reason)
{
    ptrdiff_t from = sv_rfind(rest, SV_LIT(" from "));
    struct sv addr;

    if (from < 0) {
        *reason = "hostd login without an address";
        return PARSE_MALFORMED;
    }
    (void)sv_cut(sv_skip(rest, (size_t)from + 6), ' ', &addr);
    if (addr.len == 0) {
        *reason = "hostd login without an address";
        return PARSE_MALFORMED;
    }

    struct event *ev = esxi_msg_begin(st, l, EVENT_OTHER_LOGIN);
    ev->result = EVENT_RESULT_SUCCESS;
    event_set_str(ev, EVENT_USER, sv_head(rest, (size_t)from));
    esxi_msg_set_addr(ev, addr);
    event_set_str(ev, EVENT_AUTH_METHOD, SV_LIT("password"));
    if (l->h->program.p != NULL) {
        event_set_str(ev, EVENT_PROGRAM, l->h->program);
    }
    emit(l, ev);
    return PARSE_OK;
}

enum parse_status
esxi_msg_hostd(struct esxi_msg_state *st, const struct esxi_msg_line *l,
               const char **reason)
{
    static const char accepted[] = "Accepted password for user ";
    static const char tsm[] = "TSM-SSH running status is ";
    struct sv msg = l->h->message;

    if (sv_starts_with(msg, "[Originator@")) {
        msg = skip_bracket(msg);
    }

    /* "Event 129 : SSH access has been enabled." */
    if (sv_starts_with(msg, "Event ")) {
        struct sv number;
        struct sv rest = sv_cut(sv_skip(msg, 6), ' ', &number);
        uint64_t v;
        if (sv_to_u64(number, UINT64_MAX, &v) && sv_starts_with(rest, ": ")) {
            return hostd_event(st, l, sv_skip(rest, 2), reason);
        }
    }
    if (sv_starts_with(msg, accepted)) {
        return hostd_accepted(st, l, sv_skip(msg, strlen(accepted)), reason);
    }
    if (sv_starts_with(msg, tsm)) {
        struct sv value = sv_trim(sv_skip(msg, strlen(tsm)));
        if (sv_eq_cstr(value, "true")) {
            return emit_ssh_switch(st, l, EVENT_SSH_ENABLED, msg);
        }
        if (sv_eq_cstr(value, "false")) {
            return emit_ssh_switch(st, l, EVENT_SSH_DISABLED, msg);
        }
    }
    *reason = "hostd message not used";
    return PARSE_SKIP;
}

/* ---- vobd -------------------------------------------------------------- */

bool
esxi_msg_is_vob(struct sv message)
{
    size_t n = bracket_len(message);

    return n > 0 && sv_ends_with(sv_head(message, n), "Correlator]");
}

/* Maps an observation text to an event kind, or EVENT_KIND_COUNT. */
static enum event_kind
vob_kind(struct sv text, struct sv *rest)
{
    static const struct {
        const char *prefix;
        enum event_kind kind;
    } texts[] = {
        { SESSION_OPENED, EVENT_SESSION_OPEN },
        { SESSION_CLOSED, EVENT_SESSION_CLOSE },
        { ACCESS_ENABLED, EVENT_SSH_ENABLED },
        { ACCESS_DISABLED, EVENT_SSH_DISABLED },
    };

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        if (sv_starts_with(text, texts[i].prefix)) {
            *rest = sv_skip(text, strlen(texts[i].prefix));
            return texts[i].kind;
        }
    }
    return EVENT_KIND_COUNT;
}

enum parse_status
esxi_msg_vobd(struct esxi_msg_state *st, const struct esxi_msg_line *l,
              const char **reason)
{
    struct sv msg = sv_trim_left(l->h->message);
    struct sv counter, rest, text;
    uint64_t us;

    /* "[UserLevelCorrelator] 1012726884193us: [vob.id] TEXT" */
    if (!esxi_msg_is_vob(msg)) {
        *reason = "vobd message without a correlator tag";
        return PARSE_MALFORMED;
    }
    rest = sv_cut(skip_bracket(msg), ' ', &counter);
    if (!sv_ends_with(counter, "us:") ||
        !sv_to_u64(sv_head(counter, counter.len - 3), UINT64_MAX, &us) ||
        bracket_len(rest) == 0) {
        *reason = "vobd message without an uptime and observation id";
        return PARSE_MALFORMED;
    }
    text = skip_bracket(rest);

    enum event_kind kind = vob_kind(text, &rest);
    if (kind == EVENT_KIND_COUNT) {
        *reason = "observation not used";
        return PARSE_SKIP;
    }
    if (st->has_vob && st->vob_us == us && st->vob_kind == kind) {
        *reason = "repeats the previous observation";
        return PARSE_SKIP;
    }

    enum parse_status status;
    if (kind == EVENT_SESSION_OPEN || kind == EVENT_SESSION_CLOSE) {
        status = emit_ssh_session(st, l, rest, kind, reason);
    } else {
        status = emit_ssh_switch(st, l, kind, text);
    }
    if (status == PARSE_OK) {
        st->has_vob = true;
        st->vob_us = us;
        st->vob_kind = kind;
    }
    return status;
}

/* ---- vpxd -------------------------------------------------------------- */

/*
 * Parses "Event [575792] [1-1] [2021-09-06T14:40:13.26309Z]
 * [vim.event.UserLoginSessionEvent] [info] [VSPHERE.LOCAL\Administrator]
 * [] [575792] [User VSPHERE.LOCAL\Administrator@10.100.10.190 logged in
 * as Go-http-client/1.1]".  The last "[User " starts the text, because
 * vpxd does not escape brackets inside the fields before it.
 */
enum parse_status
esxi_msg_vpxd(struct esxi_msg_state *st, const struct esxi_msg_line *l,
              const char **reason)
{
    struct sv msg = sv_trim(l->h->message);
    ptrdiff_t at;

    if (sv_find(msg, SV_LIT("[vim.event.UserLoginSessionEvent]")) < 0) {
        *reason = "vCenter event not used";
        return PARSE_SKIP;
    }
    at = sv_rfind(msg, SV_LIT("[User "));
    if (at < 0 || !sv_ends_with(msg, "]")) {
        *reason = "vCenter login event without its message";
        return PARSE_MALFORMED;
    }

    struct sv text = sv_skip(msg, (size_t)at + 6);
    text.len--;
    return emit_logged_in(st, l, text, reason);
}
