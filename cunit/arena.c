/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/arena.c - unit tests for lib/arena.c */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "cunit/harness.h"
#include "lib/arena.h"

static void test_small_and_aligned(void)
{
    struct arena a = ARENA_INIT;
    char *p[100];
    for (int i = 0; i < 100; i++) {
        p[i] = arena_alloc(&a, (size_t)(i % 13) + 1);
        CU_ASSERT_EQUAL((uintptr_t)p[i] % 8, 0);
        memset(p[i], i, (size_t)(i % 13) + 1);
    }
    for (int i = 0; i < 100; i++)        /* no allocation overlapped another */
        CU_ASSERT_EQUAL((unsigned char)p[i][0], (unsigned char)i);
    CU_ASSERT(arena_total(&a) <= 2 * 4096); /* 100 small blocks: one or two chunks */
    arena_clear(&a);
    CU_ASSERT_EQUAL(arena_total(&a), 0);
    CU_ASSERT_PTR_NULL(a.head);
}

static void test_big_blocks_keep_head(void)
{
    struct arena a = ARENA_INIT;
    char *small1 = arena_alloc(&a, 16);
    char *big = arena_alloc(&a, 100000);
    char *small2 = arena_alloc(&a, 16);
    memset(big, 'x', 100000);
    /* the small ones still come from the first chunk: adjacent */
    CU_ASSERT_PTR_EQUAL(small2, small1 + 16);
    CU_ASSERT_EQUAL(arena_total(&a), 4096 + 100000);
    arena_clear(&a);
}

static void test_strndup(void)
{
    struct arena a = ARENA_INIT;
    char *s = arena_strndup(&a, "hello world", 5);
    CU_ASSERT_STRING_EQUAL(s, "hello");
    CU_ASSERT_STRING_EQUAL(arena_strndup(&a, "", 0), "");
    arena_clear(&a);
}

const char *cunit_suite_name = "arena";
void (*cunit_setup)(void);
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "small_and_aligned", test_small_and_aligned },
    { "big_blocks_keep_head", test_big_blocks_keep_head },
    { "strndup", test_strndup },
    CU_TEST_INFO_NULL,
};
