/*
 * Reads sshd's entries straight from systemd journal files through
 * libsystemd's sd-journal API and hands them to the journald format as
 * `journalctl -o json` lines, one per entry.
 *
 * Only entries whose _COMM or SYSLOG_IDENTIFIER is sshd, sshd-session or
 * sshd-auth are read.  With a cursor file the reader starts after the
 * entry it names and, at the end of the journal, writes the cursor of the
 * last entry read back to it.
 */
#ifndef SSHTRAIL_JOURNAL_H
#define SSHTRAIL_JOURNAL_H

#include <stddef.h>

#include "input/source.h"

/* Largest cursor file accepted, in bytes. */
#define JOURNAL_MAX_CURSOR 4096

/*
 * Opens the journal files in dir (NULL: the local system journal) as a
 * source parsed by the journald format; opts->format is ignored.
 * cursor_path may be NULL.  A cursor file that does not exist yet means
 * "from the first entry".  Returns NULL with a message in err when the
 * journal or the cursor cannot be opened.
 */
struct source *journal_source_open(const char *dir, const char *cursor_path,
                                   const struct source_opts *opts,
                                   char *err, size_t errlen);

#endif
