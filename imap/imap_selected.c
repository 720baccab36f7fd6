/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_selected.c - the selected-mailbox state of an IMAP session: open
 * and close the selection, report other sessions' changes at command
 * boundaries, and map sequence sets onto the session's snapshot.
 *
 * Called by cmd-select.c / cmd-close.c (open, close), by the engine before
 * every tagged OK/NO (imap_selected_report_cmd) and by the message
 * commands (resolve, told, format_flags).  Single-threaded; the state
 * hangs off struct imap_session.  Store errors are logged by mailbox.c;
 * a mailbox deleted (or moved away) under the session ends it with BYE;
 * a write refused because the mailbox is being moved is answered NO
 * [UNAVAILABLE] (imap_selected_write_no).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_commands.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mboxops.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

int imap_selected_open(struct imap_session *s, const char *root,
                       const char *name, const char *uniqueid,
                       const char *extname, bool readonly,
                       unsigned rights, const char **error_r)
{
    struct imap_selected *sel;
    struct mailbox *mb = NULL;
    int r;

    imap_selected_close(s, false);
    r = mailbox_open(root, name, &mb);
    if (r != MAILBOX_OK) {
        if (r != MAILBOX_E_NOTFOUND)
            log_error("IOERROR: cannot open mailbox mailbox=<%s> error=<%s>",
                      name, mailbox_strerror(r));
        *error_r = r == MAILBOX_E_NOTFOUND ? "Mailbox does not exist"
                                           : "Mailbox is not available";
        return -1;
    }
    sel = xzmalloc(sizeof(*sel));
    if (seen_view_open(&sel->seen, &s->ns, s->userid, name, uniqueid) < 0) {
        mailbox_close(&mb);
        free(sel);
        *error_r = "[UNAVAILABLE] Seen state is not available";
        return -1;
    }
    sel->mb = mb;
    sel->name = xstrdup(name);
    sel->extname = xstrdup(extname ? extname : name);
    sel->root = xstrdup(root);
    sel->readonly = readonly;
    sel->rights = rights;
    s->selected = sel;
    s->state = IMAP_CMD_SELECTED;
    return 0;
}

int imap_selected_close(struct imap_session *s, bool expunge)
{
    struct imap_selected *sel = s->selected;
    int r = MAILBOX_OK;

    if (!sel)
        return r;
    if (expunge && !sel->readonly) {
        r = mboxops_expunge(sel->mb, NULL, 0, NULL);
        if (r != MAILBOX_OK && r != MAILBOX_E_MOVING)
            log_error("IOERROR: expunge on close failed mailbox=<%s> "
                      "error=<%s>", sel->name, mailbox_strerror(r));
    }
    mailbox_close(&sel->mb);
    mailbox_changes_fini(&sel->changes);
    seqset_fini(&sel->told);
    seqset_fini(&sel->saved);
    seen_view_fini(&sel->seen);
    free(sel->name);
    free(sel->extname);
    free(sel->root);
    free(sel);
    s->selected = NULL;
    if (s->state == IMAP_CMD_SELECTED)
        s->state = IMAP_CMD_AUTH;
    return r;
}

void imap_selected_write_no(struct imap_cmd *cmd, const char *what, int r)
{
    if (r == MAILBOX_E_MOVING)
        imap_cmd_no(cmd, "%s", IMAP_SELECTED_MOVING_TEXT);
    else
        imap_cmd_no(cmd, "[SERVERBUG] %s failed: %s", what,
                    mailbox_strerror(r));
}

void imap_selected_format_flags(const struct mailbox *mb,
                                const struct mailbox_record *rec,
                                struct buf *out)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } sys[] = {
        { MAILBOX_FLAG_ANSWERED, "\\Answered" },
        { MAILBOX_FLAG_FLAGGED, "\\Flagged" },
        { MAILBOX_FLAG_DELETED, "\\Deleted" },
        { MAILBOX_FLAG_SEEN, "\\Seen" },
        { MAILBOX_FLAG_DRAFT, "\\Draft" },
    };
    const char *sp = "";

    buf_putc(out, '(');
    for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
        if (rec->system_flags & sys[i].bit) {
            buf_printf(out, "%s%s", sp, sys[i].name);
            sp = " ";
        }
    }
    for (unsigned i = 0; i < MAILBOX_USER_FLAGS_MAX; i++) {
        const char *n;

        if (!(rec->user_flags[i / 32] & (1u << (i % 32))))
            continue;
        if ((n = mailbox_user_flag_name(mb, i)) == NULL)
            continue;
        buf_printf(out, "%s%s", sp, n);
        sp = " ";
    }
    buf_putc(out, ')');
}

void imap_selected_told(struct imap_session *s, uint32_t uid)
{
    if (s->selected && uid)
        seqset_add(&s->selected->told, uid, uid);
}

/* report_flags - "* n FETCH (FLAGS ...)" for each message of changed
 * not yet told (and then told: a UID changed in the index and in the seen
 * database is reported once) */
static void report_flags(struct imap_session *s, struct imap_selected *sel,
                         const struct mailbox_uids *changed)
{
    struct buf b = BUF_INIT;

    for (size_t i = 0; i < changed->count; i++) {
        uint32_t uid = changed->v[i];
        uint32_t msgno = mailbox_uid_msgno(sel->mb, uid);
        const struct mailbox_record *p = mailbox_record(sel->mb, uid);
        struct mailbox_record rec;

        if (!msgno || !p || seqset_contains(&sel->told, uid))
            continue;
        rec = *p;
        seen_view_patch(&sel->seen, &rec);
        buf_reset(&b);
        imap_selected_format_flags(sel->mb, &rec, &b);
        if (s->enabled & IMAP_ENABLED_CONDSTORE)
            buf_printf(&b, " MODSEQ (%llu)", (unsigned long long)rec.modseq);
        imap_untagged(s, "%u FETCH (FLAGS %s UID %u)", msgno,
                      buf_cstring(&b), uid);
        seqset_add(&sel->told, uid, uid);
    }
    buf_free(&b);
}

/* report_vanished - "* VANISHED <uids>" instead of EXPUNGEs (QRESYNC,
 * RFC 7162 3.2.10) */
static void report_vanished(struct imap_session *s, struct imap_selected *sel)
{
    struct seqset set = SEQSET_INIT;
    struct buf b = BUF_INIT;

    for (size_t i = 0; i < sel->changes.expunged_uids.count; i++)
        seqset_add(&set, sel->changes.expunged_uids.v[i],
                   sel->changes.expunged_uids.v[i]);
    seqset_format(&set, &b);
    if (b.len)
        imap_untagged(s, "VANISHED %s", buf_cstring(&b));
    buf_free(&b);
    seqset_fini(&set);
}

void imap_selected_report(struct imap_session *s, unsigned flags)
{
    struct imap_selected *sel = s->selected;
    unsigned rflags = 0;
    int r;

    if (!sel || s->closing)
        return;
    if (flags & IMAP_SELECTED_NOEXPUNGE)
        rflags |= MAILBOX_REFRESH_NOEXPUNGE;
    r = mailbox_refresh(sel->mb, rflags, &sel->changes);
    if (r != MAILBOX_OK) {
        log_notice("selected mailbox gone mailbox=<%s> error=<%s>",
                   sel->name, mailbox_strerror(r));
        imap_session_bye(s, r == MAILBOX_E_NOTFOUND
                                ? "Selected mailbox was deleted or moved "
                                  "to another server"
                                : "Selected mailbox is not available");
        return;
    }
    if (s->enabled & IMAP_ENABLED_QRESYNC)
        report_vanished(s, sel);
    else
        for (size_t i = 0; i < sel->changes.expunged_msgnos.count; i++)
            imap_untagged(s, "%u EXPUNGE", sel->changes.expunged_msgnos.v[i]);
    if (sel->changes.exists_changed)
        imap_untagged(s, "%u EXISTS", sel->changes.exists);
    /* the user's \Seen first: a per-user change also bumps the modseq
     * (seen_view.h), and the index report must show the new state */
    if (sel->seen.per_user) {
        struct mailbox_uids seen_changed = { 0 };

        if (seen_view_reload(&sel->seen, sel->mb, &seen_changed) == 0)
            report_flags(s, sel, &seen_changed);
        mailbox_uids_fini(&seen_changed);
    }
    report_flags(s, sel, &sel->changes.changed_uids);
    seqset_reset(&sel->told);
}

void imap_selected_report_cmd(struct imap_cmd *cmd)
{
    static const char *const noexpunge[] = {
        "FETCH", "STORE", "SEARCH", "SORT", "THREAD",
    };
    unsigned flags = 0;

    if (!cmd->sess->selected)
        return;
    for (size_t i = 0; !cmd->uid && cmd->name &&
                       i < sizeof(noexpunge) / sizeof(noexpunge[0]); i++) {
        if (strcmp(cmd->name, noexpunge[i]) == 0)
            flags |= IMAP_SELECTED_NOEXPUNGE;
    }
    imap_selected_report(cmd->sess, flags);
}

/* selected_maxval - what '*' stands for: EXISTS or the last UID */
static uint32_t selected_maxval(const struct mailbox *mb, bool uid)
{
    uint32_t n = mailbox_count(mb);

    if (!uid)
        return n;
    return n ? mailbox_msgno_uid(mb, n) : 0;
}

/* snapshot_select - the UIDs of the snapshot whose UID (uid) or message
 * number is in want, into uids_r.  Walks the snapshot, not the set: a
 * set may span 2^32 numbers. */
static void snapshot_select(const struct imap_selected *sel,
                            const struct seqset *want, bool uid,
                            struct seqset *uids_r)
{
    uint32_t n = mailbox_count(sel->mb);

    for (uint32_t msgno = 1; msgno <= n; msgno++) {
        uint32_t u = mailbox_msgno_uid(sel->mb, msgno);

        if (seqset_contains(want, uid ? u : msgno))
            seqset_add(uids_r, u, u);
    }
}

int imap_selected_resolve_set(struct imap_session *s, const char *set,
                              size_t len, bool uid, struct seqset *uids_r,
                              const char **error_r)
{
    struct imap_selected *sel = s->selected;
    struct seqset parsed = SEQSET_INIT;

    seqset_reset(uids_r);
    if (!sel) {
        *error_r = "No mailbox selected";
        return -1;
    }
    if (len == 1 && set[0] == '$') {
        /* RFC 5182: the saved result, less what has been expunged */
        snapshot_select(sel, &sel->saved, true, uids_r);
        return 0;
    }
    if (seqset_parse(set, len, selected_maxval(sel->mb, uid), 0, &parsed,
                     error_r) < 0) {
        seqset_fini(&parsed);
        return -1;
    }
    if (!uid && seqset_last(&parsed) > mailbox_count(sel->mb)) {
        seqset_fini(&parsed);
        *error_r = "Invalid message sequence number";
        return -1;
    }
    snapshot_select(sel, &parsed, uid, uids_r);
    seqset_fini(&parsed);
    return 0;
}

int imap_selected_resolve(struct imap_session *s, const char *set,
                          size_t len, bool uid, struct mailbox_uids *uids_r,
                          const char **error_r)
{
    struct seqset u = SEQSET_INIT;

    if (imap_selected_resolve_set(s, set, len, uid, &u, error_r) < 0)
        return -1;
    for (size_t i = 0; i < u.count; i++) {
        for (uint64_t x = u.ranges[i].low; x <= u.ranges[i].high; x++)
            mailbox_uids_add(uids_r, (uint32_t)x);
    }
    seqset_fini(&u);
    return 0;
}
