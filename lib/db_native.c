/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db_native.c - the native key-value backend ("twoskip", "skiplist",
 * "flat", "native" in imapd.conf; the on-disk format is this product's
 * own, not Cyrus's).  Built for mailboxes.db on a frontend: one writer
 * (the mupdate slave) and many reading proxyd processes.
 *
 * Design.  A file is an immutable sorted BASE (records plus an offset
 * index, binary-searched through a read-only mmap: O(log n), nothing read
 * at open but the header) followed by an append-only LOG of frames, one
 * per committed transaction, each with a CRC over its header and payload.
 * Readers take no lock at all: before each call they stat() the path and
 * fstat() their descriptor, and replay any new complete, CRC-valid frames
 * into an in-memory skiplist (the overlay) that shadows the base.  A
 * writer takes an exclusive fcntl lock on the file (lib/lock.c), keeps the
 * transaction's writes in memory, and at commit appends one frame and
 * fdatasync()s it: the frame's CRC is the commit record, so a crash leaves
 * either the whole frame or a torn tail that readers ignore and the next
 * writer truncates.  When the log outgrows NATIVE_LOG_MIN and 1/16 of the
 * base (or a transaction is that large, e.g. a full resync of a million
 * entries), the writer instead writes base+log+transaction merged into
 * "<file>.NEW", fsyncs it and rename()s it over the file (the commit
 * point), then fsyncs the directory.  Readers keep using the old inode
 * until their next call notices the rename, so they never wait for a
 * writer; writers queued on the old file's lock notice it too (lock_open).
 * What a reader then lets go of (the old mapping and overlay) is
 * released a bounded step per call, and the writer keeps the old file
 * linked until no reader holds it, then deletes it itself
 * (lib/db_native_release.c), so no reader call pays for the size of the
 * file.  Replaying a frame costs the reader
 * time proportional to that transaction: writers that may be large
 * (the mupdate slave's resync) commit in bounded batches.
 *
 * Handles are per process and single-threaded.  Errors: enum db_result,
 * logged with DBERROR/IOERROR.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/db_native.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* The log is folded into the base once it is larger than both of these. */
#define NATIVE_LOG_MIN (1024 * 1024)
#define NATIVE_LOG_RATIO 16
/* How long a writer waits for another writer's lock (DB_AGAIN after). */
#define NATIVE_LOCK_TIMEOUT_MS 60000

/* unload - retire the mapping, descriptor and overlay: the caller
 * releases them with native_release_step/_all (db_native_release.c) */
static void unload(struct native_db *db)
{
    native_retire(db);
}

/* load - open and map the file now at db->path, replay its log */
static int load(struct native_db *db)
{
    unsigned char hdr[NATIVE_HDR_SIZE];
    struct native_hdr h;
    struct stat st;
    ssize_t n;

    unload(db);
    db->overlay = memtab_new(db->pool);
    /* O_NOATIME: with relatime, reading a file the writer keeps
     * modifying would update its atime, a journal write that waits for
     * the writer's fsync.  Only the owner (or root) may ask for it. */
    db->fd = open(db->path, O_RDONLY | O_CLOEXEC | O_NOATIME);
    if (db->fd < 0 && errno == EPERM)
        db->fd = open(db->path, O_RDONLY | O_CLOEXEC);
    if (db->fd < 0)
        return errno == ENOENT ? DB_NOTFOUND : DB_IOERROR;
    native_hold(db->fd);
    if (fstat(db->fd, &st) < 0 ||
        (n = pread(db->fd, hdr, sizeof(hdr), 0)) != (ssize_t)sizeof(hdr) ||
        native_hdr_decode(hdr, &h) < 0 || h.log_off > (uint64_t)st.st_size) {
        log_error("DBERROR: not a valid database file=<%s>", db->path);
        unload(db);
        return DB_IOERROR;
    }
    db->dev = st.st_dev;
    db->ino = st.st_ino;
    db->maplen = h.log_off;
    db->map = mmap(NULL, db->maplen, PROT_READ, MAP_SHARED, db->fd, 0);
    if (db->map == MAP_FAILED) {
        db->map = NULL;
        log_error("IOERROR: mmap failed file=<%s> error=<%m>", db->path);
        unload(db);
        return DB_IOERROR;
    }
    db->count = h.count;
    db->index_off = h.index_off;
    db->log_off = h.log_off;
    db->generation = h.generation;
    db->base_crc = h.base_crc;
    db->scanned = h.log_off;
    return native_scan_log(db, db->fd, 0);
}

/* refresh - bring a reader's view up to the last commit (no locks) */
static int refresh(struct native_db *db)
{
    struct stat st;

    if (db->retired)
        native_release_step(db); /* nothing points into retired views */
    if (db->txn || db->foreach_depth)
        return db->map ? DB_OK : DB_IOERROR; /* the view is pinned */
    if (!db->map)
        return load(db);
    if (stat(db->path, &st) == 0 &&
        (st.st_ino != db->ino || st.st_dev != db->dev))
        return load(db); /* compacted: a new file was renamed in */
    if (fstat(db->fd, &st) < 0)
        return DB_IOERROR;
    if ((uint64_t)st.st_size < db->scanned)
        return load(db);
    if ((uint64_t)st.st_size > db->scanned)
        return native_scan_log(db, db->fd, 0);
    return DB_OK;
}

/* nat_open - the vtable open */
static int nat_open(const char *path, int flags, int variant,
                    struct db **db_r)
{
    struct native_db *db = xzmalloc(sizeof(*db));
    int r;

    db->path = xstrdup(path);
    db->fd = -1;
    db->pool = memtab_pool_new();
    r = load(db);
    if (r == DB_NOTFOUND && (flags & DB_OPT_CREATE)) {
        r = native_create_empty(path);
        if (r == DB_OK)
            r = load(db);
    }
    if (r != DB_OK) {
        unload(db);
        native_release_all(db);
        memtab_pool_free(&db->pool);
        free(db->path);
        free(db);
        return r;
    }
    *db_r = &db->base;
    return DB_OK;
}

/* end_txn - release the writer lock and free the transaction */
static void end_txn(struct native_db *db, struct native_txn *t)
{
    close(t->lockfd); /* drops the lock */
    memtab_free(&t->changes);
    if (db->txn == t)
        db->txn = NULL;
    free(t);
}

/* begin - take the writer lock and bring the view fully up to date */
static int begin(struct native_db *db, struct native_txn **t_r)
{
    const char *err;
    struct stat st;
    int fd, r;

    if (db->retired && !db->foreach_depth)
        native_release_step(db);
    if (!db->swept_at)
        db->sweep_due = 1; /* a writer: look for leftovers once */
    native_sweep_old(db, 0);
    r = lock_open(db->path, O_RDWR, 0, LOCK_TYPE_EXCLUSIVE,
                  NATIVE_LOCK_TIMEOUT_MS, &fd, &st, &err);
    if (r == 0) {
        log_warning("DBERROR: timed out waiting for write lock file=<%s>",
                    db->path);
        return DB_AGAIN;
    }
    if (r < 0) {
        log_error("IOERROR: cannot lock file=<%s> error=<%s>", db->path, err);
        return DB_IOERROR;
    }
    if (!db->map || st.st_ino != db->ino || st.st_dev != db->dev) {
        if (db->foreach_depth) {
            /* the iterating caller still points into the old mapping */
            close(fd);
            return DB_AGAIN;
        }
        r = load(db);
    }
    if (r >= 0 && db->map)
        r = native_scan_log(db, fd, 1);
    if (r != DB_OK) {
        close(fd);
        return r < 0 ? r : DB_IOERROR;
    }
    *t_r = xzmalloc(sizeof(**t_r));
    (*t_r)->base.db = &db->base;
    (*t_r)->lockfd = fd;
    (*t_r)->changes = memtab_new(db->pool);
    db->txn = *t_r;
    return DB_OK;
}

/* get_txn - the transaction for tid, beginning one when *tid is NULL;
 * with tid NULL: refresh the reader view and return no transaction */
static int get_txn(struct native_db *db, struct db_txn **tid,
                   struct native_txn **t_r)
{
    int r;

    *t_r = NULL;
    if (!tid)
        return refresh(db);
    if (*tid) {
        if (&db->txn->base != *tid)
            return DB_INTERNAL;
        *t_r = db->txn;
        return DB_OK;
    }
    if (db->txn)
        return DB_LOCKED;
    r = begin(db, t_r);
    if (r == DB_OK)
        *tid = &(*t_r)->base;
    return r;
}

/* lookup - key in the merged view; DB_OK/DB_NOTFOUND/DB_IOERROR */
static int lookup(struct native_db *db, struct memtab *changes,
                  const char *key, size_t klen,
                  const char **data_r, size_t *datalen_r)
{
    struct memtab_node *n = changes ? memtab_find(changes, key, klen) : NULL;
    const char *k, *v;
    size_t kl, vl;
    int corrupt = 0;
    uint64_t i;

    if (!n)
        n = memtab_find(db->overlay, key, klen);
    if (n) {
        if (n->deleted)
            return DB_NOTFOUND;
        *data_r = n->val;
        *datalen_r = n->vlen;
        return DB_OK;
    }
    i = native_base_seek(db, key, klen, 0, &corrupt);
    if (corrupt)
        return DB_IOERROR;
    if (native_base_rec(db, i, &k, &kl, &v, &vl) < 0 ||
        db_keycmp(k, kl, key, klen) != 0)
        return DB_NOTFOUND;
    *data_r = v;
    *datalen_r = vl;
    return DB_OK;
}

void native_iter_seek(struct native_iter *it, struct native_db *db,
                      struct memtab *changes, const char *key, size_t klen,
                      int strict)
{
    int corrupt = 0;

    memset(it, 0, sizeof(*it));
    it->db = db;
    it->bi = native_base_seek(db, key, klen, strict, &corrupt);
    if (corrupt)
        it->bi = UINT64_MAX; /* native_iter_next reports it */
    it->on = memtab_seek(db->overlay, key, klen, strict);
    it->tn = changes ? memtab_seek(changes, key, klen, strict) : NULL;
}

int native_iter_next(struct native_iter *it)
{
    for (;;) {
        const char *bk = NULL, *bv = NULL, *k;
        size_t bkl = 0, bvl = 0, kl;
        struct memtab_node *win = NULL;

        if (it->bi == UINT64_MAX)
            return -1;
        if (it->bi < it->db->count &&
            native_base_rec(it->db, it->bi, &bk, &bkl, &bv, &bvl) < 0)
            return -1;
        /* the smallest key of the three layers */
        k = bk;
        kl = bkl;
        if (it->on && (!k || db_keycmp(memtab_key(it->on), it->on->klen,
                                       k, kl) < 0)) {
            k = memtab_key(it->on);
            kl = it->on->klen;
        }
        if (it->tn && (!k || db_keycmp(memtab_key(it->tn), it->tn->klen,
                                       k, kl) < 0)) {
            k = memtab_key(it->tn);
            kl = it->tn->klen;
        }
        if (!k)
            return 0;
        /* newest layer wins; every layer holding k moves past it */
        if (bk && db_keycmp(bk, bkl, k, kl) == 0)
            it->bi++;
        else
            bk = NULL;
        if (it->on && db_keycmp(memtab_key(it->on), it->on->klen, k,
                                kl) == 0) {
            win = it->on;
            it->on = it->on->next[0];
        }
        if (it->tn && db_keycmp(memtab_key(it->tn), it->tn->klen, k,
                                kl) == 0) {
            win = it->tn;
            it->tn = it->tn->next[0];
        }
        if (win && win->deleted)
            continue;
        it->key = k;
        it->klen = kl;
        it->val = win ? win->val : bv;
        it->vlen = win ? win->vlen : bvl;
        return 1;
    }
}

/* nat_fetch - the vtable fetch (fetchlock is the same: a transaction
 * here already holds the file's only write lock) */
static int nat_fetch(struct db *d, const char *key, size_t keylen,
                     const char **data_r, size_t *datalen_r,
                     struct db_txn **tid, int lock)
{
    struct native_db *db = (struct native_db *)d;
    struct native_txn *t;
    int r = get_txn(db, tid, &t);

    if (r)
        return r;
    return lookup(db, t ? t->changes : NULL, key, keylen, data_r, datalen_r);
}

/* nat_fetchnext - the vtable fetchnext */
static int nat_fetchnext(struct db *d, const char *key, size_t keylen,
                         const char **foundkey_r, size_t *foundkeylen_r,
                         const char **data_r, size_t *datalen_r,
                         struct db_txn **tid)
{
    struct native_db *db = (struct native_db *)d;
    struct native_iter it;
    struct native_txn *t;
    int r = get_txn(db, tid, &t);

    if (r)
        return r;
    native_iter_seek(&it, db, t ? t->changes : NULL, key, keylen,
                     keylen > 0);
    r = native_iter_next(&it);
    if (r <= 0)
        return r < 0 ? DB_IOERROR : DB_NOTFOUND;
    *foundkey_r = it.key;
    *foundkeylen_r = it.klen;
    *data_r = it.val;
    *datalen_r = it.vlen;
    return DB_OK;
}

/* nat_foreach - the vtable foreach; the view is pinned meanwhile */
static int nat_foreach(struct db *d, const char *prefix, size_t prefixlen,
                       db_goodp_fn *goodp, db_foreach_fn *cb, void *rock,
                       struct db_txn **tid)
{
    struct native_db *db = (struct native_db *)d;
    struct native_iter it;
    struct native_txn *t;
    int r = get_txn(db, tid, &t);

    if (r)
        return r;
    db->foreach_depth++;
    if (t)
        t->pinned++;
    native_iter_seek(&it, db, t ? t->changes : NULL, prefix, prefixlen, 0);
    while ((r = native_iter_next(&it)) == 1) {
        if (!db_has_prefix(it.key, it.klen, prefix, prefixlen)) {
            r = 0;
            break;
        }
        if (goodp && !goodp(rock, it.key, it.klen, it.val, it.vlen))
            continue;
        if (cb(rock, it.key, it.klen, it.val, it.vlen)) {
            r = 2;
            break;
        }
    }
    if (t)
        t->pinned--;
    db->foreach_depth--;
    return r < 0 ? DB_IOERROR : r == 2 ? DB_DONE : DB_OK;
}

static int nat_commit(struct db *d, struct db_txn *tid);
static int nat_abort(struct db *d, struct db_txn *tid);

/* nat_store - the vtable store/insert/delete */
static int nat_store(struct db *d, const char *key, size_t keylen,
                     const char *data, size_t datalen, struct db_txn **tid,
                     int noover)
{
    struct native_db *db = (struct native_db *)d;
    struct db_txn *local = NULL, **tp = tid ? tid : &local;
    struct native_txn *t;
    const char *v;
    size_t vl;
    int r = get_txn(db, tp, &t);

    if (r)
        return r;
    if (noover || !data) {
        r = lookup(db, t->changes, key, keylen, &v, &vl);
        if (r == DB_OK && noover)
            r = DB_EXISTS;
        else if (r == DB_NOTFOUND && !noover)
            r = DB_NOTFOUND;
        else if (r == DB_OK || r == DB_NOTFOUND)
            r = DB_OK;
    }
    if (r == DB_OK)
        memtab_put(t->changes, key, keylen, data, datalen, data == NULL);
    if (!tid)
        return r == DB_OK ? nat_commit(d, local) : (nat_abort(d, local), r);
    return r;
}

static int nat_commit(struct db *d, struct db_txn *tid)
{
    struct native_db *db = (struct native_db *)d;
    struct native_txn *t = (struct native_txn *)tid;
    uint64_t loglen, est;
    int r = DB_OK;

    if (t->pinned) {
        log_error("DBERROR: commit inside its own foreach file=<%s>",
                  db->path);
        return DB_INTERNAL;
    }
    est = memtab_bytes(t->changes) +
          memtab_count(t->changes) * NATIVE_REC_HDR + NATIVE_FRAME_HDR;
    loglen = db->scanned - db->log_off + est;
    if (memtab_count(t->changes) == 0) {
        /* nothing to write */
    } else if (!db->foreach_depth && loglen > NATIVE_LOG_MIN &&
               loglen > db->log_off / NATIVE_LOG_RATIO) {
        r = native_write_compacted(db, t->changes);
        if (r == DB_OK) {
            r = load(db);
            /* the writer, not a reader, frees the old file */
            native_release_all(db);
            native_sweep_old(db, 1);
        }
    } else {
        r = native_append_frame(db, t->lockfd, t->changes);
        if (r == DB_OK) {
            for (struct memtab_node *n = memtab_first(t->changes); n;
                 n = n->next[0])
                memtab_put(db->overlay, memtab_key(n), n->klen, n->val,
                           n->vlen, n->deleted);
        }
    }
    end_txn(db, t);
    return r;
}

static int nat_abort(struct db *d, struct db_txn *tid)
{
    struct native_db *db = (struct native_db *)d;
    struct native_txn *t = (struct native_txn *)tid;

    if (t->pinned) {
        log_error("DBERROR: abort inside its own foreach file=<%s>",
                  db->path);
        return DB_INTERNAL;
    }
    end_txn(db, t);
    return DB_OK;
}

/* nat_close - the vtable close; an open transaction is aborted */
static int nat_close(struct db *d)
{
    struct native_db *db = (struct native_db *)d;

    if (db->txn) {
        log_warning("DBERROR: closing with an open transaction file=<%s>",
                    db->path);
        end_txn(db, db->txn);
    }
    unload(db);
    native_release_all(db);
    native_sweep_old(db, 1);
    memtab_pool_free(&db->pool);
    buf_free(&db->scratch);
    free(db->path);
    free(db);
    return DB_OK;
}

/* verify_base - full check of the sorted base: CRC, bounds, order */
static int verify_base(struct native_db *db)
{
    const char *pk = NULL, *k, *v;
    size_t pkl = 0, kl, vl;

    if (native_crc(0, db->map + NATIVE_HDR_SIZE,
                   db->log_off - NATIVE_HDR_SIZE) != db->base_crc) {
        log_error("DBERROR: base checksum mismatch file=<%s>", db->path);
        return DB_IOERROR;
    }
    for (uint64_t i = 0; i < db->count; i++) {
        if (native_base_rec(db, i, &k, &kl, &v, &vl) < 0 ||
            (pk && db_keycmp(pk, pkl, k, kl) >= 0)) {
            log_error("DBERROR: base record out of order or bounds "
                      "file=<%s> record=<%llu>", db->path,
                      (unsigned long long)i);
            return DB_IOERROR;
        }
        pk = k;
        pkl = kl;
    }
    return DB_OK;
}

/* nat_check - verify a file; with repair, cut a torn log tail (begin
 * does that under the lock) and remove a stale compaction file */
static int nat_check(const char *path, int repair)
{
    struct db *d;
    struct native_db *db;
    struct native_txn *t;
    struct stat st;
    int r = nat_open(path, 0, 0, &d);

    if (r)
        return r;
    db = (struct native_db *)d;
    r = verify_base(db);
    if (r == DB_OK && fstat(db->fd, &st) == 0 &&
        (uint64_t)st.st_size > db->scanned) {
        log_notice("DBERROR: uncommitted log tail file=<%s> bytes=<%llu>",
                   path, (unsigned long long)(st.st_size - db->scanned));
        if (!repair)
            r = DB_IOERROR;
    }
    if (r == DB_OK && repair && (r = begin(db, &t)) == DB_OK) {
        struct buf tmp = BUF_INIT;
        buf_printf(&tmp, "%s.NEW", path);
        unlink(buf_cstring(&tmp)); /* a crashed compaction's leftover */
        db->sweep_due = 1;
        native_sweep_old(db, 1);   /* and unused replaced files */
        buf_free(&tmp);
        end_txn(db, t);
    }
    nat_close(d);
    return r;
}

/* nat_compact - fold the log into the base now */
static int nat_compact(const char *path)
{
    struct db *d;
    struct native_db *db;
    struct native_txn *t;
    int r = nat_open(path, 0, 0, &d);

    if (r)
        return r;
    db = (struct native_db *)d;
    r = begin(db, &t);
    if (r == DB_OK) {
        if (db->scanned > db->log_off) {
            r = native_write_compacted(db, t->changes);
            if (r == DB_OK) {
                r = load(db);
                native_release_all(db);
                native_sweep_old(db, 1);
            }
        }
        end_txn(db, t);
    }
    nat_close(d);
    return r;
}

/* nat_detect - does path start with our magic? */
static int nat_detect(const char *path)
{
    char magic[8];
    int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

    if (fd < 0)
        return 0;
    if (pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
        !memcmp(magic, NATIVE_MAGIC, sizeof(magic)))
        r = 1;
    close(fd);
    return r;
}

const struct db_backend db_backend_native = {
    .name = "native",
    .open = nat_open,
    .close = nat_close,
    .fetch = nat_fetch,
    .fetchnext = nat_fetchnext,
    .foreach = nat_foreach,
    .store = nat_store,
    .commit = nat_commit,
    .abort = nat_abort,
    .check = nat_check,
    .compact = nat_compact,
    .detect = nat_detect,
};
