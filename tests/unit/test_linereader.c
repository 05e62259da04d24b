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

/*
 * Lines of every length around the mapped window's size.  About three and
 * a half windows of numbered lines hold a line of the maximum and a line
 * past it every 20000 lines.  Window ends fall inside short lines, the
 * longest whole line and a cut one.
 */
static void
lines_cross_windows(void)
{
    size_t cap = 4 * (size_t)LINEREADER_WINDOW + 8 * LINEREADER_MAX_LINE;
    char *data = malloc(cap);
    size_t len = 0;
    size_t count = 0;

    while (len < 3 * (size_t)LINEREADER_WINDOW + LINEREADER_WINDOW / 2) {
        size_t n = (size_t)snprintf(data + len, cap - len, "line %zu ",
                                    count);
        size_t fill = count % 97;

        if (count % 20000 == 5) {
            fill = LINEREADER_MAX_LINE - n;
        } else if (count % 20000 == 15) {
            fill = LINEREADER_MAX_LINE + 777 - n;
        }
        memset(data + len + n, 'a' + (int)(count % 26), fill);
        len += n + fill;
        data[len++] = '\n';
        count++;
    }
    for (int mode = 0; mode < FEED_MODES; mode++) {
        struct got g = read_lines(data, len, (enum feed_mode)mode);
        size_t at = 0;
        int bad = 0;

        CHECK_INT(g.count, count);
        for (size_t i = 0; i < g.count && bad < 3; i++) {
            size_t n = (size_t)(strchr(data + at, '\n') - (data + at));
            bool cut = n > LINEREADER_MAX_LINE;
            if (!line_is(&g, i, data + at, cut ? LINEREADER_MAX_LINE : n,
                         cut)) {
                printf("  mode %s\n", mode_names[mode]);
                bad++;
            }
            at += n + 1;
        }
        CHECK_INT(bad, 0);
        got_free(&g);
    }
    free(data);
}

/* Writes len bytes of data to a new unlinked temporary file and returns
 * its descriptor, or -1. */
static int
temp_file(const char *data, size_t len)
{
    char path[] = "/tmp/sshtrail-linereader-XXXXXX";
    int fd = mkstemp(path);

    if (fd >= 0) {
        unlink(path);
        write_all(fd, data, len, len ? len : 1);
    }
    return fd;
}

/* Numbered lines of ten bytes each ("000000042\n"). */
static char *
numbered_lines(size_t count)
{
    char *data = malloc(count * 10 + 1);

    for (size_t i = 0; i < count; i++) {
        char line[32];
        snprintf(line, sizeof(line), "%09zu\n", i % 1000000000);
        memcpy(data + i * 10, line, 10);
    }
    return data;
}

/* A file is read from its descriptor's offset, as standard input after
 * another program read its head; the offset need not fall on a page. */
static void
file_read_from_its_offset(void)
{
    size_t count = LINEREADER_WINDOW / 10 * 2;
    char *data = numbered_lines(count);
    int fd = temp_file(data, count * 10);
    off_t from = 4096 * 3 + 2;
    struct linereader r;
    struct sv line;
    bool truncated;
    size_t got = 0;
    int bad = 0;

    CHECK(fd >= 0);
    CHECK(lseek(fd, from, SEEK_SET) == from);
    CHECK_INT(linereader_init(&r, fd), 0);
    while (linereader_next(&r, &line, &truncated) == 1) {
        const char *want = data + from + got * 10;
        if ((line.len != 9 || memcmp(line.p, want, 9) != 0) && bad++ < 3) {
            printf("  line %zu: \"%.*s\"\n", got, (int)line.len, line.p);
        }
        got++;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(got, count - (size_t)from / 10);
    CHECK_INT(r.bytes, count * 10 - (size_t)from);
    linereader_fini(&r);
    close(fd);
    free(data);
}

/* Reads lines from r until the end; returns how many, or SIZE_MAX when a
 * line is not the next numbered one. */
static size_t
read_numbered(struct linereader *r, size_t first)
{
    struct sv line;
    bool truncated;
    size_t n = first;
    int rc;

    while ((rc = linereader_next(r, &line, &truncated)) == 1) {
        char want[16];
        snprintf(want, sizeof(want), "%09zu", n);
        if (line.len > 9 || memcmp(line.p, want, line.len) != 0) {
            printf("  line %zu: \"%.*s\"\n", n, (int)line.len, line.p);
            return SIZE_MAX;
        }
        n++;
    }
    return rc == 0 ? n : SIZE_MAX;
}

/*
 * A file cut shorter while it is read (logrotate's copytruncate) ends the
 * input at its new size.  The pages past the new end fault with SIGBUS
 * when read; the reader must neither crash nor return their bytes.
 */
static void
file_cut_shorter_while_read(void)
{
    size_t count = LINEREADER_WINDOW / 10 * 3;
    char *data = numbered_lines(count);
    struct linereader r;
    struct sv line;
    bool truncated;

    /* Cut inside the first window, in the middle of line 819: the part of
     * it that is left is the last line. */
    int fd = temp_file(data, count * 10);
    CHECK(fd >= 0);
    lseek(fd, 0, SEEK_SET);
    CHECK_INT(linereader_init(&r, fd), 0);
    CHECK_INT(linereader_next(&r, &line, &truncated), 1);
    CHECK_INT(ftruncate(fd, 8197), 0);
    CHECK_INT(read_numbered(&r, 1), 820);
    CHECK_INT(r.bytes, 8197);
    linereader_fini(&r);
    close(fd);

    /* Cut to nothing once the reader is in its second window. */
    fd = temp_file(data, count * 10);
    CHECK(fd >= 0);
    lseek(fd, 0, SEEK_SET);
    CHECK_INT(linereader_init(&r, fd), 0);
    size_t read = 0;
    while (r.map_off == 0 && linereader_next(&r, &line, &truncated) == 1) {
        read++;
    }
    CHECK(read > LINEREADER_WINDOW / 10 - 2);
    CHECK_INT(ftruncate(fd, 0), 0);
    CHECK_INT(read_numbered(&r, read), read);
    linereader_fini(&r);
    close(fd);
    free(data);
}

/* Lines appended to a file while it is read are read too, as read(2)
 * returns them. */
static void
file_grows_while_read(void)
{
    char *data = numbered_lines(200);
    int fd = temp_file(data, 100 * 10);
    struct linereader r;

    CHECK(fd >= 0);
    lseek(fd, 0, SEEK_SET);
    CHECK_INT(linereader_init(&r, fd), 0);
    struct sv line;
    bool truncated;
    CHECK_INT(linereader_next(&r, &line, &truncated), 1);
    CHECK(pwrite(fd, data + 1000, 1000, 1000) == 1000);
    CHECK_INT(read_numbered(&r, 1), 200);
    linereader_fini(&r);
    close(fd);
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
    TEST_RUN("linereader", lines_cross_windows);
    TEST_RUN("linereader", file_read_from_its_offset);
    TEST_RUN("linereader", file_cut_shorter_while_read);
    TEST_RUN("linereader", file_grows_while_read);
    TEST_RUN("linereader", read_error_reported);
    TEST_EXIT();
}
