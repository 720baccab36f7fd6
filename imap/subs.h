/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * subs.h - per-user mailbox subscriptions (SUBSCRIBE, UNSUBSCRIBE, LSUB).
 *
 * Each user has one database, <configdirectory>/user/<h>/<userid>.sub
 * (imap/dbconf.h), backend imapd.conf subscription_db: key the internal
 * mailbox name, value empty (version 1; a later version may store data in
 * the value, which this one ignores).  Every call opens, works and closes
 * the file: subscriptions change rarely and are read once per LSUB.
 * Subscribing does not require the mailbox to exist (RFC 3501 6.3.6);
 * names must pass mboxname_policycheck.
 */
#ifndef IMAP_SUBS_H
#define IMAP_SUBS_H

struct strarray;

enum subs_result {
    SUBS_OK = 0,
    SUBS_NOTFOUND = -1,  /* not subscribed */
    SUBS_AGAIN = -2,     /* lock timeout / deadlock: retry */
    SUBS_IOERROR = -3,
    SUBS_BADUSER = -4,   /* userid cannot name a subscription file */
    SUBS_BADNAME = -5,   /* not a valid internal mailbox name */
    SUBS_EXISTS = -6,    /* subs_rename_user: target user has a file */
};

/* subs_errstr - a constant phrase for a result. */
const char *subs_errstr(int r);

/* subs_add - subscribe userid to name; SUBS_OK also when already. */
int subs_add(const char *userid, const char *name);
/* subs_remove - unsubscribe; SUBS_NOTFOUND when it was not subscribed. */
int subs_remove(const char *userid, const char *name);
/* subs_is_subscribed - 1 yes, 0 no, or a negative result. */
int subs_is_subscribed(const char *userid, const char *name);
/* subs_list - append userid's subscriptions to out in name (byte) order;
 * a user without a file has none.  SUBS_OK or an error. */
int subs_list(const char *userid, struct strarray *out);
/* subs_rename_mailbox - after a RENAME: the subscriptions to oldname and
 * to everything below it (oldname.x) become newname and newname.x, in
 * one transaction.  *count_r (may be NULL) gets how many changed.
 * SUBS_OK (also when none), SUBS_BADNAME, errors. */
int subs_rename_mailbox(const char *userid, const char *oldname,
                        const char *newname, unsigned long *count_r);
/* subs_delete_user - remove userid's file (SUBS_OK when absent).
 * subs_rename_user - move it to newuser (SUBS_OK when none,
 * SUBS_EXISTS when newuser has one). */
int subs_delete_user(const char *userid);
int subs_rename_user(const char *olduser, const char *newuser);

#endif /* IMAP_SUBS_H */
