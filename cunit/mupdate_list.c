/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/mupdate_list.c - unit tests for mupdate/mupdate_list.c (the
 * MUPDATE master's in-memory list: order, replace, delete, cursors). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit/harness.h"
#include "mupdate/mupdate_list.h"

/* check_sorted - every name strictly after the previous one */
static int check_sorted(const struct mupdate_list *l)
{
    size_t i, n = mupdate_list_count(l);

    for (i = 1; i < n; i++) {
        if (strcmp(mupdate_list_at(l, i - 1)->name, mupdate_list_at(l, i)->name) >= 0)
            return 0;
    }
    return 1;
}

static void test_set_find_replace(void)
{
    struct mupdate_list *l = mupdate_list_new();
    const struct mupdate_list_entry *e;

    CU_ASSERT_PTR_NULL(mupdate_list_find(l, "user.a"));
    mupdate_list_set(l, "user.b", MUPDATE_LIST_RESERVED, "be1!default", NULL);
    mupdate_list_set(l, "user.a", MUPDATE_LIST_ACTIVE, "be2!p2", "a\tlrs\t");
    mupdate_list_set(l, "user.c", MUPDATE_LIST_ACTIVE, "be1", "");
    CU_ASSERT_EQUAL(mupdate_list_count(l), 3);
    CU_ASSERT(check_sorted(l));
    e = mupdate_list_find(l, "user.b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->kind, MUPDATE_LIST_RESERVED);
    CU_ASSERT_STRING_EQUAL(e->location, "be1!default");
    CU_ASSERT_STRING_EQUAL(e->acl, "");
    CU_ASSERT_EQUAL(e->server_len, 3);
    e = mupdate_list_find(l, "user.c");
    CU_ASSERT_EQUAL(e->server_len, 3);   /* no '!': all of it */
    /* replace: same count, new contents */
    e = mupdate_list_set(l, "user.b", MUPDATE_LIST_ACTIVE, "be3!x", "b\tall\t");
    CU_ASSERT_EQUAL(mupdate_list_count(l), 3);
    CU_ASSERT_PTR_EQUAL(mupdate_list_find(l, "user.b"), e);
    CU_ASSERT_EQUAL(e->kind, MUPDATE_LIST_ACTIVE);
    CU_ASSERT_STRING_EQUAL(e->acl, "b\tall\t");
    CU_ASSERT_STRING_EQUAL(mupdate_list_at(l, 0)->name, "user.a");
    CU_ASSERT_PTR_NULL(mupdate_list_at(l, 3));
    mupdate_list_free(&l);
    CU_ASSERT_PTR_NULL(l);
}

static void test_delete(void)
{
    struct mupdate_list *l = mupdate_list_new();

    mupdate_list_set(l, "b", MUPDATE_LIST_ACTIVE, "s!p", "");
    mupdate_list_set(l, "a", MUPDATE_LIST_ACTIVE, "s!p", "");
    mupdate_list_set(l, "c", MUPDATE_LIST_ACTIVE, "s!p", "");
    CU_ASSERT_EQUAL(mupdate_list_delete(l, "b"), 1);
    CU_ASSERT_EQUAL(mupdate_list_delete(l, "b"), 0);
    CU_ASSERT_EQUAL(mupdate_list_delete(l, "zz"), 0);
    CU_ASSERT_EQUAL(mupdate_list_count(l), 2);
    CU_ASSERT_STRING_EQUAL(mupdate_list_at(l, 0)->name, "a");
    CU_ASSERT_STRING_EQUAL(mupdate_list_at(l, 1)->name, "c");
    CU_ASSERT_EQUAL(mupdate_list_delete(l, "a"), 1);
    CU_ASSERT_EQUAL(mupdate_list_delete(l, "c"), 1);
    CU_ASSERT_EQUAL(mupdate_list_count(l), 0);
    CU_ASSERT_EQUAL(mupdate_list_upper_bound(l, NULL), 0);
    CU_ASSERT_EQUAL(mupdate_list_upper_bound(l, "m"), 0);
    mupdate_list_free(&l);
}

/* byte order, not locale order: "user.a" < "user.a.b" < "user.a0", 8-bit last */
static void test_byte_order(void)
{
    struct mupdate_list *l = mupdate_list_new();

    mupdate_list_set(l, "user.a0", MUPDATE_LIST_ACTIVE, "s!p", "");
    mupdate_list_set(l, "user.\xc3\xa9", MUPDATE_LIST_ACTIVE, "s!p", "");
    mupdate_list_set(l, "user.a.b", MUPDATE_LIST_ACTIVE, "s!p", "");
    mupdate_list_set(l, "user.a", MUPDATE_LIST_ACTIVE, "s!p", "");
    mupdate_list_set(l, "User.z", MUPDATE_LIST_ACTIVE, "s!p", "");
    CU_ASSERT_STRING_EQUAL(mupdate_list_at(l, 0)->name, "User.z");
    CU_ASSERT_STRING_EQUAL(mupdate_list_at(l, 1)->name, "user.a");
    CU_ASSERT_STRING_EQUAL(mupdate_list_at(l, 2)->name, "user.a.b");
    CU_ASSERT_STRING_EQUAL(mupdate_list_at(l, 3)->name, "user.a0");
    CU_ASSERT_STRING_EQUAL(mupdate_list_at(l, 4)->name, "user.\xc3\xa9");
    mupdate_list_free(&l);
}

/* A cursor (last name sent) survives inserts and deletes around it. */
static void test_cursor(void)
{
    struct mupdate_list *l = mupdate_list_new();
    char name[32];
    size_t i;

    for (i = 0; i < 10; i += 2) {
        snprintf(name, sizeof(name), "m%02zu", i);
        mupdate_list_set(l, name, MUPDATE_LIST_ACTIVE, "s!p", "");
    }
    CU_ASSERT_EQUAL(mupdate_list_upper_bound(l, NULL), 0);
    CU_ASSERT_EQUAL(mupdate_list_upper_bound(l, "m04"), 3);  /* after m04 */
    CU_ASSERT_EQUAL(mupdate_list_upper_bound(l, "m05"), 3);  /* absent */
    CU_ASSERT_EQUAL(mupdate_list_upper_bound(l, "m99"), 5);
    CU_ASSERT_EQUAL(mupdate_list_upper_bound(l, "a"), 0);
    /* the cursor's own name disappears: continue with the next one */
    mupdate_list_delete(l, "m04");
    CU_ASSERT_STRING_EQUAL(mupdate_list_at(l, mupdate_list_upper_bound(l, "m04"))->name, "m06");
    /* an insert before the cursor does not move what comes next */
    mupdate_list_set(l, "m01", MUPDATE_LIST_ACTIVE, "s!p", "");
    CU_ASSERT_STRING_EQUAL(mupdate_list_at(l, mupdate_list_upper_bound(l, "m04"))->name, "m06");
    /* an insert right after the cursor is picked up */
    mupdate_list_set(l, "m05", MUPDATE_LIST_ACTIVE, "s!p", "");
    CU_ASSERT_STRING_EQUAL(mupdate_list_at(l, mupdate_list_upper_bound(l, "m04"))->name, "m05");
    mupdate_list_free(&l);
}

/* Many entries in random order: sorted, all found, deletes keep order. */
static void test_many(void)
{
    struct mupdate_list *l = mupdate_list_new();
    char name[32];
    size_t i, n = 20000;
    unsigned seed = 12345;

    for (i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        snprintf(name, sizeof(name), "user.u%08u", seed % 1000000u);
        mupdate_list_set(l, name, MUPDATE_LIST_ACTIVE, "be!p", "x\tlr\t");
    }
    CU_ASSERT(check_sorted(l));
    CU_ASSERT(mupdate_list_count(l) > n / 2);
    for (i = 0; i < mupdate_list_count(l); i += 3) {
        const char *nm = mupdate_list_at(l, i)->name;

        CU_ASSERT_PTR_EQUAL(mupdate_list_find(l, nm), mupdate_list_at(l, i));
    }
    while (mupdate_list_count(l) > 100) {
        snprintf(name, sizeof(name), "%s", mupdate_list_at(l, mupdate_list_count(l) / 3)->name);
        CU_ASSERT_EQUAL_FATAL(mupdate_list_delete(l, name), 1);
    }
    CU_ASSERT(check_sorted(l));
    mupdate_list_free(&l);
}

static void test_server_is(void)
{
    CU_ASSERT(mupdate_location_server_is("be1!default", "be1"));
    CU_ASSERT(mupdate_location_server_is("be1", "be1"));
    CU_ASSERT(!mupdate_location_server_is("be1!default", "be"));
    CU_ASSERT(!mupdate_location_server_is("be10!default", "be1"));
    CU_ASSERT(!mupdate_location_server_is("be1!default", "be1!default"));
    CU_ASSERT(!mupdate_location_server_is("", "be1"));
}

const char *cunit_suite_name = "mupdate_list";
CU_TestInfo cunit_tests[] = {
    { "set_find_replace", test_set_find_replace },
    { "delete", test_delete },
    { "byte_order", test_byte_order },
    { "cursor", test_cursor },
    { "many", test_many },
    { "server_is", test_server_is },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
