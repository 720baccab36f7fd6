/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/mutf7.c - unit tests for imap/mutf7.c (RFC 3501 5.1.3) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cunit/harness.h"
#include "imap/mutf7.h"
#include "lib/buf.h"

/* Canonical pairs: UTF-8 <-> modified UTF-7, both directions. */
static const struct {
    const char *utf8;
    const char *mutf7;
} pairs[] = {
    { "", "" },
    { "INBOX", "INBOX" },
    { "&", "&-" },
    { "a&b&&", "a&-b&-&-" },
    { "Entw\xc3\xbc" "rfe", "Entw&APw-rfe" },
    /* RFC 3501 5.1.3 example */
    { "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
      "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
    { "\xf0\x9f\x98\x80", "&2D3eAA-" },                   /* U+1F600, pair */
    { "\x01", "&AAE-" },                                   /* control: encoded */
    { "\x7f", "&AH8-" },                                   /* DEL: encoded */
    { "\xc3\xa9\xc3\xa9\xc3\xa9", "&AOkA6QDp-" },          /* no padding */
    { "\xc3\xa9&\xc3\xa9", "&AOk-&-&AOk-" },               /* run, &-, run */
    { "\xc3\xa9 \xc3\xa9", "&AOk- &AOk-" },
    { "\xef\xbf\xbd", "&,,0-" },                           /* U+FFFD */
    { "\xf4\x8f\xbf\xbf", "&2,,f,w-" },                    /* U+10FFFF */
};

static void test_pairs(void)
{
    struct buf b = BUF_INIT;
    const char *err = NULL;

    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        buf_reset(&b);
        CU_ASSERT_EQUAL(mutf7_encode(pairs[i].utf8, strlen(pairs[i].utf8),
                                     &b, &err), 1);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&b), pairs[i].mutf7);
        buf_reset(&b);
        CU_ASSERT_EQUAL(mutf7_decode(pairs[i].mutf7, strlen(pairs[i].mutf7),
                                     &b, &err), 1);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&b), pairs[i].utf8);
        CU_ASSERT_EQUAL(mutf7_validate(pairs[i].mutf7,
                                       strlen(pairs[i].mutf7), &err), 1);
    }
    buf_free(&b);
}

/* Every way a modified UTF-7 string can be wrong. */
static const char *const bad_mutf7[] = {
    "&",                /* '&' at the end */
    "&AOk",             /* run not closed */
    "a&AOkb",           /* run not closed, ASCII after */
    "&AOk-&AOk-",       /* two runs back to back: not shortest */
    "&AEE-",            /* encodes 'A' */
    "&ACY-",            /* encodes '&' */
    "&ACA-",            /* encodes ' ' */
    "&AH4-",            /* encodes '~' */
    "&AAA-",            /* encodes U+0000 */
    "&2D0-",            /* lone high surrogate */
    "&3gA-",            /* lone low surrogate */
    "&2D0A6Q-",         /* high surrogate then U+00E9 */
    "&2D3YPQ-",         /* two high surrogates */
    "&APx-",            /* non-zero padding bits (U+00FC is &APw-) */
    "&APwA-",           /* a base64 character too many */
    "&A-",              /* 6 bits: not even one unit */
    "&AP.-",            /* '.' inside a run */
    "&AP/-",            /* '/' is not modified base64 (',' is) */
    "&AP=-",            /* no '=' padding in modified base64 */
    "\xc3\xa9",         /* raw 8-bit */
    "\x01",             /* raw control */
    "\x7f",             /* raw DEL */
    "a\tb",             /* raw TAB */
};

static void test_bad(void)
{
    struct buf b = BUF_INIT;

    buf_setcstr(&b, "xy");
    for (size_t i = 0; i < sizeof(bad_mutf7) / sizeof(bad_mutf7[0]); i++) {
        const char *err = NULL;
        const char *s = bad_mutf7[i];
        CU_ASSERT_EQUAL(mutf7_decode(s, strlen(s), &b, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(err);
        CU_ASSERT_EQUAL(b.len, 2); /* output restored */
        err = NULL;
        CU_ASSERT_EQUAL(mutf7_validate(s, strlen(s), &err), -1);
        CU_ASSERT_PTR_NOT_NULL(err);
        CU_ASSERT_EQUAL(mutf7_validate(s, strlen(s), NULL), -1);
    }
    /* an embedded NUL byte is not printable ASCII either */
    CU_ASSERT_EQUAL(mutf7_validate("a\0b", 3, NULL), -1);
    buf_free(&b);
}

/* UTF-8 the encoder must refuse. */
static const struct {
    const char *s;
    size_t len;
} bad_utf8[] = {
    { "\xc3", 1 },                 /* truncated */
    { "a\xe6\x97", 3 },            /* truncated 3-byte */
    { "\x80", 1 },                 /* lone continuation */
    { "\xc0\xaf", 2 },             /* overlong '/' */
    { "\xc1\xbf", 2 },             /* overlong */
    { "\xe0\x80\xaf", 3 },         /* overlong 3-byte */
    { "\xf0\x80\x80\xaf", 4 },     /* overlong 4-byte */
    { "\xed\xa0\x80", 3 },         /* U+D800 surrogate */
    { "\xed\xbf\xbf", 3 },         /* U+DFFF surrogate */
    { "\xf4\x90\x80\x80", 4 },     /* U+110000 */
    { "\xf5\x80\x80\x80", 4 },     /* lead byte > 0xf4 */
    { "\xc3\x28", 2 },             /* bad continuation */
    { "\xff", 1 },
    { "a\0b", 3 },                 /* U+0000 */
};

static void test_bad_utf8(void)
{
    struct buf b = BUF_INIT;

    buf_setcstr(&b, "xy");
    for (size_t i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
        const char *err = NULL;
        CU_ASSERT_EQUAL(mutf7_encode(bad_utf8[i].s, bad_utf8[i].len, &b,
                                     &err), -1);
        CU_ASSERT_PTR_NOT_NULL(err);
        CU_ASSERT_EQUAL(b.len, 2);
    }
    buf_free(&b);
}

/* put_utf8 - append code point cp as UTF-8 (test-side encoder) */
static void put_utf8(struct buf *b, unsigned long cp)
{
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(b, (char)(0xc0 | (cp >> 6)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xe0 | (cp >> 12)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        buf_putc(b, (char)(0xf0 | (cp >> 18)));
        buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    }
}

/* random_cp - a random scalar value, biased to ASCII and '&' */
static unsigned long random_cp(void)
{
    unsigned long cp;

    switch (random() % 6) {
    case 0: return '&';
    case 1: return 0x20 + (unsigned long)random() % 0x5f;
    case 2: return 1 + (unsigned long)random() % 0x7f;
    case 3: return 0x80 + (unsigned long)random() % 0x780;
    case 4: return 0x10000 + (unsigned long)random() % 0x100000;
    default:
        do
            cp = 0x800 + (unsigned long)random() % 0xf800;
        while (cp >= 0xd800 && cp <= 0xdfff);
        return cp;
    }
}

static void test_random_roundtrip(void)
{
    struct buf in = BUF_INIT, enc = BUF_INIT, dec = BUF_INIT;
    int failures = 0;

    srandom(3501);
    for (int n = 0; n < 20000; n++) {
        int len = (int)(random() % 12);
        buf_reset(&in);
        buf_reset(&enc);
        buf_reset(&dec);
        for (int i = 0; i < len; i++)
            put_utf8(&in, random_cp());
        if (mutf7_encode(in.s, in.len, &enc, NULL) != 1 ||
            mutf7_validate(enc.s, enc.len, NULL) != 1 ||
            mutf7_decode(enc.s, enc.len, &dec, NULL) != 1 ||
            buf_cmp(&in, &dec) != 0)
            failures++;
        for (size_t i = 0; i < enc.len; i++)
            if (enc.s[i] < 0x20 || enc.s[i] > 0x7e)
                failures++;
    }
    CU_ASSERT_EQUAL(failures, 0);
    buf_free(&in);
    buf_free(&enc);
    buf_free(&dec);
}

/* Random printable strings: whatever decodes must re-encode to itself
 * (the decoder accepts only the canonical form). */
static void test_random_canonical(void)
{
    static const char alphabet[] = "&-AOkw2D3eP,+a.";
    struct buf s = BUF_INIT, dec = BUF_INIT, enc = BUF_INIT;
    int failures = 0, accepted = 0;

    srandom(2152);
    for (int n = 0; n < 50000; n++) {
        int len = (int)(random() % 10);
        buf_reset(&s);
        buf_reset(&dec);
        buf_reset(&enc);
        for (int i = 0; i < len; i++)
            buf_putc(&s, alphabet[random() % (sizeof(alphabet) - 1)]);
        if (mutf7_decode(s.s, s.len, &dec, NULL) != 1)
            continue;
        accepted++;
        if (mutf7_encode(dec.s, dec.len, &enc, NULL) != 1 || buf_cmp(&s, &enc))
            failures++;
    }
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT(accepted > 1000);
    buf_free(&s);
    buf_free(&dec);
    buf_free(&enc);
}

const char *cunit_suite_name = "mutf7";
void (*cunit_setup)(void);
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "pairs", test_pairs },
    { "bad", test_bad },
    { "bad_utf8", test_bad_utf8 },
    { "random_roundtrip", test_random_roundtrip },
    { "random_canonical", test_random_canonical },
    CU_TEST_INFO_NULL,
};
