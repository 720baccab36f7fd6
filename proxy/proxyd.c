/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd.c - the frontend IMAP daemon: callbacks for the service
 * skeleton (master/service.h), the engine hooks, and the per-session
 * proxy state.
 *
 * proxyd is imapd's engine (imap/imap_session.c) with proxyd's command
 * table (proxyd_commands.c): login, TLS and LIST happen here, mailbox
 * commands go to the backends through the proxy core
 * (proxy/proxy_backend.h, IMAP part proxy/proxy_imap.c), connected
 * lazily as the user by proxy authorization.  The mailbox list is the
 * local mailboxes.db the mupdate slave keeps; proxyd only reads it.
 * Configuration errors are fatal (EX_CONFIG) at start.
 */
#include "config.h"

#include <stdlib.h>

#include "imap/imap_auth.h"
#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "imap/mailsvc.h"
#include "lib/buf.h"
#include "lib/tls.h"
#include "lib/xmalloc.h"
#include "master/service.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_imap.h"
#include "proxy/proxyd.h"

extern const struct imap_command_table proxyd_commands;

struct proxyd_session *proxyd_sess(struct imap_session *s)
{
    struct proxyd_session *ps = s->rock;

    if (!ps) {
        ps = xzmalloc(sizeof(*ps));
        ps->pool = proxy_pool_new(&proxy_imap_protocol, s->userid);
        s->rock = ps;
    }
    return ps;
}

/* forget_cb - free the IMAP state of a pooled connection before the
 * pool closes it (its LOGOUT needs none) */
static void forget_cb(struct proxy_backend *be, void *rock)
{
    (void)rock;
    proxy_imap_forget(be);
}

void proxyd_session_end(struct imap_session *s)
{
    struct proxyd_session *ps = s->rock;

    if (!ps)
        return;
    if (ps->append)
        proxyd_append_detach(ps->append);  /* its sinks free it later */
    proxy_pool_foreach(ps->pool, forget_cb, NULL);
    proxy_pool_free(&ps->pool);
    free(ps->sel_server);
    free(ps->sel_name);
    free(ps);
    s->rock = NULL;
}

/* proxyd_capability - what a frontend adds: RFC 2193 referrals */
static void proxyd_capability(struct imap_session *s, struct buf *out)
{
    (void)s;
    buf_appendcstr(out, " MAILBOX-REFERRALS");
}

static const struct imap_session_hooks proxyd_hooks = {
    .capability = proxyd_capability,
    .end = proxyd_session_end,
};

/* The process-wide part of every session (not per-connection state). */
static struct imap_server proxyd_imap_server = {
    .commands = &proxyd_commands,
    .hooks = &proxyd_hooks,
    .stream_ops = proxyd_append_stream_ops,
};

/* proxyd_init - privileged set-up: key files may be readable by root only */
static int proxyd_init(int argc, char **argv, void *rock)
{
    (void)argc;
    (void)argv;
    (void)rock;
    imap_commands_valid(proxyd_imap_server.commands);
    proxyd_imap_server.tls_ctx = mailsvc_tls_init();
    imap_auth_init();
    return 0;
}

/* proxyd_open_dbs - after dropping privileges: the local mailbox list */
static int proxyd_open_dbs(void *rock)
{
    (void)rock;
    return mailsvc_open_dbs();
}

/* proxyd_connection - serve one client */
static void proxyd_connection(const struct service_conn *conn, void *rock)
{
    (void)rock;
    imap_session_serve(&proxyd_imap_server, conn);
}

/* proxyd_shutdown - free the TLS context, close the list */
static void proxyd_shutdown(int code, void *rock)
{
    (void)code;
    (void)rock;
    tls_ctx_free(&proxyd_imap_server.tls_ctx);
    mailsvc_close_dbs();
}

int main(int argc, char **argv)
{
    static const struct service_callbacks cb = {
        .name = "proxyd",
        .init = proxyd_init,
        .post_drop_init = proxyd_open_dbs,
        .connection = proxyd_connection,
        .shutdown = proxyd_shutdown,
        .graceful_term = 1,
    };
    service_main(argc, argv, &cb);
}
