/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-delete.c - DELETE (RFC 3501 6.3.4).  Needs the 'x' right; child
 * mailboxes stay (they become children of a \Noselect level).  A user
 * cannot delete their own INBOX; an admin deleting "user.X" removes the
 * whole user (Cyrus).  Deleting the selected mailbox ends the selection
 * first, so no session keeps a deleted mailbox open; other sessions get
 * BYE at their next report (imap_selected.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mboxcmds.h"
#include "imap/mboxops.h"

bool cmd_delete(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    struct mboxops_who who;
    const char *ext;
    char *name = NULL;
    int r;

    if (cmd->argc != 1 || !imap_arg_get_astring(&cmd->args[0], &ext)) {
        imap_cmd_bad(cmd, "Invalid arguments to DELETE");
        return true;
    }
    mboxcmd_who(s, &who);
    if (mboxcmd_internal(s, ext, &name) < 0) {
        r = MBOXOPS_NOTFOUND;
    } else {
        if (s->selected && strcmp(s->selected->name, name) == 0)
            imap_selected_close(s, false);
        r = mboxops_delete(&who, name);
    }
    if (r == MBOXOPS_OK)
        imap_cmd_ok(cmd, "Completed");
    else
        imap_cmd_no(cmd, "%s", mboxops_strerror(r));
    free(name);
    return true;
}
