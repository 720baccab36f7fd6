/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxops_repair.c - the system's repairs of the local mailbox list after
 * a murder resync (ctl_mboxlist -m, mupdate/mupdate_resync.c): drop an
 * unfinished CREATE's reserved entry, and move a mailbox that the MUPDATE
 * master places on another server aside instead of destroying it.
 *
 * No ACL checks (the system acts) and no MUPDATE calls (the caller tells
 * the master what it decided).  Same crash-safety order as
 * mboxops_change.c: the mailboxes.db change is the commit point.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/mailbox.h"
#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "imap/mboxops.h"
#include "imap/mboxops_internal.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

int mboxops_abandon(const char *name)
{
    struct mboxlist_entry *e = NULL;
    const char *root;
    int r = mboxops_from_mboxlist(mboxlist_lookup(name, &e));

    if (r == MBOXOPS_OK && !(e->type & MBTYPE_RESERVE))
        r = MBOXOPS_NOTFOUND;
    if (r == MBOXOPS_OK)
        r = mboxops_from_mboxlist(mboxlist_delete(name));
    if (r == MBOXOPS_OK) {
        /* the store of an unacknowledged CREATE holds no mail */
        root = mboxops_root(e->partition);
        if (root && mailbox_delete(root, name) == MAILBOX_OK)
            log_info("unfinished mailbox files removed mailbox=<%s>", name);
        log_notice("unfinished mailbox creation undone mailbox=<%s>", name);
    }
    mboxlist_entry_free(&e);
    return r;
}

/* aside_check - name is a normal local mailbox and newname is free */
static int aside_check(const char *name, const char *newname,
                       struct mboxlist_entry **e_r)
{
    int r = mboxops_from_mboxlist(mboxlist_lookup(name, e_r));

    if (r == MBOXOPS_OK && ((*e_r)->type & (MBTYPE_RESERVE | MBTYPE_DELETED |
                                            MBTYPE_REMOTE)))
        r = MBOXOPS_NOTFOUND;
    if (r == MBOXOPS_OK && mboxname_policycheck(newname, NULL) < 0)
        r = MBOXOPS_BADNAME;
    if (r == MBOXOPS_OK && mboxlist_lookup(newname, NULL) == MBOXLIST_OK)
        r = MBOXOPS_EXISTS;
    return r;
}

int mboxops_move_aside(const char *name, const char *newname)
{
    struct mboxlist_entry *e = NULL;
    const char *root;
    int64_t bytes, msgs;
    int r = aside_check(name, newname, &e);

    if (r != MBOXOPS_OK) {
        mboxlist_entry_free(&e);
        return r;
    }
    root = mboxops_root(e->partition);
    mboxops_usage_of(root, name, &bytes, &msgs);
    /* entry first (the commit point), without the children */
    r = mboxops_from_mboxlist(mboxlist_rename(name, newname, NULL, 0));
    if (r == MBOXOPS_OK) {
        struct mboxlist_entry *n = NULL;

        if (root && mailbox_rename(root, name, root, newname, 0) != MAILBOX_OK)
            log_error("IOERROR: cannot move mailbox files aside mailbox=<%s> "
                      "newname=<%s>", name, newname);
        mboxops_quota_move(name, newname, bytes, msgs);
        if (mboxlist_lookup(newname, &n) == MBOXLIST_OK) {
            free(n->acl);
            n->acl = xstrdup(""); /* admins only */
            if (mboxlist_update(n) != MBOXLIST_OK)
                log_error("cannot restrict moved mailbox mailbox=<%s>",
                          newname);
        }
        mboxlist_entry_free(&n);
        log_notice("mailbox moved aside mailbox=<%s> newname=<%s> acl=<%s>",
                   name, newname, e->acl);
    }
    mboxlist_entry_free(&e);
    return r;
}
