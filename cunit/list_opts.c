/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/list_opts.c - unit tests for LIST argument parsing (selection
 * options, patterns, return options with STATUS items: imap/list_opts.c)
 * and STATUS item lists.  Arguments come from the real parser, fed one
 * byte at a time.
 */
#include "config.h"

#include <string.h>

#include "cunit/harness.h"
#include "imap/mboxcmds.h"
#include "lib/buf.h"
#include "lib/imap_parser.h"

static struct imap_parser *parser;

/* parse_line - "a LIST <rest>" through the parser; the args */
static const struct imap_arg *parse_line(const char *rest, size_t *n)
{
    struct imap_parser_limits l;
    struct buf line = BUF_INIT;
    int r = IMAP_PARSER_NEED_MORE;

    imap_parser_limits_preauth(&l);
    l.max_line = 65536;
    l.max_args = 1000;
    l.max_nesting = 4;
    imap_parser_free(&parser);
    parser = imap_parser_new(&l);
    buf_printf(&line, "a LIST %s\r\n", rest);
    for (size_t i = 0; i < line.len; i++) {
        size_t used = 0;
        CU_ASSERT_EQUAL(r, IMAP_PARSER_NEED_MORE);
        r = imap_parser_feed(parser, line.s + i, 1, &used);
    }
    CU_ASSERT_EQUAL_FATAL(r, IMAP_PARSER_DONE);
    buf_free(&line);
    return imap_parser_args(parser, n);
}

/* opts - list_opts_parse on rest; its result */
static int opts(const char *rest, struct list_opts *o, const char **err)
{
    size_t n;
    const struct imap_arg *a = parse_line(rest, &n);

    *err = NULL;
    return list_opts_parse(a, n, o, err);
}

static void test_basic(void)
{
    struct list_opts o;
    const char *err;

    CU_ASSERT_EQUAL(opts("\"\" \"*\"", &o, &err), 0);
    CU_ASSERT_STRING_EQUAL(o.reference, "");
    CU_ASSERT_EQUAL(o.npatterns, 1);
    CU_ASSERT_STRING_EQUAL(o.patterns[0], "*");
    CU_ASSERT(!o.extended);
    CU_ASSERT_EQUAL(o.sel, 0);
    CU_ASSERT_EQUAL(o.ret, 0);
    CU_ASSERT_EQUAL(opts("INBOX/ %", &o, &err), 0);
    CU_ASSERT_STRING_EQUAL(o.reference, "INBOX/");
    CU_ASSERT_STRING_EQUAL(o.patterns[0], "%");
    CU_ASSERT_EQUAL(opts("\"\"", &o, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(err);
}

static void test_extended(void)
{
    struct list_opts o;
    const char *err;

    CU_ASSERT_EQUAL(opts("(SUBSCRIBED RECURSIVEMATCH) \"\" (a b%)", &o, &err), 0);
    CU_ASSERT(o.extended);
    CU_ASSERT_EQUAL(o.sel, LIST_SEL_SUBSCRIBED | LIST_SEL_RECURSIVEMATCH);
    CU_ASSERT_EQUAL(o.ret, LIST_RET_SUBSCRIBED); /* implied */
    CU_ASSERT_EQUAL(o.npatterns, 2);
    CU_ASSERT_STRING_EQUAL(o.patterns[1], "b%");
    CU_ASSERT_EQUAL(opts("(special-use) \"\" *", &o, &err), 0);
    CU_ASSERT_EQUAL(o.ret, LIST_RET_SPECIALUSE);
    CU_ASSERT_EQUAL(opts("() \"\" *", &o, &err), 0);
    CU_ASSERT(o.extended);
    CU_ASSERT_EQUAL(opts("(RECURSIVEMATCH) \"\" *", &o, &err), -1);
    CU_ASSERT_EQUAL(opts("(BOGUS) \"\" *", &o, &err), -1);
    CU_ASSERT_EQUAL(opts("\"\" ()", &o, &err), -1);
}

static void test_return(void)
{
    struct list_opts o;
    const char *err;

    CU_ASSERT_EQUAL(opts("\"\" * RETURN (CHILDREN STATUS (MESSAGES unseen) "
                         "SPECIAL-USE)", &o, &err), 0);
    CU_ASSERT_EQUAL(o.ret, LIST_RET_CHILDREN | LIST_RET_STATUS |
                           LIST_RET_SPECIALUSE);
    CU_ASSERT_EQUAL(o.status, STATUS_MESSAGES | STATUS_UNSEEN);
    CU_ASSERT_EQUAL(opts("\"\" * RETURN ()", &o, &err), 0);
    CU_ASSERT_EQUAL(opts("\"\" * RETURN (STATUS)", &o, &err), -1);
    CU_ASSERT_EQUAL(opts("\"\" * RETURN (STATUS ())", &o, &err), -1);
    CU_ASSERT_EQUAL(opts("\"\" * RETURN (STATUS (BOGUS))", &o, &err), -1);
    CU_ASSERT_EQUAL(opts("\"\" * RETURN (FOO)", &o, &err), -1);
    CU_ASSERT_EQUAL(opts("\"\" * RETURNS (CHILDREN)", &o, &err), -1);
    CU_ASSERT_EQUAL(opts("\"\" * RETURN CHILDREN", &o, &err), -1);
}

static void test_status_items(void)
{
    size_t n;
    const struct imap_arg *a = parse_line("(MESSAGES RECENT UIDNEXT UIDVALIDITY "
                                          "UNSEEN SIZE HIGHESTMODSEQ deleted)",
                                          &n);
    const struct imap_arg *l;
    size_t ln;
    unsigned items;
    const char *err;

    CU_ASSERT_FATAL(imap_arg_get_list(&a[0], &l, &ln));
    CU_ASSERT_EQUAL(status_items_parse(l, ln, &items, &err), 0);
    CU_ASSERT_EQUAL(items, 0xff);   /* DELETED (RFC 9051) included */
    CU_ASSERT_EQUAL(status_items_parse(l, 0, &items, &err), -1);
    a = parse_line("(MESSAGES \"UNSEEN\")", &n);
    CU_ASSERT_FATAL(imap_arg_get_list(&a[0], &l, &ln));
    CU_ASSERT_EQUAL(status_items_parse(l, ln, &items, &err), -1);
}

/* teardown - free the last parser */
static void teardown(void)
{
    imap_parser_free(&parser);
}

const char *cunit_suite_name = "list_opts";
CU_TestInfo cunit_tests[] = {
    { "basic", test_basic },
    { "extended", test_extended },
    { "return", test_return },
    { "status_items", test_status_items },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = teardown;
