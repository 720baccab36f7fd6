/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-fetch.c - FETCH and UID FETCH (RFC 3501 6.4.5, RFC 3516 BINARY,
 * RFC 7162 CHANGEDSINCE / VANISHED), selected state only.
 *
 *     FETCH <set> <items> [(CHANGEDSINCE <modseq> [VANISHED])]
 *
 * The item list becomes a plan (fetch_items.c) before any message is
 * touched, so a malformed command is BAD with nothing sent.  A body item
 * without PEEK sets \Seen first (read-write mailbox, 's' right), in one
 * store commit for the whole set, and those messages' responses carry
 * FLAGS.  Each response is written by fetch_render.c.  Messages whose
 * file vanished meanwhile are left out and the command answers NO
 * [EXPUNGEISSUED] (RFC 2180 4.1.2, RFC 5530).  Untagged EXPUNGEs wait for
 * a later command (imap_selected_report_cmd).
 */
#include "config.h"

#include <string.h>

#include "imap/acl.h"
#include "imap/fetch_items.h"
#include "imap/fetch_render.h"
#include "imap/imap_commands.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mailbox.h"
#include "imap/seqset.h"
#include "lib/buf.h"

/* fetch_mark_seen - set \Seen on the unseen messages of uids; the ones
 * changed go into *newly (their responses must show FLAGS) */
static void fetch_mark_seen(struct imap_session *s,
                            const struct mailbox_uids *uids,
                            struct seqset *newly)
{
    struct imap_selected *sel = s->selected;
    struct mailbox_uids todo = { 0 }, changed = { 0 };

    if (sel->readonly || !(sel->rights & ACL_SEEN))
        return;
    for (size_t i = 0; i < uids->count; i++) {
        const struct mailbox_record *rec = mailbox_record(sel->mb, uids->v[i]);

        if (rec && !(rec->system_flags & MAILBOX_FLAG_EXPUNGED) &&
            !seen_view_is_seen(&sel->seen, rec))
            mailbox_uids_add(&todo, uids->v[i]);
    }
    /* on failure the messages simply stay unseen (and changed empty) */
    if (todo.count && sel->seen.per_user)      /* imap/seen_view.h */
        (void)seen_view_store(&sel->seen, sel->mb, todo.v, todo.count, true,
                              &changed);
    else if (todo.count &&
             mailbox_set_flags(sel->mb, todo.v, todo.count, MAILBOX_FLAGS_ADD,
                               MAILBOX_FLAG_SEEN, NULL, 0, &changed, NULL) !=
                 MAILBOX_OK)
        changed.count = 0;
    for (size_t i = 0; i < changed.count; i++) {
        seqset_add(newly, changed.v[i], changed.v[i]);
        imap_selected_told(s, changed.v[i]);
    }
    mailbox_uids_fini(&todo);
    mailbox_uids_fini(&changed);
}

/* fetch_vanished - "* VANISHED (EARLIER) ..." for the UIDs of set expunged
 * with a modseq above since (QRESYNC, RFC 7162 3.2.6) */
static void fetch_vanished(struct imap_session *s, const char *set,
                           size_t len, uint64_t since)
{
    struct mailbox *mb = s->selected->mb;
    const struct mailbox_header *h = mailbox_get_header(mb);
    struct seqset want = SEQSET_INIT, gone = SEQSET_INIT;
    struct buf b = BUF_INIT;
    const char *err;

    if (len == 1 && set[0] == '$')       /* RFC 5182 saved result */
        seqset_union(&want, &s->selected->saved);
    else if (seqset_parse(set, len, h->uidnext > 1 ? h->uidnext - 1 : 0, 0,
                          &want, &err) < 0)
        return;
    for (uint32_t i = 0; i < mailbox_num_records(mb); i++) {
        const struct mailbox_record *rec = mailbox_record_at(mb, i);

        if ((rec->system_flags & MAILBOX_FLAG_EXPUNGED) &&
            rec->modseq > since && seqset_contains(&want, rec->uid))
            seqset_add(&gone, rec->uid, rec->uid);
    }
    seqset_format(&gone, &b);
    if (b.len)
        imap_untagged(s, "VANISHED (EARLIER) %s", buf_cstring(&b));
    buf_free(&b);
    seqset_fini(&want);
    seqset_fini(&gone);
}

/* fetch_run - write the responses; returns the renderer's counters */
static void fetch_run(struct imap_cmd *cmd, const struct fetch_plan *plan,
                      const struct mailbox_uids *uids, struct fetch_render *fr)
{
    struct imap_session *s = cmd->sess;
    struct mailbox *mb = s->selected->mb;
    struct seqset newly = SEQSET_INIT;

    if (plan->sets_seen)
        fetch_mark_seen(s, uids, &newly);
    fetch_render_init(fr, s, mb, plan);
    if (s->enabled & IMAP_ENABLED_CONDSTORE && newly.count)
        fr->modseq = true;   /* FLAGS changed under CONDSTORE: MODSEQ too */
    for (size_t i = 0; i < uids->count; i++) {
        const struct mailbox_record *p = mailbox_record(mb, uids->v[i]);
        struct mailbox_record rec;
        uint32_t msgno = mailbox_uid_msgno(mb, uids->v[i]);

        if (!p || !msgno)
            continue;
        rec = *p;   /* the pointer dies at the next call on mb */
        seen_view_patch(&s->selected->seen, &rec);
        if (plan->changedsince_set && rec.modseq <= plan->changedsince)
            continue;
        if (fetch_render_message(fr, msgno, &rec,
                                 seqset_contains(&newly, rec.uid)) < 0)
            break;
    }
    seqset_fini(&newly);
}

/* fetch_args - split the arguments; false when a BAD was sent */
static bool fetch_args(struct imap_cmd *cmd, const char **set_r,
                       size_t *setlen_r, struct fetch_plan *plan)
{
    const char *err = NULL;

    if (cmd->argc < 2 || cmd->argc > 3 ||
        !imap_arg_get_atom(&cmd->args[0], set_r)) {
        imap_cmd_bad(cmd, "Invalid arguments to %s", cmd->name);
        return false;
    }
    *setlen_r = cmd->args[0].u.str.len;
    if (fetch_plan_parse(&cmd->args[1], cmd->argc == 3 ? &cmd->args[2] : NULL,
                         cmd->uid, plan, &err) < 0) {
        imap_cmd_bad(cmd, "%s", err);
        return false;
    }
    if (plan->vanished && !(cmd->sess->enabled & IMAP_ENABLED_QRESYNC)) {
        fetch_plan_fini(plan);
        imap_cmd_bad(cmd, "VANISHED needs ENABLE QRESYNC");
        return false;
    }
    return true;
}

bool cmd_fetch(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    struct fetch_plan plan;
    struct mailbox_uids uids = { 0 };
    struct fetch_render fr;
    const char *set, *err = NULL;
    size_t setlen;

    if (!fetch_args(cmd, &set, &setlen, &plan))
        return true;
    if (imap_selected_resolve(s, set, setlen, cmd->uid, &uids, &err) < 0) {
        fetch_plan_fini(&plan);
        imap_cmd_bad(cmd, "%s", err);
        return true;
    }
    if (plan.items & FETCH_MODSEQ)
        s->enabled |= IMAP_ENABLED_CONDSTORE;
    if (plan.vanished)
        fetch_vanished(s, set, setlen, plan.changedsince);
    fetch_run(cmd, &plan, &uids, &fr);
    if (fr.unknown_cte)
        imap_cmd_no(cmd, "[UNKNOWN-CTE] Cannot decode a requested part");
    else if (fr.expunged)
        imap_cmd_no(cmd, "[EXPUNGEISSUED] Some messages were expunged "
                         "meanwhile");
    else
        imap_cmd_ok(cmd, "Completed");
    fetch_render_fini(&fr);
    fetch_plan_fini(&plan);
    mailbox_uids_fini(&uids);
    return true;
}
