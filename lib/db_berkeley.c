/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db_berkeley.c - the Berkeley DB 5.3 backend ("berkeley",
 * "berkeley-nosync", "berkeley-hash"): btree or hash databases in one
 * transactional environment per process (DB_INIT_TXN | DB_INIT_LOCK |
 * DB_INIT_LOG | DB_INIT_MPOOL, shared between processes through its
 * region files), set up by db_init() and closed by db_done().
 *
 * Deadlocks are detected at lock time (DB_LOCK_DEFAULT) and reported as
 * DB_AGAIN; single autocommitted operations are retried up to
 * BDB_RETRIES times.  A run-time library whose version differs from the
 * headers we were built with is refused: opens then return handles that
 * fail every call (PF dict_db style) rather than risk the environment.
 * Errors are logged with DBERROR and the file name.
 */
#include "config.h"

#include <db.h>

/* lib/db.h reuses DB_NOTFOUND, which <db.h> defines: keep Berkeley DB's
 * value under another name and let ours win below. */
enum { BDB_NOTFOUND = DB_NOTFOUND };
#undef DB_NOTFOUND

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/db_backend.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* Autocommitted operations are retried this often after a deadlock. */
#define BDB_RETRIES 10
/* Shared cache size, and lock table size (a resync of a million entries in
 * one transaction holds a lock per page it touched). */
#define BDB_CACHE_BYTES (64 * 1024 * 1024)
#define BDB_MAX_LOCKS 500000
#define BDB_MAX_LOCKERS 4000

static DB_ENV *dbenv;
static char bdb_unusable[256]; /* why berkeley handles fail, or "" */
int db_test_bdb_version_skew;  /* lib/db.h: test only */

struct bdb_db {
    struct db base;
    DB *dbp;          /* NULL: a surrogate handle that fails every call */
    char *path;
    u_int32_t commitflags;
    int hash;
    void *kmem, *vmem; /* DB_DBT_REALLOC buffers for returned data */
    u_int32_t kmemlen, vmemlen;
};

struct bdb_txn {
    struct db_txn base;
    DB_TXN *tid;
};

/* bdb_errcall - route Berkeley DB's own messages to our log */
static void bdb_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
    log_error("DBERROR: berkeley db error=<%s>", msg);
}

/* map_err - a Berkeley DB return code as enum db_result */
static int map_err(int r, const char *what, const char *path)
{
    switch (r) {
    case 0: return DB_OK;
    case BDB_NOTFOUND: return DB_NOTFOUND;
    case DB_KEYEXIST: return DB_EXISTS;
    case DB_LOCK_DEADLOCK:
    case DB_LOCK_NOTGRANTED: return DB_AGAIN;
    default:
        log_error("DBERROR: %s failed file=<%s> error=<%s>", what,
                  path ? path : "", db_strerror(r));
        return DB_IOERROR;
    }
}

/* env_open_lock - an exclusive flock on <envdir>/env.lock, held while the
 * environment is opened; returns the fd (close it to release) or -1, in
 * which case the open goes ahead unserialized */
static int env_open_lock(const char *envdir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/env.lock", envdir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        log_error("IOERROR: open failed file=<%s> error=<%m>", path);
        return -1;
    }
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            log_error("IOERROR: flock failed file=<%s> error=<%m>", path);
            break;
        }
    }
    return fd;
}

/* bdb_init - version check, then open (and maybe recover) the environment */
static int bdb_init(const char *envdir, int flags)
{
    int maj, min, patch, r;
    u_int32_t oflags = DB_CREATE | DB_INIT_TXN | DB_INIT_LOCK |
                       DB_INIT_LOG | DB_INIT_MPOOL;

    (void)db_version(&maj, &min, &patch);
    if (maj != DB_VERSION_MAJOR || min != DB_VERSION_MINOR ||
        db_test_bdb_version_skew) {
        snprintf(bdb_unusable, sizeof(bdb_unusable),
                 "Berkeley DB library is %d.%d.%d but we were built with "
                 "%d.%d.%d", maj, min, patch, DB_VERSION_MAJOR,
                 DB_VERSION_MINOR, DB_VERSION_PATCH);
        log_error("DBERROR: version mismatch error=<%s>", bdb_unusable);
        return DB_INTERNAL;
    }
    if (!envdir) {
        snprintf(bdb_unusable, sizeof(bdb_unusable), "no environment");
        return DB_OK;
    }
    if (mkdir(envdir, 0700) < 0 && errno != EEXIST)
        log_error("IOERROR: mkdir failed file=<%s> error=<%m>", envdir);
    if ((r = db_env_create(&dbenv, 0)) != 0)
        goto fail;
    dbenv->set_errcall(dbenv, bdb_errcall);
    dbenv->set_lk_detect(dbenv, DB_LOCK_DEFAULT);
    dbenv->set_cachesize(dbenv, 0, BDB_CACHE_BYTES, 1);
    dbenv->set_lk_max_locks(dbenv, BDB_MAX_LOCKS);
    dbenv->set_lk_max_objects(dbenv, BDB_MAX_LOCKS);
    dbenv->set_lk_max_lockers(dbenv, BDB_MAX_LOCKERS);
    dbenv->set_lg_bsize(dbenv, 4 * 1024 * 1024);
    if (flags & DB_OPT_RECOVER)
        oflags |= DB_RECOVER;
    /* Two processes creating the region files at once can see each other's
     * half-made region (BDB0126 mmap: Invalid argument): take turns. */
    int lockfd = env_open_lock(envdir);
    r = dbenv->open(dbenv, envdir, oflags, 0600);
    if (lockfd >= 0)
        close(lockfd); /* releases the flock */
    if (r != 0) {
        dbenv->close(dbenv, 0);
        dbenv = NULL;
        goto fail;
    }
    bdb_unusable[0] = '\0';
    return DB_OK;

fail:
    snprintf(bdb_unusable, sizeof(bdb_unusable), "environment %s: %s",
             envdir, db_strerror(r));
    log_error("DBERROR: cannot open environment file=<%s> error=<%s>",
              envdir, db_strerror(r));
    return DB_IOERROR;
}

/* bdb_done - close the environment */
static void bdb_done(void)
{
    if (dbenv) {
        int r = dbenv->close(dbenv, 0);
        if (r)
            log_error("DBERROR: closing environment error=<%s>",
                      db_strerror(r));
    }
    dbenv = NULL;
}

/* usable - 0 when the handle works, else log why and DB_INTERNAL */
static int usable(const struct bdb_db *db)
{
    if (db->dbp)
        return 0;
    log_error("DBERROR: berkeley database unusable file=<%s> error=<%s>",
              db->path, bdb_unusable[0] ? bdb_unusable : "db_init not called");
    return DB_INTERNAL;
}

/* bdb_open - the vtable open */
static int bdb_open(const char *path, int flags, int variant,
                    struct db **db_r)
{
    struct bdb_db *db = xzmalloc(sizeof(*db));
    int r;

    db->path = xstrdup(path);
    db->hash = (variant & DB_VARIANT_HASH) != 0;
    db->commitflags = (variant & DB_VARIANT_NOSYNC) ? DB_TXN_NOSYNC : 0;
    *db_r = &db->base;
    if (!dbenv) {
        usable(db); /* a surrogate: every call fails, as documented */
        return DB_OK;
    }
    if (!(flags & DB_OPT_CREATE) && access(path, F_OK) < 0) {
        *db_r = NULL;
        free(db->path);
        free(db);
        return DB_NOTFOUND;
    }
    if ((r = db_create(&db->dbp, dbenv, 0)) == 0) {
        r = db->dbp->open(db->dbp, NULL, path, NULL,
                          db->hash ? DB_HASH : DB_BTREE,
                          DB_AUTO_COMMIT |
                              ((flags & DB_OPT_CREATE) ? DB_CREATE : 0),
                          0600);
        if (r) {
            db->dbp->close(db->dbp, 0);
            db->dbp = NULL;
        }
    }
    if (r) {
        map_err(r, "open", path);
        *db_r = NULL;
        free(db->path);
        free(db);
        return DB_IOERROR;
    }
    return DB_OK;
}

/* bdb_close - the vtable close */
static int bdb_close(struct db *d)
{
    struct bdb_db *db = (struct bdb_db *)d;
    int r = 0;

    if (db->dbp)
        r = db->dbp->close(db->dbp, 0);
    free(db->kmem);
    free(db->vmem);
    free(db->path);
    free(db);
    return r ? map_err(r, "close", NULL) : DB_OK;
}

/* get_tid - the DB_TXN for tid, beginning one when *tid is NULL */
static int get_tid(struct bdb_db *db, struct db_txn **tid, DB_TXN **t_r)
{
    struct bdb_txn *t;
    int r;

    *t_r = NULL;
    if (!tid)
        return DB_OK;
    if (*tid) {
        *t_r = ((struct bdb_txn *)*tid)->tid;
        return DB_OK;
    }
    t = xzmalloc(sizeof(*t));
    r = dbenv->txn_begin(dbenv, NULL, &t->tid, 0);
    if (r) {
        free(t);
        return map_err(r, "txn_begin", db->path);
    }
    t->base.db = &db->base;
    *tid = &t->base;
    *t_r = t->tid;
    return DB_OK;
}

/* get_read_tid - like get_tid, but a call without a transaction reads
 * outside any (each page lock is held only for the call).  Berkeley DB
 * readers do wait for a writer's page locks; measured with MVCC
 * (DB_MULTIVERSION + DB_TXN_SNAPSHOT) a million-record transaction took
 * 90 s instead of 9 s, so MVCC is off: the native backend is the one for
 * databases whose readers must never wait. *snap_r is always NULL. */
static int get_read_tid(struct bdb_db *db, struct db_txn **tid, DB_TXN **t_r,
                        DB_TXN **snap_r)
{
    *snap_r = NULL;
    *t_r = NULL;
    return tid ? get_tid(db, tid, t_r) : DB_OK;
}

/* end_snap - finish a read snapshot (nothing to make durable) */
static void end_snap(DB_TXN *snap)
{
    if (snap)
        snap->commit(snap, DB_TXN_NOSYNC);
}

/* dbt_out - a DBT that reuses a handle-owned realloc'd buffer */
static void dbt_out(DBT *dbt, void **mem, u_int32_t *len)
{
    memset(dbt, 0, sizeof(*dbt));
    dbt->flags = DB_DBT_REALLOC;
    dbt->data = *mem;
    dbt->size = *len;
}

/* dbt_in - a DBT over caller bytes */
static void dbt_in(DBT *dbt, const char *p, size_t n)
{
    memset(dbt, 0, sizeof(*dbt));
    dbt->data = (void *)p;
    dbt->size = (u_int32_t)n;
}

/* sleep_retry - a short, growing pause before retrying after deadlock */
static void sleep_retry(int attempt)
{
    struct timespec ts = { 0, (long)(attempt + 1) * 1000000L };
    nanosleep(&ts, NULL);
}

/* bdb_fetch - the vtable fetch (lock: read-modify-write lock) */
static int bdb_fetch(struct db *d, const char *key, size_t keylen,
                     const char **data_r, size_t *datalen_r,
                     struct db_txn **tid, int lock)
{
    struct bdb_db *db = (struct bdb_db *)d;
    DB_TXN *t, *snap;
    DBT k, v;
    int r;

    if ((r = usable(db)) || (r = get_read_tid(db, tid, &t, &snap)))
        return r;
    dbt_in(&k, key, keylen);
    for (int attempt = 0;; attempt++) {
        dbt_out(&v, &db->vmem, &db->vmemlen);
        r = db->dbp->get(db->dbp, t, &k, &v, lock && t ? DB_RMW : 0);
        db->vmem = v.data;
        if (r != DB_LOCK_DEADLOCK || tid || attempt >= BDB_RETRIES)
            break;
        sleep_retry(attempt); /* chosen as a deadlock victim: retry */
    }
    end_snap(snap);
    if (r == 0) {
        *data_r = v.data ? v.data : "";
        *datalen_r = v.size;
    }
    return map_err(r, "get", db->path);
}

/* seek - one cursor step: the first record >= from (strict: > from),
 * copied into the handle's buffers; the cursor is closed again so that
 * no page lock is held while the caller's callback runs */
static int seek(struct bdb_db *db, DB_TXN *t, const char *from,
                size_t fromlen, int strict, DBT *k, DBT *v)
{
    DBC *c;
    int r, r2;

    if ((r = db->dbp->cursor(db->dbp, t, &c, 0)) != 0)
        return r;
    dbt_out(k, &db->kmem, &db->kmemlen);
    dbt_out(v, &db->vmem, &db->vmemlen);
    if (fromlen == 0) {
        r = c->get(c, k, v, DB_FIRST);
    } else {
        db->kmem = xrealloc(db->kmem, fromlen);
        memmove(db->kmem, from, fromlen);
        k->data = db->kmem;
        k->size = (u_int32_t)fromlen;
        r = c->get(c, k, v, DB_SET_RANGE);
        if (r == 0 && strict && k->size == fromlen &&
            !memcmp(k->data, from, fromlen))
            r = c->get(c, k, v, DB_NEXT);
    }
    db->kmem = k->data;
    db->vmem = v->data;
    r2 = c->close(c);
    return r ? r : r2;
}

/* bdb_fetchnext - the vtable fetchnext (btree only) */
static int bdb_fetchnext(struct db *d, const char *key, size_t keylen,
                         const char **foundkey_r, size_t *foundkeylen_r,
                         const char **data_r, size_t *datalen_r,
                         struct db_txn **tid)
{
    struct bdb_db *db = (struct bdb_db *)d;
    struct buf from = BUF_INIT;
    DB_TXN *t, *snap;
    DBT k, v;
    int r;

    if ((r = usable(db)))
        return r;
    if (db->hash)
        return DB_INTERNAL;
    if ((r = get_read_tid(db, tid, &t, &snap)))
        return r;
    buf_setmap(&from, key, keylen);
    r = seek(db, t, from.s, from.len, keylen > 0, &k, &v);
    buf_free(&from);
    end_snap(snap);
    if (r == 0) {
        *foundkey_r = k.data;
        *foundkeylen_r = k.size;
        *data_r = v.data ? v.data : "";
        *datalen_r = v.size;
    }
    return map_err(r, "cursor get", db->path);
}

/* foreach_btree - walk [prefix...) one re-seek per record */
static int foreach_btree(struct bdb_db *db, DB_TXN *t,
                         const char *prefix, size_t prefixlen,
                         db_goodp_fn *goodp, db_foreach_fn *cb, void *rock)
{
    struct buf last = BUF_INIT;
    int r, strict = 0;
    DBT k, v;

    buf_setmap(&last, prefix, prefixlen);
    for (;;) {
        r = seek(db, t, last.s, last.len, strict, &k, &v);
        if (r)
            break;
        if (!db_has_prefix(k.data, k.size, prefix, prefixlen))
            break;
        buf_setmap(&last, k.data, k.size);
        strict = 1;
        if (goodp && !goodp(rock, k.data, k.size, v.data ? v.data : "",
                            v.size))
            continue;
        if (cb(rock, k.data, k.size, v.data ? v.data : "", v.size)) {
            r = -1;
            break;
        }
    }
    buf_free(&last);
    if (r == -1)
        return DB_DONE;
    return r == BDB_NOTFOUND ? DB_OK : map_err(r, "cursor get", db->path);
}

/* bufcmp - qsort order of struct buf keys */
static int bufcmp(const void *a, const void *b)
{
    const struct buf *x = a, *y = b;
    return db_keycmp(x->s, x->len, y->s, y->len);
}

/* foreach_hash - hash order is meaningless: collect, sort, then visit */
static int foreach_hash(struct bdb_db *db, DB_TXN *t,
                        const char *prefix, size_t prefixlen,
                        db_goodp_fn *goodp, db_foreach_fn *cb, void *rock)
{
    struct buf *keys = NULL;
    size_t n = 0, alloc = 0;
    DBC *c;
    DBT k, v;
    int r;

    if ((r = db->dbp->cursor(db->dbp, t, &c, 0)) != 0)
        return map_err(r, "cursor", db->path);
    dbt_out(&k, &db->kmem, &db->kmemlen);
    dbt_out(&v, &db->vmem, &db->vmemlen);
    while ((r = c->get(c, &k, &v, DB_NEXT)) == 0) {
        if (!db_has_prefix(k.data, k.size, prefix, prefixlen))
            continue;
        if (n == alloc) {
            alloc = alloc ? 2 * alloc : 64;
            keys = xreallocarray(keys, alloc, sizeof(*keys));
        }
        memset(&keys[n], 0, sizeof(keys[n]));
        buf_setmap(&keys[n++], k.data, k.size);
    }
    db->kmem = k.data;
    db->vmem = v.data;
    c->close(c);
    r = r == BDB_NOTFOUND ? DB_OK : map_err(r, "cursor get", db->path);
    if (n)
        qsort(keys, n, sizeof(*keys), bufcmp);
    for (size_t i = 0; i < n && r == DB_OK; i++) {
        const char *key = buf_cstring(&keys[i]), *val;
        size_t vlen;

        dbt_in(&k, key, keys[i].len);
        dbt_out(&v, &db->vmem, &db->vmemlen);
        r = db->dbp->get(db->dbp, t, &k, &v, 0);
        db->vmem = v.data;
        val = v.data ? v.data : "";
        vlen = v.size;
        r = map_err(r, "get", db->path);
        if (r == DB_NOTFOUND) {
            r = DB_OK; /* deleted meanwhile */
            continue;
        }
        if (r == DB_OK && (!goodp || goodp(rock, key, keys[i].len, val,
                                           vlen)) &&
            cb(rock, key, keys[i].len, val, vlen))
            r = DB_DONE;
    }
    for (size_t i = 0; i < n; i++)
        buf_free(&keys[i]);
    free(keys);
    return r;
}

/* bdb_foreach - the vtable foreach */
static int bdb_foreach(struct db *d, const char *prefix, size_t prefixlen,
                       db_goodp_fn *goodp, db_foreach_fn *cb, void *rock,
                       struct db_txn **tid)
{
    struct bdb_db *db = (struct bdb_db *)d;
    DB_TXN *t, *snap;
    int r;

    if ((r = usable(db)) || (r = get_read_tid(db, tid, &t, &snap)))
        return r;
    if (db->hash)
        r = foreach_hash(db, t, prefix, prefixlen, goodp, cb, rock);
    else
        r = foreach_btree(db, t, prefix, prefixlen, goodp, cb, rock);
    end_snap(snap);
    return r;
}

/* store_op - one put or del inside t */
static int store_op(struct bdb_db *db, DB_TXN *t, const char *key,
                    size_t keylen, const char *data, size_t datalen,
                    int noover)
{
    DBT k, v;

    dbt_in(&k, key, keylen);
    if (!data)
        return db->dbp->del(db->dbp, t, &k, 0);
    dbt_in(&v, data, datalen);
    return db->dbp->put(db->dbp, t, &k, &v, noover ? DB_NOOVERWRITE : 0);
}

/* bdb_store - the vtable store/insert/delete */
static int bdb_store(struct db *d, const char *key, size_t keylen,
                     const char *data, size_t datalen, struct db_txn **tid,
                     int noover)
{
    struct bdb_db *db = (struct bdb_db *)d;
    DB_TXN *t;
    int r, attempt = 0;

    if ((r = usable(db)) || (r = get_tid(db, tid, &t)))
        return r;
    if (tid)
        return map_err(store_op(db, t, key, keylen, data, datalen, noover),
                       "put", db->path);
    for (;;) {
        if ((r = dbenv->txn_begin(dbenv, NULL, &t, 0)) != 0)
            break;
        r = store_op(db, t, key, keylen, data, datalen, noover);
        if (r == 0)
            r = t->commit(t, db->commitflags);
        else
            t->abort(t);
        if (r != DB_LOCK_DEADLOCK || attempt >= BDB_RETRIES)
            break;
        sleep_retry(attempt++);
    }
    return map_err(r, "put", db->path);
}

/* bdb_commit - the vtable commit */
static int bdb_commit(struct db *d, struct db_txn *tid)
{
    struct bdb_db *db = (struct bdb_db *)d;
    struct bdb_txn *t = (struct bdb_txn *)tid;
    int r = t->tid->commit(t->tid, db->commitflags);

    free(t);
    return map_err(r, "commit", db->path);
}

/* bdb_abort - the vtable abort */
static int bdb_abort(struct db *d, struct db_txn *tid)
{
    struct bdb_db *db = (struct bdb_db *)d;
    struct bdb_txn *t = (struct bdb_txn *)tid;
    int r = t->tid->abort(t->tid);

    free(t);
    return map_err(r, "abort", db->path);
}

/* bdb_checkpoint - checkpoint and remove log files no longer needed */
static int bdb_checkpoint(void)
{
    int r;

    if (!dbenv)
        return DB_OK;
    r = dbenv->txn_checkpoint(dbenv, 0, 0, 0);
    if (r == 0)
        r = dbenv->log_archive(dbenv, NULL, DB_ARCH_REMOVE);
    return map_err(r, "checkpoint", NULL);
}

/* bdb_detect - btree or hash metadata magic at offset 12 */
static int bdb_detect(const char *path)
{
    unsigned char b[16];
    FILE *f = fopen(path, "rb");
    uint32_t le, be;
    size_t n;

    if (!f)
        return 0;
    n = fread(b, 1, sizeof(b), f);
    fclose(f);
    if (n < sizeof(b))
        return 0;
    le = (uint32_t)b[12] | (uint32_t)b[13] << 8 | (uint32_t)b[14] << 16 |
         (uint32_t)b[15] << 24;
    be = (uint32_t)b[15] | (uint32_t)b[14] << 8 | (uint32_t)b[13] << 16 |
         (uint32_t)b[12] << 24;
    return le == DB_BTREEMAGIC || le == DB_HASHMAGIC ||
           be == DB_BTREEMAGIC || be == DB_HASHMAGIC;
}

const struct db_backend db_backend_berkeley = {
    .name = "berkeley",
    .init = bdb_init,
    .done = bdb_done,
    .open = bdb_open,
    .close = bdb_close,
    .fetch = bdb_fetch,
    .fetchnext = bdb_fetchnext,
    .foreach = bdb_foreach,
    .store = bdb_store,
    .commit = bdb_commit,
    .abort = bdb_abort,
    .checkpoint = bdb_checkpoint,
    .detect = bdb_detect,
};
