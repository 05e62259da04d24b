/*
 * Reads sshd's entries straight from systemd journal files through
 * libsystemd's sd-journal API and hands them to the journald format as
 * `journalctl -o json` lines, one per entry.
 *
 * Only entries whose _COMM or SYSLOG_IDENTIFIER is sshd, sshd-session or
 * sshd-auth are read.  The reader can resume in two ways.  With a cursor
 * file it starts after the entry the file names and, at the end of the
 * journal, writes the cursor of the last entry read back to it.  With a
 * struct journal_position it starts after the given cursor and hands the
 * last cursor back to the caller, who saves it (in the state store) once
 * the entries are used.
 */
#ifndef SSHTRAIL_JOURNAL_H
#define SSHTRAIL_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "input/source.h"

/* Largest cursor file accepted, in bytes. */
#define JOURNAL_MAX_CURSOR 4096

/* Largest source name journal_source_key writes, with its NUL. */
#define JOURNAL_MAX_KEY 4200

/*
 * The start and end position of a journal read, for a caller that keeps
 * the cursor itself.  The reader fills last and at_end from its own
 * thread, so read them only once source_peek has returned 0.
 */
struct journal_position {
    const char *start;      /* cursor to resume after; NULL: first entry */
    const char *store;      /* state file path, named in errors */
    char *last;             /* set at the end: the last entry's cursor, or
                               NULL when no entry was read; caller frees */
    bool at_end;            /* the reader reached the end of the journal */
};

/*
 * Opens the journal files in dir (NULL: the local system journal) as a
 * source parsed by the journald format; opts->format is ignored.
 * cursor_path and pos may each be NULL, and at most one may be given.  A
 * cursor file that does not exist yet means "from the first entry".
 * Returns NULL with a message in err when the journal or the cursor
 * cannot be opened.
 */
struct source *journal_source_open(const char *dir, const char *cursor_path,
                                   struct journal_position *pos,
                                   const struct source_opts *opts,
                                   char *err, size_t errlen);

/*
 * Writes the name under which the state store keeps the cursor of the
 * journal in dir.  For a directory it is "directory:" and the absolute
 * path without symbolic links.  For the system journal (dir NULL) it is
 * "system:" and the machine ID, because a cursor only fits the machine
 * that wrote it.  Returns 0, or -1 with a message in err when the path
 * cannot be resolved or the machine ID read.
 */
int journal_source_key(const char *dir, char *out, size_t cap, char *err,
                       size_t errlen);

#endif
