/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/buf.c - unit tests for lib/buf.c */
#include "config.h"

#include <string.h>
#include <stdlib.h>

#include "cunit/harness.h"
#include "lib/buf.h"

static void test_append(void)
{
    struct buf b = BUF_INIT;
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "");
    buf_appendcstr(&b, "hello");
    buf_putc(&b, ' ');
    buf_appendmap(&b, "world!!", 5);
    CU_ASSERT_EQUAL(b.len, 11);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "hello world");
    CU_ASSERT(buf_equal_cstr(&b, "hello world"));
    CU_ASSERT(!buf_equal_cstr(&b, "hello"));
    buf_free(&b);
    CU_ASSERT_PTR_NULL(b.s);
}

static void test_binary(void)
{
    struct buf b = BUF_INIT;
    buf_appendmap(&b, "a\0b", 3);
    CU_ASSERT_EQUAL(b.len, 3);
    CU_ASSERT_EQUAL(memcmp(b.s, "a\0b", 3), 0);
    buf_free(&b);
}

static void test_grow(void)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, (char)('a' + i % 26));
    CU_ASSERT_EQUAL(b.len, 100000);
    CU_ASSERT_EQUAL(b.s[99999], 'a' + 99999 % 26);
    CU_ASSERT(b.alloc > b.len);
    buf_free(&b);
}

static void test_printf(void)
{
    struct buf b = BUF_INIT;
    char big[1000];
    buf_printf(&b, "%d-%s", 42, "x");
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "42-x");
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    buf_printf(&b, "%s", big);     /* forces the second vsnprintf */
    CU_ASSERT_EQUAL(b.len, 4 + 999);
    CU_ASSERT_EQUAL(b.s[b.len - 1], 'z');
    buf_free(&b);
}

static void test_prefix_truncate_release(void)
{
    struct buf b = BUF_INIT;
    char *s;
    buf_setcstr(&b, "abcdef");
    buf_remove_prefix(&b, 2);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "cdef");
    buf_truncate(&b, 2);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "cd");
    buf_remove_prefix(&b, 10);
    CU_ASSERT_EQUAL(b.len, 0);
    buf_setcstr(&b, "keep");
    s = buf_release(&b);
    CU_ASSERT_STRING_EQUAL(s, "keep");
    CU_ASSERT_PTR_NULL(b.s);
    free(s);
}

static void test_cmp(void)
{
    struct buf a = BUF_INIT, b = BUF_INIT;
    buf_setcstr(&a, "abc");
    buf_setcstr(&b, "abcd");
    CU_ASSERT(buf_cmp(&a, &b) < 0);
    CU_ASSERT(buf_cmp(&b, &a) > 0);
    buf_setcstr(&b, "abc");
    CU_ASSERT_EQUAL(buf_cmp(&a, &b), 0);
    buf_free(&a);
    buf_free(&b);
}

const char *cunit_suite_name = "buf";
void (*cunit_setup)(void);
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "append", test_append },
    { "binary", test_binary },
    { "grow", test_grow },
    { "printf", test_printf },
    { "prefix_truncate_release", test_prefix_truncate_release },
    { "cmp", test_cmp },
    CU_TEST_INFO_NULL,
};
