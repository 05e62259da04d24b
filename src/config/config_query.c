/*
 * Questions the pipeline and the scorer ask of a loaded configuration:
 * which file to read, the canonical name of a host, group membership,
 * account lists and the per-platform window.  Nothing here allocates.
 */
#include "config/config.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "input/source.h"

static bool
is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
config_find_path(char *out, size_t n, const char *explicit_path)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int w;

    if (explicit_path != NULL) {
        w = snprintf(out, n, "%s", explicit_path);
        return w >= 0 && (size_t)w < n ? 1 : 0;
    }
    if (xdg != NULL && xdg[0] != '\0') {
        w = snprintf(out, n, "%s/sshtrail/config.yaml", xdg);
    } else if (home != NULL && home[0] != '\0') {
        w = snprintf(out, n, "%s/.config/sshtrail/config.yaml", home);
    } else {
        w = -1;
    }
    if (w >= 0 && (size_t)w < n && is_file(out)) {
        return 1;
    }
    w = snprintf(out, n, "%s", "/etc/sshtrail/config.yaml");
    if (w >= 0 && (size_t)w < n && is_file(out)) {
        return 1;
    }
    if (n > 0) {
        out[0] = '\0';
    }
    return 0;
}

void
config_error_format(const struct config_error *err, char *buf, size_t n)
{
    char line[32] = "";

    if (err->line > 0) {
        snprintf(line, sizeof(line), ":%llu", (unsigned long long)err->line);
    }
    snprintf(buf, n, "%s%s: %s%s%s", err->file, line, err->key,
             err->key[0] ? ": " : "", err->message);
}

enum config_platform
config_platform_from_name(const char *name)
{
    if (name != NULL && strcmp(name, "macos") == 0) {
        return CONFIG_MACOS;
    }
    if (name != NULL && strcmp(name, "esxi") == 0) {
        return CONFIG_ESXI;
    }
    return CONFIG_LINUX;
}

const char *
config_platform_name(enum config_platform p)
{
    static const char *const names[CONFIG_PLATFORM_COUNT] = {
        "linux",
        "macos",
        "esxi",
    };
    return (unsigned)p < CONFIG_PLATFORM_COUNT ? names[p] : "linux";
}

int64_t
config_window_ms(const struct config *cfg, enum config_platform p)
{
    if ((unsigned)p >= CONFIG_PLATFORM_COUNT) {
        p = CONFIG_LINUX;
    }
    return cfg->platforms[p].window_ms;
}

static const char *
find_alias(const struct config *cfg, struct sv name)
{
    for (uint32_t i = 0; i < cfg->naliases; i++) {
        if (sv_eq_cstr(name, cfg->aliases[i].alias)) {
            return cfg->aliases[i].canonical;
        }
    }
    return NULL;
}

const char *
config_canonical_host(const struct config *cfg, struct sv logged, char *buf,
                      size_t n)
{
    char lower[CONFIG_MAX_NAME + 1];
    size_t len = logged.len < sizeof(lower) ? logged.len : sizeof(lower) - 1;
    const char *target;

    if (n == 0) {
        return buf;
    }

    /* An alias may name the full logged form or its short name. */
    for (size_t i = 0; i < len; i++) {
        lower[i] = (char)tolower((unsigned char)logged.p[i]);
    }
    target = len == logged.len ? find_alias(cfg, sv_make(lower, len)) : NULL;
    if (target == NULL) {
        len = source_canonical_host(logged, buf, n - 1);
        buf[len] = '\0';
        target = find_alias(cfg, sv_make(buf, len));
        if (target == NULL) {
            return buf;
        }
    }
    snprintf(buf, n, "%s", target);
    return buf;
}

const struct config_host_group *
config_group_find(const struct config *cfg, struct sv name)
{
    for (uint32_t i = 0; i < cfg->ngroups; i++) {
        if (sv_eq_cstr(name, cfg->groups[i].name)) {
            return &cfg->groups[i];
        }
    }
    return NULL;
}

/* fnmatch needs a C string; names longer than CONFIG_MAX_NAME never match
 * a glob. */
static bool
glob_matches(const char *glob, struct sv name)
{
    char text[CONFIG_MAX_NAME + 1];

    if (name.len > CONFIG_MAX_NAME) {
        return false;
    }
    memcpy(text, name.p, name.len);
    text[name.len] = '\0';
    return fnmatch(glob, text, 0) == 0;
}

static bool
list_has_glob(const struct config_list *list, struct sv name)
{
    for (uint32_t i = 0; i < list->n; i++) {
        if (glob_matches(list->items[i], name)) {
            return true;
        }
    }
    return false;
}

bool
config_host_matches(const struct config *cfg, const char *pattern,
                    struct sv host)
{
    struct sv p = sv_cstr(pattern);

    if (host.p == NULL) {
        return false;
    }
    if (sv_starts_with(p, "group:")) {
        const struct config_host_group *g =
            config_group_find(cfg, sv_skip(p, 6));
        return g != NULL && list_has_glob(&g->globs, host);
    }
    return glob_matches(pattern, host);
}

bool
config_is_admin(const struct config *cfg, struct sv user)
{
    for (uint32_t i = 0; user.p != NULL && i < cfg->admin_accounts.n; i++) {
        if (sv_eq_cstr(user, cfg->admin_accounts.items[i])) {
            return true;
        }
    }
    return false;
}

bool
config_user_of_interest(const struct config *cfg, enum config_platform p,
                        struct sv user)
{
    if ((unsigned)p >= CONFIG_PLATFORM_COUNT || user.p == NULL) {
        return false;
    }
    return list_has_glob(&cfg->platforms[p].username_filter, user);
}

int
config_user_allowed(const struct config *cfg, enum config_platform p,
                    struct sv host, struct sv user)
{
    int verdict = -1;

    if ((unsigned)p >= CONFIG_PLATFORM_COUNT) {
        return -1;
    }
    const struct config_platform_params *pp = &cfg->platforms[p];
    for (uint32_t i = 0; i < pp->nuser_rules; i++) {
        const struct config_user_rule *r = &pp->user_rules[i];
        if (!config_host_matches(cfg, r->target, host)) {
            continue;
        }
        if (user.p != NULL && list_has_glob(&r->users, user)) {
            return 1;
        }
        verdict = 0;
    }
    return verdict;
}

void
config_score_opts(const struct config *cfg, struct score_opts *o)
{
    score_opts_default(o);
    o->window_ms = cfg->platforms[CONFIG_LINUX].window_ms;
    o->window_macos_ms = cfg->platforms[CONFIG_MACOS].window_ms;
    o->window_esxi_ms = cfg->platforms[CONFIG_ESXI].window_ms;
    memcpy(o->weights, cfg->weights, sizeof(o->weights));
    memcpy(o->thresholds, cfg->thresholds, sizeof(o->thresholds));
}
