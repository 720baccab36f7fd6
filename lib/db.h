/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db.h - the key-value database interface and its backends.
 *
 * A database is a set of (key, value) records ordered by key.  Keys and
 * values are binary: (pointer, length) pairs that may contain NULs and are
 * never NUL-terminated by this layer.  Key order is bytewise (memcmp), a
 * key sorting before every longer key it is a prefix of.
 *
 * Backends are chosen by name (the names Cyrus's imapd.conf uses):
 *   "berkeley", "berkeley-nosync"  Berkeley DB 5.3 btree in the process's
 *                                  transactional environment (db_init);
 *                                  -nosync does not flush the log at commit.
 *   "berkeley-hash"                Berkeley DB hash (foreach still returns
 *                                  key order: it sorts).
 *   "twoskip", "skiplist", "flat", "native"
 *                                  this product's own crash-safe file
 *                                  format (lib/db_native.c).  The names are
 *                                  accepted so that a Cyrus imapd.conf
 *                                  works, but the on-disk format is NOT
 *                                  Cyrus's: convert existing files with
 *                                  cvt_cyrusdb from a Cyrus installation to
 *                                  a format both understand, or rebuild
 *                                  them (ctl_mboxlist -u).
 *
 * Fetched data (keys and values handed back by fetch, fetchnext and to
 * foreach callbacks) is owned by the handle and valid only until the next
 * call on that handle; copy it to keep it.
 *
 * Transactions.  Every data call takes `struct db_txn **tid`:
 *   tid == NULL         one autocommitted operation (writes are durable
 *                       when the call returns);
 *   tid != NULL, *tid == NULL
 *                       the call begins a transaction and stores it in
 *                       *tid (on the native backend this takes the writer
 *                       lock, also for a read: it is a read-for-update);
 *   *tid != NULL        the call runs inside that transaction.
 * A transaction ends with db_commit (durable, fsync'd, when it returns)
 * or db_abort; both free it.  A transaction sees its own writes; every
 * other reader, including NULL-tid calls on the same handle, sees only
 * committed data.  Native readers never wait for a writer; Berkeley DB
 * readers wait for the writer's page locks (so a NULL-tid read of pages
 * the same handle's open transaction wrote would wait for itself: use the
 * tid).  One open transaction per handle.  After DB_AGAIN inside
 * a transaction the caller must db_abort it and may start again.
 *
 * Processes: db_init()/db_done() once per process (library init and exit);
 * handles must not be shared across fork() nor used by two threads at
 * once; open each file once per process (two writing handles on one file
 * in one process wait for each other).
 */
#ifndef LIB_DB_H
#define LIB_DB_H

#include <stddef.h>

struct db;     /* an open database */
struct db_txn; /* an open transaction */

/* Results.  Negative values are errors.  (Berkeley DB's <db.h> defines
 * DB_NOTFOUND too: lib/db_berkeley.c is the one file that includes both.) */
enum db_result {
    DB_OK = 0,
    DB_DONE = 1,        /* foreach callback asked to stop early */
    DB_IOERROR = -1,    /* the file system or the backend failed */
    DB_AGAIN = -2,      /* deadlock or lock timeout: retry (abort first) */
    DB_EXISTS = -3,     /* db_insert of an existing key */
    DB_INTERNAL = -4,   /* misuse, bad backend name, version mismatch */
    DB_NOTFOUND = -5,   /* no such key */
    DB_LOCKED = -6,     /* the handle already has another transaction */
};

/* db_init flags */
#define DB_OPT_RECOVER 0x01 /* run Berkeley DB environment recovery (only
                               when no other process uses the environment) */
/* db_open flags */
#define DB_OPT_CREATE  0x01 /* create the file if missing */

/* db_errstr - a constant English phrase for a db_result. */
const char *db_errstr(int r);

/* db_init - set up this process's Berkeley DB environment in envdir
 * (normally <configdirectory>/db; created if missing).  Call once, from
 * library init, before opening a berkeley database; the native backend does
 * not need it.  Returns DB_OK, or an error (logged) after which berkeley
 * opens return handles that fail every call with DB_INTERNAL. */
int db_init(const char *envdir, int flags);
/* db_done - close the environment (library exit).  Handles must be closed. */
void db_done(void);

/* db_open - open path with the named backend.  Returns DB_OK with *db_r,
 * DB_NOTFOUND when the file is missing and DB_OPT_CREATE was not given,
 * DB_INTERNAL for an unknown backend, DB_IOERROR.  When Berkeley DB cannot
 * be used (version mismatch, no db_init) it still returns DB_OK and a
 * handle on which every call fails with DB_INTERNAL and logs why. */
int db_open(const char *backend, const char *path, int flags,
            struct db **db_r);
/* db_close - abort any open transaction, close, free and NULL *dbp. */
int db_close(struct db **dbp);
/* db_backend_known - 1 when name is a backend db_open accepts. */
int db_backend_known(const char *name);

/* db_fetch - the value of key.  DB_OK with *data_r, *datalen_r (valid until
 * the next call on db), DB_NOTFOUND, or an error. */
int db_fetch(struct db *db, const char *key, size_t keylen,
             const char **data_r, size_t *datalen_r, struct db_txn **tid);
/* db_fetchlock - db_fetch that also write-locks the record (Berkeley DB
 * DB_RMW); tid must not be NULL.  Use before a read-modify-write. */
int db_fetchlock(struct db *db, const char *key, size_t keylen,
                 const char **data_r, size_t *datalen_r, struct db_txn **tid);
/* db_fetchnext - the first record whose key sorts strictly after key
 * (keylen 0: the first record).  Not on berkeley-hash (DB_INTERNAL). */
int db_fetchnext(struct db *db, const char *key, size_t keylen,
                 const char **foundkey_r, size_t *foundkeylen_r,
                 const char **data_r, size_t *datalen_r, struct db_txn **tid);

/* db_foreach callbacks: goodp (may be NULL: accept all) returns non-zero
 * to pass a record to cb; cb returns 0 to go on, non-zero to stop (then
 * db_foreach returns DB_DONE).  Both may call the handle (inside tid's
 * transaction when there is one); the key and data they were given are
 * then invalid. */
typedef int db_goodp_fn(void *rock, const char *key, size_t keylen,
                        const char *data, size_t datalen);
typedef int db_foreach_fn(void *rock, const char *key, size_t keylen,
                          const char *data, size_t datalen);

/* db_foreach - call goodp/cb for every record whose key starts with
 * prefix (prefixlen 0: all), in key order.  Returns DB_OK, DB_DONE or an
 * error.  Without a transaction it sees committed data as of its start
 * (native) or as of each step (Berkeley DB). */
int db_foreach(struct db *db, const char *prefix, size_t prefixlen,
               db_goodp_fn *goodp, db_foreach_fn *cb, void *rock,
               struct db_txn **tid);

/* db_store - set key to data (insert or replace). */
int db_store(struct db *db, const char *key, size_t keylen,
             const char *data, size_t datalen, struct db_txn **tid);
/* db_insert - set key only when absent: DB_EXISTS otherwise. */
int db_insert(struct db *db, const char *key, size_t keylen,
              const char *data, size_t datalen, struct db_txn **tid);
/* db_delete - remove key: DB_OK, or DB_NOTFOUND when it was absent. */
int db_delete(struct db *db, const char *key, size_t keylen,
              struct db_txn **tid);

/* db_commit - make tid durable and end it (tid is freed either way). */
int db_commit(struct db *db, struct db_txn *tid);
/* db_abort - discard tid and end it (tid is freed). */
int db_abort(struct db *db, struct db_txn *tid);

/* Maintenance (ctl_cyrusdb). */
/* db_checkpoint - Berkeley DB checkpoint and removal of log files no
 * longer needed.  DB_OK when there is no environment. */
int db_checkpoint(void);
/* db_check - verify path (native backend: checksums, order, log tail) and,
 * when repair is set, cut a torn log tail.  DB_OK, DB_IOERROR when the
 * file is damaged beyond that, DB_INTERNAL for other backends' files. */
int db_check(const char *backend, const char *path, int repair);
/* db_compact - rewrite path compactly (native: fold the log into the
 * sorted base).  DB_OK, or an error; a no-op for Berkeley DB. */
int db_compact(const char *backend, const char *path);
/* db_detect - the backend name that wrote path ("native", "berkeley"),
 * or NULL when unknown/unreadable. */
const char *db_detect(const char *path);

/* Test only: when set, the native backend calls it at named points of a
 * commit ("append:before-write", "append:mid-write",
 * "append:before-sync", "compact:mid-write", "compact:before-rename",
 * "compact:after-rename") so tests can kill the process there. */
extern void (*db_fault_hook)(const char *point);
/* Test only: non-zero makes the next db_init() treat the Berkeley DB
 * library as a version other than the headers'. */
extern int db_test_bdb_version_skew;

#endif /* LIB_DB_H */
