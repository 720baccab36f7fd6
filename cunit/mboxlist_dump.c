/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/mboxlist_dump.c - unit tests for dumping and loading the mailbox
 * list: mboxlist_dump/mboxlist_undump round trips, the one-partition
 * dump, bad input that loads nothing and names its line, and the
 * ctl_mboxlist binary (CTL_MBOXLIST, built first) with its exit codes.
 * Runs over each backend in `backends` (cunit/mboxlist_util.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cunit/harness.h"
#include "cunit/mboxlist_util.h"
#include "imap/mboxlist.h"
#include "lib/buf.h"
#include "lib/db.h"
#include "lib/xmalloc.h"

/* ---- dump / undump ---- */

/* slurp - a file's contents (static buffer) */
static const char *slurp(const char *path)
{
    static struct buf b = BUF_INIT;
    char tmp[4096];
    size_t n;
    FILE *f = fopen(path, "r");

    buf_reset(&b);
    if (!f)
        return "";
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        buf_appendmap(&b, tmp, n);
    fclose(f);
    return buf_cstring(&b);
}

static void test_dump_undump(void)
{
    const char *be;

    FOR_EACH_BACKEND(be) {
        char d1[4096], d2[4096];
        struct buf first = BUF_INIT;
        unsigned long count = 0, line = 0;
        const char *err = NULL;
        FILE *f;
        struct mboxlist_entry *e;

        use_backend("dump", be);
        fill_list();
        e = mk("user.fred.&AOQ-", 0, "default", NULL, "fred\tlrs\t");
        e->uniqueid = xstrdup("abc");
        e->uidvalidity = 42;
        e->created = 1;
        mboxlist_create(e);
        mboxlist_entry_free(&e);
        snprintf(d1, sizeof(d1), "%s/dump1", cfgdir);
        snprintf(d2, sizeof(d2), "%s/dump2", cfgdir);
        f = fopen(d1, "w");
        CU_ASSERT_EQUAL(mboxlist_dump(f, NULL), MBOXLIST_OK);
        fclose(f);
        buf_setcstr(&first, slurp(d1));
        CU_ASSERT_PTR_NOT_NULL(strstr(buf_cstring(&first),
                                      "user.fred.&AOQ-\t%M1 t=0: "
                                      "p=7:default a=9:fred\tlrs\t u=3:abc "
                                      "v=2:42 c=1:1\n"));

        use_backend("undump", be); /* an empty list */
        f = fopen(d1, "r");
        CU_ASSERT_EQUAL(mboxlist_undump(f, &count, &line, &err), MBOXLIST_OK);
        fclose(f);
        CU_ASSERT_EQUAL(count, 15);
        f = fopen(d2, "w");
        CU_ASSERT_EQUAL(mboxlist_dump(f, NULL), MBOXLIST_OK);
        fclose(f);
        CU_ASSERT_STRING_EQUAL(slurp(d2), buf_cstring(&first));

        /* one partition only */
        f = fopen(d2, "w");
        CU_ASSERT_EQUAL(mboxlist_dump(f, "p"), MBOXLIST_OK);
        fclose(f);
        CU_ASSERT_STRING_EQUAL(slurp(d2),
                               "shared.gone\t%M1 t=1:d p=1:p "
                               "a=10:anyone\tlr\t\n"
                               "shared.pending\t%M1 t=1:z p=1:p "
                               "a=10:anyone\tlr\t\n"
                               "shared.remote\t%M1 t=1:r p=1:p s=3:be2 "
                               "a=10:anyone\tlr\t\n");

        /* a bad line loads nothing and is named */
        use_backend("undump-bad", be);
        f = fopen(d2, "w");
        fputs("good\t%M1 t=0: p=1:x a=0:\n\nbad\t%M1 t=0: p=1:x\n", f);
        fclose(f);
        f = fopen(d2, "r");
        CU_ASSERT_EQUAL(mboxlist_undump(f, &count, &line, &err),
                        MBOXLIST_BADENTRY);
        fclose(f);
        CU_ASSERT_EQUAL(line, 3);
        CU_ASSERT_PTR_NOT_NULL(err);
        CU_ASSERT_EQUAL(mboxlist_lookup("good", NULL), MBOXLIST_NOTFOUND);
        f = fopen(d2, "w");
        fputs("a..b\t%M1 t=0: p=1:x a=0:\n", f);
        fclose(f);
        f = fopen(d2, "r");
        CU_ASSERT_EQUAL(mboxlist_undump(f, &count, &line, &err),
                        MBOXLIST_BADNAME);
        fclose(f);
        f = fopen(d2, "w");
        fputs("good\t%M7 t=0: p=1:x a=0:\n", f);
        fclose(f);
        f = fopen(d2, "r");
        CU_ASSERT_EQUAL(mboxlist_undump(f, &count, &line, &err),
                        MBOXLIST_BADVERSION);
        fclose(f);
        buf_free(&first);
        mboxlist_close();
    }
}

/* run - run the ctl_mboxlist binary with config and args, stdout to out;
 * returns the exit status */
static int run(const char *args, const char *out)
{
    struct buf cmd = BUF_INIT;
    int status;

    buf_printf(&cmd, "%s -C '%s' %s >'%s' 2>/dev/null", CTL_MBOXLIST,
               confpath, args, out);
    status = system(buf_cstring(&cmd));
    buf_free(&cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_ctl_mboxlist(void)
{
    const char *be;

    FOR_EACH_BACKEND(be) {
        char d1[4096], d2[4096], args[4200];
        struct buf first = BUF_INIT;

        use_backend("ctl", be);
        fill_list();
        mboxlist_close(); /* the tool uses the file now */
        db_done();
        snprintf(d1, sizeof(d1), "%s/dump1", cunit_tmpdir());
        snprintf(d2, sizeof(d2), "%s/dump2", cunit_tmpdir());
        CU_ASSERT_EQUAL(run("-d", d1), 0);
        buf_setcstr(&first, slurp(d1));
        CU_ASSERT_PTR_NOT_NULL(strstr(buf_cstring(&first),
                                      "user.joe.private\t%M1 "));
        CU_ASSERT_EQUAL(run("", d2), 64);
        CU_ASSERT_EQUAL(run("-d -u", d2), 64);
        CU_ASSERT_EQUAL(run("-d extra", d2), 64);
        CU_ASSERT_EQUAL(run("-m", d2), 78); /* no mupdate_server */
        CU_ASSERT_EQUAL(run("-d -w", d2), 64); /* -w is for -m */
        CU_ASSERT_EQUAL(run("-d -x", d2), 64);

        /* a fresh configdirectory: undump, then dump again */
        {
            char saved[2048];
            snprintf(saved, sizeof(saved), "%s", cfgdir);
            use_backend("ctl2", be);
            mboxlist_close();
            db_done();
            snprintf(args, sizeof(args), "-u -f '%s'", d1);
            CU_ASSERT_EQUAL(run(args, d2), 0);
            CU_ASSERT_EQUAL(run("-d", d2), 0);
            CU_ASSERT_STRING_EQUAL(slurp(d2), buf_cstring(&first));
            snprintf(args, sizeof(args), "-u -f '%s/nonexistent'", saved);
            CU_ASSERT_EQUAL(run(args, d2), 66);
        }
        {
            /* bad data: 65, and nothing loaded */
            FILE *f = fopen(d2, "w");
            fputs("zzz\tgarbage\n", f);
            fclose(f);
            snprintf(args, sizeof(args), "-u -f '%s'", d2);
            CU_ASSERT_EQUAL(run(args, d1), 65);
            CU_ASSERT_EQUAL(run("-d", d2), 0);
            CU_ASSERT_STRING_EQUAL(slurp(d2), buf_cstring(&first));
        }
        buf_free(&first);
        {
            char envdir[4096];
            snprintf(envdir, sizeof(envdir), "%s/dbenv", cunit_tmpdir());
            db_init(envdir, 0);
        }
    }
}

const char *cunit_suite_name = "mboxlist_dump";
CU_TestInfo cunit_tests[] = {
    { "dump_undump", test_dump_undump },
    { "ctl_mboxlist", test_ctl_mboxlist },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = teardown;
