/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * subs.c - per-user subscription lists (format in imap/subs.h).
 *
 * Called by imapd for SUBSCRIBE/UNSUBSCRIBE/LSUB and RENAME, and by user
 * rename/delete tools.  Each call opens the user's file and closes it
 * again, so there is no state between calls.  Errors are enum
 * subs_result; database failures are logged here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/dbconf.h"
#include "imap/mboxname.h"
#include "imap/subs.h"
#include "lib/buf.h"
#include "lib/db.h"
#include "lib/log.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

#define SUBS_SUFFIX ".sub"

const char *subs_errstr(int r)
{
    switch (r) {
    case SUBS_OK: return "ok";
    case SUBS_NOTFOUND: return "Not subscribed";
    case SUBS_AGAIN: return "Subscriptions busy, try again";
    case SUBS_IOERROR: return "Subscriptions I/O error";
    case SUBS_BADUSER: return "Invalid user for subscriptions";
    case SUBS_BADNAME: return "Invalid mailbox name";
    case SUBS_EXISTS: return "Subscriptions already exist";
    default: return "Subscriptions internal error";
    }
}

/* dberr - map and log a db_result */
static int dberr(int r, const char *what, const char *path)
{
    switch (r) {
    case DB_OK:
    case DB_DONE: return SUBS_OK;
    case DB_NOTFOUND: return SUBS_NOTFOUND;
    case DB_AGAIN: return SUBS_AGAIN;
    case DB_EXISTS: return SUBS_EXISTS;
    default:
        log_error("DBERROR: subscriptions failed op=<%s> file=<%s> "
                  "error=<%s>", what, path, db_errstr(r));
        return SUBS_IOERROR;
    }
}

/* subs_db - open userid's file (create it when create is set) */
static int subs_db(const char *userid, int create, struct db **db_r,
                   struct buf *path)
{
    int r;

    *db_r = NULL;
    if (dbconf_user_path(userid, SUBS_SUFFIX, path) < 0)
        return SUBS_BADUSER;
    if (create && dbconf_mkparents(buf_cstring(path)) < 0)
        log_error("IOERROR: cannot create directory for file=<%s> "
                  "error=<%m>", path->s);
    r = db_open(dbconf_backend(IMAPOPT_SUBSCRIPTION_DB), buf_cstring(path),
                create ? DB_OPT_CREATE : 0, db_r);
    if (r != DB_OK)
        *db_r = NULL;
    return dberr(r, "open", path->s);
}

int subs_add(const char *userid, const char *name)
{
    struct buf path = BUF_INIT;
    struct db *db;
    int r;

    if (mboxname_policycheck(name, NULL) < 0)
        return SUBS_BADNAME;
    r = subs_db(userid, 1, &db, &path);
    if (r == SUBS_OK) {
        r = dberr(db_store(db, name, strlen(name), "", 0, NULL), "add",
                  path.s);
        db_close(&db);
    }
    buf_free(&path);
    return r;
}

int subs_remove(const char *userid, const char *name)
{
    struct buf path = BUF_INIT;
    struct db *db;
    int r = subs_db(userid, 0, &db, &path);

    if (r == SUBS_OK) {
        r = dberr(db_delete(db, name, strlen(name), NULL), "remove", path.s);
        db_close(&db);
    }
    buf_free(&path);
    return r;
}

int subs_is_subscribed(const char *userid, const char *name)
{
    struct buf path = BUF_INIT;
    struct db *db;
    const char *d;
    size_t dl;
    int r = subs_db(userid, 0, &db, &path);

    if (r == SUBS_OK) {
        r = dberr(db_fetch(db, name, strlen(name), &d, &dl, NULL), "fetch",
                  path.s);
        db_close(&db);
    }
    buf_free(&path);
    return r == SUBS_OK ? 1 : r == SUBS_NOTFOUND ? 0 : r;
}

/* list_cb - collect one name */
static int list_cb(void *rock, const char *key, size_t keylen,
                   const char *data, size_t datalen)
{
    strarray_appendm(rock, xstrndup(key, keylen));
    return 0;
}

int subs_list(const char *userid, struct strarray *out)
{
    struct buf path = BUF_INIT;
    struct db *db;
    int r = subs_db(userid, 0, &db, &path);

    if (r == SUBS_OK) {
        r = dberr(db_foreach(db, "", 0, NULL, list_cb, out, NULL), "list",
                  path.s);
        db_close(&db);
    } else if (r == SUBS_NOTFOUND) {
        r = SUBS_OK;
    }
    buf_free(&path);
    return r;
}

/* rename_in - move the collected names inside one transaction; a
 * db_result, with *badname set when a new name fails policy */
static int rename_in(struct db *db, const struct strarray *names,
                     const char *oldname, const char *newname, int *badname)
{
    struct db_txn *tid = NULL;
    struct buf nn = BUF_INIT;
    int r = DB_OK;

    for (size_t i = 0; i < names->count && r == DB_OK; i++) {
        const char *old = names->data[i];
        buf_setcstr(&nn, newname);
        buf_appendcstr(&nn, old + strlen(oldname));
        if (mboxname_policycheck(buf_cstring(&nn), NULL) < 0) {
            if (tid)
                db_abort(db, tid);
            buf_free(&nn);
            *badname = 1;
            return DB_OK;
        }
        r = db_delete(db, old, strlen(old), &tid);
        if (r == DB_OK)
            r = db_store(db, nn.s, nn.len, "", 0, &tid);
    }
    buf_free(&nn);
    if (!tid)
        return r;
    if (r != DB_OK) {
        db_abort(db, tid);
        return r;
    }
    return db_commit(db, tid);
}

int subs_rename_mailbox(const char *userid, const char *oldname,
                        const char *newname, unsigned long *count_r)
{
    struct strarray names = STRARRAY_INIT;
    struct buf path = BUF_INIT, prefix = BUF_INIT;
    const char *d;
    size_t dl;
    struct db *db;
    int r, badname = 0;

    if (count_r)
        *count_r = 0;
    if (mboxname_policycheck(newname, NULL) < 0)
        return SUBS_BADNAME;
    r = subs_db(userid, 0, &db, &path);
    if (r == SUBS_NOTFOUND) {
        buf_free(&path);
        return SUBS_OK;
    }
    if (r == SUBS_OK) {
        if (db_fetch(db, oldname, strlen(oldname), &d, &dl, NULL) == DB_OK)
            strarray_append(&names, oldname);
        buf_printf(&prefix, "%s.", oldname);
        r = db_foreach(db, prefix.s, prefix.len, NULL, list_cb, &names, NULL);
        if (r == DB_OK)
            r = rename_in(db, &names, oldname, newname, &badname);
        r = badname ? SUBS_BADNAME : dberr(r, "rename", path.s);
        db_close(&db);
    }
    if (r == SUBS_OK && count_r)
        *count_r = names.count;
    strarray_fini(&names);
    buf_free(&prefix);
    buf_free(&path);
    return r;
}

int subs_delete_user(const char *userid)
{
    struct buf path = BUF_INIT;
    int r;

    if (dbconf_user_path(userid, SUBS_SUFFIX, &path) < 0)
        return SUBS_BADUSER;
    r = dberr(dbconf_remove(buf_cstring(&path)), "remove", path.s);
    buf_free(&path);
    return r;
}

int subs_rename_user(const char *olduser, const char *newuser)
{
    struct buf from = BUF_INIT, to = BUF_INIT;
    int r;

    if (dbconf_user_path(olduser, SUBS_SUFFIX, &from) < 0 ||
        dbconf_user_path(newuser, SUBS_SUFFIX, &to) < 0) {
        r = SUBS_BADUSER;
    } else {
        r = dbconf_move(dbconf_backend(IMAPOPT_SUBSCRIPTION_DB),
                        buf_cstring(&from), buf_cstring(&to));
        r = r == DB_NOTFOUND ? SUBS_OK : dberr(r, "rename", from.s);
    }
    buf_free(&from);
    buf_free(&to);
    return r;
}
