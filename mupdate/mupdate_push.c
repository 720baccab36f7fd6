/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_push.c - the MUPDATE implementation of imap/mboxops_murder.h
 * for a murder backend (imapd): one cached connection to the master per
 * process, opened at first use, replaced once per call when found dead.
 *
 * Results map onto mboxops: a refused RESERVE is MBOXOPS_TAKEN, anything
 * that is not an answer (no connection, timeout, BYE) MBOXOPS_UNAVAILABLE.
 * Single-threaded; the connection belongs to this file alone.  Failures
 * are logged here with the master's text.
 */
#include "config.h"

#include <stddef.h>

#include "imap/mboxops.h"
#include "imap/mboxops_murder.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/log.h"
#include "mupdate/mupdate_client.h"
#include "mupdate/mupdate_push.h"

/* One call to make, kept so it can be replayed on a new connection. */
enum push_kind { PUSH_NOOP, PUSH_RESERVE, PUSH_ACTIVATE, PUSH_DELETE,
                 PUSH_DEACTIVATE };
struct push_call {
    enum push_kind kind;
    const char *name, *partition, *acl;
};

static struct mupdate_client *conn;

void mupdate_push_location(const char *partition, struct buf *out)
{
    const char *server = cfg_get_string(IMAPOPT_SERVERNAME);

    buf_reset(out);
    buf_printf(out, "%s!%s", server ? server : "localhost", partition);
}

/* push_connect - a connection to the master, or MUPDATE_UNAVAILABLE */
static int push_connect(void)
{
    const char *err = NULL;
    int r = mupdate_connect(NULL, &conn, &err);

    if (r != MUPDATE_OK) {
        conn = NULL;
        log_error("MUPDATE: cannot connect to the master server=<%s> "
                  "error=<%s>", cfg_get_string(IMAPOPT_MUPDATE_SERVER),
                  err ? err : mupdate_client_errstr(r));
    }
    return r;
}

/* push_send - make call on conn; a mupdate_result */
static int push_send(const struct push_call *call)
{
    struct buf loc = BUF_INIT;
    int r = MUPDATE_OK;

    if (call->partition)
        mupdate_push_location(call->partition, &loc);
    switch (call->kind) {
    case PUSH_NOOP:
        r = mupdate_noop(conn);
        break;
    case PUSH_RESERVE:
        r = mupdate_reserve(conn, call->name, buf_cstring(&loc));
        break;
    case PUSH_ACTIVATE:
        r = mupdate_activate(conn, call->name, buf_cstring(&loc), call->acl);
        break;
    case PUSH_DELETE:
        r = mupdate_delete(conn, call->name);
        break;
    case PUSH_DEACTIVATE:
        r = mupdate_deactivate(conn, call->name, buf_cstring(&loc));
        break;
    }
    buf_free(&loc);
    return r;
}

/* push_run - call on the cached connection; one fresh connection more
 * when the cached one turns out dead.  Returns an mboxops_result. */
static int push_run(const struct push_call *call)
{
    int fresh = conn == NULL, r;

    if (!conn && push_connect() != MUPDATE_OK)
        return MBOXOPS_UNAVAILABLE;
    r = push_send(call);
    if (r == MUPDATE_UNAVAILABLE) {
        log_notice("MUPDATE: connection lost server=<%s> error=<%s>",
                   mupdate_client_server(conn), mupdate_client_error(conn));
        mupdate_disconnect(&conn);
        if (fresh || push_connect() != MUPDATE_OK)
            return MBOXOPS_UNAVAILABLE;
        r = push_send(call);
        if (r == MUPDATE_UNAVAILABLE) {
            mupdate_disconnect(&conn);
            return MBOXOPS_UNAVAILABLE;
        }
    }
    if (r == MUPDATE_OK)
        return MBOXOPS_OK;
    log_notice("MUPDATE: master said NO mailbox=<%s> error=<%s>",
               call->name ? call->name : "", mupdate_client_error(conn));
    if (call->kind == PUSH_DELETE)
        return MBOXOPS_OK; /* nothing there to delete */
    return call->kind == PUSH_RESERVE || call->kind == PUSH_DEACTIVATE
               ? MBOXOPS_TAKEN : MBOXOPS_UNAVAILABLE;
}

/* push_ready - the hook's ready: a NOOP round trip */
static int push_ready(void *rock)
{
    struct push_call c = { PUSH_NOOP, NULL, NULL, NULL };

    (void)rock;
    return push_run(&c);
}

/* push_reserve - the hook's reserve */
static int push_reserve(void *rock, const char *name, const char *partition)
{
    struct push_call c = { PUSH_RESERVE, name, partition, NULL };

    (void)rock;
    return push_run(&c);
}

/* push_activate - the hook's activate */
static int push_activate(void *rock, const char *name, const char *partition,
                         const char *acl)
{
    struct push_call c = { PUSH_ACTIVATE, name, partition, acl };

    (void)rock;
    return push_run(&c);
}

/* push_remove - the hook's remove */
static int push_remove(void *rock, const char *name)
{
    struct push_call c = { PUSH_DELETE, name, NULL, NULL };

    (void)rock;
    return push_run(&c);
}

/* push_deactivate - the hook's deactivate (XFER: active -> reserved) */
static int push_deactivate(void *rock, const char *name, const char *partition)
{
    struct push_call c = { PUSH_DEACTIVATE, name, partition, NULL };

    (void)rock;
    return push_run(&c);
}

static const struct mboxops_murder push_hook = {
    .ready = push_ready,
    .reserve = push_reserve,
    .activate = push_activate,
    .remove = push_remove,
    .deactivate = push_deactivate,
    .rock = NULL,
};

int mupdate_push_install(void)
{
    const char *server = cfg_get_string(IMAPOPT_MUPDATE_SERVER);

    if (!server || !*server)
        return 0;
    mboxops_set_murder(&push_hook);
    return 1;
}

void mupdate_push_close(void)
{
    mboxops_set_murder(NULL);
    mupdate_disconnect(&conn);
}
