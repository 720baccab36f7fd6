/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtp_local.h - local delivery: the struct lmtp_hooks of lmtpd, which
 * delivers into this server's mailbox store (imap/mailbox.h).
 *
 * RCPT: the address is resolved (lmtpd/lmtp_recipient.h); a mailbox on
 * another server is unknown here (550 5.1.1), an INBOX already over quota
 * for the MAIL SIZE= announced is 452 4.2.2 (552 5.2.2 with
 * lmtp_over_quota_perm_failure).  DATA is staged on the partition of the
 * first recipient (mailbox_stage_*), fsync'd, and parsed once
 * (imap/message.h) for the cache blob.  Each recipient's mailbox then
 * gets the message in its own append (hard links under
 * singleinstancestore; a copy per partition otherwise or across
 * partitions), durable before that recipient's 250 is sent.  With
 * duplicatesuppression a Message-ID already delivered to that mailbox
 * is answered 250 and not stored again (lmtpd/lmtp_dup.h).  Quota usage
 * is added after the append (forced): a crash in between undercounts
 * until quota is recomputed, it never loses mail.
 */
#ifndef LMTPD_LMTP_LOCAL_H
#define LMTPD_LMTP_LOCAL_H

struct lmtp_hooks;

/* The hooks for struct lmtp_server. */
extern const struct lmtp_hooks lmtp_local_hooks;

/* lmtp_local_init - after privileges are dropped: the database
 * environment, mailboxes.db, quotas.db, the duplicate database, stale
 * staging files.  0, or an exit code (logged). */
int lmtp_local_init(void);
/* lmtp_local_done - close the databases. */
void lmtp_local_done(void);

#endif /* LMTPD_LMTP_LOCAL_H */
