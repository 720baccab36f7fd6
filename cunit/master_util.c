/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/master_util.c - unit tests for master/master_util.c */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "lib/str.h"
#include "master/master_util.h"

static void test_forkrate_unlimited(void)
{
    struct forkrate fr;
    forkrate_init(&fr, 0, 0);
    for (int i = 0; i < 1000; i++) {
        CU_ASSERT_EQUAL(forkrate_delay_ms(&fr, 0), 0);
        forkrate_take(&fr, 0);
    }
}

static void test_forkrate_limit(void)
{
    struct forkrate fr;
    int64_t now = 1000000;
    int forks = 0;

    forkrate_init(&fr, 5, now);
    /* a burst of 5, then the 6th must wait about 200 ms */
    while (forkrate_delay_ms(&fr, now) == 0) {
        forkrate_take(&fr, now);
        forks++;
    }
    CU_ASSERT_EQUAL(forks, 5);
    CU_ASSERT(forkrate_delay_ms(&fr, now) > 150);
    CU_ASSERT(forkrate_delay_ms(&fr, now) <= 201);
    CU_ASSERT(forkrate_delay_ms(&fr, now + 100) > 0);
    CU_ASSERT_EQUAL(forkrate_delay_ms(&fr, now + 201), 0);
    /* over 10 simulated seconds the average holds at 5/s */
    forks = 0;
    for (int64_t t = now + 201; t < now + 201 + 10000; t += 10)
        if (forkrate_delay_ms(&fr, t) == 0) {
            forkrate_take(&fr, t);
            forks++;
        }
    CU_ASSERT(forks >= 49 && forks <= 51);
    /* time going backwards (it cannot with CLOCK_MONOTONIC) earns nothing */
    CU_ASSERT(forkrate_delay_ms(&fr, now) >= 0);
}

static void test_backoff(void)
{
    struct backoff b = { 0, 0 };
    for (int i = 1; i < MASTER_CRASH_LIMIT; i++)
        CU_ASSERT_EQUAL(backoff_crash(&b, 10), 0);
    CU_ASSERT_EQUAL(backoff_crash(&b, 10), 1);
    CU_ASSERT_EQUAL(backoff_crash(&b, 10), 2);
    CU_ASSERT_EQUAL(backoff_crash(&b, 10), 4);
    for (int i = 0; i < 20; i++)
        backoff_crash(&b, 10);
    CU_ASSERT_EQUAL(b.delay_s, MASTER_BACKOFF_MAX);
    /* a child that lived past the window ends the loop */
    CU_ASSERT_EQUAL(backoff_crash(&b, MASTER_CRASH_WINDOW * 1000), 0);
    CU_ASSERT_EQUAL(b.crashes, 1);
    backoff_reset(&b);
    CU_ASSERT_EQUAL(b.crashes, 0);
    CU_ASSERT_EQUAL(b.delay_s, 0);
}

static void test_next_at(void)
{
    struct tm tm;
    time_t now, t;

    setenv("TZ", "UTC", 1);
    tzset();
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = 124;
    tm.tm_mon = 0;
    tm.tm_mday = 31;
    tm.tm_hour = 3;
    tm.tm_min = 0;
    tm.tm_isdst = -1;
    now = mktime(&tm);
    t = master_next_at(now, 4 * 60);          /* 04:00 today */
    CU_ASSERT_EQUAL(t - now, 3600);
    t = master_next_at(now, 3 * 60);          /* 03:00 is now: tomorrow */
    CU_ASSERT_EQUAL(t - now, 86400);
    t = master_next_at(now, 2 * 60 + 30);     /* past: tomorrow 02:30 */
    CU_ASSERT_EQUAL(t - now, 86400 - 1800);
    gmtime_r(&t, &tm);
    CU_ASSERT_EQUAL(tm.tm_mon, 1);            /* across the month end */
    CU_ASSERT_EQUAL(tm.tm_mday, 1);
}

static void test_wait_status(void)
{
    char buf[64];
    int st;
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0)
        _exit(75);
    waitpid(pid, &st, 0);
    CU_ASSERT_STRING_EQUAL(master_wait_status_str(st, buf, sizeof(buf)), "75");
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        raise(SIGTERM);
        _exit(1);
    }
    waitpid(pid, &st, 0);
    CU_ASSERT_STRING_EQUAL(master_wait_status_str(st, buf, sizeof(buf)), "signal 15");
}

static void test_sockaddr_str(void)
{
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
    struct sockaddr_un un;
    char buf[128];

    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    in.sin_port = htons(143);
    inet_pton(AF_INET, "192.0.2.7", &in.sin_addr);
    CU_ASSERT_STRING_EQUAL(master_sockaddr_str((struct sockaddr *)&in, sizeof(in), 0, buf, sizeof(buf)), "192.0.2.7:143");
    CU_ASSERT_STRING_EQUAL(master_sockaddr_str((struct sockaddr *)&in, sizeof(in), 1, buf, sizeof(buf)), "192.0.2.7;143");
    memset(&in6, 0, sizeof(in6));
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(993);
    inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
    CU_ASSERT_STRING_EQUAL(master_sockaddr_str((struct sockaddr *)&in6, sizeof(in6), 0, buf, sizeof(buf)), "[2001:db8::1]:993");
    CU_ASSERT_STRING_EQUAL(master_sockaddr_str((struct sockaddr *)&in6, sizeof(in6), 1, buf, sizeof(buf)), "2001:db8::1;993");
    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    str_lcpy(un.sun_path, "/run/lmtp", sizeof(un.sun_path));
    CU_ASSERT_STRING_EQUAL(master_sockaddr_str((struct sockaddr *)&un, sizeof(un), 0, buf, sizeof(buf)), "/run/lmtp");
    /* an unnamed peer */
    CU_ASSERT_STRING_EQUAL(master_sockaddr_str((struct sockaddr *)&un, sizeof(sa_family_t), 0, buf, sizeof(buf)), "unix");
    /* too short for its family */
    CU_ASSERT_STRING_EQUAL(master_sockaddr_str((struct sockaddr *)&in, 4, 0, buf, sizeof(buf)), "?");
}

static void test_run_as(void)
{
    struct run_as ra;
    const char *err;

    CU_ASSERT_EQUAL(run_as_lookup("root", &ra, &err), 1);
    CU_ASSERT_EQUAL(ra.uid, 0);
    CU_ASSERT_STRING_EQUAL(ra.name, "root");
    CU_ASSERT(ra.ngroups >= 1);
    CU_ASSERT_EQUAL(run_as_lookup("0", &ra, &err), 1); /* numeric */
    CU_ASSERT_STRING_EQUAL(ra.name, "root");
    CU_ASSERT_EQUAL(run_as_lookup("no-such-user-xyzzy", &ra, &err), 0);
    CU_ASSERT_STRING_EQUAL(err, "no such user");
    CU_ASSERT_EQUAL(run_as_lookup("", &ra, &err), -1);
}

/* run_as_apply really drops: only testable as root, in a child */
static void test_run_as_apply(void)
{
    struct run_as ra;
    const char *err;
    int st;
    pid_t pid;

    if (geteuid() != 0 || run_as_lookup("nobody", &ra, &err) != 1)
        return; /* not root: nothing to drop */
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        if (run_as_apply(&ra, &err) < 0)
            _exit(1);
        _exit(getuid() == ra.uid && geteuid() == ra.uid && getgid() == ra.gid &&
              setuid(0) < 0 ? 0 : 2);
    }
    waitpid(pid, &st, 0);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

const char *cunit_suite_name = "master_util";
CU_TestInfo cunit_tests[] = {
    { "forkrate_unlimited", test_forkrate_unlimited },
    { "forkrate_limit", test_forkrate_limit },
    { "backoff", test_backoff },
    { "next_at", test_next_at },
    { "wait_status", test_wait_status },
    { "sockaddr_str", test_sockaddr_str },
    { "run_as", test_run_as },
    { "run_as_apply", test_run_as_apply },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
