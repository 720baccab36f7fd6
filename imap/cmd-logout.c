/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-logout.c - LOGOUT (RFC 3501 6.1.3): any state.  "* BYE" first, then
 * the tagged OK; the engine leaves its loop afterwards.
 */
#include "config.h"

#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "lib/log.h"

bool cmd_logout(struct imap_cmd *cmd)
{
    if (cmd->argc) {
        imap_cmd_bad(cmd, "Unexpected extra arguments to LOGOUT");
        return true;
    }
    log_debug("logout");
    imap_session_bye(cmd->sess, "LOGOUT received");
    imap_cmd_ok(cmd, "Completed");
    return true;
}
