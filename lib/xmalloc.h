/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xmalloc.h - allocation that never returns NULL.
 *
 * Every allocation in the tree goes through these.  On exhaustion they log
 * and exit with EX_OSERR through fatal(); callers never check for NULL.
 */
#ifndef LIB_XMALLOC_H
#define LIB_XMALLOC_H

#include <stddef.h>

/* xmalloc - like malloc(3); xmalloc(0) returns a unique freeable pointer. */
void *xmalloc(size_t size);
/* xzmalloc - xmalloc and zero the memory. */
void *xzmalloc(size_t size);
/* xcalloc - nmemb * size zeroed bytes, with an overflow check. */
void *xcalloc(size_t nmemb, size_t size);
/* xrealloc - like realloc(3); xrealloc(NULL, n) == xmalloc(n). */
void *xrealloc(void *ptr, size_t size);
/* xreallocarray - resize to nmemb * size, with an overflow check. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
/* xstrdup - copy of a NUL-terminated string; xstrdup(NULL) is NULL. */
char *xstrdup(const char *s);
/* xstrdupnull - like xstrdup; spelled out where NULL is an expected input. */
char *xstrdupnull(const char *s);
/* xstrndup - copy of at most n bytes of s, always NUL-terminated. */
char *xstrndup(const char *s, size_t n);
/* xmemdup - copy of n bytes (not NUL-terminated unless the input was). */
void *xmemdup(const void *p, size_t n);

/* xfree - free *pp and set it to NULL. */
#define xfree(pp) do { free(*(pp)); *(pp) = NULL; } while (0)

/* xwipe - zero n bytes in a way the compiler cannot remove (secrets). */
void xwipe(void *p, size_t n);

#endif /* LIB_XMALLOC_H */
