/*
 * Tokenizer for Linux audit records: the record header (node, type, time
 * stamp and serial) and the key=value fields after it, in both the raw and
 * the ENRICHED log formats of auditd.
 *
 * Everything here scans the caller's line through views and never copies
 * or allocates, so the audit format parser and the libauparse differential
 * test share one reading of the text.  Grouping records into events lives
 * in audit_group.c; turning groups into sshtrail events in audit_build.c.
 */
#ifndef SSHTRAIL_AUDIT_RECORD_H
#define SSHTRAIL_AUDIT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sv.h"

/* Record type numbers this code acts on (linux/audit.h values). */
enum {
    AUDIT_T_LOGIN = 1006,
    AUDIT_T_USER_AUTH = 1100,
    AUDIT_T_USER_ACCT = 1101,
    AUDIT_T_CRED_ACQ = 1103,
    AUDIT_T_CRED_DISP = 1104,
    AUDIT_T_USER_START = 1105,
    AUDIT_T_USER_END = 1106,
    AUDIT_T_USER_LOGIN = 1112,
    AUDIT_T_USER_LOGOUT = 1113,
    AUDIT_T_SYSCALL = 1300,
    AUDIT_T_CWD = 1307,
    AUDIT_T_EXECVE = 1309,
    AUDIT_T_EOE = 1320,
    AUDIT_T_PROCTITLE = 1327,
    AUDIT_T_AVC = 1400,
    AUDIT_T_KERNEL = 2000
};

/*
 * Whether a SYSCALL record is execve or execveat, as the code that read
 * the line found with audit_syscall_is_exec.  The grouper keeps the mark
 * with the stored record, so the event builder does not test it again.
 */
enum audit_exec_mark {
    AUDIT_EXEC_UNKNOWN = 0,
    AUDIT_EXEC_NO,
    AUDIT_EXEC_YES
};

/* A record header.  Views point into the line given to audit_record_parse. */
struct audit_record {
    struct sv node;         /* node= value; p is NULL when there is none */
    struct sv type_name;    /* "SYSCALL", "UNKNOWN[1329]" */
    int type;               /* type number, or 0 for a name not in the table */
    int64_t sec;
    int32_t msec;
    uint64_t serial;
    struct sv body;         /* the text after "msg=audit(...):" */
    enum audit_exec_mark exec;  /* audit_record_parse sets UNKNOWN */
};

/*
 * Parses the header of one audit line:
 *
 *   node=web1 type=SYSCALL msg=audit(1615114232.375:15558): arch=c000003e
 *
 * The colon after the stamp may be missing (DAEMON_CONFIG writes
 * "msg=audit(...) config changed").  Returns true and fills *rec, or false
 * with *reason set to a static string such as "no msg=audit() stamp" and
 * only some fields of *rec set.
 */
bool audit_record_parse(struct sv line, struct audit_record *rec,
                        const char **reason);

/* Returns true for types auditd writes as one-record events from user space
 * (1100-1299 and 2100-2999) and for KERNEL (2000). */
bool audit_type_is_single(int type);

/* Returns the number of a type name such as "EXECVE", or 0 when unknown. */
int audit_type_from_name(struct sv name);

/* One key=value field. */
struct audit_field {
    struct sv key;
    struct sv value;        /* raw: quotes kept, hex not decoded */
    bool enriched;          /* after 0x1D, or an upper-case key after it */
    bool in_msg;            /* inside a user-space msg='...' part */
};

/*
 * Fields the iterator tokenizes in one pass.  SYSCALL records carry about
 * 30 and user-space records about 15, so most records take one pass.  A
 * longer record takes further passes that continue where the last ended.
 */
#define AUDIT_FIELD_BATCH 64

/*
 * A field iterator.  audit_fields_step and audit_fields_next return the
 * fields of batch[] in order and call audit_fields_refill when the batch
 * is used up.
 */
struct audit_field_iter {
    const char *p;          /* where the next batch's scan starts */
    const char *end;
    bool in_msg;            /* the scan at p is inside msg='...' */
    bool enriched;          /* the scan at p is past 0x1D or an upper key */
    uint32_t count;         /* fields in batch[] */
    uint32_t next;          /* index of the next field to return */
    struct audit_field batch[AUDIT_FIELD_BATCH];
};

/* Starts iterating the fields of rec's body. */
void audit_fields_init(struct audit_field_iter *it,
                       const struct audit_record *rec);

/*
 * Tokenizes up to AUDIT_FIELD_BATCH fields from it->p into it->batch and
 * returns false when none is left.  Words without '=' ("user", "PAM:",
 * "old", ":") are skipped, the fields inside msg='...' are stored one by
 * one with in_msg set, and the audit 1.x punctuation "(hostname=?, ...
 * res=success)" is dropped from keys and values.
 */
bool audit_fields_refill(struct audit_field_iter *it);

/*
 * Returns the next field, or NULL at the end of the record (see
 * audit_fields_refill for what counts as a field).  The field stays valid
 * until the next call with it.
 */
static inline const struct audit_field *
audit_fields_step(struct audit_field_iter *it)
{
    if (it->next == it->count && !audit_fields_refill(it)) {
        return NULL;
    }
    return &it->batch[it->next++];
}

/* Stores the next field in *f and returns true, or returns false at the
 * end of the record. */
static inline bool
audit_fields_next(struct audit_field_iter *it, struct audit_field *f)
{
    const struct audit_field *next = audit_fields_step(it);

    if (next == NULL) {
        return false;
    }
    *f = *next;
    return true;
}

/* Finds the first raw (not enriched) field named key; false when absent. */
bool audit_field_find(const struct audit_record *rec, const char *key,
                      struct sv *value);

/* Returns true when key names a field auditd may hex-encode (acct, exe,
 * cwd, comm, name, path, proctitle, cmd, data, aN, aN[i], ...). */
bool audit_key_is_encodable(struct sv key);

/* Returns true for a value in double quotes, which audit_value_decode
 * returns without its quotes. */
static inline bool
audit_value_is_quoted(struct sv raw)
{
    return raw.len >= 2 && raw.p[0] == '"' && raw.p[raw.len - 1] == '"';
}

/*
 * Decodes a raw value into out, which must hold raw.len bytes: a quoted
 * value loses its quotes, a value of an encodable key that is an even
 * number of hex digits is hex-decoded, anything else is copied as it is.
 * Returns the decoded view (into out, or into raw when nothing changed).
 */
struct sv audit_value_decode(struct sv key, struct sv raw, char *out);

/* Returns true for a value of an even number (at least 2) of hex digits. */
bool audit_is_hex(struct sv v);

#endif
