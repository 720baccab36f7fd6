/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db_memtab.h - an in-memory ordered map of binary keys (a skiplist),
 * private to the native DB backend (lib/db_native.c).
 *
 * It holds the records of the log not yet folded into a native file's
 * sorted base, and a transaction's uncommitted writes.  A record may be a
 * tombstone (deleted), which hides the same key in an older layer.
 * Nodes and values live in arena chunks that are only released by
 * memtab_free, so a node pointer stays a valid cursor while others are
 * added or replaced; a replaced value that does not fit in place gets new
 * space (pointers to the old value stay readable until the free, but are
 * stale).  Maps made with a pool give their chunks back to it when freed
 * and the next map reuses them: giving memory back to the kernel costs
 * time per page (tens of ms for a map of 100,000 records on a VM), which
 * a reader dropping its overlay must not pay.  A pool keeps its chunks
 * until memtab_pool_free.  Key order is db_keycmp.  Insert and lookup are
 * O(log n) expected; inserting keys in ascending order past the current
 * last key (a full resync) is O(1) expected.
 */
#ifndef LIB_DB_MEMTAB_H
#define LIB_DB_MEMTAB_H

#include <stddef.h>

struct memtab;

struct memtab_node {
    char *val;            /* value bytes (inline after the key, or heap) */
    size_t vlen;
    size_t vcap;          /* bytes available at val without reallocating */
    unsigned klen;
    unsigned char deleted; /* tombstone */
    unsigned char level;   /* number of next pointers */
    struct memtab_node *next[]; /* key bytes follow next[level] */
};

/* memtab_key - the key bytes of a node */
static inline const char *memtab_key(const struct memtab_node *n)
{
    return (const char *)&n->next[n->level];
}

struct memtab_pool;

/* memtab_pool_new - an empty pool of arena chunks (one per owner). */
struct memtab_pool *memtab_pool_new(void);
/* memtab_pool_free - free the pool's chunks and NULL *pp (maps made
 * with it must be freed first). */
void memtab_pool_free(struct memtab_pool **pp);
/* memtab_new - an empty map taking its chunks from pool (NULL: malloc). */
struct memtab *memtab_new(struct memtab_pool *pool);
/* memtab_free - release the map (chunks back to its pool) and NULL *mtp
 * (NULL: no-op).  O(chunks), no per-record work. */
void memtab_free(struct memtab **mtp);
/* memtab_put - set key to (val, vlen), or to a tombstone when deleted. */
void memtab_put(struct memtab *mt, const char *key, size_t klen,
                const char *val, size_t vlen, int deleted);
/* memtab_find - the node for key (possibly a tombstone), or NULL. */
struct memtab_node *memtab_find(const struct memtab *mt, const char *key,
                                size_t klen);
/* memtab_seek - the first node with key >= (strict: >) the given key;
 * NULL at the end. */
struct memtab_node *memtab_seek(const struct memtab *mt, const char *key,
                                size_t klen, int strict);
/* memtab_first - the smallest node or NULL; iterate with n->next[0]. */
struct memtab_node *memtab_first(const struct memtab *mt);
/* memtab_count - nodes (tombstones included). */
size_t memtab_count(const struct memtab *mt);
/* memtab_bytes - key and value bytes held (a serialisation estimate). */
size_t memtab_bytes(const struct memtab *mt);

#endif /* LIB_DB_MEMTAB_H */
