/*
 * Internal contract between the correlator's files: correlator.c (tables,
 * session life cycle, login and close records), link.c (executions) and
 * context.c (network sensors, ESXi SSH switches, clock offsets).  Nothing
 * outside src/correlate includes this header.
 */
#ifndef SSHTRAIL_CORRELATE_INTERNAL_H
#define SSHTRAIL_CORRELATE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/fifomap.h"
#include "correlate/failtab.h"
#include "correlate/sesmarks.h"
#include "core/hmap.h"
#include "correlate/correlator.h"

/* Maximum table key length; longer host names and addresses are cut. */
#define KEY_MAX 320

/* Values of the audit-session mark table: a login that is not SSH, and an
 * SSH session already finished.  Only their addresses are compared. */
extern const char corr_marker_other_login;
extern const char corr_marker_ended;

struct key {
    char bytes[KEY_MAX];
    size_t len;
};

struct pending_login {
    int64_t auid;
    int64_t ses;
    struct event_time time;     /* of the LOGIN record */
};

struct correlator {
    struct correlator_opts opts;
    struct session_sink sink;
    struct correlator_stats stats;

    struct event_time watermark;
    bool has_watermark;
    int64_t last_idle_scan_ms;
    uint64_t next_seq;

    /* Open sessions sorted by start, oldest first. */
    struct session *open_head, *open_tail;
    uint32_t nopen;

    struct hmap by_pid;         /* host/pid -> open session */
    struct hmap by_ses;         /* host/ses -> open session */
    struct hmap by_port;        /* host/addr/port -> open session */
    struct hmap by_conn;        /* addr/port on any host -> open session */
    struct fifomap ssh_enabled; /* host -> time SSH was last switched on */
    struct hmap procs;          /* host/pid of a linked process -> session */
    struct sesmarks ses_marks;  /* host/ses -> corr_marker_other_login/ended */
    struct failtab failures;    /* host/addr -> struct failure_count */
    struct fifomap pending;     /* host/pid -> struct pending_login */

    /* Open sessions with an end, a min-heap by end, so finish_due looks
     * only at those due. */
    struct session **ended;
    uint32_t nended;
    uint32_t ended_cap;

    /* Finished sessions waiting for older open ones, a min-heap by start. */
    struct session **done;
    uint32_t ndone;
    uint32_t done_cap;

    /* Freed sessions kept with their arrays for the next new ones, linked
     * through next_open. */
    struct session *spare;
    uint32_t nspare;
};

struct sv corr_key_sv(const struct key *k);
struct sv corr_make_key_num(struct key *k, struct sv host, char tag, int64_t v);
struct sv corr_make_key_port(struct key *k, struct sv host, struct sv addr,
                             int64_t port);
struct sv corr_make_key_addr(struct key *k, struct sv host, struct sv addr);
struct sv corr_basename_sv(struct sv path);
bool corr_is_sshd(const struct event *ev);
bool corr_has_audit_session(const struct event *ev);
bool corr_is_from_audit(const struct event *ev);
unsigned corr_source_bit(const struct event *ev);
bool corr_is_esxi_shell(const struct event *ev);
struct sv corr_session_host(const struct session *s);
void corr_index_put(struct correlator *c, struct hmap *m, struct sv key,
                    struct session *s);
void corr_index_del(struct hmap *m, struct sv key, const struct session *s);
void corr_procs_put(struct correlator *c, struct session *s, struct sv host,
                    char tag, int64_t pid);
void corr_add_mark(struct session *s, const struct event *ev);
void corr_touch(struct session *s, const struct event *ev);
void corr_fill_str(struct session *s, const struct event *ev, enum event_str f);
void corr_fill_num(struct session *s, const struct event *ev, enum event_num f);
void corr_set_ses(struct correlator *c, struct session *s, int64_t ses);
struct session *corr_new_session(struct correlator *c, const struct event *ev);
struct session *corr_find_by_pid(struct correlator *c, const struct event *ev);
struct session *corr_find_by_ses(struct correlator *c, const struct event *ev);
struct session *corr_find_by_port(struct correlator *c, const struct event *ev);
struct session *corr_find_session(struct correlator *c, const struct event *ev);
void corr_add_exec(struct correlator *c, struct session *s,
                   const struct event *ev, enum linkage how);
struct session *corr_find_user_session(struct correlator *c, struct sv host,
                                       struct sv user,
                                       const struct event_time *t);
void corr_on_exec(struct correlator *c, const struct event *ev);
void corr_on_net_ssh(struct correlator *c, const struct event *ev);
void corr_on_ssh_enabled(struct correlator *c, const struct event *ev);
void corr_mark_ssh_enabled(struct correlator *c, struct session *s);
void corr_measure_skew(struct correlator *c, struct session *s,
                       const struct event *ev);

#endif
