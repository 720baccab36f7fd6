/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-noop.c - NOOP (RFC 3501 6.1.2): any state.  Once mailboxes can be
 * selected, the engine reports mailbox changes before every tagged reply;
 * NOOP itself does nothing.
 */
#include "config.h"

#include "imap/imap_commands.h"
#include "imap/imap_session.h"

bool cmd_noop(struct imap_cmd *cmd)
{
    if (cmd->argc) {
        imap_cmd_bad(cmd, "Unexpected extra arguments to NOOP");
        return true;
    }
    imap_cmd_ok(cmd, "Completed");
    return true;
}
