/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxops_murder.h - the "authority" hook of mailbox operations: who else
 * must agree before the mailbox list of this server changes.
 *
 * Standalone servers install nothing and every mboxops_murder_* call is a
 * no-op returning MBOXOPS_OK.  A murder backend (imapd with mupdate_server
 * set) installs the MUPDATE implementation (mupdate/mupdate_push.h), so
 * the mail model never speaks the MUPDATE protocol itself.
 *
 * The order mboxops follows (seeds 001, "Operations on the Mailbox List"):
 *   CREATE  local reserved entry, reserve, store, local commit, activate
 *   DELETE  ready, local delete committed, remove
 *   RENAME  reserve every new name, local rename committed, activate
 *           every new name and remove every old one
 *   SETACL  ready, local update committed, activate with the new ACL
 * A failure before the local commit undoes what was done and fails the
 * command (MBOXOPS_TAKEN, MBOXOPS_UNAVAILABLE); a failure after it is
 * logged and left to the startup resync (ctl_mboxlist -m), because the
 * local change is already durable and the backend is authoritative for
 * what exists.
 */
#ifndef IMAP_MBOXOPS_MURDER_H
#define IMAP_MBOXOPS_MURDER_H

struct strarray;

/* The hook.  Every function returns MBOXOPS_OK, MBOXOPS_TAKEN (the
 * authority refused: the name is held, maybe by another server) or
 * MBOXOPS_UNAVAILABLE (the authority cannot be reached: temporary).
 * partition is this server's partition; the implementation forms the
 * location.  acl is the stored ACL string (imap/acl.h), "" for none. */
struct mboxops_murder {
    /* ready - the authority is reachable now (before an irrevocable
     * local change whose announcement must not be lost silently) */
    int (*ready)(void *rock);
    int (*reserve)(void *rock, const char *name, const char *partition);
    int (*activate)(void *rock, const char *name, const char *partition,
                    const char *acl);
    int (*remove)(void *rock, const char *name);
    /* deactivate - name, active on this server's partition, becomes a
     * reservation there (XFER: unavailable while it moves, the name
     * still held).  MBOXOPS_TAKEN when it is not active here. */
    int (*deactivate)(void *rock, const char *name, const char *partition);
    void *rock;
};

/* mboxops_set_murder - install m (NULL: standalone).  m must stay valid
 * until replaced; one per process. */
void mboxops_set_murder(const struct mboxops_murder *m);
/* mboxops_murder_active - 1 when a hook is installed, else 0. */
int mboxops_murder_active(void);

/* The calls mboxops makes (MBOXOPS_OK without a hook).  Failures are
 * logged here with the mailbox name. */
int mboxops_murder_ready(void);
int mboxops_murder_reserve(const char *name, const char *partition);
int mboxops_murder_activate(const char *name, const char *partition,
                            const char *acl);
int mboxops_murder_remove(const char *name);
/* mboxops_murder_deactivate - see the hook's deactivate (XFER). */
int mboxops_murder_deactivate(const char *name, const char *partition);

/* mboxops_murder_reserve_all - reserve every name of names on partition;
 * on a failure remove the ones already reserved and return it. */
int mboxops_murder_reserve_all(const struct strarray *names,
                               const char *partition);
/* mboxops_murder_remove_all - remove every name (failures logged). */
void mboxops_murder_remove_all(const struct strarray *names);
/* mboxops_murder_announce - after a committed local rename: activate each
 * of news with its local entry's partition and ACL, then remove each of
 * olds (NULL: none).  Failures are logged and left to ctl_mboxlist -m. */
void mboxops_murder_announce(const struct strarray *news,
                             const struct strarray *olds);

/* mboxops_crash_point - fault injection for the crash tests: when the
 * environment variable MURDER_CRASH_POINT equals point, log it and
 * _exit(1) at once (no clean-up, as a crash).  Points: create_after_reserve,
 * create_after_store, create_after_commit, delete_after_local,
 * rename_after_reserve, rename_after_local, rename_after_activate,
 * setacl_after_local. */
void mboxops_crash_point(const char *point);

#endif /* IMAP_MBOXOPS_MURDER_H */
