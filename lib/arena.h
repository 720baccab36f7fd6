/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arena.h - a region allocator: many small allocations freed as a unit.
 *
 * For per-command and per-connection data (STYLE: "long-lived data has one
 * named owner"): allocate freely while the command runs, then arena_clear()
 * releases everything at once.  A zeroed struct (ARENA_INIT) is an empty
 * arena.  Allocation never fails (xmalloc).  Not thread-safe.
 */
#ifndef LIB_ARENA_H
#define LIB_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head; /* the chunk small allocations come from */
    size_t total;             /* bytes held by all chunks */
};

#define ARENA_INIT { NULL, 0 }

/* arena_alloc - size bytes aligned for any type (8 bytes at least), valid
 * until arena_clear().  Blocks over a quarter of a chunk get a chunk of
 * their own, so memory held stays within a small factor of what was
 * asked for. */
void *arena_alloc(struct arena *a, size_t size);
/* arena_strndup - a NUL-terminated copy of s[0..n) in the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* arena_clear - free everything allocated; the arena is empty again. */
void arena_clear(struct arena *a);
/* arena_total - bytes currently held (for memory bounds and tests). */
size_t arena_total(const struct arena *a);

#endif /* LIB_ARENA_H */
