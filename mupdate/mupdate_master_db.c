/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_master_db.c - the master's list on disk: <configdirectory>/
 * mailboxes.db through imap/mboxlist.h.  Entries are remote entries
 * (MBTYPE_REMOTE, server and partition from "server!partition"),
 * reservations add MBTYPE_RESERVE.
 *
 * Called by the command handlers before they change the list in memory:
 * a write returns only once mboxlist committed it (durable), so nothing
 * is acknowledged that a crash could lose.  Errors of the database are
 * logged by mboxlist; here they become a phrase for the NO reply.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/mailsvc.h"
#include "imap/mboxlist.h"
#include "lib/buf.h"
#include "lib/db.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "mupdate/mupdate_master.h"

/* load_one - add one stored entry to the in-memory list */
static int load_one(void *rock, const struct mboxlist_entry *e)
{
    struct mupdate_list *list = rock;
    struct buf loc = BUF_INIT;

    if (e->type & MBTYPE_DELETED)
        return 0;
    mboxlist_entry_location(e, &loc);
    mupdate_list_set(list, e->name,
                     (e->type & MBTYPE_RESERVE) ? MUPDATE_LIST_RESERVED
                                                : MUPDATE_LIST_ACTIVE,
                     buf_cstring(&loc),
                     (e->type & MBTYPE_RESERVE) ? "" : e->acl);
    buf_free(&loc);
    return 0;
}

int mupdate_db_open(struct mupdate_list *list)
{
    int r;

    if ((r = mailsvc_open_mboxlist()) != 0)
        return r;
    if ((r = mboxlist_foreach("", load_one, list)) < 0) {
        log_error("DBERROR: cannot read the mailbox list error=<%s>",
                  mboxlist_errstr(r));
        return EX_IOERR;
    }
    log_info("mupdate master list loaded entries=<%zu>",
             mupdate_list_count(list));
    return 0;
}

void mupdate_db_close(void)
{
    mboxlist_close();
    db_done();
}

/* db_error - the phrase for a NO after a failed write */
static const char *db_error(int r)
{
    switch (r) {
    case MBOXLIST_BADNAME:
        return "invalid mailbox name";
    case MBOXLIST_BADENTRY:
        return "invalid location or ACL";
    case MBOXLIST_AGAIN:
    case MBOXLIST_IOERROR:
    default:
        return "[TEMP] mailbox list database unavailable, try again";
    }
}

int mupdate_db_set(const char *name, const char *location, const char *acl,
                   int exists, const char **error_r)
{
    struct mboxlist_entry e;
    const char *bang = strchr(location, '!');
    char *server;
    int r;

    if (!bang || bang == location || !bang[1]) {
        *error_r = "location must be server!partition";
        return -1;
    }
    memset(&e, 0, sizeof(e));
    server = xstrndup(location, (size_t)(bang - location));
    e.name = (char *)name;
    e.type = MBTYPE_REMOTE | (acl ? 0 : MBTYPE_RESERVE);
    e.server = server;
    e.partition = (char *)bang + 1;
    e.acl = (char *)(acl ? acl : "");
    r = exists ? mboxlist_update(&e) : mboxlist_create(&e);
    /* the disk disagreeing with memory would be a bug; follow the disk */
    if (r == MBOXLIST_NOTFOUND && exists)
        r = mboxlist_create(&e);
    else if (r == MBOXLIST_EXISTS && !exists)
        r = mboxlist_update(&e);
    free(server);
    if (r != MBOXLIST_OK) {
        *error_r = db_error(r);
        return -1;
    }
    return 0;
}

int mupdate_db_delete(const char *name, const char **error_r)
{
    int r = mboxlist_delete(name);

    if (r != MBOXLIST_OK && r != MBOXLIST_NOTFOUND) {
        *error_r = db_error(r);
        return -1;
    }
    return 0;
}
