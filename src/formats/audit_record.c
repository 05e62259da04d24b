/*
 * Audit record tokenizer: header, fields and value decoding.  It reads the
 * raw format of auditd ("log_format = RAW") and the ENRICHED format, where
 * auditd appends interpreted fields after a 0x1D (group separator) byte.
 * It does not group records into events and never interprets numbers.
 */
#include "formats/audit_record.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"
#include "formats/audit_types.h"

/* The separator auditd writes before the enriched fields. */
#define AUDIT_GS '\x1d'

/* Keys whose values auditd hex-encodes when they hold special bytes. */
static const char *const audit_encodable_keys[] = {
    "acct", "cgroup", "cmd", "comm", "cwd", "data", "device", "dir", "exe",
    "file", "grp", "key", "name", "new-chardev", "new-disk", "new-fs",
    "new-net", "new-rng", "ocomm", "old-chardev", "old-disk", "old-fs",
    "old-net", "old-rng", "path", "proctitle", "root_dir", "sw", "vm",
    "watch", NULL
};

/*
 * A hash index of audit_types by name, built once: open addressing over a
 * power-of-two table at most half full, so a probe ends at an empty slot.
 */
#define AUDIT_TYPE_COUNT (sizeof(audit_types) / sizeof(audit_types[0]))
#define TYPE_SLOTS 512u

struct type_slot {
    const char *name;       /* NULL: empty */
    size_t len;
    int type;
};

static struct type_slot type_index[TYPE_SLOTS];
static pthread_once_t type_index_once = PTHREAD_ONCE_INIT;

/*
 * Hashes a type name by its length and three of its bytes.  That spreads
 * the names of the table well, with no probe sequence longer than seven,
 * and a lookup compares the whole name anyway.
 */
static uint32_t
hash_name(const char *p, size_t len)
{
    if (len == 0) {
        return 0;
    }
    return (uint32_t)len * 31u + (unsigned char)p[0] * 7u +
           (unsigned char)p[len / 2] * 131u +
           (unsigned char)p[len - 1] * 1031u;
}

static void
build_type_index(void)
{
    for (size_t i = 0; i < AUDIT_TYPE_COUNT; i++) {
        size_t len = strlen(audit_types[i].name);
        uint32_t slot = hash_name(audit_types[i].name, len) % TYPE_SLOTS;
        while (type_index[slot].name != NULL) {
            slot = (slot + 1) % TYPE_SLOTS;
        }
        type_index[slot].name = audit_types[i].name;
        type_index[slot].len = len;
        type_index[slot].type = audit_types[i].type;
    }
}

/*
 * Returns the number of one of the types that make up nearly every line
 * of real logs, or 0 for any other name.  Each compare has a constant
 * length, so the compiler turns it into one or two loads and compares
 * instead of a call to memcmp.  The numbers are those of audit_types[],
 * and the unit test type_table_rows fails when the two disagree.
 */
static int
common_type(struct sv name)
{
    const char *p = name.p;

    switch (name.len) {
    case 3:
        if (memcmp(p, "EOE", 3) == 0) {
            return AUDIT_T_EOE;
        }
        if (memcmp(p, "CWD", 3) == 0) {
            return AUDIT_T_CWD;
        }
        if (memcmp(p, "AVC", 3) == 0) {
            return AUDIT_T_AVC;
        }
        if (memcmp(p, "TTY", 3) == 0) {
            return 1319;
        }
        return 0;
    case 4:
        return memcmp(p, "PATH", 4) == 0 ? 1302 : 0;
    case 5:
        return memcmp(p, "LOGIN", 5) == 0 ? AUDIT_T_LOGIN : 0;
    case 6:
        return memcmp(p, "EXECVE", 6) == 0 ? AUDIT_T_EXECVE : 0;
    case 7:
        return memcmp(p, "SYSCALL", 7) == 0 ? AUDIT_T_SYSCALL : 0;
    case 8:
        if (memcmp(p, "USER_END", 8) == 0) {
            return AUDIT_T_USER_END;
        }
        if (memcmp(p, "CRED_ACQ", 8) == 0) {
            return AUDIT_T_CRED_ACQ;
        }
        if (memcmp(p, "SOCKADDR", 8) == 0) {
            return 1306;
        }
        if (memcmp(p, "USER_ERR", 8) == 0) {
            return 1109;
        }
        if (memcmp(p, "USER_CMD", 8) == 0) {
            return 1123;
        }
        return 0;
    case 9:
        if (memcmp(p, "USER_AUTH", 9) == 0) {
            return AUDIT_T_USER_AUTH;
        }
        if (memcmp(p, "USER_ACCT", 9) == 0) {
            return AUDIT_T_USER_ACCT;
        }
        if (memcmp(p, "CRED_DISP", 9) == 0) {
            return AUDIT_T_CRED_DISP;
        }
        if (memcmp(p, "PROCTITLE", 9) == 0) {
            return AUDIT_T_PROCTITLE;
        }
        return 0;
    case 10:
        if (memcmp(p, "USER_LOGIN", 10) == 0) {
            return AUDIT_T_USER_LOGIN;
        }
        if (memcmp(p, "USER_START", 10) == 0) {
            return AUDIT_T_USER_START;
        }
        return 0;
    case 11:
        return memcmp(p, "USER_LOGOUT", 11) == 0 ? AUDIT_T_USER_LOGOUT : 0;
    case 13:
        if (memcmp(p, "SERVICE_START", 13) == 0) {
            return 1130;
        }
        if (memcmp(p, "CONFIG_CHANGE", 13) == 0) {
            return 1305;
        }
        return 0;
    default:
        return 0;
    }
}

/* Returns the number of a name in the table, or 0. */
static int
lookup_type(struct sv name)
{
    int type = common_type(name);

    if (type != 0) {
        return type;
    }
    pthread_once(&type_index_once, build_type_index);

    uint32_t slot = hash_name(name.p, name.len) % TYPE_SLOTS;
    while (type_index[slot].name != NULL) {
        const struct type_slot *t = &type_index[slot];
        if (t->len == name.len && memcmp(t->name, name.p, name.len) == 0) {
            return t->type;
        }
        slot = (slot + 1) % TYPE_SLOTS;
    }
    return 0;
}

/* Returns the number of "UNKNOWN[1329]", the name auditd gives types it
 * has no name for, or 0. */
static int
unknown_type_number(struct sv name)
{
    uint64_t v;

    if (sv_starts_with(name, "UNKNOWN[") && sv_ends_with(name, "]") &&
        sv_to_u64(sv_make(name.p + 8, name.len - 9), 65535, &v)) {
        return (int)v;
    }
    return 0;
}

int
audit_type_from_name(struct sv name)
{
    int type = lookup_type(name);

    return type != 0 ? type : unknown_type_number(name);
}

bool
audit_type_is_single(int type)
{
    return (type >= 1100 && type <= 1299) ||
           (type >= 2100 && type <= 2999) || type == AUDIT_T_KERNEL;
}

static bool
is_type_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9') ||
           c == '[' || c == ']';
}

/* Returns the first byte c at or after p, or end when there is none. */
static const char *
find_byte(const char *p, const char *end, char c)
{
    const char *hit = p < end ? memchr(p, c, (size_t)(end - p)) : NULL;

    return hit != NULL ? hit : end;
}

/* Returns true when the bytes from p to end start with lit (n bytes). */
static bool
has_prefix(const char *p, const char *end, const char *lit, size_t n)
{
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

static const char *
skip_spaces(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }
    return p;
}

/* Returns the value of a decimal digit, or 10 or more for another byte. */
static unsigned
digit_value(char c)
{
    return (unsigned)(unsigned char)c - '0';
}

/*
 * Reads the decimal digits from p up to the first other byte or end into
 * *out, which must be at most max.  Returns the position after the
 * digits, or NULL when there are none or the value is too large.  Up to 18
 * digits cannot overflow, so only longer numbers take sv_to_u64's checked
 * path.
 */
static inline const char *
scan_u64(const char *p, const char *end, uint64_t max, uint64_t *out)
{
    const char *start = p;
    uint64_t v = 0;
    unsigned d;

    while (p < end && (d = digit_value(*p)) <= 9) {
        v = v * 10 + d;
        p++;
    }
    if (p == start) {
        return NULL;
    }
    if (p - start > 18) {
        return sv_to_u64(sv_make(start, (size_t)(p - start)), max, out)
                   ? p : NULL;
    }
    *out = v;
    return v <= max ? p : NULL;
}

/*
 * Reads the eight bytes at p into one word, the first byte in the lowest
 * eight bits, whatever the host's byte order.  GCC and Clang compile the
 * shifts into a single load on little-endian hosts.
 */
static inline uint64_t
load_le64(const char *p)
{
    const unsigned char *b = (const unsigned char *)p;

    return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
           (uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 |
           (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 |
           (uint64_t)b[7] << 56;
}

/*
 * Reads the eight decimal digits at p, most significant first, into *out,
 * or returns false when any of the eight bytes is not a digit.  A byte is
 * a digit when its high nibble is 3 both as it is and plus 6 (0x30 to
 * 0x39).  The conversion then joins neighbours in three multiplications:
 * digit pairs in 16-bit lanes, pairs of pairs in 32-bit lanes, then the
 * two halves.  No lane can carry into the next: a lane is at most 99,
 * 9999 and 99999999.
 */
static bool
eight_digits(const char *p, uint32_t *out)
{
    const uint64_t high_nibbles = 0xF0F0F0F0F0F0F0F0u;
    const uint64_t zeros = 0x3030303030303030u;
    uint64_t w = load_le64(p);

    if ((w & high_nibbles) != zeros ||
        ((w + 0x0606060606060606u) & high_nibbles) != zeros) {
        return false;
    }
    w -= zeros;
    w = (w * 10 + (w >> 8)) & 0x00FF00FF00FF00FFu;
    w = (w * 100 + (w >> 16)) & 0x0000FFFF0000FFFFu;
    *out = (uint32_t)(w * 10000 + (w >> 32));
    return true;
}

/*
 * Reads the ten digits of seconds and the three of milliseconds of a
 * stamp "1700000000.123" at p, which the caller has checked to hold the
 * dot at p[10].  Returns false on any other byte.  The first eight digits
 * are read as one word, the other five one by one without a loop.
 */
static bool
fixed_sec_msec(const char *p, uint64_t *sec, uint64_t *msec)
{
    uint32_t high;
    unsigned d8 = digit_value(p[8]);
    unsigned d9 = digit_value(p[9]);
    unsigned m0 = digit_value(p[11]);
    unsigned m1 = digit_value(p[12]);
    unsigned m2 = digit_value(p[13]);

    if (!eight_digits(p, &high) || d8 > 9 || d9 > 9 || m0 > 9 || m1 > 9 ||
        m2 > 9) {
        return false;
    }
    *sec = (uint64_t)high * 100 + d8 * 10 + d9;
    *msec = (m0 * 10 + m1) * 10 + m2;
    return true;
}

/*
 * Reads the serial number at p when the eight bytes from p hold one to
 * seven digits and then another byte, as nearly every serial does.  Stores
 * the value in *out and returns the position after the digits, or NULL
 * for any other shape, where the caller falls back to scan_u64.
 *
 * Each byte is compared with '0' by XOR, which leaves a digit as 0 to 9.
 * A byte is not a digit when its top bit is set or its low seven bits
 * plus 0x76 reach 0x80; no lane can carry into the next (0x7F + 0x76 is
 * below 0x100).  The lowest such byte, isolated as m & -m, is 256^k times
 * 0x80 for k leading digits.  Multiplying 256^k by 0x0001020304050607
 * puts k in the top byte.  Shifting the digits to the top of the word then
 * lets the conversion of eight_digits read them, with zeros in front.
 */
static const char *
short_serial(const char *p, const char *end, uint64_t *out)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7Fu;
    const uint64_t top = 0x8080808080808080u;
    uint64_t x;
    uint64_t nondigit;
    unsigned k;

    if (end - p < 8) {
        return NULL;
    }
    x = load_le64(p) ^ 0x3030303030303030u;
    nondigit = (x | ((x & low7) + 0x7676767676767676u)) & top;
    if (nondigit == 0) {
        return NULL;
    }
    k = (unsigned)((((nondigit & (~nondigit + 1)) >> 7) *
                    0x0001020304050607u) >> 56);
    if (k == 0) {
        return NULL;
    }
    x <<= 8 * (8 - k);
    x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFu;
    x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFu;
    *out = (uint32_t)(x * 10000 + (x >> 32));
    return p + k;
}

/* Parses "SEC.MSEC:SERIAL)" at p and returns the position after it, or
 * NULL when the stamp is invalid. */
static const char *
parse_stamp(const char *p, const char *end, struct audit_record *rec)
{
    uint64_t sec;
    uint64_t msec;
    uint64_t serial;

    /* The usual shape, ten digits of seconds and three of milliseconds,
     * is read at fixed offsets. */
    if (end - p > 15 && p[10] == '.' && p[14] == ':' &&
        fixed_sec_msec(p, &sec, &msec)) {
        const char *q = short_serial(p + 15, end, &serial);
        p = q != NULL ? q : scan_u64(p + 15, end, UINT64_MAX, &serial);
        if (p == NULL || p >= end || *p != ')') {
            return NULL;
        }
        rec->sec = (int64_t)sec;
        rec->msec = (int32_t)msec;
        rec->serial = serial;
        return p + 1;
    }

    p = scan_u64(p, end, EVENT_TIME_MAX_SEC, &sec);
    if (p == NULL || p >= end || *p != '.') {
        return NULL;
    }
    const char *ms = p + 1;
    p = scan_u64(ms, end, 999, &msec);
    if (p == NULL || p - ms > 3 || p >= end || *p != ':') {
        return NULL;
    }
    /* "1.5" would be 500 ms; auditd always writes three digits. */
    for (ptrdiff_t d = p - ms; d < 3; d++) {
        msec *= 10;
    }
    p = scan_u64(p + 1, end, UINT64_MAX, &serial);
    if (p == NULL || p >= end || *p != ')') {
        return NULL;
    }
    rec->sec = (int64_t)sec;
    rec->msec = (int32_t)msec;
    rec->serial = serial;
    return p + 1;
}

/* Skips the blanks at p, which are rare at the places this is used, so
 * the first test is made before the loop. */
static const char *
skip_rare_spaces(const char *p, const char *end)
{
    if (p < end && (*p == ' ' || *p == '\t')) {
        return skip_spaces(p + 1, end);
    }
    return p;
}

bool
audit_record_parse(struct sv line, struct audit_record *rec,
                   const char **reason)
{
    const char *end = line.p + line.len;
    const char *p = skip_rare_spaces(line.p, end);

    /* Each field is set below on the way to a true return, so only the
     * ones that may stay unset are cleared here. */
    rec->node = SV_NULL;
    rec->exec = AUDIT_EXEC_UNKNOWN;

    /* The optional "node=NAME " prefix (auditd name_format). */
    if (has_prefix(p, end, "node=", 5)) {
        const char *name = p + 5;
        const char *space = memchr(name, ' ', (size_t)(end - name));
        if (space == NULL) {
            rec->node = sv_make(name, (size_t)(end - name));
            p = end;
        } else {
            rec->node = sv_make(name, (size_t)(space - name));
            p = skip_rare_spaces(space + 1, end);
        }
    }
    if (!has_prefix(p, end, "type=", 5)) {
        *reason = "no type= field";
        return false;
    }

    /* The type name runs to the next space.  A name in the table is
     * valid; any other must be made of type name bytes. */
    const char *name = p + 5;
    p = find_byte(name, end, ' ');
    rec->type_name = sv_make(name, (size_t)(p - name));
    rec->type = lookup_type(rec->type_name);
    if (rec->type == 0) {
        for (size_t i = 0; i < rec->type_name.len; i++) {
            if (!is_type_name_char(name[i])) {
                rec->type_name.len = 0;
                break;
            }
        }
        if (rec->type_name.len == 0) {
            *reason = "unknown record type";
            return false;
        }
        rec->type = unknown_type_number(rec->type_name);
    }

    /* msg=audit(SEC.MSEC:SERIAL), then ':' except on DAEMON_CONFIG.  The
     * usual single space before it is tested with the prefix. */
    if (has_prefix(p, end, " msg=audit(", 11)) {
        p += 11;
    } else {
        p = skip_spaces(p, end);
        if (!has_prefix(p, end, "msg=audit(", 10)) {
            *reason = "no msg=audit() stamp";
            return false;
        }
        p += 10;
    }
    p = parse_stamp(p, end, rec);
    if (p == NULL) {
        *reason = "invalid msg=audit() stamp";
        return false;
    }
    if (p < end && *p == ':') {
        p++;
    }
    rec->body = sv_make(p, (size_t)(end - p));
    return true;
}

void
audit_fields_init(struct audit_field_iter *it, const struct audit_record *rec)
{
    it->p = rec->body.p;
    it->end = rec->body.p + rec->body.len;
    it->in_msg = false;
    it->enriched = false;
    it->count = 0;
    it->next = 0;
}

/*
 * Byte classes for the field scan, tested on the first and last bytes of a
 * token.  The scans between them use the stop tables below.
 */
enum {
    BYTE_BLANK = 0x01,          /* ' ', '\t', 0x1D: skipped between fields */
    BYTE_UPPER = 0x02,          /* 'A' to 'Z': may start an enriched key */
    BYTE_QUOTE = 0x04,          /* '\'': opens or ends msg='...' */
    BYTE_EQ = 0x08,             /* '=': a token with an empty key */
    BYTE_OPEN = 0x10,           /* '"', '{': a value that may hold blanks */
    BYTE_TRAIL = 0x20,          /* ',', ')', '"': may be trimmed off a value */
    BYTE_LOWER = 0x40,          /* 'a' to 'z': not an enriched key */
    BYTE_PAREN = 0x80           /* '(': dropped before a key (audit 1.x) */
};

static const unsigned char byte_class[256] = {
    [' '] = BYTE_BLANK,
    ['\t'] = BYTE_BLANK,
    [(unsigned char)AUDIT_GS] = BYTE_BLANK,
    ['\''] = BYTE_QUOTE,
    ['"'] = BYTE_OPEN | BYTE_TRAIL,
    ['{'] = BYTE_OPEN,
    [','] = BYTE_TRAIL,
    [')'] = BYTE_TRAIL,
    ['('] = BYTE_PAREN,
    ['='] = BYTE_EQ,
    ['A'] = BYTE_UPPER, ['B'] = BYTE_UPPER, ['C'] = BYTE_UPPER,
    ['D'] = BYTE_UPPER, ['E'] = BYTE_UPPER, ['F'] = BYTE_UPPER,
    ['G'] = BYTE_UPPER, ['H'] = BYTE_UPPER, ['I'] = BYTE_UPPER,
    ['J'] = BYTE_UPPER, ['K'] = BYTE_UPPER, ['L'] = BYTE_UPPER,
    ['M'] = BYTE_UPPER, ['N'] = BYTE_UPPER, ['O'] = BYTE_UPPER,
    ['P'] = BYTE_UPPER, ['Q'] = BYTE_UPPER, ['R'] = BYTE_UPPER,
    ['S'] = BYTE_UPPER, ['T'] = BYTE_UPPER, ['U'] = BYTE_UPPER,
    ['V'] = BYTE_UPPER, ['W'] = BYTE_UPPER, ['X'] = BYTE_UPPER,
    ['Y'] = BYTE_UPPER, ['Z'] = BYTE_UPPER,
    ['a'] = BYTE_LOWER, ['b'] = BYTE_LOWER, ['c'] = BYTE_LOWER,
    ['d'] = BYTE_LOWER, ['e'] = BYTE_LOWER, ['f'] = BYTE_LOWER,
    ['g'] = BYTE_LOWER, ['h'] = BYTE_LOWER, ['i'] = BYTE_LOWER,
    ['j'] = BYTE_LOWER, ['k'] = BYTE_LOWER, ['l'] = BYTE_LOWER,
    ['m'] = BYTE_LOWER, ['n'] = BYTE_LOWER, ['o'] = BYTE_LOWER,
    ['p'] = BYTE_LOWER, ['q'] = BYTE_LOWER, ['r'] = BYTE_LOWER,
    ['s'] = BYTE_LOWER, ['t'] = BYTE_LOWER, ['u'] = BYTE_LOWER,
    ['v'] = BYTE_LOWER, ['w'] = BYTE_LOWER, ['x'] = BYTE_LOWER,
    ['y'] = BYTE_LOWER, ['z'] = BYTE_LOWER,
};

static unsigned
byte_class_of(char c)
{
    return byte_class[(unsigned char)c];
}

/*
 * Stop tables: a nonzero entry ends a scan.  Index 0 is for the fields
 * outside msg='...', index 1 for those inside, where the closing quote
 * also ends a token.  A key ends at a blank that separates fields (' ',
 * 0x1D; a tab does not) or at '='; a bare value ends at the blank.  One
 * table per case makes the test of a byte a single compare.
 */
static const unsigned char key_stop_tables[2][256] = {
    { [' '] = 1, [(unsigned char)AUDIT_GS] = 1, ['='] = 1 },
    { [' '] = 1, [(unsigned char)AUDIT_GS] = 1, ['='] = 1, ['\''] = 1 },
};

static const unsigned char value_stop_tables[2][256] = {
    { [' '] = 1, [(unsigned char)AUDIT_GS] = 1 },
    { [' '] = 1, [(unsigned char)AUDIT_GS] = 1, ['\''] = 1 },
};

/*
 * Returns the first byte at or after p whose entry in stop is set, or end.
 * It checks the bound once per eight bytes, which covers most keys and
 * values of real logs (2 to 16 bytes) in one or two steps.
 */
static inline const char *
scan_to_stop(const char *p, const char *end, const unsigned char *stop)
{
    while (end - p >= 8) {
        if (stop[(unsigned char)p[0]] != 0) {
            return p;
        }
        if (stop[(unsigned char)p[1]] != 0) {
            return p + 1;
        }
        if (stop[(unsigned char)p[2]] != 0) {
            return p + 2;
        }
        if (stop[(unsigned char)p[3]] != 0) {
            return p + 3;
        }
        if (stop[(unsigned char)p[4]] != 0) {
            return p + 4;
        }
        if (stop[(unsigned char)p[5]] != 0) {
            return p + 5;
        }
        if (stop[(unsigned char)p[6]] != 0) {
            return p + 6;
        }
        if (stop[(unsigned char)p[7]] != 0) {
            return p + 7;
        }
        p += 8;
    }
    while (p < end && stop[(unsigned char)*p] == 0) {
        p++;
    }
    return p;
}

/* Trims the 1.x punctuation and a stray quote off a bare value. */
static struct sv
trim_bare_value(struct sv v)
{
    /* The 1.x form "(hostname=?, addr=?, terminal=cron res=success)". */
    while (v.len > 0 && v.p[v.len - 1] == ',') {
        v.len--;
    }
    if (v.len > 0 && v.p[v.len - 1] == ')' && v.p[0] != '(') {
        v.len--;
    }
    /* A stray closing quote after a bare hex value (key=6578...74" occurs
     * in Ubuntu 17.04 logs); libauparse decodes the hex without it. */
    if (v.len > 1 && v.p[v.len - 1] == '"' && v.p[0] != '"' &&
        memchr(v.p, '"', v.len - 1) == NULL) {
        v.len--;
    }
    return v;
}

/*
 * Returns the value that starts at p with a '"' or '{' and sets *next past
 * it.  A value in double quotes (or an enriched "{ ... }") may hold blanks
 * and runs to its closing byte.  An unterminated quote runs to the end,
 * and a lone '{' is a bare value that ends at the first byte set in stop.
 */
static struct sv
scan_open_value(const char *p, const char *end, const unsigned char *stop,
                const char **next)
{
    const char *close = memchr(p + 1, *p == '"' ? '"' : '}',
                               (size_t)(end - p - 1));
    const char *q = end;

    if (close != NULL) {
        *next = close + 1;
        return sv_make(p, (size_t)(*next - p));
    }
    if (*p != '"') {
        q = scan_to_stop(p, end, stop);
    }
    *next = q;
    return sv_make(p, (size_t)(q - p));
}

/* Returns true for a key of upper-case letters, digits and punctuation,
 * whose first byte is already known to be 'A' to 'Z'. */
static bool
is_upper_key_rest(struct sv key)
{
    for (size_t i = 1; i < key.len; i++) {
        if ((byte_class_of(key.p[i]) & BYTE_LOWER) != 0) {
            return false;
        }
    }
    return true;
}

/*
 * The scan keeps its state (position, msg='...' and enrichment) in locals
 * and stores fields straight into the batch.  The rare cases are found by
 * one class test of a token's first byte (blank, quote, '(', '=', upper
 * case), one of a value's first byte (quote, '"', '{') and one of its
 * last byte (',', ')', '"'), so a plain field pays little besides reading
 * its bytes.
 */
bool
audit_fields_refill(struct audit_field_iter *it)
{
    const char *p = it->p;
    const char *end = it->end;
    bool in_msg = it->in_msg;
    bool enriched = it->enriched;
    const unsigned char *key_stop = key_stop_tables[in_msg];
    const unsigned char *value_stop = value_stop_tables[in_msg];
    struct audit_field *f = it->batch;
    struct audit_field *const batch_end = it->batch + AUDIT_FIELD_BATCH;

    while (p < end) {
        const char *start = p;
        unsigned cls = byte_class_of(*p);
        if ((cls & (BYTE_BLANK | BYTE_QUOTE | BYTE_PAREN | BYTE_EQ)) != 0) {
            /* Skip a blank.  The separator starts the enriched fields. */
            if ((cls & BYTE_BLANK) != 0) {
                if (*p == AUDIT_GS) {
                    enriched = true;
                }
                p++;
                continue;
            }
            if (in_msg && *p == '\'') {
                /* The closing quote of msg='...'. */
                in_msg = false;
                key_stop = key_stop_tables[0];
                value_stop = value_stop_tables[0];
                p++;
                continue;
            }
            if (*p == '(') {
                start = p + 1;
                cls = start < end ? byte_class_of(*start) : 0;
            }
            /* A token with an empty key ("=x") is skipped whole. */
            if (start < end && *start == '=') {
                p = scan_to_stop(start, end, value_stop);
                continue;
            }
        }

        /* A token without '=' is a word such as "user", "PAM:" or
         * "old", which is not a field. */
        const char *eq = scan_to_stop(start, end, key_stop);
        if (eq >= end || *eq != '=') {
            p = eq;
            continue;
        }
        struct sv key = sv_make(start, (size_t)(eq - start));
        p = eq + 1;

        /* An upper-case key ("AUID", "SYSCALL") is an interpreted field
         * even when auditd wrote no 0x1D before it. */
        if ((cls & BYTE_UPPER) != 0 && !in_msg && is_upper_key_rest(key)) {
            enriched = true;
        }

        /* The value.  A bare one ends at a stop byte.  The space after it
         * is skipped here, so the loop needs no pass for that blank. */
        struct sv value;
        if (p < end &&
            (byte_class_of(*p) & (BYTE_OPEN | BYTE_QUOTE)) != 0) {
            if (*p == '\'' && key.len == 3 && !in_msg && !enriched &&
                sv_eq(key, SV_LIT("msg"))) {
                /* msg='...' opens the user-space part; its fields
                 * follow. */
                in_msg = true;
                key_stop = key_stop_tables[1];
                value_stop = value_stop_tables[1];
                p++;
                continue;
            }
            if (*p == '\'') {
                const char *q = scan_to_stop(p, end, value_stop);
                value = sv_make(p, (size_t)(q - p));
                p = q;
            } else {
                /* The trim below leaves a closed "..." or {...} as it
                 * is. */
                value = scan_open_value(p, end, value_stop, &p);
            }
        } else {
            const char *q = scan_to_stop(p, end, value_stop);
            value = sv_make(p, (size_t)(q - p));
            p = q;
        }
        if (value.len > 0 &&
            (byte_class_of(value.p[value.len - 1]) & BYTE_TRAIL) != 0) {
            value = trim_bare_value(value);
        }
        f->key = key;
        f->value = value;
        f->enriched = enriched;
        f->in_msg = in_msg;
        if (++f == batch_end) {
            break;
        }
        if (p < end && *p == ' ') {
            p++;
        }
    }
    it->p = p;
    it->in_msg = in_msg;
    it->enriched = enriched;
    it->count = (uint32_t)(f - it->batch);
    it->next = 0;
    return f != it->batch;
}

bool
audit_field_find(const struct audit_record *rec, const char *key,
                 struct sv *value)
{
    struct audit_field_iter it;
    const struct audit_field *f;

    audit_fields_init(&it, rec);
    while ((f = audit_fields_step(&it)) != NULL) {
        if (!f->enriched && sv_eq_cstr(f->key, key)) {
            *value = f->value;
            return true;
        }
    }
    return false;
}

/* Returns true for "a12" and "a12[3]" (argument fields of EXECVE). */
static bool
is_arg_key(struct sv key)
{
    size_t i = 1;

    if (key.len < 2 || key.p[0] != 'a') {
        return false;
    }
    while (i < key.len && key.p[i] >= '0' && key.p[i] <= '9') {
        i++;
    }
    if (i == 1) {
        return false;
    }
    if (i == key.len) {
        return true;
    }
    if (key.p[i] != '[' || key.p[key.len - 1] != ']' || i + 2 >= key.len) {
        return false;
    }
    for (size_t j = i + 1; j < key.len - 1; j++) {
        if (key.p[j] < '0' || key.p[j] > '9') {
            return false;
        }
    }
    return true;
}

bool
audit_key_is_encodable(struct sv key)
{
    if (is_arg_key(key)) {
        return true;
    }
    for (int i = 0; audit_encodable_keys[i] != NULL; i++) {
        if (sv_eq_cstr(key, audit_encodable_keys[i])) {
            return true;
        }
    }
    return false;
}

/* Hex digits: HEX_DIGIT marks one, the low four bits hold its value. */
#define HEX_DIGIT 0x10

static const unsigned char hex_table[256] = {
    ['0'] = HEX_DIGIT | 0, ['1'] = HEX_DIGIT | 1, ['2'] = HEX_DIGIT | 2,
    ['3'] = HEX_DIGIT | 3, ['4'] = HEX_DIGIT | 4, ['5'] = HEX_DIGIT | 5,
    ['6'] = HEX_DIGIT | 6, ['7'] = HEX_DIGIT | 7, ['8'] = HEX_DIGIT | 8,
    ['9'] = HEX_DIGIT | 9,
    ['A'] = HEX_DIGIT | 10, ['B'] = HEX_DIGIT | 11, ['C'] = HEX_DIGIT | 12,
    ['D'] = HEX_DIGIT | 13, ['E'] = HEX_DIGIT | 14, ['F'] = HEX_DIGIT | 15,
    ['a'] = HEX_DIGIT | 10, ['b'] = HEX_DIGIT | 11, ['c'] = HEX_DIGIT | 12,
    ['d'] = HEX_DIGIT | 13, ['e'] = HEX_DIGIT | 14, ['f'] = HEX_DIGIT | 15,
};

static bool
is_hex_digit(char c)
{
    return (hex_table[(unsigned char)c] & HEX_DIGIT) != 0;
}

static unsigned
hex_value(char c)
{
    return hex_table[(unsigned char)c] & 0x0f;
}

bool
audit_is_hex(struct sv v)
{
    if (v.len < 2 || v.len % 2 != 0) {
        return false;
    }
    for (size_t i = 0; i < v.len; i++) {
        if (!is_hex_digit(v.p[i])) {
            return false;
        }
    }
    return true;
}

struct sv
audit_value_decode(struct sv key, struct sv raw, char *out)
{
    if (audit_value_is_quoted(raw)) {
        return sv_make(raw.p + 1, raw.len - 2);
    }
    /* The hex test fails fast on most plain values; the key list after. */
    if (!audit_is_hex(raw) || !audit_key_is_encodable(key)) {
        return raw;
    }
    for (size_t i = 0; i < raw.len / 2; i++) {
        out[i] = (char)(hex_value(raw.p[2 * i]) << 4 |
                        hex_value(raw.p[2 * i + 1]));
    }
    return sv_make(out, raw.len / 2);
}
