/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/namespace.c - unit tests for imap/namespace.c (RFC 2342) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cunit/harness.h"
#include "imap/namespace.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/log.h"

/* response - the NAMESPACE data for one configuration (static storage) */
static const char *response(int alt, int unixsep, int isadmin,
                            int other, int shared)
{
    static char out[256];
    struct namespace ns;
    struct buf b = BUF_INIT;

    CU_ASSERT_FATAL(namespace_init(&ns, alt, unixsep, 0, isadmin, NULL, NULL,
                                   NULL, NULL) == 1);
    namespace_response(&ns, other, shared, &b);
    snprintf(out, sizeof(out), "%s", buf_cstring(&b));
    buf_free(&b);
    return out;
}

static void test_response(void)
{
    CU_ASSERT_STRING_EQUAL(response(0, 0, 0, 1, 1),
                           "((\"INBOX.\" \".\")) ((\"user.\" \".\")) ((\"\" \".\"))");
    CU_ASSERT_STRING_EQUAL(response(0, 1, 0, 1, 1),
                           "((\"INBOX/\" \"/\")) ((\"user/\" \"/\")) ((\"\" \"/\"))");
    CU_ASSERT_STRING_EQUAL(response(1, 0, 0, 1, 1),
                           "((\"\" \".\")) ((\"Other Users.\" \".\")) "
                           "((\"Shared Folders.\" \".\"))");
    CU_ASSERT_STRING_EQUAL(response(1, 1, 0, 1, 1),
                           "((\"\" \"/\")) ((\"Other Users/\" \"/\")) "
                           "((\"Shared Folders/\" \"/\"))");
    /* admins get the standard namespace even with altnamespace */
    CU_ASSERT_STRING_EQUAL(response(1, 1, 1, 1, 1),
                           "((\"INBOX/\" \"/\")) ((\"user/\" \"/\")) ((\"\" \"/\"))");
    CU_ASSERT_STRING_EQUAL(response(1, 1, 0, 0, 0),
                           "((\"\" \"/\")) NIL NIL");
    CU_ASSERT_STRING_EQUAL(response(0, 0, 0, 1, 0),
                           "((\"INBOX.\" \".\")) ((\"user.\" \".\")) NIL");
}

static void test_prefix(void)
{
    struct namespace ns;
    struct buf b = BUF_INIT;

    CU_ASSERT_EQUAL(namespace_init(&ns, 1, 1, 0, 0, "Others", "Public &- x",
                                   NULL, NULL), 1);
    CU_ASSERT_STRING_EQUAL(namespace_prefix(&ns, NAMESPACE_PERSONAL, &b), "");
    CU_ASSERT_STRING_EQUAL(namespace_prefix(&ns, NAMESPACE_OTHER, &b), "Others/");
    CU_ASSERT_STRING_EQUAL(namespace_prefix(&ns, NAMESPACE_SHARED, &b),
                           "Public &- x/");
    buf_reset(&b);
    namespace_response(&ns, 1, 1, &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "((\"\" \"/\")) ((\"Others/\" \"/\")) "
                                            "((\"Public &- x/\" \"/\"))");
    buf_free(&b);
}

static void test_init_errors(void)
{
    static const char *const bad[] = {
        "", "a/b", "a\"b", "a\\b", "a%b", "a*b", "inbox", "&APx-", "a\x01",
        "x123456789x123456789x123456789x123456789x123456789x123456789x1234",
    };
    struct namespace ns;
    const char *err;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err = NULL;
        CU_ASSERT_EQUAL(namespace_init(&ns, 1, 1, 0, 0, bad[i], NULL, NULL,
                                       &err), -1);
        CU_ASSERT_PTR_NOT_NULL(err);
        CU_ASSERT_EQUAL(namespace_init(&ns, 1, 1, 0, 0, NULL, bad[i], NULL,
                                       NULL), -1);
    }
    /* the separator of the other configuration is fine */
    CU_ASSERT_EQUAL(namespace_init(&ns, 1, 0, 0, 0, "a/b", NULL, NULL, NULL), 1);
    CU_ASSERT_EQUAL(namespace_init(&ns, 1, 0, 0, 0, "a.b", NULL, NULL, NULL), -1);
    CU_ASSERT_EQUAL(namespace_init(&ns, 1, 1, 0, 0, "X", "X", NULL, NULL), -1);
    CU_ASSERT_EQUAL(namespace_init(&ns, 1, 1, 1, 0, NULL, NULL, "bad..dom",
                                   NULL), -1);
    CU_ASSERT_EQUAL(namespace_init(&ns, 1, 1, 1, 0, NULL, NULL, "Ex.COM",
                                   NULL), 1);
    CU_ASSERT_STRING_EQUAL(ns.defaultdomain, "ex.com");
    CU_ASSERT_STRING_EQUAL(ns.userprefix, "Other Users");
    CU_ASSERT_STRING_EQUAL(ns.sharedprefix, "Shared Folders");
}

/* load - write text to imapd.conf in the test dir and load it */
static void load(const char *text)
{
    char path[512];
    FILE *f;
    const char *err = NULL;

    snprintf(path, sizeof(path), "%s/imapd.conf", cunit_tmpdir());
    f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(cfg_load(path, "imap", &err), 1);
}

static void test_from_cfg(void)
{
    struct namespace ns;
    const char *err = NULL;

    log_set_file("/dev/null"); /* userprefix is not in the option table */
    cfg_reset();
    CU_ASSERT_EQUAL(namespace_init_from_cfg(&ns, 0, &err), 1);
    /* Cyrus 3 defaults: altnamespace and unixhierarchysep on */
    CU_ASSERT_EQUAL(ns.isalt, 1);
    CU_ASSERT_EQUAL(ns.sep, '/');
    CU_ASSERT_EQUAL(ns.virtdomains, 0);
    CU_ASSERT_EQUAL(namespace_init_from_cfg(&ns, 1, &err), 1);
    CU_ASSERT_EQUAL(ns.isalt, 0);

    load("altnamespace: 0\nunixhierarchysep: no\nvirtdomains: userid\n"
         "defaultdomain: Example.ORG\n");
    CU_ASSERT_EQUAL(namespace_init_from_cfg(&ns, 0, &err), 1);
    CU_ASSERT_EQUAL(ns.isalt, 0);
    CU_ASSERT_EQUAL(ns.sep, '.');
    CU_ASSERT_EQUAL(ns.virtdomains, 1);
    CU_ASSERT_STRING_EQUAL(ns.defaultdomain, "example.org");

    load("virtdomains: on\nuserprefix: Others\nsharedprefix: Public\n");
    CU_ASSERT_EQUAL(namespace_init_from_cfg(&ns, 0, &err), 1);
    CU_ASSERT_EQUAL(ns.virtdomains, 1);
    CU_ASSERT_STRING_EQUAL(ns.userprefix, "Others");
    CU_ASSERT_STRING_EQUAL(ns.sharedprefix, "Public");

    load("sharedprefix: a/b\n");
    err = NULL;
    CU_ASSERT_EQUAL(namespace_init_from_cfg(&ns, 0, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(err);
    cfg_reset();
    log_set_file(NULL);
}

const char *cunit_suite_name = "namespace";
void (*cunit_setup)(void);
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "response", test_response },
    { "prefix", test_prefix },
    { "init_errors", test_init_errors },
    { "from_cfg", test_from_cfg },
    CU_TEST_INFO_NULL,
};
