/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pop3proxyd.c - the frontend POP3 daemon: the POP3 engine
 * (imap/pop3_session.h) authenticates the user here (USER/PASS, AUTH,
 * STLS, CAPA), then its login hook (proxy/pop3_proxy.c) passes the
 * session through to the backend holding the user's INBOX.
 *
 * Process set-up only: TLS from tls_server_cert/key, cyrus-sasl from the
 * sasl_* options, mailboxes.db (kept current by the mupdate slave) held
 * for the process's life.  Configuration errors are fatal (EX_CONFIG)
 * before any client is accepted.
 */
#include "config.h"

#include <stddef.h>

#include "imap/imap_auth.h"
#include "imap/mailsvc.h"
#include "imap/pop3_session.h"
#include "lib/tls.h"
#include "master/service.h"
#include "proxy/pop3_proxy.h"

/* The process-wide part of every session. */
static struct pop3_server pop3proxyd_server = {
    .implementation = "murder pop3proxyd",
    .login_hook = pop3_proxy_login,
};

/* pop3proxyd_init - privileged set-up: key files may be root's only */
static int pop3proxyd_init(int argc, char **argv, void *rock)
{
    (void)argc;
    (void)argv;
    (void)rock;
    pop3proxyd_server.tls_ctx = mailsvc_tls_init();
    imap_auth_init();
    return 0;
}

/* pop3proxyd_open_dbs - after dropping privileges: mailboxes.db */
static int pop3proxyd_open_dbs(void *rock)
{
    (void)rock;
    return mailsvc_open_dbs();
}

/* pop3proxyd_connection - serve one client */
static void pop3proxyd_connection(const struct service_conn *conn, void *rock)
{
    (void)rock;
    pop3_session_serve(&pop3proxyd_server, conn);
}

/* pop3proxyd_shutdown - free the TLS context, close the databases */
static void pop3proxyd_shutdown(int code, void *rock)
{
    (void)code;
    (void)rock;
    tls_ctx_free(&pop3proxyd_server.tls_ctx);
    mailsvc_close_dbs();
}

int main(int argc, char **argv)
{
    static const struct service_callbacks cb = {
        .name = "pop3proxyd",
        .init = pop3proxyd_init,
        .post_drop_init = pop3proxyd_open_dbs,
        .connection = pop3proxyd_connection,
        .shutdown = pop3proxyd_shutdown,
    };
    service_main(argc, argv, &cb);
}
