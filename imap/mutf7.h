/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mutf7.h - IMAP modified UTF-7 (RFC 3501 section 5.1.3).
 *
 * Mailbox names travel over IMAP in modified UTF-7: printable US-ASCII
 * (0x20-0x7e) stands for itself except '&', written "&-"; every other
 * character is UTF-16, base64-encoded with ',' for '/' and no padding,
 * between '&' and '-'.
 *
 * Only the canonical (shortest) form is valid: no encoded printable ASCII,
 * no two encoded runs back to back ("&AOk-&AOk-"), no leftover base64
 * characters or non-zero padding bits, surrogates only as pairs, every
 * '&' closed by '-'.  U+0000 is never accepted (names are C strings).
 * So for every valid s, mutf7_encode(mutf7_decode(s)) == s.
 *
 * Results follow lib/ convention: 1 success, -1 error with a static
 * message in *error_r (error_r may be NULL).  On error the output buffer
 * is restored to the length it had on entry.  Pure functions, no state.
 */
#ifndef IMAP_MUTF7_H
#define IMAP_MUTF7_H

#include <stddef.h>

struct buf;

/* mutf7_encode - append the modified UTF-7 form of the UTF-8 text
 * utf8[0..len) to out.  -1 when the input is not strict UTF-8 (overlong
 * forms, surrogate code points, > U+10FFFF, truncated sequences) or holds
 * U+0000. */
int mutf7_encode(const char *utf8, size_t len, struct buf *out,
                 const char **error_r);

/* mutf7_decode - append the UTF-8 form of the modified UTF-7 text
 * s[0..len) to out.  -1 when s is not canonical modified UTF-7 (see
 * above) or contains bytes outside 0x20-0x7e. */
int mutf7_decode(const char *s, size_t len, struct buf *out,
                 const char **error_r);

/* mutf7_validate - 1 when s[0..len) is canonical modified UTF-7, else -1
 * with the reason in *error_r. */
int mutf7_validate(const char *s, size_t len, const char **error_r);

#endif /* IMAP_MUTF7_H */
