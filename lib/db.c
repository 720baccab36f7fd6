/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db.c - the key-value DB interface: backend names, argument checks, and
 * dispatch through each backend's vtable (lib/db_backend.h).
 *
 * Called by every module that keeps a database (mailboxes list, seen
 * state, ...) and by ctl_cyrusdb / cvt_cyrusdb.  One process-wide state:
 * whether db_init ran.  Errors are enum db_result; details are logged by
 * the backends with the DBERROR / IOERROR prefixes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/db_backend.h"
#include "lib/log.h"
#include "lib/str.h"

void (*db_fault_hook)(const char *point);

/* The names imapd.conf may give, and what they mean. */
static const struct {
    const char *name;
    const struct db_backend *be;
    int variant;
} db_names[] = {
    { "berkeley", &db_backend_berkeley, 0 },
    { "berkeley-nosync", &db_backend_berkeley, DB_VARIANT_NOSYNC },
    { "berkeley-hash", &db_backend_berkeley, DB_VARIANT_HASH },
    { "berkeley-hash-nosync", &db_backend_berkeley,
      DB_VARIANT_HASH | DB_VARIANT_NOSYNC },
    { "twoskip", &db_backend_native, 0 },
    { "skiplist", &db_backend_native, 0 },
    { "flat", &db_backend_native, 0 },
    { "native", &db_backend_native, 0 },
};
#define DB_NNAMES (sizeof(db_names) / sizeof(db_names[0]))

static const struct db_backend *const db_all[] = {
    &db_backend_native, &db_backend_berkeley,
};

static int db_initialised;

const char *db_errstr(int r)
{
    switch (r) {
    case DB_OK: return "ok";
    case DB_DONE: return "done";
    case DB_IOERROR: return "I/O error";
    case DB_AGAIN: return "deadlock or lock timeout, try again";
    case DB_EXISTS: return "record exists";
    case DB_INTERNAL: return "internal database error";
    case DB_NOTFOUND: return "record not found";
    case DB_LOCKED: return "database handle is busy with another transaction";
    default: return "unknown database error";
    }
}

/* lookup - find a backend by (case-insensitive) name, or -1 */
static int lookup(const char *name)
{
    for (size_t i = 0; name && i < DB_NNAMES; i++)
        if (!str_casecmp(db_names[i].name, name))
            return (int)i;
    return -1;
}

int db_backend_known(const char *name)
{
    return lookup(name) >= 0;
}

int db_init(const char *envdir, int flags)
{
    int r = DB_OK;

    if (db_initialised)
        return DB_OK;
    db_initialised = 1;
    for (size_t i = 0; i < sizeof(db_all) / sizeof(db_all[0]); i++) {
        if (db_all[i]->init) {
            int r2 = db_all[i]->init(envdir, flags);
            if (r2 && !r)
                r = r2;
        }
    }
    return r;
}

void db_done(void)
{
    if (!db_initialised)
        return;
    for (size_t i = 0; i < sizeof(db_all) / sizeof(db_all[0]); i++)
        if (db_all[i]->done)
            db_all[i]->done();
    db_initialised = 0;
}

int db_open(const char *backend, const char *path, int flags,
            struct db **db_r)
{
    int i = lookup(backend);
    int r;

    *db_r = NULL;
    if (i < 0) {
        log_error("DBERROR: unknown database backend backend=<%s> file=<%s>",
                  backend ? backend : "(null)", path);
        return DB_INTERNAL;
    }
    r = db_names[i].be->open(path, flags, db_names[i].variant, db_r);
    if (r == DB_OK) {
        (*db_r)->be = db_names[i].be;
        (*db_r)->variant = db_names[i].variant;
    }
    return r;
}

int db_close(struct db **dbp)
{
    int r;

    if (!*dbp)
        return DB_OK;
    r = (*dbp)->be->close(*dbp);
    *dbp = NULL;
    return r;
}

/* check_txn - reject a transaction begun on another handle */
static int check_txn(struct db *db, struct db_txn **tid)
{
    if (tid && *tid && (*tid)->db != db) {
        log_error("DBERROR: transaction used on the wrong handle");
        return DB_INTERNAL;
    }
    return DB_OK;
}

int db_fetch(struct db *db, const char *key, size_t keylen,
             const char **data_r, size_t *datalen_r, struct db_txn **tid)
{
    int r = check_txn(db, tid);
    return r ? r : db->be->fetch(db, key, keylen, data_r, datalen_r, tid, 0);
}

int db_fetchlock(struct db *db, const char *key, size_t keylen,
                 const char **data_r, size_t *datalen_r, struct db_txn **tid)
{
    int r = check_txn(db, tid);
    if (r)
        return r;
    if (!tid)
        return DB_INTERNAL;
    return db->be->fetch(db, key, keylen, data_r, datalen_r, tid, 1);
}

int db_fetchnext(struct db *db, const char *key, size_t keylen,
                 const char **foundkey_r, size_t *foundkeylen_r,
                 const char **data_r, size_t *datalen_r, struct db_txn **tid)
{
    int r = check_txn(db, tid);
    return r ? r : db->be->fetchnext(db, key, keylen, foundkey_r,
                                     foundkeylen_r, data_r, datalen_r, tid);
}

int db_foreach(struct db *db, const char *prefix, size_t prefixlen,
               db_goodp_fn *goodp, db_foreach_fn *cb, void *rock,
               struct db_txn **tid)
{
    int r = check_txn(db, tid);
    return r ? r : db->be->foreach(db, prefix, prefixlen, goodp, cb, rock,
                                   tid);
}

int db_store(struct db *db, const char *key, size_t keylen,
             const char *data, size_t datalen, struct db_txn **tid)
{
    int r = check_txn(db, tid);
    if (r)
        return r;
    if (!data)
        data = ""; /* NULL means delete to the backends */
    return db->be->store(db, key, keylen, data, datalen, tid, 0);
}

int db_insert(struct db *db, const char *key, size_t keylen,
              const char *data, size_t datalen, struct db_txn **tid)
{
    int r = check_txn(db, tid);
    if (r)
        return r;
    if (!data)
        data = "";
    return db->be->store(db, key, keylen, data, datalen, tid, 1);
}

int db_delete(struct db *db, const char *key, size_t keylen,
              struct db_txn **tid)
{
    int r = check_txn(db, tid);
    return r ? r : db->be->store(db, key, keylen, NULL, 0, tid, 0);
}

int db_commit(struct db *db, struct db_txn *tid)
{
    int r = check_txn(db, &tid);
    return r ? r : db->be->commit(db, tid);
}

int db_abort(struct db *db, struct db_txn *tid)
{
    int r = check_txn(db, &tid);
    return r ? r : db->be->abort(db, tid);
}

int db_checkpoint(void)
{
    int r = DB_OK;
    for (size_t i = 0; i < sizeof(db_all) / sizeof(db_all[0]); i++) {
        if (db_all[i]->checkpoint) {
            int r2 = db_all[i]->checkpoint();
            if (r2 && !r)
                r = r2;
        }
    }
    return r;
}

int db_check(const char *backend, const char *path, int repair)
{
    int i = lookup(backend);
    if (i < 0)
        return DB_INTERNAL;
    if (!db_names[i].be->check)
        return DB_OK;
    return db_names[i].be->check(path, repair);
}

int db_compact(const char *backend, const char *path)
{
    int i = lookup(backend);
    if (i < 0)
        return DB_INTERNAL;
    if (!db_names[i].be->compact)
        return DB_OK;
    return db_names[i].be->compact(path);
}

const char *db_detect(const char *path)
{
    for (size_t i = 0; i < sizeof(db_all) / sizeof(db_all[0]); i++)
        if (db_all[i]->detect && db_all[i]->detect(path) == 1)
            return db_all[i]->name;
    return NULL;
}
