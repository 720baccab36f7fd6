/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/db_env.c - unit tests for the Berkeley DB environment's setup:
 * several processes (master's children, ctl_mboxlist, the mupdate slave)
 * may all open a fresh environment at the same moment.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "lib/db.h"

#define ROUNDS 12
#define OPENERS 6

/* opener - one process: join (or create) envdir, store a key, exit 0 */
static int opener(const char *envdir, int n)
{
    char path[4200], key[32];
    struct db *db = NULL;
    struct db_txn *tid = NULL;

    if (db_init(envdir, 0) != DB_OK)
        return 1;
    snprintf(path, sizeof(path), "%s/list.db", envdir);
    if (db_open("berkeley", path, DB_OPT_CREATE, &db) != DB_OK)
        return 2;
    snprintf(key, sizeof(key), "k%d", n);
    if (db_store(db, key, strlen(key), "v", 1, &tid) != DB_OK ||
        db_commit(db, tid) != DB_OK)
        return 3;
    db_close(&db);
    db_done();
    return 0;
}

/* Each round starts from no environment at all; before env.lock serialized
 * the open, about half the rounds had an opener fail with
 * "BDB0126 mmap: Invalid argument". */
static void test_simultaneous_create(void)
{
    for (int round = 0; round < ROUNDS; round++) {
        char envdir[4096];
        pid_t pids[OPENERS];
        int status, ok = 0;

        snprintf(envdir, sizeof(envdir), "%s/env%d", cunit_tmpdir(), round);
        for (int i = 0; i < OPENERS; i++) {
            pids[i] = fork();
            if (pids[i] == 0)
                _exit(opener(envdir, i));
        }
        for (int i = 0; i < OPENERS; i++) {
            CU_ASSERT_EQUAL(waitpid(pids[i], &status, 0), pids[i]);
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                ok++;
        }
        CU_ASSERT_EQUAL(ok, OPENERS);
    }
}

const char *cunit_suite_name = "db_env";
CU_TestInfo cunit_tests[] = {
    { "simultaneous_create", test_simultaneous_create },
    CU_TEST_INFO_NULL
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
