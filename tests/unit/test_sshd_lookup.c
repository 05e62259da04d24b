/*
 * Differential test of the sshd parser's message lookup.  The parser finds
 * the message prefix by comparing 8-byte words, and the reference below is
 * a plain loop with memcmp over the same prefixes in table order.  The
 * probe score is 100 when a prefix starts the message and 80 when none
 * does.  Parser and reference must agree for every generated message:
 * each prefix cut at every length, with every byte changed in turn, and
 * with random text after it.
 */
#include "formats/format.h"

#include <stdio.h>
#include <stdlib.h>

#include "tcheck.h"

extern const struct format_ops sshd_format;

/* The prefixes of the message table in sshd.c, in its order. */
static const char *const ref_prefixes[] = {
    "Accepted key ",
    "Accepted certificate ID ",
    "Accepted ",
    "User child is on pid ",
    "Failed ",
    "Invalid user ",
    "Connection closed by ",
    "Connection reset by ",
    "Disconnected from ",
    "Received disconnect from ",
    "maximum authentication attempts exceeded for ",
    "pam_unix(sshd:auth): authentication failure;",
    "pam_unix(sshd:session): session opened for user ",
    "pam_unix(sshd:session): session closed for user ",
    "PAM: Authentication failure for ",
    "PAM: authentication failure for ",
    "PAM: Authentication error for ",
    "PAM: authentication error for ",
    "PAM: User not known to the underlying authentication module for ",
    "Starting session: ",
    "Connection from ",
};

#define NPREFIXES (sizeof(ref_prefixes) / sizeof(ref_prefixes[0]))

/* The stamp, host and program before each message. */
static const char header[] = "Jan  1 00:00:00 host sshd[1]: ";

static bool
ref_known(const char *msg, size_t len)
{
    for (size_t i = 0; i < NPREFIXES; i++) {
        size_t n = strlen(ref_prefixes[i]);
        if (n <= len && memcmp(msg, ref_prefixes[i], n) == 0) {
            return true;
        }
    }
    return false;
}

static int checked;

/*
 * Probes the line header + msg and compares the score with the
 * reference.  Messages that the parser would first strip ("[ID ",
 * "error: ") or trim (leading space) are left out.
 */
static void
check_message(const char *msg, size_t len)
{
    char line[256];

    if (len > sizeof(line) - sizeof(header) ||
        (len > 0 && (msg[0] == '[' || msg[0] == 'e' || msg[0] == ' ' ||
                     msg[0] == '\t'))) {
        return;
    }
    memcpy(line, header, sizeof(header) - 1);
    memcpy(line + sizeof(header) - 1, msg, len);

    int want = ref_known(msg, len) ? 100 : 80;
    int got = sshd_format.probe(sv_make(line, sizeof(header) - 1 + len));
    if (got != want) {
        printf("  probe of \"%.*s\" is %d, expected %d\n", (int)len, msg,
               got, want);
    }
    CHECK_INT(got, want);
    checked++;
}

/* Each prefix cut at every length and followed by a few texts. */
static void
prefixes_cut_and_extended(void)
{
    static const char *const tails[] = { "", "x", "alice from 192.0.2.1",
                                         "        " };
    char msg[160];

    for (size_t i = 0; i < NPREFIXES; i++) {
        size_t n = strlen(ref_prefixes[i]);
        for (size_t cut = 0; cut <= n; cut++) {
            for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
                size_t tl = strlen(tails[t]);
                memcpy(msg, ref_prefixes[i], cut);
                memcpy(msg + cut, tails[t], tl);
                check_message(msg, cut + tl);
            }
        }
    }
}

/* Each prefix with one byte changed, at every offset, to a few bytes. */
static void
prefixes_with_one_byte_changed(void)
{
    static const char bytes[] = { 'a', 'A', ' ', ':', '\0', '\x80', 'z' };
    char msg[160];

    for (size_t i = 0; i < NPREFIXES; i++) {
        size_t n = strlen(ref_prefixes[i]);
        memcpy(msg, ref_prefixes[i], n);
        memcpy(msg + n, "bob", 3);
        for (size_t at = 0; at < n + 3; at++) {
            for (size_t b = 0; b < sizeof(bytes); b++) {
                char saved = msg[at];
                msg[at] = bytes[b];
                check_message(msg, n + 3);
                msg[at] = (char)(saved ^ 0x20);
                check_message(msg, n + 3);
                msg[at] = saved;
            }
        }
    }
}

/* Random messages: a prefix's start with random bytes after it. */
static void
random_messages(void)
{
    static const char alphabet[] = "ACDFIPRSUacdefhimnoprstuy :;()_";
    uint64_t state = 0x9e3779b97f4a7c15u;
    char msg[160];

    for (int round = 0; round < 200000; round++) {
        const char *p = ref_prefixes[tcheck_random(&state) % NPREFIXES];
        size_t keep = (size_t)(tcheck_random(&state) % (strlen(p) + 1));
        size_t extra = (size_t)(tcheck_random(&state) % 12);
        memcpy(msg, p, keep);
        for (size_t k = 0; k < extra; k++) {
            msg[keep + k] =
                alphabet[tcheck_random(&state) % (sizeof(alphabet) - 1)];
        }
        check_message(msg, keep + extra);
    }
    CHECK(checked > 200000);
}

int
main(void)
{
    TEST_RUN("sshd_lookup", prefixes_cut_and_extended);
    TEST_RUN("sshd_lookup", prefixes_with_one_byte_changed);
    TEST_RUN("sshd_lookup", random_messages);
    TEST_EXIT();
}
