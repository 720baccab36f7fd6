/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-create.c - CREATE (RFC 3501 6.3.3), with RFC 6154's
 * "(USE (\Sent ...))" and Cyrus's admin-only partition argument
 * ("CREATE name partition").  Policy, rights and ACLs are mboxops'
 * (imap/mboxops.c).  A trailing hierarchy separator is dropped (RFC 3501:
 * it only declares the intent to create children).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_session.h"
#include "imap/mboxcmds.h"
#include "imap/mboxops.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

/* create_use - "(USE (\Sent \Drafts))" into out; false when malformed */
static bool create_use(const struct imap_arg *arg, struct buf *out)
{
    const struct imap_arg *l, *u;
    size_t n, un;
    struct buf words = BUF_INIT;
    bool ok;

    if (!imap_arg_get_list(arg, &l, &n) || n != 2 ||
        !imap_arg_atom_equals(&l[0], "USE") ||
        !imap_arg_get_list(&l[1], &u, &un) || !un)
        return false;
    for (size_t i = 0; i < un; i++) {
        const char *w;
        if (!imap_arg_get_atom(&u[i], &w))
            return false;
        buf_printf(&words, "%s%s", i ? " " : "", w);
    }
    ok = mboxops_specialuse_valid(buf_cstring(&words), out) == 1;
    buf_free(&words);
    return ok;
}

bool cmd_create(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    const char *ext, *partition = NULL;
    struct buf use = BUF_INIT;
    struct mboxops_who who;
    char *copy, *name = NULL;
    size_t len;
    int r;

    if (cmd->argc < 1 || cmd->argc > 2 ||
        !imap_arg_get_astring(&cmd->args[0], &ext)) {
        imap_cmd_bad(cmd, "Invalid arguments to CREATE");
        return true;
    }
    if (cmd->argc == 2 && cmd->args[1].type == IMAP_ARG_LIST) {
        if (!create_use(&cmd->args[1], &use)) {
            imap_cmd_no(cmd, "[USEATTR] Unsupported special-use attribute");
            buf_free(&use);
            return true;
        }
    } else if (cmd->argc == 2 &&
               !imap_arg_get_astring(&cmd->args[1], &partition)) {
        imap_cmd_bad(cmd, "Invalid partition for CREATE");
        return true;
    }
    copy = xstrdup(ext);
    len = strlen(copy);
    if (len > 1 && copy[len - 1] == s->ns.sep)
        copy[len - 1] = '\0';
    mboxcmd_who(s, &who);
    if (mboxcmd_internal(s, copy, &name) < 0)
        r = MBOXOPS_BADNAME;
    else
        r = mboxops_create(&who, name, partition,
                           use.len ? buf_cstring(&use) : NULL);
    if (r == MBOXOPS_OK)
        imap_cmd_ok(cmd, "Completed");
    else
        imap_cmd_no(cmd, "%s", mboxops_strerror(r));
    free(copy);
    free(name);
    buf_free(&use);
    return true;
}
