/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-select.c - SELECT and EXAMINE (RFC 3501 6.3.1-2): open a mailbox
 * as the session's selected state (imap_selected.c) and describe it:
 * FLAGS, EXISTS, RECENT (always 0), UNSEEN (first message unseen by this
 * user, imap/seen_view.h),
 * PERMANENTFLAGS (what the session's rights let it store), UIDVALIDITY,
 * UIDNEXT, HIGHESTMODSEQ, and READ-ONLY / READ-WRITE.  A mailbox the
 * session may not see gets the same NO as one that does not exist.
 * The previous selection ends first, also when the new one fails; with
 * QRESYNC or IMAP4rev2 enabled that is announced by "* OK [CLOSED]" (RFC
 * 7162 3.2.11, RFC 9051 7.1).  Under IMAP4rev2, "* LIST" replaces RECENT
 * and [UNSEEN] (RFC 9051 6.3.2).
 * Parameters (RFC 7162): (CONDSTORE) and, once QRESYNC is enabled,
 * (QRESYNC (uidvalidity modseq [known-uids [seq-match]])), answered by
 * imap_qresync.c after the description.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/acl.h"
#include "imap/imap_qresync.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mboxcmds.h"
#include "imap/mboxlist.h"
#include "imap/mboxops.h"
#include "lib/buf.h"
#include "lib/str.h"

/* select_flag_names - the system flags and the mailbox's keywords */
static void select_flag_names(const struct mailbox *mb, unsigned rights,
                              bool permanent, struct buf *out)
{
    const char *sp = "";

    buf_putc(out, '(');
    if (!permanent || (rights & ACL_WRITE)) {
        buf_appendcstr(out, "\\Answered \\Flagged \\Draft");
        sp = " ";
    }
    if (!permanent || (rights & ACL_DELETEMSG)) {
        buf_printf(out, "%s\\Deleted", sp);
        sp = " ";
    }
    if (!permanent || (rights & ACL_SEEN)) {
        buf_printf(out, "%s\\Seen", sp);
        sp = " ";
    }
    if (!permanent || (rights & ACL_WRITE)) {
        for (unsigned i = 0; i < MAILBOX_USER_FLAGS_MAX; i++) {
            const char *n = mailbox_user_flag_name(mb, i);
            if (n)
                buf_printf(out, " %s", n);
        }
    }
    if (permanent && (rights & ACL_WRITE))
        buf_appendcstr(out, " \\*");
    buf_putc(out, ')');
}

/* select_describe - the untagged responses of a successful SELECT */
static void select_describe(struct imap_session *s)
{
    struct imap_selected *sel = s->selected;
    const struct mailbox_header *h = mailbox_get_header(sel->mb);
    struct buf b = BUF_INIT;
    uint32_t unseen;

    seen_view_unseen(&sel->seen, sel->mb, &unseen);   /* the user's */

    select_flag_names(sel->mb, sel->rights, false, &b);
    imap_untagged(s, "FLAGS %s", buf_cstring(&b));
    buf_reset(&b);
    if (sel->readonly)
        buf_appendcstr(&b, "()");
    else
        select_flag_names(sel->mb, sel->rights, true, &b);
    imap_untagged(s, "OK [PERMANENTFLAGS %s] Ok", buf_cstring(&b));
    imap_untagged(s, "%u EXISTS", mailbox_count(sel->mb));
    if (s->enabled & IMAP_ENABLED_IMAP4REV2) {
        /* RFC 9051 6.3.2: LIST instead of RECENT and UNSEEN */
        buf_reset(&b);
        mboxcmd_quote(&b, sel->extname);
        imap_untagged(s, "LIST () \"%c\" %s", s->ns.sep, buf_cstring(&b));
    } else {
        imap_untagged(s, "0 RECENT");
        if (unseen)
            imap_untagged(s, "OK [UNSEEN %u] Ok", unseen);
    }
    imap_untagged(s, "OK [UIDVALIDITY %u] Ok", h->uidvalidity);
    imap_untagged(s, "OK [UIDNEXT %u] Ok", h->uidnext);
    imap_untagged(s, "OK [HIGHESTMODSEQ %llu] Ok",
                  (unsigned long long)h->highestmodseq);
    buf_free(&b);
}

/* select_params - the optional (CONDSTORE / QRESYNC ...) list; false with
 * *error_r when bad.  *qr_r is set (and owned by the caller) for QRESYNC. */
static bool select_params(struct imap_cmd *cmd, struct imap_qresync *qr,
                          bool *qr_r, const char **error_r)
{
    const struct imap_arg *l;
    size_t n;

    *qr_r = false;
    *error_r = NULL;
    if (cmd->argc == 1)
        return true;
    if (cmd->argc != 2 || !imap_arg_get_list(&cmd->args[1], &l, &n))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (imap_arg_atom_equals(&l[i], "CONDSTORE")) {
            cmd->sess->enabled |= IMAP_ENABLED_CONDSTORE;
            continue;
        }
        if (!imap_arg_atom_equals(&l[i], "QRESYNC") || *qr_r || i + 1 >= n)
            goto bad;
        if (!(cmd->sess->enabled & IMAP_ENABLED_QRESYNC)) {
            *error_r = "QRESYNC needs ENABLE QRESYNC first";
            goto bad;
        }
        if (imap_qresync_parse(&l[++i], qr, error_r) < 0)
            goto bad;
        *qr_r = true;
    }
    return true;
bad:
    if (*qr_r)
        imap_qresync_fini(qr);
    *qr_r = false;
    return false;
}

/* select_close_previous - end the old selection; [CLOSED] under QRESYNC
 * and IMAP4rev2 */
static void select_close_previous(struct imap_session *s)
{
    if (!s->selected)
        return;
    imap_selected_close(s, false);
    if (s->enabled & (IMAP_ENABLED_QRESYNC | IMAP_ENABLED_IMAP4REV2))
        imap_untagged(s, "OK [CLOSED] Previous mailbox closed");
}

bool cmd_select(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    bool examine = strcmp(cmd->name, "EXAMINE") == 0;
    struct mboxlist_entry *e = NULL;
    struct mboxops_who who;
    struct imap_qresync qr;
    const char *ext, *err = NULL;
    char *name = NULL;
    unsigned rights = 0;
    bool resync;
    int r;

    if (cmd->argc < 1 || !imap_arg_get_astring(&cmd->args[0], &ext) ||
        !select_params(cmd, &qr, &resync, &err)) {
        if (err)
            imap_cmd_bad(cmd, "%s", err);
        else
            imap_cmd_bad(cmd, "Invalid arguments to %s", cmd->name);
        return true;
    }
    select_close_previous(s);
    mboxcmd_who(s, &who);
    if (mboxcmd_internal(s, ext, &name) < 0)
        r = MBOXOPS_NOTFOUND;
    else
        r = mboxops_lookup(&who, name, ACL_READ, &e, &rights);
    if (r == MBOXOPS_OK) {
        bool ro = examine || !(rights & (ACL_SEEN | ACL_WRITE |
                                         ACL_DELETEMSG | ACL_EXPUNGE));
        const char *root = mboxops_root(e->partition);

        if (!root || imap_selected_open(s, root, name, e->uniqueid, ext, ro,
                                        rights, &err) < 0)
            r = MBOXOPS_IO;
    }
    if (r == MBOXOPS_OK) {
        select_describe(s);
        if (resync)
            imap_qresync_answer(s, &qr);
        imap_cmd_ok(cmd, "[%s] Completed",
                    s->selected->readonly ? "READ-ONLY" : "READ-WRITE");
    } else {
        imap_cmd_no(cmd, "%s", mboxops_strerror(r));
    }
    if (resync)
        imap_qresync_fini(&qr);
    mboxlist_entry_free(&e);
    free(name);
    return true;
}
