/*
 * The sshtrail command line: option parsing, the read-merge-correlate loop
 * and the run summary.  Everything that detects or formats lives in the
 * library; this file only wires it together and owns the exit code.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/options.h"
#include "cli/report.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/hmap.h"
#include "core/netaddr.h"
#include "correlate/correlator.h"
#include "input/journal.h"
#include "input/source.h"
#include "output/output.h"
#include "report/coverage.h"
#include "score/automation.h"
#include "score/score.h"
#include "state/state.h"
#include "state/state_admin.h"

struct run {
    const struct options *opt;
    struct config cfg;
    struct output_opts out_opts;
    struct score_opts score_opts;
    struct buf out;
    int exit_code;
    bool write_failed;
    uint64_t findings;
    uint64_t sessions_written;
    uint64_t events_written;
    uint64_t late_events;
    struct coverage *coverage;          /* coverage command only */
    struct score_ctx *scorer;           /* detect only */
    struct automation *automation;      /* detect only */
    struct source_pool *pool;           /* reading threads of --jobs */
    uint64_t suppressed;                /* findings an allowlist covered */
    bool *expired_reported;             /* per allowlist entry, this run */
    bool state_failed;                  /* a state write failed (reported) */

    /* The journal cursor kept in the state file (detect and learn). */
    bool journal_in_state;
    char journal_key[JOURNAL_MAX_KEY];
    struct journal_position journal_pos;
    struct source *journal_source;
};

static void
flush_out(struct run *r)
{
    if (r->out.dropped > 0 && !r->write_failed) {
        /* The record in the buffer is cut, so nothing more is written. */
        report_error("writing output failed: a record did not "
                     "fit the output buffer (out of memory, or over "
                     "64 MiB)");
        r->write_failed = true;
    }
    if (r->out.len == 0) {
        return;
    }
    if (!r->write_failed && buf_write(&r->out, stdout) < 0) {
        report_error("writing output failed: %s",
                     strerror(errno));
        r->write_failed = true;
    }
    buf_clear(&r->out);
}

/* True when the logged source is the --source address: the same address
 * in any spelling (see netaddr.h), else the same text, such as a host
 * name. */
static bool
same_source(struct sv logged, const char *given)
{
    struct netaddr a, b;

    if (netaddr_parse(logged, &a) && netaddr_parse(sv_cstr(given), &b)) {
        return netaddr_equal(&a, &b);
    }
    return sv_eq_cstr(logged, given);
}

static bool
passes_filters(const struct options *opt, const struct event *ev,
               const struct event_time *t)
{
    if (opt->has_since && t->sec < opt->since) {
        return false;
    }
    if (opt->has_until && t->sec > opt->until) {
        return false;
    }
    if (opt->host != NULL &&
        !sv_eq_cstr(event_str(ev, EVENT_HOST), opt->host)) {
        return false;
    }
    if (opt->user != NULL &&
        !sv_eq_cstr(event_str(ev, EVENT_USER), opt->user)) {
        return false;
    }
    if (opt->source != NULL &&
        !same_source(event_str(ev, EVENT_SRC_IP), opt->source)) {
        return false;
    }
    return true;
}

/* Returns the state file that --state or the configuration names, or NULL. */
static const char *
state_path(const struct run *r)
{
    return r->opt->state_path ? r->opt->state_path : r->cfg.state;
}

static bool
is_regular_file(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* True for the commands that open the state file: detect, baseline learn. */
static bool
uses_state(const struct options *opt)
{
    return opt->command == CMD_DETECT || opt->command == CMD_LEARN;
}

/*
 * Opens the scorer of detect and baseline learn, with the state file that
 * --state or the configuration names (in memory otherwise).  Returns 0, or
 * -1 after reporting why the state file cannot be used.
 */
static int
open_scorer(struct run *r)
{
    const char *path = state_path(r);
    struct state_opts so;
    char err[1024];

    if (!uses_state(r->opt)) {
        return 0;
    }
    if (r->opt->command == CMD_LEARN && path == NULL) {
        report_error("baseline learn needs a state file: give "
                     "--state FILE or set state in the configuration");
        return -1;
    }
    score_state_opts(&r->cfg, &so);
    /* A frozen run learns nothing, so it reads an existing file without
     * writing it, which also works on a file this user may not write.
     * With --journal it opens the file for writing, to save the cursor. */
    so.read_only = r->opt->baseline_frozen && !r->opt->journal &&
                   path != NULL && is_regular_file(path);
    /* One transaction at the end of the run: a run killed part way leaves
     * the state file as it was, so a rerun gives the findings an
     * uninterrupted run would have given. */
    so.batch_sessions = UINT_MAX;
    if (score_ctx_new(&r->scorer, &r->score_opts, &r->cfg, path, &so, err,
                      sizeof(err)) < 0) {
        report_error("%s", err);
        return -1;
    }
    if (r->cfg.nallow > 0) {
        r->expired_reported = calloc(r->cfg.nallow, sizeof(bool));
    }
    r->automation = automation_new(err, sizeof(err));
    if (r->automation == NULL) {
        report_error("%s", err);
        return -1;
    }
    return 0;
}

/* A built-in automation marker suppresses like an allowlist entry that
 * never expires.  Its index is -1, which no allowlist entry has. */
static void
fill_marker_suppression(const struct automation_marker *m,
                        struct output_suppression *sup)
{
    sup->index = -1;
    sup->line = 0;
    sup->reason = m->reason;
    sup->owner = "sshtrail built-in automation marker";
    snprintf(sup->expires, sizeof(sup->expires), "never");
}

static void
fill_suppression(const struct run *r, int index,
                 struct output_suppression *sup)
{
    const struct config_allow *a = &r->cfg.allowlist[index];

    sup->index = index;
    sup->line = a->line;
    sup->reason = a->reason;
    sup->owner = a->owner;
    snprintf(sup->expires, sizeof(sup->expires), "%04d-%02d-%02d",
             a->expires_year, a->expires_month, a->expires_day);
}

/* Warns once per run about an expired allowlist entry that would have
 * suppressed a finding: it no longer does. */
static void
report_expired(struct run *r, int index)
{
    if (index < 0 || (uint32_t)index >= r->cfg.nallow ||
        r->expired_reported == NULL || r->expired_reported[index]) {
        return;
    }
    r->expired_reported[index] = true;

    const struct config_allow *a = &r->cfg.allowlist[index];
    report_error("allowlist entry %d (line %llu, owner %s) expired on "
                 "%04d-%02d-%02d and no longer suppresses; renew or remove "
                 "it", index, (unsigned long long)a->line, a->owner ? a->owner : "?",
            a->expires_year, a->expires_month, a->expires_day);
}

/* Receives finished sessions from the correlator. */
static void
on_session(void *arg, const struct session *s)
{
    struct run *r = arg;
    const struct options *opt = r->opt;

    if (opt->command == CMD_COVERAGE) {
        if (s->login_seen) {
            coverage_add_login(r->coverage, event_str(&s->ev, EVENT_HOST));
        }
        return;
    }
    if (!passes_filters(opt, &s->ev, &s->start)) {
        return;
    }
    if (opt->command == CMD_SESSIONS) {
        if (opt->output == OUTPUT_JSON) {
            output_session_json(&r->out, s, &r->out_opts);
        } else if (opt->output == OUTPUT_HTML) {
            output_session_html(&r->out, s, &r->out_opts);
        } else {
            output_session_text(&r->out, s, &r->out_opts);
        }
        r->sessions_written++;
        flush_out(r);
        return;
    }

    /* Every seen login is scored, so the baselines learn from all of
     * them; a finding needs execution after the login. */
    if (!s->login_seen) {
        return;
    }
    struct score sc;
    char err[512];
    bool finding = s->nexecs > 0 && opt->command != CMD_LEARN;
    int rc = finding ? score_ctx_session(r->scorer, s, &sc, err, sizeof(err))
                     : score_ctx_learn(r->scorer, s, err, sizeof(err));
    if (rc < 0 && !r->state_failed) {
        report_error("%s; findings are still written, the "
                     "baselines of this run are not saved", err);
        r->state_failed = true;
    }
    if (!finding) {
        return;
    }
    report_expired(r, sc.expired_allow_index);

    struct output_suppression sup;
    const struct automation_marker *marker = NULL;
    r->out_opts.suppression = NULL;
    if (sc.allow_index < 0) {
        marker = automation_match(r->automation, &r->cfg, s);
    }
    if (sc.allow_index >= 0 || marker != NULL) {
        r->suppressed++;
        if (opt->hide_suppressed) {
            return;
        }
        if (marker != NULL) {
            fill_marker_suppression(marker, &sup);
        } else {
            fill_suppression(r, sc.allow_index, &sup);
        }
        r->out_opts.suppression = &sup;
    }
    if (opt->output == OUTPUT_JSON) {
        output_finding_json(&r->out, s, &sc, &r->out_opts);
    } else if (opt->output == OUTPUT_HTML) {
        output_finding_html(&r->out, s, &sc, &r->out_opts);
    } else {
        output_finding_text(&r->out, s, &sc, &r->out_opts);
    }
    r->out_opts.suppression = NULL;
    r->findings++;
    flush_out(r);
}

/* Canonical host names with the configuration's host aliases. */
static size_t
config_host(const void *arg, struct sv given, char *out, size_t cap)
{
    return strlen(config_canonical_host(arg, given, out, cap));
}

/*
 * Opens --journal.  When the scorer keeps a state file, the journal
 * resumes from the cursor saved there; save_journal_cursor stores the new
 * one.  Returns NULL after reporting a failure.
 */
static struct source *
open_journal(struct run *r, const struct source_opts *so)
{
    const struct options *opt = r->opt;
    struct journal_position *pos = NULL;
    char err[1024];

    if (r->scorer != NULL &&
        state_is_persistent(score_ctx_state(r->scorer))) {
        if (journal_source_key(opt->journal_dir, r->journal_key,
                               sizeof(r->journal_key), err,
                               sizeof(err)) < 0) {
            report_error("%s", err);
            r->exit_code = EXIT_INPUT;
            return NULL;
        }
        pos = &r->journal_pos;
        pos->start = state_cursor_get(score_ctx_state(r->scorer),
                                      r->journal_key);
        pos->store = state_path(r);
        r->journal_in_state = true;
    }
    r->journal_source = journal_source_open(opt->journal_dir,
                                            opt->journal_cursor, pos, so,
                                            err, sizeof(err));
    if (r->journal_source == NULL) {
        report_error("%s", err);
        r->exit_code = EXIT_INPUT;
        r->journal_in_state = false;
    }
    return r->journal_source;
}

/*
 * Stores the cursor of the last journal entry read in the state store,
 * which writes it in the transaction that saves this run's baselines.
 * Nothing is stored when reading the journal failed or the output could
 * not be written, so the next run reads those entries again.
 */
static void
save_journal_cursor(struct run *r)
{
    const struct journal_position *pos = &r->journal_pos;
    char err[512];

    if (!r->journal_in_state || r->scorer == NULL || r->write_failed ||
        source_error(r->journal_source) != NULL || !pos->at_end ||
        pos->last == NULL) {
        return;
    }
    if (state_cursor_set(score_ctx_state(r->scorer), r->journal_key,
                         pos->last, err, sizeof(err)) < 0) {
        report_error("%s", err);
        r->state_failed = true;
    }
}

static struct source **
open_sources(struct run *r, struct diag *diag, size_t *count)
{
    const struct options *opt = r->opt;
    struct source **sources = calloc(opt->ninputs + 1, sizeof(*sources));
    struct source_opts so;
    char err[512];

    *count = 0;
    if (sources == NULL) {
        return NULL;
    }
    memset(&so, 0, sizeof(so));
    so.format = opt->format;
    so.fmt.tz = &opt->tz;
    so.fmt.year = opt->year;
    so.fmt.year_given = opt->year_given;
    so.fmt.default_host = opt->default_host;
    so.tolerance_ms = opt->command == CMD_EVENTS ? 0 : opt->tolerance_ms;
    /* Only the correlator reads the events (no coverage counts), so the
     * fields it does not read may be left out. */
    if (opt->command != CMD_EVENTS && r->coverage == NULL) {
        so.needs = correlator_needs();
    }
    so.now = opt->now;
    so.diag = diag;
    so.pool = r->pool;
    if (r->cfg.naliases > 0) {
        so.canonical_host = config_host;
        so.canonical_arg = &r->cfg;
    }

    for (size_t i = 0; i < opt->ninputs; i++) {
        struct source *s = source_open(opt->inputs[i], &so, err,
                                       sizeof(err));
        if (s == NULL) {
            report_error("%s", err);
            r->exit_code = EXIT_INPUT;
            continue;
        }
        sources[(*count)++] = s;
    }
    if (opt->journal) {
        struct source *s = open_journal(r, &so);
        if (s != NULL) {
            sources[(*count)++] = s;
        }
    }
    return sources;
}

/* Writes every event of each input in its own order, input by input. */
static void
run_events(struct run *r, struct source **sources, size_t n)
{
    const struct event *ev;

    for (size_t i = 0; i < n; i++) {
        while (source_peek(sources[i], &ev)) {
            if (passes_filters(r->opt, ev, &ev->time)) {
                if (r->opt->output == OUTPUT_JSON) {
                    output_event_json(&r->out, ev);
                } else {
                    output_event_text(&r->out, ev);
                }
                r->events_written++;
                if (r->out.len > 64 * 1024) {
                    flush_out(r);
                }
            }
            source_pop(sources[i]);
        }
    }
    flush_out(r);
}

/* The latest event time fed to the correlator, when has_last is set. */
struct merge_point {
    struct event_time last;
    bool has_last;
};

/* Feeds ev, the oldest event of every input, to the correlator. */
static inline void
feed_merged(struct run *r, struct correlator *c, struct merge_point *m,
            const struct event *ev)
{
    /* An event older than the merge point by more than the tolerance
     * could not be reordered; it is still used. */
    bool late = m->has_last && (m->last.sec - ev->time.sec) * 1000 >
                              r->opt->tolerance_ms;
    if (late) {
        r->late_events++;
    }
    if (!m->has_last || event_time_cmp(&ev->time, &m->last) > 0) {
        m->last = ev->time;
        m->has_last = true;
    }
    if (r->coverage != NULL) {
        coverage_add(r->coverage, ev, late);
    }
    correlator_feed(c, ev);
}

/* Merges the inputs in time order into the correlator. */
static void
run_correlation(struct run *r, struct source **sources, size_t n,
                struct correlator *c)
{
    struct merge_point m = { { 0, 0, 0 }, false };

    /* One input needs no comparison of heads. */
    while (n == 1) {
        const struct event *ev;
        if (!source_peek(sources[0], &ev)) {
            break;
        }
        feed_merged(r, c, &m, ev);
        source_pop(sources[0]);
    }
    while (n > 1) {
        size_t best = n;
        const struct event *best_ev = NULL;

        for (size_t i = 0; i < n; i++) {
            const struct event *ev;
            if (source_peek(sources[i], &ev) &&
                (best_ev == NULL ||
                 event_time_cmp(&ev->time, &best_ev->time) < 0)) {
                best = i;
                best_ev = ev;
            }
        }
        if (best_ev == NULL) {
            break;
        }
        feed_merged(r, c, &m, best_ev);
        source_pop(sources[best]);
    }
    correlator_finish(c);
    flush_out(r);
}

static int
open_coverage(struct run *r)
{
    char err[512];

    r->coverage = coverage_new();
    if (r->coverage == NULL) {
        report_error("out of memory");
        return -1;
    }
    if (r->opt->inventory != NULL &&
        coverage_load_inventory(r->coverage, r->opt->inventory, err,
                                sizeof(err)) < 0) {
        report_error("%s", err);
        coverage_free(r->coverage);
        r->coverage = NULL;
        return -1;
    }
    return 0;
}

static void
write_coverage(struct run *r)
{
    if (r->opt->output == OUTPUT_JSON) {
        coverage_write_json(r->coverage, &r->out, r->opt->silence_ms);
    } else {
        coverage_write_text(r->coverage, &r->out, r->opt->silence_ms);
    }
    flush_out(r);
}

static void
write_summary(const struct run *r, struct source **sources, size_t n,
              const struct diag *diag, const struct correlator *c)
{
    const struct options *opt = r->opt;
    uint64_t events = 0;

    if (opt->quiet) {
        return;
    }
    fputs("sshtrail: summary\n", stderr);
    for (size_t i = 0; i < n; i++) {
        const struct source_stats *st = source_stats(sources[i]);
        events += st->events;
        report_text(stderr, "  input %s: format %s, %llu lines, %llu "
                    "events, %llu not understood, %llu skipped",
                    source_name(sources[i]), source_format(sources[i]),
                    (unsigned long long)st->lines,
                    (unsigned long long)st->events,
                    (unsigned long long)st->malformed,
                    (unsigned long long)st->skipped);
        fputc('\n', stderr);
    }
    fprintf(stderr, "  events: %llu", (unsigned long long)events);
    if (opt->command != CMD_EVENTS) {
        fprintf(stderr, " (%llu late)", (unsigned long long)r->late_events);
    }
    fputc('\n', stderr);
    if (c != NULL) {
        const struct correlator_stats *cs = correlator_stats(c);
        fprintf(stderr, "  sessions: %llu (%llu without a visible login, "
                "%llu ended by the idle timeout, %llu evicted)\n",
                (unsigned long long)cs->sessions,
                (unsigned long long)cs->sessions_no_login,
                (unsigned long long)cs->sessions_idle,
                (unsigned long long)cs->sessions_evicted);
        fprintf(stderr, "  executions linked:");
        for (int l = 0; l < LINK_COUNT; l++) {
            fprintf(stderr, "%s %llu by %s", l ? "," : "",
                    (unsigned long long)cs->execs_linked[l],
                    linkage_name((enum linkage)l));
        }
        fprintf(stderr, "; %llu unlinked, %llu in non-SSH sessions, %llu "
                "after their session ended\n",
                (unsigned long long)cs->execs_unlinked,
                (unsigned long long)cs->execs_other_session,
                (unsigned long long)cs->execs_after_end);
        if (cs->skew_samples > 0) {
            fprintf(stderr, "  clock offset audit minus sshd over %llu "
                    "logins: mean %lld ms, min %lld ms, max %lld ms\n",
                    (unsigned long long)cs->skew_samples,
                    (long long)(cs->skew_sum_ms /
                                (int64_t)cs->skew_samples),
                    (long long)cs->skew_min_ms, (long long)cs->skew_max_ms);
        }
        if (cs->net_logins_matched || cs->net_logins_unmatched) {
            fprintf(stderr, "  network SSH: %llu connections matched a host "
                    "session, %llu successful logins with no host log\n",
                    (unsigned long long)cs->net_logins_matched,
                    (unsigned long long)cs->net_logins_unmatched);
        }
        if (cs->execs_failed) {
            fprintf(stderr, "  failed execve calls in sessions (not listed "
                    "as executions): %llu\n",
                    (unsigned long long)cs->execs_failed);
        }
        if (cs->table_evictions || cs->execs_dropped) {
            fprintf(stderr, "  limits reached: %llu table entries evicted, "
                    "%llu executions not kept\n",
                    (unsigned long long)cs->table_evictions,
                    (unsigned long long)cs->execs_dropped);
        }
    }
    if (opt->command == CMD_COVERAGE) {
        fprintf(stderr, "  blind spots: %llu\n",
                (unsigned long long)coverage_gaps(r->coverage));
    } else if (opt->command == CMD_DETECT) {
        fprintf(stderr, "  findings: %llu (%llu suppressed by the allowlist"
                        "%s)\n",
                (unsigned long long)r->findings,
                (unsigned long long)r->suppressed,
                opt->hide_suppressed ? ", not written" : ", marked");
    } else if (opt->command == CMD_SESSIONS) {
        fprintf(stderr, "  sessions written: %llu\n",
                (unsigned long long)r->sessions_written);
    }
    diag_write(diag, stderr);
}

/* Runs `sshtrail config check FILE`. */
static int
config_command(int argc, char **argv)
{
    if (argc != 4 || strcmp(argv[2], "check") != 0) {
        fprintf(stderr, "sshtrail: usage: sshtrail config check FILE\n"
                        "Try 'sshtrail --help' for the options.\n");
        return EXIT_USAGE;
    }
    int rc = config_check_main(argv[3], stdout, stderr);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        report_error("writing output failed: %s",
                     strerror(errno));
        return EXIT_OUTPUT;
    }
    return rc;
}

/*
 * Loads the configuration that --config names or the search order finds.
 * Returns 0, or EXIT_USAGE after reporting an invalid file.
 */
static int
load_config(struct run *r)
{
    char path[1024];
    char msg[1024];
    struct config_error err;

    config_default(&r->cfg);
    if (r->opt->config_path != NULL &&
        access(r->opt->config_path, R_OK) != 0) {
        report_error("cannot read configuration %s: %s",
                     r->opt->config_path, strerror(errno));
        return EXIT_USAGE;
    }
    if (!config_find_path(path, sizeof(path), r->opt->config_path)) {
        return 0;
    }
    if (config_load(&r->cfg, path, &err) < 0) {
        config_error_format(&err, msg, sizeof(msg));
        report_error("invalid configuration: %s", msg);
        report_text(stderr, "Check it with 'sshtrail config check %s'.",
                    path);
        fputc('\n', stderr);
        return EXIT_USAGE;
    }
    return 0;
}

/* Applies the configuration to the correlator and scorer settings; the
 * command line's --window wins over every TimeWindow. */
static void
apply_config(const struct run *r, struct correlator_opts *co,
             struct score_opts *so)
{
    const struct config *cfg = &r->cfg;

    co->failure_span_ms = cfg->failure_span_ms;
    config_score_opts(cfg, so);
    if (r->opt->window_given) {
        co->window_ms = r->opt->window_ms;
        so->window_ms = r->opt->window_ms;
        so->window_macos_ms = 0;
        so->window_esxi_ms = 0;
        return;
    }
    co->window_ms = config_window_ms(cfg, CONFIG_LINUX);
    co->window_macos_ms = config_window_ms(cfg, CONFIG_MACOS);
    co->window_esxi_ms = config_window_ms(cfg, CONFIG_ESXI);
}

/* Runs `baseline show` and `baseline forget` on the state file. */
static int
baseline_admin(const struct run *r)
{
    const char *path = r->opt->state_path ? r->opt->state_path
                                          : r->cfg.state;
    char err[1024];
    uint64_t rows;
    int rc;

    if (path == NULL) {
        report_error("no state file: give --state FILE or set "
                     "state in the configuration");
        return EXIT_USAGE;
    }
    if (r->opt->command == CMD_BASELINE_SHOW) {
        rc = state_admin_show(path, r->opt->host, r->opt->user, stdout,
                              &rows, err, sizeof(err));
    } else {
        rc = state_admin_forget(path, r->opt->host, r->opt->user, &rows,
                                err, sizeof(err));
    }
    if (rc < 0) {
        report_error("%s", err);
        return EXIT_INPUT;
    }
    if (!r->opt->quiet) {
        fprintf(stderr, "sshtrail: %llu rows %s\n", (unsigned long long)rows,
                r->opt->command == CMD_BASELINE_SHOW ? "listed" : "removed");
    }
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_OUTPUT;
}

/*
 * Seeds the table hashes with the kernel's random bytes, so keys prepared
 * to collide in one run do not collide in another.  Without those bytes
 * the hashes stay repeatable, which risks only a slower worst case.  The
 * output does not depend on the seed, because maps compare whole keys and
 * the fixed tables' 64-bit hashes collide by chance alone.
 *
 * SSHTRAIL_HASH_SEED sets the seed instead (a number such as 0 or
 * 0x1234), which makes instruction counts repeatable for benchmarks.
 * Returns 0, or -1 after a message when that value is not a number.
 */
static int
seed_hashes(void)
{
    const char *text = getenv("SSHTRAIL_HASH_SEED");
    uint64_t seed;

    if (text != NULL) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(text, &end, 0);
        /* strtoull skips leading white space and negates after a '-', so
         * only a digit may start the value. */
        if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0) {
            report_error("SSHTRAIL_HASH_SEED: invalid value '%s'; set a "
                         "number from 0 to 2^64 - 1, such as 0 or 0x1234, "
                         "or unset it",
                         text);
            return -1;
        }
        hmap_set_seed((uint64_t)v);
        return 0;
    }
    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) ==
        (ssize_t)sizeof(seed)) {
        hmap_set_seed(seed);
    }
    return 0;
}

int
main(int argc, char **argv)
{
    struct options opt;
    struct run r;
    struct diag diag;
    struct correlator *c = NULL;
    size_t nsources = 0;

    /* A closed pipe on stdout is reported as a failed write, not a kill. */
    signal(SIGPIPE, SIG_IGN);
    if (seed_hashes() < 0) {
        return 2;
    }

    if (argc >= 2 && strcmp(argv[1], "config") == 0) {
        return config_command(argc, argv);
    }

    int rc = options_parse(&opt, argc, argv, (int64_t)time(NULL));
    if (rc >= 0) {
        options_fini(&opt);
        return rc;
    }

    memset(&r, 0, sizeof(r));
    r.opt = &opt;
    r.out_opts.product_version = SSHTRAIL_VERSION;
    if ((rc = load_config(&r)) != 0) {
        config_fini(&r.cfg);
        options_fini(&opt);
        return rc;
    }
    if (opt.journal_cursor != NULL && uses_state(&opt) &&
        state_path(&r) != NULL) {
        report_error("--journal-cursor cannot be combined with the state "
                     "file %s: detect and baseline learn keep the journal "
                     "cursor in the state file; drop --journal-cursor",
                     state_path(&r));
        fputs("Try 'sshtrail --help' for the options.\n", stderr);
        config_fini(&r.cfg);
        options_fini(&opt);
        return EXIT_USAGE;
    }
    if (opt.command == CMD_BASELINE_SHOW ||
        opt.command == CMD_BASELINE_FORGET) {
        rc = baseline_admin(&r);
        config_fini(&r.cfg);
        options_fini(&opt);
        return rc;
    }
    score_opts_default(&r.score_opts);
    r.score_opts.window_ms = opt.window_ms;
    buf_init(&r.out, 64u * 1024 * 1024);
    diag_init(&diag);

    if (opt.command == CMD_COVERAGE && open_coverage(&r) < 0) {
        options_fini(&opt);
        return EXIT_INPUT;
    }

    /* The scorer opens the state file before the sources, because the
     * journal resumes from the cursor saved there. */
    struct correlator_opts co;
    bool scorer_ok = true;
    if (opt.command != CMD_EVENTS) {
        correlator_opts_default(&co);
        co.grace_ms = opt.tolerance_ms;
        apply_config(&r, &co, &r.score_opts);
        r.score_opts.frozen = opt.baseline_frozen;
        if (open_scorer(&r) < 0) {
            r.exit_code = EXIT_INPUT;
            scorer_ok = false;
        }
    }

    /* --jobs N: this thread and N - 1 reading threads.  Without memory
     * for the pool the inputs are read here, with the same result. */
    if (opt.jobs > 1) {
        r.pool = source_pool_new((unsigned)opt.jobs - 1);
    }
    struct source **sources = open_sources(&r, &diag, &nsources);
    if (sources == NULL) {
        report_error("out of memory");
        source_pool_free(r.pool);
        options_fini(&opt);
        return EXIT_INPUT;
    }

    if (opt.command == CMD_EVENTS) {
        run_events(&r, sources, nsources);
    } else if (scorer_ok) {
        struct session_sink sink = { on_session, &r };
        if ((c = correlator_new(&co, &sink)) == NULL) {
            report_error("out of memory");
            r.exit_code = EXIT_INPUT;
        } else {
            if (opt.output == OUTPUT_HTML) {
                output_html_begin(&r.out);
            }
            run_correlation(&r, sources, nsources, c);
            if (opt.output == OUTPUT_HTML) {
                bool detect = opt.command == CMD_DETECT;
                output_html_end(&r.out,
                                detect ? r.findings : r.sessions_written,
                                detect ? "findings" : "sessions",
                                SSHTRAIL_VERSION);
                flush_out(&r);
            }
        }
    }
    if (r.coverage != NULL) {
        write_coverage(&r);
    }

    for (size_t i = 0; i < nsources; i++) {
        const char *err = source_error(sources[i]);
        if (err != NULL) {
            report_error("%s", err);
            r.exit_code = EXIT_INPUT;
        }
        uint64_t lost = source_stats(sources[i])->lost;
        if (lost > 0) {
            report_error("%s: out of memory: %llu events "
                         "lost",
                         source_name(sources[i]), (unsigned long long)lost);
            r.exit_code = EXIT_INPUT;
        }
    }
    if (fflush(stdout) != 0 && !r.write_failed) {
        report_error("writing output failed: %s",
                     strerror(errno));
        r.write_failed = true;
    }
    if (r.scorer != NULL) {
        char err[1024];
        save_journal_cursor(&r);
        if (score_ctx_close(r.scorer, err, sizeof(err)) < 0) {
            report_error("%s", err);
            r.state_failed = true;
        }
        r.scorer = NULL;
    }
    write_summary(&r, sources, nsources, &diag, c);

    int exit_code = r.exit_code;
    if (r.write_failed || r.state_failed) {
        exit_code = EXIT_OUTPUT;
    } else if (exit_code == 0 && opt.fail_on_findings &&
               (r.findings > 0 ||
                (r.coverage != NULL && coverage_gaps(r.coverage) > 0))) {
        exit_code = EXIT_FINDINGS;
    }

    correlator_free(c);
    coverage_free(r.coverage);
    free(r.expired_reported);
    free(r.journal_pos.last);
    automation_free(r.automation);
    for (size_t i = 0; i < nsources; i++) {
        source_free(sources[i]);
    }
    free(sources);
    source_pool_free(r.pool);
    buf_fini(&r.out);
    config_fini(&r.cfg);
    options_fini(&opt);
    return exit_code;
}
