/*
 * Turns complete audit record groups into sshtrail events: execve and
 * execveat system calls become EVENT_EXEC, LOGIN becomes
 * EVENT_LOGIN_ASSIGN, and the PAM and sshd user-space records (USER_AUTH,
 * USER_ACCT, CRED_ACQ, CRED_DISP, USER_START, USER_END, USER_LOGIN,
 * USER_LOGOUT) become the matching authentication and session events.
 * Groups of any other shape produce nothing, and those without a SYSCALL
 * record are counted as not understood.
 */
#ifndef SSHTRAIL_AUDIT_BUILD_H
#define SSHTRAIL_AUDIT_BUILD_H

#include <stddef.h>

#include "event/event.h"
#include "formats/audit_group.h"
#include "formats/format.h"

/* Reused state for building events: the event and a decoding buffer. */
struct audit_builder {
    struct event ev;
    char *scratch;
    size_t scratch_cap;
    const char *default_host;   /* host when a record has no node=, or NULL */
};

void audit_builder_init(struct audit_builder *b, const char *default_host);
void audit_builder_fini(struct audit_builder *b);

/* Reason counted for a group that has records but no SYSCALL record. */
#define AUDIT_REASON_NO_SYSCALL "audit event without its SYSCALL record"

/*
 * Emits the events of one complete group into sink and returns their
 * count.  A SYSCALL record whose exec mark is set is not tested again.
 * A group that yields no event and has no SYSCALL record is passed to
 * sink->count as PARSE_MALFORMED (not understood, as its process and
 * session are unknown) with AUDIT_REASON_NO_SYSCALL at the origin of its
 * first record.
 */
int audit_build_group(struct audit_builder *b, const struct audit_group *g,
                      const struct event_sink *sink);

/*
 * Appends to ev the argv of g's EXECVE records: quoted, bare and hex
 * arguments and aN_len/aN[i] chunks, which may span records.  Marks ev
 * truncated when argc promises more arguments than the records hold.
 * Without EXECVE records it falls back to the PROCTITLE record (hex text
 * with NUL between arguments).  Returns false when g has neither.
 */
bool audit_build_argv(struct audit_builder *b, const struct audit_group *g,
                      struct event *ev);

/*
 * Returns true when a SYSCALL record is execve or execveat: by number for
 * the architectures in the built-in table, or by name in the interpreted
 * form ("syscall=execve").
 */
bool audit_syscall_is_exec(const struct audit_record *rec);

/* Returns true for the user-space record types audit_build_group uses. */
bool audit_type_is_user_event(int type);

#endif
