/*
 * The journal export format, line by line.  Sample entry (a blank line
 * ends it; field order varies):
 *
 *   __REALTIME_TIMESTAMP=1714557600123456
 *   _HOSTNAME=srv
 *   SYSLOG_IDENTIFIER=sshd
 *   _PID=1234
 *   MESSAGE=Accepted publickey for alice from 192.0.2.7 port 50122 ssh2
 *
 * The line reader drops a CR that comes right before an LF.  Inside binary data
 * that loses bytes, so a binary field can arrive shorter than its stated
 * size; the reader notices when the next line no longer fits, keeps the
 * short value and reads that line as a field of its own.
 */
#include "formats/journald_export.h"

/* Longest field name journald accepts. */
#define FIELD_NAME_MAX 64

void
journald_export_init(struct journald_export *x, struct journald_entry *entry)
{
    memset(x, 0, sizeof(*x));
    x->entry = entry;
    x->binary_field = -1;
}

/* True for a journal field name: A-Z, 0-9 and '_', not starting with 0-9. */
static bool
is_field_name(struct sv name)
{
    if (name.len == 0 || name.len > FIELD_NAME_MAX ||
        (name.p[0] >= '0' && name.p[0] <= '9')) {
        return false;
    }
    for (size_t i = 0; i < name.len; i++) {
        char c = name.p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_')) {
            return false;
        }
    }
    return true;
}

static void
start_entry(struct journald_export *x, uint64_t line_no)
{
    if (!x->in_entry) {
        journald_entry_reset(x->entry);
        x->in_entry = true;
        x->first_line = line_no;
        x->damage = NULL;
    }
}

static void
start_binary(struct journald_export *x, struct sv name)
{
    int f = journald_field_find(name);

    x->in_binary = true;
    x->binary_field = (f >= 0 && !x->entry->present[f]) ? f : -1;
    if (x->binary_field >= 0) {
        buf_clear(&x->entry->store[f]);
    }
    x->size_len = 0;
    x->size = 0;
    x->got = 0;
    x->started = false;
}

/* Ends the binary field in progress and publishes its value. */
static void
end_binary(struct journald_export *x)
{
    int f = x->binary_field;

    x->in_binary = false;
    if (f >= 0) {
        struct buf *b = &x->entry->store[f];
        x->entry->value[f] = sv_make(b->data ? b->data : "", b->len);
        x->entry->present[f] = true;
    }
    x->binary_field = -1;
}

static void
add_data(struct journald_export *x, struct sv bytes)
{
    if (x->binary_field >= 0) {
        buf_add_sv(&x->entry->store[x->binary_field], bytes);
    }
    x->got += bytes.len;
}

/* Reads a "KEY=value" line, or "KEY" that starts a binary field. */
static enum journald_export_result
field_line(struct journald_export *x, struct sv line, uint64_t line_no,
           const char **reason)
{
    struct sv name;
    struct sv value = sv_cut(line, '=', &name);
    bool binary = value.p == NULL;

    if (!is_field_name(name)) {
        *reason = "not a journal export field";
        return JOURNALD_EXPORT_BAD_LINE;
    }
    start_entry(x, line_no);
    if (binary) {
        start_binary(x, name);
        return JOURNALD_EXPORT_MORE;
    }

    int f = journald_field_find(name);
    if (f >= 0) {
        journald_entry_set_copy(x->entry, (enum journald_field)f, value);
    }
    return JOURNALD_EXPORT_MORE;
}

/*
 * Reads one line of a binary field's size and data.  Sample, after the
 * line "MESSAGE": "\x0b\0\0\0\0\0\0\0hello\x01world".
 */
static enum journald_export_result
binary_line(struct journald_export *x, struct sv line, uint64_t line_no,
            const char **reason)
{
    bool size_done_before = x->size_len == 8;
    struct sv rest = line;

    /* Data that spans lines had a newline where the line reader cut. */
    if (x->started && !size_done_before && x->size_len < 8) {
        x->size_bytes[x->size_len++] = '\n';
    }
    while (x->size_len < 8 && rest.len > 0) {
        x->size_bytes[x->size_len++] = (unsigned char)rest.p[0];
        rest = sv_skip(rest, 1);
    }
    if (x->size_len < 8) {
        x->started = true;
        return JOURNALD_EXPORT_MORE;
    }
    if (!size_done_before) {
        x->size = 0;
        for (int i = 7; i >= 0; i--) {
            x->size = (x->size << 8) | x->size_bytes[i];
        }
        if (x->size > JOURNALD_EXPORT_MAX_FIELD) {
            x->in_binary = false;
            x->binary_field = -1;
            x->damage = "binary journal field larger than 768 MiB";
            return JOURNALD_EXPORT_MORE;
        }
    }

    uint64_t joined = (size_done_before && x->started) ? 1 : 0;
    if (x->got + joined + rest.len > x->size) {
        if (size_done_before && x->got < x->size) {
            /* A CR before a newline in the data was dropped: the value is
             * short and this line is the next field. */
            end_binary(x);
            return field_line(x, line, line_no, reason);
        }
        x->in_binary = false;
        x->binary_field = -1;
        x->damage = "binary journal field longer than its stated size";
        return JOURNALD_EXPORT_MORE;
    }
    if (joined) {
        add_data(x, SV_LIT("\n"));
    }
    add_data(x, rest);
    x->started = true;
    if (x->got == x->size) {
        end_binary(x);
    }
    return JOURNALD_EXPORT_MORE;
}

enum journald_export_result
journald_export_feed(struct journald_export *x, struct sv line,
                     uint64_t line_no, const char **reason)
{
    if (x->in_binary) {
        return binary_line(x, line, line_no, reason);
    }
    if (line.len == 0) {
        if (!x->in_entry) {
            return JOURNALD_EXPORT_MORE;
        }
        x->in_entry = false;
        if (x->damage != NULL) {
            *reason = x->damage;
            return JOURNALD_EXPORT_BAD_ENTRY;
        }
        return JOURNALD_EXPORT_ENTRY;
    }
    return field_line(x, line, line_no, reason);
}

enum journald_export_result
journald_export_finish(struct journald_export *x, const char **reason)
{
    if (!x->in_entry) {
        return JOURNALD_EXPORT_MORE;
    }
    x->in_entry = false;
    if (x->in_binary) {
        x->in_binary = false;
        x->binary_field = -1;
        *reason = "journal export input ends inside a binary field";
        return JOURNALD_EXPORT_BAD_ENTRY;
    }
    if (x->damage != NULL) {
        *reason = x->damage;
        return JOURNALD_EXPORT_BAD_ENTRY;
    }
    return JOURNALD_EXPORT_ENTRY;
}
