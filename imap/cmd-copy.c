/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-copy.c - COPY / UID COPY (RFC 3501 6.4.7, RFC 4315 COPYUID) and
 * MOVE / UID MOVE (RFC 6851), selected state only.
 *
 * Rights: 'r' on the source (and 't' + 'e' plus a read-write selection
 * for MOVE), 'i' on the destination.  A destination that does not exist
 * or is invisible answers NO [TRYCREATE].  The copy is one commit of the
 * destination (imap/mailbox_append.c, hard links on one partition) and
 * returns only once it is durable, so the OK [COPYUID ...] is never sent
 * for a copy that could be lost.  MOVE expunges the source messages only
 * after that commit: a failure leaves the source untouched (the copy is
 * then answered NO and not undone; RFC 6851 allows this; a source being
 * moved to another server is refused before the copy).  MOVE sends its
 * COPYUID in an untagged OK before the EXPUNGEs, which the end-of-command
 * report sends like any other expunge.
 *
 * Quota: the destination's root is charged for the messages before the
 * copy (quota_change without QUOTA_FORCE: NO [OVERQUOTA] and nothing
 * copied when it would exceed a limit), corrected afterwards to what was
 * really copied.  A MOVE within one quota root cannot grow it and is
 * never refused.  MOVE's expunge gives the source's usage back
 * (mboxops_expunge).
 *
 * \Seen travels as the copying user sees it (imap/seen_view.h): into the
 * index bit when the destination keeps \Seen there, else into the user's
 * seen state for the new UIDs (as Cyrus's append_copy does).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/acl.h"
#include "imap/imap_commands.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mailbox.h"
#include "imap/mboxcmds.h"
#include "imap/mboxlist.h"
#include "imap/mboxops.h"
#include "imap/quota.h"
#include "imap/seen_view.h"
#include "imap/seqset.h"
#include "lib/buf.h"

/* copy_dest_open - the destination mailbox for the client's name and the
 * user's \Seen view of it (*dv); NULL after a NO was sent */
static struct mailbox *copy_dest_open(struct imap_cmd *cmd, const char *ext,
                                      struct seen_view *dv)
{
    struct imap_session *s = cmd->sess;
    struct mboxops_who who = { s->auth, &s->ns };
    struct mboxlist_entry *e = NULL;
    struct mailbox *dst = NULL;
    char *name = NULL;
    const char *root;
    int r;

    if (mboxcmd_internal(s, ext, &name) < 0) {
        imap_cmd_no(cmd, "[TRYCREATE] Mailbox does not exist");
        return NULL;
    }
    r = mboxops_lookup(&who, name, ACL_INSERT, &e, NULL);
    if (r == MBOXOPS_NOTFOUND)
        imap_cmd_no(cmd, "[TRYCREATE] Mailbox does not exist");
    else if (r != MBOXOPS_OK)
        imap_cmd_no(cmd, "%s", mboxops_strerror(r));
    else if (!(root = mboxops_root(e->partition)))
        imap_cmd_no(cmd, "%s", mboxops_strerror(MBOXOPS_PARTITION));
    else if ((r = mailbox_open(root, name, &dst)) != MAILBOX_OK)
        imap_cmd_no(cmd, "%s", r == MAILBOX_E_NOTFOUND
                                   ? "[TRYCREATE] Mailbox does not exist"
                                   : "[SERVERBUG] Cannot open mailbox");
    else if (seen_view_open(dv, &s->ns, s->userid, name, e->uniqueid) < 0) {
        imap_cmd_no(cmd, "[SERVERBUG] Cannot read the seen state");
        mailbox_close(&dst);
    }
    mboxlist_entry_free(&e);
    free(name);
    return dst;
}

/* copy_check - arguments and source rights; false when a reply was sent */
static bool copy_check(struct imap_cmd *cmd, bool move,
                       struct mailbox_uids *uids, const char **dest_r)
{
    struct imap_selected *sel = cmd->sess->selected;
    const char *set, *err = NULL;

    if (cmd->argc != 2 || !imap_arg_get_atom(&cmd->args[0], &set) ||
        !imap_arg_get_astring(&cmd->args[1], dest_r)) {
        imap_cmd_bad(cmd, "Invalid arguments to %s", cmd->name);
        return false;
    }
    if (imap_selected_resolve(cmd->sess, set, cmd->args[0].u.str.len,
                              cmd->uid, uids, &err) < 0) {
        imap_cmd_bad(cmd, "%s", err);
        return false;
    }
    if (move && sel->readonly) {
        imap_cmd_no(cmd, "[READ-ONLY] Mailbox is read-only");
        return false;
    }
    if (!(sel->rights & ACL_READ) ||
        (move && (sel->rights & (ACL_DELETEMSG | ACL_EXPUNGE)) !=
                     (ACL_DELETEMSG | ACL_EXPUNGE))) {
        imap_cmd_no(cmd, "[NOPERM] Permission denied");
        return false;
    }
    /* refuse before copying what could then not be expunged (the check
     * under the expunge's lock still decides) */
    if (move && mailbox_writable(sel->mb) != MAILBOX_OK) {
        imap_cmd_no(cmd, "%s", IMAP_SELECTED_MOVING_TEXT);
        return false;
    }
    return true;
}

/* copy_uidcode - "COPYUID <uidvalidity> <src> <dst>" into out */
static void copy_uidcode(struct mailbox *dst, const struct mailbox_uids *src,
                         const struct mailbox_uids *new, struct buf *out)
{
    struct seqset a = SEQSET_INIT, b = SEQSET_INIT;

    /* both lists ascend together (new UIDs are handed out in source
     * order), so their compact forms still pair up */
    for (size_t i = 0; i < src->count; i++) {
        seqset_add(&a, src->v[i], src->v[i]);
        seqset_add(&b, new->v[i], new->v[i]);
    }
    buf_printf(out, "COPYUID %u ", mailbox_get_header(dst)->uidvalidity);
    seqset_format(&a, out);
    buf_putc(out, ' ');
    seqset_format(&b, out);
    seqset_fini(&a);
    seqset_fini(&b);
}

/* copy_finish - after a durable copy: COPY's OK, or MOVE's expunge */
static void copy_finish(struct imap_cmd *cmd, bool move, struct mailbox *dst,
                        const struct mailbox_uids *src,
                        const struct mailbox_uids *new)
{
    struct buf code = BUF_INIT;
    int r;

    if (src->count)
        copy_uidcode(dst, src, new, &code);
    if (!move) {
        if (code.len)
            imap_cmd_ok(cmd, "[%s] Completed", buf_cstring(&code));
        else
            imap_cmd_ok(cmd, "Completed");
    } else {
        if (code.len)
            imap_untagged(cmd->sess, "OK [%s] Moved", buf_cstring(&code));
        r = src->count ? mboxops_expunge(cmd->sess->selected->mb, src->v,
                                         src->count, NULL)
                       : MAILBOX_OK;
        if (r == MAILBOX_OK)
            imap_cmd_ok(cmd, "Completed");
        else
            imap_cmd_no(cmd, "[%s] Messages copied but not removed: %s",
                        r == MAILBOX_E_MOVING ? "UNAVAILABLE" : "SERVERBUG",
                        mailbox_strerror(r));
    }
    buf_free(&code);
}

/* copy_usage - bytes and count of the live messages of uids in mb */
static void copy_usage(struct mailbox *mb, const struct mailbox_uids *uids,
                       int64_t *bytes_r, int64_t *msgs_r)
{
    *bytes_r = *msgs_r = 0;
    for (size_t i = 0; i < uids->count; i++) {
        const struct mailbox_record *rec = mailbox_record(mb, uids->v[i]);
        if (rec && !(rec->system_flags & MAILBOX_FLAG_EXPUNGED)) {
            *bytes_r += (int64_t)rec->size;
            (*msgs_r)++;
        }
    }
}

/* copy_reserve - charge dst's quota root for uids; NULL, or a NO text.
 * *root_r (caller frees) stays NULL when nothing was charged. */
static const char *copy_reserve(struct imap_cmd *cmd, bool move,
                                struct mailbox *dst,
                                const struct mailbox_uids *uids,
                                char **root_r, int64_t *bytes_r,
                                int64_t *msgs_r)
{
    struct imap_selected *sel = cmd->sess->selected;
    char *srcroot = NULL, *root = NULL;
    int flags = 0, r;

    *root_r = NULL;
    copy_usage(sel->mb, uids, bytes_r, msgs_r);
    if (!*msgs_r || quota_findroot(mailbox_name(dst), &root) != QUOTA_OK)
        return NULL;
    if (move && quota_findroot(sel->name, &srcroot) == QUOTA_OK &&
        strcmp(srcroot, root) == 0)
        flags = QUOTA_FORCE;
    free(srcroot);
    r = quota_change(root, *bytes_r, *msgs_r, flags, NULL, NULL);
    if (r != QUOTA_OK) {
        free(root);
        return r == QUOTA_OVER ? "[OVERQUOTA] Over quota"
                               : "[SERVERBUG] Cannot update quota";
    }
    *root_r = root;
    return NULL;
}

/* copy_settle - correct the charge to what was copied (copied NULL:
 * nothing was) */
static void copy_settle(struct mailbox *src, const char *root, int64_t bytes,
                        int64_t msgs, const struct mailbox_uids *copied)
{
    int64_t cbytes = 0, cmsgs = 0;

    if (!root)
        return;
    if (copied)
        copy_usage(src, copied, &cbytes, &cmsgs);
    if (cbytes != bytes || cmsgs != msgs)
        quota_change(root, cbytes - bytes, cmsgs - msgs, QUOTA_FORCE, NULL,
                     NULL);
}

/* copy_seen - the copying user's \Seen of a source record, for the copy's
 * index bit: never set in a destination where \Seen is per user */
struct copy_views {
    const struct seen_view *src, *dst;
};
static bool copy_seen(void *rock, const struct mailbox_record *rec)
{
    const struct copy_views *cv = rock;

    return !cv->dst->per_user && seen_view_is_seen(cv->src, rec);
}

/* copy_seen_store - in a per-user destination, the copies of messages
 * the user has seen become seen in the user's seen state.  A failure is
 * logged (seen_view.c) and leaves them unseen: the copy itself is
 * durable and is answered OK. */
static void copy_seen_store(struct imap_selected *sel, struct seen_view *dv,
                            const struct mailbox_uids *src,
                            const struct mailbox_uids *new)
{
    struct mailbox_uids seen = { 0 };

    if (!dv->per_user)
        return;
    for (size_t i = 0; i < src->count; i++) {
        const struct mailbox_record *rec = mailbox_record(sel->mb, src->v[i]);

        if (rec && seen_view_is_seen(&sel->seen, rec))
            mailbox_uids_add(&seen, new->v[i]);
    }
    if (seen.count)
        (void)seen_view_store(dv, NULL, seen.v, seen.count, true, NULL);
    mailbox_uids_fini(&seen);
}

/* copy_run - charge the quota, copy, and answer */
static void copy_run(struct imap_cmd *cmd, bool move, struct mailbox *dst,
                     struct seen_view *dv, const struct mailbox_uids *uids)
{
    struct copy_views views = { &cmd->sess->selected->seen, dv };
    struct mailbox *srcmb = cmd->sess->selected->mb;
    struct mailbox_uids src = { 0 }, new = { 0 };
    const char *err;
    char *root = NULL;
    int64_t bytes, msgs;
    int r = MAILBOX_OK;

    if ((err = copy_reserve(cmd, move, dst, uids, &root, &bytes, &msgs))) {
        imap_cmd_no(cmd, "%s", err);
        return;
    }
    if (uids->count)
        r = mailbox_copy_seen(srcmb, uids->v, uids->count, dst, copy_seen,
                              &views, &src, &new);
    if (r == MAILBOX_OK)
        copy_seen_store(cmd->sess->selected, dv, &src, &new);
    copy_settle(srcmb, root, bytes, msgs, r == MAILBOX_OK ? &src : NULL);
    if (r == MAILBOX_E_FLAGS_FULL)
        imap_cmd_no(cmd, "[LIMIT] Too many keywords in the destination");
    else if (r != MAILBOX_OK)
        imap_selected_write_no(cmd, cmd->name, r);
    else
        copy_finish(cmd, move, dst, &src, &new);
    free(root);
    mailbox_uids_fini(&src);
    mailbox_uids_fini(&new);
}

/* copy_common - COPY and MOVE */
static bool copy_common(struct imap_cmd *cmd, bool move)
{
    struct seen_view dv = SEEN_VIEW_INIT;
    struct mailbox_uids uids = { 0 };
    struct mailbox *dst = NULL;
    const char *ext = NULL;

    if (copy_check(cmd, move, &uids, &ext) &&
        (dst = copy_dest_open(cmd, ext, &dv)) != NULL)
        copy_run(cmd, move, dst, &dv, &uids);
    seen_view_fini(&dv);
    mailbox_close(&dst);
    mailbox_uids_fini(&uids);
    return true;
}

bool cmd_copy(struct imap_cmd *cmd)
{
    return copy_common(cmd, false);
}

bool cmd_move(struct imap_cmd *cmd)
{
    return copy_common(cmd, true);
}
