/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strarray.c - growable arrays of owned strings (argv-compatible).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

/* grow - room for one more element plus the NULL terminator */
static void grow(struct strarray *sa)
{
    if (sa->count + 2 <= sa->alloc)
        return;
    sa->alloc = sa->alloc ? sa->alloc * 2 : 8;
    sa->data = xreallocarray(sa->data, sa->alloc, sizeof(char *));
}

struct strarray *strarray_new(void)
{
    return xzmalloc(sizeof(struct strarray));
}

void strarray_appendm(struct strarray *sa, char *s)
{
    grow(sa);
    sa->data[sa->count++] = s;
    sa->data[sa->count] = NULL;
}

void strarray_append(struct strarray *sa, const char *s)
{
    strarray_appendm(sa, xstrdup(s));
}

void strarray_insert(struct strarray *sa, size_t idx, const char *s)
{
    if (idx >= sa->count) {
        strarray_append(sa, s);
        return;
    }
    grow(sa);
    memmove(sa->data + idx + 1, sa->data + idx,
            (sa->count - idx + 1) * sizeof(char *));
    sa->data[idx] = xstrdup(s);
    sa->count++;
}

char *strarray_remove(struct strarray *sa, size_t idx)
{
    char *s;
    if (idx >= sa->count)
        return NULL;
    s = sa->data[idx];
    memmove(sa->data + idx, sa->data + idx + 1,
            (sa->count - idx) * sizeof(char *));
    sa->count--;
    return s;
}

const char *strarray_nth(const struct strarray *sa, size_t idx)
{
    return idx < sa->count ? sa->data[idx] : NULL;
}

long strarray_find(const struct strarray *sa, const char *s, size_t start)
{
    for (size_t i = start; i < sa->count; i++)
        if (strcmp(sa->data[i], s) == 0)
            return (long)i;
    return -1;
}

char *strarray_join(const struct strarray *sa, const char *sep)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < sa->count; i++) {
        if (i)
            buf_appendcstr(&b, sep);
        buf_appendcstr(&b, sa->data[i]);
    }
    return buf_release(&b);
}

void strarray_split(struct strarray *sa, const char *s, const char *seps)
{
    while (*s) {
        size_t skip = strspn(s, seps), n;
        s += skip;
        n = strcspn(s, seps);
        if (n)
            strarray_appendm(sa, xstrndup(s, n));
        s += n;
    }
}

/* cmpstringp - qsort comparator over char * elements */
static int cmpstringp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void strarray_sort(struct strarray *sa)
{
    if (sa->count > 1)
        qsort(sa->data, sa->count, sizeof(char *), cmpstringp);
}

void strarray_truncate(struct strarray *sa, size_t count)
{
    while (sa->count > count)
        free(sa->data[--sa->count]);
    if (sa->data)
        sa->data[sa->count] = NULL;
}

void strarray_fini(struct strarray *sa)
{
    strarray_truncate(sa, 0);
    free(sa->data);
    sa->data = NULL;
    sa->alloc = 0;
}

void strarray_free(struct strarray **sap)
{
    if (!*sap)
        return;
    strarray_fini(*sap);
    free(*sap);
    *sap = NULL;
}
