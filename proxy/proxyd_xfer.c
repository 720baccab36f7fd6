/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_xfer.c - RENAME to another server through proxyd: the mailbox
 * (and its children) moves between backends by XFER (imap/xfer.h), sent
 * to the source backend as the user; when the name changes too, a RENAME
 * on the destination follows.  The mupdate slave is asked to catch up
 * after each step, so the client's next command finds the mailbox where
 * it now is.
 *
 * A failed XFER leaves the mailbox whole on the source (the backends
 * guarantee it) and the client gets the source's NO.  A failed rename
 * after a successful move leaves the mailbox moved under its old name,
 * and the NO says so.
 */
#include "config.h"

#include <string.h>

#include "imap/imap_session.h"
#include "imap/mboxlist.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "mupdate/mupdate_client.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxyd.h"

/* untagged_pass - relay filter: untagged responses reach the client */
static bool untagged_pass(void *rock, const char *resp, size_t len)
{
    (void)rock;
    (void)resp;
    (void)len;
    return true;
}

/* run_quiet - the command just sent on be, to its tagged reply (text
 * into text); the slave catches up after an OK */
static enum proxyd_result run_quiet(struct imap_cmd *cmd,
                                    struct proxy_backend *be, struct buf *text)
{
    struct proxyd_relay r = { untagged_pass, NULL, true, text };
    enum proxyd_result res = proxyd_relay(cmd, be, &r);

    if (res == PROXYD_OK && mupdate_kick(0) != MUPDATE_OK)
        log_info("mupdate kick failed after command=<%s>", cmd->name);
    return res;
}

/* step - send "verb <cmd's argument argi> [target]" (or "verb arg0 arg1"
 * with argi -1) on server's connection and wait for it; its text in text */
static enum proxyd_result step(struct imap_cmd *cmd, const char *server,
                               const char *verb, int argi, const char *target,
                               struct buf *text)
{
    struct proxy_backend *be;
    struct buf q = BUF_INIT;
    enum proxyd_result res;

    buf_reset(text);
    if (proxyd_backend_get(cmd->sess, server, &be) < 0) {
        buf_printf(text, "server %s is unavailable", server);
        return PROXYD_DEAD;
    }
    if (argi < 0) {
        imap_args_render(cmd->args, 2, IMAP_RENDER_NONSYNC, &q);
    } else {
        imap_args_render(&cmd->args[argi], 1, IMAP_RENDER_NONSYNC, &q);
        buf_putc(&q, ' ');
        proxyd_quote(&q, target);
    }
    proxyd_sendf(be, "%s %s", verb, buf_cstring(&q));
    res = run_quiet(cmd, be, text);
    if (res == PROXYD_DEAD)
        buf_printf(text, "server %s is unavailable", server);
    buf_free(&q);
    return res;
}

void proxyd_rename_xfer(struct imap_cmd *cmd, const struct mboxlist_entry *e,
                        const char *to_server, const char *partition,
                        const char *newname)
{
    struct buf target = BUF_INIT, text = BUF_INIT, place = BUF_INIT;
    int renaming = strcmp(e->name, newname) != 0;
    /* rename where the new name's parent is: its ACL decides */
    int rename_there = renaming && proxyd_place(newname, &place) > 0 &&
                       strcmp(buf_cstring(&place), to_server) == 0;
    enum proxyd_result res = PROXYD_OK;

    buf_printf(&target, "%s%s%s", to_server, partition ? "!" : "",
               partition ? partition : "");
    if (renaming && !rename_there) {
        res = step(cmd, e->server, "RENAME", -1, NULL, &text);
        if (res != PROXYD_OK) {
            imap_cmd_no(cmd, "%s", buf_cstring(&text));
            goto out;
        }
    }
    res = step(cmd, e->server, "XFER", renaming && !rename_there ? 1 : 0,
               buf_cstring(&target), &text);
    log_info("cross-server rename mailbox=<%s> from=<%s> to=<%s> result=<%d>",
             e->name, e->server, to_server, (int)res);
    if (res != PROXYD_OK) {
        if (renaming && !rename_there)
            imap_cmd_no(cmd, "[UNAVAILABLE] Mailbox renamed but not moved "
                        "to %s: %s", to_server, buf_cstring(&text));
        else
            imap_cmd_no(cmd, "%s", buf_cstring(&text));
        goto out;
    }
    if (rename_there &&
        (res = step(cmd, to_server, "RENAME", -1, NULL, &text)) != PROXYD_OK) {
        imap_cmd_no(cmd, "[UNAVAILABLE] Mailbox moved to %s but not renamed: "
                    "%s", to_server, buf_cstring(&text));
        goto out;
    }
    imap_cmd_ok(cmd, "Completed (mailbox moved to %s)", to_server);
out:
    buf_free(&target);
    buf_free(&text);
    buf_free(&place);
}
