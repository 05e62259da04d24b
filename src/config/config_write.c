/*
 * The effective configuration as YAML, for `sshtrail config check`.  Every
 * key is written, defaults included, and every string is double-quoted
 * with YAML escapes, so the output loads back to the same configuration
 * whatever bytes a name holds.
 */
#include "config/config.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include "core/escape.h"

static void
write_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p);
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(out, "\\x%02x", *p);
        } else {
            fputc(*p, out);
        }
    }
    fputc('"', out);
}

/* Writes ms in the largest unit that divides it: 10m, 90s, 250ms. */
static void
write_duration(FILE *out, int64_t ms)
{
    if (ms % 3600000 == 0) {
        fprintf(out, "%lldh", (long long)(ms / 3600000));
    } else if (ms % 60000 == 0) {
        fprintf(out, "%lldm", (long long)(ms / 60000));
    } else if (ms % 1000 == 0) {
        fprintf(out, "%llds", (long long)(ms / 1000));
    } else {
        fprintf(out, "%lldms", (long long)ms);
    }
}

/* Writes a list as a flow sequence: ["a", "b"]. */
static void
write_list(FILE *out, const struct config_list *list)
{
    fputc('[', out);
    for (uint32_t i = 0; i < list->n; i++) {
        if (i > 0) {
            fputs(", ", out);
        }
        write_quoted(out, list->items[i]);
    }
    fputs("]\n", out);
}

static void
write_user_rules(FILE *out, const char *key,
                 const struct config_platform_params *pp)
{
    fprintf(out, "    %s:%s\n", key, pp->nuser_rules ? "" : " {}");
    for (uint32_t i = 0; i < pp->nuser_rules; i++) {
        fputs("      ", out);
        write_quoted(out, pp->user_rules[i].target);
        fputs(": ", out);
        write_list(out, &pp->user_rules[i].users);
    }
}

static void
write_platforms(FILE *out, const struct config *cfg)
{
    static const char *const patterns_key[CONFIG_PLATFORM_COUNT] = {
        "SuspiciousProcessList",
        "CommandLineKeywords",
        "CommandList",
    };

    fputs("platforms:\n", out);
    for (int p = 0; p < CONFIG_PLATFORM_COUNT; p++) {
        const struct config_platform_params *pp = &cfg->platforms[p];

        fprintf(out, "  %s:\n    TimeWindow: ", config_platform_name(p));
        write_duration(out, pp->window_ms);
        fprintf(out, "\n    %s: ", patterns_key[p]);
        write_list(out, &pp->patterns);
        if (p == CONFIG_LINUX) {
            fputs("    UsernameFilter: ", out);
            write_list(out, &pp->username_filter);
        } else {
            write_user_rules(
                out, p == CONFIG_MACOS ? "UserContext" : "AllowedUsers", pp);
        }
    }
}

static void
write_groups_aliases(FILE *out, const struct config *cfg)
{
    fprintf(out, "host_groups:%s\n", cfg->ngroups ? "" : " {}");
    for (uint32_t i = 0; i < cfg->ngroups; i++) {
        fputs("  ", out);
        write_quoted(out, cfg->groups[i].name);
        fputs(": ", out);
        write_list(out, &cfg->groups[i].globs);
    }
    fprintf(out, "host_aliases:%s\n", cfg->naliases ? "" : " {}");
    for (uint32_t i = 0; i < cfg->naliases; i++) {
        fputs("  ", out);
        write_quoted(out, cfg->aliases[i].alias);
        fputs(": ", out);
        write_quoted(out, cfg->aliases[i].canonical);
        fputc('\n', out);
    }
}

static void
write_scoring(FILE *out, const struct config *cfg)
{
    static const char *const names[4] = {"low", "medium", "high", "critical"};

    fputs("weights:\n", out);
    for (int c = 0; c < REASON_COUNT; c++) {
        fprintf(out, "  %s: %d\n", score_reason_name(c), cfg->weights[c]);
    }
    fputs("severity_thresholds:\n", out);
    for (int k = 0; k < 4; k++) {
        fprintf(out, "  %s: %d\n", names[k], cfg->thresholds[k]);
    }
}

static void
write_days(FILE *out, unsigned days)
{
    static const char *const names[7] = {"mon", "tue", "wed", "thu",
                                         "fri", "sat", "sun"};
    bool first = true;

    fputs("days: [", out);
    for (int d = 0; d < 7; d++) {
        if (days & CONFIG_DAY_BIT(d)) {
            fprintf(out, "%s\"%s\"", first ? "" : ", ", names[d]);
            first = false;
        }
    }
    fputs("]\n", out);
}

static void
write_allow_entry(FILE *out, const struct config_allow *e)
{
    const char *lead = "  - ";

    if (e->account != NULL) {
        fprintf(out, "%saccount: ", lead);
        write_quoted(out, e->account);
        fputc('\n', out);
        lead = "    ";
    }
    if (e->source != NULL) {
        fprintf(out, "%ssource: ", lead);
        write_quoted(out, e->source);
        fputc('\n', out);
        lead = "    ";
    }
    if (e->host != NULL) {
        fprintf(out, "%shost: ", lead);
        write_quoted(out, e->host);
        fputc('\n', out);
        lead = "    ";
    }
    if (e->command != NULL) {
        fprintf(out, "%scommand: ", lead);
        write_quoted(out, e->command);
        fputc('\n', out);
        lead = "    ";
    }
    if (e->days != 0) {
        fputs(lead, out);
        write_days(out, e->days);
        lead = "    ";
    }
    if (e->has_hours) {
        fprintf(out, "%shours: \"%02d:%02d-%02d:%02d\"\n", lead,
                e->hours_start / 60, e->hours_start % 60, e->hours_end / 60,
                e->hours_end % 60);
    }
    fputs("    reason: ", out);
    write_quoted(out, e->reason);
    fputs("\n    owner: ", out);
    write_quoted(out, e->owner);
    fprintf(out, "\n    expires: \"%04d-%02d-%02d\"\n", e->expires_year,
            e->expires_month, e->expires_day);
}

void
config_write_effective(const struct config *cfg, FILE *out)
{
    fprintf(out, "# effective configuration, from %s\n",
            cfg->path != NULL ? cfg->path : "the built-in defaults");
    if (cfg->state != NULL) {
        fputs("state: ", out);
        write_quoted(out, cfg->state);
        fputc('\n', out);
    }
    fprintf(out, "history_days: %d\ntimezone: ", cfg->history_days);
    write_quoted(out, cfg->timezone);
    fprintf(out, "\nlimits:\n  baseline_entries: %u\n",
            cfg->limits.baseline_entries);
    write_groups_aliases(out, cfg);
    fputs("admin_accounts: ", out);
    write_list(out, &cfg->admin_accounts);
    if (cfg->automation_markers_set) {
        fputs("automation_markers: ", out);
        write_list(out, &cfg->automation_markers);
    }
    fputs("failure_span: ", out);
    write_duration(out, cfg->failure_span_ms);
    fputc('\n', out);
    if (cfg->window_ms > 0) {
        fputs("window: ", out);
        write_duration(out, cfg->window_ms);
        fputc('\n', out);
    }
    write_platforms(out, cfg);
    write_scoring(out, cfg);
    fprintf(out, "allowlist:%s\n", cfg->nallow ? "" : " []");
    for (uint32_t i = 0; i < cfg->nallow; i++) {
        write_allow_entry(out, &cfg->allowlist[i]);
    }
}

int
config_check_main(const char *path, FILE *out, FILE *errout)
{
    struct config cfg;
    struct config_error err;
    char msg[1024];

    config_default(&cfg);
    if (config_load(&cfg, path, &err) < 0) {
        config_error_format(&err, msg, sizeof(msg));
        fputs("sshtrail: invalid configuration: ", errout);
        escape_text_write(errout, msg);
        fputc('\n', errout);
        config_fini(&cfg);
        return 2;
    }
    config_write_effective(&cfg, out);
    config_fini(&cfg);
    return 0;
}
