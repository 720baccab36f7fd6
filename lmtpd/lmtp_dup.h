/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtp_dup.h - the duplicate delivery database of lmtpd: which
 * Message-IDs were already delivered to which mailbox, so that a message
 * the MTA sends twice (a lost 250, a retried batch) is stored once.
 *
 * File <configdirectory>/deliver.db (Cyrus's name), backend imapd.conf
 * duplicate_db.  Key: the Message-ID as written in the header (trimmed),
 * a NUL, the internal mailbox name.  Value: the delivery time, decimal
 * seconds.  Records are never expired yet: TODO(#3) an expiry event
 * (Cyrus cyr_expire -E).  One handle per process (lmtpd).
 */
#ifndef LMTPD_LMTP_DUP_H
#define LMTPD_LMTP_DUP_H

#include <stddef.h>

#define LMTP_DUP_FILE "deliver.db"

/* lmtp_dup_open - open (creating) the database; 0, or -1 (logged). */
int lmtp_dup_open(void);
/* lmtp_dup_close - close it; safe when not open. */
void lmtp_dup_close(void);

/* lmtp_dup_check - 1 when msgid was delivered to mailbox, 0 when not or
 * when the database fails (a fault must never lose mail: deliver). */
int lmtp_dup_check(const char *msgid, const char *mailbox);
/* lmtp_dup_mark - record the delivery (failures are logged only). */
void lmtp_dup_mark(const char *msgid, const char *mailbox);

/* lmtp_dup_mark_all - record msgid's delivery to each of mailboxes[n] in
 * ONE transaction (one writer lock, one sync for the whole message rather
 * than one per recipient).  lmtpd calls it after the recipients' 250s:
 * the messages are durable by then, and losing these records in a crash
 * only lets a retried message be delivered twice, never lost.  Failures
 * are logged only. */
void lmtp_dup_mark_all(const char *msgid, const char *const *mailboxes,
                       size_t n);

#endif /* LMTPD_LMTP_DUP_H */
