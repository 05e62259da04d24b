/*
 * Diagnostics of the command line on stderr.  Messages often repeat a file
 * name or other text from the command line or the input, so every message
 * is escaped as a whole with escape_text (core/escape.h).  A control byte
 * or invalid UTF-8 in a name then cannot reach the terminal or split the
 * message into lines, and a format string must contain no newline.
 */
#ifndef SSHTRAIL_REPORT_H
#define SSHTRAIL_REPORT_H

#include <stdio.h>

/* Maximum message length in bytes before escaping; the rest is cut. */
#define REPORT_MAX 4096

/*
 * Writes "sshtrail: ", the escaped message and a newline to stderr.
 */
__attribute__((format(printf, 1, 2))) void report_error(const char *fmt,
                                                        ...);

/*
 * Writes the escaped message to f, with no prefix and no newline, for
 * the lines of the run summary.
 */
__attribute__((format(printf, 2, 3))) void report_text(FILE *f,
                                                       const char *fmt,
                                                       ...);

#endif
