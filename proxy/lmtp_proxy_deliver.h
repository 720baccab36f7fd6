/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtp_proxy_deliver.h - proxied delivery: the struct lmtp_hooks of
 * lmtpproxyd, which routes each recipient by the frontend's mailboxes.db
 * to its backend and delivers there over LMTP (proxy/proxy_lmtp.h).
 *
 * RCPT: the address is resolved by the same rules as lmtpd
 * (lmtpd/lmtp_recipient.h) against the local copy of the list.  A miss
 * asks the mupdate slave to catch up (mupdate_kick) and looks again: an
 * unknown mailbox is 550 5.1.1 only when the slave confirmed the list
 * is current and the user's INBOX is not reserved (being created or
 * moved); otherwise, and when the slave cannot be reached, 451 4.3.0.
 * DATA: the message is spooled once to an unlinked temporary file under
 * configdirectory (the engine's Return-Path is dropped: each backend
 * writes its own).  Delivery opens (or reuses) one connection per
 * backend involved, sends MAIL, the RCPTs and DATA pipelined, streams the
 * spool to every backend in the same pass, and relays each backend's
 * per-recipient reply in RCPT order as it arrives.  A backend that is
 * down or fails part-way gets 451 4.4.1 / 4.4.2 for its recipients;
 * the others are unaffected.  Nothing is answered 250 unless the backend
 * answered 250 for that recipient.
 */
#ifndef PROXY_LMTP_PROXY_DELIVER_H
#define PROXY_LMTP_PROXY_DELIVER_H

struct lmtp_hooks;

extern const struct lmtp_hooks lmtp_proxy_hooks;

/* lmtp_proxy_init - after privileges are dropped: the namespace
 * settings, the database environment and mailboxes.db.  0, or an exit
 * code (logged). */
int lmtp_proxy_init(void);
/* lmtp_proxy_done - QUIT the kept backend connections, close the
 * databases. */
void lmtp_proxy_done(void);

#endif /* PROXY_LMTP_PROXY_DELIVER_H */
