/*
 * The configuration file: one YAML document that sets the state file, the
 * detection windows and the DET0596 parameters per platform, host groups
 * and aliases, reason weights, severity thresholds and allowlist entries.
 *
 * config_load validates the whole file before it returns: unknown keys,
 * wrong types, values out of range, invalid globs, CIDRs and regular
 * expressions are errors that name the file, the line and the key path.
 * Every list and string has a hard maximum.  The loaded configuration owns
 * all its strings and compiled expressions; config_fini releases them.
 *
 * This module only reads and checks the file.  Scoring, baselines and
 * allowlists use the values through the queries below.
 */
#ifndef SSHTRAIL_CONFIG_H
#define SSHTRAIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/tzfile.h"
#include "core/sv.h"
#include "score/score.h"

/* Hard maximums; exceeding one is a validation error. */
#define CONFIG_MAX_FILE_BYTES (1024u * 1024u)
#define CONFIG_MAX_STRING     1024u /* bytes of one scalar value */
#define CONFIG_MAX_NAME       255u  /* host, account and group names */
#define CONFIG_MAX_LIST       1024u /* items of one list */
#define CONFIG_MAX_GROUPS     256u  /* host groups */
#define CONFIG_MAX_ALIASES    4096u /* host aliases */
#define CONFIG_MAX_USER_RULES 256u  /* UserContext or AllowedUsers keys */
#define CONFIG_MAX_ALLOWLIST  1024u /* allowlist entries */

/* Platforms that carry their own DET0596 parameters. */
enum config_platform {
    CONFIG_LINUX,
    CONFIG_MACOS,
    CONFIG_ESXI,
    CONFIG_PLATFORM_COUNT
};

struct config_list {
    const char **items;
    uint32_t n;
    const uint64_t *lines; /* line of each item, 1-based */
};

struct config_host_group {
    const char *name;
    struct config_list globs; /* fnmatch globs on canonical names */
};

struct config_alias {
    const char *alias; /* lower case */
    const char *canonical;
};

/* One UserContext or AllowedUsers key: a host glob or group:NAME. */
struct config_user_rule {
    const char *target;
    struct config_list users;
};

struct config_platform_params {
    int64_t window_ms; /* TimeWindow; 0: the top-level window */
    /* SuspiciousProcessList (Linux), CommandLineKeywords (macOS) or
     * CommandList (ESXi). */
    struct config_list patterns;
    struct config_list username_filter; /* Linux UsernameFilter */
    /* UserContext (macOS) or AllowedUsers (ESXi). */
    struct config_user_rule *user_rules;
    uint32_t nuser_rules;
};

/* Days of the week as bits, Monday first. */
#define CONFIG_DAY_BIT(wday_mon0) (1u << (wday_mon0))

struct config_allow {
    uint64_t line;       /* line of the entry, 1-based */
    const char *account; /* fnmatch glob, or NULL */
    const char *source;  /* CIDR as written, or NULL */
    int source_family;   /* AF_INET or AF_INET6 */
    unsigned char source_addr[16];
    int source_prefix;
    const char *host;    /* glob or group:NAME, or NULL */
    const char *command; /* PCRE2 pattern as written, or NULL */
    void *command_re;    /* compiled pcre2_code, anchored */
    unsigned days;       /* CONFIG_DAY_BIT set; 0: any day */
    bool has_hours;
    int hours_start, hours_end; /* minutes of the day, end exclusive */
    const char *reason;
    const char *owner;
    int expires_year, expires_month, expires_day;
};

struct config_limits {
    uint32_t baseline_entries; /* maximum rows of one baseline table */
};

struct config {
    const char *path;  /* file loaded, or NULL for defaults */
    const char *state; /* state file, or NULL when unset */
    int history_days;
    const char *timezone; /* as written: UTC, +01:00, Area/City */
    struct tzfile_zone zone;
    struct config_limits limits;
    int64_t window_ms; /* default window of every platform */
    int64_t failure_span_ms;
    struct config_list admin_accounts;
    /* Built-in automation markers in use (ansible, sftp, rsync); when
     * automation_markers_set is false, all of them. */
    struct config_list automation_markers;
    bool automation_markers_set;
    struct config_host_group *groups;
    uint32_t ngroups;
    struct config_alias *aliases;
    uint32_t naliases;
    struct config_platform_params platforms[CONFIG_PLATFORM_COUNT];
    int weights[REASON_COUNT];
    int thresholds[4]; /* low, medium, high, critical */
    struct config_allow *allowlist;
    uint32_t nallow;

    /* Storage owned by the configuration. */
    struct config_block *blocks;
};

/* Location and message of a validation error. */
struct config_error {
    char file[256];
    uint64_t line; /* 1-based; 0 when no line applies */
    char key[160]; /* key path: allowlist[2].expires */
    char message[512];
};

/* Fills cfg with the built-in defaults.  Allocates nothing. */
void config_default(struct config *cfg);

/*
 * Loads one YAML file into cfg over the built-in defaults.  Keys that are
 * absent keep their default.  Returns 0, or -1 with err filled and cfg
 * reset to the defaults.  cfg must be released with config_fini either way.
 */
int config_load(struct config *cfg, const char *path, struct config_error *err);

/* Releases what config_load allocated and resets cfg to the defaults. */
void config_fini(struct config *cfg);

/*
 * Chooses the configuration file: explicit_path when not NULL, else
 * $XDG_CONFIG_HOME/sshtrail/config.yaml (~/.config/sshtrail/config.yaml
 * when XDG_CONFIG_HOME is unset or empty), else /etc/sshtrail/config.yaml.
 * Returns 1 with the path in out, or 0 when no file exists and the
 * built-in defaults apply.  A path that does not fit in n bytes is skipped.
 */
int config_find_path(char *out, size_t n, const char *explicit_path);

/* Formats err as "file:line: key: message" into buf. */
void config_error_format(const struct config_error *err, char *buf, size_t n);

/* Writes the effective configuration as YAML that config_load accepts. */
void config_write_effective(const struct config *cfg, FILE *out);

/*
 * Implements `sshtrail config check FILE`: loads path, writes the effective
 * configuration to out, or the error to errout.  Returns 0 when the file
 * is valid, 2 when it is not.
 */
int config_check_main(const char *path, FILE *out, FILE *errout);

/* Returns the platform named name (linux, macos, esxi); NULL is linux. */
enum config_platform config_platform_from_name(const char *name);
const char *config_platform_name(enum config_platform p);

/* Returns the login-to-execution window of platform p in milliseconds. */
int64_t config_window_ms(const struct config *cfg, enum config_platform p);

/*
 * Writes the canonical name of a host as logged: lower case, the alias
 * target when host_aliases names it (before or after shortening), else the
 * short name that source_canonical_host makes.  Returns buf, which contains
 * a NUL-terminated name cut to n - 1 bytes.
 */
const char *config_canonical_host(const struct config *cfg, struct sv logged,
                                  char *buf, size_t n);

/* Returns the host group named name, or NULL. */
const struct config_host_group *config_group_find(const struct config *cfg,
                                                  struct sv name);

/*
 * Tests a canonical host name against a host pattern: "group:NAME" matches
 * the hosts of that group, anything else is an fnmatch glob.
 */
bool config_host_matches(const struct config *cfg, const char *pattern,
                         struct sv host);

/* Tests whether user is listed in admin_accounts. */
bool config_is_admin(const struct config *cfg, struct sv user);

/* Tests whether the Linux UsernameFilter lists user (globs allowed). */
bool config_user_of_interest(const struct config *cfg, enum config_platform p,
                             struct sv user);

/*
 * Checks user against UserContext (macOS) or AllowedUsers (ESXi) for host.
 * Returns 1 when a rule covers the host and lists the user, 0 when rules
 * cover the host and none lists the user, -1 when no rule covers the host.
 */
int config_user_allowed(const struct config *cfg, enum config_platform p,
                        struct sv host, struct sv user);

/* Copies the weights, thresholds and Linux window into a score_opts. */
void config_score_opts(const struct config *cfg, struct score_opts *o);

#endif
