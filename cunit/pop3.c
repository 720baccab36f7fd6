/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/pop3.c - unit tests for the pure parts of the POP3 engine: the
 * dot-stuffing filter of RETR and TOP (table-driven, fed whole and one
 * byte at a time; TOP's header/body line counting; the terminator after
 * a message without a final line end) and message-number parsing.
 */
#include "config.h"

#include <string.h>

#include "cunit/harness.h"
#include "imap/pop3_session.h"
#include "lib/buf.h"

const char *cunit_suite_name = "pop3";
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;

struct dot_case {
    const char *msg;     /* the stored message */
    long lines;          /* -1: RETR, else TOP's line count */
    const char *wire;    /* what is sent after +OK, terminator included */
};

static const struct dot_case dot_cases[] = {
    { "a\r\nb\r\n", -1, "a\r\nb\r\n.\r\n" },
    { ".a\r\n..\r\n.\r\nx.\r\n", -1, "..a\r\n...\r\n..\r\nx.\r\n.\r\n" },
    { "no final newline", -1, "no final newline\r\n.\r\n" },
    { "", -1, ".\r\n" },
    { "\r\n.\r\n", -1, "\r\n..\r\n.\r\n" },
    { "H: 1\r\nI: 2\r\n\r\nb1\r\nb2\r\nb3\r\n", 0, "H: 1\r\nI: 2\r\n\r\n.\r\n" },
    { "H: 1\r\n\r\nb1\r\n.b2\r\nb3\r\n", 2, "H: 1\r\n\r\nb1\r\n..b2\r\n.\r\n" },
    { "H: 1\r\n\r\nb1\r\n", 5, "H: 1\r\n\r\nb1\r\n.\r\n" },
    { "H: 1\r\n\r\n\r\nb2\r\n", 1, "H: 1\r\n\r\n\r\n.\r\n" },  /* empty body line counts */
    { "H: 1\nX: 2\n\nb1\nb2\n", 1, "H: 1\nX: 2\n\nb1\n.\r\n" },  /* bare LF */
    { "H: 1\r\n", 0, "H: 1\r\n.\r\n" },                          /* no body */
    { "H: 1\r\n\r\n", 0, "H: 1\r\n\r\n.\r\n" },
};

/* run - the filter over c->msg in pieces of step bytes (0: whole) */
static void run(const struct dot_case *c, size_t step, struct buf *out)
{
    struct pop3_dot d;
    size_t len = strlen(c->msg), off = 0;

    pop3_dot_init(&d, c->lines);
    while (off < len && !d.done) {
        size_t n = step && len - off > step ? step : len - off;
        size_t used = pop3_dot_feed(&d, c->msg + off, n, out);

        CU_ASSERT(used == n || d.done);
        off += used;
    }
    pop3_dot_finish(&d, out);
}

static void test_dot_whole(void)
{
    for (size_t i = 0; i < sizeof(dot_cases) / sizeof(dot_cases[0]); i++) {
        struct buf out = BUF_INIT;

        run(&dot_cases[i], 0, &out);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&out), dot_cases[i].wire);
        buf_free(&out);
    }
}

static void test_dot_bytewise(void)
{
    for (size_t i = 0; i < sizeof(dot_cases) / sizeof(dot_cases[0]); i++) {
        struct buf out = BUF_INIT;

        run(&dot_cases[i], 1, &out);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&out), dot_cases[i].wire);
        buf_free(&out);
    }
}

static void test_top_stops_consuming(void)
{
    static const char msg[] = "H: 1\r\n\r\nb1\r\nb2\r\n";
    struct pop3_dot d;
    struct buf out = BUF_INIT;

    pop3_dot_init(&d, 1);
    CU_ASSERT_EQUAL(pop3_dot_feed(&d, msg, strlen(msg), &out), 12);
    CU_ASSERT(d.done);
    CU_ASSERT_EQUAL(pop3_dot_feed(&d, "more", 4, &out), 0);
    buf_free(&out);
}

static void test_msgno(void)
{
    struct pop3_msg msgs[3] = { { 10, 100, false }, { 11, 5, true },
                                { 12, 7, false } };
    struct pop3_session s;
    const char *why = NULL;

    memset(&s, 0, sizeof(s));
    s.msgs = msgs;
    s.nmsgs = 3;
    CU_ASSERT_EQUAL(pop3_parse_msgno(&s, "1", &why), 0);
    CU_ASSERT_EQUAL(pop3_parse_msgno(&s, "3", &why), 2);
    CU_ASSERT_EQUAL(pop3_parse_msgno(&s, "2", &why), -1);
    CU_ASSERT_STRING_EQUAL(why, "Message already deleted");
    CU_ASSERT_EQUAL(pop3_parse_msgno(&s, "4", &why), -1);
    CU_ASSERT_STRING_EQUAL(why, "No such message");
    CU_ASSERT_EQUAL(pop3_parse_msgno(&s, "0", &why), -1);
    CU_ASSERT_EQUAL(pop3_parse_msgno(&s, "", &why), -1);
    CU_ASSERT_EQUAL(pop3_parse_msgno(&s, "-1", &why), -1);
    CU_ASSERT_EQUAL(pop3_parse_msgno(&s, "1x", &why), -1);
    CU_ASSERT_EQUAL(pop3_parse_msgno(&s, "99999999999999999999", &why), -1);
}

CU_TestInfo cunit_tests[] = {
    { "dot_whole", test_dot_whole },
    { "dot_bytewise", test_dot_bytewise },
    { "top_stops_consuming", test_top_stops_consuming },
    { "msgno", test_msgno },
    CU_TEST_INFO_NULL,
};
