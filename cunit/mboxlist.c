/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/mboxlist.c - unit tests for the mailboxes.db entries and
 * operations (imap/mboxlist_entry.c, imap/mboxlist.c): value encoding
 * and decoding (table-driven errors), create/lookup/update/delete, entry
 * types, transactions, rename with children, foreach and haschildren, and
 * a reader seeing another process's commit.  Database tests run over each
 * backend in `backends` (cunit/mboxlist_util.c).  Searching is tested in
 * cunit/mboxlist_find.c, dump/undump and ctl_mboxlist in
 * cunit/mboxlist_dump.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "cunit/mboxlist_util.h"
#include "imap/mboxlist.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

/* gen - the list's generation number; asserts it can be read */
static uint64_t gen(void)
{
    uint64_t g = 12345;
    CU_ASSERT_EQUAL(mboxlist_generation(&g), MBOXLIST_OK);
    return g;
}

/* ---- value encoding ---- */

static void test_encode_roundtrip(void)
{
    struct mboxlist_entry *e = mk("user.fred", MBTYPE_REMOTE | MBTYPE_MOVING,
                                  "p1", "be1.example", "fred\tlrswipkxtea\t"
                                  "-anyone\tr\t");
    struct mboxlist_entry *d = NULL;
    struct buf v = BUF_INIT, v2 = BUF_INIT;

    e->uniqueid = xstrdup("0123abcd");
    e->uidvalidity = 4294967295u;
    e->created = 1700000000;
    CU_ASSERT_EQUAL(mboxlist_entry_encode(e, &v, NULL), MBOXLIST_OK);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&v),
                           "%M1 t=2:rm p=2:p1 s=11:be1.example "
                           "a=27:fred\tlrswipkxtea\t-anyone\tr\t "
                           "u=8:0123abcd v=10:4294967295 c=10:1700000000");
    CU_ASSERT_EQUAL_FATAL(mboxlist_entry_decode("user.fred", v.s, v.len, &d),
                          MBOXLIST_OK);
    CU_ASSERT_STRING_EQUAL(d->name, "user.fred");
    CU_ASSERT_EQUAL(d->type, MBTYPE_REMOTE | MBTYPE_MOVING);
    CU_ASSERT_STRING_EQUAL(d->partition, "p1");
    CU_ASSERT_STRING_EQUAL(d->server, "be1.example");
    CU_ASSERT_STRING_EQUAL(d->acl, e->acl);
    CU_ASSERT_STRING_EQUAL(d->uniqueid, "0123abcd");
    CU_ASSERT_EQUAL(d->uidvalidity, 4294967295u);
    CU_ASSERT_EQUAL(d->created, 1700000000);
    CU_ASSERT_EQUAL(mboxlist_entry_encode(d, &v2, NULL), MBOXLIST_OK);
    CU_ASSERT_TRUE(buf_cmp(&v, &v2) == 0);
    mboxlist_entry_location(d, &v2);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&v2), "be1.example!p1");
    mboxlist_entry_free(&d);
    mboxlist_entry_free(&e);
    CU_ASSERT_PTR_NULL(e);
    buf_free(&v);
    buf_free(&v2);
}

static void test_encode_minimal_and_extra(void)
{
    /* fields of unknown tags survive decode + encode, in order */
    const char *in = "%M1 t=0: p=7:default a=0: x=3:a b zz=4:\t\001yz";
    struct mboxlist_entry *d = NULL;
    struct buf v = BUF_INIT;

    CU_ASSERT_EQUAL_FATAL(mboxlist_entry_decode("a", in, strlen(in), &d),
                          MBOXLIST_OK);
    CU_ASSERT_EQUAL(d->type, 0);
    CU_ASSERT_PTR_NULL(d->server);
    CU_ASSERT_PTR_NULL(d->uniqueid);
    CU_ASSERT_EQUAL(d->uidvalidity, 0);
    CU_ASSERT_EQUAL(mboxlist_entry_encode(d, &v, NULL), MBOXLIST_OK);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&v), in);
    /* fields in another order decode too; encode writes canonical order */
    mboxlist_entry_free(&d);
    in = "%M1 a=0: p=1:q t=1:z";
    CU_ASSERT_EQUAL_FATAL(mboxlist_entry_decode("a", in, strlen(in), &d),
                          MBOXLIST_OK);
    buf_reset(&v);
    mboxlist_entry_encode(d, &v, NULL);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&v), "%M1 t=1:z p=1:q a=0:");
    mboxlist_entry_free(&d);
    buf_free(&v);
}

static void test_decode_errors(void)
{
    static const struct {
        const char *in;
        int r;
    } cases[] = {
        { "", MBOXLIST_CORRUPT },
        { "%M", MBOXLIST_CORRUPT },
        { "%M0 t=0: p=1:x a=0:", MBOXLIST_CORRUPT },
        { "%M2 t=0: p=1:x a=0:", MBOXLIST_BADVERSION },
        { "%M99999999999 t=0:", MBOXLIST_CORRUPT },
        { "%X1 t=0: p=1:x a=0:", MBOXLIST_CORRUPT },
        { "%M1x t=0: p=1:x a=0:", MBOXLIST_CORRUPT },
        { "%M1 t=0: p=1:x a=0: ", MBOXLIST_CORRUPT },   /* trailing SP */
        { "%M1 t=0:  p=1:x a=0:", MBOXLIST_CORRUPT },   /* double SP */
        { "%M1 t=1:q p=1:x a=0:", MBOXLIST_BADVERSION }, /* new type */
        { "%M1 p=1:x a=0:", MBOXLIST_CORRUPT },         /* no t */
        { "%M1 t=0: a=0:", MBOXLIST_CORRUPT },          /* no p */
        { "%M1 t=0: p=1:x", MBOXLIST_CORRUPT },         /* no a */
        { "%M1 t=0: p=9:x a=0:", MBOXLIST_CORRUPT },    /* length past end */
        { "%M1 t=0: p=:x a=0:", MBOXLIST_CORRUPT },
        { "%M1 t=0: p=1x a=0:", MBOXLIST_CORRUPT },
        { "%M1 t=0: p=1:x p=1:y a=0:", MBOXLIST_CORRUPT }, /* twice */
        { "%M1 t=0: p=1:! a=0:", MBOXLIST_CORRUPT },
        { "%M1 t=0: p=0: a=0:", MBOXLIST_CORRUPT },
        { "%M1 t=0: p=3:a\0b a=0:", MBOXLIST_CORRUPT },
        { "%M1 t=0: p=1:x a=4:fred", MBOXLIST_CORRUPT }, /* ACL no TAB */
        { "%M1 t=0: p=1:x a=6:fred\tQ\t", MBOXLIST_CORRUPT },
        { "%M1 t=1:r p=1:x a=0:", MBOXLIST_CORRUPT },    /* no server */
        { "%M1 t=0: p=1:x s=1:y a=0:", MBOXLIST_CORRUPT }, /* local+srv */
        { "%M1 t=0: p=1:x a=0: v=10:4294967296", MBOXLIST_CORRUPT },
        { "%M1 t=0: p=1:x a=0: v=1:z", MBOXLIST_CORRUPT },
        { "%M1 t=0: p=1:x a=0: u=2:a b", MBOXLIST_CORRUPT },
        { "%M1 t=0: p=1:x a=0: X=1:y", MBOXLIST_CORRUPT }, /* tag case */
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mboxlist_entry *e = (void *)1;
        /* lengths include embedded NULs for the one case that has one */
        size_t len = strlen(cases[i].in);
        int r;
        if (strstr(cases[i].in, "p=3:a"))
            len = sizeof("%M1 t=0: p=3:a\0b a=0:") - 1;
        r = mboxlist_entry_decode("x", cases[i].in, len, &e);
        if (r != cases[i].r)
            fprintf(stderr, "\ncase %zu <%s>: got %d\n", i, cases[i].in, r);
        CU_ASSERT_EQUAL(r, cases[i].r);
        CU_ASSERT_PTR_NULL(e);
    }
}

static void test_encode_errors(void)
{
    struct mboxlist_entry *e = mk("a", 0, "default", NULL, "");
    struct buf v = BUF_INIT;
    const char *err = NULL;

    CU_ASSERT_EQUAL(mboxlist_entry_encode(e, &v, &err), MBOXLIST_OK);
    buf_reset(&v);
    e->type = MBTYPE_REMOTE; /* no server */
    CU_ASSERT_EQUAL(mboxlist_entry_encode(e, &v, &err), MBOXLIST_BADENTRY);
    CU_ASSERT_PTR_NOT_NULL(err);
    e->server = xstrdup("bad!server");
    CU_ASSERT_EQUAL(mboxlist_entry_encode(e, &v, &err), MBOXLIST_BADENTRY);
    e->type = 0x100;
    CU_ASSERT_EQUAL(mboxlist_entry_encode(e, &v, &err), MBOXLIST_BADENTRY);
    e->type = 0;
    free(e->server);
    e->server = NULL;
    buf_setcstr(&e->extra, " broken");
    CU_ASSERT_EQUAL(mboxlist_entry_encode(e, &v, &err), MBOXLIST_BADENTRY);
    buf_reset(&e->extra);
    free(e->acl);
    e->acl = xstrdup("fred\tlrs"); /* missing final TAB */
    CU_ASSERT_EQUAL(mboxlist_entry_encode(e, &v, &err), MBOXLIST_BADENTRY);
    CU_ASSERT_EQUAL(v.len, 0); /* nothing appended on error */
    mboxlist_entry_free(&e);
    buf_free(&v);
}

/* ---- database operations ---- */

static void test_crud(void)
{
    const char *be;

    FOR_EACH_BACKEND(be) {
        struct mboxlist_entry *e, *got = NULL;
        uint64_t g0;

        use_backend("crud", be);
        g0 = gen();
        CU_ASSERT_EQUAL(g0, 0);
        e = mk("user.fred", 0, "default", NULL, "fred\tlrswipkxtea\t");
        e->uniqueid = xstrdup("u1");
        CU_ASSERT_EQUAL(mboxlist_lookup("user.fred", NULL), MBOXLIST_NOTFOUND);
        CU_ASSERT_EQUAL(mboxlist_create(e), MBOXLIST_OK);
        CU_ASSERT_EQUAL(gen(), g0 + 1);
        CU_ASSERT_EQUAL(mboxlist_create(e), MBOXLIST_EXISTS);
        CU_ASSERT_EQUAL(gen(), g0 + 1); /* a failed write changes nothing */
        CU_ASSERT_EQUAL(mboxlist_lookup("user.fred", NULL), MBOXLIST_OK);
        CU_ASSERT_EQUAL_FATAL(mboxlist_lookup("user.fred", &got), MBOXLIST_OK);
        CU_ASSERT_STRING_EQUAL(got->uniqueid, "u1");
        CU_ASSERT_STRING_EQUAL(got->acl, "fred\tlrswipkxtea\t");
        mboxlist_entry_free(&got);

        free(e->partition);
        e->partition = xstrdup("p2");
        e->uidvalidity = 77;
        CU_ASSERT_EQUAL(mboxlist_update(e), MBOXLIST_OK);
        CU_ASSERT_EQUAL(gen(), g0 + 2);
        CU_ASSERT_EQUAL_FATAL(mboxlist_lookup("user.fred", &got), MBOXLIST_OK);
        CU_ASSERT_STRING_EQUAL(got->partition, "p2");
        CU_ASSERT_EQUAL(got->uidvalidity, 77);
        mboxlist_entry_free(&got);

        CU_ASSERT_EQUAL(mboxlist_delete("user.fred"), MBOXLIST_OK);
        CU_ASSERT_EQUAL(mboxlist_delete("user.fred"), MBOXLIST_NOTFOUND);
        CU_ASSERT_EQUAL(mboxlist_update(e), MBOXLIST_NOTFOUND);
        CU_ASSERT_EQUAL(mboxlist_lookup("user.fred", &got), MBOXLIST_NOTFOUND);
        CU_ASSERT_PTR_NULL(got);
        CU_ASSERT_EQUAL(gen(), g0 + 3);

        /* names and entries the list refuses */
        free(e->name);
        e->name = xstrdup("user");
        CU_ASSERT_EQUAL(mboxlist_create(e), MBOXLIST_BADNAME);
        free(e->name);
        e->name = xstrdup("a..b");
        CU_ASSERT_EQUAL(mboxlist_create(e), MBOXLIST_BADNAME);
        free(e->name);
        e->name = xstrdup("shared");
        free(e->partition);
        e->partition = NULL;
        CU_ASSERT_EQUAL(mboxlist_create(e), MBOXLIST_BADENTRY);
        CU_ASSERT_EQUAL(mboxlist_lookup("shared", NULL), MBOXLIST_NOTFOUND);
        /* the metadata key is invisible */
        CU_ASSERT_EQUAL(mboxlist_lookup("\001generation", NULL),
                        MBOXLIST_NOTFOUND);
        mboxlist_entry_free(&e);
        mboxlist_close();
    }
}

static void test_types_kept(void)
{
    const char *be;

    FOR_EACH_BACKEND(be) {
        struct mboxlist_entry *e, *got = NULL;

        use_backend("types", be);
        e = mk("shared.r", MBTYPE_REMOTE, "p", "srv1", "anyone\tlr\t");
        CU_ASSERT_EQUAL(mboxlist_create(e), MBOXLIST_OK);
        mboxlist_entry_free(&e);
        e = mk("shared.z", MBTYPE_RESERVE, "p", NULL, "");
        CU_ASSERT_EQUAL(mboxlist_create(e), MBOXLIST_OK);
        mboxlist_entry_free(&e);
        CU_ASSERT_EQUAL_FATAL(mboxlist_lookup("shared.r", &got), MBOXLIST_OK);
        CU_ASSERT_EQUAL(got->type, MBTYPE_REMOTE);
        CU_ASSERT_STRING_EQUAL(got->server, "srv1");
        mboxlist_entry_free(&got);
        CU_ASSERT_EQUAL_FATAL(mboxlist_lookup("shared.z", &got), MBOXLIST_OK);
        CU_ASSERT_EQUAL(got->type, MBTYPE_RESERVE);
        mboxlist_entry_free(&got);
        mboxlist_close();
    }
}

static void test_transactions(void)
{
    const char *be;

    FOR_EACH_BACKEND(be) {
        uint64_t g;

        use_backend("txn", be);
        g = gen();
        CU_ASSERT_EQUAL(mboxlist_begin(), MBOXLIST_OK);
        CU_ASSERT_EQUAL(mboxlist_begin(), MBOXLIST_INTERNAL);
        add("a", "");
        add("b", "");
        CU_ASSERT_EQUAL(mboxlist_lookup("a", NULL), MBOXLIST_OK); /* own */
        mboxlist_abort();
        CU_ASSERT_EQUAL(mboxlist_lookup("a", NULL), MBOXLIST_NOTFOUND);
        CU_ASSERT_EQUAL(mboxlist_lookup("b", NULL), MBOXLIST_NOTFOUND);
        CU_ASSERT_EQUAL(gen(), g);
        CU_ASSERT_EQUAL(mboxlist_begin(), MBOXLIST_OK);
        add("a", "");
        add("b", "");
        CU_ASSERT_EQUAL(mboxlist_commit(), MBOXLIST_OK);
        CU_ASSERT_EQUAL(mboxlist_commit(), MBOXLIST_INTERNAL);
        CU_ASSERT_EQUAL(mboxlist_lookup("a", NULL), MBOXLIST_OK);
        CU_ASSERT_EQUAL(mboxlist_lookup("b", NULL), MBOXLIST_OK);
        CU_ASSERT(gen() > g);
        /* close aborts an open transaction */
        CU_ASSERT_EQUAL(mboxlist_begin(), MBOXLIST_OK);
        add("c", "");
        mboxlist_close();
        CU_ASSERT_EQUAL(mboxlist_lookup("a", NULL), MBOXLIST_NOTOPEN);
        CU_ASSERT_EQUAL(mboxlist_open(0), MBOXLIST_OK);
        CU_ASSERT_EQUAL(mboxlist_lookup("c", NULL), MBOXLIST_NOTFOUND);
        CU_ASSERT_EQUAL(mboxlist_open(0), MBOXLIST_INTERNAL); /* twice */
        mboxlist_close();
    }
}

struct names {
    struct buf b;
};

/* collect - foreach callback: "name;" per entry */
static int collect(void *rock, const struct mboxlist_entry *e)
{
    buf_appendcstr(&((struct names *)rock)->b, e->name);
    buf_putc(&((struct names *)rock)->b, ';');
    return 0;
}

static void test_rename(void)
{
    const char *be;

    FOR_EACH_BACKEND(be) {
        struct names n = { BUF_INIT };
        struct mboxlist_entry *got = NULL;

        use_backend("rename", be);
        add("user.bob", "bob\tlrs\t");
        add("user.bob.Sent", "");
        add("user.bob.Sent.2020", "");
        add("user.bob2", "");
        add("user.carl", "");
        add("user.carl.Sent", "");
        /* a target child taken: nothing moves */
        CU_ASSERT_EQUAL(mboxlist_rename("user.bob", "user.carl", NULL,
                                        MBOXLIST_RENAME_CHILDREN),
                        MBOXLIST_EXISTS);
        CU_ASSERT_EQUAL(mboxlist_rename("user.bob", "user.dave.x", NULL, 0),
                        MBOXLIST_OK);
        CU_ASSERT_EQUAL(mboxlist_rename("user.dave.x", "user.bob", NULL, 0),
                        MBOXLIST_OK);
        CU_ASSERT_EQUAL(mboxlist_rename("user.nobody", "user.x", NULL, 0),
                        MBOXLIST_NOTFOUND);
        CU_ASSERT_EQUAL(mboxlist_rename("user.bob", "user.bob.x", NULL, 0),
                        MBOXLIST_BADNAME);
        CU_ASSERT_EQUAL(mboxlist_rename("user.bob", "user.bob", NULL, 0),
                        MBOXLIST_BADNAME);
        CU_ASSERT_EQUAL(mboxlist_rename("user.bob", "user", NULL, 0),
                        MBOXLIST_BADNAME);
        mboxlist_foreach("", collect, &n);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&n.b),
                               "user.bob;user.bob.Sent;user.bob.Sent.2020;"
                               "user.bob2;user.carl;user.carl.Sent;");
        buf_reset(&n.b);
        CU_ASSERT_EQUAL(mboxlist_rename("user.bob", "user.robert", "p9",
                                        MBOXLIST_RENAME_CHILDREN),
                        MBOXLIST_OK);
        mboxlist_foreach("", collect, &n);
        /* user.bob2 is not a child of user.bob */
        CU_ASSERT_STRING_EQUAL(buf_cstring(&n.b),
                               "user.bob2;user.carl;user.carl.Sent;"
                               "user.robert;user.robert.Sent;"
                               "user.robert.Sent.2020;");
        CU_ASSERT_EQUAL_FATAL(mboxlist_lookup("user.robert.Sent.2020", &got),
                              MBOXLIST_OK);
        CU_ASSERT_STRING_EQUAL(got->partition, "p9");
        mboxlist_entry_free(&got);
        CU_ASSERT_EQUAL_FATAL(mboxlist_lookup("user.robert", &got),
                              MBOXLIST_OK);
        CU_ASSERT_STRING_EQUAL(got->acl, "bob\tlrs\t"); /* fields kept */
        mboxlist_entry_free(&got);
        buf_free(&n.b);
        mboxlist_close();
    }
}

/* stop_after_two - foreach callback stopping at the second entry */
static int stop_after_two(void *rock, const struct mboxlist_entry *e)
{
    return ++*(int *)rock == 2;
}

static void test_foreach_children(void)
{
    const char *be;

    FOR_EACH_BACKEND(be) {
        struct names n = { BUF_INIT };
        struct mboxlist_entry *e;
        int count = 0;

        use_backend("foreach", be);
        add("b.x", "");
        add("a", "");
        add("b", "");
        add("b-c", "");
        add("c", "");
        e = mk("c.z", MBTYPE_RESERVE, "default", NULL, "");
        mboxlist_create(e);
        mboxlist_entry_free(&e);
        CU_ASSERT_EQUAL(mboxlist_foreach("b", collect, &n), MBOXLIST_OK);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&n.b), "b;b-c;b.x;");
        CU_ASSERT_EQUAL(mboxlist_foreach("", stop_after_two, &count),
                        MBOXLIST_DONE);
        CU_ASSERT_EQUAL(count, 2);
        CU_ASSERT_EQUAL(mboxlist_haschildren("b", NULL, NULL), 1);
        CU_ASSERT_EQUAL(mboxlist_haschildren("a", NULL, NULL), 0);
        CU_ASSERT_EQUAL(mboxlist_haschildren("b.x", NULL, NULL), 0);
        /* a reservation is not a child */
        CU_ASSERT_EQUAL(mboxlist_haschildren("c", NULL, NULL), 0);
        buf_free(&n.b);
        mboxlist_close();
    }
}

/* ---- readers see a writer's commits ---- */

static void test_reader_refresh(void)
{
    const char *be;

    FOR_EACH_BACKEND(be) {
        struct buf path = BUF_INIT;
        uint64_t g0;
        pid_t pid;
        int status = -1;

        use_backend("refresh", be);
        add("a", "");
        g0 = gen();
        CU_ASSERT_EQUAL(mboxlist_lookup("b", NULL), MBOXLIST_NOTFOUND);
        buf_printf(&path, "%s/mailboxes.db", cfgdir);
        pid = fork();
        if (pid == 0) {
            /* the writer: its own process and handle (a Berkeley DB
             * environment must not cross fork, so it runs the native
             * writer only and lets the parent test BDB in-process) */
            int r = 1;
            if (!strcmp(be, "twoskip")) {
                struct mboxlist_entry *e = mk("b", 0, "default", NULL, "");
                mboxlist_close();
                r = mboxlist_open_path(path.s, be, 0) != MBOXLIST_OK ||
                    mboxlist_create(e) != MBOXLIST_OK;
            }
            _exit(r);
        }
        waitpid(pid, &status, 0);
        if (!strcmp(be, "twoskip")) {
            CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        } else {
            add("b", "");
        }
        /* the reader's next call sees it, with no reopen */
        CU_ASSERT_EQUAL(mboxlist_lookup("b", NULL), MBOXLIST_OK);
        CU_ASSERT_EQUAL(gen(), g0 + 1);
        buf_free(&path);
        mboxlist_close();
    }
}

const char *cunit_suite_name = "mboxlist";
CU_TestInfo cunit_tests[] = {
    { "encode_roundtrip", test_encode_roundtrip },
    { "encode_minimal_and_extra", test_encode_minimal_and_extra },
    { "decode_errors", test_decode_errors },
    { "encode_errors", test_encode_errors },
    { "crud", test_crud },
    { "types_kept", test_types_kept },
    { "transactions", test_transactions },
    { "rename", test_rename },
    { "foreach_children", test_foreach_children },
    { "reader_refresh", test_reader_refresh },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = teardown;
