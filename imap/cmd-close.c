/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-close.c - CLOSE (RFC 3501 6.4.2) and UNSELECT (RFC 3691): leave the
 * selected state.  CLOSE first expunges the \Deleted messages, silently
 * (no untagged EXPUNGE), when the mailbox is read-write and the session
 * has the 'e' right; the quota root's usage drops accordingly (once:
 * imap_selected_close -> mboxops_expunge); when that expunge fails (the
 * mailbox is being moved: NO [UNAVAILABLE]) the mailbox is closed all the
 * same and CLOSE answers NO, as Cyrus does.  UNSELECT
 * never expunges.  Also CHECK (RFC 3501 6.4.1): nothing to flush (every
 * change is durable when its command answers), so it only reports.
 */
#include "config.h"

#include <string.h>

#include "imap/acl.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mboxcmds.h"

/* close_common - the argument check of the three */
static bool close_args(struct imap_cmd *cmd)
{
    if (cmd->argc) {
        imap_cmd_bad(cmd, "Unexpected extra arguments to %s", cmd->name);
        return false;
    }
    return true;
}

bool cmd_close(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    struct imap_selected *sel = s->selected;
    int r;

    if (!close_args(cmd))
        return true;
    r = imap_selected_close(s, strcmp(cmd->name, "CLOSE") == 0 &&
                                   (sel->rights & ACL_EXPUNGE));
    /* closed either way; but an expunge that did not happen is not OK */
    if (r != MAILBOX_OK)
        imap_selected_write_no(cmd, "CLOSE's expunge", r);
    else
        imap_cmd_ok(cmd, "Completed");
    return true;
}

bool cmd_unselect(struct imap_cmd *cmd)
{
    return cmd_close(cmd);
}

bool cmd_check(struct imap_cmd *cmd)
{
    if (close_args(cmd))
        imap_cmd_ok(cmd, "Completed");
    return true;
}
