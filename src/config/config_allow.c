/*
 * Allowlist entries of the configuration file.  Each entry names the
 * sessions it covers (account, source network, host, command, days and
 * hours) and must say why it exists, who owns it and when it expires, so
 * an exception cannot outlive its reason unnoticed.  Matching sessions
 * against the entries is src/score/allowlist.c's job.
 */
#include "config/config_allow.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/netaddr.h"
#include "core/timeconv.h"

static struct config_allow *
entry(struct node_loader *ld)
{
    return ld->item;
}

static int
parse_account(struct node_loader *ld, yaml_node_t *v)
{
    return node_string(ld, v, CONFIG_MAX_NAME, false, &entry(ld)->account);
}

/* Checks that no bit past the prefix length is set. */
static bool
host_bits_clear(const unsigned char *addr, int bytes, int prefix)
{
    for (int bit = prefix; bit < bytes * 8; bit++) {
        if (addr[bit / 8] & (0x80u >> (bit % 8))) {
            return false;
        }
    }
    return true;
}

/* Parses "10.0.0.0/8", "2001:db8::/32" or one address. */
static int
parse_source(struct node_loader *ld, yaml_node_t *v)
{
    struct config_allow *e = entry(ld);
    char text[INET6_ADDRSTRLEN + 8];
    const char *s;

    if (node_string(ld, v, sizeof(text) - 1, true, &s) < 0) {
        return -1;
    }
    memcpy(text, s, strlen(s) + 1);

    char *slash = strchr(text, '/');
    if (slash != NULL) {
        *slash = '\0';
    }
    if (inet_pton(AF_INET, text, e->source_addr) == 1) {
        e->source_family = AF_INET;
    } else if (inet_pton(AF_INET6, text, e->source_addr) == 1) {
        e->source_family = AF_INET6;
    } else {
        return node_fail(ld, v,
                         "invalid source '%s': expected an address "
                         "or CIDR such as 192.0.2.0/24 or 2001:db8::/32",
                         s);
    }

    int bytes = e->source_family == AF_INET ? 4 : 16;
    uint64_t prefix = (uint64_t)bytes * 8;
    if (slash != NULL &&
        !sv_to_u64(sv_cstr(slash + 1), (uint64_t)bytes * 8, &prefix)) {
        return node_fail(ld, v,
                         "invalid prefix length in '%s': expected "
                         "0 to %d",
                         s, bytes * 8);
    }
    if (!host_bits_clear(e->source_addr, bytes, (int)prefix)) {
        return node_fail(ld, v,
                         "'%s' has bits set past the /%d prefix: "
                         "write the network address",
                         s, (int)prefix);
    }
    /* An IPv4-mapped network (::ffff:192.0.2.0/120) is kept as the IPv4
     * network it covers, as logged addresses in that form are read as
     * IPv4. */
    if (e->source_family == AF_INET6 && prefix >= 96 &&
        netaddr_unmap(e->source_addr)) {
        e->source_family = AF_INET;
        prefix -= 96;
    }
    e->source_prefix = (int)prefix;
    e->source = s;
    return 0;
}

static int
parse_host(struct node_loader *ld, yaml_node_t *v)
{
    struct config_allow *e = entry(ld);
    struct sv name;

    if (node_string(ld, v, CONFIG_MAX_NAME, true, &e->host) < 0) {
        return -1;
    }
    name = sv_cstr(e->host);
    if (sv_starts_with(name, "group:") &&
        config_group_find(ld->cfg, sv_skip(name, 6)) == NULL) {
        return node_fail(ld, v,
                         "unknown host group '%s': define it under "
                         "host_groups first",
                         e->host + 6);
    }
    return 0;
}

static void
release_pcre2(void *code)
{
    pcre2_code_free(code);
}

/* The pattern must match a whole command line, so "backup\.sh" cannot be
 * satisfied by "backup.sh; curl ...". */
static int
parse_command(struct node_loader *ld, yaml_node_t *v)
{
    struct config_allow *e = entry(ld);
    int code;
    PCRE2_SIZE offset;

    if (node_string(ld, v, CONFIG_MAX_STRING, false, &e->command) < 0) {
        return -1;
    }
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)e->command, PCRE2_ZERO_TERMINATED,
                      PCRE2_ANCHORED | PCRE2_ENDANCHORED, &code, &offset, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof(msg));
        return node_fail(ld, v,
                         "invalid regular expression '%s' at offset "
                         "%zu: %s",
                         e->command, (size_t)offset, (char *)msg);
    }
    e->command_re = node_own(ld->cfg, re, release_pcre2);
    return e->command_re == NULL ? node_fail_memory(ld, v) : 0;
}

static int
day_index(struct sv name)
{
    static const char *const days[7] = {"mon", "tue", "wed", "thu",
                                        "fri", "sat", "sun"};
    for (int i = 0; i < 7; i++) {
        if (sv_eq_cstr(name, days[i])) {
            return i;
        }
    }
    return -1;
}

/* Adds "mon" or a range "mon-fri" (wrapping past sunday) to the mask. */
static int
add_days(struct node_loader *ld, yaml_node_t *v, const char *text)
{
    struct sv first, rest = sv_cut(sv_cstr(text), '-', &first);
    int a = day_index(first);
    int b = rest.p != NULL ? day_index(rest) : a;

    if (a < 0 || b < 0) {
        return node_fail(ld, v,
                         "invalid day '%s': expected mon, tue, wed, "
                         "thu, fri, sat, sun or a range such as mon-fri",
                         text);
    }
    for (int d = a;; d = (d + 1) % 7) {
        entry(ld)->days |= CONFIG_DAY_BIT(d);
        if (d == b) {
            break;
        }
    }
    return 0;
}

static int
parse_days(struct node_loader *ld, yaml_node_t *v)
{
    struct config_list list;
    const char *one;

    if (v->type == YAML_SCALAR_NODE) {
        if (node_string(ld, v, 16, true, &one) < 0) {
            return -1;
        }
        return add_days(ld, v, one);
    }
    if (node_list(ld, v, 16, true, NULL, &list) < 0) {
        return -1;
    }
    if (list.n == 0) {
        return node_fail(ld, v,
                         "empty list of days: expected at least one "
                         "day, or leave days out for every day");
    }
    for (uint32_t i = 0; i < list.n; i++) {
        size_t old = node_path_index(ld, i);
        yaml_node_t *item = node_get(ld, v->data.sequence.items.start[i]);
        if (add_days(ld, item, list.items[i]) < 0) {
            return -1;
        }
        node_path_pop(ld, old);
    }
    return 0;
}

/* Parses "HH:MM" into minutes; 24:00 is allowed as an end. */
static int
clock_minutes(struct sv s)
{
    uint64_t h, m;
    struct sv hh, mm = sv_cut(s, ':', &hh);

    if (hh.len != 2 || mm.len != 2 || !sv_to_u64(hh, 24, &h) ||
        !sv_to_u64(mm, 59, &m) || (h == 24 && m != 0)) {
        return -1;
    }
    return (int)(h * 60 + m);
}

static int
parse_hours(struct node_loader *ld, yaml_node_t *v)
{
    struct config_allow *e = entry(ld);
    struct sv text, start;

    if (node_scalar(ld, v, 16, &text) < 0) {
        return -1;
    }
    struct sv end = sv_cut(sv_trim(text), '-', &start);
    int a = clock_minutes(sv_trim(start));
    int b = end.p != NULL ? clock_minutes(sv_trim(end)) : -1;
    if (a < 0 || a == 24 * 60 || b < 0 || a == b) {
        return node_fail(ld, v,
                         "invalid hours '%.*s': expected a range "
                         "such as \"08:00-18:00\" (24-hour clock, end "
                         "excluded, \"22:00-06:00\" runs past midnight)",
                         (int)text.len, text.p);
    }
    e->has_hours = true;
    e->hours_start = a;
    e->hours_end = b;
    return 0;
}

static int
parse_reason(struct node_loader *ld, yaml_node_t *v)
{
    return node_string(ld, v, CONFIG_MAX_STRING, false, &entry(ld)->reason);
}

static int
parse_owner(struct node_loader *ld, yaml_node_t *v)
{
    return node_string(ld, v, CONFIG_MAX_NAME, false, &entry(ld)->owner);
}

static int
parse_expires(struct node_loader *ld, yaml_node_t *v)
{
    struct config_allow *e = entry(ld);
    struct sv text;
    struct event_time t;
    struct tz utc = {0};

    if (node_scalar(ld, v, 32, &text) < 0) {
        return -1;
    }

    /* Reuse the ISO parser on the date at midnight for range checks. */
    char stamp[40];
    int n =
        snprintf(stamp, sizeof(stamp), "%.*sT00:00:00Z", (int)text.len, text.p);
    if (text.len != 10 || n != 20 ||
        time_parse_iso(sv_make(stamp, (size_t)n), &utc, &t) != (size_t)n) {
        return node_fail(ld, v, "invalid date '%.*s': expected YYYY-MM-DD",
                         (int)text.len, text.p);
    }
    int hour, minute, second;
    epoch_to_civil(t.sec, &e->expires_year, &e->expires_month, &e->expires_day,
                   &hour, &minute, &second);
    return 0;
}

static const struct node_key_spec entry_keys[] = {
    {"account", parse_account}, {"source", parse_source},
    {"host", parse_host},       {"command", parse_command},
    {"days", parse_days},       {"hours", parse_hours},
    {"reason", parse_reason},   {"owner", parse_owner},
    {"expires", parse_expires}, {NULL, NULL},
};

/* Requires reason, owner, expires and at least one criterion. */
static int
check_entry(struct node_loader *ld, yaml_node_t *v)
{
    const struct config_allow *e = entry(ld);
    const char *missing = e->reason == NULL      ? "reason"
                          : e->owner == NULL     ? "owner"
                          : e->expires_year == 0 ? "expires"
                                                 : NULL;

    if (missing != NULL) {
        return node_fail(ld, v,
                         "missing '%s': every entry needs reason, owner "
                         "and expires (YYYY-MM-DD)",
                         missing);
    }
    if (e->account == NULL && e->source == NULL && e->host == NULL &&
        e->command == NULL && e->days == 0 && !e->has_hours) {
        return node_fail(ld, v,
                         "entry would match every session: give at least "
                         "one of account, source, host, command, days or "
                         "hours");
    }
    return 0;
}

int
config_allow_parse(struct node_loader *ld, yaml_node_t *v)
{
    struct config *cfg = ld->cfg;

    if (node_is_null(v)) {
        return 0;
    }
    if (v->type != YAML_SEQUENCE_NODE) {
        return node_fail(ld, v, "expected a list of entries, found %s",
                         node_kind(v));
    }

    yaml_node_item_t *start = v->data.sequence.items.start;
    size_t n = (size_t)(v->data.sequence.items.top - start);
    if (n > CONFIG_MAX_ALLOWLIST) {
        return node_fail(ld, v,
                         "allowlist has %zu entries: the maximum is "
                         "%u",
                         n, CONFIG_MAX_ALLOWLIST);
    }
    cfg->allowlist = node_calloc(cfg, n, sizeof(*cfg->allowlist));
    if (cfg->allowlist == NULL) {
        return node_fail_memory(ld, v);
    }

    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = node_get(ld, start[i]);
        size_t old = node_path_index(ld, i);

        ld->item = &cfg->allowlist[i];
        cfg->allowlist[i].line = item->start_mark.line + 1;
        if (item->type != YAML_MAPPING_NODE) {
            return node_fail(ld, item,
                             "expected an entry with keys such as "
                             "account, reason, owner and expires, found %s",
                             node_kind(item));
        }
        if (node_keys(ld, item, entry_keys) < 0 || check_entry(ld, item) < 0) {
            return -1;
        }
        node_path_pop(ld, old);
        cfg->nallow = (uint32_t)(i + 1);
    }
    ld->item = NULL;
    return 0;
}
