/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * harness.h - what a unit-test file provides to the shared CUnit main.
 *
 * A test file defines
 *     const char *cunit_suite_name = "buf";
 *     CU_TestInfo cunit_tests[] = { { "append", test_append }, ..., CU_TEST_INFO_NULL };
 * and optionally cunit_setup / cunit_teardown (run around every test; they
 * may stay NULL).  harness.c registers one suite, arms a 20 s alarm for
 * each test, runs them and exits non-zero when any failed.
 */
#ifndef CUNIT_HARNESS_H
#define CUNIT_HARNESS_H

#include <CUnit/CUnit.h>

#define CUNIT_TEST_TIMEOUT 20 /* seconds, per test */

extern const char *cunit_suite_name;
extern CU_TestInfo cunit_tests[];
extern void (*cunit_setup)(void);
extern void (*cunit_teardown)(void);

/* cunit_tmpdir - a fresh private directory for this process's test files,
 * removed at exit.  The returned path is valid until exit. */
const char *cunit_tmpdir(void);

#endif /* CUNIT_HARNESS_H */
