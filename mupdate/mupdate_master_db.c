/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_master_db.c - the master's list on disk: <configdirectory>/
 * mailboxes.db through imap/mboxlist.h.  Entries are remote entries
 * (MBTYPE_REMOTE, server and partition from "server!partition"),
 * reservations add MBTYPE_RESERVE.
 *
 * Called by the group commit (mupdate_master_batch.c): the changes of one
 * loop iteration are written inside one transaction (mupdate_db_begin ..
 * mupdate_db_commit), and nothing is applied in memory or acknowledged
 * before the commit returned (durable), so nothing is acknowledged that
 * a crash could lose.  Errors of the database are logged by mboxlist;
 * here they become a phrase for the NO reply.
 *
 * Fault injection (tests): when the environment variable
 * MUPDATE_FAULT_COMMIT_FILE names a file that exists, every commit fails
 * as an I/O error would.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* db_result - a write's result as MUPDATE_DB_* with *error_r */
static int db_result(int r, const char **error_r)
{
    if (r == MBOXLIST_OK)
        return 0;
    *error_r = db_error(r);
    return r == MBOXLIST_BADNAME || r == MBOXLIST_BADENTRY
               ? MUPDATE_DB_REFUSED : MUPDATE_DB_FAILED;
}

int mupdate_db_begin(const char **error_r)
{
    return db_result(mboxlist_begin(), error_r) ? MUPDATE_DB_FAILED : 0;
}

int mupdate_db_commit(const char **error_r)
{
    const char *fault = getenv("MUPDATE_FAULT_COMMIT_FILE");

    if (fault && *fault && access(fault, F_OK) == 0) {
        log_notice("mupdate commit fails: fault injection file=<%s>", fault);
        mboxlist_abort();
        *error_r = db_error(MBOXLIST_IOERROR);
        return MUPDATE_DB_FAILED;
    }
    return db_result(mboxlist_commit(), error_r) ? MUPDATE_DB_FAILED : 0;
}

void mupdate_db_abort(void)
{
    mboxlist_abort();
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
        return MUPDATE_DB_REFUSED;
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
    return db_result(r, error_r);
}

int mupdate_db_delete(const char *name, const char **error_r)
{
    int r = mboxlist_delete(name);

    return db_result(r == MBOXLIST_NOTFOUND ? MBOXLIST_OK : r, error_r);
}
