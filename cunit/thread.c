/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/thread.c - unit tests for imap/thread.c and imap/thread_subject.c:
 * RFC 5256 base subjects, msg-id parsing, ORDEREDSUBJECT, REFERENCES */
#include "config.h"

#include <string.h>

#include "cunit/harness.h"
#include "imap/thread.h"

/* base - check the base subject and the reply marker of s */
static void base(const char *s, const char *want, bool want_reply)
{
    struct buf out = BUF_INIT;
    bool reply = thread_base_subject(s, &out);

    if (strcmp(buf_cstring(&out), want) || reply != want_reply)
        fprintf(stderr, "\n<%s>: got <%s> %d\n", s ? s : "(null)", out.s, reply);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), want);
    CU_ASSERT_EQUAL(reply, want_reply);
    buf_free(&out);
}

static void test_base_subject(void)
{
    base(NULL, "", false);
    base("", "", false);
    base("Hello", "HELLO", false);
    base("  hello \t  world  ", "HELLO WORLD", false);
    base("Re: Hello", "HELLO", true);
    base("RE: re: Fwd: hello (fwd)", "HELLO", true);
    base("hello (fwd) (FWD)  ", "HELLO", true);
    base("re :x", "X", true);
    base("Re[2]: foo", "FOO", true);
    base("Fw: x", "X", true);
    base("Ref: x", "REF: X", false);
    base("[list] Re: topic", "TOPIC", true);
    base("[list] topic", "TOPIC", false);
    base("[list]", "[LIST]", false);
    base("[a][b] c", "C", false);
    base("[Fwd: Re: foo]", "FOO", true);
    base("Re: [fwd: [list] Re: hi]", "HI", true);
    base("[fwd: x", "[FWD: X", false);
    base("Re:", "", true);
    base("re: re: re", "RE", true);
    base("\xC3\xA9t\xC3\xA9 re: x", "\xC3\xA9T\xC3\xA9 RE: X", false);
}

static void test_msgids(void)
{
    struct strarray ids = STRARRAY_INIT;

    thread_msgids("<a@b> (comment) <\"x y\"@c>\r\n <d @ e> <broken", 0, &ids);
    CU_ASSERT_EQUAL(ids.count, 3);
    CU_ASSERT_STRING_EQUAL(strarray_nth(&ids, 0), "<a@b>");
    CU_ASSERT_STRING_EQUAL(strarray_nth(&ids, 1), "<x y@c>");
    CU_ASSERT_STRING_EQUAL(strarray_nth(&ids, 2), "<d@e>");
    strarray_fini(&ids);
    thread_msgids("<\"01KF8JCEOCBS0045PS\"@xxx.yyy.com>", 1, &ids);
    CU_ASSERT_STRING_EQUAL(strarray_nth(&ids, 0), "<01KF8JCEOCBS0045PS@xxx.yyy.com>");
    strarray_fini(&ids);
    thread_msgids("<> <<x@y>", 0, &ids);
    CU_ASSERT_EQUAL(ids.count, 1);
    strarray_fini(&ids);
}

/* One synthetic message: id, date, subject, Message-ID, References,
 * In-Reply-To. */
struct spec {
    uint32_t id;
    int64_t date;
    const char *subject, *msgid, *refs, *irt;
};

/* run - thread specs[0..n) with algorithm refs (1) or orderedsubject */
static void run(const struct spec *specs, size_t n, int refs, const char *want)
{
    struct thread_msg msgs[32];
    struct buf out = BUF_INIT;

    memset(msgs, 0, sizeof(msgs));
    for (size_t i = 0; i < n; i++) {
        msgs[i].id = specs[i].id;
        msgs[i].msgno = (uint32_t)i + 1;
        msgs[i].sentdate = specs[i].date;
        thread_msg_set(&msgs[i], specs[i].subject, specs[i].msgid,
                       specs[i].refs, specs[i].irt);
    }
    if (refs)
        thread_references(msgs, n, &out);
    else
        thread_orderedsubject(msgs, n, &out);
    if (strcmp(buf_cstring(&out), want))
        fprintf(stderr, "\ngot  %s\nwant %s\n", out.s, want);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), want);
    thread_msgs_fini(msgs, n);
    buf_free(&out);
}

static void test_orderedsubject(void)
{
    static const struct spec s[] = {
        { 1, 300, "a", NULL, NULL, NULL },
        { 2, 100, "Re: a", NULL, NULL, NULL },
        { 3, 200, "b", NULL, NULL, NULL },
        { 4, 400, "A", NULL, NULL, NULL },
        { 5, 50, "c", NULL, NULL, NULL },
        { 6, 250, "[x] b", NULL, NULL, NULL },
    };
    run(s, 6, 0, "(5)(2 (1)(4))(3 6)");
    run(s, 0, 0, "");
}

static void test_references_chain(void)
{
    static const struct spec s[] = {
        { 1, 100, "a", "<1@x>", NULL, NULL },
        { 2, 200, "Re: a", "<2@x>", "<1@x>", NULL },
        { 3, 300, "Re: a", "<3@x>", "<1@x> <2@x>", NULL },
        { 4, 250, "Re: a", "<4@x>", NULL, "<1@x> fred's message" },
    };
    run(s, 4, 1, "(1 (2 3)(4))");
}

static void test_references_missing(void)
{
    static const struct spec s[] = {
        { 5, 500, "b", "<5@x>", "<missing@x>", NULL },
        { 6, 600, "c", "<6@x>", "<missing@x>", NULL },
        { 7, 700, "d", "<7@x>", "<missing2@x>", NULL },
        /* a truncated References: 9's parent is 8 even though the
         * reference chain says 10 -> 8 */
        { 8, 800, "e", "<8@x>", NULL, NULL },
        { 9, 900, "e", "<9@x>", "<10@x> <8@x>", NULL },
    };
    run(s, 5, 1, "((5)(6))(7)(8 9)");
    /* a dummy below a message is always replaced by its children */
    static const struct spec t[] = {
        { 1, 100, "p", "<p@x>", NULL, NULL },
        { 2, 200, "q", "<q@x>", "<p@x> <gone@x>", NULL },
        { 3, 300, "r", "<r@x>", "<p@x> <gone@x>", NULL },
        { 4, 400, "s", "<s@x>", "<p@x>", NULL },
    };
    run(t, 4, 1, "(1 (2)(3)(4))");
}

static void test_references_loops(void)
{
    static const struct spec s[] = {
        { 1, 100, "l", "<8@x>", "<9@x>", NULL },
        { 2, 200, "l", "<9@x>", "<8@x>", NULL },
        { 3, 300, "self", "<s@x>", "<s@x>", NULL },
        { 4, 400, "m", "<a@x>", "<b@x> <c@x> <b@x>", NULL },
    };
    run(s, 4, 1, "(2 1)(3)(4)");
}

static void test_references_subjects(void)
{
    static const struct spec s[] = {
        { 1, 100, "hello", "<1@y>", NULL, NULL },
        { 2, 200, "Re: hello", "<2@y>", NULL, NULL },
        { 3, 300, "same", "<3@y>", NULL, NULL },
        { 4, 400, "same", "<4@y>", NULL, NULL },
        /* a duplicate Message-ID is made unique: 6 refers to 5 */
        { 5, 500, "dup", "<d@y>", NULL, NULL },
        { 6, 600, "other", "<d@y>", NULL, NULL },
        { 7, 700, "x", "<7@y>", "<d@y>", NULL },
        /* no subject: never merged */
        { 8, 50, "", NULL, NULL, NULL },
        { 9, 60, "", NULL, NULL, NULL },
    };
    run(s, 9, 1, "(8)(9)(1 2)((3)(4))(5 7)(6)");
}

const char *cunit_suite_name = "thread";
CU_TestInfo cunit_tests[] = {
    { "base_subject", test_base_subject },
    { "msgids", test_msgids },
    { "orderedsubject", test_orderedsubject },
    { "references_chain", test_references_chain },
    { "references_missing", test_references_missing },
    { "references_loops", test_references_loops },
    { "references_subjects", test_references_subjects },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
