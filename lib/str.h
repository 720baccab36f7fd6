/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * str.h - string helpers glibc lacks or gets wrong for us.
 *
 * Bounded copies that report truncation, overflow-checked number parsing
 * for wire and config input, ASCII case helpers (locale-independent, as
 * protocols are).
 */
#ifndef LIB_STR_H
#define LIB_STR_H

#include <stddef.h>
#include <stdint.h>

/* str_lcpy - strlcpy(3): copy into dst[size], always NUL-terminated;
 * returns strlen(src), so a result >= size means it was truncated. */
size_t str_lcpy(char *dst, const char *src, size_t size);
/* str_lcat - strlcat(3), same truncation convention. */
size_t str_lcat(char *dst, const char *src, size_t size);

/* str_parse_u64 - parse exactly the decimal digits in p[0..len) into *val_r.
 * Returns 1 on success, -1 on an empty field, a non-digit or overflow
 * past max.  No sign, no whitespace, leading zeros allowed. */
int str_parse_u64(const char *p, size_t len, uint64_t max, uint64_t *val_r);
/* str_parse_long - parse a whole NUL-terminated (optionally signed)
 * decimal into *val_r within [min, max]; 1 ok, -1 bad or out of range. */
int str_parse_long(const char *s, long min, long max, long *val_r);

/* str_casecmp - ASCII-only case-insensitive compare (locale-independent). */
int str_casecmp(const char *a, const char *b);
int str_ncasecmp(const char *a, const char *b, size_t n);
/* str_has_prefix / str_has_caseprefix - true when s starts with prefix. */
int str_has_prefix(const char *s, const char *prefix);
int str_has_caseprefix(const char *s, const char *prefix);
/* str_lcase / str_ucase - fold ASCII letters in place; return s. */
char *str_lcase(char *s);
char *str_ucase(char *s);
/* str_trim - strip ASCII whitespace at both ends in place; returns the
 * first non-space byte inside s. */
char *str_trim(char *s);

#endif /* LIB_STR_H */
