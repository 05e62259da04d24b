/*
 * Reader for the journal export format (`journalctl -o export`), fed one
 * line at a time.
 *
 * An entry is a run of "KEY=value" lines ended by a blank line.  A value
 * that is not plain text is written as "KEY", a newline, its length as a
 * 64-bit little-endian integer, the raw bytes and a newline; those bytes may
 * hold newlines themselves, so such a field spans several of the lines the
 * line reader returns and the reader keeps its place across calls.  Only
 * the fields listed in journald_entry.h are stored; the others are counted
 * past without copying.
 */
#ifndef SSHTRAIL_JOURNALD_EXPORT_H
#define SSHTRAIL_JOURNALD_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/sv.h"
#include "formats/journald_entry.h"

/* Largest binary field accepted; journald itself stores at most 768 MiB. */
#define JOURNALD_EXPORT_MAX_FIELD (768ull * 1024 * 1024)

enum journald_export_result {
    JOURNALD_EXPORT_MORE,       /* line used; the entry goes on */
    JOURNALD_EXPORT_ENTRY,      /* a blank line ended an entry */
    JOURNALD_EXPORT_BAD_LINE,   /* this line is not understood */
    JOURNALD_EXPORT_BAD_ENTRY   /* the entry ended and was damaged */
};

struct journald_export {
    struct journald_entry *entry;
    bool in_entry;              /* a field line was seen since the blank */
    uint64_t first_line;        /* line number of the entry's first field */
    const char *damage;         /* why the current entry is damaged, or NULL */

    /* A binary field in progress. */
    bool in_binary;
    int binary_field;           /* journald_field, or -1 when not stored */
    unsigned char size_bytes[8];
    unsigned size_len;          /* bytes of the size read so far */
    uint64_t size;              /* data length once size_len is 8 */
    uint64_t got;               /* data bytes read so far */
    bool started;               /* a line of the field's data was read */
};

/* Prepares a reader that fills entry (borrowed; reset by the reader). */
void journald_export_init(struct journald_export *x,
                          struct journald_entry *entry);

/*
 * Reads one line numbered line_no.  After JOURNALD_EXPORT_ENTRY the entry
 * is complete until the next call.  After the BAD results *reason names
 * the problem.
 */
enum journald_export_result journald_export_feed(struct journald_export *x,
                                                 struct sv line,
                                                 uint64_t line_no,
                                                 const char **reason);

/*
 * Ends the input: returns JOURNALD_EXPORT_ENTRY when a last entry was not
 * followed by a blank line, JOURNALD_EXPORT_BAD_ENTRY when it was cut
 * inside a binary field (or damaged), else JOURNALD_EXPORT_MORE.
 */
enum journald_export_result journald_export_finish(struct journald_export *x,
                                                   const char **reason);

#endif
