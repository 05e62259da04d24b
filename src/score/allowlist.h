/*
 * Allowlist matching: whether a finished session is covered by one of the
 * configuration's allowlist entries.  An entry covers a session when every
 * criterion it gives holds, and until the end of its expiry date.
 *
 * All times are the session's own (event time), never the clock, so a
 * replay of old logs applies the entries that were valid back then.
 */
#ifndef SSHTRAIL_ALLOWLIST_H
#define SSHTRAIL_ALLOWLIST_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "correlate/session.h"

/*
 * Returns the index in cfg->allowlist of the first entry that covers s at
 * event time now, or -1.  The criteria an entry may give:
 * - account: fnmatch glob on the login account;
 * - source: the source address lies in the CIDR (IPv4-mapped IPv6
 *   addresses count as IPv4); a source logged as a name never matches;
 * - host: glob or group:NAME on the canonical host name;
 * - command: the anchored PCRE2 expression matches the whole command line
 *   of EVERY execution of the session, so one unexpected command makes the
 *   entry not apply.  A session with no executions, with executions dropped
 *   at the session limit, or with a command line longer than
 *   PATTERNS_MAX_TEXT does not match a command entry;
 * - days and hours: the login time, in the configuration's time zone.
 * An entry whose expiry date (in that zone) is before now's date never
 * matches.  When expired_index is not NULL it receives the index of the
 * first expired entry that would otherwise have covered s, or -1, so the
 * caller can warn that an exception has lapsed.
 */
int allowlist_match(const struct config *cfg, const struct session *s,
                    const struct event_time *now, int *expired_index);

/* Tests whether entry e has expired at event time now. */
bool allowlist_is_expired(const struct config *cfg,
                          const struct config_allow *e,
                          const struct event_time *now);

/*
 * Writes the indexes of the entries expired at now into out (up to max)
 * and returns how many entries are expired, which may exceed max.
 */
int allowlist_expired(const struct config *cfg, const struct event_time *now,
                      uint32_t *out, int max);

#endif
