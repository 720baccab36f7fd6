/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * message_header.c - find the header block of an entity and walk its
 * fields (RFC 5322 section 2.2, with the obsolete "Name : value" form).
 *
 * Used by the other imap/message*.c modules on slices of a mapped
 * message: never needs a NUL, accepts CRLF or bare LF, and treats the
 * first line that is neither a field nor a continuation as the start of
 * the body (broken mail that omits the blank line).  Never fails.
 */
#include "config.h"

#include <string.h>

#include "imap/message_internal.h"
#include "lib/str.h"

/* field_name_len - length of the field name at b if the line is a field
 * ("name" [blanks] ":"), else 0; *colon_r gets the colon's index */
static size_t field_name_len(const char *b, size_t len, size_t *colon_r)
{
    size_t i = 0, n;

    while (i < len && (unsigned char)b[i] > ' ' && (unsigned char)b[i] < 0x7F &&
           b[i] != ':')
        i++;
    n = i;
    while (i < len && (b[i] == ' ' || b[i] == '\t'))
        i++;
    if (n == 0 || i >= len || b[i] != ':')
        return 0;
    *colon_r = i;
    return n;
}

/* line_end - index just past the LF ending the line at b[pos], or len */
static size_t line_end(const char *b, size_t len, size_t pos)
{
    const char *nl = memchr(b + pos, '\n', len - pos);
    return nl ? (size_t)(nl - b) + 1 : len;
}

/* is_blank_line - true when the line at b[pos] is empty (CRLF or LF) */
static size_t blank_line_len(const char *b, size_t len, size_t pos)
{
    if (pos < len && b[pos] == '\n')
        return 1;
    if (pos + 1 < len && b[pos] == '\r' && b[pos + 1] == '\n')
        return 2;
    return 0;
}

size_t message_header_size(const char *b, size_t len)
{
    size_t pos = 0, colon, n;

    while (pos < len) {
        if ((n = blank_line_len(b, len, pos)) > 0)
            return pos + n;
        if (!(pos > 0 && (b[pos] == ' ' || b[pos] == '\t')) &&
            !field_name_len(b + pos, len - pos, &colon))
            return pos;
        pos = line_end(b, len, pos);
    }
    return len;
}

int message_header_next(const char *h, size_t len, size_t *pos,
                        struct message_hfield *f)
{
    size_t p = *pos, colon, end;

    if (p >= len || blank_line_len(h, len, p))
        return 0;
    f->namelen = field_name_len(h + p, len - p, &colon);
    if (!f->namelen)
        return 0;
    f->name = h + p;
    f->start = p;
    end = line_end(h, len, p);
    while (end < len && (h[end] == ' ' || h[end] == '\t'))
        end = line_end(h, len, end);
    f->end = end;
    f->value = h + p + colon + 1;
    /* drop the final line end from the value */
    size_t vend = end;
    if (vend > p && h[vend - 1] == '\n') {
        vend--;
        if (vend > p && h[vend - 1] == '\r')
            vend--;
    }
    f->valuelen = vend > p + colon + 1 ? vend - (p + colon + 1) : 0;
    *pos = end;
    return 1;
}

int message_header_find(const char *h, size_t len, const char *name,
                        struct message_hfield *f)
{
    size_t pos = 0, nlen = strlen(name);

    while (message_header_next(h, len, &pos, f))
        if (f->namelen == nlen && !str_ncasecmp(f->name, name, nlen))
            return 1;
    return 0;
}

void message_unfold(const char *s, size_t len, struct buf *out)
{
    size_t start = out->len;

    while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++, len--;
    for (size_t i = 0; i < len; i++)
        if (s[i] != '\r' && s[i] != '\n')
            buf_putc(out, s[i]);
    while (out->len > start &&
           (out->s[out->len - 1] == ' ' || out->s[out->len - 1] == '\t'))
        out->len--;
}

uint64_t message_count_lines(const char *s, size_t len)
{
    uint64_t n = 0;
    const char *p = s, *end = s + len, *nl;

    while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p = nl + 1;
    }
    return n + (p < end ? 1 : 0);
}
