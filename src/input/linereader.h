/*
 * Reads lines from a file descriptor through one bounded buffer.
 *
 * A line longer than LINEREADER_MAX_LINE is returned cut to that length with
 * `truncated` set, and its remaining bytes are skipped, so memory never
 * grows with the input.  The line terminator (LF, and a CR before it) is
 * removed; a last line without a terminator is still returned.  NUL bytes
 * are data and pass through.
 *
 * A regular file is read through a window mapped with mmap(2) instead of
 * copied by read(2): the parser reads the page cache in place.  The window
 * moves forward one page-aligned stretch at a time, so the mapped part
 * stays LINEREADER_WINDOW bytes whatever the file's size.  A file cut
 * shorter while it is read (logrotate's copytruncate) makes reads of the
 * lost pages fault with SIGBUS; a handler maps zero-filled pages there,
 * and the reader ends at the file's new size, as read(2) would.  Other
 * descriptors (pipes, terminals, files that cannot be mapped) use read(2)
 * into one buffer.
 */
#ifndef SSHTRAIL_LINEREADER_H
#define SSHTRAIL_LINEREADER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/sv.h"

#define LINEREADER_MAX_LINE (1024u * 1024u)

/* The mapped window: larger than a line of the maximum plus a page, so a
 * window that ends before the file contains any line whole or shows it is
 * too long. */
#define LINEREADER_WINDOW (4u * 1024u * 1024u)

struct linereader {
    int fd;
    char *buf;
    size_t cap;
    size_t start;           /* first unread byte */
    size_t end;             /* one past the last byte read */
    bool eof;
    bool skip_pending;      /* the last line was cut; skip its rest */
    int error;              /* errno of a failed read, or 0 */
    uint64_t line;          /* number of the line last returned */
    uint64_t bytes;         /* bytes read so far */
    int guard;              /* mapped: the SIGBUS guard slot, else -1 */
    int64_t map_off;        /* mapped: file offset of buf[0] */
    int64_t first_off;      /* mapped: file offset where reading began */
};

/* Prepares a reader on fd (not closed by the reader), mapped when fd is a
 * regular file that is not empty, which it reads from its current offset.
 * Returns 0 or -1. */
int linereader_init(struct linereader *r, int fd);
void linereader_fini(struct linereader *r);

/*
 * Returns the next line in *line (valid until the next call) and whether it
 * was cut at the maximum.  Returns 1 for a line, 0 at end of input, -1 on a
 * read error (r->error holds errno).
 */
int linereader_next(struct linereader *r, struct sv *line, bool *truncated);

/*
 * Makes at least the first n bytes of the input available without
 * consuming them (fewer at end of input) and sets *head to them.  Only
 * valid before the first linereader_next or linereader_block call.
 * Returns 0, or -1 on a read error.
 */
int linereader_peek(struct linereader *r, size_t n, struct sv *head);

/*
 * Returns the next block of raw bytes, whatever its line structure, for
 * binary formats.  Returns 1 for a block, 0 at end of input, -1 on error.
 */
int linereader_block(struct linereader *r, struct sv *block);

#endif
