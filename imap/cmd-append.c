/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-append.c - APPEND (RFC 3501 6.3.11) with MULTIAPPEND (RFC 3502) and
 * APPENDUID (RFC 4315).
 *
 * Message literals larger than maxliteral never sit in memory: the engine
 * streams them into this file's sink (cmd_append_stream), which writes a
 * staging file on the target mailbox's partition as the bytes arrive;
 * smaller literals are staged from the parser's buffer.  The handler then
 * parses each staged file (mapped, for the cache record), reserves quota
 * (NO [OVERQUOTA]), appends every message in ONE commit (all or none, as
 * MULTIAPPEND requires) and answers OK only after mailbox_append returned,
 * i.e. once the messages are on disk.  Needs the 'i' right; flags the
 * session may not set are dropped (\Seen needs 's', \Deleted 't', the
 * others 'w').  A missing mailbox gets NO [TRYCREATE].  Before a
 * synchronising literal is invited, cmd_append_literal_check (the
 * engine's literal_check hook) answers NO [TRYCREATE] / [NOPERM] /
 * [OVERQUOTA] instead of "+", so a client does not upload a message that
 * cannot be kept; LITERAL+ data is read and discarded as before.
 * In a mailbox whose \Seen is per user (imap/seen_view.h) an appended
 * \Seen goes into the user's seen state, not the index bit.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "imap/acl.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mailbox.h"
#include "imap/mboxcmds.h"
#include "imap/mboxlist.h"
#include "imap/mboxops.h"
#include "imap/quota.h"
#include "imap/search_date.h"
#include "imap/seen_view.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

/* Most messages in one MULTIAPPEND. */
#define APPEND_MAX_MESSAGES 1000

/* A streamed literal on its way into a staging file. */
struct append_sink {
    struct mailbox_stage *st;
    bool failed;
};

/* One message of the command. */
struct append_msg {
    struct mailbox_stage *st;      /* owned unless borrowed from a sink */
    bool borrowed;
    struct strarray user_flags;
    struct buf cache;
    struct mailbox_append_item item;
};

/* append_target - the target's entry when the session may insert */
static int append_target(struct imap_session *s, const char *ext,
                         char **name_r, struct mboxlist_entry **e_r,
                         unsigned *rights_r)
{
    struct mboxops_who who;

    mboxcmd_who(s, &who);
    if (mboxcmd_internal(s, ext, name_r) < 0)
        return MBOXOPS_NOTFOUND;
    return mboxops_lookup(&who, *name_r, ACL_INSERT, e_r, rights_r);
}

/* sink_begin - a streamed message starts: stage it on the partition */
static void *sink_begin(struct imap_session *s, const struct imap_arg *args,
                        size_t argc, uint64_t size)
{
    struct mboxlist_entry *e = NULL;
    struct append_sink *k = NULL;
    const char *ext, *root;
    char *name = NULL;

    (void)size;
    if (argc && imap_arg_get_astring(&args[0], &ext) &&
        append_target(s, ext, &name, &e, NULL) == MBOXOPS_OK &&
        (root = mboxops_root(e->partition)) != NULL) {
        k = xzmalloc(sizeof(*k));
        k->failed = mailbox_stage_begin(root, &k->st) != MAILBOX_OK;
    }
    mboxlist_entry_free(&e);
    free(name);
    return k;
}

static void sink_write(void *sink, const void *data, size_t len)
{
    struct append_sink *k = sink;

    if (!k->failed && mailbox_stage_write(k->st, data, len) != MAILBOX_OK)
        k->failed = true;
}

static void sink_finish(void *sink)
{
    struct append_sink *k = sink;

    if (!k->failed && mailbox_stage_finish(k->st) != MAILBOX_OK)
        k->failed = true;
}

static void sink_free(void *sink)
{
    struct append_sink *k = sink;

    mailbox_stage_free(&k->st);
    free(k);
}

static const struct imap_stream_ops append_stream = {
    sink_begin, sink_write, sink_finish, sink_free,
};

const struct imap_stream_ops *cmd_append_stream_ops(const char *command)
{
    return strcmp(command, "APPEND") == 0 ? &append_stream : NULL;
}

const char *cmd_append_literal_check(struct imap_session *s,
                                     const char *command,
                                     const struct imap_arg *args,
                                     size_t argc, uint64_t size)
{
    struct mboxlist_entry *e = NULL;
    char *name = NULL, *qroot = NULL;
    const char *ext, *no = NULL;
    struct quota q;
    int r;

    if (strcmp(command, "APPEND") != 0 || !argc ||
        !imap_arg_get_astring(&args[0], &ext))
        return NULL;                   /* the handler answers BAD later */
    r = append_target(s, ext, &name, &e, NULL);
    if (r == MBOXOPS_NOTFOUND)
        no = "[TRYCREATE] Mailbox does not exist";
    else if (r != MBOXOPS_OK)
        no = mboxops_strerror(r);
    else if (quota_findroot(name, &qroot) == QUOTA_OK) {
        /* a check only: the handler reserves for real, atomically */
        quota_init(&q);
        if (quota_read(qroot, &q) == QUOTA_OK &&
            quota_check(&q, (int64_t)size, 1, NULL) == QUOTA_OVER)
            no = "[OVERQUOTA] Over quota";
        quota_fini(&q);
    }
    free(qroot);
    mboxlist_entry_free(&e);
    free(name);
    return no;
}

/* parse_flags - an APPEND flag list into m (only what rights allow) */
static bool parse_flags(const struct imap_arg *l, size_t n, unsigned rights,
                        struct append_msg *m)
{
    static const struct { const char *name; uint32_t bit; unsigned need; }
    sys[] = {
        { "\\Seen", MAILBOX_FLAG_SEEN, ACL_SEEN },
        { "\\Answered", MAILBOX_FLAG_ANSWERED, ACL_WRITE },
        { "\\Flagged", MAILBOX_FLAG_FLAGGED, ACL_WRITE },
        { "\\Draft", MAILBOX_FLAG_DRAFT, ACL_WRITE },
        { "\\Deleted", MAILBOX_FLAG_DELETED, ACL_DELETEMSG },
    };

    for (size_t i = 0; i < n; i++) {
        const char *f;
        size_t k;

        if (!imap_arg_get_atom(&l[i], &f) || l[i].type != IMAP_ARG_ATOM)
            return false;
        if (f[0] != '\\') {
            if (rights & ACL_WRITE)
                strarray_append(&m->user_flags, f);
            continue;
        }
        for (k = 0; k < sizeof(sys) / sizeof(sys[0]); k++) {
            if (str_casecmp(sys[k].name, f) == 0)
                break;
        }
        if (k == sizeof(sys) / sizeof(sys[0]))
            return false;
        if (rights & sys[k].need)
            m->item.system_flags |= sys[k].bit;
    }
    return true;
}

/* The command being run. */
struct append_req {
    struct imap_cmd *cmd;
    char *name;
    struct mboxlist_entry *e;
    unsigned rights;
    const char *root;
    struct append_msg *msgs;
    size_t n;
};

/* stage_literal - the message data of arg (k-th streamed literal so far)
 * into m; NULL or a NO text */
static const char *stage_literal(struct append_req *q, const struct imap_arg *a,
                                 size_t *k, struct append_msg *m)
{
    const char *data;
    size_t len;

    if (a->type == IMAP_ARG_LITERAL_SIZE) {
        struct append_sink *sink = imap_session_streamed(q->cmd->sess, (*k)++);
        if (!sink || sink->failed || !sink->st)
            return "[SERVERBUG] Cannot store the message";
        m->st = sink->st;
        m->borrowed = true;
        return NULL;
    }
    imap_arg_get_data(a, &data, &len);
    if (mailbox_stage_data(q->root, data, len, &m->st) != MAILBOX_OK)
        return "[SERVERBUG] Cannot store the message";
    return NULL;
}

/* append_one - one [flags] [date] literal group at a[*i] into m */
static const char *append_one(struct append_req *q, bool stage, size_t *i,
                              size_t *k, struct append_msg *m)
{
    const struct imap_arg *a = q->cmd->args;
    size_t argc = q->cmd->argc, n;
    const struct imap_arg *l;
    const char *str;
    int64_t t;

    if (!stage) {
        memset(m, 0, sizeof(*m));
        if (q->n >= APPEND_MAX_MESSAGES)
            return "[LIMIT] Too many messages";
    }
    if (imap_arg_get_list(&a[*i], &l, &n)) {
        if (!parse_flags(l, n, stage ? q->rights : ACL_ALL, m))
            return "BAD";
        (*i)++;
    }
    if (*i < argc && a[*i].type == IMAP_ARG_STRING) {
        if (!imap_arg_get_string(&a[*i], &str) || !search_date_datetime(str, &t))
            return "BAD";
        m->item.internaldate = t;
        (*i)++;
    }
    if (*i >= argc || (a[*i].type != IMAP_ARG_LITERAL &&
                       a[*i].type != IMAP_ARG_LITERAL_SIZE))
        return "BAD";
    (*i)++;
    return stage ? stage_literal(q, &a[*i - 1], k, m) : NULL;
}

/* append_parse - walk [flags] [date] literal groups; with stage, fill
 * q->msgs.  NULL, "BAD" for a syntax error, or a NO text */
static const char *append_parse(struct append_req *q, bool stage)
{
    size_t argc = q->cmd->argc, i = 1, k = 0;

    while (i < argc) {
        struct append_msg dummy, *m = stage ? &q->msgs[q->n] : &dummy;
        const char *err = append_one(q, stage, &i, &k, m);

        if (!stage)
            strarray_fini(&dummy.user_flags);
        if (err)
            return err;
        q->n++;
    }
    return q->n ? NULL : "BAD";
}

/* parse_message - the cache record, header size and date of m's file */
static bool parse_message(struct append_msg *m)
{
    const char *path = mailbox_stage_path(m->st);
    size_t len = (size_t)mailbox_stage_size(m->st);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    void *base = NULL;

    if (fd < 0)
        return false;
    if (len) {
        base = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (base == MAP_FAILED) {
            log_error("IOERROR: mmap failed file=<%s> error=<%m>", path);
            close(fd);
            return false;
        }
    }
    close(fd);
    mailbox_parse_default(base ? base : "", len, &m->cache,
                          &m->item.header_size, &m->item.sentdate);
    if (base)
        munmap(base, len);
    m->item.stage = m->st;
    m->item.user_flags = &m->user_flags;
    m->item.cache = m->cache.s;
    m->item.cache_len = m->cache.len;
    return true;
}

/* reserve_quota - add the messages to the root's usage; NULL or NO text */
static const char *reserve_quota(struct append_req *q, int64_t bytes,
                                 char **root_r)
{
    *root_r = NULL;
    if (quota_findroot(q->name, root_r) != QUOTA_OK)
        return NULL;
    switch (quota_change(*root_r, bytes, (int64_t)q->n, 0, NULL, NULL)) {
    case QUOTA_OK:
        return NULL;
    case QUOTA_OVER:
        free(*root_r);
        *root_r = NULL;
        return "[OVERQUOTA] Over quota";
    default:
        free(*root_r);
        *root_r = NULL;
        return "[SERVERBUG] Cannot update quota";
    }
}

/* seen_split - in a per-user view, take \Seen off the items' index flags
 * and remember which items had it (*seen_r, item indexes) */
static void seen_split(const struct seen_view *v,
                       struct mailbox_append_item *items, size_t n,
                       struct mailbox_uids *seen_r)
{
    for (size_t i = 0; v->per_user && i < n; i++) {
        if (items[i].system_flags & MAILBOX_FLAG_SEEN) {
            items[i].system_flags &= ~MAILBOX_FLAG_SEEN;
            mailbox_uids_add(seen_r, (uint32_t)i);
        }
    }
}

/* seen_apply - after the append: mark the items of seen (indexes) seen
 * for the user.  A failure is logged (seen_view.c) and leaves them
 * unseen; the messages themselves are durable and answered OK. */
static void seen_apply(struct seen_view *v,
                       const struct mailbox_append_item *items,
                       struct mailbox_uids *seen)
{
    for (size_t i = 0; i < seen->count; i++)
        seen->v[i] = items[seen->v[i]].uid;
    if (seen->count)
        (void)seen_view_store(v, NULL, seen->v, seen->count, true, NULL);
}

/* append_view - the user's \Seen view of the target: the selection's, or
 * one opened into *own (-1 when the seen state cannot be read) */
static int append_view(struct append_req *q, struct seen_view *own,
                       struct seen_view **v_r)
{
    struct imap_session *s = q->cmd->sess;

    if (s->selected && strcmp(s->selected->name, q->name) == 0) {
        *v_r = &s->selected->seen;
        return 0;
    }
    *v_r = own;
    return seen_view_open(own, &s->ns, s->userid, q->name, q->e->uniqueid);
}

/* append_commit - the one append of every message; NULL or a NO text,
 * *uidvalidity_r and the new UIDs in uids */
static const char *append_commit(struct append_req *q, uint32_t *uidvalidity_r,
                                 struct seqset *uids)
{
    struct imap_selected *sel = q->cmd->sess->selected;
    struct mailbox_append_item *items = xzmalloc(q->n * sizeof(*items));
    struct seen_view ownview = SEEN_VIEW_INIT, *view = NULL;
    struct mailbox_uids seen = { 0 };
    struct mailbox *own = NULL, *mb;
    const char *err = NULL;
    int64_t bytes = 0;
    char *qroot = NULL;
    int r;

    for (size_t i = 0; i < q->n; i++) {
        items[i] = q->msgs[i].item;
        bytes += (int64_t)mailbox_stage_size(q->msgs[i].st);
    }
    if (sel && strcmp(sel->name, q->name) == 0)
        mb = sel->mb;
    else if (mailbox_open(q->root, q->name, &own) == MAILBOX_OK)
        mb = own;
    else
        mb = NULL;
    if (!mb)
        err = "[SERVERBUG] Cannot open the mailbox";
    else if (append_view(q, &ownview, &view) < 0)
        err = "[SERVERBUG] Cannot read the seen state";
    else
        seen_split(view, items, q->n, &seen);
    if (!err)
        err = reserve_quota(q, bytes, &qroot);
    if (!err && (r = mailbox_append(mb, items, q->n)) != MAILBOX_OK) {
        err = r == MAILBOX_E_FLAGS_FULL ? "[LIMIT] Too many keywords"
              : r == MAILBOX_E_MOVING   ? IMAP_SELECTED_MOVING_TEXT
                                        : "[SERVERBUG] Cannot append";
        if (qroot)
            quota_change(qroot, -bytes, -(int64_t)q->n, QUOTA_FORCE, NULL,
                         NULL);
    }
    if (!err) {
        *uidvalidity_r = mailbox_get_header(mb)->uidvalidity;
        for (size_t i = 0; i < q->n; i++)
            seqset_add(uids, items[i].uid, items[i].uid);
        seen_apply(view, items, &seen);
    }
    mailbox_uids_fini(&seen);
    seen_view_fini(&ownview);
    mailbox_close(&own);
    free(qroot);
    free(items);
    return err;
}

/* append_run - everything after the syntax check; NULL or a NO text */
static const char *append_run(struct append_req *q, uint32_t *uidv,
                              struct seqset *uids)
{
    const char *err;

    q->msgs = xzmalloc(q->n * sizeof(*q->msgs));
    q->n = 0;
    if ((err = append_parse(q, true)) != NULL)
        return err;
    for (size_t i = 0; i < q->n; i++) {
        if (!parse_message(&q->msgs[i]))
            return "[SERVERBUG] Cannot read the message";
    }
    return append_commit(q, uidv, uids);
}

/* append_req_fini - free the staged messages and the rest */
static void append_req_fini(struct append_req *q)
{
    for (size_t i = 0; q->msgs && i < q->n; i++) {
        if (!q->msgs[i].borrowed)
            mailbox_stage_free(&q->msgs[i].st);
        strarray_fini(&q->msgs[i].user_flags);
        buf_free(&q->msgs[i].cache);
    }
    free(q->msgs);
    free(q->name);
    mboxlist_entry_free(&q->e);
}

bool cmd_append(struct imap_cmd *cmd)
{
    struct append_req q;
    struct seqset uids = SEQSET_INIT;
    struct buf b = BUF_INIT;
    const char *ext, *err;
    uint32_t uidv = 0;
    int r;

    memset(&q, 0, sizeof(q));
    q.cmd = cmd;
    if (cmd->argc < 2 || !imap_arg_get_astring(&cmd->args[0], &ext) ||
        ((err = append_parse(&q, false)) != NULL && strcmp(err, "BAD") == 0)) {
        imap_cmd_bad(cmd, "Invalid arguments to APPEND");
        return true;
    }
    r = append_target(cmd->sess, ext, &q.name, &q.e, &q.rights);
    if (r == MBOXOPS_OK && !(q.root = mboxops_root(q.e->partition)))
        r = MBOXOPS_IO;
    if (r == MBOXOPS_NOTFOUND)
        err = "[TRYCREATE] Mailbox does not exist";
    else if (r != MBOXOPS_OK)
        err = mboxops_strerror(r);
    else if (!err)
        err = append_run(&q, &uidv, &uids);
    if (err) {
        imap_cmd_no(cmd, "%s", err);
    } else {
        seqset_format(&uids, &b);
        imap_cmd_ok(cmd, "[APPENDUID %u %s] Completed", uidv, buf_cstring(&b));
    }
    seqset_fini(&uids);
    buf_free(&b);
    append_req_fini(&q);
    return true;
}
