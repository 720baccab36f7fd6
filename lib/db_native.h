/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db_native.h - the native backend's file format, shared by its two
 * source files (private to lib/db_native*.c).  See lib/db_native.c for
 * the design.
 *
 * All integers are little-endian.
 *   header (NATIVE_HDR_SIZE bytes at offset 0):
 *     0 magic[8]  8 u32 version  12 u32 flags(0)  16 u64 count
 *     24 u64 index_off  32 u64 log_off  40 u64 generation
 *     48 u32 base_crc (CRC-32 of bytes [64, log_off))  52..59 zero
 *     60 u32 hdr_crc (CRC-32 of bytes [0, 60))
 *   base records [64, index_off): u32 klen, u32 vlen, key, value, in
 *     strictly increasing key order
 *   index [index_off, log_off): count u64 record offsets
 *   log [log_off, EOF): frames, one per committed transaction:
 *     0 u32 NATIVE_FRAME_MAGIC  4 u32 nrec  8 u64 payload_len
 *     16 u32 payload_crc  20 u32 hdr_crc (of bytes [0, 20))
 *     payload: nrec x { u8 op (PUT/DEL), u32 klen, u32 vlen, key, value }
 */
#ifndef LIB_DB_NATIVE_H
#define LIB_DB_NATIVE_H

#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/db_backend.h"
#include "lib/db_memtab.h"

#define NATIVE_MAGIC "\x89MURDB\r\n"
#define NATIVE_VERSION 1
#define NATIVE_HDR_SIZE 64
#define NATIVE_FRAME_MAGIC 0x3154584eU /* "NXT1" */
#define NATIVE_FRAME_HDR 24
#define NATIVE_REC_PUT 1
#define NATIVE_REC_DEL 2
#define NATIVE_REC_HDR 9 /* op + klen + vlen in a log record */

struct native_txn {
    struct db_txn base;
    int lockfd;             /* O_RDWR descriptor holding the writer lock */
    struct memtab *changes; /* uncommitted writes (tombstones = deletes) */
    int pinned;             /* foreach loops iterating over this txn */
};

struct native_db {
    struct db base;
    char *path;
    int fd;                 /* read-only descriptor of the mapped file */
    dev_t dev;
    ino_t ino;
    char *map;              /* [0, log_off) mapped read-only; NULL: broken */
    size_t maplen;
    uint64_t count, index_off, log_off, generation;
    uint32_t base_crc;
    uint64_t scanned;       /* end of the last committed frame applied */
    struct memtab *overlay; /* committed log records since log_off */
    struct native_txn *txn; /* the open transaction, or NULL */
    int foreach_depth;      /* >0: the view must not be remapped */
    struct buf scratch;     /* frame payloads being read */
    struct memtab_pool *pool;       /* chunks of overlays and txns */
    struct native_retired *retired; /* old views being released */
    unsigned nretired;
    int sweep_due;          /* .OLD. files may wait for deletion */
    time_t swept_at;
};

struct native_hdr {
    uint64_t count, index_off, log_off, generation;
    uint32_t base_crc;
};

/* little-endian helpers */
static inline void native_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static inline void native_put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static inline uint32_t native_get32(const void *vp)
{
    const unsigned char *p = vp;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}
static inline uint64_t native_get64(const void *vp)
{
    const unsigned char *p = vp;
    return (uint64_t)native_get32(p) | (uint64_t)native_get32(p + 4) << 32;
}

/* db_native_file.c */
uint32_t native_crc(uint32_t crc, const void *p, size_t n);
void native_hdr_encode(unsigned char *out, const struct native_hdr *h);
int native_hdr_decode(const unsigned char *in, struct native_hdr *h);
int native_create_empty(const char *path);
int native_fsync_dir(const char *path);
int native_base_rec(const struct native_db *db, uint64_t i,
                    const char **key, size_t *klen,
                    const char **val, size_t *vlen);
uint64_t native_base_seek(const struct native_db *db, const char *key,
                          size_t klen, int strict, int *corrupt_r);
int native_scan_log(struct native_db *db, int fd, int writer);
int native_append_frame(struct native_db *db, int fd,
                        const struct memtab *changes);
int native_write_compacted(struct native_db *db, struct memtab *changes);

/* db_native_release.c: replaced files let go of without readers paying */
struct native_retired;
/* native_hold - mark fd as in use by this process (shared flock). */
void native_hold(int fd);
/* native_retire - free db's overlay (into db->pool) and move its mapping
 * and descriptor to the retired list (db has none afterwards). */
void native_retire(struct native_db *db);
/* native_release_step - release a bounded part of the retired views. */
void native_release_step(struct native_db *db);
/* native_release_all - release all retired views now. */
void native_release_all(struct native_db *db);
/* native_keep_old - before renaming a new file over db->path (under the
 * writer lock): link the current one as "<path>.OLD.<generation>". */
void native_keep_old(struct native_db *db);
/* native_sweep_old - delete the .OLD. files no process holds any more
 * (at most once a second unless force). */
void native_sweep_old(struct native_db *db, int force);

/* db_native.c: the merged view (base < overlay < txn changes) */
struct native_iter {
    struct native_db *db;
    uint64_t bi;               /* next base record */
    struct memtab_node *on;    /* next overlay node */
    struct memtab_node *tn;    /* next txn node (NULL without a txn) */
    const char *key, *val;     /* the current record */
    size_t klen, vlen;
};
void native_iter_seek(struct native_iter *it, struct native_db *db,
                      struct memtab *changes, const char *key, size_t klen,
                      int strict);
int native_iter_next(struct native_iter *it);

#endif /* LIB_DB_NATIVE_H */
