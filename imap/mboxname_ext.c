/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxname_ext.c - external (client-visible) mailbox names <-> internal
 * names, for a viewer and a struct namespace.
 *
 * imapd and proxyd call these on every mailbox argument and LIST line,
 * lmtpd for "user+folder" and Sieve fileinto, tools for admin names.
 * Character mapping of one component, external -> internal:
 *   unixhierarchysep ('/'): '.' -> '^', '^' rejected (it would come back
 *                           as '.'), '/' is the separator;
 *   netnews ('.'):          unchanged, '/' rejected (policy), '.' is the
 *                           separator, '^' means a '.' stored by a '/'
 *                           configuration and is kept.
 * So internal -> external -> internal is the identity for every name a
 * viewer can see.  Errors: -1 plus a static message, or NULL.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/mboxname.h"
#include "imap/mboxname_internal.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

/* The viewer of a name: a canonical userid split in two, or nobody. */
struct viewer {
    char *local;   /* NULL when nobody is logged in */
    char *domain;  /* NULL for the default domain */
    char *userid;  /* local[@domain], as mboxname_to_userid returns it */
};

/* streq_null - equal strings; NULL equals only NULL */
static int streq_null(const char *a, const char *b)
{
    return (!a || !b) ? a == b : !strcmp(a, b);
}

/* viewer_init - canonicalise userid (may be NULL) under ns */
static int viewer_init(const struct namespace *ns, const char *userid,
                       struct viewer *v, const char **error_r)
{
    struct buf uid = BUF_INIT;

    memset(v, 0, sizeof(*v));
    if (!userid)
        return 1;
    if (mboxname_userid_split(ns, userid, &v->local, &v->domain, error_r) < 0)
        return -1;
    buf_appendcstr(&uid, v->local);
    if (v->domain)
        buf_printf(&uid, "@%s", v->domain);
    v->userid = buf_release(&uid);
    return 1;
}

/* viewer_fini - release a viewer */
static void viewer_fini(struct viewer *v)
{
    xfree(&v->local);
    xfree(&v->domain);
    xfree(&v->userid);
}

/* ext_to_int - append one external component in internal encoding */
static const char *ext_to_int(const struct namespace *ns, const char *c,
                              struct buf *out)
{
    /* '!' would turn what precedes it into a domain part */
    if (strchr(c, '!'))
        return "'!' is not allowed in names";
    if (ns->sep == '/') {
        if (strchr(c, '^'))
            return "'^' is not allowed in names";
        mboxname_put_escaped(out, c, '.', '^');
    } else {
        if (strchr(c, '/'))
            return "'/' is not allowed in names";
        buf_appendcstr(out, c);
    }
    return NULL;
}

/* int_to_ext - append one internal component as the client sees it */
static void int_to_ext(const struct namespace *ns, const char *c,
                       struct buf *out)
{
    mboxname_put_escaped(out, c, '^', ns->sep == '/' ? '.' : '^');
}

/* put_other - append "user." and another user's local part */
static const char *put_other(const struct namespace *ns, const char *comp,
                             const char *domain, struct buf *out)
{
    struct buf local = BUF_INIT, uid = BUF_INIT;
    const char *err = ext_to_int(ns, comp, &local);

    if (!err && ns->virtdomains && strchr(buf_cstring(&local), '@'))
        err = "another domain's user cannot be named this way";
    if (!err) {
        mboxname_put_escaped(&uid, buf_cstring(&local), '^', '.');
        if (domain)
            buf_printf(&uid, "@%s", domain);
        if (mboxname_userid_valid(ns, buf_cstring(&uid), &err) > 0) {
            buf_appendcstr(out, "user.");
            buf_append(out, &local);
        }
    }
    buf_free(&local);
    buf_free(&uid);
    return err;
}

/* put_self - append "user." and the viewer's local part */
static const char *put_self(const struct viewer *v, const char *domain,
                            struct buf *out)
{
    if (!v->userid)
        return "personal mailboxes need a logged-in user";
    if (!streq_null(domain, v->domain))
        return "personal mailboxes of another domain cannot be named";
    buf_appendcstr(out, "user.");
    mboxname_put_escaped(out, v->local, '.', '^');
    return NULL;
}

/* classify - write the owner part of the internal name for comps; set
 * *first_r to the index of the first mailbox component */
static const char *classify(const struct namespace *ns,
                            const struct viewer *v, const struct strarray *comps,
                            const char *domain, size_t *first_r,
                            struct buf *out)
{
    const char *c0 = comps->data[0];
    int other = 0;

    *first_r = 0;
    if (!str_casecmp(c0, "INBOX")) {
        *first_r = 1;
        return put_self(v, domain, out);
    }
    if (ns->isalt) {
        if (!strcmp(c0, ns->sharedprefix)) {
            if (comps->count < 2)
                return "a namespace prefix alone is not a mailbox";
            if (!strcmp(comps->data[1], "user"))
                return "shared mailboxes may not be called \"user\"";
            *first_r = 1;
            return NULL;
        }
        if (strcmp(c0, ns->userprefix) != 0)
            return put_self(v, domain, out);
        other = 1;
    } else {
        other = !strcmp(c0, "user");
    }
    if (!other)
        return NULL; /* shared, standard namespace */
    if (comps->count < 2)
        return "a namespace prefix alone is not a mailbox";
    *first_r = 2;
    return put_other(ns, comps->data[1], domain, out);
}

/* split_domain - for a viewer without a domain under virtdomains, take
 * "name@domain" apart; *domain_r is NULL for the default domain */
static const char *split_domain(const struct namespace *ns, char *name,
                                char **domain_r)
{
    char *at = strrchr(name, '@');

    if (!at)
        return NULL;
    if (!mboxname_domain_valid(at + 1))
        return "invalid domain after '@'";
    *at = '\0';
    if (str_casecmp(at + 1, ns->defaultdomain) != 0)
        *domain_r = str_lcase(xstrdup(at + 1));
    return NULL;
}

int mboxname_to_internal(const struct namespace *ns, const char *external,
                         const char *userid, char **internal_r,
                         const char **error_r)
{
    struct viewer v;
    struct strarray comps = STRARRAY_INIT;
    struct buf out = BUF_INIT;
    char *name = xstrdup(external), *domain = NULL;
    const char *err = NULL;
    size_t first = 0;

    *internal_r = NULL;
    if (viewer_init(ns, userid, &v, &err) > 0) {
        domain = xstrdupnull(v.domain);
        if (ns->virtdomains && !v.domain)
            err = split_domain(ns, name, &domain);
    }
    if (!err) {
        mboxname_split_sep(name, ns->sep, &comps);
        for (size_t i = 0; i < comps.count && !err; i++)
            if (!comps.data[i][0])
                err = "empty hierarchy component";
    }
    if (!err) {
        if (domain)
            buf_printf(&out, "%s!", domain);
        err = classify(ns, &v, &comps, domain, &first, &out);
    }
    for (size_t i = first; !err && i < comps.count; i++) {
        if (out.len && out.s[out.len - 1] != '!')
            buf_putc(&out, '.');
        err = ext_to_int(ns, comps.data[i], &out);
    }
    if (!err && mboxname_policycheck(buf_cstring(&out), &err) > 0)
        *internal_r = buf_release(&out);
    if (err && error_r)
        *error_r = err;
    buf_free(&out);
    strarray_fini(&comps);
    viewer_fini(&v);
    free(name);
    free(domain);
    return err ? -1 : 1;
}

/* put_boxes - append the components, separated by the external sep */
static void put_boxes(const struct namespace *ns, const struct strarray *boxes,
                      struct buf *out)
{
    for (size_t i = 0; i < boxes->count; i++) {
        if (i)
            buf_putc(out, ns->sep);
        int_to_ext(ns, boxes->data[i], out);
    }
}

/* put_personal - the viewer's own mailbox (boxes below INBOX) */
static void put_personal(const struct namespace *ns,
                         const struct strarray *boxes, struct buf *out)
{
    struct buf first = BUF_INIT;
    int under_inbox = !ns->isalt;

    if (!boxes->count) {
        buf_appendcstr(out, "INBOX");
        return;
    }
    if (ns->isalt) {
        /* a top-level name that would read back as INBOX or a prefix
         * stays reachable as INBOX<sep>name */
        int_to_ext(ns, boxes->data[0], &first);
        buf_cstring(&first);
        under_inbox = !str_casecmp(first.s, "INBOX") ||
                      !strcmp(first.s, ns->userprefix) ||
                      !strcmp(first.s, ns->sharedprefix);
        buf_free(&first);
    }
    if (under_inbox)
        buf_printf(out, "INBOX%c", ns->sep);
    put_boxes(ns, boxes, out);
}

/* put_other_user - another user's mailbox */
static void put_other_user(const struct namespace *ns,
                           const struct mboxname_parts *parts,
                           struct buf *out)
{
    const char *at = parts->domain ? strrchr(parts->userid, '@') : NULL;
    size_t n = at ? (size_t)(at - parts->userid) : strlen(parts->userid);
    char *local = xstrndup(parts->userid, n);

    buf_printf(out, "%s%c", ns->isalt ? ns->userprefix : "user", ns->sep);
    mboxname_put_escaped(out, local, '.', ns->sep == '/' ? '.' : '^');
    free(local);
    if (parts->boxes.count)
        buf_putc(out, ns->sep);
    put_boxes(ns, &parts->boxes, out);
}

char *mboxname_to_external(const struct namespace *ns, const char *internal,
                           const char *userid)
{
    struct mboxname_parts parts;
    struct viewer v = { NULL, NULL, NULL };
    struct buf out = BUF_INIT;
    const char *suffix = NULL;
    int ok = 0;

    if (mboxname_parse(internal, &parts, NULL) < 0 ||
        viewer_init(ns, userid, &v, NULL) < 0)
        goto done;
    if (!streq_null(parts.domain, v.domain)) {
        if (!ns->virtdomains || v.domain)
            goto done; /* a domain user sees only their domain */
        suffix = parts.domain;
    }
    if (parts.userid && v.userid && !strcmp(parts.userid, v.userid)) {
        put_personal(ns, &parts.boxes, &out);
    } else if (parts.userid) {
        put_other_user(ns, &parts, &out);
    } else {
        if (ns->isalt)
            buf_printf(&out, "%s%c", ns->sharedprefix, ns->sep);
        put_boxes(ns, &parts.boxes, &out);
    }
    if (ns->virtdomains && !v.domain) {
        /* the last '@' would be read back as a domain suffix */
        if (!suffix && strchr(buf_cstring(&out), '@'))
            goto done;
        if (suffix)
            buf_printf(&out, "@%s", suffix);
    }
    ok = 1;
done:
    mboxname_parts_fini(&parts);
    viewer_fini(&v);
    if (!ok) {
        buf_free(&out);
        return NULL;
    }
    return buf_release(&out);
}
