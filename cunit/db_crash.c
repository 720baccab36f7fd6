/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/db_crash.c - lib/db.c across processes and crashes, over every
 * backend: two writer processes, a child SIGKILLed at the fault points
 * inside a commit (db_fault_hook) or at random moments followed by an
 * all-or-nothing check (Berkeley DB gets environment recovery first, as
 * ctl_cyrusdb -r would do), and readers not blocked by a long write
 * transaction.  A Berkeley DB environment must not cross fork(): the
 * parent leaves it (db_done) before forking and rejoins with setup().
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cunit/db_util.h"
#include "cunit/harness.h"
#include "lib/buf.h"
#include "lib/db.h"
#include "lib/str.h"

/* ---- several processes ---- */

/* child_writer - in a child: write n keys under prefix in small txns */
static int child_writer(const char *be, const char *path, const char *prefix,
                        int n)
{
    struct db *db = NULL;
    char k[64];

    if (is_bdb(be) && db_init(envdir, 0) != DB_OK)
        return 1;
    if (db_open(be, path, 0, &db) != DB_OK)
        return 2;
    for (int i = 0; i < n; i += 5) {
        struct db_txn *tid = NULL;
        int r = DB_OK;
        for (int j = i; j < i + 5 && r == DB_OK; j++) {
            snprintf(k, sizeof(k), "%s%05d", prefix, j);
            r = db_store(db, k, strlen(k), k, strlen(k), &tid);
        }
        if (r == DB_OK)
            r = db_commit(db, tid);
        else if (tid)
            db_abort(db, tid);
        if (r == DB_AGAIN) {
            i -= 5; /* deadlock: retry this batch */
            continue;
        }
        if (r != DB_OK)
            return 3;
    }
    db_close(&db);
    db_done();
    return 0;
}

static void test_two_processes(void)
{
    const char *be;

    FOR_EACH_BACKEND(be) {
        const char *path = dbpath("procs", be);
        struct db *db = open_new(be, path);
        pid_t pids[2];
        int status;

        db_close(&db);
        db_done(); /* a Berkeley DB environment must not cross fork() */
        for (int c = 0; c < 2; c++) {
            pids[c] = fork();
            if (pids[c] == 0)
                _exit(child_writer(be, path, c ? "B" : "A", 2000));
        }
        for (int c = 0; c < 2; c++) {
            CU_ASSERT_EQUAL(waitpid(pids[c], &status, 0), pids[c]);
            CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        setup();
        CU_ASSERT_EQUAL(db_open(be, path, 0, &db), DB_OK);
        CU_ASSERT_EQUAL(count_prefix(db, "A"), 2000);
        CU_ASSERT_EQUAL(count_prefix(db, "B"), 2000);
        db_close(&db);
    }
}

/* ---- crash safety ---- */

static const char *kill_point;

/* kill_hook - die without cleanup at the chosen fault point */
static void kill_hook(const char *point)
{
    if (!strcmp(point, kill_point))
        raise(SIGKILL);
}

/* reopen_after_crash - recover if needed and open path */
static struct db *reopen_after_crash(const char *be, const char *path)
{
    struct db *db = NULL;

    if (is_bdb(be)) {
        db_done();
        CU_ASSERT_EQUAL(db_init(envdir, DB_OPT_RECOVER), DB_OK);
    }
    CU_ASSERT_EQUAL_FATAL(db_open(be, path, 0, &db), DB_OK);
    return db;
}

/* crash_child - commit nrec records under "T" and die at point */
static void crash_child(const char *be, const char *path, const char *point,
                        int nrec)
{
    struct db *db = NULL;
    struct db_txn *tid = NULL;
    char k[128], v[128];

    if (is_bdb(be))
        db_init(envdir, 0);
    if (db_open(be, path, 0, &db) != DB_OK)
        _exit(2);
    for (int i = 0; i < nrec; i++) {
        make_kv("T", i, k, sizeof(k), v, sizeof(v));
        if (db_store(db, k, strlen(k), v, strlen(v), &tid) != DB_OK)
            _exit(3);
    }
    if (db_delete(db, "base0001", 8, &tid) != DB_OK)
        _exit(4);
    if (!strcmp(point, "before-commit"))
        raise(SIGKILL);
    kill_point = point;
    db_fault_hook = kill_hook;
    if (db_commit(db, tid) != DB_OK)
        _exit(5);
    if (!strcmp(point, "after-commit"))
        raise(SIGKILL);
    _exit(6); /* the fault point was never reached */
}

/* verify_all_or_nothing - 1 if the txn is all there, 0 if none of it */
static int verify_all_or_nothing(struct db *db, int nrec)
{
    size_t n = count_prefix(db, "T");
    const char *d;
    size_t dl;
    int base1 = db_fetch(db, "base0001", 8, &d, &dl, NULL);

    CU_ASSERT(n == 0 || n == (size_t)nrec);
    CU_ASSERT_EQUAL(count_prefix(db, "base"), n ? 99 : 100);
    CU_ASSERT_EQUAL(base1, n ? DB_NOTFOUND : DB_OK);
    return n != 0;
}

static void run_crash(const char *be, const char *point, int nrec,
                      int expect_all)
{
    char name[64];
    const char *path;
    struct db *db;
    int status, all;
    pid_t pid;

    setup();
    snprintf(name, sizeof(name), "crash-%s", point);
    path = dbpath(name, be);
    db = open_new(be, path);
    for (int i = 0; i < 100; i++) {
        char k[16];
        snprintf(k, sizeof(k), "base%04d", i);
        CU_ASSERT_EQUAL(db_store(db, k, strlen(k), "b", 1, NULL), DB_OK);
    }
    db_close(&db);
    db_done();
    pid = fork();
    if (pid == 0)
        crash_child(be, path, point, nrec);
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    if (!WIFSIGNALED(status))
        fprintf(stderr, "\n%s %s: child exited %d\n", be, point,
                WEXITSTATUS(status));
    db = reopen_after_crash(be, path);
    all = verify_all_or_nothing(db, nrec);
    CU_ASSERT_EQUAL(all, expect_all);
    if (all != expect_all)
        fprintf(stderr, "\n%s %s: expected %s\n", be, point,
                expect_all ? "all" : "nothing");
    /* still works: write, read back, and a clean check */
    CU_ASSERT_EQUAL(store_str(db, "after", "crash", NULL), DB_OK);
    CU_ASSERT_EQUAL(count_prefix(db, "after"), 1);
    db_close(&db);
    if (!is_bdb(be))
        CU_ASSERT_EQUAL(db_check(be, path, 0), DB_OK);
}

static void test_crash_points(void)
{
    /* small transactions are appended to the log... */
    run_crash("twoskip", "before-commit", 200, 0);
    run_crash("twoskip", "append:before-write", 200, 0);
    run_crash("twoskip", "append:mid-write", 200, 0);
    /* (killing a process loses no page cache: the frame is complete) */
    run_crash("twoskip", "append:before-sync", 200, 1);
    run_crash("twoskip", "after-commit", 200, 1);
    /* ...large ones rewrite the file and rename it into place */
    run_crash("twoskip", "compact:mid-write", 20000, 0);
    run_crash("twoskip", "compact:before-rename", 20000, 0);
    run_crash("twoskip", "compact:after-rename", 20000, 1);
    run_crash("berkeley", "before-commit", 2000, 0);
    run_crash("berkeley", "after-commit", 2000, 1);
    run_crash("berkeley-hash", "before-commit", 2000, 0);
}

/* random_killer_child - commit 10-record transactions forever; a byte
 * on ready_fd after the first commit, so the parent's kill always lands
 * after some committed work however slow the machine is */
static void random_killer_child(const char *be, const char *path,
                                int start, int ready_fd)
{
    struct db *db = NULL;
    char k[64], v[400];

    if (is_bdb(be))
        db_init(envdir, 0);
    if (db_open(be, path, 0, &db) != DB_OK)
        _exit(2);
    for (int t = start;; t++) {
        struct db_txn *tid = NULL;
        if (t >= start + 14000) /* stay inside the parent's table */
            pause();
        for (int j = 0; j < 10; j++) {
            snprintf(k, sizeof(k), "t%06d.%d", t, j);
            snprintf(v, sizeof(v), "%0*d", 20 + t % 300, t);
            db_store(db, k, strlen(k), v, strlen(v), &tid);
        }
        db_commit(db, tid);
        if (t == start && write(ready_fd, "r", 1) != 1)
            _exit(3);
    }
}

/* check_groups_cb - count records per transaction number */
static int check_groups_cb(void *rock, const char *key, size_t keylen,
                           const char *data, size_t datalen)
{
    int *groups = rock;
    char num[16];
    long t;
    /* keys are not NUL-terminated: copy the digits after the prefix byte */
    if (keylen < 2 || keylen - 1 >= sizeof(num))
        return 0;
    memcpy(num, key + 1, keylen - 1);
    num[keylen - 1] = '\0';
    num[strspn(num, "0123456789")] = '\0';
    if (str_parse_long(num, 0, 99999, &t) > 0)
        groups[t]++;
    return 0;
}

static void test_crash_random(void)
{
    const char *be;
    static int groups[100000];

    srand((unsigned)time(NULL));
    FOR_EACH_BACKEND(be) {
        const char *path = dbpath("random", be);
        struct db *db = open_new(be, path);

        db_close(&db);
        db_done();
        for (int round = 0; round < 6; round++) {
            int status, partial = 0, total = 0, ready[2];
            char c;
            pid_t pid;

            CU_ASSERT_FATAL(pipe(ready) == 0);
            if ((pid = fork()) == 0)
                random_killer_child(be, path, round * 15000, ready[1]);
            close(ready[1]);
            CU_ASSERT_EQUAL(read(ready[0], &c, 1), 1); /* first commit done */
            close(ready[0]);
            usleep(rand() % 150000);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            db = reopen_after_crash(be, path);
            memset(groups, 0, sizeof(groups));
            CU_ASSERT_EQUAL(db_foreach(db, "t", 1, NULL, check_groups_cb,
                                       groups, NULL), DB_OK);
            for (int t = 0; t < 100000; t++) {
                if (groups[t] != 0 && groups[t] != 10)
                    partial++;
                total += groups[t];
            }
            CU_ASSERT_EQUAL(partial, 0);
            CU_ASSERT(total > 0);
            CU_ASSERT_EQUAL(store_str(db, "alive", "yes", NULL), DB_OK);
            db_close(&db);
            db_done();
            if (!is_bdb(be))
                CU_ASSERT_EQUAL(db_check(be, path, 1), DB_OK);
        }
        setup();
    }
}

/* ---- readers are not blocked by a long write transaction ---- */

#define RESYNC 200000

static void test_reader_not_blocked(void)
{
    const char *be;
    char k[128], v[128];

    FOR_EACH_BACKEND(be) {
        const char *path = dbpath("noblock", be);
        struct db *db = open_new(be, path);
        double worst = 0, t0;
        int fds[2], status, reads = 0, saw_new = 0, bad = 0;
        struct buf val = BUF_INIT;
        pid_t pid;
        char c;

        if (is_bdb(be)) {
            /* Berkeley DB readers wait for the writer's page locks (see
             * lib/db_berkeley.c); only the native backend promises this */
            db_close(&db);
            continue;
        }
        CU_ASSERT_EQUAL(store_str(db, "probe", "old", NULL), DB_OK);
        db_close(&db);
        db_done();
        CU_ASSERT_EQUAL(pipe(fds), 0);
        pid = fork();
        if (pid == 0) {
            /* the writer: a full resync in one transaction */
            struct db_txn *tid = NULL;
            close(fds[0]);
            if (is_bdb(be))
                db_init(envdir, 0);
            if (db_open(be, path, 0, &db) != DB_OK)
                _exit(2);
            store_str(db, "probe", "new", &tid);
            if (write(fds[1], "L", 1) != 1)
                _exit(3);
            for (long i = 0; i < RESYNC; i++) {
                make_kv("", i, k, sizeof(k), v, sizeof(v));
                db_store(db, k, strlen(k), v, strlen(v), &tid);
            }
            _exit(db_commit(db, tid) == DB_OK ? 0 : 4);
        }
        close(fds[1]);
        setup();
        CU_ASSERT_EQUAL(db_open(be, path, 0, &db), DB_OK);
        CU_ASSERT_EQUAL(read(fds[0], &c, 1), 1); /* txn is open */
        while (waitpid(pid, &status, WNOHANG) == 0) {
            int r;
            t0 = now_ms();
            r = fetch_str(db, "probe", &val, NULL);
            t0 = now_ms() - t0;
            if (t0 > worst)
                worst = t0;
            reads++;
            if (r != DB_OK)
                bad++;
            else if (buf_equal_cstr(&val, "new"))
                saw_new = 1;
            else if (saw_new)
                bad++; /* went back to the old value */
            usleep(200);
        }
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CU_ASSERT_EQUAL(fetch_str(db, "probe", &val, NULL), DB_OK);
        CU_ASSERT(buf_equal_cstr(&val, "new"));
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT(reads > 10);
        printf("\n    %s: %d reads during a %d-record transaction, "
               "slowest %.2f ms ", be, reads, RESYNC, worst);
        CU_ASSERT(worst < 50.0);
        db_close(&db);
        close(fds[0]);
        buf_free(&val);
    }
}

const char *cunit_suite_name = "db_crash";
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = teardown;
CU_TestInfo cunit_tests[] = {
    { "two_processes", test_two_processes },
    { "crash_points", test_crash_points },
    { "crash_random", test_crash_random },
    { "reader_not_blocked", test_reader_not_blocked },
    CU_TEST_INFO_NULL,
};
