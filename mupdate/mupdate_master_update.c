/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_master_update.c - UPDATE subscribers of the master: the
 * initial list, streamed with a cursor, and the live stream of changes.
 *
 * The initial list is never built in memory per subscriber: each time
 * the subscriber's socket drained, the next slice (MUPDATE_STREAM_SLICE
 * bytes) is produced from the list, starting after the last name sent
 * (c->cursor).  A change committed meanwhile is either behind the cursor
 * (the subscriber already got that name: the change is queued in
 * c->behind and sent right after the tagged OK) or ahead of it (the
 * cursor will list the new state; a deleted name is simply never
 * listed).  So the subscriber ends with exactly the master's list and
 * then sees every later change, in commit order.
 *
 * A LIST is answered the same way (c->list_tag, filtered by location
 * prefix), without becoming a subscriber: each name shows the state it
 * had when its slice was produced, so a big LIST never stalls the loop
 * nor builds its answer in memory.
 *
 * Once listed, a subscriber gets each change written to its stream at
 * commit time, before the writer's OK; there is no batching timer.  A
 * subscriber whose unsent output exceeds MUPDATE_PENDING_MAX is dropped
 * (logged) rather than letting memory grow without bound.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"
#include "mupdate/mupdate_master.h"

/* wants_location - does c's PARTIAL-UPDATE host list (or LIST prefix)
 * take location? */
static int wants_location(const struct mupdate_conn *c, const char *location)
{
    size_t i;

    if (c->list_tag)
        return !c->list_prefix ||
               (location && str_has_prefix(location, c->list_prefix));
    if (!c->update_hosts)
        return 1;
    if (!location)
        return 0;
    for (i = 0; i < c->update_hosts->count; i++) {
        if (mupdate_location_server_is(location,
                                       strarray_nth(c->update_hosts, i)))
            return 1;
    }
    return 0;
}

void mupdate_master_update_start(struct mupdate_conn *c, const char *tag,
                          struct strarray *hosts)
{
    struct mupdate_server *srv = c->srv;

    c->update_tag = xstrdup(tag);
    c->update_hosts = hosts;
    c->listing = 1;
    c->sub_next = srv->subs;
    c->sub_prev = NULL;
    if (srv->subs)
        srv->subs->sub_prev = c;
    srv->subs = c;
    log_info("mupdate update started hosts=<%zu> entries=<%zu>",
             hosts ? hosts->count : 0, mupdate_list_count(srv->list));
    mupdate_update_pump(c);
}

void mupdate_master_list_start(struct mupdate_conn *c, const char *tag,
                               const char *prefix)
{
    c->list_tag = xstrdup(tag);
    c->list_prefix = xstrdupnull(prefix);
    c->listing = 1;
    mupdate_update_pump(c);
}

void mupdate_update_forget(struct mupdate_conn *c)
{
    struct mupdate_server *srv = c->srv;

    if (!c->update_tag)
        return;
    if (c->sub_prev)
        c->sub_prev->sub_next = c->sub_next;
    else if (srv->subs == c)
        srv->subs = c->sub_next;
    if (c->sub_next)
        c->sub_next->sub_prev = c->sub_prev;
    c->sub_next = c->sub_prev = NULL;
    c->listing = 0;
}

/* update_list_done - the tagged OK, then the changes behind the cursor */
static void update_list_done(struct mupdate_conn *c)
{
    free(c->cursor);
    c->cursor = NULL;
    c->listing = 0;
    if (c->list_tag) {
        mupdate_reply(c, c->list_tag, "OK", "List complete");
        free(c->list_tag);
        free(c->list_prefix);
        c->list_tag = c->list_prefix = NULL;
        return;
    }
    mupdate_reply(c, c->update_tag, "OK", "streaming starts");
    if (c->behind.len)
        prot_write(c->prot, c->behind.s, c->behind.len);
    buf_free(&c->behind);
}

void mupdate_update_pump(struct mupdate_conn *c)
{
    struct mupdate_list *list = c->srv->list;
    struct buf out = BUF_INIT;
    size_t i = mupdate_list_upper_bound(list, c->cursor);
    size_t n = mupdate_list_count(list);
    const struct mupdate_list_entry *last = NULL;
    const char *tag = c->list_tag ? c->list_tag : c->update_tag;

    if (!c->listing || c->dead)
        return;
    for (; i < n && out.len < MUPDATE_STREAM_SLICE; i++) {
        const struct mupdate_list_entry *e = mupdate_list_at(list, i);

        last = e;
        if (!wants_location(c, e->location))
            continue;
        buf_appendcstr(&out, tag);
        buf_putc(&out, ' ');
        mupdate_put_entry(&out, e);
        buf_appendcstr(&out, "\r\n");
    }
    if (out.len)
        prot_write(c->prot, out.s, out.len);
    buf_free(&out);
    if (last) {
        free(c->cursor);
        c->cursor = xstrdup(last->name);
    }
    if (i >= n)
        update_list_done(c);
    (void)mupdate_conn_flush(c);
}

/* update_drop - a subscriber that cannot keep up */
static void update_drop(struct mupdate_conn *c, size_t pending)
{
    log_warning("mupdate subscriber dropped: output backlog peer=<%s> "
                "pending=<%zu> max=<%u>", c->peer, pending, MUPDATE_PENDING_MAX);
    mupdate_conn_close(c, "output backlog");
}

void mupdate_update_notify(struct mupdate_server *srv, const char *name,
                           const struct mupdate_list_entry *e,
                           const char *old_location)
{
    struct buf body = BUF_INIT, line = BUF_INIT;
    struct mupdate_conn *c, *next;

    if (e) {
        mupdate_put_entry(&body, e);
    } else {
        buf_appendcstr(&body, "DELETE ");
        mupdate_put_string(&body, name);
    }
    buf_appendcstr(&body, "\r\n");
    for (c = srv->subs; c; c = next) {
        size_t pending;

        next = c->sub_next;
        if (!wants_location(c, e ? e->location : NULL) &&
            !wants_location(c, old_location))
            continue;
        if (c->listing && (!c->cursor || strcmp(name, c->cursor) > 0))
            continue;   /* ahead of the cursor: it will list the new state */
        buf_reset(&line);
        buf_appendcstr(&line, c->update_tag);
        buf_putc(&line, ' ');
        buf_append(&line, &body);
        if (c->listing)
            buf_append(&c->behind, &line);
        else
            prot_write(c->prot, line.s, line.len);
        pending = prot_pending_output(c->prot) + c->behind.len;
        if (pending > MUPDATE_PENDING_MAX) {
            update_drop(c, pending);
            continue;
        }
        if (!c->listing)
            (void)mupdate_conn_flush(c);
    }
    buf_free(&body);
    buf_free(&line);
}
