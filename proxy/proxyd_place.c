/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_place - which backend a new mailbox name belongs on, decided
 * from the frontend's copy of the list (seeds: "CREATE creates the
 * mailbox on the same backend server as the parent mailbox"):
 *  - the nearest existing ancestor's server;
 *  - for a level that is not itself a mailbox, the server of the names
 *    below it, when they are all on one server (several: no answer, the
 *    client must name one);
 *  - for a top-level name, the least-used server of `serverlist`.
 * Pure reads of mailboxes.db; used by CREATE and RENAME (proxyd_mboxops.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "lib/cfg.h"
#include "lib/hash.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"
#include "proxy/proxyd.h"

/* The servers met below one level (two are enough to refuse). */
struct below_rock {
    struct strarray servers;
};

/* below_cb - note the server of an active entry */
static int below_cb(void *rock, const struct mboxlist_entry *e)
{
    struct below_rock *br = rock;

    if ((e->type & (MBTYPE_RESERVE | MBTYPE_DELETED)) || !e->server)
        return 0;
    if (strarray_find(&br->servers, e->server, 0) < 0)
        strarray_append(&br->servers, e->server);
    return br->servers.count > 1;
}

/* level_server - the server of mailbox level (or of what lies below
 * it): 1 found, 0 nothing there, -1 several servers */
static int level_server(const char *level, struct buf *out)
{
    struct mboxlist_entry *e = NULL;
    struct below_rock br = { STRARRAY_INIT };
    struct buf prefix = BUF_INIT;
    int r = 0;

    if (mboxlist_lookup(level, &e) == MBOXLIST_OK &&
        !(e->type & (MBTYPE_RESERVE | MBTYPE_DELETED)) && e->server) {
        buf_setcstr(out, e->server);
        mboxlist_entry_free(&e);
        return 1;
    }
    mboxlist_entry_free(&e);
    buf_printf(&prefix, "%s.", level);
    mboxlist_foreach(buf_cstring(&prefix), below_cb, &br);
    if (br.servers.count == 1) {
        buf_setcstr(out, br.servers.data[0]);
        r = 1;
    } else if (br.servers.count > 1) {
        r = -1;
    }
    strarray_fini(&br.servers);
    buf_free(&prefix);
    return r;
}

int proxyd_place(const char *name, struct buf *out)
{
    char *cur = mboxname_parent(name);
    int r = 0;

    while (cur && r == 0) {
        char *up;

        r = level_server(cur, out);
        up = mboxname_parent(cur);
        free(cur);
        cur = up;
    }
    free(cur);
    return r;
}

/* count_cb - mailboxes per server, for the least-used choice */
static int count_cb(void *rock, const struct mboxlist_entry *e)
{
    struct hash_table *counts = rock;
    uintptr_t n;

    if (!e->server)
        return 0;
    n = (uintptr_t)hash_lookup(counts, e->server);
    hash_insert(counts, e->server, (void *)(n + 1));
    return 0;
}

int proxyd_place_toplevel(struct buf *out)
{
    const struct strarray *list = cfg_get_list(IMAPOPT_SERVERLIST);
    struct hash_table *counts;
    uintptr_t best = UINTPTR_MAX;

    if (!list || !list->count)
        return 0;
    counts = hash_new(16);
    mboxlist_foreach("", count_cb, counts);
    for (size_t i = 0; i < list->count; i++) {
        uintptr_t n = (uintptr_t)hash_lookup(counts, list->data[i]);

        if (n < best) {
            best = n;
            buf_setcstr(out, list->data[i]);
        }
    }
    hash_free(&counts, NULL);
    return 1;
}
