/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * str.c - bounded copies, checked number parsing and ASCII case helpers.
 *
 * Protocol keywords are ASCII and must not depend on the locale, so the
 * case helpers do not use tolower(3).  No state; all functions are pure.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "lib/str.h"

/* lc - ASCII lower case of one byte */
static inline unsigned char lc(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

size_t str_lcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

size_t str_lcat(char *dst, const char *src, size_t size)
{
    size_t dlen = strnlen(dst, size);
    if (dlen == size)
        return size + strlen(src);
    return dlen + str_lcpy(dst + dlen, src, size - dlen);
}

int str_parse_u64(const char *p, size_t len, uint64_t max, uint64_t *val_r)
{
    uint64_t v = 0;
    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned d;
        if (p[i] < '0' || p[i] > '9')
            return -1;
        d = (unsigned)(p[i] - '0');
        if (d > max || v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *val_r = v;
    return 1;
}

int str_parse_long(const char *s, long min, long max, long *val_r)
{
    int neg = 0;
    uint64_t v, lim;

    if (*s == '-' || *s == '+')
        neg = (*s++ == '-');
    lim = neg ? (uint64_t)LONG_MAX + 1 : (uint64_t)LONG_MAX;
    if (str_parse_u64(s, strlen(s), lim, &v) < 0)
        return -1;
    if (neg) {
        long r = v == (uint64_t)LONG_MAX + 1 ? LONG_MIN : -(long)v;
        if (r < min || r > max)
            return -1;
        *val_r = r;
    } else {
        if ((long)v < min || (long)v > max)
            return -1;
        *val_r = (long)v;
    }
    return 1;
}

int str_casecmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    while (*x && lc(*x) == lc(*y))
        x++, y++;
    return lc(*x) - lc(*y);
}

int str_ncasecmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    if (!n)
        return 0;
    while (--n && *x && lc(*x) == lc(*y))
        x++, y++;
    return lc(*x) - lc(*y);
}

int str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_has_caseprefix(const char *s, const char *prefix)
{
    return str_ncasecmp(s, prefix, strlen(prefix)) == 0;
}

char *str_lcase(char *s)
{
    for (char *p = s; *p; p++)
        *p = (char)lc((unsigned char)*p);
    return s;
}

char *str_ucase(char *s)
{
    for (char *p = s; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    return s;
}

char *str_trim(char *s)
{
    char *end;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
                       end[-1] == '\r' || end[-1] == '\n'))
        *--end = '\0';
    return s;
}
