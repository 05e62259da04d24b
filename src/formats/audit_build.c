/*
 * Event building for the audit format: reads the fields of a complete group
 * and fills the normalized event.  Field values are decoded (quotes
 * removed, hex decoded) into one reused scratch buffer, and the event is
 * reset and reused for every emission, so nothing here allocates in the
 * steady state.
 */
#include "formats/audit_build.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* execve and execveat numbers per audit arch value (AUDIT_ARCH_*). */
struct exec_arch {
    const char *arch;
    const char *name;
    int execve;
    int execveat;
};

static const struct exec_arch exec_arches[] = {
    { "c000003e", "x86_64", 59, 322 },
    { "40000003", "i386", 11, 358 },
    { "c00000b7", "aarch64", 221, 281 },
    { "40000028", "arm", 11, 387 },
    { "c00000f3", "riscv64", 221, 281 },
    { "80000015", "ppc64", 11, 362 },
    { "c0000015", "ppc64le", 11, 362 },
    { "80000016", "s390x", 11, 354 },
};

void
audit_builder_init(struct audit_builder *b, const char *default_host)
{
    memset(b, 0, sizeof(*b));
    event_init(&b->ev);
    b->default_host = default_host;
}

void
audit_builder_fini(struct audit_builder *b)
{
    event_fini(&b->ev);
    free(b->scratch);
    b->scratch = NULL;
    b->scratch_cap = 0;
}

/* Decodes a field value through the scratch buffer (see
 * audit_value_decode); on allocation failure returns the raw value. */
static struct sv
decode(struct audit_builder *b, struct sv key, struct sv raw)
{
    /* exe, comm, cwd and most arguments arrive quoted, and a quoted value
     * needs neither the scratch buffer nor the call. */
    if (audit_value_is_quoted(raw)) {
        return sv_make(raw.p + 1, raw.len - 2);
    }
    if (raw.len > b->scratch_cap) {
        size_t cap = raw.len < 4096 ? 4096 : raw.len;
        char *p = realloc(b->scratch, cap);
        if (p == NULL) {
            return raw;
        }
        b->scratch = p;
        b->scratch_cap = cap;
    }
    return audit_value_decode(key, raw, b->scratch);
}

/*
 * Parses a decimal number up to UINT32_MAX, as sv_to_u64 does.  Ids are
 * most of the numbers an audit event carries, so numbers of up to ten
 * digits are parsed here without the call.
 */
static bool
parse_u32(struct sv v, uint64_t *out)
{
    uint64_t n = 0;

    if (v.len == 0 || v.len > 10) {
        return sv_to_u64(v, UINT32_MAX, out);
    }
    for (size_t i = 0; i < v.len; i++) {
        unsigned d = (unsigned)((unsigned char)v.p[i] - '0');
        if (d > 9) {
            return false;
        }
        n = n * 10 + d;
    }
    if (n > UINT32_MAX) {
        return false;
    }
    *out = n;
    return true;
}

/* Parses a decimal id; false for "4294967295" (unset) and non-numbers. */
static bool
parse_id(struct sv v, int64_t *out)
{
    uint64_t n;

    /* auid= and ses= hold the unset id in every record before a login,
     * and comparing its text costs less than parsing ten digits. */
    if (v.len == 10 && memcmp(v.p, "4294967295", 10) == 0) {
        return false;
    }
    if (!parse_u32(v, &n) || (int64_t)n == EVENT_AUDIT_UNSET) {
        return false;
    }
    *out = (int64_t)n;
    return true;
}

static bool
is_number(struct sv v)
{
    uint64_t n;

    return sv_to_u64(v, UINT64_MAX, &n);
}

static void
set_id(struct event *ev, enum event_num f, struct sv v)
{
    int64_t n;

    if (parse_id(v, &n)) {
        event_set_num(ev, f, n);
    }
}

/* Strips the quotes of an enriched value such as AUID="user". */
static struct sv
unquote(struct sv v)
{
    if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"') {
        return sv_make(v.p + 1, v.len - 2);
    }
    return v;
}

/* Returns true for the bytes of an arch= or syscall= value that no
 * tokenizer rule treats specially: letters, digits and '_'. */
static bool
is_word_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c >= 'A' && c <= 'Z') || c == '_';
}

/* Returns the length of the word at the start of s, ending at a space or
 * at the end of s, or 0 when another byte comes first. */
static size_t
leading_word(struct sv s)
{
    size_t i = 0;

    while (i < s.len && is_word_byte(s.p[i])) {
        i++;
    }
    return i == s.len || s.p[i] == ' ' ? i : 0;
}

/*
 * Reads the first two fields of a SYSCALL body when they are
 * " arch=WORD syscall=WORD", the order the kernel writes.  The field
 * iterator would return the same views, and more cheaply than tokenizing
 * the whole record.  Returns false for any other shape.
 */
static bool
read_arch_syscall(struct sv body, struct sv *arch, struct sv *sys)
{
    if (body.len > 0 && body.p[0] == ' ') {
        body = sv_skip(body, 1);
    }
    if (!sv_starts_with(body, "arch=")) {
        return false;
    }
    body = sv_skip(body, 5);
    size_t n = leading_word(body);
    if (n == 0) {
        return false;
    }
    *arch = sv_head(body, n);
    body = sv_skip(body, n + 1);
    if (!sv_starts_with(body, "syscall=")) {
        return false;
    }
    body = sv_skip(body, 8);
    n = leading_word(body);
    if (n == 0) {
        return false;
    }
    *sys = sv_head(body, n);
    return true;
}

bool
audit_syscall_is_exec(const struct audit_record *rec)
{
    struct audit_field_iter it;
    struct audit_field f;
    struct sv arch = SV_NULL;
    struct sv sys = SV_NULL;
    uint64_t nr;

    if (!read_arch_syscall(rec->body, &arch, &sys)) {
        arch = SV_NULL;
        sys = SV_NULL;
        audit_fields_init(&it, rec);
        while ((arch.p == NULL || sys.p == NULL) &&
               audit_fields_next(&it, &f)) {
            if (sv_eq_cstr(f.key, "arch")) {
                arch = f.value;
            } else if (sv_eq_cstr(f.key, "syscall")) {
                sys = f.value;
            }
        }
    }
    if (sv_eq_cstr(sys, "execve") || sv_eq_cstr(sys, "execveat")) {
        return true;
    }
    if (!sv_to_u64(sys, 100000, &nr)) {
        return false;
    }
    for (size_t i = 0; i < sizeof(exec_arches) / sizeof(exec_arches[0]);
         i++) {
        const struct exec_arch *a = &exec_arches[i];
        if (sv_eq_cstr(arch, a->arch) || sv_eq_cstr(arch, a->name)) {
            return (int)nr == a->execve || (int)nr == a->execveat;
        }
    }
    return false;
}

bool
audit_type_is_user_event(int type)
{
    switch (type) {
    case AUDIT_T_USER_AUTH:
    case AUDIT_T_USER_ACCT:
    case AUDIT_T_CRED_ACQ:
    case AUDIT_T_CRED_DISP:
    case AUDIT_T_USER_START:
    case AUDIT_T_USER_END:
    case AUDIT_T_USER_LOGIN:
    case AUDIT_T_USER_LOGOUT:
        return true;
    default:
        return false;
    }
}

/* Sets time, host, serial and origin, common to every audit event. */
static void
start_event(struct audit_builder *b, const struct audit_group *g,
            enum event_kind kind)
{
    struct event *ev = &b->ev;

    event_reset(ev);
    ev->kind = kind;
    ev->origin = g->origin;
    ev->time.sec = g->sec;
    ev->time.nsec = g->msec * 1000000;
    ev->time.digits = 3;
    ev->truncated = g->truncated;
    if (g->node.p != NULL && g->node.len > 0) {
        event_set_str(ev, EVENT_HOST, g->node);
    } else if (b->default_host != NULL) {
        event_set_str(ev, EVENT_HOST, sv_cstr(b->default_host));
    }
    event_set_num(ev, EVENT_SERIAL, (int64_t)g->serial);
}

static enum event_result
parse_result(struct sv v)
{
    if (sv_eq_cstr(v, "success") || sv_eq_cstr(v, "yes") ||
        sv_eq_cstr(v, "1")) {
        return EVENT_RESULT_SUCCESS;
    }
    if (sv_eq_cstr(v, "failed") || sv_eq_cstr(v, "fail") ||
        sv_eq_cstr(v, "no") || sv_eq_cstr(v, "0")) {
        return EVENT_RESULT_FAILURE;
    }
    return EVENT_RESULT_NONE;
}

/* Adds one argument field of an EXECVE record (aN, aN_len, aN[i]). */
static void
add_arg_field(struct audit_builder *b, struct event *ev,
              const struct audit_field *f, uint64_t *argc)
{
    struct sv key = f->key;
    size_t i = 1;

    if (sv_eq_cstr(key, "argc")) {
        (void)parse_u32(f->value, argc);
        return;
    }
    if (key.len < 2 || key.p[0] != 'a') {
        return;
    }
    while (i < key.len && key.p[i] >= '0' && key.p[i] <= '9') {
        i++;
    }
    if (i == 1) {
        return;
    }
    uint64_t index = UINT64_MAX;   /* past UINT32_MAX: a gap */
    (void)parse_u32(sv_make(key.p + 1, i - 1), &index);
    if (i == key.len) {
        if (index != ev->argc) {
            ev->truncated = true;   /* a gap: some arguments are missing */
        }
        event_add_arg(ev, decode(b, key, f->value));
    } else if (sv_eq_cstr(sv_skip(key, i), "_len")) {
        if (index != ev->argc) {
            ev->truncated = true;
        }
        event_add_arg(ev, SV_LIT(""));
    } else if (key.p[i] == '[') {
        event_append_arg(ev, decode(b, key, f->value));
    }
}

/* Splits a decoded proctitle at its NUL bytes into arguments. */
static void
add_proctitle(struct audit_builder *b, struct event *ev, struct sv raw)
{
    struct sv title = decode(b, SV_LIT("proctitle"), raw);

    if (raw.len > 0 && raw.p[0] == '"') {
        event_add_arg(ev, title);
        return;
    }
    while (title.len > 0) {
        struct sv arg;
        title = sv_cut(title, '\0', &arg);
        event_add_arg(ev, arg);
    }
}

bool
audit_build_argv(struct audit_builder *b, const struct audit_group *g,
                 struct event *ev)
{
    struct audit_record rec;
    struct audit_field_iter it;
    const struct audit_field *f;
    uint64_t line;
    uint64_t argc = 0;
    bool have_execve = false;
    struct sv title = SV_NULL;

    for (uint32_t r = 0; r < g->nrecords; r++) {
        if (audit_group_type(g, r) != AUDIT_T_EXECVE ||
            !audit_group_record(g, r, &rec, &line)) {
            continue;
        }
        have_execve = true;
        audit_fields_init(&it, &rec);
        while ((f = audit_fields_step(&it)) != NULL) {
            if (!f->enriched) {
                add_arg_field(b, ev, f, &argc);
            }
        }
    }
    if (have_execve) {
        if (argc > ev->argc) {
            ev->truncated = true;
        }
        return true;
    }
    for (uint32_t r = 0; r < g->nrecords && title.p == NULL; r++) {
        if (audit_group_type(g, r) == AUDIT_T_PROCTITLE &&
            audit_group_record(g, r, &rec, &line)) {
            (void)audit_field_find(&rec, "proctitle", &title);
        }
    }
    if (title.p != NULL) {
        add_proctitle(b, ev, title);
        return true;
    }
    return false;
}

/* Copies the SYSCALL fields an exec event carries. */
static void
fill_syscall(struct audit_builder *b, struct event *ev,
             const struct audit_record *rec)
{
    struct audit_field_iter it;
    const struct audit_field *f;

    audit_fields_init(&it, rec);
    while ((f = audit_fields_step(&it)) != NULL) {
        struct sv k = f->key;
        if (f->enriched) {
            /* Only AUID is used, and auditd appends each interpreted
             * field once, so the scan ends there.  NOTE: a repeated
             * AUID would be ignored. */
            if (sv_eq_cstr(k, "AUID")) {
                struct sv name = unquote(f->value);
                if (!sv_eq_cstr(name, "unset")) {
                    event_set_str(ev, EVENT_USER, name);
                }
                break;
            }
        } else if (sv_eq_cstr(k, "success")) {
            ev->result = parse_result(f->value);
        } else if (sv_eq_cstr(k, "pid")) {
            set_id(ev, EVENT_PID, f->value);
        } else if (sv_eq_cstr(k, "ppid")) {
            set_id(ev, EVENT_PPID, f->value);
        } else if (sv_eq_cstr(k, "uid")) {
            set_id(ev, EVENT_UID, f->value);
        } else if (sv_eq_cstr(k, "euid")) {
            set_id(ev, EVENT_EUID, f->value);
        } else if (sv_eq_cstr(k, "ses")) {
            set_id(ev, EVENT_SES, f->value);
        } else if (sv_eq_cstr(k, "auid")) {
            int64_t n;
            if (parse_id(f->value, &n)) {
                event_set_num(ev, EVENT_AUID, n);
            } else if (!is_number(f->value) && !sv_eq_cstr(f->value, "unset") &&
                       !event_has_str(ev, EVENT_USER)) {
                /* The interpreted form names the user: auid=vagrant. */
                event_set_str(ev, EVENT_USER, f->value);
            }
        } else if (sv_eq_cstr(k, "tty")) {
            if (!sv_eq_cstr(f->value, "(none)")) {
                event_set_str(ev, EVENT_TTY, f->value);
            }
        } else if (sv_eq_cstr(k, "comm")) {
            event_set_str(ev, EVENT_PROGRAM, decode(b, k, f->value));
        } else if (sv_eq_cstr(k, "exe")) {
            event_set_str(ev, EVENT_EXE, decode(b, k, f->value));
        }
    }
}

/* Emits EVENT_EXEC for a group whose SYSCALL record is sys. */
static void
build_exec(struct audit_builder *b, const struct audit_group *g,
           const struct audit_record *sys, const struct event_sink *sink)
{
    struct event *ev = &b->ev;
    struct audit_record rec;
    uint64_t line;
    struct sv cwd;

    start_event(b, g, EVENT_EXEC);
    fill_syscall(b, ev, sys);
    (void)audit_build_argv(b, g, ev);
    for (uint32_t r = 0; r < g->nrecords; r++) {
        if (audit_group_type(g, r) == AUDIT_T_CWD &&
            audit_group_record(g, r, &rec, &line) &&
            audit_field_find(&rec, "cwd", &cwd)) {
            event_set_str(ev, EVENT_CWD, decode(b, SV_LIT("cwd"), cwd));
            break;
        }
    }
    sink->emit(sink->arg, ev);
}

/*
 * Emits EVENT_LOGIN_ASSIGN for a LOGIN record, modern or audit 1.x:
 *
 *   pid=1298 uid=0 old-auid=4294967295 auid=1000 old-ses=4294967295 ses=1
 *   login pid=13015 uid=0 old auid=4294967295 new auid=0
 *
 * The tokenizer drops the words "old" and "new", so the last auid= and
 * ses= are the new values in both forms.
 */
static void
build_login(struct audit_builder *b, const struct audit_group *g,
            const struct audit_record *rec, const struct event_sink *sink)
{
    struct event *ev = &b->ev;
    struct audit_field_iter it;
    const struct audit_field *f;
    struct sv auid = SV_NULL;
    struct sv ses = SV_NULL;

    start_event(b, g, EVENT_LOGIN_ASSIGN);
    audit_fields_init(&it, rec);
    while ((f = audit_fields_step(&it)) != NULL) {
        if (f->enriched) {
            struct sv name = unquote(f->value);
            if (sv_eq_cstr(f->key, "AUID") && !sv_eq_cstr(name, "unset")) {
                event_set_str(ev, EVENT_USER, name);
            }
        } else if (sv_eq_cstr(f->key, "pid")) {
            set_id(ev, EVENT_PID, f->value);
        } else if (sv_eq_cstr(f->key, "uid")) {
            set_id(ev, EVENT_UID, f->value);
        } else if (sv_eq_cstr(f->key, "auid")) {
            auid = f->value;
        } else if (sv_eq_cstr(f->key, "ses")) {
            ses = f->value;
        } else if (sv_eq_cstr(f->key, "tty")) {
            if (!sv_eq_cstr(f->value, "(none)")) {
                event_set_str(ev, EVENT_TTY, f->value);
            }
        } else if (sv_eq_cstr(f->key, "res")) {
            ev->result = parse_result(f->value);
        }
    }
    set_id(ev, EVENT_AUID, auid);
    set_id(ev, EVENT_SES, ses);
    sink->emit(sink->arg, ev);
}

/* Stores addr= as src_ip: an IP in canonical form, else the text. */
static void
set_src_ip(struct event *ev, struct sv addr)
{
    char in[INET6_ADDRSTRLEN + 1];
    char out[INET6_ADDRSTRLEN];
    unsigned char bin[16];

    if (addr.len == 0 || sv_eq_cstr(addr, "?")) {
        return;
    }
    if (sv_is_plain_ipv4(addr)) {
        /* inet_ntop would write the same text. */
        event_set_str(ev, EVENT_SRC_IP, addr);
        return;
    }
    if (addr.len < sizeof(in)) {
        memcpy(in, addr.p, addr.len);
        in[addr.len] = '\0';
        if (inet_pton(AF_INET, in, bin) == 1 &&
            inet_ntop(AF_INET, bin, out, sizeof(out)) != NULL) {
            event_set_str(ev, EVENT_SRC_IP, sv_cstr(out));
            return;
        }
        if (inet_pton(AF_INET6, in, bin) == 1 &&
            inet_ntop(AF_INET6, bin, out, sizeof(out)) != NULL) {
            event_set_str(ev, EVENT_SRC_IP, sv_cstr(out));
            return;
        }
    }
    event_set_str(ev, EVENT_SRC_IP, addr);
}

static enum event_kind
user_kind(int type, enum event_result res)
{
    switch (type) {
    case AUDIT_T_USER_AUTH:
        return res == EVENT_RESULT_SUCCESS ? EVENT_AUTH_SUCCESS
                                           : EVENT_AUTH_FAILURE;
    case AUDIT_T_USER_ACCT:
        return EVENT_ACCT_CHECK;
    case AUDIT_T_CRED_ACQ:
        return EVENT_CRED_ACQUIRE;
    case AUDIT_T_CRED_DISP:
        return EVENT_CRED_DISPOSE;
    case AUDIT_T_USER_START:
        return EVENT_SESSION_OPEN;
    case AUDIT_T_USER_END:
        return EVENT_SESSION_CLOSE;
    case AUDIT_T_USER_LOGIN:
        return res == EVENT_RESULT_FAILURE ? EVENT_AUTH_FAILURE
                                           : EVENT_USER_LOGIN;
    default:
        return EVENT_USER_LOGOUT;
    }
}

/* The fields of a user-space record that the event uses. */
struct user_fields {
    struct sv op, acct, id, exe, hostname, addr, terminal, res;
};

/*
 * Emits the event of a PAM or sshd user-space record:
 *
 *   type=USER_LOGIN msg=audit(1481077043.193:421): pid=1298 uid=0
 *   auid=1000 ses=1 msg='op=login id=1000 exe="/usr/sbin/sshd"
 *   hostname=? addr=203.0.113.136 terminal=/dev/pts/0 res=success'
 */
static void
build_user(struct audit_builder *b, const struct audit_group *g,
           const struct audit_record *rec, const struct event_sink *sink)
{
    struct event *ev = &b->ev;
    struct audit_field_iter it;
    const struct audit_field *f;
    struct user_fields u;

    memset(&u, 0, sizeof(u));
    start_event(b, g, EVENT_USER_LOGOUT);
    audit_fields_init(&it, rec);
    while ((f = audit_fields_step(&it)) != NULL) {
        struct sv k = f->key;
        if (f->enriched) {
            /* Every field after the first enriched one is enriched too,
             * and this event reads none of them. */
            break;
        } else if (sv_eq_cstr(k, "pid")) {
            set_id(ev, EVENT_PID, f->value);
        } else if (sv_eq_cstr(k, "auid")) {
            set_id(ev, EVENT_AUID, f->value);
        } else if (sv_eq_cstr(k, "ses")) {
            set_id(ev, EVENT_SES, f->value);
        } else if (sv_eq_cstr(k, "op")) {
            u.op = f->value;
        } else if (sv_eq_cstr(k, "acct")) {
            u.acct = f->value;
        } else if (sv_eq_cstr(k, "id")) {
            u.id = f->value;
        } else if (sv_eq_cstr(k, "exe")) {
            u.exe = f->value;
        } else if (sv_eq_cstr(k, "hostname")) {
            u.hostname = f->value;
        } else if (sv_eq_cstr(k, "addr")) {
            u.addr = f->value;
        } else if (sv_eq_cstr(k, "terminal")) {
            u.terminal = f->value;
        } else if (sv_eq_cstr(k, "res")) {
            u.res = f->value;
        }
    }

    ev->result = parse_result(u.res);
    ev->kind = user_kind(rec->type, ev->result);
    if (u.acct.p != NULL) {
        struct sv user = decode(b, SV_LIT("acct"), u.acct);
        if (user.len > 0 && !sv_eq_cstr(user, "?")) {
            event_set_str(ev, EVENT_USER, user);
        }
    }
    set_id(ev, EVENT_UID, u.id);
    if (u.exe.p != NULL) {
        struct sv exe = decode(b, SV_LIT("exe"), u.exe);
        event_set_str(ev, EVENT_EXE, exe);
        event_set_str(ev, EVENT_PROGRAM, exe);
    }
    set_src_ip(ev, u.addr);
    if (u.terminal.len > 0 && !sv_eq_cstr(u.terminal, "?")) {
        event_set_str(ev, EVENT_TTY, u.terminal);
    }
    if (rec->type == AUDIT_T_USER_AUTH) {
        if (sv_eq_cstr(u.op, "pubkey_auth") || sv_eq_cstr(u.op, "pubkey")) {
            event_set_str(ev, EVENT_AUTH_METHOD, SV_LIT("publickey"));
        }
        if (u.op.len > 0) {
            event_set_str(ev, EVENT_DETAIL, u.op);
        }
    } else if (u.hostname.len > 0 && !sv_eq_cstr(u.hostname, "?")) {
        event_set_str(ev, EVENT_DETAIL, u.hostname);
    }
    sink->emit(sink->arg, ev);
}

int
audit_build_group(struct audit_builder *b, const struct audit_group *g,
                  const struct event_sink *sink)
{
    struct audit_record rec;
    struct audit_record sys;
    uint64_t line;
    bool have_sys = false;
    int n = 0;

    for (uint32_t r = 0; r < g->nrecords; r++) {
        int type = audit_group_type(g, r);
        /* EXECVE, CWD and PROCTITLE records are read by build_exec. */
        if ((!audit_type_is_user_event(type) && type != AUDIT_T_LOGIN &&
             type != AUDIT_T_SYSCALL) ||
            !audit_group_record(g, r, &rec, &line)) {
            continue;
        }
        if (audit_type_is_user_event(rec.type)) {
            build_user(b, g, &rec, sink);
            n++;
        } else if (rec.type == AUDIT_T_LOGIN) {
            build_login(b, g, &rec, sink);
            n++;
        } else if (rec.type == AUDIT_T_SYSCALL && !have_sys) {
            sys = rec;
            have_sys = true;
        }
    }
    if (have_sys && (sys.exec == AUDIT_EXEC_UNKNOWN
                         ? audit_syscall_is_exec(&sys)
                         : sys.exec == AUDIT_EXEC_YES)) {
        build_exec(b, g, &sys, sink);
        n++;
    }

    /* Only EXECVE, CWD and PROCTITLE records are left, and they need the
     * SYSCALL record for the process and the session.  It went missing
     * when the event was split by log rotation or lost a record. */
    if (n == 0 && !have_sys && sink->count != NULL) {
        sink->count(sink->arg, PARSE_MALFORMED, AUDIT_REASON_NO_SYSCALL,
                    &g->origin);
    }
    return n;
}
