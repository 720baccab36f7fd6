/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-list.c - LIST (RFC 3501 6.3.8 with LIST-EXTENDED RFC 5258,
 * LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154, CHILDREN RFC 3348) and LSUB
 * (RFC 3501 6.3.9).
 *
 * How: every mailbox the session has the 'l' right on is converted to the
 * session's external name once, and the canonical patterns (reference +
 * pattern, leading INBOX case-folded) are matched against those names,
 * so the namespace rules live only in mboxname_to_external.  Levels that
 * are not listable mailboxes but have listable children are returned as
 * \Noselect when a pattern ending in '%' reaches them (RFC 3501), never
 * revealing a mailbox the session cannot see.  \HasChildren /
 * \HasNoChildren and special-use attributes are always returned.
 * Where subscriptions and LIST-STATUS come from is a struct list_source:
 * the local databases for imapd (cmd_list), the user's INBOX backend and
 * the owning backends for proxyd (cmd_list_from), which lists from its
 * local copy of the murder's mailboxes.db without asking any backend.
 * The walk is over all of mailboxes.db's keys per LIST, but only the
 * records the user can possibly see are decoded (mboxlist_view).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/acl.h"
#include "imap/imap_session.h"
#include "imap/mboxcmds.h"
#include "imap/mboxlist.h"
#include "imap/mboxops.h"
#include "imap/subs.h"
#include "lib/buf.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

/* A listable mailbox, by external name. */
struct list_box {
    char *name;        /* internal */
    char *specialuse;  /* NULL: none */
};

struct list_ctx {
    struct imap_session *s;
    struct imap_cmd *cmd;
    const struct list_source *src;
    struct mboxops_who who;
    const struct list_opts *o;
    bool lsub;
    char sep;
    struct hash_table *boxes;      /* ext -> struct list_box */
    struct hash_table *parents;    /* ancestors of boxes */
    struct hash_table *subs;       /* subscribed ext names */
    struct hash_table *subparents; /* ancestors of subscribed names */
    struct hash_table *cand_seen;
    struct strarray cands;         /* candidate ext names */
    struct strarray pats;          /* canonical patterns */
};

/* box_free - hash destructor */
static void box_free(void *v)
{
    struct list_box *b = v;

    free(b->name);
    free(b->specialuse);
    free(b);
}

/* add_ancestors - every proper ancestor of ext into ht */
static void add_ancestors(struct hash_table *ht, const char *ext, char sep)
{
    struct buf b = BUF_INIT;

    for (const char *p = ext; *p; p++) {
        if (*p != sep || p == ext)
            continue;
        buf_setmap(&b, ext, (size_t)(p - ext));
        hash_insert(ht, buf_cstring(&b), (void *)1);
    }
    buf_free(&b);
}

/* gather_cb - keep the mailboxes the session may see */
static int gather_cb(void *rock, const struct mboxlist_entry *e)
{
    struct list_ctx *c = rock;
    struct list_box *b;
    struct buf su = BUF_INIT;
    char *ext;

    if ((e->type & (MBTYPE_RESERVE | MBTYPE_DELETED)) ||
        !(mboxops_rights(&c->who, e) & ACL_LOOKUP))
        return 0;
    if (!(ext = mboxcmd_external(c->s, e->name)))
        return 0;
    b = xzmalloc(sizeof(*b));
    b->name = xstrdup(e->name);
    if (mboxops_specialuse(e, &su))
        b->specialuse = buf_release(&su);
    buf_free(&su);
    if ((b = hash_insert(c->boxes, ext, b)) != NULL)
        box_free(b);
    add_ancestors(c->parents, ext, c->sep);
    free(ext);
    return 0;
}

/* gather - every mailbox the session may see into c->boxes.  Only the
 * records the session's view may show are decoded and checked (the
 * pre-filter never drops a visible one: imap/mboxlist_view.c), so this
 * costs about what the session sees, not the size of the list. */
static void gather(struct list_ctx *c)
{
    struct mboxlist_aclfilter f = { c->who.auth, c->who.ns, NULL,
                                    ACL_LOOKUP };
    struct mboxlist_view *v = NULL;

    if (c->who.auth) /* no state: the system, which sees everything */
        v = mboxlist_view_new(&f);
    mboxlist_foreach_visible("", v, gather_cb, c);
    mboxlist_view_free(&v);
}

/* gather_subs - the user's subscriptions, as external names; -1 with
 * *error_r when the source cannot tell */
static int gather_subs(struct list_ctx *c, const char **error_r)
{
    struct strarray names = STRARRAY_INIT;

    if (c->src->subs(c->cmd, &names, error_r) < 0) {
        strarray_fini(&names);
        return -1;
    }
    for (size_t i = 0; i < names.count; i++) {
        char *ext = mboxcmd_external(c->s, names.data[i]);
        if (!ext)
            continue;
        hash_insert(c->subs, ext, (void *)1);
        add_ancestors(c->subparents, ext, c->sep);
        free(ext);
    }
    strarray_fini(&names);
    return 0;
}

/* cand_cb - hash_foreach: add a candidate name */
static int cand_cb(const char *key, void *value, void *rock)
{
    struct list_ctx *c = rock;

    (void)value;
    if (!hash_lookup(c->cand_seen, key)) {
        hash_insert(c->cand_seen, key, (void *)1);
        strarray_append(&c->cands, key);
    }
    return 0;
}

/* inbox_first - sort candidates, INBOX first */
static void inbox_first(struct strarray *a)
{
    strarray_sort(a);
    for (size_t i = 0; i < a->count; i++) {
        if (strcmp(a->data[i], "INBOX") == 0) {
            char *x = strarray_remove(a, i);
            strarray_insert(a, 0, x);
            free(x);
            break;
        }
    }
}

/* canon_patterns - reference + pattern, a leading INBOX upper-cased */
static void canon_patterns(struct list_ctx *c)
{
    for (size_t i = 0; i < c->o->npatterns; i++) {
        struct buf b = BUF_INIT;
        char *p;

        buf_printf(&b, "%s%s", c->o->reference, c->o->patterns[i]);
        p = buf_release(&b);
        if (str_ncasecmp(p, "INBOX", 5) == 0 &&
            (p[5] == '\0' || p[5] == c->sep))
            memcpy(p, "INBOX", 5);
        strarray_appendm(&c->pats, p);
    }
}

/* match - which pattern (if any) matches ext: 1 plain, 2 when the
 * matching pattern ends in '%', 0 none */
static int match(const struct list_ctx *c, const char *ext)
{
    int best = 0;

    for (size_t i = 0; i < c->pats.count; i++) {
        const char *p = c->pats.data[i];
        size_t pl = strlen(p);

        if (!mboxlist_glob_match(p, ext, strlen(ext), c->sep))
            continue;
        best = (pl && p[pl - 1] == '%') ? 2 : (best ? best : 1);
    }
    return best;
}

/* local_subs - imapd's list_source: the local subscriptions database
 * (an unreadable one lists as no subscriptions, logged) */
static int local_subs(struct imap_cmd *cmd, struct strarray *names,
                      const char **error_r)
{
    (void)error_r;
    if (subs_list(cmd->sess->userid, names) != SUBS_OK)
        log_warning("cannot read subscriptions user=<%s>", cmd->sess->userid);
    return 0;
}

/* local_status - imapd's list_source: LIST-STATUS from the local store */
static void local_status(struct imap_cmd *cmd, const char *ext,
                         const char *name, unsigned items)
{
    struct mboxlist_entry *e = NULL;
    struct mboxops_who who;

    mboxcmd_who(cmd->sess, &who);
    if (mboxops_lookup(&who, name, ACL_READ, &e, NULL) == MBOXOPS_OK)
        status_response(cmd->sess, ext, e, items);
    mboxlist_entry_free(&e);
}

static const struct list_source local_source = { local_subs, local_status };

/* box_attrs - the attributes of an existing mailbox or placeholder */
static void box_attrs(struct list_ctx *c, const char *ext,
                      const struct list_box *b, struct buf *out)
{
    bool kids = hash_lookup(c->parents, ext) != NULL;

    /* a level with children: \Noselect in IMAP4rev1, \NonExistent (which
     * implies \Noselect) under IMAP4rev2 (RFC 9051 7.3.1) */
    if (!b)
        buf_appendcstr(out, kids && !(c->s->enabled & IMAP_ENABLED_IMAP4REV2)
                                ? "\\Noselect "
                                : "\\NonExistent ");
    buf_appendcstr(out, kids ? "\\HasChildren" : "\\HasNoChildren");
    if (b && b->specialuse)
        buf_printf(out, " %s", b->specialuse);
    if (c->subs && hash_lookup(c->subs, ext) &&
        (c->o->ret & LIST_RET_SUBSCRIBED))
        buf_appendcstr(out, " \\Subscribed");
}

/* attrs - the attribute list of candidate ext (matched with m) into
 * out; false when it is not to be listed */
static bool attrs(struct list_ctx *c, const char *ext, int m,
                  struct buf *out, bool *childinfo_r)
{
    const struct list_box *b = hash_lookup(c->boxes, ext);
    bool subd = c->subs && hash_lookup(c->subs, ext);

    *childinfo_r = false;
    if (c->lsub) {
        /* subscribed names; parents of them only for '%' */
        if (!subd && m != 2)
            return false;
        if (!subd || !b)
            buf_appendcstr(out, "\\Noselect");
        return true;
    }
    if (c->o->sel & LIST_SEL_SUBSCRIBED) {
        if (!subd && !(c->o->sel & LIST_SEL_RECURSIVEMATCH))
            return false;
        *childinfo_r = !subd;
    } else if (!b && m != 2) {
        return false;  /* a level with children: only for '%' */
    }
    if ((c->o->sel & LIST_SEL_SPECIALUSE) && !(b && b->specialuse))
        return false;
    box_attrs(c, ext, b, out);
    return true;
}

/* emit - one LIST/LSUB line (and STATUS) for a matching candidate */
static void emit(struct list_ctx *c, const char *ext, int m)
{
    struct buf a = BUF_INIT, name = BUF_INIT;
    bool childinfo;
    const struct list_box *b;

    if (!attrs(c, ext, m, &a, &childinfo)) {
        buf_free(&a);
        return;
    }
    mboxcmd_quote(&name, ext);
    imap_untagged(c->s, "%s (%s) \"%c\" %s%s", c->lsub ? "LSUB" : "LIST",
                  buf_cstring(&a), c->sep, buf_cstring(&name),
                  childinfo ? " (\"CHILDINFO\" (\"SUBSCRIBED\"))" : "");
    b = hash_lookup(c->boxes, ext);
    if (b && (c->o->ret & LIST_RET_STATUS))
        c->src->status(c->cmd, ext, b->name, c->o->status);
    buf_free(&a);
    buf_free(&name);
}

/* list_run - gather, match and answer; -1 with *error_r (nothing
 * sent) when the subscriptions are unavailable */
static int list_run(struct list_ctx *c, const char **error_r)
{
    bool viaselect = c->lsub || (c->o->sel & LIST_SEL_SUBSCRIBED);

    gather(c);
    if (viaselect || (c->o->ret & LIST_RET_SUBSCRIBED)) {
        c->subs = hash_new(64);
        c->subparents = hash_new(64);
        if (gather_subs(c, error_r) < 0)
            return -1;
    }
    if (viaselect) {
        hash_foreach(c->subs, cand_cb, c);
        hash_foreach(c->subparents, cand_cb, c);
    } else {
        hash_foreach(c->boxes, cand_cb, c);
        hash_foreach(c->parents, cand_cb, c);
    }
    inbox_first(&c->cands);
    canon_patterns(c);
    for (size_t i = 0; i < c->cands.count; i++) {
        int m = match(c, c->cands.data[i]);
        if (m)
            emit(c, c->cands.data[i], m);
    }
    return 0;
}

/* list_ctx_fini - free everything of c */
static void list_ctx_fini(struct list_ctx *c)
{
    hash_free(&c->boxes, box_free);
    hash_free(&c->parents, NULL);
    if (c->subs)
        hash_free(&c->subs, NULL);
    if (c->subparents)
        hash_free(&c->subparents, NULL);
    hash_free(&c->cand_seen, NULL);
    strarray_fini(&c->cands);
    strarray_fini(&c->pats);
}

bool cmd_list(struct imap_cmd *cmd)
{
    return cmd_list_from(cmd, &local_source);
}

bool cmd_list_from(struct imap_cmd *cmd, const struct list_source *src)
{
    struct list_ctx c;
    struct list_opts o;
    const char *err = NULL;

    memset(&c, 0, sizeof(c));
    c.lsub = strcmp(cmd->name, "LSUB") == 0;
    if (list_opts_parse(cmd->args, cmd->argc, &o, &err) < 0 ||
        (c.lsub && o.extended && (err = "Invalid arguments to LSUB"))) {
        imap_cmd_bad(cmd, "%s", err);
        return true;
    }
    c.s = cmd->sess;
    c.cmd = cmd;
    c.src = src;
    c.o = &o;
    c.sep = cmd->sess->ns.sep;
    mboxcmd_who(cmd->sess, &c.who);
    if (o.npatterns == 1 && !*o.patterns[0] && !o.extended) {
        /* RFC 3501: the hierarchy delimiter and the root name */
        imap_untagged(c.s, "%s (\\Noselect) \"%c\" \"\"",
                      c.lsub ? "LSUB" : "LIST", c.sep);
        imap_cmd_ok(cmd, "Completed");
        return true;
    }
    c.boxes = hash_new(256);
    c.parents = hash_new(256);
    c.cand_seen = hash_new(256);
    if (list_run(&c, &err) < 0)
        imap_cmd_no(cmd, "%s", err);
    else
        imap_cmd_ok(cmd, "Completed");
    list_ctx_fini(&c);
    return true;
}
