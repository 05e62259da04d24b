/*
 * Built-in markers of well-known automation over SSH: Ansible module runs,
 * sftp file transfer and rsync in server mode.  A session whose every
 * execution carries one marker's signature is suppressed as an allowlist
 * entry would suppress it.  The finding is still written, marked with the
 * marker's reason, so audits can review it.  The configuration key
 * automation_markers chooses which markers are in use.
 */
#ifndef SSHTRAIL_AUTOMATION_H
#define SSHTRAIL_AUTOMATION_H

#include "config/config.h"
#include "correlate/session.h"

struct automation_marker {
    const char *name;           /* ansible, sftp, rsync */
    const char *reason;
};

struct automation;

/* Compiles the markers' expressions.  Returns NULL with a message in err. */
struct automation *automation_new(char *err, size_t n);
void automation_free(struct automation *a);

/*
 * Returns the marker whose signature every execution of s carries, or NULL
 * when none does (also for a session without executions).  Executions PAM
 * runs at login (the update-motd scripts) are left out of the comparison.
 * Matches share one match block in a, so calls on one a must not overlap.
 */
const struct automation_marker *automation_match(const struct automation *a,
                                                 const struct config *cfg,
                                                 const struct session *s);

#endif
