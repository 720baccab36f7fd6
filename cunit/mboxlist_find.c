/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/mboxlist_find.c - unit tests for searching the mailbox list
 * (imap/mboxlist_find.c, imap/mboxlist_view.c): glob matching
 * (table-driven, including patterns that would explode with naive
 * backtracking), findall with and without a viewer INBOX, the ACL filter
 * and \Noselect levels, the raw pre-filter that must never hide what the
 * exact filter shows, and foreach_visible.  Runs over each backend in
 * `backends` with the standard list of cunit/mboxlist_util.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit/harness.h"
#include "cunit/mboxlist_util.h"
#include "imap/acl.h"
#include "imap/auth_state.h"
#include "imap/mboxlist.h"
#include "imap/namespace.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

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

const char *cunit_suite_name = "mboxlist_find";
CU_TestInfo cunit_tests[] = {
    { "glob", test_glob },
    { "findall_patterns", test_findall_patterns },
    { "findall_acl", test_findall_acl },
    { "view_prefilter", test_view_prefilter },
    { "foreach_visible", test_foreach_visible },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = teardown;
