/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-namespace.c - NAMESPACE (RFC 2342): authenticated and selected
 * states.  The session's struct namespace was filled at login
 * (imap_session_set_authenticated); imap/namespace.c renders it.
 */
#include "config.h"

#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "imap/namespace.h"
#include "lib/buf.h"

bool cmd_namespace(struct imap_cmd *cmd)
{
    struct buf b = BUF_INIT;

    if (cmd->argc) {
        imap_cmd_bad(cmd, "Unexpected extra arguments to NAMESPACE");
        return true;
    }
    namespace_response(&cmd->sess->ns, 1, 1, &b);
    imap_untagged(cmd->sess, "NAMESPACE %s", buf_cstring(&b));
    imap_cmd_ok(cmd, "Completed");
    buf_free(&b);
    return true;
}
