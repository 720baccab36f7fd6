/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * buf.c - growable, length-carrying byte buffers.
 *
 * Growth doubles the allocation so appends are amortised O(1).  Memory comes
 * from xmalloc, so no call here fails; a size overflow is fatal.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define BUF_MIN_ALLOC 64

void buf_ensure(struct buf *b, size_t n)
{
    size_t need, alloc;

    if (n > SIZE_MAX - b->len - 1)
        fatal(EX_OSERR, "buffer size overflow len=<%zu> more=<%zu>", b->len, n);
    need = b->len + n + 1; /* room for buf_cstring's NUL */
    if (need <= b->alloc)
        return;
    alloc = b->alloc ? b->alloc : BUF_MIN_ALLOC;
    while (alloc < need)
        alloc = alloc > SIZE_MAX / 2 ? need : alloc * 2;
    b->s = xrealloc(b->s, alloc);
    b->alloc = alloc;
}

const char *buf_cstring(struct buf *b)
{
    buf_ensure(b, 0);
    b->s[b->len] = '\0';
    return b->s;
}

char *buf_release(struct buf *b)
{
    char *s;
    buf_cstring(b);
    s = b->s;
    b->s = NULL;
    b->len = b->alloc = 0;
    return s;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
}

void buf_free(struct buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->alloc = 0;
}

void buf_truncate(struct buf *b, size_t len)
{
    if (len > b->len) {
        buf_ensure(b, len - b->len);
        memset(b->s + b->len, 0, len - b->len);
    }
    b->len = len;
}

void buf_putc(struct buf *b, char c)
{
    buf_ensure(b, 1);
    b->s[b->len++] = c;
}

void buf_appendmap(struct buf *b, const void *p, size_t n)
{
    if (!n)
        return;
    buf_ensure(b, n);
    memcpy(b->s + b->len, p, n);
    b->len += n;
}

void buf_appendcstr(struct buf *b, const char *s)
{
    buf_appendmap(b, s, strlen(s));
}

void buf_append(struct buf *b, const struct buf *src)
{
    buf_appendmap(b, src->s, src->len);
}

void buf_setmap(struct buf *b, const void *p, size_t n)
{
    b->len = 0;
    buf_appendmap(b, p, n);
}

void buf_setcstr(struct buf *b, const char *s)
{
    buf_setmap(b, s, strlen(s));
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    buf_ensure(b, 64);
    n = vsnprintf(b->s + b->len, b->alloc - b->len, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        fatal(EX_SOFTWARE, "vsnprintf failed fmt=<%s>", fmt);
    if ((size_t)n >= b->alloc - b->len) {
        buf_ensure(b, (size_t)n);
        vsnprintf(b->s + b->len, b->alloc - b->len, fmt, ap);
    }
    b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_remove_prefix(struct buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->s, b->s + n, b->len - n);
    b->len -= n;
}

int buf_cmp(const struct buf *a, const struct buf *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int r = n ? memcmp(a->s, b->s, n) : 0;
    if (r)
        return r;
    return (a->len > b->len) - (a->len < b->len);
}

int buf_equal_cstr(const struct buf *b, const char *s)
{
    size_t n = strlen(s);
    return b->len == n && (n == 0 || memcmp(b->s, s, n) == 0);
}
