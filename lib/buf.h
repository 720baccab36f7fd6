/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * buf.h - a growable, length-carrying byte buffer.
 *
 * struct buf holds binary data: s[0..len) may contain NULs and is NOT
 * NUL-terminated unless buf_cstring() is called.  A zeroed struct (BUF_INIT)
 * is an empty buffer; buf_free() releases it.  Pointers into s are
 * invalidated by any call that grows the buffer.
 */
#ifndef LIB_BUF_H
#define LIB_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *s;      /* data; may be NULL when alloc == 0 */
    size_t len;   /* bytes in use */
    size_t alloc; /* bytes allocated */
};

#define BUF_INIT { NULL, 0, 0 }

/* buf_ensure - make room for at least n more bytes. */
void buf_ensure(struct buf *b, size_t n);
/* buf_cstring - NUL-terminate (not counted in len) and return s; never NULL. */
const char *buf_cstring(struct buf *b);
/* buf_release - hand s (NUL-terminated) to the caller; b becomes empty. */
char *buf_release(struct buf *b);

void buf_reset(struct buf *b);             /* len = 0, keep memory */
void buf_free(struct buf *b);              /* release memory */
void buf_truncate(struct buf *b, size_t len); /* shrink (or zero-extend) */

void buf_putc(struct buf *b, char c);
void buf_appendmap(struct buf *b, const void *p, size_t n);
void buf_appendcstr(struct buf *b, const char *s);
void buf_append(struct buf *b, const struct buf *src);
void buf_setmap(struct buf *b, const void *p, size_t n);
void buf_setcstr(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* buf_remove_prefix - drop the first n bytes (n is clamped to len). */
void buf_remove_prefix(struct buf *b, size_t n);
/* buf_cmp - memcmp-style order of two buffers, shorter first on a tie. */
int buf_cmp(const struct buf *a, const struct buf *b);
/* buf_equal_cstr - true when b holds exactly the bytes of s. */
int buf_equal_cstr(const struct buf *b, const char *s);

static inline size_t buf_len(const struct buf *b) { return b->len; }
static inline const char *buf_base(const struct buf *b) { return b->s; }

#endif /* LIB_BUF_H */
