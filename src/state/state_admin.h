/*
 * Maintenance of a state file outside detection runs: listing what the
 * baselines learned and removing rows, optionally only those of one host
 * or one account.
 */
#ifndef SSHTRAIL_STATE_ADMIN_H
#define SSHTRAIL_STATE_ADMIN_H

#include <stdint.h>
#include <stdio.h>

/*
 * Writes one JSON object per learned row of the state file at path, table
 * by table, keeping rows whose host part is host and whose account part is
 * user (NULL keeps all).  A filter excludes tables without that part.
 * Sets *rows to the count written.  Returns 0, or -1 with a message in err.
 */
int state_admin_show(const char *path, const char *host, const char *user,
                     FILE *out, uint64_t *rows, char *err, size_t n);

/*
 * Deletes the rows state_admin_show would list, in one transaction, and
 * sets *rows to how many.  Returns 0, or -1 with a message in err.
 */
int state_admin_forget(const char *path, const char *host, const char *user,
                       uint64_t *rows, char *err, size_t n);

#endif
