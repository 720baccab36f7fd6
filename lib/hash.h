/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hash.h - a hash table from NUL-terminated string keys to void * values.
 *
 * The table copies keys; values are the caller's (hash_free can call a
 * destructor on each).  Lookups are O(1) average; the table doubles when
 * its load factor passes 3/4.  Iteration order is unspecified.
 */
#ifndef LIB_HASH_H
#define LIB_HASH_H

#include <stddef.h>

struct hash_table;

/* hash_new - an empty table sized for about `hint` entries. */
struct hash_table *hash_new(size_t hint);
/* hash_free - free the table; call free_value(value) on each if non-NULL. */
void hash_free(struct hash_table **htp, void (*free_value)(void *));

/* hash_insert - set key to value; returns the previous value or NULL. */
void *hash_insert(struct hash_table *ht, const char *key, void *value);
/* hash_lookup - the value for key, or NULL. */
void *hash_lookup(const struct hash_table *ht, const char *key);
/* hash_del - remove key; returns its value or NULL. */
void *hash_del(struct hash_table *ht, const char *key);
size_t hash_count(const struct hash_table *ht);

/* hash_foreach - call cb on each entry; stop early when cb returns non-0
 * and return that value.  cb must not insert or delete. */
int hash_foreach(const struct hash_table *ht,
                 int (*cb)(const char *key, void *value, void *rock),
                 void *rock);

/* hash_string - the hash function used by the table (FNV-1a, 64 bit). */
unsigned long long hash_string(const char *s);

#endif /* LIB_HASH_H */
