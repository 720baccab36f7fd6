/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/mboxlist.c - unit tests for imap/mboxlist*.c and ctl_mboxlist.
 *
 * Database tests run over each backend in `backends`, selected the way
 * a server selects it: a generated imapd.conf (configdirectory,
 * mboxlist_db) loaded with cfg_load, one fresh configdirectory per test
 * and backend.  Value encoding, glob matching and the LIST rules are
 * table-driven.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "imap/acl.h"
#include "imap/auth_state.h"
#include "imap/mboxlist.h"
#include "imap/namespace.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/db.h"
#include "lib/xmalloc.h"

static const char *const backends[] = { "twoskip", "berkeley" };
#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))
#define FOR_EACH_BACKEND(be) \
    for (size_t be##_i = 0; be##_i < NBACKENDS && \
                            ((be) = backends[be##_i], 1); be##_i++)

static char confpath[4096], cfgdir[2048];

/* use_backend - fresh configdirectory and imapd.conf for test and be,
 * loaded and with the list opened */
static void use_backend(const char *test, const char *be)
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
static struct mboxlist_entry *mk(const char *name, unsigned type,
                                 const char *part, const char *server,
                                 const char *acl)
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
static void add(const char *name, const char *acl)
{
    struct mboxlist_entry *e = mk(name, 0, "default", NULL, acl);
    CU_ASSERT_EQUAL(mboxlist_create(e), MBOXLIST_OK);
    mboxlist_entry_free(&e);
}

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

/* ---- matching ---- */

static void test_glob(void)
{
    static const struct {
        const char *pat, *name;
        int match;
    } cases[] = {
        { "*", "", 1 },
        { "*", "a.b.c", 1 },
        { "%", "abc", 1 },
        { "%", "a.b", 0 },
        { "%", "", 1 },
        { "a.%", "a.b", 1 },
        { "a.%", "a.b.c", 0 },
        { "a.%", "a.", 1 },
        { "a.*", "a.b.c", 1 },
        { "a.*", "a", 0 },
        { "a*", "a", 1 },
        { "a%b", "axxb", 1 },
        { "a%b", "ax.xb", 0 },
        { "a*b", "ax.xb", 1 },
        { "%.%", "a.b", 1 },
        { "%.%", "a.b.c", 0 },
        { "*.%", "a.b.c", 1 },
        { "a", "A", 0 },         /* case-sensitive */
        { "abc", "ab", 0 },
        { "ab", "abc", 0 },
        { "", "", 1 },
        { "", "a", 0 },
        /* would take exponential time with naive backtracking */
        { "%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%b",
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0 },
        { "*a*a*a*a*a*a*a*a*a*a*a*c",
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 0 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int m = mboxlist_glob_match(cases[i].pat, cases[i].name,
                                    strlen(cases[i].name), '.');
        if (m != cases[i].match)
            fprintf(stderr, "\nglob %zu: %s vs %s\n", i, cases[i].pat,
                    cases[i].name);
        CU_ASSERT_EQUAL(m, cases[i].match);
    }
    /* another separator, and a long name (heap path) */
    CU_ASSERT_EQUAL(mboxlist_glob_match("a/%", "a/b.c", 5, '/'), 1);
    CU_ASSERT_EQUAL(mboxlist_glob_match("a/%", "a/b/c", 5, '/'), 0);
    {
        char longname[2000];
        memset(longname, 'x', sizeof(longname));
        CU_ASSERT_EQUAL(mboxlist_glob_match("x*x%", longname,
                                            sizeof(longname), '.'), 1);
    }
}

/* find_collect - findall callback: "name;" or "(name);" for \Noselect */
static int find_collect(void *rock, const char *name,
                        const struct mboxlist_entry *e)
{
    struct buf *b = rock;
    buf_printf(b, e ? "%s;" : "(%s);", name);
    return 0;
}

/* findall_str - run findall and return the results (static buffer) */
static const char *findall_str(const char *pattern, const char *inbox,
                               mboxlist_filter *filter, void *frock)
{
    static struct buf b = BUF_INIT;
    buf_reset(&b);
    CU_ASSERT_EQUAL(mboxlist_findall(pattern, inbox, filter, frock,
                                     find_collect, &b), MBOXLIST_OK);
    return buf_cstring(&b);
}

static void fill_list(void)
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

static void test_findall_patterns(void)
{
    static const struct {
        const char *pat, *inbox, *expect;
    } cases[] = {
        /* no viewer INBOX: names as they are */
        { "*", NULL, "shared;shared.news;shared.remote;shared.tech;"
                     "user.fred;user.fred.Drafts;user.fred.Sent;"
                     "user.fred.a.b.c;user.fredrick;user.joe;"
                     "user.joe.private;user.joe.private.shared;" },
        { "%", NULL, "shared;(user);" },
        { "user.%", NULL, "user.fred;user.fredrick;user.joe;" },
        { "user.fred*", NULL, "user.fred;user.fred.Drafts;user.fred.Sent;"
                              "user.fred.a.b.c;user.fredrick;" },
        { "user.fred.%", NULL, "user.fred.Drafts;user.fred.Sent;"
                               "(user.fred.a);" },
        { "user.fred.a.%", NULL, "(user.fred.a.b);" },
        { "user.fred.a.*", NULL, "user.fred.a.b.c;" },
        { "*.b.c", NULL, "user.fred.a.b.c;" },
        { "shared.%", NULL, "shared.news;shared.remote;shared.tech;" },
        { "nothing*", NULL, "" },
        { "INBOX", NULL, "" },
        /* fred's view: his tree is INBOX, only as INBOX */
        { "INBOX", "user.fred", "user.fred;" },
        { "inbox", "user.fred", "user.fred;" },
        { "InBoX.%", "user.fred", "user.fred.Drafts;user.fred.Sent;"
                                  "(user.fred.a);" },
        { "inb*", "user.fred", "user.fred;user.fred.Drafts;user.fred.Sent;"
                               "user.fred.a.b.c;" },
        { "INBOX.sent", "user.fred", "" },       /* below INBOX: exact */
        { "INBOX.Sent", "user.fred", "user.fred.Sent;" },
        { "INBOXSent", "user.fred", "" },
        { "%", "user.fred", "user.fred;shared;(user);" },
        { "user.%", "user.fred", "user.fredrick;user.joe;" },
        { "user.fred*", "user.fred", "user.fredrick;" },
        { "*", "user.fred", "user.fred;user.fred.Drafts;user.fred.Sent;"
                            "user.fred.a.b.c;shared;shared.news;"
                            "shared.remote;shared.tech;user.fredrick;"
                            "user.joe;user.joe.private;"
                            "user.joe.private.shared;" },
        { "INBOX*", "user.nobody", "" },       /* no such INBOX */
        { "%", "user.nobody", "shared;(user);" },
    };
    const char *be;

    FOR_EACH_BACKEND(be) {
        use_backend("findall", be);
        fill_list();
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            const char *got = findall_str(cases[i].pat, cases[i].inbox,
                                          NULL, NULL);
            if (strcmp(got, cases[i].expect))
                fprintf(stderr, "\n%s: findall(%s, %s) = %s\n", be,
                        cases[i].pat, cases[i].inbox ? cases[i].inbox : "-",
                        got);
            CU_ASSERT_STRING_EQUAL(got, cases[i].expect);
        }
        mboxlist_close();
    }
}

/* has_children_cb - findall callback calling back into the list */
static int has_children_cb(void *rock, const char *name,
                           const struct mboxlist_entry *e)
{
    buf_printf(rock, "%s=%d;", name, mboxlist_haschildren(name, NULL, NULL));
    return 0;
}

static void test_findall_acl(void)
{
    const char *be;

    FOR_EACH_BACKEND(be) {
        struct auth_state *fred = auth_state_new("fred", 0);
        struct auth_state *anon = auth_state_new(NULL, 0);
        struct auth_state *admin = auth_state_new("root", 1);
        struct auth_state *staff = auth_state_new("sue", 0);
        struct namespace ns;
        struct mboxlist_aclfilter f = { fred, &ns, NULL, 0 };
        struct buf b = BUF_INIT;

        namespace_init(&ns, 0, 0, 0, 0, NULL, NULL, NULL, NULL);
        auth_state_add_group(staff, "staff");
        use_backend("findall_acl", be);
        fill_list();
        /* fred sees his own, joe's INBOX and the one shared folder of
         * joe's he has rights on, public folders but not news (-l) */
        CU_ASSERT_STRING_EQUAL(
            findall_str("*", "user.fred", mboxlist_filter_acl, &f),
            "user.fred;user.fred.Drafts;user.fred.Sent;user.fred.a.b.c;"
            "shared;shared.remote;user.joe;user.joe.private.shared;");
        /* the hidden user.joe.private shows as a \Noselect level only */
        CU_ASSERT_STRING_EQUAL(
            findall_str("user.joe.%", "user.fred", mboxlist_filter_acl, &f),
            "(user.joe.private);");
        CU_ASSERT_STRING_EQUAL(
            findall_str("user.joe.private.%", "user.fred",
                        mboxlist_filter_acl, &f),
            "user.joe.private.shared;");
        /* nothing of fredrick's leaks, not even a level */
        CU_ASSERT_STRING_EQUAL(
            findall_str("user.fredrick*", "user.fred", mboxlist_filter_acl,
                        &f), "");
        f.state = anon;
        CU_ASSERT_STRING_EQUAL(findall_str("*", NULL, mboxlist_filter_acl, &f),
                               "shared;shared.news;shared.remote;");
        f.state = staff;
        CU_ASSERT_STRING_EQUAL(
            findall_str("shared.*", NULL, mboxlist_filter_acl, &f),
            "shared.news;shared.remote;shared.tech;");
        f.state = admin; /* admins have l everywhere */
        CU_ASSERT_STRING_EQUAL(
            findall_str("user.%", NULL, mboxlist_filter_acl, &f),
            "user.fred;user.fredrick;user.joe;");
        /* need more than l: fred may read (r) only where he has r */
        f.state = fred;
        f.need = ACL_READ;
        CU_ASSERT_STRING_EQUAL(
            findall_str("user.joe*", NULL, mboxlist_filter_acl, &f),
            "user.joe;user.joe.private.shared;");
        /* \HasChildren through the filter */
        f.need = 0;
        CU_ASSERT_EQUAL(mboxlist_haschildren("user.joe", mboxlist_filter_acl,
                                             &f), 1);
        CU_ASSERT_EQUAL(mboxlist_haschildren("user.fredrick",
                                             mboxlist_filter_acl, &f), 0);
        f.state = anon;
        CU_ASSERT_EQUAL(mboxlist_haschildren("user.joe", mboxlist_filter_acl,
                                             &f), 0);
        /* callbacks may call back into the list (nested walks) */
        CU_ASSERT_EQUAL(mboxlist_findall("shared%", NULL, NULL, NULL,
                                         has_children_cb, &b), MBOXLIST_OK);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "shared=1;");
        buf_free(&b);
        auth_state_free(&fred);
        auth_state_free(&anon);
        auth_state_free(&admin);
        auth_state_free(&staff);
        mboxlist_close();
    }
}

/* ---- the raw pre-filter (mboxlist_view) ---- */

/* view_check - for every entry of names x acls under ns and need, the
 * view never hides what mboxlist_filter_acl shows; counts the hidden */
static void view_check(struct auth_state *st, const struct namespace *ns,
                       unsigned need, size_t *hidden_r)
{
    static const char *const names[] = {
        "user.fred", "user.fred.x", "user.fredrick", "user.joe",
        "user.joe.y", "shared", "shared.x", "example.org!user.fred",
        "example.org!user.fred.z", "user.fred^smith", "user.anonymous",
    };
    static const char *const acls[] = {
        "", "fred\tl\t", "fred\tr\t", "Fred\tl\t", "fred\t\t",
        "anyone\tl\t", "Anyone\tlr\t", "anonymous\tl\t",
        "group:staff\tl\t", "GROUP:staff\tlr\t", "group:Staff\tl\t",
        "-fred\tl\tanyone\tl\t", "joe\tlrswipkxtea\tfred\tlr\t",
        "joe\tlrswipkxtea\t", "fred\tc\t", "fred\td\tfred\tl\t",
        "fred.smith\tl\t", "fred@example.org\tla\t", "-anyone\tl\t",
        "fredrick\tl\t", "group:staff\tr\t-group:staff\tr\t",
    };
    struct mboxlist_aclfilter f = { st, ns, NULL, need };
    struct mboxlist_view *v = mboxlist_view_new(&f);
    struct buf val = BUF_INIT;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        for (size_t j = 0; j < sizeof(acls) / sizeof(acls[0]); j++) {
            struct mboxlist_entry *e = mk(names[i], 0, "default", NULL,
                                          acls[j]);
            int shown, may;

            buf_reset(&val);
            CU_ASSERT_EQUAL_FATAL(mboxlist_entry_encode(e, &val, NULL),
                                  MBOXLIST_OK);
            shown = mboxlist_filter_acl(&f, e);
            may = mboxlist_view_may_show(v, names[i], strlen(names[i]),
                                         val.s, val.len);
            if (shown && !may)
                fprintf(stderr, "view hides %s [%s] from %s need %u\n",
                        names[i], acls[j], auth_state_userid(st), need);
            CU_ASSERT(!shown || may);
            *hidden_r += !may;
            mboxlist_entry_free(&e);
        }
    }
    mboxlist_view_free(&v);
    buf_free(&val);
}

static void test_view_prefilter(void)
{
    struct auth_state *st[6];
    static const unsigned needs[] = { 0, ACL_READ, ACL_LOOKUP | ACL_READ,
                                      ACL_ADMIN, ACL_CREATE };
    struct namespace ns, nsd, nsu;
    size_t hidden = 0, admin_hidden = 0;
    struct mboxlist_view *v;
    struct mboxlist_aclfilter f = { NULL, &ns, NULL, 0 };
    static const char *const bad[] = {
        "", "%", "%M", "%M1", "%M1 a=", "%M1 a=5:fred", "%M1 a=99999:x",
        "%M1 t=0: a=5:fred\t", "%M1 a=6:fred\tl", "%M1 x=1:", "%M2 a=0:",
        "%M1 p=1:x", "%M1 a=18446744073709551615:x",
    };

    st[0] = auth_state_new("fred", 0);
    st[1] = auth_state_new("fred", 0);
    auth_state_add_group(st[1], "staff");
    st[2] = auth_state_new("root", 1);
    st[3] = auth_state_new(NULL, 0);
    st[4] = auth_state_new("fred.smith", 0);
    st[5] = auth_state_new("fred@example.org", 0);
    namespace_init(&ns, 0, 0, 0, 0, NULL, NULL, NULL, NULL);
    namespace_init(&nsd, 0, 0, 1, 0, NULL, NULL, NULL, NULL);
    namespace_init(&nsu, 0, 1, 0, 0, NULL, NULL, NULL, NULL);
    for (size_t i = 0; i < 6; i++) {
        for (size_t n = 0; n < sizeof(needs) / sizeof(needs[0]); n++) {
            size_t *h = i == 2 ? &admin_hidden : &hidden;
            view_check(st[i], &ns, needs[n], h);
            view_check(st[i], &nsd, needs[n], h);
            view_check(st[i], &nsu, needs[n], h);
            view_check(st[i], NULL, needs[n], h); /* nobody owns */
        }
    }
    /* it does filter: most of the table is hidden from non-admins;
     * admins see everything */
    CU_ASSERT(hidden > 1000);
    CU_ASSERT_EQUAL(admin_hidden, 0);

    /* specific cases: another user's private folder is hidden; the
     * owner's own mailboxes pass even with an empty ACL */
    f.state = st[0];
    v = mboxlist_view_new(&f);
    CU_ASSERT_EQUAL(mboxlist_view_may_show(v, "user.joe", 8,
                                           "%M1 t=0: p=1:d a=6:joe\tl\t",
                                           25), 0);
    CU_ASSERT_EQUAL(mboxlist_view_may_show(v, "user.fred.x", 11,
                                           "%M1 t=0: p=1:d a=0:", 19), 1);
    CU_ASSERT_EQUAL(mboxlist_view_may_show(v, "user.fredx", 10,
                                           "%M1 t=0: p=1:d a=0:", 19), 0);
    /* unreadable values pass (the decoder rejects and logs them) and
     * never make it read outside the value */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *copy = xstrdup(bad[i]); /* exact size for ASan */
        int may = mboxlist_view_may_show(v, "user.joe", 8, copy,
                                         strlen(copy));
        CU_ASSERT(may == 0 || may == 1);
        free(copy);
    }
    CU_ASSERT_EQUAL(mboxlist_view_may_show(v, "user.joe", 8, "%M1 x", 5), 1);
    mboxlist_view_free(&v);
    mboxlist_view_free(&v); /* NULL is fine */
    for (size_t i = 0; i < 6; i++)
        auth_state_free(&st[i]);
}

/* vis_collect - foreach callback: "name;" when the filter shows it */
static int vis_collect(void *rock, const struct mboxlist_entry *e)
{
    void **r = rock;

    if (!(e->type & (MBTYPE_RESERVE | MBTYPE_DELETED)) &&
        mboxlist_filter_acl(r[1], e))
        buf_printf(r[0], "%s;", e->name);
    return 0;
}

static void test_foreach_visible(void)
{
    const char *be;

    FOR_EACH_BACKEND(be) {
        struct auth_state *st[4];
        struct namespace ns;

        st[0] = auth_state_new("fred", 0);
        st[1] = auth_state_new("sue", 0);
        auth_state_add_group(st[1], "staff");
        st[2] = auth_state_new(NULL, 0);
        st[3] = auth_state_new("root", 1);
        namespace_init(&ns, 0, 0, 0, 0, NULL, NULL, NULL, NULL);
        use_backend("foreach_visible", be);
        fill_list();
        for (size_t i = 0; i < 4; i++) {
            struct mboxlist_aclfilter f = { st[i], &ns, NULL, 0 };
            struct mboxlist_view *v = mboxlist_view_new(&f);
            struct buf all = BUF_INIT, vis = BUF_INIT;
            void *ra[2] = { &all, &f }, *rv[2] = { &vis, &f };

            /* the same answer as the full walk with the exact filter */
            CU_ASSERT_EQUAL(mboxlist_foreach("", vis_collect, ra),
                            MBOXLIST_OK);
            CU_ASSERT_EQUAL(mboxlist_foreach_visible("", v, vis_collect, rv),
                            MBOXLIST_OK);
            CU_ASSERT_STRING_EQUAL(buf_cstring(&vis), buf_cstring(&all));
            if (i == 0)
                CU_ASSERT_STRING_EQUAL(buf_cstring(&vis),
                    "shared;shared.remote;user.fred;user.fred.Drafts;"
                    "user.fred.Sent;user.fred.a.b.c;user.joe;"
                    "user.joe.private.shared;");
            mboxlist_view_free(&v);
            buf_free(&all);
            buf_free(&vis);
        }
        for (size_t i = 0; i < 4; i++)
            auth_state_free(&st[i]);
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

static void setup(void)
{
    char envdir[4096];
    snprintf(envdir, sizeof(envdir), "%s/dbenv", cunit_tmpdir());
    db_init(envdir, 0);
}

static void teardown(void)
{
    mboxlist_close();
    db_done();
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
    { "glob", test_glob },
    { "findall_patterns", test_findall_patterns },
    { "findall_acl", test_findall_acl },
    { "view_prefilter", test_view_prefilter },
    { "foreach_visible", test_foreach_visible },
    { "reader_refresh", test_reader_refresh },
    { "dump_undump", test_dump_undump },
    { "ctl_mboxlist", test_ctl_mboxlist },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = teardown;
