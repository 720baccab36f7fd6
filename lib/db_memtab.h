/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db_memtab.h - an in-memory ordered map of binary keys (a skiplist),
 * private to the native DB backend (lib/db_native.c).
 *
 * It holds the records of the log not yet folded into a native file's
 * sorted base, and a transaction's uncommitted writes.  A record may be a
 * tombstone (deleted), which hides the same key in an older layer.
 * Nodes are never freed before memtab_free/memtab_clear, so a node
 * pointer stays a valid cursor while others are added or replaced; a
 * replaced value frees the old one (pointers to it become invalid).
 * Key order is db_keycmp.  Insert and lookup are O(log n) expected.
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
    unsigned char heapval; /* val was allocated separately */
    unsigned char level;   /* number of next pointers */
    struct memtab_node *next[]; /* key bytes follow next[level] */
};

/* memtab_key - the key bytes of a node */
static inline const char *memtab_key(const struct memtab_node *n)
{
    return (const char *)&n->next[n->level];
}

struct memtab *memtab_new(void);
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
