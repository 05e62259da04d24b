/*
 * The sshd message parser, shared by every format whose lines carry
 * OpenSSH's messages behind their own header (syslog, ESXi auth.log, the
 * macOS unified log, journald).
 */
#ifndef SSHTRAIL_SSHD_H
#define SSHTRAIL_SSHD_H

#include "event/event.h"
#include "formats/format.h"
#include "formats/syslog_header.h"

/*
 * Parses h->message as an sshd message and emits one event built in ev
 * (reset first; the caller owns it and may reuse it).  Time, host, program
 * and pid come from h; a missing host takes opts->default_host.  The
 * caller has already decided that the line is from an sshd program.
 * Returns PARSE_OK, or PARSE_SKIP / PARSE_MALFORMED with *reason set.
 */
enum parse_status sshd_parse_message(struct event *ev,
                                     const struct format_opts *opts,
                                     const struct syslog_header *h,
                                     const struct event_origin *origin,
                                     const struct event_sink *sink,
                                     const char **reason);

/*
 * Returns true for "sshd", "sshd-session" and "sshd-auth".  Inline,
 * because the parsers call it for every line.
 */
static inline bool
sshd_is_program(struct sv program)
{
    return sv_eq_cstr(program, "sshd") ||
           sv_eq_cstr(program, "sshd-session") ||
           sv_eq_cstr(program, "sshd-auth");
}

#endif
