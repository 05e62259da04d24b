/*
 * The zeek format: Zeek's ssh.log, in its tab-separated form with `#`
 * header lines and in its JSON form (one object per line).
 *
 * Each log entry is one SSH connection seen on the wire and becomes one
 * net_ssh event: client address and port, server address and port, the
 * authentication outcome Zeek inferred, both version banners and Zeek's
 * connection uid.  A network sensor does not know the host name of either
 * end, so events carry no host.  Other Zeek logs (conn.log, the `#path`
 * header naming anything but ssh) are skipped.
 */
#include "formats/format.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Maximum columns of a #fields header; ssh.log has about 20. */
#define ZEEK_MAX_FIELDS 128
/* Maximum bytes of one banner copied into detail. */
#define ZEEK_MAX_BANNER 120

/* The ssh.log columns used. */
enum zeek_col {
    COL_TS,
    COL_UID,
    COL_ORIG_H,
    COL_ORIG_P,
    COL_RESP_H,
    COL_RESP_P,
    COL_AUTH_SUCCESS,
    COL_AUTH_ATTEMPTS,
    COL_DIRECTION,
    COL_CLIENT,
    COL_SERVER,
    COL_COUNT
};

static const char *const col_names[COL_COUNT] = {
    "ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
    "auth_success", "auth_attempts", "direction", "client", "server",
};

struct zeek_state {
    char separator;
    char unset[16];             /* the #unset_field value, "-" by default */
    char empty[16];             /* the #empty_field value */
    bool have_fields;
    bool other_path;            /* #path names a log other than ssh */
    int column[COL_COUNT];      /* column index of each field, or -1 */
    struct event ev;
};

/* One connection's values, as views into the line or the JSON document. */
struct zeek_conn {
    struct sv value[COL_COUNT];
    double ts_number;           /* JSON ts as a number, when ts is absent */
    bool has_ts_number;
};

static void
reset_header(struct zeek_state *st)
{
    st->separator = '\t';
    memcpy(st->unset, "-", 2);
    memcpy(st->empty, "(empty)", 8);
    st->have_fields = false;
    st->other_path = false;
    for (int i = 0; i < COL_COUNT; i++) {
        st->column[i] = -1;
    }
}

static int
zeek_probe(struct sv line)
{
    if (sv_starts_with(line, "#path\tssh") ||
        (sv_starts_with(line, "#fields\t") &&
         sv_find(line, SV_LIT("\tauth_success")) >= 0)) {
        return 100;
    }
    if (sv_starts_with(line, "#separator ") ||
        sv_starts_with(line, "#unset_field\t")) {
        return 30;
    }
    if (sv_starts_with(line, "{") &&
        sv_find(line, SV_LIT("\"id.orig_h\"")) >= 0 &&
        (sv_find(line, SV_LIT("\"auth_success\"")) >= 0 ||
         sv_find(line, SV_LIT("\"server\"")) >= 0)) {
        return 90;
    }
    return 0;
}

static void *
zeek_open(const struct format_opts *opts)
{
    struct zeek_state *st = calloc(1, sizeof(*st));

    (void)opts;
    if (st == NULL) {
        return NULL;
    }
    reset_header(st);
    event_init(&st->ev);
    return st;
}

static void
zeek_close(void *state)
{
    struct zeek_state *st = state;

    if (st == NULL) {
        return;
    }
    event_fini(&st->ev);
    free(st);
}

static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Copies a header value of at most cap - 1 bytes as a C string. */
static bool
copy_header_value(struct sv v, char *out, size_t cap)
{
    if (v.len == 0 || v.len >= cap) {
        return false;
    }
    memcpy(out, v.p, v.len);
    out[v.len] = '\0';
    return true;
}

/*
 * Reads a header line: "#separator \x09", "#fields\tts\tuid\t...",
 * "#unset_field\t-", "#path\tssh".  Unknown headers (#open, #close,
 * #types, #set_separator) are accepted and ignored.
 */
static enum parse_status
parse_header(struct zeek_state *st, struct sv line, const char **reason)
{
    struct sv name;
    struct sv rest;

    if (sv_starts_with(line, "#separator ")) {
        struct sv v = sv_skip(line, 11);
        if (v.len == 4 && v.p[0] == '\\' && v.p[1] == 'x' &&
            hex_digit(v.p[2]) >= 0 && hex_digit(v.p[3]) >= 0) {
            st->separator = (char)(hex_digit(v.p[2]) * 16 + hex_digit(v.p[3]));
        } else if (v.len == 1) {
            st->separator = v.p[0];
        } else {
            *reason = "invalid #separator header";
            return PARSE_MALFORMED;
        }
        return PARSE_OK;
    }

    rest = sv_cut(sv_skip(line, 1), st->separator, &name);
    if (sv_eq_cstr(name, "fields")) {
        int index = 0;
        for (int i = 0; i < COL_COUNT; i++) {
            st->column[i] = -1;
        }
        while (rest.p != NULL && index < ZEEK_MAX_FIELDS) {
            struct sv field;
            rest = sv_cut(rest, st->separator, &field);
            for (int i = 0; i < COL_COUNT; i++) {
                if (sv_eq_cstr(field, col_names[i])) {
                    st->column[i] = index;
                }
            }
            index++;
        }
        st->have_fields = true;
    } else if (sv_eq_cstr(name, "unset_field")) {
        if (!copy_header_value(rest, st->unset, sizeof(st->unset))) {
            *reason = "invalid #unset_field header";
            return PARSE_MALFORMED;
        }
    } else if (sv_eq_cstr(name, "empty_field")) {
        if (!copy_header_value(rest, st->empty, sizeof(st->empty))) {
            *reason = "invalid #empty_field header";
            return PARSE_MALFORMED;
        }
    } else if (sv_eq_cstr(name, "path")) {
        st->other_path = !sv_eq_cstr(rest, "ssh");
    } else if (sv_eq_cstr(name, "close")) {
        /* A log rotated into the same stream starts with new headers. */
        reset_header(st);
    }
    *reason = "Zeek header line";
    return PARSE_SKIP;
}

/* Parses "1324071333.792887" into t; digits keeps the fraction length. */
static bool
parse_epoch(struct sv s, struct event_time *t)
{
    struct sv whole;
    struct sv frac = sv_cut(s, '.', &whole);
    uint64_t sec;
    uint64_t ns = 0;

    if (!sv_to_u64(whole, INT64_MAX / 2, &sec)) {
        return false;
    }
    if (frac.p != NULL) {
        if (frac.len == 0 || frac.len > 9 ||
            !sv_to_u64(frac, 999999999, &ns)) {
            return false;
        }
        for (size_t i = frac.len; i < 9; i++) {
            ns *= 10;
        }
    }
    t->sec = (int64_t)sec;
    t->nsec = (int32_t)ns;
    t->digits = (int8_t)frac.len;
    return true;
}

/* Returns the banner cut at ZEEK_MAX_BANNER bytes. */
static struct sv
short_banner(struct sv s)
{
    return sv_head(s, ZEEK_MAX_BANNER);
}

/* Appends "key value" to detail after ", "; empty values are left out. */
static size_t
append_detail(char *buf, size_t used, size_t cap, const char *key,
              struct sv value)
{
    size_t klen = strlen(key);

    if (value.len == 0 || used + klen + value.len + 3 > cap) {
        return used;
    }
    if (used > 0) {
        memcpy(buf + used, ", ", 2);
        used += 2;
    }
    memcpy(buf + used, key, klen);
    used += klen;
    buf[used++] = ' ';
    memcpy(buf + used, value.p, value.len);
    return used + value.len;
}

/*
 * Builds and emits the net_ssh event of one connection.  Absent values
 * (unset in TSV, missing in JSON) have a NULL pointer.
 */
static enum parse_status
emit_conn(struct zeek_state *st, const struct zeek_conn *c,
          const struct event_origin *origin, const struct event_sink *sink,
          const char **reason)
{
    struct event *ev = &st->ev;
    const struct sv *v = c->value;
    int64_t port;
    char detail[2 * ZEEK_MAX_BANNER + 128];
    size_t used = 0;

    event_reset(ev);
    ev->kind = EVENT_NET_SSH;
    ev->origin = *origin;
    if (v[COL_TS].p != NULL) {
        if (!parse_epoch(v[COL_TS], &ev->time) &&
            time_parse_iso(v[COL_TS], &(struct tz){ 0 }, &ev->time) !=
                v[COL_TS].len) {
            *reason = "invalid ts value";
            return PARSE_MALFORMED;
        }
    } else if (c->has_ts_number && isfinite(c->ts_number) &&
               c->ts_number >= 0 && c->ts_number < 1e15) {
        double whole = floor(c->ts_number);
        ev->time.sec = (int64_t)whole;
        ev->time.nsec = (int32_t)llround((c->ts_number - whole) * 1e6) * 1000;
        if (ev->time.nsec >= 1000000000) {
            ev->time.sec++;
            ev->time.nsec -= 1000000000;
        }
        ev->time.digits = 6;
    } else {
        *reason = "connection without a valid ts";
        return PARSE_MALFORMED;
    }
    if (v[COL_ORIG_H].p == NULL || v[COL_RESP_H].p == NULL) {
        *reason = "connection without id.orig_h or id.resp_h";
        return PARSE_MALFORMED;
    }

    event_set_str(ev, EVENT_SRC_IP, v[COL_ORIG_H]);
    event_set_str(ev, EVENT_DST_IP, v[COL_RESP_H]);
    if (v[COL_ORIG_P].p != NULL && sv_to_i64(v[COL_ORIG_P], &port) &&
        port >= 0 && port <= 65535) {
        event_set_num(ev, EVENT_SRC_PORT, port);
    }
    if (v[COL_RESP_P].p != NULL && sv_to_i64(v[COL_RESP_P], &port) &&
        port >= 0 && port <= 65535) {
        event_set_num(ev, EVENT_DST_PORT, port);
    }
    if (v[COL_UID].p != NULL) {
        event_set_str(ev, EVENT_LOGON_ID, v[COL_UID]);
    }
    if (sv_eq_cstr(v[COL_AUTH_SUCCESS], "T") ||
        sv_eq_cstr(v[COL_AUTH_SUCCESS], "true")) {
        ev->result = EVENT_RESULT_SUCCESS;
    } else if (sv_eq_cstr(v[COL_AUTH_SUCCESS], "F") ||
               sv_eq_cstr(v[COL_AUTH_SUCCESS], "false")) {
        ev->result = EVENT_RESULT_FAILURE;
    }

    used = append_detail(detail, used, sizeof(detail), "client",
                         short_banner(v[COL_CLIENT]));
    used = append_detail(detail, used, sizeof(detail), "server",
                         short_banner(v[COL_SERVER]));
    used = append_detail(detail, used, sizeof(detail), "auth_attempts",
                         sv_head(v[COL_AUTH_ATTEMPTS], 20));
    used = append_detail(detail, used, sizeof(detail), "direction",
                         sv_head(v[COL_DIRECTION], 20));
    if (used > 0) {
        event_set_str(ev, EVENT_DETAIL, sv_make(detail, used));
    }
    sink->emit(sink->arg, ev);
    return PARSE_OK;
}

/*
 * Parses a TSV data line: "1419870189.489202\tC4J4Th3PJpwUYZZ6gc\t
 * 192.168.2.1\t57189\t192.168.2.158\t22\t2\tT\t3\t-\tSSH-2.0-..."
 */
static enum parse_status
parse_tsv(struct zeek_state *st, struct sv line,
          const struct event_origin *origin, const struct event_sink *sink,
          const char **reason)
{
    struct zeek_conn c = { 0 };
    struct sv rest = line;
    int index = 0;

    if (st->other_path) {
        *reason = "Zeek log other than ssh.log";
        return PARSE_SKIP;
    }
    if (!st->have_fields) {
        *reason = "Zeek TSV line before the #fields header";
        return PARSE_MALFORMED;
    }
    while (rest.p != NULL && index < ZEEK_MAX_FIELDS) {
        struct sv value;
        rest = sv_cut(rest, st->separator, &value);
        for (int i = 0; i < COL_COUNT; i++) {
            if (st->column[i] != index) {
                continue;
            }
            if (sv_eq_cstr(value, st->unset)) {
                c.value[i] = SV_NULL;
            } else if (sv_eq_cstr(value, st->empty)) {
                c.value[i] = sv_make(value.p, 0);
            } else {
                c.value[i] = value;
            }
        }
        index++;
    }
    return emit_conn(st, &c, origin, sink, reason);
}

/* Returns a view of a JSON member as text: strings, numbers and bools. */
static struct sv
json_text(const cJSON *obj, const char *key, char *buf, size_t cap)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (cJSON_IsString(item) && item->valuestring != NULL) {
        return sv_cstr(item->valuestring);
    }
    if (cJSON_IsBool(item)) {
        return cJSON_IsTrue(item) ? SV_LIT("true") : SV_LIT("false");
    }
    if (cJSON_IsNumber(item) && item->valuedouble >= 0 &&
        item->valuedouble < 1e15 &&
        item->valuedouble == floor(item->valuedouble)) {
        int n = snprintf(buf, cap, "%lld", (long long)item->valuedouble);
        return sv_make(buf, (size_t)n);
    }
    return SV_NULL;
}

/*
 * Parses a JSON line: {"ts":1419870189.489202,"uid":"C4J4Th3PJpwUYZZ6gc",
 * "id.orig_h":"192.168.2.1","id.orig_p":57189,"id.resp_h":"192.168.2.158",
 * "id.resp_p":22,"auth_success":true,"auth_attempts":3,...}.  ts may also
 * be an ISO 8601 string (Zeek's JSON::TS_ISO8601 setting).
 */
static enum parse_status
parse_json(struct zeek_state *st, struct sv line,
           const struct event_origin *origin, const struct event_sink *sink,
           const char **reason)
{
    cJSON *doc = cJSON_ParseWithLength(line.p, line.len);
    struct zeek_conn c = { 0 };
    char numbers[COL_COUNT][24];
    enum parse_status status;

    if (doc == NULL || !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        *reason = "invalid JSON";
        return PARSE_MALFORMED;
    }
    if (cJSON_GetObjectItemCaseSensitive(doc, "id.orig_h") == NULL) {
        cJSON_Delete(doc);
        *reason = "JSON object without id.orig_h (not a Zeek log)";
        return PARSE_SKIP;
    }
    if (cJSON_GetObjectItemCaseSensitive(doc, "client") == NULL &&
        cJSON_GetObjectItemCaseSensitive(doc, "server") == NULL &&
        cJSON_GetObjectItemCaseSensitive(doc, "auth_success") == NULL) {
        cJSON_Delete(doc);
        *reason = "Zeek log other than ssh.log";
        return PARSE_SKIP;
    }
    for (int i = 0; i < COL_COUNT; i++) {
        if (i != COL_TS) {
            c.value[i] = json_text(doc, col_names[i], numbers[i],
                                   sizeof(numbers[i]));
        }
    }
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(doc, "ts");
    if (cJSON_IsString(ts) && ts->valuestring != NULL) {
        c.value[COL_TS] = sv_cstr(ts->valuestring);
    } else if (cJSON_IsNumber(ts)) {
        c.ts_number = ts->valuedouble;
        c.has_ts_number = true;
    }
    status = emit_conn(st, &c, origin, sink, reason);
    cJSON_Delete(doc);
    return status;
}

static enum parse_status
zeek_feed(void *state, struct sv line, const struct event_origin *origin,
          const struct event_sink *sink, const char **reason)
{
    struct zeek_state *st = state;

    /* Only a CR goes: a trailing tab separates an empty last column. */
    if (line.len > 0 && line.p[line.len - 1] == '\r') {
        line.len--;
    }
    if (line.len == 0) {
        *reason = "empty line";
        return PARSE_SKIP;
    }
    if (line.p[0] == '#') {
        return parse_header(st, line, reason);
    }
    if (line.p[0] == '{') {
        return parse_json(st, line, origin, sink, reason);
    }
    return parse_tsv(st, line, origin, sink, reason);
}

const struct format_ops zeek_format = {
    .name = "zeek",
    .description = "Zeek ssh.log, TSV or JSON",
    .platform = "linux",
    .probe = zeek_probe,
    .open = zeek_open,
    .close = zeek_close,
    .feed = zeek_feed,
    .flush = NULL,
};
