/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_acl.c - the ACL (RFC 4314) and QUOTA (RFC 9208) commands
 * through proxyd: each goes to the backend of the mailbox it names, as
 * the client sent it.  SETACL and DELETEACL change the list (ACLs travel
 * with it), so the mupdate slave is asked to catch up before the
 * client's next command.  SETQUOTA is an administrative command a
 * frontend never performs: NO with a referral to the backend.
 */
#include "config.h"

#include <string.h>

#include "imap/imap_session.h"
#include "imap/mboxlist.h"
#include "lib/log.h"
#include "mupdate/mupdate_client.h"
#include "proxy/proxyd.h"

bool proxyd_cmd_mailbox(struct imap_cmd *cmd)
{
    struct mboxlist_entry *e = NULL;
    const char *ext;

    if (cmd->argc < 1 || !imap_arg_get_astring(&cmd->args[0], &ext)) {
        imap_cmd_bad(cmd, "Invalid arguments: %s mailbox ...", cmd->name);
        return true;
    }
    if (proxyd_locate(cmd, ext, false, &e) == 0 &&
        proxyd_pass(cmd, e->server) == PROXYD_OK &&
        (strcmp(cmd->name, "SETACL") == 0 || strcmp(cmd->name, "DELETEACL") == 0) &&
        mupdate_kick(0) != MUPDATE_OK)
        log_info("mupdate kick failed after command=<%s>", cmd->name);
    mboxlist_entry_free(&e);
    return true;
}

bool proxyd_cmd_quota(struct imap_cmd *cmd)
{
    struct mboxlist_entry *e = NULL;
    const char *root;

    if (cmd->argc < 1 || !imap_arg_get_astring(&cmd->args[0], &root)) {
        imap_cmd_bad(cmd, "Invalid arguments: %s root ...", cmd->name);
        return true;
    }
    if (strcmp(cmd->name, "SETQUOTA") == 0) {
        /* the quota root is named like its mailbox */
        proxyd_lookup(cmd->sess, root, &e);
        proxyd_refer_admin(cmd, e ? e->server : NULL, root);
    } else if (proxyd_locate(cmd, root, false, &e) == 0) {
        proxyd_pass(cmd, e->server);
    }
    mboxlist_entry_free(&e);
    return true;
}
