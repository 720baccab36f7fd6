/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seen_view.h - whose \Seen a session sees in one mailbox.
 *
 * As Cyrus does: in the user's own mailboxes (INBOX and below) \Seen is
 * the index record's MAILBOX_FLAG_SEEN; in any other mailbox (another
 * user's, or shared) it is per user, kept in the user's seen database
 * (imap/seen.h) under the mailbox's unique id, and the index bit stays
 * the owner's.  A struct seen_view hides the difference: commands copy a
 * record and call seen_view_patch() before showing or matching its
 * flags, and change \Seen through seen_view_store() when per_user.
 *
 * One view per selection (imap_selected.h) or per STATUS; owned by its
 * session.  Errors: int results are 0, or -1 after the seen database
 * failed (logged by seen.c); callers answer NO, never crash.
 */
#ifndef IMAP_SEEN_VIEW_H
#define IMAP_SEEN_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "imap/mailbox.h"
#include "imap/seqset.h"

struct namespace;
struct seen;

struct seen_view {
    bool per_user;         /* \Seen from the seen database */
    char *uniqueid;        /* per_user: the record's key (owned) */
    struct seen *db;       /* per_user: the user's database (owned) */
    struct seqset seen;    /* per_user: the user's seen UIDs */
};
#define SEEN_VIEW_INIT { false, NULL, NULL, SEQSET_INIT }

/* seen_view_open - the view of userid on mailbox mboxname (internal
 * name, unique id uniqueid; ns canonicalises userid).  Per user unless
 * userid owns the mailbox; a mailbox without a unique id (made by an old
 * tool) falls back to the index bit, logged.  0, or -1 when the seen
 * database cannot be opened or read (*v is then empty and index-based). */
int seen_view_open(struct seen_view *v, const struct namespace *ns,
                   const char *userid, const char *mboxname,
                   const char *uniqueid);

/* seen_view_fini - close the database and free; *v is then empty. */
void seen_view_fini(struct seen_view *v);

/* seen_view_is_seen - does the view's user see rec as \Seen? */
bool seen_view_is_seen(const struct seen_view *v,
                       const struct mailbox_record *rec);

/* seen_view_patch - set rec's MAILBOX_FLAG_SEEN to the view's (a copy
 * of the index record; no-op unless per_user). */
void seen_view_patch(const struct seen_view *v, struct mailbox_record *rec);

/* seen_view_reload - re-read the user's seen UIDs (another session of the
 * same user may have changed them) and append to changed_r the UIDs of
 * mb's snapshot whose \Seen differs from before.  No-op unless per_user.
 * 0, or -1 (the old state is kept). */
int seen_view_reload(struct seen_view *v, struct mailbox *mb,
                     struct mailbox_uids *changed_r);

/* seen_view_store - add (add) or remove \Seen on uids[0..n) for the
 * view's user: one locked read-modify-write of the seen record, retried
 * on a deadlock.  With mb (the mailbox the view is of), the messages
 * whose state changes get a new modseq first (mailbox_touch), so
 * CONDSTORE CHANGEDSINCE and QRESYNC see per-user \Seen changes; pass
 * NULL for messages just appended or copied (their modseq is new).  The
 * UIDs whose state changed are appended to changed_r (may be NULL).
 * Requires per_user.  MAILBOX_OK; MAILBOX_E_MOVING when mb refused the
 * write (mailbox_set_write_check: being moved away) and nothing changed;
 * else MAILBOX_E_IO (the seen state did not change; the modseqs may have
 * been bumped). */
int seen_view_store(struct seen_view *v, struct mailbox *mb,
                    const uint32_t *uids, size_t n, bool add,
                    struct mailbox_uids *changed_r);

/* seen_view_unseen - how many messages of mb's snapshot are not \Seen in
 * the view, and the message number of the first of them (0: none) in
 * *first_r (may be NULL). */
uint32_t seen_view_unseen(const struct seen_view *v, struct mailbox *mb,
                          uint32_t *first_r);

#endif /* IMAP_SEEN_VIEW_H */
