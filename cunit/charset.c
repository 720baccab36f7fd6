/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/charset.c - unit tests for imap/charset.c and imap/charset_fold.c */
#include "config.h"

#include <string.h>

#include "cunit/harness.h"
#include "imap/charset.h"
#include "lib/buf.h"

/* mimeheader - decode s; check the text and the flags */
static void mimeheader(const char *s, const char *want, int want_flags)
{
    struct buf out = BUF_INIT;
    int flags = charset_decode_mimeheader(s, strlen(s), &out);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), want);
    CU_ASSERT_EQUAL(flags, want_flags);
    buf_free(&out);
}

static void test_mimeheader(void)
{
    mimeheader("plain text", "plain text", 0);
    mimeheader("", "", 0);
    mimeheader("=?ISO-8859-1?Q?Andr=E9?= Pirard", "Andr\xC3\xA9 Pirard", 0);
    mimeheader("=?iso-8859-1?q?a_b?=", "a b", 0);
    mimeheader("=?UTF-8?B?0JjQstCw0L0=?=", "\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD", 0);
    mimeheader("=?KOI8-R?B?8NLJ18XU?=", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", 0);
    /* RFC 2047 section 8: whitespace between adjacent words is dropped */
    mimeheader("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)", 0);
    mimeheader("=?ISO-8859-1?Q?a?=  \t =?ISO-8859-2?Q?b?= c", "ab c", 0);
    mimeheader("=?ISO-8859-1?Q?a?= b", "a b", 0);
    mimeheader("a =?ISO-8859-1?Q?b?=", "a b", 0);
    mimeheader("=?ISO-8859-1?Q?a_?= =?ISO-8859-1?Q?_b?=", "a  b", 0);
    /* a UTF-8 character split across two words survives */
    mimeheader("=?UTF-8?B?ww==?= =?UTF-8?B?qQ==?=", "\xC3\xA9", 0);
    mimeheader("=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=", "\xC3\xA9", 0);
    /* malformed words stay as written */
    mimeheader("=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=", 0);
    mimeheader("=?UTF-8?Q?no end", "=?UTF-8?Q?no end", 0);
    mimeheader("=?UTF-8?B?@@@@?=", "=?UTF-8?B?@@@@?=", 0);
    mimeheader("=??Q?x?=", "=??Q?x?=", 0);
    mimeheader("= ?", "= ?", 0);
    /* unknown charset: kept, flagged; iconv suffixes are not names */
    mimeheader("=?x-unknown?Q?abc?=", "=?x-unknown?Q?abc?=", CHARSET_UNKNOWN);
    mimeheader("=?UTF-8//TRANSLIT?Q?abc?=", "=?UTF-8//TRANSLIT?Q?abc?=", CHARSET_UNKNOWN);
    /* RFC 2231 language in an encoded word */
    mimeheader("=?US-ASCII*EN?Q?Keith?=", "Keith", 0);
    /* invalid UTF-8 outside and inside words */
    mimeheader("a\xFF" "b", "a\xEF\xBF\xBD" "b", CHARSET_INVALID);
    mimeheader("=?utf-8?q?=FF?=", "\xEF\xBF\xBD", CHARSET_INVALID);
    /* raw UTF-8 (RFC 6532) passes */
    mimeheader("Gr\xC3\xBC\xC3\x9F" "e", "Gr\xC3\xBC\xC3\x9F" "e", 0);
}

static void test_to_utf8(void)
{
    struct buf out = BUF_INIT;

    CU_ASSERT_EQUAL(charset_to_utf8("windows-1252", 12, "\x80", 1, &out), 0);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "\xE2\x82\xAC");
    buf_reset(&out);
    CU_ASSERT_EQUAL(charset_to_utf8("no-such-charset", 15, "ab\xE9", 3, &out), CHARSET_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "ab\xE9");
    buf_reset(&out);
    CU_ASSERT_EQUAL(charset_to_utf8("us-ascii", 8, "a\xE9", 2, &out), CHARSET_INVALID);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "a\xEF\xBF\xBD");
    buf_reset(&out);
    CU_ASSERT_EQUAL(charset_to_utf8("ISO-2022-JP", 11, "\x1B$B$3\x1B(B", 8, &out), 0);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "\xE3\x81\x93");
    buf_reset(&out);
    /* a long run through iconv grows the buffer as needed */
    char big[10000];
    memset(big, '\xE9', sizeof(big));
    CU_ASSERT_EQUAL(charset_to_utf8("latin1", 6, big, sizeof(big), &out), 0);
    CU_ASSERT_EQUAL(out.len, 2 * sizeof(big));
    buf_free(&out);
}

static void test_rfc2231(void)
{
    struct buf out = BUF_INIT;

    CU_ASSERT_EQUAL(charset_decode_rfc2231("iso-8859-1'fr'r%E9sum%E9", 24, &out), 0);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "r\xC3\xA9sum\xC3\xA9");
    buf_reset(&out);
    CU_ASSERT_EQUAL(charset_decode_rfc2231("''%E2%82%AC%2", 14, &out), 0);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "\xE2\x82\xAC%2");
    buf_reset(&out);
    CU_ASSERT_EQUAL(charset_decode_rfc2231("no quotes %41", 13, &out), 0);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "no quotes A");
    buf_free(&out);
}

/* norm - the search form of s */
static void norm(const char *s, const char *want)
{
    struct buf out = BUF_INIT;
    charset_search_normalize(s, strlen(s), &out);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), want);
    buf_free(&out);
}

static void test_normalize(void)
{
    norm("Hello  WORLD\r\n\tAgain", "hello world again");
    norm("\xC3\x80\xC3\x89\xC3\x96\xC3\x97\xC3\x9E", "\xC3\xA0\xC3\xA9\xC3\xB6\xC3\x97\xC3\xBE");
    norm("Stra\xC3\x9F" "e", "strasse");
    norm("\xC5\x81\xC3\xB3\xC5\xBA", "\xC5\x82\xC3\xB3\xC5\xBA");  /* Łóź */
    norm("\xC5\xB9\xC4\xB9\xC5\xB8", "\xC5\xBA\xC4\xBA\xC3\xBF");   /* ŹĹŸ */
    norm("\xCE\xA3\xCE\xBF\xCF\x86\xCE\xAF\xCE\xB1", "\xCF\x83\xCE\xBF\xCF\x86\xCE\xAF\xCE\xB1");
    norm("\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2 \xD0\x81",
         "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD1\x91");
    norm("bad\xC3(", "bad\xEF\xBF\xBD(");
    norm("\xE2\x82\xAC \xF0\x9F\x98\x80", "\xE2\x82\xAC \xF0\x9F\x98\x80");
}

const char *cunit_suite_name = "charset";
CU_TestInfo cunit_tests[] = {
    { "mimeheader", test_mimeheader },
    { "to_utf8", test_to_utf8 },
    { "rfc2231", test_rfc2231 },
    { "normalize", test_normalize },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
