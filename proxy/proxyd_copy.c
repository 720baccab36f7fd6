/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_copy.c - COPY and MOVE (RFC 3501 6.4.7, RFC 6851) through
 * proxyd.  When the destination lives on the selected mailbox's backend,
 * the command goes there as sent and the backend does the work (COPYUID,
 * untagged EXPUNGEs of MOVE relayed).  A destination on another backend
 * is proxyd_copy_cross's job (proxyd_crosscopy.c): FETCH from the
 * source, APPEND to the destination (the seeds' cross-server COPY).
 */
#include "config.h"

#include <string.h>

#include "imap/imap_session.h"
#include "imap/mboxlist.h"
#include "lib/log.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxyd.h"

bool proxyd_cmd_copy(struct imap_cmd *cmd)
{
    struct mboxlist_entry *e = NULL;
    struct proxy_backend *be;
    struct buf name = BUF_INIT;
    const char *ext;

    if (cmd->argc != 2 || !imap_arg_get_astring(&cmd->args[1], &ext)) {
        imap_cmd_bad(cmd, "Invalid arguments: %s sequence mailbox", cmd->name);
        return true;
    }
    if (proxyd_locate(cmd, ext, true, &e) < 0)
        return true;
    if (!(be = proxyd_selected_backend(cmd))) {
        mboxlist_entry_free(&e);
        return true;
    }
    if (strcmp(be->server, e->server) != 0) {
        proxyd_copy_cross(cmd, be, e);
    } else {
        buf_printf(&name, "%s%s", cmd->uid ? "UID " : "", cmd->name);
        proxyd_send(be, buf_cstring(&name), cmd->args, cmd->argc);
        proxyd_relay(cmd, be, NULL);
    }
    buf_free(&name);
    mboxlist_entry_free(&e);
    return true;
}
