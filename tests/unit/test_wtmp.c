/*
 * Unit tests for the wtmp format: records built here in glibc's 384-byte
 * struct utmp layout and fed in blocks of awkward sizes, so that records
 * split across blocks, the layout check and the btmp rule are covered.
 */
#include "formats/format.h"

#include <arpa/inet.h>

#include "tcapture.h"

#define REC 384

static struct tcapture cap;
static enum parse_status last_status;
static const char *last_reason;

extern const struct format_ops wtmp_format;

static void
put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* Writes one glibc utmp record; addr is 16 bytes or NULL. */
static void
make_record(unsigned char *rec, int type, uint32_t pid, const char *line,
            const char *user, const char *host, uint32_t sec, uint32_t usec,
            const unsigned char *addr)
{
    memset(rec, 0, REC);
    rec[0] = (unsigned char)type;
    put_u32(rec + 4, pid);
    memcpy(rec + 8, line, strlen(line));
    memcpy(rec + 44, user, strlen(user));
    memcpy(rec + 76, host, strlen(host));
    put_u32(rec + 340, sec);
    put_u32(rec + 344, usec);
    if (addr != NULL) {
        memcpy(rec + 348, addr, 16);
    }
}

/* What the last flush of feed_blocks returned. */
static enum parse_status flush_status;
static uint64_t flush_line;
static const char *flush_reason;

/* Feeds n bytes in blocks of chunk bytes, then flushes. */
static void
feed_blocks(const unsigned char *data, size_t n, size_t chunk)
{
    struct format_opts o = { 0 };
    struct event_sink sink = tcapture_sink(&cap);
    struct event_origin origin = { "wtmp", "wtmp.bin", 0 };
    void *state = wtmp_format.open(&o);

    tcapture_reset(&cap);
    last_status = PARSE_OK;
    for (size_t off = 0; off < n; off += chunk) {
        size_t len = n - off < chunk ? n - off : chunk;
        const char *reason = NULL;
        enum parse_status st = wtmp_format.feed(
            state, sv_make((const char *)data + off, len), &origin, &sink,
            &reason);
        if (st == PARSE_MALFORMED) {
            last_status = st;
            last_reason = reason;
        }
    }
    flush_status = wtmp_format.flush(state, &sink, &flush_line, &flush_reason);
    wtmp_format.close(state);
}

static struct sv
str(int i, enum event_str f)
{
    return event_str(&cap.ev[i], f);
}

static int64_t
num(int i, enum event_num f)
{
    return event_num(&cap.ev[i], f, -1);
}

static const unsigned char addr_v4[16] = { 192, 0, 2, 7 };

/* A boot, a runlevel, an sshd login and its logout. */
static size_t
make_session(unsigned char *buf)
{
    make_record(buf, 2, 0, "~", "reboot", "6.1.0-18-amd64", 1700000000, 5,
                NULL);
    make_record(buf + REC, 1, 0x4e35, "~", "runlevel", "6.1.0-18-amd64",
                1700000001, 0, NULL);
    make_record(buf + 2 * REC, 7, 4242, "pts/0", "alice", "192.0.2.7",
                1700000100, 123456, addr_v4);
    make_record(buf + 3 * REC, 8, 4242, "pts/0", "", "", 1700000200, 0,
                NULL);
    return 4 * REC;
}

static void
session_whole_block(void)
{
    unsigned char buf[4 * REC];
    size_t n = make_session(buf);

    feed_blocks(buf, n, n);
    CHECK_INT(last_status, PARSE_OK);
    CHECK_INT(cap.count, 4);
    CHECK_INT(cap.ev[0].kind, EVENT_BOOT);
    CHECK_SV(str(0, EVENT_DETAIL), "6.1.0-18-amd64");
    CHECK_INT(cap.ev[0].origin.line, 1);
    CHECK_INT(cap.ev[1].kind, EVENT_RUNLEVEL);
    CHECK_SV(str(1, EVENT_DETAIL), "runlevel 5 (was N)");
    CHECK_INT(num(1, EVENT_PID), -1);

    CHECK_INT(cap.ev[2].kind, EVENT_USER_LOGIN);
    CHECK_INT(cap.ev[2].result, EVENT_RESULT_SUCCESS);
    CHECK_SV(str(2, EVENT_USER), "alice");
    CHECK_SV(str(2, EVENT_TTY), "pts/0");
    CHECK_SV(str(2, EVENT_SRC_IP), "192.0.2.7");
    CHECK_SV(str(2, EVENT_PROGRAM), "sshd");
    CHECK_SV(str(2, EVENT_HOST), NULL);
    CHECK_INT(num(2, EVENT_PID), 4242);
    CHECK_INT(cap.ev[2].time.sec, 1700000100);
    CHECK_INT(cap.ev[2].time.nsec, 123456000);
    CHECK_INT(cap.ev[2].origin.line, 3);
    CHECK_STR(cap.ev[2].origin.file, "wtmp.bin");

    CHECK_INT(cap.ev[3].kind, EVENT_USER_LOGOUT);
    CHECK_SV(str(3, EVENT_USER), "alice");
    CHECK_SV(str(3, EVENT_SRC_IP), "192.0.2.7");
    CHECK_SV(str(3, EVENT_PROGRAM), "sshd");
    CHECK_INT(cap.ev[3].origin.line, 4);
}

/* Records split at every block size give the same events. */
static void
session_split_blocks(void)
{
    unsigned char buf[4 * REC];
    size_t n = make_session(buf);
    static const size_t chunks[] = { 1, 7, 100, 383, 385, 767, 1000 };

    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        feed_blocks(buf, n, chunks[i]);
        CHECK_INT(cap.count, 4);
        CHECK_SV(str(2, EVENT_USER), "alice");
        CHECK_INT(cap.ev[3].kind, EVENT_USER_LOGOUT);
        CHECK_SV(str(3, EVENT_USER), "alice");
        CHECK_INT(cap.ev[3].origin.line, 4);
    }
}

static void
single_record_file(void)
{
    unsigned char buf[REC];

    make_record(buf, 7, 9, "ssh:notty", "bob", "", 1700000000, 0, NULL);
    feed_blocks(buf, REC, REC);
    CHECK_INT(cap.count, 1);
    CHECK_SV(str(0, EVENT_PROGRAM), "sshd");
    CHECK_SV(str(0, EVENT_SRC_IP), NULL);
}

/* A last record the input cuts short is reported, with its number. */
static void
cut_last_record(void)
{
    unsigned char buf[2 * REC];

    make_record(buf, 7, 9, "ssh:notty", "bob", "", 1700000000, 0, NULL);
    make_record(buf + REC, 7, 10, "pts/1", "eve", "", 1700000001, 0, NULL);
    feed_blocks(buf, REC + 100, 64);
    CHECK_INT(cap.count, 1);
    CHECK_INT(flush_status, PARSE_MALFORMED);
    CHECK_STR(flush_reason, "input ends inside a record");
    CHECK_INT((int)flush_line, 2);

    feed_blocks(buf, 2 * REC, 64);
    CHECK_INT(cap.count, 2);
    CHECK_INT(flush_status, PARSE_OK);
}

static void
ipv6_address(void)
{
    unsigned char buf[2 * REC];
    unsigned char a6[16];

    inet_pton(AF_INET6, "2001:db8::5", a6);
    make_record(buf, 7, 9, "pts/3", "carol", "2001:db8::5", 1700000000, 0,
                a6);
    make_record(buf + REC, 7, 10, "pts/4", "dave", "client.example.net",
                1700000000, 0, NULL);
    feed_blocks(buf, sizeof(buf), sizeof(buf));
    CHECK_INT(cap.count, 2);
    CHECK_SV(str(0, EVENT_SRC_IP), "2001:db8::5");
    CHECK_SV(str(1, EVENT_SRC_IP), "client.example.net");
    CHECK_SV(str(1, EVENT_PROGRAM), "sshd");
}

/* A local X terminal and a console login are not sshd logins. */
static void
local_logins_not_sshd(void)
{
    unsigned char buf[2 * REC];

    make_record(buf, 7, 9, "pts/1", "erin", ":0", 1700000000, 0, NULL);
    make_record(buf + REC, 7, 10, "tty1", "erin", "", 1700000000, 0, NULL);
    feed_blocks(buf, sizeof(buf), sizeof(buf));
    CHECK_INT(cap.count, 2);
    CHECK_SV(str(0, EVENT_PROGRAM), NULL);
    CHECK_SV(str(0, EVENT_SRC_IP), NULL);
    CHECK_SV(str(1, EVENT_PROGRAM), NULL);
}

/* btmp: OpenSSH writes LOGIN_PROCESS "ssh:notty"; getty writes "LOGIN". */
static void
btmp_failed_login(void)
{
    unsigned char buf[2 * REC];

    make_record(buf, 6, 77, "ssh:notty", "admin", "192.0.2.9", 1700000000,
                0, addr_v4);
    make_record(buf + REC, 6, 78, "tty1", "LOGIN", "", 1700000000, 0, NULL);
    feed_blocks(buf, sizeof(buf), sizeof(buf));
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_AUTH_FAILURE);
    CHECK_INT(cap.ev[0].result, EVENT_RESULT_FAILURE);
    CHECK_SV(str(0, EVENT_USER), "admin");
    CHECK_SV(str(0, EVENT_PROGRAM), "sshd");
    CHECK_SV(str(0, EVENT_SRC_IP), "192.0.2.7");
}

static void
logout_without_login(void)
{
    unsigned char buf[REC];

    make_record(buf, 8, 5, "pts/9", "", "", 1700000000, 0, NULL);
    feed_blocks(buf, REC, REC);
    CHECK_INT(cap.count, 1);
    CHECK_INT(cap.ev[0].kind, EVENT_USER_LOGOUT);
    CHECK_SV(str(0, EVENT_USER), NULL);
    CHECK_SV(str(0, EVENT_TTY), "pts/9");
}

/* A trailing partial record produces nothing; full records still count. */
static void
truncated_tail(void)
{
    unsigned char buf[4 * REC + 1];
    size_t n = make_session(buf);

    buf[n] = 0x07;
    feed_blocks(buf, n + 1, 512);
    CHECK_INT(cap.count, 4);
}

static void
text_input_rejected(void)
{
    static const char text[] =
        "Mar  7 18:53:20 bar sshd[1556]: Accepted publickey for alice from "
        "192.0.2.113 port 52100 ssh2: ED25519 SHA256:AbCdEf0123+/xyz\n";
    unsigned char buf[2 * REC];

    memset(buf, 0, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (unsigned char)text[i % (sizeof(text) - 1)];
    }
    CHECK_INT(wtmp_format.probe_binary(buf, sizeof(buf)), 0);
    feed_blocks(buf, sizeof(buf), sizeof(buf));
    CHECK_INT(cap.count, 0);
    CHECK_INT(last_status, PARSE_MALFORMED);
    CHECK_STR(last_reason, "not a glibc utmp or macOS utmpx file");
}

static void
probe_scores(void)
{
    unsigned char buf[4 * REC];
    size_t n = make_session(buf);

    CHECK(wtmp_format.probe_binary(buf, n) >= 90);
    CHECK(wtmp_format.probe_binary(buf, REC) >= 50);
    CHECK_INT(wtmp_format.probe_binary(buf, REC - 1), 0);

    /* An unknown type in the second record. */
    buf[REC] = 42;
    CHECK_INT(wtmp_format.probe_binary(buf, n), 0);
}

/* A record with an unknown type after a valid start is malformed. */
static void
bad_record_in_stream(void)
{
    unsigned char buf[4 * REC];
    size_t n = make_session(buf);

    buf[3 * REC] = 42;
    feed_blocks(buf, n, n);
    CHECK_INT(cap.count, 3);
    /* The sink counts the fourth record, at its own number, so the
     * block's status adds nothing. */
    CHECK_INT(last_status, PARSE_OK);
    CHECK_INT(cap.ncounted, 1);
    CHECK_INT(cap.counted_status[0], PARSE_MALFORMED);
    CHECK_INT((int)cap.counted_line[0], 4);
    CHECK_STR(cap.counted_reason[0],
              "record with an unknown type or binary text fields");
}

/* Two bad records in one block are counted once each, at their numbers. */
static void
bad_records_counted_each(void)
{
    unsigned char buf[4 * REC];
    size_t n = make_session(buf);

    /* The first two records choose the layout, so they stay valid. */
    buf[2 * REC] = 42;
    buf[3 * REC] = 43;
    feed_blocks(buf, n, n);
    CHECK_INT(cap.ncounted, 2);
    CHECK_INT((int)cap.counted_line[0], 3);
    CHECK_INT((int)cap.counted_line[1], 4);
    CHECK_INT(last_status, PARSE_OK);
}

static void
macos_signature(void)
{
    unsigned char buf[3 * 628];

    memset(buf, 0, sizeof(buf));
    memcpy(buf, "utmpx-1.00", 10);
    buf[296] = 10;
    /* A console login: user, line, pid, type, time. */
    memcpy(buf + 628, "frank", 5);
    memcpy(buf + 628 + 260, "ttys001", 7);
    put_u32(buf + 628 + 292, 321);
    buf[628 + 296] = 7;
    put_u32(buf + 628 + 300, 1700000000);
    put_u32(buf + 628 + 304, 42);
    memcpy(buf + 628 + 308, "192.0.2.3", 9);
    /* Its logout. */
    memcpy(buf + 2 * 628 + 260, "ttys001", 7);
    buf[2 * 628 + 296] = 8;
    put_u32(buf + 2 * 628 + 300, 1700000300);

    CHECK_INT(wtmp_format.probe_binary(buf, sizeof(buf)), 100);
    feed_blocks(buf, sizeof(buf), 100);
    CHECK_INT(cap.count, 2);
    CHECK_INT(cap.ev[0].kind, EVENT_USER_LOGIN);
    CHECK_SV(str(0, EVENT_USER), "frank");
    CHECK_SV(str(0, EVENT_TTY), "ttys001");
    CHECK_SV(str(0, EVENT_SRC_IP), "192.0.2.3");
    CHECK_INT(num(0, EVENT_PID), 321);
    CHECK_INT(cap.ev[0].time.nsec, 42000);
    CHECK_INT(cap.ev[0].origin.line, 2);
    CHECK_INT(cap.ev[1].kind, EVENT_USER_LOGOUT);
    CHECK_SV(str(1, EVENT_USER), "frank");
}

/* A head of zero bytes, the hole a truncated text log starts with, is no
 * wtmp evidence, but zero records before real ones do not hide a wtmp
 * file, and zero bytes before text do not make one. */
static void
zero_head_is_not_wtmp(void)
{
    static unsigned char zeros[8192];
    unsigned char buf[4 * REC];

    CHECK_INT(wtmp_format.probe_binary(zeros, sizeof(zeros)), 0);
    CHECK_INT(wtmp_format.probe_binary(zeros, 384), 0);

    memset(buf, 0, sizeof(buf));
    make_record(buf + 2 * REC, 7, 9, "pts/0", "bob", "", 1700000000, 0, NULL);
    make_record(buf + 3 * REC, 8, 9, "pts/0", "", "", 1700000100, 0, NULL);
    CHECK_INT(wtmp_format.probe_binary(buf, sizeof(buf)), 90);

    /* Text lines from the middle of the third record on. */
    static const char line[] = "Mar  1 10:00:01 web1 sshd[20]: x\n";
    memset(buf, 0, sizeof(buf));
    for (size_t at = 2 * REC + 100; at < sizeof(buf); at++) {
        buf[at] = (unsigned char)line[(at - 2 * REC - 100) % (sizeof(line) - 1)];
    }
    CHECK_INT(wtmp_format.probe_binary(buf, sizeof(buf)), 0);
}

int
main(void)
{
    tcapture_init(&cap);
    TEST_RUN("wtmp", session_whole_block);
    TEST_RUN("wtmp", session_split_blocks);
    TEST_RUN("wtmp", single_record_file);
    TEST_RUN("wtmp", cut_last_record);
    TEST_RUN("wtmp", zero_head_is_not_wtmp);
    TEST_RUN("wtmp", ipv6_address);
    TEST_RUN("wtmp", local_logins_not_sshd);
    TEST_RUN("wtmp", btmp_failed_login);
    TEST_RUN("wtmp", logout_without_login);
    TEST_RUN("wtmp", truncated_tail);
    TEST_RUN("wtmp", text_input_rejected);
    TEST_RUN("wtmp", probe_scores);
    TEST_RUN("wtmp", bad_record_in_stream);
    TEST_RUN("wtmp", bad_records_counted_each);
    TEST_RUN("wtmp", macos_signature);
    tcapture_fini(&cap);
    TEST_EXIT();
}
