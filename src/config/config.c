/*
 * Loading and validating the YAML configuration file.  libyaml builds the
 * node tree of the single document; the walk below checks each key against
 * a table of known keys, converts values and records the first error with
 * its line and key path.  Top-level keys are handled in table order, not
 * file order, so host_groups is known before the allowlist refers to it.
 *
 * Built-in defaults live in config_default; the queries used by scoring are
 * in config_query.c and the YAML writer in config_write.c.
 */
#include "config/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "config/config_allow.h"
#include "config/node.h"

/* ---- item checks -------------------------------------------------------- */

static int
check_host_pattern(struct node_loader *ld, yaml_node_t *node, const char *value)
{
    struct sv v = sv_cstr(value);

    if (!sv_starts_with(v, "group:")) {
        return 0;
    }
    if (config_group_find(ld->cfg, sv_skip(v, 6)) == NULL) {
        return node_fail(ld, node,
                         "unknown host group '%s': define it under "
                         "host_groups first",
                         value + 6);
    }
    return 0;
}

/* A config list item "re:PATTERN" is a PCRE2 expression; compile it now
 * so a mistake is reported with its line. */
static int
check_pattern_item(struct node_loader *ld, yaml_node_t *node, const char *value)
{
    if (strncmp(value, "re:", 3) != 0) {
        return 0;
    }

    int code;
    PCRE2_SIZE offset;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)(value + 3), PCRE2_ZERO_TERMINATED, 0, &code,
                      &offset, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof(msg));
        return node_fail(ld, node,
                         "invalid regular expression '%s' at offset "
                         "%zu: %s",
                         value + 3, (size_t)offset, (char *)msg);
    }
    pcre2_code_free(re);
    return 0;
}

/* ---- top-level scalars -------------------------------------------------- */

static int
parse_state(struct node_loader *ld, yaml_node_t *v)
{
    return node_string(ld, v, CONFIG_MAX_STRING, false, &ld->cfg->state);
}

static int
parse_history_days(struct node_loader *ld, yaml_node_t *v)
{
    int64_t n;

    if (node_int(ld, v, 1, 3650, &n) < 0) {
        return -1;
    }
    ld->cfg->history_days = (int)n;
    return 0;
}

static int
parse_timezone(struct node_loader *ld, yaml_node_t *v)
{
    char msg[256];
    const char *name;

    if (node_string(ld, v, 200, false, &name) < 0) {
        return -1;
    }
    if (tzfile_load(&ld->cfg->zone, name, msg, sizeof(msg)) < 0) {
        return node_fail(ld, v, "%s", msg);
    }
    ld->cfg->timezone = name;
    return 0;
}

static int
parse_baseline_entries(struct node_loader *ld, yaml_node_t *v)
{
    int64_t n;

    if (node_int(ld, v, 1, 10000000, &n) < 0) {
        return -1;
    }
    ld->cfg->limits.baseline_entries = (uint32_t)n;
    return 0;
}

static int
parse_limits(struct node_loader *ld, yaml_node_t *v)
{
    static const struct node_key_spec keys[] = {
        {"baseline_entries", parse_baseline_entries},
        {NULL, NULL},
    };
    return node_keys(ld, v, keys);
}

static int
parse_window(struct node_loader *ld, yaml_node_t *v)
{
    return node_duration(ld, v, &ld->cfg->window_ms);
}

static int
parse_failure_span(struct node_loader *ld, yaml_node_t *v)
{
    return node_duration(ld, v, &ld->cfg->failure_span_ms);
}

static int
parse_admin_accounts(struct node_loader *ld, yaml_node_t *v)
{
    return node_list(ld, v, CONFIG_MAX_NAME, false, NULL,
                     &ld->cfg->admin_accounts);
}

static int
parse_automation_markers(struct node_loader *ld, yaml_node_t *v)
{
    static const char *const known[] = { "ansible", "sftp", "rsync" };
    struct config_list *list = &ld->cfg->automation_markers;

    if (node_list(ld, v, CONFIG_MAX_NAME, false, NULL, list) < 0) {
        return -1;
    }
    for (uint32_t i = 0; i < list->n; i++) {
        bool found = false;
        for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
            found = found || strcmp(list->items[i], known[k]) == 0;
        }
        if (!found) {
            return node_fail(ld, v, "unknown automation marker '%s': "
                                    "expected ansible, sftp or rsync",
                             list->items[i]);
        }
    }
    ld->cfg->automation_markers_set = true;
    return 0;
}

/* ---- host groups and aliases -------------------------------------------- */

static int
parse_host_groups(struct node_loader *ld, yaml_node_t *v)
{
    struct config *cfg = ld->cfg;
    yaml_node_pair_t *pairs;
    size_t n;

    if (node_mapping(ld, v, CONFIG_MAX_GROUPS, &pairs, &n) < 0) {
        return -1;
    }
    cfg->groups = node_calloc(cfg, n, sizeof(*cfg->groups));
    if (cfg->groups == NULL) {
        return node_fail_memory(ld, v);
    }

    for (size_t i = 0; i < n; i++) {
        struct config_host_group *g = &cfg->groups[i];
        yaml_node_t *key = node_get(ld, pairs[i].key);
        struct sv name;

        if (node_key(ld, pairs, i, &name) < 0) {
            return -1;
        }
        if (name.len == 0 || sv_find_char(name, ':') >= 0) {
            return node_fail(ld, key,
                             "invalid group name '%.*s': expected a "
                             "non-empty name without ':'",
                             (int)name.len, name.p);
        }
        g->name = node_strndup(cfg, name.p, name.len);
        if (g->name == NULL) {
            return node_fail_memory(ld, key);
        }
        size_t old = node_path_push(ld, g->name);
        if (node_list(ld, node_get(ld, pairs[i].value), CONFIG_MAX_NAME, true,
                      NULL, &g->globs) < 0) {
            return -1;
        }
        node_path_pop(ld, old);
        cfg->ngroups = (uint32_t)(i + 1);
    }
    return 0;
}

static int
parse_host_aliases(struct node_loader *ld, yaml_node_t *v)
{
    struct config *cfg = ld->cfg;
    yaml_node_pair_t *pairs;
    size_t n;

    if (node_mapping(ld, v, CONFIG_MAX_ALIASES, &pairs, &n) < 0) {
        return -1;
    }
    cfg->aliases = node_calloc(cfg, n, sizeof(*cfg->aliases));
    if (cfg->aliases == NULL) {
        return node_fail_memory(ld, v);
    }

    for (size_t i = 0; i < n; i++) {
        struct config_alias *a = &cfg->aliases[i];
        yaml_node_t *key = node_get(ld, pairs[i].key);
        struct sv name;

        if (node_key(ld, pairs, i, &name) < 0) {
            return -1;
        }
        size_t old = node_path_push(ld, (const char *)key->data.scalar.value);
        if (node_string(ld, key, CONFIG_MAX_NAME, true, &a->alias) < 0 ||
            node_string(ld, node_get(ld, pairs[i].value), CONFIG_MAX_NAME, true,
                        &a->canonical) < 0) {
            return -1;
        }
        node_path_pop(ld, old);
        cfg->naliases = (uint32_t)(i + 1);
    }
    return 0;
}

/* ---- weights and thresholds --------------------------------------------- */

static int
parse_weights(struct node_loader *ld, yaml_node_t *v)
{
    yaml_node_pair_t *pairs;
    size_t n;

    if (node_mapping(ld, v, CONFIG_MAX_LIST, &pairs, &n) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct sv name;
        int code;

        if (node_key(ld, pairs, i, &name) < 0) {
            return -1;
        }
        for (code = 0; code < REASON_COUNT; code++) {
            if (sv_eq_cstr(name, score_reason_name(code))) {
                break;
            }
        }
        if (code == REASON_COUNT) {
            return node_fail(ld, node_get(ld, pairs[i].key),
                             "unknown reason code '%.*s': expected a code "
                             "listed in docs/reasons.md "
                             "such as password_auth or suspicious_execution",
                             (int)name.len, name.p);
        }

        int64_t w;
        size_t old = node_path_push(ld, score_reason_name(code));
        if (node_int(ld, node_get(ld, pairs[i].value), 0, 100, &w) < 0) {
            return -1;
        }
        node_path_pop(ld, old);
        ld->cfg->weights[code] = (int)w;
    }
    return 0;
}

static int
parse_severity_thresholds(struct node_loader *ld, yaml_node_t *v)
{
    static const char *const names[4] = {"low", "medium", "high", "critical"};
    yaml_node_pair_t *pairs;
    size_t n;

    if (node_mapping(ld, v, CONFIG_MAX_LIST, &pairs, &n) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct sv name;
        int k;

        if (node_key(ld, pairs, i, &name) < 0) {
            return -1;
        }
        for (k = 0; k < 4 && !sv_eq_cstr(name, names[k]); k++) {
        }
        if (k == 4) {
            return node_fail(ld, node_get(ld, pairs[i].key),
                             "unknown severity "
                             "'%.*s': expected low, medium, high or critical",
                             (int)name.len, name.p);
        }

        int64_t t;
        size_t old = node_path_push(ld, names[k]);
        if (node_int(ld, node_get(ld, pairs[i].value), 1, 100, &t) < 0) {
            return -1;
        }
        node_path_pop(ld, old);
        ld->cfg->thresholds[k] = (int)t;
    }

    for (int k = 1; k < 4; k++) {
        if (ld->cfg->thresholds[k] <= ld->cfg->thresholds[k - 1]) {
            return node_fail(ld, v,
                             "thresholds must increase from low to "
                             "critical: %s is %d but %s is %d",
                             names[k - 1], ld->cfg->thresholds[k - 1], names[k],
                             ld->cfg->thresholds[k]);
        }
    }
    return 0;
}

/* ---- platforms ---------------------------------------------------------- */

static int
parse_user_rules(struct node_loader *ld, yaml_node_t *v,
                 struct config_platform_params *pp)
{
    yaml_node_pair_t *pairs;
    size_t n;

    if (node_mapping(ld, v, CONFIG_MAX_USER_RULES, &pairs, &n) < 0) {
        return -1;
    }
    pp->user_rules = node_calloc(ld->cfg, n, sizeof(*pp->user_rules));
    if (pp->user_rules == NULL) {
        return node_fail_memory(ld, v);
    }

    for (size_t i = 0; i < n; i++) {
        struct config_user_rule *r = &pp->user_rules[i];
        yaml_node_t *key = node_get(ld, pairs[i].key);
        struct sv name;

        if (node_key(ld, pairs, i, &name) < 0) {
            return -1;
        }
        size_t old = node_path_push(ld, (const char *)key->data.scalar.value);
        if (node_string(ld, key, CONFIG_MAX_NAME, true, &r->target) < 0 ||
            check_host_pattern(ld, key, r->target) < 0 ||
            node_list(ld, node_get(ld, pairs[i].value), CONFIG_MAX_NAME, false,
                      NULL, &r->users) < 0) {
            return -1;
        }
        node_path_pop(ld, old);
        pp->nuser_rules = (uint32_t)(i + 1);
    }
    return 0;
}

/* Parameter names per platform, as DET0596 spells them. */
struct platform_keys {
    const char *name;
    const char *patterns; /* list of suspicious commands */
    const char *users;    /* user map, or NULL */
    const char *filter;   /* account filter list, or NULL */
};

static const struct platform_keys platform_keys[CONFIG_PLATFORM_COUNT] = {
    [CONFIG_LINUX] = {"linux", "SuspiciousProcessList", NULL, "UsernameFilter"},
    [CONFIG_MACOS] = {"macos", "CommandLineKeywords", "UserContext", NULL},
    [CONFIG_ESXI] = {"esxi", "CommandList", "AllowedUsers", NULL},
};

/* Names the platform that owns a parameter used in the wrong place. */
static const char *
owner_of(struct sv key)
{
    for (int p = 0; p < CONFIG_PLATFORM_COUNT; p++) {
        const struct platform_keys *k = &platform_keys[p];
        if (sv_eq_cstr(key, k->patterns) ||
            (k->users != NULL && sv_eq_cstr(key, k->users)) ||
            (k->filter != NULL && sv_eq_cstr(key, k->filter))) {
            return k->name;
        }
    }
    return NULL;
}

static int
parse_platform(struct node_loader *ld, yaml_node_t *v, enum config_platform p)
{
    const struct platform_keys *k = &platform_keys[p];
    struct config_platform_params *pp = &ld->cfg->platforms[p];
    yaml_node_pair_t *pairs;
    size_t n;

    if (node_mapping(ld, v, CONFIG_MAX_LIST, &pairs, &n) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *value = node_get(ld, pairs[i].value);
        struct sv key;
        int rc;

        if (node_key(ld, pairs, i, &key) < 0) {
            return -1;
        }
        size_t old = node_path_push(
            ld, (const char *)node_get(ld, pairs[i].key)->data.scalar.value);
        if (sv_eq_cstr(key, "TimeWindow")) {
            rc = node_duration(ld, value, &pp->window_ms);
            ld->window_set[p] = true;
        } else if (sv_eq_cstr(key, k->patterns)) {
            rc = node_list(ld, value, CONFIG_MAX_STRING, false,
                           check_pattern_item, &pp->patterns);
        } else if (k->users != NULL && sv_eq_cstr(key, k->users)) {
            rc = parse_user_rules(ld, value, pp);
        } else if (k->filter != NULL && sv_eq_cstr(key, k->filter)) {
            rc = node_list(ld, value, CONFIG_MAX_NAME, false, NULL,
                           &pp->username_filter);
        } else {
            const char *owner = owner_of(key);
            node_path_pop(ld, old);
            if (owner != NULL) {
                return node_fail(ld, node_get(ld, pairs[i].key),
                                 "%.*s is a "
                                 "parameter of platform %s, not %s",
                                 (int)key.len, key.p, owner, k->name);
            }
            return node_fail(
                ld, node_get(ld, pairs[i].key),
                "unknown key '%.*s': expected one of TimeWindow, %s%s%s",
                (int)key.len, key.p, k->patterns, k->users ? ", " : ", ",
                k->users ? k->users : k->filter);
        }
        if (rc < 0) {
            return -1;
        }
        node_path_pop(ld, old);
    }
    return 0;
}

static int
parse_linux(struct node_loader *ld, yaml_node_t *v)
{
    return parse_platform(ld, v, CONFIG_LINUX);
}

static int
parse_macos(struct node_loader *ld, yaml_node_t *v)
{
    return parse_platform(ld, v, CONFIG_MACOS);
}

static int
parse_esxi(struct node_loader *ld, yaml_node_t *v)
{
    return parse_platform(ld, v, CONFIG_ESXI);
}

static int
parse_platforms(struct node_loader *ld, yaml_node_t *v)
{
    static const struct node_key_spec keys[] = {
        {"linux", parse_linux},
        {"macos", parse_macos},
        {"esxi", parse_esxi},
        {NULL, NULL},
    };
    return node_keys(ld, v, keys);
}

/* ---- document ----------------------------------------------------------- */

/* Handled in this order; host_groups comes before every key that names a
 * group. */
static const struct node_key_spec top_keys[] = {
    {"state", parse_state},
    {"history_days", parse_history_days},
    {"timezone", parse_timezone},
    {"limits", parse_limits},
    {"host_groups", parse_host_groups},
    {"host_aliases", parse_host_aliases},
    {"admin_accounts", parse_admin_accounts},
    {"automation_markers", parse_automation_markers},
    {"failure_span", parse_failure_span},
    {"window", parse_window},
    {"platforms", parse_platforms},
    {"weights", parse_weights},
    {"severity_thresholds", parse_severity_thresholds},
    {"allowlist", config_allow_parse},
    {NULL, NULL},
};

void
config_default(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->history_days = 30;
    cfg->timezone = "UTC";
    cfg->limits.baseline_entries = 10000;
    cfg->failure_span_ms = 10 * 60 * 1000;
    cfg->platforms[CONFIG_LINUX].window_ms = 60 * 1000;
    cfg->platforms[CONFIG_MACOS].window_ms = 45 * 1000;
    /* ESXi: DET0596 gives no example.  Shell commands there are typed by
     * hand after an interactive login, so twice the Linux window. */
    cfg->platforms[CONFIG_ESXI].window_ms = 120 * 1000;

    struct score_opts so;
    score_opts_default(&so);
    memcpy(cfg->weights, so.weights, sizeof(cfg->weights));
    memcpy(cfg->thresholds, so.thresholds, sizeof(cfg->thresholds));
}

void
config_fini(struct config *cfg)
{
    node_release_all(cfg);
    config_default(cfg);
}

/* Reads the whole file up to the cap, so libyaml never gets more. */
static unsigned char *
read_file(const char *path, size_t *len, struct config_error *err)
{
    FILE *f = fopen(path, "rb");

    if (f == NULL) {
        snprintf(err->message, sizeof(err->message), "cannot open: %s",
                 strerror(errno));
        return NULL;
    }
    unsigned char *buf = malloc(CONFIG_MAX_FILE_BYTES + 1);
    if (buf == NULL) {
        fclose(f);
        snprintf(err->message, sizeof(err->message), "out of memory");
        return NULL;
    }
    *len = fread(buf, 1, CONFIG_MAX_FILE_BYTES + 1, f);
    bool bad = ferror(f);
    fclose(f);
    if (bad || *len > CONFIG_MAX_FILE_BYTES) {
        snprintf(err->message, sizeof(err->message),
                 bad ? "read error"
                     : "file is larger than the maximum of %u bytes",
                 CONFIG_MAX_FILE_BYTES);
        free(buf);
        return NULL;
    }
    return buf;
}

/* Loads the single document of buf; a second document is an error. */
static int
load_document(yaml_document_t *doc, const unsigned char *buf, size_t len,
              struct config_error *err)
{
    yaml_parser_t parser;
    yaml_document_t extra;
    int rc = 0;

    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, buf, len);
    if (!yaml_parser_load(&parser, doc)) {
        err->line = parser.problem_mark.line + 1;
        snprintf(err->message, sizeof(err->message), "invalid YAML: %s%s%s",
                 parser.problem ? parser.problem : "syntax error",
                 parser.context ? " " : "",
                 parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return -1;
    }
    if (!yaml_parser_load(&parser, &extra)) {
        err->line = parser.problem_mark.line + 1;
        snprintf(err->message, sizeof(err->message), "invalid YAML: %s",
                 parser.problem ? parser.problem : "syntax error");
        rc = -1;
    } else {
        if (yaml_document_get_root_node(&extra) != NULL) {
            err->line = extra.start_mark.line + 1;
            snprintf(err->message, sizeof(err->message),
                     "the file holds "
                     "more than one YAML document: expected exactly one");
            rc = -1;
        }
        yaml_document_delete(&extra);
    }
    yaml_parser_delete(&parser);
    if (rc < 0) {
        yaml_document_delete(doc);
    }
    return rc;
}

/* Applies the top-level window to platforms without their TimeWindow. */
static void
apply_window(struct node_loader *ld)
{
    for (int p = 0; p < CONFIG_PLATFORM_COUNT; p++) {
        if (!ld->window_set[p] && ld->cfg->window_ms > 0) {
            ld->cfg->platforms[p].window_ms = ld->cfg->window_ms;
        }
    }
}

int
config_load(struct config *cfg, const char *path, struct config_error *err)
{
    struct node_loader ld = {.cfg = cfg, .err = err};
    yaml_document_t doc;
    size_t len;
    int rc = 0;

    config_fini(cfg);
    memset(err, 0, sizeof(*err));
    snprintf(err->file, sizeof(err->file), "%s", path);

    unsigned char *buf = read_file(path, &len, err);
    if (buf == NULL) {
        return -1;
    }
    if (load_document(&doc, buf, len, err) < 0) {
        free(buf);
        return -1;
    }
    free(buf);

    ld.doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root != NULL && !node_is_null(root)) {
        if (root->type != YAML_MAPPING_NODE) {
            rc = node_fail(&ld, root,
                           "the document must be a mapping of "
                           "settings, found %s",
                           node_kind(root));
        } else {
            rc = node_keys(&ld, root, top_keys);
        }
    }
    yaml_document_delete(&doc);

    if (rc < 0) {
        config_fini(cfg);
        return -1;
    }
    apply_window(&ld);
    cfg->path = node_strndup(cfg, path, strlen(path));
    return 0;
}
