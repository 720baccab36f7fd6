/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/hash.c - unit tests for lib/hash.c */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cunit/harness.h"
#include "lib/hash.h"
#include "lib/xmalloc.h"

/* count_cb - hash_foreach callback summing values */
static int count_cb(const char *key, void *value, void *rock)
{
    *(long *)rock += (long)(intptr_t)value;
    return 0;
}

static void test_basic(void)
{
    struct hash_table *ht = hash_new(0);
    CU_ASSERT_PTR_NULL(hash_insert(ht, "a", (void *)1));
    CU_ASSERT_PTR_EQUAL(hash_insert(ht, "a", (void *)2), (void *)1);
    CU_ASSERT_PTR_EQUAL(hash_lookup(ht, "a"), (void *)2);
    CU_ASSERT_PTR_NULL(hash_lookup(ht, "b"));
    CU_ASSERT_EQUAL(hash_count(ht), 1);
    CU_ASSERT_PTR_EQUAL(hash_del(ht, "a"), (void *)2);
    CU_ASSERT_PTR_NULL(hash_del(ht, "a"));
    CU_ASSERT_EQUAL(hash_count(ht), 0);
    hash_free(&ht, NULL);
    CU_ASSERT_PTR_NULL(ht);
}

static void test_many(void)
{
    struct hash_table *ht = hash_new(4);
    char key[32];
    long sum = 0;
    for (long i = 1; i <= 10000; i++) {
        snprintf(key, sizeof(key), "key%ld", i);
        hash_insert(ht, key, (void *)(intptr_t)i);
    }
    CU_ASSERT_EQUAL(hash_count(ht), 10000);
    for (long i = 1; i <= 10000; i += 997) {
        snprintf(key, sizeof(key), "key%ld", i);
        CU_ASSERT_EQUAL((long)(intptr_t)hash_lookup(ht, key), i);
    }
    hash_foreach(ht, count_cb, &sum);
    CU_ASSERT_EQUAL(sum, 10000L * 10001L / 2);
    hash_free(&ht, NULL);
}

static void test_free_values(void)
{
    struct hash_table *ht = hash_new(0);
    hash_insert(ht, "x", xstrdup("value"));
    hash_insert(ht, "y", xstrdup("value"));
    hash_free(&ht, free); /* ASan reports a leak if values were not freed */
    CU_ASSERT_PTR_NULL(ht);
}

const char *cunit_suite_name = "hash";
void (*cunit_setup)(void);
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "basic", test_basic },
    { "many", test_many },
    { "free_values", test_free_values },
    CU_TEST_INFO_NULL,
};
