/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_master_batch.c - group commit: the list changes (RESERVE,
 * ACTIVATE, DEACTIVATE, DELETE) of every peer served in one loop
 * iteration go into one mailboxes.db transaction, committed (fsync'd
 * once) at the end of the iteration (mupdate_batch_commit, called by the
 * run loop).  Only then is each change applied to the list in memory,
 * sent to the UPDATE subscribers and acknowledged, in arrival order; a
 * failed write or commit answers every change of the batch NO and leaves
 * the list unchanged.
 *
 * While the batch is open, the change commands check names against
 * mupdate_batch_find: the list as the batch leaves it (an overlay of the
 * names it set or deleted), so two peers reserving one name in the same
 * iteration still conflict.  Reads (FIND, LIST, UPDATE) see only the
 * committed list.  A peer with changes in the batch goes on reading
 * changes, but any other command waits for the commit (the connection
 * code holds it parsed, c->deferred), and so do its refusals and BADs
 * (mupdate_batch_reply): its answers keep the order of its commands.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/xmalloc.h"
#include "mupdate/mupdate_master.h"

enum batch_op { BATCH_SET, BATCH_DELETE, BATCH_LINE };

struct mupdate_batch_item {
    enum batch_op op;
    struct mupdate_conn *c;
    char *tag;
    char *name, *location, *acl;    /* SET (acl NULL: reserve), DELETE */
    const char *ok_text;
    char *line;                     /* LINE: a response decided at once */
};

const struct mupdate_list_entry *mupdate_batch_find(struct mupdate_server *srv,
                                                    const char *name)
{
    struct mupdate_batch *b = &srv->batch;
    const struct mupdate_list_entry *e;

    if (b->overlay && (e = mupdate_list_find(b->overlay, name)))
        return e;
    if (b->deleted && hash_lookup(b->deleted, name))
        return NULL;
    return mupdate_list_find(srv->list, name);
}

int mupdate_batch_pending(const struct mupdate_server *srv)
{
    return srv->batch.count > 0;
}

/* batch_add - a new item of c (zeroed but for op and c) */
static struct mupdate_batch_item *batch_add(struct mupdate_conn *c,
                                            enum batch_op op)
{
    struct mupdate_batch *b = &c->srv->batch;
    struct mupdate_batch_item *it;

    if (b->count == b->alloc) {
        b->alloc = b->alloc ? 2 * b->alloc : 64;
        b->items = xrealloc(b->items, b->alloc * sizeof(*b->items));
    }
    it = &b->items[b->count++];
    memset(it, 0, sizeof(*it));
    it->op = op;
    it->c = c;
    c->batched++;
    return it;
}

void mupdate_batch_line(struct mupdate_conn *c, const char *line)
{
    if (!c->batched) {
        prot_puts(c->prot, line);
        return;
    }
    batch_add(c, BATCH_LINE)->line = xstrdup(line);
}

void mupdate_batch_reply(struct mupdate_conn *c, const char *tag,
                         const char *word, const char *fmt, ...)
{
    struct buf line = BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    mupdate_format_reply(&line, tag, word, fmt, ap);
    va_end(ap);
    mupdate_batch_line(c, buf_cstring(&line));
    buf_free(&line);
}

/* batch_write - run one write in the batch's transaction (opened on the
 * first); 0 done, else the change is answered NO now (refused, or the
 * transaction failed: the batch fails as a whole) */
static int batch_write(struct mupdate_conn *c, const char *tag,
                       const char *name, const char *location,
                       const char *acl, int delete)
{
    struct mupdate_batch *b = &c->srv->batch;
    const char *err = NULL;
    int r = 0;

    if (!b->failed && !b->txn) {
        r = mupdate_db_begin(&err);
        b->txn = r == 0;
    }
    if (!b->failed && r == 0) {
        r = delete ? mupdate_db_delete(name, &err)
                   : mupdate_db_set(name, location, acl,
                                    mupdate_batch_find(c->srv, name) != NULL,
                                    &err);
    }
    if (r == MUPDATE_DB_FAILED) {
        if (b->txn)
            mupdate_db_abort();
        b->txn = 0;
        b->failed = err;
    }
    if (b->failed || r != 0) {
        log_notice("mupdate change refused mailbox=<%s> location=<%s> error=<%s>",
                   name, location ? location : "", b->failed ? b->failed : err);
        mupdate_batch_reply(c, tag, "NO", "%s", b->failed ? b->failed : err);
        return -1;
    }
    return 0;
}

void mupdate_batch_set(struct mupdate_conn *c, const char *tag,
                       const char *name, const char *location,
                       const char *acl, const char *ok_text)
{
    struct mupdate_batch *b = &c->srv->batch;
    struct mupdate_batch_item *it;

    if (batch_write(c, tag, name, location, acl, 0) < 0)
        return;
    if (!b->overlay)
        b->overlay = mupdate_list_new();
    mupdate_list_set(b->overlay, name,
                     acl ? MUPDATE_LIST_ACTIVE : MUPDATE_LIST_RESERVED,
                     location, acl);
    if (b->deleted)
        hash_del(b->deleted, name);
    it = batch_add(c, BATCH_SET);
    it->tag = xstrdup(tag);
    it->name = xstrdup(name);
    it->location = xstrdup(location);
    it->acl = xstrdupnull(acl);
    it->ok_text = ok_text;
}

void mupdate_batch_delete(struct mupdate_conn *c, const char *tag,
                          const char *name)
{
    struct mupdate_batch *b = &c->srv->batch;
    struct mupdate_batch_item *it;

    if (batch_write(c, tag, name, NULL, NULL, 1) < 0)
        return;
    if (b->overlay)
        mupdate_list_delete(b->overlay, name);
    if (!b->deleted)
        b->deleted = hash_new(64);
    hash_insert(b->deleted, name, b);
    it = batch_add(c, BATCH_DELETE);
    it->tag = xstrdup(tag);
    it->name = xstrdup(name);
}

/* apply_change - the list after a committed write, then the fan-out */
static void apply_change(struct mupdate_server *srv, const char *name,
                         const char *location, const char *acl)
{
    const struct mupdate_list_entry *old = mupdate_list_find(srv->list, name);
    const struct mupdate_list_entry *e = NULL;
    char *old_location = old ? xstrdup(old->location) : NULL;

    if (location)
        e = mupdate_list_set(srv->list, name,
                             acl ? MUPDATE_LIST_ACTIVE : MUPDATE_LIST_RESERVED,
                             location, acl);
    else
        mupdate_list_delete(srv->list, name);
    mupdate_update_notify(srv, name, e, old_location);
    free(old_location);
}

/* batch_finish - answer one item (the commit succeeded unless failed) */
static void batch_finish(struct mupdate_server *srv,
                         const struct mupdate_batch_item *it,
                         const char *failed)
{
    struct mupdate_conn *c = it->c;
    int live = !c->dead;

    if (it->op == BATCH_LINE) {
        if (live)
            prot_puts(c->prot, it->line);
        return;
    }
    if (failed) {
        log_notice("mupdate change refused mailbox=<%s> location=<%s> error=<%s>",
                   it->name, it->location ? it->location : "", failed);
        if (live)
            mupdate_reply(c, it->tag, "NO", "%s", failed);
        return;
    }
    apply_change(srv, it->name, it->location, it->acl);
    srv->batch.changes++;
    if (it->op == BATCH_DELETE) {
        log_info("mupdate delete mailbox=<%s>", it->name);
        if (live)
            mupdate_reply(c, it->tag, "OK", "Mailbox deleted");
    } else {
        log_info("mupdate %s mailbox=<%s> location=<%s>",
                 it->acl ? "activate" : "reserve", it->name, it->location);
        if (live)
            mupdate_reply(c, it->tag, "OK", "%s", it->ok_text);
    }
}

/* item_free - an item's strings */
static void item_free(struct mupdate_batch_item *it)
{
    free(it->tag);
    free(it->name);
    free(it->location);
    free(it->acl);
    free(it->line);
}

void mupdate_batch_commit(struct mupdate_server *srv)
{
    struct mupdate_batch *b = &srv->batch;
    struct mupdate_batch_item *items = b->items;
    struct mupdate_conn **waited;
    const char *err = NULL;
    size_t i, n = b->count, nwaited = 0;

    if (!n)
        return;
    if (b->txn) {
        b->txn = 0;
        if (mupdate_db_commit(&err) != 0)
            b->failed = err;
        else
            b->commits++;
    }
    /* a fresh batch for what the answered peers send next */
    b->items = NULL;
    b->count = b->alloc = 0;
    mupdate_list_free(&b->overlay);
    hash_free(&b->deleted, NULL);
    err = b->failed;
    b->failed = NULL;

    waited = xmalloc(n * sizeof(*waited));
    for (i = 0; i < n; i++) {
        struct mupdate_conn *c = items[i].c;

        log_ctx_clear();
        if (!c->dead) {
            log_ctx_set("peer", c->peer);
            log_ctx_set("session", c->session_id);
        }
        batch_finish(srv, &items[i], err);
        if (c->batched) {
            c->batched = 0;
            waited[nwaited++] = c;
        }
        item_free(&items[i]);
    }
    log_ctx_clear();
    free(items);
    /* answered: flush, and go on with what each peer sent meanwhile */
    for (i = 0; i < nwaited; i++) {
        if (!waited[i]->dead)
            mupdate_conn_resume(waited[i]);
    }
    free(waited);
}

void mupdate_batch_free(struct mupdate_server *srv)
{
    struct mupdate_batch *b = &srv->batch;

    if (b->txn)
        mupdate_db_abort();
    b->txn = 0;
    for (size_t i = 0; i < b->count; i++)
        item_free(&b->items[i]);
    free(b->items);
    b->items = NULL;
    b->count = b->alloc = 0;
    mupdate_list_free(&b->overlay);
    hash_free(&b->deleted, NULL);
}
