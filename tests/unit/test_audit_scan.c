/*
 * Differential test of the audit field scanner: audit_fields_refill against
 * a reference copy of the tokenizer it replaced (one byte-class table and
 * a mask per scan, as of the first version of this test), on edge
 * cases (quotes, msg='...', values at the end of the body, words without
 * '=', 0x1D before the enriched fields, audit 1.x punctuation) and on
 * pseudo-random bodies made of the bytes that the scanner treats
 * specially.  Both must return the same fields with the same views and
 * flags.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/audit_record.h"
#include "tcheck.h"

/* The separator auditd writes before the enriched fields. */
#define AUDIT_GS '\x1d'

/* Fields compared per body; bodies here hold far fewer. */
#define MAX_FIELDS 4096

/*
 * The reference scanner, kept unchanged as the oracle.  Byte classes for
 * the field scan.  One table lookup per byte shows
 * whether the byte ends a key or a bare value, so the scanner reads each
 * byte of a field once.
 */
enum {
    REF_BLANK = 0x01,          /* ' ', '\t', 0x1D: skipped between fields */
    REF_END = 0x02,            /* ' ', 0x1D: end a key or a bare value */
    REF_QUOTE = 0x04,          /* '\'': also ends them inside msg='...' */
    REF_EQ = 0x08,             /* '=': ends a key */
    REF_OPEN = 0x10,           /* '"', '{': a value that may hold blanks */
    REF_TRAIL = 0x20,          /* ',', ')', '"': may be trimmed off a value */
    REF_LOWER = 0x40,          /* 'a' to 'z': not an enriched key */
    REF_PAREN = 0x80           /* '(': dropped before a key (audit 1.x) */
};

static const unsigned char ref_byte_class[256] = {
    [' '] = REF_BLANK | REF_END,
    ['\t'] = REF_BLANK,
    [(unsigned char)AUDIT_GS] = REF_BLANK | REF_END,
    ['\''] = REF_QUOTE,
    ['='] = REF_EQ,
    ['"'] = REF_OPEN | REF_TRAIL,
    ['{'] = REF_OPEN,
    [','] = REF_TRAIL,
    [')'] = REF_TRAIL,
    ['('] = REF_PAREN,
    ['a'] = REF_LOWER, ['b'] = REF_LOWER, ['c'] = REF_LOWER,
    ['d'] = REF_LOWER, ['e'] = REF_LOWER, ['f'] = REF_LOWER,
    ['g'] = REF_LOWER, ['h'] = REF_LOWER, ['i'] = REF_LOWER,
    ['j'] = REF_LOWER, ['k'] = REF_LOWER, ['l'] = REF_LOWER,
    ['m'] = REF_LOWER, ['n'] = REF_LOWER, ['o'] = REF_LOWER,
    ['p'] = REF_LOWER, ['q'] = REF_LOWER, ['r'] = REF_LOWER,
    ['s'] = REF_LOWER, ['t'] = REF_LOWER, ['u'] = REF_LOWER,
    ['v'] = REF_LOWER, ['w'] = REF_LOWER, ['x'] = REF_LOWER,
    ['y'] = REF_LOWER, ['z'] = REF_LOWER,
};

static unsigned
ref_class_of(char c)
{
    return ref_byte_class[(unsigned char)c];
}

/*
 * Returns the first byte at or after p of a class in cls, or end.  It
 * checks the bound once per eight bytes, which covers most keys and values
 * of real logs (2 to 16 bytes) in one or two steps.
 */
static const char *
ref_scan_to_class(const char *p, const char *end, unsigned cls)
{
    while (end - p >= 8) {
        if ((ref_class_of(p[0]) & cls) != 0) {
            return p;
        }
        if ((ref_class_of(p[1]) & cls) != 0) {
            return p + 1;
        }
        if ((ref_class_of(p[2]) & cls) != 0) {
            return p + 2;
        }
        if ((ref_class_of(p[3]) & cls) != 0) {
            return p + 3;
        }
        if ((ref_class_of(p[4]) & cls) != 0) {
            return p + 4;
        }
        if ((ref_class_of(p[5]) & cls) != 0) {
            return p + 5;
        }
        if ((ref_class_of(p[6]) & cls) != 0) {
            return p + 6;
        }
        if ((ref_class_of(p[7]) & cls) != 0) {
            return p + 7;
        }
        p += 8;
    }
    while (p < end && (ref_class_of(*p) & cls) == 0) {
        p++;
    }
    return p;
}

/* Trims the 1.x punctuation and a stray quote off a bare value. */
static struct sv
ref_trim_bare_value(struct sv v)
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
 * Returns the value at *pp and moves *pp past it.  A value in double
 * quotes (or an enriched "{ ... }") may hold blanks and runs to its
 * closing byte.  An unterminated quote runs to the end, and a lone '{' is
 * bare.  Any other value ends at the first byte of a class in stop, the
 * bytes that end a token.
 */
static struct sv
ref_scan_value(const char **pp, const char *end, unsigned stop)
{
    const char *p = *pp;
    const char *q = end;

    if (p < end && (ref_class_of(*p) & REF_OPEN) != 0) {
        const char *close = memchr(p + 1, *p == '"' ? '"' : '}',
                                   (size_t)(end - p - 1));
        if (close != NULL) {
            *pp = close + 1;
            return sv_make(p, (size_t)(*pp - p));
        }
        if (*p != '"') {
            q = ref_scan_to_class(p, end, stop);
        }
    } else {
        q = ref_scan_to_class(p, end, stop);
    }
    *pp = q;

    struct sv v = sv_make(p, (size_t)(q - p));
    if (v.len > 0 && (ref_class_of(v.p[v.len - 1]) & REF_TRAIL) != 0) {
        v = ref_trim_bare_value(v);
    }
    return v;
}

/* Returns true for a key of upper-case letters, digits and punctuation,
 * whose first byte is already known to be 'A' to 'Z'. */
static bool
ref_is_upper_key_rest(struct sv key)
{
    for (size_t i = 1; i < key.len; i++) {
        if ((ref_class_of(key.p[i]) & REF_LOWER) != 0) {
            return false;
        }
    }
    return true;
}

/*
 * The scan keeps its state (position, msg='...' and enrichment) in locals
 * and stores fields straight into the batch, so the cost that each field
 * pays besides reading its bytes is a few tests of its first and last
 * bytes.
 */
static bool
ref_fields_refill(struct audit_field_iter *it)
{
    const char *p = it->p;
    const char *end = it->end;
    bool in_msg = it->in_msg;
    bool enriched = it->enriched;
    /* A token ends at a space or 0x1D, and inside msg='...' also at the
     * closing quote.  A key also ends at '='. */
    unsigned stop = in_msg ? REF_END | REF_QUOTE : REF_END;
    uint32_t n = 0;

    while (n < AUDIT_FIELD_BATCH) {
        /* One space, the usual gap, is skipped without the loop below. */
        if (p < end && *p == ' ') {
            p++;
        }
        if (p >= end) {
            break;
        }
        const char *start = p;
        if ((ref_class_of(*p) & (REF_BLANK | REF_QUOTE | REF_PAREN)) !=
            0) {
            /* Skip a blank.  The separator starts the enriched fields. */
            if ((ref_class_of(*p) & REF_BLANK) != 0) {
                if (*p == AUDIT_GS) {
                    enriched = true;
                }
                p++;
                continue;
            }
            if (in_msg && *p == '\'') {
                /* The closing quote of msg='...'. */
                in_msg = false;
                stop = REF_END;
                p++;
                continue;
            }
            if (*p == '(') {
                start = p + 1;
            }
        }

        /* A token without '=' is a word such as "user", "PAM:" or
         * "old", which is not a field. */
        const char *eq = ref_scan_to_class(start, end, stop | REF_EQ);
        if (eq >= end || *eq != '=') {
            p = eq;
            continue;
        }
        if (eq == start) {
            p = ref_scan_to_class(eq, end, stop);
            continue;
        }

        struct sv key = sv_make(start, (size_t)(eq - start));
        p = eq + 1;

        /* msg='...' opens the user-space part; its fields follow. */
        if (key.len == 3 && !in_msg && !enriched && p < end && *p == '\'' &&
            sv_eq(key, SV_LIT("msg"))) {
            in_msg = true;
            stop = REF_END | REF_QUOTE;
            p++;
            continue;
        }

        /* An upper-case key ("AUID", "SYSCALL") is an interpreted field
         * even when auditd wrote no 0x1D before it. */
        if (!in_msg && *start >= 'A' && *start <= 'Z' &&
            ref_is_upper_key_rest(key)) {
            enriched = true;
        }
        struct audit_field *f = &it->batch[n++];
        f->key = key;
        f->value = ref_scan_value(&p, end, stop);
        f->enriched = enriched;
        f->in_msg = in_msg;
    }
    it->p = p;
    it->in_msg = in_msg;
    it->enriched = enriched;
    it->count = n;
    it->next = 0;
    return n > 0;
}


/* Tokenizes body with the reference scanner into out; returns the count. */
static size_t
ref_fields(struct sv body, struct audit_field *out, size_t max)
{
    struct audit_field_iter it;
    size_t n = 0;

    it.p = body.p;
    it.end = body.p + body.len;
    it.in_msg = false;
    it.enriched = false;
    it.count = 0;
    it.next = 0;
    while (ref_fields_refill(&it)) {
        for (uint32_t i = 0; i < it.count && n < max; i++) {
            out[n++] = it.batch[i];
        }
    }
    return n;
}

/* Tokenizes body with the production scanner; returns the count. */
static size_t
new_fields(struct sv body, struct audit_field *out, size_t max)
{
    struct audit_record rec;
    struct audit_field_iter it;
    const struct audit_field *f;
    size_t n = 0;

    memset(&rec, 0, sizeof(rec));
    rec.body = body;
    audit_fields_init(&it, &rec);
    while ((f = audit_fields_step(&it)) != NULL && n < max) {
        out[n++] = *f;
    }
    return n;
}

static bool
same_view(struct sv a, struct sv b)
{
    return a.p == b.p && a.len == b.len;
}

/*
 * Compares both scanners on body and returns true when they agree.  The
 * first difference is printed with the body, so a failure shows its input.
 */
static bool
scanners_agree(const char *body, size_t len)
{
    static struct audit_field want[MAX_FIELDS];
    static struct audit_field got[MAX_FIELDS];
    struct sv b = sv_make(body, len);
    size_t nw = ref_fields(b, want, MAX_FIELDS);
    size_t ng = new_fields(b, got, MAX_FIELDS);
    size_t i;

    for (i = 0; i < nw && i < ng; i++) {
        if (!same_view(want[i].key, got[i].key) ||
            !same_view(want[i].value, got[i].value) ||
            want[i].enriched != got[i].enriched ||
            want[i].in_msg != got[i].in_msg) {
            break;
        }
    }
    if (i == nw && nw == ng) {
        return true;
    }
    printf("  scanners differ at field %zu (reference %zu fields, new %zu) "
           "on body \"", i, nw, ng);
    for (size_t j = 0; j < len; j++) {
        unsigned char c = (unsigned char)body[j];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            putchar(c);
        } else {
            printf("\\x%02x", c);
        }
    }
    printf("\"\n");
    return false;
}

static bool
agree_cstr(const char *body)
{
    return scanners_agree(body, strlen(body));
}

/* Bodies of real record shapes and of every special byte in every place. */
static void
scan_edge_cases(void)
{
    static const char *const bodies[] = {
        "",
        " ",
        " pid=1",
        " pid=1 ",
        "pid=1",
        " pid=",
        " pid= uid=0",
        " =x pid=1",
        " ==x",
        " a=b=c",
        " key",
        " key uid=0",
        " k=v\t",
        "\tk=v\tk2=v2",
        " k=v\x1d",
        " k=v\x1dK=V",
        "\x1dk=v",
        " k=v\x1d\x1dK=\"x y\"",
        " UID=0 uid=0",
        " Uid=0 uid=0",
        " U=0 x=1",
        " A1_B-C=0 x=1",
        " msg='op=login acct=\"root\" res=success'",
        " msg='op=login acct=\"root\" res=success' x=1",
        " msg='op=login res=success'\x1dUID=\"root\" AUID=\"unset\"",
        " msg='op=login res=success",
        " msg='",
        " msg=''",
        " msg=' '",
        " msg='a=b'c=d",
        " msg='a='",
        " msg='a=b' msg='c=d'",
        " msg='x=1 msg='y=2' z=3",
        " MSG='a=b'",
        " ms='a=b'",
        " msgs='a=b'",
        " msg=\"a=b\"",
        "\x1dmsg='a=b'",
        " AUID=0 msg='a=b'",
        " msg='a=b \x1d" "B=c'",
        " msg='A=b c=d'",
        " comm=\"a b\" exe=\"/usr/bin/x\"",
        " comm=\"a b",
        " comm=\"",
        " comm=\"\"",
        " comm=\"x\"y z=1",
        " a=\"x\" b=\"y",
        " exe=\"a'b\" msg='c=\"d e\" f=g'",
        " msg='c=\"d' e=f'",
        " x={ a b } y=1",
        " x={ a b",
        " x={",
        " x={}",
        " x=} y=1",
        " (hostname=?, addr=?, terminal=cron res=success)",
        " (a=b",
        " ( a=b",
        " ((a=b)",
        " x=1, y=2,, z=3)",
        " x=(1) y=)",
        " x=)",
        " x=,",
        " x=,,,",
        " x=\"",
        " key=6578656374\" x=1",
        " key=65\"78\" x=1",
        " key=\"6578\"\" x=1",
        " key=\"\" x=1",
        " a0=\"ls\" a1=2d6c",
        " proctitle=2F62696E2F7368002D63",
        "  k=v  k2=v2  ",
        " '",
        " ' k=v",
        " k='v' x=1",
        " k=v' x=1",
        " msg='k=v' ' x=1",
        " msg='k=v'' x=1",
        " msg='k='v'",
        " =",
        "=",
        " = = =",
        "\x1d",
        "\x1d ",
        " \x1d",
        " abcdefgh=ijklmnop qrstuvwx=yz",
        " abcdefghijklmnopqrstuvwxyz=0123456789abcdefghij",
        " abcdefghijklmnopqrstuvwxyz",
        " k=abcdefghijklmnop\x1dQ=abcdefghijklmnopq",
        " msg='abcdefghijklmnopq=rstuvwxyz0123456789'",
        " msg='abcdefghijklmnopq=rstuvwxyz0123456'789 x=1",
        " msg='abcdefghijklmnopqrstuvwxyz0123456789 x=1'",
        " (=x y=1",
        " (",
        " (\x1d",
        " (AUID=1 x=2",
        " (Uid=0 x=2",
        " (UID=",
        " msg='(AUID=1 x=2'",
        " =\x1dK=V",
        " =' x=1",
        " msg='a=b =c' d=e",
        " \x1dmsg='a=b' c=d",
        " UID=0 msg='a=b'",
        " uid=0 MSG='a=b' msg='c=d'",
        " k=v\tK=V",
        " k=\x1dK=V",
        " k=\"x\"\x1dK=V",
        " k={a}\x1dK=V",
        " k=)\x1dK=V",
    };

    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        CHECK(agree_cstr(bodies[i]));
    }
}

/*
 * Every body of up to four bytes from the special bytes, so each byte
 * appears before, after and between the others, also at the end.
 */
static void
scan_short_bodies(void)
{
    static const char alphabet[] = " \t\x1d='\"{}(),aAmsg";
    const size_t k = sizeof(alphabet) - 1;
    char body[8];
    int failures = 0;

    for (size_t len = 0; len <= 4; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++) {
            total *= k;
        }
        for (size_t code = 0; code < total && failures < 5; code++) {
            size_t c = code;
            for (size_t i = 0; i < len; i++) {
                body[i] = alphabet[c % k];
                c /= k;
            }
            if (!scanners_agree(body, len)) {
                failures++;
            }
        }
    }
    CHECK_INT(failures, 0);
}

/*
 * Pseudo-random bodies of up to 200 bytes.  Plain letters are the most
 * likely bytes, so keys and values of every length up to past two words
 * occur between the special bytes.
 */
static void
scan_random_bodies(void)
{
    static const char alphabet[] =
        "    ===''\"\"{}(),\t\x1dmsgAZaz09_-:/.xyzxyzxyzxyzxyzxyz";
    const size_t k = sizeof(alphabet) - 1;
    static char body[256];
    static char prefix[] = " msg='";
    uint64_t state = 0x9e3779b97f4a7c15ull;
    int failures = 0;

    for (int round = 0; round < 200000 && failures < 5; round++) {
        size_t len = (size_t)(tcheck_random(&state) % 200);
        size_t i = 0;
        /* A quarter of the bodies open msg='...' first. */
        if (tcheck_random(&state) % 4 == 0) {
            memcpy(body, prefix, sizeof(prefix) - 1);
            i = sizeof(prefix) - 1;
        }
        for (; i < len; i++) {
            body[i] = alphabet[tcheck_random(&state) % k];
        }
        if (!scanners_agree(body, len)) {
            failures++;
        }
    }
    CHECK_INT(failures, 0);
}

/* Bodies of every special byte at every offset of a long run of letters,
 * which puts it at each position of an eight-byte word and at the end. */
static void
scan_byte_at_each_offset(void)
{
    static const char special[] = " \t\x1d='\"{}(),A";
    static char body[64];
    int failures = 0;

    for (size_t s = 0; s < sizeof(special) - 1; s++) {
        for (size_t len = 1; len < 40; len++) {
            for (size_t at = 0; at < len; at++) {
                memset(body, 'x', len);
                body[0] = ' ';
                body[len / 2] = '=';
                body[at] = special[s];
                if (!scanners_agree(body, len)) {
                    failures++;
                }
                memcpy(body, " msg='", 6);
                if (len > 6 && at >= 6 && !scanners_agree(body, len)) {
                    failures++;
                }
            }
        }
    }
    CHECK_INT(failures, 0);
}

/*
 * Bodies of 50 to 140 fields, so the batch fills at each kind of place:
 * before a blank, inside msg='...', before 0x1D and before a word.
 */
static void
scan_batch_boundaries(void)
{
    static const char *const fields[] = {
        " k=v", " k=\"a b\"", "\x1dK=V", " msg='a=b", "'", " word",
        "  k=v", " (k=v)", " =x", " k={ a }",
    };
    const size_t nf = sizeof(fields) / sizeof(fields[0]);
    static char body[4096];
    int failures = 0;

    for (size_t start = 0; start < nf; start++) {
        for (size_t count = 50; count <= 140; count++) {
            size_t len = 0;
            for (size_t i = 0; i < count; i++) {
                /* Plain fields, with one of each kind every seventh. */
                const char *f = i % 7 == 6 ? fields[(start + i) % nf]
                                           : fields[0];
                size_t n = strlen(f);
                memcpy(body + len, f, n);
                len += n;
            }
            if (!scanners_agree(body, len)) {
                failures++;
            }
        }
    }
    CHECK_INT(failures, 0);
}

int
main(void)
{
    TEST_RUN("audit_scan", scan_edge_cases);
    TEST_RUN("audit_scan", scan_short_bodies);
    TEST_RUN("audit_scan", scan_random_bodies);
    TEST_RUN("audit_scan", scan_byte_at_each_offset);
    TEST_RUN("audit_scan", scan_batch_boundaries);
    TEST_EXIT();
}
