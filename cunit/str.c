/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/str.c - unit tests for lib/str.c */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "cunit/harness.h"
#include "lib/str.h"

static void test_lcpy(void)
{
    char d[4];
    CU_ASSERT_EQUAL(str_lcpy(d, "ab", sizeof(d)), 2);
    CU_ASSERT_STRING_EQUAL(d, "ab");
    CU_ASSERT_EQUAL(str_lcpy(d, "abcdef", sizeof(d)), 6); /* truncated */
    CU_ASSERT_STRING_EQUAL(d, "abc");
    CU_ASSERT(str_lcat(d, "x", sizeof(d)) >= sizeof(d));
    str_lcpy(d, "a", sizeof(d));
    CU_ASSERT_EQUAL(str_lcat(d, "b", sizeof(d)), 2);
    CU_ASSERT_STRING_EQUAL(d, "ab");
}

static void test_parse_u64(void)
{
    uint64_t v;
    CU_ASSERT_EQUAL(str_parse_u64("123", 3, UINT64_MAX, &v), 1);
    CU_ASSERT_EQUAL(v, 123);
    CU_ASSERT_EQUAL(str_parse_u64("18446744073709551615", 20, UINT64_MAX, &v), 1);
    CU_ASSERT_EQUAL(v, UINT64_MAX);
    CU_ASSERT_EQUAL(str_parse_u64("18446744073709551616", 20, UINT64_MAX, &v), -1);
    CU_ASSERT_EQUAL(str_parse_u64("4294967296", 10, UINT32_MAX, &v), -1);
    CU_ASSERT_EQUAL(str_parse_u64("5", 1, 4, &v), -1);
    CU_ASSERT_EQUAL(str_parse_u64("", 0, UINT64_MAX, &v), -1);
    CU_ASSERT_EQUAL(str_parse_u64("1a", 2, UINT64_MAX, &v), -1);
    CU_ASSERT_EQUAL(str_parse_u64("-1", 2, UINT64_MAX, &v), -1);
}

static void test_parse_long(void)
{
    long v;
    CU_ASSERT_EQUAL(str_parse_long("-5", -10, 10, &v), 1);
    CU_ASSERT_EQUAL(v, -5);
    CU_ASSERT_EQUAL(str_parse_long("11", -10, 10, &v), -1);
    CU_ASSERT_EQUAL(str_parse_long("9223372036854775807", LONG_MIN, LONG_MAX, &v), 1);
    CU_ASSERT_EQUAL(str_parse_long("-9223372036854775808", LONG_MIN, LONG_MAX, &v), 1);
    CU_ASSERT_EQUAL(v, LONG_MIN);
    CU_ASSERT_EQUAL(str_parse_long("9223372036854775808", LONG_MIN, LONG_MAX, &v), -1);
    CU_ASSERT_EQUAL(str_parse_long("12 ", 0, 100, &v), -1);
}

static void test_case(void)
{
    char s[] = "  MiXed\r\n";
    CU_ASSERT_EQUAL(str_casecmp("SELECT", "select"), 0);
    CU_ASSERT(str_casecmp("a", "b") < 0);
    CU_ASSERT_EQUAL(str_ncasecmp("LOGINX", "login", 5), 0);
    CU_ASSERT(str_has_caseprefix("Partition-default", "partition-"));
    CU_ASSERT(!str_has_prefix("Partition-default", "partition-"));
    CU_ASSERT_STRING_EQUAL(str_lcase(str_trim(s)), "mixed");
}

const char *cunit_suite_name = "str";
void (*cunit_setup)(void);
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "lcpy", test_lcpy },
    { "parse_u64", test_parse_u64 },
    { "parse_long", test_parse_long },
    { "case", test_case },
    CU_TEST_INFO_NULL,
};
