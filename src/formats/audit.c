/*
 * The "audit" format: Linux audit logs as auditd writes them (raw or
 * enriched, with or without node=).  Each line is one record.  The records
 * are grouped into events by audit_group.c and turned into sshtrail events
 * by audit_build.c, so events arrive later than the lines they come from.
 * Lines of record types that no event uses are reported as skipped even
 * when they take part in grouping (PATH, SOCKADDR, AVC, ...).
 */
#include <stdlib.h>

#include "formats/audit_build.h"
#include "formats/audit_group.h"
#include "formats/audit_record.h"
#include "formats/format.h"

/* Lines this long arrive cut by the reader; their records are unusable. */
#define AUDIT_LINE_MAX (1024u * 1024u)

/* Limits of the open-event table (see audit_group.h). */
static const struct audit_group_limits audit_limits = {
    .max_open = 256,
    .max_records = 1024,
    .max_bytes = 8u * 1024u * 1024u,
};

struct audit_state {
    struct audit_grouper *grouper;
    struct audit_builder builder;
    const struct event_sink *sink;  /* valid during feed and flush */
};

/* Stores the records an event can use; others only join their group. */
static bool
keep_record(const struct audit_record *rec)
{
    switch (rec->type) {
    case AUDIT_T_SYSCALL:
    case AUDIT_T_EXECVE:
    case AUDIT_T_CWD:
    case AUDIT_T_PROCTITLE:
    case AUDIT_T_LOGIN:
        return true;
    default:
        return audit_type_is_user_event(rec->type);
    }
}

static void
group_done(void *arg, const struct audit_group *g)
{
    struct audit_state *st = arg;

    (void)audit_build_group(&st->builder, g, st->sink);
}

static int
audit_probe(struct sv line)
{
    struct audit_record rec;
    const char *reason;

    if (!audit_record_parse(line, &rec, &reason)) {
        return 0;
    }
    return rec.type != 0 ? 100 : 80;
}

static void *
audit_open(const struct format_opts *opts)
{
    struct audit_state *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        return NULL;
    }
    st->grouper = audit_grouper_new(&audit_limits, keep_record);
    if (st->grouper == NULL) {
        free(st);
        return NULL;
    }
    audit_builder_init(&st->builder, opts != NULL ? opts->default_host
                                                  : NULL);
    return st;
}

static void
audit_close(void *state)
{
    struct audit_state *st = state;

    if (st == NULL) {
        return;
    }
    audit_grouper_free(st->grouper);
    audit_builder_fini(&st->builder);
    free(st);
}

/* Returns whether an event can use a record of this line. */
static bool
record_is_used(const struct audit_record *rec)
{
    if (rec->type == AUDIT_T_SYSCALL) {
        return rec->exec == AUDIT_EXEC_YES;
    }
    return rec->type == AUDIT_T_EOE || keep_record(rec);
}

/* Returns true when sv_trim would leave line empty, which happens when
 * every byte is ' ', '\t', '\r' or '\n'.  A record's first byte ends the
 * test. */
static bool
is_blank(struct sv line)
{
    for (size_t i = 0; i < line.len; i++) {
        char c = line.p[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            return false;
        }
    }
    return true;
}

static enum parse_status
audit_feed(void *state, struct sv line, const struct event_origin *origin,
           const struct event_sink *sink, const char **reason)
{
    struct audit_state *st = state;
    struct audit_record rec;

    if (line.len >= AUDIT_LINE_MAX) {
        *reason = "audit record longer than 1 MiB";
        return PARSE_MALFORMED;
    }
    if (is_blank(line)) {
        *reason = "blank line";
        return PARSE_SKIP;
    }
    if (!audit_record_parse(line, &rec, reason)) {
        return PARSE_MALFORMED;
    }

    if (rec.type == AUDIT_T_SYSCALL) {
        rec.exec = audit_syscall_is_exec(&rec) ? AUDIT_EXEC_YES
                                               : AUDIT_EXEC_NO;
    }
    st->sink = sink;
    audit_grouper_add(st->grouper, line, &rec, origin, group_done, st);
    st->sink = NULL;

    if (!record_is_used(&rec)) {
        *reason = "audit record not used";
        return PARSE_SKIP;
    }
    return PARSE_OK;
}

static enum parse_status
audit_flush(void *state, const struct event_sink *sink, uint64_t *line,
            const char **reason)
{
    struct audit_state *st = state;

    (void)line;
    (void)reason;
    st->sink = sink;
    audit_grouper_flush(st->grouper, group_done, st);
    st->sink = NULL;
    return PARSE_OK;
}

const struct format_ops audit_format = {
    .name = "audit",
    .description = "Linux audit log (auditd raw or enriched, node= prefix)",
    .probe = audit_probe,
    .open = audit_open,
    .close = audit_close,
    .feed = audit_feed,
    .flush = audit_flush,
};
