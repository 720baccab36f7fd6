/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-rename.c - RENAME (RFC 3501 6.3.5), with Cyrus's admin-only third
 * argument naming the new partition.  Needs 'x' on the old mailbox and
 * 'k' where the new one goes; children move along, except for a rename of
 * INBOX, which moves its messages to the new mailbox and leaves INBOX
 * empty (imap/mboxops_change.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mboxcmds.h"
#include "imap/mboxname.h"
#include "imap/mboxops.h"

bool cmd_rename(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    const char *oldext, *newext, *partition = NULL;
    char *oldname = NULL, *newname = NULL;
    struct mboxops_who who;
    int r;

    if (cmd->argc < 2 || cmd->argc > 3 ||
        !imap_arg_get_astring(&cmd->args[0], &oldext) ||
        !imap_arg_get_astring(&cmd->args[1], &newext) ||
        (cmd->argc == 3 && !imap_arg_get_astring(&cmd->args[2], &partition))) {
        imap_cmd_bad(cmd, "Invalid arguments to RENAME");
        return true;
    }
    mboxcmd_who(s, &who);
    if (mboxcmd_internal(s, oldext, &oldname) < 0) {
        r = MBOXOPS_NOTFOUND;
    } else if (mboxcmd_internal(s, newext, &newname) < 0) {
        r = MBOXOPS_BADNAME;
    } else {
        if (s->selected && (strcmp(s->selected->name, oldname) == 0 ||
                            mboxname_is_child(s->selected->name, oldname)))
            imap_selected_close(s, false);
        r = mboxops_rename(&who, oldname, newname, partition);
    }
    if (r == MBOXOPS_OK)
        imap_cmd_ok(cmd, "Completed");
    else
        imap_cmd_no(cmd, "%s", mboxops_strerror(r));
    free(oldname);
    free(newname);
    return true;
}
