/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db_backend.h - what a DB backend implements (private to lib/db*.c).
 *
 * db.c maps a backend name to a struct db_backend and a variant, checks
 * arguments, and calls through the vtable.  A backend's handle embeds
 * struct db as its first member, its transaction struct db_txn.  Return
 * values are enum db_result.  Fetch pointers stay owned by the handle.
 */
#ifndef LIB_DB_BACKEND_H
#define LIB_DB_BACKEND_H

#include <stddef.h>
#include <string.h>

#include "lib/db.h"

struct db_backend;

struct db {
    const struct db_backend *be;
    int variant; /* DB_VARIANT_* from the name table */
};

struct db_txn {
    struct db *db; /* the handle that began it */
};

/* Variants selected by the backend name. */
#define DB_VARIANT_NOSYNC 0x01 /* berkeley-nosync */
#define DB_VARIANT_HASH   0x02 /* berkeley-hash */

struct db_backend {
    const char *name; /* canonical name, reported by db_detect */
    int (*init)(const char *envdir, int flags);
    void (*done)(void);
    int (*open)(const char *path, int flags, int variant, struct db **db_r);
    int (*close)(struct db *db);
    /* fetch: lock non-zero for fetchlock */
    int (*fetch)(struct db *db, const char *key, size_t keylen,
                 const char **data_r, size_t *datalen_r,
                 struct db_txn **tid, int lock);
    int (*fetchnext)(struct db *db, const char *key, size_t keylen,
                     const char **foundkey_r, size_t *foundkeylen_r,
                     const char **data_r, size_t *datalen_r,
                     struct db_txn **tid);
    int (*foreach)(struct db *db, const char *prefix, size_t prefixlen,
                   db_goodp_fn *goodp, db_foreach_fn *cb, void *rock,
                   struct db_txn **tid);
    /* store: data NULL means delete; noover non-zero means insert-only */
    int (*store)(struct db *db, const char *key, size_t keylen,
                 const char *data, size_t datalen, struct db_txn **tid,
                 int noover);
    int (*commit)(struct db *db, struct db_txn *tid);
    int (*abort)(struct db *db, struct db_txn *tid);
    int (*checkpoint)(void);                       /* may be NULL */
    int (*check)(const char *path, int repair);    /* may be NULL */
    int (*compact)(const char *path);              /* may be NULL */
    int (*detect)(const char *path);               /* 1 when ours */
};

extern const struct db_backend db_backend_native;
extern const struct db_backend db_backend_berkeley;

/* db_keycmp - the key order: memcmp, then shorter first */
static inline int db_keycmp(const char *a, size_t alen,
                            const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int r = n ? memcmp(a, b, n) : 0;
    if (r)
        return r;
    return alen < blen ? -1 : alen > blen;
}

/* db_has_prefix - does key start with prefix? */
static inline int db_has_prefix(const char *key, size_t keylen,
                                const char *prefix, size_t prefixlen)
{
    return keylen >= prefixlen &&
           (prefixlen == 0 || !memcmp(key, prefix, prefixlen));
}

/* DB_FAULT - the test fault-injection point (see db_fault_hook) */
#define DB_FAULT(point) \
    do { if (db_fault_hook) db_fault_hook(point); } while (0)

#endif /* LIB_DB_BACKEND_H */
