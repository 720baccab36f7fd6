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
#include <string.h>

#include "imap/imap_auth.h"
#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "imap/mailsvc.h"
#include "imap/mboxcmds.h"
#include "imap/xfer.h"
#include "lib/cfg.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/tls.h"
#include "master/service.h"
#include "mupdate/mupdate_push.h"

/* imapd_stream_ops - the sink of a command's streamed literals: APPEND's
 * messages, XFERRECV's mailbox dump (imap/xfer.h) */
static const struct imap_stream_ops *imapd_stream_ops(const char *command)
{
    if (strcmp(command, "XFERRECV") == 0)
        return xfer_recv_stream_ops();
    return cmd_append_stream_ops(command);
}

/* The process-wide part of every session (not per-connection state). */
static struct imap_server imapd_server = {
    .commands = &imapd_commands,
    .stream_ops = imapd_stream_ops,
    .literal_check = cmd_append_literal_check,
};

/* imapd_init - privileged set-up: key files may be readable by root only */
static int imapd_init(int argc, char **argv, void *rock)
{
    (void)argc;
    (void)argv;
    (void)rock;
    imap_commands_valid(imapd_server.commands);
    imapd_server.tls_ctx = mailsvc_tls_init();
    imap_auth_init();
    return 0;
}

/* imapd_open_dbs - after dropping privileges (files are cyrus_user's):
 * the databases mailbox commands use (imap/mboxops.c), for the process's
 * life; in a murder (mupdate_server) mailbox-list changes also go to the
 * MUPDATE master (mupdate/mupdate_push.h) */
static int imapd_open_dbs(void *rock)
{
    (void)rock;
    if (mupdate_push_install())
        xfer_set_transport(&xfer_imap_transport);
    return mailsvc_open_dbs();
}

/* imapd_connection - serve one client */
static void imapd_connection(const struct service_conn *conn, void *rock)
{
    (void)rock;
    imap_session_serve(&imapd_server, conn);
}

/* imapd_shutdown - free the TLS context, close the MUPDATE connection */
static void imapd_shutdown(int code, void *rock)
{
    (void)code;
    (void)rock;
    tls_ctx_free(&imapd_server.tls_ctx);
    mupdate_push_close();
    mailsvc_close_dbs();
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
