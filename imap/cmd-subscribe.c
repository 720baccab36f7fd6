/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-subscribe.c - SUBSCRIBE and UNSUBSCRIBE (RFC 3501 6.3.6-7), kept in
 * the user's subscription database (imap/subs.h) by internal name.
 * SUBSCRIBE needs a mailbox the user can see unless allowallsubscribe is
 * on (murder backends); UNSUBSCRIBE works on any name, so a stale
 * subscription can always be removed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_session.h"
#include "imap/mboxcmds.h"
#include "imap/mboxops.h"
#include "imap/subs.h"
#include "lib/cfg.h"

bool cmd_subscribe(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    bool sub = strcmp(cmd->name, "SUBSCRIBE") == 0;
    struct mboxops_who who;
    const char *ext;
    char *name = NULL;
    int r = MBOXOPS_OK;

    if (cmd->argc != 1 || !imap_arg_get_astring(&cmd->args[0], &ext)) {
        imap_cmd_bad(cmd, "Invalid arguments to %s", cmd->name);
        return true;
    }
    mboxcmd_who(s, &who);
    if (mboxcmd_internal(s, ext, &name) < 0) {
        r = MBOXOPS_NOTFOUND;
    } else if (sub && !cfg_get_switch(IMAPOPT_ALLOWALLSUBSCRIBE)) {
        r = mboxops_lookup(&who, name, 0, NULL, NULL);
        if (r == MBOXOPS_REMOTE)
            r = MBOXOPS_OK;
    }
    if (r == MBOXOPS_OK) {
        int sr = sub ? subs_add(s->userid, name) : subs_remove(s->userid, name);
        if (sr == SUBS_NOTFOUND) {
            imap_cmd_no(cmd, "[NONEXISTENT] Not subscribed");
            free(name);
            return true;
        }
        if (sr != SUBS_OK)
            r = MBOXOPS_IO;
    }
    if (r == MBOXOPS_OK)
        imap_cmd_ok(cmd, "Completed");
    else
        imap_cmd_no(cmd, "%s", mboxops_strerror(r));
    free(name);
    return true;
}
