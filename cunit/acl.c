/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/acl.c - unit tests for imap/acl.c and imap/auth_state.c */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit/harness.h"
#include "imap/acl.h"
#include "imap/auth_state.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

/* rights_of - parse s, asserting success */
static unsigned rights_of(const char *s)
{
    unsigned m = 0xdeadbeef;
    const char *error = NULL;
    int r = acl_rights_parse(s, strlen(s), &m, &error);
    CU_ASSERT_EQUAL(r, 1);
    if (r != 1)
        fprintf(stderr, "rights_of(%s): %s\n", s, error);
    return m;
}

/* fmt - rights mask as a string (static buffer, one at a time) */
static const char *fmt(unsigned m, int flags)
{
    static char tmp[ACL_RIGHTS_MAX];
    return acl_rights_str(m, flags, tmp);
}

/* --- rights ------------------------------------------------------------ */

static void test_every_letter(void)
{
    static const struct {
        char letter;
        unsigned bit;
        const char *reply; /* with ACL_FMT_VIRTUAL */
    } t[] = {
        { 'l', ACL_LOOKUP, "l" },     { 'r', ACL_READ, "r" },
        { 's', ACL_SEEN, "s" },       { 'w', ACL_WRITE, "w" },
        { 'i', ACL_INSERT, "i" },     { 'p', ACL_POST, "p" },
        { 'k', ACL_CREATE, "kc" },    { 'x', ACL_DELETEMBOX, "xc" },
        { 't', ACL_DELETEMSG, "td" }, { 'e', ACL_EXPUNGE, "ed" },
        { 'a', ACL_ADMIN, "a" },      { 'n', ACL_ANNOTATE, "n" },
        { '0', ACL_USER(0), "0" },
        { '5', ACL_USER(5), "5" },    { '9', ACL_USER(9), "9" },
    };
    unsigned seen = 0;
    char tmp[ACL_RIGHTS_MAX];

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char in[2] = { t[i].letter, '\0' };
        unsigned m = rights_of(in);
        CU_ASSERT_EQUAL(m, t[i].bit);
        CU_ASSERT_EQUAL(m & seen, 0);        /* each letter its own bit */
        seen |= m;
        CU_ASSERT_STRING_EQUAL(acl_rights_str(m, 0, tmp), in);
        CU_ASSERT_STRING_EQUAL(acl_rights_str(m, ACL_FMT_VIRTUAL, tmp),
                               t[i].reply);
    }
    CU_ASSERT_EQUAL(rights_of("lrswipkxtea"), ACL_STANDARD);
    CU_ASSERT_EQUAL(rights_of("lrswipkxtean0123456789"), ACL_ALL);
    CU_ASSERT_STRING_EQUAL(fmt(ACL_ALL, 0), "lrswipkxtean0123456789");
    CU_ASSERT_STRING_EQUAL(fmt(ACL_ALL, ACL_FMT_VIRTUAL),
                           "lrswipkxtecdan0123456789");
    /* canonical order whatever the input order; duplicates collapse */
    CU_ASSERT_STRING_EQUAL(fmt(rights_of("aetxkpiwsrl"), 0), "lrswipkxtea");
    CU_ASSERT_STRING_EQUAL(fmt(rights_of("rrrl"), 0), "lr");
    CU_ASSERT_EQUAL(rights_of(""), ACL_NONE);
    CU_ASSERT_STRING_EQUAL(fmt(ACL_NONE, ACL_FMT_VIRTUAL), "");
    /* bits outside ACL_ALL never print */
    CU_ASSERT_STRING_EQUAL(fmt(ACL_LOOKUP | (1u << 30), 0), "l");
}

static void test_virtual_rights(void)
{
    /* we are RFC 4314 2.1.1's first group: c = kx, d = te */
    CU_ASSERT_EQUAL(rights_of("c"), ACL_CREATE | ACL_DELETEMBOX);
    CU_ASSERT_EQUAL(rights_of("d"), ACL_DELETEMSG | ACL_EXPUNGE);
    CU_ASSERT_STRING_EQUAL(fmt(rights_of("c"), 0), "kx");
    CU_ASSERT_STRING_EQUAL(fmt(rights_of("d"), 0), "te");
    /* the legacy Cyrus 2.2 owner ACL keeps its meaning */
    CU_ASSERT_STRING_EQUAL(fmt(rights_of("lrswipcda"), 0), "lrswipkxtea");
    /* c and d shown when any member is set, in replies only */
    CU_ASSERT_STRING_EQUAL(fmt(ACL_CREATE, ACL_FMT_VIRTUAL), "kc");
    CU_ASSERT_STRING_EQUAL(fmt(ACL_DELETEMBOX, ACL_FMT_VIRTUAL), "xc");
    CU_ASSERT_STRING_EQUAL(fmt(ACL_DELETEMSG, ACL_FMT_VIRTUAL), "td");
    CU_ASSERT_STRING_EQUAL(fmt(ACL_EXPUNGE, ACL_FMT_VIRTUAL), "ed");
    CU_ASSERT_STRING_EQUAL(fmt(ACL_LOOKUP | ACL_READ, ACL_FMT_VIRTUAL), "lr");
    CU_ASSERT_STRING_EQUAL(fmt(ACL_CREATE, 0), "k");
    /* RFC 4314 3.1 example: Chris lrswi +cda -> lrswicdakxet */
    {
        unsigned m;
        enum acl_mode mode;
        const char *error;
        CU_ASSERT_EQUAL(acl_rights_parse_mod("+cda", &m, &mode, &error), 1);
        CU_ASSERT_EQUAL(mode, ACL_MODE_ADD);
        m = acl_rights_apply(rights_of("lrswi"), mode, m);
        CU_ASSERT_STRING_EQUAL(fmt(m, ACL_FMT_VIRTUAL), "lrswikxtecda");
    }
}

static void test_rights_errors(void)
{
    static const struct {
        const char *in;
        const char *needle; /* must occur in the message */
    } t[] = {
        { "lrQswicda", "'Q'" },    /* RFC 4314 3.1: uppercase is BAD */
        { "lrQ", "uppercase" },
        { "lrqswicda", "'q'" },    /* unsupported right */
        { "b", "'b'" },
        { "l r", "0x20" },
        { "l\tr", "0x09" },
        { "+l", "'+'" },          /* +/- only as the first byte of a mod */
        { "\xff", "0xff" },
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        unsigned m = 12345;
        const char *error = NULL;
        CU_ASSERT_EQUAL(acl_rights_parse(t[i].in, strlen(t[i].in), &m,
                                         &error), -1);
        CU_ASSERT_EQUAL(m, 12345); /* untouched */
        CU_ASSERT_PTR_NOT_NULL_FATAL(error);
        CU_ASSERT_PTR_NOT_NULL(strstr(error, t[i].needle));
    }
}

static void test_mod_rights(void)
{
    static const struct {
        const char *old, *mod, *expect;
        enum acl_mode mode;
    } t[] = {
        { "lrs", "+w", "lrsw", ACL_MODE_ADD },
        { "lrs", "-r", "ls", ACL_MODE_REMOVE },
        { "lrs", "ia", "ia", ACL_MODE_REPLACE },
        { "lrs", "", "", ACL_MODE_REPLACE },
        { "lrs", "+", "lrs", ACL_MODE_ADD },
        { "lrs", "-", "lrs", ACL_MODE_REMOVE },
        { "lrswipkxtea", "-c", "lrswipitea", ACL_MODE_REMOVE },
        { "lrswipkxtea", "-d", "lrswipkxa", ACL_MODE_REMOVE },
        { "", "+c", "kx", ACL_MODE_ADD },
        { "l", "-lrswipkxtea", "", ACL_MODE_REMOVE },
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        unsigned m, res;
        enum acl_mode mode;
        const char *error;
        char want[ACL_RIGHTS_MAX];
        CU_ASSERT_EQUAL_FATAL(acl_rights_parse_mod(t[i].mod, &m, &mode,
                                                   &error), 1);
        CU_ASSERT_EQUAL(mode, t[i].mode);
        res = acl_rights_apply(rights_of(t[i].old), mode, m);
        /* "expect" is written loosely; compare canonical forms */
        acl_rights_str(rights_of(t[i].expect), 0, want);
        CU_ASSERT_STRING_EQUAL(fmt(res, 0), want);
    }
    {
        unsigned m;
        enum acl_mode mode;
        const char *error = NULL;
        CU_ASSERT_EQUAL(acl_rights_parse_mod("+lQ", &m, &mode, &error), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(error, "'Q'"));
        CU_ASSERT_EQUAL(acl_rights_parse_mod("++l", &m, &mode, &error), -1);
        CU_ASSERT_EQUAL(acl_rights_parse_mod("+-l", &m, &mode, &error), -1);
    }
}

static void test_capability_listrights(void)
{
    struct buf b = BUF_INIT;

    CU_ASSERT_STRING_EQUAL(acl_capability(), "RIGHTS=texk");

    acl_listrights(ACL_NONE, &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b),
        "\"\" l r s w i p k x t e c d a n 0 1 2 3 4 5 6 7 8 9");

    buf_reset(&b);
    acl_listrights(rights_of(ACL_DEFAULT_OWNER_RIGHTS), &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b),
        "lkxca r s w i p t e d n 0 1 2 3 4 5 6 7 8 9");

    /* one create member required: c goes with the required set, the
     * other member stays grantable on its own */
    buf_reset(&b);
    acl_listrights(rights_of("lka"), &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b),
        "lkca r s w i p x t e d n 0 1 2 3 4 5 6 7 8 9");

    /* the old Cyrus 2.2 default "lca": same as lkxa */
    buf_reset(&b);
    acl_listrights(rights_of("lca"), &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b),
        "lkxca r s w i p t e d n 0 1 2 3 4 5 6 7 8 9");

    /* no right listed twice, every right listed once */
    buf_reset(&b);
    acl_listrights(rights_of("lre"), &b);
    {
        const char *s = buf_cstring(&b);
        for (const char *p = "lrswipkxtecdan0123456789"; *p; p++) {
            int n = 0;
            for (const char *q = s; *q; q++)
                n += (*q == *p);
            CU_ASSERT_EQUAL(n, 1);
        }
    }
    buf_free(&b);
}

/* --- ACL strings ------------------------------------------------------- */

static void test_parse_format(void)
{
    static const struct {
        const char *in;
        const char *out; /* canonical form */
    } t[] = {
        { "", "" },
        { "fred\tlrswipkxtea\t", "fred\tlrswipkxtea\t" },
        { "fred\taetxkpiwsrl\t", "fred\tlrswipkxtea\t" },
        { "fred\tlrswipcda\t", "fred\tlrswipkxtea\t" },  /* c/d expand */
        { "anyone\tlrs\t-fred\tw\tgroup:staff\tlrswi\t",
          "anyone\tlrs\t-fred\tw\tgroup:staff\tlrswi\t" },
        { "fred\tlr\tbarney\tl\tfred\tw\t",              /* merge dups */
          "fred\tlrw\tbarney\tl\t" },
        { "fred\t\tbarney\tl\t", "barney\tl\t" },          /* empty rights */
        { "anonymous\tlr\t", "anonymous\tlr\t" },
        { "Fred Smith\tl\t", "Fred Smith\tl\t" },         /* case, space */
        { "user@example.com\tlrs0\t", "user@example.com\tlrs0\t" },
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct acl *acl = NULL, *again = NULL;
        struct buf b = BUF_INIT, b2 = BUF_INIT;
        const char *error = NULL;

        CU_ASSERT_EQUAL_FATAL(acl_parse(t[i].in, strlen(t[i].in), &acl,
                                        &error), 1);
        acl_format(acl, &b);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&b), t[i].out);
        /* canonical output is a fixed point */
        CU_ASSERT_EQUAL_FATAL(acl_parse(b.s, b.len, &again, &error), 1);
        acl_format(again, &b2);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&b2), t[i].out);
        CU_ASSERT_EQUAL(acl_validate(t[i].in, strlen(t[i].in), &error), 1);
        acl_free(&acl);
        acl_free(&again);
        CU_ASSERT_PTR_NULL(acl);
        buf_free(&b);
        buf_free(&b2);
    }
}

static void test_parse_malformed(void)
{
    static const struct {
        const char *in;
        const char *needle;
    } t[] = {
        { "fred", "identifier is not TAB" },           /* missing TAB */
        { "fred\t", "odd field count" },               /* odd field count */
        { "fred\tlrs", "rights are not TAB" },          /* missing TAB */
        { "fred\tlrs\tbarney\t", "odd field count" },
        { "fred\tlrs\tbarney", "identifier is not TAB" },
        { "\tlrs\t", "empty identifier" },             /* empty identifier */
        { "-\tlrs\t", "empty identifier" },
        { "--fred\tlrs\t", "second '-'" },
        { "group:\tlrs\t", "empty group" },
        { "fred\tlrsQ\t", "'Q'" },                     /* invalid letters */
        { "fred\tlrsq\t", "'q'" },
        { "fred\tlr s\t", "0x20" },
        { "fr\red\tl\t", "control character" },
        { "fred\tl\t\t", "empty identifier" },
        { "fred\tl\tbarney\tlrZ\t", "barney" },        /* names the entry */
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct acl *acl = NULL;
        const char *error = NULL;
        unsigned rights = 99;
        struct auth_state *st = auth_state_new("fred", 0);

        CU_ASSERT_EQUAL(acl_parse(t[i].in, strlen(t[i].in), &acl, &error),
                        -1);
        CU_ASSERT_PTR_NULL(acl);
        CU_ASSERT_PTR_NOT_NULL_FATAL(error);
        if (strstr(error, t[i].needle) == NULL)
            fprintf(stderr, "case %zu: error <%s>\n", i, error);
        CU_ASSERT_PTR_NOT_NULL(strstr(error, t[i].needle));
        CU_ASSERT_EQUAL(acl_validate(t[i].in, strlen(t[i].in), &error), -1);
        /* evaluation fails closed, even for the parts before the damage */
        CU_ASSERT_EQUAL(acl_evaluate(st, t[i].in, strlen(t[i].in), &rights,
                                     &error), -1);
        CU_ASSERT_EQUAL(rights, ACL_NONE);
        CU_ASSERT_EQUAL(acl_myrights(st, t[i].in), ACL_NONE);
        auth_state_free(&st);
    }
    /* a NUL inside the stored bytes is a control byte, not an end */
    {
        static const char nul[] = "fred\tl\tba\0rney\tl\t";
        const char *error;
        CU_ASSERT_EQUAL(acl_validate(nul, sizeof(nul) - 1, &error), -1);
        /* while the length-bounded prefix alone is valid */
        CU_ASSERT_EQUAL(acl_validate(nul, 7, &error), 1);
    }
}

/* every prefix of a valid ACL is valid exactly at a pair boundary */
static void test_truncation(void)
{
    const char *s = "anyone\tlr\t-fred\tw\tgroup:x\tlrswipkxtea\t";
    size_t len = strlen(s);
    int boundaries = 0;

    for (size_t n = 0; n <= len; n++) {
        const char *error;
        int tabs = 0;
        for (size_t i = 0; i < n; i++)
            tabs += (s[i] == '\t');
        int want = (n == 0 || (s[n - 1] == '\t' && tabs % 2 == 0)) ? 1 : -1;
        boundaries += (want == 1);
        CU_ASSERT_EQUAL(acl_validate(s, n, &error), want);
    }
    CU_ASSERT_EQUAL(boundaries, 4);
}

/* getacl_cb - collect entries as "id=rights;" with virtual rights */
static int getacl_cb(const char *id, unsigned rights, void *rock)
{
    struct buf *b = rock;
    buf_printf(b, "%s=", id);
    acl_rights_format(rights, ACL_FMT_VIRTUAL, b);
    buf_putc(b, ';');
    return 0;
}

/* stop_cb - stop at the second entry */
static int stop_cb(const char *id, unsigned rights, void *rock)
{
    int *n = rock;
    (void)id;
    (void)rights;
    return ++*n == 2 ? 42 : 0;
}

static void test_set_delete(void)
{
    struct acl *acl = acl_new();
    struct buf b = BUF_INIT;
    const char *error = NULL;
    unsigned r;
    int n = 0;

    CU_ASSERT_EQUAL(acl_set(acl, "fred", "lrswipkxtea", &error), 1);
    CU_ASSERT_EQUAL(acl_set(acl, "chris", "lrswi", &error), 1);
    CU_ASSERT_EQUAL(acl_set(acl, "chris", "+cda", &error), 1);
    CU_ASSERT_EQUAL(acl_set(acl, "-fred", "wetd", &error), 1);
    CU_ASSERT_EQUAL(acl_set(acl, "group:team", "w", &error), 1);
    CU_ASSERT_EQUAL(acl_count(acl), 4);
    acl_foreach(acl, getacl_cb, &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b),
        "fred=lrswipkxtecda;chris=lrswikxtecda;-fred=wted;"
        "group:team=w;");
    CU_ASSERT_EQUAL(acl_foreach(acl, stop_cb, &n), 42);
    CU_ASSERT_EQUAL(n, 2);

    /* RFC 4314 3.2: DELETEACL fred leaves -fred alone */
    CU_ASSERT_EQUAL(acl_delete(acl, "fred"), 1);
    CU_ASSERT_EQUAL(acl_delete(acl, "fred"), 0);
    CU_ASSERT_EQUAL(acl_get(acl, "fred", &r), 0);
    CU_ASSERT_EQUAL(acl_get(acl, "-fred", &r), 1);
    CU_ASSERT_STRING_EQUAL(fmt(r, 0), "wte");

    /* -rights removing everything removes the entry; "" likewise */
    CU_ASSERT_EQUAL(acl_set(acl, "chris", "-lrswipkxtea", &error), 1);
    CU_ASSERT_EQUAL(acl_get(acl, "chris", &r), 0);
    CU_ASSERT_EQUAL(acl_set(acl, "group:team", "", &error), 1);
    CU_ASSERT_EQUAL(acl_get(acl, "group:team", &r), 0);
    /* removing from an absent identifier adds nothing */
    CU_ASSERT_EQUAL(acl_set(acl, "nobody", "-l", &error), 1);
    CU_ASSERT_EQUAL(acl_count(acl), 1);
    /* replace */
    CU_ASSERT_EQUAL(acl_set(acl, "-fred", "x", &error), 1);
    buf_reset(&b);
    acl_format(acl, &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "-fred\tx\t");
    /* identifiers are case-sensitive keys */
    CU_ASSERT_EQUAL(acl_set(acl, "Fred", "l", &error), 1);
    CU_ASSERT_EQUAL(acl_get(acl, "fred", &r), 0);
    CU_ASSERT_EQUAL(acl_get(acl, "Fred", &r), 1);

    /* errors leave the ACL unchanged */
    buf_reset(&b);
    acl_format(acl, &b);
    CU_ASSERT_EQUAL(acl_set(acl, "fred", "lrQ", &error), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(error, "'Q'"));
    CU_ASSERT_EQUAL(acl_set(acl, "", "l", &error), -1);
    CU_ASSERT_EQUAL(acl_set(acl, "-", "l", &error), -1);
    CU_ASSERT_EQUAL(acl_set(acl, "a\tb", "l", &error), -1);
    CU_ASSERT_EQUAL(acl_set(acl, "a\nb", "l", &error), -1);
    {
        struct buf after = BUF_INIT;
        acl_format(acl, &after);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&after), buf_cstring(&b));
        buf_free(&after);
    }
    buf_free(&b);
    acl_free(&acl);
    CU_ASSERT_PTR_NULL(acl);
    acl_free(&acl); /* NULL is fine */
}

/* --- auth_state -------------------------------------------------------- */

static void test_auth_state(void)
{
    struct auth_state *fred = auth_state_new("fred", 0);
    struct auth_state *anon = auth_state_new(NULL, 1);
    struct auth_state *anon2 = auth_state_new("Anonymous", 0);

    CU_ASSERT_PTR_NOT_NULL_FATAL(fred);
    CU_ASSERT_PTR_NOT_NULL_FATAL(anon);
    CU_ASSERT_PTR_NOT_NULL_FATAL(anon2);
    CU_ASSERT_TRUE(auth_state_is_anonymous(anon));
    CU_ASSERT_TRUE(auth_state_is_anonymous(anon2));
    CU_ASSERT_FALSE(auth_state_is_admin(anon)); /* never an admin */
    CU_ASSERT_STRING_EQUAL(auth_state_userid(anon), "anonymous");
    CU_ASSERT_FALSE(auth_state_is_anonymous(fred));

    CU_ASSERT_TRUE(auth_state_matches(fred, "fred"));
    CU_ASSERT_FALSE(auth_state_matches(fred, "Fred"));   /* case kept */
    CU_ASSERT_FALSE(auth_state_matches(fred, "fre"));
    CU_ASSERT_FALSE(auth_state_matches(fred, "freddy"));
    CU_ASSERT_FALSE(auth_state_matches(fred, "-fred"));
    CU_ASSERT_FALSE(auth_state_matches(fred, ""));
    CU_ASSERT_TRUE(auth_state_matches(fred, "anyone"));
    CU_ASSERT_TRUE(auth_state_matches(fred, "ANYONE"));
    CU_ASSERT_FALSE(auth_state_matches(fred, "anonymous"));
    CU_ASSERT_TRUE(auth_state_matches(anon, "anyone"));
    CU_ASSERT_TRUE(auth_state_matches(anon, "anonymous"));
    CU_ASSERT_FALSE(auth_state_matches(anon, "fred"));

    CU_ASSERT_FALSE(auth_state_matches(fred, "group:staff"));
    CU_ASSERT_EQUAL(auth_state_add_group(fred, "staff"), 1);
    CU_ASSERT_EQUAL(auth_state_add_group(fred, "group:staff"), 1); /* dup */
    CU_ASSERT_EQUAL(auth_state_add_group(fred, "GROUP:Ops"), 1);
    CU_ASSERT_EQUAL(auth_state_ngroups(fred), 2);
    CU_ASSERT_STRING_EQUAL(auth_state_group(fred, 0), "group:staff");
    CU_ASSERT_STRING_EQUAL(auth_state_group(fred, 1), "group:Ops");
    CU_ASSERT_PTR_NULL(auth_state_group(fred, 2));
    CU_ASSERT_TRUE(auth_state_matches(fred, "group:staff"));
    CU_ASSERT_TRUE(auth_state_matches(fred, "Group:staff"));
    CU_ASSERT_FALSE(auth_state_matches(fred, "group:Staff"));
    CU_ASSERT_FALSE(auth_state_matches(fred, "group:staf"));
    CU_ASSERT_FALSE(auth_state_matches(fred, "staff"));
    CU_ASSERT_TRUE(auth_state_matches(fred, "group:Ops"));
    CU_ASSERT_EQUAL(auth_state_add_group(fred, ""), -1);
    CU_ASSERT_EQUAL(auth_state_add_group(fred, "group:"), -1);
    CU_ASSERT_EQUAL(auth_state_add_group(fred, "a\tb"), -1);

    /* identities that must not log in */
    CU_ASSERT_PTR_NULL(auth_state_new("", 0));
    CU_ASSERT_PTR_NULL(auth_state_new("anyone", 0));
    CU_ASSERT_PTR_NULL(auth_state_new("AnyOne", 1));
    CU_ASSERT_PTR_NULL(auth_state_new("group:staff", 0));
    CU_ASSERT_PTR_NULL(auth_state_new("-fred", 0));
    CU_ASSERT_PTR_NULL(auth_state_new("fr\ted", 0));

    auth_state_free(&fred);
    auth_state_free(&anon);
    auth_state_free(&anon2);
    CU_ASSERT_PTR_NULL(fred);
    auth_state_free(&fred);
}

static void test_canonify(void)
{
    static const struct {
        const char *in;
        int fold;
        const char *out; /* NULL: rejected */
    } t[] = {
        { "Fred", 0, "Fred" },
        { "Fred", 1, "fred" },
        { "-Fred", 1, "-fred" },
        { "ANYONE", 0, "anyone" },
        { "-AnyOne", 0, "-anyone" },
        { "Anonymous", 0, "anonymous" },
        { "GROUP:Staff", 1, "group:Staff" },  /* group names keep case */
        { "user@Example.COM", 1, "user@example.com" },
        { "", 0, NULL },
        { "-", 0, NULL },
        { "--fred", 0, NULL },
        { "group:", 0, NULL },
        { "fr\ted", 0, NULL },
        { "fred\r\n", 0, NULL },
        { "fr\x7f" "ed", 0, NULL },
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char *canon = NULL;
        const char *error = NULL;
        int r = auth_canonify_identifier(t[i].in, t[i].fold, &canon, &error);
        if (t[i].out == NULL) {
            CU_ASSERT_EQUAL(r, -1);
            CU_ASSERT_PTR_NOT_NULL(error);
            CU_ASSERT_PTR_NULL(canon);
        } else {
            CU_ASSERT_EQUAL_FATAL(r, 1);
            CU_ASSERT_STRING_EQUAL(canon, t[i].out);
        }
        free(canon);
    }
    {
        /* the length limit */
        char *big = xmalloc(AUTH_IDENTIFIER_MAX + 2), *canon = NULL;
        const char *error;
        memset(big, 'u', AUTH_IDENTIFIER_MAX + 1);
        big[AUTH_IDENTIFIER_MAX + 1] = '\0';
        CU_ASSERT_EQUAL(auth_canonify_identifier(big, 0, &canon, &error), -1);
        big[AUTH_IDENTIFIER_MAX] = '\0';
        CU_ASSERT_EQUAL(auth_canonify_identifier(big, 0, &canon, &error), 1);
        free(canon);
        free(big);
    }
}

/* --- evaluation -------------------------------------------------------- */

static void test_myrights_table(void)
{
    static const struct {
        const char *user;   /* NULL: anonymous */
        const char *groups; /* space-separated, or NULL */
        const char *acl;
        const char *expect; /* canonical, no virtual rights */
    } t[] = {
        { "fred", NULL, "", "" },
        { "fred", NULL, "fred\tlrs\t", "lrs" },
        { "fred", NULL, "barney\tlrs\t", "" },
        { "fred", NULL, "Fred\tlrs\t", "" },               /* case kept */
        { "fred", NULL, "fred\tl\tanyone\tr\t", "lr" },     /* union */
        { "fred", "staff", "group:staff\tlrsw\tfred\tl\t", "lrsw" },
        { "fred", "staff", "group:other\tlrsw\t", "" },
        /* negative rights remove rights granted by any route */
        { "fred", NULL, "fred\tlrsw\t-fred\tw\t", "lrs" },
        { "fred", NULL, "anyone\tlrsw\t-fred\tsw\t", "lr" },
        { "fred", "staff", "group:staff\tlrswi\t-fred\ti\t", "lrsw" },
        { "fred", "staff", "fred\tlrswi\t-group:staff\tw\t", "lrsi" },
        { "fred", NULL, "-anyone\tw\tfred\tlrsw\t", "lrs" },  /* order-free */
        { "fred", NULL, "-barney\tlrsw\tfred\tlrsw\t", "lrsw" },
        { "fred", NULL, "fred\tlr\t-fred\tlrswipkxtea\t", "" },
        /* anyone includes anonymous; anonymous is only anonymous */
        { NULL, NULL, "anyone\tlr\t", "lr" },
        { NULL, NULL, "anonymous\tlr\t", "lr" },
        { "fred", NULL, "anonymous\tlr\t", "" },
        { NULL, NULL, "anyone\tlrp\t-anonymous\tr\t", "lp" },
        { "fred", NULL, "anyone\tlrp\t-anonymous\tr\t", "lrp" },
        { NULL, NULL, "fred\tlrs\tanonymous\tp\t", "p" },
        /* stored legacy c/d */
        { "fred", NULL, "fred\tlrswipcda\t", "lrswipkxtea" },
        { "fred", NULL, "fred\tlrswipcda\t-fred\tc\t", "lrswipteaa" },
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct auth_state *st = auth_state_new(t[i].user, 0);
        unsigned r;
        const char *error = NULL;
        char want[ACL_RIGHTS_MAX];

        CU_ASSERT_PTR_NOT_NULL_FATAL(st);
        if (t[i].groups != NULL) {
            char *g = xstrdup(t[i].groups), *save = NULL;
            for (char *p = strtok_r(g, " ", &save); p;
                 p = strtok_r(NULL, " ", &save))
                auth_state_add_group(st, p);
            free(g);
        }
        CU_ASSERT_EQUAL(acl_evaluate(st, t[i].acl, strlen(t[i].acl), &r,
                                     &error), 1);
        acl_rights_str(rights_of(t[i].expect), 0, want);
        if (strcmp(fmt(r, 0), want) != 0)
            fprintf(stderr, "case %zu: got <%s> want <%s>\n", i, fmt(r, 0),
                    want);
        CU_ASSERT_STRING_EQUAL(fmt(r, 0), want);
        CU_ASSERT_EQUAL(acl_myrights(st, t[i].acl), r);
        auth_state_free(&st);
    }
}

static void test_implicit_rights(void)
{
    struct auth_state *admin = auth_state_new("cyrus", 1);
    struct auth_state *fred = auth_state_new("fred", 0);
    const char *acl = "fred\tlrs\t-fred\tlrswipkxtea\tcyrus\tr\t";

    /* admin: implicit l and a on every mailbox, nothing more */
    CU_ASSERT_STRING_EQUAL(fmt(acl_myrights(admin, ""), 0), "la");
    CU_ASSERT_STRING_EQUAL(fmt(acl_myrights(admin, NULL), 0), "la");
    CU_ASSERT_STRING_EQUAL(fmt(acl_myrights(admin, acl), 0), "lra");
    /* ... and negative rights cannot take them away */
    CU_ASSERT_STRING_EQUAL(fmt(acl_myrights(admin, "-cyrus\tlra\t"), 0),
                           "la");
    /* not an admin: nothing implicit */
    CU_ASSERT_STRING_EQUAL(fmt(acl_myrights(fred, ""), 0), "");

    /* owner: the implicit_owner_rights string, default lkxa, survives
     * negative rights (an owner cannot lock himself out of admin) */
    CU_ASSERT_STRING_EQUAL(fmt(acl_myrights_owner(fred, acl, NULL), 0),
                           "lkxa");
    CU_ASSERT_STRING_EQUAL(fmt(acl_myrights_owner(fred, "", "lca"), 0),
                           "lkxa");
    CU_ASSERT_STRING_EQUAL(fmt(acl_myrights_owner(fred, "fred\trs\t", "la"),
                               0), "lrsa");
    CU_ASSERT_STRING_EQUAL(fmt(acl_myrights_owner(fred, "fred\trs\t", ""),
                               0), "rs");
    /* a bad implicit string adds nothing (and is logged) */
    CU_ASSERT_STRING_EQUAL(fmt(acl_myrights_owner(fred, "fred\trs\t", "lQ"),
                               0), "rs");
    /* admin owner gets both */
    CU_ASSERT_STRING_EQUAL(fmt(acl_myrights_owner(admin, "", "k"), 0),
                           "lka");
    /* MYRIGHTS reply form */
    CU_ASSERT_STRING_EQUAL(
        fmt(acl_myrights_owner(fred, "", NULL), ACL_FMT_VIRTUAL), "lkxca");
    auth_state_free(&admin);
    auth_state_free(&fred);
}

/* A frontend's LIST filter: only mailboxes with 'l' are shown. */
static void test_lookup_filter(void)
{
    static const struct {
        const char *acl;
        int visible;
    } boxes[] = {
        { "fred\tlrs\t", 1 },
        { "barney\tlrs\t", 0 },
        { "anyone\tl\t-fred\tl\t", 0 },
        { "anyone\tr\t", 0 },              /* read without lookup: hidden */
        { "group:staff\tl\t", 1 },
        { "fred\tl\tbroken", 0 },          /* malformed: hidden */
    };
    struct auth_state *st = auth_state_new("fred", 0);

    auth_state_add_group(st, "staff");
    for (size_t i = 0; i < sizeof(boxes) / sizeof(boxes[0]); i++)
        CU_ASSERT_EQUAL((acl_myrights(st, boxes[i].acl) & ACL_LOOKUP) != 0,
                        boxes[i].visible);
    auth_state_free(&st);
}

/* 1,000 identifiers: parse, edit, format and evaluate stay cheap enough to
 * run many times inside the harness's 20 s alarm (which is the bound). */
static void test_long_acl(void)
{
    struct buf b = BUF_INIT, out = BUF_INIT;
    struct acl *acl = NULL;
    struct auth_state *last = auth_state_new("user999", 0);
    struct auth_state *none = auth_state_new("nobody", 0);
    const char *error = NULL;
    unsigned r;

    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "user%d\t%s\t", i, i % 2 ? "lrs" : "lrswi");
    buf_appendcstr(&b, "-user999\ts\t");
    CU_ASSERT_EQUAL_FATAL(acl_parse(b.s, b.len, &acl, &error), 1);
    CU_ASSERT_EQUAL(acl_count(acl), 1001);
    acl_format(acl, &out);
    CU_ASSERT_EQUAL(out.len, b.len);
    CU_ASSERT_EQUAL(memcmp(out.s, b.s, b.len), 0);

    {
        int ok = 0;
        for (int n = 0; n < 2000; n++) {
            unsigned r1 = 1, r2 = 1;
            acl_evaluate(last, b.s, b.len, &r1, &error);
            acl_evaluate(none, b.s, b.len, &r2, &error);
            ok += (r1 == (ACL_LOOKUP | ACL_READ) && r2 == ACL_NONE);
        }
        CU_ASSERT_EQUAL(ok, 2000);
    }
    CU_ASSERT_EQUAL(acl_myrights(last, buf_cstring(&b)),
                    ACL_LOOKUP | ACL_READ);

    /* SETACL on the last entry and a new one, 1,000 times */
    for (int n = 0; n < 1000; n++) {
        CU_ASSERT_EQUAL(acl_set(acl, "user999", n % 2 ? "+w" : "-w",
                                &error), 1);
    }
    CU_ASSERT_EQUAL(acl_set(acl, "newcomer", "l", &error), 1);
    CU_ASSERT_EQUAL(acl_get(acl, "user999", &r), 1);
    CU_ASSERT_STRING_EQUAL(fmt(r, 0), "lrsw");
    CU_ASSERT_EQUAL(acl_count(acl), 1002);

    acl_free(&acl);
    auth_state_free(&last);
    auth_state_free(&none);
    buf_free(&b);
    buf_free(&out);
}

/* the rights table agrees with the parser, byte for byte */
static void test_right_mask_table(void)
{
    for (unsigned c = 0; c < 256; c++) {
        char s[1] = { (char)c };
        unsigned m = 0;
        const char *err;

        if (acl_rights_parse(s, 1, &m, &err) != 1)
            m = 0;
        CU_ASSERT_EQUAL(acl_right_mask((unsigned char)c), m);
    }
    CU_ASSERT_EQUAL(acl_right_mask('c'), ACL_VIRT_C);
    CU_ASSERT_EQUAL(acl_right_mask('9'), ACL_USER(9));
}

/* acl_may_grant is an upper bound of acl_evaluate, and filters */
static void test_may_grant(void)
{
    static const char *const acls[] = {
        "", "fred\tl\t", "fred\tr\t", "Fred\tl\t", "fred\t\t",
        "anyone\tl\t", "ANYONE\tlr\t", "anonymous\tl\t", "group:staff\tl\t",
        "Group:staff\tlr\t", "group:Staff\tl\t", "-fred\tl\tanyone\tl\t",
        "joe\tlrswipkxtea\tfred\tlr\t", "joe\tlrswipkxtea\t", "fred\tc\t",
        "fred\td\tfred\tl\t", "-anyone\tl\t", "fred\tlQ\t", "fred\tl",
        "fred", "fred\t", "\tl\t", "-\tl\t", "fred\tl\tjoe",
        "group:staff\tr\t-group:staff\tr\t", "fred\tlrswipkxtea0123456789\t",
    };
    static const unsigned needs[] = { 0, ACL_LOOKUP, ACL_READ,
                                      ACL_LOOKUP | ACL_READ, ACL_CREATE,
                                      ACL_DELETEMSG | ACL_EXPUNGE,
                                      ACL_USER(5) };
    struct auth_state *st[4];
    size_t zeros = 0;

    st[0] = auth_state_new("fred", 0);
    st[1] = auth_state_new("fred", 0);
    auth_state_add_group(st[1], "staff");
    st[2] = auth_state_new(NULL, 0);
    st[3] = auth_state_new("joe", 1);
    for (size_t i = 0; i < 4; i++) {
        for (size_t a = 0; a < sizeof(acls) / sizeof(acls[0]); a++) {
            for (size_t n = 0; n < sizeof(needs) / sizeof(needs[0]); n++) {
                char *copy = xstrdup(acls[a]); /* exact size for ASan */
                unsigned r;
                const char *err;
                int may = acl_may_grant(st[i], copy, strlen(copy), needs[n]);

                acl_evaluate(st[i], copy, strlen(copy), &r, &err);
                CU_ASSERT((r & needs[n]) != needs[n] || may == 1);
                zeros += !may;
                free(copy);
            }
        }
    }
    CU_ASSERT(zeros > 100);
    /* specific answers */
    CU_ASSERT_EQUAL(acl_may_grant(st[0], "joe\tlr\t", 7, ACL_LOOKUP), 0);
    CU_ASSERT_EQUAL(acl_may_grant(st[0], "anyone\tr\t", 9, ACL_LOOKUP), 0);
    CU_ASSERT_EQUAL(acl_may_grant(st[0], "group:staff\tl\t", 14,
                                  ACL_LOOKUP), 0);
    CU_ASSERT_EQUAL(acl_may_grant(st[1], "group:staff\tl\t", 14,
                                  ACL_LOOKUP), 1);
    CU_ASSERT_EQUAL(acl_may_grant(st[2], "anonymous\tl\t", 12, ACL_LOOKUP),
                    1);
    CU_ASSERT_EQUAL(acl_may_grant(st[0], "fred\tl\tjoe\tr\t", 13,
                                  ACL_LOOKUP | ACL_READ), 0);
    CU_ASSERT_EQUAL(acl_may_grant(st[0], "fred\tl\tanyone\tr\t", 16,
                                  ACL_LOOKUP | ACL_READ), 1);
    /* len bounds the scan: the "l" past it is not seen */
    CU_ASSERT_EQUAL(acl_may_grant(st[0], "fred\tl\t", 5, ACL_LOOKUP), 0);
    for (size_t i = 0; i < 4; i++)
        auth_state_free(&st[i]);
}

const char *cunit_suite_name = "acl";
void (*cunit_setup)(void);
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "every_letter", test_every_letter },
    { "virtual_rights", test_virtual_rights },
    { "rights_errors", test_rights_errors },
    { "mod_rights", test_mod_rights },
    { "capability_listrights", test_capability_listrights },
    { "parse_format", test_parse_format },
    { "parse_malformed", test_parse_malformed },
    { "truncation", test_truncation },
    { "set_delete", test_set_delete },
    { "auth_state", test_auth_state },
    { "canonify", test_canonify },
    { "myrights_table", test_myrights_table },
    { "implicit_rights", test_implicit_rights },
    { "lookup_filter", test_lookup_filter },
    { "long_acl", test_long_acl },
    { "right_mask_table", test_right_mask_table },
    { "may_grant", test_may_grant },
    CU_TEST_INFO_NULL,
};
