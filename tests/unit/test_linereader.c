/*
 * Unit tests for the bounded line reader.  Every input is read three ways:
 * from a temporary file, from a pipe written in one call, and from a pipe
 * written in small pieces, because read(2) returns different amounts in
 * each case and line ends can fall on any read boundary.
 */
#include "input/linereader.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcheck.h"

#define MAX_LINES 200000

enum feed_mode { FEED_FILE, FEED_PIPE_WHOLE, FEED_PIPE_PIECES, FEED_MODES };

static const char *const mode_names[FEED_MODES] = {
    "file", "pipe", "pipe in pieces",
};

struct got_line {
    char *p;
    size_t len;
    bool truncated;
    uint64_t number;
};

struct got {
    struct got_line *lines;
    size_t count;
    int last_rc;
};

static void
got_free(struct got *g)
{
    for (size_t i = 0; i < g->count; i++) {
        free(g->lines[i].p);
    }
    free(g->lines);
    memset(g, 0, sizeof(*g));
}

static void
write_all(int fd, const char *p, size_t n, size_t piece)
{
    while (n > 0) {
        size_t k = n < piece ? n : piece;
        ssize_t w = write(fd, p, k);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            _exit(1);
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Opens a descriptor that yields data in the given mode.  *child gets the
 * writer's pid for the pipe modes, or -1. */
static int
open_feed(const char *data, size_t len, enum feed_mode mode, pid_t *child)
{
    *child = -1;
    if (mode == FEED_FILE) {
        char path[] = "/tmp/sshtrail-linereader-XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0) {
            return -1;
        }
        unlink(path);
        write_all(fd, data, len, len ? len : 1);
        lseek(fd, 0, SEEK_SET);
        return fd;
    }

    int fds[2];
    if (pipe(fds) < 0) {
        return -1;
    }
    *child = fork();
    if (*child < 0) {
        return -1;
    }
    if (*child == 0) {
        close(fds[0]);
        /* 4093 is prime, so piece ends drift across every alignment. */
        write_all(fds[1], data, len,
                  mode == FEED_PIPE_WHOLE ? (len ? len : 1) : 4093);
        _exit(0);
    }
    close(fds[1]);
    return fds[0];
}

static struct got
read_lines(const char *data, size_t len, enum feed_mode mode)
{
    struct got g = { calloc(MAX_LINES, sizeof(struct got_line)), 0, 0 };
    struct linereader r;
    pid_t child;
    int fd = open_feed(data, len, mode, &child);

    if (fd < 0 || g.lines == NULL || linereader_init(&r, fd) != 0) {
        g.last_rc = -2;
        return g;
    }
    for (;;) {
        struct sv line;
        bool truncated;
        int rc = linereader_next(&r, &line, &truncated);

        if (rc != 1 || g.count == MAX_LINES) {
            g.last_rc = rc;
            break;
        }
        struct got_line *l = &g.lines[g.count++];
        l->p = malloc(line.len ? line.len : 1);
        memcpy(l->p, line.p, line.len);
        l->len = line.len;
        l->truncated = truncated;
        l->number = r.line;
    }
    CHECK_INT(r.bytes, len);
    linereader_fini(&r);
    close(fd);
    if (child > 0) {
        waitpid(child, NULL, 0);
    }
    return g;
}

/* Compares one read line with its expected bytes, length and flag. */
static bool
line_is(const struct got *g, size_t i, const char *p, size_t len,
        bool truncated)
{
    if (i >= g->count) {
        printf("  line %zu missing (%zu lines read)\n", i + 1, g->count);
        return false;
    }
    const struct got_line *l = &g->lines[i];
    if (l->len != len || l->truncated != truncated || l->number != i + 1 ||
        (len && memcmp(l->p, p, len) != 0)) {
        printf("  line %zu: length %zu truncated %d number %llu, expected "
               "length %zu truncated %d\n", i + 1, l->len, l->truncated,
               (unsigned long long)l->number, len, truncated);
        return false;
    }
    return true;
}

/* Reads data in every mode and checks the lines against expected, a list
 * of NUL-terminated strings ending with NULL. */
static void
check_small(const char *data, size_t len, const char *const *expected)
{
    for (int mode = 0; mode < FEED_MODES; mode++) {
        struct got g = read_lines(data, len, (enum feed_mode)mode);
        size_t n = 0;
        bool ok = g.last_rc == 0;

        for (; expected[n] != NULL; n++) {
            ok = line_is(&g, n, expected[n], strlen(expected[n]), false) &&
                 ok;
        }
        if (!ok || g.count != n) {
            printf("  mode %s: %zu lines, expected %zu, last rc %d\n",
                   mode_names[mode], g.count, n, g.last_rc);
            tcheck_failed_checks++;
        }
        got_free(&g);
    }
}

#define CHECK_LINES(data, ...)                                              \
    check_small((data), sizeof(data) - 1,                                   \
                (const char *const[]){ __VA_ARGS__, NULL })

static void
crlf_and_lf(void)
{
    CHECK_LINES("a\r\nb\nc\r\n", "a", "b", "c");
    /* Only one CR before the LF is part of the terminator. */
    CHECK_LINES("a\r\r\nb\rc\n", "a\r", "b\rc");
}

static void
last_line_without_lf(void)
{
    CHECK_LINES("one\ntwo", "one", "two");
    CHECK_LINES("one\ntwo\r", "one", "two");
    CHECK_LINES("x", "x");
}

static void
empty_lines_and_input(void)
{
    static const char *const none[] = { NULL };

    CHECK_LINES("\n\n", "", "");
    CHECK_LINES("\r\n", "");
    CHECK_LINES("a\n\nb\n", "a", "", "b");
    check_small("", 0, none);
}

/* NUL bytes inside and at the end of a line are data.  Those before a
 * line are dropped, as they are the hole of a log truncated while it is
 * written. */
static void
nul_bytes_are_data(void)
{
    static const char data[] = "a\0b\nc\0\0\n\0\n\0\0\0x\0y\n";

    for (int mode = 0; mode < FEED_MODES; mode++) {
        struct got g = read_lines(data, sizeof(data) - 1,
                                  (enum feed_mode)mode);
        CHECK_INT(g.count, 4);
        CHECK(line_is(&g, 0, "a\0b", 3, false));
        CHECK(line_is(&g, 1, "c\0\0", 3, false));
        CHECK(line_is(&g, 2, "", 0, false));
        CHECK(line_is(&g, 3, "x\0y", 3, false));
        got_free(&g);
    }
}

/* A hole of NUL bytes longer than the line maximum before a line leaves
 * the line whole. */
static void
nul_hole_longer_than_a_line(void)
{
    size_t hole = LINEREADER_MAX_LINE * 2 + 17;
    char *data = calloc(1, hole + 6);

    memcpy(data + hole, "line\nz", 6);
    for (int mode = 0; mode < FEED_MODES; mode++) {
        struct got g = read_lines(data, hole + 6, (enum feed_mode)mode);
        CHECK_INT(g.count, 2);
        CHECK(line_is(&g, 0, "line", 4, false));
        CHECK(line_is(&g, 1, "z", 1, false));
        got_free(&g);
    }
    free(data);
}

/* Builds "head" + a line of n pattern bytes + terminator + "tail\n". */
static char *
long_line_input(size_t n, const char *terminator, size_t *len)
{
    size_t tlen = strlen(terminator);
    char *data = malloc(5 + n + tlen + 5);

    memcpy(data, "head\n", 5);
    for (size_t i = 0; i < n; i++) {
        data[5 + i] = (char)('a' + i % 26);
    }
    memcpy(data + 5 + n, terminator, tlen);
    memcpy(data + 5 + n + tlen, "tail\n", 5);
    *len = 5 + n + tlen + 5;
    return data;
}

static void
check_long_line(size_t n, const char *terminator)
{
    size_t len;
    char *data = long_line_input(n, terminator, &len);
    bool cut = n > LINEREADER_MAX_LINE;
    size_t kept = cut ? LINEREADER_MAX_LINE : n;

    for (int mode = 0; mode < FEED_MODES; mode++) {
        struct got g = read_lines(data, len, (enum feed_mode)mode);
        bool ok = g.count == 3 && g.last_rc == 0 &&
                  line_is(&g, 0, "head", 4, false) &&
                  line_is(&g, 1, data + 5, kept, cut) &&
                  line_is(&g, 2, "tail", 4, false);
        if (!ok) {
            printf("  line of %zu bytes + \"%s\" from %s: %zu lines\n", n,
                   terminator[0] == '\r' ? "\\r\\n" : "\\n",
                   mode_names[mode], g.count);
            tcheck_failed_checks++;
        }
        got_free(&g);
    }
    free(data);
}

static void
line_of_max_length(void)
{
    check_long_line(LINEREADER_MAX_LINE, "\n");
    check_long_line(LINEREADER_MAX_LINE, "\r\n");
    check_long_line(LINEREADER_MAX_LINE - 1, "\n");
}

/*
 * A line of exactly the maximum, first in a pipe written in 64 KiB pieces:
 * the buffer then holds exactly the maximum before the LF arrives.
 */
static void
line_of_max_length_aligned(void)
{
    char *data = malloc(LINEREADER_MAX_LINE + 3);
    struct linereader r;
    struct sv line;
    bool truncated;
    int fds[2];
    pid_t child;

    memset(data, 'y', LINEREADER_MAX_LINE);
    memcpy(data + LINEREADER_MAX_LINE, "\nz\n", 3);
    CHECK_INT(pipe(fds), 0);
    child = fork();
    if (child == 0) {
        close(fds[0]);
        write_all(fds[1], data, LINEREADER_MAX_LINE, 65536);
        /* Let the reader see the full buffer before the LF. */
        usleep(200000);
        write_all(fds[1], data + LINEREADER_MAX_LINE, 3, 3);
        _exit(0);
    }
    close(fds[1]);
    CHECK_INT(linereader_init(&r, fds[0]), 0);
    CHECK_INT(linereader_next(&r, &line, &truncated), 1);
    CHECK_INT(line.len, LINEREADER_MAX_LINE);
    CHECK(!truncated);
    CHECK_INT(linereader_next(&r, &line, &truncated), 1);
    CHECK_SV(line, "z");
    CHECK_INT(r.line, 2);
    CHECK_INT(linereader_next(&r, &line, &truncated), 0);
    linereader_fini(&r);
    close(fds[0]);
    waitpid(child, NULL, 0);
    free(data);
}

static void
line_over_max_cut_once(void)
{
    check_long_line(LINEREADER_MAX_LINE + 1, "\n");
    check_long_line(3 * LINEREADER_MAX_LINE, "\n");
    check_long_line(3 * LINEREADER_MAX_LINE + 12345, "\r\n");
}

/* A long last line without a terminator is cut once and ends the input. */
static void
line_over_max_at_eof(void)
{
    size_t len = 2 * LINEREADER_MAX_LINE;
    char *data = malloc(len);

    memset(data, 'x', len);
    for (int mode = 0; mode < FEED_MODES; mode++) {
        struct got g = read_lines(data, len, (enum feed_mode)mode);
        CHECK_INT(g.count, 1);
        CHECK_INT(g.last_rc, 0);
        CHECK(line_is(&g, 0, data, LINEREADER_MAX_LINE, true));
        got_free(&g);
    }
    free(data);
}

/* 60000 numbered lines (about 700 KiB) cross several 256 KiB blocks. */
static void
many_lines_cross_blocks(void)
{
    enum { COUNT = 60000 };
    size_t cap = (size_t)COUNT * 16;
    char *data = malloc(cap);
    size_t len = 0;

    for (int i = 0; i < COUNT; i++) {
        len += (size_t)snprintf(data + len, cap - len, "line %d%s\n", i,
                                i % 7 == 0 ? "\r" : "");
    }
    for (int mode = 0; mode < FEED_MODES; mode++) {
        struct got g = read_lines(data, len, (enum feed_mode)mode);
        int bad = 0;

        CHECK_INT(g.count, COUNT);
        for (size_t i = 0; i < g.count && bad < 3; i++) {
            char expected[32];
            int n = snprintf(expected, sizeof(expected), "line %zu", i);
            if (!line_is(&g, i, expected, (size_t)n, false)) {
                bad++;
            }
        }
        CHECK_INT(bad, 0);
        got_free(&g);
    }
    free(data);
}

static void
read_error_reported(void)
{
    struct linereader r;
    struct sv line;
    bool truncated;
    int fds[2];

    CHECK_INT(pipe(fds), 0);
    /* Reading from the write end of a pipe fails with EBADF. */
    CHECK_INT(linereader_init(&r, fds[1]), 0);
    CHECK_INT(linereader_next(&r, &line, &truncated), -1);
    CHECK(r.error != 0);
    linereader_fini(&r);
    close(fds[0]);
    close(fds[1]);
}

int
main(void)
{
    TEST_RUN("linereader", crlf_and_lf);
    TEST_RUN("linereader", last_line_without_lf);
    TEST_RUN("linereader", empty_lines_and_input);
    TEST_RUN("linereader", nul_bytes_are_data);
    TEST_RUN("linereader", nul_hole_longer_than_a_line);
    TEST_RUN("linereader", line_of_max_length);
    TEST_RUN("linereader", line_of_max_length_aligned);
    TEST_RUN("linereader", line_over_max_cut_once);
    TEST_RUN("linereader", line_over_max_at_eof);
    TEST_RUN("linereader", many_lines_cross_blocks);
    TEST_RUN("linereader", read_error_reported);
    TEST_EXIT();
}
