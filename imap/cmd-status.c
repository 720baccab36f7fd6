/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-status.c - STATUS (RFC 3501 6.3.10): MESSAGES, RECENT (always 0),
 * UIDNEXT, UIDVALIDITY, UNSEEN, SIZE (RFC 8438), HIGHESTMODSEQ (RFC
 * 7162) and DELETED (RFC 9051), read from the mailbox's index header
 * without selecting it; UNSEEN is the session user's (imap/seen_view.h:
 * counted from the user's seen database outside the user's own
 * mailboxes), DELETED is counted from the index records.
 * Needs the 'r' right; a mailbox the session may not see is answered as
 * if it did not exist.  status_response() also serves LIST-STATUS.
 */
#include "config.h"

#include <stdlib.h>

#include "imap/acl.h"
#include "imap/imap_session.h"
#include "imap/mailbox.h"
#include "imap/mboxcmds.h"
#include "imap/mboxlist.h"
#include "imap/mboxops.h"
#include "imap/seen_view.h"
#include "lib/buf.h"

/* status_unseen - the session user's unseen count: the index header's
 * in the user's own mailboxes, else counted from the seen database (the
 * owner's count when that cannot be read: logged by seen_view) */
static uint32_t status_unseen(struct imap_session *s,
                              const struct mboxlist_entry *e,
                              struct mailbox *mb,
                              const struct mailbox_header *h)
{
    struct seen_view v;
    uint32_t n = h->unseen;

    if (seen_view_open(&v, &s->ns, s->userid, e->name, e->uniqueid) == 0 &&
        v.per_user)
        n = seen_view_unseen(&v, mb, NULL);
    seen_view_fini(&v);
    return n;
}

/* status_deleted - how many messages carry \Deleted */
static uint32_t status_deleted(struct mailbox *mb)
{
    uint32_t n = mailbox_count(mb), count = 0;

    for (uint32_t msgno = 1; msgno <= n; msgno++) {
        const struct mailbox_record *rec =
            mailbox_record(mb, mailbox_msgno_uid(mb, msgno));
        if (rec && (rec->system_flags & MAILBOX_FLAG_DELETED))
            count++;
    }
    return count;
}

int status_response(struct imap_session *s, const char *ext,
                    const struct mboxlist_entry *e, unsigned items)
{
    const char *root = mboxops_root(e->partition);
    const struct mailbox_header *h;
    struct mailbox *mb = NULL;
    struct buf b = BUF_INIT;

    if (!root || mailbox_open(root, e->name, &mb) != MAILBOX_OK)
        return -1;
    h = mailbox_get_header(mb);
    mboxcmd_quote(&b, ext);
    buf_appendcstr(&b, " (");
    if (items & STATUS_MESSAGES)
        buf_printf(&b, "MESSAGES %u ", h->exists);
    if ((items & STATUS_RECENT) && !(s->enabled & IMAP_ENABLED_IMAP4REV2))
        buf_appendcstr(&b, "RECENT 0 ");   /* RFC 9051 has no RECENT */
    if (items & STATUS_UIDNEXT)
        buf_printf(&b, "UIDNEXT %u ", h->uidnext);
    if (items & STATUS_UIDVALIDITY)
        buf_printf(&b, "UIDVALIDITY %u ", h->uidvalidity);
    if (items & STATUS_UNSEEN)
        buf_printf(&b, "UNSEEN %u ", status_unseen(s, e, mb, h));
    if (items & STATUS_DELETED)
        buf_printf(&b, "DELETED %u ", status_deleted(mb));
    if (items & STATUS_SIZE)
        buf_printf(&b, "SIZE %llu ", (unsigned long long)h->quota_used);
    if (items & STATUS_HIGHESTMODSEQ)
        buf_printf(&b, "HIGHESTMODSEQ %llu ",
                   (unsigned long long)h->highestmodseq);
    if (b.s[b.len - 1] == ' ')
        b.len--;
    buf_putc(&b, ')');
    imap_untagged(s, "STATUS %s", buf_cstring(&b));
    buf_free(&b);
    mailbox_close(&mb);
    return 0;
}

bool cmd_status(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    const struct imap_arg *l;
    struct mboxlist_entry *e = NULL;
    struct mboxops_who who;
    const char *ext, *err = NULL;
    char *name = NULL;
    unsigned items;
    size_t n;
    int r;

    if (cmd->argc != 2 || !imap_arg_get_astring(&cmd->args[0], &ext) ||
        !imap_arg_get_list(&cmd->args[1], &l, &n)) {
        imap_cmd_bad(cmd, "Invalid arguments to STATUS");
        return true;
    }
    if (status_items_parse(l, n, &items, &err) < 0) {
        imap_cmd_bad(cmd, "%s", err);
        return true;
    }
    mboxcmd_who(s, &who);
    if (mboxcmd_internal(s, ext, &name) < 0)
        r = MBOXOPS_NOTFOUND;
    else
        r = mboxops_lookup(&who, name, ACL_READ, &e, NULL);
    if (r == MBOXOPS_OK && status_response(s, ext, e, items) < 0)
        r = MBOXOPS_IO;
    if (r == MBOXOPS_OK)
        imap_cmd_ok(cmd, "Completed");
    else
        imap_cmd_no(cmd, "%s", mboxops_strerror(r));
    mboxlist_entry_free(&e);
    free(name);
    return true;
}
