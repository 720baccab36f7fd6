/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailsvc.h - the process set-up every mail daemon shares (imapd, pop3d,
 * lmtpd; later their proxies): the server TLS context from imapd.conf and
 * the mail databases held for the process's life.
 *
 * Called from a daemon's service callbacks (master/service.h): the TLS
 * context in init (key files may be readable by root only), the databases
 * in post_drop_init (their files belong to cyrus_user).
 */
#ifndef IMAP_MAILSVC_H
#define IMAP_MAILSVC_H

struct tls_ctx;

/* mailsvc_tls_init - the server TLS context from tls_server_cert,
 * tls_server_key, tls_client_ca_file/dir and tls_ciphers, or NULL when
 * neither cert nor key is set (no STARTTLS then).  fatal(EX_CONFIG) when
 * only one of them is set, when they cannot be loaded, or when -s
 * (implicit TLS) was given without them.  Free with tls_ctx_free(). */
struct tls_ctx *mailsvc_tls_init(void);

/* mailsvc_open_mboxlist - the database environment and mailboxes.db
 * (created when missing): what the mupdate master and slave need.
 * Returns 0, or EX_IOERR after logging a DBERROR line naming what could
 * not be opened. */
int mailsvc_open_mboxlist(void);
/* mailsvc_open_dbs - mailsvc_open_mboxlist, then
 * quotas.db (created when missing), and installs mboxops_write_check as
 * the process's mailbox write check (no write commits to a mailbox that
 * is being moved away or no longer served here).  Returns 0, or an EX_*
 * exit code after logging a DBERROR line naming what could not be
 * opened. */
int mailsvc_open_dbs(void);
/* mailsvc_close_dbs - close what mailsvc_open_dbs opened. */
void mailsvc_close_dbs(void);

#endif /* IMAP_MAILSVC_H */
