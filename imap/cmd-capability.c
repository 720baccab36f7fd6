/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-capability.c - CAPABILITY (RFC 3501 6.1.1): any state.  The list
 * itself is built by imap_capability.c.
 */
#include "config.h"

#include "imap/imap_capability.h"
#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "lib/buf.h"

bool cmd_capability(struct imap_cmd *cmd)
{
    struct buf caps = BUF_INIT;

    if (cmd->argc) {
        imap_cmd_bad(cmd, "Unexpected extra arguments to CAPABILITY");
        return true;
    }
    imap_capability_get(cmd->sess, &caps);
    imap_untagged(cmd->sess, "CAPABILITY %s", buf_cstring(&caps));
    imap_cmd_ok(cmd, "Completed");
    buf_free(&caps);
    return true;
}
