/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/subs.c - unit tests for imap/subs.c on each backend, selected
 * through a generated imapd.conf (subscription_db).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cunit/harness.h"
#include "imap/subs.h"
#include "lib/cfg.h"
#include "lib/db.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

static const char *const backends[] = { "flat", "berkeley" };
#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

/* use_backend - imapd.conf for be in a fresh directory, loaded */
static void use_backend(const char *test, const char *be)
{
    char dir[2048], conf[4096];
    const char *err = NULL;
    FILE *f;

    snprintf(dir, sizeof(dir), "%s/%s-%s", cunit_tmpdir(), test, be);
    mkdir(dir, 0700);
    snprintf(conf, sizeof(conf), "%s/imapd.conf", dir);
    f = fopen(conf, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "configdirectory: %s\nsubscription_db: %s\n", dir, be);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(cfg_load(conf, NULL, &err), 1);
}

/* list - the subscriptions of user joined with ';' (static) */
static const char *list(const char *user)
{
    static char *s;
    struct strarray sa = STRARRAY_INIT;

    free(s);
    CU_ASSERT_EQUAL(subs_list(user, &sa), SUBS_OK);
    s = strarray_join(&sa, ";");
    strarray_fini(&sa);
    return s ? s : "";
}

static void test_add_remove_list(void)
{
    for (size_t i = 0; i < NBACKENDS; i++) {
        use_backend("basic", backends[i]);
        CU_ASSERT_STRING_EQUAL(list("fred"), "");
        CU_ASSERT_EQUAL(subs_is_subscribed("fred", "shared"), 0);
        CU_ASSERT_EQUAL(subs_remove("fred", "shared"), SUBS_NOTFOUND);
        CU_ASSERT_EQUAL(subs_add("fred", "user.fred.Sent"), SUBS_OK);
        CU_ASSERT_EQUAL(subs_add("fred", "shared"), SUBS_OK);
        CU_ASSERT_EQUAL(subs_add("fred", "user.fred"), SUBS_OK);
        CU_ASSERT_EQUAL(subs_add("fred", "shared"), SUBS_OK); /* again */
        CU_ASSERT_EQUAL(subs_add("fred", "a..b"), SUBS_BADNAME);
        CU_ASSERT_EQUAL(subs_add("../etc", "shared"), SUBS_BADUSER);
        CU_ASSERT_EQUAL(subs_add("joe@example.com", "example.com!shared"),
                        SUBS_OK);
        CU_ASSERT_STRING_EQUAL(list("fred"), "shared;user.fred;user.fred.Sent");
        CU_ASSERT_STRING_EQUAL(list("joe@example.com"), "example.com!shared");
        CU_ASSERT_EQUAL(subs_is_subscribed("fred", "shared"), 1);
        CU_ASSERT_EQUAL(subs_remove("fred", "shared"), SUBS_OK);
        CU_ASSERT_EQUAL(subs_remove("fred", "shared"), SUBS_NOTFOUND);
        CU_ASSERT_EQUAL(subs_is_subscribed("fred", "shared"), 0);
        CU_ASSERT_STRING_EQUAL(list("fred"), "user.fred;user.fred.Sent");
    }
}

static void test_rename(void)
{
    for (size_t i = 0; i < NBACKENDS; i++) {
        unsigned long n = 99;

        use_backend("rename", backends[i]);
        subs_add("fred", "user.fred.work");
        subs_add("fred", "user.fred.work.2020");
        subs_add("fred", "user.fred.work.2020.q1");
        subs_add("fred", "user.fred.workshop");
        subs_add("fred", "user.fred.zzz");
        CU_ASSERT_EQUAL(subs_rename_mailbox("fred", "user.fred.work",
                                            "user.fred.old.work", &n), SUBS_OK);
        CU_ASSERT_EQUAL(n, 3);
        CU_ASSERT_STRING_EQUAL(list("fred"),
                               "user.fred.old.work;user.fred.old.work.2020;"
                               "user.fred.old.work.2020.q1;"
                               "user.fred.workshop;user.fred.zzz");
        /* only children subscribed (not the mailbox itself) */
        CU_ASSERT_EQUAL(subs_rename_mailbox("fred", "user.fred.old",
                                            "user.fred.new", &n), SUBS_OK);
        CU_ASSERT_EQUAL(n, 3);
        CU_ASSERT_STRING_EQUAL(list("fred"),
                               "user.fred.new.work;user.fred.new.work.2020;"
                               "user.fred.new.work.2020.q1;"
                               "user.fred.workshop;user.fred.zzz");
        CU_ASSERT_EQUAL(subs_rename_mailbox("fred", "user.fred.none",
                                            "user.fred.x", &n), SUBS_OK);
        CU_ASSERT_EQUAL(n, 0);
        CU_ASSERT_EQUAL(subs_rename_mailbox("fred", "user.fred.zzz", "a..b",
                                            &n), SUBS_BADNAME);
        CU_ASSERT_EQUAL(subs_rename_mailbox("nobody", "a", "b", &n), SUBS_OK);
        /* users */
        CU_ASSERT_EQUAL(subs_add("bob", "shared"), SUBS_OK);
        CU_ASSERT_EQUAL(subs_rename_user("fred", "bob"), SUBS_EXISTS);
        CU_ASSERT_EQUAL(subs_rename_user("fred", "frederic"), SUBS_OK);
        CU_ASSERT_STRING_EQUAL(list("fred"), "");
        CU_ASSERT_STRING_EQUAL(list("frederic"),
                               "user.fred.new.work;user.fred.new.work.2020;"
                               "user.fred.new.work.2020.q1;"
                               "user.fred.workshop;user.fred.zzz");
        CU_ASSERT_EQUAL(subs_delete_user("frederic"), SUBS_OK);
        CU_ASSERT_EQUAL(subs_delete_user("frederic"), SUBS_OK);
        CU_ASSERT_STRING_EQUAL(list("frederic"), "");
    }
}

static void setup(void)
{
    char envdir[4096];
    snprintf(envdir, sizeof(envdir), "%s/dbenv", cunit_tmpdir());
    db_init(envdir, 0);
}

static void teardown(void)
{
    db_done();
}

const char *cunit_suite_name = "subs";
CU_TestInfo cunit_tests[] = {
    { "add_remove_list", test_add_remove_list },
    { "rename", test_rename },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = teardown;
