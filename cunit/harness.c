/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * harness.c - the main() shared by every cunit/ test program.
 *
 * Registers the file's suite, gives each test a CUNIT_TEST_TIMEOUT alarm
 * (a hung test is killed by SIGALRM and counts as a failure of the whole
 * program), runs in CUnit's basic verbose mode and returns the failure
 * count as the exit status, as automake's test driver expects.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "cunit/harness.h"
#include "lib/log.h"

static char tmpdir[PATH_MAX];

/* rm_tmpdir - remove the test directory at exit */
static void rm_tmpdir(void)
{
    char cmd[PATH_MAX + 16];
    if (!tmpdir[0])
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

const char *cunit_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof(tmpdir), "%s/cunit-%s-XXXXXX",
                 base && *base ? base : "/tmp", cunit_suite_name);
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(99);
        }
        atexit(rm_tmpdir);
    }
    return tmpdir;
}

/* suite_setup - runs before every test: arm the per-test alarm (CUnit's
 * basic runner replaces test start/complete handlers, but always runs the
 * suite's per-test setup and teardown) */
static void suite_setup(void)
{
    alarm(CUNIT_TEST_TIMEOUT);
    if (cunit_setup)
        cunit_setup();
}

/* suite_teardown - runs after every test: disarm the alarm */
static void suite_teardown(void)
{
    if (cunit_teardown)
        cunit_teardown();
    alarm(0);
}

int main(void)
{
    CU_SuiteInfo suites[] = {
        { cunit_suite_name, NULL, NULL, suite_setup, suite_teardown, cunit_tests },
        CU_SUITE_INFO_NULL,
    };
    unsigned failed;

    log_open("cunit", NULL);
    log_set_file(getenv("CUNIT_LOG") ? getenv("CUNIT_LOG") : "/dev/null");
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        fprintf(stderr, "CU_register_suites: %s\n", CU_get_error_msg());
        return 99;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
