/*
 * Differential test of the audit tokenizer and grouper against libauparse,
 * the reference parser shipped with auditd.
 *
 * For each file named on the command line, both parsers read the file and
 * the tool compares, event by event (node, time, serial): the records of
 * the event in line order, each record's type name and its fields (names
 * and raw values, in order), and the argv that libauparse interprets from
 * the EXECVE records with what audit_build_argv assembles.  It prints one
 * line per file, "PASS auparse_diff FILE: ..." or "FAIL auparse_diff FILE:
 * <first difference>", and exits 1 when any file failed.
 *
 * Known, deliberate differences are left out of the comparison and counted
 * in the PASS line (docs/format-audit.md explains each):
 *   - EOE records, which libauparse 3.0.9 keeps or drops depending on what
 *     came before;
 *   - the fields of SELinux AVC records, which libauparse rewrites
 *     ("avc:  denied  { read }" becomes seresult= and seperms=);
 *   - enriched fields (after 0x1D), which libauparse 3.0.9 does not list;
 *   - fields with an empty value ("mac= "), which libauparse drops;
 *   - libauparse ending an event early (LOGIN, a type below 1300, always
 *     ends its event there): records with the same stamp are merged back.
 */
#include <auparse.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/audit_build.h"
#include "formats/audit_group.h"
#include "formats/audit_record.h"

/* A growable byte string; the tool is a test, so it simply aborts on OOM. */
struct str {
    char *p;
    size_t len;
    size_t cap;
};

static void
str_add(struct str *s, const void *p, size_t n)
{
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        while (cap < s->len + n + 1) {
            cap *= 2;
        }
        s->p = realloc(s->p, cap);
        if (s->p == NULL) {
            abort();
        }
        s->cap = cap;
    }
    if (n > 0) {
        memcpy(s->p + s->len, p, n);
    }
    s->len += n;
    s->p[s->len] = '\0';
}

/* Appends one length-prefixed item, so lists compare without ambiguity. */
static void
str_item(struct str *s, const char *p, size_t n)
{
    char num[24];
    int k = snprintf(num, sizeof(num), "%zu:", n);

    str_add(s, num, (size_t)k);
    str_add(s, p, n);
}

/* One record as one side read it. */
struct drec {
    char *node;             /* "" without node= */
    long long sec;
    int msec;
    unsigned long long serial;
    unsigned long line;
    char *type;
    struct str fields;      /* length-prefixed name, value, name, value... */
    unsigned nfields;
    bool avc_rewritten;     /* fields not compared (AVC, spaces) */
    int group;              /* event index on this side */
};

/* One event key with its argv. */
struct dargv {
    char *node;
    long long sec;
    int msec;
    unsigned long long serial;
    struct str argv;
    unsigned argc;
};

struct side {
    struct drec *recs;
    size_t nrecs;
    size_t cap;
    struct dargv *argvs;
    size_t nargvs;
    size_t argv_cap;
    int ngroups;
};

struct counts {
    unsigned long eoe;
    unsigned long avc;
    unsigned long enriched;
    unsigned long empty;
    unsigned long spaced;
    unsigned long keys;
    unsigned long au_split;
    unsigned long our_split;
};

static struct drec *
side_add(struct side *s)
{
    if (s->nrecs == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->recs = realloc(s->recs, s->cap * sizeof(*s->recs));
        if (s->recs == NULL) {
            abort();
        }
    }
    struct drec *r = &s->recs[s->nrecs++];
    memset(r, 0, sizeof(*r));
    r->group = s->ngroups;
    return r;
}

static struct dargv *
side_argv(struct side *s, const char *node, long long sec, int msec,
          unsigned long long serial)
{
    for (size_t i = 0; i < s->nargvs; i++) {
        struct dargv *a = &s->argvs[i];
        if (a->sec == sec && a->msec == msec && a->serial == serial &&
            strcmp(a->node, node) == 0) {
            return a;
        }
    }
    if (s->nargvs == s->argv_cap) {
        s->argv_cap = s->argv_cap ? s->argv_cap * 2 : 16;
        s->argvs = realloc(s->argvs, s->argv_cap * sizeof(*s->argvs));
        if (s->argvs == NULL) {
            abort();
        }
    }
    struct dargv *a = &s->argvs[s->nargvs++];
    memset(a, 0, sizeof(*a));
    a->node = strdup(node);
    a->sec = sec;
    a->msec = msec;
    a->serial = serial;
    return a;
}

static char *
dup_sv(struct sv v)
{
    char *p = malloc(v.len + 1);

    if (p == NULL) {
        abort();
    }
    if (v.len > 0) {
        memcpy(p, v.p, v.len);
    }
    p[v.len] = '\0';
    return p;
}

/* Returns true when name is "a<digits>", "a<digits>_len" or
 * "a<digits>[<digits>]"; *chunk is set for the last. */
static bool
arg_index(const char *name, bool *chunk)
{
    size_t i = 1;

    if (name[0] != 'a' || name[1] < '0' || name[1] > '9') {
        return false;
    }
    while (name[i] >= '0' && name[i] <= '9') {
        i++;
    }
    *chunk = name[i] == '[';
    return name[i] == '\0' || name[i] == '[' || strcmp(name + i, "_len") == 0;
}

/* Reads every event of path with libauparse. */
static int
read_auparse(const char *path, struct side *s, struct counts *c)
{
    auparse_state_t *au = auparse_init(AUSOURCE_FILE, path);

    if (au == NULL) {
        return -1;
    }
    auparse_set_escape_mode(au, AUPARSE_ESC_RAW);
    while (auparse_next_event(au) > 0) {
        const au_event_t *e = auparse_get_timestamp(au);
        if (e == NULL || auparse_first_record(au) <= 0) {
            continue;
        }
        const char *node = e->host ? e->host : "";
        struct dargv *argv = NULL;
        do {
            const char *type = auparse_get_type_name(au);
            if (type != NULL && strcmp(type, "EOE") == 0) {
                c->eoe++;
                continue;
            }
            struct drec *r = side_add(s);
            r->node = strdup(node);
            r->sec = (long long)e->sec;
            r->msec = (int)e->milli;
            r->serial = e->serial;
            r->line = auparse_get_line_number(au);
            r->type = strdup(type ? type : "?");
            bool is_execve = r->type && strcmp(r->type, "EXECVE") == 0;
            if (auparse_first_field(au) <= 0) {
                continue;
            }
            do {
                const char *n = auparse_get_field_name(au);
                const char *v = auparse_get_field_str(au);
                if (n == NULL || v == NULL || strcmp(n, "type") == 0 ||
                    strcmp(n, "node") == 0) {
                    continue;
                }
                if (strcmp(n, "seresult") == 0) {
                    r->avc_rewritten = true;
                }
                str_item(&r->fields, n, strlen(n));
                str_item(&r->fields, v, strlen(v));
                r->nfields++;
                bool chunk;
                if (is_execve && arg_index(n, &chunk)) {
                    bool len = strstr(n, "_len") != NULL;
                    const char *iv = len ? "" : auparse_interpret_field(au);
                    if (argv == NULL) {
                        argv = side_argv(s, node, r->sec, r->msec, r->serial);
                    }
                    /* aN_len=... starts an argument that aN[i] chunks fill. */
                    if (!chunk || len) {
                        str_add(&argv->argv, "\x1f", 1);
                        argv->argc++;
                    }
                    str_add(&argv->argv, iv ? iv : "", iv ? strlen(iv) : 0);
                }
            } while (auparse_next_field(au) > 0);
        } while (auparse_next_record(au) > 0);
        s->ngroups++;
    }
    auparse_destroy(au);
    return 0;
}

struct our_ctx {
    struct side *s;
    struct counts *c;
    struct audit_builder builder;
    struct event ev;
};

/*
 * Adds a hex key= value the way libauparse lists it: auditd joins several
 * rule keys with byte 0x01 and hex-encodes them, and libauparse shows one
 * key="..." field per rule key.
 */
static void
add_keys(struct our_ctx *ctx, struct drec *r, struct sv hex)
{
    char *buf = malloc(hex.len / 2 + 1);
    struct sv keys = audit_value_decode(SV_LIT("key"), hex, buf);

    if (memchr(keys.p, '\x01', keys.len) == NULL) {
        str_item(&r->fields, "key", 3);
        str_item(&r->fields, hex.p, hex.len);
        r->nfields++;
        free(buf);
        return;
    }
    ctx->c->keys++;
    while (keys.len > 0) {
        struct sv one;
        keys = sv_cut(keys, '\x01', &one);
        str_item(&r->fields, "key", 3);
        char quoted[260];
        int k = snprintf(quoted, sizeof(quoted), "\"%.*s\"",
                         (int)(one.len < 256 ? one.len : 256), one.p);
        str_item(&r->fields, quoted, (size_t)k);
        r->nfields++;
    }
    free(buf);
}

static void
our_group(void *arg, const struct audit_group *g)
{
    struct our_ctx *ctx = arg;
    struct side *s = ctx->s;
    char *node = g->node.p ? dup_sv(g->node) : strdup("");
    bool have_execve = false;

    for (uint32_t i = 0; i < g->nrecords; i++) {
        struct audit_record rec;
        uint64_t line;
        if (!audit_group_record(g, i, &rec, &line)) {
            continue;
        }
        if (rec.type == AUDIT_T_EOE) {
            ctx->c->eoe++;
            continue;
        }
        have_execve |= rec.type == AUDIT_T_EXECVE;
        struct drec *r = side_add(s);
        r->node = strdup(node);
        r->sec = rec.sec;
        r->msec = rec.msec;
        r->serial = rec.serial;
        r->line = (unsigned long)line;
        r->type = dup_sv(rec.type_name);
        r->avc_rewritten = rec.type == AUDIT_T_AVC &&
                           sv_find(rec.body, SV_LIT("avc:")) >= 0;

        struct audit_field_iter it;
        struct audit_field f;
        audit_fields_init(&it, &rec);
        while (audit_fields_next(&it, &f)) {
            if (f.enriched) {
                ctx->c->enriched++;
                continue;
            }
            if (f.value.len == 0) {
                ctx->c->empty++;
                continue;
            }
            if (f.value.p[0] == '"' &&
                memchr(f.value.p, ' ', f.value.len) != NULL) {
                /* libauparse ends every value at a space. */
                ctx->c->spaced++;
                r->avc_rewritten = true;
            }
            if (sv_eq_cstr(f.key, "key") && audit_is_hex(f.value)) {
                add_keys(ctx, r, f.value);
                continue;
            }
            str_item(&r->fields, f.key.p, f.key.len);
            str_item(&r->fields, f.value.p, f.value.len);
            r->nfields++;
        }
    }

    /* The argv our event builder makes, for groups with EXECVE records. */
    if (have_execve) {
        struct dargv *a = side_argv(s, node, g->sec, g->msec, g->serial);
        event_reset(&ctx->ev);
        (void)audit_build_argv(&ctx->builder, g, &ctx->ev);
        for (uint32_t i = 0; i < ctx->ev.argc; i++) {
            struct sv v = event_arg(&ctx->ev, i);
            str_add(&a->argv, "\x1f", 1);
            str_add(&a->argv, v.p, v.len);
            a->argc++;
        }
    }
    free(node);
    s->ngroups++;
}

/* Reads every group of path with our tokenizer and grouper. */
static int
read_ours(const char *path, struct side *s, struct counts *c)
{
    static const struct audit_group_limits lim = { 256, 4096,
                                                   64u * 1024u * 1024u };
    FILE *fp = fopen(path, "r");
    struct our_ctx ctx;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    struct event_origin origin = { "audit", path, 0 };

    if (fp == NULL) {
        return -1;
    }
    ctx.s = s;
    ctx.c = c;
    audit_builder_init(&ctx.builder, NULL);
    event_init(&ctx.ev);
    struct audit_grouper *gr = audit_grouper_new(&lim, NULL);
    if (gr == NULL) {
        abort();
    }
    while ((n = getline(&buf, &cap, fp)) >= 0) {
        struct sv line = sv_make(buf, (size_t)n);
        struct audit_record rec;
        const char *reason;
        origin.line++;
        if (line.len > 0 && line.p[line.len - 1] == '\n') {
            line.len--;
        }
        if (audit_record_parse(line, &rec, &reason)) {
            audit_grouper_add(gr, line, &rec, &origin, our_group, &ctx);
        }
    }
    audit_grouper_flush(gr, our_group, &ctx);
    audit_grouper_free(gr);
    audit_builder_fini(&ctx.builder);
    event_fini(&ctx.ev);
    free(buf);
    fclose(fp);
    return 0;
}

static int
key_cmp(const struct drec *a, const struct drec *b)
{
    int d = strcmp(a->node, b->node);

    if (d != 0) {
        return d;
    }
    if (a->sec != b->sec) {
        return a->sec < b->sec ? -1 : 1;
    }
    if (a->msec != b->msec) {
        return a->msec < b->msec ? -1 : 1;
    }
    if (a->serial != b->serial) {
        return a->serial < b->serial ? -1 : 1;
    }
    return 0;
}

static int
rec_cmp(const void *pa, const void *pb)
{
    const struct drec *a = pa;
    const struct drec *b = pb;
    int d = key_cmp(a, b);

    if (d != 0) {
        return d;
    }
    return a->line < b->line ? -1 : a->line > b->line;
}

/* Counts stamps whose records one side spread over several events. */
static unsigned long
count_splits(const struct side *s)
{
    unsigned long n = 0;

    for (size_t i = 1; i < s->nrecs; i++) {
        if (key_cmp(&s->recs[i - 1], &s->recs[i]) == 0 &&
            s->recs[i - 1].group != s->recs[i].group) {
            n++;
        }
    }
    return n;
}

static char diff_msg[512];

static void
set_diff(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(diff_msg, sizeof(diff_msg), fmt, ap);
    va_end(ap);
}

/* Compares the sorted records of both sides; false with diff_msg set. */
static bool
compare_records(const struct side *au, const struct side *us)
{
    size_t n = au->nrecs < us->nrecs ? au->nrecs : us->nrecs;

    for (size_t i = 0; i < n; i++) {
        const struct drec *a = &au->recs[i];
        const struct drec *b = &us->recs[i];
        if (key_cmp(a, b) != 0 || a->line != b->line) {
            set_diff("record %zu: libauparse has line %lu (%lld.%03d:%llu), "
                     "we have line %lu (%lld.%03d:%llu)", i, a->line, a->sec,
                     a->msec, a->serial, b->line, b->sec, b->msec, b->serial);
            return false;
        }
        if (strcmp(a->type, b->type) != 0) {
            set_diff("line %lu: type %s, we have %s", a->line, a->type,
                     b->type);
            return false;
        }
        if (a->avc_rewritten || b->avc_rewritten) {
            continue;
        }
        if (a->nfields != b->nfields || a->fields.len != b->fields.len ||
            (a->fields.len > 0 &&
             memcmp(a->fields.p, b->fields.p, a->fields.len) != 0)) {
            size_t k = 0;
            size_t m = a->fields.len < b->fields.len ? a->fields.len
                                                     : b->fields.len;
            while (k < m && a->fields.p[k] == b->fields.p[k]) {
                k++;
            }
            set_diff("line %lu: fields differ at byte %zu: libauparse "
                     "\"%.60s\", we have \"%.60s\"", a->line, k,
                     a->fields.p ? a->fields.p + k : "",
                     b->fields.p ? b->fields.p + k : "");
            return false;
        }
    }
    if (au->nrecs != us->nrecs) {
        const struct drec *x = au->nrecs > n ? &au->recs[n] : &us->recs[n];
        set_diff("%s has %zu more records, first at line %lu",
                 au->nrecs > n ? "libauparse" : "we", 
                 (au->nrecs > n ? au->nrecs : us->nrecs) - n, x->line);
        return false;
    }
    return true;
}

static bool
compare_argv(const struct side *au, const struct side *us)
{
    if (au->nargvs != us->nargvs) {
        set_diff("argv: libauparse has %zu EXECVE events, we have %zu",
                 au->nargvs, us->nargvs);
        return false;
    }
    for (size_t i = 0; i < au->nargvs; i++) {
        const struct dargv *a = &au->argvs[i];
        const struct dargv *b = NULL;
        for (size_t j = 0; j < us->nargvs; j++) {
            const struct dargv *c = &us->argvs[j];
            if (c->sec == a->sec && c->msec == a->msec &&
                c->serial == a->serial && strcmp(c->node, a->node) == 0) {
                b = c;
            }
        }
        if (b == NULL) {
            set_diff("argv: no EXECVE event %lld.%03d:%llu on our side",
                     a->sec, a->msec, a->serial);
            return false;
        }
        if (a->argc != b->argc || a->argv.len != b->argv.len ||
            (a->argv.len > 0 &&
             memcmp(a->argv.p, b->argv.p, a->argv.len) != 0)) {
            set_diff("argv of %lld.%03d:%llu: libauparse %u args \"%.80s\", "
                     "we have %u args \"%.80s\"", a->sec, a->msec, a->serial,
                     a->argc, a->argv.p ? a->argv.p : "", b->argc,
                     b->argv.p ? b->argv.p : "");
            return false;
        }
    }
    return true;
}

static void
side_free(struct side *s)
{
    for (size_t i = 0; i < s->nrecs; i++) {
        free(s->recs[i].node);
        free(s->recs[i].type);
        free(s->recs[i].fields.p);
    }
    for (size_t i = 0; i < s->nargvs; i++) {
        free(s->argvs[i].node);
        free(s->argvs[i].argv.p);
    }
    free(s->recs);
    free(s->argvs);
}

static bool
diff_file(const char *path)
{
    struct side au;
    struct side us;
    struct counts cau;
    struct counts cus;
    bool ok;

    memset(&au, 0, sizeof(au));
    memset(&us, 0, sizeof(us));
    memset(&cau, 0, sizeof(cau));
    memset(&cus, 0, sizeof(cus));
    if (read_auparse(path, &au, &cau) < 0 || read_ours(path, &us, &cus) < 0) {
        printf("FAIL auparse_diff %s: cannot read the file\n", path);
        return false;
    }
    qsort(au.recs, au.nrecs, sizeof(*au.recs), rec_cmp);
    qsort(us.recs, us.nrecs, sizeof(*us.recs), rec_cmp);

    ok = compare_records(&au, &us) && compare_argv(&au, &us);
    if (ok) {
        unsigned long avc = 0;
        for (size_t i = 0; i < au.nrecs; i++) {
            avc += au.recs[i].avc_rewritten || us.recs[i].avc_rewritten;
        }
        printf("PASS auparse_diff %s: %d events, %zu records, %zu argv; "
               "left out: %lu EOE, %lu field lists (AVC or quoted spaces), "
               "%lu enriched fields, %lu empty values; %lu multi-key "
               "fields split; stamps split by libauparse %lu, by us %lu\n",
               path, au.ngroups, au.nrecs, au.nargvs, cus.eoe, avc,
               cus.enriched, cus.empty, cus.keys, count_splits(&au),
               count_splits(&us));
    } else {
        printf("FAIL auparse_diff %s: %s\n", path, diff_msg);
    }
    side_free(&au);
    side_free(&us);
    return ok;
}

int
main(int argc, char **argv)
{
    int failed = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: auparse_diff FILE...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        failed += !diff_file(argv[i]);
    }
    return failed ? 1 : 0;
}
