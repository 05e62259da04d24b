/* Field table and value storage of one journal entry. */
#include "formats/journald_entry.h"

#include "event/event.h"

/* Journal names, in the order of enum journald_field. */
static const char *const field_names[JOURNALD_FIELD_COUNT] = {
    "MESSAGE",
    "SYSLOG_IDENTIFIER",
    "_COMM",
    "_PID",
    "SYSLOG_PID",
    "_HOSTNAME",
    "__REALTIME_TIMESTAMP",
    "_AUDIT_SESSION",
    "_AUDIT_LOGINUID",
    "_CMDLINE",
    "_EXE",
};

void
journald_entry_init(struct journald_entry *e)
{
    memset(e, 0, sizeof(*e));
    for (int f = 0; f < JOURNALD_FIELD_COUNT; f++) {
        buf_init(&e->store[f], EVENT_MAX_BYTES);
    }
}

void
journald_entry_fini(struct journald_entry *e)
{
    for (int f = 0; f < JOURNALD_FIELD_COUNT; f++) {
        buf_fini(&e->store[f]);
    }
}

void
journald_entry_reset(struct journald_entry *e)
{
    for (int f = 0; f < JOURNALD_FIELD_COUNT; f++) {
        e->value[f] = SV_NULL;
        e->present[f] = false;
        e->null[f] = false;
        buf_clear(&e->store[f]);
    }
}

/* Lengths of field_names, so most names are rejected without a compare. */
static const unsigned char field_lens[JOURNALD_FIELD_COUNT] = {
    7, 17, 5, 4, 10, 9, 20, 14, 15, 8, 4,
};

int
journald_field_find(struct sv name)
{
    /* Every name sshtrail uses starts with 'M', 'S' or '_'. */
    if (name.len < 4 || name.len > 20 ||
        (name.p[0] != 'M' && name.p[0] != 'S' && name.p[0] != '_')) {
        return -1;
    }
    for (int f = 0; f < JOURNALD_FIELD_COUNT; f++) {
        if (field_lens[f] == name.len &&
            memcmp(name.p, field_names[f], name.len) == 0) {
            return f;
        }
    }
    return -1;
}

const char *
journald_field_name(enum journald_field f)
{
    return field_names[f];
}

void
journald_entry_set_copy(struct journald_entry *e, enum journald_field f,
                        struct sv value)
{
    if (e->present[f]) {
        return;
    }
    buf_clear(&e->store[f]);
    buf_add_sv(&e->store[f], value);
    e->value[f] = sv_make(e->store[f].data ? e->store[f].data : "",
                          e->store[f].len);
    e->present[f] = true;
}
