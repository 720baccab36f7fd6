/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/fetch_items.c - unit tests for imap/fetch_items.c: the FETCH item
 * list and modifiers, parsed from what the real command parser (fed one
 * byte at a time) makes of "a FETCH 1 <items> [<mods>]", and the section
 * spec canonicalisation.
 */
#include "config.h"

#include <string.h>

#include "cunit/harness.h"
#include "imap/fetch_items.h"
#include "lib/buf.h"
#include "lib/imap_parser.h"

/* plan_of - parse "a FETCH 1 <rest>" and run fetch_plan_parse on it:
 * its result; *err_r gets the error text */
static int plan_of(const char *rest, bool uid, struct fetch_plan *plan,
                   const char **err_r)
{
    struct imap_parser_limits l;
    struct imap_parser *p;
    struct buf line = BUF_INIT;
    const struct imap_arg *a;
    size_t n;
    int r = IMAP_PARSER_NEED_MORE, res;

    imap_parser_limits_preauth(&l);
    l.max_line = 65536;
    l.max_args = 1000;
    l.max_nesting = 4;
    p = imap_parser_new(&l);
    buf_printf(&line, "a FETCH 1 %s\r\n", rest);
    for (size_t i = 0; i < line.len; i++) {
        size_t used = 0;
        CU_ASSERT_EQUAL(r, IMAP_PARSER_NEED_MORE);
        r = imap_parser_feed(p, line.s + i, 1, &used);
    }
    CU_ASSERT_EQUAL_FATAL(r, IMAP_PARSER_DONE);
    a = imap_parser_args(p, &n);
    CU_ASSERT_FATAL(n >= 2);
    *err_r = NULL;
    res = fetch_plan_parse(&a[1], n > 2 ? &a[2] : NULL, uid, plan, err_r);
    /* the plan must not point into the parser's arena */
    imap_parser_free(&p);
    buf_free(&line);
    return res;
}

static void test_macros(void)
{
    struct fetch_plan plan;
    const char *err;

    CU_ASSERT_EQUAL(plan_of("FAST", false, &plan, &err), 1);
    CU_ASSERT_EQUAL(plan.items,
                    FETCH_FLAGS | FETCH_INTERNALDATE | FETCH_RFC822_SIZE);
    fetch_plan_fini(&plan);
    CU_ASSERT_EQUAL(plan_of("all", false, &plan, &err), 1);
    CU_ASSERT_EQUAL(plan.items, FETCH_FLAGS | FETCH_INTERNALDATE |
                                    FETCH_RFC822_SIZE | FETCH_ENVELOPE);
    fetch_plan_fini(&plan);
    CU_ASSERT_EQUAL(plan_of("FULL", true, &plan, &err), 1);
    CU_ASSERT_EQUAL(plan.items, FETCH_FLAGS | FETCH_INTERNALDATE |
                                    FETCH_RFC822_SIZE | FETCH_ENVELOPE |
                                    FETCH_BODY | FETCH_UID);
    CU_ASSERT_EQUAL(plan.nsections, 0);
    fetch_plan_fini(&plan);
    /* macros are not items: not inside a list */
    CU_ASSERT_EQUAL(plan_of("(FAST)", false, &plan, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(err);
}

static void test_simple(void)
{
    struct fetch_plan plan;
    const char *err;

    CU_ASSERT_EQUAL(plan_of("(uid Flags RFC822.SIZE envelope BODYSTRUCTURE "
                            "body MODSEQ INTERNALDATE)", false, &plan, &err), 1);
    CU_ASSERT_EQUAL(plan.items, FETCH_UID | FETCH_FLAGS | FETCH_RFC822_SIZE |
                                    FETCH_ENVELOPE | FETCH_BODYSTRUCTURE |
                                    FETCH_BODY | FETCH_MODSEQ |
                                    FETCH_INTERNALDATE);
    CU_ASSERT_FALSE(plan.sets_seen);
    fetch_plan_fini(&plan);
    CU_ASSERT_EQUAL(plan_of("FLAGS", true, &plan, &err), 1);
    CU_ASSERT_EQUAL(plan.items, FETCH_FLAGS | FETCH_UID);
    fetch_plan_fini(&plan);
    CU_ASSERT_EQUAL(plan_of("()", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("(FLAGS BOGUS)", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("\"FLAGS\"", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("BODY.PEEK", false, &plan, &err), -1);
}

static void test_sections(void)
{
    struct fetch_plan plan;
    const char *err;

    CU_ASSERT_EQUAL(plan_of("(BODY.PEEK[HEADER.FIELDS (from \"To\")] "
                            "body[1.2.mime] BINARY.PEEK[2]<0.10> "
                            "BINARY.SIZE[1] RFC822.HEADER BODY[]<5.7>)",
                            false, &plan, &err), 1);
    CU_ASSERT_EQUAL_FATAL(plan.nsections, 6);
    CU_ASSERT_STRING_EQUAL(plan.sections[0].spec, "HEADER.FIELDS (FROM TO)");
    CU_ASSERT_STRING_EQUAL(plan.sections[0].name,
                           "BODY[HEADER.FIELDS (FROM TO)]");
    CU_ASSERT_TRUE(plan.sections[0].peek);
    CU_ASSERT_STRING_EQUAL(plan.sections[1].name, "BODY[1.2.MIME]");
    CU_ASSERT_FALSE(plan.sections[1].peek);
    CU_ASSERT_EQUAL(plan.sections[2].kind, FETCH_SEC_BINARY);
    CU_ASSERT_STRING_EQUAL(plan.sections[2].name, "BINARY[2]");
    CU_ASSERT_TRUE(plan.sections[2].partial);
    CU_ASSERT_EQUAL(plan.sections[2].origin, 0);
    CU_ASSERT_EQUAL(plan.sections[2].count, 10);
    CU_ASSERT_EQUAL(plan.sections[3].kind, FETCH_SEC_BINARY_SIZE);
    CU_ASSERT_STRING_EQUAL(plan.sections[3].name, "BINARY.SIZE[1]");
    CU_ASSERT_STRING_EQUAL(plan.sections[4].name, "RFC822.HEADER");
    CU_ASSERT_STRING_EQUAL(plan.sections[4].spec, "HEADER");
    CU_ASSERT_TRUE(plan.sections[4].peek);
    CU_ASSERT_STRING_EQUAL(plan.sections[5].name, "BODY[]");
    CU_ASSERT_EQUAL(plan.sections[5].origin, 5);
    CU_ASSERT_TRUE(plan.sets_seen);
    fetch_plan_fini(&plan);

    CU_ASSERT_EQUAL(plan_of("RFC822", false, &plan, &err), 1);
    CU_ASSERT_TRUE(plan.sets_seen);
    fetch_plan_fini(&plan);
    /* malformed sections and partials */
    CU_ASSERT_EQUAL(plan_of("BODY[0]", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("BODY[1.]", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("BODY[MIME]", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("BODY[HEADER.FIELDS ()]", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("BODY[TEXT]<1>", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("BODY[TEXT]<1.0>", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("BINARY[TEXT]", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("BINARY.SIZE[1]<0.5>", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("BOD[1]", false, &plan, &err), -1);
}

static void test_modifiers(void)
{
    struct fetch_plan plan;
    const char *err;

    CU_ASSERT_EQUAL(plan_of("FLAGS (CHANGEDSINCE 12345)", false, &plan, &err), 1);
    CU_ASSERT_TRUE(plan.changedsince_set);
    CU_ASSERT_EQUAL(plan.changedsince, 12345);
    CU_ASSERT(plan.items & FETCH_MODSEQ);
    fetch_plan_fini(&plan);
    CU_ASSERT_EQUAL(plan_of("FLAGS (CHANGEDSINCE 5 VANISHED)", true, &plan,
                            &err), 1);
    CU_ASSERT_TRUE(plan.vanished);
    fetch_plan_fini(&plan);
    /* VANISHED only with UID FETCH and CHANGEDSINCE */
    CU_ASSERT_EQUAL(plan_of("FLAGS (CHANGEDSINCE 5 VANISHED)", false, &plan,
                            &err), -1);
    CU_ASSERT_EQUAL(plan_of("FLAGS (VANISHED)", true, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("FLAGS (CHANGEDSINCE x)", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("FLAGS (CHANGEDSINCE 0)", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("FLAGS (FOO 1)", false, &plan, &err), -1);
    CU_ASSERT_EQUAL(plan_of("FLAGS ()", false, &plan, &err), -1);
}

static void test_canon(void)
{
    struct buf b = BUF_INIT;
    const char *err;

    CU_ASSERT_EQUAL(fetch_section_canon("", 0, false, &b, &err), 1);
    CU_ASSERT_EQUAL(b.len, 0);
    CU_ASSERT_EQUAL(fetch_section_canon("2.header.fields.not (X-a)", 25, false,
                                        &b, &err), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "2.HEADER.FIELDS.NOT (X-A)");
    buf_reset(&b);
    CU_ASSERT_EQUAL(fetch_section_canon("3.1", 3, true, &b, &err), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "3.1");
    buf_reset(&b);
    CU_ASSERT_EQUAL(fetch_section_canon("1.TEXT", 6, true, &b, &err), -1);
    CU_ASSERT_EQUAL(fetch_section_canon("HEADER ", 7, false, &b, &err), -1);
    CU_ASSERT_EQUAL(fetch_section_canon("99999999999", 11, false, &b, &err), -1);
    buf_free(&b);
}

const char *cunit_suite_name = "fetch_items";
CU_TestInfo cunit_tests[] = {
    { "macros", test_macros },
    { "simple", test_simple },
    { "sections", test_sections },
    { "modifiers", test_modifiers },
    { "canon", test_canon },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
