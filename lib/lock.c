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
/* Longest sleep between two tries of a lock with a timeout. */
#define LOCK_BACKOFF_MAX_MS 20

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

/* now_ms - monotonic clock in milliseconds */
static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* sleep_ms - nanosleep for ms milliseconds (EINTR just shortens it) */
static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
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
    long long deadline = 0;
    int backoff = 1;

    fill_flock(&fl, type == LOCK_TYPE_SHARED ? F_RDLCK : F_WRLCK);
    if (timeout_ms > 0)
        deadline = now_ms() + timeout_ms;
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
        if (timeout_ms == 0 || (timeout_ms > 0 && now_ms() >= deadline))
            return 0;
        sleep_ms(backoff);
        if (backoff < LOCK_BACKOFF_MAX_MS)
            backoff *= 2;
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
    long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;

    for (int tries = 0; tries < LOCK_OPEN_RETRIES; tries++) {
        struct stat st;
        int left = timeout_ms, r, fd;

        if (timeout_ms > 0) {
            left = (int)(deadline - now_ms());
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
