/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imapd.c - the backend IMAP daemon: callbacks for the service skeleton
 * (master/service.h) and one call into it.
 *
 * Process set-up only: the TLS context from tls_server_cert/key (no TLS,
 * hence no STARTTLS and no -s, when they are unset), cyrus-sasl from the
 * sasl_* options, and the command table.  Each connection is served by the
 * shared engine (imap/imap_session.c).  Configuration errors are fatal
 * (EX_CONFIG) at start, before any client is accepted.
 */
#include "config.h"

#include <stddef.h>

#include "imap/imap_auth.h"
#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "imap/mboxcmds.h"
#include "imap/mboxlist.h"
#include "imap/quota.h"
#include "lib/cfg.h"
#include "lib/db.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/startup.h"
#include "lib/tls.h"
#include "master/service.h"

/* The process-wide part of every session (not per-connection state). */
static struct imap_server imapd_server = {
    .commands = &imapd_commands,
    .stream_ops = cmd_append_stream_ops,
};

/* imapd_tls_init - the TLS context, or NULL when TLS is not configured */
static struct tls_ctx *imapd_tls_init(void)
{
    struct tls_server_config tc = { 0 };
    struct tls_ctx *ctx;
    const char *err = NULL;

    tc.cert_file = cfg_get_string(IMAPOPT_TLS_SERVER_CERT);
    tc.key_file = cfg_get_string(IMAPOPT_TLS_SERVER_KEY);
    if (!tc.cert_file && !tc.key_file)
        return NULL;
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

/* imapd_init - privileged set-up: key files may be readable by root only */
static int imapd_init(int argc, char **argv, void *rock)
{
    (void)argc;
    (void)argv;
    (void)rock;
    imap_commands_valid(imapd_server.commands);
    imapd_server.tls_ctx = imapd_tls_init();
    if (service_implicit_tls() && !imapd_server.tls_ctx)
        fatal(EX_CONFIG, "-s (implicit TLS) needs tls_server_cert and tls_server_key");
    imap_auth_init();
    return 0;
}

/* imapd_open_dbs - after dropping privileges (files are cyrus_user's):
 * the database environment, mailboxes.db and quotas.db, held for the
 * process's life (mailbox commands, imap/mboxops.c) */
static int imapd_open_dbs(void *rock)
{
    int r;

    (void)rock;
    if (startup_db(0) != DB_OK)
        fatal(EX_IOERR, "DBERROR: cannot open the database environment");
    if ((r = mboxlist_open(MBOXLIST_CREATE)) != MBOXLIST_OK)
        fatal(EX_IOERR, "DBERROR: cannot open the mailbox list: %s",
              mboxlist_errstr(r));
    if ((r = quota_open(QUOTA_CREATE)) != QUOTA_OK)
        fatal(EX_IOERR, "DBERROR: cannot open the quota database: %s",
              quota_errstr(r));
    return 0;
}

/* imapd_connection - serve one client */
static void imapd_connection(const struct service_conn *conn, void *rock)
{
    (void)rock;
    imap_session_serve(&imapd_server, conn);
}

/* imapd_shutdown - free the TLS context */
static void imapd_shutdown(int code, void *rock)
{
    (void)code;
    (void)rock;
    tls_ctx_free(&imapd_server.tls_ctx);
    quota_close();
    mboxlist_close();
    db_done();
}

int main(int argc, char **argv)
{
    static const struct service_callbacks cb = {
        .name = "imapd",
        .init = imapd_init,
        .post_drop_init = imapd_open_dbs,
        .connection = imapd_connection,
        .shutdown = imapd_shutdown,
        .graceful_term = 1,
    };
    service_main(argc, argv, &cb);
}
