/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/search_expr.c - unit tests for imap/search_expr.c (every key, the
 * errors, CHARSET) and imap/search_date.c */
#include "config.h"

#include <string.h>

#include "cunit/harness.h"
#include "imap/search_date.h"
#include "imap/search_expr.h"
#include "lib/imap_parser.h"

/* parse - run the search program text through the IMAP parser and
 * search_expr_parse; returns the result, the dump or error in out */
static int parse(const char *program, const char *charset, struct buf *out)
{
    struct imap_parser_limits lim;
    struct imap_parser *p;
    struct buf line = BUF_INIT;
    struct search_parse ctx = { charset, 10, 100, true, false, false };
    struct search_node *root = NULL;
    const struct imap_arg *args;
    size_t used, argc;
    int r;

    imap_parser_limits_preauth(&lim);
    lim.allow_8bit_quoted = true;
    lim.max_args = 1000;
    lim.max_nesting = 100;
    p = imap_parser_new(&lim);
    buf_printf(&line, "a SEARCH %s\r\n", program);
    for (size_t off = 0;; off += used) {
        r = imap_parser_feed(p, line.s + off, line.len - off, &used);
        if (r != IMAP_PARSER_LITERAL_CONTINUATION)
            break;
    }
    if (r != IMAP_PARSER_DONE)
        fprintf(stderr, "\nparser: %s: %s\n", program, imap_parser_error(p));
    CU_ASSERT_EQUAL_FATAL(r, IMAP_PARSER_DONE);
    args = imap_parser_args(p, &argc);
    buf_reset(out);
    r = search_expr_parse(args, argc, &ctx, &root, out);
    if (r == SEARCH_PARSE_OK) {
        CU_ASSERT_PTR_NOT_NULL(root);
        search_expr_dump(root, out);
        search_expr_free(&root);
        CU_ASSERT_PTR_NULL(root);
    } else {
        CU_ASSERT_PTR_NULL(root);
    }
    imap_parser_free(&p);
    buf_free(&line);
    return r;
}

/* ok - program parses to the dump want */
static void ok(const char *program, const char *want)
{
    struct buf out = BUF_INIT;
    int r = parse(program, NULL, &out);

    CU_ASSERT_EQUAL(r, SEARCH_PARSE_OK);
    if (strcmp(buf_cstring(&out), want))
        fprintf(stderr, "\n%s:\n  got  %s\n  want %s\n", program, out.s, want);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), want);
    buf_free(&out);
}

/* bad - program is refused with the message want */
static void bad(const char *program, const char *want)
{
    struct buf out = BUF_INIT;
    int r = parse(program, NULL, &out);

    CU_ASSERT_EQUAL(r, SEARCH_PARSE_BAD);
    if (strcmp(buf_cstring(&out), want))
        fprintf(stderr, "\n%s:\n  got  %s\n  want %s\n", program, out.s, want);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), want);
    buf_free(&out);
}

static void test_flag_keys(void)
{
    ok("ALL", "(and (all))");
    ok("answered", "(and (sysflag 0x1))");
    ok("DELETED DRAFT FLAGGED SEEN",
       "(and (sysflag 0x4) (sysflag 0x8) (sysflag 0x2) (sysflag 0x10))");
    ok("UNANSWERED", "(and (not (sysflag 0x1)))");
    ok("UNDELETED UNDRAFT UNFLAGGED UNSEEN",
       "(and (not (sysflag 0x4)) (not (sysflag 0x8)) (not (sysflag 0x2)) (not (sysflag 0x10)))");
    ok("RECENT OLD", "(and (recent) (not (recent)))");
    ok("NEW", "(and (and (recent) (not (sysflag 0x10))))");
    ok("KEYWORD $Junk UNKEYWORD foo",
       "(and (keyword $Junk) (not (keyword foo)))");
    ok("KEYWORD \\Seen", "(and (sysflag 0x10))");
}

static void test_value_keys(void)
{
    ok("LARGER 100 SMALLER 5", "(and (larger 100) (smaller 5))");
    ok("BEFORE 1-Jan-1970 ON 2-Jan-1970 SINCE \"31-Dec-1969\"",
       "(and (before 0) (on 1) (since -1))");
    ok("SENTBEFORE 1-Feb-1994 SENTON 1-FEB-1994 SENTSINCE 01-feb-1994",
       "(and (sentbefore 8797) (senton 8797) (sentsince 8797))");
    ok("UID 1:3,7 2,4:*", "(and (uid 1:3,7) (msgno 2,4:10))");
    ok("UID *", "(and (uid 100))");
    ok("$", "(and (saved))");
    ok("MODSEQ 5", "(and (modseq 5))");
    ok("MODSEQ \"/flags/\\\\draft\" all 620162338",
       "(and (modseq 620162338))");
}

static void test_string_keys(void)
{
    ok("FROM Fred TO \"b c\" CC x BCC y SUBJECT \"Hello  World\"",
       "(and (header From \"fred\") (header To \"b c\") (header Cc \"x\") "
       "(header Bcc \"y\") (header Subject \"hello world\"))");
    ok("HEADER X-Spam \"\" HEADER message-id <a@b>",
       "(and (header X-Spam \"\") (header message-id \"<a@b>\"))");
    ok("BODY foo TEXT {3}\r\nBAR", "(and (body \"foo\") (text \"bar\"))");
    /* UTF-8 is folded as charset_search_normalize does */
    ok("SUBJECT \"GR\xC3\x9C\xC3\x9F\"", "(and (header Subject \"gr\xC3\xBCss\"))");
}

static void test_groups(void)
{
    ok("NOT SEEN", "(and (not (sysflag 0x10)))");
    ok("OR SEEN FLAGGED", "(and (or (sysflag 0x10) (sysflag 0x2)))");
    ok("OR (SEEN FROM a) NOT (DRAFT)",
       "(and (or (and (sysflag 0x10) (header From \"a\")) (not (and (sysflag 0x8)))))");
    ok("((ALL))", "(and (and (and (all))))");
}

static void test_errors(void)
{
    bad("FOO", "Invalid search key FOO");
    bad("SEEN BOGUS", "Invalid search key BOGUS");
    bad("FROM", "Missing argument for FROM");
    bad("SINCE 1-Foo-2000", "Invalid date for SINCE");
    bad("BEFORE 31-Feb-2000", "Invalid date for BEFORE");
    bad("ON 1-Jan-00", "Invalid date for ON");
    bad("LARGER -1", "Invalid number for LARGER");
    bad("SMALLER x", "Invalid number for SMALLER");
    bad("UID 1:x", "Invalid UID set for UID");
    bad("0", "Invalid sequence set 0");
    bad("KEYWORD \\Foo", "Invalid flag for KEYWORD");
    bad("UNKEYWORD (a)", "Invalid flag for UNKEYWORD");
    bad("HEADER \"a b\" x", "Invalid field name for HEADER");
    bad("HEADER X", "Missing argument for HEADER");
    bad("OR SEEN", "Missing search key");
    bad("NOT", "Missing search key");
    bad("()", "Empty search key list");
    bad("MODSEQ \"/flags/x\" bogus 5", "Invalid entry type for MODSEQ");
    bad("MODSEQ 99999999999999999999", "Invalid number for MODSEQ");
    bad("SUBJECT NIL SEEN NIL", "Invalid search key");
    struct buf deep = BUF_INIT;
    for (int i = 0; i < SEARCH_MAX_DEPTH + 1; i++)
        buf_appendcstr(&deep, "NOT ");
    buf_appendcstr(&deep, "ALL");
    bad(buf_cstring(&deep), "Search program nested too deeply");
    buf_free(&deep);
}

static void test_charset(void)
{
    struct buf out = BUF_INIT;

    CU_ASSERT_EQUAL(parse("SUBJECT x", "x-no-such-charset", &out),
                    SEARCH_PARSE_BADCHARSET);
    CU_ASSERT_EQUAL(parse("SUBJECT {1}\r\n\xE9", "ISO-8859-1", &out),
                    SEARCH_PARSE_OK);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "(and (header Subject \"\xC3\xA9\"))");
    CU_ASSERT_EQUAL(parse("BODY x", "us-ascii", &out), SEARCH_PARSE_OK);
    CU_ASSERT(search_charset_known("UTF-8"));
    CU_ASSERT(search_charset_known("koi8-r"));
    CU_ASSERT(!search_charset_known("UTF-8//TRANSLIT"));
    buf_free(&out);
}

static void test_optimise(void)
{
    struct search_node *a = NULL;
    struct buf out = BUF_INIT;
    struct imap_parser_limits lim;
    struct imap_parser *p;
    struct search_parse ctx = { NULL, 5, 5, false, false, false };
    const char *line = "a SEARCH BODY x HEADER X-A y FROM z UNSEEN OR TEXT q DRAFT\r\n";
    const struct imap_arg *args;
    size_t used, argc;

    imap_parser_limits_preauth(&lim);
    p = imap_parser_new(&lim);
    CU_ASSERT_EQUAL(imap_parser_feed(p, line, strlen(line), &used), IMAP_PARSER_DONE);
    args = imap_parser_args(p, &argc);
    CU_ASSERT_EQUAL(search_expr_parse(args, argc, &ctx, &a, &out), SEARCH_PARSE_OK);
    search_expr_optimise(a);
    search_expr_dump(a, &out);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out),
        "(and (not (sysflag 0x10)) (header From \"z\") (header X-A \"y\") "
        "(body \"x\") (or (sysflag 0x8) (text \"q\")))");
    CU_ASSERT_EQUAL(a->cost, SEARCH_COST_BODY);
    search_expr_free(&a);
    /* "$" without SEARCHRES is refused */
    line = "b SEARCH $\r\n";
    CU_ASSERT_EQUAL(imap_parser_feed(p, line, strlen(line), &used), IMAP_PARSER_DONE);
    args = imap_parser_args(p, &argc);
    CU_ASSERT_EQUAL(search_expr_parse(args, argc, &ctx, &a, &out), SEARCH_PARSE_BAD);
    imap_parser_free(&p);
    buf_free(&out);
}

static void test_dates(void)
{
    int64_t day, t;

    CU_ASSERT_EQUAL(search_date_days(1970, 1, 1), 0);
    CU_ASSERT_EQUAL(search_date_days(2000, 3, 1), 11017);
    CU_ASSERT(search_date_imap("29-Feb-2000", &day));
    CU_ASSERT(!search_date_imap("29-Feb-1900", &day));
    CU_ASSERT(!search_date_imap("1-Jan-2000x", &day));
    CU_ASSERT(!search_date_imap("123-Jan-2000", &day));
    /* IMAP date-time (APPEND, INTERNALDATE): zone applied, " d" day */
    CU_ASSERT(search_date_datetime("07-Feb-1994 21:52:25 -0800", &t));
    CU_ASSERT_EQUAL(t, 760686745);
    CU_ASSERT(search_date_datetime(" 8-Feb-1994 05:52:25 +0000", &t));
    CU_ASSERT_EQUAL(t, 760686745);
    CU_ASSERT(search_date_datetime("8-Feb-1994 07:22:25 +0130", &t));
    CU_ASSERT_EQUAL(t, 760686745);
    CU_ASSERT(!search_date_datetime("30-Feb-2000 00:00:00 +0000", &t));
    CU_ASSERT(!search_date_datetime("01-Jan-1969 00:00:00 +0000", &t));
    CU_ASSERT(!search_date_datetime("01-Jan-2000 24:00:00 +0000", &t));
    CU_ASSERT(!search_date_datetime("01-Jan-2000 00:00:00 0000", &t));
    CU_ASSERT(!search_date_datetime("01-Jan-2000 00:00:00 +00000", &t));
    CU_ASSERT(!search_date_datetime("01-Jan-2000 00:00 +0000", &t));
    CU_ASSERT(!search_date_datetime("01-Foo-2000 00:00:00 +0000", &t));
    CU_ASSERT(search_date_rfc5322("Mon, 7 Feb 1994 21:52:25 -0800 (PST)", 36, &t, &day));
    CU_ASSERT_EQUAL(t, 760686745);
    CU_ASSERT_EQUAL(day, search_date_days(1994, 2, 7));
    /* the day as written, although UTC is already the 8th */
    CU_ASSERT(search_date_rfc5322("7 Feb 94 21:52 PST", 18, &t, &day));
    CU_ASSERT_EQUAL(day, search_date_days(1994, 2, 7));
    CU_ASSERT_EQUAL(t, 760686720);
    CU_ASSERT(search_date_rfc5322(" (c) Tue, 01 Jan 2030 00:00:00 +0000", 37, &t, NULL));
    CU_ASSERT_EQUAL(t, 1893456000);
    CU_ASSERT(!search_date_rfc5322("yesterday", 9, &t, &day));
    CU_ASSERT(!search_date_rfc5322("32 Jan 2000", 11, &t, &day));
    CU_ASSERT(!search_date_rfc5322("1 Jan 2000 25:00", 16, &t, &day));
}

const char *cunit_suite_name = "search_expr";
CU_TestInfo cunit_tests[] = {
    { "flag_keys", test_flag_keys },
    { "value_keys", test_value_keys },
    { "string_keys", test_string_keys },
    { "groups", test_groups },
    { "errors", test_errors },
    { "charset", test_charset },
    { "optimise", test_optimise },
    { "dates", test_dates },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
