/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/mboxname.c - unit tests for imap/mboxname.c and imap/mboxname_ext.c */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit/harness.h"
#include "imap/mboxname.h"
#include "lib/buf.h"
#include "lib/strarray.h"

/* Which configurations a mapping row applies to. */
#define STD   1  /* standard namespace */
#define ALT   2  /* altnamespace */
#define DOT   4  /* netnews separator '.' */
#define SLASH 8  /* unixhierarchysep '/' */
#define BOTH_NS   (STD | ALT)
#define BOTH_SEPS (DOT | SLASH)

/* A mapping as seen by user "alice" ("alice@example.com" with a domain
 * prefix on every internal name under virtdomains).  In ext and back,
 * '|' stands for the configuration's separator.  in NULL: the external
 * name must be refused.  back: what mboxname_to_external returns for in
 * (NULL: ext itself). */
struct mapping {
    unsigned when;
    const char *ext;
    const char *in;
    const char *back;
};

static const struct mapping mappings[] = {
    /* standard namespace */
    { STD | BOTH_SEPS, "INBOX", "user.alice", NULL },
    { STD | BOTH_SEPS, "inbox", "user.alice", "INBOX" },
    { STD | BOTH_SEPS, "INBOX|Sent", "user.alice.Sent", NULL },
    { STD | BOTH_SEPS, "InBoX|Sent", "user.alice.Sent", "INBOX|Sent" },
    { STD | BOTH_SEPS, "INBOX|a|b", "user.alice.a.b", NULL },
    { STD | BOTH_SEPS, "INBOX|INBOX", "user.alice.INBOX", NULL },
    { STD | BOTH_SEPS, "user|bob", "user.bob", NULL },
    { STD | BOTH_SEPS, "user|bob|x", "user.bob.x", NULL },
    { STD | BOTH_SEPS, "user|alice", "user.alice", "INBOX" },
    { STD | BOTH_SEPS, "user|alice|x", "user.alice.x", "INBOX|x" },
    { STD | BOTH_SEPS, "user|INBOX", "user.INBOX", NULL },
    { STD | BOTH_SEPS, "shared", "shared", NULL },
    { STD | BOTH_SEPS, "shared|folder", "shared.folder", NULL },
    { STD | BOTH_SEPS, "User|bob", "User.bob", NULL },  /* "user" is exact */
    { STD | BOTH_SEPS, "INBOXfoo", "INBOXfoo", NULL },
    { STD | BOTH_SEPS, "Other Users|bob", "Other Users.bob", NULL },
    { STD | BOTH_SEPS, "Entw&APw-rfe", "Entw&APw-rfe", NULL },
    { STD | BOTH_SEPS, "~x|a b", "~x.a b", NULL },
    { STD | BOTH_SEPS, "user", NULL, NULL },
    { STD | BOTH_SEPS, "user|", NULL, NULL },
    { STD | BOTH_SEPS, "user|bob&x", NULL, NULL },        /* bad userid */
    { STD | BOTH_SEPS, "inbox|x|inbox|", NULL, NULL },
    /* altnamespace */
    { ALT | BOTH_SEPS, "INBOX", "user.alice", NULL },
    { ALT | BOTH_SEPS, "Inbox", "user.alice", "INBOX" },
    { ALT | BOTH_SEPS, "Sent", "user.alice.Sent", NULL },
    { ALT | BOTH_SEPS, "INBOX|Sent", "user.alice.Sent", "Sent" },
    { ALT | BOTH_SEPS, "a|b", "user.alice.a.b", NULL },
    { ALT | BOTH_SEPS, "user|bob", "user.alice.user.bob", NULL },
    { ALT | BOTH_SEPS, "shared|folder", "user.alice.shared.folder", NULL },
    { ALT | BOTH_SEPS, "INBOX|INBOX", "user.alice.INBOX", NULL },
    { ALT | BOTH_SEPS, "INBOX|inbox|x", "user.alice.inbox.x", NULL },
    { ALT | BOTH_SEPS, "INBOX|Other Users", "user.alice.Other Users", NULL },
    { ALT | BOTH_SEPS, "INBOX|Shared Folders|x", "user.alice.Shared Folders.x",
      NULL },
    { ALT | BOTH_SEPS, "other users", "user.alice.other users", NULL },
    { ALT | BOTH_SEPS, "Other Users|bob", "user.bob", NULL },
    { ALT | BOTH_SEPS, "Other Users|bob|x", "user.bob.x", NULL },
    { ALT | BOTH_SEPS, "Other Users|alice", "user.alice", "INBOX" },
    { ALT | BOTH_SEPS, "Other Users|alice|x", "user.alice.x", "x" },
    { ALT | BOTH_SEPS, "Shared Folders|shared|folder", "shared.folder", NULL },
    { ALT | BOTH_SEPS, "Shared Folders|x", "x", NULL },
    { ALT | BOTH_SEPS, "Shared Folders|INBOXfoo", "INBOXfoo", NULL },
    { ALT | BOTH_SEPS, "Other Users", NULL, NULL },
    { ALT | BOTH_SEPS, "Other Users|", NULL, NULL },
    { ALT | BOTH_SEPS, "Shared Folders", NULL, NULL },
    { ALT | BOTH_SEPS, "Shared Folders|user|bob", NULL, NULL },
    { ALT | BOTH_SEPS, "Shared Folders|user", NULL, NULL },
    { ALT | BOTH_SEPS, "Shared Folders|INBOX", NULL, NULL },
    { ALT | BOTH_SEPS, "Shared Folders|inbox|x", NULL, NULL },
    { ALT | BOTH_SEPS, "Sent|", NULL, NULL },
    /* both namespaces */
    { BOTH_NS | BOTH_SEPS, "", NULL, NULL },
    { BOTH_NS | BOTH_SEPS, "|", NULL, NULL },
    { BOTH_NS | BOTH_SEPS, "INBOX|", NULL, NULL },
    { BOTH_NS | BOTH_SEPS, "|INBOX", NULL, NULL },
    { BOTH_NS | BOTH_SEPS, "INBOX||x", NULL, NULL },
    { BOTH_NS | BOTH_SEPS, "INBOX|&APx-", NULL, NULL },     /* bad mUTF-7 */
    { BOTH_NS | BOTH_SEPS, "INBOX|&AEE-", NULL, NULL },     /* encoded 'A' */
    { BOTH_NS | BOTH_SEPS, "INBOX|&AAE-", NULL, NULL },     /* control */
    { BOTH_NS | BOTH_SEPS, "INBOX|a*b", NULL, NULL },
    { BOTH_NS | BOTH_SEPS, "INBOX|a%b", NULL, NULL },
    { BOTH_NS | BOTH_SEPS, "INBOX|a\"b", NULL, NULL },
    { BOTH_NS | BOTH_SEPS, "INBOX|a\\b", NULL, NULL },
    { BOTH_NS | BOTH_SEPS, "INBOX|a!b", NULL, NULL },
    { BOTH_NS | BOTH_SEPS, "INBOX|a\tb", NULL, NULL },
    { BOTH_NS | BOTH_SEPS, "INBOX|\xc3\xa9", NULL, NULL },  /* raw 8-bit */
    { BOTH_NS | BOTH_SEPS, "Sent!x", NULL, NULL },
    { STD | BOTH_SEPS, "INBOX|&AOk-", "user.alice.&AOk-", NULL },
    { ALT | BOTH_SEPS, "&AOk-|&AOk-&-", "user.alice.&AOk-.&AOk-&-", NULL },
    /* a '.' inside a name: '^' internally */
    { STD | SLASH, "INBOX|a.b", "user.alice.a^b", NULL },
    { ALT | SLASH, "a.b|c", "user.alice.a^b.c", NULL },
    { STD | SLASH, "user|john.doe|x", "user.john^doe.x", NULL },
    { ALT | SLASH, "Other Users|john.doe", "user.john^doe", NULL },
    { STD | SLASH, "a.b", "a^b", NULL },
    { BOTH_NS | SLASH, "INBOX|a^b", NULL, NULL },
    { STD | SLASH, "x^y", NULL, NULL },
    { STD | DOT, "INBOX|a^b", "user.alice.a^b", NULL },
    { STD | DOT, "user|john^doe|x", "user.john^doe.x", NULL },
    { ALT | DOT, "Other Users|john^doe", "user.john^doe", NULL },
    { STD | DOT, "a^b", "a^b", NULL },
    { BOTH_NS | DOT, "INBOX|a/b", NULL, NULL },
    { STD | DOT, "a/b", NULL, NULL },
};

/* subst - copy s with '|' replaced by sep (static storage per slot) */
static const char *subst(const char *s, char sep, int slot)
{
    static char out[2][256];
    size_t i;

    for (i = 0; s[i] && i < sizeof(out[0]) - 1; i++)
        out[slot][i] = s[i] == '|' ? sep : s[i];
    out[slot][i] = '\0';
    return out[slot];
}

/* check_mapping - one row under one configuration; returns failures */
static int check_mapping(const struct mapping *m, int alt, int unixsep, int vd)
{
    struct namespace ns;
    char sep = unixsep ? '/' : '.';
    const char *userid = vd ? "alice@example.com" : "alice";
    const char *ext = subst(m->ext, sep, 0);
    const char *back = subst(m->back ? m->back : m->ext, sep, 1);
    char want[600], *in = NULL, *in2 = NULL, *ext2 = NULL;
    const char *err = NULL;
    int fail = 0, r;

    CU_ASSERT_FATAL(namespace_init(&ns, alt, unixsep, vd, 0, NULL, NULL,
                                   NULL, NULL) == 1);
    r = mboxname_to_internal(&ns, ext, userid, &in, &err);
    if (!m->in) {
        fail = r != -1 || in != NULL || err == NULL;
    } else {
        snprintf(want, sizeof(want), "%s%s", vd ? "example.com!" : "", m->in);
        fail = r != 1 || !in || strcmp(in, want) != 0;
        if (!fail) {
            ext2 = mboxname_to_external(&ns, in, userid);
            fail = !ext2 || strcmp(ext2, back) != 0 ||
                   mboxname_to_internal(&ns, ext2, userid, &in2, NULL) != 1 ||
                   strcmp(in2, in) != 0;
        }
    }
    if (fail)
        fprintf(stderr, "\nmapping failed: alt=%d sep=%c vd=%d ext=<%s> "
                "got=<%s> err=<%s> back=<%s>\n", alt, sep, vd, ext,
                in ? in : "(null)", err ? err : "", ext2 ? ext2 : "(null)");
    free(in);
    free(in2);
    free(ext2);
    return fail;
}

static void test_mappings(void)
{
    int failures = 0, checked = 0;

    for (size_t i = 0; i < sizeof(mappings) / sizeof(mappings[0]); i++)
        for (int alt = 0; alt < 2; alt++)
            for (int unixsep = 0; unixsep < 2; unixsep++)
                for (int vd = 0; vd < 2; vd++) {
                    unsigned w = mappings[i].when;
                    if (!(w & (alt ? ALT : STD)) ||
                        !(w & (unixsep ? SLASH : DOT)))
                        continue;
                    failures += check_mapping(&mappings[i], alt, unixsep, vd);
                    checked++;
                }
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT(checked > 300);
}

/* to_int - mboxname_to_internal, returning the name or "ERR" (static) */
static const char *to_int(const struct namespace *ns, const char *ext,
                          const char *userid)
{
    static char out[600];
    char *in = NULL;

    if (mboxname_to_internal(ns, ext, userid, &in, NULL) != 1)
        return "ERR";
    snprintf(out, sizeof(out), "%s", in);
    free(in);
    return out;
}

/* to_ext - mboxname_to_external, returning the name or "NULL" (static) */
static const char *to_ext(const struct namespace *ns, const char *in,
                          const char *userid)
{
    static char out[600];
    char *e = mboxname_to_external(ns, in, userid);

    snprintf(out, sizeof(out), "%s", e ? e : "NULL");
    free(e);
    return out;
}

static void test_virtdomains(void)
{
    struct namespace ns, nsd;

    namespace_init(&ns, 0, 1, 1, 1, NULL, NULL, NULL, NULL);
    /* a global admin names other domains with a suffix */
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "user/bob/Sent@example.com", "admin"),
                           "example.com!user.bob.Sent");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "example.com!user.bob.Sent", "admin"),
                           "user/bob/Sent@example.com");
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "user/bob@Example.COM", "admin"),
                           "example.com!user.bob");
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "shared/x@example.com", NULL),
                           "example.com!shared.x");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "example.com!shared.x", NULL),
                           "shared/x@example.com");
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "user/bob", "admin"), "user.bob");
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "INBOX", "admin"), "user.admin");
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "INBOX@example.com", "admin"), "ERR");
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "x@bad..dom", "admin"), "ERR");
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "x@", "admin"), "ERR");
    /* a '@' in a default-domain name cannot be shown to a global viewer */
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "a@b", "admin"), "NULL");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "example.com!a@b", "admin"),
                           "a@b@example.com");
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "a@b@example.com", "admin"),
                           "example.com!a@b");
    /* '.' separator: the domain keeps its dots after the '@' */
    namespace_init(&ns, 0, 0, 1, 1, NULL, NULL, NULL, NULL);
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "user.bob.Sent@example.com", "admin"),
                           "example.com!user.bob.Sent");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "example.com!user.bob.Sent", "admin"),
                           "user.bob.Sent@example.com");

    /* a domain user sees only its own domain */
    namespace_init(&nsd, 1, 1, 1, 0, NULL, NULL, "example.org", NULL);
    CU_ASSERT_STRING_EQUAL(to_ext(&nsd, "other.com!user.bob", "alice@example.com"),
                           "NULL");
    CU_ASSERT_STRING_EQUAL(to_ext(&nsd, "user.bob", "alice@example.com"), "NULL");
    CU_ASSERT_STRING_EQUAL(to_int(&nsd, "Other Users/bob@other.com",
                                  "alice@example.com"), "ERR");
    CU_ASSERT_STRING_EQUAL(to_int(&nsd, "Sent@other.com", "alice@example.com"),
                           "example.com!user.alice.Sent@other^com");
    /* the defaultdomain is stored without a domain */
    CU_ASSERT_STRING_EQUAL(to_int(&nsd, "INBOX", "alice@EXAMPLE.org"),
                           "user.alice");
    CU_ASSERT_STRING_EQUAL(to_ext(&nsd, "user.alice.x", "alice@example.org"), "x");
    CU_ASSERT_STRING_EQUAL(to_ext(&nsd, "user.bob", "alice@example.org"),
                           "Other Users/bob");
    CU_ASSERT_STRING_EQUAL(to_int(&nsd, "INBOX", "alice@Example.COM"),
                           "example.com!user.alice");
    namespace_init(&ns, 0, 1, 1, 1, NULL, NULL, "example.org", NULL);
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "user/bob@example.org", "admin"),
                           "user.bob");

    /* without virtdomains '@' is an ordinary character */
    namespace_init(&ns, 0, 1, 0, 0, NULL, NULL, NULL, NULL);
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "INBOX", "alice@example.com"),
                           "user.alice@example^com");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "user.alice@example^com", "alice@example.com"),
                           "INBOX");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "user.alice@example^com", "bob"),
                           "user/alice@example.com");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "example.com!user.bob", "bob"), "NULL");
}

static void test_viewers(void)
{
    struct namespace ns;

    /* nobody logged in: no INBOX, no personal names */
    namespace_init(&ns, 1, 1, 0, 0, NULL, NULL, NULL, NULL);
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "INBOX", NULL), "ERR");
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "Sent", NULL), "ERR");
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "Other Users/bob", NULL), "user.bob");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "user.bob", NULL), "Other Users/bob");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "x", NULL), "Shared Folders/x");
    /* an invalid viewer */
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "INBOX", "a/b"), "ERR");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "user.bob", "a/b"), "NULL");
    /* a malformed internal name */
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "user", "alice"), "NULL");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "a..b", "alice"), "NULL");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "EX.COM!user.bob", "alice"), "NULL");
    /* admins always get the standard namespace */
    namespace_init(&ns, 1, 1, 0, 1, NULL, NULL, NULL, NULL);
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "Sent", "admin"), "Sent");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "user.admin.Sent", "admin"),
                           "INBOX/Sent");
    /* configured prefixes */
    namespace_init(&ns, 1, 1, 0, 0, "Others", "Public", NULL, NULL);
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "Others/bob/x", "alice"), "user.bob.x");
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "Public/x", "alice"), "x");
    CU_ASSERT_STRING_EQUAL(to_int(&ns, "Other Users/bob", "alice"),
                           "user.alice.Other Users.bob");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "user.alice.Other Users.bob", "alice"),
                           "Other Users/bob");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "user.alice.Public", "alice"),
                           "INBOX/Public");
    CU_ASSERT_STRING_EQUAL(to_ext(&ns, "user.bob", "alice"), "Others/bob");
}

static void test_length(void)
{
    struct namespace ns;
    char ext[600], in[600];

    namespace_init(&ns, 0, 1, 0, 0, NULL, NULL, NULL, NULL);
    /* "user.alice." is 11 bytes: 479 more make MBOXNAME_MAX_LEN */
    memset(in, 'x', sizeof(in));
    memcpy(in, "user.alice.", 11);
    in[MBOXNAME_MAX_LEN] = '\0';
    CU_ASSERT_EQUAL(mboxname_policycheck(in, NULL), 1);
    snprintf(ext, sizeof(ext), "INBOX/%s", in + 11);
    CU_ASSERT_STRING_EQUAL(to_int(&ns, ext, "alice"), in);
    in[MBOXNAME_MAX_LEN] = 'x';
    in[MBOXNAME_MAX_LEN + 1] = '\0';
    CU_ASSERT_EQUAL(mboxname_policycheck(in, NULL), -1);
    snprintf(ext, sizeof(ext), "INBOX/%s", in + 11);
    CU_ASSERT_STRING_EQUAL(to_int(&ns, ext, "alice"), "ERR");
}

static const struct {
    const char *name;
    int ok;
} policy[] = {
    { "user.alice", 1 },
    { "user.alice.Sent", 1 },
    { "user.john^doe.a^b", 1 },
    { "shared", 1 },
    { "shared.a b.~c", 1 },
    { "example.com!user.alice", 1 },
    { "example.com!shared", 1 },
    { "a.&AOk-", 1 },
    { "a.&-", 1 },
    { "user.alice@x^y", 1 },
    { "", 0 },
    { "user", 0 },
    { "user.", 0 },
    { ".a", 0 },
    { "a.", 0 },
    { "a..b", 0 },
    { "INBOX", 0 },
    { "Inbox.x", 0 },
    { "a/b", 0 },
    { "a*b", 0 },
    { "a%b", 0 },
    { "a\"b", 0 },
    { "a\\b", 0 },
    { "a!b!c", 0 },
    { "!a", 0 },
    { "Example.com!a", 0 },
    { "ex..com!a", 0 },
    { "example.com!", 0 },
    { "example.com!user", 0 },
    { "a\x01", 0 },
    { "a\x7f", 0 },
    { "a\xc3\xa9", 0 },
    { "a.&APx-", 0 },
    { "a.&AEE-", 0 },
    { "a.&AAE-", 0 },           /* U+0001 */
    { "a.&AJ8-", 0 },           /* U+009F, a C1 control */
    { "a.&AKA-", 1 },           /* U+00A0 is fine */
    { "user.a&b", 0 },          /* '&' in a userid */
    { "user.a b", 0 },          /* space in a userid */
};

static void test_policy(void)
{
    for (size_t i = 0; i < sizeof(policy) / sizeof(policy[0]); i++) {
        const char *err = NULL;
        int r = mboxname_policycheck(policy[i].name, &err);
        CU_ASSERT_EQUAL(r, policy[i].ok ? 1 : -1);
        if (r != (policy[i].ok ? 1 : -1))
            fprintf(stderr, "\npolicy wrong for <%s>\n", policy[i].name);
        if (!policy[i].ok)
            CU_ASSERT_PTR_NOT_NULL(err);
    }
}

static void test_userid(void)
{
    struct namespace ns, nsvd;
    char longid[300];

    namespace_init(&ns, 0, 1, 0, 0, NULL, NULL, NULL, NULL);
    namespace_init(&nsvd, 0, 1, 1, 0, NULL, NULL, NULL, NULL);
    CU_ASSERT_EQUAL(mboxname_userid_valid(&ns, "alice", NULL), 1);
    CU_ASSERT_EQUAL(mboxname_userid_valid(&ns, "john.doe", NULL), 1);
    CU_ASSERT_EQUAL(mboxname_userid_valid(&ns, "a@b@c", NULL), 1);
    CU_ASSERT_EQUAL(mboxname_userid_valid(&nsvd, "a@b@c", NULL), -1);
    CU_ASSERT_EQUAL(mboxname_userid_valid(&nsvd, "a@example.com", NULL), 1);
    CU_ASSERT_EQUAL(mboxname_userid_valid(&nsvd, "@example.com", NULL), -1);
    CU_ASSERT_EQUAL(mboxname_userid_valid(&nsvd, "a@", NULL), -1);
    CU_ASSERT_EQUAL(mboxname_userid_valid(&nsvd, "a@-x.com", NULL), -1);
    for (const char *p = "^/!%*\"\\& \t\x7f\x80"; *p; p++) {
        char id[8];
        snprintf(id, sizeof(id), "a%cb", *p);
        CU_ASSERT_EQUAL(mboxname_userid_valid(&ns, id, NULL), -1);
    }
    CU_ASSERT_EQUAL(mboxname_userid_valid(&ns, "", NULL), -1);
    memset(longid, 'a', sizeof(longid));
    longid[MBOXNAME_USERID_MAX] = '\0';
    CU_ASSERT_EQUAL(mboxname_userid_valid(&ns, longid, NULL), 1);
    longid[MBOXNAME_USERID_MAX] = 'a';
    longid[MBOXNAME_USERID_MAX + 1] = '\0';
    CU_ASSERT_EQUAL(mboxname_userid_valid(&ns, longid, NULL), -1);

    CU_ASSERT_EQUAL(mboxname_domain_valid("example.com"), 1);
    CU_ASSERT_EQUAL(mboxname_domain_valid("a-b.c0"), 1);
    CU_ASSERT_EQUAL(mboxname_domain_valid(""), 0);
    CU_ASSERT_EQUAL(mboxname_domain_valid("a..b"), 0);
    CU_ASSERT_EQUAL(mboxname_domain_valid(".a"), 0);
    CU_ASSERT_EQUAL(mboxname_domain_valid("a."), 0);
    CU_ASSERT_EQUAL(mboxname_domain_valid("-a.b"), 0);
    CU_ASSERT_EQUAL(mboxname_domain_valid("a-.b"), 0);
    CU_ASSERT_EQUAL(mboxname_domain_valid("a_b.c"), 0);
}

static void test_helpers(void)
{
    struct namespace ns;
    struct strarray sa = STRARRAY_INIT;
    struct mboxname_parts parts;
    char *s;

    namespace_init(&ns, 1, 1, 1, 0, NULL, NULL, "example.org", NULL);
    s = mboxname_user_inbox(&ns, "john.doe@Example.COM");
    CU_ASSERT_STRING_EQUAL(s, "example.com!user.john^doe");
    free(s);
    s = mboxname_user_inbox(&ns, "alice@example.org");
    CU_ASSERT_STRING_EQUAL(s, "user.alice");
    free(s);
    CU_ASSERT_PTR_NULL(mboxname_user_inbox(&ns, "a/b"));

    CU_ASSERT_EQUAL(mboxname_is_user("user.alice"), 1);
    CU_ASSERT_EQUAL(mboxname_is_user("d.com!user.alice.x"), 1);
    CU_ASSERT_EQUAL(mboxname_is_user("user"), 0);
    CU_ASSERT_EQUAL(mboxname_is_user("userx.a"), 0);
    CU_ASSERT_EQUAL(mboxname_is_user("shared.user.a"), 0);
    CU_ASSERT_EQUAL(mboxname_is_inbox("user.alice"), 1);
    CU_ASSERT_EQUAL(mboxname_is_inbox("d.com!user.alice"), 1);
    CU_ASSERT_EQUAL(mboxname_is_inbox("user.alice.x"), 0);
    CU_ASSERT_EQUAL(mboxname_is_inbox("shared"), 0);

    s = mboxname_to_userid("d.com!user.john^doe.Sent");
    CU_ASSERT_STRING_EQUAL(s, "john.doe@d.com");
    free(s);
    s = mboxname_to_userid("user.bob");
    CU_ASSERT_STRING_EQUAL(s, "bob");
    free(s);
    CU_ASSERT_PTR_NULL(mboxname_to_userid("shared.user.bob"));
    CU_ASSERT_PTR_NULL(mboxname_to_userid("user"));

    CU_ASSERT_EQUAL(mboxname_is_owner(&ns, "user.alice.x", "alice"), 1);
    CU_ASSERT_EQUAL(mboxname_is_owner(&ns, "user.alice.x", "alice@example.org"), 1);
    CU_ASSERT_EQUAL(mboxname_is_owner(&ns, "user.alice", "alice"), 1);
    CU_ASSERT_EQUAL(mboxname_is_owner(&ns, "user.alicex", "alice"), 0);
    CU_ASSERT_EQUAL(mboxname_is_owner(&ns, "example.com!user.alice", "alice"), 0);
    CU_ASSERT_EQUAL(mboxname_is_owner(&ns, "example.com!user.alice.x",
                                      "alice@example.com"), 1);
    CU_ASSERT_EQUAL(mboxname_is_owner(&ns, "shared", "alice"), 0);

    s = mboxname_parent("user.alice.a.b");
    CU_ASSERT_STRING_EQUAL(s, "user.alice.a");
    free(s);
    s = mboxname_parent("d.com!user.alice.a");
    CU_ASSERT_STRING_EQUAL(s, "d.com!user.alice");
    free(s);
    s = mboxname_parent("d.com!shared.x");
    CU_ASSERT_STRING_EQUAL(s, "d.com!shared");
    free(s);
    CU_ASSERT_PTR_NULL(mboxname_parent("user.alice"));
    CU_ASSERT_PTR_NULL(mboxname_parent("d.com!user.alice"));
    CU_ASSERT_PTR_NULL(mboxname_parent("shared"));
    CU_ASSERT_PTR_NULL(mboxname_parent("d.com!shared"));

    CU_ASSERT_EQUAL(mboxname_is_child("user.alice.x", "user.alice"), 1);
    CU_ASSERT_EQUAL(mboxname_is_child("user.alice.x.y", "user.alice"), 1);
    CU_ASSERT_EQUAL(mboxname_is_child("user.alice", "user.alice"), 0);
    CU_ASSERT_EQUAL(mboxname_is_child("user.alicex", "user.alice"), 0);
    CU_ASSERT_EQUAL(mboxname_is_child("user.alice", "user.alice.x"), 0);
    CU_ASSERT_EQUAL(mboxname_is_child("d.com!a.b", "d.com!a"), 1);
    CU_ASSERT_EQUAL(mboxname_is_child("d.com!a.b", "a"), 0);
    CU_ASSERT_EQUAL(mboxname_is_child("a.b", "d.com!a"), 0);
    CU_ASSERT_EQUAL(mboxname_is_child("d.com!a.b", "d"), 0);
    CU_ASSERT_EQUAL(mboxname_is_child("e.com!a.b", "d.com!a"), 0);

    mboxname_split("d.com!user.john^doe.Sent", &sa);
    CU_ASSERT_EQUAL(sa.count, 3);
    CU_ASSERT_STRING_EQUAL(sa.data[0], "user");
    CU_ASSERT_STRING_EQUAL(sa.data[1], "john^doe");
    CU_ASSERT_STRING_EQUAL(sa.data[2], "Sent");
    strarray_fini(&sa);

    CU_ASSERT_EQUAL(mboxname_parse("d.com!user.john^doe.a^b.c", &parts, NULL), 1);
    CU_ASSERT_STRING_EQUAL(parts.domain, "d.com");
    CU_ASSERT_STRING_EQUAL(parts.userid, "john.doe@d.com");
    CU_ASSERT_EQUAL(parts.boxes.count, 2);
    CU_ASSERT_STRING_EQUAL(parts.boxes.data[0], "a^b");
    mboxname_parts_fini(&parts);
    CU_ASSERT_EQUAL(mboxname_parse("shared.x", &parts, NULL), 1);
    CU_ASSERT_PTR_NULL(parts.domain);
    CU_ASSERT_PTR_NULL(parts.userid);
    CU_ASSERT_EQUAL(parts.boxes.count, 2);
    mboxname_parts_fini(&parts);
    CU_ASSERT_EQUAL(mboxname_parse("a..b", &parts, NULL), -1);
    mboxname_parts_fini(&parts);
}

static void test_spool_path(void)
{
    static const struct {
        const char *name;
        int hashed;
        const char *path;
    } t[] = {
        { "user.alice.Sent", 0, "user/alice/Sent" },
        { "user.alice.Sent", 1, "a/user/alice/Sent" },
        { "user.Alice", 1, "a/user/Alice" },
        { "user.9lives", 1, "q/user/9lives" },
        { "user.john^doe.a^^b", 0, "user/john^doe/a^^b" },
        { "shared.x", 0, "shared/x" },
        { "shared.x", 1, "s/shared/x" },
        { "&AOk-t&AOk-", 1, "q/&AOk-t&AOk-" },
        { "example.com!user.bob", 0, "domain/example.com/user/bob" },
        { "example.com!user.bob", 1, "domain/e/example.com/b/user/bob" },
        { "8x.com!shared", 1, "domain/q/8x.com/s/shared" },
    };
    struct buf b = BUF_INIT;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        CU_ASSERT_EQUAL(mboxname_spool_path(t[i].name, t[i].hashed, &b, NULL), 1);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&b), t[i].path);
    }
    /* never a path from a name that fails policy */
    CU_ASSERT_EQUAL(mboxname_spool_path("a/../b", 0, &b, NULL), -1);
    CU_ASSERT_EQUAL(mboxname_spool_path("a..b", 0, &b, NULL), -1);
    CU_ASSERT_EQUAL(b.len, 0);
    buf_free(&b);
}

const char *cunit_suite_name = "mboxname";
void (*cunit_setup)(void);
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "mappings", test_mappings },
    { "virtdomains", test_virtdomains },
    { "viewers", test_viewers },
    { "length", test_length },
    { "policy", test_policy },
    { "userid", test_userid },
    { "helpers", test_helpers },
    { "spool_path", test_spool_path },
    CU_TEST_INFO_NULL,
};
