/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_resync.h - a backend's resync with the MUPDATE master
 * (ctl_mboxlist -m, run from START): gather the local list and the
 * master's entries for this server, decide (mupdate/mupdate_reconcile.h)
 * and carry the decisions out, reporting every change.
 *
 * What each decision does:
 *   push      RESERVE (when the master has no entry) and ACTIVATE with
 *             "servername!partition" and the local ACL
 *   unpush    DELETE on the master
 *   conflict  the local copy is renamed, store and all, to
 *             DELETED.conflict.<name>.<hex time> with an empty ACL
 *             (admins only; imap/mboxops.h mboxops_move_aside), and that
 *             name is pushed: an admin can SETACL themselves rights, read
 *             it and rename it back; nothing is destroyed
 *   abandon   the local reserved entry of an unfinished CREATE is removed
 *             with its (empty) store files
 * The process must have the local mailbox list (and quota database) open,
 * and run while no imapd changes the list (at startup).
 */
#ifndef MUPDATE_MUPDATE_RESYNC_H
#define MUPDATE_MUPDATE_RESYNC_H

#include <stdio.h>

struct mupdate_client;

/* Where a moved-aside copy goes: DELETED.conflict.<name>.<8 hex digits>. */
#define MUPDATE_RESYNC_CONFLICT_PREFIX "DELETED.conflict."

/* A progress line every this many entries. */
#define MUPDATE_RESYNC_PROGRESS 10000

struct mupdate_resync_opts {
    const char *servername;  /* this backend, as in locations */
    int dry_run;             /* report, change nothing (-w) */
    int add_only;            /* never delete on the master (-a) */
    FILE *out;               /* a line per change, then the summary */
    FILE *progress;          /* progress lines; NULL: to the log */
};

struct mupdate_resync_totals {
    unsigned long local, master;     /* entries seen */
    unsigned long pushed, unpushed, moved, abandoned;
    unsigned long failed;            /* changes that could not be made */
};

/* mupdate_resync - run it over c (connected, authenticated as an
 * admin of the master).  MUPDATE_OK when every decision was carried out
 * or reported (t->failed counts the ones refused or failing locally,
 * each reported), MUPDATE_UNAVAILABLE when the master was lost (the
 * changes reported so far were made, the rest were not), MUPDATE_NO
 * when the master refused LIST/FIND (mupdate_client_error) or the local
 * list could not be read; the summary is printed either way.  *t is
 * filled. */
int mupdate_resync(struct mupdate_client *c,
                   const struct mupdate_resync_opts *o,
                   struct mupdate_resync_totals *t);

#endif /* MUPDATE_MUPDATE_RESYNC_H */
