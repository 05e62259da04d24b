/*
 * Unit tests for the configuration file: defaults, a file that sets every
 * key, one fixture per kind of validation error (line, key path and
 * message), the maximums, the effective-configuration round trip, the
 * search order, and the queries used by scoring.
 */
#include "config/config.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/timeconv.h"
#include "tcheck.h"

#define FIXTURES "tests/fixtures/config/"
#define SCRATCH "build/tests/config_scratch"
#define BERLIN_FILE "/usr/share/zoneinfo/Europe/Berlin"

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    CHECK(f != NULL);
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

static void
defaults_match_docs(void)
{
    struct config cfg;
    struct score_opts so;

    config_default(&cfg);
    score_opts_default(&so);
    CHECK(cfg.path == NULL);
    CHECK(cfg.state == NULL);
    CHECK_INT(cfg.history_days, 30);
    CHECK_STR(cfg.timezone, "UTC");
    CHECK_INT(cfg.failure_span_ms, 600000);
    CHECK_INT(config_window_ms(&cfg, CONFIG_LINUX), 60000);
    CHECK_INT(config_window_ms(&cfg, CONFIG_MACOS), 45000);
    CHECK_INT(config_window_ms(&cfg, CONFIG_ESXI), 120000);
    CHECK_INT(cfg.weights[REASON_SUSPICIOUS_EXECUTION],
              so.weights[REASON_SUSPICIOUS_EXECUTION]);
    CHECK_INT(cfg.thresholds[0], 20);
    CHECK_INT(cfg.thresholds[3], 80);
    CHECK_INT(cfg.nallow, 0);
    config_fini(&cfg);
}

static void
empty_file_keeps_defaults(void)
{
    struct config cfg;
    struct config_error err;

    config_default(&cfg);
    CHECK_INT(config_load(&cfg, FIXTURES "empty.yaml", &err), 0);
    CHECK_STR(cfg.path, FIXTURES "empty.yaml");
    CHECK_INT(cfg.history_days, 30);
    CHECK_INT(config_window_ms(&cfg, CONFIG_ESXI), 120000);
    config_fini(&cfg);
}

static void
full_file_values(void)
{
    struct config cfg;
    struct config_error err;

    config_default(&cfg);
    CHECK_INT(config_load(&cfg, FIXTURES "full.yaml", &err), 0);
    CHECK_STR(cfg.state, "/var/lib/sshtrail/state.db");
    CHECK_INT(cfg.history_days, 45);
    CHECK_STR(cfg.timezone, "Europe/Berlin");
    CHECK_INT(cfg.limits.baseline_entries, 50000);
    CHECK_INT(cfg.failure_span_ms, 900000);

    /* A platform's TimeWindow wins over window, which fills the others. */
    CHECK_INT(config_window_ms(&cfg, CONFIG_LINUX), 60000);
    CHECK_INT(config_window_ms(&cfg, CONFIG_MACOS), 90000);
    CHECK_INT(config_window_ms(&cfg, CONFIG_ESXI), 90000);

    CHECK_INT(cfg.ngroups, 2);
    CHECK_STR(cfg.groups[0].name, "web");
    CHECK_INT(cfg.groups[0].globs.n, 2);
    CHECK_INT(cfg.groups[0].globs.lines[1], 9);
    CHECK_INT(cfg.naliases, 2);
    CHECK_INT(cfg.admin_accounts.n, 3);
    CHECK_INT(cfg.platforms[CONFIG_LINUX].patterns.n, 4);
    CHECK_STR(cfg.platforms[CONFIG_LINUX].patterns.items[2], "bash -i");
    CHECK_INT(cfg.platforms[CONFIG_MACOS].nuser_rules, 1);
    CHECK_INT(cfg.platforms[CONFIG_ESXI].patterns.n, 3);

    CHECK_INT(cfg.weights[REASON_PASSWORD_AUTH], 15);
    CHECK_INT(cfg.weights[REASON_ONWARD_SSH_HOP], 0);
    CHECK_INT(cfg.weights[REASON_PRIVILEGED_ACCOUNT], 30);
    CHECK_INT(cfg.thresholds[1], 30);

    CHECK_INT(cfg.nallow, 2);
    const struct config_allow *a = &cfg.allowlist[0];
    CHECK_INT(a->line, 44);
    CHECK_STR(a->account, "backup");
    CHECK_INT(a->source_prefix, 24);
    CHECK_INT(a->days, 0x1f);
    CHECK(a->has_hours);
    CHECK_INT(a->hours_start, 60);
    CHECK_INT(a->hours_end, 300);
    CHECK(a->command_re != NULL);
    CHECK_INT(a->expires_year, 2099);
    CHECK_INT(a->expires_month, 12);
    CHECK_INT(a->expires_day, 31);
    CHECK_INT(cfg.allowlist[1].source_prefix, 32);
    CHECK_INT(cfg.allowlist[1].source_addr[2], 0x0d);

    struct score_opts so;
    config_score_opts(&cfg, &so);
    CHECK_INT(so.weights[REASON_PASSWORD_AUTH], 15);
    CHECK_INT(so.window_ms, 60000);
    config_fini(&cfg);
}

struct error_case {
    const char *file;
    uint64_t line;
    const char *key;
    const char *message;    /* a part of the message */
};

static void
errors_name_line_and_key(void)
{
    static const struct error_case cases[] = {
        { "unknown_key.yaml", 2, "", "unknown key 'histroy_days'" },
        { "missing_expires.yaml", 6, "allowlist[1]", "missing 'expires'" },
        { "bad_expires.yaml", 5, "allowlist[0].expires",
          "invalid date '2030-02-30'" },
        { "bad_cidr.yaml", 2, "allowlist[0].source", "past the /8 prefix" },
        { "unknown_weight.yaml", 3, "weights",
          "unknown reason code 'pasword_auth'" },
        { "bad_regex.yaml", 2, "allowlist[0].command",
          "missing closing parenthesis" },
        { "unknown_group.yaml", 4, "allowlist[0].host",
          "unknown host group 'db'" },
        { "wrong_platform_key.yaml", 3, "platforms.macos",
          "SuspiciousProcessList is a parameter of platform linux" },
        { "thresholds_order.yaml", 2, "severity_thresholds",
          "must increase" },
        { "duplicate_key.yaml", 2, "", "duplicate key 'timezone'" },
        { "match_all.yaml", 2, "allowlist[0]", "would match every session" },
        { "syntax_error.yaml", 3, "", "invalid YAML" },
        { "two_documents.yaml", 2, "", "more than one YAML document" },
        { "bad_duration.yaml", 3, "platforms.esxi.TimeWindow",
          "invalid duration 'soon'" },
        { "bad_timezone.yaml", 1, "timezone", "unknown time zone" },
        { "no_such_file.yaml", 0, "", "cannot open" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct config cfg;
        struct config_error err;
        char path[256];

        snprintf(path, sizeof(path), FIXTURES "%s", cases[i].file);
        config_default(&cfg);
        int rc = config_load(&cfg, path, &err);
        if (rc != -1 || err.line != cases[i].line ||
            strcmp(err.key, cases[i].key) != 0 ||
            strstr(err.message, cases[i].message) == NULL) {
            printf("  %s: rc %d, line %llu, key \"%s\", message \"%s\"\n",
                   cases[i].file, rc, (unsigned long long)err.line, err.key,
                   err.message);
            CHECK(false);
        }
        CHECK_STR(err.file, path);
        CHECK_INT(cfg.nallow, 0);
        CHECK(cfg.blocks == NULL);
        config_fini(&cfg);
    }
}

static void
error_format_is_one_line(void)
{
    struct config cfg;
    struct config_error err;
    char msg[1024];

    config_default(&cfg);
    CHECK_INT(config_load(&cfg, FIXTURES "bad_expires.yaml", &err), -1);
    config_error_format(&err, msg, sizeof(msg));
    CHECK_STR(msg, FIXTURES "bad_expires.yaml:5: allowlist[0].expires: "
                            "invalid date '2030-02-30': expected YYYY-MM-DD");
    config_fini(&cfg);
}

/* Each maximum is enforced with an error, never by silently cutting. */
static void
maximums_rejected(void)
{
    struct config cfg;
    struct config_error err;
    size_t cap = 64 + (CONFIG_MAX_LIST + 1) * 4 + CONFIG_MAX_STRING + 64;
    char *text = malloc(cap);
    size_t used;

    CHECK(text != NULL);
    if (text == NULL) {
        return;
    }
    mkdir(SCRATCH, 0755);

    used = (size_t)snprintf(text, cap, "admin_accounts: [");
    for (unsigned i = 0; i <= CONFIG_MAX_LIST; i++) {
        used += (size_t)snprintf(text + used, cap - used, "a%s",
                                 i < CONFIG_MAX_LIST ? ", " : "]\n");
    }
    write_file(SCRATCH "/long_list.yaml", text);
    config_default(&cfg);
    CHECK_INT(config_load(&cfg, SCRATCH "/long_list.yaml", &err), -1);
    CHECK(strstr(err.message, "the maximum is 1024") != NULL);
    CHECK_STR(err.key, "admin_accounts");
    config_fini(&cfg);

    used = (size_t)snprintf(text, cap, "state: ");
    memset(text + used, 'x', CONFIG_MAX_STRING + 1);
    memcpy(text + used + CONFIG_MAX_STRING + 1, "\n", 2);
    write_file(SCRATCH "/long_string.yaml", text);
    CHECK_INT(config_load(&cfg, SCRATCH "/long_string.yaml", &err), -1);
    CHECK(strstr(err.message, "the maximum is 1024") != NULL);
    config_fini(&cfg);

    write_file(SCRATCH "/control.yaml", "state: \"a\\x01b\"\n");
    CHECK_INT(config_load(&cfg, SCRATCH "/control.yaml", &err), -1);
    CHECK(strstr(err.message, "control character 0x01") != NULL);
    config_fini(&cfg);

    write_file(SCRATCH "/range.yaml", "history_days: 0\n");
    CHECK_INT(config_load(&cfg, SCRATCH "/range.yaml", &err), -1);
    CHECK(strstr(err.message, "from 1 to 3650") != NULL);
    config_fini(&cfg);

    write_file(SCRATCH "/not_list.yaml", "admin_accounts: root\n");
    CHECK_INT(config_load(&cfg, SCRATCH "/not_list.yaml", &err), -1);
    CHECK(strstr(err.message, "expected a list of strings") != NULL);
    config_fini(&cfg);
    free(text);
}

static void
effective_output_round_trips(void)
{
    struct config cfg;
    struct config_error err;
    char first[16384], second[16384];

    mkdir(SCRATCH, 0755);
    config_default(&cfg);
    CHECK_INT(config_load(&cfg, FIXTURES "full.yaml", &err), 0);
    FILE *f = fopen(SCRATCH "/effective.yaml", "w");
    CHECK(f != NULL);
    if (f == NULL) {
        config_fini(&cfg);
        return;
    }
    config_write_effective(&cfg, f);
    fclose(f);
    config_fini(&cfg);

    /* Reloading the output and writing it again gives the same text. */
    CHECK_INT(config_load(&cfg, SCRATCH "/effective.yaml", &err), 0);
    f = fopen(SCRATCH "/effective.yaml", "r");
    size_t n1 = f ? fread(first, 1, sizeof(first) - 1, f) : 0;
    if (f) {
        fclose(f);
    }
    first[n1] = '\0';
    f = fopen(SCRATCH "/effective2.yaml", "w");
    if (f != NULL) {
        config_write_effective(&cfg, f);
        fclose(f);
    }
    f = fopen(SCRATCH "/effective2.yaml", "r");
    size_t n2 = f ? fread(second, 1, sizeof(second) - 1, f) : 0;
    if (f) {
        fclose(f);
    }
    second[n2] = '\0';
    /* Skip the first line, which names the file. */
    CHECK_STR(strchr(second, '\n'), strchr(first, '\n'));
    CHECK(strstr(first, "  onward_ssh_hop: 0\n") != NULL);
    CHECK(strstr(first, "expires: \"2020-01-31\"") != NULL);
    config_fini(&cfg);
}

static void
check_command_exit_codes(void)
{
    FILE *out = tmpfile(), *errout = tmpfile();
    char buf[512] = "";

    CHECK(out != NULL);
    CHECK(errout != NULL);
    if (out == NULL || errout == NULL) {
        return;
    }
    CHECK_INT(config_check_main(FIXTURES "full.yaml", out, errout), 0);
    CHECK(ftell(out) > 0);
    CHECK_INT(ftell(errout), 0);
    CHECK_INT(config_check_main(FIXTURES "unknown_key.yaml", out, errout),
              2);
    rewind(errout);
    CHECK(fgets(buf, sizeof(buf), errout) != NULL);
    CHECK(strstr(buf, "unknown_key.yaml:2: unknown key 'histroy_days'") !=
          NULL);
    fclose(out);
    fclose(errout);
}

static void
search_order(void)
{
    char path[512], expected[512];
    char *old_xdg = getenv("XDG_CONFIG_HOME");
    char *old_home = getenv("HOME");
    char *saved_xdg = old_xdg ? strdup(old_xdg) : NULL;
    char *saved_home = old_home ? strdup(old_home) : NULL;
    char cwd[256];

    CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
    CHECK_INT(config_find_path(path, sizeof(path), "my.yaml"), 1);
    CHECK_STR(path, "my.yaml");

    /* XDG_CONFIG_HOME first. */
    mkdir(SCRATCH, 0755);
    mkdir(SCRATCH "/xdg", 0755);
    mkdir(SCRATCH "/xdg/sshtrail", 0755);
    write_file(SCRATCH "/xdg/sshtrail/config.yaml", "history_days: 3\n");
    snprintf(expected, sizeof(expected), "%s/%s/xdg", cwd, SCRATCH);
    setenv("XDG_CONFIG_HOME", expected, 1);
    CHECK_INT(config_find_path(path, sizeof(path), NULL), 1);
    snprintf(expected, sizeof(expected),
             "%s/%s/xdg/sshtrail/config.yaml", cwd, SCRATCH);
    CHECK_STR(path, expected);

    /* Without XDG_CONFIG_HOME: ~/.config. */
    unsetenv("XDG_CONFIG_HOME");
    mkdir(SCRATCH "/home", 0755);
    mkdir(SCRATCH "/home/.config", 0755);
    mkdir(SCRATCH "/home/.config/sshtrail", 0755);
    write_file(SCRATCH "/home/.config/sshtrail/config.yaml", "\n");
    snprintf(expected, sizeof(expected), "%s/%s/home", cwd, SCRATCH);
    setenv("HOME", expected, 1);
    CHECK_INT(config_find_path(path, sizeof(path), NULL), 1);
    snprintf(expected, sizeof(expected),
             "%s/%s/home/.config/sshtrail/config.yaml", cwd, SCRATCH);
    CHECK_STR(path, expected);

    /* Nothing in the user's folders: /etc, else the defaults. */
    remove(SCRATCH "/home/.config/sshtrail/config.yaml");
    int rc = config_find_path(path, sizeof(path), NULL);
    if (access("/etc/sshtrail/config.yaml", F_OK) == 0) {
        CHECK_INT(rc, 1);
        CHECK_STR(path, "/etc/sshtrail/config.yaml");
    } else {
        CHECK_INT(rc, 0);
        CHECK_STR(path, "");
    }

    if (saved_xdg) {
        setenv("XDG_CONFIG_HOME", saved_xdg, 1);
    }
    if (saved_home) {
        setenv("HOME", saved_home, 1);
    } else {
        unsetenv("HOME");
    }
    free(saved_xdg);
    free(saved_home);
}

static void
canonical_host_aliases(void)
{
    struct config cfg;
    struct config_error err;
    char buf[64];

    config_default(&cfg);
    CHECK_STR(config_canonical_host(&cfg, SV_LIT("Web01.Example.COM"), buf,
                                    sizeof(buf)),
              "web01");
    CHECK_STR(config_canonical_host(&cfg, SV_LIT("10.0.0.7"), buf,
                                    sizeof(buf)),
              "10.0.0.7");

    CHECK_INT(config_load(&cfg, FIXTURES "full.yaml", &err), 0);
    CHECK_STR(config_canonical_host(&cfg, SV_LIT("10.0.0.7"), buf,
                                    sizeof(buf)),
              "bastion");
    CHECK_STR(config_canonical_host(&cfg, SV_LIT("WEB01.example.com"), buf,
                                    sizeof(buf)),
              "web01");
    CHECK_STR(config_canonical_host(&cfg, SV_LIT("db01.example.com"), buf,
                                    sizeof(buf)),
              "db01");
    CHECK_STR(config_canonical_host(&cfg, SV_LIT("db01.example.com"), buf,
                                    3),
              "db");
    config_fini(&cfg);
}

static void
groups_and_accounts(void)
{
    struct config cfg;
    struct config_error err;

    config_default(&cfg);
    CHECK_INT(config_load(&cfg, FIXTURES "full.yaml", &err), 0);
    CHECK(config_host_matches(&cfg, "group:web", SV_LIT("web17")));
    CHECK(config_host_matches(&cfg, "group:web", SV_LIT("www-01")));
    CHECK(!config_host_matches(&cfg, "group:web", SV_LIT("www-001")));
    CHECK(!config_host_matches(&cfg, "group:nope", SV_LIT("web17")));
    CHECK(config_host_matches(&cfg, "db*", SV_LIT("db01")));
    CHECK(!config_host_matches(&cfg, "db*", SV_NULL));

    CHECK(config_is_admin(&cfg, SV_LIT("ops")));
    CHECK(!config_is_admin(&cfg, SV_LIT("opsx")));
    CHECK(config_user_of_interest(&cfg, CONFIG_LINUX, SV_LIT("admin2")));
    CHECK(!config_user_of_interest(&cfg, CONFIG_LINUX, SV_LIT("alice")));
    CHECK(!config_user_of_interest(&cfg, CONFIG_MACOS, SV_LIT("root")));

    CHECK_INT(config_user_allowed(&cfg, CONFIG_MACOS, SV_LIT("mac01"),
                                  SV_LIT("alice")), 1);
    CHECK_INT(config_user_allowed(&cfg, CONFIG_MACOS, SV_LIT("mac01"),
                                  SV_LIT("mallory")), 0);
    CHECK_INT(config_user_allowed(&cfg, CONFIG_MACOS, SV_LIT("linux01"),
                                  SV_LIT("alice")), -1);
    CHECK_INT(config_user_allowed(&cfg, CONFIG_ESXI, SV_LIT("esx02"),
                                  SV_LIT("root")), 1);
    CHECK_INT(config_user_allowed(&cfg, CONFIG_ESXI, SV_LIT("esx02"),
                                  SV_LIT("dcui")), 0);
    CHECK_INT(config_platform_from_name("esxi"), CONFIG_ESXI);
    CHECK_INT(config_platform_from_name(NULL), CONFIG_LINUX);
    CHECK_STR(config_platform_name(CONFIG_MACOS), "macos");
    config_fini(&cfg);
}

static void
zone_offsets(void)
{
    struct tzfile_zone z;
    struct tzfile_civil c;
    char err[256];

    CHECK_INT(tzfile_load(&z, "-05:30", err, sizeof(err)), 0);
    CHECK_INT(tzfile_offset(&z, 0), -19800);
    CHECK_INT(tzfile_load(&z, "UTC", err, sizeof(err)), 0);
    tzfile_civil(&z, civil_to_epoch(2024, 3, 4, 13, 45, 0), &c);
    CHECK_INT(c.wday, 0);
    CHECK_INT(c.minute_of_day, 13 * 60 + 45);
    CHECK_INT(tzfile_load(&z, "../etc/passwd", err, sizeof(err)), -1);

    if (access(BERLIN_FILE, R_OK) != 0) {
        return;
    }
    CHECK_INT(tzfile_load(&z, "Europe/Berlin", err, sizeof(err)), 0);
    CHECK_INT(tzfile_offset(&z, civil_to_epoch(2024, 1, 15, 12, 0, 0)), 3600);
    CHECK_INT(tzfile_offset(&z, civil_to_epoch(2024, 7, 15, 12, 0, 0)), 7200);
    /* Summer time began at 01:00Z on 2024-03-31. */
    CHECK_INT(tzfile_offset(&z, civil_to_epoch(2024, 3, 31, 0, 59, 59)),
              3600);
    CHECK_INT(tzfile_offset(&z, civil_to_epoch(2024, 3, 31, 1, 0, 0)), 7200);
    /* Sunday 2024-03-31 23:30Z is Monday 01:30 local. */
    tzfile_civil(&z, civil_to_epoch(2024, 3, 31, 23, 30, 0), &c);
    CHECK_INT(c.wday, 0);
    CHECK_INT(c.day, 1);
    CHECK_INT(c.minute_of_day, 90);
}

int
main(void)
{
    TEST_RUN("config", defaults_match_docs);
    TEST_RUN("config", empty_file_keeps_defaults);
    TEST_RUN("config", full_file_values);
    TEST_RUN("config", errors_name_line_and_key);
    TEST_RUN("config", error_format_is_one_line);
    TEST_RUN("config", maximums_rejected);
    TEST_RUN("config", effective_output_round_trips);
    TEST_RUN("config", check_command_exit_codes);
    TEST_RUN("config", search_order);
    TEST_RUN("config", canonical_host_aliases);
    TEST_RUN("config", groups_and_accounts);
    TEST_RUN("config", zone_offsets);
    TEST_EXIT();
}
