/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * charset_fold.c - the case-folded form SEARCH compares (UTF-8 in, UTF-8
 * out).
 *
 * Used by SEARCH on both the needle and the cached header text, so the
 * two sides are folded by the same code.  Folding covers ASCII, Latin-1,
 * Latin Extended-A, basic Greek and Cyrillic with simple one-to-one
 * mappings, plus U+00DF -> "ss"; other scripts pass through unchanged (a
 * full Unicode table is TODO(#3)).  Never fails.
 */
#include "config.h"

#include <stdint.h>

#include "imap/charset.h"

/* decode_utf8 - the code point at s (len bytes left) and its length;
 * returns 0xFFFD and length 1 for an invalid byte */
static uint32_t decode_utf8(const unsigned char *s, size_t len, size_t *n_r)
{
    size_t n = charset_utf8_seqlen((const char *)s, len);
    uint32_t cp;
    unsigned c = s[0];

    *n_r = 1;
    if (n == 0)
        return 0xFFFD;
    if (n == 1)
        return c;
    cp = c & (0xFF >> (n + 1));
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    *n_r = n;
    return cp;
}

/* put_utf8 - append code point cp to out */
static void put_utf8(struct buf *out, uint32_t cp)
{
    if (cp < 0x80) {
        buf_putc(out, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(out, (char)(0xC0 | (cp >> 6)));
        buf_putc(out, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_putc(out, (char)(0xE0 | (cp >> 12)));
        buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(out, (char)(0x80 | (cp & 0x3F)));
    } else {
        buf_putc(out, (char)(0xF0 | (cp >> 18)));
        buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3F)));
        buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(out, (char)(0x80 | (cp & 0x3F)));
    }
}

/* fold_latin_ext_a - simple case folding of U+0100..U+017F */
static uint32_t fold_latin_ext_a(uint32_t cp)
{
    if (cp == 0x0130)
        return 'i'; /* I WITH DOT ABOVE: approximated */
    if (cp == 0x0178)
        return 0x00FF;
    if (cp == 0x017F)
        return 's';
    /* pairs start at an even code point, except 0139..0148, 0179..017E */
    if ((cp >= 0x0139 && cp <= 0x0148) || (cp >= 0x0179 && cp <= 0x017E))
        return (cp & 1) ? cp + 1 : cp;
    if (cp == 0x0138 || cp == 0x0149 || cp == 0x0131)
        return cp;
    return (cp & 1) ? cp : cp + 1;
}

/* fold - simple case folding of one code point */
static uint32_t fold(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if (cp < 0xC0)
        return cp;
    if (cp <= 0xDE)
        return cp == 0xD7 ? cp : cp + 32;
    if (cp >= 0x0100 && cp <= 0x017F)
        return fold_latin_ext_a(cp);
    if (cp >= 0x0391 && cp <= 0x03A9 && cp != 0x03A2)
        return cp + 32; /* Greek capitals */
    if (cp == 0x03C2)
        return 0x03C3; /* final sigma */
    if (cp >= 0x0410 && cp <= 0x042F)
        return cp + 32; /* Cyrillic capitals */
    if (cp >= 0x0400 && cp <= 0x040F)
        return cp + 80;
    return cp;
}

void charset_search_normalize(const char *s, size_t len, struct buf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    int in_space = 0;
    size_t i = 0;

    while (i < len) {
        size_t n;
        uint32_t cp = decode_utf8(p + i, len - i, &n);
        i += n;
        if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n') {
            if (!in_space)
                buf_putc(out, ' ');
            in_space = 1;
            continue;
        }
        in_space = 0;
        if (cp == 0xDF) {
            buf_appendcstr(out, "ss");
            continue;
        }
        put_utf8(out, fold(cp));
    }
}
