/*
 * Message parsers of the ESXi format for the programs that are not sshd:
 * the ESXi Shell command log (shell), the host agent (hostd), the VMkernel
 * observation daemon (vobd) and vCenter's vpxd.
 *
 * esxi.c splits each line into a syslog header and decides the program;
 * the functions here recognise the message and emit at most one event.
 * They share one parser state so that vobd can drop the second copy of an
 * observation and shell can unescape structured-data values.
 */
#ifndef SSHTRAIL_ESXI_MSG_H
#define SSHTRAIL_ESXI_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "event/event.h"
#include "formats/format.h"
#include "formats/syslog_header.h"

/* State the message parsers keep for one input. */
struct esxi_msg_state {
    struct event ev;            /* reused for every line */
    struct buf value;           /* an unescaped structured-data value */
    bool has_vob;               /* the fields below describe a vobd event */
    uint64_t vob_us;            /* its uptime counter in microseconds */
    enum event_kind vob_kind;
};

/* A line handed to a message parser: its header and where it came from. */
struct esxi_msg_line {
    const struct syslog_header *h;
    const struct event_origin *origin;
    const struct event_sink *sink;
};

void esxi_msg_init(struct esxi_msg_state *st);
void esxi_msg_fini(struct esxi_msg_state *st);

/*
 * Resets st->ev and fills what every event of line l carries: time,
 * origin, the logged host (left absent when the line names none) and the
 * pid (the ESXi world id).  Returns st->ev.
 */
struct event *esxi_msg_begin(struct esxi_msg_state *st,
                             const struct esxi_msg_line *l,
                             enum event_kind kind);

/*
 * Stores addr as EVENT_SRC_IP in its inet_ntop form when it is an IPv4 or
 * IPv6 address, else as logged.
 */
void esxi_msg_set_addr(struct event *ev, struct sv addr);

/*
 * Parses a shell.log message: "[root]: esxcli system version get", or the
 * ESXi 8 audit form "[shell.cmd@6876 subject=\"root\" command=\"...\"
 * result=\"success\" ...]" in the message or in RFC 5424 structured data.
 * Emits one EVENT_EXEC whose pid is the shell's world id.
 */
enum parse_status esxi_msg_shell(struct esxi_msg_state *st,
                                 const struct esxi_msg_line *l,
                                 const char **reason);

/*
 * Parses a hostd message (after any "[Originator@6876 ...]" tag): web,
 * API and SDK logins, SSH service switches and relayed SSH session events.
 */
enum parse_status esxi_msg_hostd(struct esxi_msg_state *st,
                                 const struct esxi_msg_line *l,
                                 const char **reason);

/*
 * Parses a vobd message: "[UserLevelCorrelator] 1012726884193us:
 * [vob.user.ssh.session.opened] SSH session was opened for 'root@A'.".
 * A second line with the same uptime counter and kind is skipped, because
 * vobd logs an observation and the event derived from it alike.
 */
enum parse_status esxi_msg_vobd(struct esxi_msg_state *st,
                                const struct esxi_msg_line *l,
                                const char **reason);

/* Parses a vCenter vpxd message; only UserLoginSessionEvent is used. */
enum parse_status esxi_msg_vpxd(struct esxi_msg_state *st,
                                const struct esxi_msg_line *l,
                                const char **reason);

/* Returns true when message is the start of a vobd.log message body. */
bool esxi_msg_is_vob(struct sv message);

#endif
