/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxops.h - mailbox operations with policy: look up a mailbox with the
 * rights of who asks, create, delete and rename mailboxes (mailboxes.db
 * entry + ACL + store + quota + subscriptions kept consistent).
 *
 * Shared by imapd's commands, lmtpd (mboxops_lookup for delivery) and
 * admin tools.  Every function takes who is asking as a struct
 * mboxops_who: auth NULL means the system itself (lmtpd delivering as
 * postmaster, tools): no ACL check at all.  Names are INTERNAL names
 * (imap/mboxname.h); converting client names is the caller's job.
 *
 * Rights: acl_myrights on the entry's ACL, plus implicit_owner_rights
 * (imapd.conf, default "lkxa") for the owner of a user mailbox, plus
 * ACL_IMPLICIT_ADMIN for admins.  A mailbox is VISIBLE to someone with
 * the 'l' right or any right the operation needs; an invisible mailbox
 * is reported as MBOXOPS_NOTFOUND, never MBOXOPS_PERM, so its existence
 * is not revealed (RFC 4314 section 6).
 *
 * In a murder, create/delete/rename and ACL changes are also announced
 * to the MUPDATE master through the hook of imap/mboxops_murder.h (which
 * says in what order, and what a failure or crash leaves behind).
 *
 * Results: enum mboxops_result (0 ok, negative errors); mboxops_strerror
 * gives the IMAP reply text with its RFC 5530 response code.  Store and
 * database errors are logged where they happen.
 */
#ifndef IMAP_MBOXOPS_H
#define IMAP_MBOXOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct auth_state;
struct buf;
struct mailbox;
struct mailbox_uids;
struct mboxlist_entry;
struct namespace;

enum mboxops_result {
    MBOXOPS_OK = 0,
    MBOXOPS_NOTFOUND = -1,  /* no such mailbox, or not visible */
    MBOXOPS_EXISTS = -2,    /* the (new) name is taken */
    MBOXOPS_PERM = -3,      /* visible, but a needed right is missing */
    MBOXOPS_BADNAME = -4,   /* name fails policy */
    MBOXOPS_IO = -5,        /* database or store failure (logged) */
    MBOXOPS_PARTITION = -6, /* unknown partition */
    MBOXOPS_INBOX = -7,     /* a user may not delete their own INBOX */
    MBOXOPS_REMOTE = -8,    /* the mailbox lives on another server */
    MBOXOPS_NOTSELECTABLE = -9, /* being moved to another server (XFER) */
    MBOXOPS_UNAVAILABLE = -10, /* the murder's MUPDATE master cannot be
                                  reached: the list is read-only (temporary) */
    MBOXOPS_TAKEN = -11,    /* the MUPDATE master holds the name (another
                               server's mailbox, or a reservation) */
};

/* Who asks.  auth NULL: the system (no ACL checks). */
struct mboxops_who {
    const struct auth_state *auth;
    const struct namespace *ns;
};

/* mboxops_strerror - reply text for r, e.g. "[NONEXISTENT] Mailbox does
 * not exist"; static. */
const char *mboxops_strerror(int r);

/* mboxops_rights - who's rights on entry e (see above); ACL_ALL for the
 * system. */
unsigned mboxops_rights(const struct mboxops_who *who,
                        const struct mboxlist_entry *e);

/* For mboxops_lookup's need: any right at all makes the mailbox visible
 * and suffices (MYRIGHTS, RFC 4314 section 4). */
#define MBOXOPS_NEED_ANY 0x80000000u

/* mboxops_lookup - the local entry of internal name, which who may use
 * with the rights need (0: just see it).  MBOXOPS_OK with *e_r (may be
 * NULL; caller frees) and *rights_r (may be NULL); MBOXOPS_NOTFOUND (also
 * when invisible, and for reserved/deleted entries), MBOXOPS_PERM,
 * MBOXOPS_REMOTE (then *e_r is still set when asked for, to refer),
 * MBOXOPS_NOTSELECTABLE (being moved to another server: try later),
 * MBOXOPS_IO. */
int mboxops_lookup(const struct mboxops_who *who, const char *name,
                   unsigned need, struct mboxlist_entry **e_r,
                   unsigned *rights_r);

/* mboxops_write_check - the mail daemons' write check
 * (mailbox_set_write_check, installed by imap/mailsvc.c): a write to the
 * store of internal name is allowed only while its local entry says the
 * mailbox is served here, i.e. exists and is neither MOVING (an XFER took
 * it out of service: cmd-xfer.c then waits for earlier writers with
 * mailbox_write_barrier) nor REMOTE, RESERVE or DELETED.  MAILBOX_OK,
 * MAILBOX_E_MOVING, or MAILBOX_E_IO when the list cannot be read (logged).
 * One mailboxes.db lookup. */
int mboxops_write_check(const char *name);

/* mboxops_root - the directory of partition (cfg partition-NAME), NULL
 * when it is not declared. */
const char *mboxops_root(const char *partition);

/* mboxops_create - CREATE: policy (mboxname_policycheck), rights ('k' on
 * the nearest existing ancestor; only admins create top-level mailboxes
 * and user INBOXes), the ACL (see imapd.conf defaultacl), the entry, then
 * the store on partition (NULL: defaultpartition; naming one is for
 * admins).  specialuse (may be NULL) is RFC 6154 attributes
 * ("\\Sent \\Drafts") kept with the entry.  Nothing is left behind on
 * failure. */
int mboxops_create(const struct mboxops_who *who, const char *name,
                   const char *partition, const char *specialuse);

/* mboxops_delete - DELETE: needs 'x'; children stay.  A user cannot
 * delete their own INBOX (MBOXOPS_INBOX); an admin deleting a user's
 * INBOX deletes the whole user (every user.X.* mailbox, quota root,
 * subscriptions, seen state), as Cyrus does. */
int mboxops_delete(const struct mboxops_who *who, const char *name);

/* mboxops_rename - RENAME: needs 'x' on oldname and 'k' on newname's
 * nearest existing ancestor (admin: anything); children move along.
 * Renaming a user's INBOX (as that user) moves its messages into the new
 * mailbox and leaves an empty INBOX (new UIDVALIDITY); its children stay
 * (RFC 3501 6.3.5).  partition (NULL: keep) is for admins. */
int mboxops_rename(const struct mboxops_who *who, const char *oldname,
                   const char *newname, const char *partition);

/* mboxops_update_acl - store e (an existing entry whose ACL the caller
 * changed) and tell the murder (imap/mboxops_murder.h).  MBOXOPS_OK,
 * MBOXOPS_UNAVAILABLE (nothing changed), MBOXOPS_NOTFOUND, MBOXOPS_IO. */
int mboxops_update_acl(const struct mboxlist_entry *e);

/* mboxops_abandon - the system removes the local RESERVED entry name (an
 * unfinished CREATE: the mailbox was never acknowledged, nothing could be
 * delivered to it) and any store files left with it.  The murder is not
 * told (the caller, ctl_mboxlist -m, decides).  MBOXOPS_OK,
 * MBOXOPS_NOTFOUND (no such entry, or not reserved), MBOXOPS_IO. */
int mboxops_abandon(const char *name);

/* mboxops_move_aside - the system renames the one mailbox name (not its
 * children) to newname on the same partition, store and quota usage
 * included, and replaces its ACL with "" (admins only): a copy that must
 * not be served under its name but must not be lost either.  The murder
 * is not told.  Results as mboxops_rename. */
int mboxops_move_aside(const char *name, const char *newname);

/* mboxops_expunge - mailbox_expunge(mb, uids, n, expunged_r) (uids NULL:
 * every \Deleted message), then give the size and count of what was
 * really expunged back to the quota root of mb (QUOTA_FORCE: never
 * refused; nothing when mb has no root).  Every expunge of a session
 * (EXPUNGE, UID EXPUNGE, CLOSE, MOVE, POP3 QUIT) goes through here so
 * usage is returned exactly once.  Returns the mailbox_result. */
int mboxops_expunge(struct mailbox *mb, const uint32_t *uids, size_t n,
                    struct mailbox_uids *expunged_r);

/* mboxops_specialuse - the RFC 6154 attributes stored with e, appended
 * to out ("\\Sent"); 1 when there are some, else 0. */
int mboxops_specialuse(const struct mboxlist_entry *e, struct buf *out);

/* mboxops_specialuse_valid - 1 when s is a space-separated list of known
 * special-use attributes (\All \Archive \Drafts \Flagged \Junk \Sent
 * \Trash, any case), else 0.  The canonical spelling is appended to out. */
int mboxops_specialuse_valid(const char *s, struct buf *out);

#endif /* IMAP_MBOXOPS_H */
