/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtpproxyd.c - the frontend LMTP daemon: callbacks for the service
 * skeleton (master/service.h) and one call into it.
 *
 * The LMTP engine (lmtpd/lmtp_engine.h) serves each connection with the
 * proxied delivery hooks (proxy/lmtp_proxy_deliver.h), which route each
 * recipient to its backend.  As for lmtpd: -a (the MTA on the unix socket
 * `lmtpsocket`, a cyrus.conf listen= path) skips AUTH; otherwise a client
 * must AUTH as an admin (lmtp_admins) or a proxy server.  TLS (STARTTLS,
 * -s) when tls_server_cert/key are set.  Configuration and database
 * errors are fatal at start, before any client is accepted.
 */
#include "config.h"

#include <stddef.h>

#include "imap/mailsvc.h"
#include "lib/tls.h"
#include "lmtpd/lmtp_engine.h"
#include "master/service.h"
#include "proxy/lmtp_proxy_deliver.h"

/* The process-wide part of every session. */
static struct lmtp_server lmtpproxyd_server = {
    .hooks = &lmtp_proxy_hooks,
};

/* lmtpproxyd_init - privileged set-up: key files may be root's only */
static int lmtpproxyd_init(int argc, char **argv, void *rock)
{
    (void)argc;
    (void)argv;
    (void)rock;
    lmtpproxyd_server.tls_ctx = mailsvc_tls_init();
    if (!service_preauth())
        lmtp_auth_init();
    return 0;
}

/* lmtpproxyd_post_drop_init - mailboxes.db, as cyrus_user */
static int lmtpproxyd_post_drop_init(void *rock)
{
    (void)rock;
    return lmtp_proxy_init();
}

/* lmtpproxyd_connection - serve one client */
static void lmtpproxyd_connection(const struct service_conn *conn, void *rock)
{
    (void)rock;
    lmtp_session_serve(&lmtpproxyd_server, conn, service_preauth());
}

/* lmtpproxyd_shutdown - QUIT the backends, close the databases */
static void lmtpproxyd_shutdown(int code, void *rock)
{
    (void)code;
    (void)rock;
    lmtp_proxy_done();
    tls_ctx_free(&lmtpproxyd_server.tls_ctx);
}

int main(int argc, char **argv)
{
    static const struct service_callbacks cb = {
        .name = "lmtpproxyd",
        .init = lmtpproxyd_init,
        .post_drop_init = lmtpproxyd_post_drop_init,
        .connection = lmtpproxyd_connection,
        .shutdown = lmtpproxyd_shutdown,
    };
    service_main(argc, argv, &cb);
}
