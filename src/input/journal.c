/*
 * Journal file input through sd-journal.  Each entry becomes one line of
 * the shape `journalctl -o json` writes, restricted to the fields the
 * journald format reads:
 *
 *   {"__REALTIME_TIMESTAMP":"1714557600123456","MESSAGE":"Accepted ...",
 *    "SYSLOG_IDENTIFIER":"sshd","_PID":"1234","_HOSTNAME":"srv"}
 *
 * Values that are not printable UTF-8 become arrays of byte values, as
 * journalctl writes them.  This file does not parse messages.
 */
#include "input/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/escape.h"
#include "formats/journald_entry.h"

/* Largest field value fetched from the journal, and largest line built. */
#define JOURNAL_FIELD_MAX (256u * 1024u)
#define JOURNAL_LINE_MAX (4u * 1024u * 1024u)

static const char *const sshd_programs[] = {
    "sshd",
    "sshd-session",
    "sshd-auth",
};

struct journal_reader {
    sd_journal *j;
    struct buf line;
    char *cursor_path;          /* NULL: no cursor file */
    struct journal_position *pos;   /* NULL: the caller keeps no cursor */
    char *start_cursor;         /* the saved cursor, or NULL */
    char *last_cursor;          /* cursor of the last entry read, or NULL */
    bool positioned;            /* the first entry was looked up */
    bool bad_cursor;            /* sd-journal rejected start_cursor */
    bool done;
};

/* ---- cursor file ------------------------------------------------------- */

/*
 * Reads the saved cursor.  Returns 0 with *out set (NULL when the file
 * does not exist yet), or -1 with a message in err.
 */
static int
cursor_read(const char *path, char **out, char *err, size_t errlen)
{
    char text[JOURNAL_MAX_CURSOR + 2];
    FILE *f = fopen(path, "re");

    *out = NULL;
    if (f == NULL) {
        if (errno == ENOENT) {
            return 0;
        }
        snprintf(err, errlen, "%s: cannot open cursor file: %s", path,
                 strerror(errno));
        return -1;
    }
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed || n > JOURNAL_MAX_CURSOR) {
        snprintf(err, errlen, "%s: %s", path,
                 failed ? "cannot read cursor file"
                        : "cursor file larger than 4096 bytes");
        return -1;
    }
    struct sv cursor = sv_trim(sv_make(text, n));
    if (cursor.len == 0) {
        return 0;
    }
    if (memchr(cursor.p, '\0', cursor.len) != NULL) {
        snprintf(err, errlen, "%s: invalid cursor file: it holds a NUL "
                 "byte", path);
        return -1;
    }
    *out = strndup(cursor.p, cursor.len);
    if (*out == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    return 0;
}

/*
 * Replaces the cursor file with cursor, mode 0600, through a temporary
 * file and rename(2) so a crash leaves the old or the new cursor.
 */
static int
cursor_write(const char *path, const char *cursor, char *err, size_t errlen)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);

    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        snprintf(err, errlen, "%s: cursor file path too long", path);
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                  0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot write cursor file: %s", tmp,
                 strerror(errno));
        return -1;
    }

    size_t len = strlen(cursor);
    bool ok = fchmod(fd, 0600) == 0 &&
              write(fd, cursor, len) == (ssize_t)len &&
              write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot write cursor file: %s", path,
                 strerror(ok ? errno : saved));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* ---- one entry as a JSON line ------------------------------------------ */

/* True when journalctl would write v as a JSON string, not bytes. */
static bool
is_printable_utf8(struct sv v)
{
    const unsigned char *p = (const unsigned char *)v.p;
    size_t i = 0;

    while (i < v.len) {
        if (p[i] < 0x80) {
            if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') ||
                p[i] == 0x7f) {
                return false;
            }
            i++;
            continue;
        }
        size_t n = utf8_seq_len(p + i, v.len - i);
        if (n == 0) {
            return false;
        }
        i += n;
    }
    return true;
}

static void
add_value(struct buf *b, const char *name, struct sv v)
{
    buf_add_cstr(b, ",\"");
    buf_add_cstr(b, name);
    buf_add_cstr(b, "\":");
    if (is_printable_utf8(v)) {
        buf_add_char(b, '"');
        escape_json(b, v);
        buf_add_char(b, '"');
        return;
    }
    buf_add_char(b, '[');
    for (size_t i = 0; i < v.len; i++) {
        if (i > 0) {
            buf_add_char(b, ',');
        }
        buf_add_i64(b, (unsigned char)v.p[i]);
    }
    buf_add_char(b, ']');
}

/* Builds the JSON line of the current entry.  Returns 0 or -1. */
static int
build_line(struct journal_reader *r, char *err, size_t errlen)
{
    uint64_t usec;
    int rc = sd_journal_get_realtime_usec(r->j, &usec);

    if (rc < 0) {
        snprintf(err, errlen, "journal: cannot read entry time: %s",
                 strerror(-rc));
        return -1;
    }
    buf_clear(&r->line);
    buf_add_cstr(&r->line, "{\"__REALTIME_TIMESTAMP\":\"");
    buf_add_i64(&r->line, (long long)usec);
    buf_add_char(&r->line, '"');

    for (int f = 0; f < JOURNALD_FIELD_COUNT; f++) {
        const char *name = journald_field_name((enum journald_field)f);
        const void *data;
        size_t len;

        if (f == JOURNALD_REALTIME ||
            sd_journal_get_data(r->j, name, &data, &len) < 0) {
            continue;
        }
        /* data is "NAME=value". */
        size_t skip = strlen(name) + 1;
        if (len < skip) {
            continue;
        }
        add_value(&r->line, name,
                  sv_make((const char *)data + skip, len - skip));
    }
    buf_add_char(&r->line, '}');
    return 0;
}

/* ---- line provider ----------------------------------------------------- */

/* Moves to the next entry: after the saved cursor on the first call. */
static int
advance(struct journal_reader *r)
{
    if (r->positioned || r->start_cursor == NULL) {
        r->positioned = true;
        return sd_journal_next(r->j);
    }
    r->positioned = true;

    int rc = sd_journal_seek_cursor(r->j, r->start_cursor);
    if (rc < 0) {
        r->bad_cursor = true;
        return rc;
    }
    rc = sd_journal_next(r->j);
    if (rc <= 0) {
        return rc;
    }
    /* The saved entry itself was read last time; when it is gone (the
     * journal was rotated or vacuumed) this is the first entry after it. */
    if (sd_journal_test_cursor(r->j, r->start_cursor) > 0) {
        rc = sd_journal_next(r->j);
    }
    return rc;
}

static int
reader_next(void *arg, struct sv *line, char *err, size_t errlen)
{
    struct journal_reader *r = arg;

    if (r->done) {
        return 0;
    }
    int rc = advance(r);
    if (rc < 0 && r->bad_cursor && r->pos != NULL) {
        snprintf(err, errlen, "state file %s holds an invalid journal "
                 "cursor (%s); to read the journal from the first entry, "
                 "run: sqlite3 %s 'DELETE FROM journal_cursor'",
                 r->pos->store, strerror(-rc), r->pos->store);
        return -1;
    }
    if (rc < 0 && r->bad_cursor) {
        snprintf(err, errlen, "%s: invalid journal cursor (%s); remove the "
                 "file to read from the first entry", r->cursor_path,
                 strerror(-rc));
        return -1;
    }
    if (rc < 0) {
        snprintf(err, errlen, "journal: cannot read the next entry: %s",
                 strerror(-rc));
        return -1;
    }
    if (rc == 0) {
        r->done = true;
        if (r->pos != NULL) {
            r->pos->last = r->last_cursor;
            r->pos->at_end = true;
            r->last_cursor = NULL;
        }
        if (r->cursor_path != NULL && r->last_cursor != NULL &&
            cursor_write(r->cursor_path, r->last_cursor, err, errlen) < 0) {
            return -1;
        }
        return 0;
    }

    char *cursor = NULL;
    if ((r->cursor_path != NULL || r->pos != NULL) &&
        (rc = sd_journal_get_cursor(r->j, &cursor)) < 0) {
        snprintf(err, errlen, "journal: cannot read the entry cursor: %s",
                 strerror(-rc));
        return -1;
    }
    if (cursor != NULL) {
        free(r->last_cursor);
        r->last_cursor = cursor;
    }
    if (build_line(r, err, errlen) < 0) {
        return -1;
    }
    *line = sv_make(r->line.data, r->line.len);
    return 1;
}

static void
reader_close(void *arg)
{
    struct journal_reader *r = arg;

    if (r == NULL) {
        return;
    }
    if (r->j != NULL) {
        sd_journal_close(r->j);
    }
    buf_fini(&r->line);
    free(r->cursor_path);
    free(r->start_cursor);
    free(r->last_cursor);
    free(r);
}

/* Restricts the journal to entries of the sshd programs. */
static int
add_matches(sd_journal *j)
{
    static const char *const fields[] = { "_COMM", "SYSLOG_IDENTIFIER" };
    char match[64];
    int rc;

    for (size_t f = 0; f < 2; f++) {
        if (f > 0 && (rc = sd_journal_add_disjunction(j)) < 0) {
            return rc;
        }
        for (size_t i = 0; i < 3; i++) {
            int n = snprintf(match, sizeof(match), "%s=%s", fields[f],
                             sshd_programs[i]);
            if ((rc = sd_journal_add_match(j, match, (size_t)n)) < 0) {
                return rc;
            }
        }
    }
    return 0;
}

int
journal_source_key(const char *dir, char *out, size_t cap, char *err,
                   size_t errlen)
{
    int n;

    if (dir != NULL) {
        char *path = realpath(dir, NULL);
        if (path == NULL) {
            snprintf(err, errlen, "%s: cannot resolve the journal directory: "
                     "%s", dir, strerror(errno));
            return -1;
        }
        n = snprintf(out, cap, "directory:%s", path);
        free(path);
    } else {
        sd_id128_t id;
        char text[SD_ID128_STRING_MAX];
        int rc = sd_id128_get_machine(&id);
        if (rc < 0) {
            snprintf(err, errlen, "system journal: cannot read the machine "
                     "ID: %s", strerror(-rc));
            return -1;
        }
        n = snprintf(out, cap, "system:%s", sd_id128_to_string(id, text));
    }
    if (n < 0 || (size_t)n >= cap) {
        snprintf(err, errlen, "%s: journal directory path too long", dir);
        return -1;
    }
    return 0;
}

/* Takes the starting cursor from the cursor file or from pos. */
static int
load_start(struct journal_reader *r, const char *cursor_path,
           struct journal_position *pos, char *err, size_t errlen)
{
    if (pos != NULL) {
        r->pos = pos;
        pos->last = NULL;
        pos->at_end = false;
        if (pos->start != NULL &&
            (r->start_cursor = strdup(pos->start)) == NULL) {
            snprintf(err, errlen, "journal: out of memory");
            return -1;
        }
        return 0;
    }
    if (cursor_path == NULL) {
        return 0;
    }
    r->cursor_path = strdup(cursor_path);
    if (r->cursor_path == NULL) {
        snprintf(err, errlen, "journal: out of memory");
        return -1;
    }
    return cursor_read(cursor_path, &r->start_cursor, err, errlen);
}

struct source *
journal_source_open(const char *dir, const char *cursor_path,
                    struct journal_position *pos,
                    const struct source_opts *opts, char *err, size_t errlen)
{
    struct journal_reader *r = calloc(1, sizeof(*r));
    const char *name = dir ? dir : "system journal";
    int rc;

    if (r == NULL) {
        snprintf(err, errlen, "journal: out of memory");
        return NULL;
    }
    buf_init(&r->line, JOURNAL_LINE_MAX);
    if (load_start(r, cursor_path, pos, err, errlen) < 0) {
        reader_close(r);
        return NULL;
    }

    rc = dir ? sd_journal_open_directory(&r->j, dir, 0)
             : sd_journal_open(&r->j, SD_JOURNAL_LOCAL_ONLY);
    if (rc < 0) {
        snprintf(err, errlen, "%s: cannot open journal: %s", name,
                 strerror(-rc));
        reader_close(r);
        return NULL;
    }
    if ((rc = sd_journal_set_data_threshold(r->j, JOURNAL_FIELD_MAX)) < 0 ||
        (rc = add_matches(r->j)) < 0) {
        snprintf(err, errlen, "%s: cannot set up journal reading: %s", name,
                 strerror(-rc));
        reader_close(r);
        return NULL;
    }

    struct source_opts so = *opts;
    so.format = format_find("journald");
    struct line_provider provider = { reader_next, reader_close, r };
    char label[512];
    snprintf(label, sizeof(label), "journal:%s", dir ? dir : "system");
    return source_open_provider(label, &provider, &so, err, errlen);
}
