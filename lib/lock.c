/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lock.c - fcntl whole-file locks with timeouts, and open-and-lock that
 * notices a file replaced by rename while we waited for its lock.
 *
 * Used by the native DB backend (writer serialisation) and by any module
 * that locks a file.  No signals, no global state beyond the static error
 * message.  Errors: -1 with a message in *error_r, errno preserved.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/lock.h"

#ifdef F_OFD_SETLK
#define LOCK_CMD_TRY  F_OFD_SETLK
#define LOCK_CMD_WAIT F_OFD_SETLKW
#else
#define LOCK_CMD_TRY  F_SETLK
#define LOCK_CMD_WAIT F_SETLKW
#endif

/* How often lock_open starts again after finding the file replaced. */
#define LOCK_OPEN_RETRIES 100
/* A lock with a timeout is polled (fcntl has no timed wait, and this
 * module uses no signals), so a waiter sleeps past the release by up to
 * one poll interval.  Our locks are mostly held for a few milliseconds (a
 * commit and its fsync), so the interval starts at LOCK_BACKOFF_MIN_US
 * and doubles up to LOCK_BACKOFF_SHORT_US for the first
 * LOCK_SHORT_WAIT_MS of the wait; only a long wait backs off to
 * LOCK_BACKOFF_MAX_US (an fcntl every 2 ms costs nothing measurable,
 * where sleeping up to 20 ms past a 2 ms hold cost LMTP delivery
 * about a quarter of its rate under load: bench/RESULTS.md). */
#define LOCK_BACKOFF_MIN_US   100
#define LOCK_BACKOFF_SHORT_US 2000
#define LOCK_SHORT_WAIT_MS    500
#define LOCK_BACKOFF_MAX_US   20000

static char errmsg[256];

/* set_error - format the static error message, keeping errno */
static const char *set_error(const char *what, const char *path)
{
    int saved = errno;
    snprintf(errmsg, sizeof(errmsg), "%s%s%s: %s", what, path ? " " : "",
             path ? path : "", strerror(saved));
    errno = saved;
    return errmsg;
}
/* sleep_us - nanosleep for us microseconds (EINTR just shortens it) */
static void sleep_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };
    nanosleep(&ts, NULL);
}

/* fill_flock - a whole-file lock request of the given kind */
static void fill_flock(struct flock *fl, short kind)
{
    memset(fl, 0, sizeof(*fl));
    fl->l_type = kind;
    fl->l_whence = SEEK_SET;
    fl->l_start = 0;
    fl->l_len = 0; /* to end of file, however it grows */
}

int lock_fd(int fd, enum lock_type type, int timeout_ms, const char **error_r)
{
    struct flock fl;
    long long start = clock_now_ms(), deadline = 0;
    long backoff = LOCK_BACKOFF_MIN_US;

    fill_flock(&fl, type == LOCK_TYPE_SHARED ? F_RDLCK : F_WRLCK);
    if (timeout_ms > 0)
        deadline = start + timeout_ms;
    for (;;) {
        int cmd = timeout_ms < 0 ? LOCK_CMD_WAIT : LOCK_CMD_TRY;
        if (fcntl(fd, cmd, &fl) == 0)
            return 1;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EACCES) {
            *error_r = set_error("fcntl lock", NULL);
            return -1;
        }
        if (timeout_ms == 0 || (timeout_ms > 0 && clock_now_ms() >= deadline))
            return 0;
        sleep_us(backoff);
        backoff *= 2;
        if (backoff > LOCK_BACKOFF_SHORT_US &&
            clock_now_ms() - start < LOCK_SHORT_WAIT_MS)
            backoff = LOCK_BACKOFF_SHORT_US;
        else if (backoff > LOCK_BACKOFF_MAX_US)
            backoff = LOCK_BACKOFF_MAX_US;
    }
}

int lock_unlock(int fd, const char **error_r)
{
    struct flock fl;

    fill_flock(&fl, F_UNLCK);
    while (fcntl(fd, LOCK_CMD_TRY, &fl) < 0) {
        if (errno != EINTR) {
            *error_r = set_error("fcntl unlock", NULL);
            return -1;
        }
    }
    return 1;
}

/* same_file - is the file open on fd (stat *fst) still the one at path?
 * Returns 1 yes, 0 replaced or gone, -1 error. */
static int same_file(const char *path, const struct stat *fst)
{
    struct stat pst;

    if (stat(path, &pst) < 0)
        return errno == ENOENT ? 0 : -1;
    return pst.st_dev == fst->st_dev && pst.st_ino == fst->st_ino;
}

int lock_open(const char *path, int oflags, mode_t mode, enum lock_type type,
              int timeout_ms, int *fd_r, struct stat *st_r,
              const char **error_r)
{
    long long deadline = timeout_ms > 0 ? clock_now_ms() + timeout_ms : 0;

    for (int tries = 0; tries < LOCK_OPEN_RETRIES; tries++) {
        struct stat st;
        int left = timeout_ms, r, fd;

        if (timeout_ms > 0) {
            left = (int)(deadline - clock_now_ms());
            if (left <= 0)
                return 0;
        }
        fd = open(path, oflags | O_CLOEXEC, mode);
        if (fd < 0) {
            *error_r = set_error("open", path);
            return -1;
        }
        r = lock_fd(fd, type, left, error_r);
        if (r <= 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return r;
        }
        if (fstat(fd, &st) < 0) {
            *error_r = set_error("fstat", path);
            close(fd);
            return -1;
        }
        r = same_file(path, &st);
        if (r == 1) {
            *fd_r = fd;
            if (st_r)
                *st_r = st;
            return 1;
        }
        if (r < 0) {
            *error_r = set_error("stat", path);
            close(fd);
            return -1;
        }
        close(fd); /* renamed over or unlinked while we waited: again */
    }
    errno = ESTALE;
    *error_r = set_error("lock_open: file keeps being replaced", path);
    return -1;
}
