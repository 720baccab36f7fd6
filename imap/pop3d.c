/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pop3d.c - the backend POP3 daemon: callbacks for the service skeleton
 * (master/service.h) and one call into it.
 *
 * Process set-up only: the TLS context from tls_server_cert/key (without
 * them there is no STLS and -s is refused), cyrus-sasl from the sasl_*
 * options, and mailboxes.db and quotas.db held for the process's life.
 * Each connection is served by the POP3 engine (imap/pop3_session.c).
 * Configuration errors are fatal (EX_CONFIG) before any client is
 * accepted.
 */
#include "config.h"

#include <stddef.h>

#include "imap/imap_auth.h"
#include "imap/mailsvc.h"
#include "imap/pop3_session.h"
#include "lib/cfg.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/tls.h"
#include "master/service.h"

/* The process-wide part of every session. */
static struct pop3_server pop3d_server = {
    .implementation = "murder pop3d",
};

/* pop3d_init - privileged set-up: key files may be readable by root only */
static int pop3d_init(int argc, char **argv, void *rock)
{
    (void)argc;
    (void)argv;
    (void)rock;
    pop3d_server.tls_ctx = mailsvc_tls_init();
    imap_auth_init();
    return 0;
}

/* pop3d_open_dbs - after dropping privileges: mailboxes.db (maildrop
 * lookup) and quotas.db (expunge gives usage back) */
static int pop3d_open_dbs(void *rock)
{
    (void)rock;
    return mailsvc_open_dbs();
}

/* pop3d_connection - serve one client */
static void pop3d_connection(const struct service_conn *conn, void *rock)
{
    (void)rock;
    pop3_session_serve(&pop3d_server, conn);
}

/* pop3d_shutdown - free the TLS context, close the databases */
static void pop3d_shutdown(int code, void *rock)
{
    (void)code;
    (void)rock;
    tls_ctx_free(&pop3d_server.tls_ctx);
    mailsvc_close_dbs();
}

int main(int argc, char **argv)
{
    static const struct service_callbacks cb = {
        .name = "pop3d",
        .init = pop3d_init,
        .post_drop_init = pop3d_open_dbs,
        .connection = pop3d_connection,
        .shutdown = pop3d_shutdown,
    };
    service_main(argc, argv, &cb);
}
