/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxops_change.c - DELETE and RENAME of mailboxes with policy: rights,
 * the user-INBOX rules of RFC 3501 and Cyrus, and keeping mailboxes.db,
 * the store, quota usage and subscriptions in step.
 *
 * Order for crash safety: the mailboxes.db change is the commit point
 * (a mailbox is gone or renamed once its entry is); store files left by a
 * crash afterwards are invisible and replaced by the next create of the
 * name (mboxops.c create_store).  Errors are logged where they happen.
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
#include "imap/quota.h"
#include "imap/seen.h"
#include "imap/subs.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

/* usage_of - the bytes and messages of a mailbox (0 when unreadable) */
static void usage_of(const char *root, const char *name, int64_t *bytes,
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

/* quota_move - move usage from oldname's quota root to newname's
 * (newname NULL: the mailbox is gone) */
static void quota_move(const char *oldname, const char *newname,
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

    usage_of(root, e->name, &bytes, &msgs);
    r = mboxlist_delete(e->name);
    if (r != MBOXLIST_OK)
        return mboxops_from_mboxlist(r);
    if (root && mailbox_delete(root, e->name) != MAILBOX_OK)
        log_warning("mailbox files left behind mailbox=<%s>", e->name);
    quota_move(e->name, NULL, bytes, msgs);
    log_info("mailbox deleted mailbox=<%s>", e->name);
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
    if (r != MBOXOPS_OK)
        return r;
    if (mboxname_is_inbox(name)) {
        r = mboxops_who_admin(who) ? delete_user(e) : MBOXOPS_INBOX;
    } else {
        r = delete_one(e);
    }
    mboxlist_entry_free(&e);
    return r;
}

/* rename_store - move the files of each renamed mailbox (parents first,
 * so each child directory lands inside its new parent) and their quota */
static void rename_store(const struct strarray *olds, const char *oldname,
                         const char *newname, const char *oldpart,
                         const char *newpart)
{
    const char *oldroot = mboxops_root(oldpart);
    const char *newroot = mboxops_root(newpart);
    size_t ol = strlen(oldname);

    for (size_t i = 0; oldroot && newroot && i < olds->count; i++) {
        const char *o = olds->data[i];
        struct buf n = BUF_INIT;
        int64_t bytes, msgs;
        int r;

        buf_printf(&n, "%s%s", newname, o + ol);
        usage_of(oldroot, o, &bytes, &msgs);
        r = mailbox_rename(oldroot, o, newroot, buf_cstring(&n), 0);
        if (r != MAILBOX_OK)
            log_error("IOERROR: cannot rename mailbox files mailbox=<%s> "
                      "newname=<%s> error=<%s>", o, buf_cstring(&n),
                      mailbox_strerror(r));
        quota_move(o, buf_cstring(&n), bytes, msgs);
        buf_free(&n);
    }
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
    struct strarray olds = STRARRAY_INIT;
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
        r = rename_inbox(e, newname);
    } else {
        strarray_append(&olds, oldname);
        subtree(oldname, &olds);
        r = mboxops_from_mboxlist(mboxlist_rename(oldname, newname, partition,
                                                  MBOXLIST_RENAME_CHILDREN));
        if (r == MBOXOPS_OK) {
            rename_store(&olds, oldname, newname, e->partition,
                         partition ? partition : e->partition);
            log_info("mailbox renamed mailbox=<%s> newname=<%s>", oldname,
                     newname);
        }
    }
    if (r == MBOXOPS_OK && who->auth && !own_inbox)
        subs_rename_mailbox(auth_state_userid(who->auth), oldname, newname,
                            NULL);
    strarray_fini(&olds);
    mboxlist_entry_free(&e);
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
