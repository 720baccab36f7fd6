/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db_memtab.c - the native backend's in-memory ordered map: a skiplist
 * of binary keys with tombstones (see db_memtab.h).
 *
 * Single-threaded, per handle.  Allocation failure is fatal (xmalloc).
 * Levels are drawn with p = 1/4 from a private xorshift generator, so the
 * structure is deterministic for a given insertion sequence.
 */
#include "config.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/db_backend.h"
#include "lib/db_memtab.h"
#include "lib/xmalloc.h"

#define MEMTAB_MAXLEVEL 24

struct memtab {
    struct memtab_node *head; /* sentinel with MEMTAB_MAXLEVEL links */
    int level;                /* levels in use */
    size_t count;
    size_t bytes;
    uint64_t rng;
};

struct memtab *memtab_new(void)
{
    struct memtab *mt = xzmalloc(sizeof(*mt));

    mt->head = xzmalloc(sizeof(struct memtab_node) +
                        MEMTAB_MAXLEVEL * sizeof(struct memtab_node *));
    mt->head->level = MEMTAB_MAXLEVEL;
    mt->level = 1;
    mt->rng = 0x9e3779b97f4a7c15ULL;
    return mt;
}

void memtab_free(struct memtab **mtp)
{
    struct memtab *mt = *mtp;
    struct memtab_node *n, *next;

    if (!mt)
        return;
    for (n = mt->head->next[0]; n; n = next) {
        next = n->next[0];
        if (n->heapval)
            free(n->val);
        free(n);
    }
    free(mt->head);
    free(mt);
    *mtp = NULL;
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
        if (n->heapval)
            free(n->val);
        n->val = xmalloc(vlen ? vlen : 1);
        n->vcap = vlen;
        n->heapval = 1;
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
    n = xmalloc(sizeof(*n) + level * sizeof(n->next[0]) + klen + vlen);
    n->level = (unsigned char)level;
    n->klen = (unsigned)klen;
    n->heapval = 0;
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
