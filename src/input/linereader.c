/* Bounded line reader over read(2). */
#include "input/linereader.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define BLOCK (256u * 1024u)

int
linereader_init(struct linereader *r, int fd)
{
    memset(r, 0, sizeof(*r));
    r->fd = fd;
    r->cap = LINEREADER_MAX_LINE + BLOCK;
    r->buf = malloc(r->cap);
    return r->buf ? 0 : -1;
}

void
linereader_fini(struct linereader *r)
{
    free(r->buf);
    r->buf = NULL;
}

/* Reads more bytes after moving unread ones to the front.  Returns -1 on
 * error, 0 at EOF, 1 when bytes were added. */
static int
fill(struct linereader *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->end == r->cap) {
        return 1;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            r->error = errno;
            return -1;
        }
        if (n == 0) {
            r->eof = true;
            return 0;
        }
        r->end += (size_t)n;
        r->bytes += (uint64_t)n;
        return 1;
    }
}

/* Discards bytes up to and including the next LF. */
static int
skip_rest_of_line(struct linereader *r)
{
    for (;;) {
        char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
        if (nl != NULL) {
            r->start = (size_t)(nl - r->buf) + 1;
            return 0;
        }
        r->start = r->end = 0;
        int rc = fill(r);
        if (rc <= 0) {
            return rc;
        }
    }
}

int
linereader_next(struct linereader *r, struct sv *line, bool *truncated)
{
    size_t scanned = 0;

    *truncated = false;
    if (r->skip_pending) {
        /* The rest of the last, over-long line is dropped here rather than
         * before returning it, so its view stayed valid until now. */
        r->skip_pending = false;
        if (skip_rest_of_line(r) < 0) {
            return -1;
        }
    }
    for (;;) {
        char *p = r->buf + r->start;
        size_t avail = r->end - r->start;

        /* NUL bytes before a line are dropped as they arrive, so they do
         * not count towards its maximum.  A log truncated while it is
         * written (logrotate's copytruncate) keeps growing from the old
         * offset, so it starts with a hole of NUL bytes as large as the
         * file was. */
        if (scanned == 0 && avail > 0 && *p == '\0') {
            size_t nul = 1;
            while (nul < avail && p[nul] == '\0') {
                nul++;
            }
            r->start += nul;
            continue;
        }
        char *nl = memchr(p + scanned, '\n', avail - scanned);

        if (nl != NULL) {
            size_t len = (size_t)(nl - p);
            r->start += len + 1;
            if (len > 0 && p[len - 1] == '\r') {
                len--;
            }
            if (len > LINEREADER_MAX_LINE) {
                len = LINEREADER_MAX_LINE;
                *truncated = true;
            }
            *line = sv_make(p, len);
            r->line++;
            return 1;
        }
        scanned = avail;

        /* Past the maximum without a terminator: the line is too long.  At
         * exactly the maximum the next byte may still be its LF. */
        if (avail > LINEREADER_MAX_LINE) {
            /* Return the first part; the bytes stay valid until the next
             * call because skipping happens then. */
            *line = sv_make(p, LINEREADER_MAX_LINE);
            *truncated = true;
            r->line++;
            r->start = r->end;
            r->skip_pending = true;
            return 1;
        }
        if (r->eof) {
            if (avail == 0) {
                return 0;
            }
            r->start = r->end;
            if (p[avail - 1] == '\r') {
                avail--;
            }
            *line = sv_make(p, avail);
            r->line++;
            return 1;
        }
        int rc = fill(r);
        if (rc < 0) {
            return -1;
        }
        if (rc > 0) {
            /* fill moved the unread bytes to the front. */
            continue;
        }
    }
}

int
linereader_peek(struct linereader *r, size_t n, struct sv *head)
{
    if (n > r->cap) {
        n = r->cap;
    }
    while (r->end - r->start < n && !r->eof) {
        if (fill(r) < 0) {
            return -1;
        }
    }
    *head = sv_make(r->buf + r->start, r->end - r->start);
    return 0;
}

int
linereader_block(struct linereader *r, struct sv *block)
{
    if (r->end == r->start) {
        if (r->eof) {
            return 0;
        }
        r->start = r->end = 0;
        int rc = fill(r);
        if (rc <= 0) {
            return rc;
        }
    }
    *block = sv_make(r->buf + r->start, r->end - r->start);
    r->start = r->end;
    return 1;
}
