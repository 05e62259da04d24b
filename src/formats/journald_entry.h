/*
 * One journal entry as the journald format sees it: the few fields that
 * sshtrail uses, collected from any of the textual exports (JSON lines,
 * pretty JSON, a JSON array, or the export format) before the entry is
 * turned into an event.
 *
 * Values are views.  A JSON reader points them into its parsed document;
 * the export reader and byte-array values copy into the entry's per-field
 * store, which is bounded by EVENT_MAX_BYTES per field.
 */
#ifndef SSHTRAIL_JOURNALD_ENTRY_H
#define SSHTRAIL_JOURNALD_ENTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/sv.h"

enum journald_field {
    JOURNALD_MESSAGE,
    JOURNALD_SYSLOG_IDENTIFIER,
    JOURNALD_COMM,
    JOURNALD_PID,
    JOURNALD_SYSLOG_PID,
    JOURNALD_HOSTNAME,
    JOURNALD_REALTIME,
    JOURNALD_AUDIT_SESSION,
    JOURNALD_AUDIT_LOGINUID,
    JOURNALD_CMDLINE,
    JOURNALD_EXE,
    JOURNALD_FIELD_COUNT
};

struct journald_entry {
    struct sv value[JOURNALD_FIELD_COUNT];
    bool present[JOURNALD_FIELD_COUNT];
    /* JSON null: journalctl withheld the value (too large, or unset). */
    bool null[JOURNALD_FIELD_COUNT];
    struct buf store[JOURNALD_FIELD_COUNT];
};

void journald_entry_init(struct journald_entry *e);
void journald_entry_fini(struct journald_entry *e);

/* Forgets all values and keeps the stores' memory for the next entry. */
void journald_entry_reset(struct journald_entry *e);

/*
 * Returns the field named name ("MESSAGE", "_PID", ...), or -1 for a
 * field sshtrail does not use.
 */
int journald_field_find(struct sv name);

/* Returns the journal name of field f. */
const char *journald_field_name(enum journald_field f);

/*
 * Copies value into field f's store and points the field at the copy.
 * The first value of a field wins; later ones are ignored, as journalctl
 * shows a field's first value first.
 */
void journald_entry_set_copy(struct journald_entry *e, enum journald_field f,
                             struct sv value);

#endif
