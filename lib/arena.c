/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arena.c - region allocation in chunks freed as a unit.
 *
 * Small requests are carved from the head chunk (ARENA_CHUNK bytes); a
 * large request gets a chunk of exactly its size, linked behind the head
 * so the head's remaining space stays in use.  Used by the IMAP parser for
 * everything one command holds.
 */
#include "config.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/xmalloc.h"

#define ARENA_CHUNK 4096
#define ARENA_ALIGN 8

struct arena_chunk {
    struct arena_chunk *next;
    size_t size; /* usable bytes in data */
    size_t used;
    max_align_t data[];
};

void *arena_alloc(struct arena *a, size_t size)
{
    struct arena_chunk *c = a->head;
    size_t csize;

    assert(size < SIZE_MAX - ARENA_ALIGN - sizeof(*c));
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (c && c->size - c->used >= size) {
        void *r = (unsigned char *)c->data + c->used;
        c->used += size;
        return r;
    }
    csize = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
    c = xmalloc(sizeof(*c) + csize);
    c->size = csize;
    c->used = size;
    a->total += csize;
    if (csize == size && a->head) {
        c->next = a->head->next;
        a->head->next = c;
    } else {
        c->next = a->head;
        a->head = c;
    }
    return c->data;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *r = arena_alloc(a, n + 1);
    if (n)
        memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

void arena_clear(struct arena *a)
{
    while (a->head) {
        struct arena_chunk *c = a->head;
        a->head = c->next;
        free(c);
    }
    a->total = 0;
}

size_t arena_total(const struct arena *a)
{
    return a->total;
}
