/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xfer.h - moving mailboxes between murder backends (XFER).
 *
 * The frontend (or an admin) sends to the SOURCE backend, as the user:
 *     tag XFER mailbox server[!partition]
 * The source checks rights ('x' on the mailbox; a user's INBOX also
 * needs allowusermoves or an admin), then for the mailbox and each of
 * its children, parents first (imap/cmd-xfer.c):
 *   1. marks its entry MOVING, takes and releases the mailbox's
 *      exclusive lock once (mailbox_write_barrier) and DEACTIVATEs it on
 *      the MUPDATE master (the name stays reserved at the old location:
 *      clients see it unavailable, delivery gets 4xx).  From the barrier
 *      on no write commits to the mailbox: every write checks the entry
 *      under that lock (mboxops_write_check), so a session that had it
 *      selected before gets NO [UNAVAILABLE] for STORE, EXPUNGE, CLOSE's
 *      expunge, MOVE...; after a move it gets BYE at its next command
 *      (the local copy is gone), after a failed move it goes on;
 *   2. dumps it (imap/mailbox_dump.h) to an unlinked spool file and hands
 *      it to the transport, which logs in to the destination as
 *      proxy_authname and sends  tag XFERRECV name partition {n}  + dump;
 *   3. on OK deletes its copy without telling the master (the name now
 *      lives on the destination); on NO, timeout or a lost connection
 *      re-ACTIVATEs the mailbox here and clears MOVING: it is whole and
 *      served here again.
 * Mailboxes move one at a time: when one fails, those moved stay moved
 * (each is consistent on its own) and it and the rest stay here; the
 * answer says how far it got.
 *
 * The destination (imap/xfer_recv.c) takes XFERRECV only from a login
 * listed in proxyservers acting as itself, refuses a name it has,
 * builds the mailbox with the same UIDVALIDITY/UIDs/flags
 * (imap/mailbox_import.h), commits its entry, ACTIVATEs it on the master
 * at its own location and answers OK; on any failure it removes what it
 * wrote and answers NO.
 *
 * Crash between the destination's OK and the source's delete: both have
 * a copy and the master names the destination; the source's startup
 * resync (ctl_mboxlist -m) moves its copy aside, never destroys it.
 */
#ifndef IMAP_XFER_H
#define IMAP_XFER_H

#include <stdbool.h>
#include <stdint.h>

struct buf;
struct imap_cmd;
struct imap_stream_ops;

enum xfer_result {
    XFER_OK = 0,
    XFER_NO = -1,     /* the destination refused (its text in error) */
    XFER_TEMP = -2,   /* no answer: connection failed, lost or timed out */
};

/* How the source reaches a destination.  send - deliver the dump of
 * size bytes read from fd (positioned at 0) as XFERRECV name partition
 * (partition "" : the destination's default) to server ("host" or
 * "host:port").  XFER_OK only when the destination answered OK; else
 * XFER_NO / XFER_TEMP with a one-line reason in error (reset first). */
struct xfer_transport {
    int (*send)(const char *server, const char *name, const char *partition,
                int fd, uint64_t size, struct buf *error);
};

/* xfer_set_transport - install t (imapd at start; NULL: none, XFER then
 * answers NO [CANNOT]).  t must stay valid. */
void xfer_set_transport(const struct xfer_transport *t);

/* The IMAP transport (imap/xfer_send.c, linked into imapd only: it uses
 * the proxy core, proxy/proxy_backend.h). */
extern const struct xfer_transport xfer_imap_transport;

/* Command handlers (imapd's table). */
bool cmd_xfer(struct imap_cmd *cmd);
bool cmd_xferrecv(struct imap_cmd *cmd);

/* xfer_recv_stream_ops - the sink of XFERRECV's dump literal (the dump
 * is parsed and written as it arrives, imap_session.h stream_ops). */
const struct imap_stream_ops *xfer_recv_stream_ops(void);

/* Fault injection for the crash tests (imap/mboxops_murder.h,
 * MURDER_CRASH_POINT): xfer_after_remote_ok - the source, right after
 * the destination's OK, before deleting its copy.
 * For the tests of writes during a move: MURDER_XFER_PAUSE_MS=<n> makes
 * the source sleep n milliseconds (at most 60000) after each mailbox's
 * dump, before sending it, with the mailbox MOVING (logged as "XFER test
 * pause").  Unset (production), nothing happens. */

#endif /* IMAP_XFER_H */
