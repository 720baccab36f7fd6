/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/mupdate_reconcile.c - unit tests for mupdate/mupdate_reconcile.c:
 * every rule of the startup resync over small local/master lists. */
#include "config.h"

#include <string.h>

#include "cunit/harness.h"
#include "lib/buf.h"
#include "mupdate/mupdate_reconcile.h"

#define HERE "be1.example"
#define ACL "alice\tlrswipkxtea\t"

/* L - a local entry */
#define L(n, part, acl) { n, NULL, part, acl, 0 }
/* LR - a local reserved entry (unfinished CREATE) */
#define LR(n) { n, NULL, "default", "", 1 }
/* M - a master MAILBOX entry */
#define M(n, srv, part, acl) { n, srv, part, acl, 0 }
/* MR - a master RESERVE entry */
#define MR(n, srv) { n, srv, "default", NULL, 1 }

/* record_cb - "op name;" for each decision into a buf */
static int record_cb(void *rock, enum reconcile_op op,
                     const struct reconcile_entry *l,
                     const struct reconcile_entry *m)
{
    buf_printf(rock, "%s %s;", mupdate_reconcile_op_name(op),
               l ? l->name : m->name);
    return 0;
}

/* run - the decisions as text */
static const char *run(const struct reconcile_entry *l, size_t nl,
                       const struct reconcile_entry *m, size_t nm, int flags)
{
    static struct buf out;

    buf_reset(&out);
    CU_ASSERT_EQUAL(mupdate_reconcile(l, nl, m, nm, HERE, flags, record_cb,
                                      &out), 0);
    return buf_cstring(&out);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_in_sync(void)
{
    struct reconcile_entry l[] = { L("a", "default", ACL), L("b", "p2", "") };
    struct reconcile_entry m[] = { M("a", HERE, "default", ACL),
                                   M("b", "BE1.example", "p2", "") };

    CU_ASSERT_STRING_EQUAL(run(l, N(l), m, N(m), 0), "");
    CU_ASSERT_STRING_EQUAL(run(NULL, 0, NULL, 0, 0), "");
}

static void test_rule1_push(void)
{
    struct reconcile_entry l[] = { L("a", "default", ACL),
                                   L("b", "default", ACL),
                                   L("c", "default", ACL),
                                   L("d", "default", ACL) };
    struct reconcile_entry m[] = { MR("b", HERE),                 /* crash */
                                   M("c", HERE, "other", ACL),    /* moved */
                                   M("d", HERE, "default", "") }; /* ACL */

    CU_ASSERT_STRING_EQUAL(run(l, N(l), m, N(m), 0),
                           "push a;push b;push c;push d;");
    CU_ASSERT_STRING_EQUAL(run(l, N(l), m, N(m), RECONCILE_ADD_ONLY),
                           "push a;push b;push c;push d;");
}

static void test_rule2_unpush(void)
{
    struct reconcile_entry l[] = { L("b", "default", ACL) };
    struct reconcile_entry m[] = { M("a", HERE, "default", ACL),
                                   M("b", HERE, "default", ACL),
                                   MR("c", HERE),
                                   M("d", "be2.example", "default", ACL) };

    CU_ASSERT_STRING_EQUAL(run(l, N(l), m, N(m), 0), "unpush a;unpush c;");
    /* -a: never remove from the master */
    CU_ASSERT_STRING_EQUAL(run(l, N(l), m, N(m), RECONCILE_ADD_ONLY), "");
}

static void test_rule3_conflict(void)
{
    struct reconcile_entry l[] = { L("a", "default", ACL),
                                   L("b", "default", ACL) };
    struct reconcile_entry m[] = { M("a", "be2.example", "default", ACL),
                                   MR("b", "be3.example") };

    CU_ASSERT_STRING_EQUAL(run(l, N(l), m, N(m), 0),
                           "conflict a;conflict b;");
    CU_ASSERT_STRING_EQUAL(run(l, N(l), m, N(m), RECONCILE_ADD_ONLY),
                           "conflict a;conflict b;");
}

static void test_reserved_local(void)
{
    /* crash after the local reserved entry: nothing on the master; after
     * RESERVE: our reservation; a name someone else holds */
    struct reconcile_entry l[] = { LR("a"), LR("b"), LR("c") };
    struct reconcile_entry m[] = { MR("b", HERE),
                                   M("c", "be2.example", "default", ACL) };

    CU_ASSERT_STRING_EQUAL(run(l, N(l), m, N(m), 0),
                           "abandon a;abandon b;unpush b;abandon c;");
    CU_ASSERT_STRING_EQUAL(run(l, N(l), m, N(m), RECONCILE_ADD_ONLY),
                           "abandon a;abandon b;abandon c;");
}

static void test_merge_order(void)
{
    /* interleaved names, byte order ("a.b" < "a.c" < "ab") */
    struct reconcile_entry l[] = { L("a.b", "default", ACL),
                                   L("ab", "default", ACL),
                                   L("z", "default", ACL) };
    struct reconcile_entry m[] = { M("a", HERE, "default", ACL),
                                   M("a.c", HERE, "default", ACL),
                                   M("ab", HERE, "default", ACL),
                                   M("y", "be2.example", "default", ACL) };

    CU_ASSERT_STRING_EQUAL(run(l, N(l), m, N(m), 0),
                           "unpush a;push a.b;unpush a.c;push z;");
}

/* stop_cb - stop at the second decision */
static int stop_cb(void *rock, enum reconcile_op op,
                   const struct reconcile_entry *l,
                   const struct reconcile_entry *m)
{
    int *n = rock;

    (void)op;
    (void)l;
    (void)m;
    return ++*n == 2 ? -3 : 0;
}

static void test_stop(void)
{
    struct reconcile_entry l[] = { L("a", "default", ""),
                                   L("b", "default", ""),
                                   L("c", "default", "") };
    int n = 0;

    CU_ASSERT_EQUAL(mupdate_reconcile(l, N(l), NULL, 0, HERE, 0, stop_cb, &n),
                    -3);
    CU_ASSERT_EQUAL(n, 2);
}

const char *cunit_suite_name = "mupdate_reconcile";
CU_TestInfo cunit_tests[] = {
    { "in_sync", test_in_sync },
    { "rule1_push", test_rule1_push },
    { "rule2_unpush", test_rule2_unpush },
    { "rule3_conflict", test_rule3_conflict },
    { "reserved_local", test_reserved_local },
    { "merge_order", test_merge_order },
    { "stop", test_stop },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
