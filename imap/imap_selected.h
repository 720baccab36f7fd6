/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_selected.h - the selected mailbox of an IMAP session (SELECT /
 * EXAMINE until CLOSE, UNSELECT, another SELECT or the end).
 *
 * A session has at most one struct imap_selected (sess->selected).  It
 * owns the open mailbox handle, whose snapshot IS the session's view:
 * message sequence number n is mailbox_msgno_uid(mb, n), and EXISTS is
 * mailbox_count(mb).  The snapshot moves only in imap_selected_report(),
 * which the engine calls before every tagged OK/NO of a command run in the
 * selected state (imap_cmd_ok/imap_cmd_no in imap_session.c), so handlers
 * never send EXISTS/EXPUNGE/flag updates themselves: an EXPUNGE command
 * expunges, and the report before its OK sends the "* n EXPUNGE" lines;
 * an APPEND to the selected mailbox gets its "* n EXISTS" the same way.
 *
 * RFC 3501 section 7.4.1: no untagged EXPUNGE while answering FETCH,
 * STORE or SEARCH (their non-UID forms; SORT and THREAD are treated like
 * SEARCH, as Cyrus does): for those the report keeps expunged messages in
 * the snapshot (MAILBOX_REFRESH_NOEXPUNGE) and tells them at a later
 * command.  RECENT is always 0 (no \Recent, as IMAP4rev2); nothing here
 * ever sends "* n RECENT" after SELECT.
 *
 * \Seen is the session user's (imap/seen_view.h): the record's system
 * flag in the user's own mailboxes, the user's seen database in others'
 * and shared ones.  Commands copy a record and seen_view_patch() it with
 * ->seen before showing or matching flags; the report re-reads the seen
 * database so another session of the same user is seen as FETCH FLAGS.
 * Errors: functions returning int give 0 / -1 with a static
 * message in *error_r, fit for a NO reply.  One session, one process.
 */
#ifndef IMAP_IMAP_SELECTED_H
#define IMAP_IMAP_SELECTED_H

#include <stdbool.h>
#include <stdint.h>

#include "imap/mailbox.h"
#include "imap/seen_view.h"
#include "imap/seqset.h"

struct buf;
struct imap_cmd;
struct imap_session;

struct imap_selected {
    struct mailbox *mb;    /* the open mailbox (owned); its snapshot is
                            * the session's msgno -> UID map */
    char *name;            /* internal name (owned) */
    char *extname;         /* the external name the client used (owned) */
    char *root;            /* partition root directory (owned) */
    bool readonly;         /* EXAMINE (or no right to change anything):
                            * STORE/EXPUNGE must refuse, CLOSE does not
                            * expunge, FETCH BODY[] does not set \Seen */
    unsigned rights;       /* the session's ACL_* rights at SELECT time */
    /* UIDs whose new flags the current command already sent (STORE's own
     * FETCH responses), so the report does not repeat them; cleared by
     * every report. */
    struct seqset told;
    /* The saved search result "$" (RFC 5182 SEARCHRES), as UIDs: set by
     * SEARCH RETURN (SAVE), emptied when such a SEARCH fails; it dies
     * with the selection (SELECT, EXAMINE, UNSELECT, CLOSE).  Expunged
     * UIDs need no removal: "$" resolves against the snapshot. */
    struct seqset saved;
    struct seen_view seen; /* whose \Seen the session sees */
    struct mailbox_changes changes;  /* scratch for mailbox_refresh */
};

/* imap_selected_open - select internal mailbox name (unique id
 * uniqueid, NULL when unknown) on partition root for s: closes any
 * previous selection first (RFC 3501: even when this one fails), opens
 * the mailbox and the user's seen view, sets s->selected and s->state =
 * IMAP_CMD_SELECTED.  extname is what the client sent (for logs and
 * responses).  Returns 0, or -1 with *error_r (the session is then in the
 * authenticated state).  Sends nothing: cmd-select.c does. */
int imap_selected_open(struct imap_session *s, const char *root,
                       const char *name, const char *uniqueid,
                       const char *extname, bool readonly,
                       unsigned rights, const char **error_r);

/* imap_selected_close - end the selection (nothing is sent): with
 * expunge (CLOSE on a read-write mailbox with the 'e' right), the
 * \Deleted messages are expunged first, silently, and their usage given
 * back to the quota root (mboxops_expunge).  The session returns to
 * the authenticated state even when that expunge fails.  Returns the
 * expunge's mailbox_result (MAILBOX_OK when there was none), so CLOSE
 * does not acknowledge an expunge that did not happen.  No-op without a
 * selection.  Also called by the engine when the session ends. */
int imap_selected_close(struct imap_session *s, bool expunge);

/* The NO text for a write refused with MAILBOX_E_MOVING: the mailbox is
 * being moved to another server (XFER) or is no longer served here;
 * nothing changed. */
#define IMAP_SELECTED_MOVING_TEXT \
    "[UNAVAILABLE] Mailbox is being moved to another server, try again"

/* imap_selected_write_no - answer cmd NO for a write to a mailbox (the
 * selected one, or COPY's and APPEND's destination) that failed with
 * mailbox_result r: IMAP_SELECTED_MOVING_TEXT for MAILBOX_E_MOVING,
 * "[SERVERBUG] <what> failed: <reason>" for anything else. */
void imap_selected_write_no(struct imap_cmd *cmd, const char *what, int r);

/* Report flags. */
#define IMAP_SELECTED_NOEXPUNGE 0x1  /* keep expunged messages for later */

/* imap_selected_report - refresh the snapshot and send what changed since
 * the last report: "* n EXPUNGE" (descending, unless NOEXPUNGE; "* VANISHED
 * <uids>" instead once QRESYNC is enabled, RFC 7162 3.2.10), "* n
 * EXISTS", "* n FETCH (FLAGS (...))" for messages whose flags changed
 * (with MODSEQ when CONDSTORE is enabled), skipping UIDs in ->told.  When
 * the mailbox was deleted under us, renamed away or moved to another
 * server (XFER removes the local copy) the session gets "* BYE" and
 * ends.
 * No-op without a selection.  Handlers that wait (IDLE) call it
 * themselves; everything else gets it through imap_cmd_ok/no. */
void imap_selected_report(struct imap_session *s, unsigned flags);

/* imap_selected_report_cmd - the engine's hook before a tagged OK/NO:
 * imap_selected_report with NOEXPUNGE when cmd is a non-UID FETCH, STORE,
 * SEARCH, SORT or THREAD. */
void imap_selected_report_cmd(struct imap_cmd *cmd);

/* imap_selected_told - the current command sent uid's flags itself. */
void imap_selected_told(struct imap_session *s, uint32_t uid);

/* imap_selected_format_flags - append the flag list of rec, "(\Seen
 * $Label1)", parentheses included, to out (system flags first, then the
 * mailbox's user flags in index order; never \Recent).  rec's \Seen is
 * taken as it is: patch a copy with the selection's seen view first. */
void imap_selected_format_flags(const struct mailbox *mb,
                                const struct mailbox_record *rec,
                                struct buf *out);

/* imap_selected_resolve - turn a sequence-set argument set[0..len) into
 * the UIDs of the snapshot it names, ascending, appended to *uids_r
 * (a mailbox_uids the caller fini's).  uid false: message numbers, '*'
 * is EXISTS, and a number above EXISTS is an error ("Invalid message
 * sequence number", RFC 3501 BAD).  uid true: UIDs, '*' is the highest
 * UID of the snapshot (so "n:*" always includes it), and UIDs not in the
 * snapshot are silently left out.  "$" alone (RFC 5182) is the saved
 * search result, the same under both (empty when nothing was saved).
 * Returns 0, or -1 with *error_r for a malformed set.  Needs a
 * selection. */
int imap_selected_resolve(struct imap_session *s, const char *set,
                          size_t len, bool uid, struct mailbox_uids *uids_r,
                          const char **error_r);

/* imap_selected_resolve_set - the same into a struct seqset of UIDs
 * (reset first): for SEARCH's sequence-set keys and for ranges too large
 * to list (UID 1:4294967295 on a big mailbox costs only the snapshot). */
int imap_selected_resolve_set(struct imap_session *s, const char *set,
                              size_t len, bool uid, struct seqset *uids_r,
                              const char **error_r);

#endif /* IMAP_IMAP_SELECTED_H */
