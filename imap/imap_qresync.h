/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_qresync.h - the QRESYNC parameter of SELECT / EXAMINE (RFC 7162
 * 3.2.5) and the resynchronisation it asks for: VANISHED (EARLIER) with
 * the UIDs expunged since the client's modseq, then FETCH (UID FLAGS
 * MODSEQ) for the messages changed since then.
 *
 * The store keeps expunged records with their modseq until
 * mailbox_cleanup(), so an exact answer is possible whenever the client's
 * modseq is not below the header's deletedmodseq.  Below it, every UID
 * without a record (within the known UIDs) is reported as vanished: a
 * superset of the truth, which RFC 7162 3.2.5.2 allows; the seq-match data
 * is checked but not needed for that.  Called by cmd-select.c only.
 */
#ifndef IMAP_IMAP_QRESYNC_H
#define IMAP_IMAP_QRESYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "imap/seqset.h"

struct imap_arg;
struct imap_session;

struct imap_qresync {
    uint32_t uidvalidity;      /* the client's; no resync on a mismatch */
    uint64_t modseq;           /* the client's last known HIGHESTMODSEQ */
    bool have_known;           /* known UIDs given (else: every UID) */
    struct seqset known;       /* the known UIDs */
};

/* imap_qresync_parse - the list after the QRESYNC atom:
 *   "(" uidvalidity SP modseq [SP known-uids [SP "(" seq-set SP uid-set ")"]] ")"
 * into *q (owned by the caller: imap_qresync_fini).  '*' in the sets is
 * refused (the client cannot know our largest UID better than it does).
 * Returns 0, or -1 with a static message in *error_r (a BAD). */
int imap_qresync_parse(const struct imap_arg *arg, struct imap_qresync *q,
                       const char **error_r);
void imap_qresync_fini(struct imap_qresync *q);

/* imap_qresync_answer - after SELECT's description of the newly selected
 * mailbox: "* VANISHED (EARLIER) <uids>" and "* n FETCH (UID u FLAGS (..)
 * MODSEQ (m))" for the changes since q->modseq, restricted to the known
 * UIDs; nothing when q->uidvalidity is not the mailbox's. */
void imap_qresync_answer(struct imap_session *s, const struct imap_qresync *q);

#endif /* IMAP_IMAP_QRESYNC_H */
