/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/lmtp_recipient.c - unit tests for lmtpd/lmtp_recipient.c: path
 * syntax (table-driven, valid and invalid), address splitting with
 * downcasing, and resolution against a real mailboxes.db in a temporary
 * configdirectory: INBOX, user+folder with and without the `p` right,
 * unknown users, postuser shared mailboxes, virtdomains, and the reply
 * text of every result.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cunit/harness.h"
#include "imap/mboxlist.h"
#include "lib/cfg.h"
#include "lib/xmalloc.h"
#include "lmtpd/lmtp_recipient.h"

const char *cunit_suite_name = "lmtp_recipient";

/* One path case: input, null allowed, expected address (NULL: error),
 * expected bytes used. */
struct path_case {
    const char *in;
    int allow_null;
    const char *addr;
    size_t used;
};

static const struct path_case path_cases[] = {
    { "<alice@example.com>", 0, "alice@example.com", 19 },
    { "<alice>", 0, "alice", 7 },
    { "<alice+Sent@x.org> SIZE=10", 0, "alice+Sent@x.org", 18 },
    { "<\"a b\"@x.org>", 0, "a b@x.org", 13 },
    { "<\"a\\\"b\"@x>", 0, "a\"b@x", 10 },
    { "<@relay.org:bob@x.org>", 0, "bob@x.org", 22 },
    { "<>", 1, "", 2 },
    { "<>", 0, NULL, 0 },
    { "alice@x.org", 0, NULL, 0 },
    { "<alice@x.org", 0, NULL, 0 },
    { "<alice@>", 0, NULL, 0 },
    { "<al ice@x>", 0, NULL, 0 },
    { "<\"unterminated@x>", 0, NULL, 0 },
    { "<a@b@c>", 0, NULL, 0 },
    { "", 0, NULL, 0 },
    { "<", 0, NULL, 0 },
};

static void test_path_parse(void)
{
    size_t i;

    for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
        const struct path_case *c = &path_cases[i];
        char *addr = NULL;
        const char *err = NULL;
        size_t used = 0;
        int r = lmtp_path_parse(c->in, strlen(c->in), c->allow_null, &addr,
                                &used, &err);
        if (c->addr) {
            CU_ASSERT_EQUAL(r, 1);
            if (r == 1) {
                CU_ASSERT_STRING_EQUAL(addr, c->addr);
                CU_ASSERT_EQUAL(used, c->used);
            }
        } else {
            CU_ASSERT_EQUAL(r, -1);
            CU_ASSERT_PTR_NOT_NULL(err);
        }
        free(addr);
    }
}

static void test_path_too_long(void)
{
    char in[LMTP_ADDRESS_MAX + 16];
    char *addr = NULL;
    const char *err = NULL;
    size_t used;

    memset(in, 'a', sizeof(in));
    in[0] = '<';
    in[sizeof(in) - 2] = '>';
    in[sizeof(in) - 1] = '\0';
    CU_ASSERT_EQUAL(lmtp_path_parse(in, strlen(in), 0, &addr, &used, &err), -1);
    CU_ASSERT_STRING_EQUAL(err, "Address too long");
}

static void test_split(void)
{
    struct lmtp_address a;

    CU_ASSERT_EQUAL(lmtp_address_split("Alice+Sent@Example.COM", 1, &a), 1);
    CU_ASSERT_STRING_EQUAL(a.user, "alice");
    CU_ASSERT_STRING_EQUAL(a.detail, "Sent");   /* the folder keeps its case */
    CU_ASSERT_STRING_EQUAL(a.domain, "example.com");
    lmtp_address_fini(&a);
    CU_ASSERT_EQUAL(lmtp_address_split("Bob", 0, &a), 1);
    CU_ASSERT_STRING_EQUAL(a.user, "Bob");
    CU_ASSERT_PTR_NULL(a.detail);
    CU_ASSERT_PTR_NULL(a.domain);
    lmtp_address_fini(&a);
    CU_ASSERT_EQUAL(lmtp_address_split("+shared.x", 1, &a), 1);
    CU_ASSERT_STRING_EQUAL(a.user, "");
    CU_ASSERT_STRING_EQUAL(a.detail, "shared.x");
    lmtp_address_fini(&a);
    CU_ASSERT_EQUAL(lmtp_address_split("", 1, &a), -1);
    CU_ASSERT_EQUAL(lmtp_address_split("x@", 1, &a), -1);
}

/* add - a mailboxes.db entry */
static void add(const char *name, const char *acl)
{
    struct mboxlist_entry *e = mboxlist_entry_new();

    e->name = xstrdup(name);
    e->partition = xstrdup("default");
    e->acl = xstrdup(acl);
    CU_ASSERT_EQUAL_FATAL(mboxlist_create(e), MBOXLIST_OK);
    mboxlist_entry_free(&e);
}

/* setup - a configdirectory with a few mailboxes; extra imapd.conf text */
static void setup_db(const char *test, const char *extra)
{
    char dir[2048], conf[4096];
    const char *err = NULL;
    FILE *f;

    mboxlist_close();
    snprintf(dir, sizeof(dir), "%s/%s", cunit_tmpdir(), test);
    mkdir(dir, 0700);
    snprintf(conf, sizeof(conf), "%s/imapd.conf", dir);
    f = fopen(conf, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "configdirectory: %s\nmboxlist_db: skiplist\n%s", dir, extra);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(cfg_load(conf, NULL, &err), 1);
    CU_ASSERT_EQUAL_FATAL(mboxlist_open(MBOXLIST_CREATE), MBOXLIST_OK);
}

/* resolve - result of address; *mbox_r gets the mailbox (or NULL) */
static int resolve(const char *address, char **mbox_r)
{
    struct lmtp_resolve_cfg rc;
    struct lmtp_recipient *r = NULL;
    const char *err = NULL;
    int res;

    CU_ASSERT_EQUAL_FATAL(lmtp_resolve_init_from_cfg(&rc, &err), 1);
    res = lmtp_recipient_resolve(&rc, address, &r);
    *mbox_r = r ? xstrdup(r->mailbox) : NULL;
    lmtp_recipient_free(&r);
    return res;
}

/* expect - address resolves to mailbox (or fails with result) */
static void expect(const char *address, int result, const char *mailbox)
{
    char *m = NULL;

    CU_ASSERT_EQUAL(resolve(address, &m), result);
    if (mailbox) {
        CU_ASSERT_PTR_NOT_NULL(m);
        if (m)
            CU_ASSERT_STRING_EQUAL(m, mailbox);
    } else {
        CU_ASSERT_PTR_NULL(m);
    }
    free(m);
}

static void test_resolve_user(void)
{
    setup_db("user", "");
    add("user.alice", "alice\tlrswipkxtea\t");
    add("user.alice.Lists", "alice\tlrswipkxtea\tanyone\tp\t");
    add("user.alice.Private", "alice\tlrswipkxtea\t");
    add("shared.news", "anyone\tp\t");
    add("shared.closed", "anyone\tlr\t");
    expect("alice@example.com", LMTP_RCPT_OK, "user.alice");
    expect("ALICE", LMTP_RCPT_OK, "user.alice");             /* downcased */
    expect("alice+Lists", LMTP_RCPT_OK, "user.alice.Lists");
    expect("alice+lists", LMTP_RCPT_OK, "user.alice");       /* folder case kept */
    expect("alice+Private", LMTP_RCPT_OK, "user.alice");     /* no p: INBOX */
    expect("alice+Nonexistent", LMTP_RCPT_OK, "user.alice");
    expect("bob", LMTP_RCPT_UNKNOWN, NULL);
    expect("bob+Lists", LMTP_RCPT_UNKNOWN, NULL);
    expect("+shared/news", LMTP_RCPT_OK, "shared.news");     /* postuser "" */
    expect("+shared/closed", LMTP_RCPT_NOPOST, NULL);
    expect("+shared/none", LMTP_RCPT_UNKNOWN, NULL);
    expect("", LMTP_RCPT_BADADDR, NULL);
    expect("a/b", LMTP_RCPT_UNKNOWN, NULL);                  /* invalid userid */
    mboxlist_close();
}

static void test_resolve_options(void)
{
    setup_db("opts", "lmtp_downcase_rcpt: no\npostuser: bb\n"
                     "unixhierarchysep: no\n");
    add("user.alice", "alice\tlrswipkxtea\t");
    add("shared.news", "anyone\tp\t");
    expect("ALICE", LMTP_RCPT_UNKNOWN, NULL);
    expect("alice", LMTP_RCPT_OK, "user.alice");
    expect("bb+shared.news", LMTP_RCPT_OK, "shared.news");
    expect("+shared.news", LMTP_RCPT_UNKNOWN, NULL);
    mboxlist_close();
}

static void test_resolve_virtdomains(void)
{
    setup_db("virt", "virtdomains: userid\ndefaultdomain: example.com\n");
    add("user.alice", "alice\tlrswipkxtea\t");
    add("example.org!user.alice", "alice@example.org\tlrswipkxtea\t");
    expect("alice@example.com", LMTP_RCPT_OK, "user.alice");
    expect("alice@Example.ORG", LMTP_RCPT_OK, "example.org!user.alice");
    expect("alice@example.net", LMTP_RCPT_UNKNOWN, NULL);
    mboxlist_close();
}

/* target - lmtp_recipient_target's name for address (NULL: none) */
static char *target(const char *address, int expect_r)
{
    struct lmtp_resolve_cfg rc;
    const char *err = NULL;
    char *name = NULL;

    CU_ASSERT_EQUAL_FATAL(lmtp_resolve_init_from_cfg(&rc, &err), 1);
    CU_ASSERT_EQUAL(lmtp_recipient_target(&rc, address, &name), expect_r);
    return name;
}

/* the mailbox an address is routed by, with no lookup (lmtpproxyd's
 * in-flight check): exists or not */
static void test_target(void)
{
    char *n;

    setup_db("target", "postuser: bb\n");
    n = target("Alice+Lists@example.com", 1);
    CU_ASSERT_STRING_EQUAL(n ? n : "", "user.alice");
    free(n);
    n = target("nobody", 1);
    CU_ASSERT_STRING_EQUAL(n ? n : "", "user.nobody");
    free(n);
    n = target("bb+shared/soon", 1);
    CU_ASSERT_STRING_EQUAL(n ? n : "", "shared.soon");
    free(n);
    CU_ASSERT_PTR_NULL(target("+x", 0));        /* empty user, not postuser */
    CU_ASSERT_PTR_NULL(target("a/b", 0));       /* invalid userid */
    CU_ASSERT_PTR_NULL(target("", -1));
    mboxlist_close();
}

static void test_replies(void)
{
    struct buf b = BUF_INIT;

    lmtp_rcpt_result_reply(LMTP_RCPT_OK, 0, &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "250 2.1.5 Ok");
    lmtp_rcpt_result_reply(LMTP_RCPT_UNKNOWN, 0, &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "550 5.1.1 User unknown");
    lmtp_rcpt_result_reply(LMTP_RCPT_OVERQUOTA, 0, &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "452 4.2.2 Over quota");
    lmtp_rcpt_result_reply(LMTP_RCPT_OVERQUOTA, 1, &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "552 5.2.2 Over quota");
    lmtp_rcpt_result_reply(LMTP_RCPT_TOOBIG, 0, &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "552 5.3.4 Message too big");
    lmtp_rcpt_result_reply(LMTP_RCPT_TEMPFAIL, 0, &b);
    CU_ASSERT_EQUAL(buf_cstring(&b)[0], '4');
    buf_free(&b);
}

CU_TestInfo cunit_tests[] = {
    { "path_parse", test_path_parse },
    { "path_too_long", test_path_too_long },
    { "split", test_split },
    { "resolve_user", test_resolve_user },
    { "resolve_options", test_resolve_options },
    { "resolve_virtdomains", test_resolve_virtdomains },
    { "target", test_target },
    { "replies", test_replies },
    CU_TEST_INFO_NULL
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
