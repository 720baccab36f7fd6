/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xfer_recv.c - XFERRECV name partition {n}: the destination side of a
 * mailbox move between backends (imap/xfer.h).
 *
 * Only a login listed in proxyservers acting as itself (another
 * backend's transport) may send it.  The dump literal is parsed as it
 * streams in (the engine's sink, or the parser's buffer for a small
 * one) and written straight into a new mailbox (imap/mailbox_import.h);
 * seen state (the moving user's, and other users' records of the
 * mailbox), subscriptions and quota limits are kept aside and applied
 * at the commit, which stores the entry, then ACTIVATEs the name on the
 * MUPDATE master at this server's location.  Any failure removes what
 * was written and answers NO; OK is sent only when everything is durable.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "imap/mailbox.h"
#include "imap/mailbox_dump.h"
#include "imap/mailbox_import.h"
#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "imap/mboxops.h"
#include "imap/mboxops_murder.h"
#include "imap/quota.h"
#include "imap/seen.h"
#include "imap/subs.h"
#include "imap/xfer.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/log.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

/* One incoming mailbox. */
struct xfer_recv {
    char *name, *partition;
    const char *root;
    struct mailbox_undump *u;
    struct mailbox_import *imp;
    struct mboxlist_entry *entry;      /* from the dump */
    uint32_t uidnext;
    uint64_t highestmodseq, deletedmodseq;
    int have_quota;
    int64_t limits[QUOTA_NUMRESOURCES];
    struct strarray seen_ids, seen_recs, subs;
    struct strarray reader_ids, reader_recs; /* other users' seen records */
    const char *error;                 /* first failure (static) */
};

/* recv_check - may this session send XFERRECV of name to partition?
 * NULL, or the reason; *root_r the partition's directory */
static const char *recv_check(const struct imap_session *s, const char *name,
                              const char **partition, const char **root_r)
{
    if (!s->userid || !s->authid || strcmp(s->userid, s->authid) != 0 ||
        strarray_find(cfg_get_list(IMAPOPT_PROXYSERVERS), s->authid, 0) < 0)
        return "[NOPERM] Only another server may send a mailbox";
    if (!mboxops_murder_active())
        return "[CANNOT] This server is not a murder backend";
    if (mboxname_policycheck(name, NULL) < 0)
        return "[CANNOT] Invalid mailbox name";
    if (mboxlist_lookup(name, NULL) != MBOXLIST_NOTFOUND)
        return "[ALREADYEXISTS] The mailbox exists on this server";
    if (!**partition)
        *partition = cfg_get_string(IMAPOPT_DEFAULTPARTITION);
    if (!*partition || !(*root_r = mboxops_root(*partition)))
        return "[CANNOT] Unknown partition";
    return NULL;
}

/* set_error - keep the first failure; returns -1 for the callbacks */
static int set_error(struct xfer_recv *x, const char **error_r,
                     const char *error)
{
    if (!x->error)
        x->error = error;
    *error_r = error;
    return -1;
}

/* on_header - the mailbox item: start the import */
static int on_header(void *rock, struct mailbox_dump_header *h,
                     const char **error_r)
{
    struct xfer_recv *x = rock;
    int r;

    if (strcmp(h->name, x->name) != 0)
        return set_error(x, error_r, "the dump is of another mailbox");
    r = mailbox_import_begin(x->root, x->name, h->uidvalidity, &x->imp);
    if (r != MAILBOX_OK)
        return set_error(x, error_r, r == MAILBOX_E_EXISTS
                                         ? "the mailbox files exist here"
                                         : "cannot create the mailbox");
    x->entry = h->entry;
    h->entry = NULL;
    x->uidnext = h->uidnext;
    x->highestmodseq = h->highestmodseq;
    x->deletedmodseq = h->deletedmodseq;
    return 0;
}

/* on_quota - the mailbox is a quota root: its limits */
static int on_quota(void *rock, const int64_t limits[QUOTA_NUMRESOURCES],
                    const char **error_r)
{
    struct xfer_recv *x = rock;

    (void)error_r;
    x->have_quota = 1;
    memcpy(x->limits, limits, sizeof(x->limits));
    return 0;
}

/* on_msg_begin / on_msg_data / on_msg_end - one message into the import */
static int on_msg_begin(void *rock, const struct mailbox_dump_msg *m,
                        const char **error_r)
{
    struct xfer_recv *x = rock;

    if (mailbox_import_message_begin(x->imp, m) != MAILBOX_OK)
        return set_error(x, error_r, "cannot store a message");
    return 0;
}

static int on_msg_data(void *rock, const void *p, size_t n,
                       const char **error_r)
{
    struct xfer_recv *x = rock;

    if (mailbox_import_message_data(x->imp, p, n) != MAILBOX_OK)
        return set_error(x, error_r, "cannot write a message");
    return 0;
}

static int on_msg_end(void *rock, const char **error_r)
{
    struct xfer_recv *x = rock;

    if (mailbox_import_message_end(x->imp) != MAILBOX_OK)
        return set_error(x, error_r, "cannot store a message");
    return 0;
}

/* keep_seen - id and the encoded sd onto ids/recs; 0 or -1 */
static int keep_seen(struct xfer_recv *x, struct strarray *ids,
                     struct strarray *recs, const char *id,
                     const struct seen_data *sd, const char **error_r)
{
    struct buf rec = BUF_INIT;

    if (seen_encode(sd, &rec) != SEEN_OK) {
        buf_free(&rec);
        return set_error(x, error_r, "bad seen state");
    }
    strarray_append(ids, id);
    strarray_appendm(recs, buf_release(&rec));
    return 0;
}

/* on_seen / on_user_seen / on_sub - seen state and subscriptions,
 * applied at the commit */
static int on_seen(void *rock, const char *uniqueid, const struct seen_data *sd,
                   const char **error_r)
{
    struct xfer_recv *x = rock;

    return keep_seen(x, &x->seen_ids, &x->seen_recs, uniqueid, sd, error_r);
}

static int on_user_seen(void *rock, const char *userid,
                        const struct seen_data *sd, const char **error_r)
{
    struct xfer_recv *x = rock;

    return keep_seen(x, &x->reader_ids, &x->reader_recs, userid, sd, error_r);
}

static int on_sub(void *rock, const char *name, const char **error_r)
{
    struct xfer_recv *x = rock;

    (void)error_r;
    strarray_append(&x->subs, name);
    return 0;
}

static const struct mailbox_undump_ops recv_ops = {
    on_header, on_quota, on_msg_begin, on_msg_data, on_msg_end, on_seen,
    on_sub, on_user_seen,
};

/* recv_new - the state for name on partition (checked) */
static struct xfer_recv *recv_new(const char *name, const char *partition,
                                  const char *root)
{
    struct xfer_recv *x = xzmalloc(sizeof(*x));

    x->name = xstrdup(name);
    x->partition = xstrdup(partition);
    x->root = root;
    x->u = mailbox_undump_new(&recv_ops, x);
    return x;
}

/* recv_free - free x; an uncommitted import is undone */
static void recv_free(struct xfer_recv **xp)
{
    struct xfer_recv *x = *xp;

    if (!x)
        return;
    mailbox_undump_free(&x->u);
    mailbox_import_free(&x->imp);
    mboxlist_entry_free(&x->entry);
    strarray_fini(&x->seen_ids);
    strarray_fini(&x->seen_recs);
    strarray_fini(&x->reader_ids);
    strarray_fini(&x->reader_recs);
    strarray_fini(&x->subs);
    free(x->name);
    free(x->partition);
    free(x);
    *xp = NULL;
}

/* apply_user - seen state and subscriptions of the moved INBOX's user */
static void apply_user(const struct xfer_recv *x)
{
    char *userid = mboxname_to_userid(x->name);
    struct seen *seen = NULL;

    if (!userid)
        return;
    if (x->seen_ids.count && seen_open(userid, SEEN_CREATE, &seen) == SEEN_OK) {
        for (size_t i = 0; i < x->seen_ids.count; i++) {
            struct seen_data sd;
            const char *rec = x->seen_recs.data[i];
            memset(&sd, 0, sizeof(sd));
            if (seen_decode(rec, strlen(rec), &sd) != SEEN_OK ||
                seen_write(seen, x->seen_ids.data[i], &sd) != SEEN_OK)
                log_error("XFER: seen record not kept user=<%s> uniqueid=<%s>",
                          userid, x->seen_ids.data[i]);
            seen_data_fini(&sd);
        }
        seen_close(&seen);
    }
    for (size_t i = 0; i < x->subs.count; i++)
        if (subs_add(userid, x->subs.data[i]) != SUBS_OK)
            log_error("XFER: subscription not kept user=<%s> mailbox=<%s>",
                      userid, x->subs.data[i]);
    free(userid);
}

/* apply_readers - the other users' seen records of the mailbox, into
 * their seen databases here (a failure loses one user's \Seen of it,
 * logged; the mailbox itself is already committed) */
static void apply_readers(const struct xfer_recv *x, const char *uniqueid)
{
    for (size_t i = 0; uniqueid && i < x->reader_ids.count; i++) {
        const char *userid = x->reader_ids.data[i];
        const char *rec = x->reader_recs.data[i];
        struct seen *seen = NULL;
        struct seen_data sd;

        memset(&sd, 0, sizeof(sd));
        if (seen_decode(rec, strlen(rec), &sd) != SEEN_OK ||
            seen_open(userid, SEEN_CREATE, &seen) != SEEN_OK ||
            seen_write(seen, uniqueid, &sd) != SEEN_OK)
            log_error("XFER: seen record not kept user=<%s> mailbox=<%s>",
                      userid, x->name);
        seen_close(&seen);
        seen_data_fini(&sd);
    }
}

/* apply_quota - the root's limits (when it is one) and the usage */
static void apply_quota(const struct xfer_recv *x)
{
    char *qroot = NULL;
    int64_t bytes, msgs;

    if (x->have_quota && quota_setlimits(x->name, x->limits) != QUOTA_OK)
        log_error("XFER: quota limits not kept root=<%s>", x->name);
    mailbox_import_usage(x->imp, &bytes, &msgs);
    if ((bytes || msgs) && quota_findroot(x->name, &qroot) == QUOTA_OK)
        quota_change(qroot, bytes, msgs, QUOTA_FORCE, NULL, NULL);
    free(qroot);
}

/* recv_commit - the dump is complete: make the mailbox exist here and
 * on the master.  NULL, or the reason it did not */
static const char *recv_commit(struct xfer_recv *x)
{
    struct mboxlist_entry *e = x->entry;

    if (!x->imp || !e)
        return "the dump held no mailbox";
    if (mailbox_import_commit(x->imp, x->uidnext, x->highestmodseq,
                              x->deletedmodseq) != MAILBOX_OK)
        return "cannot write the mailbox index";
    e->type = 0;
    free(e->partition);
    e->partition = xstrdup(x->partition);
    free(e->server);
    e->server = NULL;
    if (mboxlist_create(e) != MBOXLIST_OK) {
        mailbox_delete(x->root, x->name);
        return "cannot store the mailbox entry";
    }
    if (mboxops_murder_activate(e->name, e->partition, e->acl) != MBOXOPS_OK) {
        mboxlist_delete(e->name);
        mailbox_delete(x->root, x->name);
        return "the MUPDATE master did not take the new location";
    }
    apply_quota(x);
    apply_readers(x, e->uniqueid);
    if (mboxname_is_inbox(x->name))
        apply_user(x);
    log_notice("mailbox received mailbox=<%s> partition=<%s>", x->name,
               x->partition);
    return NULL;
}

/* sink_begin - the dump literal starts: refuse it (NULL: discarded)
 * unless the sender and the name pass recv_check */
static void *sink_begin(struct imap_session *s, const struct imap_arg *args,
                        size_t argc, uint64_t size)
{
    const char *name, *partition, *root = NULL;

    (void)size;
    if (argc < 2 || !imap_arg_get_astring(&args[0], &name) ||
        !imap_arg_get_astring(&args[1], &partition) ||
        recv_check(s, name, &partition, &root))
        return NULL;
    return recv_new(name, partition, root);
}

static void sink_write(void *sink, const void *data, size_t len)
{
    struct xfer_recv *x = sink;
    const char *err = NULL;

    if (mailbox_undump_feed(x->u, data, len, &err) < 0 && !x->error)
        x->error = err;
}

static void sink_finish(void *sink)
{
    (void)sink;
}

static void sink_free(void *sink)
{
    struct xfer_recv *x = sink;

    recv_free(&x);
}

static const struct imap_stream_ops recv_stream = {
    sink_begin, sink_write, sink_finish, sink_free,
};

const struct imap_stream_ops *xfer_recv_stream_ops(void)
{
    return &recv_stream;
}

/* recv_run - the handler's work once the dump is in x */
static void recv_run(struct imap_cmd *cmd, struct xfer_recv *x)
{
    const char *err = x->error;

    if (!err && mailbox_undump_finish(x->u, &err) < 0 && x->error)
        err = x->error;
    if (!err)
        err = recv_commit(x);
    if (err) {
        log_notice("XFERRECV refused mailbox=<%s> error=<%s>", x->name, err);
        imap_cmd_no(cmd, "[CANNOT] Mailbox not received: %s", err);
    } else {
        imap_cmd_ok(cmd, "Mailbox received");
    }
}

bool cmd_xferrecv(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    const char *name, *partition, *root = NULL, *no, *data;
    struct xfer_recv *x = NULL;
    size_t len;

    if (cmd->argc != 3 || !imap_arg_get_astring(&cmd->args[0], &name) ||
        !imap_arg_get_astring(&cmd->args[1], &partition)) {
        imap_cmd_bad(cmd, "Invalid arguments to XFERRECV");
        return true;
    }
    if (cmd->args[2].type == IMAP_ARG_LITERAL_SIZE) {
        x = imap_session_streamed(s, 0);
        if (!x) { /* discarded by sink_begin: say why */
            no = recv_check(s, name, &partition, &root);
            imap_cmd_no(cmd, "%s", no ? no : "[CANNOT] Mailbox not received");
            return true;
        }
        recv_run(cmd, x);
        return true;
    }
    if (!imap_arg_get_data(&cmd->args[2], &data, &len)) {
        imap_cmd_bad(cmd, "Invalid arguments to XFERRECV");
        return true;
    }
    if ((no = recv_check(s, name, &partition, &root)) != NULL) {
        imap_cmd_no(cmd, "%s", no);
        return true;
    }
    x = recv_new(name, partition, root);
    sink_write(x, data, len);
    recv_run(cmd, x);
    recv_free(&x);
    return true;
}
