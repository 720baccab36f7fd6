/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailsvc.c - shared process set-up of the mail daemons: TLS context from
 * imapd.conf, and the databases every mailbox operation needs.
 *
 * One place for it, so imapd, pop3d and lmtpd cannot drift apart in how
 * they read tls_* options, which databases they hold or which mailboxes
 * they may write (mboxops_write_check).  Configuration
 * errors are fatal (EX_CONFIG) before any client is accepted.
 */
#include "config.h"

#include <stddef.h>

#include "imap/mailbox.h"
#include "imap/mailsvc.h"
#include "imap/mboxlist.h"
#include "imap/mboxops.h"
#include "imap/quota.h"
#include "lib/cfg.h"
#include "lib/db.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/startup.h"
#include "lib/tls.h"
#include "master/service.h"

struct tls_ctx *mailsvc_tls_init(void)
{
    struct tls_server_config tc = { 0 };
    struct tls_ctx *ctx;
    const char *err = NULL;

    tc.cert_file = cfg_get_string(IMAPOPT_TLS_SERVER_CERT);
    tc.key_file = cfg_get_string(IMAPOPT_TLS_SERVER_KEY);
    if (!tc.cert_file && !tc.key_file) {
        if (service_implicit_tls())
            fatal(EX_CONFIG, "-s (implicit TLS) needs tls_server_cert and tls_server_key");
        return NULL;
    }
    if (!tc.cert_file || !tc.key_file)
        fatal(EX_CONFIG, "TLS needs both tls_server_cert and tls_server_key");
    tc.ca_file = cfg_get_string(IMAPOPT_TLS_CLIENT_CA_FILE);
    tc.ca_path = cfg_get_string(IMAPOPT_TLS_CLIENT_CA_DIR);
    tc.ciphers = cfg_get_string(IMAPOPT_TLS_CIPHERS);
    ctx = tls_server_ctx_new(&tc, &err);
    if (!ctx)
        fatal(EX_CONFIG, "TLS set-up failed: %s", err);
    return ctx;
}

int mailsvc_open_mboxlist(void)
{
    int r;

    if ((r = startup_db(0)) != DB_OK) {
        log_error("DBERROR: cannot open the database environment error=<%s>",
                  db_errstr(r));
        return EX_IOERR;
    }
    if ((r = mboxlist_open(MBOXLIST_CREATE)) != MBOXLIST_OK) {
        log_error("DBERROR: cannot open the mailbox list error=<%s>",
                  mboxlist_errstr(r));
        return EX_IOERR;
    }
    return 0;
}

int mailsvc_open_dbs(void)
{
    int r;

    if ((r = mailsvc_open_mboxlist()) != 0)
        return r;
    if ((r = quota_open(QUOTA_CREATE)) != QUOTA_OK) {
        log_error("DBERROR: cannot open the quota database error=<%s>",
                  quota_errstr(r));
        return EX_IOERR;
    }
    /* no write to a mailbox once it is no longer served here (XFER) */
    mailbox_set_write_check(mboxops_write_check);
    return 0;
}

void mailsvc_close_dbs(void)
{
    mailbox_set_write_check(NULL);
    quota_close();
    mboxlist_close();
    db_done();
}
