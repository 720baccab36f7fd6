/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxname.c - internal mailbox names: parsing, policy, ownership,
 * hierarchy and spool paths.
 *
 * Used by every mail daemon and tool (imapd, proxyd, lmtpd, mupdate,
 * ctl_mboxlist, reconstruct).  The conversion to and from what clients
 * see lives in imap/mboxname_ext.c.  No global state; errors are -1 plus
 * a static message (see imap/mboxname.h), never logged here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/mboxname.h"
#include "imap/mboxname_internal.h"
#include "imap/mutf7.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

/* Bytes never allowed in a component (see the policy in mboxname.h). */
#define MBOXNAME_BADCHARS "%*\"\\/!"
/* ... nor in a userid. */
#define USERID_BADCHARS "^/!%*\"\\&"

int mboxname_domain_valid(const char *d)
{
    size_t total = 0, label = 0;

    for (const char *p = d; ; p++, total++) {
        if (*p == '.' || *p == '\0') {
            if (label == 0 || label > 63 || p[-1] == '-')
                return 0;
            if (*p == '\0')
                break;
            label = 0;
            continue;
        }
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || (*p == '-' && label > 0)))
            return 0;
        label++;
    }
    return total <= 253;
}

/* local_check - the rules for the local part of a userid */
static const char *local_check(const char *local, size_t len)
{
    if (len == 0)
        return "empty userid";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)local[i];
        if (c <= 0x20 || c > 0x7e || strchr(USERID_BADCHARS, c))
            return "userid contains a forbidden character";
    }
    return NULL;
}

int mboxname_userid_valid(const struct namespace *ns, const char *userid,
                          const char **error_r)
{
    size_t len = strlen(userid);
    const char *at = ns->virtdomains ? strrchr(userid, '@') : NULL;
    const char *err;

    if (len > MBOXNAME_USERID_MAX)
        err = "userid is too long";
    else if (at && !mboxname_domain_valid(at + 1))
        err = "userid has an invalid domain";
    else if (at && memchr(userid, '@', (size_t)(at - userid)))
        err = "userid has more than one '@'";
    else
        err = local_check(userid, at ? (size_t)(at - userid) : len);
    if (err) {
        if (error_r)
            *error_r = err;
        return -1;
    }
    return 1;
}

int mboxname_userid_split(const struct namespace *ns, const char *userid,
                          char **local_r, char **domain_r,
                          const char **error_r)
{
    const char *at;

    *local_r = *domain_r = NULL;
    if (mboxname_userid_valid(ns, userid, error_r) < 0)
        return -1;
    at = ns->virtdomains ? strrchr(userid, '@') : NULL;
    if (!at) {
        *local_r = xstrdup(userid);
        return 1;
    }
    *local_r = xstrndup(userid, (size_t)(at - userid));
    if (str_casecmp(at + 1, ns->defaultdomain) != 0)
        *domain_r = str_lcase(xstrdup(at + 1));
    return 1;
}

void mboxname_put_escaped(struct buf *out, const char *s, char from,
                          char to)
{
    for (; *s; s++)
        buf_putc(out, *s == from ? to : *s);
}

char *mboxname_user_inbox(const struct namespace *ns, const char *userid)
{
    struct buf out = BUF_INIT;
    char *local, *domain;

    if (mboxname_userid_split(ns, userid, &local, &domain, NULL) < 0)
        return NULL;
    if (domain)
        buf_printf(&out, "%s!", domain);
    buf_appendcstr(&out, "user.");
    mboxname_put_escaped(&out, local, '.', '^');
    free(local);
    free(domain);
    return buf_release(&out);
}

/* mboxname_split_sep - split s on sep into out, keeping empty fields */
void mboxname_split_sep(const char *s, char sep, struct strarray *out)
{
    const char *p;

    while ((p = strchr(s, sep)) != NULL) {
        strarray_appendm(out, xstrndup(s, (size_t)(p - s)));
        s = p + 1;
    }
    strarray_append(out, s);
}

/* name_rest - the part of internal after the domain separator */
static const char *name_rest(const char *internal)
{
    const char *bang = strchr(internal, '!');
    return bang ? bang + 1 : internal;
}

int mboxname_parse(const char *internal, struct mboxname_parts *parts,
                   const char **error_r)
{
    const char *rest = name_rest(internal), *err = NULL;
    struct strarray comps = STRARRAY_INIT;
    struct buf uid = BUF_INIT;

    memset(parts, 0, sizeof(*parts));
    if (rest != internal) {
        parts->domain = xstrndup(internal, (size_t)(rest - 1 - internal));
        if (!mboxname_domain_valid(parts->domain) ||
            strpbrk(parts->domain, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            err = "invalid domain part"; /* stored domains are lower case */
    }
    mboxname_split_sep(rest, '.', &comps);
    for (size_t i = 0; !err && i < comps.count; i++)
        if (!comps.data[i][0])
            err = "empty hierarchy component";
    if (!err && !strcmp(comps.data[0], "user")) {
        if (comps.count < 2) {
            err = "\"user\" alone is not a mailbox";
        } else {
            mboxname_put_escaped(&uid, comps.data[1], '^', '.');
            if (parts->domain)
                buf_printf(&uid, "@%s", parts->domain);
            parts->userid = buf_release(&uid);
            free(strarray_remove(&comps, 0));
            free(strarray_remove(&comps, 0));
        }
    }
    parts->boxes = comps;
    if (err && error_r)
        *error_r = err;
    return err ? -1 : 1;
}

void mboxname_parts_fini(struct mboxname_parts *parts)
{
    xfree(&parts->domain);
    xfree(&parts->userid);
    strarray_fini(&parts->boxes);
}

/* decoded_check - no control characters in the UTF-8 form of a name */
static const char *decoded_check(const char *s)
{
    struct buf utf8 = BUF_INIT;
    const char *err = NULL;

    if (mutf7_decode(s, strlen(s), &utf8, &err) < 0) {
        buf_free(&utf8);
        return err;
    }
    for (size_t i = 0; i < utf8.len && !err; i++) {
        unsigned char c = (unsigned char)utf8.s[i];
        /* C1 controls are U+0080-U+009F: 0xc2 0x80-0x9f in UTF-8 */
        if (c < 0x20 || c == 0x7f ||
            (c == 0xc2 && i + 1 < utf8.len &&
             (unsigned char)utf8.s[i + 1] < 0xa0))
            err = "control character in name";
    }
    buf_free(&utf8);
    return err;
}

int mboxname_policycheck(const char *internal, const char **error_r)
{
    struct mboxname_parts parts;
    const char *rest = name_rest(internal), *err = NULL;

    if (strlen(internal) > MBOXNAME_MAX_LEN)
        err = "name is too long";
    else if (mboxname_parse(internal, &parts, &err) < 0)
        mboxname_parts_fini(&parts);
    else {
        for (const char *p = rest; *p && !err; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e ||
                strchr(MBOXNAME_BADCHARS, *p))
                err = "name contains a forbidden character";
        if (!err && !parts.userid && !str_casecmp(parts.boxes.data[0], "INBOX"))
            err = "a shared mailbox may not be called INBOX";
        if (!err && parts.userid) {
            /* the owner's local part, '^' already turned back into '.' */
            size_t n = strlen(parts.userid) -
                       (parts.domain ? strlen(parts.domain) + 1 : 0);
            err = local_check(parts.userid, n);
        }
        if (!err)
            err = decoded_check(rest);
        mboxname_parts_fini(&parts);
    }
    if (err && error_r)
        *error_r = err;
    return err ? -1 : 1;
}

int mboxname_is_user(const char *internal)
{
    const char *rest = name_rest(internal);
    return !strncmp(rest, "user.", 5) && rest[5] && rest[5] != '.';
}

int mboxname_is_inbox(const char *internal)
{
    return mboxname_is_user(internal) &&
        !strchr(name_rest(internal) + 5, '.');
}

char *mboxname_to_userid(const char *internal)
{
    struct mboxname_parts parts;
    char *userid = NULL;

    if (mboxname_parse(internal, &parts, NULL) > 0) {
        userid = parts.userid;
        parts.userid = NULL;
    }
    mboxname_parts_fini(&parts);
    return userid;
}

int mboxname_is_owner(const struct namespace *ns, const char *internal,
                      const char *userid)
{
    char *inbox = mboxname_user_inbox(ns, userid);
    int r = inbox && (!strcmp(internal, inbox) ||
                      mboxname_is_child(internal, inbox));
    free(inbox);
    return r;
}

char *mboxname_parent(const char *internal)
{
    const char *rest = name_rest(internal);
    const char *dot = strrchr(rest, '.');

    if (!dot || mboxname_is_inbox(internal))
        return NULL;
    return xstrndup(internal, (size_t)(dot - internal));
}

int mboxname_is_child(const char *internal, const char *parent)
{
    const char *r1 = name_rest(internal), *r2 = name_rest(parent);
    size_t len = strlen(r2);

    /* same domain part (both possibly empty) */
    if (r1 - internal != r2 - parent ||
        strncmp(internal, parent, (size_t)(r1 - internal)) != 0)
        return 0;
    return !strncmp(r1, r2, len) && r1[len] == '.' && r1[len + 1];
}

void mboxname_split(const char *internal, struct strarray *out)
{
    mboxname_split_sep(name_rest(internal), '.', out);
}

/* hash_dir - Cyrus's one-letter hash directory for s */
static char hash_dir(const char *s)
{
    char c = s[0];
    if (c >= 'A' && c <= 'Z')
        c = (char)(c + 32);
    return (c >= 'a' && c <= 'z') ? c : 'q';
}

int mboxname_spool_path(const char *internal, int hashed, struct buf *out,
                        const char **error_r)
{
    const char *rest = name_rest(internal);

    buf_reset(out);
    if (mboxname_policycheck(internal, error_r) < 0)
        return -1;
    if (rest != internal) {
        buf_appendcstr(out, "domain/");
        if (hashed)
            buf_printf(out, "%c/", hash_dir(internal));
        buf_appendmap(out, internal, (size_t)(rest - 1 - internal));
        buf_putc(out, '/');
    }
    if (hashed)
        buf_printf(out, "%c/",
                   hash_dir(mboxname_is_user(internal) ? rest + 5 : rest));
    mboxname_put_escaped(out, rest, '.', '/');
    buf_cstring(out);
    return 1;
}
