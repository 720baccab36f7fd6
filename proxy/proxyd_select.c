/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_select.c - SELECT/EXAMINE and the selected state for proxyd.
 *
 * SELECT finds the mailbox in the local list (kicking the mupdate slave
 * on a miss), refers a referral-aware client to the backend, or sends
 * the SELECT (with the client's parameters: CONDSTORE, QRESYNC) to the
 * mailbox's backend and streams its answer.  From then on every
 * selected-state command (FETCH, STORE, SEARCH, SORT, THREAD, EXPUNGE,
 * CHECK, UID ..., CLOSE, UNSELECT) goes to that backend as the client
 * sent it, untagged responses relayed as they arrive.  Selecting a
 * mailbox on another backend unselects the old one there first
 * (UNSELECT: no expunge, as RFC 3501 wants for a SELECT replacing
 * another).  A backend lost while selected ends the selection
 * ("* OK [CLOSED]") and the command gets NO [UNAVAILABLE].
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_session.h"
#include "imap/mboxlist.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_imap.h"
#include "proxy/proxyd.h"

/* drop_all - relay filter: the client does not see these */
static bool drop_all(void *rock, const char *resp, size_t len)
{
    (void)rock;
    (void)resp;
    (void)len;
    return false;
}

/* forget - the session has no selected mailbox any more */
static void forget(struct imap_session *s, struct proxy_backend *be)
{
    struct proxyd_session *ps = proxyd_sess(s);
    struct proxy_imap_data *d = be ? proxy_imap_data(be) : NULL;

    if (d) {
        free(d->selected);
        d->selected = NULL;
    }
    free(ps->sel_server);
    free(ps->sel_name);
    ps->sel_server = ps->sel_name = NULL;
    s->state = IMAP_CMD_AUTH;
}

/* selected_backend - the connection holding the selection; NULL after
 * answering NO (the selection is then over) */
static struct proxy_backend *selected_backend(struct imap_cmd *cmd)
{
    struct proxyd_session *ps = proxyd_sess(cmd->sess);
    struct proxy_backend *be;
    struct proxy_imap_data *d;

    if (!ps->sel_server) {
        imap_cmd_no(cmd, "[CLOSED] No mailbox selected");
        cmd->sess->state = IMAP_CMD_AUTH;
        return NULL;
    }
    if (proxyd_backend_get(cmd->sess, ps->sel_server, &be) < 0) {
        /* its connection is gone and no new one can be had */
        imap_untagged(cmd->sess, "OK [CLOSED] Mailbox server went away");
        imap_cmd_no(cmd, "[UNAVAILABLE] Server %s is unavailable",
                    ps->sel_server);
        forget(cmd->sess, NULL);
        return NULL;
    }
    d = proxy_imap_data(be);
    if (!d->selected || strcmp(d->selected, ps->sel_name) != 0) {
        /* the pool had to reconnect: the old selection is gone */
        imap_untagged(cmd->sess, "OK [CLOSED] Mailbox server reconnected");
        forget(cmd->sess, be);
        imap_cmd_no(cmd, "[UNAVAILABLE] Selected mailbox is no longer available");
        return NULL;
    }
    return be;
}

/* unselect_old - leave the current selection before selecting name on
 * server (nothing to do when it is the same backend: its SELECT
 * replaces the selection itself) */
static void unselect_old(struct imap_cmd *cmd, const char *server)
{
    struct imap_session *s = cmd->sess;
    struct proxyd_session *ps = proxyd_sess(s);
    struct proxyd_relay quiet = { drop_all, NULL, true, NULL };
    struct proxy_backend *be = NULL;

    if (!ps->sel_server)
        return;
    if (server && strcmp(server, ps->sel_server) == 0) {
        free(ps->sel_server);
        free(ps->sel_name);
        ps->sel_server = ps->sel_name = NULL;
        return;
    }
    if (proxyd_backend_get(s, ps->sel_server, &be) < 0) {
        be = NULL;
    } else if (proxy_imap_data(be)->selected) {
        proxyd_sendf(be, "UNSELECT");
        if (proxyd_relay(cmd, be, &quiet) == PROXYD_DEAD)
            be = NULL;   /* dropped, and the selection with it */
    }
    forget(s, be);
    if (s->enabled & (IMAP_ENABLED_QRESYNC | IMAP_ENABLED_IMAP4REV2))
        imap_untagged(s, "OK [CLOSED] Previous mailbox is now closed");
}

/* select_on - send the SELECT to the backend of e and take the state
 * from its answer */
static void select_on(struct imap_cmd *cmd, const struct mboxlist_entry *e)
{
    struct imap_session *s = cmd->sess;
    struct proxyd_session *ps = proxyd_sess(s);
    struct proxy_backend *be;
    struct buf server = BUF_INIT;
    struct proxy_imap_data *d;

    proxyd_server(e, &server);
    unselect_old(cmd, buf_cstring(&server));
    if (proxyd_backend(cmd, buf_cstring(&server), &be) < 0) {
        buf_free(&server);
        return;
    }
    d = proxy_imap_data(be);
    free(d->selected);
    d->selected = NULL;
    s->state = IMAP_CMD_AUTH;
    proxyd_send(be, cmd->name, cmd->args, cmd->argc);
    if (proxyd_relay(cmd, be, NULL) == PROXYD_OK) {
        d->selected = xstrdup(e->name);
        d->readonly = strcmp(cmd->name, "EXAMINE") == 0;
        ps->sel_server = buf_release(&server);
        ps->sel_name = xstrdup(e->name);
        s->state = IMAP_CMD_SELECTED;
    }
    buf_free(&server);
}

bool proxyd_cmd_select(struct imap_cmd *cmd)
{
    struct mboxlist_entry *e = NULL;
    const char *ext;

    if (cmd->argc < 1 || !imap_arg_get_astring(&cmd->args[0], &ext)) {
        imap_cmd_bad(cmd, "Invalid arguments: %s mailbox [(parameters)]",
                     cmd->name);
        return true;
    }
    if (proxyd_locate(cmd, ext, false, &e) < 0) {
        /* RFC 3501 6.3.1: a failed SELECT leaves no mailbox selected */
        unselect_old(cmd, NULL);
        return true;
    }
    if (proxyd_refer(cmd, e, ext))
        unselect_old(cmd, NULL);
    else
        select_on(cmd, e);
    mboxlist_entry_free(&e);
    return true;
}

bool proxyd_cmd_selected(struct imap_cmd *cmd)
{
    struct proxy_backend *be = selected_backend(cmd);
    struct buf name = BUF_INIT;

    if (!be)
        return true;
    buf_printf(&name, "%s%s", cmd->uid ? "UID " : "", cmd->name);
    proxyd_send(be, buf_cstring(&name), cmd->args, cmd->argc);
    proxyd_relay(cmd, be, NULL);
    buf_free(&name);
    return true;
}

bool proxyd_cmd_close(struct imap_cmd *cmd)
{
    struct proxy_backend *be = selected_backend(cmd);

    if (!be)
        return true;
    proxyd_send(be, cmd->name, cmd->args, cmd->argc);
    if (proxyd_relay(cmd, be, NULL) != PROXYD_DEAD)
        forget(cmd->sess, be);
    return true;
}

struct proxy_backend *proxyd_selected_backend(struct imap_cmd *cmd)
{
    return selected_backend(cmd);
}
