/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/lock.c - unit tests for lib/lock.c */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "lib/lock.h"

/* path_in_tmp - a file name in the test directory */
static const char *path_in_tmp(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s", cunit_tmpdir(), name);
    return path;
}

/* now_ms - monotonic milliseconds */
static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Two opens in one process exclude each other (OFD locks). */
static void test_exclusive_same_process(void)
{
    const char *p = path_in_tmp("excl");
    const char *err = NULL;
    int a = open(p, O_RDWR | O_CREAT, 0600), b = open(p, O_RDWR);

    CU_ASSERT_EQUAL(lock_fd(a, LOCK_TYPE_EXCLUSIVE, LOCK_NOWAIT, &err), 1);
    CU_ASSERT_EQUAL(lock_fd(b, LOCK_TYPE_EXCLUSIVE, LOCK_NOWAIT, &err), 0);
    CU_ASSERT_EQUAL(lock_fd(b, LOCK_TYPE_SHARED, LOCK_NOWAIT, &err), 0);
    CU_ASSERT_EQUAL(lock_unlock(a, &err), 1);
    CU_ASSERT_EQUAL(lock_fd(b, LOCK_TYPE_SHARED, LOCK_NOWAIT, &err), 1);
    /* shared + shared is fine, shared blocks exclusive */
    CU_ASSERT_EQUAL(lock_fd(a, LOCK_TYPE_SHARED, LOCK_NOWAIT, &err), 1);
    close(a);
    a = open(p, O_RDWR);
    CU_ASSERT_EQUAL(lock_fd(a, LOCK_TYPE_EXCLUSIVE, LOCK_NOWAIT, &err), 0);
    close(a);
    close(b);
}

/* A timeout waits about as long as asked, then gives up with 0. */
static void test_timeout(void)
{
    const char *p = path_in_tmp("timeout");
    const char *err = NULL;
    int a = open(p, O_RDWR | O_CREAT, 0600), b = open(p, O_RDWR);
    long long t0;
    int r;

    CU_ASSERT_EQUAL(lock_fd(a, LOCK_TYPE_EXCLUSIVE, LOCK_WAIT_FOREVER, &err),
                    1);
    t0 = now_ms();
    r = lock_fd(b, LOCK_TYPE_EXCLUSIVE, 200, &err);
    CU_ASSERT_EQUAL(r, 0);
    CU_ASSERT(now_ms() - t0 >= 190);
    CU_ASSERT(now_ms() - t0 < 2000);
    close(a);
    CU_ASSERT_EQUAL(lock_fd(b, LOCK_TYPE_EXCLUSIVE, 200, &err), 1);
    close(b);
}

/* A blocking lock waits for another process to let go. */
static void test_cross_process(void)
{
    const char *p = path_in_tmp("xproc");
    const char *err = NULL;
    int fds[2], status, fd;
    long long t0;
    char c;
    pid_t pid;

    close(open(p, O_RDWR | O_CREAT, 0600));
    CU_ASSERT_EQUAL(pipe(fds), 0);
    pid = fork();
    if (pid == 0) {
        int cfd = open(p, O_RDWR);
        if (lock_fd(cfd, LOCK_TYPE_EXCLUSIVE, LOCK_WAIT_FOREVER, &err) != 1)
            _exit(1);
        if (write(fds[1], "x", 1) != 1)
            _exit(1);
        usleep(300 * 1000);
        _exit(0); /* exit releases the lock */
    }
    CU_ASSERT_EQUAL(read(fds[0], &c, 1), 1);
    fd = open(p, O_RDWR);
    CU_ASSERT_EQUAL(lock_fd(fd, LOCK_TYPE_SHARED, LOCK_NOWAIT, &err), 0);
    t0 = now_ms();
    CU_ASSERT_EQUAL(lock_fd(fd, LOCK_TYPE_SHARED, LOCK_WAIT_FOREVER, &err), 1);
    CU_ASSERT(now_ms() - t0 >= 100);
    close(fd);
    waitpid(pid, &status, 0);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fds[0]);
    close(fds[1]);
}

/* lock_open notices that the file it waited for was renamed over. */
static void test_open_replaced(void)
{
    const char *err = NULL;
    char p[4096], tmp[4200];
    int fds[2], status, fd, r;
    struct stat st, st2;
    char c;
    pid_t pid;

    snprintf(p, sizeof(p), "%s", path_in_tmp("replaced"));
    snprintf(tmp, sizeof(tmp), "%s.NEW", p);
    close(open(p, O_RDWR | O_CREAT, 0600));
    CU_ASSERT_EQUAL(pipe(fds), 0);
    pid = fork();
    if (pid == 0) {
        int cfd;
        if (lock_open(p, O_RDWR, 0, LOCK_TYPE_EXCLUSIVE, LOCK_WAIT_FOREVER,
                      &cfd, NULL, &err) != 1)
            _exit(1);
        if (write(fds[1], "x", 1) != 1)
            _exit(1);
        usleep(200 * 1000);
        /* replace the file while the parent waits on the old one */
        close(open(tmp, O_RDWR | O_CREAT, 0600));
        if (rename(tmp, p) < 0)
            _exit(1);
        _exit(0);
    }
    CU_ASSERT_EQUAL(read(fds[0], &c, 1), 1);
    r = lock_open(p, O_RDWR, 0, LOCK_TYPE_EXCLUSIVE, 5000, &fd, &st, &err);
    CU_ASSERT_EQUAL(r, 1);
    CU_ASSERT_EQUAL(stat(p, &st2), 0);
    CU_ASSERT_EQUAL(st.st_ino, st2.st_ino); /* we hold the new file */
    close(fd);
    waitpid(pid, &status, 0);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fds[0]);
    close(fds[1]);
}

/* Opening a missing file reports -1 with ENOENT. */
static void test_open_missing(void)
{
    const char *err = NULL;
    int fd = -1;

    CU_ASSERT_EQUAL(lock_open(path_in_tmp("missing"), O_RDWR, 0,
                              LOCK_TYPE_SHARED, LOCK_NOWAIT, &fd, NULL, &err),
                    -1);
    CU_ASSERT_PTR_NOT_NULL(err);
    CU_ASSERT_EQUAL(lock_open(path_in_tmp("created"), O_RDWR | O_CREAT, 0600,
                              LOCK_TYPE_SHARED, LOCK_NOWAIT, &fd, NULL, &err),
                    1);
    close(fd);
}

const char *cunit_suite_name = "lock";
void (*cunit_setup)(void);
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "exclusive_same_process", test_exclusive_same_process },
    { "timeout", test_timeout },
    { "cross_process", test_cross_process },
    { "open_replaced", test_open_replaced },
    { "open_missing", test_open_missing },
    CU_TEST_INFO_NULL,
};
