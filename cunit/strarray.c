/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/strarray.c - unit tests for lib/strarray.c */
#include "config.h"

#include <stdlib.h>

#include "cunit/harness.h"
#include "lib/strarray.h"

static void test_append_find(void)
{
    struct strarray sa = STRARRAY_INIT;
    strarray_append(&sa, "b");
    strarray_append(&sa, "a");
    strarray_insert(&sa, 0, "c");
    CU_ASSERT_EQUAL(sa.count, 3);
    CU_ASSERT_STRING_EQUAL(strarray_nth(&sa, 0), "c");
    CU_ASSERT_PTR_NULL(sa.data[3]);
    CU_ASSERT_PTR_NULL(strarray_nth(&sa, 3));
    CU_ASSERT_EQUAL(strarray_find(&sa, "a", 0), 2);
    CU_ASSERT_EQUAL(strarray_find(&sa, "zz", 0), -1);
    strarray_sort(&sa);
    CU_ASSERT_STRING_EQUAL(sa.data[0], "a");
    CU_ASSERT_STRING_EQUAL(sa.data[2], "c");
    strarray_fini(&sa);
}

static void test_split_join(void)
{
    struct strarray sa = STRARRAY_INIT;
    char *j, *r;
    strarray_split(&sa, "  one two\tthree  ", " \t");
    CU_ASSERT_EQUAL(sa.count, 3);
    j = strarray_join(&sa, ",");
    CU_ASSERT_STRING_EQUAL(j, "one,two,three");
    free(j);
    r = strarray_remove(&sa, 1);
    CU_ASSERT_STRING_EQUAL(r, "two");
    free(r);
    CU_ASSERT_EQUAL(sa.count, 2);
    CU_ASSERT_PTR_NULL(sa.data[2]);
    strarray_truncate(&sa, 0);
    CU_ASSERT_EQUAL(sa.count, 0);
    strarray_fini(&sa);
}

static void test_heap(void)
{
    struct strarray *sa = strarray_new();
    for (int i = 0; i < 1000; i++)
        strarray_append(sa, "x");
    CU_ASSERT_EQUAL(sa->count, 1000);
    strarray_free(&sa);
    CU_ASSERT_PTR_NULL(sa);
}

const char *cunit_suite_name = "strarray";
void (*cunit_setup)(void);
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "append_find", test_append_find },
    { "split_join", test_split_join },
    { "heap", test_heap },
    CU_TEST_INFO_NULL,
};
