/*
 * Differential test of the sshd parser's reading of pam_unix
 * "authentication failure;" messages.  The parser tests the usual items
 * before rhost= and the spaces before user= at fixed offsets and searches
 * only otherwise.  The reference below always searches: the value of the
 * first " rhost=" is the address, and the value of the first " user="
 * after it is the user.  Messages are built from every sequence of up to
 * four items, after the usual start or not, so items repeated, empty,
 * misplaced or set by the client in ruser= are covered.
 */
#include "formats/format.h"

#include <stdio.h>

#include "tcapture.h"

extern const struct format_ops sshd_format;

static const char prefix[] = "pam_unix(sshd:auth): authentication failure;";

/* The usual items before the address, as PAM writes them for sshd. */
static const char usual_start[] = " logname= uid=0 euid=0 tty=ssh ruser=";

/* Returns the value after the first key in s, up to a space, or SV_NULL. */
static struct sv
ref_value(struct sv s, const char *key)
{
    ptrdiff_t at = sv_find(s, sv_cstr(key));
    struct sv v;

    if (at < 0) {
        return SV_NULL;
    }
    (void)sv_cut(sv_skip(s, (size_t)at + strlen(key)), ' ', &v);
    return v;
}

/* Feeds the message prefix + text and compares with the reference. */
static int
compare_one(void *state, const char *text)
{
    char line[512];
    struct tcapture cap;
    struct event_sink sink = tcapture_sink(&cap);
    struct event_origin origin = { "sshd", "test.log", 1 };
    const char *reason = NULL;

    int n = snprintf(line, sizeof(line), "Jan  1 00:00:00 h sshd[1]: %s%s",
                     prefix, text);
    if (n < 0 || (size_t)n >= sizeof(line)) {
        CHECK(n >= 0);
        CHECK((size_t)n < sizeof(line));
        return 1;
    }

    /* The parser reads the message with trailing blanks removed. */
    struct sv rest = sv_trim_right(sv_cstr(text));
    struct sv addr = ref_value(rest, " rhost=");
    struct sv user = SV_NULL;
    if (addr.len > 0) {
        user = ref_value(sv_skip(rest, (size_t)(addr.p - rest.p)), " user=");
    } else {
        addr = SV_NULL;
    }
    if (user.len == 0) {
        user = SV_NULL;
    }

    tcapture_init(&cap);
    enum parse_status st = sshd_format.feed(state, sv_cstr(line), &origin,
                                            &sink, &reason);
    int wrong = st != PARSE_OK || cap.count != 1;
    if (!wrong) {
        struct sv got_addr = event_str(&cap.ev[0], EVENT_SRC_IP);
        struct sv got_user = event_str(&cap.ev[0], EVENT_USER);
        wrong = (addr.p == NULL) != (got_addr.len == 0) ||
                (user.p == NULL) != (got_user.len == 0) ||
                (addr.p != NULL && !sv_eq(got_addr, addr)) ||
                (user.p != NULL && !sv_eq(got_user, user));
    }
    if (wrong) {
        printf("  disagree on \"%s\"\n", line);
    }
    tcapture_fini(&cap);
    return wrong;
}

/*
 * Items that move the address and user: keys with and without values,
 * doubled spaces, a client-set ruser= that looks like the other items,
 * and values stored as logged.
 */
static const char *const items[] = {
    " rhost=192.0.2.1", " rhost=", " rhost=host.example.com", " user=root",
    "  user=bob", " user=", " ruser= rhost=10.0.0.1", " ruser=x user=evil",
    " ruser=rhost=", "rhost=1.2.3.4", " ", "user=x", " tty=ssh",
};
#define NITEMS (sizeof(items) / sizeof(items[0]))

static void
auth_failure_matches_reference(void)
{
    struct tz utc = { 0 };
    struct format_opts o = { .tz = &utc, .year = 2024, .year_given = true,
                             .ref_time = 1700000000 };
    void *state = sshd_format.open(&o);
    char text[400];
    int wrong = 0;
    int total = 0;

    for (int usual = 0; usual <= 1; usual++) {
        size_t counts[5] = { 1, NITEMS, NITEMS * NITEMS,
                             NITEMS * NITEMS * NITEMS,
                             NITEMS * NITEMS * NITEMS * NITEMS };
        for (size_t nitems = 0; nitems <= 4; nitems++) {
            for (size_t code = 0; code < counts[nitems]; code++) {
                size_t len = 0;
                size_t c = code;
                text[0] = '\0';
                if (usual) {
                    len += (size_t)snprintf(text, sizeof(text), "%s",
                                            usual_start);
                }
                for (size_t k = 0; k < nitems; k++) {
                    len += (size_t)snprintf(text + len, sizeof(text) - len,
                                            "%s", items[c % NITEMS]);
                    c /= NITEMS;
                }
                wrong += compare_one(state, text);
                total++;
                if (wrong > 10) {
                    CHECK(wrong <= 10);
                    sshd_format.close(state);
                    return;
                }
            }
        }
    }
    CHECK_INT(wrong, 0);
    CHECK(total > 50000);
    sshd_format.close(state);
}

/* The usual lines, with and without a user, and the fields they give. */
static void
usual_lines_give_address_and_user(void)
{
    struct tz utc = { 0 };
    struct format_opts o = { .tz = &utc, .year = 2024, .year_given = true,
                             .ref_time = 1700000000 };
    void *state = sshd_format.open(&o);
    struct tcapture cap;
    struct event_sink sink = tcapture_sink(&cap);
    struct event_origin origin = { "sshd", "test.log", 1 };
    const char *reason = NULL;

    tcapture_init(&cap);
    sshd_format.feed(state,
                     sv_cstr("Jan  1 00:00:00 h sshd[1]: pam_unix(sshd:auth): "
                             "authentication failure; logname= uid=0 euid=0 "
                             "tty=ssh ruser= rhost=198.18.159.150  user=root"),
                     &origin, &sink, &reason);
    sshd_format.feed(state,
                     sv_cstr("Jan  1 00:00:00 h sshd[1]: pam_unix(sshd:auth): "
                             "authentication failure; logname= uid=0 euid=0 "
                             "tty=ssh ruser= rhost=198.18.107.248"),
                     &origin, &sink, &reason);
    CHECK_INT(cap.count, 2);
    CHECK_SV(event_str(&cap.ev[0], EVENT_SRC_IP), "198.18.159.150");
    CHECK_SV(event_str(&cap.ev[0], EVENT_USER), "root");
    CHECK_SV(event_str(&cap.ev[1], EVENT_SRC_IP), "198.18.107.248");
    CHECK(!event_has_str(&cap.ev[1], EVENT_USER));
    tcapture_fini(&cap);
    sshd_format.close(state);
}

int
main(void)
{
    TEST_RUN("sshd_pam", auth_failure_matches_reference);
    TEST_RUN("sshd_pam", usual_lines_give_address_and_user);
    TEST_EXIT();
}
