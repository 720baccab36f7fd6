/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xmalloc.c - allocation wrappers that never return NULL.
 *
 * Running out of memory in a mail server is not something a caller can
 * recover from sensibly mid-command; we log and exit so the master starts a
 * fresh child.  Thread-agnostic; no state.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* oom - the single exit for allocation failure */
static void oom(size_t size)
{
    fatal(EX_OSERR, "out of memory size=<%zu>", size);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        oom(size);
    return p;
}

void *xzmalloc(size_t size)
{
    void *p = xmalloc(size);
    memset(p, 0, size);
    return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
    void *p;
    if (size && nmemb > SIZE_MAX / size)
        oom(SIZE_MAX);
    p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        oom(nmemb * size);
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        oom(size);
    return p;
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        oom(SIZE_MAX);
    return xrealloc(ptr, nmemb * size);
}

char *xstrdup(const char *s)
{
    return s ? xmemdup(s, strlen(s) + 1) : NULL;
}

char *xstrdupnull(const char *s)
{
    return xstrdup(s);
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void *xmemdup(const void *src, size_t n)
{
    void *p = xmalloc(n);
    if (n)
        memcpy(p, src, n);
    return p;
}

void xwipe(void *p, size_t n)
{
#ifdef HAVE_EXPLICIT_BZERO
    explicit_bzero(p, n);
#else
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
#endif
}
