/*
 * Allowlist matching against finished sessions.  The entries are parsed
 * and checked by the configuration loader (src/config/config_allow.c);
 * this file only evaluates them.
 */
#include "score/allowlist.h"

#include <fnmatch.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/netaddr.h"
#include "score/patterns.h"

/* Limits each command match so a pathological expression cannot stall. */
#define MATCH_LIMIT 1000000u
#define DEPTH_LIMIT 10000u

bool
allowlist_is_expired(const struct config *cfg, const struct config_allow *e,
                     const struct event_time *now)
{
    struct tzfile_civil day;

    tzfile_civil(&cfg->zone, now->sec, &day);
    if (day.year != e->expires_year) {
        return day.year > e->expires_year;
    }
    if (day.month != e->expires_month) {
        return day.month > e->expires_month;
    }
    return day.day > e->expires_day;
}

int
allowlist_expired(const struct config *cfg, const struct event_time *now,
                  uint32_t *out, int max)
{
    int n = 0;

    for (uint32_t i = 0; i < cfg->nallow; i++) {
        if (allowlist_is_expired(cfg, &cfg->allowlist[i], now)) {
            if (n < max) {
                out[n] = i;
            }
            n++;
        }
    }
    return n;
}

static bool
account_matches(const struct config_allow *e, struct sv user)
{
    char name[CONFIG_MAX_NAME + 1];

    if (user.p == NULL || user.len > CONFIG_MAX_NAME) {
        return false;
    }
    memcpy(name, user.p, user.len);
    name[user.len] = '\0';
    return fnmatch(e->account, name, 0) == 0;
}

static bool
source_matches(const struct config_allow *e, struct sv src)
{
    struct netaddr a;

    if (!netaddr_parse(src, &a) || a.family != e->source_family) {
        return false;
    }

    int full = e->source_prefix / 8, bits = e->source_prefix % 8;
    if (memcmp(a.bytes, e->source_addr, (size_t)full) != 0) {
        return false;
    }
    unsigned mask = (0xff00u >> bits) & 0xffu;
    return bits == 0 || ((a.bytes[full] ^ e->source_addr[full]) & mask) == 0;
}

static bool
time_matches(const struct config *cfg, const struct config_allow *e,
             const struct event_time *login)
{
    struct tzfile_civil t;

    tzfile_civil(&cfg->zone, login->sec, &t);
    if (e->days != 0 && !(e->days & CONFIG_DAY_BIT(t.wday))) {
        return false;
    }
    if (!e->has_hours) {
        return true;
    }
    if (e->hours_start < e->hours_end) {
        return t.minute_of_day >= e->hours_start &&
               t.minute_of_day < e->hours_end;
    }
    /* A range such as 22:00-06:00 runs past midnight. */
    return t.minute_of_day >= e->hours_start ||
           t.minute_of_day < e->hours_end;
}

static bool
commands_match(const struct config_allow *e, const struct session *s)
{
    char text[PATTERNS_MAX_TEXT];
    bool all = s->nexecs > 0 && s->execs_dropped == 0;

    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    if (md == NULL || mc == NULL) {
        all = false;
    } else {
        pcre2_set_match_limit(mc, MATCH_LIMIT);
        pcre2_set_depth_limit(mc, DEPTH_LIMIT);
    }

    for (uint32_t i = 0; all && i < s->nexecs; i++) {
        bool cut;
        size_t len = patterns_command_text(s->execs[i].ev, text,
                                           sizeof(text), &cut);
        all = !cut && pcre2_match(e->command_re, (PCRE2_SPTR)text, len, 0,
                                  0, md, mc) >= 0;
    }
    pcre2_match_data_free(md);
    pcre2_match_context_free(mc);
    return all;
}

/* Tests every criterion of e except the expiry date. */
static bool
entry_matches(const struct config *cfg, const struct config_allow *e,
              const struct session *s)
{
    const struct event *login = &s->ev;

    if (e->account != NULL &&
        !account_matches(e, event_str(login, EVENT_USER))) {
        return false;
    }
    if (e->source != NULL &&
        !source_matches(e, event_str(login, EVENT_SRC_IP))) {
        return false;
    }
    if (e->host != NULL &&
        !config_host_matches(cfg, e->host, event_str(login, EVENT_HOST))) {
        return false;
    }
    if ((e->days != 0 || e->has_hours) && !time_matches(cfg, e, &s->start)) {
        return false;
    }
    return e->command == NULL || commands_match(e, s);
}

int
allowlist_match(const struct config *cfg, const struct session *s,
                const struct event_time *now, int *expired_index)
{
    if (expired_index != NULL) {
        *expired_index = -1;
    }
    for (uint32_t i = 0; i < cfg->nallow; i++) {
        const struct config_allow *e = &cfg->allowlist[i];
        bool expired = allowlist_is_expired(cfg, e, now);

        if (expired && (expired_index == NULL || *expired_index >= 0)) {
            continue;
        }
        if (!entry_matches(cfg, e, s)) {
            continue;
        }
        if (!expired) {
            return (int)i;
        }
        *expired_index = (int)i;
    }
    return -1;
}
