/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lock.h - whole-file advisory locks on file descriptors.
 *
 * Locks are fcntl(2) record locks over the whole file.  On Linux they are
 * open-file-description locks (F_OFD_SETLK): they belong to the open file,
 * not to the process, so two opens of one file in the same process exclude
 * each other and closing an unrelated descriptor of the same file does not
 * drop the lock.  Elsewhere classic POSIX locks are used (per process).
 * A descriptor shared across fork() shares its lock: open files anew in
 * the child.
 *
 * Timeouts are in milliseconds: LOCK_WAIT_FOREVER blocks, LOCK_NOWAIT
 * tries once, a positive value retries with a short back-off until the
 * deadline (no signals are used, so library code may call this freely).
 */
#ifndef LIB_LOCK_H
#define LIB_LOCK_H

#include <sys/types.h>
#include <sys/stat.h>

enum lock_type {
    LOCK_TYPE_SHARED,    /* many readers */
    LOCK_TYPE_EXCLUSIVE, /* one writer */
};

#define LOCK_WAIT_FOREVER (-1)
#define LOCK_NOWAIT 0

/* lock_fd - lock the whole file open on fd.
 * Returns 1 when locked, 0 when it could not be had within timeout_ms
 * (somebody else holds a conflicting lock), -1 on error with a message in
 * *error_r (static storage, valid until the next call). */
int lock_fd(int fd, enum lock_type type, int timeout_ms, const char **error_r);

/* lock_unlock - release the lock held through fd.  Returns 1, or -1 with
 * *error_r set.  Closing the descriptor also releases it. */
int lock_unlock(int fd, const char **error_r);

/* lock_open - open path (open(2) flags oflags | O_CLOEXEC, mode for
 * O_CREAT), lock it, and make sure the locked file is still the one named
 * path: if it was renamed over or unlinked while we waited, close it and
 * start again (bounded retries).  timeout_ms covers the whole call.
 * Returns 1 with the locked descriptor in *fd_r (the caller closes it) and
 * its fstat in *st_r (may be NULL); 0 on timeout; -1 on error with
 * *error_r set and errno preserved (ENOENT when path does not exist and
 * O_CREAT was not given). */
int lock_open(const char *path, int oflags, mode_t mode, enum lock_type type,
              int timeout_ms, int *fd_r, struct stat *st_r,
              const char **error_r);

#endif /* LIB_LOCK_H */
