/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxops_change.c - DELETE and RENAME of mailboxes with policy: rights,
 * the user-INBOX rules of RFC 3501 and Cyrus, and keeping mailboxes.db,
 * the store, quota usage and subscriptions in step.
 *
 * Order for crash safety: the mailboxes.db change is the commit point
 * (a mailbox is gone or renamed once its entry is); store files left by a
 * crash afterwards are invisible and replaced by the next create of the
 * name (mboxops.c create_store).  In a murder the MUPDATE master is told
 * through imap/mboxops_murder.h in the order described there.  Errors
 * are logged where they happen.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/acl.h"
#include "imap/auth_state.h"
#include "imap/mailbox.h"
#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "imap/mboxops.h"
#include "imap/mboxops_internal.h"
#include "imap/mboxops_murder.h"
#include "imap/quota.h"
#include "imap/seen.h"
#include "imap/subs.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

/* mboxops_usage_of - the bytes and messages of a mailbox (0 when unreadable) */
void mboxops_usage_of(const char *root, const char *name, int64_t *bytes,
                     int64_t *msgs)
{
    struct mailbox *mb = NULL;

    *bytes = *msgs = 0;
    if (root && mailbox_open(root, name, &mb) == MAILBOX_OK) {
        const struct mailbox_header *h = mailbox_get_header(mb);
        *bytes = (int64_t)h->quota_used;
        *msgs = (int64_t)h->exists;
        mailbox_close(&mb);
    }
}

/* mboxops_quota_move - move usage from oldname's quota root to newname's
 * (newname NULL: the mailbox is gone) */
void mboxops_quota_move(const char *oldname, const char *newname,
                        int64_t bytes, int64_t msgs)
{
    char *oldroot = NULL, *newroot = NULL;

    if (!bytes && !msgs)
        return;
    if (quota_findroot(oldname, &oldroot) != QUOTA_OK)
        oldroot = NULL;
    if (newname && quota_findroot(newname, &newroot) != QUOTA_OK)
        newroot = NULL;
    if (!(oldroot && newroot && strcmp(oldroot, newroot) == 0)) {
        if (oldroot)
            quota_change(oldroot, -bytes, -msgs, QUOTA_FORCE, NULL, NULL);
        if (newroot)
            quota_change(newroot, bytes, msgs, QUOTA_FORCE, NULL, NULL);
    }
    free(oldroot);
    free(newroot);
}

/* delete_one - remove one mailbox: entry first, then its files */
static int delete_one(const struct mboxlist_entry *e)
{
    const char *root = mboxops_root(e->partition);
    int64_t bytes, msgs;
    int r;

    mboxops_usage_of(root, e->name, &bytes, &msgs);
    r = mboxlist_delete(e->name);
    if (r != MBOXLIST_OK)
        return mboxops_from_mboxlist(r);
    if (root && mailbox_delete(root, e->name) != MAILBOX_OK)
        log_warning("mailbox files left behind mailbox=<%s>", e->name);
    mboxops_quota_move(e->name, NULL, bytes, msgs);
    log_info("mailbox deleted mailbox=<%s>", e->name);
    mboxops_crash_point("delete_after_local");
    mboxops_murder_remove(e->name); /* failure: ctl_mboxlist -m repairs */
    return MBOXOPS_OK;
}

/* collect_cb - gather entries of a subtree */
static int collect_cb(void *rock, const struct mboxlist_entry *e)
{
    strarray_append(rock, e->name);
    return 0;
}

/* subtree - name's children (name + "."), in name order, into out */
static void subtree(const char *name, struct strarray *out)
{
    struct buf prefix = BUF_INIT;

    buf_printf(&prefix, "%s.", name);
    mboxlist_foreach(buf_cstring(&prefix), collect_cb, out);
    buf_free(&prefix);
}

/* delete_user - an admin deletes a user: every mailbox, then the rest */
static int delete_user(const struct mboxlist_entry *inbox)
{
    struct strarray kids = STRARRAY_INIT;
    char *userid = mboxname_to_userid(inbox->name);
    int r = MBOXOPS_OK;

    subtree(inbox->name, &kids);
    for (size_t i = kids.count; r == MBOXOPS_OK && i-- > 0;) {
        struct mboxlist_entry *e = NULL;
        if (mboxlist_lookup(kids.data[i], &e) == MBOXLIST_OK)
            r = delete_one(e);
        mboxlist_entry_free(&e);
    }
    if (r == MBOXOPS_OK)
        r = delete_one(inbox);
    if (r == MBOXOPS_OK) {
        quota_delete(inbox->name);
        if (userid) {
            subs_delete_user(userid);
            seen_delete_user(userid);
        }
    }
    strarray_fini(&kids);
    free(userid);
    return r;
}

int mboxops_delete(const struct mboxops_who *who, const char *name)
{
    struct mboxlist_entry *e = NULL;
    int r = mboxops_lookup(who, name, ACL_DELETEMBOX, &e, NULL);

    if (r == MBOXOPS_PERM && mboxops_who_admin(who))
        r = mboxops_lookup(who, name, 0, &e, NULL); /* admins may */
    if (r == MBOXOPS_OK && mboxname_is_inbox(name) && !mboxops_who_admin(who))
        r = MBOXOPS_INBOX;
    if (r == MBOXOPS_OK)
        r = mboxops_murder_ready(); /* or the master would keep it */
    if (r == MBOXOPS_OK)
        r = mboxname_is_inbox(name) ? delete_user(e) : delete_one(e);
    mboxlist_entry_free(&e);
    return r;
}

/* rename_store - move the files of each renamed mailbox olds[i] to
 * news[i] (parents first, so each child directory lands inside its new
 * parent) and their quota */
static void rename_store(const struct strarray *olds,
                         const struct strarray *news, const char *oldpart,
                         const char *newpart)
{
    const char *oldroot = mboxops_root(oldpart);
    const char *newroot = mboxops_root(newpart);

    for (size_t i = 0; oldroot && newroot && i < olds->count; i++) {
        const char *o = olds->data[i], *n = news->data[i];
        int64_t bytes, msgs;
        int r;

        mboxops_usage_of(oldroot, o, &bytes, &msgs);
        r = mailbox_rename(oldroot, o, newroot, n, 0);
        if (r != MAILBOX_OK)
            log_error("IOERROR: cannot rename mailbox files mailbox=<%s> "
                      "newname=<%s> error=<%s>", o, n, mailbox_strerror(r));
        mboxops_quota_move(o, n, bytes, msgs);
    }
}

/* rename_tree - e and its subtree to newname: reserve the new names with
 * the murder, rename entries (one transaction) and files, then activate
 * the new names and remove the old ones */
static int rename_tree(const struct mboxlist_entry *e, const char *newname,
                       const char *partition)
{
    struct strarray olds = STRARRAY_INIT, news = STRARRAY_INIT;
    const char *newpart = partition ? partition : e->partition;
    size_t ol = strlen(e->name);
    int r;

    strarray_append(&olds, e->name);
    subtree(e->name, &olds);
    for (size_t i = 0; i < olds.count; i++) {
        struct buf n = BUF_INIT;
        buf_printf(&n, "%s%s", newname, olds.data[i] + ol);
        strarray_appendm(&news, buf_release(&n));
    }
    r = mboxops_murder_reserve_all(&news, newpart);
    if (r == MBOXOPS_OK) {
        mboxops_crash_point("rename_after_reserve");
        r = mboxops_from_mboxlist(mboxlist_rename(e->name, newname, partition,
                                                  MBOXLIST_RENAME_CHILDREN));
        if (r != MBOXOPS_OK)
            mboxops_murder_remove_all(&news);
    }
    if (r == MBOXOPS_OK) {
        rename_store(&olds, &news, e->partition, newpart);
        log_info("mailbox renamed mailbox=<%s> newname=<%s>", e->name,
                 newname);
        mboxops_crash_point("rename_after_local");
        mboxops_murder_announce(&news, &olds);
    }
    strarray_fini(&olds);
    strarray_fini(&news);
    return r;
}

/* rename_inbox - RFC 3501: move INBOX's messages to newname, leave an
 * empty INBOX with a new UIDVALIDITY; its children stay */
static int rename_inbox(const struct mboxlist_entry *inbox,
                        const char *newname)
{
    const char *root = mboxops_root(inbox->partition);
    struct mboxlist_entry *e = mboxlist_entry_new();
    struct mailbox *mb = NULL;
    uint32_t uidv = 0;
    int r;

    if (!root)
        return MBOXOPS_PARTITION;
    if (mailbox_open(root, inbox->name, &mb) == MAILBOX_OK) {
        uidv = mailbox_get_header(mb)->uidvalidity;
        mailbox_close(&mb);
    }
    e->name = xstrdup(newname);
    e->partition = xstrdup(inbox->partition);
    e->acl = xstrdup(inbox->acl);
    r = mboxops_from_mboxlist(mboxlist_create(e));
    mboxlist_entry_free(&e);
    if (r != MBOXOPS_OK)
        return r;
    if (mailbox_rename(root, inbox->name, root, newname, 0) != MAILBOX_OK ||
        mailbox_create(root, inbox->name, uidv + 1, NULL) != MAILBOX_OK) {
        log_error("IOERROR: cannot rename INBOX mailbox=<%s> newname=<%s>",
                  inbox->name, newname);
        return MBOXOPS_IO;
    }
    log_info("INBOX renamed mailbox=<%s> newname=<%s>", inbox->name, newname);
    return MBOXOPS_OK;
}

/* rename_check - the new name's policy and rights */
static int rename_check(const struct mboxops_who *who, const char *oldname,
                        const char *newname, const char *partition,
                        int own_inbox)
{
    struct mboxlist_entry *anc;
    int r;

    if (mboxname_policycheck(newname, NULL) < 0 ||
        strcmp(oldname, newname) == 0 ||
        (!own_inbox && mboxname_is_child(newname, oldname)))
        return MBOXOPS_BADNAME;
    if (partition && !mboxops_who_admin(who))
        return MBOXOPS_PERM;
    if (partition && !mboxops_root(partition))
        return MBOXOPS_PARTITION;
    anc = mboxops_ancestor(newname);
    r = mboxops_may_create(who, anc);
    mboxlist_entry_free(&anc);
    if (r == MBOXOPS_OK && mboxlist_lookup(newname, NULL) == MBOXLIST_OK)
        r = MBOXOPS_EXISTS;
    return r;
}

int mboxops_rename(const struct mboxops_who *who, const char *oldname,
                   const char *newname, const char *partition)
{
    struct mboxlist_entry *e = NULL;
    struct strarray news = STRARRAY_INIT;
    int own_inbox, r;

    r = mboxops_lookup(who, oldname, ACL_DELETEMBOX, &e, NULL);
    if (r == MBOXOPS_PERM && mboxops_who_admin(who))
        r = mboxops_lookup(who, oldname, 0, &e, NULL);
    own_inbox = mboxname_is_inbox(oldname) && who->auth && who->ns &&
                mboxname_is_owner(who->ns, oldname,
                                  auth_state_userid(who->auth)) == 1;
    if (r == MBOXOPS_OK)
        r = rename_check(who, oldname, newname, partition, own_inbox);
    if (r != MBOXOPS_OK) {
        mboxlist_entry_free(&e);
        return r;
    }
    if (own_inbox) {
        strarray_append(&news, newname);
        r = mboxops_murder_reserve_all(&news, e->partition);
        if (r == MBOXOPS_OK && (r = rename_inbox(e, newname)) != MBOXOPS_OK)
            mboxops_murder_remove_all(&news);
        else if (r == MBOXOPS_OK)
            mboxops_murder_announce(&news, NULL);
    } else {
        r = rename_tree(e, newname, partition);
    }
    if (r == MBOXOPS_OK && who->auth && !own_inbox)
        subs_rename_mailbox(auth_state_userid(who->auth), oldname, newname,
                            NULL);
    strarray_fini(&news);
    mboxlist_entry_free(&e);
    return r;
}

int mboxops_update_acl(const struct mboxlist_entry *e)
{
    int r = mboxops_murder_ready();

    if (r == MBOXOPS_OK)
        r = mboxops_from_mboxlist(mboxlist_update(e));
    if (r == MBOXOPS_OK) {
        mboxops_crash_point("setacl_after_local");
        mboxops_murder_activate(e->name, e->partition, e->acl);
    }
    return r;
}

int mboxops_expunge(struct mailbox *mb, const uint32_t *uids, size_t n,
                    struct mailbox_uids *expunged_r)
{
    struct mailbox_uids gone = { 0 };
    int64_t bytes = 0;
    char *root = NULL;
    int r = mailbox_expunge(mb, uids, n, &gone);

    /* the records stay (flagged expunged), so their sizes are known */
    for (size_t i = 0; i < gone.count; i++) {
        const struct mailbox_record *rec = mailbox_record(mb, gone.v[i]);
        if (rec)
            bytes += (int64_t)rec->size;
        if (expunged_r)
            mailbox_uids_add(expunged_r, gone.v[i]);
    }
    if (gone.count && quota_findroot(mailbox_name(mb), &root) == QUOTA_OK)
        quota_change(root, -bytes, -(int64_t)gone.count, QUOTA_FORCE, NULL,
                     NULL);
    free(root);
    mailbox_uids_fini(&gone);
    return r;
}
