/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hash.c - string-keyed hash table with separate chaining.
 *
 * Used for in-memory indexes (config keys, service names, sessions).  It is
 * not exposed to attacker-chosen key sets large enough for collision attacks
 * to matter; if that changes, seed the hash per process.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/xmalloc.h"

struct hash_entry {
    struct hash_entry *next;
    unsigned long long hv;
    void *value;
    char key[]; /* NUL-terminated copy */
};

struct hash_table {
    size_t size;  /* bucket count, a power of two */
    size_t count; /* entries */
    struct hash_entry **buckets;
};

unsigned long long hash_string(const char *s)
{
    unsigned long long h = 1469598103934665603ULL;
    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ULL;
    }
    return h;
}

struct hash_table *hash_new(size_t hint)
{
    struct hash_table *ht = xzmalloc(sizeof(*ht));
    ht->size = 16;
    while (ht->size < hint + hint / 3)
        ht->size *= 2;
    ht->buckets = xcalloc(ht->size, sizeof(*ht->buckets));
    return ht;
}

/* rehash - double the bucket array once the load factor passes 3/4 */
static void rehash(struct hash_table *ht)
{
    size_t nsize = ht->size * 2;
    struct hash_entry **nb = xcalloc(nsize, sizeof(*nb));

    for (size_t i = 0; i < ht->size; i++) {
        struct hash_entry *e = ht->buckets[i], *next;
        for (; e; e = next) {
            next = e->next;
            e->next = nb[e->hv & (nsize - 1)];
            nb[e->hv & (nsize - 1)] = e;
        }
    }
    free(ht->buckets);
    ht->buckets = nb;
    ht->size = nsize;
}

/* find - the link pointing at key's entry (or at the NULL ending its chain) */
static struct hash_entry **find(const struct hash_table *ht, const char *key,
                                unsigned long long hv)
{
    struct hash_entry **ep = &ht->buckets[hv & (ht->size - 1)];
    for (; *ep; ep = &(*ep)->next)
        if ((*ep)->hv == hv && strcmp((*ep)->key, key) == 0)
            break;
    return ep;
}

void *hash_insert(struct hash_table *ht, const char *key, void *value)
{
    unsigned long long hv = hash_string(key);
    struct hash_entry **ep = find(ht, key, hv), *e;
    size_t klen;

    if (*ep) {
        void *old = (*ep)->value;
        (*ep)->value = value;
        return old;
    }
    klen = strlen(key) + 1;
    e = xmalloc(sizeof(*e) + klen);
    memcpy(e->key, key, klen);
    e->hv = hv;
    e->value = value;
    e->next = NULL;
    *ep = e;
    if (++ht->count > ht->size - ht->size / 4)
        rehash(ht);
    return NULL;
}

void *hash_lookup(const struct hash_table *ht, const char *key)
{
    struct hash_entry **ep = find(ht, key, hash_string(key));
    return *ep ? (*ep)->value : NULL;
}

void *hash_del(struct hash_table *ht, const char *key)
{
    struct hash_entry **ep = find(ht, key, hash_string(key)), *e = *ep;
    void *value;

    if (!e)
        return NULL;
    *ep = e->next;
    value = e->value;
    free(e);
    ht->count--;
    return value;
}

size_t hash_count(const struct hash_table *ht)
{
    return ht->count;
}

int hash_foreach(const struct hash_table *ht,
                 int (*cb)(const char *key, void *value, void *rock),
                 void *rock)
{
    for (size_t i = 0; i < ht->size; i++)
        for (struct hash_entry *e = ht->buckets[i]; e; e = e->next) {
            int r = cb(e->key, e->value, rock);
            if (r)
                return r;
        }
    return 0;
}

void hash_free(struct hash_table **htp, void (*free_value)(void *))
{
    struct hash_table *ht = *htp;
    if (!ht)
        return;
    for (size_t i = 0; i < ht->size; i++) {
        struct hash_entry *e = ht->buckets[i], *next;
        for (; e; e = next) {
            next = e->next;
            if (free_value)
                free_value(e->value);
            free(e);
        }
    }
    free(ht->buckets);
    free(ht);
    *htp = NULL;
}
