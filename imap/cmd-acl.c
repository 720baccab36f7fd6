/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-acl.c - the ACL commands of RFC 4314: GETACL, SETACL, DELETEACL,
 * LISTRIGHTS (all need the 'a' right) and MYRIGHTS (any right).  The
 * stored ACL is imap/acl.h's; identifiers are canonicalised before they
 * are stored.  Rights are shown with the virtual c/d (RFC 4314 2.1.1).
 * A mailbox the session cannot see is answered as nonexistent.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/acl.h"
#include "imap/auth_state.h"
#include "imap/imap_session.h"
#include "imap/mboxcmds.h"
#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "imap/mboxops.h"
#include "lib/buf.h"
#include "lib/cfg.h"

/* acl_item_cb - one "id rights" pair of the ACL response */
static int acl_item_cb(const char *id, unsigned rights, void *rock)
{
    struct buf *b = rock;
    char r[ACL_RIGHTS_MAX];

    buf_putc(b, ' ');
    mboxcmd_quote(b, id);
    buf_putc(b, ' ');
    mboxcmd_quote(b, acl_rights_str(rights, ACL_FMT_VIRTUAL, r));
    return 0;
}

/* acl_change - SETACL / DELETEACL on e: 0, or -1 with *err */
static int acl_change(struct imap_cmd *cmd, struct mboxlist_entry *e,
                      const char *rawid, const char *mod, const char **err)
{
    struct acl *acl = NULL;
    struct buf b = BUF_INIT;
    char *id = NULL;
    int r = -1;

    if (auth_canonify_identifier(rawid, 0, &id, err) < 0)
        return -1;
    if (acl_parse(e->acl, strlen(e->acl), &acl, err) < 0)
        goto out;
    if (mod && acl_set(acl, id, mod, err) < 0)
        goto out;
    if (!mod)
        acl_delete(acl, id);
    acl_format(acl, &b);
    free(e->acl);
    e->acl = buf_release(&b);
    r = mboxops_update_acl(e); /* the murder's master hears of it too */
    if (r != MBOXOPS_OK) {
        *err = r == MBOXOPS_IO ? "[SERVERBUG] Cannot store the ACL"
                               : mboxops_strerror(r);
        r = -1;
        goto out;
    }
    (void)cmd;
    r = 0;
out:
    acl_free(&acl);
    free(id);
    buf_free(&b);
    return r;
}

/* acl_reply - the untagged response of each command */
static int acl_reply(struct imap_cmd *cmd, const char *ext,
                     struct mboxlist_entry *e, unsigned rights,
                     const char **ids, const char **err)
{
    struct imap_session *s = cmd->sess;
    struct buf b = BUF_INIT;
    struct acl *acl = NULL;
    char r[ACL_RIGHTS_MAX];

    mboxcmd_quote(&b, ext);
    if (strcmp(cmd->name, "MYRIGHTS") == 0) {
        buf_putc(&b, ' ');
        mboxcmd_quote(&b, acl_rights_str(rights, ACL_FMT_VIRTUAL, r));
        imap_untagged(s, "MYRIGHTS %s", buf_cstring(&b));
    } else if (strcmp(cmd->name, "GETACL") == 0) {
        if (acl_parse(e->acl, strlen(e->acl), &acl, err) < 0) {
            buf_free(&b);
            return -1;
        }
        acl_foreach(acl, acl_item_cb, &b);
        imap_untagged(s, "ACL %s", buf_cstring(&b));
        acl_free(&acl);
    } else if (strcmp(cmd->name, "LISTRIGHTS") == 0) {
        unsigned req = ACL_NONE;
        if (mboxname_is_owner(&s->ns, e->name, ids[0]) == 1)
            acl_rights_parse(cfg_get_string(IMAPOPT_IMPLICIT_OWNER_RIGHTS),
                             strlen(cfg_get_string(IMAPOPT_IMPLICIT_OWNER_RIGHTS)),
                             &req, err);
        buf_putc(&b, ' ');
        mboxcmd_quote(&b, ids[0]);
        buf_putc(&b, ' ');
        acl_listrights(req, &b);
        imap_untagged(s, "LISTRIGHTS %s", buf_cstring(&b));
    } else {
        buf_free(&b);
        return acl_change(cmd, e, ids[0],
                          strcmp(cmd->name, "SETACL") == 0 ? ids[1] : NULL,
                          err);
    }
    buf_free(&b);
    return 0;
}

/* acl_args - mailbox plus the identifier(s) each command takes */
static bool acl_args(struct imap_cmd *cmd, const char **ext, const char **ids)
{
    size_t want = strcmp(cmd->name, "SETACL") == 0 ? 3
                : (strcmp(cmd->name, "DELETEACL") == 0 ||
                   strcmp(cmd->name, "LISTRIGHTS") == 0) ? 2 : 1;

    if (cmd->argc != want || !imap_arg_get_astring(&cmd->args[0], ext))
        return false;
    for (size_t i = 1; i < want; i++) {
        if (!imap_arg_get_astring(&cmd->args[i], &ids[i - 1]))
            return false;
    }
    return true;
}

bool cmd_acl(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    const char *ext, *ids[2] = { NULL, NULL }, *err = NULL;
    bool my = strcmp(cmd->name, "MYRIGHTS") == 0;
    struct mboxlist_entry *e = NULL;
    struct mboxops_who who;
    unsigned rights = 0;
    char *name = NULL;
    int r;

    if (!acl_args(cmd, &ext, ids)) {
        imap_cmd_bad(cmd, "Invalid arguments to %s", cmd->name);
        return true;
    }
    mboxcmd_who(s, &who);
    if (mboxcmd_internal(s, ext, &name) < 0)
        r = MBOXOPS_NOTFOUND;
    else
        r = mboxops_lookup(&who, name, my ? MBOXOPS_NEED_ANY : ACL_ADMIN,
                           &e, &rights);
    if (r != MBOXOPS_OK)
        imap_cmd_no(cmd, "%s", mboxops_strerror(r));
    else if (acl_reply(cmd, ext, e, rights, ids, &err) < 0)
        imap_cmd_no(cmd, "%s", err ? err : "Failed");
    else
        imap_cmd_ok(cmd, "Completed");
    mboxlist_entry_free(&e);
    free(name);
    return true;
}
