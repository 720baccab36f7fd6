/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_slave_sync.c - the slave's copy of the master's list: every
 * MAILBOX / RESERVE / DELETE of the UPDATE stream goes into the local
 * mailboxes.db (imap/mboxlist.h) as a MBTYPE_REMOTE entry.  The initial
 * list is written in transactions of SLAVE_LIST_BATCH entries (the
 * native DB backend keeps readers going meanwhile), and at its end the
 * remote entries the master did not send are removed.  Live updates are
 * committed as soon as the socket has nothing more buffered.  A local
 * NOOP waiter is answered once its PONG came AND everything before it is
 * committed.  A failed DB write drops the stream (a resync repairs it).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/mboxlist.h"
#include "lib/buf.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"
#include "mupdate/mupdate_slave_internal.h"

/* The partition recorded when a location names none. */
#define SLAVE_NO_PARTITION "default"

/* txn_begin - open the transaction writes go into, if none is */
static int txn_begin(struct mupdate_slave *s)
{
    int r;

    if (s->in_txn)
        return 0;
    r = mboxlist_begin();
    if (r != MBOXLIST_OK) {
        log_error("DBERROR: mupdate slave cannot begin error=<%s>",
                  mboxlist_errstr(r));
        s->db_failed = 1;
        return -1;
    }
    s->in_txn = 1;
    s->txn_ops = 0;
    return 0;
}

/* txn_commit - commit the open transaction, if any */
static int txn_commit(struct mupdate_slave *s)
{
    int r;

    if (!s->in_txn)
        return 0;
    s->in_txn = 0;
    r = mboxlist_commit();
    if (r != MBOXLIST_OK) {
        log_error("DBERROR: mupdate slave commit failed error=<%s>",
                  mboxlist_errstr(r));
        s->db_failed = 1;
        return -1;
    }
    return 0;
}

/* same_entry - is the stored entry already what the master says? */
static int same_entry(const struct mboxlist_entry *a,
                      const struct mboxlist_entry *b)
{
    return a->type == b->type && !strcmp(a->partition, b->partition) &&
           a->server && b->server && !strcmp(a->server, b->server) &&
           !strcmp(a->acl ? a->acl : "", b->acl ? b->acl : "");
}

/* store_entry - write a MAILBOX or RESERVE entry (unchanged: no write) */
static int store_entry(const struct mupdate_entry *me)
{
    struct mboxlist_entry e, *old = NULL;
    struct buf server = BUF_INIT;
    const char *bang = strchr(me->location, '!');
    int r;

    memset(&e, 0, sizeof(e));
    e.name = (char *)me->name;
    e.type = MBTYPE_REMOTE;
    if (me->kind == MUPDATE_RESERVED)
        e.type |= MBTYPE_RESERVE;
    buf_setmap(&server, me->location,
               bang ? (size_t)(bang - me->location) : strlen(me->location));
    e.server = (char *)buf_cstring(&server);
    e.partition = (char *)(bang && bang[1] ? bang + 1 : SLAVE_NO_PARTITION);
    e.acl = (char *)(me->acl ? me->acl : "");
    r = mboxlist_lookup(me->name, &old);
    if (r == MBOXLIST_OK && same_entry(old, &e))
        r = MBOXLIST_OK;
    else if (r == MBOXLIST_OK)
        r = mboxlist_update(&e);
    else if (r == MBOXLIST_NOTFOUND)
        r = mboxlist_create(&e);
    mboxlist_entry_free(&old);
    buf_free(&server);
    return r;
}

/* entry_cb - one entry of the stream */
static int entry_cb(void *rock, const struct mupdate_entry *me)
{
    struct mupdate_slave *s = rock;
    int r;

    if (txn_begin(s) < 0)
        return -1;
    if (!s->listed && s->seen)
        hash_insert(s->seen, me->name, (void *)1);
    if (me->kind == MUPDATE_DELETED) {
        r = mboxlist_delete(me->name);
        if (r == MBOXLIST_NOTFOUND)
            r = MBOXLIST_OK;
    } else {
        r = store_entry(me);
    }
    if (r == MBOXLIST_BADNAME || r == MBOXLIST_BADENTRY) {
        /* the master's business: we cannot store it, others can go on */
        log_warning("mupdate slave skipped entry mailbox=<%s> error=<%s>",
                    me->name, mboxlist_errstr(r));
        r = MBOXLIST_OK;
    }
    if (r != MBOXLIST_OK) {
        log_error("DBERROR: mupdate slave write failed mailbox=<%s> "
                  "error=<%s>", me->name, mboxlist_errstr(r));
        mboxlist_abort();
        s->in_txn = 0;
        s->db_failed = 1;
        return -1;
    }
    s->applied++;
    if (++s->txn_ops >= SLAVE_LIST_BATCH && txn_commit(s) < 0)
        return -1;
    return 0;
}

struct stale_rock {
    const struct hash_table *seen;
    struct strarray *stale;
};

/* stale_cb - collect remote entries the master's list did not have */
static int stale_cb(void *rock, const struct mboxlist_entry *e)
{
    struct stale_rock *sr = rock;

    if ((e->type & MBTYPE_REMOTE) && !hash_lookup(sr->seen, e->name))
        strarray_append(sr->stale, e->name);
    return 0;
}

/* remove_stale - after the initial list: drop what the master lacks */
static int remove_stale(struct mupdate_slave *s)
{
    struct strarray stale = { 0 };
    struct stale_rock sr = { s->seen, &stale };
    size_t i;
    int r;

    r = mboxlist_foreach("", stale_cb, &sr);
    for (i = 0; r == MBOXLIST_OK && i < stale.count; i++) {
        if (txn_begin(s) < 0)
            break;
        r = mboxlist_delete(strarray_nth(&stale, i));
        if (r == MBOXLIST_NOTFOUND)
            r = MBOXLIST_OK;
        if (++s->txn_ops >= SLAVE_LIST_BATCH && txn_commit(s) < 0)
            break;
    }
    if (r != MBOXLIST_OK) {
        log_error("DBERROR: mupdate slave cleanup failed error=<%s>",
                  mboxlist_errstr(r));
        s->db_failed = 1;
    }
    if (stale.count)
        log_info("mupdate slave removed stale entries count=<%zu>",
                 stale.count);
    strarray_fini(&stale);
    return s->db_failed ? -1 : 0;
}

/* event_cb - end of the initial list, or a PONG */
static int event_cb(void *rock, enum mupdate_event ev)
{
    struct mupdate_slave *s = rock;

    if (ev == MUPDATE_EV_PONG) {
        s->pongs++;
        return 0;
    }
    if (remove_stale(s) < 0 || txn_commit(s) < 0)
        return -1;
    hash_free(&s->seen, NULL);
    s->listed = 1;
    log_info("mupdate slave synchronised server=<%s> entries=<%llu>",
             mupdate_client_server(s->up), (unsigned long long)s->applied);
    return 0;
}

void slave_sync_start(struct mupdate_slave *s)
{
    s->listed = 0;
    s->pings = s->pongs = 0;
    s->applied = 0;
    s->db_failed = 0;
    hash_free(&s->seen, NULL);
    s->seen = hash_new(1024);
}

/* answer_waiters - OK to every waiter whose PONG came (all committed) */
static void answer_waiters(struct mupdate_slave *s, int ok)
{
    size_t i, kept = 0;

    for (i = 0; i < s->nwaiters; i++) {
        struct slave_waiter *w = &s->waiters[i];
        if (!ok || w->seq <= s->pongs) {
            slave_peer_answer(w->peer, w->tag, ok,
                              ok ? "NOOP Complete"
                                 : "MUPDATE master unavailable");
            free(w->tag);
        } else {
            s->waiters[kept++] = *w;
        }
    }
    s->nwaiters = kept;
}

int slave_sync_read(struct mupdate_slave *s)
{
    int r = mupdate_update_read(s->up, entry_cb, event_cb, s);

    if (r == MUPDATE_OK && !s->db_failed && txn_commit(s) == 0) {
        answer_waiters(s, 1);
        return 0;
    }
    if (r == MUPDATE_UNAVAILABLE)
        log_warning("mupdate slave lost the master server=<%s> error=<%s>",
                    mupdate_client_server(s->up),
                    mupdate_client_error(s->up));
    return -1;
}

void slave_sync_lost(struct mupdate_slave *s)
{
    if (s->in_txn) {
        /* what the stream gave is still the master's word: keep it */
        txn_commit(s);
    }
    hash_free(&s->seen, NULL);
    s->listed = 0;
    answer_waiters(s, 0);
}
