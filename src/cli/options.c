/* Option parsing for the sshtrail command line. */
#include "cli/options.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/report.h"
#include "input/source.h"

enum long_only {
    OPT_FORMAT = 256,
    OPT_OUTPUT,
    OPT_WINDOW,
    OPT_YEAR,
    OPT_TIMEZONE,
    OPT_DEFAULT_HOST,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_HOST,
    OPT_USER,
    OPT_SOURCE,
    OPT_FAIL_ON_FINDINGS,
    OPT_INVENTORY,
    OPT_CONFIG,
    OPT_STATE,
    OPT_BASELINE_MODE,
    OPT_HIDE_SUPPRESSED,
    OPT_JOBS,
    OPT_SILENCE,
    OPT_TOLERANCE,
    OPT_QUIET,
    OPT_JOURNAL,
    OPT_JOURNAL_CURSOR,
    OPT_HELP,
    OPT_VERSION
};

static const struct option long_options[] = {
    { "format", required_argument, NULL, OPT_FORMAT },
    { "output", required_argument, NULL, OPT_OUTPUT },
    { "window", required_argument, NULL, OPT_WINDOW },
    { "year", required_argument, NULL, OPT_YEAR },
    { "timezone", required_argument, NULL, OPT_TIMEZONE },
    { "default-host", required_argument, NULL, OPT_DEFAULT_HOST },
    { "since", required_argument, NULL, OPT_SINCE },
    { "until", required_argument, NULL, OPT_UNTIL },
    { "host", required_argument, NULL, OPT_HOST },
    { "user", required_argument, NULL, OPT_USER },
    { "source", required_argument, NULL, OPT_SOURCE },
    { "fail-on-findings", no_argument, NULL, OPT_FAIL_ON_FINDINGS },
    { "inventory", required_argument, NULL, OPT_INVENTORY },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "state", required_argument, NULL, OPT_STATE },
    { "baseline-mode", required_argument, NULL, OPT_BASELINE_MODE },
    { "hide-suppressed", no_argument, NULL, OPT_HIDE_SUPPRESSED },
    { "jobs", required_argument, NULL, OPT_JOBS },
    { "silence", required_argument, NULL, OPT_SILENCE },
    { "reorder-tolerance", required_argument, NULL, OPT_TOLERANCE },
    { "quiet", no_argument, NULL, OPT_QUIET },
    { "journal", optional_argument, NULL, OPT_JOURNAL },
    { "journal-cursor", required_argument, NULL, OPT_JOURNAL_CURSOR },
    { "help", no_argument, NULL, OPT_HELP },
    { "version", no_argument, NULL, OPT_VERSION },
    { NULL, 0, NULL, 0 },
};

static void
print_help(FILE *f)
{
    fprintf(f,
"Usage: sshtrail COMMAND [OPTIONS] FILE...\n"
"       sshtrail config check FILE\n"
"\n"
"Rebuilds SSH sessions from sshd and Linux audit logs and reports logins\n"
"followed by execution (MITRE ATT&CK DET0596, T1021.004).\n"
"FILE may be - for standard input.\n"
"\n"
"Commands:\n"
"  detect     write one finding per SSH session followed by execution\n"
"  sessions   write every SSH session with its linked executions\n"
"  events     write the normalized events, one per line, input by input\n"
"  baseline learn FILE...\n"
"             learn baselines from history into the state file, without\n"
"             findings\n"
"  baseline show [--host H] [--user U]\n"
"             print what the state file has learned\n"
"  baseline forget [--host H] [--user U]\n"
"             remove learned rows (all of them without filters)\n"
"  config check FILE\n"
"             validate a configuration file and print the effective one\n"
"  coverage   report per host which sources cover it and its blind spots:\n"
"             SSH logins without execution telemetry, hosts missing from\n"
"             the inventory, silent sources, late records\n"
"\n"
"Options:\n"
"  --format NAME         input format for every FILE (default: detected\n"
"                        per file from its first lines); names below\n"
"  --output json|text|html\n"
"                        output form (default: json when stdout is not a\n"
"                        terminal, text when it is); html writes one\n"
"                        self-contained page (detect and sessions only)\n"
"  --config FILE         configuration (default: $XDG_CONFIG_HOME/sshtrail/\n"
"                        config.yaml, else /etc/sshtrail/config.yaml, else\n"
"                        built-in defaults); see docs/config.md\n"
"  --window DURATION     login-to-execution window for host+user+time\n"
"                        linkage and the exec_in_window reason, for every\n"
"                        platform (default: the config's TimeWindow, 60s)\n"
"  --year YYYY           year of the first stamp that has none (RFC 3164);\n"
"                        default: the file's modification time\n"
"  --timezone ZONE       zone of stamps that carry none: UTC, +HH:MM or an\n"
"                        IANA name such as Europe/Berlin (default UTC)\n"
"  --default-host NAME   host name for input that names none\n"
"  --since TIME          keep sessions or events from TIME on (RFC 3339)\n"
"  --until TIME          keep sessions or events up to TIME (RFC 3339)\n"
"  --host NAME           keep this host only (compared canonicalised)\n"
"  --user NAME           keep this account only\n"
"  --source ADDR         keep this source address only (any spelling)\n"
"  --reorder-tolerance DURATION\n"
"                        how far records may be out of time order and\n"
"                        still be sorted (default 30s)\n"
"  --state FILE          keep learned baselines in this SQLite file (created\n"
"                        0600; default: the config's state, else memory for\n"
"                        the run only)\n"
"  --baseline-mode learn|frozen\n"
"                        learn (default): score, then learn from the new\n"
"                        sessions; frozen: score without learning\n"
"  --hide-suppressed     leave out findings an allowlist entry suppressed\n"
"                        (they are written, marked, by default)\n"
"  --jobs N              run N threads: this one merges, correlates and\n"
"                        writes, N - 1 read and parse the inputs (shared\n"
"                        in turn, and this one reads an input whose\n"
"                        reader is busy); output is identical to a\n"
"                        serial run (default 1)\n"
"  --fail-on-findings    exit 1 when findings (detect) or blind spots\n"
"                        (coverage) were written\n"
"  --inventory FILE      coverage: the hosts that should send logs, one\n"
"                        canonical name per line\n"
"  --silence DURATION    coverage: a source whose last event is this much\n"
"                        older than the newest input event is silent\n"
"                        (default 1h)\n"
"  --quiet               no summary on stderr\n"
"  --journal [DIR]       also read sshd's entries from the journal files in\n"
"                        DIR, or from the local system journal without DIR;\n"
"                        detect and baseline learn with a state file resume\n"
"                        after the last entry an earlier run used\n"
"  --journal-cursor FILE start after the journal entry named in FILE and\n"
"                        save the last entry read there (mode 0600); for\n"
"                        runs without a state file\n"
"  --help, --version\n"
"\n"
"Durations: a number with s, m, h or d, or ms (90s, 5m, 1h, 250ms); a\n"
"bare number is seconds (90 is 90s).\n"
"\n"
"Formats:\n");
    for (const struct format_ops *const *fp = format_all(); *fp; fp++) {
        fprintf(f, "  %-12s %s\n", (*fp)->name, (*fp)->description);
    }
    fprintf(f,
"\n"
"Exit status:\n"
"  0  the run completed, with or without findings\n"
"  1  findings were written and --fail-on-findings was given\n"
"  2  usage error\n"
"  3  an input could not be opened or read (the other inputs were still\n"
"     processed; 3 wins over 1), or the state file could not be opened,\n"
"     read or changed\n"
"  4  writing the output failed, or saving the baselines to the state\n"
"     file at the end of the run failed\n"
"Lines that are not understood never change the exit status; the summary\n"
"on stderr counts them per reason with their first locations.\n");
}

__attribute__((format(printf, 1, 2))) static int
usage_error(const char *fmt, ...)
{
    va_list ap;
    char msg[REPORT_MAX];

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    report_error("%s", msg);
    fputs("Try 'sshtrail --help' for the options.\n", stderr);
    return EXIT_USAGE;
}

static int
parse_time_arg(const char *name, const char *value, int64_t *out)
{
    struct event_time t;
    struct tz utc;

    memset(&utc, 0, sizeof(utc));
    size_t n = time_parse_iso(sv_cstr(value), &utc, &t);
    if (n == 0 || n != strlen(value)) {
        return usage_error("invalid time '%s' for %s: expected RFC 3339 "
                           "such as 2024-05-01T00:00:00Z", value, name);
    }
    *out = t.sec;
    return -1;
}

static int
parse_duration_arg(const char *name, const char *value, int64_t *out)
{
    if (!duration_parse(value, out)) {
        return usage_error("invalid duration '%s' for %s: expected a number "
                           "with s, m, h, d or ms, such as 90s or 5m, or "
                           "a bare number of seconds", value, name);
    }
    return -1;
}

static int
parse_one(struct options *opt, int c, const char *arg)
{
    char err[256];

    switch (c) {
    case OPT_FORMAT:
        if (strcmp(arg, "auto") == 0) {
            opt->format = NULL;
            return -1;
        }
        opt->format = format_find(arg);
        if (opt->format == NULL) {
            return usage_error("unknown format '%s' for --format; "
                               "--help lists the formats", arg);
        }
        return -1;
    case OPT_OUTPUT:
        if (strcmp(arg, "json") == 0) {
            opt->output = OUTPUT_JSON;
        } else if (strcmp(arg, "text") == 0) {
            opt->output = OUTPUT_TEXT;
        } else if (strcmp(arg, "html") == 0) {
            opt->output = OUTPUT_HTML;
        } else {
            return usage_error("invalid value '%s' for --output: expected "
                               "json, text or html", arg);
        }
        return -1;
    case OPT_WINDOW:
        opt->window_given = true;
        return parse_duration_arg("--window", arg, &opt->window_ms);
    case OPT_TOLERANCE:
        return parse_duration_arg("--reorder-tolerance", arg,
                                  &opt->tolerance_ms);
    case OPT_YEAR: {
        char *end;
        long y = strtol(arg, &end, 10);
        if (*arg == '\0' || *end != '\0' || y < 1970 || y > 9999) {
            return usage_error("invalid year '%s' for --year: expected a "
                               "four-digit year from 1970", arg);
        }
        opt->year = (int)y;
        opt->year_given = true;
        return -1;
    }
    case OPT_TIMEZONE:
        if (tz_init(&opt->tz, arg, err, sizeof(err)) < 0) {
            return usage_error("%s (--timezone)", err);
        }
        return -1;
    case OPT_DEFAULT_HOST:
        if (*arg == '\0') {
            return usage_error("empty value for --default-host");
        }
        opt->default_host = arg;
        return -1;
    case OPT_SINCE:
        opt->has_since = true;
        return parse_time_arg("--since", arg, &opt->since);
    case OPT_UNTIL:
        opt->has_until = true;
        return parse_time_arg("--until", arg, &opt->until);
    case OPT_HOST:
        opt->host = arg;
        return -1;
    case OPT_USER:
        opt->user = arg;
        return -1;
    case OPT_SOURCE:
        opt->source = arg;
        return -1;
    case OPT_FAIL_ON_FINDINGS:
        opt->fail_on_findings = true;
        return -1;
    case OPT_INVENTORY:
        opt->inventory = arg;
        return -1;
    case OPT_CONFIG:
        opt->config_path = arg;
        return -1;
    case OPT_STATE:
        if (*arg == '\0') {
            return usage_error("empty value for --state");
        }
        opt->state_path = arg;
        return -1;
    case OPT_BASELINE_MODE:
        if (strcmp(arg, "learn") == 0) {
            opt->baseline_frozen = false;
        } else if (strcmp(arg, "frozen") == 0) {
            opt->baseline_frozen = true;
        } else {
            return usage_error("invalid value '%s' for --baseline-mode: "
                               "expected learn or frozen", arg);
        }
        return -1;
    case OPT_HIDE_SUPPRESSED:
        opt->hide_suppressed = true;
        return -1;
    case OPT_JOBS: {
        char *end;
        long n = strtol(arg, &end, 10);
        if (*arg == '\0' || *end != '\0' || n < 1 || n > 64) {
            return usage_error("invalid value '%s' for --jobs: expected a "
                               "number of threads from 1 to 64", arg);
        }
        opt->jobs = (int)n;
        return -1;
    }
    case OPT_SILENCE:
        return parse_duration_arg("--silence", arg, &opt->silence_ms);
    case OPT_QUIET:
        opt->quiet = true;
        return -1;
    case OPT_JOURNAL:
        opt->journal = true;
        opt->journal_dir = arg;
        return -1;
    case OPT_JOURNAL_CURSOR:
        opt->journal_cursor = arg;
        return -1;
    case OPT_HELP:
        print_help(stdout);
        return EXIT_OK;
    case OPT_VERSION:
        printf("sshtrail %s\n", SSHTRAIL_VERSION);
        return EXIT_OK;
    default:
        return usage_error("invalid option");
    }
}

/*
 * Reports the option getopt_long rejected with '?'.  For a long option that
 * takes no value but got one ("--quiet=x"), optopt is that option's value.
 * For an unknown short option it is the letter, because inside a group
 * such as "-qx" arg is the whole word.  It is 0 for an unknown or
 * ambiguous long option.  Returns EXIT_USAGE.
 */
static int
report_bad_option(const char *arg)
{
    if (optopt >= OPT_FORMAT) {
        size_t len = strcspn(arg, "=");
        return usage_error("option '%.*s' takes no value", (int)len, arg);
    }
    if (optopt != 0) {
        return usage_error("unknown option '-%c'", optopt);
    }
    return usage_error("unknown option '%s'", arg);
}

/*
 * Removes the inputs that name a file named earlier, by the same path or
 * another path to the same file (device and inode), with a warning for
 * each.  Read twice, a file's records would double every count and
 * evidence list.  Returns the number of inputs left, in their order.
 */
static size_t
drop_repeated_inputs(const char **inputs, size_t n)
{
    struct stat *ids = calloc(n, sizeof(*ids));
    bool *has_id = calloc(n, sizeof(*has_id));
    size_t kept = 0;

    for (size_t i = 0; i < n; i++) {
        const char *path = inputs[i];
        bool known = ids != NULL && has_id != NULL &&
                     strcmp(path, "-") != 0 && stat(path, &ids[kept]) == 0;
        size_t first = kept;

        for (size_t k = 0; k < kept && first == kept; k++) {
            bool same_file = known && has_id[k] &&
                             ids[k].st_dev == ids[kept].st_dev &&
                             ids[k].st_ino == ids[kept].st_ino;
            if (strcmp(inputs[k], path) == 0 || same_file) {
                first = k;
            }
        }
        if (first < kept && strcmp(inputs[first], path) == 0) {
            report_error("warning: input %s is named more than once; it is "
                         "read once", path);
            continue;
        }
        if (first < kept) {
            report_error("warning: input %s names the same file as input "
                         "%s; it is read once", path, inputs[first]);
            continue;
        }
        if (has_id != NULL) {
            has_id[kept] = known;
        }
        inputs[kept++] = path;
    }
    free(ids);
    free(has_id);
    return kept;
}

static bool
is_directory(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Every command word, for the messages about a missing or unknown one. */
#define COMMAND_LIST "detect, sessions, events, coverage, baseline " \
                     "(learn, show, forget) or config (check)"

static int
parse_command(struct options *opt, const char *word)
{
    if (strcmp(word, "detect") == 0) {
        opt->command = CMD_DETECT;
    } else if (strcmp(word, "sessions") == 0) {
        opt->command = CMD_SESSIONS;
    } else if (strcmp(word, "events") == 0) {
        opt->command = CMD_EVENTS;
    } else if (strcmp(word, "coverage") == 0) {
        opt->command = CMD_COVERAGE;
    } else {
        if (word[0] == '-') {
            return usage_error("expected a command before the options, "
                               "got '%s': write sshtrail COMMAND [OPTIONS] "
                               "FILE..., where COMMAND is %s", word,
                               COMMAND_LIST);
        }
        return usage_error("unknown command '%s': expected %s", word,
                           COMMAND_LIST);
    }
    return -1;
}

int
options_parse(struct options *opt, int argc, char **argv, int64_t now)
{
    int rc;

    memset(opt, 0, sizeof(*opt));
    opt->output = isatty(STDOUT_FILENO) ? OUTPUT_TEXT : OUTPUT_JSON;
    opt->window_ms = 60 * 1000;
    opt->tolerance_ms = 30 * 1000;
    opt->silence_ms = 3600 * 1000;
    opt->jobs = 1;
    opt->now = now;

    if (argc < 2) {
        return usage_error("missing command: expected %s", COMMAND_LIST);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_help(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("sshtrail %s\n", SSHTRAIL_VERSION);
        return EXIT_OK;
    }
    int first_option = 2;
    if (strcmp(argv[1], "baseline") == 0) {
        if (argc >= 3 && strcmp(argv[2], "learn") == 0) {
            opt->command = CMD_LEARN;
        } else if (argc >= 3 && strcmp(argv[2], "show") == 0) {
            opt->command = CMD_BASELINE_SHOW;
        } else if (argc >= 3 && strcmp(argv[2], "forget") == 0) {
            opt->command = CMD_BASELINE_FORGET;
        } else {
            return usage_error("unknown baseline command: expected "
                               "'baseline learn FILE...', 'baseline show' "
                               "or 'baseline forget'");
        }
        first_option = 3;
    } else if ((rc = parse_command(opt, argv[1])) >= 0) {
        return rc;
    }

    /* getopt_long starts after the command words. */
    optind = first_option;
    opterr = 0;
    for (;;) {
        /* The leading ':' makes getopt return ':' for a missing value
         * and '?' for an unknown option, which also sets optopt for an
         * unknown short option or a value given to a flag. */
        int c = getopt_long(argc, argv, ":h", long_options, NULL);
        if (c == -1) {
            break;
        }
        if (c == 'h') {
            c = OPT_HELP;
        }
        if (c == ':') {
            return usage_error("option '%s' needs a value",
                               argv[optind - 1]);
        }
        if (c == '?') {
            return report_bad_option(argv[optind - 1]);
        }
        if (c == OPT_JOURNAL && optarg == NULL && optind < argc &&
            is_directory(argv[optind])) {
            /* "--journal DIR": inputs are files, so a folder is DIR. */
            optarg = argv[optind++];
        }
        if ((rc = parse_one(opt, c, optarg)) >= 0) {
            return rc;
        }
    }

    if (opt->output == OUTPUT_HTML && opt->command != CMD_DETECT &&
        opt->command != CMD_SESSIONS) {
        return usage_error("--output html is for detect and sessions; use "
                           "json or text for this command");
    }
    if (opt->has_since && opt->has_until && opt->since > opt->until) {
        return usage_error("--since is later than --until");
    }
    if (opt->journal_cursor != NULL && !opt->journal) {
        return usage_error("--journal-cursor needs --journal");
    }
    bool admin = opt->command == CMD_BASELINE_SHOW ||
                 opt->command == CMD_BASELINE_FORGET;
    if (admin && optind != argc) {
        return usage_error("baseline show and forget take no input files; "
                           "name the state file with --state");
    }
    if (optind == argc && !opt->journal && !admin) {
        return usage_error("no input files: name one or more log files, "
                           "- for standard input, or --journal");
    }
    if (opt->host != NULL) {
        char buf[256];
        size_t n = source_canonical_host(sv_cstr(opt->host), buf,
                                         sizeof(buf));
        opt->host_canonical = strndup(buf, n);
        opt->host = opt->host_canonical;
    }
    /* Standard input can be read once: a second "-" would split its lines
     * between two inputs. */
    int dashes = 0;
    for (int i = optind; i < argc; i++) {
        dashes += strcmp(argv[i], "-") == 0;
    }
    if (dashes > 1) {
        return usage_error("standard input (-) is named %d times: name it "
                           "once", dashes);
    }
    opt->inputs = (const char **)(argv + optind);
    opt->ninputs = drop_repeated_inputs(opt->inputs,
                                        (size_t)(argc - optind));
    return -1;
}

void
options_fini(struct options *opt)
{
    free(opt->host_canonical);
    opt->host_canonical = NULL;
}
