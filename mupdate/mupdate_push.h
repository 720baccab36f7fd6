/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_push.h - a murder backend keeping the MUPDATE master current:
 * the implementation of the mail model's authority hook
 * (imap/mboxops_murder.h) over one cached MUPDATE connection.
 *
 * imapd installs it at start when mupdate_server is set; from then on
 * every CREATE / DELETE / RENAME / SETACL of the process reserves,
 * activates and deletes on the master (mupdate/mupdate_client.h).  The
 * connection is opened at first use and kept; a connection found dead is
 * replaced once per call, so a restarted master costs no failed command.
 * A master that cannot be reached makes the call MBOXOPS_UNAVAILABLE.
 */
#ifndef MUPDATE_MUPDATE_PUSH_H
#define MUPDATE_MUPDATE_PUSH_H

struct buf;

/* mupdate_push_install - when mupdate_server is set, install the hook
 * for this process and return 1; else install nothing and return 0. */
int mupdate_push_install(void);

/* mupdate_push_close - uninstall the hook and close the connection (at
 * process exit).  Safe when not installed. */
void mupdate_push_close(void);

/* mupdate_push_location - this server's location of partition,
 * "servername!partition" (servername from imapd.conf), into out (reset
 * first). */
void mupdate_push_location(const char *partition, struct buf *out);

#endif /* MUPDATE_MUPDATE_PUSH_H */
