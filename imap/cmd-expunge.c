/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-expunge.c - EXPUNGE (RFC 3501 6.4.3) and UID EXPUNGE (RFC 4315
 * UIDPLUS), selected state only.
 *
 * Needs a read-write selection and the 'e' right (RFC 4314).  EXPUNGE
 * removes every \Deleted message; UID EXPUNGE only the \Deleted ones of
 * its UID set.  The expunge itself is one commit in
 * imap/mailbox_expunge.c (through mboxops_expunge, which gives the quota
 * back); the "* n EXPUNGE" (or VANISHED) lines are sent
 * by the end-of-command report (imap_selected_report), exactly as for an
 * expunge done by another session, so this file never numbers messages.
 */
#include "config.h"

#include "imap/acl.h"
#include "imap/imap_commands.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mailbox.h"
#include "imap/mboxops.h"

/* expunge_deleted_of - the UIDs of uids that carry \Deleted */
static void expunge_deleted_of(struct mailbox *mb,
                               const struct mailbox_uids *uids,
                               struct mailbox_uids *out)
{
    for (size_t i = 0; i < uids->count; i++) {
        const struct mailbox_record *rec = mailbox_record(mb, uids->v[i]);

        if (rec && (rec->system_flags & MAILBOX_FLAG_DELETED) &&
            !(rec->system_flags & MAILBOX_FLAG_EXPUNGED))
            mailbox_uids_add(out, uids->v[i]);
    }
}

/* expunge_uids - UID EXPUNGE <set>: the \Deleted messages of set;
 * MAILBOX_OK, an error, or 1 when a BAD was sent */
static int expunge_uids(struct imap_cmd *cmd, struct mailbox *mb)
{
    struct mailbox_uids uids = { 0 }, del = { 0 };
    const char *set, *err = NULL;
    int r = MAILBOX_OK;

    if (cmd->argc != 1 || !imap_arg_get_atom(&cmd->args[0], &set) ||
        imap_selected_resolve(cmd->sess, set, cmd->args[0].u.str.len, true,
                              &uids, &err) < 0) {
        imap_cmd_bad(cmd, "%s", err ? err : "Invalid arguments to UID EXPUNGE");
        mailbox_uids_fini(&uids);
        return 1;
    }
    expunge_deleted_of(mb, &uids, &del);
    if (del.count)
        r = mboxops_expunge(mb, del.v, del.count, NULL);
    mailbox_uids_fini(&uids);
    mailbox_uids_fini(&del);
    return r;
}

bool cmd_expunge(struct imap_cmd *cmd)
{
    struct imap_selected *sel = cmd->sess->selected;
    int r;

    if (!cmd->uid && cmd->argc != 0) {
        imap_cmd_bad(cmd, "EXPUNGE takes no arguments");
        return true;
    }
    if (sel->readonly) {
        imap_cmd_no(cmd, "[READ-ONLY] Mailbox is read-only");
        return true;
    }
    if (!(sel->rights & ACL_EXPUNGE)) {
        imap_cmd_no(cmd, "[NOPERM] Permission denied");
        return true;
    }
    r = cmd->uid ? expunge_uids(cmd, sel->mb)
                 : mboxops_expunge(sel->mb, NULL, 0, NULL);
    if (r == 1)
        return true;
    if (r != MAILBOX_OK)
        imap_selected_write_no(cmd, "EXPUNGE", r);
    else
        imap_cmd_ok(cmd, "Completed");
    return true;
}
