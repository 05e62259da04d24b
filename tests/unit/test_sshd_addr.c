/*
 * Differential tests of the sshd parser's address parts.  The parser reads
 * "USER from ADDR port N" and "user USER ADDR port N" backwards from the
 * end of the message.  The reference below is the earlier forward form:
 * it finds the last " from " or " port " with sv_rfind and then checks the
 * rest.  Messages are built from every sequence of up to five words taken
 * from names, addresses, ports and the keywords themselves, so user names
 * that pose as an address part are covered.  Both must agree on whether a
 * message is well-formed and on its user, address and port.
 */
#include "formats/format.h"

#include <stdio.h>

#include "tcapture.h"

extern const struct format_ops sshd_format;

/* The fields the reference extracts; views point into the message. */
struct ref_fields {
    struct sv user;
    struct sv addr;
    int64_t port;
};

static bool
ref_is_digits(struct sv s)
{
    if (s.len == 0) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
    }
    return true;
}

static bool
ref_is_token(struct sv s)
{
    return s.len > 0 && sv_find_char(s, ' ') < 0;
}

/* "ADDR port N" or "ADDR" filling all of s. */
static bool
ref_addr_port(struct sv s, bool need_port, struct ref_fields *r)
{
    ptrdiff_t at = sv_rfind(s, SV_LIT(" port "));
    uint64_t port;

    if (at >= 0 && ref_is_digits(sv_skip(s, (size_t)at + 6))) {
        if (!sv_to_u64(sv_skip(s, (size_t)at + 6), 65535, &port)) {
            return false;
        }
        r->port = (int64_t)port;
        r->addr = sv_head(s, (size_t)at);
        return ref_is_token(r->addr);
    }
    if (need_port || !ref_is_token(s)) {
        return false;
    }
    r->addr = s;
    return true;
}

/* "USER from ADDR[ port N]", split at the last " from ". */
static bool
ref_user_from(struct sv s, bool need_port, struct ref_fields *r)
{
    ptrdiff_t at = sv_rfind(s, SV_LIT(" from "));

    if (at < 0 || !ref_addr_port(sv_skip(s, (size_t)at + 6), need_port, r)) {
        return false;
    }
    r->user = sv_head(s, (size_t)at);
    return true;
}

/* "invalid user USER ADDR port N": the token before the last " port ". */
static bool
ref_invalid_user_addr(struct sv s, struct ref_fields *r)
{
    ptrdiff_t at = sv_rfind(s, SV_LIT(" port "));
    ptrdiff_t sp;

    if (at < 0) {
        return false;
    }
    sp = -1;
    for (ptrdiff_t i = at - 1; i >= 0; i--) {
        if (s.p[i] == ' ') {
            sp = i;
            break;
        }
    }
    if (sp < 0 || !ref_addr_port(sv_skip(s, (size_t)sp + 1), true, r)) {
        return false;
    }
    r->user = sv_head(s, (size_t)sp);
    return true;
}

/* The message shapes under test, each with the reference that reads it. */
enum shape { SHAPE_INVALID_USER, SHAPE_FAILED, SHAPE_CLOSED, SHAPE_COUNT };

/*
 * Runs the reference for shape on words and returns whether the message
 * is well-formed, filling *r.  buf receives the view the reference reads.
 */
static bool
ref_run(enum shape shape, const char *words, char *buf, size_t size,
        struct ref_fields *r)
{
    struct sv s;

    r->user = SV_NULL;
    r->addr = SV_NULL;
    r->port = -1;
    snprintf(buf, size, " %s", words);
    s = sv_trim_right(sv_cstr(buf));
    switch (shape) {
    case SHAPE_INVALID_USER:
        if (!ref_user_from(s, false, r)) {
            return false;
        }
        r->user = sv_skip(r->user, 1);
        return true;
    case SHAPE_FAILED:
        if (!ref_user_from(sv_cstr(buf), true, r)) {
            return false;
        }
        r->user = sv_skip(r->user, 1);
        return true;
    default:
        return ref_invalid_user_addr(sv_skip(s, 1), r);
    }
}

/* Feeds one line for shape and words and compares with the reference. */
static int
compare_one(void *state, enum shape shape, const char *words)
{
    static const char *const lead[SHAPE_COUNT] = {
        "Invalid user ", "Failed password for ",
        "Connection closed by invalid user ",
    };
    char line[256];
    char buf[256];
    struct ref_fields r;
    struct tcapture cap;
    struct event_sink sink = tcapture_sink(&cap);
    struct event_origin origin = { "sshd", "test.log", 1 };
    const char *reason = NULL;

    tcapture_init(&cap);
    snprintf(line, sizeof(line), "Jan  1 00:00:00 h sshd[1]: %s%s%s",
             lead[shape], words, shape == SHAPE_FAILED ? " ssh2" : "");
    bool ok = ref_run(shape, words, buf, sizeof(buf), &r);
    enum parse_status st = sshd_format.feed(state, sv_cstr(line), &origin,
                                            &sink, &reason);
    int wrong = 0;
    if (ok != (st == PARSE_OK)) {
        wrong = 1;
    } else if (ok) {
        wrong = !sv_eq(event_str(&cap.ev[0], EVENT_USER), r.user) ||
                !sv_eq(event_str(&cap.ev[0], EVENT_SRC_IP), r.addr) ||
                event_num(&cap.ev[0], EVENT_SRC_PORT, -1) != r.port;
    }
    if (wrong) {
        printf("  disagree on \"%s\": reference %s\n", line,
               ok ? "accepts" : "rejects");
    }
    tcapture_fini(&cap);
    return wrong;
}

/*
 * Words that make the address parts hard: the keywords, ports in and out
 * of range, IPv4 and IPv6 text stored as logged, and an empty word, which
 * doubles a space.  The ports are 65535 and 65536, six digits with leading
 * zeros, six digits whose last five are 65535, and 65535 with leading
 * zeros to 20 and 21 digits.
 */
static const char *const words[] = {
    "from", "port", "22", "70000", "65535", "65536", "000022", "165535",
    "00000000000000065535", "000000000000000065535", "192.0.2.1", "::1",
    "bob", "",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static void
address_parts_match_reference(void)
{
    struct tz utc = { 0 };
    struct format_opts o = { .tz = &utc, .year = 2024, .year_given = true,
                             .ref_time = 1700000000 };
    void *state = sshd_format.open(&o);
    char text[160];
    int disagree = 0;
    int compared = 0;

    for (size_t n = 1; n <= 5; n++) {
        size_t total = 1;
        for (size_t i = 0; i < n; i++) {
            total *= NWORDS;
        }
        for (size_t code = 0; code < total; code++) {
            size_t len = 0;
            size_t c = code;
            for (size_t i = 0; i < n; i++, c /= NWORDS) {
                len += (size_t)snprintf(text + len, sizeof(text) - len,
                                        "%s%s", i > 0 ? " " : "",
                                        words[c % NWORDS]);
            }
            for (int shape = 0; shape < SHAPE_COUNT && disagree < 10;
                 shape++) {
                disagree += compare_one(state, (enum shape)shape, text);
                compared++;
            }
        }
    }
    sshd_format.close(state);
    CHECK_INT(disagree, 0);
    CHECK(compared > 100000);
}

int
main(void)
{
    TEST_RUN("sshd_addr", address_parts_match_reference);
    TEST_EXIT();
}
