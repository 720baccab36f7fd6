/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/mboxlist_util.c - helpers shared by the mboxlist unit tests (see
 * cunit/mboxlist_util.h): per-test configuration, entry construction and
 * the standard list.
 */
#include "config.h"

#include <stdio.h>
#include <sys/stat.h>

#include "cunit/harness.h"
#include "cunit/mboxlist_util.h"
#include "lib/cfg.h"
#include "lib/db.h"
#include "lib/xmalloc.h"

const char *const backends[NBACKENDS] = { "twoskip", "berkeley" };

char confpath[4096], cfgdir[2048];

/* use_backend - fresh configdirectory and imapd.conf for test and be,
 * loaded and with the list opened */
void use_backend(const char *test, const char *be)
{
    FILE *f;
    const char *err = NULL;

    mboxlist_close();
    snprintf(cfgdir, sizeof(cfgdir), "%s/%s-%s", cunit_tmpdir(), test, be);
    mkdir(cfgdir, 0700);
    snprintf(confpath, sizeof(confpath), "%s/imapd.conf", cfgdir);
    f = fopen(confpath, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "configdirectory: %s\nmboxlist_db: %s\n", cfgdir, be);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(cfg_load(confpath, NULL, &err), 1);
    CU_ASSERT_EQUAL_FATAL(mboxlist_open(MBOXLIST_CREATE), MBOXLIST_OK);
}

/* mk - a new entry (caller frees) */
struct mboxlist_entry *mk(const char *name, unsigned type, const char *part,
                          const char *server, const char *acl)
{
    struct mboxlist_entry *e = mboxlist_entry_new();
    e->name = xstrdup(name);
    e->type = type;
    e->partition = xstrdup(part);
    e->server = xstrdupnull(server);
    e->acl = xstrdup(acl);
    return e;
}

/* add - create a normal local entry with acl; asserts success */
void add(const char *name, const char *acl)
{
    struct mboxlist_entry *e = mk(name, 0, "default", NULL, acl);
    CU_ASSERT_EQUAL(mboxlist_create(e), MBOXLIST_OK);
    mboxlist_entry_free(&e);
}

/* fill_list - the standard list every search test runs over */
void fill_list(void)
{
    struct mboxlist_entry *e;

    add("user.fred", "fred\tlrswipkxtea\t");
    add("user.fred.Drafts", "fred\tlrswipkxtea\t");
    add("user.fred.Sent", "fred\tlrswipkxtea\t");
    add("user.fred.a.b.c", "fred\tlrswipkxtea\t"); /* no user.fred.a(.b) */
    add("user.fredrick", "fredrick\tlrswipkxtea\t");
    add("user.joe", "joe\tlrswipkxtea\tfred\tlr\t");
    add("user.joe.private", "joe\tlrswipkxtea\t");
    add("user.joe.private.shared", "joe\tlrswipkxtea\tfred\tlr\t");
    add("shared", "anyone\tlr\t");
    add("shared.news", "anyone\tlr\t-fred\tl\t");
    add("shared.tech", "group:staff\tlr\t");
    e = mk("shared.remote", MBTYPE_REMOTE, "p", "be2", "anyone\tlr\t");
    mboxlist_create(e);
    mboxlist_entry_free(&e);
    e = mk("shared.pending", MBTYPE_RESERVE, "p", NULL, "anyone\tlr\t");
    mboxlist_create(e);
    mboxlist_entry_free(&e);
    e = mk("shared.gone", MBTYPE_DELETED, "p", NULL, "anyone\tlr\t");
    mboxlist_create(e);
    mboxlist_entry_free(&e);
}

/* setup - join the environment */
void setup(void)
{
    char envdir[4096];
    snprintf(envdir, sizeof(envdir), "%s/dbenv", cunit_tmpdir());
    db_init(envdir, 0);
}

/* teardown - close the list, leave the environment */
void teardown(void)
{
    mboxlist_close();
    db_done();
}
