/*
 * Unit tests for the helpers of the JSON writers whose formatting was
 * rewritten without printf: output_cmd_line's shell quoting and
 * output_finding_uid.  Each is compared with a plain reference written
 * below.
 */
#include "output/output.h"

#include <stdint.h>

#include <cjson/cJSON.h>
#include <stdlib.h>

#include "core/jsonw.h"
#include "core/timeconv.h"
#include "tcheck.h"

#define OUT_MAX (1024u * 1024u)

/* Returns whether key is non-empty printable ASCII without quote or
 * backslash, at most 64 bytes, which jsonw may copy unchecked. */
static bool
key_is_plain(const char *key)
{
    size_t len = key != NULL ? strlen(key) : 0;

    if (len == 0 || len > 64) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
            return false;
        }
    }
    return true;
}

/* Quotes like a POSIX shell would need, one byte at a time. */
static void
ref_cmd_line(struct buf *out, const struct event *ev)
{
    for (uint32_t i = 0; i < ev->argc; i++) {
        struct sv arg = event_arg(ev, i);
        bool plain = arg.len > 0;

        for (size_t k = 0; k < arg.len; k++) {
            /* strchr would find the NUL terminator for a NUL byte. */
            if (arg.p[k] != 0 && strchr(" \t'\"\\\n$`", arg.p[k]) != NULL) {
                plain = false;
            }
        }
        if (i > 0) {
            buf_add_char(out, ' ');
        }
        if (plain) {
            buf_add_sv(out, arg);
            continue;
        }
        buf_add_char(out, '\'');
        for (size_t k = 0; k < arg.len; k++) {
            if (arg.p[k] == '\'') {
                buf_add(out, "'\\''", 4);
            } else {
                buf_add_char(out, arg.p[k]);
            }
        }
        buf_add_char(out, '\'');
    }
}

static int
cmd_line_matches(const char *const *args, size_t nargs)
{
    struct event ev;
    struct buf got, expected;
    int ok;

    event_init(&ev);
    for (size_t i = 0; i < nargs; i++) {
        event_add_arg(&ev, sv_cstr(args[i]));
    }
    buf_init(&got, OUT_MAX);
    buf_init(&expected, OUT_MAX);
    output_cmd_line(&got, &ev);
    ref_cmd_line(&expected, &ev);
    ok = got.len == expected.len &&
         (got.len == 0 || memcmp(got.data, expected.data, got.len) == 0);
    if (!ok) {
        printf("  expected <%.*s>\n  got      <%.*s>\n", (int)expected.len,
               expected.data ? expected.data : "", (int)got.len,
               got.data ? got.data : "");
    }
    buf_fini(&got);
    buf_fini(&expected);
    event_fini(&ev);
    return ok;
}

static void
cmd_line_quoting(void)
{
    static const char *const plain[] = { "/bin/ls", "-la", "/tmp" };
    static const char *const spaces[] = { "echo", "a b", "\tc" };
    static const char *const quotes[] = { "sh", "-c", "echo 'hi' \"x\"" };
    static const char *const only_quotes[] = { "'", "''", "a'" };
    static const char *const specials[] = { "$HOME", "`id`", "a\\b",
                                            "l1\nl2", "" };

    CHECK(cmd_line_matches(plain, 3));
    CHECK(cmd_line_matches(spaces, 3));
    CHECK(cmd_line_matches(quotes, 3));
    CHECK(cmd_line_matches(only_quotes, 3));
    CHECK(cmd_line_matches(specials, 5));
    CHECK(cmd_line_matches(NULL, 0));
}

static void
cmd_line_spelling(void)
{
    static const char *const args[] = { "sh", "-c", "it's $x", "" };
    struct event ev;
    struct buf out;

    event_init(&ev);
    for (size_t i = 0; i < 4; i++) {
        event_add_arg(&ev, sv_cstr(args[i]));
    }
    buf_init(&out, OUT_MAX);
    output_cmd_line(&out, &ev);
    CHECK_SV(sv_make(out.data, out.len), "sh -c 'it'\\''s $x' ''");
    buf_fini(&out);
    event_fini(&ev);
}

/* FNV-1a over one part and a separator byte, as the uid is defined. */
static uint64_t
ref_fnv1a(uint64_t h, struct sv v)
{
    for (size_t i = 0; i < v.len; i++) {
        h ^= (unsigned char)v.p[i];
        h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
    return h;
}

/* The uid written with snprintf, two hashes over five parts. */
static void
ref_finding_uid(const struct session *s, char *buf)
{
    char port[32];
    char when[40];
    struct sv parts[5];
    uint64_t h1 = 14695981039346656037ULL;
    uint64_t h2 = 0x6c62272e07bb0142ULL;

    parts[0] = event_str(&s->ev, EVENT_HOST);
    parts[1] = event_str(&s->ev, EVENT_USER);
    parts[2] = event_str(&s->ev, EVENT_SRC_IP);
    int n = snprintf(port, sizeof(port), "%lld",
                     (long long)event_num(&s->ev, EVENT_SRC_PORT, -1));
    parts[3] = sv_make(port, (size_t)n);
    parts[4] = sv_make(when, time_format(&s->start, when));
    for (int i = 0; i < 5; i++) {
        h1 = ref_fnv1a(h1, parts[i]);
        h2 = ref_fnv1a(h2, parts[i]);
    }
    snprintf(buf, 33, "%016llx%016llx", (unsigned long long)h1,
             (unsigned long long)h2);
}

static void
finding_uid_matches_reference(void)
{
    static const int64_t ports[] = { -1, 0, 22, 65535, INT64_MIN };
    struct session s;
    char got[33];
    char expected[33];

    memset(&s, 0, sizeof(s));
    event_init(&s.ev);
    s.start.sec = 1704164645;
    s.start.nsec = 123456789;
    s.start.digits = 6;

    output_finding_uid(&s, got);
    ref_finding_uid(&s, expected);
    CHECK_STR(got, expected);

    event_set_str(&s.ev, EVENT_HOST, SV_LIT("web-1"));
    event_set_str(&s.ev, EVENT_USER, SV_LIT("alice"));
    event_set_str(&s.ev, EVENT_SRC_IP, SV_LIT("192.0.2.7"));
    for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        event_set_num(&s.ev, EVENT_SRC_PORT, ports[i]);
        s.start.sec += 86399;
        s.start.digits = (int8_t)(i * 2);
        output_finding_uid(&s, got);
        ref_finding_uid(&s, expected);
        CHECK_STR(got, expected);
        CHECK_INT(strlen(got), 32);
    }
    event_fini(&s.ev);
}

/*
 * The writers pass event field names to jsonw_member_* functions, which
 * copy keys unchecked, so every name must be plain JSON text.
 */
static void
field_names_are_plain_keys(void)
{
    int bad = 0;

    for (int f = 0; f < EVENT_STR_COUNT; f++) {
        if (!key_is_plain(event_str_name((enum event_str)f))) {
            printf("  string field %d: \"%s\"\n", f,
                   event_str_name((enum event_str)f));
            bad++;
        }
    }
    for (int f = 0; f < EVENT_NUM_COUNT; f++) {
        if (!key_is_plain(event_num_name((enum event_num)f))) {
            printf("  number field %d: \"%s\"\n", f,
                   event_num_name((enum event_num)f));
            bad++;
        }
    }
    CHECK_INT(bad, 0);
}

/* Returns evidences[i].data.origin.<member> of a parsed finding. */
static const char *
evidence_origin(const cJSON *finding, int i, const char *member)
{
    const cJSON *ev = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(finding, "evidences"), i);
    const cJSON *origin = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(ev, "data"), "origin");

    return cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(origin, member));
}

/*
 * The finding writer escapes the origin of the first execution once and
 * reuses it while the next ones have the same format and file.  A changed
 * file, one that needs escaping and one longer than the memo keeps must
 * still come out as written.
 */
static void
finding_origins_escaped_once(void)
{
    enum { LONG_FILE = 70000 };
    char *long_file = malloc(LONG_FILE + 1);
    const char *files[4];
    struct session s;
    struct session_exec execs[4];
    struct event exec_events[4];        /* what execs point to */
    struct score sc;
    struct output_opts o = { "test", NULL };
    struct buf out;
    cJSON *finding;

    memset(long_file, 'x', LONG_FILE);
    long_file[0] = '"';
    long_file[LONG_FILE] = '\0';
    files[0] = "/var/log/a \"q\"\n.log";
    files[1] = files[0];
    files[2] = long_file;
    files[3] = "/var/log/b.log";

    memset(&s, 0, sizeof(s));
    memset(&sc, 0, sizeof(sc));
    event_init(&s.ev);
    s.start.sec = 1704164645;
    for (int i = 0; i < 4; i++) {
        event_init(&exec_events[i]);
        exec_events[i].time.sec = 1704164646 + i;
        exec_events[i].origin.format = "audit";
        exec_events[i].origin.file = files[i];
        exec_events[i].origin.line = (uint64_t)i + 1;
        execs[i].ev = &exec_events[i];
        execs[i].linkage = LINK_AUDIT_SESSION;
    }
    s.execs = execs;
    s.nexecs = 4;

    buf_init(&out, OUT_MAX);
    output_finding_json(&out, &s, &sc, &o);
    CHECK_INT(out.dropped, 0);
    buf_add_char(&out, '\0');
    finding = cJSON_Parse(out.data);
    CHECK(finding != NULL);
    for (int i = 0; i < 4; i++) {
        const char *file = evidence_origin(finding, i, "file");
        const char *format = evidence_origin(finding, i, "format");

        CHECK(file != NULL);
        CHECK(file == NULL || strcmp(file, files[i]) == 0);
        CHECK(format != NULL);
        CHECK(format == NULL || strcmp(format, "audit") == 0);
    }
    cJSON_Delete(finding);
    buf_fini(&out);
    for (int i = 0; i < 4; i++) {
        event_fini(&exec_events[i]);
    }
    event_fini(&s.ev);
    free(long_file);
}

/* Returns evidences[i].data.time of a finding, or NULL. */
static const char *
evidence_time(const cJSON *finding, int i)
{
    const cJSON *ev = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(finding, "evidences"), i);
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(ev, "data");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(data, "time");

    return cJSON_IsString(t) ? t->valuestring : NULL;
}

/*
 * The finding writer takes the date of a time from an earlier time of the
 * same day.  Each execution time must still come out as time_format
 * writes it.  The cases: 0 to 9 and 12 fraction digits, times before
 * 1970, the next day and an invalid fraction.
 */
static void
finding_times_match_time_format(void)
{
    static const struct event_time starts[2] = {
        { 1704164645, 5000000, 3 },
        { -86400 * 3 + 10, 0, 3 },
    };
    static const struct {
        int64_t add;
        int32_t nsec;
        int8_t digits;
    } times[] = {
        { 1, 123456789, 0 }, { 2, 123456789, 1 }, { 3, 5, 6 },
        { 3599, 999999999, 9 }, { 86400, 120000000, 3 }, { 4, 7, 3 },
        { 5, -1, 3 }, { 60, 0, 12 },
    };
    enum { N = sizeof(times) / sizeof(times[0]) };

    for (int k = 0; k < 2; k++) {
        struct session s;
        struct session_exec execs[N];
        struct event exec_events[N];
        struct score sc;
        struct output_opts o = { "test", NULL };
        struct buf out;

        memset(&s, 0, sizeof(s));
        memset(&sc, 0, sizeof(sc));
        event_init(&s.ev);
        s.start = starts[k];
        for (int i = 0; i < N; i++) {
            event_init(&exec_events[i]);
            exec_events[i].time.sec = starts[k].sec + times[i].add;
            exec_events[i].time.nsec = times[i].nsec;
            exec_events[i].time.digits = times[i].digits;
            exec_events[i].origin.format = "audit";
            exec_events[i].origin.file = "t.log";
            execs[i].ev = &exec_events[i];
            execs[i].linkage = LINK_AUDIT_SESSION;
        }
        s.execs = execs;
        s.nexecs = N;

        buf_init(&out, OUT_MAX);
        output_finding_json(&out, &s, &sc, &o);
        buf_add_char(&out, '\0');
        cJSON *finding = cJSON_Parse(out.data);
        CHECK(finding != NULL);
        for (int i = 0; i < N; i++) {
            char want[40];
            const char *got = evidence_time(finding, i);

            time_format(&exec_events[i].time, want);
            CHECK(got != NULL);
            if (got != NULL && strcmp(got, want) != 0) {
                printf("  finding %d time %d: %s, expected %s\n", k, i, got,
                       want);
                CHECK(strcmp(got, want) == 0);
            }
        }
        cJSON_Delete(finding);
        buf_fini(&out);
        for (int i = 0; i < N; i++) {
            event_fini(&exec_events[i]);
        }
        event_fini(&s.ev);
    }
}

/* Returns evidences[i].process.file.path of a finding, or NULL. */
static const char *
evidence_path(const cJSON *finding, int i)
{
    const cJSON *ev = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(finding, "evidences"), i);
    const cJSON *proc = cJSON_GetObjectItemCaseSensitive(ev, "process");
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(proc, "file");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(file, "path");

    return cJSON_IsString(path) ? path->valuestring : NULL;
}

/* Executable paths with quotes and control bytes, and one longer than the
 * writer escapes on the stack, come out as they were.  (A backslash would
 * come out doubled: escape_json keeps it apart from its \xHH escapes.) */
static void
finding_exe_paths_escaped(void)
{
    enum { N = 3, LONG_PATH = 2000 };
    char *long_path = malloc(LONG_PATH + 1);
    const char *paths[N];
    struct session s;
    struct session_exec execs[N];
    struct event exec_events[N];
    struct score sc;
    struct output_opts o = { "test", NULL };
    struct buf out;

    memset(long_path, 'p', LONG_PATH);
    long_path[1] = '"';
    long_path[LONG_PATH] = '\0';
    paths[0] = "/usr/bin/ls";
    paths[1] = "/tmp/a \"b\"\n\tc\x01";
    paths[2] = long_path;

    memset(&s, 0, sizeof(s));
    memset(&sc, 0, sizeof(sc));
    event_init(&s.ev);
    s.start.sec = 1704164645;
    for (int i = 0; i < N; i++) {
        event_init(&exec_events[i]);
        exec_events[i].time.sec = 1704164646 + i;
        event_set_str(&exec_events[i], EVENT_EXE, sv_cstr(paths[i]));
        execs[i].ev = &exec_events[i];
        execs[i].linkage = LINK_AUDIT_SESSION;
    }
    s.execs = execs;
    s.nexecs = N;

    buf_init(&out, OUT_MAX);
    output_finding_json(&out, &s, &sc, &o);
    CHECK_INT(out.dropped, 0);
    buf_add_char(&out, '\0');
    cJSON *finding = cJSON_Parse(out.data);
    CHECK(finding != NULL);
    for (int i = 0; i < N; i++) {
        const char *path = evidence_path(finding, i);
        CHECK(path != NULL);
        CHECK(path == NULL || strcmp(path, paths[i]) == 0);
    }
    cJSON_Delete(finding);
    buf_fini(&out);
    for (int i = 0; i < N; i++) {
        event_fini(&exec_events[i]);
    }
    event_fini(&s.ev);
    free(long_path);
}

/*
 * The evidence object of one execution, written member by member through
 * jsonw, as the finding writer wrote it before it copied fixed names as
 * literals.
 */
static void
ref_evidence(struct jsonw *w, const struct session_exec *x)
{
    const struct event *ev = x->ev;
    char text[40];
    struct buf cmd;
    struct sv dt = sv_make(text, time_format(&ev->time, text));
    int64_t ms = ev->time.sec * 1000 + ev->time.nsec / 1000000;

    jsonw_obj_begin(w, NULL);
    jsonw_member_obj(w, SV_LIT("process"));
    if (event_has_num(ev, EVENT_PID)) {
        jsonw_member_int(w, SV_LIT("pid"), event_num(ev, EVENT_PID, 0));
    }
    buf_init(&cmd, OUT_MAX);
    output_cmd_line(&cmd, ev);
    jsonw_member_str(w, SV_LIT("cmd_line"), sv_make(cmd.data, cmd.len));
    buf_fini(&cmd);
    if (event_has_str(ev, EVENT_EXE)) {
        jsonw_member_obj(w, SV_LIT("file"));
        jsonw_member_str(w, SV_LIT("path"), event_str(ev, EVENT_EXE));
        jsonw_obj_end(w);
    }
    if (event_has_num(ev, EVENT_PPID)) {
        jsonw_member_obj(w, SV_LIT("parent_process"));
        jsonw_member_int(w, SV_LIT("pid"), event_num(ev, EVENT_PPID, 0));
        jsonw_obj_end(w);
    }
    jsonw_member_int(w, SV_LIT("created_time"), ms);
    jsonw_member_str(w, SV_LIT("created_time_dt"), dt);
    jsonw_obj_end(w);

    jsonw_member_obj(w, SV_LIT("data"));
    jsonw_member_str(w, SV_LIT("time"), dt);
    if (event_has_num(ev, EVENT_PPID)) {
        jsonw_member_int(w, SV_LIT("ppid"), event_num(ev, EVENT_PPID, 0));
    }
    jsonw_member_arr(w, SV_LIT("argv"));
    for (uint32_t i = 0; i < ev->argc; i++) {
        jsonw_str(w, NULL, event_arg(ev, i));
    }
    jsonw_arr_end(w);
    if (event_has_str(ev, EVENT_CWD)) {
        jsonw_member_str(w, SV_LIT("cwd"), event_str(ev, EVENT_CWD));
    }
    if (event_has_num(ev, EVENT_UID)) {
        jsonw_member_int(w, SV_LIT("uid"), event_num(ev, EVENT_UID, 0));
    }
    if (event_has_num(ev, EVENT_EUID)) {
        jsonw_member_int(w, SV_LIT("euid"), event_num(ev, EVENT_EUID, 0));
    }
    if (ev->result == EVENT_RESULT_FAILURE) {
        jsonw_member_bool(w, SV_LIT("failed"), true);
    }
    jsonw_member_cstr(w, SV_LIT("linkage"), linkage_name(x->linkage));
    jsonw_member_obj(w, SV_LIT("origin"));
    jsonw_member_cstr(w, SV_LIT("format"),
                      ev->origin.format ? ev->origin.format : "");
    jsonw_member_cstr(w, SV_LIT("file"),
                      ev->origin.file ? ev->origin.file : "");
    jsonw_member_int(w, SV_LIT("line"), (int64_t)ev->origin.line);
    jsonw_obj_end(w);
    jsonw_obj_end(w);
    jsonw_obj_end(w);
}

/* The "reasons" array of a score, written member by member. */
static void
ref_reasons(struct jsonw *w, const struct score *sc)
{
    jsonw_member_arr(w, SV_LIT("reasons"));
    for (int i = 0; i < sc->nreasons; i++) {
        jsonw_obj_begin(w, NULL);
        jsonw_member_cstr(w, SV_LIT("code"),
                          score_reason_name(sc->reasons[i].code));
        jsonw_member_int(w, SV_LIT("weight"), sc->reasons[i].weight);
        jsonw_member_cstr(w, SV_LIT("evidence"), sc->reasons[i].evidence);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
}

/* Returns whether the bytes of part occur in text. */
static bool
contains(const struct buf *text, const struct buf *part)
{
    if (part->len == 0 || part->len > text->len) {
        return false;
    }
    for (size_t i = 0; i + part->len <= text->len; i++) {
        if (memcmp(text->data + i, part->data, part->len) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * Executions with absent, empty, negative and extreme fields, bytes that
 * need escaping and invalid UTF-8 in every string, and origins that
 * change from one execution to the next.  The finding's evidences and
 * reasons must be the bytes the member-by-member writers above give.
 */
static void
finding_evidence_matches_reference(void)
{
    static const char *const args[][4] = {
        { "ps", "aux", NULL, NULL },
        { "sh", "-c", "echo \"$HOME\"\n\x01\x7f", "it's" },
        { "", "\xc3\x28 \xe2\x82", "\xf0\x9f\x98\x80 ok", NULL },
        { NULL, NULL, NULL, NULL },
        { "/bin/\\evil\x1f", "--name=\"root\",\"uid\":0", NULL, NULL },
    };
    enum { N = sizeof(args) / sizeof(args[0]) };
    static const char *const files[N] = {
        "/var/log/audit.log", "/var/log/audit.log", "/var/log/\"x\"\n.log",
        NULL, "/var/log/audit.log",
    };
    struct session s;
    struct session_exec execs[N];
    struct event exec_events[N];
    struct score sc;
    struct output_opts o = { "test", NULL };
    struct buf out, want;
    struct jsonw w;

    memset(&s, 0, sizeof(s));
    memset(&sc, 0, sizeof(sc));
    event_init(&s.ev);
    s.start.sec = 1704164645;
    for (int i = 0; i < N; i++) {
        struct event *ev = &exec_events[i];

        event_init(ev);
        ev->time.sec = 1704164646 + i * 3599;
        ev->time.nsec = i * 111111111;
        ev->time.digits = (int8_t)(i * 2);
        for (int a = 0; a < 4 && args[i][a] != NULL; a++) {
            event_add_arg(ev, sv_cstr(args[i][a]));
        }
        if (i != 3) {
            event_set_num(ev, EVENT_PID, i == 1 ? -1 : 2000 + i);
            event_set_str(ev, EVENT_EXE, sv_cstr(i == 4 ? "/bin/\\evil\x1f"
                                                        : "/usr/bin/x y"));
        }
        if (i % 2 == 0) {
            event_set_num(ev, EVENT_PPID, i == 2 ? INT64_MIN : 1999);
            event_set_num(ev, EVENT_UID, i == 4 ? INT64_MAX : 0);
            event_set_str(ev, EVENT_CWD, sv_cstr(i == 2 ? "" : "/h/\"q\""));
        } else {
            event_set_num(ev, EVENT_EUID, 1000);
            event_set_str(ev, EVENT_CMDLINE, sv_cstr("cmd \"line\"\t"));
            ev->result = EVENT_RESULT_FAILURE;
        }
        ev->origin.format = i == 3 ? NULL : "audit";
        ev->origin.file = files[i];
        ev->origin.line = (uint64_t)i * 1000003u;
        execs[i].ev = ev;
        execs[i].linkage = (enum linkage)(i % (LINK_COUNT + 1));
    }
    s.execs = execs;
    s.nexecs = N;
    sc.nreasons = 3;
    sc.reasons[0].code = REASON_PRIVILEGED_ACCOUNT;
    sc.reasons[0].weight = 30;
    strcpy(sc.reasons[0].evidence, "login uid is 0");
    sc.reasons[1].code = REASON_EXEC_IN_WINDOW;
    sc.reasons[1].weight = -7;
    strcpy(sc.reasons[1].evidence, "ran \"/bin/\\evil\x1f\" \xc3\x28\n");
    sc.reasons[2].code = REASON_COUNT;
    sc.reasons[2].weight = 0;
    memset(sc.reasons[2].evidence, 'e', sizeof(sc.reasons[2].evidence) - 1);
    sc.reasons[2].evidence[sizeof(sc.reasons[2].evidence) - 1] = '\0';

    buf_init(&out, OUT_MAX);
    output_finding_json(&out, &s, &sc, &o);
    CHECK_INT(out.dropped, 0);

    /* Each part goes in an object of its own, whose '{' is then dropped. */
    buf_init(&want, OUT_MAX);
    jsonw_init(&w, &want);
    jsonw_obj_begin(&w, NULL);
    jsonw_member_arr(&w, SV_LIT("evidences"));
    for (int i = 0; i < N; i++) {
        ref_evidence(&w, &execs[i]);
    }
    jsonw_arr_end(&w);
    CHECK_INT(want.dropped, 0);
    memmove(want.data, want.data + 1, want.len - 1);
    want.len--;
    CHECK(contains(&out, &want));

    buf_clear(&want);
    jsonw_init(&w, &want);
    jsonw_obj_begin(&w, NULL);
    ref_reasons(&w, &sc);
    CHECK_INT(want.dropped, 0);
    memmove(want.data, want.data + 1, want.len - 1);
    want.len--;
    CHECK(contains(&out, &want));

    buf_fini(&want);
    buf_fini(&out);
    for (int i = 0; i < N; i++) {
        event_fini(&exec_events[i]);
    }
    event_fini(&s.ev);
}

int
main(void)
{
    TEST_RUN("json_out", cmd_line_quoting);
    TEST_RUN("json_out", cmd_line_spelling);
    TEST_RUN("json_out", finding_uid_matches_reference);
    TEST_RUN("json_out", field_names_are_plain_keys);
    TEST_RUN("json_out", finding_origins_escaped_once);
    TEST_RUN("json_out", finding_evidence_matches_reference);
    TEST_RUN("json_out", finding_times_match_time_format);
    TEST_RUN("json_out", finding_exe_paths_escaped);
    TEST_EXIT();
}
