/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-close.c - CLOSE (RFC 3501 6.4.2) and UNSELECT (RFC 3691): leave the
 * selected state.  CLOSE first expunges the \Deleted messages, silently
 * (no untagged EXPUNGE), when the mailbox is read-write and the session
 * has the 'e' right; the quota root's usage drops accordingly.  UNSELECT
 * never expunges.  Also CHECK (RFC 3501 6.4.1): nothing to flush (every
 * change is durable when its command answers), so it only reports.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/acl.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mailbox.h"
#include "imap/mboxcmds.h"
#include "imap/quota.h"
#include "lib/log.h"

/* close_expunge - expunge \Deleted and give the quota back */
static void close_expunge(struct imap_selected *sel)
{
    const struct mailbox_header *h = mailbox_get_header(sel->mb);
    uint64_t bytes = h->quota_used, msgs = h->exists;
    char *root = NULL;
    int r = mailbox_expunge(sel->mb, NULL, 0, NULL);

    if (r != MAILBOX_OK) {
        log_error("IOERROR: expunge on close failed mailbox=<%s> error=<%s>",
                  sel->name, mailbox_strerror(r));
        return;
    }
    h = mailbox_get_header(sel->mb);
    if ((bytes != h->quota_used || msgs != h->exists) &&
        quota_findroot(sel->name, &root) == QUOTA_OK)
        quota_change(root, -(int64_t)(bytes - h->quota_used),
                     -(int64_t)(msgs - h->exists), QUOTA_FORCE, NULL, NULL);
    free(root);
}

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

    if (!close_args(cmd))
        return true;
    if (strcmp(cmd->name, "CLOSE") == 0 && !sel->readonly &&
        (sel->rights & ACL_EXPUNGE))
        close_expunge(sel);
    imap_selected_close(s, false);
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
