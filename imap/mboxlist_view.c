/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxlist_view.c - which raw mailboxes.db records a viewer may see,
 * decided without decoding them (imap/mboxlist.h, "pre-filtering").
 *
 * LIST walks the whole list (proxyd: the whole murder's), but a user
 * sees a tiny part of it.  Decoding and evaluating every entry made LIST
 * cost proportional to the list; this pre-filter looks only at the key
 * and the stored ACL bytes, so the full decode and the exact rights
 * check (mboxlist_filter_acl, mboxops_rights) run only for records that
 * can pass them.  It must never reject a record those would show: it
 * over-approximates (admins see everything, the owner's subtree always
 * passes, negative rights are ignored, anything it cannot parse passes
 * and is left to the decoder).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/acl.h"
#include "imap/auth_state.h"
#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "lib/xmalloc.h"

struct mboxlist_view {
    const struct auth_state *state;
    unsigned need;
    int all;       /* an admin: everything may be visible */
    char *inbox;   /* the viewer's INBOX (internal), NULL: owns nothing */
    size_t inboxlen;
};

struct mboxlist_view *mboxlist_view_new(const struct mboxlist_aclfilter *f)
{
    struct mboxlist_view *v = xzmalloc(sizeof(*v));

    v->state = f->state;
    v->need = f->need ? f->need : ACL_LOOKUP;
    v->all = auth_state_is_admin(f->state);
    if (f->ns && !auth_state_is_anonymous(f->state))
        v->inbox = mboxname_user_inbox(f->ns, auth_state_userid(f->state));
    if (v->inbox)
        v->inboxlen = strlen(v->inbox);
    return v;
}

void mboxlist_view_free(struct mboxlist_view **vp)
{
    if (!*vp)
        return;
    free((*vp)->inbox);
    free(*vp);
    *vp = NULL;
}

/* owned - name is the viewer's INBOX or below it: a byte prefix test,
 * a superset of mboxname_is_owner (same domain, user.<id> subtree) */
static int owned(const struct mboxlist_view *v, const char *name,
                 size_t namelen)
{
    return v->inbox && namelen >= v->inboxlen &&
           !memcmp(name, v->inbox, v->inboxlen) &&
           (namelen == v->inboxlen || name[v->inboxlen] == '.');
}

int mboxlist_view_may_show(const struct mboxlist_view *v, const char *name,
                           size_t namelen, const char *data, size_t datalen)
{
    const char *acl;
    size_t acllen;

    if (v->all || owned(v, name, namelen))
        return 1;
    if (mboxlist_entry_rawfield(data, datalen, 'a', &acl, &acllen) != 1)
        return 1; /* not readable here: the decoder decides (and logs) */
    return acl_may_grant(v->state, acl, acllen, v->need);
}
