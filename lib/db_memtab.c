/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db_memtab.c - the native backend's in-memory ordered map: a skiplist
 * of binary keys with tombstones (see db_memtab.h).
 *
 * Single-threaded, per handle.  Allocation failure is fatal (xmalloc).
 * Levels are drawn with p = 1/4 from a private xorshift generator, so the
 * structure is deterministic for a given insertion sequence.  Memory
 * comes from a bump allocator over MEMTAB_CHUNK-byte chunks (a node with
 * its key and value is one allocation), so freeing a map of a hundred
 * thousand records moves a few hundred chunks to the pool, or is a few
 * hundred free() calls without one.
 */
#include "config.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/db_backend.h"
#include "lib/db_memtab.h"
#include "lib/xmalloc.h"

#define MEMTAB_MAXLEVEL 24
/* Arena chunk size; a bigger allocation gets a chunk of its own. */
#define MEMTAB_CHUNK (64 * 1024)

struct memtab_chunk {
    struct memtab_chunk *next;
    size_t size;              /* bytes of data[] */
    max_align_t data[];
};

struct memtab_pool {
    struct memtab_chunk *free; /* MEMTAB_CHUNK-sized chunks */
};

struct memtab {
    struct memtab_pool *pool; /* or NULL */
    struct memtab_node *head; /* sentinel with MEMTAB_MAXLEVEL links */
    struct memtab_node *tail[MEMTAB_MAXLEVEL]; /* last node per level */
    int level;                /* levels in use */
    size_t count;
    size_t bytes;
    uint64_t rng;
    struct memtab_chunk *chunks; /* newest first */
    char *cur;                /* free space in chunks->data */
    size_t left;
};

struct memtab_pool *memtab_pool_new(void)
{
    return xzmalloc(sizeof(struct memtab_pool));
}

void memtab_pool_free(struct memtab_pool **pp)
{
    struct memtab_pool *p = *pp;

    if (!p)
        return;
    while (p->free) {
        struct memtab_chunk *c = p->free;
        p->free = c->next;
        free(c);
    }
    free(p);
    *pp = NULL;
}

struct memtab *memtab_new(struct memtab_pool *pool)
{
    struct memtab *mt = xzmalloc(sizeof(*mt));

    mt->pool = pool;
    mt->head = xzmalloc(sizeof(struct memtab_node) +
                        MEMTAB_MAXLEVEL * sizeof(struct memtab_node *));
    mt->head->level = MEMTAB_MAXLEVEL;
    for (int i = 0; i < MEMTAB_MAXLEVEL; i++)
        mt->tail[i] = mt->head;
    mt->level = 1;
    mt->rng = 0x9e3779b97f4a7c15ULL;
    return mt;
}

void memtab_free(struct memtab **mtp)
{
    struct memtab *mt = *mtp;

    if (!mt)
        return;
    while (mt->chunks) {
        struct memtab_chunk *c = mt->chunks;
        mt->chunks = c->next;
        if (mt->pool && c->size == MEMTAB_CHUNK) {
            c->next = mt->pool->free;
            mt->pool->free = c;
        } else {
            free(c);
        }
    }
    free(mt->head);
    free(mt);
    *mtp = NULL;
}

/* chunk_new - a chunk of csize bytes, from the pool when it has one */
static struct memtab_chunk *chunk_new(struct memtab *mt, size_t csize)
{
    struct memtab_chunk *c;

    if (csize == MEMTAB_CHUNK && mt->pool && mt->pool->free) {
        c = mt->pool->free;
        mt->pool->free = c->next;
        return c;
    }
    c = xmalloc(sizeof(*c) + csize);
    c->size = csize;
    return c;
}

/* arena_alloc - size bytes, max_align_t aligned, from the arena */
static void *arena_alloc(struct memtab *mt, size_t size)
{
    size_t a = sizeof(max_align_t);
    void *p;

    size = (size + a - 1) / a * a;
    if (size > mt->left) {
        size_t csize = size > MEMTAB_CHUNK / 4 ? size : MEMTAB_CHUNK;
        struct memtab_chunk *c = chunk_new(mt, csize);

        if (size > MEMTAB_CHUNK / 4 && mt->chunks) {
            /* a big one: keep filling the current chunk afterwards */
            c->next = mt->chunks->next;
            mt->chunks->next = c;
            return c->data;
        }
        c->next = mt->chunks;
        mt->chunks = c;
        mt->cur = (char *)c->data;
        mt->left = csize;
    }
    p = mt->cur;
    mt->cur += size;
    mt->left -= size;
    return p;
}

/* random_level - 1 + geometric(1/4), capped */
static int random_level(struct memtab *mt)
{
    int level = 1;
    uint64_t x = mt->rng;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    mt->rng = x;
    while (level < MEMTAB_MAXLEVEL && (x & 3) == 0) {
        level++;
        x >>= 2;
    }
    return level;
}

/* find_preds - fill preds[] with the last node < key at every level and
 * return the node after preds[0] (the first >= key), or NULL */
static struct memtab_node *find_preds(const struct memtab *mt,
                                      const char *key, size_t klen,
                                      struct memtab_node **preds)
{
    struct memtab_node *x = mt->head;
    const struct memtab_node *last = mt->tail[0];

    if (last != mt->head &&
        db_keycmp(memtab_key(last), last->klen, key, klen) < 0) {
        /* past the end (ascending inserts): the tails are the preds */
        if (preds)
            memcpy(preds, mt->tail, sizeof(mt->tail));
        return NULL;
    }

    for (int i = mt->level - 1; i >= 0; i--) {
        while (x->next[i] &&
               db_keycmp(memtab_key(x->next[i]), x->next[i]->klen, key,
                         klen) < 0)
            x = x->next[i];
        if (preds)
            preds[i] = x;
    }
    return x->next[0];
}

/* set_value - store (val, vlen) into n, reusing its space when it fits */
static void set_value(struct memtab *mt, struct memtab_node *n,
                      const char *val, size_t vlen, int deleted)
{
    mt->bytes -= n->vlen;
    if (vlen > n->vcap) {
        n->val = arena_alloc(mt, vlen);
        n->vcap = vlen;
    }
    if (vlen)
        memcpy(n->val, val, vlen);
    n->vlen = vlen;
    n->deleted = deleted ? 1 : 0;
    mt->bytes += vlen;
}

void memtab_put(struct memtab *mt, const char *key, size_t klen,
                const char *val, size_t vlen, int deleted)
{
    struct memtab_node *preds[MEMTAB_MAXLEVEL], *n;
    int level;

    assert(klen <= UINT32_MAX);
    if (deleted)
        vlen = 0;
    n = find_preds(mt, key, klen, preds);
    if (n && db_keycmp(memtab_key(n), n->klen, key, klen) == 0) {
        set_value(mt, n, val, vlen, deleted);
        return;
    }
    level = random_level(mt);
    for (int i = mt->level; i < level; i++)
        preds[i] = mt->head;
    if (level > mt->level)
        mt->level = level;
    n = arena_alloc(mt, sizeof(*n) + level * sizeof(n->next[0]) + klen +
                            vlen);
    n->level = (unsigned char)level;
    n->klen = (unsigned)klen;
    n->deleted = deleted ? 1 : 0;
    n->val = (char *)&n->next[level] + klen;
    n->vlen = vlen;
    n->vcap = vlen;
    if (klen)
        memcpy((char *)&n->next[level], key, klen);
    if (vlen)
        memcpy(n->val, val, vlen);
    for (int i = 0; i < level; i++) {
        n->next[i] = preds[i]->next[i];
        preds[i]->next[i] = n;
        if (!n->next[i])
            mt->tail[i] = n;
    }
    mt->count++;
    mt->bytes += klen + vlen;
}

struct memtab_node *memtab_find(const struct memtab *mt, const char *key,
                                size_t klen)
{
    struct memtab_node *n = find_preds(mt, key, klen, NULL);

    if (n && db_keycmp(memtab_key(n), n->klen, key, klen) == 0)
        return n;
    return NULL;
}

struct memtab_node *memtab_seek(const struct memtab *mt, const char *key,
                                size_t klen, int strict)
{
    struct memtab_node *n = find_preds(mt, key, klen, NULL);

    if (strict && n && db_keycmp(memtab_key(n), n->klen, key, klen) == 0)
        n = n->next[0];
    return n;
}

struct memtab_node *memtab_first(const struct memtab *mt)
{
    return mt->head->next[0];
}

size_t memtab_count(const struct memtab *mt)
{
    return mt->count;
}

size_t memtab_bytes(const struct memtab *mt)
{
    return mt->bytes;
}
