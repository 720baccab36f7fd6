/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-store.c - STORE and UID STORE (RFC 3501 6.4.6, RFC 7162
 * UNCHANGEDSINCE), selected state only.
 *
 *     STORE <set> [(UNCHANGEDSINCE <modseq>)] [+|-]FLAGS[.SILENT] <flags>
 *
 * Rights (RFC 4314 4): \Seen needs 's', \Deleted 't', every other flag and
 * keyword 'w'.  +FLAGS/-FLAGS silently drop the flags the user may not
 * change and answer NO [NOPERM] only when nothing is left; FLAGS
 * (replace) needs all three rights.  The store is one commit (one new
 * modseq) in imap/mailbox_flags.c.  Unless .SILENT, every message of the
 * set that passed the UNCHANGEDSINCE test gets "* n FETCH (FLAGS ...)";
 * with UNCHANGEDSINCE the changed ones get it even under .SILENT (with
 * MODSEQ, RFC 7162 3.1.3).  Those UIDs are marked told so the command's
 * end report does not repeat them.  Failed UNCHANGEDSINCE tests answer
 * OK [MODIFIED set].
 *
 * In a mailbox whose \Seen is per user (imap/seen_view.h: not the user's
 * own), \Seen goes to the user's seen database and the rest to the index,
 * whose \Seen bit (the owner's) is never touched; a FLAGS replace is then
 * a removal of the other flags plus an addition (two index commits).
 * UNCHANGEDSINCE tests the index modseq only.
 */
#include "config.h"

#include <string.h>

#include "imap/acl.h"
#include "imap/imap_commands.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mailbox.h"
#include "imap/seqset.h"
#include "imap/seen_view.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/strarray.h"

/* A parsed STORE. */
struct store_req {
    enum mailbox_flag_op op;
    bool silent;
    bool unchangedsince_set;
    uint64_t unchangedsince;
    uint32_t sysflags;
    struct strarray keywords;
    unsigned need;            /* ACL rights the flags require */
};

static const struct {
    const char *name;
    uint32_t bit;
    unsigned right;
} store_sysflags[] = {
    { "\\Answered", MAILBOX_FLAG_ANSWERED, ACL_WRITE },
    { "\\Flagged", MAILBOX_FLAG_FLAGGED, ACL_WRITE },
    { "\\Deleted", MAILBOX_FLAG_DELETED, ACL_DELETEMSG },
    { "\\Seen", MAILBOX_FLAG_SEEN, ACL_SEEN },
    { "\\Draft", MAILBOX_FLAG_DRAFT, ACL_WRITE },
};

/* store_flag - add one flag atom to req; -1 for \Recent or an unknown
 * system flag */
static int store_flag(struct store_req *req, const struct imap_arg *arg)
{
    const char *f;

    if (arg->type != IMAP_ARG_ATOM || !imap_arg_get_atom(arg, &f) || !*f)
        return -1;
    if (f[0] != '\\') {
        if (strarray_find(&req->keywords, f, 0) < 0)
            strarray_append(&req->keywords, f);
        req->need |= ACL_WRITE;
        return 1;
    }
    for (size_t i = 0; i < sizeof(store_sysflags) / sizeof(store_sysflags[0]);
         i++) {
        if (str_casecmp(f, store_sysflags[i].name) == 0) {
            req->sysflags |= store_sysflags[i].bit;
            req->need |= store_sysflags[i].right;
            return 1;
        }
    }
    return -1;
}

/* store_item - "[+|-]FLAGS[.SILENT]" */
static int store_item(struct store_req *req, const struct imap_arg *arg)
{
    const char *s;

    if (!imap_arg_get_atom(arg, &s) || arg->type != IMAP_ARG_ATOM)
        return -1;
    req->op = MAILBOX_FLAGS_REPLACE;
    if (*s == '+' || *s == '-')
        req->op = *s++ == '+' ? MAILBOX_FLAGS_ADD : MAILBOX_FLAGS_REMOVE;
    if (str_casecmp(s, "FLAGS.SILENT") == 0)
        req->silent = true;
    else if (str_casecmp(s, "FLAGS") != 0)
        return -1;
    return 1;
}

/* store_modifiers - "(UNCHANGEDSINCE n)" */
static int store_modifiers(struct store_req *req, const struct imap_arg *arg)
{
    const struct imap_arg *l;
    const char *v;
    size_t n;

    if (!imap_arg_get_list(arg, &l, &n) || n != 2 ||
        !imap_arg_atom_equals(&l[0], "UNCHANGEDSINCE") ||
        !imap_arg_get_atom(&l[1], &v) ||
        str_parse_u64(v, strlen(v), INT64_MAX, &req->unchangedsince) < 0)
        return -1;
    req->unchangedsince_set = true;
    return 1;
}

/* store_parse - args after the set; -1 BAD */
static int store_parse(struct store_req *req, const struct imap_arg *args,
                       size_t argc)
{
    const struct imap_arg *l = NULL;
    size_t i = 0, n;

    if (argc && args[0].type == IMAP_ARG_LIST) {
        if (store_modifiers(req, &args[0]) < 0)
            return -1;
        i++;
    }
    if (i + 2 > argc || store_item(req, &args[i]) < 0)
        return -1;
    i++;
    if (imap_arg_get_list(&args[i], &l, &n)) {
        if (i + 1 != argc)
            return -1;
    } else {
        l = &args[i];
        n = argc - i;
    }
    for (size_t k = 0; k < n; k++) {
        if (store_flag(req, &l[k]) < 0)
            return -1;
    }
    return 1;
}

/* store_allowed - drop what the rights forbid; false: NO [NOPERM] */
static bool store_allowed(struct store_req *req, unsigned rights)
{
    if (req->op == MAILBOX_FLAGS_REPLACE)
        return (rights & (ACL_SEEN | ACL_WRITE | ACL_DELETEMSG)) ==
               (ACL_SEEN | ACL_WRITE | ACL_DELETEMSG);
    if (req->need && !(req->need & rights))
        return false;
    for (size_t i = 0; i < sizeof(store_sysflags) / sizeof(store_sysflags[0]);
         i++) {
        if (!(rights & store_sysflags[i].right))
            req->sysflags &= ~store_sysflags[i].bit;
    }
    if (!(rights & ACL_WRITE))
        strarray_fini(&req->keywords);
    return true;
}

/* store_respond - the untagged FETCH of each message that must get one */
static void store_respond(struct imap_cmd *cmd, const struct store_req *req,
                          const struct mailbox_uids *uids,
                          const struct seqset *changed,
                          const struct seqset *failed)
{
    struct imap_session *s = cmd->sess;
    struct mailbox *mb = s->selected->mb;
    bool modseq = (s->enabled & IMAP_ENABLED_CONDSTORE) != 0;
    struct buf b = BUF_INIT;

    for (size_t i = 0; i < uids->count; i++) {
        uint32_t uid = uids->v[i], msgno = mailbox_uid_msgno(mb, uid);
        const struct mailbox_record *p = mailbox_record(mb, uid);
        bool was_changed = seqset_contains(changed, uid);
        struct mailbox_record rec;

        if (!p || !msgno || seqset_contains(failed, uid) ||
            (p->system_flags & MAILBOX_FLAG_EXPUNGED))
            continue;
        if (req->silent && !(req->unchangedsince_set && was_changed))
            continue;
        rec = *p;
        seen_view_patch(&s->selected->seen, &rec);
        buf_reset(&b);
        if (!req->silent) {
            buf_appendcstr(&b, " FLAGS ");
            imap_selected_format_flags(mb, &rec, &b);
        }
        if (cmd->uid)
            buf_printf(&b, " UID %u", uid);
        if (modseq)
            buf_printf(&b, " MODSEQ (%llu)", (unsigned long long)rec.modseq);
        if (b.len)
            imap_untagged(s, "%u FETCH (%s)", msgno, buf_cstring(&b) + 1);
        imap_selected_told(s, uid);
    }
    /* our own changes are not news for the end-of-command report */
    for (size_t i = 0; i < changed->count; i++)
        for (uint64_t u = changed->ranges[i].low; u <= changed->ranges[i].high;
             u++)
            imap_selected_told(s, (uint32_t)u);
    buf_free(&b);
}

/* store_modified - the tagged OK, with [MODIFIED set] for failed tests
 * (UIDs for UID STORE, message numbers otherwise) */
static void store_modified(struct imap_cmd *cmd, const struct seqset *failed)
{
    struct mailbox *mb = cmd->sess->selected->mb;
    struct seqset nums = SEQSET_INIT;
    struct buf b = BUF_INIT;

    for (size_t i = 0; i < failed->count; i++) {
        for (uint64_t u = failed->ranges[i].low; u <= failed->ranges[i].high;
             u++) {
            uint32_t n = cmd->uid ? (uint32_t)u
                                  : mailbox_uid_msgno(mb, (uint32_t)u);
            if (n)
                seqset_add(&nums, n, n);
        }
    }
    seqset_format(&nums, &b);
    if (b.len)
        imap_cmd_ok(cmd, "[MODIFIED %s] Conditional STORE failed",
                    buf_cstring(&b));
    else
        imap_cmd_ok(cmd, "Completed");
    buf_free(&b);
    seqset_fini(&nums);
}

/* store_index - one mailbox_set_flags call; its changed and failed UIDs
 * are added to the sets */
static int store_index(struct mailbox *mb, const struct mailbox_uids *uids,
                       enum mailbox_flag_op op, uint32_t sysflags,
                       const struct strarray *keywords, uint64_t since,
                       struct seqset *changed, struct seqset *failed)
{
    struct mailbox_uids ch = { 0 }, fa = { 0 };
    int r = MAILBOX_OK;

    if (uids->count)
        r = mailbox_set_flags(mb, uids->v, uids->count, op, sysflags,
                              keywords, since, &ch, &fa);
    for (size_t i = 0; i < ch.count; i++)
        seqset_add(changed, ch.v[i], ch.v[i]);
    for (size_t i = 0; i < fa.count; i++)
        seqset_add(failed, fa.v[i], fa.v[i]);
    mailbox_uids_fini(&ch);
    mailbox_uids_fini(&fa);
    return r;
}

/* store_replace_others - FLAGS replace without touching the index's \Seen:
 * remove every other flag not in req (with the UNCHANGEDSINCE test), then
 * add req's to the messages that passed */
static int store_replace_others(struct mailbox *mb, const struct store_req *req,
                                const struct mailbox_uids *uids,
                                struct seqset *changed, struct seqset *failed)
{
    const uint32_t others = MAILBOX_FLAG_ANSWERED | MAILBOX_FLAG_FLAGGED |
                            MAILBOX_FLAG_DELETED | MAILBOX_FLAG_DRAFT;
    uint32_t keep = req->sysflags & ~MAILBOX_FLAG_SEEN;
    struct strarray drop = STRARRAY_INIT;
    struct mailbox_uids passed = { 0 };
    int r;

    for (unsigned i = 0; i < MAILBOX_USER_FLAGS_MAX; i++) {
        const char *n = mailbox_user_flag_name(mb, i);
        bool wanted = false;

        for (size_t k = 0; n && k < req->keywords.count; k++)
            wanted |= str_casecmp(n, strarray_nth(&req->keywords, k)) == 0;
        if (n && !wanted)
            strarray_append(&drop, n);
    }
    r = store_index(mb, uids, MAILBOX_FLAGS_REMOVE, others & ~keep, &drop,
                    req->unchangedsince, changed, failed);
    for (size_t i = 0; r == MAILBOX_OK && i < uids->count; i++) {
        if (!seqset_contains(failed, uids->v[i]))
            mailbox_uids_add(&passed, uids->v[i]);
    }
    if (r == MAILBOX_OK)
        r = store_index(mb, &passed, MAILBOX_FLAGS_ADD, keep, &req->keywords,
                        0, changed, failed);
    mailbox_uids_fini(&passed);
    strarray_fini(&drop);
    return r;
}

/* store_per_user - the store in a mailbox whose \Seen is the user's own
 * (see the file comment); MAILBOX_OK or an error */
static int store_per_user(struct imap_selected *sel,
                          const struct store_req *req,
                          const struct mailbox_uids *uids,
                          struct seqset *changed, struct seqset *failed)
{
    uint32_t sysf = req->sysflags & ~MAILBOX_FLAG_SEEN;
    bool seen = (req->sysflags & MAILBOX_FLAG_SEEN) != 0;
    struct mailbox_uids passed = { 0 }, ch = { 0 };
    int r = MAILBOX_OK;

    if (req->op == MAILBOX_FLAGS_REPLACE)
        r = store_replace_others(sel->mb, req, uids, changed, failed);
    else if (sysf || req->keywords.count)
        r = store_index(sel->mb, uids, req->op, sysf, &req->keywords,
                        req->unchangedsince, changed, failed);
    if (r != MAILBOX_OK || (!seen && req->op != MAILBOX_FLAGS_REPLACE))
        return r;
    for (size_t i = 0; i < uids->count; i++) {
        if (!seqset_contains(failed, uids->v[i]))
            mailbox_uids_add(&passed, uids->v[i]);
    }
    r = seen_view_store(&sel->seen, sel->mb, passed.v, passed.count,
                        req->op == MAILBOX_FLAGS_REPLACE
                            ? seen : req->op == MAILBOX_FLAGS_ADD, &ch);
    for (size_t i = 0; i < ch.count; i++)
        seqset_add(changed, ch.v[i], ch.v[i]);
    mailbox_uids_fini(&passed);
    mailbox_uids_fini(&ch);
    return r;
}

/* store_apply - run the store; MAILBOX_OK or an error */
static int store_apply(struct imap_session *s, const struct store_req *req,
                       const struct mailbox_uids *uids, struct seqset *changed,
                       struct seqset *failed)
{
    if (req->unchangedsince_set && req->unchangedsince == 0) {
        /* every modseq is above 0: nothing passes the test */
        for (size_t i = 0; i < uids->count; i++)
            seqset_add(failed, uids->v[i], uids->v[i]);
        return MAILBOX_OK;
    }
    if (s->selected->seen.per_user)
        return store_per_user(s->selected, req, uids, changed, failed);
    return store_index(s->selected->mb, uids, req->op, req->sysflags,
                       &req->keywords, req->unchangedsince, changed, failed);
}

/* store_check - parse and check; false when a reply was sent */
static bool store_check(struct imap_cmd *cmd, struct store_req *req,
                        struct mailbox_uids *uids)
{
    struct imap_selected *sel = cmd->sess->selected;
    const char *set, *err = NULL;

    if (cmd->argc < 3 || !imap_arg_get_atom(&cmd->args[0], &set) ||
        store_parse(req, cmd->args + 1, cmd->argc - 1) < 0) {
        imap_cmd_bad(cmd, "Invalid arguments to %s", cmd->name);
        return false;
    }
    if (imap_selected_resolve(cmd->sess, set, cmd->args[0].u.str.len,
                              cmd->uid, uids, &err) < 0) {
        imap_cmd_bad(cmd, "%s", err);
        return false;
    }
    if (sel->readonly) {
        imap_cmd_no(cmd, "[READ-ONLY] Mailbox is read-only");
        return false;
    }
    if (!store_allowed(req, sel->rights)) {
        imap_cmd_no(cmd, "[NOPERM] Permission denied");
        return false;
    }
    return true;
}

bool cmd_store(struct imap_cmd *cmd)
{
    struct store_req req;
    struct mailbox_uids uids = { 0 };
    struct seqset changed = SEQSET_INIT, failed = SEQSET_INIT;
    int r;

    memset(&req, 0, sizeof(req));
    if (store_check(cmd, &req, &uids)) {
        if (req.unchangedsince_set)
            cmd->sess->enabled |= IMAP_ENABLED_CONDSTORE;
        r = store_apply(cmd->sess, &req, &uids, &changed, &failed);
        if (r == MAILBOX_E_FLAGS_FULL) {
            imap_cmd_no(cmd, "[LIMIT] Too many keywords in this mailbox");
        } else if (r == MAILBOX_E_BADNAME) {
            imap_cmd_bad(cmd, "Invalid keyword");
        } else if (r != MAILBOX_OK) {
            imap_selected_write_no(cmd, "STORE", r);
        } else {
            store_respond(cmd, &req, &uids, &changed, &failed);
            store_modified(cmd, &failed);
        }
    }
    strarray_fini(&req.keywords);
    mailbox_uids_fini(&uids);
    seqset_fini(&changed);
    seqset_fini(&failed);
    return true;
}
