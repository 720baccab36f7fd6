/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/codec.c - unit tests for lib/codec.c */
#include "config.h"

#include <string.h>

#include "cunit/harness.h"
#include "lib/buf.h"
#include "lib/codec.h"

static void test_digits(void)
{
    const char *b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; i++)
        CU_ASSERT_EQUAL(codec_base64_value((unsigned char)b64[i]), i);
    CU_ASSERT_EQUAL(codec_base64_value('='), -1);
    CU_ASSERT_EQUAL(codec_base64_value(','), -1);
    CU_ASSERT_EQUAL(codec_base64_value(0x80), -1);
    CU_ASSERT_EQUAL(codec_hex_value('0'), 0);
    CU_ASSERT_EQUAL(codec_hex_value('a'), 10);
    CU_ASSERT_EQUAL(codec_hex_value('F'), 15);
    CU_ASSERT_EQUAL(codec_hex_value('g'), -1);
    CU_ASSERT_EQUAL(codec_hex_value(' '), -1);
}

/* strict - decode strictly into a fresh buffer holding a prefix */
static int strict(const char *in, struct buf *out)
{
    buf_setcstr(out, "pre:");
    return codec_base64_decode_strict(in, strlen(in), out);
}

static void test_strict(void)
{
    struct buf b = BUF_INIT;
    CU_ASSERT_EQUAL(strict("aGVsbG8=", &b), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "pre:hello");
    CU_ASSERT_EQUAL(strict("aGVsbG8", &b), 1);        /* padding optional */
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "pre:hello");
    CU_ASSERT_EQUAL(strict("", &b), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "pre:");
    /* anything but digits then '=' is refused, leaving out unchanged */
    CU_ASSERT_EQUAL(strict("aGVs bG8=", &b), 0);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "pre:");
    CU_ASSERT_EQUAL(strict("aGVsbG8=x", &b), 0);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "pre:");
    CU_ASSERT_EQUAL(strict("aGVs\nbG8=", &b), 0);
    buf_free(&b);
}

static void test_lenient(void)
{
    struct buf b = BUF_INIT;
    const char *body = "aGVs\r\nbG8=\r\nIHdv\r\ncmxk\r\n";
    codec_base64_decode_lenient(body, strlen(body), &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "hello world");
    buf_reset(&b);
    /* junk is skipped; '=' ends a quantum, so joined encodings decode */
    codec_base64_decode_lenient("aGk=!!aGk=", 10, &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "hihi");
    buf_reset(&b);
    codec_base64_decode_lenient("====", 4, &b);
    CU_ASSERT_EQUAL(b.len, 0);
    buf_free(&b);
}

static void test_binary_roundtrip(void)
{
    /* bytes 0..31, whose encoding is easy to check by hand */
    static const char enc[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    struct buf b = BUF_INIT;
    CU_ASSERT_EQUAL(codec_base64_decode_strict(enc, strlen(enc), &b), 1);
    CU_ASSERT_EQUAL_FATAL(b.len, 32);
    for (int i = 0; i < 32; i++)
        CU_ASSERT_EQUAL((unsigned char)b.s[i], i);
    buf_free(&b);
}

const char *cunit_suite_name = "codec";
void (*cunit_setup)(void);
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "digits", test_digits },
    { "strict", test_strict },
    { "lenient", test_lenient },
    { "binary_roundtrip", test_binary_roundtrip },
    CU_TEST_INFO_NULL,
};
