/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_reconcile.h - what a backend's startup resync (ctl_mboxlist -m)
 * must change, decided from two lists: the local mailboxes and the
 * master's entries that concern them.  A pure function: no I/O, no
 * globals; mupdate/mupdate_resync.c gathers the lists and carries the
 * decisions out.
 *
 * The rules (seeds 001, "Failure Mode Analysis", and the crash table of
 * CREATE), for each name:
 *   local mailbox, not on the master           PUSH (activate it)
 *   local mailbox, master: here, but reserved,
 *     or another partition or ACL              PUSH
 *   local mailbox, master: another server      CONFLICT (the master is
 *                                              authoritative for the
 *                                              location: move ours aside)
 *   local reserved entry (unfinished CREATE)   ABANDON, and the master's
 *                                              entry is then judged as if
 *                                              there were no local one
 *   master: here, no local mailbox             UNPUSH (delete it there),
 *                                              unless RECONCILE_ADD_ONLY
 *   master: elsewhere, no local mailbox        nothing
 * "here" compares the location's server part with servername, ignoring
 * case (host names).
 */
#ifndef MUPDATE_MUPDATE_RECONCILE_H
#define MUPDATE_MUPDATE_RECONCILE_H

#include <stddef.h>

struct reconcile_entry {
    const char *name;       /* internal mailbox name */
    const char *server;     /* master entries: the location's server part;
                               local entries: NULL */
    const char *partition;  /* "" when unknown */
    const char *acl;        /* stored ACL, "" for none; NULL: a
                               reservation (it has none) */
    int reserved;           /* master RESERVE / local MBTYPE_RESERVE */
};

enum reconcile_op {
    RECONCILE_PUSH = 1,     /* ACTIVATE local on the master */
    RECONCILE_UNPUSH,       /* DELETE master's entry (here, not local) */
    RECONCILE_CONFLICT,     /* move local aside: master says elsewhere */
    RECONCILE_ABANDON,      /* drop the local reserved entry */
};

#define RECONCILE_ADD_ONLY 0x01 /* never UNPUSH (ctl_mboxlist -a) */

/* The decision for one name: local and/or master may be NULL (as the op
 * implies).  Non-zero stops mupdate_reconcile, which returns it. */
typedef int reconcile_cb(void *rock, enum reconcile_op op,
                         const struct reconcile_entry *local,
                         const struct reconcile_entry *master);

/* mupdate_reconcile - walk local[0..nlocal) and master[0..nmaster), each
 * sorted by name (strcmp) without duplicates, and call cb for every
 * change, in name order (ABANDON before UNPUSH of the same name).  The
 * master list must hold every master entry located on servername and
 * every master entry whose name is local.  Returns 0 or cb's result. */
int mupdate_reconcile(const struct reconcile_entry *local, size_t nlocal,
                      const struct reconcile_entry *master, size_t nmaster,
                      const char *servername, int flags, reconcile_cb *cb,
                      void *rock);

/* mupdate_reconcile_op_name - "push", "unpush", "conflict", "abandon". */
const char *mupdate_reconcile_op_name(enum reconcile_op op);

#endif /* MUPDATE_MUPDATE_RECONCILE_H */
