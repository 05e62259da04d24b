/* Bounded line reader over mmap(2) windows or read(2). */
#include "input/linereader.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK (256u * 1024u)

/*
 * The SIGBUS guard.  Each mapped reader owns one slot with the bounds of
 * its window.  A read of a page past the end of a file that was cut
 * shorter faults with SIGBUS in the reading thread.  When the address lies
 * in a slot's window, the handler maps a zero-filled page over the lost one
 * and returns, so the read runs again and reads NUL bytes.  Any other
 * SIGBUS gets the default action.  Slots are taken and given back under a
 * mutex.  The handler only reads the bounds, and a reader sets its hi
 * bound to 0 (an empty range) while it changes them.
 */
#define GUARD_SLOTS 64

static _Atomic uintptr_t guard_lo[GUARD_SLOTS];
static _Atomic uintptr_t guard_hi[GUARD_SLOTS];
static bool guard_used[GUARD_SLOTS];
static bool guard_installed;
static uintptr_t guard_page;
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;

static void
guard_on_sigbus(int sig, siginfo_t *info, void *context)
{
    uintptr_t a = (uintptr_t)info->si_addr;

    (void)context;
    for (int i = 0; i < GUARD_SLOTS; i++) {
        if (a >= atomic_load(&guard_lo[i]) && a < atomic_load(&guard_hi[i])) {
            void *page = (void *)(a & ~(guard_page - 1));
            if (mmap(page, guard_page, PROT_READ,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
                     0) != MAP_FAILED) {
                return;
            }
            break;
        }
    }
    /* Not a window's page: the fault repeats when the handler returns,
     * now with the default action. */
    signal(sig, SIG_DFL);
}

/* Takes a free guard slot, installing the handler on first use.  Returns
 * the slot, or -1 when none is free or the handler cannot be set. */
static int
guard_take(void)
{
    int slot = -1;

    pthread_mutex_lock(&guard_lock);
    if (!guard_installed) {
        struct sigaction sa;
        long page = sysconf(_SC_PAGESIZE);

        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = guard_on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        if (page > 0 && (page & (page - 1)) == 0) {
            guard_page = (uintptr_t)page;
            guard_installed = sigaction(SIGBUS, &sa, NULL) == 0;
        }
    }
    for (int i = 0; guard_installed && i < GUARD_SLOTS; i++) {
        if (!guard_used[i]) {
            guard_used[i] = true;
            slot = i;
            break;
        }
    }
    pthread_mutex_unlock(&guard_lock);
    return slot;
}

/* Sets the window a slot guards; len 0 guards nothing. */
static void
guard_set(int slot, const char *p, size_t len)
{
    atomic_store(&guard_hi[slot], 0);
    atomic_store(&guard_lo[slot], (uintptr_t)p);
    atomic_store(&guard_hi[slot], (uintptr_t)p + len);
}

static void
guard_give(int slot)
{
    guard_set(slot, NULL, 0);
    pthread_mutex_lock(&guard_lock);
    guard_used[slot] = false;
    pthread_mutex_unlock(&guard_lock);
}

/*
 * Maps the window that starts at the page holding file offset pos, for a
 * file of size bytes (pos < size), in place of the last one.  Returns 0,
 * or -1 with r->error set.
 */
static int
map_window(struct linereader *r, int64_t pos, int64_t size)
{
    int64_t base = pos - pos % (int64_t)guard_page;
    size_t len = size - base < (int64_t)LINEREADER_WINDOW
                     ? (size_t)(size - base)
                     : LINEREADER_WINDOW;
    char *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, r->fd, (off_t)base);

    if (m == MAP_FAILED) {
        r->error = errno;
        return -1;
    }
    guard_set(r->guard, m, len);
    if (r->buf != NULL) {
        munmap(r->buf, r->cap);
    }
    r->buf = m;
    r->cap = len;
    r->start = (size_t)(pos - base);
    r->end = len;
    r->map_off = base;
    r->bytes = (uint64_t)(base + (int64_t)len - r->first_off);
    return 0;
}

/* Maps the first window when fd is a regular file with bytes after its
 * offset.  Returns 0, or -1 to read with read(2). */
static int
map_first(struct linereader *r)
{
    struct stat st;
    off_t off;

    if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
        return -1;
    }
    off = lseek(r->fd, 0, SEEK_CUR);
    if (off < 0 || off >= st.st_size) {
        return -1;
    }
    r->guard = guard_take();
    if (r->guard < 0) {
        return -1;
    }
    r->first_off = off;
    if (map_window(r, off, st.st_size) < 0) {
        guard_give(r->guard);
        r->guard = -1;
        r->error = 0;
        return -1;
    }
    return 0;
}

int
linereader_init(struct linereader *r, int fd)
{
    memset(r, 0, sizeof(*r));
    r->fd = fd;
    r->guard = -1;
    if (map_first(r) == 0) {
        return 0;
    }
    r->cap = LINEREADER_MAX_LINE + BLOCK;
    r->buf = malloc(r->cap);
    return r->buf ? 0 : -1;
}

void
linereader_fini(struct linereader *r)
{
    if (r->guard >= 0) {
        guard_give(r->guard);
        if (r->buf != NULL) {
            munmap(r->buf, r->cap);
        }
        r->guard = -1;
    } else {
        free(r->buf);
    }
    r->buf = NULL;
}

/*
 * Ends a mapped reader's input at the file's size when the file was cut
 * shorter than the mapped bytes: those past the new end are gone (the
 * guard shows them as zeros), and the input ends there, as with read(2).
 * Returns 1 when it did, 0 when the file is not shorter, -1 on error.
 */
static int
end_at_new_size(struct linereader *r, int64_t *size)
{
    struct stat st;
    int64_t pos = r->map_off + (int64_t)r->start;

    if (fstat(r->fd, &st) < 0) {
        r->error = errno;
        return -1;
    }
    *size = st.st_size;
    if (st.st_size >= r->map_off + (int64_t)r->end) {
        return 0;
    }
    r->end = st.st_size > pos ? (size_t)(st.st_size - r->map_off) : r->start;
    r->bytes = (uint64_t)(r->map_off + (int64_t)r->end - r->first_off);
    r->eof = true;
    return 1;
}

/*
 * Moves a mapped reader's window to the first unread byte, looking again
 * at the file's size, which may have grown or shrunk.  Returns -1 on error,
 * 0 at EOF, 1 when bytes were added.
 */
static int
fill_mapped(struct linereader *r)
{
    int64_t size;
    int rc = end_at_new_size(r, &size);

    if (rc != 0) {
        return rc < 0 ? -1 : 0;
    }
    if (size == r->map_off + (int64_t)r->end) {
        r->eof = true;
        return 0;
    }
    return map_window(r, r->map_off + (int64_t)r->start, size) < 0 ? -1 : 1;
}

/* Reads more bytes after moving unread ones to the front.  Returns -1 on
 * error, 0 at EOF, 1 when bytes were added. */
static int
fill(struct linereader *r)
{
    if (r->guard >= 0) {
        return fill_mapped(r);
    }
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->end == r->cap) {
        return 1;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            r->error = errno;
            return -1;
        }
        if (n == 0) {
            r->eof = true;
            return 0;
        }
        r->end += (size_t)n;
        r->bytes += (uint64_t)n;
        return 1;
    }
}

/* Discards bytes up to and including the next LF. */
static int
skip_rest_of_line(struct linereader *r)
{
    for (;;) {
        char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
        if (nl != NULL) {
            r->start = (size_t)(nl - r->buf) + 1;
            return 0;
        }
        r->start = r->end;
        int rc = fill(r);
        if (rc <= 0) {
            return rc;
        }
    }
}

int
linereader_next(struct linereader *r, struct sv *line, bool *truncated)
{
    size_t scanned = 0;

    *truncated = false;
    if (r->skip_pending) {
        /* The rest of the last, over-long line is dropped here rather than
         * before returning it, so its view stayed valid until now. */
        r->skip_pending = false;
        if (skip_rest_of_line(r) < 0) {
            return -1;
        }
    }
    for (;;) {
        char *p = r->buf + r->start;
        size_t avail = r->end - r->start;

        /* A mapped file cut shorter can end before the bytes scanned. */
        if (scanned > avail) {
            scanned = avail;
        }

        /* NUL bytes before a line are dropped as they arrive, so they do
         * not count towards its maximum.  A log truncated while it is
         * written (logrotate's copytruncate) keeps growing from the old
         * offset, so it starts with a hole of NUL bytes as large as the
         * file was. */
        if (scanned == 0 && avail > 0 && *p == '\0') {
            size_t nul = 1;
            while (nul < avail && p[nul] == '\0') {
                nul++;
            }
            r->start += nul;
            continue;
        }
        char *nl = memchr(p + scanned, '\n', avail - scanned);

        if (nl != NULL) {
            size_t len = (size_t)(nl - p);
            r->start += len + 1;
            if (len > 0 && p[len - 1] == '\r') {
                len--;
            }
            if (len > LINEREADER_MAX_LINE) {
                len = LINEREADER_MAX_LINE;
                *truncated = true;
            }
            *line = sv_make(p, len);
            r->line++;
            return 1;
        }
        scanned = avail;

        /* Past the maximum without a terminator: the line is too long.  At
         * exactly the maximum the next byte may still be its LF. */
        if (avail > LINEREADER_MAX_LINE) {
            /* A mapped file cut shorter also shows zeros without a line
             * end here. */
            int64_t size;
            int cut = r->guard >= 0 && !r->eof ? end_at_new_size(r, &size)
                                               : 0;
            if (cut < 0) {
                return -1;
            }
            if (cut > 0) {
                continue;
            }
            /* Return the first part; the bytes stay valid until the next
             * call because skipping happens then. */
            *line = sv_make(p, LINEREADER_MAX_LINE);
            *truncated = true;
            r->line++;
            r->start = r->end;
            r->skip_pending = true;
            return 1;
        }
        if (r->eof) {
            if (avail == 0) {
                return 0;
            }
            r->start = r->end;
            if (p[avail - 1] == '\r') {
                avail--;
            }
            *line = sv_make(p, avail);
            r->line++;
            return 1;
        }
        int rc = fill(r);
        if (rc < 0) {
            return -1;
        }
        if (rc > 0) {
            /* fill moved the unread bytes to the front. */
            continue;
        }
    }
}

int
linereader_peek(struct linereader *r, size_t n, struct sv *head)
{
    if (n > r->cap) {
        n = r->cap;
    }
    while (r->end - r->start < n && !r->eof) {
        if (fill(r) < 0) {
            return -1;
        }
    }
    *head = sv_make(r->buf + r->start, r->end - r->start);
    return 0;
}

int
linereader_block(struct linereader *r, struct sv *block)
{
    if (r->end == r->start) {
        if (r->eof) {
            return 0;
        }
        r->start = r->end;
        int rc = fill(r);
        if (rc <= 0) {
            return rc;
        }
    }
    *block = sv_make(r->buf + r->start, r->end - r->start);
    r->start = r->end;
    return 1;
}
