/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtpd.c - the backend LMTP daemon: callbacks for the service skeleton
 * (master/service.h) and one call into it.
 *
 * The LMTP engine (lmtpd/lmtp_engine.h) serves each connection with the
 * local delivery hooks (lmtpd/lmtp_local.h).  -a (the peer is
 * preauthorized: the MTA on the unix socket `lmtpsocket`, declared in
 * cyrus.conf as listen=<that path>) skips AUTH; otherwise a client must
 * AUTH as an admin (lmtp_admins) or a proxy server.  TLS (STARTTLS, -s)
 * is offered when tls_server_cert/key are set.  Configuration and
 * database errors are fatal at start, before any client is accepted.
 */
#include "config.h"

#include <stddef.h>

#include "imap/mailsvc.h"
#include "lib/cfg.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/tls.h"
#include "lmtpd/lmtp_engine.h"
#include "lmtpd/lmtp_local.h"
#include "master/service.h"

/* The process-wide part of every session. */
static struct lmtp_server lmtpd_server = {
    .hooks = &lmtp_local_hooks,
};

/* lmtpd_init - privileged set-up: key files may be readable by root only */
static int lmtpd_init(int argc, char **argv, void *rock)
{
    (void)argc;
    (void)argv;
    (void)rock;
    lmtpd_server.tls_ctx = mailsvc_tls_init();
    if (!service_preauth())
        lmtp_auth_init();
    return 0;
}

/* lmtpd_post_drop_init - databases, as cyrus_user */
static int lmtpd_post_drop_init(void *rock)
{
    (void)rock;
    return lmtp_local_init();
}

/* lmtpd_connection - serve one client */
static void lmtpd_connection(const struct service_conn *conn, void *rock)
{
    (void)rock;
    lmtp_session_serve(&lmtpd_server, conn, service_preauth());
}

/* lmtpd_shutdown - close the databases, free the TLS context */
static void lmtpd_shutdown(int code, void *rock)
{
    (void)code;
    (void)rock;
    lmtp_local_done();
    tls_ctx_free(&lmtpd_server.tls_ctx);
}

int main(int argc, char **argv)
{
    static const struct service_callbacks cb = {
        .name = "lmtpd",
        .init = lmtpd_init,
        .post_drop_init = lmtpd_post_drop_init,
        .connection = lmtpd_connection,
        .shutdown = lmtpd_shutdown,
    };
    service_main(argc, argv, &cb);
}
