/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-quota.c - the QUOTA commands of RFC 2087 (RFC 9208 resources
 * STORAGE and MESSAGE): GETQUOTA (admins, or the owner of the root),
 * GETQUOTAROOT (any visible mailbox), SETQUOTA (admins only).  Quota
 * roots are named like mailboxes, in the session's namespace.  A new
 * root's usage is computed from the mailboxes it governs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/auth_state.h"
#include "imap/imap_session.h"
#include "imap/mailbox.h"
#include "imap/mboxcmds.h"
#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "imap/mboxops.h"
#include "imap/quota.h"
#include "lib/buf.h"
#include "lib/str.h"

/* quota_send - "* QUOTA root (...)"; false when there is no such root */
static bool quota_send(struct imap_session *s, const char *root,
                       const char *ext)
{
    struct quota q;
    struct buf b = BUF_INIT;
    bool ok;

    quota_init(&q);
    ok = quota_read(root, &q) == QUOTA_OK;
    if (ok) {
        mboxcmd_quote(&b, ext);
        buf_appendcstr(&b, " (");
        quota_format(&q, &b);
        buf_putc(&b, ')');
        imap_untagged(s, "QUOTA %s", buf_cstring(&b));
    }
    quota_fini(&q);
    buf_free(&b);
    return ok;
}

/* account_cb - add a governed mailbox's usage to a new root */
static int account_cb(void *rock, const struct mboxlist_entry *e)
{
    const char *root = rock, *part = mboxops_root(e->partition);
    struct mailbox *mb = NULL;
    char *gov = NULL;

    if (strcmp(e->name, root) != 0 && !mboxname_is_child(e->name, root))
        return 0;
    if (quota_findroot(e->name, &gov) == QUOTA_OK && strcmp(gov, root) == 0 &&
        part && mailbox_open(part, e->name, &mb) == MAILBOX_OK) {
        const struct mailbox_header *h = mailbox_get_header(mb);
        quota_change(root, (int64_t)h->quota_used, (int64_t)h->exists,
                     QUOTA_FORCE, NULL, NULL);
        mailbox_close(&mb);
    }
    free(gov);
    return 0;
}

/* setquota - parse the resource list and store; a reply text or NULL */
static const char *setquota(const char *root, const struct imap_arg *l,
                            size_t n)
{
    int64_t limit[QUOTA_NUMRESOURCES];
    struct quota q;
    bool isnew;

    for (int i = 0; i < QUOTA_NUMRESOURCES; i++)
        limit[i] = QUOTA_UNLIMITED;
    if (n % 2)
        return "BAD";
    for (size_t i = 0; i < n; i += 2) {
        const char *res, *num;
        uint64_t v;
        int r;

        if (!imap_arg_get_atom(&l[i], &res) ||
            !imap_arg_get_atom(&l[i + 1], &num) ||
            (r = quota_resource_parse(res)) < 0 ||
            str_parse_u64(num, strlen(num), (uint64_t)1 << 53, &v) < 0)
            return "BAD";
        limit[r] = (int64_t)v;
    }
    quota_init(&q);
    isnew = quota_read(root, &q) != QUOTA_OK;
    quota_fini(&q);
    if (quota_setlimits(root, limit) != QUOTA_OK)
        return "[SERVERBUG] Cannot store the quota";
    if (isnew)
        mboxlist_foreach(root, account_cb, (void *)root);
    return NULL;
}

/* quotaroot - GETQUOTAROOT */
static void quotaroot(struct imap_cmd *cmd, const char *ext, const char *name)
{
    struct imap_session *s = cmd->sess;
    struct mboxops_who who;
    struct buf b = BUF_INIT;
    char *root = NULL, *rootext = NULL;
    int r;

    mboxcmd_who(s, &who);
    r = mboxops_lookup(&who, name, 0, NULL, NULL);
    if (r != MBOXOPS_OK) {
        imap_cmd_no(cmd, "%s", mboxops_strerror(r));
        return;
    }
    mboxcmd_quote(&b, ext);
    if (quota_findroot(name, &root) == QUOTA_OK &&
        (rootext = mboxcmd_external(s, root)) != NULL) {
        buf_putc(&b, ' ');
        mboxcmd_quote(&b, rootext);
    }
    imap_untagged(s, "QUOTAROOT %s", buf_cstring(&b));
    if (rootext)
        quota_send(s, root, rootext);
    imap_cmd_ok(cmd, "Completed");
    free(root);
    free(rootext);
    buf_free(&b);
}

bool cmd_quota(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    bool set = strcmp(cmd->name, "SETQUOTA") == 0;
    bool admin = auth_state_is_admin(s->auth);
    const struct imap_arg *l = NULL;
    const char *ext, *err;
    char *name = NULL;
    size_t n = 0;

    if (cmd->argc != (set ? 2u : 1u) ||
        !imap_arg_get_astring(&cmd->args[0], &ext) ||
        (set && !imap_arg_get_list(&cmd->args[1], &l, &n))) {
        imap_cmd_bad(cmd, "Invalid arguments to %s", cmd->name);
        return true;
    }
    if (mboxcmd_internal(s, ext, &name) < 0) {
        imap_cmd_no(cmd, "%s", mboxops_strerror(MBOXOPS_NOTFOUND));
    } else if (strcmp(cmd->name, "GETQUOTAROOT") == 0) {
        quotaroot(cmd, ext, name);
    } else if (!admin && (set || mboxname_is_owner(&s->ns, name,
                                                    s->userid) != 1)) {
        imap_cmd_no(cmd, "%s", mboxops_strerror(MBOXOPS_PERM));
    } else if (!set) {
        if (quota_send(s, name, ext))
            imap_cmd_ok(cmd, "Completed");
        else
            imap_cmd_no(cmd, "[NONEXISTENT] Quota root does not exist");
    } else if ((err = setquota(name, l, n)) != NULL) {
        if (strcmp(err, "BAD") == 0)
            imap_cmd_bad(cmd, "Invalid quota resource list");
        else
            imap_cmd_no(cmd, "%s", err);
    } else {
        imap_cmd_ok(cmd, "Completed");
    }
    free(name);
    return true;
}
